//! Which model to train, with its hyperparameters: one value the command line, the experiments
//! and the bundles all speak.

use rnameta_core::Task;
use serde::{Deserialize, Serialize};

use crate::{
    Classifier, DaParams, DomainAdaptation, ForestParams, Lin, LinParams, LogisticParams,
    LogisticRegression, Mlp, MlpParams, RandomForest,
};

/// A model kind with its hyperparameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "model", rename_all = "snake_case")]
pub enum ModelSpec {
    /// phenopredict's LIN.
    Lin(LinParams),
    /// The paper's MLP.
    Mlp(MlpParams),
    /// The paper's domain-adaptation model.
    Da(DaParams),
    /// Random forest.
    RandomForest(ForestParams),
    /// Multinomial logistic regression.
    Logistic(LogisticParams),
}

impl ModelSpec {
    /// The paper's (or the library's) default settings of model `name` (`lin`, `mlp`, `da`, `rf`,
    /// `logistic`) for `task`, with `seed`; `None` for an unknown name.
    pub fn default_for(name: &str, task: Task, seed: u64) -> Option<Self> {
        Some(match name {
            "lin" => Self::Lin(LinParams::default()),
            "mlp" => Self::Mlp(MlpParams {
                seed,
                ..MlpParams::for_task(task)
            }),
            "da" => Self::Da(DaParams {
                seed,
                ..DaParams::default()
            }),
            "rf" | "random_forest" => Self::RandomForest(ForestParams {
                seed,
                ..ForestParams::default()
            }),
            "logistic" => Self::Logistic(LogisticParams::default()),
            _ => return None,
        })
    }

    /// The same settings with another seed (initialisation, shuffling, dropout, bootstrap):
    /// how one chosen configuration is rerun over several seeds. LIN and logistic regression
    /// draw nothing at random and stay as they are.
    pub fn with_seed(mut self, seed: u64) -> Self {
        match &mut self {
            Self::Mlp(p) => p.seed = seed,
            Self::Da(p) => p.seed = seed,
            Self::RandomForest(p) => p.seed = seed,
            Self::Lin(_) | Self::Logistic(_) => {}
        }
        self
    }

    /// The names [`ModelSpec::default_for`] knows.
    pub const NAMES: [&'static str; 5] = ["lin", "mlp", "da", "rf", "logistic"];

    /// Short name (`lin`, `mlp`, `da`, `rf`, `logistic`).
    pub fn name(&self) -> &'static str {
        match self {
            Self::Lin(_) => "lin",
            Self::Mlp(_) => "mlp",
            Self::Da(_) => "da",
            Self::RandomForest(_) => "rf",
            Self::Logistic(_) => "logistic",
        }
    }

    /// An unfitted classifier with these settings.
    pub fn build(&self) -> Box<dyn Classifier> {
        match self {
            Self::Lin(p) => Box::new(Lin::new(p.clone())),
            Self::Mlp(p) => Box::new(Mlp::new(p.clone())),
            Self::Da(p) => Box::new(DomainAdaptation::new(p.clone())),
            Self::RandomForest(p) => Box::new(RandomForest::new(p.clone())),
            Self::Logistic(p) => Box::new(LogisticRegression::new(p.clone())),
        }
    }
}
