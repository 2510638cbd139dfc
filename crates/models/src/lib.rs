//! Classifiers of rnameta behind one [`Classifier`] trait, and their bundles.
//!
//! - [`RandomForest`]: histogram random forest (features binned to 256 levels, a fresh random feature
//!   subset at every split, Gini, trees in parallel and deterministic per seed), out-of-bag accuracy,
//!   impurity importances. [`MultiLabelForest`] predicts several labels per sample at once.
//! - [`LogisticRegression`]: multinomial logistic regression with an L2 penalty, fitted by L-BFGS on
//!   standardised features.
//! - [`Lin`]: phenopredict's LIN predictor (Ellis et al. 2018): top genes per class by limma-style
//!   moderated t, class means as coefficients, non-negative least-squares projection (see [`lin`]).
//! - [`Mlp`] and [`DomainAdaptation`] ([`neural`]): the paper's MLP and siamese domain-adaptation
//!   model, on dfdx with runtime-sized layers.
//! - [`metrics`]: multi-label precision, recall, F1 and exact AUROC, micro and macro.
//! - [`bundle`]: save / load as a JSON manifest plus safetensors parameters.
//! - [`synthetic`]: a deterministic problem generator shared with the benchmarks' Python peers.
//!
//! Models never read or write files other than their own bundle directory.
//!
//! # Random forest: what differs from scikit-learn, and how fast it is
//!
//! Defaults are scikit-learn's (100 trees, no depth limit, `min_samples_leaf` 1, `max_features`
//! sqrt, bootstrap n of n, Gini, leaf class frequencies averaged over trees). The one difference is
//! binning: each gene is cut into at most 256 quantile bins fitted on the training data (see
//! [`binning`]), so split thresholds are bin edges rather than midpoints between any two sorted values.
//!
//! Measured on 10,000 x 500, 16 classes (`benches/benches/forest.rs`, data
//! `Synthetic { 20_000, 500, 16, 50, 0.5, seed 1 }`, first half train, second half test), 2 cores:
//!
//! | | fit, load ~1.5 | fit, load ~4 (criterion median) | test accuracy |
//! |---|---|---|---|
//! | rnameta `RandomForest` | 2.2-2.5 s (seeds 0-2, OOB on) | 7.9 s | 0.7646 (seeds 1-3: 0.7575, 0.7612, 0.7591) |
//! | scikit-learn 1.9.1 `RandomForestClassifier(n_jobs=2)` | 7.9 s | 13.4-15.5 s | 0.7719 (random_state 1, 2: 0.7694, 0.7733) |
//! | scikit-learn on data pre-binned like ours | | | 0.7659, 0.7657 |
//!
//! Binning accounts for about half a point of the ~1 point accuracy gap on this problem; on the
//! test problem of `tests/forest.rs` the two agree within 0.2 points (0.7035 vs 0.7053).
//! At scale, a multi-label forest (30 tissues + cell line, 100 trees) on 120,000 x 2,000 took 441 s
//! wall (314 s CPU for generation + fit + predict of 120,000 more; the machine was shared, load 5-8)
//! with a peak RSS of 2.94 GB, of which 1.92 GB is the 240,000 x 2,000 `f32` input itself.

#![warn(missing_docs)]

pub mod binning;
pub mod bundle;
mod classifier;
mod error;
mod forest;
pub mod lin;
mod logistic;
pub mod metrics;
mod multilabel;
pub mod neural;
mod spec;
pub mod synthetic;
pub mod trained;

pub use classifier::{argmax_rows, BundleHeader, Classifier, TrainingSummary};
pub use error::{Error, Result};
pub use forest::{ForestParams, ForestReport, MaxFeatures, MultiLabelForest, RandomForest};
pub use lin::{is_unassigned, Lin, LinParams, LinReport, Projection};
pub use logistic::{LogisticParams, LogisticRegression, LogisticReport};
pub use multilabel::LabelSets;
pub use neural::{DaParams, DaReport, DomainAdaptation, Mlp, MlpParams, MlpReport};
pub use spec::ModelSpec;
pub use trained::{Annotation, GeneChoice, GeneMatch, Preprocessing, TrainedModel};
