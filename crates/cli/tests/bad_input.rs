//! Bad input to `train` / `annotate` / `evaluate`: each is refused with a one-line error and a
//! non-zero exit, and leaves no output file (not even a temporary one).
//!
//! The model is a LIN sex model trained once on the real GEUVADIS counts (fast); the bad inputs are
//! made from the same counts with the library's writers.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use assert_cmd::Command;
use ndarray::Axis;
use rnameta_core::{Dataset, GeneAnnotation};
use rnameta_io::tsv::{read_matrix, write_matrix, MatrixOptions, Orientation};

fn rnameta() -> Command {
    Command::cargo_bin("rnameta").expect("the rnameta binary is built")
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/real")
        .join(name)
}

const COUNTS: &str = "geuvadis_humanGender_counts.tsv.gz";

/// A folder with the trained bundle (`model/`, a model of levels: the one that must refuse values
/// that are not counts), shared by the tests of this file.
fn workspace() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        rnameta()
            .args(["train", "--task", "sex", "--model", "lin", "--genes", "xy"])
            .args(["--model-input", "levels", "--source-domain"])
            .arg(fixture(COUNTS))
            .arg("--labels")
            .arg(fixture("geuvadis_humanGender_samples.tsv.gz"))
            .arg("--gene-annotation")
            .arg(fixture("ensembl100_grch38_genes.tsv.gz"))
            .arg("-o")
            .arg(dir.path().join("model"))
            .assert()
            .success();
        dir
    })
    .path()
}

fn model() -> PathBuf {
    workspace().join("model")
}

fn counts() -> Dataset {
    read_matrix(&fixture(COUNTS), MatrixOptions::genes_in_rows()).unwrap()
}

/// Runs `cmd`, expects failure with a one-line error containing each of `needles`, and returns
/// the error line.
fn fails(cmd: &mut Command, needles: &[&str]) -> String {
    let out = cmd.output().unwrap();
    assert!(!out.status.success(), "succeeded: {out:?}");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let errors: Vec<&str> = stderr.lines().filter(|l| !l.starts_with("note:")).collect();
    assert_eq!(errors.len(), 1, "one line expected:\n{stderr}");
    assert!(errors[0].starts_with("error: "), "{stderr}");
    for n in needles {
        assert!(errors[0].contains(n), "{:?} lacks {n:?}", errors[0]);
    }
    errors[0].to_owned()
}

/// Files in `dir` (hidden temporaries included).
fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn tpm_values_are_refused_where_counts_are_expected() {
    let dir = tempfile::tempdir().unwrap();
    let mut data = counts();
    for mut row in data.counts_mut().axis_iter_mut(Axis(0)) {
        let sum: f32 = row.sum();
        row.mapv_inplace(|v| v / sum * 1e6);
    }
    let tpm = dir.path().join("tpm.tsv");
    write_matrix(&tpm, &data, Orientation::GenesInRows).unwrap();
    let out = dir.path().join("pred.tsv");
    fails(
        rnameta()
            .args(["annotate", "--quiet", "--model"])
            .arg(model())
            .arg(&tpm)
            .arg("-o")
            .arg(&out),
        &["tpm.tsv", "looks like TPM", "expects raw counts"],
    );
    assert_eq!(files_in(dir.path()), ["tpm.tsv"]);
}

/// A file of no samples (a shard whose samples the SRA QC all removed) is skipped with a note,
/// and the other inputs are annotated.
#[test]
fn a_file_without_samples_is_skipped_with_a_note() {
    let dir = tempfile::tempdir().unwrap();
    let data = counts();
    let empty = dir.path().join("empty.parquet");
    rnameta_io::parquet::write_dataset(&empty, &data.select_samples(&[]).unwrap()).unwrap();
    let out = dir.path().join("pred.tsv");
    let run = rnameta()
        .args(["annotate", "--model"])
        .arg(model())
        .arg(&empty)
        .arg(fixture(COUNTS))
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    assert!(
        stderr.contains(&format!("note: {}: no samples, skipped", empty.display())),
        "{stderr}"
    );
    let rows = std::fs::read_to_string(&out).unwrap().lines().count();
    assert_eq!(rows, 1 + data.n_samples());
}

