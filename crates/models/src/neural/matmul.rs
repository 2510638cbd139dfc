//! The two matrix products of a network's input layer, written for its shapes: few rows (a batch
//! of 64 samples), many inputs (thousands of genes), a few hundred outputs.
//!
//! - [`product`]: `out = x w` (forward; also prediction and DA's embeddings, with more rows);
//! - [`apply_weight_gradient`]: the weight gradient of a batch, `dw = x^T g`, handed block by block
//!   (6 inputs at a time) to the optimiser, so that it is never written out whole: for a 7,000 x
//!   512 layer, a 14 MB gradient written and read back every step would be a quarter of Adam's
//!   memory traffic; [`weight_gradient`] writes the whole of it (the tests' reference, and the
//!   GAN's layers that read and write the genes, whose gradients `rnameta-augment` combines).
//!
//! They are most of the arithmetic of the MLP and DA (the hidden and output layers are a few
//! hundred inputs wide), and dfdx's general GEMM (the `gemm` crate) spends a quarter of its time
//! on them packing both operands into panels, for a product whose rows are only 64: a 7,000 x 128
//! weight matrix is copied each batch to be used by 64 rows. Here nothing is packed: `w` and `g`
//! are read where they are, 16 consecutive outputs (one 64-byte line) at a time, and `x` is read
//! one value at a time and broadcast.
//!
//! # Kernels
//!
//! With AVX2 and FMA (checked at run time), a tile of `ROWS` rows x 16 outputs lives in 12 vector
//! registers while the inputs stream through it: for [`product`], 6 rows of `x` against a
//! 16-column panel of `w`, in blocks of [`INPUT_BLOCK`] inputs so that the block of the panel
//! (16 KiB) stays in the L1 cache for every row tile; for [`weight_gradient`], 6 inputs x 16
//! outputs summed over the batch's rows. With AVX-512 the same kernels run twice as wide (8 rows x
//! 32 outputs, the last vector of a row masked), giving the same numbers bit for bit. Elsewhere,
//! plain loops the compiler vectorises.
//!
//! # Same numbers every time
//!
//! Every output element is one sum in a fixed order: `product` over the inputs `0, 1, ...`,
//! `weight_gradient` over the rows `0, 1, ...`, each term added by one fused multiply-add (AVX2,
//! AVX-512) or a multiply and an add (elsewhere). How the work is split between threads decides which
//! thread computes an element, never the order of its sum, so results do not depend on the
//! number of threads (tested). They may differ in the last bits between a machine with FMA and
//! one without, as any GEMM's do.

use rayon::prelude::*;

/// Rows of `x` (forward) or inputs (weight gradient) per register tile.
const ROWS: usize = 6;
/// Outputs per register tile: two vectors of 8 lanes.
const COLUMNS: usize = 16;
/// Inputs per block of [`product`]: a block of a 16-column panel of `w` is 16 KiB.
const INPUT_BLOCK: usize = 256;

/// Runs `work` on one of rayon's threads (in place when the caller is one) and returns its
/// result: a training loop that calls [`product`] and [`weight_gradient`] step after step
/// should run so.
///
/// A parallel loop started outside the pool is queued, and the caller sleeps until the workers,
/// woken for it, have done every part; one started on a worker does the first part itself while
/// the other is taken by a second worker, without a hand-over to wait for. A training step starts
/// many short products (the GAN's critic step about fifteen, each a millisecond or two), so the
/// hand-overs added up: `cargo run --release -p rnameta-augment --example gan_speed` (3,200 x
/// 5,425, 2 threads) took 139.5 ms a generator iteration with its loop outside the pool and 91.4 ms
/// on it, the same numbers (the kernels' sums do not depend on which thread computes them).
pub fn on_pool<R: Send>(work: impl FnOnce() -> R + Send) -> R {
    rayon::scope(|_| work())
}

