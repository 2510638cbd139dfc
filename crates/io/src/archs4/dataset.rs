//! Datasets from an ARCHS4 file for callers that want [`SampleMeta`]s: the counts and the records
//! a reader reads ([`Archs4Reader::read_counts`], [`Archs4Reader::records`]), the records
//! interpreted ([`interpret::sample_metas`]). Every read is a `Result`; nothing here turns a
//! failed read into a default.

use rnameta_core::{Dataset, SampleMeta};

use super::container::object;
use super::fields::EXPRESSION;
use super::interpret;
use super::reader::Archs4Reader;
use crate::error::{Error, ErrorKind, Result};

/// Samples whose records [`Archs4Reader::samples`] reads at once.
const RECORD_BLOCK: usize = 4096;

impl Archs4Reader {
    /// The samples at `indices` (file order positions; any order, repeats allowed) as a dataset
    /// whose rows follow `indices`: their counts and their interpreted records.
    pub fn read_samples(&self, indices: &[usize]) -> Result<Dataset> {
        let counts = self.read_counts(indices)?;
        let samples = interpret::sample_metas(&self.records(indices)?);
        Dataset::new(counts, self.genes().clone(), samples)
            .map_err(|e| Error::new(self.path(), object(EXPRESSION), ErrorKind::Dataset(e)))
    }

    /// Every sample, in file order. Holds the whole matrix: use [`chunks`](Self::chunks) for a
    /// file that may not fit in memory.
    pub fn read_all(&self) -> Result<Dataset> {
        let all: Vec<usize> = (0..self.n_samples()).collect();
        self.read_samples(&all)
    }

    /// Streams every sample in file order, `chunk_size` samples per dataset (the last may hold
    /// fewer; a size of 0 is taken as 1). Memory stays bounded by the chunk, whatever the file's
    /// size. The stream ends after the first error.
    pub fn chunks(&self, chunk_size: usize) -> Archs4Chunks<'_> {
        Archs4Chunks {
            reader: self,
            chunk_size: chunk_size.max(1),
            next: 0,
            failed: false,
        }
    }

    /// Every sample's metadata, in file order: GSM as id, GEO series as study, tissue / sex /
    /// sample source from the characteristics, every characteristic and text field in
    /// `attributes` (see [`interpret`]). Reads the records a block of samples at a time and
    /// holds the result (about 2 KiB a sample): a caller that streams a large file should use
    /// [`sample_id`](Self::sample_id), [`records`](Self::records) or the samples of each chunk.
    pub fn samples(&self) -> Result<Vec<SampleMeta>> {
        let n = self.n_samples();
        let mut samples = Vec::with_capacity(n);
        for start in (0..n).step_by(RECORD_BLOCK) {
            let block: Vec<usize> = (start..n.min(start + RECORD_BLOCK)).collect();
            samples.extend(interpret::sample_metas(&self.records(&block)?));
        }
        Ok(samples)
    }

    /// The metadata of the sample at `index` (file order), as [`samples`](Self::samples) gives
    /// it, read afresh.
    pub fn sample_meta(&self, index: usize) -> Result<SampleMeta> {
        Ok(interpret::sample_meta(&self.record(index)?))
    }
}

/// The stream of [`Archs4Reader::chunks`]: one [`Dataset`] of consecutive samples per item.
#[derive(Debug)]
pub struct Archs4Chunks<'a> {
    reader: &'a Archs4Reader,
    chunk_size: usize,
    next: usize,
    failed: bool,
}

impl Iterator for Archs4Chunks<'_> {
    type Item = Result<Dataset>;

    fn next(&mut self) -> Option<Self::Item> {
        let total = self.reader.n_samples();
        if self.failed || self.next >= total {
            return None;
        }
        let end = total.min(self.next.saturating_add(self.chunk_size));
        let indices: Vec<usize> = (self.next..end).collect();
        self.next = end;
        let chunk = self.reader.read_samples(&indices);
        self.failed = chunk.is_err();
        Some(chunk)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.reader.n_samples().saturating_sub(self.next);
        let n = if self.failed {
            0
        } else {
            left.div_ceil(self.chunk_size)
        };
        (n, Some(n))
    }
}
