//! Prediction: each tree in a second, compact layout made for walking many rows at once
//! ([`PredictTree`]), and the walk ([`predict`]). The grown layout ([`Tree`]: every node, leaves
//! included, 16 bytes each, and a dense row of output values per leaf) stays the model, the saved
//! form and the out-of-bag walk; this one is derived from it whenever a forest is fitted or loaded
//! (30 % more memory for the trees of the benchmark forest).
//!
//! # Layout
//!
//! - Only the splits are stored ([`Split`]: feature, threshold, both children; 16 bytes), in the
//!   grown order, so every child comes after its parent (the walk cannot loop). A child reference
//!   with [`LEAF_BIT`] set names a leaf: the walk knows it has arrived without loading a leaf node,
//!   and the splits are half the nodes of the grown layout (45 KB per tree of the benchmark forest,
//!   which stays in the 1 MB L2 cache while a block of rows walks it).
//! - A leaf is its non-zero output values only ([`LeafEntry`]: column and value). The leaves of a
//!   fully grown classification tree are pure: one entry (8 bytes) instead of a row of 16 floats
//!   (64 bytes), and one addition per row and tree instead of 16.
//!
//! # Walk
//!
//! Rows go in blocks of [`BLOCK_ROWS`], one block per parallel task, and through the trees
//! tree-major: one tree walks the whole block, then the next. [`LANES`] rows walk a tree at once,
//! interleaved step by step, and every step is free of branches (the child is picked by comparing
//! and indexing, a lane that reached a leaf moves to its next row by a conditional move). A row's
//! walk is a chain of dependent loads (split, then the row's value of its feature, then the next
//! split) with an unpredictable turn at every level; walked one row at a time, each level waits for
//! its loads and for an unpredictable branch. Eight independent chains let the processor overlap
//! them. Lane `l` walks rows `l`, `l + LANES`, ... of the block: a shared "next row" counter would
//! make each lane wait for whether the lanes before it had finished (18 % slower, measured).
//!
//! # The same numbers as the row-by-row walk
//!
//! Each row's output values are summed in `f32` over the trees in their order (tree 0, 1, ...),
//! then multiplied by `1 / trees`, exactly as [`Tree::leaf`] walked row by row did: tree-major
//! blocks change the order in which rows are visited, not the order of any row's sum. Leaving out
//! the leaf values that are zero leaves every sum bit for bit the same: a sum starts at `+0.0`, a
//! round-to-nearest sum is `-0.0` only when both addends are, so no sum is ever `-0.0`, and adding
//! `+0.0` or `-0.0` to any other value (`+0.0` and NaN included) gives that value, bit for bit.
//!
//! # Measured
//!
//! The benchmark forest (10,000 x 500, 16 classes, 100 trees): 566,416 nodes (9 MB at 16 bytes),
//! 283,258 leaves (18 MB of leaf rows), rows end 14.3 levels deep on average and 35 at most.
//! `perf record -e cpu-clock` (the VM has no hardware counters) of a first interleaved walk put
//! about a quarter of its samples on loading the 64-byte leaf rows; in the walk kept, they sit on
//! the comparison waiting for the row's value. Each variant ran in one process with the row-by-row
//! walk, alternating, on 2 cores shared with another job (load 2.4-3.5), medians of 5-15 runs, as
//! a fraction of the row-by-row walk's time in the same run:
//!
//! | variant | fraction |
//! |---|---|
//! | tree-major blocks of 64-512 rows, 8 interleaved walks of the grown layout, a branch per level | 0.66-0.79 |
//! | branch-free steps over the split-only layout, lanes refilled from one shared counter, dense leaf rows | 0.36-0.45 |
//! | the same without adding any leaf values (the walk alone) | 0.22-0.24 |
//! | leaf entries, one row sequence per lane, blocks of 256 (one thread) | 0.25 |
//! | the same, blocks of 128 (kept), against dense leaf rows in the same run | 0.215 against 0.24 |
//! | unchecked indexing in the walk (kept) against bounds-checked, one thread | 0.95 (13 of 15 runs faster) |
//!
//! 4, 6, 10, 12 and 16 lanes were slower than 8; blocks of 64 and 256 rows as fast as 128, 512 and
//! 1,024 slower. The result with both threads and the command: [`super`].

use ndarray::{s, Array2, ArrayView2};
use rayon::prelude::*;

