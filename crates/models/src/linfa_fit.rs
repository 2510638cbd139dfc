//! linfa's vocabulary as the models' public interface, so that a linfa user can drop rnameta's
//! models into linfa code: every model's hyperparameters are a linfa [`ParamGuard`] (checked
//! into [`Checked`]), the checked hyperparameters implement linfa's [`Fit`] over a
//! [`DatasetBase`] of `f32` samples x genes whose feature names are the gene ids, and the fitted
//! [`GeneModel`] implements linfa's [`PredictInplace`] (hence `Predict`).
//!
//! ```
//! use linfa::prelude::*;
//! use ndarray::{Array1, Array2};
//! use rnameta_models::{ForestParams, GeneModel, RandomForest};
//!
//! // Class = whether gene 0 is above 10.
//! let x = Array2::from_shape_fn((40, 3), |(i, j)| if j == 0 { i as f32 } else { (i * j % 7) as f32 });
//! let y: Array1<&str> = (0..40).map(|i| if i > 10 { "high" } else { "low" }).collect();
//! let data = Dataset::new(x, y).with_feature_names(vec!["ENSG01", "ENSG02", "ENSG03"]);
//! let params = ForestParams { n_trees: 20, ..ForestParams::default() };
//! let model: GeneModel<RandomForest, &str> = params.fit(&data).unwrap();
//! assert_eq!(model.gene_ids(), ["ENSG01", "ENSG02", "ENSG03"]);
//! assert_eq!(model.predict(data.records())[39], "high");
//! ```
//!
//! One implementation: linfa's `fit` builds the model from the checked hyperparameters and calls
//! the same [`Classifier::fit`] the command line and the experiments use, on every sample of the
//! dataset. A linfa dataset carries no study or data source, so every sample is taken from one
//! domain: the domain-adaptation model fitted this way has only its source domain (the source
//! classifier; its bias mapper is the source mapper). linfa's `predict` returns no error, so
//! predicting on a matrix of another width or holding NaN panics, as linfa's own models do;
//! [`GeneModel::predict_proba`] returns those as typed errors.

use std::collections::BTreeSet;
use std::fmt::Display;
use std::path::Path;

use linfa::dataset::AsSingleTargets;
use linfa::traits::{Fit, PredictInplace};
use linfa::{DatasetBase, Label, ParamGuard};
use ndarray::{Array1, Array2, ArrayBase, ArrayView2, Data, Ix2};
use rnameta_core::{DataSource, Labels, SampleMeta, Task};

use crate::bundle::{BundleHeader, SaveBundle};
use crate::{
    Classifier, DaParams, DomainAdaptation, Error, ForestParams, Lin, LinParams, LogisticParams,
    LogisticRegression, Mlp, MlpParams, RandomForest, Result,
};

/// Hyperparameters that passed their checks: linfa's `ParamGuard::Checked` for every model's
/// params struct, what linfa's [`Fit`] is implemented on.
#[derive(Debug, Clone, PartialEq)]
#[repr(transparent)]
pub struct Checked<P>(P);

impl<P> Checked<P> {
    /// The hyperparameters.
    pub fn params(&self) -> &P {
        &self.0
    }

    /// `params` seen as checked (called only after the check passed).
    fn from_ref(params: &P) -> &Self {
        // SAFETY: `Checked<P>` is `#[repr(transparent)]` over `P`: same layout, same alignment,
        // and the reference keeps `params`' lifetime.
        unsafe { &*(params as *const P).cast::<Self>() }
    }
}

/// A model fitted through linfa: the model, the gene id of each input column (the dataset's
/// feature names; `feature-<j>` where it had none) and the original label of each class.
#[derive(Debug, Clone)]
pub struct GeneModel<M, L> {
    model: M,
    gene_ids: Vec<String>,
    labels: Vec<L>,
}

impl<M, L> GeneModel<M, L> {
    /// The fitted model.
    pub fn model(&self) -> &M {
        &self.model
    }

    /// The fitted model, without its gene ids and labels.
    pub fn into_model(self) -> M {
        self.model
    }

    /// Gene id of each input column, in column order.
    pub fn gene_ids(&self) -> &[String] {
        &self.gene_ids
    }

    /// The label of each class, in the model's output column order.
    pub fn labels(&self) -> &[L] {
        &self.labels
    }
}

impl<M: Classifier, L> GeneModel<M, L> {
    /// Class probabilities (samples x classes, columns in [`GeneModel::labels`] order), with a
    /// typed error for input of the wrong width or holding NaN / infinity.
    pub fn predict_proba(&self, x: ArrayView2<'_, f32>) -> Result<Array2<f32>> {
        self.model.predict_proba(x)
    }
}

