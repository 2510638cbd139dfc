//! Resuming long runs: with `--resume`, the score of every finished model fit is recorded under
//! `<results>/.fits/`, and a later run of the same experiments reuses it instead of fitting again.
//!
//! A full run on the `paper` preset takes many hours on a small machine; an interrupted run loses
//! at most the fit in progress. A fit's record is found again only for the same
//! [`FitRequest`] (model settings and seed, task, gene choice, and the full training data, labels
//! and test data: every matrix value, gene and sample) fitted by the same code: the key holds
//! [`CODE_HASH`], a hash of the source of every crate a fit runs through, so a record is never
//! served to code that changed since (see [`super::fingerprint`]). Each record also names the
//! commit checked out when it was written and shows the request it answers. Results other than
//! one fit's scores (a seed of `annotate`, `rf-multilabel` or `augment`: several fits and what
//! they measured) are recorded the same way, under a [`Key`] built from what they depend on.
//!
//! A memo counts the results it read from records and the ones it computed ([`Reuse`]), so that a
//! step's time can be read for what it is: with records read, it counts only what was computed.
//!
//! This module knows the store and [`FitRequest`] -> scores; the fit itself is
//! [`fit_and_score`]'s.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

pub use super::fingerprint::{Key, CODE_HASH};
use super::fit::{fit_and_score, FitRequest, Scores};

/// Where fits are recorded, or nothing (a run without `--resume`). Clones share one count of the
/// results read and computed ([`Memo::reuse`]).
#[derive(Debug, Clone, Default)]
pub struct Memo {
    dir: Option<PathBuf>,
    commit: String,
    tally: Arc<Tally>,
}

/// Results a memo read from records and results it computed and recorded, so far.
#[derive(Debug, Default)]
struct Tally {
    read: AtomicUsize,
    computed: AtomicUsize,
}

/// How many results a memo with records (`--resume`) read from them and how many it computed:
/// a step's time counts only the computed ones. Records nest: a result computed inside another
/// (`rf-multilabel`'s seed, which records its source forest's fit too) counts twice when computed
/// and once when the outer one is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Reuse {
    /// Results read from records (of earlier runs, or of earlier steps of this run).
    pub read: usize,
    /// Results computed (and recorded).
    pub computed: usize,
}

/// One recorded result.
#[derive(Serialize, Deserialize)]
struct Record<T> {
    /// What was computed, for a reader of the file.
    what: String,
    /// The commit checked out when it ran (`unknown` outside a git checkout).
    commit: String,
    /// The hash of the code that computed it ([`CODE_HASH`]).
    #[serde(default)]
    code: String,
    /// The fit request, for the records of single fits (data shown as digests).
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    request: serde_json::Value,
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
            tally: Arc::default(),
        }
    }

    /// How many results this memo and its clones read from records and how many they computed
    /// so far; `None` without records (a run without `--resume` computes everything).
    pub fn reuse(&self) -> Option<Reuse> {
        self.dir.as_ref().map(|_| Reuse {
            read: self.tally.read.load(Ordering::Relaxed),
            computed: self.tally.computed.load(Ordering::Relaxed),
        })
    }

    /// Counts `n` results read from records.
    fn count_read(&self, n: usize) {
        self.tally.read.fetch_add(n, Ordering::Relaxed);
    }

    /// The scores of fitting `request` ([`fit_and_score`]), from the record of an earlier
    /// identical request when there is one; `what` names the fit in the record ("tissue-sra MLP
    /// G-S seed 3").
    pub fn scores(&self, what: &str, request: &FitRequest<'_>) -> Result<Scores> {
        if self.dir.is_none() {
            return Ok(fit_and_score(request)?.1);
        }
        let (key, shown) = request.key_and_json()?;
        self.store(what, shown, || Ok(key), || Ok(fit_and_score(request)?.1))
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
        self.store(what, serde_json::Value::Null, key, compute)
    }

    /// Whether [`Memo::recorded`] under `key` would read a `T` from an earlier run's record instead
    /// of computing it (never without `--resume`; `key` is then not computed). For work that is
    /// started ahead of its turn, and only when its result will be needed.
    pub fn is_recorded<T: DeserializeOwned>(
        &self,
        key: impl FnOnce() -> Result<String>,
    ) -> Result<bool> {
        let Some(dir) = &self.dir else {
            return Ok(false);
        };
        Ok(read_record::<T>(&dir.join(format!("{}.json", key()?))).is_some())
    }

    /// The results of `compute`, one per name in `whats` (several results that one computation
    /// makes: the set-ups of `annotate` that share their models), each recorded under its own key
    /// from `keys` (one per name, built as [`Memo::recorded`]'s); read from the records of an
    /// earlier run when every one of them is there, otherwise all computed and recorded.
    pub fn recorded_together<T: Serialize + DeserializeOwned>(
        &self,
        whats: &[String],
        keys: impl FnOnce() -> Result<Vec<String>>,
        compute: impl FnOnce() -> Result<Vec<T>>,
    ) -> Result<Vec<T>> {
        let check = |results: Vec<T>| {
            if results.len() == whats.len() {
                Ok(results)
            } else {
                bail!("{} results for {} records", results.len(), whats.len())
            }
        };
        let Some(dir) = &self.dir else {
            return check(compute()?);
        };
        let paths: Vec<PathBuf> = keys()?
            .iter()
            .map(|key| dir.join(format!("{key}.json")))
            .collect();
        if paths.len() != whats.len() {
            bail!("{} keys for {} records", paths.len(), whats.len());
        }
        if let Some(found) = paths.iter().map(|path| read_record(path)).collect() {
            self.count_read(paths.len());
            return Ok(found);
        }
        let results = check(compute()?)?;
        let mut written = Vec::with_capacity(results.len());
        for ((path, what), result) in paths.iter().zip(whats).zip(results) {
            written.push(self.write_record(path, what, serde_json::Value::Null, result)?);
        }
        Ok(written)
    }

    fn store<T: Serialize + DeserializeOwned>(
        &self,
        what: &str,
        request: serde_json::Value,
        key: impl FnOnce() -> Result<String>,
        compute: impl FnOnce() -> Result<T>,
    ) -> Result<T> {
        let Some(dir) = &self.dir else {
            return compute();
        };
        let path = dir.join(format!("{}.json", key()?));
        if let Some(result) = read_record(&path) {
            self.count_read(1);
            return Ok(result);
        }
        let result = compute()?;
        self.write_record(&path, what, request, result)
    }

    /// Records `result` at `path` (atomically, its folder made first), counts it as computed, and
    /// gives it back.
    fn write_record<T: Serialize>(
        &self,
        path: &Path,
        what: &str,
        request: serde_json::Value,
        result: T,
    ) -> Result<T> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        let record = Record {
            what: what.to_owned(),
            commit: self.commit.clone(),
            code: CODE_HASH.to_owned(),
            request,
            result,
        };
        let json = serde_json::to_vec_pretty(&record)?;
        rnameta_io::write::write_atomically(path, |w| w.write_all(&json))?;
        self.tally.computed.fetch_add(1, Ordering::Relaxed);
        Ok(record.result)
    }
}

