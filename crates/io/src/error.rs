//! The error type of `rnameta-io`: what went wrong, in which file, and where in it.
//!
//! Every reader reports bad input as an [`Error`] naming the file and the line, sample, gene or
//! dataset concerned, so that a user can open the file and find the problem.

use std::fmt;
use std::path::{Path, PathBuf};

/// Where in a file a problem was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// The file as a whole.
    File,
    /// A 1-based line of a text file.
    Line(u64),
    /// A sample (column of a genes x samples file, or a row of a metadata table).
    Sample(String),
    /// A gene.
    Gene(String),
    /// An object inside a container file (an HDF5 dataset path, a JSON pointer, a Parquet column).
    Object(String),
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::File => Ok(()),
            Self::Line(n) => write!(f, ":{n}"),
            Self::Sample(s) => write!(f, " (sample {s})"),
            Self::Gene(g) => write!(f, " (gene {g})"),
            Self::Object(o) => write!(f, " ({o})"),
        }
    }
}

/// What was wrong.
#[derive(Debug, thiserror::Error)]
pub enum ErrorKind {
    /// The operating system refused (missing file, permissions, disk full).
    #[error("{0}")]
    Io(#[source] std::io::Error),
    /// A gzip stream ended early or is corrupt: the download was probably interrupted.
    #[error("gzip stream is truncated or corrupt ({0}); was the download interrupted?")]
    TruncatedGzip(String),
    /// The file holds no data at all.
    #[error("file is empty")]
    Empty,
    /// The first line is not the header the format requires.
    #[error("missing header: expected {expected}")]
    MissingHeader {
        /// What the header should look like.
        expected: String,
    },
    /// A header or a format line is present but wrong.
    #[error("bad header: {0}")]
    BadHeader(String),
    /// A row has a different number of fields from the header.
    #[error("ragged row: expected {expected} fields, found {found}")]
    Ragged {
        /// Fields in the header.
        expected: usize,
        /// Fields in this row.
        found: usize,
    },
    /// A value that should be a number is not.
    #[error("not a number: {value:?}")]
    NotNumeric {
        /// The offending text.
        value: String,
    },
    /// A count below zero.
    #[error("negative count {value}")]
    NegativeCount {
        /// The value.
        value: f64,
    },
    /// NaN or infinity where a finite value is required.
    #[error("non-finite value {value:?}")]
    NotFinite {
        /// The offending text.
        value: String,
    },
    /// A number too large for the 32-bit floats every matrix is held in.
    #[error(
        "value {value} is beyond the largest 32-bit float (3.4e38), in which rnameta holds \
         expression values; is the column a value at all? rescale it or remove it"
    )]
    BeyondF32 {
        /// The offending text.
        value: String,
    },
    /// A gene id occurs twice.
    #[error("duplicate gene id {id:?} (first seen {first})")]
    DuplicateGene {
        /// The repeated id.
        id: String,
        /// Where it was first seen.
        first: String,
    },
    /// A sample id occurs twice.
    #[error("duplicate sample id {id:?}")]
    DuplicateSample {
        /// The repeated id.
        id: String,
    },
    /// A required column, field or object is absent.
    #[error("missing {0}")]
    Missing(String),
    /// The content breaks the format's rules in another way (the message says how).
    #[error("{0}")]
    Malformed(String),
    /// Bytes that fail their own checksum: the file changed after it was written.
    #[error(
        "the file is damaged ({0}): its bytes changed after it was written; download or copy it \
         again"
    )]
    Damaged(String),
    /// The HDF5 library could not read or write the object.
    #[error("HDF5: {0}")]
    Hdf5(String),
    /// JSON that does not parse or does not have the expected shape.
    #[error("JSON: {0}")]
    Json(String),
    /// Parquet or Arrow could not read or write the data.
    #[error("Parquet: {0}")]
    Parquet(String),
    /// The format could not be recognised.
    #[error("unrecognised format: {0}")]
    UnknownFormat(String),
    /// The data read is inconsistent (shape, duplicate ids) as a dataset.
    #[error(transparent)]
    Dataset(#[from] rnameta_core::Error),
}

/// An error of a reader or writer: the file, where in it, and what.
#[derive(Debug)]
pub struct Error {
    /// The file concerned.
    pub path: PathBuf,
    /// Where in the file.
    pub location: Location,
    /// What was wrong.
    pub kind: ErrorKind,
}

impl Error {
    /// An error at a location of a file.
    pub fn new(path: impl Into<PathBuf>, location: Location, kind: ErrorKind) -> Self {
        Self {
            path: path.into(),
            location,
            kind,
        }
    }

    /// An error about a file as a whole.
    pub fn file(path: impl Into<PathBuf>, kind: ErrorKind) -> Self {
        Self::new(path, Location::File, kind)
    }

    /// An error at a 1-based line.
    pub fn line(path: impl Into<PathBuf>, line: u64, kind: ErrorKind) -> Self {
        Self::new(path, Location::Line(line), kind)
    }

    /// An operating-system error on a file, with a gzip failure told apart as truncation.
    pub fn io(path: impl Into<PathBuf>, location: Location, err: std::io::Error) -> Self {
        let kind = classify_io(err);
        Self::new(path, location, kind)
    }
}

/// flate2 reports a cut-off or corrupt gzip stream as `UnexpectedEof` or `InvalidInput`/`InvalidData`.
fn classify_io(err: std::io::Error) -> ErrorKind {
    use std::io::ErrorKind as K;
    match err.kind() {
        K::UnexpectedEof => ErrorKind::TruncatedGzip(err.to_string()),
        K::InvalidInput | K::InvalidData if looks_like_deflate_error(&err) => {
            ErrorKind::TruncatedGzip(err.to_string())
        }
        _ => ErrorKind::Io(err),
    }
}

fn looks_like_deflate_error(err: &std::io::Error) -> bool {
    let msg = err.to_string().to_ascii_lowercase();
    [
        "deflate",
        "gzip",
        "corrupt",
        "invalid gzip header",
        "checksum",
        "crc",
    ]
    .iter()
    .any(|w| msg.contains(w))
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}: {}", self.path.display(), self.location, self.kind)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        std::error::Error::source(&self.kind)
    }
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A path carried along while parsing one file, to build errors concisely.
#[derive(Debug, Clone)]
pub struct FileContext {
    path: PathBuf,
}

impl FileContext {
    /// Context for one file.
    pub fn new(path: impl AsRef<Path>) -> Self {
        Self {
            path: path.as_ref().to_path_buf(),
        }
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// An error at a line of this file.
    pub fn at_line(&self, line: u64, kind: ErrorKind) -> Error {
        Error::line(&self.path, line, kind)
    }

    /// An error about this file as a whole.
    pub fn whole(&self, kind: ErrorKind) -> Error {
        Error::file(&self.path, kind)
    }

    /// An error at a location of this file.
    pub fn at(&self, location: Location, kind: ErrorKind) -> Error {
        Error::new(&self.path, location, kind)
    }
}
