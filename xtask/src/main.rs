//! `cargo xtask`: project automation that is more than one cargo command.
//!
//! - `cargo xtask fuzz [SECONDS] [TARGET...]`: runs every cargo-fuzz target (or the named ones)
//!   for SECONDS each (default 60). Needs `cargo install cargo-fuzz`; runs on the stable toolchain
//!   through `RUSTC_BOOTSTRAP=1`, since libFuzzer's sanitizer flags are nightly-only.
//! - `cargo xtask bench [FILTER] [--no-peers] [--report]`: the criterion benchmarks and their
//!   Python peers on the same data, and the generated table of `docs/performance.md` (`bench.rs`).
//! - `cargo xtask experiment <id> [--data sim:PRESET|DIR [--labels FILE] [--labelled-only]]
//!   [--seeds N] [--quick] [--out DIR] [--resume] [--settings FILE]`: one of the paper's
//!   experiments (see `xtask::experiment`), results in `results/<id>/`, trained with the settings
//!   in FILE (what `tune` writes to `tune/chosen.json`) or the paper's defaults; `cargo xtask
//!   experiment --list` lists them with their designs.
//! - `cargo xtask reproduce [--quick] [--data sim:PRESET|DIR] [--seeds N] [--out DIR]
//!   [--resume]`: every experiment on one cohort, `tune` first, the others trained with its
//!   choice, and `results/README.md` indexing their tables.
//! - `cargo xtask calibrate [--report] [--config PRESET|FILE] [--fraction F] [--genes N]
//!   [--rounds N] [--out DIR]`: the simulator's knobs searched so that the LIN baseline scores
//!   the paper's LIN numbers (`xtask::calibrate`), or with `--report` the distances of one preset.
//!
//! `--resume` records every finished model fit under `<out>/.fits` and reuses the ones an
//! earlier, interrupted run recorded there (`xtask::experiment::memo`).
//!
//! `--data DIR` reads a cohort in the recount3 layout (what `rnameta simulate --out DIR` writes,
//! or a recount3 mirror) or the workflow's merged shards; `--labels` applies a label table or a
//! MetaSRA release over the files' own metadata, and `--labelled-only` keeps the samples labelled
//! for some task (as the workflow labels its shards and merges the SRA). `--quick` means the tiny
//! preset and 2 seeds (a smoke run; its numbers mean little), written to `results/quick/`; the
//! default is the paper preset and 10 seeds, written to `results/`.
//!
//! The command line is parsed by clap ([`Cli`]); `cargo xtask <task> --help` shows each task's
//! flags.

mod bench;

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};
use clap::{CommandFactory, Parser, Subcommand};

/// The command line of `cargo xtask`.
#[derive(Debug, Parser)]
#[command(
    name = "cargo xtask",
    bin_name = "cargo xtask",
    about = "Project automation for rnameta: fuzzing, benchmarks against the Python peers, and \
             the paper's experiments",
    after_help = "--resume records each finished fit in <out>/.fits and reuses those of an \
                  earlier run"
)]
struct Cli {
    /// The task; without one, this help is printed.
    #[command(subcommand)]
    task: Option<Task>,
}

/// The tasks of `cargo xtask`.
#[derive(Debug, Subcommand)]
enum Task {
    /// Retrain the models rnameta ships (builtin:sex) from fixtures/real into
    /// crates/models/assets/builtin/.
    BuiltinModels,
    /// Run cargo-fuzz targets, SECONDS each (default 60).
    ///
    /// Needs `cargo install cargo-fuzz`; runs on the stable toolchain through RUSTC_BOOTSTRAP=1.
    Fuzz {
        /// Seconds per target when the first argument is a whole number (default 60), then the
        /// targets to run (default: every one in fuzz/fuzz_targets).
        #[arg(value_name = "SECONDS] [TARGET")]
        args: Vec<String>,
    },
    /// Benchmarks and their Python peers -> docs/performance.md.
    Bench(bench::BenchArgs),
    /// Run one of the paper's experiments (list: experiment --list).
    Experiment {
        /// List the experiments, what each measures and its design (quick and full, as JSON),
        /// and run none.
        #[arg(long)]
        list: bool,
        /// The experiment's id (experiment --list shows them).
        #[arg(required_unless_present = "list", value_name = "ID")]
        id: Option<String>,
        /// Train with the settings in FILE (what `experiment tune` writes to
        /// <out>/tune/chosen.json) [default: the paper's settings].
        #[arg(long, value_name = "FILE")]
        settings: Option<PathBuf>,
        #[command(flatten)]
        options: ExperimentArgs,
    },
    /// Run every experiment and index them in results/README.md.
    Reproduce {
        #[command(flatten)]
        options: ExperimentArgs,
    },
    /// Tune the simulator's knobs until the LIN baseline scores the paper's LIN numbers (never
    /// on the MLP or DA), or with --report print how far a preset is from them.
    Calibrate(CalibrateArgs),
}

