//! `rnameta_data::plan` on a mirror built from the hand-written recount3 fixtures (real layout,
//! real columns; `fixtures/recount3/README.md`) and the hand-made MetaSRA fixture: stage 1's
//! projects, stage 2's QC, grouping and labels, and the refusals.

use std::path::{Path, PathBuf};

use rnameta_core::{DataSource, SampleSource, Sex, Task};
use rnameta_data::plan::{
    plan, plan_projects, plan_samples, MetaSraLabels, Plan, PlanInputs, PlanOptions, Recount3Mirror,
};
use rnameta_data::Error;
use rnameta_io::plan::{read_manifest, write_plan, ManifestRow, MANIFEST_FILE};
use rnameta_io::write::write_atomically;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

fn metasra_fixture() -> PathBuf {
    fixtures().join("metasra/metasra_small.json")
}

/// Writes a fixture's text gzipped (as the server holds it) at `to`.
fn place(fixture: &str, to: &Path) {
    let text = std::fs::read(fixtures().join("recount3").join(fixture)).unwrap();
    std::fs::create_dir_all(to.parent().unwrap()).unwrap();
    write_atomically(to, |w| w.write_all(&text)).unwrap();
}

/// `dir/recount3/human/...` with the project table and the `sra` tables of SRP224299 and
/// ERP900001 (DRP900001's is missing); returns `dir/recount3`.
fn mirror(dir: &Path) -> PathBuf {
    let root = dir.join("recount3");
    let sra = root.join("human/data_sources/sra/metadata");
    place(
        "sra.recount_project.MD",
        &sra.join("sra.recount_project.MD.gz"),
    );
    for (shard, project) in [("99", "SRP224299"), ("01", "ERP900001")] {
        place(
            &format!("sra.sra.{project}.MD"),
            &sra.join(shard)
                .join(project)
                .join(format!("sra.sra.{project}.MD.gz")),
        );
    }
    root
}

fn stage2(root: &Path, options: &PlanOptions) -> rnameta_data::Result<Plan> {
    plan(
        &PlanInputs {
            recount3: root.to_path_buf(),
            metasra: Some(metasra_fixture()),
            uberon: None,
        },
        options,
    )
}

fn skipping() -> PlanOptions {
    PlanOptions {
        skip_missing_metadata: true,
        ..PlanOptions::default()
    }
}

#[test]
fn stage_1_lists_each_project_and_the_table_to_fetch() {
    let dir = tempfile::tempdir().unwrap();
    let root = mirror(dir.path());
    let stage1 = plan_projects(&Recount3Mirror::find(&root).unwrap()).unwrap();
    let rows: Vec<(&str, usize, &str, bool)> = stage1
        .projects
        .iter()
        .map(|p| {
            (
                p.project.as_str(),
                p.runs,
                p.metadata_table.as_str(),
                p.metadata_found,
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (
                "SRP224299",
                7,
                "human/data_sources/sra/metadata/99/SRP224299/sra.sra.SRP224299.MD.gz",
                true
            ),
            (
                "ERP900001",
                2,
                "human/data_sources/sra/metadata/01/ERP900001/sra.sra.ERP900001.MD.gz",
                true
            ),
            (
                "DRP900001",
                1,
                "human/data_sources/sra/metadata/01/DRP900001/sra.sra.DRP900001.MD.gz",
                false
            ),
        ]
    );
    assert!(stage1
        .projects
        .iter()
        .all(|p| p.data_source == DataSource::Sra && p.samples.is_none()));
    assert!(stage1.left_out.is_empty());
}

#[test]
fn the_mirror_is_found_from_its_root_its_parent_or_its_human_folder() {
    let dir = tempfile::tempdir().unwrap();
    let root = mirror(dir.path());
    for given in [root.clone(), dir.path().to_path_buf(), root.join("human")] {
        assert_eq!(
            Recount3Mirror::find(&given).unwrap().root(),
            root,
            "{given:?}"
        );
    }
    let err = Recount3Mirror::find(&root.join("human/data_sources")).unwrap_err();
    assert!(matches!(err, Error::NoRecount3Mirror { .. }), "{err}");
    assert!(err.to_string().contains("recount3/human/"), "{err}");
}

#[test]
fn stage_2_refuses_missing_metadata_tables_naming_them() {
    let dir = tempfile::tempdir().unwrap();
    let root = mirror(dir.path());
    let err = stage2(&root, &PlanOptions::default()).unwrap_err();
    let msg = err.to_string();
    assert!(
        matches!(
            err,
            Error::MissingMetadata {
                missing: 1,
                total: 3,
                ..
            }
        ),
        "{msg}"
    );
    assert!(msg.contains("sra.sra.DRP900001.MD.gz"), "{msg}");
    assert!(msg.contains("--skip-missing"), "{msg}");
}

fn sample<'a>(manifest: &'a [ManifestRow], id: &str) -> &'a ManifestRow {
    manifest
        .iter()
        .find(|r| r.sample == id)
        .unwrap_or_else(|| panic!("{id} not in the manifest"))
}

