//! A borrowed run of a dataset's samples: what a training set made of parts of larger datasets is
//! built from, without copying them.
//!
//! A training set cut from GTEx and the SRA (the paper's scarce class cut to a few samples) is
//! the two datasets less a few rows. As [`DatasetView`]s it is a list of the runs of consecutive
//! samples it keeps ([`DatasetView::runs`]), each a slice of its dataset's matrix, so the
//! preprocessing reads the kept samples where they lie instead of from a copy of every gene of
//! every kept sample (1.6 GB on the paper preset).

use std::borrow::Cow;
use std::ops::Range;

use ndarray::{s, ArrayView2};

use crate::{Dataset, Error, GeneAnnotation, Result, SampleMeta};

/// The samples `rows` (consecutive) of a dataset, with its genes: a [`Dataset`] borrowed in
/// part. [`DatasetView::from`] a dataset is all of it.
#[derive(Debug, Clone, Copy)]
pub struct DatasetView<'a> {
    data: &'a Dataset,
    rows: (usize, usize),
}

impl<'a> From<&'a Dataset> for DatasetView<'a> {
    fn from(data: &'a Dataset) -> Self {
        Self {
            data,
            rows: (0, data.n_samples()),
        }
    }
}

impl<'a> DatasetView<'a> {
    /// The samples `rows` of `data`.
    ///
    /// # Errors
    /// If the range ends past the last sample or is reversed.
    pub fn rows(data: &'a Dataset, rows: Range<usize>) -> Result<Self> {
        if rows.end > data.n_samples() || rows.start > rows.end {
            return Err(Error::RowPastEnd {
                rows: data.n_samples(),
                row: rows.end.max(rows.start),
            });
        }
        Ok(Self {
            data,
            rows: (rows.start, rows.end),
        })
    }

    /// Each of `parts` whole, in order.
    pub fn all_of(parts: &[&'a Dataset]) -> Vec<Self> {
        parts.iter().map(|&part| part.into()).collect()
    }

    /// The rows `rows` (ascending, each once) of the samples of `parts` (datasets or runs of
    /// them) stacked in order, as the fewest views: one per run of consecutive rows within a
    /// dataset. Together they are the selected samples of the parts' concatenation without a
    /// copy ([`DatasetView::concat`] makes one).
    ///
    /// # Errors
    /// If `rows` is not ascending or names a row past the last sample.
    pub fn runs(parts: &[DatasetView<'a>], rows: &[usize]) -> Result<Vec<Self>> {
        let total: usize = parts.iter().map(|part| part.n_samples()).sum();
        let mut views: Vec<Self> = Vec::new();
        let (mut part, mut offset) = (0, 0);
        let mut previous: Option<usize> = None;
        for &row in rows {
            if row >= total || previous.is_some_and(|p| p >= row) {
                return Err(Error::RowsToKeep {
                    rows: total,
                    row,
                    previous,
                });
            }
            previous = Some(row);
            while row >= offset + parts[part].n_samples() {
                offset += parts[part].n_samples();
                part += 1;
            }
            let (data, local) = (parts[part].data, parts[part].rows.0 + row - offset);
            match views.last_mut() {
                Some(last) if std::ptr::eq(last.data, data) && last.rows.1 == local => {
                    last.rows.1 += 1;
                }
                _ => views.push(Self {
                    data,
                    rows: (local, local + 1),
                }),
            }
        }
        Ok(views)
    }

    /// The values, samples x genes.
    pub fn counts(&self) -> ArrayView2<'a, f32> {
        self.data.counts().slice(s![self.rows.0..self.rows.1, ..])
    }

    /// The samples, in row order.
    pub fn samples(&self) -> &'a [SampleMeta] {
        &self.data.samples()[self.rows.0..self.rows.1]
    }

