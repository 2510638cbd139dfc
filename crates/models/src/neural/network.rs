//! The network shared by the MLP and the domain-adaptation model, its training loop and its
//! prediction.
//!
//! `first -> activation -> dropout -> [hidden -> ReLU] -> output -> softmax`:
//! - the MLP: first = its hidden layer (tissue 128, source 128, sex 32), ReLU, no extra layer;
//! - DA: first = the source mapper (512) with a sigmoid (the embedding the triplet loss compares),
//!   then the classifier: dropout 0.5, a ReLU layer, dense softmax. The classifier reads the very
//!   embedding the triplet phase aligns, so moving a biased sample next to its class in the
//!   embedding moves it into that class for the classifier.

use dfdx::prelude::*;
use ndarray::{Array2, ArrayView2};
use rand_chacha::ChaCha8Rng;

use super::adam::Adam;
use super::batches::{shuffled_batches, weighted_one_hot};
use super::dense::{Dense, Matrix};
use super::input_layer::{InputLayer, SharedGradient};
use super::standardise::Standardiser;

/// Rows per forward pass when predicting (bounds memory on large inputs).
const PREDICT_CHUNK: usize = 2048;

/// The activation after the first layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Activation {
    /// `max(x, 0)` (the MLP).
    Relu,
    /// `1 / (1 + e^-x)` (DA's embedding).
    Sigmoid,
}

/// `first -> activation -> dropout -> [hidden -> ReLU] -> output`.
#[derive(Clone, Debug)]
pub(crate) struct TwoLayer {
    pub(crate) first: InputLayer,
    pub(crate) activation: Activation,
    pub(crate) hidden: Option<Dense>,
    pub(crate) output: Dense,
    pub(crate) dropout: f32,
}

/// How one training run of a [`TwoLayer`] goes: epochs, batch size, learning rate.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Schedule {
    pub(crate) epochs: usize,
    pub(crate) batch_size: usize,
    pub(crate) learning_rate: f32,
}

/// The first layer's activation.
fn activate<T: Tape<f32, Cpu>>(activation: Activation, h: Matrix<T>) -> Matrix<T> {
    match activation {
        Activation::Relu => h.relu(),
        Activation::Sigmoid => h.sigmoid(),
    }
}

impl TwoLayer {
    /// Glorot-initialised layers `inputs -> first -> [hidden] -> classes`.
    pub(crate) fn new(
        dev: &Cpu,
        sizes: (usize, usize, Option<usize>, usize),
        activation: Activation,
        dropout: f32,
        rng: &mut ChaCha8Rng,
    ) -> Self {
        let (inputs, first, hidden, classes) = sizes;
        let first_layer = InputLayer::glorot(inputs, first, rng);
        let hidden_layer = hidden.map(|h| Dense::glorot(dev, first, h, rng));
        let output = Dense::glorot(dev, hidden.unwrap_or(first), classes, rng);
        Self {
            first: first_layer,
            activation,
            hidden: hidden_layer,
            output,
            dropout,
        }
    }

    /// Logits of first-layer pre-activations `h`: activation, dropout (when training), the
    /// optional ReLU layer and the output layer.
    fn head<T: Tape<f32, Cpu>>(&self, h: Matrix<T>, training: bool) -> Matrix<T> {
        let h = activate(self.activation, h);
        let h = if training && self.dropout > 0.0 {
            h.dropout(self.dropout)
        } else {
            h
        };
        let h = match &self.hidden {
            Some(layer) => layer.forward(h).relu(),
            None => h,
        };
        self.output.forward(h)
    }

