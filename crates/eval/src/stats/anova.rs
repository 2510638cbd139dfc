//! One-way analysis of variance: do the means of several groups (e.g. one model's scores over
//! seeds per group) differ? `F = (SS_between / (k - 1)) / (SS_within / (N - k))`, p-value from the
//! upper tail of the F(k - 1, N - k) distribution (as `scipy.stats.f_oneway`).

use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, FisherSnedecor};

use super::{check_group, is_constant, SIGNIFICANCE};
use crate::summary::{mean_unchecked, sum_sq_dev};
use crate::{Error, Result};

/// The result of a one-way ANOVA.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Anova {
    /// The F statistic.
    pub statistic: f64,
    /// Degrees of freedom between groups, `k - 1`.
    pub df_between: f64,
    /// Degrees of freedom within groups, `N - k`.
    pub df_within: f64,
    /// p-value: probability of an F at least this large if all group means were equal.
    pub p_value: f64,
}

impl Anova {
    /// Whether the group means differ significantly at the paper's level ([`SIGNIFICANCE`], 0.01).
    pub fn is_significant(&self) -> bool {
        self.p_value < SIGNIFICANCE
    }
}

/// One-way ANOVA over `groups`.
///
/// Errors: fewer than two groups, an empty group, no more values than groups (so no within-group
/// degree of freedom), a non-finite value; every group constant, so that the within-group variance
/// is zero ([`Error::ZeroVariance`]).
pub fn one_way_anova(groups: &[&[f64]]) -> Result<Anova> {
    if groups.len() < 2 {
        return Err(Error::TooFewValues {
            what: "ANOVA groups".into(),
            n: groups.len(),
            needed: 2,
        });
    }
    for (i, g) in groups.iter().enumerate() {
        check_group(&format!("ANOVA group {i}"), g, 1)?;
    }
    let k = groups.len();
    let n_total: usize = groups.iter().map(|g| g.len()).sum();
    if n_total <= k {
        return Err(Error::TooFewValues {
            what: format!("ANOVA values over {k} groups"),
            n: n_total,
            needed: k + 1,
        });
    }
    if groups.iter().all(|g| is_constant(g)) {
        return Err(Error::ZeroVariance {
            what: "ANOVA: within-group variance of constant groups".into(),
        });
    }
    let all: Vec<f64> = groups.iter().flat_map(|g| g.iter().copied()).collect();
    let grand = mean_unchecked(&all);
    let ss_between: f64 = groups
        .iter()
        .map(|g| g.len() as f64 * (mean_unchecked(g) - grand).powi(2))
        .sum();
    let ss_within: f64 = groups.iter().map(|g| sum_sq_dev(g)).sum();
    let df_between = (k - 1) as f64;
    let df_within = (n_total - k) as f64;
    let statistic = (ss_between / df_between) / (ss_within / df_within);
    let dist = FisherSnedecor::new(df_between, df_within)
        .map_err(|e| Error::parameter("degrees of freedom", e.to_string()))?;
    Ok(Anova {
        statistic,
        df_between,
        df_within,
        p_value: dist.sf(statistic),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: [f64; 10] = [
        0.912, 0.905, 0.921, 0.899, 0.915, 0.908, 0.917, 0.903, 0.911, 0.919,
    ];
    const B: [f64; 10] = [
        0.887, 0.895, 0.879, 0.901, 0.884, 0.892, 0.889, 0.876, 0.898, 0.885,
    ];
    const C: [f64; 10] = [
        0.902, 0.931, 0.918, 0.925, 0.909, 0.935, 0.921, 0.914, 0.928, 0.917,
    ];

    fn close(got: f64, want: f64, rel: f64) {
        assert!(
            (got - want).abs() <= rel * want.abs(),
            "got {got:e}, want {want:e} (relative tolerance {rel:e})"
        );
    }

    #[test]
    fn matches_scipy_f_oneway() {
        // scipy 1.17.1: stats.f_oneway(A, B, C)
        //   -> statistic 35.609564164648916, pvalue 2.6838843390353598e-08
        let r = one_way_anova(&[&A, &B, &C]).unwrap();
        close(r.statistic, 35.609564164648916, 1e-12);
        assert_eq!((r.df_between, r.df_within), (2.0, 27.0));
        close(r.p_value, 2.6838843390353598e-08, 1e-11);
        assert!(r.is_significant());
        // stats.f_oneway([1.2, 3.4, 2.2, 5.1, 0.3], [2.0, 2.1, 1.9, 2.05, 2.2, 1.95, 2.15, 2.0],
        //                [2.5, 1.1, 3.0]) -> statistic 0.19404839600381535, pvalue 0.8259605544291829
        let r = one_way_anova(&[
            &[1.2, 3.4, 2.2, 5.1, 0.3],
            &[2.0, 2.1, 1.9, 2.05, 2.2, 1.95, 2.15, 2.0],
            &[2.5, 1.1, 3.0],
        ])
        .unwrap();
        close(r.statistic, 0.19404839600381535, 1e-12);
        assert_eq!((r.df_between, r.df_within), (2.0, 13.0));
        close(r.p_value, 0.8259605544291829, 1e-11);
        assert!(!r.is_significant());
    }

    #[test]
    fn two_groups_agree_with_the_student_t_test() {
        // With two groups F = t^2 and the p-values are equal:
        // stats.f_oneway(A, C) -> statistic 5.207142857142858, pvalue 0.03487999137949649
        let r = one_way_anova(&[&A, &C]).unwrap();
        close(r.statistic, 5.207142857142858, 1e-12);
        close(r.p_value, 0.03487999137949649, 1e-11);
        let t = super::super::student_t_test(&A, &C).unwrap();
        close(r.statistic, t.statistic * t.statistic, 1e-12);
        close(r.p_value, t.p_value, 1e-11);
    }

    #[test]
    fn matches_scipy_for_a_tiny_p_value() {
        // stats.f_oneway([10.0, 10.1, 9.9, 10.05, 9.95], [1.0, 1.1, 0.9, 1.05, 0.95],
        //                [5.0, 5.1, 4.9]) -> statistic 14505.494505495917, pvalue 4.857792457933856e-18
        let r = one_way_anova(&[
            &[10.0, 10.1, 9.9, 10.05, 9.95],
            &[1.0, 1.1, 0.9, 1.05, 0.95],
            &[5.0, 5.1, 4.9],
        ])
        .unwrap();
        close(r.statistic, 14505.494505495917, 1e-11);
        close(r.p_value, 4.857792457933856e-18, 1e-11);
    }

    #[test]
    fn degenerate_groups_are_typed_errors() {
        assert!(matches!(
            one_way_anova(&[&A]),
            Err(Error::TooFewValues {
                n: 1,
                needed: 2,
                ..
            })
        ));
        assert!(matches!(
            one_way_anova(&[&A, &[]]),
            Err(Error::TooFewValues {
                n: 0,
                needed: 1,
                ..
            })
        ));
        // Two groups of one value: N - k = 0 within-group degrees of freedom.
        assert!(matches!(
            one_way_anova(&[&[0.9], &[0.8]]),
            Err(Error::TooFewValues {
                n: 2,
                needed: 3,
                ..
            })
        ));
        assert!(matches!(
            one_way_anova(&[&[0.9, 0.9], &[0.8, 0.8]]),
            Err(Error::ZeroVariance { .. })
        ));
        assert!(matches!(
            one_way_anova(&[&A, &[0.5, f64::NAN]]),
            Err(Error::NonFinite { index: 1, .. })
        ));
    }
}
