//! `rnameta rank-genes`: the ARCHS4 per-gene signal ranking (95th-percentile value, and the mean
//! cosine similarity of the 100 samples whose value is closest to it), on normalised values.
//!
//! On cohorts of fewer than 400 samples the neighbourhood is capped at a quarter of the samples (a
//! note says so): with 100 of 30 samples every gene would compare all of them and get the same
//! mean cosine. Counts are ranked against their own zeros, which quantile normalisation no longer
//! ties (see `rnameta_preprocess::signal`).

use std::io::Write;
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::Args as ClapArgs;
use rnameta_core::{Dataset, ValueKind};
use rnameta_data::LoadOptions;
use rnameta_io::write::write_atomically;
use rnameta_preprocess::signal::{
    signal_rankings, signal_rankings_against_counts, SignalOptions, SignalRow,
    SAMPLES_PER_NEIGHBOUR,
};
use rnameta_preprocess::{Pipeline, Step};

use crate::outputs::check_output_file;

/// `rnameta rank-genes` arguments.
#[derive(Debug, ClapArgs)]
pub struct Args {
    /// Expression file or directory (counts are normalised first, see --normalised).
    #[arg(value_name = "INPUT")]
    pub input: PathBuf,
    /// Output TSV (rank, gene_id, symbol, percentile_value, mean_cosine, informative); default:
    /// standard output.
    #[arg(short = 'o', long = "out", value_name = "OUT.tsv")]
    pub out: Option<PathBuf>,
    /// Only the N best-ranked genes.
    #[arg(long, value_name = "N")]
    pub top: Option<usize>,
    /// The percentile of each gene's values (ARCHS4: 95).
    #[arg(long, default_value_t = 95.0)]
    pub percentile: f64,
    /// How many samples around the percentile value are compared (ARCHS4: 100). Capped at a
    /// quarter of the samples, so that different genes compare different samples; files of fewer
    /// than 8 samples are refused.
    #[arg(long, default_value_t = 100)]
    pub neighbours: usize,
    /// The values are already normalised: rank them as they are. Without it, counts go through
    /// the ARCHS4 pipeline (ln(1+x), quantile normalisation, division by the longest transcript
    /// when every gene has its length; without lengths, the division is left out).
    #[arg(long)]
    pub normalised: bool,
    /// A GTF or gene annotation table (longest transcript lengths, symbols).
    #[arg(long = "gene-annotation", value_name = "FILE")]
    pub gene_annotation: Option<PathBuf>,
}

/// Runs `rnameta rank-genes`.
pub fn run(args: &Args) -> Result<()> {
    if let Some(out) = &args.out {
        check_output_file(out, "-o")?;
    }
    if args.top == Some(0) {
        bail!("--top must be at least 1");
    }
    let extras = LoadOptions {
        labels: None,
        gene_annotation: args.gene_annotation.clone(),
        ..LoadOptions::default()
    };
    let loaded = rnameta_data::load(&args.input, &extras)?;
    let (data, mut notes) = (loaded.dataset, loaded.report.notes);
    let options = SignalOptions {
        percentile: args.percentile,
        neighbours: args.neighbours,
    };
    let ranking_context = || format!("ranking the genes of {}", args.input.display());
    let neighbourhood = options
        .neighbourhood(data.n_samples())
        .with_context(ranking_context)?;
    if neighbourhood.is_capped() {
        notes.push(format!(
            "neighbourhood capped from {} to {} samples: a gene's neighbourhood may hold at most \
             1 in {} of the {} samples, or every gene compares (nearly) the same samples and the \
             mean cosines cannot differ",
            neighbourhood.requested,
            neighbourhood.used,
            SAMPLES_PER_NEIGHBOUR,
            neighbourhood.samples
        ));
    }
    let (n_genes, n_samples) = (data.n_genes(), data.n_samples());
    // The ranking takes the values it ranks and makes them its unit profiles in place: no second
    // copy of a matrix that may be most of the machine's memory.
    let rankings = if args.normalised {
        signal_rankings(data, &[options])
    } else {
        let normalised = normalise(&data, &mut notes)?;
        signal_rankings_against_counts(normalised, &data, &[options])
    }
    .with_context(ranking_context)?;
    let mut rows = rankings
        .into_iter()
        .next()
        .context("the ranking gave no rows")?;
    if let Some(n) = args.top {
        rows.truncate(n);
    }
    for n in &notes {
        eprintln!("note: {n}");
    }
    match &args.out {
        Some(out) => {
            write_atomically(out, |w| write_rows(w, &rows))
                .with_context(|| format!("writing {}", out.display()))?;
            eprintln!(
                "ranked {n_genes} genes over {n_samples} samples; {} rows written to {}",
                rows.len(),
                out.display()
            );
        }
        None => {
            let stdout = std::io::stdout();
            let mut lock = stdout.lock();
            write_rows(&mut lock, &rows)?;
            lock.flush()?;
        }
    }
    Ok(())
}

/// The ARCHS4 pipeline on counts (without the length division when lengths are missing).
fn normalise(data: &Dataset, notes: &mut Vec<String>) -> Result<Dataset> {
    let kind = data.value_kind();
    if let Some(reason) = rnameta_data::counts_refusal(kind) {
        // Values of another scale can be ranked as they are; no values or only zeros cannot.
        if !matches!(kind, ValueKind::Empty | ValueKind::AllZero) {
            bail!(
                "the input {reason}; rank-genes normalises counts itself, so pass \
                 --normalised to rank these values as they are"
            );
        }
        bail!("the input {reason}");
    }
    let lengths = data
        .genes()
        .genes()
        .iter()
        .all(|g| g.longest_transcript_length.is_some());
    let pipeline = if lengths {
        notes
            .push("values: ln(1+x), quantile normalised, divided by the longest transcript".into());
        Pipeline::archs4()
    } else {
        notes.push(
            "values: ln(1+x), quantile normalised (no longest transcript length for every gene, so \
             no length division; give --gene-annotation for it)"
                .into(),
        );
        Pipeline::new(vec![Step::Ln1p, Step::Quantile])
    };
    let fitted = pipeline.fit(data)?;
    Ok(fitted.transform(data)?)
}

fn write_rows(w: &mut dyn Write, rows: &[SignalRow]) -> std::io::Result<()> {
    writeln!(
        w,
        "rank\tgene_id\tsymbol\tpercentile_value\tmean_cosine\tinformative"
    )?;
    for r in rows {
        writeln!(
            w,
            "{}\t{}\t{}\t{}\t{:.6}\t{}",
            r.rank,
            r.gene_id,
            r.symbol.as_deref().unwrap_or(""),
            r.percentile_value,
            r.mean_cosine,
            if r.informative { "yes" } else { "no" }
        )?;
    }
    Ok(())
}
