//! `cargo xtask calibrate`: tunes the simulator's knobs so that the paper's **LIN baseline** lands
//! where the paper reports it, and nothing else.
//!
//! The paper's claims are about the MLP and the domain-adaptation model beating LIN on data with
//! unseen bias. A simulator tuned until those models score the paper's numbers would assume what
//! is under test; one tuned until the *baseline* scores its published numbers poses the paper's
//! problem, and whatever the MLP and DA then do on it is the finding. So the objective reads LIN
//! arms only ([`TARGETS`]: every arm of Figure 3 where the paper reports LIN, and LIN's sex model
//! on SRA against phenopredict's published 0.86), and the knobs ([`KNOBS`]) are the technical and
//! label properties of the data: bias strength per source and its rank, study-specific condition
//! effects, label noise, tumour purity, how much of its tissue a tumour or a cell line keeps.
//!
//! The search is a coordinate search: each knob in turn is multiplied by each of [`FACTORS`]
//! (within its range), the cohort is simulated anew, every LIN arm is trained and tested, and a
//! change is kept when it lowers the objective (the sum of squared differences to the paper over
//! the targets). A cohort of the paper preset takes minutes to simulate, so the search runs on a
//! quarter of its samples and studies (`--fraction`) with all its genes (fewer genes shrink the
//! tissue programs and do not carry over, docs/simulation.md); `--report` evaluates one preset at
//! the scale given, the paper preset at full scale by default. docs/simulation.md records the
//! runs, the distances and the knobs chosen.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result};
use rnameta_core::Task;
use rnameta_eval::{Cell, Table};
use rnameta_models::ModelKind;
use rnameta_sim::SimConfig;
use serde::Serialize;

use crate::experiment::cohort::{simulate_config, Cohort};
use crate::experiment::memo::Memo;
use crate::experiment::paper_arms::{SEX_SRA, SOURCE, TISSUE_SRA, TISSUE_TCGA};
use crate::experiment::runner::{run_arm, Arm, Sets, TestSet as Te, TrainSet as Tr};
use crate::experiment::settings::Settings;
use crate::experiment::{prepare, Experiment};

/// Which score of an arm a target compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Metric {
    /// Mean sample accuracy (the fraction correct).
    Msa,
    /// Mean class accuracy.
    Mca,
}

/// One LIN arm with the paper's value for it.
pub struct Target {
    /// The experiment whose design (SRA split, classes) the arm follows.
    pub experiment: &'static dyn Experiment,
    /// The arm (always LIN).
    pub arm: Arm,
    /// The score compared.
    pub metric: Metric,
    /// The paper's value.
    pub paper: f64,
    /// Where the value comes from (`../shared/reference/paper-numbers.md`).
    pub source: &'static str,
}

const fn lin(train: Tr, test: Te) -> Arm {
    Arm::new(ModelKind::Lin, train, test)
}

/// Every LIN arm the paper reports (Figure 3A, 3B, 3D) and LIN's sex model on SRA.
pub static TARGETS: [Target; 10] = [
    Target {
        experiment: &TISSUE_SRA,
        arm: lin(Tr::G, Te::S),
        metric: Metric::Mca,
        paper: 0.765,
        source: "Figure 3A, text",
    },
    Target {
        experiment: &TISSUE_SRA,
        arm: lin(Tr::S, Te::S),
        metric: Metric::Mca,
        paper: 0.795,
        source: "Figure 3A, text",
    },
    Target {
        experiment: &TISSUE_SRA,
        arm: lin(Tr::GS, Te::S),
        metric: Metric::Mca,
        paper: 0.785,
        source: "Figure 3A, text",
    },
    Target {
        experiment: &TISSUE_TCGA,
        arm: lin(Tr::G, Te::T),
        metric: Metric::Mca,
        paper: 0.64,
        source: "Figure 3B, figure (+-0.01)",
    },
    Target {
        experiment: &TISSUE_TCGA,
        arm: lin(Tr::GS, Te::T),
        metric: Metric::Mca,
        paper: 0.66,
        source: "Figure 3B, figure (+-0.01)",
    },
    Target {
        experiment: &TISSUE_TCGA,
        arm: lin(Tr::S, Te::T),
        metric: Metric::Mca,
        paper: 0.71,
        source: "Figure 3B, figure (+-0.01)",
    },
    Target {
        experiment: &SOURCE,
        arm: lin(Tr::SLarge, Te::G),
        metric: Metric::Mca,
        paper: 0.951,
        source: "Figure 3D, text",
    },
    Target {
        experiment: &SOURCE,
        arm: lin(Tr::SLarge, Te::T),
        metric: Metric::Mca,
        paper: 0.882,
        source: "Figure 3D, text",
    },
    Target {
        experiment: &SOURCE,
        arm: lin(Tr::S, Te::S),
        metric: Metric::Mca,
        paper: 0.884,
        source: "Figure 3D, text",
    },
    Target {
        experiment: &SEX_SRA,
        arm: lin(Tr::G, Te::S),
        metric: Metric::Msa,
        paper: 0.8626,
        source: "phenopredict (Ellis et al. 2018), SRA, fraction correct",
    },
];

