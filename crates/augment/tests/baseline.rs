//! The noise and interpolation baselines and the `augment_class` / `top_up` helpers on the small
//! simulated problem (simulated data, see `common`).

mod common;

use common::{problem, SCARCE, TISSUES};
use ndarray::{array, s, Array2};
use rnameta_augment::quality::pearson;
use rnameta_augment::{
    augment_class, generation_seed, Augmenter, Error, GanParams, InterpolationAugmenter,
    InterpolationParams, Method, NoiseAugmenter, NoiseParams,
};
use rnameta_core::Labels;
use rnameta_models::Error as ModelError;

/// Per-gene means and population sds of the rows of `x`.
fn moments(x: &Array2<f32>) -> (Vec<f64>, Vec<f64>) {
    let n = x.nrows() as f64;
    let mean: Vec<f64> = x
        .columns()
        .into_iter()
        .map(|c| c.iter().map(|&v| v as f64).sum::<f64>() / n)
        .collect();
    let sd = x
        .columns()
        .into_iter()
        .zip(&mean)
        .map(|(c, m)| (c.iter().map(|&v| (v as f64 - m).powi(2)).sum::<f64>() / n).sqrt())
        .collect();
    (mean, sd)
}

fn labels_of(classes: &[usize]) -> Labels {
    let names: Vec<Option<&str>> = classes.iter().map(|&c| Some(TISSUES[c])).collect();
    Labels::with_classes(TISSUES.iter().map(|t| t.to_string()).collect(), &names).unwrap()
}

#[test]
fn noise_samples_keep_the_class_means_and_widen_its_spread() {
    let p = problem();
    let mut noise = NoiseAugmenter::new(NoiseParams { scale: 0.5 });
    let report = noise
        .fit(p.train.view(), &p.train_classes, p.n_classes())
        .unwrap();
    assert_eq!(report.method, "noise");
    assert_eq!(report.class_counts, vec![12, 44, 44, 44, 44, 44]);
    assert!(report.gan.is_none());
    let class = 3;
    let train = p.train_of(class);
    let generated = noise.generate(class, 2000, 1).unwrap();
    let (gm, gsd) = moments(&generated);
    let (tm, tsd) = moments(&train);
    assert!(pearson(&gm, &tm) > 0.999, "{}", pearson(&gm, &tm));
    // Variance grows by 0.5^2 times the sample variance (n - 1 = 43): the population sd by
    // sqrt(1 + 0.25 * 44 / 43) = 1.121 on average over genes.
    let ratio: f64 = gsd.iter().zip(&tsd).map(|(g, t)| g / t).sum::<f64>() / gsd.len() as f64;
    assert!((ratio - 1.121).abs() < 0.03, "sd ratio {ratio}");
    // Deterministic per seed, different between seeds.
    assert_eq!(generated, noise.generate(class, 2000, 1).unwrap());
    assert_ne!(generated, noise.generate(class, 2000, 2).unwrap());
}

#[test]
fn noise_of_scale_zero_copies_training_samples() {
    let p = problem();
    let mut noise = NoiseAugmenter::new(NoiseParams { scale: 0.0 });
    noise
        .fit(p.train.view(), &p.train_classes, p.n_classes())
        .unwrap();
    let train = p.train_of(SCARCE);
    for row in noise.generate(SCARCE, 20, 4).unwrap().rows() {
        assert!(train.rows().into_iter().any(|t| t == row));
    }
}

#[test]
fn interpolated_samples_lie_on_segments_between_same_class_neighbours() {
    let p = problem();
    let mut smote = InterpolationAugmenter::new(InterpolationParams { k: 3 });
    smote
        .fit(p.train.view(), &p.train_classes, p.n_classes())
        .unwrap();
    let train = p.train_of(SCARCE);
    let generated = smote.generate(SCARCE, 30, 8).unwrap();
    for (i, y) in generated.rows().into_iter().enumerate() {
        // Some pair (a, b) of training samples with y = a + u (b - a), u in [0, 1].
        let on_segment = train.rows().into_iter().any(|a| {
            train.rows().into_iter().any(|b| {
                let d = &b - &a;
                let dd: f32 = d.dot(&d);
                if dd == 0.0 {
                    return false;
                }
                let u = (&y - &a).dot(&d) / dd;
                let residual = (&y - &a - &(&d * u)).mapv(|v| v * v).sum().sqrt();
                (-1e-4..=1.0 + 1e-4).contains(&u) && residual < 1e-3
            })
        });
        assert!(on_segment, "generated sample {i} is on no segment");
    }
    assert_eq!(generated, smote.generate(SCARCE, 30, 8).unwrap());
    assert_ne!(generated, smote.generate(SCARCE, 30, 9).unwrap());
}

