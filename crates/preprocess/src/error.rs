//! The error type of `rnameta-preprocess`: every way preprocessing can refuse its input, with the
//! gene, sample or parameter that caused it.

/// What went wrong while preprocessing.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A gene has no length of the kind a normalisation needs (TPM: union exon length; ARCHS4:
    /// longest transcript length).
    #[error(
        "gene {gene:?} (column {column}) has no {what}; fill it from a GTF or annotation first"
    )]
    MissingGeneLength {
        /// Canonical id of the gene.
        gene: String,
        /// Its column.
        column: usize,
        /// Which length was needed.
        what: &'static str,
    },
    /// A gene length of zero would divide by zero.
    #[error("gene {gene:?} has a {what} of zero")]
    ZeroGeneLength {
        /// Canonical id of the gene.
        gene: String,
        /// Which length.
        what: &'static str,
    },
    /// A value is NaN or infinite where a finite value is required.
    #[error("non-finite value {value} at sample {sample:?}, gene {gene:?}")]
    NonFinite {
        /// The sample id.
        sample: String,
        /// The gene id.
        gene: String,
        /// The value found.
        value: f32,
    },
    /// A value is negative where counts or non-negative expression are required.
    #[error("negative value {value} at sample {sample:?}, gene {gene:?} ({context})")]
    Negative {
        /// The sample id.
        sample: String,
        /// The gene id.
        gene: String,
        /// The value found.
        value: f32,
        /// What needed non-negative values.
        context: &'static str,
    },
    /// A sample whose counts sum to zero cannot be scaled to TPM.
    #[error("sample {sample:?} has no reads on any gene with a length; TPM is undefined")]
    EmptySample {
        /// The sample id.
        sample: String,
    },
    /// The data's genes differ from those a pipeline or model was fitted on.
    #[error("genes differ from the fitted ones: {detail}")]
    GeneMismatch {
        /// Which genes are missing, extra or out of order (the first few named).
        detail: String,
    },
    /// A fitted object was asked to transform before being fitted.
    #[error("{what} is not fitted; call fit first")]
    NotFitted {
        /// The step that was not fitted.
        what: &'static str,
    },
    /// The number of values does not match what a fitted object expects.
    #[error("{what}: expected {expected} values, got {got}")]
    LengthMismatch {
        /// What was being compared.
        what: &'static str,
        /// Expected length.
        expected: usize,
        /// Length given.
        got: usize,
    },
    /// Nothing to fit on or compute from.
    #[error("{what} needs at least {needed} {unit}, got {got}")]
    TooFew {
        /// The computation.
        what: &'static str,
        /// How many are needed.
        needed: usize,
        /// What is counted (samples, genes, studies).
        unit: &'static str,
        /// How many there are.
        got: usize,
    },
    /// A parameter outside its valid range.
    #[error("invalid parameter {name}: {reason}")]
    InvalidParameter {
        /// The parameter.
        name: &'static str,
        /// Why it is invalid.
        reason: String,
    },
    /// Two genes map to one id and the caller asked to refuse duplicates.
    #[error("genes {first:?} and {second:?} both map to {id:?}")]
    DuplicateGene {
        /// The target id.
        id: String,
        /// First source gene.
        first: String,
        /// Second source gene.
        second: String,
    },
    /// Several gene ids of a file map to one Ensembl gene, but its values cannot be added.
    #[error(
        "ids {ids} all map to Ensembl gene {gene:?} ({merged} genes have several ids), and the \
         values {reason}; give the file as counts, TPM or FPKM, or with one column per gene"
    )]
    CannotSumGeneIds {
        /// The Ensembl gene (the first with several ids).
        gene: String,
        /// Its ids in the file, comma separated.
        ids: String,
        /// How many genes have several ids.
        merged: usize,
        /// Why the values do not add.
        reason: &'static str,
    },
    /// Too many of a model's genes are missing from the data.
    #[error("{missing} of {total} model genes are missing ({fraction:.1}% > allowed {allowed:.1}%); first missing: {examples}")]
    TooManyMissingGenes {
        /// Number of missing genes.
        missing: usize,
        /// Number of genes the model needs.
        total: usize,
        /// Missing fraction in percent.
        fraction: f64,
        /// Allowed fraction in percent.
        allowed: f64,
        /// The first few missing ids, comma separated.
        examples: String,
    },
    /// A sample lacks the study (or experiment) id a split or filter needs.
    #[error("sample {sample:?} has no {field}; {why}")]
    MissingMetadata {
        /// The sample id.
        sample: String,
        /// The field (study, experiment).
        field: &'static str,
        /// Why it is needed.
        why: &'static str,
    },
    /// A chunk of a stream failed, or disagreed with the first chunk.
    #[error("stream chunk {chunk}: {reason}")]
    Stream {
        /// Index of the chunk (0-based).
        chunk: usize,
        /// What went wrong (the source error's message).
        reason: String,
    },
    /// Building a dataset failed (shape or id inconsistency).
    #[error(transparent)]
    Core(#[from] rnameta_core::Error),
    /// Reading or writing a pipeline as JSON failed.
    #[error("pipeline JSON: {0}")]
    Json(#[from] serde_json::Error),
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Gives the ids of the first `limit` items, comma separated, with "(+N more)" when cut.
pub(crate) fn list_some<'a>(items: impl IntoIterator<Item = &'a str>, limit: usize) -> String {
    let mut out = Vec::new();
    let mut extra = 0usize;
    for item in items {
        if out.len() < limit {
            out.push(item);
        } else {
            extra += 1;
        }
    }
    let mut s = out.join(", ");
    if extra > 0 {
        s.push_str(&format!(" (+{extra} more)"));
    }
    s
}
