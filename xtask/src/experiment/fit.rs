//! One model fit and its scores: a [`FitData`] holds what the fits of one arm share (the task, the
//! genes, the preprocessing, the training data with its labels and the test data), a
//! [`FitRequest`] adds the model's settings and seed, [`fit_and_score`] carries it out, and the
//! same request is the fit cache's key ([`FitRequest::key`], used by [`super::memo`]), so what is
//! fitted and what is looked up can never disagree.
//!
//! The fits of one [`FitData`] (seeds, trials) differ only in the classifier: the training set is
//! prepared once ([`PreparedTraining`]: the pipeline, the gene choice, the classifier's input
//! matrix) and the data's digests are computed once, both on first need (a resumed run whose fits
//! are all recorded needs neither), and shared by the fits running side by side.

use std::borrow::Cow;
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use ndarray::Array2;
use rnameta_core::{Dataset, DatasetView, Labels, Task};
use rnameta_models::{argmax_rows, GeneChoice, ModelSpec, PreparedTraining, TrainedModel};
use rnameta_preprocess::Pipeline;
use serde::{Deserialize, Serialize, Serializer};

use super::fingerprint::{labels_digest, stacked_digest, Key, CODE_HASH};

/// What the fits of one arm (or tune trial) share: everything a fit depends on but the model's
/// settings and seed. Serialised (part of the cache key, and what a record shows), the data appear
/// as their digests ([`stacked_digest`], [`labels_digest`]): every value, label and sample id.
pub struct FitData<'a> {
    /// What the labels mean (the test samples' truth is read for it).
    pub task: Task,
    /// Which genes the model reads.
    pub genes: GeneChoice,
    /// The preprocessing fitted on the training data (and what the model reads of it).
    pub pipeline: Pipeline,
    /// The training samples: one dataset, or several (GTEx and SRA, or runs of their samples)
    /// stacked in order, which are never concatenated ([`PreparedTraining::stacked`]).
    pub train: Vec<DatasetView<'a>>,
    /// Their labels (unlabelled samples are `None`).
    pub labels: &'a Labels,
    /// The samples scored: one dataset, or several (the SRA test studies as runs of the
    /// cohort's SRA samples) stacked in order, which are never copied whole (their model input is
    /// made a block of samples at a time); their own, or shared with other data.
    test: TestSide<'a>,
    /// Digests of the training data, its labels and the test data, once computed.
    digests: OnceLock<Digests>,
    /// The training set prepared for the classifier, once prepared.
    prepared: OnceLock<PreparedTraining<'a>>,
    /// The scored test rows and their model input, once made: every model fitted on the prepared
    /// training set reads test data through the same preprocessing and genes, so the test set
    /// (all of TCGA for some arms) is transformed once, not once per seed.
    test_input: OnceLock<(Vec<usize>, Array2<f32>)>,
    /// Held while one of the above is made, so that fits side by side make it once.
    making: Mutex<()>,
}

/// Samples scored by the fits of several [`FitData`] (the SRA test studies of every
/// subsampling of `bias-diversity`), whose digest is then made once for all of them: on the paper
/// preset a digest of the same 0.8 GB for every data was a tenth of a resumed `bias-diversity`.
pub struct SharedTest<'a> {
    /// The samples, stacked in order.
    parts: Vec<DatasetView<'a>>,
    /// Their digest ([`stacked_digest`]), once made.
    digest: OnceLock<String>,
    /// Held while the digest is made.
    making: Mutex<()>,
}

impl<'a> SharedTest<'a> {
    /// The samples of `parts`, stacked in order.
    pub fn new(parts: Vec<DatasetView<'a>>) -> Self {
        Self {
            parts,
            digest: OnceLock::new(),
            making: Mutex::new(()),
        }
    }

    /// Their digest, made on the first call.
    fn digest(&self) -> Result<&str> {
        made_once(&self.digest, &self.making, || stacked_digest(&self.parts)).map(String::as_str)
    }
}

/// A [`FitData`]'s test samples: its own, or shared with other data.
enum TestSide<'a> {
    /// Samples only this data scores (their digest made for it).
    Own(Vec<DatasetView<'a>>),
    /// Samples other data score too (their digest made once for all).
    Shared(&'a SharedTest<'a>),
}

impl<'a> TestSide<'a> {
    /// The samples, stacked in order.
    fn parts(&self) -> &[DatasetView<'a>] {
        match self {
            TestSide::Own(parts) => parts,
            TestSide::Shared(shared) => &shared.parts,
        }
    }

    /// Their digest ([`stacked_digest`]); a shared test set's is made once for every data.
    fn digest(&self) -> Result<String> {
        match self {
            TestSide::Own(parts) => stacked_digest(parts),
            TestSide::Shared(shared) => shared.digest().map(str::to_owned),
        }
    }
}

