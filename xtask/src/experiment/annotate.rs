//! `annotate`: the paper's new metadata. Four set-ups, each trained on GTEx and / or the SRA
//! training studies and tested on the SRA test studies, or on TCGA:
//!
//! - tissue with a catch-all class (the 16 largest tissues kept, every other tissue "other":
//!   17 classes), DA G+S;
//! - sample source, biopsy against the rest (one-vs-all), MLP S;
//! - sex, MLP G+S;
//! - sex, MLP G+S, tested on TCGA with brain removed (the paper's feedback loop on TCGA sex:
//!   +4.1 points).
//!
//! For each: msa / mca over seeds, the TPR of every class over probability cutoffs (Supplementary
//! Figure 10), predictions for the SRA samples that carry no label of the task (written with their
//! probabilities), and the feedback loop: unlabelled samples outside the test studies whose top
//! probability reaches [`FEEDBACK_CUTOFF`] join the training set with the predicted label, the model
//! is retrained with the same seed, and the change in test scores is reported.
//!
//! The two sex set-ups train alike and differ only in what they are scored on, so they share
//! their models seed by seed (one fit, one set of predictions for the unlabelled samples, one
//! retrained model; their rows show the shared fit's time).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Mutex, OnceLock};

use anyhow::{bail, Context, Result};
use ndarray::Array2;
use rnameta_core::{Dataset, DatasetView, Grouping, Labels, SampleMeta, Task, OTHER_CLASS};
use rnameta_eval::metrics::tpr_at_cutoffs;
use rnameta_eval::plot::{Axes, LinePoint, LineSeries};
use rnameta_eval::{Cell, Table};
use rnameta_models::{argmax_rows, GeneChoice, ModelKind, PreparedTraining, TrainedModel};
use rnameta_preprocess::Pipeline;
use serde::{Deserialize, Serialize};

use super::cohort::Cohort;
use super::fingerprint::stacked_digest;
use super::fit::{
    made_once, score_named_input, score_stacked_named, stacked_model_input, Scored, Scores,
};
use super::memo::{Key, Memo};
use super::report::Figure;
use super::runner::{gtex_then_sra, per_seed, stacked_samples, ArmResult};
use super::settings::Settings;
use super::{design_json, study_split, Experiment, Produced, RunContext, Scale};

/// Top probability a prediction needs to join the training set in the feedback loop.
pub const FEEDBACK_CUTOFF: f32 = 0.9;

/// The probability cutoffs of the TPR table.
const CUTOFFS: [f32; 11] = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95];

/// Tissues kept beside the catch-all class.
const KEPT_TISSUES: usize = 16;

/// `annotate`: the paper's new metadata.
pub struct Annotate;

/// The design of `annotate`.
#[derive(Debug, Serialize)]
pub struct AnnotateDesign {
    /// Tissues kept beside the catch-all class (quick 6, full 16).
    pub kept_tissues: usize,
    /// Top probability a prediction needs to join the training set in the feedback loop.
    pub feedback_cutoff: f32,
    /// The probability cutoffs of the TPR table.
    pub cutoffs: [f32; 11],
}

impl AnnotateDesign {
    /// The design at `scale`.
    pub fn at(scale: Scale) -> Self {
        Self {
            kept_tissues: scale.pick(6, KEPT_TISSUES),
            feedback_cutoff: FEEDBACK_CUTOFF,
            cutoffs: CUTOFFS,
        }
    }
}

impl Experiment for Annotate {
    fn id(&self) -> &'static str {
        "annotate"
    }

    fn description(&self) -> &'static str {
        "New metadata: catch-all tissue, biopsy vs rest, sex; TPR over cutoffs (Supp. Figure 10); feedback loop"
    }

    fn design(&self, scale: Scale) -> serde_json::Value {
        design_json(&AnnotateDesign::at(scale))
    }

    fn run(&self, ctx: &RunContext<'_>) -> Result<Produced> {
        run(
            ctx.cohort,
            ctx.sets.settings,
            ctx.sets.memo,
            ctx.seeds,
            &AnnotateDesign::at(ctx.scale),
        )
    }
}

/// One set-up of the experiment.
struct Setup {
    /// Short name, used for file names.
    key: &'static str,
    /// Row name.
    name: &'static str,
    task: Task,
    model: ModelKind,
    /// Whether GTEx joins the SRA training studies.
    with_gtex: bool,
    grouping: Grouping,
    /// What the model is scored on.
    test: TestSet,
}

