//! `rnameta train`: fits a model on labelled expression files and saves it as a bundle.
//!
//! Source-domain files are the homogeneous training data (GTEx in the paper); their samples get
//! the data source GTEx, which is how the DA model tells them apart. Bias-domain files are the
//! biased data (SRA studies); their samples keep their data source, or become SRA when they came
//! from GTEx. Every model but DA simply trains on both.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::{Args as ClapArgs, ValueEnum};
use rnameta_core::{DataSource, Dataset, GeneInfo, Grouping, Labels, Task};
use rnameta_data::{LoadOptions, Loader};
use rnameta_models::{GeneChoice, ModelKind, ModelSpec, TrainedModel};
use rnameta_preprocess::selection::GiniWindow;
use rnameta_preprocess::{ModelInput, Pipeline};
use serde::Serialize;

use crate::outputs::check_output_dir;

/// The task as typed on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TaskArg {
    /// Tissue of origin.
    Tissue,
    /// Biological sex.
    Sex,
    /// Sample source: biopsy or cell line (and MetaSRA's other sample types where labelled).
    Source,
}

impl From<TaskArg> for Task {
    fn from(t: TaskArg) -> Self {
        match t {
            TaskArg::Tissue => Task::Tissue,
            TaskArg::Sex => Task::Sex,
            TaskArg::Source => Task::SampleSource,
        }
    }
}

/// The model as typed on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ModelArg {
    /// phenopredict's linear model (moderated t gene choice, NNLS projection).
    Lin,
    /// One-hidden-layer perceptron (the paper's MLP).
    Mlp,
    /// Domain adaptation (siamese, needs --bias-domain).
    Da,
    /// Random forest.
    Rf,
    /// Multinomial logistic regression.
    Logistic,
}

impl ModelArg {
    /// The model in the one vocabulary of models, manifests and experiments.
    fn kind(self) -> ModelKind {
        match self {
            Self::Lin => ModelKind::Lin,
            Self::Mlp => ModelKind::Mlp,
            Self::Da => ModelKind::DomainAdaptation,
            Self::Rf => ModelKind::RandomForest,
            Self::Logistic => ModelKind::LogisticRegression,
        }
    }
}

/// Which preprocessing pipeline to fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PipelineArg {
    /// log2(TPM + 1) when every gene has a union exon length, else log2(CPM + 1).
    Auto,
    /// log2(TPM + 1) (needs union exon lengths: recount3 GTF, --gene-annotation).
    Tpm,
    /// log2(CPM + 1) (no gene lengths needed).
    Cpm,
}

/// What the classifier reads of the pipeline's output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ModelInputArg {
    /// unit-free for sex, levels for tissue and sample source: where the unit-free input cost
    /// no accuracy on the simulated presets (docs/results.md, "Unit-free input").
    Auto,
    /// The pipeline's levels (the paper's input): inputs to annotate must be raw counts.
    Levels,
    /// Each sample's own order of the model's genes, mapped onto the training levels: inputs
    /// in any units (counts, CPM, TPM, FPKM, RSEM, log2 of them, log2 arrays) give the same
    /// answer, and only the model's genes are needed.
    UnitFree,
}

/// Most epochs `--epochs` takes: 100 times the paper's 10, beyond any use seen (an epoch of the
/// paper-size MLP takes about a second, so this bounds a mistyped value to minutes, not years).
const MAX_EPOCHS: i64 = 1_000;

/// Most trees `--trees` takes: 100 times the default forest, about the most whose nodes fit in
/// memory for a paper-size training set.
const MAX_TREES: i64 = 10_000;

