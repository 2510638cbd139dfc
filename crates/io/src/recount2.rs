//! recount2 gene count tables (`counts_gene.tsv.gz`, one per project).
//!
//! Layout: a header of sample (run) names and `gene_id`, then one row per gene. In the published
//! files `gene_id` is the **last** column: recount-website's `create_rse.R` writes the counts
//! with `write.table(..., row.names = FALSE, col.names = TRUE, sep = "\t", quote = FALSE)`, and
//! users read them with `read.table(..., header = TRUE, row.names = <number of samples + 1>)`.
//! The column is found by name, so a table with `gene_id` first reads as well; the writer puts it
//! last, like the published files. Values are base-pair coverage sums (recount2's "counts"),
//! turned into read counts by dividing by read length as recount2's `read_counts()` does.

use std::collections::HashMap;
use std::path::Path;

use rnameta_core::{DataSource, Dataset, GeneAnnotation, SampleMeta};

use crate::error::{Error, ErrorKind, Location, Result};
use crate::numeric::{check_unique, GeneRowsBuilder, ValuePolicy};
use crate::recount3::gene_info;
use crate::source::LineReader;
use crate::write::write_atomically;

/// Name of the gene id column.
pub const GENE_ID: &str = "gene_id";

/// Reads a `counts_gene.tsv(.gz)` table into a dataset. Samples take their ids (and runs) from
/// the header; genes keep the file's versioned id as `source_id`. Ragged rows, non-numeric,
/// negative or non-finite values, repeated genes or samples are errors naming the file and line.
pub fn read_counts_gene(path: &Path) -> Result<Dataset> {
    let mut reader = LineReader::open(path)?;
    let mut line = String::new();
    if !reader.read_line(&mut line)? {
        return Err(Error::file(path, ErrorKind::Empty));
    }
    let header: Vec<String> = line.split('\t').map(str::to_owned).collect();
    let gene_column = header.iter().position(|c| c == GENE_ID).ok_or_else(|| {
        reader.error(ErrorKind::MissingHeader {
            expected: "sample names and a gene_id column".into(),
        })
    })?;
    let sample_ids: Vec<&str> = header
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != gene_column)
        .map(|(_, c)| c.as_str())
        .collect();
    if sample_ids.iter().any(|s| s.is_empty()) {
        return Err(reader.error(ErrorKind::Malformed(
            "empty sample name in the header".into(),
        )));
    }
    check_unique(sample_ids.iter().copied()).map_err(|kind| reader.error(kind))?;
    let mut builder = GeneRowsBuilder::new(sample_ids.len(), ValuePolicy::NonNegative);
    let mut genes = Vec::new();
    let mut first_line = HashMap::new();
    while reader.read_line(&mut line)? {
        if line.is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        if fields.len() != header.len() {
            return Err(reader.error(ErrorKind::Ragged {
                expected: header.len(),
                found: fields.len(),
            }));
        }
        let raw_id = fields.get(gene_column).copied().unwrap_or_default();
        let gene = gene_info(&reader, raw_id, &mut first_line)?;
        let values = fields
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != gene_column)
            .map(|(_, v)| *v);
        builder.push(&reader, raw_id, values, 1)?;
        genes.push(gene);
    }
    let (counts, _) = builder.finish();
    let genes = GeneAnnotation::new(genes).map_err(|e| Error::file(path, ErrorKind::Dataset(e)))?;
    let samples = sample_ids
        .iter()
        .map(|id| {
            let mut s = SampleMeta::new(*id, DataSource::Other);
            s.run = Some((*id).to_owned());
            s
        })
        .collect();
    Dataset::new(counts, genes, samples).map_err(|e| Error::file(path, ErrorKind::Dataset(e)))
}

/// Writes a dataset as a recount2 `counts_gene.tsv` table (gzip when the path ends in `.gz`),
/// atomically: sample columns, then `gene_id` last, genes with their versioned `source_id` when
/// they have one. Refuses negative or non-finite values, which the reader would refuse. Values are written in the shortest form that reads back to the same `f32`.
pub fn write_counts_gene(path: &Path, dataset: &Dataset) -> Result<()> {
    for sample in dataset.samples() {
        let id = &sample.sample_id;
        if id.is_empty() || id == GENE_ID || id.contains(['\t', '\n', '\r']) {
            return Err(Error::new(
                path,
                Location::Sample(id.clone()),
                ErrorKind::Malformed(
                    "a sample id must be non-empty, not gene_id, without tabs or line breaks"
                        .into(),
                ),
            ));
        }
    }
    let counts = dataset.counts();
    for (row, values) in counts.outer_iter().enumerate() {
        if let Some(bad) = values.iter().find(|v| !v.is_finite() || **v < 0.0) {
            let id = dataset
                .samples()
                .get(row)
                .map_or("?", |s| s.sample_id.as_str());
            return Err(Error::new(
                path,
                Location::Sample(id.to_owned()),
                ErrorKind::Malformed(format!("value {bad} is not a finite non-negative count")),
            ));
        }
    }
    write_atomically(path, |w| {
        for sample in dataset.samples() {
            write!(w, "{}\t", sample.sample_id)?;
        }
        writeln!(w, "{GENE_ID}")?;
        for (column, gene) in dataset.genes().genes().iter().enumerate() {
            for v in counts.column(column) {
                write!(w, "{v}\t")?;
            }
            writeln!(w, "{}", gene.source_id.as_deref().unwrap_or(&gene.id))?;
        }
        Ok(())
    })
}
