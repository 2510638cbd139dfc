//! The library half of the `rnameta` command: reading expression inputs (files or directories in
//! any supported format) with the labels and gene annotation that come with them. The command's
//! subcommands use it, and so does `cargo xtask experiment --data DIR`, so that experiments read a
//! cohort exactly as `rnameta train` would.

#![warn(missing_docs)]

pub mod input;
