//! Plain delimited text: expression matrices in either orientation, and sample label tables.
//!
//! A matrix file has a header line (an id column name, then sample or gene ids) and one line per
//! gene or per sample. Which orientation a file has cannot be told reliably from its content, so
//! the caller states it ([`Orientation`]). Tab or comma separation is detected from the header;
//! fields quoted by R's `write.csv` are unquoted.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use ndarray::Array2;
use rnameta_core::{
    DataSource, Dataset, GeneAnnotation, GeneInfo, SampleMeta, SampleSource, Sex, Task,
};

use crate::error::{ErrorKind, FileContext, Result};
use crate::numeric::{check_unique, parse_value, GeneRowsBuilder, ValuePolicy};
use crate::source::{detect_delimiter, LineReader};
use crate::write::write_atomically;

/// How a matrix file is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Orientation {
    /// One line per gene, one column per sample (recount, GEO supplementary files, DESeq2 input).
    GenesInRows,
    /// One line per sample, one column per gene (scikit-learn / pandas style).
    SamplesInRows,
}

/// Options of [`read_matrix`].
#[derive(Debug, Clone, Copy)]
pub struct MatrixOptions {
    /// The file's layout.
    pub orientation: Orientation,
    /// Which values are allowed (counts refuse negatives).
    pub policy: ValuePolicy,
    /// The data source recorded on every sample.
    pub data_source: DataSource,
}

impl MatrixOptions {
    /// Non-negative values with genes in rows, samples from `Other`: the most common download.
    pub fn genes_in_rows() -> Self {
        Self {
            orientation: Orientation::GenesInRows,
            policy: ValuePolicy::NonNegative,
            data_source: DataSource::Other,
        }
    }

    /// Non-negative values with samples in rows.
    pub fn samples_in_rows() -> Self {
        Self {
            orientation: Orientation::SamplesInRows,
            ..Self::genes_in_rows()
        }
    }
}

/// Splits a line on the delimiter, removing the double quotes R puts around fields.
pub(crate) fn split_fields(line: &str, delimiter: char) -> impl Iterator<Item = &str> {
    line.split(delimiter).map(unquote)
}

fn unquote(field: &str) -> &str {
    let f = field.trim();
    f.strip_prefix('"')
        .and_then(|f| f.strip_suffix('"'))
        .unwrap_or(f)
}

/// Reads a matrix; the result is always samples x genes.
pub fn read_matrix(path: &Path, options: MatrixOptions) -> Result<Dataset> {
    let mut reader = LineReader::open(path)?;
    let mut header = String::new();
    if !reader.read_line(&mut header)? {
        return Err(reader.context().whole(ErrorKind::Empty));
    }
    let delimiter = detect_delimiter(&header);
    let names: Vec<String> = split_fields(&header, delimiter)
        .skip(1)
        .map(str::to_owned)
        .collect();
    check_header(&reader, &names)?;
    match options.orientation {
        Orientation::GenesInRows => read_genes_in_rows(reader, delimiter, names, options),
        Orientation::SamplesInRows => read_samples_in_rows(reader, delimiter, names, options),
    }
}

/// A header whose "names" are all numbers is a data line: the file has no header.
fn check_header<R>(reader: &LineReader<R>, names: &[String]) -> Result<()> {
    if names.is_empty() {
        return Err(reader.error(ErrorKind::MissingHeader {
            expected: "an id column then at least one sample or gene id, tab or comma separated"
                .into(),
        }));
    }
    if names.iter().all(|n| n.parse::<f64>().is_ok()) {
        return Err(reader.error(ErrorKind::MissingHeader {
            expected: "a header line naming the columns; the first line holds only numbers".into(),
        }));
    }
    if let Some(pos) = names.iter().position(String::is_empty) {
        return Err(reader.error(ErrorKind::BadHeader(format!(
            "column {} has no name",
            pos + 2
        ))));
    }
    Ok(())
}

fn read_genes_in_rows<R: std::io::BufRead>(
    mut reader: LineReader<R>,
    delimiter: char,
    sample_ids: Vec<String>,
    options: MatrixOptions,
) -> Result<Dataset> {
    check_unique(sample_ids.iter().map(String::as_str)).map_err(|k| reader.error(k))?;
    let mut rows = GeneRowsBuilder::new(sample_ids.len(), options.policy);
    let mut line = String::new();
    while reader.read_line(&mut line)? {
        if line.trim().is_empty() {
            continue;
        }
        let mut fields = split_fields(&line, delimiter);
        let gene_id = fields.next().unwrap_or_default();
        rows.push(&reader, gene_id, fields, 1)?;
    }
    if rows.n_genes() == 0 {
        return Err(reader
            .context()
            .whole(ErrorKind::Malformed("header but no gene rows".into())));
    }
    let (matrix, gene_ids) = rows.finish();
    let genes = annotation_from_ids(
        reader.context(),
        &gene_ids,
        GenePlaces::Lines { first_line: 2 },
    )?;
    let samples = sample_ids
        .into_iter()
        .map(|id| SampleMeta::new(id, options.data_source))
        .collect();
    Dataset::new(matrix, genes, samples).map_err(|e| reader.context().whole(e.into()))
}

