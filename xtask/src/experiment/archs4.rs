//! The ARCHS4 pipeline's steps as experiments, on tissue (trained on GTEx + the SRA training
//! studies, tested on the SRA test studies):
//!
//! - `rank-genes`: the per-gene signal ranking (95th-percentile neighbourhood cosine) on the
//!   training data; a random forest on the top K ranked genes against K random genes and against
//!   the paper's Gini windows; how many of the simulator's tissue marker genes the top K hold
//!   (the ground truth a real dataset lacks). The same at the 99th percentile: ARCHS4's 95th
//!   misses the markers of any tissue smaller than 5% of the samples.
//! - `rf-multilabel`: one random forest over multi-hot labels (tissue and sample source of each
//!   sample) against one forest per task on the same genes: accuracy of each task read from the
//!   multi-label probabilities, micro / macro F1 and macro AUROC, and fit time.

use std::cell::OnceCell;
use std::collections::BTreeSet;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use ndarray::Array2;
use rand::seq::IndexedRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rnameta_core::{Dataset, DatasetView, Labels, SampleMeta, Task};
use rnameta_eval::metrics::{mca, msa};
use rnameta_eval::plot::{LinePoint, LineSeries};
use rnameta_eval::{Cell, SeedSummary, Table};
use rnameta_models::{
    metrics::multilabel_report, GeneChoice, LabelSets, ModelKind, MultiLabelForest,
    PreparedTraining,
};
use rnameta_preprocess::signal::{signal_rankings, SignalOptions};
use rnameta_preprocess::Pipeline;

use serde::Serialize;

use super::fit::{score_stacked_input, stacked_model_input, FitData, FitRequest, Scores};
use super::memo::Key;
use super::runner::{stacked_samples, training_labels, ArmResult, Sets};
use super::{design_json, Experiment, Produced, RunContext, Scale};

/// The second ranking's percentile: high enough that a tissue of 1% of the samples holds a
/// gene's top samples (ARCHS4's 95th needs more than 5%).
const NARROW_PERCENTILE: f64 = 99.0;

/// The multi-label forest's probability threshold for a label (micro / macro F1).
const MULTILABEL_THRESHOLD: f32 = 0.5;

/// `rank-genes`: the per-gene signal ranking against the paper's Gini windows.
pub struct RankGenes;

/// The design of `rank-genes`.
#[derive(Debug, Serialize)]
pub struct RankGenesDesign {
    /// Numbers of genes (K) the forests read (those above the genes ranked are skipped).
    pub ks: Vec<usize>,
    /// The second ranking's percentile (the first is ARCHS4's).
    pub narrow_percentile: f64,
}

impl RankGenesDesign {
    /// The design at `scale`.
    pub fn at(scale: Scale) -> Self {
        Self {
            ks: scale.pick(vec![50, 200], vec![100, 250, 500, 1000, 2000]),
            narrow_percentile: NARROW_PERCENTILE,
        }
    }
}

impl Experiment for RankGenes {
    fn id(&self) -> &'static str {
        "rank-genes"
    }

    fn description(&self) -> &'static str {
        "ARCHS4: per-gene signal ranking, forest on the top genes vs the paper's Gini windows"
    }

    fn design(&self, scale: Scale) -> serde_json::Value {
        design_json(&RankGenesDesign::at(scale))
    }

    fn run(&self, ctx: &RunContext<'_>) -> Result<Produced> {
        rank_genes(
            &ctx.sets,
            ctx.universe,
            ctx.seeds,
            &RankGenesDesign::at(ctx.scale),
        )
    }
}

/// `rf-multilabel`: one forest over multi-hot labels against one forest per task.
pub struct RfMultilabel;

/// The design of `rf-multilabel` (the same at every scale).
#[derive(Debug, Serialize)]
pub struct RfMultilabelDesign {
    /// The tasks whose labels the forest learns together.
    pub tasks: [&'static str; 2],
    /// Probability a label needs to count as predicted (F1).
    pub threshold: f32,
}

impl Experiment for RfMultilabel {
    fn id(&self) -> &'static str {
        "rf-multilabel"
    }

