//! True positive rate per class over probability cutoffs (the paper's Supplementary Figure 10).
//!
//! A sample is *assigned* at a cutoff when its top probability is `>= cutoff`; below it, the sample
//! stays unannotated. The TPR of a class at a cutoff is the fraction of that class's samples that are
//! assigned *and* whose most probable class is the true one, so raising the cutoff can only lower it,
//! while the accuracy among assigned samples usually rises: the trade-off the figure shows.

use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};

use super::assign::check_cutoff;
use super::input::{check_proba, top};
use crate::table::{Cell, Table};
use crate::{Error, Result};

/// TPR per class and the assigned fraction, at each cutoff.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CutoffReport {
    /// The cutoffs, in the order given.
    pub cutoffs: Vec<f32>,
    /// Samples of each class in the truth.
    pub support: Vec<usize>,
    /// `tpr[class][k]`: TPR of `class` at `cutoffs[k]`; `None` for a class absent from the truth.
    pub tpr: Vec<Vec<Option<f64>>>,
    /// Fraction of all samples assigned at each cutoff.
    pub assigned_fraction: Vec<f64>,
    /// Accuracy among the samples assigned at each cutoff; `None` where none is assigned.
    pub assigned_accuracy: Vec<Option<f64>>,
}

/// TPR per class at each cutoff for probabilities `proba` (samples x classes) against `truth`.
///
/// Errors: no sample, no cutoff, a cutoff outside `[0, 1]`, a row count different from `truth`,
/// a truth index without a column, a probability that is not finite or outside `[0, 1]`.
pub fn tpr_at_cutoffs(
    proba: ArrayView2<'_, f32>,
    truth: &[usize],
    cutoffs: &[f32],
) -> Result<CutoffReport> {
    check_proba(proba, truth)?;
    if cutoffs.is_empty() {
        return Err(Error::empty("cutoffs"));
    }
    for &c in cutoffs {
        check_cutoff(c)?;
    }
    let n_classes = proba.ncols();
    let mut support = vec![0usize; n_classes];
    // hits[class][k]: samples of `class` assigned and right at cutoff k.
    let mut hits = vec![vec![0usize; cutoffs.len()]; n_classes];
    let mut assigned = vec![0usize; cutoffs.len()];
    let mut assigned_right = vec![0usize; cutoffs.len()];
    for (row, &t) in proba.rows().into_iter().zip(truth) {
        support[t] += 1;
        let (class, p) = top(row);
        for (k, &cutoff) in cutoffs.iter().enumerate() {
            if p >= cutoff {
                assigned[k] += 1;
                if class == t {
                    assigned_right[k] += 1;
                    hits[t][k] += 1;
                }
            }
        }
    }
    let n = truth.len() as f64;
    Ok(CutoffReport {
        cutoffs: cutoffs.to_vec(),
        tpr: hits
            .iter()
            .zip(&support)
            .map(|(h, &s)| {
                h.iter()
                    .map(|&x| (s > 0).then(|| x as f64 / s as f64))
                    .collect()
            })
            .collect(),
        support,
        assigned_fraction: assigned.iter().map(|&a| a as f64 / n).collect(),
        assigned_accuracy: assigned
            .iter()
            .zip(&assigned_right)
            .map(|(&a, &r)| (a > 0).then(|| r as f64 / a as f64))
            .collect(),
    })
}

