//! The WGAN-GP gradient penalty `lambda * mean_i (|grad_x f(x_i)| - 1)^2` and its gradients with
//! respect to the critic's weights, without double backward (dfdx 0.13 has none).
//!
//! The critic `f(x, c) = p(c) . o(x)` is piecewise linear in `x` (LeakyReLU hidden layers,
//! linear outputs `o`, projection row `p(c) = [1 | c]`; see `network.rs` and `critic.rs`). At a
//! point `x` its input gradient is therefore `g(x) = W1 D1(x) W2 D2(x) ... D_L(x) W_out p(c)`,
//! where `D_l(x)` is the diagonal of the LeakyReLU slopes (1 or the negative slope) of layer `l`
//! at `x`. The slopes are constant except on a set of measure zero, so with them held fixed `g`
//! is an ordinary polynomial expression of the weights. This module computes the slopes with one
//! forward pass, builds `v = D_1 W2 ... D_L W_out p` as a dfdx expression of the hidden and output
//! weights (tape started on the constant projection rows: `v = D_L (W_out p)`, then
//! `v <- (v W_l^T) D_{l-1}`), and the last product `g = v W1^T`, genes wide, on the kernels. With
//! `dg` the penalty's gradient with respect to `g`, the first layer's weight gradient is
//! `dg^T v` (left to the caller, which sums it with the loss's in one product) and the rest follow
//! by ordinary backward from `dv = dg W1`. That is exactly what autograd's double backward
//! computes for such a network (it too treats the activation derivative as piecewise constant);
//! the biases get no penalty gradient because they only move the slopes' boundaries. A unit test
//! checks value and gradients against an independent `f64` implementation and central finite
//! differences.

use dfdx::prelude::*;

use rnameta_models::neural::kit::{product, transpose, Matrix};

use super::network::Stack;

/// Added under the square root of `|g|^2`, so that a zero gradient has a finite derivative.
const NORM_EPSILON: f32 = 1e-12;

/// The penalty at one batch of interpolated points.
#[derive(Debug, Clone)]
pub(crate) struct Penalty {
    /// `weight * mean_i (|g_i| - 1)^2`.
    pub(crate) value: f32,
    /// Mean input-gradient norm `mean_i |g_i|` (1 where the critic is exactly 1-Lipschitz).
    pub(crate) mean_norm: f32,
    /// The gradient of `value` with respect to each point's input gradient `g_i`, row-major
    /// `rows x critic.inputs()`: with [`Penalty::projected`], the first layer's weight gradient
    /// `norm_gradient^T projected`.
    pub(crate) norm_gradient: Vec<f32>,
    /// `v_i`, the gradient of the score with respect to the first layer's outputs at each point,
    /// row-major `rows x` (first layer's outputs).
    pub(crate) projected: Vec<f32>,
    /// Gradient of `value` with respect to the weight matrix of every layer after the first
    /// (row-major, in layer order); the biases' gradients are zero.
    pub(crate) later_weight_grads: Vec<Vec<f32>>,
}

