//! Every parameter of a simulation, in one serde struct that is read from and written to JSON.
//!
//! The four presets ([`Preset`]) are built here and shipped, byte for byte, as
//! `fixtures/sim/{tiny,small,paper,archs4}.json` (a test checks that the files equal the presets).
//! `docs/simulation.md` explains each parameter and where its value comes from.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Chromosomes the simulator takes genes from (no alternative haplotypes or scaffolds).
pub const PRIMARY_CHROMOSOMES: [&str; 25] = [
    "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16", "17",
    "18", "19", "20", "21", "22", "X", "Y", "MT",
];

/// A named set of parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Preset {
    /// About 2,000 genes and a few hundred samples per source: tests, seconds.
    Tiny,
    /// About 4,000 genes, GTEx 1,500 samples, TCGA 800, SRA 250 studies: model tests and quick
    /// experiments, where the tiny preset is too small for neural networks to train on.
    Small,
    /// The paper's sizes: ~20,000 genes, GTEx 9,600 samples, TCGA 11,000, SRA 1,800 studies.
    Paper,
    /// An ARCHS4-sized compendium (200,000 samples x 20,000 genes), streamed; for benchmarks.
    Archs4,
}

impl Preset {
    /// Every preset.
    pub const ALL: [Self; 4] = [Self::Tiny, Self::Small, Self::Paper, Self::Archs4];

    /// The preset's name (`tiny`), as on the command line and in `fixtures/sim/<name>.json`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Tiny => "tiny",
            Self::Small => "small",
            Self::Paper => "paper",
            Self::Archs4 => "archs4",
        }
    }

    /// The preset of a name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }
}

/// Which genes of the Ensembl 100 annotation are simulated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UniverseConfig {
    /// Total number of genes (sex genes, markers and the other required genes included).
    pub n_genes: usize,
    /// Share of the genes per biotype; the rest of `n_genes` after the required genes is split
    /// in these proportions (normalised to sum 1).
    pub biotype_shares: BTreeMap<String, f64>,
    /// Chromosomes whose genes (of the listed biotypes) are all included, on top of `n_genes`
    /// (the realism test includes `21` to meet the real GTEx lung chr21 slice).
    #[serde(default)]
    pub whole_chromosomes: Vec<String>,
    /// Seed of the gene choice, separate from the cohort seed so that every seed of one preset
    /// simulates the same genes.
    pub seed: u64,
}

/// Baseline expression and counting noise, calibrated on the real fixtures (see
/// [`crate::calibration`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExpressionConfig {
    /// Mean of the natural log of a protein-coding gene's mean CPM (GTEx lung chr21 fit).
    pub log_cpm_mean: f64,
    /// Standard deviation of that log mean CPM.
    pub log_cpm_sd: f64,
    /// Share of protein-coding genes not expressed at all in a tissue-agnostic baseline.
    pub off_share: f64,
    /// Log shift of each non-coding biotype against protein coding (missing: `other_shift`).
    pub biotype_shift: BTreeMap<String, f64>,
    /// Log shift of biotypes not listed in `biotype_shift`.
    pub other_shift: f64,
    /// Share of non-coding genes not expressed.
    pub noncoding_off_share: f64,
    /// Total dispersion of within-tissue counts, `phi(mu) = a + b / mu` (method of moments on
    /// GTEx lung): asymptote `a`.
    pub dispersion_a: f64,
    /// ... and Poisson-like term `b`.
    pub dispersion_b: f64,
    /// Standard deviation of the per-sample, per-gene log-normal noise on top of the programs.
    pub sample_noise_sd: f64,
    /// Standard deviation of a donor's per-gene log effect (shared by the donor's samples).
    pub donor_sd: f64,
}

/// Tissue, sex, cell-line and tumour programs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BiologyConfig {
    /// Share of genes up in a tissue's own program.
    pub program_up_share: f64,
    /// Share of genes down in a tissue's own program.
    pub program_down_share: f64,
    /// Mean log effect of an up gene (exponential distribution around it).
    pub program_effect: f64,
    /// Log effect of a tissue's real marker genes.
    pub marker_effect: f64,
    /// Share of genes in a tissue group's shared program (esophagus/stomach, uterus/ovary, ...).
    pub group_share: f64,
    /// Log fold change of XIST, female over male.
    pub xist_effect: f64,
    /// Log fold change of chrY genes, male over female.
    pub y_effect: f64,
    /// Log effect of X-escape genes in females.
    pub x_escape_effect: f64,
    /// Multiplier of the tissue program in cell lines (weakened identity).
    pub cell_line_tissue_weight: f64,
    /// Log effect of proliferation genes in cell lines and tumours.
    pub proliferation_effect: f64,
    /// Share of genes in the common culture program of cell lines.
    pub culture_share: f64,
    /// Chance that a male cell line has lost chrY.
    pub cell_line_lost_y: f64,
    /// Chance that a female cell line has lost XIST expression.
    pub cell_line_lost_xist: f64,
    /// Multiplier of the tissue program in tumour cells.
    pub tumour_tissue_weight: f64,
    /// Share of genes in each cancer project's own program.
    pub tumour_share: f64,
}

