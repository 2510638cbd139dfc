//! Random forest: accuracy against scikit-learn on the same data, OOB accuracy, determinism,
//! bundles, importances and input checks.

use ndarray::{s, Array2};
use rnameta_core::{DataSource, Labels, SampleMeta};
use rnameta_models::bundle::{read_manifest, ModelKind, FORMAT_VERSION, MANIFEST_FILE};
use rnameta_models::synthetic::Synthetic;
use rnameta_models::{
    bundle, BundleHeader, Classifier, Error, ForestParams, MaxFeatures, RandomForest,
};

/// The problem of the scikit-learn comparison: 8,000 samples (first 4,000 train, last 4,000 test),
/// 50 genes of which 10 informative, 4 balanced classes.
const PROBLEM: Synthetic = Synthetic {
    n_samples: 8000,
    n_features: 50,
    n_classes: 4,
    n_informative: 10,
    separation: 0.5,
    seed: 42,
};

fn meta(n: usize) -> Vec<SampleMeta> {
    (0..n)
        .map(|i| {
            let mut m = SampleMeta::new(format!("s{i}"), DataSource::Other);
            m.study = Some(format!("study{}", i % 3));
            m
        })
        .collect()
}

fn class_labels(y: &[usize]) -> Labels {
    let names: Vec<Option<String>> = y.iter().map(|c| Some(format!("c{c}"))).collect();
    Labels::from_names(&names)
}

fn accuracy(pred: &[usize], y: &[usize]) -> f64 {
    pred.iter().zip(y).filter(|(p, c)| p == c).count() as f64 / y.len() as f64
}

fn fitted(params: ForestParams, x: &Array2<f32>, y: &[usize]) -> RandomForest {
    let mut rf = RandomForest::new(params);
    rf.fit(x.view(), &class_labels(y), &meta(y.len())).unwrap();
    rf
}

#[test]
fn accuracy_matches_scikit_learn_and_oob_matches_test() {
    // Reference: the same data written by
    //   cargo run --release -p rnameta-models --example synthetic_csv -- syn.csv 8000 50 4 10 0.5 42
    // then (scikit-learn 1.x in a venv):
    //   d = np.loadtxt("syn.csv", delimiter=",", dtype=np.float32); y = d[:,0].astype(int); x = d[:,1:]
    //   rf = RandomForestClassifier(n_estimators=100, random_state=0, oob_score=True).fit(x[:4000], y[:4000])
    //   (rf.predict(x[4000:]) == y[4000:]).mean(), rf.oob_score_
    // -> test accuracy 0.70525, OOB 0.70125 (random_state 1: 0.70525 / 0.69275; 2: 0.70025 / 0.697).
    let (x, y) = PROBLEM.generate();
    let rf = fitted(
        ForestParams::default(),
        &x.slice(s![..4000, ..]).to_owned(),
        &y[..4000],
    );
    let acc = accuracy(&rf.predict(x.slice(s![4000.., ..])).unwrap(), &y[4000..]);
    let oob = rf.oob_score().unwrap();
    assert!(
        (acc - 0.70525).abs() <= 0.01,
        "test accuracy {acc} vs sklearn 0.70525"
    );
    assert!((oob - acc).abs() <= 0.03, "OOB {oob} vs test {acc}");
    assert_eq!(rf.report().unwrap().oob_samples_without_prediction, 0);
    // Probabilities are a distribution per sample.
    let p = rf.predict_proba(x.slice(s![4000..4100, ..])).unwrap();
    for r in p.rows() {
        assert!((r.sum() - 1.0).abs() < 1e-5);
    }
    // The 10 informative genes carry most of the impurity decrease (noise genes ~ 1/50 each would
    // give the first 10 about 0.2).
    let imp = rf.feature_importances().unwrap();
    assert!((imp.iter().sum::<f64>() - 1.0).abs() < 1e-9);
    let informative: f64 = imp[..10].iter().sum();
    assert!(
        informative > 0.5,
        "informative genes' importance {informative}"
    );
}

