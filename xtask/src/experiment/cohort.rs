//! The data an experiment runs on: a simulated cohort (GTEx, TCGA, SRA) after the paper's sample
//! QC (small-RNA libraries, single-cell studies, technical replicates removed from SRA).

use anyhow::{bail, Context, Result};
use rnameta_core::{Dataset, SampleSource};
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
}

impl DataSpec {
    /// Parses `sim:PRESET`; a directory of files is not supported yet and says so.
    pub fn parse(text: &str) -> Result<Self> {
        match text.strip_prefix("sim:") {
            Some(p) if Preset::parse(p).is_some() => Ok(Self::Simulated {
                preset: p.to_owned(),
            }),
            Some(p) => bail!("unknown preset {p:?} (tiny, small, paper, archs4)"),
            None => bail!(
                "--data {text}: experiments read simulated cohorts (sim:tiny, sim:small, sim:paper); \
                 reading a cohort from a directory of files is not implemented yet"
            ),
        }
    }

    /// How it is written in `run.json` and the tables.
    pub fn label(&self) -> String {
        match self {
            Self::Simulated { preset } => format!("sim:{preset} (simulated data)"),
        }
    }
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

/// Simulates the cohort of `spec` (the preset's own seed, so every experiment sees one cohort).
pub fn load(spec: &DataSpec) -> Result<Cohort> {
    let DataSpec::Simulated { preset } = spec;
    let preset = Preset::parse(preset).context("preset")?;
    let config = SimConfig::preset(preset);
    let universe = GeneUniverse::from_ensembl(
        &rnameta_sim::universe::default_gene_table(),
        &config.universe,
    )
    .context("building the simulated gene universe")?;
    let cohort = Simulator::new(config, universe)?
        .cohort()
        .context("simulating the cohort")?;
    let (sra, qc) = sra_qc(cohort.sra.dataset)?;
    let (mut gtex, mut tcga) = (cohort.gtex.dataset, cohort.tcga.dataset);
    // GTEx and TCGA metadata carry no sample-source field because every sample is a tissue
    // sample (post-mortem or surgical): the paper tests sample source on them as biopsies.
    for s in gtex
        .samples_mut()
        .iter_mut()
        .chain(tcga.samples_mut().iter_mut())
    {
        s.sample_source.get_or_insert(SampleSource::Biopsy);
    }
    Ok(Cohort {
        gtex,
        tcga,
        sra,
        qc,
    })
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
    let mut studies: Vec<StudyText> = Vec::new();
    for s in sra.samples() {
        let Some(study) = &s.study else { continue };
        if studies.iter().any(|t| &t.study == study) {
            continue;
        }
        let attr = |k: &str| s.attributes.get(k).cloned().unwrap_or_default();
        studies.push(StudyText {
            study: study.clone(),
            title: attr("study_title"),
            abstract_text: attr("study_abstract"),
        });
    }
    let single = remove_single_cell(sra.samples(), &single_cell_studies(&studies));
    counts.single_cell = sra.n_samples() - single.keep.len();
    let sra = single.apply(&sra)?;
    let replicates = technical_replicates(&sra);
    counts.replicates = sra.n_samples() - replicates.keep.len();
    let sra = replicates.apply(&sra)?;
    Ok((sra, counts))
}
