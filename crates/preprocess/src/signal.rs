//! The ARCHS4 per-gene signal ranking.
//!
//! For each gene: its 95th-percentile value across samples (linear interpolation between order
//! statistics, numpy's default), the `k = 100` samples whose value of that gene is closest to it
//! (ties broken by sample order), and the mean pairwise cosine similarity of those samples'
//! whole-transcriptome profiles. A gene whose high-expressing samples look alike carries signal.
//! Genes are ranked by that mean cosine, highest first, after setting aside the genes whose
//! percentile value is their minimum (unexpressed in most samples): their "closest" samples are an
//! arbitrary pick among ties (on a cohort ordered by tissue, the first 100 samples, which look
//! alike), so they rank last whatever their cosine.
//!
//! Speed: with unit-normalised profiles `u_i`, the mean over the `k(k-1)` ordered pairs is
//! `(||sum_i u_i||^2 - sum_i ||u_i||^2) / (k(k-1))`, exactly the mean of the off-diagonal of the
//! `k x k` Gram matrix, in `O(k x genes)` instead of the `O(k^2 x genes)` of forming it; genes run
//! in parallel (rayon), each independent. A sample whose profile is all zero has no direction and
//! counts as cosine 0 with every other.

use ndarray::{Array2, Axis};
use rayon::prelude::*;
use rnameta_core::Dataset;
use serde::{Deserialize, Serialize};

use crate::check::{self, Names};
use crate::sort::{key_f32, sort_f32_into};
use crate::{Error, Result};

/// One row of the ranking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignalRow {
    /// 1-based rank (1 = highest mean cosine).
    pub rank: usize,
    /// Canonical gene id.
    pub gene_id: String,
    /// Gene symbol, when annotated.
    pub symbol: Option<String>,
    /// The gene's percentile value across samples.
    pub percentile_value: f32,
    /// Mean pairwise cosine similarity of the samples closest to that value.
    pub mean_cosine: f64,
    /// Whether the percentile value lies above the gene's minimum. When it does not (a gene at
    /// its floor, usually unexpressed, in more than `100 - percentile` % of the samples), the
    /// "closest" samples are an arbitrary pick among tied ones and their similarity says nothing
    /// about the gene: such genes rank after every informative one.
    #[serde(default = "informative_by_default")]
    pub informative: bool,
}

fn informative_by_default() -> bool {
    true
}

/// Parameters of [`signal_ranking`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SignalOptions {
    /// The percentile, in (0, 100]; ARCHS4 uses 95.
    pub percentile: f64,
    /// How many samples around the percentile value; ARCHS4 uses 100.
    pub neighbours: usize,
}

impl Default for SignalOptions {
    fn default() -> Self {
        Self {
            percentile: 95.0,
            neighbours: 100,
        }
    }
}

/// Percentile of sorted values with linear interpolation (numpy's default, R type 7).
pub fn percentile_sorted(sorted: &[f32], p: f64) -> f32 {
    if sorted.is_empty() {
        return f32::NAN;
    }
    let h = (sorted.len() - 1) as f64 * p / 100.0;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    let frac = h - lo as f64;
    (f64::from(sorted[lo]) + frac * (f64::from(sorted[hi]) - f64::from(sorted[lo]))) as f32
}

/// Ranks every gene of `data` (values already normalised, e.g. by the ARCHS4 pipeline).
pub fn signal_ranking(data: &Dataset, options: SignalOptions) -> Result<Vec<SignalRow>> {
    if !(options.percentile > 0.0 && options.percentile <= 100.0) {
        return Err(Error::InvalidParameter {
            name: "percentile",
            reason: format!("{} is not in (0, 100]", options.percentile),
        });
    }
    let x = data.counts();
    let (n, genes) = x.dim();
    let k = options.neighbours.min(n);
    if k < 2 {
        return Err(Error::TooFew {
            what: "the signal ranking",
            needed: 2,
            unit: "samples (and neighbours)",
            got: k,
        });
    }
    check::finite(x.view(), Names::Dataset(data))?;
    let unit = unit_rows(x.view());
    let self_dots: Vec<f64> = unit
        .axis_iter(Axis(0))
        .map(|r| r.iter().map(|&v| f64::from(v) * f64::from(v)).sum())
        .collect();
    let pairs = (k * (k - 1)) as f64;
    let scored: Vec<(f32, f64, bool)> = (0..genes)
        .into_par_iter()
        .map_init(
            || {
                (
                    Vec::new(),
                    Vec::new(),
                    Vec::new(),
                    Vec::new(),
                    vec![0.0f64; genes],
                )
            },
            |(col, keys, scratch, order, acc), g| {
                col.clear();
                col.extend(x.column(g).iter().copied());
                sort_f32_into(col, keys, scratch);
                let sorted: Vec<f32> = keys.iter().map(|&k| key_f32(k)).collect();
                let p = percentile_sorted(&sorted, options.percentile);
                order.clear();
                order.extend(0..n);
                let dist = |i: usize| (col[i] - p).abs();
                order.select_nth_unstable_by(k - 1, |&a, &b| {
                    dist(a).total_cmp(&dist(b)).then(a.cmp(&b))
                });
                acc.iter_mut().for_each(|a| *a = 0.0);
                let mut diag = 0.0;
                for &i in &order[..k] {
                    diag += self_dots[i];
                    for (a, &u) in acc.iter_mut().zip(unit.row(i)) {
                        *a += f64::from(u);
                    }
                }
                let total: f64 = acc.iter().map(|a| a * a).sum();
                (p, (total - diag) / pairs, p > sorted[0])
            },
        )
        .collect();
    let mut order: Vec<usize> = (0..genes).collect();
    order.sort_by(|&a, &b| {
        scored[b]
            .2
            .cmp(&scored[a].2)
            .then(scored[b].1.total_cmp(&scored[a].1))
            .then(a.cmp(&b))
    });
    Ok(order
        .into_iter()
        .enumerate()
        .map(|(r, g)| {
            let info = data.genes().get(g).expect("column in range");
            SignalRow {
                rank: r + 1,
                gene_id: info.id.clone(),
                symbol: info.symbol.clone(),
                percentile_value: scored[g].0,
                mean_cosine: scored[g].1,
                informative: scored[g].2,
            }
        })
        .collect())
}

