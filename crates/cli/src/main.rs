//! `rnameta`: predict missing RNA-seq metadata (tissue, sex, sample source) from expression.
//!
//! Subcommands live in one module each; this file only parses the command line and maps errors
//! to exit codes (0 success, 1 a failed command, 2 bad usage: clap's own).

mod inspect;

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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Inspect { paths, json } => inspect::run(&paths, json),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(1)
        }
    }
}
