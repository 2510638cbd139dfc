//! Recognising which format a file is, from its content (not its name), for `rnameta inspect` and
//! for commands that accept "any supported input".

use std::fmt;
use std::fs::File;
use std::io::Read;
use std::path::Path;

use rnameta_core::GeneIdKind;

use crate::error::{Error, ErrorKind, Location, Result};
use crate::source::{detect_delimiter, LineReader};
use crate::tsv::Orientation;

/// A format rnameta reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// ARCHS4 compendium (HDF5).
    Archs4Hdf5,
    /// Parquet (a processed matrix or a prediction table written by rnameta).
    Parquet,
    /// GTEx GCT 1.2 matrix.
    Gct,
    /// recount3 gene sums (`##` lines, then `gene_id` and samples).
    Recount3GeneSums,
    /// recount3 metadata table (has `rail_id`).
    Recount3Metadata,
    /// recount2 gene count table (`gene_id` as the last column).
    Recount2Counts,
    /// GTEx SampleAttributesDS (`SAMPID` first).
    GtexSampleAttributes,
    /// GTEx SubjectPhenotypesDS (`SUBJID` first).
    GtexSubjectPhenotypes,
    /// GENCODE / Ensembl / recount3 GTF.
    Gtf,
    /// A gene annotation table (gene id, chromosome, biotype columns).
    GeneAnnotationTable,
    /// MetaSRA JSON.
    MetaSraJson,
    /// A plain numeric matrix with the given orientation.
    Matrix(Orientation),
    /// A plain table of sample labels (sample id, then text columns).
    LabelTable,
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Archs4Hdf5 => "ARCHS4 HDF5",
            Self::Parquet => "Parquet",
            Self::Gct => "GTEx GCT 1.2",
            Self::Recount3GeneSums => "recount3 gene sums",
            Self::Recount3Metadata => "recount3 metadata table",
            Self::Recount2Counts => "recount2 gene counts",
            Self::GtexSampleAttributes => "GTEx SampleAttributesDS",
            Self::GtexSubjectPhenotypes => "GTEx SubjectPhenotypesDS",
            Self::Gtf => "GTF gene annotation",
            Self::GeneAnnotationTable => "gene annotation table",
            Self::MetaSraJson => "MetaSRA JSON",
            Self::Matrix(Orientation::GenesInRows) => "TSV/CSV matrix, genes in rows",
            Self::Matrix(Orientation::SamplesInRows) => "TSV/CSV matrix, samples in rows",
            Self::LabelTable => "sample label table",
        })
    }
}

const HDF5_SIGNATURE: &[u8; 8] = b"\x89HDF\r\n\x1a\n";
const PARQUET_MAGIC: &[u8; 4] = b"PAR1";
/// Header names of a gene id column in a genes-in-rows matrix.
const GENE_COLUMN_NAMES: &[&str] = &[
    "gene_id",
    "gene",
    "genes",
    "geneid",
    "gene_name",
    "symbol",
    "name",
    "id",
    "ensembl_gene_id",
    "",
];

/// The start of the format tag of `rnameta fetch`'s `fetch-manifest.json`.
const FETCH_MANIFEST_TAG: &str = "\"rnameta-fetch-manifest/";