/// Each row divided by its Euclidean norm (zero rows stay zero).
fn unit_rows(x: ndarray::ArrayView2<'_, f32>) -> Array2<f32> {
    let mut u = x.as_standard_layout().into_owned();
    u.axis_iter_mut(Axis(0)).into_par_iter().for_each(|mut r| {
        let norm = r.iter().map(|&v| f64::from(v).powi(2)).sum::<f64>().sqrt();
        if norm > 0.0 {
            r.mapv_inplace(|v| (f64::from(v) / norm) as f32);
        }
    });
    u
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;
    use rnameta_core::{DataSource, GeneAnnotation, GeneInfo, SampleMeta};

    /// numpy.percentile([1, 2, 3, 4, 5], 95) = 4.8 (h = 4 x 0.95 = 3.8: 4 + 0.8 x 1).
    #[test]
    fn percentile_like_numpy() {
        assert!((percentile_sorted(&[1.0, 2.0, 3.0, 4.0, 5.0], 95.0) - 4.8).abs() < 1e-6);
        assert_eq!(percentile_sorted(&[7.0], 95.0), 7.0);
    }

    /// The closed form equals the mean off-diagonal of the explicit Gram matrix (ndarray `dot`)
    /// of the chosen samples, computed independently here.
    #[test]
    fn equals_the_explicit_gram_matrix() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let (n, g, k) = (40, 12, 7);
        let x = Array2::from_shape_fn((n, g), |_| rng.random_range(0.0f32..10.0));
        let genes = GeneAnnotation::new(
            (0..g)
                .map(|i| GeneInfo::from_id(&format!("G{i}")))
                .collect(),
        )
        .unwrap();
        let samples = (0..n)
            .map(|i| SampleMeta::new(format!("s{i}"), DataSource::Other))
            .collect();
        let d = Dataset::new(x.clone(), genes, samples).unwrap();
        let rows = signal_ranking(
            &d,
            SignalOptions {
                percentile: 95.0,
                neighbours: k,
            },
        )
        .unwrap();
        for row in &rows {
            let gi: usize = row.gene_id[1..].parse().unwrap();
            let col: Vec<f32> = x.column(gi).to_vec();
            let mut s = col.clone();
            s.sort_by(f32::total_cmp);
            let p = percentile_sorted(&s, 95.0);
            let mut idx: Vec<usize> = (0..n).collect();
            idx.sort_by(|&a, &b| {
                (col[a] - p)
                    .abs()
                    .total_cmp(&(col[b] - p).abs())
                    .then(a.cmp(&b))
            });
            let chosen = x.select(Axis(0), &idx[..k]).mapv(f64::from);
            let norms = chosen.map_axis(Axis(1), |r| r.dot(&r).sqrt());
            let unit = &chosen / &norms.insert_axis(Axis(1));
            let gram = unit.dot(&unit.t());
            let off: f64 = gram.sum() - gram.diag().sum();
            let expect = off / (k * (k - 1)) as f64;
            assert!(
                (row.mean_cosine - expect).abs() < 1e-6,
                "{} vs {expect}",
                row.mean_cosine
            );
            assert_eq!(row.percentile_value, p);
        }
        assert!(rows
            .windows(2)
            .all(|w| w[0].mean_cosine >= w[1].mean_cosine));
    }

    /// A gene at its floor in more than 95% of the samples: with 97 of 100 samples at zero, the
    /// 95th percentile is 0 and the "closest" samples are tied zeros in sample order. Here those
    /// first samples are identical (cosine 1), so the gene would top the ranking; it must rank
    /// after the informative gene instead.
    #[test]
    fn genes_at_their_floor_rank_last() {
        let n = 100;
        let mut x = Array2::<f32>::zeros((n, 3));
        for i in 0..n {
            // Gene 0: informative, high in the last 10 samples, which differ from each other.
            x[[i, 0]] = if i >= 90 { 5.0 + i as f32 } else { 1.0 };
            // Gene 1: zero except in the last 3 samples.
            x[[i, 1]] = if i >= 97 { 3.0 } else { 0.0 };
            // Gene 2: the first 50 samples share one profile.
            x[[i, 2]] = if i < 50 { 2.0 } else { (i % 7) as f32 };
        }
        let genes = GeneAnnotation::new(
            (0..3)
                .map(|i| GeneInfo::from_id(&format!("G{i}")))
                .collect(),
        )
        .unwrap();
        let samples = (0..n)
            .map(|i| SampleMeta::new(format!("s{i}"), DataSource::Other))
            .collect();
        let d = Dataset::new(x, genes, samples).unwrap();
        let rows = signal_ranking(
            &d,
            SignalOptions {
                percentile: 95.0,
                neighbours: 5,
            },
        )
        .unwrap();
        let last = rows.last().unwrap();
        assert_eq!(last.gene_id, "G1");
        assert!(!last.informative);
        assert_eq!(last.percentile_value, 0.0);
        assert!(rows[..2].iter().all(|r| r.informative));
    }
}
