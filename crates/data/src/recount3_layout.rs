//! Where a recount3 gene sums file finds its companions: the project's metadata tables and the
//! annotation GTF, next to the file or in the recount3 layout:
//!
//! ```text
//! <organism>/annotations/gene_sums/<organism>.gene_sums.<annotation>.gtf.gz
//! <organism>/data_sources/<source>/gene_sums/<xx>/<project>/<source>.gene_sums.<project>.<annotation>.gz
//! <organism>/data_sources/<source>/metadata/<xx>/<project>/<source>.<table>.<project>.MD.gz
//! ```
//!
//! (`<xx>` is the last two characters of the project; `rnameta fetch` and `rnameta simulate`
//! write this layout, as recount3's own mirror does).

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use rnameta_io::recount3::{FileName, Recount3Table};

/// The folders around a gene sums file, named after their place in the recount3 layout. Only
/// the project folder is sure to exist; the others are `None` for a file outside the layout.
#[derive(Debug, Clone, Copy)]
struct Place<'a> {
    /// `<project>`: the folder holding the gene sums file.
    project_dir: &'a Path,
}

impl<'a> Place<'a> {
    fn of(gene_sums: &'a Path) -> Option<Self> {
        Some(Self {
            project_dir: gene_sums.parent()?,
        })
    }

    /// `<project>`, the project folder's name.
    fn project(self) -> Option<&'a OsStr> {
        self.project_dir.file_name()
    }

    /// `<xx>`: the shard folder above the project folder.
    fn shard_dir(self) -> Option<&'a Path> {
        self.project_dir.parent()
    }

    /// `<source>`: the data source folder, above `gene_sums/<xx>/<project>`.
    fn source_dir(self) -> Option<&'a Path> {
        let gene_sums_dir = self.shard_dir()?.parent()?;
        gene_sums_dir.parent()
    }

    /// `<organism>`: the organism folder, above `data_sources/<source>`.
    fn organism_dir(self) -> Option<&'a Path> {
        let data_sources_dir = self.source_dir()?.parent()?;
        data_sources_dir.parent()
    }
}

/// The project's `table` (`<source>.<table>.<project>.MD.gz`) of the gene sums file `gene_sums`
/// (named `name`): next to the file, or in the layout's `metadata/<xx>/<project>/` folder.
pub fn metadata_table(gene_sums: &Path, name: &FileName, table: Recount3Table) -> Option<PathBuf> {
    let file = table.file_name(name.data_source, &name.project);
    let place = Place::of(gene_sums)?;
    let beside = place.project_dir.join(&file);
    if beside.is_file() {
        return Some(beside);
    }
    let in_layout = place
        .source_dir()?
        .join("metadata")
        .join(place.shard_dir()?.file_name()?)
        .join(place.project()?)
        .join(&file);
    in_layout.is_file().then_some(in_layout)
}

/// The annotation GTF (`<organism>/annotations/gene_sums/<organism>.gene_sums.<annotation>.gtf.gz`)
/// of a gene sums file in the recount3 layout, if present.
pub fn annotation_gtf(gene_sums: &Path, annotation: &str) -> Option<PathBuf> {
    let organism_dir = Place::of(gene_sums)?.organism_dir()?;
    let organism = organism_dir.file_name()?.to_str()?;
    let gtf = organism_dir
        .join("annotations")
        .join("gene_sums")
        .join(format!("{organism}.gene_sums.{annotation}.gtf.gz"));
    gtf.is_file().then_some(gtf)
}

/// The metadata table that labels the samples of a data source: `gtex`, `tcga`, else `sra`.
pub fn own_table(source: rnameta_core::DataSource) -> Recount3Table {
    match source {
        rnameta_core::DataSource::Gtex => Recount3Table::Gtex,
        rnameta_core::DataSource::Tcga => Recount3Table::Tcga,
        _ => Recount3Table::Sra,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_places_of_a_file_in_the_layout() {
        let file = Path::new("/m/human/data_sources/sra/gene_sums/45/SRP012345/f.gz");
        let place = Place::of(file).unwrap();
        assert_eq!(place.project(), Some(OsStr::new("SRP012345")));
        assert_eq!(
            place.shard_dir(),
            Some(Path::new("/m/human/data_sources/sra/gene_sums/45"))
        );
        assert_eq!(
            place.source_dir(),
            Some(Path::new("/m/human/data_sources/sra"))
        );
        assert_eq!(place.organism_dir(), Some(Path::new("/m/human")));
        // The old code's `ancestors().nth(6)`.
        assert_eq!(place.organism_dir(), file.ancestors().nth(6));
    }

    #[test]
    fn a_file_near_the_root_has_no_organism() {
        let place = Place::of(Path::new("/a/b/f.gz")).unwrap();
        assert_eq!(place.organism_dir(), None);
    }
}
