//! The files of `rnameta plan`: written together, read back equal, refused when damaged.

mod common;

use common::{assert_names, write_text};
use rnameta_core::{DataSource, SampleSource, Sex, Task};
use rnameta_io::plan::{
    read_counts, read_manifest, read_projects, write_plan, ClassCount, ManifestRow, PlanFiles,
    PlannedProject, ProjectSamples, COUNTS_FILE, MANIFEST_FILE, PROJECTS_FILE, SUMMARY_FILE,
};
use rnameta_io::ErrorKind;

fn project(samples: Option<ProjectSamples>) -> PlannedProject {
    PlannedProject {
        data_source: DataSource::Sra,
        project: "SRP224299".into(),
        project_home: "data_sources/sra".into(),
        runs: 7,
        metadata_table: "human/data_sources/sra/metadata/99/SRP224299/sra.sra.SRP224299.MD.gz"
            .into(),
        metadata_found: samples.is_some(),
        samples,
    }
}

fn stage2() -> PlanFiles {
    let samples = ProjectSamples {
        runs_read: 7,
        single_cell_runs: 1,
        small_rna_runs: 1,
        samples: 4,
        tissue: 3,
        sex: 2,
        sample_source: 3,
    };
    let gtex = PlannedProject {
        data_source: DataSource::Gtex,
        project: "LUNG".into(),
        project_home: "data_sources/gtex".into(),
        runs: 2,
        metadata_table: "human/data_sources/gtex/metadata/NG/LUNG/gtex.gtex.LUNG.MD.gz".into(),
        metadata_found: false,
        samples: None,
    };
    PlanFiles {
        projects: vec![project(Some(samples)), gtex],
        manifest: Some(vec![
            ManifestRow {
                data_source: DataSource::Sra,
                project: "SRP224299".into(),
                sample: "SRS1127403".into(),
                runs: vec!["SRR10230231".into(), "SRR10230232".into()],
                tissue: Some("lung".into()),
                sex: Some(Sex::Female),
                sample_source: Some(SampleSource::Biopsy),
                sample_type_confidence: Some(0.9812),
            },
            ManifestRow {
                data_source: DataSource::Sra,
                project: "SRP224299".into(),
                sample: "SRS5999999".into(),
                runs: vec!["SRR10230237".into()],
                tissue: None,
                sex: None,
                sample_source: None,
                sample_type_confidence: None,
            },
        ]),
        counts: Some(vec![ClassCount {
            data_source: DataSource::Sra,
            task: Task::SampleSource,
            class: "biopsy".into(),
            samples: 3,
            projects: 1,
        }]),
        summary: "# plan\n".into(),
    }
}

#[test]
fn a_stage_2_plan_reads_back_equal() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("plan");
    let files = stage2();
    let written = write_plan(&out, &files).unwrap();
    assert_eq!(written.len(), 4);
    assert_eq!(
        read_projects(&out.join(PROJECTS_FILE)).unwrap(),
        files.projects
    );
    assert_eq!(
        Some(read_manifest(&out.join(MANIFEST_FILE)).unwrap()),
        files.manifest
    );
    assert_eq!(
        Some(read_counts(&out.join(COUNTS_FILE)).unwrap()),
        files.counts
    );
    assert_eq!(
        std::fs::read_to_string(out.join(SUMMARY_FILE)).unwrap(),
        "# plan\n"
    );
    let manifest = std::fs::read_to_string(out.join(MANIFEST_FILE)).unwrap();
    assert!(
        manifest.contains("SRS1127403\tSRR10230231,SRR10230232\tlung\tfemale\tbiopsy\t0.9812"),
        "{manifest}"
    );
}

#[test]
fn a_stage_1_plan_replaces_a_stage_2_plan_whole() {
    let dir = tempfile::tempdir().unwrap();
    write_plan(dir.path(), &stage2()).unwrap();
    let stage1 = PlanFiles {
        projects: vec![project(None)],
        manifest: None,
        counts: None,
        summary: "# stage 1\n".into(),
    };
    write_plan(dir.path(), &stage1).unwrap();
    assert!(!dir.path().join(MANIFEST_FILE).exists());
    assert!(!dir.path().join(COUNTS_FILE).exists());
    let projects = read_projects(&dir.path().join(PROJECTS_FILE)).unwrap();
    assert_eq!(projects, stage1.projects);
    assert_eq!(projects[0].samples, None, "stage-2 columns are empty");
}

#[test]
fn a_value_with_a_tab_is_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = stage2();
    if let Some(rows) = files.manifest.as_mut() {
        rows[0].tissue = Some("lung\tleft".into());
    }
    let err = write_plan(dir.path(), &files).unwrap_err();
    assert!(err.to_string().contains("tab"), "{err}");
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert!(left.is_empty(), "nothing written: {left:?}");
    // A folder created for the plan goes again.
    let new = dir.path().join("new");
    assert!(write_plan(&new, &files).is_err());
    assert!(!new.exists());
}

#[test]
fn damaged_files_name_the_line() {
    let dir = tempfile::tempdir().unwrap();
    write_plan(dir.path(), &stage2()).unwrap();
    let manifest = std::fs::read_to_string(dir.path().join(MANIFEST_FILE)).unwrap();
    let bad = write_text(
        dir.path(),
        "bad_manifest.tsv",
        &manifest.replace("\tfemale\t", "\tfemale-ish\t"),
    );
    let err = read_manifest(&bad).unwrap_err();
    assert!(matches!(err.kind, ErrorKind::Malformed(_)), "{err}");
    assert_names(&err, "bad_manifest.tsv", ":2");
    let other = write_text(dir.path(), "other.tsv", "sample\ttissue\nS1\tlung\n");
    let err = read_projects(&other).unwrap_err();
    assert!(matches!(err.kind, ErrorKind::MissingHeader { .. }), "{err}");
}
