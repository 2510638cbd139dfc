//! The paper's two headline scores and the per-class accuracy behind the second:
//! mean sample accuracy (msa, micro) and mean class accuracy (mca, macro recall).
//!
//! msa weighs every sample equally, so large classes dominate it; mca weighs every class present in
//! the truth equally, so a model that ignores a rare tissue is penalised. The paper reports both.
//! All three are computed from a [`ConfusionMatrix`] so they agree with it.

use super::confusion::ConfusionMatrix;
use super::input::Prediction;
use crate::Result;

/// Mean sample accuracy: the fraction of samples whose prediction is their true class
/// (unassigned samples are wrong).
///
/// Errors: no sample, lengths that differ, a class index `>= n_classes`, `n_classes == 0`.
pub fn msa<P: Prediction>(truth: &[usize], pred: &[P], n_classes: usize) -> Result<f64> {
    Ok(ConfusionMatrix::new(truth, pred, n_classes)?.msa())
}

/// Mean class accuracy: the unweighted mean, over the classes present in `truth`, of each class's
/// accuracy (recall). Classes absent from the truth are left out rather than counted as 0 or 1.
///
/// Errors: as [`msa`].
pub fn mca<P: Prediction>(truth: &[usize], pred: &[P], n_classes: usize) -> Result<f64> {
    Ok(ConfusionMatrix::new(truth, pred, n_classes)?.mca())
}

/// Accuracy (recall) of each class: the fraction of its true samples predicted as it; `None` for
/// a class with no sample in `truth`. One entry per class, `n_classes` in all.
///
/// Errors: as [`msa`].
pub fn per_class_accuracy<P: Prediction>(
    truth: &[usize],
    pred: &[P],
    n_classes: usize,
) -> Result<Vec<Option<f64>>> {
    Ok(ConfusionMatrix::new(truth, pred, n_classes)?.per_class_accuracy())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;

    const EPS: f64 = 1e-15;

    #[test]
    fn hand_computed_imbalanced_classes() {
        // 8 samples: class 0 has 5, class 1 has 2, class 2 has 1.
        // truth: 0 0 0 0 0 1 1 2
        // pred:  0 0 0 0 1 1 0 0
        // correct: samples 0-3 (class 0) and 5 (class 1) -> 5 of 8: msa = 5/8 = 0.625.
        // recall: class 0: 4/5 = 0.8; class 1: 1/2 = 0.5; class 2: 0/1 = 0.
        // mca = (0.8 + 0.5 + 0) / 3 = 1.3 / 3 = 0.4333...
        let truth = [0, 0, 0, 0, 0, 1, 1, 2];
        let pred = [0usize, 0, 0, 0, 1, 1, 0, 0];
        assert!((msa(&truth, &pred, 3).unwrap() - 0.625).abs() < EPS);
        assert!((mca(&truth, &pred, 3).unwrap() - 1.3 / 3.0).abs() < EPS);
        let per = per_class_accuracy(&truth, &pred, 3).unwrap();
        assert_eq!(per.len(), 3);
        assert!((per[0].unwrap() - 0.8).abs() < EPS);
        assert!((per[1].unwrap() - 0.5).abs() < EPS);
        assert_eq!(per[2], Some(0.0));
    }

    #[test]
    fn a_class_absent_from_truth_is_left_out_of_mca() {
        // 4 classes, class 2 never occurs in the truth (but is predicted once).
        // truth: 0 0 1 3 ; pred: 0 2 1 3
        // recall: class 0: 1/2; class 1: 1/1; class 2: absent -> None; class 3: 1/1.
        // mca = (0.5 + 1 + 1) / 3 = 2.5 / 3 (not / 4); msa = 3/4.
        let truth = [0, 0, 1, 3];
        let pred = [0usize, 2, 1, 3];
        let per = per_class_accuracy(&truth, &pred, 4).unwrap();
        assert_eq!(per, vec![Some(0.5), Some(1.0), None, Some(1.0)]);
        assert!((mca(&truth, &pred, 4).unwrap() - 2.5 / 3.0).abs() < EPS);
        assert_eq!(msa(&truth, &pred, 4).unwrap(), 0.75);
    }

    #[test]
    fn unassigned_counts_as_wrong() {
        // truth: 0 0 1 1 ; pred: 0 - - 1 (- = unassigned)
        // msa = 2/4 = 0.5; recall class 0: 1/2, class 1: 1/2; mca = 0.5.
        let truth = [0, 0, 1, 1];
        let pred = [Some(0), None, None, Some(1)];
        assert_eq!(msa(&truth, &pred, 2).unwrap(), 0.5);
        assert_eq!(mca(&truth, &pred, 2).unwrap(), 0.5);
        // All unassigned: nothing is correct, msa = mca = 0, every present class has recall 0.
        let none = [None; 4];
        assert_eq!(msa(&truth, &none, 2).unwrap(), 0.0);
        assert_eq!(mca(&truth, &none, 2).unwrap(), 0.0);
        assert_eq!(
            per_class_accuracy(&truth, &none, 3).unwrap(),
            vec![Some(0.0), Some(0.0), None]
        );
    }

    #[test]
    fn msa_and_mca_differ_when_a_large_class_dominates() {
        // 9 samples of class 0 all right, 1 sample of class 1 wrong:
        // msa = 9/10 = 0.9 but mca = (9/9 + 0/1) / 2 = 0.5.
        let mut truth = vec![0; 9];
        truth.push(1);
        let pred = vec![0usize; 10];
        assert_eq!(msa(&truth, &pred, 2).unwrap(), 0.9);
        assert_eq!(mca(&truth, &pred, 2).unwrap(), 0.5);
    }

    #[test]
    fn empty_input_is_a_typed_error() {
        let empty: [usize; 0] = [];
        assert!(matches!(msa(&empty, &empty, 2), Err(Error::Empty { .. })));
        assert!(matches!(
            mca::<usize>(&[], &[], 2),
            Err(Error::Empty { .. })
        ));
        assert!(matches!(
            per_class_accuracy::<Option<usize>>(&[], &[], 2),
            Err(Error::Empty { .. })
        ));
    }
}
