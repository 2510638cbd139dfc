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

#[test]
fn transforming_kept_columns_equals_transforming_all_then_selecting() {
    let train = common::counts(90, 60, 5);
    let new = common::counts(11, 60, 77);
    let keep = [41, 3, 3, 59, 0, 17];
    for pipeline in [
        Pipeline::tpm_log2(),
        Pipeline::cpm_log2(),
        Pipeline::archs4(),
        Pipeline::new(vec![Step::Tpm, Step::Log2p1, Step::ZScore]),
        Pipeline::new(vec![Step::Log2p1, Step::ZScore]),
        Pipeline::new(vec![Step::Ln1p, Step::DivideByLongestTranscript]),
    ] {
        let fitted = pipeline.fit(&train).unwrap();
        let all = fitted.transform_values(&new).unwrap();
        let kept = fitted
            .transform_columns(new.counts().clone(), &keep, new.samples())
            .unwrap();
        assert_eq!(kept.dim(), (11, keep.len()), "{pipeline:?}");
        for (j, &c) in keep.iter().enumerate() {
            for r in 0..11 {
                assert_eq!(
                    kept[[r, j]].to_bits(),
                    all[[r, c]].to_bits(),
                    "{pipeline:?} row {r} column {c}"
                );
            }
        }
    }
}

#[test]
fn transforming_kept_columns_still_checks_every_gene() {
    let train = common::counts(30, 20, 8);
    let mut new = common::counts(4, 20, 9);
    new.counts_mut()[[2, 13]] = -1.0;
    let sample = new.samples()[2].sample_id.clone();
    let gene = new.genes().ids().nth(13).unwrap().to_owned();
    // Gene 13 is not kept; a negative count there is still refused, naming sample and gene,
    // whether the refusal comes from a whole-row step (TPM) or from the check made up front.
    for pipeline in [
        Pipeline::tpm_log2(),
        Pipeline::new(vec![Step::Log2p1, Step::ZScore]),
    ] {
        let fitted = pipeline.fit(&train).unwrap();
        let err = fitted
            .transform_columns(new.counts().clone(), &[0, 1], new.samples())
            .unwrap_err()
            .to_string();
        assert!(err.contains(&sample) && err.contains(&gene), "{err}");
    }
    let fitted = Pipeline::tpm_log2().fit(&train).unwrap();
    let err = fitted
        .transform_columns(new.counts().clone(), &[20], new.samples())
        .unwrap_err();
    assert!(err.to_string().contains("column 20"), "{err}");
}
