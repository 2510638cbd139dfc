//! Quantile normalisation with a saved reference distribution.
//!
//! Fit: sort every sample's values (a row of the samples x genes matrix) and average the sorted
//! rows position by position; the result, one value per rank, is the reference distribution.
//! Transform: each value of a sample is replaced by the reference value of its rank; values tied
//! within a sample share the mean of the reference values over the ranks they occupy (so a sample
//! without ties ends up with exactly the reference as its sorted values). Because the reference is
//! stored, a new sample is normalised alone, exactly as the training samples were.
//!
//! Fitting also runs out of core ([`QuantileReference::fit_stream`]): the accumulator holds one
//! `f64` sum per rank, so memory is `8 x genes` bytes plus the chunk being read.

use std::fmt::Display;

use ndarray::{Array2, ArrayView2, ArrayViewMut2};
use rayon::prelude::*;
use rnameta_core::Dataset;
use serde::{Deserialize, Serialize};

use crate::check::{self, Names};
use crate::sort::{f32_key, radix_argsort_pairs};
use crate::stream::for_each_chunk;
use crate::{Error, Result};

/// Rows sorted and summed by one parallel job; fixed, so sums do not depend on the thread count.
const ROWS_PER_JOB: usize = 16;
/// Jobs whose partial sums are held at once (bounds memory to `JOBS_IN_FLIGHT x genes` f64).
const JOBS_IN_FLIGHT: usize = 16;

/// The fitted reference distribution: the mean, over training samples, of the k-th smallest value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuantileReference {
    /// Reference value of each rank, ascending; one per gene.
    reference: Vec<f32>,
    /// Number of samples the reference was averaged over.
    n_samples: usize,
}

/// Running sums of sorted samples; feed it rows (all at once or chunk by chunk), then
/// [`QuantileAccumulator::finish`].
#[derive(Debug, Clone, Default)]
pub struct QuantileAccumulator {
    sums: Vec<f64>,
    n_samples: usize,
}

impl QuantileAccumulator {
    /// An empty accumulator; the number of genes is taken from the first rows added.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds samples (rows). Every call must have the same number of genes; values must be finite.
    pub fn add(&mut self, x: ArrayView2<'_, f32>, names: Names<'_>) -> Result<()> {
        let (rows, genes) = x.dim();
        if rows == 0 {
            return Ok(());
        }
        if self.n_samples == 0 && self.sums.is_empty() {
            self.sums = vec![0.0; genes];
        } else if genes != self.sums.len() {
            return Err(Error::LengthMismatch {
                what: "quantile reference genes",
                expected: self.sums.len(),
                got: genes,
            });
        }
        check::finite(x, names)?;
        let x = x.as_standard_layout();
        let data = x.as_slice().expect("standard layout is contiguous");
        let job_len = ROWS_PER_JOB * genes;
        for group in data.chunks(job_len * JOBS_IN_FLIGHT) {
            let partials: Vec<Vec<f64>> = group
                .par_chunks(job_len)
                .map_init(
                    || (Vec::new(), Vec::new()),
                    |(pairs, scratch), block| {
                        let mut sums = vec![0.0f64; genes];
                        for row in block.chunks(genes) {
                            let layout = argsort_nonzero(row, pairs, scratch);
                            add_sorted(&mut sums, row, pairs, layout);
                        }
                        sums
                    },
                )
                .collect();
            for p in partials {
                for (s, v) in self.sums.iter_mut().zip(p) {
                    *s += v;
                }
            }
        }
        self.n_samples += rows;
        Ok(())
    }

    /// The reference: the mean of the sorted samples added so far.
    pub fn finish(self) -> Result<QuantileReference> {
        if self.n_samples == 0 {
            return Err(Error::TooFew {
                what: "quantile normalisation",
                needed: 1,
                unit: "samples",
                got: 0,
            });
        }
        let n = self.n_samples as f64;
        Ok(QuantileReference {
            reference: self.sums.iter().map(|s| (s / n) as f32).collect(),
            n_samples: self.n_samples,
        })
    }
}

impl QuantileReference {
    /// Fits the reference on the rows (samples) of `x`.
    pub fn fit(x: ArrayView2<'_, f32>) -> Result<Self> {
        let mut acc = QuantileAccumulator::new();
        acc.add(x, Names::Positions)?;
        acc.finish()
    }

