//! What a model hands to a bundle and takes back from one, without knowing bundles: its
//! parameters as named flat tensors ([`Flat`]), read back through [`Tensors`], and the [`Persist`]
//! trait each model implements. `bundle` builds manifests and files on top; the models never
//! import it (saving depends on the models, not the other way round).

use std::path::{Path, PathBuf};

use safetensors::tensor::Dtype;
use safetensors::SafeTensors;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::fitted::FitInfo;
use crate::kind::ModelKind;
use crate::{Error, Result};

/// A named tensor: name, shape, values.
pub(crate) type NamedTensor = (&'static str, Vec<usize>, Flat);

/// A model that can be written as a bundle and read back: its kind, hyperparameters, fit
/// information and tensors out, the same back in. Implemented by every model; `bundle` does the
/// rest (manifest, checksums, files) once for all of them.
pub(crate) trait Persist: Sized {
    /// Which model this is (written into the manifest).
    const KIND: ModelKind;
    /// The hyperparameters, as the manifest stores them.
    type Params: Serialize + DeserializeOwned;
    /// What fitting reported, as the manifest stores it.
    type Report: Serialize + DeserializeOwned;
    /// The hyperparameters.
    fn params(&self) -> &Self::Params;
    /// The seed the model was fitted with (0 for models that draw nothing at random).
    fn seed(&self) -> u64;
    /// Class names, report and training summary; `None` before fitting.
    fn fit_info(&self) -> Option<&FitInfo<Self::Report>>;
    /// The fitted parameters as named tensors; called only on a fitted model.
    fn tensors(&self) -> Vec<NamedTensor>;
    /// The fitted model from its hyperparameters, fit information, number of input genes and
    /// tensors (each checked for type and shape).
    fn from_parts(
        params: Self::Params,
        info: FitInfo<Self::Report>,
        n_features: usize,
        tensors: &Tensors,
    ) -> Result<Self>;
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
    /// The element type and the little-endian bytes.
    pub(crate) fn to_bytes(&self) -> (Dtype, Vec<u8>) {
        match self {
            Self::U32(v) => (Dtype::U32, v.iter().flat_map(|x| x.to_le_bytes()).collect()),
            Self::U64(v) => (Dtype::U64, v.iter().flat_map(|x| x.to_le_bytes()).collect()),
            Self::F32(v) => (Dtype::F32, v.iter().flat_map(|x| x.to_le_bytes()).collect()),
            Self::F64(v) => (Dtype::F64, v.iter().flat_map(|x| x.to_le_bytes()).collect()),
        }
    }
}

/// The tensors of a bundle's parameter file, read whole (and already checked against the
/// manifest's checksum by `bundle`).
pub(crate) struct Tensors {
    path: PathBuf,
    data: Vec<u8>,
}

impl Tensors {
    /// The tensors in `data`, read from `path` (named in errors).
    pub(crate) fn new(path: PathBuf, data: Vec<u8>) -> Self {
        Self { path, data }
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
        self.values(name, shape)
    }

    /// Tensor `name` as `u64`, checking its shape.
    pub(crate) fn u64s(&self, name: &str, shape: &[usize]) -> Result<Vec<u64>> {
        self.values(name, shape)
    }

    /// Tensor `name` as `f32`, checking its shape.
    pub(crate) fn f32s(&self, name: &str, shape: &[usize]) -> Result<Vec<f32>> {
        self.values(name, shape)
    }

    /// Tensor `name` as `f64`, checking its shape.
    pub(crate) fn f64s(&self, name: &str, shape: &[usize]) -> Result<Vec<f64>> {
        self.values(name, shape)
    }

    /// Tensor `name` decoded as `T` (its dtype and shape checked): the one decoder behind
    /// [`Tensors::u32s`], [`Tensors::u64s`], [`Tensors::f32s`] and [`Tensors::f64s`].
    fn values<T: Element>(&self, name: &str, shape: &[usize]) -> Result<Vec<T>> {
        let bytes = self.view(name, T::DTYPE, shape)?;
        Ok(bytes
            .chunks_exact(std::mem::size_of::<T>())
            .map(T::from_le)
            .collect())
    }
}

/// An element type of a saved tensor, read from its little-endian bytes.
trait Element: Sized {
    /// The safetensors dtype that holds it.
    const DTYPE: Dtype;
    /// The value of one element's bytes (`size_of::<Self>()` of them).
    fn from_le(bytes: &[u8]) -> Self;
}

macro_rules! element {
    ($($t:ty => $dtype:ident),*) => {$(
        impl Element for $t {
            const DTYPE: Dtype = Dtype::$dtype;
            fn from_le(bytes: &[u8]) -> Self {
                <$t>::from_le_bytes(bytes.try_into().expect("chunks of the element's size"))
            }
        }
    )*};
}

element!(u32 => U32, u64 => U64, f32 => F32, f64 => F64);
