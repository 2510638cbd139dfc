//! `cargo xtask`: project automation that is more than one cargo command.
//!
//! - `cargo xtask fuzz [SECONDS] [TARGET...]`: runs every cargo-fuzz target (or the named ones)
//!   for SECONDS each (default 60). Needs `cargo install cargo-fuzz`; runs on the stable toolchain
//!   through `RUSTC_BOOTSTRAP=1`, since libFuzzer's sanitizer flags are nightly-only.
//! - `cargo xtask bench [FILTER] [--no-peers] [--report]`: the criterion benchmarks and their
//!   Python peers on the same data, and the generated table of `docs/performance.md` (`bench.rs`).
//!
//! - `cargo xtask experiment <id> [--data sim:PRESET|DIR] [--seeds N] [--quick] [--out DIR]
//!   [--resume]`:
//!   one of the paper's experiments (see `xtask::experiment`), results in `results/<id>/`.
//! - `cargo xtask reproduce [--quick] [--data sim:PRESET|DIR] [--seeds N] [--resume]`: every
//!   experiment on one
//!   cohort, and `results/README.md` indexing their tables.
//!
//! `--resume` records every finished model fit under `<out>/.fits` and reuses the ones an
//! earlier, interrupted run recorded there (`xtask::experiment::memo`).
//!
//! `--data DIR` reads a cohort in the recount3 layout (what `rnameta simulate --out DIR` writes,
//! or a recount3 mirror). `--quick` means the tiny preset and 2 seeds (a smoke run; its numbers
//! mean little), written to `results/quick/`; the default is the paper preset and 10 seeds,
//! written to `results/`.

mod bench;

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // `cargo xtask <task> --help` is a request for the usage, not an unknown option.
    if args.iter().any(|a| a == "-h" || a == "--help") {
        println!("{}", usage());
        return Ok(());
    }
    match args.first().map(String::as_str) {
        Some("fuzz") => fuzz(&args[1..]),
        Some("bench") => bench::run(&project_root(), &args[1..]),
        Some("experiment") => experiment(&args[1..]),
        Some("reproduce") => reproduce(&args[1..]),
        None => {
            println!("{}", usage());
            Ok(())
        }
        Some(other) => bail!("unknown task {other:?}\n{}", usage()),
    }
}

fn usage() -> &'static str {
    "usage: cargo xtask <task>\n\
     \n  fuzz [SECONDS] [TARGET...]   run cargo-fuzz targets, SECONDS each (default 60)\
     \n  bench [FILTER] [--no-peers] [--report]\
     \n                               benchmarks and their Python peers -> docs/performance.md\
     \n  experiment <id> [--data sim:PRESET|DIR] [--seeds N] [--quick] [--out DIR] [--resume]\
     \n                               run one of the paper's experiments (list: experiment --list)\
     \n  reproduce [--quick] [--data sim:PRESET|DIR] [--seeds N] [--out DIR] [--resume]\
     \n                               run every experiment and index them in results/README.md\
     \n  --resume records each finished fit in <out>/.fits and reuses those of an earlier run"
}

/// Options shared by `experiment` and `reproduce`, and the positional arguments left over.
fn experiment_options(args: &[String]) -> Result<(xtask::experiment::Options, Vec<String>)> {
    let quick = args.iter().any(|a| a == "--quick");
    let mut data = if quick { "sim:tiny" } else { "sim:paper" }.to_owned();
    let mut seeds = if quick { 2 } else { 10 };
    // Quick runs go to their own folder so that they never overwrite the committed full results.
    let mut out = project_root().join(if quick { "results/quick" } else { "results" });
    let mut rest = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |name: &str| -> Result<String> {
            it.next()
                .cloned()
                .with_context(|| format!("{name} needs a value"))
        };
        match a.as_str() {
            "--quick" | "--resume" => {}
            "--data" => data = value("--data")?,
            "--seeds" => {
                seeds = value("--seeds")?
                    .parse()
                    .context("--seeds must be a number")?
            }
            "--out" => out = PathBuf::from(value("--out")?),
            other if other.starts_with("--") => bail!("unknown option {other}\n{}", usage()),
            other => rest.push(other.to_owned()),
        }
    }
    if seeds < 2 {
        bail!("--seeds must be at least 2 (the tables report a standard deviation)");
    }
    let options = xtask::experiment::Options {
        data: xtask::experiment::cohort::DataSpec::parse(&data)?,
        seeds,
        quick,
        results_dir: out,
        resume: args.iter().any(|a| a == "--resume"),
    };
    Ok((options, rest))
}

fn experiment(args: &[String]) -> Result<()> {
    if args.iter().any(|a| a == "--list") {
        for (id, what) in xtask::experiment::EXPERIMENTS {
            println!("{id:14} {what}");
        }
        return Ok(());
    }
    let (options, rest) = experiment_options(args)?;
    let [id] = rest.as_slice() else {
        bail!("experiment needs one id (experiment --list shows them)");
    };
    let outcome = xtask::experiment::run(id, &options)?;
    println!(
        "{}\n\nwritten to {} in {:.0} s",
        outcome.table_markdown,
        outcome.dir.display(),
        outcome.seconds
    );
    Ok(())
}

fn reproduce(args: &[String]) -> Result<()> {
    let (options, rest) = experiment_options(args)?;
    if !rest.is_empty() {
        bail!("reproduce takes no positional argument, got {rest:?}");
    }
    let outcomes = xtask::experiment::reproduce(&options)?;
    for o in &outcomes {
        println!("{}: {:.0} s, {}", o.id, o.seconds, o.dir.display());
    }
    println!("index: {}", options.results_dir.join("README.md").display());
    Ok(())
}

fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
}

fn fuzz(args: &[String]) -> Result<()> {
    let (seconds, names): (u64, &[String]) = match args.first().map(|a| a.parse::<u64>()) {
        Some(Ok(s)) => (s, &args[1..]),
        _ => (60, args),
    };
    let fuzz_dir = project_root().join("fuzz");
    let targets: Vec<String> = if names.is_empty() {
        let mut all: Vec<String> = std::fs::read_dir(fuzz_dir.join("fuzz_targets"))
            .context("reading fuzz/fuzz_targets")?
            .filter_map(|e| e.ok())
            .filter_map(|e| {
                e.path()
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
            })
            .collect();
        all.sort();
        all
    } else {
        names.to_vec()
    };
    let mut failed = Vec::new();
    for target in &targets {
        println!("== fuzzing {target} for {seconds} s");
        let status = Command::new("cargo")
            .current_dir(&fuzz_dir)
            .env("RUSTC_BOOTSTRAP", "1")
            .args(["fuzz", "run", target, "--"])
            .arg(format!("-max_total_time={seconds}"))
            .arg("-rss_limit_mb=4096")
            .status()
            .context("running cargo fuzz (install it with `cargo install cargo-fuzz`)")?;
        if !status.success() {
            failed.push(target.clone());
        }
    }
    if failed.is_empty() {
        println!(
            "all {} fuzz targets ran {seconds} s without a crash",
            targets.len()
        );
        Ok(())
    } else {
        bail!("fuzz targets found crashes: {failed:?} (see fuzz/artifacts/)")
    }
}
