//! The genes of an ARCHS4 file: symbols, Ensembl ids and biotypes of `meta/genes` turned into the
//! [`GeneAnnotation`] of every dataset read, one column per canonical id (a repeated id keeps its
//! first row, the others are reported as [`DroppedGene`]s).

use std::collections::HashMap;

use rnameta_core::{GeneAnnotation, GeneInfo};

use super::container::object;
use super::fields;
use super::metadata::MetaReader;
use crate::error::{Error, ErrorKind, Result};

/// A gene row of the file left out because its canonical id repeats an earlier row's.
///
/// ARCHS4 lists some genes twice (the same symbol on two loci in files keyed by symbol); rnameta
/// needs one column per id, so the first row is kept and the later ones are reported here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DroppedGene {
    /// Row of `data/expression` that was left out (0-based).
    pub row: usize,
    /// The repeated canonical id.
    pub id: String,
    /// Row kept for that id.
    pub kept_row: usize,
}

/// The genes kept, the matrix row of each, and the rows dropped.
pub(crate) struct Genes {
    pub(crate) annotation: GeneAnnotation,
    /// `rows[g]` is the row of `data/expression` holding gene `g` of `annotation`.
    pub(crate) rows: Vec<usize>,
    pub(crate) dropped: Vec<DroppedGene>,
}

/// A per-gene field read whole: its dataset name and values.
type GeneField = Option<(String, Vec<String>)>;

impl MetaReader<'_> {
    /// The gene annotation: canonical id = Ensembl id without version when the file has one for
    /// the gene, else the symbol; first row kept for a repeated id.
    pub(crate) fn genes(&self) -> Result<Genes> {
        let symbols = self.field(&fields::GENE_SYMBOL)?;
        let ensembl = self.field(&fields::GENE_ENSEMBL)?;
        let biotypes = self.field(&fields::GENE_BIOTYPE)?;
        if symbols.is_none() && ensembl.is_none() {
            return Err(Error::new(
                self.path,
                object("meta/genes"),
                ErrorKind::Missing(format!(
                    "gene ids: none of {:?} or {:?}",
                    fields::GENE_SYMBOL.candidates,
                    fields::GENE_ENSEMBL.candidates
                )),
            ));
        }
        let text = |field: &GeneField, row: usize| {
            field
                .as_ref()
                .and_then(|(_, v)| v.get(row))
                .map(|s| s.trim())
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let mut kept = Vec::with_capacity(self.shape[0]);
        let mut rows = Vec::with_capacity(self.shape[0]);
        let mut dropped = Vec::new();
        let mut first_row: HashMap<String, usize> = HashMap::with_capacity(self.shape[0]);
        for row in 0..self.shape[0] {
            let symbol = text(&symbols, row);
            let gene = match (text(&ensembl, row), symbol.clone()) {
                (Some(raw), _) => GeneInfo::from_id(&raw),
                (None, Some(sym)) => GeneInfo::from_id(&sym),
                (None, None) => return Err(self.gene_without_id(row, &symbols, &ensembl)),
            };
            if let Some(&kept_row) = first_row.get(&gene.id) {
                dropped.push(DroppedGene {
                    row,
                    id: gene.id,
                    kept_row,
                });
                continue;
            }
            first_row.insert(gene.id.clone(), row);
            kept.push(GeneInfo {
                symbol,
                biotype: text(&biotypes, row),
                ..gene
            });
            rows.push(row);
        }
        let annotation = GeneAnnotation::new(kept)
            .map_err(|e| Error::new(self.path, object("meta/genes"), ErrorKind::Dataset(e)))?;
        Ok(Genes {
            annotation,
            rows,
            dropped,
        })
    }

    fn gene_without_id(&self, row: usize, symbols: &GeneField, ensembl: &GeneField) -> Error {
        let name = ensembl
            .as_ref()
            .or(symbols.as_ref())
            .map(|(n, _)| n.clone())
            .unwrap_or_else(|| "meta/genes".to_owned());
        Error::new(
            self.path,
            object(&name),
            ErrorKind::Malformed(format!(
                "gene row {row} has neither an Ensembl id nor a symbol"
            )),
        )
    }
}
