//! The first two principal components of a samples x genes matrix, for PCA scatter plots.
//!
//! Samples x genes matrices here are wide (up to ~20k genes) and tall enough (a few thousand
//! samples) that forming the genes x genes covariance (20k x 20k) or the samples x samples Gram
//! matrix (n^2 g multiply-adds) is slow. Instead, block power (subspace) iteration on `Xc^T Xc`
//! (`Xc` the column-centred data, never materialised: rows are centred in chunks as they stream
//! through) with a block of 10 vectors for 2 components, a Rayleigh-Ritz step each iteration, and a
//! stop when the 2-D principal subspace no longer moves (or after [`MAX_ITERATIONS`] on a nearly
//! flat spectrum, reported by [`Pca::converged`]). Each iteration is one pass over the data.
//! The start block comes from a fixed-seed generator, so the result is deterministic; each
//! component's sign is fixed so that its largest-magnitude score is positive.

use ndarray::{s, Array1, Array2, ArrayView2, Axis};

use crate::{Error, Result};

/// Components returned.
const K: usize = 2;
/// Extra vectors in the iterated block: convergence goes with (s_{K+P+1} / s_K)^2 per iteration.
const OVERSAMPLE: usize = 8;
/// Stop when the cosine of the largest angle between successive principal subspaces is within this
/// of 1 (an angle of about 1.4e-5 radians).
const TOLERANCE: f64 = 1e-10;
/// Iteration cap. Real expression data converges in a handful of iterations (4 on a simulated
/// 3000 x 20000 matrix with five expression programs); the cap is reached only when the spectrum is
/// nearly flat over the whole block (pure noise), where the first components are not well defined
/// anyway and the Rayleigh-Ritz result after 50 iterations already captures nearly the maximal
/// variance. It bounds the worst case to 50 passes over the data.
const MAX_ITERATIONS: usize = 50;
/// Rows centred at once (bounded memory: `CHUNK x genes` floats).
const CHUNK: usize = 64;

/// The first two principal components of a matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct Pca {
    /// Scores, samples x 2: each sample's coordinates on PC1 and PC2.
    pub scores: Array2<f32>,
    /// Variance of the scores on each component (divisor `n - 1`).
    pub explained_variance: [f64; 2],
    /// Fraction of the total variance each component explains (for axis labels "PC1 (42 %)").
    pub explained_variance_ratio: [f64; 2],
    /// Power iterations run.
    pub iterations: usize,
    /// Whether the principal subspace stopped moving before the cap of 50 iterations;
    /// `false` means the data has no clear two leading components (a nearly flat spectrum).
    pub converged: bool,
}

/// The scores (samples x 2) of the first two principal components of `x` (samples x genes),
/// computed on the column-centred data. See [`pca`].
///
/// Errors: as [`pca`].
pub fn pca_2d(x: ArrayView2<'_, f32>) -> Result<Array2<f32>> {
    Ok(pca(x)?.scores)
}

/// The first two principal components of `x` (samples x genes) with their explained variance.
/// With one gene, or data of rank one, the second column is zero; constant data gives all zeros.
///
/// Errors: fewer than two samples, no gene, a value that is NaN or infinite.
pub fn pca(x: ArrayView2<'_, f32>) -> Result<Pca> {
    let (n, g) = x.dim();
    if n < 2 {
        return Err(Error::TooFewValues {
            what: "PCA samples".into(),
            n,
            needed: 2,
        });
    }
    if g == 0 {
        return Err(Error::empty("PCA genes"));
    }
    if let Some((index, &value)) = x.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(Error::NonFinite {
            what: format!("PCA input (sample {}, gene {})", index / g, index % g),
            index,
            value: f64::from(value),
        });
    }
    let means = column_means(x);
    let total_ss = centred_sum_of_squares(x, &means);
    let zero = || Pca {
        scores: Array2::zeros((n, K)),
        explained_variance: [0.0; K],
        explained_variance_ratio: [0.0; K],
        iterations: 0,
        converged: true,
    };
    if total_ss == 0.0 {
        return Ok(zero());
    }

    let b = (K + OVERSAMPLE).min(g).min(n);
    let mut w = start_block(g, b);
    orthonormalise(&mut w);
    let mut previous: Option<Array2<f64>> = None;
    let mut iterations = 0;
    let (y, ritz_values, ritz_vectors, converged) = loop {
        iterations += 1;
        let (y, z) = multiply(x, &means, &w);
        // Rayleigh-Ritz on span(W): B = (Xc W)^T (Xc W) = W^T Xc^T Xc W.
        let (values, vectors) = symmetric_eigen(y.t().dot(&y));
        let axes = w.dot(&vectors.slice(s![.., ..K.min(b)]));
        let converged = previous
            .as_ref()
            .is_some_and(|p| subspace_cosine(&axes, p) > 1.0 - TOLERANCE);
        if converged || iterations == MAX_ITERATIONS {
            break (y, values, vectors, converged);
        }
        previous = Some(axes);
        w = z;
        orthonormalise(&mut w);
    };

    let mut scores = Array2::<f32>::zeros((n, K));
    let mut explained_variance = [0.0; K];
    let mut explained_variance_ratio = [0.0; K];
    for k in 0..K.min(b) {
        let mut column = y.dot(&ritz_vectors.column(k));
        // Sign convention: the largest-magnitude score is positive (first one on ties).
        let (mut best, mut best_abs) = (0.0, -1.0);
        for &v in &column {
            if v.abs() > best_abs {
                best = v;
                best_abs = v.abs();
            }
        }
        if best < 0.0 {
            column.mapv_inplace(|v| -v);
        }
        scores.column_mut(k).assign(&column.mapv(|v| v as f32));
        let lambda = ritz_values[k].max(0.0);
        explained_variance[k] = lambda / (n - 1) as f64;
        explained_variance_ratio[k] = lambda / total_ss;
    }
    Ok(Pca {
        scores,
        explained_variance,
        explained_variance_ratio,
        iterations,
        converged,
    })
}