/// The result recorded at `path`, if a record there reads as a `T` (one that does not is
/// computed again).
fn read_record<T: DeserializeOwned>(path: &Path) -> Option<T> {
    let bytes = std::fs::read(path).ok()?;
    serde_json::from_slice::<Record<T>>(&bytes)
        .ok()
        .map(|record| record.result)
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
    use std::cell::Cell;

    #[test]
    fn results_recorded_together_are_read_back_together_or_all_computed_again() {
        let dir = tempfile::tempdir().unwrap();
        let memo = Memo::in_results(dir.path());
        let whats = ["first".to_owned(), "second".to_owned()];
        let keys = || Ok(vec!["key-a".to_owned(), "key-b".to_owned()]);
        let computed = Cell::new(0);
        let compute = |values: Vec<u32>| {
            computed.set(computed.get() + 1);
            Ok(values)
        };
        let first = memo
            .recorded_together(&whats, keys, || compute(vec![1, 2]))
            .unwrap();
        assert_eq!((first, computed.get()), (vec![1, 2], 1));
        let reuse = |read, computed| Some(Reuse { read, computed });
        assert_eq!(memo.reuse(), reuse(0, 2));
        // Both recorded: read back, not computed (what compute would give now is ignored).
        let again = memo
            .recorded_together(&whats, keys, || compute(vec![7, 8]))
            .unwrap();
        assert_eq!((again, computed.get()), (vec![1, 2], 1));
        assert_eq!(memo.reuse(), reuse(2, 2));
        // One record missing: all computed and recorded again.
        std::fs::remove_file(dir.path().join(".fits/key-b.json")).unwrap();
        let recomputed = memo
            .recorded_together(&whats, keys, || compute(vec![3, 4]))
            .unwrap();
        assert_eq!((recomputed, computed.get()), (vec![3, 4], 2));
        // A clone counts into the same tally.
        assert_eq!(memo.clone().reuse(), reuse(2, 4));
        let record: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.path().join(".fits/key-a.json")).unwrap())
                .unwrap();
        assert_eq!(
            (record["what"].as_str(), record["scores"].as_u64()),
            (Some("first"), Some(3))
        );
        // A computation giving another number of results than names is an error, with or
        // without records.
        for memo in [Memo::off(), Memo::in_results(&dir.path().join("other"))] {
            let err = memo
                .recorded_together(&whats, keys, || compute(vec![5]))
                .unwrap_err()
                .to_string();
            assert!(err.contains("1 results for 2 records"), "{err}");
        }
        assert!(!dir.path().join("other/.fits").exists());
    }

    #[test]
    fn is_recorded_says_whether_recorded_would_read_instead_of_computing() {
        let dir = tempfile::tempdir().unwrap();
        let memo = Memo::in_results(dir.path());
        let key = || Ok("key".to_owned());
        assert!(!memo.is_recorded::<u32>(key).unwrap());
        assert_eq!(memo.recorded("a number", key, || Ok(5u32)).unwrap(), 5);
        assert!(memo.is_recorded::<u32>(key).unwrap());
        // A record that does not read as the type asked for would be computed again.
        assert!(!memo.is_recorded::<Vec<String>>(key).unwrap());
        // Asking reads nothing: only the one computation is counted; reading it counts.
        let counted = |read, computed| Some(Reuse { read, computed });
        assert_eq!(memo.reuse(), counted(0, 1));
        assert_eq!(memo.recorded("a number", key, || Ok(6u32)).unwrap(), 5);
        assert_eq!(memo.reuse(), counted(1, 1));
        // Without --resume nothing is recorded, and the key is not even made.
        let never = || -> Result<String> { panic!("the key is not made without --resume") };
        let off = Memo::off();
        assert!(!off.is_recorded::<u32>(never).unwrap());
        assert_eq!(off.recorded("a number", never, || Ok(7u32)).unwrap(), 7);
        assert_eq!(off.reuse(), None);
    }
}