/// The low-rank protocol space every study draws its technical bias from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BiasConfig {
    /// Number of latent protocol axes besides the named ones (polyA, 3' bias, GC, degradation).
    pub rank: usize,
    /// Standard deviation of a study's coefficient on each latent axis.
    pub latent_sd: f64,
    /// Chance that a study is total RNA (ribo-depleted) rather than polyA-selected.
    pub total_rna_share: f64,
    /// Log boost of non-polyadenylated genes (snRNA, snoRNA, Mt_rRNA, histones...) in total RNA.
    pub total_rna_effect: f64,
    /// Largest 3' bias: log effect per unit of centred log transcript length.
    pub three_prime_max: f64,
    /// Standard deviation of the linear GC effect per 10 GC points.
    pub gc_sd: f64,
    /// Largest degradation effect, per unit of centred log length.
    pub degradation_max: f64,
    /// Standard deviation of a study's gene-wise log noise.
    pub gene_noise_sd: f64,
    /// Multiplier of every effect above for GTEx (one homogeneous protocol).
    pub gtex_scale: f64,
    /// Multiplier for TCGA centres.
    pub tcga_scale: f64,
    /// Multiplier for SRA / ARCHS4 studies.
    pub sra_scale: f64,
}

/// GTEx: one bias, many tissues, donors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GtexConfig {
    /// Number of samples.
    pub samples: usize,
    /// Number of donors.
    pub donors: usize,
    /// Median library size in reads per simulated gene (1,200 puts the simulated lung chr21 slice
    /// at the real slice's depth, see docs/simulation.md).
    pub reads_per_gene: f64,
    /// Standard deviation of the natural log of library size.
    pub library_log_sd: f64,
    /// How the samples are spread over the tissues.
    #[serde(default)]
    pub tissue_sizes: GtexTissueSizes,
}

/// How GTEx's samples are spread over its tissues.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GtexTissueSizes {
    /// The same number of samples per tissue.
    #[default]
    Even,
    /// In proportion to GTEx v6's own sample counts per tissue (the paper's data:
    /// [`crate::genesets::GTEX_V6_SAMPLES`]), so that a class rule by size finds what the
    /// paper's found (bladder with about 11 samples, brain with about 1,400).
    GtexV6,
}

/// TCGA: cancer projects sequenced at a few centres.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TcgaConfig {
    /// Number of samples.
    pub samples: usize,
    /// Number of sequencing centres (each one bias).
    pub centres: usize,
    /// Share of samples that are adjacent normal tissue.
    pub normal_share: f64,
    /// Smallest tumour purity (purities are uniform in [min, 1]).
    pub purity_min: f64,
    /// Median library size in reads per simulated gene.
    pub reads_per_gene: f64,
    /// Standard deviation of the natural log of library size.
    pub library_log_sd: f64,
}

