//! Simulated cohorts: GTEx (one bias, donors), TCGA (projects at a few centres, tumour purity)
//! and SRA (many studies, each with its own bias, sparse and partly wrong labels, technical
//! replicates, single-cell and small-RNA studies).
//!
//! Generation has two steps. Planning (sequential, cheap) draws every sample's metadata and
//! truth from streams of the cohort seed. Counting (parallel with rayon) draws each sample's
//! counts from its own stream `(seed, source, sample)`, so results never depend on scheduling.

use ndarray::Array2;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal, StandardNormal};
use rayon::prelude::*;
use rnameta_core::{DataSource, Dataset, SampleMeta, SampleSource, Sex};
use rnameta_io::gtex::{AGE_KEY, DTHHRDY_KEY};
use rnameta_io::metasra::{MetaSraSample, FEMALE_TERM, MALE_TERM};
use rnameta_io::recount3::{GTEX_SMTSD, RAIL_ID};

use crate::bias::{Protocol, ProtocolSpace, StudyBias};
use crate::config::{GtexTissueSizes, SimConfig};
use crate::counts::draw_counts;
use crate::error::Result;
use crate::genesets::{
    self, TcgaProject, TissueSpec, HEK_LIKE, NAMED_CELL_LINES, TCGA_PROJECTS, TISSUES,
};
use crate::programs::Programs;
use crate::seed;
use crate::truth::Truth;
use crate::universe::GeneUniverse;

/// One source's simulated samples: the labelled dataset (as the metadata files state it), the
/// truth, and for SRA the MetaSRA entries.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceCohort {
    /// Counts (whole numbers) with the labels as written in the metadata.
    pub dataset: Dataset,
    /// What each sample really is, in row order.
    pub truth: Vec<Truth>,
    /// MetaSRA entries (SRA only), one per SRA sample accession.
    pub metasra: Vec<MetaSraSample>,
}

/// A whole simulated cohort.
#[derive(Debug, Clone, PartialEq)]
pub struct Cohort {
    /// GTEx.
    pub gtex: SourceCohort,
    /// TCGA.
    pub tcga: SourceCohort,
    /// SRA.
    pub sra: SourceCohort,
}

/// A simulated cell line.
#[derive(Debug, Clone, PartialEq)]
pub struct CellLine {
    /// Name (`HEK293-like`, `CL-0042`).
    pub name: String,
    /// Tissue of origin (index into [`TISSUES`]).
    pub tissue: usize,
    /// Sex of the donor.
    pub sex: Sex,
    /// The line lost chrY (male lines).
    pub lost_y: bool,
    /// The line lost XIST expression (female lines).
    pub lost_xist: bool,
}

/// What a sample is biologically.
#[derive(Debug, Clone, Copy, PartialEq)]
enum State {
    Normal,
    CellLine(usize),
    Tumour { project: usize, purity: f32 },
}

/// Everything needed to draw one sample's counts.
#[derive(Debug, Clone)]
struct RowPlan {
    tissue: usize,
    sex: Sex,
    state: State,
    /// Another tissue mixed into the sample, and its share.
    admixture: Option<(usize, f32)>,
    donor: Option<u64>,
    /// Stream of the biological noise (shared by technical replicates).
    noise_stream: u64,
    library: f64,
    dropout: f64,
}

/// A planned study: its bias and its samples.
struct StudyPlan {
    bias: StudyBias,
    rows: Vec<RowPlan>,
    meta: Vec<SampleMeta>,
    truth: Vec<Truth>,
    metasra: Vec<MetaSraSample>,
}

/// The simulator of one configuration: the gene universe, the biological programs and the
/// protocol space, shared by every source.
#[derive(Debug, Clone)]
pub struct Simulator {
    config: SimConfig,
    universe: GeneUniverse,
    programs: Programs,
    space: ProtocolSpace,
    cell_lines: Vec<CellLine>,
    dispersion: (f64, f64),
}

