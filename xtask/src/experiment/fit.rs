//! One model fit and its scores: a [`FitRequest`] says everything a fit depends on (the model's
//! settings and seed, the task, the genes, the training data with its labels and the test data),
//! [`fit_and_score`] carries it out, and the same request is the fit cache's key
//! ([`FitRequest::key`], used by [`super::memo`]), so what is fitted and what is looked up can
//! never disagree.

use std::time::Instant;

use anyhow::{bail, Result};
use rnameta_core::{Dataset, Labels, Task};
use rnameta_models::{argmax_rows, GeneChoice, ModelSpec, TrainedModel};
use rnameta_preprocess::Pipeline;
use serde::{Deserialize, Serialize, Serializer};

use super::fingerprint::{data_digest, labels_digest, Key, CODE_HASH};

/// Everything one fit depends on. Serialised (the cache key, and what a record shows), the data
/// appear as their digests ([`data_digest`], [`labels_digest`]): every value, label and sample id.
#[derive(Debug, Clone, Serialize)]
pub struct FitRequest<'a> {
    /// The model and its settings, seed included.
    pub spec: ModelSpec,
    /// What the labels mean (the test samples' truth is read for it).
    #[serde(serialize_with = "task_name")]
    pub task: Task,
    /// Which genes the model reads.
    pub genes: GeneChoice,
    /// The preprocessing fitted on the training data (and what the model reads of it).
    pub pipeline: Pipeline,
    /// The training samples.
    #[serde(serialize_with = "digest_of_data")]
    pub train: &'a Dataset,
    /// Their labels (unlabelled samples are `None`).
    #[serde(serialize_with = "digest_of_labels")]
    pub labels: &'a Labels,
    /// The samples scored.
    #[serde(serialize_with = "digest_of_data")]
    pub test: &'a Dataset,
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

fn digest_of_data<S: Serializer>(data: &&Dataset, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&data_digest(data).map_err(serde::ser::Error::custom)?)
}

fn digest_of_labels<S: Serializer>(labels: &&Labels, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&labels_digest(labels))
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

/// Trains the request's model for its task on its training data and labels (the request's
/// pipeline and genes) and scores it on its test data.
pub fn fit_and_score(request: &FitRequest<'_>) -> Result<(TrainedModel, Scores)> {
    let start = Instant::now();
    let model = TrainedModel::fit(
        &request.spec,
        request.task,
        &request.pipeline,
        &request.genes,
        request.train,
        request.labels,
    )?;
    let scored = score_input(request.task, &model, request.test)?;
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
    let names: Vec<Option<String>> = test.samples().iter().map(|s| task.label_of(s)).collect();
    score_named(model, test, &names)
}

/// Scores every test sample whose class name in `names` (parallel to the samples, matched
/// loosely) the model knows.
pub fn score_named(
    model: &TrainedModel,
    test: &Dataset,
    names: &[Option<String>],
) -> Result<Scored> {
    let (labels, unmatched) = Labels::within_classes(model.classes().to_vec(), names);
    let rows: Vec<usize> = (0..names.len())
        .filter(|&i| labels.assigned()[i].is_some())
        .collect();
    if rows.is_empty() {
        bail!("no test sample has a class the model knows");
    }
    let proba = model.annotate(&test.select_samples(&rows)?)?.proba;
    Ok(Scored {
        truth: rows.iter().filter_map(|&i| labels.assigned()[i]).collect(),
        predicted: argmax_rows(&proba),
        proba,
        unscored: unmatched.into_iter().collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;
    use rnameta_core::{DataSource, GeneAnnotation, GeneInfo, SampleMeta};
    use rnameta_models::ModelKind;

    fn tiny(ids: &[&str], values: ndarray::Array2<f32>) -> Dataset {
        let genes = GeneAnnotation::new(vec![
            GeneInfo::from_id("ENSG00000000003"),
            GeneInfo::from_id("ENSG00000000005"),
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

    fn request<'a>(parts: &'a Parts, spec: ModelSpec) -> FitRequest<'a> {
        FitRequest {
            spec,
            task: Task::Tissue,
            genes: GeneChoice::Paper,
            pipeline: Pipeline::tpm_log2(),
            train: &parts.train,
            labels: &parts.labels,
            test: &parts.test,
        }
    }

    fn lin() -> ModelSpec {
        ModelSpec::defaults(ModelKind::Lin, Task::Tissue, 3).unwrap()
    }

    #[test]
    fn identical_requests_have_identical_keys() {
        let (one, two) = (parts(), parts());
        let key = request(&one, lin()).key().unwrap();
        assert_eq!(key, request(&two, lin()).key().unwrap());
        assert_eq!(key.len(), 64);
    }

    #[test]
    fn one_changed_matrix_value_changes_the_key_even_with_the_same_row_sums() {
        let original = parts();
        let key = request(&original, lin()).key().unwrap();
        // The same row sums as [1.0, 2.5]: the old fingerprint (row sums) could not tell them apart.
        let mut moved = parts();
        moved.train = tiny(&["a", "b"], array![[2.5, 1.0], [0.0, 7.0]]);
        assert_ne!(request(&moved, lin()).key().unwrap(), key);
        let mut nudged = parts();
        nudged.test = tiny(&["c", "d"], array![[3.0, 1.0], [4.0, 2.000_001]]);
        assert_ne!(request(&nudged, lin()).key().unwrap(), key);
    }

    #[test]
    fn labels_sample_ids_and_sample_metadata_change_the_key() {
        let original = parts();
        let key = request(&original, lin()).key().unwrap();
        let mut relabelled = parts();
        relabelled.labels = Labels::from_names(&[Some("Liver"), Some("Brain")]);
        assert_ne!(request(&relabelled, lin()).key().unwrap(), key);
        let mut renamed = parts();
        renamed.test = tiny(&["c", "e"], array![[3.0, 1.0], [4.0, 2.0]]);
        assert_ne!(request(&renamed, lin()).key().unwrap(), key);
        // The test samples' truth comes from their metadata.
        let mut retissued = parts();
        retissued.test.samples_mut()[0].tissue = Some("Lung".into());
        assert_ne!(request(&retissued, lin()).key().unwrap(), key);
    }

    #[test]
    fn the_code_hash_changes_the_key() {
        let parts = parts();
        let request = request(&parts, lin());
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
        let key = request(&parts, lin()).key().unwrap();
        let mlp = ModelSpec::defaults(ModelKind::Mlp, Task::Tissue, 3).unwrap();
        let mlp_key = request(&parts, mlp.clone()).key().unwrap();
        assert_ne!(mlp_key, key);
        let ModelSpec::Mlp(mut wider) = mlp.clone() else {
            panic!("mlp settings")
        };
        wider.hidden += 1;
        assert_ne!(
            request(&parts, ModelSpec::Mlp(wider)).key().unwrap(),
            mlp_key
        );
        assert_ne!(
            request(&parts, mlp.clone().with_seed(4)).key().unwrap(),
            mlp_key
        );
        let mut sex = request(&parts, lin());
        sex.task = Task::Sex;
        assert_ne!(sex.key().unwrap(), key);
        let mut some_genes = request(&parts, lin());
        some_genes.genes = GeneChoice::Ids(vec!["ENSG00000000003".into()]);
        assert_ne!(some_genes.key().unwrap(), key);
    }
}
