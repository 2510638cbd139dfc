//! Writing output files atomically: everything goes to a temporary file in the target's directory,
//! which is renamed over the target only once complete, so a failed run leaves no half-written file.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use flate2::write::GzEncoder;
use flate2::Compression;

use crate::error::{Error, Location, Result};

/// gzip level of every `.gz` file rnameta writes: 1, because compression dominated writing a
/// paper-size simulated cohort (54 % of the run at level 6) while level 1 makes the files only about
/// a third larger; readers do not care.
pub const GZIP_LEVEL: u32 = 1;

/// Writes `path` atomically: `fill` writes the content (gzip-compressed when the path ends in
/// `.gz`); the file appears under its name only if `fill` and the flush succeed.
pub fn write_atomically<F>(path: &Path, fill: F) -> Result<()>
where
    F: FnOnce(&mut dyn Write) -> std::io::Result<()>,
{
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let io_err = |e| Error::io(path, Location::File, e);
    let tmp = temp_builder().tempfile_in(dir).map_err(io_err)?;
    {
        let file: &File = tmp.as_file();
        let mut buffered = BufWriter::with_capacity(1 << 17, file);
        if path.extension().is_some_and(|e| e == "gz") {
            // Writers emit many small `write!` calls; the encoder is slow on small inputs, so
            // they are gathered in a buffer before compression.
            let gz = GzEncoder::new(&mut buffered, Compression::new(GZIP_LEVEL));
            let mut gathered = BufWriter::with_capacity(1 << 17, gz);
            fill(&mut gathered).map_err(io_err)?;
            let gz = gathered.into_inner().map_err(|e| io_err(e.into_error()))?;
            gz.finish().map_err(io_err)?;
        } else {
            fill(&mut buffered).map_err(io_err)?;
        }
        buffered.flush().map_err(io_err)?;
    }
    tmp.as_file().sync_all().map_err(io_err)?;
    tmp.persist(path).map_err(|e| io_err(e.error))?;
    Ok(())
}

/// The temporary file next to the target. Created with the mode an ordinary file gets (0666 less
/// the umask) rather than tempfile's private 0600, so results are readable like any other output.
fn temp_builder() -> tempfile::Builder<'static, 'static> {
    let mut b = tempfile::Builder::new();
    b.prefix(".rnameta-tmp-");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        b.permissions(std::fs::Permissions::from_mode(0o666));
    }
    b
}

/// Writes a file atomically through a closure that gets the temporary path (for libraries such as
/// HDF5 and Parquet that open their own files). The target appears only if `fill` succeeds.
pub fn write_atomically_with_path<F>(path: &Path, fill: F) -> Result<()>
where
    F: FnOnce(&Path) -> Result<()>,
{
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let tmp = temp_builder()
        .tempfile_in(dir)
        .map_err(|e| Error::io(path, Location::File, e))?;
    fill(tmp.path())?;
    tmp.persist(path)
        .map_err(|e| Error::io(path, Location::File, e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[cfg(unix)]
    #[test]
    fn written_files_get_ordinary_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        super::write_atomically(&path, |w| w.write_all(b"x")).unwrap();
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        // The same mode as a file created the ordinary way under this process's umask.
        let plain = dir.path().join("plain.txt");
        std::fs::write(&plain, b"x").unwrap();
        assert_eq!(mode(&path), mode(&plain));
    }

    use super::*;

    #[test]
    fn failed_write_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.tsv");
        let result = write_atomically(&target, |w| {
            w.write_all(b"half")?;
            Err(std::io::Error::other("disk full"))
        });
        assert!(result.is_err());
        assert!(!target.exists());
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "no temp file left"
        );
        write_atomically(&target, |w| w.write_all(b"whole")).unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"whole");
    }
}
