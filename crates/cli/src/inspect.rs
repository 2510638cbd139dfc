//! `rnameta inspect`: what a file holds, as rnameta reads it.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use rnameta_core::{DataSource, Dataset, GeneAnnotation, GeneIdKind, ValueKind};
use rnameta_io::archs4::Archs4Reader;
use rnameta_io::detect::{self, Format};
use rnameta_io::tsv;
use rnameta_io::{annotation, gct, gtex, gtf, metasra, parquet, recount2, recount3, ErrorKind};
use serde::Serialize;

/// Samples read from a large matrix (ARCHS4) to judge the value kind, instead of the whole file.
const VALUE_KIND_SAMPLE: usize = 64;

/// What `inspect` reports about one file.
#[derive(Debug, Default, Serialize)]
pub struct Inspection {
    /// The file.
    pub path: PathBuf,
    /// The detected format.
    pub format: String,
    /// Number of samples (matrices and sample tables).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub samples: Option<usize>,
    /// Number of genes (matrices and annotations).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub genes: Option<usize>,
    /// The kind of gene ids.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gene_id_kind: Option<GeneIdKind>,
    /// Label fields present, with how many samples carry each (`sex: 85/85`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub label_fields: Vec<String>,
    /// The scale of the values.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_kind: Option<ValueKind>,
    /// Anything else worth knowing (fields probed, assumptions made).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// Inspects every path (directories file by file) and prints the result. Files that are not a
/// recognised format (a README beside the data, say) are skipped with a line saying so, whether
/// named or met in a directory; the command fails only when nothing could be inspected or a
/// recognised file is damaged.
pub fn run(paths: &[PathBuf], json: bool) -> Result<()> {
    let mut inspected = 0usize;
    let mut skipped = Vec::new();
    for path in paths {
        let files = if path.is_dir() {
            directory_files(path)?
        } else {
            vec![path.clone()]
        };
        for file in files {
            match inspect_file(&file) {
                Ok(found) => {
                    print(&found, json)?;
                    inspected += 1;
                }
                Err(err) if is_unrecognised(&err) => {
                    let why = err
                        .downcast_ref::<rnameta_io::Error>()
                        .map_or_else(String::new, |e| e.kind.to_string());
                    let line = format!(
                        "{}: skipped (not a recognised format: {why})",
                        file.display()
                    );
                    if json {
                        eprintln!("note: {line}");
                    } else {
                        write_stdout(&format!("{line}\n\n"))?;
                    }
                    skipped.push(format!("{}: {why}", file.display()));
                }
                Err(err) => return Err(err),
            }
        }
    }
    if inspected == 0 {
        bail!(
            "no file to inspect: {} not a recognised format (expression matrices, GCT, recount3 / \
             recount2 tables, ARCHS4 HDF5, Parquet, GTF, label and annotation tables, MetaSRA \
             JSON); first: {}",
            if skipped.len() == 1 {
                "the file is".to_owned()
            } else {
                format!("the {} files are", skipped.len())
            },
            skipped.first().map_or("none given", String::as_str)
        );
    }
    Ok(())
}

fn directory_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("reading directory {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    Ok(files)
}

fn is_unrecognised(err: &anyhow::Error) -> bool {
    err.downcast_ref::<rnameta_io::Error>()
        .is_some_and(|e| matches!(e.kind, ErrorKind::UnknownFormat(_) | ErrorKind::Empty))
}

/// Writes one file's description to standard output. Written whole, so that a reader that
/// stops early (`rnameta inspect DIR | head`) ends the command quietly (see `main`).
fn print(found: &Inspection, json: bool) -> Result<()> {
    use std::fmt::Write as _;
    let mut text = String::new();
    if json {
        writeln!(text, "{}", serde_json::to_string(found)?)?;
    } else {
        writeln!(text, "{}", found.path.display())?;
        writeln!(text, "  format:        {}", found.format)?;
        if let Some(n) = found.samples {
            writeln!(text, "  samples:       {n}")?;
        }
        if let Some(n) = found.genes {
            writeln!(text, "  genes:         {n}")?;
        }
        if let Some(kind) = found.gene_id_kind {
            writeln!(text, "  gene ids:      {kind:?}")?;
        }
        if !found.label_fields.is_empty() {
            writeln!(text, "  label fields:  {}", found.label_fields.join(", "))?;
        }
        if let Some(kind) = found.value_kind {
            writeln!(text, "  values:        {kind}")?;
        }
        for note in &found.notes {
            writeln!(text, "  note:          {note}")?;
        }
        writeln!(text)?;
    }
    write_stdout(&text)
}

/// Writes to standard output, returning (not panicking on) a closed pipe.
fn write_stdout(text: &str) -> Result<()> {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}

/// Detects the format of one file and reads what is needed to describe it.
pub fn inspect_file(path: &Path) -> Result<Inspection> {
    let format = detect::detect(path)?;
    let mut found = Inspection {
        path: path.to_path_buf(),
        format: format.to_string(),
        ..Inspection::default()
    };
    describe(&mut found, path, format)?;
    Ok(found)
}

fn list_or_none(items: &[&str]) -> String {
    if items.is_empty() {
        "none".to_owned()
    } else {
        items.join(", ")
    }
}

/// Fills samples, genes, id kind, labels and value kind from a dataset read whole.
fn describe_dataset(found: &mut Inspection, data: &Dataset) {
    found.samples = Some(data.n_samples());
    found.genes = Some(data.n_genes());
    describe_genes(found, data);
    found.label_fields = label_fields(data.samples());
    found.value_kind = Some(data.value_kind());
    describe_gene_id_mapping(found, data);
}

/// For a file keyed by symbols, Entrez ids or RefSeq accessions, a note saying how its genes map
/// onto Ensembl genes, exactly as every command that loads it maps them
/// ([`rnameta_data::map_to_ensembl`]); a file that cannot be mapped gets the reason as its note
/// (inspect describes, it does not refuse). Files keyed by Ensembl ids are not copied.
fn describe_gene_id_mapping(found: &mut Inspection, data: &Dataset) {
    if matches!(
        found.gene_id_kind,
        None | Some(GeneIdKind::Ensembl | GeneIdKind::EnsemblVersioned)
    ) {
        return;
    }
    let mut mapped = data.clone();
    let mut report = rnameta_data::LoadReport::default();
    match rnameta_data::map_to_ensembl(&mut mapped, &mut report) {
        Ok(()) => found.notes.extend(report.notes),
        Err(err) => found
            .notes
            .push(format!("gene ids not usable as given: {err}")),
    }
}

fn describe_genes(found: &mut Inspection, data: &Dataset) {
    let raw_ids = data
        .genes()
        .genes()
        .iter()
        .map(|g| g.source_id.as_deref().unwrap_or(&g.id));
    found.gene_id_kind = GeneIdKind::detect(raw_ids);
}

/// `field: labelled/total` for each label field at least one sample carries.
fn label_fields(samples: &[rnameta_core::SampleMeta]) -> Vec<String> {
    let total = samples.len();
    let count =
        |f: &dyn Fn(&rnameta_core::SampleMeta) -> bool| samples.iter().filter(|s| f(s)).count();
    let fields: [(&str, usize); 4] = [
        ("tissue", count(&|s| s.tissue.is_some())),
        ("sex", count(&|s| s.sex.is_some())),
        ("sample_source", count(&|s| s.sample_source.is_some())),
        ("study", count(&|s| s.study.is_some())),
    ];
    fields
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(name, n)| format!("{name}: {n}/{total}"))
        .collect()
}

