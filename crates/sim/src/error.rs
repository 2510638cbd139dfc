//! The one error type of the simulator: bad configuration, a cohort too large for this machine,
//! an output folder it must not touch, or a failure to read or write a file.

use std::path::{Path, PathBuf};

/// What can go wrong while simulating a cohort.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A configuration value is outside its allowed range (`docs/simulation.md`, "Limits");
    /// `field` names it as in the JSON file, `file` is the config file when one was read.
    #[error("invalid simulation config{}: {field} = {value}; allowed: {allowed}", in_file(.file.as_deref()))]
    Config {
        /// The config file, when the config came from one.
        file: Option<PathBuf>,
        /// The offending field, dotted as in the JSON file (`sra.studies`).
        field: String,
        /// The value given.
        value: String,
        /// What the field accepts, and why when the limit is not obvious.
        allowed: String,
    },
    /// Every source of the config is empty: the cohort would hold no sample.
    #[error("nothing to simulate{}: every source has 0 samples (gtex.samples, tcga.samples, sra.studies and archs4.samples are all 0); set at least one of them above 0", .file.as_deref().map(|f| format!(" in {}", f.display())).unwrap_or_default())]
    NothingToSimulate {
        /// The config file, when the config came from one.
        file: Option<PathBuf>,
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
    /// The estimated peak memory or output size of the cohort exceeds what this machine has
    /// (estimated before any work, see [`crate::footprint`]).
    #[error("the simulation needs about {} of {resource} but only {} is available{}; lower archs4.samples, sra.studies, tcga.samples, gtex.samples or universe.n_genes (the estimate is explained in docs/simulation.md)", rnameta_core::human_bytes(*.needed, 1), rnameta_core::human_bytes(*.available, 1), .place.as_deref().map(|p| format!(" in {}", p.display())).unwrap_or_default())]
    TooLarge {
        /// `memory` or `disk space`.
        resource: &'static str,
        /// Bytes the estimate needs.
        needed: u64,
        /// Bytes available.
        available: u64,
        /// The folder whose file system was measured (disk space only).
        place: Option<PathBuf>,
    },
    /// The output folder holds something other than an earlier cohort: it is left alone.
    #[error("output folder {path} already holds {entry:?} and is not an earlier cohort of rnameta simulate; choose a new output folder or empty this one")]
    OutputNotEmpty {
        /// The output folder.
        path: PathBuf,
        /// The first foreign entry found.
        entry: String,
    },
    /// The output path exists and is not a folder.
    #[error("output {path} exists and is not a folder; choose another output folder")]
    OutputNotFolder {
        /// The output path.
        path: PathBuf,
    },
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
    /// Creating, renaming or removing an output folder failed.
    #[error("cannot {action} {path}: {source}")]
    Folder {
        /// What was being done (`create directory`, `move the finished cohort to`).
        action: &'static str,
        /// The folder.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// ` FILE` when a config file is known, else nothing (for the messages above).
fn in_file(file: Option<&Path>) -> String {
    file.map(|f| format!(" {}", f.display()))
        .unwrap_or_default()
}

/// Result with the simulator's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A configuration error: `field` has `value`, outside `allowed`.
    pub(crate) fn config(
        field: &str,
        value: impl std::fmt::Display,
        allowed: impl Into<String>,
    ) -> Self {
        Self::Config {
            file: None,
            field: field.to_owned(),
            value: value.to_string(),
            allowed: allowed.into(),
        }
    }

    /// The same error, naming the config file it came from (config errors only; others are
    /// returned as they are). For callers that check a file's config against more than
    /// [`crate::SimConfig::validate`] sees, such as the gene table.
    pub fn in_config_file(self, path: &Path) -> Self {
        match self {
            Self::Config {
                field,
                value,
                allowed,
                ..
            } => Self::Config {
                file: Some(path.to_path_buf()),
                field,
                value,
                allowed,
            },
            Self::NothingToSimulate { .. } => Self::NothingToSimulate {
                file: Some(path.to_path_buf()),
            },
            other => other,
        }
    }

    /// A failed folder operation.
    pub(crate) fn folder(action: &'static str, path: &Path, source: std::io::Error) -> Self {
        Self::Folder {
            action,
            path: path.to_path_buf(),
            source,
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
