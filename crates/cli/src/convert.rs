//! `rnameta convert`: reads expression files as every other command reads them (any format,
//! labels from their own metadata or `--labels`, gene ids mapped to Ensembl) and writes them as
//! one Parquet file, the samples' metadata and labels with them.
//!
//! The workflow (`workflow/Snakefile`) uses it twice: per recount3 project, with `--sra-qc`, to
//! turn a project's gene sums and metadata into a compact shard; then per data source, to merge
//! the shards into one file that `rnameta train` and `cargo xtask experiment --data` read.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::Args as ClapArgs;
use rnameta_core::DataSource;
use rnameta_data::LoadOptions;
use rnameta_io::parquet::MatrixLayout;
use rnameta_preprocess::qc::{papers_sra_qc_rows, QcReport};

use crate::outputs::check_output_file;

/// `rnameta convert` arguments.
#[derive(Debug, ClapArgs)]
pub struct Args {
    /// Expression files or directories (any format `rnameta inspect` recognises), with their
    /// companions (recount3 metadata tables, GTEx attribute tables, MetaSRA JSON, GTF).
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// A sample label table (sample id and tissue / sex / sample_source / study columns), or a
    /// MetaSRA JSON release (`rnameta fetch metasra`) labelling SRA samples.
    #[arg(long, value_name = "TABLE|METASRA")]
    pub labels: Option<PathBuf>,
    /// A GTF or gene annotation table for gene biotypes, chromosomes and lengths.
    #[arg(long, value_name = "FILE")]
    pub genes: Option<PathBuf>,
    /// Apply the paper's SRA sample QC to the SRA samples (small-RNA libraries by their counts,
    /// single-cell studies by title and abstract, one run per experiment). What it removed is
    /// written beside the output as `<OUT>.qc.tsv`, together with it.
    #[arg(long)]
    pub sra_qc: bool,
    /// Keep only the samples labelled for some task (tissue, sex or sample source), dropped file
    /// by file as they are read: the workflow's merge of the SRA shards, whose unlabelled samples
    /// `annotate` reads from the shards instead (all of recount3's SRA would not fit in memory).
    #[arg(long)]
    pub labelled_only: bool,
    /// How the matrix is laid out: packed (one list column of values per sample; a small
    /// project's shard costs its values, not its genes) or wide (one column per gene, a table for
    /// pandas or polars). Every rnameta command reads both.
    #[arg(long, value_enum, default_value_t = Layout::Packed)]
    pub layout: Layout,
    /// The Parquet file to write (atomically; with `--sra-qc`, it and its QC table appear
    /// together or not at all).
    #[arg(long, value_name = "FILE.parquet")]
    pub out: PathBuf,
    /// No notes: only errors.
    #[arg(long)]
    pub quiet: bool,
}

/// `--layout`: io's [`MatrixLayout`] on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Layout {
    /// One list column of every gene's value per sample.
    Packed,
    /// One Float32 column per gene.
    Wide,
}

impl From<Layout> for MatrixLayout {
    fn from(layout: Layout) -> Self {
        match layout {
            Layout::Packed => MatrixLayout::Packed,
            Layout::Wide => MatrixLayout::Wide,
        }
    }
}

/// Runs `rnameta convert`.
pub fn run(args: &Args) -> Result<()> {
    if args.out.extension().and_then(|e| e.to_str()) != Some("parquet") {
        bail!(
            "--out {}: give a file name ending in .parquet",
            args.out.display()
        );
    }
    check_output_file(&args.out, "--out")?;
    let loaded = rnameta_data::load(
        &args.inputs,
        &LoadOptions {
            labels: args.labels.clone(),
            gene_annotation: args.genes.clone(),
            labelled_only: args.labelled_only,
        },
    )?;
    let mut dataset = loaded.dataset;
    let mut staged = Vec::new();
    let mut removed = 0;
    if args.sra_qc {
        let (kept, report) = sra_qc(dataset)?;
        dataset = kept;
        removed = report.removed.len();
        let table = qc_table_path(&args.out);
        staged.push(
            rnameta_io::write::stage(&table, |w| write_qc_table(w, &report))
                .with_context(|| format!("writing {}", table.display()))?,
        );
    }
    staged.push(rnameta_io::parquet::stage_dataset(
        &args.out,
        &dataset,
        args.layout.into(),
    )?);
    rnameta_io::write::commit_all(staged)?;
    if !args.quiet {
        for note in &loaded.report.notes {
            eprintln!("note: {note}");
        }
    }
    let mut left_out = Vec::new();
    if args.labelled_only {
        left_out.push(format!(
            "{} unlabelled samples left out",
            loaded.report.unlabelled_left_out
        ));
    }
    if args.sra_qc {
        left_out.push(format!("{removed} SRA samples removed by the QC"));
    }
    let left_out = if left_out.is_empty() {
        String::new()
    } else {
        format!(" ({})", left_out.join("; "))
    };
    println!(
        "wrote {} samples x {} genes to {}{left_out}",
        dataset.n_samples(),
        dataset.n_genes(),
        args.out.display()
    );
    Ok(())
}

/// The paper's SRA QC on the SRA samples of `dataset`; the others are kept as they are, in their
/// places.
fn sra_qc(dataset: rnameta_core::Dataset) -> Result<(rnameta_core::Dataset, QcReport)> {
    let sra_rows: Vec<usize> = (0..dataset.n_samples())
        .filter(|&i| dataset.samples()[i].data_source == DataSource::Sra)
        .collect();
    if sra_rows.is_empty() {
        eprintln!(
            "note: --sra-qc: no SRA sample among the inputs (the QC judges SRA samples only, \
             such as those of recount3's SRA projects), so none was removed"
        );
        return Ok((dataset, QcReport::default()));
    }
    let sra = dataset.select_samples(&sra_rows)?;
    let (_, report) = papers_sra_qc_rows(&sra).context("the SRA sample QC")?;
    let gone: std::collections::HashSet<&str> = report
        .removed
        .iter()
        .map(|r| r.sample_id.as_str())
        .collect();
    let keep: Vec<usize> = (0..dataset.n_samples())
        .filter(|&i| !gone.contains(dataset.samples()[i].sample_id.as_str()))
        .collect();
    let kept = dataset.select_samples(&keep)?;
    Ok((kept, report))
}

/// `<out>.qc.tsv` beside the output.
fn qc_table_path(out: &Path) -> PathBuf {
    let mut name = out.file_name().unwrap_or_default().to_os_string();
    name.push(".qc.tsv");
    out.with_file_name(name)
}

/// The removed samples: `sample_id filter reason`, one per line, in the order the filters found
/// them.
fn write_qc_table(w: &mut dyn std::io::Write, report: &QcReport) -> std::io::Result<()> {
    writeln!(w, "sample_id\tfilter\treason")?;
    for r in &report.removed {
        let filter = serde_json::to_value(r.filter)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let reason = r.reason.replace(['\t', '\n'], " ");
        writeln!(w, "{}\t{filter}\t{reason}", r.sample_id)?;
    }
    Ok(())
}
