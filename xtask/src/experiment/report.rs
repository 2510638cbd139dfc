//! What an experiment writes, all of it through [`write()`]: `table.md` (and `table.csv`),
//! `results.csv` (one row per arm and seed), `stats.md` / `stats.csv` (ANOVA across arms, Welch
//! t-tests against the best arm), box plots of msa and mca (`box.png`, `box.svg`), `run.json`, and
//! what the experiment's [`Produced`] adds (further tables, figures, the settings it chose). Experiments
//! themselves write nothing.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use rnameta_eval::plot::{
    box_plots, line_plot, scatter_plot, Axes, BoxGroup, BoxPanel, BoxSeries, LineSeries, PlotFiles,
    ScatterGroup,
};
use rnameta_eval::stats::{one_way_anova, welch_t_test, SIGNIFICANCE};
use rnameta_eval::{Cell, SeedSummary, Table};
use serde::Serialize;

use super::cost::StepCost;
use super::memo::Reuse;
use super::runner::ArmResult;
use super::settings::Settings;
use super::{Produced, CHOSEN_FILE};

/// A figure an experiment produced, drawn by [`write()`] as `<stem>.png` and `<stem>.svg`.
#[derive(Debug)]
pub enum Figure {
    /// Lines with a band of one standard deviation.
    Lines {
        /// File name without extension.
        stem: String,
        /// The lines.
        series: Vec<LineSeries>,
        /// Title and axis labels.
        axes: Axes,
    },
    /// Points coloured by group.
    Scatter {
        /// File name without extension.
        stem: String,
        /// The points of each group.
        groups: Vec<ScatterGroup>,
        /// Title and axis labels.
        axes: Axes,
    },
}

impl Figure {
    /// Draws the figure into `dir`; returns the files written.
    pub fn write(&self, dir: &Path) -> Result<Vec<PathBuf>> {
        let files: PlotFiles = match self {
            Self::Lines { stem, series, axes } => line_plot(series, axes, &dir.join(stem))?,
            Self::Scatter { stem, groups, axes } => scatter_plot(groups, axes, &dir.join(stem))?,
        };
        Ok(vec![files.png, files.svg])
    }
}

/// Everything `run.json` records.
#[derive(Debug, Serialize)]
pub struct RunRecord<'a> {
    /// Experiment id.
    pub experiment: &'a str,
    /// What it reproduces.
    pub reproduces: &'a str,
    /// The data (always simulated so far).
    pub data: String,
    /// Model seeds.
    pub seeds: Vec<u64>,
    /// Quick mode.
    pub quick: bool,
    /// rnameta version.
    pub version: &'static str,
    /// Hash of the code that fits (see `fingerprint::CODE_HASH`).
    pub code_hash: &'static str,
    /// Wall time, CPU time and memory of the whole experiment (`seconds`, `cpu_seconds`,
    /// `peak_bytes`, `resident_at_start_bytes`), so that a run stopped before `reproduce` writes
    /// its index still has each finished step's.
    #[serde(flatten)]
    pub cost: StepCost,
    /// With `--resume`: results read from `.fits` records instead of computed, and computed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reuse: Option<Reuse>,
    /// The hyperparameters: the paper's defaults or tuned (from where).
    pub settings: String,
    /// The hyperparameters used, in full: where they came from and every tuned (task, model).
    pub settings_used: &'a Settings,
    /// The experiment's design for this run's preset (what `experiment --list` shows).
    pub design: serde_json::Value,
    /// Sample QC counts and split sizes.
    pub data_summary: serde_json::Value,
    /// Every arm with its per-seed scores.
    pub arms: &'a [ArmResult],
    /// What the experiment records besides (settings it derived, quality measures...).
    #[serde(skip_serializing_if = "serde_json::Value::is_null")]
    pub extra: &'a serde_json::Value,
}

/// What [`write()`] wrote.
pub struct Written {
    /// The main table as Markdown.
    pub table_markdown: String,
    /// Every file written, in the order written.
    pub files: Vec<PathBuf>,
}

/// Writes every output of an experiment into `dir`: the main table, per-seed CSV, statistics,
/// box plots and `run.json` of `produced.results` titled `title`, then what else `produced`
/// holds.
pub fn write(dir: &Path, title: &str, produced: &Produced, run: &RunRecord<'_>) -> Result<Written> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let results = &produced.results;
    let mut files = Vec::new();
    let main = summary_table(title, results)?;
    let written = main.write(&dir.join("table"))?;
    files.extend([written.markdown, written.csv]);
    files.push(dir.join("results.csv"));
    per_seed_table(title, results)?.write_csv(&dir.join("results.csv"))?;
    // Arms that could not run (a training set without two classes) are rows of the main table
    // with their reason, and nothing else.
    let scored: Vec<&ArmResult> = results.iter().filter(|r| r.skipped.is_none()).collect();
    let written = stats_table(&scored)?.write(&dir.join("stats"))?;
    files.extend([written.markdown, written.csv]);
    let panel = |metric: &str, pick: fn(&ArmResult) -> &Vec<f64>| BoxPanel {
        title: metric.to_owned(),
        y_label: metric.to_owned(),
        groups: vec![BoxGroup {
            label: String::new(),
            series: scored
                .iter()
                .map(|r| BoxSeries {
                    label: r.name.clone(),
                    values: pick(r).clone(),
                })
                .collect(),
        }],
    };
    if !scored.is_empty() {
        let plots = box_plots(
            &[panel("msa", |r| &r.msa), panel("mca", |r| &r.mca)],
            title,
            &dir.join("box"),
        )?;
        files.extend([plots.png, plots.svg]);
    }
    files.push(write_json(&dir.join("run.json"), run)?);
    for (stem, table) in &produced.tables {
        let written = table.write(&dir.join(stem))?;
        files.extend([written.markdown, written.csv]);
    }
    for (stem, table) in &produced.csv_tables {
        let path = dir.join(format!("{stem}.csv"));
        table.write_csv(&path)?;
        files.push(path);
    }
    if let Some((series, x_label)) = &produced.lines {
        let figure = Figure::Lines {
            stem: "lines".into(),
            series: series.clone(),
            axes: Axes::new(title, *x_label, "mca (mean ± std over seeds)"),
        };
        files.extend(figure.write(dir)?);
    }
    for figure in &produced.figures {
        files.extend(figure.write(dir)?);
    }
    if let Some(chosen) = &produced.chosen_settings {
        files.push(write_json(&dir.join(CHOSEN_FILE), chosen)?);
    }
    Ok(Written {
        table_markdown: main.to_markdown()?,
        files,
    })
}

