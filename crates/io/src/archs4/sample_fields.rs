//! The per-sample metadata of an ARCHS4 file read as [`Archs4Record`]s: the GSM accessions kept in
//! memory from the open (one string and one offset per sample), every other field read for the
//! samples asked for, as a slice of its dataset (for variable-length strings, the slice's global
//! heap references, then the strings they point at; see [`heap`](super::heap)).
//!
//! When the file is opened every field is read once, a block of samples at a time and keeping
//! nothing, so that a damaged field is refused at open rather than in the middle of a stream.

use std::collections::HashSet;
use std::path::Path;

use rust_hdf5::{DatatypeMessage, H5Dataset};

use super::container::{self, format_number, hdf5_error, object, Addressing};
use super::fields::{self, FieldSpec};
use super::heap::{self, GlobalHeap};
use super::metadata::MetaReader;
use super::record::{Archs4Record, RECORD_FIELDS};
use crate::error::{Error, ErrorKind, Location, Result};

/// Samples of a metadata field read at once when the file is opened (the ids, the check of the
/// other fields).
const META_BLOCK: usize = 4096;

/// Samples between two samples asked for that one slice of a metadata field still spans (rather
/// than two slices).
const SLICE_GAP: usize = 64;

/// One per-sample text field held as one string and the end offset of each entry.
#[derive(Debug, Default)]
struct TextColumn {
    text: String,
    ends: Vec<usize>,
}

impl TextColumn {
    fn new(values: &[String]) -> Self {
        let mut column = Self {
            text: String::with_capacity(values.iter().map(String::len).sum()),
            ends: Vec::with_capacity(values.len()),
        };
        for value in values {
            column.push(value);
        }
        column
    }

    fn push(&mut self, value: &str) {
        self.text.push_str(value);
        self.ends.push(self.text.len());
    }

    fn len(&self) -> usize {
        self.ends.len()
    }

    /// The entry at `index` (empty past the end).
    fn get(&self, index: usize) -> &str {
        let start = match index.checked_sub(1) {
            Some(before) => self.ends.get(before).copied().unwrap_or(self.text.len()),
            None => 0,
        };
        let end = self.ends.get(index).copied().unwrap_or(start);
        self.text.get(start..end).unwrap_or("")
    }
}

/// A per-sample metadata field of the file and how its values are read.
struct SampleField {
    /// The dataset (`/meta/samples/series_id`).
    name: String,
    source: Source,
}

/// Where a [`SampleField`]'s values come from.
enum Source {
    /// Variable-length strings, read a slice at a time: the slice's global heap references
    /// ([`heap::read_references`]), then the strings they point at ([`GlobalHeap`]).
    Strings(H5Dataset),
    /// Numbers, read a slice at a time and written as text ([`format_number`]).
    Numbers(H5Dataset),
    /// Read whole when the file was opened and kept (see [`MetaReader::sample_field`]).
    Whole(TextColumn),
}

impl std::fmt::Debug for SampleField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let source = match &self.source {
            Source::Strings(_) => "strings by slice",
            Source::Numbers(_) => "numbers by slice",
            Source::Whole(_) => "read whole",
        };
        f.debug_struct("SampleField")
            .field("name", &self.name)
            .field("source", &source)
            .finish()
    }
}

/// One read of the metadata fields: the samples wanted and the slices of each field covering
/// them.
struct FieldRead<'a> {
    path: &'a Path,
    addressing: Addressing,
    heap: &'a mut GlobalHeap,
    /// Sample indices, sorted and distinct.
    wanted: &'a [usize],
    /// See [`slices`].
    slices: Vec<(usize, usize)>,
}

impl<'a> FieldRead<'a> {
    /// A new read of the samples `wanted` (sorted, distinct) over `slices`; `heap` starts a new
    /// read, so the strings of an earlier one are not kept.
    fn begin(
        path: &'a Path,
        addressing: Addressing,
        heap: &'a mut GlobalHeap,
        wanted: &'a [usize],
        slices: Vec<(usize, usize)>,
    ) -> Self {
        heap.begin_read();
        FieldRead {
            path,
            addressing,
            heap,
            wanted,
            slices,
        }
    }
}

