//! Gene harmonisation: bring a dataset's genes onto canonical Ensembl ids, and onto a model's genes.
//!
//! [`to_annotation`] maps every column to a gene of a reference annotation: by Ensembl id (the
//! version stripped) or, failing that, by symbol (exact, then case-insensitive; a symbol naming
//! several genes is ambiguous and left unmapped). Columns that land on one gene are summed or
//! refused, as the caller chooses. [`reorder_to`] puts a dataset in a model's gene order, filling
//! missing genes with a stated value only while they are at most a stated fraction.

use std::collections::{BTreeMap, HashMap};

use ndarray::Array2;
use rnameta_core::{strip_version, Dataset, GeneAnnotation, GeneInfo};
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
}
