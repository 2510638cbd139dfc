//! Z-scoring of genes with statistics fitted on training samples: the one per-gene z-scorer of
//! rnameta, used by the pipeline's `ZScore` step, the neural models' standardiser, logistic
//! regression and augment's GAN.
//!
//! `z = (x - mean_g) / sd_g`, with the population standard deviation (divisor n, as scikit-learn's
//! `StandardScaler`), both accumulated in `f64` over the rows in order ([`GeneMoments`]). A gene
//! whose standard deviation is at most [`MIN_SD`] (or not finite) is only centred (`sd_g` is taken
//! as 1): its training values become 0 and new values keep their offset from the training value,
//! never NaN or infinity.
//!
//! Two precisions, so that no model's numbers change: [`ZScore`] holds the statistics in `f32` and
//! computes `(x - mean) / sd` in `f32` (the pipeline step, the MLP / DA, the GAN);
//! [`GeneMoments`] keeps them in `f64` for a model that standardises in `f64` (logistic
//! regression, `(f64::from(x) - mean) / scale`).
//!
//! The rule was four rules before (sd > 0, sd > 1e-12, sd > 1e-6); they agree on every input in
//! which no gene has 0 < sd <= 1e-6, and none of the simulated presets' model inputs has one
//! (measured by `crates/models/tests/zscore_rule.rs`: the smallest positive sd is 4.4e-4).

use ndarray::{ArrayView2, ArrayViewMut2, Axis};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::check::{self, Names};
use crate::{Error, Result};

/// A gene whose standard deviation is at most this is constant for z-scoring: only centred. In
/// `f32` data a smaller spread is rounding noise (the spacing of `f32` values near 10 is 1e-6),
/// and dividing by it would blow that noise up a millionfold.
pub const MIN_SD: f64 = 1e-6;

/// Fewest columns per block of [`GeneMoments::of_rows`]: blocks run in parallel (four per thread,
/// so that they share the work evenly, each as wide as that allows: a walk down the rows reads
/// longer contiguous runs of a wider block), each walks the rows in order, so every column's sums
/// are accumulated row by row, the same numbers whatever the thread count or block width.
const MIN_BLOCK: usize = 256;

/// The columns `cols` of row `r` of `x` as a slice: borrowed when the row is contiguous (then the
/// loops over it vectorise; over an ndarray row iterator they do not, which made this fit a
/// quarter of an MLP epoch), else copied into `scratch`.
fn row_part<'a: 'b, 'b>(
    x: ArrayView2<'a, f32>,
    r: usize,
    cols: &std::ops::Range<usize>,
    scratch: &'b mut Vec<f32>,
) -> &'b [f32] {
    let row = x.index_axis_move(Axis(0), r);
    match row.to_slice() {
        Some(values) => &values[cols.clone()],
        None => {
            scratch.clear();
            scratch.extend(row.slice(ndarray::s![cols.clone()]).iter());
            scratch
        }
    }
}

/// The scale a gene of standard deviation `sd` is divided by: `sd`, or 1 for a constant gene
/// (`sd <= MIN_SD` or not finite).
pub fn scale_of(sd: f64) -> f64 {
    if sd > MIN_SD && sd.is_finite() {
        sd
    } else {
        1.0
    }
}

/// Per-gene mean and population standard deviation in `f64`, fitted on chosen rows.
#[derive(Debug, Clone, PartialEq)]
pub struct GeneMoments {
    /// Mean of each gene.
    pub mean: Vec<f64>,
    /// Population standard deviation of each gene (divisor n).
    pub sd: Vec<f64>,
}

impl GeneMoments {
    /// Mean and standard deviation of each column of `x` over the rows `rows` (every row when
    /// `None`), in two passes in `f64`, each column summed in row order. No rows give means 0
    /// and standard deviations 0.
    pub fn of_rows(x: ArrayView2<'_, f32>, rows: Option<&[usize]>) -> Self {
        let all: Vec<usize>;
        let rows = match rows {
            Some(r) => r,
            None => {
                all = (0..x.nrows()).collect();
                &all
            }
        };
        let g = x.ncols();
        let n = rows.len().max(1) as f64;
        let width = g
            .div_ceil(4 * rayon::current_num_threads())
            .next_multiple_of(64)
            .max(MIN_BLOCK);
        let blocks: Vec<(Vec<f64>, Vec<f64>)> = (0..g.div_ceil(width))
            .into_par_iter()
            .map(|b| {
                let cols = b * width..((b + 1) * width).min(g);
                let mut row_values = Vec::with_capacity(cols.len());
                let mut sum = vec![0f64; cols.len()];
                for &r in rows {
                    for (s, &v) in sum.iter_mut().zip(row_part(x, r, &cols, &mut row_values)) {
                        *s += f64::from(v);
                    }
                }
                let mean: Vec<f64> = sum.iter().map(|s| s / n).collect();
                let mut squares = vec![0f64; cols.len()];
                for &r in rows {
                    let values = row_part(x, r, &cols, &mut row_values);
                    for ((q, &v), &m) in squares.iter_mut().zip(values).zip(&mean) {
                        let d = f64::from(v) - m;
                        *q += d * d;
                    }
                }
                let sd = squares.iter().map(|q| (q / n).sqrt()).collect();
                (mean, sd)
            })
            .collect();
        let mut out = Self {
            mean: Vec::with_capacity(g),
            sd: Vec::with_capacity(g),
        };
        for (mean, sd) in blocks {
            out.mean.extend(mean);
            out.sd.extend(sd);
        }
        out
    }

