//! The error type of `rnameta-eval`: inputs that cannot be scored, tests that are undefined on the
//! given values, and files that could not be written.
//!
//! Every variant says which input (`what`), and where possible which sample, class or row, so that a
//! caller scoring many runs can tell which one was bad.

use std::path::PathBuf;

/// What went wrong while scoring, testing, tabulating or plotting.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// There is nothing to score or summarise (no sample, no seed, no group, no point).
    #[error("{what}: input is empty")]
    Empty {
        /// The input concerned, e.g. `"truth"` or `"values"`.
        what: String,
    },
    /// Two inputs that must describe the same samples (or columns) differ in length.
    #[error("{what}: expected {expected} entries, found {found}")]
    LengthMismatch {
        /// What was compared, e.g. `"predictions vs truth"`.
        what: String,
        /// The length required.
        expected: usize,
        /// The length given.
        found: usize,
    },
    /// A class index is not below the number of classes.
    #[error(
        "{what}: sample {sample} has class index {class}, but there are only {n_classes} classes"
    )]
    ClassOutOfRange {
        /// `"truth"` or `"prediction"`.
        what: String,
        /// Row (0-based) of the offending sample.
        sample: usize,
        /// The class index found.
        class: usize,
        /// Number of classes.
        n_classes: usize,
    },
    /// A probability is NaN, infinite, negative or above one.
    #[error("probability of sample {sample}, class {class} is {value}; expected a finite value in [0, 1]")]
    InvalidProbability {
        /// Row (0-based) of the sample.
        sample: usize,
        /// Column (0-based) of the class.
        class: usize,
        /// The value found.
        value: f32,
    },
    /// A value that must be finite (a score, a coordinate, an expression value) is NaN or infinite.
    #[error("{what}: value {index} is {value}; expected a finite number")]
    NonFinite {
        /// The input concerned.
        what: String,
        /// Position (0-based) of the value (row-major for matrices).
        index: usize,
        /// The value found.
        value: f64,
    },
    /// A parameter (cutoff, number of bins, plot size) is outside its valid range.
    #[error("invalid parameter {name}: {reason}")]
    InvalidParameter {
        /// The parameter's name.
        name: &'static str,
        /// Why the value is refused.
        reason: String,
    },
    /// A statistic needs more values than given (e.g. a variance needs two).
    #[error("{what}: {n} value(s), at least {needed} needed")]
    TooFewValues {
        /// The sample or group concerned.
        what: String,
        /// Values given.
        n: usize,
        /// Values needed.
        needed: usize,
    },
    /// The variance a test divides by is zero, so its statistic is undefined or infinite.
    #[error("{what}: variance is zero, the test statistic is undefined")]
    ZeroVariance {
        /// The test and the variance concerned.
        what: String,
    },
    /// A table row does not have one cell per column.
    #[error("table {title:?}: row {row} has {found} cells, the header has {expected} columns")]
    RaggedTable {
        /// The table's title.
        title: String,
        /// Row (0-based) of the offending row.
        row: usize,
        /// Number of columns.
        expected: usize,
        /// Cells in the row.
        found: usize,
    },
    /// Writing a file failed (the error names the file).
    #[error(transparent)]
    Write(#[from] rnameta_io::Error),
    /// The plotting library or the PNG encoder failed while drawing a figure.
    #[error("plot {}: {message}", path.display())]
    Plot {
        /// The file that was being drawn.
        path: PathBuf,
        /// What the library reported.
        message: String,
    },
}

impl Error {
    /// An [`Error::Empty`] for the input `what`.
    pub(crate) fn empty(what: impl Into<String>) -> Self {
        Self::Empty { what: what.into() }
    }

    /// An [`Error::LengthMismatch`].
    pub(crate) fn length(what: impl Into<String>, expected: usize, found: usize) -> Self {
        Self::LengthMismatch {
            what: what.into(),
            expected,
            found,
        }
    }

    /// An [`Error::InvalidParameter`].
    pub(crate) fn parameter(name: &'static str, reason: impl Into<String>) -> Self {
        Self::InvalidParameter {
            name,
            reason: reason.into(),
        }
    }
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Checks that every value of `values` is finite; the error names `what` and the position.
pub(crate) fn check_finite(what: &str, values: impl IntoIterator<Item = f64>) -> Result<()> {
    for (index, value) in values.into_iter().enumerate() {
        if !value.is_finite() {
            return Err(Error::NonFinite {
                what: what.to_string(),
                index,
                value,
            });
        }
    }
    Ok(())
}