    /// Fits the reference out of core on a stream of sample chunks; every chunk must have the same
    /// genes. Memory: one `f64` per gene plus the current chunk. Returns the stream's gene ids too.
    pub fn fit_stream<I, E>(chunks: I) -> Result<(Self, Vec<String>)>
    where
        I: IntoIterator<Item = std::result::Result<Dataset, E>>,
        E: Display,
    {
        let mut acc = QuantileAccumulator::new();
        let (genes, _) = for_each_chunk(chunks, |chunk| {
            acc.add(chunk.counts().view(), Names::Dataset(chunk))
        })?;
        Ok((acc.finish()?, genes))
    }

    /// Fits the reference on the rows of `x` and normalises them, sorting each sample once (what
    /// `qnorm.quantile_normalize` does in one call): the first pass keeps each sample's sort
    /// order in the output buffer, the second reads it back to assign reference values. Same
    /// result as [`QuantileReference::fit`] then [`QuantileReference::transform`].
    pub fn fit_transform(x: ArrayView2<'_, f32>) -> Result<(Self, Array2<f32>)> {
        Self::fit_transform_named(x, Names::Positions)
    }

    /// [`QuantileReference::fit_transform`] with errors naming samples and genes by `names`.
    pub fn fit_transform_named(
        x: ArrayView2<'_, f32>,
        names: Names<'_>,
    ) -> Result<(Self, Array2<f32>)> {
        let (rows, genes) = x.dim();
        if genes >= RUN_START as usize {
            return Err(Error::InvalidParameter {
                name: "genes",
                reason: format!("{genes} genes; at most 2^31 - 1 are supported"),
            });
        }
        if rows == 0 {
            return Err(Error::TooFew {
                what: "quantile normalisation",
                needed: 1,
                unit: "samples",
                got: 0,
            });
        }
        check::finite(x, names)?;
        let x = x.as_standard_layout();
        let data = x.as_slice().expect("standard layout is contiguous");
        let mut out = Array2::<f32>::zeros((rows, genes));
        let out_data = out.as_slice_mut().expect("new arrays are contiguous");
        let job_len = ROWS_PER_JOB * genes;
        let mut sums = vec![0.0f64; genes];
        if genes > 0 {
            for (group, out_group) in data
                .chunks(job_len * JOBS_IN_FLIGHT)
                .zip(out_data.chunks_mut(job_len * JOBS_IN_FLIGHT))
            {
                let partials: Vec<Vec<f64>> = group
                    .par_chunks(job_len)
                    .zip(out_group.par_chunks_mut(job_len))
                    .map_init(
                        || (Vec::new(), Vec::new()),
                        |(pairs, scratch), (block, out_block)| {
                            let mut part = vec![0.0f64; genes];
                            for (row, out_row) in
                                block.chunks(genes).zip(out_block.chunks_mut(genes))
                            {
                                let layout = argsort_nonzero(row, pairs, scratch);
                                add_sorted(&mut part, row, pairs, layout);
                                // Keep the sort order in the output row for pass 2: the
                                // index, with the top bit set where a run of tied values starts.
                                let mut previous = None;
                                for (o, &p) in out_row.iter_mut().zip(pairs.iter()) {
                                    let key = p >> 32;
                                    let start = if previous == Some(key) { 0 } else { RUN_START };
                                    previous = Some(key);
                                    *o = f32::from_bits((p & 0xFFFF_FFFF) as u32 | start);
                                }
                            }
                            part
                        },
                    )
                    .collect();
                for p in partials {
                    for (s, v) in sums.iter_mut().zip(p) {
                        *s += v;
                    }
                }
            }
        }
        let n = rows as f64;
        let fitted = Self {
            reference: sums.iter().map(|s| (s / n) as f32).collect(),
            n_samples: rows,
        };
        let prefix = prefix_sums(&fitted.reference);
        if genes > 0 {
            let reference = &fitted.reference;
            out_data
                .par_chunks_mut(genes)
                .zip(data.par_chunks(genes))
                .for_each_init(Vec::new, |order, (out_row, row)| {
                    let (mut zeros, mut negatives) = (0usize, 0usize);
                    for &v in row {
                        zeros += usize::from(v == 0.0);
                        negatives += usize::from(v < 0.0);
                    }
                    let layout = ZeroRun { zeros, negatives };
                    order.clear();
                    order.extend(out_row[..genes - zeros].iter().map(|o| o.to_bits()));
                    let mean = |a: usize, b: usize| tie_mean(reference, &prefix, a, b);
                    if zeros > 0 {
                        let v = mean(negatives, negatives + zeros);
                        for (o, &x) in out_row.iter_mut().zip(row) {
                            if x == 0.0 {
                                *o = v;
                            }
                        }
                    }
                    let m = order.len();
                    let mut a = 0;
                    while a < m {
                        let mut b = a + 1;
                        while b < m && order[b] & RUN_START == 0 {
                            b += 1;
                        }
                        let r = layout.rank(a);
                        let v = mean(r, r + (b - a));
                        for &p in &order[a..b] {
                            out_row[(p & !RUN_START) as usize] = v;
                        }
                        a = b;
                    }
                });
        }
        Ok((fitted, out))
    }

