//! Calibration of predicted probabilities: does a top probability of 0.8 mean right 80 % of the time?
//!
//! The standard expected calibration error (Guo et al. 2017): samples are put into `n_bins`
//! equal-width bins by their confidence (top probability), bin `m` holding confidences in
//! `(m / M, (m + 1) / M]` (a confidence of exactly 0 goes to the first bin), and
//! `ECE = sum over bins of (n_bin / n) * |accuracy_bin - mean confidence_bin|`.
//! The maximum calibration error (largest gap of a non-empty bin) and the bins themselves (a
//! reliability diagram) come with it.

use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};

use super::input::{check_proba, top};
use crate::{Error, Result};

/// One confidence bin of a reliability diagram.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalibrationBin {
    /// Lower edge (exclusive, except for the first bin which also holds 0).
    pub lower: f64,
    /// Upper edge (inclusive).
    pub upper: f64,
    /// Samples whose confidence falls in the bin.
    pub count: usize,
    /// Mean confidence of those samples; `None` for an empty bin.
    pub mean_confidence: Option<f64>,
    /// Fraction of those samples whose most probable class is the true one; `None` for an empty bin.
    pub accuracy: Option<f64>,
}

/// Calibration summary of a probability matrix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    /// Expected calibration error: bin gaps weighted by bin size.
    pub ece: f64,
    /// Maximum calibration error: the largest gap of a non-empty bin.
    pub mce: f64,
    /// The bins, lowest confidence first.
    pub bins: Vec<CalibrationBin>,
}

/// The expected calibration error of `proba` (samples x classes) against `truth` with `n_bins`
/// equal-width confidence bins. See [`calibration`] for the bins.
///
/// Errors: as [`calibration`].
pub fn expected_calibration_error(
    proba: ArrayView2<'_, f32>,
    truth: &[usize],
    n_bins: usize,
) -> Result<f64> {
    Ok(calibration(proba, truth, n_bins)?.ece)
}

/// Bins the samples of `proba` by confidence and computes ECE, MCE and the reliability bins.
///
/// Errors: `n_bins == 0`, no sample, a row count different from `truth`, a truth index without a
/// column, a probability that is not finite or outside `[0, 1]`.
pub fn calibration(
    proba: ArrayView2<'_, f32>,
    truth: &[usize],
    n_bins: usize,
) -> Result<Calibration> {
    if n_bins == 0 {
        return Err(Error::parameter("n_bins", "must be at least 1"));
    }
    check_proba(proba, truth)?;
    let mut count = vec![0usize; n_bins];
    let mut conf_sum = vec![0f64; n_bins];
    let mut right = vec![0usize; n_bins];
    for (row, &t) in proba.rows().into_iter().zip(truth) {
        let (class, p) = top(row);
        // Values up to 1 + tolerance are allowed: they belong to the last bin.
        let conf = f64::from(p).min(1.0);
        let bin = bin_of(conf, n_bins);
        count[bin] += 1;
        conf_sum[bin] += conf;
        right[bin] += usize::from(class == t);
    }
    let n = truth.len() as f64;
    let mut ece = 0.0;
    let mut mce = 0.0f64;
    let bins = (0..n_bins)
        .map(|m| {
            let (mean_confidence, accuracy) = if count[m] > 0 {
                let c = count[m] as f64;
                let mean_conf = conf_sum[m] / c;
                let acc = right[m] as f64 / c;
                let gap = (acc - mean_conf).abs();
                ece += c / n * gap;
                mce = mce.max(gap);
                (Some(mean_conf), Some(acc))
            } else {
                (None, None)
            };
            CalibrationBin {
                lower: m as f64 / n_bins as f64,
                upper: (m + 1) as f64 / n_bins as f64,
                count: count[m],
                mean_confidence,
                accuracy,
            }
        })
        .collect();
    Ok(Calibration { ece, mce, bins })
}

