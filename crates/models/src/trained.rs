//! A trained model as users apply it: the fitted preprocessing pipeline, the genes the classifier
//! reads, what to put in place of a gene the new data lacks, and the classifier itself, saved
//! together as one bundle.
//!
//! Applying it to data from another file re-orders the genes by id, fills missing ones, reports
//! how many were missing, and refuses past a set fraction: a model that silently read zeros for a
//! third of its genes would give confident wrong answers.

use std::collections::HashMap;
use std::path::Path;

use ndarray::{Array2, ArrayView1, Axis, CowArray, Ix2};
use rayon::prelude::*;
use rnameta_core::stats::pearson;
use rnameta_core::{Dataset, GeneAnnotation, InputUnits, JudgedUnits, Labels, Task};
use rnameta_preprocess::check::Names;
use rnameta_preprocess::selection::GiniWindow;
use rnameta_preprocess::Pipeline;
use serde::{Deserialize, Serialize};

use crate::bundle::{load_classifier, read_manifest, BundleHeader, SavedClassifier, MANIFEST_FILE};
use crate::preprocessing::Preprocessing;
use crate::{Error, ModelSpec, Result};

mod prepared;

pub use prepared::PreparedTraining;

/// What [`TrainedModel::fit_augmented`] calls between preprocessing and the classifier: given the
/// training matrix (normalised, the chosen genes) and its labels, `None` to train on them as they
/// are, or a larger matrix and its labels (the original rows first).
pub type AugmentHook<'a> =
    dyn FnMut(&Array2<f32>, &Labels) -> Result<Option<(Array2<f32>, Labels)>> + 'a;

/// Default largest fraction of a model's genes that may be missing from data it is applied to.
pub const DEFAULT_MAX_MISSING_FRACTION: f64 = 0.1;

/// Which genes the classifier reads, chosen on the training data after preprocessing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GeneChoice {
    /// Every gene of the training data.
    All,
    /// The paper's choice for the task (Gini window, protein coding, chrX/chrY for sex).
    Paper,
    /// Genes whose Gini coefficient over the training samples lies strictly inside the window.
    Gini {
        /// The window.
        window: GiniWindow,
        /// Keep protein-coding genes only.
        protein_coding_only: bool,
    },
    /// Every gene on these chromosomes (`X`, `chrY`...: the sex chromosomes for a sex model).
    Chromosomes(Vec<String>),
    /// Exactly these gene ids (in this order); each must be in the training data.
    Ids(Vec<String>),
}

/// How the genes of data given to [`TrainedModel::annotate`] matched the model's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GeneMatch {
    /// Genes the classifier reads.
    pub model_genes: usize,
    /// Classifier genes absent from the data (filled with their training mean).
    pub missing_model_genes: Vec<String>,
    /// Genes the preprocessing pipeline expects (all training genes).
    pub pipeline_genes: usize,
    /// Pipeline genes absent from the data (counted as 0 before preprocessing).
    pub missing_pipeline_genes: usize,
    /// Whether every one of the model's signal genes ([`TrainedModel::set_signal_genes`], e.g.
    /// the Y genes of a sex model) is absent: filled with training means they carry no answer,
    /// so every sample is left unassigned.
    #[serde(default)]
    pub no_signal: bool,
}

/// Class probabilities of a set of samples, with how their genes matched.
#[derive(Debug, Clone, PartialEq)]
pub struct Annotation {
    /// Class names, in column order.
    pub classes: Vec<String>,
    /// Samples x classes probabilities.
    pub proba: Array2<f32>,
    /// Gene matching.
    pub genes: GeneMatch,
    /// For a unit-free model, the units the values were read in and why; `None` for a model
    /// that reads its pipeline's levels (whose input must be in the pipeline's units).
    pub units: Option<JudgedUnits>,
}

