//! The Gini coefficient of each gene across samples, in memory and out of core.
//!
//! Definition (BioQC's `gini`, which follows `ineq::Gini`; BioQC `src/gini.c`, `stat_gini_sorted`):
//! for the values of one gene sorted ascending, `x_(1) <= ... <= x_(n)`,
//!
//! `G = 2 * sum_i (i * x_(i)) / (n * sum_i x_(i)) - 1 - 1/n`.
//!
//! It is 0 when all values are equal and reaches its maximum `1 - 1/n` when one value is non-zero
//! among `n`. Values must be non-negative. A gene that is zero in every sample (BioQC gives NaN,
//! 0/0) gets 0 here: no inequality, and no NaN reaches a filter. Sums run in `f64`.
//!
//! Out of core ([`gini_stream`]): the definition needs every value of a gene in sorted order, so an
//! exact single pass over sample chunks would hold all `genes x samples` values. Instead the stream
//! is read several times, each pass keeping only a block of genes (all of their samples); memory is
//! bounded by `max_buffered_values` (at least one gene's samples) plus one chunk, and the number of
//! passes is about `genes x samples / max_buffered_values`.

use std::fmt::Display;

use ndarray::ArrayView2;
use rayon::prelude::*;
use rnameta_core::Dataset;

use crate::check::{self, Names};
use crate::sort::{f32_key, key_f32, radix_sort_u32};
use crate::stream::for_each_chunk;
use crate::{Error, Result};

/// Bytes of sort keys one job of [`gini_per_gene`] gathers: enough genes per job that each row
/// of the matrix is read in long runs (reading 64 genes per job was 1.5 s on 10,000 x 20,000, 256
/// genes 1.07 s, 1,024 genes 1.00 s), bounded so that memory stays modest with many samples.
const KEY_BYTES_PER_JOB: usize = 32 << 20;

/// Genes per job for `samples` samples: [`KEY_BYTES_PER_JOB`] of keys, between 16 and 1,024 genes.
fn genes_per_job(samples: usize) -> usize {
    (KEY_BYTES_PER_JOB / (4 * samples.max(1))).clamp(16, 1024)
}

/// Gini coefficient of values already sorted ascending (see the module doc for the definition).
pub fn gini_sorted(sorted: &[f32]) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return 0.0;
    }
    let mut weighted = 0.0f64;
    let mut sum = 0.0f64;
    for (i, &v) in sorted.iter().enumerate() {
        let v = f64::from(v);
        weighted += (i + 1) as f64 * v;
        sum += v;
    }
    if sum <= 0.0 {
        return 0.0;
    }
    let n = n as f64;
    2.0 * weighted / (n * sum) - 1.0 - 1.0 / n
}

/// Gini coefficient of unsorted non-negative values (sorts a copy); a negative or non-finite
/// value is refused, named by its position.
pub fn gini(values: &[f32]) -> Result<f64> {
    if let Some(i) = values.iter().position(|v| !v.is_finite() || *v < 0.0) {
        return Err(Error::Negative {
            sample: format!("position {i}"),
            gene: "(vector)".into(),
            value: values[i],
            context: "the Gini coefficient (finite, non-negative values)",
        });
    }
    let mut keys: Vec<u32> = values.iter().map(|&v| f32_key(v)).collect();
    let mut scratch = vec![0u32; keys.len()];
    Ok(gini_of_keys(&mut keys, &mut scratch))
}

/// Gini of non-negative values given as keys (reordered in place). Zeros, the usual bulk of an
/// expression vector, are counted rather than sorted: they take the first ranks and add nothing
/// to either sum.
fn gini_of_keys(keys: &mut [u32], scratch: &mut [u32]) -> f64 {
    let n = keys.len();
    if n == 0 {
        return 0.0;
    }
    let zero = f32_key(0.0);
    let mut m = 0;
    for i in 0..n {
        if keys[i] != zero {
            keys[m] = keys[i];
            m += 1;
        }
    }
    let nonzero = &mut keys[..m];
    radix_sort_u32(nonzero, scratch);
    let zeros = (n - m) as f64;
    let mut weighted = 0.0f64;
    let mut sum = 0.0f64;
    for (i, &k) in nonzero.iter().enumerate() {
        let v = f64::from(key_f32(k));
        weighted += (zeros + (i + 1) as f64) * v;
        sum += v;
    }
    if sum <= 0.0 {
        return 0.0;
    }
    let n = n as f64;
    2.0 * weighted / (n * sum) - 1.0 - 1.0 / n
}

