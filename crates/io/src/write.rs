//! Writing output files atomically: everything goes to a temporary file in the target's directory,
//! which is renamed over the target only once complete, so a failed run leaves no half-written file.
//!
//! A command with several outputs [`stage`]s each and [`commit_all`]s them at the end, so that all
//! appear or none. Temporaries being written are registered ([`InFlight`]) so that a signal handler
//! can remove them ([`remove_in_flight`]); those of killed runs are recognised by their process id
//! and removed by the next run ([`sweep_stale_temporaries`]).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{LazyLock, Mutex};

use flate2::write::GzEncoder;
use flate2::Compression;

use crate::error::{Error, ErrorKind, Location, Result};

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
    stage(path, fill)?.commit()
}

/// A complete output waiting in a temporary file beside its target, not yet under its name.
///
/// A command with several outputs stages each, then [`commit_all`]s them, so that a failure
/// while writing any of them leaves none (dropping a `Staged` removes its temporary file).
#[derive(Debug)]
pub struct Staged {
    target: PathBuf,
    temporary: tempfile::NamedTempFile,
    _in_flight: InFlight,
}

impl Staged {
    /// The file this output becomes on commit.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Renames the temporary file over the target.
    pub fn commit(self) -> Result<()> {
        let target = self.target;
        self.temporary
            .persist(&target)
            .map_err(|e| Error::io(&target, Location::File, e.error))?;
        Ok(())
    }
}

/// Writes `path`'s content into a temporary file beside it (gzip-compressed when the path ends in
/// `.gz`), flushed and synced, and returns it staged: nothing appears under `path` before
/// [`Staged::commit`].
pub fn stage<F>(path: &Path, fill: F) -> Result<Staged>
where
    F: FnOnce(&mut dyn Write) -> std::io::Result<()>,
{
    let mut writer = StagedWriter::begin(path)?;
    fill(&mut writer).map_err(|e| Error::io(path, Location::File, e))?;
    writer.finish()
}

/// An output written piece by piece, as the pieces are made (a command that streams its results
/// holds one per output): a temporary file beside the target, gzip-compressed when the target's
/// name ends in `.gz`. [`StagedWriter::finish`] turns it into a [`Staged`] output; dropping it
/// unfinished removes the temporary file.
pub struct StagedWriter {
    target: PathBuf,
    temporary: tempfile::NamedTempFile,
    in_flight: InFlight,
    out: TextOut,
}

/// Where a [`StagedWriter`]'s bytes go.
enum TextOut {
    Plain(BufWriter<File>),
    /// Writers emit many small `write!` calls; the encoder is slow on small inputs, so they are
    /// gathered in a buffer before compression.
    Gzip(BufWriter<GzEncoder<BufWriter<File>>>),
}

impl StagedWriter {
    /// Creates the temporary file beside `path`.
    pub fn begin(path: &Path) -> Result<Self> {
        let (temporary, in_flight) = temporary_beside(path)?;
        let file = temporary
            .as_file()
            .try_clone()
            .map_err(|e| Error::io(path, Location::File, e))?;
        let buffered = BufWriter::with_capacity(1 << 17, file);
        let out = if path.extension().is_some_and(|e| e == "gz") {
            let gz = GzEncoder::new(buffered, Compression::new(GZIP_LEVEL));
            TextOut::Gzip(BufWriter::with_capacity(1 << 17, gz))
        } else {
            TextOut::Plain(buffered)
        };
        Ok(Self {
            target: path.to_path_buf(),
            temporary,
            in_flight,
            out,
        })
    }

    /// Flushes and syncs the content and returns it staged, under the target's name only once
    /// committed.
    pub fn finish(self) -> Result<Staged> {
        let path = &self.target;
        let io_err = |e| Error::io(path, Location::File, e);
        let file = match self.out {
            TextOut::Plain(buffered) => {
                buffered.into_inner().map_err(|e| io_err(e.into_error()))?
            }
            TextOut::Gzip(gathered) => {
                let gz = gathered.into_inner().map_err(|e| io_err(e.into_error()))?;
                let buffered = gz.finish().map_err(io_err)?;
                buffered.into_inner().map_err(|e| io_err(e.into_error()))?
            }
        };
        file.sync_all().map_err(io_err)?;
        Ok(Staged {
            target: self.target,
            temporary: self.temporary,
            _in_flight: self.in_flight,
        })
    }
}

