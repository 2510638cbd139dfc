//! `rnameta check`: lists the samples whose given label (from `--labels`, or the labels the input
//! files carry) disagrees with a confident prediction of a trained model, with the evidence: the
//! given label, the predicted class, both probabilities and, for a sex model, the sex-gene levels
//! as log2(CPM + 1). The work is `rnameta_models::disagreement`'s; this module reads the inputs
//! as `annotate` / `evaluate` do, writes the report and prints the summary.

use std::collections::HashSet;
use std::io::Write;
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::Args as ClapArgs;
use ndarray::Array2;
use rnameta_core::{Labels, Task};
use rnameta_data::LoadOptions;
use rnameta_io::parquet::UNASSIGNED;
use rnameta_io::write::{commit_all, stage};
use rnameta_models::disagreement::{
    DisagreementReport, Predictions, DEFAULT_MIN_PROBABILITY, SEX_GENES,
};

use crate::annotate::{for_each_chunk, progress, report_genes, Annotator, ModelArgs};
use crate::outputs::check_output_file;

/// `rnameta check` arguments.
#[derive(Debug, ClapArgs)]
pub struct Args {
    /// The model and how it reads the inputs.
    #[command(flatten)]
    pub applying: ModelArgs,
    /// Labelled expression files or directories (labels from their own metadata or --labels).
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// A sample label table giving the labels to check (it takes precedence over the labels
    /// the files carry); it must name at least one sample of the inputs.
    #[arg(long, value_name = "TABLE")]
    pub labels: Option<PathBuf>,
    /// A prediction contradicts a label only with at least this probability (0 to 1); samples
    /// predicted less surely are counted as not confident, not listed.
    #[arg(
        long = "min-prob",
        visible_alias = "confidence",
        default_value_t = DEFAULT_MIN_PROBABILITY,
        value_name = "P",
        allow_negative_numbers = true
    )]
    pub min_prob: f32,
    /// The TSV report of disagreements (written whole or not at all). Default: after the summary
    /// on standard output.
    #[arg(
        short = 'o',
        long = "out",
        visible_alias = "output",
        value_name = "FILE"
    )]
    pub out: Option<PathBuf>,
    /// No progress bar (it is also hidden when standard error is not a terminal).
    #[arg(long)]
    pub quiet: bool,
}

