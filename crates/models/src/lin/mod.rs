//! LIN: phenopredict's linear predictor (Ellis et al. 2018), reimplemented.
//!
//! Fitting, for each class: a limma moderated t of every gene ([`moderated_t`]); by default the
//! statistic phenopredict's `build_predictor` uses, one indicator column per class and no
//! intercept, so the in-class mean is tested against zero ([`GeneStatistic::ClassMean`]; a
//! class-versus-rest contrast is [`GeneStatistic::InVsRest`]). The top `N` genes by `|t|` of every
//! class are kept (their union, as positional column indices). The coefficients are the per-class
//! mean expression on those genes (genes x classes), as `build_predictor` computes them. Prediction
//! projects each sample's selected-gene vector on the coefficient columns, as
//! `minfi:::projectCellType` does for phenopredict: non-negative least squares ([`nnls`], the
//! quadratic program phenopredict hands to `quadprog::solve.QP`) for three or more classes, plain
//! least squares for two (phenopredict's sex predictor). The label is phenopredict's
//! `which.highest`: the class with the largest weight, even a negative one; a sample whose largest
//! weight is exactly 0 (every non-negative weight 0) is *unassigned*.
//!
//! `N` is chosen as phenopredict's `optimize_numRegions` does: for each candidate (default 10, 20,
//! 30, 60, 80, 100, 150, 200) the predictor is built on the training samples and used to predict
//! those same samples; the candidate with the best accuracy wins, ties going to the smaller `N`.
//! Unassigned training samples count as errors.
//!
//! Selected genes, coefficients, the accuracy of every candidate and the weights equal those of
//! phenopredict's own R code with limma 3.54 and quadprog on the same input
//! (`tests/lin_phenopredict.rs`, numbers from `fixtures/phenopredict/make_reference.R`).
//!
//! With two classes the projection needs genes on which each class is high: a class whose mean is
//! near zero on the selected genes (female on chrY genes, when no female-specific gene is among
//! them) gets its weight from whatever other gene its mean does load on (`docs/results.md`,
//! `tests/lin_paper_sex_genes.rs`).
//!
//! # Probabilities
//!
//! LIN gives mixture weights, not calibrated probabilities. [`Classifier::predict_proba`] returns
//! the weights with negative ones set to 0, normalised to sum 1; a sample with no positive weight
//! but a negative largest one (two classes only) gets probability 1 for that class, as
//! `which.highest` labels it; an unassigned sample gets a row of zeros (tell it apart with
//! [`is_unassigned`] or use [`Lin::predict_assigned`]). Its `argmax` is class 0, so
//! [`Classifier::predict`] reports unassigned samples as class 0.

pub mod moderated_t;
pub mod nnls;
pub mod special;

use linfa::traits::Fit;
use linfa::DatasetBase;
use linfa_linear::LinearRegression;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use rayon::prelude::*;
use rnameta_core::{Labels, SampleMeta};
use serde::{Deserialize, Serialize};

use crate::classifier::{labelled_rows, Classifier, TrainingSummary};
use crate::fitted::{classes_of, FitInfo};
use crate::kind::ModelKind;
use crate::parts::{Flat, NamedTensor, Persist, Tensors};
use crate::{Error, Result};
use moderated_t::{moderated_t_of, ClassMoments, GeneStatistic};

/// Samples per parallel chunk of prediction (results are collected in order).
const CHUNK: usize = 256;

/// Hyperparameters of [`Lin`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinParams {
    /// Candidate numbers of top genes per class; the one with the best training accuracy is used
    /// (ties to the smaller). A single value fixes `N`.
    pub genes_per_class: Vec<usize>,
    /// The per-gene statistic genes are ranked by (phenopredict's by default; absent from a
    /// settings file, the default).
    #[serde(default)]
    pub statistic: GeneStatistic,
}

impl LinParams {
    /// Checks the hyperparameters: at least one candidate number of genes, all positive.
    pub fn check(&self) -> Result<()> {
        if self.genes_per_class.is_empty() || self.genes_per_class.contains(&0) {
            return Err(Error::InvalidParameter {
                name: "genes_per_class",
                reason: format!(
                    "{:?}: needs at least one candidate, all positive",
                    self.genes_per_class
                ),
            });
        }
        Ok(())
    }

    /// A fixed number of top genes per class (no search).
    pub fn fixed(n: usize) -> Self {
        Self {
            genes_per_class: vec![n],
            statistic: GeneStatistic::default(),
        }
    }
}

