//! What an ARCHS4 sample's stored fields mean to rnameta: an [`Archs4Record`] turned into a
//! [`SampleMeta`]. The reader never calls this; callers compose `records -> interpret` (the
//! reader's `read_samples`, `chunks` and `samples` do so for those that want datasets).
//!
//! The rules: GSM as id, series as study, the text fields (title, source name, library strategy,
//! single-cell probability, reads aligned) kept in `attributes` under their role names, then the
//! characteristics applied ([`characteristics::apply`]: tissue, sex, sample source, every pair in
//! `attributes`) with the source name (`... cell line` -> cell line). Every value is trimmed, and
//! an empty value counts as absent.

use rnameta_core::{DataSource, SampleMeta};

use super::characteristics;
use super::record::Archs4Record;

/// The [`SampleMeta`] of one record (see the module docs for the rules).
pub fn sample_meta(record: &Archs4Record) -> SampleMeta {
    let mut meta = SampleMeta::new(&record.geo_accession, DataSource::Archs4);
    meta.study = present(record.series_id.as_deref()).map(str::to_owned);
    for (role, value) in record.text_fields() {
        if let Some(value) = present(value) {
            meta.attributes.insert(role.to_owned(), value.to_owned());
        }
    }
    let pairs = present(record.characteristics.as_deref())
        .map(characteristics::parse_pairs)
        .unwrap_or_default();
    characteristics::apply(&mut meta, &pairs, present(record.source_name.as_deref()));
    meta
}

/// The [`SampleMeta`]s of `records`, in order.
pub fn sample_metas(records: &[Archs4Record]) -> Vec<SampleMeta> {
    records.iter().map(sample_meta).collect()
}

/// `value` trimmed, `None` when absent or empty.
fn present(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rnameta_core::{SampleSource, Sex};

    #[test]
    fn a_record_becomes_labels_and_attributes() {
        let record = Archs4Record {
            series_id: Some(" GSE5 ".into()),
            characteristics: Some("tissue: lung,Sex: female,treatment: IL-6, 2 h".into()),
            source_name: Some("  lung biopsy ".into()),
            title: Some(String::new()),
            single_cell_probability: Some("0.25".into()),
            ..Archs4Record::new("GSM7")
        };
        let meta = sample_meta(&record);
        assert_eq!(meta.sample_id, "GSM7");
        assert_eq!(meta.data_source, DataSource::Archs4);
        assert_eq!(meta.study.as_deref(), Some("GSE5"));
        assert_eq!(meta.tissue.as_deref(), Some("lung"));
        assert_eq!(meta.sex, Some(Sex::Female));
        assert_eq!(meta.sample_source, None);
        assert_eq!(meta.attributes["source_name_ch1"], "lung biopsy");
        assert_eq!(meta.attributes["singlecellprobability"], "0.25");
        assert_eq!(meta.attributes["treatment"], "IL-6, 2 h");
        assert!(!meta.attributes.contains_key("title"), "empty is absent");

        let cell_line = Archs4Record {
            source_name: Some("HeLa cell line".into()),
            ..Archs4Record::new("GSM8")
        };
        assert_eq!(
            sample_meta(&cell_line).sample_source,
            Some(SampleSource::CellLine)
        );
        assert_eq!(
            sample_meta(&Archs4Record::new("GSM9")),
            SampleMeta::new("GSM9", DataSource::Archs4)
        );
    }
}