/// The digests of a [`FitData`]'s data, as they appear in the key.
#[derive(Clone, Serialize)]
struct Digests {
    train: String,
    labels: String,
    test: String,
}

impl<'a> FitData<'a> {
    /// The shared part of fits of `task` on `genes` read through `pipeline`, trained on `train`
    /// (labelled by `labels`) and scored on `test`.
    pub fn new(
        task: Task,
        genes: GeneChoice,
        pipeline: Pipeline,
        train: &'a Dataset,
        labels: &'a Labels,
        test: &'a Dataset,
    ) -> Self {
        Self::stacked(
            task,
            genes,
            pipeline,
            vec![train.into()],
            labels,
            vec![test.into()],
        )
    }

    /// [`FitData::new`] trained on the samples of `train` stacked in order (datasets, or runs of
    /// their samples, of the same genes; `labels` parallel to all their samples) and scored on
    /// the samples of `test` stacked in order.
    pub fn stacked(
        task: Task,
        genes: GeneChoice,
        pipeline: Pipeline,
        train: Vec<DatasetView<'a>>,
        labels: &'a Labels,
        test: Vec<DatasetView<'a>>,
    ) -> Self {
        Self::with_test(task, genes, pipeline, train, labels, TestSide::Own(test))
    }

    /// [`FitData::stacked`] scored on test samples shared with other data, whose digest is made
    /// once for all of them (the key is the same as with the samples given as they are).
    pub fn stacked_on_shared_test(
        task: Task,
        genes: GeneChoice,
        pipeline: Pipeline,
        train: Vec<DatasetView<'a>>,
        labels: &'a Labels,
        test: &'a SharedTest<'a>,
    ) -> Self {
        Self::with_test(task, genes, pipeline, train, labels, TestSide::Shared(test))
    }

    /// The data of both constructors.
    fn with_test(
        task: Task,
        genes: GeneChoice,
        pipeline: Pipeline,
        train: Vec<DatasetView<'a>>,
        labels: &'a Labels,
        test: TestSide<'a>,
    ) -> Self {
        Self {
            task,
            genes,
            pipeline,
            train,
            labels,
            test,
            digests: OnceLock::new(),
            prepared: OnceLock::new(),
            test_input: OnceLock::new(),
            making: Mutex::new(()),
        }
    }

    /// The value in `cell`, made by `make` on the first call ([`made_once`] under this data's
    /// lock).
    fn once<'s, T>(
        &'s self,
        cell: &'s OnceLock<T>,
        make: impl FnOnce() -> Result<T>,
    ) -> Result<&'s T> {
        made_once(cell, &self.making, make)
    }

    /// The training set prepared for the classifier, prepared on the first call.
    pub fn prepared(&self) -> Result<&PreparedTraining<'a>> {
        self.once(&self.prepared, || {
            Ok(PreparedTraining::stacked(
                self.task,
                &self.pipeline,
                &self.genes,
                &self.train,
                self.labels,
            )?)
        })
    }

    /// Scores `model`, fitted on this data's [prepared](FitData::prepared) training set, on every
    /// test sample whose class it knows, from the test input made for the first model scored.
    pub fn score(&self, model: &TrainedModel) -> Result<Scored> {
        let names = test_names(self.task, self.test.parts());
        score_rows(model, &names, |rows| self.test_input(model, rows))
    }

    /// The model input of the test rows `rows` for `model` (fitted on this data's prepared
    /// training set), made on the first call; a call for other rows (never, as the rows follow the
    /// classes, which every fit of one data shares) makes its own.
    fn test_input(&self, model: &TrainedModel, rows: &[usize]) -> Result<Cow<'_, Array2<f32>>> {
        let make = || stacked_input_rows(model, self.test.parts(), rows);
        let (cached_rows, input) = self.once(&self.test_input, || Ok((rows.to_vec(), make()?)))?;
        if cached_rows == rows {
            Ok(Cow::Borrowed(input))
        } else {
            Ok(Cow::Owned(make()?))
        }
    }

    /// The digests of the data, computed on the first call.
    fn digests(&self) -> Result<&Digests> {
        self.once(&self.digests, || {
            Ok(Digests {
                train: stacked_digest(&self.train)?,
                labels: labels_digest(self.labels),
                test: self.test.digest()?,
            })
        })
    }
}

/// The value in `cell`, made by `make` on the first call. Fits running side by side wait under
/// `making` for the one making it instead of making it again (a preparation or a digest of a
/// gigabyte of data is seconds of work); a failed `make` leaves `cell` empty for the next caller.
pub fn made_once<'s, T>(
    cell: &'s OnceLock<T>,
    making: &Mutex<()>,
    make: impl FnOnce() -> Result<T>,
) -> Result<&'s T> {
    if let Some(value) = cell.get() {
        return Ok(value);
    }
    let _making = making.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(value) = cell.get() {
        return Ok(value);
    }
    let value = make()?;
    Ok(cell.get_or_init(|| value))
}

