//! Two-sample t-tests: Student's (pooled variance, equal variances assumed) and Welch's (unequal
//! variances, Welch-Satterthwaite degrees of freedom). Both two-sided, with `scipy.stats.ttest_ind`'s
//! sign convention: the statistic is positive when the first sample's mean is larger.

use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, StudentsT};

use super::{check_group, is_constant, SIGNIFICANCE};
use crate::summary::{mean_unchecked, sum_sq_dev};
use crate::{Error, Result};

/// The result of a two-sample t-test.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TTest {
    /// The t statistic, positive when the first sample's mean is the larger.
    pub statistic: f64,
    /// Degrees of freedom (not an integer for Welch's test).
    pub df: f64,
    /// Two-sided p-value.
    pub p_value: f64,
}

impl TTest {
    /// Whether the difference is significant at the paper's level ([`SIGNIFICANCE`], 0.01).
    pub fn is_significant(&self) -> bool {
        self.p_value < SIGNIFICANCE
    }
}

/// Student's two-sample t-test with pooled variance (as `scipy.stats.ttest_ind(a, b)`).
///
/// Errors: a sample with fewer than 2 values or a non-finite value
/// ([`Error::TooFewValues`], [`Error::NonFinite`]); both samples constant, so that the pooled
/// variance is zero ([`Error::ZeroVariance`]).
pub fn student_t_test(a: &[f64], b: &[f64]) -> Result<TTest> {
    check_group("first sample", a, 2)?;
    check_group("second sample", b, 2)?;
    if is_constant(a) && is_constant(b) {
        return Err(Error::ZeroVariance {
            what: "Student t-test: pooled variance of two constant samples".into(),
        });
    }
    let (n1, n2) = (a.len() as f64, b.len() as f64);
    let df = n1 + n2 - 2.0;
    let pooled = (sum_sq_dev(a) + sum_sq_dev(b)) / df;
    let se = (pooled * (1.0 / n1 + 1.0 / n2)).sqrt();
    finish(mean_unchecked(a) - mean_unchecked(b), se, df)
}

/// Welch's two-sample t-test (as `scipy.stats.ttest_ind(a, b, equal_var=False)`).
///
/// Errors: as [`student_t_test`]; a zero variance only when both samples are constant (one constant
/// sample is fine: the other carries the standard error).
pub fn welch_t_test(a: &[f64], b: &[f64]) -> Result<TTest> {
    check_group("first sample", a, 2)?;
    check_group("second sample", b, 2)?;
    if is_constant(a) && is_constant(b) {
        return Err(Error::ZeroVariance {
            what: "Welch t-test: standard error of two constant samples".into(),
        });
    }
    let (n1, n2) = (a.len() as f64, b.len() as f64);
    // Squared standard errors of the two means.
    let v1 = sum_sq_dev(a) / (n1 - 1.0) / n1;
    let v2 = sum_sq_dev(b) / (n2 - 1.0) / n2;
    let df = (v1 + v2).powi(2) / (v1 * v1 / (n1 - 1.0) + v2 * v2 / (n2 - 1.0));
    finish(mean_unchecked(a) - mean_unchecked(b), (v1 + v2).sqrt(), df)
}

