//! Opening an ARCHS4 file and reading what it stores: the gene metadata and the sample ids when
//! opened; the counts ([`Archs4Reader::read_counts`]) and the sample records
//! ([`Archs4Reader::records`]) only for the samples asked for. Nothing here interprets a record;
//! [`interpret`](super::interpret) does, and [`dataset`](super::dataset) composes the two into
//! datasets.

use std::cell::{RefCell, RefMut};
use std::path::{Path, PathBuf};

use ndarray::Array2;
use rnameta_core::GeneAnnotation;
use rust_hdf5::H5File;

use super::container::{object, open_checked, Addressing};
use super::expression::Expression;
use super::fields::{self, FieldProbe, EXPRESSION};
use super::genes::DroppedGene;
use super::heap::GlobalHeap;
use super::metadata::MetaReader;
use super::record::Archs4Record;
use super::sample_fields::SampleColumns;
use crate::error::{Error, ErrorKind, Result};

/// An open ARCHS4 file: gene metadata and sample ids in memory, counts and the rest of the sample
/// metadata read on demand.
///
/// Opening keeps the gene metadata and the GSM accessions (about 20 bytes a sample);
/// [`read_counts`](Self::read_counts) and [`records`](Self::records) read column blocks of
/// `data/expression` and slices of the sample metadata, so a file larger than memory can be
/// streamed. Counts are `uint32` in the file and `f32` in memory: exact up to 16,777,216 reads
/// of one gene in one sample.
///
/// Reads take `&self`: what a read changes (the heap reader's file handle and collection
/// indexes, the buffer of a column block: `ReadState`) sits in one `RefCell`, borrowed for the
/// whole of each read. The reader is neither `Send` nor `Sync` (rust-hdf5's file handle is an
/// `Rc`), so reads cannot overlap: a thread that streams a file opens its own reader, as
/// `rnameta annotate`'s read-ahead thread does.
pub struct Archs4Reader {
    path: PathBuf,
    _file: H5File,
    expression: Expression,
    genes: GeneAnnotation,
    gene_rows: Vec<usize>,
    dropped_genes: Vec<DroppedGene>,
    columns: SampleColumns,
    /// The one mutable thing of a read, borrowed for the whole of each read.
    state: RefCell<ReadState>,
    addressing: Addressing,
    probes: Vec<FieldProbe>,
    version: Option<String>,
    creation_date: Option<String>,
}

/// What reading changes (kept inside [`Archs4Reader`] so reads take `&self`): the heap reader (a plain file handle beside the HDF5 library's, and the
/// indexes of the heap collections the last read used, kept for the next) and the buffer a
/// column block of counts is read into (reused so that its pages are not faulted in afresh).
struct ReadState {
    heap: GlobalHeap,
    block: Vec<u32>,
}

impl std::fmt::Debug for Archs4Reader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Archs4Reader")
            .field("path", &self.path)
            .field("n_genes", &self.genes.len())
            .field("n_samples", &self.n_samples())
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}

impl Archs4Reader {
    /// Opens an ARCHS4 file (v1 or v2 layout) and reads its gene metadata and sample ids,
    /// reading every other sample field once to check it.
    ///
    /// Refuses, with the file and the object or sample named: an empty, non-HDF5 or truncated
    /// file; a missing `data/expression` or a matrix that is not 2-D `uint32`; metadata whose
    /// length disagrees with the matrix or that cannot be read (a damaged global heap collection
    /// or reference); a missing, empty or repeated GSM accession.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        let (file, addressing) = open_checked(&path)?;
        let mut heap = GlobalHeap::open(&path, addressing)?;
        let probes = fields::probe_all(&file, &path)?;
        let expression = Expression::open(&file, &path)?;
        let meta = MetaReader {
            file: &file,
            path: &path,
            probes: &probes,
            shape: expression.shape(),
            addressing,
        };
        let genes = meta.genes()?;
        let columns = meta.sample_columns(&mut heap)?;
        // What the check of the fields walked is not needed again until the first read.
        heap.clear();
        let version = meta.scalar(&fields::VERSION)?;
        let creation_date = meta.scalar(&fields::CREATION_DATE)?;

