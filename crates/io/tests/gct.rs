//! GTEx GCT: the real GTEx lung chr21 counts written as GCT and read back, and broken GCT files.

mod common;

use common::{fixture, write_text};
use std::path::Path;

use rnameta_core::DataSource;
use rnameta_io::tsv::{self, MatrixOptions};
use rnameta_io::{gct, Error, ErrorKind, Location};

fn read(path: &Path) -> Result<rnameta_core::Dataset, Error> {
    gct::read(path, DataSource::Gtex)
}

fn assert_at_line(err: &Error, path: &Path, line: u64) {
    assert_eq!(err.location, Location::Line(line), "{err}");
    let msg = err.to_string();
    assert!(
        msg.contains(&format!("{}:{line}:", path.display())),
        "{msg}"
    );
}

/// A valid 2-gene, 2-sample GCT with `row` replacing the second gene's line.
fn gct_with_row(row: &str) -> String {
    format!("#1.2\n2\t2\nName\tDescription\tS1\tS2\nENSG1.1\tA\t1\t2\n{row}\n")
}

#[test]
fn real_gtex_lung_round_trips_through_gct() {
    let tsv_data = tsv::read_matrix(
        &fixture("gtex_lung30_chr21_counts.tsv.gz"),
        MatrixOptions::genes_in_rows(),
    )
    .unwrap();
    assert_eq!((tsv_data.n_samples(), tsv_data.n_genes()), (30, 818));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lung.gct.gz");
    gct::write(&path, &tsv_data).unwrap();
    let back = read(&path).unwrap();
    assert_eq!(back.counts(), tsv_data.counts(), "identical matrix");
    let ids = |d: &rnameta_core::Dataset| {
        d.genes()
            .genes()
            .iter()
            .map(|g| (g.id.clone(), g.source_id.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&back), ids(&tsv_data));
    let samples = |d: &rnameta_core::Dataset| {
        d.samples()
            .iter()
            .map(|s| s.sample_id.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(samples(&back), samples(&tsv_data));
    assert!(back
        .samples()
        .iter()
        .all(|s| s.data_source == DataSource::Gtex));
    // Written as GTEx does: versioned Name, dims line matching.
    let text = {
        use std::io::Read;
        let mut s = String::new();
        flate2::read::GzDecoder::new(std::fs::File::open(&path).unwrap())
            .read_to_string(&mut s)
            .unwrap();
        s
    };
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("#1.2"));
    assert_eq!(lines.next(), Some("818\t30"));
    assert!(lines
        .nth(1)
        .unwrap()
        .starts_with("ENSG00000141956.13\tENSG00000141956.13\t871\t852"));
}

#[test]
fn wrong_dims_line_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let genes = write_text(
        dir.path(),
        "g.gct",
        "#1.2\n3\t2\nName\tDescription\tS1\tS2\nENSG1\tA\t1\t2\nENSG2\tB\t3\t4\n",
    );
    let err = read(&genes).unwrap_err();
    assert!(
        matches!(&err.kind, ErrorKind::BadHeader(m) if m.contains("3 genes")),
        "{err}"
    );
    assert_at_line(&err, &genes, 2);
    let samples = write_text(
        dir.path(),
        "s.gct",
        "#1.2\n2\t3\nName\tDescription\tS1\tS2\nENSG1\tA\t1\t2\nENSG2\tB\t3\t4\n",
    );
    let err = read(&samples).unwrap_err();
    assert!(
        matches!(&err.kind, ErrorKind::BadHeader(m) if m.contains("3 samples")),
        "{err}"
    );
    let garbage = write_text(
        dir.path(),
        "x.gct",
        "#1.2\ntwo by two\nName\tDescription\tS1\tS2\n",
    );
    let err = read(&garbage).unwrap_err();
    assert_at_line(&err, &garbage, 2);
}

#[test]
fn missing_header_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let no_version = write_text(dir.path(), "a.gct", "2\t2\nName\tDescription\tS1\tS2\n");
    let err = read(&no_version).unwrap_err();
    assert!(matches!(err.kind, ErrorKind::MissingHeader { .. }), "{err}");
    assert_at_line(&err, &no_version, 1);
    let no_names = write_text(dir.path(), "b.gct", "#1.2\n1\t2\nENSG1\tA\t1\t2\n");
    let err = read(&no_names).unwrap_err();
    assert!(matches!(err.kind, ErrorKind::MissingHeader { .. }), "{err}");
    assert_at_line(&err, &no_names, 3);
}

#[test]
fn empty_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_text(dir.path(), "e.gct", "");
    assert!(matches!(read(&path).unwrap_err().kind, ErrorKind::Empty));
}

#[test]
fn truncated_gzip_is_refused() {
    let data = tsv::read_matrix(
        &fixture("gtex_lung30_chr21_counts.tsv.gz"),
        MatrixOptions::genes_in_rows(),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("full.gct.gz");
    gct::write(&path, &data).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let cut = dir.path().join("cut.gct.gz");
    std::fs::write(&cut, &bytes[..bytes.len() * 2 / 3]).unwrap();
    let err = read(&cut).unwrap_err();
    assert!(matches!(err.kind, ErrorKind::TruncatedGzip(_)), "{err}");
    assert!(err.to_string().contains("cut.gct.gz"));
}

/// A check of the error kind a bad row must give.
type ExpectedKind = fn(&ErrorKind) -> bool;

#[test]
fn bad_rows_are_refused_with_their_line() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, ExpectedKind); 5] = [
        ("ENSG2.1\tB\t3", |k| {
            matches!(
                k,
                ErrorKind::Ragged {
                    expected: 4,
                    found: 3
                }
            )
        }),
        ("ENSG2.1\tB\t3\tx", |k| {
            matches!(k, ErrorKind::NotNumeric { .. })
        }),
        ("ENSG2.1\tB\t3\t-4", |k| {
            matches!(k, ErrorKind::NegativeCount { .. })
        }),
        ("ENSG2.1\tB\tnan\t4", |k| {
            matches!(k, ErrorKind::NotFinite { .. })
        }),
        ("ENSG1.1\tB\t3\t4", |k| {
            matches!(k, ErrorKind::DuplicateGene { .. })
        }),
    ];
    for (i, (row, expected)) in cases.iter().enumerate() {
        let path = write_text(dir.path(), &format!("c{i}.gct"), &gct_with_row(row));
        let err = read(&path).unwrap_err();
        assert!(expected(&err.kind), "row {row:?}: {err}");
        assert_at_line(&err, &path, 5);
    }
}

#[test]
fn duplicate_sample_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_text(
        dir.path(),
        "d.gct",
        "#1.2\n1\t2\nName\tDescription\tS1\tS1\nENSG1\tA\t1\t2\n",
    );
    let err = read(&path).unwrap_err();
    assert!(
        matches!(&err.kind, ErrorKind::DuplicateSample { id } if id == "S1"),
        "{err}"
    );
    assert_at_line(&err, &path, 3);
}
