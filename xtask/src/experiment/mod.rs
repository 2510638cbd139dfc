//! `cargo xtask experiment <id>`: the paper's experiments on simulated cohorts, each writing
//! `results/<id>/{table.md, table.csv, results.csv, stats.md, stats.csv, box.png, box.svg,
//! run.json}` and what is its own (line plots, further tables; `source` a PCA of the data
//! sources, `sex-sra` and `sex-tcga` chrX against chrY expression: [`overview`]).
//!
//! Every figure comes from simulated data (`sim:PRESET`) and is labelled so; none is the paper's.
//! Model seeds vary per run (`--seeds N` uses seeds 0..N); the cohort and the study splits are
//! fixed by the preset, so the spread is the models' own.
//!
//! Experiments: `tune` (random search; later experiments of the same results folder read its
//! choice), `tissue-sra`, `tissue-tcga`, `sex-sra`, `sex-tcga`, `source` (Figure 3A-D),
//! `bias-diversity` (Figure 4), `train-size` (Supplementary Figure 9), `class-count`
//! (Supplementary Figure 11), `annotate` (the paper's new metadata, Supplementary Figure 10),
//! `rank-genes`, `rf-multilabel` and `augment` (the ARCHS4 pipeline's steps). Each module below holds one
//! kind; this one lists them, runs them and writes what they produced.

pub mod annotate;
pub mod archs4;
pub mod augment;
pub mod cohort;
pub mod diversity;
pub mod memo;
pub mod overview;
pub mod report;
pub mod runner;
pub mod settings;
pub mod sweeps;
pub mod tune;

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use rnameta_core::{Dataset, Labels, Task};
use rnameta_preprocess::split::{sex_split, source_split, tissue_split};

use cohort::{Cohort, DataSpec};
use rnameta_eval::plot::LineSeries;
use rnameta_eval::Table;
use runner::{run_arm, Arm, ArmResult, Sets, TestSet, TrainSet};
use settings::Settings;

/// The experiments this build can run, with what each reproduces, in the order `reproduce` runs
/// them (`tune` first: the others read its choice).
pub const EXPERIMENTS: [(&str, &str); 13] = [
    (
        "tune",
        "Methods: random search of MLP / DA settings on a study-grouped validation split",
    ),
    ("tissue-sra", "Figure 3A: tissue, tested on SRA studies"),
    ("tissue-tcga", "Figure 3B: tissue, tested on TCGA"),
    ("sex-sra", "Figure 3C: sex, tested on SRA studies"),
    ("sex-tcga", "Figure 3C: sex, tested on TCGA"),
    (
        "source",
        "Figure 3D: sample source (biopsy / cell line), trained on SRA",
    ),
    (
        "bias-diversity",
        "Figure 4: MLP S-S sample source, many studies vs one large study",
    ),
    (
        "train-size",
        "Supplementary Figure 9: MLP G-S tissue on growing fractions of GTEx",
    ),
    (
        "class-count",
        "Supplementary Figure 11: DA vs MLP (G+S-S tissue) as classes grow",
    ),
    (
        "annotate",
        "New metadata: catch-all tissue, biopsy vs rest, sex; TPR over cutoffs (Supp. Figure 10); feedback loop",
    ),
    (
        "rank-genes",
        "ARCHS4: per-gene signal ranking, forest on the top genes vs the paper's Gini windows",
    ),
    (
        "rf-multilabel",
        "ARCHS4: one random forest over multi-hot tissue + sample-source labels vs one per task",
    ),
    (
        "augment",
        "ARCHS4: GAN vs noise / interpolation for a scarce class (brain cut to 10-50 training samples)",
    ),
];