/// `rnameta train` arguments.
#[derive(Debug, ClapArgs)]
pub struct Args {
    /// What to predict.
    #[arg(long, value_enum)]
    pub task: TaskArg,
    /// Which model to train.
    #[arg(long, value_enum)]
    pub model: ModelArg,
    /// Training files or directories (the homogeneous source domain, GTEx in the paper); their
    /// samples are given the data source GTEx.
    #[arg(long = "source-domain", required = true, num_args = 1.., value_name = "FILE")]
    pub source_domain: Vec<PathBuf>,
    /// Files or directories of the biased domain (SRA studies). DA maps them onto the source
    /// domain and needs them (with study ids); other models train on them too.
    #[arg(long = "bias-domain", num_args = 1.., value_name = "FILE")]
    pub bias_domain: Vec<PathBuf>,
    /// A sample label table (a sample id column, e.g. sample / run / gsm, and tissue / sex /
    /// sample_source (or source, sample_type) / study columns; docs/formats.md) that labels the
    /// samples of every file.
    #[arg(long, value_name = "TABLE")]
    pub labels: Option<PathBuf>,
    /// A GTF or gene annotation table (e.g. the Ensembl table) that fills chromosomes, biotypes
    /// and lengths of the genes.
    #[arg(long = "gene-annotation", value_name = "FILE")]
    pub gene_annotation: Option<PathBuf>,
    /// Genes the model reads: `paper` (the paper's Gini window for the task), `all`,
    /// `gini:LOW-HIGH` (Gini window, protein coding), `xy` (every chrX/chrY gene), or a file of
    /// gene ids (one per line).
    #[arg(long, default_value = "paper", value_name = "CHOICE")]
    pub genes: String,
    /// Preprocessing: auto picks tpm when every gene has a union exon length, else cpm.
    #[arg(long, value_enum, default_value = "auto")]
    pub pipeline: PipelineArg,
    /// What the model reads of the pipeline's output: `unit-free` (any input units), `levels`
    /// (the paper's log2 levels; inputs must be counts), or `auto` (unit-free for sex).
    #[arg(long = "model-input", value_enum, default_value = "auto")]
    pub model_input: ModelInputArg,
    /// Seed of the model's randomness (MLP, DA, random forest).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Training epochs (MLP; DA: each of its two phases), 1 to 1,000. Default: the paper's 10.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=MAX_EPOCHS))]
    pub epochs: Option<u32>,
    /// Trees of the random forest, 1 to 10,000 (default: the library's).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=MAX_TREES))]
    pub trees: Option<u32>,
    /// One-vs-all: learn CLASS against everything else, labelled "other" (the paper's biopsy vs
    /// rest sample-source model).
    #[arg(
        long = "one-vs-all",
        value_name = "CLASS",
        conflicts_with = "catch_all"
    )]
    pub one_vs_all: Option<String>,
    /// Catch-all class: keep the N largest classes (or the comma-separated CLASSES) and label every
    /// other sample "other" (the paper's 17 tissues plus a catch-all class), so that samples of
    /// tissues outside the model land in "other" instead of a wrong tissue.
    #[arg(long = "catch-all", value_name = "N|CLASSES")]
    pub catch_all: Option<String>,
    /// Output bundle directory (manifest.json + model.safetensors), created if missing.
    #[arg(short = 'o', long = "out", value_name = "MODEL_DIR")]
    pub out: PathBuf,
    /// Print one JSON summary instead of text.
    #[arg(long)]
    pub json: bool,
}

/// What `train --json` prints.
#[derive(Debug, Serialize)]
struct Summary {
    task: String,
    model: String,
    pipeline: String,
    samples: usize,
    labelled: usize,
    source_domain_samples: usize,
    bias_domain_samples: usize,
    classes: Vec<ClassCount>,
    genes: usize,
    gene_selection: String,
    bundle: PathBuf,
    notes: Vec<String>,
}

#[derive(Debug, Serialize)]
struct ClassCount {
    class: String,
    samples: usize,
}