impl Annotation {
    /// The class assigned to each sample, by [`assigned_class`], or `None` (unassigned) for
    /// every sample when the data had none of the model's genes, or none of its signal genes:
    /// each missing input was then filled with its training mean, so any class would come from
    /// no data.
    pub fn assigned(&self, min_prob: f32) -> Vec<Option<usize>> {
        let no_data =
            self.genes.no_signal || self.genes.missing_model_genes.len() >= self.genes.model_genes;
        self.proba
            .rows()
            .into_iter()
            .map(|row| {
                if no_data {
                    None
                } else {
                    assigned_class(row, min_prob)
                }
            })
            .collect()
    }
}

/// The class a row of class probabilities assigns: the most probable one, or `None`
/// (unassigned) when that is not a clear answer: two classes tie for the top, a value is NaN or
/// infinite, the top probability is 0 (LIN's row of zeros for a sample it cannot place) or below
/// `min_prob`. Never the first class by default, which is what picking the maximum of a tie
/// would give.
pub fn assigned_class(row: ArrayView1<'_, f32>, min_prob: f32) -> Option<usize> {
    if row.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let mut best: Option<usize> = None;
    let mut tied = false;
    for (j, &v) in row.iter().enumerate() {
        match best {
            Some(b) if v < row[b] => {}
            Some(b) if v == row[b] => tied = true,
            _ => {
                best = Some(j);
                tied = false;
            }
        }
    }
    let best = best?;
    let p = row[best];
    (!tied && p > 0.0 && p >= min_prob).then_some(best)
}

/// How one list of genes (a file's) maps onto a model's: where each of the pipeline's genes is in
/// the data, which of the classifier's genes are missing, and the report of both. Made by
/// [`TrainedModel::input_plan`].
#[derive(Debug, Clone)]
pub struct InputPlan {
    /// The data's gene ids, to recognise the list again.
    data_genes: Vec<String>,
    /// For each of the pipeline's genes, its column in the data.
    source: Vec<Option<usize>>,
    /// Classifier input columns whose gene the data lacks.
    missing_model_columns: Vec<usize>,
    /// The units the data's values are in, when the caller said so; `None`: judged from the
    /// values of each call (a unit-free model only; see [`InputUnits::judge`]).
    units: Option<InputUnits>,
    /// How the genes matched.
    report: GeneMatch,
}

impl InputPlan {
    /// Whether data with `genes` (same ids, same order) can use this plan.
    pub fn fits(&self, genes: &GeneAnnotation) -> bool {
        genes.len() == self.data_genes.len()
            && genes.ids().zip(&self.data_genes).all(|(a, b)| a == b)
    }

    /// How the genes matched.
    pub fn report(&self) -> &GeneMatch {
        &self.report
    }

    /// The same plan for data in `units`, as the user states them, instead of judging the
    /// units from the values (which cannot tell FPKM from estimated counts, or TPM from CPM).
    pub fn with_units(mut self, units: InputUnits) -> Self {
        self.units = Some(units);
        self
    }
}

/// A classifier with its preprocessing, ready to annotate raw data (see the module docs).
pub struct TrainedModel {
    task: Option<Task>,
    preprocessing: Preprocessing,
    /// Classifier input genes, in column order.
    gene_ids: Vec<String>,
    /// Column of each classifier gene in the pipeline's output.
    columns: Vec<usize>,
    classifier: Box<dyn SavedClassifier>,
}

impl std::fmt::Debug for TrainedModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrainedModel")
            .field("task", &self.task)
            .field("kind", &self.classifier.kind())
            .field("classes", &self.classifier.classes())
            .field("genes", &self.gene_ids.len())
            .finish()
    }
}