    /// Builds a reference from given values (sorted ascending here), e.g. a published target.
    pub fn from_values(mut values: Vec<f32>) -> Result<Self> {
        if values.iter().any(|v| !v.is_finite()) {
            return Err(Error::InvalidParameter {
                name: "reference",
                reason: "contains a non-finite value".into(),
            });
        }
        values.sort_by(f32::total_cmp);
        Ok(Self {
            reference: values,
            n_samples: 0,
        })
    }

    /// The reference values, ascending, one per rank.
    pub fn values(&self) -> &[f32] {
        &self.reference
    }

    /// Number of samples the reference was averaged over (0 when given directly).
    pub fn n_samples(&self) -> usize {
        self.n_samples
    }

    /// Normalises every row of `x` to the reference; returns a new matrix.
    pub fn transform(&self, x: ArrayView2<'_, f32>) -> Result<Array2<f32>> {
        let mut out = x.as_standard_layout().into_owned();
        self.transform_inplace(out.view_mut(), Names::Positions)?;
        Ok(out)
    }

    /// Normalises every row of `x` in place (rows in parallel, each independent of the others).
    pub fn transform_inplace(&self, mut x: ArrayViewMut2<'_, f32>, names: Names<'_>) -> Result<()> {
        let genes = x.ncols();
        if genes != self.reference.len() {
            return Err(Error::LengthMismatch {
                what: "quantile reference genes",
                expected: self.reference.len(),
                got: genes,
            });
        }
        if x.nrows() == 0 || genes == 0 {
            return Ok(());
        }
        check::finite(x.view(), names)?;
        let prefix = prefix_sums(&self.reference);
        let reference = &self.reference;
        let run =
            |row: &mut [f32], pairs: &mut Vec<u64>, scratch: &mut Vec<u64>, orig: &mut Vec<f32>| {
                orig.clear();
                orig.extend_from_slice(row);
                let layout = argsort_nonzero(orig, pairs, scratch);
                assign_ranks(row, orig, pairs, layout, reference, &prefix);
            };
        match x.as_slice_mut() {
            Some(data) => data.par_chunks_mut(genes).for_each_init(
                || (Vec::new(), Vec::new(), Vec::new()),
                |(pairs, scratch, orig), row| run(row, pairs, scratch, orig),
            ),
            None => {
                let (mut pairs, mut scratch, mut orig) = (Vec::new(), Vec::new(), Vec::new());
                for mut row in x.rows_mut() {
                    let mut buf = row.to_vec();
                    run(&mut buf, &mut pairs, &mut scratch, &mut orig);
                    row.iter_mut().zip(buf).for_each(|(d, s)| *d = s);
                }
            }
        }
        Ok(())
    }
}

/// Where the zeros of a sample sit among its sorted values: `negatives` values sort before them.
#[derive(Debug, Clone, Copy)]
struct ZeroRun {
    zeros: usize,
    negatives: usize,
}

impl ZeroRun {
    /// Rank of the k-th sorted non-zero value.
    #[inline]
    fn rank(self, k: usize) -> usize {
        if k < self.negatives {
            k
        } else {
            k + self.zeros
        }
    }
}

/// Argsort of the non-zero values of a sample into `pairs` (`key << 32 | index`); zeros, usually
/// the largest tie of an expression profile, are counted instead of sorted.
fn argsort_nonzero(row: &[f32], pairs: &mut Vec<u64>, scratch: &mut Vec<u64>) -> ZeroRun {
    pairs.clear();
    pairs.extend(
        row.iter()
            .enumerate()
            .filter(|(_, &v)| v != 0.0)
            .map(|(i, &v)| (u64::from(f32_key(v)) << 32) | i as u64),
    );
    scratch.resize(pairs.len(), 0);
    radix_argsort_pairs(pairs, scratch);
    let zero = u64::from(f32_key(0.0));
    ZeroRun {
        zeros: row.len() - pairs.len(),
        negatives: pairs.partition_point(|&p| p >> 32 < zero),
    }
}