use super::tree::{Tree, LEAF};

/// Rows predicted per parallel task: one tree walks them all before the next tree. The block's
/// rows (500 genes: 256 KB) and one tree's splits and leaves fit in L2 together; 64 to 256 rows
/// measured alike, 512 and 1,024 slower.
const BLOCK_ROWS: usize = 128;

/// Rows walking one tree at once, interleaved: enough independent walks to overlap their loads'
/// latency. 8 measured fastest on the benchmark forest (4 to 16 tried).
const LANES: usize = 8;

/// Set in a child reference that names a leaf (its index in the tree's leaf table); clear in one
/// that names a split.
const LEAF_BIT: u32 = 1 << 31;

/// A split: rows with `row[feature] <= threshold` go to `children[0]`, the others (NaN included,
/// as in [`Tree::leaf`]) to `children[1]`. A child is a split index or, with [`LEAF_BIT`], a leaf
/// index.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Split {
    feature: u32,
    threshold: f32,
    children: [u32; 2],
}

/// One non-zero output value of a leaf: the row's sum in `column` gets `value`.
#[derive(Debug, Clone, Copy, PartialEq)]
struct LeafEntry {
    column: u32,
    value: f32,
}

/// One tree laid out for prediction (module docs): its splits, its root, and per leaf the
/// non-zero output values. Built from a valid [`Tree`] by [`PredictTree::new`], which checks what
/// the walk relies on, so that the walk's indexing stays in bounds and every walk ends.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PredictTree {
    splits: Vec<Split>,
    /// The root: a split (index 0) or, for a tree that never split, a leaf.
    root: u32,
    /// Leaf `i`'s entries are `leaf_entries[leaf_starts[i]..leaf_starts[i + 1]]`.
    leaf_starts: Vec<u32>,
    leaf_entries: Vec<LeafEntry>,
    /// The features of the rows the tree walks: every split's feature is below it.
    n_features: usize,
}

impl PredictTree {
    /// The prediction layout of `tree`, whose leaves hold `n_outputs` values and whose splits read
    /// features below `n_features`.
    ///
    /// # Panics
    ///
    /// When `tree` breaks the invariants that growing guarantees and loading checks
    /// (`storage::from_tensors`): a child before its parent or out of range, a leaf index out of
    /// range, a feature at or above `n_features`, a leaf table that is not `n_outputs` wide, or
    /// 2^31 nodes or more.
    pub(crate) fn new(tree: &Tree, n_outputs: usize, n_features: usize) -> Self {
        // Without outputs the leaf table is empty and never read, whatever the number of leaves.
        let n_leaves = tree.leaf_values.len().checked_div(n_outputs);
        assert!(
            n_leaves.is_none_or(|n| n * n_outputs == tree.leaf_values.len()),
            "leaf table width"
        );
        assert!(tree.nodes.len() < LEAF_BIT as usize, "tree too large");
        // A node's reference: splits numbered in grown order (so children stay after parents),
        // leaves by their row in the leaf table.
        let mut splits_so_far = 0u32;
        let reference: Vec<u32> = tree
            .nodes
            .iter()
            .map(|node| {
                if node.feature == LEAF {
                    assert!(
                        node.left < LEAF_BIT && n_leaves.is_none_or(|n| (node.left as usize) < n),
                        "leaf index out of range"
                    );
                    LEAF_BIT | node.left
                } else {
                    splits_so_far += 1;
                    splits_so_far - 1
                }
            })
            .collect();
        let splits = tree
            .nodes
            .iter()
            .enumerate()
            .filter(|(_, node)| node.feature != LEAF)
            .map(|(at, node)| {
                assert!((node.feature as usize) < n_features, "feature out of range");
                let child = |c: u32| {
                    assert!(
                        (c as usize) > at && (c as usize) < tree.nodes.len(),
                        "child out of order or out of range"
                    );
                    reference[c as usize]
                };
                Split {
                    feature: node.feature,
                    threshold: node.threshold,
                    children: [child(node.left), child(node.right)],
                }
            })
            .collect();
        let mut leaf_starts = Vec::with_capacity(n_leaves.unwrap_or(0) + 1);
        let mut leaf_entries = Vec::with_capacity(n_leaves.unwrap_or(0));
        leaf_starts.push(0);
        for values in tree.leaf_values.chunks(n_outputs.max(1)) {
            leaf_entries.extend(
                (0u32..)
                    .zip(values)
                    .filter(|(_, &v)| v != 0.0)
                    .map(|(column, &value)| LeafEntry { column, value }),
            );
            leaf_starts.push(u32::try_from(leaf_entries.len()).expect("fewer than 2^32 entries"));
        }
        Self {
            splits,
            root: *reference.first().expect("a tree has a root"),
            leaf_starts,
            leaf_entries,
            n_features,
        }
    }