/// Writes `value` as pretty JSON to `path` (atomically); returns the path.
fn write_json(path: &Path, value: &impl Serialize) -> Result<PathBuf> {
    let json = serde_json::to_vec_pretty(value)?;
    rnameta_io::write::write_atomically(path, |w| w.write_all(&json))?;
    Ok(path.to_path_buf())
}

/// One row per arm: sizes, msa and mca as mean ± std over seeds, time; an arm that could not
/// run says why in place of its scores.
fn summary_table(title: &str, results: &[ArmResult]) -> Result<Table> {
    let mut t = Table::new(
        title,
        [
            "model",
            "train n",
            "classes",
            "test n",
            "genes",
            "msa",
            "mca",
            "seconds / seed",
        ],
    );
    for r in results {
        if let Some(why) = &r.skipped {
            let not_run = Cell::text(format!("not run: {why}"));
            t.push_row(vec![
                Cell::text(&r.name),
                Cell::count(r.n_train as u64),
                Cell::count(r.n_classes as u64),
                Cell::count(0),
                Cell::count(0),
                not_run.clone(),
                not_run,
                Cell::text("-"),
            ])?;
            continue;
        }
        t.push_row(vec![
            Cell::text(&r.name),
            Cell::count(r.n_train as u64),
            Cell::count(r.n_classes as u64),
            Cell::count(r.n_test as u64),
            Cell::count(r.n_genes as u64),
            Cell::mean_std(&SeedSummary::new(r.msa.clone())?, 3),
            Cell::mean_std(&SeedSummary::new(r.mca.clone())?, 3),
            Cell::float(r.seconds.iter().sum::<f64>() / r.seconds.len() as f64, 2),
        ])?;
    }
    Ok(t)
}

/// One row per arm and seed.
fn per_seed_table(title: &str, results: &[ArmResult]) -> Result<Table> {
    let mut t = Table::new(title, ["model", "seed index", "msa", "mca", "seconds"]);
    for r in results {
        for (i, ((msa, mca), secs)) in r.msa.iter().zip(&r.mca).zip(&r.seconds).enumerate() {
            t.push_row(vec![
                Cell::text(&r.name),
                Cell::count(i as u64),
                Cell::float(*msa, 4),
                Cell::float(*mca, 4),
                Cell::float(*secs, 2),
            ])?;
        }
    }
    Ok(t)
}

/// ANOVA of mca across arms, then Welch's t-test of every arm against the one with the best mean
/// mca, at the paper's significance level.
fn stats_table(results: &[&ArmResult]) -> Result<Table> {
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let Some(best) = results
        .iter()
        .max_by(|a, b| mean(&a.mca).total_cmp(&mean(&b.mca)))
    else {
        let mut t = Table::new("mca: no arm ran (see the main table)", ["comparison"]);
        t.push_row(vec![Cell::text("none: no arm ran")])?;
        return Ok(t);
    };
    let mut t = Table::new(
        format!("mca: one-way ANOVA across models, Welch t-test against {} (significance {SIGNIFICANCE})", best.name),
        ["comparison", "statistic", "p-value", "significant"],
    );
    let groups: Vec<&[f64]> = results.iter().map(|r| r.mca.as_slice()).collect();
    let row = |name: String, outcome: rnameta_eval::Result<(f64, f64, bool)>| match outcome {
        Ok((stat, p, sig)) => vec![
            Cell::text(name),
            Cell::float(stat, 3),
            Cell::scientific(p, 2),
            Cell::text(if sig { "yes" } else { "no" }),
        ],
        Err(e) => vec![
            Cell::text(name),
            Cell::text("n/a"),
            Cell::text(format!("n/a ({e})")),
            Cell::text("n/a"),
        ],
    };
    t.push_row(row(
        "ANOVA, all models".into(),
        one_way_anova(&groups).map(|a| (a.statistic, a.p_value, a.is_significant())),
    ))?;
    for r in results.iter().filter(|r| r.name != best.name) {
        t.push_row(row(
            format!("{} vs {}", best.name, r.name),
            welch_t_test(&best.mca, &r.mca).map(|w| (w.statistic, w.p_value, w.is_significant())),
        ))?;
    }
    Ok(t)
}
