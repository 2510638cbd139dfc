//! `tune`: the paper chose its hyperparameters by random search (keras tuner) and took the least
//! complex model within noise of the best. This does the same for the MLP (hidden units, dropout,
//! learning rate) and DA (embedding size, classifier hidden units, dropout, both learning rates,
//! triplet margin), per task, on a study-grouped validation split that never touches the test
//! studies:
//!
//! - the SRA studies are split with the task's recipe (as every experiment does); the training
//!   studies are dealt, per class and largest first, to *fit* and *validation* in turn (sample
//!   source uses its recipe's own validation side);
//! - tissue and sex train on GTEx + the fit studies, sample source on the fit studies alone;
//! - every trial (trial 0 is the paper's setting) runs over up to three seeds and is scored by mca
//!   on the validation studies;
//! - the choice is the trial with the fewest weights among those whose mean mca is within noise
//!   of the best mean: one standard deviation over seeds, the best trial's or the mean over
//!   trials, whichever is larger.
//!
//! The choice goes to `<results>/tune/chosen.json`; `reproduce` hands it to every later
//! experiment ([`Produced::chosen_settings`]), `experiment <id> --settings FILE` reads it.

use std::collections::BTreeMap;

use anyhow::{bail, Context, Result};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rnameta_core::{Dataset, DatasetView, Labels, SampleMeta, Task};
use rnameta_eval::{Cell, SeedSummary, Table};
use rnameta_models::{DaParams, GeneChoice, MlpParams, ModelKind, ModelSpec};

use serde::Serialize;

use super::cohort::Cohort;
use super::fit::{FitData, FitRequest};
use super::runner::{
    gtex_then_sra, side_by_side, stacked_samples, training_labels, ArmResult, Pools, FITS_AT_ONCE,
};
use super::settings::Settings;
use super::{design_json, study_split, Experiment, Produced, RunContext, Scale};

/// Seed of the random search itself (the trials drawn), fixed so reruns try the same settings.
const SEARCH_SEED: u64 = 20_200_101;

/// Trials per (task, model), the paper's setting first.
#[derive(Debug, Serialize)]
pub struct TuneDesign {
    /// Trials per (task, model), trial 0 the paper's setting (quick 2, full 12).
    pub trials: usize,
    /// Seeds each trial runs over, at most (the first ones of the run).
    pub max_seeds_per_trial: usize,
    /// Seed of the random search (the trials drawn).
    pub search_seed: u64,
    /// The (task, model) pairs tuned.
    pub tuned: Vec<(&'static str, ModelKind)>,
}

impl TuneDesign {
    /// The design at `scale`.
    pub fn at(scale: Scale) -> Self {
        Self {
            trials: scale.pick(2, 12),
            max_seeds_per_trial: 3,
            search_seed: SEARCH_SEED,
            tuned: TUNED.iter().map(|(t, m)| (t.as_str(), *m)).collect(),
        }
    }
}

/// `tune`: the random search; its choice is [`Produced::chosen_settings`].
pub struct Tune;

impl Experiment for Tune {
    fn id(&self) -> &'static str {
        "tune"
    }

    fn description(&self) -> &'static str {
        "Methods: random search of MLP / DA settings on a study-grouped validation split"
    }

    fn design(&self, scale: Scale) -> serde_json::Value {
        design_json(&TuneDesign::at(scale))
    }

    fn run(&self, ctx: &RunContext<'_>) -> Result<Produced> {
        search(ctx, &TuneDesign::at(ctx.scale))
    }
}

/// The (task, model) pairs tuned.
const TUNED: [(Task, ModelKind); 4] = [
    (Task::Tissue, ModelKind::Mlp),
    (Task::Tissue, ModelKind::DomainAdaptation),
    (Task::Sex, ModelKind::Mlp),
    (Task::SampleSource, ModelKind::Mlp),
];

/// Fit and validation data of one task.
struct Split3<'a> {
    /// The fit studies of the SRA, as runs of the cohort's SRA samples (not copied).
    fit_sra: Vec<DatasetView<'a>>,
    /// GTEx, fitted on before the SRA's fit studies (tissue and sex, as the paper's G+S).
    gtex: Option<&'a Dataset>,
    /// The validation studies of the SRA, as runs of the cohort's SRA samples (not copied).
    validation: Vec<DatasetView<'a>>,
}

