//! Build script of xtask: the hash of the code that fits models, for the fit cache's keys
//! (`src/experiment/fingerprint.rs`).
//!
//! `--resume` reuses a recorded fit only when nothing it depends on changed, the code included.
//! The code is fingerprinted here, at build time, as a SHA-256 over every file under the source
//! folders of the crates a fit runs through (core, io, preprocess, models, augment, eval, data),
//! over xtask's experiments (which build the fits' inputs) and over `Cargo.lock` (a dependency's
//! new version can change a number). Build time rather than run time, so that the hash describes
//! the code the binary was built from, even when the checkout moved on since; cargo reruns this
//! script whenever a file under those folders changes. Its result is the environment variable
//! `RNAMETA_FIT_CODE_HASH` of the crate's compilation.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// Source folders whose files enter the hash, relative to the workspace root.
const HASHED: [&str; 9] = [
    "crates/core/src",
    "crates/io/src",
    "crates/preprocess/src",
    "crates/models/src",
    "crates/augment/src",
    "crates/eval/src",
    "crates/data/src",
    "xtask/src/experiment",
    "Cargo.lock",
];

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let root = manifest
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf();
    let mut hash = Sha256::new();
    for relative in HASHED {
        let path = root.join(relative);
        if path.exists() {
            println!("cargo:rerun-if-changed={}", path.display());
        } else if let Some(parent) = path.parent().and_then(Path::parent) {
            // A folder that does not exist yet (a crate being added): rerun once its parent
            // changes, not on every build.
            println!("cargo:rerun-if-changed={}", parent.display());
        }
        let mut files = Vec::new();
        collect(&path, &mut files);
        files.sort();
        for file in files {
            let name = file.strip_prefix(&root).unwrap_or(&file);
            let bytes = std::fs::read(&file)
                .unwrap_or_else(|e| panic!("reading {} for the code hash: {e}", file.display()));
            hash.update(name.to_string_lossy().as_bytes());
            hash.update([0]);
            hash.update((bytes.len() as u64).to_le_bytes());
            hash.update(&bytes);
        }
    }
    let digest: String = hash.finalize().iter().map(|b| format!("{b:02x}")).collect();
    println!("cargo:rustc-env=RNAMETA_FIT_CODE_HASH={digest}");
}

/// Every file at or below `path` (nothing when it does not exist).
fn collect(path: &Path, files: &mut Vec<PathBuf>) {
    if path.is_file() {
        files.push(path.to_path_buf());
        return;
    }
    let Ok(entries) = std::fs::read_dir(path) else {
        return;
    };
    for entry in entries.flatten() {
        collect(&entry.path(), files);
    }
}
