//! The files of `rnameta plan`: which recount3 projects, and which of their samples with which
//! labels, the tasks (tissue, sex, sample source) need. They are the hand-over between planning
//! and the per-project steps that follow it (fetch, read and QC, shard), so each has a reader.
//!
//! A plan folder holds, every file tab-separated with a header:
//!
//! | file | rows | written by |
//! |---|---|---|
//! | `projects.tsv` | one per selected project ([`PlannedProject`]) | both stages |
//! | `manifest.tsv` | one per sample kept ([`ManifestRow`]) | stage 2 |
//! | `counts.tsv` | labelled samples per data source, task and class ([`ClassCount`]) | stage 2 |
//! | `summary.md` | the same counts for a reader | both stages |
//!
//! [`write_plan`] writes them together (all appear or none, see [`crate::write::commit_all`]).

use std::fmt::Display;
use std::io;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use rnameta_core::{DataSource, SampleSource, Sex, Task};

use crate::error::{Error, ErrorKind, Result};
use crate::source::LineReader;
use crate::write::{commit_all, stage, Staged};

/// The project list of a plan.
pub const PROJECTS_FILE: &str = "projects.tsv";
/// The sample manifest of a plan (stage 2).
pub const MANIFEST_FILE: &str = "manifest.tsv";
/// The labelled-sample counts of a plan (stage 2).
pub const COUNTS_FILE: &str = "counts.tsv";
/// The summary of a plan, in Markdown.
pub const SUMMARY_FILE: &str = "summary.md";

/// `projects.tsv`'s columns; the last seven are empty before stage 2.
pub const PROJECTS_HEADER: [&str; 13] = [
    "data_source",
    "project",
    "project_home",
    "runs",
    "metadata_table",
    "metadata_found",
    "runs_read",
    "single_cell_runs",
    "small_rna_runs",
    "samples",
    "tissue_labelled",
    "sex_labelled",
    "source_labelled",
];

/// `manifest.tsv`'s columns.
pub const MANIFEST_HEADER: [&str; 8] = [
    "data_source",
    "project",
    "sample",
    "runs",
    "tissue",
    "sex",
    "sample_source",
    "sample_type_confidence",
];

/// `counts.tsv`'s columns.
pub const COUNTS_HEADER: [&str; 5] = ["data_source", "task", "class", "samples", "projects"];

/// A project selected by the plan (a row of `projects.tsv`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedProject {
    /// `sra`, `gtex` or `tcga`.
    pub data_source: DataSource,
    /// The project (`SRP107565`, `BLADDER`).
    pub project: String,
    /// The project home (`data_sources/sra`).
    pub project_home: String,
    /// Runs the project table lists for it.
    pub runs: usize,
    /// The project's own metadata table (`sra.sra.<project>.MD.gz`, ...), relative to the recount3
    /// mirror's root and `/`-separated (`human/data_sources/sra/metadata/65/SRP107565/...`): the
    /// file stage 2 reads, and so the file to fetch before it.
    pub metadata_table: String,
    /// Whether that table was in the mirror when the plan was made.
    pub metadata_found: bool,
    /// What stage 2 found in it; `None` before stage 2, or when the table was missing.
    pub samples: Option<ProjectSamples>,
}

/// What stage 2 found in one project's metadata table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProjectSamples {
    /// Runs in the table.
    pub runs_read: usize,
    /// Runs left out as single-cell (the study's title or abstract, or the library's source).
    pub single_cell_runs: usize,
    /// Runs left out as small-RNA libraries (the library's strategy).
    pub small_rna_runs: usize,
    /// Samples kept (rows of the manifest).
    pub samples: usize,
    /// Kept samples with a tissue label.
    pub tissue: usize,
    /// Kept samples with a sex label.
    pub sex: usize,
    /// Kept samples with a sample-source label.
    pub sample_source: usize,
}

