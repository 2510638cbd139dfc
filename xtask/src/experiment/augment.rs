//! `augment`: does topping a scarce class up with synthetic samples help a classifier learn it?
//! The ARCHS4 pipeline uses a GAN for scarce labels (brain biosamples); here the GAN
//! (`rnameta-augment`'s conditional WGAN-GP) is measured against two simple baselines (Gaussian
//! noise around class samples, SMOTE-like interpolation) and against no augmentation.
//!
//! Data: tissue, trained on GTEx + the SRA training studies and tested on the SRA test studies and
//! TCGA (biased data never trained on, the setting the paper is about; on held-out GTEx donors the simulated tissues are so
//! distinct that a forest recognises brain from 10 samples and nothing is left to gain). In the
//! training set the scarce class (brain) is cut to 10, 20 or 50 samples (drawn anew per seed),
//! every other class intact; each method tops it up to the median class size, in the
//! classifier's own input space (log2(TPM + 1), the paper's genes); the random forest and the MLP
//! train on the result ([`rnameta_models::PreparedTraining::fit_extended`]) and are scored on the
//! SRA test studies and TCGA: the scarce class's recall, msa and mca. A seed's cut is the same for
//! every method, so the methods share one preparation of it and one model input of the test set.
//! The generated samples
//! are also measured against the real brain samples the cut left out (MMD, moment correlations, a
//! classifier two-sample test, nearest-neighbour distance to the training samples), with the
//! other classes' training samples as MMD references.

use std::cell::OnceCell;
use std::collections::BTreeMap;
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use ndarray::{Array2, Axis};
use rand::seq::IndexedRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rnameta_augment::{
    fit_augmenter, generation_seed, top_up, Augmenter, GanParams, InterpolationParams, Method,
    NoiseParams, QualityReference, QualityReport,
};
use rnameta_core::{Dataset, DatasetView, Labels, Task};
use rnameta_eval::metrics::per_class_accuracy;
use rnameta_eval::{Cell, SeedSummary, Table};
use rnameta_models::{GeneChoice, ModelKind, ModelSpec, TrainedModel};
use rnameta_preprocess::Pipeline;
use serde::{Deserialize, Serialize};

use super::fingerprint::{data_digest, stacked_digest};
use super::fit::{made_once, FitData, Scores};
use super::memo::Key;
use super::peak;
use super::runner::{
    own_pool, per_seed_at_once, side_by_side, training_labels, ArmResult, Pools, Sets,
};
use super::{design_json, Experiment, Produced, RunContext, Scale};

/// The scarce class (GTEx's spelling; matched loosely).
const SCARCE_CLASS: &str = "Brain";

/// GAN epochs in a full run, at most.
const GAN_EPOCHS: usize = 100;

/// Training samples a full run's GAN sees in all (epochs x labelled training samples), at most:
/// 100 epochs of the small preset's training set (2,054-2,094 samples). WGAN-GP is specified by
/// its number of updates, not epochs; a fixed budget gives the GAN about the same number of
/// updates on any preset (with batches of 64 and 5 critic steps per generator step, about 660
/// generator and 3,300 critic updates). On the calibrated paper preset (18,833-18,873 labelled
/// training samples, 5,425 genes) that is 12 epochs, measured at 238-515 s a fit two at a time on
/// 2 cores; 100 epochs would take about 40 minutes a fit, and the experiment fits 30 of them.
const GAN_SAMPLES_SEEN: usize = 210_000;

/// The GAN's epochs for a training set of `n_train` labelled samples (see [`GAN_SAMPLES_SEEN`]).
fn gan_epochs(n_train: usize) -> usize {
    GAN_SAMPLES_SEEN
        .div_ceil(n_train.max(1))
        .clamp(1, GAN_EPOCHS)
}

/// `method` sized for a training set of `n_train` labelled samples: with `by_budget` (a full
/// run), a GAN gets [`gan_epochs`]; everything else is as given.
fn sized(method: &Method, n_train: usize, by_budget: bool) -> Method {
    match method {
        Method::Gan(params) if by_budget => Method::Gan(GanParams {
            epochs: gan_epochs(n_train),
            ..params.clone()
        }),
        other => other.clone(),
    }
}

/// `augment`: synthetic samples for a scarce class, GAN against simple baselines.
pub struct Augment;

