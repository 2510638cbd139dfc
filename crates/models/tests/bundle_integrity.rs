//! Bundle integrity (issue 18, cases 2, 3 and 20): a damaged or edited bundle is refused at load,
//! naming the bundle file and what is wrong, never loaded into a model that answers wrongly.
//!
//! Every test fits one small logistic regression (60 genes with lengths, 40 samples, two
//! classes, log2(TPM + 1)), saves it, damages a copy and loads it back. The last tests check the
//! other half of case 3: no sample is assigned a class from a tie or from no data.

use std::path::Path;
use std::sync::OnceLock;

use ndarray::{arr1, Array2};
use rnameta_core::{Dataset, GeneAnnotation, GeneInfo, Labels, SampleMeta, Task};
use rnameta_models::bundle::{MANIFEST_FILE, TENSORS_FILE};
use rnameta_models::trained::assigned_class;
use rnameta_models::{GeneChoice, LogisticParams, ModelSpec, TrainedModel};
use rnameta_preprocess::Pipeline;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

const GENES: usize = 60;
const SAMPLES: usize = 40;

/// Training data: the first 5 genes separate the classes ("F" high, "M" low).
fn training_data() -> (Dataset, Labels) {
    let genes = GeneAnnotation::new(
        (0..GENES)
            .map(|j| GeneInfo {
                union_exon_length: Some(500 + 37 * j as u32),
                ..GeneInfo::from_id(&format!("ENSG{j:011}"))
            })
            .collect(),
    )
    .unwrap();
    let counts = Array2::from_shape_fn((SAMPLES, GENES), |(i, j)| {
        let base = 50.0 + ((i * 7 + j * 13) % 17) as f32;
        if j < 5 && i % 2 == 0 {
            base * 20.0
        } else {
            base
        }
    });
    let samples: Vec<SampleMeta> = (0..SAMPLES)
        .map(|i| SampleMeta::new(format!("s{i}"), Default::default()))
        .collect();
    let names: Vec<Option<&str>> = (0..SAMPLES)
        .map(|i| Some(if i % 2 == 0 { "F" } else { "M" }))
        .collect();
    (
        Dataset::new(counts, genes, samples).unwrap(),
        Labels::from_names(&names),
    )
}

/// The model, fitted once per test binary.
fn model() -> &'static TrainedModel {
    static MODEL: OnceLock<TrainedModel> = OnceLock::new();
    MODEL.get_or_init(|| {
        let (data, labels) = training_data();
        TrainedModel::fit(
            &ModelSpec::Logistic(LogisticParams::default()),
            Task::Sex,
            &Pipeline::tpm_log2(),
            &GeneChoice::All,
            &data,
            &labels,
        )
        .unwrap()
    })
}

/// A fresh bundle of [`model`] in a temporary folder.
fn saved() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    model().save(&dir.path().join("bundle")).unwrap();
    dir
}

fn bundle(dir: &tempfile::TempDir) -> std::path::PathBuf {
    dir.path().join("bundle")
}

/// Loads `dir` and returns the error message, failing the test when it loads.
fn refusal(dir: &Path) -> String {
    match TrainedModel::load(dir) {
        Ok(m) => panic!("the damaged bundle loaded: {m:?}"),
        Err(e) => e.to_string(),
    }
}

/// Asserts that the message holds each needle.
fn holds(message: &str, needles: &[&str]) {
    for n in needles {
        assert!(message.contains(n), "{message:?} lacks {n:?}");
    }
}

/// Rewrites the manifest through `edit`.
fn edit_manifest(dir: &Path, edit: impl FnOnce(&mut Value)) {
    let path = dir.join(MANIFEST_FILE);
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    edit(&mut v);
    std::fs::write(&path, serde_json::to_vec_pretty(&v).unwrap()).unwrap();
}

/// The offset of the first byte after the safetensors header (where the tensor values begin).
fn data_start(bytes: &[u8]) -> usize {
    8 + u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize
}

#[test]
fn the_fitted_bundle_round_trips() {
    let dir = saved();
    let back = TrainedModel::load(&bundle(&dir)).unwrap();
    let (data, _) = training_data();
    assert_eq!(
        back.annotate(&data).unwrap().proba,
        model().annotate(&data).unwrap().proba
    );
}