impl<'a> Split3<'a> {
    /// The fit data: GTEx and the SRA's fit studies stacked (never concatenated), or the SRA's
    /// fit studies alone.
    fn fit(&self) -> Vec<DatasetView<'a>> {
        gtex_then_sra(self.gtex, &self.fit_sra)
    }
}

fn split_for(task: Task, cohort: &Cohort) -> Result<Split3<'_>> {
    let sra = &cohort.sra;
    let (fit_sra, validation) = match task {
        Task::SampleSource => {
            let split = study_split(task, sra)?;
            (
                DatasetView::runs(&[sra.into()], &split.train)?,
                DatasetView::runs(&[sra.into()], &split.validation)?,
            )
        }
        Task::Tissue | Task::Sex => {
            let outer = study_split(task, sra)?;
            // Dealt among the outer training studies, then read straight from the SRA: both
            // sides as runs of its samples, and no copy of the outer training studies.
            let outer_samples: Vec<SampleMeta> = outer
                .train
                .iter()
                .map(|&row| sra.samples()[row].clone())
                .collect();
            let (fit_rows, validation_rows) = deal_studies(task, &outer_samples);
            let in_sra = |rows: &[usize]| -> Vec<usize> {
                rows.iter().map(|&row| outer.train[row]).collect()
            };
            (
                DatasetView::runs(&[sra.into()], &in_sra(&fit_rows))?,
                DatasetView::runs(&[sra.into()], &in_sra(&validation_rows))?,
            )
        }
    };
    if validation.iter().all(|part| part.n_samples() == 0) {
        bail!("tune: no SRA study is left for validating {task} models");
    }
    Ok(Split3 {
        fit_sra,
        gtex: (task != Task::SampleSource).then_some(&cohort.gtex),
        validation,
    })
}

/// Labelled rows of `data` split by study into fit and validation: per class, its studies largest
/// first go to fit, validation, fit... in turn (a study placed by an earlier class keeps its
/// side, unless that leaves the class nothing to fit on: then its largest study fits), so both
/// sides see most classes, every class is fitted, and no study is on both.
fn deal_studies(task: Task, samples: &[SampleMeta]) -> (Vec<usize>, Vec<usize>) {
    let labels = Labels::for_task(task, samples);
    let mut sizes: BTreeMap<(usize, String), usize> = BTreeMap::new();
    for (row, class) in labels.assigned().iter().enumerate() {
        if let (Some(c), Some(study)) = (class, &samples[row].study) {
            *sizes.entry((*c, study.clone())).or_insert(0) += 1;
        }
    }
    let mut side_of: BTreeMap<String, bool> = BTreeMap::new();
    for class in 0..labels.classes().len() {
        let mut studies: Vec<(&String, usize)> = sizes
            .iter()
            .filter(|((c, _), _)| *c == class)
            .map(|((_, s), &n)| (s, n))
            .collect();
        studies.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let mut turn = 0;
        for (study, _) in &studies {
            if !side_of.contains_key(*study) {
                side_of.insert((*study).clone(), turn % 2 == 1);
                turn += 1;
            }
        }
        // Studies placed by earlier classes may leave this one nothing to fit on: its largest
        // study then fits.
        if studies.iter().all(|(study, _)| side_of[*study]) {
            if let Some((largest, _)) = studies.first() {
                side_of.insert((*largest).clone(), false);
            }
        }
    }
    let (mut fit, mut validation) = (Vec::new(), Vec::new());
    for (row, class) in labels.assigned().iter().enumerate() {
        let study = samples[row].study.as_ref();
        match (class, study.and_then(|s| side_of.get(s))) {
            (Some(_), Some(true)) => validation.push(row),
            (Some(_), Some(false)) => fit.push(row),
            _ => {}
        }
    }
    (fit, validation)
}

