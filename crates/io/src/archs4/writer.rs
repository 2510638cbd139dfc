//! Writing the ARCHS4 v2 layout, a block of samples at a time, so that a file of ARCHS4's size
//! (hundreds of thousands of samples) is written without the whole matrix in memory.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use ndarray::ArrayView2;
use rnameta_core::{Dataset, GeneAnnotation, GeneIdKind, SampleMeta};
use rust_hdf5::{H5Dataset, H5File, H5Group};

use super::characteristics;
use super::container::{hdf5_error, object};
use super::fields::EXPRESSION;
use crate::error::{Error, ErrorKind, Location, Result};
use crate::write::write_atomically_with_path;

/// Sample fields the writer stores as datasets of their own (so they are not repeated in the
/// characteristics string).
const SAMPLE_FIELD_NAMES: [&str; 8] = [
    "geo_accession",
    "series_id",
    "title",
    "source_name_ch1",
    "characteristics_ch1",
    "library_strategy",
    "singlecellprobability",
    "readsaligned",
];

/// How an ARCHS4 file is written.
#[derive(Debug, Clone, PartialEq)]
pub struct WriteOptions {
    /// Genes per HDF5 chunk of `data/expression` (capped at the number of genes).
    pub chunk_genes: usize,
    /// Samples per HDF5 chunk; a reader decompresses this many samples to get one, so keep it
    /// small. Also the block size in which [`write()`] hands a dataset to the writer.
    pub chunk_samples: usize,
    /// gzip level of the chunks, 0 to 9 (ARCHS4 uses 4).
    pub deflate_level: u32,
    /// The release string stored in `meta/info/version`.
    pub version: String,
    /// The date stored in `meta/info/creation-date`; `None` leaves it out, which keeps the output
    /// identical from run to run (the simulator writes deterministic files).
    pub creation_date: Option<String>,
}

impl Default for WriteOptions {
    /// Chunks of 2048 genes x 64 samples (512 KiB of counts), gzip level 4.
    fn default() -> Self {
        Self {
            chunk_genes: 2048,
            chunk_samples: 64,
            deflate_level: 4,
            version: "2.rnameta".to_owned(),
            creation_date: None,
        }
    }
}

/// Writes a whole dataset as an ARCHS4 v2 file, atomically (the file appears complete or not at
/// all). Counts must be non-negative whole numbers that fit `uint32`.
pub fn write(path: impl AsRef<Path>, dataset: &Dataset, options: &WriteOptions) -> Result<()> {
    let block = options.chunk_samples.max(1);
    write_with(path, dataset.genes(), options, |writer| {
        let counts = dataset.counts();
        let mut start = 0;
        while start < dataset.n_samples() {
            let end = dataset.n_samples().min(start + block);
            let rows = counts.slice(ndarray::s![start..end, ..]);
            writer.append_rows(rows, &dataset.samples()[start..end])?;
            start = end;
        }
        Ok(())
    })
}

/// Writes the blocks of samples an iterator yields (each with exactly `genes`, in order) as one
/// ARCHS4 file, atomically; only one block is in memory at a time. Returns the samples written.
/// The first error, from the iterator or the writer, stops the write and leaves no file.
///
/// Blocks whose sizes are multiples of [`WriteOptions::chunk_samples`] fill whole HDF5 chunks;
/// other sizes work too, at the cost of re-compressing the chunk column two blocks share.
pub fn write_blocks<I>(
    path: impl AsRef<Path>,
    genes: &GeneAnnotation,
    blocks: I,
    options: &WriteOptions,
) -> Result<usize>
where
    I: IntoIterator<Item = Result<Dataset>>,
{
    let mut written = 0;
    write_with(path, genes, options, |writer| {
        for block in blocks {
            writer.append(&block?)?;
        }
        written = writer.n_samples();
        Ok(())
    })?;
    Ok(written)
}

/// Creates an ARCHS4 file for `genes` and hands an [`Archs4Writer`] to `fill`, which appends
/// sample blocks; the file is completed and moved into place only if `fill` succeeds.
pub fn write_with<F>(
    path: impl AsRef<Path>,
    genes: &GeneAnnotation,
    options: &WriteOptions,
    fill: F,
) -> Result<()>
where
    F: FnOnce(&mut Archs4Writer) -> Result<()>,
{
    let target = path.as_ref();
    write_atomically_with_path(target, |tmp| {
        let mut writer = Archs4Writer::create(tmp, target, genes, options)?;
        fill(&mut writer)?;
        writer.finish()
    })
}

