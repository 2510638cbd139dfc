//! MetaSRA sample annotations (JSON release files).
//!
//! MetaSRA (Bernstein et al. 2017, <http://metasra.biostat.wisc.edu/>) normalises the free-text
//! metadata of SRA human samples. Its release JSON is one object keyed by SRA sample accession
//! (`SRS...`); each value holds:
//!
//! - `mapped ontology terms`: term ids (`UBERON:0002048`, `CL:0000235`, `CVCL:0030`, `EFO:...`),
//!   super-terms included. Later pipeline versions write objects with a `term_id` field instead of
//!   bare strings; both are read;
//! - `sample type`: one of `cell line`, `tissue`, `primary cells`, `stem cells`,
//!   `in vitro differentiated cells`, `induced pluripotent stem cell line`;
//! - `sample-type confidence`: the classifier's probability in [0, 1];
//! - `real-value properties`: `{property_id, unit_id, value}` (age in years, ...).
//!
//! rnameta takes from it the sample source through [`SampleSource::parse_loose`], as label tables
//! read it (`tissue` -> [`SampleSource::Biopsy`], `cell line` -> [`SampleSource::CellLine`], each
//! other type a class of its own: `primary cells` -> [`SampleSource::PrimaryCells`], ...),
//! the sex (UBERON:0003100 female organism, UBERON:0003101 male organism; both at once is a
//! conflict and gives no sex) and, through a caller's term -> label map, the tissue.
//! [`fill_sample_metas`] applies these to [`SampleMeta`]s matched by accession; [`uberon`] holds
//! the term -> tissue table that the real loader and the simulator both use, and [`rollup`]
//! computes that table from the UBERON ontology itself (read by [`crate::obo`]) when its OBO file
//! is at hand.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::io::{self, BufRead};
use std::path::Path;

use rnameta_core::{SampleMeta, SampleSource, Sex};
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

use crate::error::{Error, ErrorKind, Location, Result};
use crate::write::write_atomically;

pub mod rollup;
pub mod uberon;

pub use rollup::RollUp;

/// UBERON term MetaSRA maps female samples to ("female organism").
pub const FEMALE_TERM: &str = "UBERON:0003100";
/// UBERON term MetaSRA maps male samples to ("male organism").
pub const MALE_TERM: &str = "UBERON:0003101";

/// A numeric property MetaSRA extracted from the sample's metadata (an age, a time point).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RealValueProperty {
    /// What is measured (`EFO:0000246`, age).
    pub property_id: String,
    /// The unit (`UO:0000036`, year); `null` in the file when MetaSRA found none.
    #[serde(default)]
    pub unit_id: Option<String>,
    /// The value.
    pub value: f64,
}

/// One sample's MetaSRA annotation.
#[derive(Debug, Clone, PartialEq)]
pub struct MetaSraSample {
    /// SRA sample accession (`SRS...`), the key of the release file.
    pub accession: String,
    /// Mapped ontology term ids, in file order.
    pub mapped_terms: Vec<String>,
    /// The predicted sample type as written (`cell line`, `tissue`, `primary cells`, ...).
    pub sample_type: Option<String>,
    /// Confidence of the sample type, in [0, 1].
    pub sample_type_confidence: Option<f64>,
    /// Numeric properties.
    pub real_value_properties: Vec<RealValueProperty>,
}

/// What the mapped terms say about sex.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SexEvidence {
    /// Neither sex term is mapped.
    Unstated,
    /// Only the female term.
    Female,
    /// Only the male term.
    Male,
    /// Both terms: the metadata contradicts itself (pooled samples, mislabelled fields).
    Conflict,
}

impl MetaSraSample {
    /// The sample source of the sample type, read by [`SampleSource::parse_loose`] (the one
    /// reading of sample types, shared with label tables): `tissue` is biopsy, `cell line` a cell
    /// line, and each of MetaSRA's other types its own class. `None` without a sample type or for
    /// a type it does not know.
    pub fn sample_source(&self) -> Option<SampleSource> {
        SampleSource::parse_loose(self.sample_type.as_deref()?)
    }