/// Options of `calibrate`.
#[derive(Debug, clap::Args)]
struct CalibrateArgs {
    /// Print every LIN arm with the paper's value, ours and the difference, for one cohort; no
    /// search.
    #[arg(long)]
    report: bool,
    /// The preset searched from or reported on, or a config JSON file [default: paper].
    #[arg(long, value_name = "PRESET|FILE", default_value = "paper")]
    config: String,
    /// Fraction of the preset's samples and studies simulated [default: 1 with --report, 0.25
    /// for the search].
    #[arg(long, value_name = "F")]
    fraction: Option<f64>,
    /// Genes simulated [default: the preset's]. Fewer make the search faster but not
    /// faithful: at 6,000 genes the tissue and culture programs have a third of their genes,
    /// and knobs found there leave TCGA 0.2 too easy at 20,000 (docs/simulation.md).
    #[arg(long, value_name = "N")]
    genes: Option<usize>,
    /// Passes of the search over every knob (it stops early when a pass changes nothing).
    #[arg(long, default_value_t = 2)]
    rounds: usize,
    /// Where the search writes search.md/.csv, chosen.json and report.md.
    #[arg(long, value_name = "DIR", default_value = "results/calibration")]
    out: PathBuf,
}

/// Options shared by `experiment` and `reproduce`.
#[derive(Debug, clap::Args)]
struct ExperimentArgs {
    /// The cohort: a simulated preset (sim:tiny, sim:small, sim:paper, ...) or a directory in
    /// the recount3 layout [default: sim:paper, sim:tiny with --quick].
    #[arg(long, value_name = "sim:PRESET|DIR")]
    data: Option<String>,
    /// With --data DIR: a label table or MetaSRA release applied over the files' own metadata
    /// (as the workflow labels the SRA shards).
    #[arg(long, value_name = "TABLE|METASRA")]
    labels: Option<PathBuf>,
    /// With --data DIR: read only the samples labelled for some task (tissue, sex or sample
    /// source), as the workflow's merge keeps the SRA.
    #[arg(long)]
    labelled_only: bool,
    /// Number of model seeds, at least 2 [default: 10, 2 with --quick].
    #[arg(long, value_name = "N")]
    seeds: Option<usize>,
    /// A smoke run: the tiny preset and 2 seeds, written to results/quick/.
    #[arg(long)]
    quick: bool,
    /// Parent folder of the results [default: results/, results/quick/ with --quick].
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Record each finished fit in <out>/.fits and reuse those of an earlier run.
    #[arg(long)]
    resume: bool,
    /// Train every model on the unit-free input (each sample's own order of the model's genes,
    /// mapped onto the training levels) instead of the log2(TPM + 1) levels.
    #[arg(long)]
    unit_free: bool,
}

