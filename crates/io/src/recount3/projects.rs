//! recount3's project table: which projects a data source holds, and their samples.
//!
//! recount3 has no file of projects as such. Its R package's `available_projects()`
//! (LieberInstitute/recount3, `R/available_projects.R`) calls `available_samples()`, which reads,
//! for each project home of an organism, the home's `recount_project` table:
//!
//! ```text
//! <recount3_url>/<organism>/homes_index                                 one project home per line
//! <recount3_url>/<organism>/<home>/metadata/<home name>.recount_project.MD.gz
//! e.g. https://duffel.rail.bio/recount3/human/data_sources/sra/metadata/sra.recount_project.MD.gz
//! ```
//!
//! (`homes_index`: `R/project_homes.R`, which reads it with `readLines()`; homes are
//! `data_sources/sra`, `data_sources/gtex`, `data_sources/tcga` and `collections/<name>`.) The
//! table has one row per sample (run), tab-separated, in the layout recount3's builder writes
//! (langmead-lab/recount-unify, `metadata/make_recount3_metadata_files.sh`, whose comment shows a
//! real row):
//!
//! ```text
//! rail_id  external_id  study      project    organism      file_source       metadata_source   date_processed
//! 313542   SRR10230231  SRP224299  SRP224299  Homo sapiens  data_sources/sra  data_sources/sra  2019-10-01
//! ```
//!
//! `available_projects()` turns it into one row per project: `project`, `organism` (`Homo
//! sapiens` read as `human`, `Mus musculus` as `mouse`), `file_source` (its last path part,
//! `sra`), `project_home` (the `metadata_source`), `project_type` (the home's first part,
//! `data_sources` or `collections`) and `n_samples` (rows of the project). [`ProjectTable`] reads
//! the table into that view, keeping each project's runs (`external_id`), which is all the table
//! says about samples: the SRA sample accessions (`SRS...`) that MetaSRA is keyed by are in each
//! project's own `sra` table (`<xx>/<project>/sra.sra.<project>.MD.gz`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::table::MetadataTable;
use crate::error::{Error, ErrorKind, Result};
use crate::source::LineReader;
use crate::write::write_atomically;

/// The columns of a project table, in recount3's order.
pub const PROJECT_TABLE_COLUMNS: [&str; 8] = [
    "rail_id",
    "external_id",
    "study",
    "project",
    "organism",
    "file_source",
    "metadata_source",
    "date_processed",
];

/// The file under an organism's folder that lists its project homes, one per line.
pub const HOMES_INDEX: &str = "homes_index";

/// The columns a project table must have to be read (`study` and `date_processed` are
/// informative only, as in `available_projects()`).
const REQUIRED_COLUMNS: [&str; 5] = [
    "external_id",
    "project",
    "organism",
    "file_source",
    "metadata_source",
];

/// The project table of a home, relative to the organism's folder:
/// `data_sources/sra` -> `data_sources/sra/metadata/sra.recount_project.MD.gz`.
pub fn project_table_path(home: &str) -> PathBuf {
    let home = home.trim_matches('/');
    let name = home.rsplit('/').next().unwrap_or(home);
    Path::new(home)
        .join("metadata")
        .join(format!("{name}.recount_project.MD.gz"))
}

/// The organism as the R package names it: `Homo sapiens` -> `human`, `Mus musculus` ->
/// `mouse` (any case); other values as written.
pub fn organism_name(raw: &str) -> &str {
    let raw = raw.trim();
    if raw.eq_ignore_ascii_case("homo sapiens") || raw.eq_ignore_ascii_case("human") {
        "human"
    } else if raw.eq_ignore_ascii_case("mus musculus") || raw.eq_ignore_ascii_case("mouse") {
        "mouse"
    } else {
        raw
    }
}

/// One row of a project table: a sample (run) of a project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectRun {
    /// recount3's sample id, unique across the table.
    pub rail_id: String,
    /// The sample's id at its source (the SRR run of an SRA sample, the GTEx sample id).
    pub external_id: String,
    /// The project (`SRP224299`, `BLADDER`, `ACC`).
    pub project: String,
    /// The organism as written (`Homo sapiens`).
    pub organism: String,
    /// Where the files come from (`data_sources/sra`).
    pub file_source: String,
    /// The project's home (`data_sources/sra`), recount3's `metadata_source` column.
    pub project_home: String,
    /// When recount3 processed the sample (`2019-10-01`), if the table says.
    pub date_processed: Option<String>,
}

/// A project, as `available_projects()` lists it, with its runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project {
    /// The project id (`SRP224299`).
    pub project: String,
    /// `human`, `mouse` or the organism as written (see [`organism_name`]).
    pub organism: String,
    /// The last part of the file source (`sra`, `gtex`, `tcga`).
    pub file_source: String,
    /// The project home (`data_sources/sra`).
    pub project_home: String,
    /// `data_sources` or `collections`: the home's first part.
    pub project_type: String,
    /// The runs (`external_id`), in file order.
    pub runs: Vec<String>,
    /// The 1-based line of the project's first row, for messages.
    pub first_line: u64,
}

impl Project {
    /// Number of samples (runs), `available_projects()`'s `n_samples`.
    pub fn n_samples(&self) -> usize {
        self.runs.len()
    }
}

/// A project table read: its projects in order of first appearance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectTable {
    path: PathBuf,
    projects: Vec<Project>,
}

