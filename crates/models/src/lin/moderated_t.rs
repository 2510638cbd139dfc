//! limma-style moderated t statistics of every gene for one class, the statistic by which LIN
//! ranks genes.
//!
//! Two linear fits per gene, chosen by [`GeneStatistic`]:
//!
//! - [`GeneStatistic::ClassMean`], phenopredict's `build_predictor` as published: `lmFit(y,
//!   cbind(x))` with one indicator column `x` (1 in the class, 0 elsewhere) and no intercept, then
//!   `topTable(eBayes(fit), coef = 1)`. The coefficient is the in-class mean; the residuals are the
//!   in-class deviations from it and the out-of-class values themselves, with `d = n - 1` degrees of
//!   freedom; the test is the in-class mean against zero, its unscaled standard deviation
//!   `sqrt(1 / n_in)`. `topTable` orders by the log-odds B, which for one coefficient, one design
//!   and one prior for every gene is increasing in `|t|`, so ranking by `|t|` is the same order.
//! - [`GeneStatistic::InVsRest`]: the design `model.matrix(~ 0 + indicator)` (column 1 = in the
//!   class, column 2 = not in it) and the contrast in minus out, `d = n - 2`, unscaled standard
//!   deviation `sqrt(1 / n_in + 1 / n_out)`: a class-versus-rest test, not phenopredict's.
//!
//! limma's `eBayes` then squeezes the residual variances `s2` towards a common prior (`squeezeVar`
//! / `fitFDist`, Smyth 2004): with `e = ln s2 - digamma(d/2) + ln(d/2)`, the prior degrees of
//! freedom `d0 = 2 trigammaInverse(var(e) - trigamma(d/2))` and the prior variance `s0^2 =
//! exp(mean(e) + digamma(d0/2) - ln(d0/2))` (`d0` infinite and `s0^2 = exp(mean(e))` when the
//! excess variance is not positive). The posterior variance is `s2_post = (d0 s0^2 + d s2) / (d0 +
//! d)` and the moderated t is the estimate over `sqrt(s2_post)` times its unscaled standard
//! deviation. Both are checked against limma 3.54 itself (`tests/lin_phenopredict.rs`).

use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};

use super::special::{digamma, trigamma, trigamma_inverse};
use crate::{Error, Result};

/// Which per-gene linear fit ranks the genes of a class (see the module docs).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GeneStatistic {
    /// phenopredict as published: the in-class mean against zero, one indicator column, no
    /// intercept, `n - 1` degrees of freedom.
    #[default]
    ClassMean,
    /// The in-class mean against the out-of-class mean, `n - 2` degrees of freedom.
    InVsRest,
}

/// The moderated t statistics of one class, with limma's intermediate numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct ModeratedT {
    /// Moderated t of each gene: the estimate over its moderated standard error.
    pub t: Vec<f64>,
    /// Residual variance of each gene, `d` degrees of freedom.
    pub s2: Vec<f64>,
    /// Posterior (squeezed) variance of each gene.
    pub s2_post: Vec<f64>,
    /// Residual degrees of freedom `d`: `n - 1` for [`GeneStatistic::ClassMean`], `n - 2` for
    /// [`GeneStatistic::InVsRest`].
    pub df_residual: f64,
    /// The prior.
    pub prior: VariancePrior,
}

/// The scaled inverse chi-square prior of the gene variances that limma's `fitFDist` estimates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VariancePrior {
    /// Prior degrees of freedom `d0` (infinite when the variances are no more spread than sampling
    /// noise explains: then every gene gets the prior variance).
    pub df: f64,
    /// Prior variance `s0^2`.
    pub var: f64,
}

/// Per gene of one class: the in-class and out-of-class means and the sums of squares the two
/// fits need, computed once whichever statistic is asked for.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ClassMoments {
    pub(crate) mean_in: Vec<f64>,
    pub(crate) mean_out: Vec<f64>,
    /// Sum of squared deviations from the in-class mean, over the in-class samples.
    pub(crate) ss_in: Vec<f64>,
    /// Sum of squared deviations from the out-of-class mean, over the out-of-class samples.
    pub(crate) ss_out: Vec<f64>,
    pub(crate) n_in: usize,
    pub(crate) n_out: usize,
}