impl ExperimentArgs {
    /// The options of the experiment runner, with the defaults `--quick` chooses.
    fn options(&self) -> Result<xtask::experiment::Options> {
        let quick = self.quick;
        let data = self
            .data
            .clone()
            .unwrap_or_else(|| if quick { "sim:tiny" } else { "sim:paper" }.to_owned());
        let seeds = self.seeds.unwrap_or(if quick { 2 } else { 10 });
        if seeds < 2 {
            bail!("--seeds must be at least 2 (the tables report a standard deviation)");
        }
        // Quick runs go to their own folder so that they never overwrite the committed full
        // results.
        let out = self.out.clone().unwrap_or_else(|| {
            project_root().join(if quick { "results/quick" } else { "results" })
        });
        let mut data = xtask::experiment::cohort::DataSpec::parse(&data)?;
        match &mut data {
            xtask::experiment::cohort::DataSpec::Directory { reading, .. } => {
                reading.labels = self.labels.clone();
                reading.labelled_only = self.labelled_only;
            }
            xtask::experiment::cohort::DataSpec::Simulated { .. }
                if self.labelled_only || self.labels.is_some() =>
            {
                bail!("--labels and --labelled-only read files: give them with --data DIR");
            }
            xtask::experiment::cohort::DataSpec::Simulated { .. } => {}
        }
        Ok(xtask::experiment::Options {
            data,
            seeds,
            quick,
            results_dir: out,
            resume: self.resume,
            settings: self.settings(xtask::experiment::settings::Settings::default()),
        })
    }

    /// `settings` with the model input these arguments ask for.
    fn settings(
        &self,
        mut settings: xtask::experiment::settings::Settings,
    ) -> xtask::experiment::settings::Settings {
        if self.unit_free {
            settings.model_input = rnameta_preprocess::ModelInput::WithinSampleRanks;
        }
        settings
    }
}

fn main() -> Result<()> {
    // One arena per core: freed memory in arenas no thread uses stays resident (see the function).
    xtask::experiment::peak::limit_arenas(
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get),
    );
    match Cli::parse().task {
        None => {
            Cli::command().print_help()?;
            Ok(())
        }
        Some(Task::BuiltinModels) => {
            let root = project_root();
            let out = root.join(xtask::builtin::SEX_BUNDLE_DIR);
            xtask::builtin::write_sex_bundle(&root, &out)?;
            println!("wrote {}", out.display());
            Ok(())
        }
        Some(Task::Fuzz { args }) => fuzz(&args),
        Some(Task::Bench(args)) => bench::run(&project_root(), &args),
        Some(Task::Experiment {
            list,
            id,
            settings,
            options,
        }) => experiment(list, id, settings.as_deref(), &options),
        Some(Task::Reproduce { options }) => reproduce(&options),
        Some(Task::Calibrate(args)) => calibrate(&args),
    }
}

fn experiment(
    list: bool,
    id: Option<String>,
    settings: Option<&Path>,
    args: &ExperimentArgs,
) -> Result<()> {
    if list {
        for entry in xtask::experiment::list().as_array().into_iter().flatten() {
            let text = |key: &str| entry[key].as_str().unwrap_or_default().to_owned();
            println!("{:14} {}", text("id"), text("description"));
            let design = &entry["design"];
            if design["quick"] == design["full"] {
                println!("{:14} design: {}", "", design["full"]);
            } else {
                println!("{:14} design, quick: {}", "", design["quick"]);
                println!("{:14} design, full:  {}", "", design["full"]);
            }
        }
        return Ok(());
    }
    let id = id.context("experiment needs one id (experiment --list shows them)")?;
    let mut options = args.options()?;
    if let Some(path) = settings {
        options.settings = args.settings(xtask::experiment::settings::Settings::from_file(path)?);
    }
    let outcome = xtask::experiment::run(&id, &options)?;
    println!(
        "{}\n\nwritten to {} in {:.0} s",
        outcome.table_markdown,
        outcome.dir.display(),
        outcome.cost.seconds
    );
    Ok(())
}

fn reproduce(args: &ExperimentArgs) -> Result<()> {
    let options = args.options()?;
    let outcomes = xtask::experiment::reproduce(&options)?;
    for o in &outcomes {
        println!(
            "{}: {:.0} s, cores busy {}, peak memory {} ({} resident at start), {}",
            o.id,
            o.cost.seconds,
            xtask::experiment::cpu::shown_busy(o.cost.cpu_seconds, o.cost.seconds),
            xtask::experiment::peak::shown(o.cost.peak_bytes),
            xtask::experiment::peak::shown(o.cost.resident_at_start_bytes),
            o.dir.display()
        );
    }
    println!("index: {}", options.results_dir.join("README.md").display());
    Ok(())
}

fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
}

