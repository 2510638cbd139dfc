//! The data an experiment runs on: a simulated cohort (GTEx, TCGA, SRA) or one read from files in
//! the recount3 layout, after the paper's sample QC (small-RNA libraries, single-cell studies,
//! technical replicates removed from SRA).

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use rnameta_core::{DataSource, Dataset, SampleSource};
use rnameta_preprocess::qc::{
    remove_single_cell, single_cell_studies, small_rna_libraries, technical_replicates, StudyText,
};
use rnameta_sim::{GeneUniverse, Preset, SimConfig, Simulator};
use serde::Serialize;

/// Where the data comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum DataSpec {
    /// A cohort simulated in memory from a preset (`sim:small`).
    Simulated {
        /// The preset's name.
        preset: String,
    },
    /// A cohort read from files in the recount3 layout: `data_sources/{gtex,tcga,sra}/gene_sums`
    /// with their `metadata` (labels, studies, `recount_qc`) and, when present, the annotation
    /// GTF. What `rnameta simulate --out DIR` writes (under `DIR/recount3/human`) and what a
    /// recount3 mirror holds.
    Directory {
        /// The folder given (`DIR`, `DIR/recount3/human` or the `data_sources` folder itself).
        path: PathBuf,
    },
}

impl DataSpec {
    /// Parses `sim:PRESET` or a directory holding a recount3 layout.
    pub fn parse(text: &str) -> Result<Self> {
        match text.strip_prefix("sim:") {
            Some(p) if Preset::parse(p).is_some() => Ok(Self::Simulated {
                preset: p.to_owned(),
            }),
            Some(p) => bail!("unknown preset {p:?} (tiny, small, paper, archs4)"),
            None => {
                let path = PathBuf::from(text);
                data_sources_dir(&path)?;
                Ok(Self::Directory { path })
            }
        }
    }

    /// How it is written in `run.json` and the tables. A directory is not known to be real or
    /// simulated: its label says which files, and the caller says what they are.
    pub fn label(&self) -> String {
        match self {
            Self::Simulated { preset } => format!("sim:{preset} (simulated data)"),
            Self::Directory { path } => format!("files in {}", path.display()),
        }
    }
}

/// The `data_sources` folder of a recount3 layout at or below `path`.
fn data_sources_dir(path: &Path) -> Result<PathBuf> {
    if !path.is_dir() {
        bail!(
            "--data {}: not a directory (give sim:PRESET or a folder in the recount3 layout)",
            path.display()
        );
    }
    for candidate in [
        path.to_path_buf(),
        path.join("data_sources"),
        path.join("human/data_sources"),
        path.join("recount3/human/data_sources"),
    ] {
        if candidate.join("gtex").is_dir() && candidate.join("sra").is_dir() {
            return Ok(candidate);
        }
    }
    bail!(
        "--data {}: no recount3 layout found: expected data_sources/gtex and data_sources/sra \
         (and data_sources/tcga) here, under human/ or under recount3/human/ (as `rnameta \
         simulate --out DIR` writes)",
        path.display()
    )
}

/// Reads GTEx, TCGA and SRA from a recount3 layout on the genes all three share.
fn read_directory(path: &Path) -> Result<(Dataset, Dataset, Dataset)> {
    let sources = data_sources_dir(path)?;
    let mut inputs = vec![sources.join("gtex"), sources.join("sra")];
    let has_tcga = sources.join("tcga").is_dir();
    if has_tcga {
        inputs.push(sources.join("tcga"));
    }
    let loaded = rnameta_data::load(&inputs, &rnameta_data::LoadOptions::default())
        .with_context(|| format!("reading the cohort in {}", sources.display()))?;
    let all = loaded.dataset;
    for n in &loaded.report.notes {
        eprintln!("[data] {n}");
    }
    let rows_of = |source: DataSource| -> Vec<usize> {
        (0..all.n_samples())
            .filter(|&i| all.samples()[i].data_source == source)
            .collect()
    };
    let (gtex, tcga, sra) = (
        rows_of(DataSource::Gtex),
        rows_of(DataSource::Tcga),
        rows_of(DataSource::Sra),
    );
    if gtex.is_empty() || sra.is_empty() {
        bail!(
            "{}: the cohort needs GTEx and SRA samples; found {} GTEx, {} SRA",
            sources.display(),
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
        DataSpec::Directory { path } => read_directory(path)?,
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

/// The paper's SRA sample QC, with the study titles and abstracts the metadata carries.
fn sra_qc(sra: Dataset) -> Result<(Dataset, QcCounts)> {
    let mut counts = QcCounts {
        sra_before: sra.n_samples(),
        ..QcCounts::default()
    };
    let small = small_rna_libraries(&sra)?;
    counts.small_rna = sra.n_samples() - small.keep.len();
    let sra = small.apply(&sra)?;
    let studies = StudyText::of_samples(sra.samples());
    let single = remove_single_cell(sra.samples(), &single_cell_studies(&studies));
    counts.single_cell = sra.n_samples() - single.keep.len();
    let sra = single.apply(&sra)?;
    let replicates = technical_replicates(&sra);
    counts.replicates = sra.n_samples() - replicates.keep.len();
    let sra = replicates.apply(&sra)?;
    Ok((sra, counts))
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