impl TrainedModel {
    /// Fits `pipeline` on `train`, chooses the genes, and fits the model of `spec` on the labelled
    /// samples (`labels` parallel to `train`'s samples; their study and data source go to the
    /// model, which is how DA tells the source domain from the biased one).
    pub fn fit(
        spec: &ModelSpec,
        task: Task,
        pipeline: &Pipeline,
        genes: &GeneChoice,
        train: &Dataset,
        labels: &Labels,
    ) -> Result<Self> {
        Self::fit_augmented(spec, task, pipeline, genes, train, labels, &mut |_, _| {
            Ok(None)
        })
    }

    /// [`TrainedModel::fit`] with a hook between preprocessing and the classifier: `augment`
    /// sees the training matrix as the classifier would (normalised, the chosen genes) with its
    /// labels, and may return a larger one (the original rows first, then synthetic samples of a
    /// scarce class, e.g. from `rnameta-augment`) with labels over the same classes. Synthetic
    /// rows get sample ids `synthetic-<n>` and the data source of the first training sample.
    /// The fill values for missing genes stay those of the real samples.
    pub fn fit_augmented(
        spec: &ModelSpec,
        task: Task,
        pipeline: &Pipeline,
        genes: &GeneChoice,
        train: &Dataset,
        labels: &Labels,
        augment: &mut AugmentHook<'_>,
    ) -> Result<Self> {
        PreparedTraining::new(task, pipeline, genes, train, labels)?.fit_augmented(spec, augment)
    }

    /// The task the model predicts.
    pub fn task(&self) -> Option<Task> {
        self.task
    }

    /// The classifier.
    pub fn classifier(&self) -> &dyn SavedClassifier {
        self.classifier.as_ref()
    }

    /// Class names in probability column order.
    pub fn classes(&self) -> &[String] {
        self.classifier.classes()
    }

    /// Genes the classifier reads, in order.
    pub fn gene_ids(&self) -> &[String] {
        &self.gene_ids
    }

    /// The preprocessing saved with the model.
    pub fn preprocessing(&self) -> &Preprocessing {
        &self.preprocessing
    }

    /// Sets the largest fraction of missing genes [`TrainedModel::annotate`] accepts.
    pub fn set_max_missing_fraction(&mut self, fraction: f64) -> Result<()> {
        if !(0.0..=1.0).contains(&fraction) {
            return Err(Error::InvalidParameter {
                name: "max_missing_fraction",
                reason: format!("{fraction} is not in [0, 1]"),
            });
        }
        self.preprocessing.max_missing_fraction = fraction;
        Ok(())
    }

    /// Names the model's genes that carry its answer (a sex model's Y genes): data lacking every
    /// one of them gets no class ([`Annotation::assigned`]) rather than the class their
    /// training means point to. Each must be one of the model's genes.
    pub fn set_signal_genes(&mut self, ids: Vec<String>) -> Result<()> {
        if let Some(g) = ids.iter().find(|g| !self.gene_ids.contains(g)) {
            return Err(Error::InvalidParameter {
                name: "signal_genes",
                reason: format!("{g} is not one of the model's genes"),
            });
        }
        self.preprocessing.signal_genes = ids;
        Ok(())
    }

    /// Class probabilities of every sample of `data`, whose genes may be in any order and may
    /// lack some of the model's (see the module docs).
    pub fn annotate(&self, data: &Dataset) -> Result<Annotation> {
        self.annotate_with(&self.input_plan(data.genes())?, data)
    }

    /// The classifier's input for `data`: preprocessed, the model's genes in order, missing
    /// genes filled.
    pub fn model_input(&self, data: &Dataset) -> Result<(Array2<f32>, GeneMatch)> {
        let plan = self.input_plan(data.genes())?;
        let (x, _) = self.planned_input(&plan, data)?;
        Ok((x, plan.report))
    }

