//! One decision tree: its node layout, prediction, and the histogram split search that grows it.
//!
//! Growth is depth first over an index array partitioned in place (as scikit-learn does). At every
//! node a fresh random subset of features is drawn (partial Fisher-Yates); the search goes on past
//! `max_features` only while no valid split has been found, like scikit-learn's. For each feature the
//! node's samples are counted into a histogram over the feature's `u8` bin codes (class or label
//! weights per bin), then the bins are scanned left to right, keeping the Gini proxy
//! `sum_c L_c^2 / n_L + sum_c R_c^2 / n_R` exact in integers. Small nodes sort `(code, sample)` keys
//! instead, which costs `n log n` rather than a pass over every bin and class. When the larger
//! child of a split draws a feature its parent also searched, its histogram is the parent's minus the
//! smaller sibling's (the subtraction trick): a pass over the smaller sibling's samples instead of its
//! own. With `max_features = sqrt(p)` the parent searched a given feature with probability
//! `sqrt(p) / p`, so the trick saves little there; with all features it halves the counting work.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::targets::Targets;
use crate::binning::BinnedMatrix;

/// `feature` value of a leaf node.
pub(crate) const LEAF: u32 = u32::MAX;

/// Nodes with fewer in-bag samples than this are split by sorting instead of histograms. Chosen by
/// CPU time of the 10,000 x 500, 16-class fit (`examples/forest_accuracy`): 32 -> 8.5 s, 96 -> 4.9 s,
/// 256 -> 5.5 s (user time incl. ~1 s of data generation). Both methods give identical trees.
const SORT_BELOW: usize = 96;

/// One node: an internal node sends `x[feature] <= threshold` to `left`, else to `right`; a leaf
/// has `feature == LEAF` and `left` = its row in the leaf value table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Node {
    pub(crate) feature: u32,
    pub(crate) threshold: f32,
    pub(crate) left: u32,
    pub(crate) right: u32,
}

/// A fitted tree: nodes (root first, children always after their parent) and, per leaf, the
/// weighted frequency of each output column (class probabilities or label frequencies).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Tree {
    pub(crate) nodes: Vec<Node>,
    pub(crate) leaf_values: Vec<f32>,
}

impl Tree {
    /// The leaf values (one per output column) reached by a row of raw feature values.
    #[inline]
    pub(crate) fn leaf<'a>(&'a self, row: &[f32], n_outputs: usize) -> &'a [f32] {
        let mut node = &self.nodes[0];
        while node.feature != LEAF {
            let next = if row[node.feature as usize] <= node.threshold {
                node.left
            } else {
                node.right
            };
            node = &self.nodes[next as usize];
        }
        let l = node.left as usize * n_outputs;
        &self.leaf_values[l..l + n_outputs]
    }
}

/// Growth limits of one tree.
#[derive(Debug, Clone, Copy)]
pub(crate) struct GrowParams {
    pub(crate) max_depth: usize,
    pub(crate) min_samples_split: usize,
    pub(crate) min_samples_leaf: usize,
    pub(crate) max_features: usize,
}

/// Everything a tree reads while growing.
pub(crate) struct GrowInput<'a, T: Targets> {
    pub(crate) binned: &'a BinnedMatrix,
    pub(crate) edges: &'a crate::binning::BinEdges,
    pub(crate) targets: &'a T,
    /// Bootstrap weight of each row (0 = out of bag).
    pub(crate) weights: &'a [u32],
}

/// Result of growing a tree: the tree and the total impurity decrease per feature.
pub(crate) struct Grown {
    pub(crate) tree: Tree,
    pub(crate) importance: Vec<f64>,
}

/// Weighted output totals of a set of samples.
#[derive(Clone)]
struct Stats {
    /// Weight having each output column.
    per_col: Vec<u64>,
    /// Sum of `per_col` squared.
    sum_sq: u64,
    /// Total weight.
    weight: u64,
    /// Distinct samples.
    count: u64,
}