/// `out = x w`: `x` is `rows x inputs`, `w` `inputs x outputs`, `out` `rows x outputs`, all
/// row-major. Runs on rayon's threads.
///
/// # Panics
/// If a slice's length does not match the sizes.
pub fn product(x: &[f32], w: &[f32], out: &mut [f32], rows: usize, inputs: usize, outputs: usize) {
    assert_eq!(x.len(), rows * inputs, "x is rows x inputs");
    assert_eq!(w.len(), inputs * outputs, "w is inputs x outputs");
    assert_eq!(out.len(), rows * outputs, "out is rows x outputs");
    if rows == 0 || outputs == 0 {
        return;
    }
    if inputs == 0 {
        out.fill(0.0);
        return;
    }
    // Split the outputs between threads where there are enough column panels (the batch of a
    // fit: each thread reads its part of `w` once), else the rows (prediction of few outputs).
    let threads = rayon::current_num_threads().max(1);
    let panels = outputs.div_ceil(COLUMNS);
    let column_groups = panels.min(threads);
    let panels_per_group = panels.div_ceil(column_groups);
    let row_groups = threads.div_ceil(column_groups).min(rows.div_ceil(ROWS));
    let rows_per_group = rows.div_ceil(row_groups).div_ceil(ROWS) * ROWS;
    let tasks: Vec<(usize, usize)> = (0..row_groups)
        .flat_map(|r| (0..column_groups).map(move |c| (r, c)))
        .collect();
    let target = SharedOut(out.as_mut_ptr(), out.len());
    tasks.into_par_iter().for_each(|(r, c)| {
        let row_range = (r * rows_per_group).min(rows)..((r + 1) * rows_per_group).min(rows);
        let column_range = (c * panels_per_group * COLUMNS).min(outputs)
            ..((c + 1) * panels_per_group * COLUMNS).min(outputs);
        if row_range.is_empty() || column_range.is_empty() {
            return;
        }
        let block = Block {
            x,
            w,
            rows: row_range,
            columns: column_range,
            inputs,
            outputs,
        };
        // SAFETY: the tasks' (row range, column range) pairs are disjoint, so no two tasks write
        // the same element of `out`, and `out` outlives the parallel loop.
        let out = unsafe { target.slice() };
        product_block(&block, out);
    });
}

/// `dw = x^T g`: `x` is `rows x inputs`, `g` `rows x outputs`, `dw` `inputs x outputs`, all
/// row-major; `dw` is overwritten. Runs on rayon's threads, each on its own inputs.
///
/// # Panics
/// If a slice's length does not match the sizes.
pub fn weight_gradient(
    x: &[f32],
    g: &[f32],
    dw: &mut [f32],
    rows: usize,
    inputs: usize,
    outputs: usize,
) {
    assert_eq!(x.len(), rows * inputs, "x is rows x inputs");
    assert_eq!(g.len(), rows * outputs, "g is rows x outputs");
    assert_eq!(dw.len(), inputs * outputs, "dw is inputs x outputs");
    if inputs == 0 || outputs == 0 {
        return;
    }
    let threads = rayon::current_num_threads().max(1);
    let per_task = inputs.div_ceil(threads).div_ceil(ROWS) * ROWS;
    dw.par_chunks_mut(per_task * outputs)
        .enumerate()
        .for_each(|(task, dw)| {
            let first = task * per_task;
            let count = dw.len() / outputs;
            gradient_block(x, g, dw, rows, inputs, outputs, first..first + count);
        });
}

