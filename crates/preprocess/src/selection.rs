//! Gene selections: protein-coding genes, Gini windows, and the paper's recipe per task.
//!
//! Wartmann et al. select genes by their Gini coefficient across samples (BioQC's definition, see
//! [`crate::gini`]): tissue 0.5 < g < 1 on protein-coding genes; sex 0.4 < g < 0.7 on the
//! protein-coding genes of chrX and chrY; sample source 0.3 < g < 0.8 on all genes. Windows are
//! open at both ends, as written in the paper. A gene whose biotype is unknown is not counted as
//! protein coding; the selection's reason says how many such genes there were.

use rnameta_core::{GeneAnnotation, Task};
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// An ordered list of gene ids and why they were chosen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GeneSelection {
    /// Canonical gene ids, in the column order of the annotation they were chosen from.
    pub gene_ids: Vec<String>,
    /// Human-readable reason (filters, thresholds, counts).
    pub reason: String,
}

/// An open interval of Gini coefficients, `low < g < high`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GiniWindow {
    /// Exclusive lower bound.
    pub low: f64,
    /// Exclusive upper bound.
    pub high: f64,
}

impl GiniWindow {
    /// The paper's tissue window, 0.5 < g < 1.
    pub const TISSUE: Self = Self {
        low: 0.5,
        high: 1.0,
    };
    /// The paper's sex window, 0.4 < g < 0.7.
    pub const SEX: Self = Self {
        low: 0.4,
        high: 0.7,
    };
    /// The paper's sample source window, 0.3 < g < 0.8.
    pub const SAMPLE_SOURCE: Self = Self {
        low: 0.3,
        high: 0.8,
    };

    /// True when `g` lies strictly inside the window.
    pub fn contains(&self, g: f64) -> bool {
        g > self.low && g < self.high
    }

    /// The paper's window for a task.
    pub fn for_task(task: Task) -> Self {
        match task {
            Task::Tissue => Self::TISSUE,
            Task::Sex => Self::SEX,
            Task::SampleSource => Self::SAMPLE_SOURCE,
        }
    }
}

/// Columns of the annotation whose biotype is `protein_coding`.
fn is_protein_coding(genes: &GeneAnnotation) -> Vec<bool> {
    genes
        .genes()
        .iter()
        .map(|g| g.biotype.as_deref() == Some("protein_coding"))
        .collect()
}

fn unknown_biotypes(genes: &GeneAnnotation) -> usize {
    genes.genes().iter().filter(|g| g.biotype.is_none()).count()
}

/// The protein-coding genes.
pub fn protein_coding(genes: &GeneAnnotation) -> GeneSelection {
    let keep = is_protein_coding(genes);
    let gene_ids: Vec<String> = genes
        .genes()
        .iter()
        .zip(&keep)
        .filter(|(_, &k)| k)
        .map(|(g, _)| g.id.clone())
        .collect();
    GeneSelection {
        reason: format!(
            "biotype protein_coding: {} of {} genes ({} with unknown biotype excluded)",
            gene_ids.len(),
            genes.len(),
            unknown_biotypes(genes)
        ),
        gene_ids,
    }
}

/// Genes whose Gini coefficient lies in `window`, optionally only protein-coding ones and only on
/// the given chromosomes (`X`, `Y`; compared without a `chr` prefix).
pub fn by_gini(
    genes: &GeneAnnotation,
    gini: &[f64],
    window: GiniWindow,
    protein_coding_only: bool,
    chromosomes: Option<&[&str]>,
) -> Result<GeneSelection> {
    if gini.len() != genes.len() {
        return Err(Error::LengthMismatch {
            what: "Gini coefficients",
            expected: genes.len(),
            got: gini.len(),
        });
    }
    let coding = is_protein_coding(genes);
    let gene_ids: Vec<String> = genes
        .genes()
        .iter()
        .enumerate()
        .filter(|&(i, g)| {
            window.contains(gini[i])
                && (!protein_coding_only || coding[i])
                && chromosomes.is_none_or(|chs| {
                    g.chromosome.as_deref().is_some_and(|c| {
                        let c = rnameta_core::GeneInfo::normalise_chromosome(c);
                        chs.iter()
                            .any(|w| rnameta_core::GeneInfo::normalise_chromosome(w) == c)
                    })
                })
        })
        .map(|(_, g)| g.id.clone())
        .collect();
    let mut reason = format!("{} < Gini < {}", window.low, window.high);
    if protein_coding_only {
        reason.push_str(&format!(
            ", protein_coding ({} genes of unknown biotype excluded)",
            unknown_biotypes(genes)
        ));
    }
    if let Some(chs) = chromosomes {
        reason.push_str(&format!(", chromosomes {}", chs.join("+")));
    }
    reason.push_str(&format!(": {} of {} genes", gene_ids.len(), genes.len()));
    Ok(GeneSelection { gene_ids, reason })
}

/// The paper's selection for a task (window, protein-coding filter and chromosomes as in the
/// module doc).
pub fn paper_selection(task: Task, genes: &GeneAnnotation, gini: &[f64]) -> Result<GeneSelection> {
    let window = GiniWindow::for_task(task);
    let mut s = match task {
        Task::Tissue => by_gini(genes, gini, window, true, None)?,
        Task::Sex => by_gini(genes, gini, window, true, Some(&["X", "Y"]))?,
        Task::SampleSource => by_gini(genes, gini, window, false, None)?,
    };
    s.reason = format!("{task} genes (Wartmann et al.): {}", s.reason);
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rnameta_core::GeneInfo;

    fn gene(id: &str, biotype: Option<&str>, chr: &str) -> GeneInfo {
        GeneInfo {
            biotype: biotype.map(str::to_owned),
            chromosome: Some(chr.to_owned()),
            ..GeneInfo::from_id(id)
        }
    }

    #[test]
    fn paper_windows_and_filters() {
        let genes = GeneAnnotation::new(vec![
            gene("G1", Some("protein_coding"), "1"),
            gene("G2", Some("lncRNA"), "1"),
            gene("G3", Some("protein_coding"), "X"),
            gene("G4", Some("protein_coding"), "chrY"),
            gene("G5", None, "X"),
            gene("G6", Some("protein_coding"), "1"),
        ])
        .unwrap();
        let gini = [0.6, 0.6, 0.5, 0.45, 0.6, 1.0];
        let t = paper_selection(Task::Tissue, &genes, &gini).unwrap();
        // G3 sits on the open bound 0.5; G6 on the open bound 1.0.
        assert_eq!(t.gene_ids, ["G1"]);
        let s = paper_selection(Task::Sex, &genes, &gini).unwrap();
        assert_eq!(s.gene_ids, ["G3", "G4"]);
        let src = paper_selection(Task::SampleSource, &genes, &gini).unwrap();
        assert_eq!(src.gene_ids, ["G1", "G2", "G3", "G4", "G5"]);
        assert!(s.reason.contains("X+Y"), "{}", s.reason);
        assert_eq!(protein_coding(&genes).gene_ids, ["G1", "G3", "G4", "G6"]);
        assert!(by_gini(&genes, &[0.1], GiniWindow::SEX, false, None).is_err());
    }
}