#[test]
fn a_file_missing_most_model_genes_is_refused_naming_how_many() {
    let dir = tempfile::tempdir().unwrap();
    let data = counts();
    // Keep every tenth gene: 90 % of the model's (and of all) genes are missing.
    let keep: Vec<usize> = (0..data.n_genes()).step_by(10).collect();
    let genes = GeneAnnotation::new(
        keep.iter()
            .map(|&j| data.genes().genes()[j].clone())
            .collect(),
    )
    .unwrap();
    let part = Dataset::new(
        data.counts().select(Axis(1), &keep),
        genes,
        data.samples().to_vec(),
    )
    .unwrap();
    let path = dir.path().join("few_genes.tsv");
    write_matrix(&path, &part, Orientation::GenesInRows).unwrap();
    let out = dir.path().join("pred.parquet");
    let line = fails(
        rnameta()
            .args(["annotate", "--quiet", "--model"])
            .arg(model())
            .arg(&path)
            .arg("-o")
            .arg(&out),
        &["few_genes.tsv", "of the 333 genes of the model are missing"],
    );
    assert!(line.contains("missing"), "{line}");
    assert_eq!(files_in(dir.path()), ["few_genes.tsv"]);
}

fn corrupt_copy(truncate: &str, dir: &Path) -> PathBuf {
    let bundle = dir.join("bundle");
    std::fs::create_dir(&bundle).unwrap();
    for f in ["manifest.json", "model.safetensors"] {
        std::fs::copy(model().join(f), bundle.join(f)).unwrap();
    }
    let bytes = std::fs::read(bundle.join(truncate)).unwrap();
    std::fs::write(bundle.join(truncate), &bytes[..bytes.len() / 2]).unwrap();
    bundle
}

#[test]
fn a_truncated_bundle_is_refused() {
    for file in ["model.safetensors", "manifest.json"] {
        let dir = tempfile::tempdir().unwrap();
        let bundle = corrupt_copy(file, dir.path());
        let out = dir.path().join("pred.tsv");
        fails(
            rnameta()
                .args(["annotate", "--quiet", "--model"])
                .arg(&bundle)
                .arg(fixture(COUNTS))
                .arg("-o")
                .arg(&out),
            &["loading the model bundle", file],
        );
        assert_eq!(files_in(dir.path()), ["bundle"]);
        fails(
            rnameta()
                .args(["evaluate", "--quiet", "--model"])
                .arg(&bundle)
                .arg(fixture(COUNTS)),
            &[file],
        );
    }
}

#[test]
fn an_unknown_task_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = rnameta()
        .args([
            "train",
            "--task",
            "age",
            "--model",
            "lin",
            "--source-domain",
        ])
        .arg(fixture(COUNTS))
        .arg("-o")
        .arg(dir.path().join("m"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("invalid value 'age'"), "{stderr}");
    assert!(
        stderr.contains("tissue") && stderr.contains("sex"),
        "{stderr}"
    );
    assert!(files_in(dir.path()).is_empty());
}

#[test]
fn an_output_in_a_missing_folder_is_refused_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("no/such/folder/pred.tsv");
    fails(
        rnameta()
            .args(["annotate", "--quiet", "--model"])
            .arg(model())
            .arg(fixture(COUNTS))
            .arg("-o")
            .arg(&out),
        &["does not exist"],
    );
    fails(
        rnameta()
            .args([
                "train",
                "--task",
                "sex",
                "--model",
                "lin",
                "--source-domain",
            ])
            .arg(fixture(COUNTS))
            .arg("-o")
            .arg(dir.path().join("missing/model")),
        &["does not exist"],
    );
    assert!(files_in(dir.path()).is_empty());
}

#[test]
fn training_without_labels_or_with_da_alone_says_why() {
    let dir = tempfile::tempdir().unwrap();
    fails(
        rnameta()
            .args([
                "train",
                "--task",
                "sex",
                "--model",
                "lin",
                "--source-domain",
            ])
            .arg(fixture(COUNTS))
            .arg("-o")
            .arg(dir.path().join("m")),
        &["no sample has a sex label", "--labels"],
    );
    fails(
        rnameta()
            .args(["train", "--task", "sex", "--model", "da", "--source-domain"])
            .arg(fixture(COUNTS))
            .arg("-o")
            .arg(dir.path().join("m")),
        &["--bias-domain"],
    );
    // A label table whose only tissue is one class: a classifier needs two.
    let labels = dir.path().join("labels.tsv");
    let data = counts();
    let mut text = String::from("sample_id\ttissue\n");
    for s in data.samples() {
        text.push_str(&format!("{}\tblood\n", s.sample_id));
    }
    std::fs::write(&labels, text).unwrap();
    fails(
        rnameta()
            .args([
                "train",
                "--task",
                "tissue",
                "--model",
                "lin",
                "--source-domain",
            ])
            .arg(fixture(COUNTS))
            .arg("--labels")
            .arg(&labels)
            .arg("-o")
            .arg(dir.path().join("m")),
        &["only one tissue class (blood)"],
    );
    assert_eq!(files_in(dir.path()), ["labels.tsv"]);
}