/// `x^T g` (as `weight_gradient` computes it, the same numbers) handed to `update` in blocks of
/// consecutive inputs, each with the matching rows of the parameters `params` (each
/// `inputs x outputs`, row-major): `update(gradient, [p0, p1, p2])` gets the gradient of a block
/// and the same rows of the three parameters. Runs on rayon's threads, each on its own inputs.
///
/// # Panics
/// If a slice's length does not match the sizes.
#[allow(clippy::too_many_arguments)]
pub(crate) fn apply_weight_gradient<U>(
    x: &[f32],
    g: &[f32],
    rows: usize,
    inputs: usize,
    outputs: usize,
    params: [&mut [f32]; 3],
    update: U,
) where
    U: Fn(&[f32], [&mut [f32]; 3]) + Sync,
{
    assert_eq!(x.len(), rows * inputs, "x is rows x inputs");
    assert_eq!(g.len(), rows * outputs, "g is rows x outputs");
    for p in &params {
        assert_eq!(p.len(), inputs * outputs, "parameters are inputs x outputs");
    }
    if inputs == 0 || outputs == 0 {
        return;
    }
    let threads = rayon::current_num_threads().max(1);
    let per_task = inputs.div_ceil(threads).div_ceil(ROWS) * ROWS;
    let chunk = per_task * outputs;
    let [p0, p1, p2] = params;
    p0.par_chunks_mut(chunk)
        .zip(p1.par_chunks_mut(chunk))
        .zip(p2.par_chunks_mut(chunk))
        .enumerate()
        .for_each(|(task, ((p0, p1), p2))| {
            let first = task * per_task;
            let count = p0.len() / outputs;
            let mut block = vec![0.0f32; ROWS * outputs];
            for start in (0..count).step_by(ROWS) {
                let n = ROWS.min(count - start);
                let gradient = &mut block[..n * outputs];
                let inputs_of_block = first + start..first + start + n;
                gradient_block(x, g, gradient, rows, inputs, outputs, inputs_of_block);
                let span = start * outputs..(start + n) * outputs;
                update(
                    gradient,
                    [&mut p0[span.clone()], &mut p1[span.clone()], &mut p2[span]],
                );
            }
        });
}

/// The part of `out` one task of [`product`] computes.
struct Block<'a> {
    x: &'a [f32],
    w: &'a [f32],
    rows: std::ops::Range<usize>,
    columns: std::ops::Range<usize>,
    inputs: usize,
    outputs: usize,
}

/// `out` shared between tasks that write disjoint elements.
#[derive(Clone, Copy)]
struct SharedOut(*mut f32, usize);

// SAFETY: the pointer is only used to write elements no other task writes (see `product`).
unsafe impl Send for SharedOut {}
unsafe impl Sync for SharedOut {}

impl SharedOut {
    /// The whole of `out`.
    ///
    /// # Safety
    /// The caller writes only elements no other thread reads or writes meanwhile, while the
    /// slice `out` this was made from is alive.
    #[allow(clippy::mut_from_ref)]
    unsafe fn slice(&self) -> &mut [f32] {
        std::slice::from_raw_parts_mut(self.0, self.1)
    }
}

/// Whether the AVX2 + FMA kernels can run here (these and the logistic regression's products).
pub(crate) fn has_avx2_fma() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// Whether the AVX-512 kernels can run here.
fn has_avx512() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx512f")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// Computes `out[rows, columns]` of [`product`].
fn product_block(b: &Block<'_>, out: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    if has_avx512() {
        // SAFETY: the CPU has AVX-512F (checked above).
        unsafe { avx512::product_block(b, out) };
        return;
    }
    #[cfg(target_arch = "x86_64")]
    if has_avx2_fma() {
        // SAFETY: the CPU has AVX2 and FMA (checked above).
        unsafe { avx2::product_block(b, out) };
        return;
    }
    portable::product_block(b, out);
}

/// Computes the rows `range` of `dw` (given as `dw`, starting at input `range.start`).
fn gradient_block(
    x: &[f32],
    g: &[f32],
    dw: &mut [f32],
    rows: usize,
    inputs: usize,
    outputs: usize,
    range: std::ops::Range<usize>,
) {
    #[cfg(target_arch = "x86_64")]
    if has_avx512() {
        // SAFETY: the CPU has AVX-512F (checked above).
        unsafe { avx512::gradient_block(x, g, dw, rows, inputs, outputs, range) };
        return;
    }
    #[cfg(target_arch = "x86_64")]
    if has_avx2_fma() {
        // SAFETY: the CPU has AVX2 and FMA (checked above).
        unsafe { avx2::gradient_block(x, g, dw, rows, inputs, outputs, range) };
        return;
    }
    portable::gradient_block(x, g, dw, rows, inputs, outputs, range);
}

/// Plain loops in the same summation order as the AVX2 kernels (without fused multiply-adds).
mod portable {
    use super::Block;

