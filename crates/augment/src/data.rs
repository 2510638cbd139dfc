//! Checks on the training input shared by every augmenter, the per-class row index, and the
//! per-gene standardiser the GAN trains behind.

use ndarray::{Array2, ArrayView2, Axis};
use rnameta_preprocess::zscore::{standardise_into, GeneMoments};
use serde::{Deserialize, Serialize};

use crate::{Error, Result};
use rnameta_models::Error as ModelError;

/// Refuses a matrix holding NaN or an infinity, naming the first such cell.
pub(crate) fn check_finite(x: ArrayView2<'_, f32>, what: &'static str) -> Result<()> {
    for (sample, row) in x.outer_iter().enumerate() {
        if let Some((gene, &value)) = row.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(Error::NonFinite {
                what,
                sample,
                gene,
                value,
            });
        }
    }
    Ok(())
}

/// Refuses an empty matrix (no rows or no columns).
pub(crate) fn check_not_empty(x: ArrayView2<'_, f32>, what: &'static str) -> Result<()> {
    if x.nrows() == 0 || x.ncols() == 0 {
        return Err(Error::Empty { what });
    }
    Ok(())
}

/// Checks the training input of an augmenter (one class per row, every class below
/// `n_classes`, finite values) and returns the rows of each class.
pub(crate) fn rows_by_class(
    x: ArrayView2<'_, f32>,
    classes: &[usize],
    n_classes: usize,
) -> Result<Vec<Vec<usize>>> {
    check_not_empty(x, "the training matrix")?;
    if classes.len() != x.nrows() {
        return Err(ModelError::ShapeMismatch {
            what: "class entries vs training samples",
            expected: x.nrows(),
            got: classes.len(),
        }
        .into());
    }
    if n_classes == 0 {
        return Err(Error::Empty {
            what: "the class list",
        });
    }
    let mut rows = vec![Vec::new(); n_classes];
    for (r, &c) in classes.iter().enumerate() {
        if c >= n_classes {
            return Err(Error::UnknownClass {
                class: c,
                n_classes,
            });
        }
        rows[c].push(r);
    }
    check_finite(x, "the training matrix")?;
    Ok(rows)
}

/// Refuses a class index that is not below `n_classes`.
pub(crate) fn check_class(class: usize, n_classes: usize) -> Result<()> {
    if class >= n_classes {
        return Err(Error::UnknownClass { class, n_classes });
    }
    Ok(())
}

/// The rows `rows` of `x`, in that order.
pub(crate) fn select_rows(x: ArrayView2<'_, f32>, rows: &[usize]) -> Array2<f32> {
    x.select(Axis(0), rows)
}

/// Per-gene centring and scaling fitted on the training samples: the GAN learns standardised
/// values (every gene on the same scale, so no gene dominates the critic) and generated samples
/// are mapped back with the inverse.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Standardiser {
    /// Per-gene mean.
    pub(crate) mean: Vec<f32>,
    /// Per-gene (population) standard deviation; 1 where a gene is constant.
    pub(crate) scale: Vec<f32>,
}

impl Standardiser {
    /// Mean and standard deviation of every column of `x`, by preprocess's one z-scorer
    /// ([`rnameta_preprocess::zscore::GeneMoments`]: accumulated in `f64`, a gene with sd at most
    /// `MIN_SD` only centred), held in `f32`.
    pub(crate) fn fit(x: ArrayView2<'_, f32>) -> Self {
        let stats = GeneMoments::of_rows(x, None).to_f32();
        Self {
            mean: stats.mean,
            scale: stats.sd,
        }
    }

    /// Number of genes.
    pub(crate) fn genes(&self) -> usize {
        self.mean.len()
    }

    /// `(x - mean) / scale` of row `r` of `x`, into `out` (one value per gene). Rows are
    /// standardised as they are read: a standardised copy of a training matrix would be 0.4 GB on
    /// the paper preset.
    pub(crate) fn row_into(&self, x: ArrayView2<'_, f32>, r: usize, out: &mut [f32]) {
        let row = x.row(r);
        match row.as_slice() {
            Some(src) => standardise_into(src, &self.mean, &self.scale, out),
            None => standardise_into(&row.to_vec(), &self.mean, &self.scale, out),
        }
    }

    /// `z * scale + mean` of every row of `z`, in place.
    pub(crate) fn inverse_in_place(&self, z: &mut Array2<f32>) {
        for mut row in z.outer_iter_mut() {
            row.iter_mut()
                .zip(self.mean.iter().zip(&self.scale))
                .for_each(|(v, (m, s))| *v = *v * s + m);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn standardiser_round_trips_and_keeps_constant_genes() {
        let x = array![[1.0f32, 5.0], [3.0, 5.0]];
        let s = Standardiser::fit(x.view());
        assert_eq!(s.mean, vec![2.0, 5.0]);
        assert_eq!(s.scale, vec![1.0, 1.0]);
        let mut z = Array2::zeros((2, 2));
        for (r, mut out) in z.outer_iter_mut().enumerate() {
            s.row_into(x.view(), r, out.as_slice_mut().unwrap());
        }
        assert_eq!(z, array![[-1.0f32, 0.0], [1.0, 0.0]]);
        // A row read from a column-major view standardises the same.
        let columns = x.t().to_owned();
        let mut row = [0.0f32; 2];
        s.row_into(columns.t(), 1, &mut row);
        assert_eq!(row, [1.0, 0.0]);
        s.inverse_in_place(&mut z);
        assert_eq!(z, x);
    }

    #[test]
    fn rows_by_class_refuses_bad_input() {
        let x = array![[1.0f32], [2.0]];
        assert_eq!(
            rows_by_class(x.view(), &[1, 0], 2).unwrap(),
            vec![vec![1], vec![0]]
        );
        assert!(matches!(
            rows_by_class(x.view(), &[0], 2),
            Err(Error::Model(e)) if matches!(*e, ModelError::ShapeMismatch { .. })
        ));
        assert!(matches!(
            rows_by_class(x.view(), &[0, 2], 2),
            Err(Error::UnknownClass {
                class: 2,
                n_classes: 2
            })
        ));
        let bad = array![[1.0f32], [f32::NAN]];
        assert!(matches!(
            rows_by_class(bad.view(), &[0, 0], 1),
            Err(Error::NonFinite {
                sample: 1,
                gene: 0,
                ..
            })
        ));
    }
}
