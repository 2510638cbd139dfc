//! Per-gene standardisation fitted on training rows and stored with the model.
//!
//! Neural models see z-scored inputs: expression values span orders of magnitude between genes,
//! and the domain-adaptation model in particular collapses to a single class without it (the
//! published implementation does; see DESIGN.md). The statistics come from the rows a model is
//! told to fit them on (the source domain for DA), never from test data.

use ndarray::ArrayView2;
use rnameta_preprocess::zscore::{standardise_into, GeneMoments};

/// Mean and standard deviation of each input column.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Standardiser {
    pub(crate) mean: Vec<f32>,
    /// Standard deviations, with those of constant genes (at most `MIN_SD`) replaced by one so
    /// that constant genes map to 0.
    pub(crate) scale: Vec<f32>,
}

impl Standardiser {
    /// Fits on the rows `rows` of `x` with preprocess's one z-scorer
    /// ([`rnameta_preprocess::zscore::GeneMoments`]: population standard deviation, two passes in
    /// `f64`, a gene with sd at most `MIN_SD` only centred), held in `f32`.
    pub(crate) fn fit(x: ArrayView2<'_, f32>, rows: &[usize]) -> Self {
        let stats = GeneMoments::of_rows(x, Some(rows)).to_f32();
        Self {
            mean: stats.mean,
            scale: stats.sd,
        }
    }

    /// The standardised rows `rows` of `x`, row-major, appended to `out` (cleared first).
    pub(crate) fn rows_into(&self, x: ArrayView2<'_, f32>, rows: &[usize], out: &mut Vec<f32>) {
        let g = self.mean.len();
        out.clear();
        if g == 0 {
            return;
        }
        out.resize(rows.len() * g, 0.0);
        // Writing into a sized buffer (not `extend`, which pushes one value at a time) lets the
        // loop vectorise; the values are the same.
        for (&r, dst) in rows.iter().zip(out.chunks_exact_mut(g)) {
            let row = x.row(r);
            match row.as_slice() {
                Some(src) => standardise_into(src, &self.mean, &self.scale, dst),
                None => standardise_into(&row.to_vec(), &self.mean, &self.scale, dst),
            }
        }
    }
}
