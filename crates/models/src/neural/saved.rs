//! How the neural models' parameters are laid out in `model.safetensors`.

use dfdx::prelude::*;

use super::dense::Dense;
use super::input_layer::InputLayer;
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
fn layer_tensors(
    (weight_name, bias_name): (&'static str, &'static str),
    (inputs, outputs): (usize, usize),
    (weight, bias): (Vec<f32>, Vec<f32>),
) -> Vec<NamedTensor> {
    vec![
        (weight_name, vec![inputs, outputs], Flat::F32(weight)),
        (bias_name, vec![outputs], Flat::F32(bias)),
    ]
}

/// The tensors of a [`Dense`] layer, named `names` (weight, bias).
fn dense_tensors(layer: &Dense, names: (&'static str, &'static str)) -> Vec<NamedTensor> {
    layer_tensors(names, (layer.inputs(), layer.outputs()), layer.values())
}

/// The tensors of an [`InputLayer`], named `names` (weight, bias).
pub(crate) fn input_layer_tensors(
    layer: &InputLayer,
    names: (&'static str, &'static str),
) -> Vec<NamedTensor> {
    let (weight, bias) = layer.values();
    layer_tensors(
        names,
        (layer.inputs(), layer.outputs()),
        (weight.to_vec(), bias.to_vec()),
    )
}

/// Reads the weight and bias named `names` of a layer of the given sizes.
fn load_values(
    t: &Tensors,
    (weight_name, bias_name): (&str, &str),
    (inputs, outputs): (usize, usize),
) -> Result<(Vec<f32>, Vec<f32>)> {
    Ok((
        t.f32s(weight_name, &[inputs, outputs])?,
        t.f32s(bias_name, &[outputs])?,
    ))
}

/// Reads a [`Dense`] layer of the given sizes.
fn load_dense(
    t: &Tensors,
    dev: &Cpu,
    names: (&str, &str),
    (inputs, outputs): (usize, usize),
) -> Result<Dense> {
    let (w, b) = load_values(t, names, (inputs, outputs))?;
    Ok(Dense::from_values(dev, inputs, outputs, w, b))
}

/// Reads an [`InputLayer`] of the given sizes.
pub(crate) fn load_input_layer(
    t: &Tensors,
    names: (&str, &str),
    (inputs, outputs): (usize, usize),
) -> Result<InputLayer> {
    let (w, b) = load_values(t, names, (inputs, outputs))?;
    Ok(InputLayer::from_values(inputs, outputs, w, b))
}

/// `first.*`, `hidden.*` (when present) and `output.*` of a [`TwoLayer`].
pub(crate) fn two_layer_tensors(n: &TwoLayer) -> Vec<NamedTensor> {
    let mut v = input_layer_tensors(&n.first, ("first.weight", "first.bias"));
    if let Some(h) = &n.hidden {
        v.extend(dense_tensors(h, ("hidden.weight", "hidden.bias")));
    }
    v.extend(dense_tensors(&n.output, ("output.weight", "output.bias")));
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
            ("hidden.weight", "hidden.bias"),
            (first, h),
        )?),
        None => None,
    };
    Ok(TwoLayer {
        first: load_input_layer(t, ("first.weight", "first.bias"), (inputs, first))?,
        activation,
        hidden: hidden_layer,
        output: load_dense(
            t,
            dev,
            ("output.weight", "output.bias"),
            (hidden.unwrap_or(first), classes),
        )?,
        dropout,
    })
}
