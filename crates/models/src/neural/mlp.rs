//! The paper's MLP: one hidden layer with ReLU and dropout, softmax output, Adam, class-balanced
//! cross-entropy weighted per sample.

use std::path::Path;

use ndarray::{Array2, ArrayView2};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rnameta_core::{Labels, SampleMeta, Task};
use serde::{Deserialize, Serialize};

use super::batches::balanced_class_weights;
use super::network::{Activation, Schedule, TwoLayer};
use super::saved::{load_standardiser, load_two_layer, standardiser_tensors, two_layer_tensors};
use super::standardise::Standardiser;
use super::{check_common, device};
use crate::bundle::{read_manifest_of, write_bundle, Manifest, ModelKind, TensorFile};
use crate::classifier::{check_input, labelled_rows, BundleHeader, Classifier, TrainingSummary};
use crate::{Error, Result};

/// Hyperparameters of [`Mlp`]. Defaults are the paper's tissue model; [`MlpParams::for_task`]
/// gives the paper's settings per task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MlpParams {
    /// Hidden units.
    pub hidden: usize,
    /// Dropout probability after the hidden layer (training only).
    pub dropout: f32,
    /// Adam learning rate.
    pub learning_rate: f32,
    /// Passes over the training data.
    pub epochs: usize,
    /// Samples per gradient step.
    pub batch_size: usize,
    /// Weight each sample by `n / (k * n_class)` so that every class counts equally.
    pub class_balanced: bool,
    /// Seed of initialisation, shuffling and dropout.
    pub seed: u64,
}

impl MlpParams {
    /// The paper's settings: tissue 128 hidden + dropout 0.3, sample source 128 + 0.3, sex 32 +
    /// 0.2; Adam lr 2e-4 (sex 2.4e-3); 10 epochs; batch 64.
    pub fn for_task(task: Task) -> Self {
        match task {
            Task::Tissue | Task::SampleSource => Self::default(),
            Task::Sex => Self {
                hidden: 32,
                dropout: 0.2,
                learning_rate: 2.4e-3,
                ..Self::default()
            },
        }
    }
}

impl Default for MlpParams {
    fn default() -> Self {
        Self {
            hidden: 128,
            dropout: 0.3,
            learning_rate: 2e-4,
            epochs: 10,
            batch_size: 64,
            class_balanced: true,
            seed: 0,
        }
    }
}

/// What fitting reported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MlpReport {
    /// Mean weighted training loss of each epoch.
    pub epoch_loss: Vec<f64>,
    /// Class weights used (all 1 when not class balanced), in class order.
    pub class_weights: Vec<f32>,
}

#[derive(Debug, Clone)]
struct Fitted {
    classes: Vec<String>,
    scaler: Standardiser,
    network: TwoLayer,
    report: MlpReport,
    summary: TrainingSummary,
}

/// The paper's multilayer perceptron (see the module docs).
#[derive(Debug, Clone)]
pub struct Mlp {
    params: MlpParams,
    fitted: Option<Fitted>,
}

impl Mlp {
    /// An unfitted model.
    pub fn new(params: MlpParams) -> Self {
        Self {
            params,
            fitted: None,
        }
    }

    /// The hyperparameters.
    pub fn params(&self) -> &MlpParams {
        &self.params
    }

    /// What fitting reported; `None` before fitting.
    pub fn report(&self) -> Option<&MlpReport> {
        self.fitted.as_ref().map(|f| &f.report)
    }

    /// Reads a bundle written by [`Classifier::save`].
    pub fn load(dir: &Path) -> Result<Self> {
        let m = read_manifest_of(dir, ModelKind::Mlp)?;
        let merr = |source| Error::Manifest {
            path: dir.join(crate::bundle::MANIFEST_FILE),
            source,
        };
        let params: MlpParams = serde_json::from_value(m.hyperparameters.clone()).map_err(merr)?;
        let report: MlpReport = serde_json::from_value(m.fit_report.clone()).map_err(merr)?;
        let t = TensorFile::open(dir)?;
        let g = m.gene_ids.len();
        let dev = device(params.seed);
        let scaler = load_standardiser(&t, g)?;
        let network = load_two_layer(
            &t,
            &dev,
            (g, params.hidden, None, m.classes.len()),
            Activation::Relu,
            params.dropout,
        )?;
        Ok(Self {
            params,
            fitted: Some(Fitted {
                classes: m.classes,
                scaler,
                network,
                report,
                summary: m.training,
            }),
        })
    }
}

impl Classifier for Mlp {
    fn kind(&self) -> ModelKind {
        ModelKind::Mlp
    }

    fn fit(&mut self, x: ArrayView2<'_, f32>, labels: &Labels, meta: &[SampleMeta]) -> Result<()> {
        let p = &self.params;
        check_common(p.hidden, p.dropout, p.learning_rate, p.epochs, p.batch_size)?;
        let (rows, y) = labelled_rows(x, labels, meta)?;
        let k = labels.classes().len();
        let counts = labels.class_counts();
        let class_weights = if p.class_balanced {
            balanced_class_weights(&counts)
        } else {
            vec![1.0; k]
        };
        let dev = device(p.seed);
        let mut rng = ChaCha8Rng::seed_from_u64(p.seed);
        let scaler = Standardiser::fit(x, &rows);
        let mut network = TwoLayer::new(
            &dev,
            (x.ncols(), p.hidden, None, k),
            Activation::Relu,
            p.dropout,
            &mut rng,
        );
        let schedule = Schedule {
            epochs: p.epochs,
            batch_size: p.batch_size,
            learning_rate: p.learning_rate,
        };
        let epoch_loss = network.fit(
            &dev,
            x,
            &rows,
            &y,
            &class_weights,
            &scaler,
            schedule,
            &mut rng,
        );
        self.fitted = Some(Fitted {
            classes: labels.classes().to_vec(),
            scaler,
            network,
            report: MlpReport {
                epoch_loss,
                class_weights,
            },
            summary: TrainingSummary::new(&rows, x.ncols(), counts, meta),
        });
        Ok(())
    }

    fn predict_proba(&self, x: ArrayView2<'_, f32>) -> Result<Array2<f32>> {
        let f = self.fitted.as_ref().ok_or(Error::NotFitted)?;
        check_input(f.summary.n_features, x)?;
        Ok(f.network
            .predict_proba(&device(self.params.seed), x, &f.scaler, None))
    }

    fn fit_report(&self) -> Option<serde_json::Value> {
        let f = self.fitted.as_ref()?;
        Some(crate::classifier::to_json(&f.report))
    }

    fn classes(&self) -> &[String] {
        self.fitted.as_ref().map_or(&[], |f| f.classes.as_slice())
    }

    fn save(&self, dir: &Path, header: &BundleHeader) -> Result<()> {
        let f = self.fitted.as_ref().ok_or(Error::NotFitted)?;
        let manifest = Manifest::new(
            ModelKind::Mlp,
            header,
            &f.classes,
            &self.params,
            self.params.seed,
            &f.summary,
            &f.report,
        )?;
        let mut tensors = standardiser_tensors(&f.scaler);
        tensors.extend(two_layer_tensors(&f.network));
        write_bundle(dir, &manifest, tensors)
    }
}