fn read_samples_in_rows<R: std::io::BufRead>(
    mut reader: LineReader<R>,
    delimiter: char,
    gene_ids: Vec<String>,
    options: MatrixOptions,
) -> Result<Dataset> {
    let genes = annotation_from_ids(
        reader.context(),
        &gene_ids,
        GenePlaces::Columns { first_column: 2 },
    )?;
    let mut values = Vec::new();
    let mut samples: Vec<SampleMeta> = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut line = String::new();
    while reader.read_line(&mut line)? {
        if line.trim().is_empty() {
            continue;
        }
        let mut fields = split_fields(&line, delimiter);
        let sample_id = fields.next().unwrap_or_default().to_owned();
        if sample_id.is_empty() {
            return Err(reader.error(ErrorKind::Malformed("empty sample id".into())));
        }
        if seen
            .insert(sample_id.clone(), reader.line_number())
            .is_some()
        {
            return Err(reader.error(ErrorKind::DuplicateSample { id: sample_id }));
        }
        let start = values.len();
        for field in fields {
            values.push(parse_value(field, options.policy).map_err(|k| reader.error(k))?);
        }
        let found = values.len() - start;
        if found != gene_ids.len() {
            return Err(reader.error(ErrorKind::Ragged {
                expected: gene_ids.len() + 1,
                found: found + 1,
            }));
        }
        samples.push(SampleMeta::new(sample_id, options.data_source));
    }
    if samples.is_empty() {
        return Err(reader
            .context()
            .whole(ErrorKind::Malformed("header but no sample rows".into())));
    }
    let matrix = Array2::from_shape_vec((samples.len(), gene_ids.len()), values)
        .map_err(|e| reader.context().whole(ErrorKind::Malformed(e.to_string())))?;
    Dataset::new(matrix, genes, samples).map_err(|e| reader.context().whole(e.into()))
}

/// Where the genes of a matrix are named: on consecutive lines (genes in rows) or in consecutive
/// header columns (samples in rows). Offsets are 1-based numbers of the first gene's line or column.
#[derive(Debug, Clone, Copy)]
pub(crate) enum GenePlaces {
    /// Gene `i` is on line `first_line + i`.
    Lines { first_line: u64 },
    /// Gene `i` is named in header column `first_column + i`.
    Columns { first_column: usize },
}

impl GenePlaces {
    fn describe(self, gene: usize) -> String {
        match self {
            Self::Lines { first_line } => format!("line {}", first_line + gene as u64),
            Self::Columns { first_column } => format!("column {}", first_column + gene),
        }
    }

    fn location(self, gene: usize, id: &str) -> crate::Location {
        match self {
            Self::Lines { first_line } => crate::Location::Line(first_line + gene as u64),
            Self::Columns { .. } => {
                crate::Location::Gene(format!("{id}, header {}", self.describe(gene)))
            }
        }
    }
}

/// Builds the gene annotation of a matrix from its raw ids; two ids that are one gene once the
/// Ensembl version is stripped are refused, naming where both were found.
pub(crate) fn annotation_from_ids(
    context: &FileContext,
    raw_ids: &[String],
    places: GenePlaces,
) -> Result<GeneAnnotation> {
    let genes: Vec<GeneInfo> = raw_ids.iter().map(|id| GeneInfo::from_id(id)).collect();
    GeneAnnotation::new(genes).map_err(|e| match e {
        rnameta_core::Error::DuplicateGene { id, first, second } => context.at(
            places.location(second, &id),
            ErrorKind::DuplicateGene {
                id: format!("{} / {}", raw_ids[first], raw_ids[second]),
                first: places.describe(first),
            },
        ),
        other => context.whole(other.into()),
    })
}

/// Formats a value so that reading it back gives the same `f32`: integers without a decimal point.
pub(crate) fn format_value(out: &mut dyn Write, value: f32) -> std::io::Result<()> {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        write!(out, "{}", value as i64)
    } else {
        write!(out, "{value}")
    }
}

