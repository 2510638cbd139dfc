//! The error type of `rnameta-core`: inconsistencies between a matrix and its annotations.

/// What went wrong when building or combining core types.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The matrix shape does not match the number of genes or samples annotated.
    #[error("matrix is {rows} x {cols} (samples x genes) but {samples} samples and {genes} genes are annotated")]
    ShapeMismatch {
        /// Rows of the matrix.
        rows: usize,
        /// Columns of the matrix.
        cols: usize,
        /// Number of sample annotations.
        samples: usize,
        /// Number of gene annotations.
        genes: usize,
    },
    /// Two genes share one id; a model could not tell their columns apart.
    #[error("duplicate gene id {id:?} (columns {first} and {second})")]
    DuplicateGene {
        /// The repeated id.
        id: String,
        /// Column of its first occurrence.
        first: usize,
        /// Column of its second occurrence.
        second: usize,
    },
    /// Two samples share one id; predictions could not be attributed.
    #[error("duplicate sample id {id:?} (rows {first} and {second})")]
    DuplicateSample {
        /// The repeated id.
        id: String,
        /// Row of its first occurrence.
        first: usize,
        /// Row of its second occurrence.
        second: usize,
    },
    /// Datasets to be combined do not have the same genes in the same order.
    #[error("cannot combine datasets: part {part} has gene {got:?} at column {column} where the first part has {expected:?}")]
    GenesDiffer {
        /// Index of the offending part.
        part: usize,
        /// Column where they differ.
        column: usize,
        /// Gene id in the first part (empty when the first part has fewer genes).
        expected: String,
        /// Gene id in the offending part (empty when it has fewer genes).
        got: String,
    },
    /// A class name was not among the known classes.
    #[error("unknown class {name:?}; known classes: {known}")]
    UnknownClass {
        /// The class asked for.
        name: String,
        /// The known classes, comma separated.
        known: String,
    },
    /// A class that must be learnt has no labelled sample.
    #[error("class {name:?} has no labelled sample to keep")]
    EmptyClass {
        /// The class.
        name: String,
    },
    /// A value could not be interpreted (for example a sex written as "unknown-ish").
    #[error("cannot interpret {value:?} as {what}")]
    Unparsable {
        /// The text that was given.
        value: String,
        /// What it should have been.
        what: &'static str,
    },
    /// Rows to keep in place were not ascending or ran past the end.
    #[error("rows to keep must be ascending and below {rows}: row {row} after {previous:?}")]
    RowsToKeep {
        /// Rows of the dataset.
        rows: usize,
        /// The offending row.
        row: usize,
        /// The row before it, if any.
        previous: Option<usize>,
    },
    /// A row to select lies past the last sample.
    #[error("row {row} selected, but there are only {rows} samples")]
    RowPastEnd {
        /// Samples there are.
        rows: usize,
        /// The offending row.
        row: usize,
    },
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