impl<M: SaveBundle, L> GeneModel<M, L> {
    /// Writes the model as a bundle into `dir`, its gene ids in the manifest (no preprocessing:
    /// the model reads the dataset's values as they were).
    pub fn save(&self, dir: &Path, task: Option<Task>) -> Result<()> {
        self.model.save(
            dir,
            &BundleHeader {
                task,
                gene_ids: self.gene_ids.clone(),
                preprocessing: None,
            },
        )
    }
}

impl<M: Classifier, L: Clone, D: Data<Elem = f32>> PredictInplace<ArrayBase<D, Ix2>, Array1<L>>
    for GeneModel<M, L>
{
    /// The most probable class of each sample.
    ///
    /// # Panics
    /// On input of another width than the model was fitted on, or holding NaN or infinity (linfa's
    /// `predict` returns no error); [`GeneModel::predict_proba`] reports those as errors.
    fn predict_inplace(&self, x: &ArrayBase<D, Ix2>, y: &mut Array1<L>) {
        let classes = self
            .model
            .predict(x.view())
            .unwrap_or_else(|e| panic!("rnameta model prediction: {e}"));
        for (out, c) in y.iter_mut().zip(classes) {
            *out = self.labels[c].clone();
        }
    }

    fn default_target(&self, x: &ArrayBase<D, Ix2>) -> Array1<L> {
        Array1::from_elem(x.nrows(), self.labels[0].clone())
    }
}

/// Fits `model` on every sample of `data` (class names from the labels' `Display`, every
/// sample in the domain `domain`): the one fit behind linfa's `Fit` and [`Classifier::fit`].
fn fit_on<M, D, T, L>(
    mut model: M,
    data: &DatasetBase<ArrayBase<D, Ix2>, T>,
    domain: DataSource,
) -> Result<GeneModel<M, L>>
where
    M: Classifier,
    D: Data<Elem = f32>,
    T: AsSingleTargets<Elem = L>,
    L: Label + Display,
{
    let x = data.records().view();
    let targets = data.targets().as_single_targets();
    if targets.len() != x.nrows() {
        return Err(Error::ShapeMismatch {
            what: "targets vs samples of the linfa dataset",
            expected: x.nrows(),
            got: targets.len(),
        });
    }
    let labels: Vec<L> = targets
        .iter()
        .cloned()
        .collect::<BTreeSet<L>>()
        .into_iter()
        .collect();
    let classes: Vec<String> = labels.iter().map(ToString::to_string).collect();
    if classes.iter().collect::<BTreeSet<_>>().len() != classes.len() {
        return Err(Error::InvalidParameter {
            name: "targets",
            reason: "two different labels print the same; class names must differ".to_owned(),
        });
    }
    let names: Vec<Option<String>> = targets.iter().map(|l| Some(l.to_string())).collect();
    let assigned = Labels::with_classes(classes, &names).map_err(|e| Error::InvalidParameter {
        name: "targets",
        reason: e.to_string(),
    })?;
    let meta: Vec<SampleMeta> = (0..x.nrows())
        .map(|i| SampleMeta::new(format!("sample-{i}"), domain))
        .collect();
    model.fit(x, &assigned, &meta)?;
    let gene_ids = if data.feature_names().len() == x.ncols() {
        data.feature_names().to_vec()
    } else {
        (0..x.ncols()).map(|j| format!("feature-{j}")).collect()
    };
    Ok(GeneModel {
        model,
        gene_ids,
        labels,
    })
}

/// linfa's [`ParamGuard`] and [`Fit`] for a model's params struct: checked by its `check`, fitted
/// by `new` + [`fit_on`], every sample in the domain `$domain(params)`.
macro_rules! linfa_model {
    ($params:ty, $model:ty, $domain:expr) => {
        impl ParamGuard for $params {
            type Checked = Checked<$params>;
            type Error = Error;

            fn check_ref(&self) -> Result<&Checked<$params>> {
                <$params>::check(self)?;
                Ok(Checked::from_ref(self))
            }

            fn check(self) -> Result<Checked<$params>> {
                <$params>::check(&self)?;
                Ok(Checked(self))
            }
        }

        impl<D, T, L> Fit<ArrayBase<D, Ix2>, T, Error> for Checked<$params>
        where
            D: Data<Elem = f32>,
            T: AsSingleTargets<Elem = L>,
            L: Label + Display,
        {
            type Object = GeneModel<$model, L>;

            fn fit(&self, data: &DatasetBase<ArrayBase<D, Ix2>, T>) -> Result<Self::Object> {
                let domain: fn(&$params) -> DataSource = $domain;
                fit_on(<$model>::new(self.0.clone())?, data, domain(&self.0))
            }
        }
    };
}

linfa_model!(LinParams, Lin, |_| DataSource::default());
linfa_model!(MlpParams, Mlp, |_| DataSource::default());
linfa_model!(DaParams, DomainAdaptation, |p| p.source_domain);
linfa_model!(ForestParams, RandomForest, |_| DataSource::default());
linfa_model!(LogisticParams, LogisticRegression, |_| DataSource::default(
));
