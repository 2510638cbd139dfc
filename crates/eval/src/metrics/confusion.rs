//! The confusion matrix: counts of (true class, predicted class) pairs, with unassigned samples
//! counted per true class. Accuracies are derived from it, so that msa, mca and per-class accuracy
//! can never disagree with the matrix a report shows.

use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};

use super::input::{check_labels, Prediction};
use crate::table::{Cell, Table};
use crate::{Error, Result};

/// Counts of samples by true class (rows) and predicted class (columns), plus the samples of each
/// true class that were left unassigned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfusionMatrix {
    counts: Array2<u64>,
    unassigned: Vec<u64>,
}

impl ConfusionMatrix {
    /// Counts `pred` against `truth` over `n_classes` classes.
    ///
    /// Errors: no sample, lengths that differ, a class index `>= n_classes`, `n_classes == 0`.
    pub fn new<P: Prediction>(truth: &[usize], pred: &[P], n_classes: usize) -> Result<Self> {
        check_labels(truth, pred, n_classes)?;
        let mut counts = Array2::<u64>::zeros((n_classes, n_classes));
        let mut unassigned = vec![0u64; n_classes];
        for (&t, p) in truth.iter().zip(pred) {
            match p.class() {
                Some(c) => counts[[t, c]] += 1,
                None => unassigned[t] += 1,
            }
        }
        Ok(Self { counts, unassigned })
    }

    /// Number of classes (rows and columns).
    pub fn n_classes(&self) -> usize {
        self.unassigned.len()
    }

    /// The counts, `[true class, predicted class]`.
    pub fn counts(&self) -> ArrayView2<'_, u64> {
        self.counts.view()
    }

    /// Samples of true class `truth` predicted as `pred`; 0 for indices out of range.
    pub fn get(&self, truth: usize, pred: usize) -> u64 {
        self.counts.get([truth, pred]).copied().unwrap_or(0)
    }

    /// Unassigned samples per true class.
    pub fn unassigned(&self) -> &[u64] {
        &self.unassigned
    }

    /// Samples whose true class is `class` (assigned or not): the class's support.
    pub fn support(&self, class: usize) -> u64 {
        if class >= self.n_classes() {
            return 0;
        }
        self.counts.row(class).sum() + self.unassigned[class]
    }

    /// All samples counted.
    pub fn total(&self) -> u64 {
        self.counts.sum() + self.unassigned.iter().sum::<u64>()
    }

    /// Samples predicted as their true class (the diagonal).
    pub fn correct(&self) -> u64 {
        self.counts.diag().sum()
    }

    /// Mean sample accuracy (micro accuracy): correct samples over all samples.
    pub fn msa(&self) -> f64 {
        self.correct() as f64 / self.total() as f64
    }

    /// Recall of each class (correct over its support; unassigned count as wrong), `None` for a
    /// class with no sample in the truth.
    pub fn per_class_accuracy(&self) -> Vec<Option<f64>> {
        (0..self.n_classes())
            .map(|c| {
                let support = self.support(c);
                (support > 0).then(|| self.counts[[c, c]] as f64 / support as f64)
            })
            .collect()
    }

    /// Mean class accuracy (macro recall): the unweighted mean of the per-class accuracies of the
    /// classes present in the truth. A matrix always holds at least one sample, so this is defined.
    pub fn mca(&self) -> f64 {
        let present: Vec<f64> = self.per_class_accuracy().into_iter().flatten().collect();
        present.iter().sum::<f64>() / present.len() as f64
    }

    /// The matrix as a [`Table`] with class names: one row per true class, one column per predicted
    /// class, then an `unassigned` column when any sample is unassigned, then the row total.
    ///
    /// Errors: `class_names` does not have one name per class.
    pub fn to_table(&self, title: impl Into<String>, class_names: &[String]) -> Result<Table> {
        if class_names.len() != self.n_classes() {
            return Err(Error::length(
                "class names vs confusion matrix classes",
                self.n_classes(),
                class_names.len(),
            ));
        }
        let with_unassigned = self.unassigned.iter().any(|&u| u > 0);
        let mut columns = vec!["truth / predicted".to_string()];
        columns.extend(class_names.iter().cloned());
        if with_unassigned {
            columns.push("unassigned".into());
        }
        columns.push("total".into());
        let rows = (0..self.n_classes())
            .map(|t| {
                let mut row = vec![Cell::Text(class_names[t].clone())];
                row.extend(self.counts.row(t).iter().map(|&n| Cell::count(n)));
                if with_unassigned {
                    row.push(Cell::count(self.unassigned[t]));
                }
                row.push(Cell::count(self.support(t)));
                row
            })
            .collect();
        Ok(Table {
            title: title.into(),
            columns,
            rows,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_by_truth_and_prediction() {
        // truth: 0 0 0 1 1 2 ; pred: 0 1 - 1 1 0 (- = unassigned)
        let truth = [0, 0, 0, 1, 1, 2];
        let pred = [Some(0), Some(1), None, Some(1), Some(1), Some(0)];
        let m = ConfusionMatrix::new(&truth, &pred, 3).unwrap();
        assert_eq!(m.get(0, 0), 1);
        assert_eq!(m.get(0, 1), 1);
        assert_eq!(m.get(1, 1), 2);
        assert_eq!(m.get(2, 0), 1);
        assert_eq!(m.get(2, 2), 0);
        assert_eq!(m.unassigned(), &[1, 0, 0]);
        assert_eq!((m.support(0), m.support(1), m.support(2)), (3, 2, 1));
        assert_eq!((m.total(), m.correct()), (6, 3));
        // msa = 3 correct / 6 = 0.5
        assert_eq!(m.msa(), 0.5);
        // recall: class 0: 1/3, class 1: 2/2, class 2: 0/1; mca = (1/3 + 1 + 0) / 3 = 4/9
        assert_eq!(
            m.per_class_accuracy(),
            vec![Some(1.0 / 3.0), Some(1.0), Some(0.0)]
        );
        assert!((m.mca() - 4.0 / 9.0).abs() < 1e-15);
    }

    #[test]
    fn renders_with_class_names_and_unassigned() {
        let m = ConfusionMatrix::new(&[0, 0, 1], &[Some(0), None, Some(0)], 2).unwrap();
        let names = vec!["lung".to_string(), "liver".to_string()];
        let md = m
            .to_table("confusion", &names)
            .unwrap()
            .to_markdown()
            .unwrap();
        assert!(
            md.contains("| truth / predicted | lung | liver | unassigned | total |"),
            "{md}"
        );
        assert!(md.contains("| lung | 1 | 0 | 1 | 2 |"), "{md}");
        assert!(md.contains("| liver | 1 | 0 | 0 | 1 |"), "{md}");
        let err = m.to_table("confusion", &names[..1]).unwrap_err();
        assert!(matches!(
            err,
            Error::LengthMismatch {
                expected: 2,
                found: 1,
                ..
            }
        ));
        // Without unassigned samples the column is left out.
        let m = ConfusionMatrix::new(&[0, 1], &[0usize, 1], 2).unwrap();
        let t = m.to_table("c", &names).unwrap();
        assert_eq!(t.columns, ["truth / predicted", "lung", "liver", "total"]);
    }
}
