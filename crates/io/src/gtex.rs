//! GTEx sample and subject annotation: `SampleAttributesDS.txt` (one row per sample, `SAMPID`;
//! `SMTS` tissue, `SMTSD` detailed tissue, ...) and `SubjectPhenotypesDS.txt` (one row per donor,
//! `SUBJID`; `SEX` 1 male 2 female, `AGE` as a decade range, `DTHHRDY` Hardy death scale).
//!
//! Both are tab-separated with a header, read as [`MetadataTable`]s. A sample's donor is the first
//! two dash fields of its id (`GTEX-111CU-0326-SM-5GZXO` -> `GTEX-111CU`), which is how GTEx's
//! own portal joins the two files. The expression matrix (GCT) is read by [`crate::gct`].

use std::collections::BTreeMap;
use std::path::Path;

use rnameta_core::{DataSource, SampleMeta, Sex};

use crate::error::{Error, ErrorKind, Location, Result};
use crate::recount3::{MetadataTable, GTEX_SMTSD};

/// Sample id column of `SampleAttributesDS.txt`.
pub const SAMPID: &str = "SAMPID";
/// Tissue column of `SampleAttributesDS.txt` (`Lung`).
pub const SMTS: &str = "SMTS";
/// Detailed tissue column of `SampleAttributesDS.txt` (`Brain - Cortex`).
pub const SMTSD: &str = "SMTSD";
/// Subject id column of `SubjectPhenotypesDS.txt`.
pub const SUBJID: &str = "SUBJID";
/// Sex column of `SubjectPhenotypesDS.txt` (1 male, 2 female).
pub const SEX: &str = "SEX";
/// Age column of `SubjectPhenotypesDS.txt` (`60-69`).
pub const AGE: &str = "AGE";
/// Hardy-scale death circumstances column of `SubjectPhenotypesDS.txt` (0-4, may be empty).
pub const DTHHRDY: &str = "DTHHRDY";

/// Attribute key under which a filled sample keeps its GTEx subject id.
pub const SUBJECT_KEY: &str = "gtex.subject";
/// Attribute key under which a filled sample keeps its donor's age range.
pub const AGE_KEY: &str = "gtex.age";
/// Attribute key under which a filled sample keeps its donor's Hardy scale.
pub const DTHHRDY_KEY: &str = "gtex.dthhrdy";

/// The donor (subject) of a GTEx sample id: its first two dash-separated fields
/// (`GTEX-111CU-0326-SM-5GZXO` -> `GTEX-111CU`). `None` when the id has no two non-empty fields.
///
/// ```
/// assert_eq!(rnameta_io::gtex::subject_id("GTEX-111CU-0326-SM-5GZXO"), Some("GTEX-111CU"));
/// ```
pub fn subject_id(sample_id: &str) -> Option<&str> {
    let mut dashes = sample_id.match_indices('-').map(|(i, _)| i);
    let first = dashes.next()?;
    let end = dashes.next().unwrap_or(sample_id.len());
    let subject = sample_id.get(..end)?;
    let (head, tail) = (subject.get(..first)?, subject.get(first + 1..)?);
    (!head.is_empty() && !tail.is_empty()).then_some(subject)
}

/// Reads GTEx's sex code: `1` male, `2` female, empty (or `NA`) unknown; anything else is an error.
pub fn parse_sex_code(code: &str) -> Result<Option<Sex>, ErrorKind> {
    match code.trim() {
        "1" => Ok(Some(Sex::Male)),
        "2" => Ok(Some(Sex::Female)),
        "" | "NA" => Ok(None),
        other => Err(ErrorKind::Malformed(format!(
            "GTEx sex code {other:?} is neither 1 (male) nor 2 (female)"
        ))),
    }
}

/// GTEx's code of a sex: 1 male, 2 female.
pub fn sex_code(sex: Sex) -> u8 {
    match sex {
        Sex::Male => 1,
        Sex::Female => 2,
    }
}

/// Reads `SampleAttributesDS.txt`, keyed by `SAMPID`; the `SMTS` column is required.
pub fn read_sample_attributes(path: &Path) -> Result<MetadataTable> {
    let table = MetadataTable::read(path, &[SAMPID])?;
    table.require_column(SMTS)?;
    Ok(table)
}

