//! Gene annotations (GTF or annotation table) read once per load and merged into a dataset's
//! genes.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rnameta_core::GeneAnnotation;
use rnameta_io::detect::Format;
use rnameta_io::{annotation, gtf};

/// Reads a gene annotation: a GTF (`format` [`Format::Gtf`]) or a gene annotation table.
pub fn read_annotation(path: &Path, format: Format) -> rnameta_io::Result<GeneAnnotation> {
    match format {
        Format::Gtf => gtf::read_gene_annotation(path),
        _ => annotation::read_gene_table(path),
    }
}

/// Gene annotations already parsed, by file: the recount3 GTF that every gene sums file of a tree
/// shares (tens of thousands of genes) is parsed once. The caller owns it and decides how long
/// it lives: one [`crate::Loader`] keeps one for all its loads.
#[derive(Debug, Default, Clone)]
pub struct AnnotationCache {
    parsed: HashMap<PathBuf, Arc<GeneAnnotation>>,
}

impl AnnotationCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// The annotation in `path` (of `format`), parsed on the first call for that path.
    pub fn get(&mut self, path: &Path, format: Format) -> rnameta_io::Result<Arc<GeneAnnotation>> {
        if let Some(genes) = self.parsed.get(path) {
            return Ok(Arc::clone(genes));
        }
        let genes = Arc::new(read_annotation(path, format)?);
        self.parsed.insert(path.to_path_buf(), Arc::clone(&genes));
        Ok(genes)
    }

    /// How many files are held.
    pub fn len(&self) -> usize {
        self.parsed.len()
    }

    /// True when nothing has been parsed yet.
    pub fn is_empty(&self) -> bool {
        self.parsed.is_empty()
    }
}