/// The score of every target on one cohort, in [`TARGETS`] order (`None` where the cohort could
/// not pose the arm).
#[derive(Debug, Clone, Serialize)]
pub struct Evaluation {
    /// Per target.
    pub scores: Vec<Option<f64>>,
}

/// What counts as the distance of an arm the cohort could not pose.
const UNPOSED_DISTANCE: f64 = 1.0;

impl Evaluation {
    /// Ours minus the paper's, per target (`UNPOSED_DISTANCE` where not posed).
    pub fn differences(&self) -> Vec<f64> {
        self.scores
            .iter()
            .zip(&TARGETS)
            .map(|(s, t)| s.map_or(UNPOSED_DISTANCE, |s| s - t.paper))
            .collect()
    }

    /// The objective: the sum of squared differences.
    pub fn objective(&self) -> f64 {
        self.differences().iter().map(|d| d * d).sum()
    }

    /// The largest absolute difference.
    pub fn max_distance(&self) -> f64 {
        self.differences()
            .iter()
            .fold(0.0, |m: f64, d| m.max(d.abs()))
    }

    /// The table `--report` prints: every target with the paper's value, ours and the
    /// difference.
    pub fn table(&self, title: &str) -> Result<Table> {
        let mut t = Table::new(
            title,
            [
                "experiment",
                "arm",
                "metric",
                "paper",
                "source",
                "ours (simulated)",
                "difference",
                "within 0.05",
            ],
        );
        for ((target, score), d) in TARGETS.iter().zip(&self.scores).zip(self.differences()) {
            t.push_row(vec![
                Cell::text(target.experiment.id()),
                Cell::text(target.arm.name()),
                Cell::text(format!("{:?}", target.metric).to_lowercase()),
                Cell::float(target.paper, 3),
                Cell::text(target.source),
                score.map_or(Cell::text("not posed"), |s| Cell::float(s, 3)),
                Cell::float(d, 3),
                Cell::text(if d.abs() <= 0.05 { "yes" } else { "no" }),
            ])?;
        }
        Ok(t)
    }
}

/// Trains and tests every LIN target on `cohort` (LIN draws nothing at random: one fit each).
pub fn evaluate(cohort: &Cohort) -> Result<Evaluation> {
    let settings = Settings::default();
    let memo = Memo::off();
    let mut scores = Vec::with_capacity(TARGETS.len());
    let mut prepared: Option<(&str, crate::experiment::Prepared)> = None;
    for target in &TARGETS {
        let id = target.experiment.id();
        if prepared.as_ref().is_none_or(|(p, _)| *p != id) {
            prepared = Some((id, prepare(target.experiment, cohort)?));
        }
        let (_, p) = prepared.as_ref().expect("prepared above");
        let sets = Sets {
            gtex: &cohort.gtex,
            sra_train: &p.sra_train,
            sra_test: &p.sra_test,
            tcga: &cohort.tcga,
            settings: &settings,
            memo: &memo,
        };
        let task: Task = target.experiment.task();
        let result = run_arm(target.arm, task, &p.classes.classes, &sets, &[0])
            .with_context(|| format!("{id}, {}", target.arm.name()))?;
        let pick = match target.metric {
            Metric::Msa => &result.msa,
            Metric::Mca => &result.mca,
        };
        scores.push(pick.first().copied());
    }
    Ok(Evaluation { scores })
}

/// A simulator setting the search may change, with its range.
pub struct Knob {
    /// Its path in the config JSON (`bias.sra_scale`).
    pub name: &'static str,
    /// Reads it.
    pub get: fn(&SimConfig) -> f64,
    /// Writes it (integers round).
    pub set: fn(&mut SimConfig, f64),
    /// Smallest value allowed.
    pub min: f64,
    /// Largest value allowed.
    pub max: f64,
}

/// A [`Knob`] over an `f64` field of the config (`knob!("bias.sra_scale", bias.sra_scale, 0.05,
/// 4.0)`): its name, the field, its range.
macro_rules! knob {
    ($name:literal, $($field:ident).+, $min:expr, $max:expr) => {
        Knob {
            name: $name,
            get: |c| c.$($field).+,
            set: |c, v| c.$($field).+ = v,
            min: $min,
            max: $max,
        }
    };
}