/// Writes a matrix as TSV (gzip when the path ends in `.gz`), atomically. Genes are written by
/// their id as the source file had it (versioned, if it was) so that a read gives the same ids back.
pub fn write_matrix(path: &Path, dataset: &Dataset, orientation: Orientation) -> Result<()> {
    let counts = dataset.counts();
    let gene_name = |g: &GeneInfo| g.source_id.clone().unwrap_or_else(|| g.id.clone());
    write_atomically(path, |out| {
        match orientation {
            Orientation::GenesInRows => {
                write!(out, "gene_id")?;
                for s in dataset.samples() {
                    write!(out, "\t{}", s.sample_id)?;
                }
                writeln!(out)?;
                for (column, gene) in dataset.genes().genes().iter().enumerate() {
                    write!(out, "{}", gene_name(gene))?;
                    for &v in counts.column(column) {
                        write!(out, "\t")?;
                        format_value(out, v)?;
                    }
                    writeln!(out)?;
                }
            }
            Orientation::SamplesInRows => {
                write!(out, "sample_id")?;
                for g in dataset.genes().genes() {
                    write!(out, "\t{}", gene_name(g))?;
                }
                writeln!(out)?;
                for (row, s) in dataset.samples().iter().enumerate() {
                    write!(out, "{}", s.sample_id)?;
                    for &v in counts.row(row) {
                        write!(out, "\t")?;
                        format_value(out, v)?;
                    }
                    writeln!(out)?;
                }
            }
        }
        Ok(())
    })
}

/// A table with one row per sample: a sample id column (see [`SAMPLE_ID_COLUMNS`]) and named text
/// columns (labels, donors, studies). It is how users give labels that their matrix file does not
/// carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelTable {
    columns: Vec<String>,
    rows: Vec<(String, Vec<String>)>,
    index: HashMap<String, usize>,
}

impl LabelTable {
    /// The names of the columns other than the sample id column, in file order.
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// True when the table has no samples.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Sample ids in file order.
    pub fn sample_ids(&self) -> impl Iterator<Item = &str> {
        self.rows.iter().map(|(id, _)| id.as_str())
    }

    /// The value of a column (matched case-insensitively) for a sample.
    pub fn get(&self, sample_id: &str, column: &str) -> Option<&str> {
        let c = self.column_index(column)?;
        let &row = self.index.get(sample_id)?;
        Some(self.rows[row].1[c].as_str())
    }

    fn column_index(&self, column: &str) -> Option<usize> {
        self.columns
            .iter()
            .position(|c| c.eq_ignore_ascii_case(column))
    }

    /// The first column whose name is one of `candidates` (case-insensitive).
    pub fn find_column(&self, candidates: &[&str]) -> Option<&str> {
        candidates
            .iter()
            .find_map(|c| self.column_index(c))
            .map(|i| self.columns[i].as_str())
    }
}

/// Column names probed, in order, for each label a table can give.
pub const TISSUE_COLUMNS: &[&str] = &["tissue", "smts", "tissue_type", "body_site", "primary_site"];
/// Column names probed for sex.
pub const SEX_COLUMNS: &[&str] = &["sex", "gender"];
/// Column names probed for sample source. `source` comes last, so that a table with both a
/// `source` column (which may name a database) and one of the others keeps using the other.
pub const SOURCE_COLUMNS: &[&str] = &[
    "sample_source",
    "source_type",
    "sample_type",
    "biosample_type",
    "source",
];
/// Column names probed for the study.
pub const STUDY_COLUMNS: &[&str] = &["study", "series_id", "project", "study_accession"];

/// Header names recognised as the sample id column of a label table (case-insensitive): sample
/// names, SRA runs and samples, GEO samples, recount3's `external_id`, GTEx's `SAMPID`. The id
/// column is the first column when its name is one of these or when no column's is; otherwise it
/// is the first column, in header order, whose name is one of these (a table written as
/// `tissue, sex, run`).
pub const SAMPLE_ID_COLUMNS: &[&str] = &[
    "sample",
    "sample_id",
    "sample_name",
    "sampid",
    "run",
    "run_id",
    "run_accession",
    "run_acc",
    "srr",
    "external_id",
    "gsm",
    "geo_accession",
    "sample_accession",
    "sample_acc",
];

/// The column names probed for the labels of `task`, in order ([`TISSUE_COLUMNS`],
/// [`SEX_COLUMNS`], [`SOURCE_COLUMNS`]), so that a message can say which column a table lacks.
pub fn label_columns(task: Task) -> &'static [&'static str] {
    match task {
        Task::Tissue => TISSUE_COLUMNS,
        Task::Sex => SEX_COLUMNS,
        Task::SampleSource => SOURCE_COLUMNS,
    }
}

