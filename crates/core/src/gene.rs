//! Genes: the canonical id, and what the annotation knows about each gene.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// Removes an Ensembl version suffix (`ENSG00000229807.11` -> `ENSG00000229807`).
///
/// The canonical gene key of rnameta is the unversioned Ensembl id, so that recount3 (versioned,
/// GENCODE v26 / v29) and ARCHS4 (unversioned) data meet on the same genes. GENCODE's `_PAR_Y`
/// suffix for pseudo-autosomal copies is kept: those are distinct rows of a GENCODE matrix.
/// Ids that are not Ensembl-like (symbols, RefSeq) are returned unchanged.
pub fn strip_version(id: &str) -> &str {
    match id.split_once('.') {
        Some((stem, version))
            if id.starts_with("ENS")
                && !version.is_empty()
                && version.bytes().all(|b| b.is_ascii_digit()) =>
        {
            stem
        }
        _ => id,
    }
}

/// What kind of identifier a set of gene ids is; tells a user whether a download will match a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum GeneIdKind {
    /// Ensembl gene ids with a version suffix (`ENSG00000141956.13`).
    EnsemblVersioned,
    /// Ensembl gene ids without version (`ENSG00000141956`).
    Ensembl,
    /// RefSeq transcript accessions (`NM_000014`, `NR_...`).
    RefSeq,
    /// Entrez gene ids (all digits).
    Entrez,
    /// Anything else; assumed to be gene symbols (`XIST`).
    Symbol,
}

impl GeneIdKind {
    /// Classifies a list of ids by majority; `None` for an empty list.
    pub fn detect<'a>(ids: impl IntoIterator<Item = &'a str>) -> Option<Self> {
        let mut counts = [0usize; 5];
        for id in ids {
            counts[Self::of(id) as usize] += 1;
        }
        let (best, &n) = counts.iter().enumerate().max_by_key(|(_, n)| **n)?;
        (n > 0).then(|| Self::ALL[best])
    }

    const ALL: [Self; 5] = [
        Self::EnsemblVersioned,
        Self::Ensembl,
        Self::RefSeq,
        Self::Entrez,
        Self::Symbol,
    ];

    /// What ids of this kind are, for messages: "gene symbols (e.g. XIST)".
    pub fn describe(self) -> &'static str {
        match self {
            Self::EnsemblVersioned => "versioned Ensembl gene ids (e.g. ENSG00000229807.12)",
            Self::Ensembl => "Ensembl gene ids (e.g. ENSG00000229807)",
            Self::RefSeq => "RefSeq accessions (e.g. NM_000014)",
            Self::Entrez => "Entrez gene ids (e.g. 7503)",
            Self::Symbol => "gene symbols (e.g. XIST)",
        }
    }

    /// True when ids of `self` and `other` can be matched directly (Ensembl ids match across
    /// versions).
    pub fn matches(self, other: Self) -> bool {
        let ensembl = |k| matches!(k, Self::Ensembl | Self::EnsemblVersioned);
        self == other || (ensembl(self) && ensembl(other))
    }

    /// Classifies one id.
    pub fn of(id: &str) -> Self {
        if id.starts_with("ENS") && id.len() > 4 {
            if id.contains('.') {
                Self::EnsemblVersioned
            } else {
                Self::Ensembl
            }
        } else if ["NM_", "NR_", "XM_", "XR_"]
            .iter()
            .any(|p| id.starts_with(p))
        {
            Self::RefSeq
        } else if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) {
            Self::Entrez
        } else {
            Self::Symbol
        }
    }
}

/// Which kind of id led to an Ensembl gene when a file keyed by another kind of id is mapped onto
/// the canonical key; the load report counts mapped ids per kind, so a user sees what happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum IdVia {
    /// Already an Ensembl gene id (its version, if any, stripped).
    Ensembl,
    /// An Entrez gene id.
    Entrez,
    /// A RefSeq RNA accession (`NM_`, `NR_`, `XM_`, `XR_`; its version, if any, stripped).
    RefSeq,
    /// An official gene symbol.
    Symbol,
    /// An alias (previous or alternative symbol) of a gene, not its official symbol.
    Alias,
}

