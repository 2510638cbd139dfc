//! A training set prepared once for any number of models: the pipeline fitted on it, the genes
//! chosen and the matrix the classifier reads.
//!
//! Preparing is a large part of a fit on a large cohort: a copy of the whole training matrix,
//! TPM and log over every gene, and the Gini coefficient of every gene (a sort of its values).
//! On the paper preset's G+S training set (about 11,000 samples x 20,000 genes) it is a fifth of
//! an MLP fit and most of a LIN fit. Seeds and settings change only the classifier, so fitting
//! them on one [`PreparedTraining`] gives the models [`TrainedModel::fit`] gives, from one
//! preparation and one copy of the matrix shared by every fit (it is [`Sync`]: fits on several
//! threads read it together).

use ndarray::Array2;
use rnameta_core::{select_columns, Dataset, GeneInfo, Labels, SampleMeta, Task};
use rnameta_preprocess::check::Names;
use rnameta_preprocess::gini::gini_per_gene;
use rnameta_preprocess::selection::{by_gini, paper_selection, GeneSelection};
use rnameta_preprocess::{FittedStep, ModelInput, Pipeline, RankInput};

use super::{judged_units, positions, AugmentHook, GeneChoice, TrainedModel};
use super::{Preprocessing, DEFAULT_MAX_MISSING_FRACTION};
use crate::{Error, ModelSpec, Result};

/// A training set with its labels, prepared for fitting models of one task: the fitted
/// pipeline, the chosen genes and the classifier's input matrix (see the module docs).
#[derive(Debug)]
pub struct PreparedTraining<'a> {
    task: Task,
    samples: &'a [SampleMeta],
    labels: &'a Labels,
    preprocessing: Preprocessing,
    gene_ids: Vec<String>,
    columns: Vec<usize>,
    x: Array2<f32>,
}

impl<'a> PreparedTraining<'a> {
    /// Fits `pipeline` on `train` and chooses the genes by `genes` for `task`: everything a fit
    /// does before the classifier (`labels` parallel to `train`'s samples).
    pub fn new(
        task: Task,
        pipeline: &Pipeline,
        genes: &GeneChoice,
        train: &'a Dataset,
        labels: &'a Labels,
    ) -> Result<Self> {
        let (mut fitted, x) = pipeline.fit_transform(train)?;
        let (gene_ids, gene_selection) = choose_genes(genes, task, train, &x)?;
        let columns = positions(&fitted.genes, &gene_ids)?;
        let mut x_model = select_columns(x.view(), &columns);
        drop(x);
        if pipeline.model_input == ModelInput::WithinSampleRanks {
            let lengths = fitted.steps.iter().find_map(|step| match step {
                FittedStep::Tpm { lengths } => Some(columns.iter().map(|&c| lengths[c]).collect()),
                _ => None,
            });
            let rank_input = RankInput::fit(x_model.view(), lengths)?;
            let units = judged_units(train)?.units;
            let raw = select_columns(train.counts().view(), &columns);
            let present = vec![true; columns.len()];
            let names = Names::Ids {
                samples: train.samples(),
                genes: &gene_ids,
            };
            x_model = rank_input.transform(raw.view(), &present, units, names)?;
            fitted.rank_input = Some(rank_input);
        }
        let fill_values = training_means(&x_model, labels);
        Ok(Self {
            task,
            samples: train.samples(),
            labels,
            preprocessing: Preprocessing {
                pipeline: fitted,
                gene_selection,
                fill_values,
                max_missing_fraction: DEFAULT_MAX_MISSING_FRACTION,
                signal_genes: Vec::new(),
            },
            gene_ids,
            columns,
            x: x_model,
        })
    }

    /// The classifier's input: the training samples x the chosen genes, preprocessed.
    pub fn matrix(&self) -> &Array2<f32> {
        &self.x
    }

    /// The chosen genes, in the matrix's column order.
    pub fn gene_ids(&self) -> &[String] {
        &self.gene_ids
    }

    /// Fits the model of `spec` on the prepared matrix and the labelled samples (their study and
    /// data source go to the model, which is how DA tells the source domain from the biased one).
    pub fn fit(&self, spec: &ModelSpec) -> Result<TrainedModel> {
        self.fit_augmented(spec, &mut |_, _| Ok(None))
    }

