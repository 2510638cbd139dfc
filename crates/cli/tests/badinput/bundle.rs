//! Bad-input cases of `rnameta`: bundle. A copy of the shared sex model is damaged or edited the
//! way a bad copy, a disk error or a hand edit would, then used to annotate; the refusal must name
//! the bundle's file, never blame the input or answer.

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use crate::support::{copy_bundle, fixture, sex_model, GEUVADIS_COUNTS};
use crate::{Case, Ctx, Expect, Run};

/// The cases of this area.
pub fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "02-damaged-bundle-payload-is-refused",
            run: |ctx| {
                let bundle = copy_bundle(ctx, &sex_model(), "bundle");
                let path = bundle.join("model.safetensors");
                let mut bytes = std::fs::read(&path).expect("the parameters");
                let end = bytes.len().min(900);
                bytes[300..end].fill(0xff);
                std::fs::write(&path, bytes).expect("written");
                annotate(ctx, &bundle, fixture(GEUVADIS_COUNTS))
            },
            expect: Expect::Refused {
                code: 1,
                needles: &["model.safetensors", "damaged", "retrain"],
            },
        },
        Case {
            name: "02-replaced-bundle-weights-are-refused",
            run: |ctx| {
                let bundle = copy_bundle(ctx, &sex_model(), "bundle");
                scale_float_tensors(&bundle.join("model.safetensors"), -50.0);
                annotate(ctx, &bundle, fixture(GEUVADIS_COUNTS))
            },
            expect: Expect::Refused {
                code: 1,
                needles: &["model.safetensors", "damaged", "retrain"],
            },
        },
        Case {
            name: "02-swapped-class-names-in-the-manifest-are-refused",
            run: |ctx| {
                // Every value still in range, every call flipped.
                let bundle = copy_bundle(ctx, &sex_model(), "bundle");
                edit_manifest(&bundle, |m| {
                    if let Some(classes) = m["classes"].as_array_mut() {
                        classes.reverse();
                    }
                });
                annotate(ctx, &bundle, fixture(GEUVADIS_COUNTS))
            },
            expect: Expect::Refused {
                code: 1,
                needles: &["manifest.json", "damaged", "retrain"],
            },
        },
        Case {
            name: "03-bundle-max-missing-above-one-is-refused",
            run: |ctx| {
                let bundle = copy_bundle(ctx, &sex_model(), "bundle");
                edit_manifest(&bundle, |m| {
                    m["preprocessing"]["max_missing_fraction"] = json!(5.0)
                });
                // None of the model's genes: with the limit at 500% every sample was "assigned"
                // from a tie of the training means.
                let input = without_model_genes(ctx);
                annotate(ctx, &bundle, input)
            },
            expect: Expect::Refused {
                code: 1,
                needles: &["manifest.json", "max_missing_fraction", "[0, 1]"],
            },
        },
        Case {
            name: "03-no-model-genes-leaves-every-sample-unassigned",
            run: |ctx| {
                // Allowed by --max-missing 1: the classifier sees only training means, so no
                // sample may be assigned a class.
                let input = without_model_genes(ctx);
                annotate(ctx, &sex_model(), input)
                    .arg("--max-missing")
                    .arg("1")
            },
            expect: Expect::Answers {
                check: |ctx, _| {
                    let table = std::fs::read_to_string(ctx.path("pred.tsv"))
                        .map_err(|e| format!("no predictions: {e}"))?;
                    let mut lines = table.lines();
                    let header: Vec<&str> = lines.next().unwrap_or_default().split('\t').collect();
                    let column = header
                        .iter()
                        .position(|c| *c == "predicted")
                        .ok_or_else(|| format!("no predicted column in {header:?}"))?;
                    let predicted: Vec<&str> = lines
                        .map(|l| l.split('\t').nth(column).unwrap_or_default())
                        .collect();
                    if predicted.len() != 3 || predicted.iter().any(|p| *p != "unassigned") {
                        return Err(format!(
                            "samples with none of the model's genes were assigned: {predicted:?}"
                        ));
                    }
                    Ok(())
                },
            },
        },
        Case {
            name: "20-bundle-gene-lengths-of-another-count-blame-the-bundle",
            run: |ctx| {
                let bundle = copy_bundle(ctx, &sex_model(), "bundle");
                edit_manifest(&bundle, |m| {
                    m["preprocessing"]["pipeline"]["steps"][0] =
                        json!({ "step": "tpm", "lengths": vec![1000.0; 10] });
                });
                annotate(ctx, &bundle, fixture(GEUVADIS_COUNTS))
            },
            expect: Expect::Refused {
                code: 1,
                needles: &["manifest.json", "steps[0].lengths", "holds 10 values"],
            },
        },
    ]
}

