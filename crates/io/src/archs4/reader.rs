//! Reading an ARCHS4 file: the gene metadata and the sample ids when opened, the counts and the
//! rest of the sample metadata only for the samples asked for, a chunk of HDF5 column blocks at a
//! time.
//!
//! Of the per-sample metadata, `open` keeps only the GSM accessions (one string and one offset
//! per sample). Every other field is read for the samples of each [`Archs4Reader::read_samples`]
//! call: a slice of its dataset (for variable-length strings, the slice's global heap references,
//! then the strings they point at) and turned into [`SampleMeta`]s, so that what the reader holds
//! does not grow with the file beyond the ids. `open` still reads every field once, a block at a
//! time and keeping nothing, so that a damaged field is refused when the file is opened, as before.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use ndarray::Array2;
use rnameta_core::{DataSource, Dataset, GeneAnnotation, GeneInfo, SampleMeta};
use rust_hdf5::{DatatypeMessage, H5Dataset, H5File};

use super::characteristics;
use super::container::{
    self, format_number, hdf5_error, object, open_checked, read_as_text, read_strings, Addressing,
    GlobalHeap,
};
use super::fields::{self, FieldProbe, FieldSpec, EXPRESSION};
use crate::error::{Error, ErrorKind, Location, Result};

/// Samples read per hyperslab of an unchunked (contiguous) matrix, where no HDF5 chunk says how
/// wide a column block should be.
const CONTIGUOUS_BLOCK: usize = 64;

/// Most bytes of `uint32` counts one hyperslab may hold. A file chunked by gene rows (chunks as
/// wide as the whole sample axis) would otherwise make one column block the whole matrix.
const MAX_BLOCK_BYTES: usize = 64 << 20;

/// Samples of a metadata field read at once when `open` reads the ids and checks the other
/// fields, and when [`Archs4Reader::samples`] builds every sample's metadata.
const META_BLOCK: usize = 4096;

/// Samples between two samples asked for that one slice of a metadata field still spans (rather
/// than two slices).
const SLICE_GAP: usize = 64;

/// A gene row of the file left out because its canonical id repeats an earlier row's.
///
/// ARCHS4 lists some genes twice (the same symbol on two loci in files keyed by symbol); rnameta
/// needs one column per id, so the first row is kept and the later ones are reported here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DroppedGene {
    /// Row of `data/expression` that was left out (0-based).
    pub row: usize,
    /// The repeated canonical id.
    pub id: String,
    /// Row kept for that id.
    pub kept_row: usize,
}

/// An open ARCHS4 file: gene metadata and sample ids in memory, counts and the rest of the sample
/// metadata read on demand.
///
/// Opening keeps the gene metadata and the GSM accessions (about 20 bytes a sample);
/// [`read_samples`](Self::read_samples) and [`chunks`](Self::chunks) read column blocks of
/// `data/expression` and slices of the sample metadata, so a file larger than memory can be
/// streamed. Counts are `uint32` in the file and `f32` in the [`Dataset`]: exact up to
/// 16,777,216 reads of one gene in one sample.
pub struct Archs4Reader {
    path: PathBuf,
    _file: H5File,
    expression: H5Dataset,
    matrix_genes: usize,
    block_width: usize,
    genes: GeneAnnotation,
    gene_rows: Vec<usize>,
    dropped_genes: Vec<DroppedGene>,
    columns: SampleColumns,
    /// Every sample's [`SampleMeta`], built on the first call of [`Archs4Reader::samples`].
    all_samples: OnceLock<Vec<SampleMeta>>,
    /// The HDF5 column block being scattered, reused from block to block.
    block: Mutex<Vec<u32>>,
    /// Resolves the global heap references of the variable-length string fields.
    heap: Mutex<GlobalHeap>,
    addressing: Addressing,
    probes: Vec<FieldProbe>,
    version: Option<String>,
    creation_date: Option<String>,
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
    /// Opens an ARCHS4 file (v1 or v2 layout) and reads its gene and sample metadata.
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
        let (expression, shape) = open_expression(&file, &path)?;
        let matrix_genes = shape[0];
        let widest = (MAX_BLOCK_BYTES / 4 / matrix_genes.max(1)).max(1);
        let block_width = expression
            .chunk_dims()
            .and_then(|dims| dims.get(1).copied())
            .filter(|w| *w > 0)
            .unwrap_or(CONTIGUOUS_BLOCK)
            .min(widest);

