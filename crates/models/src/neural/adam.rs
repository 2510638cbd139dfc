//! Adam (Kingma & Ba 2015) over flat parameter vectors, with Keras's defaults (beta1 0.9, beta2
//! 0.999, epsilon 1e-7), stepping the layers' dfdx tensors and the input layer's vectors in place.

use dfdx::prelude::*;
use rayon::prelude::*;

use super::dense::Dense;
use super::input_layer::{InputGradient, InputLayer};
use super::subnormal::flush;

/// First and second moment estimates of one parameter tensor.
#[derive(Clone, Debug)]
struct Moments {
    first: Vec<f32>,
    second: Vec<f32>,
}

/// Adam state for an ordered list of layers (the order must stay the same between steps).
#[derive(Clone, Debug)]
pub(crate) struct Adam {
    learning_rate: f32,
    beta1: f32,
    beta2: f32,
    epsilon: f32,
    steps: i32,
    moments: Vec<Moments>,
    /// Scratch buffer for a dfdx parameter's values, reused between steps.
    values: Vec<f32>,
}

impl Adam {
    /// Adam with learning rate `learning_rate` and Keras's other defaults.
    pub(crate) fn new(learning_rate: f32) -> Self {
        Self {
            learning_rate,
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-7,
            steps: 0,
            moments: Vec::new(),
            values: Vec::new(),
        }
    }

    /// One update of a network whose first layer is an [`InputLayer`] (its gradients in
    /// `input_gradient`) followed by `layers` (their gradients in `grads`, from the same backward
    /// pass; read in place, `grads` is only borrowed mutably because dfdx lends its buffers no
    /// other way).
    pub(crate) fn step(
        &mut self,
        input: &mut InputLayer,
        input_gradient: &InputGradient,
        layers: &mut [&mut Dense],
        grads: &mut Gradients<f32, Cpu>,
    ) {
        let step_size = self.next_step_size();
        let (inputs, outputs) = (input.inputs(), input.outputs());
        let (weight, bias) = input.values_mut();
        let rule = self.rule(step_size);
        let m = self.moments_of(0, weight.len());
        let g = input_gradient;
        // The weight gradient x^T g, block by block, each block applied at once.
        super::matmul::apply_weight_gradient(
            &g.input,
            &g.output,
            g.rows,
            inputs,
            outputs,
            [weight, &mut m.first, &mut m.second],
            |gradient, [w, first, second]| rule.apply(w, gradient, first, second),
        );
        self.update_values(1, bias, &input_gradient.bias, step_size);
        let mut index = 2;
        for layer in layers.iter_mut() {
            let g = grads
                .get_or_alloc_mut(&layer.weight)
                .expect("CPU gradient buffer");
            self.update(index, &mut layer.weight, g, step_size);
            let g = grads
                .get_or_alloc_mut(&layer.bias)
                .expect("CPU gradient buffer");
            self.update(index + 1, &mut layer.bias, g, step_size);
            index += 2;
        }
    }

    /// Counts the step and returns its bias-corrected step size.
    fn next_step_size(&mut self) -> f32 {
        self.steps += 1;
        // Never a constant to the optimiser: LLVM folds `powi` of a known exponent in higher
        // precision than the run-time `powi` computes, so a caller whose step count it could
        // follow (the plain loop of this module's test, in a release build) got other step sizes
        // than training does.
        let t = std::hint::black_box(self.steps);
        let correction1 = 1.0 - self.beta1.powi(t);
        let correction2 = 1.0 - self.beta2.powi(t);
        self.learning_rate * correction2.sqrt() / correction1
    }

    /// Steps the dfdx tensor `param` (parameter `index`) by its gradient `grad`.
    fn update<S: Shape>(
        &mut self,
        index: usize,
        param: &mut Tensor<S, f32, Cpu>,
        grad: &[f32],
        step_size: f32,
    ) {
        let mut values = std::mem::take(&mut self.values);
        values.resize(param.shape().num_elements(), 0.0);
        param.copy_into(&mut values);
        self.update_values(index, &mut values, grad, step_size);
        param.copy_from(&values);
        self.values = values;
    }

    /// The update of this step.
    fn rule(&self, step_size: f32) -> Rule {
        Rule {
            beta1: self.beta1,
            beta2: self.beta2,
            epsilon: self.epsilon,
            step_size,
        }
    }

    /// The moments of parameter `index`, of `n` values (zero the first time).
    fn moments_of(&mut self, index: usize, n: usize) -> &mut Moments {
        if self.moments.len() <= index {
            self.moments.resize(
                index + 1,
                Moments {
                    first: Vec::new(),
                    second: Vec::new(),
                },
            );
        }
        let m = &mut self.moments[index];
        if m.first.len() != n {
            m.first = vec![0.0; n];
            m.second = vec![0.0; n];
        }
        m
    }