/// Runs `rnameta train`.
pub fn run(args: &Args) -> Result<()> {
    let task: Task = args.task.into();
    if args.model == ModelArg::Da && args.bias_domain.is_empty() {
        bail!(
            "the DA model needs --bias-domain files: it learns to map biased samples (e.g. SRA \
             studies) onto the source domain, and without them there is nothing to adapt"
        );
    }
    let choice = parse_genes(&args.genes)?;
    check_output_dir(&args.out, "-o")?;
    // One loader for both domains: a sample in both is refused, a GTF is parsed once.
    let mut loader = Loader::new(LoadOptions {
        labels: args.labels.clone(),
        gene_annotation: args.gene_annotation.clone(),
        ..LoadOptions::default()
    });
    let source = loader.load(&args.source_domain)?;
    let mut report = source.report;
    let n_source = source.dataset.n_samples();
    let data = if args.bias_domain.is_empty() {
        mark_source(source.dataset)
    } else {
        let bias = loader.load(&args.bias_domain)?;
        report.merge(bias.report);
        let both = vec![
            (
                "the --source-domain data".to_owned(),
                mark_source(source.dataset),
            ),
            ("the --bias-domain data".to_owned(), mark_bias(bias.dataset)),
        ];
        rnameta_data::stack(both, &mut report)?
    };
    let mut notes = report.notes;
    let n_bias = data.n_samples() - n_source;

    let grouping = grouping_from_args(args.one_vs_all.as_deref(), args.catch_all.as_deref())?;
    let labels = training_labels(
        task,
        &data,
        n_source,
        args.model == ModelArg::Da,
        &grouping,
        args.labels.as_deref(),
        &mut notes,
    )?;
    if args.model == ModelArg::Da {
        if let Some(s) = data.samples()[n_source..]
            .iter()
            .zip(&labels.assigned()[n_source..])
            .find(|(s, c)| c.is_some() && s.study.is_none())
        {
            bail!(
                "DA needs the study of every labelled bias-domain sample (its bias is per \
                 study); sample {} has none (give a study column in --labels)",
                s.0.sample_id
            );
        }
    }

    check_annotation_for(&choice, &data, args.gene_annotation.is_some())?;
    let (pipeline, pipeline_name) = choose_pipeline(args.pipeline, &data)?;
    let unit_free = match args.model_input {
        ModelInputArg::Auto => task == Task::Sex,
        ModelInputArg::Levels => false,
        ModelInputArg::UnitFree => true,
    };
    let (pipeline, pipeline_name) = match unit_free {
        false => (pipeline, pipeline_name.to_owned()),
        true => (
            pipeline.with_model_input(ModelInput::WithinSampleRanks),
            format!("{pipeline_name}, read as within-sample ranks (unit-free)"),
        ),
    };
    let spec = model_spec(args, task)?;
    let model = TrainedModel::fit(&spec, task, &pipeline, &choice, &data, &labels)
        .with_context(|| format!("training {} for {task}", args.model.kind()))?;
    model
        .save(&args.out)
        .with_context(|| format!("saving the bundle to {}", args.out.display()))?;

    let counts = labels.class_counts();
    let summary = Summary {
        task: task.to_string(),
        model: args.model.kind().as_str().to_owned(),
        pipeline: pipeline_name,
        samples: data.n_samples(),
        labelled: labels.n_labelled(),
        source_domain_samples: n_source,
        bias_domain_samples: n_bias,
        classes: labels
            .classes()
            .iter()
            .zip(&counts)
            .map(|(c, &n)| ClassCount {
                class: c.clone(),
                samples: n,
            })
            .collect(),
        genes: model.gene_ids().len(),
        gene_selection: model.preprocessing().gene_selection.clone(),
        bundle: args.out.clone(),
        notes,
    };
    if args.json {
        println!("{}", serde_json::to_string(&summary)?);
    } else {
        print_summary(&summary);
    }
    Ok(())
}

fn print_summary(s: &Summary) {
    for n in &s.notes {
        eprintln!("note: {n}");
    }
    println!(
        "trained {} for {} on {} labelled of {} samples ({} source domain, {} bias domain)",
        s.model, s.task, s.labelled, s.samples, s.source_domain_samples, s.bias_domain_samples
    );
    println!("pipeline: {}", s.pipeline);
    println!("classes ({}):", s.classes.len());
    let width = s.classes.iter().map(|c| c.class.len()).max().unwrap_or(0);
    for c in &s.classes {
        println!("  {:<width$}  {}", c.class, c.samples);
    }
    println!("genes: {} ({})", s.genes, s.gene_selection);
    println!("bundle: {}", s.bundle.display());
}

