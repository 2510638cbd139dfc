//! What the cases share: the case folder, the real fixtures, a model trained once, and the
//! judging helpers of `main.rs`.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use rnameta_core::Dataset;
use rnameta_io::tsv::{read_matrix, write_matrix, MatrixOptions, Orientation};

/// The folder a case writes its inputs in (and runs the binary in), removed when the case ends.
pub struct Ctx {
    /// The case's own folder.
    pub dir: PathBuf,
    _keep: tempfile::TempDir,
}

impl Ctx {
    /// A fresh folder for the case `name`.
    pub fn new(name: &str) -> Self {
        let prefix = format!("badinput-{}-", name.replace('/', "-"));
        let keep = tempfile::Builder::new()
            .prefix(&prefix)
            .tempdir()
            .expect("a temporary folder");
        Self {
            dir: keep.path().to_path_buf(),
            _keep: keep,
        }
    }

    /// `name` inside the case folder.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Writes `text` to `name` inside the case folder and returns its path.
    pub fn write(&self, name: &str, text: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("a folder");
        }
        std::fs::write(&path, text).expect("a written input");
        path
    }
}

/// A file of `fixtures/real`.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/real")
        .join(name)
}

/// The real GEUVADIS counts: 10,101 Ensembl genes (rows) x 85 samples, raw counts.
pub const GEUVADIS_COUNTS: &str = "geuvadis_humanGender_counts.tsv.gz";
/// Sex labels of the GEUVADIS samples.
pub const GEUVADIS_LABELS: &str = "geuvadis_humanGender_samples.tsv.gz";
/// The Ensembl 100 gene table shipped in fixtures/real.
pub const ENSEMBL_GENES: &str = "ensembl100_grch38_genes.tsv.gz";

/// A LIN sex model trained once per run on the real GEUVADIS counts with `--genes xy` (seconds).
/// Cases copy it ([`copy_bundle`]) when they damage it.
pub fn sex_model() -> PathBuf {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    let dir = DIR.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let out = Command::new(crate::binary())
            .args(["train", "--task", "sex", "--model", "lin", "--genes", "xy"])
            .arg("--source-domain")
            .arg(fixture(GEUVADIS_COUNTS))
            .arg("--labels")
            .arg(fixture(GEUVADIS_LABELS))
            .arg("--gene-annotation")
            .arg(fixture(ENSEMBL_GENES))
            .arg("-o")
            .arg(dir.path().join("model"))
            .output()
            .expect("rnameta runs");
        assert!(out.status.success(), "training the shared model: {out:?}");
        dir
    });
    dir.path().join("model")
}

/// Copies a bundle into `ctx` under `name` (to damage it there) and returns the copy.
pub fn copy_bundle(ctx: &Ctx, bundle: &Path, name: &str) -> PathBuf {
    let copy = ctx.path(name);
    std::fs::create_dir_all(&copy).expect("a folder");
    for entry in std::fs::read_dir(bundle).expect("the bundle") {
        let entry = entry.expect("an entry");
        std::fs::copy(entry.path(), copy.join(entry.file_name())).expect("a copied file");
    }
    copy
}

/// Every path under `dir` (folders included), sorted.
pub fn tree(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p.clone());
            }
            out.push(p);
        }
    }
    out.sort();
    out
}

/// True for the temporary files and folders rnameta writes before renaming into place.
pub fn is_temporary(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with(".rnameta-tmp") || n.ends_with(".partial"))
}

/// Reads a pipe to its end, lossily as UTF-8.
pub fn read_all(mut from: impl Read) -> String {
    let mut bytes = Vec::new();
    let _ = from.read_to_end(&mut bytes);
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Sends `signal` (`INT`, `TERM`) to the process `pid` with kill(1).
pub fn send_signal(pid: u32, signal: &str) {
    let _ = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(pid.to_string())
        .status();
}

/// Checks that `stderr` holds one error line (lines starting `note:` and, for clap's usage
/// errors, its usage lines aside) holding every needle.
pub fn one_error_line(stderr: &str, code: i32, needles: &[&str]) -> Result<String, String> {
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
    let others: Vec<&str> = stderr
        .lines()
        .filter(|l| !l.starts_with("error:") && !l.starts_with("note:") && !l.trim().is_empty())
        .collect();
    if errors.len() != 1 {
        return Err(format!("{} error lines, one expected", errors.len()));
    }
    // clap prints usage and tips after its error line; our own errors stand alone.
    if code != 2 && !others.is_empty() {
        return Err(format!("lines beside the error: {others:?}"));
    }
    let missing: Vec<&&str> = needles
        .iter()
        .filter(|n| !errors[0].contains(**n))
        .collect();
    if !missing.is_empty() {
        return Err(format!("the error line lacks {missing:?}"));
    }
    Ok(errors[0].to_owned())
}

/// The real GEUVADIS counts, read once.
pub fn geuvadis() -> &'static Dataset {
    static DATA: OnceLock<Dataset> = OnceLock::new();
    DATA.get_or_init(|| {
        read_matrix(&fixture(GEUVADIS_COUNTS), MatrixOptions::genes_in_rows())
            .expect("the GEUVADIS fixture reads")
    })
}

/// Writes `data` as a genes x samples TSV named `name` in the case folder.
pub fn write_counts(ctx: &Ctx, name: &str, data: &Dataset) -> PathBuf {
    let path = ctx.path(name);
    write_matrix(&path, data, Orientation::GenesInRows).expect("a written matrix");
    path
}

/// `data` with its values replaced by `f(sample, gene, value)`.
pub fn with_values(data: &Dataset, f: impl Fn(usize, usize, f32) -> f32) -> Dataset {
    let mut copy = data.clone();
    for ((i, j), v) in copy.counts_mut().indexed_iter_mut() {
        *v = f(i, j, *v);
    }
    copy
}
