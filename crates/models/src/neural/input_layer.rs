//! The layer that reads the genes: `y = x w + b` on the standardised input, with `w` (`inputs x
//! outputs`) and `b` held as plain vectors outside dfdx (a [`PlainLayer`]).
//!
//! It is the MLP's hidden layer and DA's source and bias mappers: thousands of inputs, so most of
//! a network's arithmetic. Its two products run on this crate's kernels (`matmul`), its output
//! joins dfdx's tape as a tensor whose backward operation keeps what the gradients are made of in
//! an [`InputGradient`] the training loop owns: the batch's input `x` and the gradient `g` of the
//! output, from which Adam computes the weight gradient `x^T g` block by block while it steps `w`
//! in place (the whole gradient is never stored), and the bias gradient. Holding the weights
//! outside dfdx saves two copies of `w` per step (dfdx lends a tensor's values only as copies) and
//! one more for the kernel to read them; the layer needs no input gradient, so it is never
//! computed.

use std::cell::RefCell;
use std::rc::Rc;

use dfdx::prelude::*;
use rand_chacha::ChaCha8Rng;

use super::dense::Matrix;
use super::plain_layer::PlainLayer;

/// `y = x w + b` (see the module docs): a [`PlainLayer`] whose backward pass hands its weight
/// gradient's factors to the optimiser.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct InputLayer(PlainLayer);

/// The gradients of an [`InputLayer`]'s parameters from one backward pass, written by the
/// backward operation [`InputLayer::forward_traced`] puts on the tape; reused between steps.
#[derive(Debug, Default)]
pub(crate) struct InputGradient {
    /// The batch's input, `rows x inputs`, row-major (the weight gradient is `input^T output`).
    pub(crate) input: Vec<f32>,
    /// The gradient of the loss with respect to the layer's output, `rows x outputs`.
    pub(crate) output: Vec<f32>,
    /// Rows of the batch.
    pub(crate) rows: usize,
    /// The bias gradient, `outputs` (the column sums of `output`).
    pub(crate) bias: Vec<f32>,
}

/// An [`InputGradient`] shared with the backward operations of the steps that fill it.
pub(crate) type SharedGradient = Rc<RefCell<InputGradient>>;

impl InputLayer {
    /// Glorot-uniform weights and zero bias ([`PlainLayer::glorot`]).
    pub(crate) fn glorot(inputs: usize, outputs: usize, rng: &mut ChaCha8Rng) -> Self {
        Self(PlainLayer::glorot(inputs, outputs, rng))
    }

    /// A layer from saved values ([`PlainLayer::from_values`]).
    ///
    /// # Panics
    /// If the lengths do not match the sizes (the bundle reader checks shapes first).
    pub(crate) fn from_values(
        inputs: usize,
        outputs: usize,
        weight: Vec<f32>,
        bias: Vec<f32>,
    ) -> Self {
        Self(PlainLayer::from_values(inputs, outputs, weight, bias))
    }

    /// Input size.
    pub(crate) fn inputs(&self) -> usize {
        self.0.inputs
    }

    /// Output size.
    pub(crate) fn outputs(&self) -> usize {
        self.0.outputs
    }

    /// The weights (row-major `inputs x outputs`) and the bias.
    pub(crate) fn values(&self) -> (&[f32], &[f32]) {
        (&self.0.weight, &self.0.bias)
    }

    /// The weights and the bias, to be stepped by the optimiser.
    pub(crate) fn values_mut(&mut self) -> (&mut [f32], &mut [f32]) {
        (&mut self.0.weight, &mut self.0.bias)
    }

    /// The layer's output for `rows` rows of `x`, as a tensor without a tape (prediction).
    pub(crate) fn forward(&self, dev: &Cpu, x: &[f32], rows: usize) -> Matrix {
        dev.tensor_from_vec(self.0.apply(x, rows), (rows, self.0.outputs))
    }

    /// The layer's output for `rows` rows of `x`, starting a tape whose backward pass leaves the
    /// gradients of the weights (as `x` and the output's gradient) and of the bias in `gradient`.
    pub(crate) fn forward_traced(
        &self,
        dev: &Cpu,
        x: Vec<f32>,
        rows: usize,
        gradient: &SharedGradient,
    ) -> Matrix<OwnedTape<f32, Cpu>> {
        let output = self.forward(dev, &x, rows);
        let output_ghost = output.ghost();
        let (output, mut tape) = output.leaky_traced().split_tape();
        let gradient = Rc::clone(gradient);
        let outputs = self.0.outputs;
        tape.add_backward_op(move |grads| {
            // d loss / d output, filled by the operations after this one (run before it).
            let mut g = grads.get(&output_ghost).as_vec();
            // A confident network's gradients are subnormal, slow in the weight gradient's kernel.
            super::subnormal::flush_all(&mut g);
            let mut gradient = gradient.borrow_mut();
            gradient.bias.clear();
            gradient.bias.resize(outputs, 0.0);
            for row in g.chunks_exact(outputs) {
                for (b, v) in gradient.bias.iter_mut().zip(row) {
                    *b += v;
                }
            }
            gradient.input = x;
            gradient.output = g;
            gradient.rows = rows;
            Ok(())
        });
        output.put_tape(tape)
    }
}

#[cfg(test)]
mod tests {
    use super::super::dense::Dense;
    use super::super::matmul;
    use super::*;
    use rand::SeedableRng;

    /// The layer, its gradients and its initialisation agree with dfdx's dense layer (the
    /// gradient of `sum(relu(y))`).
    #[test]
    fn agrees_with_dfdx() {
        let dev = Cpu::seed_from_u64(0);
        let (rows, inputs, outputs) = (9, 37, 21);
        let layer = InputLayer::glorot(inputs, outputs, &mut ChaCha8Rng::seed_from_u64(3));
        let mut dense = Dense::glorot(&dev, inputs, outputs, &mut ChaCha8Rng::seed_from_u64(3));
        assert_eq!(dense.values().0, layer.values().0);
        let bias: Vec<f32> = (0..outputs).map(|j| j as f32 * 0.1 - 1.0).collect();
        let layer = InputLayer::from_values(inputs, outputs, layer.0.weight.clone(), bias.clone());
        dense.bias = dev.tensor_from_vec(bias, (outputs,));
        let x: Vec<f32> = (0..rows * inputs)
            .map(|i| ((i * 7) % 13) as f32 / 6.5 - 1.0)
            .collect();

        let gradient = SharedGradient::default();
        let ours = layer.forward_traced(&dev, x.clone(), rows, &gradient);
        let ours_values = ours.as_vec();
        let _ = ours.relu().sum::<(), _>().backward();
        let theirs = dense.forward(dev.tensor_from_vec(x, (rows, inputs)).leaky_trace());
        let theirs_values = theirs.as_vec();
        let grads = theirs.relu().sum::<(), _>().backward();

        let near = |a: &[f32], b: &[f32]| {
            assert_eq!(a.len(), b.len());
            for (x, y) in a.iter().zip(b) {
                assert!((x - y).abs() <= 1e-5 * (1.0 + y.abs()), "{x} against {y}");
            }
        };
        near(&ours_values, &theirs_values);
        let gradient = gradient.borrow();
        let mut weight = vec![0.0; inputs * outputs];
        let g = &gradient.output;
        matmul::weight_gradient(&gradient.input, g, &mut weight, rows, inputs, outputs);
        near(&weight, &grads.get(&dense.weight).as_vec());
        near(&gradient.bias, &grads.get(&dense.bias).as_vec());
    }
}
