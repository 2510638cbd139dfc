//! `cargo xtask experiment <id>`: the paper's experiments on simulated cohorts, each writing
//! `results/<id>/{table.md, table.csv, results.csv, stats.md, stats.csv, box.png, box.svg,
//! run.json}` and what is its own (line plots, further tables; `source` a PCA of the data
//! sources, `sex-sra` and `sex-tcga` chrX against chrY expression: [`overview`]).
//!
//! Every figure comes from simulated data (`sim:PRESET`) and is labelled so; none is the paper's.
//! Model seeds vary per run (`--seeds N` uses seeds 0..N); the cohort and the study splits are
//! fixed by the preset, so the spread is the models' own.
//!
//! Each experiment is a value of a type implementing [`Experiment`] (its id, what it reproduces,
//! its design per [`Scale`] as a serde struct, and `run`, which returns what it [`Produced`]
//! without writing anything); [`EXPERIMENTS`] lists them, in the order `reproduce` runs them, and
//! is the one list that dispatch, `experiment --list` and `reproduce` read. [`report::write`]
//! writes what an experiment produced. Hyperparameters are passed in [`Options::settings`]:
//! `reproduce` runs `tune` first and hands the settings it chose (read back from its
//! `tune/chosen.json`) to every later experiment; `run.json` records the settings each used.
//!
//! Experiments: `tune` (random search), `tissue-sra`, `tissue-tcga`, `sex-sra`, `sex-tcga`,
//! `source` (Figure 3A-D, [`paper_arms`]), `bias-diversity` (Figure 4), `train-size`
//! (Supplementary Figure 9), `class-count` (Supplementary Figure 11), `annotate` (the paper's new
//! metadata, Supplementary Figure 10), `rank-genes`, `rf-multilabel` and `augment` (the ARCHS4
//! pipeline's steps). Each module below holds one kind.

pub mod annotate;
pub mod archs4;
pub mod augment;
pub mod cohort;
pub mod cost;
pub mod cpu;
pub mod diversity;
pub mod fingerprint;
pub mod fit;
pub mod memo;
pub mod overview;
pub mod paper_arms;
pub mod peak;
pub mod report;
pub mod runner;
pub mod settings;
pub mod sweeps;
pub mod tune;

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context as _, Result};
use rnameta_core::{Dataset, DatasetView, Labels, Task};
use rnameta_eval::plot::LineSeries;
use rnameta_eval::Table;
use rnameta_preprocess::split::{sex_split, source_split, tissue_split, Split};
use serde::Serialize;

use cohort::{Cohort, DataSpec};
use cost::{Meter, StepCost};
use report::Figure;
use runner::{ArmResult, Sets};
use settings::Settings;

/// How large an experiment's design is: the values an experiment sweeps or draws (trials, sizes,
/// class counts, cut sizes, GAN epochs) per scale. `--quick` chooses [`Scale::Quick`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scale {
    /// A smoke run: few values of everything (its numbers mean little).
    Quick,
    /// The paper's design.
    Full,
}

impl Scale {
    /// [`Scale::Quick`] for a quick run, else [`Scale::Full`].
    pub fn of(quick: bool) -> Self {
        if quick {
            Self::Quick
        } else {
            Self::Full
        }
    }

    /// Every scale, in the order `experiment --list` shows them.
    pub const ALL: [Self; 2] = [Self::Quick, Self::Full];

    /// Its name in `--list` and `run.json`.
    pub fn as_str(self) -> &'static str {
        self.pick("quick", "full")
    }

    /// `quick` when quick, `full` otherwise.
    pub fn pick<T>(self, quick: T, full: T) -> T {
        match self {
            Self::Quick => quick,
            Self::Full => full,
        }
    }
}

/// Which SRA samples an experiment's [`RunContext::sets`] train and test on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SraSides {
    /// The studies split by the paper's recipe for the experiment's task (training studies,
    /// test studies).
    StudySplit,
    /// Every SRA study trains (the paper's "S large"); none is tested (tests on TCGA).
    AllTrain,
}

