//! Model bundles: a directory holding `manifest.json` (format version, the SHA-256 of every other
//! file, model kind, task, classes, ordered gene ids, hyperparameters, seed, training summary, fit
//! report, and for a [`crate::TrainedModel`] the fitted preprocessing) and `model.safetensors`
//! (the fitted parameters as flat little-endian arrays).
//!
//! The two files seal each other: the manifest records the SHA-256 of `model.safetensors`
//! ([`Manifest::files`]), and `model.safetensors` records, in its header metadata, the SHA-256 of
//! the manifest's content without that record ([`MANIFEST_SEAL_KEY`]). An edit to either file
//! (a weight, a class name, a hyperparameter) is therefore detected.
//!
//! Loading checks the format version first, then every manifest value against its valid range
//! and the rest of the manifest (so that an edited value is refused naming its field), then the
//! model kind, then both checksums before any tensor is parsed, then every tensor's type and shape
//! against the manifest. A bundle from another version, a damaged file or an edited one is a typed
//! error naming the file, never a panic or a silently wrong model.
//!
//! Saving writes the whole bundle into a staging folder next to it and moves it into place, so a
//! failed save leaves neither half a bundle nor a temporary file behind.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use rnameta_core::Task;
use safetensors::tensor::{Dtype, TensorView};
use safetensors::SafeTensors;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::classifier::{BundleHeader, Classifier, TrainingSummary};
use crate::{Error, Result};

/// The bundle format this build writes and reads. Version 2 added [`Manifest::files`], the
/// checksums of the bundle's files; bundles of version 1 cannot be checked and are refused with a
/// request to retrain.
pub const FORMAT_VERSION: u32 = 2;

/// File name of the manifest inside a bundle directory.
pub const MANIFEST_FILE: &str = "manifest.json";

/// File name of the parameters inside a bundle directory.
pub const TENSORS_FILE: &str = "model.safetensors";

/// The files of a bundle besides the manifest: each has its SHA-256 in [`Manifest::files`].
pub const CHECKSUMMED_FILES: [&str; 1] = [TENSORS_FILE];

/// Key, in the header metadata of `model.safetensors`, of the SHA-256 of the manifest's content
/// (its JSON with `files` emptied, written compactly; see [`manifest_seal`]).
pub const MANIFEST_SEAL_KEY: &str = "manifest_sha256";

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
    /// SHA-256 (lowercase hex) of every other file of the bundle ([`CHECKSUMMED_FILES`]), by file
    /// name; a file is checked against it when read, so a damaged or edited file is refused.
    /// Filled in by saving.
    pub files: BTreeMap<String, String>,
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
            files: BTreeMap::new(),
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

    /// Checks every value a loaded model relies on against its valid range and against the rest
    /// of the manifest, naming the field of the first one that is not.
    fn check(&self, path: &Path) -> Result<()> {
        self.check_fields()
            .map_err(|invalid| invalid.at(path.to_owned()))
    }

    fn check_fields(&self) -> Result<(), Invalid> {
        if let Some(name) = self
            .files
            .keys()
            .find(|name| !CHECKSUMMED_FILES.contains(&name.as_str()))
        {
            return Err(Invalid::new(
                "files",
                format!(
                    "lists {name:?}, which is not a file of a bundle (only {} is)",
                    CHECKSUMMED_FILES.join(", ")
                ),
            ));
        }
        for name in CHECKSUMMED_FILES {
            match self.files.get(name) {
                None => {
                    return Err(Invalid::new(
                        "files",
                        format!("lacks the SHA-256 checksum of {name}"),
                    ))
                }
                Some(digest) if !is_sha256_hex(digest) => {
                    return Err(Invalid::new(
                        format!("files.{name}"),
                        format!("is {digest:?}, not a SHA-256 checksum (64 hex digits)"),
                    ))
                }
                Some(_) => {}
            }
        }
        let min_classes = match self.model_kind {
            ModelKind::MultiLabelForest => 1,
            _ => 2,
        };
        if self.classes.len() < min_classes {
            return Err(Invalid::new(
                "classes",
                format!(
                    "holds {} class(es); a {} model needs at least {min_classes}",
                    self.classes.len(),
                    self.model_kind.as_str()
                ),
            ));
        }
        check_names("classes", &self.classes)?;
        if self.gene_ids.is_empty() {
            return Err(Invalid::new(
                "gene_ids",
                "is empty; a model reads at least one gene".to_owned(),
            ));
        }
        check_names("gene_ids", &self.gene_ids)?;
        if self.training.n_features != self.gene_ids.len() {
            return Err(Invalid::new(
                "training.n_features",
                format!(
                    "is {}, but gene_ids lists {} genes",
                    self.training.n_features,
                    self.gene_ids.len()
                ),
            ));
        }
        if let Some(preprocessing) = &self.preprocessing {
            preprocessing.check(&self.gene_ids)?;
        }
        Ok(())
    }
}

