//! Writing a simulated cohort in the real formats, in the layout of `docs/simulation.md`:
//!
//! ```text
//! OUT/config.json                    the effective configuration
//! OUT/genes.tsv.gz                   the gene universe (rnameta gene table)
//! OUT/truth.tsv.gz                   every sample's true labels and QC flags
//! OUT/recount3/human/homes_index
//! OUT/recount3/human/annotations/gene_sums/human.gene_sums.G026.gtf.gz
//! OUT/recount3/human/data_sources/<src>/metadata/<src>.recount_project.MD.gz
//! OUT/recount3/human/data_sources/<src>/gene_sums/<xx>/<project>/<src>.gene_sums.<project>.G026.gz
//! OUT/recount3/human/data_sources/<src>/metadata/<xx>/<project>/<src>.<table>.<project>.MD.gz
//! OUT/gtex/GTEx_Analysis_rnameta_gene_reads.gct.gz
//! OUT/gtex/GTEx_Analysis_rnameta_SampleAttributesDS.txt
//! OUT/gtex/GTEx_Analysis_rnameta_SubjectPhenotypesDS.txt
//! OUT/metasra/metasra.json.gz
//! OUT/archs4/human_gene_rnameta.h5
//! ```
//!
//! `<src>` is `gtex`, `tcga` or `sra`; `<xx>` the last two characters of the project, as
//! recount3's own server lays projects out; `<table>` is each of the five tables the recount3 R
//! package's `locate_url()` lists for a project: the source's own table, `recount_project`,
//! `recount_qc`, `recount_seq_qc` and `recount_pred` (the last two in recount3's column layout,
//! see [`SEQ_QC_COLUMNS`] and [`PRED_COLUMNS`]; nothing in rnameta reads them, they make the tree
//! a complete mirror for `rnameta fetch recount3`). Above the projects, as on recount3's server,
//! each source's project table lists every sample of its projects (the file
//! `available_projects()` of the recount3 R package reads), and `homes_index` the sources written.
//!
//! A cohort appears whole or not at all: it is written into a hidden staging folder next to `OUT`
//! ([`staging_dir`]: `.rnameta-tmp-<pid>-<name>`) and renamed to `OUT` when complete; on an error
//! the staging folder is removed. The folder is registered with
//! [`rnameta_io::write::InFlight`], so that the command line's signal handler removes it on
//! Ctrl-C; a run killed without a chance to clean up leaves it, and the next run into the same
//! parent folder removes it (its process is gone: [`rnameta_io::write::sweep_stale_temporaries`]).
//! `OUT` may be missing, an empty folder, or an earlier cohort of this writer (only the names
//! above in it), which is replaced whole; a folder holding anything else is refused and left alone.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressStyle};
use ndarray::{Array2, Axis};
use rayon::prelude::*;
use rnameta_core::{DataSource, Dataset, GeneAnnotation, SampleMeta};
use rnameta_io::archs4::{write_with, WriteOptions};
use rnameta_io::recount3::{
    project_file, project_table_path, table_from_samples, write_gene_sums, write_homes_index,
    write_metadata_table, write_project_table, FileName, GeneSums, GeneSumsHeader, MetadataTable,
    ProjectRun, Recount3Table, AUC, AVERAGE_MAPPED_LENGTH, HOMES_INDEX, RAIL_ID,
};
use rnameta_io::write::{sweep_stale_temporaries, write_atomically, InFlight, TEMPORARY_PREFIX};
use rnameta_io::{annotation, gct, gtex, gtf, metasra};

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use crate::cohort::{Simulator, SourceCohort};
use crate::error::{Error, Result};
use crate::footprint::{existing_ancestor, Footprint, Room};
use crate::seed;
use crate::truth::{write_truth, Truth};

/// The recount3 annotation code written in gene sums headers and file names (GENCODE v26).
pub const ANNOTATION: &str = "G026";
/// The date written in gene sums headers (fixed: same seed, same bytes).
pub const DATE_GENERATED: &str = "2020-06-05";

/// The name of recount3's sequence QC table in file names (`<src>.recount_seq_qc.<project>.MD.gz`).
/// rnameta-io's `Recount3Table` does not list it, since nothing in rnameta reads it.
pub const SEQ_QC_TABLE: &str = "recount_seq_qc";

