//! The metadata datasets of an open file, found by probing ([`fields`](super::fields)) and checked
//! against the counts matrix: what the gene and sample readers ([`genes`](super::genes),
//! [`sample_fields`](super::sample_fields)) build on.

use std::path::Path;

use rust_hdf5::H5File;

use super::container::{object, read_as_text, read_strings, Addressing};
use super::fields::{self, FieldProbe, FieldSpec};
use crate::error::{Error, ErrorKind, Result};

/// Reads the metadata datasets of an open file, checking their lengths against the matrix.
pub(crate) struct MetaReader<'a> {
    pub(crate) file: &'a H5File,
    pub(crate) path: &'a Path,
    pub(crate) probes: &'a [FieldProbe],
    /// Shape of `data/expression`: (genes, samples).
    pub(crate) shape: [usize; 2],
    pub(crate) addressing: Addressing,
}

impl MetaReader<'_> {
    /// A per-gene or per-sample field read whole as text, `None` when the file does not have it.
    pub(crate) fn field(&self, spec: &FieldSpec) -> Result<Option<(String, Vec<String>)>> {
        let Some(name) = fields::found(self.probes, spec) else {
            return Ok(None);
        };
        let values = read_as_text(self.file, self.path, name)?;
        self.check_length(spec, name, values.len())?;
        Ok(Some((name.to_owned(), values)))
    }

    /// Refuses a field of `entries` entries where the matrix has another number of genes or
    /// samples.
    pub(crate) fn check_length(&self, spec: &FieldSpec, name: &str, entries: usize) -> Result<()> {
        let (expected, what) = if spec.per_gene {
            (self.shape[0], "genes (rows)")
        } else {
            (self.shape[1], "samples (columns)")
        };
        if entries == expected {
            return Ok(());
        }
        Err(Error::new(
            self.path,
            object(name),
            ErrorKind::Malformed(format!(
                "{entries} entries, but /data/expression has {expected} {what} (shape {} x {})",
                self.shape[0], self.shape[1]
            )),
        ))
    }

    /// The first string of a file-level field (scalar or one-element), `None` when absent.
    pub(crate) fn scalar(&self, spec: &FieldSpec) -> Result<Option<String>> {
        let Some(name) = fields::found(self.probes, spec) else {
            return Ok(None);
        };
        Ok(read_strings(self.file, self.path, name)?.into_iter().next())
    }
}
