//! Labelling and annotating a dataset from the companions of its file and the load options:
//! GTEx sample attributes and subject phenotypes, sample label tables, MetaSRA JSON (tissue
//! through io's UBERON table, [`rnameta_io::metasra::uberon`]), GTFs and gene annotation tables.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rnameta_core::{Dataset, GeneAnnotation, SampleSource, Sex, Task};
use rnameta_io::detect::{self, Format};
use rnameta_io::recount3::MetadataTable;
use rnameta_io::{gtex, metasra, tsv};

use crate::annotation::AnnotationCache;
use crate::error::{Error, Result};
use crate::files::Companion;
use crate::gene_ids::map_to_ensembl;
use crate::options::LoadOptions;
use crate::report::{LabelSourceKind, LoadReport};

/// The companions and options of one expression file, read and parsed once, applied to the file
/// or to each chunk of it in this order: GTEx sample attributes and subject phenotypes, then each
/// companion in turn, then the `gene_annotation` option, then the `labels` option.
#[derive(Debug)]
pub struct Labelling {
    steps: Vec<LabelStep>,
}

/// One parsed labelling or annotation source, with the file it came from (for the report).
#[derive(Debug)]
enum LabelStep {
    Gtex {
        attributes_path: PathBuf,
        phenotypes_path: PathBuf,
        attributes: Box<MetadataTable>,
        phenotypes: Box<MetadataTable>,
    },
    LabelTable {
        path: PathBuf,
        table: tsv::LabelTable,
    },
    MetaSra {
        path: PathBuf,
        metasra: metasra::MetaSra,
        tissue_terms: Arc<BTreeMap<String, String>>,
    },
    Genes {
        path: PathBuf,
        genes: Arc<GeneAnnotation>,
    },
}

impl Labelling {
    /// Reads and parses the companions and the options' label table and gene annotation.
    pub fn load(
        companions: &[Companion],
        options: &LoadOptions,
        annotations: &mut AnnotationCache,
    ) -> Result<Self> {
        let mut steps = Vec::new();
        let find = |format: Format| companions.iter().find(|c| c.format == format);
        if let (Some(a), Some(p)) = (
            find(Format::GtexSampleAttributes),
            find(Format::GtexSubjectPhenotypes),
        ) {
            steps.push(LabelStep::Gtex {
                attributes: Box::new(gtex::read_sample_attributes(&a.path)?),
                phenotypes: Box::new(gtex::read_subject_phenotypes(&p.path)?),
                attributes_path: a.path.clone(),
                phenotypes_path: p.path.clone(),
            });
        }
        let mut tissue_terms: Option<Arc<BTreeMap<String, String>>> = None;
        for Companion { path, format } in companions {
            match format {
                Format::LabelTable => steps.push(LabelStep::LabelTable {
                    table: tsv::read_label_table(path)?,
                    path: path.clone(),
                }),
                Format::MetaSraJson => steps.push(LabelStep::MetaSra {
                    metasra: metasra::read_metasra(path)?,
                    tissue_terms: Arc::clone(
                        tissue_terms
                            .get_or_insert_with(|| Arc::new(metasra::uberon::tissue_terms())),
                    ),
                    path: path.clone(),
                }),
                Format::Gtf | Format::GeneAnnotationTable => steps.push(LabelStep::Genes {
                    genes: annotations.get(path, *format)?,
                    path: path.clone(),
                }),
                _ => {}
            }
        }
        if let Some(path) = &options.gene_annotation {
            let format = detect::detect(path)?;
            if !matches!(format, Format::Gtf | Format::GeneAnnotationTable) {
                return Err(Error::NotGeneAnnotation {
                    path: path.clone(),
                    format,
                });
            }
            steps.push(LabelStep::Genes {
                genes: annotations.get(path, format)?,
                path: path.clone(),
            });
        }
        if let Some(path) = &options.labels {
            // A MetaSRA release labels SRA samples as a MetaSRA file beside them would; anything
            // else is read as a sample label table (whose reader says what is wrong with it).
            let step = if detect::detect(path).ok() == Some(Format::MetaSraJson) {
                LabelStep::MetaSra {
                    metasra: metasra::read_metasra(path)?,
                    tissue_terms: Arc::clone(
                        tissue_terms
                            .get_or_insert_with(|| Arc::new(metasra::uberon::tissue_terms())),
                    ),
                    path: path.clone(),
                }
            } else {
                LabelStep::LabelTable {
                    table: tsv::read_label_table(path)?,
                    path: path.clone(),
                }
            };
            steps.push(step);
        }
        Ok(Self { steps })
    }