impl ProjectSamples {
    /// Its counts in the order of `projects.tsv`'s stage-2 columns: runs read, single-cell runs,
    /// small-RNA runs, samples, then labelled for tissue, sex and sample source.
    pub fn counts(&self) -> [usize; 7] {
        [
            self.runs_read,
            self.single_cell_runs,
            self.small_rna_runs,
            self.samples,
            self.tissue,
            self.sex,
            self.sample_source,
        ]
    }

    /// The counts of [`ProjectSamples::counts`], read back in the same order.
    pub fn from_counts(n: [usize; 7]) -> Self {
        let [runs_read, single_cell_runs, small_rna_runs, samples, tissue, sex, sample_source] = n;
        Self {
            runs_read,
            single_cell_runs,
            small_rna_runs,
            samples,
            tissue,
            sex,
            sample_source,
        }
    }

    /// The labelled samples of a task.
    pub fn labelled(&self, task: Task) -> usize {
        match task {
            Task::Tissue => self.tissue,
            Task::Sex => self.sex,
            Task::SampleSource => self.sample_source,
        }
    }
}

/// A sample the plan keeps (a row of `manifest.tsv`): its runs and its label for each task.
#[derive(Debug, Clone, PartialEq)]
pub struct ManifestRow {
    /// `sra`, `gtex` or `tcga`.
    pub data_source: DataSource,
    /// The project.
    pub project: String,
    /// The sample: the SRA sample accession (`SRS...`) for SRA, the run otherwise.
    pub sample: String,
    /// Its runs (`external_id`s of the project's tables), in table order.
    pub runs: Vec<String>,
    /// Tissue label.
    pub tissue: Option<String>,
    /// Sex label.
    pub sex: Option<Sex>,
    /// Sample-source label.
    pub sample_source: Option<SampleSource>,
    /// MetaSRA's confidence in the sample type behind `sample_source`.
    pub sample_type_confidence: Option<f64>,
}

impl ManifestRow {
    /// The sample's class for a task, named as labels are everywhere (`Task::label_of`).
    pub fn label(&self, task: Task) -> Option<String> {
        match task {
            Task::Tissue => self.tissue.clone(),
            Task::Sex => self.sex.map(|s| s.as_str().to_owned()),
            Task::SampleSource => self.sample_source.map(|s| s.as_str().to_owned()),
        }
    }
}

/// Labelled samples of one class (a row of `counts.tsv`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassCount {
    /// The data source.
    pub data_source: DataSource,
    /// The task.
    pub task: Task,
    /// The class (`lung`, `female`, `cell_line`).
    pub class: String,
    /// Samples with this label.
    pub samples: usize,
    /// Projects those samples come from.
    pub projects: usize,
}

/// Everything a plan writes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlanFiles {
    /// `projects.tsv`.
    pub projects: Vec<PlannedProject>,
    /// `manifest.tsv` (stage 2).
    pub manifest: Option<Vec<ManifestRow>>,
    /// `counts.tsv` (stage 2).
    pub counts: Option<Vec<ClassCount>>,
    /// `summary.md`.
    pub summary: String,
}

/// Writes a plan into `dir` (created if missing): every file is staged first and then all are
/// committed together, so a failure leaves the folder as it was (a folder created for the plan is
/// removed again). A stage-1 plan written where a stage-2 plan was removes that plan's
/// `manifest.tsv` and `counts.tsv`, so that the folder holds one plan. Returns the files written.
pub fn write_plan(dir: &Path, files: &PlanFiles) -> Result<Vec<PathBuf>> {
    let created = !dir.exists();
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, crate::Location::File, e))?;
    let staged = match stage_plan(dir, files) {
        Ok(staged) => staged,
        Err(err) => {
            if created {
                let _ = std::fs::remove_dir(dir);
            }
            return Err(err);
        }
    };
    let written: Vec<PathBuf> = staged.iter().map(|s| s.target().to_path_buf()).collect();
    commit_all(staged)?;
    let stale = [
        (files.manifest.is_none(), MANIFEST_FILE),
        (files.counts.is_none(), COUNTS_FILE),
    ];
    for (_, name) in stale.iter().filter(|(absent, _)| *absent) {
        let path = dir.join(name);
        if path.is_file() {
            std::fs::remove_file(&path).map_err(|e| Error::io(&path, crate::Location::File, e))?;
        }
    }
    Ok(written)
}

