//! A plain matrix is read once, with any finite value allowed, and that gives exactly what the
//! old reader gave: read as counts, and again with any finite value after a negative count.

use std::path::Path;

use rnameta_core::Dataset;
use rnameta_data::read_plain_matrix;
use rnameta_io::numeric::ValuePolicy;
use rnameta_io::tsv::{self, MatrixOptions, Orientation};
use rnameta_io::ErrorKind;

/// The reader as it was (crates/cli/src/input.rs before this crate).
fn read_twice(path: &Path, orientation: Orientation) -> Result<Dataset, rnameta_io::Error> {
    let options = MatrixOptions {
        orientation,
        ..MatrixOptions::genes_in_rows()
    };
    tsv::read_matrix(path, options).or_else(|err| match err.kind {
        ErrorKind::NegativeCount { .. } => tsv::read_matrix(
            path,
            MatrixOptions {
                policy: ValuePolicy::AnyFinite,
                ..options
            },
        ),
        _ => Err(err),
    })
}

#[test]
fn one_read_gives_what_the_two_reads_gave() {
    let cases = [
        ("counts", "gene_id\tS1\tS2\nG1\t1\t2\nG2\t3\t4\n"),
        ("fractional", "gene_id\tS1\tS2\nG1\t1.5\t2\nG2\t0\t4.25\n"),
        ("z-scores", "gene_id\tS1\tS2\nG1\t-1.5\t2\nG2\t0.3\t-0.25\n"),
        ("negative zero", "gene_id\tS1\tS2\nG1\t-0\t2\nG2\t3\t4\n"),
        (
            "negative then NA",
            "gene_id\tS1\tS2\nG1\t-1\t2\nG2\tNA\t4\n",
        ),
        (
            "NA then negative",
            "gene_id\tS1\tS2\nG1\tNA\t2\nG2\t-1\t4\n",
        ),
        (
            "negative then text",
            "gene_id\tS1\tS2\nG1\t-1\t2\nG2\tx\t4\n",
        ),
        (
            "negative then ragged",
            "gene_id\tS1\tS2\nG1\t-1\t2\nG2\t4\n",
        ),
        (
            "negative then huge",
            "gene_id\tS1\tS2\nG1\t-1\t2\nG2\t1e300\t4\n",
        ),
        (
            "huge negative",
            "gene_id\tS1\tS2\nG1\t-1e300\t2\nG2\t3\t4\n",
        ),
        (
            "negative then duplicate",
            "gene_id\tS1\tS2\nG1\t-1\t2\nG1\t3\t4\n",
        ),
        ("inf", "gene_id\tS1\tS2\nG1\t-inf\t2\nG2\t3\t4\n"),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in cases {
        let path = dir.path().join(format!("{}.tsv", name.replace(' ', "_")));
        std::fs::write(&path, text).unwrap();
        let old = read_twice(&path, Orientation::GenesInRows);
        let new = read_plain_matrix(&path, Orientation::GenesInRows);
        match (old, new) {
            (Ok(old), Ok(new)) => assert_eq!(old, new, "{name}"),
            (Err(old), Err(new)) => assert_eq!(old.to_string(), new.to_string(), "{name}"),
            (old, new) => panic!("{name}: before {old:?}, now {new:?}"),
        }
    }
}

#[test]
fn the_real_counts_read_the_same_in_both_orientations() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/real");
    let dir = tempfile::tempdir().unwrap();
    let counts = read_twice(
        &fixtures.join("gtex_lung30_chr21_counts.tsv.gz"),
        Orientation::GenesInRows,
    )
    .unwrap();
    let mut z = counts.clone();
    z.counts_mut().mapv_inplace(|v| (v - 500.0) / 300.0);
    for (name, data) in [("counts", &counts), ("z", &z)] {
        for orientation in [Orientation::GenesInRows, Orientation::SamplesInRows] {
            let path = dir.path().join(format!("{name}-{orientation:?}.tsv"));
            tsv::write_matrix(&path, data, orientation).unwrap();
            assert_eq!(
                read_twice(&path, orientation).unwrap(),
                read_plain_matrix(&path, orientation).unwrap(),
                "{name} {orientation:?}"
            );
        }
    }
}
