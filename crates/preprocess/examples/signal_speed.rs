//! Times the ARCHS4 signal ranking on random log-scale values (SAMPLES x GENES, default 10,000 x
//! 10,000), as `rank-genes` uses it: one ranking at the 95th percentile and one at the 99th,
//! each from borrowed values (`signal_ranking`, which copies them into unit profiles), then both
//! at once from values handed over (`signal_rankings`, in place). Prints the seconds of each and
//! checks that both ways give the same rankings.
//!
//! `cargo run --release -p rnameta-preprocess --example signal_speed -- [SAMPLES] [GENES]`

use std::time::Instant;

use ndarray::Array2;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rnameta_core::{DataSource, Dataset, GeneAnnotation, GeneInfo, SampleMeta};
use rnameta_preprocess::signal::{signal_ranking, signal_rankings, SignalOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse())
        .collect::<Result<_, _>>()?;
    let (n, g) = (
        args.first().copied().unwrap_or(10_000),
        args.get(1).copied().unwrap_or(10_000),
    );
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    // A third of the values zero, the rest log2 of a count up to about 1,000.
    let x = Array2::from_shape_fn((n, g), |_| {
        if rng.random_range(0.0f32..1.0) < 0.33 {
            0.0
        } else {
            rng.random_range(1.0f32..10.0)
        }
    });
    let genes = GeneAnnotation::new(
        (0..g)
            .map(|i| GeneInfo::from_id(&format!("G{i}")))
            .collect(),
    )?;
    let samples = (0..n)
        .map(|i| SampleMeta::new(format!("s{i}"), DataSource::Other))
        .collect();
    let data = Dataset::new(x, genes, samples)?;
    let wide = SignalOptions::default();
    let narrow = SignalOptions {
        percentile: 99.0,
        ..wide
    };
    println!(
        "{n} samples x {g} genes, threads {}",
        rayon::current_num_threads()
    );
    let start = Instant::now();
    let alone = [signal_ranking(&data, wide)?, signal_ranking(&data, narrow)?];
    println!(
        "two rankings from borrowed values: {:.2} s",
        start.elapsed().as_secs_f64()
    );
    let start = Instant::now();
    let at_once = signal_rankings(data, &[wide, narrow])?;
    println!(
        "both at once from values handed over: {:.2} s",
        start.elapsed().as_secs_f64()
    );
    if at_once[..] != alone[..] {
        return Err("the rankings differ".into());
    }
    println!("same rankings");
    Ok(())
}
