//! The conditional WGAN-GP on the small simulated problem (simulated data, see `common`): its
//! samples are closest to their own class, the loss curve is logged, generation and training are
//! deterministic per seed, a saved generator reloads bit for bit, and bad input is refused.

mod common;

use rnameta_models::Error as ModelError;
use std::sync::OnceLock;

use common::{problem, SCARCE, TISSUES};
use ndarray::{Array2, Axis};
use rnameta_augment::quality::{mmd2_unbiased, pooled_bandwidth};
use rnameta_augment::{quality, top_up, Augmenter, Error, FitReport, Gan, GanParams};
use rnameta_core::Labels;

/// Small networks and a high learning rate: seconds, not minutes, on 232 x 200.
fn test_params(epochs: usize, seed: u64) -> GanParams {
    GanParams {
        noise_dim: 32,
        generator_hidden: vec![64, 64],
        critic_hidden: vec![64, 64],
        epochs,
        batch_size: 32,
        class_balanced: true,
        learning_rate: 1e-3,
        seed,
        quiet: true,
        ..GanParams::default()
    }
}

/// Epochs of the shared GAN.
const EPOCHS: usize = 200;

/// One GAN trained on the problem, shared by the tests of this binary.
fn trained() -> &'static (Gan, FitReport) {
    static GAN: OnceLock<(Gan, FitReport)> = OnceLock::new();
    GAN.get_or_init(|| {
        let p = problem();
        let mut gan = Gan::new(test_params(EPOCHS, 1));
        let report = gan
            .fit(p.train.view(), &p.train_classes, p.n_classes())
            .unwrap();
        (gan, report)
    })
}

#[test]
fn generated_samples_are_closest_to_their_own_class() {
    // Measured (seed 1, 200 epochs): own-class MMD^2 0.021-0.087 against 0.736-0.756 to the
    // nearest other class, for every tissue including Brain (12 training samples).
    let p = problem();
    let (gan, _) = trained();
    for (c, tissue) in TISSUES.iter().enumerate() {
        let generated = gan.generate(c, 60, 7).unwrap();
        let own = p.heldout_of(c);
        let bandwidth = pooled_bandwidth(generated.view(), own.view()).unwrap();
        let to_own = mmd2_unbiased(generated.view(), own.view(), bandwidth).unwrap();
        for o in (0..p.n_classes()).filter(|&o| o != c) {
            let other = p.heldout_of(o);
            let to_other = mmd2_unbiased(generated.view(), other.view(), bandwidth).unwrap();
            assert!(
                to_own < 0.5 * to_other,
                "{tissue}: MMD^2 {to_own:.4} to its own held-out samples, {to_other:.4} to {}",
                TISSUES[o]
            );
        }
    }
}

#[test]
fn scarce_class_quality_is_measured_and_not_memorised() {
    // Brain, 12 training samples. Measured: MMD^2 0.031 (real training vs held-out: -0.016),
    // mean correlation 0.992, variance correlation 0.943, nearest-training distance ratio 0.87
    // (copies would be ~0).
    let p = problem();
    let (gan, _) = trained();
    let generated = gan.generate(SCARCE, 60, 7).unwrap();
    let others: Vec<Array2<f32>> = (1..p.n_classes()).map(|o| p.heldout_of(o)).collect();
    let views: Vec<_> = others.iter().map(|o| o.view()).collect();
    let q = quality(
        generated.view(),
        p.heldout_of(SCARCE).view(),
        p.train_of(SCARCE).view(),
        &views,
        3,
    )
    .unwrap();
    assert!(q.closest_to_own_class, "{q:?}");
    assert!(q.mean_correlation > 0.95, "{q:?}");
    assert!(q.variance_correlation > 0.5, "{q:?}");
    assert!(q.nn_ratio > 0.5, "memorisation: {q:?}");
    assert!((0.0..=1.0).contains(&q.c2st_auc), "{q:?}");
    let json = serde_json::to_string(&q).unwrap();
    assert!(json.contains("\"c2st_auc\""));
}

