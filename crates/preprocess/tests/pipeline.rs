//! A fitted pipeline saved as JSON and reloaded transforms new samples bit for bit as before.

mod common;

use rnameta_preprocess::harmonise::{reorder_to, ReorderOptions};
use rnameta_preprocess::{Error, FittedPipeline, Pipeline, Step};

#[test]
fn json_round_trip_transforms_identically() {
    let train = common::counts(120, 80, 21);
    let new = common::counts(7, 80, 99);
    for pipeline in [
        Pipeline::new(vec![Step::Tpm, Step::Log2p1, Step::Quantile, Step::ZScore]),
        Pipeline::archs4(),
    ] {
        let fitted = pipeline.fit(&train).unwrap();
        let json = fitted.to_json().unwrap();
        let back = FittedPipeline::from_json(&json).unwrap();
        assert_eq!(back, fitted);
        let a = fitted.transform(&new).unwrap();
        let b = back.transform(&new).unwrap();
        assert!(a
            .counts()
            .iter()
            .zip(b.counts().iter())
            .all(|(x, y)| x.to_bits() == y.to_bits()));
        // One sample alone is transformed exactly as within the batch.
        let one = back.transform(&new.select_samples(&[3]).unwrap()).unwrap();
        assert!(one
            .counts()
            .row(0)
            .iter()
            .zip(a.counts().row(3))
            .all(|(x, y)| x.to_bits() == y.to_bits()));
    }
}

#[test]
fn fit_transform_on_train_matches_transform() {
    let train = common::counts(50, 30, 4);
    let p = Pipeline::new(vec![Step::Ln1p, Step::Quantile, Step::ZScore]);
    let (fitted, x) = p.fit_transform(&train).unwrap();
    assert_eq!(fitted.transform(&train).unwrap().counts(), &x);
    // z-scored training data: every gene has mean ~0.
    for col in x.columns() {
        assert!(col.iter().map(|&v| f64::from(v)).sum::<f64>().abs() < 1e-3);
    }
}

#[test]
fn refuses_other_genes_and_names_them() {
    let train = common::counts(20, 10, 4);
    let fitted = Pipeline::tpm_log2().fit(&train).unwrap();
    let other = common::counts(3, 11, 4);
    let err = fitted.transform(&other).unwrap_err();
    assert!(matches!(err, Error::GeneMismatch { .. }));
    assert!(
        err.to_string().contains("unexpected ENSG00000000010"),
        "{err}"
    );
    // Reversed order: same genes, another order; reorder_to fixes it.
    let mut ids: Vec<String> = train.genes().ids().map(str::to_owned).collect();
    ids.reverse();
    let (reversed, _) = reorder_to(&train, &ids, ReorderOptions::default()).unwrap();
    let err = fitted.transform(&reversed).unwrap_err();
    assert!(err.to_string().contains("another order"), "{err}");
    let (back, report) = reorder_to(&reversed, &fitted.genes, ReorderOptions::default()).unwrap();
    assert!(report.missing.is_empty());
    assert_eq!(
        fitted.transform(&back).unwrap(),
        fitted.transform(&train).unwrap()
    );
}
