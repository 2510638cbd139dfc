//! Model bundles: a directory holding `manifest.json` (format version, model kind, task, classes,
//! ordered gene ids, hyperparameters, seed, training summary, fit report, and for a
//! [`crate::TrainedModel`] the fitted preprocessing) and `model.safetensors`
//! (the fitted parameters as flat little-endian arrays).
//!
//! Loading checks the format version first, then the model kind, then every tensor's type and shape
//! against the manifest, so a bundle from another version or a damaged file is a typed error naming
//! the file, never a panic or a silently wrong model.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use rnameta_core::Task;
use safetensors::tensor::{Dtype, TensorView};
use safetensors::SafeTensors;
use serde::{Deserialize, Serialize};

use crate::classifier::{BundleHeader, Classifier, TrainingSummary};
use crate::{Error, Result};

/// The bundle format this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// File name of the manifest inside a bundle directory.
pub const MANIFEST_FILE: &str = "manifest.json";

/// File name of the parameters inside a bundle directory.
pub const TENSORS_FILE: &str = "model.safetensors";

/// Which model a bundle holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelKind {
    /// [`crate::RandomForest`] (one class per sample).
    RandomForest,
    /// [`crate::MultiLabelForest`] (a set of labels per sample).
    MultiLabelForest,
    /// [`crate::LogisticRegression`].
    LogisticRegression,
    /// [`crate::Lin`] (phenopredict's linear predictor).
    Lin,
    /// [`crate::Mlp`] (the paper's multilayer perceptron).
    Mlp,
    /// [`crate::DomainAdaptation`] (the paper's siamese domain-adaptation model).
    DomainAdaptation,
}

impl ModelKind {
    /// The name written in manifests.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RandomForest => "random_forest",
            Self::MultiLabelForest => "multi_label_forest",
            Self::LogisticRegression => "logistic_regression",
            Self::Lin => "lin",
            Self::Mlp => "mlp",
            Self::DomainAdaptation => "domain_adaptation",
        }
    }
}

/// The JSON manifest of a bundle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Bundle format version ([`FORMAT_VERSION`] when written by this build).
    pub format_version: u32,
    /// The model.
    pub model_kind: ModelKind,
    /// What the model predicts (`None` for multi-label models).
    pub task: Option<Task>,
    /// Class (or label) names in output column order.
    pub classes: Vec<String>,
    /// Gene id of each input column, in order.
    pub gene_ids: Vec<String>,
    /// The model's hyperparameters as its params struct serialises them.
    pub hyperparameters: serde_json::Value,
    /// The seed the model was fitted with.
    pub seed: u64,
    /// The training data it was fitted on.
    pub training: TrainingSummary,
    /// What fitting reported (out-of-bag accuracy, labels without positives, iterations...).
    pub fit_report: serde_json::Value,
    /// The fitted preprocessing from raw values to the input columns (absent for a bare
    /// classifier saved without it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preprocessing: Option<crate::trained::Preprocessing>,
}

impl Manifest {
    /// A manifest for a model about to be saved; refuses a gene list of the wrong length.
    pub(crate) fn new(
        kind: ModelKind,
        header: &BundleHeader,
        classes: &[String],
        hyperparameters: &impl Serialize,
        seed: u64,
        training: &TrainingSummary,
        fit_report: &impl Serialize,
    ) -> Result<Self> {
        if header.gene_ids.len() != training.n_features {
            return Err(Error::ShapeMismatch {
                what: "gene ids in the bundle header vs model inputs",
                expected: training.n_features,
                got: header.gene_ids.len(),
            });
        }
        Ok(Self {
            format_version: FORMAT_VERSION,
            model_kind: kind,
            task: header.task,
            classes: classes.to_vec(),
            gene_ids: header.gene_ids.clone(),
            hyperparameters: crate::classifier::to_json(hyperparameters),
            seed,
            training: training.clone(),
            fit_report: crate::classifier::to_json(fit_report),
            preprocessing: header.preprocessing.clone(),
        })
    }
}

