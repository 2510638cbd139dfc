//! The one model vocabulary: which model, by one short name that the command line
//! (`--model rf`), the bundle manifests (`"model_kind": "rf"`) and the experiments all use.
//! Manifests written before the short names (`random_forest`, `logistic_regression`,
//! `domain_adaptation`, `multi_label_forest`) still load: serde accepts the old names as aliases.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Which model: one variant per model, one name per variant ([`ModelKind::as_str`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ModelKind {
    /// [`crate::Lin`] (phenopredict's linear predictor): `lin`.
    #[serde(rename = "lin")]
    Lin,
    /// [`crate::Mlp`] (the paper's multilayer perceptron): `mlp`.
    #[serde(rename = "mlp")]
    Mlp,
    /// [`crate::DomainAdaptation`] (the paper's siamese domain-adaptation model): `da`.
    #[serde(rename = "da", alias = "domain_adaptation")]
    DomainAdaptation,
    /// [`crate::RandomForest`] (one class per sample): `rf`.
    #[serde(rename = "rf", alias = "random_forest")]
    RandomForest,
    /// [`crate::LogisticRegression`]: `logistic`.
    #[serde(rename = "logistic", alias = "logistic_regression")]
    LogisticRegression,
    /// [`crate::MultiLabelForest`] (a set of labels per sample): `rf-multilabel`.
    #[serde(rename = "rf-multilabel", alias = "multi_label_forest")]
    MultiLabelForest,
}

impl ModelKind {
    /// Every model, single-label ones first in the order the command line lists them.
    pub const ALL: [ModelKind; 6] = [
        Self::Lin,
        Self::Mlp,
        Self::DomainAdaptation,
        Self::RandomForest,
        Self::LogisticRegression,
        Self::MultiLabelForest,
    ];

    /// The models that predict one class per sample (those a [`crate::ModelSpec`] builds).
    pub const SINGLE_LABEL: [ModelKind; 5] = [
        Self::Lin,
        Self::Mlp,
        Self::DomainAdaptation,
        Self::RandomForest,
        Self::LogisticRegression,
    ];

    /// The model's one name (`lin`, `mlp`, `da`, `rf`, `logistic`, `rf-multilabel`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Lin => "lin",
            Self::Mlp => "mlp",
            Self::DomainAdaptation => "da",
            Self::RandomForest => "rf",
            Self::LogisticRegression => "logistic",
            Self::MultiLabelForest => "rf-multilabel",
        }
    }

    /// Whether fitting draws anything at random, so that seeds matter: LIN and logistic regression
    /// are deterministic (one fit serves every seed of an experiment).
    pub fn draws_at_random(self) -> bool {
        match self {
            Self::Lin | Self::LogisticRegression => false,
            Self::Mlp | Self::DomainAdaptation | Self::RandomForest | Self::MultiLabelForest => {
                true
            }
        }
    }

    /// The name manifests of format version 2 wrote before the one vocabulary, accepted when
    /// reading (`None` where it was already the short name).
    pub fn legacy_name(self) -> Option<&'static str> {
        match self {
            Self::Lin | Self::Mlp => None,
            Self::DomainAdaptation => Some("domain_adaptation"),
            Self::RandomForest => Some("random_forest"),
            Self::LogisticRegression => Some("logistic_regression"),
            Self::MultiLabelForest => Some("multi_label_forest"),
        }
    }
}

impl fmt::Display for ModelKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is no model's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown model {0:?}; known models: lin, mlp, da, rf, logistic, rf-multilabel")]
pub struct UnknownModel(pub String);

impl FromStr for ModelKind {
    type Err = UnknownModel;

    /// The model of a name: its one name, or the long name older manifests used.
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == name || k.legacy_name() == Some(name))
            .ok_or_else(|| UnknownModel(name.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_reads_back_from_its_name_its_legacy_name_and_its_json() {
        for kind in ModelKind::ALL {
            assert_eq!(kind.as_str().parse::<ModelKind>(), Ok(kind));
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
            assert_eq!(serde_json::from_str::<ModelKind>(&json).unwrap(), kind);
            if let Some(old) = kind.legacy_name() {
                assert_eq!(old.parse::<ModelKind>(), Ok(kind));
                let old_json = format!("\"{old}\"");
                assert_eq!(serde_json::from_str::<ModelKind>(&old_json).unwrap(), kind);
            }
        }
        assert!("forest".parse::<ModelKind>().is_err());
    }
}
