//! Shared plumbing of the fuzz targets: the readers take paths, so each input is written to a
//! per-process file in memory-backed storage and parsed from there.

use std::path::PathBuf;

/// Writes `data` to a scratch file with the given extension and returns its path.
pub fn scratch_file(data: &[u8], extension: &str) -> PathBuf {
    let dir = if std::path::Path::new("/dev/shm").is_dir() {
        PathBuf::from("/dev/shm")
    } else {
        std::env::temp_dir()
    };
    let path = dir.join(format!("rnameta-fuzz-{}.{extension}", std::process::id()));
    std::fs::write(&path, data).expect("scratch storage is writable");
    path
}
