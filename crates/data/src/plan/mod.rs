//! `rnameta plan`: which recount3 projects, and which of their samples with which labels, the
//! paper's tasks (tissue, sex, sample source) need, from a recount3 mirror and MetaSRA.
//!
//! recount3's project table lists each project's runs but not their SRA sample accessions, by
//! which MetaSRA labels samples; those are in each project's own metadata table. So a plan has
//! two stages, each a function of this module:
//!
//! | stage | reads | gives |
//! |---|---|---|
//! | 1 [`plan_projects`] | `human/data_sources/<source>/metadata/<source>.recount_project.MD.gz` (every data-source home's project table; `human/homes_index` when present) | the human SRA, GTEx and TCGA projects and, for each, its own metadata table: what to fetch |
//! | 2 [`plan_samples`] | stage 1, each project's `<xx>/<project>/<source>.<source>.<project>.MD.gz`, the MetaSRA release (and optionally UBERON's OBO file) | the samples that pass the metadata QC (single-cell and small-RNA runs left out), their runs and their labels, and the labelled samples per class |
//!
//! [`plan`] runs stage 1, and stage 2 when a MetaSRA release is given; [`Plan::files`] is what
//! [`rnameta_io::plan::write_plan`] writes:
//!
//! ```no_run
//! use rnameta_data::plan::{plan, PlanInputs, PlanOptions};
//!
//! let inputs = PlanInputs {
//!     recount3: "mirror".into(),
//!     metasra: Some("metasra.v1-8.json".into()),
//!     uberon: None,
//! };
//! let plan = plan(&inputs, &PlanOptions::default())?;
//! rnameta_io::plan::write_plan("plan".as_ref(), &plan.files())?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod mirror;
mod projects;
mod samples;
mod sra_labels;
mod summary;

use std::path::PathBuf;

use rnameta_core::Task;
use rnameta_io::plan::PlanFiles;

pub use mirror::{data_source_of, Homes, Recount3Mirror, ORGANISM, RECOUNT3_URL};
pub use projects::{plan_projects, ProjectsPlan};
pub use samples::{class_counts, plan_samples, LabelReport, PlanOptions, SamplesPlan};
pub use sra_labels::MetaSraLabels;
pub use summary::summary_markdown;

use crate::error::Result;

/// The tasks a plan labels, in the order its files list them.
pub const TASKS: [Task; 3] = [Task::Tissue, Task::Sex, Task::SampleSource];

/// The files a plan reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlanInputs {
    /// The recount3 mirror (see [`Recount3Mirror::find`] for the folders accepted).
    pub recount3: PathBuf,
    /// The MetaSRA release; with it the plan goes on to stage 2.
    pub metasra: Option<PathBuf>,
    /// UBERON's OBO file, to roll MetaSRA's terms up to tissues (default: the built-in table).
    pub uberon: Option<PathBuf>,
}

/// A plan of either stage.
#[derive(Debug, Clone, PartialEq)]
pub enum Plan {
    /// Stage 1: projects only.
    Projects(ProjectsPlan),
    /// Stage 2: projects, samples and labels.
    Samples(SamplesPlan),
}

impl Plan {
    /// 1 or 2.
    pub fn stage(&self) -> u8 {
        match self {
            Self::Projects(_) => 1,
            Self::Samples(_) => 2,
        }
    }

    /// The projects (for stage 2, with what their metadata tables hold).
    pub fn projects(&self) -> &ProjectsPlan {
        match self {
            Self::Projects(p) => p,
            Self::Samples(s) => &s.projects,
        }
    }

    /// The files to write ([`rnameta_io::plan::write_plan`]).
    pub fn files(&self) -> PlanFiles {
        match self {
            Self::Projects(p) => PlanFiles {
                projects: p.projects.clone(),
                manifest: None,
                counts: None,
                summary: summary_markdown(p, None),
            },
            Self::Samples(s) => PlanFiles {
                projects: s.projects.projects.clone(),
                manifest: Some(s.manifest.clone()),
                counts: Some(s.counts.clone()),
                summary: summary_markdown(&s.projects, Some(s)),
            },
        }
    }
}

/// Plans from `inputs`: stage 1 always, stage 2 when a MetaSRA release is given. The MetaSRA
/// file (and UBERON's) is read before the mirror's tables, so that a wrong file is refused
/// before any long read.
pub fn plan(inputs: &PlanInputs, options: &PlanOptions) -> Result<Plan> {
    let mirror = Recount3Mirror::find(&inputs.recount3)?;
    let labels = inputs
        .metasra
        .as_deref()
        .map(|path| MetaSraLabels::read(path, inputs.uberon.as_deref()))
        .transpose()?;
    let projects = plan_projects(&mirror)?;
    Ok(match labels {
        None => Plan::Projects(projects),
        Some(labels) => Plan::Samples(plan_samples(&projects, &labels, options)?),
    })
}
