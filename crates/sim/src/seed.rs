//! Seeds derived from the user's seed, so that every study draws from its own stream and rayon's
//! scheduling never changes a result.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// 64-bit FNV-1a of a stream name: a stable hash (unlike `std`'s `DefaultHasher`, which may change
/// between Rust releases).
pub fn stable_hash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// splitmix64 finaliser: spreads close inputs (study 1, study 2) to unrelated seeds.
pub fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The seed of stream `name`, item `index` (a study, a donor) under the user's `seed`.
pub fn derive(seed: u64, name: &str, index: u64) -> u64 {
    mix(mix(seed ^ stable_hash(name)) ^ mix(index.wrapping_add(0x5851_f42d_4c95_7f2d)))
}

/// A ChaCha8 generator for stream `name`, item `index`.
pub fn rng(seed: u64, name: &str, index: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(derive(seed, name, index))
}

/// A number in [0, 1) that depends only on `text` (for per-gene properties fixed by the gene id,
/// such as the GC proxy).
pub fn unit_from(text: &str, salt: u64) -> f64 {
    (mix(stable_hash(text) ^ salt) >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_matches_the_reference_values() {
        // FNV-1a 64 test vectors (Fowler/Noll/Vo): "" and "a".
        assert_eq!(stable_hash(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(stable_hash("a"), 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn streams_differ_by_name_and_index() {
        assert_ne!(derive(1, "sra", 0), derive(1, "sra", 1));
        assert_ne!(derive(1, "sra", 0), derive(1, "tcga", 0));
        assert_ne!(derive(1, "sra", 0), derive(2, "sra", 0));
        assert_eq!(derive(7, "gtex", 3), derive(7, "gtex", 3));
        let u = unit_from("ENSG00000229807", 1);
        assert!((0.0..1.0).contains(&u));
    }
}
