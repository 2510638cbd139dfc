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
    /// Scratch buffers reused between steps (parameter values, gradient values).
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
        self.steps += 1;
        let t = self.steps;
        let correction1 = 1.0 - self.beta1.powi(t);
        let correction2 = 1.0 - self.beta2.powi(t);
        let step_size = self.learning_rate * correction2.sqrt() / correction1;
        let mut index = 0;
        for layer in layers.iter_mut() {
            self.update(index, &mut layer.weight, grads, step_size);
            self.update(index + 1, &mut layer.bias, grads, step_size);
            index += 2;
        }
    }

    fn update<S: Shape>(
        &mut self,
        index: usize,
        param: &mut Tensor<S, f32, Cpu>,
        grads: &Gradients<f32, Cpu>,
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
        self.grads.resize(n, 0.0);
        param.copy_into(&mut self.values);
        grads.get(&*param).copy_into(&mut self.grads);
        let (b1, b2, eps) = (self.beta1, self.beta2, self.epsilon);
        for i in 0..n {
            let g = self.grads[i];
            m.first[i] = b1 * m.first[i] + (1.0 - b1) * g;
            m.second[i] = b2 * m.second[i] + (1.0 - b2) * g * g;
            self.values[i] -= step_size * m.first[i] / (m.second[i].sqrt() + eps);
        }
        param.copy_from(&self.values);
    }
}
