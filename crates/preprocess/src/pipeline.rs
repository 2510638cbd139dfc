//! A preprocessing pipeline: ordered steps fitted on training samples, applied identically to any
//! new sample, and saved as JSON inside a model bundle.
//!
//! [`Pipeline`] is the recipe (which steps, in which order); [`Pipeline::fit`] gives a
//! [`FittedPipeline`] that carries every fitted parameter (gene lengths, the quantile reference,
//! z-score statistics) and the ordered gene ids it was fitted on. Transforming data whose genes
//! differ (missing, extra or reordered) is refused with the genes named: reorder first with
//! [`crate::harmonise::reorder_to`].

use ndarray::{Array2, ArrayView2};
use rnameta_core::{select_columns, Dataset, SampleMeta};
use serde::{Deserialize, Serialize};

use crate::check::{self, Names};
use crate::quantile::QuantileReference;
use crate::rank_input::RankInput;
use crate::scale::{self, LengthKind};
use crate::zscore::ZScore;
use crate::{Error, Result};

/// One step of a pipeline, as configured (nothing fitted yet).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// Counts to TPM with union exon lengths (taken from the training annotation at fit time).
    Tpm,
    /// Counts to counts per million (library size only, no gene lengths).
    Cpm,
    /// `log2(x + 1)`.
    Log2p1,
    /// `ln(1 + x)` (ARCHS4).
    Ln1p,
    /// Quantile normalisation to a reference fitted on the training samples.
    Quantile,
    /// Division by each gene's longest transcript length in bases (ARCHS4).
    DivideByLongestTranscript,
    /// Z-scoring with per-gene statistics fitted on the training samples.
    ZScore,
}

/// A step with its fitted parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum FittedStep {
    /// TPM with these union exon lengths (bases), one per gene.
    Tpm {
        /// Gene lengths in column order.
        lengths: Vec<f32>,
    },
    /// Counts per million.
    Cpm,
    /// `log2(x + 1)`.
    Log2p1,
    /// `ln(1 + x)`.
    Ln1p,
    /// Quantile normalisation to this reference.
    Quantile {
        /// The fitted reference distribution.
        reference: QuantileReference,
    },
    /// Division by these longest transcript lengths (bases).
    DivideByLongestTranscript {
        /// Gene lengths in column order.
        lengths: Vec<f32>,
    },
    /// Z-scoring with these statistics.
    ZScore {
        /// The fitted statistics.
        stats: ZScore,
    },
}

/// What the classifier reads of a pipeline's output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelInput {
    /// The pipeline's values of the model's genes, as they are: the input must come in the
    /// units the pipeline starts from (raw counts for TPM / CPM).
    #[default]
    Levels,
    /// Unit-free: each sample's own order of the model's genes mapped onto the training levels
    /// ([`RankInput`]); the pipeline's values are used for choosing the genes and as the
    /// reference, and an input in any units (counts, CPM, TPM, FPKM, log2 of them, log2 arrays)
    /// gives the same model input. Fitted by the model once its genes are chosen.
    WithinSampleRanks,
}

/// An ordered list of steps to fit.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Pipeline {
    /// The steps, applied in order.
    pub steps: Vec<Step>,
    /// What the classifier reads of the steps' output (absent in JSON written before it
    /// existed: the levels).
    #[serde(default)]
    pub model_input: ModelInput,
}

/// A fitted pipeline: the gene ids it was fitted on and the fitted steps. Serialisable to JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedPipeline {
    /// Canonical gene ids, in the column order the pipeline expects.
    pub genes: Vec<String>,
    /// The fitted steps, applied in order.
    pub steps: Vec<FittedStep>,
    /// The unit-free input over the model's genes, for a pipeline of
    /// [`ModelInput::WithinSampleRanks`] (fitted by the model once its genes are chosen; `None`
    /// for a pipeline whose levels the model reads).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rank_input: Option<RankInput>,
}

impl Pipeline {
    /// A pipeline of the given steps.
    pub fn new(steps: Vec<Step>) -> Self {
        Self {
            steps,
            model_input: ModelInput::Levels,
        }
    }

    /// The same steps with the classifier reading `input` of their output.
    pub fn with_model_input(mut self, input: ModelInput) -> Self {
        self.model_input = input;
        self
    }

    /// log2(TPM + 1) levels choose the genes and set the reference; the classifier reads each
    /// sample's own order of its genes ([`ModelInput::WithinSampleRanks`]), so that inputs in any
    /// units give the same answer.
    pub fn unit_free() -> Self {
        Self::tpm_log2().with_model_input(ModelInput::WithinSampleRanks)
    }

