//! Reading the expression files given to `train`, `annotate`, `evaluate` and `rank-genes`, with
//! the labels and gene annotation that come with them.
//!
//! An input is a file or a directory (walked recursively). Each file's format is detected from
//! its content (`rnameta_io::detect`); files are then split into
//! - expression files: plain TSV/CSV matrices, GTEx GCT, recount3 gene sums, recount2 counts,
//!   ARCHS4 HDF5, Parquet matrices;
//! - companions that label or annotate the expression files of the same input: GTEx
//!   SampleAttributesDS + SubjectPhenotypesDS, sample label tables, MetaSRA JSON, GTF and gene
//!   annotation tables.
//!
//! A recount3 gene sums file finds its own companions in the recount3 layout (or next to it): the
//! project's `recount_qc` table (coverage -> read counts), its own metadata table (`sra`, `gtex`,
//! `tcga`: labels and study), and the annotation GTF `annotations/gene_sums/human.gene_sums.<annotation>.gtf.gz`
//! (chromosomes, biotypes, lengths). recount3 metadata tables met in a directory walk are therefore
//! not inputs of their own.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use rnameta_core::{DataSource, Dataset, GeneAnnotation, GeneIdKind, ValueKind};
use rnameta_io::archs4::Archs4Reader;
use rnameta_io::detect::{self, Format};
use rnameta_io::recount3::{self, FileName, Recount3Table};
use rnameta_io::tsv::{self, MatrixOptions};
use rnameta_io::{annotation, gct, gtex, gtf, metasra, parquet, recount2, ErrorKind};
use rnameta_preprocess::harmonise::{reorder_to, ReorderOptions};

/// Label and annotation files given on the command line (`--labels`, `--gene-annotation`), applied
/// to every expression file after its own companions.
#[derive(Debug, Clone, Default)]
pub struct Extras {
    /// A sample label table (`--labels`).
    pub labels: Option<PathBuf>,
    /// A GTF or gene annotation table (`--gene-annotation`).
    pub gene_annotation: Option<PathBuf>,
}

/// One expression file with what labels and annotates it.
#[derive(Debug, Clone)]
pub struct ExpressionFile {
    /// The file.
    pub path: PathBuf,
    /// Its detected format.
    pub format: Format,
    /// Companion files of the same input (label tables, MetaSRA, GTEx tables, annotations).
    pub companions: Vec<(PathBuf, Format)>,
}

/// The expression files of a list of inputs (files or directories), each with its companions.
pub fn expression_files(inputs: &[PathBuf]) -> Result<Vec<ExpressionFile>> {
    let mut out = Vec::new();
    for input in inputs {
        if !input.exists() {
            bail!("{}: no such file or directory", input.display());
        }
        let mut expression = Vec::new();
        let mut companions = Vec::new();
        if input.is_dir() {
            for file in walk(input)? {
                match detect::detect(&file) {
                    Ok(format) => sort_file(file, format, &mut expression, &mut companions),
                    Err(err)
                        if matches!(err.kind, ErrorKind::UnknownFormat(_) | ErrorKind::Empty) => {}
                    Err(err) => return Err(err.into()),
                }
            }
            if expression.is_empty() {
                bail!(
                    "{}: no expression file found in the directory (matrices, GCT, recount3 gene \
                     sums, ARCHS4 HDF5, Parquet)",
                    input.display()
                );
            }
        } else {
            let format = detect::detect(input)?;
            if !is_expression(format) {
                bail!(
                    "{}: a {format}, not an expression matrix (label tables go to --labels, gene \
                     annotations to --gene-annotation)",
                    input.display()
                );
            }
            expression.push((input.clone(), format));
            // GTEx tables and MetaSRA next to a named GCT / matrix label it.
            if let Some(dir) = input.parent().filter(|d| !d.as_os_str().is_empty()) {
                if let Ok(entries) = std::fs::read_dir(dir) {
                    let mut siblings: Vec<PathBuf> = entries
                        .filter_map(|e| e.ok().map(|e| e.path()))
                        .filter(|p| p.is_file() && p != input)
                        .collect();
                    siblings.sort();
                    for file in siblings {
                        if let Ok(
                            f @ (Format::GtexSampleAttributes | Format::GtexSubjectPhenotypes),
                        ) = detect::detect(&file)
                        {
                            companions.push((file, f));
                        }
                    }
                }
            }
        }
        out.extend(expression.into_iter().map(|(path, format)| ExpressionFile {
            path,
            format,
            companions: companions.clone(),
        }));
    }
    Ok(out)
}

