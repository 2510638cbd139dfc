//! Preprocessing at ARCHS4-like scale, 10,000 samples x 20,000 genes: TPM of counts, quantile
//! normalisation of log counts (fit the reference and transform, as `qnorm.quantile_normalize`
//! does in one call; also each half), and the per-gene Gini coefficient. Peers (numpy, qnorm) in
//! `benches/peers/qnorm_gini.py` read the same matrices from `target/bench-data`.
//!
//! `cargo bench -p rnameta-benches --bench preprocess` (sizes: `RNAMETA_BENCH_SAMPLES`,
//! `RNAMETA_BENCH_GENES`; the peers only have the default size).

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, SamplingMode};
use rnameta_benches::{counts, env_usize, gene_lengths, log_counts, PREPROCESS_SEED};
use rnameta_preprocess::check::Names;
use rnameta_preprocess::gini::gini_per_gene;
use rnameta_preprocess::quantile::QuantileReference;
use rnameta_preprocess::scale::tpm_inplace;

fn bench(c: &mut Criterion) {
    let samples = env_usize("RNAMETA_BENCH_SAMPLES", 10_000);
    let genes = env_usize("RNAMETA_BENCH_GENES", 20_000);
    let shape = format!("{samples}x{genes}");
    let mut group = c.benchmark_group("preprocess");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .measurement_time(Duration::from_secs(15));

    let raw = counts(samples, genes, PREPROCESS_SEED);
    let lengths: Vec<f32> = gene_lengths(genes, PREPROCESS_SEED)
        .iter()
        .map(|&l| l as f32)
        .collect();
    group.bench_function(format!("tpm_{shape}"), |b| {
        b.iter_batched_ref(
            || raw.clone(),
            |x| tpm_inplace(x.view_mut(), &lengths, Names::Positions).unwrap(),
            BatchSize::PerIteration,
        )
    });
    drop(raw);

    let x = log_counts(samples, genes, PREPROCESS_SEED);
    group.bench_function(format!("quantile_fit_transform_{shape}"), |b| {
        b.iter(|| black_box(QuantileReference::fit_transform(black_box(x.view())).unwrap()))
    });
    let fitted = QuantileReference::fit(x.view()).unwrap();
    group.bench_function(format!("quantile_fit_{shape}"), |b| {
        b.iter(|| black_box(QuantileReference::fit(black_box(x.view())).unwrap()))
    });
    group.bench_function(format!("quantile_transform_{shape}"), |b| {
        b.iter(|| black_box(fitted.transform(black_box(x.view())).unwrap()))
    });
    group.bench_function(format!("gini_per_gene_{shape}"), |b| {
        b.iter(|| black_box(gini_per_gene(black_box(x.view()), Names::Positions).unwrap()))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
