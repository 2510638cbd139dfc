//! Multi-label evaluation: per-label precision, recall, F1 and exact AUROC (ties counted half), with
//! micro and macro averages. A label of the truth that the model does not know, and a model label
//! never seen in training, are reported, never dropped.

use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};

use crate::{Error, LabelSets, Result};

/// Scores of one label.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelScores {
    /// The label.
    pub label: String,
    /// Samples that truly have it.
    pub support: usize,
    /// True positives, false positives, false negatives at the threshold.
    pub tp: usize,
    /// False positives.
    pub fp: usize,
    /// False negatives.
    pub fn_: usize,
    /// tp / (tp + fp); 0 when nothing was predicted positive.
    pub precision: f64,
    /// tp / (tp + fn); 0 when the label has no positive sample.
    pub recall: f64,
    /// Harmonic mean of precision and recall; 0 when both are 0.
    pub f1: f64,
    /// Area under the ROC curve; `None` when the truth has only one class for this label.
    pub auroc: Option<f64>,
}

/// Per-label scores with their averages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MultiLabelReport {
    /// One entry per model label, in the model's order.
    pub per_label: Vec<LabelScores>,
    /// Precision, recall and F1 from the summed tp / fp / fn of all labels.
    pub micro_precision: f64,
    /// Micro recall.
    pub micro_recall: f64,
    /// Micro F1.
    pub micro_f1: f64,
    /// Unweighted mean of the per-label F1.
    pub macro_f1: f64,
    /// Unweighted mean of the per-label AUROC, over labels where it is defined.
    pub macro_auroc: Option<f64>,
    /// Model labels with no positive training sample (passed in by the caller from the fit report).
    pub labels_without_training_positives: Vec<String>,
}

/// Scores label probabilities `proba` (samples x model labels, in `model_labels` order) against the
/// truth; a sample has a label when its probability is `>= threshold`. Truth labels are matched by
/// name; a truth label the model does not have is [`Error::UnknownLabel`].
pub fn multilabel_report(
    truth: &LabelSets,
    proba: ArrayView2<'_, f32>,
    model_labels: &[String],
    threshold: f32,
    labels_without_training_positives: &[String],
) -> Result<MultiLabelReport> {
    if proba.nrows() != truth.len() || proba.ncols() != model_labels.len() {
        return Err(Error::ShapeMismatch {
            what: "probability matrix vs truth samples x model labels",
            expected: truth.len() * model_labels.len(),
            got: proba.len(),
        });
    }
    // Map each truth label to its model column.
    let to_model: Vec<usize> = truth
        .labels()
        .iter()
        .map(|l| {
            model_labels
                .iter()
                .position(|m| m == l)
                .ok_or_else(|| Error::UnknownLabel {
                    name: l.clone(),
                    known: model_labels.join(", "),
                })
        })
        .collect::<Result<_>>()?;
    let n = truth.len();
    let k = model_labels.len();
    let mut has = vec![vec![false; n]; k];
    for (i, sample_labels) in (0..n).map(|i| (i, truth.sample_labels(i))) {
        for &l in sample_labels {
            has[to_model[l]][i] = true;
        }
    }
    let mut per_label = Vec::with_capacity(k);
    let (mut tp_all, mut fp_all, mut fn_all) = (0, 0, 0);
    for (j, label) in model_labels.iter().enumerate() {
        let scores: Vec<f32> = proba.column(j).to_vec();
        let (mut tp, mut fp, mut fn_) = (0, 0, 0);
        for (s, &t) in scores.iter().zip(&has[j]) {
            match (*s >= threshold, t) {
                (true, true) => tp += 1,
                (true, false) => fp += 1,
                (false, true) => fn_ += 1,
                _ => {}
            }
        }
        tp_all += tp;
        fp_all += fp;
        fn_all += fn_;
        let (precision, recall, f1) = prf(tp, fp, fn_);
        per_label.push(LabelScores {
            label: label.clone(),
            support: tp + fn_,
            tp,
            fp,
            fn_,
            precision,
            recall,
            f1,
            auroc: auroc(&scores, &has[j]),
        });
    }
    let (micro_precision, micro_recall, micro_f1) = prf(tp_all, fp_all, fn_all);
    let macro_f1 = per_label.iter().map(|s| s.f1).sum::<f64>() / k.max(1) as f64;
    let aucs: Vec<f64> = per_label.iter().filter_map(|s| s.auroc).collect();
    let macro_auroc = (!aucs.is_empty()).then(|| aucs.iter().sum::<f64>() / aucs.len() as f64);
    Ok(MultiLabelReport {
        per_label,
        micro_precision,
        micro_recall,
        micro_f1,
        macro_f1,
        macro_auroc,
        labels_without_training_positives: labels_without_training_positives.to_vec(),
    })
}