/// Reads `SubjectPhenotypesDS.txt`, keyed by `SUBJID`; the `SEX` column is required and each
/// value must be 1, 2 or empty (an error names the line otherwise).
pub fn read_subject_phenotypes(path: &Path) -> Result<MetadataTable> {
    let table = MetadataTable::read(path, &[SUBJID])?;
    let sex = table.require_column(SEX)?;
    for row in 0..table.n_rows() {
        if let Some(code) = table.get(row, sex) {
            parse_sex_code(code)
                .map_err(|kind| Error::line(path, table.line_of(row).unwrap_or(0), kind))?;
        }
    }
    Ok(table)
}

/// Writes a sample attributes table (must be keyed by `SAMPID`), atomically.
pub fn write_sample_attributes(path: &Path, table: &MetadataTable) -> Result<()> {
    require_key(path, table, SAMPID)?;
    table.write(path)
}

/// Writes a subject phenotypes table (must be keyed by `SUBJID`), atomically.
pub fn write_subject_phenotypes(path: &Path, table: &MetadataTable) -> Result<()> {
    require_key(path, table, SUBJID)?;
    table.write(path)
}

fn require_key(path: &Path, table: &MetadataTable, key: &str) -> Result<()> {
    if table.key_name() == key {
        Ok(())
    } else {
        Err(Error::file(
            path,
            ErrorKind::Malformed(format!(
                "table is keyed by {:?}, not {key}",
                table.key_name()
            )),
        ))
    }
}

/// The sample attributes table of samples (`SAMPID`, `SMTS`, `SMTSD`), the mirror of
/// [`fill_sample_meta`]: tissue from `tissue`, detail from the [`GTEX_SMTSD`] attribute.
pub fn sample_attributes_table(samples: &[SampleMeta]) -> Result<MetadataTable, ErrorKind> {
    let columns = [SAMPID, SMTS, SMTSD].map(String::from).to_vec();
    let rows = samples
        .iter()
        .map(|s| {
            vec![
                s.sample_id.clone(),
                s.tissue.clone().unwrap_or_default(),
                s.attributes.get(GTEX_SMTSD).cloned().unwrap_or_default(),
            ]
        })
        .collect();
    MetadataTable::new(columns, SAMPID, rows)
}

/// The subject phenotypes table of samples' donors (`SUBJID`, `SEX`, `AGE`, `DTHHRDY`), one row
/// per donor in order of first appearance. Refuses a sample id without a donor and two samples of
/// one donor that disagree on sex, age or Hardy scale.
pub fn subject_phenotypes_table(samples: &[SampleMeta]) -> Result<MetadataTable, ErrorKind> {
    let mut order: Vec<String> = Vec::new();
    let mut rows: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for s in samples {
        let subject = subject_id(&s.sample_id).ok_or_else(|| {
            ErrorKind::Malformed(format!("sample id {:?} names no GTEx donor", s.sample_id))
        })?;
        let row = vec![
            subject.to_owned(),
            s.sex.map(|x| sex_code(x).to_string()).unwrap_or_default(),
            s.attributes.get(AGE_KEY).cloned().unwrap_or_default(),
            s.attributes.get(DTHHRDY_KEY).cloned().unwrap_or_default(),
        ];
        match rows.get(subject) {
            Some(existing) if *existing != row => {
                return Err(ErrorKind::Malformed(format!(
                    "samples of donor {subject} disagree on sex, age or Hardy scale"
                )))
            }
            Some(_) => {}
            None => {
                order.push(subject.to_owned());
                rows.insert(subject.to_owned(), row);
            }
        }
    }
    let rows = order.iter().filter_map(|s| rows.remove(s)).collect();
    MetadataTable::new(
        [SUBJID, SEX, AGE, DTHHRDY].map(String::from).to_vec(),
        SUBJID,
        rows,
    )
}

/// What [`fill_sample_meta`] could not fill: nothing is skipped silently.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FillReport {
    /// Samples filled from both files.
    pub filled: usize,
    /// Samples with no row in the sample attributes.
    pub missing_attributes: Vec<String>,
    /// Samples whose donor has no row in the subject phenotypes, as (sample, donor).
    pub missing_phenotypes: Vec<(String, String)>,
    /// Sample ids from which no donor can be read.
    pub no_subject: Vec<String>,
}

impl FillReport {
    /// True when every sample was found in both files.
    pub fn is_complete(&self) -> bool {
        self.missing_attributes.is_empty()
            && self.missing_phenotypes.is_empty()
            && self.no_subject.is_empty()
    }

