//! The one network shape both GAN players use: dense layers with LeakyReLU between them and a
//! linear output (`[in] -> dense -> LeakyReLU -> ... -> dense -> [out]`), built from
//! `rnameta_models::neural::kit`'s runtime-sized [`Dense`] layers.
//!
//! For the critic the shape matters beyond taste: with LeakyReLU hidden layers and a linear
//! output the critic is piecewise linear in its input, which is what lets `penalty.rs` compute the
//! gradient penalty's weight gradients exactly without double backward.

use dfdx::prelude::*;
use rand_chacha::ChaCha8Rng;
use rnameta_models::neural::kit::{Dense, Matrix};

/// Dense layers with LeakyReLU (negative slope `slope`) after every layer but the last.
#[derive(Clone, Debug)]
pub(crate) struct Stack {
    /// The layers, input first.
    pub(crate) layers: Vec<Dense>,
    /// Negative slope of the LeakyReLUs.
    pub(crate) slope: f32,
}

impl Stack {
    /// Glorot-initialised layers of sizes `sizes` (`[inputs, hidden..., outputs]`, at least two
    /// entries), drawn from `rng` in layer order.
    pub(crate) fn glorot(dev: &Cpu, sizes: &[usize], slope: f32, rng: &mut ChaCha8Rng) -> Self {
        let layers = sizes
            .windows(2)
            .map(|w| Dense::glorot(dev, w[0], w[1], rng))
            .collect();
        Self { layers, slope }
    }

    /// Input size.
    pub(crate) fn inputs(&self) -> usize {
        self.layers[0].inputs()
    }

    /// Output size.
    pub(crate) fn outputs(&self) -> usize {
        self.layers[self.layers.len() - 1].outputs()
    }

    /// The network applied to the rows of `x`; the tape of `x` (if any) records every layer's
    /// weight and bias gradients.
    pub(crate) fn forward<T: Tape<f32, Cpu>>(&self, x: Matrix<T>) -> Matrix<T> {
        let last = self.layers.len() - 1;
        let mut h = x;
        for (i, layer) in self.layers.iter().enumerate() {
            h = layer.forward(h);
            if i < last {
                h = h.prelu(self.slope);
            }
        }
        h
    }

    /// The slope of every hidden unit's LeakyReLU at every row of `x` (1 where the unit's input
    /// is >= 0, `slope` below, as dfdx's `prelu` decides): one `rows x units` matrix, row-major,
    /// per hidden layer.
    pub(crate) fn slopes(&self, x: Matrix) -> Vec<Vec<f32>> {
        let last = self.layers.len() - 1;
        let mut out = Vec::with_capacity(last);
        let mut h = x;
        for layer in &self.layers[..last] {
            let pre = layer.forward(h);
            out.push(
                pre.as_vec()
                    .iter()
                    .map(|&v| if v < 0.0 { self.slope } else { 1.0 })
                    .collect(),
            );
            h = pre.prelu(self.slope);
        }
        out
    }

    /// The gradient of every parameter (weight, then bias, layer by layer) in `grads`, as flat
    /// row-major vectors in [`Stack::parameters`] order.
    pub(crate) fn gradients(&self, grads: &Gradients<f32, Cpu>) -> Vec<Vec<f32>> {
        self.layers
            .iter()
            .flat_map(|l| [grads.get(&l.weight).as_vec(), grads.get(&l.bias).as_vec()])
            .collect()
    }

    /// Every parameter's current values (weight, then bias, layer by layer), flat.
    pub(crate) fn parameters(&self) -> Vec<Vec<f32>> {
        self.layers
            .iter()
            .flat_map(|l| {
                let (w, b) = l.values();
                [w, b]
            })
            .collect()
    }

    /// Replaces every parameter's values (same order and lengths as [`Stack::parameters`]).
    pub(crate) fn set_parameters(&mut self, values: &[Vec<f32>]) {
        for (layer, pair) in self.layers.iter_mut().zip(values.chunks(2)) {
            layer.weight.copy_from(&pair[0]);
            layer.bias.copy_from(&pair[1]);
        }
    }
}