/// The penalty of `critic` at the `rows` points `xhat` (row-major `rows x critic.inputs()`) with
/// projection rows `projection` (`rows x critic.outputs()`, `[1 | condition]`; see `critic.rs`),
/// scaled by `weight`. The critic must have at least one hidden layer.
pub(crate) fn gradient_penalty(
    dev: &Cpu,
    critic: &Stack,
    xhat: &[f32],
    projection: &[f32],
    rows: usize,
    weight: f32,
) -> Penalty {
    let n_layers = critic.layers.len();
    debug_assert!(n_layers >= 2);
    let slopes = critic.slopes(xhat, rows);
    let later = critic.taped(dev, 1..n_layers);

    // v = D_L (W_out p), rows x (last hidden size): the output weights projected by each row's
    // condition. The tape starts on the constant projection rows.
    let out = &critic.layers[n_layers - 1];
    let p: Matrix = dev.tensor_from_vec(projection.to_vec(), (rows, out.outputs));
    let w_out = later
        .weight(n_layers - 2)
        .clone()
        .permute::<_, Axes2<1, 0>>();
    let d_last: Matrix = dev.tensor_from_vec(slopes[n_layers - 2].clone(), (rows, out.inputs));
    let mut v = p.leaky_traced().matmul(w_out) * d_last;
    // Back through the hidden layers: v <- (v W_{l+1}^T) D_l.
    for l in (0..n_layers - 2).rev() {
        let w = later.weight(l).clone().permute::<_, Axes2<1, 0>>();
        let width = critic.layers[l].outputs;
        let d: Matrix = dev.tensor_from_vec(slopes[l].clone(), (rows, width));
        v = v.matmul(w) * d;
    }
    let projected = v.as_vec();

    // g = v W1^T, computed transposed (g^T = W1 v^T) so that the kernel reads W1 where it is.
    let first = &critic.layers[0];
    let (genes, hidden) = (first.inputs, first.outputs);
    let g_transposed = first.input_gradient_transposed(&projected, rows);
    let mut g = transpose(&g_transposed, genes, rows);
    drop(g_transposed);

    // The penalty, and its gradient with respect to g in place of g:
    // d/dg_i lambda/n (|g_i| - 1)^2 = 2 lambda/n (|g_i| - 1) g_i / |g_i|.
    let (mut value, mut norm_sum) = (0f64, 0f64);
    for g_i in g.chunks_exact_mut(genes) {
        let norm = (g_i.iter().map(|v| v * v).sum::<f32>() + NORM_EPSILON).sqrt();
        value += ((norm - 1.0) as f64).powi(2);
        norm_sum += norm as f64;
        let scale = 2.0 * weight / rows as f32 * (norm - 1.0) / norm;
        g_i.iter_mut().for_each(|v| *v *= scale);
    }
    let norm_gradient = g;

    // dv = dg W1, then ordinary backward through the expression of v.
    let mut dv = vec![0.0; rows * hidden];
    product(&norm_gradient, &first.weight, &mut dv, rows, genes, hidden);
    let dv: Matrix = dev.tensor_from_vec(dv, (rows, hidden));
    let grads = (v * dv).sum::<(), _>().backward();
    Penalty {
        value: (weight as f64 * value / rows.max(1) as f64) as f32,
        mean_norm: (norm_sum / rows.max(1) as f64) as f32,
        norm_gradient,
        projected,
        later_weight_grads: (0..n_layers - 1)
            .map(|l| grads.get(later.weight(l)).as_vec())
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;
    use rnameta_models::neural::kit::{device, weight_gradient};

    /// Everything of a penalty evaluation but the weights.
    struct Case<'a> {
        biases: &'a [Vec<f64>],
        sizes: &'a [usize],
        x: &'a [f64],
        projection: &'a [f64],
        rows: usize,
        slope: f64,
        lambda: f64,
    }

    /// The penalty computed independently in `f64`: forward pass for the slopes, then the input
    /// gradient of each row's projected score by the chain rule written out, then the penalty.
    fn reference(case: &Case<'_>, weights: &[Vec<f64>]) -> f64 {
        let Case {
            biases,
            sizes,
            x,
            projection,
            rows,
            slope,
            lambda,
        } = *case;
        let layers = sizes.len() - 1;
        let outputs = sizes[layers];
        let mut total = 0.0;
        for r in 0..rows {
            // Forward: slopes of every hidden unit.
            let mut h: Vec<f64> = x[r * sizes[0]..(r + 1) * sizes[0]].to_vec();
            let mut ds: Vec<Vec<f64>> = Vec::new();
            for l in 0..layers - 1 {
                let (ni, no) = (sizes[l], sizes[l + 1]);
                let mut z = biases[l].clone();
                for i in 0..ni {
                    for o in 0..no {
                        z[o] += h[i] * weights[l][i * no + o];
                    }
                }
                ds.push(
                    z.iter()
                        .map(|&v| if v < 0.0 { slope } else { 1.0 })
                        .collect(),
                );
                h = z
                    .iter()
                    .map(|&v| if v < 0.0 { slope * v } else { v })
                    .collect();
            }
            // Backward: d (p . out) / d input, starting from the projected output weights.
            let p = &projection[r * outputs..(r + 1) * outputs];
            let mut u: Vec<f64> = (0..sizes[layers - 1])
                .map(|i| {
                    (0..outputs)
                        .map(|o| weights[layers - 1][i * outputs + o] * p[o])
                        .sum()
                })
                .collect();
            for l in (0..layers - 1).rev() {
                let (ni, no) = (sizes[l], sizes[l + 1]);
                let du: Vec<f64> = u.iter().zip(&ds[l]).map(|(a, b)| a * b).collect();
                u = (0..ni)
                    .map(|i| (0..no).map(|o| weights[l][i * no + o] * du[o]).sum())
                    .collect();
            }
            let norm = (u.iter().map(|v| v * v).sum::<f64>() + 1e-12).sqrt();
            total += (norm - 1.0).powi(2);
        }
        lambda * total / rows as f64
    }

    #[test]
    fn penalty_and_its_weight_gradients_match_finite_differences() {
        // 5 genes, 3 classes of which the rows use 0 and 1 only.
        let (genes, classes, rows) = (5, 3, 6);
        let sizes = [genes, 7, 4, 1 + classes];
        let (slope, lambda) = (0.2f32, 10.0f32);
        let dev = device(0);
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let mut critic = Stack::glorot(&sizes, slope, &mut rng);
        // Non-zero biases, so that slopes differ between rows and layers.
        for layer in &mut critic.layers {
            layer
                .bias
                .iter_mut()
                .for_each(|v| *v = rng.random_range(-0.5f32..0.5));
        }
        let params = critic.parameters();
        let x: Vec<f32> = (0..rows * genes)
            .map(|_| rng.random_range(-2.0f32..2.0))
            .collect();
        let projection: Vec<f32> = (0..rows)
            .flat_map(|r| {
                let mut p = vec![1.0, 0.0, 0.0, 0.0];
                p[1 + r % 2] = 1.0;
                p
            })
            .collect();
        let got = gradient_penalty(&dev, &critic, &x, &projection, rows, lambda);
        // The first layer's weight gradient, as the critic step computes it.
        let mut first = vec![0.0; genes * sizes[1]];
        weight_gradient(
            &got.norm_gradient,
            &got.projected,
            &mut first,
            rows,
            genes,
            sizes[1],
        );
        let weight_grads: Vec<&[f32]> = std::iter::once(first.as_slice())
            .chain(got.later_weight_grads.iter().map(Vec::as_slice))
            .collect();

        let mut weights: Vec<Vec<f64>> = params
            .iter()
            .step_by(2)
            .map(|w| w.iter().map(|&v| v as f64).collect())
            .collect();
        let biases: Vec<Vec<f64>> = params
            .iter()
            .skip(1)
            .step_by(2)
            .map(|b| b.iter().map(|&v| v as f64).collect())
            .collect();
        let x64: Vec<f64> = x.iter().map(|&v| v as f64).collect();
        let p64: Vec<f64> = projection.iter().map(|&v| v as f64).collect();
        let case = Case {
            biases: &biases,
            sizes: &sizes,
            x: &x64,
            projection: &p64,
            rows,
            slope: slope as f64,
            lambda: lambda as f64,
        };
        let f = |w: &[Vec<f64>]| reference(&case, w);
        let value = f(&weights);
        assert!(
            (got.value as f64 - value).abs() <= 1e-4 * value.abs().max(1.0),
            "penalty {} vs f64 reference {value}",
            got.value
        );
        assert!(value > 0.1, "a test where the penalty is not trivially 0");

        let h = 1e-6;
        let mut checked = 0;
        for l in 0..weights.len() {
            for k in 0..weights[l].len() {
                let keep = weights[l][k];
                weights[l][k] = keep + h;
                let up = f(&weights);
                weights[l][k] = keep - h;
                let down = f(&weights);
                weights[l][k] = keep;
                let numeric = (up - down) / (2.0 * h);
                let analytic = weight_grads[l][k] as f64;
                assert!(
                    (numeric - analytic).abs() <= 1e-3 * numeric.abs().max(1.0),
                    "layer {l} weight {k}: {analytic} vs finite difference {numeric}"
                );
                checked += 1;
            }
        }
        assert_eq!(checked, (5 * 7) + (7 * 4) + (4 * 4));
        // Class 2 occurs in no row: its output column gets no penalty gradient.
        let w_out = &got.later_weight_grads[1];
        assert!((0..4).all(|i| w_out[i * 4 + 3] == 0.0));
        assert!((0..4).any(|i| w_out[i * 4 + 1] != 0.0));
    }
}
