//! The data an experiment runs on: a simulated cohort (GTEx, TCGA, SRA) or one read from files in
//! the recount3 layout, after the paper's sample QC (small-RNA libraries, single-cell studies,
//! technical replicates removed from SRA).

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use rnameta_core::{DataSource, Dataset, SampleSource};
use rnameta_preprocess::qc::{papers_sra_qc_in_place, QcFilter};
use rnameta_sim::{GeneUniverse, Preset, SimConfig, Simulator};
use serde::Serialize;

/// Where the data comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataSpec {
    /// A cohort simulated in memory from a preset (`sim:small`).
    Simulated {
        /// The preset's name.
        preset: String,
    },
    /// A cohort read from files: in the recount3 layout, `data_sources/{gtex,tcga,sra}/gene_sums`
    /// with their `metadata` (labels, studies, `recount_qc`) and, when present, the annotation
    /// GTF (what `rnameta simulate --out DIR` writes under `DIR/recount3/human`, and what a
    /// recount3 mirror holds); or the workflow's merged shards, `gtex.parquet`, `sra.parquet`
    /// and `tcga.parquet` in one folder (`workflow/Snakefile`, rule `merge`).
    Directory {
        /// The folder given (`DIR`, `DIR/recount3/human` or the `data_sources` folder itself).
        path: PathBuf,
        /// How the files are read: a label file applied over their own metadata (`--labels`:
        /// a MetaSRA release labels the SRA as the workflow's shards are labelled), and whether
        /// only the samples labelled for some task are kept (`--labelled-only`, as the workflow's
        /// merge keeps the SRA: the unsupervised steps of a fit, the preprocessing and the Gini
        /// ranking of genes, then see the labelled samples alone, and a recount3 mirror's
        /// unlabelled majority is never held).
        reading: rnameta_data::LoadOptions,
    },
}

impl DataSpec {
    /// Parses `sim:PRESET` or a directory holding a recount3 layout or merged shards.
    pub fn parse(text: &str) -> Result<Self> {
        match text.strip_prefix("sim:") {
            Some(p) if Preset::parse(p).is_some() => Ok(Self::Simulated {
                preset: p.to_owned(),
            }),
            Some(p) => bail!("unknown preset {p:?} (tiny, small, paper, archs4)"),
            None => {
                let path = PathBuf::from(text);
                cohort_inputs(&path)?;
                Ok(Self::Directory {
                    path,
                    reading: rnameta_data::LoadOptions::default(),
                })
            }
        }
    }

    /// How it is written in `run.json` and the tables. A directory is not known to be real or
    /// simulated: its label says which files, and the caller says what they are.
    pub fn label(&self) -> String {
        match self {
            Self::Simulated { preset } => format!("sim:{preset} (simulated data)"),
            Self::Directory { path, reading } => {
                let mut label = format!("files in {}", path.display());
                if let Some(labels) = &reading.labels {
                    label += &format!(", labelled by {}", labels.display());
                }
                if reading.labelled_only {
                    label += ", labelled samples only";
                }
                label
            }
        }
    }
}

/// The names of the workflow's merged shards, one per source (GTEx, SRA, TCGA).
pub const MERGED_SHARDS: [&str; 3] = ["gtex.parquet", "sra.parquet", "tcga.parquet"];