#[test]
fn stage_2_keeps_bulk_runs_groups_them_by_sample_and_labels_them_from_metasra() {
    let dir = tempfile::tempdir().unwrap();
    let root = mirror(dir.path());
    let Plan::Samples(plan) = stage2(&root, &skipping()).unwrap() else {
        panic!("a MetaSRA file makes a stage-2 plan");
    };
    let ids: Vec<&str> = plan.manifest.iter().map(|r| r.sample.as_str()).collect();
    // SRS2204211 is a miRNA-Seq library, SRS3055871 a single-cell one, ERP900001 a single-cell
    // study by its title; DRP900001 has no table.
    assert_eq!(
        ids,
        ["SRS1127403", "SRS1127404", "SRS0912346", "SRS5999999"]
    );
    let lung = sample(&plan.manifest, "SRS1127403");
    assert_eq!(lung.runs, ["SRR10230231", "SRR10230232"]);
    assert_eq!(
        (lung.tissue.as_deref(), lung.sex, lung.sample_source),
        (Some("lung"), Some(Sex::Female), Some(SampleSource::Biopsy))
    );
    assert_eq!(lung.sample_type_confidence, Some(0.9812));
    let liver = sample(&plan.manifest, "SRS1127404");
    assert_eq!(
        (liver.tissue.as_deref(), liver.sex),
        (Some("liver"), Some(Sex::Male))
    );
    let brain = sample(&plan.manifest, "SRS0912346");
    assert_eq!((brain.tissue.as_deref(), brain.sex), (Some("brain"), None));
    // Labels come from MetaSRA only: the submitter's "kidney" and "male" are not taken.
    let unknown = sample(&plan.manifest, "SRS5999999");
    assert_eq!(
        (unknown.label(Task::Tissue), unknown.label(Task::Sex)),
        (None, None)
    );
    let counts: Vec<_> = plan
        .projects
        .projects
        .iter()
        .map(|p| (p.project.as_str(), p.samples))
        .collect();
    let srp = counts[0].1.unwrap();
    assert_eq!(
        (
            srp.runs_read,
            srp.single_cell_runs,
            srp.small_rna_runs,
            srp.samples
        ),
        (7, 1, 1, 4)
    );
    assert_eq!((srp.tissue, srp.sex, srp.sample_source), (3, 2, 3));
    let erp = counts[1].1.unwrap();
    assert_eq!((erp.single_cell_runs, erp.samples), (2, 0));
    assert_eq!(counts[2], ("DRP900001", None));
    assert_eq!(plan.skipped, ["DRP900001"]);
    assert_eq!((plan.labels.sra_samples, plan.labels.matched), (4, 3));
    let tissue: Vec<(&str, usize)> = plan
        .counts
        .iter()
        .filter(|c| c.task == Task::Tissue)
        .map(|c| (c.class.as_str(), c.samples))
        .collect();
    assert_eq!(tissue, [("brain", 1), ("liver", 1), ("lung", 1)]);
}

#[test]
fn a_sample_type_below_the_confidence_gives_no_source_label() {
    let dir = tempfile::tempdir().unwrap();
    let root = mirror(dir.path());
    let options = PlanOptions {
        min_sample_type_confidence: 0.7,
        ..skipping()
    };
    let Plan::Samples(plan) = stage2(&root, &options).unwrap() else {
        panic!("stage 2 expected");
    };
    let brain = sample(&plan.manifest, "SRS0912346");
    assert_eq!(brain.sample_source, None, "0.6034 < 0.7");
    assert_eq!(brain.sample_type_confidence, Some(0.6034), "still shown");
    assert_eq!(plan.labels.below_confidence, 1);
    assert_eq!(
        sample(&plan.manifest, "SRS1127403").sample_source,
        Some(SampleSource::Biopsy)
    );
}