/// SRA: many small studies, each with its own bias and sparse, partly wrong labels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SraConfig {
    /// Number of studies.
    pub studies: usize,
    /// Mean of the natural log of a study's number of samples (log-normal, heavy tailed).
    pub size_log_mean: f64,
    /// Standard deviation of that log size.
    pub size_log_sd: f64,
    /// Largest study.
    pub max_study_size: usize,
    /// Added to a cell-line study's mean log size: perturbation series and cell-line panels
    /// (GEUVADIS's 465 lymphoblastoid lines, CCLE) make the largest SRA studies, and the
    /// paper's Figure 4 drew on at least six cell-line studies of more than 100 samples.
    /// 0 keeps the cohorts of older configs unchanged.
    #[serde(default)]
    pub cell_line_size_log_shift: f64,
    /// Share of studies on cell lines (the rest, minus single-cell and small-RNA, are biopsies).
    pub cell_line_share: f64,
    /// Share of single-cell studies (to be removed by QC).
    pub single_cell_share: f64,
    /// Share of the biopsy studies that profile tumours (each study one to three TCGA-like cancer
    /// projects, purity drawn as TCGA's): real SRA holds many cancer studies, and without them
    /// a model trained on SRA has never seen a tumour when it is tested on TCGA. 0 keeps the
    /// cohorts of older configs unchanged.
    #[serde(default)]
    pub tumour_study_share: f64,
    /// Share of small-RNA studies (to be removed by QC).
    pub small_rna_share: f64,
    /// Share of studies whose experiments are sequenced as several runs (technical replicates).
    pub replicate_share: f64,
    /// Chance that a study states the tissue.
    pub tissue_label_rate: f64,
    /// Chance that a study states the sex.
    pub sex_label_rate: f64,
    /// Chance that a study has a MetaSRA sample type.
    pub source_label_rate: f64,
    /// Chance that a cell-line study is annotated as biopsy (tissue).
    pub wrong_source_rate: f64,
    /// Chance that a labelled sample's sex is swapped.
    pub wrong_sex_rate: f64,
    /// Share of genes in a study's own condition program (disease, treatment, culture medium),
    /// the biological part of what differs between SRA studies.
    pub condition_share: f64,
    /// Standard deviation of a condition gene's log effect.
    pub condition_sd: f64,
    /// Largest share of a biopsy that comes from another tissue (each study admixes one other
    /// tissue, each sample a uniform share up to this).
    pub admixture_max: f64,
    /// Number of cell lines in the pool studies draw from (real-like names first).
    pub cell_lines: usize,
    /// Median of a study's log library size, in reads per simulated gene.
    pub reads_per_gene: f64,
    /// Standard deviation across studies of the log library size.
    pub study_depth_log_sd: f64,
    /// Standard deviation within a study of the log library size.
    pub library_log_sd: f64,
}

/// The ARCHS4-sized compendium (SRA-like studies streamed into one HDF5 file).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Archs4Config {
    /// Number of samples (0: the ARCHS4 file holds the SRA cohort instead).
    pub samples: usize,
    /// Samples per block handed to the HDF5 writer (a multiple of 64 fills whole chunks).
    pub block_samples: usize,
}

/// Everything a simulation needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimConfig {
    /// Where these values came from (`tiny`, or a user's note).
    pub preset: String,
    /// Seed of the cohort: same seed, same bytes.
    pub seed: u64,
    /// Genes.
    pub universe: UniverseConfig,
    /// Baseline expression and noise.
    pub expression: ExpressionConfig,
    /// Biological programs.
    pub biology: BiologyConfig,
    /// Technical bias.
    pub bias: BiasConfig,
    /// GTEx.
    pub gtex: GtexConfig,
    /// TCGA.
    pub tcga: TcgaConfig,
    /// SRA.
    pub sra: SraConfig,
    /// ARCHS4.
    pub archs4: Archs4Config,
}

fn shares(pairs: &[(&str, f64)]) -> BTreeMap<String, f64> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
}

