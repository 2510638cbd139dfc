//! Finding the expression files of the inputs (files or directories) and the companion files
//! that label or annotate them.
//!
//! Each file's format is detected from its content ([`rnameta_io::detect`]); files are then split
//! into
//! - expression files: plain TSV/CSV matrices, GTEx GCT, recount3 gene sums, recount2 counts,
//!   ARCHS4 HDF5, Parquet matrices;
//! - companions that label or annotate the expression files of the same input: GTEx
//!   SampleAttributesDS + SubjectPhenotypesDS, sample label tables, MetaSRA JSON, GTF and gene
//!   annotation tables.
//!
//! recount3 metadata tables met in a directory walk are not inputs of their own: a gene sums file
//! finds its own in the recount3 layout ([`crate::recount3_layout`]). Prediction tables are
//! outputs and are left out too.

use std::path::{Path, PathBuf};

use rnameta_io::detect::{self, Format};
use rnameta_io::ErrorKind;

use crate::error::{Error, Result};

/// A file that labels or annotates the expression files of the same input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Companion {
    /// The file.
    pub path: PathBuf,
    /// Its detected format (GTEx table, label table, MetaSRA JSON, GTF, gene annotation table).
    pub format: Format,
}

/// One expression file with what labels and annotates it.
#[derive(Debug, Clone)]
pub struct ExpressionFile {
    /// The file.
    pub path: PathBuf,
    /// Its detected format.
    pub format: Format,
    /// Companion files of the same input (label tables, MetaSRA, GTEx tables, annotations).
    pub companions: Vec<Companion>,
}

/// True for the formats that hold an expression matrix.
pub fn is_expression(format: Format) -> bool {
    matches!(
        format,
        Format::Matrix(_)
            | Format::Gct
            | Format::Recount3GeneSums
            | Format::Recount2Counts
            | Format::Archs4Hdf5
            | Format::Parquet
    )
}

/// True for the formats that label or annotate the expression files of a directory.
pub fn is_companion(format: Format) -> bool {
    matches!(
        format,
        Format::GtexSampleAttributes
            | Format::GtexSubjectPhenotypes
            | Format::LabelTable
            | Format::MetaSraJson
            | Format::Gtf
            | Format::GeneAnnotationTable
    )
}

/// The expression files of a list of inputs (files or directories), each with its companions:
/// every companion of a directory for the files in it; for a named file, the GTEx sample
/// attributes and subject phenotypes next to it.
pub fn expression_files<P: AsRef<Path>>(inputs: &[P]) -> Result<Vec<ExpressionFile>> {
    let mut out = Vec::new();
    for input in inputs {
        let input = input.as_ref();
        if !input.exists() {
            return Err(Error::NoSuchPath {
                path: input.to_path_buf(),
            });
        }
        let (expression, companions) = if input.is_dir() {
            directory_files(input)?
        } else {
            named_file(input)?
        };
        out.extend(expression.into_iter().map(|(path, format)| ExpressionFile {
            path,
            format,
            companions: companions.clone(),
        }));
    }
    Ok(out)
}

type Found = (Vec<(PathBuf, Format)>, Vec<Companion>);

/// The expression files and companions of a directory, walked recursively. Files of no known
/// format (and empty ones) are passed over; a known file that cannot be read is an error.
fn directory_files(dir: &Path) -> Result<Found> {
    let mut expression = Vec::new();
    let mut companions = Vec::new();
    for file in walk(dir)? {
        match detect::detect(&file) {
            Ok(format) if is_expression(format) => expression.push((file, format)),
            Ok(format) if is_companion(format) => companions.push(Companion { path: file, format }),
            Ok(_) => {}
            Err(err) if matches!(err.kind, ErrorKind::UnknownFormat(_) | ErrorKind::Empty) => {}
            Err(err) => return Err(err.into()),
        }
    }
    if expression.is_empty() {
        return Err(Error::NoExpressionFile {
            dir: dir.to_path_buf(),
        });
    }
    Ok((expression, companions))
}

/// A file named as an input: it must hold expression values; GTEx tables next to it label it.
fn named_file(file: &Path) -> Result<Found> {
    let format = detect::detect(file)?;
    if !is_expression(format) {
        return Err(Error::NotExpression {
            path: file.to_path_buf(),
            format,
        });
    }
    Ok((vec![(file.to_path_buf(), format)], gtex_tables_beside(file)))
}

/// The GTEx sample attributes and subject phenotypes in the folder of `file` (an unreadable
/// folder gives none: the file itself was readable, and the tables are optional).
fn gtex_tables_beside(file: &Path) -> Vec<Companion> {
    let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) else {
        return Vec::new();
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut siblings: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p != file)
        .collect();
    siblings.sort();
    siblings
        .into_iter()
        .filter_map(|path| match detect::detect(&path) {
            Ok(format @ (Format::GtexSampleAttributes | Format::GtexSubjectPhenotypes)) => {
                Some(Companion { path, format })
            }
            _ => None,
        })
        .collect()
}

/// Every file under `dir`, sorted, hidden files (temporary outputs) left out.
pub fn walk(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        let listing = |source| Error::ReadDirectory {
            path: d.clone(),
            source,
        };
        for entry in std::fs::read_dir(&d).map_err(listing)? {
            let path = entry.map_err(listing)?.path();
            let hidden = path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with('.'));
            if hidden {
                continue;
            }
            if path.is_dir() {
                pending.push(path);
            } else if path.is_file() {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}