impl IdVia {
    /// The kind in words, plural, for messages ("RefSeq accessions").
    pub fn plural(self) -> &'static str {
        match self {
            Self::Ensembl => "Ensembl ids",
            Self::Entrez => "Entrez ids",
            Self::RefSeq => "RefSeq accessions",
            Self::Symbol => "symbols",
            Self::Alias => "alias symbols",
        }
    }
}

/// Where one gene id leads among Ensembl genes: the answer of a gene id table
/// (`rnameta_io::gene_ids`). Several candidates are never guessed between.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnsemblMapping {
    /// Exactly one Ensembl gene (unversioned id).
    Unique(String),
    /// Several Ensembl genes (sorted): the id names more than one gene, so it is left unmapped.
    Ambiguous(Vec<String>),
    /// The table does not know the id.
    Unknown,
}

/// What is known about one gene. Only the id is required; readers fill in what their format carries.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GeneInfo {
    /// Canonical id: the Ensembl gene id without version, or the file's own id when not Ensembl.
    pub id: String,
    /// The id exactly as the source file wrote it (with version), when it differed from `id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_id: Option<String>,
    /// HGNC-style symbol (`XIST`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub symbol: Option<String>,
    /// Chromosome without `chr` prefix (`X`, `21`, `MT`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chromosome: Option<String>,
    /// Gene biotype (`protein_coding`, `lncRNA`, `processed_pseudogene`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub biotype: Option<String>,
    /// Length in bases of the gene's longest transcript (the ARCHS4 length normalisation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub longest_transcript_length: Option<u32>,
    /// Length in bases of the union of all the gene's exons (recount3's `bp_length`; TPM).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub union_exon_length: Option<u32>,
    /// GC content in percent, where the annotation carries it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gc_percent: Option<f32>,
}

impl GeneInfo {
    /// A gene known only by its id; the version, if any, is stripped into `source_id`.
    pub fn from_id(raw_id: &str) -> Self {
        let id = strip_version(raw_id);
        Self {
            id: id.to_owned(),
            source_id: (id != raw_id).then(|| raw_id.to_owned()),
            ..Self::default()
        }
    }

    /// Chromosome normalised without a `chr` prefix, so that `chrX` and `X` compare equal.
    pub fn normalise_chromosome(raw: &str) -> String {
        let s = raw.strip_prefix("chr").unwrap_or(raw);
        if s == "M" {
            "MT".to_owned()
        } else {
            s.to_owned()
        }
    }
}

/// The genes of a matrix, in column order, with a lookup from canonical id to column.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(from = "Vec<GeneInfo>", into = "Vec<GeneInfo>")]
pub struct GeneAnnotation {
    genes: Vec<GeneInfo>,
    index: HashMap<String, usize>,
}

impl GeneAnnotation {
    /// Builds the annotation; refuses two genes with one canonical id.
    pub fn new(genes: Vec<GeneInfo>) -> Result<Self> {
        let mut index = HashMap::with_capacity(genes.len());
        for (column, gene) in genes.iter().enumerate() {
            if let Some(first) = index.insert(gene.id.clone(), column) {
                return Err(Error::DuplicateGene {
                    id: gene.id.clone(),
                    first,
                    second: column,
                });
            }
        }
        Ok(Self { genes, index })
    }

    /// Number of genes.
    pub fn len(&self) -> usize {
        self.genes.len()
    }

    /// True when there are no genes.
    pub fn is_empty(&self) -> bool {
        self.genes.is_empty()
    }

    /// Column of a gene, looked up by canonical id (a versioned id is stripped first).
    pub fn position(&self, id: &str) -> Option<usize> {
        self.index.get(strip_version(id)).copied()
    }

    /// The gene of a column.
    pub fn get(&self, column: usize) -> Option<&GeneInfo> {
        self.genes.get(column)
    }

    /// The gene with this canonical id.
    pub fn by_id(&self, id: &str) -> Option<&GeneInfo> {
        self.position(id).map(|i| &self.genes[i])
    }

    /// All genes, in column order.
    pub fn genes(&self) -> &[GeneInfo] {
        &self.genes
    }

