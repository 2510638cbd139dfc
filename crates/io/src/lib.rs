//! Readers and writers of the RNA-seq formats rnameta uses. No machine learning happens here.
//!
//! Every reader returns a [`rnameta_core::Dataset`] (samples x genes, `f32`) or a table of
//! metadata, and reports bad input as an [`Error`] naming the file and the line or sample.
//! Writers write atomically (a temporary file renamed into place) and round-trip with their readers.
//!
//! One module per format, in the spirit of noodles:
//! - [`tsv`]: plain TSV/CSV matrices in either orientation, and label tables;
//! - [`gct`]: GTEx GCT matrices; [`gtex`]: GTEx sample attributes and subject phenotypes;
//! - [`recount3`]: gene sums, metadata tables, the project table and the gene GTF; [`recount2`]:
//!   gene count tables;
//! - [`archs4`]: the ARCHS4 HDF5 compendium, read by sample subsets or streamed in chunks;
//! - [`gtf`]: GENCODE / Ensembl GTF gene annotation; [`annotation`]: gene annotation tables;
//! - [`metasra`]: MetaSRA JSON sample annotations, and their roll-up to tissue labels;
//! - [`obo`]: OBO ontologies (UBERON's `uberon-basic.obo`), for that roll-up;
//! - [`gene_ids`]: the shipped gene id table (Entrez, RefSeq, symbols -> Ensembl);
//! - [`parquet`]: processed matrices and prediction tables;
//! - [`plan`]: the files of `rnameta plan` (projects, sample manifest, label counts);
//! - [`detect`]: which of these a file is, for `rnameta inspect`.

pub mod annotation;
pub mod archs4;
pub mod detect;
pub mod error;
pub mod gct;
pub mod gene_ids;
pub mod gtex;
pub mod gtf;
pub mod metasra;
pub mod numeric;
pub mod obo;
pub mod parquet;
pub mod plan;
pub mod recount2;
pub mod recount3;
pub mod source;
pub mod tsv;
pub mod write;

pub use error::{Error, ErrorKind, Location, Result};
