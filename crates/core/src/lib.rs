//! Shared types of rnameta: what every other crate passes around.
//!
//! A [`Dataset`] is a samples x genes `f32` matrix ([`ExprMatrix`]) with one [`GeneInfo`] per column
//! (held by a [`GeneAnnotation`]) and one [`SampleMeta`] per row. A [`Task`] names what is
//! predicted (tissue, sex, sample source) and [`Labels`] turns a task's metadata field into class
//! indices, leaving unlabelled samples as `None`.
//!
//! This crate knows nothing of files (that is `rnameta-io`) nor of models (`rnameta-models`).

mod columns;
mod dataset;
mod error;
mod gene;
mod grouping;
mod labels;
mod sample;
pub mod stats;
mod units;
mod value_kind;
mod view;

pub use columns::{select_columns, select_columns_into};
pub use dataset::{Dataset, ExprMatrix};
pub use error::{Error, Result};
pub use gene::{strip_version, EnsemblMapping, GeneAnnotation, GeneIdKind, GeneInfo, IdVia};
pub use grouping::{Grouping, OTHER_CLASS};
pub use labels::{Labels, Task};
pub use sample::{DataSource, SampleMeta, SampleSource, Sex};
pub use units::human_bytes;
pub use value_kind::{InputUnits, JudgedUnits, ValueKind};
pub use view::DatasetView;
