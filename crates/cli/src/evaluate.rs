//! `rnameta evaluate`: applies a bundle to labelled expression files and scores it with
//! `rnameta-eval`: msa (micro accuracy), mca (mean per-class recall), per-class accuracy and the
//! confusion matrix. Unassigned samples (below `--min-prob`, or LIN's all-zero rows) count as
//! wrong, as in the paper.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::Args as ClapArgs;
use rnameta_core::Labels;
use rnameta_data::LoadOptions;
use rnameta_eval::metrics::ConfusionMatrix;
use rnameta_io::parquet::UNASSIGNED;
use serde::Serialize;

use crate::annotate::{for_each_chunk, progress, report_genes, Annotator, ModelArgs};

/// `rnameta evaluate` arguments.
#[derive(Debug, ClapArgs)]
pub struct Args {
    /// The model and how it reads the inputs.
    #[command(flatten)]
    pub applying: ModelArgs,
    /// Labelled expression files or directories (labels from their own metadata or --labels).
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// A sample label table giving the true labels.
    #[arg(long, value_name = "TABLE")]
    pub labels: Option<PathBuf>,
    /// Samples whose highest class probability is below this are unassigned (and wrong); 0 to 1.
    #[arg(
        long = "min-prob",
        default_value_t = 0.0,
        value_name = "P",
        allow_negative_numbers = true
    )]
    pub min_prob: f32,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
}

/// What `evaluate --json` prints.
#[derive(Debug, Serialize)]
struct Report {
    task: Option<String>,
    samples: usize,
    evaluated: usize,
    unlabelled: usize,
    unassigned: u64,
    msa: f64,
    mca: f64,
    classes: Vec<String>,
    per_class: Vec<PerClass>,
    /// `[true class][predicted class]`.
    confusion: Vec<Vec<u64>>,
    /// True labels that are not a class of the model, with how many samples carry each.
    unknown_labels: BTreeMap<String, usize>,
}

#[derive(Debug, Serialize)]
struct PerClass {
    class: String,
    samples: u64,
    accuracy: Option<f64>,
}

/// Runs `rnameta evaluate`.
pub fn run(args: &Args) -> Result<()> {
    let annotator = Annotator::load(&args.applying, Some(args.min_prob))?;
    let task = annotator.task().with_context(|| {
        format!(
            "the bundle {} does not say which task it predicts, so the true labels are unknown",
            args.applying.model.display()
        )
    })?;
    let classes = annotator.model.classes().to_vec();
    let extras = LoadOptions {
        labels: args.labels.clone(),
        gene_annotation: args.applying.gene_annotation.clone(),
        ..LoadOptions::default()
    };
    let files = rnameta_data::expression_files(&args.inputs)?;
    let bar = progress(args.quiet);
    let mut notes = Vec::new();
    let mut reported = Vec::new();
    let mut truth: Vec<usize> = Vec::new();
    let mut predicted: Vec<Option<usize>> = Vec::new();
    let mut unknown: BTreeMap<String, usize> = BTreeMap::new();
    let mut samples = 0usize;
    let mut sample_ids: Vec<String> = Vec::new();
    for_each_chunk(&files, &extras, &mut notes, &bar, |data, file, _| {
        let (rows, genes) = annotator.predict(data, file)?;
        report_genes(&genes, file, &mut reported);
        samples += rows.len();
        let names: Vec<Option<String>> = data.samples().iter().map(|s| task.label_of(s)).collect();
        let (labels, unmatched) = Labels::within_classes(classes.clone(), &names);
        for (name, n) in unmatched {
            *unknown.entry(name).or_insert(0) += n;
        }
        // The ids are only needed to say why no sample was scored (see below): kept while that
        // can still happen, not for every sample of a large input.
        if args.labels.is_some() && truth.is_empty() && unknown.is_empty() {
            sample_ids.extend(rows.iter().map(|r| r.sample_id.clone()));
        }
        for (row, t) in rows.iter().zip(labels.assigned()) {
            if let Some(t) = t {
                truth.push(*t);
                predicted.push(if row.predicted == UNASSIGNED {
                    None
                } else {
                    classes.iter().position(|c| *c == row.predicted)
                });
            }
        }
        Ok(())
    })?;
    bar.finish_and_clear();
    for n in &notes {
        eprintln!("note: {n}");
    }
    if truth.is_empty() && unknown.is_empty() {
        if let Some(table) = &args.labels {
            let ids: Vec<&str> = sample_ids.iter().map(String::as_str).collect();
            bail!(
                "no sample of the inputs has a {task} label: {}",
                rnameta_data::label_table_coverage(table, task, &ids)
            );
        }
    }
    if truth.is_empty() {
        bail!(
            "no sample of the inputs has a {task} label among the model's classes ({}); give the \
             true labels with --labels TABLE{}",
            classes.join(", "),
            if unknown.is_empty() {
                String::new()
            } else {
                format!(
                    " (labels found that are not classes: {})",
                    unknown.keys().cloned().collect::<Vec<_>>().join(", ")
                )
            }
        );
    }
    let confusion = ConfusionMatrix::new(&truth, &predicted, classes.len())?;
    let counts = confusion.counts();
    let report = Report {
        task: Some(task.to_string()),
        samples,
        evaluated: truth.len(),
        unlabelled: samples - truth.len(),
        unassigned: confusion.unassigned().iter().sum(),
        msa: confusion.msa(),
        mca: confusion.mca(),
        classes: classes.clone(),
        per_class: confusion
            .per_class_accuracy()
            .into_iter()
            .enumerate()
            .map(|(k, accuracy)| PerClass {
                class: classes[k].clone(),
                samples: confusion.support(k),
                accuracy,
            })
            .collect(),
        confusion: counts.rows().into_iter().map(|r| r.to_vec()).collect(),
        unknown_labels: unknown,
    };
    if args.json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        print_report(&report, confusion.unassigned());
    }
    Ok(())
}