    pub(super) fn product_block(b: &Block<'_>, out: &mut [f32]) {
        let (inputs, outputs) = (b.inputs, b.outputs);
        for r in b.rows.clone() {
            let dst = &mut out[r * outputs..][b.columns.clone()];
            dst.fill(0.0);
            let x_row = &b.x[r * inputs..(r + 1) * inputs];
            for (k, &a) in x_row.iter().enumerate() {
                let w_row = &b.w[k * outputs..][b.columns.clone()];
                for (o, &w) in dst.iter_mut().zip(w_row) {
                    *o += a * w;
                }
            }
        }
    }

    pub(super) fn gradient_block(
        x: &[f32],
        g: &[f32],
        dw: &mut [f32],
        rows: usize,
        inputs: usize,
        outputs: usize,
        range: std::ops::Range<usize>,
    ) {
        dw.fill(0.0);
        for r in 0..rows {
            let g_row = &g[r * outputs..(r + 1) * outputs];
            for (i, k) in range.clone().enumerate() {
                let a = x[r * inputs + k];
                for (d, &gv) in dw[i * outputs..(i + 1) * outputs].iter_mut().zip(g_row) {
                    *d += a * gv;
                }
            }
        }
    }
}

/// One register tile's operands: `out[i, 0..w] (+)= sum over k < depth of a(i, k) b[k, 0..w]`,
/// where `a(i, k)` is `a[i * lda + k]` for the product (`x` by rows) and `a[k * lda + i]` for the
/// weight gradient (`x` read down its columns), and `w` the tile's width. Both kernel sets take it.
#[cfg(target_arch = "x86_64")]
struct Tile {
    a: *const f32,
    lda: usize,
    b: *const f32,
    ldb: usize,
    depth: usize,
    out: *mut f32,
    ldo: usize,
    /// Whether the sums go on from `out` (a later input block) rather than from zero.
    continued: bool,
}

/// The register-tiled kernels (AVX2 + FMA).
#[cfg(target_arch = "x86_64")]
mod avx2 {
    use std::arch::x86_64::*;

    use super::{Block, Tile, COLUMNS, INPUT_BLOCK, ROWS};

    /// [`super::product_block`]: input blocks, then 16-column panels, then tiles of 6 rows;
    /// outputs left over after the last full panel go through 8-wide tiles, then one at a time.
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn product_block(b: &Block<'_>, out: &mut [f32]) {
        let (inputs, outputs) = (b.inputs, b.outputs);
        let full_end = b.columns.start + (b.columns.len() / COLUMNS) * COLUMNS;
        let eight_end = full_end + ((b.columns.end - full_end) / 8) * 8;
        for k0 in (0..inputs).step_by(INPUT_BLOCK) {
            let depth = INPUT_BLOCK.min(inputs - k0);
            let first = k0 == 0;
            let mut r0 = b.rows.start;
            while r0 < b.rows.end {
                let tile_rows = ROWS.min(b.rows.end - r0);
                let x = b.x.as_ptr().add(r0 * inputs + k0);
                let o = out.as_mut_ptr().add(r0 * outputs);
                let operands = |j: usize| Tile {
                    a: x,
                    lda: inputs,
                    b: b.w.as_ptr().add(k0 * outputs + j),
                    ldb: outputs,
                    depth,
                    out: o.add(j),
                    ldo: outputs,
                    continued: !first,
                };
                let mut j = b.columns.start;
                while j < full_end {
                    tile::<2, false>(tile_rows, &operands(j));
                    j += COLUMNS;
                }
                while j < eight_end {
                    tile::<1, false>(tile_rows, &operands(j));
                    j += 8;
                }
                for j in eight_end..b.columns.end {
                    for i in 0..tile_rows {
                        let o = o.add(i * outputs + j);
                        let mut sum = if first { 0.0 } else { *o };
                        for k in 0..depth {
                            sum = (*x.add(i * inputs + k))
                                .mul_add(*b.w.as_ptr().add((k0 + k) * outputs + j), sum);
                        }
                        *o = sum;
                    }
                }
                r0 += tile_rows;
            }
        }
    }

