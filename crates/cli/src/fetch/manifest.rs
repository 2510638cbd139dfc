//! `fetch-manifest.json`: what `rnameta fetch` put in an output directory, with the size and
//! SHA-256 of every file (and its MD5 when checked against one the server publishes), so that a
//! later run can tell a complete file without hashing it again and anyone can check the data
//! they trained on. Entries are sorted by path and carry no timestamps: the same files give the
//! same manifest. Written atomically after every file.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::download::Known;
use super::error::FetchError;

/// The manifest's file name inside the output directory.
pub const FILE_NAME: &str = "fetch-manifest.json";

/// An exclusive lock on a folder, held by this process until dropped (`flock` on the folder
/// itself, so that no lock file is left behind). The kernel releases it when the process ends,
/// however it ends.
pub struct FolderLock {
    _folder: std::fs::File,
}

impl FolderLock {
    /// Waits for and takes the lock of `folder` (which must exist).
    pub fn exclusive(folder: &Path) -> Result<Self, FetchError> {
        let handle = std::fs::File::open(folder).map_err(|e| FetchError::io(folder, e))?;
        handle.lock().map_err(|e| FetchError::io(folder, e))?;
        Ok(Self { _folder: handle })
    }
}

/// The format tag written in every manifest.
pub const FORMAT: &str = "rnameta-fetch-manifest/1";

/// One fetched file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Path relative to the output directory, `/`-separated.
    pub path: String,
    /// Where it was downloaded from.
    pub url: String,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256 of the content (hex), computed by rnameta.
    pub sha256: String,
    /// MD5 (hex), present only when checked against one the server publishes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub md5: Option<String>,
}

impl Entry {
    /// What the downloader needs to know about the file.
    pub fn known(&self) -> Known {
        Known {
            url: self.url.clone(),
            bytes: self.bytes,
            sha256: self.sha256.clone(),
            md5: self.md5.clone(),
        }
    }
}

/// The manifest of one output directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// [`FORMAT`].
    pub format: String,
    /// Every file fetched into the directory, sorted by path.
    pub files: Vec<Entry>,
}

impl Default for Manifest {
    fn default() -> Self {
        Self {
            format: FORMAT.to_string(),
            files: Vec::new(),
        }
    }
}

/// A manifest that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    /// Reading or writing failed.
    #[error(transparent)]
    Io(#[from] FetchError),
    /// Not a manifest rnameta wrote (or one edited by hand into invalid JSON).
    #[error("{path}: not a fetch manifest ({reason}); move it away to start a new one")]
    Invalid {
        /// The manifest file.
        path: PathBuf,
        /// What is wrong, with line and column for JSON errors.
        reason: String,
    },
}

impl Manifest {
    /// The manifest's path in `dir`.
    pub fn path_in(dir: &Path) -> PathBuf {
        dir.join(FILE_NAME)
    }

    /// Reads the manifest of `dir`; an empty one when there is none yet.
    pub fn load(dir: &Path) -> Result<Self, ManifestError> {
        let path = Self::path_in(dir);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(e) => return Err(FetchError::io(&path, e).into()),
        };
        let manifest: Self = serde_json::from_str(&text).map_err(|e| ManifestError::Invalid {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        if manifest.format != FORMAT {
            return Err(ManifestError::Invalid {
                path,
                reason: format!("format {:?}, expected {FORMAT:?}", manifest.format),
            });
        }
        Ok(manifest)
    }

    /// The entry of a path, if any.
    pub fn get(&self, path: &str) -> Option<&Entry> {
        self.files.iter().find(|e| e.path == path)
    }

    /// Adds or replaces the entry of `entry.path`, keeping the entries sorted.
    pub fn record(&mut self, entry: Entry) {
        match self.files.binary_search_by(|e| e.path.cmp(&entry.path)) {
            Ok(i) => self.files[i] = entry,
            Err(i) => self.files.insert(i, entry),
        }
    }

    /// Records `entry` in the manifest of `dir` as it is on disk now, under an exclusive lock on
    /// `dir`: several `rnameta fetch` processes writing into one directory at once (a workflow's
    /// per-project jobs) each add their files and lose none of the others'.
    pub fn record_in(dir: &Path, entry: Entry) -> Result<(), ManifestError> {
        let _lock = FolderLock::exclusive(dir)?;
        let mut manifest = Self::load(dir)?;
        manifest.record(entry);
        Ok(manifest.save(dir)?)
    }

    /// Writes the manifest into `dir` atomically (temporary file, then rename).
    pub fn save(&self, dir: &Path) -> Result<(), FetchError> {
        let path = Self::path_in(dir);
        let mut json = serde_json::to_string_pretty(self).map_err(|e| {
            FetchError::io(
                &path,
                std::io::Error::new(std::io::ErrorKind::InvalidData, e),
            )
        })?;
        json.push('\n');
        rnameta_io::write::write_atomically(&path, |w| w.write_all(json.as_bytes()))
            .map_err(|e| FetchError::io(&path, std::io::Error::other(e.to_string())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str, bytes: u64) -> Entry {
        Entry {
            path: path.to_string(),
            url: format!("http://example.org/{path}"),
            bytes,
            sha256: "00".repeat(32),
            md5: None,
        }
    }

    #[test]
    fn entries_stay_sorted_and_replace_by_path() {
        let dir = tempfile::tempdir().unwrap();
        let mut m = Manifest::load(dir.path()).unwrap();
        assert!(m.files.is_empty());
        m.record(entry("gtex/b", 2));
        m.record(entry("archs4/a", 1));
        m.record(entry("gtex/b", 3));
        m.save(dir.path()).unwrap();
        let back = Manifest::load(dir.path()).unwrap();
        assert_eq!(back, m);
        let paths: Vec<&str> = back.files.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, ["archs4/a", "gtex/b"]);
        assert_eq!(back.get("gtex/b").unwrap().bytes, 3);
    }

    #[test]
    fn a_foreign_file_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(FILE_NAME), "{\"files\": 3}").unwrap();
        let err = Manifest::load(dir.path()).unwrap_err().to_string();
        assert!(
            err.contains(FILE_NAME) && err.contains("not a fetch manifest"),
            "{err}"
        );
    }
}