impl Stats {
    /// True when the Gini impurity is zero: every column held by all or none of the weight.
    fn is_pure(&self) -> bool {
        let total: u64 = self.per_col.iter().sum();
        self.sum_sq == self.weight * total
    }
}

/// The best split found for one feature.
#[derive(Clone, Copy)]
struct Split {
    proxy: f64,
    feature: usize,
    bin: usize,
}

/// Histogram of one feature over one node: per bin, weight per output column, total weight and
/// distinct samples.
struct Histogram {
    per_col: Vec<u32>,
    weight: Vec<u32>,
    count: Vec<u32>,
}

impl Histogram {
    fn new(n_outputs: usize) -> Self {
        Self {
            per_col: vec![0; 256 * n_outputs],
            weight: vec![0; 256],
            count: vec![0; 256],
        }
    }

    fn clear(&mut self, n_bins: usize, k: usize) {
        self.per_col[..n_bins * k].fill(0);
        self.weight[..n_bins].fill(0);
        self.count[..n_bins].fill(0);
    }

    /// `self = parent - sibling` over the first `n_bins` bins.
    fn set_difference(&mut self, parent: &Histogram, sibling: &Histogram, n_bins: usize, k: usize) {
        for j in 0..n_bins * k {
            self.per_col[j] = parent.per_col[j] - sibling.per_col[j];
        }
        for b in 0..n_bins {
            self.weight[b] = parent.weight[b] - sibling.weight[b];
            self.count[b] = parent.count[b] - sibling.count[b];
        }
    }
}

/// Histograms a node kept for its larger child: one per searched feature that used histograms.
#[derive(Default)]
struct KeptHistograms {
    features: Vec<usize>,
    hists: Vec<Histogram>,
}

impl KeptHistograms {
    fn get(&self, feature: usize) -> Option<&Histogram> {
        self.features
            .iter()
            .position(|&f| f == feature)
            .map(|k| &self.hists[k])
    }
}

/// A node waiting on the stack.
struct Pending {
    id: usize,
    start: usize,
    end: usize,
    depth: usize,
    /// For the larger child of a split: the parent's histograms and the smaller sibling's rows, so
    /// that a feature searched at the parent costs a pass over the sibling only.
    parent: Option<(KeptHistograms, usize, usize)>,
}

/// Grows one tree on the rows with non-zero weight.
pub(crate) fn grow<T: Targets>(
    input: &GrowInput<'_, T>,
    params: GrowParams,
    rng: &mut ChaCha8Rng,
) -> Grown {
    let mut b = Builder::new(input, params);
    b.run(rng);
    Grown {
        tree: Tree {
            nodes: b.nodes,
            leaf_values: b.leaf_values,
        },
        importance: b.importance,
    }
}

struct Builder<'a, 'b, T: Targets> {
    input: &'b GrowInput<'a, T>,
    params: GrowParams,
    k: usize,
    idx: Vec<u32>,
    features: Vec<usize>,
    nodes: Vec<Node>,
    leaf_values: Vec<f32>,
    importance: Vec<f64>,
    spare: Vec<Histogram>,
    keys: Vec<u32>,
    left: Vec<u64>,
    right: Vec<u64>,
}

impl<'a, 'b, T: Targets> Builder<'a, 'b, T> {
    fn new(input: &'b GrowInput<'a, T>, params: GrowParams) -> Self {
        let k = input.targets.n_outputs();
        let idx: Vec<u32> = (0..input.weights.len() as u32)
            .filter(|&i| input.weights[i as usize] > 0)
            .collect();
        let p = input.binned.n_cols();
        Self {
            input,
            params,
            k,
            idx,
            features: (0..p).collect(),
            nodes: Vec::new(),
            leaf_values: Vec::new(),
            importance: vec![0.0; p],
            spare: Vec::new(),
            keys: Vec::new(),
            left: vec![0; k],
            right: vec![0; k],
        }
    }

    fn take_hist(&mut self) -> Histogram {
        self.spare.pop().unwrap_or_else(|| Histogram::new(self.k))
    }