/// A random setting of `model` for `task` (trial 0: the paper's).
fn draw(model: ModelKind, task: Task, trial: usize, rng: &mut ChaCha8Rng) -> ModelSpec {
    let log_uniform =
        |rng: &mut ChaCha8Rng, lo: f64, hi: f64| 10f64.powf(rng.random_range(lo..hi)) as f32;
    let pick =
        |rng: &mut ChaCha8Rng, options: &[usize]| options[rng.random_range(0..options.len())];
    let dropout = |rng: &mut ChaCha8Rng| rng.random_range(0..6) as f32 / 10.0;
    match model {
        ModelKind::DomainAdaptation => {
            let mut p = DaParams::default();
            if trial > 0 {
                p.embedding = pick(rng, &[64, 128, 256, 512]);
                p.classifier_hidden = pick(rng, &[32, 64, 128, 256]);
                p.dropout = dropout(rng);
                p.learning_rate = log_uniform(rng, -4.0, -2.5);
                p.triplet_learning_rate = log_uniform(rng, -4.5, -3.0);
                p.margin = [1.0, 2.0, 5.0, 11.0][rng.random_range(0..4)];
            }
            ModelSpec::Da(p)
        }
        _ => {
            let mut p = MlpParams::for_task(task);
            if trial > 0 {
                p.hidden = pick(rng, &[16, 32, 64, 128, 256, 512]);
                p.dropout = dropout(rng);
                p.learning_rate = log_uniform(rng, -4.0, -2.0);
            }
            ModelSpec::Mlp(p)
        }
    }
}

/// Trainable weights of `spec` on `genes` inputs and `classes` outputs: the complexity the choice
/// keeps low.
fn weights(spec: &ModelSpec, genes: usize, classes: usize) -> usize {
    match spec {
        ModelSpec::Mlp(p) => genes * p.hidden + p.hidden * classes,
        ModelSpec::Da(p) => {
            genes * p.embedding + p.embedding * p.classifier_hidden + p.classifier_hidden * classes
        }
        _ => 0,
    }
}

/// A short description of a setting for the table.
fn describe(spec: &ModelSpec) -> String {
    match spec {
        ModelSpec::Mlp(p) => format!(
            "hidden {}, dropout {:.1}, lr {:.1e}",
            p.hidden, p.dropout, p.learning_rate
        ),
        ModelSpec::Da(p) => format!(
            "embedding {}, hidden {}, dropout {:.1}, lr {:.1e} / {:.1e}, margin {}",
            p.embedding,
            p.classifier_hidden,
            p.dropout,
            p.learning_rate,
            p.triplet_learning_rate,
            p.margin
        ),
        other => other.name().to_owned(),
    }
}

/// One trial's outcome.
struct Trial {
    spec: ModelSpec,
    result: ArmResult,
    weights: usize,
}

