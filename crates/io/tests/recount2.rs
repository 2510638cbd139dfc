//! recount2 `counts_gene.tsv.gz` tables: layout, round trip and bad input.

mod common;

use common::{assert_names, write_text};
use std::io::Write;
use std::path::Path;

use ndarray::array;
use rnameta_core::{DataSource, Dataset, GeneAnnotation, GeneInfo, SampleMeta};
use rnameta_io::recount2::{read_counts_gene, write_counts_gene};
use rnameta_io::{Error, ErrorKind};

fn read_err(dir: &Path, name: &str, text: &str) -> Error {
    read_counts_gene(&write_text(dir, name, text)).expect_err("bad input must be refused")
}

const HEADER: &str = "SRR1\tSRR2\tgene_id\n";

#[test]
fn gene_id_is_the_last_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_text(
        dir.path(),
        "counts_gene.tsv",
        "SRR2071346\tSRR2071347\tgene_id\n30\t0\tENSG00000000003.14\n1e3\t12.5\tENSG00000000005.5\n",
    );
    let ds = read_counts_gene(&path).unwrap();
    assert_eq!(ds.counts(), &array![[30.0f32, 1000.0], [0.0, 12.5]]);
    let ids: Vec<&str> = ds.genes().ids().collect();
    assert_eq!(ids, ["ENSG00000000003", "ENSG00000000005"]);
    assert_eq!(
        ds.genes().get(1).unwrap().source_id.as_deref(),
        Some("ENSG00000000005.5")
    );
    assert_eq!(ds.samples()[0].sample_id, "SRR2071346");
    assert_eq!(ds.samples()[0].run.as_deref(), Some("SRR2071346"));
    // gene_id first reads the same.
    let first = write_text(
        dir.path(),
        "first.tsv",
        "gene_id\tSRR2071346\tSRR2071347\nENSG00000000003.14\t30\t0\nENSG00000000005.5\t1e3\t12.5\n",
    );
    assert_eq!(read_counts_gene(&first).unwrap(), ds);
}

#[test]
fn counts_gene_round_trip_plain_and_gzip() {
    let dir = tempfile::tempdir().unwrap();
    let genes = GeneAnnotation::new(vec![
        GeneInfo::from_id("ENSG00000000003.14"),
        GeneInfo::from_id("ENSG00000000005.5"),
        GeneInfo::from_id("ENSG00000002586.18_PAR_Y"),
    ])
    .unwrap();
    let samples = ["SRR1", "SRR2"]
        .iter()
        .map(|id| {
            let mut s = SampleMeta::new(*id, DataSource::Other);
            s.run = Some((*id).to_owned());
            s
        })
        .collect();
    let ds = Dataset::new(
        array![[0.0, 1.5, 16_777_216.0], [3.0e-7, 12.0, 0.1]],
        genes,
        samples,
    )
    .unwrap();
    for name in ["counts_gene.tsv.gz", "counts_gene.tsv"] {
        let path = dir.path().join(name);
        write_counts_gene(&path, &ds).unwrap();
        assert_eq!(read_counts_gene(&path).unwrap(), ds, "{name}");
    }
    let text = std::fs::read_to_string(dir.path().join("counts_gene.tsv")).unwrap();
    assert!(
        text.starts_with("SRR1\tSRR2\tgene_id\n0\t0.0000003\tENSG00000000003.14\n"),
        "{text}"
    );
}

#[test]
fn writer_refuses_values_the_reader_would_refuse() {
    let dir = tempfile::tempdir().unwrap();
    let genes = GeneAnnotation::new(vec![GeneInfo::from_id("ENSG1")]).unwrap();
    let ds = Dataset::new(
        array![[-1.0]],
        genes,
        vec![SampleMeta::new("S", DataSource::Other)],
    )
    .unwrap();
    let err = write_counts_gene(&dir.path().join("neg.tsv"), &ds).unwrap_err();
    assert_names(&err, "neg.tsv", "(sample S)");
    assert!(!dir.path().join("neg.tsv").exists());
}

