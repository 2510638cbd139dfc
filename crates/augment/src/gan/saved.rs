//! A saved generator: a directory with `manifest.json` (what the generator is and how it was
//! trained) and `generator.safetensors` (its layers and the standardiser, `f32` little-endian,
//! so a reloaded generator computes bit for bit what the saved one did). Both files go through
//! io's atomic writer (`rnameta_io::write`), staged and committed together, so a crash never
//! leaves half a file; loading checks the format version first, then every tensor's shape
//! against the manifest.

use std::collections::HashMap;
use std::fs;
use std::path::Path;

use rnameta_io::write;
use rnameta_models::neural::kit::PlainLayer;
use safetensors::tensor::{Dtype, TensorView};
use safetensors::SafeTensors;
use serde::{Deserialize, Serialize};

use super::generator::{Conditioning, Generator};
use super::network::Stack;
use super::{Fitted, GanParams};
use crate::data::Standardiser;
use crate::{Error, FitReport, Result};

/// The saved-generator format this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// File name of the manifest inside a saved-generator directory.
const MANIFEST_FILE: &str = "manifest.json";

/// File name of the tensors inside a saved-generator directory.
const TENSORS_FILE: &str = "generator.safetensors";

/// What the manifest's `kind` says.
const KIND: &str = "rnameta_augment_gan_generator";

/// The JSON manifest of a saved generator.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Manifest {
    format_version: u32,
    kind: String,
    n_genes: usize,
    n_classes: usize,
    n_studies: usize,
    noise_dim: usize,
    /// Layer sizes `[inputs, hidden..., genes]`.
    layer_sizes: Vec<usize>,
    leaky_slope: f32,
    class_counts: Vec<usize>,
    class_study_counts: Vec<Vec<usize>>,
    params: GanParams,
    fit_report: FitReport,
}

/// Writes `fitted` (trained with `params`) into `dir`.
pub(super) fn save(dir: &Path, params: &GanParams, fitted: &Fitted) -> Result<()> {
    let g = &fitted.generator;
    let mut sizes = vec![g.net.inputs()];
    sizes.extend(g.net.layers.iter().map(|l| l.outputs));
    let manifest = Manifest {
        format_version: FORMAT_VERSION,
        kind: KIND.to_owned(),
        n_genes: g.genes(),
        n_classes: g.conditioning.n_classes,
        n_studies: g.conditioning.n_studies,
        noise_dim: g.noise_dim,
        layer_sizes: sizes,
        leaky_slope: g.net.slope,
        class_counts: fitted.class_counts.clone(),
        class_study_counts: fitted.class_study_counts.clone(),
        params: params.clone(),
        fit_report: fitted.report.clone(),
    };
    let mut tensors: Vec<(String, Vec<usize>, Vec<f32>)> = Vec::new();
    for (i, layer) in g.net.layers.iter().enumerate() {
        tensors.push((
            format!("generator.{i}.weight"),
            vec![layer.inputs, layer.outputs],
            layer.weight.clone(),
        ));
        tensors.push((
            format!("generator.{i}.bias"),
            vec![layer.outputs],
            layer.bias.clone(),
        ));
    }
    let s = &fitted.standardiser;
    tensors.push(("standardiser.mean".into(), vec![s.genes()], s.mean.clone()));
    tensors.push((
        "standardiser.scale".into(),
        vec![s.genes()],
        s.scale.clone(),
    ));

    fs::create_dir_all(dir).map_err(|source| Error::Io {
        path: dir.to_owned(),
        source,
    })?;
    let tensors_path = dir.join(TENSORS_FILE);
    let bytes: Vec<(String, Vec<usize>, Vec<u8>)> = tensors
        .into_iter()
        .map(|(name, shape, values)| {
            let data = values.iter().flat_map(|v| v.to_le_bytes()).collect();
            (name, shape, data)
        })
        .collect();
    let views = bytes
        .iter()
        .map(|(name, shape, data)| {
            TensorView::new(Dtype::F32, shape.clone(), data)
                .map(|v| (name.clone(), v))
                .map_err(|e| Error::Tensors {
                    path: tensors_path.clone(),
                    reason: format!("tensor {name}: {e}"),
                })
        })
        .collect::<Result<Vec<_>>>()?;
    let mut info = HashMap::new();
    info.insert("format_version".to_owned(), FORMAT_VERSION.to_string());
    let data = safetensors::serialize(views, Some(info)).map_err(|e| Error::Tensors {
        path: tensors_path.clone(),
        reason: e.to_string(),
    })?;
    let manifest_path = dir.join(MANIFEST_FILE);
    let json = serde_json::to_vec_pretty(&manifest).map_err(|source| Error::Manifest {
        path: manifest_path.clone(),
        source,
    })?;
    // Both files are staged, then renamed together (the manifest last), so a crash never leaves
    // half a file nor a manifest without its tensors.
    let saving = |source| Error::Save {
        dir: dir.to_owned(),
        source: Box::new(source),
    };
    let tensors = write::stage(&tensors_path, |out| out.write_all(&data)).map_err(saving)?;
    let manifest = write::stage(&manifest_path, |out| out.write_all(&json)).map_err(saving)?;
    write::commit_all(vec![tensors, manifest]).map_err(saving)
}

