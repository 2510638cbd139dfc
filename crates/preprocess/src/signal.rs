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
//! # The neighbourhood on small cohorts
//!
//! ARCHS4 compares 100 samples out of hundreds of thousands. When `k` reaches the number of
//! samples, every gene's neighbourhood is every sample and the mean cosine is one number for all
//! genes: the "ranking" is file order. A neighbourhood therefore holds at most one sample in
//! [`SAMPLES_PER_NEIGHBOUR`] (a quarter of the samples, so that at least three quarters lie outside
//! it and different genes pick different samples); `k` is capped there ([`Neighbourhood`] says
//! whether it was), and a cohort with fewer than [`MIN_SAMPLES`] samples, where even one pair would
//! be more than a quarter, is refused.
//!
//! # Which genes sit at their floor
//!
//! "The percentile value is the gene's minimum" is a statement about ties, and it must be judged
//! on values whose ties are the data's own. Quantile normalisation breaks them: a sample's zeros
//! all get the mean of the reference over the ranks they occupy, a value that differs with how many
//! zeros the sample has, so a gene with no read in any sample no longer sits at one minimum (on
//! GTEx lung chr21 after ln(1+x) and quantile normalisation, every one of the 818 genes would look
//! expressed, 222 of them with no read at all). [`signal_ranking_against_counts`] therefore judges
//! the floor on the counts the normalised values came from; [`signal_ranking`] judges it on the
//! values it ranks (right for values whose zeros stay one value, such as log2(TPM + 1)).
//!
//! Speed: with unit-normalised profiles `u_i`, the mean over the `k(k-1)` ordered pairs is
//! `(||sum_i u_i||^2 - sum_i ||u_i||^2) / (k(k-1))`, exactly the mean of the off-diagonal of the
//! `k x k` Gram matrix, in `O(k x genes)` instead of the `O(k^2 x genes)` of forming it; genes run
//! in parallel (rayon), each independent. A sample whose profile is all zero has no direction and
//! counts as cosine 0 with every other.
//!
//! Memory: a ranking finds every gene's neighbourhood from the values first, then sums unit
//! profiles, so the values can become the unit profiles in between. [`signal_rankings`] takes the
//! values by value and does so in place (the ranking holds one matrix, the data's own, instead of
//! the data and a copy), and sorts each gene once for several percentiles.

use std::borrow::Cow;

use ndarray::{Array2, ArrayView2, Axis};
use rayon::prelude::*;
use rnameta_core::{Dataset, GeneAnnotation};
use serde::{Deserialize, Serialize};

use crate::check::{self, Names};
use crate::sort::{key_f32, sort_f32_into};
use crate::{Error, Result};

/// A neighbourhood holds at most one sample in this many: a quarter of the samples. Beyond that,
/// the neighbourhoods of different genes overlap so much that their mean cosines converge (at all
/// the samples, they are one number).
pub const SAMPLES_PER_NEIGHBOUR: usize = 4;

/// The fewest samples a neighbourhood holds: one pair, the least a mean pairwise cosine needs.
pub const MIN_NEIGHBOURS: usize = 2;

/// The fewest samples a ranking needs: a neighbourhood of [`MIN_NEIGHBOURS`] that is at most one
/// sample in [`SAMPLES_PER_NEIGHBOUR`].
pub const MIN_SAMPLES: usize = MIN_NEIGHBOURS * SAMPLES_PER_NEIGHBOUR;

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
    /// Whether the percentile value lies above the gene's floor (its minimum, judged on the
    /// counts when the ranking had them, see the module docs). When it does not (a gene at its
    /// floor, usually unexpressed, in more than `100 - percentile` % of the samples), the
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
    /// How many samples around the percentile value; ARCHS4 uses 100. Capped at one sample in
    /// [`SAMPLES_PER_NEIGHBOUR`] (see [`SignalOptions::neighbourhood`]).
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

/// The neighbourhood a ranking of one cohort uses: what was asked for and what the samples allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Neighbourhood {
    /// The neighbours asked for ([`SignalOptions::neighbours`]).
    pub requested: usize,
    /// The neighbours used: `requested`, capped at one sample in [`SAMPLES_PER_NEIGHBOUR`].
    pub used: usize,
    /// Samples in the cohort.
    pub samples: usize,
}

impl Neighbourhood {
    /// Whether fewer neighbours are used than were asked for.
    pub fn is_capped(&self) -> bool {
        self.used < self.requested
    }
}