/// Reads what is needed to describe a file of a known format.
fn describe(found: &mut Inspection, path: &Path, format: Format) -> Result<()> {
    match format {
        Format::Matrix(orientation) => {
            let data = rnameta_data::read_plain_matrix(path, orientation)?;
            describe_dataset(found, &data);
        }
        Format::Gct => describe_dataset(found, &gct::read(path, DataSource::Gtex)?),
        Format::LabelTable => {
            let table = tsv::read_label_table(path)?;
            found.samples = Some(table.len());
            found.label_fields = table.columns().to_vec();
            let recognised: Vec<&str> = [
                tsv::TISSUE_COLUMNS,
                tsv::SEX_COLUMNS,
                tsv::SOURCE_COLUMNS,
                tsv::STUDY_COLUMNS,
            ]
            .iter()
            .filter_map(|c| table.find_column(c))
            .collect();
            found.notes.push(format!(
                "columns used as labels: {}",
                list_or_none(&recognised)
            ));
        }
        Format::Archs4Hdf5 => describe_archs4(found, path)?,
        Format::Parquet => describe_parquet(found, path)?,
        Format::Recount3GeneSums => {
            let sums = recount3::read_gene_sums(path)?;
            describe_dataset(found, &sums.to_dataset()?);
            found.notes.push(
                "values are recount3 base-pair coverage sums; training converts them to read counts \
                 with the project's recount_qc table"
                    .into(),
            );
        }
        Format::Recount3Metadata => {
            let table = recount3::read_metadata_table(path)?;
            let source = file_name_of(path)
                .and_then(recount3::FileName::parse)
                .map_or(DataSource::Sra, |name| name.data_source);
            let samples = recount3::sample_meta(&table, source)?;
            found.samples = Some(samples.len());
            found.label_fields = label_fields(&samples);
            found.notes.push(format!(
                "{} columns; data source {source}",
                table.columns().len()
            ));
        }
        Format::Recount2Counts => describe_dataset(found, &recount2::read_counts_gene(path)?),
        Format::GtexSampleAttributes => {
            let table = gtex::read_sample_attributes(path)?;
            found.samples = Some(table.n_rows());
            found.label_fields = vec![format!("tissue (SMTS): {0}/{0}", table.n_rows())];
        }
        Format::GtexSubjectPhenotypes => {
            let table = gtex::read_subject_phenotypes(path)?;
            found.notes.push(format!(
                "{} donors (subjects), sex coded 1 male / 2 female",
                table.n_rows()
            ));
            found.label_fields = vec!["sex (SEX), by donor".into()];
        }
        Format::Gtf => describe_annotation(found, &gtf::read_gene_annotation(path)?),
        Format::GeneAnnotationTable => {
            describe_annotation(found, &annotation::read_gene_table(path)?)
        }
        Format::MetaSraJson => {
            let metasra = metasra::read_metasra(path)?;
            let total = metasra.len();
            let typed = metasra
                .samples()
                .iter()
                .filter(|s| s.sample_source().is_some())
                .count();
            let sexed = metasra
                .samples()
                .iter()
                .filter(|s| s.sex().is_some())
                .count();
            found.samples = Some(total);
            found.label_fields = vec![
                format!("sample_source: {typed}/{total}"),
                format!("sex: {sexed}/{total}"),
            ];
        }
    }
    Ok(())
}

