//! The trees of a forest: growing them in parallel (deterministically), averaging their leaves,
//! out-of-bag predictions and impurity importances. Shared by the multi-class and multi-label forests.

use ndarray::{Array2, ArrayView2};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use super::params::ForestParams;
use super::predict::{self, PredictTree};
use super::targets::Targets;
use super::tree::{grow, GrowInput, GrowParams, Tree};
use crate::binning::BinnedMatrix;

/// Fitted trees with the number of output columns their leaves hold, and the same trees laid out
/// for prediction. Built by [`Ensemble::new`] only, so the two always agree.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Ensemble {
    /// The trees as grown: what bundles store and the out-of-bag walk reads.
    pub(crate) trees: Vec<Tree>,
    pub(crate) n_outputs: usize,
    pub(crate) n_features: usize,
    /// `trees` in the layout [`Ensemble::predict`] walks (`predict.rs`).
    predict_trees: Vec<PredictTree>,
}

/// What fitting produces besides the trees.
pub(crate) struct FitOutput {
    pub(crate) ensemble: Ensemble,
    /// Normalised impurity importance per feature (sums to one unless no tree split).
    pub(crate) importances: Vec<f64>,
    /// Out-of-bag mean leaf values per training row (`None` where every tree saw the row).
    pub(crate) oob: Option<Vec<Option<Vec<f32>>>>,
}

/// Grows `params.n_trees` trees on the rows `rows` of `x` with outputs `targets` (indexed 0..rows.len()).
pub(crate) fn fit<T: Targets>(
    x: ArrayView2<'_, f32>,
    rows: &[usize],
    targets: &T,
    params: &ForestParams,
) -> FitOutput {
    let binned = BinnedMatrix::fit(x, rows, params.max_bins);
    let n = rows.len();
    let p = x.ncols();
    let grow_params = GrowParams {
        max_depth: params.max_depth.unwrap_or(usize::MAX),
        min_samples_split: params.min_samples_split,
        min_samples_leaf: params.min_samples_leaf,
        max_features: params.max_features.resolve(p),
    };
    let grown: Vec<(Tree, Vec<f64>, Vec<u32>)> = (0..params.n_trees)
        .into_par_iter()
        .map(|t| {
            let mut rng = ChaCha8Rng::seed_from_u64(params.seed);
            rng.set_stream(t as u64);
            let weights = if params.bootstrap {
                let mut w = vec![0u32; n];
                for _ in 0..n {
                    w[rng.random_range(0..n)] += 1;
                }
                w
            } else {
                vec![1u32; n]
            };
            let input = GrowInput {
                binned: &binned,
                x: x.view(),
                rows,
                targets,
                weights: &weights,
            };
            let g = grow(&input, grow_params, &mut rng);
            (g.tree, g.importance, weights)
        })
        .collect();
    drop(binned);
    let importances = average_importances(grown.iter().map(|g| &g.1), p);
    let mut trees = Vec::with_capacity(grown.len());
    let mut in_bag = Vec::with_capacity(grown.len());
    for (tree, _, weights) in grown {
        trees.push(tree);
        in_bag.push(weights);
    }
    let ensemble = Ensemble::new(trees, targets.n_outputs(), p);
    let oob = params.oob.then(|| ensemble.out_of_bag(x, rows, &in_bag));
    FitOutput {
        ensemble,
        importances,
        oob,
    }
}

/// scikit-learn's `feature_importances_`: each tree's impurity decreases normalised to sum one, then
/// averaged over the trees that split at all, then normalised again.
fn average_importances<'a>(per_tree: impl Iterator<Item = &'a Vec<f64>>, p: usize) -> Vec<f64> {
    let mut total = vec![0.0; p];
    for imp in per_tree {
        let s: f64 = imp.iter().sum();
        if s > 0.0 {
            for (t, v) in total.iter_mut().zip(imp) {
                *t += v / s;
            }
        }
    }
    let s: f64 = total.iter().sum();
    if s > 0.0 {
        total.iter_mut().for_each(|v| *v /= s);
    }
    total
}

impl Ensemble {
    /// The ensemble of `trees` (grown, or read and checked by `storage::from_tensors`) whose
    /// leaves hold `n_outputs` values and whose splits read `n_features` features; lays them out
    /// for prediction ([`PredictTree::new`], which panics on trees breaking those invariants).
    pub(crate) fn new(trees: Vec<Tree>, n_outputs: usize, n_features: usize) -> Self {
        let predict_trees = trees
            .iter()
            .map(|t| PredictTree::new(t, n_outputs, n_features))
            .collect();
        Self {
            trees,
            n_outputs,
            n_features,
            predict_trees,
        }
    }

    /// Mean leaf values over the trees, samples x outputs, for `x` with the training columns. Rows
    /// are independent, so the result does not depend on how rayon schedules the blocks; it is bit
    /// for bit the row-by-row walk of [`Tree::leaf`] (`predict.rs`).
    pub(crate) fn predict(&self, x: ArrayView2<'_, f32>) -> Array2<f32> {
        assert_eq!(x.ncols(), self.n_features, "columns of the input");
        predict::predict(&self.predict_trees, self.n_outputs, x)
    }

    /// Mean leaf values of each training row over the trees whose bootstrap left it out.
    fn out_of_bag(
        &self,
        x: ArrayView2<'_, f32>,
        rows: &[usize],
        weights: &[Vec<u32>],
    ) -> Vec<Option<Vec<f32>>> {
        let k = self.n_outputs;
        rows.par_iter()
            .enumerate()
            .map(|(j, &r)| {
                let row: Vec<f32> = x.row(r).iter().copied().collect();
                let mut acc = vec![0f32; k];
                let mut used = 0u32;
                for (tree, w) in self.trees.iter().zip(weights) {
                    if w[j] == 0 {
                        used += 1;
                        for (a, v) in acc.iter_mut().zip(tree.leaf(&row, k)) {
                            *a += v;
                        }
                    }
                }
                (used > 0).then(|| acc.into_iter().map(|a| a / used as f32).collect())
            })
            .collect()
    }
}
