//! The `Classifier` trait every single-label model implements (fit and predict), and the checks and
//! summaries shared by all of them.

use std::collections::BTreeSet;

use ndarray::{Array2, ArrayView2};
use rnameta_core::{Labels, SampleMeta};
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// A model that learns one class per sample from a samples x genes matrix: fit and predict,
/// nothing else (saving is [`crate::bundle`]'s, which depends on the models).
///
/// Object safe, so that the command line and the experiments can hold a `Box<dyn Classifier>`
/// whatever the model. A model is built unfitted from its checked hyperparameters, fitted once,
/// then asked for probabilities.
pub trait Classifier: Send + Sync {
    /// Fits on the labelled rows of `x`. `labels` gives each row's class (`None` rows are skipped);
    /// `meta` gives each row's study and data source (domain). Models that ignore the metadata still
    /// check that it describes the same rows.
    fn fit(&mut self, x: ArrayView2<'_, f32>, labels: &Labels, meta: &[SampleMeta]) -> Result<()>;

    /// Class probabilities, samples x classes, each row summing to one (within rounding).
    fn predict_proba(&self, x: ArrayView2<'_, f32>) -> Result<Array2<f32>>;

    /// The class names, in the column order of [`Classifier::predict_proba`]. Empty before `fit`.
    fn classes(&self) -> &[String];

    /// Index of the most probable class of each sample (ties go to the lower index).
    fn predict(&self, x: ArrayView2<'_, f32>) -> Result<Vec<usize>> {
        Ok(argmax_rows(&self.predict_proba(x)?))
    }
}

/// A summary of the training data, kept with a fitted model and written into its manifest.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TrainingSummary {
    /// Labelled samples used for fitting.
    pub n_samples: usize,
    /// Input columns (genes).
    pub n_features: usize,
    /// Training samples per class (per label for multi-label models), in class order.
    pub class_counts: Vec<usize>,
    /// Distinct studies among the training samples (samples without a study not counted).
    pub n_studies: usize,
}

impl TrainingSummary {
    /// Summary of the rows `rows` of a training set.
    pub(crate) fn new(
        rows: &[usize],
        n_features: usize,
        class_counts: Vec<usize>,
        meta: &[SampleMeta],
    ) -> Self {
        let studies: BTreeSet<&str> = rows
            .iter()
            .filter_map(|&r| meta[r].study.as_deref())
            .collect();
        Self {
            n_samples: rows.len(),
            n_features,
            class_counts,
            n_studies: studies.len(),
        }
    }
}

/// Index of the largest value of each row (first one on ties).
pub fn argmax_rows(p: &Array2<f32>) -> Vec<usize> {
    p.rows()
        .into_iter()
        .map(|r| {
            let mut best = 0;
            for (j, &v) in r.iter().enumerate() {
                if v > r[best] {
                    best = j;
                }
            }
            best
        })
        .collect()
}

/// Checks that `x`, `labels` and `meta` describe the same rows, that `x` is finite and that every
/// class has training samples; returns the labelled rows and their classes.
pub(crate) fn labelled_rows(
    x: ArrayView2<'_, f32>,
    labels: &Labels,
    meta: &[SampleMeta],
) -> Result<(Vec<usize>, Vec<usize>)> {
    let n = x.nrows();
    check_rows(n, labels.assigned().len(), "labels per sample")?;
    check_rows(n, meta.len(), "sample metadata entries")?;
    check_finite(x)?;
    let (rows, y): (Vec<usize>, Vec<usize>) = labels
        .assigned()
        .iter()
        .enumerate()
        .filter_map(|(r, c)| c.map(|c| (r, c)))
        .unzip();
    let present: BTreeSet<usize> = y.iter().copied().collect();
    if present.len() < 2 {
        return Err(Error::NotEnoughData {
            reason: format!(
                "{} labelled samples of {} class(es); at least two classes are needed",
                rows.len(),
                present.len()
            ),
        });
    }
    // A class with no training sample cannot be learnt (logistic regression has no finite
    // solution; a forest would silently never predict it): refuse it by name.
    if let Some(empty) = (0..labels.classes().len()).find(|c| !present.contains(c)) {
        return Err(Error::NotEnoughData {
            reason: format!("class {:?} has no training sample", labels.classes()[empty]),
        });
    }
    Ok((rows, y))
}

/// Checks data given to a fitted model: as many columns as it was trained on, every value finite.
pub(crate) fn check_input(n_features: usize, x: ArrayView2<'_, f32>) -> Result<()> {
    check_rows(n_features, x.ncols(), "genes (columns)")?;
    check_finite(x)
}

/// A model's report or hyperparameters as JSON. They are plain data structs of this crate, so
/// serialising cannot fail.
pub(crate) fn to_json(value: &impl Serialize) -> serde_json::Value {
    serde_json::to_value(value).expect("model parameters and reports serialise")
}

/// Refuses a row count that differs from the matrix's.
pub(crate) fn check_rows(expected: usize, got: usize, what: &'static str) -> Result<()> {
    if expected != got {
        return Err(Error::ShapeMismatch {
            what,
            expected,
            got,
        });
    }
    Ok(())
}

/// Refuses NaN and infinite values, naming the first one.
pub(crate) fn check_finite(x: ArrayView2<'_, f32>) -> Result<()> {
    // The usual, valid case in one pass that the compiler can vectorise (no early exit inside a
    // block of values).
    let all_finite = match x.as_slice() {
        Some(values) => values
            .chunks(256)
            .all(|block| block.iter().fold(true, |ok, v| ok & v.is_finite())),
        None => x.iter().all(|v| v.is_finite()),
    };
    if all_finite {
        return Ok(());
    }
    for ((sample, gene), &value) in x.indexed_iter() {
        if !value.is_finite() {
            return Err(Error::NonFinite {
                sample,
                gene,
                value,
            });
        }
    }
    Ok(())
}