/// Recognises a file's format from its first bytes and lines.
pub fn detect(path: &Path) -> Result<Format> {
    if let Some(format) = detect_binary(path)? {
        return Ok(format);
    }
    let mut reader = LineReader::open(path)?;
    let mut lines = Vec::new();
    let mut line = String::new();
    while lines.len() < 8 && reader.read_line(&mut line)? {
        lines.push(line.clone());
    }
    let unknown = |why: &str| Error::file(path, ErrorKind::UnknownFormat(why.to_owned()));
    let first = lines
        .first()
        .ok_or_else(|| Error::file(path, ErrorKind::Empty))?;
    if first.trim() == "#1.2" {
        return Ok(Format::Gct);
    }
    if first.trim_start().starts_with(['{', '[']) {
        // `rnameta fetch` leaves its manifest beside the data it downloaded: JSON, but not
        // MetaSRA's, and not data (a directory walk passes over it).
        if lines.iter().any(|l| l.contains(FETCH_MANIFEST_TAG)) {
            return Err(unknown(
                "an rnameta fetch manifest (the list of downloaded files and their checksums), not data",
            ));
        }
        return Ok(Format::MetaSraJson);
    }
    if let Some(gtf_line) = lines.iter().find(|l| !l.starts_with('#')) {
        if looks_like_gtf(gtf_line) {
            return Ok(Format::Gtf);
        }
    }
    if first.starts_with("##") {
        return Ok(Format::Recount3GeneSums);
    }
    let delimiter = detect_delimiter(first);
    let header: Vec<String> = crate::tsv::split_fields(first, delimiter)
        .map(|f| f.to_ascii_lowercase())
        .collect();
    let has = |name: &str| header.iter().any(|h| h == name);
    if has("rail_id") || has("external_id") {
        return Ok(Format::Recount3Metadata);
    }
    match header.first().map(String::as_str) {
        Some("sampid") => return Ok(Format::GtexSampleAttributes),
        Some("subjid") => return Ok(Format::GtexSubjectPhenotypes),
        _ => {}
    }
    if header.len() > 1 && header.last().is_some_and(|h| h == "gene_id") {
        return Ok(Format::Recount2Counts);
    }
    if (has("gene_biotype") || has("biotype") || has("gene_type"))
        && (has("chromosome") || has("chr") || has("chrom") || has("seqname"))
    {
        return Ok(Format::GeneAnnotationTable);
    }
    let data_lines: Vec<&String> = lines
        .iter()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .collect();
    if header.len() < 2 {
        return Err(unknown(
            "one column only; a matrix or table needs an id column and values",
        ));
    }
    let Some(second) = data_lines.first() else {
        return Err(unknown("a header line and no data"));
    };
    // An empty last column on every line is a trailing delimiter (some exporters write one): read
    // as it stands, the empty cells would make a matrix look like a label table.
    let ends_with_delimiter = |l: &str| l.trim_end_matches(['\r', '\n']).ends_with(delimiter);
    if ends_with_delimiter(first) && data_lines.iter().all(|l| ends_with_delimiter(l)) {
        let shown = if delimiter == '\t' { "\\t" } else { "," };
        return Err(Error::line(
            path,
            1,
            ErrorKind::Malformed(format!(
                "every line ends with a {} delimiter, leaving an empty last column; remove the \
                 trailing delimiters (e.g. sed 's/{shown}$//' FILE) and try again",
                if delimiter == '\t' { "tab" } else { "comma" }
            )),
        ));
    }
    let numeric = crate::tsv::split_fields(second, delimiter)
        .skip(1)
        .all(|f| f.parse::<f64>().is_ok());
    if !numeric {
        return Ok(Format::LabelTable);
    }
    Ok(Format::Matrix(guess_orientation(
        first,
        &data_lines,
        delimiter,
    )))
}

fn detect_binary(path: &Path) -> Result<Option<Format>> {
    let mut file = File::open(path).map_err(|e| Error::io(path, Location::File, e))?;
    let mut head = [0u8; 8];
    let n = file
        .read(&mut head)
        .map_err(|e| Error::io(path, Location::File, e))?;
    if n == 0 {
        return Err(Error::file(path, ErrorKind::Empty));
    }
    if n == 8 && &head == HDF5_SIGNATURE {
        return Ok(Some(Format::Archs4Hdf5));
    }
    if n >= 4 && &head[..4] == PARQUET_MAGIC {
        return Ok(Some(Format::Parquet));
    }
    Ok(None)
}

fn looks_like_gtf(line: &str) -> bool {
    let fields: Vec<&str> = line.split('\t').collect();
    fields.len() == 9
        && fields[3].parse::<u64>().is_ok()
        && fields[4].parse::<u64>().is_ok()
        && fields[8].contains("gene_id")
}