impl SimConfig {
    /// The parameters of a preset.
    pub fn preset(preset: Preset) -> Self {
        let tiny = Self::tiny();
        match preset {
            Preset::Tiny => tiny,
            Preset::Small => Self {
                preset: "small".into(),
                universe: UniverseConfig {
                    n_genes: 4_000,
                    ..tiny.universe.clone()
                },
                gtex: GtexConfig {
                    samples: 1_500,
                    donors: 90,
                    ..tiny.gtex.clone()
                },
                tcga: TcgaConfig {
                    samples: 800,
                    ..tiny.tcga.clone()
                },
                sra: SraConfig {
                    studies: 250,
                    max_study_size: 80,
                    cell_lines: 60,
                    ..tiny.sra.clone()
                },
                ..tiny.clone()
            },
            Preset::Paper => Self {
                preset: "paper".into(),
                universe: UniverseConfig {
                    n_genes: 20_000,
                    ..tiny.universe.clone()
                },
                gtex: GtexConfig {
                    samples: 9_600,
                    donors: 554,
                    tissue_sizes: GtexTissueSizes::GtexV6,
                    ..tiny.gtex.clone()
                },
                tcga: TcgaConfig {
                    samples: 11_000,
                    centres: 4,
                    purity_min: 0.6,
                    ..tiny.tcga.clone()
                },
                sra: SraConfig {
                    studies: 1_800,
                    // A heavier tail than the small presets': the paper's SRA had 29,685
                    // samples in 1,833 studies (16 per study), and its Figure 4 drew on studies
                    // with more than 100 samples of a class (about 3 % of studies here).
                    size_log_sd: 1.6,
                    max_study_size: 1_000,
                    // Cell-line studies 1.8 times larger: Figure 4 needs six cell-line
                    // studies of more than 100 samples and one of 300 in the training studies.
                    cell_line_size_log_shift: 0.6,
                    cell_lines: 300,
                    // Calibrated on the LIN baseline (`cargo xtask calibrate`,
                    // docs/simulation.md): label noise, the share of study-specific condition
                    // effects and the share of biopsy studies on tumours.
                    wrong_source_rate: 0.4,
                    wrong_sex_rate: 0.08,
                    tumour_study_share: 0.8,
                    condition_share: 0.075,
                    ..tiny.sra.clone()
                },
                // Calibrated on the LIN baseline: bias strength and rank, tumour purity, how
                // much of its tissue a tumour and a cell line keep.
                bias: BiasConfig {
                    rank: 9,
                    gtex_scale: 0.14,
                    tcga_scale: 1.2,
                    sra_scale: 0.45,
                    ..tiny.bias.clone()
                },
                biology: BiologyConfig {
                    tumour_tissue_weight: 0.05625,
                    cell_line_tissue_weight: 0.2625,
                    ..tiny.biology.clone()
                },
                ..tiny
            },
            Preset::Archs4 => Self {
                preset: "archs4".into(),
                universe: UniverseConfig {
                    n_genes: 20_000,
                    ..tiny.universe.clone()
                },
                gtex: GtexConfig {
                    samples: 0,
                    donors: 0,
                    ..tiny.gtex.clone()
                },
                tcga: TcgaConfig {
                    samples: 0,
                    ..tiny.tcga.clone()
                },
                sra: SraConfig {
                    studies: 0,
                    max_study_size: 400,
                    cell_lines: 1_000,
                    ..tiny.sra.clone()
                },
                archs4: Archs4Config {
                    samples: 200_000,
                    block_samples: 1_024,
                },
                ..tiny
            },
        }
    }

    fn tiny() -> Self {
        Self {
            preset: "tiny".into(),
            seed: 42,
            universe: UniverseConfig {
                n_genes: 2_000,
                biotype_shares: shares(&[
                    ("protein_coding", 0.70),
                    ("lncRNA", 0.14),
                    ("processed_pseudogene", 0.07),
                    ("miRNA", 0.03),
                    ("snRNA", 0.02),
                    ("snoRNA", 0.02),
                    ("misc_RNA", 0.015),
                    ("Mt_tRNA", 0.005),
                ]),
                whole_chromosomes: Vec::new(),
                seed: 100,
            },
            expression: ExpressionConfig {
                log_cpm_mean: 5.34,
                log_cpm_sd: 2.5,
                off_share: 0.08,
                biotype_shift: shares(&[
                    ("lncRNA", -3.0),
                    ("processed_pseudogene", -3.5),
                    ("miRNA", -5.0),
                    ("snRNA", -3.5),
                    ("snoRNA", -3.5),
                    ("misc_RNA", -4.0),
                    ("Mt_rRNA", 3.0),
                    ("Mt_tRNA", -1.0),
                ]),
                other_shift: -4.0,
                noncoding_off_share: 0.34,
                dispersion_a: 0.43,
                dispersion_b: 5.46,
                sample_noise_sd: 0.2,
                donor_sd: 0.2,
            },
            biology: BiologyConfig {
                program_up_share: 0.03,
                program_down_share: 0.015,
                program_effect: 1.0,
                marker_effect: 6.0,
                group_share: 0.02,
                xist_effect: 7.0,
                y_effect: 8.0,
                x_escape_effect: 0.3,
                cell_line_tissue_weight: 0.35,
                proliferation_effect: 1.5,
                culture_share: 0.03,
                cell_line_lost_y: 0.35,
                cell_line_lost_xist: 0.35,
                tumour_tissue_weight: 0.6,
                tumour_share: 0.03,
            },
            bias: BiasConfig {
                rank: 6,
                latent_sd: 0.5,
                total_rna_share: 0.25,
                total_rna_effect: 2.5,
                three_prime_max: 0.6,
                gc_sd: 0.25,
                degradation_max: 0.5,
                gene_noise_sd: 0.5,
                gtex_scale: 0.5,
                tcga_scale: 0.6,
                sra_scale: 1.0,
            },
            gtex: GtexConfig {
                samples: 465,
                donors: 40,
                reads_per_gene: 1_200.0,
                library_log_sd: 0.16,
                tissue_sizes: GtexTissueSizes::Even,
            },
            tcga: TcgaConfig {
                samples: 200,
                centres: 3,
                normal_share: 0.07,
                purity_min: 0.3,
                reads_per_gene: 800.0,
                library_log_sd: 0.3,
            },
            sra: SraConfig {
                studies: 60,
                size_log_mean: 1.6,
                size_log_sd: 1.0,
                max_study_size: 40,
                cell_line_share: 0.3,
                tumour_study_share: 0.0,
                cell_line_size_log_shift: 0.0,
                single_cell_share: 0.06,
                small_rna_share: 0.04,
                replicate_share: 0.15,
                tissue_label_rate: 0.7,
                sex_label_rate: 0.4,
                source_label_rate: 0.85,
                wrong_source_rate: 0.1,
                wrong_sex_rate: 0.02,
                condition_share: 0.05,
                condition_sd: 1.0,
                admixture_max: 0.3,
                cell_lines: 40,
                reads_per_gene: 500.0,
                study_depth_log_sd: 0.8,
                library_log_sd: 0.3,
            },
            archs4: Archs4Config {
                samples: 0,
                block_samples: 256,
            },
        }
    }