#[test]
fn same_seed_same_forest_other_seed_other_forest() {
    let (x, y) = Synthetic {
        n_samples: 600,
        ..PROBLEM
    }
    .generate();
    let params = ForestParams {
        n_trees: 30,
        seed: 9,
        ..ForestParams::default()
    };
    let a = fitted(params.clone(), &x, &y);
    let b = fitted(params.clone(), &x, &y);
    let pa = a.predict_proba(x.view()).unwrap();
    let pb = b.predict_proba(x.view()).unwrap();
    assert!(pa
        .iter()
        .zip(pb.iter())
        .all(|(u, v)| u.to_bits() == v.to_bits()));
    assert_eq!(a, b);
    // Rayon with one thread grows the same trees as with the default pool.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let c = pool.install(|| fitted(params.clone(), &x, &y));
    assert_eq!(a, c);
    let d = fitted(ForestParams { seed: 10, ..params }, &x, &y);
    assert_ne!(a, d);
}

#[test]
fn save_load_gives_identical_predictions_and_checks_the_version() {
    let (x, y) = Synthetic {
        n_samples: 500,
        ..PROBLEM
    }
    .generate();
    let rf = fitted(
        ForestParams {
            n_trees: 20,
            ..ForestParams::default()
        },
        &x,
        &y,
    );
    let dir = tempfile::tempdir().unwrap();
    let header = BundleHeader {
        task: Some(rnameta_core::Task::Tissue),
        gene_ids: (0..50).map(|j| format!("ENSG{j:011}")).collect(),
        ..Default::default()
    };
    rf.save(dir.path(), &header).unwrap();
    let back = RandomForest::load(dir.path()).unwrap();
    let p1 = rf.predict_proba(x.view()).unwrap();
    let p2 = back.predict_proba(x.view()).unwrap();
    assert!(p1
        .iter()
        .zip(p2.iter())
        .all(|(u, v)| u.to_bits() == v.to_bits()));
    assert_eq!(back.feature_importances(), rf.feature_importances());
    assert_eq!(back.oob_score(), rf.oob_score());
    // Through the trait object too.
    let dynamic = bundle::load_classifier(dir.path()).unwrap();
    assert_eq!(dynamic.kind(), ModelKind::RandomForest);
    assert_eq!(dynamic.classes(), ["c0", "c1", "c2", "c3"]);
    let m = read_manifest(dir.path()).unwrap();
    assert_eq!(m.format_version, FORMAT_VERSION);
    assert_eq!(m.gene_ids, header.gene_ids);
    assert_eq!(m.training.n_samples, 500);
    assert_eq!(m.training.class_counts, [125, 125, 125, 125]);
    assert_eq!(m.training.n_studies, 3);
    assert_eq!(m.hyperparameters["n_trees"], 20);

    // A bundle from another format version is refused with a typed error naming the file.
    let path = dir.path().join(MANIFEST_FILE);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replace(
            &format!("\"format_version\": {FORMAT_VERSION}"),
            "\"format_version\": 99",
        ),
    )
    .unwrap();
    match RandomForest::load(dir.path()) {
        Err(Error::FormatVersion { found: 99, .. }) => {}
        other => panic!("expected a format version error, got {other:?}"),
    }
    // A gene list of the wrong length is refused at save time.
    let bad = BundleHeader {
        task: None,
        gene_ids: vec!["ENSG1".into()],
        ..Default::default()
    };
    assert!(matches!(
        rf.save(dir.path(), &bad),
        Err(Error::ShapeMismatch { .. })
    ));
}

#[test]
fn corrupt_tensors_are_refused() {
    let (x, y) = Synthetic {
        n_samples: 200,
        ..PROBLEM
    }
    .generate();
    let rf = fitted(
        ForestParams {
            n_trees: 3,
            ..ForestParams::default()
        },
        &x,
        &y,
    );
    let dir = tempfile::tempdir().unwrap();
    let header = BundleHeader {
        task: None,
        gene_ids: (0..50).map(|j| format!("g{j}")).collect(),
        ..Default::default()
    };
    rf.save(dir.path(), &header).unwrap();
    let path = dir.path().join(bundle::TENSORS_FILE);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes.truncate(bytes.len() - 8);
    std::fs::write(&path, bytes).unwrap();
    let err = RandomForest::load(dir.path()).unwrap_err();
    assert!(err.to_string().contains("model.safetensors"), "{err}");
}