/// The columns of recount3's `recount_seq_qc` table after the key columns `rail_id external_id
/// study`: the FASTQ summary of `seqtk fqchk` (read lengths, distinct quality values, bases, base
/// composition in percent, average quality and the error quality `errQ`). Names and order are those
/// of the real table the recount3 R package ships as a test file
/// (LieberInstitute/recount3, `inst/test_files/*_sra.recount_seq_qc.DRP002835.MD.gz`:
/// `38 38 38.00 39 1029350612 25.8 24.6 23.5 26.1 0.0 38.3 23.4` for run DRR028129); the R
/// package lower-cases them when it merges the tables (`recount_seq_qc.avgq`).
pub const SEQ_QC_COLUMNS: [&str; 12] = [
    "min_len",
    "max_len",
    "avg_len",
    "#distinct_quality_values",
    "#bases",
    "%A",
    "%C",
    "%G",
    "%T",
    "%N",
    "avgQ",
    "errQ",
];

/// The columns of recount3's `recount_pred` table after the key columns: the SRA sample
/// accession, then the curated and predicted library type (`rna-seq`, `scrna-seq`, `smrna-seq`)
/// and curated tissue, cell type and cell line (`NA` where none was curated). Names and order are
/// those of the real table the recount3 R package ships as a test file (LieberInstitute/recount3,
/// `inst/test_files/*_sra.recount_pred.DRP002835.MD.gz`: `DRS022165 rna-seq Breast rna-seq
/// rna-seq NA NA` for run DRR028129).
pub const PRED_COLUMNS: [&str; 7] = [
    "sample_acc",
    "curated.type",
    "curated.tissue",
    "pattern.predict.type",
    "pred.type",
    "curated.cell_type",
    "curated.cell_line",
];

/// The share of SRA projects whose samples carry curated `recount_pred` values (the rest `NA`).
const CURATED_SHARE: f64 = 0.15;

/// The share of samples whose predicted library type (`pred.type`) is wrong.
const MISPREDICTED_SHARE: f64 = 0.02;

/// Where each file of a written cohort lies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    root: PathBuf,
}

impl Layout {
    /// The layout under `root`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// The output directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `config.json`.
    pub fn config(&self) -> PathBuf {
        self.root.join("config.json")
    }

    /// `genes.tsv.gz`.
    pub fn genes(&self) -> PathBuf {
        self.root.join("genes.tsv.gz")
    }

    /// `truth.tsv.gz`.
    pub fn truth(&self) -> PathBuf {
        self.root.join("truth.tsv.gz")
    }

    /// The recount3 gene GTF.
    pub fn gtf(&self) -> PathBuf {
        self.root
            .join("recount3/human/annotations/gene_sums")
            .join(format!("human.gene_sums.{ANNOTATION}.gtf.gz"))
    }

    /// `recount3/human`, the organism folder of the recount3 mirror.
    fn recount3_human(&self) -> PathBuf {
        self.root.join("recount3/human")
    }

    /// The gene sums file of a project.
    pub fn gene_sums(&self, source: DataSource, project: &str) -> PathBuf {
        let name = FileName::gene_sums(source, project, ANNOTATION);
        self.recount3_human()
            .join(project_file(source, "gene_sums", project, &name))
    }

    /// A metadata table of a project.
    pub fn metadata(&self, source: DataSource, table: Recount3Table, project: &str) -> PathBuf {
        let name = table.file_name(source, project);
        self.recount3_human()
            .join(project_file(source, "metadata", project, &name))
    }

    /// A project's `recount_seq_qc` table (`<src>.recount_seq_qc.<project>.MD.gz`, beside its
    /// other metadata tables).
    pub fn seq_qc(&self, source: DataSource, project: &str) -> PathBuf {
        let name = format!("{}.{SEQ_QC_TABLE}.{project}.MD.gz", source.as_str());
        self.recount3_human()
            .join(project_file(source, "metadata", project, &name))
    }

    /// A data source's project table, one row per sample of every project (recount3's
    /// `data_sources/<src>/metadata/<src>.recount_project.MD.gz`).
    pub fn project_table(&self, source: DataSource) -> PathBuf {
        self.recount3_human()
            .join(project_table_path(&home_of(source)))
    }

    /// The organism's list of project homes (recount3's `human/homes_index`).
    pub fn homes_index(&self) -> PathBuf {
        self.recount3_human().join(HOMES_INDEX)
    }

    /// The GTEx GCT matrix.
    pub fn gtex_gct(&self) -> PathBuf {
        self.root
            .join("gtex/GTEx_Analysis_rnameta_gene_reads.gct.gz")
    }

    /// GTEx sample attributes.
    pub fn gtex_sample_attributes(&self) -> PathBuf {
        self.root
            .join("gtex/GTEx_Analysis_rnameta_SampleAttributesDS.txt")
    }

    /// GTEx subject phenotypes.
    pub fn gtex_subject_phenotypes(&self) -> PathBuf {
        self.root
            .join("gtex/GTEx_Analysis_rnameta_SubjectPhenotypesDS.txt")
    }