    /// The ARCHS4 recipe: ln(1+x), quantile normalisation, division by the longest transcript.
    pub fn archs4() -> Self {
        Self::new(vec![
            Step::Ln1p,
            Step::Quantile,
            Step::DivideByLongestTranscript,
        ])
    }

    /// log2(CPM + 1): for count tables without gene lengths.
    pub fn cpm_log2() -> Self {
        Self::new(vec![Step::Cpm, Step::Log2p1])
    }

    /// The recipe of Wartmann et al.: TPM then log2(x+1); z-scoring is left to the models.
    pub fn tpm_log2() -> Self {
        Self::new(vec![Step::Tpm, Step::Log2p1])
    }

    /// Fits every step on `train` (each step sees the output of the previous one).
    pub fn fit(&self, train: &Dataset) -> Result<FittedPipeline> {
        Ok(self.fit_transform(train)?.0)
    }

    /// Fits on `train` and returns the transformed training values too (one pass).
    pub fn fit_transform(&self, train: &Dataset) -> Result<(FittedPipeline, Array2<f32>)> {
        let names = Names::Dataset(train);
        let mut x = train.counts().as_standard_layout().into_owned();
        let mut fitted = Vec::with_capacity(self.steps.len());
        for step in &self.steps {
            let f = match step {
                Step::Tpm => FittedStep::Tpm {
                    lengths: scale::gene_lengths(train.genes(), LengthKind::UnionExon)?,
                },
                Step::Cpm => FittedStep::Cpm,
                Step::Log2p1 => FittedStep::Log2p1,
                Step::Ln1p => FittedStep::Ln1p,
                Step::Quantile => {
                    // Fit and transform with one sort per sample.
                    let (reference, y) = QuantileReference::fit_transform_named(x.view(), names)?;
                    x = y;
                    fitted.push(FittedStep::Quantile { reference });
                    continue;
                }
                Step::DivideByLongestTranscript => FittedStep::DivideByLongestTranscript {
                    lengths: scale::gene_lengths(train.genes(), LengthKind::LongestTranscript)?,
                },
                Step::ZScore => FittedStep::ZScore {
                    stats: ZScore::fit(x.view(), names)?,
                },
            };
            f.apply(&mut x, names)?;
            fitted.push(f);
        }
        Ok((
            FittedPipeline {
                genes: train.genes().ids().map(str::to_owned).collect(),
                steps: fitted,
                rank_input: None,
            },
            x,
        ))
    }
}

impl FittedStep {
    /// Whether transforming one gene of a sample reads the sample's other genes too (a row total
    /// or a rank): such a step cannot be applied to a subset of the genes.
    fn reads_whole_rows(&self) -> bool {
        matches!(
            self,
            FittedStep::Tpm { .. } | FittedStep::Cpm | FittedStep::Quantile { .. }
        )
    }

    /// The step for a matrix holding only the genes at `columns` (its per-gene parameters
    /// picked); `None` for a step that [reads whole rows](Self::reads_whole_rows).
    fn on_columns(&self, columns: &[usize]) -> Option<FittedStep> {
        let pick = |values: &[f32]| columns.iter().map(|&c| values[c]).collect::<Vec<f32>>();
        Some(match self {
            FittedStep::Tpm { .. } | FittedStep::Cpm | FittedStep::Quantile { .. } => return None,
            FittedStep::Log2p1 => FittedStep::Log2p1,
            FittedStep::Ln1p => FittedStep::Ln1p,
            FittedStep::DivideByLongestTranscript { lengths } => {
                FittedStep::DivideByLongestTranscript {
                    lengths: pick(lengths),
                }
            }
            FittedStep::ZScore { stats } => FittedStep::ZScore {
                stats: ZScore {
                    mean: pick(&stats.mean),
                    sd: pick(&stats.sd),
                    constant_genes: columns
                        .iter()
                        .enumerate()
                        .filter(|(_, c)| stats.constant_genes.contains(c))
                        .map(|(i, _)| i)
                        .collect(),
                },
            },
        })
    }

    /// Checks `x` as the step would before transforming it (a step that needs non-negative or
    /// finite values refuses others, naming the sample and gene).
    fn check_input(&self, x: ArrayView2<'_, f32>, names: Names<'_>) -> Result<()> {
        match self {
            FittedStep::Log2p1 => check::non_negative(x, names, scale::LOG2P1_INPUT),
            FittedStep::Ln1p => check::non_negative(x, names, scale::LN1P_INPUT),
            FittedStep::Tpm { .. } | FittedStep::Cpm => {
                check::non_negative(x, names, scale::TPM_INPUT)
            }
            _ => check::finite(x, names),
        }
    }

