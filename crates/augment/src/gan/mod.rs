//! A conditional Wasserstein GAN with gradient penalty (WGAN-GP; Gulrajani et al. 2017) that
//! generates expression samples of a chosen class.
//!
//! Why WGAN-GP: a scarce class offers a few dozen samples in thousands of dimensions, exactly
//! where the original GAN's discriminator saturates (its Jensen-Shannon loss gives the generator
//! no gradient once real and generated samples are separable) and mode collapse hides. The
//! Wasserstein critic keeps a useful gradient everywhere, its loss estimates a distance that falls
//! as the samples improve (a loss curve worth logging), and the gradient penalty enforces the
//! Lipschitz bound without weight clipping's capacity loss. Spectral normalisation would need a
//! power iteration per step and still bound only layer by layer.
//!
//! - Conditioning: the generator reads `[noise | class one-hot | study one-hot]`; the critic is a
//!   projection critic (Miyato & Koyama 2018): it reads the sample alone and scores it with an
//!   unconditional output plus one output per condition column, so its score is
//!   `o_0(x) + c . o_1..(x)` (`critic.rs`). A one-hot concatenated to the critic's input is one
//!   column among a thousand genes; in the measurements of `docs/augment.md` such a critic left
//!   31 tissues unconditioned where the projection critic separated them. The study part exists
//!   only when fitted with [`Gan::fit_with_studies`], so that a class can be generated under the
//!   bias of a study that never held it.
//! - Scale: genes are standardised (training mean and sd) before training and generated samples
//!   mapped back, so every gene weighs the same in the critic; the generator's output is linear.
//! - Networks: LeakyReLU hidden layers, linear output, no normalisation layers (`network.rs`);
//!   the critic's piecewise linearity makes the penalty's weight gradients exact without double
//!   backward (`penalty.rs`).
//! - Optimiser: Adam with beta1 0.5, beta2 0.9 for both players (`adam.rs`), `n_critic` critic
//!   steps per generator step (`train.rs`).
//! - Saved as a JSON manifest plus safetensors (`saved.rs`): a reloaded generator gives
//!   bit-identical samples for the same seed.

mod adam;
mod critic;
mod generator;
mod network;
mod penalty;
mod saved;
mod train;

use rnameta_models::Error as ModelError;
use std::path::Path;
use std::time::Instant;

use ndarray::{Array2, ArrayView2};
use rand::RngExt;
use rnameta_models::neural::kit::{device, on_pool};
use serde::{Deserialize, Serialize};

use crate::data::{check_class, rows_by_class, Standardiser};
use crate::{Augmenter, Error, FitReport, Result};
use generator::{Condition, Conditioning, Generator};

pub use saved::FORMAT_VERSION;

/// Hyperparameters of [`Gan`]. The defaults suit about 1,000-5,000 samples x 500-5,000 genes
/// (measured on simulated data in `docs/augment.md`: 300 epochs of 1,347 samples x 1,000
/// genes, 31 classes, took 5 minutes on two shared cores).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GanParams {
    /// Gaussian noise inputs of the generator.
    pub noise_dim: usize,
    /// Hidden layer sizes of the generator (at least one layer).
    pub generator_hidden: Vec<usize>,
    /// Hidden layer sizes of the critic (at least one layer).
    pub critic_hidden: Vec<usize>,
    /// Passes over the training data (see [`EpochLog`]).
    pub epochs: usize,
    /// Real samples per critic batch (capped at the number of training samples).
    pub batch_size: usize,
    /// Draw each real sample's class uniformly (then a sample of it), so that a scarce class
    /// is trained on as often as a common one (the default); otherwise every sample once per
    /// epoch.
    pub class_balanced: bool,
    /// Critic steps per generator step (5 in the WGAN-GP paper).
    pub n_critic: usize,
    /// Weight of the gradient penalty (lambda; 10 in the paper).
    pub gp_weight: f32,
    /// Adam learning rate of both players.
    pub learning_rate: f32,
    /// Adam's first-moment decay (0.5 in the paper).
    pub beta1: f32,
    /// Adam's second-moment decay (0.9 in the paper).
    pub beta2: f32,
    /// Negative slope of the LeakyReLU hidden units.
    pub leaky_slope: f32,
    /// Seed of initialisation, batch order and noise.
    pub seed: u64,
    /// No progress bar (it is also hidden when standard error is not a terminal).
    pub quiet: bool,
}

