//! `rnameta inspect` end to end: every shipped real fixture, every other supported format written
//! from real data by rnameta-io's writers, JSON output, and the exit codes for bad input and usage.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use rnameta_core::{DataSource, Sex};
use rnameta_io::recount3::{self, GeneSums, GeneSumsHeader, Recount3Table};
use rnameta_io::tsv::{self, MatrixOptions};
use rnameta_io::{gtex, parquet, recount2};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/real")
        .join(name)
}

fn rnameta() -> Command {
    Command::cargo_bin("rnameta").expect("the rnameta binary is built")
}

/// Runs `inspect --json` on one file and returns its JSON object.
fn inspect_json(path: &Path) -> serde_json::Value {
    let out = rnameta()
        .args(["inspect", "--json"])
        .arg(path)
        .assert()
        .success();
    let text = String::from_utf8(out.get_output().stdout.clone()).expect("UTF-8 output");
    serde_json::from_str(text.trim()).expect("one JSON object")
}

#[test]
fn inspects_every_real_fixture() {
    let expected: [(&str, &str, Option<u64>, Option<u64>); 9] = [
        (
            "ensembl100_grch38_genes.tsv.gz",
            "gene annotation table",
            None,
            Some(67_149),
        ),
        (
            "gencode.v26.annotation.chr21.gtf.gz",
            "GTF gene annotation",
            None,
            Some(837),
        ),
        (
            "geuvadis_archs4_layout.h5",
            "ARCHS4 HDF5",
            Some(85),
            Some(10_012),
        ),
        (
            "geuvadis_humanGender_counts.tsv.gz",
            "TSV/CSV matrix, genes in rows",
            Some(85),
            Some(10_101),
        ),
        (
            "geuvadis_humanGender_samples.tsv.gz",
            "sample label table",
            Some(85),
            None,
        ),
        (
            "gtex_lung30_chr21_counts.tsv.gz",
            "TSV/CSV matrix, genes in rows",
            Some(30),
            Some(818),
        ),
        (
            "gtex_lung30_samples.tsv.gz",
            "sample label table",
            Some(30),
            None,
        ),
        (
            "marioni_gene_annot.tsv.gz",
            "gene annotation table",
            None,
            Some(5_088),
        ),
        (
            "marioni_kidney_liver_counts.tsv.gz",
            "TSV/CSV matrix, genes in rows",
            Some(10),
            Some(5_088),
        ),
    ];
    for (file, format, samples, genes) in expected {
        let found = inspect_json(&fixture(file));
        assert_eq!(found["format"], format, "{file}");
        assert_eq!(found["samples"].as_u64(), samples, "{file}");
        assert_eq!(found["genes"].as_u64(), genes, "{file}");
    }
    let archs4 = inspect_json(&fixture("geuvadis_archs4_layout.h5"));
    assert_eq!(archs4["value_kind"], "IntegerCounts");
    assert_eq!(archs4["gene_id_kind"], "Ensembl");
    assert!(archs4["label_fields"]
        .as_array()
        .unwrap()
        .contains(&"sex: 85/85".into()));
    let gtex = inspect_json(&fixture("gtex_lung30_chr21_counts.tsv.gz"));
    assert_eq!(gtex["gene_id_kind"], "EnsemblVersioned");
}

#[test]
fn inspects_a_directory_skipping_unknown_files() {
    rnameta()
        .args(["inspect"])
        .arg(fixture(""))
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "README.md: skipped (not a recognised format:",
        ))
        .stdout(predicate::str::contains(
            "geuvadis_archs4_layout.h5\n  format:        ARCHS4 HDF5",
        ))
        .stdout(predicate::str::contains("label fields:  sex: 85/85"));
    rnameta()
        .args(["inspect"])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/metasra"))
        .assert()
        .success()
        .stdout(predicate::str::contains("MetaSRA JSON"));
}