    /// Labels and annotates `data` (a whole file or one chunk of it), reporting what was applied.
    /// First, genes keyed by symbols, Entrez ids or RefSeq accessions are mapped onto Ensembl
    /// genes ([`crate::gene_ids::map_to_ensembl`]), so that GTFs and annotation tables, keyed by
    /// Ensembl ids, find them.
    pub fn apply(&self, data: &mut Dataset, report: &mut LoadReport) -> Result<()> {
        map_to_ensembl(data, report)?;
        for step in &self.steps {
            match step {
                LabelStep::Gtex {
                    attributes_path,
                    phenotypes_path,
                    attributes,
                    phenotypes,
                } => {
                    let filled =
                        gtex::fill_sample_meta(data.samples_mut(), attributes, phenotypes)?.filled;
                    if filled > 0 {
                        report.labelled_by(attributes_path, LabelSourceKind::Gtex, filled);
                        report.note(format!(
                            "labels of {filled} samples from {} and {}",
                            attributes_path.display(),
                            phenotypes_path.display()
                        ));
                    }
                }
                LabelStep::LabelTable { path, table } => {
                    apply_label_table(data, path, table, report);
                }
                LabelStep::MetaSra {
                    path,
                    metasra,
                    tissue_terms,
                } => {
                    let matched =
                        metasra::fill_sample_metas(data.samples_mut(), metasra, tissue_terms)
                            .matched;
                    if matched > 0 {
                        report.labelled_by(path, LabelSourceKind::MetaSra, matched);
                        report.note(format!(
                            "MetaSRA labels of {matched} samples from {}",
                            path.display()
                        ));
                    }
                }
                LabelStep::Genes { path, genes } => {
                    let matched = data.genes_mut().fill_from(genes);
                    report.annotated_by(path, matched);
                    report.note(format!(
                        "gene annotation from {} ({matched} genes filled)",
                        path.display()
                    ));
                }
            }
        }
        Ok(())
    }
}

fn apply_label_table(
    data: &mut Dataset,
    path: &Path,
    table: &tsv::LabelTable,
    report: &mut LoadReport,
) {
    let applied = tsv::apply_labels(data.samples_mut(), table);
    let matched = data.n_samples() - applied.missing_samples.len();
    report.labelled_by(path, LabelSourceKind::LabelTable, matched);
    let columns: Vec<String> = applied
        .columns_used
        .iter()
        .map(|(label, column)| format!("{label}={column}"))
        .collect();
    report.note(format!(
        "labels of {matched} of {} samples from {} ({})",
        data.n_samples(),
        path.display(),
        columns.join(", ")
    ));
    if let Some((sample, column, value)) = applied.unparsable.first() {
        report.note(format!(
            "{}: {} values not understood, e.g. sample {sample} column {column}: {value:?} \
             (understood: {})",
            path.display(),
            applied.unparsable.len(),
            understood_values(column)
        ));
    }
}

/// The values a label column of [`tsv::apply_labels`]'s report (`sex`, `sample_source`) reads,
/// for the note on values not understood: the labels of [`Sex`] and [`SampleSource`], written with
/// spaces as users write them (their `parse_loose` reads both), so the list cannot drift from them.
fn understood_values(column: &str) -> String {
    let labels: Vec<&str> = if column == "sex" {
        [Sex::Female, Sex::Male].map(Sex::as_str).to_vec()
    } else {
        SampleSource::ALL.map(SampleSource::as_str).to_vec()
    };
    labels
        .iter()
        .map(|l| l.replace('_', " "))
        .collect::<Vec<_>>()
        .join(", ")
}

/// How far the label table `table` covers the samples `sample_ids` of the inputs, for a command
/// that needed the labels of `task` and found none: "0 of 40 samples of the inputs are in T (its
/// first ids: ...; the inputs' first ids: ...)", so that a table of other ids (runs instead of
/// samples, say) shows at once; and when the samples are in the table but it has no column for the
/// task, the column names that would be read ("40 of 40 samples of the inputs are in T, but it has
/// no sex column (sex, gender; its columns: tissue)"), so that the user renames or adds that column.
pub fn label_table_coverage(table: &Path, task: Task, sample_ids: &[&str]) -> String {
    let Ok(labels) = tsv::read_label_table(table) else {
        return format!(
            "no sample of the inputs got a label from {}",
            table.display()
        );
    };
    let known: HashSet<&str> = labels.sample_ids().collect();
    let found = sample_ids.iter().filter(|s| known.contains(**s)).count();
    let first = |ids: &mut dyn Iterator<Item = &str>| ids.take(3).collect::<Vec<_>>().join(", ");
    let missing_column = labels.find_column(tsv::label_columns(task)).is_none();
    if found == 0 {
        format!(
            "0 of {} samples of the inputs are in {} (its first ids: {}; the inputs' first ids: {})",
            sample_ids.len(),
            table.display(),
            first(&mut labels.sample_ids()),
            first(&mut sample_ids.iter().copied())
        )
    } else if missing_column {
        format!(
            "{found} of {} samples of the inputs are in {}, but it has no {task} column ({}; its \
             columns: {})",
            sample_ids.len(),
            table.display(),
            tsv::label_columns(task).join(", "),
            labels.columns().join(", ")
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
