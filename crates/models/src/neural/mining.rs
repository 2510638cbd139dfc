//! Semi-hard triplet mining for the domain-adaptation model's second phase.
//!
//! Every anchor (a bias-domain sample) gets a positive (a source-domain sample of its class, drawn
//! at random) and a negative from another class that is *semi-hard*: farther than the positive but
//! within the margin, `d(a,p) < d(a,n) < d(a,p) + margin` (Schroff et al. 2015). Such negatives
//! give a non-zero loss without the instability of the hardest ones. When an anchor has no
//! semi-hard negative another one is used ([`NegativeFallback`]): ours takes the closest (it
//! either violates the margin or, if farther, contributes a zero loss); the published code takes
//! the farthest (a zero loss, so such anchors do not train).
//!
//! Distances come from GEMMs, never from a loop over pairs, and only those a choice reads are
//! computed: the anchors of one class against the sources of every other class, and each anchor
//! against its positive. With two classes (the sex task) that is half of the full anchor x source
//! matrix. The sources are held sorted by class ([`MiningSources`]), so that every class's
//! negatives are two contiguous runs of rows. Each distance is the value the full matrix holds:
//! a GEMM entry is one sum over the embedding in a fixed order whatever rows and columns surround
//! it (a unit test checks this bit for bit), so the triplets are those of the full matrix.

use ndarray::{linalg::general_mat_mul, s, Array2, ArrayView1, ArrayView2, ArrayViewMut2, Axis};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// The negative an anchor without a semi-hard one gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NegativeFallback {
    /// The closest negative: it violates the margin or adds nothing (ours).
    #[default]
    Closest,
    /// The farthest negative (the published code's `argmax`): it never violates the margin, so
    /// the anchor adds nothing to the loss.
    Farthest,
}

/// Anchors per block of the distance matrix (bounds its memory: block x source samples f32).
const ANCHOR_BLOCK: usize = 1024;

/// One training triplet: row indices into the anchor and source embedding matrices.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Triplet {
    pub(crate) anchor: usize,
    pub(crate) positive: usize,
    pub(crate) negative: usize,
}

/// The triplets of one epoch and how they were found.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Mined {
    pub(crate) triplets: Vec<Triplet>,
    /// Anchors whose negative is semi-hard.
    pub(crate) semi_hard: usize,
    /// Anchors that fell back to another negative ([`NegativeFallback`]).
    pub(crate) fallback: usize,
    /// Anchors skipped: no source sample of their class, or none of another class.
    pub(crate) skipped: usize,
}

/// The source embeddings as mining reads them, made once per fit (phase 2 does not move them):
/// a copy sorted by class, stably, so that the sources of all classes but one are two contiguous
/// runs of rows, and every source's squared norm.
pub(crate) struct MiningSources<'a> {
    /// Class index of each source.
    class: &'a [usize],
    /// The embeddings sorted by class.
    sorted: Array2<f32>,
    /// Squared norm of each row of `sorted`.
    sorted_norms: Vec<f32>,
    /// `position[j]`: the row of source `j` in `sorted`.
    position: Vec<usize>,
    /// Sources of each class, in their own order; class `c` holds rows
    /// `start..start + by_class[c].len()` of `sorted`, `start` being the sum of the classes before.
    by_class: Vec<Vec<usize>>,
}

impl<'a> MiningSources<'a> {
    /// The sources `embeddings` (one row per sample) of classes `class` (indices, one per row).
    pub(crate) fn new(embeddings: ArrayView2<'a, f32>, class: &'a [usize]) -> Self {
        let n_classes = class.iter().max().map_or(0, |m| m + 1);
        let mut by_class: Vec<Vec<usize>> = vec![Vec::new(); n_classes];
        for (j, &c) in class.iter().enumerate() {
            by_class[c].push(j);
        }
        let order: Vec<usize> = by_class.iter().flatten().copied().collect();
        let mut position = vec![0; class.len()];
        for (row, &j) in order.iter().enumerate() {
            position[j] = row;
        }
        let sorted = embeddings.select(Axis(0), &order);
        Self {
            class,
            sorted_norms: squared_norms(sorted.view()),
            sorted,
            position,
            by_class,
        }
    }