/// Reads a bundle's manifest, checking the format version.
pub fn read_manifest(dir: &Path) -> Result<Manifest> {
    let path = dir.join(MANIFEST_FILE);
    let text = fs::read_to_string(&path).map_err(|source| Error::Io {
        path: path.clone(),
        source,
    })?;
    // The version is checked before the rest so that a future layout reports its version, not a
    // confusing missing-field error.
    #[derive(Deserialize)]
    struct VersionOnly {
        format_version: u32,
    }
    let v: VersionOnly = serde_json::from_str(&text).map_err(|source| Error::Manifest {
        path: path.clone(),
        source,
    })?;
    if v.format_version != FORMAT_VERSION {
        return Err(Error::FormatVersion {
            path,
            found: v.format_version,
            supported: FORMAT_VERSION,
        });
    }
    serde_json::from_str(&text).map_err(|source| Error::Manifest { path, source })
}

/// Reads the manifest and checks it holds a model of kind `expected`.
pub(crate) fn read_manifest_of(dir: &Path, expected: ModelKind) -> Result<Manifest> {
    let m = read_manifest(dir)?;
    if m.model_kind != expected {
        return Err(Error::WrongModelKind {
            path: dir.join(MANIFEST_FILE),
            found: m.model_kind.as_str().to_owned(),
            expected: expected.as_str().to_owned(),
        });
    }
    Ok(m)
}

/// Loads any single-label classifier bundle, whatever its model kind.
pub fn load_classifier(dir: &Path) -> Result<Box<dyn Classifier>> {
    let m = read_manifest(dir)?;
    match m.model_kind {
        ModelKind::RandomForest => Ok(Box::new(crate::RandomForest::load(dir)?)),
        ModelKind::LogisticRegression => Ok(Box::new(crate::LogisticRegression::load(dir)?)),
        ModelKind::Lin => Ok(Box::new(crate::Lin::load(dir)?)),
        ModelKind::Mlp => Ok(Box::new(crate::Mlp::load(dir)?)),
        ModelKind::DomainAdaptation => Ok(Box::new(crate::DomainAdaptation::load(dir)?)),
        ModelKind::MultiLabelForest => Err(Error::WrongModelKind {
            path: dir.join(MANIFEST_FILE),
            found: m.model_kind.as_str().to_owned(),
            expected: "a single-label classifier".to_owned(),
        }),
    }
}

/// A flat array to be written as one tensor.
pub(crate) enum Flat {
    /// 32-bit unsigned integers.
    U32(Vec<u32>),
    /// 64-bit unsigned integers.
    U64(Vec<u64>),
    /// 32-bit floats.
    F32(Vec<f32>),
    /// 64-bit floats.
    F64(Vec<f64>),
}

impl Flat {
    fn to_bytes(&self) -> (Dtype, Vec<u8>) {
        match self {
            Self::U32(v) => (Dtype::U32, v.iter().flat_map(|x| x.to_le_bytes()).collect()),
            Self::U64(v) => (Dtype::U64, v.iter().flat_map(|x| x.to_le_bytes()).collect()),
            Self::F32(v) => (Dtype::F32, v.iter().flat_map(|x| x.to_le_bytes()).collect()),
            Self::F64(v) => (Dtype::F64, v.iter().flat_map(|x| x.to_le_bytes()).collect()),
        }
    }
}

