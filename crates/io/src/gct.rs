//! GTEx GCT matrices (`GTEx_Analysis_..._gene_reads.gct.gz`).
//!
//! Layout (GCT 1.2): a `#1.2` line, a dimensions line `<genes>\t<samples>`, a header
//! `Name\tDescription\t<sample ids>`, then one line per gene: the versioned Ensembl id, the gene
//! symbol, and one value per sample. The dimensions line is checked against the content, because a
//! mismatch means a truncated or edited file.

use std::path::Path;

use rnameta_core::{DataSource, Dataset, SampleMeta};

use crate::error::{ErrorKind, Result};
use crate::numeric::{check_unique, GeneRowsBuilder, ValuePolicy};
use crate::source::LineReader;
use crate::tsv::{annotation_from_ids, format_value, GenePlaces};
use crate::write::write_atomically;

/// The only GCT version rnameta reads and writes (the one GTEx publishes).
pub const VERSION_LINE: &str = "#1.2";

/// Reads a GCT file; values must be non-negative (GTEx publishes reads and TPM). Each sample is
/// recorded with `data_source` (GTEx for GTEx downloads). The Description column becomes the symbol.
pub fn read(path: &Path, data_source: DataSource) -> Result<Dataset> {
    let mut reader = LineReader::open(path)?;
    let mut line = String::new();
    if !reader.read_line(&mut line)? {
        return Err(reader.context().whole(ErrorKind::Empty));
    }
    if line.trim() != VERSION_LINE {
        let found = line.chars().take(40).collect::<String>();
        return Err(reader.error(ErrorKind::MissingHeader {
            expected: format!("{VERSION_LINE} on the first line, found {found:?}"),
        }));
    }
    if !reader.read_line(&mut line)? {
        return Err(reader.error(ErrorKind::Malformed(
            "file ends after the version line".into(),
        )));
    }
    let (n_genes, n_samples) = parse_dims(&line).map_err(|k| reader.error(k))?;
    if !reader.read_line(&mut line)? {
        return Err(reader.error(ErrorKind::Malformed(
            "file ends after the dimensions line".into(),
        )));
    }
    let mut header = line.split('\t');
    let (name, description) = (
        header.next().unwrap_or_default(),
        header.next().unwrap_or_default(),
    );
    if name != "Name" || description != "Description" {
        return Err(reader.error(ErrorKind::MissingHeader {
            expected: format!(
                "Name<TAB>Description<TAB>samples..., found {name:?}, {description:?}"
            ),
        }));
    }
    let sample_ids: Vec<String> = header.map(str::to_owned).collect();
    check_unique(sample_ids.iter().map(String::as_str)).map_err(|k| reader.error(k))?;
    if sample_ids.len() != n_samples {
        return Err(reader.error(ErrorKind::BadHeader(format!(
            "dimensions line (line 2) says {n_samples} samples, header names {}",
            sample_ids.len()
        ))));
    }
    let mut rows = GeneRowsBuilder::new(n_samples, ValuePolicy::NonNegative);
    let mut symbols = Vec::with_capacity(n_genes);
    while reader.read_line(&mut line)? {
        if line.is_empty() {
            continue;
        }
        let mut fields = line.split('\t');
        let id = fields.next().unwrap_or_default();
        let symbol = fields.next().unwrap_or_default().to_owned();
        rows.push(&reader, id, fields, 2)?;
        symbols.push(symbol);
    }
    if rows.n_genes() != n_genes {
        return Err(reader.context().at_line(
            2,
            ErrorKind::BadHeader(format!(
                "dimensions line says {n_genes} genes, the file has {}",
                rows.n_genes()
            )),
        ));
    }
    let (matrix, ids) = rows.finish();
    let mut genes =
        annotation_from_ids(reader.context(), &ids, GenePlaces::Lines { first_line: 4 })?
            .into_genes();
    for (gene, symbol) in genes.iter_mut().zip(symbols) {
        gene.symbol = (!symbol.is_empty()).then_some(symbol);
    }
    let genes =
        rnameta_core::GeneAnnotation::new(genes).map_err(|e| reader.context().whole(e.into()))?;
    let samples = sample_ids
        .into_iter()
        .map(|id| SampleMeta::new(id, data_source))
        .collect();
    Dataset::new(matrix, genes, samples).map_err(|e| reader.context().whole(e.into()))
}

fn parse_dims(line: &str) -> Result<(usize, usize), ErrorKind> {
    let fields: Vec<&str> = line
        .split('\t')
        .map(str::trim)
        .filter(|f| !f.is_empty())
        .collect();
    let bad = || {
        ErrorKind::BadHeader(format!(
            "dimensions line must be <genes><TAB><samples>, found {:?}",
            line.chars().take(60).collect::<String>()
        ))
    };
    match fields.as_slice() {
        [genes, samples] => Ok((
            genes.parse().map_err(|_| bad())?,
            samples.parse().map_err(|_| bad())?,
        )),
        _ => Err(bad()),
    }
}

/// Writes a dataset as GCT 1.2 (gzip when the path ends in `.gz`), atomically. The Name column
/// is the gene's id as its source had it (versioned for GTEx), the Description its symbol.
pub fn write(path: &Path, dataset: &Dataset) -> Result<()> {
    let counts = dataset.counts();
    write_atomically(path, |out| {
        writeln!(out, "{VERSION_LINE}")?;
        writeln!(out, "{}\t{}", dataset.n_genes(), dataset.n_samples())?;
        write!(out, "Name\tDescription")?;
        for s in dataset.samples() {
            write!(out, "\t{}", s.sample_id)?;
        }
        writeln!(out)?;
        for (column, gene) in dataset.genes().genes().iter().enumerate() {
            let name = gene.source_id.as_deref().unwrap_or(&gene.id);
            let description = gene.symbol.as_deref().unwrap_or(name);
            write!(out, "{name}\t{description}")?;
            for &v in counts.column(column) {
                write!(out, "\t")?;
                format_value(out, v)?;
            }
            writeln!(out)?;
        }
        Ok(())
    })
}
