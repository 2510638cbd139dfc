//! The hyperparameters experiments train with: the paper's defaults
//! ([`ModelSpec::defaults`]), or settings read from a file, such as the one `cargo xtask
//! experiment tune` writes to `<results>/tune/chosen.json`. Settings are always passed
//! explicitly: `reproduce` reads back what its `tune` chose and hands it to every later
//! experiment, `experiment <id>` reads `--settings FILE` or uses the defaults; no experiment looks
//! for a file on its own. Each run records the settings it used in its `run.json`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use rnameta_core::Task;
use rnameta_models::{ModelKind, ModelSpec};
use rnameta_preprocess::{ModelInput, Pipeline};
use serde::{Deserialize, Serialize};

/// Where `tune` writes its choice inside a results folder.
pub fn chosen_path(results_dir: &Path) -> PathBuf {
    results_dir.join("tune").join("chosen.json")
}

/// Settings per task and model name; a pair not listed trains with the paper's defaults.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// Where the tuned settings came from (`None`: the paper's defaults throughout).
    pub from: Option<String>,
    /// Task name (`tissue`, `sex`, `source`) -> model name -> settings (seed ignored).
    pub chosen: BTreeMap<String, BTreeMap<String, ModelSpec>>,
    /// What every model reads of the log2(TPM + 1) pipeline: its levels (the paper's input) or
    /// the unit-free within-sample ranks (absent in files written before it existed: levels).
    #[serde(default)]
    pub model_input: ModelInput,
}

impl Settings {
    /// The settings in `path` (what `tune` writes), marked as coming from there.
    pub fn from_file(path: &Path) -> Result<Self> {
        let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        let mut settings: Self = serde_json::from_slice(&bytes)
            .with_context(|| format!("{} is not a tune result", path.display()))?;
        settings.from = Some(path.display().to_string());
        Ok(settings)
    }

    /// The settings to train `model` for `task` with, seeded with `seed`.
    pub fn spec(&self, model: ModelKind, task: Task, seed: u64) -> Result<ModelSpec> {
        if let Some(spec) = self
            .chosen
            .get(task.as_str())
            .and_then(|models| models.get(model.as_str()))
        {
            return Ok(spec.clone().with_seed(seed));
        }
        ModelSpec::defaults(model, task, seed)
            .with_context(|| format!("{model} is no single-label model"))
    }

    /// The preprocessing every experiment fits: the paper's log2(TPM + 1), read by the models
    /// as [`Settings::model_input`] says.
    pub fn pipeline(&self) -> Pipeline {
        Pipeline::tpm_log2().with_model_input(self.model_input)
    }

    /// Records the choice for `task` and `model`.
    pub fn set(&mut self, task: Task, model: ModelKind, spec: ModelSpec) {
        self.chosen
            .entry(task.as_str().to_owned())
            .or_default()
            .insert(model.as_str().to_owned(), spec);
    }

    /// How `run.json` describes them.
    pub fn describe(&self) -> String {
        let settings = match &self.from {
            Some(path) => format!("tuned ({path}) where listed, the paper's defaults elsewhere"),
            None => "the paper's defaults".to_owned(),
        };
        match self.model_input {
            ModelInput::Levels => settings,
            ModelInput::WithinSampleRanks => {
                format!("{settings}; unit-free input (within-sample ranks)")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_come_from_the_file_named_and_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let mut chosen = Settings::default();
        let mut spec = ModelSpec::defaults(ModelKind::Mlp, Task::Tissue, 0).unwrap();
        if let ModelSpec::Mlp(p) = &mut spec {
            p.hidden = 17;
        }
        chosen.set(Task::Tissue, ModelKind::Mlp, spec.clone());
        let path = dir.path().join("chosen.json");
        std::fs::write(&path, serde_json::to_vec(&chosen).unwrap()).unwrap();
        let read = Settings::from_file(&path).unwrap();
        assert_eq!(
            read.spec(ModelKind::Mlp, Task::Tissue, 5).unwrap(),
            spec.with_seed(5)
        );
        assert!(
            read.describe().contains("chosen.json"),
            "{}",
            read.describe()
        );
        // Pairs not listed keep the paper's defaults.
        assert_eq!(
            read.spec(ModelKind::Mlp, Task::Sex, 1).unwrap(),
            ModelSpec::defaults(ModelKind::Mlp, Task::Sex, 1).unwrap()
        );
        assert!(Settings::from_file(&dir.path().join("missing.json")).is_err());
    }
}
