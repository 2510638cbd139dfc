//! Choosing columns (genes) of a samples x genes matrix while keeping it row-major.
//!
//! ndarray's `select(Axis(1), ..)` builds its result by concatenating columns, so it comes back
//! column-major: every later pass over a sample's row then strides through memory one gene at a
//! time. Models read rows (a batch of samples, one sample's genes), and on the paper preset the
//! MLP's batches gathered from such a matrix cost 45 % of a whole fit. [`select_columns`] gathers
//! row by row instead and returns a standard-layout matrix with the same values.

use ndarray::{Array2, ArrayView2, ArrayViewMut2};

/// The columns `columns` of `x`, in that order, as a row-major (standard layout) matrix: the
/// values of `x.select(Axis(1), columns)`, laid out for reading rows.
///
/// # Panics
/// When a column is past the last column of `x` (as `select` does).
pub fn select_columns<T: Copy + Default>(x: ArrayView2<'_, T>, columns: &[usize]) -> Array2<T> {
    let mut chosen = Array2::default((x.nrows(), columns.len()));
    select_columns_into(x, columns, chosen.view_mut());
    chosen
}

/// [`select_columns`] written into `out` (as many rows as `x`, one column per chosen column):
/// for a matrix assembled from several sources, such as samples stacked from several datasets.
///
/// # Panics
/// When a column is past the last column of `x`, or `out` has another shape.
pub fn select_columns_into<T: Copy>(
    x: ArrayView2<'_, T>,
    columns: &[usize],
    mut out: ArrayViewMut2<'_, T>,
) {
    assert_eq!(
        out.dim(),
        (x.nrows(), columns.len()),
        "one output row per row and one column per chosen column"
    );
    for (mut out, row) in out.rows_mut().into_iter().zip(x.rows()) {
        match (out.as_slice_mut(), row.as_slice()) {
            (Some(out), Some(row)) => {
                for (o, &c) in out.iter_mut().zip(columns) {
                    *o = row[c];
                }
            }
            _ => {
                for (o, &c) in out.iter_mut().zip(columns) {
                    *o = row[c];
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{array, Axis, ShapeBuilder};

    #[test]
    fn the_chosen_columns_come_back_row_major_with_selects_values() {
        let x = array![[1.0f32, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]];
        let columns = [3, 0, 0, 2];
        let chosen = select_columns(x.view(), &columns);
        assert_eq!(chosen, x.select(Axis(1), &columns));
        assert!(chosen.is_standard_layout());
        // What the helper is for: ndarray's select gives a column-major matrix.
        assert!(!x.select(Axis(1), &columns).is_standard_layout());
    }

    #[test]
    fn a_column_major_input_gives_the_same_row_major_answer() {
        let mut x = Array2::<f32>::zeros((3, 4).f());
        for ((i, j), v) in x.indexed_iter_mut() {
            *v = (i * 10 + j) as f32;
        }
        let chosen = select_columns(x.view(), &[1, 3]);
        assert_eq!(chosen, array![[1.0f32, 3.0], [11.0, 13.0], [21.0, 23.0]]);
        assert!(chosen.is_standard_layout());
    }

    #[test]
    fn no_columns_or_no_rows_give_an_empty_matrix_of_the_right_shape() {
        let x = Array2::<f32>::zeros((2, 3));
        assert_eq!(select_columns(x.view(), &[]).dim(), (2, 0));
        let none = Array2::<f32>::zeros((0, 3));
        assert_eq!(select_columns(none.view(), &[2]).dim(), (0, 1));
    }
}