/// Gini coefficient of every gene (column) across the samples (rows) of `x`. Values must be
/// finite and non-negative.
pub fn gini_per_gene(x: ArrayView2<'_, f32>, names: Names<'_>) -> Result<Vec<f64>> {
    let (samples, genes) = x.dim();
    if samples == 0 {
        return Err(Error::TooFew {
            what: "the Gini coefficient",
            needed: 1,
            unit: "samples",
            got: 0,
        });
    }
    check::non_negative(x, names, "the Gini coefficient")?;
    let x = x.as_standard_layout();
    let data = x.as_slice().expect("standard layout is contiguous");
    let per_job = genes_per_job(samples);
    let blocks: Vec<usize> = (0..genes).step_by(per_job).collect();
    let per_block: Vec<Vec<f64>> = blocks
        .par_iter()
        .map_init(
            || (vec![0u32; per_job * samples], vec![0u32; samples]),
            |(keys, scratch), &g0| {
                let width = per_job.min(genes - g0);
                // Gather a block of columns gene-major: each row contributes a contiguous slice.
                for (s, row) in data.chunks_exact(genes).enumerate() {
                    for (j, &v) in row[g0..g0 + width].iter().enumerate() {
                        keys[j * samples + s] = f32_key(v);
                    }
                }
                (0..width)
                    .map(|j| gini_of_keys(&mut keys[j * samples..(j + 1) * samples], scratch))
                    .collect()
            },
        )
        .collect();
    Ok(per_block.into_iter().flatten().collect())
}

/// The Gini coefficients of a stream and how they were computed.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamedGini {
    /// Canonical gene ids of the stream, in column order.
    pub genes: Vec<String>,
    /// Gini coefficient of each gene.
    pub gini: Vec<f64>,
    /// Samples in the stream.
    pub n_samples: usize,
    /// How many times the stream was read.
    pub passes: usize,
}