/// A manifest value that is out of range or inconsistent: the field (a path into the manifest's
/// JSON) and what is wrong with it. Becomes [`Error::InvalidManifest`] once the file is known.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Invalid {
    field: String,
    reason: String,
}

impl Invalid {
    /// The problem `reason` with the manifest field `field`.
    pub(crate) fn new(field: impl Into<String>, reason: String) -> Self {
        Self {
            field: field.into(),
            reason,
        }
    }

    /// The error for the manifest at `path`.
    fn at(self, path: PathBuf) -> Error {
        Error::InvalidManifest {
            path,
            field: self.field,
            reason: self.reason,
        }
    }
}

/// Refuses an empty name or one listed twice in the manifest field `field`.
pub(crate) fn check_names(field: &str, names: &[String]) -> Result<(), Invalid> {
    let mut seen = HashSet::with_capacity(names.len());
    for (i, name) in names.iter().enumerate() {
        if name.trim().is_empty() {
            return Err(Invalid::new(
                field,
                format!("holds an empty name at position {}", i + 1),
            ));
        }
        if !seen.insert(name.as_str()) {
            return Err(Invalid::new(field, format!("holds {name:?} twice")));
        }
    }
    Ok(())
}

/// Whether `text` is a SHA-256 digest as the manifest writes it: 64 lowercase hex digits.
fn is_sha256_hex(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The SHA-256 of the manifest text `json` without its record of the other files' checksums:
/// the JSON is parsed, `files` emptied, and written compactly. Two manifest texts that differ
/// only in `files` (the one hashed before the parameters were, and the one written after) have
/// the same seal, and any other edit changes it.
pub fn manifest_seal(json: &[u8]) -> std::result::Result<String, serde_json::Error> {
    let mut value: serde_json::Value = serde_json::from_slice(json)?;
    if let Some(files) = value.get_mut("files") {
        *files = serde_json::Value::Object(serde_json::Map::new());
    }
    Ok(sha256_hex(&serde_json::to_vec(&value)?))
}

/// The SHA-256 of `data` as 64 lowercase hex digits.
fn sha256_hex(data: &[u8]) -> String {
    Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Reads a bundle's manifest, checking the format version and then every value against its
/// valid range (an [`Error::InvalidManifest`] names the field).
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
    let manifest: Manifest = serde_json::from_str(&text).map_err(|source| Error::Manifest {
        path: path.clone(),
        source,
    })?;
    manifest.check(&path)?;
    Ok(manifest)
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

/// Writes the manifest and the tensors (name, shape, values) as the bundle `dir`, creating it,
/// with the checksum of the tensors in the manifest. The files are written into a staging folder
/// next to `dir` and moved into place (see [`install`]), so a failed save leaves nothing behind.
pub(crate) fn write_bundle(
    dir: &Path,
    manifest: &Manifest,
    tensors: Vec<(&str, Vec<usize>, Flat)>,
) -> Result<()> {
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
    let manifest_path = dir.join(MANIFEST_FILE);
    let to_json = |m: &Manifest| {
        serde_json::to_vec_pretty(m).map_err(|source| Error::Manifest {
            path: manifest_path.clone(),
            source,
        })
    };
    // The manifest's seal goes into the parameters, then the parameters' checksum into the
    // manifest (which leaves the seal unchanged).
    let mut manifest = manifest.clone();
    manifest.format_version = FORMAT_VERSION;
    manifest.files = BTreeMap::new();
    let seal = manifest_seal(&to_json(&manifest)?).map_err(|source| Error::Manifest {
        path: manifest_path.clone(),
        source,
    })?;
    let mut info = HashMap::new();
    info.insert("format_version".to_owned(), FORMAT_VERSION.to_string());
    info.insert(MANIFEST_SEAL_KEY.to_owned(), seal);
    let data = safetensors::serialize(views, Some(info)).map_err(|e| Error::Tensors {
        path: tensors_path.clone(),
        reason: e.to_string(),
    })?;
    manifest.files = BTreeMap::from([(TENSORS_FILE.to_owned(), sha256_hex(&data))]);
    let json = to_json(&manifest)?;
    // The manifest goes last: it is what makes a folder a bundle.
    install(dir, &[(TENSORS_FILE, &data), (MANIFEST_FILE, &json)])
}

/// Puts `files` (name, content) into the folder `dir`, all or nothing as far as the file system
/// allows. They are written and synced in a staging folder `.rnameta-tmp-<pid>-*` next to `dir`,
/// which then becomes `dir` by one rename when `dir` does not exist yet (or is empty); into an
/// existing bundle folder the files are renamed one by one, the manifest last, so a crash in
/// between leaves a manifest whose checksums refuse the new parameters rather than a silent mix.
/// The staging folder is removed on every error. Errors name the bundle's file, not the staging
/// one.
fn install(dir: &Path, files: &[(&str, &[u8])]) -> Result<()> {
    let io = |path: &Path| {
        let path = path.to_owned();
        move |source| Error::Io { path, source }
    };
    if dir.exists() && !dir.is_dir() {
        return Err(Error::Io {
            path: dir.to_owned(),
            source: std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                "exists and is not a folder; a bundle is a folder",
            ),
        });
    }
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    fs::create_dir_all(parent).map_err(io(parent))?;
    // Named like every temporary of rnameta (`.rnameta-tmp-<pid>-`, see rnameta-io's
    // `write::TEMPORARY_PREFIX`), so that a later run can tell one left by a killed process.
    let prefix = format!(".rnameta-tmp-{}-", std::process::id());
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix);
    #[cfg(unix)]
    {
        // The mode an ordinary folder gets (0777 less the umask), not tempfile's private 0700,
        // since the staging folder becomes the bundle.
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o777));
    }
    // Removed when dropped, which is what every early return below relies on.
    let staging = builder.tempdir_in(parent).map_err(io(parent))?;
    for (name, data) in files {
        let target = dir.join(name);
        let mut file = fs::File::create(staging.path().join(name)).map_err(io(&target))?;
        std::io::Write::write_all(&mut file, data).map_err(io(&target))?;
        file.sync_all().map_err(io(&target))?;
    }
    let is_empty_dir = |d: &Path| fs::read_dir(d).is_ok_and(|mut entries| entries.next().is_none());
    if dir.is_dir() && is_empty_dir(dir) {
        fs::remove_dir(dir).map_err(io(dir))?;
    }
    if !dir.exists() {
        fs::rename(staging.path(), dir).map_err(io(dir))?;
        // The staging folder is the bundle now: nothing left to remove.
        let _ = staging.keep();
    } else {
        for (name, _) in files {
            fs::rename(staging.path().join(name), dir.join(name)).map_err(io(&dir.join(name)))?;
        }
    }
    // Make the renames durable where the platform allows; a failure here loses nothing.
    if let Ok(d) = fs::File::open(parent) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// The tensors of a bundle, read whole.
