//! Resuming long runs: with `--resume`, the score of every finished model fit is recorded under
//! `<results>/.fits/`, and a later run of the same experiments reuses it instead of fitting again.
//!
//! A full run on the `paper` preset takes many hours on a small machine; an interrupted run loses
//! at most the fit in progress. A record is found again only for the same fit: the same model
//! settings and seed, task, gene choice, training samples with the same labels, test samples and
//! data (sample ids, label assignments, gene ids and every row's sum of values enter its key), by
//! the same rnameta version. Records from code whose models changed since must be deleted by
//! hand (`rm -r <results>/.fits`): the key cannot see a change in the code itself. Each record
//! names the commit checked out when it was written.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use rnameta_core::{Dataset, Labels, Task};
use rnameta_models::{GeneChoice, ModelSpec};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::runner::{fit_and_score, Scores};

/// Where fits are recorded, or nothing (a run without `--resume`).
#[derive(Debug, Clone, Default)]
pub struct Memo {
    dir: Option<PathBuf>,
    commit: String,
}

/// One recorded fit.
#[derive(Serialize, Deserialize)]
struct Record {
    /// What was fitted, for a reader of the file.
    what: String,
    /// The commit checked out when the fit ran (`unknown` outside a git checkout).
    commit: String,
    scores: Scores,
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
        let Some(dir) = &self.dir else {
            return Ok(fit_and_score(spec, task, genes, train, labels, test)?.1);
        };
        let path = dir.join(format!(
            "{}.json",
            fit_key(spec, task, genes, train, labels, test)?
        ));
        if let Ok(bytes) = std::fs::read(&path) {
            if let Ok(record) = serde_json::from_slice::<Record>(&bytes) {
                return Ok(record.scores);
            }
        }
        let (_, scores) = fit_and_score(spec, task, genes, train, labels, test)?;
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let record = Record {
            what: what.to_owned(),
            commit: self.commit.clone(),
            scores,
        };
        let json = serde_json::to_vec_pretty(&record)?;
        rnameta_io::write::write_atomically(&path, |w| w.write_all(&json))?;
        Ok(record.scores)
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
    let mut hash = Sha256::new();
    hash.update(env!("CARGO_PKG_VERSION").as_bytes());
    hash.update(serde_json::to_vec(spec)?);
    hash.update(task.as_str().as_bytes());
    hash.update(serde_json::to_vec(genes)?);
    for class in labels.classes() {
        hash.update(class.as_bytes());
        hash.update([0]);
    }
    for assigned in labels.assigned() {
        hash.update(assigned.map_or(u64::MAX, |c| c as u64).to_le_bytes());
    }
    for data in [train, test] {
        data_fingerprint(&mut hash, data);
    }
    Ok(hash.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// Feeds `data`'s shape, sample and gene ids, and the sum of each row's values into `hash`.
fn data_fingerprint(hash: &mut Sha256, data: &Dataset) {
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