    /// Applies the step in place.
    fn apply(&self, x: &mut Array2<f32>, names: Names<'_>) -> Result<()> {
        match self {
            FittedStep::Tpm { lengths } => scale::tpm_inplace(x.view_mut(), lengths, names),
            FittedStep::Cpm => scale::cpm_inplace(x.view_mut(), names),
            FittedStep::Log2p1 => scale::log2p1_inplace(x.view_mut(), names),
            FittedStep::Ln1p => scale::ln1p_inplace(x.view_mut(), names),
            FittedStep::Quantile { reference } => reference.transform_inplace(x.view_mut(), names),
            FittedStep::DivideByLongestTranscript { lengths } => {
                scale::divide_by_length_inplace(x.view_mut(), lengths)
            }
            FittedStep::ZScore { stats } => stats.transform_inplace(x.view_mut(), names),
        }
    }
}

impl FittedPipeline {
    /// Transforms a dataset whose genes are exactly the fitted ones, in the same order; the result
    /// keeps the dataset's genes and samples.
    pub fn transform(&self, data: &Dataset) -> Result<Dataset> {
        let x = self.transform_values(data)?;
        Ok(Dataset::new(
            x,
            data.genes().clone(),
            data.samples().to_vec(),
        )?)
    }

    /// Transforms and returns only the values (samples x genes).
    pub fn transform_values(&self, data: &Dataset) -> Result<Array2<f32>> {
        check::same_genes(&self.genes, data.genes().ids())?;
        let mut x = data.counts().as_standard_layout().into_owned();
        for step in &self.steps {
            step.apply(&mut x, Names::Dataset(data))?;
        }
        Ok(x)
    }

    /// The columns `keep` (positions in the pipeline's gene list) of what
    /// [`transform_values`](Self::transform_values) returns for `x`, a samples x genes matrix
    /// already in the pipeline's gene order (rows named by `samples`).
    ///
    /// A model reads a few thousand of the pipeline's genes: the steps after the last one that
    /// reads whole rows (TPM, CPM, quantile normalisation) are applied to the kept genes only,
    /// so the result equals `transform_values` followed by a column selection, bit for bit, at a
    /// fraction of the work. The input is still checked in full as the first step would.
    pub fn transform_columns(
        &self,
        mut x: Array2<f32>,
        keep: &[usize],
        samples: &[SampleMeta],
    ) -> Result<Array2<f32>> {
        if x.ncols() != self.genes.len() {
            return Err(Error::LengthMismatch {
                what: "pipeline input columns (the pipeline's genes)",
                expected: self.genes.len(),
                got: x.ncols(),
            });
        }
        if x.nrows() != samples.len() {
            return Err(Error::LengthMismatch {
                what: "pipeline input rows (samples named)",
                expected: samples.len(),
                got: x.nrows(),
            });
        }
        if let Some(&bad) = keep.iter().find(|&&c| c >= self.genes.len()) {
            return Err(Error::InvalidParameter {
                name: "keep",
                reason: format!(
                    "column {bad} is past the pipeline's {} genes",
                    self.genes.len()
                ),
            });
        }
        let whole_rows = self
            .steps
            .iter()
            .rposition(FittedStep::reads_whole_rows)
            .map_or(0, |last| last + 1);
        let all_names = Names::Ids {
            samples,
            genes: &self.genes,
        };
        if whole_rows == 0 {
            if let Some(first) = self.steps.first() {
                first.check_input(x.view(), all_names)?;
            }
        }
        for step in &self.steps[..whole_rows] {
            step.apply(&mut x, all_names)?;
        }
        let mut kept = select_columns(x.view(), keep);
        drop(x);
        let kept_genes: Vec<String> = keep.iter().map(|&c| self.genes[c].clone()).collect();
        let kept_names = Names::Ids {
            samples,
            genes: &kept_genes,
        };
        for step in &self.steps[whole_rows..] {
            let step = step
                .on_columns(keep)
                .expect("no step after the last whole-row step reads whole rows");
            step.apply(&mut kept, kept_names)?;
        }
        Ok(kept)
    }

    /// The pipeline as JSON.
    pub fn to_json(&self) -> Result<String> {
        Ok(serde_json::to_string(self)?)
    }

    /// Reads a pipeline written by [`FittedPipeline::to_json`].
    pub fn from_json(json: &str) -> Result<Self> {
        Ok(serde_json::from_str(json)?)
    }
}