/// The design of `augment`.
#[derive(Debug, Serialize)]
pub struct AugmentDesign {
    /// The scarce class (GTEx's spelling, matched loosely).
    pub scarce_class: &'static str,
    /// Training samples the scarce class is cut to, one arm set per size.
    pub cuts: Vec<usize>,
    /// The GAN's epochs, at most (300 epochs, the crate's default, take about 5 minutes per fit
    /// on 1,300 x 1,000 on 2 cores, and the experiment fits one GAN per cut size and seed).
    pub gan_epochs: usize,
    /// Whether the GAN's epochs shrink on larger training sets to a fixed budget of samples seen
    /// (210,000 training samples in all).
    pub gan_epochs_by_budget: bool,
    /// The classifiers trained on every augmented set.
    pub models: [ModelKind; 2],
}

impl AugmentDesign {
    /// The design at `scale`.
    pub fn at(scale: Scale) -> Self {
        Self {
            scarce_class: SCARCE_CLASS,
            cuts: scale.pick(vec![10], vec![10, 20, 50]),
            gan_epochs: scale.pick(20, GAN_EPOCHS),
            gan_epochs_by_budget: scale == Scale::Full,
            models: MODELS,
        }
    }
}

impl Experiment for Augment {
    fn id(&self) -> &'static str {
        "augment"
    }

    fn description(&self) -> &'static str {
        "ARCHS4: GAN vs noise / interpolation for a scarce class (brain cut to 10-50 training samples)"
    }

    fn design(&self, scale: Scale) -> serde_json::Value {
        design_json(&AugmentDesign::at(scale))
    }

    fn run(&self, ctx: &RunContext<'_>) -> Result<Produced> {
        run(
            &ctx.sets,
            ctx.universe,
            ctx.seeds,
            &AugmentDesign::at(ctx.scale),
        )
    }
}

/// The augmentation methods compared, `None` being no augmentation.
fn methods(design: &AugmentDesign) -> Vec<Option<Method>> {
    let gan = GanParams {
        // Balanced batches (the default): the scarce class is seen as often as any other.
        class_balanced: true,
        epochs: design.gan_epochs,
        quiet: true,
        ..GanParams::default()
    };
    vec![
        None,
        Some(Method::Noise(NoiseParams::default())),
        Some(Method::Interpolation(InterpolationParams::default())),
        Some(Method::Gan(gan)),
    ]
}

fn method_name(method: &Option<Method>) -> &'static str {
    method.as_ref().map_or("none", Method::name)
}

