//! limma-style moderated t statistics of "in class" vs "not in class", as phenopredict selects
//! genes.
//!
//! For one class, each gene is fitted on the design `model.matrix(~ 0 + indicator)` (column 1 = in
//! the class, column 2 = not in it), so the coefficients are the two group means and the residual
//! variance `s2` has `d = n - 2` degrees of freedom. limma's `eBayes` then squeezes the `s2`
//! towards a common prior (`squeezeVar` / `fitFDist`, Smyth 2004): with `e = ln s2 - digamma(d/2) +
//! ln(d/2)`, the prior degrees of freedom `d0 = 2 trigammaInverse(var(e) - trigamma(d/2))` and the
//! prior variance `s0^2 = exp(mean(e) + digamma(d0/2) - ln(d0/2))` (`d0` infinite and `s0^2 =
//! exp(mean(e))` when the excess variance is not positive). The posterior variance is `s2_post =
//! (d0 s0^2 + d s2) / (d0 + d)` and the moderated t of the contrast in minus out is `(mean_in -
//! mean_out) / sqrt(s2_post (1/n_in + 1/n_out))`.

use ndarray::ArrayView2;

use super::special::{digamma, trigamma, trigamma_inverse};
use crate::{Error, Result};

/// The moderated t statistics of one class against the rest, with limma's intermediate numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct ModeratedT {
    /// Moderated t of each gene (in-class mean minus out-of-class mean, over its moderated s.e.).
    pub t: Vec<f64>,
    /// Residual variance of each gene (pooled within the two groups), `d` degrees of freedom.
    pub s2: Vec<f64>,
    /// Posterior (squeezed) variance of each gene.
    pub s2_post: Vec<f64>,
    /// Residual degrees of freedom, `n - 2`.
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

/// Per gene: the two group means and the residual sum of squares of the two-group fit.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TwoGroupFit {
    pub(crate) mean_in: Vec<f64>,
    pub(crate) mean_out: Vec<f64>,
    pub(crate) rss: Vec<f64>,
    pub(crate) n_in: usize,
    pub(crate) n_out: usize,
}

/// Moderated t of every gene (column of `x`) for the rows with `in_class` true against the others.
///
/// Needs at least one row in each group and three rows in all (so that `d = n - 2 >= 1`), and at
/// least two genes (the prior is estimated across genes).
pub fn moderated_t(x: ArrayView2<'_, f32>, in_class: &[bool]) -> Result<ModeratedT> {
    crate::classifier::check_rows(x.nrows(), in_class.len(), "class indicators per sample")?;
    crate::classifier::check_finite(x)?;
    let n_in = in_class.iter().filter(|&&b| b).count();
    let n_out = in_class.len() - n_in;
    let p = x.ncols();
    let mut sum_in = vec![0.0; p];
    let mut sum_out = vec![0.0; p];
    for (row, &inside) in x.rows().into_iter().zip(in_class) {
        let acc = if inside { &mut sum_in } else { &mut sum_out };
        acc.iter_mut().zip(row).for_each(|(a, &v)| *a += v as f64);
    }
    let mean_in: Vec<f64> = sum_in.iter().map(|s| s / n_in.max(1) as f64).collect();
    let mean_out: Vec<f64> = sum_out.iter().map(|s| s / n_out.max(1) as f64).collect();
    let mut rss = vec![0.0; p];
    for (row, &inside) in x.rows().into_iter().zip(in_class) {
        let m = if inside { &mean_in } else { &mean_out };
        rss.iter_mut()
            .zip(row)
            .zip(m)
            .for_each(|((r, &v), mu)| *r += (v as f64 - mu).powi(2));
    }
    moderated_t_of_fit(&TwoGroupFit {
        mean_in,
        mean_out,
        rss,
        n_in,
        n_out,
    })
}

/// Moderated t from the two-group fit of every gene.
pub(crate) fn moderated_t_of_fit(fit: &TwoGroupFit) -> Result<ModeratedT> {
    let n = fit.n_in + fit.n_out;
    if fit.n_in == 0 || fit.n_out == 0 || n < 3 {
        return Err(Error::NotEnoughData {
            reason: format!(
                "moderated t needs samples in and out of the class and at least 3 in all \
                 (got {} in, {} out)",
                fit.n_in, fit.n_out
            ),
        });
    }
    if fit.rss.len() < 2 {
        return Err(Error::NotEnoughData {
            reason: format!(
                "the variance prior is estimated across genes; got {} gene(s)",
                fit.rss.len()
            ),
        });
    }
    let d = (n - 2) as f64;
    let s2: Vec<f64> = fit.rss.iter().map(|r| r / d).collect();
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
    let unscaled = (1.0 / fit.n_in as f64 + 1.0 / fit.n_out as f64).sqrt();
    let t = fit
        .mean_in
        .iter()
        .zip(&fit.mean_out)
        .zip(&s2_post)
        .map(|((a, b), v)| {
            let t = (a - b) / (v.sqrt() * unscaled);
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
