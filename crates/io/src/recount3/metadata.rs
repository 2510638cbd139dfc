//! From recount3 metadata tables to [`SampleMeta`] and back.
//!
//! Where each field comes from:
//! - every table: `external_id` (the sample id of the gene sums columns), `study`, `rail_id`
//!   (kept in `attributes` under [`RAIL_ID`]); older files name the first two `run_acc` and
//!   `study_acc`, which upstream `read_metadata()` also accepts;
//! - `sra`: run = `external_id`, experiment = `experiment_acc`, attributes = the parsed
//!   `sample_attributes` and the [`SRA_RECORD_COLUMNS`], and from the parsed
//!   `sample_attributes` tissue, sex and a cell line (sample source);
//! - `tcga`: tissue = `gdc_cases.project.primary_site`, sex = `gdc_cases.demographic.gender`;
//! - `gtex`: tissue = `smts` (detail `smtsd` in attributes under [`GTEX_SMTSD`]), sex = `sex`
//!   coded 1 male, 2 female.

use std::collections::{BTreeMap, HashMap};

use rnameta_core::{DataSource, SampleMeta, SampleSource, Sex};

use super::attributes::{find_attribute, format_sample_attributes, parse_sample_attributes};
use super::table::MetadataTable;
use super::Recount3Table;
use crate::error::{ErrorKind, Result};
use crate::gtex::{parse_sex_code, sex_code};

/// Attribute key under which a sample's recount3 `rail_id` is kept.
pub const RAIL_ID: &str = "recount3.rail_id";
/// Attribute key under which a GTEx sample's detailed tissue (`smtsd`) is kept.
pub const GTEX_SMTSD: &str = "gtex.smtsd";

/// `sample_attributes` keys that name a tissue, most specific first.
const TISSUE_KEYS: [&str; 6] = [
    "tissue",
    "tissue type",
    "organism part",
    "body site",
    "organ",
    "tissue source",
];
/// `sample_attributes` keys that name a sex.
const SEX_KEYS: [&str; 2] = ["sex", "gender"];
/// `sample_attributes` keys that name a cell line.
const CELL_LINE_KEYS: [&str; 3] = ["cell line", "cellline", "cell line name"];

/// Columns of recount3's `sra` table kept among a sample's attributes under their own names: the
/// SRA sample accession (`SRS...`, the key of MetaSRA), the study's title and abstract (from which
/// single-cell studies are told) and the library's strategy and source (small-RNA and single-cell
/// libraries). A table whose `sample_attributes` hold pairs of these names (the simulator writes
/// them there) gives the same attributes; a column, SRA's own record, wins over such a pair.
/// The columns are those of recount3's human `sra` tables (41, from `rail_id` to `run_center`).
pub const SRA_RECORD_COLUMNS: [&str; 5] = [
    "sample_acc",
    "study_title",
    "study_abstract",
    "library_strategy",
    "library_source",
];

/// TCGA columns (upstream names, without the `tcga.` prefix).
const TCGA_SITE: &str = "gdc_cases.project.primary_site";
const TCGA_GENDER: &str = "gdc_cases.demographic.gender";