fn sort_file(
    file: PathBuf,
    format: Format,
    expression: &mut Vec<(PathBuf, Format)>,
    companions: &mut Vec<(PathBuf, Format)>,
) {
    match format {
        f if is_expression(f) => expression.push((file, f)),
        Format::GtexSampleAttributes
        | Format::GtexSubjectPhenotypes
        | Format::LabelTable
        | Format::MetaSraJson
        | Format::Gtf
        | Format::GeneAnnotationTable => companions.push((file, format)),
        // recount3 metadata is read with its gene sums; prediction tables are outputs.
        _ => {}
    }
}

/// True for the formats that hold an expression matrix.
pub fn is_expression(format: Format) -> bool {
    matches!(
        format,
        Format::Matrix(_)
            | Format::Gct
            | Format::Recount3GeneSums
            | Format::Recount2Counts
            | Format::Archs4Hdf5
            | Format::Parquet
    )
}

/// Every file under `dir`, sorted, hidden files (temporary outputs) left out.
fn walk(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in
            std::fs::read_dir(&d).with_context(|| format!("reading directory {}", d.display()))?
        {
            let path = entry?.path();
            let hidden = path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with('.'));
            if hidden {
                continue;
            }
            if path.is_dir() {
                stack.push(path);
            } else if path.is_file() {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

/// Reads one expression file whole, labelled and annotated by its companions and `extras`.
/// `notes` collects what was assumed or found (printed by the commands).
pub fn read_file(
    file: &ExpressionFile,
    extras: &Extras,
    notes: &mut Vec<String>,
) -> Result<Dataset> {
    let path = &file.path;
    let mut data = match file.format {
        Format::Matrix(orientation) => read_plain_matrix(path, orientation)?,
        Format::Gct => gct::read(path, DataSource::Gtex)?,
        Format::Recount3GeneSums => read_recount3(path, notes)?,
        Format::Recount2Counts => recount2::read_counts_gene(path)?,
        Format::Archs4Hdf5 => Archs4Reader::open(path)?.read_all()?,
        Format::Parquet => parquet::read_dataset(path)?,
        other => bail!("{}: a {other}, not an expression matrix", path.display()),
    };
    label_and_annotate(&mut data, &file.companions, extras, notes)?;
    Ok(data)
}

/// Applies companions and extras to a dataset read from a file (or a chunk of one).
///
/// Reads and parses the companions and extras on every call: for the chunks of one file, load a
/// [`Labelling`] once and [`apply`](Labelling::apply) it to each chunk.
pub fn label_and_annotate(
    data: &mut Dataset,
    companions: &[(PathBuf, Format)],
    extras: &Extras,
    notes: &mut Vec<String>,
) -> Result<()> {
    Labelling::load(companions, extras)?.apply(data, notes)
}

/// The companions and extras of one expression file, read and parsed once, applied to the file
/// or to each chunk of it in the order [`label_and_annotate`] applies them: GTEx sample
/// attributes and subject phenotypes, then each companion in turn, then `--gene-annotation`,
/// then `--labels`.
#[derive(Debug)]
pub struct Labelling {
    steps: Vec<LabelStep>,
}

/// One parsed labelling or annotation source, with the file it came from (for the notes).
#[derive(Debug)]
enum LabelStep {
    Gtex {
        attributes_path: PathBuf,
        phenotypes_path: PathBuf,
        attributes: Box<rnameta_io::recount3::MetadataTable>,
        phenotypes: Box<rnameta_io::recount3::MetadataTable>,
    },
    LabelTable {
        path: PathBuf,
        table: tsv::LabelTable,
    },
    MetaSra {
        path: PathBuf,
        metasra: metasra::MetaSra,
        tissue_terms: std::collections::BTreeMap<String, String>,
    },
    Genes {
        path: PathBuf,
        genes: GeneAnnotation,
    },
}

impl Labelling {
    /// Reads and parses the companions and extras (the same files, in the same order, with the
    /// same errors as [`label_and_annotate`]).
    pub fn load(companions: &[(PathBuf, Format)], extras: &Extras) -> Result<Self> {
        let mut steps = Vec::new();
        let attributes = companions
            .iter()
            .find(|(_, f)| *f == Format::GtexSampleAttributes);
        let phenotypes = companions
            .iter()
            .find(|(_, f)| *f == Format::GtexSubjectPhenotypes);
        if let (Some((a, _)), Some((p, _))) = (attributes, phenotypes) {
            steps.push(LabelStep::Gtex {
                attributes: Box::new(gtex::read_sample_attributes(a)?),
                phenotypes: Box::new(gtex::read_subject_phenotypes(p)?),
                attributes_path: a.clone(),
                phenotypes_path: p.clone(),
            });
        }
        let mut tissue_terms = None;
        for (path, format) in companions {
            match format {
                Format::LabelTable => steps.push(LabelStep::LabelTable {
                    table: tsv::read_label_table(path)?,
                    path: path.clone(),
                }),
                Format::MetaSraJson => {
                    let metasra = metasra::read_metasra(path)?;
                    let tissue_terms = tissue_terms
                        .get_or_insert_with(rnameta_sim::genesets::tissue_terms)
                        .clone();
                    steps.push(LabelStep::MetaSra {
                        path: path.clone(),
                        metasra,
                        tissue_terms,
                    });
                }
                Format::Gtf | Format::GeneAnnotationTable => steps.push(LabelStep::Genes {
                    genes: read_annotation(path, *format)?,
                    path: path.clone(),
                }),
                _ => {}
            }
        }
        if let Some(path) = &extras.gene_annotation {
            let format = detect::detect(path)?;
            if !matches!(format, Format::Gtf | Format::GeneAnnotationTable) {
                bail!(
                    "{}: --gene-annotation needs a GTF or a gene annotation table, this is a {format}",
                    path.display()
                );
            }
            steps.push(LabelStep::Genes {
                genes: read_annotation(path, format)?,
                path: path.clone(),
            });
        }
        if let Some(path) = &extras.labels {
            steps.push(LabelStep::LabelTable {
                table: tsv::read_label_table(path)?,
                path: path.clone(),
            });
        }
        Ok(Self { steps })
    }

    /// Labels and annotates `data` (a whole file or one chunk of it), noting what was applied.
    pub fn apply(&self, data: &mut Dataset, notes: &mut Vec<String>) -> Result<()> {
        for step in &self.steps {
            match step {
                LabelStep::Gtex {
                    attributes_path,
                    phenotypes_path,
                    attributes,
                    phenotypes,
                } => {
                    let report =
                        gtex::fill_sample_meta(data.samples_mut(), attributes, phenotypes)?;
                    if report.filled > 0 {
                        note(
                            notes,
                            format!(
                                "labels of {} samples from {} and {}",
                                report.filled,
                                attributes_path.display(),
                                phenotypes_path.display()
                            ),
                        );
                    }
                }
                LabelStep::LabelTable { path, table } => {
                    apply_label_table(data, path, table, notes);
                }
                LabelStep::MetaSra {
                    path,
                    metasra,
                    tissue_terms,
                } => {
                    let report =
                        metasra::fill_sample_metas(data.samples_mut(), metasra, tissue_terms);
                    if report.matched > 0 {
                        note(
                            notes,
                            format!(
                                "MetaSRA labels of {} samples from {}",
                                report.matched,
                                path.display()
                            ),
                        );
                    }
                }
                LabelStep::Genes { path, genes } => annotate_genes(data, path, genes, notes),
            }
        }
        Ok(())
    }
}

fn note(notes: &mut Vec<String>, text: String) {
    if !notes.contains(&text) {
        notes.push(text);
    }
}

/// Reads a gene annotation (GTF or table) into the dataset's genes.
pub fn read_annotation(path: &Path, format: Format) -> Result<GeneAnnotation> {
    Ok(match format {
        Format::Gtf => gtf::read_gene_annotation(path)?,
        _ => annotation::read_gene_table(path)?,
    })
}

fn annotate_genes(
    data: &mut Dataset,
    path: &Path,
    genes: &GeneAnnotation,
    notes: &mut Vec<String>,
) {
    let filled = data.genes_mut().fill_from(genes);
    note(
        notes,
        format!(
            "gene annotation from {} ({filled} genes filled)",
            path.display()
        ),
    );
}

fn apply_label_table(
    data: &mut Dataset,
    path: &Path,
    table: &tsv::LabelTable,
    notes: &mut Vec<String>,
) {
    let report = tsv::apply_labels(data.samples_mut(), table);
    let matched = data.n_samples() - report.missing_samples.len();
    let columns: Vec<String> = report
        .columns_used
        .iter()
        .map(|(label, column)| format!("{label}={column}"))
        .collect();
    note(
        notes,
        format!(
            "labels of {matched} of {} samples from {} ({})",
            data.n_samples(),
            path.display(),
            columns.join(", ")
        ),
    );
    if let Some((sample, column, value)) = report.unparsable.first() {
        note(
            notes,
            format!(
                "{}: {} values not understood, e.g. sample {sample} column {column}: {value:?}",
                path.display(),
                report.unparsable.len()
            ),
        );
    }
}

/// A plain matrix: counts first; a matrix with negative values (standardised) is read as any
/// finite values, so that the commands can say what it is instead of failing on the first cell.
pub fn read_plain_matrix(path: &Path, orientation: tsv::Orientation) -> Result<Dataset> {
    let options = MatrixOptions {
        orientation,
        ..MatrixOptions::genes_in_rows()
    };
    Ok(
        tsv::read_matrix(path, options).or_else(|err| match err.kind {
            ErrorKind::NegativeCount { .. } => tsv::read_matrix(
                path,
                MatrixOptions {
                    policy: rnameta_io::numeric::ValuePolicy::AnyFinite,
                    ..options
                },
            ),
            _ => Err(err),
        })?,
    )
}

/// A recount3 gene sums file as read counts, with its project's labels and the gene annotation.
fn read_recount3(path: &Path, notes: &mut Vec<String>) -> Result<Dataset> {
    let sums = recount3::read_gene_sums(path)?;
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(FileName::parse)
        .with_context(|| {
            format!(
                "{}: not a recount3 file name (<source>.gene_sums.<project>.<annotation>.gz), so \
                 its recount_qc table cannot be found",
                path.display()
            )
        })?;
    let qc_path = find_metadata(path, &name, Recount3Table::RecountQc).with_context(|| {
        format!(
            "{}: the project's {} table is needed to turn coverage sums into read counts; it was \
             looked for next to the file and in the recount3 metadata folder",
            path.display(),
            Recount3Table::RecountQc.file_name(name.data_source, &name.project)
        )
    })?;
    let qc = recount3::read_metadata_table(&qc_path)?;
    let mut data = sums.read_counts(&qc, true)?;
    let own = match name.data_source {
        DataSource::Gtex => Recount3Table::Gtex,
        DataSource::Tcga => Recount3Table::Tcga,
        _ => Recount3Table::Sra,
    };
    if let Some(meta_path) = find_metadata(path, &name, own) {
        let table = recount3::read_metadata_table(&meta_path)?;
        let records = recount3::sample_meta(&table, name.data_source)?;
        let missing = recount3::apply_sample_meta(data.samples_mut(), &records);
        if !missing.is_empty() {
            note(
                notes,
                format!(
                    "{}: {} samples have no row in {}",
                    path.display(),
                    missing.len(),
                    meta_path.display()
                ),
            );
        }
    } else {
        for s in data.samples_mut() {
            s.data_source = name.data_source;
            s.study.get_or_insert_with(|| name.project.clone());
        }
    }
    if let Some(gtf_path) = find_recount3_gtf(path, &name.suffix) {
        let genes = cached_gtf(&gtf_path)?;
        data.genes_mut().fill_from(&genes);
        note(
            notes,
            format!("gene annotation from {}", gtf_path.display()),
        );
    }
    Ok(data)
}

/// The recount3 GTF of many gene sums files, parsed once per run.
fn cached_gtf(path: &Path) -> Result<std::sync::Arc<GeneAnnotation>> {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex, OnceLock};
    static CACHE: OnceLock<Mutex<HashMap<PathBuf, Arc<GeneAnnotation>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(genes) = cache.lock().ok().and_then(|c| c.get(path).cloned()) {
        return Ok(genes);
    }
    let genes = Arc::new(gtf::read_gene_annotation(path)?);
    if let Ok(mut c) = cache.lock() {
        c.insert(path.to_path_buf(), genes.clone());
    }
    Ok(genes)
}

/// `<source>.<table>.<project>.MD.gz` next to the gene sums, or in the recount3 layout
/// (`.../<source>/gene_sums/<xx>/<project>/` -> `.../<source>/metadata/<xx>/<project>/`).
fn find_metadata(gene_sums: &Path, name: &FileName, table: Recount3Table) -> Option<PathBuf> {
    let file = table.file_name(name.data_source, &name.project);
    let dir = gene_sums.parent()?;
    let beside = dir.join(&file);
    if beside.is_file() {
        return Some(beside);
    }
    let project = dir.file_name()?;
    let xx = dir.parent()?.file_name()?;
    let source_dir = dir.parent()?.parent()?.parent()?;
    let layout = source_dir
        .join("metadata")
        .join(xx)
        .join(project)
        .join(&file);
    layout.is_file().then_some(layout)
}

/// The recount3 annotation GTF (`human/annotations/gene_sums/human.gene_sums.G026.gtf.gz`) of a
/// gene sums file in the recount3 layout, if present.
fn find_recount3_gtf(gene_sums: &Path, annotation: &str) -> Option<PathBuf> {
    // <organism>/data_sources/<source>/gene_sums/<xx>/<project>/<file>
    let organism_dir = gene_sums.ancestors().nth(6)?;
    let organism = organism_dir.file_name()?.to_str()?;
    let gtf = organism_dir
        .join("annotations")
        .join("gene_sums")
        .join(format!("{organism}.gene_sums.{annotation}.gtf.gz"));
    gtf.is_file().then_some(gtf)
}

/// Reads every file of `inputs` and stacks them on the genes all of them hold (in the first
/// file's order), noting how many genes were left out. A sample in two files is refused.
pub fn read_all(inputs: &[PathBuf], extras: &Extras, notes: &mut Vec<String>) -> Result<Dataset> {
    read_all_once(inputs, extras, notes, &mut SeenSamples::default())
}

/// [`read_all`], refusing also samples already in `seen` (read from other inputs of the same
/// command, such as the source domain of `train` when its bias domain is read).
pub fn read_all_once(
    inputs: &[PathBuf],
    extras: &Extras,
    notes: &mut Vec<String>,
    seen: &mut SeenSamples,
) -> Result<Dataset> {
    let files = expression_files(inputs)?;
    let mut parts = Vec::with_capacity(files.len());
    for file in &files {
        let data = read_file(file, extras, notes)
            .with_context(|| format!("reading {}", file.path.display()))?;
        seen.add(&data, &file.path)?;
        parts.push(data);
    }
    stack(parts, notes)
}

/// The sample ids read so far by one command, with the file each came from: the same sample in
/// two inputs would be trained on, predicted or scored twice, so it is refused naming both files.
#[derive(Debug, Default)]
pub struct SeenSamples {
    first_file: std::collections::HashMap<String, PathBuf>,
}

impl SeenSamples {
    /// Records the samples of `data` (read from `file`, whole or one chunk of it); refuses one
    /// already read from another file.
    pub fn add(&mut self, data: &Dataset, file: &Path) -> Result<()> {
        for s in data.samples() {
            match self.first_file.get(&s.sample_id) {
                Some(first) if first != file => bail!(
                    "sample {} is in both {} and {}; give each sample once (drop one of the \
                     files, or the sample from one of them)",
                    s.sample_id,
                    first.display(),
                    file.display()
                ),
                Some(_) => {}
                None => {
                    self.first_file
                        .insert(s.sample_id.clone(), file.to_path_buf());
                }
            }
        }
        Ok(())
    }
}

/// Stacks datasets on the genes they share.
pub fn stack(parts: Vec<Dataset>, notes: &mut Vec<String>) -> Result<Dataset> {
    if parts.len() == 1 {
        return Ok(parts.into_iter().next().expect("one part"));
    }
    let Some(first) = parts.first() else {
        bail!("no expression file given");
    };
    let mut common: Vec<String> = first.genes().ids().map(str::to_owned).collect();
    for part in &parts[1..] {
        let have: HashSet<&str> = part.genes().ids().collect();
        common.retain(|g| have.contains(g.as_str()));
    }
    if common.is_empty() {
        bail!("the input files share no gene id; are they from the same organism and annotation?");
    }
    let dropped = first.n_genes() - common.len();
    if dropped > 0 {
        notes.push(format!(
            "{dropped} genes of the first file are not in every file and were left out ({} kept)",
            common.len()
        ));
    }
    let mut aligned = Vec::with_capacity(parts.len());
    for part in &parts {
        let (mut a, _) = reorder_to(
            part,
            &common,
            ReorderOptions {
                max_missing_fraction: 0.0,
                fill_value: 0.0,
            },
        )?;
        // Keep the best annotation: the first file's, completed by this one's.
        a.genes_mut().fill_from(first.genes());
        aligned.push(a);
    }
    let refs: Vec<&Dataset> = aligned.iter().collect();
    Ok(Dataset::concat(&refs)?)
}

/// Why values of `kind` cannot go into a pipeline that starts from raw counts, or `None` when
/// they can (integer counts; fractional non-negative values are taken as estimated counts).
pub fn counts_refusal(kind: ValueKind) -> Option<&'static str> {
    match kind {
        ValueKind::IntegerCounts | ValueKind::NonNegativeFractional => None,
        ValueKind::TpmLike => Some("looks like TPM (samples sum to ~1e6, fractional)"),
        ValueKind::LogLike => Some("looks log-transformed (fractional values, maximum below 32)"),
        ValueKind::Standardised => Some("looks standardised (has negative values)"),
        ValueKind::AllZero => Some(
            "holds only zeros (no expression measured in any sample: is it the right file, or \
             did an export lose its values?)",
        ),
        ValueKind::Empty => Some("holds no finite value"),
    }
}

