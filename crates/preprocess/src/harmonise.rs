//! Gene harmonisation: bring a dataset's genes onto canonical Ensembl ids, and onto a model's genes.
//!
//! [`to_annotation`] maps every column to a gene of a reference annotation: by Ensembl id (the
//! version stripped) or, failing that, by symbol (exact, then case-insensitive; a symbol naming
//! several genes is ambiguous and left unmapped). Columns that land on one gene are summed or
//! refused, as the caller chooses. [`reorder_to`] puts a dataset in a model's gene order, filling
//! missing genes with a stated value only while they are at most a stated fraction.

use std::collections::{BTreeMap, HashMap};

use ndarray::Array2;
use rnameta_core::{
    strip_version, Dataset, EnsemblMapping, GeneAnnotation, GeneInfo, IdVia, ValueKind,
};
use serde::{Deserialize, Serialize};

use crate::error::list_some;
use crate::{Error, Result};

/// What to do when several columns map to one gene.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DuplicatePolicy {
    /// Add their values (counts of one gene split over several ids or symbols).
    Sum,
    /// Refuse with both source genes named.
    Refuse,
}

/// A column that could not be mapped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unmapped {
    /// The id as the dataset had it (with version, if any).
    pub source_id: String,
    /// Why: not in the annotation, or an ambiguous symbol (with the candidates).
    pub reason: String,
}

/// What [`to_annotation`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HarmoniseReport {
    /// Columns mapped by Ensembl id.
    pub by_id: usize,
    /// Columns mapped by symbol.
    pub by_symbol: usize,
    /// Columns whose id carried a version that was stripped.
    pub versions_stripped: usize,
    /// Columns dropped because they did not map.
    pub unmapped: Vec<Unmapped>,
    /// Target genes that received several columns (summed): target id -> source ids.
    pub merged: BTreeMap<String, Vec<String>>,
}

/// Maps the columns of `data` onto genes of `reference`; the result's genes carry the reference's
/// annotation (biotype, chromosome, lengths), in the order the columns first mapped.
pub fn to_annotation(
    data: &Dataset,
    reference: &GeneAnnotation,
    duplicates: DuplicatePolicy,
) -> Result<(Dataset, HarmoniseReport)> {
    let mut by_symbol: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut by_upper: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, g) in reference.genes().iter().enumerate() {
        if let Some(s) = g.symbol.as_deref() {
            by_symbol.entry(s).or_default().push(i);
            by_upper.entry(s.to_ascii_uppercase()).or_default().push(i);
        }
    }
    let mut report = HarmoniseReport::default();
    // target reference column -> output column, and output column -> source columns
    let mut out_of: HashMap<usize, usize> = HashMap::new();
    let mut targets: Vec<usize> = Vec::new();
    let mut sources: Vec<Vec<usize>> = Vec::new();
    for (c, g) in data.genes().genes().iter().enumerate() {
        let raw = g.source_id.as_deref().unwrap_or(&g.id);
        if strip_version(raw) != raw {
            report.versions_stripped += 1;
        }
        let target = if let Some(t) = reference.position(strip_version(&g.id)) {
            report.by_id += 1;
            Some(t)
        } else {
            let key = g.symbol.as_deref().unwrap_or(&g.id);
            let candidates = by_symbol
                .get(key)
                .cloned()
                .or_else(|| by_upper.get(&key.to_ascii_uppercase()).cloned());
            match candidates.as_deref() {
                Some([t]) => {
                    report.by_symbol += 1;
                    Some(*t)
                }
                Some(many) => {
                    report.unmapped.push(Unmapped {
                        source_id: raw.to_owned(),
                        reason: format!(
                            "symbol {key:?} names {} genes: {}",
                            many.len(),
                            list_some(many.iter().map(|&i| reference.genes()[i].id.as_str()), 5)
                        ),
                    });
                    None
                }
                None => {
                    report.unmapped.push(Unmapped {
                        source_id: raw.to_owned(),
                        reason: "neither the id nor the symbol is in the annotation".into(),
                    });
                    None
                }
            }
        };
        let Some(t) = target else { continue };
        match out_of.get(&t) {
            Some(&o) => {
                if duplicates == DuplicatePolicy::Refuse {
                    let first = &data.genes().genes()[sources[o][0]];
                    return Err(Error::DuplicateGene {
                        id: reference.genes()[t].id.clone(),
                        first: first.source_id.clone().unwrap_or_else(|| first.id.clone()),
                        second: raw.to_owned(),
                    });
                }
                sources[o].push(c);
            }
            None => {
                out_of.insert(t, targets.len());
                targets.push(t);
                sources.push(vec![c]);
            }
        }
    }
    let x = data.counts();
    let mut out = Array2::<f32>::zeros((data.n_samples(), targets.len()));
    for (o, cols) in sources.iter().enumerate() {
        for &c in cols {
            let mut dst = out.column_mut(o);
            dst += &x.column(c);
        }
        if cols.len() > 1 {
            report.merged.insert(
                reference.genes()[targets[o]].id.clone(),
                cols.iter()
                    .map(|&c| {
                        let g = &data.genes().genes()[c];
                        g.source_id.clone().unwrap_or_else(|| g.id.clone())
                    })
                    .collect(),
            );
        }
    }
    let genes = GeneAnnotation::new(
        targets
            .iter()
            .map(|&t| reference.genes()[t].clone())
            .collect(),
    )?;
    Ok((Dataset::new(out, genes, data.samples().to_vec())?, report))
}