    /// [`super::gradient_block`]: tiles of 6 inputs x 16 outputs, each summed over all rows.
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn gradient_block(
        x: &[f32],
        g: &[f32],
        dw: &mut [f32],
        rows: usize,
        inputs: usize,
        outputs: usize,
        range: std::ops::Range<usize>,
    ) {
        let full_end = (outputs / COLUMNS) * COLUMNS;
        let eight_end = full_end + ((outputs - full_end) / 8) * 8;
        let mut k0 = range.start;
        while k0 < range.end {
            let tile_inputs = ROWS.min(range.end - k0);
            let x = x.as_ptr().add(k0);
            let d = dw.as_mut_ptr().add((k0 - range.start) * outputs);
            let operands = |j: usize| Tile {
                a: x,
                lda: inputs,
                b: g.as_ptr().add(j),
                ldb: outputs,
                depth: rows,
                out: d.add(j),
                ldo: outputs,
                continued: false,
            };
            let mut j = 0;
            while j < full_end {
                tile::<2, true>(tile_inputs, &operands(j));
                j += COLUMNS;
            }
            while j < eight_end {
                tile::<1, true>(tile_inputs, &operands(j));
                j += 8;
            }
            for j in eight_end..outputs {
                for i in 0..tile_inputs {
                    let mut sum = 0.0f32;
                    for r in 0..rows {
                        sum =
                            (*x.add(r * inputs + i)).mul_add(*g.as_ptr().add(r * outputs + j), sum);
                    }
                    *d.add(i * outputs + j) = sum;
                }
            }
            k0 += tile_inputs;
        }
    }

    /// Dispatches a tile of `height` (1 to 6) rows of `x` (product) or inputs (gradient,
    /// `TRANSPOSED`) to the kernel of that height.
    #[target_feature(enable = "avx2,fma")]
    unsafe fn tile<const V: usize, const TRANSPOSED: bool>(height: usize, t: &Tile) {
        match height {
            6 => kernel::<6, V, TRANSPOSED>(t),
            5 => kernel::<5, V, TRANSPOSED>(t),
            4 => kernel::<4, V, TRANSPOSED>(t),
            3 => kernel::<3, V, TRANSPOSED>(t),
            2 => kernel::<2, V, TRANSPOSED>(t),
            _ => kernel::<1, V, TRANSPOSED>(t),
        }
    }

    /// The tile `t` of `R` rows and `V` vectors of 8 outputs; `TRANSPOSED` reads `a` down its
    /// columns.
    #[inline(always)]
    unsafe fn kernel<const R: usize, const V: usize, const TRANSPOSED: bool>(t: &Tile) {
        let mut acc = [[_mm256_setzero_ps(); V]; R];
        if t.continued {
            for (i, row) in acc.iter_mut().enumerate() {
                for (v, a) in row.iter_mut().enumerate() {
                    *a = _mm256_loadu_ps(t.out.add(i * t.ldo + 8 * v));
                }
            }
        }
        for k in 0..t.depth {
            let bv: [__m256; V] =
                std::array::from_fn(|v| _mm256_loadu_ps(t.b.add(k * t.ldb + 8 * v)));
            for (i, row) in acc.iter_mut().enumerate() {
                let at = if TRANSPOSED {
                    k * t.lda + i
                } else {
                    i * t.lda + k
                };
                let a = _mm256_broadcast_ss(&*t.a.add(at));
                for (value, acc) in bv.iter().zip(row.iter_mut()) {
                    *acc = _mm256_fmadd_ps(a, *value, *acc);
                }
            }
        }
        for (i, row) in acc.iter().enumerate() {
            for (v, a) in row.iter().enumerate() {
                _mm256_storeu_ps(t.out.add(i * t.ldo + 8 * v), *a);
            }
        }
    }
}

/// The same kernels for AVX-512: tiles of 8 rows (inputs) x 32 outputs in 16 of the 32 vector
/// registers, the last vector of a row masked where fewer outputs are left. Every element is the
/// same chain of fused multiply-adds in the same order as in [`avx2`], so the numbers are the same
/// bit for bit (tested): only the width of the work per instruction changes.
#[cfg(target_arch = "x86_64")]
mod avx512 {
    use std::arch::x86_64::*;

    use super::{Block, Tile, INPUT_BLOCK};

    /// Rows (inputs) per register tile.
    const TILE: usize = 8;
    /// Lanes of a vector.
    const LANES: usize = 16;

    /// The mask of the first `n` (1 to 16) lanes.
    fn first_lanes(n: usize) -> __mmask16 {
        if n >= LANES {
            0xFFFF
        } else {
            (1u16 << n) - 1
        }
    }