/// Writes the real GTEx lung slice in every other format rnameta reads, then inspects each file.
#[test]
fn inspects_every_other_format_written_from_real_data() {
    let mut lung = tsv::read_matrix(
        &fixture("gtex_lung30_chr21_counts.tsv.gz"),
        MatrixOptions::genes_in_rows(),
    )
    .unwrap();
    for (i, sample) in lung.samples_mut().iter_mut().enumerate() {
        sample.data_source = DataSource::Gtex;
        sample.tissue = Some("Lung".into());
        sample.study = Some("GTEx".into());
        // Alternating sex stands in for the real phenotypes, which are access-controlled.
        sample.sex = Some(if i % 2 == 0 { Sex::Male } else { Sex::Female });
    }
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name);

    rnameta_io::gct::write(&path("lung.gct.gz"), &lung).unwrap();
    recount2::write_counts_gene(&path("counts_gene.tsv.gz"), &lung).unwrap();
    parquet::write_dataset(&path("lung.parquet"), &lung).unwrap();
    tsv::write_matrix(
        &path("lung_samples_in_rows.csv"),
        &lung,
        tsv::Orientation::SamplesInRows,
    )
    .unwrap();
    let sums = GeneSums::new(
        GeneSumsHeader {
            annotation: "G026".into(),
            date_generated: "2020-01-01".into(),
        },
        lung.genes().clone(),
        lung.samples().to_vec(),
        lung.counts().mapv(|v| f64::from(v) * 76.0),
    )
    .unwrap();
    recount3::write_gene_sums(&path("gtex.gene_sums.LUNG.G026.gz"), &sums).unwrap();
    let gtex_table = recount3::table_from_samples(Recount3Table::Gtex, lung.samples()).unwrap();
    recount3::write_metadata_table(&path("gtex.gtex.LUNG.MD.gz"), &gtex_table).unwrap();
    gtex::write_sample_attributes(
        &path("SampleAttributesDS.txt"),
        &gtex::sample_attributes_table(lung.samples()).unwrap(),
    )
    .unwrap();
    gtex::write_subject_phenotypes(
        &path("SubjectPhenotypesDS.txt"),
        &gtex::subject_phenotypes_table(lung.samples()).unwrap(),
    )
    .unwrap();
    let predictions = parquet::PredictionTable {
        classes: vec!["Lung".into(), "Liver".into()],
        rows: vec![parquet::Prediction {
            sample_id: "GTEX-111CU-0326-SM-5GZXO".into(),
            predicted: "Lung".into(),
            max_probability: 0.9,
            probabilities: vec![0.9, 0.1],
        }],
    };
    parquet::write_predictions(&path("predictions.parquet"), &predictions).unwrap();

    let expect: [(&str, &str, Option<u64>, Option<u64>); 9] = [
        ("lung.gct.gz", "GTEx GCT 1.2", Some(30), Some(818)),
        (
            "counts_gene.tsv.gz",
            "recount2 gene counts",
            Some(30),
            Some(818),
        ),
        (
            "lung.parquet",
            "Parquet expression matrix",
            Some(30),
            Some(818),
        ),
        (
            "lung_samples_in_rows.csv",
            "TSV/CSV matrix, samples in rows",
            Some(30),
            Some(818),
        ),
        (
            "gtex.gene_sums.LUNG.G026.gz",
            "recount3 gene sums",
            Some(30),
            Some(818),
        ),
        (
            "gtex.gtex.LUNG.MD.gz",
            "recount3 metadata table",
            Some(30),
            None,
        ),
        (
            "SampleAttributesDS.txt",
            "GTEx SampleAttributesDS",
            Some(30),
            None,
        ),
        (
            "SubjectPhenotypesDS.txt",
            "GTEx SubjectPhenotypesDS",
            None,
            None,
        ),
        (
            "predictions.parquet",
            "Parquet prediction table",
            Some(1),
            None,
        ),
    ];
    for (file, format, samples, genes) in expect {
        let found = inspect_json(&path(file));
        assert_eq!(found["format"], format, "{file}: {found}");
        assert_eq!(found["samples"].as_u64(), samples, "{file}");
        assert_eq!(found["genes"].as_u64(), genes, "{file}");
    }
    let metadata = inspect_json(&path("gtex.gtex.LUNG.MD.gz"));
    let labels: Vec<&str> = metadata["label_fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(
        labels.contains(&"tissue: 30/30") && labels.contains(&"sex: 30/30"),
        "{labels:?}"
    );
    let parquet = inspect_json(&path("lung.parquet"));
    assert_eq!(
        parquet["label_fields"].as_array().unwrap().len(),
        3,
        "tissue, sex, study survive Parquet"
    );
}

#[test]
fn a_broken_file_fails_with_its_name_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.tsv");
    std::fs::write(&path, "gene_id\tA\tB\nENSG1\t1\t2\nENSG2\t3\n").unwrap();
    rnameta()
        .args(["inspect"])
        .arg(&path)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!(
            "{}:3: ragged row",
            path.display()
        )));
    let unknown = dir.path().join("notes.txt");
    std::fs::write(&unknown, "just words\n").unwrap();
    rnameta()
        .args(["inspect"])
        .arg(&unknown)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("unrecognised format"));
}

#[test]
fn usage_errors_exit_with_2() {
    rnameta().arg("inspect").assert().code(2);
    rnameta().arg("frobnicate").assert().code(2);
    rnameta()
        .args(["inspect", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("value kind"));
}

/// A reader that stops early (`rnameta inspect DIR | head -1`) ends the command quietly, with no
/// panic message: here the pipe's read end is closed before the command writes anything.
#[test]
fn a_closed_output_pipe_is_not_a_crash() {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("rnameta"))
        .args(["inspect"])
        .arg(fixture(""))
        .stdout(writer)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{}: {stderr}", out.status);
    assert!(!stderr.contains("panicked"), "{stderr}");
}