    /// The sex stated by the mapped UBERON terms.
    pub fn sex_evidence(&self) -> SexEvidence {
        let female = self.mapped_terms.iter().any(|t| t == FEMALE_TERM);
        let male = self.mapped_terms.iter().any(|t| t == MALE_TERM);
        match (female, male) {
            (true, true) => SexEvidence::Conflict,
            (true, false) => SexEvidence::Female,
            (false, true) => SexEvidence::Male,
            (false, false) => SexEvidence::Unstated,
        }
    }

    /// The sex, when exactly one sex term is mapped.
    pub fn sex(&self) -> Option<Sex> {
        match self.sex_evidence() {
            SexEvidence::Female => Some(Sex::Female),
            SexEvidence::Male => Some(Sex::Male),
            SexEvidence::Unstated | SexEvidence::Conflict => None,
        }
    }
}

/// A MetaSRA file: samples in file order, looked up by accession.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MetaSra {
    samples: Vec<MetaSraSample>,
    index: HashMap<String, usize>,
}

impl MetaSra {
    /// Builds the collection; refuses a repeated accession (returned as the error).
    pub fn new(samples: Vec<MetaSraSample>) -> std::result::Result<Self, String> {
        let mut index = HashMap::with_capacity(samples.len());
        for (i, s) in samples.iter().enumerate() {
            if index.insert(s.accession.clone(), i).is_some() {
                return Err(s.accession.clone());
            }
        }
        Ok(Self { samples, index })
    }

    /// The annotation of one sample accession.
    pub fn get(&self, accession: &str) -> Option<&MetaSraSample> {
        self.index.get(accession).map(|&i| &self.samples[i])
    }

    /// All samples, in file order.
    pub fn samples(&self) -> &[MetaSraSample] {
        &self.samples
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        self.samples.len()
    }

    /// True when there is no sample.
    pub fn is_empty(&self) -> bool {
        self.samples.is_empty()
    }
}

/// A mapped term: a bare id (release files) or an object with `term_id` (newer pipeline output).
#[derive(Deserialize)]
#[serde(untagged)]
enum RawTerm {
    Id(String),
    Detailed { term_id: String },
}

/// The value of one accession, as stored in the file.
#[derive(Deserialize)]
struct RawEntry {
    #[serde(rename = "mapped ontology terms", default)]
    mapped_terms: Vec<RawTerm>,
    #[serde(rename = "real-value properties", default)]
    real_value_properties: Vec<RealValueProperty>,
    #[serde(rename = "sample type", default)]
    sample_type: Option<String>,
    #[serde(rename = "sample-type confidence", default)]
    sample_type_confidence: Option<f64>,
}

/// The entry as written back (bare term ids, the release layout).
#[derive(Serialize)]
struct EntryOut<'a> {
    #[serde(rename = "mapped ontology terms")]
    mapped_terms: &'a [String],
    #[serde(rename = "real-value properties")]
    real_value_properties: &'a [RealValueProperty],
    #[serde(rename = "sample type")]
    sample_type: &'a Option<String>,
    #[serde(rename = "sample-type confidence")]
    sample_type_confidence: &'a Option<f64>,
}

/// The top-level object, read entry by entry (no intermediate `Value` tree) and in file order;
/// a repeated accession is a parse error, so that it carries the line and column.
struct Entries(Vec<MetaSraSample>);

impl<'de> Deserialize<'de> for Entries {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        deserializer.deserialize_map(EntriesVisitor)
    }
}

struct EntriesVisitor;