/// Reads the generator in `dir`: its hyperparameters and fitted state.
pub(super) fn load(dir: &Path) -> Result<(GanParams, Fitted)> {
    let manifest_path = dir.join(MANIFEST_FILE);
    let text = fs::read_to_string(&manifest_path).map_err(|source| Error::Io {
        path: manifest_path.clone(),
        source,
    })?;
    // The version first, so that a future layout reports its version rather than a missing field.
    #[derive(Deserialize)]
    struct VersionOnly {
        format_version: u32,
    }
    let merr = |source| Error::Manifest {
        path: manifest_path.clone(),
        source,
    };
    let v: VersionOnly = serde_json::from_str(&text).map_err(merr)?;
    if v.format_version != FORMAT_VERSION {
        return Err(Error::FormatVersion {
            path: manifest_path,
            found: v.format_version,
            supported: FORMAT_VERSION,
        });
    }
    let m: Manifest = serde_json::from_str(&text).map_err(merr)?;
    let corrupt = |reason: String| Error::Tensors {
        path: manifest_path.clone(),
        reason,
    };
    if m.kind != KIND {
        return Err(corrupt(format!(
            "holds a {:?}, not a GAN generator",
            m.kind
        )));
    }
    let conditioning = Conditioning {
        n_classes: m.n_classes,
        n_studies: m.n_studies,
    };
    let sizes = &m.layer_sizes;
    if sizes.len() < 2
        || sizes[0] != m.noise_dim + conditioning.width()
        || sizes[sizes.len() - 1] != m.n_genes
        || sizes.contains(&0)
    {
        return Err(corrupt(format!(
            "layer sizes {sizes:?} do not fit {} noise inputs, {} classes, {} studies and {} genes",
            m.noise_dim, m.n_classes, m.n_studies, m.n_genes
        )));
    }
    if m.class_counts.len() != m.n_classes
        || m.class_study_counts.len() != m.n_classes
        || m.class_study_counts.iter().any(|r| r.len() != m.n_studies)
    {
        return Err(corrupt(
            "class counts do not match the class and study numbers".into(),
        ));
    }

    let tensors_path = dir.join(TENSORS_FILE);
    let data = fs::read(&tensors_path).map_err(|source| Error::Io {
        path: tensors_path.clone(),
        source,
    })?;
    let terr = |reason: String| Error::Tensors {
        path: tensors_path.clone(),
        reason,
    };
    let st = SafeTensors::deserialize(&data).map_err(|e| terr(e.to_string()))?;
    let read = |name: &str, shape: &[usize]| -> Result<Vec<f32>> {
        let t = st
            .tensor(name)
            .map_err(|e| terr(format!("tensor {name}: {e}")))?;
        if t.dtype() != Dtype::F32 || t.shape() != shape {
            return Err(terr(format!(
                "tensor {name} is {:?} {:?}, expected F32 {shape:?}",
                t.dtype(),
                t.shape()
            )));
        }
        Ok(t.data()
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect())
    };
    let mut layers = Vec::with_capacity(sizes.len() - 1);
    for (i, w) in sizes.windows(2).enumerate() {
        let weight = read(&format!("generator.{i}.weight"), &[w[0], w[1]])?;
        let bias = read(&format!("generator.{i}.bias"), &[w[1]])?;
        layers.push(PlainLayer::from_values(w[0], w[1], weight, bias));
    }
    let standardiser = Standardiser {
        mean: read("standardiser.mean", &[m.n_genes])?,
        scale: read("standardiser.scale", &[m.n_genes])?,
    };
    let generator = Generator {
        net: Stack {
            layers,
            slope: m.leaky_slope,
        },
        noise_dim: m.noise_dim,
        conditioning,
    };
    Ok((
        m.params,
        Fitted {
            generator,
            standardiser,
            class_counts: m.class_counts,
            class_study_counts: m.class_study_counts,
            report: m.fit_report,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A one-layer generator (4 noise inputs + 2 classes -> 3 genes) with known weights.
    fn tiny() -> (GanParams, Fitted) {
        let params = GanParams::default();
        let conditioning = Conditioning {
            n_classes: 2,
            n_studies: 0,
        };
        let (inputs, genes) = (4 + conditioning.width(), 3);
        let weight = (0..inputs * genes).map(|i| i as f32 / 7.0).collect();
        let layer = PlainLayer::from_values(inputs, genes, weight, vec![0.5; genes]);
        let fitted = Fitted {
            generator: Generator {
                net: Stack {
                    layers: vec![layer],
                    slope: 0.2,
                },
                noise_dim: 4,
                conditioning,
            },
            standardiser: Standardiser {
                mean: vec![1.0, 2.0, 3.0],
                scale: vec![1.0, 0.5, 2.0],
            },
            class_counts: vec![5, 6],
            class_study_counts: vec![vec![], vec![]],
            report: FitReport {
                method: "gan".to_owned(),
                n_samples: 11,
                n_genes: genes,
                class_counts: vec![5, 6],
                seconds: 0.0,
                gan: None,
            },
        };
        (params, fitted)
    }

    #[test]
    fn saved_files_reload_and_leave_no_temporaries() {
        let dir = tempfile::tempdir().unwrap();
        let (params, fitted) = tiny();
        save(dir.path(), &params, &fitted).unwrap();
        let mut names: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, [TENSORS_FILE, MANIFEST_FILE]);
        let (_, back) = load(dir.path()).unwrap();
        assert_eq!(back.standardiser, fitted.standardiser);
        assert_eq!(back.generator.net, fitted.generator.net);
    }

    /// The two files are staged and committed together: when the manifest cannot take its
    /// place (a folder under its name), the tensors do not appear either, and the error is
    /// io's, naming the manifest.
    #[test]
    fn a_save_that_cannot_complete_leaves_neither_file() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join(MANIFEST_FILE)).unwrap();
        let (params, fitted) = tiny();
        let err = save(dir.path(), &params, &fitted).unwrap_err();
        match &err {
            Error::Save { source, .. } => {
                assert!(source.to_string().contains(MANIFEST_FILE), "{err}")
            }
            other => panic!("expected Error::Save, got {other:?}"),
        }
        assert!(!dir.path().join(TENSORS_FILE).exists(), "{err}");
        let left: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "only the folder in the way remains");
    }
}
