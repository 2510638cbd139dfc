//! The error type of `rnameta-models`: bad training input, bad hyperparameters and unreadable bundles.

use std::path::PathBuf;

/// What went wrong while fitting, predicting, saving or loading a model.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A hyperparameter is outside its valid range; checked when the model is built (its `new`,
    /// [`crate::ModelSpec::build`], or linfa's `ParamGuard`).
    #[error("invalid hyperparameter {name}: {reason}")]
    InvalidParameter {
        /// The parameter's name as in the params struct.
        name: &'static str,
        /// Why the value is refused.
        reason: String,
    },
    /// The matrix, labels and metadata do not describe the same samples or genes.
    #[error("shape mismatch: {what} (expected {expected}, got {got})")]
    ShapeMismatch {
        /// What was compared.
        what: &'static str,
        /// Expected size.
        expected: usize,
        /// Given size.
        got: usize,
    },
    /// A value is NaN or infinite; trees and gradients cannot use it.
    #[error("non-finite value {value} at sample {sample}, gene {gene}")]
    NonFinite {
        /// Row of the value.
        sample: usize,
        /// Column of the value.
        gene: usize,
        /// The value.
        value: f32,
    },
    /// Training needs labelled samples of at least `needed` classes.
    #[error("not enough training data: {reason}")]
    NotEnoughData {
        /// What is missing.
        reason: String,
    },
    /// `predict_proba` or `save` was called before `fit`.
    #[error("the model has not been fitted")]
    NotFitted,
    /// A label name is not among the labels a model or report knows.
    #[error("unknown label {name:?}; known labels: {known}")]
    UnknownLabel {
        /// The label asked for.
        name: String,
        /// Known labels, comma separated.
        known: String,
    },
    /// Reading or writing a bundle file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// Writing a bundle's files through rnameta-io's atomic writer failed (io's error names the
    /// file).
    #[error("saving the bundle in {}: {source}", dir.display())]
    Save {
        /// The bundle directory.
        dir: PathBuf,
        /// io's error, with the file written.
        source: Box<rnameta_io::Error>,
    },
    /// A bundle's manifest is not valid JSON for this format.
    #[error("{}: invalid manifest: {source}; the bundle is damaged or was edited: retrain the model or copy the bundle again", path.display())]
    Manifest {
        /// The manifest file.
        path: PathBuf,
        /// The JSON error.
        source: serde_json::Error,
    },
    /// A bundle was written by an incompatible format version (version 1 bundles predate the
    /// checksums of [`crate::bundle::Manifest::files`]).
    #[error("{}: bundle format version {found}, this build reads version {supported}; retrain the model with this build (or use the rnameta that wrote it)", path.display())]
    FormatVersion {
        /// The manifest file.
        path: PathBuf,
        /// Version in the file.
        found: u32,
        /// Version this build reads.
        supported: u32,
    },
    /// A bundle holds a different kind of model than the one asked for.
    #[error("{}: bundle holds a {found} model, expected {expected}", path.display())]
    WrongModelKind {
        /// The manifest file.
        path: PathBuf,
        /// Kind in the manifest.
        found: String,
        /// Kind asked for.
        expected: String,
    },
    /// The parameter file of a bundle is missing a tensor, or one has the wrong type or shape.
    #[error("{}: {reason}", path.display())]
    Tensors {
        /// The parameter file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// linfa refused a dataset (a model fitted through linfa's `Fit`, see [`crate::linfa_fit`]).
    #[error("linfa: {0}")]
    Linfa(#[from] linfa::Error),
    /// Preprocessing (pipeline, gene statistics, harmonisation) failed.
    #[error("preprocessing: {0}")]
    Preprocess(Box<rnameta_preprocess::Error>),
    /// `builtin:NAME` names no model shipped with rnameta.
    #[error("there is no built-in model {name:?}; built in: {known}")]
    UnknownBuiltin {
        /// The name asked for.
        name: String,
        /// The built-in models, comma-separated.
        known: String,
    },
    /// The values given to a unit-free model have no within-sample order to read (centred,
    /// all zero or empty); `reason` says what was seen and what to give instead.
    #[error("the input {reason}{negatives}")]
    UnreadableUnits {
        /// What the values looked like and what to give instead.
        reason: &'static str,
        /// Where the negative values are, when there are some (`" (N negative of M values;
        /// first: ...)"`), else empty.
        negatives: String,
    },
    /// Data given to a trained model lacks too many of the genes the model needs.
    #[error("{missing} of the {total} {what} are missing from the data (more than the {allowed_percent:.0}% allowed); first missing: {examples}")]
    TooManyMissingGenes {
        /// Which gene set (the classifier's or the preprocessing's).
        what: &'static str,
        /// Missing genes.
        missing: usize,
        /// Genes in the set.
        total: usize,
        /// Allowed missing share in percent.
        allowed_percent: f64,
        /// A few missing ids.
        examples: String,
    },
    /// A bundle file's SHA-256 differs from the one the bundle's other file records: the file was
    /// damaged (a bad copy, a disk error) or edited after the model was saved. For the manifest,
    /// the checksum is that of its content without its own record of checksums
    /// ([`crate::bundle::manifest_seal`]).
    #[error("{}: SHA-256 checksum {found} is not the {expected} recorded in {recorded_in}: the bundle is damaged or was edited; retrain the model or copy the bundle again", path.display())]
    ChecksumMismatch {
        /// The damaged file.
        path: PathBuf,
        /// The bundle file that records its checksum.
        recorded_in: &'static str,
        /// Checksum recorded (lowercase hex).
        expected: String,
        /// Checksum of the file as read (lowercase hex).
        found: String,
    },
    /// A manifest value is outside its valid range, or disagrees with the rest of the manifest
    /// (a gene list of the wrong length, say): the manifest was damaged or edited.
    #[error("{}: {field} {reason}; the bundle is damaged or was edited: retrain the model or copy the bundle again", path.display())]
    InvalidManifest {
        /// The manifest file.
        path: PathBuf,
        /// The field, as a path into the manifest's JSON (`preprocessing.max_missing_fraction`).
        field: String,
        /// What is wrong with its value, with the valid range.
        reason: String,
    },
    /// The tensors and the manifest disagree, or the trees are malformed (a child index out of range).
    #[error("{}: corrupt model: {reason}", path.display())]
    Corrupt {
        /// The bundle file.
        path: PathBuf,
        /// What is inconsistent.
        reason: String,
    },
}

impl From<rnameta_preprocess::Error> for Error {
    fn from(e: rnameta_preprocess::Error) -> Self {
        Self::Preprocess(Box::new(e))
    }
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