impl<'de> Visitor<'de> for EntriesVisitor {
    type Value = Entries;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object keyed by SRA sample accession")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Entries, A::Error> {
        let mut seen = HashSet::new();
        let mut samples = Vec::new();
        while let Some(accession) = map.next_key::<String>()? {
            if !seen.insert(accession.clone()) {
                return Err(de::Error::custom(format!(
                    "duplicate sample accession {accession:?}"
                )));
            }
            let raw: RawEntry = map.next_value()?;
            samples.push(MetaSraSample {
                accession,
                mapped_terms: raw
                    .mapped_terms
                    .into_iter()
                    .map(|t| match t {
                        RawTerm::Id(id) | RawTerm::Detailed { term_id: id } => id,
                    })
                    .collect(),
                sample_type: raw.sample_type,
                sample_type_confidence: raw.sample_type_confidence,
                real_value_properties: raw.real_value_properties,
            });
        }
        Ok(Entries(samples))
    }
}

/// Reads a MetaSRA JSON file (plain or gzip). Malformed JSON is reported with its line and
/// column; a confidence outside [0, 1] with the sample; an empty file as such.
pub fn read_metasra(path: &Path) -> Result<MetaSra> {
    let mut reader = crate::source::open(path)?;
    let first = reader
        .fill_buf()
        .map_err(|e| Error::io(path, Location::Line(1), e))?;
    if first.is_empty() {
        return Err(Error::file(path, ErrorKind::Empty));
    }
    let Entries(samples) = serde_json::from_reader(reader).map_err(|e| json_error(path, e))?;
    for sample in &samples {
        check_confidence(sample)
            .map_err(|kind| Error::new(path, Location::Sample(sample.accession.clone()), kind))?;
    }
    MetaSra::new(samples).map_err(|id| {
        Error::new(
            path,
            Location::Sample(id.clone()),
            ErrorKind::DuplicateSample { id },
        )
    })
}

fn json_error(path: &Path, err: serde_json::Error) -> Error {
    let line = Location::Line(err.line() as u64);
    if err.is_io() {
        return Error::io(path, line, io::Error::from(err));
    }
    Error::new(path, line, ErrorKind::Json(err.to_string()))
}

fn check_confidence(sample: &MetaSraSample) -> std::result::Result<(), ErrorKind> {
    match sample.sample_type_confidence {
        Some(c) if !(0.0..=1.0).contains(&c) => Err(ErrorKind::Malformed(format!(
            "sample-type confidence {c} is outside [0, 1]"
        ))),
        _ => Ok(()),
    }
}

/// Writes samples in the MetaSRA release layout (one line per sample; gzip when the path ends in
/// `.gz`), atomically. [`read_metasra`] reads it back unchanged. Non-finite numbers, which JSON
/// cannot hold, are refused.
pub fn write_metasra(path: &Path, samples: &[MetaSraSample]) -> Result<()> {
    write_atomically(path, |w| {
        w.write_all(b"{")?;
        for (i, sample) in samples.iter().enumerate() {
            check_writable(sample)?;
            w.write_all(if i == 0 { b"\n" } else { b",\n" })?;
            serde_json::to_writer(&mut *w, &sample.accession)?;
            w.write_all(b": ")?;
            let entry = EntryOut {
                mapped_terms: &sample.mapped_terms,
                real_value_properties: &sample.real_value_properties,
                sample_type: &sample.sample_type,
                sample_type_confidence: &sample.sample_type_confidence,
            };
            serde_json::to_writer(&mut *w, &entry)?;
        }
        w.write_all(b"\n}\n")
    })
}

fn check_writable(sample: &MetaSraSample) -> io::Result<()> {
    let finite = sample.sample_type_confidence.is_none_or(f64::is_finite)
        && sample
            .real_value_properties
            .iter()
            .all(|p| p.value.is_finite());
    if finite {
        Ok(())
    } else {
        Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "sample {}: a non-finite number cannot be written as JSON",
                sample.accession
            ),
        ))
    }
}

/// What [`fill_sample_metas`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FillReport {
    /// Samples that had a MetaSRA entry.
    pub matched: usize,
    /// Sample ids without an entry.
    pub unmatched: Vec<String>,
    /// Sample ids whose terms name both sexes (sex left unset).
    pub sex_conflicts: Vec<String>,
    /// Sample ids whose terms map to more than one tissue label (tissue left unset).
    pub tissue_conflicts: Vec<String>,
}

