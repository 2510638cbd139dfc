//! The counts matrix `data/expression` (genes x samples, `uint32`): opened and checked, and read
//! for any set of samples a column block (the samples of one HDF5 chunk column) at a time, so that
//! memory follows the block, not the file.

use std::path::Path;

use ndarray::Array2;
use rust_hdf5::{DatatypeMessage, H5Dataset, H5File};

use super::container::{self, hdf5_error, object};
use super::fields::EXPRESSION;
use crate::error::{Error, ErrorKind, Result};

/// Samples read per hyperslab of an unchunked (contiguous) matrix, where no HDF5 chunk says how
/// wide a column block should be.
const CONTIGUOUS_BLOCK: usize = 64;

/// Most bytes of `uint32` counts one hyperslab may hold. A file chunked by gene rows (chunks as
/// wide as the whole sample axis) would otherwise make one column block the whole matrix.
const MAX_BLOCK_BYTES: usize = 64 << 20;

/// The counts matrix of an open file and how it is read.
pub(crate) struct Expression {
    dataset: H5Dataset,
    /// Rows of the matrix (genes, dropped ones included).
    rows: usize,
    /// Columns (samples).
    columns: usize,
    /// Samples read per hyperslab: the HDF5 chunk's width, bounded by [`MAX_BLOCK_BYTES`].
    block_width: usize,
}

impl Expression {
    /// `data/expression` opened and checked: present, 2-D, unsigned 32-bit.
    pub(crate) fn open(file: &H5File, path: &Path) -> Result<Self> {
        let at = || object(EXPRESSION);
        if !container::has_dataset(file, path, EXPRESSION)? {
            return Err(Error::new(
                path,
                at(),
                ErrorKind::Missing("the counts matrix /data/expression (genes x samples)".into()),
            ));
        }
        let dataset = container::open_dataset(file, path, EXPRESSION)?;
        let datatype = dataset.datatype().map_err(|e| hdf5_error(path, at(), e))?;
        if !matches!(
            datatype,
            DatatypeMessage::FixedPoint {
                size: 4,
                signed: false,
                ..
            }
        ) {
            return Err(Error::new(
                path,
                at(),
                ErrorKind::Malformed(format!(
                    "datatype is {}; ARCHS4 stores counts as unsigned 32-bit integers",
                    describe_datatype(&datatype)
                )),
            ));
        }
        let [rows, columns] = match dataset.shape()[..] {
            [rows, columns] => [rows, columns],
            ref other => {
                return Err(Error::new(
                    path,
                    at(),
                    ErrorKind::Malformed(format!(
                        "shape {other:?}: expected 2 dimensions (genes x samples)"
                    )),
                ))
            }
        };
        let widest = (MAX_BLOCK_BYTES / 4 / rows.max(1)).max(1);
        let block_width = dataset
            .chunk_dims()
            .and_then(|dims| dims.get(1).copied())
            .filter(|w| *w > 0)
            .unwrap_or(CONTIGUOUS_BLOCK)
            .min(widest);
        Ok(Self {
            dataset,
            rows,
            columns,
            block_width,
        })
    }

    /// The matrix's shape: (genes, samples).
    pub(crate) fn shape(&self) -> [usize; 2] {
        [self.rows, self.columns]
    }

    /// The counts of the samples at `indices` (in range, any order, repeats allowed), one row
    /// per index; column `g` holds matrix row `gene_rows[g]`. `block` is the buffer a column
    /// block is read into, reused from call to call so that its pages are not faulted in afresh.
    pub(crate) fn read(
        &self,
        path: &Path,
        indices: &[usize],
        gene_rows: &[usize],
        block: &mut Vec<u32>,
    ) -> Result<Array2<f32>> {
        let mut counts = Array2::<f32>::zeros((indices.len(), gene_rows.len()));
        for group in column_groups(indices, self.block_width) {
            self.read_group(path, indices, &group, gene_rows, &mut counts, block)?;
        }
        Ok(counts)
    }

    /// Reads one column block (the samples of `group`, positions into `indices`) into `block`
    /// and scatters it into `counts`.
    fn read_group(
        &self,
        path: &Path,
        indices: &[usize],
        group: &[usize],
        gene_rows: &[usize],
        counts: &mut Array2<f32>,
        block: &mut Vec<u32>,
    ) -> Result<()> {
        let (Some(&first), Some(&last)) = (group.first(), group.last()) else {
            return Ok(());
        };
        let lo = indices[first];
        let width = indices[last] - lo + 1;
        let len = self.rows.checked_mul(width).ok_or_else(|| {
            Error::new(
                path,
                object(EXPRESSION),
                ErrorKind::Malformed(format!(
                    "a {} x {width} block does not fit in memory",
                    self.rows
                )),
            )
        })?;
        block.resize(len, 0);
        self.dataset
            .read_slice_into::<u32>(block, &[0, lo], &[self.rows, width])
            .map_err(|e| hdf5_error(path, object(EXPRESSION), e))?;
        for &position in group {
            let column = indices[position] - lo;
            let mut row = counts.row_mut(position);
            for (value, &gene_row) in row.iter_mut().zip(gene_rows) {
                *value = block[gene_row * width + column] as f32;
            }
        }
        Ok(())
    }
}

/// Positions of `indices` grouped by the HDF5 chunk column (of `width` samples) their sample lies
/// in, each group sorted by sample, so that every chunk is decompressed once per call.
fn column_groups(indices: &[usize], width: usize) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..indices.len()).collect();
    order.sort_by_key(|&p| indices[p]);
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut current_column = None;
    for position in order {
        let column = indices[position] / width;
        if current_column != Some(column) {
            groups.push(Vec::new());
            current_column = Some(column);
        }
        if let Some(group) = groups.last_mut() {
            group.push(position);
        }
    }
    groups
}

/// A short name for a datatype in messages (`float64`, `int32`, `string`).
fn describe_datatype(datatype: &DatatypeMessage) -> String {
    match datatype {
        DatatypeMessage::FixedPoint { size, signed, .. } => {
            format!("{}int{}", if *signed { "" } else { "u" }, size * 8)
        }
        DatatypeMessage::FloatingPoint { size, .. } => format!("float{}", size * 8),
        DatatypeMessage::VarLenString { .. } | DatatypeMessage::FixedString { .. } => {
            "string".to_owned()
        }
        other => format!("{other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_indices_by_chunk_column() {
        let indices = [40, 3, 17, 15, 0, 16];
        let groups = column_groups(&indices, 16);
        // positions sorted by sample, split at sample 16 and 32
        assert_eq!(groups, vec![vec![4, 1, 3], vec![5, 2], vec![0]]);
        assert!(column_groups(&[], 16).is_empty());
    }
}
