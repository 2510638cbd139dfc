//! What an experiment writes: `table.md` (and `table.csv`), `results.csv` (one row per arm and
//! seed), `stats.md` / `stats.csv` (ANOVA across arms, Welch t-tests against the best arm), box
//! plots of msa and mca (`box.png`, `box.svg`), and `run.json`.

use std::path::Path;

use anyhow::{Context, Result};
use rnameta_eval::plot::{box_plots, BoxGroup, BoxPanel, BoxSeries};
use rnameta_eval::stats::{one_way_anova, welch_t_test, SIGNIFICANCE};
use rnameta_eval::{Cell, SeedSummary, Table};
use serde::Serialize;

use super::runner::ArmResult;

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
    /// Wall time of the whole experiment, seconds.
    pub seconds: f64,
    /// The hyperparameters: the paper's defaults or tuned (from where).
    pub settings: String,
    /// Sample QC counts and split sizes.
    pub data_summary: serde_json::Value,
    /// Every arm with its per-seed scores.
    pub arms: &'a [ArmResult],
    /// What the experiment records besides (settings it derived, quality measures...).
    #[serde(skip_serializing_if = "serde_json::Value::is_null")]
    pub extra: &'a serde_json::Value,
}

/// Writes every output of an experiment into `dir` and returns the Markdown of the main table.
pub fn write(
    dir: &Path,
    title: &str,
    results: &[ArmResult],
    run: &RunRecord<'_>,
) -> Result<String> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let main = summary_table(title, results)?;
    main.write(&dir.join("table"))?;
    per_seed_table(title, results)?.write_csv(&dir.join("results.csv"))?;
    stats_table(results)?.write(&dir.join("stats"))?;
    let panel = |metric: &str, pick: fn(&ArmResult) -> &Vec<f64>| BoxPanel {
        title: metric.to_owned(),
        y_label: metric.to_owned(),
        groups: vec![BoxGroup {
            label: String::new(),
            series: results
                .iter()
                .map(|r| BoxSeries {
                    label: r.name.clone(),
                    values: pick(r).clone(),
                })
                .collect(),
        }],
    };
    box_plots(
        &[panel("msa", |r| &r.msa), panel("mca", |r| &r.mca)],
        title,
        &dir.join("box"),
    )?;
    let json = serde_json::to_vec_pretty(run)?;
    rnameta_io::write::write_atomically(&dir.join("run.json"), |w| w.write_all(&json))?;
    Ok(main.to_markdown()?)
}

/// One row per arm: sizes, msa and mca as mean ± std over seeds, time.
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
fn stats_table(results: &[ArmResult]) -> Result<Table> {
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let best = results
        .iter()
        .max_by(|a, b| mean(&a.mca).total_cmp(&mean(&b.mca)))
        .context("no arm")?;
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
