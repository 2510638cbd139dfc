//! `bias-diversity` (the paper's Figure 4): does a sample-source model (MLP, trained and tested on
//! SRA studies) gain more from samples of many studies than from as many samples of one study?
//!
//! For `k = 1..=k_max` studies per class, the *diverse* training set takes `per_study` samples from
//! each of `k` randomly drawn studies of the class; the *single-study* set takes `k x per_study`
//! samples from the class's largest study. Both are drawn anew in every subsampling, an MLP is
//! trained per seed, and both are scored on the SRA test studies (no study on both sides).
//!
//! The paper used studies of more than 100 samples and 50 samples per study. Presets whose
//! studies are smaller scale `per_study` down so that the largest study of every class can still
//! supply `k_max x per_study` samples; `run.json` records the values used.

use std::collections::BTreeMap;

use anyhow::{bail, Result};
use rand::seq::IndexedRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rnameta_core::{DatasetView, SampleMeta, Task};
use rnameta_eval::plot::{LinePoint, LineSeries};
use rnameta_eval::stats::welch_t_test;
use rnameta_eval::{Cell, SeedSummary, Table};
use rnameta_models::{GeneChoice, ModelKind};
use serde::Serialize;

use super::fit::{FitData, FitRequest, SharedTest};
use super::runner::{per_seed, stacked_samples, training_labels, ArmResult, Sets};
use super::{design_json, Experiment, Produced, RunContext, Scale};

/// The paper's samples per study.
const PAPER_PER_STUDY: usize = 50;
/// The fewest samples per study worth a model.
const MIN_PER_STUDY: usize = 5;

/// `bias-diversity`, the paper's Figure 4.
pub struct BiasDiversity;

/// The design of `bias-diversity` (what the data allow is recorded in `run.json`).
#[derive(Debug, Serialize)]
pub struct DiversityDesign {
    /// Studies per class wanted at most (k runs 1..=this where the studies allow).
    pub max_studies_per_class: usize,
    /// Training sets drawn anew per k and kind.
    pub subsamplings: usize,
    /// Samples per study, at most (the paper's).
    pub max_per_study: usize,
    /// Samples per study, at least.
    pub min_per_study: usize,
}

impl DiversityDesign {
    /// The design at `scale`.
    pub fn at(scale: Scale) -> Self {
        Self {
            max_studies_per_class: scale.pick(3, 6),
            subsamplings: scale.pick(2, 10),
            max_per_study: PAPER_PER_STUDY,
            min_per_study: MIN_PER_STUDY,
        }
    }
}

impl Experiment for BiasDiversity {
    fn id(&self) -> &'static str {
        "bias-diversity"
    }

    fn description(&self) -> &'static str {
        "Figure 4: MLP S-S sample source, many studies vs one large study"
    }

    fn task(&self) -> Task {
        Task::SampleSource
    }

    fn design(&self, scale: Scale) -> serde_json::Value {
        design_json(&DiversityDesign::at(scale))
    }

    fn run(&self, ctx: &RunContext<'_>) -> Result<Produced> {
        run(
            &ctx.sets,
            ctx.universe,
            ctx.seeds,
            &DiversityDesign::at(ctx.scale),
        )
    }
}

/// How the training sets are drawn, as the data allow.
#[derive(Debug, Clone, Serialize)]
pub struct Drawn {
    /// Samples drawn per study (the paper's 50 where the studies allow).
    pub per_study: usize,
    /// The smallest study drawn from (twice `per_study`; the paper's "more than 100").
    pub min_study_size: usize,
    /// Studies per class at most (the paper's 6 where the studies allow).
    pub k_max: usize,
    /// Training sets drawn per k and kind.
    pub subsamplings: usize,
    /// Eligible studies per class (size >= `min_study_size`), largest first, with sizes.
    pub studies: BTreeMap<String, Vec<(String, usize)>>,
}

/// The design `bias-diversity` can draw at `scale` from the sample-source training studies
/// `sra_train` with classes `universe` (what `calibrate --report` shows of a cohort).
pub fn plan(sra_train: &[SampleMeta], universe: &[String], scale: Scale) -> Result<Drawn> {
    drawn(
        &studies_by_class(sra_train, universe),
        &DiversityDesign::at(scale),
    )
}

