//! GENCODE / Ensembl GTF gene annotation, and the recount3 gene GTF.
//!
//! A GTF line has nine tab-separated columns (seqname, source, feature, start, end, score,
//! strand, frame, attributes); coordinates are 1-based and inclusive. [`Reader`] parses records one
//! line at a time (plain or gzip) and [`Writer`] writes them back; [`read_gene_annotation`] streams a
//! whole file into a [`GeneAnnotation`] with, per gene:
//!
//! - the chromosome (without `chr`), the symbol (`gene_name`) and the biotype (`gene_type` in
//!   GENCODE, `gene_biotype` in Ensembl; `None` when the file does not say);
//! - the union exon length: the gene's exons merged where they overlap, merged lengths summed
//!   (recount3's `bp_length`, the TPM length). A gene line of the recount3 gene GTF
//!   (`human.gene_sums.G026.gtf.gz`) carries it directly: recount3 writes `bp_length` into the
//!   score column (recount-unify's annotation script sets column 6 to the gene's summed disjoint
//!   exon length); a `bp_length` attribute is read as well;
//! - the longest transcript length: exon lengths summed per `transcript_id`, maximum over the
//!   gene's transcripts (the ARCHS4 length normalisation). It is `None` when any exon of the gene
//!   names no transcript: without `transcript_id` exons cannot be grouped into transcripts, and a
//!   length computed from part of them would be silently wrong.
//!
//! [`GeneModel`] and [`write_gene_models`] write a GTF of genes and exons (what the simulator
//! needs) that reads back to the same annotation.

use std::collections::HashMap;
use std::io::{self, BufRead, Write};
use std::path::Path;

use rnameta_core::{strip_version, GeneAnnotation, GeneInfo};

use crate::error::{ErrorKind, Result};
use crate::source::LineReader;
use crate::write::write_atomically;

/// Number of tab-separated columns of a GTF line.
const COLUMNS: usize = 9;

/// One GTF line (a feature).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Record {
    /// Sequence (chromosome) name as written (`chr21`, `21`).
    pub seqname: String,
    /// Annotation source (`HAVANA`, `ENSEMBL`).
    pub source: String,
    /// Feature type (`gene`, `transcript`, `exon`, ...).
    pub feature: String,
    /// First base, 1-based inclusive.
    pub start: u64,
    /// Last base, 1-based inclusive.
    pub end: u64,
    /// Score column; `None` for `.`.
    pub score: Option<f64>,
    /// Strand (`+`, `-` or `.`).
    pub strand: String,
    /// Frame (`0`, `1`, `2` or `.`).
    pub frame: String,
    /// Attributes in file order, values unquoted.
    pub attributes: Vec<(String, String)>,
}

impl Record {
    /// The value of the first attribute with this key.
    pub fn attribute(&self, key: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Length of the feature in bases (both ends included).
    pub fn len(&self) -> u64 {
        self.end.saturating_sub(self.start) + 1
    }

    /// Always false: a parsed feature covers at least one base (start <= end is checked).
    pub fn is_empty(&self) -> bool {
        false
    }
}

/// Parses the attribute column: `key "value"; key value; ...`. Quoted values may hold `;` and
/// spaces; unquoted values end at the next `;`. Returns the reason when the column is malformed.
pub fn parse_attributes(column: &str) -> std::result::Result<Vec<(String, String)>, String> {
    let mut attributes = Vec::new();
    let mut rest = column;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == ';');
        if rest.is_empty() {
            return Ok(attributes);
        }
        let key_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let key = &rest[..key_end];
        if key.contains(['"', ';']) {
            return Err(format!("attribute key {key:?} is malformed"));
        }
        rest = rest[key_end..].trim_start();
        let value = if let Some(quoted) = rest.strip_prefix('"') {
            let close = quoted
                .find('"')
                .ok_or_else(|| format!("attribute {key}: closing quote missing"))?;
            let value = &quoted[..close];
            rest = quoted[close + 1..].trim_start();
            if !(rest.is_empty() || rest.starts_with(';')) {
                return Err(format!("attribute {key}: text after the closing quote"));
            }
            value
        } else {
            let end = rest.find(';').unwrap_or(rest.len());
            let value = rest[..end].trim();
            if value.is_empty() {
                return Err(format!("attribute {key} has no value"));
            }
            rest = &rest[end..];
            value
        };
        attributes.push((key.to_owned(), value.to_owned()));
    }
}

