//! linfa's vocabulary as the models' interface: every model fitted through linfa's `Fit` on a
//! `DatasetBase` (feature names = gene ids) is the model the `Classifier` path fits, bit for bit,
//! and its hyperparameters are checked by linfa's `ParamGuard` before any data is seen.

use linfa::prelude::*;
use ndarray::{Array1, Array2};
use rnameta_core::{DataSource, Labels, SampleMeta};
use rnameta_models::synthetic::Synthetic;
use rnameta_models::{
    Classifier, DaParams, Error, ForestParams, GeneModel, Lin, LinParams, LogisticParams,
    LogisticRegression, Mlp, MlpParams, RandomForest,
};

/// 120 samples x 30 genes, 3 classes, their labels as text and the gene ids.
fn problem() -> (Array2<f32>, Array1<String>, Vec<String>) {
    let (x, y) = Synthetic {
        n_samples: 120,
        n_features: 30,
        n_classes: 3,
        n_informative: 10,
        separation: 1.5,
        seed: 3,
    }
    .generate();
    // Expression-like (non-negative) values, as LIN expects.
    let x = x.mapv(|v| v.abs());
    let labels = y.iter().map(|c| format!("tissue-{c}")).collect();
    let genes = (0..30).map(|j| format!("ENSG{j:011}")).collect();
    (x, labels, genes)
}

/// The same fit through the `Classifier` path: every sample labelled, one domain.
fn classic<M: Classifier>(
    mut model: M,
    x: &Array2<f32>,
    y: &Array1<String>,
    domain: DataSource,
) -> M {
    let names: Vec<Option<&str>> = y.iter().map(|s| Some(s.as_str())).collect();
    let labels = Labels::from_names(&names);
    let meta: Vec<SampleMeta> = (0..x.nrows())
        .map(|i| SampleMeta::new(format!("sample-{i}"), domain))
        .collect();
    model.fit(x.view(), &labels, &meta).unwrap();
    model
}

fn bits(p: &Array2<f32>) -> Vec<u32> {
    p.iter().map(|v| v.to_bits()).collect()
}

#[test]
fn every_model_fitted_through_linfa_is_the_model_the_classifier_path_fits() {
    let (x, y, genes) = problem();
    let data = Dataset::new(x.clone(), y.clone()).with_feature_names(genes.clone());

    let lin: GeneModel<Lin, String> = LinParams::fixed(5).fit(&data).unwrap();
    let other = classic(
        Lin::new(LinParams::fixed(5)).unwrap(),
        &x,
        &y,
        DataSource::Other,
    );
    assert_eq!(
        bits(&lin.predict_proba(x.view()).unwrap()),
        bits(&other.predict_proba(x.view()).unwrap())
    );

    let forest_params = ForestParams {
        n_trees: 10,
        seed: 4,
        ..ForestParams::default()
    };
    let rf: GeneModel<RandomForest, String> = forest_params.fit(&data).unwrap();
    let other = classic(
        RandomForest::new(forest_params).unwrap(),
        &x,
        &y,
        DataSource::Other,
    );
    assert_eq!(
        bits(&rf.predict_proba(x.view()).unwrap()),
        bits(&other.predict_proba(x.view()).unwrap())
    );

    let logistic: GeneModel<LogisticRegression, String> =
        LogisticParams::default().fit(&data).unwrap();
    let other = classic(
        LogisticRegression::new(LogisticParams::default()).unwrap(),
        &x,
        &y,
        DataSource::Other,
    );
    assert_eq!(
        bits(&logistic.predict_proba(x.view()).unwrap()),
        bits(&other.predict_proba(x.view()).unwrap())
    );

    let mlp_params = MlpParams {
        epochs: 2,
        seed: 5,
        ..MlpParams::default()
    };
    let mlp: GeneModel<Mlp, String> = mlp_params.fit(&data).unwrap();
    let other = classic(Mlp::new(mlp_params).unwrap(), &x, &y, DataSource::Other);
    assert_eq!(
        bits(&mlp.predict_proba(x.view()).unwrap()),
        bits(&other.predict_proba(x.view()).unwrap())
    );

    let da_params = DaParams {
        epochs: 2,
        triplet_epochs: 1,
        embedding: 16,
        seed: 5,
        ..DaParams::default()
    };
    let da = da_params.fit(&data).unwrap();
    let other = classic(
        rnameta_models::DomainAdaptation::new(da_params.clone()).unwrap(),
        &x,
        &y,
        da_params.source_domain,
    );
    assert_eq!(
        bits(&da.predict_proba(x.view()).unwrap()),
        bits(&other.predict_proba(x.view()).unwrap())
    );

    // Feature names are the gene ids; predictions are the dataset's own labels.
    assert_eq!(rf.gene_ids(), genes.as_slice());
    let predicted = rf.predict(&x);
    assert_eq!(predicted.len(), 120);
    assert!(predicted.iter().all(|p| p.starts_with("tissue-")));
    let right = predicted.iter().zip(&y).filter(|(p, t)| p == t).count();
    assert!(right > 100, "{right} of 120 training samples right");
}

#[test]
fn linfa_checks_the_hyperparameters_before_any_data_is_seen() {
    let bad = ForestParams {
        n_trees: 0,
        ..ForestParams::default()
    };
    assert!(matches!(
        bad.check_ref(),
        Err(Error::InvalidParameter {
            name: "n_trees",
            ..
        })
    ));
    let (x, y, _) = problem();
    let data = Dataset::new(x, y);
    let fitted: Result<GeneModel<LogisticRegression, String>, Error> = LogisticParams {
        c: -1.0,
        ..LogisticParams::default()
    }
    .fit(&data);
    assert!(matches!(
        fitted,
        Err(Error::InvalidParameter { name: "c", .. })
    ));
    let fitted: Result<GeneModel<Lin, String>, Error> = LinParams {
        genes_per_class: vec![],
        ..LinParams::default()
    }
    .fit(&data);
    assert!(matches!(
        fitted,
        Err(Error::InvalidParameter {
            name: "genes_per_class",
            ..
        })
    ));
    // Without feature names, the columns are named by position.
    let model: GeneModel<Lin, String> = LinParams::fixed(3).fit(&data).unwrap();
    assert_eq!(model.gene_ids()[29], "feature-29");
}