/// The index of the sample id column of a label table with these header names.
fn sample_id_column(header: &[&str]) -> usize {
    let is_id = |name: &&str| {
        SAMPLE_ID_COLUMNS
            .iter()
            .any(|c| c.eq_ignore_ascii_case(name))
    };
    if header.first().is_some_and(is_id) {
        return 0;
    }
    header.iter().position(is_id).unwrap_or(0)
}

/// Reads a label table (tab or comma separated, plain or gzip). The sample id column is chosen as
/// [`SAMPLE_ID_COLUMNS`] says; every other column is a named text column.
pub fn read_label_table(path: &Path) -> Result<LabelTable> {
    let mut reader = LineReader::open(path)?;
    let mut line = String::new();
    if !reader.read_line(&mut line)? {
        return Err(reader.context().whole(ErrorKind::Empty));
    }
    let delimiter = detect_delimiter(&line);
    let header: Vec<&str> = split_fields(&line, delimiter).collect();
    let id_at = sample_id_column(&header);
    let columns: Vec<String> = header
        .iter()
        .enumerate()
        .filter(|&(i, _)| i != id_at)
        .map(|(_, c)| (*c).to_owned())
        .collect();
    if columns.is_empty() {
        return Err(reader.error(ErrorKind::MissingHeader {
            expected: "a sample id column and at least one label column".into(),
        }));
    }
    let mut rows = Vec::new();
    let mut index = HashMap::new();
    while reader.read_line(&mut line)? {
        if line.trim().is_empty() {
            continue;
        }
        let mut fields: Vec<String> = split_fields(&line, delimiter).map(str::to_owned).collect();
        if fields.len() != columns.len() + 1 {
            return Err(reader.error(ErrorKind::Ragged {
                expected: columns.len() + 1,
                found: fields.len(),
            }));
        }
        let id = fields.remove(id_at);
        let values = fields;
        if id.is_empty() {
            return Err(reader.error(ErrorKind::Malformed("empty sample id".into())));
        }
        if index.insert(id.clone(), rows.len()).is_some() {
            return Err(reader.error(ErrorKind::DuplicateSample { id }));
        }
        rows.push((id, values));
    }
    Ok(LabelTable {
        columns,
        rows,
        index,
    })
}

/// What [`apply_labels`] did: which columns it used and which samples it could not label.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LabelReport {
    /// Column used for tissue, sex, sample source and study.
    pub columns_used: Vec<(String, String)>,
    /// Samples of the dataset with no row in the table.
    pub missing_samples: Vec<String>,
    /// (sample, column, value) where the value could not be read as that label.
    pub unparsable: Vec<(String, String, String)>,
}

/// Fills tissue, sex, sample source and study of each sample from a table, probing the usual column
/// names. Nothing is guessed silently: samples absent from the table and values that are not a
/// recognised sex or sample source are listed in the report.
pub fn apply_labels(samples: &mut [SampleMeta], table: &LabelTable) -> LabelReport {
    let mut report = LabelReport::default();
    let tissue = table.find_column(TISSUE_COLUMNS).map(str::to_owned);
    let sex = table.find_column(SEX_COLUMNS).map(str::to_owned);
    let source = table.find_column(SOURCE_COLUMNS).map(str::to_owned);
    let study = table.find_column(STUDY_COLUMNS).map(str::to_owned);
    for (label, column) in [
        ("tissue", &tissue),
        ("sex", &sex),
        ("sample_source", &source),
        ("study", &study),
    ] {
        if let Some(c) = column {
            report.columns_used.push((label.to_owned(), c.clone()));
        }
    }
    for sample in samples {
        let id = sample.sample_id.clone();
        if !table.index.contains_key(&id) {
            report.missing_samples.push(id);
            continue;
        }
        let value = |c: &Option<String>| {
            c.as_deref()
                .and_then(|c| table.get(&id, c))
                .filter(|v| !v.is_empty())
        };
        if let Some(v) = value(&tissue) {
            sample.tissue = Some(v.to_owned());
        }
        if let Some(v) = value(&study) {
            sample.study = Some(v.to_owned());
        }
        if let Some(v) = value(&sex) {
            match Sex::parse_loose(v) {
                Some(s) => sample.sex = Some(s),
                None => report
                    .unparsable
                    .push((id.clone(), "sex".into(), v.to_owned())),
            }
        }
        if let Some(v) = value(&source) {
            match SampleSource::parse_loose(v) {
                Some(s) => sample.sample_source = Some(s),
                None => report
                    .unparsable
                    .push((id.clone(), "sample_source".into(), v.to_owned())),
            }
        }
    }
    report
}