#[test]
fn a_damaged_payload_is_refused_naming_the_file() {
    // Case 2: bytes of the tensor values overwritten with 0xff (NaN) read as a model answering
    // "unassigned" with NaN probabilities.
    let dir = saved();
    let path = bundle(&dir).join(TENSORS_FILE);
    let mut bytes = std::fs::read(&path).unwrap();
    let start = data_start(&bytes);
    let end = (start + 600).min(bytes.len());
    bytes[start..end].fill(0xff);
    std::fs::write(&path, bytes).unwrap();
    holds(
        &refusal(&bundle(&dir)),
        &["model.safetensors", "damaged", "retrain"],
    );
}

#[test]
fn replaced_weights_are_refused_naming_the_file() {
    // Case 2: coefficients multiplied by -50 and written back as a valid safetensors file flip
    // every call.
    let dir = saved();
    let path = bundle(&dir).join(TENSORS_FILE);
    let bytes = std::fs::read(&path).unwrap();
    let st = safetensors::SafeTensors::deserialize(&bytes).unwrap();
    let mut owned: Vec<(String, Vec<usize>, safetensors::Dtype, Vec<u8>)> = Vec::new();
    for (name, view) in st.tensors() {
        let mut data = view.data().to_vec();
        if name == "coef" {
            data = data
                .chunks_exact(8)
                .flat_map(|c| (f64::from_le_bytes(c.try_into().unwrap()) * -50.0).to_le_bytes())
                .collect();
        }
        owned.push((name, view.shape().to_vec(), view.dtype(), data));
    }
    let (_, metadata) = safetensors::SafeTensors::read_metadata(&bytes).unwrap();
    let views: Vec<(String, safetensors::tensor::TensorView<'_>)> = owned
        .iter()
        .map(|(n, s, d, b)| {
            (
                n.clone(),
                safetensors::tensor::TensorView::new(*d, s.clone(), b).unwrap(),
            )
        })
        .collect();
    let rewritten = safetensors::serialize(views, metadata.metadata().clone()).expect("serialised");
    std::fs::write(&path, rewritten).unwrap();
    holds(
        &refusal(&bundle(&dir)),
        &["model.safetensors", "damaged", "retrain"],
    );
}

#[test]
fn an_edited_checksum_is_refused() {
    let dir = saved();
    edit_manifest(&bundle(&dir), |v| {
        v["files"][TENSORS_FILE] = json!("0".repeat(64));
    });
    holds(&refusal(&bundle(&dir)), &["model.safetensors", "damaged"]);
}

#[test]
fn an_edited_manifest_value_in_range_is_refused() {
    // Swapped class names pass every range check and would flip every call: the manifest's
    // checksum, recorded in model.safetensors, refuses them.
    let dir = saved();
    edit_manifest(&bundle(&dir), |v| v["classes"] = json!(["M", "F"]));
    holds(
        &refusal(&bundle(&dir)),
        &["manifest.json", "model.safetensors", "damaged", "retrain"],
    );
    // So is an edit to a hyperparameter or the fit report.
    let dir = saved();
    edit_manifest(&bundle(&dir), |v| v["seed"] = json!(7));
    holds(&refusal(&bundle(&dir)), &["manifest.json", "damaged"]);
}

#[test]
fn reformatting_the_manifest_is_not_an_edit() {
    let dir = saved();
    let path = bundle(&dir).join(MANIFEST_FILE);
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    std::fs::write(&path, serde_json::to_vec(&v).unwrap()).unwrap();
    TrainedModel::load(&bundle(&dir)).unwrap();
}

#[test]
fn a_manifest_without_the_checksum_of_the_parameters_is_refused() {
    let dir = saved();
    edit_manifest(&bundle(&dir), |v| {
        v["files"].as_object_mut().unwrap().remove(TENSORS_FILE);
    });
    holds(&refusal(&bundle(&dir)), &["manifest.json", "files"]);
}

#[test]
fn the_manifest_records_the_checksum_of_every_other_file() {
    let dir = saved();
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(bundle(&dir).join(MANIFEST_FILE)).unwrap()).unwrap();
    let files: Vec<String> = std::fs::read_dir(bundle(&dir))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n != MANIFEST_FILE)
        .collect();
    assert_eq!(files, [TENSORS_FILE]);
    let recorded = manifest["files"].as_object().expect("a map of files");
    assert_eq!(recorded.keys().collect::<Vec<_>>(), [TENSORS_FILE]);
    let bytes = std::fs::read(bundle(&dir).join(TENSORS_FILE)).unwrap();
    let digest: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(recorded[TENSORS_FILE], json!(digest));
}