    /// Reads a config from a JSON file and checks it ([`SimConfig::validate`]); errors name the
    /// file.
    pub fn from_json_file(path: &Path) -> Result<Self> {
        let err = |reason: String| Error::ConfigFile {
            path: path.to_path_buf(),
            reason,
        };
        let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
        let config: Self = serde_json::from_str(&text).map_err(|e| err(e.to_string()))?;
        config.validate().map_err(|e| e.in_config_file(path))?;
        Ok(config)
    }

    /// The config as pretty JSON (what `fixtures/sim/*.json` hold), ending with a newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Refuses values outside the limits of `docs/simulation.md` ("Limits"), naming the field,
    /// the value and what is allowed, and a config whose sources are all empty. Every way to a
    /// simulator ([`SimConfig::from_json_file`], [`crate::Simulator::new`]) calls it before any
    /// work; the presets pass it. Limits that depend on the gene table (`universe.n_genes`, the
    /// biotypes) are checked when the table is read ([`crate::GeneUniverse::from_ensembl`]), and
    /// the cohort's size against this machine by [`crate::footprint`].
    pub fn validate(&self) -> Result<()> {
        use limits::*;
        let u = &self.universe;
        if u.n_genes < MIN_GENES {
            return Err(Error::config(
                "universe.n_genes",
                u.n_genes,
                format!("at least {MIN_GENES} (room for the sex, marker and other required genes)"),
            ));
        }
        for (biotype, &share) in &u.biotype_shares {
            at_least_zero(&format!("universe.biotype_shares.{biotype}"), share)?;
        }
        if u.biotype_shares.values().sum::<f64>() <= 0.0 {
            return Err(Error::config(
                "universe.biotype_shares",
                "shares summing to 0",
                "shares >= 0 with a positive sum",
            ));
        }
        for chromosome in &u.whole_chromosomes {
            if !PRIMARY_CHROMOSOMES.contains(&chromosome.as_str()) {
                return Err(Error::config(
                    "universe.whole_chromosomes",
                    format!("{chromosome:?}"),
                    "chromosome names 1-22, X, Y, MT (no \"chr\" prefix)",
                ));
            }
        }
        let e = &self.expression;
        finite("expression.log_cpm_mean", e.log_cpm_mean)?;
        positive("expression.log_cpm_sd", e.log_cpm_sd)?;
        share("expression.off_share", e.off_share)?;
        share("expression.noncoding_off_share", e.noncoding_off_share)?;
        for (biotype, &shift) in &e.biotype_shift {
            finite(&format!("expression.biotype_shift.{biotype}"), shift)?;
        }
        finite("expression.other_shift", e.other_shift)?;
        at_least_zero("expression.dispersion_a", e.dispersion_a)?;
        at_least_zero("expression.dispersion_b", e.dispersion_b)?;
        at_least_zero("expression.sample_noise_sd", e.sample_noise_sd)?;
        at_least_zero("expression.donor_sd", e.donor_sd)?;
        let b = &self.biology;
        for (field, v) in [
            ("biology.program_up_share", b.program_up_share),
            ("biology.program_down_share", b.program_down_share),
            ("biology.group_share", b.group_share),
            ("biology.culture_share", b.culture_share),
            ("biology.cell_line_lost_y", b.cell_line_lost_y),
            ("biology.cell_line_lost_xist", b.cell_line_lost_xist),
            ("biology.tumour_share", b.tumour_share),
        ] {
            share(field, v)?;
        }
        positive("biology.program_effect", b.program_effect)?;
        for (field, v) in [
            ("biology.marker_effect", b.marker_effect),
            ("biology.xist_effect", b.xist_effect),
            ("biology.y_effect", b.y_effect),
            ("biology.x_escape_effect", b.x_escape_effect),
            ("biology.proliferation_effect", b.proliferation_effect),
        ] {
            finite(field, v)?;
        }
        at_least_zero("biology.cell_line_tissue_weight", b.cell_line_tissue_weight)?;
        at_least_zero("biology.tumour_tissue_weight", b.tumour_tissue_weight)?;
        let s = &self.bias;
        count(
            "bias.rank",
            s.rank,
            0,
            BIAS_RANK,
            "each axis holds one value per gene",
        )?;
        share("bias.total_rna_share", s.total_rna_share)?;
        finite("bias.total_rna_effect", s.total_rna_effect)?;
        for (field, v) in [
            ("bias.latent_sd", s.latent_sd),
            ("bias.three_prime_max", s.three_prime_max),
            ("bias.gc_sd", s.gc_sd),
            ("bias.degradation_max", s.degradation_max),
            ("bias.gene_noise_sd", s.gene_noise_sd),
            ("bias.gtex_scale", s.gtex_scale),
            ("bias.tcga_scale", s.tcga_scale),
            ("bias.sra_scale", s.sra_scale),
        ] {
            at_least_zero(field, v)?;
        }
        let g = &self.gtex;
        count(
            "gtex.samples",
            g.samples,
            0,
            GTEX_SAMPLES,
            "GTEx rail ids are 100,000 + sample and must stay below TCGA's 200,000",
        )?;
        let least_donors = if g.samples > 0 { 2 } else { 0 };
        count(
            "gtex.donors",
            g.donors,
            least_donors,
            GTEX_DONORS,
            "GTEx samples need two donors, one of each sex",
        )?;
        depth("gtex.reads_per_gene", g.reads_per_gene)?;
        log_sd("gtex.library_log_sd", g.library_log_sd)?;
        let t = &self.tcga;
        count(
            "tcga.samples",
            t.samples,
            0,
            TCGA_SAMPLES,
            "TCGA rail ids are 200,000 + sample and must stay below SRA's 1,000,000",
        )?;
        count(
            "tcga.centres",
            t.centres,
            usize::from(t.samples > 0),
            TCGA_CENTRES,
            "the 23 TCGA projects are dealt to centres, so a 24th centre would sequence nothing; \
             TCGA samples need one",
        )?;
        share("tcga.normal_share", t.normal_share)?;
        share("tcga.purity_min", t.purity_min)?;
        depth("tcga.reads_per_gene", t.reads_per_gene)?;
        log_sd("tcga.library_log_sd", t.library_log_sd)?;
        let r = &self.sra;
        count(
            "sra.studies",
            r.studies,
            0,
            SRA_STUDIES,
            "every study's plan is held in memory",
        )?;
        finite("sra.size_log_mean", r.size_log_mean)?;
        finite("sra.cell_line_size_log_shift", r.cell_line_size_log_shift)?;
        at_least_zero("sra.size_log_sd", r.size_log_sd)?;
        count(
            "sra.max_study_size",
            r.max_study_size,
            1,
            SRA_MAX_STUDY_SIZE,
            "a study is written as one recount3 project, whole in memory",
        )?;
        for (field, v) in [
            ("sra.cell_line_share", r.cell_line_share),
            ("sra.tumour_study_share", r.tumour_study_share),
            ("sra.single_cell_share", r.single_cell_share),
            ("sra.small_rna_share", r.small_rna_share),
            ("sra.replicate_share", r.replicate_share),
            ("sra.tissue_label_rate", r.tissue_label_rate),
            ("sra.sex_label_rate", r.sex_label_rate),
            ("sra.source_label_rate", r.source_label_rate),
            ("sra.wrong_source_rate", r.wrong_source_rate),
            ("sra.wrong_sex_rate", r.wrong_sex_rate),
            ("sra.condition_share", r.condition_share),
            ("sra.admixture_max", r.admixture_max),
        ] {
            share(field, v)?;
        }
        let kinds = r.cell_line_share + r.single_cell_share + r.small_rna_share;
        if kinds > 1.0 {
            return Err(Error::config(
                "sra.cell_line_share + sra.single_cell_share + sra.small_rna_share",
                kinds,
                "at most 1 (the rest of the studies are biopsies)",
            ));
        }
        at_least_zero("sra.condition_sd", r.condition_sd)?;
        count(
            "sra.cell_lines",
            r.cell_lines,
            SRA_MIN_CELL_LINES,
            SRA_CELL_LINES,
            "cell-line studies draw their lines from this pool, which is drawn whole",
        )?;
        depth("sra.reads_per_gene", r.reads_per_gene)?;
        log_sd("sra.study_depth_log_sd", r.study_depth_log_sd)?;
        log_sd("sra.library_log_sd", r.library_log_sd)?;
        let a = &self.archs4;
        count(
            "archs4.samples",
            a.samples,
            0,
            ARCHS4_SAMPLES,
            "streamed, but each sample's metadata stays in memory until the file is closed",
        )?;
        count(
            "archs4.block_samples",
            a.block_samples,
            1,
            ARCHS4_BLOCK_SAMPLES,
            "a block's counts are held in memory twice",
        )?;
        if g.samples == 0 && t.samples == 0 && r.studies == 0 && a.samples == 0 {
            return Err(Error::NothingToSimulate { file: None });
        }
        Ok(())
    }
}

