//! The MLP and DA (dfdx): one MLP epoch on the workload of the user's measurement (7,000 -> 128
//! -> 16 on 10,000 samples, batch 64; peer: PyTorch, `benches/peers/torch_mlp.py`), MLP prediction,
//! and DA on 5,000 source + 5,000 bias samples x 2,000 genes: one phase-1 epoch alone, and one
//! epoch of each phase, whose difference is one phase-2 epoch with semi-hard mining (peer: the
//! published algorithm in TensorFlow, `benches/peers/tf_da.py`); and a whole DA fit (10 + 10
//! epochs, the paper's settings) at the paper's shape: 5,480 source (GTEx) + 1,721 bias (SRA)
//! samples x 6,974 genes, 16 classes (peer: the same algorithm's whole fit in TensorFlow).
//!
//! Data: `rnameta_benches::neural_problem` (the peers read the same matrices from
//! `target/bench-data`).

use std::cell::OnceCell;
use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode};
use rnameta_benches::{labels, meta, neural_problem, DA_PAPER_SHAPE};
use rnameta_models::{Classifier, DaParams, DomainAdaptation, Mlp, MlpParams};

fn neural(c: &mut Criterion) {
    let (x, y) = neural_problem(10_000, 7_000);
    let (l, m) = (labels(&y), meta(10_000, 10_000));
    let mut g = c.benchmark_group("neural");
    g.sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .measurement_time(Duration::from_secs(15));
    g.bench_function("mlp_epoch_10000x7000_16", |b| {
        b.iter(|| {
            let mut mlp = Mlp::new(MlpParams {
                epochs: 1,
                ..MlpParams::default()
            })
            .unwrap();
            mlp.fit(black_box(x.view()), &l, &m).expect("fit");
            mlp
        })
    });
    // Fitted only if the prediction benchmark runs (not filtered out).
    let mlp = OnceCell::new();
    g.bench_function("mlp_predict_10000x7000_16", |b| {
        let mlp = mlp.get_or_init(|| {
            let mut mlp = Mlp::new(MlpParams {
                epochs: 1,
                ..MlpParams::default()
            })
            .unwrap();
            mlp.fit(x.view(), &l, &m).expect("fit");
            mlp
        });
        b.iter(|| mlp.predict_proba(black_box(x.view())).expect("predict"))
    });
    drop((x, mlp));

    let (x, y) = neural_problem(10_000, 2_000);
    let (l, m) = (labels(&y), meta(10_000, 5_000));
    let da = |triplet_epochs: usize| {
        let mut da = DomainAdaptation::new(DaParams {
            epochs: 1,
            triplet_epochs,
            ..DaParams::default()
        })
        .unwrap();
        da.fit(black_box(x.view()), &l, &m).expect("fit");
        da
    };
    g.bench_function("da_phase1_epoch_5000+5000x2000_16", |b| b.iter(|| da(0)));
    g.bench_function("da_phase1_phase2_epoch_5000+5000x2000_16", |b| {
        b.iter(|| da(1))
    });
    let fitted = OnceCell::new();
    g.bench_function("da_predict_10000x2000_16", |b| {
        let fitted = fitted.get_or_init(|| da(1));
        b.iter(|| fitted.predict_proba(black_box(x.view())).expect("predict"))
    });
    drop((x, fitted));

    let (source, bias, genes) = DA_PAPER_SHAPE;
    let (x, y) = neural_problem(source + bias, genes);
    let (l, m) = (labels(&y), meta(source + bias, source));
    g.bench_function("da_fit_5480+1721x6974_16", |b| {
        b.iter(|| {
            let mut da = DomainAdaptation::new(DaParams::default()).unwrap();
            da.fit(black_box(x.view()), &l, &m).expect("fit");
            da
        })
    });
    g.finish();
}

criterion_group!(benches, neural);
criterion_main!(benches);
