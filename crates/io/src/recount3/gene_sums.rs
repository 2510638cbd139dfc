//! recount3 gene sums (`<source>.gene_sums.<project>.G026.gz`): summed base-pair coverage per
//! gene and sample, and their conversion to read counts.
//!
//! Layout, as upstream `recount3::read_counts()` reads it (`read.delim(skip = 2)`, then
//! `data.table::fread(skip = 2, colClasses = c("character", rep("integer", n)))`):
//!
//! ```text
//! ##annotation=G026
//! ##date.generated=2020-06-05
//! gene_id<TAB>SRR5467448<TAB>SRR5467449
//! ENSG00000278704.1<TAB>0<TAB>12
//! ```
//!
//! Columns are named by the samples' `external_id` (upstream `create_rse_manual()` selects them
//! with `samples = metadata$external_id`), and every value is a whole number of bases.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use ndarray::Array2;
use rnameta_core::{DataSource, Dataset, GeneAnnotation, GeneInfo, SampleMeta};

use super::table::{parse_f64_cell, MetadataTable};
use super::FileName;
use crate::error::{Error, ErrorKind, Location, Result};
use crate::numeric::{check_unique, parse_value, ValuePolicy};
use crate::source::LineReader;
use crate::write::write_atomically;

/// The target library size of upstream `transform_counts()` / `compute_scale_factors()`
/// (`targetSize = 4e7`: 40 million single-end reads).
pub const DEFAULT_TARGET_SIZE: f64 = 4e7;

/// QC column with each sample's average mapped read length (upstream
/// `avg_mapped_read_length = "recount_qc.star.average_mapped_length"`).
pub const AVERAGE_MAPPED_LENGTH: &str = "star.average_mapped_length";

/// QC column with each sample's area under the coverage curve (upstream
/// `auc = "recount_qc.bc_auc.all_reads_all_bases"`).
pub const AUC: &str = "bc_auc.all_reads_all_bases";

/// The two `##` lines that open a gene sums file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneSumsHeader {
    /// The annotation the genes come from (`##annotation=`, e.g. `G026` for GENCODE v26).
    pub annotation: String,
    /// When the file was made (`##date.generated=`).
    pub date_generated: String,
}

/// A gene sums matrix held exactly: coverage sums are whole numbers that can pass 2^24, where
/// `f32` stops being exact, so they are kept as `f64` (exact to 2^53) until converted.
#[derive(Debug, Clone, PartialEq)]
pub struct GeneSums {
    path: PathBuf,
    /// The `##` lines.
    pub header: GeneSumsHeader,
    genes: GeneAnnotation,
    samples: Vec<SampleMeta>,
    sums: Array2<f64>,
}

impl GeneSums {
    /// Builds gene sums in memory (for writers and simulators). `sums` is samples x genes and
    /// must hold whole, non-negative numbers, as the file format does.
    pub fn new(
        header: GeneSumsHeader,
        genes: GeneAnnotation,
        samples: Vec<SampleMeta>,
        sums: Array2<f64>,
    ) -> Result<Self, ErrorKind> {
        if sums.dim() != (samples.len(), genes.len()) {
            return Err(ErrorKind::Malformed(format!(
                "sums are {} x {} but {} samples and {} genes are given",
                sums.nrows(),
                sums.ncols(),
                samples.len(),
                genes.len()
            )));
        }
        check_unique(samples.iter().map(|s| s.sample_id.as_str()))?;
        if let Some(bad) = sums.iter().find(|v| !is_coverage(**v)) {
            return Err(ErrorKind::Malformed(format!(
                "coverage sum {bad} is not a whole non-negative number"
            )));
        }
        Ok(Self {
            path: PathBuf::new(),
            header,
            genes,
            samples,
            sums,
        })
    }

    /// The file it was read from (empty when built in memory).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The genes (canonical id without version; the file's versioned id in `source_id`).
    pub fn genes(&self) -> &GeneAnnotation {
        &self.genes
    }

    /// The samples, one per column of the file.
    pub fn samples(&self) -> &[SampleMeta] {
        &self.samples
    }

    /// Mutable sample metadata, e.g. to attach what the metadata tables say.
    pub fn samples_mut(&mut self) -> &mut [SampleMeta] {
        &mut self.samples
    }

    /// The exact coverage sums, samples x genes.
    pub fn sums(&self) -> &Array2<f64> {
        &self.sums
    }

