//! Radix sorts of `f32` values, the inner loop of quantile normalisation and the Gini coefficient.
//!
//! An `f32` maps to a `u32` whose unsigned order is the float order ([`f32_key`]); a most
//! significant digit radix sort over the bits that vary between the keys is then close to linear,
//! and nearly free on the long runs of tied values that expression data have. Callers own the scratch
//! buffers so that a loop over genes or samples allocates nothing per item.

/// Below this length a comparison sort is faster than a radix pass.
const SMALL: usize = 64;

/// Maps a finite or infinite `f32` to a `u32` with the same order; `-0.0` and `0.0` map to one key.
#[inline]
pub fn f32_key(x: f32) -> u32 {
    let bits = (x + 0.0).to_bits();
    if bits & 0x8000_0000 != 0 {
        !bits
    } else {
        bits | 0x8000_0000
    }
}

/// Inverse of [`f32_key`].
#[inline]
pub fn key_f32(key: u32) -> f32 {
    if key & 0x8000_0000 != 0 {
        f32::from_bits(key & 0x7FFF_FFFF)
    } else {
        f32::from_bits(!key)
    }
}

/// Most significant digit radix sort of `items` by the 32-bit `key(item)`, whose order must agree
/// with `T`'s own order on distinct keys (a `u32` key, or a `u64` with the key in its high bits).
///
/// Keys are reduced by their minimum so only the bits that vary count; one counting pass on the
/// top digit (up to 12 bits) scatters the items into buckets, and each bucket is then sorted
/// alone: a bucket of one repeated key (the ties that fill expression data) is already in order,
/// a small one goes to `sort_unstable`, a large one recurses on its remaining bits. Items with
/// equal keys end in `T`'s order (argsort pairs built in index order: their input order).
/// `scratch` must be at least as long as `items`.
fn radix_by<T: Copy + Ord>(items: &mut [T], scratch: &mut [T], key: &impl Fn(T) -> u32) {
    let n = items.len();
    if n <= SMALL {
        items.sort_unstable();
        return;
    }
    let (mut lo, mut hi) = (u32::MAX, 0u32);
    for &t in items.iter() {
        let k = key(t);
        lo = lo.min(k);
        hi = hi.max(k);
    }
    let bits = 32 - (hi - lo).leading_zeros();
    if bits == 0 {
        return;
    }
    // About two items per bucket: fewer buckets would leave more to the bucket sorts, more
    // would cost more to clear and scan than the items themselves.
    let digit = bits.min(
        (usize::BITS - n.leading_zeros())
            .saturating_sub(2)
            .clamp(6, MAX_DIGIT),
    );
    let shift = bits - digit;
    let buckets = 1usize << digit;
    let mut bounds = [0u32; 1 << MAX_DIGIT];
    let bounds = &mut bounds[..buckets];
    for &t in items.iter() {
        bounds[((key(t) - lo) >> shift) as usize] += 1;
    }
    // Counts -> bucket starts; after the scatter each entry is its bucket's end.
    let mut sum = 0u32;
    for b in bounds.iter_mut() {
        let c = *b;
        *b = sum;
        sum += c;
    }
    let scratch = &mut scratch[..n];
    for &t in items.iter() {
        let b = ((key(t) - lo) >> shift) as usize;
        scratch[bounds[b] as usize] = t;
        bounds[b] += 1;
    }
    items.copy_from_slice(scratch);
    if shift == 0 {
        return;
    }
    let mut start = 0usize;
    for &end in bounds.iter() {
        let end = end as usize;
        if end - start > 1 {
            radix_by(&mut items[start..end], &mut scratch[start..end], key);
        }
        start = end;
    }
}

/// Widest top digit of [`radix_by`] (4,096 buckets).
const MAX_DIGIT: u32 = 12;

/// Sorts `keys` ascending; `scratch` must be at least as long as `keys`.
pub fn radix_sort_u32(keys: &mut [u32], scratch: &mut [u32]) {
    radix_by(keys, scratch, &|k| k);
}