/// Column means, accumulated in `f64`.
fn column_means(x: ArrayView2<'_, f32>) -> Array1<f64> {
    let mut sums = Array1::<f64>::zeros(x.ncols());
    for row in x.rows() {
        sums.zip_mut_with(&row, |s, &v| *s += f64::from(v));
    }
    sums / x.nrows() as f64
}

/// Sum of squared deviations from the column means over the whole matrix.
fn centred_sum_of_squares(x: ArrayView2<'_, f32>, means: &Array1<f64>) -> f64 {
    x.rows()
        .into_iter()
        .map(|row| {
            row.iter()
                .zip(means)
                .map(|(&v, &m)| (f64::from(v) - m).powi(2))
                .sum::<f64>()
        })
        .sum()
}

/// One pass over the data: `Y = Xc W` (samples x b) and `Z = Xc^T Y` (genes x b), centring rows
/// in chunks in `f32` (the products run in `f32` through ndarray's matrix multiply).
fn multiply(
    x: ArrayView2<'_, f32>,
    means: &Array1<f64>,
    w: &Array2<f64>,
) -> (Array2<f64>, Array2<f64>) {
    let (n, g) = x.dim();
    let b = w.ncols();
    let means32 = means.mapv(|m| m as f32);
    let w32 = w.mapv(|v| v as f32);
    let mut y = Array2::<f32>::zeros((n, b));
    let mut z = Array2::<f32>::zeros((g, b));
    let mut centred = Array2::<f32>::zeros((CHUNK.min(n), g));
    for start in (0..n).step_by(CHUNK) {
        let end = (start + CHUNK).min(n);
        let mut c = centred.slice_mut(s![..end - start, ..]);
        c.assign(&x.slice(s![start..end, ..]));
        c -= &means32;
        let yc = c.dot(&w32);
        z += &c.t().dot(&yc);
        y.slice_mut(s![start..end, ..]).assign(&yc);
    }
    (y.mapv(f64::from), z.mapv(f64::from))
}

/// A deterministic start block (genes x b) with entries in (-1, 1) from a fixed-seed SplitMix64.
fn start_block(g: usize, b: usize) -> Array2<f64> {
    let mut state: u64 = 0x5EED_0F2C_04A1_1C0D;
    Array2::from_shape_simple_fn((g, b), || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
    })
}

/// Orthonormalises the columns in place (modified Gram-Schmidt, two passes for accuracy); a column
/// that vanishes (the data has lower rank than the block) becomes zero.
fn orthonormalise(w: &mut Array2<f64>) {
    let b = w.ncols();
    let scale = w
        .columns()
        .into_iter()
        .map(|c| c.dot(&c).sqrt())
        .fold(0.0, f64::max);
    for j in 0..b {
        for _pass in 0..2 {
            for i in 0..j {
                let (done, mut rest) = w.view_mut().split_at(Axis(1), j);
                let qi = done.column(i);
                let mut cj = rest.column_mut(0);
                let r = qi.dot(&cj);
                cj.scaled_add(-r, &qi);
            }
        }
        let mut cj = w.column_mut(j);
        let norm = cj.dot(&cj).sqrt();
        if norm > 1e-12 * scale && norm > 0.0 {
            cj /= norm;
        } else {
            cj.fill(0.0);
        }
    }
}

/// Cosine of the largest principal angle between the column spaces of two matrices with
/// orthonormal (or zero) columns: the smallest singular value of `A^T B`.
fn subspace_cosine(a: &Array2<f64>, b: &Array2<f64>) -> f64 {
    let m = a.t().dot(b);
    let (values, _) = symmetric_eigen(m.t().dot(&m));
    values.last().map_or(1.0, |&v| v.max(0.0).sqrt())
}