/// Which classes of the experiment's task models are matched against (the experiment's
/// [`RunContext::universe`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClassRule {
    /// Every class of the task's reference source: GTEx's for tissue and sex, SRA's for sample
    /// source (GTEx has biopsies only).
    All,
    /// The paper's tissue classes: those labelled in GTEx, TCGA and the SRA alike, less those
    /// with fewer than `min_gtex_share` of GTEx's labelled samples (the paper found 17 common
    /// tissues and dropped bladder, 11 of 9,662 GTEx samples, leaving 16). A share, not a count,
    /// so that the rule means the same on a cohort of any size. Names are compared loosely, as
    /// models match them.
    CommonToAllSources {
        /// The smallest share of GTEx's labelled samples a class needs.
        min_gtex_share: f64,
    },
}

/// The paper's tissue class rule: 0.2 % of GTEx (20 samples of 9,600), between bladder's 0.11 %,
/// which the paper dropped, and kidney's 0.37 %, which it kept.
pub const PAPER_TISSUE_CLASSES: ClassRule = ClassRule::CommonToAllSources {
    min_gtex_share: 0.002,
};

/// The classes a [`ClassRule`] chose on a cohort, and the reference classes it left out, why.
#[derive(Debug, Clone, Serialize)]
pub struct ChosenClasses {
    /// The rule.
    pub rule: ClassRule,
    /// The classes chosen, in the reference source's order.
    pub classes: Vec<String>,
    /// Reference classes left out, each with the reason.
    pub left_out: Vec<(String, String)>,
}

/// One of the paper's experiments.
pub trait Experiment: Sync {
    /// Its id on the command line (`tissue-sra`).
    fn id(&self) -> &'static str;

    /// What it reproduces (the figure or table of the paper).
    fn description(&self) -> &'static str;

    /// The task whose SRA study split [`RunContext::sets`] follows (and whose classes are
    /// [`RunContext::universe`]).
    fn task(&self) -> Task {
        Task::Tissue
    }

    /// Which SRA samples [`RunContext::sets`] train and test on.
    fn sra_sides(&self) -> SraSides {
        SraSides::StudySplit
    }

    /// Which classes of [`Experiment::task`] models are matched against.
    fn classes(&self) -> ClassRule {
        ClassRule::All
    }

    /// Its design at `scale`: the experiment's own serde struct, as JSON (for `--list` and
    /// `run.json`).
    fn design(&self, scale: Scale) -> serde_json::Value;

    /// Runs it on `ctx` and returns what it produced; writes nothing.
    fn run(&self, ctx: &RunContext<'_>) -> Result<Produced>;
}

/// Every experiment this build can run, in the order `reproduce` runs them (`tune` first: the
/// others train with its choice).
pub static EXPERIMENTS: [&dyn Experiment; 13] = [
    &tune::Tune,
    &paper_arms::TISSUE_SRA,
    &paper_arms::TISSUE_TCGA,
    &paper_arms::SEX_SRA,
    &paper_arms::SEX_TCGA,
    &paper_arms::SOURCE,
    &diversity::BiasDiversity,
    &sweeps::TrainSize,
    &sweeps::ClassCount,
    &annotate::Annotate,
    &archs4::RankGenes,
    &archs4::RfMultilabel,
    &augment::Augment,
];

/// The experiment with id `id`.
pub fn find(id: &str) -> Result<&'static dyn Experiment> {
    EXPERIMENTS
        .iter()
        .copied()
        .find(|e| e.id() == id)
        .with_context(|| {
            format!(
                "unknown experiment {id:?}; known: {}",
                EXPERIMENTS.map(|e| e.id()).join(", ")
            )
        })
}

/// A design struct as JSON (designs hold numbers, strings and lists: they always serialise).
/// Through text, so that an `f32` reads as written (`0.1`, not `0.10000000149011612`).
pub fn design_json(design: &impl Serialize) -> serde_json::Value {
    serde_json::to_string(design)
        .and_then(|text| serde_json::from_str(&text))
        .expect("a design serialises to JSON")
}

/// Every experiment with its description and its design at every scale, as `experiment --list`
/// prints it.
pub fn list() -> serde_json::Value {
    EXPERIMENTS
        .iter()
        .map(|e| {
            let designs: serde_json::Map<String, serde_json::Value> = Scale::ALL
                .iter()
                .map(|&s| (s.as_str().to_owned(), e.design(s)))
                .collect();
            serde_json::json!({
                "id": e.id(),
                "description": e.description(),
                "design": designs,
            })
        })
        .collect()
}