/// Writes the manifest and the tensors (name, shape, values) into `dir`, creating it. Each file is
/// written to a temporary name and renamed, so a crash never leaves half a bundle file.
pub(crate) fn write_bundle(
    dir: &Path,
    manifest: &Manifest,
    tensors: Vec<(&str, Vec<usize>, Flat)>,
) -> Result<()> {
    fs::create_dir_all(dir).map_err(|source| Error::Io {
        path: dir.to_owned(),
        source,
    })?;
    let bytes: Vec<(String, Vec<usize>, Dtype, Vec<u8>)> = tensors
        .into_iter()
        .map(|(name, shape, flat)| {
            let (dtype, data) = flat.to_bytes();
            (name.to_owned(), shape, dtype, data)
        })
        .collect();
    let tensors_path = dir.join(TENSORS_FILE);
    let views: Vec<(String, TensorView<'_>)> = bytes
        .iter()
        .map(|(name, shape, dtype, data)| {
            TensorView::new(*dtype, shape.clone(), data)
                .map(|v| (name.clone(), v))
                .map_err(|e| Error::Tensors {
                    path: tensors_path.clone(),
                    reason: format!("tensor {name}: {e}"),
                })
        })
        .collect::<Result<_>>()?;
    let mut info = HashMap::new();
    info.insert("format_version".to_owned(), FORMAT_VERSION.to_string());
    let data = safetensors::serialize(views, Some(info)).map_err(|e| Error::Tensors {
        path: tensors_path.clone(),
        reason: e.to_string(),
    })?;
    atomic_write(&tensors_path, &data)?;
    let json = serde_json::to_vec_pretty(manifest).map_err(|source| Error::Manifest {
        path: dir.join(MANIFEST_FILE),
        source,
    })?;
    atomic_write(&dir.join(MANIFEST_FILE), &json)
}

fn atomic_write(path: &Path, data: &[u8]) -> Result<()> {
    let tmp: PathBuf = path.with_extension("partial");
    let io = |source| Error::Io {
        path: path.to_owned(),
        source,
    };
    fs::write(&tmp, data).map_err(io)?;
    fs::rename(&tmp, path).map_err(io)
}

/// The tensors of a bundle, read whole.
pub(crate) struct TensorFile {
    path: PathBuf,
    data: Vec<u8>,
}

impl TensorFile {
    /// Reads `dir/model.safetensors`.
    pub(crate) fn open(dir: &Path) -> Result<Self> {
        let path = dir.join(TENSORS_FILE);
        let data = fs::read(&path).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
        Ok(Self { path, data })
    }

    /// The file's path (for error messages).
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    fn view(&self, name: &str, dtype: Dtype, shape: &[usize]) -> Result<Vec<u8>> {
        let err = |reason: String| Error::Tensors {
            path: self.path.clone(),
            reason,
        };
        let st = SafeTensors::deserialize(&self.data).map_err(|e| err(e.to_string()))?;
        let t = st
            .tensor(name)
            .map_err(|e| err(format!("tensor {name}: {e}")))?;
        if t.dtype() != dtype || t.shape() != shape {
            return Err(err(format!(
                "tensor {name} is {:?} {:?}, expected {:?} {:?}",
                t.dtype(),
                t.shape(),
                dtype,
                shape
            )));
        }
        Ok(t.data().to_vec())
    }

    /// The shape of tensor `name`.
    pub(crate) fn shape(&self, name: &str) -> Result<Vec<usize>> {
        let err = |reason: String| Error::Tensors {
            path: self.path.clone(),
            reason,
        };
        let st = SafeTensors::deserialize(&self.data).map_err(|e| err(e.to_string()))?;
        let t = st
            .tensor(name)
            .map_err(|e| err(format!("tensor {name}: {e}")))?;
        Ok(t.shape().to_vec())
    }

    /// Tensor `name` as `u32`, checking its shape.
    pub(crate) fn u32s(&self, name: &str, shape: &[usize]) -> Result<Vec<u32>> {
        let b = self.view(name, Dtype::U32, shape)?;
        Ok(b.chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect())
    }

    /// Tensor `name` as `u64`, checking its shape.
    pub(crate) fn u64s(&self, name: &str, shape: &[usize]) -> Result<Vec<u64>> {
        let b = self.view(name, Dtype::U64, shape)?;
        Ok(b.chunks_exact(8)
            .map(|c| u64::from_le_bytes(c.try_into().expect("chunks of 8")))
            .collect())
    }

    /// Tensor `name` as `f32`, checking its shape.
    pub(crate) fn f32s(&self, name: &str, shape: &[usize]) -> Result<Vec<f32>> {
        let b = self.view(name, Dtype::F32, shape)?;
        Ok(b.chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect())
    }

    /// Tensor `name` as `f64`, checking its shape.
    pub(crate) fn f64s(&self, name: &str, shape: &[usize]) -> Result<Vec<f64>> {
        let b = self.view(name, Dtype::F64, shape)?;
        Ok(b.chunks_exact(8)
            .map(|c| f64::from_le_bytes(c.try_into().expect("chunks of 8")))
            .collect())
    }
}