/// Reads GTF records line by line; `#` and `#!` lines and blank lines are skipped.
pub struct Reader<R> {
    inner: LineReader<R>,
    line: String,
}

impl Reader<Box<dyn BufRead + Send>> {
    /// Opens a GTF file, plain or gzip.
    pub fn open(path: &Path) -> Result<Self> {
        Ok(Self {
            inner: LineReader::open(path)?,
            line: String::new(),
        })
    }
}

impl<R: BufRead> Reader<R> {
    /// Wraps a buffered reader; `path` is only used in error messages.
    pub fn new(inner: R, path: &Path) -> Self {
        Self {
            inner: LineReader::new(inner, path),
            line: String::new(),
        }
    }

    /// Reads the next record into `record`; `false` at the end of the file.
    pub fn read_record(&mut self, record: &mut Record) -> Result<bool> {
        loop {
            if !self.inner.read_line(&mut self.line)? {
                return Ok(false);
            }
            let text = self.line.trim_end();
            if text.is_empty() || text.starts_with('#') {
                continue;
            }
            parse_record(text, record).map_err(|kind| self.inner.error(kind))?;
            return Ok(true);
        }
    }

    /// Number of the line of the last record read (1-based), for messages.
    pub fn line_number(&self) -> u64 {
        self.inner.line_number()
    }

    /// An error at the line of the last record read.
    pub fn error(&self, kind: ErrorKind) -> crate::Error {
        self.inner.error(kind)
    }

    /// The records of the rest of the file.
    pub fn records(&mut self) -> impl Iterator<Item = Result<Record>> + '_ {
        std::iter::from_fn(move || {
            let mut record = Record::default();
            match self.read_record(&mut record) {
                Ok(true) => Some(Ok(record)),
                Ok(false) => None,
                Err(e) => Some(Err(e)),
            }
        })
    }
}

fn parse_record(text: &str, record: &mut Record) -> std::result::Result<(), ErrorKind> {
    let fields: Vec<&str> = text.split('\t').collect();
    let [seqname, source, feature, start, end, score, strand, frame, attributes] = fields[..]
    else {
        return Err(ErrorKind::Ragged {
            expected: COLUMNS,
            found: fields.len(),
        });
    };
    let start = parse_coordinate(start)?;
    let end = parse_coordinate(end)?;
    if start > end {
        return Err(ErrorKind::Malformed(format!(
            "start {start} is after end {end}"
        )));
    }
    record.score = match score {
        "." => None,
        s => Some(parse_score(s)?),
    };
    record.attributes = parse_attributes(attributes).map_err(ErrorKind::Malformed)?;
    record.seqname = seqname.to_owned();
    record.source = source.to_owned();
    record.feature = feature.to_owned();
    record.start = start;
    record.end = end;
    record.strand = strand.to_owned();
    record.frame = frame.to_owned();
    Ok(())
}

fn parse_coordinate(field: &str) -> std::result::Result<u64, ErrorKind> {
    let value: u64 = field.parse().map_err(|_| ErrorKind::NotNumeric {
        value: field.to_owned(),
    })?;
    if value == 0 {
        return Err(ErrorKind::Malformed(
            "coordinate 0: GTF coordinates are 1-based".into(),
        ));
    }
    Ok(value)
}

fn parse_score(field: &str) -> std::result::Result<f64, ErrorKind> {
    match field.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) => Err(ErrorKind::NotFinite {
            value: field.to_owned(),
        }),
        Err(_) => Err(ErrorKind::NotNumeric {
            value: field.to_owned(),
        }),
    }
}

/// Writes GTF records, one line each, mirroring [`Reader`].
pub struct Writer<W> {
    inner: W,
}

impl<W: Write> Writer<W> {
    /// Wraps a writer.
    pub fn new(inner: W) -> Self {
        Self { inner }
    }

    /// Writes a `#!` header line (GENCODE writes `#!genome-build ...` and similar).
    pub fn write_header(&mut self, text: &str) -> io::Result<()> {
        check_text("header", text, &['\n', '\r'])?;
        writeln!(self.inner, "#!{text}")
    }