impl Default for GanParams {
    fn default() -> Self {
        Self {
            noise_dim: 64,
            generator_hidden: vec![256, 256],
            critic_hidden: vec![256, 256],
            epochs: 300,
            batch_size: 64,
            class_balanced: true,
            n_critic: 5,
            gp_weight: 10.0,
            learning_rate: 5e-4,
            beta1: 0.5,
            beta2: 0.9,
            leaky_slope: 0.2,
            seed: 0,
            quiet: false,
        }
    }
}

impl GanParams {
    /// Refuses values no WGAN-GP can train with, naming the parameter.
    pub fn check(&self) -> Result<()> {
        let bad = |name: &'static str, reason: String| {
            Err(ModelError::InvalidParameter { name, reason }.into())
        };
        if self.noise_dim == 0 {
            return bad("noise_dim", "must be at least 1".into());
        }
        for (name, hidden) in [
            ("generator_hidden", &self.generator_hidden),
            ("critic_hidden", &self.critic_hidden),
        ] {
            if hidden.is_empty() || hidden.contains(&0) {
                return bad(
                    name,
                    format!("{hidden:?}: needs at least one layer, none of size 0"),
                );
            }
        }
        for (name, v) in [
            ("epochs", self.epochs),
            ("batch_size", self.batch_size),
            ("n_critic", self.n_critic),
        ] {
            if v == 0 {
                return bad(name, "must be at least 1".into());
            }
        }
        for (name, v) in [
            ("gp_weight", self.gp_weight),
            ("learning_rate", self.learning_rate),
        ] {
            if !(v.is_finite() && v > 0.0) {
                return bad(name, format!("{v} is not a positive number"));
            }
        }
        for (name, v) in [
            ("beta1", self.beta1),
            ("beta2", self.beta2),
            ("leaky_slope", self.leaky_slope),
        ] {
            if !(0.0..1.0).contains(&v) {
                return bad(name, format!("{v} is outside [0, 1)"));
            }
        }
        Ok(())
    }
}

/// One epoch of the loss curve: means over the epoch's steps.
///
/// An epoch is `ceil(n / (batch_size * n_critic))` generator iterations (at least one), each of
/// `n_critic` critic steps and one generator step, so that the critic sees about every training
/// sample once per epoch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpochLog {
    /// Epoch number, from 1.
    pub epoch: usize,
    /// Critic loss `mean f(fake) - mean f(real) + penalty`.
    pub critic_loss: f64,
    /// Generator loss `-mean f(fake)`.
    pub generator_loss: f64,
    /// Gradient penalty `lambda * mean (|grad f| - 1)^2` at the interpolated points.
    pub gradient_penalty: f64,
    /// Wasserstein estimate `mean f(real) - mean f(fake)` (falls as the samples improve).
    pub wasserstein: f64,
    /// Mean norm of the critic's input gradient at the interpolated points (near 1 when the
    /// penalty holds).
    pub gradient_norm: f64,
    /// Wall time since training started, in seconds, at the end of the epoch.
    pub seconds: f64,
}

/// What training the GAN reported: the loss curve and step counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GanReport {
    /// One entry per epoch.
    pub epochs: Vec<EpochLog>,
    /// Generator iterations per epoch.
    pub iterations_per_epoch: usize,
    /// Critic steps taken.
    pub critic_steps: usize,
    /// Generator steps taken.
    pub generator_steps: usize,
    /// Studies the GAN was conditioned on (0: classes only).
    pub n_studies: usize,
}