impl Write for StagedWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match &mut self.out {
            TextOut::Plain(w) => w.write(buf),
            TextOut::Gzip(w) => w.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        match &mut self.out {
            TextOut::Plain(w) => w.write_all(buf),
            TextOut::Gzip(w) => w.write_all(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.out {
            TextOut::Plain(w) => w.flush(),
            TextOut::Gzip(w) => w.flush(),
        }
    }
}

impl std::fmt::Debug for StagedWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StagedWriter")
            .field("target", &self.target)
            .field("temporary", &self.temporary.path())
            .finish_non_exhaustive()
    }
}

/// Commits staged outputs together: every target is checked to be a writable place first (an
/// existing folder under a target's name is refused before anything is renamed), then each is
/// renamed into place. Renames within one folder do not fail on a working file system, so in
/// practice either all outputs appear or none does.
pub fn commit_all(staged: Vec<Staged>) -> Result<()> {
    for s in &staged {
        if s.target.is_dir() {
            return Err(Error::file(
                &s.target,
                ErrorKind::Malformed("is a folder; give a file name for this output".to_owned()),
            ));
        }
    }
    for s in staged {
        s.commit()?;
    }
    Ok(())
}

/// A new temporary file beside `path`, registered as in flight.
fn temporary_beside(path: &Path) -> Result<(tempfile::NamedTempFile, InFlight)> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let tmp = temp_builder()
        .tempfile_in(dir)
        .map_err(|e| Error::io(path, Location::File, e))?;
    let in_flight = InFlight::register(tmp.path());
    Ok((tmp, in_flight))
}

/// The prefix of every temporary file or folder rnameta writes before renaming into place.
pub const TEMPORARY_PREFIX: &str = ".rnameta-tmp-";

/// The temporary file next to the target, named `.rnameta-tmp-<pid>-XXXXXX` (the process id lets a
/// later run tell a stale file from one still being written). Created with the mode an ordinary
/// file gets (0666 less the umask) rather than tempfile's private 0600, so results are readable
/// like any other output.
fn temp_builder() -> tempfile::Builder<'static, 'static> {
    let mut b = tempfile::Builder::new();
    b.prefix(&*TEMP_PREFIX_WITH_PID);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        b.permissions(std::fs::Permissions::from_mode(0o666));
    }
    b
}

/// `.rnameta-tmp-<pid>-`, made once.
static TEMP_PREFIX_WITH_PID: LazyLock<String> =
    LazyLock::new(|| temporary_prefix_of(std::process::id()));

/// The temporary-name prefix of the process `pid`.
fn temporary_prefix_of(pid: u32) -> String {
    format!("{TEMPORARY_PREFIX}{pid}-")
}

/// A temporary file or folder of this process that is being written: registered so that a signal
/// handler can remove it ([`remove_in_flight`]) before the process exits, since an exiting process
/// runs no destructors. Dropping the guard only unregisters the path.
#[derive(Debug)]
pub struct InFlight {
    path: PathBuf,
}

/// Paths of this process's temporaries being written.
static IN_FLIGHT: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

impl InFlight {
    /// Registers `path` (a temporary file or folder) as in flight until the guard is dropped.
    pub fn register(path: &Path) -> Self {
        IN_FLIGHT
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(path.to_path_buf());
        Self {
            path: path.to_path_buf(),
        }
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let mut paths = IN_FLIGHT.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(i) = paths.iter().position(|p| *p == self.path) {
            paths.swap_remove(i);
        }
    }
}

/// Removes every temporary file and folder of this process still being written. For a handler of
/// SIGINT / SIGTERM, just before it exits; returns how many were removed.
pub fn remove_in_flight() -> usize {
    remove_all(&IN_FLIGHT.lock().unwrap_or_else(|e| e.into_inner()))
}

/// Removes each file or folder of `paths`; returns how many were removed.
fn remove_all(paths: &[PathBuf]) -> usize {
    paths
        .iter()
        .filter(|p| {
            if p.is_dir() {
                // Writer threads may still add a file while the folder is being emptied: retry.
                (0..5).any(|_| std::fs::remove_dir_all(p).is_ok() || !p.exists())
            } else {
                std::fs::remove_file(p).is_ok()
            }
        })
        .count()
}

