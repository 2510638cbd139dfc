//! Writes a [`Synthetic`] problem as CSV (`class,g0,g1,...`, one row per sample) so that a reference
//! implementation (scikit-learn) can be run on exactly the data a Rust test regenerates.
//!
//! `cargo run -p rnameta-models --example synthetic_csv -- OUT.csv N_SAMPLES N_FEATURES N_CLASSES
//! N_INFORMATIVE SEPARATION SEED`

use std::io::Write;

use rnameta_models::synthetic::Synthetic;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let a: Vec<String> = std::env::args().skip(1).collect();
    if a.len() != 7 {
        return Err(
            "usage: OUT.csv N_SAMPLES N_FEATURES N_CLASSES N_INFORMATIVE SEPARATION SEED".into(),
        );
    }
    let s = Synthetic {
        n_samples: a[1].parse()?,
        n_features: a[2].parse()?,
        n_classes: a[3].parse()?,
        n_informative: a[4].parse()?,
        separation: a[5].parse()?,
        seed: a[6].parse()?,
    };
    let (x, y) = s.generate();
    let mut out = std::io::BufWriter::new(std::fs::File::create(&a[0])?);
    for (row, c) in x.rows().into_iter().zip(y) {
        write!(out, "{c}")?;
        for v in row {
            // `{}` of an f32 prints the shortest text that parses back to the same f32.
            write!(out, ",{v}")?;
        }
        writeln!(out)?;
    }
    Ok(())
}