impl ClassMoments {
    /// The moments of every one of `k` classes against the rest, from the samples `rows` of `x`
    /// with classes `y`, in one pass for the means and one for the sums of squares (two passes,
    /// for accuracy). Returns the class means too (classes x genes), LIN's coefficients.
    pub(crate) fn per_class(
        x: ArrayView2<'_, f32>,
        rows: &[usize],
        y: &[usize],
        k: usize,
    ) -> (Array2<f64>, Vec<ClassMoments>) {
        let p = x.ncols();
        let mut counts = vec![0usize; k];
        let mut means = Array2::<f64>::zeros((k, p));
        for (&r, &c) in rows.iter().zip(y) {
            counts[c] += 1;
            means
                .row_mut(c)
                .iter_mut()
                .zip(x.row(r))
                .for_each(|(m, &v)| *m += v as f64);
        }
        for (mut row, &n) in means.rows_mut().into_iter().zip(&counts) {
            row.mapv_inplace(|v| v / n.max(1) as f64);
        }
        let mut ss = Array2::<f64>::zeros((k, p));
        for (&r, &c) in rows.iter().zip(y) {
            let m = means.row(c);
            ss.row_mut(c)
                .iter_mut()
                .zip(x.row(r))
                .zip(m)
                .for_each(|((s, &v), mu)| *s += (v as f64 - mu).powi(2));
        }
        let n = rows.len();
        let moments = (0..k)
            .map(|c| {
                let n_out = n - counts[c];
                let mut mean_out = vec![0.0; p];
                for o in (0..k).filter(|&o| o != c) {
                    mean_out
                        .iter_mut()
                        .zip(means.row(o))
                        .for_each(|(a, &m)| *a += m * counts[o] as f64 / n_out.max(1) as f64);
                }
                // Out-of-class sum of squares: within each other class plus between them.
                let mut ss_out = vec![0.0; p];
                for o in (0..k).filter(|&o| o != c) {
                    for g in 0..p {
                        ss_out[g] +=
                            ss[[o, g]] + counts[o] as f64 * (means[[o, g]] - mean_out[g]).powi(2);
                    }
                }
                ClassMoments {
                    mean_in: means.row(c).to_vec(),
                    mean_out,
                    ss_in: ss.row(c).to_vec(),
                    ss_out,
                    n_in: counts[c],
                    n_out,
                }
            })
            .collect();
        (means, moments)
    }
}

/// Moderated t of every gene (column of `x`) for the rows with `in_class` true, by `statistic`.
///
/// Needs at least one row in and one out of the class, enough rows for one residual degree of
/// freedom (`n >= 2` for [`GeneStatistic::ClassMean`], `n >= 3` for [`GeneStatistic::InVsRest`]),
/// and at least two genes (the prior is estimated across genes).
pub fn moderated_t(
    x: ArrayView2<'_, f32>,
    in_class: &[bool],
    statistic: GeneStatistic,
) -> Result<ModeratedT> {
    crate::classifier::check_rows(x.nrows(), in_class.len(), "class indicators per sample")?;
    crate::classifier::check_finite(x)?;
    let rows: Vec<usize> = (0..x.nrows()).collect();
    let y: Vec<usize> = in_class
        .iter()
        .map(|&inside| usize::from(!inside))
        .collect();
    let (_, moments) = ClassMoments::per_class(x, &rows, &y, 2);
    moderated_t_of(&moments[0], statistic)
}