#[test]
fn baselines_refuse_bad_parameters_and_classes() {
    let x = array![[1.0f32, 2.0], [3.0, 4.0], [5.0, 7.0]];
    let classes = [0, 0, 1];
    for scale in [-1.0, f32::NAN] {
        let err = NoiseAugmenter::new(NoiseParams { scale })
            .fit(x.view(), &classes, 2)
            .unwrap_err();
        assert!(
            matches!(err, Error::Model(ref e) if matches!(**e, ModelError::InvalidParameter { name: "scale", .. })),
            "{err}"
        );
    }
    let err = InterpolationAugmenter::new(InterpolationParams { k: 0 })
        .fit(x.view(), &classes, 2)
        .unwrap_err();
    assert!(
        matches!(err, Error::Model(ref e) if matches!(**e, ModelError::InvalidParameter { name: "k", .. })),
        "{err}"
    );

    let mut smote = InterpolationAugmenter::new(InterpolationParams::default());
    assert!(
        matches!(smote.generate(0, 1, 0), Err(Error::Model(e)) if matches!(*e, ModelError::NotFitted))
    );
    assert_eq!(smote.n_genes(), None);
    smote.fit(x.view(), &classes, 3).unwrap();
    assert_eq!(smote.n_genes(), Some(2));
    // One sample: nothing to interpolate with; none at all; a class that does not exist.
    let err = smote.generate(1, 1, 0).unwrap_err();
    assert!(
        matches!(
            err,
            Error::TooFewSamples {
                class: 1,
                have: 1,
                need: 2,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("interpolation"));
    assert!(matches!(
        smote.generate(2, 1, 0),
        Err(Error::TooFewSamples {
            class: 2,
            have: 0,
            ..
        })
    ));
    assert!(matches!(
        smote.generate(3, 1, 0),
        Err(Error::UnknownClass {
            class: 3,
            n_classes: 3
        })
    ));
    // Two samples of class 0: every sample on their one segment.
    let g = smote.generate(0, 5, 1).unwrap();
    for r in g.rows() {
        let u = (r[0] - 1.0) / 2.0;
        assert!((0.0..=1.0).contains(&u) && (r[1] - (2.0 + 2.0 * u)).abs() < 1e-6);
    }

    // Noise around a single sample uses the within-class sd of the other classes.
    let mut noise = NoiseAugmenter::new(NoiseParams { scale: 1.0 });
    noise.fit(x.view(), &classes, 3).unwrap();
    let g = noise.generate(1, 4000, 3).unwrap();
    let (m, sd) = moments(&g);
    // Class 0's sample sds are (sqrt 2, sqrt 2).
    assert!(
        (m[0] - 5.0).abs() < 0.1 && (m[1] - 7.0).abs() < 0.1,
        "{m:?}"
    );
    let root2 = 2f64.sqrt();
    assert!(
        (sd[0] - root2).abs() < 0.05 && (sd[1] - root2).abs() < 0.05,
        "{sd:?}"
    );
    assert!(matches!(
        noise.generate(2, 1, 0),
        Err(Error::TooFewSamples {
            class: 2,
            have: 0,
            need: 1,
            ..
        })
    ));

    // NaN and shape errors are shared with the GAN.
    let bad = array![[1.0f32, f32::INFINITY]];
    assert!(matches!(
        NoiseAugmenter::new(NoiseParams::default()).fit(bad.view(), &[0], 1),
        Err(Error::NonFinite {
            sample: 0,
            gene: 1,
            ..
        })
    ));
    assert!(matches!(
        NoiseAugmenter::new(NoiseParams::default()).fit(x.view(), &classes, 0),
        Err(Error::Empty { .. })
    ));
}

#[test]
fn augment_class_tops_the_scarce_class_up_to_the_target() {
    let p = problem();
    // Two unlabelled rows at the end: kept, not learnt from.
    let mut names: Vec<Option<&str>> = p.train_classes.iter().map(|&c| Some(TISSUES[c])).collect();
    names[0] = None;
    let labels =
        Labels::with_classes(TISSUES.iter().map(|t| t.to_string()).collect(), &names).unwrap();
    let method = Method::Interpolation(InterpolationParams::default());
    let out = augment_class(&method, p.train.view(), &labels, SCARCE, 44, 5).unwrap();
    let have = labels.class_counts()[SCARCE];
    assert_eq!(out.n_generated, 44 - have);
    assert_eq!(out.x.nrows(), p.train.nrows() + out.n_generated);
    assert_eq!(out.x.slice(s![..p.train.nrows(), ..]), p.train);
    assert_eq!(out.labels.classes(), labels.classes());
    assert_eq!(&out.labels.assigned()[..p.train.nrows()], labels.assigned());
    assert!(out.labels.assigned()[p.train.nrows()..]
        .iter()
        .all(|&a| a == Some(SCARCE)));
    assert_eq!(out.labels.class_counts()[SCARCE], 44);
    assert_eq!(out.report.n_samples, p.train.nrows() - 1);
    // The same call gives the same rows; generation uses the derived seed.
    let again = augment_class(&method, p.train.view(), &labels, SCARCE, 44, 5).unwrap();
    assert_eq!(again.x, out.x);
    let mut smote = InterpolationAugmenter::new(InterpolationParams::default());
    let (rows, classes): (Vec<usize>, Vec<usize>) = labels
        .assigned()
        .iter()
        .enumerate()
        .filter_map(|(r, c)| c.map(|c| (r, c)))
        .unzip();
    smote
        .fit(p.train.select(ndarray::Axis(0), &rows).view(), &classes, 6)
        .unwrap();
    assert_eq!(
        smote
            .generate(SCARCE, out.n_generated, generation_seed(5))
            .unwrap(),
        out.x.slice(s![p.train.nrows().., ..])
    );
    // A class already at the target gets nothing.
    let none = augment_class(&method, p.train.view(), &labels, 1, 10, 5).unwrap();
    assert_eq!(none.n_generated, 0);
    assert_eq!(none.x, p.train);
    // Bad calls.
    assert!(matches!(
        augment_class(&method, p.train.view(), &labels, 6, 10, 5),
        Err(Error::UnknownClass { class: 6, .. })
    ));
    assert!(matches!(
        augment_class(&method, p.train.slice(s![1.., ..]), &labels, 0, 10, 5),
        Err(Error::Model(e)) if matches!(*e, ModelError::ShapeMismatch { .. })
    ));
}

#[test]
fn every_method_tops_up_through_the_same_call() {
    let p = problem();
    let labels = labels_of(&p.train_classes);
    let gan = GanParams {
        noise_dim: 8,
        generator_hidden: vec![16],
        critic_hidden: vec![16],
        epochs: 2,
        quiet: true,
        ..GanParams::default()
    };
    for method in [
        Method::Noise(NoiseParams::default()),
        Method::Interpolation(InterpolationParams::default()),
        Method::Gan(gan),
    ] {
        let out = augment_class(&method, p.train.view(), &labels, SCARCE, 20, 1).unwrap();
        assert_eq!(out.n_generated, 8, "{}", method.name());
        assert_eq!(out.report.method, method.name());
        assert!(out.x.iter().all(|v| v.is_finite()));
        // Methods serialise with their name, for experiment manifests.
        let json = serde_json::to_string(&method).unwrap();
        assert!(
            json.contains(&format!("\"method\":\"{}\"", method.name())),
            "{json}"
        );
        let back: Method = serde_json::from_str(&json).unwrap();
        assert_eq!(back, method);
    }
}