/// What an experiment's run produced: its results and every further file, described, for
/// [`report::write`] to write.
#[derive(Default)]
pub struct Produced {
    /// One row of the main table per arm, with per-seed scores.
    pub results: Vec<ArmResult>,
    /// Optional line plot (`lines.png` / `lines.svg`): series, x-axis label.
    pub lines: Option<(Vec<LineSeries>, &'static str)>,
    /// Further tables, written as `<stem>.md` and `<stem>.csv`.
    pub tables: Vec<(String, Table)>,
    /// Tables written as `<stem>.csv` alone (long ones: predictions, rankings).
    pub csv_tables: Vec<(String, Table)>,
    /// Further figures.
    pub figures: Vec<Figure>,
    /// Settings the experiment chose (`tune`), written as [`CHOSEN_FILE`]; `reproduce` hands
    /// them to the experiments after it.
    pub chosen_settings: Option<Settings>,
    /// Anything else worth keeping in `run.json`.
    pub extra: serde_json::Value,
}

/// Where an experiment that chooses settings writes them, in its folder.
pub const CHOSEN_FILE: &str = "chosen.json";

/// What an experiment's run reads: the data, split for its task, and how to run.
pub struct RunContext<'a> {
    /// The whole cohort.
    pub cohort: &'a Cohort,
    /// GTEx, the SRA training and test studies (per [`Experiment::sra_sides`]), TCGA, the
    /// settings and the fit cache.
    pub sets: Sets<'a>,
    /// The class names of the experiment's task that models are matched against.
    pub universe: &'a [String],
    /// Model seeds.
    pub seeds: &'a [u64],
    /// The design's scale.
    pub scale: Scale,
    /// How the data are named in titles.
    pub data_label: &'a str,
}

/// How to run an experiment.
#[derive(Debug, Clone)]
pub struct Options {
    /// The data.
    pub data: DataSpec,
    /// Number of model seeds (0..N).
    pub seeds: usize,
    /// Quick mode (the caller chose a small preset and few seeds; the design's [`Scale::Quick`];
    /// recorded in run.json).
    pub quick: bool,
    /// Parent of `results/<id>`.
    pub results_dir: PathBuf,
    /// Record every finished fit under `<results_dir>/.fits` and reuse the ones an earlier run
    /// recorded there ([`memo`]): an interrupted long run picks up where it stopped.
    pub resume: bool,
    /// The hyperparameters to train with (the paper's defaults unless given; `reproduce` replaces
    /// them with what its `tune` chose for the experiments after it).
    pub settings: Settings,
}

/// What one experiment produced.
#[derive(Debug)]
pub struct Outcome {
    /// Experiment id.
    pub id: String,
    /// Where its files are.
    pub dir: PathBuf,
    /// Every file it wrote.
    pub files: Vec<PathBuf>,
    /// Its main table as Markdown.
    pub table_markdown: String,
    /// Per-arm results.
    pub arms: Vec<ArmResult>,
    /// Where it wrote the settings it chose (`tune`).
    pub chosen_settings: Option<PathBuf>,
    /// Its wall time, CPU time and memory.
    pub cost: StepCost,
    /// With `--resume`: how many of its results it read from `.fits` records instead of
    /// computing them (its time counts only the computed ones).
    pub reuse: Option<memo::Reuse>,
}

/// The SRA's studies split by the paper's recipe for `task`, over the labels of `task`
/// (preprocess's `tissue_split`, `sex_split` with seed 0, `source_split`): the one place the
/// experiments, `tune` and `annotate` take their SRA split from.
fn study_split(task: Task, sra: &Dataset) -> Result<Split> {
    let labels = Labels::for_task(task, sra.samples());
    Ok(match task {
        Task::Tissue => tissue_split(sra.samples(), &labels)?,
        Task::Sex => sex_split(sra.samples(), &labels, 0)?,
        Task::SampleSource => source_split(sra.samples(), &labels)?,
    })
}