    fn node_stats(&self, start: usize, end: usize) -> Stats {
        let mut per_col = vec![0u64; self.k];
        let mut weight = 0;
        for &i in &self.idx[start..end] {
            let w = self.input.weights[i as usize] as u64;
            weight += w;
            for &c in self.input.targets.cols(i as usize) {
                per_col[c as usize] += w;
            }
        }
        let sum_sq = per_col.iter().map(|&v| v * v).sum();
        Stats {
            per_col,
            sum_sq,
            weight,
            count: (end - start) as u64,
        }
    }

    fn make_leaf(&mut self, id: usize, stats: &Stats) {
        let leaf = (self.leaf_values.len() / self.k.max(1)) as u32;
        let w = stats.weight.max(1) as f64;
        self.leaf_values
            .extend(stats.per_col.iter().map(|&v| (v as f64 / w) as f32));
        self.nodes[id] = Node {
            feature: LEAF,
            threshold: 0.0,
            left: leaf,
            right: leaf,
        };
    }

    fn run(&mut self, rng: &mut ChaCha8Rng) {
        self.nodes.push(Node {
            feature: LEAF,
            threshold: 0.0,
            left: 0,
            right: 0,
        });
        let n = self.idx.len();
        let mut stack = vec![Pending {
            id: 0,
            start: 0,
            end: n,
            depth: 0,
            parent: None,
        }];
        while let Some(mut node) = stack.pop() {
            let stats = self.node_stats(node.start, node.end);
            let min_leaf = self.params.min_samples_leaf as u64;
            let parent = node.parent.take();
            if node.depth >= self.params.max_depth
                || stats.count < self.params.min_samples_split as u64
                || stats.count < 2 * min_leaf
                || stats.is_pure()
            {
                self.make_leaf(node.id, &stats);
                self.recycle(parent.map(|p| p.0));
                continue;
            }
            let mut kept = KeptHistograms::default();
            let best = self.search(&node, parent.as_ref(), &stats, rng, &mut kept);
            self.recycle(parent.map(|p| p.0));
            let Some(best) = best else {
                self.make_leaf(node.id, &stats);
                self.recycle(Some(kept));
                continue;
            };
            self.importance[best.feature] += best.proxy - stats.sum_sq as f64 / stats.weight as f64;
            let col = self.input.binned.column(best.feature);
            let mid = partition(&mut self.idx[node.start..node.end], |i| {
                col[i as usize] as usize <= best.bin
            }) + node.start;
            let left_id = self.nodes.len();
            let right_id = left_id + 1;
            self.nodes[node.id] = Node {
                feature: best.feature as u32,
                threshold: self.input.edges.edges(best.feature)[best.bin],
                left: left_id as u32,
                right: right_id as u32,
            };
            let placeholder = self.nodes[node.id];
            self.nodes.push(placeholder);
            self.nodes.push(placeholder);
            let depth = node.depth + 1;
            // The larger child may subtract the smaller one's histograms from this node's.
            let (small, large) = if mid - node.start <= node.end - mid {
                ((left_id, node.start, mid), (right_id, mid, node.end))
            } else {
                ((right_id, mid, node.end), (left_id, node.start, mid))
            };
            let large_parent = if large.2 - large.1 >= SORT_BELOW {
                Some((kept, small.1, small.2))
            } else {
                self.recycle(Some(kept));
                None
            };
            stack.push(Pending {
                id: large.0,
                start: large.1,
                end: large.2,
                depth,
                parent: large_parent,
            });
            stack.push(Pending {
                id: small.0,
                start: small.1,
                end: small.2,
                depth,
                parent: None,
            });
        }
    }

    /// Gives histograms back to the pool.
    fn recycle(&mut self, kept: Option<KeptHistograms>) {
        if let Some(kept) = kept {
            self.spare.extend(kept.hists);
        }
    }