    /// The MetaSRA file.
    pub fn metasra(&self) -> PathBuf {
        self.root.join("metasra/metasra.json.gz")
    }

    /// The ARCHS4 file.
    pub fn archs4(&self) -> PathBuf {
        self.root.join("archs4/human_gene_rnameta.h5")
    }
}

/// What [`write_cohort`] wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteSummary {
    /// Samples per source (`gtex`, `tcga`, `sra`, `archs4`).
    pub samples: BTreeMap<String, usize>,
    /// recount3 projects written.
    pub projects: usize,
}

/// A progress bar over `total` samples; hidden unless `visible` (the CLI passes false with
/// `--quiet` or when standard error is not a terminal).
pub fn progress_bar(total: u64, visible: bool) -> ProgressBar {
    if !visible {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(total);
    if let Ok(style) = ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} samples {msg}",
    ) {
        bar.set_style(style);
    }
    bar
}

impl Layout {
    /// Creates the folders between the root and `path` (a file of the layout), one level at a
    /// time below the root and never the root itself: once the root is gone (removed by a signal
    /// handler while writers still run), creating fails instead of bringing it back as a stray
    /// half cohort.
    fn create_parent(&self, path: &Path) -> Result<()> {
        let Some(parent) = path.parent() else {
            return Ok(());
        };
        let below = parent.strip_prefix(&self.root).unwrap_or(parent);
        let mut folder = self.root.clone();
        for part in below.components() {
            folder.push(part);
            match std::fs::create_dir(&folder) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && folder.is_dir() => {}
                Err(e) => return Err(Error::folder("create directory", &folder, e)),
            }
        }
        Ok(())
    }
}

/// The top-level names of a written cohort: a folder holding only these (and `config.json`) is an
/// earlier cohort that [`write_cohort`] may replace.
pub const COHORT_ENTRIES: [&str; 7] = [
    "config.json",
    "genes.tsv.gz",
    "truth.tsv.gz",
    "recount3",
    "gtex",
    "metasra",
    "archs4",
];

/// The hidden folder the cohort for `out` is written into before it is renamed to `out`: the
/// sibling `.rnameta-tmp-<pid>-<name>` of `out` (same file system, so the rename is atomic; named
/// like every rnameta temporary, see [`rnameta_io::write::TEMPORARY_PREFIX`], so that a signal
/// handler or the next run removes it).
pub fn staging_dir(out: &Path) -> PathBuf {
    sibling(out, "")
}

/// `<parent of out>/.rnameta-tmp-<pid>-<kind><name of out>`.
fn sibling(out: &Path, kind: &str) -> PathBuf {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "cohort".into());
    parent_of(out).join(format!(
        "{TEMPORARY_PREFIX}{}-{kind}{name}",
        std::process::id()
    ))
}

/// The folder `out` lies in (`.` for a bare name).
fn parent_of(out: &Path) -> PathBuf {
    match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// What is at the output path before writing.
enum Existing {
    /// Nothing, or an empty folder.
    Nothing,
    /// An earlier cohort of [`write_cohort`], to be replaced.
    Cohort,
}

/// Refuses an output path holding anything but an earlier cohort.
fn inspect_output(out: &Path) -> Result<Existing> {
    let entries = match std::fs::read_dir(out) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Existing::Nothing),
        Err(_) if out.exists() && !out.is_dir() => {
            return Err(Error::OutputNotFolder {
                path: out.to_path_buf(),
            })
        }
        Err(e) => return Err(Error::folder("read", out, e)),
    };
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Error::folder("read", out, e))?;
        names.push(entry.file_name().to_string_lossy().into_owned());
    }
    names.sort();
    if names.is_empty() {
        return Ok(Existing::Nothing);
    }
    let foreign = names.iter().find(|n| !COHORT_ENTRIES.contains(&n.as_str()));
    match foreign {
        None if names.iter().any(|n| n == "config.json") => Ok(Existing::Cohort),
        None => Err(Error::OutputNotEmpty {
            path: out.to_path_buf(),
            entry: names[0].clone(),
        }),
        Some(entry) => Err(Error::OutputNotEmpty {
            path: out.to_path_buf(),
            entry: entry.clone(),
        }),
    }
}

/// The folders above `out` that are missing (outermost first), to be created for it and removed
/// again if writing fails.
fn missing_parents(out: &Path) -> Vec<PathBuf> {
    let mut missing = Vec::new();
    let mut current = out.parent();
    while let Some(p) = current {
        if p.as_os_str().is_empty() || p.exists() {
            break;
        }
        missing.push(p.to_path_buf());
        current = p.parent();
    }
    missing.reverse();
    missing
}