    /// How data with these genes maps onto the model, refused when too many of the model's
    /// genes (or of the pipeline's) are missing. Made once and reused for every chunk of a file,
    /// whose chunks share the file's genes ([`TrainedModel::annotate_with`]).
    pub fn input_plan(&self, genes: &GeneAnnotation) -> Result<InputPlan> {
        let pipeline = &self.preprocessing.pipeline;
        let max = self.preprocessing.max_missing_fraction;
        let source: Vec<Option<usize>> = pipeline.genes.iter().map(|g| genes.position(g)).collect();
        let missing_pipeline_genes: Vec<String> = pipeline
            .genes
            .iter()
            .zip(&source)
            .filter(|(_, column)| column.is_none())
            .map(|(g, _)| g.clone())
            .collect();
        let missing_model_columns: Vec<usize> = self
            .columns
            .iter()
            .enumerate()
            .filter(|(_, &c)| source[c].is_none())
            .map(|(j, _)| j)
            .collect();
        let missing_model_genes: Vec<String> = missing_model_columns
            .iter()
            .map(|&j| self.gene_ids[j].clone())
            .collect();
        refuse_too_many(
            "genes of the model",
            missing_model_genes.len(),
            self.gene_ids.len(),
            max,
            &missing_model_genes,
        )?;
        if pipeline.rank_input.is_none() {
            // A unit-free model reads its own genes only; a model of levels runs the whole
            // pipeline (TPM's and CPM's totals are over every training gene).
            refuse_too_many(
                "genes of the preprocessing (all training genes)",
                missing_pipeline_genes.len(),
                pipeline.genes.len(),
                max,
                &missing_pipeline_genes,
            )?;
        }
        let signal = &self.preprocessing.signal_genes;
        let no_signal =
            !signal.is_empty() && signal.iter().all(|g| missing_model_genes.contains(g));
        Ok(InputPlan {
            data_genes: genes.ids().map(str::to_owned).collect(),
            source,
            missing_model_columns,
            units: None,
            report: GeneMatch {
                model_genes: self.gene_ids.len(),
                missing_model_genes,
                pipeline_genes: pipeline.genes.len(),
                missing_pipeline_genes: missing_pipeline_genes.len(),
                no_signal,
            },
        })
    }

    /// [`TrainedModel::annotate`] with a plan made by [`TrainedModel::input_plan`] for `data`'s
    /// genes; refused when `data` has other genes than the plan was made for.
    pub fn annotate_with(&self, plan: &InputPlan, data: &Dataset) -> Result<Annotation> {
        let (x, units) = self.planned_input(plan, data)?;
        let proba = self.classifier.predict_proba(x.view())?;
        Ok(Annotation {
            classes: self.classifier.classes().to_vec(),
            proba,
            genes: plan.report.clone(),
            units,
        })
    }

    /// Whether the model is unit-free: it reads each sample's own order of its genes, so data
    /// in any units (counts, CPM, TPM, FPKM, log2 of them, log2 arrays) can be annotated, not
    /// only data in its pipeline's units.
    pub fn is_unit_free(&self) -> bool {
        self.preprocessing.pipeline.rank_input.is_some()
    }