/// Appends blocks of samples to an ARCHS4 file being written (see [`write_with`]).
///
/// `data/expression` grows by one block per [`append`](Self::append); the gene metadata is
/// written when the file is created and the sample metadata when it is finished.
pub struct Archs4Writer {
    target: PathBuf,
    file: H5File,
    expression: H5Dataset,
    gene_ids: Vec<String>,
    version: String,
    creation_date: Option<String>,
    seen: HashSet<String>,
    records: SampleRecords,
}

impl std::fmt::Debug for Archs4Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Archs4Writer")
            .field("target", &self.target)
            .field("n_genes", &self.gene_ids.len())
            .field("n_samples", &self.n_samples())
            .finish_non_exhaustive()
    }
}

impl Archs4Writer {
    /// Opens `tmp` for writing; errors name `target`, the file the user asked for.
    fn create(
        tmp: &Path,
        target: &Path,
        genes: &GeneAnnotation,
        options: &WriteOptions,
    ) -> Result<Self> {
        let err = |location: Location| {
            let target = target.to_path_buf();
            move |e| hdf5_error(&target, location, e)
        };
        if genes.is_empty() {
            return Err(Error::new(
                target,
                object("meta/genes"),
                ErrorKind::Malformed("an ARCHS4 file needs at least one gene".into()),
            ));
        }
        let n_genes = genes.len();
        let file = H5File::create(tmp).map_err(err(Location::File))?;
        let data = file.create_group("data").map_err(err(object("data")))?;
        let expression = data
            .new_dataset::<u32>()
            .shape([n_genes, 0])
            .chunk(&[
                options.chunk_genes.clamp(1, n_genes),
                options.chunk_samples.max(1),
            ])
            .max_shape(&[Some(n_genes), None])
            .deflate(options.deflate_level.min(9))
            .create("expression")
            .map_err(err(object(EXPRESSION)))?;
        let meta = file.create_group("meta").map_err(err(object("meta")))?;
        write_gene_meta(&meta, target, genes)?;
        Ok(Self {
            target: target.to_path_buf(),
            file,
            expression,
            gene_ids: genes.ids().map(str::to_owned).collect(),
            version: options.version.clone(),
            creation_date: options.creation_date.clone(),
            seen: HashSet::new(),
            records: SampleRecords::default(),
        })
    }

    /// Samples written so far.
    pub fn n_samples(&self) -> usize {
        self.records.geo_accession.len()
    }

    /// Appends a block of samples. Its genes must be the file's, in the same order; its sample
    /// ids must not repeat any written before; its counts must be whole numbers in `uint32`.
    pub fn append(&mut self, block: &Dataset) -> Result<()> {
        self.check_genes(block.genes())?;
        self.append_rows(block.counts().view(), block.samples())
    }

    /// Appends rows of counts (samples x genes, the file's genes) with their samples.
    fn append_rows(&mut self, counts: ArrayView2<'_, f32>, samples: &[SampleMeta]) -> Result<()> {
        let n_genes = self.gene_ids.len();
        let width = samples.len();
        if width == 0 {
            return Ok(());
        }
        if counts.dim() != (width, n_genes) {
            return Err(Error::new(
                &self.target,
                object(EXPRESSION),
                ErrorKind::Malformed(format!(
                    "block of {} x {} counts for {width} samples and {n_genes} genes",
                    counts.nrows(),
                    counts.ncols()
                )),
            ));
        }
        for sample in samples {
            if !self.seen.insert(sample.sample_id.clone()) {
                return Err(Error::new(
                    &self.target,
                    Location::Sample(sample.sample_id.clone()),
                    ErrorKind::DuplicateSample {
                        id: sample.sample_id.clone(),
                    },
                ));
            }
        }
        let block = self.genes_by_samples(counts, samples)?;
        let start = self.n_samples();
        let at = || object(EXPRESSION);
        self.expression
            .extend(&[n_genes, start + width])
            .map_err(|e| hdf5_error(&self.target, at(), e))?;
        self.expression
            .write_slice(&[0, start], &[n_genes, width], &block)
            .map_err(|e| hdf5_error(&self.target, at(), e))?;
        for (row, sample) in counts.rows().into_iter().zip(samples) {
            let reads: f64 = row.iter().map(|&v| f64::from(v)).sum();
            self.records.push(sample, reads);
        }
        Ok(())
    }

