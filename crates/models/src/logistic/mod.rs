//! Multinomial logistic regression with an L2 penalty: a strong linear baseline.
//!
//! Features are standardised with the training mean and (population) standard deviation
//! (preprocess's one z-scorer, held and applied in `f64`); then
//! `W` (classes x genes) and the intercepts `b` minimise scikit-learn's objective
//! `mean_i CE(softmax(W z_i + b), y_i) + ||W||^2 / (2 C n)` (intercepts not penalised) by L-BFGS
//! (10 correction pairs, Armijo backtracking). Loss and gradient are computed in `f64` over row
//! chunks in parallel and summed in chunk order, so results do not depend on the thread count;
//! a chunk's two products are [`products`]'s.

mod products;

use ndarray::{s, Array1, Array2, ArrayView2, Axis};
use rayon::prelude::*;
use rnameta_core::{Labels, SampleMeta};
use rnameta_preprocess::zscore::GeneMoments;
use serde::{Deserialize, Serialize};

use crate::classifier::{labelled_rows, Classifier, TrainingSummary};
use crate::fitted::{classes_of, FitInfo};
use crate::kind::ModelKind;
use crate::parts::{Flat, NamedTensor, Persist, Tensors};
use crate::{Error, Result};

/// Rows per chunk of the loss and gradient computation.
const CHUNK: usize = 512;

/// Largest standardised training matrix (bytes of `f64`) a fit keeps for all of its L-BFGS
/// evaluations instead of standardising every chunk again at each one. On a classifier
/// two-sample test's 1,888 x 5,425 (the paper preset's `augment`) standardising was most of each
/// evaluation: `cargo run --release -p rnameta-models --example logistic_speed` (random labels, 14
/// iterations) took 0.43 s a fit, 0.25 s with the matrix kept, and the five-fold test of
/// `rnameta-augment`'s `quality_speed` example 3.12 s, 1.88 s (2 cores, idle). A larger training
/// set (the paper arms' G+S, 22,263 x 5,168: 0.9 GB) is standardised chunk by chunk at every
/// evaluation, as before, so the fit costs no memory beyond its input. Either way each chunk is
/// the same `f64` values, so the fit is the same to the last bit (tested).
const KEPT_STANDARDISED_BYTES: usize = 256 << 20;

/// Hyperparameters of [`LogisticRegression`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogisticParams {
    /// Inverse penalty strength, as scikit-learn's `C`.
    pub c: f64,
    /// Most L-BFGS iterations.
    pub max_iter: usize,
    /// Stop when the largest gradient entry of the objective falls below this.
    pub tol: f64,
}

impl Default for LogisticParams {
    fn default() -> Self {
        Self {
            c: 1.0,
            max_iter: 1000,
            tol: 1e-6,
        }
    }
}

/// What fitting reported.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LogisticReport {
    /// L-BFGS iterations run.
    pub iterations: usize,
    /// Whether the gradient tolerance was reached.
    pub converged: bool,
    /// Mean cross-entropy on the training samples at the optimum (no penalty).
    pub train_log_loss: f64,
    /// The penalised objective at the optimum.
    pub objective: f64,
}

#[derive(Debug, Clone, PartialEq)]
struct Fitted {
    info: FitInfo<LogisticReport>,
    /// classes x genes, on the standardised scale.
    coef: Array2<f64>,
    intercept: Array1<f64>,
    mean: Array1<f64>,
    scale: Array1<f64>,
}

/// Multinomial logistic regression (see the module docs).
#[derive(Debug, Clone, PartialEq)]
pub struct LogisticRegression {
    params: LogisticParams,
    fitted: Option<Fitted>,
}

impl LogisticParams {
    /// Checks the hyperparameters: `c` a positive finite number.
    pub fn check(&self) -> Result<()> {
        if !(self.c > 0.0 && self.c.is_finite()) {
            return Err(Error::InvalidParameter {
                name: "c",
                reason: format!("{} is not a positive finite number", self.c),
            });
        }
        Ok(())
    }
}

impl LogisticRegression {
    /// An unfitted model; refuses hyperparameters out of range ([`LogisticParams::check`]).
    pub fn new(params: LogisticParams) -> Result<Self> {
        params.check()?;
        Ok(Self {
            params,
            fitted: None,
        })
    }

    /// What fitting reported; `None` before fitting.
    pub fn report(&self) -> Option<&LogisticReport> {
        self.fitted.as_ref().map(|f| &f.info.report)
    }

    /// Coefficients on the standardised scale (classes x genes); `None` before fitting.
    pub fn coefficients(&self) -> Option<&Array2<f64>> {
        self.fitted.as_ref().map(|f| &f.coef)
    }
}

