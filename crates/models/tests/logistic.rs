//! Multinomial logistic regression against scikit-learn's numbers on the same data.

use ndarray::s;
use rnameta_core::{DataSource, Labels, SampleMeta};
use rnameta_models::synthetic::Synthetic;
use rnameta_models::{BundleHeader, Classifier, LogisticParams, LogisticRegression, SaveBundle};

#[test]
fn matches_scikit_learn_multinomial_l2() {
    // Reference (scikit-learn 1.9.1, numpy, in a venv) on the data written by
    //   cargo run --release -p rnameta-models --example synthetic_csv -- syn_lr.csv 2000 20 3 10 1.0 11
    // d = np.loadtxt("syn_lr.csv", delimiter=",", dtype=np.float32).astype(np.float64)
    // y = d[:,0].astype(int); x = d[:,1:]; mu = x[:1000].mean(0); sd = x[:1000].std(0); z = (x-mu)/sd
    // m = LogisticRegression(C=0.5, tol=1e-10, max_iter=10000).fit(z[:1000], y[:1000])  # multinomial
    // log_loss(y[:1000], m.predict_proba(z[:1000]))            -> 0.1547751848
    // + (m.coef_**2).sum() / (2 * 0.5 * 1000)                  -> objective 0.1766760399
    // (m.predict(z[1000:]) == y[1000:]).mean()                 -> 0.9300
    // log_loss(y[1000:], m.predict_proba(z[1000:]))            -> 0.1783344449
    // m.coef_[0,:3] -> [-1.60834238 -0.30685371 -1.55709064]; m.intercept_ -> [-0.23158205 0.75580228 -0.52422024]
    let (x, y) = Synthetic {
        n_samples: 2000,
        n_features: 20,
        n_classes: 3,
        n_informative: 10,
        separation: 1.0,
        seed: 11,
    }
    .generate();
    let names: Vec<Option<String>> = y[..1000].iter().map(|c| Some(format!("c{c}"))).collect();
    let labels = Labels::from_names(&names);
    let meta: Vec<SampleMeta> = (0..1000)
        .map(|i| SampleMeta::new(format!("s{i}"), DataSource::Gtex))
        .collect();
    let mut m = LogisticRegression::new(LogisticParams {
        c: 0.5,
        ..LogisticParams::default()
    })
    .unwrap();
    m.fit(x.slice(s![..1000, ..]), &labels, &meta).unwrap();
    let r = m.report().unwrap();
    assert!(r.converged, "{r:?}");
    assert!((r.train_log_loss - 0.1547751848).abs() < 1e-6, "{r:?}");
    assert!((r.objective - 0.1766760399).abs() < 1e-7, "{r:?}");
    let coef = m.coefficients().unwrap();
    for (j, want) in [-1.60834238, -0.30685371, -1.55709064].iter().enumerate() {
        assert!(
            (coef[[0, j]] - want).abs() < 1e-4,
            "coef[0,{j}] {}",
            coef[[0, j]]
        );
    }
    let test = x.slice(s![1000.., ..]);
    let p = m.predict_proba(test).unwrap();
    let pred = m.predict(test).unwrap();
    let acc = pred.iter().zip(&y[1000..]).filter(|(a, b)| a == b).count() as f64 / 1000.0;
    assert!((acc - 0.93).abs() <= 0.002, "accuracy {acc}");
    let test_loss = -y[1000..]
        .iter()
        .enumerate()
        .map(|(i, &c)| (p[[i, c]] as f64).ln())
        .sum::<f64>()
        / 1000.0;
    assert!(
        (test_loss - 0.1783344449).abs() < 1e-4,
        "test log loss {test_loss}"
    );

    // Save -> load -> identical probabilities.
    let dir = tempfile::tempdir().unwrap();
    let header = BundleHeader {
        task: Some(rnameta_core::Task::Tissue),
        gene_ids: (0..20).map(|j| format!("ENSG{j:011}")).collect(),
        ..Default::default()
    };
    m.save(dir.path(), &header).unwrap();
    let back = rnameta_models::bundle::load_classifier(dir.path()).unwrap();
    let again = back.predict_proba(test).unwrap();
    assert!(p
        .iter()
        .zip(again.iter())
        .all(|(a, b)| a.to_bits() == b.to_bits()));
    assert_eq!(back.classes(), ["c0", "c1", "c2"]);
}

/// A class listed in the labels but absent from the training rows is refused by name, for every
/// classifier (it has no finite maximum-likelihood solution, and a forest would never predict it).
#[test]
fn a_class_without_training_samples_is_refused() {
    use rnameta_core::{DataSource, Labels, SampleMeta};
    use rnameta_models::{
        Classifier, ForestParams, LogisticParams, LogisticRegression, RandomForest,
    };
    let x = ndarray::Array2::from_shape_fn((6, 2), |(i, j)| (i * 2 + j) as f32);
    let classes = vec!["a".to_owned(), "b".to_owned(), "empty".to_owned()];
    let names = [
        Some("a"),
        Some("b"),
        Some("a"),
        Some("b"),
        Some("a"),
        Some("b"),
    ];
    let labels = Labels::with_classes(classes, &names).unwrap();
    let meta: Vec<SampleMeta> = (0..6)
        .map(|i| SampleMeta::new(format!("s{i}"), DataSource::Other))
        .collect();
    let mut models: Vec<Box<dyn Classifier>> = vec![
        Box::new(LogisticRegression::new(LogisticParams::default()).unwrap()),
        Box::new(RandomForest::new(ForestParams::default()).unwrap()),
    ];
    for model in &mut models {
        let err = model.fit(x.view(), &labels, &meta).unwrap_err();
        assert!(
            err.to_string().contains("\"empty\" has no training sample"),
            "{err}"
        );
    }
}