/// A training set with the scarce class cut to `n` samples (drawn with `seed`), as the runs of
/// `train`'s samples it keeps (no copy of the kept samples: 1.6 GB on the paper preset, for each
/// of the seeds run side by side), and the samples of the class the cut left out (a copy of a few
/// hundred samples; real, never trained on: the quality measures' reference).
fn cut<'a>(
    train: &[DatasetView<'a>],
    labels: &Labels,
    class: usize,
    n: usize,
    seed: u64,
) -> Result<(Vec<DatasetView<'a>>, Dataset)> {
    let samples: usize = train.iter().map(|part| part.n_samples()).sum();
    let members: Vec<usize> = (0..samples)
        .filter(|&i| labels.assigned()[i] == Some(class))
        .collect();
    if members.len() < n + 2 {
        bail!(
            "the scarce class has {} training samples: too few to keep {n} and hold 2 out",
            members.len()
        );
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let kept: std::collections::BTreeSet<usize> = members.sample(&mut rng, n).copied().collect();
    let rows: Vec<usize> = (0..samples)
        .filter(|i| labels.assigned()[*i] != Some(class) || kept.contains(i))
        .collect();
    let left_out: Vec<usize> = members
        .iter()
        .copied()
        .filter(|i| !kept.contains(i))
        .collect();
    Ok((
        DatasetView::runs(train, &rows)?,
        DatasetView::concat(&DatasetView::runs(train, &left_out)?)?,
    ))
}

/// What one augmentation produced, shared by the models trained on it (the training matrix a
/// model sees depends only on the cut training set, not on the model).
struct Generated {
    x: Array2<f32>,
    labels: Labels,
    n_generated: usize,
    seconds: f64,
}

/// Seeds run side by side: one. Every step of a seed already keeps both cores busy (the
/// preparation, the forest, the GAN's genes-wide products and the MLP's first layer run on
/// threads), and each seed holds about 1.5 GB on the paper preset (its prepared training matrix,
/// the augmented copy, the test set's model input, the forest's codes). Measured on the paper
/// preset, 2 seeds (`experiment augment --data sim:paper --seeds 2 --settings <tune>/chosen.json`,
/// idle 2-core machine, `/usr/bin/time -v`): two at a time 20 min 29 s, peak 9.26 GB; one at a
/// time 21 min 56 s (cut 10: 408 s against 399 s), peak 7.16 GB, the same outcomes. A GAN fit
/// alone takes 77-89 s, two side by side 139-169 s each.
const SEEDS_AT_ONCE: usize = 1;

/// The classifiers trained on every augmented set, in this order (the generated samples' quality
/// is measured in the first one's input space).
const MODELS: [ModelKind; 2] = [ModelKind::RandomForest, ModelKind::Mlp];

/// What one model trained on one seed's augmented set scored.
#[derive(Serialize, Deserialize)]
struct ModelOutcome {
    scores: Scores,
    /// The scarce class's recall on the test samples.
    recall: f64,
}

/// What one seed of one (cut size, method) produced: the scarce class cut and topped up once,
/// every model of [`MODELS`] trained on the result. Recorded whole with `--resume`.
#[derive(Serialize, Deserialize)]
struct SeedOutcome {
    /// In [`MODELS`] order.
    models: Vec<ModelOutcome>,
    /// Labelled training samples after the cut, before augmentation.
    n_train: usize,
    n_classes: usize,
    /// Time spent generating samples (0 without augmentation).
    augment_seconds: f64,
    /// The GAN's epochs, for a GAN.
    gan_epochs: Option<usize>,
    /// The generated samples' quality (with a method).
    quality: Option<QualityReport>,
}

/// The data and settings every seed of the experiment shares.
struct Setup<'a> {
    sets: &'a Sets<'a>,
    universe: &'a [String],
    /// GTEx and the SRA's training studies, stacked (never concatenated: each seed's cut is
    /// the runs of their samples it keeps).
    train: Vec<DatasetView<'a>>,
    train_labels: Labels,
    /// The SRA's test studies (runs of the cohort's SRA samples) and TCGA, stacked (never copied
    /// whole).
    test: Vec<DatasetView<'a>>,
    scarce: usize,
    scarce_name: String,
    /// A full run's GAN epochs shrink to a fixed budget ([`gan_epochs`]).
    gan_epochs_by_budget: bool,
    /// The test set's digest for the records' keys, made once.
    test_digest: OnceLock<String>,
    /// Held while `test_digest` is made, so that seeds side by side make it once.
    making: Mutex<()>,
}