/// Gini coefficients out of core: `open` starts a new read of the same stream of sample chunks
/// (e.g. `|| reader.chunks(1000)`), and is called once per block of genes. Each pass keeps at most
/// `max_buffered_values` values (never fewer than one gene's samples) plus the chunk being read;
/// the block shrinks as samples arrive, so the number of samples need not be known in advance.
/// Results are identical to [`gini_per_gene`] on the whole matrix (same sort, same sums).
pub fn gini_stream<F, I, E>(mut open: F, max_buffered_values: usize) -> Result<StreamedGini>
where
    F: FnMut() -> I,
    I: IntoIterator<Item = std::result::Result<Dataset, E>>,
    E: Display,
{
    if max_buffered_values == 0 {
        return Err(Error::InvalidParameter {
            name: "max_buffered_values",
            reason: "must be at least 1".into(),
        });
    }
    let mut start = 0usize;
    let mut all_genes: Option<Vec<String>> = None;
    let mut gini = Vec::new();
    let mut passes = 0usize;
    let mut n_samples = 0usize;
    loop {
        passes += 1;
        // Gene-major buffer of the block [start, end): column j holds gene start + j.
        let mut columns: Vec<Vec<f32>> = Vec::new();
        let mut end = usize::MAX;
        let mut seen = 0usize;
        let (genes, samples) = for_each_chunk(open(), |chunk| {
            let x = chunk.counts();
            check::non_negative(x.view(), Names::Dataset(chunk), "the Gini coefficient")?;
            if end == usize::MAX {
                end = chunk.n_genes();
                columns = vec![Vec::new(); end.saturating_sub(start)];
            }
            seen += chunk.n_samples();
            let fit = (max_buffered_values / seen.max(1)).max(1);
            if columns.len() > fit {
                columns.truncate(fit);
                end = start + fit;
            }
            for (j, col) in columns.iter_mut().enumerate() {
                col.extend(x.column(start + j).iter().copied());
            }
            Ok(())
        })?;
        match &all_genes {
            None => {
                if samples == 0 {
                    return Err(Error::TooFew {
                        what: "the Gini coefficient",
                        needed: 1,
                        unit: "samples",
                        got: 0,
                    });
                }
                n_samples = samples;
                all_genes = Some(genes);
            }
            Some(first) => {
                if *first != genes || samples != n_samples {
                    return Err(Error::Stream {
                        chunk: 0,
                        reason: format!(
                            "pass {passes} read {samples} samples and {} genes, the first pass {n_samples} and {}; the stream must be the same on every read",
                            genes.len(),
                            first.len()
                        ),
                    });
                }
            }
        }
        let total = all_genes.as_ref().map_or(0, Vec::len);
        let block: Vec<f64> = columns
            .par_iter()
            .map_init(
                || (Vec::new(), Vec::new()),
                |(keys, scratch), col| {
                    keys.clear();
                    keys.extend(col.iter().map(|&v| f32_key(v)));
                    scratch.resize(keys.len(), 0);
                    gini_of_keys(keys, scratch)
                },
            )
            .collect();
        gini.extend(block);
        start += columns.len();
        if start >= total {
            break;
        }
    }
    Ok(StreamedGini {
        genes: all_genes.unwrap_or_default(),
        gini,
        n_samples,
        passes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    /// All equal -> 0. One non-zero among n = 4 -> 1 - 1/4 = 0.75 (the maximum).
    /// [1, 2, 3, 4] by hand: sum i*x = 1+4+9+16 = 30, n*sum = 40, G = 2*30/40 - 1 - 1/4 = 0.25.
    #[test]
    fn hand_computed_values() {
        assert_eq!(gini(&[3.0, 3.0, 3.0, 3.0]).unwrap(), 0.0);
        assert!((gini(&[0.0, 0.0, 7.0, 0.0]).unwrap() - 0.75).abs() < 1e-12);
        assert!((gini(&[4.0, 1.0, 3.0, 2.0]).unwrap() - 0.25).abs() < 1e-12);
        assert_eq!(gini(&[0.0, 0.0]).unwrap(), 0.0);
        assert!(gini(&[1.0, -1.0]).is_err());
        let x = array![
            [1.0f32, 0.0, 2.0],
            [2.0, 0.0, 2.0],
            [3.0, 5.0, 2.0],
            [4.0, 0.0, 2.0]
        ];
        let g = gini_per_gene(x.view(), Names::Positions).unwrap();
        assert!((g[0] - 0.25).abs() < 1e-12);
        assert!((g[1] - 0.75).abs() < 1e-12);
        assert_eq!(g[2], 0.0);
    }

    /// The radix path with zeros counted apart equals the definition on a plainly sorted column.
    #[test]
    fn fast_path_equals_the_definition() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(4);
        let x = ndarray::Array2::from_shape_fn((1000, 40), |(_, g)| {
            if rng.random_bool(0.1 + g as f64 / 45.0) {
                0.0
            } else {
                rng.random_range(0.0f32..12.0)
            }
        });
        let fast = gini_per_gene(x.view(), Names::Positions).unwrap();
        for (g, col) in x.columns().into_iter().enumerate() {
            let mut s = col.to_vec();
            s.sort_by(f32::total_cmp);
            assert!((fast[g] - gini_sorted(&s)).abs() < 1e-12, "gene {g}");
        }
    }

    #[test]
    fn refuses_negative_values() {
        let err = gini_per_gene(array![[1.0f32, -2.0]].view(), Names::Positions).unwrap_err();
        assert!(matches!(err, Error::Negative { .. }), "{err}");
    }
}