    /// The raw coverage sums as a dataset (`f32`: exact up to 2^24 per value).
    pub fn to_dataset(&self) -> Result<Dataset> {
        self.dataset_from(self.sums.mapv(|v| v as f32))
    }

    /// Read counts the way upstream `compute_read_counts()` makes them (and recount2's
    /// `read_counts()`): each sample's coverage sums divided by its average mapped read length,
    /// `counts = sums / star.average_mapped_length`, rounded half to even like R's `round()` when
    /// `round` is set. The QC table is matched by `external_id` (or `rail_id`); a sample without
    /// a positive numeric value is an error naming the QC file and the sample.
    pub fn read_counts(&self, qc: &MetadataTable, round: bool) -> Result<Dataset> {
        let lengths = qc_values(qc, &self.samples, AVERAGE_MAPPED_LENGTH)?;
        self.scaled(qc, &lengths, round, |sum, length| sum / length)
    }

    /// Counts scaled to a library of `target_size` reads by area under coverage, as upstream
    /// `transform_counts(by = "auc")`: `counts = sums * target_size / bc_auc.all_reads_all_bases`,
    /// rounded half to even when `round` is set (upstream default `TRUE`; `targetSize = 4e7`,
    /// [`DEFAULT_TARGET_SIZE`]). Upstream's read length `L = 100` cancels out of this formula
    /// ("have to multiply by L to get the desired library size, but then divide by L", in
    /// `compute_scale_factors()`), so it is not a parameter here.
    pub fn transform_counts(
        &self,
        qc: &MetadataTable,
        target_size: f64,
        round: bool,
    ) -> Result<Dataset> {
        if !(target_size.is_finite() && target_size > 0.0) {
            return Err(qc.error(ErrorKind::Malformed(format!(
                "target size {target_size} must be a positive number"
            ))));
        }
        let aucs = qc_values(qc, &self.samples, AUC)?;
        let factors: Vec<f64> = aucs.iter().map(|auc| target_size / auc).collect();
        self.scaled(qc, &factors, round, |sum, factor| sum * factor)
    }

    /// Applies `op(sum, per_sample)` to every value, rounding half to even when asked.
    fn scaled(
        &self,
        qc: &MetadataTable,
        per_sample: &[f64],
        round: bool,
        op: impl Fn(f64, f64) -> f64,
    ) -> Result<Dataset> {
        let mut out = Array2::<f32>::zeros(self.sums.dim());
        for ((row, sums), &factor) in self.sums.outer_iter().enumerate().zip(per_sample) {
            for (slot, &sum) in out.row_mut(row).iter_mut().zip(sums) {
                let v = op(sum, factor);
                let v = if round { v.round_ties_even() } else { v };
                *slot = v as f32;
                if !slot.is_finite() {
                    let id = self.samples.get(row).map_or("?", |s| s.sample_id.as_str());
                    return Err(Error::new(
                        qc.path(),
                        Location::Sample(id.to_owned()),
                        ErrorKind::NotFinite {
                            value: v.to_string(),
                        },
                    ));
                }
            }
        }
        self.dataset_from(out)
    }

    fn dataset_from(&self, values: Array2<f32>) -> Result<Dataset> {
        Dataset::new(values, self.genes.clone(), self.samples.clone())
            .map_err(|e| Error::file(&self.path, ErrorKind::Dataset(e)))
    }
}

fn is_coverage(v: f64) -> bool {
    v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v <= MAX_EXACT
}

/// Largest whole number an `f64` holds exactly.
const MAX_EXACT: f64 = 9_007_199_254_740_992.0;

/// Each sample's value of a QC column, in sample order.
fn qc_values(qc: &MetadataTable, samples: &[SampleMeta], column_name: &str) -> Result<Vec<f64>> {
    let column = qc.require_column(column_name)?;
    let rows = sample_rows(qc);
    samples
        .iter()
        .map(|sample| {
            let id = sample.sample_id.as_str();
            let at_sample = |kind| Error::new(qc.path(), Location::Sample(id.to_owned()), kind);
            let row = rows.get(id).copied().ok_or_else(|| {
                at_sample(ErrorKind::Missing(format!("QC row for sample {id:?}")))
            })?;
            let text = qc
                .get(row, column)
                .ok_or_else(|| at_sample(ErrorKind::Missing(format!("{column_name} value"))))?;
            let value = parse_f64_cell(text).map_err(at_sample)?;
            if value <= 0.0 {
                return Err(at_sample(ErrorKind::Malformed(format!(
                    "{column_name} is {value}; it must be positive to convert coverage to counts"
                ))));
            }
            Ok(value)
        })
        .collect()
}

