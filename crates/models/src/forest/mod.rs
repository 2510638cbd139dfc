//! Random forests with scikit-learn's exact splits over rank-coded features: [`RandomForest`] (one
//! class per sample, a [`Classifier`]) and [`MultiLabelForest`] (a set of labels per sample, e.g. a
//! tissue and "cell line" at once). How a tree searches its splits: `tree.rs`; why exact splits
//! rather than 256 histogram bins: [`crate::binning`] and the crate docs.
//!
//! # Multi-label: one joint forest, measured against one forest per label
//!
//! A multi-label forest is one forest whose splits minimise the Gini impurity averaged over the
//! labels (each label a yes/no output, as scikit-learn does for multi-output targets) and whose
//! leaves hold each label's frequency. The alternative, one binary forest per label, was measured with
//! `cargo run --release -p rnameta-models --example multilabel_forest -- {joint|per-label} 16000 300 12`
//! (8,000 train / 8,000 test samples, 300 genes, 12 tissue labels + a cell-line label on every fifth
//! sample, 100 trees, 2 cores, load about 2 from other builds):
//!
//! | strategy | fit + predict | macro AUROC | micro F1 at 0.5 | macro F1 at 0.5 | cell-line F1 at 0.5 |
//! |---|---|---|---|---|---|
//! | one joint forest | 1.9-2.0 s | 0.967 | 0.227 | 0.124 | 0.714 |
//! | one forest per label | 14.8 s | 0.956 | 0.399 | 0.269 | 0.881 |
//!
//! (With the former 256-bin histogram splits: joint 2.05 s, 0.965 / 0.218 / 0.111 / 0.721; per
//! label 8.9 s, 0.956 / 0.369 / 0.243 / 0.853. Exact splits cost more per node for two-class
//! forests, whose histograms were cheap, and less for many classes.)
//!
//! The joint forest is the one built: it ranks samples better (AUROC), costs one forest instead of
//! L (7x faster here, and at ARCHS4 scale with ~50 labels the per-label set-up would be ~50
//! forests to fit, store and apply). Its probabilities for rare labels are shrunk toward the base
//! rate, so a fixed 0.5 threshold recalls less than per-label forests do: choose thresholds per label
//! (the out-of-bag probabilities, [`MultiLabelForest::oob_proba`], are there for that) or rank.
//!
//! # Prediction: a second layout of the trees, walked many rows at a time
//!
//! The trees are kept as grown (`tree.rs`: every node 16 bytes, leaves included, a dense row of
//! output values per leaf), which is what bundles store, and laid out again for prediction when a
//! forest is fitted or loaded (`predict.rs`): only the splits (16 bytes: feature, threshold, both
//! children; a child with the top bit set is a leaf), and each leaf's non-zero values only (a pure
//! leaf is one entry instead of 16 floats). Rows go in blocks of 128 through one tree after another,
//! eight rows walking a tree at once, interleaved and without branches. Walking one row at a time,
//! each of the ~14 levels waited for a dependent load and an unpredictable branch; eight independent
//! walks overlap those waits, and one tree's 45 KB of splits stays in L2 cache for the block. The
//! outputs are bit for bit the row-by-row walk's (each row's sum still runs over the trees in order).
//!
//! Measured on the benchmark forest (10,000 x 500, 16 classes, 100 trees of 5,664 nodes, rows 14.3
//! levels deep on average), in one process alternating the former row-by-row walk and this one,
//! medians of 21 runs, 2 cores shared with another job (load 2.6-3; a one-off A/B while the layout
//! was written: timings live in `cargo xtask bench forest`, never in tests):
//!
//! | threads | row by row | prediction layout | ratio |
//! |---|---|---|---|
//! | 2 (rayon's default) | 421.5 ms | 110.0 ms | 0.26 |
//! | 1 (`RAYON_NUM_THREADS=1`, 15 runs) | 313.2 ms | 81.7 ms | 0.26 |
//! | 2, again a few minutes later (load 3.2-3.4) | 297.1 ms | 80.3 ms | 0.27 |
//!
//! `cargo bench -p rnameta-benches --bench forest -- predict` then gave 80.9 ms (load 3.8), where
//! the issue's run on a quieter machine had 276.9 ms against scikit-learn's 274.8 ms. What each step
//! was worth: `predict.rs`.

mod ensemble;
mod params;
mod predict;
mod storage;
mod targets;
mod tree;

use ndarray::{Array2, ArrayView2};
use rnameta_core::{Labels, SampleMeta};
use serde::{Deserialize, Serialize};

