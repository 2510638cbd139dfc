//! Property tests of every split recipe: no study (or GTEx donor) on both sides, classes in test
//! without training data are exactly those reported, and the same seed gives the same split.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use rnameta_core::{DataSource, Labels, SampleMeta, Task};
use rnameta_preprocess::split::{
    gtex_donor, gtex_split, kfold_by_study, sex_split, source_split, tissue_split, Split,
};

const CLASSES: [&str; 4] = ["brain", "liver", "lung", "skin"];

/// Studies of 1..8 samples, classes drawn per sample (some unlabelled).
fn samples_strategy() -> impl Strategy<Value = Vec<SampleMeta>> {
    prop::collection::vec(
        prop::collection::vec(prop::option::weighted(0.9, 0usize..4), 1..8),
        2..14,
    )
    .prop_map(|studies| {
        let mut out = Vec::new();
        for (s, classes) in studies.iter().enumerate() {
            for (i, c) in classes.iter().enumerate() {
                // GTEx-like ids: donor = study here, so donors never cross studies.
                let mut m = SampleMeta::new(format!("GTEX-D{s}-{i}"), DataSource::Sra);
                m.study = Some(format!("SRP{s:03}"));
                m.tissue = c.map(|c| CLASSES[c].to_owned());
                out.push(m);
            }
        }
        out
    })
}

fn check(
    split: &Split,
    samples: &[SampleMeta],
    labels: &Labels,
    key: impl Fn(&SampleMeta) -> String,
) {
    let mut group_side: Vec<(String, usize)> = Vec::new();
    for (side, rows) in [&split.train, &split.test, &split.validation]
        .iter()
        .enumerate()
    {
        for &r in rows.iter() {
            group_side.push((key(&samples[r]), side));
        }
    }
    let mut side_of: BTreeMap<String, usize> = BTreeMap::new();
    for (g, side) in group_side {
        let first = *side_of.entry(g.clone()).or_insert(side);
        assert_eq!(first, side, "group {g} on two sides");
    }
    // Every labelled sample is placed exactly once; unlabelled ones nowhere.
    let mut all: Vec<usize> = split
        .train
        .iter()
        .chain(&split.test)
        .chain(&split.validation)
        .copied()
        .collect();
    all.sort_unstable();
    let labelled: Vec<usize> = (0..samples.len())
        .filter(|&i| labels.assigned()[i].is_some())
        .collect();
    assert_eq!(all, labelled);
    let trained: BTreeSet<usize> = split
        .train
        .iter()
        .filter_map(|&r| labels.assigned()[r])
        .collect();
    let missing: BTreeSet<String> = split
        .test
        .iter()
        .chain(&split.validation)
        .filter_map(|&r| labels.assigned()[r])
        .filter(|c| !trained.contains(c))
        .map(|c| labels.classes()[c].clone())
        .collect();
    assert_eq!(
        split.test_classes_without_training,
        missing.into_iter().collect::<Vec<_>>()
    );
}

fn study(s: &SampleMeta) -> String {
    s.study.clone().unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn every_recipe_keeps_studies_apart(samples in samples_strategy(), seed in 0u64..1000) {
        let labels = Labels::for_task(Task::Tissue, &samples);
        let t = tissue_split(&samples, &labels).unwrap();
        check(&t, &samples, &labels, study);
        // The tissue recipe trains on the largest studies of every class: no class lacks training.
        prop_assert!(t.test_classes_without_training.is_empty());
        let s = sex_split(&samples, &labels, seed).unwrap();
        check(&s, &samples, &labels, study);
        // The study recipes give every class a training study, moving one where the rule did not.
        prop_assert!(s.test_classes_without_training.is_empty());
        prop_assert_eq!(&s, &sex_split(&samples, &labels, seed).unwrap());
        let src = source_split(&samples, &labels).unwrap();
        check(&src, &samples, &labels, study);
        prop_assert!(src.test_classes_without_training.is_empty());
        let g = gtex_split(&samples, &labels, 0.2, seed).unwrap();
        check(&g, &samples, &labels, |m| gtex_donor(&m.sample_id));
        prop_assert_eq!(&g, &gtex_split(&samples, &labels, 0.2, seed).unwrap());
        let n_studies = samples
            .iter()
            .filter(|m| m.tissue.is_some())
            .map(study)
            .collect::<BTreeSet<_>>()
            .len();
        if n_studies >= 3 {
            let folds = kfold_by_study(&samples, &labels, 3, seed).unwrap();
            let mut tested = Vec::new();
            for f in &folds {
                check(f, &samples, &labels, study);
                tested.extend(f.test.iter().copied());
            }
            tested.sort_unstable();
            let labelled: Vec<usize> = (0..samples.len()).filter(|&i| labels.assigned()[i].is_some()).collect();
            prop_assert_eq!(tested, labelled);
            prop_assert_eq!(&folds, &kfold_by_study(&samples, &labels, 3, seed).unwrap());
        }
    }
}

#[test]
fn sex_split_is_about_half_and_half() {
    let mut samples = Vec::new();
    for s in 0..40 {
        for i in 0..5 {
            let mut m = SampleMeta::new(format!("s{s}-{i}"), DataSource::Sra);
            m.study = Some(format!("SRP{s}"));
            m.sex = Some(if i % 2 == 0 {
                rnameta_core::Sex::Female
            } else {
                rnameta_core::Sex::Male
            });
            samples.push(m);
        }
    }
    let labels = Labels::for_task(Task::Sex, &samples);
    let split = sex_split(&samples, &labels, 7).unwrap();
    assert_eq!(split.train.len(), 100);
    assert_eq!(split.test.len(), 100);
    assert_ne!(split, sex_split(&samples, &labels, 8).unwrap());
}
