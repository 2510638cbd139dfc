//! A fully connected layer whose sizes are known only at run time (gene counts come from the data,
//! so dfdx's const-generic `nn::Linear` does not fit), and the flat form it is saved in.

use dfdx::prelude::*;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

/// A runtime-sized 2-D tensor on the CPU.
pub type Matrix<T = NoneTape> = Tensor<(usize, usize), f32, Cpu, T>;

/// Glorot-uniform values of an `inputs x outputs` weight matrix, row-major: uniform on
/// `(-l, l)` with `l = sqrt(6 / (inputs + outputs))`, as Keras initialises a `Dense` layer.
pub fn glorot_values(inputs: usize, outputs: usize, rng: &mut ChaCha8Rng) -> Vec<f32> {
    let limit = (6.0 / (inputs + outputs) as f64).sqrt() as f32;
    (0..inputs * outputs)
        .map(|_| rng.random_range(-limit..limit))
        .collect()
}

/// `y = x w + b`: weights `inputs x outputs`, bias `outputs`.
#[derive(Clone, Debug)]
pub struct Dense {
    /// Weights, `inputs x outputs`.
    pub weight: Matrix,
    /// Bias, `outputs`.
    pub bias: Tensor<(usize,), f32, Cpu>,
}

impl Dense {
    /// Glorot-uniform weights and zero bias, as Keras initialises a `Dense` layer (the paper's
    /// models are Keras models).
    pub fn glorot(dev: &Cpu, inputs: usize, outputs: usize, rng: &mut ChaCha8Rng) -> Self {
        let w = glorot_values(inputs, outputs, rng);
        Self {
            weight: dev.tensor_from_vec(w, (inputs, outputs)),
            bias: dev.tensor_from_vec(vec![0.0; outputs], (outputs,)),
        }
    }

    /// A layer from saved values (`weight` row-major `inputs x outputs`).
    pub fn from_values(
        dev: &Cpu,
        inputs: usize,
        outputs: usize,
        weight: Vec<f32>,
        bias: Vec<f32>,
    ) -> Self {
        Self {
            weight: dev.tensor_from_vec(weight, (inputs, outputs)),
            bias: dev.tensor_from_vec(bias, (outputs,)),
        }
    }

    /// Input size.
    pub fn inputs(&self) -> usize {
        self.weight.shape().0
    }

    /// Output size.
    pub fn outputs(&self) -> usize {
        self.weight.shape().1
    }

    /// Applies the layer; the tape of `x` (if any) records the weights' gradients.
    pub fn forward<T: Tape<f32, Cpu>>(&self, x: Matrix<T>) -> Matrix<T> {
        let rows = x.shape().0;
        let out = self.outputs();
        x.matmul(self.weight.clone()) + self.bias.clone().broadcast_like::<_, Axis<0>>(&(rows, out))
    }

    /// The weights and bias as flat vectors (for saving and for the optimiser).
    pub fn values(&self) -> (Vec<f32>, Vec<f32>) {
        (self.weight.as_vec(), self.bias.as_vec())
    }
}
