//! Reading the real fixtures: plain gzipped TSV and GTEx GCT (parsing, gzip, transposition).
//!
//! Run with `cargo xtask bench io`. Inputs are the shipped real files, so numbers are comparable
//! across machines; the ARCHS4 HDF5 read is benchmarked on the real GEUVADIS layout.

use std::path::{Path, PathBuf};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rnameta_core::DataSource;
use rnameta_io::tsv::{self, MatrixOptions};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/real")
        .join(name)
}

fn read_text_matrices(c: &mut Criterion) {
    let geuvadis = fixture("geuvadis_humanGender_counts.tsv.gz");
    let data = tsv::read_matrix(&geuvadis, MatrixOptions::genes_in_rows()).expect("fixture reads");
    let cells = (data.n_samples() * data.n_genes()) as u64;
    let dir = tempfile::tempdir().expect("temp dir");
    let gct_path = dir.path().join("geuvadis.gct.gz");
    rnameta_io::gct::write(&gct_path, &data).expect("GCT writes");

    let mut group = c.benchmark_group("read_text_matrix");
    group.throughput(Throughput::Elements(cells));
    group.bench_function("tsv_gz_geuvadis_85x10101", |b| {
        b.iter(|| tsv::read_matrix(&geuvadis, MatrixOptions::genes_in_rows()).expect("reads"))
    });
    group.bench_function("gct_gz_geuvadis_85x10101", |b| {
        b.iter(|| rnameta_io::gct::read(&gct_path, DataSource::Gtex).expect("reads"))
    });
    group.finish();
}

criterion_group!(benches, read_text_matrices);
criterion_main!(benches);