/// Adds the sorted values of one sample to the per-rank sums (zeros add nothing).
fn add_sorted(sums: &mut [f64], row: &[f32], pairs: &[u64], layout: ZeroRun) {
    for (k, &p) in pairs.iter().enumerate() {
        sums[layout.rank(k)] += f64::from(row[(p & 0xFFFF_FFFF) as usize]);
    }
}

/// Writes into `out` the reference value of each value's rank, ties averaged; `row` is the
/// sample's original values (to find its zeros) and `pairs` its sorted non-zero values.
fn assign_ranks(
    out: &mut [f32],
    row: &[f32],
    pairs: &[u64],
    layout: ZeroRun,
    reference: &[f32],
    prefix: &[f64],
) {
    let mean = |a: usize, b: usize| tie_mean(reference, prefix, a, b);
    if layout.zeros > 0 {
        let a = layout.negatives;
        let v = mean(a, a + layout.zeros);
        for (o, &x) in out.iter_mut().zip(row) {
            if x == 0.0 {
                *o = v;
            }
        }
    }
    let m = pairs.len();
    let mut a = 0;
    while a < m {
        let key = pairs[a] >> 32;
        let mut b = a + 1;
        while b < m && pairs[b] >> 32 == key {
            b += 1;
        }
        let r = layout.rank(a);
        let v = mean(r, r + (b - a));
        for &p in &pairs[a..b] {
            out[(p & 0xFFFF_FFFF) as usize] = v;
        }
        a = b;
    }
}

/// Flag on a stored sort index (the output buffer of [`QuantileReference::fit_transform`]
/// between its passes) marking the first value of a run of ties; indices stay below 2^31.
const RUN_START: u32 = 1 << 31;

/// Mean of the reference over ranks `a..b` (the value a run of ties shares).
#[inline]
fn tie_mean(reference: &[f32], prefix: &[f64], a: usize, b: usize) -> f32 {
    if b - a == 1 {
        reference[a]
    } else {
        ((prefix[b] - prefix[a]) / (b - a) as f64) as f32
    }
}