impl Default for LinParams {
    /// phenopredict's `numRegions_set` and gene statistic.
    fn default() -> Self {
        Self {
            genes_per_class: vec![10, 20, 30, 60, 80, 100, 150, 200],
            statistic: GeneStatistic::default(),
        }
    }
}

/// How sample weights are solved for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Projection {
    /// Non-negative least squares (three or more classes).
    NonNegative,
    /// Unconstrained least squares (two classes).
    LeastSquares,
}

/// What fitting reported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinReport {
    /// The chosen number of top genes per class.
    pub genes_per_class: usize,
    /// Training accuracy of each candidate, in ascending order of the candidate.
    pub candidate_accuracy: Vec<(usize, f64)>,
    /// Distinct genes selected (the union over classes).
    pub n_selected: usize,
    /// How weights are solved for.
    pub projection: Projection,
    /// Prior degrees of freedom `d0` of each class's moderated t (`None` = infinite).
    pub prior_df: Vec<Option<f64>>,
    /// Prior variance `s0^2` of each class's moderated t.
    pub prior_var: Vec<f64>,
}

#[derive(Debug, Clone, PartialEq)]
struct Fitted {
    info: FitInfo<LinReport>,
    n_features: usize,
    /// Selected gene columns, ascending.
    selected: Vec<usize>,
    /// selected genes x classes: class means.
    coef: Array2<f64>,
}

/// phenopredict's LIN predictor (see the module docs).
#[derive(Debug, Clone, PartialEq)]
pub struct Lin {
    params: LinParams,
    fitted: Option<Fitted>,
}

/// Whether a row of [`Classifier::predict_proba`] output of [`Lin`] is an unassigned sample (all
/// zeros: the largest weight was exactly 0).
pub fn is_unassigned(row: ArrayView1<'_, f32>) -> bool {
    row.iter().all(|&v| v == 0.0)
}

impl Lin {
    /// An unfitted model; refuses hyperparameters out of range ([`LinParams::check`]).
    pub fn new(params: LinParams) -> Result<Self> {
        params.check()?;
        Ok(Self {
            params,
            fitted: None,
        })
    }

    /// What fitting reported; `None` before fitting.
    pub fn report(&self) -> Option<&LinReport> {
        self.fitted.as_ref().map(|f| &f.info.report)
    }

    /// The selected gene columns (ascending); `None` before fitting.
    pub fn selected_genes(&self) -> Option<&[usize]> {
        self.fitted.as_ref().map(|f| f.selected.as_slice())
    }

    /// The coefficients: per-class mean of each selected gene (selected genes x classes).
    pub fn coefficients(&self) -> Option<&Array2<f64>> {
        self.fitted.as_ref().map(|f| &f.coef)
    }

    /// Raw weights of each sample on each class (samples x classes): non-negative for three or
    /// more classes, possibly negative for two.
    pub fn weights(&self, x: ArrayView2<'_, f32>) -> Result<Array2<f64>> {
        let f = self.fitted.as_ref().ok_or(Error::NotFitted)?;
        if x.ncols() != f.n_features {
            return Err(Error::ShapeMismatch {
                what: "genes (columns) of the input vs the trained model",
                expected: f.n_features,
                got: x.ncols(),
            });
        }
        crate::classifier::check_finite(x)?;
        project(x, &f.selected, &f.coef, f.info.report.projection)
    }

    /// The class of each sample, `None` for an unassigned sample (largest weight exactly 0).
    pub fn predict_assigned(&self, x: ArrayView2<'_, f32>) -> Result<Vec<Option<usize>>> {
        Ok(self.weights(x)?.rows().into_iter().map(label_of).collect())
    }
}

/// phenopredict's `which.highest`: the index of the largest weight (the first of equal ones), even
/// when it is negative; `None` (unassigned) when the largest weight is exactly 0.
fn label_of(w: ArrayView1<'_, f64>) -> Option<usize> {
    let mut best: Option<usize> = None;
    for (j, &v) in w.iter().enumerate() {
        if best.is_none_or(|b| v > w[b]) {
            best = Some(j);
        }
    }
    best.filter(|&b| w[b] != 0.0)
}