/// What to read for the cohort at `path`, GTEx first, then SRA, then TCGA where there is one:
/// the workflow's merged shards ([`MERGED_SHARDS`]) in `path`, or the source folders of the
/// recount3 layout at or below it.
fn cohort_inputs(path: &Path) -> Result<Vec<PathBuf>> {
    if !path.is_dir() {
        bail!(
            "--data {}: not a directory (give sim:PRESET, a folder in the recount3 layout or the \
             workflow's merged shards)",
            path.display()
        );
    }
    let [gtex, sra, tcga] = MERGED_SHARDS.map(|name| path.join(name));
    if gtex.is_file() && sra.is_file() {
        return Ok([gtex, sra, tcga]
            .into_iter()
            .filter(|p| p.is_file())
            .collect());
    }
    for candidate in [
        path.to_path_buf(),
        path.join("data_sources"),
        path.join("human/data_sources"),
        path.join("recount3/human/data_sources"),
    ] {
        if candidate.join("gtex").is_dir() && candidate.join("sra").is_dir() {
            let tcga = candidate.join("tcga");
            let mut inputs = vec![candidate.join("gtex"), candidate.join("sra")];
            if tcga.is_dir() {
                inputs.push(tcga);
            }
            return Ok(inputs);
        }
    }
    bail!(
        "--data {}: no cohort found: expected data_sources/gtex and data_sources/sra (and \
         data_sources/tcga) here, under human/ or under recount3/human/ (as `rnameta simulate \
         --out DIR` writes), or the workflow's merged gtex.parquet and sra.parquet (and \
         tcga.parquet)",
        path.display()
    )
}

/// Reads GTEx, TCGA and SRA from a recount3 layout or merged shards on the genes all three share.
/// Each source's samples are put in the order of their ids, so that the same samples give the
/// same tables however they were spread over files (one per project, or merged).
fn read_directory(
    path: &Path,
    reading: &rnameta_data::LoadOptions,
) -> Result<(Dataset, Dataset, Dataset)> {
    let inputs = cohort_inputs(path)?;
    let loaded = rnameta_data::load(&inputs, reading)
        .with_context(|| format!("reading the cohort in {}", path.display()))?;
    let all = loaded.dataset;
    for n in &loaded.report.notes {
        eprintln!("[data] {n}");
    }
    let rows_of = |source: DataSource| -> Vec<usize> {
        let mut rows: Vec<usize> = (0..all.n_samples())
            .filter(|&i| all.samples()[i].data_source == source)
            .collect();
        rows.sort_by(|&a, &b| all.samples()[a].sample_id.cmp(&all.samples()[b].sample_id));
        rows
    };
    let (gtex, tcga, sra) = (
        rows_of(DataSource::Gtex),
        rows_of(DataSource::Tcga),
        rows_of(DataSource::Sra),
    );
    if gtex.is_empty() || sra.is_empty() {
        bail!(
            "{}: the cohort needs GTEx and SRA samples; found {} GTEx, {} SRA",
            path.display(),
            gtex.len(),
            sra.len()
        );
    }
    Ok((
        all.select_samples(&gtex)?,
        all.select_samples(&tcga)?,
        all.select_samples(&sra)?,
    ))
}

/// How many samples the QC removed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct QcCounts {
    /// SRA samples before QC.
    pub sra_before: usize,
    /// Small-RNA libraries removed.
    pub small_rna: usize,
    /// Samples of single-cell studies removed.
    pub single_cell: usize,
    /// Technical replicates removed (one run per experiment kept).
    pub replicates: usize,
}

/// The three sources of a cohort, QC applied.
#[derive(Debug, Clone)]
pub struct Cohort {
    /// GTEx: the homogeneous source domain.
    pub gtex: Dataset,
    /// TCGA.
    pub tcga: Dataset,
    /// SRA after QC.
    pub sra: Dataset,
    /// What QC removed.
    pub qc: QcCounts,
}

/// The cohort of `spec`: simulated (the preset's own seed, so every experiment sees one cohort) or
/// read from its directory.
pub fn load(spec: &DataSpec) -> Result<Cohort> {
    let (gtex, tcga, sra) = match spec {
        DataSpec::Simulated { preset } => {
            let preset = Preset::parse(preset).context("preset")?;
            simulate(&SimConfig::preset(preset))?
        }
        DataSpec::Directory { path, reading } => read_directory(path, reading)?,
    };
    prepare_cohort(gtex, tcga, sra)
}

