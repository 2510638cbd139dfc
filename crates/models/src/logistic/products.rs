//! The two matrix products of the logistic regression, in `f64`: the logits `z W^T` of a chunk of
//! standardised rows and the weight gradient `A^T z` (`A` the chunk's residual probabilities).
//!
//! Both were ndarray's `dot`, which is matrixmultiply's `dgemm`. With two classes (the classifier
//! two-sample test of `rnameta-augment`'s quality report) `dgemm` spent more time packing its
//! operands than multiplying: it copies `z` into panels for every product, and pads the two
//! classes to its 8 x 4 register tile. These kernels read `z` where it lies: the logits eight rows
//! at a time against one column of four classes of `W^T`, the gradient four rows at a time
//! streamed into accumulators of the classes x genes.
//!
//! They give `dgemm`'s values to the last bit, so a fit is unchanged: every output is summed the
//! way matrixmultiply's fused-multiply-add kernel sums it, from zero, one fused multiply-add per
//! term in order, in blocks of [`TERMS_PER_BLOCK`] terms whose sums are added to the output in
//! block order (tested against `dot` on shapes with remainders in every dimension). Without AVX2
//! and FMA matrixmultiply multiplies and adds separately, and these products call `dot`.

use ndarray::{Array2, ArrayView2};

// The kernels' instructions, and matrixmultiply's condition for the kernel whose sums they repeat.
#[cfg(target_arch = "x86_64")]
use crate::neural::has_avx2_fma;

/// matrixmultiply's `D_KC` (0.3): a dot product's terms are summed in blocks of this many.
const TERMS_PER_BLOCK: usize = 256;

/// `z W^T`: `z` is rows x genes, `w` classes x genes; the result is rows x classes.
pub(super) fn logits(z: ArrayView2<'_, f64>, w: ArrayView2<'_, f64>) -> Array2<f64> {
    #[cfg(target_arch = "x86_64")]
    if has_avx2_fma() {
        if let (Some(zs), Some(ws)) = (z.as_slice(), w.as_slice()) {
            let (rows, genes, classes) = (z.nrows(), z.ncols(), w.nrows());
            // SAFETY: the CPU has AVX2 and FMA (checked above); the slices are the row-major
            // matrices of the shapes passed.
            let out = unsafe { x86::logits(zs, ws, rows, genes, classes) };
            return Array2::from_shape_vec((rows, classes), out).expect("rows x classes");
        }
    }
    z.dot(&w.t())
}

