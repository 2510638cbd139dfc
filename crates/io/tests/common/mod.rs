//! Helpers shared by the integration tests of `rnameta-io`: where the real fixtures are, writing a
//! small text file, and checking that an error names its file and place.
//!
//! Each test file uses only some of them.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use rnameta_io::Error;

/// A real fixture shipped in `fixtures/real/`.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/real")
        .join(name)
}

/// Writes `text` to `dir/name` and returns the path.
pub fn write_text(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// Asserts that the error's message names the file and the place (`:3`, `(sample S)`, ...).
pub fn assert_names(err: &Error, file: &str, place: &str) {
    let msg = err.to_string();
    assert!(msg.contains(file), "message does not name {file}: {msg}");
    assert!(msg.contains(place), "message does not name {place}: {msg}");
}
