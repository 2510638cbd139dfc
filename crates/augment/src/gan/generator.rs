//! The generator: Gaussian noise concatenated with the condition (class one-hot, then study
//! one-hot when the GAN is conditioned on studies) through a LeakyReLU network with a linear
//! output, one column per gene on the standardised scale; and the layout of conditions, both as
//! the generator's inputs and as the projection critic's output weights.

use dfdx::prelude::*;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use rnameta_models::neural::kit::{product, transpose, weight_gradient, Matrix};

use super::network::{column_sums, Stack};

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
    pub(crate) fn sample(&self, conds: &[Condition], rng: &mut ChaCha8Rng) -> Vec<f32> {
        let mut out = Vec::with_capacity(conds.len() * self.genes());
        for chunk in conds.chunks(CHUNK) {
            out.extend(self.net.apply(&self.input(chunk, rng), chunk.len()));
        }
        out
    }

    /// One generator loss evaluation, `-mean_i critic(G(z_i, c_i), c_i)`, with its gradients
    /// for the generator's parameters (weight, then bias, layer by layer).
    ///
    /// The generator's hidden layers and the critic's after its first are recorded on dfdx's
    /// tapes; the two layers between them, genes wide (the generator's last, the critic's
    /// first), run on the kernels with their backward pass written out, so that the critic's
    /// genes-wide weight gradient is never computed (dfdx computes its small hidden layers' too,
    /// which are dropped).
    pub(crate) fn loss(
        &self,
        dev: &Cpu,
        critic: &Stack,
        conds: &[Condition],
        rng: &mut ChaCha8Rng,
    ) -> (f32, Vec<Vec<f32>>) {
        let rows = conds.len();
        let n_layers = self.net.layers.len();
        let input: Matrix = dev.tensor_from_vec(self.input(conds, rng), (rows, self.net.inputs()));
        let (hidden, generator_hidden) =
            self.net
                .forward_taped(dev, input.leaky_traced(), 0..n_layers - 1);
        let last = &self.net.layers[n_layers - 1];
        let first = &critic.layers[0];
        let (width, genes, critic_width) = (last.inputs, last.outputs, first.outputs);
        let hidden_values = hidden.as_vec();
        let fake = last.apply(&hidden_values, rows);

        // The critic's first layer on the kernels, the rest on a tape of its own.
        let pre: Matrix = dev.tensor_from_vec(first.apply(&fake, rows), (rows, critic_width));
        drop(fake);
        let (scores, _) = critic.forward_taped(
            dev,
            pre.leaky_trace().prelu(critic.slope),
            1..critic.layers.len(),
        );
        let projection: Matrix = dev.tensor_from_vec(
            self.conditioning.projection(conds),
            (rows, self.conditioning.critic_outputs()),
        );
        let loss = (scores * projection).sum::<(), _>().negate() / rows as f32;
        let value = loss.array();
        let d_pre = loss.backward().get(&pre).as_vec();

        // Back through the two genes-wide layers, transposed where that lets the kernel read the
        // weights where they are: d fake^T = W_c d_pre^T, d hidden^T = W_g d fake^T.
        let d_fake_transposed = first.input_gradient_transposed(&d_pre, rows);
        let mut d_hidden_transposed = vec![0.0; width * rows];
        product(
            &last.weight,
            &d_fake_transposed,
            &mut d_hidden_transposed,
            width,
            genes,
            rows,
        );
        let d_fake = transpose(&d_fake_transposed, genes, rows);
        drop(d_fake_transposed);
        let mut last_weight = vec![0.0; width * genes];
        weight_gradient(
            &hidden_values,
            &d_fake,
            &mut last_weight,
            rows,
            width,
            genes,
        );
        let last_bias = column_sums(&d_fake, genes);

        // The hidden layers by ordinary backward from d hidden.
        let d_hidden: Matrix =
            dev.tensor_from_vec(transpose(&d_hidden_transposed, width, rows), (rows, width));
        let grads = (hidden * d_hidden).sum::<(), _>().backward();
        let mut all = generator_hidden.gradients(&grads);
        all.extend([last_weight, last_bias]);
        (value, all)
    }
}

#[cfg(test)]
mod tests {
    use super::super::network::testing::{assert_near, network};
    use super::*;
    use rand::SeedableRng;
    use rnameta_models::neural::kit::device;

    /// The generator's gradients (its last layer and the critic's first by hand) are those of
    /// dfdx through both networks from a tape on the noise, for the same noise.
    #[test]
    fn the_gradients_are_those_of_dfdx_through_both_networks() {
        let dev = device(0);
        let conditioning = Conditioning {
            n_classes: 3,
            n_studies: 2,
        };
        let (noise_dim, genes, rows) = (4, 11, 6);
        let generator = Generator {
            net: network(&[noise_dim + conditioning.width(), 6, 5, genes], 1),
            noise_dim,
            conditioning,
        };
        let critic = network(&[genes, 7, conditioning.critic_outputs()], 2);
        let conds: Vec<Condition> = (0..rows).map(|i| (i % 3, Some(i % 2))).collect();
        let (value, grads) =
            generator.loss(&dev, &critic, &conds, &mut ChaCha8Rng::seed_from_u64(3));

        let input = generator.input(&conds, &mut ChaCha8Rng::seed_from_u64(3));
        let z: Matrix = dev.tensor_from_vec(input, (rows, generator.net.inputs()));
        let (fake, taped) = generator.net.forward_taped(&dev, z.leaky_traced(), 0..3);
        let (scores, _) = critic.forward_taped(&dev, fake, 0..2);
        let projection: Matrix = dev.tensor_from_vec(
            conditioning.projection(&conds),
            (rows, conditioning.critic_outputs()),
        );
        let loss = (scores * projection).sum::<(), _>().negate() / rows as f32;
        let want = loss.array();
        assert!((value - want).abs() <= 1e-5 * (1.0 + want.abs()));
        assert_near(&grads, &taped.gradients(&loss.backward()));
    }
}
