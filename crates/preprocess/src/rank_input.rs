//! Unit-free model input: each sample's own order of the model's genes, mapped onto a reference
//! distribution fitted on the training samples.
//!
//! A model trained on log2(TPM + 1) reads a sample in other units (TPM instead of counts, RSEM
//! values, log2 microarray intensities) on another scale and answers wrongly without a word.
//! Within one sample, the order of the genes does not change with the library size, with
//! per-sample scaling (CPM, TPM's total) or with a log; dividing by gene length is the one
//! conversion that changes it, and [`InputUnits::grows_with_gene_length`] says when the input
//! still needs it. So [`RankInput`] ranks the model's genes within each sample (values of counts
//! divided by gene length first) and replaces each rank by the training reference's value of that
//! rank, as quantile normalisation does, but over the model's genes only: the result does not
//! depend on the units, and no gene outside the model is needed.
//!
//! Genes of the model missing from a sample are left out of its ranking: the present genes'
//! ranks are spread over the whole reference (rank `r` of `m'` present genes reads the reference
//! at position `r (m - 1) / (m' - 1)`, linearly interpolated), so the present genes keep the
//! levels they would have with every gene measured, and the caller fills the missing ones. With
//! every gene present this is quantile normalisation exactly ([`QuantileReference`]'s rule:
//! tied values share the mean of the reference over their ranks).

use ndarray::{Array2, ArrayView2};
use rayon::prelude::*;
use rnameta_core::InputUnits;
use serde::{Deserialize, Serialize};

use crate::check::{self, Names};
use crate::quantile::QuantileReference;
use crate::{Error, Result};

/// The fitted unit-free input of a model: the reference levels of its genes' ranks and, when the
/// training data had them, the genes' lengths (to divide counts by).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RankInput {
    /// Reference value of each rank over the model's genes (ascending, one per model gene).
    reference: QuantileReference,
    /// Union exon length of each model gene (bases, in model gene order); `None` when the
    /// training data had no lengths (a CPM pipeline): then no input is divided by length.
    lengths: Option<Vec<f32>>,
}

impl RankInput {
    /// Fits the reference on `levels`, the training samples x model genes on the scale the
    /// classifier should see (log2(TPM + 1) of the training data), with the model genes'
    /// `lengths` when known.
    pub fn fit(levels: ArrayView2<'_, f32>, lengths: Option<Vec<f32>>) -> Result<Self> {
        if let Some(lengths) = &lengths {
            if lengths.len() != levels.ncols() {
                return Err(Error::LengthMismatch {
                    what: "gene lengths of the model's genes",
                    expected: levels.ncols(),
                    got: lengths.len(),
                });
            }
            if let Some(bad) = lengths.iter().find(|l| !(l.is_finite() && **l > 0.0)) {
                return Err(Error::InvalidParameter {
                    name: "lengths",
                    reason: format!("gene length {bad} is not a positive number of bases"),
                });
            }
        }
        Ok(Self {
            reference: QuantileReference::fit(levels)?,
            lengths,
        })
    }

    /// Number of model genes the input ranks.
    pub fn n_genes(&self) -> usize {
        self.reference.values().len()
    }

    /// The reference levels, one per rank, ascending.
    pub fn reference(&self) -> &QuantileReference {
        &self.reference
    }

    /// The model genes' lengths, when the training data had them.
    pub fn lengths(&self) -> Option<&[f32]> {
        self.lengths.as_deref()
    }

    /// Whether inputs in `units` are divided by gene length before ranking: counts-like units
    /// when the model knows the lengths. (Without lengths, counts-like and length-divided inputs
    /// are ranked as they are, and their gene orders differ by the length factor.)
    pub fn divides_by_length(&self, units: InputUnits) -> bool {
        self.lengths.is_some() && units.grows_with_gene_length()
    }