/// Moves the finished `staging` folder to `out`, replacing an earlier cohort there.
fn commit(staging: &Path, out: &Path, existing: &Existing) -> Result<()> {
    let rename = |from: &Path, to: &Path| {
        std::fs::rename(from, to).map_err(|e| Error::folder("move the finished cohort to", to, e))
    };
    match existing {
        Existing::Nothing => {
            if out.is_dir() {
                std::fs::remove_dir(out).map_err(|e| Error::folder("replace", out, e))?;
            }
            rename(staging, out)
        }
        Existing::Cohort => {
            // Set aside as a temporary: if the run dies between the two renames, the next run
            // removes it (the user asked for it to be replaced).
            let old = sibling(out, "old-");
            let _guard = InFlight::register(&old);
            std::fs::rename(out, &old)
                .map_err(|e| Error::folder("set aside the earlier cohort", out, e))?;
            if let Err(e) = rename(staging, out) {
                let _ = std::fs::rename(&old, out);
                return Err(e);
            }
            std::fs::remove_dir_all(&old).map_err(|e| Error::folder("remove", &old, e))
        }
    }
}

/// Simulates and writes the whole cohort of `sim` to `out`, atomically (see the module
/// documentation), with `progress` counting written samples.
///
/// Before any work it refuses an `out` holding anything but an earlier cohort, and a cohort whose
/// estimated peak memory or size exceeds what this machine has ([`Footprint`], [`Room`]); it
/// removes what earlier runs into `out` that were killed left behind. On an error it removes its
/// staging folder and the parent folders it created.
pub fn write_cohort(sim: &Simulator, out: &Path, progress: &ProgressBar) -> Result<WriteSummary> {
    let resolved;
    let out = if out.file_name().is_some() {
        out
    } else {
        // `.` or `..`: name the folder, so that its staging sibling lies next to it.
        resolved = out
            .canonicalize()
            .map_err(|e| Error::folder("find the output folder", out, e))?;
        resolved.as_path()
    };
    sweep_stale_temporaries(&parent_of(out));
    let existing = inspect_output(out)?;
    let footprint = Footprint::estimate(
        sim.config(),
        sim.universe().len(),
        rayon::current_num_threads(),
    );
    let measured = existing_ancestor(out);
    footprint.check(&Room::probe(&measured), &measured)?;
    let created = missing_parents(out);
    let staging = staging_dir(out);
    let _staging_guard = InFlight::register(&staging);
    let written = std::fs::create_dir_all(parent_of(&staging))
        .and_then(|()| std::fs::create_dir(&staging))
        .map_err(|e| Error::folder("create directory", &staging, e))
        .and_then(|()| write_tree(sim, &staging, progress));
    let result = written.and_then(|summary| commit(&staging, out, &existing).map(|()| summary));
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&staging);
        for folder in created.iter().rev() {
            let _ = std::fs::remove_dir(folder);
        }
    }
    result
}

/// Simulates and writes the cohort of `sim` under `root`, one source at a time (a source's counts
/// are dropped before the next is drawn).
fn write_tree(sim: &Simulator, root: &Path, progress: &ProgressBar) -> Result<WriteSummary> {
    let layout = Layout::new(root);
    let config = sim.config();
    let json = config.to_json();
    write_atomically(&layout.config(), |w| w.write_all(json.as_bytes()))?;
    annotation::write_gene_table(&layout.genes(), sim.universe().annotation())?;
    layout.create_parent(&layout.gtf())?;
    let models = sim.universe().gene_models();
    gtf::write_gene_models(&layout.gtf(), &models)?;
    let mut summary = WriteSummary::default();
    let mut truth: Vec<Truth> = Vec::new();
    if config.gtex.samples > 0 {
        progress.set_message("GTEx");
        let gtex = sim.gtex()?;
        summary.projects += write_recount3(&layout, &gtex, config.seed, progress)?;
        write_gtex_files(&layout, &gtex.dataset)?;
        summary
            .samples
            .insert("gtex".into(), gtex.dataset.n_samples());
        truth.extend(gtex.truth);
    }
    if config.tcga.samples > 0 {
        progress.set_message("TCGA");
        let tcga = sim.tcga()?;
        summary.projects += write_recount3(&layout, &tcga, config.seed, progress)?;
        summary
            .samples
            .insert("tcga".into(), tcga.dataset.n_samples());
        truth.extend(tcga.truth);
    }
    let options = WriteOptions::default();
    if config.sra.studies > 0 {
        progress.set_message("SRA");
        let sra = sim.sra()?;
        progress.inc_length(sra.dataset.n_samples() as u64);
        summary.projects += write_recount3(&layout, &sra, config.seed, progress)?;
        layout.create_parent(&layout.metasra())?;
        metasra::write_metasra(&layout.metasra(), &sra.metasra)?;
        if config.archs4.samples == 0 {
            layout.create_parent(&layout.archs4())?;
            write_archs4_from(&layout, &sra.dataset, config.archs4.block_samples, &options)?;
        }
        summary
            .samples
            .insert("sra".into(), sra.dataset.n_samples());
        truth.extend(sra.truth);
    }
    if config.archs4.samples > 0 {
        progress.set_message("ARCHS4");
        layout.create_parent(&layout.archs4())?;
        let mut written = 0;
        write_with(
            layout.archs4(),
            sim.universe().annotation(),
            &options,
            |writer| {
                for block in sim.archs4_blocks() {
                    let block = block.map_err(|e| match e {
                        Error::Io(io) => io,
                        other => rnameta_io::Error::file(
                            layout.archs4(),
                            rnameta_io::ErrorKind::Malformed(other.to_string()),
                        ),
                    })?;
                    writer.append(&block.dataset)?;
                    written += block.dataset.n_samples();
                    progress.inc(block.dataset.n_samples() as u64);
                    truth.extend(block.truth);
                }
                Ok(())
            },
        )?;
        summary.samples.insert("archs4".into(), written);
    }
    let homes: Vec<String> = [
        (config.gtex.samples, DataSource::Gtex),
        (config.tcga.samples, DataSource::Tcga),
        (config.sra.studies, DataSource::Sra),
    ]
    .into_iter()
    .filter(|(n, _)| *n > 0)
    .map(|(_, source)| home_of(source))
    .collect();
    if !homes.is_empty() {
        write_homes_index(&layout.homes_index(), &homes)?;
    }
    write_truth(&layout.truth(), &truth)?;
    progress.finish_with_message("done");
    Ok(summary)
}