/// Runs `rnameta check`.
pub fn run(args: &Args) -> Result<()> {
    let annotator = Annotator::load(&args.applying, Some(args.min_prob))?;
    let task = annotator.task().with_context(|| {
        format!(
            "the bundle {} does not say which task it predicts, so it is unknown which labels \
             to check",
            args.applying.model.display()
        )
    })?;
    if let Some(out) = &args.out {
        check_output_file(out, "-o")?;
    }
    // The table's sample ids, to refuse a table that names no sample of the inputs even when the
    // files carry labels of their own (they would be checked instead, silently).
    let table_ids: Option<HashSet<String>> = match &args.labels {
        Some(path) => Some(
            rnameta_io::tsv::read_label_table(path)
                .with_context(|| format!("reading the label table {}", path.display()))?
                .sample_ids()
                .map(str::to_owned)
                .collect(),
        ),
        None => None,
    };
    let extras = LoadOptions {
        labels: args.labels.clone(),
        gene_annotation: args.applying.gene_annotation.clone(),
        ..LoadOptions::default()
    };
    let files = rnameta_data::expression_files(&args.inputs)?;
    let classes = annotator.model.classes().to_vec();
    let bar = progress(args.quiet);
    let mut notes = Vec::new();
    let mut reported = Vec::new();
    let mut report = DisagreementReport::new(classes.clone(), args.min_prob);
    let mut sex_genes_seen = [false; SEX_GENES.len()];
    let mut in_table = 0usize;
    let mut sample_ids: Vec<String> = Vec::new();
    for_each_chunk(&files, &extras, &mut notes, &bar, |data, file, _| {
        let (rows, genes) = annotator.predict(data, file)?;
        report_genes(&genes, file, &mut reported);
        let proba = Array2::from_shape_fn((rows.len(), classes.len()), |(i, j)| {
            rows[i].probabilities.get(j).copied().unwrap_or(f32::NAN)
        });
        // Annotator::predict applied the library's rule (below --min-prob, a tie, no model
        // gene in the data: unassigned); its class names are the model's.
        let assigned: Vec<Option<usize>> = rows
            .iter()
            .map(|r| {
                classes
                    .iter()
                    .position(|c| *c != UNASSIGNED && *c == r.predicted)
            })
            .collect();
        let labels = Labels::for_task(task, data.samples());
        let part = DisagreementReport::from_predictions(
            Predictions {
                classes: &classes,
                proba: proba.view(),
                assigned: &assigned,
            },
            Some(task),
            data,
            &labels,
            args.min_prob,
        )
        .with_context(|| format!("checking the labels of {}", file.display()))?;
        report.merge(part)?;
        for (seen, gene) in sex_genes_seen.iter_mut().zip(&SEX_GENES) {
            *seen |= data.genes().position(gene.id).is_some();
        }
        if let Some(ids) = &table_ids {
            in_table += data
                .samples()
                .iter()
                .filter(|s| ids.contains(&s.sample_id))
                .count();
            // Only needed to say why no sample matched, so kept while that can still happen.
            if in_table == 0 {
                sample_ids.extend(data.samples().iter().map(|s| s.sample_id.clone()));
            }
        }
        Ok(())
    })?;
    bar.finish_and_clear();
    for n in &notes {
        eprintln!("note: {n}");
    }
    if let (Some(table), 0) = (&args.labels, in_table) {
        let ids: Vec<&str> = sample_ids.iter().map(String::as_str).collect();
        bail!(
            "the label table matches no sample of the inputs, so there is nothing to check: {}; \
             give a table whose sample ids are the inputs' (docs/formats.md)",
            rnameta_data::label_table_coverage(table, task, &ids)
        );
    }
    if report.unlabelled == report.samples {
        match &args.labels {
            Some(table) => bail!(
                "{in_table} of {} samples of the inputs are in {}, but none got a {task} label \
                 from it; give a table with a {task} column (docs/formats.md)",
                report.samples,
                table.display()
            ),
            None => bail!(
                "no sample of the inputs has a {task} label to check; give the labels with \
                 --labels TABLE (a sample id column and a {task} column, docs/formats.md)"
            ),
        }
    }
    let sex_columns: Vec<usize> = if task == Task::Sex {
        (0..SEX_GENES.len())
            .filter(|&k| sex_genes_seen[k])
            .collect()
    } else {
        Vec::new()
    };
    let write = |w: &mut dyn Write| write_report(w, &report, &sex_columns);
    match &args.out {
        Some(out) => {
            let staged = stage(out, write).with_context(|| format!("writing {}", out.display()))?;
            commit_all(vec![staged])?;
            print_summary(&report, task);
            println!("report: {}", out.display());
        }
        None => {
            print_summary(&report, task);
            println!();
            let stdout = std::io::stdout();
            let mut lock = stdout.lock();
            write(&mut lock)?;
            lock.flush()?;
        }
    }
    if let Some(reason) = &report.sex_evidence_skipped {
        eprintln!("note: no sex-gene levels in the report: {reason}");
    }
    Ok(())
}

/// The summary: how many samples were checked and how each fell.
fn print_summary(r: &DisagreementReport, task: Task) {
    println!(
        "checked {} samples against their {task} labels: {} agree, {} disagree, {} unlabelled, \
         {} not confident (predicted with probability below {})",
        r.samples,
        r.agreed,
        r.disagreements.len(),
        r.unlabelled,
        r.not_confident,
        r.min_probability
    );
    if !r.unknown_labels.is_empty() {
        let list: Vec<String> = r
            .unknown_labels
            .iter()
            .map(|(k, n)| format!("{k} ({n})"))
            .collect();
        println!(
            "not checked, label not a class of the model ({}): {}",
            r.classes.join(", "),
            list.join(", ")
        );
    }
}

/// The TSV report: one row per disagreement, most confident first; for a sex model one column
/// per sex gene the inputs have, as log2(CPM + 1) of the input values.
fn write_report(
    w: &mut dyn Write,
    r: &DisagreementReport,
    sex_columns: &[usize],
) -> std::io::Result<()> {
    write!(
        w,
        "sample_id\tgiven\tpredicted\tpredicted_probability\tgiven_probability"
    )?;
    for &k in sex_columns {
        write!(w, "\t{}_log2cpm1", SEX_GENES[k].symbol)?;
    }
    writeln!(w)?;
    for d in &r.disagreements {
        write!(
            w,
            "{}\t{}\t{}\t{:.6}\t{:.6}",
            d.sample_id, d.given, d.predicted, d.predicted_probability, d.given_probability
        )?;
        for &k in sex_columns {
            match d.sex_genes.iter().find(|g| g.id == SEX_GENES[k].id) {
                Some(g) => write!(w, "\t{:.3}", g.log2_cpm_plus_1)?,
                None => write!(w, "\t")?,
            }
        }
        writeln!(w)?;
    }
    Ok(())
}
