//! One sample's metadata as an ARCHS4 file stores it, before any interpretation: what
//! [`Archs4Reader::records`](super::Archs4Reader::records) returns and
//! [`interpret::sample_meta`](super::interpret::sample_meta) turns into a `SampleMeta`.

use super::fields::{
    self, FieldSpec, CHARACTERISTICS, LIBRARY_STRATEGY, READS_ALIGNED, SERIES_ID,
    SINGLE_CELL_PROBABILITY, SOURCE_NAME, TITLE,
};

/// The per-sample fields of a record besides the accession, in the order the reader opens and
/// checks them (the order a damaged file's first error follows).
pub(crate) const RECORD_FIELDS: [FieldSpec; 7] = [
    SERIES_ID,
    CHARACTERISTICS,
    SOURCE_NAME,
    TITLE,
    LIBRARY_STRATEGY,
    SINGLE_CELL_PROBABILITY,
    READS_ALIGNED,
];

/// One sample column's metadata fields as the file stores them (`meta/samples/*` in v2,
/// `meta/Sample_*` in v1), not interpreted.
///
/// Each optional field is `None` when the file has no dataset for it (see
/// [`Archs4Reader::fields_found`](super::Archs4Reader::fields_found)) and otherwise the sample's
/// value exactly as stored, white space and empty strings included. Releases disagree on whether
/// some fields (`singlecellprobability`, `readsaligned`) are numbers or strings, so every field is
/// text: a number is written as the reader writes numbers (integral values without a decimal
/// point, `8770612`; others as Rust prints them, `0.25`, `NaN`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Archs4Record {
    /// The GEO sample accession (GSM), the sample's id: trimmed, never empty, unique in the file
    /// (checked when the file is opened).
    pub geo_accession: String,
    /// The GEO series (GSE) of the sample: its study.
    pub series_id: Option<String>,
    /// The sample's `key: value` characteristics joined into one string (`characteristics_ch1`;
    /// see [`characteristics`](super::characteristics) for how they are split).
    pub characteristics: Option<String>,
    /// The free-text sample source (`source_name_ch1`, `lymphoblastoid cell line`).
    pub source_name: Option<String>,
    /// The sample title.
    pub title: Option<String>,
    /// The library strategy (`RNA-Seq`).
    pub library_strategy: Option<String>,
    /// ARCHS4's predicted probability that the sample is single-cell (`singlecellprobability`).
    pub single_cell_probability: Option<String>,
    /// Reads aligned to the genes (`readsaligned`).
    pub reads_aligned: Option<String>,
}

impl Archs4Record {
    /// A record holding only the accession.
    pub fn new(geo_accession: impl Into<String>) -> Self {
        Self {
            geo_accession: geo_accession.into(),
            ..Self::default()
        }
    }

    /// The fields kept verbatim in a sample's attributes, under their role names
    /// ([`fields::SAMPLE_TEXT_FIELDS`] order: title, source name, library strategy, single-cell
    /// probability, reads aligned).
    pub fn text_fields(&self) -> [(&'static str, Option<&str>); 5] {
        [
            (fields::TITLE.role, self.title.as_deref()),
            (fields::SOURCE_NAME.role, self.source_name.as_deref()),
            (
                fields::LIBRARY_STRATEGY.role,
                self.library_strategy.as_deref(),
            ),
            (
                fields::SINGLE_CELL_PROBABILITY.role,
                self.single_cell_probability.as_deref(),
            ),
            (fields::READS_ALIGNED.role, self.reads_aligned.as_deref()),
        ]
    }

    /// The slot of the field `spec` (one of [`RECORD_FIELDS`]), for the reader filling a record.
    pub(crate) fn slot(&mut self, spec: &FieldSpec) -> Option<&mut Option<String>> {
        let slots = [
            (SERIES_ID.role, &mut self.series_id),
            (CHARACTERISTICS.role, &mut self.characteristics),
            (SOURCE_NAME.role, &mut self.source_name),
            (TITLE.role, &mut self.title),
            (LIBRARY_STRATEGY.role, &mut self.library_strategy),
            (
                SINGLE_CELL_PROBABILITY.role,
                &mut self.single_cell_probability,
            ),
            (READS_ALIGNED.role, &mut self.reads_aligned),
        ];
        slots
            .into_iter()
            .find(|(role, _)| *role == spec.role)
            .map(|(_, slot)| slot)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_record_field_has_a_slot_and_text_fields_follow_the_field_list() {
        let mut record = Archs4Record::new("GSM1");
        for spec in &RECORD_FIELDS {
            *record.slot(spec).expect(spec.role) = Some(spec.role.to_owned());
        }
        assert!(record.slot(&fields::GEO_ACCESSION).is_none());
        assert_eq!(record.series_id.as_deref(), Some("series_id"));
        let roles: Vec<&str> = record.text_fields().iter().map(|(r, _)| *r).collect();
        let listed: Vec<&str> = fields::SAMPLE_TEXT_FIELDS.iter().map(|f| f.role).collect();
        assert_eq!(roles, listed);
        assert!(record
            .text_fields()
            .iter()
            .all(|(role, value)| *value == Some(*role)));
    }
}
