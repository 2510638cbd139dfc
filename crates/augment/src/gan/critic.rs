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
//!
//! One critic step differentiates the Wasserstein loss and the gradient penalty (`penalty.rs`)
//! together ([`critic_step`]): the first layer's weight gradient of both is one product over the
//! loss's rows and the penalty's, on the kernels.

use dfdx::prelude::*;
use rnameta_models::neural::kit::{weight_gradient, Matrix};

use super::network::{column_sums, Stack};
use super::penalty::gradient_penalty;

/// What one critic step is computed from.
pub(crate) struct CriticBatch<'a> {
    /// Row-major samples: `rows` real rows, then `rows` generated rows of the same conditions.
    pub(crate) input: Vec<f32>,
    /// The real rows' projection rows (`[1 | condition]` each; the generated rows share them).
    pub(crate) projection: &'a [f32],
    /// `rows` points between the real and the generated rows, where the penalty is taken.
    pub(crate) interpolated: Vec<f32>,
    /// Real rows (= generated rows = interpolated rows).
    pub(crate) rows: usize,
    /// The penalty's weight `lambda`.
    pub(crate) penalty_weight: f32,
}

/// The critic's loss on one batch and its gradients.
#[derive(Debug, Clone)]
pub(crate) struct CriticStep {
    /// Mean score of the real rows.
    pub(crate) mean_real: f32,
    /// Mean score of the generated rows.
    pub(crate) mean_fake: f32,
    /// The gradient penalty.
    pub(crate) penalty: f32,
    /// Mean norm of the critic's input gradient at the interpolated points.
    pub(crate) mean_norm: f32,
    /// Gradient of `mean f(fake) - mean f(real) + penalty` for every parameter (weight, then
    /// bias, layer by layer).
    pub(crate) grads: Vec<Vec<f32>>,
}

/// Scores the batch's real and generated rows, differentiates `mean f(fake) - mean f(real)` and
/// adds the gradient penalty at the interpolated points.
pub(crate) fn critic_step(dev: &Cpu, critic: &Stack, batch: CriticBatch<'_>) -> CriticStep {
    let CriticBatch {
        mut input,
        projection,
        interpolated,
        rows: real,
        penalty_weight,
    } = batch;
    let rows = 2 * real;
    let outputs = critic.outputs();
    let first = &critic.layers[0];
    let (genes, hidden) = (first.inputs, first.outputs);
    // The first layer on the kernels; the tape starts on its outputs.
    let pre: Matrix = dev.tensor_from_vec(first.apply(&input, rows), (rows, hidden));
    let (out, later) = critic.forward_taped(
        dev,
        pre.leaky_trace().prelu(critic.slope),
        1..critic.layers.len(),
    );
    // Each row's projection, signed and averaged: the loss is the sum of the outputs times it.
    let mut weights = [projection, projection].concat();
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
            1.0 / real as f32
        };
        row.iter_mut().for_each(|p| *p *= sign);
    }
    let weights: Matrix = dev.tensor_from_vec(weights, (rows, outputs));
    let grads = (out * weights).sum::<(), _>().backward();
    let mut later_grads = later.gradients(&grads);
    let mut first_factors = grads.get(&pre).as_vec();
    drop(grads);

    let penalty = gradient_penalty(dev, critic, &interpolated, projection, real, penalty_weight);
    for (l, g) in penalty.later_weight_grads.iter().enumerate() {
        later_grads[2 * l]
            .iter_mut()
            .zip(g)
            .for_each(|(a, b)| *a += b);
    }
    // The first layer: input^T d(pre) for the loss plus norm_gradient^T projected for the
    // penalty, one product over both sets of rows.
    let first_bias = column_sums(&first_factors, hidden);
    input.extend_from_slice(&penalty.norm_gradient);
    first_factors.extend_from_slice(&penalty.projected);
    let mut first_weight = vec![0.0; genes * hidden];
    weight_gradient(
        &input,
        &first_factors,
        &mut first_weight,
        rows + real,
        genes,
        hidden,
    );
    let mut all = vec![first_weight, first_bias];
    all.extend(later_grads);
    CriticStep {
        mean_real: scores[..real].iter().sum::<f32>() / real as f32,
        mean_fake: scores[real..].iter().sum::<f32>() / real as f32,
        penalty: penalty.value,
        mean_norm: penalty.mean_norm,
        grads: all,
    }
}

#[cfg(test)]
mod tests {
    use super::super::network::testing::{assert_near, network, values};
    use super::*;
    use rnameta_models::neural::kit::device;

    /// Without the penalty, the step's gradients (first layer by hand, the rest on the tape from
    /// its outputs) are those of dfdx through the whole critic from a tape on the input.
    #[test]
    fn the_loss_gradients_are_those_of_dfdx_through_the_whole_critic() {
        let (genes, classes, real) = (9, 3, 5);
        let sizes = [genes, 7, 6, 1 + classes];
        let dev = device(0);
        let critic = network(&sizes, 4);
        let input = values(2 * real * genes, 5);
        let projection: Vec<f32> = (0..real)
            .flat_map(|r| {
                let mut p = vec![0.0; 1 + classes];
                p[0] = 1.0;
                p[1 + r % classes] = 1.0;
                p
            })
            .collect();
        let step = critic_step(
            &dev,
            &critic,
            CriticBatch {
                input: input.clone(),
                projection: &projection,
                interpolated: values(real * genes, 6),
                rows: real,
                penalty_weight: 0.0,
            },
        );

        let x: Matrix = dev.tensor_from_vec(input, (2 * real, genes));
        let (out, taped) = critic.forward_taped(&dev, x.leaky_trace(), 0..sizes.len() - 1);
        let weights: Vec<f32> = (0..2 * real)
            .flat_map(|i| {
                let sign = if i < real { -1.0 } else { 1.0 } / real as f32;
                projection[(i % real) * (1 + classes)..][..1 + classes]
                    .iter()
                    .map(move |p| p * sign)
                    .collect::<Vec<_>>()
            })
            .collect();
        let weights: Matrix = dev.tensor_from_vec(weights, (2 * real, 1 + classes));
        let loss = (out * weights).sum::<(), _>();
        let value = loss.array();
        assert!((step.mean_fake - step.mean_real - value).abs() <= 1e-5 * (1.0 + value.abs()));
        assert_eq!(step.penalty, 0.0);
        assert_near(&step.grads, &taped.gradients(&loss.backward()));
    }
}
