//! recount3: gene sums and sample metadata tables, read and written in the project's own layout.
//!
//! A recount3 project directory holds, for a data source (`sra`, `gtex`, `tcga`) and a project
//! (`SRP107565`, `BLADDER`, `ACC`):
//! - `<source>.gene_sums.<project>.G026.gz` (`M023` for mouse): base-pair coverage summed per gene,
//!   read by [`read_gene_sums`] and turned into read counts by [`GeneSums::read_counts`] or
//!   [`GeneSums::transform_counts`];
//! - `<source>.<table>.<project>.MD.gz` for the tables of [`Recount3Table`]: one row per sample,
//!   keyed by `rail_id` / `external_id` / `study`, read by [`read_metadata_table`]; the sample
//!   metadata rnameta needs is taken from them by [`sample_meta`];
//! - above the projects, each home's project table
//!   (`data_sources/<source>/metadata/<source>.recount_project.MD.gz`, one row per sample of every
//!   project), read by [`ProjectTable`], and the organism's `homes_index` ([`read_homes_index`]).
//!
//! A project's files lie in `<kind>/<xx>/<project>/` below its home, `<xx>` being the project's
//! last two characters ([`shard`], [`project_file`]).
//!
//! The layouts follow the upstream R/Bioconductor package (LieberInstitute/recount3:
//! `read_counts()`, `read_metadata()`, `transform_counts()`, `compute_scale_factors()`,
//! `create_rse_manual()`, `expand_sra_attributes()`); each item cites what it follows.

mod attributes;
mod gene_sums;
mod metadata;
mod projects;
mod table;

use std::fmt;
use std::path::{Path, PathBuf};

use rnameta_core::DataSource;

pub use attributes::{find_attribute, format_sample_attributes, parse_sample_attributes};
pub(crate) use gene_sums::gene_info;
pub use gene_sums::{
    read_gene_sums, write_gene_sums, GeneSums, GeneSumsHeader, AUC, AVERAGE_MAPPED_LENGTH,
    DEFAULT_TARGET_SIZE,
};
pub use metadata::{
    apply_sample_meta, sample_meta, table_from_samples, GTEX_SMTSD, RAIL_ID, SRA_RECORD_COLUMNS,
};
pub use projects::{
    organism_name, project_table_path, read_homes_index, write_homes_index, write_project_table,
    Project, ProjectRun, ProjectTable, HOMES_INDEX, PROJECT_TABLE_COLUMNS,
};
pub use table::{parse_f64_cell, MetadataTable, TABLE_PREFIXES};

use crate::error::Result;

/// The key columns of every recount3 metadata table (upstream `read_metadata()` merges on them).
pub const KEY_COLUMNS: [&str; 3] = ["rail_id", "external_id", "study"];

/// The metadata tables of a recount3 project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Recount3Table {
    /// SRA run, experiment and sample records, with `sample_attributes`.
    Sra,
    /// GTEx sample attributes and subject phenotypes (`smts`, `sex`, ...).
    Gtex,
    /// TCGA clinical data from the GDC (`gdc_cases.project.primary_site`, ...).
    Tcga,
    /// Where each sample's files come from (`project`, `organism`, `file_source`, ...).
    RecountProject,
    /// Alignment and coverage QC (`star.average_mapped_length`, `bc_auc.all_reads_all_bases`, ...).
    RecountQc,
    /// Predicted sample type (`pred.type`, ...).
    RecountPred,
}

impl Recount3Table {
    /// Every table.
    pub const ALL: [Self; 6] = [
        Self::Sra,
        Self::Gtex,
        Self::Tcga,
        Self::RecountProject,
        Self::RecountQc,
        Self::RecountPred,
    ];

    /// The table's name in file names and column prefixes.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sra => "sra",
            Self::Gtex => "gtex",
            Self::Tcga => "tcga",
            Self::RecountProject => "recount_project",
            Self::RecountQc => "recount_qc",
            Self::RecountPred => "recount_pred",
        }
    }

    /// The table of a name (`recount_qc` -> [`Recount3Table::RecountQc`]).
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == name)
    }

    /// The file name of this table for a source and project: `sra.recount_qc.SRP107565.MD.gz`.
    pub fn file_name(self, source: DataSource, project: &str) -> String {
        format!("{}.{}.{project}.MD.gz", source.as_str(), self.as_str())
    }
}

