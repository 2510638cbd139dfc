//! What kind of values a matrix holds: raw counts, TPM, log-scale, standardised.
//!
//! Models are trained on one kind; `rnameta inspect` and `annotate` use this to convert a user's
//! file or refuse it with the reason, instead of silently predicting from the wrong scale.

use std::fmt;

use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};

/// The scale of an expression matrix, judged from its values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ValueKind {
    /// Non-negative integers: read counts (or recount3 coverage sums).
    IntegerCounts,
    /// Non-negative, fractional, each sample summing to about one million: TPM or CPM.
    TpmLike,
    /// Non-negative and fractional but neither counts, TPM nor log (FPKM, length-divided values).
    NonNegativeFractional,
    /// Non-negative with a small maximum (< 32) and fractional values: log2(x+1) or log(1+x).
    LogLike,
    /// Has negative values: z-scores or other centred data.
    Standardised,
    /// Every value is zero: nothing was measured, or the file lost its values.
    AllZero,
    /// No finite value to judge from.
    Empty,
}

impl ValueKind {
    /// Judges a samples x genes matrix; non-finite values are ignored here (readers refuse them).
    pub fn detect(matrix: ArrayView2<'_, f32>) -> Self {
        let mut any = false;
        let mut all_integer = true;
        let mut min = f32::INFINITY;
        let mut max = f32::NEG_INFINITY;
        for &v in matrix.iter().filter(|v| v.is_finite()) {
            any = true;
            min = min.min(v);
            max = max.max(v);
            if all_integer && v.fract() != 0.0 {
                all_integer = false;
            }
        }
        if !any {
            return Self::Empty;
        }
        if min < 0.0 {
            return Self::Standardised;
        }
        if max == 0.0 {
            return Self::AllZero;
        }
        if all_integer && max >= 32.0 {
            return Self::IntegerCounts;
        }
        if max < 32.0 && !all_integer {
            return Self::LogLike;
        }
        if all_integer {
            // Small integers only (max < 32): a very shallow count matrix.
            return Self::IntegerCounts;
        }
        let sums_near_million = matrix.rows().into_iter().all(|row| {
            let sum: f64 = row
                .iter()
                .filter(|v| v.is_finite())
                .map(|&v| f64::from(v))
                .sum();
            (sum - 1e6).abs() < 1e4
        });
        if sums_near_million {
            Self::TpmLike
        } else {
            Self::NonNegativeFractional
        }
    }

    /// The name shown to users.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::IntegerCounts => "integer counts",
            Self::TpmLike => "TPM-like (samples sum to 1e6)",
            Self::NonNegativeFractional => "non-negative fractional (FPKM-like)",
            Self::LogLike => "log-like (max < 32)",
            Self::Standardised => "standardised (has negatives)",
            Self::AllZero => "all zero",
            Self::Empty => "empty",
        }
    }
}

impl fmt::Display for ValueKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What an input's values are, as far as a unit-free model needs to know: whether they are on a
/// log2 scale and whether each gene's value is divided by the gene's length.
///
/// A unit-free model reads each sample's own order of its genes, which no per-sample scaling
/// (library size, CPM, TPM's total) and no log changes; dividing by gene length does change it,
/// so that is the one thing about the units it must know. [`InputUnits::judge`] guesses from a
/// [`ValueKind`] and says what it assumed; a user who knows better states the units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum InputUnits {
    /// Read counts, raw or estimated (featureCounts, recount3, RSEM expected counts, RSEM
    /// upper-quartile normalised counts): proportional to gene length.
    Counts,
    /// Counts per million: counts scaled per sample, not divided by gene length.
    Cpm,
    /// Transcripts per million: divided by gene length.
    Tpm,
    /// FPKM / RPKM: divided by gene length (the same order of genes as TPM).
    Fpkm,
    /// log2 of counts or CPM (`log2(x + 1)`, voom's log-CPM).
    Log2Counts,
    /// log2 of TPM or FPKM (`log2(x + 1)`).
    Log2Tpm,
    /// log2 microarray intensities: probe signals carry no gene-length factor.
    Log2Array,
}

/// The units an input was taken to have, and in words why (what was seen, what was assumed and
/// how to say otherwise), for the report of a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JudgedUnits {
    /// The units the values were read in.
    pub units: InputUnits,
    /// Units of the same look but the other relation to gene length (TPM or CPM: both sum to a
    /// million; FPKM or estimated counts: both fractional; log2 TPM or log2 CPM: both below 32),
    /// which the values alone cannot tell apart; `None` when there is no doubt (integer counts).
    /// A model that knows its genes' lengths decides between the two from the data.
    pub alternative: Option<InputUnits>,
    /// Why: what the values looked like and what the judgement assumed.
    pub reason: String,
}

impl InputUnits {
    /// Every unit, in the order they are listed to users.
    pub const ALL: [InputUnits; 7] = [
        Self::Counts,
        Self::Cpm,
        Self::Tpm,
        Self::Fpkm,
        Self::Log2Counts,
        Self::Log2Tpm,
        Self::Log2Array,
    ];