    fn description(&self) -> &'static str {
        "ARCHS4: one random forest over multi-hot tissue + sample-source labels vs one per task"
    }

    fn design(&self, _scale: Scale) -> serde_json::Value {
        design_json(&RfMultilabelDesign {
            tasks: [Task::Tissue.as_str(), Task::SampleSource.as_str()],
            threshold: MULTILABEL_THRESHOLD,
        })
    }

    fn run(&self, ctx: &RunContext<'_>) -> Result<Produced> {
        rf_multilabel(&ctx.sets, &ctx.cohort.sra, ctx.universe, ctx.seeds)
    }
}

/// The simulator's tissue marker symbols (ground truth for the ranking).
fn marker_symbols() -> BTreeSet<&'static str> {
    rnameta_sim::genesets::TISSUES
        .iter()
        .flat_map(|t| t.markers.iter().copied())
        .collect()
}

/// `rank-genes`: forests on the top K signal-ranked genes, K random genes and the paper's Gini
/// windows; the ranking's head and its marker recall are written beside.
fn rank_genes(
    sets: &Sets<'_>,
    universe: &[String],
    seeds: &[u64],
    design: &RankGenesDesign,
) -> Result<Produced> {
    let task = Task::Tissue;
    let train = sets.gtex_and_sra_train();
    let train_samples = stacked_samples(&train);
    let labels = training_labels(task, &train_samples, universe);
    // The ranking reads normalised values: log2(TPM + 1) fitted on the training samples, made
    // from the parts (the one copy of the training set this experiment holds: the rankings take
    // it, make it their unit profiles in place and drop it).
    let fitted = Pipeline::tpm_log2().fit_stacked(&train)?;
    let every_gene: Vec<usize> = (0..sets.gtex.n_genes()).collect();
    let normalised = Dataset::new(
        fitted
            .transform_stacked_columns(&train, &every_gene)
            .context("normalising the training samples for the ranking")?,
        sets.gtex.genes().clone(),
        train_samples,
    )?;
    let start = Instant::now();
    let options = SignalOptions {
        neighbours: SignalOptions::default()
            .neighbours
            .min(normalised.n_samples() / 4),
        ..SignalOptions::default()
    };
    // ARCHS4's 95th percentile finds a gene's high-expressing samples only when they are more than
    // 5% of all samples; the second ranking's 99th finds groups down to 1% (a tissue among 31).
    let narrow_options = SignalOptions {
        percentile: design.narrow_percentile,
        ..options
    };
    let (ranking, narrow) =
        match <[_; 2]>::try_from(signal_rankings(normalised, &[options, narrow_options])?) {
            Ok([ranking, narrow]) => (ranking, narrow),
            Err(rankings) => bail!("{} rankings for 2 percentiles", rankings.len()),
        };
    let ranking_seconds = start.elapsed().as_secs_f64();
    eprintln!(
        "[rank-genes] ranked {} genes at the {}th and {}th percentiles in {ranking_seconds:.1} s",
        ranking.len(),
        options.percentile,
        narrow_options.percentile
    );
    let markers = marker_symbols();
    let is_marker =
        |symbol: &Option<String>| symbol.as_deref().is_some_and(|s| markers.contains(s));
    let markers_present = ranking.iter().filter(|r| is_marker(&r.symbol)).count();
    let ks: Vec<usize> = design
        .ks
        .iter()
        .copied()
        .filter(|&k| k <= ranking.len())
        .collect();
    if ks.is_empty() {
        bail!("only {} genes to rank", ranking.len());
    }
    let all_ids: Vec<String> = sets.gtex.genes().ids().map(str::to_owned).collect();
    let run = |name: String, genes: &GeneChoice| -> Result<ArmResult> {
        let mut result = ArmResult::new(name, None, labels.n_labelled(), labels.classes().len());
        let data = FitData::stacked(
            task,
            genes.clone(),
            sets.settings.pipeline(),
            train.clone(),
            &labels,
            sets.sra_test.to_vec(),
        );
        for &seed in seeds {
            let request = FitRequest {
                spec: sets.settings.spec(ModelKind::RandomForest, task, seed)?,
                data: &data,
            };
            let what = format!("rank-genes {} seed {seed}", result.name);
            result.push(&sets.memo.scores(&what, &request)?);
        }
        eprintln!(
            "[rank-genes] {}: mca {:.3}",
            result.name,
            SeedSummary::new(result.mca.clone())?.mean
        );
        Ok(result)
    };
    let mut results = vec![run("RF, paper's Gini windows".into(), &GeneChoice::Paper)?];
    let mut recall = Table::new(
        format!(
            "Simulated tissue marker genes among the top K signal-ranked genes ({markers_present} markers in the data), ranked at ARCHS4's 95th and at the {NARROW_PERCENTILE}th percentile"
        ),
        [
            "K".to_owned(),
            "markers in top K".to_owned(),
            "share of all markers".to_owned(),
            format!("markers in top K, {NARROW_PERCENTILE}th percentile"),
            "expected at random".to_owned(),
        ],
    );
    let mut signal_line = Vec::new();
    let mut narrow_line = Vec::new();
    let mut random_line = Vec::new();
    for &k in &ks {
        let top: Vec<String> = ranking[..k].iter().map(|r| r.gene_id.clone()).collect();
        let found = ranking[..k].iter().filter(|r| is_marker(&r.symbol)).count();
        let narrow_top: Vec<String> = narrow[..k].iter().map(|r| r.gene_id.clone()).collect();
        let narrow_found = narrow[..k].iter().filter(|r| is_marker(&r.symbol)).count();
        recall.push_row(vec![
            Cell::count(k as u64),
            Cell::count(found as u64),
            Cell::float(found as f64 / markers_present.max(1) as f64, 3),
            Cell::count(narrow_found as u64),
            Cell::float(markers_present as f64 * k as f64 / ranking.len() as f64, 1),
        ])?;
        let signal = run(format!("RF, top {k} signal genes"), &GeneChoice::Ids(top))?;
        let narrow_signal = run(
            format!("RF, top {k} signal genes, {NARROW_PERCENTILE}th percentile"),
            &GeneChoice::Ids(narrow_top),
        )?;
        let mut rng = ChaCha8Rng::seed_from_u64(k as u64);
        let random: Vec<String> = all_ids.sample(&mut rng, k).cloned().collect();
        let random = run(format!("RF, {k} random genes"), &GeneChoice::Ids(random))?;
        signal_line.push(LinePoint::from_summary(
            k as f64,
            &SeedSummary::new(signal.mca.clone())?,
        ));
        narrow_line.push(LinePoint::from_summary(
            k as f64,
            &SeedSummary::new(narrow_signal.mca.clone())?,
        ));
        random_line.push(LinePoint::from_summary(
            k as f64,
            &SeedSummary::new(random.mca.clone())?,
        ));
        results.push(signal);
        results.push(narrow_signal);
        results.push(random);
    }
    let mut head = Table::new(
        "Top 30 genes of the signal ranking (training samples, log2(TPM + 1))",
        [
            "rank",
            "gene",
            "symbol",
            "percentile value",
            "mean cosine",
            "informative",
            "simulated marker",
        ],
    );
    for r in ranking.iter().take(30) {
        head.push_row(vec![
            Cell::count(r.rank as u64),
            Cell::text(&r.gene_id),
            Cell::text(r.symbol.clone().unwrap_or_default()),
            Cell::float(f64::from(r.percentile_value), 3),
            Cell::float(r.mean_cosine, 4),
            Cell::text(if r.informative { "yes" } else { "no" }),
            Cell::text(if is_marker(&r.symbol) { "yes" } else { "no" }),
        ])?;
    }
    let mut full = Table::new(
        "Signal ranking of every gene",
        [
            "rank",
            "gene",
            "symbol",
            "percentile value",
            "mean cosine",
            "informative",
        ],
    );
    for r in &ranking {
        full.push_row(vec![
            Cell::count(r.rank as u64),
            Cell::text(&r.gene_id),
            Cell::text(r.symbol.clone().unwrap_or_default()),
            Cell::float(f64::from(r.percentile_value), 3),
            Cell::float(r.mean_cosine, 5),
            Cell::text(if r.informative { "yes" } else { "no" }),
        ])?;
    }
    Ok(Produced {
        results,
        lines: Some((
            vec![
                LineSeries {
                    label: "top K signal genes".into(),
                    points: signal_line,
                },
                LineSeries {
                    label: format!("top K signal genes, {NARROW_PERCENTILE}th percentile"),
                    points: narrow_line,
                },
                LineSeries {
                    label: "K random genes".into(),
                    points: random_line,
                },
            ],
            "genes (K)",
        )),
        tables: vec![("markers".into(), recall), ("top_genes".into(), head)],
        csv_tables: vec![("ranking".into(), full)],
        extra: serde_json::json!({
            "ranking_seconds": ranking_seconds,
            "neighbours": options.neighbours,
            "percentile": options.percentile,
            "narrow_percentile": design.narrow_percentile,
            "genes_ranked": ranking.len(),
            "informative_genes": ranking.iter().filter(|r| r.informative).count(),
        }),
        ..Produced::default()
    })
}

