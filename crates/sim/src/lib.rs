//! Simulated RNA-seq cohorts with study bias, written in the real file formats.
//!
//! No real recount2 download fits in a test, so scale and bias come from here. The simulator
//! reproduces the phenomena the paper measures, not just numbers:
//!
//! - a real gene universe ([`universe`]): Ensembl 100 ids, symbols, chromosomes, biotypes;
//! - baseline expression and a mean-dispersion trend calibrated on real GTEx lung and GEUVADIS
//!   counts ([`calibration`]), negative-binomial counts ([`counts`]);
//! - tissue programs with real markers, sex genes, cell lines, tumours, donors ([`programs`],
//!   [`genesets`]);
//! - study bias drawn from a low-rank protocol space ([`bias`]);
//! - GTEx, TCGA and SRA cohorts with the truth of every sample ([`cohort`], [`truth`]);
//! - output in recount3, GTEx GCT, ARCHS4 HDF5 and MetaSRA layouts ([`output`]), written
//!   atomically after a check that the cohort fits this machine ([`footprint`]), and the paper's
//!   Figure S1 as an SVG ([`figure`]).
//!
//! Same seed, same bytes: every study and sample draws from its own ChaCha8 stream derived from
//! the seed ([`seed`]).

pub mod bias;
pub mod calibration;
pub mod cohort;
pub mod config;
pub mod counts;
pub mod error;
pub mod figure;
pub mod footprint;
pub mod genesets;
pub mod output;
pub mod programs;
pub mod seed;
pub mod truth;
pub mod universe;

pub use cohort::{Cohort, Simulator, SourceCohort};
pub use config::{Preset, SimConfig};
pub use error::{Error, Result};
pub use truth::Truth;
pub use universe::GeneUniverse;
