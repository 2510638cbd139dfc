//! One decision tree: its node layout, prediction, and the exact split search that grows it.
//!
//! Growth is depth first over an index array partitioned stably (each node's samples stay in row
//! order, so reading their codes walks a column forwards). At every node a fresh random subset of
//! features is drawn (partial Fisher-Yates); the search goes on past `max_features` only while no
//! valid split has been found, like scikit-learn's ("the search for a split does not stop until at
//! least one valid partition of the node samples is found"). For each drawn feature the node's
//! samples are sorted by their code ([`crate::binning`]: the rank of the value among the feature's
//! distinct training values) as packed `(code, sample)` keys ([`SortKey`]: 32 bits while the
//! training rows number at most 65,536, else 64), with a comparison sort in small nodes and a
//! two-pass radix sort in large ones, then scanned left to right, keeping the Gini proxy
//! `sum_c L_c^2 / n_L + sum_c R_c^2 / n_R` exact in integers. Every boundary between two codes is a
//! candidate, so the candidates are scikit-learn's exact splitter's, and the threshold of the chosen
//! split is, as there, the midpoint between the largest raw value going left and the smallest going
//! right (read from the input, not from the codes).
//!
//! Histograms over 256 quantile bins (this module's former method) searched fewer candidates and
//! put every tree's thresholds on the same shared bin edges: 0.8 points of test accuracy lost on the
//! benchmark problem (see [`crate::binning`]). They were not faster there: a radix sort of a node
//! costs about what filling and scanning a histogram of 256 bins x 16 classes did (CPU time of the
//! benchmark fit, 30 trees: 1.2 s exact, 1.8 s histograms). With 2 classes a histogram scan is
//! cheap and exact search costs about a quarter more (1.1 s against 0.9 s).

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::targets::Targets;
use crate::binning::{midpoint, BinnedMatrix};
use ndarray::ArrayView2;

/// `feature` value of a leaf node.
pub(crate) const LEAF: u32 = u32::MAX;

/// Nodes with at least this many in-bag samples are sorted with the radix sort, smaller ones with
/// `sort_unstable`. Both give the same split (samples of one code are not ordered the same way, but
/// only sums over whole codes are compared). The choice hardly matters: CPU time of the 10,000 x
/// 500, 16-class fit (`examples/forest_accuracy`, 30 trees, one thread, best of 4 on a shared
/// machine, 0.43 s of it data generation): 32 -> 1.81 s, 64 -> 1.79 s, 128 -> 1.65 s,
/// 256 -> 1.78 s, 512 -> 1.90 s, never -> 1.72 s (the 256-bin histogram forest: 2.21 s).
const RADIX_FROM: usize = 128;

/// Nodes with this many in-bag samples or more, and at most [`PREFETCH_UP_TO`], fetch the next
/// drawn feature's codes while scanning the current one: in such nodes the samples lie apart in
/// the columns (38 KB at 19,000 rows), so each code read is a cache miss that the scan's work can
/// hide. Larger nodes walk each column densely, which the hardware prefetcher already follows.
/// `forest_accuracy 38000 5425 31 300 1.0 1 50` (19,000 x 5,425, 50 trees, 2 threads; three runs
/// each, alternating on a shared machine): without the look-ahead 9.35, 8.72, 9.13 s, with it 8.29,
/// 8.89, 8.79 s (up to 4,096 samples: about the same; every node: slower); the share of the growing
/// spent on the code loads, 51 % before, fell to 29 %.
///
/// Smaller nodes have too few samples for a scan to hide the next feature's loads: they ask for
/// the codes of every drawn feature at once, before searching any, so that the loads overlap. The
/// same benchmark on 32-bit keys, three alternating pairs: 8.46 / 7.78 / 8.23 s without, 6.96 / 6.71
/// / 7.64 s with (below 64 samples instead of 16: about the same).
const PREFETCH_FROM: usize = 16;
/// See [`PREFETCH_FROM`].
const PREFETCH_UP_TO: usize = 1024;