/// What one seed of `rf-multilabel` scored: the multi-label forest read as each task, the forest
/// of each task, and the multi-label forest's own measures. Recorded whole with `--resume`.
#[derive(serde::Serialize, serde::Deserialize)]
struct MultiLabelSeed {
    multi_tissue: Scores,
    per_tissue: Scores,
    multi_source: Scores,
    per_source: Scores,
    micro_f1: f64,
    macro_f1: f64,
    macro_auroc: Option<f64>,
    /// The multi-label forest's fit time.
    fit_seconds: f64,
}

/// The class of each sample of `data` for `task` among `classes` (names matched loosely).
fn classes_of(task: Task, samples: &[SampleMeta], classes: &[String]) -> Vec<Option<usize>> {
    let names: Vec<Option<String>> = samples.iter().map(|s| task.label_of(s)).collect();
    Labels::within_classes(classes.to_vec(), &names)
        .0
        .assigned()
        .to_vec()
}

/// Each sample's label set: its tissue (GTEx's spelling) and its sample source, where known.
fn label_sets(samples: &[SampleMeta], tissues: &[String], sources: &[String]) -> Vec<Vec<String>> {
    let tissue = classes_of(Task::Tissue, samples, tissues);
    let source = classes_of(Task::SampleSource, samples, sources);
    (0..samples.len())
        .map(|i| {
            let mut set = Vec::new();
            if let Some(t) = tissue[i] {
                set.push(tissues[t].clone());
            }
            if let Some(s) = source[i] {
                set.push(sources[s].clone());
            }
            set
        })
        .collect()
}