    /// The block transposed to the file's genes x samples order, each count checked.
    fn genes_by_samples(
        &self,
        counts: ArrayView2<'_, f32>,
        samples: &[SampleMeta],
    ) -> Result<Vec<u32>> {
        let width = samples.len();
        let mut block = vec![0u32; self.gene_ids.len() * width];
        for (column, (row, sample)) in counts.rows().into_iter().zip(samples).enumerate() {
            for (gene, &value) in row.iter().enumerate() {
                let count = to_count(value).map_err(|kind| {
                    Error::new(
                        &self.target,
                        Location::Sample(sample.sample_id.clone()),
                        kind,
                    )
                })?;
                block[gene * width + column] = count;
            }
        }
        Ok(block)
    }

    /// Refuses a block whose genes are not the file's.
    fn check_genes(&self, genes: &GeneAnnotation) -> Result<()> {
        if genes.len() != self.gene_ids.len() {
            return Err(Error::new(
                &self.target,
                object("meta/genes"),
                ErrorKind::Malformed(format!(
                    "a block has {} genes but the file has {}",
                    genes.len(),
                    self.gene_ids.len()
                )),
            ));
        }
        match genes.ids().zip(&self.gene_ids).position(|(a, b)| a != b) {
            None => Ok(()),
            Some(column) => Err(Error::new(
                &self.target,
                Location::Gene(self.gene_ids[column].clone()),
                ErrorKind::Malformed(format!(
                    "a block has gene {:?} in column {column} where the file has {:?}",
                    genes.get(column).map(|g| g.id.as_str()).unwrap_or(""),
                    self.gene_ids[column]
                )),
            )),
        }
    }

    /// Writes the sample metadata and the release information, and closes the file.
    fn finish(self) -> Result<()> {
        let err = |name: &str| {
            let target = self.target.clone();
            let location = object(name);
            move |e| hdf5_error(&target, location, e)
        };
        let meta = self.file.root_group().group("meta").map_err(err("meta"))?;
        let samples = meta.create_group("samples").map_err(err("meta/samples"))?;
        self.records.write(&samples, &self.target)?;
        let info = meta.create_group("info").map_err(err("meta/info"))?;
        write_strings(&info, &self.target, "version", &[self.version.as_str()])?;
        if let Some(date) = &self.creation_date {
            write_strings(&info, &self.target, "creation-date", &[date.as_str()])?;
        }
        drop(self.expression);
        self.file
            .close()
            .map_err(|e| hdf5_error(&self.target, Location::File, e))
    }
}

/// One count as stored: a whole number from 0 to `u32::MAX`.
fn to_count(value: f32) -> std::result::Result<u32, ErrorKind> {
    if !value.is_finite() {
        return Err(ErrorKind::NotFinite {
            value: value.to_string(),
        });
    }
    if value < 0.0 {
        return Err(ErrorKind::NegativeCount {
            value: f64::from(value),
        });
    }
    if value.fract() != 0.0 || f64::from(value) > f64::from(u32::MAX) {
        return Err(ErrorKind::Malformed(format!(
            "count {value} is not a whole number that fits uint32; ARCHS4 stores read counts"
        )));
    }
    Ok(value as u32)
}

/// `meta/genes/{symbol, ensembl_gene, biotype}`: the symbol (the id for a gene known by a
/// non-Ensembl id), the Ensembl id (empty for such a gene), the biotype (empty when unknown).
fn write_gene_meta(meta: &H5Group, target: &Path, genes: &GeneAnnotation) -> Result<()> {
    let group = meta
        .create_group("genes")
        .map_err(|e| hdf5_error(target, object("meta/genes"), e))?;
    let mut symbols = Vec::with_capacity(genes.len());
    let mut ensembl = Vec::with_capacity(genes.len());
    let mut biotypes = Vec::with_capacity(genes.len());
    for gene in genes.genes() {
        let is_ensembl = matches!(
            GeneIdKind::of(&gene.id),
            GeneIdKind::Ensembl | GeneIdKind::EnsemblVersioned
        );
        if is_ensembl {
            symbols.push(gene.symbol.as_deref().unwrap_or(""));
            ensembl.push(gene.id.as_str());
        } else {
            symbols.push(gene.id.as_str());
            ensembl.push("");
        }
        biotypes.push(gene.biotype.as_deref().unwrap_or(""));
    }
    write_strings(&group, target, "symbol", &symbols)?;
    write_strings(&group, target, "ensembl_gene", &ensembl)?;
    write_strings(&group, target, "biotype", &biotypes)
}

