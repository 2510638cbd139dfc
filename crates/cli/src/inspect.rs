//! `rnameta inspect`: what a file holds, as rnameta reads it.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use rnameta_core::{DataSource, Dataset, GeneIdKind, ValueKind};
use rnameta_io::detect::{self, Format};
use rnameta_io::tsv::{self, MatrixOptions};
use rnameta_io::{gct, ErrorKind};
use serde::Serialize;

/// Samples read from a large matrix (ARCHS4) to judge the value kind, instead of the whole file.
const VALUE_KIND_SAMPLE: usize = 64;

/// What `inspect` reports about one file.
#[derive(Debug, Default, Serialize)]
pub struct Inspection {
    /// The file.
    pub path: PathBuf,
    /// The detected format.
    pub format: String,
    /// Number of samples (matrices and sample tables).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub samples: Option<usize>,
    /// Number of genes (matrices and annotations).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub genes: Option<usize>,
    /// The kind of gene ids.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gene_id_kind: Option<GeneIdKind>,
    /// Label fields present, with how many samples carry each (`sex: 85/85`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub label_fields: Vec<String>,
    /// The scale of the values.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_kind: Option<ValueKind>,
    /// Anything else worth knowing (fields probed, assumptions made).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// Inspects every path (directories file by file) and prints the result.
pub fn run(paths: &[PathBuf], json: bool) -> Result<()> {
    for path in paths {
        if path.is_dir() {
            for file in directory_files(path)? {
                match inspect_file(&file) {
                    Ok(found) => print(&found, json)?,
                    Err(err) if is_unrecognised(&err) => {
                        if !json {
                            println!("{}: skipped (not a recognised format)\n", file.display());
                        }
                    }
                    Err(err) => return Err(err),
                }
            }
        } else {
            print(&inspect_file(path)?, json)?;
        }
    }
    Ok(())
}

fn directory_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("reading directory {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    Ok(files)
}

fn is_unrecognised(err: &anyhow::Error) -> bool {
    err.downcast_ref::<rnameta_io::Error>()
        .is_some_and(|e| matches!(e.kind, ErrorKind::UnknownFormat(_) | ErrorKind::Empty))
}

fn print(found: &Inspection, json: bool) -> Result<()> {
    if json {
        println!("{}", serde_json::to_string(found)?);
        return Ok(());
    }
    println!("{}", found.path.display());
    println!("  format:        {}", found.format);
    if let Some(n) = found.samples {
        println!("  samples:       {n}");
    }
    if let Some(n) = found.genes {
        println!("  genes:         {n}");
    }
    if let Some(kind) = found.gene_id_kind {
        println!("  gene ids:      {kind:?}");
    }
    if !found.label_fields.is_empty() {
        println!("  label fields:  {}", found.label_fields.join(", "));
    }
    if let Some(kind) = found.value_kind {
        println!("  values:        {kind}");
    }
    for note in &found.notes {
        println!("  note:          {note}");
    }
    println!();
    Ok(())
}

/// Detects the format of one file and reads what is needed to describe it.
pub fn inspect_file(path: &Path) -> Result<Inspection> {
    let format = detect::detect(path)?;
    let mut found = Inspection {
        path: path.to_path_buf(),
        format: format.to_string(),
        ..Inspection::default()
    };
    match format {
        Format::Matrix(orientation) => {
            let options = MatrixOptions {
                orientation,
                ..MatrixOptions::genes_in_rows()
            };
            let data = tsv::read_matrix(path, options).or_else(|err| match err.kind {
                ErrorKind::NegativeCount { .. } => tsv::read_matrix(
                    path,
                    MatrixOptions {
                        policy: rnameta_io::numeric::ValuePolicy::AnyFinite,
                        ..options
                    },
                ),
                _ => Err(err),
            })?;
            describe_dataset(&mut found, &data);
        }
        Format::Gct => describe_dataset(&mut found, &gct::read(path, DataSource::Gtex)?),
        Format::LabelTable => {
            let table = tsv::read_label_table(path)?;
            found.samples = Some(table.len());
            found.label_fields = table.columns().to_vec();
            let recognised: Vec<&str> = [tsv::TISSUE_COLUMNS, tsv::SEX_COLUMNS, tsv::SOURCE_COLUMNS, tsv::STUDY_COLUMNS]
                .iter()
                .filter_map(|c| table.find_column(c))
                .collect();
            found.notes.push(format!("columns used as labels: {}", list_or_none(&recognised)));
        }
        other => describe_other(&mut found, path, other)?,
    }
    Ok(found)
}

fn list_or_none(items: &[&str]) -> String {
    if items.is_empty() {
        "none".to_owned()
    } else {
        items.join(", ")
    }
}

/// Fills samples, genes, id kind, labels and value kind from a dataset read whole.
fn describe_dataset(found: &mut Inspection, data: &Dataset) {
    found.samples = Some(data.n_samples());
    found.genes = Some(data.n_genes());
    describe_genes(found, data);
    found.label_fields = label_fields(data.samples());
    found.value_kind = Some(data.value_kind());
}

fn describe_genes(found: &mut Inspection, data: &Dataset) {
    let raw_ids = data
        .genes()
        .genes()
        .iter()
        .map(|g| g.source_id.as_deref().unwrap_or(&g.id));
    found.gene_id_kind = GeneIdKind::detect(raw_ids);
}

/// `field: labelled/total` for each label field at least one sample carries.
fn label_fields(samples: &[rnameta_core::SampleMeta]) -> Vec<String> {
    let total = samples.len();
    let count = |f: &dyn Fn(&rnameta_core::SampleMeta) -> bool| samples.iter().filter(|s| f(s)).count();
    let fields: [(&str, usize); 4] = [
        ("tissue", count(&|s| s.tissue.is_some())),
        ("sex", count(&|s| s.sex.is_some())),
        ("sample_source", count(&|s| s.sample_source.is_some())),
        ("study", count(&|s| s.study.is_some())),
    ];
    fields
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(name, n)| format!("{name}: {n}/{total}"))
        .collect()
}

fn describe_other(found: &mut Inspection, path: &Path, format: Format) -> Result<()> {
    let _ = (found, path, format, VALUE_KIND_SAMPLE);
    Ok(())
}