    /// The classifier's input for `data` through `plan` (with the units it was read in, for a
    /// unit-free model): for a model of levels, the pipeline's genes gathered straight from
    /// `data` (absent ones as 0), preprocessed with the element-wise steps on the model's genes
    /// only; for a unit-free model, the model's genes ranked within each sample; then missing
    /// model genes filled.
    fn planned_input(
        &self,
        plan: &InputPlan,
        data: &Dataset,
    ) -> Result<(Array2<f32>, Option<JudgedUnits>)> {
        if !plan.fits(data.genes()) {
            return Err(Error::InvalidParameter {
                name: "plan",
                reason: format!(
                    "the input plan was made for {} other genes than these {}",
                    plan.data_genes.len(),
                    data.n_genes()
                ),
            });
        }
        if let Some(rank_input) = &self.preprocessing.pipeline.rank_input {
            let model_source: Vec<Option<usize>> =
                self.columns.iter().map(|&c| plan.source[c]).collect();
            let present: Vec<bool> = model_source.iter().map(Option::is_some).collect();
            let values = gather(data, &model_source);
            let names = Names::Ids {
                samples: data.samples(),
                genes: &self.gene_ids,
            };
            let read = |units| rank_input.transform(values.view(), &present, units, names);
            let (mut x, judged) = match plan.units {
                Some(units) => (
                    read(units)?,
                    JudgedUnits {
                        units,
                        alternative: None,
                        reason: "as stated".to_owned(),
                    },
                ),
                None => {
                    let judged = judged_units(data)?;
                    let x = read(judged.units)?;
                    match judged.alternative.filter(|&alternative| {
                        rank_input.divides_by_length(alternative)
                            != rank_input.divides_by_length(judged.units)
                    }) {
                        None => (x, judged),
                        Some(alternative) => {
                            let other = read(alternative)?;
                            self.closer_to_training(x, judged, other, alternative, &present)
                        }
                    }
                }
            };
            for &j in &plan.missing_model_columns {
                x.column_mut(j).fill(self.preprocessing.fill_values[j]);
            }
            return Ok((x, Some(judged)));
        }
        // Data already in the pipeline's gene order is read where it is, not copied.
        let in_order = plan.source.len() == data.n_genes()
            && plan.source.iter().enumerate().all(|(i, s)| *s == Some(i));
        let aligned: CowArray<'_, f32, Ix2> = if in_order {
            data.counts().into()
        } else {
            gather(data, &plan.source).into()
        };
        let mut x = self.preprocessing.pipeline.transform_columns(
            aligned,
            &self.columns,
            data.samples(),
        )?;
        for &j in &plan.missing_model_columns {
            x.column_mut(j).fill(self.preprocessing.fill_values[j]);
        }
        Ok((x, None))
    }

    /// Of two readings of the same values as a unit-free input, `x` in the judged units and
    /// `other` in the `alternative` ones (one divided by gene length, the other not), the one
    /// whose samples order the model's genes more like the training samples do: the mean, over
    /// samples, of the correlation of a sample's input with the training mean of each gene
    /// (over the `present` genes). Counts read as if divided by length, or TPM as if not, shift
    /// every gene by its length and lose that agreement; which is how CPM is told from TPM and
    /// estimated counts from FPKM, which the values alone cannot.
    fn closer_to_training(
        &self,
        x: Array2<f32>,
        judged: JudgedUnits,
        other: Array2<f32>,
        alternative: InputUnits,
        present: &[bool],
    ) -> (Array2<f32>, JudgedUnits) {
        let training = &self.preprocessing.fill_values;
        let agreement = |x: &Array2<f32>| -> f64 {
            let rows = x.nrows().max(1) as f64;
            x.rows()
                .into_iter()
                .map(|row| {
                    let (a, b): (Vec<f64>, Vec<f64>) = row
                        .iter()
                        .zip(training)
                        .zip(present)
                        .filter(|(_, &p)| p)
                        .map(|((&a, &b), _)| (f64::from(a), f64::from(b)))
                        .unzip();
                    let r = pearson(&a, &b);
                    if r.is_nan() {
                        0.0
                    } else {
                        r
                    }
                })
                .sum::<f64>()
                / rows
        };
        let (r_judged, r_other) = (agreement(&x), agreement(&other));
        let (x, chosen, rejected, r_chosen, r_rejected) = if r_other > r_judged {
            (other, alternative, judged.units, r_other, r_judged)
        } else {
            (x, judged.units, alternative, r_judged, r_other)
        };
        let reason = format!(
            "{}: read as {chosen}, whose order of the model's genes agrees better with the \
             training samples' (mean r = {r_chosen:.3}, against {r_rejected:.3} as {rejected}); \
             say --units to decide otherwise",
            judged.reason
        );
        (
            x,
            JudgedUnits {
                units: chosen,
                alternative: Some(rejected),
                reason,
            },
        )
    }

    /// Writes the bundle (manifest with the preprocessing, and the classifier's parameters) into
    /// the directory `dir`.
    pub fn save(&self, dir: &Path) -> Result<()> {
        self.classifier.save(
            dir,
            &BundleHeader {
                task: self.task,
                gene_ids: self.gene_ids.clone(),
                preprocessing: Some(self.preprocessing.clone()),
            },
        )
    }

    /// Reads a bundle written by [`TrainedModel::save`]; refuses one whose files fail their
    /// checksums or whose manifest holds a value out of range (see [`crate::bundle`]).
    pub fn load(dir: &Path) -> Result<Self> {
        // Checks every manifest value, the preprocessing's included.
        let manifest = read_manifest(dir)?;
        let preprocessing = manifest
            .preprocessing
            .clone()
            .ok_or_else(|| Error::Corrupt {
                path: dir.join(MANIFEST_FILE),
                reason: "the bundle holds a bare classifier without preprocessing; load it with \
                         bundle::load_classifier"
                    .into(),
            })?;
        let columns =
            positions(&preprocessing.pipeline.genes, &manifest.gene_ids).map_err(|e| {
                Error::Corrupt {
                    path: dir.join(MANIFEST_FILE),
                    reason: e.to_string(),
                }
            })?;
        let classifier = load_classifier(dir)?;
        Ok(Self {
            task: manifest.task,
            preprocessing,
            gene_ids: manifest.gene_ids,
            columns,
            classifier,
        })
    }
}