fn mark_source(mut data: Dataset) -> Dataset {
    for s in data.samples_mut() {
        s.data_source = DataSource::Gtex;
    }
    data
}

fn mark_bias(mut data: Dataset) -> Dataset {
    for s in data.samples_mut() {
        if s.data_source == DataSource::Gtex {
            s.data_source = DataSource::Sra;
        }
    }
    data
}

/// The labels of the task: classes named as the source domain names them; bias-domain names are
/// matched loosely ("adipose tissue" = "Adipose Tissue"). For DA a bias-domain class without a
/// source-domain sample is refused (the classifier is trained on the source domain only); for the
/// other models it becomes a class of its own. Without any label, the refusal says how far the
/// `--labels` table (`label_table`, when given) covers the inputs, or asks for one.
fn training_labels(
    task: Task,
    data: &Dataset,
    n_source: usize,
    is_da: bool,
    grouping: &Grouping,
    label_table: Option<&Path>,
    notes: &mut Vec<String>,
) -> Result<Labels> {
    let mut names: Vec<Option<String>> = data.samples().iter().map(|s| task.label_of(s)).collect();
    if names.iter().all(Option::is_none) {
        if let Some(table) = label_table {
            let ids: Vec<&str> = data
                .samples()
                .iter()
                .map(|s| s.sample_id.as_str())
                .collect();
            bail!(
                "no sample has a {task} label: {}",
                rnameta_data::label_table_coverage(table, task, &ids)
            );
        }
        bail!(
            "no sample has a {task} label; give the labels with --labels TABLE (sample id and a \
             {task} column) or use files that carry them"
        );
    }
    notes.extend(grouping.apply(&mut names)?);
    let source_labels = Labels::from_names(&names[..n_source]);
    if source_labels.n_labelled() == 0 {
        bail!("no source-domain sample has a {task} label; the source domain is the training data");
    }
    let mut classes = source_labels.classes().to_vec();
    let (_, unmatched) = Labels::within_classes(classes.clone(), &names[n_source..]);
    if let Some((class, n)) = unmatched.iter().next() {
        if is_da {
            bail!(
                "class {class:?} ({n} bias-domain samples) has no training sample in the source \
                 domain; DA's classifier learns from the source domain only (source classes: {})",
                classes.join(", ")
            );
        }
        classes.extend(unmatched.keys().cloned());
        classes.sort();
        notes.push(format!(
            "{} classes only in the bias domain: {}",
            unmatched.len(),
            unmatched.keys().cloned().collect::<Vec<_>>().join(", ")
        ));
    }
    let (labels, _) = Labels::within_classes(classes, &names);
    if let Some((class, _)) = labels
        .classes()
        .iter()
        .zip(labels.class_counts())
        .find(|(_, n)| *n == 0)
    {
        bail!("class {class:?} has no training sample");
    }
    let scarce: Vec<String> = labels
        .classes()
        .iter()
        .zip(labels.class_counts())
        .filter(|(_, n)| *n < MIN_CLASS_SAMPLES)
        .map(|(c, n)| format!("{c} ({n})"))
        .collect();
    if !scarce.is_empty() {
        notes.push(format!(
            "warning: {} of {} classes have fewer than {MIN_CLASS_SAMPLES} training samples: {}; \
             their predictions rest on too few examples to trust (add samples, or leave the \
             class out with --catch-all)",
            scarce.len(),
            labels.classes().len(),
            scarce.join(", ")
        ));
    }
    if labels.classes().len() < 2 {
        bail!(
            "only one {task} class ({}) among the labelled samples; a classifier needs two",
            labels.classes().join(", ")
        );
    }
    Ok(labels)
}

/// Fewer training samples than this in a class draw a warning: one or two examples cannot show
/// a class's spread (the paper kept classes of at least 10 samples).
const MIN_CLASS_SAMPLES: usize = 3;