/// Genes are in rows when the header's first column names genes or the rows start with gene ids;
/// in columns when the header's names are gene ids. Plain symbols look like sample names, so the
/// default for an undecidable file is the commoner genes-in-rows.
fn guess_orientation(header: &str, data_lines: &[&String], delimiter: char) -> Orientation {
    let is_id_kind = |k: GeneIdKind| k != GeneIdKind::Symbol;
    let names: Vec<&str> = crate::tsv::split_fields(header, delimiter)
        .skip(1)
        .collect();
    if GeneIdKind::detect(names.iter().copied()).is_some_and(is_id_kind) {
        return Orientation::SamplesInRows;
    }
    let row_ids: Vec<&str> = data_lines
        .iter()
        .filter_map(|l| crate::tsv::split_fields(l, delimiter).next())
        .collect();
    if GeneIdKind::detect(row_ids.iter().copied()).is_some_and(is_id_kind) {
        return Orientation::GenesInRows;
    }
    let first = crate::tsv::split_fields(header, delimiter)
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    if GENE_COLUMN_NAMES.contains(&first.as_str()) {
        return Orientation::GenesInRows;
    }
    if ["sample", "sample_id", "samples", "run", "gsm"].contains(&first.as_str()) {
        return Orientation::SamplesInRows;
    }
    Orientation::GenesInRows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detect_text(content: &str) -> Result<Format> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.txt");
        std::fs::write(&path, content).unwrap();
        detect(&path)
    }

    #[test]
    fn recognises_text_formats() {
        assert_eq!(detect_text("#1.2\n1\t1\n").unwrap(), Format::Gct);
        assert_eq!(
            detect_text("##annotation=G026\n##date\ngene_id\tSRR1\n").unwrap(),
            Format::Recount3GeneSums
        );
        assert_eq!(
            detect_text("rail_id\texternal_id\tstudy\n1\tSRR1\tSRP1\n").unwrap(),
            Format::Recount3Metadata
        );
        assert_eq!(
            detect_text("SAMPID\tSMTS\n").unwrap(),
            Format::GtexSampleAttributes
        );
        assert_eq!(
            detect_text("SUBJID\tSEX\n").unwrap(),
            Format::GtexSubjectPhenotypes
        );
        assert_eq!(
            detect_text("SRR1\tSRR2\tgene_id\n1\t2\tENSG1.1\n").unwrap(),
            Format::Recount2Counts
        );
        assert_eq!(detect_text("{\"SRS1\": {}}").unwrap(), Format::MetaSraJson);
        let manifest = "{\n  \"format\": \"rnameta-fetch-manifest/1\",\n  \"files\": []\n}\n";
        let err = detect_text(manifest).unwrap_err();
        assert!(
            matches!(err.kind, ErrorKind::UnknownFormat(ref why) if why.contains("fetch manifest")),
            "{err}"
        );
        let gtf =
            "#!genome-build GRCh38\nchr21\tHAVANA\tgene\t5\t9\t.\t+\t.\tgene_id \"ENSG1.1\";\n";
        assert_eq!(detect_text(gtf).unwrap(), Format::Gtf);
        assert_eq!(
            detect_text("gene_id\tChr\tbiotype\nENSG1\t1\tlncRNA\n").unwrap(),
            Format::GeneAnnotationTable
        );
        assert_eq!(
            detect_text("sample\tsex\nA\tfemale\n").unwrap(),
            Format::LabelTable
        );
        assert_eq!(
            detect_text("gene_id\tA\tB\nENSG1\t1\t2\n").unwrap(),
            Format::Matrix(Orientation::GenesInRows)
        );
        assert_eq!(
            detect_text("sample\tENSG1\tENSG2\nA\t1\t2\n").unwrap(),
            Format::Matrix(Orientation::SamplesInRows)
        );
        assert!(matches!(
            detect_text("").unwrap_err().kind,
            ErrorKind::Empty
        ));
        assert!(matches!(
            detect_text("just one column\n").unwrap_err().kind,
            ErrorKind::UnknownFormat(_)
        ));
    }

    #[test]
    fn a_trailing_delimiter_on_every_line_is_refused_not_taken_for_a_label_table() {
        let err = detect_text("gene_id\tA\tB\t\nENSG1\t1\t2\t\nENSG2\t3\t4\t\n").unwrap_err();
        assert!(matches!(err.kind, ErrorKind::Malformed(_)), "{err}");
        let text = err.to_string();
        assert!(
            text.contains(":1:") && text.contains("ends with a tab"),
            "{text}"
        );
    }
}