/// Precision, recall and F1 from counts (0 where undefined).
fn prf(tp: usize, fp: usize, fn_: usize) -> (f64, f64, f64) {
    let p = if tp + fp > 0 {
        tp as f64 / (tp + fp) as f64
    } else {
        0.0
    };
    let r = if tp + fn_ > 0 {
        tp as f64 / (tp + fn_) as f64
    } else {
        0.0
    };
    let f = if p + r > 0.0 {
        2.0 * p * r / (p + r)
    } else {
        0.0
    };
    (p, r, f)
}

/// Exact AUROC: the probability that a random positive scores above a random negative, ties counted
/// one half (the Mann-Whitney U statistic with mid-ranks). `None` without both classes.
pub fn auroc(scores: &[f32], positive: &[bool]) -> Option<f64> {
    let n_pos = positive.iter().filter(|&&p| p).count();
    let n_neg = positive.len() - n_pos;
    if n_pos == 0 || n_neg == 0 {
        return None;
    }
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    let mut rank_sum_pos = 0.0;
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && scores[order[j + 1]] == scores[order[i]] {
            j += 1;
        }
        // Ranks i+1 ..= j+1 share their mean.
        let mid = (i + j) as f64 / 2.0 + 1.0;
        for &o in &order[i..=j] {
            if positive[o] {
                rank_sum_pos += mid;
            }
        }
        i = j + 1;
    }
    let u = rank_sum_pos - (n_pos * (n_pos + 1)) as f64 / 2.0;
    Some(u / (n_pos as f64 * n_neg as f64))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn auroc_counts_ties_half() {
        // Positives 0.8, 0.5; negatives 0.5, 0.1. Pairs: (0.8>0.5) 1, (0.8>0.1) 1, (0.5=0.5) 0.5,
        // (0.5>0.1) 1 -> 3.5 / 4 = 0.875 (sklearn.metrics.roc_auc_score([1,1,0,0],[.8,.5,.5,.1])
        // gives 0.875).
        let a = auroc(&[0.8, 0.5, 0.5, 0.1], &[true, true, false, false]).unwrap();
        assert!((a - 0.875).abs() < 1e-12);
        assert_eq!(auroc(&[0.1, 0.2], &[true, true]), None);
    }

    #[test]
    fn micro_and_macro_by_hand() {
        // Labels a, b. Truth: s0 {a}, s1 {a, b}, s2 {}. Predictions at 0.5:
        // a: s0 yes, s1 no, s2 yes -> tp 1, fp 1, fn 1: P 0.5 R 0.5 F1 0.5.
        // b: s1 yes only -> tp 1: P 1 R 1 F1 1. Micro: tp 2 fp 1 fn 1 -> P R F1 = 2/3.
        let truth = LabelSets::from_names(&[vec!["a"], vec!["a", "b"], vec![]]);
        let p = array![[0.9f32, 0.1], [0.2, 0.7], [0.6, 0.0]];
        let labels = vec!["a".to_owned(), "b".to_owned()];
        let r = multilabel_report(&truth, p.view(), &labels, 0.5, &[]).unwrap();
        assert_eq!(
            (r.per_label[0].tp, r.per_label[0].fp, r.per_label[0].fn_),
            (1, 1, 1)
        );
        assert!((r.per_label[0].f1 - 0.5).abs() < 1e-12);
        assert!((r.per_label[1].f1 - 1.0).abs() < 1e-12);
        assert!((r.micro_f1 - 2.0 / 3.0).abs() < 1e-12);
        assert!((r.macro_f1 - 0.75).abs() < 1e-12);
        // AUROC of a: positives 0.9, 0.2 vs negative 0.6 -> 1 of 2 pairs = 0.5.
        assert_eq!(r.per_label[0].auroc, Some(0.5));
    }

    #[test]
    fn truth_label_unknown_to_the_model_is_an_error() {
        let truth = LabelSets::from_names(&[vec!["a"], vec!["z"]]);
        let p = array![[0.9f32], [0.2]];
        let err = multilabel_report(&truth, p.view(), &["a".to_owned()], 0.5, &[]).unwrap_err();
        assert!(err.to_string().contains("\"z\""));
    }
}