/// The samples of a recount3 metadata table, with what `source`'s table says about each (see the
/// module documentation). Works on a single table or on upstream's merged table, whose columns
/// carry prefixes. Bad values (a GTEx sex code other than 1 or 2, unparsable `sample_attributes`)
/// are errors naming the file and the sample.
pub fn sample_meta(table: &MetadataTable, source: DataSource) -> Result<Vec<SampleMeta>> {
    let id_column = table
        .first_column(&["external_id", "run_acc"])
        .ok_or_else(|| table.error(ErrorKind::Missing("column \"external_id\"".into())))?;
    let study_column = table.first_column(&["study", "study_acc"]);
    let rail_column = table.column("rail_id");
    (0..table.n_rows())
        .map(|row| {
            let id = table.get(row, id_column).ok_or_else(|| {
                table.error_at_row(row, ErrorKind::Missing("external_id value".into()))
            })?;
            let mut meta = SampleMeta::new(id, source);
            meta.study = study_column
                .and_then(|c| table.get(row, c))
                .map(str::to_owned);
            if let Some(rail) = rail_column.and_then(|c| table.get(row, c)) {
                meta.attributes.insert(RAIL_ID.to_owned(), rail.to_owned());
            }
            match source {
                DataSource::Sra => fill_sra(table, row, &mut meta)?,
                DataSource::Tcga => fill_tcga(table, row, &mut meta),
                DataSource::Gtex => fill_gtex(table, row, &mut meta)?,
                DataSource::Archs4 | DataSource::Other => {}
            }
            Ok(meta)
        })
        .collect()
}

fn fill_sra(table: &MetadataTable, row: usize, meta: &mut SampleMeta) -> Result<()> {
    meta.run = Some(meta.sample_id.clone());
    meta.experiment = table.get_by_name(row, "experiment_acc").map(str::to_owned);
    if let Some(text) = table.get_by_name(row, "sample_attributes") {
        let attributes =
            parse_sample_attributes(text).map_err(|kind| table.error_at_row(row, kind))?;
        meta.tissue = find_attribute(&attributes, &TISSUE_KEYS).map(str::to_owned);
        meta.sex = find_attribute(&attributes, &SEX_KEYS).and_then(Sex::parse_loose);
        if find_attribute(&attributes, &CELL_LINE_KEYS).is_some() {
            meta.sample_source = Some(SampleSource::CellLine);
        }
        meta.attributes.extend(attributes);
    }
    for column in SRA_RECORD_COLUMNS {
        if let Some(value) = table.get_by_name(row, column) {
            meta.attributes.insert(column.to_owned(), value.to_owned());
        }
    }
    Ok(())
}

fn fill_tcga(table: &MetadataTable, row: usize, meta: &mut SampleMeta) {
    meta.tissue = table.get_by_name(row, TCGA_SITE).map(str::to_owned);
    meta.sex = table
        .get_by_name(row, TCGA_GENDER)
        .and_then(Sex::parse_loose);
}

fn fill_gtex(table: &MetadataTable, row: usize, meta: &mut SampleMeta) -> Result<()> {
    meta.tissue = table.get_by_name(row, "smts").map(str::to_owned);
    if let Some(detail) = table.get_by_name(row, "smtsd") {
        meta.attributes
            .insert(GTEX_SMTSD.to_owned(), detail.to_owned());
    }
    if let Some(code) = table.get_by_name(row, "sex") {
        meta.sex = parse_sex_code(code).map_err(|kind| table.error_at_row(row, kind))?;
    }
    Ok(())
}

/// Builds a recount3 table from samples, the mirror of [`sample_meta`]: key columns
/// (`rail_id` from the [`RAIL_ID`] attribute, else the row number from 1; `external_id`; `study`)
/// and, for `sra`, `gtex`, `tcga` and `recount_project`, the columns [`sample_meta`] reads.
/// For `sra`, tissue, sex and a cell line not already among the attributes are added to
/// `sample_attributes`. `recount_qc` and `recount_pred` get the key columns only: their values
/// are not sample metadata, so callers add them to the rows they build.
pub fn table_from_samples(
    kind: Recount3Table,
    samples: &[SampleMeta],
) -> Result<MetadataTable, ErrorKind> {
    let mut columns: Vec<String> = super::KEY_COLUMNS.iter().map(|c| (*c).to_owned()).collect();
    columns.extend(extra_columns(kind).iter().map(|c| (*c).to_owned()));
    let rows = samples
        .iter()
        .enumerate()
        .map(|(i, meta)| {
            let rail = meta
                .attributes
                .get(RAIL_ID)
                .cloned()
                .unwrap_or_else(|| (i + 1).to_string());
            let mut row = vec![
                rail,
                meta.sample_id.clone(),
                meta.study.clone().unwrap_or_default(),
            ];
            row.extend(extra_cells(kind, meta)?);
            Ok(row)
        })
        .collect::<Result<Vec<_>, ErrorKind>>()?;
    MetadataTable::new(columns, "rail_id", rows)
}

