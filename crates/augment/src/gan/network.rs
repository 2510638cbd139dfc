//! The one network shape both GAN players use: dense layers with LeakyReLU between them and a
//! linear output (`[in] -> dense -> LeakyReLU -> ... -> dense -> [out]`).
//!
//! The parameters are plain row-major vectors (`rnameta_models`' [`PlainLayer`], the layer
//! that reads the genes in the MLP too), which `adam.rs` steps in place. Passes
//! that need no gradient (generating, the penalty's slopes) run every layer on
//! `PlainLayer::apply`, on the MLP's kernel. Passes that are differentiated split
//! the work: the layer on the genes' side (the critic's first, the generator's last) holds most
//! of the arithmetic, thousands of genes by a few hundred units, so it runs on the same kernels
//! and its gradients are written out by hand (`critic.rs`, `generator.rs`, `penalty.rs`); the
//! hidden layers, a few hundred units wide, are recorded on dfdx's tape as runtime-sized
//! [`Dense`] copies of their values ([`Stack::forward_taped`]). The kernels read the weights
//! where they are and compute no gradient nobody needs, where dfdx's general GEMM would compute
//! the critic's input gradient on every critic step.
//!
//! For the critic the shape matters beyond taste: with LeakyReLU hidden layers and a linear
//! output the critic is piecewise linear in its input, which is what lets `penalty.rs` compute the
//! gradient penalty's weight gradients exactly without double backward.

use std::ops::Range;

use dfdx::prelude::*;
use rand_chacha::ChaCha8Rng;
use rnameta_models::neural::kit::{Dense, Matrix, PlainLayer};

/// Dense layers with LeakyReLU (negative slope `slope`) after every layer but the last.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Stack {
    /// The layers, input first.
    pub(crate) layers: Vec<PlainLayer>,
    /// Negative slope of the LeakyReLUs.
    pub(crate) slope: f32,
}

/// The dfdx copies of the layers a taped pass went through, to read their gradients from.
pub(crate) struct Taped(Vec<Dense>);

impl Taped {
    /// Each layer's weight and bias gradients in `grads`, flat, layer by layer.
    pub(crate) fn gradients(&self, grads: &Gradients<f32, Cpu>) -> Vec<Vec<f32>> {
        self.0
            .iter()
            .flat_map(|l| [grads.get(&l.weight).as_vec(), grads.get(&l.bias).as_vec()])
            .collect()
    }

    /// The weights of the `layer`-th copy (counted from the first layer copied), to build an
    /// expression of them on a tape (the penalty's).
    pub(crate) fn weight(&self, layer: usize) -> &Matrix {
        &self.0[layer].weight
    }
}

impl Stack {
    /// Glorot-initialised layers of sizes `sizes` (`[inputs, hidden..., outputs]`, at least two
    /// entries), drawn from `rng` in layer order.
    pub(crate) fn glorot(sizes: &[usize], slope: f32, rng: &mut ChaCha8Rng) -> Self {
        let layers = sizes
            .windows(2)
            .map(|w| PlainLayer::glorot(w[0], w[1], rng))
            .collect();
        Self { layers, slope }
    }

    /// Input size.
    pub(crate) fn inputs(&self) -> usize {
        self.layers[0].inputs
    }

    /// Output size.
    pub(crate) fn outputs(&self) -> usize {
        self.layers[self.layers.len() - 1].outputs
    }

    /// The LeakyReLU of `values`, in place.
    pub(crate) fn leaky(&self, values: &mut [f32]) {
        for v in values {
            if *v < 0.0 {
                *v *= self.slope;
            }
        }
    }

    /// The network applied to the `rows` rows of `x` (row-major), without gradients.
    pub(crate) fn apply(&self, x: &[f32], rows: usize) -> Vec<f32> {
        let mut h = self.layers[0].apply(x, rows);
        for layer in &self.layers[1..] {
            self.leaky(&mut h);
            h = layer.apply(&h, rows);
        }
        h
    }