impl Setup<'_> {
    /// Cuts the scarce class to `n` samples with `seed` and, for each of `methods` in order, tops
    /// it up and trains and scores every model of [`MODELS`] on the result; each outcome from the
    /// record of an earlier run with `--resume`. The cut depends on `n` and `seed` alone, so the
    /// methods share it: it is prepared once (the pipeline, the Gini ranking of every gene, the
    /// classifier's matrix) and the test set made into model input once, both on first need (a
    /// resumed run whose outcomes are all recorded needs neither).
    ///
    /// A method that [fits ahead](fits_ahead) (the GAN) is fitted on a thread of its own from the
    /// start, beside the other methods' turns, unless its outcome is recorded; at its turn it
    /// only generates its samples. See [`fits_ahead`] for why and what it costs.
    fn cut_outcomes(
        &self,
        n: usize,
        methods: &[Option<Method>],
        seed: u64,
    ) -> Result<Vec<SeedOutcome>> {
        let task = Task::Tissue;
        let (cut_train, left_out) = cut(&self.train, &self.train_labels, self.scarce, n, seed)?;
        let labels = training_labels(
            task,
            cut_train.iter().flat_map(|run| run.samples()),
            self.universe,
        );
        let class = labels
            .class_index(&self.scarce_name)
            .context("the scarce class after the cut")?;
        let target = median_class_size(&labels);
        let specs = MODELS
            .iter()
            .map(|&model| self.sets.settings.spec(model, task, seed))
            .collect::<Result<Vec<_>>>()?;
        let methods: Vec<Option<Method>> = methods
            .iter()
            .map(|method| {
                method
                    .as_ref()
                    .map(|m| sized(m, labels.n_labelled(), self.gan_epochs_by_budget))
            })
            .collect();
        let data = FitData::stacked(
            task,
            GeneChoice::Paper,
            Pipeline::tpm_log2(),
            cut_train,
            &labels,
            self.test.clone(),
        );
        // Digests of the cut and the left-out samples for the records' keys, made once.
        let digests: OnceCell<(String, String)> = OnceCell::new();
        let key_of = |method: &Option<Method>| -> Result<String> {
            let (cut_digest, left_out_digest) = match digests.get() {
                Some(made) => made,
                None => {
                    let made = (stacked_digest(&data.train)?, data_digest(&left_out)?);
                    digests.get_or_init(|| made)
                }
            };
            let test_digest = made_once(&self.test_digest, &self.making, || {
                stacked_digest(&self.test)
            })?;
            Ok(Key::new()
                .text("augment")
                .json(&specs)?
                .json(method)?
                .json(&(n, target, seed))?
                .labels(&labels)
                .digest(cut_digest)
                .digest(left_out_digest)
                .digest(test_digest)
                .finish())
        };
        let seed_cut = SeedCut {
            data: &data,
            labels: &labels,
            left_out: &left_out,
            specs: &specs,
            class,
            target,
            seed,
        };
        std::thread::scope(|scope| {
            let mut ahead = None;
            if let Some(i) = methods.iter().position(fits_ahead) {
                if !self
                    .sets
                    .memo
                    .is_recorded::<SeedOutcome>(|| key_of(&methods[i]))?
                {
                    let method = methods[i].as_ref().context("a method fits ahead")?;
                    let seed_cut = &seed_cut;
                    ahead = Some((i, scope.spawn(move || seed_cut.fit_apart(method))));
                }
            }
            // The real samples the seed's generated sets are measured against, made for the first.
            let mut reference = None;
            let mut outcomes = Vec::with_capacity(methods.len());
            for (i, method) in methods.iter().enumerate() {
                let what = format!(
                    "augment {}, {} {n}, {} seed {seed}",
                    MODELS.map(ModelKind::as_str).join(" + "),
                    self.scarce_name,
                    method_name(method)
                );
                let fitting = ahead.take_if(|(j, _)| *j == i).map(|(_, fitting)| fitting);
                let outcome = self.sets.memo.recorded(
                    &what,
                    || key_of(method),
                    || {
                        let fitted = fitting
                            .map(|fitting| {
                                fitting
                                    .join()
                                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                            })
                            .transpose()
                            .with_context(|| format!("{what}: fitting the augmenter ahead"))?;
                        seed_cut.outcome(&what, method.as_ref(), fitted, &mut reference)
                    },
                )?;
                let recalls: Vec<String> = MODELS
                    .iter()
                    .zip(&outcome.models)
                    .map(|(model, m)| {
                        format!("{} recall {:.3}", model.as_str().to_uppercase(), m.recall)
                    })
                    .collect();
                eprintln!(
                    "[augment] {what}: {} (augment {:.1} s)",
                    recalls.join(", "),
                    outcome.augment_seconds
                );
                outcomes.push(outcome);
                // The method's augmented matrix and models are freed: hand their pages back now,
                // not at the step's end. glibc keeps freed blocks in the arena of the thread that
                // freed them, and every seed's work runs on new threads (the GAN's pool, the
                // models' side-by-side threads), so without this the freed memory of earlier
                // seeds stays resident beside the next seed's matrices. `experiment augment
                // --data sim:paper --seeds 10 --settings results/paper/tune/chosen.json`, idle
                // 2-core machine, resident set sampled every second: cut 10's seeds peaked at
                // 7.14-7.46 GB and cut 20's first six at 7.37-7.46 GB before, 7.04-7.22 and
                // 7.21-7.33 GB with it (7.34 GB over all 30), the same CSVs, 4,041 s after the
                // cohort (4,139 s in the last full run).
                peak::release_freed();
            }
            Ok(outcomes)
        })
    }
}

/// One seed's cut training set, prepared once and shared by every method's turn
/// ([`Setup::cut_outcomes`]).
struct SeedCut<'c, 'a> {
    /// The cut training set (prepared on first need) and the test set.
    data: &'c FitData<'a>,
    /// The cut training set's labels.
    labels: &'c Labels,
    /// The scarce class's samples the cut left out: the generated samples' reference.
    left_out: &'c Dataset,
    /// The specs of [`MODELS`], in order.
    specs: &'c [ModelSpec],
    /// The scarce class.
    class: usize,
    /// What the scarce class is topped up to.
    target: usize,
    seed: u64,
}

impl SeedCut<'_, '_> {
    /// `method` fitted with the seed on the labelled rows of the prepared training set
    /// ([`fit_augmenter`]), timed.
    fn fit(&self, method: &Method) -> Result<FittedAugmenter> {
        let prepared = self.data.prepared()?;
        let started = Instant::now();
        let (augmenter, _) =
            fit_augmenter(method, prepared.matrix().view(), self.labels, self.seed)?;
        Ok(FittedAugmenter {
            augmenter,
            seconds: started.elapsed().as_secs_f64(),
        })
    }