/// Every file of the plan, staged beside its target in `dir`.
fn stage_plan(dir: &Path, files: &PlanFiles) -> Result<Vec<Staged>> {
    let mut staged = vec![stage_rows(
        &dir.join(PROJECTS_FILE),
        &PROJECTS_HEADER,
        &files.projects,
        project_cells,
    )?];
    if let Some(rows) = &files.manifest {
        staged.push(stage_rows(
            &dir.join(MANIFEST_FILE),
            &MANIFEST_HEADER,
            rows,
            manifest_cells,
        )?);
    }
    if let Some(rows) = &files.counts {
        staged.push(stage_rows(
            &dir.join(COUNTS_FILE),
            &COUNTS_HEADER,
            rows,
            count_cells,
        )?);
    }
    let summary = files.summary.as_bytes();
    staged.push(stage(&dir.join(SUMMARY_FILE), |w| w.write_all(summary))?);
    Ok(staged)
}

/// Reads a plan's `projects.tsv`.
pub fn read_projects(path: &Path) -> Result<Vec<PlannedProject>> {
    read_rows(path, &PROJECTS_HEADER, |c| {
        let stage2 = [c[6], c[7], c[8], c[9], c[10], c[11], c[12]];
        let samples = if stage2.iter().all(|s| s.is_empty()) {
            None
        } else {
            let mut n = [0usize; 7];
            for (count, cell) in n.iter_mut().zip(stage2) {
                *count = parse(cell, "a count")?;
            }
            Some(ProjectSamples::from_counts(n))
        };
        Ok(PlannedProject {
            data_source: parse(c[0], "a data source")?,
            project: required(c[1], "project")?,
            project_home: required(c[2], "project_home")?,
            runs: parse(c[3], "a count")?,
            metadata_table: required(c[4], "metadata_table")?,
            metadata_found: yes_no(c[5])?,
            samples,
        })
    })
}

/// Reads a plan's `manifest.tsv`.
pub fn read_manifest(path: &Path) -> Result<Vec<ManifestRow>> {
    read_rows(path, &MANIFEST_HEADER, |c| {
        let runs: Vec<String> = c[3]
            .split(',')
            .filter(|r| !r.is_empty())
            .map(str::to_owned)
            .collect();
        if runs.is_empty() {
            return Err("no run".to_owned());
        }
        Ok(ManifestRow {
            data_source: parse(c[0], "a data source")?,
            project: required(c[1], "project")?,
            sample: required(c[2], "sample")?,
            runs,
            tissue: optional(c[4]).map(str::to_owned),
            sex: optional(c[5])
                .map(|s| Sex::parse_loose(s).ok_or(format!("{s:?} is not a sex")))
                .transpose()?,
            sample_source: optional(c[6])
                .map(|s| {
                    SampleSource::parse_loose(s).ok_or(format!("{s:?} is not a sample source"))
                })
                .transpose()?,
            sample_type_confidence: optional(c[7])
                .map(|s| parse::<f64>(s, "a confidence"))
                .transpose()?,
        })
    })
}

/// Reads a plan's `counts.tsv`.
pub fn read_counts(path: &Path) -> Result<Vec<ClassCount>> {
    read_rows(path, &COUNTS_HEADER, |c| {
        Ok(ClassCount {
            data_source: parse(c[0], "a data source")?,
            task: parse(c[1], "a task")?,
            class: required(c[2], "class")?,
            samples: parse(c[3], "a count")?,
            projects: parse(c[4], "a count")?,
        })
    })
}

