//! Fingerprints and timings of the neural models, for changes that must not change numerics.
//!
//! `cargo run --release -p rnameta-benches --example neural_check -- check OUT.bin` trains a small
//! MLP (2,000 x 500, 3 epochs) and a small DA (600 source + 600 bias x 300 genes, 2 + 2 epochs)
//! with fixed seeds and writes their `predict_proba` outputs as raw little-endian f32 to OUT.bin:
//! run it before and after a change and compare the files byte for byte (`cmp`).
//!
//! `... -- mlp EPOCHS` fits the benchmark MLP (7,000 -> 128 -> 16 on 10,000 samples, batch 64)
//! for EPOCHS epochs and prints the seconds (for profiling with `perf record`).
//!
//! `... -- da-sex` fits DA with the sex task's default settings on the shape of the paper preset's
//! sex G+S-S arm (9,600 source + 7,155 bias samples x 186 genes, 2 classes) and prints the
//! seconds (for profiling).

use std::io::Write;
use std::time::Instant;

use rnameta_benches::{labels, meta, neural_problem};
use rnameta_core::Task;
use rnameta_models::{
    Classifier, DaParams, DomainAdaptation, Mlp, MlpParams, ModelKind, ModelSpec,
};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("check") => check(args.get(1).expect("check OUT.bin")),
        Some("mlp") => {
            let epochs = args.get(1).and_then(|e| e.parse().ok()).unwrap_or(10);
            let (x, y) = neural_problem(10_000, 7_000);
            let (l, m) = (labels(&y), meta(10_000, 10_000));
            let t = Instant::now();
            let mut mlp = Mlp::new(MlpParams {
                epochs,
                ..MlpParams::default()
            })
            .unwrap();
            mlp.fit(x.view(), &l, &m).expect("fit");
            println!(
                "mlp fit, {epochs} epochs: {:.3} s",
                t.elapsed().as_secs_f64()
            );
        }
        Some("da-sex") => {
            let (source, bias, genes) = (9_600, 7_155, 186);
            let (x, y) = neural_problem(source + bias, genes);
            let y: Vec<usize> = y.iter().map(|c| c % 2).collect();
            let (l, m) = (labels(&y), meta(source + bias, source));
            let t = Instant::now();
            let spec = ModelSpec::defaults(ModelKind::DomainAdaptation, Task::Sex, 0)
                .expect("DA has defaults");
            let mut da = spec.build().expect("build");
            da.fit(x.view(), &l, &m).expect("fit");
            println!("da fit, sex defaults: {:.3} s", t.elapsed().as_secs_f64());
        }
        _ => eprintln!("usage: neural_check check OUT.bin | mlp EPOCHS | da-sex"),
    }
}

fn check(out: &str) {
    let mut bytes = Vec::new();
    let (x, y) = neural_problem(2_000, 500);
    let mut mlp = Mlp::new(MlpParams {
        epochs: 3,
        seed: 7,
        ..MlpParams::default()
    })
    .unwrap();
    mlp.fit(x.view(), &labels(&y), &meta(2_000, 2_000))
        .expect("mlp fit");
    let p = mlp.predict_proba(x.view()).expect("mlp predict");
    bytes.extend(p.iter().flat_map(|v| v.to_le_bytes()));

    let (x, y) = neural_problem(1_200, 300);
    let mut da = DomainAdaptation::new(DaParams {
        epochs: 2,
        triplet_epochs: 2,
        embedding: 64,
        seed: 3,
        ..DaParams::default()
    })
    .unwrap();
    da.fit(x.view(), &labels(&y), &meta(1_200, 600))
        .expect("da fit");
    let p = da.predict_proba(x.view()).expect("da predict");
    bytes.extend(p.iter().flat_map(|v| v.to_le_bytes()));
    std::fs::File::create(out)
        .and_then(|mut f| f.write_all(&bytes))
        .expect("write");
    println!("{} probabilities written to {out}", bytes.len() / 4);
}
