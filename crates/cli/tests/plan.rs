//! `rnameta plan` end to end on `rnameta simulate --preset tiny`: stage 1 lists every simulated
//! project with its metadata table; stage 2's samples and labelled counts per class equal what the
//! simulator says (its labels, and its truth's QC flags: single-cell and small-RNA studies left
//! out), for SRA, GTEx and TCGA.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use rnameta_core::{DataSource, SampleMeta, Task};
use rnameta_io::metasra::ACCESSION_ATTRIBUTES;
use rnameta_io::plan::{
    read_counts, read_manifest, read_projects, COUNTS_FILE, MANIFEST_FILE, PROJECTS_FILE,
};
use rnameta_sim::output::Layout;
use rnameta_sim::{GeneUniverse, Preset, SimConfig, Simulator, SourceCohort};

fn rnameta() -> Command {
    Command::cargo_bin("rnameta").expect("the rnameta binary is built")
}

/// `rnameta simulate --preset tiny --out DIR/sim`.
fn simulate_tiny(dir: &Path) -> PathBuf {
    let out = dir.join("sim");
    rnameta()
        .args(["simulate", "--preset", "tiny", "--quiet", "--out"])
        .arg(&out)
        .assert()
        .success();
    out
}

/// The tiny preset's cohort in memory: the same seed, so the same samples and labels as written.
fn tiny_cohort() -> (SourceCohort, SourceCohort, SourceCohort) {
    let config = SimConfig::preset(Preset::Tiny);
    let universe = GeneUniverse::from_ensembl(
        &rnameta_sim::universe::default_gene_table(),
        &config.universe,
    )
    .unwrap();
    let sim = Simulator::new(config, universe).unwrap();
    (sim.gtex().unwrap(), sim.tcga().unwrap(), sim.sra().unwrap())
}

/// The class of a task, as the simulator labelled the sample.
fn label(meta: &SampleMeta, task: Task) -> Option<String> {
    task.label_of(meta)
}

/// Expected `(data source, task, class) -> samples`: GTEx and TCGA every sample; SRA one sample
/// per SRA sample accession of the runs the simulator's truth calls bulk (neither single-cell nor
/// small RNA).
fn expected_counts(cohorts: &[&SourceCohort]) -> BTreeMap<(String, String, String), usize> {
    let mut counts = BTreeMap::new();
    for cohort in cohorts {
        let mut seen = BTreeSet::new();
        for (meta, truth) in cohort.dataset.samples().iter().zip(&cohort.truth) {
            if truth.is_single_cell || truth.is_small_rna {
                continue;
            }
            let sample = ACCESSION_ATTRIBUTES
                .iter()
                .find_map(|k| meta.attributes.get(*k))
                .filter(|_| meta.data_source == DataSource::Sra)
                .unwrap_or(&meta.sample_id);
            if !seen.insert(sample.clone()) {
                continue;
            }
            for task in [Task::Tissue, Task::Sex, Task::SampleSource] {
                if let Some(class) = label(meta, task) {
                    let key = (
                        meta.data_source.as_str().to_owned(),
                        task.as_str().to_owned(),
                        class,
                    );
                    *counts.entry(key).or_insert(0) += 1;
                }
            }
        }
    }
    counts
}