/// What an experiment's body produced, before it is written.
#[derive(Default)]
pub struct Produced {
    /// One row of the main table per arm, with per-seed scores.
    pub results: Vec<ArmResult>,
    /// Optional line plot: series, x-axis label.
    pub lines: Option<(Vec<LineSeries>, &'static str)>,
    /// Further tables, written as `<stem>.md` and `<stem>.csv`.
    pub tables: Vec<(String, Table)>,
    /// Anything else worth keeping in `run.json`.
    pub extra: serde_json::Value,
}

/// How to run an experiment.
#[derive(Debug, Clone)]
pub struct Options {
    /// The data.
    pub data: DataSpec,
    /// Number of model seeds (0..N).
    pub seeds: usize,
    /// Quick mode (the caller chose a small preset and few seeds; recorded in run.json).
    pub quick: bool,
    /// Parent of `results/<id>`.
    pub results_dir: PathBuf,
    /// Record every finished fit under `<results_dir>/.fits` and reuse the ones an earlier run
    /// recorded there ([`memo`]): an interrupted long run picks up where it stopped.
    pub resume: bool,
}

/// What one experiment produced.
#[derive(Debug)]
pub struct Outcome {
    /// Experiment id.
    pub id: String,
    /// Where its files are.
    pub dir: PathBuf,
    /// Its main table as Markdown.
    pub table_markdown: String,
    /// Per-arm results.
    pub arms: Vec<ArmResult>,
    /// Wall time, seconds.
    pub seconds: f64,
}

const fn arm(model: &'static str, train: TrainSet, test: TestSet) -> Arm {
    Arm { model, train, test }
}

/// The arms of an experiment, in the order of the paper's figure.
fn arms_of(id: &str) -> Result<(Task, Vec<Arm>)> {
    use TestSet as Te;
    use TrainSet as Tr;
    Ok(match id {
        "tissue-sra" => (
            Task::Tissue,
            vec![
                arm("lin", Tr::G, Te::S),
                arm("mlp", Tr::G, Te::S),
                arm("mlp", Tr::S, Te::S),
                arm("lin", Tr::S, Te::S),
                arm("lin", Tr::GS, Te::S),
                arm("mlp", Tr::GS, Te::S),
                arm("da", Tr::GS, Te::S),
            ],
        ),
        "tissue-tcga" => (
            Task::Tissue,
            vec![
                arm("lin", Tr::G, Te::T),
                arm("mlp", Tr::G, Te::T),
                arm("lin", Tr::GS, Te::T),
                arm("lin", Tr::S, Te::T),
                arm("mlp", Tr::S, Te::T),
                arm("mlp", Tr::GS, Te::T),
                arm("da", Tr::GS, Te::T),
            ],
        ),
        "sex-sra" | "sex-tcga" => {
            let test = if id == "sex-sra" { Te::S } else { Te::T };
            // DA learns its classifier in the source domain (GTEx): S alone has none.
            let mut arms = Vec::new();
            for model in ["lin", "mlp", "da"] {
                for train in [Tr::G, Tr::S, Tr::GS] {
                    if !(model == "da" && train == Tr::S) {
                        arms.push(arm(model, train, test));
                    }
                }
            }
            (Task::Sex, arms)
        }
        "source" => (
            Task::SampleSource,
            [Te::G, Te::T, Te::S]
                .into_iter()
                .flat_map(|test| [arm("lin", Tr::S, test), arm("mlp", Tr::S, test)])
                .collect(),
        ),
        // Experiments that build their own arms (see their modules); the task decides how the
        // SRA studies are split into training and test studies.
        "train-size" | "class-count" | "annotate" | "tune" | "rank-genes" | "rf-multilabel"
        | "augment" => (Task::Tissue, Vec::new()),
        "bias-diversity" => (Task::SampleSource, Vec::new()),
        other => bail!(
            "unknown experiment {other:?}; known: {}",
            EXPERIMENTS.map(|(id, _)| id).join(", ")
        ),
    })
}

/// The SRA studies an experiment trains on and tests on. Tests on TCGA train on every SRA study
/// (the paper's "S large"); tests on SRA split the studies with the paper's recipe of the task.
fn sra_sides(id: &str, task: Task, sra: &Dataset) -> Result<(Dataset, Dataset)> {
    if id.ends_with("-tcga") {
        return Ok((sra.clone(), sra.select_samples(&[])?));
    }
    let labels = Labels::for_task(task, sra.samples());
    let split = match task {
        Task::Tissue => tissue_split(sra.samples(), &labels)?,
        Task::Sex => sex_split(sra.samples(), &labels, 0)?,
        Task::SampleSource => source_split(sra.samples(), &labels)?,
    };
    Ok((
        sra.select_samples(&split.train)?,
        sra.select_samples(&split.test)?,
    ))
}

/// The class names of a task that models are matched against: GTEx's for tissue and sex (SRA
/// and TCGA names are matched to them loosely), SRA's for sample source (GTEx has biopsies only).
fn class_universe(task: Task, cohort: &Cohort) -> Vec<String> {
    let from = if task == Task::SampleSource {
        &cohort.sra
    } else {
        &cohort.gtex
    };
    Labels::for_task(task, from.samples()).classes().to_vec()
}

/// Runs experiment `id` on an already loaded cohort and writes its outputs.
pub fn run_on(id: &str, cohort: &Cohort, options: &Options) -> Result<Outcome> {
    let start = Instant::now();
    let (task, arms) = arms_of(id)?;
    let title = EXPERIMENTS
        .iter()
        .find(|(e, _)| *e == id)
        .map(|(_, t)| *t)
        .expect("arms_of knows only listed experiments");
    let settings = Settings::load(&options.results_dir)?;
    let memo = if options.resume {
        memo::Memo::in_results(&options.results_dir)
    } else {
        memo::Memo::off()
    };
    let (sra_train, sra_test) = sra_sides(id, task, &cohort.sra)?;
    let sets = Sets {
        gtex: &cohort.gtex,
        sra_train: &sra_train,
        sra_test: &sra_test,
        tcga: &cohort.tcga,
        settings: &settings,
        memo: &memo,
    };
    let universe = class_universe(task, cohort);
    let seeds: Vec<u64> = (0..options.seeds as u64).collect();
    let dir = options.results_dir.join(id);
    let mut produced = match id {
        "train-size" => sweeps::train_size(&sets, &universe, &seeds, options.quick)?.into(),
        "class-count" => sweeps::class_count(&sets, &universe, &seeds, options.quick)?.into(),
        "bias-diversity" => diversity::run(&sets, &universe, &seeds, options.quick)?,
        "annotate" => annotate::run(cohort, &settings, &memo, &seeds, options.quick, &dir)?,
        "tune" => tune::run(cohort, &seeds, options.quick, &options.results_dir, &memo)?,
        "rank-genes" => archs4::rank_genes(&sets, &universe, &seeds, options.quick, &dir)?,
        "rf-multilabel" => archs4::rf_multilabel(&sets, &cohort.sra, &universe, &seeds)?,
        "augment" => augment::run(&sets, &universe, &seeds, options.quick, &dir)?,
        _ => {
            let mut results = Vec::with_capacity(arms.len());
            for a in arms {
                eprintln!("[{id}] {} ...", a.name());
                let r = run_arm(a, task, &universe, &sets, &seeds)
                    .with_context(|| format!("experiment {id}, {}", a.name()))?;
                eprintln!(
                    "[{id}] {}: mca {:?}",
                    r.name,
                    r.mca.iter().map(|v| format!("{v:.3}")).collect::<Vec<_>>()
                );
                results.push(r);
            }
            Produced {
                results,
                ..Produced::default()
            }
        }
    };
    // Figures of the data itself, beside the models' (see `overview`).
    let data_label = options.data.label();
    let figure = match id {
        "source" => Some(overview::source_pca(cohort, &data_label, create(&dir)?)?),
        "sex-sra" => Some(overview::sex_chromosomes(
            &[&cohort.gtex, &cohort.sra],
            &data_label,
            create(&dir)?,
        )?),
        "sex-tcga" => Some(overview::sex_chromosomes(
            &[&cohort.gtex, &cohort.tcga],
            &data_label,
            create(&dir)?,
        )?),
        _ => None,
    };
    if let Some(figure) = figure {
        merge_into(&mut produced.extra, figure);
    }
    let seconds = start.elapsed().as_secs_f64();
    let data_summary = serde_json::json!({
        "qc": cohort.qc,
        "gtex_samples": cohort.gtex.n_samples(),
        "tcga_samples": cohort.tcga.n_samples(),
        "sra_samples_after_qc": cohort.sra.n_samples(),
        "sra_train_samples": sra_train.n_samples(),
        "sra_test_samples": sra_test.n_samples(),
        "genes": cohort.gtex.n_genes(),
    });
    let run = report::RunRecord {
        experiment: id,
        reproduces: title,
        data: data_label.clone(),
        seeds: seeds.clone(),
        quick: options.quick,
        version: env!("CARGO_PKG_VERSION"),
        seconds,
        settings: settings.describe(),
        data_summary,
        arms: &produced.results,
        extra: &produced.extra,
    };
    let full_title = format!("{title} [{data_label}]");
    let table_markdown = report::write(&dir, &full_title, &produced.results, &run)?;
    for (stem, table) in &produced.tables {
        table.write(&dir.join(stem))?;
    }
    if let Some((series, x_label)) = &produced.lines {
        rnameta_eval::plot::line_plot(
            series,
            &rnameta_eval::plot::Axes::new(full_title, *x_label, "mca (mean ± std over seeds)"),
            &dir.join("lines"),
        )?;
    }
    Ok(Outcome {
        id: id.to_owned(),
        dir,
        table_markdown,
        arms: produced.results,
        seconds,
    })
}

/// `dir`, created if missing.
fn create(dir: &Path) -> Result<&Path> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir)
}