/// The limits [`SimConfig::validate`] enforces, listed with their reasons in
/// `docs/simulation.md` ("Limits"). Sizes within them may still be too large for a machine; that
/// is estimated before any work by [`crate::footprint`].
pub mod limits {
    /// Fewest genes: room for the sex, marker, proliferation and mitochondrial genes.
    pub const MIN_GENES: usize = 200;
    /// Most GTEx samples: their rail ids (100,000 + sample) stay below TCGA's.
    pub const GTEX_SAMPLES: usize = 100_000;
    /// Most GTEx donors (a sanity ceiling, as many as the samples allowed).
    pub const GTEX_DONORS: usize = 100_000;
    /// Most TCGA samples: their rail ids (200,000 + sample) stay below SRA's 1,000,000.
    pub const TCGA_SAMPLES: usize = 800_000;
    /// Most TCGA centres: one per TCGA project.
    pub const TCGA_CENTRES: usize = crate::genesets::TCGA_PROJECTS.len();
    /// Most SRA studies (a sanity ceiling: every study's plan is held in memory).
    pub const SRA_STUDIES: usize = 1_000_000;
    /// Largest SRA study (a sanity ceiling: a study is written whole from memory).
    pub const SRA_MAX_STUDY_SIZE: usize = 10_000;
    /// Fewest cell lines in the pool, so that cell-line studies draw from several lines.
    pub const SRA_MIN_CELL_LINES: usize = 8;
    /// Most cell lines in the pool (a sanity ceiling).
    pub const SRA_CELL_LINES: usize = 100_000;
    /// Most ARCHS4 samples: the writer keeps each sample's metadata (about 1 KB) until the end.
    pub const ARCHS4_SAMPLES: usize = 10_000_000;
    /// Largest ARCHS4 block.
    pub const ARCHS4_BLOCK_SAMPLES: usize = 100_000;
    /// Most latent protocol axes.
    pub const BIAS_RANK: usize = 100;
    /// Highest median depth in reads per gene: 100,000 x 20,000 genes is a library of 2 billion
    /// reads, beyond any real RNA-seq sample (a single count must also fit ARCHS4's `uint32`).
    pub const READS_PER_GENE: f64 = 100_000.0;
    /// Largest standard deviation of a log library size or study depth (a factor e^2 per sd).
    pub const LOG_SD: f64 = 2.0;
}

