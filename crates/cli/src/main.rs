//! `rnameta`: predict missing RNA-seq metadata (tissue, sex, sample source) from expression.
//!
//! Subcommands live in one module each; this file only parses the command line and maps errors
//! to exit codes (0 success, 1 a failed command, 2 bad usage: clap's own).

mod fetch;
mod inspect;
mod simulate;

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
    /// Directories are inspected file by file; files in them that are not a recognised format are
    /// listed as skipped. A file named explicitly must be readable, or the command fails.
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
        /// Preset: tiny (tests, seconds), small (model tests, quick experiments), paper (the paper's sizes), archs4 (200,000 samples,
        /// streamed into one HDF5 file).
        #[arg(long, default_value = "tiny")]
        preset: String,
        /// A JSON config replacing the preset (see fixtures/sim/*.json).
        #[arg(long)]
        config: Option<PathBuf>,
        /// Seed replacing the config's.
        #[arg(long)]
        seed: Option<u64>,
        /// Output directory (created if missing).
        #[arg(long)]
        out: PathBuf,
        /// Ensembl 100 gene table (default: the workspace's fixtures/real copy).
        #[arg(long)]
        genes: Option<PathBuf>,
        /// No progress bar (it is also hidden when standard error is not a terminal).
        #[arg(long)]
        quiet: bool,
    },
    /// Download public data (recount3 projects, GTEx v8, ARCHS4) into a directory: resumable,
    /// size- and checksum-checked, SHA-256 recorded in fetch-manifest.json (docs/fetch.md).
    Fetch(fetch::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
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
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // The reader of our output went away (`rnameta inspect DIR | head`): not a failure.
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(1)
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