/// Attribute keys of a [`SampleMeta`] that may hold the SRA sample accession (recount3's `sra`
/// table calls it `sample_acc`), tried after the sample id itself.
pub const ACCESSION_ATTRIBUTES: [&str; 3] = ["sample_acc", "sra.sample_acc", "sample_accession"];

/// Fills each sample's missing sex, sample source (with its confidence) and tissue from its
/// MetaSRA entry, matched by `sample_id` or an [`ACCESSION_ATTRIBUTES`] attribute. Fields already
/// set are kept. `tissue_terms` maps ontology term ids to tissue labels (`UBERON:0002048` ->
/// `lung`); a sample whose terms give two different labels gets none. The sample type, its
/// confidence, the mapped terms and the real-value properties are also kept as `metasra_*`
/// attributes.
pub fn fill_sample_metas(
    samples: &mut [SampleMeta],
    metasra: &MetaSra,
    tissue_terms: &BTreeMap<String, String>,
) -> FillReport {
    let mut report = FillReport::default();
    for sample in samples.iter_mut() {
        let Some(entry) = find_entry(sample, metasra) else {
            report.unmatched.push(sample.sample_id.clone());
            continue;
        };
        report.matched += 1;
        fill_one(sample, entry, tissue_terms, &mut report);
    }
    report
}

fn find_entry<'a>(sample: &SampleMeta, metasra: &'a MetaSra) -> Option<&'a MetaSraSample> {
    metasra.get(&sample.sample_id).or_else(|| {
        ACCESSION_ATTRIBUTES
            .iter()
            .filter_map(|key| sample.attributes.get(*key))
            .find_map(|acc| metasra.get(acc))
    })
}

fn fill_one(
    sample: &mut SampleMeta,
    entry: &MetaSraSample,
    tissue_terms: &BTreeMap<String, String>,
    report: &mut FillReport,
) {
    if sample.sample_source.is_none() {
        if let Some(source) = entry.sample_source() {
            sample.sample_source = Some(source);
            sample.sample_source_confidence = entry.sample_type_confidence.map(|c| c as f32);
        }
    }
    match entry.sex_evidence() {
        SexEvidence::Conflict => report.sex_conflicts.push(sample.sample_id.clone()),
        _ if sample.sex.is_none() => sample.sex = entry.sex(),
        _ => {}
    }
    let labels: BTreeMap<&str, ()> = entry
        .mapped_terms
        .iter()
        .filter_map(|t| tissue_terms.get(t))
        .map(|l| (l.as_str(), ()))
        .collect();
    if labels.len() > 1 {
        report.tissue_conflicts.push(sample.sample_id.clone());
    } else if let (None, Some(label)) = (&sample.tissue, labels.keys().next()) {
        sample.tissue = Some((*label).to_owned());
    }
    record_attributes(sample, entry);
}

fn record_attributes(sample: &mut SampleMeta, entry: &MetaSraSample) {
    let attrs = &mut sample.attributes;
    if let Some(t) = &entry.sample_type {
        attrs.insert("metasra_sample_type".into(), t.clone());
    }
    if let Some(c) = entry.sample_type_confidence {
        attrs.insert("metasra_sample_type_confidence".into(), c.to_string());
    }
    if !entry.mapped_terms.is_empty() {
        attrs.insert("metasra_mapped_terms".into(), entry.mapped_terms.join(","));
    }
    if entry.sex_evidence() == SexEvidence::Conflict {
        attrs.insert("metasra_sex".into(), "conflict".into());
    }
    for p in &entry.real_value_properties {
        let value = match &p.unit_id {
            Some(unit) => format!("{} {unit}", p.value),
            None => p.value.to_string(),
        };
        attrs.insert(format!("metasra_real_value:{}", p.property_id), value);
    }
}
