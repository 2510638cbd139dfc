//! Negative-binomial read counts: a Gamma-Poisson draw per gene at a sampled library size.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Gamma, Poisson};

/// Expected counts below this are written as 0 without a draw (the chance of a read is < 1e-4).
pub const NEGLIGIBLE_MEAN: f64 = 1e-4;

/// Turns a row of natural-log relative expression into counts: proportions by softmax, means
/// `mu = library * p`, then `Poisson(Gamma(1 / phi, mu * phi))` with `phi = a + b / mu`
/// (dispersion of the mean-dispersion trend). `dropout` zeroes each count with that chance
/// (single-cell libraries). Counts are written into `out`.
pub fn draw_counts(
    log_expr: &[f32],
    library: f64,
    dispersion: (f64, f64),
    dropout: f64,
    rng: &mut ChaCha8Rng,
    out: &mut [f32],
) {
    let max = log_expr.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let total: f64 = log_expr.iter().map(|&l| f64::from(l - max).exp()).sum();
    let (a, b) = dispersion;
    for (slot, &l) in out.iter_mut().zip(log_expr) {
        let mu = library * f64::from(l - max).exp() / total;
        *slot = if mu < NEGLIGIBLE_MEAN {
            0.0
        } else {
            negative_binomial(mu, a + b / mu, rng) as f32
        };
        if dropout > 0.0 && rng.random_bool(dropout) {
            *slot = 0.0;
        }
    }
}

/// One negative-binomial draw with mean `mu` and dispersion `phi` (variance `mu + phi mu^2`).
pub fn negative_binomial(mu: f64, phi: f64, rng: &mut ChaCha8Rng) -> f64 {
    let lambda = if phi > 1e-9 {
        match Gamma::new(1.0 / phi, mu * phi) {
            Ok(g) => g.sample(rng),
            Err(_) => mu,
        }
    } else {
        mu
    };
    if lambda <= 0.0 || !lambda.is_finite() {
        return 0.0;
    }
    match Poisson::new(lambda) {
        Ok(p) => p.sample(rng).round(),
        Err(_) => lambda.round(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn negative_binomial_has_the_stated_mean_and_variance() {
        // NB(mu = 50, phi = 0.2): mean 50, variance 50 + 0.2 * 2500 = 550 (by hand).
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let n = 200_000;
        let draws: Vec<f64> = (0..n)
            .map(|_| negative_binomial(50.0, 0.2, &mut rng))
            .collect();
        let mean = draws.iter().sum::<f64>() / n as f64;
        let var = draws.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        assert!((mean - 50.0).abs() < 0.3, "{mean}");
        assert!((var - 550.0).abs() < 15.0, "{var}");
    }

    #[test]
    fn rows_sum_close_to_the_library_size() {
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        let log_expr: Vec<f32> = (0..1000).map(|i| (i % 7) as f32).collect();
        let mut out = vec![0f32; 1000];
        draw_counts(&log_expr, 1e6, (0.05, 1.0), 0.0, &mut rng, &mut out);
        let sum: f32 = out.iter().sum();
        assert!((sum / 1e6 - 1.0).abs() < 0.02, "{sum}");
        assert!(out.iter().all(|v| v.fract() == 0.0 && *v >= 0.0));
    }
}
