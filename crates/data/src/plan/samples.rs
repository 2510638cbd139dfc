//! Stage 2: the samples of the selected projects and their labels, from each project's own
//! metadata table and, for SRA, MetaSRA.
//!
//! For an SRA project, the runs of its `sra` table are read through io's `sample_meta` (which
//! keeps the SRA sample accession, the study's title and abstract and the library record). The
//! paper's QC that the metadata can decide runs here, through preprocess's one implementation:
//! runs of single-cell studies (keywords in the title or abstract) and runs whose library record
//! says small RNA or single cell are left out. The runs kept are grouped by sample accession
//! (`SRS...`; a run without one is a sample of its own), and each sample is labelled from MetaSRA
//! alone. The QC steps that need counts (small-RNA libraries by their counts, one run per
//! experiment) follow when the counts are read.
//!
//! For a GTEx or TCGA project every run is a sample, labelled by the project's own table (GTEx
//! `smts` / `sex`, TCGA primary site / gender), as the loader labels them.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::PathBuf;

use rnameta_core::{DataSource, SampleMeta, Task};
use rnameta_io::metasra::ACCESSION_ATTRIBUTES;
use rnameta_io::plan::{ClassCount, ManifestRow, PlannedProject, ProjectSamples};
use rnameta_io::recount3::{read_metadata_table, sample_meta};
use rnameta_preprocess::qc::{
    library_records, remove_single_cell, single_cell_studies, QcFilter, StudyText,
};

use super::projects::ProjectsPlan;
use super::sra_labels::MetaSraLabels;
use super::TASKS;
use crate::error::{Error, Result};

/// How stage 2 selects.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlanOptions {
    /// A MetaSRA sample type gives a sample-source label only with at least this confidence
    /// (0 to 1). The default, 0, takes every sample type: rnameta's loader applies no threshold
    /// either, and the paper states none that we could find.
    pub min_sample_type_confidence: f64,
    /// Plan without the projects whose metadata table is not in the mirror (listed in
    /// [`SamplesPlan::skipped`]) instead of refusing.
    pub skip_missing_metadata: bool,
}

impl Default for PlanOptions {
    fn default() -> Self {
        Self {
            min_sample_type_confidence: 0.0,
            skip_missing_metadata: false,
        }
    }
}

/// What the labelling of SRA samples found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LabelReport {
    /// The MetaSRA file.
    pub metasra: PathBuf,
    /// Samples it annotates.
    pub metasra_samples: usize,
    /// Where the UBERON term -> tissue map came from.
    pub tissue_terms_from: String,
    /// SRA samples kept.
    pub sra_samples: usize,
    /// Of those, samples with a MetaSRA entry.
    pub matched: usize,
    /// Samples whose terms name both sexes (no sex label).
    pub sex_conflicts: usize,
    /// Samples whose terms roll up to two tissues (no tissue label).
    pub tissue_conflicts: usize,
    /// Sample types left out for a confidence below the threshold.
    pub below_confidence: usize,
}

/// What stage 2 found: the projects with their sample counts, the manifest and its counts.
#[derive(Debug, Clone, PartialEq)]
pub struct SamplesPlan {
    /// Stage 1's plan, its projects updated with what their metadata tables hold.
    pub projects: ProjectsPlan,
    /// One row per sample kept, in project order.
    pub manifest: Vec<ManifestRow>,
    /// Labelled samples per data source, task and class.
    pub counts: Vec<ClassCount>,
    /// Projects left out because their metadata table is missing (with
    /// [`PlanOptions::skip_missing_metadata`]).
    pub skipped: Vec<String>,
    /// What the SRA labelling found.
    pub labels: LabelReport,
    /// The options applied.
    pub options: PlanOptions,
}

