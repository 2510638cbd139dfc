//! The paper's MLP: one hidden layer with ReLU and dropout, softmax output, Adam, class-balanced
//! cross-entropy weighted per sample.

use ndarray::{Array2, ArrayView2};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rnameta_core::{Labels, SampleMeta, Task};
use serde::{Deserialize, Serialize};

use super::batches::balanced_class_weights;
use super::matmul::on_pool;
use super::network::{Activation, Schedule, TwoLayer};
use super::saved::{load_standardiser, load_two_layer, standardiser_tensors, two_layer_tensors};
use super::standardise::Standardiser;
use super::{check_common, device};
use crate::classifier::{check_input, labelled_rows, Classifier, TrainingSummary};
use crate::fitted::{classes_of, FitInfo};
use crate::kind::ModelKind;
use crate::parts::{NamedTensor, Persist, Tensors};
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
    /// Checks the hyperparameters: at least one hidden unit, epoch and sample per batch, dropout
    /// in [0, 1), a positive learning rate.
    pub fn check(&self) -> Result<()> {
        check_common(
            self.hidden,
            self.dropout,
            self.learning_rate,
            self.epochs,
            self.batch_size,
        )
    }

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
    info: FitInfo<MlpReport>,
    scaler: Standardiser,
    network: TwoLayer,
}

/// The paper's multilayer perceptron (see the module docs).
#[derive(Debug, Clone)]
pub struct Mlp {
    params: MlpParams,
    fitted: Option<Fitted>,
}

impl Mlp {
    /// An unfitted model; refuses hyperparameters out of range ([`MlpParams::check`]).
    pub fn new(params: MlpParams) -> Result<Self> {
        params.check()?;
        Ok(Self {
            params,
            fitted: None,
        })
    }

    /// The hyperparameters.
    pub fn params(&self) -> &MlpParams {
        &self.params
    }

    /// What fitting reported; `None` before fitting.
    pub fn report(&self) -> Option<&MlpReport> {
        self.fitted.as_ref().map(|f| &f.info.report)
    }
}

impl Classifier for Mlp {
    fn fit(&mut self, x: ArrayView2<'_, f32>, labels: &Labels, meta: &[SampleMeta]) -> Result<()> {
        let p = &self.params;
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
        // The loop's many short products run best from a pool thread (`matmul::on_pool`).
        let epoch_loss = on_pool(|| {
            network.fit(
                &dev,
                x,
                &rows,
                &y,
                &class_weights,
                &scaler,
                schedule,
                &mut rng,
            )
        });
        self.fitted = Some(Fitted {
            info: FitInfo {
                classes: labels.classes().to_vec(),
                report: MlpReport {
                    epoch_loss,
                    class_weights,
                },
                summary: TrainingSummary::new(&rows, x.ncols(), counts, meta),
            },
            scaler,
            network,
        });
        Ok(())
    }

    fn predict_proba(&self, x: ArrayView2<'_, f32>) -> Result<Array2<f32>> {
        let f = self.fitted.as_ref().ok_or(Error::NotFitted)?;
        check_input(f.info.summary.n_features, x)?;
        Ok(f.network
            .predict_proba(&device(self.params.seed), x, &f.scaler, None))
    }

    fn classes(&self) -> &[String] {
        classes_of(self.fitted.as_ref().map(|f| &f.info))
    }
}

impl Persist for Mlp {
    const KIND: ModelKind = ModelKind::Mlp;
    type Params = MlpParams;
    type Report = MlpReport;

    fn params(&self) -> &MlpParams {
        &self.params
    }

    fn seed(&self) -> u64 {
        self.params.seed
    }

    fn fit_info(&self) -> Option<&FitInfo<MlpReport>> {
        self.fitted.as_ref().map(|f| &f.info)
    }

    fn tensors(&self) -> Vec<NamedTensor> {
        let Some(f) = self.fitted.as_ref() else {
            return Vec::new();
        };
        let mut tensors = standardiser_tensors(&f.scaler);
        tensors.extend(two_layer_tensors(&f.network));
        tensors
    }

    fn from_parts(
        params: MlpParams,
        info: FitInfo<MlpReport>,
        g: usize,
        t: &Tensors,
    ) -> Result<Self> {
        let dev = device(params.seed);
        let scaler = load_standardiser(t, g)?;
        let network = load_two_layer(
            t,
            &dev,
            (g, params.hidden, None, info.classes.len()),
            Activation::Relu,
            params.dropout,
        )?;
        Ok(Self {
            params,
            fitted: Some(Fitted {
                info,
                scaler,
                network,
            }),
        })
    }
}
