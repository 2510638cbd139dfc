//! Quantile binning of features to at most 256 levels, so that trees search splits over `u8` codes
//! with histograms instead of sorting floats at every node.
//!
//! Bin edges are fitted on the training rows: when a feature has at most `max_bins` distinct values
//! the edges are the midpoints between consecutive distinct values (no information is lost); else they
//! are midpoints at the `k / max_bins` quantiles, as scikit-learn's `HistGradientBoosting` does. A value
//! `v` gets the code "number of edges strictly below `v`", so `code <= t` exactly when `v <= edge[t]`:
//! a split found on codes is applied to raw values through the edge, and new data needs no binning.

use ndarray::ArrayView2;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Most rows used to place a feature's edges; larger training sets use evenly spaced rows.
const MAX_ROWS_FOR_EDGES: usize = 200_000;

/// Features handled together when reading the row-major matrix (one cache line of `f32` per row).
const FEATURE_BLOCK: usize = 16;

/// Bin edges of every feature, fitted on training data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BinEdges {
    edges: Vec<Vec<f32>>,
}

impl BinEdges {
    /// Fits edges on the rows `rows` of `x` (samples x features), at most `max_bins` (2..=256) bins per
    /// feature. Values must be finite.
    pub fn fit(x: ArrayView2<'_, f32>, rows: &[usize], max_bins: usize) -> Self {
        let max_bins = max_bins.clamp(2, 256);
        let used: Vec<usize> = if rows.len() > MAX_ROWS_FOR_EDGES {
            (0..MAX_ROWS_FOR_EDGES)
                .map(|k| rows[k * rows.len() / MAX_ROWS_FOR_EDGES])
                .collect()
        } else {
            rows.to_vec()
        };
        let n_features = x.ncols();
        let starts: Vec<usize> = (0..n_features).step_by(FEATURE_BLOCK).collect();
        let edges = starts
            .par_iter()
            .flat_map_iter(|&f0| {
                let f1 = (f0 + FEATURE_BLOCK).min(n_features);
                gather_columns(x, &used, f0, f1)
                    .into_iter()
                    .map(|mut col| feature_edges(&mut col, max_bins))
                    .collect::<Vec<_>>()
            })
            .collect();
        Self { edges }
    }

    /// Edges from stored values (a loaded model); each list must be strictly increasing.
    pub fn from_edges(edges: Vec<Vec<f32>>) -> Self {
        Self { edges }
    }

    /// Number of features.
    pub fn n_features(&self) -> usize {
        self.edges.len()
    }

    /// Number of bins of feature `f` (its edges plus one).
    pub fn n_bins(&self, f: usize) -> usize {
        self.edges[f].len() + 1
    }

    /// The edges of feature `f`, strictly increasing.
    pub fn edges(&self, f: usize) -> &[f32] {
        &self.edges[f]
    }

    /// The code of value `v` for feature `f`: how many edges lie strictly below it.
    pub fn code(&self, f: usize, v: f32) -> u8 {
        self.edges[f].partition_point(|&e| e < v) as u8
    }

    /// Codes of the rows `rows` of `x`, as a column-major matrix (one contiguous column per feature).
    pub fn transform(&self, x: ArrayView2<'_, f32>, rows: &[usize]) -> BinnedMatrix {
        let n = rows.len();
        let n_features = self.edges.len();
        let mut codes = vec![0u8; n * n_features];
        if n > 0 {
            codes
                .par_chunks_mut(n * FEATURE_BLOCK)
                .enumerate()
                .for_each(|(block, out)| {
                    let f0 = block * FEATURE_BLOCK;
                    let f1 = (f0 + FEATURE_BLOCK).min(n_features);
                    for (k, col) in gather_columns(x, rows, f0, f1).iter().enumerate() {
                        let dst = &mut out[k * n..(k + 1) * n];
                        for (d, &v) in dst.iter_mut().zip(col) {
                            *d = self.code(f0 + k, v);
                        }
                    }
                });
        }
        BinnedMatrix {
            n_rows: n,
            n_cols: n_features,
            codes,
        }
    }
}