    /// [`super::product_block`]: input blocks, then tiles of 8 rows, then 32-column tiles (the
    /// last one narrower, masked).
    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn product_block(b: &Block<'_>, out: &mut [f32]) {
        let (inputs, outputs) = (b.inputs, b.outputs);
        for k0 in (0..inputs).step_by(INPUT_BLOCK) {
            let depth = INPUT_BLOCK.min(inputs - k0);
            let first = k0 == 0;
            let mut r0 = b.rows.start;
            while r0 < b.rows.end {
                let tile_rows = TILE.min(b.rows.end - r0);
                let x = b.x.as_ptr().add(r0 * inputs + k0);
                let o = out.as_mut_ptr().add(r0 * outputs);
                let mut j = b.columns.start;
                while j < b.columns.end {
                    let width = (b.columns.end - j).min(2 * LANES);
                    let operands = Tile {
                        a: x,
                        lda: inputs,
                        b: b.w.as_ptr().add(k0 * outputs + j),
                        ldb: outputs,
                        depth,
                        out: o.add(j),
                        ldo: outputs,
                        continued: !first,
                    };
                    let last = first_lanes(width - (width - 1) / LANES * LANES);
                    if width > LANES {
                        tile::<2, false>(tile_rows, &operands, last);
                    } else {
                        tile::<1, false>(tile_rows, &operands, last);
                    }
                    j += width;
                }
                r0 += tile_rows;
            }
        }
    }

    /// [`super::gradient_block`]: tiles of 8 inputs x 32 outputs (the last one narrower, masked),
    /// each summed over all rows.
    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn gradient_block(
        x: &[f32],
        g: &[f32],
        dw: &mut [f32],
        rows: usize,
        inputs: usize,
        outputs: usize,
        range: std::ops::Range<usize>,
    ) {
        let mut k0 = range.start;
        while k0 < range.end {
            let tile_inputs = TILE.min(range.end - k0);
            let d = dw.as_mut_ptr().add((k0 - range.start) * outputs);
            let mut j = 0;
            while j < outputs {
                let width = (outputs - j).min(2 * LANES);
                let operands = Tile {
                    a: x.as_ptr().add(k0),
                    lda: inputs,
                    b: g.as_ptr().add(j),
                    ldb: outputs,
                    depth: rows,
                    out: d.add(j),
                    ldo: outputs,
                    continued: false,
                };
                let last = first_lanes(width - (width - 1) / LANES * LANES);
                if width > LANES {
                    tile::<2, true>(tile_inputs, &operands, last);
                } else {
                    tile::<1, true>(tile_inputs, &operands, last);
                }
                j += width;
            }
            k0 += tile_inputs;
        }
    }

    /// Dispatches a tile of `height` (1 to 8) rows of `x` (product) or inputs (gradient,
    /// `TRANSPOSED`) to the kernel of that height.
    #[target_feature(enable = "avx512f")]
    unsafe fn tile<const V: usize, const TRANSPOSED: bool>(
        height: usize,
        t: &Tile,
        last: __mmask16,
    ) {
        match height {
            8 => kernel::<8, V, TRANSPOSED>(t, last),
            7 => kernel::<7, V, TRANSPOSED>(t, last),
            6 => kernel::<6, V, TRANSPOSED>(t, last),
            5 => kernel::<5, V, TRANSPOSED>(t, last),
            4 => kernel::<4, V, TRANSPOSED>(t, last),
            3 => kernel::<3, V, TRANSPOSED>(t, last),
            2 => kernel::<2, V, TRANSPOSED>(t, last),
            _ => kernel::<1, V, TRANSPOSED>(t, last),
        }
    }

