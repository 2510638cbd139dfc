//! What kind of values a matrix holds: raw counts, TPM, log-scale, standardised.
//!
//! Models are trained on one kind; `rnameta inspect` and `annotate` use this to convert a user's
//! file or refuse it with the reason, instead of silently predicting from the wrong scale.

use std::fmt;

use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};

/// The scale of an expression matrix, judged from its values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ValueKind {
    /// Non-negative integers: read counts (or recount3 coverage sums).
    IntegerCounts,
    /// Non-negative, fractional, each sample summing to about one million: TPM or CPM.
    TpmLike,
    /// Non-negative and fractional but neither counts, TPM nor log (FPKM, length-divided values).
    NonNegativeFractional,
    /// Non-negative with a small maximum (< 32) and fractional values: log2(x+1) or log(1+x).
    LogLike,
    /// Has negative values: z-scores or other centred data.
    Standardised,
    /// Every value is zero: nothing was measured, or the file lost its values.
    AllZero,
    /// No finite value to judge from.
    Empty,
}

impl ValueKind {
    /// Judges a samples x genes matrix; non-finite values are ignored here (readers refuse them).
    pub fn detect(matrix: ArrayView2<'_, f32>) -> Self {
        let mut any = false;
        let mut all_integer = true;
        let mut min = f32::INFINITY;
        let mut max = f32::NEG_INFINITY;
        for &v in matrix.iter().filter(|v| v.is_finite()) {
            any = true;
            min = min.min(v);
            max = max.max(v);
            if all_integer && v.fract() != 0.0 {
                all_integer = false;
            }
        }
        if !any {
            return Self::Empty;
        }
        if min < 0.0 {
            return Self::Standardised;
        }
        if max == 0.0 {
            return Self::AllZero;
        }
        if all_integer && max >= 32.0 {
            return Self::IntegerCounts;
        }
        if max < 32.0 && !all_integer {
            return Self::LogLike;
        }
        if all_integer {
            // Small integers only (max < 32): a very shallow count matrix.
            return Self::IntegerCounts;
        }
        let sums_near_million = matrix.rows().into_iter().all(|row| {
            let sum: f64 = row
                .iter()
                .filter(|v| v.is_finite())
                .map(|&v| f64::from(v))
                .sum();
            (sum - 1e6).abs() < 1e4
        });
        if sums_near_million {
            Self::TpmLike
        } else {
            Self::NonNegativeFractional
        }
    }

    /// The name shown to users.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::IntegerCounts => "integer counts",
            Self::TpmLike => "TPM-like (samples sum to 1e6)",
            Self::NonNegativeFractional => "non-negative fractional (FPKM-like)",
            Self::LogLike => "log-like (max < 32)",
            Self::Standardised => "standardised (has negatives)",
            Self::AllZero => "all zero",
            Self::Empty => "empty",
        }
    }
}

impl fmt::Display for ValueKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn tells_the_scales_apart() {
        assert_eq!(
            ValueKind::detect(array![[0.0, 5.0, 120.0]].view()),
            ValueKind::IntegerCounts
        );
        assert_eq!(
            ValueKind::detect(array![[0.0, 3.5, 12.25]].view()),
            ValueKind::LogLike
        );
        assert_eq!(
            ValueKind::detect(array![[-1.2, 0.3]].view()),
            ValueKind::Standardised
        );
        assert_eq!(
            ValueKind::detect(array![[250_000.5, 749_999.5]].view()),
            ValueKind::TpmLike
        );
        assert_eq!(
            ValueKind::detect(array![[40.5, 2.25]].view()),
            ValueKind::NonNegativeFractional
        );
        assert_eq!(
            ValueKind::detect(array![[f32::NAN]].view()),
            ValueKind::Empty
        );
        // All zero is neither log-scale nor counts to predict from: said as it is.
        assert_eq!(
            ValueKind::detect(array![[0.0, 0.0], [0.0, 0.0]].view()),
            ValueKind::AllZero
        );
    }
}
