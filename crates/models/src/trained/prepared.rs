//! A training set prepared once for any number of models: the pipeline fitted on it, the genes
//! chosen and the matrix the classifier reads.
//!
//! Preparing is a large part of a fit on a large cohort: TPM and log over every gene and the Gini
//! coefficient of every gene (a sort of its values). On the paper preset's G+S training set
//! (about 11,000 samples x 20,000 genes) it is a fifth of an MLP fit and most of a LIN fit. Seeds
//! and settings change only the classifier, so fitting them on one [`PreparedTraining`] gives the
//! models [`TrainedModel::fit`] gives, from one preparation and one copy of the matrix shared by
//! every fit (it is [`Sync`]: fits on several threads read it together). For a pipeline that
//! [fits column-wise](Pipeline::fits_column_wise) (TPM or CPM, then logs) the transformed
//! training set is never held whole: the Gini coefficients are computed a block of genes at a
//! time and the classifier's genes transformed from the counts, so a preparation holds the
//! training counts and the classifier's matrix, not a second copy of the counts.

use ndarray::{Array2, ArrayView2};
use std::borrow::Cow;

use rnameta_core::{
    select_columns, Dataset, DatasetView, GeneAnnotation, GeneInfo, Labels, SampleMeta, Task,
};
use rnameta_preprocess::check::Names;
use rnameta_preprocess::gini::gini_per_gene;
use rnameta_preprocess::selection::{by_gini, paper_selection, GeneSelection};
use rnameta_preprocess::{FittedStep, ModelInput, Pipeline, RankInput};

use super::{judged_units, positions, AugmentHook, GeneChoice, TrainedModel};
use super::{Preprocessing, DEFAULT_MAX_MISSING_FRACTION};
use crate::bundle::SavedClassifier;
use crate::{Error, ModelSpec, Result};