/// Training rows (of the training samples `train`) of each class grouped by study, largest study
/// first.
fn studies_by_class(
    train: &[SampleMeta],
    universe: &[String],
) -> BTreeMap<String, Vec<(String, Vec<usize>)>> {
    let labels = training_labels(Task::SampleSource, train, universe);
    let mut grouped: BTreeMap<String, BTreeMap<String, Vec<usize>>> = BTreeMap::new();
    for (row, class) in labels.assigned().iter().enumerate() {
        let (Some(c), Some(study)) = (class, &train[row].study) else {
            continue;
        };
        grouped
            .entry(labels.classes()[*c].clone())
            .or_default()
            .entry(study.clone())
            .or_default()
            .push(row);
    }
    grouped
        .into_iter()
        .map(|(class, studies)| {
            let mut list: Vec<(String, Vec<usize>)> = studies.into_iter().collect();
            list.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(&b.0)));
            (class, list)
        })
        .collect()
}

fn drawn(
    by_class: &BTreeMap<String, Vec<(String, Vec<usize>)>>,
    wanted: &DiversityDesign,
) -> Result<Drawn> {
    if by_class.len() < 2 {
        bail!(
            "bias-diversity needs two sample-source classes in the SRA training studies, found {:?}",
            by_class.keys().collect::<Vec<_>>()
        );
    }
    let wanted_k = wanted.max_studies_per_class;
    // The largest per-study count (at most the paper's 50) that lets every class offer `wanted_k`
    // studies of at least twice that count and a largest study of `wanted_k` times it; failing
    // that, the count giving the most studies per class.
    let k_for = |per_study: usize| {
        by_class
            .values()
            .map(|list| {
                let eligible = list
                    .iter()
                    .filter(|(_, r)| r.len() >= 2 * per_study)
                    .count();
                eligible.min(list[0].1.len() / per_study)
            })
            .min()
            .unwrap_or(0)
            .min(wanted_k)
    };
    let (per_study, k_max) = (wanted.min_per_study..=wanted.max_per_study)
        .rev()
        .map(|p| (p, k_for(p)))
        .max_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)))
        .expect("a non-empty range");
    if k_max < 2 {
        bail!(
            "bias-diversity needs, per sample-source class, at least 2 SRA training studies of              >= {} samples; studies per class: {:?}",
            2 * wanted.min_per_study,
            by_class
                .iter()
                .map(|(c, l)| (c, l.iter().map(|(_, r)| r.len()).collect::<Vec<_>>()))
                .collect::<Vec<_>>()
        );
    }
    let min_study_size = 2 * per_study;
    let studies: BTreeMap<String, Vec<(String, usize)>> = by_class
        .iter()
        .map(|(class, list)| {
            let eligible = list
                .iter()
                .filter(|(_, rows)| rows.len() >= min_study_size)
                .map(|(s, rows)| (s.clone(), rows.len()))
                .collect();
            (class.clone(), eligible)
        })
        .collect();
    Ok(Drawn {
        per_study,
        min_study_size,
        k_max,
        subsamplings: wanted.subsamplings,
        studies,
    })
}

/// Rows of one training set: per class, `k` studies x `per_study` (diverse) or `k x per_study`
/// from the largest study.
fn draw(
    by_class: &BTreeMap<String, Vec<(String, Vec<usize>)>>,
    design: &Drawn,
    k: usize,
    diverse: bool,
    rng: &mut ChaCha8Rng,
) -> Vec<usize> {
    let mut rows = Vec::new();
    for list in by_class.values() {
        let eligible: Vec<&Vec<usize>> = list
            .iter()
            .filter(|(_, r)| r.len() >= design.min_study_size)
            .map(|(_, r)| r)
            .collect();
        if diverse {
            for study in eligible.sample(rng, k) {
                rows.extend(study.sample(rng, design.per_study).copied());
            }
        } else {
            rows.extend(eligible[0].sample(rng, k * design.per_study).copied());
        }
    }
    rows.sort_unstable();
    rows
}