#[test]
fn truncated_gzip() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = HEADER.to_owned();
    for i in 0..5000 {
        text.push_str(&format!("{}\t{}\tENSG{i:011}.1\n", i * 3, i * 11));
    }
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(text.as_bytes()).unwrap();
    let bytes = enc.finish().unwrap();
    let path = dir.path().join("cut_counts_gene.tsv.gz");
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    let err = read_counts_gene(&path).unwrap_err();
    assert!(matches!(err.kind, ErrorKind::TruncatedGzip(_)), "{err}");
    assert_names(&err, "cut_counts_gene.tsv.gz", ":");
}

#[test]
fn ragged_row() {
    let dir = tempfile::tempdir().unwrap();
    let err = read_err(
        dir.path(),
        "ragged.tsv",
        &format!("{HEADER}1\t2\tENSG1.1\n3\tENSG2.1\n"),
    );
    assert!(
        matches!(
            err.kind,
            ErrorKind::Ragged {
                expected: 3,
                found: 2
            }
        ),
        "{err}"
    );
    assert_names(&err, "ragged.tsv", ":3");
}

#[test]
fn non_numeric_count() {
    let dir = tempfile::tempdir().unwrap();
    let err = read_err(
        dir.path(),
        "text.tsv",
        &format!("{HEADER}1\tlots\tENSG1.1\n"),
    );
    assert!(matches!(err.kind, ErrorKind::NotNumeric { .. }), "{err}");
    assert_names(&err, "text.tsv", ":2");
}

#[test]
fn negative_count() {
    let dir = tempfile::tempdir().unwrap();
    let err = read_err(
        dir.path(),
        "neg.tsv",
        &format!("{HEADER}1\t2\tENSG1.1\n-4\t2\tENSG2.1\n"),
    );
    assert!(matches!(err.kind, ErrorKind::NegativeCount { .. }), "{err}");
    assert_names(&err, "neg.tsv", ":3");
}

#[test]
fn nan_count() {
    let dir = tempfile::tempdir().unwrap();
    let err = read_err(dir.path(), "nan.tsv", &format!("{HEADER}NaN\t2\tENSG1.1\n"));
    assert!(matches!(err.kind, ErrorKind::NotFinite { .. }), "{err}");
    assert_names(&err, "nan.tsv", ":2");
}

#[test]
fn duplicate_gene() {
    let dir = tempfile::tempdir().unwrap();
    let err = read_err(
        dir.path(),
        "dup.tsv",
        &format!("{HEADER}1\t2\tENSG1.1\n3\t4\tENSG1.1\n"),
    );
    assert!(
        matches!(&err.kind, ErrorKind::DuplicateGene { first, .. } if first == "line 2"),
        "{err}"
    );
    assert_names(&err, "dup.tsv", ":3");
    let err = read_err(
        dir.path(),
        "dupv.tsv",
        &format!("{HEADER}1\t2\tENSG1.1\n3\t4\tENSG1.2\n"),
    );
    assert!(matches!(err.kind, ErrorKind::DuplicateGene { .. }), "{err}");
    assert_names(&err, "dupv.tsv", ":3");
}

#[test]
fn duplicate_sample() {
    let dir = tempfile::tempdir().unwrap();
    let err = read_err(
        dir.path(),
        "dups.tsv",
        "SRR1\tSRR1\tgene_id\n1\t2\tENSG1.1\n",
    );
    assert!(
        matches!(&err.kind, ErrorKind::DuplicateSample { id } if id == "SRR1"),
        "{err}"
    );
    assert_names(&err, "dups.tsv", ":1");
}

#[test]
fn missing_header() {
    let dir = tempfile::tempdir().unwrap();
    let err = read_err(dir.path(), "nohead.tsv", "1\t2\tENSG1.1\n3\t4\tENSG2.1\n");
    assert!(matches!(err.kind, ErrorKind::MissingHeader { .. }), "{err}");
    assert_names(&err, "nohead.tsv", ":1");
}

#[test]
fn empty_file() {
    let dir = tempfile::tempdir().unwrap();
    let err = read_err(dir.path(), "empty.tsv", "");
    assert!(matches!(err.kind, ErrorKind::Empty), "{err}");
    assert_names(&err, "empty.tsv", "empty");
}
