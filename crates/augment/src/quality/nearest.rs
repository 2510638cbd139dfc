//! Nearest-neighbour distances: a memorisation check. A generator that copies its training
//! samples puts its output much closer to them than new real samples of the class lie; a ratio of
//! medians (generated / held-out real) far below 1 says so, about 1 says the generated samples
//! are as new as real ones.

use ndarray::ArrayView2;

use crate::distance::squared_distances;
use crate::quality::check_pair;
use crate::Result;

/// Euclidean distance from each row of `query` to its nearest row of `reference`.
pub fn nearest_distances(
    query: ArrayView2<'_, f32>,
    reference: ArrayView2<'_, f32>,
) -> Result<Vec<f64>> {
    check_pair(
        query,
        reference,
        "the query samples",
        "the reference samples",
        1,
    )?;
    let d = squared_distances(query, reference);
    Ok(d.outer_iter()
        .map(|r| r.iter().copied().fold(f64::INFINITY, f64::min).sqrt())
        .collect())
}

/// Median of `v` (mean of the two middle values for an even count); NaN when empty.
pub fn median(v: &[f64]) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let m = s.len() / 2;
    if s.len() % 2 == 1 {
        s[m]
    } else {
        (s[m - 1] + s[m]) / 2.0
    }
}
