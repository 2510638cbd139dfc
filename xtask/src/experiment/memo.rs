//! Resuming long runs: with `--resume`, the score of every finished model fit is recorded under
//! `<results>/.fits/`, and a later run of the same experiments reuses it instead of fitting again.
//!
//! A full run on the `paper` preset takes many hours on a small machine; an interrupted run loses
//! at most the fit in progress. A record is found again only for the same fit: the same model
//! settings and seed, task, gene choice, training samples with the same labels, test samples and
//! data (sample ids, label assignments, gene ids and every row's sum of values enter its key), by
//! the same rnameta version. Records from code whose models changed since must be deleted by
//! hand (`rm -r <results>/.fits`): the key cannot see a change in the code itself. Each record
//! names the commit checked out when it was written. Results other than one fit's scores (a
//! seed of `annotate`, `rf-multilabel` or `augment`: several fits and what they measured) are
//! recorded the same way, under a [`Key`] built from what they depend on.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use rnameta_core::{Dataset, Labels, Task};
use rnameta_models::{GeneChoice, ModelSpec};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::runner::{fit_and_score, Scores};

/// Where fits are recorded, or nothing (a run without `--resume`).
#[derive(Debug, Clone, Default)]
pub struct Memo {
    dir: Option<PathBuf>,
    commit: String,
}

/// One recorded result.
#[derive(Serialize, Deserialize)]
struct Record<T> {
    /// What was computed, for a reader of the file.
    what: String,
    /// The commit checked out when it ran (`unknown` outside a git checkout).
    commit: String,
    /// The result (`scores` in the records of single fits, the first kind recorded).
    #[serde(rename = "scores")]
    result: T,
}

impl Memo {
    /// Records nothing and reuses nothing.
    pub fn off() -> Self {
        Self::default()
    }

    /// Records fits under `<results_dir>/.fits` and reuses the ones found there.
    pub fn in_results(results_dir: &Path) -> Self {
        Self {
            dir: Some(results_dir.join(".fits")),
            commit: current_commit(),
        }
    }

    /// [`fit_and_score`]'s scores, from the record of an earlier identical fit when there is one;
    /// `what` names the fit in the record ("tissue-sra MLP G-S seed 3").
    #[allow(clippy::too_many_arguments)]
    pub fn scores(
        &self,
        what: &str,
        spec: &ModelSpec,
        task: Task,
        genes: &GeneChoice,
        train: &Dataset,
        labels: &Labels,
        test: &Dataset,
    ) -> Result<Scores> {
        let key = || fit_key(spec, task, genes, train, labels, test);
        self.recorded(what, key, || {
            Ok(fit_and_score(spec, task, genes, train, labels, test)?.1)
        })
    }

    /// The result of `compute`, from the record of an earlier run under the same key when there is
    /// one; otherwise computed and recorded. `key` (built with [`Key`]) must identify everything
    /// the result depends on; it is not computed at all without `--resume`. A record that cannot
    /// be read as a `T` is computed again.
    pub fn recorded<T: Serialize + DeserializeOwned>(
        &self,
        what: &str,
        key: impl FnOnce() -> Result<String>,
        compute: impl FnOnce() -> Result<T>,
    ) -> Result<T> {
        let Some(dir) = &self.dir else {
            return compute();
        };
        let path = dir.join(format!("{}.json", key()?));
        if let Ok(bytes) = std::fs::read(&path) {
            if let Ok(record) = serde_json::from_slice::<Record<T>>(&bytes) {
                return Ok(record.result);
            }
        }
        let result = compute()?;
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let record = Record {
            what: what.to_owned(),
            commit: self.commit.clone(),
            result,
        };
        let json = serde_json::to_vec_pretty(&record)?;
        rnameta_io::write::write_atomically(&path, |w| w.write_all(&json))?;
        Ok(record.result)
    }
}

/// A record's key under construction: a SHA-256 over the rnameta version and every part fed in,
/// in order.
pub struct Key(Sha256);