/// `12345678` as `12,345,678`.
pub(crate) fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A count within `[least, most]`.
fn count(field: &str, v: usize, least: usize, most: usize, why: &str) -> Result<()> {
    if (least..=most).contains(&v) {
        Ok(())
    } else {
        Err(Error::config(
            field,
            v,
            format!("{} to {} ({why})", thousands(least), thousands(most)),
        ))
    }
}

/// A share or probability in [0, 1].
fn share(field: &str, v: f64) -> Result<()> {
    if (0.0..=1.0).contains(&v) {
        Ok(())
    } else {
        Err(Error::config(
            field,
            format!("{v:?}"),
            "a share from 0 to 1",
        ))
    }
}

/// Any finite number.
fn finite(field: &str, v: f64) -> Result<()> {
    if v.is_finite() {
        Ok(())
    } else {
        Err(Error::config(field, format!("{v:?}"), "a finite number"))
    }
}

/// A finite number above 0.
fn positive(field: &str, v: f64) -> Result<()> {
    if v.is_finite() && v > 0.0 {
        Ok(())
    } else {
        Err(Error::config(
            field,
            format!("{v:?}"),
            "a finite number above 0",
        ))
    }
}

/// A finite number of at least 0 (standard deviations, scales, weights).
fn at_least_zero(field: &str, v: f64) -> Result<()> {
    if v.is_finite() && v >= 0.0 {
        Ok(())
    } else {
        Err(Error::config(
            field,
            format!("{v:?}"),
            "a finite number >= 0",
        ))
    }
}

