//! The generator: Gaussian noise concatenated with the condition (class one-hot, then study
//! one-hot when the GAN is conditioned on studies) through a LeakyReLU network with a linear
//! output, one column per gene on the standardised scale; and the layout of conditions, both as
//! the generator's inputs and as the projection critic's output weights.

use dfdx::prelude::*;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use rnameta_models::neural::kit::Matrix;

use super::network::Stack;

/// Rows per forward pass when generating (bounds memory for large `n`).
const CHUNK: usize = 1024;

/// One sample's condition: its class and, when the GAN is conditioned on studies, its study.
pub(crate) type Condition = (usize, Option<usize>);

/// How conditions are laid out as network inputs: `n_classes` one-hot columns, then `n_studies`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Conditioning {
    pub(crate) n_classes: usize,
    /// 0 when the GAN is not conditioned on studies.
    pub(crate) n_studies: usize,
}

impl Conditioning {
    /// Condition columns.
    pub(crate) fn width(&self) -> usize {
        self.n_classes + self.n_studies
    }

    /// Appends the condition columns of `c` to `out`.
    pub(crate) fn write(&self, c: Condition, out: &mut Vec<f32>) {
        let start = out.len();
        out.resize(start + self.width(), 0.0);
        out[start + c.0] = 1.0;
        if let Some(s) = c.1 {
            out[start + self.n_classes + s] = 1.0;
        }
    }

    /// Columns of the critic's output: its unconditional score, then one per condition column.
    pub(crate) fn critic_outputs(&self) -> usize {
        1 + self.width()
    }

    /// The projection of every entry of `conds` onto the critic's outputs, row-major
    /// `conds.len() x critic_outputs()`: `[1 | condition columns]`. A sample's score is the sum of
    /// the critic's outputs weighted by its row (see `critic.rs`).
    pub(crate) fn projection(&self, conds: &[Condition]) -> Vec<f32> {
        let mut out = Vec::with_capacity(conds.len() * self.critic_outputs());
        for &c in conds {
            out.push(1.0);
            self.write(c, &mut out);
        }
        out
    }
}

/// The generator network and its input layout.
#[derive(Clone, Debug)]
pub(crate) struct Generator {
    pub(crate) net: Stack,
    pub(crate) noise_dim: usize,
    pub(crate) conditioning: Conditioning,
}

impl Generator {
    /// Genes generated per sample.
    pub(crate) fn genes(&self) -> usize {
        self.net.outputs()
    }

    /// Network input for `conds`: per row `noise_dim` standard normal draws from `rng`, then the
    /// condition columns.
    pub(crate) fn input(&self, conds: &[Condition], rng: &mut ChaCha8Rng) -> Vec<f32> {
        let mut out = Vec::with_capacity(conds.len() * self.net.inputs());
        for &c in conds {
            out.extend((0..self.noise_dim).map(|_| rng.sample::<f32, _>(StandardNormal)));
            self.conditioning.write(c, &mut out);
        }
        out
    }

    /// Samples for `conds` (row-major `conds.len() x genes`, standardised scale), noise from
    /// `rng` drawn row by row, so that the result does not depend on the chunking.
    pub(crate) fn sample(&self, dev: &Cpu, conds: &[Condition], rng: &mut ChaCha8Rng) -> Vec<f32> {
        let mut out = Vec::with_capacity(conds.len() * self.genes());
        for chunk in conds.chunks(CHUNK) {
            let input: Matrix =
                dev.tensor_from_vec(self.input(chunk, rng), (chunk.len(), self.net.inputs()));
            out.extend(self.net.forward(input).as_vec());
        }
        out
    }

    /// One generator loss evaluation, `-mean_i critic(G(z_i, c_i), c_i)`, with its gradients
    /// for the generator's parameters (the critic's are computed too and dropped).
    pub(crate) fn loss(
        &self,
        dev: &Cpu,
        critic: &Stack,
        conds: &[Condition],
        rng: &mut ChaCha8Rng,
    ) -> (f32, Vec<Vec<f32>>) {
        let rows = conds.len();
        let input: Matrix = dev.tensor_from_vec(self.input(conds, rng), (rows, self.net.inputs()));
        let fake = self.net.forward(input.leaky_traced());
        let projection: Matrix = dev.tensor_from_vec(
            self.conditioning.projection(conds),
            (rows, self.conditioning.critic_outputs()),
        );
        let scores = critic.forward(fake) * projection;
        let loss = scores.sum::<(), _>().negate() / rows as f32;
        let value = loss.array();
        let grads = loss.backward();
        (value, self.net.gradients(&grads))
    }
}