/// Where the negative values of `data` are, for a refusal: how many, and the first one's gene,
/// sample and value. `None` when there is none. A few negatives in a counts file are damaged
/// cells to fix; half the values negative are z-scores.
pub fn negative_values(data: &Dataset) -> Option<String> {
    let counts = data.counts();
    let negatives = counts.iter().filter(|v| **v < 0.0).count();
    let ((sample, gene), value) = counts.indexed_iter().find(|(_, v)| **v < 0.0)?;
    Some(format!(
        " ({negatives} negative of {} values; first: gene {}, sample {}, value {value})",
        counts.len(),
        data.genes().genes()[gene]
            .source_id
            .as_deref()
            .unwrap_or(&data.genes().genes()[gene].id),
        data.samples()[sample].sample_id
    ))
}

/// When the gene ids of an input are of another kind than the model's (symbols against Ensembl
/// ids, say), a sentence saying so and what to do; `None` when the kinds match.
pub fn gene_id_mismatch(genes: &GeneAnnotation, model_gene_ids: &[String]) -> Option<String> {
    let input_kind = GeneIdKind::detect(
        genes
            .genes()
            .iter()
            .map(|g| g.source_id.as_deref().unwrap_or(&g.id)),
    )?;
    let model_kind = GeneIdKind::detect(model_gene_ids.iter().map(String::as_str))?;
    (!input_kind.matches(model_kind)).then(|| {
        format!(
            "the input's genes are {}, the model's are {}; rename the input's genes to the \
             model's kind of id first (the Ensembl gene table of the rnameta sources, \
             fixtures/real/ensembl100_grch38_genes.tsv.gz, lists each Ensembl id with its \
             symbol)",
            input_kind.describe(),
            model_kind.describe()
        )
    })
}

/// How far the label table `table` covers the samples `sample_ids` of the inputs, for a command
/// that found no label: "0 of 40 samples of the inputs are in T (its first ids: ...; the inputs'
/// first ids: ...)", so that a table of other ids (runs instead of samples, say) shows at once.
pub fn label_table_coverage(table: &Path, sample_ids: &[&str]) -> String {
    let Ok(labels) = tsv::read_label_table(table) else {
        return format!(
            "no sample of the inputs got a label from {}",
            table.display()
        );
    };
    let known: HashSet<&str> = labels.sample_ids().collect();
    let found = sample_ids.iter().filter(|s| known.contains(**s)).count();
    let first = |ids: &mut dyn Iterator<Item = &str>| ids.take(3).collect::<Vec<_>>().join(", ");
    if found == 0 {
        format!(
            "0 of {} samples of the inputs are in {} (its first ids: {}; the inputs' first ids: {})",
            sample_ids.len(),
            table.display(),
            first(&mut labels.sample_ids()),
            first(&mut sample_ids.iter().copied())
        )
    } else {
        format!(
            "{found} of {} samples of the inputs are in {}, but none has a usable value in its \
             columns ({})",
            sample_ids.len(),
            table.display(),
            labels.columns().join(", ")
        )
    }
}
