//! Maximum mean discrepancy (Gretton et al. 2012) with a Gaussian kernel: how far apart two
//! samples' distributions are, 0 in expectation when they are the same.
//!
//! `MMD^2 = E k(x, x') + E k(y, y') - 2 E k(x, y)` with `k(a, b) = exp(-|a - b|^2 / (2 s^2))`,
//! estimated without bias (the diagonal of the within-sample kernel sums left out), so two
//! samples of one distribution score about 0 and may score slightly below. The bandwidth `s` is
//! the median pairwise distance of the pooled samples (the median heuristic), computed once and
//! shared by every comparison that should be on one scale. Distances come from one matrix
//! product (see `distance.rs`).

use ndarray::{concatenate, Array2, ArrayView2, Axis};
use rnameta_models::Error as ModelError;

use crate::distance::{self_squared_distances, squared_distances};
use crate::quality::check_pair;
use crate::Result;

/// Median Euclidean distance between distinct rows of `x` (the median heuristic's bandwidth).
/// Falls back to the mean distance when the median is 0 and to 1 when every row is identical,
/// so the bandwidth is always positive. Needs at least two rows.
pub fn median_distance(x: ArrayView2<'_, f32>) -> Result<f64> {
    crate::data::check_finite(x, "the samples")?;
    if x.nrows() < 2 {
        return Err(ModelError::ShapeMismatch {
            what: "rows for a median pairwise distance (at least)",
            expected: 2,
            got: x.nrows(),
        }
        .into());
    }
    let d = self_squared_distances(x);
    let n = x.nrows();
    let mut all: Vec<f64> = Vec::with_capacity(n * (n - 1) / 2);
    for i in 0..n {
        for j in i + 1..n {
            all.push(d[[i, j]].sqrt());
        }
    }
    let mid = all.len() / 2;
    let (_, &mut median, _) = all.select_nth_unstable_by(mid, f64::total_cmp);
    if median > 0.0 {
        return Ok(median);
    }
    let mean = all.iter().sum::<f64>() / all.len() as f64;
    Ok(if mean > 0.0 { mean } else { 1.0 })
}

/// The median pairwise distance of the rows of `x` and `y` pooled.
pub fn pooled_bandwidth(x: ArrayView2<'_, f32>, y: ArrayView2<'_, f32>) -> Result<f64> {
    check_pair(x, y, "the first sample", "the second sample", 1)?;
    let pooled = concatenate(Axis(0), &[x.view(), y.view()]).expect("same columns, checked");
    median_distance(pooled.view())
}

/// Unbiased MMD^2 between the rows of `x` and of `y` with a Gaussian kernel of bandwidth
/// `bandwidth` (see the module docs). Each sample needs at least two rows.
pub fn mmd2_unbiased(
    x: ArrayView2<'_, f32>,
    y: ArrayView2<'_, f32>,
    bandwidth: f64,
) -> Result<f64> {
    check_pair(x, y, "the first sample", "the second sample", 2)?;
    let gamma = kernel_gamma(bandwidth)?;
    Ok(mmd2_from_parts(
        SelfDistances::of(x).within(gamma),
        SelfDistances::of(y).within(gamma),
        cross_mean(x, y, gamma),
    ))
}

/// The Gaussian kernel's `gamma = 1 / (2 bandwidth^2)`, refusing a bandwidth that is not a
/// positive number.
pub(crate) fn kernel_gamma(bandwidth: f64) -> Result<f64> {
    if !(bandwidth.is_finite() && bandwidth > 0.0) {
        return Err(ModelError::InvalidParameter {
            name: "bandwidth",
            reason: format!("{bandwidth} is not a positive number"),
        }
        .into());
    }
    Ok(1.0 / (2.0 * bandwidth * bandwidth))
}

/// MMD^2 from its three terms: each sample's mean kernel value over its distinct pairs
/// ([`SelfDistances::within`]) and the mean kernel value between them ([`cross_mean`]).
pub(crate) fn mmd2_from_parts(within_x: f64, within_y: f64, cross: f64) -> f64 {
    within_x + within_y - 2.0 * cross
}

/// The squared distances between the rows of one sample, kept so that its MMD^2 term can be
/// taken at any bandwidth without computing them again (`QualityReference` keeps the held-out
/// and other classes' ones for every generated set measured against them).
pub(crate) struct SelfDistances(Array2<f64>);

impl SelfDistances {
    /// The squared distances between the rows of `a` (at least two).
    pub(crate) fn of(a: ArrayView2<'_, f32>) -> Self {
        Self(self_squared_distances(a))
    }

    /// The mean kernel value over distinct pairs of rows at `gamma`.
    pub(crate) fn within(&self, gamma: f64) -> f64 {
        let m = self.0.nrows() as f64;
        let total: f64 = self.0.iter().map(|&v| (-gamma * v).exp()).sum::<f64>() - m;
        total / (m * (m - 1.0))
    }
}

/// The mean kernel value at `gamma` between every row of `x` and every row of `y`.
pub(crate) fn cross_mean(x: ArrayView2<'_, f32>, y: ArrayView2<'_, f32>, gamma: f64) -> f64 {
    let cross = squared_distances(x, y);
    cross.iter().map(|&v| (-gamma * v).exp()).sum::<f64>() / cross.len() as f64
}