    /// Draws features and returns the best valid split, filling `kept` with the histograms this
    /// node built (its larger child may subtract from them).
    fn search(
        &mut self,
        node: &Pending,
        parent: Option<&(KeptHistograms, usize, usize)>,
        stats: &Stats,
        rng: &mut ChaCha8Rng,
        kept: &mut KeptHistograms,
    ) -> Option<Split> {
        let p = self.features.len();
        let n_node = node.end - node.start;
        let mut best: Option<Split> = None;
        for j in 0..p {
            if j >= self.params.max_features && best.is_some() {
                break;
            }
            let r = rng.random_range(j..p);
            self.features.swap(j, r);
            let f = self.features[j];
            let n_bins = self.input.edges.n_bins(f);
            if n_bins < 2 {
                continue;
            }
            let found = if n_node < SORT_BELOW {
                self.best_by_sorting(f, node.start, node.end, stats)
            } else {
                let mut hist = self.take_hist();
                match parent.and_then(|(h, s, e)| h.get(f).map(|h| (h, *s, *e))) {
                    Some((parent_hist, s, e)) => {
                        let mut sibling = self.take_hist();
                        self.fill_histogram(&mut sibling, f, s, e, n_bins);
                        hist.set_difference(parent_hist, &sibling, n_bins, self.k);
                        self.spare.push(sibling);
                    }
                    None => self.fill_histogram(&mut hist, f, node.start, node.end, n_bins),
                }
                let found = self.best_in_histogram(&hist, f, n_bins, stats);
                kept.features.push(f);
                kept.hists.push(hist);
                found
            };
            if let Some(s) = found {
                if best.is_none_or(|b| s.proxy > b.proxy) {
                    best = Some(s);
                }
            }
        }
        best
    }

    fn fill_histogram(
        &self,
        hist: &mut Histogram,
        f: usize,
        start: usize,
        end: usize,
        n_bins: usize,
    ) {
        hist.clear(n_bins, self.k);
        let col = self.input.binned.column(f);
        let k = self.k;
        for &i in &self.idx[start..end] {
            let b = col[i as usize] as usize;
            let w = self.input.weights[i as usize];
            hist.weight[b] += w;
            hist.count[b] += 1;
            for &c in self.input.targets.cols(i as usize) {
                hist.per_col[b * k + c as usize] += w;
            }
        }
    }

    fn best_in_histogram(
        &mut self,
        hist: &Histogram,
        f: usize,
        n_bins: usize,
        stats: &Stats,
    ) -> Option<Split> {
        let k = self.k;
        let min_leaf = self.params.min_samples_leaf as u64;
        self.left.fill(0);
        self.right.copy_from_slice(&stats.per_col);
        let (mut s_l, mut s_r) = (0u64, stats.sum_sq);
        let (mut w_l, mut w_r) = (0u64, stats.weight);
        let (mut c_l, mut c_r) = (0u64, stats.count);
        let mut best: Option<Split> = None;
        for b in 0..n_bins - 1 {
            if hist.count[b] == 0 {
                continue;
            }
            let row = &hist.per_col[b * k..(b + 1) * k];
            for (c, &h) in row.iter().enumerate() {
                if h != 0 {
                    let h = h as u64;
                    s_l += 2 * self.left[c] * h + h * h;
                    self.left[c] += h;
                    s_r = s_r + h * h - 2 * self.right[c] * h;
                    self.right[c] -= h;
                }
            }
            w_l += hist.weight[b] as u64;
            w_r -= hist.weight[b] as u64;
            c_l += hist.count[b] as u64;
            c_r -= hist.count[b] as u64;
            if c_r == 0 {
                break;
            }
            if c_l < min_leaf || c_r < min_leaf {
                continue;
            }
            let proxy = s_l as f64 / w_l as f64 + s_r as f64 / w_r as f64;
            if best.is_none_or(|s| proxy > s.proxy) {
                best = Some(Split {
                    proxy,
                    feature: f,
                    bin: b,
                });
            }
        }
        best
    }