/// Scores of one task read from multi-label probabilities: the most probable of the task's labels.
fn task_scores(
    proba: &Array2<f32>,
    model_labels: &[String],
    task_labels: &[String],
    truth: &[Option<usize>],
    seconds: f64,
    genes: usize,
) -> Result<Scores> {
    let columns: Vec<usize> = task_labels
        .iter()
        .map(|l| {
            model_labels
                .iter()
                .position(|m| m == l)
                .with_context(|| format!("label {l} missing from the forest"))
        })
        .collect::<Result<_>>()?;
    let (mut t, mut p) = (Vec::new(), Vec::new());
    for (row, class) in truth.iter().enumerate() {
        let Some(class) = class else { continue };
        let best = (0..columns.len())
            .max_by(|&a, &b| {
                proba[[row, columns[a]]]
                    .total_cmp(&proba[[row, columns[b]]])
                    .then(b.cmp(&a))
            })
            .expect("a task has labels");
        t.push(*class);
        p.push(best);
    }
    if t.is_empty() {
        bail!("no test sample has a label of the task");
    }
    let k = task_labels.len();
    Ok(Scores {
        msa: msa(&t, &p, k)?,
        mca: mca(&t, &p, k)?,
        seconds,
        n_test: t.len(),
        n_genes: genes,
        unscored: Vec::new(),
    })
}