/// Weights of every row of `x` on the columns of `coef`, in row order.
fn project(
    x: ArrayView2<'_, f32>,
    selected: &[usize],
    coef: &Array2<f64>,
    projection: Projection,
) -> Result<Array2<f64>> {
    let k = coef.ncols();
    let gram = coef.t().dot(coef);
    if projection == Projection::LeastSquares {
        let all: Vec<usize> = (0..k).collect();
        if nnls::solve_sub(gram.view(), &vec![0.0; k], &all).is_none() {
            return Err(Error::NotEnoughData {
                reason: "the class means on the selected genes are linearly dependent; least \
                         squares has no unique solution"
                    .to_owned(),
            });
        }
    }
    let rows: Vec<usize> = (0..x.nrows()).collect();
    let parts: Vec<Result<Vec<f64>>> = rows
        .par_chunks(CHUNK)
        .map(|rows| {
            let mut out = Vec::with_capacity(rows.len() * k);
            for &r in rows {
                let row = x.row(r);
                let w = match projection {
                    Projection::NonNegative => {
                        let mut c = vec![0.0; k];
                        for (gi, &g) in selected.iter().enumerate() {
                            let v = row[g] as f64;
                            c.iter_mut()
                                .zip(coef.row(gi))
                                .for_each(|(ci, a)| *ci += a * v);
                        }
                        nnls::nnls_gram(gram.view(), &c)
                    }
                    Projection::LeastSquares => least_squares_weights(coef, selected, row)?,
                };
                out.extend(w);
            }
            Ok(out)
        })
        .collect();
    let mut flat = Vec::with_capacity(x.nrows() * k);
    for part in parts {
        flat.extend(part?);
    }
    Ok(Array2::from_shape_vec((x.nrows(), k), flat).expect("k weights per row"))
}

/// The weights of one sample on the class means for two classes: phenopredict's unconstrained
/// least squares without intercept, `argmin_w ||coef w - x[selected]||`, through linfa-linear's
/// ordinary least squares (QR, no BLAS). Equal to the normal equations LIN solved before to 1e-6
/// on real data (`tests/lin_paper_sex_genes.rs`; docs/dependencies.md).
fn least_squares_weights(
    coef: &Array2<f64>,
    selected: &[usize],
    row: ArrayView1<'_, f32>,
) -> Result<Vec<f64>> {
    let b: Array1<f64> = selected.iter().map(|&g| f64::from(row[g])).collect();
    let fitted = LinearRegression::new()
        .with_intercept(false)
        .fit(&DatasetBase::new(coef.view(), b))
        .map_err(|e| Error::NotEnoughData {
            reason: format!("least squares on the class means: {e}"),
        })?;
    Ok(fitted.params().to_vec())
}

/// Per class: the moderated t of every gene by `statistic`. Returns the class means (classes x
/// genes) too, the coefficients LIN keeps.
fn class_statistics(
    x: ArrayView2<'_, f32>,
    rows: &[usize],
    y: &[usize],
    k: usize,
    statistic: GeneStatistic,
) -> Result<(Array2<f64>, Vec<moderated_t::ModeratedT>)> {
    let (means, moments) = ClassMoments::per_class(x, rows, y, k);
    let stats = moments
        .iter()
        .map(|m| moderated_t_of(m, statistic))
        .collect::<Result<_>>()?;
    Ok((means, stats))
}

/// Union of the top `n` genes by `|t|` of every class (ties to the lower column), ascending.
fn select_genes(stats: &[moderated_t::ModeratedT], n: usize) -> Vec<usize> {
    let mut keep = std::collections::BTreeSet::new();
    for s in stats {
        let mut order: Vec<usize> = (0..s.t.len()).collect();
        order.sort_by(|&a, &b| s.t[b].abs().total_cmp(&s.t[a].abs()).then(a.cmp(&b)));
        keep.extend(order.into_iter().take(n));
    }
    keep.into_iter().collect()
}

/// Class means (classes x genes) restricted to `selected`, transposed to genes x classes.
fn coefficients_on(means: &Array2<f64>, selected: &[usize]) -> Array2<f64> {
    Array2::from_shape_fn((selected.len(), means.nrows()), |(i, c)| {
        means[[c, selected[i]]]
    })
}