/// A training set with its labels, prepared for fitting models of one task: the fitted
/// pipeline, the chosen genes and the classifier's input matrix (see the module docs).
#[derive(Debug)]
pub struct PreparedTraining<'a> {
    task: Task,
    samples: Cow<'a, [SampleMeta]>,
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
        Self::stacked(task, pipeline, genes, &[train.into()], labels)
    }

    /// [`PreparedTraining::new`] on the samples of `parts` stacked in order (datasets, or runs
    /// of their samples, of the same genes; `labels` parallel to all their samples): the model
    /// [`TrainedModel::fit`] gives on the parts concatenated, without the concatenation when the
    /// pipeline [fits column-wise](Pipeline::fits_column_wise) and the model reads its levels (a
    /// training set of GTEx and SRA then costs the classifier's matrix, not a copy of both
    /// datasets; one cut from them, [`DatasetView::runs`], not a copy of the cut).
    pub fn stacked(
        task: Task,
        pipeline: &Pipeline,
        genes: &GeneChoice,
        parts: &[DatasetView<'a>],
        labels: &'a Labels,
    ) -> Result<Self> {
        let Some(&first_part) = parts.first() else {
            return Err(Error::NotEnoughData {
                reason: "a training set of no dataset".to_owned(),
            });
        };
        let samples: Cow<'a, [SampleMeta]> = match parts {
            [one] => Cow::Borrowed(one.samples()),
            _ => Cow::Owned(parts.iter().flat_map(|p| p.samples()).cloned().collect()),
        };
        let ranks_by_gini = matches!(genes, GeneChoice::Paper | GeneChoice::Gini { .. });
        // Every training sample as one dataset, where a step needs one.
        let whole = || DatasetView::as_one(parts).map_err(rnameta_preprocess::Error::from);
        let (mut fitted, gene_ids, gene_selection, columns, mut x_model);
        let mut train: Option<Cow<'a, Dataset>> = None;
        if pipeline.fits_column_wise()
            && (parts.len() == 1 || pipeline.model_input == ModelInput::Levels)
        {
            // The Gini coefficients from the transformed values a block of genes at a time, and
            // the classifier's genes transformed from the counts: the transformed training set
            // is never held whole, nor the parts concatenated.
            let mut gini = Vec::new();
            let all_genes: Vec<String> = first_part.genes().ids().map(str::to_owned).collect();
            fitted = if ranks_by_gini {
                pipeline.fit_visiting_columns(parts, |first, block| {
                    let names = Names::Ids {
                        samples: &samples,
                        genes: &all_genes[first..first + block.ncols()],
                    };
                    gini.extend(gini_per_gene(block, names)?);
                    Ok::<(), Error>(())
                })?
            } else {
                pipeline.fit_stacked(parts)?
            };
            (gene_ids, gene_selection) = choose_genes(genes, task, first_part.genes(), &gini)?;
            columns = positions(&fitted.genes, &gene_ids)?;
            x_model = fitted.transform_stacked_columns(parts, &columns)?;
        } else {
            let all = train.insert(whole()?);
            let x;
            (fitted, x) = pipeline.fit_transform(all)?;
            let gini = if ranks_by_gini {
                gini_per_gene(x.view(), Names::Dataset(all))?
            } else {
                Vec::new()
            };
            (gene_ids, gene_selection) = choose_genes(genes, task, all.genes(), &gini)?;
            columns = positions(&fitted.genes, &gene_ids)?;
            x_model = select_columns(x.view(), &columns);
        }
        if pipeline.model_input == ModelInput::WithinSampleRanks {
            // Every training sample at once: one part, or the parts concatenated.
            let train = match train {
                Some(train) => train,
                None => whole()?,
            };
            let lengths = fitted.steps.iter().find_map(|step| match step {
                FittedStep::Tpm { lengths } => Some(columns.iter().map(|&c| lengths[c]).collect()),
                _ => None,
            });
            let rank_input = RankInput::fit(x_model.view(), lengths)?;
            let units = judged_units(&train)?.units;
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
            samples,
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
        let mut classifier = spec.build()?;
        classifier.fit(self.x.view(), self.labels, &self.samples)?;
        Ok(self.trained(classifier))
    }

    /// [`PreparedTraining::fit`] with the hook of [`TrainedModel::fit_augmented`] between the
    /// prepared matrix and the classifier.
    pub fn fit_augmented(
        &self,
        spec: &ModelSpec,
        augment: &mut AugmentHook<'_>,
    ) -> Result<TrainedModel> {
        match augment(&self.x, self.labels)? {
            None => self.fit(spec),
            Some((x_more, labels_more)) => self.fit_extended(spec, x_more.view(), &labels_more),
        }
    }

    /// Fits the model of `spec` on the prepared matrix extended by more rows: `x_more` holds the
    /// prepared matrix's rows first, then the added ones (synthetic samples, named
    /// `synthetic-<i>`, of the first training sample's data source), and `labels_more` their
    /// labels, the prepared ones first. One augmented matrix can so serve several models without
    /// a copy for each ([`PreparedTraining::fit_augmented`] hands each fit its own).
    pub fn fit_extended(
        &self,
        spec: &ModelSpec,
        x_more: ArrayView2<'_, f32>,
        labels_more: &Labels,
    ) -> Result<TrainedModel> {
        let labels = self.labels;
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
                    "the augmented training set must keep the {n} training rows x {} genes \
                     first with their labels, over the same classes; got {} rows x {} genes and \
                     {} labels",
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
            (n..x_more.nrows()).map(|i| SampleMeta::new(format!("synthetic-{}", i - n), source)),
        );
        let mut classifier = spec.build()?;
        classifier.fit(x_more, labels_more, &meta)?;
        Ok(self.trained(classifier))
    }

    /// The model of this preparation with `classifier`, fitted on it.
    fn trained(&self, classifier: Box<dyn SavedClassifier>) -> TrainedModel {
        TrainedModel {
            task: Some(self.task),
            preprocessing: self.preprocessing.clone(),
            gene_ids: self.gene_ids.clone(),
            columns: self.columns.clone(),
            classifier,
        }
    }
}

/// The classifier's genes and a description of how they were chosen (`gini`: each gene's Gini
/// coefficient over the transformed training set, computed for the choices that rank by it).
fn choose_genes(
    choice: &GeneChoice,
    task: Task,
    annotation: &GeneAnnotation,
    gini: &[f64],
) -> Result<(Vec<String>, String)> {
    let all = || annotation.ids().map(str::to_owned).collect::<Vec<_>>();
    let selection = match choice {
        GeneChoice::All => return Ok((all(), format!("all {} genes", annotation.len()))),
        GeneChoice::Ids(ids) => {
            return Ok((ids.clone(), format!("{} genes given by id", ids.len())));
        }
        GeneChoice::Chromosomes(chromosomes) => {
            let wanted: Vec<String> = chromosomes
                .iter()
                .map(|c| GeneInfo::normalise_chromosome(c))
                .collect();
            let ids: Vec<String> = annotation
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
                    annotation.len()
                ),
                gene_ids: ids,
            }
        }
        GeneChoice::Paper => paper_selection(task, annotation, gini)?,
        GeneChoice::Gini {
            window,
            protein_coding_only,
        } => by_gini(annotation, gini, *window, *protein_coding_only, None)?,
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
