//! Times [`quality`] and its parts at the size `augment` measures on the paper preset: 531
//! generated samples against 1,829 held-out ones, 10 training samples and 30 other classes of
//! 200, over 5,425 genes (random values; only the time and the printed values matter).
//!
//! Then the same report from a [`QualityReference`] made once, and the time of measuring one
//! generated set against it (what each further set costs).
//!
//! `cargo run --release -p rnameta-augment --example quality_speed`

use std::time::Instant;

use ndarray::Array2;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rnameta_augment::quality::{c2st_auc, mmd2_unbiased, pooled_bandwidth};
use rnameta_augment::{quality, QualityReference};

fn random(rows: usize, genes: usize, shift: f32, rng: &mut ChaCha8Rng) -> Array2<f32> {
    Array2::from_shape_fn((rows, genes), |(_, j)| {
        (j % 13) as f32 + shift + rng.random_range(-1.0..1.0f32)
    })
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let genes = 5_425;
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let generated = random(531, genes, 0.1, &mut rng);
    let heldout = random(1_829, genes, 0.0, &mut rng);
    let train = random(10, genes, 0.0, &mut rng);
    let others: Vec<Array2<f32>> = (0..30)
        .map(|c| random(200, genes, 0.5 + c as f32 * 0.01, &mut rng))
        .collect();
    let other_views: Vec<_> = others.iter().map(|m| m.view()).collect();
    let t = Instant::now();
    let bandwidth = pooled_bandwidth(generated.view(), heldout.view())?;
    println!(
        "bandwidth {bandwidth:.6}: {:.2} s",
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let mmd2 = mmd2_unbiased(generated.view(), heldout.view(), bandwidth)?;
    println!(
        "mmd2 generated vs held out {mmd2:.6e}: {:.2} s",
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    for o in &other_views {
        mmd2_unbiased(generated.view(), *o, bandwidth)?;
    }
    println!(
        "mmd2 against 30 other classes: {:.2} s",
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let auc = c2st_auc(heldout.view(), generated.view(), 5, 0)?;
    println!(
        "c2st generated vs held out {auc:.6}: {:.2} s",
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let auc = c2st_auc(heldout.view(), train.view(), 5, 0)?;
    println!(
        "c2st train vs held out {auc:.6}: {:.2} s",
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let report = quality(
        generated.view(),
        heldout.view(),
        train.view(),
        &other_views,
        0,
    )?;
    println!("quality: {:.2} s; {report:?}", t.elapsed().as_secs_f64());
    // Several generated sets against one reference: the real samples' measures made once.
    let t = Instant::now();
    let reference = QualityReference::new(heldout.view(), train.view(), other_views, 0)?;
    println!("reference: {:.2} s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    let measured = reference.measure(generated.view())?;
    println!(
        "measured against the reference: {:.2} s; the same report: {}",
        t.elapsed().as_secs_f64(),
        measured == report
    );
    Ok(())
}