    /// [`PreparedTraining::fit`] with the hook of [`TrainedModel::fit_augmented`] between the
    /// prepared matrix and the classifier.
    pub fn fit_augmented(
        &self,
        spec: &ModelSpec,
        augment: &mut AugmentHook<'_>,
    ) -> Result<TrainedModel> {
        let labels = self.labels;
        let mut classifier = spec.build()?;
        match augment(&self.x, labels)? {
            None => classifier.fit(self.x.view(), labels, self.samples)?,
            Some((x_more, labels_more)) => {
                let n = self.samples.len();
                if x_more.ncols() != self.x.ncols()
                    || x_more.nrows() < n
                    || labels_more.assigned().len() != x_more.nrows()
                    || labels_more.classes() != labels.classes()
                    || labels_more.assigned()[..n] != labels.assigned()[..]
                {
                    return Err(Error::InvalidParameter {
                        name: "augment",
                        reason: format!(
                            "the augmented training set must keep the {n} training rows x {} \
                             genes first with their labels, over the same classes; got {} rows x \
                             {} genes and {} labels",
                            self.x.ncols(),
                            x_more.nrows(),
                            x_more.ncols(),
                            labels_more.assigned().len()
                        ),
                    });
                }
                let source = self
                    .samples
                    .first()
                    .map(|s| s.data_source)
                    .unwrap_or_default();
                let mut meta = self.samples.to_vec();
                meta.extend(
                    (n..x_more.nrows())
                        .map(|i| SampleMeta::new(format!("synthetic-{}", i - n), source)),
                );
                classifier.fit(x_more.view(), &labels_more, &meta)?;
            }
        }
        Ok(TrainedModel {
            task: Some(self.task),
            preprocessing: self.preprocessing.clone(),
            gene_ids: self.gene_ids.clone(),
            columns: self.columns.clone(),
            classifier,
        })
    }
}

/// The classifier's genes and a description of how they were chosen.
fn choose_genes(
    choice: &GeneChoice,
    task: Task,
    train: &Dataset,
    x: &Array2<f32>,
) -> Result<(Vec<String>, String)> {
    let all = || train.genes().ids().map(str::to_owned).collect::<Vec<_>>();
    let selection = match choice {
        GeneChoice::All => return Ok((all(), format!("all {} genes", train.n_genes()))),
        GeneChoice::Ids(ids) => {
            return Ok((ids.clone(), format!("{} genes given by id", ids.len())));
        }
        GeneChoice::Chromosomes(chromosomes) => {
            let wanted: Vec<String> = chromosomes
                .iter()
                .map(|c| GeneInfo::normalise_chromosome(c))
                .collect();
            let ids: Vec<String> = train
                .genes()
                .genes()
                .iter()
                .filter(|g| {
                    g.chromosome
                        .as_deref()
                        .is_some_and(|c| wanted.contains(&GeneInfo::normalise_chromosome(c)))
                })
                .map(|g| g.id.clone())
                .collect();
            GeneSelection {
                reason: format!(
                    "genes on chromosomes {}: {} of {}",
                    chromosomes.join("+"),
                    ids.len(),
                    train.n_genes()
                ),
                gene_ids: ids,
            }
        }
        GeneChoice::Paper => {
            let gini = gini_per_gene(x.view(), Names::Dataset(train))?;
            paper_selection(task, train.genes(), &gini)?
        }
        GeneChoice::Gini {
            window,
            protein_coding_only,
        } => {
            let gini = gini_per_gene(x.view(), Names::Dataset(train))?;
            by_gini(train.genes(), &gini, *window, *protein_coding_only, None)?
        }
    };
    if selection.gene_ids.is_empty() {
        return Err(Error::NotEnoughData {
            reason: format!("no gene selected ({})", selection.reason),
        });
    }
    Ok((selection.gene_ids, selection.reason))
}

/// Mean of each column over the labelled rows (all rows when none is labelled).
fn training_means(x: &Array2<f32>, labels: &Labels) -> Vec<f32> {
    let rows: Vec<usize> = labels
        .assigned()
        .iter()
        .enumerate()
        .filter_map(|(r, c)| c.map(|_| r))
        .collect();
    let rows = if rows.is_empty() {
        (0..x.nrows()).collect()
    } else {
        rows
    };
    let n = rows.len().max(1) as f64;
    (0..x.ncols())
        .map(|j| (rows.iter().map(|&r| x[[r, j]] as f64).sum::<f64>() / n) as f32)
        .collect()
}