    /// Sources of class `class`, in their own order (none when no source has it).
    fn of_class(&self, class: usize) -> &[usize] {
        self.by_class.get(class).map_or(&[], Vec::as_slice)
    }

    /// The rows of `sorted` that hold class `class` (an empty run at the end for a class no
    /// source has).
    fn rows_of_class(&self, class: usize) -> (usize, usize) {
        if class >= self.by_class.len() {
            return (self.sorted.nrows(), self.sorted.nrows());
        }
        let start = self.by_class[..class].iter().map(Vec::len).sum::<usize>();
        (start, start + self.by_class[class].len())
    }

    /// Squared distances of `anchors` (rows of embeddings, all of class `class`, with squared
    /// norms `anchor_norms`) to every source of another class: one row per anchor, the sources in
    /// `sorted` order without `class`'s run.
    fn distances_to_other_classes(
        &self,
        anchors: ArrayView2<'_, f32>,
        anchor_norms: &[f32],
        class: usize,
    ) -> Array2<f32> {
        let (start, end) = self.rows_of_class(class);
        let mut d = Array2::zeros((anchors.nrows(), self.sorted.nrows() - (end - start)));
        let (mut before, mut after) = d.view_mut().split_at(Axis(1), start);
        for (run, out) in [(s![..start, ..], &mut before), (s![end.., ..], &mut after)] {
            let run = self.sorted.slice(run);
            if run.nrows() > 0 {
                general_mat_mul(1.0, &anchors, &run.t(), 0.0, out);
            }
        }
        let norms: Vec<f32> = self.sorted_norms[..start]
            .iter()
            .chain(&self.sorted_norms[end..])
            .copied()
            .collect();
        products_to_distances(d.view_mut(), anchor_norms, &norms);
        d
    }

    /// The squared distance of `anchor` (squared norm `anchor_norm`) to source `j`: the same
    /// GEMM arithmetic as a whole matrix's entry.
    fn distance_to(&self, anchor: ArrayView1<'_, f32>, anchor_norm: f32, j: usize) -> f32 {
        let mut product = Array2::zeros((1, 1));
        general_mat_mul(
            1.0,
            &anchor.insert_axis(Axis(0)),
            &self.sorted.row(self.position[j]).insert_axis(Axis(1)),
            0.0,
            &mut product,
        );
        squared_distance(
            anchor_norm,
            self.sorted_norms[self.position[j]],
            product[[0, 0]],
        )
    }

    /// The column of source `j` (not of the anchors' class, whose rows of `sorted` are
    /// `class_rows`) in [`MiningSources::distances_to_other_classes`].
    fn column_among_others(&self, j: usize, class_rows: (usize, usize)) -> usize {
        let (start, end) = class_rows;
        let row = self.position[j];
        if row < start {
            row
        } else {
            row - (end - start)
        }
    }
}

/// The squared distance of two rows given their squared norms and their product,
/// `|a|^2 + |b|^2 - 2 a.b`, clamped at 0 (rounding can take it below).
fn squared_distance(a_norm: f32, b_norm: f32, product: f32) -> f32 {
    (a_norm + b_norm - 2.0 * product).max(0.0)
}

/// The squared norm of every row of `m`.
fn squared_norms(m: ArrayView2<'_, f32>) -> Vec<f32> {
    m.rows().into_iter().map(|r| r.dot(&r)).collect()
}

/// Turns the products `a b^T` in `products` into squared distances ([`squared_distance`]),
/// given the rows' squared norms (`row_norms` of `a`, `column_norms` of `b`).
fn products_to_distances(
    mut products: ArrayViewMut2<'_, f32>,
    row_norms: &[f32],
    column_norms: &[f32],
) {
    products
        .axis_iter_mut(Axis(0))
        .into_par_iter()
        .zip(row_norms.par_iter())
        .for_each(|(mut row, &na)| {
            for (v, &nb) in row.iter_mut().zip(column_norms) {
                *v = squared_distance(na, nb, *v);
            }
        });
}

