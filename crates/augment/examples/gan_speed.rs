//! Time of the GAN's training steps at the calibrated paper preset's shape (random standardised
//! data: the arithmetic does not depend on the values): 5,425 genes, 31 classes, default networks.
//!
//! `cargo run --release -p rnameta-augment --example gan_speed -- [SAMPLES] [GENES] [EPOCHS]`

use std::time::Instant;

use ndarray::Array2;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use rnameta_augment::{Augmenter, Gan, GanParams};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let arg = |i: usize, d: &str| args.get(i).cloned().unwrap_or_else(|| d.to_owned());
    let samples: usize = arg(1, "3200").parse()?;
    let genes: usize = arg(2, "5425").parse()?;
    let epochs: usize = arg(3, "2").parse()?;
    let classes = 31;
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let x = Array2::from_shape_simple_fn((samples, genes), || rng.sample::<f32, _>(StandardNormal));
    let y: Vec<usize> = (0..samples).map(|i| i % classes).collect();
    let params = GanParams {
        epochs,
        seed: 1,
        quiet: true,
        ..GanParams::default()
    };
    let start = Instant::now();
    let mut gan = Gan::new(params);
    let report = gan.fit(x.view(), &y, classes)?;
    let g = report.gan.as_ref().expect("GAN report");
    let iterations = g.generator_steps;
    let seconds = start.elapsed().as_secs_f64();
    println!(
        "{samples} x {genes}: {iterations} generator iterations ({} critic steps) in {seconds:.2} s: {:.1} ms per iteration; threads {}",
        g.critic_steps,
        1e3 * seconds / iterations as f64,
        rayon::current_num_threads()
    );
    for e in &g.epochs {
        println!(
            "epoch {} W {:.4} gp {:.4} |g| {:.4} gen {:.4}",
            e.epoch, e.wasserstein, e.gradient_penalty, e.gradient_norm, e.generator_loss
        );
    }
    Ok(())
}