pub use params::{ForestParams, MaxFeatures};

use crate::classifier::{
    argmax_rows, check_finite, check_rows, labelled_rows, Classifier, TrainingSummary,
};
use crate::fitted::{classes_of, FitInfo};
use crate::kind::ModelKind;
use crate::multilabel::LabelSets;
use crate::parts::{NamedTensor, Persist, Tensors};
use crate::{Error, Result};
use ensemble::Ensemble;
use targets::{ClassTargets, LabelSetTargets};

/// What fitting a forest reported, written into the bundle manifest.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ForestReport {
    /// Out-of-bag accuracy (multi-class) or mean per-label accuracy at 0.5 (multi-label), over the
    /// training samples left out by at least one tree; `None` without OOB.
    pub oob_score: Option<f64>,
    /// Training samples that no tree left out (excluded from the OOB score).
    pub oob_samples_without_prediction: usize,
    /// Labels with no positive training sample: the forest predicts probability 0 for them.
    pub labels_without_positives: Vec<String>,
}

/// A fitted forest: trees, importances, report, training summary.
#[derive(Debug, Clone, PartialEq)]
struct Fitted {
    info: FitInfo<ForestReport>,
    ensemble: Ensemble,
    importances: Vec<f64>,
    oob_proba: Option<Array2<f32>>,
}

impl Fitted {
    fn check_input(&self, x: ArrayView2<'_, f32>) -> Result<()> {
        if x.ncols() != self.ensemble.n_features {
            return Err(Error::ShapeMismatch {
                what: "genes (columns) of the input vs the trained model",
                expected: self.ensemble.n_features,
                got: x.ncols(),
            });
        }
        Ok(())
    }

    /// The trees and importances as named tensors.
    fn tensors(&self) -> Vec<NamedTensor> {
        storage::to_tensors(&self.ensemble, &self.importances)
    }

    /// A fitted forest from its fit information and tensors (no out-of-bag probabilities: they
    /// are not saved).
    fn from_parts(info: FitInfo<ForestReport>, n_features: usize, t: &Tensors) -> Result<Self> {
        let (ensemble, importances) = storage::from_tensors(t, info.classes.len(), n_features)?;
        Ok(Self {
            info,
            ensemble,
            importances,
            oob_proba: None,
        })
    }
}

/// [`Persist`] for a forest type holding `params: ForestParams` and `fitted: Option<Fitted>`.
macro_rules! persist_forest {
    ($model:ty, $kind:expr) => {
        impl Persist for $model {
            const KIND: ModelKind = $kind;
            type Params = ForestParams;
            type Report = ForestReport;

            fn params(&self) -> &ForestParams {
                &self.params
            }

            fn seed(&self) -> u64 {
                self.params.seed
            }

            fn fit_info(&self) -> Option<&FitInfo<ForestReport>> {
                self.fitted.as_ref().map(|f| &f.info)
            }

            fn tensors(&self) -> Vec<NamedTensor> {
                self.fitted.as_ref().map_or_else(Vec::new, Fitted::tensors)
            }

            fn from_parts(
                params: ForestParams,
                info: FitInfo<ForestReport>,
                n_features: usize,
                t: &Tensors,
            ) -> Result<Self> {
                Ok(Self {
                    params,
                    fitted: Some(Fitted::from_parts(info, n_features, t)?),
                })
            }
        }
    };
}

persist_forest!(RandomForest, ModelKind::RandomForest);
persist_forest!(MultiLabelForest, ModelKind::MultiLabelForest);

/// A random forest classifier (one class per sample) with scikit-learn's defaults and its exact
/// splits (any boundary between two distinct training values, threshold halfway between them), trees
/// grown in parallel.
///
/// ```
/// use ndarray::Array2;
/// use rnameta_core::{DataSource, Labels, SampleMeta};
/// use rnameta_models::{Classifier, ForestParams, RandomForest};
///
/// // Class = whether feature 0 is above 10.
/// let x = Array2::from_shape_fn((40, 3), |(i, j)| if j == 0 { i as f32 } else { (i * j % 7) as f32 });
/// let names: Vec<Option<&str>> = (0..40).map(|i| Some(if i > 10 { "high" } else { "low" })).collect();
/// let labels = Labels::from_names(&names);
/// let meta: Vec<SampleMeta> = (0..40).map(|i| SampleMeta::new(format!("s{i}"), DataSource::Other)).collect();
/// let mut rf = RandomForest::new(ForestParams { n_trees: 20, ..ForestParams::default() }).unwrap();
/// rf.fit(x.view(), &labels, &meta).unwrap();
/// assert_eq!(rf.predict(x.view()).unwrap()[39], labels.class_index("high").unwrap());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RandomForest {
    params: ForestParams,
    fitted: Option<Fitted>,
}

