//! The WGAN-GP training loop (Gulrajani et al. 2017, Algorithm 1): per generator iteration
//! `n_critic` critic steps, each on a fresh real batch, generated samples of the same
//! conditions, and points interpolated between the two, then one generator step. Every random
//! draw has its own ChaCha stream of the seed (initialisation, batch order, noise, interpolation
//! weights), so the same seed trains the same generator.

use std::io::IsTerminal;
use std::time::Instant;

use dfdx::prelude::Cpu;
use indicatif::{ProgressBar, ProgressStyle};
use ndarray::ArrayView2;
use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::adam::Adam;
use super::critic::{critic_step, CriticBatch};
use super::generator::{Condition, Conditioning, Generator};
use super::network::Stack;
use super::{EpochLog, GanParams};
use crate::data::Standardiser;

/// ChaCha streams of one seed, one per kind of draw.
const INIT_STREAM: u64 = 0;
const ORDER_STREAM: u64 = 1;
const NOISE_STREAM: u64 = 2;
const MIX_STREAM: u64 = 3;

/// The generator `seed` draws of one kind from.
pub(crate) fn stream(seed: u64, stream: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    rng
}

/// What the loop trains on: samples, standardised as they are drawn, and their conditions.
pub(crate) struct Problem<'a> {
    /// Samples x genes, as given.
    pub(crate) x: ArrayView2<'a, f32>,
    /// What makes a drawn row one the networks read: each batch's rows are standardised as they
    /// are drawn (the same values as a standardised copy of `x`, which on the paper preset would
    /// hold 0.4 GB for the whole fit).
    pub(crate) standardiser: &'a Standardiser,
    /// Each row's condition.
    pub(crate) conds: &'a [Condition],
    /// How conditions become inputs.
    pub(crate) conditioning: Conditioning,
}

/// A trained generator and its loss curve.
pub(crate) struct Trained {
    pub(crate) generator: Generator,
    pub(crate) log: Vec<EpochLog>,
    pub(crate) critic_steps: usize,
    pub(crate) generator_steps: usize,
    pub(crate) iterations_per_epoch: usize,
}

/// Real batches of `size` rows. Uniform: a shuffled order walked in steps of `size`, reshuffled
/// when fewer than `size` rows are left (every row once per pass). Class-balanced: each row's
/// class drawn uniformly among the classes with samples, then a row of that class uniformly (with
/// replacement), so a scarce class is seen as often as a common one.
struct Batches {
    order: Vec<usize>,
    position: usize,
    size: usize,
    /// Rows of each class with samples, when balanced.
    by_class: Option<Vec<Vec<usize>>>,
    rng: ChaCha8Rng,
}

impl Batches {
    fn new(conds: &[Condition], size: usize, balanced: bool, mut rng: ChaCha8Rng) -> Self {
        let n = conds.len();
        let mut order: Vec<usize> = (0..n).collect();
        let by_class = if balanced {
            let classes = conds.iter().map(|c| c.0).max().map_or(0, |m| m + 1);
            let mut rows = vec![Vec::new(); classes];
            for (r, c) in conds.iter().enumerate() {
                rows[c.0].push(r);
            }
            rows.retain(|r| !r.is_empty());
            Some(rows)
        } else {
            order.shuffle(&mut rng);
            None
        };
        Self {
            order,
            position: 0,
            size,
            by_class,
            rng,
        }
    }

    fn next(&mut self) -> Vec<usize> {
        if let Some(by_class) = &self.by_class {
            return (0..self.size)
                .map(|_| {
                    let rows = &by_class[self.rng.random_range(0..by_class.len())];
                    rows[self.rng.random_range(0..rows.len())]
                })
                .collect();
        }
        if self.position + self.size > self.order.len() {
            self.order.shuffle(&mut self.rng);
            self.position = 0;
        }
        let batch = self.order[self.position..self.position + self.size].to_vec();
        self.position += self.size;
        batch
    }
}

/// A progress bar over epochs, hidden when `quiet` or when standard error is not a terminal.
fn progress(epochs: usize, quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(epochs as u64);
    if let Ok(style) =
        ProgressStyle::with_template("GAN {bar:30} {pos}/{len} epochs [{elapsed}<{eta}] {msg}")
    {
        bar.set_style(style);
    }
    bar
}

/// Sums of one epoch's step values, averaged into an [`EpochLog`].
#[derive(Default)]
struct Sums {
    critic_loss: f64,
    penalty: f64,
    wasserstein: f64,
    norm: f64,
    critic_steps: usize,
    generator_loss: f64,
    generator_steps: usize,
}

