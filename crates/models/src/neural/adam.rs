//! Adam (Kingma & Ba 2015) over flat parameter vectors, with Keras's defaults (beta1 0.9, beta2
//! 0.999, epsilon 1e-7), stepping the layers' dfdx tensors in place.

use dfdx::prelude::*;

use super::dense::Dense;

/// First and second moment estimates of one parameter tensor.
#[derive(Clone, Debug)]
struct Moments {
    first: Vec<f32>,
    second: Vec<f32>,
}

/// Adam state for an ordered list of layers (the order must stay the same between steps).
#[derive(Clone, Debug)]
pub struct Adam {
    learning_rate: f32,
    beta1: f32,
    beta2: f32,
    epsilon: f32,
    steps: i32,
    moments: Vec<Moments>,
    /// Scratch buffers reused between steps (parameter values; gradient values for `step`).
    values: Vec<f32>,
    grads: Vec<f32>,
}

impl Adam {
    /// Adam with learning rate `learning_rate` and Keras's other defaults.
    pub fn new(learning_rate: f32) -> Self {
        Self {
            learning_rate,
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-7,
            steps: 0,
            moments: Vec::new(),
            values: Vec::new(),
            grads: Vec::new(),
        }
    }

    /// One update of every weight and bias of `layers` from the gradients `grads`.
    pub fn step(&mut self, layers: &mut [&mut Dense], grads: &Gradients<f32, Cpu>) {
        let step_size = self.next_step_size();
        let mut scratch = std::mem::take(&mut self.grads);
        let mut index = 0;
        for layer in layers.iter_mut() {
            let g = grads.get(&layer.weight);
            scratch.resize(g.shape().num_elements(), 0.0);
            g.copy_into(&mut scratch);
            self.update(index, &mut layer.weight, &scratch, step_size);
            let g = grads.get(&layer.bias);
            scratch.resize(g.shape().num_elements(), 0.0);
            g.copy_into(&mut scratch);
            self.update(index + 1, &mut layer.bias, &scratch, step_size);
            index += 2;
        }
        self.grads = scratch;
    }

    /// [`Adam::step`] reading the gradients in place rather than through copies (the same
    /// numbers; `grads` is only borrowed mutably because dfdx lends its buffers no other way).
    pub fn step_mut(&mut self, layers: &mut [&mut Dense], grads: &mut Gradients<f32, Cpu>) {
        let step_size = self.next_step_size();
        let mut index = 0;
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
        let t = self.steps;
        let correction1 = 1.0 - self.beta1.powi(t);
        let correction2 = 1.0 - self.beta2.powi(t);
        self.learning_rate * correction2.sqrt() / correction1
    }

    fn update<S: Shape>(
        &mut self,
        index: usize,
        param: &mut Tensor<S, f32, Cpu>,
        grad: &[f32],
        step_size: f32,
    ) {
        let n = param.shape().num_elements();
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
        self.values.resize(n, 0.0);
        param.copy_into(&mut self.values);
        let (b1, b2, eps) = (self.beta1, self.beta2, self.epsilon);
        // Zipped slices (no bounds checks) so that the loop vectorises; every element is computed
        // with the same operations in the same order as one at a time.
        for (((v, &g), first), second) in self
            .values
            .iter_mut()
            .zip(&grad[..n])
            .zip(m.first.iter_mut())
            .zip(m.second.iter_mut())
        {
            *first = b1 * *first + (1.0 - b1) * g;
            *second = b2 * *second + (1.0 - b2) * g * g;
            *v -= step_size * *first / (second.sqrt() + eps);
        }
        param.copy_from(&self.values);
    }
}
