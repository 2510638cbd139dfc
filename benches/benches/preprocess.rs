//! Benchmarks of rnameta-preprocess at ARCHS4-like scale: quantile normalisation (fit the
//! reference and transform, as `qnorm.quantile_normalize` does in one call) and the per-gene Gini
//! coefficient, on 10,000 samples x 20,000 genes of log counts.
//!
//! The data are generated identically by `benches/peers/qnorm_gini.py` (same shapes, same seed,
//! same counter-based hash), which times the Python peers: `qnorm`, a plain numpy argsort
//! quantile normalisation, and a numpy Gini.
//!
//! `cargo bench -p rnameta-benches --bench preprocess` (sizes: `RNAMETA_BENCH_SAMPLES`,
//! `RNAMETA_BENCH_GENES`).

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use ndarray::Array2;
use rnameta_preprocess::check::Names;
use rnameta_preprocess::gini::gini_per_gene;
use rnameta_preprocess::quantile::QuantileReference;

const SEED: u64 = 42;

/// SplitMix64's finaliser: the same 64-bit mix in numpy (`qnorm_gini.py::mix`).
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Log counts: gene g has a depth of `bits_g` in 1..=20 bits; the count of sample s is
/// `(h >> (64 - bits_g)) >> (h & 15)` with `h = mix(s * genes + g + seed * golden)`, and the value
/// is `ln(1 + count)` as f32. Many zeros and ties, as in real data.
fn log_counts(samples: usize, genes: usize, seed: u64) -> Array2<f32> {
    let bits: Vec<u64> = (0..genes as u64)
        .map(|g| 1 + mix(g.wrapping_add(0xD1B5_4A32_D192_ED03u64.wrapping_mul(seed + 1))) % 20)
        .collect();
    Array2::from_shape_fn((samples, genes), |(s, g)| {
        let i = (s * genes + g) as u64;
        let h = mix(i.wrapping_add(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15)));
        let count = (h >> (64 - bits[g])) >> (h & 15);
        (count as f64).ln_1p() as f32
    })
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn bench(c: &mut Criterion) {
    let samples = env_usize("RNAMETA_BENCH_SAMPLES", 10_000);
    let genes = env_usize("RNAMETA_BENCH_GENES", 20_000);
    let x = log_counts(samples, genes, SEED);
    let mut group = c.benchmark_group(format!("preprocess_{samples}x{genes}"));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    group.bench_function("quantile_fit_transform", |b| {
        b.iter(|| black_box(QuantileReference::fit_transform(black_box(x.view())).unwrap()))
    });
    let fitted = QuantileReference::fit(x.view()).unwrap();
    group.bench_function("quantile_fit", |b| {
        b.iter(|| black_box(QuantileReference::fit(black_box(x.view())).unwrap()))
    });
    group.bench_function("quantile_transform", |b| {
        b.iter(|| black_box(fitted.transform(black_box(x.view())).unwrap()))
    });
    group.bench_function("gini_per_gene", |b| {
        b.iter(|| black_box(gini_per_gene(black_box(x.view()), Names::Positions).unwrap()))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