    /// Trains with class-weighted cross-entropy on the rows `rows` of `x` (standardised by
    /// `scaler`), classes `y` (parallel to `rows`) weighted by `class_weights`. Returns the mean
    /// training loss of each epoch.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn fit(
        &mut self,
        dev: &Cpu,
        x: ArrayView2<'_, f32>,
        rows: &[usize],
        y: &[usize],
        class_weights: &[f32],
        scaler: &Standardiser,
        schedule: Schedule,
        rng: &mut ChaCha8Rng,
    ) -> Vec<f64> {
        let k = self.output.outputs();
        // dfdx reuses freed buffers of the same size while the cache is on (every step allocates
        // the same tensors); off again at the end, which frees what it holds.
        dev.enable_cache();
        let mut adam = Adam::new(schedule.learning_rate);
        let first_gradient = SharedGradient::default();
        let mut buffer = Vec::new();
        let mut losses = Vec::with_capacity(schedule.epochs);
        for _ in 0..schedule.epochs {
            let mut total = 0.0f64;
            for batch in shuffled_batches(rows.len(), schedule.batch_size, rng) {
                let batch_rows: Vec<usize> = batch.iter().map(|&i| rows[i]).collect();
                let batch_y: Vec<usize> = batch.iter().map(|&i| y[i]).collect();
                scaler.rows_into(x, &batch_rows, &mut buffer);
                let n = batch.len();
                let input = std::mem::take(&mut buffer);
                let targets =
                    dev.tensor_from_vec(weighted_one_hot(&batch_y, k, class_weights), (n, k));
                let h = self.first.forward_traced(dev, input, n, &first_gradient);
                let logits = self.head(h, true);
                // Per-sample weighted cross-entropy, averaged over the batch (Keras's
                // sample_weight convention).
                let loss = (logits.log_softmax::<Axis<1>>() * targets)
                    .sum::<(), _>()
                    .negate()
                    / n as f32;
                total += loss.array() as f64 * n as f64;
                let mut grads = loss.backward();
                let mut layers: Vec<&mut Dense> = self.hidden.iter_mut().collect();
                layers.push(&mut self.output);
                adam.step(
                    &mut self.first,
                    &first_gradient.borrow(),
                    &mut layers,
                    &mut grads,
                );
                // The batch's input, kept for the step, holds the next batch.
                buffer = std::mem::take(&mut first_gradient.borrow_mut().input);
            }
            losses.push(total / rows.len().max(1) as f64);
        }
        dev.disable_cache();
        losses
    }

    /// Class probabilities of every row of `x`, standardised by `scaler`, with `first` replaced
    /// by `mapper` when given (DA's bias mapper).
    pub(crate) fn predict_proba(
        &self,
        dev: &Cpu,
        x: ArrayView2<'_, f32>,
        scaler: &Standardiser,
        mapper: Option<&InputLayer>,
    ) -> Array2<f32> {
        let first = mapper.unwrap_or(&self.first);
        let k = self.output.outputs();
        let n = x.nrows();
        let mut out = Vec::with_capacity(n * k);
        let mut buffer = Vec::new();
        let all: Vec<usize> = (0..n).collect();
        for chunk in all.chunks(PREDICT_CHUNK) {
            scaler.rows_into(x, chunk, &mut buffer);
            let logits = self.head(first.forward(dev, &buffer, chunk.len()), false);
            out.extend(logits.softmax::<Axis<1>>().as_vec());
        }
        Array2::from_shape_vec((n, k), out).expect("n x k probabilities")
    }
}

/// Sigmoid embeddings `sigmoid(mapper(x))` of the rows `rows` of `x`, standardised by `scaler`
/// (rows x embedding).
pub(crate) fn embed(
    dev: &Cpu,
    mapper: &InputLayer,
    x: ArrayView2<'_, f32>,
    rows: &[usize],
    scaler: &Standardiser,
) -> Array2<f32> {
    let e = mapper.outputs();
    let mut out = Vec::with_capacity(rows.len() * e);
    let mut buffer = Vec::new();
    for chunk in rows.chunks(PREDICT_CHUNK) {
        scaler.rows_into(x, chunk, &mut buffer);
        out.extend(mapper.forward(dev, &buffer, chunk.len()).sigmoid().as_vec());
    }
    Array2::from_shape_vec((rows.len(), e), out).expect("rows x embedding")
}