    /// [`SeedCut::fit`] on a rayon pool of its own with as many threads as the global one, for a
    /// fit beside other work that uses the global pool. On the global pool a thread waiting in
    /// one of the forest's or MLP's joins can take up the GAN's whole training loop (one long
    /// job), and the fit it waited in cannot finish before the GAN has: on the paper preset one
    /// seed's methods without augmentation took 107 s instead of 25 s there, most likely so.
    fn fit_apart(&self, method: &Method) -> Result<FittedAugmenter> {
        own_pool()
            .context("the augmenter fitted ahead")?
            .install(|| self.fit(method))
    }

    /// What `method` gives on this cut (`what` names it in errors): the scarce class topped up
    /// by the augmenter (`fitted` when it was fitted ahead, else fitted here), every model of
    /// [`MODELS`] trained and scored on the result, and the generated samples' quality against
    /// `reference` (made by the first method that generates).
    fn outcome(
        &self,
        what: &str,
        method: Option<&Method>,
        fitted: Option<FittedAugmenter>,
        reference: &mut Option<QualityReference<'static>>,
    ) -> Result<SeedOutcome> {
        let (data, labels, seed) = (self.data, self.labels, self.seed);
        let prepared = data
            .prepared()
            .with_context(|| format!("{what}: preparing the training set"))?;
        let generated = match method {
            None => None,
            Some(method) => {
                let fitted = match fitted {
                    Some(fitted) => fitted,
                    None => self
                        .fit(method)
                        .with_context(|| format!("{what}: fitting the augmenter"))?,
                };
                let started = Instant::now();
                let (x, labels, n_generated) = top_up(
                    fitted.augmenter.as_ref(),
                    prepared.matrix().view(),
                    labels,
                    self.class,
                    self.target,
                    generation_seed(seed),
                )
                .with_context(|| format!("{what}: augmenting"))?;
                Some(Generated {
                    x,
                    labels,
                    n_generated,
                    seconds: fitted.seconds + started.elapsed().as_secs_f64(),
                })
            }
        };
        // Every model reads the same prepared training set and generated samples. They train side
        // by side: a forest fit keeps both cores busy, an MLP fit one (its loop runs on one pool
        // thread), so one after the other the MLP left a core idle for its 4-5 s; beside it the
        // forest's trees take that core. (Without augmentation the trees take both pool threads
        // first and the MLP's loop waits for them; a pool of its own for the MLP saved 1.4 s of a
        // seed's 142 s, within noise.) Each fit draws only from its own seed, so the outcomes are
        // the same; each model's seconds include the time it shared the cores.
        let models: Vec<_> = MODELS.iter().zip(self.specs).collect();
        let fits = side_by_side(&models, models.len(), Pools::Shared, |&(model, spec)| {
            let start = Instant::now();
            let fitted = match &generated {
                None => prepared.fit(spec),
                Some(g) => prepared.fit_extended(spec, g.x.view(), &g.labels),
            }
            .with_context(|| format!("{what}: {model}"))?;
            let (scores, recall) = score(data, &fitted, self.class, start)?;
            Ok((fitted, ModelOutcome { scores, recall }))
        })?;
        // The generated samples are measured in the first model's input space.
        let quality = match (&generated, fits.first()) {
            (Some(g), Some((first, _))) => {
                let reference = match reference {
                    Some(reference) => reference,
                    None => reference.insert(quality_reference(
                        first,
                        prepared.matrix().view(),
                        labels,
                        self.left_out,
                        self.class,
                        seed,
                    )?),
                };
                Some(reference.measure(synthetic(g))?)
            }
            _ => None,
        };
        Ok(SeedOutcome {
            models: fits.into_iter().map(|(_, outcome)| outcome).collect(),
            n_train: labels.n_labelled(),
            n_classes: labels.classes().len(),
            augment_seconds: generated.as_ref().map_or(0.0, |g| g.seconds),
            gan_epochs: match method {
                Some(Method::Gan(params)) => Some(params.epochs),
                _ => None,
            },
            quality,
        })
    }
}

/// A fitted augmenter and the seconds its fit took (wall time: beside other fits for one fitted
/// ahead, [`fits_ahead`]).
struct FittedAugmenter {
    augmenter: Box<dyn Augmenter>,
    seconds: f64,
}