/// A node's sample packed with its code of one feature, `(code << SHIFT) | sample`, so that
/// sorting keys sorts the samples by code. A tree of at most 65,536 training rows packs both in
/// 32 bits ([`u32`]), half the bytes to gather, sort and scan of the 64-bit keys ([`u64`]) that
/// larger ones need; both orders are the same, so both grow the same tree. `forest_accuracy 38000
/// 5425 31 300 1.0 1 50` (19,000 x 5,425, 50 trees, 2 threads; three runs each, alternating):
/// 64-bit keys 8.60, 8.87, 8.82 s; 32-bit keys 7.69, 7.46, 7.15 s.
pub(crate) trait SortKey: Copy + Ord + Default {
    /// Bits below the code: the sample's.
    const SHIFT: u32;
    /// The most training rows whose indices fit below the code.
    const MAX_ROWS: usize;
    /// The key of `sample` (below [`Self::MAX_ROWS`]) with code `code`.
    fn pack(code: u16, sample: u32) -> Self;
    /// The code.
    fn code(self) -> u16;
    /// The sample.
    fn sample(self) -> usize;
}

impl SortKey for u32 {
    const SHIFT: u32 = 16;
    const MAX_ROWS: usize = 1 << 16;
    #[inline(always)]
    fn pack(code: u16, sample: u32) -> Self {
        (u32::from(code) << Self::SHIFT) | sample
    }
    #[inline(always)]
    fn code(self) -> u16 {
        (self >> Self::SHIFT) as u16
    }
    #[inline(always)]
    fn sample(self) -> usize {
        (self & 0xffff) as usize
    }
}

impl SortKey for u64 {
    const SHIFT: u32 = 32;
    const MAX_ROWS: usize = usize::MAX;
    #[inline(always)]
    fn pack(code: u16, sample: u32) -> Self {
        (u64::from(code) << Self::SHIFT) | u64::from(sample)
    }
    #[inline(always)]
    fn code(self) -> u16 {
        (self >> Self::SHIFT) as u16
    }
    #[inline(always)]
    fn sample(self) -> usize {
        self as u32 as usize
    }
}

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
    /// The leaf values (one per output column) reached by a row of raw feature values: the walk of
    /// one row, for out-of-bag predictions. Prediction walks many rows at once over a layout made
    /// for it (`predict.rs`), bit for bit the same.
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
    /// Codes of the training rows.
    pub(crate) binned: &'a BinnedMatrix,
    /// The raw input: training row `i` is `x` row `rows[i]` (thresholds are placed between raw values).
    pub(crate) x: ArrayView2<'a, f32>,
    pub(crate) rows: &'a [usize],
    pub(crate) targets: &'a T,
    /// Bootstrap weight of each training row (0 = out of bag).
    pub(crate) weights: &'a [u32],
}

/// Result of growing a tree: the tree and the total impurity decrease per feature.
pub(crate) struct Grown {
    pub(crate) tree: Tree,
    pub(crate) importance: Vec<f64>,
}

/// Weighted output totals of a set of samples.
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

/// The best split found for one feature: codes up to `code` go left, codes from `next` (the next
/// code present in the node) go right.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Split {
    proxy: f64,
    feature: usize,
    code: u16,
    next: u16,
}

/// A node waiting on the stack.
struct Pending {
    id: usize,
    start: usize,
    end: usize,
    depth: usize,
}

/// Grows one tree on the rows with non-zero weight, on 32-bit keys where the rows allow.
pub(crate) fn grow<T: Targets>(
    input: &GrowInput<'_, T>,
    params: GrowParams,
    rng: &mut ChaCha8Rng,
) -> Grown {
    if input.weights.len() <= u32::MAX_ROWS {
        grow_keyed::<T, u32>(input, params, rng)
    } else {
        grow_keyed::<T, u64>(input, params, rng)
    }
}

