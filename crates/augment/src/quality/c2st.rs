//! The classifier two-sample test (Lopez-Paz & Oquab 2017): train a classifier to tell real
//! from generated samples and score it on samples it did not train on. An AUC of 0.5 means the
//! classifier cannot tell them apart; 1 means every generated sample is recognisable.
//!
//! The classifier is `rnameta_models::LogisticRegression` (L2, C = 1, on standardised genes): a
//! linear model needs few samples, and what it catches (shifted genes, wrong gene-gene
//! directions) is what a downstream linear or tree classifier would exploit. Out-of-fold
//! probabilities of stratified k-fold cross-validation are pooled into one exact rank AUC.

use ndarray::{concatenate, ArrayView2, Axis};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rnameta_core::{DataSource, Labels, SampleMeta};
use rnameta_models::Error as ModelError;
use rnameta_models::{Classifier, LogisticParams, LogisticRegression};

use crate::quality::check_pair;
use crate::Result;

/// Exact area under the ROC curve of scores `positive` against `negative`: the probability that
/// a random positive scores above a random negative, ties counting one half (Mann-Whitney U with
/// average ranks). NaN when either side is empty.
pub fn rank_auc(positive: &[f64], negative: &[f64]) -> f64 {
    let (np, nn) = (positive.len(), negative.len());
    if np == 0 || nn == 0 {
        return f64::NAN;
    }
    let mut all: Vec<(f64, bool)> = positive
        .iter()
        .map(|&s| (s, true))
        .chain(negative.iter().map(|&s| (s, false)))
        .collect();
    all.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut rank_sum = 0.0;
    let mut i = 0;
    while i < all.len() {
        let mut j = i;
        while j < all.len() && all[j].0 == all[i].0 {
            j += 1;
        }
        // Ranks i+1..=j share their average.
        let rank = (i + 1 + j) as f64 / 2.0;
        rank_sum += rank * all[i..j].iter().filter(|e| e.1).count() as f64;
        i = j;
    }
    (rank_sum - (np * (np + 1)) as f64 / 2.0) / (np as f64 * nn as f64)
}

/// Cross-validated AUC of a logistic regression telling `generated` (positive) from `real` rows,
/// with `folds` stratified folds (fewer when a side has fewer rows; each side needs two) shuffled
/// by `seed`.
pub fn c2st_auc(
    real: ArrayView2<'_, f32>,
    generated: ArrayView2<'_, f32>,
    folds: usize,
    seed: u64,
) -> Result<f64> {
    check_pair(
        real,
        generated,
        "the real samples",
        "the generated samples",
        2,
    )?;
    if folds < 2 {
        return Err(ModelError::InvalidParameter {
            name: "folds",
            reason: format!("{folds}: cross-validation needs at least 2"),
        }
        .into());
    }
    let (nr, ng) = (real.nrows(), generated.nrows());
    let k = folds.min(nr).min(ng);
    let x = concatenate(Axis(0), &[real.view(), generated.view()]).expect("same columns, checked");
    let is_generated: Vec<bool> = (0..nr + ng).map(|i| i >= nr).collect();
    // Stratified folds: each side shuffled, then dealt round-robin.
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut fold_of = vec![0usize; nr + ng];
    for range in [0..nr, nr..nr + ng] {
        let mut idx: Vec<usize> = range.collect();
        idx.shuffle(&mut rng);
        for (pos, i) in idx.into_iter().enumerate() {
            fold_of[i] = pos % k;
        }
    }
    let meta: Vec<SampleMeta> = (0..nr + ng)
        .map(|i| SampleMeta::new(format!("s{i}"), DataSource::Other))
        .collect();
    let mut score = vec![0f64; nr + ng];
    for fold in 0..k {
        let train: Vec<usize> = (0..nr + ng).filter(|&i| fold_of[i] != fold).collect();
        let test: Vec<usize> = (0..nr + ng).filter(|&i| fold_of[i] == fold).collect();
        let names: Vec<Option<&str>> = train
            .iter()
            .map(|&i| Some(if is_generated[i] { "generated" } else { "real" }))
            .collect();
        let labels = Labels::with_classes(vec!["generated".into(), "real".into()], &names)
            .expect("both names are classes");
        let xt = x.select(Axis(0), &train);
        let train_meta: Vec<SampleMeta> = train.iter().map(|&i| meta[i].clone()).collect();
        let mut model = LogisticRegression::new(LogisticParams {
            c: 1.0,
            max_iter: 300,
            tol: 1e-5,
        })?;
        model.fit(xt.view(), &labels, &train_meta)?;
        let p = model.predict_proba(x.select(Axis(0), &test).view())?;
        for (row, &i) in test.iter().enumerate() {
            score[i] = p[[row, 0]] as f64;
        }
    }
    let (pos, neg): (Vec<f64>, Vec<f64>) = {
        let pos = (nr..nr + ng).map(|i| score[i]).collect();
        let neg = (0..nr).map(|i| score[i]).collect();
        (pos, neg)
    };
    Ok(rank_auc(&pos, &neg))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rank_auc_counts_ties_as_half() {
        assert_eq!(rank_auc(&[3.0, 4.0], &[1.0, 2.0]), 1.0);
        assert_eq!(rank_auc(&[1.0, 2.0], &[3.0, 4.0]), 0.0);
        assert_eq!(rank_auc(&[1.0], &[1.0]), 0.5);
        // Pairs: (2 vs 1) win, (2 vs 2) tie, (0 vs 1) loss, (0 vs 2) loss -> 1.5 / 4.
        assert_eq!(rank_auc(&[2.0, 0.0], &[1.0, 2.0]), 0.375);
        assert!(rank_auc(&[], &[1.0]).is_nan());
    }
}
