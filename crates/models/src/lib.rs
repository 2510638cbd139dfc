//! Classifiers of rnameta behind one [`Classifier`] trait (fit and predict), their linfa interface
//! and their bundles.
//!
//! - [`ModelKind`]: the one model vocabulary (`lin`, `mlp`, `da`, `rf`, `logistic`,
//!   `rf-multilabel`), used by the command line, the manifests and the experiments;
//!   [`ModelSpec`] is a kind with its hyperparameters.
//! - [`RandomForest`]: random forest with scikit-learn's exact splits (each gene rank-coded by its
//!   distinct training values, at most 65,536 levels, see [`binning`]; a fresh random feature subset
//!   at every split, Gini, trees in parallel and deterministic per seed), out-of-bag accuracy,
//!   impurity importances. [`MultiLabelForest`] predicts several labels per sample at once.
//! - [`LogisticRegression`]: multinomial logistic regression with an L2 penalty, fitted by L-BFGS on
//!   standardised features.
//! - [`Lin`]: phenopredict's LIN predictor (Ellis et al. 2018): top genes per class by limma-style
//!   moderated t, class means as coefficients, non-negative least-squares projection (see [`lin`]).
//! - [`Mlp`] and [`DomainAdaptation`] ([`neural`]): the paper's MLP and siamese domain-adaptation
//!   model, on dfdx with runtime-sized layers.
//! - [`linfa_fit`]: every model through linfa's `ParamGuard` / `Fit` / `Predict` over a
//!   `DatasetBase` whose feature names are the gene ids, calling the same fit.
//! - [`metrics`]: multi-label precision, recall, F1 and exact AUROC, micro and macro.
//! - [`bundle`]: save / load as a JSON manifest plus safetensors parameters, written through
//!   rnameta-io's atomic writer ([`SaveBundle`], [`LoadBundle`]); it depends on the models, not the
//!   other way round.
//! - [`synthetic`]: a deterministic problem generator shared with the benchmarks' Python peers.
//! - [`builtin`]: the models shipped inside the crate (`builtin:sex`).
//! - [`disagreement`]: the samples whose given label disagrees with a confident prediction of a
//!   [`TrainedModel`], with the evidence (probabilities; sex-gene levels for a sex model).
//!
//! Hyperparameters are checked when a model is built (`new` returns an error for a value out of
//! range), not when it is fitted.
//!
//! Models never read or write files other than their own bundle directory.
//!
//! # Random forest: what differs from scikit-learn, and how fast it is
//!
//! Defaults are scikit-learn's (100 trees, no depth limit, `min_samples_leaf` 1, `max_features`
//! sqrt, bootstrap n of n, Gini, leaf class frequencies averaged over trees), and so are the splits:
//! each gene is coded by the rank of its value among its distinct training values (see [`binning`];
//! a gene with more than 65,536 distinct values is cut at quantiles first), a node sorts its samples
//! by code (radix sort), every boundary between two codes is a candidate, and the threshold is
//! halfway between the raw values on either side. What differs is only how fast that runs.
//!
//! Measured on 10,000 x 500, 16 classes (`benches/benches/forest.rs`, data
//! `Synthetic { 20_000, 500, 16, 50, 0.5, seed 1 }`, first half train, second half test), 2 cores
//! shared with other people's work (`uptime` load in brackets):
//!
//! | | fit, OOB off | test accuracy, mean +- sd over 10 seeds |
//! |---|---|---|
//! | rnameta `RandomForest` | 2.10 s criterion median (load 1.8-2); 4.6 s (load ~4) | 0.7669 +- 0.0034 (seeds 0-9; seed 0: 0.7681) |
//! | scikit-learn 1.9.1 `RandomForestClassifier(n_jobs=2)` | 8.1-8.8 s, run just before (load 1.6-1.8); 15.6-16.2 s (load ~3) | 0.7679 +- 0.0035 (random_state 0-9; 0: 0.7719) |
//! | rnameta with 256 quantile bins and histogram splits (before) | 2.7 s against 2.0 s for the exact forest, OOB on, alternating runs (load ~1.8) | 0.7597 +- 0.0032 |
//! | scikit-learn on data pre-binned to those 256 bins | | 0.7627 +- 0.0045 |
//!
//! Commands: `cargo bench -p rnameta-benches --bench forest`, `python benches/peers/random_forest.py`
//! (numpy + scikit-learn), and per seed
//! `cargo run --release -p rnameta-models --example forest_accuracy -- 20000 500 16 50 0.5 1 100 SEED`.
//! The 0.1-point difference to scikit-learn is a third of the seed-to-seed sd; the 256-bin forest
//! was 0.8 points below (why: [`binning`]). One tree grown without randomness (all features, no
//! bootstrap) is scikit-learn's tree, leaf for leaf (`tests/forest.rs`). Against the 256-bin forest
//! the exact search is faster with many classes (a histogram scan costs bins x classes) and slower
//! with two: `Synthetic` as above but with 2 classes fits in 1.35-1.41 s against 1.05-1.14 s (OOB
//! on, load ~1.8; 4 classes: 1.4 s both), at 0.9856 against 0.9853 test accuracy (seed 0).
//!
//! At scale, a multi-label forest (30 tissues + cell line, 100 trees) on 120,000 x 2,000
//! (`cargo run --release -p rnameta-models --example multilabel_forest -- joint 240000 2000 30`)
//! took 275 s wall under `nice -n 19` at load 2-4 (282 s CPU for generation + fit + predict of
//! 120,000 more) with a peak RSS of 2.93 GB, of which 1.92 GB is the 240,000 x 2,000 `f32` input
//! itself; the training codes are `u16`, 0.48 GB here. (The 256-bin forest: 441 s wall, 314 s CPU,
//! 2.94 GB, load 5-8.) With more than 65,536 training samples genes are cut into 65,536 quantile
//! levels, about two samples each here.

#![warn(missing_docs)]

pub mod binning;
pub mod builtin;
pub mod bundle;
mod classifier;
pub mod disagreement;
mod error;
mod fitted;
mod forest;
mod kind;
pub mod lin;
pub mod linfa_fit;
mod logistic;
pub mod metrics;
mod multilabel;
pub mod neural;
mod parts;
mod preprocessing;
mod spec;
pub mod synthetic;
pub mod trained;

pub use bundle::{BundleHeader, LoadBundle, SaveBundle, SavedClassifier};
pub use classifier::{argmax_rows, Classifier, TrainingSummary};
pub use disagreement::{disagreements, Disagreement, DisagreementReport};
pub use error::{Error, Result};
pub use forest::{ForestParams, ForestReport, MaxFeatures, MultiLabelForest, RandomForest};
pub use kind::{ModelKind, UnknownModel};
pub use lin::moderated_t::GeneStatistic;
pub use lin::{is_unassigned, Lin, LinParams, LinReport, Projection};
pub use linfa_fit::{Checked, GeneModel};
pub use logistic::{LogisticParams, LogisticRegression, LogisticReport};
pub use multilabel::LabelSets;
pub use neural::{
    BiasMapperStart, DaHead, DaParams, DaReport, DomainAdaptation, Mlp, MlpParams, MlpReport,
    NegativeFallback,
};
pub use preprocessing::Preprocessing;
pub use spec::ModelSpec;
pub use trained::{
    Annotation, AugmentHook, GeneChoice, GeneMatch, InputPlan, PreparedTraining, TrainedModel,
};