/// Whether `method` is fitted ahead of its turn, beside the other methods' fits (see
/// [`Setup::cut_outcomes`]): the GAN. Its fit (about 80 s on the paper preset, a fit at a time)
/// leaves a core idle for about a sixth of it (`perf`: 84 % of both cores busy): the loop's short
/// steps between its products. Beside it the other methods' forests and MLPs take that core. Its
/// outcome is the same (the fit draws only from its seed, on a pool of as many threads, and its
/// sums do not depend on which thread computes them); its seconds include the time it shared the
/// cores (120-130 s instead of 75-80 s), and the seed holds the GAN's state while the other
/// methods fit. It is generated from at its turn, after the methods before it, so that the
/// augmented matrix (the training matrix and more) is made only then and the quality reference is
/// made by the first method as before.
///
/// `experiment augment --data sim:paper --seeds 2 --settings results/paper/tune/chosen.json`, one
/// after the other on the idle 2-core machine, resident set sampled every 0.2 s: 1,000 s after the
/// cohort before, 930 s with the GAN ahead on a pool of its own (970 s on the global pool, see
/// [`SeedCut::fit_apart`]), the same CSVs; peak 7.16 GB before, 7.71 GB with it while the GAN held
/// a standardised copy of the training matrix (0.4 GB), 7.33 GB since it standardises its batches
/// as it draws them.
fn fits_ahead(method: &Option<Method>) -> bool {
    matches!(method, Some(Method::Gan(_)))
}

/// Scores of one (model, cut size, method) over seeds, with the scarce class's recall.
struct Row {
    model: ModelKind,
    n: usize,
    method: &'static str,
    arm: ArmResult,
    recall: Vec<f64>,
    augment_seconds: Vec<f64>,
}

