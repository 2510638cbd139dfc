//! What a load matched: the files read with their formats, the companions used, how many samples
//! each label source labelled, how many genes each annotation filled, how gene ids of other kinds
//! were mapped onto Ensembl genes, and the notes a command prints.

use std::path::{Path, PathBuf};

use rnameta_core::{Dataset, Task};
use rnameta_io::detect::Format;
use rnameta_preprocess::harmonise::IdMappingReport;

/// One expression file read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRead {
    /// The file.
    pub path: PathBuf,
    /// Its detected format.
    pub format: Format,
    /// Its samples.
    pub samples: usize,
    /// Its genes (before stacking with other files).
    pub genes: usize,
    /// Files of the recount3 layout read with it (the `recount_qc` table, the project's metadata
    /// table, the annotation GTF).
    pub recount3_companions: Vec<PathBuf>,
}

/// Which kind of file labelled samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LabelSourceKind {
    /// A recount3 metadata table (`sra`, `gtex`, `tcga`) of a gene sums file.
    Recount3Metadata,
    /// GTEx SampleAttributesDS + SubjectPhenotypesDS (the source's `path` is the attributes).
    Gtex,
    /// A sample label table (a companion or the `labels` option).
    LabelTable,
    /// A MetaSRA JSON file.
    MetaSra,
}

/// Samples labelled by one source, over the whole load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelSource {
    /// The file.
    pub path: PathBuf,
    /// What kind of file.
    pub kind: LabelSourceKind,
    /// Samples it had a row (or entry) for.
    pub samples: usize,
}

/// Genes filled by one gene annotation, over the whole load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnnotationSource {
    /// The GTF or annotation table.
    pub path: PathBuf,
    /// Genes of the data found in it (their missing fields filled from it): the most over the
    /// files and chunks it annotated.
    pub genes_matched: usize,
}

/// Samples of the loaded dataset with a label, per task (and with a study, which study-grouped
/// splits need).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LabelCounts {
    /// Samples in the dataset.
    pub samples: usize,
    /// With a tissue.
    pub tissue: usize,
    /// With a sex.
    pub sex: usize,
    /// With a sample source (biopsy / cell line).
    pub sample_source: usize,
    /// With a study.
    pub study: usize,
}

impl LabelCounts {
    /// The counts of `data`.
    pub fn of(data: &Dataset) -> Self {
        let count = |task: Task| {
            data.samples()
                .iter()
                .filter(|s| task.label_of(s).is_some())
                .count()
        };
        Self {
            samples: data.n_samples(),
            tissue: count(Task::Tissue),
            sex: count(Task::Sex),
            sample_source: count(Task::SampleSource),
            study: data.samples().iter().filter(|s| s.study.is_some()).count(),
        }
    }

    /// The count for one task.
    pub fn of_task(&self, task: Task) -> usize {
        match task {
            Task::Tissue => self.tissue,
            Task::Sex => self.sex,
            Task::SampleSource => self.sample_source,
        }
    }
}

/// What a load did (see the module documentation).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadReport {
    /// Every expression file read, in order.
    pub files: Vec<FileRead>,
    /// Every file that labelled samples, in the order first applied.
    pub label_sources: Vec<LabelSource>,
    /// Every gene annotation applied, in the order first applied.
    pub annotations: Vec<AnnotationSource>,
    /// How files keyed by symbols, Entrez ids or RefSeq accessions were mapped onto Ensembl
    /// genes ([`crate::gene_ids`]): one entry per distinct mapping (the chunks of one file map
    /// alike and are kept once).
    pub gene_id_mappings: Vec<IdMappingReport>,
    /// Labelled samples of the loaded dataset per task (set by [`crate::load()`]).
    pub labelled: LabelCounts,
    /// Samples read but left out because no task labels them
    /// ([`LoadOptions::labelled_only`](crate::LoadOptions::labelled_only)).
    pub unlabelled_left_out: usize,
    /// What was assumed or found, one sentence each, in the words the `rnameta` command prints
    /// after `note: `. A sentence is kept once however many files or chunks give it.
    pub notes: Vec<String>,
}

impl LoadReport {
    /// Adds a note unless the same sentence is already there.
    pub fn note(&mut self, text: String) {
        if !self.notes.contains(&text) {
            self.notes.push(text);
        }
    }

    /// Records that `path` labelled `samples` samples (added to what it labelled before).
    pub fn labelled_by(&mut self, path: &Path, kind: LabelSourceKind, samples: usize) {
        match self
            .label_sources
            .iter_mut()
            .find(|s| s.path == path && s.kind == kind)
        {
            Some(source) => source.samples += samples,
            None => self.label_sources.push(LabelSource {
                path: path.to_path_buf(),
                kind,
                samples,
            }),
        }
    }

    /// Records how one file or chunk was mapped onto Ensembl genes, unless the same mapping is
    /// already there (the chunks of one file).
    pub fn mapped_gene_ids(&mut self, mapping: IdMappingReport) {
        if !self.gene_id_mappings.contains(&mapping) {
            self.gene_id_mappings.push(mapping);
        }
    }

    /// Records that `path` matched `genes` genes of one file or chunk.
    pub fn annotated_by(&mut self, path: &Path, genes: usize) {
        match self.annotations.iter_mut().find(|s| s.path == path) {
            Some(source) => source.genes_matched = source.genes_matched.max(genes),
            None => self.annotations.push(AnnotationSource {
                path: path.to_path_buf(),
                genes_matched: genes,
            }),
        }
    }

    /// Appends what `other` did (a later load of the same command): its files, sources and
    /// notes (each sentence once); the label counts are `other`'s.
    pub fn merge(&mut self, other: LoadReport) {
        self.files.extend(other.files);
        for s in other.label_sources {
            self.labelled_by(&s.path, s.kind, s.samples);
        }
        for a in other.annotations {
            self.annotated_by(&a.path, a.genes_matched);
        }
        for m in other.gene_id_mappings {
            self.mapped_gene_ids(m);
        }
        self.labelled = other.labelled;
        self.unlabelled_left_out += other.unlabelled_left_out;
        for n in other.notes {
            self.note(n);
        }
    }
}
