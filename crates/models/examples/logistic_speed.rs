//! Times [`LogisticRegression`] fits of the size a classifier two-sample test makes on the paper
//! preset's `augment` (1,888 training rows x 5,425 genes, two classes, `C = 1`, at most 300
//! L-BFGS iterations, tolerance 1e-5; synthetic values with random labels, which more genes than
//! samples still separate) and prints what each fit reached to the last digits, so that a change
//! to the fit can be checked for the same result as well as timed.
//!
//! `cargo run --release -p rnameta-models --example logistic_speed -- [N_SAMPLES [N_GENES [FITS]]]`

use std::time::Instant;

use rnameta_core::{DataSource, Labels, SampleMeta};
use rnameta_models::synthetic::Synthetic;
use rnameta_models::{Classifier, LogisticParams, LogisticRegression};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let a: Vec<String> = std::env::args().skip(1).collect();
    let n_samples = a.first().map(|v| v.parse()).transpose()?.unwrap_or(1_888);
    let n_features = a.get(1).map(|v| v.parse()).transpose()?.unwrap_or(5_425);
    let fits: usize = a.get(2).map(|v| v.parse()).transpose()?.unwrap_or(3);
    let (x, y) = Synthetic {
        n_samples,
        n_features,
        n_classes: 2,
        n_informative: 500,
        separation: 0.0,
        seed: 7,
    }
    .generate();
    let names: Vec<Option<String>> = y.iter().map(|c| Some(format!("c{c}"))).collect();
    let labels = Labels::from_names(&names);
    let meta: Vec<SampleMeta> = (0..n_samples)
        .map(|i| SampleMeta::new(format!("s{i}"), DataSource::Other))
        .collect();
    for fit in 0..fits {
        let mut model = LogisticRegression::new(LogisticParams {
            c: 1.0,
            max_iter: 300,
            tol: 1e-5,
        })?;
        let start = Instant::now();
        model.fit(x.view(), &labels, &meta)?;
        let seconds = start.elapsed().as_secs_f64();
        let report = model.report().ok_or("fitted")?;
        let coef_sum: f64 = model.coefficients().ok_or("fitted")?.sum();
        println!(
            "fit {fit}: {seconds:.3} s, {} iterations, objective {:.12e}, coefficient sum {coef_sum:.12e}",
            report.iterations, report.objective
        );
    }
    Ok(())
}