fn project_cells(p: &PlannedProject) -> Vec<String> {
    let mut cells = vec![
        p.data_source.as_str().to_owned(),
        p.project.clone(),
        p.project_home.clone(),
        p.runs.to_string(),
        p.metadata_table.clone(),
        if p.metadata_found { "yes" } else { "no" }.to_owned(),
    ];
    match &p.samples {
        Some(s) => cells.extend(s.counts().map(|n| n.to_string())),
        None => cells.extend(std::iter::repeat_n(String::new(), 7)),
    }
    cells
}

fn manifest_cells(r: &ManifestRow) -> Vec<String> {
    vec![
        r.data_source.as_str().to_owned(),
        r.project.clone(),
        r.sample.clone(),
        r.runs.join(","),
        r.tissue.clone().unwrap_or_default(),
        r.sex.map(|s| s.as_str().to_owned()).unwrap_or_default(),
        r.sample_source
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default(),
        r.sample_type_confidence
            .map(|c| c.to_string())
            .unwrap_or_default(),
    ]
}

fn count_cells(c: &ClassCount) -> Vec<String> {
    vec![
        c.data_source.as_str().to_owned(),
        c.task.as_str().to_owned(),
        c.class.clone(),
        c.samples.to_string(),
        c.projects.to_string(),
    ]
}

/// Stages a TSV of `rows`; a cell holding a tab or a line break (it would shift columns) or a
/// run id holding a comma (it would split the run list) is refused.
fn stage_rows<T>(
    path: &Path,
    header: &[&str],
    rows: &[T],
    cells: fn(&T) -> Vec<String>,
) -> Result<Staged> {
    stage(path, |w| {
        writeln!(w, "{}", header.join("\t"))?;
        for row in rows {
            let cells = cells(row);
            if let Some(bad) = cells.iter().find(|c| c.contains(['\t', '\n', '\r'])) {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("the value {bad:?} holds a tab or a line break"),
                ));
            }
            writeln!(w, "{}", cells.join("\t"))?;
        }
        Ok(())
    })
}

/// Reads a TSV whose header must be `header`, each row turned into a `T` by `parse` (an error
/// there names the line).
fn read_rows<T>(
    path: &Path,
    header: &[&str],
    mut parse: impl FnMut(&[&str]) -> std::result::Result<T, String>,
) -> Result<Vec<T>> {
    let mut reader = LineReader::open(path)?;
    let mut line = String::new();
    let expected = header.join("\t");
    if !reader.read_line(&mut line)? {
        return Err(Error::file(path, ErrorKind::Empty));
    }
    if line != expected {
        return Err(reader.error(ErrorKind::MissingHeader {
            expected: format!("the header of rnameta plan's file: {}", header.join(", ")),
        }));
    }
    let mut rows = Vec::new();
    while reader.read_line(&mut line)? {
        if line.is_empty() {
            continue;
        }
        let cells: Vec<&str> = line.split('\t').collect();
        if cells.len() != header.len() {
            return Err(reader.error(ErrorKind::Ragged {
                expected: header.len(),
                found: cells.len(),
            }));
        }
        let row = parse(&cells).map_err(|why| reader.error(ErrorKind::Malformed(why)))?;
        rows.push(row);
    }
    Ok(rows)
}

fn optional(cell: &str) -> Option<&str> {
    (!cell.is_empty()).then_some(cell)
}

fn required(cell: &str, what: &str) -> std::result::Result<String, String> {
    optional(cell)
        .map(str::to_owned)
        .ok_or_else(|| format!("empty {what}"))
}

fn parse<T: FromStr>(cell: &str, what: &str) -> std::result::Result<T, String>
where
    T::Err: Display,
{
    cell.parse()
        .map_err(|e| format!("{cell:?} is not {what} ({e})"))
}

fn yes_no(cell: &str) -> std::result::Result<bool, String> {
    match cell {
        "yes" => Ok(true),
        "no" => Ok(false),
        _ => Err(format!("{cell:?} is neither yes nor no")),
    }
}
