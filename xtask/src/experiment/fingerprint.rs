//! Fingerprints for the fit cache ([`super::memo`]): a [`Key`] identifies a recorded result by
//! everything it depends on, the code that computed it ([`CODE_HASH`]) and the full data included.
//!
//! Data enter a key whole: shape, every gene's annotation (ids, lengths, biotypes: TPM and the
//! paper's gene choice read them), every sample's metadata (ids, labels, studies, sources: the
//! truth a test set is scored against and the domains DA learns) and every matrix value's bytes,
//! so one changed count gives another key. The values are hashed as the bytes they lie in memory
//! as (no copy). Measured on the 2-core development machine, under load: a 14,000 x 5,332
//! matrix (about 300 MB, the size of the paper preset's G+S training set) takes about 1 s, of which
//! SHA-256 itself (with the CPU's SHA extensions) 0.36 s; the tiny preset's 465 x 1,000 GTEx
//! matrix about 20 ms. A key is computed only with `--resume`, once per fit, small beside the
//! fit itself; a faster non-cryptographic hash would save at most the 0.36 s and give up
//! collision resistance, so SHA-256 (already a dependency) it is.

use anyhow::{bail, Result};
use rnameta_core::{Dataset, DatasetView, Labels, SampleMeta};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// SHA-256 over the source of every crate a fit runs through, xtask's experiments and
/// `Cargo.lock`, computed by `xtask/build.rs` when this binary was built: any change to that code
/// gives every key a new value, so a recorded fit is never served to code that would fit
/// differently.
pub const CODE_HASH: &str = env!("RNAMETA_FIT_CODE_HASH");

/// A record's key under construction: a SHA-256 over the code hash and every part fed in, in
/// order.
pub struct Key(Sha256);

impl Key {
    /// A key over the code this binary was built from ([`CODE_HASH`]), to feed the parts into.
    pub fn new() -> Self {
        Self::for_code(CODE_HASH)
    }

    /// A key over the code hash `code` (tests vary it; everything else uses [`Key::new`]).
    pub fn for_code(code: &str) -> Self {
        let mut hash = Sha256::new();
        hash.update(b"rnameta fit cache v2\0");
        hash.update(code.as_bytes());
        hash.update([0]);
        Self(hash)
    }

    /// Adds a value by its JSON form (settings, methods, a gene choice, a fit request).
    pub fn json(mut self, value: &impl Serialize) -> Result<Self> {
        self.0.update(serde_json::to_vec(value)?);
        self.0.update([0]);
        Ok(self)
    }

    /// Adds raw text (a task's name, a tag telling kinds of records apart).
    pub fn text(mut self, text: &str) -> Self {
        self.0.update(text.as_bytes());
        self.0.update([0]);
        self
    }

    /// Adds the classes and every sample's assignment.
    pub fn labels(mut self, labels: &Labels) -> Self {
        self.0.update(labels_digest(labels).as_bytes());
        self
    }

    /// Adds a dataset whole (see [`data_digest`]).
    pub fn data(self, data: &Dataset) -> Result<Self> {
        self.stacked_data(&[data.into()])
    }

    /// Adds the digest of the samples of `parts` stacked in order ([`stacked_digest`]: that of
    /// their concatenation).
    pub fn stacked_data(self, parts: &[DatasetView<'_>]) -> Result<Self> {
        Ok(self.digest(&stacked_digest(parts)?))
    }

    /// Adds data by a digest already made ([`stacked_digest`]), as [`Key::stacked_data`] adds
    /// it: for keys of several records over the same data, which is digested once.
    pub fn digest(mut self, digest: &str) -> Self {
        self.0.update(digest.as_bytes());
        self
    }

    /// The key as a file name's hex digits.
    pub fn finish(self) -> String {
        hex(&self.0.finalize())
    }
}

impl Default for Key {
    fn default() -> Self {
        Self::new()
    }
}

/// Hex SHA-256 of a dataset: its shape, gene annotation and sample metadata (as JSON) and the
/// bytes of every matrix value (native, little-endian on the machines this runs on), row by row.
pub fn data_digest(data: &Dataset) -> Result<String> {
    stacked_digest(&[data.into()])
}

/// [`data_digest`] of the samples of `parts` stacked in order (datasets, or runs of their
/// samples, of the same genes), without concatenating them: the digest of their concatenation.
pub fn stacked_digest(parts: &[DatasetView<'_>]) -> Result<String> {
    let Some(first) = parts.first() else {
        bail!("no dataset to digest");
    };
    let samples: Vec<&SampleMeta> = parts.iter().flat_map(|part| part.samples()).collect();
    let mut hash = Sha256::new();
    hash.update((samples.len() as u64).to_le_bytes());
    hash.update((first.n_genes() as u64).to_le_bytes());
    hash.update(serde_json::to_vec(first.genes())?);
    hash.update([0]);
    hash.update(serde_json::to_vec(&samples)?);
    hash.update([0]);
    for part in parts {
        match part.counts().as_slice() {
            // The values' bytes as they lie in memory: little-endian on every machine this runs
            // on (a big-endian one would give other keys, and fit again).
            Some(values) => hash.update(bytemuck::cast_slice::<f32, u8>(values)),
            None => {
                for row in part.counts().rows() {
                    let row: Vec<f32> = row.to_vec();
                    hash.update(bytemuck::cast_slice::<f32, u8>(&row));
                }
            }
        }
    }
    Ok(hex(&hash.finalize()))
}

/// Hex SHA-256 of labels: the class names and every sample's assignment.
pub fn labels_digest(labels: &Labels) -> String {
    let mut hash = Sha256::new();
    hash.update((labels.classes().len() as u64).to_le_bytes());
    for class in labels.classes() {
        hash.update(class.as_bytes());
        hash.update([0]);
    }
    for assigned in labels.assigned() {
        hash.update(assigned.map_or(u64::MAX, |c| c as u64).to_le_bytes());
    }
    hex(&hash.finalize())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