/// The samples a set-up is scored on.
#[derive(Debug, Clone, Copy, PartialEq)]
enum TestSet {
    /// The SRA test studies of the task's split.
    SraTestStudies,
    /// TCGA without the samples of one tissue: the paper's feedback loop on TCGA sex left brain
    /// out (its text: "cutoff 0.9, brain removed"; which side it left brain out of is not
    /// stated, so here it is the test set, the one place it changes the score).
    TcgaWithout(&'static str),
}

/// The set-ups, those that train alike ([`trains_like`]) next to each other: they share their
/// models.
fn setups(design: &AnnotateDesign) -> Vec<Setup> {
    vec![
        Setup {
            key: "tissue_catch_all",
            name: "DA G+S-S, tissue, catch-all",
            task: Task::Tissue,
            model: ModelKind::DomainAdaptation,
            with_gtex: true,
            grouping: Grouping::CatchAllLargest(design.kept_tissues),
            test: TestSet::SraTestStudies,
        },
        Setup {
            key: "biopsy_vs_rest",
            name: "MLP S-S, biopsy vs rest",
            task: Task::SampleSource,
            model: ModelKind::Mlp,
            with_gtex: false,
            grouping: Grouping::OneVsAll("biopsy".into()),
            test: TestSet::SraTestStudies,
        },
        Setup {
            key: "sex",
            name: "MLP G+S-S, sex",
            task: Task::Sex,
            model: ModelKind::Mlp,
            with_gtex: true,
            grouping: Grouping::Plain,
            test: TestSet::SraTestStudies,
        },
        Setup {
            key: "sex_tcga_no_brain",
            name: "MLP G+S-T, sex, brain removed",
            task: Task::Sex,
            model: ModelKind::Mlp,
            with_gtex: true,
            grouping: Grouping::Plain,
            test: TestSet::TcgaWithout("brain"),
        },
    ]
}

/// Whether two set-ups train alike (the same task, model, training studies and grouping) and so
/// differ only in what they are scored on: they then share their models, seed by seed (the
/// model, its predictions for the unlabelled samples, and the model retrained on what it fed
/// back are the same for both).
fn trains_like(a: &Setup, b: &Setup) -> bool {
    a.task == b.task && a.model == b.model && a.with_gtex == b.with_gtex && a.grouping == b.grouping
}

/// The training side of set-ups that train alike ([`trains_like`]): training samples with grouped
/// labels, and the unlabelled SRA samples (and which of them lie outside the test studies).
struct Training<'c> {
    /// GTEx, for a set-up that trains on it before the SRA's training studies.
    gtex: Option<&'c Dataset>,
    /// The SRA's training studies, as runs of the cohort's SRA samples (not copied).
    sra_train: Vec<DatasetView<'c>>,
    train_names: Vec<Option<String>>,
    /// `train_names` as labels.
    train_labels: Labels,
    /// The classes the grouping keeps (none for plain labels): test names are grouped like them.
    kept: Vec<String>,
    /// Rows of the cohort's SRA samples in the task's test studies.
    sra_test_rows: Vec<usize>,
    /// The unlabelled SRA samples, as runs of the cohort's SRA samples (not copied).
    unlabelled: Vec<DatasetView<'c>>,
    /// Rows of `unlabelled` (stacked) outside the test studies (the feedback loop may use them).
    feedback_pool: Vec<usize>,
}

impl<'c> Training<'c> {
    /// The training samples: GTEx (in a set-up with it) and the SRA's training studies,
    /// stacked, never concatenated.
    fn train(&self) -> Vec<DatasetView<'c>> {
        gtex_then_sra(self.gtex, &self.sra_train)
    }
}

/// What one set-up is scored on: test samples with grouped truth.
struct Scoring<'c> {
    /// The samples scored (the SRA's test studies, or TCGA less a tissue), as runs of the
    /// cohort's samples (not copied).
    test: Vec<DatasetView<'c>>,
    test_names: Vec<Option<String>>,
}

/// `names` with every name outside `kept` (compared loosely) renamed to the catch-all class.
fn group_like(names: &[Option<String>], kept: &[String]) -> Vec<Option<String>> {
    let (matched, _) = Labels::within_classes(kept.to_vec(), names);
    names
        .iter()
        .zip(matched.assigned())
        .map(|(name, class)| match (name, class) {
            (None, _) => None,
            (Some(_), Some(c)) => Some(kept[*c].clone()),
            (Some(_), None) => Some(OTHER_CLASS.to_owned()),
        })
        .collect()
}