/// `rf-multilabel`: one forest over tissue + sample-source labels against one forest per task.
/// Tested on every SRA sample outside the training studies (tissue or sample source known).
fn rf_multilabel(
    sets: &Sets<'_>,
    sra: &Dataset,
    universe: &[String],
    seeds: &[u64],
) -> Result<Produced> {
    let train = sets.gtex_and_sra_train();
    let train_samples = stacked_samples(&train);
    let training_studies: BTreeSet<&str> = sets
        .sra_train_samples()
        .filter_map(|s| s.study.as_deref())
        .collect();
    let test_rows: Vec<usize> = (0..sra.n_samples())
        .filter(|&i| {
            let s = &sra.samples()[i];
            s.study
                .as_deref()
                .is_none_or(|study| !training_studies.contains(study))
                && (s.tissue.is_some() || s.sample_source.is_some())
        })
        .collect();
    // The test studies as runs of the SRA's samples, not a copy of them at every gene.
    let test = DatasetView::runs(&[sra.into()], &test_rows)?;
    let test_samples = stacked_samples(&test);
    let tissue_labels = training_labels(Task::Tissue, &train_samples, universe);
    let tissues = tissue_labels.classes().to_vec();
    let source_labels = Labels::for_task(Task::SampleSource, &train_samples);
    let sources = source_labels.classes().to_vec();
    if sources.len() < 2 {
        bail!("the training set has sample-source classes {sources:?}: two are needed");
    }
    let train_sets = label_sets(&train_samples, &tissues, &sources);
    let test_sets = label_sets(&test_samples, &tissues, &sources);
    let tissue_truth = classes_of(Task::Tissue, &test_samples, &tissues);
    let source_truth = classes_of(Task::SampleSource, &test_samples, &sources);
    // The tissue forests' training set, prepared by the first seed that fits (none when every
    // seed is recorded) for all of them. Every forest reads the prepared set's pipeline and genes,
    // so the test samples' model input, and the source forests' data (their preparation and test
    // input), are made once too.
    let mut tissue_training: Option<PreparedTraining<'_>> = None;
    let mut tissue_test_input: Option<Array2<f32>> = None;
    let source_data: OnceCell<FitData<'_>> = OnceCell::new();
    let n_multi = train_sets.iter().filter(|s| !s.is_empty()).count();
    let arm = |name: &str, n: usize, k: usize| ArmResult::new(name.into(), None, n, k);
    let mut multi_tissue = arm("multi-label RF: tissue", n_multi, tissues.len());
    let mut multi_source = arm("multi-label RF: sample source", n_multi, sources.len());
    let mut per_tissue = arm(
        "RF per task: tissue",
        tissue_labels.n_labelled(),
        tissues.len(),
    );
    let mut per_source = arm(
        "RF per task: sample source",
        source_labels.n_labelled(),
        sources.len(),
    );
    let mut label_table = Table::new(
        format!("Multi-label forest on the SRA test studies, threshold {MULTILABEL_THRESHOLD} (per seed)"),
        ["seed", "micro F1", "macro F1", "macro AUROC", "fit seconds"],
    );
    for &seed in seeds {
        let spec = sets
            .settings
            .spec(ModelKind::RandomForest, Task::Tissue, seed)?;
        let source_spec = sets
            .settings
            .spec(ModelKind::RandomForest, Task::SampleSource, seed)?;
        let key = || {
            Ok(Key::new()
                .text("rf-multilabel")
                .json(&spec)?
                .json(&source_spec)?
                .json(&train_sets)?
                .json(&test_sets)?
                .labels(&tissue_labels)
                .labels(&source_labels)
                .stacked_data(&train)?
                .stacked_data(&test)?
                .finish())
        };
        let outcome = sets.memo.recorded(
            &format!("rf-multilabel seed {seed}"),
            key,
            || -> Result<MultiLabelSeed> {
                // The tissue forest fixes the genes (the paper's tissue window) and the pipeline;
                // the other forests read the same columns.
                let prepared = match &mut tissue_training {
                    Some(prepared) => prepared,
                    empty => empty.insert(PreparedTraining::stacked(
                        Task::Tissue,
                        &Pipeline::tpm_log2(),
                        &GeneChoice::Paper,
                        &train,
                        &tissue_labels,
                    )?),
                };
                let start = Instant::now();
                let tissue_model = prepared.fit(&spec)?;
                let x_test = match &mut tissue_test_input {
                    Some(input) => input,
                    empty => empty.insert(stacked_model_input(&tissue_model, &test)?),
                };
                let scored = score_stacked_input(Task::Tissue, &tissue_model, &test, x_test)?;
                let genes = tissue_model.gene_ids().to_vec();
                let per_tissue = Scores::of(&tissue_model, scored, start.elapsed().as_secs_f64())?;
                let source = source_data.get_or_init(|| {
                    FitData::stacked(
                        Task::SampleSource,
                        GeneChoice::Ids(genes.clone()),
                        sets.settings.pipeline(),
                        train.clone(),
                        &source_labels,
                        test.clone(),
                    )
                });
                let per_source = sets.memo.scores(
                    &format!("rf-multilabel source seed {seed}"),
                    &FitRequest {
                        spec: source_spec.clone(),
                        data: source,
                    },
                )?;

                let start = Instant::now();
                // The training samples' model input is the prepared matrix.
                let x_train = prepared.matrix();
                let targets = LabelSets::from_names(&train_sets);
                let rows: Vec<usize> = (0..train_sets.len())
                    .filter(|&i| !train_sets[i].is_empty())
                    .collect();
                // Every training sample has a tissue, so the rows are usually all of them: the
                // prepared matrix is read where it is, not copied (0.4 GB on the paper preset).
                let x_fit: ndarray::CowArray<'_, f32, ndarray::Ix2> =
                    if rows.len() == x_train.nrows() {
                        x_train.view().into()
                    } else {
                        x_train.select(ndarray::Axis(0), &rows).into()
                    };
                let fit_sets: Vec<Vec<String>> =
                    rows.iter().map(|&i| train_sets[i].clone()).collect();
                let targets_fit = LabelSets::with_labels(targets.labels().to_vec(), &fit_sets)?;
                let meta: Vec<_> = rows.iter().map(|&i| train_samples[i].clone()).collect();
                let mut forest = MultiLabelForest::new(match &spec {
                    rnameta_models::ModelSpec::RandomForest(p) => p.clone(),
                    _ => bail!("rf settings are not a forest's"),
                })?;
                forest.fit(x_fit.view(), &targets_fit, &meta)?;
                let fit_seconds = start.elapsed().as_secs_f64();
                let proba = forest.predict_proba(x_test.view())?;
                let seconds = start.elapsed().as_secs_f64();
                let multi_tissue = task_scores(
                    &proba,
                    forest.labels(),
                    &tissues,
                    &tissue_truth,
                    seconds,
                    genes.len(),
                )?;
                let multi_source = task_scores(
                    &proba,
                    forest.labels(),
                    &sources,
                    &source_truth,
                    seconds,
                    genes.len(),
                )?;
                let test_rows: Vec<usize> = (0..test_sets.len())
                    .filter(|&i| !test_sets[i].is_empty())
                    .collect();
                let test_truth = LabelSets::with_labels(
                    forest.labels().to_vec(),
                    &test_rows
                        .iter()
                        .map(|&i| test_sets[i].clone())
                        .collect::<Vec<_>>(),
                )?;
                let without = forest
                    .report()
                    .map(|r| r.labels_without_positives.clone())
                    .unwrap_or_default();
                let report = multilabel_report(
                    &test_truth,
                    proba.select(ndarray::Axis(0), &test_rows).view(),
                    forest.labels(),
                    MULTILABEL_THRESHOLD,
                    &without,
                )?;
                Ok(MultiLabelSeed {
                    multi_tissue,
                    per_tissue,
                    multi_source,
                    per_source,
                    micro_f1: report.micro_f1,
                    macro_f1: report.macro_f1,
                    macro_auroc: report.macro_auroc,
                    fit_seconds,
                })
            },
        )?;
        multi_tissue.push(&outcome.multi_tissue);
        per_tissue.push(&outcome.per_tissue);
        multi_source.push(&outcome.multi_source);
        per_source.push(&outcome.per_source);
        label_table.push_row(vec![
            Cell::count(seed),
            Cell::float(outcome.micro_f1, 3),
            Cell::float(outcome.macro_f1, 3),
            outcome
                .macro_auroc
                .map_or_else(|| Cell::text("n/a"), |a| Cell::float(a, 3)),
            Cell::float(outcome.fit_seconds, 2),
        ])?;
        eprintln!(
            "[rf-multilabel] seed {seed}: tissue mca multi {:.3} / per task {:.3}; source mca multi {:.3} / per task {:.3}",
            outcome.multi_tissue.mca,
            outcome.per_tissue.mca,
            outcome.multi_source.mca,
            outcome.per_source.mca,
        );
    }
    Ok(Produced {
        results: vec![multi_tissue, per_tissue, multi_source, per_source],
        lines: None,
        tables: vec![("multilabel".into(), label_table)],
        extra: serde_json::json!({ "tissue_labels": tissues, "source_labels": sources }),
        ..Produced::default()
    })
}