/// Stage 2: reads each selected project's own metadata table, applies the metadata QC, groups
/// SRA runs into samples and labels them. Projects whose table is missing are an error naming
/// them, or skipped with [`PlanOptions::skip_missing_metadata`].
pub fn plan_samples(
    stage1: &ProjectsPlan,
    labels: &MetaSraLabels,
    options: &PlanOptions,
) -> Result<SamplesPlan> {
    let mirror = &stage1.mirror;
    let missing: Vec<String> = stage1
        .projects
        .iter()
        .map(|p| mirror.metadata_table(p.data_source, &p.project))
        .filter(|path| !path.is_file())
        .map(|path| mirror.relative(&path))
        .collect();
    if !missing.is_empty() && !options.skip_missing_metadata {
        return Err(Error::MissingMetadata {
            missing: missing.len(),
            total: stage1.projects.len(),
            first: missing
                .iter()
                .take(3)
                .cloned()
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    let mut report = LabelReport {
        metasra: labels.path().to_path_buf(),
        metasra_samples: labels.len(),
        tissue_terms_from: labels.tissue_terms_from().to_owned(),
        ..LabelReport::default()
    };
    let mut projects = Vec::with_capacity(stage1.projects.len());
    let mut manifest = Vec::new();
    let mut skipped = Vec::new();
    for project in &stage1.projects {
        let path = mirror.metadata_table(project.data_source, &project.project);
        let mut planned = project.clone();
        planned.metadata_found = path.is_file();
        if !planned.metadata_found {
            skipped.push(project.project.clone());
            planned.samples = None;
            projects.push(planned);
            continue;
        }
        let runs = sample_meta(&read_metadata_table(&path)?, project.data_source)?;
        let (counts, rows) = match project.data_source {
            DataSource::Sra => sra_samples(project, &runs, labels, options, &mut report),
            _ => own_table_samples(project, &runs),
        };
        planned.samples = Some(counts);
        projects.push(planned);
        manifest.extend(rows);
    }
    let counts = class_counts(&manifest);
    Ok(SamplesPlan {
        projects: ProjectsPlan {
            projects,
            ..stage1.clone()
        },
        manifest,
        counts,
        skipped,
        labels: report,
        options: *options,
    })
}

/// The samples of an SRA project: runs through the metadata QC, grouped by sample accession,
/// labelled from MetaSRA.
fn sra_samples(
    project: &PlannedProject,
    runs: &[SampleMeta],
    labels: &MetaSraLabels,
    options: &PlanOptions,
    report: &mut LabelReport,
) -> (ProjectSamples, Vec<ManifestRow>) {
    let mut counts = ProjectSamples {
        runs_read: runs.len(),
        ..ProjectSamples::default()
    };
    let single_cell = remove_single_cell(runs, &single_cell_studies(&StudyText::of_samples(runs)));
    let single_cell_kept: HashSet<usize> = single_cell.keep.into_iter().collect();
    let library = library_records(runs);
    let library_filter: HashMap<&str, QcFilter> = library
        .report
        .removed
        .iter()
        .map(|r| (r.sample_id.as_str(), r.filter))
        .collect();
    let mut samples: Vec<(String, Vec<String>)> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for (i, run) in runs.iter().enumerate() {
        let filter = if single_cell_kept.contains(&i) {
            library_filter.get(run.sample_id.as_str()).copied()
        } else {
            Some(QcFilter::SingleCell)
        };
        match filter {
            Some(QcFilter::SingleCell) => counts.single_cell_runs += 1,
            Some(QcFilter::SmallRna) => counts.small_rna_runs += 1,
            Some(QcFilter::TechnicalReplicate) | None => {
                let accession = ACCESSION_ATTRIBUTES
                    .iter()
                    .find_map(|key| run.attributes.get(*key))
                    .filter(|a| !a.is_empty())
                    .unwrap_or(&run.sample_id)
                    .clone();
                let at = *index.entry(accession.clone()).or_insert_with(|| {
                    samples.push((accession, Vec::new()));
                    samples.len() - 1
                });
                samples[at].1.push(run.sample_id.clone());
            }
        }
    }
    let mut metas: Vec<SampleMeta> = samples
        .iter()
        .map(|(accession, _)| SampleMeta::new(accession.clone(), DataSource::Sra))
        .collect();
    let filled = labels.fill(&mut metas);
    report.sra_samples += metas.len();
    report.matched += filled.matched;
    report.sex_conflicts += filled.sex_conflicts.len();
    report.tissue_conflicts += filled.tissue_conflicts.len();
    let rows: Vec<ManifestRow> = metas
        .into_iter()
        .zip(samples)
        .map(|(meta, (accession, runs))| {
            let confidence = labels.sample_type_confidence(&accession);
            let mut sample_source = meta.sample_source;
            if sample_source.is_some()
                && confidence.unwrap_or(0.0) < options.min_sample_type_confidence
            {
                sample_source = None;
                report.below_confidence += 1;
            }
            ManifestRow {
                data_source: DataSource::Sra,
                project: project.project.clone(),
                sample: accession,
                runs,
                tissue: meta.tissue,
                sex: meta.sex,
                sample_source,
                sample_type_confidence: confidence,
            }
        })
        .collect();
    count_labelled(&mut counts, &rows);
    (counts, rows)
}

/// The samples of a GTEx or TCGA project: every run, labelled by the project's own table.
fn own_table_samples(
    project: &PlannedProject,
    runs: &[SampleMeta],
) -> (ProjectSamples, Vec<ManifestRow>) {
    let rows: Vec<ManifestRow> = runs
        .iter()
        .map(|run| ManifestRow {
            data_source: project.data_source,
            project: project.project.clone(),
            sample: run.sample_id.clone(),
            runs: vec![run.sample_id.clone()],
            tissue: run.tissue.clone(),
            sex: run.sex,
            sample_source: run.sample_source,
            sample_type_confidence: None,
        })
        .collect();
    let mut counts = ProjectSamples {
        runs_read: runs.len(),
        ..ProjectSamples::default()
    };
    count_labelled(&mut counts, &rows);
    (counts, rows)
}

fn count_labelled(counts: &mut ProjectSamples, rows: &[ManifestRow]) {
    counts.samples = rows.len();
    let labelled = |task: Task| rows.iter().filter(|r| r.label(task).is_some()).count();
    counts.tissue = labelled(Task::Tissue);
    counts.sex = labelled(Task::Sex);
    counts.sample_source = labelled(Task::SampleSource);
}

/// Labelled samples per data source, task and class, with the projects they come from; sorted
/// by data source, task (tissue, sex, sample source) and class.
pub fn class_counts(manifest: &[ManifestRow]) -> Vec<ClassCount> {
    type Key = (String, usize, String);
    let mut tally: BTreeMap<Key, (DataSource, usize, BTreeSet<&str>)> = BTreeMap::new();
    for row in manifest {
        for (t, task) in TASKS.iter().enumerate() {
            let Some(class) = row.label(*task) else {
                continue;
            };
            let entry = tally
                .entry((row.data_source.as_str().to_owned(), t, class))
                .or_insert_with(|| (row.data_source, 0, BTreeSet::new()));
            entry.1 += 1;
            entry.2.insert(row.project.as_str());
        }
    }
    tally
        .into_iter()
        .map(
            |((_, t, class), (data_source, samples, projects))| ClassCount {
                data_source,
                task: TASKS[t],
                class,
                samples,
                projects: projects.len(),
            },
        )
        .collect()
}
