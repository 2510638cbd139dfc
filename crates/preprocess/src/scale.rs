//! Per-value and per-sample scalings: TPM, log2(x+1), ln(1+x), division by gene length.
//!
//! TPM (transcripts per million) of gene g in a sample: `rate_g = count_g / length_g`, then
//! `TPM_g = rate_g / sum(rate) x 1e6`, with `length_g` the union of the gene's exons in bases
//! (recount3's `bp_length`; Wagner et al. 2012). Sums run in `f64`.

use ndarray::{ArrayView2, ArrayViewMut2, Axis};
use rayon::prelude::*;
use rnameta_core::GeneAnnotation;

use crate::check::{self, Names};
use crate::{Error, Result};

/// Which gene length a computation needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LengthKind {
    /// Union of all exons (TPM).
    UnionExon,
    /// Longest transcript (the ARCHS4 division).
    LongestTranscript,
}

impl LengthKind {
    fn describe(self) -> &'static str {
        match self {
            Self::UnionExon => "union exon length",
            Self::LongestTranscript => "longest transcript length",
        }
    }
}

/// The length of every gene in column order, refusing a gene without one (named) or of length 0.
pub fn gene_lengths(genes: &GeneAnnotation, kind: LengthKind) -> Result<Vec<f32>> {
    genes
        .genes()
        .iter()
        .enumerate()
        .map(|(column, g)| {
            let len = match kind {
                LengthKind::UnionExon => g.union_exon_length,
                LengthKind::LongestTranscript => g.longest_transcript_length,
            };
            match len {
                None => Err(Error::MissingGeneLength {
                    gene: g.id.clone(),
                    column,
                    what: kind.describe(),
                }),
                Some(0) => Err(Error::ZeroGeneLength {
                    gene: g.id.clone(),
                    what: kind.describe(),
                }),
                Some(l) => Ok(l as f32),
            }
        })
        .collect()
}

/// What a negative value is refused for, by the step that refuses it (also checked up front by
/// `FittedPipeline::transform_columns`, with the same words).
pub(crate) const TPM_INPUT: &str = "TPM needs counts";
/// See [`TPM_INPUT`].
pub(crate) const LOG2P1_INPUT: &str = "log2(x+1)";
/// See [`TPM_INPUT`].
pub(crate) const LN1P_INPUT: &str = "ln(1+x)";

/// Each sample's total rate, `sum_g count_g / length_g` in `f64` over every gene in column
/// order: the denominator of TPM (of CPM with lengths of 1). Computed once, it scales any subset
/// of the genes exactly as the whole matrix is scaled ([`scale_by_rate_totals_inplace`]), which
/// is how a pipeline reads a few genes of a large matrix without transforming all of it.
/// Refuses negative values and empty samples, naming them.
pub fn rate_totals(x: ArrayView2<'_, f32>, lengths: &[f32], names: Names<'_>) -> Result<Vec<f64>> {
    if lengths.len() != x.ncols() {
        return Err(Error::LengthMismatch {
            what: "gene lengths",
            expected: x.ncols(),
            got: lengths.len(),
        });
    }
    check::non_negative(x, names, TPM_INPUT)?;
    let totals: Vec<f64> = x
        .axis_iter(Axis(0))
        .into_par_iter()
        .map(|row| {
            row.iter()
                .zip(lengths)
                .map(|(&c, &l)| f64::from(c) / f64::from(l))
                .sum()
        })
        .collect();
    match totals.iter().position(|&total| total <= 0.0) {
        Some(r) => Err(Error::EmptySample {
            sample: names.sample(r),
        }),
        None => Ok(totals),
    }
}

/// `x[r, j] / lengths[j] / totals[r] x 1e6` in place: TPM (or CPM, with lengths of 1) of the
/// columns of `x`, whose lengths are `lengths` and whose samples' [`rate_totals`] over every gene
/// are `totals`.
pub fn scale_by_rate_totals_inplace(
    mut x: ArrayViewMut2<'_, f32>,
    lengths: &[f32],
    totals: &[f64],
) {
    assert_eq!(lengths.len(), x.ncols(), "one length per column");
    assert_eq!(totals.len(), x.nrows(), "one total per row");
    x.axis_iter_mut(Axis(0))
        .into_par_iter()
        .zip(totals.par_iter())
        .for_each(|(mut row, &total)| {
            let scale = 1e6 / total;
            for (v, &l) in row.iter_mut().zip(lengths) {
                *v = (f64::from(*v) / f64::from(l) * scale) as f32;
            }
        });
}

/// Converts counts to TPM in place given gene lengths in bases (one per column).
pub fn tpm_inplace(x: ArrayViewMut2<'_, f32>, lengths: &[f32], names: Names<'_>) -> Result<()> {
    let totals = rate_totals(x.view(), lengths, names)?;
    scale_by_rate_totals_inplace(x, lengths, &totals);
    Ok(())
}

