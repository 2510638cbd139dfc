//! A fully connected layer whose sizes are known only at run time (gene counts come from the data,
//! so dfdx's const-generic `nn::Linear` does not fit), and the flat form it is saved in.

use dfdx::prelude::*;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

thread_local! {
    /// The weight gradient of [`Dense::forward_input`] before it is added to the tape's buffer
    /// (reused so that each step does not fault in a fresh allocation).
    static GRAD_SCRATCH: std::cell::RefCell<Vec<f32>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// A runtime-sized 2-D tensor on the CPU.
pub type Matrix<T = NoneTape> = Tensor<(usize, usize), f32, Cpu, T>;

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
        let limit = (6.0 / (inputs + outputs) as f64).sqrt() as f32;
        let w: Vec<f32> = (0..inputs * outputs)
            .map(|_| rng.random_range(-limit..limit))
            .collect();
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

    /// Applies the layer to the network's input, data that needs no gradient: the tape starts here
    /// and records the gradients of the weights and the bias only.
    ///
    /// The same as `forward(x.leaky_trace())` bit for bit, without the `rows x inputs` input
    /// gradient that dfdx's matmul backward always computes (one of the three GEMMs of the first
    /// layer, the largest layer of the MLP). The weight gradient `x^T g` is the very GEMM dfdx's
    /// backward runs (same gemm call, same strides), accumulated into a zeroed buffer as dfdx does.
    pub fn forward_input(&self, x: Matrix) -> Matrix<OwnedTape<f32, Cpu>> {
        let rows = x.shape().0;
        let out = self.outputs();
        let product = x.clone().matmul(self.weight.clone());
        let product_ghost = product.ghost();
        let (product, mut tape) = product.leaky_traced().split_tape();
        let weight = self.weight.clone();
        tape.add_backward_op(move |grads| {
            // d loss / d (x w), filled by the operations after this one (run before it).
            let grad_out = grads.get(&product_ghost);
            let product = x.permute::<(usize, usize), Axes2<1, 0>>().matmul(grad_out);
            let buffer = grads.get_or_alloc_mut(&weight)?;
            GRAD_SCRATCH.with_borrow_mut(|scratch| {
                scratch.resize(product.shape().num_elements(), 0.0);
                product.copy_into(scratch);
                for (g, d) in buffer.iter_mut().zip(scratch.iter()) {
                    *g += *d;
                }
            });
            Ok(())
        });
        product.put_tape(tape) + self.bias.clone().broadcast_like::<_, Axis<0>>(&(rows, out))
    }

    /// The weights and bias as flat vectors (for saving and for the optimiser).
    pub fn values(&self) -> (Vec<f32>, Vec<f32>) {
        (self.weight.as_vec(), self.bias.as_vec())
    }
}