    /// An error naming the first sample that could not be filled (and how many there were), for
    /// callers that require every sample to be annotated.
    pub fn require_complete(
        &self,
        attributes: &MetadataTable,
        phenotypes: &MetadataTable,
    ) -> Result<()> {
        if let Some(first) = self.missing_attributes.first() {
            return Err(Error::new(
                attributes.path(),
                Location::Sample(first.clone()),
                ErrorKind::Missing(format!(
                    "{SAMPID} row ({} samples lack one)",
                    self.missing_attributes.len()
                )),
            ));
        }
        if let Some((sample, subject)) = self.missing_phenotypes.first() {
            return Err(Error::new(
                phenotypes.path(),
                Location::Sample(sample.clone()),
                ErrorKind::Missing(format!(
                    "{SUBJID} row for donor {subject} ({} samples lack one)",
                    self.missing_phenotypes.len()
                )),
            ));
        }
        if let Some(first) = self.no_subject.first() {
            return Err(Error::new(
                attributes.path(),
                Location::Sample(first.clone()),
                ErrorKind::Malformed(
                    "sample id names no GTEx donor (two dash-separated fields)".into(),
                ),
            ));
        }
        Ok(())
    }
}

/// Fills tissue (`SMTS`), sex (`SEX` of the donor), data source (GTEx) and the attributes
/// [`GTEX_SMTSD`], [`SUBJECT_KEY`], [`AGE_KEY`], [`DTHHRDY_KEY`] into samples, found by sample id.
/// Samples missing from either file are listed in the report (and keep what they had); a bad sex
/// code is an error naming the file and the donor.
pub fn fill_sample_meta(
    samples: &mut [SampleMeta],
    attributes: &MetadataTable,
    phenotypes: &MetadataTable,
) -> Result<FillReport> {
    let mut report = FillReport::default();
    for sample in samples.iter_mut() {
        let Some(subject) = subject_id(&sample.sample_id).map(str::to_owned) else {
            report.no_subject.push(sample.sample_id.clone());
            continue;
        };
        let attribute_row = attributes.row_of(&sample.sample_id);
        let phenotype_row = phenotypes.row_of(&subject);
        if attribute_row.is_none() {
            report.missing_attributes.push(sample.sample_id.clone());
        }
        if phenotype_row.is_none() {
            report
                .missing_phenotypes
                .push((sample.sample_id.clone(), subject.clone()));
        }
        let (Some(a), Some(p)) = (attribute_row, phenotype_row) else {
            continue;
        };
        fill_one(sample, &subject, attributes, a, phenotypes, p)?;
        report.filled += 1;
    }
    Ok(report)
}

fn fill_one(
    sample: &mut SampleMeta,
    subject: &str,
    attributes: &MetadataTable,
    a: usize,
    phenotypes: &MetadataTable,
    p: usize,
) -> Result<()> {
    sample.data_source = DataSource::Gtex;
    sample.tissue = attributes.get_by_name(a, SMTS).map(str::to_owned);
    sample.sex = match phenotypes.get_by_name(p, SEX) {
        Some(code) => parse_sex_code(code).map_err(|kind| phenotypes.error_at_row(p, kind))?,
        None => None,
    };
    sample
        .attributes
        .insert(SUBJECT_KEY.to_owned(), subject.to_owned());
    let extra = [
        (GTEX_SMTSD, attributes.get_by_name(a, SMTSD)),
        (AGE_KEY, phenotypes.get_by_name(p, AGE)),
        (DTHHRDY_KEY, phenotypes.get_by_name(p, DTHHRDY)),
    ];
    for (key, value) in extra {
        if let Some(v) = value {
            sample.attributes.insert(key.to_owned(), v.to_owned());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subject_is_first_two_dash_fields() {
        assert_eq!(subject_id("GTEX-111CU-0326-SM-5GZXO"), Some("GTEX-111CU"));
        assert_eq!(subject_id("GTEX-111CU"), Some("GTEX-111CU"));
        assert_eq!(subject_id("K-562-SM-26GMQ"), Some("K-562"));
        assert_eq!(subject_id("GTEX"), None);
        assert_eq!(subject_id("-111CU-0326"), None);
        assert_eq!(subject_id("GTEX--0326"), None);
        assert_eq!(parse_sex_code("1").unwrap(), Some(Sex::Male));
        assert_eq!(parse_sex_code("2").unwrap(), Some(Sex::Female));
        assert_eq!(parse_sex_code("").unwrap(), None);
        assert!(matches!(parse_sex_code("3"), Err(ErrorKind::Malformed(_))));
    }
}