/// Adds the fields of the JSON object `more` to `extra` (null counts as an empty object).
fn merge_into(extra: &mut serde_json::Value, more: serde_json::Value) {
    if extra.is_null() {
        *extra = serde_json::Value::Object(serde_json::Map::new());
    }
    if let (Some(target), serde_json::Value::Object(fields)) = (extra.as_object_mut(), more) {
        target.extend(fields);
    }
}

/// Loads the data and runs experiment `id`.
pub fn run(id: &str, options: &Options) -> Result<Outcome> {
    arms_of(id)?;
    let cohort = cohort::load(&options.data)?;
    run_on(id, &cohort, options)
}

/// Runs every experiment on one cohort and writes `results/README.md`, an index with each table.
pub fn reproduce(options: &Options) -> Result<Vec<Outcome>> {
    let start = Instant::now();
    let cohort = cohort::load(&options.data)?;
    let mut outcomes = Vec::new();
    for (id, _) in EXPERIMENTS {
        outcomes.push(run_on(id, &cohort, options)?);
    }
    write_index(
        &options.results_dir,
        options,
        &outcomes,
        start.elapsed().as_secs_f64(),
    )?;
    Ok(outcomes)
}

fn write_index(dir: &Path, options: &Options, outcomes: &[Outcome], seconds: f64) -> Result<()> {
    let mut text = format!(
        "# Results\n\nWritten by `cargo xtask reproduce{}` on {} with {} model seed(s); {:.0} s in all.\n\
         Every number here comes from **simulated** data, not from the paper's real GTEx / TCGA / SRA \
         data. Per-experiment files (plots, per-seed CSV, statistics, run.json) are in each folder.\n{}",
        if options.quick { " --quick" } else { "" },
        options.data.label(),
        options.seeds,
        seconds,
        if options.resume {
            "With `--resume`: results that earlier runs recorded in `.fits` were reused, so the \
             times here count only what this run computed.\n"
        } else {
            ""
        }
    );
    for o in outcomes {
        text.push_str(&format!(
            "\n## {} ({:.0} s)\n\n{}\n\n![box plots]({}/box.svg)\n",
            o.id, o.seconds, o.table_markdown, o.id
        ));
    }
    std::fs::create_dir_all(dir)?;
    rnameta_io::write::write_atomically(&dir.join("README.md"), |w| w.write_all(text.as_bytes()))?;
    Ok(())
}