/// Eigenvalues (descending) and eigenvectors (columns) of a small symmetric matrix, by cyclic
/// Jacobi rotations; deterministic and accurate to rounding for the 10 x 10 matrices used here.
fn symmetric_eigen(mut a: Array2<f64>) -> (Vec<f64>, Array2<f64>) {
    let n = a.nrows();
    let mut v = Array2::<f64>::eye(n);
    for _sweep in 0..100 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[[i, j]] * a[[i, j]])
            .sum();
        let diag: f64 = (0..n).map(|i| a[[i, i]] * a[[i, i]]).sum();
        if off <= 1e-30 * diag || off == 0.0 {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = a[[p, q]];
                if apq == 0.0 {
                    continue;
                }
                let theta = (a[[q, q]] - a[[p, p]]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    let (akp, akq) = (a[[k, p]], a[[k, q]]);
                    a[[k, p]] = c * akp - s * akq;
                    a[[k, q]] = s * akp + c * akq;
                }
                for k in 0..n {
                    let (apk, aqk) = (a[[p, k]], a[[q, k]]);
                    a[[p, k]] = c * apk - s * aqk;
                    a[[q, k]] = s * apk + c * aqk;
                }
                for k in 0..n {
                    let (vkp, vkq) = (v[[k, p]], v[[k, q]]);
                    v[[k, p]] = c * vkp - s * vkq;
                    v[[k, q]] = s * vkp + c * vkq;
                }
            }
        }
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| a[[j, j]].total_cmp(&a[[i, i]]));
    let values = order.iter().map(|&i| a[[i, i]]).collect();
    let mut vectors = Array2::<f64>::zeros((n, n));
    for (new, &old) in order.iter().enumerate() {
        vectors.column_mut(new).assign(&v.column(old));
    }
    (values, vectors)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn jacobi_eigen_of_a_hand_matrix() {
        // [[2, 1], [1, 2]] has eigenvalues 3 (vector (1, 1) / sqrt 2) and 1 (vector (1, -1) / sqrt 2).
        let (values, vectors) = symmetric_eigen(array![[2.0, 1.0], [1.0, 2.0]]);
        assert!((values[0] - 3.0).abs() < 1e-14 && (values[1] - 1.0).abs() < 1e-14);
        let h = 0.5f64.sqrt();
        assert!((vectors[[0, 0]].abs() - h).abs() < 1e-14);
        assert!((vectors[[0, 0]] - vectors[[1, 0]]).abs() < 1e-14);
        assert!((vectors[[0, 1]] + vectors[[1, 1]]).abs() < 1e-14);
    }

    #[test]
    fn orthonormalised_columns_are_orthonormal() {
        let mut w = start_block(50, 6);
        orthonormalise(&mut w);
        let gram = w.t().dot(&w);
        for i in 0..6 {
            for j in 0..6 {
                let want = if i == j { 1.0 } else { 0.0 };
                assert!((gram[[i, j]] - want).abs() < 1e-13);
            }
        }
    }

    /// The matrix of `reference_matches_numpy`: x[i, j] = sin(0.7 i + 1.3 j) (j + 1) + cos(0.1 i^2 + j),
    /// computed in f64 and stored as f32, 12 samples x 5 genes.
    fn reference_matrix() -> Array2<f32> {
        Array2::from_shape_fn((12, 5), |(i, j)| {
            let (i, j) = (i as f64, j as f64);
            ((0.7 * i + 1.3 * j).sin() * (j + 1.0) + (0.1 * i * i + j).cos()) as f32
        })
    }

    #[test]
    fn reference_matches_numpy() {
        // numpy 2.4.6 (in /tmp/eval-venv):
        //   i, j = np.meshgrid(np.arange(12.), np.arange(5.), indexing="ij")
        //   x = (np.sin(0.7*i + 1.3*j)*(j + 1) + np.cos(0.1*i**2 + j)).astype(np.float32).astype(np.float64)
        //   xc = x - x.mean(0); u, s, vt = np.linalg.svd(xc, full_matrices=False)
        //   scores = u[:, :2] * s[:2]  (each column's sign flipped so its largest |value| is positive)
        //   -> scores[0] = [-5.92437331, -0.08980114], scores[5] = [7.49478999, 2.9844421],
        //      scores[11] = [-0.52342322, -4.18017017]
        //   s[:2]**2 / (xc**2).sum() -> [0.60316378, 0.3865865]
        let p = pca(reference_matrix().view()).unwrap();
        let want = [
            (0, [-5.92437331f64, -0.08980114]),
            (5, [7.49478999, 2.9844421]),
            (11, [-0.52342322, -4.18017017]),
        ];
        for (row, [pc1, pc2]) in want {
            let (got1, got2) = (f64::from(p.scores[[row, 0]]), f64::from(p.scores[[row, 1]]));
            assert!((got1 - pc1).abs() < 1e-4, "{got1} vs {pc1}");
            assert!((got2 - pc2).abs() < 1e-4, "{got2} vs {pc2}");
        }
        assert!((p.explained_variance_ratio[0] - 0.60316378).abs() < 1e-6);
        assert!((p.explained_variance_ratio[1] - 0.3865865).abs() < 1e-6);
    }

    #[test]
    fn planted_directions_are_recovered_deterministically() {
        // 400 samples x 3000 genes: sample i lies at (a_i, b_i) on two orthogonal unit gene
        // directions u, v (a of standard deviation 6, b of 3) plus noise of standard deviation 0.1
        // per gene; PC1 must be a (up to sign), PC2 b.
        let (n, g) = (400, 3000);
        let noise = start_block(n * g, 1);
        let mut u = Array1::<f64>::zeros(g);
        let mut v = Array1::<f64>::zeros(g);
        for j in 0..g {
            if j % 2 == 0 {
                u[j] = 1.0
            } else {
                v[j] = 1.0
            }
        }
        u /= u.dot(&u).sqrt();
        v /= v.dot(&v).sqrt();
        let a: Vec<f64> = (0..n)
            .map(|i| 6.0 * ((i as f64) * 0.37).sin() * 1.41)
            .collect();
        let b: Vec<f64> = (0..n)
            .map(|i| 3.0 * ((i as f64) * 1.91).cos() * 1.41)
            .collect();
        let x = Array2::from_shape_fn((n, g), |(i, j)| {
            (5.0 + a[i] * u[j] + b[i] * v[j] + 0.1 * 1.73 * noise[[i * g + j, 0]]) as f32
        });
        let p = pca(x.view()).unwrap();
        let corr = |k: usize, truth: &[f64]| {
            let s: Vec<f64> = p.scores.column(k).iter().map(|&v| f64::from(v)).collect();
            let (ms, mt) = (
                s.iter().sum::<f64>() / n as f64,
                truth.iter().sum::<f64>() / n as f64,
            );
            let cov: f64 = s.iter().zip(truth).map(|(x, y)| (x - ms) * (y - mt)).sum();
            let vs: f64 = s.iter().map(|x| (x - ms).powi(2)).sum();
            let vt: f64 = truth.iter().map(|y| (y - mt).powi(2)).sum();
            (cov / (vs * vt).sqrt()).abs()
        };
        assert!(corr(0, &a) > 0.999, "PC1 vs a: {}", corr(0, &a));
        assert!(corr(1, &b) > 0.99, "PC2 vs b: {}", corr(1, &b));
        assert!(p.explained_variance[0] > p.explained_variance[1]);
        // Scores of different components are uncorrelated.
        let s0 = p.scores.column(0).mapv(f64::from);
        let s1 = p.scores.column(1).mapv(f64::from);
        assert!(s0.dot(&s1).abs() / (s0.dot(&s0) * s1.dot(&s1)).sqrt() < 1e-4);
        assert!(
            p.converged && p.iterations < 10,
            "{} iterations",
            p.iterations
        );
        // Same input, same bits.
        assert_eq!(pca(x.view()).unwrap().scores, p.scores);
    }

    #[test]
    fn degenerate_inputs() {
        assert!(matches!(
            pca(Array2::<f32>::zeros((1, 5)).view()),
            Err(Error::TooFewValues {
                n: 1,
                needed: 2,
                ..
            })
        ));
        assert!(matches!(
            pca(Array2::<f32>::zeros((3, 0)).view()),
            Err(Error::Empty { .. })
        ));
        let mut x = Array2::<f32>::ones((3, 4));
        x[[2, 1]] = f32::NAN;
        assert!(matches!(
            pca(x.view()),
            Err(Error::NonFinite { index: 9, .. })
        ));
        // Constant data: all zeros.
        let p = pca(Array2::<f32>::ones((4, 3)).view()).unwrap();
        assert!(p.scores.iter().all(|&v| v == 0.0));
        // One gene: PC1 is the centred gene, PC2 zero.
        let x = array![[1.0f32], [2.0], [4.0]];
        let p = pca(x.view()).unwrap();
        let want = [-4.0f32 / 3.0, -1.0 / 3.0, 5.0 / 3.0];
        for (got, want) in p.scores.column(0).iter().zip(want) {
            assert!((got - want).abs() < 1e-6);
        }
        assert!(p.scores.column(1).iter().all(|&v| v == 0.0));
        assert!((p.explained_variance_ratio[0] - 1.0).abs() < 1e-12);
    }
}
