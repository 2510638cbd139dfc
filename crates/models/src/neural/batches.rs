//! Mini-batches and class-balanced sample weights shared by the neural models.

use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

/// Balanced weight of each class, `n / (k * n_c)` (scikit-learn's `compute_class_weight
/// ("balanced")`, which the reference code uses), for `k` classes with counts `counts`. A class
/// without samples gets weight 0 (it never occurs in a batch).
pub(crate) fn balanced_class_weights(counts: &[usize]) -> Vec<f32> {
    let n: usize = counts.iter().sum();
    let k = counts.iter().filter(|&&c| c > 0).count().max(1);
    counts
        .iter()
        .map(|&c| {
            if c == 0 {
                0.0
            } else {
                n as f32 / (k as f32 * c as f32)
            }
        })
        .collect()
}

/// The positions `0..n` shuffled by `rng` and cut into batches of at most `batch_size`.
pub(crate) fn shuffled_batches(
    n: usize,
    batch_size: usize,
    rng: &mut ChaCha8Rng,
) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..n).collect();
    order.shuffle(rng);
    order.chunks(batch_size).map(<[usize]>::to_vec).collect()
}

/// Row-major `batch x classes` targets: each sample's class weight at its class, 0 elsewhere.
/// Multiplied with log-probabilities and summed, this is the per-sample weighted cross-entropy
/// (each sample weighted by its own class, not one scalar per batch as in the reference code).
pub(crate) fn weighted_one_hot(classes: &[usize], n_classes: usize, weights: &[f32]) -> Vec<f32> {
    let mut t = vec![0.0; classes.len() * n_classes];
    for (i, &c) in classes.iter().enumerate() {
        t[i * n_classes + c] = weights[c];
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn balanced_weights_are_inverse_frequency() {
        // 6 samples, 2 present classes: class 0 (4) -> 6 / (2 * 4) = 0.75, class 2 (2) -> 1.5.
        assert_eq!(balanced_class_weights(&[4, 0, 2]), vec![0.75, 0.0, 1.5]);
    }

    #[test]
    fn batches_cover_every_position_once() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let b = shuffled_batches(10, 4, &mut rng);
        assert_eq!(b.iter().map(Vec::len).collect::<Vec<_>>(), vec![4, 4, 2]);
        let mut all: Vec<usize> = b.concat();
        all.sort_unstable();
        assert_eq!(all, (0..10).collect::<Vec<_>>());
    }

    #[test]
    fn one_hot_carries_the_class_weight() {
        assert_eq!(
            weighted_one_hot(&[1, 0], 2, &[0.5, 2.0]),
            vec![0.0, 2.0, 0.5, 0.0]
        );
    }
}
