//! File output shared by tables and plots: names derived from a stem, and atomic writes through
//! `rnameta_io::write` (a temporary file in the target directory, renamed when complete).

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::Result;

/// `stem` with `.ext` appended: `results/fig3` -> `results/fig3.png`. Unlike
/// [`Path::with_extension`] this keeps dots already in the stem (`fig3.tissue` -> `fig3.tissue.png`).
pub(crate) fn with_suffix(stem: &Path, ext: &str) -> PathBuf {
    let mut name = OsString::from(stem.as_os_str());
    name.push(".");
    name.push(ext);
    PathBuf::from(name)
}

/// Writes `bytes` to `path` atomically.
pub(crate) fn write_bytes(path: &Path, bytes: &[u8]) -> Result<()> {
    rnameta_io::write::write_atomically(path, |w: &mut dyn Write| w.write_all(bytes))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffix_keeps_dots_in_the_stem() {
        assert_eq!(
            with_suffix(Path::new("out/fig3.tissue"), "png"),
            PathBuf::from("out/fig3.tissue.png")
        );
        assert_eq!(with_suffix(Path::new("t"), "md"), PathBuf::from("t.md"));
    }
}