/// How many ids [`IdMappingReport`] lists as examples of each kind of dropped id.
const EXAMPLES: usize = 5;

/// What [`to_ensembl`] did to a dataset keyed by other gene ids (symbols, Entrez ids, RefSeq
/// transcripts): how many ids of which kind mapped, onto how many Ensembl genes, and which were
/// dropped as ambiguous or unknown, with the first examples.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdMappingReport {
    /// Columns (gene ids) of the input.
    pub columns: usize,
    /// Columns mapped to exactly one Ensembl gene, per kind of id.
    pub mapped: BTreeMap<IdVia, usize>,
    /// Ensembl genes of the result.
    pub genes: usize,
    /// Ensembl genes that received several columns, added up (transcripts of one gene, a symbol
    /// and its alias).
    pub summed_genes: usize,
    /// Columns dropped because their id names several Ensembl genes.
    pub ambiguous: usize,
    /// The first ambiguous ids, each with its candidates.
    pub ambiguous_examples: Vec<(String, Vec<String>)>,
    /// Columns dropped because the table does not know their id.
    pub unknown: usize,
    /// The first unknown ids.
    pub unknown_examples: Vec<String>,
}

impl IdMappingReport {
    /// Columns mapped, over all kinds of id.
    pub fn mapped_total(&self) -> usize {
        self.mapped.values().sum()
    }

    /// One sentence saying what was mapped, dropped and summed, for the notes a command prints
    /// (`table` names the id table used).
    pub fn sentence(&self, table: &str) -> String {
        let kinds: Vec<String> = self
            .mapped
            .iter()
            .map(|(via, n)| format!("{n} {}", via.plural()))
            .collect();
        let mut s = format!(
            "gene ids mapped to Ensembl through {table}: {} of {} ids ({}) onto {} Ensembl genes",
            self.mapped_total(),
            self.columns,
            if kinds.is_empty() {
                "none".to_owned()
            } else {
                kinds.join(", ")
            },
            self.genes
        );
        if self.summed_genes > 0 {
            s.push_str(&format!(
                ", {} of them summed from several ids",
                self.summed_genes
            ));
        }
        if self.ambiguous > 0 {
            let examples: Vec<String> = self
                .ambiguous_examples
                .iter()
                .map(|(id, c)| format!("{id} -> {}", c.join(" | ")))
                .collect();
            s.push_str(&format!(
                "; {} ambiguous ids dropped, each naming several Ensembl genes (e.g. {})",
                self.ambiguous,
                examples.join("; ")
            ));
        }
        if self.unknown > 0 {
            s.push_str(&format!(
                "; {} unknown ids dropped (e.g. {})",
                self.unknown,
                self.unknown_examples.join(", ")
            ));
        }
        s
    }
}