    /// Walks every row of `rows` (row-major, `n_features` values each, the features the tree was
    /// built for) down the tree and writes the index of the leaf it reaches to
    /// `leaf_of_row[row]`; `leaf_of_row` has one slot more than there are rows, which lanes
    /// without a row left write to.
    ///
    /// # Panics
    ///
    /// When `n_features` is not the tree's or `rows` does not hold `leaf_of_row.len() - 1` rows.
    fn find_leaves(&self, rows: &[f32], n_features: usize, leaf_of_row: &mut [u32]) {
        let n_rows = leaf_of_row.len() - 1;
        assert_eq!(n_features, self.n_features, "features of the rows");
        assert_eq!(rows.len(), n_rows * n_features, "values of the rows");
        if self.root & LEAF_BIT != 0 {
            leaf_of_row.fill(self.root & !LEAF_BIT);
            return;
        }
        if n_rows == 0 {
            return;
        }
        // Lane `l` is on `row[l]` (`n_rows` once it has no row left: it then walks the block's last
        // row again, writing to the spare slot) at split `split[l]`.
        let last_row = n_rows - 1;
        let mut row: [usize; LANES] = std::array::from_fn(|lane| lane.min(n_rows));
        let mut split = [0u32; LANES];
        while row.iter().any(|&r| r < n_rows) {
            for lane in 0..LANES {
                // Unchecked indexing, 5 % faster than checked (13 of 15 alternating runs).
                // SAFETY: the three indices are in bounds:
                // - `split[lane]` is 0 or a child without `LEAF_BIT`, both split indices: the root
                //   is a split here, and `new` numbered split children below `splits.len()`;
                // - `at_row * n_features + feature < n_rows * n_features == rows.len()`
                //   (asserted above), since `at_row < n_rows` and `new` checked every feature
                //   against `self.n_features == n_features`;
                // - `row[lane] <= n_rows < leaf_of_row.len()` (every assignment takes a `min`).
                debug_assert!((split[lane] as usize) < self.splits.len());
                let s = unsafe { *self.splits.get_unchecked(split[lane] as usize) };
                let at_row = row[lane].min(last_row);
                let at = at_row * n_features + s.feature as usize;
                debug_assert!(at < rows.len());
                let value = unsafe { *rows.get_unchecked(at) };
                // `<=` is false for NaN: NaN goes right, as in `Tree::leaf`.
                let goes_left = value <= s.threshold;
                let child = s.children[usize::from(!goes_left)];
                let at_leaf = child & LEAF_BIT != 0;
                // Written at every step, so without a branch; the last write, at the leaf, stays.
                debug_assert!(row[lane] < leaf_of_row.len());
                unsafe { *leaf_of_row.get_unchecked_mut(row[lane]) = child & !LEAF_BIT };
                let next_row = (row[lane] + LANES).min(n_rows);
                row[lane] = if at_leaf { next_row } else { row[lane] };
                split[lane] = if at_leaf { 0 } else { child };
            }
        }
    }

    /// Adds the values of the leaf of each row (`leaf_of_row`) to the row's sums (`sums`, row-major,
    /// `n_outputs` per row).
    fn add_leaves(&self, leaf_of_row: &[u32], n_outputs: usize, sums: &mut [f32]) {
        for (row_sums, &leaf) in sums.chunks_exact_mut(n_outputs).zip(leaf_of_row) {
            let leaf = leaf as usize;
            let entries = self.leaf_starts[leaf] as usize..self.leaf_starts[leaf + 1] as usize;
            for entry in &self.leaf_entries[entries] {
                row_sums[entry.column as usize] += entry.value;
            }
        }
    }
}