        let meta = MetaReader {
            file: &file,
            path: &path,
            probes: &probes,
            shape,
            addressing,
        };
        let (genes, gene_rows, dropped_genes) = meta.genes()?;
        let columns = meta.samples(&mut heap)?;
        // What the check of the fields walked is not needed again until the first chunk.
        heap.clear();
        let version = meta.scalar(&fields::VERSION)?;
        let creation_date = meta.scalar(&fields::CREATION_DATE)?;

        Ok(Self {
            path,
            _file: file,
            expression,
            matrix_genes,
            block_width,
            genes,
            gene_rows,
            dropped_genes,
            columns,
            all_samples: OnceLock::new(),
            block: Mutex::new(Vec::new()),
            heap: Mutex::new(heap),
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

    /// The genes, in the order of the columns of every [`Dataset`] read: canonical id = Ensembl
    /// id without version when the file has one for the gene, else the symbol.
    pub fn genes(&self) -> &GeneAnnotation {
        &self.genes
    }

    /// Gene rows left out because their id repeats an earlier row (first row kept).
    pub fn dropped_genes(&self) -> &[DroppedGene] {
        &self.dropped_genes
    }

    /// The samples, in file order: GSM as id, GEO series as study, tissue / sex / sample source
    /// from the characteristics, every characteristic and text field in `attributes`.
    ///
    /// Built on the first call (reading the metadata fields a block of samples at a time) and
    /// kept (about 2 KiB a sample): a caller that streams a large file should use
    /// [`sample_id`](Self::sample_id), [`sample_meta`](Self::sample_meta) or the samples of each
    /// chunk instead. `open` has read every field once, so a read fails here only if the file
    /// changed or became unreadable since; the samples of a block that cannot be read then have
    /// their id and nothing else ([`read_samples`](Self::read_samples) reports such an error).
    pub fn samples(&self) -> &[SampleMeta] {
        self.all_samples.get_or_init(|| {
            let n = self.n_samples();
            let mut samples = Vec::with_capacity(n);
            for start in (0..n).step_by(META_BLOCK) {
                let block: Vec<usize> = (start..n.min(start + META_BLOCK)).collect();
                match self.sample_metas(&block) {
                    Ok(metas) => samples.extend(metas),
                    Err(_) => samples.extend(block.iter().map(|&i| self.id_only(i))),
                }
            }
            samples
        })
    }

    /// The GSM accession of the sample at `index` (file order), `None` past the last sample.
    pub fn sample_id(&self, index: usize) -> Option<&str> {
        (index < self.n_samples()).then(|| self.columns.gsm.get(index))
    }

    /// The metadata of the sample at `index` (file order), as [`samples`](Self::samples) gives
    /// it, read afresh; `None` past the last sample. Should the read fail (see
    /// [`samples`](Self::samples)), the sample has its id and nothing else.
    pub fn sample_meta(&self, index: usize) -> Option<SampleMeta> {
        (index < self.n_samples()).then(|| {
            self.sample_metas(&[index])
                .ok()
                .and_then(|mut metas| metas.pop())
                .unwrap_or_else(|| self.id_only(index))
        })
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

    /// Counts of the samples at `indices` (file order positions), as a dataset whose rows follow
    /// `indices`. Reads only the HDF5 column blocks holding those samples, one block at a time.
    pub fn read_samples(&self, indices: &[usize]) -> Result<Dataset> {
        if let Some(&bad) = indices.iter().find(|&&i| i >= self.n_samples()) {
            return Err(self.matrix_error(ErrorKind::Malformed(format!(
                "sample index {bad} is out of range: the file has {} samples",
                self.n_samples()
            ))));
        }
        let mut counts = Array2::<f32>::zeros((indices.len(), self.n_genes()));
        {
            // A poisoned lock only means a panic while the buffer was filled; it is refilled.
            let mut block = self.block.lock().unwrap_or_else(|e| e.into_inner());
            for group in column_groups(indices, self.block_width) {
                self.read_group(indices, &group, &mut counts, &mut block)?;
            }
        }
        let samples = self.sample_metas(indices)?;
        Dataset::new(counts, self.genes.clone(), samples)
            .map_err(|e| Error::new(&self.path, object(EXPRESSION), ErrorKind::Dataset(e)))
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

    /// Reads one column block (samples of one HDF5 chunk column) into `block` (reused from call
    /// to call, so that its pages are not faulted in afresh) and scatters it into `counts`.
    fn read_group(
        &self,
        indices: &[usize],
        group: &[usize],
        counts: &mut Array2<f32>,
        block: &mut Vec<u32>,
    ) -> Result<()> {
        let (Some(&first), Some(&last)) = (group.first(), group.last()) else {
            return Ok(());
        };
        let lo = indices[first];
        let width = indices[last] - lo + 1;
        let len = self.matrix_genes.checked_mul(width).ok_or_else(|| {
            self.matrix_error(ErrorKind::Malformed(format!(
                "a {} x {width} block does not fit in memory",
                self.matrix_genes
            )))
        })?;
        block.resize(len, 0);
        self.expression
            .read_slice_into::<u32>(block, &[0, lo], &[self.matrix_genes, width])
            .map_err(|e| hdf5_error(&self.path, object(EXPRESSION), e))?;
        for &position in group {
            let column = indices[position] - lo;
            let mut row = counts.row_mut(position);
            for (value, &gene_row) in row.iter_mut().zip(&self.gene_rows) {
                *value = block[gene_row * width + column] as f32;
            }
        }
        Ok(())
    }

    fn matrix_error(&self, kind: ErrorKind) -> Error {
        Error::new(&self.path, object(EXPRESSION), kind)
    }

    /// The [`SampleMeta`]s of the samples at `indices` (in range, any order, repeats allowed),
    /// from one read of each metadata field over the slices covering them.
    fn sample_metas(&self, indices: &[usize]) -> Result<Vec<SampleMeta>> {
        let mut wanted = indices.to_vec();
        wanted.sort_unstable();
        wanted.dedup();
        let values = {
            // A poisoned lock only means a panic during a read; the heap's state is still valid.
            let mut heap = self.heap.lock().unwrap_or_else(|e| e.into_inner());
            heap.begin_read();
            let mut read = FieldRead {
                path: &self.path,
                addressing: self.addressing,
                heap: &mut heap,
                wanted: &wanted,
                slices: slices(&wanted),
            };
            self.columns.read(&mut read)?
        };
        Ok(indices
            .iter()
            .map(|i| {
                let at = wanted.binary_search(i).unwrap_or_default();
                values.meta(self.columns.gsm.get(*i), at)
            })
            .collect())
    }

    /// A sample with its id and nothing else.
    fn id_only(&self, index: usize) -> SampleMeta {
        SampleMeta::new(self.columns.gsm.get(index), DataSource::Archs4)
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

/// Positions of `indices` grouped by the HDF5 chunk column (of `width` samples) their sample lies
/// in, each group sorted by sample, so that every chunk is decompressed once per call.
fn column_groups(indices: &[usize], width: usize) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..indices.len()).collect();
    order.sort_by_key(|&p| indices[p]);
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut current_column = None;
    for position in order {
        let column = indices[position] / width;
        if current_column != Some(column) {
            groups.push(Vec::new());
            current_column = Some(column);
        }
        if let Some(group) = groups.last_mut() {
            group.push(position);
        }
    }
    groups
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

/// `data/expression` opened and checked: present, 2-D, unsigned 32-bit. Returns it with its
/// shape (genes, samples).
fn open_expression(file: &H5File, path: &Path) -> Result<(H5Dataset, [usize; 2])> {
    let at = || object(EXPRESSION);
    if !container::has_dataset(file, path, EXPRESSION)? {
        return Err(Error::new(
            path,
            at(),
            ErrorKind::Missing("the counts matrix /data/expression (genes x samples)".into()),
        ));
    }
    let dataset = container::open_dataset(file, path, EXPRESSION)?;
    let datatype = dataset.datatype().map_err(|e| hdf5_error(path, at(), e))?;
    if !matches!(
        datatype,
        DatatypeMessage::FixedPoint {
            size: 4,
            signed: false,
            ..
        }
    ) {
        return Err(Error::new(
            path,
            at(),
            ErrorKind::Malformed(format!(
                "datatype is {}; ARCHS4 stores counts as unsigned 32-bit integers",
                describe_datatype(&datatype)
            )),
        ));
    }
    match dataset.shape()[..] {
        [genes, samples] => Ok((dataset, [genes, samples])),
        ref other => Err(Error::new(
            path,
            at(),
            ErrorKind::Malformed(format!(
                "shape {other:?}: expected 2 dimensions (genes x samples)"
            )),
        )),
    }
}

/// A short name for a datatype in messages (`float64`, `int32`, `string`).
fn describe_datatype(datatype: &DatatypeMessage) -> String {
    match datatype {
        DatatypeMessage::FixedPoint { size, signed, .. } => {
            format!("{}int{}", if *signed { "" } else { "u" }, size * 8)
        }
        DatatypeMessage::FloatingPoint { size, .. } => format!("float{}", size * 8),
        DatatypeMessage::VarLenString { .. } | DatatypeMessage::FixedString { .. } => {
            "string".to_owned()
        }
        other => format!("{other:?}"),
    }
}

/// Reads the metadata datasets of an open file, checking their lengths against the matrix.
struct MetaReader<'a> {
    file: &'a H5File,
    path: &'a Path,
    probes: &'a [FieldProbe],
    shape: [usize; 2],
    addressing: Addressing,
}

impl MetaReader<'_> {
    /// A per-gene or per-sample text field, `None` when the file does not have it.
    fn field(&self, spec: &FieldSpec) -> Result<Option<(String, Vec<String>)>> {
        let Some(name) = fields::found(self.probes, spec) else {
            return Ok(None);
        };
        let values = read_as_text(self.file, self.path, name)?;
        self.check_length(spec, name, values.len())?;
        Ok(Some((name.to_owned(), values)))
    }

    /// Refuses a field of `entries` entries where the matrix has another number of genes or
    /// samples.
    fn check_length(&self, spec: &FieldSpec, name: &str, entries: usize) -> Result<()> {
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
    fn scalar(&self, spec: &FieldSpec) -> Result<Option<String>> {
        let Some(name) = fields::found(self.probes, spec) else {
            return Ok(None);
        };
        Ok(read_strings(self.file, self.path, name)?.into_iter().next())
    }

    /// The gene annotation (first row kept for a repeated id), the matrix row of each kept gene,
    /// and the rows dropped.
    fn genes(&self) -> Result<(GeneAnnotation, Vec<usize>, Vec<DroppedGene>)> {
        let symbols = self.field(&fields::GENE_SYMBOL)?;
        let ensembl = self.field(&fields::GENE_ENSEMBL)?;
        let biotypes = self.field(&fields::GENE_BIOTYPE)?;
        if symbols.is_none() && ensembl.is_none() {
            return Err(Error::new(
                self.path,
                object("meta/genes"),
                ErrorKind::Missing(format!(
                    "gene ids: none of {:?} or {:?}",
                    fields::GENE_SYMBOL.candidates,
                    fields::GENE_ENSEMBL.candidates
                )),
            ));
        }
        let text = |field: &Option<(String, Vec<String>)>, row: usize| {
            field
                .as_ref()
                .and_then(|(_, v)| v.get(row))
                .map(|s| s.trim())
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let mut kept = Vec::with_capacity(self.shape[0]);
        let mut rows = Vec::with_capacity(self.shape[0]);
        let mut dropped = Vec::new();
        let mut first_row: HashMap<String, usize> = HashMap::with_capacity(self.shape[0]);
        for row in 0..self.shape[0] {
            let symbol = text(&symbols, row);
            let gene = match (text(&ensembl, row), symbol.clone()) {
                (Some(raw), _) => GeneInfo::from_id(&raw),
                (None, Some(sym)) => GeneInfo::from_id(&sym),
                (None, None) => return Err(self.gene_without_id(row, &symbols, &ensembl)),
            };
            if let Some(&kept_row) = first_row.get(&gene.id) {
                dropped.push(DroppedGene {
                    row,
                    id: gene.id,
                    kept_row,
                });
                continue;
            }
            first_row.insert(gene.id.clone(), row);
            kept.push(GeneInfo {
                symbol,
                biotype: text(&biotypes, row),
                ..gene
            });
            rows.push(row);
        }
        let annotation = GeneAnnotation::new(kept)
            .map_err(|e| Error::new(self.path, object("meta/genes"), ErrorKind::Dataset(e)))?;
        Ok((annotation, rows, dropped))
    }

    fn gene_without_id(
        &self,
        row: usize,
        symbols: &Option<(String, Vec<String>)>,
        ensembl: &Option<(String, Vec<String>)>,
    ) -> Error {
        let name = ensembl
            .as_ref()
            .or(symbols.as_ref())
            .map(|(n, _)| n.clone())
            .unwrap_or_else(|| "meta/genes".to_owned());
        Error::new(
            self.path,
            object(&name),
            ErrorKind::Malformed(format!(
                "gene row {row} has neither an Ensembl id nor a symbol"
            )),
        )
    }

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
                if container::slices_references(self.addressing)
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
            // and kept, as every field was before.
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

    /// A per-sample field other than the ids, checked by reading it once (see
    /// [`SampleField::check`]); `None` when the file does not have it.
    fn checked_field(
        &self,
        spec: &FieldSpec,
        heap: &mut GlobalHeap,
    ) -> Result<Option<SampleField>> {
        let field = self.sample_field(spec)?;
        if let Some(field) = &field {
            field.check(self.path, self.addressing, heap, self.shape[1])?;
        }
        Ok(field)
    }

    /// The sample metadata: the GSM ids read into a compact column and checked for presence
    /// and uniqueness, every other field checked and left in the file.
    fn samples(&self, heap: &mut GlobalHeap) -> Result<SampleColumns> {
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
        let gsm = gsm_field.into_column(self.path, self.addressing, heap, self.shape[1])?;
        let series = self.checked_field(&fields::SERIES_ID, heap)?;
        let characteristics = self.checked_field(&fields::CHARACTERISTICS, heap)?;
        let source_names = self.checked_field(&fields::SOURCE_NAME, heap)?;
        let text_fields = fields::SAMPLE_TEXT_FIELDS
            .iter()
            .map(|spec| Ok(self.checked_field(spec, heap)?.map(|f| (spec.role, f))))
            .collect::<Result<Vec<_>>>()?
            .into_iter()
            .flatten()
            .collect();
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
        Ok(SampleColumns {
            gsm,
            series,
            characteristics,
            source_names,
            text_fields,
        })
    }
}

/// One per-sample text field, trimmed, held as one string and the end offset of each entry.
#[derive(Debug, Default)]
struct TextColumn {
    text: String,
    ends: Vec<usize>,
}

impl TextColumn {
    fn new(values: &[String]) -> Self {
        let mut column = Self {
            text: String::with_capacity(values.iter().map(|v| v.trim().len()).sum()),
            ends: Vec::with_capacity(values.len()),
        };
        for value in values {
            column.push(value);
        }
        column
    }

    /// Appends `value`, trimmed.
    fn push(&mut self, value: &str) {
        self.text.push_str(value.trim());
        self.ends.push(self.text.len());
    }

    fn len(&self) -> usize {
        self.ends.len()
    }

    /// The trimmed entry at `index` (empty past the end).
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
    /// ([`container::read_references`]), then the strings they point at ([`GlobalHeap`]).
    Strings(H5Dataset),
    /// Numbers, read a slice at a time and written as text ([`format_number`], as
    /// [`read_as_text`] writes them).
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

impl SampleField {
    /// The trimmed values of the samples `read.wanted`, in that order.
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
                    let slice = container::read_references(
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
                for value in read.heap.strings(&self.name, &references)? {
                    values.push(trimmed(value));
                }
            }
            Source::Numbers(dataset) => {
                let mut wanted = read.wanted.iter().peekable();
                for &(start, end) in &read.slices {
                    let numbers = dataset
                        .read_numeric_slice_as::<f64>(&[start], &[end - start])
                        .map_err(|e| hdf5_error(read.path, object(&self.name), e))?;
                    while let Some(i) = wanted.next_if(|&&i| i < end) {
                        let value = numbers.get(i - start).ok_or_else(short)?;
                        values.push(trimmed(format_number(*value)));
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
                    let references = container::read_references(
                        dataset, path, &self.name, addressing, start, count,
                    )?;
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

    /// All `n` values in a compact column, read a block at a time.
    fn into_column(
        self,
        path: &Path,
        addressing: Addressing,
        heap: &mut GlobalHeap,
        n: usize,
    ) -> Result<TextColumn> {
        if let Source::Whole(column) = self.source {
            return Ok(column);
        }
        let mut column = TextColumn {
            text: String::new(),
            ends: Vec::with_capacity(n),
        };
        for start in (0..n).step_by(META_BLOCK) {
            let end = n.min(start + META_BLOCK);
            let wanted: Vec<usize> = (start..end).collect();
            heap.begin_read();
            let mut read = FieldRead {
                path,
                addressing,
                heap,
                wanted: &wanted,
                slices: vec![(start, end)],
            };
            for value in self.values(&mut read)? {
                column.push(&value);
            }
        }
        column.text.shrink_to_fit();
        Ok(column)
    }
}

/// `value` without leading and trailing white space, reusing its allocation when it has none.
fn trimmed(value: String) -> String {
    let trim = value.trim();
    if trim.len() == value.len() {
        value
    } else {
        trim.to_owned()
    }
}

/// The sample metadata of a file: the ids in memory, the other fields read on demand.
#[derive(Debug)]
struct SampleColumns {
    gsm: TextColumn,
    series: Option<SampleField>,
    characteristics: Option<SampleField>,
    source_names: Option<SampleField>,
    text_fields: Vec<(&'static str, SampleField)>,
}

impl SampleColumns {
    fn len(&self) -> usize {
        self.gsm.len()
    }

    /// The values of every field but the ids for the samples `read.wanted`.
    fn read(&self, read: &mut FieldRead<'_>) -> Result<SampleValues> {
        let mut field = |f: &Option<SampleField>| f.as_ref().map(|f| f.values(read)).transpose();
        let series = field(&self.series)?;
        let characteristics = field(&self.characteristics)?;
        let source_names = field(&self.source_names)?;
        let text_fields = self
            .text_fields
            .iter()
            .map(|(role, f)| Ok((*role, f.values(read)?)))
            .collect::<Result<Vec<_>>>()?;
        Ok(SampleValues {
            series,
            characteristics,
            source_names,
            text_fields,
        })
    }
}

/// The metadata fields' trimmed values for the samples of one [`FieldRead`], in its `wanted`
/// order.
struct SampleValues {
    series: Option<Vec<String>>,
    characteristics: Option<Vec<String>>,
    source_names: Option<Vec<String>>,
    text_fields: Vec<(&'static str, Vec<String>)>,
}

impl SampleValues {
    /// The [`SampleMeta`] of the sample `id` whose values are at `at`: GSM as id, series as
    /// study, every text field in `attributes`, then the characteristics and source name applied.
    fn meta(&self, id: &str, at: usize) -> SampleMeta {
        fn value(values: Option<&Vec<String>>, at: usize) -> Option<&str> {
            values
                .and_then(|v| v.get(at))
                .map(String::as_str)
                .filter(|s| !s.is_empty())
        }
        let mut meta = SampleMeta::new(id, DataSource::Archs4);
        meta.study = value(self.series.as_ref(), at).map(str::to_owned);
        for (role, values) in &self.text_fields {
            if let Some(v) = value(Some(values), at) {
                meta.attributes.insert((*role).to_owned(), v.to_owned());
            }
        }
        let pairs = value(self.characteristics.as_ref(), at)
            .map(characteristics::parse_pairs)
            .unwrap_or_default();
        characteristics::apply(&mut meta, &pairs, value(self.source_names.as_ref(), at));
        meta
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

    #[test]
    fn groups_indices_by_chunk_column() {
        let indices = [40, 3, 17, 15, 0, 16];
        let groups = column_groups(&indices, 16);
        // positions sorted by sample, split at sample 16 and 32
        assert_eq!(groups, vec![vec![4, 1, 3], vec![5, 2], vec![0]]);
        assert!(column_groups(&[], 16).is_empty());
    }
}