fn fuzz(args: &[String]) -> Result<()> {
    let (seconds, names): (u64, &[String]) = match args.first().map(|a| a.parse::<u64>()) {
        Some(Ok(s)) => (s, &args[1..]),
        _ => (60, args),
    };
    let fuzz_dir = project_root().join("fuzz");
    let targets: Vec<String> = if names.is_empty() {
        let mut all: Vec<String> = std::fs::read_dir(fuzz_dir.join("fuzz_targets"))
            .context("reading fuzz/fuzz_targets")?
            .filter_map(|e| e.ok())
            .filter_map(|e| {
                e.path()
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
            })
            .collect();
        all.sort();
        all
    } else {
        names.to_vec()
    };
    let mut failed = Vec::new();
    for target in &targets {
        println!("== fuzzing {target} for {seconds} s");
        let status = Command::new("cargo")
            .current_dir(&fuzz_dir)
            .env("RUSTC_BOOTSTRAP", "1")
            .args(["fuzz", "run", target, "--"])
            .arg(format!("-max_total_time={seconds}"))
            .arg("-rss_limit_mb=4096")
            .status()
            .context("running cargo fuzz (install it with `cargo install cargo-fuzz`)")?;
        if !status.success() {
            failed.push(target.clone());
        }
    }
    if failed.is_empty() {
        println!(
            "all {} fuzz targets ran {seconds} s without a crash",
            targets.len()
        );
        Ok(())
    } else {
        bail!("fuzz targets found crashes: {failed:?} (see fuzz/artifacts/)")
    }
}

