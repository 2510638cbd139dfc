//! Training and testing one "arm" of an experiment (a model, a training set, a test set) over
//! several seeds, and the labels both sides need.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use anyhow::{anyhow, bail, Context, Result};
use rnameta_core::{Dataset, DatasetView, Labels, SampleMeta, Task};
use rnameta_models::{DaParams, GeneChoice, ModelKind, ModelSpec};
use serde::Serialize;

use super::fit::{FitData, FitRequest, Scores};
use super::memo::Memo;
use super::settings::Settings;

/// Which samples a model learns from, in the paper's notation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum TrainSet {
    /// GTEx.
    G,
    /// The SRA training studies.
    S,
    /// GTEx and the SRA training studies.
    GS,
    /// The SRA training and test studies: the paper's "S large", for models tested on GTEx or
    /// TCGA, where no SRA study is tested.
    SLarge,
}

/// Which samples a model is tested on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum TestSet {
    /// GTEx.
    G,
    /// The SRA test studies.
    S,
    /// TCGA.
    T,
}

/// One model trained on one set and tested on another, e.g. "DA G+S-S".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Arm {
    /// `lin`, `mlp`, `da`, `rf` or `logistic`.
    pub model: ModelKind,
    /// Training samples.
    pub train: TrainSet,
    /// Test samples.
    pub test: TestSet,
    /// Whose settings the model trains with.
    pub recipe: Recipe,
}

/// Whose settings an arm's model trains with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Recipe {
    /// The experiment's settings (tuned or the paper's defaults) and our implementation.
    Ours,
    /// The published code's DA (`DaParams::published`: fresh bias mapper, its head and learning
    /// rates, farthest-negative fallback), named "DA-ref": each of our changes to DA measured
    /// against it, not asserted. Only for DA arms.
    PublishedDa,
}

impl Arm {
    /// An arm of `model` with the experiment's settings.
    pub const fn new(model: ModelKind, train: TrainSet, test: TestSet) -> Self {
        Self {
            model,
            train,
            test,
            recipe: Recipe::Ours,
        }
    }

    /// The published code's DA trained on `train`, tested on `test` ("DA-ref").
    pub const fn published_da(train: TrainSet, test: TestSet) -> Self {
        Self {
            model: ModelKind::DomainAdaptation,
            train,
            test,
            recipe: Recipe::PublishedDa,
        }
    }

    /// The settings the arm's model trains with for `task` and `seed`.
    pub fn spec(&self, settings: &Settings, task: Task, seed: u64) -> Result<ModelSpec> {
        match (self.recipe, self.model) {
            (Recipe::Ours, model) => settings.spec(model, task, seed),
            (Recipe::PublishedDa, ModelKind::DomainAdaptation) => {
                Ok(ModelSpec::Da(DaParams::published(seed)))
            }
            (Recipe::PublishedDa, model) => {
                bail!(
                    "{}: the published recipe is DA's, not {model}'s",
                    self.name()
                )
            }
        }
    }

    /// The paper's name of the arm ("MLP G+S-S"; the published DA is "DA-ref G+S-S").
    pub fn name(&self) -> String {
        let train = match self.train {
            TrainSet::G => "G",
            TrainSet::S => "S",
            TrainSet::GS => "G+S",
            TrainSet::SLarge => "S large",
        };
        let test = match self.test {
            TestSet::G => "G",
            TestSet::S => "S",
            TestSet::T => "T",
        };
        let model = match self.recipe {
            Recipe::Ours => self.model.as_str().to_uppercase(),
            Recipe::PublishedDa => "DA-ref".to_owned(),
        };
        format!("{model} {train}-{test}")
    }
}

/// The data sets one experiment uses.
pub struct Sets<'a> {
    /// GTEx.
    pub gtex: &'a Dataset,
    /// SRA training studies, as runs of the cohort's SRA samples (stacked in order).
    pub sra_train: &'a [DatasetView<'a>],
    /// SRA test studies, as runs of the cohort's SRA samples (stacked in order).
    pub sra_test: &'a [DatasetView<'a>],
    /// TCGA.
    pub tcga: &'a Dataset,
    /// The hyperparameters to train with.
    pub settings: &'a Settings,
    /// Where finished fits are recorded and found again (`--resume`).
    pub memo: &'a Memo,
}