        Ok(Self {
            path,
            _file: file,
            expression,
            genes: genes.annotation,
            gene_rows: genes.rows,
            dropped_genes: genes.dropped,
            columns,
            state: RefCell::new(ReadState {
                heap,
                block: Vec::new(),
            }),
            addressing,
            probes,
            version,
            creation_date,
        })
    }

    /// The file read.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Number of samples (columns of `data/expression`).
    pub fn n_samples(&self) -> usize {
        self.columns.len()
    }

    /// Number of genes kept (rows of `data/expression` less the [`dropped_genes`](Self::dropped_genes)).
    pub fn n_genes(&self) -> usize {
        self.genes.len()
    }

    /// The genes, in the order of the columns of every count matrix read: canonical id = Ensembl
    /// id without version when the file has one for the gene, else the symbol.
    pub fn genes(&self) -> &GeneAnnotation {
        &self.genes
    }

    /// Gene rows left out because their id repeats an earlier row (first row kept).
    pub fn dropped_genes(&self) -> &[DroppedGene] {
        &self.dropped_genes
    }

    /// The GSM accession of the sample at `index` (file order), `None` past the last sample.
    pub fn sample_id(&self, index: usize) -> Option<&str> {
        (index < self.n_samples()).then(|| self.columns.id(index))
    }

    /// Every metadata field probed and the dataset found for it (for `rnameta inspect`).
    pub fn fields_found(&self) -> &[FieldProbe] {
        &self.probes
    }

    /// The ARCHS4 release string of `meta/info/version`, when the file has one.
    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }

    /// The build date of `meta/info/creation-date`, when the file has one.
    pub fn creation_date(&self) -> Option<&str> {
        self.creation_date.as_deref()
    }

    /// Counts of the samples at `indices` (file order positions; any order, repeats allowed):
    /// one row per index, one column per gene of [`genes`](Self::genes). Reads only the HDF5
    /// column blocks holding those samples, one block at a time.
    pub fn read_counts(&self, indices: &[usize]) -> Result<Array2<f32>> {
        self.check_indices(indices)?;
        let mut state = self.state();
        let ReadState { block, .. } = &mut *state;
        self.expression
            .read(&self.path, indices, &self.gene_rows, block)
    }

    /// The stored metadata of the samples at `indices` (file order positions; any order, repeats
    /// allowed), one record per index, from one read of each field over the slices covering
    /// them. A field that cannot be read is an error naming the file and the dataset.
    pub fn records(&self, indices: &[usize]) -> Result<Vec<Archs4Record>> {
        self.check_indices(indices)?;
        let mut state = self.state();
        self.columns
            .records(&self.path, self.addressing, &mut state.heap, indices)
    }

    /// The stored metadata of the sample at `index` (file order).
    pub fn record(&self, index: usize) -> Result<Archs4Record> {
        let mut records = self.records(&[index])?;
        records.pop().ok_or_else(|| {
            self.matrix_error(format!("no record was read for sample index {index}"))
        })
    }

    /// Refuses an index past the last sample.
    fn check_indices(&self, indices: &[usize]) -> Result<()> {
        match indices.iter().find(|&&i| i >= self.n_samples()) {
            Some(bad) => Err(self.matrix_error(format!(
                "sample index {bad} is out of range: the file has {} samples",
                self.n_samples()
            ))),
            None => Ok(()),
        }
    }

    fn matrix_error(&self, message: String) -> Error {
        Error::new(
            &self.path,
            object(EXPRESSION),
            ErrorKind::Malformed(message),
        )
    }

    /// The read state, for one read. Never borrowed twice: the reader is not `Sync`, and no read
    /// calls another (or anything outside io) while it holds the state.
    fn state(&self) -> RefMut<'_, ReadState> {
        self.state.borrow_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads of one reader in turn (as a stream and its caller make them) each borrow the state
    /// once and release it.
    #[test]
    fn reads_in_turn_share_the_state() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../fixtures/real/geuvadis_archs4_layout.h5"
        );
        let reader = Archs4Reader::open(path).expect("fixture");
        let records = reader.records(&[0, 1]).expect("records");
        let counts = reader.read_counts(&[1, 0]).expect("counts");
        assert_eq!(records[1], reader.record(1).expect("record"));
        assert_eq!(
            counts.row(0),
            reader.read_counts(&[1]).expect("counts").row(0)
        );
        assert!(reader.state.try_borrow_mut().is_ok());
    }
}