    /// The model input of `values` (samples x model genes, in the model's gene order, in
    /// `units`); `present[j]` says whether gene `j` was measured (a missing gene's column is
    /// ignored and left at 0 for the caller to fill). Samples and genes are named by `names` in
    /// errors (non-finite values; negative values where the units allow none).
    pub fn transform(
        &self,
        values: ArrayView2<'_, f32>,
        present: &[bool],
        units: InputUnits,
        names: Names<'_>,
    ) -> Result<Array2<f32>> {
        let m = self.n_genes();
        if values.ncols() != m || present.len() != m {
            return Err(Error::LengthMismatch {
                what: "model genes of the unit-free input",
                expected: m,
                got: if values.ncols() == m {
                    present.len()
                } else {
                    values.ncols()
                },
            });
        }
        if units.is_log2() {
            check::finite(values, names)?;
        } else {
            check::non_negative(
                values,
                names,
                "counts, CPM, TPM or FPKM (no negative values)",
            )?;
        }
        let columns: Vec<usize> = (0..m).filter(|&j| present[j]).collect();
        let divisors: Option<Vec<f32>> = self
            .lengths
            .as_ref()
            .filter(|_| self.divides_by_length(units))
            .map(|lengths| columns.iter().map(|&j| lengths[j]).collect());
        let reference = self.reference.values();
        let mut out = Array2::<f32>::zeros(values.dim());
        out.outer_iter_mut()
            .into_par_iter()
            .zip(values.outer_iter().into_par_iter())
            .for_each_init(Vec::new, |keyed, (mut out_row, row)| {
                keyed.clear();
                keyed.extend(columns.iter().enumerate().map(|(k, &j)| {
                    let v = row[j];
                    let linear = match &divisors {
                        // Divide in linear space; the log is undone first where there is one.
                        Some(d) if units.is_log2() => (v.exp2() - 1.0).max(0.0) / d[k],
                        Some(d) => v / d[k],
                        None => v,
                    };
                    (linear, j)
                }));
                keyed.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
                let present = keyed.len();
                let mut a = 0;
                while a < present {
                    let mut b = a + 1;
                    while b < present && keyed[b].0 == keyed[a].0 {
                        b += 1;
                    }
                    let level = mean_level(reference, a, b, present);
                    for &(_, j) in &keyed[a..b] {
                        out_row[j] = level;
                    }
                    a = b;
                }
            });
        Ok(out)
    }
}