pub(crate) struct TensorFile {
    path: PathBuf,
    data: Vec<u8>,
}

impl TensorFile {
    /// Reads `dir/model.safetensors`, checks it against the SHA-256 that `dir`'s manifest
    /// records before anything in it is parsed, then checks the manifest against the seal the
    /// parameters record (see the module docs).
    pub(crate) fn open(dir: &Path) -> Result<Self> {
        let path = dir.join(TENSORS_FILE);
        let data = fs::read(&path).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
        let manifest_path = dir.join(MANIFEST_FILE);
        let manifest = fs::read(&manifest_path).map_err(|source| Error::Io {
            path: manifest_path.clone(),
            source,
        })?;
        let merr = |source| Error::Manifest {
            path: manifest_path.clone(),
            source,
        };
        #[derive(Deserialize)]
        struct FilesOnly {
            files: BTreeMap<String, String>,
        }
        let files: FilesOnly = serde_json::from_slice(&manifest).map_err(merr)?;
        let expected = files
            .files
            .get(TENSORS_FILE)
            .filter(|digest| is_sha256_hex(digest))
            .cloned()
            .ok_or_else(|| Error::InvalidManifest {
                path: manifest_path.clone(),
                field: "files".to_owned(),
                reason: format!("lacks the SHA-256 checksum of {TENSORS_FILE}"),
            })?;
        let found = sha256_hex(&data);
        if found != expected {
            return Err(Error::ChecksumMismatch {
                path,
                recorded_in: MANIFEST_FILE,
                expected,
                found,
            });
        }
        // The parameters are intact, so the seal they record is the one written at save time.
        let (_, header) = SafeTensors::read_metadata(&data).map_err(|e| Error::Tensors {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        let recorded = header
            .metadata()
            .as_ref()
            .and_then(|m| m.get(MANIFEST_SEAL_KEY))
            .cloned()
            .ok_or_else(|| Error::Tensors {
                path: path.clone(),
                reason: format!(
                    "the header lacks {MANIFEST_SEAL_KEY}, the checksum of the manifest; \
                     retrain the model"
                ),
            })?;
        let seal = manifest_seal(&manifest).map_err(merr)?;
        if seal != recorded {
            return Err(Error::ChecksumMismatch {
                path: manifest_path,
                recorded_in: TENSORS_FILE,
                expected: recorded,
                found: seal,
            });
        }
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