/// The SRA studies an experiment trains on and tests on, both borrowed: the runs of the cohort's
/// SRA samples each side holds ([`DatasetView::runs`]; "every study trains" is the whole SRA and
/// no test side). Copies would hold a second SRA matrix (2.8 GB on the paper preset after QC)
/// for the whole experiment; the test side is read a block of samples at a time when scored.
fn sra_sides(
    sides: SraSides,
    task: Task,
    sra: &Dataset,
) -> Result<(Vec<DatasetView<'_>>, Vec<DatasetView<'_>>)> {
    if sides == SraSides::AllTrain {
        return Ok((vec![sra.into()], Vec::new()));
    }
    let split = study_split(task, sra)?;
    Ok((
        DatasetView::runs(&[sra.into()], &split.train)?,
        DatasetView::runs(&[sra.into()], &split.test)?,
    ))
}

/// The class names of a task that models are matched against, by `rule`: from GTEx for tissue
/// and sex (SRA and TCGA names are matched to them loosely), from the SRA for sample source (GTEx
/// has biopsies only).
pub fn class_universe(rule: ClassRule, task: Task, cohort: &Cohort) -> ChosenClasses {
    let from = if task == Task::SampleSource {
        &cohort.sra
    } else {
        &cohort.gtex
    };
    let reference = Labels::for_task(task, from.samples());
    let mut chosen = ChosenClasses {
        rule,
        classes: Vec::new(),
        left_out: Vec::new(),
    };
    let ClassRule::CommonToAllSources { min_gtex_share } = rule else {
        chosen.classes = reference.classes().to_vec();
        return chosen;
    };
    let counts_in = |data: &Dataset| {
        let names: Vec<Option<String>> = data.samples().iter().map(|s| task.label_of(s)).collect();
        Labels::within_classes(reference.classes().to_vec(), &names)
            .0
            .class_counts()
    };
    let (gtex, tcga, sra) = (
        counts_in(&cohort.gtex),
        counts_in(&cohort.tcga),
        counts_in(&cohort.sra),
    );
    let min_gtex = (min_gtex_share * gtex.iter().sum::<usize>() as f64).ceil() as usize;
    for (c, class) in reference.classes().iter().enumerate() {
        let why = if tcga[c] == 0 || sra[c] == 0 {
            let missing: Vec<&str> = [("TCGA", tcga[c]), ("SRA", sra[c])]
                .iter()
                .filter(|(_, n)| *n == 0)
                .map(|(source, _)| *source)
                .collect();
            Some(format!("not labelled in {}", missing.join(" or ")))
        } else if gtex[c] < min_gtex {
            Some(format!("{} GTEx samples, fewer than {min_gtex}", gtex[c]))
        } else {
            None
        };
        match why {
            Some(why) => chosen.left_out.push((class.clone(), why)),
            None => chosen.classes.push(class.clone()),
        }
    }
    chosen
}

/// What an experiment's design makes of a cohort before any model trains: its SRA sides and its
/// classes.
pub struct Prepared<'a> {
    /// The SRA studies it trains on ([`Experiment::sra_sides`]), as runs of the cohort's SRA
    /// samples: the cohort's own SRA whole when every study trains.
    pub sra_train: Vec<DatasetView<'a>>,
    /// The SRA studies it tests on, as runs of the cohort's SRA samples (none when every study
    /// trains).
    pub sra_test: Vec<DatasetView<'a>>,
    /// The classes models are matched against ([`Experiment::classes`]).
    pub classes: ChosenClasses,
}

/// Splits the cohort's SRA and chooses the classes as `experiment`'s design says.
pub fn prepare<'a>(experiment: &dyn Experiment, cohort: &'a Cohort) -> Result<Prepared<'a>> {
    let task = experiment.task();
    let (sra_train, sra_test) = sra_sides(experiment.sra_sides(), task, &cohort.sra)?;
    Ok(Prepared {
        sra_train,
        sra_test,
        classes: class_universe(experiment.classes(), task, cohort),
    })
}

/// Runs experiment `id` on an already loaded cohort and writes its outputs.
pub fn run_on(id: &str, cohort: &Cohort, options: &Options) -> Result<Outcome> {
    run_experiment(find(id)?, cohort, options)
}

