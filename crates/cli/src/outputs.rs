//! Checks on output paths, made before any work is done: a run that would fail at the end to
//! write its result should fail at the start instead. Each check also removes the temporaries of
//! earlier runs that were killed before they could clean up (`rnameta_io::write::sweep_stale_temporaries`).

use std::path::Path;

use anyhow::{bail, Result};

/// Refuses an output file path whose folder does not exist or that names an existing folder,
/// and sweeps stale temporaries from its folder. `flag` names the option in messages.
pub fn check_output_file(out: &Path, flag: &str) -> Result<()> {
    let folder = check_parent(out, flag)?;
    if out.is_dir() {
        bail!(
            "{flag} {}: is a folder; give a file name (e.g. {})",
            out.display(),
            out.join("predictions.tsv").display()
        );
    }
    sweep(folder);
    Ok(())
}

/// Refuses a bundle directory path whose parent folder does not exist or that names an existing
/// file, and sweeps stale temporaries beside and inside it.
pub fn check_output_dir(out: &Path, flag: &str) -> Result<()> {
    let folder = check_parent(out, flag)?;
    if out.exists() && !out.is_dir() {
        bail!(
            "{flag} {}: is a file; a model bundle is a folder, give a new or existing folder name",
            out.display()
        );
    }
    sweep(folder);
    if out.is_dir() {
        sweep(out);
    }
    Ok(())
}

/// Refuses an output folder path that names an existing file (a folder of several outputs is
/// created when missing, with its parents), and sweeps stale temporaries from it.
pub fn check_output_folder(out: &Path, flag: &str) -> Result<()> {
    if out.exists() && !out.is_dir() {
        bail!(
            "{flag} {}: is a file; the outputs go into a folder, give a new or existing folder name",
            out.display()
        );
    }
    if out.is_dir() {
        sweep(out);
    }
    Ok(())
}

/// The folder an output goes in, which must exist.
fn check_parent<'a>(out: &'a Path, flag: &str) -> Result<&'a Path> {
    match out.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(parent) if !parent.is_dir() => bail!(
            "{flag} {}: folder {} does not exist; create it first",
            out.display(),
            parent.display()
        ),
        Some(parent) => Ok(parent),
        None => Ok(Path::new(".")),
    }
}

/// Removes stale temporaries of killed runs from `folder`, saying so.
fn sweep(folder: &Path) {
    let removed = rnameta_io::write::sweep_stale_temporaries(folder);
    if !removed.is_empty() {
        eprintln!(
            "note: removed {} unfinished temporary files of interrupted runs from {}",
            removed.len(),
            folder.display()
        );
    }
}