/// Squared Euclidean distances between the rows of `a` (n x d) and `b` (m x d): the whole
/// matrix, which mining computes only in part (the reference its tests compare with).
#[cfg(test)]
pub(crate) fn squared_distances(a: ArrayView2<'_, f32>, b: ArrayView2<'_, f32>) -> Array2<f32> {
    let mut d = a.dot(&b.t());
    products_to_distances(d.view_mut(), &squared_norms(a), &squared_norms(b));
    d
}

/// Mines one triplet per anchor. `anchor_class[i]` is anchor `i`'s class index; `seed` makes the
/// draws reproducible whatever the thread count (each anchor has its own stream).
pub(crate) fn mine_semi_hard(
    anchors: ArrayView2<'_, f32>,
    anchor_class: &[usize],
    sources: &MiningSources<'_>,
    margin: f32,
    fallback: NegativeFallback,
    seed: u64,
) -> Mined {
    let n_classes = anchor_class.iter().max().map_or(0, |m| m + 1);
    let mut anchors_of_class: Vec<Vec<usize>> = vec![Vec::new(); n_classes];
    for (a, &c) in anchor_class.iter().enumerate() {
        anchors_of_class[c].push(a);
    }
    let rule = NegativeRule { margin, fallback };
    let mut found: Vec<Option<(Triplet, bool)>> = vec![None; anchors.nrows()];
    for (class, members) in anchors_of_class.iter().enumerate() {
        if sources.of_class(class).is_empty() {
            continue; // no positive: every anchor of the class is skipped
        }
        for block in members.chunks(ANCHOR_BLOCK) {
            let block_rows = anchors.select(Axis(0), block);
            let norms = squared_norms(block_rows.view());
            let d2 = sources.distances_to_other_classes(block_rows.view(), &norms, class);
            let picked: Vec<Option<(Triplet, bool)>> = block
                .par_iter()
                .enumerate()
                .map(|(i, &a)| {
                    let mut rng = ChaCha8Rng::seed_from_u64(seed);
                    rng.set_stream(a as u64);
                    let anchor = Anchor {
                        index: a,
                        class,
                        row: block_rows.row(i),
                        norm: norms[i],
                    };
                    pick(&anchor, d2.row(i), sources, rule, &mut rng)
                })
                .collect();
            for (&a, p) in block.iter().zip(picked) {
                found[a] = p;
            }
        }
    }
    let mut out = Mined::default();
    for f in found {
        match f {
            Some((t, semi_hard)) => {
                out.triplets.push(t);
                if semi_hard {
                    out.semi_hard += 1;
                } else {
                    out.fallback += 1;
                }
            }
            None => out.skipped += 1,
        }
    }
    out
}

/// How a negative is chosen: semi-hard within `margin`, else by `fallback`.
#[derive(Clone, Copy)]
struct NegativeRule {
    margin: f32,
    fallback: NegativeFallback,
}

/// One anchor as [`pick`] reads it.
struct Anchor<'a> {
    /// Its index among the anchors.
    index: usize,
    class: usize,
    /// Its embedding and that row's squared norm.
    row: ArrayView1<'a, f32>,
    norm: f32,
}

