//! How the neural models' parameters are laid out in `model.safetensors`.

use dfdx::prelude::*;

use super::dense::Dense;
use super::network::{Activation, TwoLayer};
use super::standardise::Standardiser;
use crate::parts::{Flat, NamedTensor, Tensors};
use crate::Result;

/// `scaler.mean`, `scaler.scale` (genes).
pub(crate) fn standardiser_tensors(s: &Standardiser) -> Vec<NamedTensor> {
    vec![
        ("scaler.mean", vec![s.mean.len()], Flat::F32(s.mean.clone())),
        (
            "scaler.scale",
            vec![s.scale.len()],
            Flat::F32(s.scale.clone()),
        ),
    ]
}

/// Reads the standardiser of `genes` inputs.
pub(crate) fn load_standardiser(t: &Tensors, genes: usize) -> Result<Standardiser> {
    Ok(Standardiser {
        mean: t.f32s("scaler.mean", &[genes])?,
        scale: t.f32s("scaler.scale", &[genes])?,
    })
}

/// `<prefix>.weight` (inputs x outputs) and `<prefix>.bias` (outputs) of one layer.
pub(crate) fn dense_tensors(
    layer: &Dense,
    weight_name: &'static str,
    bias_name: &'static str,
) -> Vec<NamedTensor> {
    let (w, b) = layer.values();
    vec![
        (
            weight_name,
            vec![layer.inputs(), layer.outputs()],
            Flat::F32(w),
        ),
        (bias_name, vec![layer.outputs()], Flat::F32(b)),
    ]
}

/// Reads one layer of the given sizes.
pub(crate) fn load_dense(
    t: &Tensors,
    dev: &Cpu,
    weight_name: &str,
    bias_name: &str,
    inputs: usize,
    outputs: usize,
) -> Result<Dense> {
    let w = t.f32s(weight_name, &[inputs, outputs])?;
    let b = t.f32s(bias_name, &[outputs])?;
    Ok(Dense::from_values(dev, inputs, outputs, w, b))
}

/// `first.*`, `hidden.*` (when present) and `output.*` of a [`TwoLayer`].
pub(crate) fn two_layer_tensors(n: &TwoLayer) -> Vec<NamedTensor> {
    let mut v = dense_tensors(&n.first, "first.weight", "first.bias");
    if let Some(h) = &n.hidden {
        v.extend(dense_tensors(h, "hidden.weight", "hidden.bias"));
    }
    v.extend(dense_tensors(&n.output, "output.weight", "output.bias"));
    v
}

/// Reads a [`TwoLayer`] of sizes `(inputs, first, hidden, classes)`.
pub(crate) fn load_two_layer(
    t: &Tensors,
    dev: &Cpu,
    sizes: (usize, usize, Option<usize>, usize),
    activation: Activation,
    dropout: f32,
) -> Result<TwoLayer> {
    let (inputs, first, hidden, classes) = sizes;
    let hidden_layer = match hidden {
        Some(h) => Some(load_dense(
            t,
            dev,
            "hidden.weight",
            "hidden.bias",
            first,
            h,
        )?),
        None => None,
    };
    Ok(TwoLayer {
        first: load_dense(t, dev, "first.weight", "first.bias", inputs, first)?,
        activation,
        hidden: hidden_layer,
        output: load_dense(
            t,
            dev,
            "output.weight",
            "output.bias",
            hidden.unwrap_or(first),
            classes,
        )?,
        dropout,
    })
}