    /// Steps the values of parameter `index` in place by its gradient `grad`.
    fn update_values(&mut self, index: usize, values: &mut [f32], grad: &[f32], step_size: f32) {
        let n = values.len();
        let rule = self.rule(step_size);
        let m = self.moments_of(index, n);
        let grad = &grad[..n];
        if n < PARALLEL_MIN {
            rule.apply(values, grad, &mut m.first, &mut m.second);
            return;
        }
        // Each element's update reads only its own values, so splitting changes no number.
        values
            .par_chunks_mut(PARALLEL_CHUNK)
            .zip(grad.par_chunks(PARALLEL_CHUNK))
            .zip(m.first.par_chunks_mut(PARALLEL_CHUNK))
            .zip(m.second.par_chunks_mut(PARALLEL_CHUNK))
            .for_each(|(((v, g), first), second)| rule.apply(v, g, first, second));
    }
}

/// Parameters with at least this many values are stepped in parallel: the update of a large
/// input layer (7,000 x 128) is bound by memory bandwidth, which one core does not exhaust.
const PARALLEL_MIN: usize = 1 << 16;
/// Values per parallel task.
const PARALLEL_CHUNK: usize = 1 << 14;

/// One Adam update with its step size.
#[derive(Clone, Copy)]
struct Rule {
    beta1: f32,
    beta2: f32,
    epsilon: f32,
    step_size: f32,
}

impl Rule {
    /// Updates `values` and their moments by `grad` (all the same length), with 256-bit vectors
    /// where the CPU has AVX2 (the same numbers: the loop's operations are IEEE additions,
    /// multiplications, divisions and square roots, exact whatever the vector width, and Rust
    /// never fuses them).
    fn apply(&self, values: &mut [f32], grad: &[f32], first: &mut [f32], second: &mut [f32]) {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2 (checked above).
            unsafe { self.apply_avx2(values, grad, first, second) };
            return;
        }
        self.apply_here(values, grad, first, second);
    }

    /// [`Rule::apply`] compiled for AVX2.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn apply_avx2(
        &self,
        values: &mut [f32],
        grad: &[f32],
        first: &mut [f32],
        second: &mut [f32],
    ) {
        self.apply_here(values, grad, first, second);
    }

    /// The update itself, compiled into each caller.
    #[inline(always)]
    fn apply_here(&self, values: &mut [f32], grad: &[f32], first: &mut [f32], second: &mut [f32]) {
        let (b1, b2, eps, step_size) = (self.beta1, self.beta2, self.epsilon, self.step_size);
        let n = values.len();
        let (grad, first, second) = (&grad[..n], &mut first[..n], &mut second[..n]);
        // Zipped slices (no bounds checks) so that the loop vectorises; every element is computed
        // with the same operations in the same order as one at a time.
        for (((v, &g), first), second) in values
            .iter_mut()
            .zip(grad)
            .zip(first.iter_mut())
            .zip(second.iter_mut())
        {
            // Subnormal gradients and moments (a confident network's, a dead unit's decaying
            // moments) are flushed: identical results without them, far faster with them.
            let g = flush(g);
            *first = flush(b1 * *first + (1.0 - b1) * g);
            *second = flush(b2 * *second + (1.0 - b2) * g * g);
            *v -= step_size * *first / (second.sqrt() + eps);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// The input layer's step (gradient computed block by block and applied at once, AVX2 where
    /// there is) gives, bit for bit, what the whole gradient stepped element by element gives.
    #[test]
    fn the_fused_input_step_is_the_plain_step() {
        let (rows, inputs, outputs) = (10, 50, 24);
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        let mut random =
            |n: usize| -> Vec<f32> { (0..n).map(|_| rng.random_range(-1.0f32..1.0)).collect() };
        let weight = random(inputs * outputs);
        let gradient = InputGradient {
            input: random(rows * inputs),
            output: random(rows * outputs),
            rows,
            bias: random(outputs),
        };
        let mut layer =
            InputLayer::from_values(inputs, outputs, weight.clone(), vec![0.0; outputs]);
        let mut adam = Adam::new(1e-3);
        let mut grads = Gradients::leaky();
        for _ in 0..3 {
            adam.step(&mut layer, &gradient, &mut [], &mut grads);
        }

        let mut whole = vec![0.0; inputs * outputs];
        super::super::matmul::weight_gradient(
            &gradient.input,
            &gradient.output,
            &mut whole,
            rows,
            inputs,
            outputs,
        );
        let (mut w, mut first, mut second) =
            (weight, vec![0.0; whole.len()], vec![0.0; whole.len()]);
        let mut plain = Adam::new(1e-3);
        for _ in 0..3 {
            let step_size = plain.next_step_size();
            let rule = plain.rule(step_size);
            for i in 0..w.len() {
                rule.apply_here(
                    &mut w[i..i + 1],
                    &whole[i..i + 1],
                    &mut first[i..i + 1],
                    &mut second[i..i + 1],
                );
            }
        }
        assert!(layer.values().0 == w.as_slice(), "the fused step differs");
    }
}