#[test]
fn the_loss_curve_is_logged_for_every_epoch() {
    let (_, report) = trained();
    let gan = report.gan.as_ref().expect("the GAN's report");
    assert_eq!(report.method, "gan");
    assert_eq!(gan.epochs.len(), EPOCHS);
    // 232 samples, batches of 32, 5 critic steps per generator step -> 2 iterations an epoch.
    assert_eq!(gan.iterations_per_epoch, 2);
    assert_eq!(gan.generator_steps, 2 * EPOCHS);
    assert_eq!(gan.critic_steps, 5 * 2 * EPOCHS);
    for (i, e) in gan.epochs.iter().enumerate() {
        assert_eq!(e.epoch, i + 1);
        for v in [
            e.critic_loss,
            e.generator_loss,
            e.gradient_penalty,
            e.wasserstein,
            e.gradient_norm,
            e.seconds,
        ] {
            assert!(v.is_finite(), "epoch {}: {e:?}", e.epoch);
        }
        assert!(e.gradient_penalty >= 0.0);
        assert!((e.critic_loss - (e.gradient_penalty - e.wasserstein)).abs() < 1e-6);
    }
    assert!(gan.epochs.windows(2).all(|w| w[0].seconds <= w[1].seconds));
    // The Wasserstein estimate rises while the critic learns, then falls as the generator
    // catches up (measured: peak 16.3, mean of the last 20 epochs 4.6).
    let peak = gan.epochs.iter().map(|e| e.wasserstein).fold(0.0, f64::max);
    let tail: f64 = gan.epochs[EPOCHS - 20..]
        .iter()
        .map(|e| e.wasserstein)
        .sum::<f64>()
        / 20.0;
    assert!(tail < 0.8 * peak, "W peak {peak}, last 20 epochs {tail}");
    // The penalty holds the critic near 1-Lipschitz (measured: 1.19 in the last epoch).
    let norm = gan.epochs[EPOCHS - 1].gradient_norm;
    assert!((0.5..2.0).contains(&norm), "gradient norm {norm}");
}

#[test]
fn generation_is_deterministic_for_a_seed_and_differs_between_seeds() {
    let (gan, _) = trained();
    let a = gan.generate(2, 25, 11).unwrap();
    let b = gan.generate(2, 25, 11).unwrap();
    let c = gan.generate(2, 25, 12).unwrap();
    assert_eq!(a.dim(), (25, common::GENES));
    assert_eq!(bits(&a), bits(&b));
    assert_ne!(a, c);
    // The first rows do not depend on how many are asked for.
    let more = gan.generate(2, 40, 11).unwrap();
    assert_eq!(
        bits(&more.slice(ndarray::s![..25, ..]).to_owned()),
        bits(&a)
    );
    assert_eq!(gan.generate(2, 0, 11).unwrap().dim(), (0, common::GENES));
}

#[test]
fn training_is_deterministic_for_a_seed() {
    let p = problem();
    let fit = |seed| {
        let mut gan = Gan::new(test_params(3, seed));
        let r = gan
            .fit(p.train.view(), &p.train_classes, p.n_classes())
            .unwrap();
        (gan.generate(0, 10, 5).unwrap(), r.gan.unwrap().epochs)
    };
    let (a, log_a) = fit(4);
    let (b, log_b) = fit(4);
    let (c, _) = fit(5);
    assert_eq!(bits(&a), bits(&b));
    let losses = |l: &[rnameta_augment::EpochLog]| {
        l.iter()
            .map(|e| (e.critic_loss, e.generator_loss, e.gradient_penalty))
            .collect::<Vec<_>>()
    };
    assert_eq!(losses(&log_a), losses(&log_b));
    assert_ne!(a, c);
}

#[test]
fn a_saved_generator_reloads_to_bit_identical_output() {
    let (gan, report) = trained();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gan");
    gan.save(&path).unwrap();
    let loaded = Gan::load(&path).unwrap();
    for class in [SCARCE, 3] {
        assert_eq!(
            bits(&gan.generate(class, 30, 99).unwrap()),
            bits(&loaded.generate(class, 30, 99).unwrap())
        );
    }
    assert_eq!(loaded.params(), gan.params());
    assert_eq!(loaded.report(), Some(report));
    assert_eq!(loaded.n_genes(), Some(common::GENES));
    // No temporary files are left behind.
    let mut names: Vec<String> = std::fs::read_dir(&path)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, vec!["generator.safetensors", "manifest.json"]);
}