/// The triplet of `anchor` given its squared distances to the sources of other classes
/// (`to_others`, as [`MiningSources::distances_to_other_classes`] orders them); `true` when the
/// negative is semi-hard. Negatives are considered in the sources' own order.
fn pick(
    anchor: &Anchor<'_>,
    to_others: ArrayView1<'_, f32>,
    sources: &MiningSources<'_>,
    rule: NegativeRule,
    rng: &mut ChaCha8Rng,
) -> Option<(Triplet, bool)> {
    let NegativeRule { margin, fallback } = rule;
    let same = sources.of_class(anchor.class);
    if same.is_empty() {
        return None;
    }
    let positive = same[rng.random_range(0..same.len())];
    let d_ap = sources
        .distance_to(anchor.row, anchor.norm, positive)
        .sqrt();
    let class_rows = sources.rows_of_class(anchor.class);
    let mut semi_hard: Vec<usize> = Vec::new();
    let mut other: Option<(usize, f32)> = None;
    for (j, &c) in sources.class.iter().enumerate() {
        if c == anchor.class {
            continue;
        }
        let d_an = to_others[sources.column_among_others(j, class_rows)].sqrt();
        if d_an > d_ap && d_an < d_ap + margin {
            semi_hard.push(j);
        }
        let better = |best: f32| match fallback {
            NegativeFallback::Closest => d_an < best,
            NegativeFallback::Farthest => d_an > best,
        };
        if other.is_none_or(|(_, best)| better(best)) {
            other = Some((j, d_an));
        }
    }
    let (negative, is_semi_hard) = if semi_hard.is_empty() {
        (other?.0, false)
    } else {
        (semi_hard[rng.random_range(0..semi_hard.len())], true)
    };
    Some((
        Triplet {
            anchor: anchor.index,
            positive,
            negative,
        },
        is_semi_hard,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn distances_match_the_definition() {
        let a = array![[0.0f32, 0.0], [1.0, 2.0]];
        let b = array![[3.0f32, 4.0], [1.0, 2.0], [0.0, 1.0]];
        let d = squared_distances(a.view(), b.view());
        // (0,0)-(3,4): 9+16; (0,0)-(1,2): 1+4; (0,0)-(0,1): 1; (1,2)-(3,4): 4+4; (1,2)-(0,1): 1+1.
        assert_eq!(d, array![[25.0, 5.0, 1.0], [8.0, 0.0, 2.0]]);
    }

    #[test]
    fn negatives_are_semi_hard_when_one_exists() {
        // One anchor of class 0 at the origin; positive at distance 1 (the only class-0 source).
        // Class-1 sources at 0.5 (hard), 1.5 (semi-hard with margin 1) and 5 (easy).
        let anchors = array![[0.0f32, 0.0]];
        let sources = array![[1.0f32, 0.0], [0.5, 0.0], [1.5, 0.0], [5.0, 0.0]];
        let closest = NegativeFallback::Closest;
        let source_class = [0, 1, 1, 1];
        let mining_sources = MiningSources::new(sources.view(), &source_class);
        let m = mine_semi_hard(anchors.view(), &[0], &mining_sources, 1.0, closest, 7);
        assert_eq!(
            m.triplets,
            vec![Triplet {
                anchor: 0,
                positive: 0,
                negative: 2
            }]
        );
        assert_eq!((m.semi_hard, m.fallback, m.skipped), (1, 0, 0));
        // With margin 0.1 nothing lies in (1, 1.1): the closest negative (0.5) is used, or, as
        // the published code does, the farthest (5).
        let with_margin_0_1 =
            |fallback| mine_semi_hard(anchors.view(), &[0], &mining_sources, 0.1, fallback, 7);
        let m = with_margin_0_1(closest);
        assert_eq!(m.triplets[0].negative, 1);
        assert_eq!((m.semi_hard, m.fallback), (0, 1));
        let m = with_margin_0_1(NegativeFallback::Farthest);
        assert_eq!(m.triplets[0].negative, 3);
        assert_eq!((m.semi_hard, m.fallback), (0, 1));
    }

    #[test]
    fn anchors_without_a_positive_are_skipped_and_mining_is_reproducible() {
        let anchors = array![[0.0f32], [1.0], [2.0]];
        let sources = array![[0.0f32], [0.2], [3.0], [4.0]];
        let classes = [0, 2, 1];
        let source_class = [0, 0, 1, 1];
        let mining_sources = MiningSources::new(sources.view(), &source_class);
        let mine = || {
            mine_semi_hard(
                anchors.view(),
                &classes,
                &mining_sources,
                5.0,
                NegativeFallback::Closest,
                11,
            )
        };
        let (a, b) = (mine(), mine());
        assert_eq!(a, b);
        assert_eq!(a.skipped, 1);
        assert_eq!(a.triplets.len(), 2);
    }

    /// Values uniform on (-1, 1), `rows x columns`, drawn from `seed`.
    fn embeddings(rows: usize, columns: usize, seed: u64) -> Array2<f32> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        Array2::from_shape_simple_fn((rows, columns), || rng.random_range(-1.0f32..1.0))
    }

    #[test]
    fn distances_to_part_of_the_sources_are_the_whole_matrix_bit_for_bit() {
        // 600 columns: three of the GEMM's 256-deep blocks; 1,100 sources: two of its
        // 1,024-wide panels; sizes that are no multiple of its tiles.
        let anchors = embeddings(37, 600, 1);
        let sources = embeddings(1_100, 600, 2);
        let source_class: Vec<usize> = (0..1_100).map(|j| (j * 7 + j / 13) % 3).collect();
        let whole = squared_distances(anchors.view(), sources.view());
        let mining_sources = MiningSources::new(sources.view(), &source_class);
        let norms = squared_norms(anchors.view());
        for class in 0..4 {
            let part = mining_sources.distances_to_other_classes(anchors.view(), &norms, class);
            let class_rows = mining_sources.rows_of_class(class);
            let mut compared = 0;
            for (j, &c) in source_class.iter().enumerate() {
                if c == class {
                    continue;
                }
                let column = mining_sources.column_among_others(j, class_rows);
                for i in 0..anchors.nrows() {
                    let (got, want) = (part[[i, column]], whole[[i, j]]);
                    assert_eq!(got.to_bits(), want.to_bits(), "anchor {i}, source {j}");
                }
                compared += 1;
            }
            assert_eq!(compared, part.ncols(), "class {class}'s columns");
        }
        for (i, j) in [(0, 0), (5, 17), (36, 1_099), (20, 1_023), (11, 1_024)] {
            let got = mining_sources.distance_to(anchors.row(i), norms[i], j);
            assert_eq!(
                got.to_bits(),
                whole[[i, j]].to_bits(),
                "anchor {i}, source {j}"
            );
        }
    }

    #[test]
    fn mining_reads_the_distances_the_whole_matrix_holds() {
        // The triplets equal those chosen from the whole matrix by the rule written out.
        let anchors = embeddings(300, 40, 3);
        let sources = embeddings(500, 40, 4);
        let anchor_class: Vec<usize> = (0..300).map(|i| i % 4).collect();
        let source_class: Vec<usize> = (0..500).map(|j| (j / 3) % 3).collect();
        let mining_sources = MiningSources::new(sources.view(), &source_class);
        // A margin so narrow that some anchors have no semi-hard negative (about one in reach).
        let margin = 0.004;
        let mined = mine_semi_hard(
            anchors.view(),
            &anchor_class,
            &mining_sources,
            margin,
            NegativeFallback::Closest,
            5,
        );
        let whole = squared_distances(anchors.view(), sources.view());
        let mut expected = Vec::new();
        for (a, &class) in anchor_class.iter().enumerate() {
            let same: Vec<usize> = (0..500).filter(|&j| source_class[j] == class).collect();
            if same.is_empty() {
                continue;
            }
            let mut rng = ChaCha8Rng::seed_from_u64(5);
            rng.set_stream(a as u64);
            let positive = same[rng.random_range(0..same.len())];
            let d_ap = whole[[a, positive]].sqrt();
            let others = (0..500).filter(|&j| source_class[j] != class);
            let d = |j: usize| whole[[a, j]].sqrt();
            let semi_hard: Vec<usize> = others
                .clone()
                .filter(|&j| d(j) > d_ap && d(j) < d_ap + margin)
                .collect();
            let negative = if semi_hard.is_empty() {
                others.reduce(|best, j| if d(j) < d(best) { j } else { best })
            } else {
                Some(semi_hard[rng.random_range(0..semi_hard.len())])
            };
            expected.push(Triplet {
                anchor: a,
                positive,
                negative: negative.expect("other classes have sources"),
            });
        }
        assert_eq!(mined.triplets, expected);
        assert_eq!(mined.skipped, 75, "class 3 has no source");
        assert!(mined.semi_hard > 0 && mined.fallback > 0, "{mined:?}");
    }
}
