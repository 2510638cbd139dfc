//! Which model to train, with its hyperparameters: one value the command line, the experiments
//! and the bundles all speak, named by [`ModelKind`] (the one model vocabulary).

use rnameta_core::Task;
use serde::{Deserialize, Serialize};

use crate::bundle::SavedClassifier;
use crate::kind::ModelKind;
use crate::{
    DaParams, DomainAdaptation, ForestParams, Lin, LinParams, LogisticParams, LogisticRegression,
    Mlp, MlpParams, RandomForest, Result,
};

/// A model kind with its hyperparameters. In JSON the `model` field holds the kind's one name
/// ([`ModelKind::as_str`]; `random_forest` is read too).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "model")]
pub enum ModelSpec {
    /// phenopredict's LIN.
    #[serde(rename = "lin")]
    Lin(LinParams),
    /// The paper's MLP.
    #[serde(rename = "mlp")]
    Mlp(MlpParams),
    /// The paper's domain-adaptation model.
    #[serde(rename = "da")]
    Da(DaParams),
    /// Random forest.
    #[serde(rename = "rf", alias = "random_forest")]
    RandomForest(ForestParams),
    /// Multinomial logistic regression.
    #[serde(rename = "logistic")]
    Logistic(LogisticParams),
}

impl ModelSpec {
    /// The paper's (or the library's) default settings of model `kind` for `task`, with `seed`;
    /// `None` for a model a spec does not build (the multi-label forest).
    pub fn defaults(kind: ModelKind, task: Task, seed: u64) -> Option<Self> {
        Some(match kind {
            ModelKind::Lin => Self::Lin(LinParams::default()),
            ModelKind::Mlp => Self::Mlp(MlpParams {
                seed,
                ..MlpParams::for_task(task)
            }),
            ModelKind::DomainAdaptation => Self::Da(DaParams {
                seed,
                ..DaParams::default()
            }),
            ModelKind::RandomForest => Self::RandomForest(ForestParams {
                seed,
                ..ForestParams::default()
            }),
            ModelKind::LogisticRegression => Self::Logistic(LogisticParams::default()),
            ModelKind::MultiLabelForest => return None,
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

    /// Which model.
    pub fn kind(&self) -> ModelKind {
        match self {
            Self::Lin(_) => ModelKind::Lin,
            Self::Mlp(_) => ModelKind::Mlp,
            Self::Da(_) => ModelKind::DomainAdaptation,
            Self::RandomForest(_) => ModelKind::RandomForest,
            Self::Logistic(_) => ModelKind::LogisticRegression,
        }
    }

    /// The model's one name (`lin`, `mlp`, `da`, `rf`, `logistic`).
    pub fn name(&self) -> &'static str {
        self.kind().as_str()
    }

    /// An unfitted classifier with these settings; refuses hyperparameters out of range.
    pub fn build(&self) -> Result<Box<dyn SavedClassifier>> {
        Ok(match self {
            Self::Lin(p) => Box::new(Lin::new(p.clone())?),
            Self::Mlp(p) => Box::new(Mlp::new(p.clone())?),
            Self::Da(p) => Box::new(DomainAdaptation::new(p.clone())?),
            Self::RandomForest(p) => Box::new(RandomForest::new(p.clone())?),
            Self::Logistic(p) => Box::new(LogisticRegression::new(p.clone())?),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_single_label_kind_has_defaults_that_round_trip_through_json() {
        for kind in ModelKind::SINGLE_LABEL {
            let name = kind.as_str();
            let spec = ModelSpec::defaults(kind, Task::Tissue, 1).unwrap();
            assert_eq!(spec.kind(), kind);
            assert_eq!(spec.name(), name);
            let json = serde_json::to_value(&spec).unwrap();
            assert_eq!(json["model"], name);
            assert_eq!(serde_json::from_value::<ModelSpec>(json).unwrap(), spec);
        }
        // Specs written before the one vocabulary named the forest `random_forest`.
        let mut old = serde_json::to_value(ModelSpec::defaults(
            ModelKind::RandomForest,
            Task::Tissue,
            0,
        ))
        .unwrap();
        old["model"] = "random_forest".into();
        let old = serde_json::from_value::<ModelSpec>(old).map(|s| s.kind());
        assert_eq!(old.unwrap(), ModelKind::RandomForest);
    }
}