    /// Writes one record. Values are always quoted; values that cannot be written so that they
    /// read back unchanged (a `"`, a tab or a line break) are refused.
    pub fn write_record(&mut self, record: &Record) -> io::Result<()> {
        for (name, value) in [
            ("seqname", &record.seqname),
            ("source", &record.source),
            ("feature", &record.feature),
            ("strand", &record.strand),
            ("frame", &record.frame),
        ] {
            check_text(name, value, &['\t', '\n', '\r'])?;
            if value.is_empty() {
                return Err(invalid(format!("GTF {name} is empty")));
            }
        }
        if record.start == 0 || record.start > record.end {
            return Err(invalid(format!(
                "GTF coordinates {}-{} are not 1-based with start <= end",
                record.start, record.end
            )));
        }
        let score = match record.score {
            Some(s) if s.is_finite() => s.to_string(),
            Some(s) => return Err(invalid(format!("GTF score {s} is not finite"))),
            None => ".".to_owned(),
        };
        write!(
            self.inner,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t",
            record.seqname,
            record.source,
            record.feature,
            record.start,
            record.end,
            score,
            record.strand,
            record.frame
        )?;
        for (i, (key, value)) in record.attributes.iter().enumerate() {
            if key.is_empty() || key.contains(|c: char| c.is_whitespace() || c == ';' || c == '"') {
                return Err(invalid(format!(
                    "GTF attribute key {key:?} cannot be written"
                )));
            }
            check_text(key, value, &['"', '\t', '\n', '\r'])?;
            let sep = if i == 0 { "" } else { " " };
            write!(self.inner, "{sep}{key} \"{value}\";")?;
        }
        writeln!(self.inner)
    }

    /// The wrapped writer.
    pub fn get_ref(&self) -> &W {
        &self.inner
    }

    /// Gives back the wrapped writer.
    pub fn into_inner(self) -> W {
        self.inner
    }
}

fn check_text(what: &str, value: &str, forbidden: &[char]) -> io::Result<()> {
    if value.contains(forbidden) {
        return Err(invalid(format!(
            "GTF {what} {value:?} holds a character that cannot be written"
        )));
    }
    Ok(())
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message)
}

/// Total length of the union of 1-based inclusive intervals: overlapping (and touching) intervals
/// are merged and each merged interval counted once.
pub fn union_length(intervals: &mut [(u64, u64)]) -> u64 {
    intervals.sort_unstable();
    let mut total = 0;
    let mut current: Option<(u64, u64)> = None;
    for &(start, end) in intervals.iter() {
        current = match current {
            Some((s, e)) if start <= e.saturating_add(1) => Some((s, e.max(end))),
            Some((s, e)) => {
                total += e.saturating_sub(s) + 1;
                Some((start, end))
            }
            None => Some((start, end)),
        };
    }
    if let Some((s, e)) = current {
        total += e.saturating_sub(s) + 1;
    }
    total
}

/// What has been gathered about one gene while streaming.
#[derive(Debug, Default)]
struct GeneAccumulator {
    info: GeneInfo,
    gene_line: Option<u64>,
    stated_bp_length: Option<u32>,
    exons: Vec<(u64, u64)>,
    transcripts: HashMap<String, u64>,
    exon_without_transcript: bool,
}

/// Collects GTF records into per-gene annotation; [`read_gene_annotation`] drives it over a file.
#[derive(Debug, Default)]
pub struct GeneAnnotationBuilder {
    genes: Vec<GeneAccumulator>,
    index: HashMap<String, usize>,
}