/// Rows of a recount3 table by `external_id` and by `rail_id` (gene sums columns may use either).
fn sample_rows(table: &MetadataTable) -> HashMap<&str, usize> {
    let mut rows = HashMap::with_capacity(table.n_rows() * 2);
    let columns: Vec<usize> = ["rail_id", "external_id", "run_acc"]
        .iter()
        .filter_map(|c| table.column(c))
        .collect();
    for row in 0..table.n_rows() {
        for &column in &columns {
            if let Some(id) = table.get(row, column) {
                rows.entry(id).or_insert(row);
            }
        }
    }
    rows
}

/// Reads a gene sums file (plain or gzip). Samples take their ids from the column names; when
/// the file name follows recount3's pattern (`sra.gene_sums.SRP107565.G026.gz`), each sample's
/// data source is set from it, and for SRA projects its run (the column name) and study (the
/// project).
pub fn read_gene_sums(path: &Path) -> Result<GeneSums> {
    let mut reader = LineReader::open(path)?;
    let mut line = String::new();
    let header = read_hash_lines(&mut reader, &mut line, path)?;
    if !reader.read_line(&mut line)? {
        return Err(reader.error(ErrorKind::MissingHeader {
            expected: "gene_id and one column per sample after the ## lines".into(),
        }));
    }
    let sample_ids = read_column_header(&reader, &line)?;
    let naming = path
        .file_name()
        .and_then(|n| FileName::parse(&n.to_string_lossy()));
    let samples = sample_ids
        .iter()
        .map(|id| sample_from_column(id, naming.as_ref()))
        .collect::<Vec<_>>();
    let (genes, sums) = read_gene_rows(&mut reader, &mut line, sample_ids.len())?;
    Ok(GeneSums {
        path: path.to_path_buf(),
        header,
        genes,
        samples,
        sums,
    })
}

fn sample_from_column(id: &str, naming: Option<&FileName>) -> SampleMeta {
    let source = naming.map_or(DataSource::Other, |n| n.data_source);
    let mut sample = SampleMeta::new(id, source);
    if let (Some(n), DataSource::Sra) = (naming, source) {
        sample.run = Some(id.to_owned());
        sample.study = Some(n.project.clone());
    }
    sample
}

fn read_hash_lines<R: std::io::BufRead>(
    reader: &mut LineReader<R>,
    line: &mut String,
    path: &Path,
) -> Result<GeneSumsHeader> {
    let mut values = Vec::with_capacity(2);
    for key in ["##annotation=", "##date.generated="] {
        if !reader.read_line(line)? {
            return Err(if reader.line_number() == 0 {
                Error::file(path, ErrorKind::Empty)
            } else {
                reader.error(ErrorKind::MissingHeader {
                    expected: format!("a {key}... line"),
                })
            });
        }
        match line.strip_prefix(key) {
            Some(value) => values.push(value.to_owned()),
            None => {
                return Err(reader.error(ErrorKind::MissingHeader {
                    expected: format!("a {key}... line (recount3 gene sums open with ##annotation= and ##date.generated=)"),
                }))
            }
        }
    }
    let date_generated = values.pop().unwrap_or_default();
    let annotation = values.pop().unwrap_or_default();
    Ok(GeneSumsHeader {
        annotation,
        date_generated,
    })
}

fn read_column_header<R>(reader: &LineReader<R>, line: &str) -> Result<Vec<String>> {
    let mut fields = line.split('\t');
    if fields.next() != Some("gene_id") {
        return Err(reader.error(ErrorKind::MissingHeader {
            expected: "gene_id followed by one column per sample".into(),
        }));
    }
    let ids: Vec<String> = fields.map(str::to_owned).collect();
    if ids.iter().any(String::is_empty) {
        return Err(reader.error(ErrorKind::Malformed(
            "empty sample name in the header".into(),
        )));
    }
    check_unique(ids.iter().map(String::as_str)).map_err(|kind| reader.error(kind))?;
    Ok(ids)
}

