//! A deterministic synthetic classification problem for tests, benchmarks and the Python peers.
//!
//! Written so that numpy reproduces it exactly (`benches/peers/random_forest.py` does): every random
//! number comes from `splitmix64` of a counter, not from a stateful generator.
//!
//! - `normal(seed, stream, a, b)`: `key = splitmix64(seed ^ stream * 0x9E3779B97F4A7C15)`,
//!   `c = a << 32 | b`, `h1 = splitmix64(key ^ 2c)`, `h2 = splitmix64(key ^ (2c + 1))` (wrapping),
//!   `u1 = ((h1 >> 11) + 1) / 2^53`, `u2 = (h2 >> 11) / 2^53`, `z = sqrt(-2 ln u1) cos(2 pi u2)`.
//! - sample `i` has class `i % n_classes`;
//! - class `c` has centre `separation * normal(seed, 1, c, j)` on the first `n_informative` genes, 0
//!   elsewhere;
//! - `x[i, j] = centre[class(i), j] + normal(seed, 2, i, j)`, stored as `f32`.

use ndarray::Array2;

/// The splitmix64 finaliser (Steele et al.), a bijective 64-bit mixer.
pub fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A standard normal number addressed by `(seed, stream, a, b)`; see the module docs.
pub fn normal(seed: u64, stream: u64, a: u64, b: u64) -> f64 {
    let key = splitmix64(seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let c = (a << 32) | b;
    let h1 = splitmix64(key ^ c.wrapping_mul(2));
    let h2 = splitmix64(key ^ c.wrapping_mul(2).wrapping_add(1));
    let scale = 1.0 / (1u64 << 53) as f64;
    let u1 = ((h1 >> 11) + 1) as f64 * scale;
    let u2 = (h2 >> 11) as f64 * scale;
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

/// Shape and difficulty of a synthetic problem.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Synthetic {
    /// Samples.
    pub n_samples: usize,
    /// Genes (features).
    pub n_features: usize,
    /// Classes (balanced: sample `i` has class `i % n_classes`).
    pub n_classes: usize,
    /// Genes whose mean depends on the class (the first ones).
    pub n_informative: usize,
    /// Standard deviation of the class centres (noise has standard deviation 1).
    pub separation: f64,
    /// Seed.
    pub seed: u64,
}

impl Synthetic {
    /// The matrix (samples x genes) and the class of each sample.
    pub fn generate(&self) -> (Array2<f32>, Vec<usize>) {
        let k = self.n_classes.max(1);
        let inf = self.n_informative.min(self.n_features);
        let centres = Array2::from_shape_fn((k, inf), |(c, j)| {
            self.separation * normal(self.seed, 1, c as u64, j as u64)
        });
        let y: Vec<usize> = (0..self.n_samples).map(|i| i % k).collect();
        let x = Array2::from_shape_fn((self.n_samples, self.n_features), |(i, j)| {
            let centre = if j < inf { centres[[y[i], j]] } else { 0.0 };
            (centre + normal(self.seed, 2, i as u64, j as u64)) as f32
        });
        (x, y)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_matches_the_reference_sequence() {
        // Reference splitmix64 (state starting at 0, advancing by the golden gamma): first output
        // 0xE220A8397B1DCDAF, as in Vigna's splitmix64.c.
        assert_eq!(splitmix64(0), 0xE220_A839_7B1D_CDAF);
    }

    #[test]
    fn normals_have_unit_variance() {
        let v: Vec<f64> = (0..20_000).map(|i| normal(7, 2, i, 3)).collect();
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / v.len() as f64;
        // Standard error of the mean 1/sqrt(20000) = 0.007; of the variance about 0.01.
        assert!(mean.abs() < 0.03, "{mean}");
        assert!((var - 1.0).abs() < 0.05, "{var}");
    }
}