impl ProjectTable {
    /// Reads a project table (plain or gzip). Column names may carry a table prefix
    /// (`recount_project.project`) and any case, as upstream strips both. A missing column, an
    /// empty project, organism or home, or a repeated `rail_id` is an error naming the file and
    /// the line.
    pub fn read(path: &Path) -> Result<Self> {
        let table = MetadataTable::read(path, &["rail_id"]).map_err(|e| explain_header(path, e))?;
        let column = |name: &str| {
            table.column(name).ok_or_else(|| {
                Error::line(
                    path,
                    1,
                    ErrorKind::Missing(format!(
                        "column {name:?}; a recount3 project table \
                         (<home>/metadata/<name>.recount_project.MD.gz) has the columns {}, \
                         found {}",
                        PROJECT_TABLE_COLUMNS.join(", "),
                        table.columns().join(", ")
                    )),
                )
            })
        };
        let [external, project, organism, file_source, home] = REQUIRED_COLUMNS.map(column);
        let (external, project, organism, file_source, home) =
            (external?, project?, organism?, file_source?, home?);
        let mut projects: Vec<Project> = Vec::new();
        let mut index: HashMap<(String, String, String), usize> = HashMap::new();
        for row in 0..table.n_rows() {
            let line = table.line_of(row).unwrap_or(0);
            let cell = |c: usize, what: &str| {
                table.get(row, c).map(str::trim).ok_or_else(|| {
                    Error::line(path, line, ErrorKind::Missing(format!("{what} value")))
                })
            };
            let run = cell(external, "external_id")?.to_owned();
            let name = cell(project, "project")?.to_owned();
            let organism = organism_name(cell(organism, "organism")?).to_owned();
            let home = cell(home, "metadata_source")?.trim_matches('/').to_owned();
            let source = cell(file_source, "file_source")?.trim_matches('/');
            let source = source.rsplit('/').next().unwrap_or(source).to_owned();
            let key = (name.clone(), organism.clone(), home.clone());
            let at = *index.entry(key).or_insert_with(|| {
                projects.push(Project {
                    project: name,
                    organism,
                    file_source: source,
                    project_type: home.split('/').next().unwrap_or("").to_owned(),
                    project_home: home,
                    runs: Vec::new(),
                    first_line: line,
                });
                projects.len() - 1
            });
            projects[at].runs.push(run);
        }
        Ok(Self {
            path: path.to_path_buf(),
            projects,
        })
    }

    /// The file read.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The projects, in order of first appearance.
    pub fn projects(&self) -> &[Project] {
        &self.projects
    }

    /// Number of runs over all projects.
    pub fn n_runs(&self) -> usize {
        self.projects.iter().map(Project::n_samples).sum()
    }
}

/// A table without a `rail_id` column is most likely not a project table: say so.
fn explain_header(path: &Path, err: Error) -> Error {
    match err.kind {
        ErrorKind::MissingHeader { .. } => Error::new(
            path,
            err.location,
            ErrorKind::MissingHeader {
                expected: format!(
                    "recount3's project table header ({}); is this \
                     <home>/metadata/<name>.recount_project.MD.gz?",
                    PROJECT_TABLE_COLUMNS.join(", ")
                ),
            },
        ),
        _ => err,
    }
}

/// Writes a project table in recount3's layout (gzip when the path ends in `.gz`), atomically:
/// [`PROJECT_TABLE_COLUMNS`], `study` = `project`, `date_processed` empty when unknown.
/// Refuses a repeated `rail_id` and cells holding a tab or a line break.
pub fn write_project_table(path: &Path, runs: &[ProjectRun]) -> Result<()> {
    let columns = PROJECT_TABLE_COLUMNS.map(str::to_owned).to_vec();
    let rows = runs
        .iter()
        .map(|r| {
            vec![
                r.rail_id.clone(),
                r.external_id.clone(),
                r.project.clone(),
                r.project.clone(),
                r.organism.clone(),
                r.file_source.clone(),
                r.project_home.clone(),
                r.date_processed.clone().unwrap_or_default(),
            ]
        })
        .collect();
    let table = MetadataTable::new(columns, "rail_id", rows).map_err(|k| Error::file(path, k))?;
    table.write(path)
}

/// Reads a `homes_index`: one project home per line (`data_sources/sra`), blank lines skipped.
/// A line that is not a home (`<type>/<name>`, each of letters, digits, `_`, `-`, `.`) is an
/// error naming the line.
pub fn read_homes_index(path: &Path) -> Result<Vec<String>> {
    let mut reader = LineReader::open(path)?;
    let mut line = String::new();
    let mut homes = Vec::new();
    while reader.read_line(&mut line)? {
        let home = line.trim().trim_matches('/');
        if home.is_empty() {
            continue;
        }
        let is_name = |part: &str| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
        };
        let parts: Vec<&str> = home.split('/').collect();
        if parts.len() != 2 || !parts.iter().all(|p| is_name(p)) {
            return Err(reader.error(ErrorKind::Malformed(format!(
                "{home:?} is not a project home (like data_sources/sra or collections/ccle)"
            ))));
        }
        homes.push(home.to_owned());
    }
    Ok(homes)
}

/// Writes a `homes_index` (one home per line), atomically.
pub fn write_homes_index(path: &Path, homes: &[String]) -> Result<()> {
    write_atomically(path, |w| {
        for home in homes {
            writeln!(w, "{home}")?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_organisms_follow_the_r_package() {
        assert_eq!(
            project_table_path("data_sources/sra"),
            Path::new("data_sources/sra/metadata/sra.recount_project.MD.gz")
        );
        assert_eq!(
            project_table_path("collections/gtex_geuvadis/"),
            Path::new("collections/gtex_geuvadis/metadata/gtex_geuvadis.recount_project.MD.gz")
        );
        assert_eq!(organism_name("Homo sapiens"), "human");
        assert_eq!(organism_name(" mus musculus"), "mouse");
        assert_eq!(organism_name("Danio rerio"), "Danio rerio");
    }
}
