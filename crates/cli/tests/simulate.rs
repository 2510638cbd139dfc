//! `rnameta simulate` end to end: a small config written and read back, the seed flag; refusals
//! (unknown preset, values beyond their limits, no sample, a cohort too large for the machine, a
//! folder of other files) that leave nothing behind; an interrupted run that leaves no half cohort;
//! an earlier cohort replaced whole.

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
fn refuses_an_unknown_preset_as_bad_usage_listing_every_preset() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cohort");
    rnameta()
        .args(["simulate", "--preset", "huge", "--out"])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("huge")
                .and(predicate::str::contains("tiny"))
                .and(predicate::str::contains("small"))
                .and(predicate::str::contains("paper"))
                .and(predicate::str::contains("archs4")),
        );
    assert!(!out.exists());
}

#[test]
fn refuses_a_bad_config_before_writing_anything() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    let mut config = SimConfig::preset(Preset::Tiny);
    config.sra.studies = 3;
    config.sra.cell_lines = 2;
    std::fs::write(&bad, config.to_json()).unwrap();
    let out = dir.path().join("x");
    rnameta()
        .args(["simulate", "--config"])
        .arg(&bad)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("sra.cell_lines").and(predicate::str::contains("bad.json")),
        );
    assert!(!out.exists());
}

/// Runs `simulate --config` on `config` written to `dir`, expecting a refusal (exit 1) whose
/// message holds every needle, and no output folder.
fn assert_refused(dir: &Path, config: &SimConfig, needles: &[&str]) {
    let path = dir.join("config.json");
    std::fs::write(&path, config.to_json()).unwrap();
    let out = dir.join("cohort");
    let assert = rnameta()
        .args(["simulate", "--quiet", "--config"])
        .arg(&path)
        .arg("--out")
        .arg(&out)
        .timeout(std::time::Duration::from_secs(60))
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    for needle in needles {
        assert!(stderr.contains(needle), "{needle:?} missing in {stderr}");
    }
    assert!(!out.exists(), "{} was created", out.display());
    let left: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n != "config.json")
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[test]
fn refuses_a_config_with_no_sample_in_any_source() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = SimConfig::preset(Preset::Tiny);
    config.gtex.samples = 0;
    config.tcga.samples = 0;
    config.sra.studies = 0;
    config.archs4.samples = 0;
    assert_refused(dir.path(), &config, &["nothing to simulate"]);
}

#[test]
fn refuses_values_beyond_their_limits_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = SimConfig::preset(Preset::Tiny);
    config.universe.n_genes = 1_000_000_000_000;
    assert_refused(dir.path(), &config, &["universe.n_genes", "1000000000000"]);
    let mut config = SimConfig::preset(Preset::Tiny);
    config.gtex.reads_per_gene = 1e30;
    assert_refused(
        dir.path(),
        &config,
        &["gtex.reads_per_gene", "1e30", "allowed"],
    );
}

#[test]
fn refuses_a_cohort_that_cannot_fit_on_disk_or_in_memory() {
    // Within every per-field limit, but 800,000 TCGA samples of 50,000 genes need about 200 GB of
    // memory and 90 TB of disk, more than any test machine has.
    let dir = tempfile::tempdir().unwrap();
    let mut config = SimConfig::preset(Preset::Tiny);
    config.tcga.samples = 800_000;
    config.universe.n_genes = 50_000;
    assert_refused(dir.path(), &config, &["needs about", "available"]);
}

#[test]
fn an_interrupted_run_leaves_no_half_cohort_and_the_next_run_sweeps_its_leftovers() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cohort");
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("rnameta"))
        .args(["simulate", "--quiet", "--preset", "small", "--out"])
        .arg(&out)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(2_500));
    std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let status = child.wait().unwrap();
    assert!(!status.success(), "the small preset ended within 2.5 s");
    assert!(
        !out.exists(),
        "an interrupted run left {} behind",
        out.display()
    );
    // Whatever the interrupted run left (its staging folder, if the signal gave it no time to
    // remove it) is swept by the next run into the same folder.
    let config = small_config(dir.path());
    rnameta()
        .args(["simulate", "--quiet", "--config"])
        .arg(&config)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(sorted, ["cohort", "small.json"], "{names:?}");
}

#[test]
fn refuses_to_write_into_a_folder_holding_other_files_and_replaces_its_own_cohort() {
    let dir = tempfile::tempdir().unwrap();
    let config = small_config(dir.path());
    let out = dir.path().join("cohort");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    rnameta()
        .args(["simulate", "--quiet", "--config"])
        .arg(&config)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("notes.txt"));
    let names: Vec<_> = std::fs::read_dir(&out).unwrap().collect();
    assert_eq!(names.len(), 1, "the user's folder was changed");
    // An earlier cohort of rnameta simulate is replaced whole.
    std::fs::remove_file(out.join("notes.txt")).unwrap();
    for seed in ["1", "2"] {
        rnameta()
            .args(["simulate", "--quiet", "--seed", seed, "--config"])
            .arg(&config)
            .arg("--out")
            .arg(&out)
            .assert()
            .success();
    }
    let written = SimConfig::from_json_file(&Layout::new(&out).config()).unwrap();
    assert_eq!(written.seed, 2);
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}
