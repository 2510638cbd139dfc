//! `rnameta simulate`: writes a simulated GTEx / TCGA / SRA / ARCHS4 cohort in the real formats
//! (layout in `docs/simulation.md`).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use clap::builder::{PossibleValuesParser, TypedValueParser};
use rnameta_sim::output::{progress_bar, write_cohort};
use rnameta_sim::universe::default_gene_table;
use rnameta_sim::{GeneUniverse, Preset, SimConfig, Simulator};

/// The parser of `--preset`: one of [`Preset::ALL`] by name, so that clap lists every preset in
/// the help and refuses another name as bad usage (exit 2) listing them.
pub fn preset_parser() -> impl TypedValueParser<Value = Preset> {
    PossibleValuesParser::new(Preset::ALL.map(Preset::name))
        .try_map(|name| Preset::parse(&name).ok_or_else(|| format!("unknown preset {name:?}")))
}

/// What the command line asked for.
#[derive(Debug, Clone)]
pub struct Options {
    /// The preset (replaced by `config` when given).
    pub preset: Preset,
    /// A config file replacing the preset.
    pub config: Option<PathBuf>,
    /// A seed replacing the config's.
    pub seed: Option<u64>,
    /// Output directory.
    pub out: PathBuf,
    /// Ensembl gene table (default: the workspace's `fixtures/real` copy).
    pub genes: Option<PathBuf>,
    /// No progress bar.
    pub quiet: bool,
}

/// Runs the command: builds the config (checked against its limits), the gene universe and the
/// simulator, writes the cohort (refused before any work when it cannot fit this machine; written
/// into a staging folder and renamed into place, see [`write_cohort`]) and prints what was
/// written.
pub fn run(options: &Options) -> Result<()> {
    let mut config = match &options.config {
        Some(path) => SimConfig::from_json_file(path)?,
        None => SimConfig::preset(options.preset),
    };
    if let Some(seed) = options.seed {
        config.seed = seed;
    }
    let genes = options.genes.clone().unwrap_or_else(default_gene_table);
    if !genes.exists() {
        anyhow::bail!(
            "gene table {} not found; pass the Ensembl 100 table with --genes",
            genes.display()
        );
    }
    let started = Instant::now();
    // The gene table bounds universe.n_genes and the biotypes: name the config file in errors.
    let universe =
        GeneUniverse::from_ensembl(&genes, &config.universe).map_err(|e| {
            match &options.config {
                Some(path) => e.in_config_file(path),
                None => e,
            }
        })?;
    let sim = Simulator::new(config, universe)?;
    let c = sim.config();
    let total = c.gtex.samples + c.tcga.samples + c.archs4.samples;
    let visible = !options.quiet && std::io::stderr().is_terminal();
    let bar = progress_bar(total as u64, visible);
    let summary = write_cohort(&sim, &options.out, &bar)
        .with_context(|| format!("writing the cohort to {}", options.out.display()))?;
    let counts: Vec<String> = summary
        .samples
        .iter()
        .map(|(source, n)| format!("{source} {n}"))
        .collect();
    println!(
        "simulated {} genes; samples: {}; {} recount3 projects; seed {}; written to {} in {:.1} s",
        sim.universe().len(),
        counts.join(", "),
        summary.projects,
        c.seed,
        display(&options.out),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn display(path: &Path) -> String {
    path.display().to_string()
}
