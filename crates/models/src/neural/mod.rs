//! Neural models on dfdx: the paper's [`Mlp`] and the siamese domain-adaptation model
//! [`DomainAdaptation`].
//!
//! dfdx's `nn::Linear` takes its sizes as const generics, but gene counts are known only at run
//! time, so layers here are plain runtime-shaped weight tensors (`dense.rs`); gradients come from a
//! tape on the input and an Adam of our own (`adam.rs`) steps the weights. The layer that reads the
//! genes, most of the arithmetic, holds its weights outside dfdx and multiplies with kernels made
//! for its shapes (`input_layer.rs`, `matmul.rs`); dfdx records the rest. dfdx stays inside this
//! module: outside [`kit`] (the building blocks shared with `rnameta-augment`) nothing public
//! mentions it.
//!
//! Same seed, same model: initialisation and shuffling draw from a ChaCha stream, dropout masks
//! from the dfdx device seeded with the same seed.

mod adam;
mod batches;
pub mod da;
mod dense;
mod input_layer;
mod matmul;
mod mining;
pub mod mlp;
mod network;
mod plain_layer;
mod saved;
mod standardise;
mod subnormal;

pub(crate) use matmul::has_avx2_fma;

/// The dfdx building blocks of these networks, shared with `rnameta-augment` (its GAN is built
/// from the same runtime-sized layers). Not a stable API: it exposes dfdx types, and only the two
/// crates that may see dfdx (models and augment) should use it.
pub mod kit {
    use dfdx::prelude::Cpu;

    pub use super::dense::{Dense, Matrix};
    pub use super::matmul::{on_pool, product, weight_gradient};
    pub use super::plain_layer::{transpose, PlainLayer};

    /// The dfdx CPU device, its random stream (dropout) seeded by `seed`.
    pub fn device(seed: u64) -> Cpu {
        Cpu::seed_from_u64(seed)
    }
}

use kit::device;

use crate::{Error, Result};

pub use da::{BiasMapperStart, DaHead, DaParams, DaReport, DomainAdaptation, NegativeFallback};
pub use mlp::{Mlp, MlpParams, MlpReport};

/// Refuses hyperparameters no network can train with, naming the parameter.
fn check_common(
    hidden: usize,
    dropout: f32,
    learning_rate: f32,
    epochs: usize,
    batch_size: usize,
) -> Result<()> {
    let bad = |name: &'static str, reason: String| Err(Error::InvalidParameter { name, reason });
    if hidden == 0 {
        return bad("hidden", "must be at least 1".into());
    }
    if !(0.0..1.0).contains(&dropout) {
        return bad("dropout", format!("{dropout} is outside [0, 1)"));
    }
    if !(learning_rate.is_finite() && learning_rate > 0.0) {
        return bad(
            "learning_rate",
            format!("{learning_rate} is not a positive number"),
        );
    }
    if epochs == 0 {
        return bad("epochs", "must be at least 1".into());
    }
    if batch_size == 0 {
        return bad("batch_size", "must be at least 1".into());
    }
    Ok(())
}