/// Removes temporaries of rnameta's naming left in `dir` by runs that were killed: those whose
/// process (`.rnameta-tmp-<pid>-`) no longer runs, and those of the older naming without a process
/// id that are more than a day old. Returns what was removed. Where the system cannot tell whether
/// a process runs (no `/proc`), only day-old temporaries are removed.
pub fn sweep_stale_temporaries(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let own = std::process::id();
    let mut removed = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(TEMPORARY_PREFIX)) else {
            continue;
        };
        let pid = rest
            .split_once('-')
            .and_then(|(pid, _)| pid.parse::<u32>().ok());
        let stale = match pid {
            Some(pid) if pid == own => false,
            Some(pid) if Path::new("/proc/self").exists() => {
                !Path::new("/proc").join(pid.to_string()).exists()
            }
            _ => entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age > std::time::Duration::from_secs(24 * 3600)),
        };
        if !stale {
            continue;
        }
        let path = entry.path();
        let gone = if path.is_dir() {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
        if gone.is_ok() {
            removed.push(path);
        }
    }
    removed
}

/// Writes a file atomically through a closure that gets the temporary path (for libraries such as
/// HDF5 and Parquet that open their own files). The target appears only if `fill` succeeds.
pub fn write_atomically_with_path<F>(path: &Path, fill: F) -> Result<()>
where
    F: FnOnce(&Path) -> Result<()>,
{
    stage_with_path(path, fill)?.commit()
}

/// [`stage`] through a closure that gets the temporary path (for libraries that open their own
/// files): nothing appears under `path` before [`Staged::commit`].
pub fn stage_with_path<F>(path: &Path, fill: F) -> Result<Staged>
where
    F: FnOnce(&Path) -> Result<()>,
{
    let (tmp, in_flight) = temporary_beside(path)?;
    fill(tmp.path())?;
    Ok(Staged {
        target: path.to_path_buf(),
        temporary: tmp,
        _in_flight: in_flight,
    })
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

    #[test]
    fn staged_outputs_appear_together_or_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.tsv");
        let b = dir.path().join("b.tsv");
        // The second output fails while being written: the first, already staged, never appears.
        let first = stage(&a, |w| w.write_all(b"a")).unwrap();
        let second = stage(&b, |_| Err(std::io::Error::other("disk full")));
        assert!(second.is_err());
        drop(first);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        // A target that is a folder is refused before anything is renamed.
        let folder = dir.path().join("folder");
        std::fs::create_dir(&folder).unwrap();
        let staged = vec![
            stage(&a, |w| w.write_all(b"a")).unwrap(),
            stage(&folder, |w| w.write_all(b"b")).unwrap(),
        ];
        let err = commit_all(staged).unwrap_err();
        assert!(err.to_string().contains("is a folder"), "{err}");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        // Both succeed: both appear.
        let staged = vec![
            stage(&a, |w| w.write_all(b"a")).unwrap(),
            stage(&b, |w| w.write_all(b"b")).unwrap(),
        ];
        commit_all(staged).unwrap();
        assert_eq!(std::fs::read(&a).unwrap(), b"a");
        assert_eq!(std::fs::read(&b).unwrap(), b"b");
    }

    #[test]
    fn in_flight_temporaries_are_removed_on_request_and_unregistered_when_done() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.tsv");
        let staged = stage(&target, |w| w.write_all(b"x")).unwrap();
        let temporary = staged.temporary.path().to_path_buf();
        assert!(temporary.exists());
        let registered = IN_FLIGHT.lock().unwrap().clone();
        assert!(registered.contains(&temporary));
        // (`remove_in_flight` itself would remove the temporaries of tests running beside this
        // one: the removal is tested on this test's own paths.)
        assert_eq!(remove_all(std::slice::from_ref(&temporary)), 1);
        assert!(!temporary.exists());
        drop(staged);
        assert!(!IN_FLIGHT.lock().unwrap().iter().any(|p| p == &temporary));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn stale_temporaries_of_dead_processes_are_swept_and_live_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        // A process id that runs no process: beyond the kernel's largest (4,194,304).
        let dead = dir
            .path()
            .join(format!("{}abc123", temporary_prefix_of(4_194_305)));
        let live = dir
            .path()
            .join(format!("{}abc123", temporary_prefix_of(std::process::id())));
        let other = dir.path().join("results.tsv");
        for p in [&dead, &live, &other] {
            std::fs::write(p, b"x").unwrap();
        }
        let removed = sweep_stale_temporaries(dir.path());
        assert_eq!(removed, vec![dead.clone()]);
        assert!(!dead.exists() && live.exists() && other.exists());
    }
}