/// The knobs searched, in the order tried: bias per source, then what shapes the TCGA arms
/// (purity, how much tissue a tumour keeps, the share of SRA studies on tumours), the tissue
/// programs' strength, the cell-line and label-noise arms, then the bias's rank and the SRA's
/// condition effects.
pub static KNOBS: [Knob; 12] = [
    knob!("bias.sra_scale", bias.sra_scale, 0.05, 4.0),
    knob!("bias.tcga_scale", bias.tcga_scale, 0.05, 4.0),
    knob!("bias.gtex_scale", bias.gtex_scale, 0.05, 4.0),
    knob!("tcga.purity_min", tcga.purity_min, 0.05, 0.95),
    knob!(
        "biology.tumour_tissue_weight",
        biology.tumour_tissue_weight,
        0.05,
        1.0
    ),
    knob!("sra.tumour_study_share", sra.tumour_study_share, 0.0, 0.8),
    knob!("biology.program_effect", biology.program_effect, 0.2, 3.0),
    knob!(
        "biology.cell_line_tissue_weight",
        biology.cell_line_tissue_weight,
        0.02,
        1.0
    ),
    knob!("sra.wrong_source_rate", sra.wrong_source_rate, 0.0, 0.5),
    knob!("sra.wrong_sex_rate", sra.wrong_sex_rate, 0.0, 0.3),
    Knob {
        name: "bias.rank",
        get: |c| c.bias.rank as f64,
        set: |c, v| c.bias.rank = v.round().max(1.0) as usize,
        min: 1.0,
        max: 24.0,
    },
    knob!("sra.condition_share", sra.condition_share, 0.0, 0.5),
];

/// The factors each knob is multiplied by in turn.
pub const FACTORS: [f64; 4] = [0.5, 0.75, 1.5, 2.0];

/// How the search's cohorts are scaled down from the preset.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct CohortScale {
    /// Fraction of the preset's GTEx and TCGA samples, GTEx donors and SRA studies.
    pub fraction: f64,
    /// Genes simulated (the preset's when `None`).
    pub genes: Option<usize>,
}

impl CohortScale {
    /// The preset itself.
    pub const FULL: Self = Self {
        fraction: 1.0,
        genes: None,
    };

    /// How titles and logs name it: "0.25 of the samples, 6000 genes".
    pub fn describe(&self) -> String {
        format!(
            "{} of the samples, {} genes",
            self.fraction,
            self.genes
                .map_or("the preset's".to_owned(), |g| g.to_string())
        )
    }

    /// `config` at this scale.
    pub fn apply(&self, config: &SimConfig) -> SimConfig {
        let mut c = config.clone();
        let part = |n: usize| ((n as f64 * self.fraction).round() as usize).max(1);
        c.gtex.samples = part(c.gtex.samples);
        c.gtex.donors = part(c.gtex.donors).max(2);
        c.tcga.samples = part(c.tcga.samples);
        c.sra.studies = part(c.sra.studies);
        c.sra.cell_lines = part(c.sra.cell_lines).max(10);
        if let Some(genes) = self.genes {
            c.universe.n_genes = genes;
        }
        c
    }
}

/// Simulates `config` at `scale` and evaluates every target on it.
pub fn evaluate_config(config: &SimConfig, scale: CohortScale) -> Result<Evaluation> {
    let cohort = simulate_config(&scale.apply(config))?;
    evaluate(&cohort)
}