#[test]
fn limits_and_options_are_honoured() {
    let (x, y) = Synthetic {
        n_samples: 1000,
        ..PROBLEM
    }
    .generate();
    // Depth 1: every tree is a stump, so a sample's probabilities take at most 2^trees values; with
    // one tree at most two distinct rows.
    let stump = fitted(
        ForestParams {
            n_trees: 1,
            max_depth: Some(1),
            oob: false,
            ..ForestParams::default()
        },
        &x,
        &y,
    );
    let p = stump.predict_proba(x.view()).unwrap();
    let mut rows: Vec<Vec<u32>> = p
        .rows()
        .into_iter()
        .map(|r| r.iter().map(|v| v.to_bits()).collect())
        .collect();
    rows.sort();
    rows.dedup();
    assert_eq!(rows.len(), 2);
    // Without bootstrap and with every feature, one tree with leaves of 1 fits the training data
    // exactly (no two samples share all 50 values).
    let full = fitted(
        ForestParams {
            n_trees: 1,
            bootstrap: false,
            oob: false,
            max_features: MaxFeatures::All,
            ..ForestParams::default()
        },
        &x,
        &y,
    );
    assert_eq!(accuracy(&full.predict(x.view()).unwrap(), &y), 1.0);
    // min_samples_leaf = 200 on 1,000 samples (no bootstrap): at most 5 leaves, so at most 5
    // distinct probability rows.
    let coarse = fitted(
        ForestParams {
            n_trees: 1,
            bootstrap: false,
            oob: false,
            min_samples_leaf: 200,
            ..ForestParams::default()
        },
        &x,
        &y,
    );
    let p = coarse.predict_proba(x.view()).unwrap();
    let mut rows: Vec<Vec<u32>> = p
        .rows()
        .into_iter()
        .map(|r| r.iter().map(|v| v.to_bits()).collect())
        .collect();
    rows.sort();
    rows.dedup();
    assert!(rows.len() <= 5 && rows.len() >= 2, "{} leaves", rows.len());
}

#[test]
fn bad_input_is_a_typed_error() {
    let (mut x, y) = Synthetic {
        n_samples: 100,
        ..PROBLEM
    }
    .generate();
    let labels = class_labels(&y);
    let mut rf = RandomForest::new(ForestParams::default());
    assert!(matches!(rf.predict_proba(x.view()), Err(Error::NotFitted)));
    assert!(matches!(
        rf.fit(x.view(), &labels, &meta(99)),
        Err(Error::ShapeMismatch { .. })
    ));
    let mut bad = RandomForest::new(ForestParams {
        n_trees: 0,
        ..ForestParams::default()
    });
    assert!(matches!(
        bad.fit(x.view(), &labels, &meta(100)),
        Err(Error::InvalidParameter {
            name: "n_trees",
            ..
        })
    ));
    let one_class = class_labels(&vec![0; 100]);
    assert!(matches!(
        rf.fit(x.view(), &one_class, &meta(100)),
        Err(Error::NotEnoughData { .. })
    ));
    x[[7, 3]] = f32::NAN;
    match rf.fit(x.view(), &labels, &meta(100)) {
        Err(Error::NonFinite {
            sample: 7, gene: 3, ..
        }) => {}
        other => panic!("expected NonFinite, got {other:?}"),
    }
}

#[test]
fn unlabelled_samples_are_left_out_of_training() {
    let (x, y) = Synthetic {
        n_samples: 400,
        ..PROBLEM
    }
    .generate();
    let names: Vec<Option<String>> = y
        .iter()
        .enumerate()
        .map(|(i, c)| (i % 4 != 0).then(|| format!("c{c}")))
        .collect();
    let labels = Labels::from_names(&names);
    let mut rf = RandomForest::new(ForestParams {
        n_trees: 10,
        ..ForestParams::default()
    });
    rf.fit(x.view(), &labels, &meta(400)).unwrap();
    // Every fourth sample has class 0 (i % 4 == class), so class c0 never has a label.
    assert_eq!(rf.classes(), ["c1", "c2", "c3"]);
    assert_eq!(rf.training_summary().unwrap().n_samples, 300);
}
