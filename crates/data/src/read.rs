//! Reading one expression file whole, in whichever format it is, with the companions that the
//! format itself implies (a recount3 gene sums file's `recount_qc` table, metadata and GTF).

use std::path::{Path, PathBuf};

use rnameta_core::{DataSource, Dataset};
use rnameta_io::archs4::Archs4Reader;
use rnameta_io::detect::Format;
use rnameta_io::numeric::ValuePolicy;
use rnameta_io::recount3::{self, FileName, Recount3Table};
use rnameta_io::tsv::{self, MatrixOptions};
use rnameta_io::{gct, parquet, recount2};

use crate::annotation::AnnotationCache;
use crate::error::{Error, Result};
use crate::files::ExpressionFile;
use crate::labels::Labelling;
use crate::options::LoadOptions;
use crate::recount3_layout;
use crate::report::{FileRead, LabelSourceKind, LoadReport};

/// Reads one expression file whole, labelled and annotated by its companions and `options`,
/// recording in `report` what was read and applied.
pub fn read_file(
    file: &ExpressionFile,
    options: &LoadOptions,
    annotations: &mut AnnotationCache,
    report: &mut LoadReport,
) -> Result<Dataset> {
    let path = &file.path;
    let mut recount3_companions = Vec::new();
    let mut data = match file.format {
        Format::Matrix(orientation) => read_plain_matrix(path, orientation)?,
        Format::Gct => gct::read(path, DataSource::Gtex)?,
        Format::Recount3GeneSums => {
            read_recount3(path, annotations, report, &mut recount3_companions)?
        }
        Format::Recount2Counts => recount2::read_counts_gene(path)?,
        Format::Archs4Hdf5 => Archs4Reader::open(path)?.read_all()?,
        Format::Parquet => parquet::read_dataset(path)?,
        format => {
            return Err(Error::NotExpression {
                path: path.clone(),
                format,
            })
        }
    };
    report.files.push(FileRead {
        path: path.clone(),
        format: file.format,
        samples: data.n_samples(),
        genes: data.n_genes(),
        recount3_companions,
    });
    Labelling::load(&file.companions, options, annotations)?.apply(&mut data, report)?;
    Ok(data)
}

/// A plain matrix, read with any finite value allowed, so that the commands can say what a
/// matrix of negative values (standardised) is instead of failing on its first cell.
///
/// One read decides it: the counts policy ([`ValuePolicy::NonNegative`]) differs from
/// [`ValuePolicy::AnyFinite`] only in refusing negative cells, so reading with it first and again
/// with `AnyFinite` after a `NegativeCount` error (what this function did before) gives exactly
/// what one `AnyFinite` read gives: the same matrix, or the same first error. Whether the values
/// are counts is judged afterwards on the whole matrix (`Dataset::value_kind`, and
/// [`crate::counts_refusal`] for the reason).
pub fn read_plain_matrix(path: &Path, orientation: tsv::Orientation) -> Result<Dataset> {
    let options = MatrixOptions {
        orientation,
        policy: ValuePolicy::AnyFinite,
        ..MatrixOptions::genes_in_rows()
    };
    Ok(tsv::read_matrix(path, options)?)
}

/// A recount3 gene sums file as read counts, with its project's labels and the gene annotation.
fn read_recount3(
    path: &Path,
    annotations: &mut AnnotationCache,
    report: &mut LoadReport,
    used: &mut Vec<PathBuf>,
) -> Result<Dataset> {
    let sums = recount3::read_gene_sums(path)?;
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(FileName::parse)
        .ok_or_else(|| Error::NotRecount3Name {
            path: path.to_path_buf(),
        })?;
    let qc_path = recount3_layout::metadata_table(path, &name, Recount3Table::RecountQc)
        .ok_or_else(|| Error::MissingRecountQc {
            path: path.to_path_buf(),
            table: Recount3Table::RecountQc.file_name(name.data_source, &name.project),
        })?;
    let qc = recount3::read_metadata_table(&qc_path)?;
    used.push(qc_path);
    let mut data = sums.read_counts(&qc, true)?;
    let own = recount3_layout::own_table(name.data_source);
    if let Some(meta_path) = recount3_layout::metadata_table(path, &name, own) {
        let table = recount3::read_metadata_table(&meta_path)?;
        let records = recount3::sample_meta(&table, name.data_source)?;
        let missing = recount3::apply_sample_meta(data.samples_mut(), &records);
        report.labelled_by(
            &meta_path,
            LabelSourceKind::Recount3Metadata,
            data.n_samples() - missing.len(),
        );
        if !missing.is_empty() {
            report.note(format!(
                "{}: {} samples have no row in {}",
                path.display(),
                missing.len(),
                meta_path.display()
            ));
        }
        used.push(meta_path);
    } else {
        for s in data.samples_mut() {
            s.data_source = name.data_source;
            s.study.get_or_insert_with(|| name.project.clone());
        }
    }
    if let Some(gtf_path) = recount3_layout::annotation_gtf(path, &name.suffix) {
        let genes = annotations.get(&gtf_path, Format::Gtf)?;
        let matched = data.genes_mut().fill_from(&genes);
        report.annotated_by(&gtf_path, matched);
        report.note(format!("gene annotation from {}", gtf_path.display()));
        used.push(gtf_path);
    }
    Ok(data)
}
