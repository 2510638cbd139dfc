//! What a load applies beyond the inputs' own companions.

use std::path::PathBuf;

/// Label and annotation files applied to every expression file after its own companions (the
/// command line's `--labels` and `--gene-annotation`), and which samples are kept.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadOptions {
    /// A sample label table (sample id and tissue / sex / sample source / study columns), or a
    /// MetaSRA JSON release (SRA samples labelled by their mapped terms).
    pub labels: Option<PathBuf>,
    /// A GTF or gene annotation table (chromosomes, biotypes, lengths).
    pub gene_annotation: Option<PathBuf>,
    /// Keep only the samples labelled for some task ([`SampleMeta::is_labelled`]), dropping the
    /// rest as each file is read, so that a load of many files (all of recount3's SRA, most of
    /// it unlabelled) holds the samples a model can train and be scored on, not every sample.
    ///
    /// [`SampleMeta::is_labelled`]: rnameta_core::SampleMeta::is_labelled
    pub labelled_only: bool,
}
