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
//! [`Archs4Reader::read_samples`] reads the column blocks of the samples asked for, and
//! [`Archs4Reader::chunks`] streams the file in blocks of samples. rust-hdf5's hyperslab read
//! decompresses only the HDF5 chunks a selection overlaps (and keeps at most 1 MiB of
//! decompressed chunks per dataset), so memory follows the block, not the file.
//!
//! [`write()`], [`write_blocks`] and [`write_with`] write the v2 layout atomically, a block of
//! samples at a time, so the simulator can write ARCHS4-sized files.
//!
//! Sample labels come from `characteristics_ch1` (`Sex: female` -> sex, `tissue: lung` -> tissue,
//! `cell line: HeLa` -> cell line) and `source_name_ch1` (`... cell line` -> cell line); see
//! [`characteristics`].

pub mod characteristics;
mod container;
pub mod fields;
mod reader;
mod writer;

pub use fields::{FieldProbe, FieldSpec};
pub use reader::{Archs4Chunks, Archs4Reader, DroppedGene};
pub use writer::{write, write_blocks, write_with, Archs4Writer, WriteOptions};