/// `a^T z`: `a` is rows x classes, `z` rows x genes; the result is classes x genes.
pub(super) fn weight_gradient(a: ArrayView2<'_, f64>, z: ArrayView2<'_, f64>) -> Array2<f64> {
    #[cfg(target_arch = "x86_64")]
    if has_avx2_fma() {
        if let (Some(as_), Some(zs)) = (a.as_slice(), z.as_slice()) {
            let (rows, classes, genes) = (a.nrows(), a.ncols(), z.ncols());
            // SAFETY: as in `logits`.
            let out = unsafe { x86::weight_gradient(as_, zs, rows, classes, genes) };
            return Array2::from_shape_vec((classes, genes), out).expect("classes x genes");
        }
    }
    a.t().dot(&z)
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::arch::x86_64::*;

    use super::TERMS_PER_BLOCK;

    /// Rows of `z` per tile of the logits.
    const LOGIT_ROWS: usize = 8;
    /// Rows of `z` per step of the gradient.
    const GRADIENT_ROWS: usize = 4;
    /// Classes whose broadcast residuals a gradient step holds in registers.
    const GRADIENT_CLASSES: usize = 2;

    /// [`super::logits`], row-major `rows x classes`.
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn logits(
        z: &[f64],
        w: &[f64],
        rows: usize,
        genes: usize,
        classes: usize,
    ) -> Vec<f64> {
        // W^T, genes x classes padded with zeros to whole vectors of four.
        let width = classes.div_ceil(4) * 4;
        let mut wt = vec![0.0; genes * width];
        for (j, w_row) in w.chunks_exact(genes).enumerate() {
            for (g, &v) in w_row.iter().enumerate() {
                wt[g * width + j] = v;
            }
        }
        let mut padded = vec![0.0; rows * width];
        let mut r0 = 0;
        while r0 < rows {
            let tile = LOGIT_ROWS.min(rows - r0);
            for v in (0..width).step_by(4) {
                let tile_args = (z, &wt[v..], &mut padded[r0 * width + v..], r0, genes, width);
                match tile {
                    8 => logit_tile::<8>(tile_args),
                    7 => logit_tile::<7>(tile_args),
                    6 => logit_tile::<6>(tile_args),
                    5 => logit_tile::<5>(tile_args),
                    4 => logit_tile::<4>(tile_args),
                    3 => logit_tile::<3>(tile_args),
                    2 => logit_tile::<2>(tile_args),
                    _ => logit_tile::<1>(tile_args),
                }
            }
            r0 += tile;
        }
        if width == classes {
            return padded;
        }
        padded
            .chunks_exact(width)
            .flat_map(|row| row[..classes].iter().copied())
            .collect()
    }

    /// `R` rows of the logits from row `r0`, four classes: `wt` starts at the classes' first
    /// column of `W^T` (rows of `width`), `out` at the tile's first output (rows of `width`).
    #[target_feature(enable = "avx2,fma")]
    unsafe fn logit_tile<const R: usize>(
        (z, wt, out, r0, genes, width): (&[f64], &[f64], &mut [f64], usize, usize, usize),
    ) {
        let z = z.as_ptr().add(r0 * genes);
        let (wt, out) = (wt.as_ptr(), out.as_mut_ptr());
        for start in (0..genes).step_by(TERMS_PER_BLOCK) {
            let end = (start + TERMS_PER_BLOCK).min(genes);
            let mut sums = [_mm256_setzero_pd(); R];
            for g in start..end {
                let w = _mm256_loadu_pd(wt.add(g * width));
                for (i, sum) in sums.iter_mut().enumerate() {
                    let x = _mm256_broadcast_sd(&*z.add(i * genes + g));
                    *sum = _mm256_fmadd_pd(x, w, *sum);
                }
            }
            for (i, sum) in sums.iter().enumerate() {
                let o = out.add(i * width);
                let total = if start == 0 {
                    *sum
                } else {
                    _mm256_add_pd(*sum, _mm256_loadu_pd(o))
                };
                _mm256_storeu_pd(o, total);
            }
        }
    }

    /// [`super::weight_gradient`], row-major `classes x genes`.
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn weight_gradient(
        a: &[f64],
        z: &[f64],
        rows: usize,
        classes: usize,
        genes: usize,
    ) -> Vec<f64> {
        let mut out = vec![0.0; classes * genes];
        let mut block_sums = Vec::new();
        for start in (0..rows).step_by(TERMS_PER_BLOCK) {
            let end = (start + TERMS_PER_BLOCK).min(rows);
            if start == 0 {
                accumulate(&mut out, a, z, start..end, classes, genes);
            } else {
                block_sums.clear();
                block_sums.resize(classes * genes, 0.0);
                accumulate(&mut block_sums, a, z, start..end, classes, genes);
                for (o, &s) in out.iter_mut().zip(&block_sums) {
                    *o += s;
                }
            }
        }
        out
    }

    /// Adds `a[r, j] z[r, g]` to `sums[j, g]` for the rows `rows` in order, one fused
    /// multiply-add each.
    #[target_feature(enable = "avx2,fma")]
    unsafe fn accumulate(
        sums: &mut [f64],
        a: &[f64],
        z: &[f64],
        rows: std::ops::Range<usize>,
        classes: usize,
        genes: usize,
    ) {
        let mut r = rows.start;
        while r < rows.end {
            let step = GRADIENT_ROWS.min(rows.end - r);
            let step_args = (&mut *sums, a, z, r, classes, genes);
            match step {
                4 => gradient_step::<4>(step_args),
                3 => gradient_step::<3>(step_args),
                2 => gradient_step::<2>(step_args),
                _ => gradient_step::<1>(step_args),
            }
            r += step;
        }
    }

    /// Adds the terms of the `R` rows from `r` to every sum, row after row.
    #[target_feature(enable = "avx2,fma")]
    unsafe fn gradient_step<const R: usize>(
        (sums, a, z, r, classes, genes): (&mut [f64], &[f64], &[f64], usize, usize, usize),
    ) {
        let whole = genes / 4 * 4;
        let z = z.as_ptr().add(r * genes);
        for j0 in (0..classes).step_by(GRADIENT_CLASSES) {
            let group = GRADIENT_CLASSES.min(classes - j0);
            // The residuals of the group's classes in the R rows, broadcast.
            let mut residual = [[_mm256_setzero_pd(); R]; GRADIENT_CLASSES];
            for (c, per_row) in residual.iter_mut().enumerate().take(group) {
                for (i, v) in per_row.iter_mut().enumerate() {
                    *v = _mm256_broadcast_sd(&a[(r + i) * classes + j0 + c]);
                }
            }
            for g in (0..whole).step_by(4) {
                let mut x = [_mm256_setzero_pd(); R];
                for (i, v) in x.iter_mut().enumerate() {
                    *v = _mm256_loadu_pd(z.add(i * genes + g));
                }
                for (c, per_row) in residual.iter().enumerate().take(group) {
                    let s = sums.as_mut_ptr().add((j0 + c) * genes + g);
                    let mut sum = _mm256_loadu_pd(s);
                    for i in 0..R {
                        sum = _mm256_fmadd_pd(per_row[i], x[i], sum);
                    }
                    _mm256_storeu_pd(s, sum);
                }
            }
            for g in whole..genes {
                for c in 0..group {
                    let s = &mut sums[(j0 + c) * genes + g];
                    for i in 0..R {
                        *s = a[(r + i) * classes + j0 + c].mul_add(*z.add(i * genes + g), *s);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    fn random(rows: usize, cols: usize, rng: &mut ChaCha8Rng) -> Array2<f64> {
        Array2::from_shape_fn((rows, cols), |_| rng.random_range(-2.0..2.0))
    }

    fn bits(m: &Array2<f64>) -> Vec<u64> {
        m.iter().map(|v| v.to_bits()).collect()
    }

    /// Every shape's remainder: rows around the 8-row tiles and the 256-term blocks, genes around
    /// the vectors of four and the blocks, one to five classes and sixteen.
    #[test]
    fn products_equal_ndarray_dot_to_the_last_bit() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for &rows in &[1, 3, 8, 9, 255, 256, 257, 520] {
            for &genes in &[1, 5, 255, 256, 257, 700] {
                for &classes in &[1, 2, 3, 5, 16] {
                    let z = random(rows, genes, &mut rng);
                    let w = random(classes, genes, &mut rng);
                    let a = random(rows, classes, &mut rng);
                    let shape = format!("{rows} x {genes}, {classes} classes");
                    assert_eq!(
                        bits(&logits(z.view(), w.view())),
                        bits(&z.dot(&w.t())),
                        "logits, {shape}"
                    );
                    assert_eq!(
                        bits(&weight_gradient(a.view(), z.view())),
                        bits(&a.t().dot(&z)),
                        "gradient, {shape}"
                    );
                }
            }
        }
    }
}