/// Runs `experiment` on an already loaded cohort with `options.settings` and writes its outputs.
pub fn run_experiment(
    experiment: &dyn Experiment,
    cohort: &Cohort,
    options: &Options,
) -> Result<Outcome> {
    let meter = Meter::start();
    let (id, title) = (experiment.id(), experiment.description());
    let settings = &options.settings;
    let memo = if options.resume {
        memo::Memo::in_results(&options.results_dir)
    } else {
        memo::Memo::off()
    };
    let Prepared {
        sra_train,
        sra_test,
        classes: chosen_classes,
    } = prepare(experiment, cohort)?;
    let universe = chosen_classes.classes.clone();
    let seeds: Vec<u64> = (0..options.seeds as u64).collect();
    let scale = Scale::of(options.quick);
    let data_label = options.data.label();
    let ctx = RunContext {
        cohort,
        sets: Sets {
            gtex: &cohort.gtex,
            sra_train: &sra_train,
            sra_test: &sra_test,
            tcga: &cohort.tcga,
            settings,
            memo: &memo,
        },
        universe: &universe,
        seeds: &seeds,
        scale,
        data_label: &data_label,
    };
    let produced = experiment.run(&ctx)?;
    let dir = options.results_dir.join(id);
    let cost = meter.finish();
    let reuse = memo.reuse();
    let data_summary = serde_json::json!({
        "qc": cohort.qc,
        "gtex_samples": cohort.gtex.n_samples(),
        "tcga_samples": cohort.tcga.n_samples(),
        "sra_samples_after_qc": cohort.sra.n_samples(),
        "sra_train_samples": sra_train.iter().map(DatasetView::n_samples).sum::<usize>(),
        "sra_test_samples": sra_test.iter().map(DatasetView::n_samples).sum::<usize>(),
        "genes": cohort.gtex.n_genes(),
        "classes": chosen_classes,
    });
    let run = report::RunRecord {
        experiment: id,
        reproduces: title,
        data: data_label.clone(),
        seeds: seeds.clone(),
        quick: options.quick,
        version: env!("CARGO_PKG_VERSION"),
        code_hash: fingerprint::CODE_HASH,
        cost,
        reuse,
        settings: settings.describe(),
        settings_used: settings,
        design: experiment.design(scale),
        data_summary,
        arms: &produced.results,
        extra: &produced.extra,
    };
    let full_title = format!("{title} [{data_label}]");
    let written = report::write(&dir, &full_title, &produced, &run)?;
    Ok(Outcome {
        id: id.to_owned(),
        chosen_settings: produced
            .chosen_settings
            .is_some()
            .then(|| dir.join(CHOSEN_FILE)),
        dir,
        files: written.files,
        table_markdown: written.table_markdown,
        arms: produced.results,
        cost,
        reuse,
    })
}

/// Adds the fields of the JSON object `more` to `extra` (null counts as an empty object).
pub(crate) fn merge_into(extra: &mut serde_json::Value, more: serde_json::Value) {
    if extra.is_null() {
        *extra = serde_json::Value::Object(serde_json::Map::new());
    }
    if let (Some(target), serde_json::Value::Object(fields)) = (extra.as_object_mut(), more) {
        target.extend(fields);
    }
}

/// Loads the data and runs experiment `id` with `options.settings`.
pub fn run(id: &str, options: &Options) -> Result<Outcome> {
    let experiment = find(id)?;
    let cohort = cohort::load(&options.data)?;
    run_experiment(experiment, &cohort, options)
}

/// Runs every experiment on one cohort and writes `results/README.md`, an index with each table.
/// An experiment that chooses settings (`tune`) hands them to every experiment after it: they
/// are read back from the file it wrote, so what trains is what the file says.
pub fn reproduce(options: &Options) -> Result<Vec<Outcome>> {
    let start = Instant::now();
    let loading_meter = Meter::start();
    let cohort = cohort::load(&options.data)?;
    let loading = loading_meter.finish();
    let mut options = options.clone();
    let mut outcomes = Vec::new();
    for experiment in EXPERIMENTS {
        let outcome = run_experiment(experiment, &cohort, &options)?;
        if let Some(path) = &outcome.chosen_settings {
            options.settings = Settings {
                // What the models read is the caller's choice, not tune's.
                model_input: options.settings.model_input,
                ..Settings::from_file(path)?
            };
        }
        outcomes.push(outcome);
    }
    write_index(
        &options.results_dir,
        &options,
        &loading,
        &outcomes,
        start.elapsed().as_secs_f64(),
    )?;
    Ok(outcomes)
}