    /// Canonical ids in column order.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.genes.iter().map(|g| g.id.as_str())
    }

    /// Fills missing fields of each gene from another annotation (matched by canonical id), e.g. the
    /// biotypes and lengths of a GTF onto the bare ids of a count matrix. Returns how many matched.
    pub fn fill_from(&mut self, other: &GeneAnnotation) -> usize {
        let mut matched = 0;
        for gene in &mut self.genes {
            let Some(src) = other.by_id(&gene.id) else {
                continue;
            };
            matched += 1;
            fill(&mut gene.symbol, &src.symbol);
            fill(&mut gene.chromosome, &src.chromosome);
            fill(&mut gene.biotype, &src.biotype);
            fill(
                &mut gene.longest_transcript_length,
                &src.longest_transcript_length,
            );
            fill(&mut gene.union_exon_length, &src.union_exon_length);
            fill(&mut gene.gc_percent, &src.gc_percent);
        }
        matched
    }

    /// Consumes the annotation, giving back its genes.
    pub fn into_genes(self) -> Vec<GeneInfo> {
        self.genes
    }
}

fn fill<T: Clone>(slot: &mut Option<T>, from: &Option<T>) {
    if slot.is_none() {
        slot.clone_from(from);
    }
}

impl From<Vec<GeneInfo>> for GeneAnnotation {
    /// Used by deserialisation only; a duplicate id keeps the first column for lookups.
    fn from(genes: Vec<GeneInfo>) -> Self {
        let mut index = HashMap::with_capacity(genes.len());
        for (column, gene) in genes.iter().enumerate() {
            index.entry(gene.id.clone()).or_insert(column);
        }
        Self { genes, index }
    }
}

impl From<GeneAnnotation> for Vec<GeneInfo> {
    fn from(a: GeneAnnotation) -> Self {
        a.genes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_ensembl_versions_only() {
        assert_eq!(strip_version("ENSG00000229807.11"), "ENSG00000229807");
        assert_eq!(strip_version("ENSG00000229807"), "ENSG00000229807");
        assert_eq!(
            strip_version("ENSG00000002586.18_PAR_Y"),
            "ENSG00000002586.18_PAR_Y"
        );
        assert_eq!(strip_version("XIST"), "XIST");
        assert_eq!(strip_version("RP11-1.2"), "RP11-1.2");
    }

    #[test]
    fn detects_id_kinds() {
        let ids = ["ENSG00000141956.13", "ENSG00000141959.16", "XIST"];
        assert_eq!(GeneIdKind::detect(ids), Some(GeneIdKind::EnsemblVersioned));
        assert_eq!(GeneIdKind::detect(["NM_000014"]), Some(GeneIdKind::RefSeq));
        assert_eq!(GeneIdKind::detect(["7105"]), Some(GeneIdKind::Entrez));
        assert_eq!(GeneIdKind::detect(Vec::<&str>::new()), None);
    }

    #[test]
    fn refuses_duplicate_canonical_ids() {
        let genes = vec![GeneInfo::from_id("ENSG1.1"), GeneInfo::from_id("ENSG1.2")];
        assert!(matches!(
            GeneAnnotation::new(genes),
            Err(Error::DuplicateGene {
                first: 0,
                second: 1,
                ..
            })
        ));
    }

    #[test]
    fn looks_up_versioned_ids_and_fills_fields() {
        let mut a = GeneAnnotation::new(vec![GeneInfo::from_id("ENSG00000000003.14")]).unwrap();
        assert_eq!(a.position("ENSG00000000003.15"), Some(0));
        let b = GeneAnnotation::new(vec![GeneInfo {
            id: "ENSG00000000003".into(),
            symbol: Some("TSPAN6".into()),
            ..GeneInfo::default()
        }])
        .unwrap();
        assert_eq!(a.fill_from(&b), 1);
        assert_eq!(a.get(0).unwrap().symbol.as_deref(), Some("TSPAN6"));
        let json = serde_json::to_string(&a).unwrap();
        let back: GeneAnnotation = serde_json::from_str(&json).unwrap();
        assert_eq!(back, a);
    }
}