#[test]
fn damaged_or_foreign_saved_generators_are_refused() {
    let (gan, _) = trained();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gan");
    gan.save(&path).unwrap();
    let manifest = path.join("manifest.json");
    let text = std::fs::read_to_string(&manifest).unwrap();

    // Another format version.
    std::fs::write(
        &manifest,
        text.replace("\"format_version\": 1", "\"format_version\": 9"),
    )
    .unwrap();
    assert!(matches!(
        Gan::load(&path),
        Err(Error::FormatVersion { found: 9, .. })
    ));
    // A manifest whose gene count disagrees with the tensors.
    let genes = format!("\"n_genes\": {}", common::GENES);
    std::fs::write(&manifest, text.replace(&genes, "\"n_genes\": 7")).unwrap();
    assert!(matches!(Gan::load(&path), Err(Error::Tensors { .. })));
    // Not JSON.
    std::fs::write(&manifest, "{").unwrap();
    assert!(matches!(Gan::load(&path), Err(Error::Manifest { .. })));
    // A cut tensor file.
    std::fs::write(&manifest, &text).unwrap();
    let tensors = path.join("generator.safetensors");
    let bytes = std::fs::read(&tensors).unwrap();
    std::fs::write(&tensors, &bytes[..bytes.len() / 2]).unwrap();
    assert!(matches!(Gan::load(&path), Err(Error::Tensors { .. })));
    // Nothing there.
    assert!(matches!(
        Gan::load(&dir.path().join("missing")),
        Err(Error::Io { .. })
    ));
}

#[test]
fn a_study_conditioned_generator_generates_in_any_study() {
    let p = problem();
    // Two pseudo-studies (alternate training rows): plumbing, not a claim about bias.
    let studies: Vec<usize> = (0..p.train.nrows()).map(|i| i % 2).collect();
    let mut gan = Gan::new(test_params(2, 3));
    let report = gan
        .fit_with_studies(p.train.view(), &p.train_classes, p.n_classes(), &studies, 2)
        .unwrap();
    assert_eq!(report.gan.unwrap().n_studies, 2);
    assert_eq!(gan.n_studies(), Some(2));
    let a = gan.generate_in_study(1, 1, 8, 3).unwrap();
    assert_eq!(bits(&a), bits(&gan.generate_in_study(1, 1, 8, 3).unwrap()));
    assert_ne!(a, gan.generate_in_study(1, 0, 8, 3).unwrap());
    assert_eq!(gan.generate(1, 8, 3).unwrap().dim(), (8, common::GENES));
    assert!(matches!(
        gan.generate_in_study(1, 2, 8, 3),
        Err(Error::UnknownStudy {
            study: 2,
            n_studies: 2
        })
    ));
    // Saved and reloaded with its study conditioning.
    let dir = tempfile::tempdir().unwrap();
    gan.save(dir.path()).unwrap();
    let loaded = Gan::load(dir.path()).unwrap();
    assert_eq!(
        bits(&loaded.generate(1, 8, 3).unwrap()),
        bits(&gan.generate(1, 8, 3).unwrap())
    );
    // Bad study input.
    let mut g = Gan::new(test_params(1, 0));
    assert!(matches!(
        g.fit_with_studies(p.train.view(), &p.train_classes, 6, &studies[1..], 2),
        Err(Error::Model(e)) if matches!(*e, ModelError::ShapeMismatch { .. })
    ));
    assert!(matches!(
        g.fit_with_studies(p.train.view(), &p.train_classes, 6, &studies, 1),
        Err(Error::UnknownStudy { study: 1, .. })
    ));
    assert!(matches!(
        g.fit_with_studies(p.train.view(), &p.train_classes, 6, &studies, 0),
        Err(Error::Empty { .. })
    ));
    // A class-only generator has no studies.
    assert!(matches!(
        trained().0.generate_in_study(0, 0, 1, 0),
        Err(Error::UnknownStudy { n_studies: 0, .. })
    ));
}

