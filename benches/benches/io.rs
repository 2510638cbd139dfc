//! Reading the real fixtures: plain gzipped TSV and GTEx GCT (parsing, gzip, transposition).
//!
//! Run with `cargo xtask bench io`. Inputs are the shipped real files, so numbers are comparable
//! across machines; the ARCHS4 HDF5 read is benchmarked on the real GEUVADIS layout.

use std::path::{Path, PathBuf};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rnameta_core::DataSource;
use rnameta_io::archs4::Archs4Reader;
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

fn read_archs4(c: &mut Criterion) {
    let path = fixture("geuvadis_archs4_layout.h5");
    let reader = Archs4Reader::open(&path).expect("fixture opens");
    let cells = (reader.n_samples() * reader.n_genes()) as u64;
    let mut group = c.benchmark_group("read_archs4_hdf5");
    group.throughput(Throughput::Elements(cells));
    group.bench_function("open_metadata_geuvadis", |b| {
        b.iter(|| Archs4Reader::open(&path).expect("opens"))
    });
    group.bench_function("read_all_geuvadis_85x10012", |b| {
        b.iter(|| reader.read_all().expect("reads"))
    });
    group.bench_function("stream_chunks_of_16_geuvadis", |b| {
        b.iter(|| {
            reader
                .chunks(16)
                .map(|chunk| chunk.expect("reads").n_samples())
                .sum::<usize>()
        })
    });
    group.finish();
}

criterion_group!(benches, read_text_matrices, read_archs4);
criterion_main!(benches);