impl CutoffReport {
    /// The report as a [`Table`]: one row per class (name, support, TPR at each cutoff), then the
    /// fraction of samples assigned and the accuracy among them; values with `precision` decimals.
    ///
    /// Errors: `class_names` does not have one name per class.
    pub fn to_table(
        &self,
        title: impl Into<String>,
        class_names: &[String],
        precision: usize,
    ) -> Result<Table> {
        if class_names.len() != self.support.len() {
            return Err(Error::length(
                "class names vs report classes",
                self.support.len(),
                class_names.len(),
            ));
        }
        let mut columns = vec!["class".to_string(), "n".to_string()];
        columns.extend(self.cutoffs.iter().map(|c| format!("TPR at {c}")));
        let fraction = |v: Option<f64>| match v {
            Some(x) => Cell::float(x, precision),
            None => Cell::Missing,
        };
        let mut rows: Vec<Vec<Cell>> = class_names
            .iter()
            .zip(&self.support)
            .zip(&self.tpr)
            .map(|((name, &s), tpr)| {
                let mut row = vec![Cell::Text(name.clone()), Cell::count(s as u64)];
                row.extend(tpr.iter().map(|&v| fraction(v)));
                row
            })
            .collect();
        let n: usize = self.support.iter().sum();
        let mut assigned = vec![
            Cell::Text("assigned (fraction)".into()),
            Cell::count(n as u64),
        ];
        assigned.extend(self.assigned_fraction.iter().map(|&v| fraction(Some(v))));
        rows.push(assigned);
        let mut accuracy = vec![Cell::Text("accuracy of assigned".into()), Cell::Missing];
        accuracy.extend(self.assigned_accuracy.iter().map(|&v| fraction(v)));
        rows.push(accuracy);
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
    use ndarray::array;

    #[test]
    fn hand_computed_tpr_per_class_and_cutoff() {
        // 3 classes, 5 samples; class 2 is absent from the truth.
        //   sample  truth  proba            top (class, p)  right?
        //   0       0      0.9  0.05 0.05   (0, 0.9)        yes
        //   1       0      0.6  0.3  0.1    (0, 0.6)        yes
        //   2       0      0.2  0.7  0.1    (1, 0.7)        no
        //   3       1      0.45 0.55 0.0    (1, 0.55)       yes
        //   4       1      0.8  0.1  0.1    (0, 0.8)        no
        // Cutoffs 0.0, 0.5, 0.65, 0.95:
        //   class 0 (3 samples): right and assigned: 0.0 -> {0,1}: 2/3; 0.5 -> {0,1}: 2/3;
        //                        0.65 -> {0}: 1/3; 0.95 -> none: 0.
        //   class 1 (2 samples): 0.0 -> {3}: 1/2; 0.5 -> {3}: 1/2; 0.65 -> 0.55 < 0.65: 0; 0.95: 0.
        //   assigned fraction: 0.0 -> 5/5; 0.5 -> all tops >= 0.5 -> 5/5;
        //                      0.65 -> tops 0.9, 0.7, 0.8 -> 3/5; 0.95 -> 0/5.
        //   accuracy of assigned: 0.0 -> 3/5; 0.5 -> 3/5; 0.65 -> {0 right, 2 wrong, 4 wrong} 1/3;
        //                         0.95 -> none assigned.
        let proba = array![
            [0.9f32, 0.05, 0.05],
            [0.6, 0.3, 0.1],
            [0.2, 0.7, 0.1],
            [0.45, 0.55, 0.0],
            [0.8, 0.1, 0.1]
        ];
        let truth = [0, 0, 0, 1, 1];
        let r = tpr_at_cutoffs(proba.view(), &truth, &[0.0, 0.5, 0.65, 0.95]).unwrap();
        assert_eq!(r.support, vec![3, 2, 0]);
        let third = 1.0 / 3.0;
        assert_eq!(
            r.tpr[0],
            vec![Some(2.0 / 3.0), Some(2.0 / 3.0), Some(third), Some(0.0)]
        );
        assert_eq!(r.tpr[1], vec![Some(0.5), Some(0.5), Some(0.0), Some(0.0)]);
        assert_eq!(r.tpr[2], vec![None; 4]);
        assert_eq!(r.assigned_fraction, vec![1.0, 1.0, 0.6, 0.0]);
        assert_eq!(
            r.assigned_accuracy,
            vec![Some(0.6), Some(0.6), Some(third), None]
        );
    }

    #[test]
    fn a_top_probability_equal_to_the_cutoff_is_assigned() {
        // Top probability exactly 0.5 at cutoff 0.5 counts as assigned (>=).
        let proba = array![[0.5f32, 0.25, 0.25]];
        let r = tpr_at_cutoffs(proba.view(), &[0], &[0.5]).unwrap();
        assert_eq!(r.tpr[0], vec![Some(1.0)]);
        assert_eq!(r.assigned_fraction, vec![1.0]);
    }

    #[test]
    fn table_lists_classes_then_assigned_rows() {
        let proba = array![[0.9f32, 0.1], [0.3, 0.7]];
        let r = tpr_at_cutoffs(proba.view(), &[0, 0], &[0.5, 0.8]).unwrap();
        let names = vec!["brain".to_string(), "blood".to_string()];
        let t = r.to_table("tpr", &names, 2).unwrap();
        assert_eq!(t.columns, ["class", "n", "TPR at 0.5", "TPR at 0.8"]);
        let md = t.to_markdown().unwrap();
        // brain: 2 samples, right only sample 0 (0.9): 1/2 at both cutoffs; blood absent.
        assert!(md.contains("| brain | 2 | 0.50 | 0.50 |"), "{md}");
        assert!(md.contains("| blood | 0 | n/a | n/a |"), "{md}");
        assert!(
            md.contains("| assigned (fraction) | 2 | 1.00 | 0.50 |"),
            "{md}"
        );
        assert!(
            md.contains("| accuracy of assigned | n/a | 0.50 | 1.00 |"),
            "{md}"
        );
    }

    #[test]
    fn bad_input_is_a_typed_error() {
        let proba = array![[0.9f32, 0.1]];
        assert!(matches!(
            tpr_at_cutoffs(proba.view(), &[0], &[]),
            Err(Error::Empty { .. })
        ));
        assert!(matches!(
            tpr_at_cutoffs(proba.view(), &[0], &[1.2]),
            Err(Error::InvalidParameter { name: "cutoff", .. })
        ));
        assert!(matches!(
            tpr_at_cutoffs(proba.view(), &[], &[0.5]),
            Err(Error::Empty { .. })
        ));
    }
}