/// Counts per million in place: each sample scaled to sum 1e6, without gene lengths (for count
/// tables whose genes come without a GTF). Refuses negative values and empty samples, naming them.
pub fn cpm_inplace(x: ArrayViewMut2<'_, f32>, names: Names<'_>) -> Result<()> {
    let ones = vec![1.0; x.ncols()];
    tpm_inplace(x, &ones, names)
}

/// TPM of a counts matrix (samples x genes) with the genes' union exon lengths.
pub fn tpm(x: ArrayView2<'_, f32>, genes: &GeneAnnotation) -> Result<ndarray::Array2<f32>> {
    let lengths = gene_lengths(genes, LengthKind::UnionExon)?;
    let mut out = x.to_owned();
    tpm_inplace(out.view_mut(), &lengths, Names::Positions)?;
    Ok(out)
}

/// `log2(x + 1)` in place; values must be non-negative.
pub fn log2p1_inplace(mut x: ArrayViewMut2<'_, f32>, names: Names<'_>) -> Result<()> {
    check::non_negative(x.view(), names, LOG2P1_INPUT)?;
    x.par_mapv_inplace(|v| (f64::from(v).ln_1p() / std::f64::consts::LN_2) as f32);
    Ok(())
}

/// `ln(1 + x)` in place (the ARCHS4 recipe's log); values must be non-negative.
pub fn ln1p_inplace(mut x: ArrayViewMut2<'_, f32>, names: Names<'_>) -> Result<()> {
    check::non_negative(x.view(), names, LN1P_INPUT)?;
    x.par_mapv_inplace(f32::ln_1p);
    Ok(())
}

/// Divides every column by its gene's length (the ARCHS4 recipe divides by the longest
/// transcript, in bases).
pub fn divide_by_length_inplace(mut x: ArrayViewMut2<'_, f32>, lengths: &[f32]) -> Result<()> {
    if lengths.len() != x.ncols() {
        return Err(Error::LengthMismatch {
            what: "gene lengths",
            expected: x.ncols(),
            got: lengths.len(),
        });
    }
    x.axis_iter_mut(Axis(0))
        .into_par_iter()
        .for_each(|mut row| {
            for (v, &l) in row.iter_mut().zip(lengths) {
                *v /= l;
            }
        });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;
    use rnameta_core::GeneInfo;

    fn genes(lengths: &[Option<u32>]) -> GeneAnnotation {
        GeneAnnotation::new(
            lengths
                .iter()
                .enumerate()
                .map(|(i, &l)| GeneInfo {
                    union_exon_length: l,
                    ..GeneInfo::from_id(&format!("ENSG{i:011}"))
                })
                .collect(),
        )
        .unwrap()
    }

    /// By hand: counts 10, 20, 30 on lengths 1000, 2000, 500 give rates 0.01, 0.01, 0.06
    /// (sum 0.08), so TPM = 125,000, 125,000, 750,000.
    #[test]
    fn tpm_by_hand_and_columns_sum_to_a_million() {
        let x = array![[10.0f32, 20.0, 30.0], [0.0, 5.0, 0.0]];
        let t = tpm(x.view(), &genes(&[Some(1000), Some(2000), Some(500)])).unwrap();
        assert_eq!(t.row(0).to_vec(), vec![125_000.0, 125_000.0, 750_000.0]);
        assert_eq!(t.row(1).to_vec(), vec![0.0, 1e6, 0.0]);
    }

    #[test]
    fn tpm_names_a_gene_without_length_and_an_empty_sample() {
        let err = tpm(array![[1.0f32, 2.0]].view(), &genes(&[Some(10), None])).unwrap_err();
        assert!(err.to_string().contains("ENSG00000000001"), "{err}");
        assert!(matches!(
            tpm(array![[0.0f32, 0.0]].view(), &genes(&[Some(10), Some(5)])),
            Err(Error::EmptySample { .. })
        ));
        assert!(matches!(
            tpm(array![[-1.0f32, 2.0]].view(), &genes(&[Some(10), Some(5)])),
            Err(Error::Negative { .. })
        ));
    }

    /// log2(1+1) = 1, log2(3+1) = 2, log2(0+1) = 0; ln(1+e-1) = 1.
    #[test]
    fn logs_by_hand() {
        let mut x = array![[1.0f32, 3.0, 0.0]];
        log2p1_inplace(x.view_mut(), Names::Positions).unwrap();
        assert_eq!(x, array![[1.0f32, 2.0, 0.0]]);
        let mut y = array![[std::f32::consts::E - 1.0]];
        ln1p_inplace(y.view_mut(), Names::Positions).unwrap();
        assert!((y[[0, 0]] - 1.0).abs() < 1e-6);
    }
}