    /// The genes (the dataset's).
    pub fn genes(&self) -> &'a GeneAnnotation {
        self.data.genes()
    }

    /// Number of samples.
    pub fn n_samples(&self) -> usize {
        self.rows.1 - self.rows.0
    }

    /// Number of genes.
    pub fn n_genes(&self) -> usize {
        self.data.n_genes()
    }

    /// The dataset the view borrows its samples from (all of it, not only the view's rows): runs
    /// of one dataset are told apart from runs of another by it (`std::ptr::eq`).
    pub fn dataset(&self) -> &'a Dataset {
        self.data
    }

    /// The dataset whole, when the view is all of it (no copy needed to hand it on as one).
    pub fn whole(&self) -> Option<&'a Dataset> {
        (self.rows == (0, self.data.n_samples())).then_some(self.data)
    }

    /// The views' samples as one dataset: one view of a whole dataset is that dataset, borrowed
    /// (for a step that needs every sample at once and copies what it transforms anyway);
    /// otherwise [`DatasetView::concat`].
    ///
    /// # Errors
    /// If their genes differ or a sample id repeats.
    pub fn as_one(views: &[DatasetView<'a>]) -> Result<Cow<'a, Dataset>> {
        match views {
            [one] if one.whole().is_some() => Ok(Cow::Borrowed(one.data)),
            _ => Ok(Cow::Owned(Self::concat(views)?)),
        }
    }

    /// The views' samples stacked in order as one dataset (a copy): [`Dataset::concat`] of
    /// views.
    ///
    /// # Errors
    /// If their genes differ or a sample id repeats.
    pub fn concat(views: &[DatasetView<'_>]) -> Result<Dataset> {
        let Some(first) = views.first() else {
            return Dataset::concat(&[]);
        };
        Dataset::check_same_genes_of(views.iter().map(|v| v.genes()))?;
        let matrices: Vec<ArrayView2<'_, f32>> = views.iter().map(DatasetView::counts).collect();
        let counts = ndarray::concatenate(ndarray::Axis(0), &matrices)
            .expect("same number of columns checked");
        let samples = views
            .iter()
            .flat_map(|v| v.samples().iter().cloned())
            .collect();
        Dataset::new(counts, first.genes().clone(), samples)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DataSource, GeneInfo};
    use ndarray::Array2;

    fn dataset(prefix: &str, n: usize) -> Dataset {
        let genes = GeneAnnotation::new(vec![
            GeneInfo::from_id("ENSG00000000003"),
            GeneInfo::from_id("ENSG00000000005"),
        ])
        .unwrap();
        let samples = (0..n)
            .map(|i| SampleMeta::new(format!("{prefix}{i}"), DataSource::Sra))
            .collect();
        let counts = Array2::from_shape_fn((n, 2), |(i, j)| (10 * i + j) as f32);
        Dataset::new(counts, genes, samples).unwrap()
    }

    #[test]
    fn runs_are_the_stacked_selection_without_a_copy() {
        let (a, b) = (dataset("a", 4), dataset("b", 3));
        let rows = [0, 1, 3, 4, 5, 6];
        let parts = DatasetView::all_of(&[&a, &b]);
        let views = DatasetView::runs(&parts, &rows).unwrap();
        // a's rows 0-1 and 3, then b's 0-2: three runs.
        let shape: Vec<(usize, usize)> = views
            .iter()
            .map(|v| (v.n_samples(), v.counts()[[0, 0]] as usize))
            .collect();
        assert_eq!(shape, [(2, 0), (1, 30), (3, 0)]);
        let concatenated = Dataset::concat(&[&a, &b]).unwrap();
        assert_eq!(
            DatasetView::concat(&views).unwrap(),
            concatenated.select_samples(&rows).unwrap()
        );
        assert!(DatasetView::runs(&parts, &[1, 1]).is_err());
        assert!(DatasetView::runs(&parts, &[7]).is_err());
        assert!(DatasetView::runs(&parts, &[]).unwrap().is_empty());
        // Runs of runs: rows of the views are rows of their datasets.
        let again = DatasetView::runs(&views, &[1, 2, 5]).unwrap();
        assert_eq!(
            DatasetView::concat(&again).unwrap(),
            concatenated.select_samples(&[1, 3, 6]).unwrap()
        );
        // Views of datasets of other genes are not stacked.
        let other = Dataset::new(
            Array2::zeros((1, 2)),
            GeneAnnotation::new(vec![
                GeneInfo::from_id("ENSG00000000003"),
                GeneInfo::from_id("ENSG00000000419"),
            ])
            .unwrap(),
            vec![SampleMeta::new("c0", DataSource::Sra)],
        )
        .unwrap();
        assert!(DatasetView::concat(&DatasetView::all_of(&[&a, &other])).is_err());
    }

    #[test]
    fn a_view_of_rows_is_their_slice() {
        let a = dataset("a", 4);
        let view = DatasetView::rows(&a, 1..3).unwrap();
        assert_eq!(view.counts(), a.counts().slice(s![1..3, ..]));
        assert_eq!(view.samples()[0].sample_id, "a1");
        assert!(view.whole().is_none());
        assert!(DatasetView::from(&a).whole().is_some());
        // One whole view is borrowed as one dataset; anything else is copied.
        assert!(matches!(
            DatasetView::as_one(&[(&a).into()]).unwrap(),
            Cow::Borrowed(d) if std::ptr::eq(d, &a)
        ));
        assert_eq!(
            DatasetView::as_one(&[view]).unwrap().into_owned(),
            a.select_samples(&[1, 2]).unwrap()
        );
        assert!(DatasetView::rows(&a, 2..5).is_err());
    }
}