/// Maps the columns of `data` onto Ensembl gene ids through `lookup` (a gene id table's answer
/// for one id, e.g. `rnameta_io::gene_ids::GeneIdMap::to_ensembl`): unique ids become their
/// Ensembl gene (in the order first mapped), ambiguous and unknown ids are dropped and reported,
/// and columns landing on one gene are added up.
///
/// Adding is right for counts, TPM and FPKM (the reads or the expression of a gene's transcripts
/// add up) but not for log values (log a + log b is not log(a + b)) nor for standardised ones.
/// For those this refuses when some gene receives several columns, naming the gene and its ids:
/// log-like values could be added in linear space, but whether they are log2(x + 1) or ln(1 + x)
/// cannot be told from the values, and a wrong base would silently give wrong sums. When every
/// gene receives one column, any values are kept as they are.
///
/// Columns already keyed by Ensembl ids keep their gene (version in `source_id`); a column mapped
/// from a symbol keeps the symbol in `GeneInfo::symbol`.
pub fn to_ensembl(
    data: &Dataset,
    lookup: impl Fn(&str) -> (IdVia, EnsemblMapping),
) -> Result<(Dataset, IdMappingReport)> {
    let mut report = IdMappingReport {
        columns: data.n_genes(),
        ..IdMappingReport::default()
    };
    let mut out_of: HashMap<String, usize> = HashMap::new();
    let mut genes: Vec<GeneInfo> = Vec::new();
    let mut sources: Vec<Vec<usize>> = Vec::new();
    for (c, g) in data.genes().genes().iter().enumerate() {
        let raw = g.source_id.as_deref().unwrap_or(&g.id);
        let (via, mapping) = lookup(raw);
        let ensembl = match mapping {
            EnsemblMapping::Unique(e) => e,
            EnsemblMapping::Ambiguous(candidates) => {
                report.ambiguous += 1;
                if report.ambiguous_examples.len() < EXAMPLES {
                    report.ambiguous_examples.push((raw.to_owned(), candidates));
                }
                continue;
            }
            EnsemblMapping::Unknown => {
                report.unknown += 1;
                if report.unknown_examples.len() < EXAMPLES {
                    report.unknown_examples.push(raw.to_owned());
                }
                continue;
            }
        };
        *report.mapped.entry(via).or_default() += 1;
        match out_of.get(&ensembl) {
            Some(&o) => sources[o].push(c),
            None => {
                let info = if via == IdVia::Ensembl {
                    g.clone()
                } else {
                    GeneInfo {
                        id: ensembl.clone(),
                        source_id: None,
                        symbol: (via == IdVia::Symbol)
                            .then(|| raw.to_owned())
                            .or_else(|| g.symbol.clone()),
                        ..g.clone()
                    }
                };
                out_of.insert(ensembl, genes.len());
                genes.push(info);
                sources.push(vec![c]);
            }
        }
    }
    report.genes = genes.len();
    report.summed_genes = sources.iter().filter(|s| s.len() > 1).count();
    if let Some(o) = sources.iter().position(|s| s.len() > 1) {
        let reason = match data.value_kind() {
            ValueKind::LogLike => Some(
                "look log-transformed, and log values do not add (nor can they be added in \
                 linear space without knowing whether they are log2(x + 1) or ln(1 + x))",
            ),
            ValueKind::Standardised => {
                Some("look standardised (negative values), and z-scores do not add")
            }
            _ => None,
        };
        if let Some(reason) = reason {
            let ids = sources[o].iter().map(|&c| {
                let g = &data.genes().genes()[c];
                g.source_id.as_deref().unwrap_or(&g.id)
            });
            return Err(Error::CannotSumGeneIds {
                gene: genes[o].id.clone(),
                ids: list_some(ids, 5),
                merged: report.summed_genes,
                reason,
            });
        }
    }
    let x = data.counts();
    let mut out = Array2::<f32>::zeros((data.n_samples(), genes.len()));
    for (o, cols) in sources.iter().enumerate() {
        let mut dst = out.column_mut(o);
        for &c in cols {
            dst += &x.column(c);
        }
    }
    let genes = GeneAnnotation::new(genes)?;
    Ok((Dataset::new(out, genes, data.samples().to_vec())?, report))
}

/// Options of [`reorder_to`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReorderOptions {
    /// Largest fraction of the target genes allowed to be missing, in [0, 1].
    pub max_missing_fraction: f64,
    /// Value written for a missing gene (0: the gene is taken as unexpressed; on counts this is
    /// the natural choice, and it is the default).
    pub fill_value: f32,
}

impl Default for ReorderOptions {
    fn default() -> Self {
        Self {
            max_missing_fraction: 0.05,
            fill_value: 0.0,
        }
    }
}

/// What [`reorder_to`] did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReorderReport {
    /// Target genes absent from the data, filled with the fill value.
    pub missing: Vec<String>,
    /// Genes of the data that the target does not use (dropped).
    pub dropped: usize,
}