impl Key {
    /// A key over the rnameta version alone, to feed the parts into.
    pub fn new() -> Self {
        let mut hash = Sha256::new();
        hash.update(env!("CARGO_PKG_VERSION").as_bytes());
        Self(hash)
    }

    /// Adds a value by its JSON form (settings, methods, a gene choice).
    pub fn json(mut self, value: &impl Serialize) -> Result<Self> {
        self.0.update(serde_json::to_vec(value)?);
        Ok(self)
    }

    /// Adds raw text (a task's name, a tag telling kinds of records apart).
    pub fn text(mut self, text: &str) -> Self {
        self.0.update(text.as_bytes());
        self
    }

    /// Adds the classes and every sample's assignment.
    pub fn labels(mut self, labels: &Labels) -> Self {
        for class in labels.classes() {
            self.0.update(class.as_bytes());
            self.0.update([0]);
        }
        for assigned in labels.assigned() {
            self.0
                .update(assigned.map_or(u64::MAX, |c| c as u64).to_le_bytes());
        }
        self
    }

    /// Adds a dataset's shape, sample and gene ids, and the sum of each row's values.
    pub fn data(mut self, data: &Dataset) -> Self {
        let hash = &mut self.0;
        hash.update((data.n_samples() as u64).to_le_bytes());
        hash.update((data.n_genes() as u64).to_le_bytes());
        for gene in data.genes().ids() {
            hash.update(gene.as_bytes());
            hash.update([0]);
        }
        for (sample, row) in data.samples().iter().zip(data.counts().rows()) {
            hash.update(sample.sample_id.as_bytes());
            hash.update([0]);
            let sum: f64 = row.iter().map(|&v| f64::from(v)).sum();
            hash.update(sum.to_le_bytes());
        }
        self
    }

    /// The key as a file name's hex digits.
    pub fn finish(self) -> String {
        self.0
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

impl Default for Key {
    fn default() -> Self {
        Self::new()
    }
}

/// Hex digest identifying one fit (see the module's documentation for what enters it).
fn fit_key(
    spec: &ModelSpec,
    task: Task,
    genes: &GeneChoice,
    train: &Dataset,
    labels: &Labels,
    test: &Dataset,
) -> Result<String> {
    Ok(Key::new()
        .json(spec)?
        .text(task.as_str())
        .json(genes)?
        .labels(labels)
        .data(train)
        .data(test)
        .finish())
}

/// The commit checked out in xtask's source folder when the run started, or `unknown` (a run of
/// a copied binary while the checkout moves on records the checkout's commit, not the binary's).
fn current_commit() -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::process::Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["rev-parse", "--short", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_else(|| "unknown".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;
    use rnameta_core::{DataSource, GeneAnnotation, GeneInfo, SampleMeta};

    fn tiny(ids: &[&str]) -> Dataset {
        let genes = GeneAnnotation::new(vec![
            GeneInfo::from_id("ENSG00000000003"),
            GeneInfo::from_id("ENSG00000000005"),
        ])
        .unwrap();
        let samples = ids
            .iter()
            .map(|id| SampleMeta::new(*id, DataSource::Gtex))
            .collect();
        Dataset::new(array![[1.0, 2.5], [0.0, 7.0]], genes, samples).unwrap()
    }

    /// The key of a fit must not change when this module is reorganised: every record of an
    /// earlier run (hours of fitting on the paper preset) is found by it.
    #[test]
    fn a_fit_keeps_its_key() {
        let spec = ModelSpec::default_for("lin", Task::Tissue, 3).unwrap();
        let labels = Labels::from_names(&[Some("Brain"), Some("Liver")]);
        let key = fit_key(
            &spec,
            Task::Tissue,
            &GeneChoice::Paper,
            &tiny(&["a", "b"]),
            &labels,
            &tiny(&["c", "d"]),
        )
        .unwrap();
        // (A new rnameta version changes every key, on purpose: update this digest then.)
        assert_eq!(
            key,
            "cc69fe7047a761c97e084b48586b3c3376a331ca9faeb58622c0c2f334cfbd29"
        );
    }
}