/// [`grow`] on keys of type `K`.
fn grow_keyed<T: Targets, K: SortKey>(
    input: &GrowInput<'_, T>,
    params: GrowParams,
    rng: &mut ChaCha8Rng,
) -> Grown {
    let mut b = Builder::<T, K>::new(input, params);
    b.run(rng);
    Grown {
        tree: Tree {
            nodes: b.nodes,
            leaf_values: b.leaf_values,
        },
        importance: b.importance,
    }
}

struct Builder<'a, 'b, T: Targets, K: SortKey> {
    input: &'b GrowInput<'a, T>,
    params: GrowParams,
    k: usize,
    idx: Vec<u32>,
    features: Vec<usize>,
    nodes: Vec<Node>,
    leaf_values: Vec<f32>,
    importance: Vec<f64>,
    /// The node's samples with their codes ([`SortKey`]), sorted by code.
    keys: Vec<K>,
    /// Scratch of the radix sort.
    scratch: Vec<K>,
    /// Scratch of the partition.
    right_rows: Vec<u32>,
    left: Vec<u64>,
    right: Vec<u64>,
}

impl<'a, 'b, T: Targets, K: SortKey> Builder<'a, 'b, T, K> {
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
            keys: Vec::new(),
            scratch: Vec::new(),
            right_rows: Vec::new(),
            left: vec![0; k],
            right: vec![0; k],
        }
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
        let mut stack = vec![Pending {
            id: 0,
            start: 0,
            end: self.idx.len(),
            depth: 0,
        }];
        while let Some(node) = stack.pop() {
            let stats = self.node_stats(node.start, node.end);
            let min_leaf = self.params.min_samples_leaf as u64;
            if node.depth >= self.params.max_depth
                || stats.count < self.params.min_samples_split as u64
                || stats.count < 2 * min_leaf
                || stats.is_pure()
            {
                self.make_leaf(node.id, &stats);
                continue;
            }
            let Some(best) = self.search(&node, &stats, rng) else {
                self.make_leaf(node.id, &stats);
                continue;
            };
            self.importance[best.feature] += best.proxy - stats.sum_sq as f64 / stats.weight as f64;
            let col = self.input.binned.column(best.feature);
            let mid = partition(
                &mut self.idx[node.start..node.end],
                &mut self.right_rows,
                |i| col[i as usize] <= best.code,
            ) + node.start;
            let left_id = self.nodes.len();
            let right_id = left_id + 1;
            self.nodes[node.id] = Node {
                feature: best.feature as u32,
                threshold: self.threshold(&best, node.start, mid, node.end),
                left: left_id as u32,
                right: right_id as u32,
            };
            let placeholder = self.nodes[node.id];
            self.nodes.push(placeholder);
            self.nodes.push(placeholder);
            let depth = node.depth + 1;
            stack.push(Pending {
                id: right_id,
                start: mid,
                end: node.end,
                depth,
            });
            stack.push(Pending {
                id: left_id,
                start: node.start,
                end: mid,
                depth,
            });
        }
    }

    /// The raw threshold of a split whose left samples are `idx[start..mid]`: halfway between the
    /// largest raw value on the left (code `best.code`) and the smallest on the right (`best.next`).
    /// For an exactly coded feature one sample of each code gives the value.
    fn threshold(&self, best: &Split, start: usize, mid: usize, end: usize) -> f32 {
        let f = best.feature;
        let col = self.input.binned.column(f);
        let exact = self.input.binned.is_exact(f);
        let value = |i: u32| self.input.x[[self.input.rows[i as usize], f]];
        let extreme = |samples: &[u32], code: u16, pick: fn(f32, f32) -> f32| {
            let mut found = samples.iter().filter(|&&i| col[i as usize] == code);
            let first = value(*found.next().expect("the code occurs in the node"));
            if exact {
                first
            } else {
                found.fold(first, |acc, &i| pick(acc, value(i)))
            }
        };
        let lo = extreme(&self.idx[start..mid], best.code, f32::max);
        let hi = extreme(&self.idx[mid..end], best.next, f32::min);
        midpoint(lo, hi)
    }

    /// Draws features and returns the best valid split.
    fn search(&mut self, node: &Pending, stats: &Stats, rng: &mut ChaCha8Rng) -> Option<Split> {
        let p = self.features.len();
        let samples = node.end - node.start;
        let radix = samples >= RADIX_FROM;
        // The first `max_features` draws are made whatever splits they find, so they are made up
        // front: the same draws in the same order, their features known before any is searched.
        let drawn = self.params.max_features.min(p);
        for j in 0..drawn {
            let r = rng.random_range(j..p);
            self.features.swap(j, r);
        }
        if samples < PREFETCH_FROM {
            // Too few samples for a scan to hide the next feature's loads: every drawn feature's
            // codes are asked for at once, so that the loads overlap.
            for &f in &self.features[..drawn] {
                let codes = self.input.binned.column(f);
                for &i in &self.idx[node.start..node.end] {
                    prefetch_code(codes, i);
                }
            }
        }
        let mut best: Option<Split> = None;
        for j in 0..p {
            if j >= drawn {
                // Past `max_features` only while no valid split has been found.
                if best.is_some() {
                    break;
                }
                let r = rng.random_range(j..p);
                self.features.swap(j, r);
            }
            let f = self.features[j];
            if self.input.binned.n_bins(f) < 2 {
                continue;
            }
            // The next feature searched (past the draws made up front, the one the next draw
            // would pick, read from a copy of the generator): its codes of the node's samples are
            // fetched into the cache while this feature is sorted and scanned.
            let next =
                (j + 1 < p && (PREFETCH_FROM..=PREFETCH_UP_TO).contains(&samples)).then(|| {
                    if j + 1 < drawn {
                        self.features[j + 1]
                    } else {
                        self.features[rng.clone().random_range(j + 1..p)]
                    }
                });
            let found = self.best_split(f, node.start, node.end, stats, radix, next);
            if let Some(s) = found {
                if best.is_none_or(|b| s.proxy > b.proxy) {
                    best = Some(s);
                }
            }
        }
        best
    }

    /// Fills `keys` with the samples `idx[start..end]` sorted by their code of feature `f`.
    fn sort_by_code(&mut self, f: usize, start: usize, end: usize, radix: bool) {
        let col = self.input.binned.column(f);
        self.keys.clear();
        self.keys.extend(
            self.idx[start..end]
                .iter()
                .map(|&i| K::pack(col[i as usize], i)),
        );
        if radix {
            radix_sort_codes(&mut self.keys, &mut self.scratch);
        } else {
            self.keys.sort_unstable();
        }
    }

    /// The best valid split of the samples `idx[start..end]` on feature `f`, if any.
    /// With `prefetch`, the codes of feature `prefetch` of the same samples are requested from
    /// memory along the way, one sample per step of the scan.
    fn best_split(
        &mut self,
        f: usize,
        start: usize,
        end: usize,
        stats: &Stats,
        radix: bool,
        prefetch: Option<usize>,
    ) -> Option<Split> {
        self.sort_by_code(f, start, end, radix);
        let next_codes = prefetch.map(|f| self.input.binned.column(f));
        let samples = &self.idx[start..end];
        let min_leaf = self.params.min_samples_leaf as u64;
        self.left.fill(0);
        self.right.copy_from_slice(&stats.per_col);
        let (mut s_l, mut s_r) = (0u64, stats.sum_sq);
        let (mut w_l, mut w_r) = (0u64, stats.weight);
        let (mut c_l, mut c_r) = (0u64, stats.count);
        let mut best: Option<Split> = None;
        let m = self.keys.len();
        let mut scanned = 0;
        // `keys` holds the same samples as `samples`, sorted: position `pos` fetches the next
        // feature's code of the node's `pos`-th sample.
        for (pos, &sample) in samples.iter().enumerate().take(m.saturating_sub(1)) {
            if let Some(codes) = next_codes {
                prefetch_code(codes, sample);
            }
            scanned = pos + 1;
            let key = self.keys[pos];
            let i = key.sample();
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
            let (code, next) = (key.code(), self.keys[pos + 1].code());
            if code == next || c_l < min_leaf {
                continue;
            }
            if c_r < min_leaf {
                break;
            }
            let proxy = s_l as f64 / w_l as f64 + s_r as f64 / w_r as f64;
            if best.is_none_or(|s| proxy > s.proxy) {
                best = Some(Split {
                    proxy,
                    feature: f,
                    code,
                    next,
                });
            }
        }
        if let Some(codes) = next_codes {
            samples[scanned..]
                .iter()
                .for_each(|&i| prefetch_code(codes, i));
        }
        best
    }
}