    fn best_by_sorting(
        &mut self,
        f: usize,
        start: usize,
        end: usize,
        stats: &Stats,
    ) -> Option<Split> {
        let col = self.input.binned.column(f);
        self.keys.clear();
        for (j, &i) in self.idx[start..end].iter().enumerate() {
            self.keys.push(((col[i as usize] as u32) << 24) | j as u32);
        }
        self.keys.sort_unstable();
        let min_leaf = self.params.min_samples_leaf as u64;
        self.left.fill(0);
        self.right.copy_from_slice(&stats.per_col);
        let (mut s_l, mut s_r) = (0u64, stats.sum_sq);
        let (mut w_l, mut w_r) = (0u64, stats.weight);
        let (mut c_l, mut c_r) = (0u64, stats.count);
        let mut best: Option<Split> = None;
        let m = self.keys.len();
        for pos in 0..m {
            let key = self.keys[pos];
            let i = self.idx[start + (key & 0x00FF_FFFF) as usize] as usize;
            let w = self.input.weights[i] as u64;
            for &c in self.input.targets.cols(i) {
                let c = c as usize;
                s_l += 2 * self.left[c] * w + w * w;
                self.left[c] += w;
                s_r = s_r + w * w - 2 * self.right[c] * w;
                self.right[c] -= w;
            }
            w_l += w;
            w_r -= w;
            c_l += 1;
            c_r -= 1;
            if pos + 1 == m {
                break;
            }
            let bin = (key >> 24) as usize;
            if (self.keys[pos + 1] >> 24) as usize == bin {
                continue;
            }
            if c_l < min_leaf || c_r < min_leaf {
                continue;
            }
            let proxy = s_l as f64 / w_l as f64 + s_r as f64 / w_r as f64;
            if best.is_none_or(|s| proxy > s.proxy) {
                best = Some(Split {
                    proxy,
                    feature: f,
                    bin,
                });
            }
        }
        best
    }
}