impl SampleField {
    /// The values of the samples `read.wanted`, in that order, as stored.
    fn values(&self, read: &mut FieldRead<'_>) -> Result<Vec<String>> {
        let short = || {
            Error::new(
                read.path,
                object(&self.name),
                ErrorKind::Malformed("a slice read returned fewer elements than asked".into()),
            )
        };
        let mut values = Vec::with_capacity(read.wanted.len());
        match &self.source {
            Source::Strings(dataset) => {
                let size = read.addressing.reference_size();
                let mut references = Vec::with_capacity(read.wanted.len() * size);
                let mut wanted = read.wanted.iter().peekable();
                for &(start, end) in &read.slices {
                    let slice = heap::read_references(
                        dataset,
                        read.path,
                        &self.name,
                        read.addressing,
                        start,
                        end - start,
                    )?;
                    while let Some(i) = wanted.next_if(|&&i| i < end) {
                        let at = (i - start) * size;
                        references.extend_from_slice(slice.get(at..at + size).ok_or_else(short)?);
                    }
                }
                values = read.heap.strings(&self.name, &references)?;
            }
            Source::Numbers(dataset) => {
                let mut wanted = read.wanted.iter().peekable();
                for &(start, end) in &read.slices {
                    let numbers = dataset
                        .read_numeric_slice_as::<f64>(&[start], &[end - start])
                        .map_err(|e| hdf5_error(read.path, object(&self.name), e))?;
                    while let Some(i) = wanted.next_if(|&&i| i < end) {
                        let value = numbers.get(i - start).ok_or_else(short)?;
                        values.push(format_number(*value));
                    }
                }
            }
            Source::Whole(column) => {
                values.extend(read.wanted.iter().map(|&i| column.get(i).to_owned()));
            }
        }
        Ok(values)
    }

    /// Reads every one of the `n` samples' values once, a block at a time, keeping nothing: for
    /// strings, only their references and the object headers of the heap collections they
    /// point at (every failure to resolve one shows there), for numbers their slices.
    fn check(
        &self,
        path: &Path,
        addressing: Addressing,
        heap: &mut GlobalHeap,
        n: usize,
    ) -> Result<()> {
        for start in (0..n).step_by(META_BLOCK) {
            let count = META_BLOCK.min(n - start);
            match &self.source {
                Source::Strings(dataset) => {
                    let references =
                        heap::read_references(dataset, path, &self.name, addressing, start, count)?;
                    heap.begin_read();
                    heap.check(&self.name, &references)?;
                }
                Source::Numbers(dataset) => {
                    dataset
                        .read_numeric_slice_as::<f64>(&[start], &[count])
                        .map_err(|e| hdf5_error(path, object(&self.name), e))?;
                }
                Source::Whole(_) => {}
            }
        }
        Ok(())
    }

    /// All `n` values, trimmed, in a compact column, read a block at a time (the ids).
    fn into_trimmed_column(
        self,
        path: &Path,
        addressing: Addressing,
        heap: &mut GlobalHeap,
        n: usize,
    ) -> Result<TextColumn> {
        let mut column = TextColumn {
            text: String::new(),
            ends: Vec::with_capacity(n),
        };
        if let Source::Whole(whole) = &self.source {
            for i in 0..whole.len() {
                column.push(whole.get(i).trim());
            }
            return Ok(column);
        }
        for start in (0..n).step_by(META_BLOCK) {
            let end = n.min(start + META_BLOCK);
            let wanted: Vec<usize> = (start..end).collect();
            let mut read = FieldRead::begin(path, addressing, heap, &wanted, vec![(start, end)]);
            for value in self.values(&mut read)? {
                column.push(value.trim());
            }
        }
        column.text.shrink_to_fit();
        Ok(column)
    }
}

/// The sample metadata of a file: the ids in memory, the other fields read on demand.
#[derive(Debug)]
pub(crate) struct SampleColumns {
    /// The GSM accessions, trimmed.
    gsm: TextColumn,
    /// The fields of [`RECORD_FIELDS`] the file has, in that order.
    fields: Vec<(FieldSpec, SampleField)>,
}

impl SampleColumns {
    /// Number of samples.
    pub(crate) fn len(&self) -> usize {
        self.gsm.len()
    }

    /// The GSM accession of the sample at `index` (empty past the end).
    pub(crate) fn id(&self, index: usize) -> &str {
        self.gsm.get(index)
    }

    /// The records of the samples at `indices` (in range, any order, repeats allowed), from one
    /// read of each field over the slices covering them. `heap` starts a new read.
    pub(crate) fn records(
        &self,
        path: &Path,
        addressing: Addressing,
        heap: &mut GlobalHeap,
        indices: &[usize],
    ) -> Result<Vec<Archs4Record>> {
        let mut wanted = indices.to_vec();
        wanted.sort_unstable();
        wanted.dedup();
        let mut read = FieldRead::begin(path, addressing, heap, &wanted, slices(&wanted));
        let mut records: Vec<Archs4Record> = indices
            .iter()
            .map(|&i| Archs4Record::new(self.gsm.get(i)))
            .collect();
        // Consecutive distinct samples (a chunk) take each value as read; others look it up.
        let in_order = wanted.as_slice() == indices;
        for (spec, field) in &self.fields {
            let values = field.values(&mut read)?;
            if in_order {
                for (record, value) in records.iter_mut().zip(values) {
                    if let Some(slot) = record.slot(spec) {
                        *slot = Some(value);
                    }
                }
            } else {
                for (record, i) in records.iter_mut().zip(indices) {
                    let at = wanted.binary_search(i).unwrap_or_default();
                    if let Some(slot) = record.slot(spec) {
                        *slot = values.get(at).cloned();
                    }
                }
            }
        }
        Ok(records)
    }
}