impl SignalOptions {
    /// The neighbourhood [`signal_ranking`] uses on `n_samples` samples: the requested number,
    /// capped at `n_samples / SAMPLES_PER_NEIGHBOUR`. Refuses fewer than [`MIN_NEIGHBOURS`]
    /// requested, and cohorts of fewer than [`MIN_SAMPLES`] samples.
    pub fn neighbourhood(&self, n_samples: usize) -> Result<Neighbourhood> {
        if self.neighbours < MIN_NEIGHBOURS {
            return Err(Error::InvalidParameter {
                name: "neighbours",
                reason: format!(
                    "{}: a mean pairwise cosine needs at least {MIN_NEIGHBOURS} samples",
                    self.neighbours
                ),
            });
        }
        if n_samples < MIN_SAMPLES {
            return Err(Error::TooFew {
                what: "the signal ranking (each gene's neighbourhood holds at least 2 samples and \
                       at most a quarter of them, or every gene compares the same samples)",
                needed: MIN_SAMPLES,
                unit: "samples",
                got: n_samples,
            });
        }
        Ok(Neighbourhood {
            requested: self.neighbours,
            used: self.neighbours.min(n_samples / SAMPLES_PER_NEIGHBOUR),
            samples: n_samples,
        })
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

/// Ranks every gene of `data` (values already normalised, e.g. log2(TPM + 1)), judging which genes
/// sit at their floor on these same values. For quantile-normalised values use
/// [`signal_ranking_against_counts`] (see the module docs). The ranking holds one copy of the
/// values (made into unit profiles); [`signal_rankings`] takes the data by value instead.
pub fn signal_ranking(data: &Dataset, options: SignalOptions) -> Result<Vec<SignalRow>> {
    one_ranking(rank(Cow::Borrowed(data), None, &[options])?)
}

/// Ranks every gene of `normalised`, judging which genes sit at their floor on `counts`, the
/// values `normalised` was computed from (same samples and genes, in the same order): a
/// normalisation that breaks ties, as quantile normalisation does, would otherwise make
/// unexpressed genes look informative.
pub fn signal_ranking_against_counts(
    normalised: &Dataset,
    counts: &Dataset,
    options: SignalOptions,
) -> Result<Vec<SignalRow>> {
    check_counts_match(normalised, counts)?;
    one_ranking(rank(Cow::Borrowed(normalised), Some(counts), &[options])?)
}

/// [`signal_ranking`] at each of `options` (several percentiles, say), one ranking per entry in
/// the same order. `data` is taken by value: its matrix becomes the unit profiles the cosines are
/// computed from, in place, so the rankings hold no second copy of the values (on ARCHS4-sized
/// data, the copy is the size of the data), and each gene's values are sorted once for all of
/// `options`. Each ranking is the one [`signal_ranking`] gives, to the last bit.
pub fn signal_rankings(data: Dataset, options: &[SignalOptions]) -> Result<Vec<Vec<SignalRow>>> {
    rank(Cow::Owned(data), None, options)
}

/// [`signal_ranking_against_counts`] at each of `options`, taking `normalised` by value as
/// [`signal_rankings`] does.
pub fn signal_rankings_against_counts(
    normalised: Dataset,
    counts: &Dataset,
    options: &[SignalOptions],
) -> Result<Vec<Vec<SignalRow>>> {
    check_counts_match(&normalised, counts)?;
    rank(Cow::Owned(normalised), Some(counts), options)
}

/// The only ranking of a one-entry [`rank`].
fn one_ranking(mut rankings: Vec<Vec<SignalRow>>) -> Result<Vec<SignalRow>> {
    rankings.pop().ok_or_else(|| Error::InvalidParameter {
        name: "options",
        reason: "no ranking was asked for".into(),
    })
}

/// Refuses `counts` that are not the values `normalised` was computed from: other dimensions,
/// genes or samples.
fn check_counts_match(normalised: &Dataset, counts: &Dataset) -> Result<()> {
    if normalised.counts().dim() != counts.counts().dim() {
        let (n, g) = normalised.counts().dim();
        let (cn, cg) = counts.counts().dim();
        return Err(Error::InvalidParameter {
            name: "counts",
            reason: format!(
                "{cn} samples x {cg} genes, but the normalised values are {n} x {g}; give the \
                 counts they were computed from"
            ),
        });
    }
    if let Some(g) = (0..normalised.n_genes())
        .find(|&g| normalised.genes().genes()[g].id != counts.genes().genes()[g].id)
    {
        return Err(Error::GeneMismatch {
            detail: format!(
                "column {g} is {:?} in the normalised values but {:?} in the counts",
                normalised.genes().genes()[g].id,
                counts.genes().genes()[g].id
            ),
        });
    }
    if let Some(i) = (0..normalised.n_samples())
        .find(|&i| normalised.samples()[i].sample_id != counts.samples()[i].sample_id)
    {
        return Err(Error::InvalidParameter {
            name: "counts",
            reason: format!(
                "row {i} is sample {:?} in the normalised values but {:?} in the counts",
                normalised.samples()[i].sample_id,
                counts.samples()[i].sample_id
            ),
        });
    }
    Ok(())
}

/// One gene's neighbourhood at one [`SignalOptions`]: what its mean cosine is computed over.
struct GeneNeighbourhood {
    /// The gene's percentile value.
    percentile_value: f32,
    /// Whether that value lies above the gene's floor ([`SignalRow::informative`]).
    informative: bool,
    /// The `k` samples whose value is closest to it, in sample order.
    members: Vec<usize>,
}

/// The rankings of `data` at each of `options`, with the floor judged on `floor_source` (default:
/// `data`). Two passes over the genes: the first finds every gene's neighbourhoods from its column
/// of values, the second sums the unit profiles of each neighbourhood, so that the values can
/// become the unit profiles in between (in place when `data` is owned).
fn rank(
    data: Cow<'_, Dataset>,
    floor_source: Option<&Dataset>,
    options: &[SignalOptions],
) -> Result<Vec<Vec<SignalRow>>> {
    if let Some(bad) = options
        .iter()
        .find(|o| !(o.percentile > 0.0 && o.percentile <= 100.0))
    {
        return Err(Error::InvalidParameter {
            name: "percentile",
            reason: format!("{} is not in (0, 100]", bad.percentile),
        });
    }
    let n = data.n_samples();
    let ks = options
        .iter()
        .map(|o| Ok(o.neighbourhood(n)?.used))
        .collect::<Result<Vec<usize>>>()?;
    check::finite(data.counts().view(), Names::Dataset(&data))?;
    let floor_values = match floor_source {
        Some(source) => {
            check::finite(source.counts().view(), Names::Dataset(source))?;
            Some(source.counts().view())
        }
        None => None,
    };
    let hoods = neighbourhoods(data.counts().view(), floor_values, options, &ks);
    let (unit, genes) = match data {
        Cow::Borrowed(d) => (
            into_unit_rows(d.counts().as_standard_layout().into_owned()),
            d.genes().clone(),
        ),
        Cow::Owned(d) => {
            let (values, genes, _) = d.into_parts();
            (into_unit_rows(values), genes)
        }
    };
    let self_dots: Vec<f64> = unit
        .axis_iter(Axis(0))
        .map(|r| r.iter().map(|&v| f64::from(v) * f64::from(v)).sum())
        .collect();
    Ok((0..options.len())
        .map(|o| {
            let cosines = mean_cosines(unit.view(), &self_dots, &hoods, o, ks[o]);
            ranked_rows(&genes, &hoods, o, &cosines)
        })
        .collect())
}

/// Every gene's neighbourhood at each of `options` (`ks` their neighbourhood sizes), indexed
/// `[gene][option]`: the gene's values are sorted once for all of them.
fn neighbourhoods(
    x: ArrayView2<'_, f32>,
    floor_values: Option<ArrayView2<'_, f32>>,
    options: &[SignalOptions],
    ks: &[usize],
) -> Vec<Vec<GeneNeighbourhood>> {
    let n = x.nrows();
    (0..x.ncols())
        .into_par_iter()
        .map_init(
            || (Vec::new(), Vec::new(), Vec::new(), Vec::new()),
            |(col, keys, scratch, order), g| {
                col.clear();
                col.extend(x.column(g).iter().copied());
                sort_f32_into(col, keys, scratch);
                let sorted: Vec<f32> = keys.iter().map(|&k| key_f32(k)).collect();
                let floor_sorted = floor_values.map(|f| {
                    let floor_col: Vec<f32> = f.column(g).to_vec();
                    sort_f32_into(&floor_col, keys, scratch);
                    keys.iter().map(|&k| key_f32(k)).collect::<Vec<f32>>()
                });
                options
                    .iter()
                    .zip(ks)
                    .map(|(o, &k)| {
                        let p = percentile_sorted(&sorted, o.percentile);
                        let informative = match &floor_sorted {
                            None => p > sorted[0],
                            Some(f) => percentile_sorted(f, o.percentile) > f[0],
                        };
                        order.clear();
                        order.extend(0..n);
                        let dist = |i: usize| (f64::from(col[i]) - f64::from(p)).abs();
                        order.select_nth_unstable_by(k - 1, |&a, &b| {
                            dist(a).total_cmp(&dist(b)).then(a.cmp(&b))
                        });
                        // In sample order, so that genes with the same neighbourhood get the
                        // same mean cosine to the last bit (and then rank by column, not by
                        // rounding).
                        order[..k].sort_unstable();
                        GeneNeighbourhood {
                            percentile_value: p,
                            informative,
                            members: order[..k].to_vec(),
                        }
                    })
                    .collect()
            },
        )
        .collect()
}

/// Each gene's mean pairwise cosine over its neighbourhood at option `o` (of `k` samples), from
/// the unit profiles and their squared norms (see the module docs for the closed form).
fn mean_cosines(
    unit: ArrayView2<'_, f32>,
    self_dots: &[f64],
    hoods: &[Vec<GeneNeighbourhood>],
    o: usize,
    k: usize,
) -> Vec<f64> {
    let pairs = (k * (k - 1)) as f64;
    let genes = unit.ncols();
    hoods
        .par_iter()
        .map_init(
            || vec![0.0f64; genes],
            |acc, gene| {
                acc.iter_mut().for_each(|a| *a = 0.0);
                let mut diag = 0.0;
                for &i in &gene[o].members {
                    diag += self_dots[i];
                    for (a, &u) in acc.iter_mut().zip(unit.row(i)) {
                        *a += f64::from(u);
                    }
                }
                let total: f64 = acc.iter().map(|a| a * a).sum();
                (total - diag) / pairs
            },
        )
        .collect()
}

/// The ranking at option `o`: informative genes first, then by mean cosine, highest first, then
/// by column.
fn ranked_rows(
    genes: &GeneAnnotation,
    hoods: &[Vec<GeneNeighbourhood>],
    o: usize,
    cosines: &[f64],
) -> Vec<SignalRow> {
    let informative = |g: usize| hoods[g][o].informative;
    let mut order: Vec<usize> = (0..hoods.len()).collect();
    order.sort_by(|&a, &b| {
        informative(b)
            .cmp(&informative(a))
            .then(cosines[b].total_cmp(&cosines[a]))
            .then(a.cmp(&b))
    });
    order
        .into_iter()
        .enumerate()
        .map(|(r, g)| {
            let info = &genes.genes()[g];
            SignalRow {
                rank: r + 1,
                gene_id: info.id.clone(),
                symbol: info.symbol.clone(),
                percentile_value: hoods[g][o].percentile_value,
                mean_cosine: cosines[g],
                informative: hoods[g][o].informative,
            }
        })
        .collect()
}

/// `x` with each row divided by its Euclidean norm (zero rows stay zero), in place (made
/// row-major first if it is not).
fn into_unit_rows(x: Array2<f32>) -> Array2<f32> {
    let mut u = if x.is_standard_layout() {
        x
    } else {
        x.as_standard_layout().into_owned()
    };
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

    /// `x` as a dataset of genes `G0..` and samples `s0..`.
    fn dataset(x: Array2<f32>) -> Dataset {
        let (n, g) = x.dim();
        let genes = GeneAnnotation::new(
            (0..g)
                .map(|i| GeneInfo::from_id(&format!("G{i}")))
                .collect(),
        )
        .unwrap();
        let samples = (0..n)
            .map(|i| SampleMeta::new(format!("s{i}"), DataSource::Other))
            .collect();
        Dataset::new(x, genes, samples).unwrap()
    }

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
        let d = dataset(x.clone());
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

    /// The neighbourhood is the request capped at a quarter of the samples: 100 of 400 stays,
    /// 100 of 30 becomes 7; 8 samples are the fewest (a pair), fewer and a request under 2 are
    /// refused.
    #[test]
    fn neighbourhood_is_at_most_a_quarter_of_the_samples() {
        let options = SignalOptions::default();
        let full = options.neighbourhood(400).unwrap();
        assert_eq!((full.requested, full.used, full.samples), (100, 100, 400));
        assert!(!full.is_capped());
        let small = options.neighbourhood(30).unwrap();
        assert_eq!((small.used, small.is_capped()), (7, true));
        assert_eq!(options.neighbourhood(MIN_SAMPLES).unwrap().used, 2);
        let err = options.neighbourhood(MIN_SAMPLES - 1).unwrap_err();
        assert!(
            matches!(
                err,
                Error::TooFew {
                    needed: 8,
                    got: 7,
                    ..
                }
            ),
            "{err}"
        );
        let one = SignalOptions {
            neighbours: 1,
            ..options
        };
        assert!(matches!(
            one.neighbourhood(1000),
            Err(Error::InvalidParameter {
                name: "neighbours",
                ..
            })
        ));
    }

    /// Values whose zeros differ by sample, as quantile normalisation leaves them: gene 1 has no
    /// count anywhere but a different value in every sample. Judged on the values it looks
    /// expressed; judged on the counts it sits at its floor and ranks last.
    #[test]
    fn the_floor_is_judged_on_the_counts() {
        let n = 12;
        let counts = Array2::from_shape_fn((n, 2), |(i, g)| if g == 0 { i as f32 } else { 0.0 });
        let values = Array2::from_shape_fn((n, 2), |(i, g)| {
            if g == 0 {
                1.0 + i as f32
            } else {
                0.1 * (i % 5) as f32
            }
        });
        let (counts, values) = (dataset(counts), dataset(values));
        let on_values = signal_ranking(&values, SignalOptions::default()).unwrap();
        assert!(on_values.iter().all(|r| r.informative));
        let on_counts =
            signal_ranking_against_counts(&values, &counts, SignalOptions::default()).unwrap();
        assert_eq!(on_counts[1].gene_id, "G1");
        assert!(!on_counts[1].informative);
        assert!(on_counts[0].informative);
        let fewer = counts.select_samples(&[0, 1, 2]).unwrap();
        assert!(signal_ranking_against_counts(&values, &fewer, SignalOptions::default()).is_err());
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
        let d = dataset(x);
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

    /// Rankings at several options at once, from data taken by value (in row- or column-major
    /// order), are each option's ranking alone, to the last bit, against the values or the counts.
    #[test]
    fn rankings_at_once_equal_each_ranking_alone() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let (n, g) = (60, 15);
        // Gene 0 has a read in one sample only: at its floor by the counts, not by the values,
        // whose zeros differ by sample (as quantile normalisation leaves them).
        let counts = Array2::from_shape_fn((n, g), |(i, j)| {
            if j == 0 {
                if i == n - 1 {
                    10.0
                } else {
                    0.0
                }
            } else if rng.random_range(0.0f32..1.0) < 0.3 {
                0.0
            } else {
                rng.random_range(0.0f32..50.0).floor()
            }
        });
        let values = Array2::from_shape_fn((n, g), |(i, j)| {
            (counts[[i, j]] + 1.0).log2() + 0.001 * i as f32
        });
        let (counts, values) = (dataset(counts), dataset(values.clone()));
        let options = [
            SignalOptions {
                percentile: 95.0,
                neighbours: 7,
            },
            SignalOptions {
                percentile: 99.0,
                neighbours: 5,
            },
            SignalOptions {
                percentile: 50.0,
                neighbours: 100,
            },
        ];
        let alone: Vec<_> = options
            .iter()
            .map(|&o| signal_ranking(&values, o).unwrap())
            .collect();
        assert_eq!(signal_rankings(values.clone(), &options).unwrap(), alone);
        let column_major = dataset(values.counts().t().as_standard_layout().t().to_owned());
        assert!(!column_major.counts().is_standard_layout());
        assert_eq!(signal_rankings(column_major, &options).unwrap(), alone);
        let against: Vec<_> = options
            .iter()
            .map(|&o| signal_ranking_against_counts(&values, &counts, o).unwrap())
            .collect();
        assert_ne!(against, alone, "a test where the floor's source matters");
        assert_eq!(
            signal_rankings_against_counts(values.clone(), &counts, &options).unwrap(),
            against
        );
        let bad = [
            options[0],
            SignalOptions {
                percentile: 0.0,
                ..options[1]
            },
        ];
        assert!(signal_rankings(values, &bad).is_err());
    }
}