fn names_of(task: Task, samples: &[SampleMeta]) -> Vec<Option<String>> {
    samples.iter().map(|s| task.label_of(s)).collect()
}

/// The training side of `setup` (and of every set-up training like it).
fn training_data<'c>(setup: &Setup, cohort: &'c Cohort) -> Result<Training<'c>> {
    let task = setup.task;
    let sra = &cohort.sra;
    let labels = Labels::for_task(task, sra.samples());
    let split = study_split(task, sra)?;
    let sra_train = DatasetView::runs(&[sra.into()], &split.train)?;
    let gtex = setup.with_gtex.then_some(&cohort.gtex);
    let train_samples = stacked_samples(&gtex_then_sra(gtex, &sra_train));
    let mut train_names = names_of(task, &train_samples);
    let kept: Vec<String> = if setup.grouping == Grouping::Plain {
        Vec::new()
    } else {
        setup.grouping.apply(&mut train_names)?;
        let set: BTreeSet<&String> = train_names
            .iter()
            .flatten()
            .filter(|n| *n != OTHER_CLASS)
            .collect();
        set.into_iter().cloned().collect()
    };
    let unlabelled_rows: Vec<usize> = (0..sra.n_samples())
        .filter(|&i| labels.assigned()[i].is_none())
        .collect();
    let unlabelled = DatasetView::runs(&[sra.into()], &unlabelled_rows)?;
    // The feedback pool stays outside the SRA test studies whatever the set-up is scored on,
    // so every set-up feeds back the same kind of samples.
    let test_studies: BTreeSet<&str> = split
        .test
        .iter()
        .filter_map(|&i| sra.samples()[i].study.as_deref())
        .collect();
    let feedback_pool = unlabelled
        .iter()
        .flat_map(|part| part.samples())
        .enumerate()
        .filter(|(_, s)| {
            s.study
                .as_deref()
                .is_none_or(|study| !test_studies.contains(study))
        })
        .map(|(i, _)| i)
        .collect();
    Ok(Training {
        gtex,
        sra_train,
        train_labels: Labels::from_names(&train_names),
        train_names,
        kept,
        sra_test_rows: split.test,
        unlabelled,
        feedback_pool,
    })
}

/// What `setup`, trained on `training`, is scored on.
fn scoring_data<'c>(
    setup: &Setup,
    cohort: &'c Cohort,
    training: &Training<'c>,
) -> Result<Scoring<'c>> {
    let test = match setup.test {
        TestSet::SraTestStudies => {
            DatasetView::runs(&[(&cohort.sra).into()], &training.sra_test_rows)?
        }
        TestSet::TcgaWithout(tissue) => {
            let kept: Vec<usize> = cohort
                .tcga
                .samples()
                .iter()
                .enumerate()
                .filter(|(_, s)| {
                    s.tissue
                        .as_deref()
                        .is_none_or(|t| !t.eq_ignore_ascii_case(tissue))
                })
                .map(|(i, _)| i)
                .collect();
            DatasetView::runs(&[(&cohort.tcga).into()], &kept)?
        }
    };
    let raw_test = names_of(setup.task, &stacked_samples(&test));
    let test_names = if training.kept.is_empty() {
        raw_test
    } else {
        group_like(&raw_test, &training.kept)
    };
    Ok(Scoring { test, test_names })
}

/// The set-up's training set `parts` (stacked) prepared for its model, labelled by `labels`
/// (every name a class of its own, in sorted order: `Labels::from_names`).
fn prepare_training<'d>(
    setup: &Setup,
    parts: &[DatasetView<'d>],
    labels: &'d Labels,
) -> Result<PreparedTraining<'d>> {
    if labels.classes().len() < 2 {
        bail!("{}: fewer than two classes to train", setup.name);
    }
    Ok(PreparedTraining::stacked(
        setup.task,
        &Pipeline::tpm_log2(),
        &GeneChoice::Paper,
        parts,
        labels,
    )?)
}

/// The scores of `scored` (by `model`, fitted in `seconds`), with its probabilities and the
/// scored samples' true classes.
fn scores_of(
    model: &TrainedModel,
    scored: Scored,
    seconds: f64,
) -> Result<(Scores, Array2<f32>, Vec<usize>)> {
    let (proba, truth) = (scored.proba.clone(), scored.truth.clone());
    Ok((Scores::of(model, scored, seconds)?, proba, truth))
}