impl GeneAnnotationBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one record (read at `line`); `gene` and `exon` lines count, other features are ignored.
    pub fn push(&mut self, record: &Record, line: u64) -> std::result::Result<(), ErrorKind> {
        let is_gene = record.feature == "gene";
        if !is_gene && record.feature != "exon" {
            return Ok(());
        }
        let raw_id = record
            .attribute("gene_id")
            .ok_or_else(|| ErrorKind::Missing("gene_id attribute".into()))?;
        if raw_id.is_empty() {
            return Err(ErrorKind::Malformed("empty gene_id".into()));
        }
        let gene = self.gene_mut(raw_id);
        if is_gene {
            if let Some(first) = gene.gene_line {
                return Err(ErrorKind::DuplicateGene {
                    id: gene.info.id.clone(),
                    first: format!("line {first}"),
                });
            }
            gene.gene_line = Some(line);
            gene.stated_bp_length = stated_bp_length(record)?;
            describe(&mut gene.info, record, true);
        } else {
            describe(&mut gene.info, record, false);
            gene.exons.push((record.start, record.end));
            match record.attribute("transcript_id") {
                Some(t) => *gene.transcripts.entry(t.to_owned()).or_default() += record.len(),
                None => gene.exon_without_transcript = true,
            }
        }
        Ok(())
    }

    fn gene_mut(&mut self, raw_id: &str) -> &mut GeneAccumulator {
        let id = strip_version(raw_id);
        let position = match self.index.get(id) {
            Some(&p) => p,
            None => {
                self.index.insert(id.to_owned(), self.genes.len());
                self.genes.push(GeneAccumulator {
                    info: GeneInfo::from_id(raw_id),
                    ..GeneAccumulator::default()
                });
                self.genes.len() - 1
            }
        };
        &mut self.genes[position]
    }

    /// Number of genes seen so far.
    pub fn len(&self) -> usize {
        self.genes.len()
    }

    /// True when no gene has been seen.
    pub fn is_empty(&self) -> bool {
        self.genes.is_empty()
    }

    /// The annotation, genes in order of first appearance. A length that does not fit in 32 bits
    /// is refused (no gene is that long; the file is broken).
    pub fn finish(self) -> std::result::Result<GeneAnnotation, ErrorKind> {
        let mut genes = Vec::with_capacity(self.genes.len());
        for mut acc in self.genes {
            let union = if acc.exons.is_empty() {
                acc.stated_bp_length
            } else {
                Some(to_u32(&acc.info.id, union_length(&mut acc.exons))?)
            };
            acc.info.union_exon_length = union;
            acc.info.longest_transcript_length = match acc.transcripts.values().max() {
                Some(&longest) if !acc.exon_without_transcript => {
                    Some(to_u32(&acc.info.id, longest)?)
                }
                _ => None,
            };
            genes.push(acc.info);
        }
        Ok(GeneAnnotation::new(genes)?)
    }
}

fn to_u32(id: &str, length: u64) -> std::result::Result<u32, ErrorKind> {
    u32::try_from(length).map_err(|_| {
        ErrorKind::Malformed(format!("gene {id}: length {length} is implausibly large"))
    })
}

/// The recount3 `bp_length` of a gene line: the score column when it is a whole number, or a
/// `bp_length` attribute. A `bp_length` attribute that is not a whole number is an error.
fn stated_bp_length(record: &Record) -> std::result::Result<Option<u32>, ErrorKind> {
    if let Some(text) = record.attribute("bp_length") {
        return text
            .parse::<u32>()
            .map(Some)
            .map_err(|_| ErrorKind::NotNumeric {
                value: text.to_owned(),
            });
    }
    Ok(record
        .score
        .filter(|s| s.fract() == 0.0 && *s >= 1.0 && *s <= f64::from(u32::MAX))
        .map(|s| s as u32))
}

/// Fills symbol, chromosome and biotype from a record; a gene line overrides what exons said.
fn describe(info: &mut GeneInfo, record: &Record, authoritative: bool) {
    let set = |slot: &mut Option<String>, value: Option<&str>| {
        if let Some(v) = value {
            if authoritative || slot.is_none() {
                *slot = Some(v.to_owned());
            }
        }
    };
    set(&mut info.symbol, record.attribute("gene_name"));
    set(
        &mut info.biotype,
        record
            .attribute("gene_type")
            .or_else(|| record.attribute("gene_biotype")),
    );
    let chromosome = GeneInfo::normalise_chromosome(&record.seqname);
    set(&mut info.chromosome, Some(&chromosome));
}

/// Reads a GTF (plain or gzip) into a gene annotation, streaming line by line. An empty file, or
/// one with no `gene` or `exon` line, is refused.
pub fn read_gene_annotation(path: &Path) -> Result<GeneAnnotation> {
    let mut reader = Reader::open(path)?;
    let mut builder = GeneAnnotationBuilder::new();
    let mut record = Record::default();
    let mut any_record = false;
    while reader.read_record(&mut record)? {
        any_record = true;
        builder
            .push(&record, reader.line_number())
            .map_err(|kind| reader.error(kind))?;
    }
    if !any_record {
        return Err(crate::Error::file(path, ErrorKind::Empty));
    }
    if builder.is_empty() {
        return Err(crate::Error::file(
            path,
            ErrorKind::Missing("gene or exon lines".into()),
        ));
    }
    builder
        .finish()
        .map_err(|kind| crate::Error::file(path, kind))
}

/// One transcript of a [`GeneModel`]: its id and its exons (1-based inclusive intervals).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TranscriptModel {
    /// Transcript id (`ENST...`).
    pub id: String,
    /// Exons as `(start, end)`, 1-based inclusive.
    pub exons: Vec<(u64, u64)>,
}

