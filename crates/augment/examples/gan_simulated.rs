//! Trains the GAN (the tests' settings) and the two baselines on the tests' small simulated
//! problem (simulated data, see `tests/common/mod.rs`) and prints the loss curve and every quality
//! measure per class: the numbers quoted in `docs/augment.md`.
//!
//! `cargo run -p rnameta-augment --example gan_simulated -- [EPOCHS] [LR] [HIDDEN] [BALANCED] [gan-only]`
//! (defaults: 200 epochs, learning rate 1e-3, hidden 64, class-balanced).

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::Instant;

use common::{problem, TISSUES};
use rnameta_augment::{quality, GanParams, InterpolationParams, Method, NoiseParams};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let arg = |i: usize, d: &str| args.get(i).cloned().unwrap_or_else(|| d.to_owned());
    let epochs: usize = arg(1, "200").parse()?;
    let lr: f32 = arg(2, "1e-3").parse()?;
    let hidden: usize = arg(3, "64").parse()?;
    let balanced: bool = arg(4, "true").parse()?;
    let only_gan = args.get(5).is_some();
    let t = Instant::now();
    let p = problem();
    println!(
        "problem: {:?} train, {:?} held out, simulated in {:.1} s",
        p.train.dim(),
        p.heldout.dim(),
        t.elapsed().as_secs_f64()
    );
    let params = GanParams {
        noise_dim: 32,
        generator_hidden: vec![hidden, hidden],
        critic_hidden: vec![hidden, hidden],
        epochs,
        batch_size: 32,
        class_balanced: balanced,
        learning_rate: lr,
        quiet: true,
        ..GanParams::default()
    };
    let methods = [
        Method::Gan(params),
        Method::Noise(NoiseParams::default()),
        Method::Interpolation(InterpolationParams::default()),
    ];
    for method in methods.iter().take(if only_gan { 1 } else { 3 }) {
        let mut aug = method.build(1);
        let report = aug.fit(p.train.view(), &p.train_classes, p.n_classes())?;
        println!("\n== {} fit {:.2} s", aug.name(), report.seconds);
        if let Some(g) = &report.gan {
            let peak = g.epochs.iter().map(|e| e.wasserstein).fold(0.0, f64::max);
            let k = g.epochs.len().min(20);
            let tail = g.epochs[g.epochs.len() - k..]
                .iter()
                .map(|e| e.wasserstein)
                .sum::<f64>()
                / k as f64;
            println!("W peak {peak:.3}, mean of the last {k} epochs {tail:.3}");
            let every = (g.epochs.len() / 10).max(1);
            for e in g
                .epochs
                .iter()
                .filter(|e| e.epoch % every == 0 || e.epoch == 1)
            {
                println!(
                    "epoch {:4} critic {:8.3} gen {:8.3} gp {:6.3} W {:7.3} |g| {:5.2} {:6.2}s",
                    e.epoch,
                    e.critic_loss,
                    e.generator_loss,
                    e.gradient_penalty,
                    e.wasserstein,
                    e.gradient_norm,
                    e.seconds
                );
            }
        }
        for (c, tissue) in TISSUES.iter().enumerate() {
            let generated = aug.generate(c, 60, 7)?;
            let others: Vec<_> = (0..TISSUES.len())
                .filter(|&o| o != c)
                .map(|o| p.heldout_of(o))
                .collect();
            let views: Vec<_> = others.iter().map(|o| o.view()).collect();
            let q = quality(
                generated.view(),
                p.heldout_of(c).view(),
                p.train_of(c).view(),
                &views,
                3,
            )?;
            let min_other = q
                .mmd2_other_classes
                .iter()
                .copied()
                .fold(f64::INFINITY, f64::min);
            let (tm, tv) = q
                .train_vs_heldout
                .map_or((f64::NAN, f64::NAN), |m| (m.mean, m.variance));
            println!(
                "{tissue:8} MMD2 {:.4} (train {:.4}) nearest other {:.4} own closest {} | mean r {:.3} var r {:.3} (train {tm:.3} {tv:.3}) | C2ST AUC {:.3} (train {:.3}) | NN {:.2}/{:.2} = {:.2}",
                q.mmd2,
                q.mmd2_train_vs_heldout.unwrap_or(f64::NAN),
                min_other,
                q.closest_to_own_class,
                q.mean_correlation,
                q.variance_correlation,
                q.c2st_auc,
                q.c2st_auc_train_vs_heldout.unwrap_or(f64::NAN),
                q.nn_distance_generated,
                q.nn_distance_heldout,
                q.nn_ratio
            );
        }
    }
    Ok(())
}