/// Predicted class and top probability of every row of `input` (the model's input).
fn predictions(model: &TrainedModel, input: &Array2<f32>) -> Result<Vec<(String, f32)>> {
    let proba = model.classifier().predict_proba(input.view())?;
    Ok(argmax_rows(&proba)
        .into_iter()
        .enumerate()
        .map(|(row, best)| (model.classes()[best].clone(), proba[[row, best]]))
        .collect())
}

/// What one set-up produced.
struct SetupOutcome {
    plain: ArmResult,
    feedback: ArmResult,
    /// Mean TPR over seeds: class -> per cutoff (`None` where a seed had no sample of it).
    tpr: BTreeMap<String, Vec<f64>>,
    support: BTreeMap<String, usize>,
    /// Per seed: unlabelled samples predicted, how many reached the cutoff, how many joined.
    unlabelled: usize,
    confident: Vec<usize>,
    added: Vec<usize>,
    confident_classes: BTreeMap<String, usize>,
    /// The first seed's predictions for the unlabelled samples (none without seeds).
    predictions: Option<Table>,
}

/// What one seed of a set-up produced: the model's scores and TPR over cutoffs, its predictions
/// for the unlabelled samples, and the retrained model's scores. Recorded whole with `--resume`.
#[derive(Serialize, Deserialize)]
struct SeedOutcome {
    scores: Scores,
    /// The model's classes, in its order.
    classes: Vec<String>,
    /// Per class: TPR at each cutoff, `None` where the test set has no sample of the class.
    tpr: Vec<Option<Vec<f64>>>,
    /// Per class: test samples.
    support: Vec<usize>,
    /// Each unlabelled sample's predicted class and top probability.
    predicted: Vec<(String, f32)>,
    /// Unlabelled samples that joined the training set.
    joined: usize,
    feedback_scores: Scores,
    feedback_classes: usize,
    feedback_n_train: usize,
}

/// The training set of set-ups that train alike, prepared once for all their seeds by the first
/// seed that fits (none when every seed is recorded), and the model inputs that every model fitted
/// on it reads alike (its pipeline and genes): each set-up's test samples and the unlabelled
/// samples, made for the first seed's model instead of once per seed.
struct SharedPreparation<'p> {
    prepared: OnceLock<PreparedTraining<'p>>,
    /// The model input of each set-up's test samples (parallel to the group's set-ups).
    test_inputs: Vec<OnceLock<Array2<f32>>>,
    /// The model input of the unlabelled samples.
    unlabelled_input: OnceLock<Array2<f32>>,
    /// The digests of the group's data, for its records' keys (with `--resume`).
    digests: OnceLock<GroupDigests>,
    making: Mutex<()>,
}

/// [`stacked_digest`]s of the data of a group of set-ups, made once for the keys of all its
/// records (each seed's and each set-up's key holds the training and unlabelled samples).
struct GroupDigests {
    train: String,
    unlabelled: String,
    /// Each set-up's test samples (parallel to the group's set-ups).
    tests: Vec<String>,
}

impl SharedPreparation<'_> {
    /// Nothing made yet, for a group of `n_setups` set-ups.
    fn new(n_setups: usize) -> Self {
        Self {
            prepared: OnceLock::new(),
            test_inputs: (0..n_setups).map(|_| OnceLock::new()).collect(),
            unlabelled_input: OnceLock::new(),
            digests: OnceLock::new(),
            making: Mutex::new(()),
        }
    }

    /// The model input in `cell` (one of this preparation's), made by `make` on the first call.
    fn input<'s>(
        &'s self,
        cell: &'s OnceLock<Array2<f32>>,
        make: impl FnOnce() -> Result<Array2<f32>>,
    ) -> Result<&'s Array2<f32>> {
        made_once(cell, &self.making, make)
    }
}