impl Classifier for Lin {
    fn fit(&mut self, x: ArrayView2<'_, f32>, labels: &Labels, meta: &[SampleMeta]) -> Result<()> {
        let mut candidates = self.params.genes_per_class.clone();
        candidates.sort_unstable();
        candidates.dedup();
        let (rows, y) = labelled_rows(x, labels, meta)?;
        let (k, p) = (labels.classes().len(), x.ncols());
        let (means, stats) = class_statistics(x, &rows, &y, k, self.params.statistic)?;
        let projection = if k == 2 {
            Projection::LeastSquares
        } else {
            Projection::NonNegative
        };
        let train = x.select(ndarray::Axis(0), &rows);
        let mut best: Option<(f64, usize, Vec<usize>, Array2<f64>)> = None;
        let mut candidate_accuracy = Vec::with_capacity(candidates.len());
        for &n in &candidates {
            let selected = select_genes(&stats, n);
            let coef = coefficients_on(&means, &selected);
            let w = project(train.view(), &selected, &coef, projection)?;
            let correct = w
                .rows()
                .into_iter()
                .zip(&y)
                .filter(|(w, &c)| label_of(w.view()) == Some(c))
                .count();
            let acc = correct as f64 / rows.len() as f64;
            candidate_accuracy.push((n, acc));
            if best.as_ref().is_none_or(|b| acc > b.0) {
                best = Some((acc, n, selected, coef));
            }
        }
        let (_, n, selected, coef) = best.expect("at least one candidate");
        let mut counts = vec![0; k];
        y.iter().for_each(|&c| counts[c] += 1);
        self.fitted = Some(Fitted {
            info: FitInfo {
                classes: labels.classes().to_vec(),
                report: LinReport {
                    genes_per_class: n,
                    candidate_accuracy,
                    n_selected: selected.len(),
                    projection,
                    prior_df: stats
                        .iter()
                        .map(|s| s.prior.df.is_finite().then_some(s.prior.df))
                        .collect(),
                    prior_var: stats.iter().map(|s| s.prior.var).collect(),
                },
                summary: TrainingSummary::new(&rows, p, counts, meta),
            },
            n_features: p,
            selected,
            coef,
        });
        Ok(())
    }

    fn predict_proba(&self, x: ArrayView2<'_, f32>) -> Result<Array2<f32>> {
        let mut w = self.weights(x)?;
        for mut row in w.rows_mut() {
            let label = label_of(row.view());
            row.mapv_inplace(|v| v.max(0.0));
            let s = row.sum();
            if s > 0.0 {
                row.mapv_inplace(|v| v / s);
            } else if let Some(c) = label {
                // Every weight negative: which.highest's class, with nothing to share it.
                row[c] = 1.0;
            }
        }
        Ok(w.mapv(|v| v as f32))
    }

    fn classes(&self) -> &[String] {
        classes_of(self.fitted.as_ref().map(|f| &f.info))
    }
}

impl Persist for Lin {
    const KIND: ModelKind = ModelKind::Lin;
    type Params = LinParams;
    type Report = LinReport;

    fn params(&self) -> &LinParams {
        &self.params
    }

    fn seed(&self) -> u64 {
        0
    }

    fn fit_info(&self) -> Option<&FitInfo<LinReport>> {
        self.fitted.as_ref().map(|f| &f.info)
    }

    fn tensors(&self) -> Vec<NamedTensor> {
        let Some(f) = self.fitted.as_ref() else {
            return Vec::new();
        };
        let (m, k) = f.coef.dim();
        vec![
            (
                "selected",
                vec![m],
                Flat::U64(f.selected.iter().map(|&g| g as u64).collect()),
            ),
            (
                "coef",
                vec![m, k],
                Flat::F64(f.coef.iter().copied().collect()),
            ),
        ]
    }

    fn from_parts(
        params: LinParams,
        info: FitInfo<LinReport>,
        p: usize,
        t: &Tensors,
    ) -> Result<Self> {
        let k = info.classes.len();
        let n_sel = info.report.n_selected;
        let selected: Vec<usize> = t
            .u64s("selected", &[n_sel])?
            .into_iter()
            .map(|v| v as usize)
            .collect();
        if let Some(bad) = selected.iter().find(|&&g| g >= p) {
            return Err(Error::Corrupt {
                path: t.path().to_owned(),
                reason: format!("selected gene {bad} is outside the {p} genes of the manifest"),
            });
        }
        let coef = Array2::from_shape_vec((n_sel, k), t.f64s("coef", &[n_sel, k])?)
            .expect("shape checked against the tensor");
        Ok(Self {
            params,
            fitted: Some(Fitted {
                info,
                n_features: p,
                selected,
                coef,
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    /// phenopredict's `which.highest` (`if (max(x) != 0) which.max(x) else Unassigned`): the
    /// largest weight wins even when negative, the first of equal ones, and a largest weight of
    /// exactly 0 is unassigned.
    #[test]
    fn labels_follow_which_highest() {
        assert_eq!(label_of(array![0.3, 0.7].view()), Some(1));
        assert_eq!(label_of(array![-0.2, -0.5].view()), Some(0));
        assert_eq!(label_of(array![-0.5, -0.2].view()), Some(1));
        assert_eq!(label_of(array![0.4, 0.4, 0.1].view()), Some(0));
        assert_eq!(label_of(array![0.0, -0.5].view()), None);
        assert_eq!(label_of(array![0.0, 0.0, 0.0].view()), None);
    }
}