    /// The scale of each gene ([`scale_of`]): what a value's offset from the mean is divided by.
    pub fn scales(&self) -> Vec<f64> {
        self.sd.iter().map(|&s| scale_of(s)).collect()
    }

    /// Columns that z-scoring only centres (standard deviation at most [`MIN_SD`]).
    pub fn constant_genes(&self) -> Vec<usize> {
        self.sd
            .iter()
            .enumerate()
            .filter(|(_, &s)| scale_of(s) != s)
            .map(|(j, _)| j)
            .collect()
    }

    /// The statistics in `f32`, as [`ZScore`] applies them.
    pub fn to_f32(&self) -> ZScore {
        ZScore {
            mean: self.mean.iter().map(|&m| m as f32).collect(),
            sd: self.scales().iter().map(|&s| s as f32).collect(),
            constant_genes: self.constant_genes(),
        }
    }
}

/// `(v - mean) / scale` of each value of `src` into `dst`, in `f32`: the one standardising loop
/// of the `f32` z-scorers (written into a sized buffer so that it vectorises).
pub fn standardise_into(src: &[f32], mean: &[f32], scale: &[f32], dst: &mut [f32]) {
    for (((d, &v), &m), &s) in dst.iter_mut().zip(src).zip(mean).zip(scale) {
        *d = (v - m) / s;
    }
}

/// Per-gene mean and standard deviation fitted on training samples.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ZScore {
    /// Mean of each gene.
    pub mean: Vec<f32>,
    /// Standard deviation of each gene; 1 where the gene was constant (sd at most [`MIN_SD`]).
    pub sd: Vec<f32>,
    /// Columns whose training standard deviation was at most [`MIN_SD`] (only centred).
    pub constant_genes: Vec<usize>,
}

impl ZScore {
    /// Fits means and standard deviations (computed in `f64`) on the rows of `x`.
    pub fn fit(x: ArrayView2<'_, f32>, names: Names<'_>) -> Result<Self> {
        let n = x.nrows();
        if n == 0 {
            return Err(Error::TooFew {
                what: "z-scoring",
                needed: 1,
                unit: "samples",
                got: 0,
            });
        }
        check::finite(x, names)?;
        Ok(GeneMoments::of_rows(x, None).to_f32())
    }

    /// Applies the fitted statistics in place.
    pub fn transform_inplace(&self, mut x: ArrayViewMut2<'_, f32>, names: Names<'_>) -> Result<()> {
        if x.ncols() != self.mean.len() {
            return Err(Error::LengthMismatch {
                what: "z-score genes",
                expected: self.mean.len(),
                got: x.ncols(),
            });
        }
        check::finite(x.view(), names)?;
        x.axis_iter_mut(Axis(0))
            .into_par_iter()
            .for_each(|mut row| {
                for ((v, &m), &s) in row.iter_mut().zip(&self.mean).zip(&self.sd) {
                    *v = (*v - m) / s;
                }
            });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    /// Gene 0: 1, 3 -> mean 2, population sd 1 -> -1, 1. Gene 1 constant 5 -> centred to 0, and
    /// a new value 7 becomes 2 (not NaN).
    #[test]
    fn by_hand_and_constant_gene() {
        let x = array![[1.0f32, 5.0], [3.0, 5.0]];
        let z = ZScore::fit(x.view(), Names::Positions).unwrap();
        assert_eq!(z.constant_genes, vec![1]);
        let mut y = x.clone();
        z.transform_inplace(y.view_mut(), Names::Positions).unwrap();
        assert_eq!(y, array![[-1.0f32, 0.0], [1.0, 0.0]]);
        let mut new = array![[2.0f32, 7.0]];
        z.transform_inplace(new.view_mut(), Names::Positions)
            .unwrap();
        assert_eq!(new, array![[0.0f32, 2.0]]);
    }
}