impl fmt::Display for Recount3Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a recount3 file name says: `<source>.<kind>.<project>.<suffix>.gz`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileName {
    /// The data source (`sra`, `gtex`, `tcga`).
    pub data_source: DataSource,
    /// `gene_sums` or a table name.
    pub kind: String,
    /// The project (`SRP107565`, `BLADDER`).
    pub project: String,
    /// `G026` / `M023` (annotation) for gene sums, `MD` for metadata.
    pub suffix: String,
}

impl FileName {
    /// Parses a recount3 file name; `None` when it does not follow the pattern. Upstream's
    /// downloads may carry a cache prefix (`9f51506ef1f_sra.recount_project.DRP002835.MD.gz`),
    /// which is ignored.
    ///
    /// ```
    /// use rnameta_core::DataSource;
    /// use rnameta_io::recount3::FileName;
    /// let name = FileName::parse("sra.gene_sums.SRP107565.G026.gz").unwrap();
    /// assert_eq!((name.data_source, name.kind.as_str()), (DataSource::Sra, "gene_sums"));
    /// assert_eq!((name.project.as_str(), name.suffix.as_str()), ("SRP107565", "G026"));
    /// ```
    pub fn parse(name: &str) -> Option<Self> {
        let stem = name.strip_suffix(".gz").unwrap_or(name);
        let mut parts = stem.split('.');
        let source_part = parts.next()?;
        let source_name = source_part.rsplit('_').next().unwrap_or(source_part);
        let data_source = match source_name {
            "sra" => DataSource::Sra,
            "gtex" => DataSource::Gtex,
            "tcga" => DataSource::Tcga,
            _ => return None,
        };
        let kind = parts.next()?.to_owned();
        let project = parts.next()?.to_owned();
        let suffix = parts.next()?.to_owned();
        if parts.next().is_some() || project.is_empty() || suffix.is_empty() {
            return None;
        }
        Some(Self {
            data_source,
            kind,
            project,
            suffix,
        })
    }

    /// The gene sums file name of a project: `sra.gene_sums.SRP107565.G026.gz`.
    pub fn gene_sums(source: DataSource, project: &str, annotation: &str) -> String {
        format!("{}.gene_sums.{project}.{annotation}.gz", source.as_str())
    }
}

/// The shard folder of a project: its last two characters (`SRP107565` -> `65`), as upstream
/// `locate_url()` builds it (`substr(project, nchar(project) - 1, nchar(project))`).
pub fn shard(project: &str) -> &str {
    let start = project.char_indices().rev().nth(1).map_or(0, |(at, _)| at);
    &project[start..]
}

/// A file of a project relative to the organism's folder (`human/`), as `locate_url()` lays it
/// out: `data_sources/<source>/<kind>/<xx>/<project>/<file name>`, `<kind>` being `metadata` or
/// `gene_sums`.
///
/// ```
/// use std::path::Path;
/// use rnameta_core::DataSource;
/// use rnameta_io::recount3::{project_file, Recount3Table};
/// let file = Recount3Table::Sra.file_name(DataSource::Sra, "SRP107565");
/// assert_eq!(
///     project_file(DataSource::Sra, "metadata", "SRP107565", &file),
///     Path::new("data_sources/sra/metadata/65/SRP107565/sra.sra.SRP107565.MD.gz")
/// );
/// ```
pub fn project_file(source: DataSource, kind: &str, project: &str, file_name: &str) -> PathBuf {
    Path::new("data_sources")
        .join(source.as_str())
        .join(kind)
        .join(shard(project))
        .join(project)
        .join(file_name)
}

/// Reads a recount3 metadata table, keyed by `rail_id` (or, in tables without it, `external_id`
/// or the older `run_acc`). Duplicate keys, ragged rows and a missing header are errors naming the
/// file and the line.
pub fn read_metadata_table(path: &Path) -> Result<MetadataTable> {
    MetadataTable::read(path, &["rail_id", "external_id", "run_acc"])
}

/// Writes a recount3 metadata table (gzip when the path ends in `.gz`), atomically.
pub fn write_metadata_table(path: &Path, table: &MetadataTable) -> Result<()> {
    table.write(path)
}