/// Moves the elements satisfying `goes_left` to the front; returns how many there are.
fn partition(v: &mut [u32], goes_left: impl Fn(u32) -> bool) -> usize {
    let mut mid = 0;
    for j in 0..v.len() {
        if goes_left(v[j]) {
            v.swap(mid, j);
            mid += 1;
        }
    }
    mid
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::binning::BinEdges;
    use crate::forest::targets::{ClassTargets, LabelSetTargets};
    use ndarray::Array2;

    /// Both split searches must find the same best split (proxy and bin) for every feature.
    fn both_methods_agree<T: Targets>(targets: &T, n: usize) {
        let x = Array2::from_shape_fn((n, 5), |(i, j)| ((i * 31 + j * 17) % (7 + 5 * j)) as f32);
        let rows: Vec<usize> = (0..n).collect();
        let edges = BinEdges::fit(x.view(), &rows, 256);
        let binned = edges.transform(x.view(), &rows);
        let weights: Vec<u32> = (0..n).map(|i| (i % 3) as u32).collect();
        let input = GrowInput {
            binned: &binned,
            edges: &edges,
            targets,
            weights: &weights,
        };
        let params = GrowParams {
            max_depth: usize::MAX,
            min_samples_split: 2,
            min_samples_leaf: 2,
            max_features: 5,
        };
        let mut b = Builder::new(&input, params);
        let m = b.idx.len();
        let stats = b.node_stats(0, m);
        for f in 0..5 {
            let nb = edges.n_bins(f);
            let mut h = Histogram::new(b.k);
            b.fill_histogram(&mut h, f, 0, m, nb);
            let by_hist = b
                .best_in_histogram(&h, f, nb, &stats)
                .map(|s| (s.proxy, s.bin));
            let by_sort = b.best_by_sorting(f, 0, m, &stats).map(|s| (s.proxy, s.bin));
            assert_eq!(by_hist, by_sort, "feature {f}");
            assert!(by_hist.is_some());
        }
    }

    #[test]
    fn histogram_and_sorting_find_the_same_split() {
        let n = 90;
        let classes = ClassTargets {
            y: (0..n).map(|i| ((i * 7) % 4) as u16).collect(),
            n_classes: 4,
        };
        both_methods_agree(&classes, n);
        let mut offsets = vec![0];
        let mut labels = Vec::new();
        for i in 0..n {
            if i % 2 == 0 {
                labels.push(0);
            }
            if i % 3 == 0 {
                labels.push(2);
            }
            offsets.push(labels.len());
        }
        let sets = LabelSetTargets {
            offsets,
            labels,
            n_labels: 3,
        };
        both_methods_agree(&sets, n);
    }

    #[test]
    fn parent_minus_sibling_equals_the_child_histogram() {
        let n = 200;
        let x = Array2::from_shape_fn((n, 2), |(i, j)| ((i * 13 + j) % 37) as f32);
        let rows: Vec<usize> = (0..n).collect();
        let edges = BinEdges::fit(x.view(), &rows, 256);
        let binned = edges.transform(x.view(), &rows);
        let targets = ClassTargets {
            y: (0..n).map(|i| (i % 3) as u16).collect(),
            n_classes: 3,
        };
        let weights: Vec<u32> = (0..n).map(|i| 1 + (i % 2) as u32).collect();
        let input = GrowInput {
            binned: &binned,
            edges: &edges,
            targets: &targets,
            weights: &weights,
        };
        let params = GrowParams {
            max_depth: usize::MAX,
            min_samples_split: 2,
            min_samples_leaf: 1,
            max_features: 2,
        };
        let b = Builder::new(&input, params);
        let nb = edges.n_bins(1);
        let (mut parent, mut small, mut large, mut diff) = (
            Histogram::new(3),
            Histogram::new(3),
            Histogram::new(3),
            Histogram::new(3),
        );
        b.fill_histogram(&mut parent, 1, 0, n, nb);
        b.fill_histogram(&mut small, 1, 0, 70, nb);
        b.fill_histogram(&mut large, 1, 70, n, nb);
        diff.set_difference(&parent, &small, nb, 3);
        assert_eq!(diff.per_col[..nb * 3], large.per_col[..nb * 3]);
        assert_eq!(diff.weight[..nb], large.weight[..nb]);
        assert_eq!(diff.count[..nb], large.count[..nb]);
    }

    #[test]
    fn gini_proxy_by_hand() {
        // Four samples, weight 1, classes [0, 0, 1, 1] with feature codes [0, 0, 1, 1]: the split
        // code <= 0 is pure on both sides: proxy = 2^2/2 + 2^2/2 = 4 (parent 2^2+2^2 over 4 = 2).
        let x = ndarray::array![[0.0f32], [0.0], [1.0], [1.0]];
        let rows = [0, 1, 2, 3];
        let edges = BinEdges::fit(x.view(), &rows, 256);
        let binned = edges.transform(x.view(), &rows);
        let targets = ClassTargets {
            y: vec![0, 0, 1, 1],
            n_classes: 2,
        };
        let weights = [1u32; 4];
        let input = GrowInput {
            binned: &binned,
            edges: &edges,
            targets: &targets,
            weights: &weights,
        };
        let params = GrowParams {
            max_depth: usize::MAX,
            min_samples_split: 2,
            min_samples_leaf: 1,
            max_features: 1,
        };
        let mut b = Builder::new(&input, params);
        let stats = b.node_stats(0, 4);
        assert_eq!((stats.sum_sq, stats.weight), (8, 4));
        let s = b.best_by_sorting(0, 0, 4, &stats).unwrap();
        assert_eq!((s.proxy, s.bin), (4.0, 0));
        // The tree is one split at the edge 0.5 and two pure leaves.
        let mut rng = <ChaCha8Rng as rand::SeedableRng>::seed_from_u64(0);
        let g = grow(&input, params, &mut rng);
        assert_eq!(g.tree.nodes.len(), 3);
        assert_eq!(g.tree.nodes[0].threshold, 0.5);
        assert_eq!(g.tree.leaf(&[0.2], 2), &[1.0, 0.0]);
        assert_eq!(g.tree.leaf(&[0.7], 2), &[0.0, 1.0]);
        // Importance: proxy gain 4 - 8/4 = 2 on feature 0.
        assert_eq!(g.importance, vec![2.0]);
    }
}
