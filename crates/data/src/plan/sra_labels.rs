//! The labels of SRA samples: MetaSRA's, as the paper took them (Wartmann et al. label SRA
//! samples by MetaSRA only, not by the submitters' free text), read through io's one reading of
//! MetaSRA ([`rnameta_io::metasra::fill_sample_metas`]): the sample type as the sample source,
//! UBERON's female / male organism terms as the sex, and the UBERON terms rolled up to rnameta's
//! 31 tissues as the tissue.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rnameta_core::SampleMeta;
use rnameta_io::detect::{self, Format};
use rnameta_io::metasra::{self, FillReport, MetaSra, RollUp};
use rnameta_io::obo::Ontology;

use crate::error::{Error, Result};

/// A MetaSRA release and the UBERON term -> tissue map that turns its terms into tissues.
#[derive(Debug, Clone)]
pub struct MetaSraLabels {
    path: PathBuf,
    metasra: MetaSra,
    tissue_terms: BTreeMap<String, String>,
    tissue_terms_from: String,
}

impl MetaSraLabels {
    /// Reads a MetaSRA release (JSON, plain or gzip) and, when `uberon` names UBERON's OBO file
    /// (`rnameta fetch uberon`), rolls every UBERON term up to a tissue with it
    /// ([`RollUp::for_tissues`]); without it the built-in table
    /// ([`rnameta_io::metasra::uberon::tissue_terms`]) is used. A file of another format, or JSON
    /// that holds no MetaSRA annotation, is refused naming what it is.
    pub fn read(metasra_path: &Path, uberon: Option<&Path>) -> Result<Self> {
        let format = detect::detect(metasra_path)?;
        if format != Format::MetaSraJson {
            return Err(Error::NotMetaSra {
                path: metasra_path.to_path_buf(),
                format,
            });
        }
        let metasra = metasra::read_metasra(metasra_path)?;
        check_release(metasra_path, &metasra)?;
        let (tissue_terms, tissue_terms_from) = match uberon {
            Some(obo) => {
                let ontology = Ontology::read(obo)?;
                (
                    RollUp::for_tissues(&ontology).tissue_terms(),
                    format!("UBERON roll-up of {}", obo.display()),
                )
            }
            None => (
                metasra::uberon::tissue_terms(),
                "rnameta's built-in UBERON table".to_owned(),
            ),
        };
        Ok(Self::new(
            metasra_path,
            metasra,
            tissue_terms,
            tissue_terms_from,
        ))
    }

    /// Labels from a MetaSRA release in memory (`path` names it in reports) and a term -> tissue
    /// map (`from` says where the map comes from).
    pub fn new(
        path: impl Into<PathBuf>,
        metasra: MetaSra,
        tissue_terms: BTreeMap<String, String>,
        from: impl Into<String>,
    ) -> Self {
        Self {
            path: path.into(),
            metasra,
            tissue_terms,
            tissue_terms_from: from.into(),
        }
    }

    /// The MetaSRA file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Samples the release annotates.
    pub fn len(&self) -> usize {
        self.metasra.len()
    }

    /// True when the release annotates no sample.
    pub fn is_empty(&self) -> bool {
        self.metasra.is_empty()
    }

    /// Where the term -> tissue map comes from, in words.
    pub fn tissue_terms_from(&self) -> &str {
        &self.tissue_terms_from
    }

    /// Fills the tissue, sex and sample source of `samples` (ids: SRA sample accessions) from
    /// MetaSRA; fields already set are kept, so callers pass samples with none set.
    pub fn fill(&self, samples: &mut [SampleMeta]) -> FillReport {
        metasra::fill_sample_metas(samples, &self.metasra, &self.tissue_terms)
    }

    /// MetaSRA's confidence in the sample type of an accession.
    pub fn sample_type_confidence(&self, accession: &str) -> Option<f64> {
        self.metasra.get(accession)?.sample_type_confidence
    }
}

/// MetaSRA's keys are SRA sample accessions (`SRS`, `ERS`, `DRS` and digits) and its entries
/// carry terms or a sample type; a JSON object of other keys or of empty entries is not a
/// release.
fn check_release(path: &Path, metasra: &MetaSra) -> Result<()> {
    let refuse = |why: String| Error::NotMetaSraRelease {
        path: path.to_path_buf(),
        why,
    };
    if metasra.is_empty() {
        return Err(refuse("it annotates no sample".to_owned()));
    }
    let is_accession = |key: &str| {
        let digits = key
            .strip_prefix("SRS")
            .or_else(|| key.strip_prefix("ERS"))
            .or_else(|| key.strip_prefix("DRS"));
        digits.is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
    };
    let samples = metasra.samples();
    if !samples.iter().any(|s| is_accession(&s.accession)) {
        let first: Vec<&str> = samples
            .iter()
            .take(3)
            .map(|s| s.accession.as_str())
            .collect();
        return Err(refuse(format!(
            "its keys are not SRA sample accessions (SRS..., ERS..., DRS...; first keys: {})",
            first.join(", ")
        )));
    }
    if !samples
        .iter()
        .any(|s| !s.mapped_terms.is_empty() || s.sample_type.is_some())
    {
        return Err(refuse(
            "no entry has mapped ontology terms or a sample type".to_owned(),
        ));
    }
    Ok(())
}