/// Refuses a gene choice the genes' annotation cannot serve (protein-coding windows without any
/// biotype, `xy` without any chromosome), saying where the annotation comes from.
fn check_annotation_for(choice: &GeneChoice, data: &Dataset, given: bool) -> Result<()> {
    let genes = data.genes().genes();
    let (needs, missing) = match choice {
        GeneChoice::Paper
        | GeneChoice::Gini {
            protein_coding_only: true,
            ..
        } => (
            "biotypes (it keeps protein-coding genes)",
            genes.iter().all(|g| g.biotype.is_none()),
        ),
        GeneChoice::Chromosomes(_) => ("chromosomes", genes.iter().all(|g| g.chromosome.is_none())),
        _ => return Ok(()),
    };
    if !missing {
        return Ok(());
    }
    let what = if given {
        "the --gene-annotation given matched none of the input's genes"
    } else {
        "give --gene-annotation FILE: a GENCODE / Ensembl GTF, or the Ensembl 100 gene table of the \
         rnameta sources, fixtures/real/ensembl100_grch38_genes.tsv.gz"
    };
    bail!(
        "the chosen genes need the genes' {needs}, and none of the {} genes has any; {what} (or \
         choose --genes all)",
        genes.len()
    )
}

/// The grouping asked for by `--one-vs-all CLASS` or `--catch-all N|CLASSES`.
fn grouping_from_args(one_vs_all: Option<&str>, catch_all: Option<&str>) -> Result<Grouping> {
    Ok(match (one_vs_all, catch_all) {
        (Some(class), _) => Grouping::OneVsAll(class.to_owned()),
        (None, Some(spec)) => match spec.parse::<usize>() {
            Ok(0 | 1) => bail!("--catch-all {spec}: keep at least 2 classes"),
            Ok(n) => Grouping::CatchAllLargest(n),
            Err(_) => Grouping::CatchAllListed(
                spec.split(',')
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .map(str::to_owned)
                    .collect(),
            ),
        },
        (None, None) => Grouping::Plain,
    })
}

/// The pipeline to fit, and its name for the output.
fn choose_pipeline(arg: PipelineArg, data: &Dataset) -> Result<(Pipeline, &'static str)> {
    let without_length = data
        .genes()
        .genes()
        .iter()
        .filter(|g| g.union_exon_length.is_none())
        .count();
    match arg {
        PipelineArg::Tpm if without_length > 0 => bail!(
            "--pipeline tpm needs the union exon length of every gene; {without_length} of {} \
             genes have none (give --gene-annotation with a GTF, or use --pipeline cpm)",
            data.n_genes()
        ),
        PipelineArg::Tpm => Ok((Pipeline::tpm_log2(), "log2(TPM + 1)")),
        PipelineArg::Cpm => Ok((Pipeline::cpm_log2(), "log2(CPM + 1)")),
        PipelineArg::Auto if without_length == 0 => Ok((
            Pipeline::tpm_log2(),
            "log2(TPM + 1) (auto: every gene has a union exon length)",
        )),
        PipelineArg::Auto => Ok((
            Pipeline::cpm_log2(),
            "log2(CPM + 1) (auto: some genes have no union exon length)",
        )),
    }
}

/// The model's settings: the paper's defaults, with `--epochs`, `--trees` and `--seed` applied.
fn model_spec(args: &Args, task: Task) -> Result<ModelSpec> {
    let mut spec = ModelSpec::defaults(args.model.kind(), task, args.seed)
        .with_context(|| format!("{} predicts no single label", args.model.kind()))?;
    if let Some(epochs) = args.epochs.map(|e| e as usize) {
        match &mut spec {
            ModelSpec::Mlp(p) => p.epochs = epochs,
            ModelSpec::Da(p) => {
                p.epochs = epochs;
                p.triplet_epochs = epochs;
            }
            _ => bail!("--epochs applies to mlp and da only"),
        }
    }
    if let Some(trees) = args.trees.map(|t| t as usize) {
        match &mut spec {
            ModelSpec::RandomForest(p) => p.n_trees = trees,
            _ => bail!("--trees applies to rf only"),
        }
    }
    Ok(spec)
}