/// `u8` bin codes, column-major: column `f` is `n_rows` contiguous bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct BinnedMatrix {
    n_rows: usize,
    n_cols: usize,
    codes: Vec<u8>,
}

impl BinnedMatrix {
    /// Number of rows (samples).
    pub fn n_rows(&self) -> usize {
        self.n_rows
    }

    /// Number of columns (features).
    pub fn n_cols(&self) -> usize {
        self.n_cols
    }

    /// The codes of feature `f`, one per row.
    pub fn column(&self, f: usize) -> &[u8] {
        &self.codes[f * self.n_rows..(f + 1) * self.n_rows]
    }
}

/// Columns `f0..f1` of the rows `rows`, read row by row (each row's block is one contiguous run).
fn gather_columns(x: ArrayView2<'_, f32>, rows: &[usize], f0: usize, f1: usize) -> Vec<Vec<f32>> {
    let mut cols = vec![Vec::with_capacity(rows.len()); f1 - f0];
    for &r in rows {
        let row = x.row(r);
        for (k, col) in cols.iter_mut().enumerate() {
            col.push(row[f0 + k]);
        }
    }
    cols
}

/// Edges of one feature from its values (sorted in place).
fn feature_edges(values: &mut [f32], max_bins: usize) -> Vec<f32> {
    values.sort_unstable_by(f32::total_cmp);
    let mut distinct: Vec<f32> = Vec::new();
    for &v in values.iter() {
        if distinct.last() != Some(&v) {
            distinct.push(v);
        }
    }
    let mut edges = Vec::new();
    if distinct.len() <= max_bins {
        for w in distinct.windows(2) {
            edges.push(midpoint(w[0], w[1]));
        }
    } else {
        let n = values.len();
        for k in 1..max_bins {
            let q = (k * n / max_bins).clamp(1, n - 1);
            let e = midpoint(values[q - 1], values[q]);
            // Keep edges strictly increasing and below the largest value (no empty last bin).
            if edges.last().is_none_or(|&last| e > last) && e < values[n - 1] {
                edges.push(e);
            }
        }
    }
    edges
}

/// A value in `[a, b)` halfway between `a < b` (or `a` itself when they are adjacent floats).
fn midpoint(a: f32, b: f32) -> f32 {
    let m = a + (b - a) / 2.0;
    if m >= b || !m.is_finite() {
        a
    } else {
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn few_distinct_values_keep_every_split() {
        let x = array![[1.0f32, 5.0], [2.0, 5.0], [2.0, 5.0], [4.0, 5.0]];
        let rows = [0, 1, 2, 3];
        let b = BinEdges::fit(x.view(), &rows, 256);
        // Midpoints of 1|2 and 2|4; a constant feature has no edge (one bin).
        assert_eq!(b.edges(0), &[1.5, 3.0]);
        assert_eq!(b.n_bins(1), 1);
        let m = b.transform(x.view(), &rows);
        assert_eq!(m.column(0), &[0, 1, 1, 2]);
        assert_eq!(m.column(1), &[0, 0, 0, 0]);
        // code <= t exactly when v <= edge[t].
        assert_eq!(b.code(0, 1.5), 0);
        assert_eq!(b.code(0, 1.5001), 1);
    }

    #[test]
    fn many_values_are_cut_at_quantiles() {
        // 1000 distinct values 0..999 into 4 bins: quantile positions 250, 500, 750, midpoints
        // between sorted[q-1] and sorted[q]: 249.5, 499.5, 749.5.
        let x = ndarray::Array2::from_shape_fn((1000, 1), |(i, _)| ((i * 7) % 1000) as f32);
        let rows: Vec<usize> = (0..1000).collect();
        let b = BinEdges::fit(x.view(), &rows, 4);
        assert_eq!(b.edges(0), &[249.5, 499.5, 749.5]);
        let m = b.transform(x.view(), &rows);
        let mut counts = [0usize; 4];
        for &c in m.column(0) {
            counts[c as usize] += 1;
        }
        assert_eq!(counts, [250, 250, 250, 250]);
    }
}
