//! Writes every benchmark workload to a folder (default `target/bench-data`) for the Python peers
//! of `benches/peers/`, so that both sides time the same numbers: `.npy` matrices and labels, an
//! ARCHS4 HDF5 file and a recount3 gene sums file. Files already there from the same generator
//! version (`version.txt`) are kept.
//!
//! `cargo run --release -p rnameta-benches --example bench_data [-- DIR]` (`cargo xtask bench`
//! runs it first).

use std::path::{Path, PathBuf};
use std::time::Instant;

use ndarray::Array2;
use rnameta_benches::{
    archs4_file, counts, data_dir, forest_problem, gene_lengths, labels, log_counts, meta,
    neural_problem, recount3_file, write_npy_f32, write_npy_i64, DA_PAPER_SHAPE, PREPROCESS_SEED,
};
use rnameta_models::{Classifier, Lin, LinParams};

/// Bumped whenever a generator changes, so that stale files are rewritten.
const VERSION: &str = "1";

fn main() -> std::io::Result<()> {
    let dir = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(data_dir);
    std::fs::create_dir_all(&dir)?;
    let stamp = dir.join("version.txt");
    if std::fs::read_to_string(&stamp).ok().as_deref() != Some(VERSION) {
        for entry in std::fs::read_dir(&dir)? {
            let p = entry?.path();
            if p.is_file() {
                std::fs::remove_file(p)?;
            }
        }
    }
    let t = Instant::now();
    let (s, g) = (10_000, 20_000);
    npy(&dir, "preprocess_counts", || counts(s, g, PREPROCESS_SEED))?;
    npy(&dir, "preprocess_log_counts", || {
        log_counts(s, g, PREPROCESS_SEED)
    })?;
    npy(&dir, "preprocess_gene_lengths", || {
        Array2::from_shape_vec(
            (1, g),
            gene_lengths(g, PREPROCESS_SEED)
                .iter()
                .map(|&l| l as f32)
                .collect(),
        )
        .expect("1 x genes")
    })?;
    problem(&dir, "forest", forest_problem)?;
    problem(&dir, "lin", || neural_problem(5_000, 2_000))?;
    lin_ours(&dir)?;
    problem(&dir, "mlp", || neural_problem(10_000, 7_000))?;
    problem(&dir, "da", || neural_problem(10_000, 2_000))?;
    problem(&dir, "da_paper", || {
        let (source, bias, genes) = DA_PAPER_SHAPE;
        neural_problem(source + bias, genes)
    })?;
    archs4_file(&dir);
    recount3_file(&dir);
    std::fs::write(&stamp, VERSION)?;
    println!(
        "bench data in {} ({:.1} s)",
        dir.display(),
        t.elapsed().as_secs_f64()
    );
    Ok(())
}

/// rnameta's LIN on the `lin` problem (`LinParams::default()`, as benches/benches/lin.rs fits it),
/// for the phenopredict peer to compare with: `lin_ours_chosen.txt` (genes per class chosen),
/// `lin_ours_coef.tsv` (the coefficients of each selected gene, 0-based, by class name) and
/// `lin_ours_predicted.txt` (each sample's class name, or `unassigned`).
fn lin_ours(dir: &Path) -> std::io::Result<()> {
    let predicted_path = dir.join("lin_ours_predicted.txt");
    if predicted_path.exists() {
        return Ok(());
    }
    let (x, y) = neural_problem(5_000, 2_000);
    let mut lin = Lin::new(LinParams::default()).map_err(std::io::Error::other)?;
    lin.fit(x.view(), &labels(&y), &meta(5_000, 5_000))
        .map_err(std::io::Error::other)?;
    let classes = lin.classes().to_vec();
    let (Some(report), Some(selected), Some(coef)) =
        (lin.report(), lin.selected_genes(), lin.coefficients())
    else {
        return Err(std::io::Error::other("LIN fitted without a report"));
    };
    std::fs::write(
        dir.join("lin_ours_chosen.txt"),
        format!("{}\n", report.genes_per_class),
    )?;
    let mut text = format!("gene\t{}\n", classes.join("\t"));
    for (gene, row) in selected.iter().zip(coef.rows()) {
        text.push_str(&gene.to_string());
        for v in row {
            text.push_str(&format!("\t{v:e}"));
        }
        text.push('\n');
    }
    std::fs::write(dir.join("lin_ours_coef.tsv"), text)?;
    let mut text = String::new();
    for class in lin
        .predict_assigned(x.view())
        .map_err(std::io::Error::other)?
    {
        text.push_str(class.map_or("unassigned", |c| classes[c].as_str()));
        text.push('\n');
    }
    let tmp = dir.join(".lin_ours_predicted.txt.tmp");
    std::fs::write(&tmp, text)?;
    std::fs::rename(tmp, predicted_path)
}

fn npy(dir: &Path, name: &str, make: impl FnOnce() -> Array2<f32>) -> std::io::Result<()> {
    let path = dir.join(format!("{name}.npy"));
    if !path.exists() {
        let tmp = dir.join(format!(".{name}.npy.tmp"));
        write_npy_f32(&tmp, make().view())?;
        std::fs::rename(tmp, path)?;
    }
    Ok(())
}

/// Writes `<name>_x.npy` and `<name>_y.npy` unless both are there.
fn problem(
    dir: &Path,
    name: &str,
    make: impl FnOnce() -> (Array2<f32>, Vec<usize>),
) -> std::io::Result<()> {
    let (xp, yp) = (
        dir.join(format!("{name}_x.npy")),
        dir.join(format!("{name}_y.npy")),
    );
    if xp.exists() && yp.exists() {
        return Ok(());
    }
    let (x, y) = make();
    let tmp = dir.join(format!(".{name}.npy.tmp"));
    write_npy_f32(&tmp, x.view())?;
    std::fs::rename(&tmp, xp)?;
    write_npy_i64(&tmp, &y)?;
    std::fs::rename(&tmp, yp)
}
