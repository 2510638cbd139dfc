//! `rnameta simulate` end to end: a small config written and read back, the seed flag, and the
//! errors for an unknown preset and a bad config.

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;
use rnameta_sim::output::Layout;
use rnameta_sim::truth::read_truth;
use rnameta_sim::{Preset, SimConfig};

fn rnameta() -> Command {
    Command::cargo_bin("rnameta").expect("the rnameta binary is built")
}

/// The tiny preset cut down so that a run takes a second.
fn small_config(dir: &Path) -> std::path::PathBuf {
    let mut config = SimConfig::preset(Preset::Tiny);
    config.gtex.samples = 62;
    config.gtex.donors = 10;
    config.tcga.samples = 30;
    config.sra.studies = 8;
    let path = dir.join("small.json");
    std::fs::write(&path, config.to_json()).unwrap();
    path
}

#[test]
fn writes_the_cohort_tree_with_the_given_seed() {
    let dir = tempfile::tempdir().unwrap();
    let config = small_config(dir.path());
    let out = dir.path().join("cohort");
    rnameta()
        .args(["simulate", "--quiet", "--seed", "9", "--config"])
        .arg(&config)
        .arg("--out")
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains("gtex 62").and(predicate::str::contains("seed 9")));
    let layout = Layout::new(&out);
    for path in [
        layout.gtf(),
        layout.truth(),
        layout.gtex_gct(),
        layout.metasra(),
        layout.archs4(),
        layout.config(),
    ] {
        assert!(path.is_file(), "{} missing", path.display());
    }
    let truth = read_truth(&layout.truth()).unwrap();
    assert_eq!(
        truth
            .iter()
            .filter(|t| t.data_source == rnameta_core::DataSource::Gtex)
            .count(),
        62
    );
    let written = SimConfig::from_json_file(&layout.config()).unwrap();
    assert_eq!(written.seed, 9);
    // The written files are formats `rnameta inspect` recognises.
    rnameta()
        .args(["inspect"])
        .arg(layout.gtex_gct())
        .assert()
        .success()
        .stdout(predicate::str::contains("62"));
}

#[test]
fn refuses_an_unknown_preset_and_a_bad_config() {
    let dir = tempfile::tempdir().unwrap();
    rnameta()
        .args(["simulate", "--preset", "huge", "--out"])
        .arg(dir.path())
        .assert()
        .code(1)
        .stderr(predicate::str::contains("unknown preset \"huge\""));
    let bad = dir.path().join("bad.json");
    let mut config = SimConfig::preset(Preset::Tiny);
    config.sra.studies = 3;
    config.sra.cell_lines = 2;
    std::fs::write(&bad, config.to_json()).unwrap();
    rnameta()
        .args(["simulate", "--config"])
        .arg(&bad)
        .arg("--out")
        .arg(dir.path().join("x"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("sra.cell_lines"));
}