/// Sorts `(key << 32) | index` pairs by their key (the high 32 bits), equal keys by index, so
/// that the low bits give the permutation of an argsort. `scratch` must be at least as long as `pairs`.
pub fn radix_argsort_pairs(pairs: &mut [u64], scratch: &mut [u64]) {
    radix_by(pairs, scratch, &|p| (p >> 32) as u32);
}

/// Sorts `values` ascending (through their keys) into `sorted`; both scratch vectors are resized
/// as needed and reused across calls.
pub fn sort_f32_into(values: &[f32], keys: &mut Vec<u32>, scratch: &mut Vec<u32>) {
    keys.clear();
    keys.extend(values.iter().map(|&v| f32_key(v)));
    scratch.resize(values.len(), 0);
    radix_sort_u32(keys, scratch);
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn key_order_is_float_order() {
        let xs = [
            f32::NEG_INFINITY,
            -3.5,
            -1e-30,
            -0.0,
            0.0,
            1e-30,
            1.0,
            2.5,
            f32::INFINITY,
        ];
        for w in xs.windows(2) {
            assert!(f32_key(w[0]) <= f32_key(w[1]), "{} vs {}", w[0], w[1]);
        }
        assert_eq!(f32_key(-0.0), f32_key(0.0));
        for &x in &xs {
            assert_eq!(key_f32(f32_key(x)), x + 0.0);
        }
    }

    /// One huge outlier puts every other key in the lowest top-digit bucket: the recursion must
    /// still sort them (and equal keys keep their input order in an argsort).
    #[test]
    fn skewed_ranges_recurse() {
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        let mut values: Vec<f32> = (0..3000).map(|_| rng.random_range(0.0f32..1.0)).collect();
        values[17] = 1e30;
        values[18] = 0.5;
        values[19] = 0.5;
        let mut keys = Vec::new();
        let mut scratch = Vec::new();
        sort_f32_into(&values, &mut keys, &mut scratch);
        let mut expect = values.clone();
        expect.sort_by(f32::total_cmp);
        assert_eq!(keys.iter().map(|&k| key_f32(k)).collect::<Vec<_>>(), expect);
        let mut pairs: Vec<u64> = values
            .iter()
            .enumerate()
            .map(|(i, &v)| (u64::from(f32_key(v)) << 32) | i as u64)
            .collect();
        let mut s2 = vec![0u64; pairs.len()];
        radix_argsort_pairs(&mut pairs, &mut s2);
        let at = pairs.iter().position(|&p| p & 0xFFFF_FFFF == 18).unwrap();
        assert_eq!(pairs[at + 1] & 0xFFFF_FFFF, 19);
        assert_eq!(pairs.last().unwrap() & 0xFFFF_FFFF, 17);
    }

    #[test]
    fn radix_sorts_agree_with_std_sort() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for &n in &[0usize, 1, 5, 63, 64, 65, 1000, 5000, 70_000] {
            let values: Vec<f32> = (0..n)
                .map(|_| {
                    let v: f32 = rng.random_range(-50.0..50.0);
                    // Many ties, as in log counts.
                    if rng.random_bool(0.3) {
                        0.0
                    } else {
                        (v * 4.0).round() / 4.0
                    }
                })
                .collect();
            let mut keys = Vec::new();
            let mut scratch = Vec::new();
            sort_f32_into(&values, &mut keys, &mut scratch);
            let ours: Vec<f32> = keys.iter().map(|&k| key_f32(k)).collect();
            let mut expect = values.clone();
            expect.sort_by(f32::total_cmp);
            let expect: Vec<f32> = expect.into_iter().map(|v| v + 0.0).collect();
            assert_eq!(ours, expect);

            let mut pairs: Vec<u64> = values
                .iter()
                .enumerate()
                .map(|(i, &v)| (u64::from(f32_key(v)) << 32) | i as u64)
                .collect();
            let mut s2 = vec![0u64; n];
            radix_argsort_pairs(&mut pairs, &mut s2);
            let by_perm: Vec<f32> = pairs
                .iter()
                .map(|&p| values[(p & 0xFFFF_FFFF) as usize] + 0.0)
                .collect();
            assert_eq!(by_perm, expect);
        }
    }
}
