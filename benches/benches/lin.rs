//! LIN (phenopredict's linear model): fit with the default search over the number of genes per
//! class, and prediction (a non-negative least-squares projection per sample), on 5,000 samples x
//! 2,000 genes, 16 classes (`rnameta_benches::neural_problem`). Its peer is the published LIN,
//! phenopredict's R code (`benches/peers/phenopredict.R`), on the same matrix.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode};
use rnameta_benches::{labels, meta, neural_problem};
use rnameta_models::{Classifier, Lin, LinParams};

fn lin(c: &mut Criterion) {
    let (x, y) = neural_problem(5_000, 2_000);
    let (l, m) = (labels(&y), meta(5_000, 5_000));
    let mut g = c.benchmark_group("lin");
    g.sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .measurement_time(Duration::from_secs(10));
    g.bench_function("fit_5000x2000_16", |b| {
        b.iter(|| {
            let mut lin = Lin::new(LinParams::default()).unwrap();
            lin.fit(black_box(x.view()), &l, &m).expect("fit");
            lin
        })
    });
    let mut lin = Lin::new(LinParams::default()).unwrap();
    lin.fit(x.view(), &l, &m).expect("fit");
    g.bench_function("predict_5000x2000_16", |b| {
        b.iter(|| lin.predict_proba(black_box(x.view())).expect("predict"))
    });
    g.finish();
}

criterion_group!(benches, lin);
criterion_main!(benches);
