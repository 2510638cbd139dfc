//! Per-gene first and second moments of two samples, compared by Pearson correlation across
//! genes: does the generator put each gene at the right level (means) and give it the right
//! spread (variances)? Cheap, interpretable, and blind to gene-gene structure (which MMD and the
//! two-sample test see).

use ndarray::ArrayView2;
use rnameta_core::stats::pearson;
use serde::{Deserialize, Serialize};

use crate::quality::check_pair;
use crate::Result;

/// Pearson correlations across genes of two samples' per-gene moments.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MomentCorrelations {
    /// Correlation of the per-gene means (NaN when either side's means are all equal).
    pub mean: f64,
    /// Correlation of the per-gene sample variances (`n - 1`; NaN when either side's
    /// variances are all equal).
    pub variance: f64,
}

/// Per-gene mean and sample variance of the rows of `x`.
pub(crate) fn gene_moments(x: ArrayView2<'_, f32>) -> (Vec<f64>, Vec<f64>) {
    let n = x.nrows() as f64;
    let g = x.ncols();
    let mut mean = vec![0f64; g];
    for row in x.outer_iter() {
        mean.iter_mut().zip(row).for_each(|(s, &v)| *s += v as f64);
    }
    mean.iter_mut().for_each(|s| *s /= n);
    let mut var = vec![0f64; g];
    for row in x.outer_iter() {
        var.iter_mut()
            .zip(row)
            .zip(&mean)
            .for_each(|((s, &v), m)| *s += (v as f64 - m).powi(2));
    }
    var.iter_mut().for_each(|s| *s /= (n - 1.0).max(1.0));
    (mean, var)
}

/// Correlations of the per-gene means and variances of the rows of `x` and `y` (each at least
/// two rows, same genes).
pub fn moment_correlations(
    x: ArrayView2<'_, f32>,
    y: ArrayView2<'_, f32>,
) -> Result<MomentCorrelations> {
    check_pair(x, y, "the first sample", "the second sample", 2)?;
    let (mx, vx) = gene_moments(x);
    let (my, vy) = gene_moments(y);
    Ok(MomentCorrelations {
        mean: pearson(&mx, &my),
        variance: pearson(&vx, &vy),
    })
}