#[test]
fn a_bundle_of_the_previous_format_asks_to_retrain() {
    let dir = saved();
    edit_manifest(&bundle(&dir), |v| {
        v["format_version"] = json!(1);
        v.as_object_mut().unwrap().remove("files");
    });
    holds(
        &refusal(&bundle(&dir)),
        &["manifest.json", "format version 1", "retrain"],
    );
}

/// One manifest edit and what its refusal must name.
struct Edit {
    what: &'static str,
    edit: fn(&mut Value),
    needles: &'static [&'static str],
}

fn pipeline_genes(v: &Value) -> usize {
    v["preprocessing"]["pipeline"]["genes"]
        .as_array()
        .unwrap()
        .len()
}

fn edits() -> Vec<Edit> {
    vec![
        Edit {
            // Case 3: a limit of 500% let a file with none of the model's genes through.
            what: "max_missing_fraction above 1",
            edit: |v| v["preprocessing"]["max_missing_fraction"] = json!(5.0),
            needles: &["max_missing_fraction", "[0, 1]"],
        },
        Edit {
            what: "negative max_missing_fraction",
            edit: |v| v["preprocessing"]["max_missing_fraction"] = json!(-0.5),
            needles: &["max_missing_fraction", "[0, 1]"],
        },
        Edit {
            what: "one class",
            edit: |v| v["classes"] = json!(["F"]),
            needles: &["classes", "at least 2"],
        },
        Edit {
            what: "duplicate classes",
            edit: |v| v["classes"] = json!(["F", "F"]),
            needles: &["classes", "\"F\""],
        },
        Edit {
            what: "no gene ids",
            edit: |v| v["gene_ids"] = json!([]),
            needles: &["gene_ids", "empty"],
        },
        Edit {
            what: "duplicate gene ids",
            edit: |v| v["gene_ids"][1] = v["gene_ids"][0].clone(),
            needles: &["gene_ids", "ENSG00000000000"],
        },
        Edit {
            what: "a classifier gene outside the preprocessing's genes",
            edit: |v| v["gene_ids"][3] = json!("ENSG99999999999"),
            needles: &["gene_ids", "ENSG99999999999"],
        },
        Edit {
            what: "n_features unlike the gene list",
            edit: |v| v["training"]["n_features"] = json!(7),
            needles: &["training.n_features", "7"],
        },
        Edit {
            what: "fill values of another length",
            edit: |v| v["preprocessing"]["fill_values"] = json!([0.5, 0.5]),
            needles: &["preprocessing.fill_values", "2"],
        },
        Edit {
            what: "duplicate pipeline genes",
            edit: |v| {
                let genes = &mut v["preprocessing"]["pipeline"]["genes"];
                genes[2] = genes[1].clone();
            },
            needles: &["preprocessing.pipeline.genes", "ENSG00000000001"],
        },
        Edit {
            // Case 20: 10 gene lengths for the pipeline's genes blamed the input file.
            what: "10 gene lengths for 60 genes",
            edit: |v| {
                v["preprocessing"]["pipeline"]["steps"][0]["lengths"] = json!(vec![1000.0; 10]);
            },
            needles: &["preprocessing.pipeline.steps[0].lengths", "10", "60"],
        },
        Edit {
            what: "a zero gene length",
            edit: |v| v["preprocessing"]["pipeline"]["steps"][0]["lengths"][4] = json!(0.0),
            needles: &["preprocessing.pipeline.steps[0].lengths", "positive"],
        },
        Edit {
            what: "a quantile reference of another length",
            edit: |v| {
                let steps = v["preprocessing"]["pipeline"]["steps"]
                    .as_array_mut()
                    .unwrap();
                steps.push(json!({
                    "step": "quantile",
                    "reference": { "reference": [1.0, 2.0, 3.0], "n_samples": 4 }
                }));
            },
            needles: &["preprocessing.pipeline.steps[2].reference", "3"],
        },
        Edit {
            what: "a descending quantile reference",
            edit: |v| {
                let n = pipeline_genes(v);
                let descending: Vec<f32> = (0..n).rev().map(|i| i as f32).collect();
                let steps = v["preprocessing"]["pipeline"]["steps"]
                    .as_array_mut()
                    .unwrap();
                steps.push(json!({
                    "step": "quantile",
                    "reference": { "reference": descending, "n_samples": 4 }
                }));
            },
            needles: &["preprocessing.pipeline.steps[2].reference", "ascending"],
        },
        Edit {
            what: "a zero standard deviation",
            edit: |v| {
                let n = pipeline_genes(v);
                let mut sd = vec![1.0f32; n];
                sd[3] = 0.0;
                let steps = v["preprocessing"]["pipeline"]["steps"]
                    .as_array_mut()
                    .unwrap();
                steps.push(json!({
                    "step": "z_score",
                    "stats": { "mean": vec![0.0f32; n], "sd": sd, "constant_genes": [] }
                }));
            },
            needles: &["preprocessing.pipeline.steps[2].stats.sd", "positive"],
        },
        Edit {
            what: "a constant gene past the gene list",
            edit: |v| {
                let n = pipeline_genes(v);
                let steps = v["preprocessing"]["pipeline"]["steps"]
                    .as_array_mut()
                    .unwrap();
                steps.push(json!({
                    "step": "z_score",
                    "stats": { "mean": vec![0.0f32; n], "sd": vec![1.0f32; n], "constant_genes": [n + 5] }
                }));
            },
            needles: &["preprocessing.pipeline.steps[2].stats.constant_genes", "65"],
        },
    ]
}

