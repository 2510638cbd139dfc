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
//! Saving goes through rnameta-io's one atomic writer: both files are staged beside their
//! targets (synced temporaries) and committed together, the manifest last, so a failed save
//! leaves neither half a bundle nor a temporary file behind.
//!
//! Saving depends on the models, not the other way round: every model implements the
//! crate-private `Persist` (its kind, hyperparameters, fit information and tensors, knowing
//! nothing of files), and this module turns that into a bundle and back ([`SaveBundle`],
//! [`LoadBundle`], [`load_classifier`]).

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::Path;

use rnameta_core::Task;
use safetensors::tensor::{Dtype, TensorView};
use safetensors::SafeTensors;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::classifier::{Classifier, TrainingSummary};
use crate::fitted::FitInfo;
use crate::kind::ModelKind;
use crate::parts::{NamedTensor, Persist, Tensors};
use crate::preprocessing::{check_names, Invalid, Preprocessing};
use crate::{
    DomainAdaptation, Error, Lin, LogisticRegression, Mlp, MultiLabelForest, RandomForest, Result,
};

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

/// What a bundle records besides the model itself: the task and the gene of each input column, so
/// that applying the bundle to new data can reorder genes by id.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BundleHeader {
    /// The task the model predicts (`None` for a multi-label model spanning tasks).
    pub task: Option<Task>,
    /// Ensembl gene id (without version) of each input column, in column order.
    pub gene_ids: Vec<String>,
    /// The preprocessing from raw values to the input columns, when the model was trained through
    /// [`crate::TrainedModel`] (`None` for a bare classifier).
    pub preprocessing: Option<Preprocessing>,
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
    /// The model, by its one name (`rf`; the long names of earlier manifests, `random_forest`,
    /// are read too).
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
    pub preprocessing: Option<Preprocessing>,
}