/// Writes `sra` as GEO samples (see [`as_archs4`]) in blocks of `block` samples, so that only a
/// block's copy of the counts is made.
fn write_archs4_from(
    layout: &Layout,
    sra: &Dataset,
    block: usize,
    options: &WriteOptions,
) -> Result<()> {
    write_with(layout.archs4(), sra.genes(), options, |writer| {
        let n = sra.n_samples();
        let mut start = 0;
        while start < n {
            let end = n.min(start + block.max(1));
            let rows: Vec<usize> = (start..end).collect();
            let part = Dataset::new(
                sra.counts().select(Axis(0), &rows),
                sra.genes().clone(),
                sra.samples()[start..end].iter().map(archs4_meta).collect(),
            )
            .map_err(|e| {
                rnameta_io::Error::file(
                    layout.archs4(),
                    rnameta_io::ErrorKind::Malformed(e.to_string()),
                )
            })?;
            writer.append(&part)?;
            start = end;
        }
        Ok(())
    })?;
    Ok(())
}

/// The SRA samples as GEO samples for the ARCHS4 file of the tiny and paper presets: ids become
/// `GSM<n>` (the run id is kept as the attribute `run`), studies become `GSE<n>`.
pub fn as_archs4(sra: &Dataset) -> Result<Dataset> {
    let samples = sra.samples().iter().map(archs4_meta).collect();
    Ok(Dataset::new(
        sra.counts().clone(),
        sra.genes().clone(),
        samples,
    )?)
}

/// The ARCHS4 sample of an SRA run (see [`as_archs4`]).
pub fn archs4_meta(s: &SampleMeta) -> SampleMeta {
    let number = |id: &str| {
        id.trim_start_matches(|c: char| c.is_ascii_alphabetic())
            .to_owned()
    };
    let mut m = s.clone();
    m.sample_id = format!("GSM{}", number(&s.sample_id));
    m.data_source = DataSource::Archs4;
    m.study = s.study.as_deref().map(|st| format!("GSE{}", number(st)));
    m.run = None;
    m.experiment = None;
    m.attributes.remove(RAIL_ID);
    m.attributes.insert("run".into(), s.sample_id.clone());
    m
}

/// The samples of each project (study), in order of first appearance.
fn projects(samples: &[SampleMeta]) -> Vec<(String, Vec<usize>)> {
    let mut order: Vec<(String, Vec<usize>)> = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    for (row, s) in samples.iter().enumerate() {
        let project = s.study.clone().unwrap_or_else(|| "UNKNOWN".into());
        match index.get(&project) {
            Some(&i) => order[i].1.push(row),
            None => {
                index.insert(project.clone(), order.len());
                order.push((project, vec![row]));
            }
        }
    }
    order
}