#[test]
fn every_manifest_value_is_range_checked_naming_the_field() {
    let mut problems = Vec::new();
    for e in edits() {
        let dir = saved();
        edit_manifest(&bundle(&dir), e.edit);
        match TrainedModel::load(&bundle(&dir)) {
            Ok(_) => problems.push(format!("{}: loaded", e.what)),
            Err(err) => {
                let message = err.to_string();
                let mut needles = vec!["manifest.json", "retrain"];
                needles.extend(e.needles);
                let lacking: Vec<&str> = needles
                    .into_iter()
                    .filter(|n| !message.contains(n))
                    .collect();
                if !lacking.is_empty() {
                    problems.push(format!("{}: {message:?} lacks {lacking:?}", e.what));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn a_tie_nan_or_zero_row_is_never_assigned() {
    let assign = |row: &[f32], min_prob: f32| assigned_class(arr1(row).view(), min_prob);
    // Case 3: 31 classes tied on one value made every sample the first class.
    assert_eq!(assign(&[1.0 / 31.0; 31], 0.0), None);
    assert_eq!(assign(&[0.2, 0.4, 0.4], 0.0), None);
    assert_eq!(assign(&[0.4, 0.2, 0.4], 0.0), None);
    assert_eq!(assign(&[f32::NAN, 0.9], 0.0), None);
    assert_eq!(assign(&[f32::NAN, f32::NAN], 0.0), None);
    assert_eq!(assign(&[0.0, 0.0], 0.0), None);
    assert_eq!(assign(&[0.3, 0.7], 0.8), None);
    // A clear answer is kept, ties below the top included.
    assert_eq!(assign(&[0.3, 0.7], 0.5), Some(1));
    assert_eq!(assign(&[0.6, 0.2, 0.2], 0.0), Some(0));
}

#[test]
fn data_with_none_of_the_model_genes_is_never_assigned() {
    // Case 3: a file with 0 of the model's genes, let through by the missing-gene limit, was
    // annotated from the training means alone. The classifier reads the first 10 genes; the data
    // holds only the other 50, so the preprocessing still has data and the limit is 1 (all).
    let (data, labels) = training_data();
    let model_genes: Vec<String> = data.genes().ids().take(10).map(str::to_owned).collect();
    let mut model = TrainedModel::fit(
        &ModelSpec::Logistic(LogisticParams::default()),
        Task::Sex,
        &Pipeline::tpm_log2(),
        &GeneChoice::Ids(model_genes),
        &data,
        &labels,
    )
    .unwrap();
    model.set_max_missing_fraction(1.0).unwrap();
    let others: Vec<usize> = (10..GENES).collect();
    let without = Dataset::new(
        data.counts().select(ndarray::Axis(1), &others),
        GeneAnnotation::new(
            others
                .iter()
                .map(|&j| data.genes().genes()[j].clone())
                .collect(),
        )
        .unwrap(),
        data.samples().to_vec(),
    )
    .unwrap();
    let annotation = model.annotate(&without).unwrap();
    assert_eq!(annotation.genes.missing_model_genes.len(), 10);
    assert_eq!(annotation.assigned(0.0), vec![None; SAMPLES]);
    // With the genes, the same samples are assigned.
    let with = model.annotate(&data).unwrap().assigned(0.0);
    assert!(with.iter().all(Option::is_some), "{with:?}");
}

/// Every entry of `dir`, recursively, as paths relative to it.
fn entries(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p.clone());
            }
            out.push(p.strip_prefix(dir).unwrap().display().to_string());
        }
    }
    out.sort();
    out
}

#[test]
fn a_failed_save_leaves_no_temporary_and_no_half_bundle() {
    // Case 13: a failed save left `model.partial` in the bundle folder. Here the parameters
    // cannot be put in place (a folder holds their name).
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("bundle");
    std::fs::create_dir_all(target.join(TENSORS_FILE)).unwrap();
    assert!(model().save(&target).is_err());
    assert_eq!(entries(dir.path()), ["bundle", "bundle/model.safetensors"]);
}

#[test]
fn saving_creates_or_replaces_a_bundle_with_nothing_left_beside_it() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("new").join("bundle");
    model().save(&target).unwrap();
    assert_eq!(
        entries(dir.path()),
        [
            "new",
            "new/bundle",
            "new/bundle/manifest.json",
            "new/bundle/model.safetensors"
        ]
    );
    // Over an existing bundle, and into an existing empty folder.
    model().save(&target).unwrap();
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    model().save(&empty).unwrap();
    assert_eq!(
        entries(dir.path()),
        [
            "empty",
            "empty/manifest.json",
            "empty/model.safetensors",
            "new",
            "new/bundle",
            "new/bundle/manifest.json",
            "new/bundle/model.safetensors"
        ]
    );
    TrainedModel::load(&target).unwrap();
    TrainedModel::load(&empty).unwrap();
}

