//! Z-scoring of genes with statistics fitted on training samples.
//!
//! `z = (x - mean_g) / sd_g`, with the population standard deviation (divisor n, as scikit-learn's
//! `StandardScaler`). A gene constant on the training samples (sd = 0) is only centred
//! (`sd_g` is taken as 1): its training values become 0 and new values keep their offset from the
//! training value, never NaN or infinity.

use ndarray::{ArrayView2, ArrayViewMut2, Axis};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::check::{self, Names};
use crate::{Error, Result};

/// Per-gene mean and standard deviation fitted on training samples.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ZScore {
    /// Mean of each gene.
    pub mean: Vec<f32>,
    /// Standard deviation of each gene; 1 where the gene was constant.
    pub sd: Vec<f32>,
    /// Columns whose training variance was zero (only centred).
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
        let stats: Vec<(f32, f32, bool)> = x
            .axis_iter(Axis(1))
            .into_par_iter()
            .map(|col| {
                let mean = col.iter().map(|&v| f64::from(v)).sum::<f64>() / n as f64;
                let var = col
                    .iter()
                    .map(|&v| (f64::from(v) - mean).powi(2))
                    .sum::<f64>()
                    / n as f64;
                let sd = var.sqrt() as f32;
                if sd > 0.0 && sd.is_finite() {
                    (mean as f32, sd, false)
                } else {
                    (mean as f32, 1.0, true)
                }
            })
            .collect();
        Ok(Self {
            mean: stats.iter().map(|s| s.0).collect(),
            sd: stats.iter().map(|s| s.1).collect(),
            constant_genes: stats
                .iter()
                .enumerate()
                .filter(|(_, s)| s.2)
                .map(|(i, _)| i)
                .collect(),
        })
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