/// The index's sentence on the run's peak memory: the largest of `steps`' peaks (step, bytes)
/// and the step it was reached in. The steps' peaks are all there is to go by: each step resets
/// the kernel's high-water mark ([`peak::reset`]), which is also what the process's maximum
/// resident set reports when it exits.
fn run_peak<'a>(steps: impl Iterator<Item = (&'a str, Option<u64>)>) -> String {
    match steps.filter_map(|(step, peak)| Some((peak?, step))).max() {
        Some((bytes, step)) => format!(
            "The run's peak is {}, in {step}: the largest of the steps' peaks, each measured \
             from the memory resident when its step began. (A tool that reads the process's \
             maximum resident set when it exits, such as `/usr/bin/time -v`, sees only the last \
             step's peak: each step resets the kernel's high-water mark.)",
            peak::shown(Some(bytes))
        ),
        None => "The peaks are unknown on this system.".to_owned(),
    }
}

fn write_index(
    dir: &Path,
    options: &Options,
    loading: &StepCost,
    outcomes: &[Outcome],
    seconds: f64,
) -> Result<()> {
    let mut text = format!(
        "# Results\n\nWritten by `cargo xtask reproduce{}` on {} with {} model seed(s); {:.0} s in all.\n\
         Every number here comes from **simulated** data, not from the paper's real GTEx / TCGA / SRA \
         data. Per-experiment files (plots, per-seed CSV, statistics, run.json) are in each folder.\n{}",
        if options.quick { " --quick" } else { "" },
        options.data.label(),
        options.seeds,
        seconds,
        if options.resume {
            "With `--resume`: a result recorded in `.fits` (by an earlier run, or by an earlier \
             step of this one) was read instead of computed. The column *read / computed* counts \
             them for each step: a step's time counts only what it computed.\n"
        } else {
            ""
        }
    );
    let run_peak = run_peak(
        std::iter::once(("loading the cohort", loading.peak_bytes))
            .chain(outcomes.iter().map(|o| (o.id.as_str(), o.cost.peak_bytes))),
    );
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let (reuse_head, reuse_rule) = if options.resume {
        (" read / computed |", " ---: |")
    } else {
        ("", "")
    };
    text.push_str(&format!(
        "\n## Time and memory\n\nWall time, cores busy (CPU time of all threads per second of \
         wall time, out of this machine's {cores}), peak resident memory of each step of this \
         run (the cohort stays in memory throughout) and the memory resident when the step began \
         (what it inherited: the cohort and whatever earlier steps left). {run_peak}\n\n\
         | step | seconds | cores busy | peak memory | resident at start |{reuse_head}\n\
         | --- | ---: | ---: | ---: | ---: |{reuse_rule}\n",
    ));
    let steps = std::iter::once((
        "loading the cohort (simulation or files, SRA QC)",
        loading,
        None,
    ))
    .chain(outcomes.iter().map(|o| (o.id.as_str(), &o.cost, o.reuse)));
    for (step, cost, reuse) in steps {
        let reuse = match (options.resume, reuse) {
            (false, _) => String::new(),
            (true, Some(r)) => format!(" {} / {} |", r.read, r.computed),
            (true, None) => " - |".to_owned(),
        };
        text.push_str(&format!(
            "| {step} | {:.0} | {} | {} | {} |{reuse}\n",
            cost.seconds,
            cpu::shown_busy(cost.cpu_seconds, cost.seconds),
            peak::shown(cost.peak_bytes),
            peak::shown(cost.resident_at_start_bytes)
        ));
    }
    for o in outcomes {
        text.push_str(&format!(
            "\n## {} ({:.0} s)\n\n{}\n\n![box plots]({}/box.svg)\n",
            o.id, o.cost.seconds, o.table_markdown, o.id
        ));
    }
    std::fs::create_dir_all(dir)?;
    rnameta_io::write::write_atomically(&dir.join("README.md"), |w| w.write_all(text.as_bytes()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_run_peak_is_the_largest_step_peak_and_names_its_step() {
        let steps = [
            ("loading the cohort", Some(5_810_000_000)),
            ("rf-multilabel", Some(8_180_000_000)),
            ("tune", None),
            ("augment", Some(8_020_000_000)),
        ];
        let sentence = run_peak(steps.into_iter());
        assert!(
            sentence.starts_with("The run's peak is 8.18 GB, in rf-multilabel:"),
            "{sentence}"
        );
        assert_eq!(
            run_peak([("tune", None)].into_iter()),
            "The peaks are unknown on this system."
        );
    }

    /// Options of a `reproduce` of the tiny preset writing to `dir`, with or without `--resume`.
    fn index_options(dir: &Path, resume: bool) -> Options {
        Options {
            data: DataSpec::parse("sim:tiny").unwrap(),
            seeds: 2,
            quick: true,
            results_dir: dir.to_owned(),
            resume,
            settings: Settings::default(),
        }
    }

    /// A finished step `id` that cost `cost` and read and computed `reuse`, for the index.
    fn step_outcome(dir: &Path, id: &str, cost: StepCost, reuse: Option<memo::Reuse>) -> Outcome {
        Outcome {
            id: id.to_owned(),
            dir: dir.join(id),
            files: Vec::new(),
            table_markdown: "| table |".to_owned(),
            arms: Vec::new(),
            chosen_settings: None,
            cost,
            reuse,
        }
    }

    /// The index [`write_index`] writes into `dir` for these steps.
    fn written_index(dir: &Path, resume: bool, loading: &StepCost, steps: &[Outcome]) -> String {
        write_index(dir, &index_options(dir, resume), loading, steps, 210.0).unwrap();
        std::fs::read_to_string(dir.join("README.md")).unwrap()
    }

    #[test]
    fn the_index_gives_each_step_its_time_cores_busy_peak_and_memory_at_start() {
        let dir = tempfile::tempdir().unwrap();
        let loading = StepCost {
            seconds: 10.0,
            cpu_seconds: Some(12.0),
            peak_bytes: Some(1_500_000_000),
            resident_at_start_bytes: Some(4_000_000),
        };
        let tune_cost = StepCost {
            seconds: 200.0,
            cpu_seconds: Some(350.0),
            peak_bytes: None,
            resident_at_start_bytes: Some(1_200_000_000),
        };
        let tune = step_outcome(dir.path(), "tune", tune_cost, None);
        let index = written_index(dir.path(), false, &loading, &[tune]);
        assert!(
            index.contains("| step | seconds | cores busy | peak memory | resident at start |"),
            "{index}"
        );
        assert!(
            index.contains(
                "| loading the cohort (simulation or files, SRA QC) | 10 | 1.20 | 1.50 GB | 4.00 MB |"
            ),
            "{index}"
        );
        assert!(
            index.contains("| tune | 200 | 1.75 | unknown | 1.20 GB |\n"),
            "{index}"
        );
        assert!(!index.contains("--resume"), "{index}");
    }

    #[test]
    fn with_resume_the_index_counts_each_steps_results_read_from_records_and_computed() {
        let dir = tempfile::tempdir().unwrap();
        let cost = StepCost {
            seconds: 20.0,
            cpu_seconds: Some(30.0),
            peak_bytes: Some(2_000_000_000),
            resident_at_start_bytes: Some(1_000_000_000),
        };
        let step = |id: &str, read, computed| {
            step_outcome(dir.path(), id, cost, Some(memo::Reuse { read, computed }))
        };
        let steps = [step("tissue-sra", 0, 40), step("class-count", 12, 28)];
        let index = written_index(dir.path(), true, &cost, &steps);
        assert!(index.contains("With `--resume`:"), "{index}");
        assert!(
            index.contains(
                "| step | seconds | cores busy | peak memory | resident at start | read / computed |"
            ),
            "{index}"
        );
        assert!(
            index.contains("| loading the cohort (simulation or files, SRA QC) | 20 | 1.50 | 2.00 GB | 1.00 GB | - |"),
            "{index}"
        );
        assert!(
            index.contains("| tissue-sra | 20 | 1.50 | 2.00 GB | 1.00 GB | 0 / 40 |"),
            "{index}"
        );
        assert!(
            index.contains("| class-count | 20 | 1.50 | 2.00 GB | 1.00 GB | 12 / 28 |"),
            "{index}"
        );
    }
}