impl Serialize for FitData<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        /// The key's form of the shared part (the field order is the key's).
        #[derive(Serialize)]
        struct Shown<'b> {
            #[serde(serialize_with = "task_name")]
            task: Task,
            genes: &'b GeneChoice,
            pipeline: &'b Pipeline,
            train: &'b str,
            labels: &'b str,
            test: &'b str,
        }
        let digests = self.digests().map_err(serde::ser::Error::custom)?;
        Shown {
            task: self.task,
            genes: &self.genes,
            pipeline: &self.pipeline,
            train: &digests.train,
            labels: &digests.labels,
            test: &digests.test,
        }
        .serialize(s)
    }
}

/// One fit: the model's settings and seed on an arm's shared [`FitData`].
#[derive(Clone, Serialize)]
pub struct FitRequest<'a> {
    /// The model and its settings, seed included.
    pub spec: ModelSpec,
    /// Everything else the fit depends on.
    #[serde(flatten)]
    pub data: &'a FitData<'a>,
}

impl FitRequest<'_> {
    /// The cache key: hex SHA-256 of the code hash and this request.
    pub fn key(&self) -> Result<String> {
        self.key_for_code(CODE_HASH)
    }

    /// The key under the code hash `code` (tests vary it).
    pub fn key_for_code(&self, code: &str) -> Result<String> {
        Ok(self.keyed(code)?.0)
    }

    /// The key under [`CODE_HASH`] and the request as JSON (what a record shows), the data hashed
    /// once for both.
    pub fn key_and_json(&self) -> Result<(String, serde_json::Value)> {
        self.keyed(CODE_HASH)
    }

    fn keyed(&self, code: &str) -> Result<(String, serde_json::Value)> {
        let json = serde_json::to_value(self)?;
        let key = Key::for_code(code).text("fit").json(&json)?.finish();
        Ok((key, json))
    }
}

fn task_name<S: Serializer>(task: &Task, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(task.as_str())
}

/// What one trained model scored on one test set.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Scores {
    /// Mean sample accuracy.
    pub msa: f64,
    /// Mean class accuracy.
    pub mca: f64,
    /// Fit + predict wall time, seconds.
    pub seconds: f64,
    /// Scored test samples.
    pub n_test: usize,
    /// Genes the model read.
    pub n_genes: usize,
    /// Test classes the model does not know, with their sample counts (not scored).
    pub unscored: Vec<(String, usize)>,
}

impl Scores {
    /// msa and mca of `scored` for `model`, with the time it took.
    pub fn of(model: &TrainedModel, scored: Scored, seconds: f64) -> Result<Self> {
        let k = model.classes().len();
        Ok(Self {
            msa: rnameta_eval::metrics::msa(&scored.truth, &scored.predicted, k)?,
            mca: rnameta_eval::metrics::mca(&scored.truth, &scored.predicted, k)?,
            seconds,
            n_test: scored.truth.len(),
            n_genes: model.gene_ids().len(),
            unscored: scored.unscored,
        })
    }
}

/// Trains the request's model on its data's prepared training set (prepared by the first fit
/// that needs it) and scores it on its test data (transformed by the first fit that scores). The
/// time counts the fit and the scoring (for the first fit to score, the test set's transformation
/// too), not the shared preparation.
pub fn fit_and_score(request: &FitRequest<'_>) -> Result<(TrainedModel, Scores)> {
    let data = request.data;
    let prepared = data.prepared()?;
    let start = Instant::now();
    let model = prepared.fit(&request.spec)?;
    let scored = data.score(&model)?;
    let scores = Scores::of(&model, scored, start.elapsed().as_secs_f64())?;
    Ok((model, scores))
}

/// The test samples a model was scored on: their true and predicted classes (the model's class
/// indices), their probabilities, and the test classes the model does not know with their sample
/// counts (not scored).
pub struct Scored {
    /// True class of each scored sample.
    pub truth: Vec<usize>,
    /// Most probable class of each scored sample.
    pub predicted: Vec<usize>,
    /// Probabilities of the scored samples (rows in `truth` order).
    pub proba: ndarray::Array2<f32>,
    /// Test classes the model does not know, with their sample counts.
    pub unscored: Vec<(String, usize)>,
}

/// Scores every test sample whose class, for `task`, the model knows.
pub fn score_input(task: Task, model: &TrainedModel, test: &Dataset) -> Result<Scored> {
    score_stacked(task, model, &[test.into()])
}