/// A median depth in reads per gene: above 0, at most [`limits::READS_PER_GENE`].
fn depth(field: &str, v: f64) -> Result<()> {
    if v > 0.0 && v <= limits::READS_PER_GENE {
        Ok(())
    } else {
        Err(Error::config(
            field,
            format!("{v:?}"),
            "above 0, at most 100,000 reads per gene (2 billion reads per library at 20,000 genes, \
             beyond any real RNA-seq sample)",
        ))
    }
}

/// A standard deviation of a log size: 0 to [`limits::LOG_SD`].
fn log_sd(field: &str, v: f64) -> Result<()> {
    if (0.0..=limits::LOG_SD).contains(&v) {
        Ok(())
    } else {
        Err(Error::config(
            field,
            format!("{v:?}"),
            "0 to 2 (a factor e^2 = 7.4 per standard deviation)",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_are_valid_and_round_trip_through_json() {
        for p in Preset::ALL {
            let c = SimConfig::preset(p);
            c.validate().unwrap();
            let back: SimConfig = serde_json::from_str(&c.to_json()).unwrap();
            assert_eq!(back, c);
            assert_eq!(Preset::parse(p.name()), Some(p));
        }
    }

    /// The tiny preset with every source emptied.
    fn no_samples() -> SimConfig {
        let mut c = SimConfig::preset(Preset::Tiny);
        c.gtex.samples = 0;
        c.gtex.donors = 0;
        c.tcga.samples = 0;
        c.sra.studies = 0;
        c.archs4.samples = 0;
        c
    }

    #[test]
    fn a_config_without_a_sample_in_any_source_is_refused() {
        let msg = no_samples().validate().unwrap_err().to_string();
        assert!(msg.contains("nothing to simulate"), "{msg}");
        // One source is enough.
        let mut c = no_samples();
        c.archs4.samples = 10;
        c.validate().unwrap();
    }

    #[test]
    fn values_beyond_their_limits_name_the_field_the_value_and_the_range() {
        type Set = fn(&mut SimConfig);
        let cases: [(&str, &str, Set); 8] = [
            ("gtex.samples", "1000000000", |c| {
                c.gtex.samples = 1_000_000_000
            }),
            ("archs4.samples", "10000000000", |c| {
                c.archs4.samples = 10_000_000_000
            }),
            ("gtex.reads_per_gene", "1e30", |c| {
                c.gtex.reads_per_gene = 1e30
            }),
            ("sra.reads_per_gene", "1e30", |c| {
                c.sra.reads_per_gene = 1e30
            }),
            ("tcga.centres", "1000", |c| c.tcga.centres = 1000),
            ("sra.cell_lines", "1000000000000", |c| {
                c.sra.cell_lines = 1_000_000_000_000
            }),
            ("bias.rank", "100000", |c| c.bias.rank = 100_000),
            ("sra.condition_sd", "-1", |c| c.sra.condition_sd = -1.0),
        ];
        for (field, value, set) in cases {
            let mut c = SimConfig::preset(Preset::Tiny);
            set(&mut c);
            let msg = c
                .validate()
                .err()
                .map(|e| e.to_string())
                .unwrap_or_else(|| panic!("{field} = {value} was accepted"));
            assert!(
                msg.contains(field) && msg.contains(value) && msg.contains("allowed"),
                "{msg}"
            );
        }
    }

    #[test]
    fn values_at_their_limits_are_accepted() {
        let mut c = SimConfig::preset(Preset::Tiny);
        c.gtex.samples = 100_000;
        c.tcga.samples = 800_000;
        c.tcga.centres = 23;
        c.archs4.samples = 10_000_000;
        c.gtex.reads_per_gene = 100_000.0;
        c.validate().unwrap();
    }

    #[test]
    fn bad_values_name_their_field() {
        let mut c = SimConfig::preset(Preset::Tiny);
        c.sra.wrong_sex_rate = 1.5;
        let msg = c.validate().unwrap_err().to_string();
        assert!(msg.contains("sra.wrong_sex_rate"), "{msg}");
    }
}