/// `cargo xtask calibrate`: the search, or with `--report` one evaluation.
fn calibrate(args: &CalibrateArgs) -> Result<()> {
    use xtask::calibrate::{self, CohortScale};
    let config = match rnameta_sim::Preset::parse(&args.config) {
        Some(preset) => rnameta_sim::SimConfig::preset(preset),
        None => rnameta_sim::SimConfig::from_json_file(Path::new(&args.config))?,
    };
    let fraction = args
        .fraction
        .unwrap_or(if args.report { 1.0 } else { 0.25 });
    let genes = args.genes;
    if !(fraction > 0.0 && fraction <= 1.0) {
        bail!("--fraction {fraction}: give a fraction in (0, 1]");
    }
    let scale = CohortScale { fraction, genes };
    let scale_text = scale.describe();
    if args.report {
        let start = std::time::Instant::now();
        let cohort = xtask::experiment::cohort::simulate_config(&scale.apply(&config))?;
        let evaluation = calibrate::evaluate(&cohort)?;
        println!("{}", calibrate::design_facts(&cohort)?);
        let title = format!(
            "LIN against the paper, {} ({scale_text}; simulated)",
            args.config
        );
        println!("{}", evaluation.table(&title)?.to_markdown()?);
        println!(
            "objective {:.4}, largest distance {:.3}, {:.0} s",
            evaluation.objective(),
            evaluation.max_distance(),
            start.elapsed().as_secs_f64()
        );
        return Ok(());
    }
    eprintln!(
        "[calibrate] searching from {} ({scale_text}), {} round(s)",
        args.config, args.rounds
    );
    let found = calibrate::search(&config, scale, args.rounds, |step| {
        let differences: Vec<String> = step
            .evaluation
            .differences()
            .iter()
            .map(|d| format!("{d:+.2}"))
            .collect();
        eprintln!(
            "[calibrate] {} = {:.4}: objective {:.4}, largest distance {:.3}{} ({:.0} s); \
             differences {}",
            step.knob,
            step.value,
            step.evaluation.objective(),
            step.evaluation.max_distance(),
            if step.kept { ", kept" } else { "" },
            step.seconds,
            differences.join(" ")
        );
    })?;
    calibrate::write_search(&args.out, &found, scale)?;
    println!("{}", std::fs::read_to_string(args.out.join("report.md"))?);
    println!("written to {}", args.out.display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("xtask").chain(args.iter().copied()))
    }

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    /// Every invocation README.md, docs/ and .ci/run show parses as they describe.
    #[test]
    fn the_documented_invocations_parse() {
        let Task::Experiment {
            list,
            id,
            settings,
            options,
        } = parse(&[
            "experiment",
            "augment",
            "--data",
            "sim:small",
            "--seeds",
            "10",
            "--settings",
            "results/tune/chosen.json",
        ])
        .unwrap()
        .task
        .unwrap()
        else {
            panic!("not an experiment")
        };
        assert!(!list);
        assert_eq!(id.as_deref(), Some("augment"));
        assert_eq!(settings, Some(PathBuf::from("results/tune/chosen.json")));
        assert_eq!(options.data.as_deref(), Some("sim:small"));
        assert_eq!(options.seeds, Some(10));
        assert!(matches!(
            parse(&["experiment", "--list"]).unwrap().task,
            Some(Task::Experiment {
                list: true,
                id: None,
                ..
            })
        ));
        let Task::Reproduce { options } = parse(&["reproduce", "--quick", "--resume"])
            .unwrap()
            .task
            .unwrap()
        else {
            panic!("not reproduce")
        };
        let options = options.options().unwrap();
        assert!(options.quick && options.resume);
        assert_eq!(options.seeds, 2);
        assert!(options.results_dir.ends_with("results/quick"));
        let Task::Bench(bench) = parse(&["bench", "mlp_", "--no-peers"])
            .unwrap()
            .task
            .unwrap()
        else {
            panic!("not bench")
        };
        assert_eq!(bench.filter.as_deref(), Some("mlp_"));
        assert!(bench.no_peers && !bench.report);
        assert!(matches!(
            parse(&["bench", "--report"]).unwrap().task,
            Some(Task::Bench(bench::BenchArgs { report: true, .. }))
        ));
        let Task::Fuzz { args } = parse(&["fuzz", "30", "parse_tsv"]).unwrap().task.unwrap() else {
            panic!("not fuzz")
        };
        assert_eq!(args, ["30", "parse_tsv"]);
        assert!(parse(&[]).unwrap().task.is_none());
    }

    #[test]
    fn bad_command_lines_are_refused() {
        for args in [
            &["experiment"][..],
            &["experiment", "tune", "--seeds"],
            &["experiment", "tune", "--seeds", "two"],
            &["experiment", "tune", "sex-sra"],
            &["reproduce", "tune"],
            &["reproduce", "--settings", "chosen.json"],
            &["experiment", "tune", "--settings"],
            &["reproduce", "--fast"],
            &["bench", "a", "b"],
            &["bench", "--peers"],
            &["train"],
        ] {
            assert!(parse(args).is_err(), "{args:?} was accepted");
        }
        let Task::Reproduce { options } =
            parse(&["reproduce", "--seeds", "1"]).unwrap().task.unwrap()
        else {
            panic!("not reproduce")
        };
        let err = options.options().unwrap_err().to_string();
        assert!(err.contains("at least 2"), "{err}");
        let Task::Reproduce { options } = parse(&["reproduce", "--quick", "--labelled-only"])
            .unwrap()
            .task
            .unwrap()
        else {
            panic!("not reproduce")
        };
        let err = options.options().unwrap_err().to_string();
        assert_eq!(
            err,
            "--labels and --labelled-only read files: give them with --data DIR"
        );
    }

    /// `--labels` and `--labelled-only` reach the directory's reading, and its label says so.
    #[test]
    fn a_directory_is_read_with_the_labels_and_samples_asked_for() {
        let dir = tempfile::tempdir().unwrap();
        for source in ["gtex", "sra"] {
            std::fs::create_dir_all(dir.path().join("data_sources").join(source)).unwrap();
        }
        let data = dir.path().to_str().unwrap();
        let Task::Experiment { options, .. } = parse(&[
            "experiment",
            "tissue-sra",
            "--data",
            data,
            "--labels",
            "metasra.json",
            "--labelled-only",
        ])
        .unwrap()
        .task
        .unwrap() else {
            panic!("not an experiment")
        };
        let spec = options.options().unwrap().data;
        let xtask::experiment::cohort::DataSpec::Directory { reading, .. } = &spec else {
            panic!("not a directory: {spec:?}")
        };
        assert_eq!(reading.labels, Some(PathBuf::from("metasra.json")));
        assert!(reading.labelled_only);
        assert_eq!(
            spec.label(),
            format!("files in {data}, labelled by metasra.json, labelled samples only")
        );
    }
}