impl Manifest {
    /// A manifest for `model` about to be saved; refuses an unfitted model and a gene list of
    /// the wrong length.
    fn of<M: Persist>(model: &M, header: &BundleHeader) -> Result<Self> {
        let info = model.fit_info().ok_or(Error::NotFitted)?;
        let training = &info.summary;
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
            model_kind: M::KIND,
            task: header.task,
            classes: info.classes.clone(),
            gene_ids: header.gene_ids.clone(),
            hyperparameters: crate::classifier::to_json(model.params()),
            seed: model.seed(),
            training: training.clone(),
            fit_report: info.report_json(),
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
fn read_manifest_of(dir: &Path, expected: ModelKind) -> Result<Manifest> {
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

/// A model that can be written as a bundle: every model of this crate.
pub trait SaveBundle {
    /// Which model this is (written into the bundle manifest).
    fn kind(&self) -> ModelKind;

    /// What fitting reported (losses per epoch, chosen genes, out-of-bag accuracy...) as JSON, the
    /// same value the bundle manifest stores; `None` before fitting.
    fn fit_report(&self) -> Option<serde_json::Value>;

    /// Writes the model as a bundle (manifest + parameters) into the directory `dir`, creating
    /// it; refuses an unfitted model.
    fn save(&self, dir: &Path, header: &BundleHeader) -> Result<()>;
}

/// A model that can be read back from a bundle: every model of this crate.
pub trait LoadBundle: Sized {
    /// Reads a bundle written by [`SaveBundle::save`], refusing one of another model kind, one
    /// whose files fail their checksums or whose manifest holds a value out of range.
    fn load(dir: &Path) -> Result<Self>;
}

/// A single-label classifier that can be saved: what [`load_classifier`] returns and what a
/// [`crate::TrainedModel`] holds.
pub trait SavedClassifier: Classifier + SaveBundle {}

impl<T: Classifier + SaveBundle> SavedClassifier for T {}

/// Writes `model` as the bundle `dir` (see [`SaveBundle::save`]).
fn save<M: Persist>(model: &M, dir: &Path, header: &BundleHeader) -> Result<()> {
    let manifest = Manifest::of(model, header)?;
    write_bundle(dir, &manifest, model.tensors())
}

/// Reads the bundle `dir` as a model `M` (see [`LoadBundle::load`]).
fn load<M: Persist>(dir: &Path) -> Result<M> {
    let m = read_manifest_of(dir, M::KIND)?;
    let merr = |source| Error::Manifest {
        path: dir.join(MANIFEST_FILE),
        source,
    };
    let params: M::Params = serde_json::from_value(m.hyperparameters).map_err(merr)?;
    let report: M::Report = serde_json::from_value(m.fit_report).map_err(merr)?;
    let n_features = m.gene_ids.len();
    let tensors = open_tensors(dir)?;
    M::from_parts(
        params,
        FitInfo {
            classes: m.classes,
            report,
            summary: m.training,
        },
        n_features,
        &tensors,
    )
}

/// [`SaveBundle`] and [`LoadBundle`] for models through their `Persist` implementation.
macro_rules! bundled {
    ($($model:ty),*) => {$(
        impl SaveBundle for $model {
            fn kind(&self) -> ModelKind {
                <$model as Persist>::KIND
            }

            fn fit_report(&self) -> Option<serde_json::Value> {
                self.fit_info().map(FitInfo::report_json)
            }

            fn save(&self, dir: &Path, header: &BundleHeader) -> Result<()> {
                save(self, dir, header)
            }
        }

        impl LoadBundle for $model {
            fn load(dir: &Path) -> Result<Self> {
                load(dir)
            }
        }
    )*};
}

bundled!(
    Lin,
    Mlp,
    DomainAdaptation,
    RandomForest,
    LogisticRegression,
    MultiLabelForest
);

/// Loads any single-label classifier bundle, whatever its model kind.
pub fn load_classifier(dir: &Path) -> Result<Box<dyn SavedClassifier>> {
    let m = read_manifest(dir)?;
    match m.model_kind {
        ModelKind::RandomForest => Ok(Box::new(RandomForest::load(dir)?)),
        ModelKind::LogisticRegression => Ok(Box::new(LogisticRegression::load(dir)?)),
        ModelKind::Lin => Ok(Box::new(Lin::load(dir)?)),
        ModelKind::Mlp => Ok(Box::new(Mlp::load(dir)?)),
        ModelKind::DomainAdaptation => Ok(Box::new(DomainAdaptation::load(dir)?)),
        ModelKind::MultiLabelForest => Err(Error::WrongModelKind {
            path: dir.join(MANIFEST_FILE),
            found: m.model_kind.as_str().to_owned(),
            expected: "a single-label classifier".to_owned(),
        }),
    }
}

/// Writes the manifest and the tensors (name, shape, values) as the bundle `dir`, creating it,
/// with the checksum of the tensors in the manifest, through rnameta-io's atomic writer (see
/// [`install`]), so a failed save leaves nothing behind.
fn write_bundle(dir: &Path, manifest: &Manifest, tensors: Vec<NamedTensor>) -> Result<()> {
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
    let data = safetensors::serialize(views, Some(info))
        .map_err(|e| e.to_string())
        .and_then(|data| sorted_header(&data))
        .map_err(|reason| Error::Tensors {
            path: tensors_path.clone(),
            reason,
        })?;
    manifest.files = BTreeMap::from([(TENSORS_FILE.to_owned(), sha256_hex(&data))]);
    let json = to_json(&manifest)?;
    // The manifest goes last: it is what makes a folder a bundle.
    install(dir, &[(TENSORS_FILE, &data), (MANIFEST_FILE, &json)])
}

/// The safetensors file `data` with its JSON header's keys in sorted order: safetensors writes its
/// metadata from a `HashMap`, whose order changes from process to process, so without this the
/// same model would give other bytes (and another checksum) in every run. The header is padded
/// with spaces to a multiple of 8 bytes, as safetensors pads it; the tensors' bytes are kept.
fn sorted_header(data: &[u8]) -> std::result::Result<Vec<u8>, String> {
    let short = || "the serialised tensors are shorter than their header".to_owned();
    let length: [u8; 8] = data
        .get(..8)
        .ok_or_else(short)?
        .try_into()
        .map_err(|_| short())?;
    let length = usize::try_from(u64::from_le_bytes(length)).map_err(|e| e.to_string())?;
    let header = data.get(8..8 + length).ok_or_else(short)?;
    // serde_json's map is a BTreeMap (no preserve_order feature): keys come out sorted.
    let header: serde_json::Value = serde_json::from_slice(header).map_err(|e| e.to_string())?;
    let mut sorted = serde_json::to_vec(&header).map_err(|e| e.to_string())?;
    sorted.resize(sorted.len().div_ceil(8) * 8, b' ');
    let mut out = Vec::with_capacity(8 + sorted.len() + data.len() - 8 - length);
    out.extend_from_slice(&(sorted.len() as u64).to_le_bytes());
    out.extend_from_slice(&sorted);
    out.extend_from_slice(&data[8 + length..]);
    Ok(out)
}

/// Puts `files` (name, content) into the folder `dir`, creating it: each is staged by
/// rnameta-io's writer (a synced temporary `.rnameta-tmp-<pid>-*` beside its target, removed if
/// anything fails) and all are committed together, in order (the manifest last: it is what makes
/// a folder a bundle). A folder this call created is removed again when the save fails.
pub(crate) fn install(dir: &Path, files: &[(&str, &[u8])]) -> Result<()> {
    if dir.exists() && !dir.is_dir() {
        return Err(Error::Io {
            path: dir.to_owned(),
            source: std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                "exists and is not a folder; a bundle is a folder",
            ),
        });
    }
    let created = !dir.exists();
    fs::create_dir_all(dir).map_err(|source| Error::Io {
        path: dir.to_owned(),
        source,
    })?;
    let written = files
        .iter()
        .map(|(name, data)| rnameta_io::write::stage(&dir.join(name), |out| out.write_all(data)))
        .collect::<std::result::Result<Vec<_>, _>>()
        .and_then(rnameta_io::write::commit_all);
    if let Err(e) = written {
        if created {
            // Only an empty folder goes: the staged temporaries are already removed.
            let _ = fs::remove_dir(dir);
        }
        return Err(Error::Save {
            dir: dir.to_owned(),
            source: Box::new(e),
        });
    }
    Ok(())
}

/// Reads `dir/model.safetensors`, checks it against the SHA-256 that `dir`'s manifest
/// records before anything in it is parsed, then checks the manifest against the seal the
/// parameters record (see the module docs).
fn open_tensors(dir: &Path) -> Result<Tensors> {
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
    Ok(Tensors::new(path, data))
}
