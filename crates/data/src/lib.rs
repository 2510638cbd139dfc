#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

pub mod annotation;
pub mod error;
pub mod files;
pub mod gene_ids;
pub mod labels;
mod load;
mod options;
pub mod plan;
pub mod read;
pub mod recount3_layout;
pub mod refusal;
pub mod report;
pub mod stack;

pub use annotation::AnnotationCache;
pub use error::{Error, Result};
pub use files::{expression_files, is_expression, Companion, ExpressionFile};
pub use gene_ids::map_to_ensembl;
pub use labels::{label_table_coverage, Labelling};
pub use load::{load, Inputs, Loaded, Loader};
pub use options::LoadOptions;
pub use read::{read_file, read_plain_matrix};
pub use refusal::{counts_refusal, gene_id_mismatch};
pub use report::{LabelCounts, LabelSource, LabelSourceKind, LoadReport};
pub use stack::{stack, SeenSamples, Stacker};