#[test]
fn stage_2_counts_per_class_equal_the_simulators_labels_without_single_cell_and_small_rna() {
    let dir = tempfile::tempdir().unwrap();
    let sim = simulate_tiny(dir.path());
    let out = dir.path().join("plan");
    rnameta()
        .args(["plan", "--recount3"])
        .arg(&sim)
        .arg("--metasra")
        .arg(Layout::new(&sim).metasra())
        .arg("--out")
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains("stage 2:"));
    let (gtex, tcga, sra) = tiny_cohort();
    let planned: BTreeMap<(String, String, String), usize> = read_counts(&out.join(COUNTS_FILE))
        .unwrap()
        .into_iter()
        .map(|c| {
            (
                (
                    c.data_source.as_str().to_owned(),
                    c.task.as_str().to_owned(),
                    c.class,
                ),
                c.samples,
            )
        })
        .collect();
    let expected = expected_counts(&[&gtex, &tcga, &sra]);
    assert!(expected.keys().any(|k| k.0 == "sra" && k.1 == "tissue"));
    assert_eq!(planned, expected);

    // The SRA samples planned are exactly the bulk samples of the simulator's truth: every run of
    // a single-cell or small-RNA study is left out, and every other run is in the manifest.
    let manifest = read_manifest(&out.join(MANIFEST_FILE)).unwrap();
    let planned_runs: BTreeSet<&str> = manifest
        .iter()
        .filter(|r| r.data_source == DataSource::Sra)
        .flat_map(|r| r.runs.iter().map(String::as_str))
        .collect();
    let bulk_runs: BTreeSet<&str> = sra
        .truth
        .iter()
        .filter(|t| !t.is_single_cell && !t.is_small_rna)
        .map(|t| t.sample_id.as_str())
        .collect();
    assert!(sra.truth.iter().any(|t| t.is_single_cell));
    assert!(sra.truth.iter().any(|t| t.is_small_rna));
    assert_eq!(planned_runs, bulk_runs);
    // Technical replicates are runs of one sample, not samples of their own.
    let replicates = sra
        .truth
        .iter()
        .filter(|t| !t.replicate_of.is_empty() && bulk_runs.contains(t.sample_id.as_str()))
        .count();
    assert!(replicates > 0);
    let sra_samples = manifest
        .iter()
        .filter(|r| r.data_source == DataSource::Sra)
        .count();
    assert_eq!(sra_samples, bulk_runs.len() - replicates);
}

#[test]
fn stage_1_lists_every_simulated_project_with_its_metadata_table() {
    let dir = tempfile::tempdir().unwrap();
    let sim = simulate_tiny(dir.path());
    let out = dir.path().join("projects");
    rnameta()
        .args(["plan", "--recount3"])
        .arg(sim.join("recount3"))
        .arg("--out")
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "0 metadata tables not in the mirror",
        ));
    assert!(
        !out.join(MANIFEST_FILE).exists(),
        "stage 1 plans no samples"
    );
    let projects = read_projects(&out.join(PROJECTS_FILE)).unwrap();
    let (gtex, tcga, sra) = tiny_cohort();
    let mut expected: BTreeMap<(String, String), usize> = BTreeMap::new();
    for cohort in [&gtex, &tcga, &sra] {
        for s in cohort.dataset.samples() {
            let key = (
                s.data_source.as_str().to_owned(),
                s.study.clone().unwrap_or_default(),
            );
            *expected.entry(key).or_insert(0) += 1;
        }
    }
    let listed: BTreeMap<(String, String), usize> = projects
        .iter()
        .map(|p| {
            (
                (p.data_source.as_str().to_owned(), p.project.clone()),
                p.runs,
            )
        })
        .collect();
    assert_eq!(listed, expected);
    for p in &projects {
        assert!(p.metadata_found, "{}", p.project);
        assert!(sim.join("recount3").join(&p.metadata_table).is_file());
    }
}

#[test]
fn stage_2_without_a_projects_metadata_table_refuses_or_skips_it() {
    let dir = tempfile::tempdir().unwrap();
    let sim = simulate_tiny(dir.path());
    let mirror = sim.join("recount3");
    let gone = mirror.join("human/data_sources/sra/metadata/07/SRP100007/sra.sra.SRP100007.MD.gz");
    std::fs::remove_file(&gone).unwrap();
    let metasra = Layout::new(&sim).metasra();
    let out = dir.path().join("plan");
    rnameta()
        .args(["plan", "--recount3"])
        .arg(&mirror)
        .arg("--metasra")
        .arg(&metasra)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("sra.sra.SRP100007.MD.gz")
                .and(predicate::str::contains("--skip-missing")),
        );
    assert!(!out.exists(), "nothing written");
    rnameta()
        .args(["plan", "--skip-missing", "--recount3"])
        .arg(&mirror)
        .arg("--metasra")
        .arg(&metasra)
        .arg("--out")
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains("1 projects skipped"));
    let projects = read_projects(&out.join(PROJECTS_FILE)).unwrap();
    let skipped = projects.iter().find(|p| p.project == "SRP100007").unwrap();
    assert_eq!((skipped.metadata_found, skipped.samples), (false, None));
    let manifest = read_manifest(&out.join(MANIFEST_FILE)).unwrap();
    assert!(manifest.iter().all(|r| r.project != "SRP100007"));
}
