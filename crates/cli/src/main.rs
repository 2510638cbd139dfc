//! `rnameta`: predict missing RNA-seq metadata (tissue, sex, sample source) from expression.
//!
//! Subcommands live in one module each; this file only parses the command line and maps errors
//! to exit codes (0 success, 1 a failed command, 2 bad usage: clap's own).

mod annotate;
mod check;
mod convert;
mod evaluate;
mod fetch;
mod inspect;
mod outputs;
mod plan;
mod rank_genes;
mod simulate;
mod train;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Predict missing RNA-seq sample metadata from gene expression.
#[derive(Debug, Parser)]
#[command(name = "rnameta", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Show what rnameta sees in files before you train on them: format, samples, genes, gene id
    /// kind, label fields and value kind (counts, TPM-like, log-like).
    ///
    /// Directories are inspected file by file. Files that are not a recognised format, named or
    /// in a directory, are listed as skipped; a recognised file that is damaged fails the
    /// command, as does finding nothing to inspect.
    Inspect {
        /// Files or directories to inspect.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Print one JSON object per file instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Write a simulated GTEx / TCGA / SRA cohort with study bias in the real formats (recount3,
    /// GTEx GCT, ARCHS4 HDF5, MetaSRA), with a truth table of every sample's real labels and QC
    /// flags. Same seed, same bytes. Layout and model: docs/simulation.md.
    Simulate {
        /// Preset: tiny (tests, seconds), small (model tests, quick experiments), paper (the
        /// paper's sizes), archs4 (200,000 samples, streamed into one HDF5 file).
        #[arg(long, default_value = "tiny", value_parser = simulate::preset_parser(), conflicts_with = "config")]
        preset: rnameta_sim::Preset,
        /// A JSON config instead of a preset (see fixtures/sim/*.json; limits in
        /// docs/simulation.md).
        #[arg(long)]
        config: Option<PathBuf>,
        /// Seed replacing the config's.
        #[arg(long)]
        seed: Option<u64>,
        /// Output directory (created if missing). It must be missing, empty, or an earlier
        /// cohort of rnameta simulate (replaced whole); the cohort appears only when complete.
        #[arg(long)]
        out: PathBuf,
        /// Ensembl 100 gene table (default: the workspace's fixtures/real copy).
        #[arg(long)]
        genes: Option<PathBuf>,
        /// No progress bar (it is also hidden when standard error is not a terminal).
        #[arg(long)]
        quiet: bool,
    },
    /// Download public data (recount3 projects, GTEx v8, ARCHS4, the MetaSRA labels, the UBERON
    /// ontology) into a directory: resumable, size- and checksum-checked, SHA-256 recorded in
    /// fetch-manifest.json (docs/fetch.md).
    Fetch(fetch::Args),
    /// Plan the recount3 projects and samples the tasks need, as the paper selected them (human,
    /// bulk RNA-seq, labelled by MetaSRA), from a recount3 mirror's project tables and MetaSRA.
    ///
    /// Stage 1 (no --metasra): the human SRA, GTEx and TCGA projects and the metadata table of
    /// each, to fetch. Stage 2 (--metasra): each project's samples after the metadata QC
    /// (single-cell studies and small-RNA libraries left out), their runs and tissue / sex /
    /// sample-source labels, and the labelled samples per class (docs/fetch.md).
    Plan(plan::Args),
    /// Read expression files (any format, with their labels and companions) and write them as
    /// one Parquet file with the samples' metadata: a recount3 project as a compact shard
    /// (`--sra-qc` applies the paper's SRA sample QC first), or shards merged into one file.
    Convert(convert::Args),
    /// Train a model (lin, mlp, da, rf, logistic) for a task on labelled expression files and
    /// save it as a bundle directory (manifest.json + model.safetensors).
    ///
    /// Labels come from the files' own metadata (recount3 tables, GTEx attribute tables, MetaSRA,
    /// ARCHS4 characteristics) or from --labels. Exit 1 when no sample is labelled, a class has no
    /// training sample, or DA has no --bias-domain.
    Train(train::Args),
    /// Predict the task of a trained model for every sample of the inputs and write class
    /// probabilities, the predicted class ("unassigned" below --min-prob) and, with
    /// --emit-training-labels, a label table of confident predictions.
    ///
    /// Refuses inputs whose values are not counts when the model expects counts (TPM-like,
    /// log-like, standardised), and inputs missing more than --max-missing of the model's genes.
    /// ARCHS4 HDF5 files are streamed in chunks of 1,024 samples; the output appears only when complete.
    Annotate(annotate::Args),
    /// Score a trained model on labelled inputs: msa (micro accuracy), mca (mean per-class
    /// recall), per-class accuracy and the confusion matrix.
    Evaluate(evaluate::Args),
    /// Rank genes by the ARCHS4 signal measure (95th-percentile value and the mean cosine
    /// similarity of the samples around it), after ARCHS4 normalisation of counts.
    #[command(name = "rank-genes")]
    RankGenes(rank_genes::Args),
    /// List the samples whose given label (--labels, or the labels the files carry) disagrees
    /// with a confident prediction of a trained model (probability >= --min-prob, default 0.9),
    /// most confident first, with the evidence: given and predicted class, both probabilities
    /// and, for a sex model, XIST and Y-gene levels as log2(CPM + 1).
    ///
    /// Unlabelled samples and samples predicted below --min-prob are counted, not listed. Exit 1
    /// when the label table names no sample of the inputs or no sample has a label.
    Check(check::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    remove_temporaries_on_signals();
    let result = match cli.command {
        Command::Inspect { paths, json } => inspect::run(&paths, json),
        Command::Simulate {
            preset,
            config,
            seed,
            out,
            genes,
            quiet,
        } => simulate::run(&simulate::Options {
            preset,
            config,
            seed,
            out,
            genes,
            quiet,
        }),
        Command::Fetch(args) => fetch::run(&args),
        Command::Plan(args) => plan::run(&args),
        Command::Convert(args) => convert::run(&args),
        Command::Train(args) => train::run(&args),
        Command::Annotate(args) => annotate::run(&args),
        Command::Evaluate(args) => evaluate::run(&args),
        Command::RankGenes(args) => rank_genes::run(&args),
        Command::Check(args) => check::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // The reader of our output went away (`rnameta inspect DIR | head`): not a failure.
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {}", error_line(&err));
            ExitCode::from(1)
        }
    }
}

/// On SIGINT, SIGTERM or SIGHUP: removes the temporary files and folders being written (outputs
/// appear only when complete, so nothing else is half-written), says so, and exits with 128 + the
/// signal's number, as a shell reports a process ended by that signal.
fn remove_temporaries_on_signals() {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
        // Without a handler the default action (exit) applies; the next run sweeps what is left.
        return;
    };
    std::thread::spawn(move || {
        if let Some(signal) = signals.forever().next() {
            let removed = rnameta_io::write::remove_in_flight();
            let name = match signal {
                SIGINT => "SIGINT",
                SIGTERM => "SIGTERM",
                _ => "SIGHUP",
            };
            eprintln!(
                "error: interrupted by {name}; no output was written ({removed} unfinished \
                 temporary files removed)"
            );
            std::process::exit(128 + signal);
        }
    });
}

/// The error and its causes on one line, each cause said once: a cause whose text an outer
/// message already holds (an OS error both printed and kept as the source) is not repeated.
fn error_line(err: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if text.is_empty() || line.contains(&text) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&text);
    }
    line
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