/// The bin of a confidence in `[0, 1]`: `(m / M, (m + 1) / M]` is bin `m`, 0 goes to bin 0.
fn bin_of(conf: f64, n_bins: usize) -> usize {
    let upper = (conf * n_bins as f64).ceil() as usize;
    upper.clamp(1, n_bins) - 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn bins_are_right_closed() {
        assert_eq!(bin_of(0.0, 10), 0);
        assert_eq!(bin_of(0.05, 10), 0);
        assert_eq!(bin_of(0.1, 10), 0); // 0.1 * 10 = 1 exactly: (0, 0.1]
        assert_eq!(bin_of(0.1001, 10), 1);
        assert_eq!(bin_of(1.0, 10), 9);
        assert_eq!(bin_of(0.5, 2), 0);
        assert_eq!(bin_of(0.51, 2), 1);
        assert_eq!(bin_of(0.7, 1), 0);
    }

    #[test]
    fn hand_computed_ece_with_two_bins() {
        //   sample  truth  proba              conf  right?  bin (0,0.5] / (0.5,1]
        //   0       0      0.9  0.05 0.05     0.9   yes     1
        //   1       1      0.8  0.1  0.1      0.8   no      1
        //   2       1      0.2  0.7  0.1      0.7   yes     1
        //   3       0      0.4  0.3  0.3      0.4   yes     0
        //   4       0      0.2  0.35 0.45     0.45  no      0
        // bin 0: n = 2, mean conf (0.4 + 0.45) / 2 = 0.425, accuracy 1/2; gap 0.075.
        // bin 1: n = 3, mean conf (0.9 + 0.8 + 0.7) / 3 = 0.8, accuracy 2/3; gap 0.1333...
        // ECE = 2/5 * 0.075 + 3/5 * 0.1333... = 0.03 + 0.08 = 0.11; MCE = 0.1333...
        let proba = array![
            [0.9f32, 0.05, 0.05],
            [0.8, 0.1, 0.1],
            [0.2, 0.7, 0.1],
            [0.4, 0.3, 0.3],
            [0.2, 0.35, 0.45]
        ];
        let truth = [0, 1, 1, 0, 0];
        let c = calibration(proba.view(), &truth, 2).unwrap();
        // f32 inputs: agreement to ~1e-7.
        assert!((c.ece - 0.11).abs() < 1e-6, "{}", c.ece);
        assert!((c.mce - 0.4 / 3.0).abs() < 1e-6, "{}", c.mce);
        assert_eq!(c.bins.len(), 2);
        assert_eq!((c.bins[0].count, c.bins[1].count), (2, 3));
        assert!((c.bins[0].mean_confidence.unwrap() - 0.425).abs() < 1e-6);
        assert_eq!(c.bins[0].accuracy, Some(0.5));
        assert_eq!(c.bins[1].accuracy, Some(2.0 / 3.0));
        assert_eq!((c.bins[1].lower, c.bins[1].upper), (0.5, 1.0));
        assert_eq!(
            expected_calibration_error(proba.view(), &truth, 2).unwrap(),
            c.ece
        );
    }

    #[test]
    fn confident_and_right_is_calibrated_and_empty_bins_are_none() {
        // Every sample has confidence 1 and is right: the last bin has accuracy 1 = confidence 1.
        let proba = array![[1.0f32, 0.0], [0.0, 1.0]];
        let c = calibration(proba.view(), &[0, 1], 10).unwrap();
        assert_eq!(c.ece, 0.0);
        assert_eq!(c.bins[9].count, 2);
        assert!(c.bins[..9]
            .iter()
            .all(|b| b.count == 0 && b.accuracy.is_none()));
        // Confidence 1 and always wrong: ECE = 1.
        let c = calibration(proba.view(), &[1, 0], 10).unwrap();
        assert_eq!(c.ece, 1.0);
        assert_eq!(c.mce, 1.0);
    }

    #[test]
    fn bad_input_is_a_typed_error() {
        let proba = array![[0.6f32, 0.4]];
        assert!(matches!(
            calibration(proba.view(), &[0], 0),
            Err(Error::InvalidParameter { name: "n_bins", .. })
        ));
        assert!(matches!(
            calibration(proba.view(), &[], 10),
            Err(Error::Empty { .. })
        ));
    }
}