/// Parses `--genes`.
fn parse_genes(raw: &str) -> Result<GeneChoice> {
    Ok(match raw {
        "paper" => GeneChoice::Paper,
        "all" => GeneChoice::All,
        "xy" => GeneChoice::Chromosomes(vec!["X".into(), "Y".into()]),
        _ if raw.starts_with("gini:") => {
            let window = &raw["gini:".len()..];
            let (low, high) = window.split_once('-').with_context(|| {
                format!("--genes {raw}: expected gini:LOW-HIGH, e.g. gini:0.5-1")
            })?;
            let parse = |v: &str| {
                v.trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|x| (0.0..=1.0).contains(x))
                    .with_context(|| format!("--genes {raw}: {v:?} is not a number in [0, 1]"))
            };
            let (low, high) = (parse(low)?, parse(high)?);
            if low >= high {
                bail!("--genes {raw}: the window's low end must be below its high end");
            }
            GeneChoice::Gini {
                window: GiniWindow { low, high },
                protein_coding_only: true,
            }
        }
        path => {
            let path = PathBuf::from(path);
            if !path.is_file() {
                bail!(
                    "--genes {raw}: neither paper, all, xy, gini:LOW-HIGH nor an existing file of \
                     gene ids"
                );
            }
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("reading {}", path.display()))?;
            let ids: Vec<String> = text
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(|l| GeneInfo::from_id(l).id)
                .collect();
            if ids.is_empty() {
                bail!("{}: no gene id in the file", path.display());
            }
            GeneChoice::Ids(ids)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rnameta_core::{ExprMatrix, GeneAnnotation, SampleMeta};

    fn unlabelled(ids: &[&str]) -> Dataset {
        let genes = GeneAnnotation::new(vec![GeneInfo::from_id("ENSG00000000003")]).unwrap();
        let samples = ids
            .iter()
            .map(|id| SampleMeta::new(*id, DataSource::Other))
            .collect();
        Dataset::new(ExprMatrix::zeros((ids.len(), 1)), genes, samples).unwrap()
    }

    fn refusal(task: Task, data: &Dataset, table: Option<&Path>) -> String {
        training_labels(
            task,
            data,
            data.n_samples(),
            false,
            &Grouping::Plain,
            table,
            &mut Vec::new(),
        )
        .unwrap_err()
        .to_string()
    }

    #[test]
    fn a_table_matching_no_sample_is_named_not_asked_for() {
        let dir = tempfile::tempdir().unwrap();
        let table = dir.path().join("labels.tsv");
        std::fs::write(&table, "sample_id\tsex\nSRR1\tmale\nSRR2\tfemale\n").unwrap();
        let err = refusal(Task::Sex, &unlabelled(&["NA1", "NA2"]), Some(&table));
        assert!(!err.contains("give the labels with"), "{err}");
        assert!(
            err.contains("0 of 2 samples of the inputs are in")
                && err.contains("labels.tsv")
                && err.contains("SRR1, SRR2")
                && err.contains("NA1, NA2"),
            "{err}"
        );
    }

    #[test]
    fn a_table_without_the_tasks_column_names_the_column() {
        let dir = tempfile::tempdir().unwrap();
        let table = dir.path().join("labels.tsv");
        std::fs::write(&table, "sample_id\ttissue\nNA1\tblood\nNA2\tblood\n").unwrap();
        let err = refusal(Task::Sex, &unlabelled(&["NA1", "NA2"]), Some(&table));
        assert!(
            err.contains("2 of 2 samples") && err.contains("no sex column (sex, gender;"),
            "{err}"
        );
    }

    #[test]
    fn without_a_table_the_message_asks_for_one() {
        let err = refusal(Task::Sex, &unlabelled(&["NA1", "NA2"]), None);
        assert!(err.contains("--labels TABLE"), "{err}");
    }
}
