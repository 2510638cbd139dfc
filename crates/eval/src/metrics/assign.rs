//! Class predictions from a probability matrix (samples x classes): the most probable class, or
//! the most probable class only where its probability reaches a cutoff (otherwise unassigned).
//!
//! Ties go to the lowest class index, the same rule every metric of this crate uses.

use ndarray::ArrayView2;

use super::input::{check_proba_values, top};
use crate::{Error, Result};

/// The most probable class of every sample (row) of `proba`.
///
/// Errors: no class column, or a probability that is not finite or outside `[0, 1]`.
pub fn argmax(proba: ArrayView2<'_, f32>) -> Result<Vec<usize>> {
    check_matrix(proba)?;
    Ok(proba.rows().into_iter().map(|row| top(row).0).collect())
}

/// The most probable class of every sample whose top probability is `>= cutoff`, `None`
/// (unassigned) for the others: the paper's way of leaving uncertain samples unannotated.
///
/// Errors: as [`argmax`], and a cutoff that is not finite or outside `[0, 1]`.
pub fn assign_with_cutoff(proba: ArrayView2<'_, f32>, cutoff: f32) -> Result<Vec<Option<usize>>> {
    check_cutoff(cutoff)?;
    check_matrix(proba)?;
    Ok(proba
        .rows()
        .into_iter()
        .map(|row| {
            let (class, p) = top(row);
            (p >= cutoff).then_some(class)
        })
        .collect())
}

/// Checks a probability cutoff: finite and in `[0, 1]`.
pub(crate) fn check_cutoff(cutoff: f32) -> Result<()> {
    if !cutoff.is_finite() || !(0.0..=1.0).contains(&cutoff) {
        return Err(Error::parameter(
            "cutoff",
            format!("{cutoff} is not a probability in [0, 1]"),
        ));
    }
    Ok(())
}

fn check_matrix(proba: ArrayView2<'_, f32>) -> Result<()> {
    if proba.ncols() == 0 {
        return Err(Error::empty("probability columns (classes)"));
    }
    check_proba_values(proba)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{array, Array2};

    #[test]
    fn argmax_and_cutoff_assignment() {
        let proba = array![[0.7f32, 0.2, 0.1], [0.3, 0.3, 0.4], [0.5, 0.5, 0.0]];
        assert_eq!(argmax(proba.view()).unwrap(), vec![0, 2, 0]);
        // Top probabilities are 0.7, 0.4, 0.5: a cutoff of 0.5 keeps rows 0 and 2 (0.5 >= 0.5).
        assert_eq!(
            assign_with_cutoff(proba.view(), 0.5).unwrap(),
            vec![Some(0), None, Some(0)]
        );
        assert_eq!(
            assign_with_cutoff(proba.view(), 0.0).unwrap(),
            vec![Some(0), Some(2), Some(0)]
        );
        assert_eq!(
            assign_with_cutoff(proba.view(), 1.0).unwrap(),
            vec![None, None, None]
        );
    }

    #[test]
    fn bad_cutoffs_and_matrices_are_refused() {
        let proba = array![[0.7f32, 0.3]];
        for cutoff in [-0.1f32, 1.5, f32::NAN] {
            assert!(matches!(
                assign_with_cutoff(proba.view(), cutoff),
                Err(Error::InvalidParameter { name: "cutoff", .. })
            ));
        }
        let no_classes = Array2::<f32>::zeros((3, 0));
        assert!(matches!(
            argmax(no_classes.view()),
            Err(Error::Empty { .. })
        ));
        // No samples is not an error here: there is simply nothing to assign.
        assert!(argmax(Array2::<f32>::zeros((0, 2)).view())
            .unwrap()
            .is_empty());
    }
}
