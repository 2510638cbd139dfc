//! Preprocessing for rnameta: from read counts to the matrices models train on.
//!
//! In the order a dataset meets them:
//! - [`qc`]: sample quality control (small-RNA libraries, single-cell studies, technical
//!   replicates), each filter reporting what it removed and why;
//! - [`harmonise`]: canonical Ensembl ids (versions stripped, symbols mapped, duplicates summed or
//!   refused) and reordering to a model's genes with a bound on missing genes;
//! - [`pipeline`]: TPM, log2(x+1), ln(1+x), quantile normalisation, the ARCHS4 length division and
//!   z-scoring as steps of one [`Pipeline`], fitted on training samples and saved as JSON;
//!   [`rank_input`]: the unit-free model input (each sample's own order of the model's genes);
//! - [`gini`] and [`selection`]: per-gene Gini coefficients (BioQC's definition) and the gene
//!   windows of Wartmann et al.; [`signal`]: the ARCHS4 signal ranking;
//! - [`split`]: study-grouped train / test splits (the paper's recipes, GTEx by donor, k-fold).
//!
//! Quantile normalisation ([`quantile::QuantileReference::fit_stream`]) and the Gini coefficient
//! ([`gini::gini_stream`]) also run out of core over a stream of sample chunks.
//!
//! Matrices are samples x genes `f32` ([`rnameta_core::Dataset`]); this crate reads no files.

pub mod check;
mod error;
pub mod gini;
pub mod harmonise;
pub mod pipeline;
pub mod qc;
pub mod quantile;
pub mod rank_input;
pub mod scale;
pub mod selection;
pub mod signal;
pub mod sort;
pub mod split;
mod stream;
pub mod zscore;

pub use error::{Error, Result};
pub use pipeline::{FittedPipeline, FittedStep, ModelInput, Pipeline, Step};
pub use rank_input::RankInput;