/// Standardised rows `rows` of `x` as f64.
fn standardise(
    x: ArrayView2<'_, f32>,
    rows: &[usize],
    mean: &Array1<f64>,
    scale: &Array1<f64>,
) -> Array2<f64> {
    let mut z = Array2::zeros((rows.len(), x.ncols()));
    for (k, &r) in rows.iter().enumerate() {
        for ((d, &v), (m, s)) in z
            .row_mut(k)
            .iter_mut()
            .zip(x.row(r))
            .zip(mean.iter().zip(scale))
        {
            *d = (v as f64 - m) / s;
        }
    }
    z
}

/// Softmax of each row in place (max subtracted first).
fn softmax_rows(a: &mut Array2<f64>) {
    for mut r in a.rows_mut() {
        let m = r.fold(f64::NEG_INFINITY, |m, &v| m.max(v));
        r.mapv_inplace(|v| (v - m).exp());
        let s = r.sum();
        r.mapv_inplace(|v| v / s);
    }
}

struct Problem<'x, 'a> {
    x: ArrayView2<'x, f32>,
    rows: &'a [usize],
    y: &'a [usize],
    mean: Array1<f64>,
    scale: Array1<f64>,
    /// Every chunk of `rows` standardised, when they fit in [`KEPT_STANDARDISED_BYTES`].
    kept: Option<Vec<Array2<f64>>>,
    k: usize,
    p: usize,
    l2: f64,
}

impl<'x, 'a> Problem<'x, 'a> {
    /// The problem of fitting rows `rows` of `x` (classes `y`) standardised by `mean` and
    /// `scale`, keeping the standardised chunks when they are small enough.
    fn new(
        x: ArrayView2<'x, f32>,
        rows: &'a [usize],
        y: &'a [usize],
        mean: Array1<f64>,
        scale: Array1<f64>,
        k: usize,
        l2: f64,
    ) -> Self {
        let p = x.ncols();
        let kept =
            (rows.len() * p * std::mem::size_of::<f64>() <= KEPT_STANDARDISED_BYTES).then(|| {
                rows.par_chunks(CHUNK)
                    .map(|chunk| standardise(x, chunk, &mean, &scale))
                    .collect()
            });
        Self {
            x,
            rows,
            y,
            mean,
            scale,
            kept,
            k,
            p,
            l2,
        }
    }

