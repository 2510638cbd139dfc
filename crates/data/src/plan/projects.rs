//! Stage 1: the projects the tasks need, from the mirror's project tables alone.
//!
//! Selected, as the paper's data: human projects of recount3's data sources SRA, GTEx and TCGA.
//! Collections (regroupings of data-source projects) are not read; projects of another organism
//! or another data source are counted as left out. Each selected project names its own metadata
//! table, the file stage 2 reads and so the one to fetch before it.

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;

use rnameta_io::plan::PlannedProject;
use rnameta_io::recount3::ProjectTable;

use super::mirror::{data_source_of, Recount3Mirror, ORGANISM};
use crate::error::Result;

/// What stage 1 found: the selected projects and what was left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectsPlan {
    /// The mirror read.
    pub mirror: Recount3Mirror,
    /// The project tables read, one per data-source home.
    pub project_tables: Vec<PathBuf>,
    /// Collections listed by the mirror's `homes_index`, not read.
    pub collections: Vec<String>,
    /// The selected projects, in table order (each project once).
    pub projects: Vec<PlannedProject>,
    /// Projects left out, by reason (`organism mouse`, `data source ccle`).
    pub left_out: BTreeMap<String, usize>,
}

impl ProjectsPlan {
    /// Runs over the selected projects, as the project tables count them.
    pub fn runs(&self) -> usize {
        self.projects.iter().map(|p| p.runs).sum()
    }

    /// Selected projects whose metadata table is not in the mirror.
    pub fn missing_metadata(&self) -> impl Iterator<Item = &PlannedProject> {
        self.projects.iter().filter(|p| !p.metadata_found)
    }
}

/// Stage 1: reads the project table of each data-source home of `mirror` and selects the human
/// SRA, GTEx and TCGA projects, noting for each whether its metadata table is in the mirror.
pub fn plan_projects(mirror: &Recount3Mirror) -> Result<ProjectsPlan> {
    let homes = mirror.homes()?;
    let mut plan = ProjectsPlan {
        mirror: mirror.clone(),
        project_tables: Vec::new(),
        collections: homes.collections,
        projects: Vec::new(),
        left_out: BTreeMap::new(),
    };
    let mut seen: HashSet<(String, String)> = HashSet::new();
    for (_, path) in homes.data_sources {
        let table = ProjectTable::read(&path)?;
        plan.project_tables.push(path);
        for project in table.projects() {
            if project.organism != ORGANISM {
                leave_out(&mut plan.left_out, format!("organism {}", project.organism));
                continue;
            }
            if project.project_type != "data_sources" {
                leave_out(
                    &mut plan.left_out,
                    format!("project home {}", project.project_home),
                );
                continue;
            }
            let Some(source) = data_source_of(&project.file_source) else {
                leave_out(
                    &mut plan.left_out,
                    format!("data source {}", project.file_source),
                );
                continue;
            };
            if !seen.insert((source.as_str().to_owned(), project.project.clone())) {
                continue;
            }
            let metadata = mirror.metadata_table(source, &project.project);
            plan.projects.push(PlannedProject {
                data_source: source,
                project: project.project.clone(),
                project_home: project.project_home.clone(),
                runs: project.n_samples(),
                metadata_table: mirror.relative(&metadata),
                metadata_found: metadata.is_file(),
                samples: None,
            });
        }
    }
    Ok(plan)
}

fn leave_out(left_out: &mut BTreeMap<String, usize>, why: String) {
    *left_out.entry(why).or_insert(0) += 1;
}