/// A UTF-8 variable-length string dataset (what h5py writes for `str` arrays).
fn write_strings(group: &H5Group, target: &Path, name: &str, values: &[&str]) -> Result<()> {
    group
        .write_vlen_strings(name, values)
        .map(|_| ())
        .map_err(|e| hdf5_error(target, object(&format!("{}/{name}", group.name())), e))
}

/// The per-sample fields, collected while blocks are appended and written at the end (a few
/// hundred bytes per sample, not the counts).
#[derive(Debug, Default)]
struct SampleRecords {
    geo_accession: Vec<String>,
    series_id: Vec<String>,
    title: Vec<String>,
    source_name: Vec<String>,
    characteristics: Vec<String>,
    library_strategy: Vec<String>,
    single_cell_probability: Vec<f64>,
    reads_aligned: Vec<f64>,
}

impl SampleRecords {
    /// Records one sample: fields from its metadata (defaults where it has none), the
    /// characteristics built from its labels, `readsaligned` = the sum of its counts, and
    /// `singlecellprobability` from its attributes (NaN, unknown, when it has none).
    fn push(&mut self, sample: &SampleMeta, reads: f64) {
        let attr = |key: &str| sample.attributes.get(key).cloned();
        self.geo_accession.push(sample.sample_id.clone());
        self.series_id
            .push(sample.study.clone().unwrap_or_default());
        self.title
            .push(attr("title").unwrap_or_else(|| sample.sample_id.clone()));
        self.source_name.push(
            attr("source_name_ch1")
                .or_else(|| sample.tissue.clone())
                .unwrap_or_default(),
        );
        self.characteristics
            .push(characteristics::build(sample, &SAMPLE_FIELD_NAMES));
        self.library_strategy
            .push(attr("library_strategy").unwrap_or_else(|| "RNA-Seq".to_owned()));
        self.single_cell_probability.push(
            attr("singlecellprobability")
                .and_then(|v| v.parse().ok())
                .unwrap_or(f64::NAN),
        );
        self.reads_aligned.push(reads);
    }

    /// `meta/samples/*`.
    fn write(&self, group: &H5Group, target: &Path) -> Result<()> {
        let strings: [(&str, &Vec<String>); 6] = [
            ("geo_accession", &self.geo_accession),
            ("series_id", &self.series_id),
            ("title", &self.title),
            ("source_name_ch1", &self.source_name),
            ("characteristics_ch1", &self.characteristics),
            ("library_strategy", &self.library_strategy),
        ];
        for (name, values) in strings {
            let refs: Vec<&str> = values.iter().map(String::as_str).collect();
            write_strings(group, target, name, &refs)?;
        }
        write_numbers(
            group,
            target,
            "singlecellprobability",
            &self.single_cell_probability,
        )?;
        write_numbers(group, target, "readsaligned", &self.reads_aligned)
    }
}

/// A 1-D float64 dataset.
fn write_numbers(group: &H5Group, target: &Path, name: &str, values: &[f64]) -> Result<()> {
    let err = |e| hdf5_error(target, object(&format!("{}/{name}", group.name())), e);
    group
        .new_dataset::<f64>()
        .shape([values.len()])
        .create(name)
        .map_err(err)?
        .write_raw(values)
        .map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_must_be_whole_and_non_negative() {
        assert_eq!(to_count(12.0).unwrap(), 12);
        assert_eq!(to_count(0.0).unwrap(), 0);
        assert!(matches!(
            to_count(-1.0),
            Err(ErrorKind::NegativeCount { .. })
        ));
        assert!(matches!(
            to_count(f32::NAN),
            Err(ErrorKind::NotFinite { .. })
        ));
        assert!(matches!(
            to_count(f32::INFINITY),
            Err(ErrorKind::NotFinite { .. })
        ));
        assert!(matches!(to_count(1.5), Err(ErrorKind::Malformed(_))));
        assert!(matches!(to_count(1e10), Err(ErrorKind::Malformed(_))));
    }
}