#[test]
fn a_bundle_naming_its_model_by_the_old_long_name_still_loads() {
    // Bundles written before the one model vocabulary named the model `logistic_regression`
    // (now `logistic`). Such a bundle is rebuilt here as that build wrote it: the manifest with
    // the old name, its seal in the parameters and the parameters' checksum in the manifest.
    let dir = saved();
    let manifest_path = bundle(&dir).join(MANIFEST_FILE);
    let tensors_path = bundle(&dir).join(TENSORS_FILE);
    let mut v: Value = serde_json::from_slice(&std::fs::read(&manifest_path).unwrap()).unwrap();
    assert_eq!(v["model_kind"], json!("logistic"));
    v["model_kind"] = json!("logistic_regression");
    let seal = rnameta_models::bundle::manifest_seal(&serde_json::to_vec(&v).unwrap()).unwrap();
    let bytes = std::fs::read(&tensors_path).unwrap();
    let st = safetensors::SafeTensors::deserialize(&bytes).unwrap();
    let (_, header) = safetensors::SafeTensors::read_metadata(&bytes).unwrap();
    let mut info = header.metadata().clone().unwrap();
    info.insert(rnameta_models::bundle::MANIFEST_SEAL_KEY.to_owned(), seal);
    let views: Vec<(String, safetensors::tensor::TensorView<'_>)> = st.tensors();
    let rewritten = safetensors::serialize(views, Some(info)).unwrap();
    let digest: String = Sha256::digest(&rewritten)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    v["files"][TENSORS_FILE] = json!(digest);
    std::fs::write(&tensors_path, rewritten).unwrap();
    std::fs::write(&manifest_path, serde_json::to_vec_pretty(&v).unwrap()).unwrap();
    let loaded = TrainedModel::load(&bundle(&dir)).unwrap();
    assert_eq!(
        loaded.classifier().kind(),
        rnameta_models::ModelKind::LogisticRegression
    );
}