    /// The slope of every hidden unit's LeakyReLU at every row of `x` (1 where the unit's input
    /// is >= 0, `slope` below): one `rows x units` matrix, row-major, per hidden layer.
    pub(crate) fn slopes(&self, x: &[f32], rows: usize) -> Vec<Vec<f32>> {
        let last = self.layers.len() - 1;
        let mut out = Vec::with_capacity(last);
        let mut h = self.layers[0].apply(x, rows);
        for layer in &self.layers[1..] {
            out.push(
                h.iter()
                    .map(|&v| if v < 0.0 { self.slope } else { 1.0 })
                    .collect(),
            );
            self.leaky(&mut h);
            h = layer.apply(&h, rows);
        }
        out
    }

    /// The layers `range` applied to `x` on its tape (LeakyReLU after each but the network's
    /// last), with the dfdx copies whose gradients the tape records.
    pub(crate) fn forward_taped<T: Tape<f32, Cpu>>(
        &self,
        dev: &Cpu,
        x: Matrix<T>,
        range: Range<usize>,
    ) -> (Matrix<T>, Taped) {
        let last = self.layers.len() - 1;
        let taped = self.taped(dev, range.clone());
        let mut h = x;
        for (l, dense) in range.zip(&taped.0) {
            h = dense.forward(h);
            if l < last {
                h = h.prelu(self.slope);
            }
        }
        (h, taped)
    }

    /// dfdx copies of the layers `range`, to record an expression of their weights on a tape.
    pub(crate) fn taped(&self, dev: &Cpu, range: Range<usize>) -> Taped {
        Taped(
            self.layers[range]
                .iter()
                .map(|l| {
                    Dense::from_values(dev, l.inputs, l.outputs, l.weight.clone(), l.bias.clone())
                })
                .collect(),
        )
    }

    /// Every parameter (weight, then bias, layer by layer), to be stepped in place.
    pub(crate) fn parameters_mut(&mut self) -> impl Iterator<Item = &mut Vec<f32>> {
        self.layers
            .iter_mut()
            .flat_map(|l| [&mut l.weight, &mut l.bias])
    }

    /// Every parameter's current values, in [`Stack::parameters_mut`] order.
    #[cfg(test)]
    pub(crate) fn parameters(&self) -> Vec<Vec<f32>> {
        self.layers
            .iter()
            .flat_map(|l| [l.weight.clone(), l.bias.clone()])
            .collect()
    }
}

/// The sums of the columns of `m` (row-major, `columns` wide): a bias gradient.
pub(crate) fn column_sums(m: &[f32], columns: usize) -> Vec<f32> {
    let mut sums = vec![0.0; columns];
    for row in m.chunks_exact(columns) {
        sums.iter_mut().zip(row).for_each(|(s, v)| *s += v);
    }
    sums
}

/// Test helpers shared by the modules that write gradients out by hand.
#[cfg(test)]
pub(crate) mod testing {
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use super::Stack;

    /// Glorot weights and biases uniform on (-0.5, 0.5) (non-zero, so that the LeakyReLU slopes
    /// differ between rows and layers), drawn from `seed`.
    pub(crate) fn network(sizes: &[usize], seed: u64) -> Stack {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut net = Stack::glorot(sizes, 0.2, &mut rng);
        for layer in &mut net.layers {
            layer
                .bias
                .iter_mut()
                .for_each(|v| *v = rng.random_range(-0.5f32..0.5));
        }
        net
    }

    /// `n` values uniform on (-2, 2), drawn from `seed`.
    pub(crate) fn values(n: usize, seed: u64) -> Vec<f32> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        (0..n).map(|_| rng.random_range(-2.0f32..2.0)).collect()
    }

    /// Asserts that every gradient in `got` is within float rounding of the one in `want`.
    pub(crate) fn assert_near(got: &[Vec<f32>], want: &[Vec<f32>]) {
        assert_eq!(got.len(), want.len(), "parameter count");
        for (p, (g, w)) in got.iter().zip(want).enumerate() {
            assert_eq!(g.len(), w.len(), "parameter {p}'s length");
            for (k, (a, b)) in g.iter().zip(w).enumerate() {
                assert!(
                    (a - b).abs() <= 1e-5 * (1.0 + b.abs()),
                    "parameter {p} element {k}: {a} against dfdx's {b}"
                );
            }
        }
        assert!(
            want.iter().flatten().any(|v| v.abs() > 1e-3),
            "a test whose gradients are not all zero"
        );
    }
}