/// The columns `source` of `data` (a column per entry; `None` gives a column of zeros), gathered
/// straight from the data into a new samples x `source.len()` matrix.
fn gather(data: &Dataset, source: &[Option<usize>]) -> Array2<f32> {
    let counts = data.counts();
    let mut out = Array2::<f32>::zeros((data.n_samples(), source.len()));
    out.axis_iter_mut(Axis(0))
        .into_par_iter()
        .zip(counts.axis_iter(Axis(0)).into_par_iter())
        .for_each(|(mut out, row)| {
            for (o, column) in out.iter_mut().zip(source) {
                if let Some(c) = column {
                    *o = row[*c];
                }
            }
        });
    out
}

/// The units of `data`'s values as judged from them ([`InputUnits::judge`]), or the reason no
/// unit-free reading exists.
pub(crate) fn judged_units(data: &Dataset) -> Result<JudgedUnits> {
    InputUnits::judge(data.value_kind()).map_err(|reason| Error::UnreadableUnits {
        reason,
        negatives: data.negative_values().unwrap_or_default(),
    })
}

/// Refuses when more than `max` of `total` genes are missing, naming how many and a few ids.
fn refuse_too_many(
    what: &'static str,
    missing: usize,
    total: usize,
    max: f64,
    ids: &[String],
) -> Result<()> {
    let fraction = if total == 0 {
        0.0
    } else {
        missing as f64 / total as f64
    };
    if fraction > max {
        let mut examples: Vec<&str> = ids.iter().take(5).map(String::as_str).collect();
        if ids.len() > 5 {
            examples.push("...");
        }
        return Err(Error::TooManyMissingGenes {
            what,
            missing,
            total,
            allowed_percent: max * 100.0,
            examples: examples.join(", "),
        });
    }
    Ok(())
}

/// Column of each of `wanted` in `have`; an id not in `have` is an error naming it.
pub(crate) fn positions(have: &[String], wanted: &[String]) -> Result<Vec<usize>> {
    let index: HashMap<&str, usize> = have
        .iter()
        .enumerate()
        .map(|(i, g)| (g.as_str(), i))
        .collect();
    wanted
        .iter()
        .map(|g| {
            index
                .get(g.as_str())
                .copied()
                .ok_or_else(|| Error::NotEnoughData {
                    reason: format!("gene {g} is not in the training data"),
                })
        })
        .collect()
}