/// Runs the search; the choice is the result's [`Produced::chosen_settings`].
fn search(ctx: &RunContext<'_>, design: &TuneDesign) -> Result<Produced> {
    let (cohort, memo) = (ctx.cohort, ctx.sets.memo);
    let trials = design.trials;
    let seeds = &ctx.seeds[..ctx.seeds.len().min(design.max_seeds_per_trial)];
    let mut rng = ChaCha8Rng::seed_from_u64(design.search_seed);
    let mut settings = Settings::default();
    let mut results = Vec::new();
    let mut chosen_table = Table::new(
        "Chosen settings: fewest weights within noise (one std over seeds) of the best validation mca",
        [
            "task",
            "model",
            "chosen",
            "validation mca",
            "best trial",
            "best mca",
            "paper's mca",
        ],
    );
    // The pairs of one task (tissue's MLP and DA) share its split and one FitData: its training
    // set is prepared and its validation set made model input once for both. The pairs run
    // grouped by task, the tasks in the order they first appear in TUNED.
    let mut tasks: Vec<Task> = Vec::new();
    for &(task, _) in &TUNED {
        if !tasks.contains(&task) {
            tasks.push(task);
        }
    }
    for task in tasks {
        let data = split_for(task, cohort)?;
        let fit_samples = stacked_samples(&data.fit());
        let universe = Labels::for_task(task, &fit_samples).classes().to_vec();
        let labels = training_labels(task, &fit_samples, &universe);
        let fit_data = FitData::stacked(
            task,
            GeneChoice::Paper,
            rnameta_preprocess::Pipeline::tpm_log2(),
            data.fit(),
            &labels,
            data.validation.clone(),
        );
        for model in TUNED
            .iter()
            .filter(|&&(t, _)| t == task)
            .map(|&(_, model)| model)
        {
            // Every trial is drawn, run or not, so that the trials of later pairs stay the same.
            let specs: Vec<ModelSpec> = (0..trials)
                .map(|trial| draw(model, task, trial, &mut rng))
                .collect();
            if labels.classes().len() < 2 {
                // The cohort cannot pose this task's search: keep the paper's setting, say why.
                let why = format!(
                    "the fit studies have {} labelled sample(s) of {} class(es) of {task}; kept the paper's setting",
                    labels.n_labelled(),
                    labels.classes().len()
                );
                eprintln!("[tune] {} {task}: not tuned: {why}", model.as_str());
                let name = format!("{} {task}: not tuned", model.as_str().to_uppercase());
                let mut skipped =
                    ArmResult::new(name, None, labels.n_labelled(), labels.classes().len());
                skipped.skipped = Some(why.clone());
                chosen_table.push_row(vec![
                    Cell::text(task.as_str()),
                    Cell::text(model.as_str()),
                    Cell::text(format!("the paper's ({why})")),
                    Cell::text("-"),
                    Cell::text("-"),
                    Cell::text("-"),
                    Cell::text("-"),
                ])?;
                results.push(skipped);
                continue;
            }
            let names: Vec<String> = specs
                .iter()
                .enumerate()
                .map(|(trial, spec)| {
                    format!(
                        "{} {task} #{trial}: {}",
                        model.as_str().to_uppercase(),
                        describe(spec)
                    )
                })
                .collect();
            // Every trial's seeds in one list, fitted two at a time: a trial at a time, the third
            // of its three seeds ran alone, one core idle.
            let runs: Vec<(usize, u64)> = (0..specs.len())
                .flat_map(|trial| seeds.iter().map(move |&seed| (trial, seed)))
                .collect();
            let scores = side_by_side(&runs, FITS_AT_ONCE, Pools::OwnEach, |&(trial, seed)| {
                let name = &names[trial];
                let request = FitRequest {
                    spec: specs[trial].clone().with_seed(seed),
                    data: &fit_data,
                };
                memo.scores(&format!("tune {name} seed {seed}"), &request)
                    .with_context(|| format!("tune: {name} (seed {seed})"))
            })?;
            let mut scores = scores.into_iter();
            let mut done: Vec<Trial> = Vec::new();
            for (spec, name) in specs.into_iter().zip(names) {
                let mut result =
                    ArmResult::new(name, None, labels.n_labelled(), labels.classes().len());
                for s in scores.by_ref().take(seeds.len()) {
                    result.push(&s);
                }
                eprintln!(
                    "[tune] {}: validation mca {:.3}",
                    result.name,
                    SeedSummary::new(result.mca.clone())?.mean
                );
                let weights = weights(&spec, result.n_genes, result.n_classes);
                done.push(Trial {
                    spec,
                    result,
                    weights,
                });
            }
            let summary = |t: &Trial| SeedSummary::new(t.result.mca.clone());
            let mut best = 0;
            for (i, t) in done.iter().enumerate() {
                if summary(t)?.mean > summary(&done[best])?.mean {
                    best = i;
                }
            }
            let best_summary = summary(&done[best])?;
            // Noise: the seed-to-seed std of the best trial, or the mean std of all trials where that
            // is larger (two or three seeds estimate one std poorly).
            let mut stds = Vec::new();
            for t in &done {
                stds.push(summary(t)?.std.unwrap_or(0.0));
            }
            let pooled = stds.iter().sum::<f64>() / stds.len() as f64;
            let floor = best_summary.mean - best_summary.std.unwrap_or(0.0).max(pooled);
            let mut chosen = best;
            for (i, t) in done.iter().enumerate() {
                let s = summary(t)?;
                let c = &done[chosen];
                if s.mean >= floor
                    && (t.weights < c.weights
                        || (t.weights == c.weights && s.mean > summary(c)?.mean))
                {
                    chosen = i;
                }
            }
            chosen_table.push_row(vec![
                Cell::text(task.as_str()),
                Cell::text(model.as_str()),
                Cell::text(format!("#{chosen}: {}", describe(&done[chosen].spec))),
                Cell::mean_std(&summary(&done[chosen])?, 3),
                Cell::text(format!("#{best}")),
                Cell::mean_std(&best_summary, 3),
                Cell::mean_std(&summary(&done[0])?, 3),
            ])?;
            settings.set(task, model, done[chosen].spec.clone());
            results.extend(done.into_iter().map(|t| t.result));
        }
    }
    Ok(Produced {
        results,
        tables: vec![("chosen".into(), chosen_table)],
        extra: serde_json::json!({ "chosen": settings, "trials_per_model": trials, "seeds_per_trial": seeds }),
        chosen_settings: Some(settings),
        ..Produced::default()
    })
}