/// What the paper's designs find in a cohort: the tissue classes its rule keeps and the Figure 4
/// design its sample-source training studies allow (`--report` prints it beside the distances).
pub fn design_facts(cohort: &Cohort) -> Result<String> {
    let tissue = prepare(&TISSUE_SRA, cohort)?;
    let mut text = format!(
        "tissue classes ({}): {}\nleft out: {}\n",
        tissue.classes.classes.len(),
        tissue.classes.classes.join(", "),
        tissue
            .classes
            .left_out
            .iter()
            .map(|(c, why)| format!("{c} ({why})"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let source = prepare(&crate::experiment::diversity::BiasDiversity, cohort)?;
    match crate::experiment::diversity::plan(
        &crate::experiment::runner::stacked_samples(&source.sra_train),
        &source.classes.classes,
        crate::experiment::Scale::Full,
    ) {
        Ok(drawn) => {
            let _ = writeln!(
                text,
                "Figure 4: {} samples per study from studies of >= {} samples, 1 to {} studies per class; eligible studies per class: {}",
                drawn.per_study,
                drawn.min_study_size,
                drawn.k_max,
                drawn
                    .studies
                    .iter()
                    .map(|(c, list)| format!("{c} {}", list.len()))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        Err(e) => {
            let _ = writeln!(text, "Figure 4: cannot be drawn: {e}");
        }
    }
    Ok(text)
}

/// One evaluation of the search.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    /// The knob changed (`start` for the preset itself).
    pub knob: String,
    /// Its value in this evaluation.
    pub value: f64,
    /// The evaluation.
    pub evaluation: Evaluation,
    /// Whether the change was kept.
    pub kept: bool,
    /// Seconds it took.
    pub seconds: f64,
}

/// What the search found.
pub struct Search {
    /// The best config (at the preset's own scale).
    pub config: SimConfig,
    /// Its evaluation (at the search's scale).
    pub best: Evaluation,
    /// Every evaluation, in order.
    pub steps: Vec<Step>,
}

/// The coordinate search from `start`, `rounds` times over [`KNOBS`]; `log` hears each step.
pub fn search(
    start: &SimConfig,
    scale: CohortScale,
    rounds: usize,
    mut log: impl FnMut(&Step),
) -> Result<Search> {
    let timed = |config: &SimConfig| -> Result<(Evaluation, f64)> {
        let t = Instant::now();
        Ok((evaluate_config(config, scale)?, t.elapsed().as_secs_f64()))
    };
    let mut config = start.clone();
    let (mut best, seconds) = timed(&config)?;
    let first = Step {
        knob: "start".into(),
        value: f64::NAN,
        evaluation: best.clone(),
        kept: true,
        seconds,
    };
    log(&first);
    let mut steps = vec![first];
    for _ in 0..rounds {
        let mut improved = false;
        for knob in &KNOBS {
            let current = (knob.get)(&config);
            for factor in FACTORS {
                let value = (current * factor).clamp(knob.min, knob.max);
                let mut candidate = config.clone();
                (knob.set)(&mut candidate, value);
                if (knob.get)(&candidate) == (knob.get)(&config) {
                    continue;
                }
                let (evaluation, seconds) = timed(&candidate)?;
                let kept = evaluation.objective() < best.objective() - 1e-6;
                let step = Step {
                    knob: knob.name.into(),
                    value: (knob.get)(&candidate),
                    evaluation: evaluation.clone(),
                    kept,
                    seconds,
                };
                log(&step);
                steps.push(step);
                if kept {
                    config = candidate;
                    best = evaluation;
                    improved = true;
                }
            }
        }
        if !improved {
            break;
        }
    }
    Ok(Search {
        config,
        best,
        steps,
    })
}

/// The knobs' values in `config`, as `name = value` lines.
pub fn describe_knobs(config: &SimConfig) -> String {
    let mut text = String::new();
    for knob in &KNOBS {
        let _ = writeln!(text, "{} = {}", knob.name, (knob.get)(config));
    }
    text
}

/// Every step as a table: the knob, its value, the objective, the largest distance, kept or not,
/// and every target's score.
pub fn steps_table(steps: &[Step]) -> Result<Table> {
    let mut columns = vec![
        "step".to_owned(),
        "knob".to_owned(),
        "value".to_owned(),
        "objective".to_owned(),
        "max distance".to_owned(),
        "kept".to_owned(),
        "seconds".to_owned(),
    ];
    columns.extend(
        TARGETS
            .iter()
            .map(|t| format!("{} {}", t.experiment.id(), t.arm.name())),
    );
    let mut table = Table::new("calibration search (simulated cohorts)", columns);
    for (i, step) in steps.iter().enumerate() {
        let mut row = vec![
            Cell::count(i as u64),
            Cell::text(&step.knob),
            Cell::float(step.value, 4),
            Cell::float(step.evaluation.objective(), 4),
            Cell::float(step.evaluation.max_distance(), 3),
            Cell::text(if step.kept { "yes" } else { "no" }),
            Cell::float(step.seconds, 1),
        ];
        row.extend(
            step.evaluation
                .scores
                .iter()
                .map(|s| s.map_or(Cell::text("not posed"), |s| Cell::float(s, 3))),
        );
        table.push_row(row)?;
    }
    Ok(table)
}

/// Writes the search's steps (`search.md`, `search.csv`), the best config (`chosen.json`) and its
/// report (`report.md`) under `dir`.
pub fn write_search(dir: &Path, search: &Search, scale: CohortScale) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    steps_table(&search.steps)?.write(&dir.join("search"))?;
    let json = search.config.to_json();
    rnameta_io::write::write_atomically(&dir.join("chosen.json"), |w| {
        w.write_all(json.as_bytes())
    })?;
    let report = search
        .best
        .table(&format!(
            "LIN against the paper, best config of the search (simulated; {})",
            scale.describe()
        ))?
        .to_markdown()?;
    let text = format!(
        "{report}\nobjective {:.4}, largest distance {:.3}\n\nknobs:\n\n```\n{}```\n",
        search.best.objective(),
        search.best.max_distance(),
        describe_knobs(&search.config)
    );
    rnameta_io::write::write_atomically(&dir.join("report.md"), |w| w.write_all(text.as_bytes()))?;
    Ok(())
}