/// Puts `data` in the order of `genes` (a model's), refusing when more than
/// `max_missing_fraction` of them are missing; below that, missing genes are filled with
/// `fill_value` and listed.
pub fn reorder_to(
    data: &Dataset,
    genes: &[String],
    options: ReorderOptions,
) -> Result<(Dataset, ReorderReport)> {
    if !(0.0..=1.0).contains(&options.max_missing_fraction) {
        return Err(Error::InvalidParameter {
            name: "max_missing_fraction",
            reason: format!("{} is not in [0, 1]", options.max_missing_fraction),
        });
    }
    let positions: Vec<Option<usize>> = genes.iter().map(|g| data.genes().position(g)).collect();
    let missing: Vec<String> = genes
        .iter()
        .zip(&positions)
        .filter(|(_, p)| p.is_none())
        .map(|(g, _)| g.clone())
        .collect();
    let fraction = if genes.is_empty() {
        0.0
    } else {
        missing.len() as f64 / genes.len() as f64
    };
    if fraction > options.max_missing_fraction {
        return Err(Error::TooManyMissingGenes {
            missing: missing.len(),
            total: genes.len(),
            fraction: fraction * 100.0,
            allowed: options.max_missing_fraction * 100.0,
            examples: list_some(missing.iter().map(String::as_str), 10),
        });
    }
    let x = data.counts();
    let mut out = Array2::<f32>::from_elem((data.n_samples(), genes.len()), options.fill_value);
    let mut infos = Vec::with_capacity(genes.len());
    for (o, (g, p)) in genes.iter().zip(&positions).enumerate() {
        match p {
            Some(c) => {
                out.column_mut(o).assign(&x.column(*c));
                infos.push(data.genes().genes()[*c].clone());
            }
            None => infos.push(GeneInfo::from_id(g)),
        }
    }
    let used = positions.iter().flatten().count();
    Ok((
        Dataset::new(out, GeneAnnotation::new(infos)?, data.samples().to_vec())?,
        ReorderReport {
            missing,
            dropped: data.n_genes() - used,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;
    use rnameta_core::{DataSource, SampleMeta};

    fn reference() -> GeneAnnotation {
        let g = |id: &str, sym: &str| GeneInfo {
            symbol: Some(sym.into()),
            biotype: Some("protein_coding".into()),
            ..GeneInfo::from_id(id)
        };
        GeneAnnotation::new(vec![
            g("ENSG00000000003", "TSPAN6"),
            g("ENSG00000229807", "XIST"),
            g("ENSG00000111111", "DUP"),
            g("ENSG00000222222", "DUP"),
        ])
        .unwrap()
    }

    fn dataset(ids: &[&str], x: Array2<f32>) -> Dataset {
        let genes =
            GeneAnnotation::new(ids.iter().map(|i| GeneInfo::from_id(i)).collect()).unwrap();
        let samples = (0..x.nrows())
            .map(|i| SampleMeta::new(format!("s{i}"), DataSource::Other))
            .collect();
        Dataset::new(x, genes, samples).unwrap()
    }

    #[test]
    fn maps_ids_and_symbols_sums_duplicates_reports_unmapped() {
        let d = dataset(
            &[
                "ENSG00000000003.14",
                "Xist",
                "ENSG00000229807",
                "DUP",
                "NOPE",
            ],
            array![[1.0f32, 2.0, 3.0, 4.0, 5.0]],
        );
        let (h, report) = to_annotation(&d, &reference(), DuplicatePolicy::Sum).unwrap();
        let ids: Vec<&str> = h.genes().ids().collect();
        assert_eq!(ids, ["ENSG00000000003", "ENSG00000229807"]);
        assert_eq!(h.counts(), &array![[1.0f32, 5.0]]);
        assert_eq!(report.by_id, 2);
        assert_eq!(report.by_symbol, 1);
        assert_eq!(report.versions_stripped, 1);
        assert_eq!(
            report.merged["ENSG00000229807"],
            ["Xist", "ENSG00000229807"]
        );
        assert_eq!(report.unmapped.len(), 2);
        assert!(report.unmapped[0].reason.contains("2 genes"));
        assert_eq!(
            h.genes().get(1).unwrap().biotype.as_deref(),
            Some("protein_coding")
        );
        let err = to_annotation(&d, &reference(), DuplicatePolicy::Refuse).unwrap_err();
        assert!(err.to_string().contains("Xist"), "{err}");
    }

    #[test]
    fn reorders_fills_and_refuses_past_the_fraction() {
        let d = dataset(&["A", "B", "C"], array![[1.0f32, 2.0, 3.0]]);
        let want: Vec<String> = ["C", "A", "Z"].iter().map(|s| s.to_string()).collect();
        let opts = ReorderOptions {
            max_missing_fraction: 0.34,
            fill_value: 0.0,
        };
        let (r, rep) = reorder_to(&d, &want, opts).unwrap();
        assert_eq!(r.counts(), &array![[3.0f32, 1.0, 0.0]]);
        assert_eq!(rep.missing, ["Z"]);
        assert_eq!(rep.dropped, 1);
        let strict = ReorderOptions {
            max_missing_fraction: 0.3,
            ..opts
        };
        let err = reorder_to(&d, &want, strict).unwrap_err();
        assert!(matches!(
            err,
            Error::TooManyMissingGenes {
                missing: 1,
                total: 3,
                ..
            }
        ));
        assert!(err.to_string().contains('Z'));
    }

    fn lookup(id: &str) -> (IdVia, EnsemblMapping) {
        let u = |e: &str| EnsemblMapping::Unique(e.to_owned());
        match id {
            "NM_1" | "NM_1.2" | "NR_1" => (IdVia::RefSeq, u("ENSG00000000001")),
            "NM_2" => (IdVia::RefSeq, u("ENSG00000000002")),
            "TP53" => (IdVia::Symbol, u("ENSG00000141510")),
            "NM_AMB" => (
                IdVia::RefSeq,
                EnsemblMapping::Ambiguous(vec!["ENSG1".into(), "ENSG2".into()]),
            ),
            id if id.starts_with("ENSG") => (IdVia::Ensembl, u(rnameta_core::strip_version(id))),
            _ => (IdVia::RefSeq, EnsemblMapping::Unknown),
        }
    }

    #[test]
    fn to_ensembl_sums_transcripts_and_reports_dropped_ids() {
        let d = dataset(
            &["NM_1.2", "NM_2", "NR_1", "NM_AMB", "NM_GONE", "TP53"],
            array![
                [1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0],
                [10.0, 20.0, 30.0, 40.0, 50.0, 60.0]
            ],
        );
        let (m, report) = to_ensembl(&d, lookup).unwrap();
        let ids: Vec<&str> = m.genes().ids().collect();
        assert_eq!(
            ids,
            ["ENSG00000000001", "ENSG00000000002", "ENSG00000141510"]
        );
        assert_eq!(m.counts(), &array![[4.0f32, 2.0, 6.0], [40.0, 20.0, 60.0]]);
        assert_eq!(m.genes().get(2).unwrap().symbol.as_deref(), Some("TP53"));
        assert_eq!(report.columns, 6);
        assert_eq!(report.mapped[&IdVia::RefSeq], 3);
        assert_eq!(report.mapped[&IdVia::Symbol], 1);
        assert_eq!((report.genes, report.summed_genes), (3, 1));
        assert_eq!((report.ambiguous, report.unknown), (1, 1));
        let sentence = report.sentence("the table");
        for part in [
            "4 of 6 ids",
            "3 RefSeq accessions",
            "onto 3 Ensembl genes",
            "1 of them summed",
            "NM_AMB -> ENSG1 | ENSG2",
            "1 unknown ids dropped (e.g. NM_GONE)",
        ] {
            assert!(sentence.contains(part), "{part:?} not in {sentence}");
        }
    }

    #[test]
    fn to_ensembl_refuses_to_add_log_or_standardised_values_naming_the_gene() {
        let log = dataset(&["NM_1", "NR_1", "NM_2"], array![[1.5f32, 2.25, 3.5]]);
        let err = to_ensembl(&log, lookup).unwrap_err().to_string();
        assert!(
            err.contains("ENSG00000000001") && err.contains("NM_1, NR_1") && err.contains("log"),
            "{err}"
        );
        let z = dataset(&["NM_1", "NR_1"], array![[-1.5f32, 2.25]]);
        let err = to_ensembl(&z, lookup).unwrap_err().to_string();
        assert!(err.contains("standardised"), "{err}");
        // One column per gene: nothing to add, the values are kept whatever they are.
        let one = dataset(&["NM_1", "NM_2"], array![[1.5f32, 2.25]]);
        let (m, _) = to_ensembl(&one, lookup).unwrap();
        assert_eq!(m.counts(), &array![[1.5f32, 2.25]]);
    }

    #[test]
    fn to_ensembl_keeps_ensembl_columns_with_their_version() {
        let d = dataset(&["ENSG00000141510.17", "NM_2"], array![[1.0f32, 2.0]]);
        let (m, report) = to_ensembl(&d, lookup).unwrap();
        assert_eq!(
            m.genes().get(0).unwrap().source_id.as_deref(),
            Some("ENSG00000141510.17")
        );
        assert_eq!(m.genes().get(1).unwrap().source_id, None);
        assert_eq!(report.mapped[&IdVia::Ensembl], 1);
    }
}
