//! The dataset: expression matrix, genes and samples kept consistent.

use std::collections::HashMap;

use ndarray::{Array2, Axis};
use serde::{Deserialize, Serialize};

use crate::{Error, GeneAnnotation, Result, SampleMeta, ValueKind};

/// Expression values, one row per sample and one column per gene.
///
/// Files that store genes x samples (recount3, GCT, ARCHS4) are transposed by their readers so that
/// every crate sees the same orientation.
pub type ExprMatrix = Array2<f32>;

/// An expression matrix with the annotation of its genes (columns) and samples (rows).
///
/// The constructor guarantees that the shapes agree and that sample ids are unique; gene ids are
/// unique by construction of [`GeneAnnotation`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dataset {
    counts: ExprMatrix,
    genes: GeneAnnotation,
    samples: Vec<SampleMeta>,
}

impl Dataset {
    /// Builds a dataset; refuses mismatched shapes and duplicate sample ids.
    pub fn new(
        counts: ExprMatrix,
        genes: GeneAnnotation,
        samples: Vec<SampleMeta>,
    ) -> Result<Self> {
        let (rows, cols) = counts.dim();
        if rows != samples.len() || cols != genes.len() {
            return Err(Error::ShapeMismatch {
                rows,
                cols,
                samples: samples.len(),
                genes: genes.len(),
            });
        }
        let mut seen = HashMap::with_capacity(samples.len());
        for (row, s) in samples.iter().enumerate() {
            if let Some(first) = seen.insert(s.sample_id.as_str(), row) {
                return Err(Error::DuplicateSample {
                    id: s.sample_id.clone(),
                    first,
                    second: row,
                });
            }
        }
        Ok(Self {
            counts,
            genes,
            samples,
        })
    }

    /// The samples x genes matrix.
    pub fn counts(&self) -> &ExprMatrix {
        &self.counts
    }