/// Moderated t from the moments of one class, by `statistic`.
pub(crate) fn moderated_t_of(m: &ClassMoments, statistic: GeneStatistic) -> Result<ModeratedT> {
    let n = m.n_in + m.n_out;
    let parameters = match statistic {
        GeneStatistic::ClassMean => 1,
        GeneStatistic::InVsRest => 2,
    };
    if m.n_in == 0 || m.n_out == 0 || n <= parameters {
        return Err(Error::NotEnoughData {
            reason: format!(
                "moderated t needs samples in and out of the class and at least {} in all \
                 (got {} in, {} out)",
                parameters + 1,
                m.n_in,
                m.n_out
            ),
        });
    }
    if m.mean_in.len() < 2 {
        return Err(Error::NotEnoughData {
            reason: format!(
                "the variance prior is estimated across genes; got {} gene(s)",
                m.mean_in.len()
            ),
        });
    }
    let d = (n - parameters) as f64;
    let (estimate, rss, unscaled): (Vec<f64>, Vec<f64>, f64) = match statistic {
        // Out of the class the fitted value is 0: the residual is the value itself, and
        // sum(y^2) over those samples = ss_out + n_out mean_out^2.
        GeneStatistic::ClassMean => (
            m.mean_in.clone(),
            m.ss_in
                .iter()
                .zip(&m.ss_out)
                .zip(&m.mean_out)
                .map(|((a, b), mo)| a + b + m.n_out as f64 * mo * mo)
                .collect(),
            (1.0 / m.n_in as f64).sqrt(),
        ),
        GeneStatistic::InVsRest => (
            m.mean_in
                .iter()
                .zip(&m.mean_out)
                .map(|(a, b)| a - b)
                .collect(),
            m.ss_in.iter().zip(&m.ss_out).map(|(a, b)| a + b).collect(),
            (1.0 / m.n_in as f64 + 1.0 / m.n_out as f64).sqrt(),
        ),
    };
    let s2: Vec<f64> = rss.iter().map(|r| r / d).collect();
    let prior = fit_f_dist(&s2, d);
    let s2_post: Vec<f64> = s2
        .iter()
        .map(|&v| {
            if prior.df.is_infinite() {
                prior.var
            } else {
                (prior.df * prior.var + d * v) / (prior.df + d)
            }
        })
        .collect();
    let t = estimate
        .iter()
        .zip(&s2_post)
        .map(|(e, v)| {
            let t = e / (v.sqrt() * unscaled);
            if t.is_finite() {
                t
            } else {
                0.0
            }
        })
        .collect();
    Ok(ModeratedT {
        t,
        s2,
        s2_post,
        df_residual: d,
        prior,
    })
}

/// limma's `fitFDist` for variances `s2` that all have `d` degrees of freedom: moment estimates of
/// the prior on the log scale. As limma does, variances are floored at `1e-5` times their median
/// (the median taken as 1 when it is 0) so that zero variances do not give `ln 0`.
pub fn fit_f_dist(s2: &[f64], d: f64) -> VariancePrior {
    let mut sorted: Vec<f64> = s2.iter().map(|v| v.max(0.0)).collect();
    sorted.sort_by(f64::total_cmp);
    let k = sorted.len();
    let mut median = if k == 0 {
        0.0
    } else if k % 2 == 1 {
        sorted[k / 2]
    } else {
        (sorted[k / 2 - 1] + sorted[k / 2]) / 2.0
    };
    if median == 0.0 {
        median = 1.0;
    }
    let floor = 1e-5 * median;
    let shift = -digamma(d / 2.0) + (d / 2.0).ln();
    let e: Vec<f64> = s2.iter().map(|v| v.max(floor).ln() + shift).collect();
    let mean = e.iter().sum::<f64>() / k as f64;
    let var =
        e.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (k as f64 - 1.0) - trigamma(d / 2.0);
    if var > 0.0 {
        let df = 2.0 * trigamma_inverse(var);
        VariancePrior {
            df,
            var: (mean + digamma(df / 2.0) - (df / 2.0).ln()).exp(),
        }
    } else {
        VariancePrior {
            df: f64::INFINITY,
            var: mean.exp(),
        }
    }
}