/// `annotate` with `bundle` on `input` into `pred.tsv` of the case folder.
fn annotate(ctx: &Ctx, bundle: &Path, input: PathBuf) -> Run {
    Run::new(["annotate", "--quiet", "--model"])
        .arg(bundle)
        .arg(input)
        .arg("-o")
        .arg(ctx.path("pred.tsv"))
}

/// A counts table of 3 samples holding every gene of the shared model's preprocessing except the
/// classifier's own: the preprocessing has data, the classifier none.
fn without_model_genes(ctx: &Ctx) -> PathBuf {
    let manifest = read_manifest(&sex_model());
    let model_genes: Vec<&str> = ids(&manifest["gene_ids"]);
    let mut text = String::from("gene_id\tS1\tS2\tS3\n");
    for (i, g) in ids(&manifest["preprocessing"]["pipeline"]["genes"])
        .into_iter()
        .filter(|g| !model_genes.contains(g))
        .enumerate()
    {
        text.push_str(&format!("{g}\t{}\t{}\t{}\n", i % 50, (i * 7) % 90, i % 13));
    }
    ctx.write("no-model-genes.tsv", text)
}

/// The manifest of `bundle` as JSON.
fn read_manifest(bundle: &Path) -> Value {
    let text = std::fs::read_to_string(bundle.join("manifest.json")).expect("the manifest");
    serde_json::from_str(&text).expect("manifest JSON")
}

/// Rewrites the manifest of `bundle` through `edit`.
fn edit_manifest(bundle: &Path, edit: impl FnOnce(&mut Value)) {
    let mut manifest = read_manifest(bundle);
    edit(&mut manifest);
    let text = serde_json::to_vec_pretty(&manifest).expect("manifest JSON");
    std::fs::write(bundle.join("manifest.json"), text).expect("written");
}

/// The strings of a JSON array.
fn ids(array: &Value) -> Vec<&str> {
    array
        .as_array()
        .expect("an array")
        .iter()
        .filter_map(Value::as_str)
        .collect()
}

/// Multiplies every value of every F32 / F64 tensor of the safetensors file at `path` by
/// `factor`, in place: the file stays a valid safetensors file of the same layout, with other
/// weights, as a replaced model would be.
fn scale_float_tensors(path: &Path, factor: f64) {
    let mut bytes = std::fs::read(path).expect("the parameters");
    let header_len = u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes")) as usize;
    let header: Value = serde_json::from_slice(&bytes[8..8 + header_len]).expect("header JSON");
    let data = 8 + header_len;
    let mut scaled = 0;
    for (name, tensor) in header.as_object().expect("a header object") {
        if name == "__metadata__" {
            continue;
        }
        let offsets = &tensor["data_offsets"];
        let start = data + offsets[0].as_u64().expect("an offset") as usize;
        let end = data + offsets[1].as_u64().expect("an offset") as usize;
        match tensor["dtype"].as_str() {
            Some("F32") => {
                for c in bytes[start..end].chunks_exact_mut(4) {
                    let v = f32::from_le_bytes(c.try_into().expect("4 bytes"));
                    c.copy_from_slice(&((f64::from(v) * factor) as f32).to_le_bytes());
                }
                scaled += 1;
            }
            Some("F64") => {
                for c in bytes[start..end].chunks_exact_mut(8) {
                    let v = f64::from_le_bytes(c.try_into().expect("8 bytes"));
                    c.copy_from_slice(&(v * factor).to_le_bytes());
                }
                scaled += 1;
            }
            _ => {}
        }
    }
    assert!(scaled > 0, "no float tensor in {}", path.display());
    std::fs::write(path, bytes).expect("written");
}