/// A fitted (or loaded) generator with what generating needs.
#[derive(Clone, Debug)]
struct Fitted {
    generator: Generator,
    standardiser: Standardiser,
    /// Training samples per class.
    class_counts: Vec<usize>,
    /// Training samples per class and study (empty rows when not study-conditioned).
    class_study_counts: Vec<Vec<usize>>,
    report: FitReport,
}

/// The conditional WGAN-GP (see the module docs).
#[derive(Clone, Debug)]
pub struct Gan {
    params: GanParams,
    fitted: Option<Fitted>,
}

impl Gan {
    /// An unfitted GAN.
    pub fn new(params: GanParams) -> Self {
        Self {
            params,
            fitted: None,
        }
    }

    /// The hyperparameters.
    pub fn params(&self) -> &GanParams {
        &self.params
    }

    /// What fitting reported (with the loss curve); `None` before fitting.
    pub fn report(&self) -> Option<&FitReport> {
        self.fitted.as_ref().map(|f| &f.report)
    }

    /// Studies the generator is conditioned on (0 when only on classes); `None` before fitting.
    pub fn n_studies(&self) -> Option<usize> {
        self.fitted
            .as_ref()
            .map(|f| f.generator.conditioning.n_studies)
    }

    /// Fits conditioned on class and study: row `i` belongs to class `classes[i]` and study
    /// `studies[i]` (below `n_studies`). The generator can then produce a class under any
    /// study's bias ([`Gan::generate_in_study`]).
    pub fn fit_with_studies(
        &mut self,
        x: ArrayView2<'_, f32>,
        classes: &[usize],
        n_classes: usize,
        studies: &[usize],
        n_studies: usize,
    ) -> Result<FitReport> {
        if studies.len() != x.nrows() {
            return Err(ModelError::ShapeMismatch {
                what: "study entries vs training samples",
                expected: x.nrows(),
                got: studies.len(),
            }
            .into());
        }
        if n_studies == 0 {
            return Err(Error::Empty {
                what: "the study list",
            });
        }
        if let Some(&s) = studies.iter().find(|&&s| s >= n_studies) {
            return Err(Error::UnknownStudy {
                study: s,
                n_studies,
            });
        }
        self.fit_inner(x, classes, n_classes, Some((studies, n_studies)))
    }

    fn fit_inner(
        &mut self,
        x: ArrayView2<'_, f32>,
        classes: &[usize],
        n_classes: usize,
        studies: Option<(&[usize], usize)>,
    ) -> Result<FitReport> {
        self.params.check()?;
        let rows = rows_by_class(x, classes, n_classes)?;
        let start = Instant::now();
        let standardiser = Standardiser::fit(x);
        let n_studies = studies.map_or(0, |s| s.1);
        let conds: Vec<Condition> = classes
            .iter()
            .enumerate()
            .map(|(i, &c)| (c, studies.map(|s| s.0[i])))
            .collect();
        let mut class_study_counts = vec![vec![0usize; n_studies]; n_classes];
        for &(c, s) in &conds {
            if let Some(s) = s {
                class_study_counts[c][s] += 1;
            }
        }
        let conditioning = Conditioning {
            n_classes,
            n_studies,
        };
        let dev = device(self.params.seed);
        // The loop's many short products run best from a pool thread (`kit::on_pool`).
        let problem = train::Problem {
            x: x.view(),
            standardiser: &standardiser,
            conds: &conds,
            conditioning,
        };
        let trained = on_pool(|| train::train(&self.params, &problem, &dev));
        let report = FitReport {
            method: "gan".to_owned(),
            n_samples: x.nrows(),
            n_genes: x.ncols(),
            class_counts: rows.iter().map(Vec::len).collect(),
            seconds: start.elapsed().as_secs_f64(),
            gan: Some(GanReport {
                epochs: trained.log,
                iterations_per_epoch: trained.iterations_per_epoch,
                critic_steps: trained.critic_steps,
                generator_steps: trained.generator_steps,
                n_studies,
            }),
        };
        self.fitted = Some(Fitted {
            generator: trained.generator,
            standardiser,
            class_counts: report.class_counts.clone(),
            class_study_counts,
            report: report.clone(),
        });
        Ok(report)
    }