impl<'a> Sets<'a> {
    /// GTEx and the SRA training studies: the paper's G+S training set, as parts stacked in
    /// order (never concatenated: see [`PreparedTraining::stacked`](rnameta_models::PreparedTraining::stacked)).
    pub fn gtex_and_sra_train(&self) -> Vec<DatasetView<'a>> {
        gtex_then_sra(Some(self.gtex), self.sra_train)
    }

    /// The samples of the SRA training studies, in order.
    pub fn sra_train_samples(&self) -> impl Iterator<Item = &'a SampleMeta> + '_ {
        self.sra_train.iter().flat_map(|run| run.samples())
    }
}

/// A training set of GTEx (when given) then the SRA's runs `sra`, stacked in order and never
/// concatenated: the paper's G+S, or S alone.
pub fn gtex_then_sra<'a>(
    gtex: Option<&'a Dataset>,
    sra: &[DatasetView<'a>],
) -> Vec<DatasetView<'a>> {
    gtex.into_iter()
        .map(DatasetView::from)
        .chain(sra.iter().copied())
        .collect()
}

/// The samples of `parts` stacked in order, as one list.
pub fn stacked_samples(parts: &[DatasetView<'_>]) -> Vec<SampleMeta> {
    parts
        .iter()
        .flat_map(|part| part.samples())
        .cloned()
        .collect()
}

/// What one arm measured over the seeds.
#[derive(Debug, Clone, Serialize)]
pub struct ArmResult {
    /// The arm's name.
    pub name: String,
    /// The arm, for experiments made of the paper's train / test arms.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arm: Option<Arm>,
    /// Mean sample accuracy per seed.
    pub msa: Vec<f64>,
    /// Mean class accuracy per seed.
    pub mca: Vec<f64>,
    /// Fit + predict wall time per seed, seconds.
    pub seconds: Vec<f64>,
    /// Labelled training samples.
    pub n_train: usize,
    /// Classes the model learnt.
    pub n_classes: usize,
    /// Labelled test samples of a class the model knows (the ones scored).
    pub n_test: usize,
    /// Labelled test samples of a class the model never saw (not scored), by class.
    pub unscored_test_classes: Vec<(String, usize)>,
    /// Genes the model read.
    pub n_genes: usize,
    /// Why the arm was not run (its training set lacks two classes of the task), when it was
    /// not: it then has no scores, and reports show the reason instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
}

/// Labels of `task` on `samples`, matched loosely against `universe` and restricted to the
/// classes that occur: a model learns the classes its training set has.
pub fn training_labels<'s>(
    task: Task,
    samples: impl IntoIterator<Item = &'s SampleMeta>,
    universe: &[String],
) -> Labels {
    let names: Vec<Option<String>> = samples.into_iter().map(|s| task.label_of(s)).collect();
    let (loose, _) = Labels::within_classes(universe.to_vec(), &names);
    let counts = loose.class_counts();
    let present: Vec<String> = universe
        .iter()
        .zip(&counts)
        .filter(|(_, &n)| n > 0)
        .map(|(c, _)| c.clone())
        .collect();
    let mapped: Vec<Option<String>> = loose
        .assigned()
        .iter()
        .map(|c| c.map(|i| universe[i].clone()))
        .collect();
    Labels::with_classes(present, &mapped).expect("names come from the class list")
}

impl ArmResult {
    /// An empty result named `name` for a model learning `n_classes` classes from `n_train`
    /// labelled samples; scores are pushed per seed.
    pub fn new(name: String, arm: Option<Arm>, n_train: usize, n_classes: usize) -> Self {
        Self {
            name,
            arm,
            msa: Vec::new(),
            mca: Vec::new(),
            seconds: Vec::new(),
            n_train,
            n_classes,
            n_test: 0,
            unscored_test_classes: Vec::new(),
            n_genes: 0,
            skipped: None,
        }
    }

    /// Adds the scores of one seed.
    pub fn push(&mut self, scores: &Scores) {
        self.msa.push(scores.msa);
        self.mca.push(scores.mca);
        self.seconds.push(scores.seconds);
        self.n_test = scores.n_test;
        self.n_genes = scores.n_genes;
        self.unscored_test_classes = scores.unscored.clone();
    }
}

/// Trains and tests `arm` once per seed ([`run_arms`] with one arm).
pub fn run_arm(
    arm: Arm,
    task: Task,
    universe: &[String],
    sets: &Sets<'_>,
    seeds: &[u64],
) -> Result<ArmResult> {
    run_arms(&[arm], task, universe, sets, seeds, |_| {})?
        .pop()
        .context("run_arms returns one result per arm")
}