/// Prefix sums of the reference in `f64` (one more entry than the reference), for tie means.
fn prefix_sums(reference: &[f32]) -> Vec<f64> {
    let mut prefix = Vec::with_capacity(reference.len() + 1);
    let mut acc = 0.0f64;
    prefix.push(0.0);
    for &r in reference {
        acc += f64::from(r);
        prefix.push(acc);
    }
    prefix
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    /// The textbook example (samples as rows): A = 5 2 3 4, B = 4 1 4 2, C = 3 4 6 8.
    /// Sorted rows: A 2 3 4 5, B 1 2 4 4, C 3 4 6 8; means by rank (by hand):
    /// (2+1+3)/3 = 2, (3+2+4)/3 = 3, (4+4+6)/3 = 14/3, (5+4+8)/3 = 17/3.
    /// B's two 4s take ranks 3 and 4: (14/3 + 17/3) / 2 = 31/6.
    #[test]
    fn hand_computed_example_with_ties() {
        let x = array![
            [5.0f32, 2.0, 3.0, 4.0],
            [4.0, 1.0, 4.0, 2.0],
            [3.0, 4.0, 6.0, 8.0]
        ];
        let q = QuantileReference::fit(x.view()).unwrap();
        let r = [2.0f32, 3.0, 14.0 / 3.0, 17.0 / 3.0];
        for (a, b) in q.values().iter().zip(r) {
            assert!((a - b).abs() < 1e-6, "{a} vs {b}");
        }
        let y = q.transform(x.view()).unwrap();
        let expect = array![
            [17.0f32 / 3.0, 2.0, 3.0, 14.0 / 3.0],
            [31.0 / 6.0, 2.0, 31.0 / 6.0, 3.0],
            [2.0, 3.0, 14.0 / 3.0, 17.0 / 3.0]
        ];
        for (a, b) in y.iter().zip(expect.iter()) {
            assert!((a - b).abs() < 1e-6, "{a} vs {b}");
        }
        // Samples without ties have exactly the reference as their sorted values.
        for row in [0, 2] {
            let mut s = y.row(row).to_vec();
            s.sort_by(f32::total_cmp);
            assert_eq!(s, q.values());
        }
    }

    /// The same semantics as the Python `qnorm` package (ties share the mean of their ranks):
    /// `qnorm.quantile_normalize(x, axis=0)` with qnorm 1.0.0 / numpy 2.4.6 prints
    /// [[0.25, 2.5, 2.5, 6.25, 0.25, 1.25], [2.25, 0.5833333, 0.5833333, 0.5833333, 4.5, 4.5],
    ///  [1.3333334, 1.3333334, 1.3333334, 2.75, 6.25, 0.], [0., 6.25, 2.0833333, 2.0833333,
    ///  2.0833333, 0.5]]. By hand, the reference is 0, 0.5, 1.25, 2.25, 2.75, 6.25.
    #[test]
    fn agrees_with_the_qnorm_package() {
        let x = array![
            [0.0f32, 2.0, 2.0, 5.0, 0.0, 1.0],
            [3.0, 0.0, 0.0, 0.0, 4.0, 4.0],
            [1.0, 1.0, 1.0, 2.0, 9.0, 0.0],
            [0.0, 7.0, 3.0, 3.0, 3.0, 1.0]
        ];
        let expect = array![
            [0.25f32, 2.5, 2.5, 6.25, 0.25, 1.25],
            [2.25, 0.583_333_3, 0.583_333_3, 0.583_333_3, 4.5, 4.5],
            [1.333_333_4, 1.333_333_4, 1.333_333_4, 2.75, 6.25, 0.0],
            [0.0, 6.25, 2.083_333_3, 2.083_333_3, 2.083_333_3, 0.5]
        ];
        let (q, y) = QuantileReference::fit_transform(x.view()).unwrap();
        assert_eq!(q.values(), [0.0, 0.5, 1.25, 2.25, 2.75, 6.25]);
        for (a, b) in y.iter().zip(expect.iter()) {
            assert!((a - b).abs() < 1e-6, "{a} vs {b}");
        }
    }

    #[test]
    fn a_new_sample_alone_is_normalised_like_in_the_batch() {
        let x = array![
            [5.0f32, 2.0, 3.0, 4.0],
            [4.0, 1.0, 4.0, 2.0],
            [3.0, 4.0, 6.0, 8.0]
        ];
        let q = QuantileReference::fit(x.view()).unwrap();
        let all = q.transform(x.view()).unwrap();
        let one = q.transform(x.slice(ndarray::s![1..2, ..])).unwrap();
        assert_eq!(one.row(0), all.row(1));
    }

    #[test]
    fn fused_fit_transform_equals_fit_then_transform() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(12);
        // Negatives, zeros and ties, so every branch of the zero handling runs.
        let x = Array2::from_shape_fn((37, 300), |_| {
            if rng.random_bool(0.4) {
                0.0
            } else {
                (rng.random_range(-3.0f32..8.0) * 2.0).round() / 2.0
            }
        });
        let q = QuantileReference::fit(x.view()).unwrap();
        let y = q.transform(x.view()).unwrap();
        let (q2, y2) = QuantileReference::fit_transform(x.view()).unwrap();
        assert_eq!(q, q2);
        assert!(y
            .iter()
            .zip(y2.iter())
            .all(|(a, b)| a.to_bits() == b.to_bits()));
        // Against a naive implementation: full argsort by total order, ties by equal value.
        for (r, row) in x.rows().into_iter().enumerate() {
            let mut idx: Vec<usize> = (0..row.len()).collect();
            idx.sort_by(|&a, &b| row[a].total_cmp(&row[b]).then(a.cmp(&b)));
            let mut a = 0;
            while a < idx.len() {
                let mut b = a + 1;
                while b < idx.len() && row[idx[b]] == row[idx[a]] {
                    b += 1;
                }
                let mean =
                    q.values()[a..b].iter().map(|&v| f64::from(v)).sum::<f64>() / (b - a) as f64;
                for &i in &idx[a..b] {
                    assert!(
                        (f64::from(y[[r, i]]) - mean).abs() < 1e-5,
                        "row {r} col {i}"
                    );
                }
                a = b;
            }
        }
    }

    #[test]
    fn refuses_nan_and_wrong_gene_count() {
        let q = QuantileReference::fit(array![[1.0f32, 2.0]].view()).unwrap();
        assert!(matches!(
            q.transform(array![[1.0f32, 2.0, 3.0]].view()),
            Err(Error::LengthMismatch {
                expected: 2,
                got: 3,
                ..
            })
        ));
        let err = QuantileReference::fit(array![[1.0f32, f32::NAN]].view()).unwrap_err();
        assert!(err.to_string().contains("column 1"), "{err}");
        assert!(matches!(
            QuantileReference::fit(Array2::<f32>::zeros((0, 3)).view()),
            Err(Error::TooFew { .. })
        ));
    }
}
