//! Adam (Kingma & Ba 2015) with its betas as parameters, over the flat parameter vectors of a
//! [`Stack`].
//!
//! `rnameta_models::neural::kit::Adam` fixes Keras's betas (0.9, 0.999); WGAN-GP trains with
//! beta1 0.5 and beta2 0.9 (Gulrajani et al. 2017, Algorithm 1), because a long first-moment
//! memory makes the two players' alternating updates oscillate. It also takes dfdx gradients
//! only, and the critic's gradient here is the sum of two backward passes (loss and penalty).

use super::network::Stack;

/// Adam state for the parameters of one [`Stack`] (weights and biases, layer by layer).
///
/// It keeps the parameters' values beside their moments: the network is only ever changed by
/// [`Adam::step`], so the values are read from it once (the first step) and written to it after
/// each step, instead of being copied out of it at every step too (a critic of 5,000 genes has
/// 1.3 million weights, and it takes five steps per generator step).
#[derive(Clone, Debug)]
pub(crate) struct Adam {
    learning_rate: f32,
    beta1: f32,
    beta2: f32,
    epsilon: f32,
    steps: i32,
    values: Vec<Vec<f32>>,
    first: Vec<Vec<f32>>,
    second: Vec<Vec<f32>>,
}

impl Adam {
    /// Adam with the given learning rate and betas, epsilon 1e-8 (the paper's and PyTorch's).
    pub(crate) fn new(learning_rate: f32, beta1: f32, beta2: f32) -> Self {
        Self {
            learning_rate,
            beta1,
            beta2,
            epsilon: 1e-8,
            steps: 0,
            values: Vec::new(),
            first: Vec::new(),
            second: Vec::new(),
        }
    }

    /// One update of every parameter of `net` from `grads` (in [`Stack::parameters`] order).
    /// `net` must be the network of the earlier steps, changed by nothing else in between.
    pub(crate) fn step(&mut self, net: &mut Stack, grads: &[Vec<f32>]) {
        if self.values.is_empty() {
            self.values = net.parameters();
            self.first = self.values.iter().map(|v| vec![0.0; v.len()]).collect();
            self.second = self.first.clone();
        }
        debug_assert_eq!(grads.len(), self.values.len());
        self.steps += 1;
        let t = self.steps;
        let correction1 = 1.0 - self.beta1.powi(t);
        let correction2 = 1.0 - self.beta2.powi(t);
        let step_size = self.learning_rate * correction2.sqrt() / correction1;
        let (b1, b2) = (self.beta1, self.beta2);
        let eps = self.epsilon * correction2.sqrt();
        for (((v, g), m), s) in self
            .values
            .iter_mut()
            .zip(grads)
            .zip(&mut self.first)
            .zip(&mut self.second)
        {
            // Zipped slices, no indexing: the loop is vectorised (the same operations per
            // element as one at a time, so the same values bit for bit).
            for (((v, &g), m), s) in v.iter_mut().zip(g).zip(m.iter_mut()).zip(s.iter_mut()) {
                *m = b1 * *m + (1.0 - b1) * g;
                *s = b2 * *s + (1.0 - b2) * g * g;
                *v -= step_size * *m / (s.sqrt() + eps);
            }
        }
        net.set_parameters(&self.values);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;
    use rnameta_models::neural::kit::device;

    #[test]
    fn first_step_moves_each_parameter_by_the_learning_rate_against_its_gradient_sign() {
        // With bias correction the first Adam step is lr * g / (|g| + eps) ~ lr * sign(g).
        let dev = device(0);
        let mut net = Stack::glorot(&dev, &[2, 1], 0.2, &mut ChaCha8Rng::seed_from_u64(1));
        let before = net.parameters();
        let grads = vec![vec![0.5, -2.0], vec![3.0]];
        Adam::new(0.01, 0.5, 0.9).step(&mut net, &grads);
        let after = net.parameters();
        assert!((after[0][0] - (before[0][0] - 0.01)).abs() < 1e-6);
        assert!((after[0][1] - (before[0][1] + 0.01)).abs() < 1e-6);
        assert!((after[1][0] - (before[1][0] - 0.01)).abs() < 1e-6);
    }
}
