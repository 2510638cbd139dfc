//! Reading expression files: the ARCHS4 HDF5 and recount3 gene sums workloads of
//! `rnameta_benches` (peer: h5py on the same HDF5 file), and the shipped real fixtures (plain
//! gzipped TSV, GTEx GCT, the GEUVADIS ARCHS4-layout file).
//!
//! `cargo bench -p rnameta-benches --bench io` (or `cargo xtask bench io`). The workload files are
//! written to `target/bench-data` the first time.

use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use rnameta_benches::{archs4_file, data_dir, recount3_file, ARCHS4_SHAPE, RECOUNT3_SHAPE};
use rnameta_core::DataSource;
use rnameta_io::archs4::Archs4Reader;
use rnameta_io::recount3::read_gene_sums;
use rnameta_io::tsv::{self, MatrixOptions};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/real")
        .join(name)
}

/// The workloads compared with a peer: one ARCHS4 file read whole and in chunks of 1,024 samples
/// (what `rnameta annotate` does), and one recount3 gene sums file.
fn workloads(c: &mut Criterion) {
    let dir = data_dir();
    let h5 = archs4_file(&dir);
    let gz = recount3_file(&dir);
    let mut g = c.benchmark_group("io");
    g.sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .measurement_time(Duration::from_secs(10));
    let (n, genes) = ARCHS4_SHAPE;
    g.throughput(Throughput::Elements((n * genes) as u64));
    g.bench_function(format!("archs4_read_all_{n}x{genes}"), |b| {
        b.iter(|| {
            Archs4Reader::open(&h5)
                .and_then(|r| r.read_all())
                .expect("reads")
        })
    });
    g.bench_function(format!("archs4_stream_1024_{n}x{genes}"), |b| {
        b.iter(|| {
            let reader = Archs4Reader::open(&h5).expect("opens");
            reader
                .chunks(1024)
                .map(|chunk| chunk.expect("reads").n_samples())
                .sum::<usize>()
        })
    });
    let (n, genes) = RECOUNT3_SHAPE;
    g.throughput(Throughput::Elements((n * genes) as u64));
    g.bench_function(format!("recount3_gz_read_{n}x{genes}"), |b| {
        b.iter(|| read_gene_sums(&gz).expect("reads"))
    });
    g.finish();
}

fn fixtures(c: &mut Criterion) {
    let geuvadis = fixture("geuvadis_humanGender_counts.tsv.gz");
    let data = tsv::read_matrix(&geuvadis, MatrixOptions::genes_in_rows()).expect("fixture reads");
    let cells = (data.n_samples() * data.n_genes()) as u64;
    let dir = tempfile::tempdir().expect("temp dir");
    let gct_path = dir.path().join("geuvadis.gct.gz");
    rnameta_io::gct::write(&gct_path, &data).expect("GCT writes");

    let mut group = c.benchmark_group("io_fixtures");
    group.throughput(Throughput::Elements(cells));
    group.bench_function("tsv_gz_geuvadis_85x10101", |b| {
        b.iter(|| tsv::read_matrix(&geuvadis, MatrixOptions::genes_in_rows()).expect("reads"))
    });
    group.bench_function("gct_gz_geuvadis_85x10101", |b| {
        b.iter(|| rnameta_io::gct::read(&gct_path, DataSource::Gtex).expect("reads"))
    });
    let path = fixture("geuvadis_archs4_layout.h5");
    let reader = Archs4Reader::open(&path).expect("fixture opens");
    group.throughput(Throughput::Elements(
        (reader.n_samples() * reader.n_genes()) as u64,
    ));
    group.bench_function("archs4_open_metadata_geuvadis", |b| {
        b.iter(|| Archs4Reader::open(&path).expect("opens"))
    });
    group.bench_function("archs4_read_all_geuvadis_85x10012", |b| {
        b.iter(|| reader.read_all().expect("reads"))
    });
    group.finish();
}

criterion_group!(benches, workloads, fixtures);
criterion_main!(benches);
