//! The hyperparameters experiments train with: the paper's defaults
//! ([`ModelSpec::default_for`]), or the settings `cargo xtask experiment tune` chose and wrote to
//! `<results>/tune/chosen.json`, which every later experiment of the same results folder reads.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use rnameta_core::Task;
use rnameta_models::ModelSpec;
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
}

impl Settings {
    /// The tuned settings of `results_dir` when `tune` has written them, else the defaults.
    pub fn load(results_dir: &Path) -> Result<Self> {
        let path = chosen_path(results_dir);
        if !path.exists() {
            return Ok(Self::default());
        }
        let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        let mut settings: Self = serde_json::from_slice(&bytes)
            .with_context(|| format!("{} is not a tune result", path.display()))?;
        settings.from = Some(path.display().to_string());
        Ok(settings)
    }

    /// The settings to train `model` for `task` with, seeded with `seed`.
    pub fn spec(&self, model: &str, task: Task, seed: u64) -> Result<ModelSpec> {
        if let Some(spec) = self
            .chosen
            .get(task.as_str())
            .and_then(|models| models.get(model))
        {
            return Ok(spec.clone().with_seed(seed));
        }
        ModelSpec::default_for(model, task, seed).with_context(|| format!("unknown model {model}"))
    }

    /// Records the choice for `task` and `model`.
    pub fn set(&mut self, task: Task, model: &str, spec: ModelSpec) {
        self.chosen
            .entry(task.as_str().to_owned())
            .or_default()
            .insert(model.to_owned(), spec);
    }

    /// How `run.json` describes them.
    pub fn describe(&self) -> String {
        match &self.from {
            Some(path) => format!("tuned ({path}) where listed, the paper's defaults elsewhere"),
            None => "the paper's defaults".to_owned(),
        }
    }
}
