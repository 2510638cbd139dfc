//! Per-gene standardisation fitted on training rows and stored with the model.
//!
//! Neural models see z-scored inputs: expression values span orders of magnitude between genes,
//! and the domain-adaptation model in particular collapses to a single class without it (the
//! published implementation does; see DESIGN.md). The statistics come from the rows a model is
//! told to fit them on (the source domain for DA), never from test data.

use ndarray::{ArrayView2, Axis};
use rayon::prelude::*;

/// Mean and standard deviation of each input column.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Standardiser {
    pub(crate) mean: Vec<f32>,
    /// Standard deviations, with zero replaced by one so constant genes map to 0.
    pub(crate) scale: Vec<f32>,
}

impl Standardiser {
    /// Fits on the rows `rows` of `x` (population standard deviation, in f64).
    pub(crate) fn fit(x: ArrayView2<'_, f32>, rows: &[usize]) -> Self {
        let n = rows.len().max(1) as f64;
        let (mean, scale): (Vec<f32>, Vec<f32>) = x
            .axis_iter(Axis(1))
            .into_par_iter()
            .map(|col| {
                let mean = rows.iter().map(|&r| col[r] as f64).sum::<f64>() / n;
                let var = rows
                    .iter()
                    .map(|&r| (col[r] as f64 - mean).powi(2))
                    .sum::<f64>()
                    / n;
                let sd = var.sqrt();
                let scale = if sd > 1e-12 { sd as f32 } else { 1.0 };
                (mean as f32, scale)
            })
            .unzip();
        Self { mean, scale }
    }

    /// The standardised rows `rows` of `x`, row-major, appended to `out` (cleared first).
    pub(crate) fn rows_into(&self, x: ArrayView2<'_, f32>, rows: &[usize], out: &mut Vec<f32>) {
        out.clear();
        out.reserve(rows.len() * self.mean.len());
        for &r in rows {
            let row = x.row(r);
            out.extend(
                row.iter()
                    .zip(self.mean.iter().zip(&self.scale))
                    .map(|(&v, (&m, &s))| (v - m) / s),
            );
        }
    }
}
