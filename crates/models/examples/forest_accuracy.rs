//! Fits a [`RandomForest`] on the first half of a [`Synthetic`] problem and prints test accuracy, OOB
//! accuracy and fit time: the Rust side of the comparisons quoted in the tests. The last field is the
//! start of a SHA-256 of the test probabilities' and the feature importances' bits, so that a change
//! meant to grow the same trees faster can be checked on a problem of real size.
//!
//! `cargo run --release -p rnameta-models --example forest_accuracy -- N_SAMPLES N_FEATURES N_CLASSES
//! N_INFORMATIVE SEPARATION SEED [N_TREES [FOREST_SEED]]`

use std::time::Instant;

use rnameta_core::{DataSource, Labels, SampleMeta};
use rnameta_models::synthetic::Synthetic;
use rnameta_models::{Classifier, ForestParams, RandomForest};
use sha2::{Digest, Sha256};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let a: Vec<String> = std::env::args().skip(1).collect();
    if a.len() < 6 {
        return Err(
            "usage: N_SAMPLES N_FEATURES N_CLASSES N_INFORMATIVE SEPARATION SEED [N_TREES [FOREST_SEED]]".into(),
        );
    }
    let s = Synthetic {
        n_samples: a[0].parse()?,
        n_features: a[1].parse()?,
        n_classes: a[2].parse()?,
        n_informative: a[3].parse()?,
        separation: a[4].parse()?,
        seed: a[5].parse()?,
    };
    let n_trees = a.get(6).map(|t| t.parse()).transpose()?.unwrap_or(100);
    let forest_seed = a.get(7).map(|t| t.parse()).transpose()?.unwrap_or(0);
    let (x, y) = s.generate();
    let half = s.n_samples / 2;
    let names: Vec<Option<String>> = y[..half].iter().map(|c| Some(format!("c{c:02}"))).collect();
    let labels = Labels::from_names(&names);
    let meta: Vec<SampleMeta> = (0..half)
        .map(|i| SampleMeta::new(format!("s{i}"), DataSource::Other))
        .collect();
    let mut rf = RandomForest::new(ForestParams {
        n_trees,
        seed: forest_seed,
        ..ForestParams::default()
    })
    .unwrap();
    let t = Instant::now();
    rf.fit(x.slice(ndarray::s![..half, ..]), &labels, &meta)?;
    let fit_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let pred = rf.predict(x.slice(ndarray::s![half.., ..]))?;
    let pred_s = t.elapsed().as_secs_f64();
    let correct = pred.iter().zip(&y[half..]).filter(|(p, c)| p == c).count();
    let proba = rf.predict_proba(x.slice(ndarray::s![half.., ..]))?;
    let mut digest = Sha256::new();
    proba
        .iter()
        .for_each(|p| digest.update(p.to_bits().to_le_bytes()));
    rf.feature_importances()
        .unwrap_or_default()
        .iter()
        .for_each(|v| digest.update(v.to_bits().to_le_bytes()));
    let digest: String = digest.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    println!(
        "test_accuracy {:.4} oob {:.4} fit_s {:.3} predict_s {:.3} digest {}",
        correct as f64 / pred.len() as f64,
        rf.oob_score().unwrap_or(f64::NAN),
        fit_s,
        pred_s,
        digest
    );
    Ok(())
}