/// The slices (`start..end`) of a metadata field that cover the samples `wanted` (sorted,
/// distinct): consecutive samples in one slice, and samples at most [`SLICE_GAP`] apart too.
fn slices(wanted: &[usize]) -> Vec<(usize, usize)> {
    let mut slices: Vec<(usize, usize)> = Vec::new();
    for &i in wanted {
        match slices.last_mut() {
            Some((_, end)) if i <= *end + SLICE_GAP => *end = i + 1,
            _ => slices.push((i, i + 1)),
        }
    }
    slices
}

impl MetaReader<'_> {
    /// A per-sample field ready to be read by slices (or read whole where it cannot be), its
    /// length checked against the matrix; `None` when the file does not have it.
    fn sample_field(&self, spec: &FieldSpec) -> Result<Option<SampleField>> {
        let Some(name) = fields::found(self.probes, spec) else {
            return Ok(None);
        };
        let dataset = container::open_dataset(self.file, self.path, name)?;
        let datatype = dataset
            .datatype()
            .map_err(|e| hdf5_error(self.path, object(name), e))?;
        let shape = dataset.shape();
        let source = match (&shape[..], datatype) {
            ([_], DatatypeMessage::VarLenString { .. })
                if heap::slices_references(self.addressing)
                    && dataset.element_size() == self.addressing.reference_size() =>
            {
                Source::Strings(dataset)
            }
            ([_], DatatypeMessage::FixedPoint { .. } | DatatypeMessage::FloatingPoint { .. }) => {
                Source::Numbers(dataset)
            }
            // rust-hdf5 0.7.9 reads a slice only as a Rust type of the dataset's element size
            // (`H5Type::element_size` is fixed per type), and a fixed-length string's width is
            // known only from the file: such a field, and one that is not 1-D, is read whole
            // and kept.
            _ => {
                return Ok(self.field(spec)?.map(|(name, values)| SampleField {
                    name,
                    source: Source::Whole(TextColumn::new(&values)),
                }))
            }
        };
        self.check_length(spec, name, shape[0])?;
        Ok(Some(SampleField {
            name: name.to_owned(),
            source,
        }))
    }

    /// The sample metadata: the GSM ids read into a compact column and checked for presence
    /// and uniqueness, every other field of [`RECORD_FIELDS`] checked by reading it once (see
    /// [`SampleField::check`]) and left in the file.
    pub(crate) fn sample_columns(&self, heap: &mut GlobalHeap) -> Result<SampleColumns> {
        let Some(gsm_field) = self.sample_field(&fields::GEO_ACCESSION)? else {
            return Err(Error::new(
                self.path,
                object("meta/samples/geo_accession"),
                ErrorKind::Missing(format!(
                    "sample ids (GSM accessions): none of {:?}",
                    fields::GEO_ACCESSION.candidates
                )),
            ));
        };
        let gsm_name = gsm_field.name.clone();
        let gsm = gsm_field.into_trimmed_column(self.path, self.addressing, heap, self.shape[1])?;
        let mut found = Vec::with_capacity(RECORD_FIELDS.len());
        for spec in RECORD_FIELDS {
            if let Some(field) = self.sample_field(&spec)? {
                field.check(self.path, self.addressing, heap, self.shape[1])?;
                found.push((spec, field));
            }
        }
        let mut seen: HashSet<&str> = HashSet::with_capacity(gsm.len());
        for column in 0..gsm.len() {
            let id = gsm.get(column);
            if id.is_empty() {
                return Err(Error::new(
                    self.path,
                    object(&gsm_name),
                    ErrorKind::Malformed(format!("sample column {column} has an empty accession")),
                ));
            }
            if !seen.insert(id) {
                return Err(Error::new(
                    self.path,
                    Location::Sample(id.to_owned()),
                    ErrorKind::DuplicateSample { id: id.to_owned() },
                ));
            }
        }
        drop(seen);
        Ok(SampleColumns { gsm, fields: found })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn covers_wanted_samples_with_few_slices() {
        assert_eq!(slices(&[]), vec![]);
        assert_eq!(slices(&[3, 4, 5]), vec![(3, 6)]);
        // a gap of SLICE_GAP samples is spanned, a wider one is not
        assert_eq!(slices(&[0, 1 + SLICE_GAP]), vec![(0, 2 + SLICE_GAP)]);
        assert_eq!(
            slices(&[0, 2 + SLICE_GAP, 900]),
            vec![(0, 1), (2 + SLICE_GAP, 3 + SLICE_GAP), (900, 901)]
        );
    }
}