/// Runs the experiment: one arm per (kind, k), its scores over subsamplings x seeds.
fn run(
    sets: &Sets<'_>,
    universe: &[String],
    seeds: &[u64],
    wanted: &DiversityDesign,
) -> Result<Produced> {
    let task = Task::SampleSource;
    let by_class = studies_by_class(&stacked_samples(sets.sra_train), universe);
    let design = drawn(&by_class, wanted)?;
    let mut arms: Vec<(bool, usize, ArmResult)> = Vec::new();
    // Every subsampling is scored on the same SRA test studies: their digest is made once.
    let test = SharedTest::new(sets.sra_test.to_vec());
    for k in 1..=design.k_max {
        for diverse in [true, false] {
            let name = format!(
                "MLP S-S, {k} x {} {}",
                design.per_study,
                if diverse {
                    "(k studies)"
                } else {
                    "(largest study)"
                }
            );
            let n_train = k * design.per_study * by_class.len();
            let mut result = ArmResult::new(name, None, n_train, by_class.len());
            for sub in 0..design.subsamplings {
                // One stream per (k, subsampling), shared by both kinds' class order.
                let mut rng = ChaCha8Rng::seed_from_u64(1_000 * k as u64 + sub as u64);
                let rows = draw(&by_class, &design, k, diverse, &mut rng);
                let train = DatasetView::concat(&DatasetView::runs(sets.sra_train, &rows)?)?;
                let labels = training_labels(task, train.samples(), universe);
                let name = &result.name;
                let data = FitData::stacked_on_shared_test(
                    task,
                    GeneChoice::Paper,
                    sets.settings.pipeline(),
                    vec![(&train).into()],
                    &labels,
                    &test,
                );
                let scores = per_seed(seeds, |seed| {
                    let request = FitRequest {
                        spec: sets.settings.spec(ModelKind::Mlp, task, seed)?,
                        data: &data,
                    };
                    sets.memo
                        .scores(&format!("bias-diversity {name} seed {seed}"), &request)
                })?;
                for s in &scores {
                    result.push(s);
                }
            }
            eprintln!(
                "[bias-diversity] {}: mca {:.3}",
                result.name,
                SeedSummary::new(result.mca.clone())?.mean
            );
            arms.push((diverse, k, result));
        }
    }
    let mut tests = Table::new(
        "mca, k studies vs the largest study, Welch t-test per k (significance 0.01)",
        [
            "studies per class",
            "k studies",
            "largest study",
            "difference",
            "p-value",
            "significant",
        ],
    );
    let mut lines = vec![
        LineSeries {
            label: "k studies".into(),
            points: Vec::new(),
        },
        LineSeries {
            label: "largest study".into(),
            points: Vec::new(),
        },
    ];
    for k in 1..=design.k_max {
        let of = |d: bool| {
            arms.iter()
                .find(|(diverse, kk, _)| *diverse == d && *kk == k)
                .map(|(_, _, r)| r)
                .expect("both kinds ran at every k")
        };
        let (diverse, single) = (of(true), of(false));
        let (d, s) = (
            SeedSummary::new(diverse.mca.clone())?,
            SeedSummary::new(single.mca.clone())?,
        );
        lines[0].points.push(LinePoint::from_summary(k as f64, &d));
        lines[1].points.push(LinePoint::from_summary(k as f64, &s));
        let (p, significant) = match welch_t_test(&diverse.mca, &single.mca) {
            Ok(w) => (
                Cell::scientific(w.p_value, 2),
                if w.is_significant() { "yes" } else { "no" },
            ),
            Err(e) => (Cell::text(format!("n/a ({e})")), "n/a"),
        };
        tests.push_row(vec![
            Cell::count(k as u64),
            Cell::mean_std(&d, 3),
            Cell::mean_std(&s, 3),
            Cell::float(d.mean - s.mean, 3),
            p,
            Cell::text(significant),
        ])?;
    }
    Ok(Produced {
        results: arms.into_iter().map(|(_, _, r)| r).collect(),
        lines: Some((lines, "studies per class (k)")),
        tables: vec![("diversity".into(), tests)],
        extra: serde_json::json!({ "design": design }),
        ..Produced::default()
    })
}