impl RandomForest {
    /// An unfitted forest; refuses hyperparameters out of range ([`ForestParams::check`]).
    pub fn new(params: ForestParams) -> Result<Self> {
        params.check()?;
        Ok(Self {
            params,
            fitted: None,
        })
    }

    /// The hyperparameters.
    pub fn params(&self) -> &ForestParams {
        &self.params
    }

    /// What fitting reported (OOB accuracy); `None` before fitting.
    pub fn report(&self) -> Option<&ForestReport> {
        self.fitted.as_ref().map(|f| &f.info.report)
    }

    /// Out-of-bag accuracy; `None` before fitting or without OOB.
    pub fn oob_score(&self) -> Option<f64> {
        self.report().and_then(|r| r.oob_score)
    }

    /// Out-of-bag class probabilities of the labelled training samples, in their row order (a row of
    /// NaN where no tree left the sample out). Not saved in bundles.
    pub fn oob_proba(&self) -> Option<&Array2<f32>> {
        self.fitted.as_ref().and_then(|f| f.oob_proba.as_ref())
    }

    /// Mean decrease in Gini impurity per gene, normalised to sum one (scikit-learn's
    /// `feature_importances_`); `None` before fitting.
    pub fn feature_importances(&self) -> Option<&[f64]> {
        self.fitted.as_ref().map(|f| f.importances.as_slice())
    }

    /// The training data summary; `None` before fitting.
    pub fn training_summary(&self) -> Option<&TrainingSummary> {
        self.fitted.as_ref().map(|f| &f.info.summary)
    }
}

impl Classifier for RandomForest {
    fn fit(&mut self, x: ArrayView2<'_, f32>, labels: &Labels, meta: &[SampleMeta]) -> Result<()> {
        let (rows, y) = labelled_rows(x, labels, meta)?;
        let n_classes = labels.classes().len();
        if n_classes > u16::MAX as usize {
            return Err(Error::InvalidParameter {
                name: "classes",
                reason: format!("{n_classes} classes; at most 65535 are supported"),
            });
        }
        let targets = ClassTargets {
            y: y.iter().map(|&c| c as u16).collect(),
            n_classes,
        };
        let out = ensemble::fit(x, &rows, &targets, &self.params);
        let mut counts = vec![0; n_classes];
        y.iter().for_each(|&c| counts[c] += 1);
        let mut report = ForestReport::default();
        let oob_proba = out.oob.map(|oob| {
            let (score, missing) = oob_accuracy(&oob, &y);
            report.oob_score = score;
            report.oob_samples_without_prediction = missing;
            dense(&oob, n_classes)
        });
        self.fitted = Some(Fitted {
            info: FitInfo {
                classes: labels.classes().to_vec(),
                report,
                summary: TrainingSummary::new(&rows, x.ncols(), counts, meta),
            },
            ensemble: out.ensemble,
            importances: out.importances,
            oob_proba,
        });
        Ok(())
    }

    fn predict_proba(&self, x: ArrayView2<'_, f32>) -> Result<Array2<f32>> {
        let f = self.fitted.as_ref().ok_or(Error::NotFitted)?;
        f.check_input(x)?;
        Ok(f.ensemble.predict(x))
    }

    fn classes(&self) -> &[String] {
        classes_of(self.fitted.as_ref().map(|f| &f.info))
    }
}

/// Accuracy of the argmax of the OOB probabilities, and how many samples had none.
fn oob_accuracy(oob: &[Option<Vec<f32>>], y: &[usize]) -> (Option<f64>, usize) {
    let mut correct = 0usize;
    let mut used = 0usize;
    for (p, &c) in oob.iter().zip(y) {
        if let Some(p) = p {
            used += 1;
            let arr = Array2::from_shape_vec((1, p.len()), p.clone()).expect("one row");
            if argmax_rows(&arr)[0] == c {
                correct += 1;
            }
        }
    }
    let score = (used > 0).then(|| correct as f64 / used as f64);
    (score, oob.len() - used)
}

/// OOB rows as a matrix, NaN rows where a sample had no OOB tree.
fn dense(oob: &[Option<Vec<f32>>], k: usize) -> Array2<f32> {
    let mut m = Array2::from_elem((oob.len(), k), f32::NAN);
    for (i, p) in oob.iter().enumerate() {
        if let Some(p) = p {
            m.row_mut(i).iter_mut().zip(p).for_each(|(d, &v)| *d = v);
        }
    }
    m
}

