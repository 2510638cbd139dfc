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

/// Where the sequenced cells came from: a piece of tissue, a cultured cell line, or one of
/// MetaSRA's other sample types (Bernstein et al. 2017), each kept as a class of its own so that
/// nothing is merged silently. The paper's sample-source task is biopsy vs cell line; biopsy vs
/// everything else is `--one-vs-all biopsy` (see `Grouping`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum SampleSource {
    /// Tissue taken from a body (biopsy, autopsy, surgical resection); MetaSRA's `tissue`.
    Biopsy,
    /// A cultured cell line; MetaSRA's `cell line`.
    CellLine,
    /// Cells isolated from a body and cultured or sorted without immortalisation; MetaSRA's
    /// `primary cells`.
    PrimaryCells,
    /// Stem cells (embryonic, adult) other than induced pluripotent ones; MetaSRA's `stem cells`.
    StemCells,
    /// Induced pluripotent stem cells; MetaSRA's `induced pluripotent stem cell line`. Labelled
    /// `induced_pluripotent_stem_cells`; `ipsc` is read too.
    InducedPluripotent,
    /// Cells differentiated in vitro (from stem cells, iPSCs); MetaSRA's
    /// `in vitro differentiated cells`.
    InVitroDifferentiated,
}

impl SampleSource {
    /// Every sample source, in label order (biopsy and cell line first, as the paper's task).
    pub const ALL: [Self; 6] = [
        Self::Biopsy,
        Self::CellLine,
        Self::PrimaryCells,
        Self::StemCells,
        Self::InducedPluripotent,
        Self::InVitroDifferentiated,
    ];

    /// The label used in tables.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Biopsy => "biopsy",
            Self::CellLine => "cell_line",
            Self::PrimaryCells => "primary_cells",
            Self::StemCells => "stem_cells",
            Self::InducedPluripotent => "induced_pluripotent_stem_cells",
            Self::InVitroDifferentiated => "in_vitro_differentiated_cells",
        }
    }

    /// Reads the labels of [`SampleSource::as_str`], `tissue` / `biopsy` / `cell line` and
    /// MetaSRA's sample types as MetaSRA writes them (`primary cells`, `stem cells`,
    /// `in vitro differentiated cells`, `induced pluripotent stem cell line`), in any case, with
    /// `_` or `-` for spaces and singular or plural. The one reading of sample types, shared by
    /// label tables, MetaSRA, ARCHS4 and the simulator's truth. `None` for anything else.
    pub fn parse_loose(raw: &str) -> Option<Self> {
        let lower = raw.trim().to_ascii_lowercase().replace(['_', '-'], " ");
        let s = lower.split_whitespace().collect::<Vec<_>>().join(" ");
        match s.as_str() {
            "biopsy" | "tissue" | "primary tissue" => Some(Self::Biopsy),
            "cell line" | "cellline" | "cell lines" => Some(Self::CellLine),
            "primary cells" | "primary cell" => Some(Self::PrimaryCells),
            "stem cells" | "stem cell" => Some(Self::StemCells),
            "induced pluripotent stem cells"
            | "induced pluripotent stem cell"
            | "induced pluripotent stem cell line"
            | "induced pluripotent stem cell lines"
            | "ipsc"
            | "ipscs"
            | "ips cells" => Some(Self::InducedPluripotent),
            "in vitro differentiated cells" | "in vitro differentiated cell" => {
                Some(Self::InVitroDifferentiated)
            }
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

    /// Whether the sample carries a label of any task (a tissue, a sex or a sample source): the
    /// samples a model can train or be scored on.
    pub fn is_labelled(&self) -> bool {
        self.tissue.is_some() || self.sex.is_some() || self.sample_source.is_some()
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

    #[test]
    fn metasra_sample_types_are_their_own_classes() {
        for (raw, want) in [
            ("tissue", SampleSource::Biopsy),
            ("cell line", SampleSource::CellLine),
            ("primary cells", SampleSource::PrimaryCells),
            ("stem cells", SampleSource::StemCells),
            (
                "in vitro differentiated cells",
                SampleSource::InVitroDifferentiated,
            ),
            (
                "induced pluripotent stem cell line",
                SampleSource::InducedPluripotent,
            ),
            ("iPSC", SampleSource::InducedPluripotent),
            ("Primary_Cells", SampleSource::PrimaryCells),
        ] {
            assert_eq!(SampleSource::parse_loose(raw), Some(want), "{raw:?}");
        }
    }

    #[test]
    fn every_sample_source_label_reads_back() {
        for source in SampleSource::ALL {
            assert_eq!(
                SampleSource::parse_loose(source.as_str()),
                Some(source),
                "{source}"
            );
        }
        assert_eq!(SampleSource::parse_loose("organoid"), None);
    }
}
