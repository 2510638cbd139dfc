//! Where each metadata field lives in the ARCHS4 releases: the names differ between versions, so
//! the reader probes a list of candidates per field and reports which one it found.

use std::path::Path;

use rust_hdf5::H5File;

use super::container::has_dataset;
use crate::error::Result;

/// The counts matrix, genes x samples, in every release.
pub const EXPRESSION: &str = "data/expression";

/// A metadata field the reader looks for, and the dataset names it may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpec {
    /// What the field means to rnameta (`gene_symbol`, `geo_accession`, ...).
    pub role: &'static str,
    /// Dataset paths tried in order: v2 names first, then older spellings, then v1's flat names.
    pub candidates: &'static [&'static str],
    /// True when the field has one entry per gene (else one per sample, or one for the file).
    pub per_gene: bool,
}

/// Gene symbols: v2 `meta/genes/symbol`, v2.2 `gene_symbol`, some `genes`, v1 a flat `meta/genes`.
pub const GENE_SYMBOL: FieldSpec = FieldSpec {
    role: "gene_symbol",
    candidates: &[
        "meta/genes/symbol",
        "meta/genes/gene_symbol",
        "meta/genes/genes",
        "meta/genes",
    ],
    per_gene: true,
};

/// Ensembl gene ids.
pub const GENE_ENSEMBL: FieldSpec = FieldSpec {
    role: "ensembl_gene",
    candidates: &["meta/genes/ensembl_gene", "meta/genes/ensembl_gene_id"],
    per_gene: true,
};

/// Gene biotypes.
pub const GENE_BIOTYPE: FieldSpec = FieldSpec {
    role: "gene_biotype",
    candidates: &["meta/genes/biotype", "meta/genes/gene_biotype"],
    per_gene: true,
};

/// A per-sample field: `meta/samples/<name>` (v2) or `meta/Sample_<name>` (v1).
macro_rules! sample_field {
    ($name:literal) => {
        FieldSpec {
            role: $name,
            candidates: &[
                concat!("meta/samples/", $name),
                concat!("meta/Sample_", $name),
            ],
            per_gene: false,
        }
    };
}

/// GEO sample accessions (GSM): the sample ids. Required.
pub const GEO_ACCESSION: FieldSpec = sample_field!("geo_accession");
/// GEO series (GSE): the study.
pub const SERIES_ID: FieldSpec = sample_field!("series_id");
/// Sample titles.
pub const TITLE: FieldSpec = sample_field!("title");
/// Free-text sample source (`lymphoblastoid cell line`, `liver`).
pub const SOURCE_NAME: FieldSpec = sample_field!("source_name_ch1");
/// The joined `key: value` characteristics.
pub const CHARACTERISTICS: FieldSpec = sample_field!("characteristics_ch1");
/// Library strategy (`RNA-Seq`).
pub const LIBRARY_STRATEGY: FieldSpec = sample_field!("library_strategy");
/// ARCHS4's predicted probability that the sample is single-cell.
pub const SINGLE_CELL_PROBABILITY: FieldSpec = sample_field!("singlecellprobability");
/// Reads aligned to the genes.
pub const READS_ALIGNED: FieldSpec = sample_field!("readsaligned");

/// The ARCHS4 release string.
pub const VERSION: FieldSpec = FieldSpec {
    role: "version",
    candidates: &["meta/info/version", "meta/version", "info/version"],
    per_gene: false,
};

/// The date the file was built.
pub const CREATION_DATE: FieldSpec = FieldSpec {
    role: "creation_date",
    candidates: &["meta/info/creation-date", "meta/info/creation_date"],
    per_gene: false,
};

/// Per-sample fields kept in each sample's `attributes` under their role name, besides being
/// interpreted (title, source name, ...).
pub const SAMPLE_TEXT_FIELDS: [FieldSpec; 5] = [
    TITLE,
    SOURCE_NAME,
    LIBRARY_STRATEGY,
    SINGLE_CELL_PROBABILITY,
    READS_ALIGNED,
];

/// Every field probed, in the order [`Archs4Reader::fields_found`](super::Archs4Reader::fields_found)
/// reports them.
pub const ALL: [FieldSpec; 13] = [
    GENE_SYMBOL,
    GENE_ENSEMBL,
    GENE_BIOTYPE,
    GEO_ACCESSION,
    SERIES_ID,
    TITLE,
    SOURCE_NAME,
    CHARACTERISTICS,
    LIBRARY_STRATEGY,
    SINGLE_CELL_PROBABILITY,
    READS_ALIGNED,
    VERSION,
    CREATION_DATE,
];

/// The outcome of probing one field: which candidate was found, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProbe {
    /// The field's role (see [`FieldSpec::role`]).
    pub role: &'static str,
    /// The dataset found (`/meta/genes/symbol`), or `None` when no candidate exists.
    pub found: Option<String>,
    /// Every dataset name tried, in order.
    pub candidates: &'static [&'static str],
}

/// Probes every field of [`ALL`] in an open file.
pub(crate) fn probe_all(file: &H5File, path: &Path) -> Result<Vec<FieldProbe>> {
    ALL.iter().map(|spec| probe(file, path, spec)).collect()
}

/// The first candidate of `spec` that is a dataset of the file.
fn probe(file: &H5File, path: &Path, spec: &FieldSpec) -> Result<FieldProbe> {
    let mut found = None;
    for candidate in spec.candidates {
        if has_dataset(file, path, candidate)? {
            found = Some(super::container::absolute(candidate));
            break;
        }
    }
    Ok(FieldProbe {
        role: spec.role,
        found,
        candidates: spec.candidates,
    })
}

/// The dataset found for a role, if any.
pub(crate) fn found<'a>(probes: &'a [FieldProbe], spec: &FieldSpec) -> Option<&'a str> {
    probes
        .iter()
        .find(|p| p.role == spec.role)
        .and_then(|p| p.found.as_deref())
}