/// Runs the experiment.
fn run(
    sets: &Sets<'_>,
    universe: &[String],
    seeds: &[u64],
    design: &AugmentDesign,
) -> Result<Produced> {
    let train = sets.gtex_and_sra_train();
    let train_labels = training_labels(
        Task::Tissue,
        train.iter().flat_map(|part| part.samples()),
        universe,
    );
    let scarce = train_labels
        .class_index(design.scarce_class)
        .or_else(|| {
            Labels::within_classes(
                train_labels.classes().to_vec(),
                &[Some(design.scarce_class)],
            )
            .0
            .assigned()[0]
        })
        .with_context(|| format!("no {} samples in the training set", design.scarce_class))?;
    let setup = Setup {
        sets,
        universe,
        test: [sets.sra_test, &[sets.tcga.into()]].concat(),
        scarce_name: train_labels.classes()[scarce].clone(),
        train,
        train_labels,
        scarce,
        gan_epochs_by_budget: design.gan_epochs_by_budget,
        test_digest: OnceLock::new(),
        making: Mutex::new(()),
    };
    let scarce_name = &setup.scarce_name;
    let cuts = &design.cuts;
    let mut rows: Vec<Row> = Vec::new();
    let mut quality_runs: BTreeMap<(usize, &'static str), Vec<QualityReport>> = BTreeMap::new();
    let mut gan_epochs_used: BTreeMap<usize, usize> = BTreeMap::new();
    let methods = methods(design);
    for &n in cuts {
        // Each seed's outcomes, one per method in order (the methods of a seed share its cut).
        let outcomes_of = |seed| setup.cut_outcomes(n, &methods, seed);
        let mut by_seed: Vec<_> = per_seed_at_once(seeds, SEEDS_AT_ONCE, outcomes_of)?
            .into_iter()
            .map(Vec::into_iter)
            .collect();
        for method in &methods {
            let name = method_name(method);
            let outcomes = by_seed
                .iter_mut()
                .map(|of_seed| of_seed.next().context("an outcome for every method"))
                .collect::<Result<Vec<SeedOutcome>>>()?;
            for (i, model) in MODELS.into_iter().enumerate() {
                let mut row = Row {
                    model,
                    n,
                    method: name,
                    arm: ArmResult::new(
                        format!(
                            "{}, {scarce_name} {n}, {name}",
                            model.as_str().to_uppercase()
                        ),
                        None,
                        0,
                        0,
                    ),
                    recall: Vec::new(),
                    augment_seconds: Vec::new(),
                };
                for outcome in &outcomes {
                    row.arm.n_train = outcome.n_train;
                    row.arm.n_classes = outcome.n_classes;
                    row.arm.push(&outcome.models[i].scores);
                    row.recall.push(outcome.models[i].recall);
                    row.augment_seconds.push(outcome.augment_seconds);
                }
                eprintln!(
                    "[augment] {}: {scarce_name} recall {:.3}, mca {:.3}",
                    row.arm.name,
                    mean(&row.recall),
                    mean(&row.arm.mca)
                );
                rows.push(row);
            }
            for outcome in outcomes {
                if let Some(epochs) = outcome.gan_epochs {
                    gan_epochs_used.insert(n, epochs);
                }
                if let Some(report) = outcome.quality {
                    quality_runs.entry((n, name)).or_default().push(report);
                }
            }
        }
    }
    let recall_table = recall_table(&rows, scarce_name)?;
    let quality_table = quality_table(&quality_runs, scarce_name)?;
    let per_seed_table = per_seed_recall_table(&rows, scarce_name)?;
    Ok(Produced {
        results: rows.into_iter().map(|r| r.arm).collect(),
        tables: vec![
            ("scarce_recall".into(), recall_table),
            ("quality".into(), quality_table),
        ],
        csv_tables: vec![("scarce_recall_per_seed".into(), per_seed_table)],
        extra: serde_json::json!({
            "scarce_class": scarce_name,
            "cuts": cuts,
            "gan_epochs_by_cut": gan_epochs_used,
            "methods": methods.iter().map(|m| serde_json::to_value(m).unwrap_or_default()).collect::<Vec<_>>(),
            "quality": quality_runs.iter().map(|((n, m), q)| serde_json::json!({"n": n, "method": m, "per_seed": q})).collect::<Vec<_>>(),
        }),
        ..Produced::default()
    })
}

/// The median number of samples per class: what the scarce class is topped up to.
fn median_class_size(labels: &Labels) -> usize {
    let mut counts: Vec<usize> = labels
        .class_counts()
        .into_iter()
        .filter(|&c| c > 0)
        .collect();
    counts.sort_unstable();
    counts[counts.len() / 2]
}

/// msa / mca on the test samples and the recall of `class` of `model`, fitted on `data`'s
/// prepared training set (scored through the test input `data` makes once for all its models).
fn score(
    data: &FitData<'_>,
    model: &TrainedModel,
    class: usize,
    start: Instant,
) -> Result<(Scores, f64)> {
    let scored = data.score(model)?;
    let recall = per_class_accuracy(&scored.truth, &scored.predicted, model.classes().len())?
        [class]
        .context("no test sample of the scarce class")?;
    Ok((
        Scores::of(model, scored, start.elapsed().as_secs_f64())?,
        recall,
    ))
}

/// The real samples a seed's generated sets are measured against, in the model's input space:
/// the samples of the class the cut left out, the class's training samples, and the other
/// classes' training samples (up to 200 each) as the MMD references. They depend on the seed's
/// cut alone (every method's classifiers read the same prepared training set, the first rows of
/// each augmented matrix), so the seed's three generated sets share them.
fn quality_reference(
    model: &TrainedModel,
    training: ndarray::ArrayView2<'_, f32>,
    labels: &Labels,
    left_out: &Dataset,
    class: usize,
    seed: u64,
) -> Result<QualityReference<'static>> {
    let rows_of = |c: usize| -> Vec<usize> {
        (0..training.nrows())
            .filter(|&i| labels.assigned()[i] == Some(c))
            .take(200)
            .collect()
    };
    let real_train = training.select(Axis(0), &rows_of(class));
    let (heldout, _) = model.model_input(left_out)?;
    let others: Vec<Array2<f32>> = (0..labels.classes().len())
        .filter(|&c| c != class)
        .map(|c| training.select(Axis(0), &rows_of(c)))
        .filter(|m| m.nrows() >= 2)
        .collect();
    Ok(QualityReference::new(heldout, real_train, others, seed)?)
}

/// The generated rows of an augmented set (after the real training samples).
fn synthetic(generated: &Generated) -> ndarray::ArrayView2<'_, f32> {
    generated.x.slice(ndarray::s![
        generated.x.nrows() - generated.n_generated..,
        ..
    ])
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len().max(1) as f64
}

