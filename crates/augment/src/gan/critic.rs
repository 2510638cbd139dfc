//! The projection critic (Miyato & Koyama 2018) and its Wasserstein loss on one batch.
//!
//! The critic is a [`Stack`] over the sample alone whose last layer has `1 + condition columns`
//! outputs `o(x)`; the score of a sample `x` with condition one-hots `c` is `o_0(x) + c . o_1..(x)`,
//! i.e. the row `[1 | c]` of the projection matrix times the outputs. That is an unconditional
//! score plus the inner product of the last hidden layer with the condition's embedding (the
//! output weights of its columns): with thousands of genes, a class one-hot concatenated to the
//! input is one column among thousands and the critic barely sees it, while the projection makes
//! the class choose the direction in which the critic scores. No batch normalisation (it would make
//! the gradient penalty per batch rather than per sample, as Gulrajani et al. note) and no output
//! non-linearity (a Wasserstein critic scores, it does not classify).

use dfdx::prelude::*;
use rnameta_models::neural::kit::Matrix;

use super::network::Stack;

/// The critic's Wasserstein loss on one batch.
#[derive(Debug, Clone)]
pub(crate) struct CriticLoss {
    /// Mean score of the real rows.
    pub(crate) mean_real: f32,
    /// Mean score of the generated rows.
    pub(crate) mean_fake: f32,
    /// Gradient of `mean_fake - mean_real` for every parameter ([`Stack::parameters`] order).
    pub(crate) grads: Vec<Vec<f32>>,
}

/// Scores `input` (row-major samples: `real` real rows, then `fake` generated rows) with the
/// projection rows `projection` (`[1 | condition]` per row) and differentiates
/// `mean f(fake) - mean f(real)`.
pub(crate) fn wasserstein_loss(
    dev: &Cpu,
    critic: &Stack,
    input: Vec<f32>,
    projection: &[f32],
    real: usize,
    fake: usize,
) -> CriticLoss {
    let rows = real + fake;
    let outputs = critic.outputs();
    let x: Matrix = dev.tensor_from_vec(input, (rows, critic.inputs()));
    let out = critic.forward(x.leaky_trace());
    // Each row's projection, signed and averaged: the loss is the sum of the outputs times it.
    let mut weights = projection.to_vec();
    let mut scores = vec![0f32; rows];
    let values = out.as_vec();
    for i in 0..rows {
        let row = &mut weights[i * outputs..(i + 1) * outputs];
        scores[i] = row
            .iter()
            .zip(&values[i * outputs..(i + 1) * outputs])
            .map(|(p, o)| p * o)
            .sum();
        let sign = if i < real {
            -1.0 / real as f32
        } else {
            1.0 / fake as f32
        };
        row.iter_mut().for_each(|p| *p *= sign);
    }
    let weights: Matrix = dev.tensor_from_vec(weights, (rows, outputs));
    let loss = (out * weights).sum::<(), _>();
    let grads = loss.backward();
    CriticLoss {
        mean_real: scores[..real].iter().sum::<f32>() / real as f32,
        mean_fake: scores[real..].iter().sum::<f32>() / fake as f32,
        grads: critic.gradients(&grads),
    }
}