/// Mean leaf values over `trees` of every row of `x` (samples x `n_outputs`), bit for bit what
/// walking each row through each tree with [`Tree::leaf`] and averaging gives (module docs). `x`
/// has the columns the trees were grown on; a block whose rows are not one contiguous slice is
/// copied first.
pub(crate) fn predict(
    trees: &[PredictTree],
    n_outputs: usize,
    x: ArrayView2<'_, f32>,
) -> Array2<f32> {
    let (n, n_features) = x.dim();
    let mut out = Array2::zeros((n, n_outputs));
    if n_outputs == 0 {
        return out;
    }
    let scale = 1.0 / trees.len() as f32;
    out.as_slice_mut()
        .expect("a new array is contiguous")
        .par_chunks_mut(BLOCK_ROWS * n_outputs)
        .enumerate()
        .for_each(|(block, sums)| {
            let n_rows = sums.len() / n_outputs;
            let first = block * BLOCK_ROWS;
            let view = x.slice(s![first..first + n_rows, ..]);
            let copy: Vec<f32>;
            let rows = match view.as_slice() {
                Some(rows) => rows,
                None => {
                    copy = view.iter().copied().collect();
                    &copy
                }
            };
            let mut leaf_of_row = vec![0u32; n_rows + 1];
            for tree in trees {
                tree.find_leaves(rows, n_features, &mut leaf_of_row);
                tree.add_leaves(&leaf_of_row[..n_rows], n_outputs, sums);
            }
            sums.iter_mut().for_each(|v| *v *= scale);
        });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forest::ensemble::{self, Ensemble};
    use crate::forest::params::ForestParams;
    use crate::forest::targets::{ClassTargets, LabelSetTargets};
    use crate::forest::tree::Node;
    use crate::synthetic::Synthetic;

    /// Prediction as it was before the prediction layout, verbatim (rayon over chunks of 64 rows,
    /// each row through every tree with [`Tree::leaf`], summing the leaf values, then scaling):
    /// what [`predict`] must equal bit for bit, and the old side of the timing.
    fn row_by_row(e: &Ensemble, x: ArrayView2<'_, f32>) -> Array2<f32> {
        const PREDICT_CHUNK: usize = 64;
        let n = x.nrows();
        let k = e.n_outputs;
        let mut out = vec![0f32; n * k];
        let scale = 1.0 / e.trees.len() as f32;
        out.par_chunks_mut(PREDICT_CHUNK * k.max(1))
            .enumerate()
            .for_each(|(chunk, dst)| {
                let mut row_buf = Vec::new();
                for (r, acc) in dst.chunks_mut(k.max(1)).enumerate() {
                    let row = x.row(chunk * PREDICT_CHUNK + r);
                    let row = match row.as_slice() {
                        Some(s) => s,
                        None => {
                            row_buf.clear();
                            row_buf.extend(row.iter().copied());
                            &row_buf
                        }
                    };
                    for tree in &e.trees {
                        for (a, v) in acc.iter_mut().zip(tree.leaf(row, k)) {
                            *a += v;
                        }
                    }
                    acc.iter_mut().for_each(|a| *a *= scale);
                }
            });
        Array2::from_shape_vec((n, k), out).expect("n * k values were allocated")
    }

    /// Asserts that `got` and `want` have the same shape and the same bits everywhere.
    fn assert_same_bits(got: &Array2<f32>, want: &Array2<f32>, what: &str) {
        assert_eq!(got.dim(), want.dim(), "{what}: shape");
        for ((i, g), w) in got.indexed_iter().zip(want) {
            assert_eq!(g.to_bits(), w.to_bits(), "{what}: {i:?}: {g} vs {w}");
        }
    }

    /// `Synthetic` data: `n` samples, `p` genes of which half informative, `classes` classes.
    fn problem(n: usize, p: usize, classes: usize, seed: u64) -> (Array2<f32>, Vec<usize>) {
        Synthetic {
            n_samples: n,
            n_features: p,
            n_classes: classes,
            n_informative: p / 2,
            separation: 0.5,
            seed,
        }
        .generate()
    }

    /// A forest fitted on every row of `x` with classes `y`.
    fn class_forest(x: ArrayView2<'_, f32>, y: &[usize], params: &ForestParams) -> Ensemble {
        let targets = ClassTargets {
            y: y.iter().map(|&c| c as u16).collect(),
            n_classes: y.iter().max().map_or(1, |&c| c + 1),
        };
        let rows: Vec<usize> = (0..x.nrows()).collect();
        ensemble::fit(x, &rows, &targets, params).ensemble
    }

    /// Default parameters with `n_trees` trees and no out-of-bag predictions.
    fn params(n_trees: usize) -> ForestParams {
        ForestParams {
            n_trees,
            oob: false,
            ..ForestParams::default()
        }
    }

    /// Rows whose values sit exactly on the trees' thresholds: row `i` is row `i` of `x` walked down
    /// tree `i % trees`, each split on a feature not seen yet on the way setting that feature to
    /// the split's threshold (so that the row ties there, and goes left).
    fn rows_on_thresholds(e: &Ensemble, x: ArrayView2<'_, f32>) -> Array2<f32> {
        let mut rows = x.to_owned();
        for (i, mut row) in rows.rows_mut().into_iter().enumerate() {
            let tree = &e.trees[i % e.trees.len()];
            let mut seen = vec![false; e.n_features];
            let mut node = tree.nodes[0];
            while node.feature != LEAF {
                let f = node.feature as usize;
                if !seen[f] {
                    seen[f] = true;
                    row[f] = node.threshold;
                }
                let next = if row[f] <= node.threshold {
                    node.left
                } else {
                    node.right
                };
                node = tree.nodes[next as usize];
            }
        }
        rows
    }

    /// How many splits, over all walks of the rows of `x` through the trees, saw a value equal to
    /// their threshold.
    fn ties_met(e: &Ensemble, x: ArrayView2<'_, f32>) -> usize {
        let mut ties = 0;
        for row in x.rows() {
            for tree in &e.trees {
                let mut node = tree.nodes[0];
                while node.feature != LEAF {
                    let value = row[node.feature as usize];
                    ties += usize::from(value == node.threshold);
                    let next = if value <= node.threshold {
                        node.left
                    } else {
                        node.right
                    };
                    node = tree.nodes[next as usize];
                }
            }
        }
        ties
    }

    #[test]
    fn equals_the_row_by_row_walk_bit_for_bit() {
        let (x, y) = problem(1500, 20, 5, 3);
        let train = x.slice(s![..1000, ..]);
        let e = class_forest(train, &y[..1000], &params(25));
        let test = x.slice(s![1000.., ..]);
        assert_same_bits(&e.predict(test), &row_by_row(&e, test), "test rows");
        assert_same_bits(&e.predict(train), &row_by_row(&e, train), "training rows");
        // Values exactly on thresholds go left.
        let ties = rows_on_thresholds(&e, test);
        assert!(ties_met(&e, ties.view()) > 1000);
        assert_same_bits(
            &e.predict(ties.view()),
            &row_by_row(&e, ties.view()),
            "ties",
        );
        // NaN goes right at every split (`NaN <= t` is false), infinities to their side.
        let mut odd = test.slice(s![..200, ..]).to_owned();
        for ((i, j), v) in odd.indexed_iter_mut() {
            match (i * 31 + j * 7) % 5 {
                0 => *v = f32::NAN,
                1 if i % 2 == 0 => *v = f32::INFINITY,
                2 if i % 3 == 0 => *v = f32::NEG_INFINITY,
                _ => {}
            }
        }
        odd.row_mut(0).fill(f32::NAN);
        assert_same_bits(&e.predict(odd.view()), &row_by_row(&e, odd.view()), "NaN");
        // Rows that are not one contiguous slice: every other row, a column-major copy, and the
        // features of a wider matrix.
        let strided = x.slice(s![..;2, ..]);
        assert!(strided.as_slice().is_none());
        assert_same_bits(&e.predict(strided), &row_by_row(&e, strided), "strided");
        let mut fortran = Array2::zeros(ndarray::ShapeBuilder::f(test.raw_dim()));
        fortran.assign(&test);
        assert_same_bits(
            &e.predict(fortran.view()),
            &row_by_row(&e, test),
            "column-major",
        );
        let wide = ndarray::concatenate![ndarray::Axis(1), test, test];
        let left = wide.slice(s![.., ..20]);
        assert_same_bits(&e.predict(left), &row_by_row(&e, test), "sliced columns");
        // Fewer rows than lanes, a block and a bit, none.
        for n in [0, 1, 3, LANES, BLOCK_ROWS - 1, BLOCK_ROWS + 5] {
            let some = test.slice(s![..n, ..]);
            assert_same_bits(
                &e.predict(some),
                &row_by_row(&e, some),
                &format!("{n} rows"),
            );
        }
    }

    #[test]
    fn multi_label_leaves_with_several_values_sum_the_same() {
        let (x, y) = problem(800, 12, 6, 5);
        // Labels: the class, and "class is even", so leaves hold several non-zero values.
        let mut offsets = vec![0];
        let mut labels = Vec::new();
        for &c in &y[..500] {
            labels.push(c as u16);
            if c % 2 == 0 {
                labels.push(6);
            }
            offsets.push(labels.len());
        }
        let targets = LabelSetTargets {
            offsets,
            labels,
            n_labels: 7,
        };
        let rows: Vec<usize> = (0..500).collect();
        let p = ForestParams {
            min_samples_leaf: 3,
            ..params(15)
        };
        let e = ensemble::fit(x.slice(s![..500, ..]), &rows, &targets, &p).ensemble;
        let test = x.slice(s![500.., ..]);
        assert_same_bits(&e.predict(test), &row_by_row(&e, test), "multi-label");
    }

    #[test]
    fn trees_that_never_split_predict_their_root() {
        // One class only: every root is a pure leaf. Depth 0: every root is a mixed leaf.
        let (x, y) = problem(200, 5, 3, 9);
        let e = class_forest(x.view(), &vec![0; 200], &params(5));
        assert!(e.trees.iter().all(|t| t.nodes.len() == 1));
        assert_same_bits(&e.predict(x.view()), &row_by_row(&e, x.view()), "one class");
        let stumps = ForestParams {
            max_depth: Some(0),
            ..params(5)
        };
        let e = class_forest(x.view(), &y, &stumps);
        assert!(e.trees.iter().all(|t| t.nodes.len() == 1));
        assert_same_bits(&e.predict(x.view()), &row_by_row(&e, x.view()), "depth 0");
    }

    #[test]
    fn the_layout_keeps_splits_in_order_and_leaves_out_zero_leaf_values() {
        // Root splits feature 1 at 0.5: left a split on feature 0, right leaf 0; then leaves 1, 2.
        let tree = Tree {
            nodes: vec![
                Node {
                    feature: 1,
                    threshold: 0.5,
                    left: 1,
                    right: 2,
                },
                Node {
                    feature: 0,
                    threshold: -1.0,
                    left: 3,
                    right: 4,
                },
                Node {
                    feature: LEAF,
                    threshold: 0.0,
                    left: 0,
                    right: 0,
                },
                Node {
                    feature: LEAF,
                    threshold: 0.0,
                    left: 1,
                    right: 1,
                },
                Node {
                    feature: LEAF,
                    threshold: 0.0,
                    left: 2,
                    right: 2,
                },
            ],
            leaf_values: vec![1.0, 0.0, 0.0, -0.0, 0.25, 0.75],
        };
        let t = PredictTree::new(&tree, 2, 2);
        assert_eq!(t.root, 0);
        assert_eq!(t.splits.len(), 2);
        assert_eq!(t.splits[0].children, [1, LEAF_BIT]);
        assert_eq!(t.splits[1].children, [LEAF_BIT | 1, LEAF_BIT | 2]);
        // Zeros of either sign are left out: leaf 1 has no entry.
        assert_eq!(t.leaf_starts, vec![0, 1, 1, 3]);
        assert_eq!(t.leaf_entries[1].column, 0);
        assert_eq!(t.leaf_entries[1].value, 0.25);
        let x = ndarray::array![
            [0.0, 1.0],
            [-1.0, 0.5],
            [0.0, 0.5],
            [f32::NAN, 0.0],
            [0.0, f32::NAN]
        ];
        let e = Ensemble::new(vec![tree], 2, 2);
        let want = ndarray::array![
            [1.0, 0.0],
            [0.0, 0.0],
            [0.25, 0.75],
            [0.25, 0.75],
            [1.0, 0.0]
        ];
        assert_same_bits(&e.predict(x.view()), &row_by_row(&e, x.view()), "by hand");
        // -0.0 from the leaf, added to +0.0, is +0.0 in the row-by-row walk: the same as leaving
        // it out.
        assert_same_bits(&e.predict(x.view()), &want, "by hand, expected");
    }
}