/// Trains with one seed (on the shared preparation) and predicts the unlabelled samples, runs the
/// feedback loop, and scores both models on the test samples of each set-up of `group` (set-ups
/// that train alike, [`trains_like`]; `scorings` parallel to them): one outcome per set-up, each
/// from the record of an earlier run with `--resume` when all of them are recorded.
fn run_seed<'p>(
    group: &[Setup],
    training: &'p Training<'_>,
    scorings: &[Scoring<'_>],
    shared: &SharedPreparation<'p>,
    settings: &Settings,
    memo: &Memo,
    seed: u64,
) -> Result<Vec<SeedOutcome>> {
    let Some(first) = group.first() else {
        bail!("a group of set-ups without any set-up");
    };
    let names = || {
        group
            .iter()
            .map(|setup| setup.name)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let spec = settings.spec(first.model, first.task, seed)?;
    let keys = || {
        let digests = made_once(&shared.digests, &shared.making, || {
            Ok(GroupDigests {
                train: stacked_digest(&training.train())?,
                unlabelled: stacked_digest(&training.unlabelled)?,
                tests: scorings
                    .iter()
                    .map(|scoring| stacked_digest(&scoring.test))
                    .collect::<Result<_>>()?,
            })
        })?;
        group
            .iter()
            .zip(scorings)
            .zip(&digests.tests)
            .map(|((setup, scoring), test)| {
                Ok(Key::new()
                    .text("annotate")
                    .text(setup.name)
                    .json(&spec)?
                    .json(&training.train_names)?
                    .json(&scoring.test_names)?
                    .json(&training.feedback_pool)?
                    .digest(&digests.train)
                    .digest(test)
                    .digest(&digests.unlabelled)
                    .finish())
            })
            .collect()
    };
    let whats: Vec<String> = group
        .iter()
        .map(|setup| format!("annotate {} seed {seed}", setup.name))
        .collect();
    let outcomes = memo.recorded_together(&whats, keys, || {
        let prepared = made_once(&shared.prepared, &shared.making, || {
            prepare_training(first, &training.train(), &training.train_labels)
        })
        .with_context(|| format!("{} (seed {seed})", names()))?;
        let start = std::time::Instant::now();
        let model = prepared
            .fit(&spec)
            .with_context(|| format!("{} (seed {seed})", names()))?;
        let fit_seconds = start.elapsed().as_secs_f64();
        // Unlabelled SRA samples: predictions, and the feedback loop.
        let predicted = if training.unlabelled.iter().all(|part| part.n_samples() == 0) {
            Vec::new()
        } else {
            let input = shared.input(&shared.unlabelled_input, || {
                stacked_model_input(&model, &training.unlabelled)
            })?;
            predictions(&model, input)?
        };
        let joining: Vec<usize> = training
            .feedback_pool
            .iter()
            .copied()
            .filter(|&i| predicted[i].1 >= FEEDBACK_CUTOFF)
            .collect();
        let start = std::time::Instant::now();
        let mut train = training.train();
        train.extend(DatasetView::runs(&training.unlabelled, &joining)?);
        let mut fed_names = training.train_names.clone();
        fed_names.extend(joining.iter().map(|&i| Some(predicted[i].0.clone())));
        let labels = Labels::from_names(&fed_names);
        let retrained = prepare_training(first, &train, &labels)?.fit(&spec)?;
        let retrain_seconds = start.elapsed().as_secs_f64();
        scorings
            .iter()
            .zip(&shared.test_inputs)
            .map(|(scoring, input)| {
                let input = shared.input(input, || stacked_model_input(&model, &scoring.test))?;
                let scored = score_named_input(&model, &scoring.test_names, input)?;
                let (scores, proba, truth) = scores_of(&model, scored, fit_seconds)?;
                let report = tpr_at_cutoffs(proba.view(), &truth, &CUTOFFS)?;
                let tpr = report
                    .tpr
                    .iter()
                    .map(|values| values.iter().copied().collect::<Option<Vec<f64>>>())
                    .collect();
                let scored = score_stacked_named(&retrained, &scoring.test, &scoring.test_names)?;
                let (feedback_scores, _, _) = scores_of(&retrained, scored, retrain_seconds)?;
                Ok(SeedOutcome {
                    scores,
                    classes: model.classes().to_vec(),
                    tpr,
                    support: report.support,
                    predicted: predicted.clone(),
                    joined: joining.len(),
                    feedback_scores,
                    feedback_classes: retrained.classes().len(),
                    feedback_n_train: fed_names.iter().flatten().count(),
                })
            })
            .collect()
    })?;
    for (setup, outcome) in group.iter().zip(&outcomes) {
        eprintln!(
            "[annotate] {} seed {seed}: mca {:.3}, with {} fed back {:.3}",
            setup.name, outcome.scores.mca, outcome.joined, outcome.feedback_scores.mca
        );
    }
    Ok(outcomes)
}

/// Runs the set-ups of `group` (set-ups that train alike, [`trains_like`]) over `seeds`: per
/// seed their shared models, scored on each set-up's test samples; one outcome per set-up.
fn run_group(
    group: &[Setup],
    cohort: &Cohort,
    settings: &Settings,
    memo: &Memo,
    seeds: &[u64],
) -> Result<Vec<SetupOutcome>> {
    let Some(first) = group.first() else {
        return Ok(Vec::new());
    };
    let training = training_data(first, cohort)?;
    let scorings = group
        .iter()
        .map(|setup| scoring_data(setup, cohort, &training))
        .collect::<Result<Vec<_>>>()?;
    let shared = SharedPreparation::new(group.len());
    let per_seed_outcomes = per_seed(seeds, |seed| {
        run_seed(group, &training, &scorings, &shared, settings, memo, seed)
    })?;
    group
        .iter()
        .enumerate()
        .map(|(i, setup)| {
            let seed_outcomes = per_seed_outcomes.iter().map(|outcomes| &outcomes[i]);
            summarise(setup, &training, seed_outcomes)
        })
        .collect()
}

/// What `setup` (trained on `training`) produced over its seeds' outcomes, in seed order.
fn summarise<'o>(
    setup: &Setup,
    training: &Training<'_>,
    seed_outcomes: impl Iterator<Item = &'o SeedOutcome>,
) -> Result<SetupOutcome> {
    let n_train = training.train_names.iter().flatten().count();
    let mut plain = ArmResult::new(setup.name.into(), None, n_train, 0);
    let mut feedback = ArmResult::new(format!("{} + feedback", setup.name), None, n_train, 0);
    let mut tpr_sum: BTreeMap<String, (Vec<f64>, usize)> = BTreeMap::new();
    let mut support = BTreeMap::new();
    let mut confident = Vec::new();
    let mut added = Vec::new();
    let mut confident_classes = BTreeMap::new();
    let mut first_predictions = None;
    for (i, seed_outcome) in seed_outcomes.enumerate() {
        plain.n_classes = seed_outcome.classes.len();
        plain.push(&seed_outcome.scores);
        for (c, class) in seed_outcome.classes.iter().enumerate() {
            support.insert(class.clone(), seed_outcome.support[c]);
            if let Some(values) = &seed_outcome.tpr[c] {
                let entry = tpr_sum
                    .entry(class.clone())
                    .or_insert((vec![0.0; CUTOFFS.len()], 0));
                for (sum, v) in entry.0.iter_mut().zip(values) {
                    *sum += v;
                }
                entry.1 += 1;
            }
        }
        let predicted = &seed_outcome.predicted;
        confident.push(
            predicted
                .iter()
                .filter(|(_, p)| *p >= FEEDBACK_CUTOFF)
                .count(),
        );
        if i == 0 {
            first_predictions = Some(predictions_table(setup, &training.unlabelled, predicted)?);
            for (class, p) in predicted {
                if *p >= FEEDBACK_CUTOFF {
                    *confident_classes.entry(class.clone()).or_insert(0) += 1;
                }
            }
        }
        added.push(seed_outcome.joined);
        feedback.n_classes = seed_outcome.feedback_classes;
        feedback.n_train = seed_outcome.feedback_n_train;
        feedback.push(&seed_outcome.feedback_scores);
    }
    let tpr = tpr_sum
        .into_iter()
        .map(|(class, (sums, n))| (class, sums.into_iter().map(|s| s / n as f64).collect()))
        .collect();
    Ok(SetupOutcome {
        plain,
        feedback,
        tpr,
        support,
        unlabelled: training.unlabelled.iter().map(DatasetView::n_samples).sum(),
        confident,
        added,
        confident_classes,
        predictions: first_predictions,
    })
}