fn recall_table(rows: &[Row], scarce: &str) -> Result<Table> {
    let mut t = Table::new(
        format!(
            "{scarce} recall and mca on the SRA test studies + TCGA, trained on GTEx + SRA training studies with {scarce} cut to n samples and topped up to the median class size (mean ± std over seeds)"
        ),
        [
            "model",
            "n",
            "augmentation",
            "recall",
            "mca",
            "msa",
            "augment seconds",
        ],
    );
    for r in rows {
        t.push_row(vec![
            Cell::text(r.model.as_str().to_uppercase()),
            Cell::count(r.n as u64),
            Cell::text(r.method),
            Cell::mean_std(&SeedSummary::new(r.recall.clone())?, 3),
            Cell::mean_std(&SeedSummary::new(r.arm.mca.clone())?, 3),
            Cell::mean_std(&SeedSummary::new(r.arm.msa.clone())?, 3),
            Cell::float(mean(&r.augment_seconds), 2),
        ])?;
    }
    Ok(t)
}

/// One row per (model, cut size, method, seed): the scarce class's recall, for tests between
/// methods (the summary table holds only means and deviations).
fn per_seed_recall_table(rows: &[Row], scarce: &str) -> Result<Table> {
    let mut t = Table::new(
        format!("{scarce} recall per seed"),
        [
            "model",
            "n",
            "augmentation",
            "seed index",
            "recall",
            "mca",
            "augment seconds",
        ],
    );
    for r in rows {
        for (i, ((recall, mca), seconds)) in r
            .recall
            .iter()
            .zip(&r.arm.mca)
            .zip(&r.augment_seconds)
            .enumerate()
        {
            t.push_row(vec![
                Cell::text(r.model.as_str().to_uppercase()),
                Cell::count(r.n as u64),
                Cell::text(r.method),
                Cell::count(i as u64),
                Cell::float(*recall, 4),
                Cell::float(*mca, 4),
                Cell::float(*seconds, 2),
            ])?;
        }
    }
    Ok(t)
}

fn quality_table(
    runs: &BTreeMap<(usize, &'static str), Vec<QualityReport>>,
    scarce: &str,
) -> Result<Table> {
    let mut t = Table::new(
        format!(
            "Generated {scarce} samples vs the real ones the cut left out (mean over seeds): MMD² (real training samples' MMD² for reference), share of seeds closest to {scarce} among all classes, per-gene mean / variance correlation, two-sample AUC (0.5 = indistinguishable), nearest-neighbour distance ratio (≪ 1: copies)"
        ),
        [
            "n",
            "augmentation",
            "MMD²",
            "MMD² real train",
            "closest to own class",
            "mean corr",
            "variance corr",
            "C2ST AUC",
            "NN ratio",
        ],
    );
    for ((n, method), reports) in runs {
        let avg = |f: &dyn Fn(&QualityReport) -> f64| {
            reports.iter().map(f).sum::<f64>() / reports.len() as f64
        };
        let train_mmd: Vec<f64> = reports
            .iter()
            .filter_map(|r| r.mmd2_train_vs_heldout)
            .collect();
        t.push_row(vec![
            Cell::count(*n as u64),
            Cell::text(*method),
            Cell::scientific(avg(&|r| r.mmd2), 2),
            if train_mmd.is_empty() {
                Cell::text("n/a")
            } else {
                Cell::scientific(mean(&train_mmd), 2)
            },
            Cell::float(avg(&|r| f64::from(u8::from(r.closest_to_own_class))), 2),
            Cell::float(avg(&|r| r.mean_correlation), 3),
            Cell::float(avg(&|r| r.variance_correlation), 3),
            Cell::float(avg(&|r| r.c2st_auc), 3),
            Cell::float(avg(&|r| r.nn_ratio), 3),
        ])?;
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_gan_sees_a_fixed_number_of_samples_up_to_100_epochs() {
        // The small preset's training sets (2,054-2,094 labelled samples) keep 100 epochs.
        assert_eq!(gan_epochs(2_054), 100);
        assert_eq!(gan_epochs(2_094), 100);
        assert_eq!(gan_epochs(50), 100);
        // Larger training sets get the same number of samples seen.
        assert_eq!(gan_epochs(14_000), 15);
        assert_eq!(gan_epochs(1_000_000), 1);
        assert_eq!(gan_epochs(0), 100);
        let gan = Method::Gan(GanParams::default());
        let by_budget = AugmentDesign::at(Scale::Full).gan_epochs_by_budget;
        let Method::Gan(full) = sized(&gan, 14_000, by_budget) else {
            panic!("a GAN stays a GAN")
        };
        assert_eq!(full.epochs, 15);
        let by_budget = AugmentDesign::at(Scale::Quick).gan_epochs_by_budget;
        let Method::Gan(quick) = sized(&gan, 14_000, by_budget) else {
            panic!("a GAN stays a GAN")
        };
        assert_eq!(quick.epochs, GanParams::default().epochs);
    }
}