/// A random forest predicting a set of labels per sample (multi-hot): one forest whose splits
/// minimise the Gini impurity averaged over the labels and whose leaves hold each label's frequency.
/// `predict_proba` gives, per sample and label, the probability that the label applies.
#[derive(Debug, Clone, PartialEq)]
pub struct MultiLabelForest {
    params: ForestParams,
    fitted: Option<Fitted>,
}

impl MultiLabelForest {
    /// An unfitted forest; refuses hyperparameters out of range ([`ForestParams::check`]).
    pub fn new(params: ForestParams) -> Result<Self> {
        params.check()?;
        Ok(Self {
            params,
            fitted: None,
        })
    }

    /// Fits on every row of `x`; `targets` gives each row's label set (an empty set is a sample
    /// without any of the labels). A label no training sample has is kept, reported in
    /// [`ForestReport::labels_without_positives`], and predicted with probability 0.
    pub fn fit(
        &mut self,
        x: ArrayView2<'_, f32>,
        targets: &LabelSets,
        meta: &[SampleMeta],
    ) -> Result<()> {
        let n = x.nrows();
        check_rows(n, targets.len(), "label sets per sample")?;
        check_rows(n, meta.len(), "sample metadata entries")?;
        check_finite(x)?;
        let n_labels = targets.labels().len();
        if n == 0 || n_labels == 0 || n_labels > u16::MAX as usize {
            return Err(Error::NotEnoughData {
                reason: format!("{n} samples and {n_labels} labels"),
            });
        }
        let mut offsets = vec![0usize];
        let mut labels = Vec::new();
        for i in 0..n {
            labels.extend(targets.sample_labels(i).iter().map(|&l| l as u16));
            offsets.push(labels.len());
        }
        let t = LabelSetTargets {
            offsets,
            labels,
            n_labels,
        };
        let rows: Vec<usize> = (0..n).collect();
        let out = ensemble::fit(x, &rows, &t, &self.params);
        let counts = targets.label_counts();
        let mut report = ForestReport {
            labels_without_positives: targets
                .labels()
                .iter()
                .zip(&counts)
                .filter(|(_, &c)| c == 0)
                .map(|(l, _)| l.clone())
                .collect(),
            ..ForestReport::default()
        };
        let oob_proba = out.oob.map(|oob| {
            let mut right = 0usize;
            let mut total = 0usize;
            for (i, p) in oob.iter().enumerate() {
                if let Some(p) = p {
                    let truth = targets.sample_labels(i);
                    for (l, &v) in p.iter().enumerate() {
                        total += 1;
                        if (v >= 0.5) == truth.contains(&l) {
                            right += 1;
                        }
                    }
                }
            }
            report.oob_score = (total > 0).then(|| right as f64 / total as f64);
            report.oob_samples_without_prediction = oob.iter().filter(|p| p.is_none()).count();
            dense(&oob, n_labels)
        });
        self.fitted = Some(Fitted {
            info: FitInfo {
                classes: targets.labels().to_vec(),
                report,
                summary: TrainingSummary::new(&rows, x.ncols(), counts, meta),
            },
            ensemble: out.ensemble,
            importances: out.importances,
            oob_proba,
        });
        Ok(())
    }

    /// Probability of each label, samples x labels (labels are independent: rows need not sum to 1).
    pub fn predict_proba(&self, x: ArrayView2<'_, f32>) -> Result<Array2<f32>> {
        let f = self.fitted.as_ref().ok_or(Error::NotFitted)?;
        f.check_input(x)?;
        Ok(f.ensemble.predict(x))
    }

    /// The label names, in output column order. Empty before fitting.
    pub fn labels(&self) -> &[String] {
        classes_of(self.fitted.as_ref().map(|f| &f.info))
    }

    /// What fitting reported; `None` before fitting.
    pub fn report(&self) -> Option<&ForestReport> {
        self.fitted.as_ref().map(|f| &f.info.report)
    }

    /// Out-of-bag label probabilities of the training samples (NaN rows where none). Not saved.
    pub fn oob_proba(&self) -> Option<&Array2<f32>> {
        self.fitted.as_ref().and_then(|f| f.oob_proba.as_ref())
    }

    /// Impurity importance per gene, normalised to sum one; `None` before fitting.
    pub fn feature_importances(&self) -> Option<&[f64]> {
        self.fitted.as_ref().map(|f| f.importances.as_slice())
    }
}