/// The t statistic and its two-sided p-value from a mean difference, its standard error and df.
fn finish(diff: f64, se: f64, df: f64) -> Result<TTest> {
    let statistic = diff / se;
    let dist = StudentsT::new(0.0, 1.0, df)
        .map_err(|e| Error::parameter("degrees of freedom", format!("{df}: {e}")))?;
    let p_value = (2.0 * dist.sf(statistic.abs())).min(1.0);
    Ok(TTest {
        statistic,
        df,
        p_value,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// msa-like scores of three models over 10 seeds.
    const A: [f64; 10] = [
        0.912, 0.905, 0.921, 0.899, 0.915, 0.908, 0.917, 0.903, 0.911, 0.919,
    ];
    const B: [f64; 10] = [
        0.887, 0.895, 0.879, 0.901, 0.884, 0.892, 0.889, 0.876, 0.898, 0.885,
    ];
    const C: [f64; 10] = [
        0.902, 0.931, 0.918, 0.925, 0.909, 0.935, 0.921, 0.914, 0.928, 0.917,
    ];
    /// Unequal sizes and very unequal variances.
    const D: [f64; 5] = [1.2, 3.4, 2.2, 5.1, 0.3];
    const E: [f64; 8] = [2.0, 2.1, 1.9, 2.05, 2.2, 1.95, 2.15, 2.0];

    fn close(got: f64, want: f64, rel: f64) {
        assert!(
            (got - want).abs() <= rel * want.abs(),
            "got {got:e}, want {want:e} (relative tolerance {rel:e})"
        );
    }

    #[test]
    fn student_matches_scipy() {
        // scipy 1.17.1: stats.ttest_ind(A, B)
        //   -> statistic 6.550566401651111, pvalue 3.7229283892975546e-06, df 18.0
        let r = student_t_test(&A, &B).unwrap();
        close(r.statistic, 6.550566401651111, 1e-12);
        assert_eq!(r.df, 18.0);
        close(r.p_value, 3.7229283892975546e-06, 1e-11);
        assert!(r.is_significant());
        // stats.ttest_ind(A, C) -> statistic -2.281916487766994, pvalue 0.03487999137949658
        let r = student_t_test(&A, &C).unwrap();
        close(r.statistic, -2.281916487766994, 1e-12);
        close(r.p_value, 0.03487999137949658, 1e-11);
        assert!(!r.is_significant());
        // stats.ttest_ind(D, E) -> statistic 0.6108085342728652, pvalue 0.5537377293680807, df 11.0
        let r = student_t_test(&D, &E).unwrap();
        close(r.statistic, 0.6108085342728652, 1e-12);
        assert_eq!(r.df, 11.0);
        close(r.p_value, 0.5537377293680807, 1e-11);
    }

    #[test]
    fn student_matches_scipy_for_a_tiny_p_value() {
        // stats.ttest_ind([10.0, 10.1, 9.9, 10.05, 9.95], [1.0, 1.1, 0.9, 1.05, 0.95])
        //   -> statistic 179.99999999999994, pvalue 1.0154346740151132e-15
        let r = student_t_test(
            &[10.0, 10.1, 9.9, 10.05, 9.95],
            &[1.0, 1.1, 0.9, 1.05, 0.95],
        )
        .unwrap();
        close(r.statistic, 180.0, 1e-12);
        close(r.p_value, 1.0154346740151132e-15, 1e-11);
    }

    #[test]
    fn welch_matches_scipy() {
        // stats.ttest_ind(A, B, equal_var=False)
        //   -> statistic 6.550566401651111, pvalue 3.938853858351277e-06, df 17.796989968179385
        let r = welch_t_test(&A, &B).unwrap();
        close(r.statistic, 6.550566401651111, 1e-12);
        close(r.df, 17.796989968179385, 1e-12);
        close(r.p_value, 3.938853858351277e-06, 1e-11);
        // stats.ttest_ind(A, C, equal_var=False)
        //   -> statistic -2.281916487766994, pvalue 0.0362950473050412, df 16.24608583532879
        let r = welch_t_test(&A, &C).unwrap();
        close(r.df, 16.24608583532879, 1e-12);
        close(r.p_value, 0.0362950473050412, 1e-11);
        // stats.ttest_ind(D, E, equal_var=False)
        //   -> statistic 0.47029897560213374, pvalue 0.6625540121439213, df 4.014558990301124
        let r = welch_t_test(&D, &E).unwrap();
        close(r.statistic, 0.47029897560213374, 1e-12);
        close(r.df, 4.014558990301124, 1e-12);
        close(r.p_value, 0.6625540121439213, 1e-11);
    }

    #[test]
    fn the_sign_follows_the_first_sample() {
        let ab = student_t_test(&A, &B).unwrap();
        let ba = student_t_test(&B, &A).unwrap();
        assert_eq!(ab.statistic, -ba.statistic);
        assert_eq!(ab.p_value, ba.p_value);
    }

    #[test]
    fn degenerate_samples_are_typed_errors() {
        assert!(matches!(
            student_t_test(&[0.9], &B),
            Err(Error::TooFewValues {
                n: 1,
                needed: 2,
                ..
            })
        ));
        assert!(matches!(
            welch_t_test(&A, &[]),
            Err(Error::TooFewValues {
                n: 0,
                needed: 2,
                ..
            })
        ));
        // Two constant samples: nothing to divide by.
        assert!(matches!(
            student_t_test(&[0.9, 0.9, 0.9], &[0.8, 0.8]),
            Err(Error::ZeroVariance { .. })
        ));
        assert!(matches!(
            welch_t_test(&[0.9, 0.9], &[0.9, 0.9]),
            Err(Error::ZeroVariance { .. })
        ));
        assert!(matches!(
            student_t_test(&[0.9, f64::INFINITY], &B),
            Err(Error::NonFinite { index: 1, .. })
        ));
        // One constant sample is fine for Welch: df = n2 - 1 and the other's variance is the SE.
        // b = 1, 2, 3: mean 2, variance 1, SE^2 = 1/3; a = 5, 5: t = (5 - 2) / sqrt(1/3) = 5.196.
        let r = welch_t_test(&[5.0, 5.0], &[1.0, 2.0, 3.0]).unwrap();
        close(r.statistic, 3.0 * 3f64.sqrt(), 1e-12);
        close(r.df, 2.0, 1e-12);
    }
}
