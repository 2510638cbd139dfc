//! Non-negative least squares (Lawson and Hanson's active-set algorithm) and plain least squares,
//! both on the normal equations: LIN solves one small problem (one column per class) per sample
//! against the same coefficient matrix, so the Gram matrix `A^T A` is computed once and each sample
//! only needs `A^T b`.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};

use crate::{Error, Result};

/// Most outer iterations of the active-set loop, as a multiple of the number of columns (the
/// algorithm terminates in finitely many steps; this only guards against rounding cycles).
const MAX_ITER_PER_COLUMN: usize = 3;

/// `argmin ||A w - b||` subject to `w >= 0`, for `a` rows x columns and `b` of one value per row.
pub fn nnls(a: ArrayView2<'_, f64>, b: ArrayView1<'_, f64>) -> Result<Array1<f64>> {
    if a.nrows() != b.len() {
        return Err(Error::ShapeMismatch {
            what: "rows of the NNLS matrix vs the right-hand side",
            expected: a.nrows(),
            got: b.len(),
        });
    }
    let g = a.t().dot(&a);
    let c = a.t().dot(&b);
    Ok(Array1::from(nnls_gram(
        g.view(),
        c.as_slice().expect("fresh array"),
    )))
}

/// `argmin ||A w - b||` without constraints (least squares), for `a` with independent columns.
pub fn least_squares(a: ArrayView2<'_, f64>, b: ArrayView1<'_, f64>) -> Result<Array1<f64>> {
    if a.nrows() != b.len() {
        return Err(Error::ShapeMismatch {
            what: "rows of the least-squares matrix vs the right-hand side",
            expected: a.nrows(),
            got: b.len(),
        });
    }
    let g = a.t().dot(&a);
    let c = a.t().dot(&b);
    let all: Vec<usize> = (0..g.nrows()).collect();
    solve_sub(g.view(), c.as_slice().expect("fresh array"), &all)
        .map(Array1::from)
        .ok_or_else(|| Error::NotEnoughData {
            reason: "least squares: the columns are linearly dependent".to_owned(),
        })
}

/// NNLS from the Gram matrix `g = A^T A` and `c = A^T b`.
///
/// Lawson-Hanson: move the free variable with the largest positive gradient `c - g w` into the
/// passive set, solve the unconstrained problem on the passive set, and step back towards the
/// previous point whenever that solution has a non-positive entry. A variable whose addition makes
/// the passive Gram matrix singular (a column dependent on passive ones) is left at zero.
pub(crate) fn nnls_gram(g: ArrayView2<'_, f64>, c: &[f64]) -> Vec<f64> {
    let k = c.len();
    let scale = (0..k).map(|j| g[[j, j]]).fold(0.0f64, f64::max).max(1e-300);
    let tol = 1e-12 * scale * (1.0 + c.iter().fold(0.0f64, |m, v| m.max(v.abs())));
    let mut w = vec![0.0; k];
    let mut passive = vec![false; k];
    let mut excluded = vec![false; k];
    for _ in 0..MAX_ITER_PER_COLUMN * k.max(1) {
        let grad: Vec<f64> = (0..k)
            .map(|j| c[j] - (0..k).map(|i| g[[j, i]] * w[i]).sum::<f64>())
            .collect();
        let next = (0..k)
            .filter(|&j| !passive[j] && !excluded[j] && grad[j] > tol)
            .max_by(|&a, &b| grad[a].total_cmp(&grad[b]).then(b.cmp(&a)));
        let Some(j) = next else { break };
        passive[j] = true;
        loop {
            let set: Vec<usize> = (0..k).filter(|&i| passive[i]).collect();
            let Some(s_p) = solve_sub(g, c, &set) else {
                // Column j depends on the passive ones: it cannot improve the fit.
                passive[j] = false;
                excluded[j] = true;
                break;
            };
            let mut s = vec![0.0; k];
            set.iter().zip(&s_p).for_each(|(&i, &v)| s[i] = v);
            if set.iter().all(|&i| s[i] > 0.0) {
                w = s;
                break;
            }
            // Step from w towards s as far as feasibility allows; the variable that limits the
            // step (and any other that reached zero) leaves the passive set.
            let (alpha, hit) = set
                .iter()
                .filter(|&&i| s[i] <= 0.0)
                .map(|&i| (w[i] / (w[i] - s[i]), i))
                .fold((f64::INFINITY, usize::MAX), |best, cur| {
                    if cur.0 < best.0 {
                        cur
                    } else {
                        best
                    }
                });
            for i in 0..k {
                w[i] += alpha * (s[i] - w[i]);
            }
            if hit < k {
                w[hit] = 0.0;
                passive[hit] = false;
            }
            for &i in &set {
                if w[i] <= 0.0 {
                    w[i] = 0.0;
                    passive[i] = false;
                }
            }
            if !passive.iter().any(|&p| p) {
                break;
            }
        }
    }
    w
}

/// Solves `g[set, set] x = c[set]` by Gaussian elimination with partial pivoting; `None` when the
/// submatrix is singular to working precision.
pub(crate) fn solve_sub(g: ArrayView2<'_, f64>, c: &[f64], set: &[usize]) -> Option<Vec<f64>> {
    let m = set.len();
    let mut a = Array2::<f64>::zeros((m, m + 1));
    let mut max_diag = 0.0f64;
    for (r, &i) in set.iter().enumerate() {
        for (q, &j) in set.iter().enumerate() {
            a[[r, q]] = g[[i, j]];
        }
        a[[r, m]] = c[i];
        max_diag = max_diag.max(g[[i, i]].abs());
    }
    let eps = 1e-12 * max_diag.max(1e-300);
    for col in 0..m {
        let piv = (col..m).max_by(|&x, &y| a[[x, col]].abs().total_cmp(&a[[y, col]].abs()))?;
        if a[[piv, col]].abs() <= eps {
            return None;
        }
        if piv != col {
            for q in 0..=m {
                a.swap([piv, q], [col, q]);
            }
        }
        for r in col + 1..m {
            let f = a[[r, col]] / a[[col, col]];
            if f != 0.0 {
                for q in col..=m {
                    a[[r, q]] -= f * a[[col, q]];
                }
            }
        }
    }
    let mut x = vec![0.0; m];
    for r in (0..m).rev() {
        let s: f64 = (r + 1..m).map(|q| a[[r, q]] * x[q]).sum();
        x[r] = (a[[r, m]] - s) / a[[r, r]];
    }
    Some(x)
}