fn print_report(r: &Report, unassigned: &[u64]) {
    println!(
        "{} samples, {} with a {} label among the model's classes ({} unassigned predictions)",
        r.samples,
        r.evaluated,
        r.task.as_deref().unwrap_or("true"),
        r.unassigned
    );
    if !r.unknown_labels.is_empty() {
        let list: Vec<String> = r
            .unknown_labels
            .iter()
            .map(|(k, n)| format!("{k} ({n})"))
            .collect();
        println!("not scored (label not a model class): {}", list.join(", "));
    }
    println!("msa (micro accuracy):         {:.4}", r.msa);
    println!("mca (mean per-class recall):  {:.4}", r.mca);
    println!();
    let width = r
        .classes
        .iter()
        .map(String::len)
        .max()
        .unwrap_or(0)
        .max("class".len());
    println!("{:<width$}  {:>7}  {:>8}", "class", "samples", "accuracy");
    for c in &r.per_class {
        if c.samples == 0 {
            continue;
        }
        let acc = c.accuracy.map_or("-".to_owned(), |a| format!("{a:.4}"));
        println!("{:<width$}  {:>7}  {:>8}", c.class, c.samples, acc);
    }
    println!();
    println!(
        "confusion (rows: true class, columns: predicted; classes with samples or predictions):"
    );
    let shown: Vec<usize> = (0..r.classes.len())
        .filter(|&k| {
            r.confusion[k].iter().any(|&n| n > 0) || r.confusion.iter().any(|row| row[k] > 0)
        })
        .collect();
    let cell = shown
        .iter()
        .map(|&k| r.classes[k].len())
        .max()
        .unwrap_or(1)
        .clamp(5, 8);
    let short = |s: &str| s.chars().take(cell).collect::<String>();
    print!("{:<width$}", "");
    for &k in &shown {
        print!("  {:>cell$}", short(&r.classes[k]));
    }
    println!("  {:>cell$}", "unassigned");
    for &t in &shown {
        print!("{:<width$}", r.classes[t]);
        for &p in &shown {
            print!("  {:>cell$}", r.confusion[t][p]);
        }
        println!("  {:>cell$}", unassigned[t]);
    }
}
