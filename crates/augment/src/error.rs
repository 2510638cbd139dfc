//! The error type of `rnameta-augment`: bad input, bad hyperparameters and unreadable saved
//! generators. Every refusal names what was wrong, so a caller never has to guess (nothing here
//! panics on user data).

use std::path::PathBuf;

/// What went wrong while fitting, generating, measuring, saving or loading.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The data has another number of genes than the fitted (or saved) model.
    #[error("gene count mismatch: the model was fitted on {expected} genes, the data has {got}")]
    GeneCountMismatch {
        /// Genes the model knows.
        expected: usize,
        /// Genes in the data.
        got: usize,
    },
    /// A refusal augment shares with the models, in their words: a hyperparameter out of range
    /// (`InvalidParameter`), inputs that do not describe the same samples (`ShapeMismatch`),
    /// `generate` or `save` before `fit` (`NotFitted`), and any failure of a classifier of the
    /// two-sample test. One error vocabulary for both crates: augment has no copies of these.
    #[error(transparent)]
    Model(Box<rnameta_models::Error>),
    /// A value is NaN or infinite; no generator or distance can use it.
    #[error("non-finite value {value} in {what} at sample {sample}, gene {gene}")]
    NonFinite {
        /// Which input matrix.
        what: &'static str,
        /// Row of the value.
        sample: usize,
        /// Column of the value.
        gene: usize,
        /// The value.
        value: f32,
    },
    /// An input that must hold at least one sample or gene holds none.
    #[error("{what} is empty")]
    Empty {
        /// Which input.
        what: &'static str,
    },
    /// A class index is not below the number of classes.
    #[error("unknown class {class}: there are {n_classes} classes (0..{n_classes})")]
    UnknownClass {
        /// The class asked for.
        class: usize,
        /// Number of classes the model or labels know.
        n_classes: usize,
    },
    /// A study index is not below the number of studies the GAN was conditioned on.
    #[error("unknown study {study}: the generator knows {n_studies} studies")]
    UnknownStudy {
        /// The study asked for.
        study: usize,
        /// Number of studies the generator was conditioned on.
        n_studies: usize,
    },
    /// A class has too few samples for what was asked.
    #[error("class {class} has {have} sample(s); {what} needs at least {need}")]
    TooFewSamples {
        /// The class.
        class: usize,
        /// Samples of the class in the data.
        have: usize,
        /// Samples needed.
        need: usize,
        /// What needs them (a method or a measure).
        what: &'static str,
    },
    /// Reading or writing a saved generator failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// Writing a saved generator's files through io's atomic writer failed (io's error names
    /// the file).
    #[error("saving the generator in {}: {source}", dir.display())]
    Save {
        /// The saved-generator directory.
        dir: PathBuf,
        /// io's error, with the file written.
        source: Box<rnameta_io::Error>,
    },
    /// A saved generator's manifest is not valid JSON for this format.
    #[error("{}: invalid manifest: {source}", path.display())]
    Manifest {
        /// The manifest file.
        path: PathBuf,
        /// The JSON error.
        source: serde_json::Error,
    },
    /// A saved generator was written by an incompatible format version.
    #[error("{}: saved generator format version {found}, this build reads version {supported}", path.display())]
    FormatVersion {
        /// The manifest file.
        path: PathBuf,
        /// Version in the file.
        found: u32,
        /// Version this build reads.
        supported: u32,
    },
    /// The tensor file of a saved generator is missing a tensor, or one has the wrong type or
    /// shape for its manifest.
    #[error("{}: {reason}", path.display())]
    Tensors {
        /// The tensor file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

impl From<rnameta_models::Error> for Error {
    fn from(e: rnameta_models::Error) -> Self {
        Self::Model(Box::new(e))
    }
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