    /// `n` samples of `class` under the bias of study `study` (a generator fitted with
    /// [`Gan::fit_with_studies`] only).
    pub fn generate_in_study(
        &self,
        class: usize,
        study: usize,
        n: usize,
        seed: u64,
    ) -> Result<Array2<f32>> {
        let f = self.fitted_for(class)?;
        let n_studies = f.generator.conditioning.n_studies;
        if study >= n_studies {
            return Err(Error::UnknownStudy { study, n_studies });
        }
        Ok(self.generate_with(f, &vec![(class, Some(study)); n], seed))
    }

    /// The fitted state, refusing an unknown class or one without training samples.
    fn fitted_for(&self, class: usize) -> Result<&Fitted> {
        let f = self.fitted.as_ref().ok_or(ModelError::NotFitted)?;
        check_class(class, f.class_counts.len())?;
        if f.class_counts[class] == 0 {
            return Err(Error::TooFewSamples {
                class,
                have: 0,
                need: 1,
                what: "the GAN (a class it never saw)",
            });
        }
        Ok(f)
    }

    /// Samples for `conds` with noise from `seed`, on the data's scale.
    fn generate_with(&self, f: &Fitted, conds: &[Condition], seed: u64) -> Array2<f32> {
        let mut noise = train::stream(seed, 0);
        let values = f.generator.sample(conds, &mut noise);
        let mut out = Array2::from_shape_vec((conds.len(), f.generator.genes()), values)
            .expect("the generator returns rows x genes values");
        f.standardiser.inverse_in_place(&mut out);
        out
    }

    /// Writes the generator into the directory `dir` (created if needed): `manifest.json`
    /// (format version, sizes, class and study counts, hyperparameters, fit report) and
    /// `generator.safetensors` (layers and the standardiser), each written to a temporary file
    /// and renamed.
    pub fn save(&self, dir: &Path) -> Result<()> {
        let f = self.fitted.as_ref().ok_or(ModelError::NotFitted)?;
        saved::save(dir, &self.params, f)
    }

    /// Reads a generator written by [`Gan::save`], checking the format version and every
    /// tensor's shape against the manifest.
    pub fn load(dir: &Path) -> Result<Self> {
        let (params, fitted) = saved::load(dir)?;
        Ok(Self {
            params,
            fitted: Some(fitted),
        })
    }
}

impl Augmenter for Gan {
    fn name(&self) -> &'static str {
        "gan"
    }

    fn fit(
        &mut self,
        x: ArrayView2<'_, f32>,
        classes: &[usize],
        n_classes: usize,
    ) -> Result<FitReport> {
        self.fit_inner(x, classes, n_classes, None)
    }

    /// `n` samples of `class`; a study-conditioned generator draws each sample's study from
    /// the class's training samples (a separate stream of `seed`).
    fn generate(&self, class: usize, n: usize, seed: u64) -> Result<Array2<f32>> {
        let f = self.fitted_for(class)?;
        let counts = &f.class_study_counts[class];
        let conds: Vec<Condition> = if f.generator.conditioning.n_studies == 0 {
            vec![(class, None); n]
        } else {
            let total: usize = counts.iter().sum();
            let mut rng = train::stream(seed, 1);
            (0..n)
                .map(|_| {
                    let mut pick = rng.random_range(0..total);
                    let study = counts
                        .iter()
                        .position(|&c| {
                            if pick < c {
                                true
                            } else {
                                pick -= c;
                                false
                            }
                        })
                        .expect("pick is below the total count");
                    (class, Some(study))
                })
                .collect()
        };
        Ok(self.generate_with(f, &conds, seed))
    }

    fn n_genes(&self) -> Option<usize> {
        self.fitted.as_ref().map(|f| f.generator.genes())
    }
}
