//! Semi-hard triplet mining for the domain-adaptation model's second phase.
//!
//! Every anchor (a bias-domain sample) gets a positive (a source-domain sample of its class, drawn
//! at random) and a negative from another class that is *semi-hard*: farther than the positive but
//! within the margin, `d(a,p) < d(a,n) < d(a,p) + margin` (Schroff et al. 2015). Such negatives
//! give a non-zero loss without the instability of the hardest ones. When an anchor has no
//! semi-hard negative another one is used ([`NegativeFallback`]): ours takes the closest (it
//! either violates the margin or, if farther, contributes a zero loss); the published code takes
//! the farthest (a zero loss, so such anchors do not train). Distances come from one GEMM per
//! block of anchors, never from a loop over pairs.

use ndarray::{s, Array2, ArrayView1, ArrayView2, Axis};
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

/// Squared Euclidean distances between the rows of `a` (n x d) and `b` (m x d), as
/// `|a|^2 + |b|^2 - 2 a b^T` clamped at 0.
pub(crate) fn squared_distances(a: ArrayView2<'_, f32>, b: ArrayView2<'_, f32>) -> Array2<f32> {
    let a2: Vec<f32> = a.rows().into_iter().map(|r| r.dot(&r)).collect();
    let b2: Vec<f32> = b.rows().into_iter().map(|r| r.dot(&r)).collect();
    let mut d = a.dot(&b.t());
    d.axis_iter_mut(Axis(0))
        .into_par_iter()
        .zip(a2.par_iter())
        .for_each(|(mut row, &na)| {
            for (v, &nb) in row.iter_mut().zip(&b2) {
                *v = (na + nb - 2.0 * *v).max(0.0);
            }
        });
    d
}

/// Mines one triplet per anchor. `anchor_class[i]` and `source_class[j]` are class indices;
/// `seed` makes the draws reproducible whatever the thread count (each anchor has its own stream).
pub(crate) fn mine_semi_hard(
    anchors: ArrayView2<'_, f32>,
    anchor_class: &[usize],
    sources: ArrayView2<'_, f32>,
    source_class: &[usize],
    margin: f32,
    fallback: NegativeFallback,
    seed: u64,
) -> Mined {
    let n_classes = anchor_class
        .iter()
        .chain(source_class)
        .max()
        .map_or(0, |m| m + 1);
    let mut by_class: Vec<Vec<usize>> = vec![Vec::new(); n_classes];
    for (j, &c) in source_class.iter().enumerate() {
        by_class[c].push(j);
    }
    let mut out = Mined::default();
    for start in (0..anchors.nrows()).step_by(ANCHOR_BLOCK) {
        let end = (start + ANCHOR_BLOCK).min(anchors.nrows());
        let d2 = squared_distances(anchors.slice(s![start..end, ..]), sources);
        let found: Vec<Option<(Triplet, bool)>> = (start..end)
            .into_par_iter()
            .map(|a| {
                let row = d2.row(a - start);
                let mut rng = ChaCha8Rng::seed_from_u64(seed);
                rng.set_stream(a as u64);
                pick(
                    a,
                    row,
                    anchor_class[a],
                    source_class,
                    &by_class,
                    NegativeRule { margin, fallback },
                    &mut rng,
                )
            })
            .collect();
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
    }
    out
}

/// How a negative is chosen: semi-hard within `margin`, else by `fallback`.
#[derive(Clone, Copy)]
struct NegativeRule {
    margin: f32,
    fallback: NegativeFallback,
}

/// The triplet of anchor `a` given its squared distances to every source sample; `true` when the
/// negative is semi-hard.
fn pick(
    a: usize,
    d2: ArrayView1<'_, f32>,
    class: usize,
    source_class: &[usize],
    by_class: &[Vec<usize>],
    rule: NegativeRule,
    rng: &mut ChaCha8Rng,
) -> Option<(Triplet, bool)> {
    let NegativeRule { margin, fallback } = rule;
    let same = &by_class[class];
    if same.is_empty() {
        return None;
    }
    let positive = same[rng.random_range(0..same.len())];
    let d_ap = d2[positive].sqrt();
    let mut semi_hard: Vec<usize> = Vec::new();
    let mut other: Option<(usize, f32)> = None;
    for (j, (&c, &dist2)) in source_class.iter().zip(d2.iter()).enumerate() {
        if c == class {
            continue;
        }
        let d_an = dist2.sqrt();
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
            anchor: a,
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
        let m = mine_semi_hard(
            anchors.view(),
            &[0],
            sources.view(),
            &[0, 1, 1, 1],
            1.0,
            closest,
            7,
        );
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
        let with_margin_0_1 = |fallback| {
            mine_semi_hard(
                anchors.view(),
                &[0],
                sources.view(),
                &[0, 1, 1, 1],
                0.1,
                fallback,
                7,
            )
        };
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
        let a = mine_semi_hard(
            anchors.view(),
            &classes,
            sources.view(),
            &[0, 0, 1, 1],
            5.0,
            NegativeFallback::Closest,
            11,
        );
        let b = mine_semi_hard(
            anchors.view(),
            &classes,
            sources.view(),
            &[0, 0, 1, 1],
            5.0,
            NegativeFallback::Closest,
            11,
        );
        assert_eq!(a, b);
        assert_eq!(a.skipped, 1);
        assert_eq!(a.triplets.len(), 2);
    }
}