/// Where [`run_arms`] is, for a progress line: an arm started, or an arm finished.
pub enum Progress<'r> {
    /// The arm's fits start.
    Starting(&'r Arm),
    /// The arm's fits are done (or it was skipped).
    Finished(&'r ArmResult),
}

/// Trains and tests each of `arms` once per seed and returns their results in `arms`' order; an
/// arm whose training set has fewer than two classes of `task` is not run, and its result says
/// why ([`ArmResult::skipped`]): one arm the data cannot pose never stops the others.
///
/// The arms of one training set and test set run one after another on one [`FitData`]: the
/// training set is prepared (TPM, logs and the Gini coefficient of every gene), the test set made
/// model input and both digested once for all of them, not once per arm (a figure's 9 to 12 arms
/// use three pairs; on the paper preset `tissue-tcga`'s G+S training set took 20 s to prepare,
/// and was prepared for each of its five arms). The data of one pair at a time are held.
/// `progress` hears of each arm as it starts and finishes.
pub fn run_arms(
    arms: &[Arm],
    task: Task,
    universe: &[String],
    sets: &Sets<'_>,
    seeds: &[u64],
    mut progress: impl FnMut(Progress<'_>),
) -> Result<Vec<ArmResult>> {
    let mut results: Vec<Option<ArmResult>> = vec![None; arms.len()];
    for first in 0..arms.len() {
        if results[first].is_some() {
            continue;
        }
        let pair = (arms[first].train, arms[first].test);
        let (train, test) = arm_parts(sets, pair.0, pair.1)
            .with_context(|| format!("arm {}", arms[first].name()))?;
        let labels = training_labels(task, train.iter().flat_map(|part| part.samples()), universe);
        let data = FitData::stacked(
            task,
            GeneChoice::Paper,
            sets.settings.pipeline(),
            train,
            &labels,
            test,
        );
        for (i, &arm) in arms.iter().enumerate().skip(first) {
            if (arm.train, arm.test) != pair {
                continue;
            }
            progress(Progress::Starting(&arm));
            let result = run_on(arm, task, &data, sets, seeds)
                .with_context(|| format!("arm {}", arm.name()))?;
            progress(Progress::Finished(&result));
            results[i] = Some(result);
        }
    }
    Ok(results.into_iter().flatten().collect())
}

/// The training and test samples of the pair `train`-`test`. G+S and S large are the datasets
/// stacked, never concatenated: a copy of GTEx and the SRA would be the largest matrix of an arm
/// (3.6 GB on the paper preset).
fn arm_parts<'a>(
    sets: &Sets<'a>,
    train: TrainSet,
    test: TestSet,
) -> Result<(Vec<DatasetView<'a>>, Vec<DatasetView<'a>>)> {
    let train: Vec<DatasetView<'a>> = match train {
        TrainSet::G => vec![sets.gtex.into()],
        TrainSet::S => sets.sra_train.to_vec(),
        TrainSet::GS => sets.gtex_and_sra_train(),
        TrainSet::SLarge => {
            if test == TestSet::S {
                bail!("S large holds the SRA test studies; test it on GTEx or TCGA");
            }
            let mut parts = sets.sra_train.to_vec();
            parts.extend_from_slice(sets.sra_test);
            parts
        }
    }
    .into_iter()
    .filter(|part| part.n_samples() > 0)
    .collect();
    let test: Vec<DatasetView<'a>> = match test {
        TestSet::G => vec![sets.gtex.into()],
        TestSet::S => sets.sra_test.to_vec(),
        TestSet::T => vec![sets.tcga.into()],
    };
    Ok((train, test))
}

/// Trains and tests `arm` on `data` once per seed (once for a model that draws nothing at random).
fn run_on<'a>(
    arm: Arm,
    task: Task,
    data: &'a FitData<'a>,
    sets: &Sets<'_>,
    seeds: &[u64],
) -> Result<ArmResult> {
    let labels = data.labels;
    let mut result = ArmResult::new(
        arm.name(),
        Some(arm),
        labels.n_labelled(),
        labels.classes().len(),
    );
    if labels.classes().len() < 2 {
        result.skipped = Some(format!(
            "the training set has {} labelled sample(s) of {} class(es) of {task}; a model needs two",
            labels.n_labelled(),
            labels.classes().len()
        ));
        return Ok(result);
    }
    let fit = |seed: u64| -> Result<Scores> {
        let request = FitRequest {
            spec: arm.spec(sets.settings, task, seed)?,
            data,
        };
        let what = format!("{} seed {seed}", arm.name());
        sets.memo
            .scores(&what, &request)
            .with_context(|| format!("training {what}"))
    };
    let scores = if !arm.model.draws_at_random() {
        // One fit serves every seed.
        match seeds.first() {
            Some(&first) => vec![fit(first)?; seeds.len()],
            None => Vec::new(),
        }
    } else {
        per_seed(seeds, fit)?
    };
    for s in &scores {
        result.push(s);
    }
    Ok(result)
}