#[test]
fn bad_hyperparameters_are_refused_by_name() {
    let p = problem();
    let cases: Vec<(&str, GanParams)> = vec![
        (
            "noise_dim",
            GanParams {
                noise_dim: 0,
                ..test_params(1, 0)
            },
        ),
        (
            "generator_hidden",
            GanParams {
                generator_hidden: vec![],
                ..test_params(1, 0)
            },
        ),
        (
            "critic_hidden",
            GanParams {
                critic_hidden: vec![8, 0],
                ..test_params(1, 0)
            },
        ),
        ("epochs", test_params(0, 0)),
        (
            "batch_size",
            GanParams {
                batch_size: 0,
                ..test_params(1, 0)
            },
        ),
        (
            "n_critic",
            GanParams {
                n_critic: 0,
                ..test_params(1, 0)
            },
        ),
        (
            "gp_weight",
            GanParams {
                gp_weight: 0.0,
                ..test_params(1, 0)
            },
        ),
        (
            "learning_rate",
            GanParams {
                learning_rate: f32::NAN,
                ..test_params(1, 0)
            },
        ),
        (
            "beta1",
            GanParams {
                beta1: 1.0,
                ..test_params(1, 0)
            },
        ),
        (
            "beta2",
            GanParams {
                beta2: -0.1,
                ..test_params(1, 0)
            },
        ),
        (
            "leaky_slope",
            GanParams {
                leaky_slope: 1.5,
                ..test_params(1, 0)
            },
        ),
    ];
    for (name, params) in cases {
        let err = Gan::new(params)
            .fit(p.train.view(), &p.train_classes, p.n_classes())
            .unwrap_err();
        match err {
            Error::Model(e) => match *e {
                ModelError::InvalidParameter { name: got, .. } => assert_eq!(got, name),
                other => panic!("{name}: {other}"),
            },
            other => panic!("{name}: {other}"),
        }
    }
}

#[test]
fn bad_input_is_refused() {
    let p = problem();
    let quick = || Gan::new(test_params(1, 0));
    // NaN in the training matrix.
    let mut x = p.train.clone();
    x[[3, 5]] = f32::NAN;
    let err = quick()
        .fit(x.view(), &p.train_classes, p.n_classes())
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::NonFinite {
                sample: 3,
                gene: 5,
                ..
            }
        ),
        "{err}"
    );
    // Classes of another length; a class index past n_classes.
    assert!(matches!(
        quick().fit(p.train.view(), &p.train_classes[1..], p.n_classes()),
        Err(Error::Model(e)) if matches!(*e, ModelError::ShapeMismatch { .. })
    ));
    assert!(matches!(
        quick().fit(p.train.view(), &p.train_classes, 3),
        Err(Error::UnknownClass { n_classes: 3, .. })
    ));
    // Empty input.
    assert!(matches!(
        quick().fit(p.train.slice(ndarray::s![..0, ..]), &[], 2),
        Err(Error::Empty { .. })
    ));
    // Generating before fitting, an unknown class, a class never seen.
    assert!(
        matches!(quick().generate(0, 1, 0), Err(Error::Model(e)) if matches!(*e, ModelError::NotFitted))
    );
    assert!(matches!(
        quick().save(&std::env::temp_dir().join("never-written")),
        Err(Error::Model(e)) if matches!(*e, ModelError::NotFitted)
    ));
    let (gan, _) = trained();
    assert!(matches!(
        gan.generate(6, 1, 0),
        Err(Error::UnknownClass {
            class: 6,
            n_classes: 6
        })
    ));
    let mut seven = quick();
    seven.fit(p.train.view(), &p.train_classes, 7).unwrap();
    assert!(matches!(
        seven.generate(6, 1, 0),
        Err(Error::TooFewSamples {
            class: 6,
            have: 0,
            ..
        })
    ));
    // Topping up data with another gene count than the generator's.
    let names: Vec<Option<&str>> = p.train_classes.iter().map(|&c| Some(TISSUES[c])).collect();
    let labels =
        Labels::with_classes(TISSUES.iter().map(|t| t.to_string()).collect(), &names).unwrap();
    let fewer = p.train.slice(ndarray::s![.., ..150]);
    assert!(matches!(
        top_up(gan, fewer, &labels, SCARCE, 44, 0),
        Err(Error::GeneCountMismatch {
            expected: 200,
            got: 150
        })
    ));
    // Topping up with the right genes works with a loaded generator's interface.
    let (x, l, n) = top_up(gan, p.train.view(), &labels, SCARCE, 44, 0).unwrap();
    assert_eq!(n, 32);
    assert_eq!(x.len_of(Axis(0)), p.train.nrows() + 32);
    assert_eq!(l.class_counts()[SCARCE], 44);
}

/// The bit patterns of a matrix (so that -0.0 and NaN compare exactly).
fn bits(a: &Array2<f32>) -> Vec<u32> {
    a.iter().map(|v| v.to_bits()).collect()
}
