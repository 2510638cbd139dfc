//! Digamma, trigamma and tetragamma functions and limma's `trigammaInverse`, needed by the
//! empirical-Bayes prior of [`super::moderated_t`].
//!
//! Each function shifts its argument above `SHIFT` (10) with the recurrence `psi(x) = psi(x + 1) -
//! 1/x` (and its derivatives), then sums the asymptotic (Bernoulli) series, which is accurate to
//! about 1e-15 relative there. Arguments must be positive; non-positive arguments give NaN.

/// Arguments are shifted above this before the asymptotic series is used.
const SHIFT: f64 = 10.0;

/// The digamma function `psi(x) = d/dx ln Gamma(x)`, for `x > 0`.
pub fn digamma(x: f64) -> f64 {
    if x.is_nan() || x <= 0.0 || x.is_infinite() {
        return if x == f64::INFINITY {
            f64::INFINITY
        } else {
            f64::NAN
        };
    }
    let (mut x, mut acc) = (x, 0.0);
    while x < SHIFT {
        acc -= 1.0 / x;
        x += 1.0;
    }
    let r = 1.0 / (x * x);
    let series = r
        * (1.0 / 12.0
            - r * (1.0 / 120.0
                - r * (1.0 / 252.0 - r * (1.0 / 240.0 - r * (1.0 / 132.0 - r * 691.0 / 32760.0)))));
    acc + x.ln() - 0.5 / x - series
}

/// The trigamma function `psi'(x)`, for `x > 0`.
pub fn trigamma(x: f64) -> f64 {
    if x.is_nan() || x <= 0.0 || x.is_infinite() {
        return if x == f64::INFINITY { 0.0 } else { f64::NAN };
    }
    let (mut x, mut acc) = (x, 0.0);
    while x < SHIFT {
        acc += 1.0 / (x * x);
        x += 1.0;
    }
    let r = 1.0 / (x * x);
    // 1/x + 1/(2x^2) + sum B_2k / x^(2k+1)
    let series = (1.0 / x)
        * (1.0
            + 0.5 / x
            + r * (1.0 / 6.0
                - r * (1.0 / 30.0
                    - r * (1.0 / 42.0
                        - r * (1.0 / 30.0 - r * (5.0 / 66.0 - r * 691.0 / 2730.0))))));
    acc + series
}

/// The tetragamma function `psi''(x)`, for `x > 0`.
pub fn tetragamma(x: f64) -> f64 {
    if x.is_nan() || x <= 0.0 || x.is_infinite() {
        return if x == f64::INFINITY { 0.0 } else { f64::NAN };
    }
    let (mut x, mut acc) = (x, 0.0);
    while x < SHIFT {
        acc -= 2.0 / (x * x * x);
        x += 1.0;
    }
    let r = 1.0 / (x * x);
    // -1/x^2 - 1/x^3 - sum (2k+1) B_2k / x^(2k+2)
    let series = -r
        * (1.0
            + 1.0 / x
            + r * (0.5
                - r * (1.0 / 6.0
                    - r * (1.0 / 6.0 - r * (3.0 / 10.0 - r * (5.0 / 6.0 - r * 691.0 / 210.0))))));
    acc + series
}

/// The `y > 0` with `trigamma(y) = x`, by limma's `trigammaInverse`: Newton's method on
/// `1 / trigamma(y)` from `y = 0.5 + 1/x`, at most 50 steps, stopping at a relative step below
/// 1e-8; very large and very small `x` use the asymptotes `1/sqrt(x)` and `1/x`. `x` must be
/// positive (NaN otherwise).
pub fn trigamma_inverse(x: f64) -> f64 {
    if x.is_nan() || x <= 0.0 || x.is_infinite() {
        return f64::NAN;
    }
    if x > 1e7 {
        return 1.0 / x.sqrt();
    }
    if x < 1e-6 {
        return 1.0 / x;
    }
    let mut y = 0.5 + 1.0 / x;
    for _ in 0..50 {
        let tri = trigamma(y);
        let dif = tri * (1.0 - tri / x) / tetragamma(y);
        y += dif;
        if -dif / y < 1e-8 {
            break;
        }
    }
    y
}
