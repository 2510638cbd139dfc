//! The trees of a forest as flat tensors (one array per node field, trees concatenated) and back.
//!
//! Tensors: `feature` u32 [nodes] (`u32::MAX` marks a leaf), `threshold` f32 [nodes] (an internal
//! node sends `x[feature] <= threshold` left), `left` u32 [nodes] (a leaf's row in `leaf_values`,
//! counted within its tree), `right` u32 [nodes], `leaf_values` f32 [leaves, outputs],
//! `tree_node_offsets` u64 [trees + 1], `tree_leaf_offsets` u64 [trees + 1],
//! `feature_importances` f64 [features]. Child indices count within their tree.
//!
//! This is the grown layout ([`Tree`]), written as it is in memory; the layout prediction walks
//! (`predict.rs`) is derived from it at load time, so bundles did not change with it.

use super::ensemble::Ensemble;
use super::tree::{Node, Tree, LEAF};
use crate::parts::{Flat, NamedTensor, Tensors};
use crate::{Error, Result};

/// The tensors of an ensemble and its importances.
pub(crate) fn to_tensors(e: &Ensemble, importances: &[f64]) -> Vec<NamedTensor> {
    let mut feature = Vec::new();
    let mut threshold = Vec::new();
    let mut left = Vec::new();
    let mut right = Vec::new();
    let mut leaf_values = Vec::new();
    let mut node_off = vec![0u64];
    let mut leaf_off = vec![0u64];
    for t in &e.trees {
        for n in &t.nodes {
            feature.push(n.feature);
            threshold.push(n.threshold);
            left.push(n.left);
            right.push(n.right);
        }
        leaf_values.extend_from_slice(&t.leaf_values);
        node_off.push(feature.len() as u64);
        leaf_off.push((leaf_values.len() / e.n_outputs.max(1)) as u64);
    }
    let n_nodes = feature.len();
    let n_leaves = leaf_values.len() / e.n_outputs.max(1);
    let n_trees = e.trees.len();
    vec![
        ("feature", vec![n_nodes], Flat::U32(feature)),
        ("threshold", vec![n_nodes], Flat::F32(threshold)),
        ("left", vec![n_nodes], Flat::U32(left)),
        ("right", vec![n_nodes], Flat::U32(right)),
        (
            "leaf_values",
            vec![n_leaves, e.n_outputs],
            Flat::F32(leaf_values),
        ),
        ("tree_node_offsets", vec![n_trees + 1], Flat::U64(node_off)),
        ("tree_leaf_offsets", vec![n_trees + 1], Flat::U64(leaf_off)),
        (
            "feature_importances",
            vec![importances.len()],
            Flat::F64(importances.to_vec()),
        ),
    ]
}

