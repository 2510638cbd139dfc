//! Per-gene standardisation fitted on training rows and stored with the model.
//!
//! Neural models see z-scored inputs: expression values span orders of magnitude between genes,
//! and the domain-adaptation model in particular collapses to a single class without it (the
//! published implementation does; see DESIGN.md). The statistics come from the rows a model is
//! told to fit them on (the source domain for DA), never from test data.

use ndarray::ArrayView2;

/// Mean and standard deviation of each input column.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Standardiser {
    pub(crate) mean: Vec<f32>,
    /// Standard deviations, with zero replaced by one so constant genes map to 0.
    pub(crate) scale: Vec<f32>,
}

impl Standardiser {
    /// Fits on the rows `rows` of `x` (population standard deviation, two passes in f64). Rows
    /// are walked in order, each one contiguous, rather than gene by gene down strided columns.
    pub(crate) fn fit(x: ArrayView2<'_, f32>, rows: &[usize]) -> Self {
        let g = x.ncols();
        let n = rows.len().max(1) as f64;
        let mut sum = vec![0f64; g];
        for &r in rows {
            for (s, &v) in sum.iter_mut().zip(x.row(r).iter()) {
                *s += f64::from(v);
            }
        }
        let mean: Vec<f64> = sum.iter().map(|s| s / n).collect();
        let mut squares = vec![0f64; g];
        for &r in rows {
            for ((q, &v), &m) in squares.iter_mut().zip(x.row(r).iter()).zip(&mean) {
                let d = f64::from(v) - m;
                *q += d * d;
            }
        }
        let scale = squares
            .iter()
            .map(|q| {
                let sd = (q / n).sqrt();
                if sd > 1e-12 {
                    sd as f32
                } else {
                    1.0
                }
            })
            .collect();
        Self {
            mean: mean.iter().map(|&m| m as f32).collect(),
            scale,
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
                Some(src) => {
                    for (((d, &v), &m), &s) in
                        dst.iter_mut().zip(src).zip(&self.mean).zip(&self.scale)
                    {
                        *d = (v - m) / s;
                    }
                }
                None => {
                    for (((d, &v), &m), &s) in
                        dst.iter_mut().zip(row).zip(&self.mean).zip(&self.scale)
                    {
                        *d = (v - m) / s;
                    }
                }
            }
        }
    }
}
