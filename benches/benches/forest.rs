//! Random forest fit and predict on 10,000 x 500 (16 classes, 100 trees): the workload where
//! scikit-learn's `RandomForestClassifier(n_jobs=2)` is the reference
//! (`benches/peers/random_forest.py`, same matrix from `target/bench-data`). The test accuracy is
//! printed once so the speed comparison is made at equal accuracy: both search the same exact
//! splits, and the accuracies agree within the seed-to-seed noise (rnameta 0.7669 +- 0.0034 over
//! seeds 0-9, scikit-learn 0.7679 +- 0.0035).

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode};
use ndarray::s;
use rnameta_benches::{forest_problem, labels, meta};
use rnameta_models::{Classifier, ForestParams, RandomForest};

fn forest(c: &mut Criterion) {
    let (x, y) = forest_problem();
    let h = x.nrows() / 2;
    let train = x.slice(s![..h, ..]);
    let test = x.slice(s![h.., ..]);
    let labels = labels(&y[..h]);
    let meta = meta(h, h);
    // scikit-learn computes no OOB score by default; neither does the benchmarked fit.
    let params = ForestParams {
        oob: false,
        ..ForestParams::default()
    };
    let mut rf = RandomForest::new(params.clone()).unwrap();
    rf.fit(train, &labels, &meta).expect("fit");
    let pred = rf.predict(test).expect("predict");
    let acc = pred.iter().zip(&y[h..]).filter(|(p, c)| p == c).count() as f64 / h as f64;
    eprintln!("forest_fit_10000x500_16: test accuracy {acc:.4} (forest seed 0)");

    let mut g = c.benchmark_group("forest");
    g.sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .measurement_time(Duration::from_secs(20));
    g.bench_function("fit_10000x500_16", |b| {
        b.iter(|| {
            let mut rf = RandomForest::new(params.clone()).unwrap();
            rf.fit(black_box(train), &labels, &meta).expect("fit");
            rf
        })
    });
    g.bench_function("predict_proba_10000x500_16", |b| {
        b.iter(|| rf.predict_proba(black_box(test)).expect("predict"))
    });
    g.finish();
}

criterion_group!(benches, forest);
criterion_main!(benches);