/// Reads the ensemble back, checking every index so that prediction can never go out of bounds or
/// loop: children come after their parent, leaves point inside their tree's leaf table.
pub(crate) fn from_tensors(
    f: &Tensors,
    n_outputs: usize,
    n_features: usize,
) -> Result<(Ensemble, Vec<f64>)> {
    let corrupt = |reason: String| Error::Corrupt {
        path: f.path().to_owned(),
        reason,
    };
    let n_nodes = *f.shape("feature")?.first().unwrap_or(&0);
    let offsets_len = *f.shape("tree_node_offsets")?.first().unwrap_or(&0);
    if offsets_len < 2 {
        return Err(corrupt("no trees".to_owned()));
    }
    let n_trees = offsets_len - 1;
    let feature = f.u32s("feature", &[n_nodes])?;
    let threshold = f.f32s("threshold", &[n_nodes])?;
    let left = f.u32s("left", &[n_nodes])?;
    let right = f.u32s("right", &[n_nodes])?;
    let node_off = f.u64s("tree_node_offsets", &[n_trees + 1])?;
    let leaf_off = f.u64s("tree_leaf_offsets", &[n_trees + 1])?;
    let n_leaves = *leaf_off.last().unwrap_or(&0) as usize;
    let leaf_values = f.f32s("leaf_values", &[n_leaves, n_outputs])?;
    let importances = f.f64s("feature_importances", &[n_features])?;
    let mut trees = Vec::with_capacity(n_trees);
    for t in 0..n_trees {
        let (a, b) = (node_off[t] as usize, node_off[t + 1] as usize);
        let (la, lb) = (leaf_off[t] as usize, leaf_off[t + 1] as usize);
        if a >= b || b > n_nodes || la > lb || lb > n_leaves {
            return Err(corrupt(format!("tree {t}: bad node or leaf offsets")));
        }
        // The prediction layout numbers nodes and leaves in 31 bits (`predict.rs`).
        if b - a >= 1 << 31 || lb - la >= 1 << 31 {
            return Err(corrupt(format!("tree {t}: 2^31 nodes or leaves or more")));
        }
        let mut nodes = Vec::with_capacity(b - a);
        for j in a..b {
            let local = j - a;
            let node = Node {
                feature: feature[j],
                threshold: threshold[j],
                left: left[j],
                right: right[j],
            };
            let ok = if node.feature == LEAF {
                (node.left as usize) < lb - la
            } else {
                (node.feature as usize) < n_features
                    && (node.left as usize) > local
                    && (node.right as usize) > local
                    && (node.left as usize) < b - a
                    && (node.right as usize) < b - a
                    && !node.threshold.is_nan()
            };
            if !ok {
                return Err(corrupt(format!(
                    "tree {t}, node {local}: index out of range"
                )));
            }
            nodes.push(node);
        }
        trees.push(Tree {
            nodes,
            leaf_values: leaf_values[la * n_outputs..lb * n_outputs].to_vec(),
        });
    }
    Ok((Ensemble::new(trees, n_outputs, n_features), importances))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forest::ensemble;
    use crate::forest::params::ForestParams;
    use crate::forest::targets::ClassTargets;
    use crate::parts::Flat;
    use crate::synthetic::Synthetic;
    use safetensors::tensor::TensorView;
    use std::path::PathBuf;

    /// The bytes of a parameter file holding `tensors` (as a bundle writes them, less the
    /// manifest seal).
    fn file_bytes(tensors: &[NamedTensor]) -> Vec<u8> {
        let bytes: Vec<_> = tensors
            .iter()
            .map(|(name, shape, flat)| (*name, shape.clone(), flat.to_bytes()))
            .collect();
        let views: Vec<(&str, TensorView<'_>)> = bytes
            .iter()
            .map(|(name, shape, (dtype, data))| {
                (*name, TensorView::new(*dtype, shape.clone(), data).unwrap())
            })
            .collect();
        safetensors::serialize(views, None).unwrap()
    }

    fn read(bytes: Vec<u8>) -> Result<(Ensemble, Vec<f64>)> {
        from_tensors(
            &Tensors::new(PathBuf::from("params.safetensors"), bytes),
            4,
            8,
        )
    }

    /// A small fitted forest: 4 classes, 8 features, 10 trees.
    fn fitted() -> (Ensemble, Vec<f64>, ndarray::Array2<f32>) {
        let (x, y) = Synthetic {
            n_samples: 600,
            n_features: 8,
            n_classes: 4,
            n_informative: 4,
            separation: 0.5,
            seed: 2,
        }
        .generate();
        let targets = ClassTargets {
            y: y[..400].iter().map(|&c| c as u16).collect(),
            n_classes: 4,
        };
        let rows: Vec<usize> = (0..400).collect();
        let params = ForestParams {
            n_trees: 10,
            oob: false,
            ..ForestParams::default()
        };
        let out = ensemble::fit(x.view(), &rows, &targets, &params);
        (out.ensemble, out.importances, x)
    }

    #[test]
    fn a_saved_and_loaded_forest_predicts_the_same_and_saves_the_same_bytes() {
        let (e, importances, x) = fitted();
        let bytes = file_bytes(&to_tensors(&e, &importances));
        let (loaded, loaded_importances) = read(bytes.clone()).unwrap();
        assert_eq!(loaded, e);
        assert_eq!(loaded_importances, importances);
        let (before, after) = (e.predict(x.view()), loaded.predict(x.view()));
        assert!(before
            .iter()
            .zip(&after)
            .all(|(a, b)| a.to_bits() == b.to_bits()));
        assert_eq!(file_bytes(&to_tensors(&loaded, &loaded_importances)), bytes);
    }

    /// Replaces value `at` of the `u32` tensor `name`.
    fn edit(tensors: &mut [NamedTensor], name: &str, at: usize, value: u32) {
        let (_, _, flat) = tensors.iter_mut().find(|t| t.0 == name).unwrap();
        let Flat::U32(values) = flat else {
            panic!("{name} is not u32")
        };
        values[at] = value;
    }

    #[test]
    fn a_corrupted_node_is_an_error_not_a_panic() {
        let (e, importances, _) = fitted();
        let first = &e.trees[0].nodes;
        let mut splits = (0..first.len()).filter(|&i| first[i].feature != LEAF);
        let (split, later_split) = (splits.next().unwrap(), splits.next().unwrap());
        let leaf = first.iter().position(|n| n.feature == LEAF).unwrap();
        let n_nodes = first.len() as u32;
        let n_leaves = (e.trees[0].leaf_values.len() / 4) as u32;
        let cases = [
            ("right", split, n_nodes),
            ("right", split, u32::MAX),
            ("left", split, split as u32),
            ("left", later_split, 0),
            ("feature", split, 8),
            ("feature", split, LEAF - 1),
            ("left", leaf, n_leaves),
            ("left", leaf, 1 << 31),
        ];
        for (name, at, value) in cases {
            let mut tensors = to_tensors(&e, &importances);
            edit(&mut tensors, name, at, value);
            match read(file_bytes(&tensors)) {
                Err(Error::Corrupt { reason, .. }) => assert!(reason.contains("out of range")),
                other => panic!("{name}[{at}] = {value}: {:?}", other.map(|_| ())),
            }
        }
    }
}
