//! The truth of every simulated sample: its real labels and the QC flags, kept apart from the
//! (sparse, partly wrong) labels written in the metadata, and written as `truth.tsv.gz`.

use std::path::Path;

use rnameta_core::{DataSource, SampleSource, Sex};
use rnameta_io::source::LineReader;
use rnameta_io::write::write_atomically;
use rnameta_io::ErrorKind;

use crate::error::Result;

/// What a simulated sample really is.
#[derive(Debug, Clone, PartialEq)]
pub struct Truth {
    /// The sample's id in the written files.
    pub sample_id: String,
    /// GTEx, TCGA, SRA or ARCHS4.
    pub data_source: DataSource,
    /// Study / project (recount3 project, SRP, GSE).
    pub study: String,
    /// Experiment (SRX); empty outside SRA.
    pub experiment: String,
    /// True canonical tissue (`lung`).
    pub tissue: String,
    /// True sex of the donor (of the cell line's donor).
    pub sex: Sex,
    /// Biopsy or cell line.
    pub sample_source: SampleSource,
    /// Cell line name, when a cell line.
    pub cell_line: String,
    /// GTEx donor or TCGA patient; empty otherwise.
    pub donor: String,
    /// Tumour purity in (0, 1] for tumours (TCGA, and SRA tumour studies), 0 for normal samples.
    pub purity: f32,
    /// Library protocol (`polyA`, `total_rna`, `small_rna`).
    pub protocol: String,
    /// Read length in bases (recount3 coverage = counts x read length).
    pub read_length: u32,
    /// The study is single-cell RNA-seq (QC should remove it).
    pub is_single_cell: bool,
    /// The library is small RNA (QC should remove it).
    pub is_small_rna: bool,
    /// For a technical replicate: the first run of its experiment; empty otherwise.
    pub replicate_of: String,
    /// A label written in the metadata (tissue, sex or sample source) contradicts this truth.
    pub label_is_wrong: bool,
}

const HEADER: [&str; 16] = [
    "sample_id",
    "data_source",
    "study",
    "experiment",
    "tissue",
    "sex",
    "sample_source",
    "cell_line",
    "donor",
    "purity",
    "protocol",
    "read_length",
    "is_single_cell",
    "is_small_rna",
    "replicate_of",
    "label_is_wrong",
];

/// Writes truth rows as a TSV (gzip when the path ends in `.gz`), atomically.
pub fn write_truth(path: &Path, rows: &[Truth]) -> rnameta_io::Result<()> {
    write_atomically(path, |w| {
        writeln!(w, "{}", HEADER.join("\t"))?;
        for t in rows {
            writeln!(
                w,
                "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                t.sample_id,
                t.data_source,
                t.study,
                t.experiment,
                t.tissue,
                t.sex,
                t.sample_source,
                t.cell_line,
                t.donor,
                t.purity,
                t.protocol,
                t.read_length,
                t.is_single_cell,
                t.is_small_rna,
                t.replicate_of,
                t.label_is_wrong
            )?;
        }
        Ok(())
    })
}

/// Reads a truth table written by [`write_truth`]; a bad cell is an error naming file and line.
pub fn read_truth(path: &Path) -> Result<Vec<Truth>> {
    let mut reader = LineReader::open(path)?;
    let mut line = String::new();
    if !reader.read_line(&mut line)? || line.split('\t').collect::<Vec<_>>() != HEADER {
        return Err(reader
            .error(ErrorKind::MissingHeader {
                expected: HEADER.join("<TAB>"),
            })
            .into());
    }
    let mut rows = Vec::new();
    while reader.read_line(&mut line)? {
        let c: Vec<&str> = line.split('\t').collect();
        if c.len() != HEADER.len() {
            return Err(reader
                .error(ErrorKind::Malformed(format!(
                    "{} cells, expected {}",
                    c.len(),
                    HEADER.len()
                )))
                .into());
        }
        let bad = |what: &str, v: &str| reader.error(ErrorKind::Malformed(format!("{what} {v:?}")));
        let flag = |v: &str| match v {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(bad("flag", v)),
        };
        rows.push(Truth {
            sample_id: c[0].to_owned(),
            data_source: c[1].parse().map_err(|_| bad("data source", c[1]))?,
            study: c[2].to_owned(),
            experiment: c[3].to_owned(),
            tissue: c[4].to_owned(),
            sex: Sex::parse_loose(c[5]).ok_or_else(|| bad("sex", c[5]))?,
            sample_source: SampleSource::parse_loose(c[6])
                .ok_or_else(|| bad("sample source", c[6]))?,
            cell_line: c[7].to_owned(),
            donor: c[8].to_owned(),
            purity: c[9].parse().map_err(|_| bad("purity", c[9]))?,
            protocol: c[10].to_owned(),
            read_length: c[11].parse().map_err(|_| bad("read length", c[11]))?,
            is_single_cell: flag(c[12])?,
            is_small_rna: flag(c[13])?,
            replicate_of: c[14].to_owned(),
            label_is_wrong: flag(c[15])?,
        });
    }
    Ok(rows)
}