fn file_name_of(path: &Path) -> Option<&str> {
    path.file_name().and_then(|n| n.to_str())
}

/// ARCHS4 files can be larger than memory: only metadata and a few samples are read.
fn describe_archs4(found: &mut Inspection, path: &Path) -> Result<()> {
    let reader = Archs4Reader::open(path)?;
    found.samples = Some(reader.n_samples());
    found.genes = Some(reader.n_genes());
    found.gene_id_kind = GeneIdKind::detect(reader.genes().ids());
    found.label_fields = label_fields(&reader.samples()?);
    let first: Vec<usize> = (0..reader.n_samples().min(VALUE_KIND_SAMPLE)).collect();
    if !first.is_empty() {
        found.value_kind = Some(reader.read_samples(&first)?.value_kind());
        if first.len() < reader.n_samples() {
            found.notes.push(format!(
                "value kind judged on the first {} samples",
                first.len()
            ));
        }
    }
    if let Some(version) = reader.version() {
        found.notes.push(format!("ARCHS4 version {version}"));
    }
    let probed: Vec<String> = reader
        .fields_found()
        .iter()
        .map(|f| format!("{}={}", f.role, f.found.as_deref().unwrap_or("absent")))
        .collect();
    found.notes.push(format!("fields: {}", probed.join(", ")));
    if !reader.dropped_genes().is_empty() {
        found.notes.push(format!(
            "{} repeated gene rows dropped (first occurrence kept)",
            reader.dropped_genes().len()
        ));
    }
    Ok(())
}

/// A Parquet file is either a processed matrix or a prediction table.
fn describe_parquet(found: &mut Inspection, path: &Path) -> Result<()> {
    let matrix_error = match parquet::read_dataset(path) {
        Ok(data) => {
            found.format = "Parquet expression matrix".into();
            describe_dataset(found, &data);
            return Ok(());
        }
        Err(err) => err,
    };
    match parquet::read_predictions(path) {
        Ok(table) => {
            found.format = "Parquet prediction table".into();
            found.samples = Some(table.rows.len());
            found
                .notes
                .push(format!("classes: {}", table.classes.join(", ")));
            Ok(())
        }
        Err(_) => Err(matrix_error.into()),
    }
}

/// Genes, id kind, and how much of the annotation each field covers.
fn describe_annotation(found: &mut Inspection, genes: &GeneAnnotation) {
    found.genes = Some(genes.len());
    found.gene_id_kind = GeneIdKind::detect(
        genes
            .genes()
            .iter()
            .map(|g| g.source_id.as_deref().unwrap_or(&g.id)),
    );
    let total = genes.len();
    let count =
        |f: &dyn Fn(&rnameta_core::GeneInfo) -> bool| genes.genes().iter().filter(|g| f(g)).count();
    let coverage = [
        ("symbol", count(&|g| g.symbol.is_some())),
        ("chromosome", count(&|g| g.chromosome.is_some())),
        ("biotype", count(&|g| g.biotype.is_some())),
        (
            "longest transcript",
            count(&|g| g.longest_transcript_length.is_some()),
        ),
        (
            "union exon length",
            count(&|g| g.union_exon_length.is_some()),
        ),
        ("GC", count(&|g| g.gc_percent.is_some())),
    ];
    let known: Vec<String> = coverage
        .iter()
        .map(|(name, n)| format!("{name} {n}/{total}"))
        .collect();
    found.notes.push(format!("annotated: {}", known.join(", ")));
}
