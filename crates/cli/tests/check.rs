//! `rnameta check` end to end on the real GEUVADIS fixtures: a sex model trained on the labels of
//! half of the 85 cell lines checks the other half against a label table in which three sexes
//! were flipped; the report lists exactly those three and the summary counts every sample once.
//! A label table that names no sample is refused, and no report is written.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use assert_cmd::Command;
use predicates::prelude::*;

fn rnameta() -> Command {
    Command::cargo_bin("rnameta").expect("the rnameta binary is built")
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/real")
        .join(name)
}

const COUNTS: &str = "geuvadis_humanGender_counts.tsv.gz";

/// The GEUVADIS samples with their sex (`female` / `male`), in file order.
fn samples() -> Vec<(String, String)> {
    let table =
        rnameta_io::tsv::read_label_table(&fixture("geuvadis_humanGender_samples.tsv.gz")).unwrap();
    table
        .sample_ids()
        .map(|id| {
            let sex = table.get(id, "sex").unwrap().to_ascii_lowercase();
            (id.to_owned(), sex)
        })
        .collect()
}

fn write_table(path: &Path, rows: &[(String, String)]) {
    let mut text = "sample\tsex\n".to_owned();
    for (id, sex) in rows {
        text.push_str(&format!("{id}\t{sex}\n"));
    }
    std::fs::write(path, text).unwrap();
}

/// A folder with a logistic sex model (`model/`, the paper's genes) trained on the labels of the
/// even rows only, shared by the tests of this file.
fn workspace() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let train: Vec<(String, String)> = samples().into_iter().step_by(2).collect();
        let table = dir.path().join("train.tsv");
        write_table(&table, &train);
        rnameta()
            .args(["train", "--task", "sex", "--model", "logistic"])
            // Levels: on the paper's 9 sex genes the unit-free default is less sure of itself
            // (measured on the ARCHS4 file below: 75 agree, 10 below 0.9, none disagree), and
            // this file tests the check, not the input.
            .args(["--model-input", "levels", "--source-domain"])
            .arg(fixture(COUNTS))
            .arg("--labels")
            .arg(&table)
            .arg("--gene-annotation")
            .arg(fixture("ensembl100_grch38_genes.tsv.gz"))
            .arg("-o")
            .arg(dir.path().join("model"))
            .assert()
            .success()
            .stdout(predicate::str::contains("on 43 labelled of 85 samples"));
        dir
    })
    .path()
}

/// The number after `word` in the summary line ("... 3 disagree, ...").
fn count_before(summary: &str, word: &str) -> usize {
    let words: Vec<&str> = summary.split_whitespace().collect();
    let at = words
        .iter()
        .position(|w| w.trim_end_matches(',') == word)
        .unwrap_or_else(|| panic!("no {word} in {summary}"));
    words[at - 1].parse().unwrap()
}

#[test]
fn three_flipped_sexes_are_listed_and_every_sample_counted() {
    let work = workspace();
    let all = samples();
    // The odd rows are checked; of them two females are labelled male and one male female.
    let mut check: Vec<(String, String)> = all.iter().skip(1).step_by(2).cloned().collect();
    let female: Vec<usize> = (0..check.len())
        .filter(|&i| check[i].1 == "female")
        .collect();
    let male: Vec<usize> = (0..check.len()).filter(|&i| check[i].1 == "male").collect();
    let flipped_rows = [female[3], female[11], male[7]];
    let mut flipped: Vec<String> = Vec::new();
    for &i in &flipped_rows {
        check[i].1 = if check[i].1 == "female" {
            "male"
        } else {
            "female"
        }
        .to_owned();
        flipped.push(check[i].0.clone());
    }
    let table = work.join("check.tsv");
    write_table(&table, &check);
    let report = work.join("disagreements.tsv");

    let out = rnameta()
        .args(["check", "--quiet", "--model"])
        .arg(work.join("model"))
        .arg(fixture(COUNTS))
        .arg("--labels")
        .arg(&table)
        .arg("-o")
        .arg(&report)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    eprintln!("{stdout}{stderr}");
    let summary = stdout.lines().next().unwrap();
    assert!(
        summary.starts_with("checked 85 samples against their sex labels"),
        "{summary}"
    );
    // The 43 training samples are not in the check table, so they are unlabelled.
    assert_eq!(count_before(summary, "unlabelled"), 43, "{summary}");
    assert_eq!(count_before(summary, "disagree"), 3, "{summary}");
    let agree = count_before(summary, "agree");
    let not_confident = count_before(summary, "not");
    assert_eq!(agree + not_confident, 42 - 3, "{summary}");
    assert!(stdout.contains("below 0.9"), "{summary}");

    let text = std::fs::read_to_string(&report).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    assert_eq!(
        header[..5],
        [
            "sample_id",
            "given",
            "predicted",
            "predicted_probability",
            "given_probability"
        ]
    );
    // The seven Y genes are in the matrix, XIST is not.
    assert_eq!(
        header[5..],
        [
            "RPS4Y1_log2cpm1",
            "DDX3Y_log2cpm1",
            "KDM5D_log2cpm1",
            "UTY_log2cpm1",
            "EIF1AY_log2cpm1",
            "USP9Y_log2cpm1",
            "ZFY_log2cpm1"
        ]
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split('\t').collect()).collect();
    let mut listed: Vec<&str> = rows.iter().map(|r| r[0]).collect();
    listed.sort_unstable();
    flipped.sort_unstable();
    assert_eq!(listed, flipped);
    let mut previous = f32::INFINITY;
    for row in &rows {
        let p: f32 = row[3].parse().unwrap();
        let given_p: f32 = row[4].parse().unwrap();
        assert!(p >= 0.9 && p <= previous, "most confident first: {row:?}");
        assert!(given_p < 0.1, "{row:?}");
        previous = p;
        let y: Vec<f32> = row[5..].iter().map(|v| v.parse().unwrap()).collect();
        match (row[1], row[2]) {
            ("male", "female") => assert!(y.iter().all(|&v| v < 2.5), "{row:?}"),
            ("female", "male") => assert!(y.iter().all(|&v| v > 3.5), "{row:?}"),
            other => panic!("unexpected pair {other:?}"),
        }
    }
}

