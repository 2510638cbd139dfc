//! The one error type of the simulator: bad configuration, or a failure to read or write a file.

use std::path::PathBuf;

/// What can go wrong while simulating a cohort.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A configuration value is out of range or inconsistent; `field` names it as in the JSON file.
    #[error("invalid simulation config: {field}: {reason}")]
    Config {
        /// The offending field, dotted as in the JSON file (`sra.studies`).
        field: String,
        /// Why it is refused.
        reason: String,
    },
    /// A config file could not be read or parsed.
    #[error("cannot read simulation config {path}: {reason}")]
    ConfigFile {
        /// The file.
        path: PathBuf,
        /// The I/O or JSON error, with line and column for JSON.
        reason: String,
    },
    /// The gene annotation lacks genes the simulator needs (marker or sex genes).
    #[error("gene universe: {0}")]
    Universe(String),
    /// Reading or writing a file failed (the error names the file and the line or sample).
    #[error(transparent)]
    Io(#[from] rnameta_io::Error),
    /// A dataset could not be assembled (shapes or duplicate ids).
    #[error("building a simulated dataset: {0}")]
    Core(#[from] rnameta_core::Error),
    /// A table could not be built from simulated samples.
    #[error("building the {table} table: {reason}")]
    Table {
        /// Which table (`recount_qc`, `SubjectPhenotypesDS`).
        table: String,
        /// The reason given by `rnameta-io`.
        reason: String,
    },
    /// Creating an output directory failed.
    #[error("cannot create directory {path}: {source}")]
    CreateDir {
        /// The directory.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// Result with the simulator's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A configuration error on `field`.
    pub(crate) fn config(field: &str, reason: impl Into<String>) -> Self {
        Self::Config {
            field: field.to_owned(),
            reason: reason.into(),
        }
    }

    /// A table-building error.
    pub(crate) fn table(table: &str, reason: impl std::fmt::Display) -> Self {
        Self::Table {
            table: table.to_owned(),
            reason: reason.to_string(),
        }
    }
}