/// The mean reference level over the ranks `a..b` of `present` ranked genes, each rank read at
/// its place in the whole reference (exactly the reference value when every gene is present).
fn mean_level(reference: &[f32], a: usize, b: usize, present: usize) -> f32 {
    let m = reference.len();
    let at = |r: usize| -> f64 {
        if present == m {
            return f64::from(reference[r]);
        }
        if present == 1 {
            // One gene has no order: the middle of the reference.
            return (f64::from(reference[(m - 1) / 2]) + f64::from(reference[m / 2])) / 2.0;
        }
        let position = r as f64 * (m - 1) as f64 / (present - 1) as f64;
        let below = position.floor() as usize;
        let above = (below + 1).min(m - 1);
        let t = position - below as f64;
        f64::from(reference[below]) * (1.0 - t) + f64::from(reference[above]) * t
    };
    ((a..b).map(at).sum::<f64>() / (b - a) as f64) as f32
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{array, Array2};

    fn fitted(lengths: Option<Vec<f32>>) -> RankInput {
        // Two training samples of four genes; the reference is the mean sorted row.
        let levels = array![[1.0, 2.0, 3.0, 4.0], [3.0, 4.0, 5.0, 6.0]];
        RankInput::fit(levels.view(), lengths).unwrap()
    }

    fn run(
        input: &RankInput,
        values: Array2<f32>,
        present: &[bool],
        units: InputUnits,
    ) -> Array2<f32> {
        input
            .transform(values.view(), present, units, Names::Positions)
            .unwrap()
    }

    #[test]
    fn every_gene_present_is_quantile_normalisation() {
        let input = fitted(None);
        assert_eq!(input.reference().values(), &[2.0, 3.0, 4.0, 5.0]);
        let all = [true; 4];
        let x = run(
            &input,
            array![[10.0, 0.0, 7.0, 0.0]],
            &all,
            InputUnits::Counts,
        );
        // Two zeros tie on ranks 0 and 1: both get (2 + 3) / 2.
        assert_eq!(x, array![[5.0, 2.5, 4.0, 2.5]]);
        let q = input
            .reference()
            .transform(array![[10.0, 0.0, 7.0, 0.0]].view())
            .unwrap();
        assert_eq!(x, q);
    }

    #[test]
    fn units_that_keep_the_order_give_the_same_input() {
        let input = fitted(None);
        let all = [true; 4];
        let counts: Array2<f32> = array![[120.0, 3.0, 40.0, 900.0]];
        let cpm = counts.mapv(|v| v / 1063.0 * 1e6);
        let log2 = cpm.mapv(|v| (v + 1.0).log2());
        let expected = run(&input, counts, &all, InputUnits::Counts);
        assert_eq!(run(&input, cpm, &all, InputUnits::Cpm), expected);
        assert_eq!(run(&input, log2, &all, InputUnits::Log2Counts), expected);
    }

    #[test]
    fn counts_are_divided_by_length_so_that_they_read_as_tpm() {
        let lengths = vec![1000.0, 4000.0, 500.0, 2000.0];
        let input = fitted(Some(lengths.clone()));
        let all = [true; 4];
        let counts: Array2<f32> = array![[100.0, 200.0, 30.0, 150.0]];
        let per_base: Array2<f32> = ndarray::Zip::from(&counts)
            .and_broadcast(&ndarray::arr1(&lengths))
            .map_collect(|c, l| c / l);
        let tpm = per_base.mapv(|v| v / per_base.sum() * 1e6);
        let log2_tpm = tpm.mapv(|v| (v + 1.0).log2());
        let log2_counts = counts.mapv(|v| (v + 1.0).log2());
        let from_counts = run(&input, counts, &all, InputUnits::Counts);
        assert_eq!(run(&input, tpm.clone(), &all, InputUnits::Tpm), from_counts);
        assert_eq!(run(&input, tpm, &all, InputUnits::Fpkm), from_counts);
        assert_eq!(
            run(&input, log2_tpm, &all, InputUnits::Log2Tpm),
            from_counts
        );
        assert_eq!(
            run(&input, log2_counts, &all, InputUnits::Log2Counts),
            from_counts
        );
        // Per base: 0.1, 0.05, 0.06, 0.075 -> ranks 3, 0, 1, 2.
        assert_eq!(from_counts, array![[5.0, 2.0, 3.0, 4.0]]);
    }

    #[test]
    fn missing_genes_spread_the_present_ones_over_the_reference() {
        let input = fitted(None);
        let x = run(
            &input,
            array![[9.0, 0.0, 1.0, 5.0]],
            &[true, false, true, true],
            InputUnits::Counts,
        );
        // Three present genes read the reference at positions 0, 1.5 and 3.
        assert_eq!(x, array![[5.0, 0.0, 2.0, 3.5]]);
    }

    #[test]
    fn bad_values_and_shapes_are_refused() {
        let input = fitted(None);
        let all = [true; 4];
        let negative = array![[1.0, -1.0, 2.0, 3.0]];
        assert!(input
            .transform(negative.view(), &all, InputUnits::Counts, Names::Positions)
            .is_err());
        // A log2 scale may go below zero (array intensities near background).
        assert!(input
            .transform(
                negative.view(),
                &all,
                InputUnits::Log2Array,
                Names::Positions
            )
            .is_ok());
        let short = array![[1.0, 2.0]];
        assert!(input
            .transform(
                short.view(),
                &[true; 2],
                InputUnits::Counts,
                Names::Positions
            )
            .is_err());
        assert!(RankInput::fit(array![[1.0, 2.0]].view(), Some(vec![0.0, 10.0])).is_err());
    }
}