/// The cohort simulated in memory from `config` (what `calibrate` searches over).
pub fn simulate_config(config: &SimConfig) -> Result<Cohort> {
    let (gtex, tcga, sra) = simulate(config)?;
    prepare_cohort(gtex, tcga, sra)
}

/// QC and the sample-source conventions applied to the three sources.
fn prepare_cohort(gtex: Dataset, tcga: Dataset, sra: Dataset) -> Result<Cohort> {
    let (mut sra, qc) = sra_qc(sra)?;
    let (mut gtex, mut tcga) = (gtex, tcga);
    // GTEx and TCGA metadata carry no sample-source field because every sample is a tissue
    // sample (post-mortem or surgical): the paper tests sample source on them as biopsies.
    for s in gtex
        .samples_mut()
        .iter_mut()
        .chain(tcga.samples_mut().iter_mut())
    {
        s.sample_source.get_or_insert(SampleSource::Biopsy);
    }
    keep_the_papers_sample_sources(&mut sra);
    Ok(Cohort {
        gtex,
        tcga,
        sra,
        qc,
    })
}

/// The paper's sample-source task is biopsy vs cell line: MetaSRA's other sample types (primary
/// cells, stem cells, ...), which a real cohort's labels read as classes of their own, are left
/// out of it (their sample source is cleared; the simulator writes none of them).
fn keep_the_papers_sample_sources(sra: &mut Dataset) {
    for s in sra.samples_mut() {
        if !matches!(
            s.sample_source,
            Some(SampleSource::Biopsy | SampleSource::CellLine)
        ) {
            s.sample_source = None;
        }
    }
}

/// GTEx, TCGA and SRA simulated from `config`.
fn simulate(config: &SimConfig) -> Result<(Dataset, Dataset, Dataset)> {
    let config = config.clone();
    let universe = GeneUniverse::from_ensembl(
        &rnameta_sim::universe::default_gene_table(),
        &config.universe,
    )
    .context("building the simulated gene universe")?;
    let cohort = Simulator::new(config, universe)?
        .cohort()
        .context("simulating the cohort")?;
    Ok((cohort.gtex.dataset, cohort.tcga.dataset, cohort.sra.dataset))
}

/// The paper's SRA sample QC (preprocess's [`papers_sra_qc_in_place`]: the SRA matrix is not
/// copied) and how many samples each filter removed.
fn sra_qc(sra: Dataset) -> Result<(Dataset, QcCounts)> {
    let sra_before = sra.n_samples();
    let (kept, report) = papers_sra_qc_in_place(sra)?;
    let counts = QcCounts {
        sra_before,
        small_rna: report.count(QcFilter::SmallRna),
        single_cell: report.count(QcFilter::SingleCell),
        replicates: report.count(QcFilter::TechnicalReplicate),
    };
    Ok((kept, counts))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rnameta_core::{ExprMatrix, GeneAnnotation, GeneInfo, SampleMeta};

    #[test]
    fn the_source_task_keeps_biopsies_and_cell_lines_only() {
        let sources = [
            Some(SampleSource::Biopsy),
            Some(SampleSource::CellLine),
            Some(SampleSource::PrimaryCells),
            Some(SampleSource::InducedPluripotent),
            None,
        ];
        let samples = sources
            .iter()
            .enumerate()
            .map(|(i, &source)| SampleMeta {
                sample_source: source,
                ..SampleMeta::new(format!("s{i}"), DataSource::Sra)
            })
            .collect();
        let genes = GeneAnnotation::new(vec![GeneInfo::from_id("ENSG00000000003")]).unwrap();
        let mut sra = Dataset::new(ExprMatrix::zeros((5, 1)), genes, samples).unwrap();
        keep_the_papers_sample_sources(&mut sra);
        let kept: Vec<_> = sra.samples().iter().map(|s| s.sample_source).collect();
        assert_eq!(
            kept,
            [
                Some(SampleSource::Biopsy),
                Some(SampleSource::CellLine),
                None,
                None,
                None
            ]
        );
    }
}
