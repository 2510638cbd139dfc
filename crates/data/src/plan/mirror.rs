//! Where a recount3 mirror keeps what the plan reads: the organism's folder, its project homes,
//! each home's project table, and each project's own metadata table.
//!
//! ```text
//! ROOT/human/homes_index                                              (optional)
//! ROOT/human/data_sources/<source>/metadata/<source>.recount_project.MD.gz    stage 1
//! ROOT/human/data_sources/<source>/metadata/<xx>/<project>/<source>.<source>.<project>.MD.gz   stage 2
//! ```
//!
//! `ROOT` is what the recount3 R package calls `recount3_url` (`https://duffel.rail.bio/recount3`
//! on the server); `rnameta fetch --out DIR` and `rnameta simulate --out DIR` write it as
//! `DIR/recount3`.

use std::path::{Path, PathBuf};

use rnameta_core::DataSource;
use rnameta_io::recount3::{project_file, project_table_path, read_homes_index, HOMES_INDEX};

use crate::error::{Error, Result};
use crate::recount3_layout::own_table;

/// recount3's load balancer, from which missing files can be fetched (`rnameta fetch`'s default).
pub const RECOUNT3_URL: &str = "https://duffel.rail.bio/recount3";

/// The organism the paper's data is of, and the only one a plan reads.
pub const ORGANISM: &str = "human";

/// A recount3 mirror on disk (or the part of one that has been fetched).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recount3Mirror {
    root: PathBuf,
}

/// The project homes of a mirror that hold data sources (`data_sources/sra`, ...).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Homes {
    /// The data-source homes, with the project table of each.
    pub data_sources: Vec<(String, PathBuf)>,
    /// Collections (`collections/<name>`) listed: regroupings of data-source projects, not read.
    pub collections: Vec<String>,
    /// Whether the homes come from the `homes_index` (else from the folders present).
    pub from_index: bool,
}

impl Recount3Mirror {
    /// The mirror at `path`: the folder holding `human/` (recount3's `recount3_url`), the `human/`
    /// folder itself, or a folder holding `recount3/human/` (what `rnameta fetch --out DIR` and
    /// `rnameta simulate --out DIR` write).
    pub fn find(path: &Path) -> Result<Self> {
        if !path.exists() {
            return Err(Error::NoSuchPath {
                path: path.to_path_buf(),
            });
        }
        let is_root = |root: &Path| {
            let organism = root.join(ORGANISM);
            organism.join(HOMES_INDEX).is_file() || organism.join("data_sources").is_dir()
        };
        if is_root(path) {
            return Ok(Self::at(path));
        }
        let below = path.join("recount3");
        if is_root(&below) {
            return Ok(Self::at(below));
        }
        if path.file_name().is_some_and(|n| n == ORGANISM) {
            let parent = match path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p,
                _ => Path::new("."),
            };
            if is_root(parent) {
                return Ok(Self::at(parent));
            }
        }
        Err(Error::NoRecount3Mirror {
            path: path.to_path_buf(),
        })
    }

    /// A mirror whose root is `root` (not checked).
    pub fn at(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// The mirror's root (the folder holding `human/`).
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `ROOT/human`.
    pub fn organism_dir(&self) -> PathBuf {
        self.root.join(ORGANISM)
    }

    /// The homes of the mirror: those of `human/homes_index` when present (every data-source home
    /// listed must have its project table), else the folders under `human/data_sources/` that hold
    /// one. No data-source home with a project table is an error saying where the table belongs
    /// and where to download it.
    pub fn homes(&self) -> Result<Homes> {
        let organism = self.organism_dir();
        let index = organism.join(HOMES_INDEX);
        let mut homes = Homes::default();
        if index.is_file() {
            homes.from_index = true;
            for home in read_homes_index(&index)? {
                if home.starts_with("data_sources/") {
                    let table = organism.join(project_table_path(&home));
                    if !table.is_file() {
                        return Err(self.missing_project_table(&table, &home));
                    }
                    homes.data_sources.push((home, table));
                } else {
                    homes.collections.push(home);
                }
            }
        } else {
            let dir = organism.join("data_sources");
            let listing = |source| Error::ReadDirectory {
                path: dir.clone(),
                source,
            };
            let mut names: Vec<String> = std::fs::read_dir(&dir)
                .map_err(listing)?
                .filter_map(|e| e.ok())
                .filter(|e| e.path().is_dir())
                .filter_map(|e| e.file_name().to_str().map(str::to_owned))
                .filter(|n| !n.starts_with('.'))
                .collect();
            names.sort();
            for name in names {
                let home = format!("data_sources/{name}");
                let table = organism.join(project_table_path(&home));
                if table.is_file() {
                    homes.data_sources.push((home, table));
                }
            }
        }
        if homes.data_sources.is_empty() {
            let home = "data_sources/sra";
            return Err(self.missing_project_table(&organism.join(project_table_path(home)), home));
        }
        Ok(homes)
    }

    fn missing_project_table(&self, table: &Path, home: &str) -> Error {
        Error::NoProjectTable {
            path: table.to_path_buf(),
            url: format!(
                "{RECOUNT3_URL}/{ORGANISM}/{}",
                project_table_path(home).to_string_lossy()
            ),
        }
    }

    /// A project's own metadata table (`sra.sra.<project>.MD.gz`, `gtex.gtex.<project>.MD.gz`,
    /// `tcga.tcga.<project>.MD.gz`): the samples, their SRA accessions and records.
    pub fn metadata_table(&self, source: DataSource, project: &str) -> PathBuf {
        let name = own_table(source).file_name(source, project);
        self.organism_dir()
            .join(project_file(source, "metadata", project, &name))
    }

    /// `path` relative to the mirror's root, `/`-separated (as the mirror's URLs are), or the
    /// whole path when it lies elsewhere.
    pub fn relative(&self, path: &Path) -> String {
        let inside = path.strip_prefix(&self.root).unwrap_or(path);
        inside
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/")
    }
}

/// The data source of a project home's files (`file_source` `sra` -> [`DataSource::Sra`]); `None`
/// for a source rnameta does not read.
pub fn data_source_of(file_source: &str) -> Option<DataSource> {
    match file_source.parse::<DataSource>() {
        Ok(source @ (DataSource::Sra | DataSource::Gtex | DataSource::Tcga)) => Some(source),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_tables_lie_in_the_shard_folder() {
        let mirror = Recount3Mirror::at("/m");
        assert_eq!(
            mirror.metadata_table(DataSource::Sra, "SRP107565"),
            Path::new("/m/human/data_sources/sra/metadata/65/SRP107565/sra.sra.SRP107565.MD.gz")
        );
        assert_eq!(
            mirror.metadata_table(DataSource::Gtex, "BLADDER"),
            Path::new("/m/human/data_sources/gtex/metadata/ER/BLADDER/gtex.gtex.BLADDER.MD.gz")
        );
        assert_eq!(
            mirror.relative(Path::new("/m/human/data_sources/sra")),
            "human/data_sources/sra"
        );
        assert_eq!(data_source_of("tcga"), Some(DataSource::Tcga));
        assert_eq!(data_source_of("ccle"), None);
    }
}
