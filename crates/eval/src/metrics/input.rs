//! Checks shared by every metric: predictions that may be unassigned, class indices in range,
//! probability matrices of the right shape with values in `[0, 1]`, and the top class of a row.

use ndarray::{ArrayView1, ArrayView2};

use crate::{Error, Result};

/// How far above 1 a probability may be before it is refused: `f32` softmax outputs can sum to a
/// little over one, and a strict bound would reject valid model output.
pub const PROBABILITY_TOLERANCE: f32 = 1e-5;

/// A predicted class that may be *unassigned*; every metric counts an unassigned sample as wrong.
///
/// Implemented for `usize` (always assigned) and `Option<usize>` (`None` = unassigned), so that the
/// same functions score plain predictions and predictions under a probability cutoff.
pub trait Prediction: Copy {
    /// The predicted class index, or `None` when the sample was left unassigned.
    fn class(self) -> Option<usize>;
}

impl Prediction for usize {
    fn class(self) -> Option<usize> {
        Some(self)
    }
}

impl Prediction for Option<usize> {
    fn class(self) -> Option<usize> {
        self
    }
}

/// Checks `truth` and `pred` as inputs of a class-index metric: `n_classes >= 1`, at least one
/// sample, equal lengths, every index below `n_classes`.
pub(crate) fn check_labels<P: Prediction>(
    truth: &[usize],
    pred: &[P],
    n_classes: usize,
) -> Result<()> {
    if n_classes == 0 {
        return Err(Error::parameter("n_classes", "must be at least 1"));
    }
    if truth.is_empty() {
        return Err(Error::empty("truth"));
    }
    if pred.len() != truth.len() {
        return Err(Error::length(
            "predictions vs truth",
            truth.len(),
            pred.len(),
        ));
    }
    check_truth(truth, n_classes)?;
    for (sample, p) in pred.iter().enumerate() {
        if let Some(class) = p.class() {
            if class >= n_classes {
                return Err(Error::ClassOutOfRange {
                    what: "prediction".into(),
                    sample,
                    class,
                    n_classes,
                });
            }
        }
    }
    Ok(())
}

/// Checks that every truth index is below `n_classes`.
fn check_truth(truth: &[usize], n_classes: usize) -> Result<()> {
    for (sample, &class) in truth.iter().enumerate() {
        if class >= n_classes {
            return Err(Error::ClassOutOfRange {
                what: "truth".into(),
                sample,
                class,
                n_classes,
            });
        }
    }
    Ok(())
}

/// Checks a probability matrix against the truth: one row per truth sample, at least one class
/// column, truth indices below the number of columns, every value finite and in `[0, 1]` (up to
/// [`PROBABILITY_TOLERANCE`]).
pub(crate) fn check_proba(proba: ArrayView2<'_, f32>, truth: &[usize]) -> Result<()> {
    if truth.is_empty() {
        return Err(Error::empty("truth"));
    }
    if proba.nrows() != truth.len() {
        return Err(Error::length(
            "probability rows vs truth",
            truth.len(),
            proba.nrows(),
        ));
    }
    if proba.ncols() == 0 {
        return Err(Error::empty("probability columns (classes)"));
    }
    check_truth(truth, proba.ncols())?;
    check_proba_values(proba)
}

/// Checks that every probability is finite and in `[0, 1 + PROBABILITY_TOLERANCE]`.
pub(crate) fn check_proba_values(proba: ArrayView2<'_, f32>) -> Result<()> {
    for ((sample, class), &value) in proba.indexed_iter() {
        if !value.is_finite() || !(0.0..=1.0 + PROBABILITY_TOLERANCE).contains(&value) {
            return Err(Error::InvalidProbability {
                sample,
                class,
                value,
            });
        }
    }
    Ok(())
}

/// The class with the highest probability in `row` and that probability; ties go to the lowest
/// class index, so the result never depends on iteration order. `row` must not be empty.
pub(crate) fn top(row: ArrayView1<'_, f32>) -> (usize, f32) {
    let mut best = (0, row[0]);
    for (class, &p) in row.iter().enumerate().skip(1) {
        if p > best.1 {
            best = (class, p);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn ties_go_to_the_lowest_class() {
        assert_eq!(top(array![0.4f32, 0.4, 0.2].view()), (0, 0.4));
        assert_eq!(top(array![0.1f32, 0.45, 0.45].view()), (1, 0.45));
    }

    #[test]
    fn label_checks_name_the_offender() {
        let err = check_labels(&[0, 1, 5], &[0usize, 1, 1], 3).unwrap_err();
        assert!(matches!(
            err,
            Error::ClassOutOfRange {
                sample: 2,
                class: 5,
                n_classes: 3,
                ..
            }
        ));
        let err = check_labels(&[0, 1], &[Some(0), Some(3)], 3).unwrap_err();
        assert!(matches!(
            err,
            Error::ClassOutOfRange {
                sample: 1,
                class: 3,
                ..
            }
        ));
        let err = check_labels(&[0, 1], &[0usize], 3).unwrap_err();
        assert!(matches!(
            err,
            Error::LengthMismatch {
                expected: 2,
                found: 1,
                ..
            }
        ));
        let err = check_labels::<usize>(&[], &[], 3).unwrap_err();
        assert!(matches!(err, Error::Empty { .. }));
        let err = check_labels(&[0], &[0usize], 0).unwrap_err();
        assert!(matches!(
            err,
            Error::InvalidParameter {
                name: "n_classes",
                ..
            }
        ));
    }

    #[test]
    fn probabilities_outside_the_unit_interval_are_refused() {
        let truth = [0, 1];
        assert!(check_proba(array![[0.5f32, 0.5], [1.000_001, 0.0]].view(), &truth).is_ok());
        let err = check_proba(array![[0.5f32, 0.5], [1.1, 0.0]].view(), &truth).unwrap_err();
        assert!(matches!(
            err,
            Error::InvalidProbability {
                sample: 1,
                class: 0,
                ..
            }
        ));
        let err = check_proba(array![[0.5f32, f32::NAN], [1.0, 0.0]].view(), &truth).unwrap_err();
        assert!(matches!(
            err,
            Error::InvalidProbability {
                sample: 0,
                class: 1,
                ..
            }
        ));
        let err = check_proba(array![[0.5f32, -0.1], [1.0, 0.0]].view(), &truth).unwrap_err();
        assert!(matches!(
            err,
            Error::InvalidProbability {
                sample: 0,
                class: 1,
                ..
            }
        ));
        let err = check_proba(array![[0.5f32, 0.5]].view(), &truth).unwrap_err();
        assert!(matches!(
            err,
            Error::LengthMismatch {
                expected: 2,
                found: 1,
                ..
            }
        ));
        let err = check_proba(array![[0.5f32, 0.5], [0.5, 0.5]].view(), &[0, 2]).unwrap_err();
        assert!(matches!(
            err,
            Error::ClassOutOfRange {
                sample: 1,
                class: 2,
                n_classes: 2,
                ..
            }
        ));
    }
}