/// Asks for the cache line holding `codes[i]` without waiting for it (a hint: no effect on
/// any value).
#[inline(always)]
fn prefetch_code(codes: &[u16], i: u32) {
    #[cfg(target_arch = "x86_64")]
    if let Some(code) = codes.get(i as usize) {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        // SAFETY: SSE, which x86_64 always has; a prefetch reads nothing and writes nothing.
        unsafe { _mm_prefetch::<_MM_HINT_T0>((code as *const u16).cast::<i8>()) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (codes, i);
}

/// Sorts keys by code with a least-significant-digit radix sort, one stable pass per byte of the
/// code, skipping a byte that all keys share. Keys of one code keep their input order.
fn radix_sort_codes<K: SortKey>(keys: &mut Vec<K>, scratch: &mut Vec<K>) {
    let mut counts = [[0usize; 256]; 2];
    for &k in keys.iter() {
        counts[0][k.code() as u8 as usize] += 1;
        counts[1][(k.code() >> 8) as usize] += 1;
    }
    scratch.resize(keys.len(), K::default());
    for (count, shift) in counts.iter().zip([0, 8]) {
        if count.contains(&keys.len()) {
            continue;
        }
        let mut offset = [0usize; 256];
        let mut sum = 0;
        for (o, &c) in offset.iter_mut().zip(count) {
            *o = sum;
            sum += c;
        }
        for &k in keys.iter() {
            let digit = (k.code() >> shift) as u8 as usize;
            scratch[offset[digit]] = k;
            offset[digit] += 1;
        }
        std::mem::swap(keys, scratch);
    }
}

/// Moves the elements satisfying `goes_left` to the front, keeping the order on both sides (so that
/// every node's samples stay in increasing row order and reading their codes walks each column
/// forwards); returns how many there are. `buf` is scratch.
fn partition(v: &mut [u32], buf: &mut Vec<u32>, goes_left: impl Fn(u32) -> bool) -> usize {
    buf.clear();
    let mut mid = 0;
    for j in 0..v.len() {
        let x = v[j];
        if goes_left(x) {
            v[mid] = x;
            mid += 1;
        } else {
            buf.push(x);
        }
    }
    v[mid..].copy_from_slice(buf);
    mid
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forest::targets::{ClassTargets, LabelSetTargets};
    use ndarray::Array2;
    use rand::SeedableRng;

    fn params(max_features: usize, min_samples_leaf: usize) -> GrowParams {
        GrowParams {
            max_depth: usize::MAX,
            min_samples_split: 2,
            min_samples_leaf,
            max_features,
        }
    }

    /// The radix sort on keys of type `K`: by code, ties in input order.
    fn radix_sort_orders_by_code_and_keeps_ties_in_order_with<K: SortKey + std::fmt::Debug>() {
        let sorted_by_code = |keys: &[K]| {
            let mut expected = keys.to_vec();
            expected.sort_by_key(|k| k.code());
            expected
        };
        let mut keys: Vec<K> = (0..1000u32)
            .map(|i| K::pack(((i * 7919) % 700) as u16, i))
            .collect();
        let expected = sorted_by_code(&keys);
        radix_sort_codes(&mut keys, &mut Vec::new());
        assert_eq!(keys, expected);
        // Codes below 256 (one pass) and a single code (no pass).
        let mut small: Vec<K> = (0..300u32).map(|i| K::pack((i % 3) as u16, i)).collect();
        let expected = sorted_by_code(&small);
        radix_sort_codes(&mut small, &mut Vec::new());
        assert_eq!(small, expected);
        let mut same: Vec<K> = (0..10u32).map(|i| K::pack(5, 9 - i)).collect();
        let before = same.clone();
        radix_sort_codes(&mut same, &mut Vec::new());
        assert_eq!(same, before);
        // The largest code and sample survive packing.
        let last = K::pack(u16::MAX, 65_535);
        assert_eq!((last.code(), last.sample()), (u16::MAX, 65_535));
    }

    #[test]
    fn radix_sort_orders_by_code_and_keeps_ties_in_order() {
        radix_sort_orders_by_code_and_keeps_ties_in_order_with::<u32>();
        radix_sort_orders_by_code_and_keeps_ties_in_order_with::<u64>();
    }

    #[test]
    fn narrow_and_wide_keys_grow_the_same_tree() {
        // 3,000 rows of 8 features, 5 noisy classes: a deep tree with nodes of every size, so
        // both sorts and the look-ahead run, on 32-bit and on 64-bit keys.
        let n = 3_000;
        let x = Array2::from_shape_fn((n, 8), |(i, j)| ((i * 7_919 + j * 104_729) % 997) as f32);
        let rows: Vec<usize> = (0..n).collect();
        let binned = BinnedMatrix::fit(x.view(), &rows, crate::binning::MAX_BINS);
        let targets = ClassTargets {
            y: (0..n).map(|i| ((i * 13 + i / 7) % 5) as u16).collect(),
            n_classes: 5,
        };
        let weights: Vec<u32> = (0..n).map(|i| ((i * 31) % 4) as u32).collect();
        let input = GrowInput {
            binned: &binned,
            x: x.view(),
            rows: &rows,
            targets: &targets,
            weights: &weights,
        };
        let narrow = grow_keyed::<_, u32>(&input, params(3, 1), &mut ChaCha8Rng::seed_from_u64(7));
        let wide = grow_keyed::<_, u64>(&input, params(3, 1), &mut ChaCha8Rng::seed_from_u64(7));
        assert!(
            narrow.tree.nodes.len() > 500,
            "{} nodes",
            narrow.tree.nodes.len()
        );
        assert_eq!(narrow.tree, wide.tree);
        assert_eq!(narrow.importance, wide.importance);
    }

    /// Both sorts must find the same best split (proxy and codes) for every feature, on keys of
    /// type `K`.
    fn both_sorts_agree<T: Targets, K: SortKey>(targets: &T, n: usize) {
        let x = Array2::from_shape_fn((n, 5), |(i, j)| ((i * 31 + j * 17) % (7 + 150 * j)) as f32);
        let rows: Vec<usize> = (0..n).collect();
        let binned = BinnedMatrix::fit(x.view(), &rows, 256);
        let weights: Vec<u32> = (0..n).map(|i| (i % 3) as u32).collect();
        let input = GrowInput {
            binned: &binned,
            x: x.view(),
            rows: &rows,
            targets,
            weights: &weights,
        };
        let mut b = Builder::<_, K>::new(&input, params(5, 2));
        let m = b.idx.len();
        let stats = b.node_stats(0, m);
        for f in 0..5 {
            let by_radix = b.best_split(f, 0, m, &stats, true, None);
            let by_sort = b.best_split(f, 0, m, &stats, false, None);
            assert_eq!(by_radix, by_sort, "feature {f}");
            assert!(by_radix.is_some());
            // Fetching another feature's codes along the way is a hint only.
            let prefetching = b.best_split(f, 0, m, &stats, true, Some((f + 1) % 5));
            assert_eq!(prefetching, by_radix, "feature {f} with a prefetch");
        }
    }

    #[test]
    fn radix_and_comparison_sorts_find_the_same_split() {
        let n = 900;
        let classes = ClassTargets {
            y: (0..n).map(|i| ((i * 7) % 4) as u16).collect(),
            n_classes: 4,
        };
        both_sorts_agree::<_, u32>(&classes, n);
        both_sorts_agree::<_, u64>(&classes, n);
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
        both_sorts_agree::<_, u32>(&sets, n);
        both_sorts_agree::<_, u64>(&sets, n);
    }

    #[test]
    fn gini_proxy_and_threshold_by_hand() {
        // Four samples, weight 1, classes [0, 0, 1, 1] with values [0, 0, 2, 2]: the split between
        // 0 and 2 is pure on both sides: proxy = 2^2/2 + 2^2/2 = 4 (parent 2^2+2^2 over 4 = 2).
        let x = ndarray::array![[0.0f32], [0.0], [2.0], [2.0]];
        let rows = [0, 1, 2, 3];
        let binned = BinnedMatrix::fit(x.view(), &rows, 256);
        let targets = ClassTargets {
            y: vec![0, 0, 1, 1],
            n_classes: 2,
        };
        let weights = [1u32; 4];
        let input = GrowInput {
            binned: &binned,
            x: x.view(),
            rows: &rows,
            targets: &targets,
            weights: &weights,
        };
        let mut b = Builder::<_, u32>::new(&input, params(1, 1));
        let stats = b.node_stats(0, 4);
        assert_eq!((stats.sum_sq, stats.weight), (8, 4));
        let s = b.best_split(0, 0, 4, &stats, false, None).unwrap();
        assert_eq!((s.proxy, s.code, s.next), (4.0, 0, 1));
        // The tree is one split halfway between 0 and 2, and two pure leaves.
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        let g = grow(&input, params(1, 1), &mut rng);
        assert_eq!(g.tree.nodes.len(), 3);
        assert_eq!(g.tree.nodes[0].threshold, 1.0);
        assert_eq!(g.tree.leaf(&[0.9], 2), &[1.0, 0.0]);
        assert_eq!(g.tree.leaf(&[1.1], 2), &[0.0, 1.0]);
        // Importance: proxy gain 4 - 8/4 = 2 on feature 0.
        assert_eq!(g.importance, vec![2.0]);
    }

    #[test]
    fn thresholds_lie_halfway_between_the_node_values_also_when_coded_by_quantiles() {
        // Values 0, 1, ..., 99, class 1 from 50; in bag only the even values up to 44 and from 56.
        // The threshold is halfway between the in-bag neighbours 44 and 56, at 50 (not at 44.5,
        // the edge above 44 among all training values, nor at the quantile edge 49.5 of 4 levels),
        // whether the feature keeps its 100 levels or is cut into 4 (then 44 and 56 share their
        // codes with other values and the node's extremes are looked up).
        let n = 100;
        let x = Array2::from_shape_fn((n, 1), |(i, _)| i as f32);
        let rows: Vec<usize> = (0..n).collect();
        let targets = ClassTargets {
            y: (0..n).map(|i| u16::from(i >= 50)).collect(),
            n_classes: 2,
        };
        let weights: Vec<u32> = (0..n)
            .map(|i| u32::from(i % 2 == 0 && !(45..56).contains(&i)))
            .collect();
        for max_bins in [256, 4] {
            let binned = BinnedMatrix::fit(x.view(), &rows, max_bins);
            assert_eq!(binned.is_exact(0), max_bins == 256);
            let input = GrowInput {
                binned: &binned,
                x: x.view(),
                rows: &rows,
                targets: &targets,
                weights: &weights,
            };
            let mut rng = ChaCha8Rng::seed_from_u64(1);
            let g = grow(&input, params(1, 1), &mut rng);
            assert_eq!(g.tree.nodes.len(), 3, "{max_bins} levels");
            assert_eq!(g.tree.nodes[0].threshold, 50.0, "{max_bins} levels");
        }
    }
}