    /// Mutable access to the values (the shape cannot change through it).
    pub fn counts_mut(&mut self) -> ndarray::ArrayViewMut2<'_, f32> {
        self.counts.view_mut()
    }

    /// The genes, in column order.
    pub fn genes(&self) -> &GeneAnnotation {
        &self.genes
    }

    /// Mutable gene annotation, e.g. to fill lengths from a GTF. Ids must not be changed through it.
    pub fn genes_mut(&mut self) -> &mut GeneAnnotation {
        &mut self.genes
    }

    /// The samples, in row order.
    pub fn samples(&self) -> &[SampleMeta] {
        &self.samples
    }

    /// Mutable sample metadata, e.g. to attach labels read from a separate table.
    pub fn samples_mut(&mut self) -> &mut [SampleMeta] {
        &mut self.samples
    }

    /// Number of samples (rows).
    pub fn n_samples(&self) -> usize {
        self.samples.len()
    }

    /// Number of genes (columns).
    pub fn n_genes(&self) -> usize {
        self.genes.len()
    }

    /// Row of a sample id.
    pub fn sample_position(&self, sample_id: &str) -> Option<usize> {
        self.samples.iter().position(|s| s.sample_id == sample_id)
    }

    /// The scale of the values (counts, TPM, log, ...).
    pub fn value_kind(&self) -> ValueKind {
        ValueKind::detect(self.counts.view())
    }

    /// Where the negative values are, for a refusal: `" (N negative of M values; first: gene G,
    /// sample S, value V)"`, or `None` when there is none. A few negatives in a counts file are
    /// damaged cells to fix; half the values negative are z-scores.
    pub fn negative_values(&self) -> Option<String> {
        let negatives = self.counts.iter().filter(|v| **v < 0.0).count();
        let ((sample, gene), value) = self.counts.indexed_iter().find(|(_, v)| **v < 0.0)?;
        let gene = &self.genes.genes()[gene];
        Some(format!(
            " ({negatives} negative of {} values; first: gene {}, sample {}, value {value})",
            self.counts.len(),
            gene.source_id.as_deref().unwrap_or(&gene.id),
            self.samples[sample].sample_id
        ))
    }

    /// A new dataset with the given rows, in the given order.
    pub fn select_samples(&self, rows: &[usize]) -> Result<Self> {
        let counts = self.counts.select(Axis(0), rows);
        let samples = rows.iter().map(|&r| self.samples[r].clone()).collect();
        Self::new(counts, self.genes.clone(), samples)
    }

    /// Keeps only the rows `keep` (ascending, each once), moved up within the matrix's own
    /// buffer, which then shrinks: unlike [`Dataset::select_samples`], no second matrix exists at
    /// any moment, which matters for a cohort of several gigabytes (the paper's SRA QC keeps most
    /// of the SRA samples).
    ///
    /// # Errors
    /// If `keep` is not ascending or names a row past the end.
    pub fn retain_samples(self, keep: &[usize]) -> Result<Self> {
        let rows = self.n_samples();
        let mut previous: Option<usize> = None;
        for &row in keep {
            if row >= rows || previous.is_some_and(|p| p >= row) {
                return Err(Error::RowsToKeep {
                    rows,
                    row,
                    previous,
                });
            }
            previous = Some(row);
        }
        let (counts, genes, samples) = self.into_parts();
        let width = counts.ncols();
        let mut values = if counts.is_standard_layout() {
            // Row-major and contiguous from its offset in the buffer.
            let (mut values, offset) = counts.into_raw_vec_and_offset();
            values.drain(..offset.unwrap_or(0));
            values.truncate(rows * width);
            values
        } else {
            counts.iter().copied().collect()
        };
        for (to, &from) in keep.iter().enumerate() {
            if to != from {
                values.copy_within(from * width..(from + 1) * width, to * width);
            }
        }
        values.truncate(keep.len() * width);
        values.shrink_to_fit();
        let counts = ExprMatrix::from_shape_vec((keep.len(), width), values)
            .expect("the kept rows fill the matrix");
        let mut samples: Vec<Option<SampleMeta>> = samples.into_iter().map(Some).collect();
        let samples = keep
            .iter()
            .map(|&r| samples[r].take().expect("each row kept once"))
            .collect();
        Self::new(counts, genes, samples)
    }

    /// The samples of several datasets with the same genes (same ids, same order) stacked in
    /// order: training on GTEx plus SRA is training on `concat(&[&gtex, &sra])`. Sample ids must
    /// stay unique across the parts; the gene annotation is the first part's.
    pub fn concat(parts: &[&Dataset]) -> Result<Self> {
        let Some(first) = parts.first() else {
            return Self::new(
                Array2::zeros((0, 0)),
                GeneAnnotation::new(Vec::new())?,
                Vec::new(),
            );
        };
        Self::check_same_genes(parts)?;
        let views: Vec<_> = parts.iter().map(|d| d.counts.view()).collect();
        let counts = ndarray::concatenate(Axis(0), &views).expect("same number of columns checked");
        let samples = parts
            .iter()
            .flat_map(|d| d.samples.iter().cloned())
            .collect();
        Self::new(counts, first.genes.clone(), samples)
    }

    /// Refuses parts whose gene ids differ from the first part's, naming the part and column.
    fn check_same_genes(parts: &[&Dataset]) -> Result<()> {
        Self::check_same_genes_of(parts.iter().map(|d| &d.genes))
    }

    /// Refuses gene annotations whose ids differ from the first's, naming the part and column.
    pub(crate) fn check_same_genes_of<'g>(
        mut parts: impl Iterator<Item = &'g GeneAnnotation>,
    ) -> Result<()> {
        let Some(first) = parts.next() else {
            return Ok(());
        };
        for (part, genes) in parts.enumerate().map(|(i, g)| (i + 1, g)) {
            if std::ptr::eq(first, genes) {
                continue;
            }
            let mut a = first.ids();
            let mut b = genes.ids();
            for column in 0.. {
                match (a.next(), b.next()) {
                    (None, None) => break,
                    (x, y) if x == y => {}
                    (x, y) => {
                        return Err(Error::GenesDiffer {
                            part,
                            column,
                            expected: x.unwrap_or_default().to_owned(),
                            got: y.unwrap_or_default().to_owned(),
                        })
                    }
                }
            }
        }
        Ok(())
    }

    /// Splits the dataset back into its parts.
    pub fn into_parts(self) -> (ExprMatrix, GeneAnnotation, Vec<SampleMeta>) {
        (self.counts, self.genes, self.samples)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DataSource, GeneInfo};
    use ndarray::array;

    fn genes(n: usize) -> GeneAnnotation {
        GeneAnnotation::new(
            (0..n)
                .map(|i| GeneInfo::from_id(&format!("ENSG{i}")))
                .collect(),
        )
        .unwrap()
    }

    #[test]
    fn concat_stacks_samples_and_refuses_other_genes() {
        let s = |id: &str| SampleMeta::new(id, DataSource::Other);
        let a = Dataset::new(array![[1.0, 2.0]], genes(2), vec![s("a")]).unwrap();
        let b = Dataset::new(
            array![[3.0, 4.0], [5.0, 6.0]],
            genes(2),
            vec![s("b"), s("c")],
        )
        .unwrap();
        let ab = Dataset::concat(&[&a, &b]).unwrap();
        assert_eq!(ab.counts(), &array![[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]);
        assert_eq!(ab.sample_position("c"), Some(2));
        let c = Dataset::new(array![[1.0]], genes(1), vec![s("d")]).unwrap();
        let err = Dataset::concat(&[&a, &c]).unwrap_err().to_string();
        assert!(err.contains("part 1") && err.contains("column 1"), "{err}");
        assert!(matches!(
            Dataset::concat(&[&a, &a]),
            Err(Error::DuplicateSample { .. })
        ));
    }

    #[test]
    fn checks_shape_and_sample_ids() {
        let s = |id: &str| SampleMeta::new(id, DataSource::Other);
        let ok = Dataset::new(
            array![[1.0, 2.0], [3.0, 4.0]],
            genes(2),
            vec![s("a"), s("b")],
        )
        .unwrap();
        assert_eq!(ok.value_kind(), ValueKind::IntegerCounts);
        let sub = ok.select_samples(&[1]).unwrap();
        assert_eq!(sub.counts(), &array![[3.0, 4.0]]);
        assert!(matches!(
            Dataset::new(array![[1.0, 2.0]], genes(3), vec![s("a")]),
            Err(Error::ShapeMismatch { .. })
        ));
        assert!(matches!(
            Dataset::new(array![[1.0], [2.0]], genes(1), vec![s("a"), s("a")]),
            Err(Error::DuplicateSample {
                first: 0,
                second: 1,
                ..
            })
        ));
    }

    #[test]
    fn retaining_samples_in_place_equals_selecting_them() {
        let counts = Array2::from_shape_fn((5, 3), |(r, c)| (r * 10 + c) as f32);
        let samples: Vec<SampleMeta> = (0..5)
            .map(|i| SampleMeta::new(format!("s{i}"), DataSource::Sra))
            .collect();
        let data = Dataset::new(counts, genes(3), samples).unwrap();
        for keep in [vec![], vec![0, 1, 2, 3, 4], vec![1, 3], vec![0, 4], vec![2]] {
            let selected = data.select_samples(&keep).unwrap();
            let retained = data.clone().retain_samples(&keep).unwrap();
            assert_eq!(retained.counts(), selected.counts(), "{keep:?}");
            assert_eq!(retained.samples(), selected.samples(), "{keep:?}");
        }
        // A view that does not start at its buffer's beginning.
        let (counts, g, s) = data.clone().into_parts();
        let sliced = counts.slice_move(ndarray::s![2.., ..]);
        let tail = Dataset::new(sliced, g, s[2..].to_vec()).unwrap();
        let retained = tail.clone().retain_samples(&[0, 2]).unwrap();
        assert_eq!(
            retained.counts(),
            tail.select_samples(&[0, 2]).unwrap().counts()
        );
        for bad in [vec![1, 1], vec![3, 2], vec![5]] {
            assert!(matches!(
                data.clone().retain_samples(&bad),
                Err(Error::RowsToKeep { .. })
            ));
        }
    }
}
