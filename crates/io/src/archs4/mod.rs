//! The ARCHS4 HDF5 compendium: uniformly processed GEO RNA-seq samples, one `uint32` counts matrix.
//!
//! Layout (v2, as written by the ARCHS4 pipeline through h5py):
//! - `data/expression`: genes x samples, `uint32`, chunked and gzip-compressed;
//! - `meta/genes/{symbol, ensembl_gene, biotype}`: one entry per gene row;
//! - `meta/samples/{geo_accession, series_id, title, source_name_ch1, characteristics_ch1,
//!   library_strategy, singlecellprobability, readsaligned, ...}`: one entry per sample column;
//! - `meta/info/{version, creation-date}`.
//!
//! Field names differ between releases (`gene_symbol` for `symbol`, `ensembl_gene_id`; v1 keeps
//! sample fields flat as `meta/Sample_geo_accession` and symbols in `meta/genes`), so the reader
//! probes a list of candidates per field ([`fields`]) and reports what it found
//! ([`Archs4Reader::fields_found`]).
//!
//! A full ARCHS4 file is larger than memory: [`Archs4Reader::open`] reads only the metadata,
//! [`Archs4Reader::read_counts`] and [`Archs4Reader::records`] read the column blocks and the
//! metadata slices of the samples asked for, and [`Archs4Reader::chunks`] streams the file in
//! blocks of samples. rust-hdf5's hyperslab read decompresses only the HDF5 chunks a selection
//! overlaps (and keeps at most 1 MiB of decompressed chunks per dataset), so memory follows the
//! block, not the file.
//!
//! Reading and meaning are apart: the reader returns each sample's fields as stored
//! ([`Archs4Record`]); [`interpret`] turns a record into a `SampleMeta` (labels from
//! `characteristics_ch1`: `Sex: female` -> sex, `tissue: lung` -> tissue, `cell line: HeLa` -> cell
//! line; `source_name_ch1`: `... cell line` -> cell line; see [`characteristics`]).
//! [`Archs4Reader::read_samples`], [`Archs4Reader::chunks`] and [`Archs4Reader::samples`] compose
//! the two for callers that want datasets. Every read returns a `Result` naming the file and the
//! dataset.
//!
//! [`write()`], [`write_blocks`] and [`write_with`] write the v2 layout atomically, a block of
//! samples at a time, so the simulator can write ARCHS4-sized files.
//!
//! Modules, one job each: `container` (the HDF5 file checked before the library opens it, errors
//! naming objects), [`fields`] (which dataset holds each field in each release), `expression`
//! (the counts matrix read by column blocks), `genes` (gene metadata -> annotation),
//! `sample_fields` (sample fields read by slices into records), `heap` (variable-length strings
//! through the global heap), `reader` (the open file), `record` ([`Archs4Record`]),
//! [`interpret`], `dataset` (records + counts -> datasets), [`characteristics`], `writer`.

pub mod characteristics;
mod container;
mod dataset;
mod expression;
pub mod fields;
mod genes;
mod heap;
pub mod interpret;
mod metadata;
mod reader;
mod record;
mod sample_fields;
mod writer;

pub use dataset::Archs4Chunks;
pub use fields::{FieldProbe, FieldSpec};
pub use genes::DroppedGene;
pub use reader::Archs4Reader;
pub use record::Archs4Record;
pub use writer::{write, write_blocks, write_with, Archs4Writer, WriteOptions};