    /// The tile `t` of `R` rows and `V` vectors of 16 outputs, `last` the lanes of the last
    /// vector that are outputs; `TRANSPOSED` reads `a` down its columns.
    #[inline(always)]
    unsafe fn kernel<const R: usize, const V: usize, const TRANSPOSED: bool>(
        t: &Tile,
        last: __mmask16,
    ) {
        let masks: [__mmask16; V] = std::array::from_fn(|v| if v + 1 == V { last } else { 0xFFFF });
        let mut acc = [[_mm512_setzero_ps(); V]; R];
        if t.continued {
            for (i, row) in acc.iter_mut().enumerate() {
                for (v, a) in row.iter_mut().enumerate() {
                    *a = _mm512_maskz_loadu_ps(masks[v], t.out.add(i * t.ldo + LANES * v));
                }
            }
        }
        for k in 0..t.depth {
            let bv: [__m512; V] = std::array::from_fn(|v| {
                _mm512_maskz_loadu_ps(masks[v], t.b.add(k * t.ldb + LANES * v))
            });
            for (i, row) in acc.iter_mut().enumerate() {
                let at = if TRANSPOSED {
                    k * t.lda + i
                } else {
                    i * t.lda + k
                };
                let a = _mm512_set1_ps(*t.a.add(at));
                for (value, acc) in bv.iter().zip(row.iter_mut()) {
                    *acc = _mm512_fmadd_ps(a, *value, *acc);
                }
            }
        }
        for (i, row) in acc.iter().enumerate() {
            for (v, a) in row.iter().enumerate() {
                _mm512_mask_storeu_ps(t.out.add(i * t.ldo + LANES * v), masks[v], *a);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    fn random(n: usize, seed: u64) -> Vec<f32> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        (0..n).map(|_| rng.random_range(-1.0f32..1.0)).collect()
    }

    /// `x w` summed in f64.
    fn reference_product(
        x: &[f32],
        w: &[f32],
        rows: usize,
        inputs: usize,
        outputs: usize,
    ) -> Vec<f64> {
        let mut out = vec![0.0f64; rows * outputs];
        for r in 0..rows {
            for k in 0..inputs {
                for j in 0..outputs {
                    out[r * outputs + j] += x[r * inputs + k] as f64 * w[k * outputs + j] as f64;
                }
            }
        }
        out
    }

    fn close(got: &[f32], want: &[f64], terms: usize) {
        // Each term is below 1 in magnitude: the f32 sum's error is at most ~terms * 2^-24.
        let tolerance = terms as f64 * 1.2e-7 + 1e-6;
        for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
            assert!(
                (g as f64 - w).abs() <= tolerance,
                "element {i}: {g} against {w}"
            );
        }
    }

    /// Shapes that exercise every tile height, the 8-wide and single-column remainders, and
    /// input blocks with a remainder.
    const SHAPES: [(usize, usize, usize); 8] = [
        (1, 1, 1),
        (6, 70, 50),
        (7, 3, 5),
        (13, 300, 37),
        (64, 523, 128),
        (5, 1000, 24),
        (64, 257, 9),
        (2049, 40, 16),
    ];

    #[test]
    fn product_equals_the_f64_reference_on_every_remainder() {
        for (s, &(rows, inputs, outputs)) in SHAPES.iter().enumerate() {
            let x = random(rows * inputs, s as u64);
            let w = random(inputs * outputs, 100 + s as u64);
            let mut out = vec![f32::NAN; rows * outputs];
            product(&x, &w, &mut out, rows, inputs, outputs);
            close(
                &out,
                &reference_product(&x, &w, rows, inputs, outputs),
                inputs,
            );
        }
    }

    #[test]
    fn weight_gradient_equals_the_f64_reference_on_every_remainder() {
        for (s, &(rows, inputs, outputs)) in SHAPES.iter().enumerate() {
            let x = random(rows * inputs, s as u64);
            let g = random(rows * outputs, 200 + s as u64);
            let mut dw = vec![f32::NAN; inputs * outputs];
            weight_gradient(&x, &g, &mut dw, rows, inputs, outputs);
            // x^T g is the product of x^T (inputs x rows) and g.
            let mut xt = vec![0.0f32; rows * inputs];
            for r in 0..rows {
                for k in 0..inputs {
                    xt[k * rows + r] = x[r * inputs + k];
                }
            }
            close(
                &dw,
                &reference_product(&xt, &g, inputs, rows, outputs),
                rows,
            );
        }
    }

    #[test]
    fn results_do_not_depend_on_the_number_of_threads() {
        let (rows, inputs, outputs) = (64, 700, 136);
        let x = random(rows * inputs, 1);
        let w = random(inputs * outputs, 2);
        let g = random(rows * outputs, 3);
        let run = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| {
                let mut out = vec![0.0; rows * outputs];
                let mut dw = vec![0.0; inputs * outputs];
                product(&x, &w, &mut out, rows, inputs, outputs);
                weight_gradient(&x, &g, &mut dw, rows, inputs, outputs);
                (out, dw)
            })
        };
        let one = run(1);
        for threads in [2, 3, 8] {
            assert!(one == run(threads), "{threads} threads differ from one");
        }
    }

    #[test]
    fn the_gradient_handed_out_in_blocks_is_the_gradient() {
        let (rows, inputs, outputs) = (64, 301, 40);
        let x = random(rows * inputs, 6);
        let g = random(rows * outputs, 7);
        let mut whole = vec![0.0; inputs * outputs];
        weight_gradient(&x, &g, &mut whole, rows, inputs, outputs);
        let mut copied = vec![0.0; inputs * outputs];
        let (mut ones, mut twos) = (vec![1.0; inputs * outputs], vec![2.0; inputs * outputs]);
        apply_weight_gradient(
            &x,
            &g,
            rows,
            inputs,
            outputs,
            [&mut copied, &mut ones, &mut twos],
            |gradient, [out, one, two]| {
                out.copy_from_slice(gradient);
                one.iter_mut().for_each(|v| *v += 1.0);
                two.iter_mut().for_each(|v| *v += 1.0);
            },
        );
        assert!(copied == whole, "the blocks are not the gradient");
        assert!(ones.iter().all(|&v| v == 2.0) && twos.iter().all(|&v| v == 3.0));
    }

    #[test]
    fn the_portable_loops_agree_with_the_kernels() {
        let (rows, inputs, outputs) = (13, 300, 37);
        let x = random(rows * inputs, 4);
        let w = random(inputs * outputs, 5);
        let mut fast = vec![0.0; rows * outputs];
        product(&x, &w, &mut fast, rows, inputs, outputs);
        let mut plain = vec![0.0; rows * outputs];
        let block = Block {
            x: &x,
            w: &w,
            rows: 0..rows,
            columns: 0..outputs,
            inputs,
            outputs,
        };
        portable::product_block(&block, &mut plain);
        let want: Vec<f64> = plain.iter().map(|&v| v as f64).collect();
        close(&fast, &want, 2 * inputs);
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn the_avx512_kernels_give_the_avx2_kernels_numbers_bit_for_bit() {
        if !(has_avx512() && has_avx2_fma()) {
            eprintln!("skipped: this CPU lacks AVX-512F or AVX2 + FMA");
            return;
        }
        for (s, &(rows, inputs, outputs)) in SHAPES.iter().enumerate() {
            let x = random(rows * inputs, 300 + s as u64);
            let w = random(inputs * outputs, 400 + s as u64);
            let g = random(rows * outputs, 500 + s as u64);
            let block = Block {
                x: &x,
                w: &w,
                rows: 0..rows,
                columns: 0..outputs,
                inputs,
                outputs,
            };
            let (mut wide, mut narrow) = (vec![0.0; rows * outputs], vec![1.0; rows * outputs]);
            let (mut dw_wide, mut dw_narrow) =
                (vec![0.0; inputs * outputs], vec![1.0; inputs * outputs]);
            // SAFETY: both sets of features were checked above.
            unsafe {
                avx512::product_block(&block, &mut wide);
                avx2::product_block(&block, &mut narrow);
                avx512::gradient_block(&x, &g, &mut dw_wide, rows, inputs, outputs, 0..inputs);
                avx2::gradient_block(&x, &g, &mut dw_narrow, rows, inputs, outputs, 0..inputs);
            }
            let bits = |v: &[f32]| v.iter().map(|f| f.to_bits()).collect::<Vec<_>>();
            assert!(
                bits(&wide) == bits(&narrow),
                "product differs at {rows} x {inputs} x {outputs}"
            );
            assert!(
                bits(&dw_wide) == bits(&dw_narrow),
                "gradient differs at {rows} x {inputs} x {outputs}"
            );
        }
    }
}
