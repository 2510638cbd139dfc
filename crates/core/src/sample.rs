//! Samples: identifiers, where they come from, and the metadata rnameta predicts.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::Error;

/// The resource a sample was taken from. Each carries its own technical bias: GTEx is one
/// homogeneous source, TCGA a few, SRA and ARCHS4 a different one per study.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
pub enum DataSource {
    /// The Genotype-Tissue Expression project.
    Gtex,
    /// The Cancer Genome Atlas.
    Tcga,
    /// A study from the Sequence Read Archive (recount2 / recount3 `sra`).
    Sra,
    /// A sample from the ARCHS4 compendium (GEO).
    Archs4,
    /// Anything else (a user's own samples).
    #[default]
    Other,
}

impl DataSource {
    /// Short lower-case name used in files and tables.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Gtex => "gtex",
            Self::Tcga => "tcga",
            Self::Sra => "sra",
            Self::Archs4 => "archs4",
            Self::Other => "other",
        }
    }
}

impl fmt::Display for DataSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for DataSource {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        match s.trim().to_ascii_lowercase().as_str() {
            "gtex" => Ok(Self::Gtex),
            "tcga" => Ok(Self::Tcga),
            "sra" => Ok(Self::Sra),
            "archs4" => Ok(Self::Archs4),
            "other" => Ok(Self::Other),
            _ => Err(Error::Unparsable {
                value: s.to_owned(),
                what: "a data source (gtex, tcga, sra, archs4, other)",
            }),
        }
    }
}

/// Biological sex as annotated (or predicted).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Sex {
    /// Female.
    Female,
    /// Male.
    Male,
}

impl Sex {
    /// Reads the spellings found in public metadata: `female`, `F`, `Female`, `woman`, GTEx's `2`...
    /// `None` for values that state no sex (`unknown`, `NA`, `mixed`, empty).
    pub fn parse_loose(raw: &str) -> Option<Self> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "female" | "f" | "woman" | "women" | "girl" | "fem" => Some(Self::Female),
            "male" | "m" | "man" | "men" | "boy" => Some(Self::Male),
            _ => None,
        }
    }

    /// The label used in tables.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Female => "female",
            Self::Male => "male",
        }
    }
}

impl fmt::Display for Sex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where the sequenced cells came from: a piece of tissue, or a cultured cell line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum SampleSource {
    /// Tissue taken from a body (biopsy, autopsy, surgical resection).
    Biopsy,
    /// A cultured cell line.
    CellLine,
}

impl SampleSource {
    /// The label used in tables.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Biopsy => "biopsy",
            Self::CellLine => "cell_line",
        }
    }

    /// Reads `tissue` / `biopsy` / `cell line` and MetaSRA's sample types.
    pub fn parse_loose(raw: &str) -> Option<Self> {
        let s = raw.trim().to_ascii_lowercase().replace(['_', '-'], " ");
        match s.as_str() {
            "biopsy" | "tissue" | "primary tissue" => Some(Self::Biopsy),
            "cell line" | "cellline" | "cell_line" => Some(Self::CellLine),
            _ => None,
        }
    }
}

impl fmt::Display for SampleSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Everything known about one sample besides its expression.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SampleMeta {
    /// The sample's id in its file (a matrix column name, a GSM, a GTEx SAMPID). Unique in a dataset.
    pub sample_id: String,
    /// Sequencing run accession (SRR / ERR / DRR), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run: Option<String>,
    /// Experiment accession (SRX); technical replicates share one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub experiment: Option<String>,
    /// Study accession (SRP, a GEO series, a TCGA project); splits never put one study on both sides.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub study: Option<String>,
    /// The resource the sample comes from.
    pub data_source: DataSource,
    /// Tissue of origin, as a free-text label (`lung`, `brain`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tissue: Option<String>,
    /// Annotated sex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sex: Option<Sex>,
    /// Annotated sample source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sample_source: Option<SampleSource>,
    /// Confidence of the sample source annotation in [0, 1] (MetaSRA gives one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sample_source_confidence: Option<f32>,
    /// Any further key/value metadata the source file carried (kept for the user, never required).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, String>,
}

impl SampleMeta {
    /// A sample known only by its id and source.
    pub fn new(sample_id: impl Into<String>, data_source: DataSource) -> Self {
        Self {
            sample_id: sample_id.into(),
            data_source,
            ..Self::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_loose_spellings() {
        assert_eq!(Sex::parse_loose(" Female "), Some(Sex::Female));
        assert_eq!(Sex::parse_loose("M"), Some(Sex::Male));
        assert_eq!(Sex::parse_loose("unknown"), None);
        assert_eq!(
            SampleSource::parse_loose("cell line"),
            Some(SampleSource::CellLine)
        );
        assert_eq!(
            SampleSource::parse_loose("Tissue"),
            Some(SampleSource::Biopsy)
        );
        assert_eq!("GTEx".parse::<DataSource>().unwrap(), DataSource::Gtex);
        assert!("geo".parse::<DataSource>().is_err());
    }
}
