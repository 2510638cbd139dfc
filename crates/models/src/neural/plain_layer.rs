//! A dense layer `y = x w + b` whose parameters are plain row-major vectors outside dfdx, with
//! its passes on this crate's kernels (`matmul`).
//!
//! Layers that read the genes hold most of a network's arithmetic, thousands of inputs by a few
//! hundred outputs: the MLP's hidden layer and DA's mappers ([`super::input_layer::InputLayer`]
//! wraps one) and every layer of `rnameta-augment`'s GAN. Held as plain vectors, the weights are
//! read by the kernels where they are and stepped in place by an optimiser, without the copies
//! dfdx makes to lend a tensor's values.

use rand_chacha::ChaCha8Rng;

use super::dense::glorot_values;
use super::matmul;

/// One dense layer `y = x w + b`, its parameters as plain vectors.
#[derive(Clone, Debug, PartialEq)]
pub struct PlainLayer {
    /// Input size.
    pub inputs: usize,
    /// Output size.
    pub outputs: usize,
    /// `inputs x outputs`, row-major.
    pub weight: Vec<f32>,
    /// `outputs`.
    pub bias: Vec<f32>,
}

impl PlainLayer {
    /// Glorot-uniform weights and zero bias, drawn as `kit::Dense::glorot` draws them (so a
    /// network starts from the same numbers whichever type holds a layer).
    pub fn glorot(inputs: usize, outputs: usize, rng: &mut ChaCha8Rng) -> Self {
        Self {
            inputs,
            outputs,
            weight: glorot_values(inputs, outputs, rng),
            bias: vec![0.0; outputs],
        }
    }

    /// A layer from saved values (`weight` row-major `inputs x outputs`).
    ///
    /// # Panics
    /// If the lengths do not match the sizes (readers of saved layers check shapes first).
    pub fn from_values(inputs: usize, outputs: usize, weight: Vec<f32>, bias: Vec<f32>) -> Self {
        assert_eq!(weight.len(), inputs * outputs, "weight is inputs x outputs");
        assert_eq!(bias.len(), outputs, "bias has one value per output");
        Self {
            inputs,
            outputs,
            weight,
            bias,
        }
    }

    /// `x w + b` for the `rows` rows of `x` (row-major `rows x inputs`), row-major, on the
    /// kernels ([`matmul::product`]).
    ///
    /// # Panics
    /// If `x` is not `rows x inputs`.
    pub fn apply(&self, x: &[f32], rows: usize) -> Vec<f32> {
        let mut out = vec![0.0; rows * self.outputs];
        matmul::product(x, &self.weight, &mut out, rows, self.inputs, self.outputs);
        for row in out.chunks_exact_mut(self.outputs.max(1)) {
            row.iter_mut().zip(&self.bias).for_each(|(y, b)| *y += b);
        }
        out
    }

    /// `w a^T` for the `rows` rows of `a` (row-major `rows x outputs`): the gradient `a w^T`
    /// with respect to the layer's inputs, transposed (`inputs x rows`), which lets the kernel
    /// read `w` where it is.
    pub fn input_gradient_transposed(&self, a: &[f32], rows: usize) -> Vec<f32> {
        let mut out = vec![0.0; self.inputs * rows];
        matmul::product(
            &self.weight,
            &transpose(a, rows, self.outputs),
            &mut out,
            self.inputs,
            self.outputs,
            rows,
        );
        out
    }
}

/// `src` (row-major `rows x columns`) transposed: row-major `columns x rows`.
pub fn transpose(src: &[f32], rows: usize, columns: usize) -> Vec<f32> {
    debug_assert_eq!(src.len(), rows * columns);
    // Blocks of 16 x 16, so that both sides are read and written a cache line at a time.
    const BLOCK: usize = 16;
    let mut out = vec![0.0; src.len()];
    for r0 in (0..rows).step_by(BLOCK) {
        for c0 in (0..columns).step_by(BLOCK) {
            for r in r0..(r0 + BLOCK).min(rows) {
                for c in c0..(c0 + BLOCK).min(columns) {
                    out[c * rows + r] = src[r * columns + c];
                }
            }
        }
    }
    out
}