/// Writes a source's recount3 projects in parallel; returns how many. `seed` is the cohort's
/// seed, from which the `recount_seq_qc` and `recount_pred` tables draw streams of their own.
fn write_recount3(
    layout: &Layout,
    cohort: &SourceCohort,
    seed: u64,
    progress: &ProgressBar,
) -> Result<usize> {
    let dataset = &cohort.dataset;
    let source = dataset
        .samples()
        .first()
        .map_or(DataSource::Other, |s| s.data_source);
    let groups = projects(dataset.samples());
    groups
        .par_iter()
        .map(|(project, rows)| {
            let samples: Vec<SampleMeta> =
                rows.iter().map(|&r| dataset.samples()[r].clone()).collect();
            let lengths: Vec<u32> = rows.iter().map(|&r| cohort.truth[r].read_length).collect();
            let counts = dataset.counts().select(Axis(0), rows);
            write_project(
                layout,
                source,
                project,
                dataset.genes(),
                &samples,
                &counts,
                &lengths,
            )?;
            let truths: Vec<&Truth> = rows.iter().map(|&r| &cohort.truth[r]).collect();
            write_seq_qc_and_pred(layout, source, project, &samples, &truths, &counts, seed)?;
            progress.inc(rows.len() as u64);
            Ok(())
        })
        .collect::<Result<Vec<()>>>()?;
    let runs: Vec<ProjectRun> = groups
        .iter()
        .flat_map(|(project, rows)| rows.iter().map(move |&r| (project, r)))
        .map(|(project, r)| project_run(source, project, r, &dataset.samples()[r]))
        .collect();
    let table = layout.project_table(source);
    layout.create_parent(&table)?;
    write_project_table(&table, &runs)?;
    Ok(groups.len())
}

/// recount3's home of a data source's projects: `data_sources/<src>`.
fn home_of(source: DataSource) -> String {
    format!("data_sources/{}", source.as_str())
}

/// A sample's row of its source's project table (its `rail_id`, else its row in the source, from
/// 1; recount3's organism name and the date written in gene sums headers).
fn project_run(source: DataSource, project: &str, row: usize, sample: &SampleMeta) -> ProjectRun {
    ProjectRun {
        rail_id: sample
            .attributes
            .get(RAIL_ID)
            .cloned()
            .unwrap_or_else(|| (row + 1).to_string()),
        external_id: sample.sample_id.clone(),
        project: project.to_owned(),
        organism: "Homo sapiens".to_owned(),
        file_source: home_of(source),
        project_home: home_of(source),
        date_processed: Some(DATE_GENERATED.to_owned()),
    }
}

/// One recount3 project: gene sums (coverage = counts x read length), the source's table,
/// `recount_project` and `recount_qc` (average mapped length = read length; AUC = the summed
/// gene coverage, as the simulator places no read outside genes).
fn write_project(
    layout: &Layout,
    source: DataSource,
    project: &str,
    genes: &GeneAnnotation,
    samples: &[SampleMeta],
    counts: &Array2<f32>,
    read_lengths: &[u32],
) -> Result<()> {
    let mut sums = counts.mapv(f64::from);
    for (mut row, &len) in sums.axis_iter_mut(Axis(0)).zip(read_lengths) {
        row.mapv_inplace(|v| v * f64::from(len));
    }
    let aucs: Vec<f64> = sums.rows().into_iter().map(|r| r.sum()).collect();
    let header = GeneSumsHeader {
        annotation: ANNOTATION.into(),
        date_generated: DATE_GENERATED.into(),
    };
    let path = layout.gene_sums(source, project);
    layout.create_parent(&path)?;
    let gene_sums = GeneSums::new(header, genes.clone(), samples.to_vec(), sums)
        .map_err(|kind| rnameta_io::Error::file(&path, kind))?;
    write_gene_sums(&path, &gene_sums)?;
    let own = match source {
        DataSource::Gtex => Recount3Table::Gtex,
        DataSource::Tcga => Recount3Table::Tcga,
        _ => Recount3Table::Sra,
    };
    for table in [own, Recount3Table::RecountProject] {
        let path = layout.metadata(source, table, project);
        layout.create_parent(&path)?;
        let t = table_from_samples(table, samples).map_err(|e| Error::table(table.as_str(), e))?;
        write_metadata_table(&path, &t)?;
    }
    let qc = table_from_samples(Recount3Table::RecountQc, samples)
        .map_err(|e| Error::table("recount_qc", e))?;
    let mut columns = qc.columns().to_vec();
    columns.push(AVERAGE_MAPPED_LENGTH.into());
    columns.push(AUC.into());
    let rows = qc
        .rows()
        .iter()
        .zip(read_lengths.iter().zip(&aucs))
        .map(|(row, (len, auc))| {
            let mut row = row.clone();
            row.push(len.to_string());
            row.push(format!("{auc:.0}"));
            row
        })
        .collect();
    let qc =
        MetadataTable::new(columns, "rail_id", rows).map_err(|e| Error::table("recount_qc", e))?;
    write_metadata_table(
        &layout.metadata(source, Recount3Table::RecountQc, project),
        &qc,
    )?;
    Ok(())
}

