//! Significance tests between models, as the paper uses them to compare LIN, MLP and DA over seeds:
//! Student's two-sample t-test (pooled variance), Welch's t-test (unequal variances) and one-way
//! ANOVA, judged at [`SIGNIFICANCE`] = 0.01.
//!
//! Each returns the statistic, its degrees of freedom and the p-value (two-sided for the t-tests,
//! the upper tail for ANOVA's F), from `statrs`' Student t and Fisher-Snedecor distributions.
//! Degenerate input is a typed error, never a NaN: a group with too few values
//! ([`crate::Error::TooFewValues`]) or no variance to divide by ([`crate::Error::ZeroVariance`]).

mod anova;
mod ttest;

pub use anova::{one_way_anova, Anova};
pub use ttest::{student_t_test, welch_t_test, TTest};

use crate::error::check_finite;
use crate::{Error, Result};

/// The significance level of the paper: a difference is significant when `p < 0.01`.
pub const SIGNIFICANCE: f64 = 0.01;

/// Checks one group of values: at least `needed` of them, all finite.
fn check_group(what: &str, values: &[f64], needed: usize) -> Result<()> {
    if values.len() < needed {
        return Err(Error::TooFewValues {
            what: what.to_string(),
            n: values.len(),
            needed,
        });
    }
    check_finite(what, values.iter().copied())
}

/// Whether all values are equal: then the group has exactly zero variance. Testing equality rather
/// than a variance of 0.0 also catches constant groups whose computed variance is a rounding residue.
fn is_constant(values: &[f64]) -> bool {
    values.iter().all(|&v| v == values[0])
}
