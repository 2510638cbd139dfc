//! Adam (Kingma & Ba 2015) with its betas as parameters, over the flat parameter vectors of a
//! [`Stack`].
//!
//! The MLP's Adam (private to `rnameta-models`) fixes Keras's betas (0.9, 0.999); WGAN-GP trains with
//! beta1 0.5 and beta2 0.9 (Gulrajani et al. 2017, Algorithm 1), because a long first-moment
//! memory makes the two players' alternating updates oscillate. It also steps layers held in
//! dfdx tensors, and the GAN's are plain vectors (`network.rs`).

use rayon::prelude::*;

use super::network::Stack;

/// Parameters per parallel block of an update (64 KiB of each of the four arrays).
const PARALLEL_BLOCK: usize = 16_384;

/// Adam state for the parameters of one [`Stack`] (weights and biases, layer by layer): the two
/// moments; the values are the network's own, stepped in place.
#[derive(Clone, Debug)]
pub(crate) struct Adam {
    learning_rate: f32,
    beta1: f32,
    beta2: f32,
    epsilon: f32,
    steps: i32,
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
            first: Vec::new(),
            second: Vec::new(),
        }
    }

    /// One update of every parameter of `net` from `grads` (in [`Stack::parameters_mut`]
    /// order). `net` must be the network of the earlier steps.
    pub(crate) fn step(&mut self, net: &mut Stack, grads: &[Vec<f32>]) {
        if self.first.is_empty() {
            self.first = grads.iter().map(|g| vec![0.0; g.len()]).collect();
            self.second = self.first.clone();
        }
        debug_assert_eq!(grads.len(), self.first.len());
        self.steps += 1;
        let t = self.steps;
        let correction1 = 1.0 - self.beta1.powi(t);
        let correction2 = 1.0 - self.beta2.powi(t);
        let step_size = self.learning_rate * correction2.sqrt() / correction1;
        let (b1, b2) = (self.beta1, self.beta2);
        let eps = self.epsilon * correction2.sqrt();
        // Zipped slices, no indexing: the loop is vectorised (the same operations per element as
        // one at a time, so the same values bit for bit).
        let update = |v: &mut [f32], g: &[f32], m: &mut [f32], s: &mut [f32]| {
            for (((v, &g), m), s) in v.iter_mut().zip(g).zip(m.iter_mut()).zip(s.iter_mut()) {
                *m = b1 * *m + (1.0 - b1) * g;
                *s = b2 * *s + (1.0 - b2) * g * g;
                *v -= step_size * *m / (s.sqrt() + eps);
            }
        };
        for (((v, g), m), s) in net
            .parameters_mut()
            .zip(grads)
            .zip(&mut self.first)
            .zip(&mut self.second)
        {
            debug_assert_eq!(v.len(), g.len());
            // The genes-wide layers' 1.4 million weights in blocks on both cores (each element's
            // update is the same whichever thread makes it).
            v.par_chunks_mut(PARALLEL_BLOCK)
                .zip(g.par_chunks(PARALLEL_BLOCK))
                .zip(m.par_chunks_mut(PARALLEL_BLOCK))
                .zip(s.par_chunks_mut(PARALLEL_BLOCK))
                .for_each(|(((v, g), m), s)| update(v, g, m, s));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn first_step_moves_each_parameter_by_the_learning_rate_against_its_gradient_sign() {
        // With bias correction the first Adam step is lr * g / (|g| + eps) ~ lr * sign(g).
        let mut net = Stack::glorot(&[2, 1], 0.2, &mut ChaCha8Rng::seed_from_u64(1));
        let before = net.parameters();
        let grads = vec![vec![0.5, -2.0], vec![3.0]];
        Adam::new(0.01, 0.5, 0.9).step(&mut net, &grads);
        let after = net.parameters();
        assert!((after[0][0] - (before[0][0] - 0.01)).abs() < 1e-6);
        assert!((after[0][1] - (before[0][1] + 0.01)).abs() < 1e-6);
        assert!((after[1][0] - (before[1][0] - 0.01)).abs() < 1e-6);
    }
}
