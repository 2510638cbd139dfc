//! The MLP and DA on dfdx: the workloads of the user's measurement (MLP 7000 -> 128 -> 16 on
//! 10,000 samples, 10 epochs: PyTorch 8.4 s, dfdx 6.0 s, hand-written ndarray + BLAS 2.9 s on the
//! 2-core machine) and one epoch of DA's two phases with triplet mining.
//!
//! Data: `rnameta_models::synthetic::Synthetic` (deterministic; the Python peers can regenerate
//! it). The full 10-epoch MLP fit is timed once and printed as a JSON line, then criterion
//! measures single-epoch fits.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use rnameta_core::{DataSource, Labels, SampleMeta};
use rnameta_models::synthetic::Synthetic;
use rnameta_models::{Classifier, DaParams, DomainAdaptation, Mlp, MlpParams};

fn problem(n: usize, genes: usize) -> (ndarray::Array2<f32>, Labels) {
    let (x, y) = Synthetic {
        n_samples: n,
        n_features: genes,
        n_classes: 16,
        n_informative: 200,
        separation: 0.5,
        seed: 1,
    }
    .generate();
    let names: Vec<Option<String>> = y.iter().map(|c| Some(format!("c{c:02}"))).collect();
    (x, Labels::from_names(&names))
}

fn meta(n: usize, bias_from: usize) -> Vec<SampleMeta> {
    (0..n)
        .map(|i| {
            let source = if i < bias_from {
                DataSource::Gtex
            } else {
                DataSource::Sra
            };
            let mut m = SampleMeta::new(format!("s{i}"), source);
            m.study = Some(format!("study{}", i % 50));
            m
        })
        .collect()
}

fn neural(c: &mut Criterion) {
    let (x, labels) = problem(10_000, 7_000);
    let m = meta(10_000, 10_000);
    let start = Instant::now();
    let mut mlp = Mlp::new(MlpParams::default());
    mlp.fit(x.view(), &labels, &m).expect("fit");
    eprintln!(
        "{{\"bench\": \"mlp_fit_10000x7000_16_10epochs\", \"impl\": \"rnameta-dfdx\", \"seconds\": {:.2}}}",
        start.elapsed().as_secs_f64()
    );

    let mut g = c.benchmark_group("neural");
    g.sample_size(10).measurement_time(Duration::from_secs(30));
    g.bench_function("mlp_epoch_10000x7000_16", |b| {
        b.iter(|| {
            let mut mlp = Mlp::new(MlpParams {
                epochs: 1,
                ..MlpParams::default()
            });
            mlp.fit(black_box(x.view()), &labels, &m).expect("fit");
            mlp
        })
    });
    g.bench_function("mlp_predict_10000x7000_16", |b| {
        b.iter(|| mlp.predict_proba(black_box(x.view())).expect("predict"))
    });

    // DA: 5,000 source + 5,000 bias samples x 2,000 genes, one epoch of each phase (phase 2 mines
    // semi-hard negatives over a 5,000 x 5,000 distance matrix).
    let (x, labels) = problem(10_000, 2_000);
    let m = meta(10_000, 5_000);
    g.bench_function("da_one_epoch_each_phase_5000+5000x2000_16", |b| {
        b.iter(|| {
            let mut da = DomainAdaptation::new(DaParams {
                epochs: 1,
                triplet_epochs: 1,
                ..DaParams::default()
            });
            da.fit(black_box(x.view()), &labels, &m).expect("fit");
            da
        })
    });
    g.finish();
}

criterion_group!(benches, neural);
criterion_main!(benches);