/// Trains a generator and a critic on `problem` with `params` (already checked).
pub(crate) fn train(params: &GanParams, problem: &Problem<'_>, dev: &Cpu) -> Trained {
    let start = Instant::now();
    let (n, genes) = problem.x.dim();
    let cond = problem.conditioning;
    let mut init = stream(params.seed, INIT_STREAM);
    let sizes = |input: usize, hidden: &[usize], output: usize| {
        let mut s = vec![input];
        s.extend_from_slice(hidden);
        s.push(output);
        s
    };
    let mut generator = Generator {
        net: Stack::glorot(
            &sizes(
                params.noise_dim + cond.width(),
                &params.generator_hidden,
                genes,
            ),
            params.leaky_slope,
            &mut init,
        ),
        noise_dim: params.noise_dim,
        conditioning: cond,
    };
    let mut critic = Stack::glorot(
        &sizes(genes, &params.critic_hidden, cond.critic_outputs()),
        params.leaky_slope,
        &mut init,
    );
    let mut adam_g = Adam::new(params.learning_rate, params.beta1, params.beta2);
    let mut adam_c = Adam::new(params.learning_rate, params.beta1, params.beta2);
    let batch = params.batch_size.min(n);
    let mut batches = Batches::new(
        problem.conds,
        batch,
        params.class_balanced,
        stream(params.seed, ORDER_STREAM),
    );
    let mut noise = stream(params.seed, NOISE_STREAM);
    let mut mix = stream(params.seed, MIX_STREAM);
    // An epoch is as many generator iterations as it takes the critic to see about every
    // sample once (at least one).
    let iterations_per_epoch = n.div_ceil(batch * params.n_critic).max(1);

    let bar = progress(params.epochs, params.quiet);
    let mut log = Vec::with_capacity(params.epochs);
    let (mut critic_steps, mut generator_steps) = (0, 0);
    for epoch in 0..params.epochs {
        let mut sums = Sums::default();
        for _ in 0..iterations_per_epoch {
            let mut last_conds = Vec::new();
            for _ in 0..params.n_critic {
                let rows = batches.next();
                let conds: Vec<Condition> = rows.iter().map(|&r| problem.conds[r]).collect();
                let fake = generator.sample(&conds, &mut noise);
                // Room for a third block of rows, which the critic step appends (the penalty's
                // factors of the first layer's weight gradient).
                let mut input = Vec::with_capacity(3 * batch * genes);
                let mut interpolated = Vec::with_capacity(batch * genes);
                input.resize(rows.len() * genes, 0.0);
                for (&r, real) in rows.iter().zip(input.chunks_exact_mut(genes)) {
                    problem.standardiser.row_into(problem.x, r, real);
                }
                for (k, real) in input.chunks_exact(genes).enumerate() {
                    let f = &fake[k * genes..(k + 1) * genes];
                    let eps: f32 = mix.random();
                    interpolated.extend(
                        real.iter()
                            .zip(f)
                            .map(|(&real, &fake)| eps * real + (1.0 - eps) * fake),
                    );
                }
                input.extend_from_slice(&fake);
                // Real and generated rows share their conditions.
                let projection = cond.projection(&conds);
                let step = critic_step(
                    dev,
                    &critic,
                    CriticBatch {
                        input,
                        projection: &projection,
                        interpolated,
                        rows: batch,
                        penalty_weight: params.gp_weight,
                    },
                );
                adam_c.step(&mut critic, &step.grads);
                critic_steps += 1;
                let w = (step.mean_real - step.mean_fake) as f64;
                sums.wasserstein += w;
                sums.penalty += step.penalty as f64;
                sums.critic_loss += -w + step.penalty as f64;
                sums.norm += step.mean_norm as f64;
                sums.critic_steps += 1;
                last_conds = conds;
            }
            // The generator step takes the last critic batch's conditions, so it generates the
            // classes in the proportions the critic sees them (balanced or as in the data).
            let (g_loss, g_grads) = generator.loss(dev, &critic, &last_conds, &mut noise);
            adam_g.step(&mut generator.net, &g_grads);
            generator_steps += 1;
            sums.generator_loss += g_loss as f64;
            sums.generator_steps += 1;
        }
        let c = sums.critic_steps.max(1) as f64;
        let entry = EpochLog {
            epoch: epoch + 1,
            critic_loss: sums.critic_loss / c,
            generator_loss: sums.generator_loss / sums.generator_steps.max(1) as f64,
            gradient_penalty: sums.penalty / c,
            wasserstein: sums.wasserstein / c,
            gradient_norm: sums.norm / c,
            seconds: start.elapsed().as_secs_f64(),
        };
        bar.set_message(format!(
            "W {:.3} GP {:.3}",
            entry.wasserstein, entry.gradient_penalty
        ));
        bar.inc(1);
        log.push(entry);
    }
    bar.finish_and_clear();
    Trained {
        generator,
        log,
        critic_steps,
        generator_steps,
        iterations_per_epoch,
    }
}