/// How many fits [`per_seed`] runs side by side (see there why two).
pub const FITS_AT_ONCE: usize = 2;

/// Runs `fit` once per seed, two seeds at a time on their own threads, and returns
/// the results in seed order (the first error in seed order, and no further seed started after
/// an error).
///
/// An MLP or DA fit spends much of its time in single-threaded work (batches of 64, the
/// optimiser's step, shuffling) between the multi-threaded matrix products, so one fit keeps
/// about one core busy; two side by side keep two. Every fit draws only from its own seed and
/// device, so its result does not depend on what runs beside it (tested).
pub fn per_seed<T: Send>(seeds: &[u64], fit: impl Fn(u64) -> Result<T> + Sync) -> Result<Vec<T>> {
    per_seed_at_once(seeds, FITS_AT_ONCE, fit)
}

/// [`per_seed`] with `at_once` seeds side by side (at least one): fewer for work whose every
/// step already keeps both cores busy and whose seeds each hold gigabytes. Each seed's thread
/// works on a rayon pool of its own ([`Pools::OwnEach`]).
pub fn per_seed_at_once<T: Send>(
    seeds: &[u64],
    at_once: usize,
    fit: impl Fn(u64) -> Result<T> + Sync,
) -> Result<Vec<T>> {
    side_by_side(seeds, at_once, Pools::OwnEach, |&seed| fit(seed))
}

/// Where the work that [`side_by_side`] runs does its parallel parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pools {
    /// rayon's global pool, shared by every thread: for work that should take whatever cores
    /// the others leave (a forest beside an MLP, whose loop keeps one core busy).
    Shared,
    /// A pool of its own for each thread, as many threads as the global one. Model fits side by
    /// side need this: a training loop runs on a pool thread (`neural::kit::on_pool`), and on a
    /// shared pool a loop waiting in a join can pick up another fit's whole loop and must wait
    /// for it to end, so the two fits run one after the other on one core. `experiment
    /// tissue-sra --seeds 2` (sim:paper): 119 s on the shared pool, its two DA seeds 7.8 and
    /// 15.1 s; 111 s on pools of their own, 11.4 and 11.3 s; the same scores (docs/results.md).
    OwnEach,
}

/// A rayon pool with as many threads as the global one, for work beside other work that must not
/// share a pool with it ([`Pools::OwnEach`]; `augment`'s GAN fitted ahead).
pub fn own_pool() -> Result<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(rayon::current_num_threads())
        .build()
        .context("a thread pool of its own")
}

/// Runs `run` on each of `items`, `at_once` of them side by side (at least one), each on its own
/// thread (working on `pools`), taking the next item as one finishes, and returns the results in
/// `items`' order (the first error in that order; no further item is started after an error).
pub fn side_by_side<I: Sync, T: Send>(
    items: &[I],
    at_once: usize,
    pools: Pools,
    run: impl Fn(&I) -> Result<T> + Sync,
) -> Result<Vec<T>> {
    // Every thread's pool is made before any item starts, so a pool that cannot be made fails
    // the call whole instead of one item.
    let threads = at_once.clamp(1, items.len().max(1));
    let thread_pools: Vec<Option<rayon::ThreadPool>> = (0..threads)
        .map(|_| match pools {
            Pools::Shared => Ok(None),
            Pools::OwnEach => own_pool().map(Some),
        })
        .collect::<Result<_>>()
        .context("side-by-side work")?;
    let next = AtomicUsize::new(0);
    let results: Vec<Mutex<Option<Result<T>>>> = items.iter().map(|_| Mutex::new(None)).collect();
    std::thread::scope(|scope| {
        for pool in &thread_pools {
            let (next, results, run) = (&next, &results, &run);
            scope.spawn(move || {
                let work = || loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(item) = items.get(i) else {
                        break;
                    };
                    let result = run(item);
                    let failed = result.is_err();
                    *results[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(result);
                    if failed {
                        // Start no further item.
                        next.store(items.len(), Ordering::SeqCst);
                    }
                };
                match pool {
                    Some(pool) => pool.install(work),
                    None => work(),
                }
            });
        }
    });
    results
        .into_iter()
        .enumerate()
        .map(|(i, slot)| {
            slot.into_inner()
                .unwrap_or_else(|e| e.into_inner())
                .unwrap_or_else(|| Err(anyhow!("item {i} was not run: an earlier one failed")))
        })
        .collect()
}