fn base36(mut n: u64, width: usize) -> String {
    const DIGITS: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut out = Vec::new();
    while n > 0 || out.len() < width {
        out.push(DIGITS[(n % 36) as usize]);
        n /= 36;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

fn random_sex(rng: &mut ChaCha8Rng) -> Sex {
    if rng.random_bool(0.5) {
        Sex::Female
    } else {
        Sex::Male
    }
}

/// The sex a tissue forces, or a random one.
fn sex_for(tissue: &TissueSpec, rng: &mut ChaCha8Rng) -> Sex {
    tissue.sex.unwrap_or_else(|| random_sex(rng))
}

/// The sex of a patient of a cancer project: breast cancer nearly always female (as in TCGA's
/// BRCA), otherwise as the tissue allows.
fn tumour_sex(project: &TcgaProject, tissue: &TissueSpec, rng: &mut ChaCha8Rng) -> Sex {
    if project.code == "BRCA" {
        if rng.random_bool(0.99) {
            Sex::Female
        } else {
            Sex::Male
        }
    } else {
        sex_for(tissue, rng)
    }
}

/// A tumour sample's purity: uniform in `[purity_min, 1]`.
fn tumour_purity(purity_min: f64, rng: &mut ChaCha8Rng) -> f32 {
    (purity_min + (1.0 - purity_min) * rng.random::<f64>()) as f32
}

impl Simulator {
    /// Checks the config and draws the programs, protocol space and cell-line pool.
    pub fn new(config: SimConfig, universe: GeneUniverse) -> Result<Self> {
        config.validate()?;
        let programs = Programs::draw(&universe, &config.expression, &config.biology, config.seed);
        let space = ProtocolSpace::new(&universe, &config.bias, config.seed);
        let cell_lines = draw_cell_lines(&config);
        let e = &config.expression;
        // The fitted dispersion is the total within-tissue variability; the log-normal donor and
        // sample noise supply exp(s^2) - 1 of it, the negative binomial the rest.
        let extra = (e.sample_noise_sd.powi(2) + e.donor_sd.powi(2)).exp() - 1.0;
        let dispersion = ((e.dispersion_a - extra).max(0.02), e.dispersion_b);
        Ok(Self {
            config,
            universe,
            programs,
            space,
            cell_lines,
            dispersion,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &SimConfig {
        &self.config
    }

    /// The genes.
    pub fn universe(&self) -> &GeneUniverse {
        &self.universe
    }

    /// The biological programs.
    pub fn programs(&self) -> &Programs {
        &self.programs
    }

    /// The cell-line pool.
    pub fn cell_lines(&self) -> &[CellLine] {
        &self.cell_lines
    }

    /// The negative-binomial dispersion `(a, b)` used for counting (see [`Simulator::new`]).
    pub fn dispersion(&self) -> (f64, f64) {
        self.dispersion
    }

    /// GTEx, TCGA and SRA.
    pub fn cohort(&self) -> Result<Cohort> {
        Ok(Cohort {
            gtex: self.gtex()?,
            tcga: self.tcga()?,
            sra: self.sra()?,
        })
    }

    fn library(&self, reads_per_gene: f64, log_sd: f64, rng: &mut ChaCha8Rng) -> f64 {
        let z: f64 = rng.sample(StandardNormal);
        reads_per_gene * self.universe.len() as f64 * (log_sd * z).exp()
    }

    /// The GTEx cohort: one bias, `gtex.samples` samples round-robin over the 31 tissues, from
    /// `gtex.donors` donors (a donor's samples share its sex and donor effect).
    pub fn gtex(&self) -> Result<SourceCohort> {
        let c = &self.config.gtex;
        let mut rng = seed::rng(self.config.seed, "gtex-plan", 0);
        let bias = self.space.draw(
            &self.config.bias,
            self.config.bias.gtex_scale,
            Some(Protocol::PolyA),
            &mut rng,
        );
        // The first two donors are one of each sex, so that sex-specific tissues always find one.
        let donors: Vec<(Sex, String)> = (0..c.donors)
            .map(|d| {
                let decade = rng.random_range(2..8);
                let sex = match d {
                    0 => Sex::Female,
                    1 => Sex::Male,
                    _ => random_sex(&mut rng),
                };
                (sex, format!("{decade}0-{decade}9"))
            })
            .collect();
        let mut plan = StudyPlan::new(bias);
        let tissue_of = gtex_tissues(c.samples, c.tissue_sizes);
        for (i, &t) in tissue_of.iter().enumerate() {
            let spec = &TISSUES[t];
            let donor = loop {
                let d = rng.random_range(0..c.donors);
                if spec.sex.is_none_or(|s| s == donors[d].0) {
                    break d;
                }
            };
            let sex = spec.sex.unwrap_or(donors[donor].0);
            let donor_id = format!("GTEX-{}", base36(50_000 + donor as u64 * 13, 4));
            let id = format!(
                "{donor_id}-{:02}{:02}-SM-{}",
                t,
                i % 97,
                base36(i as u64 * 7 + 1_000_000, 5)
            );
            let project = spec.gtex.to_ascii_uppercase().replace(' ', "_");
            let mut meta = SampleMeta::new(id.clone(), DataSource::Gtex);
            meta.study = Some(project.clone());
            meta.tissue = Some(spec.gtex.to_owned());
            meta.sex = Some(sex);
            meta.attributes
                .insert(RAIL_ID.into(), (100_000 + i).to_string());
            meta.attributes
                .insert(GTEX_SMTSD.into(), spec.gtex.to_owned());
            meta.attributes
                .insert(AGE_KEY.into(), donors[donor].1.clone());
            meta.attributes.insert(DTHHRDY_KEY.into(), String::new());
            let library = self.library(c.reads_per_gene, c.library_log_sd, &mut rng);
            plan.rows.push(RowPlan {
                tissue: t,
                sex,
                state: State::Normal,
                admixture: None,
                donor: Some(seed::derive(self.config.seed, "gtex-donor", donor as u64)),
                noise_stream: i as u64,
                library,
                dropout: 0.0,
            });
            plan.truth.push(Truth {
                sample_id: id,
                data_source: DataSource::Gtex,
                study: project,
                experiment: String::new(),
                tissue: spec.name.to_owned(),
                sex,
                sample_source: SampleSource::Biopsy,
                cell_line: String::new(),
                donor: donor_id,
                purity: 0.0,
                protocol: plan.bias.protocol.as_str().to_owned(),
                read_length: plan.bias.read_length,
                is_single_cell: false,
                is_small_rna: false,
                replicate_of: String::new(),
                label_is_wrong: false,
            });
            plan.meta.push(meta);
        }
        self.count_source(vec![plan], "gtex", 0)
    }

    /// The TCGA cohort: projects sized like the real ones, each sequenced at one of `tcga.centres`
    /// centres (one bias per centre), tumours mixed with normal tissue by purity, a share of
    /// adjacent normal samples.
    pub fn tcga(&self) -> Result<SourceCohort> {
        let c = &self.config.tcga;
        let mut rng = seed::rng(self.config.seed, "tcga-plan", 0);
        let mut plans: Vec<StudyPlan> = (0..c.centres)
            .map(|_| {
                StudyPlan::new(self.space.draw(
                    &self.config.bias,
                    self.config.bias.tcga_scale,
                    None,
                    &mut rng,
                ))
            })
            .collect();
        let sizes = allocate(
            c.samples,
            &TCGA_PROJECTS
                .iter()
                .map(|p| f64::from(p.weight))
                .collect::<Vec<_>>(),
        );
        let mut i = 0usize;
        for (p, (project, &size)) in TCGA_PROJECTS.iter().zip(&sizes).enumerate() {
            let centre = p % c.centres.max(1);
            let t = genesets::tissue_index(project.tissue).unwrap_or(0);
            let spec = &TISSUES[t];
            for _ in 0..size {
                let normal = rng.random_bool(c.normal_share);
                let purity = if normal {
                    0.0
                } else {
                    tumour_purity(c.purity_min, &mut rng)
                };
                let sex = tumour_sex(project, spec, &mut rng);
                let patient = format!(
                    "TCGA-{}-{}",
                    base36(p as u64 + 400, 2),
                    base36(i as u64 + 50_000, 4)
                );
                let id = format!(
                    "{patient}-{}A-{}R-{}-07",
                    if normal { "11" } else { "01" },
                    base36(i as u64 % 36, 2),
                    base36(i as u64 + 60_000, 4)
                );
                let mut meta = SampleMeta::new(id.clone(), DataSource::Tcga);
                meta.study = Some(project.code.to_owned());
                meta.tissue = Some(project.primary_site.to_owned());
                meta.sex = Some(sex);
                meta.attributes
                    .insert(RAIL_ID.into(), (200_000 + i).to_string());
                let library = self.library(c.reads_per_gene, c.library_log_sd, &mut rng);
                let plan = &mut plans[centre];
                plan.rows.push(RowPlan {
                    tissue: t,
                    sex,
                    state: if normal {
                        State::Normal
                    } else {
                        State::Tumour { project: p, purity }
                    },
                    admixture: None,
                    donor: Some(seed::derive(self.config.seed, "tcga-patient", i as u64)),
                    noise_stream: i as u64,
                    library,
                    dropout: 0.0,
                });
                plan.truth.push(Truth {
                    sample_id: id,
                    data_source: DataSource::Tcga,
                    study: project.code.to_owned(),
                    experiment: String::new(),
                    tissue: spec.name.to_owned(),
                    sex,
                    sample_source: SampleSource::Biopsy,
                    cell_line: String::new(),
                    donor: patient,
                    purity,
                    protocol: plan.bias.protocol.as_str().to_owned(),
                    read_length: plan.bias.read_length,
                    is_single_cell: false,
                    is_small_rna: false,
                    replicate_of: String::new(),
                    label_is_wrong: false,
                });
                plan.meta.push(meta);
                i += 1;
            }
        }
        self.count_source(plans, "tcga", 0)
    }

    /// The SRA cohort: `sra.studies` studies, each with its own bias, sizes, labels and QC cases.
    pub fn sra(&self) -> Result<SourceCohort> {
        let plans = self.plan_sra(
            0..self.config.sra.studies,
            DataSource::Sra,
            &mut IdCounter::default(),
        );
        self.count_source(plans, "sra", 0)
    }

    /// Plans SRA-like studies with indices `studies`, naming samples after `source` (SRA runs, or
    /// GSMs for ARCHS4); `ids` continues the accession numbers across calls.
    fn plan_sra(
        &self,
        studies: std::ops::Range<usize>,
        source: DataSource,
        ids: &mut IdCounter,
    ) -> Vec<StudyPlan> {
        studies
            .map(|s| self.plan_sra_study(s, source, ids))
            .collect()
    }

    fn plan_sra_study(&self, s: usize, source: DataSource, ids: &mut IdCounter) -> StudyPlan {
        let c = &self.config.sra;
        let stream = if source == DataSource::Archs4 {
            "archs4-study"
        } else {
            "sra-study"
        };
        let mut rng = seed::rng(self.config.seed, stream, s as u64);
        let kind = rng.random::<f64>();
        let single_cell = kind < c.single_cell_share;
        let small_rna = !single_cell && kind < c.single_cell_share + c.small_rna_share;
        let cell_study = !single_cell
            && !small_rna
            && kind < c.single_cell_share + c.small_rna_share + c.cell_line_share;
        let size_z: f64 = rng.sample(StandardNormal);
        let shift = if cell_study {
            c.cell_line_size_log_shift
        } else {
            0.0
        };
        let size = ((c.size_log_mean + shift + c.size_log_sd * size_z)
            .exp()
            .round() as usize)
            .clamp(1, c.max_study_size);
        let mut bias = self.space.draw(
            &self.config.bias,
            self.config.bias.sra_scale,
            small_rna.then_some(Protocol::SmallRna),
            &mut rng,
        );
        let condition = Normal::new(0.0, c.condition_sd)
            .unwrap_or_else(|_| Normal::new(0.0, 0.0).expect("zero normal"));
        for effect in bias.effect.iter_mut() {
            if rng.random_bool(c.condition_share) {
                *effect += condition.sample(&mut rng) as f32;
            }
        }
        let admixed_tissue = rng.random_range(0..TISSUES.len());
        let depth_z: f64 = rng.sample(StandardNormal);
        let depth = c.reads_per_gene
            * (c.study_depth_log_sd * depth_z).exp()
            * if single_cell { 0.02 } else { 1.0 };
        let n_kinds = if rng.random_bool(0.75) {
            1
        } else {
            rng.random_range(2..4)
        };
        let lines: Vec<usize> = (0..n_kinds)
            .map(|_| {
                if rng.random_bool(0.1) {
                    0
                } else {
                    rng.random_range(0..self.cell_lines.len())
                }
            })
            .collect();
        let tissues: Vec<usize> = (0..n_kinds)
            .map(|_| rng.random_range(0..TISSUES.len()))
            .collect();
        // Tumour studies draw from their own stream, so a config without them simulates the
        // very cohort it did before they existed.
        let mut tumour_rng = seed::rng(self.config.seed, "sra-tumour-study", s as u64);
        let tumour_projects: Vec<usize> = if !cell_study
            && !single_cell
            && !small_rna
            && tumour_rng.random_bool(c.tumour_study_share)
        {
            (0..n_kinds)
                .map(|_| tumour_rng.random_range(0..TCGA_PROJECTS.len()))
                .collect()
        } else {
            Vec::new()
        };
        let tumour_study = !tumour_projects.is_empty();
        let label_tissue = rng.random_bool(c.tissue_label_rate);
        let label_sex = rng.random_bool(c.sex_label_rate);
        let label_source = rng.random_bool(c.source_label_rate);
        let wrong_source = cell_study && rng.random_bool(c.wrong_source_rate);
        let replicated = rng.random_bool(c.replicate_share);
        let study_id = match source {
            DataSource::Archs4 => format!("GSE{}", 100_000 + s),
            _ => format!("SRP{}", 100_000 + s),
        };
        let topic = if cell_study {
            "cultured cell lines"
        } else if tumour_study {
            "human tumour samples"
        } else {
            "human tissue samples"
        };
        let (title, abstract_text) = if single_cell {
            (
                format!("Single-cell RNA-seq of {topic} (study {s})"),
                "We profiled individual cells by single-cell RNA sequencing (scRNA-seq) to resolve heterogeneity.".to_owned(),
            )
        } else if small_rna {
            (
                format!("Small RNA sequencing of {topic} (study {s})"),
                "We sequenced small RNA libraries (miRNA-seq) to profile microRNA expression."
                    .to_owned(),
            )
        } else {
            (
                format!("Transcriptome profiling of {topic} (study {s})"),
                "Bulk RNA-seq of poly-A or total RNA libraries to compare gene expression between conditions.".to_owned(),
            )
        };
        let mut plan = StudyPlan::new(bias);
        for e in 0..size {
            let which = e % n_kinds;
            let (tissue, sex, state, line_name) = if cell_study {
                let line = &self.cell_lines[lines[which]];
                (
                    line.tissue,
                    line.sex,
                    State::CellLine(lines[which]),
                    line.name.clone(),
                )
            } else if tumour_study {
                let p = tumour_projects[which];
                let project = &TCGA_PROJECTS[p];
                let t = genesets::tissue_index(project.tissue).unwrap_or(0);
                let purity = tumour_purity(self.config.tcga.purity_min, &mut tumour_rng);
                (
                    t,
                    tumour_sex(project, &TISSUES[t], &mut tumour_rng),
                    State::Tumour { project: p, purity },
                    String::new(),
                )
            } else {
                let t = tissues[which];
                (
                    t,
                    sex_for(&TISSUES[t], &mut rng),
                    State::Normal,
                    String::new(),
                )
            };
            let experiment = ids.experiment;
            ids.experiment += 1;
            let runs = if replicated {
                rng.random_range(2..4)
            } else {
                1
            };
            let sample_acc = format!("SRS{}", 400_000 + experiment);
            let experiment_id = format!("SRX{}", 200_000 + experiment);
            let truth_source = if cell_study {
                SampleSource::CellLine
            } else {
                SampleSource::Biopsy
            };
            let labelled_source = if wrong_source {
                SampleSource::Biopsy
            } else {
                truth_source
            };
            let mut labelled_sex = sex;
            let mut wrong = wrong_source && label_source;
            if label_sex && (line_name == HEK_LIKE || rng.random_bool(c.wrong_sex_rate)) {
                labelled_sex = match sex {
                    Sex::Female => Sex::Male,
                    Sex::Male => Sex::Female,
                };
                wrong = true;
            }
            if label_tissue || label_sex || label_source {
                let mut terms = Vec::new();
                if label_tissue {
                    terms.extend(genesets::uberon_of(TISSUES[tissue].name).map(str::to_owned));
                }
                if label_sex {
                    terms.push(
                        if labelled_sex == Sex::Female {
                            FEMALE_TERM
                        } else {
                            MALE_TERM
                        }
                        .to_owned(),
                    );
                }
                plan.metasra.push(MetaSraSample {
                    accession: sample_acc.clone(),
                    mapped_terms: terms,
                    sample_type: label_source.then(|| {
                        if labelled_source == SampleSource::CellLine {
                            "cell line"
                        } else {
                            "tissue"
                        }
                        .to_owned()
                    }),
                    sample_type_confidence: label_source
                        .then(|| ((0.7 + 0.3 * rng.random::<f64>()) * 1000.0).round() / 1000.0),
                    real_value_properties: Vec::new(),
                });
            }
            let biological_noise =
                seed::derive(self.config.seed, stream, 1_000_000_000 + experiment as u64);
            let mut first_run = String::new();
            for r in 0..runs {
                let run_number = ids.run;
                ids.run += 1;
                let id = match source {
                    DataSource::Archs4 => format!("GSM{}", 3_000_000 + run_number),
                    _ => format!("SRR{}", 300_000 + run_number),
                };
                if r == 0 {
                    first_run = id.clone();
                }
                let mut meta = SampleMeta::new(id.clone(), source);
                meta.study = Some(study_id.clone());
                if source == DataSource::Sra {
                    meta.run = Some(id.clone());
                    meta.experiment = Some(experiment_id.clone());
                    meta.attributes
                        .insert(RAIL_ID.into(), (1_000_000 + run_number).to_string());
                }
                meta.attributes
                    .insert("sample_acc".into(), sample_acc.clone());
                meta.attributes.insert("study_title".into(), title.clone());
                meta.attributes
                    .insert("study_abstract".into(), abstract_text.clone());
                if single_cell {
                    meta.attributes
                        .insert("library_strategy".into(), "scRNA-Seq".into());
                } else if small_rna {
                    meta.attributes
                        .insert("library_strategy".into(), "miRNA-Seq".into());
                }
                if label_tissue {
                    meta.tissue = Some(TISSUES[tissue].name.to_owned());
                    meta.attributes
                        .insert("tissue".into(), TISSUES[tissue].name.to_owned());
                }
                if label_sex {
                    meta.sex = Some(labelled_sex);
                    meta.attributes
                        .insert("sex".into(), labelled_sex.as_str().to_owned());
                }
                if label_source {
                    meta.sample_source = Some(labelled_source);
                    if labelled_source == SampleSource::CellLine {
                        meta.attributes
                            .insert("cell line".into(), line_name.clone());
                    }
                }
                let z: f64 = rng.sample(StandardNormal);
                plan.rows.push(RowPlan {
                    tissue,
                    sex,
                    state,
                    admixture: (!cell_study && !tumour_study && admixed_tissue != tissue).then(
                        || {
                            (
                                admixed_tissue,
                                (c.admixture_max * rng.random::<f64>()) as f32,
                            )
                        },
                    ),
                    donor: None,
                    noise_stream: biological_noise,
                    library: depth * self.universe.len() as f64 * (c.library_log_sd * z).exp()
                        / if runs > 1 { runs as f64 / 1.5 } else { 1.0 },
                    dropout: if single_cell { 0.6 } else { 0.0 },
                });
                plan.truth.push(Truth {
                    sample_id: id,
                    data_source: source,
                    study: study_id.clone(),
                    experiment: experiment_id.clone(),
                    tissue: TISSUES[tissue].name.to_owned(),
                    sex,
                    sample_source: truth_source,
                    cell_line: line_name.clone(),
                    donor: String::new(),
                    purity: match state {
                        State::Tumour { purity, .. } => purity,
                        _ => 0.0,
                    },
                    protocol: plan.bias.protocol.as_str().to_owned(),
                    read_length: plan.bias.read_length,
                    is_single_cell: single_cell,
                    is_small_rna: small_rna,
                    replicate_of: if r == 0 {
                        String::new()
                    } else {
                        first_run.clone()
                    },
                    label_is_wrong: wrong,
                });
                plan.meta.push(meta);
            }
        }
        plan
    }

    /// The per-gene natural-log expression of one planned sample (before normalisation).
    fn log_expression(&self, row: &RowPlan, bias: &[f32], sample_seed: u64) -> Vec<f32> {
        let p = &self.programs;
        let bio = &self.config.biology;
        let e = &self.config.expression;
        let n = self.universe.len();
        let tissue = &p.tissue[row.tissue];
        let sex = p.sex(row.sex);
        let mut out: Vec<f32> = (0..n).map(|g| p.base[g] + bias[g] + sex[g]).collect();
        match row.state {
            State::Normal => match row.admixture {
                None => {
                    for (o, t) in out.iter_mut().zip(tissue) {
                        *o += t;
                    }
                }
                Some((other, share)) => {
                    let other = &p.tissue[other];
                    for g in 0..n {
                        let (a, b) = (out[g] + tissue[g], out[g] + other[g]);
                        let m = a.max(b);
                        out[g] = m + ((1.0 - share) * (a - m).exp() + share * (b - m).exp()).ln();
                    }
                }
            },
            State::CellLine(l) => {
                let line = &self.cell_lines[l];
                let w = bio.cell_line_tissue_weight as f32;
                let mut rng = seed::rng(self.config.seed, "cell-line-identity", l as u64);
                let identity = Normal::new(0.0, 0.6)
                    .unwrap_or_else(|_| Normal::new(0.0, 1.0).expect("unit normal"));
                for g in 0..n {
                    out[g] += w * tissue[g] + p.proliferation[g] + p.culture[g];
                    if rng.random_bool(0.05) {
                        out[g] += identity.sample(&mut rng) as f32;
                    }
                }
                if line.lost_y {
                    for &g in &p.chr_y {
                        out[g] -= bio.y_effect as f32;
                    }
                }
                if line.lost_xist {
                    out[p.xist] -= bio.xist_effect as f32;
                }
            }
            State::Tumour { project, purity } => {
                let w = bio.tumour_tissue_weight as f32;
                let tumour = &p.tumour[project];
                for g in 0..n {
                    let normal = out[g] + tissue[g];
                    let cancer = out[g] + w * tissue[g] + p.proliferation[g] + tumour[g];
                    let m = normal.max(cancer);
                    out[g] = m
                        + ((1.0 - purity) * (normal - m).exp() + purity * (cancer - m).exp()).ln();
                }
            }
        }
        if let Some(donor) = row.donor {
            let mut rng = ChaCha8Rng::from_seed_u64(donor);
            let d = Normal::new(0.0, e.donor_sd)
                .unwrap_or_else(|_| Normal::new(0.0, 0.0).expect("zero normal"));
            for o in out.iter_mut() {
                *o += d.sample(&mut rng) as f32;
            }
        }
        let mut rng = ChaCha8Rng::from_seed_u64(sample_seed);
        let noise = Normal::new(0.0, e.sample_noise_sd)
            .unwrap_or_else(|_| Normal::new(0.0, 0.0).expect("zero normal"));
        // No gene may take more than a few percent of a library (stacked log-normal tails would
        // otherwise let one gene hold most reads): cap at mean + 3 sd of the baseline.
        let cap = (e.log_cpm_mean + 3.0 * e.log_cpm_sd) as f32;
        for o in out.iter_mut() {
            *o = (*o + noise.sample(&mut rng) as f32).min(cap);
        }
        out
    }

    /// Draws the counts of planned studies in parallel and assembles the source's dataset.
    fn count_source(
        &self,
        plans: Vec<StudyPlan>,
        source: &str,
        first_row: u64,
    ) -> Result<SourceCohort> {
        let rows: Vec<(usize, usize)> = plans
            .iter()
            .enumerate()
            .flat_map(|(s, p)| (0..p.rows.len()).map(move |r| (s, r)))
            .collect();
        let n = self.universe.len();
        let mut counts = Array2::<f32>::zeros((rows.len(), n));
        let noise_name = format!("{source}-noise");
        let count_name = format!("{source}-counts");
        let cells = counts
            .as_slice_mut()
            .expect("a freshly allocated array is contiguous");
        if n > 0 {
            cells
                .par_chunks_mut(n)
                .zip(rows.par_iter())
                .enumerate()
                .for_each(|(i, (out, &(s, r)))| {
                    let plan = &plans[s];
                    let row = &plan.rows[r];
                    let noise_seed = seed::derive(self.config.seed, &noise_name, row.noise_stream);
                    let log_expr = self.log_expression(row, &plan.bias.effect, noise_seed);
                    let mut rng = seed::rng(self.config.seed, &count_name, first_row + i as u64);
                    draw_counts(
                        &log_expr,
                        row.library,
                        self.dispersion,
                        row.dropout,
                        &mut rng,
                        out,
                    );
                });
        }
        let mut meta = Vec::with_capacity(rows.len());
        let mut truth = Vec::with_capacity(rows.len());
        let mut metasra = Vec::new();
        for p in plans {
            meta.extend(p.meta);
            truth.extend(p.truth);
            metasra.extend(p.metasra);
        }
        Ok(SourceCohort {
            dataset: Dataset::new(counts, self.universe.annotation().clone(), meta)?,
            truth,
            metasra,
        })
    }

    /// Streams an ARCHS4-like compendium of `archs4.samples` samples from SRA-like studies, in
    /// blocks of about `archs4.block_samples` samples (whole studies; a block may run over).
    /// Only one block's counts are in memory at a time.
    pub fn archs4_blocks(&self) -> Archs4Blocks<'_> {
        Archs4Blocks {
            sim: self,
            next_study: 0,
            produced: 0,
            ids: IdCounter::default(),
        }
    }
}

/// Running accession numbers.
#[derive(Debug, Default, Clone)]
struct IdCounter {
    experiment: usize,
    run: usize,
}

/// Iterator of ARCHS4 blocks (see [`Simulator::archs4_blocks`]).
pub struct Archs4Blocks<'a> {
    sim: &'a Simulator,
    next_study: usize,
    produced: usize,
    ids: IdCounter,
}

impl Iterator for Archs4Blocks<'_> {
    type Item = Result<SourceCohort>;

    fn next(&mut self) -> Option<Self::Item> {
        let total = self.sim.config.archs4.samples;
        if self.produced >= total {
            return None;
        }
        let want = self
            .sim
            .config
            .archs4
            .block_samples
            .min(total - self.produced);
        let mut plans = Vec::new();
        let mut n = 0;
        while n < want {
            let mut plan =
                self.sim
                    .plan_sra_study(self.next_study, DataSource::Archs4, &mut self.ids);
            self.next_study += 1;
            let room = total - self.produced - n;
            plan.truncate(room);
            n += plan.rows.len();
            plans.push(plan);
        }
        let first_row = self.produced as u64;
        self.produced += n;
        Some(self.sim.count_source(plans, "archs4", first_row))
    }
}

impl StudyPlan {
    fn new(bias: StudyBias) -> Self {
        Self {
            bias,
            rows: Vec::new(),
            meta: Vec::new(),
            truth: Vec::new(),
            metasra: Vec::new(),
        }
    }

    fn truncate(&mut self, n: usize) {
        self.rows.truncate(n);
        self.meta.truncate(n);
        self.truth.truncate(n);
    }
}

/// The tissue (index into [`TISSUES`]) of each of `samples` GTEx samples: in turn (sample `i` of
/// tissue `i % 31`) when even; by GTEx v6's counts otherwise, still taking the tissues in turn
/// while each has samples left.
fn gtex_tissues(samples: usize, sizes: GtexTissueSizes) -> Vec<usize> {
    match sizes {
        GtexTissueSizes::Even => (0..samples).map(|i| i % TISSUES.len()).collect(),
        GtexTissueSizes::GtexV6 => {
            let weights: Vec<f64> = TISSUES
                .iter()
                .map(|t| f64::from(genesets::gtex_v6_samples(t.name)))
                .collect();
            let mut left = allocate(samples, &weights);
            let mut order = Vec::with_capacity(samples);
            while order.len() < samples {
                for (t, n) in left.iter_mut().enumerate() {
                    if *n > 0 {
                        *n -= 1;
                        order.push(t);
                    }
                }
            }
            order
        }
    }
}

/// Splits `total` into parts proportional to `weights` (largest remainders; sums to `total`).
fn allocate(total: usize, weights: &[f64]) -> Vec<usize> {
    let sum: f64 = weights.iter().sum();
    let exact: Vec<f64> = weights.iter().map(|w| total as f64 * w / sum).collect();
    let mut parts: Vec<usize> = exact.iter().map(|x| x.floor() as usize).collect();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| {
        (exact[b] - exact[b].floor())
            .total_cmp(&(exact[a] - exact[a].floor()))
            .then(a.cmp(&b))
    });
    let missing = total - parts.iter().sum::<usize>();
    for &i in order.iter().take(missing) {
        parts[i] += 1;
    }
    parts
}

/// The cell-line pool: the named lines, then synthetic ones of random tissue and sex.
fn draw_cell_lines(config: &SimConfig) -> Vec<CellLine> {
    let mut rng = seed::rng(config.seed, "cell-lines", 0);
    let bio = &config.biology;
    (0..config.sra.cell_lines)
        .map(|i| {
            let (name, tissue, sex) = match NAMED_CELL_LINES.get(i) {
                Some((name, tissue, sex)) => (
                    (*name).to_owned(),
                    genesets::tissue_index(tissue).unwrap_or(0),
                    *sex,
                ),
                None => {
                    let t = rng.random_range(0..TISSUES.len());
                    (format!("CL-{i:04}"), t, sex_for(&TISSUES[t], &mut rng))
                }
            };
            let lost_y = sex == Sex::Male && rng.random_bool(bio.cell_line_lost_y);
            let lost_xist = sex == Sex::Female
                && (name == HEK_LIKE || rng.random_bool(bio.cell_line_lost_xist));
            CellLine {
                name,
                tissue,
                sex,
                lost_y,
                lost_xist,
            }
        })
        .collect()
}

/// Seeding a ChaCha8 generator from a derived `u64`.
trait FromSeedU64 {
    fn from_seed_u64(seed: u64) -> Self;
}

impl FromSeedU64 for ChaCha8Rng {
    fn from_seed_u64(seed: u64) -> Self {
        <ChaCha8Rng as rand::SeedableRng>::seed_from_u64(seed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gtex_v6_sizes_follow_the_real_counts() {
        assert!(TISSUES
            .iter()
            .all(|t| genesets::gtex_v6_samples(t.name) > 0));
        let tissues = gtex_tissues(9_600, GtexTissueSizes::GtexV6);
        assert_eq!(tissues.len(), 9_600);
        let count = |name: &str| {
            let t = TISSUES.iter().position(|t| t.name == name).unwrap();
            tissues.iter().filter(|&&x| x == t).count()
        };
        // 9,600 of 9,409: bladder 11 -> 11, brain 1,409 -> 1,438.
        assert_eq!(count("bladder"), 11);
        assert_eq!(count("brain"), 1_438);
        let even = gtex_tissues(62, GtexTissueSizes::Even);
        assert_eq!(even[..2], [0, 1]);
        assert_eq!(even[31..33], [0, 1]);
    }

    #[test]
    fn allocation_is_proportional_and_complete() {
        assert_eq!(allocate(10, &[1.0, 1.0, 2.0]), vec![3, 2, 5]);
        assert_eq!(allocate(7, &[1.0]), vec![7]);
        assert_eq!(base36(35, 2), "0Z");
    }
}
