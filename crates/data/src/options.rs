//! What a load applies beyond the inputs' own companions.

use std::path::PathBuf;

/// Label and annotation files applied to every expression file after its own companions (the
/// command line's `--labels` and `--gene-annotation`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadOptions {
    /// A sample label table (sample id and tissue / sex / sample source / study columns), or a
    /// MetaSRA JSON release (SRA samples labelled by their mapped terms).
    pub labels: Option<PathBuf>,
    /// A GTF or gene annotation table (chromosomes, biotypes, lengths).
    pub gene_annotation: Option<PathBuf>,
}