fn extra_columns(kind: Recount3Table) -> &'static [&'static str] {
    match kind {
        Recount3Table::Sra => &["experiment_acc", "sample_attributes"],
        Recount3Table::Gtex => &["smts", "smtsd", "sex"],
        Recount3Table::Tcga => &[TCGA_SITE, TCGA_GENDER],
        Recount3Table::RecountProject => &["project", "organism", "file_source", "metadata_source"],
        Recount3Table::RecountQc | Recount3Table::RecountPred => &[],
    }
}

fn extra_cells(kind: Recount3Table, meta: &SampleMeta) -> Result<Vec<String>, ErrorKind> {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    Ok(match kind {
        Recount3Table::Sra => vec![text(&meta.experiment), sra_attributes(meta)?],
        Recount3Table::Gtex => vec![
            text(&meta.tissue),
            meta.attributes.get(GTEX_SMTSD).cloned().unwrap_or_default(),
            meta.sex
                .map(|s| sex_code(s).to_string())
                .unwrap_or_default(),
        ],
        Recount3Table::Tcga => vec![
            text(&meta.tissue),
            meta.sex.map(|s| s.as_str().to_owned()).unwrap_or_default(),
        ],
        Recount3Table::RecountProject => {
            let home = format!("data_sources/{}", meta.data_source.as_str());
            vec![text(&meta.study), "human".to_owned(), home.clone(), home]
        }
        Recount3Table::RecountQc | Recount3Table::RecountPred => Vec::new(),
    })
}

fn sra_attributes(meta: &SampleMeta) -> Result<String, ErrorKind> {
    let mut map: BTreeMap<String, String> = meta
        .attributes
        .iter()
        .filter(|(k, _)| !k.starts_with("recount3.") && !k.starts_with("gtex."))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if let Some(tissue) = &meta.tissue {
        if find_attribute(&map, &TISSUE_KEYS).is_none() {
            map.insert("tissue".to_owned(), tissue.clone());
        }
    }
    if let Some(sex) = meta.sex {
        if find_attribute(&map, &SEX_KEYS).is_none() {
            map.insert("sex".to_owned(), sex.as_str().to_owned());
        }
    }
    if meta.sample_source == Some(SampleSource::CellLine)
        && find_attribute(&map, &CELL_LINE_KEYS).is_none()
    {
        map.insert("cell line".to_owned(), "unnamed cell line".to_owned());
    }
    format_sample_attributes(&map)
}

/// Replaces each sample's metadata with the record of the same id (or the same `rail_id`, for
/// gene sums whose columns are rail ids) from `records`, e.g. those [`sample_meta`] read. Returns
/// the ids of the samples that had no record, so that the caller reports them.
pub fn apply_sample_meta(samples: &mut [SampleMeta], records: &[SampleMeta]) -> Vec<String> {
    let mut by_id: HashMap<&str, &SampleMeta> = HashMap::with_capacity(records.len() * 2);
    for record in records {
        by_id.entry(record.sample_id.as_str()).or_insert(record);
        if let Some(rail) = record.attributes.get(RAIL_ID) {
            by_id.entry(rail.as_str()).or_insert(record);
        }
    }
    let mut missing = Vec::new();
    for sample in samples.iter_mut() {
        match by_id.get(sample.sample_id.as_str()) {
            Some(record) => {
                let id = std::mem::take(&mut sample.sample_id);
                *sample = (*record).clone();
                sample.sample_id = id;
            }
            None => missing.push(sample.sample_id.clone()),
        }
    }
    missing
}
