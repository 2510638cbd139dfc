//! The trees of a forest as flat tensors (one array per node field, trees concatenated) and back.
//!
//! Tensors: `feature` u32 [nodes] (`u32::MAX` marks a leaf), `threshold` f32 [nodes] (an internal
//! node sends `x[feature] <= threshold` left), `left` u32 [nodes] (a leaf's row in `leaf_values`,
//! counted within its tree), `right` u32 [nodes], `leaf_values` f32 [leaves, outputs],
//! `tree_node_offsets` u64 [trees + 1], `tree_leaf_offsets` u64 [trees + 1],
//! `feature_importances` f64 [features]. Child indices count within their tree.

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
    Ok((
        Ensemble {
            trees,
            n_outputs,
            n_features,
        },
        importances,
    ))
}