/// The two tables of a project that nothing in rnameta reads, written so that the tree holds all
/// five tables `locate_url()` lists: `recount_seq_qc` ([`SEQ_QC_COLUMNS`]) and `recount_pred`
/// ([`PRED_COLUMNS`]), one row per sample keyed as the other tables.
///
/// Their values come from the samples' truth (read length, library type, tissue, cell line), their
/// counts and a stream of their own (`seed::rng(seed, "recount3 seq_qc/pred <src>/<project>", 0)`),
/// so that same seed gives same bytes and no other file of the cohort changes with them.
/// Plausible, not calibrated: reads = counts / a mapped share in [0.80, 0.97); a project's GC
/// content in [44, 52) % and average quality in [34, 38.5), each sample within about one point of
/// it; `errQ` 13 to 17 below `avgQ`. SRA: the sample accession, `pattern.predict.type` from the
/// written record (library strategy, then study text), `pred.type` the true library type
/// (wrong for [`MISPREDICTED_SHARE`] of the samples), and curated values for
/// [`CURATED_SHARE`] of the projects. GTEx and TCGA (whose tables recount3's builder fills from
/// SRA predictions it does not have for them): bulk RNA-seq, no accession, nothing curated.
fn write_seq_qc_and_pred(
    layout: &Layout,
    source: DataSource,
    project: &str,
    samples: &[SampleMeta],
    truths: &[&Truth],
    counts: &Array2<f32>,
    seed: u64,
) -> Result<()> {
    let mut rng = seed::rng(
        seed,
        &format!("recount3 seq_qc/pred {}/{project}", source.as_str()),
        0,
    );
    // Per project, then per sample in row order: the draws never depend on scheduling.
    let curated = source == DataSource::Sra && rng.random::<f64>() < CURATED_SHARE;
    let distinct_quality_values = [39u32, 40, 41, 42][rng.random_range(0..4)];
    let project_gc = 44.0 + 8.0 * rng.random::<f64>();
    let project_quality = 34.0 + 4.5 * rng.random::<f64>();
    let keys = table_from_samples(Recount3Table::RecountPred, samples)
        .map_err(|e| Error::table(SEQ_QC_TABLE, e))?;
    let mut seq_qc_rows = Vec::with_capacity(samples.len());
    let mut pred_rows = Vec::with_capacity(samples.len());
    for (((key, sample), truth), row) in keys
        .rows()
        .iter()
        .zip(samples)
        .zip(truths)
        .zip(counts.rows())
    {
        let reads: f64 = row.iter().map(|&v| f64::from(v)).sum();
        let mut cells = key.clone();
        cells.extend(seq_qc_cells(
            &mut rng,
            truth.read_length,
            reads,
            distinct_quality_values,
            project_gc,
            project_quality,
        ));
        seq_qc_rows.push(cells);
        let mut cells = key.clone();
        cells.extend(pred_cells(&mut rng, source, sample, truth, curated));
        pred_rows.push(cells);
    }
    let columns = |extra: &[&str]| -> Vec<String> {
        keys.columns()
            .iter()
            .cloned()
            .chain(extra.iter().map(|c| (*c).to_owned()))
            .collect()
    };
    let seq_qc = MetadataTable::new(columns(&SEQ_QC_COLUMNS), "rail_id", seq_qc_rows)
        .map_err(|e| Error::table(SEQ_QC_TABLE, e))?;
    write_metadata_table(&layout.seq_qc(source, project), &seq_qc)?;
    let pred = MetadataTable::new(columns(&PRED_COLUMNS), "rail_id", pred_rows)
        .map_err(|e| Error::table("recount_pred", e))?;
    write_metadata_table(
        &layout.metadata(source, Recount3Table::RecountPred, project),
        &pred,
    )?;
    Ok(())
}

