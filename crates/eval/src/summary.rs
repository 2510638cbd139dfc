//! Summaries of one score over repeated runs (the paper trains every model with 10 seeds and reports
//! mean ± standard deviation): the mean and the *sample* standard deviation (divisor n - 1).

use serde::{Deserialize, Serialize};

use crate::error::check_finite;
use crate::{Error, Result};

/// A score over seeds: its mean, sample standard deviation, count and the values themselves (kept
/// for box plots and significance tests).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeedSummary {
    /// Arithmetic mean of `values`.
    pub mean: f64,
    /// Sample standard deviation (divisor `n - 1`); `None` for a single value, where it is undefined.
    pub std: Option<f64>,
    /// Number of values (seeds).
    pub n: usize,
    /// The values, in the order given.
    pub values: Vec<f64>,
}

impl SeedSummary {
    /// Summarises `values` (one score per seed).
    ///
    /// Errors: no value, or a value that is NaN or infinite.
    pub fn new(values: impl Into<Vec<f64>>) -> Result<Self> {
        let values = values.into();
        let m = mean(&values)?;
        let std = if values.len() >= 2 {
            Some(sample_std(&values)?)
        } else {
            None
        };
        Ok(Self {
            mean: m,
            std,
            n: values.len(),
            values,
        })
    }
}

/// Arithmetic mean, computed in two passes (mean, then the mean residual added back) so that values
/// close together, such as accuracies over seeds, do not lose precision.
///
/// Errors: no value, or a value that is NaN or infinite.
pub fn mean(values: &[f64]) -> Result<f64> {
    if values.is_empty() {
        return Err(Error::empty("values"));
    }
    check_finite("values", values.iter().copied())?;
    Ok(mean_unchecked(values))
}

/// Sample variance (divisor `n - 1`), from the residuals about the mean.
///
/// Errors: fewer than two values, or a value that is NaN or infinite.
pub fn sample_variance(values: &[f64]) -> Result<f64> {
    if values.len() < 2 {
        return Err(Error::TooFewValues {
            what: "sample variance".into(),
            n: values.len(),
            needed: 2,
        });
    }
    check_finite("values", values.iter().copied())?;
    Ok(sum_sq_dev(values) / (values.len() - 1) as f64)
}

/// Sample standard deviation: the square root of [`sample_variance`].
///
/// Errors: as [`sample_variance`].
pub fn sample_std(values: &[f64]) -> Result<f64> {
    Ok(sample_variance(values)?.sqrt())
}

/// Mean of finite, non-empty values.
pub(crate) fn mean_unchecked(values: &[f64]) -> f64 {
    let n = values.len() as f64;
    let first = values.iter().sum::<f64>() / n;
    first + values.iter().map(|v| v - first).sum::<f64>() / n
}

/// Sum of squared deviations about the mean of finite, non-empty values.
pub(crate) fn sum_sq_dev(values: &[f64]) -> f64 {
    let m = mean_unchecked(values);
    values.iter().map(|v| (v - m) * (v - m)).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_computed_mean_and_sample_std() {
        // values 2, 4, 4, 4, 5, 5, 7, 9: mean 40 / 8 = 5;
        // squared deviations 9, 1, 1, 1, 0, 0, 4, 16 sum to 32; sample variance 32 / 7;
        // sample std sqrt(32 / 7) = 2.13809 (population std would be 2).
        let s = SeedSummary::new(vec![2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]).unwrap();
        assert_eq!(s.mean, 5.0);
        assert!((s.std.unwrap() - (32.0f64 / 7.0).sqrt()).abs() < 1e-15);
        assert_eq!(s.n, 8);
        assert_eq!(s.values[7], 9.0);
    }

    #[test]
    fn accuracies_close_together_keep_their_spread() {
        // 10 seeds of an accuracy near 0.9: 0.9 + k * 1e-9 for k = 0..9.
        // mean = 0.9 + 4.5e-9; deviations (k - 4.5) * 1e-9, squares sum to 82.5e-18,
        // variance 82.5e-18 / 9, std 3.0277e-9.
        let values: Vec<f64> = (0..10).map(|k| 0.9 + k as f64 * 1e-9).collect();
        let s = SeedSummary::new(values).unwrap();
        assert!((s.mean - (0.9 + 4.5e-9)).abs() < 1e-15);
        let expected = (82.5e-18f64 / 9.0).sqrt();
        assert!((s.std.unwrap() - expected).abs() / expected < 1e-6);
    }

    #[test]
    fn one_value_has_no_std_and_none_is_an_error() {
        let s = SeedSummary::new(vec![0.75]).unwrap();
        assert_eq!((s.mean, s.std, s.n), (0.75, None, 1));
        assert!(matches!(
            SeedSummary::new(Vec::new()),
            Err(Error::Empty { .. })
        ));
        assert!(matches!(
            sample_std(&[1.0]),
            Err(Error::TooFewValues {
                n: 1,
                needed: 2,
                ..
            })
        ));
        assert!(matches!(
            SeedSummary::new(vec![0.5, f64::NAN]),
            Err(Error::NonFinite { index: 1, .. })
        ));
    }
}