    /// Mean cross-entropy, penalised objective and its gradient at `theta` = [W row-major, b].
    fn eval(&self, theta: &[f64]) -> (f64, f64, Vec<f64>) {
        let (k, p) = (self.k, self.p);
        let w = ArrayView2::from_shape((k, p), &theta[..k * p]).expect("k * p");
        let b = &theta[k * p..];
        let chunks: Vec<(f64, Array2<f64>, Vec<f64>)> = self
            .rows
            .par_chunks(CHUNK)
            .enumerate()
            .map(|(ci, rows)| {
                let fresh;
                let z = match &self.kept {
                    Some(kept) => &kept[ci],
                    None => {
                        fresh = standardise(self.x, rows, &self.mean, &self.scale);
                        &fresh
                    }
                };
                let mut a = products::logits(z.view(), w);
                for mut r in a.rows_mut() {
                    r.iter_mut().zip(b).for_each(|(v, bi)| *v += bi);
                }
                softmax_rows(&mut a);
                let mut ce = 0.0;
                for (j, mut r) in a.rows_mut().into_iter().enumerate() {
                    let c = self.y[ci * CHUNK + j];
                    ce -= r[c].max(1e-300).ln();
                    r[c] -= 1.0;
                }
                let gw = products::weight_gradient(a.view(), z.view());
                let gb = a.sum_axis(Axis(0)).to_vec();
                (ce, gw, gb)
            })
            .collect();
        let n = self.rows.len() as f64;
        let mut ce = 0.0;
        let mut gw = Array2::<f64>::zeros((k, p));
        let mut gb = vec![0.0; k];
        for (c, w_, b_) in chunks {
            ce += c;
            gw += &w_;
            gb.iter_mut().zip(b_).for_each(|(a, v)| *a += v);
        }
        let loss = ce / n;
        let penalty: f64 = w.iter().map(|v| v * v).sum::<f64>() * self.l2 / 2.0;
        let mut grad: Vec<f64> = gw
            .iter()
            .zip(w.iter())
            .map(|(g, wv)| g / n + self.l2 * wv)
            .collect();
        grad.extend(gb.iter().map(|g| g / n));
        (loss, loss + penalty, grad)
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// L-BFGS minimisation; returns (theta, iterations, converged).
fn lbfgs(prob: &Problem<'_, '_>, params: &LogisticParams) -> (Vec<f64>, usize, bool) {
    let dim = prob.k * prob.p + prob.k;
    let mut theta = vec![0.0; dim];
    let (_, mut f, mut g) = prob.eval(&theta);
    let mut hist: Vec<(Vec<f64>, Vec<f64>, f64)> = Vec::new();
    for it in 0..params.max_iter {
        let gmax = g.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        if gmax < params.tol {
            return (theta, it, true);
        }
        // Two-loop recursion: d = -H g.
        let mut q = g.clone();
        let mut alphas = Vec::with_capacity(hist.len());
        for (s, y, rho) in hist.iter().rev() {
            let a = rho * dot(s, &q);
            q.iter_mut().zip(y).for_each(|(qi, yi)| *qi -= a * yi);
            alphas.push(a);
        }
        if let Some((s, y, _)) = hist.last() {
            let gamma = dot(s, y) / dot(y, y);
            q.iter_mut().for_each(|v| *v *= gamma);
        } else {
            let norm = dot(&g, &g).sqrt().max(1e-12);
            q.iter_mut().for_each(|v| *v /= norm);
        }
        for ((s, y, rho), a) in hist.iter().zip(alphas.iter().rev()) {
            let bta = rho * dot(y, &q);
            q.iter_mut()
                .zip(s)
                .for_each(|(qi, si)| *qi += (a - bta) * si);
        }
        let d: Vec<f64> = q.iter().map(|v| -v).collect();
        let mut slope = dot(&g, &d);
        let d = if slope >= 0.0 {
            hist.clear();
            slope = -dot(&g, &g);
            g.iter().map(|v| -v).collect()
        } else {
            d
        };
        // Armijo backtracking.
        let mut step = 1.0;
        let mut accepted = None;
        for _ in 0..60 {
            let cand: Vec<f64> = theta.iter().zip(&d).map(|(t, di)| t + step * di).collect();
            let (_, fc, gc) = prob.eval(&cand);
            if fc <= f + 1e-4 * step * slope {
                accepted = Some((cand, fc, gc));
                break;
            }
            step *= 0.5;
        }
        let Some((cand, fc, gc)) = accepted else {
            return (theta, it, false);
        };
        let s: Vec<f64> = cand.iter().zip(&theta).map(|(a, b)| a - b).collect();
        let y: Vec<f64> = gc.iter().zip(&g).map(|(a, b)| a - b).collect();
        let sy = dot(&s, &y);
        if sy > 1e-12 * dot(&y, &y) {
            hist.push((s, y, 1.0 / sy));
            if hist.len() > 10 {
                hist.remove(0);
            }
        }
        let done = (f - fc).abs() <= 1e-15 * f.abs().max(1.0);
        theta = cand;
        f = fc;
        g = gc;
        if done {
            let gmax = g.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            return (theta, it + 1, gmax < params.tol);
        }
    }
    (theta, params.max_iter, false)
}

impl Classifier for LogisticRegression {
    fn fit(&mut self, x: ArrayView2<'_, f32>, labels: &Labels, meta: &[SampleMeta]) -> Result<()> {
        let (rows, y) = labelled_rows(x, labels, meta)?;
        let (k, p) = (labels.classes().len(), x.ncols());
        let n = rows.len() as f64;
        // preprocess's one z-scorer, in f64 (this model standardises in f64).
        let moments = GeneMoments::of_rows(x, Some(&rows));
        let scale = Array1::from(moments.scales());
        let mean = Array1::from(moments.mean);
        let prob = Problem::new(x, &rows, &y, mean, scale, k, 1.0 / (self.params.c * n));
        let (theta, iterations, converged) = lbfgs(&prob, &self.params);
        let (train_log_loss, objective, _) = prob.eval(&theta);
        let coef = Array2::from_shape_vec((k, p), theta[..k * p].to_vec()).expect("k * p");
        let intercept = Array1::from(theta[k * p..].to_vec());
        let mut counts = vec![0; k];
        y.iter().for_each(|&c| counts[c] += 1);
        self.fitted = Some(Fitted {
            info: FitInfo {
                classes: labels.classes().to_vec(),
                report: LogisticReport {
                    iterations,
                    converged,
                    train_log_loss,
                    objective,
                },
                summary: TrainingSummary::new(&rows, p, counts, meta),
            },
            coef,
            intercept,
            mean: prob.mean,
            scale: prob.scale,
        });
        Ok(())
    }

    fn predict_proba(&self, x: ArrayView2<'_, f32>) -> Result<Array2<f32>> {
        let f = self.fitted.as_ref().ok_or(Error::NotFitted)?;
        if x.ncols() != f.coef.ncols() {
            return Err(Error::ShapeMismatch {
                what: "genes (columns) of the input vs the trained model",
                expected: f.coef.ncols(),
                got: x.ncols(),
            });
        }
        let rows: Vec<usize> = (0..x.nrows()).collect();
        let parts: Vec<Array2<f64>> = rows
            .par_chunks(CHUNK)
            .map(|rows| {
                let z = standardise(x, rows, &f.mean, &f.scale);
                let mut a = products::logits(z.view(), f.coef.view()) + &f.intercept;
                softmax_rows(&mut a);
                a
            })
            .collect();
        let mut out = Array2::<f32>::zeros((x.nrows(), f.coef.nrows()));
        let mut at = 0;
        for part in parts {
            let m = part.nrows();
            out.slice_mut(s![at..at + m, ..])
                .assign(&part.mapv(|v| v as f32));
            at += m;
        }
        Ok(out)
    }

    fn classes(&self) -> &[String] {
        classes_of(self.fitted.as_ref().map(|f| &f.info))
    }
}

impl Persist for LogisticRegression {
    const KIND: ModelKind = ModelKind::LogisticRegression;
    type Params = LogisticParams;
    type Report = LogisticReport;

    fn params(&self) -> &LogisticParams {
        &self.params
    }

    fn seed(&self) -> u64 {
        0
    }

    fn fit_info(&self) -> Option<&FitInfo<LogisticReport>> {
        self.fitted.as_ref().map(|f| &f.info)
    }

    fn tensors(&self) -> Vec<NamedTensor> {
        let Some(f) = self.fitted.as_ref() else {
            return Vec::new();
        };
        let (k, p) = f.coef.dim();
        vec![
            (
                "coef",
                vec![k, p],
                Flat::F64(f.coef.iter().copied().collect()),
            ),
            ("intercept", vec![k], Flat::F64(f.intercept.to_vec())),
            ("mean", vec![p], Flat::F64(f.mean.to_vec())),
            ("scale", vec![p], Flat::F64(f.scale.to_vec())),
        ]
    }

    fn from_parts(
        params: LogisticParams,
        info: FitInfo<LogisticReport>,
        p: usize,
        t: &Tensors,
    ) -> Result<Self> {
        let k = info.classes.len();
        let coef = Array2::from_shape_vec((k, p), t.f64s("coef", &[k, p])?)
            .expect("shape checked against the tensor");
        Ok(Self {
            params,
            fitted: Some(Fitted {
                info,
                coef,
                intercept: Array1::from(t.f64s("intercept", &[k])?),
                mean: Array1::from(t.f64s("mean", &[p])?),
                scale: Array1::from(t.f64s("scale", &[p])?),
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Keeping the standardised chunks is a saving of time only: the loss, the objective and the
    /// gradient at any point are those of standardising each chunk again, to the last bit (over
    /// several chunks, so that the chunk index finds the right kept chunk).
    #[test]
    fn kept_standardised_chunks_give_the_same_evaluations() {
        let (n, p, k) = (3 * CHUNK + 37, 9, 3);
        let x = Array2::from_shape_fn((n, p), |(i, j)| {
            ((i * 7 + j * 13) % 23) as f32 * 0.37 - j as f32
        });
        let rows: Vec<usize> = (0..n).filter(|i| i % 5 != 1).collect();
        let y: Vec<usize> = rows.iter().map(|i| i % k).collect();
        let moments = GeneMoments::of_rows(x.view(), Some(&rows));
        let (mean, scale) = (
            Array1::from(moments.mean.clone()),
            Array1::from(moments.scales()),
        );
        let kept = Problem::new(x.view(), &rows, &y, mean.clone(), scale.clone(), k, 1e-3);
        assert!(kept.kept.as_ref().is_some_and(|chunks| chunks.len() == 3));
        let fresh = Problem {
            kept: None,
            ..Problem::new(x.view(), &rows, &y, mean, scale, k, 1e-3)
        };
        let theta: Vec<f64> = (0..k * p + k)
            .map(|i| (i as f64 * 0.61).sin() * 0.3)
            .collect();
        let (a, b) = (kept.eval(&theta), fresh.eval(&theta));
        assert_eq!(a.0.to_bits(), b.0.to_bits());
        assert_eq!(a.1.to_bits(), b.1.to_bits());
        assert!(a
            .2
            .iter()
            .zip(&b.2)
            .all(|(u, v)| u.to_bits() == v.to_bits()));
    }
}