/// `predictions_<key>`: every unlabelled SRA sample with its study, predicted class and top
/// probability (first seed's model), and whether it reaches the feedback cutoff.
fn predictions_table(
    setup: &Setup,
    parts: &[DatasetView<'_>],
    predicted: &[(String, f32)],
) -> Result<Table> {
    let mut t = Table::new(
        format!("{}: predictions for unlabelled SRA samples", setup.name),
        ["sample", "study", "predicted", "probability", "confident"],
    );
    let samples = parts.iter().flat_map(|part| part.samples());
    for (s, (class, p)) in samples.zip(predicted) {
        t.push_row(vec![
            Cell::text(&s.sample_id),
            Cell::text(s.study.clone().unwrap_or_default()),
            Cell::text(class),
            Cell::float(f64::from(*p), 4),
            Cell::text(if *p >= FEEDBACK_CUTOFF { "yes" } else { "no" }),
        ])?;
    }
    Ok(t)
}

fn mean_usize(v: &[usize]) -> f64 {
    v.iter().sum::<usize>() as f64 / v.len().max(1) as f64
}

/// Runs the experiment: per set-up its arms, TPR table and plot and predictions.
fn run(
    cohort: &Cohort,
    settings: &Settings,
    memo: &Memo,
    seeds: &[u64],
    design: &AnnotateDesign,
) -> Result<Produced> {
    let mut results = Vec::new();
    let mut tables = Vec::new();
    let mut csv_tables = Vec::new();
    let mut figures = Vec::new();
    let mut summary = Table::new(
        format!(
            "Unlabelled SRA samples: predictions at top probability >= {FEEDBACK_CUTOFF} and the feedback loop (mean over seeds)"
        ),
        [
            "set-up",
            "unlabelled",
            "confident",
            "fed back (outside test studies)",
            "mca",
            "mca after feedback",
            "change",
        ],
    );
    let mut extra = serde_json::Map::new();
    let setups = setups(design);
    let mut outcomes = Vec::with_capacity(setups.len());
    for group in setups.chunk_by(trains_like) {
        outcomes.extend(
            group
                .iter()
                .zip(run_group(group, cohort, settings, memo, seeds)?),
        );
    }
    for (setup, out) in outcomes {
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        summary.push_row(vec![
            Cell::text(setup.name),
            Cell::count(out.unlabelled as u64),
            Cell::float(mean_usize(&out.confident), 1),
            Cell::float(mean_usize(&out.added), 1),
            Cell::float(mean(&out.plain.mca), 3),
            Cell::float(mean(&out.feedback.mca), 3),
            Cell::float(mean(&out.feedback.mca) - mean(&out.plain.mca), 3),
        ])?;
        let mut columns = vec!["class".to_owned(), "test n".to_owned()];
        columns.extend(CUTOFFS.iter().map(|c| format!("TPR at {c}")));
        let mut tpr = Table::new(
            format!(
                "{}: TPR per class over probability cutoffs (mean over seeds)",
                setup.name
            ),
            columns,
        );
        let mut series = Vec::new();
        for (class, values) in &out.tpr {
            let mut row = vec![
                Cell::text(class),
                Cell::count(out.support.get(class).copied().unwrap_or(0) as u64),
            ];
            row.extend(values.iter().map(|v| Cell::float(*v, 3)));
            tpr.push_row(row)?;
            series.push(LineSeries {
                label: class.clone(),
                points: CUTOFFS
                    .iter()
                    .zip(values)
                    .map(|(&x, &mean)| LinePoint {
                        x: f64::from(x),
                        mean,
                        std: 0.0,
                    })
                    .collect(),
            });
        }
        if !series.is_empty() {
            figures.push(Figure::Lines {
                stem: format!("tpr_{}", setup.key),
                series,
                axes: Axes::new(
                    format!("{} (simulated data)", setup.name),
                    "probability cutoff",
                    "TPR",
                ),
            });
        }
        // A set-up scored on TCGA predicts the unlabelled SRA samples with the very model of
        // the set-up of its task scored on SRA: its predictions are not written twice.
        if let (Some(predictions), TestSet::SraTestStudies) = (out.predictions, setup.test) {
            csv_tables.push((format!("predictions_{}", setup.key), predictions));
        }
        tables.push((format!("tpr_{}", setup.key), tpr));
        extra.insert(
            setup.key.to_owned(),
            serde_json::json!({
                "unlabelled": out.unlabelled,
                "confident_per_seed": out.confident,
                "fed_back_per_seed": out.added,
                "confident_classes_first_seed": out.confident_classes,
            }),
        );
        results.push(out.plain);
        results.push(out.feedback);
    }
    tables.push(("feedback".into(), summary));
    Ok(Produced {
        results,
        tables,
        csv_tables,
        figures,
        extra: serde_json::Value::Object(extra),
        ..Produced::default()
    })
}