/// Each test sample's class name for `task`, over the samples of `parts` stacked in order.
fn test_names(task: Task, parts: &[DatasetView<'_>]) -> Vec<Option<String>> {
    parts
        .iter()
        .flat_map(|part| part.samples())
        .map(|s| task.label_of(s))
        .collect()
}

/// The rows of the test samples whose class name in `names` the model knows (matched loosely),
/// their true classes (the model's indices), and the other test classes with their counts.
type ScoredRows = (Vec<usize>, Vec<usize>, Vec<(String, usize)>);

fn scored_rows(model: &TrainedModel, names: &[Option<String>]) -> Result<ScoredRows> {
    let (labels, unmatched) = Labels::within_classes(model.classes().to_vec(), names);
    let rows: Vec<usize> = (0..names.len())
        .filter(|&i| labels.assigned()[i].is_some())
        .collect();
    if rows.is_empty() {
        bail!("no test sample has a class the model knows");
    }
    let truth = rows.iter().filter_map(|&i| labels.assigned()[i]).collect();
    Ok((rows, truth, unmatched.into_iter().collect()))
}

/// [`score_input`] over test samples held in `parts` (datasets of the same genes, or runs of
/// their samples) stacked in order, without concatenating them.
pub fn score_stacked(
    task: Task,
    model: &TrainedModel,
    parts: &[DatasetView<'_>],
) -> Result<Scored> {
    score_stacked_named(model, parts, &test_names(task, parts))
}

/// [`score_stacked`] from `input`, the model input of every sample of `parts` stacked in order
/// ([`stacked_model_input`]): the models fitted on one preparation read the same input, so a
/// caller scoring several of them makes it once.
pub fn score_stacked_input(
    task: Task,
    model: &TrainedModel,
    parts: &[DatasetView<'_>],
    input: &Array2<f32>,
) -> Result<Scored> {
    score_named_input(model, &test_names(task, parts), input)
}

/// [`score_stacked_input`] with the test samples' class names given, parallel to the rows of
/// `input` (grouped names: `annotate`'s catch-all and one-vs-all set-ups).
pub fn score_named_input(
    model: &TrainedModel,
    names: &[Option<String>],
    input: &Array2<f32>,
) -> Result<Scored> {
    if input.nrows() != names.len() {
        bail!(
            "the model input has {} rows for {} test samples",
            input.nrows(),
            names.len()
        );
    }
    score_rows(model, names, |rows| {
        Ok(if rows.len() == input.nrows() {
            Cow::Borrowed(input)
        } else {
            Cow::Owned(input.select(ndarray::Axis(0), rows))
        })
    })
}

/// Scores the samples of `parts` stacked in order whose class name in `names` (parallel to the
/// samples, matched loosely) the model knows.
pub fn score_stacked_named(
    model: &TrainedModel,
    parts: &[DatasetView<'_>],
    names: &[Option<String>],
) -> Result<Scored> {
    score_rows(model, names, |rows| {
        Ok(Cow::Owned(stacked_input_rows(model, parts, rows)?))
    })
}

/// Scores the test samples whose class name in `names` the model knows, reading their model
/// input from `input_of` (given their rows).
fn score_rows<'i>(
    model: &TrainedModel,
    names: &[Option<String>],
    input_of: impl FnOnce(&[usize]) -> Result<Cow<'i, Array2<f32>>>,
) -> Result<Scored> {
    let (rows, truth, unscored) = scored_rows(model, names)?;
    let input = input_of(&rows)?;
    let proba = model.classifier().predict_proba(input.view())?;
    Ok(Scored {
        truth,
        predicted: argmax_rows(&proba),
        proba,
        unscored,
    })
}

/// The model input of every sample of `parts` stacked in order, as scoring makes it (a model of
/// levels a block of samples at a time): a whole test side's input without a copy of its samples
/// at every gene.
pub fn stacked_model_input(model: &TrainedModel, parts: &[DatasetView<'_>]) -> Result<Array2<f32>> {
    let total: usize = parts.iter().map(DatasetView::n_samples).sum();
    stacked_input_rows(model, parts, &(0..total).collect::<Vec<_>>())
}

/// Scored samples made into a model input at a time (a model of levels): they are copied at
/// every gene for it (2,048 x 20,000 genes: 164 MB), never the whole test side.
const ROWS_PER_BLOCK: usize = 2_048;

/// The model input of the rows `rows` (ascending, counted over `parts` stacked in order).
///
/// A model of levels makes each sample's input from that sample alone (its own TPM total, then
/// per-gene steps), so the rows are made a block at a time from a copy of the block's samples:
/// the values of the whole parts' input at those rows, without a copy of every test sample at
/// every gene (the SRA test studies are runs of the cohort's SRA: 13,264 samples, 1.1 GB, on the
/// paper preset's tissue split); a block never spans two datasets. A unit-free model judges the
/// units of a dataset from all of its samples (as `annotate` judges a file), so each test
/// dataset's runs are read as one, as a dataset of their own would be, and its rows taken from
/// that input.
fn stacked_input_rows(
    model: &TrainedModel,
    parts: &[DatasetView<'_>],
    rows: &[usize],
) -> Result<Array2<f32>> {
    input_rows_in_blocks(model, parts, rows, ROWS_PER_BLOCK)
}

/// [`stacked_input_rows`] with a model of levels' rows made `rows_per_block` at a time.
fn input_rows_in_blocks(
    model: &TrainedModel,
    parts: &[DatasetView<'_>],
    rows: &[usize],
    rows_per_block: usize,
) -> Result<Array2<f32>> {
    let groups = rows_by_dataset(parts, rows)?;
    let mut input: Option<Array2<f32>> = None;
    let mut filled = 0;
    for (group, local) in &groups {
        if model.is_unit_free() {
            if local.is_empty() {
                continue;
            }
            let (whole, _) = model.model_input(DatasetView::as_one(group)?.as_ref())?;
            let chosen = if local.len() == whole.nrows() {
                whole
            } else {
                whole.select(ndarray::Axis(0), local)
            };
            write_rows(&mut input, rows.len(), &mut filled, &chosen);
            continue;
        }
        // Blocks never span two datasets: each is a copy of one dataset's samples.
        for block in local.chunks(rows_per_block) {
            let samples = DatasetView::concat(&DatasetView::runs(group, block)?)?;
            let (block_input, _) = model.model_input(&samples)?;
            write_rows(&mut input, rows.len(), &mut filled, &block_input);
        }
    }
    input.context("no test row to make a model input of")
}

/// The runs of `parts` grouped by the dataset they borrow from (consecutive parts of one dataset:
/// the SRA test studies, then TCGA), each with the rows of `rows` (ascending, counted over all the
/// parts stacked) that fall in it, counted from the group's first sample.
fn rows_by_dataset<'p, 'd>(
    parts: &'p [DatasetView<'d>],
    rows: &[usize],
) -> Result<Vec<(&'p [DatasetView<'d>], Vec<usize>)>> {
    let total: usize = parts.iter().map(DatasetView::n_samples).sum();
    if let Some(&past) = rows.iter().find(|&&row| row >= total) {
        bail!("test row {past} is past the {total} stacked test samples");
    }
    let mut groups = Vec::new();
    let (mut offset, mut next, mut first_part) = (0, 0, 0);
    while first_part < parts.len() {
        let dataset = parts[first_part].dataset();
        let end_part = first_part
            + parts[first_part..]
                .iter()
                .take_while(|part| std::ptr::eq(part.dataset(), dataset))
                .count();
        let group = &parts[first_part..end_part];
        let end = offset + group.iter().map(DatasetView::n_samples).sum::<usize>();
        let last = next + rows[next..].partition_point(|&row| row < end);
        groups.push((
            group,
            rows[next..last].iter().map(|&row| row - offset).collect(),
        ));
        (offset, next, first_part) = (end, last, end_part);
    }
    Ok(groups)
}

/// Writes `block` below the `filled` rows of `input` (made `rows` tall on the first block).
fn write_rows(
    input: &mut Option<Array2<f32>>,
    rows: usize,
    filled: &mut usize,
    block: &Array2<f32>,
) {
    let input = input.get_or_insert_with(|| Array2::zeros((rows, block.ncols())));
    input
        .slice_mut(ndarray::s![*filled..*filled + block.nrows(), ..])
        .assign(block);
    *filled += block.nrows();
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;
    use rnameta_core::{DataSource, GeneAnnotation, GeneInfo, SampleMeta};
    use rnameta_models::ModelKind;

    fn tiny(ids: &[&str], values: ndarray::Array2<f32>) -> Dataset {
        let gene = |id: &str, length| GeneInfo {
            union_exon_length: Some(length),
            ..GeneInfo::from_id(id)
        };
        let genes = GeneAnnotation::new(vec![
            gene("ENSG00000000003", 1_000),
            gene("ENSG00000000005", 2_500),
        ])
        .unwrap();
        let samples = ids
            .iter()
            .map(|id| SampleMeta::new(*id, DataSource::Gtex))
            .collect();
        Dataset::new(values, genes, samples).unwrap()
    }

    struct Parts {
        train: Dataset,
        labels: Labels,
        test: Dataset,
    }

    fn parts() -> Parts {
        Parts {
            train: tiny(&["a", "b"], array![[1.0, 2.5], [0.0, 7.0]]),
            labels: Labels::from_names(&[Some("Brain"), Some("Liver")]),
            test: tiny(&["c", "d"], array![[3.0, 1.0], [4.0, 2.0]]),
        }
    }

    fn data(parts: &Parts) -> FitData<'_> {
        FitData::new(
            Task::Tissue,
            GeneChoice::Paper,
            Pipeline::tpm_log2(),
            &parts.train,
            &parts.labels,
            &parts.test,
        )
    }

    /// The key of fitting `spec` on `data`.
    fn key<'a>(data: &'a FitData<'a>, spec: ModelSpec) -> String {
        FitRequest { spec, data }.key().unwrap()
    }

    /// The key of fitting `spec` on `parts` as [`data`] shares them.
    fn key_of(parts: &Parts, spec: ModelSpec) -> String {
        key(&data(parts), spec)
    }

    fn lin() -> ModelSpec {
        ModelSpec::defaults(ModelKind::Lin, Task::Tissue, 3).unwrap()
    }

    #[test]
    fn identical_requests_have_identical_keys() {
        let (one, two) = (parts(), parts());
        let key = key_of(&one, lin());
        assert_eq!(key, key_of(&two, lin()));
        assert_eq!(key.len(), 64);
    }

    #[test]
    fn a_training_set_stacked_from_parts_has_the_key_of_their_concatenation() {
        let whole = parts();
        let (first, second) = (
            whole.train.select_samples(&[0]).unwrap(),
            whole.train.select_samples(&[1]).unwrap(),
        );
        let key_of_stacked = |train: Vec<DatasetView<'_>>| {
            let data = FitData::stacked(
                Task::Tissue,
                GeneChoice::Paper,
                Pipeline::tpm_log2(),
                train,
                &whole.labels,
                vec![(&whole.test).into()],
            );
            key(&data, lin())
        };
        assert_eq!(
            key_of_stacked(DatasetView::all_of(&[&first, &second])),
            key_of(&whole, lin())
        );
        assert_ne!(
            key_of_stacked(DatasetView::all_of(&[&second, &first])),
            key_of(&whole, lin())
        );
        // Runs of the whole set's samples, read where they lie: the same key.
        let runs = vec![
            DatasetView::rows(&whole.train, 0..1).unwrap(),
            DatasetView::rows(&whole.train, 1..2).unwrap(),
        ];
        assert_eq!(key_of_stacked(runs), key_of(&whole, lin()));
    }

    #[test]
    fn a_shared_test_set_gives_the_key_of_its_samples_given_as_they_are() {
        let whole = parts();
        let own = data(&whole);
        let shared = SharedTest::new(vec![(&whole.test).into()]);
        let on_shared = |labels| {
            FitData::stacked_on_shared_test(
                Task::Tissue,
                GeneChoice::Paper,
                Pipeline::tpm_log2(),
                vec![(&whole.train).into()],
                labels,
                &shared,
            )
        };
        let first = on_shared(&whole.labels);
        assert_eq!(key(&first, lin()), key(&own, lin()));
        // The first key made the shared digest; a second data on the same test set reads it.
        assert!(shared.digest.get().is_some());
        let other_labels = Labels::from_names(&[Some("Liver"), Some("Brain")]);
        let second = on_shared(&other_labels);
        assert_ne!(key(&second, lin()), key(&own, lin()));
    }

    #[test]
    fn a_shared_test_set_is_scored_as_its_samples_given_as_they_are() {
        let mut whole = parts();
        whole.test.samples_mut()[0].tissue = Some("Brain".into());
        whole.test.samples_mut()[1].tissue = Some("Liver".into());
        let shared = SharedTest::new(vec![(&whole.test).into()]);
        let on_shared = FitData::stacked_on_shared_test(
            Task::Tissue,
            GeneChoice::All,
            Pipeline::tpm_log2(),
            vec![(&whole.train).into()],
            &whole.labels,
            &shared,
        );
        let own = FitData {
            genes: GeneChoice::All,
            ..data(&whole)
        };
        let scores = |data| {
            let spec = ModelSpec::defaults(ModelKind::LogisticRegression, Task::Tissue, 0).unwrap();
            fit_and_score(&FitRequest { spec, data }).unwrap().1
        };
        let (a, b) = (scores(&on_shared), scores(&own));
        assert_eq!((a.msa, a.mca, a.n_test), (b.msa, b.mca, b.n_test));
        assert_eq!(a.n_test, 2);
    }

    #[test]
    fn one_changed_matrix_value_changes_the_key_even_with_the_same_row_sums() {
        let original = parts();
        let key = key_of(&original, lin());
        // The same row sums as [1.0, 2.5]: the old fingerprint (row sums) could not tell them apart.
        let mut moved = parts();
        moved.train = tiny(&["a", "b"], array![[2.5, 1.0], [0.0, 7.0]]);
        assert_ne!(key_of(&moved, lin()), key);
        let mut nudged = parts();
        nudged.test = tiny(&["c", "d"], array![[3.0, 1.0], [4.0, 2.000_001]]);
        assert_ne!(key_of(&nudged, lin()), key);
    }

    #[test]
    fn labels_sample_ids_and_sample_metadata_change_the_key() {
        let original = parts();
        let key = key_of(&original, lin());
        let mut relabelled = parts();
        relabelled.labels = Labels::from_names(&[Some("Liver"), Some("Brain")]);
        assert_ne!(key_of(&relabelled, lin()), key);
        let mut renamed = parts();
        renamed.test = tiny(&["c", "e"], array![[3.0, 1.0], [4.0, 2.0]]);
        assert_ne!(key_of(&renamed, lin()), key);
        // The test samples' truth comes from their metadata.
        let mut retissued = parts();
        retissued.test.samples_mut()[0].tissue = Some("Lung".into());
        assert_ne!(key_of(&retissued, lin()), key);
    }

    #[test]
    fn the_code_hash_changes_the_key() {
        let parts = parts();
        let data = data(&parts);
        let request = FitRequest {
            spec: lin(),
            data: &data,
        };
        assert_ne!(
            request.key_for_code("one build").unwrap(),
            request.key_for_code("another build").unwrap()
        );
        assert_eq!(
            request.key().unwrap(),
            request
                .key_for_code(super::super::fingerprint::CODE_HASH)
                .unwrap()
        );
    }

    #[test]
    fn settings_seed_task_and_genes_change_the_key() {
        let parts = parts();
        let shared = data(&parts);
        let lin_key = key(&shared, lin());
        let mlp = ModelSpec::defaults(ModelKind::Mlp, Task::Tissue, 3).unwrap();
        let mlp_key = key(&shared, mlp.clone());
        assert_ne!(mlp_key, lin_key);
        let ModelSpec::Mlp(mut wider) = mlp.clone() else {
            panic!("mlp settings")
        };
        wider.hidden += 1;
        assert_ne!(key(&shared, ModelSpec::Mlp(wider)), mlp_key);
        assert_ne!(key(&shared, mlp.clone().with_seed(4)), mlp_key);
        let sex = FitData {
            task: Task::Sex,
            ..data(&parts)
        };
        assert_ne!(key(&sex, lin()), lin_key);
        let some_genes = FitData {
            genes: GeneChoice::Ids(vec!["ENSG00000000003".into()]),
            ..data(&parts)
        };
        assert_ne!(key(&some_genes, lin()), lin_key);
    }

    #[test]
    fn test_parts_scored_stacked_score_as_their_concatenation() {
        let parts = parts();
        let model = TrainedModel::fit(
            &ModelSpec::defaults(ModelKind::LogisticRegression, Task::Tissue, 0).unwrap(),
            Task::Tissue,
            &Pipeline::tpm_log2(),
            &GeneChoice::All,
            &parts.train,
            &parts.labels,
        )
        .unwrap();
        let more = tiny(&["e", "f", "g"], array![[0.5, 6.0], [2.0, 2.0], [5.0, 0.1]]);
        let whole = Dataset::concat(&[&parts.test, &more]).unwrap();
        // The second sample's class is unknown to the model, the fourth is unlabelled: both
        // are left out, one in each part.
        let names: Vec<Option<String>> = [Some("Liver"), Some("Kidney"), Some("Brain"), None]
            .into_iter()
            .chain([Some("Liver")])
            .map(|name| name.map(String::from))
            .collect();
        let stacked =
            score_stacked_named(&model, &DatasetView::all_of(&[&parts.test, &more]), &names)
                .unwrap();
        let concatenated = score_stacked_named(&model, &[(&whole).into()], &names).unwrap();
        let (rows, ..) = scored_rows(&model, &names).unwrap();
        assert_eq!(rows, vec![0, 2, 4]);
        assert_eq!(
            stacked.proba,
            model
                .annotate(&whole.select_samples(&rows).unwrap())
                .unwrap()
                .proba
        );
        assert_eq!(stacked.proba, concatenated.proba);
        assert_eq!(stacked.truth, concatenated.truth);
        assert_eq!(stacked.unscored, vec![("Kidney".to_string(), 1)]);
        // A row past the stacked samples is refused, not read from the wrong place.
        assert!(stacked_input_rows(&model, &[(&parts.test).into()], &[0, 2]).is_err());
    }

    /// A test side of five samples over two datasets, and a logistic model and a unit-free one
    /// that score it.
    fn five_test_samples() -> (Dataset, Dataset, TrainedModel, TrainedModel) {
        let parts = parts();
        let first = tiny(
            &["e", "f", "g", "h"],
            array![[0.5, 6.0], [2.0, 2.0], [5.0, 0.1], [3.0, 3.0]],
        );
        let second = tiny(&["i", "j"], array![[1.0, 9.0], [7.0, 0.5]]);
        let fit = |pipeline: &Pipeline| {
            TrainedModel::fit(
                &ModelSpec::defaults(ModelKind::LogisticRegression, Task::Tissue, 0).unwrap(),
                Task::Tissue,
                pipeline,
                &GeneChoice::All,
                &parts.train,
                &parts.labels,
            )
            .unwrap()
        };
        let (levels, unit_free) = (fit(&Pipeline::tpm_log2()), fit(&Pipeline::unit_free()));
        assert!(unit_free.is_unit_free() && !levels.is_unit_free());
        (first, second, levels, unit_free)
    }

    #[test]
    fn a_test_side_of_runs_is_read_as_the_copy_of_its_samples_would_be() {
        let (first, second, levels, unit_free) = five_test_samples();
        // Sample 0 and samples 2-3 of the first dataset (two runs), then the second whole.
        let runs =
            DatasetView::runs(&DatasetView::all_of(&[&first, &second]), &[0, 2, 3, 4, 5]).unwrap();
        assert_eq!(runs.len(), 3);
        let copies = [first.select_samples(&[0, 2, 3]).unwrap(), second.clone()];
        let copy = Dataset::concat(&[&copies[0], &copies[1]]).unwrap();
        let scored = [0, 2, 3, 4];
        for model in [&levels, &unit_free] {
            // As the scored rows of the copies' inputs, each copy read as a dataset of its own.
            let inputs: Vec<Array2<f32>> = copies
                .iter()
                .map(|c| model.model_input(c).unwrap().0)
                .collect();
            let views: Vec<_> = inputs.iter().map(|input| input.view()).collect();
            let expected = ndarray::concatenate(ndarray::Axis(0), &views)
                .unwrap()
                .select(ndarray::Axis(0), &scored);
            for rows_per_block in [1, 2, 3, ROWS_PER_BLOCK] {
                assert_eq!(
                    input_rows_in_blocks(model, &runs, &scored, rows_per_block).unwrap(),
                    expected,
                    "{rows_per_block} rows per block"
                );
            }
            assert_eq!(
                stacked_model_input(model, &runs).unwrap(),
                stacked_model_input(model, &[(&copies[0]).into(), (&copies[1]).into()]).unwrap()
            );
        }
        // A model of levels reads each sample alone: as the copy read whole.
        assert_eq!(
            stacked_model_input(&levels, &runs).unwrap(),
            levels.model_input(&copy).unwrap().0
        );
        // A row past the runs' samples is refused.
        assert!(stacked_input_rows(&levels, &runs, &[4, 5]).is_err());
        // A block never spans two datasets: two that share a sample id are read as each alone.
        let twin = tiny(&["e", "z"], array![[0.5, 6.0], [1.0, 1.0]]);
        let (a, b) = (
            levels.model_input(&first).unwrap().0,
            levels.model_input(&twin).unwrap().0,
        );
        assert_eq!(
            input_rows_in_blocks(
                &levels,
                &DatasetView::all_of(&[&first, &twin]),
                &[0, 3, 4, 5],
                3
            )
            .unwrap(),
            ndarray::concatenate(
                ndarray::Axis(0),
                &[a.select(ndarray::Axis(0), &[0, 3]).view(), b.view()]
            )
            .unwrap()
        );
    }

    #[test]
    fn the_fits_of_one_data_prepare_once_and_give_what_a_fit_of_its_own_gives() {
        let mut parts = parts();
        parts.test.samples_mut()[0].tissue = Some("Brain".into());
        parts.test.samples_mut()[1].tissue = Some("Liver".into());
        let shared = FitData {
            genes: GeneChoice::All,
            ..data(&parts)
        };
        let logistic =
            |seed| ModelSpec::defaults(ModelKind::LogisticRegression, Task::Tissue, seed).unwrap();
        fit_and_score(&FitRequest {
            spec: logistic(0),
            data: &shared,
        })
        .unwrap();
        let prepared: *const PreparedTraining<'_> = shared.prepared().unwrap();
        let (model, scores) = fit_and_score(&FitRequest {
            spec: logistic(1),
            data: &shared,
        })
        .unwrap();
        assert!(std::ptr::eq(prepared, shared.prepared().unwrap()));
        let own = TrainedModel::fit(
            &logistic(1),
            Task::Tissue,
            &shared.pipeline,
            &shared.genes,
            &parts.train,
            &parts.labels,
        )
        .unwrap();
        assert_eq!(
            model.annotate(&parts.test).unwrap().proba,
            own.annotate(&parts.test).unwrap().proba
        );
        // Scored through the shared test input, as a model scored on its own.
        let alone = Scores::of(
            &own,
            score_input(Task::Tissue, &own, &parts.test).unwrap(),
            0.0,
        );
        let alone = alone.unwrap();
        assert_eq!((scores.msa, scores.mca), (alone.msa, alone.mca));
        assert_eq!(scores.n_test, alone.n_test);
    }
}