/// One sample's [`SEQ_QC_COLUMNS`] (see [`write_seq_qc_and_pred`]).
fn seq_qc_cells(
    rng: &mut ChaCha8Rng,
    read_length: u32,
    reads: f64,
    distinct_quality_values: u32,
    project_gc: f64,
    project_quality: f64,
) -> Vec<String> {
    let mapped_share = 0.80 + 0.17 * rng.random::<f64>();
    let bases = (reads / mapped_share).round() * f64::from(read_length);
    let gc = project_gc + 2.0 * rng.random::<f64>() - 1.0;
    let n = 0.05 * rng.random::<f64>();
    let c = gc / 2.0 + 1.2 * rng.random::<f64>() - 0.6;
    let a = (100.0 - gc - n) / 2.0 + 1.2 * rng.random::<f64>() - 0.6;
    let avg_q = project_quality + rng.random::<f64>() - 0.5;
    let err_q = avg_q - 13.0 - 4.0 * rng.random::<f64>();
    vec![
        read_length.to_string(),
        read_length.to_string(),
        format!("{read_length}.00"),
        distinct_quality_values.to_string(),
        format!("{bases:.0}"),
        format!("{a:.1}"),
        format!("{c:.1}"),
        format!("{:.1}", gc - c),
        format!("{:.1}", 100.0 - gc - n - a),
        format!("{n:.1}"),
        format!("{avg_q:.1}"),
        format!("{err_q:.1}"),
    ]
}

/// recount3's library types in `recount_pred`.
const LIBRARY_TYPES: [&str; 3] = ["rna-seq", "scrna-seq", "smrna-seq"];

/// The true library type of a sample, as `recount_pred` names it.
fn library_type(truth: &Truth) -> &'static str {
    if truth.is_single_cell {
        LIBRARY_TYPES[1]
    } else if truth.is_small_rna {
        LIBRARY_TYPES[2]
    } else {
        LIBRARY_TYPES[0]
    }
}

/// The library type the written SRA record suggests: its library strategy, else keywords of the
/// study's title and abstract.
fn pattern_type(sample: &SampleMeta) -> &'static str {
    let attribute = |key: &str| {
        sample
            .attributes
            .get(key)
            .map_or(String::new(), |v| v.to_ascii_lowercase())
    };
    let strategy = attribute("library_strategy");
    let text = format!(
        "{} {}",
        attribute("study_title"),
        attribute("study_abstract")
    );
    if strategy.starts_with("scrna") || text.contains("single-cell") || text.contains("single cell")
    {
        LIBRARY_TYPES[1]
    } else if strategy.starts_with("mirna")
        || strategy.starts_with("ncrna")
        || text.contains("small rna")
    {
        LIBRARY_TYPES[2]
    } else {
        LIBRARY_TYPES[0]
    }
}

/// One sample's [`PRED_COLUMNS`] (see [`write_seq_qc_and_pred`]).
fn pred_cells(
    rng: &mut ChaCha8Rng,
    source: DataSource,
    sample: &SampleMeta,
    truth: &Truth,
    curated: bool,
) -> Vec<String> {
    const NA: &str = "NA";
    if source != DataSource::Sra {
        return [NA, NA, NA, LIBRARY_TYPES[0], LIBRARY_TYPES[0], NA, NA]
            .map(str::to_owned)
            .to_vec();
    }
    let truth_type = library_type(truth);
    let mispredicted = rng.random::<f64>() < MISPREDICTED_SHARE;
    let other = rng.random_range(1..LIBRARY_TYPES.len());
    let predicted = if mispredicted {
        let at = LIBRARY_TYPES
            .iter()
            .position(|t| *t == truth_type)
            .unwrap_or(0);
        LIBRARY_TYPES[(at + other) % LIBRARY_TYPES.len()]
    } else {
        truth_type
    };
    let text = |value: &str| {
        if value.is_empty() {
            NA.to_owned()
        } else {
            value.to_owned()
        }
    };
    let (curated_type, curated_tissue, curated_line) = if curated {
        (
            truth_type.to_owned(),
            text(&capitalised(&truth.tissue)),
            text(&truth.cell_line),
        )
    } else {
        (NA.to_owned(), NA.to_owned(), NA.to_owned())
    };
    vec![
        text(
            sample
                .attributes
                .get("sample_acc")
                .map_or("", String::as_str),
        ),
        curated_type,
        curated_tissue,
        pattern_type(sample).to_owned(),
        predicted.to_owned(),
        NA.to_owned(),
        curated_line,
    ]
}

/// `lung` -> `Lung`, as recount3's curated tissues are written.
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or(String::new(), |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// The GTEx GCT and the two attribute tables.
fn write_gtex_files(layout: &Layout, gtex: &Dataset) -> Result<()> {
    layout.create_parent(&layout.gtex_gct())?;
    gct::write(&layout.gtex_gct(), gtex)?;
    let attrs = gtex::sample_attributes_table(gtex.samples())
        .map_err(|e| Error::table("SampleAttributesDS", e))?;
    gtex::write_sample_attributes(&layout.gtex_sample_attributes(), &attrs)?;
    let pheno = gtex::subject_phenotypes_table(gtex.samples())
        .map_err(|e| Error::table("SubjectPhenotypesDS", e))?;
    gtex::write_subject_phenotypes(&layout.gtex_subject_phenotypes(), &pheno)?;
    Ok(())
}
