//! A preprocessing pipeline: ordered steps fitted on training samples, applied identically to any
//! new sample, and saved as JSON inside a model bundle.
//!
//! [`Pipeline`] is the recipe (which steps, in which order); [`Pipeline::fit`] gives a
//! [`FittedPipeline`] that carries every fitted parameter (gene lengths, the quantile reference,
//! z-score statistics) and the ordered gene ids it was fitted on. Transforming data whose genes
//! differ (missing, extra or reordered) is refused with the genes named: reorder first with
//! [`crate::harmonise::reorder_to`].

use ndarray::{Array2, ArrayView2, ArrayViewMut2, Axis, CowArray, Ix2};
use rayon::prelude::*;
use rnameta_core::{
    select_columns, select_columns_into, Dataset, DatasetView, GeneAnnotation, SampleMeta,
};
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
        self.fit_stacked(&[train.into()])
    }

    /// [`fit`](Self::fit) on the samples of `parts` stacked in order (datasets, or runs of
    /// their samples, of the same genes): for a pipeline that
    /// [fits column-wise](Self::fits_column_wise), every part's values are checked and nothing
    /// is copied; others are fitted on the parts concatenated.
    pub fn fit_stacked(&self, parts: &[DatasetView<'_>]) -> Result<FittedPipeline> {
        match self.fit_column_wise(parts)? {
            Some((fitted, _)) => Ok(fitted),
            None => Ok(self.fit_transform(DatasetView::as_one(parts)?.as_ref())?.0),
        }
    }

    /// Fits on `train` and returns the transformed training values too (one pass).
    pub fn fit_transform(&self, train: &Dataset) -> Result<(FittedPipeline, Array2<f32>)> {
        let names = Names::Dataset(train);
        let mut x = train.counts().as_standard_layout().into_owned();
        let mut fitted = Vec::with_capacity(self.steps.len());
        for step in &self.steps {
            let f = match step {
                Step::Quantile => {
                    // Fit and transform with one sort per sample.
                    let (reference, y) = QuantileReference::fit_transform_named(x.view(), names)?;
                    x = y;
                    fitted.push(FittedStep::Quantile { reference });
                    continue;
                }
                Step::ZScore => FittedStep::ZScore {
                    stats: ZScore::fit(x.view(), names)?,
                },
                _ => step
                    .fit_from_annotation(train.genes())?
                    .expect("only quantile and z-score steps are fitted on values"),
            };
            f.apply(x.view_mut(), names)?;
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

    /// Fits on `train`, the samples of `parts` stacked in order (datasets of the same genes),
    /// and hands its transformed values to `visit` a block of columns at a time:
    /// `visit(first_column, block)`, the blocks in column order and together covering every gene.
    ///
    /// What [`fit_transform`](Self::fit_transform) gives on the parts concatenated, bit for bit,
    /// without the concatenation and without holding the transformed matrix whole when the
    /// pipeline [fits column-wise](Self::fits_column_wise): the Gini ranking of a large training
    /// set's genes then costs blocks of a few tens of MB, not one or two more copies of the set.
    /// Other pipelines (quantile normalisation, z-scoring) are fitted on the concatenation,
    /// transformed whole and visited in blocks of that.
    pub fn fit_visiting_columns<E: From<Error>>(
        &self,
        parts: &[DatasetView<'_>],
        visit: impl FnMut(usize, ArrayView2<'_, f32>) -> std::result::Result<(), E>,
    ) -> std::result::Result<FittedPipeline, E> {
        let samples: usize = parts.iter().map(|part| part.n_samples()).sum();
        let width = VISIT_BLOCK_VALUES.div_ceil(samples.max(1)).max(1);
        self.fit_visiting_blocks(parts, width, visit)
    }

    /// [`fit_visiting_columns`](Self::fit_visiting_columns) in blocks of `width` columns.
    fn fit_visiting_blocks<E: From<Error>>(
        &self,
        parts: &[DatasetView<'_>],
        width: usize,
        mut visit: impl FnMut(usize, ArrayView2<'_, f32>) -> std::result::Result<(), E>,
    ) -> std::result::Result<FittedPipeline, E> {
        let first_part = check_parts(parts)?;
        let genes = first_part.n_genes();
        let blocks = (0..genes).step_by(width);
        match self.fit_column_wise(parts)? {
            Some((fitted, totals)) => {
                for first in blocks {
                    let columns: Vec<usize> = (first..(first + width).min(genes)).collect();
                    let block = fitted.transform_parts(parts, &columns, &totals)?;
                    visit(first, block.view())?;
                }
                Ok(fitted)
            }
            None => {
                let train = DatasetView::as_one(parts).map_err(Error::from)?;
                let (fitted, x) = self.fit_transform(&train)?;
                for first in blocks {
                    let last = (first + width).min(genes);
                    visit(first, x.slice(ndarray::s![.., first..last]))?;
                }
                Ok(fitted)
            }
        }
    }

    /// Whether the pipeline fits and transforms a few genes at a time, never the whole matrix:
    /// every step is fitted from the gene annotation alone (no quantile normalisation, no
    /// z-scoring), the first step refuses negative input (TPM, CPM, a log), and none after it
    /// reads whole rows. Then [`fit`](Self::fit) only checks the input, and
    /// [`fit_visiting_columns`](Self::fit_visiting_columns) and
    /// [`FittedPipeline::transform_columns`] transform blocks of genes from each sample's total.
    pub fn fits_column_wise(&self) -> bool {
        let per_gene = |step: &Step| {
            matches!(
                step,
                Step::Log2p1 | Step::Ln1p | Step::DivideByLongestTranscript
            )
        };
        match self.steps.split_first() {
            Some((first, rest)) => {
                matches!(first, Step::Tpm | Step::Cpm | Step::Log2p1 | Step::Ln1p)
                    && rest.iter().all(per_gene)
            }
            None => false,
        }
    }

    /// The pipeline fitted without transforming `parts` (stacked samples of the same genes),
    /// with each part's [rate totals](FittedPipeline::rate_totals), when it
    /// [fits column-wise](Self::fits_column_wise); `None` otherwise. The input is checked in full
    /// as the first step checks it, and no later step can refuse what that step gives (finite
    /// and non-negative values), so fitting this way refuses exactly what
    /// [`fit_transform`](Self::fit_transform) refuses.
    fn fit_column_wise(
        &self,
        parts: &[DatasetView<'_>],
    ) -> Result<Option<(FittedPipeline, PartTotals)>> {
        if !self.fits_column_wise() {
            return Ok(None);
        }
        let first_part = check_parts(parts)?;
        let steps = self
            .steps
            .iter()
            .map(|step| {
                Ok(step
                    .fit_from_annotation(first_part.genes())?
                    .expect("a column-wise pipeline's steps are fitted from the annotation"))
            })
            .collect::<Result<Vec<_>>>()?;
        let fitted = FittedPipeline {
            genes: first_part.genes().ids().map(str::to_owned).collect(),
            steps,
            rank_input: None,
        };
        let totals = parts
            .iter()
            .map(|part| fitted.rate_totals(part.counts().view(), part.samples()))
            .collect::<Result<_>>()?;
        Ok(Some((fitted, totals)))
    }
}

/// What transforming the columns `keep` of a pipeline's input needs besides the values, made
/// once for every part and block of genes that reads them (a training set stacked from hundreds
/// of runs of samples would otherwise remake it hundreds of times): the kept genes' names (for
/// errors), a first TPM or CPM step's divisors at the kept genes, and the later steps picked at
/// the kept genes.
struct KeptColumns<'k> {
    keep: &'k [usize],
    genes: Vec<String>,
    rate_lengths: Option<Vec<f32>>,
    per_gene_steps: Vec<FittedStep>,
}

impl<'k> KeptColumns<'k> {
    /// For the steps of `pipeline` from `first` on, none of which reads whole rows.
    fn new(pipeline: &FittedPipeline, keep: &'k [usize], first: usize) -> Self {
        Self {
            keep,
            genes: keep.iter().map(|&c| pipeline.genes[c].clone()).collect(),
            rate_lengths: None,
            per_gene_steps: pipeline.steps[first..]
                .iter()
                .map(|step| {
                    step.on_columns(keep)
                        .expect("no step after the last whole-row step reads whole rows")
                })
                .collect(),
        }
    }

    /// For a pipeline that [transforms column-wise](FittedPipeline::transforms_column_wise): a
    /// first TPM or CPM step scales by each sample's rate total, the others run per gene.
    fn column_wise(pipeline: &FittedPipeline, keep: &'k [usize]) -> Self {
        match pipeline.rate_lengths(keep.iter().copied()) {
            Some(lengths) => Self {
                rate_lengths: Some(lengths),
                ..Self::new(pipeline, keep, 1)
            },
            None => Self::new(pipeline, keep, 0),
        }
    }

    /// The kept columns of `x` (rows named by `samples`) through every step, written into
    /// `out`, with the samples' rate totals of a first TPM or CPM step. Blocks of
    /// [`ROWS_PER_JOB`] rows run on the threads side by side, each through every step while it
    /// is in the cache (the gather of the kept columns, the scaling, the checks and the logs);
    /// every value is computed as one pass of each step over all the rows computes it, bit for
    /// bit.
    fn transform_into(
        &self,
        x: ArrayView2<'_, f32>,
        totals: Option<&[f64]>,
        samples: &[SampleMeta],
        mut out: ArrayViewMut2<'_, f32>,
    ) -> Result<()> {
        if x.nrows() <= ROWS_PER_JOB {
            return self.transform_rows_into(x, totals, samples, out);
        }
        let jobs: Vec<_> = x
            .axis_chunks_iter(Axis(0), ROWS_PER_JOB)
            .zip(out.axis_chunks_iter_mut(Axis(0), ROWS_PER_JOB))
            .zip(samples.chunks(ROWS_PER_JOB))
            .enumerate()
            .collect();
        let done: Vec<Result<()>> = jobs
            .into_par_iter()
            .map(|(job, ((x, out), samples))| {
                let first = job * ROWS_PER_JOB;
                let totals = totals.map(|t| &t[first..first + x.nrows()]);
                self.transform_rows_into(x, totals, samples, out)
            })
            .collect();
        // The first failing block's error: a bad value is named from the earliest block that
        // has one (with values bad in two ways in different blocks, the earlier block's, where
        // one pass over all the rows would name a non-finite value before a negative one).
        done.into_iter().collect()
    }

    /// [`transform_into`](Self::transform_into) of a few rows, on this thread.
    fn transform_rows_into(
        &self,
        x: ArrayView2<'_, f32>,
        totals: Option<&[f64]>,
        samples: &[SampleMeta],
        mut out: ArrayViewMut2<'_, f32>,
    ) -> Result<()> {
        select_columns_into(x, self.keep, out.view_mut());
        if let Some(lengths) = &self.rate_lengths {
            let totals = totals.expect("a first TPM or CPM step has each sample's total");
            scale::scale_by_rate_totals_inplace(out.view_mut(), lengths, totals);
        }
        self.apply(out, samples)
    }

    /// The per-gene steps applied to `kept`, the kept columns of their input.
    fn apply(&self, mut kept: ArrayViewMut2<'_, f32>, samples: &[SampleMeta]) -> Result<()> {
        let names = Names::Ids {
            samples,
            genes: &self.genes,
        };
        for step in &self.per_gene_steps {
            step.apply(kept.view_mut(), names)?;
        }
        Ok(())
    }
}

/// Rows [`KeptColumns::transform_into`] gives one thread at a time: 64 rows of a block of genes
/// are a few hundred kilobytes, and a training set of 20,000 samples makes hundreds of jobs.
const ROWS_PER_JOB: usize = 64;

/// A matrix of the samples of `parts` stacked in order and `width` columns, each part's rows
/// written by `fill(part number, part, its rows of the matrix)`. The parts are filled on the
/// threads side by side (a training set of GTEx and hundreds of runs of the SRA's samples would
/// otherwise give each run's few rows the threads in turn); an error is the first part's in
/// order.
fn stacked(
    parts: &[DatasetView<'_>],
    width: usize,
    fill: impl Fn(usize, &DatasetView<'_>, ArrayViewMut2<'_, f32>) -> Result<()> + Sync,
) -> Result<Array2<f32>> {
    let samples: usize = parts.iter().map(|part| part.n_samples()).sum();
    let mut out = Array2::zeros((samples, width));
    let mut rest = out.view_mut();
    let mut pieces = Vec::with_capacity(parts.len());
    for part in parts {
        let (piece, after) = rest.split_at(Axis(0), part.n_samples());
        pieces.push(piece);
        rest = after;
    }
    let done: Vec<Result<()>> = pieces
        .into_par_iter()
        .zip(parts.par_iter())
        .enumerate()
        .map(|(p, (piece, part))| fill(p, part, piece))
        .collect();
    done.into_iter().collect::<Result<()>>()?;
    Ok(out)
}

/// Each part's [`FittedPipeline::rate_totals`], in the order of the parts.
type PartTotals = Vec<Option<Vec<f64>>>;

/// The first of `parts`, after refusing no parts or parts of other genes than the first's.
fn check_parts<'d>(parts: &[DatasetView<'d>]) -> Result<DatasetView<'d>> {
    let Some((first, rest)) = parts.split_first() else {
        return Err(Error::TooFew {
            what: "a pipeline's training set",
            needed: 1,
            unit: "datasets",
            got: 0,
        });
    };
    let genes: Vec<String> = first.genes().ids().map(str::to_owned).collect();
    check_genes_of_parts(&genes, Some(first.genes()), rest)?;
    Ok(*first)
}

/// Refuses a part of `parts` whose genes are not `genes` (in order). Runs of one dataset share
/// its annotation, so each annotation is compared once where it first follows another (a
/// training set of GTEx then hundreds of runs of the SRA compares two); `known` is an annotation
/// already known to be `genes`.
fn check_genes_of_parts(
    genes: &[String],
    known: Option<&GeneAnnotation>,
    parts: &[DatasetView<'_>],
) -> Result<()> {
    let mut checked = known;
    for part in parts {
        if !checked.is_some_and(|annotation| std::ptr::eq(annotation, part.genes())) {
            check::same_genes(genes, part.genes().ids())?;
            checked = Some(part.genes());
        }
    }
    Ok(())
}

/// About how many values a block of [`Pipeline::fit_visiting_columns`] holds (64 MB of `f32`).
const VISIT_BLOCK_VALUES: usize = 16 << 20;

impl Step {
    /// The fitted step when its parameters come from the gene annotation alone (gene lengths) or
    /// it has none; `None` for a step fitted on the values (quantile reference, z-score).
    fn fit_from_annotation(&self, genes: &GeneAnnotation) -> Result<Option<FittedStep>> {
        Ok(Some(match self {
            Step::Tpm => FittedStep::Tpm {
                lengths: scale::gene_lengths(genes, LengthKind::UnionExon)?,
            },
            Step::Cpm => FittedStep::Cpm,
            Step::Log2p1 => FittedStep::Log2p1,
            Step::Ln1p => FittedStep::Ln1p,
            Step::DivideByLongestTranscript => FittedStep::DivideByLongestTranscript {
                lengths: scale::gene_lengths(genes, LengthKind::LongestTranscript)?,
            },
            Step::Quantile | Step::ZScore => return Ok(None),
        }))
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
    fn apply(&self, x: ArrayViewMut2<'_, f32>, names: Names<'_>) -> Result<()> {
        match self {
            FittedStep::Tpm { lengths } => scale::tpm_inplace(x, lengths, names),
            FittedStep::Cpm => scale::cpm_inplace(x, names),
            FittedStep::Log2p1 => scale::log2p1_inplace(x, names),
            FittedStep::Ln1p => scale::ln1p_inplace(x, names),
            FittedStep::Quantile { reference } => reference.transform_inplace(x, names),
            FittedStep::DivideByLongestTranscript { lengths } => {
                scale::divide_by_length_inplace(x, lengths)
            }
            FittedStep::ZScore { stats } => stats.transform_inplace(x, names),
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
            step.apply(x.view_mut(), Names::Dataset(data))?;
        }
        Ok(x)
    }

    /// The columns `keep` (positions in the pipeline's gene list) of what
    /// [`transform_values`](Self::transform_values) returns for `x`, a samples x genes matrix
    /// already in the pipeline's gene order (rows named by `samples`).
    ///
    /// A model reads a few thousand of the pipeline's genes. When a TPM or CPM first is the only
    /// step that reads whole rows, each sample's total is computed over every gene and the steps
    /// are applied to the kept genes only; otherwise the steps up to the last one reading whole
    /// rows (quantile normalisation) run on every gene and the rest on the kept ones. Either way
    /// the result equals `transform_values` followed by a column selection, bit for bit, at a
    /// fraction of the work, and the input is checked in full as the first step would.
    ///
    /// `x` is borrowed ([`ArrayView2`]) or given ([`Array2`]): only a pipeline with quantile
    /// normalisation needs a whole copy to transform, and it takes a given matrix as its copy.
    pub fn transform_columns<'x>(
        &self,
        x: impl Into<CowArray<'x, f32, Ix2>>,
        keep: &[usize],
        samples: &[SampleMeta],
    ) -> Result<Array2<f32>> {
        let x = x.into();
        self.check_shape(x.view(), keep, samples)?;
        if self.transforms_column_wise() {
            let totals = self.rate_totals(x.view(), samples)?;
            let columns = KeptColumns::column_wise(self, keep);
            let mut kept = Array2::zeros((x.nrows(), keep.len()));
            columns.transform_into(x.view(), totals.as_deref(), samples, kept.view_mut())?;
            return Ok(kept);
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
        let mut x = x.into_owned();
        for step in &self.steps[..whole_rows] {
            step.apply(x.view_mut(), all_names)?;
        }
        let mut kept = select_columns(x.view(), keep);
        drop(x);
        KeptColumns::new(self, keep, whole_rows).apply(kept.view_mut(), samples)?;
        Ok(kept)
    }

    /// Refuses an input of other dimensions than the pipeline's genes and the named samples, or
    /// a kept column past the genes.
    fn check_shape(
        &self,
        x: ArrayView2<'_, f32>,
        keep: &[usize],
        samples: &[SampleMeta],
    ) -> Result<()> {
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
        Ok(())
    }

    /// Whether any subset of the genes transforms on its own given each sample's rate total: no
    /// step reads whole rows but a TPM or CPM first.
    fn transforms_column_wise(&self) -> bool {
        self.steps
            .iter()
            .skip(1)
            .chain(
                self.steps
                    .first()
                    .filter(|first| !matches!(first, FittedStep::Tpm { .. } | FittedStep::Cpm)),
            )
            .all(|step| !step.reads_whole_rows())
    }

    /// Each sample's [`scale::rate_totals`] over every gene for a first TPM or CPM step (`None`
    /// for another first step, whose input check this runs instead, or no step): the input of
    /// [`transform_kept`](Self::transform_kept).
    fn rate_totals(
        &self,
        x: ArrayView2<'_, f32>,
        samples: &[SampleMeta],
    ) -> Result<Option<Vec<f64>>> {
        let names = Names::Ids {
            samples,
            genes: &self.genes,
        };
        if let Some(lengths) = self.rate_lengths(0..self.genes.len()) {
            return scale::rate_totals(x, &lengths, names).map(Some);
        }
        match self.steps.first() {
            Some(first) => first.check_input(x, names).map(|()| None),
            None => Ok(None),
        }
    }

    /// What a first TPM or CPM step divides the genes `columns` by before the sample's total:
    /// TPM their lengths, CPM 1 (as [`scale::cpm_inplace`] computes it); `None` for another first
    /// step.
    fn rate_lengths(&self, columns: impl Iterator<Item = usize>) -> Option<Vec<f32>> {
        match self.steps.first() {
            Some(FittedStep::Tpm { lengths }) => Some(columns.map(|c| lengths[c]).collect()),
            Some(FittedStep::Cpm) => Some(columns.map(|_| 1.0).collect()),
            _ => None,
        }
    }

    /// The columns `keep` of the samples of `parts` stacked in order, through every step of a
    /// pipeline that [transforms column-wise](Self::transforms_column_wise), with each part's
    /// rate totals.
    fn transform_parts(
        &self,
        parts: &[DatasetView<'_>],
        keep: &[usize],
        totals: &[Option<Vec<f64>>],
    ) -> Result<Array2<f32>> {
        let columns = KeptColumns::column_wise(self, keep);
        stacked(parts, keep.len(), |p, part, out| {
            columns.transform_into(part.counts(), totals[p].as_deref(), part.samples(), out)
        })
    }

    /// [`transform_columns`](Self::transform_columns) of the samples of `parts` stacked in order
    /// (datasets in the pipeline's genes): the classifier's matrix of a training set made of
    /// several datasets (GTEx and SRA) without concatenating them, which for a pipeline that
    /// [fits column-wise](Pipeline::fits_column_wise) would be the one copy of every gene of every
    /// sample.
    pub fn transform_stacked_columns(
        &self,
        parts: &[DatasetView<'_>],
        keep: &[usize],
    ) -> Result<Array2<f32>> {
        check_genes_of_parts(&self.genes, None, parts)?;
        for part in parts {
            self.check_shape(part.counts().view(), keep, part.samples())?;
        }
        if self.transforms_column_wise() {
            let totals = parts
                .iter()
                .map(|part| self.rate_totals(part.counts().view(), part.samples()))
                .collect::<Result<Vec<_>>>()?;
            return self.transform_parts(parts, keep, &totals);
        }
        stacked(parts, keep.len(), |_, part, mut out| {
            out.assign(&self.transform_columns(part.counts(), keep, part.samples())?);
            Ok(())
        })
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

#[cfg(test)]
mod tests {
    use super::*;
    use rnameta_core::{DataSource, GeneInfo};

    /// Counts with zeros and ties over `genes` genes with both lengths set.
    fn counts(samples: usize, genes: usize) -> Dataset {
        let x = Array2::from_shape_fn((samples, genes), |(s, g)| {
            ((s * 7 + g * 13) % 23) as f32 * ((g % 5) as f32)
        });
        let infos = (0..genes)
            .map(|g| GeneInfo {
                union_exon_length: Some(200 + 37 * g as u32),
                longest_transcript_length: Some(500 + 11 * g as u32),
                ..GeneInfo::from_id(&format!("ENSG{g:011}"))
            })
            .collect();
        let meta = (0..samples)
            .map(|i| SampleMeta::new(format!("S{i}"), DataSource::Other))
            .collect();
        Dataset::new(x, GeneAnnotation::new(infos).unwrap(), meta).unwrap()
    }

    #[test]
    fn visited_blocks_are_the_fitted_transform_bit_for_bit() {
        let train = counts(40, 30);
        for pipeline in [
            Pipeline::tpm_log2(),
            Pipeline::cpm_log2(),
            Pipeline::archs4(),
            Pipeline::new(vec![Step::Tpm, Step::Log2p1, Step::ZScore]),
            Pipeline::new(vec![Step::Ln1p, Step::DivideByLongestTranscript]),
        ] {
            let (fitted, whole) = pipeline.fit_transform(&train).unwrap();
            let mut seen = Array2::<f32>::from_elem(whole.dim(), f32::NAN);
            let mut firsts = Vec::new();
            let visited = pipeline
                .fit_visiting_blocks(&[(&train).into()], 7, |first, block| {
                    firsts.push(first);
                    seen.slice_mut(ndarray::s![.., first..first + block.ncols()])
                        .assign(&block);
                    Ok::<(), Error>(())
                })
                .unwrap();
            assert_eq!(visited, fitted, "{pipeline:?}");
            assert_eq!(firsts, [0, 7, 14, 21, 28], "{pipeline:?}");
            assert!(
                seen.iter()
                    .zip(&whole)
                    .all(|(a, b)| a.to_bits() == b.to_bits()),
                "{pipeline:?}"
            );
        }
    }

    #[test]
    fn visiting_refuses_an_empty_sample_by_name() {
        let mut train = counts(5, 9);
        train.counts_mut().row_mut(3).fill(0.0);
        let err = Pipeline::tpm_log2()
            .fit_visiting_columns(&[(&train).into()], |_, _| Ok::<(), Error>(()))
            .unwrap_err();
        assert!(err.to_string().contains("S3"), "{err}");
    }

    #[test]
    fn stacked_parts_transform_as_their_concatenation() {
        // More rows than one job's (`ROWS_PER_JOB`), so that parts and blocks of rows run side
        // by side, and are compared with the whole matrix transformed in one pass.
        let whole = counts(300, 20);
        // Three runs of its samples, read where they lie: one shorter than a job, one ending in a
        // partial job.
        let parts = [
            DatasetView::rows(&whole, 0..12).unwrap(),
            DatasetView::rows(&whole, 12..150).unwrap(),
            DatasetView::rows(&whole, 150..300).unwrap(),
        ];
        let keep = [19, 2, 2, 7];
        for pipeline in [
            Pipeline::tpm_log2(),
            Pipeline::cpm_log2(),
            Pipeline::archs4(),
        ] {
            let (fitted, x) = pipeline.fit_transform(&whole).unwrap();
            let mut seen = Array2::<f32>::from_elem(x.dim(), f32::NAN);
            let visited = pipeline
                .fit_visiting_blocks(&parts, 6, |first, block| {
                    seen.slice_mut(ndarray::s![.., first..first + block.ncols()])
                        .assign(&block);
                    Ok::<(), Error>(())
                })
                .unwrap();
            assert_eq!(visited, fitted, "{pipeline:?}");
            assert!(seen.iter().zip(&x).all(|(s, x)| s.to_bits() == x.to_bits()));
            let stacked = fitted.transform_stacked_columns(&parts, &keep).unwrap();
            let alone = fitted
                .transform_columns(whole.counts(), &keep, whole.samples())
                .unwrap();
            assert!(stacked
                .iter()
                .zip(&alone)
                .all(|(s, x)| s.to_bits() == x.to_bits()));
        }
    }

    #[test]
    fn a_bad_value_past_the_first_jobs_names_its_sample() {
        let mut train = counts(300, 9);
        let fitted = Pipeline::tpm_log2().fit(&train).unwrap();
        train.counts_mut()[[201, 4]] = -1.0;
        let parts = [
            DatasetView::rows(&train, 0..100).unwrap(),
            DatasetView::rows(&train, 100..300).unwrap(),
        ];
        let err = fitted
            .transform_stacked_columns(&parts, &[4, 0])
            .unwrap_err();
        assert!(matches!(err, Error::Negative { .. }), "{err}");
        assert!(err.to_string().contains("S201"), "{err}");
    }

    #[test]
    fn stacked_parts_of_other_genes_are_refused() {
        let (a, b) = (counts(4, 9), counts(4, 8));
        let err = Pipeline::tpm_log2()
            .fit_visiting_columns(&[(&a).into(), (&b).into()], |_, _| Ok::<(), Error>(()))
            .unwrap_err();
        assert!(matches!(err, Error::GeneMismatch { .. }), "{err}");
        // Runs of a dataset of other genes after runs of the first are refused too, in a fit and
        // in a transform (each dataset's genes are compared once, not each run's).
        let run = |d, rows| DatasetView::rows(d, rows).unwrap();
        let mixed = [run(&a, 0..2), run(&a, 3..4), run(&b, 0..1), run(&b, 2..3)];
        let err = Pipeline::tpm_log2()
            .fit_visiting_columns(&mixed, |_, _| Ok::<(), Error>(()))
            .unwrap_err();
        assert!(matches!(err, Error::GeneMismatch { .. }), "{err}");
        let fitted = Pipeline::tpm_log2().fit(&a).unwrap();
        let err = fitted
            .transform_stacked_columns(&mixed, &[0, 1])
            .unwrap_err();
        assert!(matches!(err, Error::GeneMismatch { .. }), "{err}");
        assert!(fitted
            .transform_stacked_columns(&mixed[..2], &[0, 1])
            .is_ok());
        let none: [DatasetView<'_>; 0] = [];
        assert!(Pipeline::tpm_log2()
            .fit_visiting_columns(&none, |_, _| Ok::<(), Error>(()))
            .is_err());
    }
}