#[test]
fn a_label_table_naming_no_sample_is_refused_without_a_report() {
    let work = workspace();
    let table = work.join("strangers.tsv");
    write_table(
        &table,
        &[
            ("NOT_A_SAMPLE_1".to_owned(), "male".to_owned()),
            ("NOT_A_SAMPLE_2".to_owned(), "female".to_owned()),
        ],
    );
    // A folder of its own for the report: the shared workspace holds the other tests' outputs,
    // whose temporaries come and go while they run in parallel.
    let own = tempfile::tempdir().unwrap();
    let report = own.path().join("never.tsv");
    let out = rnameta()
        .args(["check", "--quiet", "--model"])
        .arg(work.join("model"))
        .arg(fixture(COUNTS))
        .arg("--labels")
        .arg(&table)
        .arg("-o")
        .arg(&report)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("matches no sample"), "{stderr}");
    assert!(stderr.contains("0 of 85 samples"), "{stderr}");
    assert!(stderr.contains("NOT_A_SAMPLE_1"), "{stderr}");
    assert_eq!(stderr.lines().filter(|l| l.starts_with("error")).count(), 1);
    assert!(!report.exists());
    let leftovers: Vec<_> = std::fs::read_dir(own.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_threshold_outside_zero_one_is_refused() {
    let work = workspace();
    rnameta()
        .args(["check", "--quiet", "--confidence", "1.5", "--model"])
        .arg(work.join("model"))
        .arg(fixture(COUNTS))
        .assert()
        .failure()
        .stderr(predicate::str::contains("1.5").and(predicate::str::contains("[0, 1]")));
}

/// Without --labels the labels the files carry are checked: the ARCHS4 layout of the same
/// samples (sex in `characteristics_ch1`, read in chunks) agrees with the model everywhere, and
/// the report is its header alone.
#[test]
fn labels_the_file_carries_are_checked_without_a_table() {
    let work = workspace();
    let report = work.join("archs4.tsv");
    let out = rnameta()
        .args(["check", "--quiet", "--model"])
        .arg(work.join("model"))
        .arg(fixture("geuvadis_archs4_layout.h5"))
        .arg("--output")
        .arg(&report)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary = stdout.lines().next().unwrap();
    assert!(summary.starts_with("checked 85 samples"), "{summary}");
    assert_eq!(count_before(summary, "agree"), 85, "{summary}");
    assert_eq!(count_before(summary, "disagree"), 0, "{summary}");
    assert_eq!(count_before(summary, "unlabelled"), 0, "{summary}");
    let text = std::fs::read_to_string(&report).unwrap();
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(text.starts_with("sample_id\tgiven\tpredicted"));
}

#[test]
fn help_names_every_flag() {
    let out = rnameta().args(["check", "--help"]).output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for flag in [
        "--model",
        "--labels",
        "--min-prob",
        "--confidence",
        "--max-missing",
        "--out",
        "--output",
        "--gene-annotation",
        "--quiet",
    ] {
        assert!(help.contains(flag), "check --help lacks {flag}:\n{help}");
    }
}
