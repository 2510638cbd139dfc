//! `rnameta plan`: from a recount3 mirror's project tables and MetaSRA, the projects and samples
//! the paper's tasks need (docs/fetch.md, last section). The work is `rnameta_data::plan`'s; the
//! files are written by `rnameta_io::plan::write_plan`; this module checks the arguments and
//! prints what was planned.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::Args as ClapArgs;
use rnameta_data::plan::{plan, Plan, PlanInputs, PlanOptions, TASKS};
use rnameta_io::plan::write_plan;

use crate::outputs::check_output_folder;

/// `rnameta plan` arguments.
#[derive(Debug, ClapArgs)]
pub struct Args {
    /// The recount3 mirror: the folder holding human/ (recount3's URL root), human/ itself, or
    /// the --out folder of rnameta fetch or rnameta simulate (holding recount3/human/). Its
    /// project tables, human/data_sources/<source>/metadata/<source>.recount_project.MD.gz, list
    /// the projects.
    #[arg(long, value_name = "DIR")]
    pub recount3: PathBuf,
    /// The MetaSRA release (JSON, as rnameta fetch metasra downloads it). With it the plan goes on
    /// to stage 2 (samples, QC, labels), reading each project's own metadata table from the
    /// mirror; without it, stage 1 lists the projects and the metadata tables to fetch.
    #[arg(long, value_name = "FILE")]
    pub metasra: Option<PathBuf>,
    /// UBERON's OBO file (rnameta fetch uberon), to roll MetaSRA's anatomy terms up to tissues;
    /// default: rnameta's built-in table.
    #[arg(long, value_name = "OBO", requires = "metasra")]
    pub uberon: Option<PathBuf>,
    /// A MetaSRA sample type labels the sample source only with at least this confidence (0 to
    /// 1; default 0, every sample type).
    #[arg(
        long,
        value_name = "P",
        default_value_t = 0.0,
        requires = "metasra",
        allow_negative_numbers = true
    )]
    pub min_sample_type_confidence: f64,
    /// Plan without the projects whose metadata table is not in the mirror (they are listed)
    /// instead of refusing.
    #[arg(long, requires = "metasra")]
    pub skip_missing: bool,
    /// Output folder (created if missing): projects.tsv and summary.md, and in stage 2
    /// manifest.tsv and counts.tsv; written together or not at all.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

/// Runs `rnameta plan`.
pub fn run(args: &Args) -> Result<()> {
    let confidence = args.min_sample_type_confidence;
    if !(0.0..=1.0).contains(&confidence) {
        bail!("--min-sample-type-confidence {confidence}: give a confidence from 0 to 1");
    }
    check_output_folder(&args.out, "--out")?;
    let inputs = PlanInputs {
        recount3: args.recount3.clone(),
        metasra: args.metasra.clone(),
        uberon: args.uberon.clone(),
    };
    let options = PlanOptions {
        min_sample_type_confidence: confidence,
        skip_missing_metadata: args.skip_missing,
    };
    let plan = plan(&inputs, &options)?;
    let written = write_plan(&args.out, &plan.files())
        .with_context(|| format!("writing the plan into {}", args.out.display()))?;
    print_summary(&plan);
    let names: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
    println!("wrote {}", names.join(", "));
    Ok(())
}

/// One line per stage on standard output; the detail is in summary.md.
fn print_summary(plan: &Plan) {
    let projects = plan.projects();
    let missing = projects.missing_metadata().count();
    println!(
        "stage 1: {} projects with {} runs selected ({} left out); {} metadata tables not in the \
         mirror",
        projects.projects.len(),
        projects.runs(),
        projects.left_out.values().sum::<usize>(),
        missing
    );
    if let Plan::Samples(samples) = plan {
        let totals = samples
            .projects
            .projects
            .iter()
            .filter_map(|p| p.samples)
            .fold([0usize; 3], |mut t, s| {
                t[0] += s.runs_read;
                t[1] += s.single_cell_runs;
                t[2] += s.small_rna_runs;
                t
            });
        let labelled: Vec<String> = TASKS
            .iter()
            .map(|&task| {
                let n = samples
                    .manifest
                    .iter()
                    .filter(|r| r.label(task).is_some())
                    .count();
                format!("{task} {n}")
            })
            .collect();
        println!(
            "stage 2: {} samples kept from {} runs ({} single-cell and {} small-RNA runs left \
             out{}); labelled: {}",
            samples.manifest.len(),
            totals[0],
            totals[1],
            totals[2],
            if samples.skipped.is_empty() {
                String::new()
            } else {
                format!("; {} projects skipped", samples.skipped.len())
            },
            labelled.join(", ")
        );
    }
}
