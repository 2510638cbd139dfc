//! GFLOP/s of the input-layer kernels (`neural::kit::product`, `weight_gradient`) at the shapes
//! of the GAN's genes-wide layers on the paper preset (5,425 genes, 256 units, batches of 64),
//! each run 30 times back to back from the caller's thread: what the kernels reach when nothing
//! else runs, to set against a training loop's time.
//!
//! `cargo run --release -p rnameta-models --example kernel_shapes`

use std::time::Instant;

use rnameta_models::neural::kit::{product, weight_gradient};

/// Runs `work` once to warm up, then 30 times, and prints its mean time and rate.
fn bench(name: &str, flop: f64, mut work: impl FnMut()) {
    work();
    let runs = 30;
    let start = Instant::now();
    for _ in 0..runs {
        work();
    }
    let seconds = start.elapsed().as_secs_f64() / runs as f64;
    println!(
        "{name:48} {:8.3} ms {:6.1} GFLOP/s",
        seconds * 1e3,
        flop / seconds / 1e9
    );
}

/// `n` deterministic values in [-0.5, 0.5).
fn values(n: usize) -> Vec<f32> {
    (0..n)
        .map(|i| ((i * 7919) % 1000) as f32 / 1000.0 - 0.5)
        .collect()
}

fn main() {
    let (genes, hidden, batch) = (5_425, 256, 64);
    let one_product = 2.0 * (batch * genes * hidden) as f64;
    let (x, w1) = (values(batch * genes), values(genes * hidden));
    let (h, w_last) = (values(batch * hidden), values(hidden * genes));
    let mut out_hidden = vec![0.0; batch * hidden];
    let mut out_genes = vec![0.0; batch * genes];
    bench(
        "critic's first layer, 64 x 5,425 -> 256",
        one_product,
        || product(&x, &w1, &mut out_hidden, batch, genes, hidden),
    );
    bench(
        "generator's last layer, 64 x 256 -> 5,425",
        one_product,
        || product(&h, &w_last, &mut out_genes, batch, hidden, genes),
    );
    let v_transposed = values(hidden * batch);
    let mut g_transposed = vec![0.0; genes * batch];
    bench("input gradient, transposed: W1 v^T", one_product, || {
        product(&w1, &v_transposed, &mut g_transposed, genes, hidden, batch)
    });
    let (x3, g3) = (values(3 * batch * genes), values(3 * batch * hidden));
    let mut dw1 = vec![0.0; genes * hidden];
    bench(
        "critic's first weight gradient, 192 rows",
        3.0 * one_product,
        || weight_gradient(&x3, &g3, &mut dw1, 3 * batch, genes, hidden),
    );
    let mut dw_last = vec![0.0; hidden * genes];
    bench(
        "generator's last weight gradient, 64 rows",
        one_product,
        || weight_gradient(&h, &out_genes, &mut dw_last, batch, hidden, genes),
    );
}
