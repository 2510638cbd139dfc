//! The one call: inputs in, one labelled and annotated [`Dataset`] out, with a report of what was
//! matched.

use std::path::{Path, PathBuf};

use rnameta_core::Dataset;

use crate::annotation::AnnotationCache;
use crate::error::{Error, Result};
use crate::files::expression_files;
use crate::options::LoadOptions;
use crate::read::read_file;
use crate::report::{LabelCounts, LoadReport};
use crate::stack::{SeenSamples, Stacker};

/// What [`load()`] returns: the dataset and what went into it.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// Samples x genes, labelled and annotated, every input stacked on the genes all share.
    pub dataset: Dataset,
    /// Files read, companions used, samples labelled, genes annotated, notes.
    pub report: LoadReport,
}

/// One input path or several: a file, a directory, a recount3 tree, a GTEx folder, an ARCHS4
/// file, or a list of them.
pub trait Inputs {
    /// The paths.
    fn into_paths(self) -> Vec<PathBuf>;
}

impl Inputs for &Path {
    fn into_paths(self) -> Vec<PathBuf> {
        vec![self.to_path_buf()]
    }
}

impl Inputs for &PathBuf {
    fn into_paths(self) -> Vec<PathBuf> {
        vec![self.clone()]
    }
}

impl Inputs for PathBuf {
    fn into_paths(self) -> Vec<PathBuf> {
        vec![self]
    }
}

impl Inputs for &str {
    fn into_paths(self) -> Vec<PathBuf> {
        vec![PathBuf::from(self)]
    }
}

impl<P: AsRef<Path>> Inputs for &[P] {
    fn into_paths(self) -> Vec<PathBuf> {
        self.iter().map(|p| p.as_ref().to_path_buf()).collect()
    }
}

impl<P: AsRef<Path>> Inputs for &Vec<P> {
    fn into_paths(self) -> Vec<PathBuf> {
        self.as_slice().into_paths()
    }
}

impl<P: AsRef<Path>> Inputs for Vec<P> {
    fn into_paths(self) -> Vec<PathBuf> {
        self.as_slice().into_paths()
    }
}

impl<P: AsRef<Path>, const N: usize> Inputs for [P; N] {
    fn into_paths(self) -> Vec<PathBuf> {
        self.as_slice().into_paths()
    }
}

/// Loads `inputs` as one dataset: finds the expression files and their companions
/// ([`crate::expression_files`]), reads each with its labels and annotation
/// ([`crate::read_file`]), refuses a sample given twice, and stacks the files on the genes they
/// share ([`crate::stack()`]).
pub fn load(inputs: impl Inputs, options: &LoadOptions) -> Result<Loaded> {
    Loader::new(options.clone()).load(inputs)
}

/// Several loads that belong together (the source and the bias domain of one training run): a
/// sample is refused if an earlier load of the same loader read it from another file, and a
/// gene annotation is parsed once for all of them.
#[derive(Debug, Default)]
pub struct Loader {
    options: LoadOptions,
    annotations: AnnotationCache,
    seen: SeenSamples,
}

impl Loader {
    /// A loader applying `options` to every load.
    pub fn new(options: LoadOptions) -> Self {
        Self {
            options,
            ..Self::default()
        }
    }

    /// The options applied.
    pub fn options(&self) -> &LoadOptions {
        &self.options
    }

    /// Loads `inputs` as [`load()`] does, refusing samples that earlier loads read.
    pub fn load(&mut self, inputs: impl Inputs) -> Result<Loaded> {
        let files = expression_files(&inputs.into_paths())?;
        let mut report = LoadReport::default();
        let mut stacker = Stacker::default();
        for file in &files {
            let data = read_file(file, &self.options, &mut self.annotations, &mut report).map_err(
                |source| Error::Reading {
                    path: file.path.clone(),
                    source: Box::new(source),
                },
            )?;
            self.seen.add(&data, &file.path)?;
            let Some(data) = self.kept_samples(data, &mut report)? else {
                continue;
            };
            stacker.push(file.path.display().to_string(), data);
        }
        if self.options.labelled_only && report.unlabelled_left_out > 0 {
            report.note(format!(
                "{} samples labelled for no task (tissue, sex or sample source) were left out",
                report.unlabelled_left_out
            ));
        }
        let dataset = stacker.finish(&mut report).map_err(|e| match e {
            Error::NoInput if report.unlabelled_left_out > 0 => Error::NoLabelledSample {
                left_out: report.unlabelled_left_out,
            },
            e => e,
        })?;
        report.labelled = LabelCounts::of(&dataset);
        Ok(Loaded { dataset, report })
    }

    /// The samples of one file that the load keeps: all of them, or with
    /// [`LoadOptions::labelled_only`] those labelled for some task (`None` when none is: the file
    /// then has no say in which genes the files share). What was left out is counted in `report`.
    fn kept_samples(&self, data: Dataset, report: &mut LoadReport) -> Result<Option<Dataset>> {
        if !self.options.labelled_only {
            return Ok(Some(data));
        }
        let rows: Vec<usize> = (0..data.n_samples())
            .filter(|&i| data.samples()[i].is_labelled())
            .collect();
        report.unlabelled_left_out += data.n_samples() - rows.len();
        Ok(match rows.len() {
            0 => None,
            _ => Some(data.retain_samples(&rows)?),
        })
    }
}