#[test]
fn the_uberon_roll_up_labels_as_the_built_in_table_on_these_terms() {
    let dir = tempfile::tempdir().unwrap();
    let root = mirror(dir.path());
    let stage1 = plan_projects(&Recount3Mirror::find(&root).unwrap()).unwrap();
    let obo = fixtures().join("uberon/uberon-slice.obo");
    let rolled = MetaSraLabels::read(&metasra_fixture(), Some(&obo)).unwrap();
    assert!(rolled.tissue_terms_from().contains("uberon-slice.obo"));
    let built_in = MetaSraLabels::read(&metasra_fixture(), None).unwrap();
    let a = plan_samples(&stage1, &rolled, &skipping()).unwrap();
    let b = plan_samples(&stage1, &built_in, &skipping()).unwrap();
    assert_eq!(a.manifest, b.manifest);
}

#[test]
fn the_files_written_hold_the_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let root = mirror(dir.path());
    let plan = stage2(&root, &skipping()).unwrap();
    let out = dir.path().join("plan");
    write_plan(&out, &plan.files()).unwrap();
    let Plan::Samples(samples) = &plan else {
        panic!("stage 2 expected");
    };
    assert_eq!(
        read_manifest(&out.join(MANIFEST_FILE)).unwrap(),
        samples.manifest
    );
    let summary = std::fs::read_to_string(out.join("summary.md")).unwrap();
    assert!(summary.contains("| sra | lung | 1 | 1 |"), "{summary}");
    assert!(
        summary.contains("DRP900001"),
        "skipped project named: {summary}"
    );
}

#[test]
fn a_file_that_is_not_metasra_is_refused_naming_what_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let tsv = fixtures().join("recount3/sra.recount_project.MD");
    let err = MetaSraLabels::read(&tsv, None).unwrap_err();
    assert!(matches!(err, Error::NotMetaSra { .. }), "{err}");
    assert!(err.to_string().contains("recount3 metadata table"), "{err}");
    assert!(err.to_string().contains("rnameta fetch metasra"), "{err}");
    let other_keys = dir.path().join("other.json");
    std::fs::write(&other_keys, r#"{"lung": {"sample type": "tissue"}}"#).unwrap();
    let err = MetaSraLabels::read(&other_keys, None).unwrap_err();
    assert!(matches!(err, Error::NotMetaSraRelease { .. }), "{err}");
    assert!(
        err.to_string().contains("not SRA sample accessions"),
        "{err}"
    );
    let empty_entries = dir.path().join("empty.json");
    std::fs::write(&empty_entries, r#"{"SRS1": {}, "SRS2": {}}"#).unwrap();
    let err = MetaSraLabels::read(&empty_entries, None).unwrap_err();
    assert!(err.to_string().contains("no entry has"), "{err}");
    let not_json_object = dir.path().join("list.json");
    std::fs::write(&not_json_object, "[1, 2]\n").unwrap();
    let err = MetaSraLabels::read(&not_json_object, None).unwrap_err();
    assert!(err.to_string().contains("list.json"), "{err}");
}

#[test]
fn a_home_in_the_index_without_its_project_table_says_where_to_get_it() {
    let dir = tempfile::tempdir().unwrap();
    let root = mirror(dir.path());
    std::fs::write(
        root.join("human/homes_index"),
        "data_sources/sra\ndata_sources/gtex\ncollections/ccle\n",
    )
    .unwrap();
    let err = plan_projects(&Recount3Mirror::find(&root).unwrap()).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, Error::NoProjectTable { .. }), "{msg}");
    assert!(msg.contains("gtex.recount_project.MD.gz"), "{msg}");
    assert!(
        msg.contains(
            "https://duffel.rail.bio/recount3/human/data_sources/gtex/metadata/gtex.recount_project.MD.gz"
        ),
        "{msg}"
    );
}

#[test]
fn a_mirror_without_any_project_table_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("recount3");
    std::fs::create_dir_all(root.join("human/data_sources/sra/metadata/99")).unwrap();
    let err = plan_projects(&Recount3Mirror::find(&root).unwrap()).unwrap_err();
    assert!(matches!(err, Error::NoProjectTable { .. }), "{err}");
    assert!(
        err.to_string().contains("sra.recount_project.MD.gz"),
        "{err}"
    );
}