fn read_gene_rows<R: std::io::BufRead>(
    reader: &mut LineReader<R>,
    line: &mut String,
    n_samples: usize,
) -> Result<(GeneAnnotation, Array2<f64>)> {
    let mut genes = Vec::new();
    let mut first_line: HashMap<String, u64> = HashMap::new();
    let mut values: Vec<f64> = Vec::new();
    while reader.read_line(line)? {
        if line.is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        if fields.len() != n_samples + 1 {
            return Err(reader.error(ErrorKind::Ragged {
                expected: n_samples + 1,
                found: fields.len(),
            }));
        }
        let raw_id = fields.first().copied().unwrap_or_default();
        let gene = gene_info(reader, raw_id, &mut first_line)?;
        for field in fields.iter().skip(1) {
            values.push(parse_coverage(field).map_err(|kind| reader.error(kind))?);
        }
        genes.push(gene);
    }
    let n_genes = genes.len();
    let genes = GeneAnnotation::new(genes).map_err(|e| reader.error(ErrorKind::Dataset(e)))?;
    let by_gene = Array2::from_shape_vec((n_genes, n_samples), values)
        .map_err(|e| reader.error(ErrorKind::Malformed(e.to_string())))?;
    Ok((
        genes,
        by_gene.reversed_axes().as_standard_layout().into_owned(),
    ))
}

/// The gene of a row; refuses an empty id and a canonical id seen before (`ENSG1.1` then `ENSG1.2`
/// are one gene to rnameta), naming the line of the first.
pub(crate) fn gene_info<R>(
    reader: &LineReader<R>,
    raw_id: &str,
    first_line: &mut HashMap<String, u64>,
) -> Result<GeneInfo> {
    if raw_id.is_empty() {
        return Err(reader.error(ErrorKind::Malformed("empty gene id".into())));
    }
    let gene = GeneInfo::from_id(raw_id);
    if let Some(first) = first_line.get(&gene.id) {
        return Err(reader.error(ErrorKind::DuplicateGene {
            id: raw_id.to_owned(),
            first: format!("line {first}"),
        }));
    }
    first_line.insert(gene.id.clone(), reader.line_number());
    Ok(gene)
}

/// Parses a coverage sum: a whole, non-negative, finite number. Bad text gets the same error kinds
/// as any count ([`parse_value`]); a fraction is refused, since upstream reads these columns as
/// integers.
fn parse_coverage(field: &str) -> Result<f64, ErrorKind> {
    let text = field.trim();
    if let Ok(v) = text.parse::<u64>() {
        let value = v as f64;
        return if value <= MAX_EXACT {
            Ok(value)
        } else {
            Err(ErrorKind::Malformed(format!(
                "coverage sum {text} is too large to hold exactly"
            )))
        };
    }
    parse_value(text, ValuePolicy::NonNegative)?;
    let value: f64 = text.parse().map_err(|_| ErrorKind::NotNumeric {
        value: text.to_owned(),
    })?;
    if is_coverage(value) {
        Ok(value)
    } else {
        Err(ErrorKind::Malformed(format!(
            "coverage sum {text} is not a whole number"
        )))
    }
}

/// Writes gene sums in recount3's layout (gzip when the path ends in `.gz`), atomically. Genes
/// are written with their versioned `source_id` when they have one, so a file read and written
/// again is unchanged.
pub fn write_gene_sums(path: &Path, sums: &GeneSums) -> Result<()> {
    for sample in &sums.samples {
        if sample.sample_id.is_empty() || sample.sample_id.contains(['\t', '\n', '\r']) {
            return Err(Error::new(
                path,
                Location::Sample(sample.sample_id.clone()),
                ErrorKind::Malformed(
                    "a sample id must be non-empty without tabs or line breaks".into(),
                ),
            ));
        }
    }
    write_atomically(path, |w| {
        writeln!(w, "##annotation={}", sums.header.annotation)?;
        writeln!(w, "##date.generated={}", sums.header.date_generated)?;
        write!(w, "gene_id")?;
        for sample in &sums.samples {
            write!(w, "\t{}", sample.sample_id)?;
        }
        writeln!(w)?;
        for (column, gene) in sums.genes.genes().iter().enumerate() {
            w.write_all(gene.source_id.as_deref().unwrap_or(&gene.id).as_bytes())?;
            for &v in sums.sums.column(column) {
                // Whole numbers (checked by `GeneSums::new`): integer formatting is much faster
                // than float formatting, and exact below 2^53.
                if v < 9_007_199_254_740_992.0 {
                    write!(w, "\t{}", v as u64)?;
                } else {
                    write!(w, "\t{v:.0}")?;
                }
            }
            writeln!(w)?;
        }
        Ok(())
    })
}