/// A gene to be written as GTF `gene` and `exon` lines.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GeneModel {
    /// Id (written as `source_id` when set, else `id`), symbol, chromosome and biotype; the
    /// lengths are not read from here but follow from the transcripts.
    pub gene: GeneInfo,
    /// Strand: `+` or `-`.
    pub strand: char,
    /// The gene's transcripts; at least one, each with at least one exon.
    pub transcripts: Vec<TranscriptModel>,
}

impl GeneModel {
    /// The annotation that reading the written GTF gives for this gene: `gene` with the union exon
    /// and longest transcript lengths computed from the transcripts, GC left as it was (GTF has none).
    pub fn expected_info(&self) -> GeneInfo {
        let mut exons: Vec<(u64, u64)> = self
            .transcripts
            .iter()
            .flat_map(|t| t.exons.iter().copied())
            .collect();
        let longest = self
            .transcripts
            .iter()
            .map(|t| {
                t.exons
                    .iter()
                    .map(|(s, e)| e.saturating_sub(*s) + 1)
                    .sum::<u64>()
            })
            .max();
        let mut info = self.gene.clone();
        info.union_exon_length = u32::try_from(union_length(&mut exons)).ok();
        info.longest_transcript_length = longest.and_then(|l| u32::try_from(l).ok());
        info.gc_percent = None;
        info
    }

    fn records(&self) -> io::Result<Vec<Record>> {
        let chromosome = self
            .gene
            .chromosome
            .clone()
            .ok_or_else(|| invalid(format!("gene {} has no chromosome", self.gene.id)))?;
        let bounds = self
            .transcripts
            .iter()
            .flat_map(|t| t.exons.iter())
            .fold(None, |acc: Option<(u64, u64)>, &(s, e)| {
                Some(acc.map_or((s, e), |(a, b)| (a.min(s), b.max(e))))
            })
            .ok_or_else(|| invalid(format!("gene {} has no exon", self.gene.id)))?;
        let gene_id = self
            .gene
            .source_id
            .clone()
            .unwrap_or_else(|| self.gene.id.clone());
        let mut shared = vec![("gene_id".to_owned(), gene_id)];
        if let Some(biotype) = &self.gene.biotype {
            shared.push(("gene_type".to_owned(), biotype.clone()));
        }
        if let Some(symbol) = &self.gene.symbol {
            shared.push(("gene_name".to_owned(), symbol.clone()));
        }
        let base = Record {
            seqname: chromosome,
            source: "rnameta".to_owned(),
            feature: "gene".to_owned(),
            start: bounds.0,
            end: bounds.1,
            score: None,
            strand: self.strand.to_string(),
            frame: ".".to_owned(),
            attributes: shared.clone(),
        };
        let mut records = vec![base.clone()];
        for transcript in &self.transcripts {
            for (number, &(start, end)) in transcript.exons.iter().enumerate() {
                let mut attributes = shared.clone();
                attributes.insert(1, ("transcript_id".to_owned(), transcript.id.clone()));
                attributes.push(("exon_number".to_owned(), (number + 1).to_string()));
                records.push(Record {
                    feature: "exon".to_owned(),
                    start,
                    end,
                    attributes,
                    ..base.clone()
                });
            }
        }
        Ok(records)
    }
}

/// Writes genes as a GTF of `gene` and `exon` lines (gzip when the path ends in `.gz`),
/// atomically. Reading it back with [`read_gene_annotation`] gives each model's
/// [`GeneModel::expected_info`].
pub fn write_gene_models(path: &Path, genes: &[GeneModel]) -> Result<()> {
    write_atomically(path, |w| {
        let mut writer = Writer::new(w);
        writer.write_header("description: gene models written by rnameta")?;
        for gene in genes {
            for record in gene.records()? {
                writer.write_record(&record)?;
            }
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_quoted_and_unquoted_attributes() {
        let attrs =
            parse_attributes(r#"gene_id "G1.2"; level 2; tag "a;b c"; exon_number 3"#).unwrap();
        assert_eq!(
            attrs,
            vec![
                ("gene_id".into(), "G1.2".into()),
                ("level".into(), "2".into()),
                ("tag".into(), "a;b c".into()),
                ("exon_number".into(), "3".into()),
            ]
        );
        assert!(parse_attributes(r#"gene_id "G1"#).is_err());
        assert!(parse_attributes("gene_id;").is_err());
    }

    #[test]
    fn union_merges_overlapping_and_touching_intervals() {
        assert_eq!(
            union_length(&mut [(10, 20), (15, 30), (31, 31), (40, 41)]),
            24
        );
        assert_eq!(union_length(&mut []), 0);
    }
}
