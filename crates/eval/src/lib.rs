//! Evaluation of rnameta predictions, as in Wartmann et al. 2020, *Bias invariant RNA-seq metadata
//! annotation*: scores, summaries over seeds, significance tests, tables and plots.
//!
//! - [`metrics`]: mean sample accuracy ([`metrics::msa`], micro), mean class accuracy
//!   ([`metrics::mca`], macro), per-class accuracy, the [`metrics::ConfusionMatrix`], the true
//!   positive rate per class over probability cutoffs ([`metrics::tpr_at_cutoffs`]) and the expected
//!   calibration error. Predictions are class indices or `Option<usize>` (unassigned counts as wrong).
//! - [`summary`]: mean and sample standard deviation of a score over seeds ([`SeedSummary`]).
//! - [`stats`]: Student and Welch two-sample t-tests and one-way ANOVA, at the paper's
//!   [`stats::SIGNIFICANCE`] of 0.01.
//! - [`table`]: result tables rendered as GitHub Markdown and CSV, written atomically.
//! - [`plot`]: box plots over seeds, lines with error bars, grouped scatter plots and a fast
//!   deterministic 2-D PCA, each written as PNG and SVG with an embedded font (no system fonts).
//!
//! ```
//! use rnameta_eval::metrics::{mca, msa, ConfusionMatrix};
//! use rnameta_eval::stats::welch_t_test;
//! use rnameta_eval::{Cell, SeedSummary, Table};
//!
//! // Class 0 has 3 samples, class 1 one; one class-0 sample is left unassigned.
//! let truth = [0, 0, 0, 1];
//! let pred = [Some(0), Some(0), None, Some(0)];
//! assert_eq!(msa(&truth, &pred, 2)?, 0.5); // 2 of 4 right
//! assert!((mca(&truth, &pred, 2)? - 1.0 / 3.0).abs() < 1e-12); // (2/3 + 0/1) / 2
//! assert_eq!(ConfusionMatrix::new(&truth, &pred, 2)?.unassigned(), &[1, 0]);
//!
//! // Scores over seeds, a test between two models, and a table row.
//! let da = SeedSummary::new(vec![0.86, 0.85, 0.87, 0.86])?;
//! let lin = SeedSummary::new(vec![0.71, 0.72, 0.70, 0.71])?;
//! let test = welch_t_test(&da.values, &lin.values)?;
//! assert!(test.is_significant());
//! let mut table = Table::new("msa", ["model", "msa"]);
//! table.push_row(vec![Cell::text("DA"), Cell::mean_std(&da, 3)])?;
//! assert!(table.to_markdown()?.contains("| DA | 0.860 ± 0.008 |"));
//! # Ok::<(), rnameta_eval::Error>(())
//! ```
//!
//! **Architecture invariant:** eval never knows which model produced a prediction: it sees class
//! indices, probabilities and numbers, never a model, a dataset or a file format.

#![warn(missing_docs)]

mod error;
pub mod metrics;
mod output;
pub mod plot;
pub mod stats;
pub mod summary;
pub mod table;

pub use error::{Error, Result};
pub use summary::SeedSummary;
pub use table::{Cell, Table};