    /// The name users give and read (`counts`, `cpm`, `tpm`, `fpkm`, `log2-counts`, `log2-tpm`,
    /// `log2-array`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Counts => "counts",
            Self::Cpm => "cpm",
            Self::Tpm => "tpm",
            Self::Fpkm => "fpkm",
            Self::Log2Counts => "log2-counts",
            Self::Log2Tpm => "log2-tpm",
            Self::Log2Array => "log2-array",
        }
    }

    /// The units named `name` (see [`InputUnits::as_str`]; `rpkm`, `log2-cpm`, `log2-fpkm`
    /// and `rsem` are read too); `None` for another name.
    pub fn parse(name: &str) -> Option<Self> {
        let name = name.trim().to_ascii_lowercase().replace('_', "-");
        Some(match name.as_str() {
            "counts" | "rsem" | "expected-counts" => Self::Counts,
            "cpm" => Self::Cpm,
            "tpm" => Self::Tpm,
            "fpkm" | "rpkm" => Self::Fpkm,
            "log2-counts" | "log2-cpm" | "logcpm" => Self::Log2Counts,
            "log2-tpm" | "log2-fpkm" | "log2-rpkm" => Self::Log2Tpm,
            "log2-array" | "array" | "microarray" => Self::Log2Array,
            _ => return None,
        })
    }

    /// Whether the values are `log2(x + 1)` (or log2 intensities) rather than linear.
    pub fn is_log2(self) -> bool {
        matches!(self, Self::Log2Counts | Self::Log2Tpm | Self::Log2Array)
    }

    /// Whether each gene's value grows with the gene's length (counts and what is scaled from
    /// them per sample), so that dividing by the length puts genes on one footing.
    pub fn grows_with_gene_length(self) -> bool {
        matches!(self, Self::Counts | Self::Cpm | Self::Log2Counts)
    }

    /// The units a matrix of `kind` is taken to have (with the alternative the values cannot rule
    /// out) and what was seen, in words; the reason
    /// for refusing when no unit-free reading exists (centred values have lost each sample's own
    /// order of genes; all-zero or empty values hold nothing to read).
    pub fn judge(kind: ValueKind) -> Result<JudgedUnits, &'static str> {
        let (units, alternative, reason) = match kind {
            ValueKind::IntegerCounts => (Self::Counts, None, "integer values: read counts"),
            ValueKind::NonNegativeFractional => (
                Self::Counts,
                Some(Self::Fpkm),
                "fractional values, samples not summing to 1e6: estimated counts (RSEM) or FPKM",
            ),
            ValueKind::TpmLike => (
                Self::Tpm,
                Some(Self::Cpm),
                "fractional values, samples summing to 1e6: TPM or CPM",
            ),
            ValueKind::LogLike => (
                Self::Log2Tpm,
                Some(Self::Log2Counts),
                "log-scale values (maximum below 32): log2 TPM / FPKM, log2 microarray \
                 intensities or log2 CPM",
            ),
            ValueKind::Standardised => {
                return Err(
                    "has negative values: centred values (z-scores, log ratios) have lost \
                     each sample's own order of genes that the model reads; give the values \
                     before centring (counts, TPM, FPKM or log2 of them)",
                )
            }
            ValueKind::AllZero => {
                return Err(
                    "holds only zeros (no expression measured in any sample: is it the \
                     right file, or did an export lose its values?)",
                )
            }
            ValueKind::Empty => return Err("holds no finite value"),
        };
        Ok(JudgedUnits {
            units,
            alternative,
            reason: reason.to_owned(),
        })
    }
}

impl fmt::Display for InputUnits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn tells_the_scales_apart() {
        assert_eq!(
            ValueKind::detect(array![[0.0, 5.0, 120.0]].view()),
            ValueKind::IntegerCounts
        );
        assert_eq!(
            ValueKind::detect(array![[0.0, 3.5, 12.25]].view()),
            ValueKind::LogLike
        );
        assert_eq!(
            ValueKind::detect(array![[-1.2, 0.3]].view()),
            ValueKind::Standardised
        );
        assert_eq!(
            ValueKind::detect(array![[250_000.5, 749_999.5]].view()),
            ValueKind::TpmLike
        );
        assert_eq!(
            ValueKind::detect(array![[40.5, 2.25]].view()),
            ValueKind::NonNegativeFractional
        );
        assert_eq!(
            ValueKind::detect(array![[f32::NAN]].view()),
            ValueKind::Empty
        );
        // All zero is neither log-scale nor counts to predict from: said as it is.
        assert_eq!(
            ValueKind::detect(array![[0.0, 0.0], [0.0, 0.0]].view()),
            ValueKind::AllZero
        );
    }

    #[test]
    fn every_unit_name_reads_back() {
        for units in InputUnits::ALL {
            assert_eq!(InputUnits::parse(units.as_str()), Some(units));
        }
        assert_eq!(InputUnits::parse("RPKM"), Some(InputUnits::Fpkm));
        assert_eq!(InputUnits::parse("log2_cpm"), Some(InputUnits::Log2Counts));
        assert_eq!(InputUnits::parse("z-score"), None);
    }

    #[test]
    fn units_are_judged_from_the_values_or_refused_with_the_reason() {
        let judged = |kind| InputUnits::judge(kind).map(|j| j.units);
        assert_eq!(judged(ValueKind::IntegerCounts), Ok(InputUnits::Counts));
        assert_eq!(
            judged(ValueKind::NonNegativeFractional),
            Ok(InputUnits::Counts)
        );
        assert_eq!(judged(ValueKind::TpmLike), Ok(InputUnits::Tpm));
        assert_eq!(judged(ValueKind::LogLike), Ok(InputUnits::Log2Tpm));
        assert!(InputUnits::judge(ValueKind::Standardised)
            .unwrap_err()
            .contains("before centring"));
        assert!(InputUnits::judge(ValueKind::AllZero).is_err());
        assert!(InputUnits::judge(ValueKind::Empty).is_err());
    }
}
