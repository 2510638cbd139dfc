//! Shared workloads of rnameta's benchmarks (`benches/benches/*.rs`) and of the Python peers they
//! are compared with (`benches/peers/*.py`).
//!
//! Every workload is generated here, in Rust, from fixed seeds. `cargo run --release -p
//! rnameta-benches --example bench_data -- DIR` writes each one to `DIR` (by default
//! `target/bench-data`) as `.npy` arrays (and an ARCHS4 HDF5 file) that the peers load, so both
//! sides time the very same numbers. `cargo xtask bench` runs that first.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use ndarray::{Array2, ArrayView2};
use rnameta_core::{DataSource, Dataset, GeneAnnotation, GeneInfo, Labels, SampleMeta};
use rnameta_io::recount3::{GeneSums, GeneSumsHeader};
use rnameta_models::synthetic::Synthetic;

/// The folder the workloads are written to: `target/bench-data` of the workspace.
pub fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench-data")
}

/// Reads a positive size from the environment variable `name`, else `default`.
pub fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&v| v > 0)
        .unwrap_or(default)
}

/// SplitMix64's finaliser (the same 64-bit mix as `mix` in `benches/peers/qnorm_gini.py`).
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Seed of the preprocessing workload.
pub const PREPROCESS_SEED: u64 = 42;

/// Integer counts, samples x genes: gene g has a depth of `bits_g` in 1..=20 bits; the count of
/// sample s is `(h >> (64 - bits_g)) >> (h & 15)` with `h = mix(s * genes + g + seed * golden)`.
/// Many zeros and ties, as in real data.
pub fn counts(samples: usize, genes: usize, seed: u64) -> Array2<f32> {
    let bits: Vec<u64> = (0..genes as u64)
        .map(|g| 1 + mix(g.wrapping_add(0xD1B5_4A32_D192_ED03u64.wrapping_mul(seed + 1))) % 20)
        .collect();
    Array2::from_shape_fn((samples, genes), |(s, g)| {
        let i = (s * genes + g) as u64;
        let h = mix(i.wrapping_add(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15)));
        ((h >> (64 - bits[g])) >> (h & 15)) as f32
    })
}

/// `ln(1 + counts)` of [`counts`] (computed in f64, stored as f32): the quantile normalisation
/// and Gini workload.
pub fn log_counts(samples: usize, genes: usize, seed: u64) -> Array2<f32> {
    counts(samples, genes, seed).mapv(|c| f64::from(c).ln_1p() as f32)
}

/// Gene lengths for TPM: 300 to 30,299 bases, from the same hash.
pub fn gene_lengths(genes: usize, seed: u64) -> Vec<f64> {
    (0..genes as u64)
        .map(|g| 300.0 + (mix(g ^ seed.wrapping_mul(0xA24B_AED4_963E_E407)) % 30_000) as f64)
        .collect()
}

/// A 16-class classification problem, `n` samples x `genes` (200 informative genes, class
/// centres with standard deviation 0.5, unit noise, seed 1): the MLP, DA and LIN workload.
pub fn neural_problem(n: usize, genes: usize) -> (Array2<f32>, Vec<usize>) {
    Synthetic {
        n_samples: n,
        n_features: genes,
        n_classes: 16,
        n_informative: 200,
        separation: 0.5,
        seed: 1,
    }
    .generate()
}

/// The forest workload: 20,000 x 500, 16 classes, 50 informative genes (first half train, second
/// half test), as scikit-learn's peer reads it.
pub fn forest_problem() -> (Array2<f32>, Vec<usize>) {
    Synthetic {
        n_samples: 20_000,
        n_features: 500,
        n_classes: 16,
        n_informative: 50,
        separation: 0.5,
        seed: 1,
    }
    .generate()
}

/// Labels `c00`, `c01`, ... of class indices.
pub fn labels(y: &[usize]) -> Labels {
    let names: Vec<Option<String>> = y.iter().map(|c| Some(format!("c{c:02}"))).collect();
    Labels::from_names(&names)
}

/// Sample metadata: samples before `bias_from` are GTEx (DA's source domain), the rest SRA; 50
/// studies in turn.
pub fn meta(n: usize, bias_from: usize) -> Vec<SampleMeta> {
    (0..n)
        .map(|i| {
            let source = if i < bias_from {
                DataSource::Gtex
            } else {
                DataSource::Sra
            };
            let mut m = SampleMeta::new(format!("s{i}"), source);
            m.study = Some(format!("study{}", i % 50));
            m
        })
        .collect()
}

/// The paper's DA problem (source samples, bias samples, genes): GTEx 5,480 and SRA 1,721
/// labelled samples of its 16 tissues, 6,974 genes (Wartmann et al. 2020); the generated data is
/// [`neural_problem`] with the source samples first.
pub const DA_PAPER_SHAPE: (usize, usize, usize) = (5_480, 1_721, 6_974);

/// Shape of the ARCHS4 HDF5 read workload (samples, genes).
pub const ARCHS4_SHAPE: (usize, usize) = (2_000, 20_000);

/// Shape of the recount3 gene sums read workload (samples, genes).
pub const RECOUNT3_SHAPE: (usize, usize) = (500, 20_000);

/// Gene ids `ENSG00000000000`, `ENSG00000000001`, ...
pub fn gene_annotation(genes: usize) -> GeneAnnotation {
    GeneAnnotation::new(
        (0..genes)
            .map(|g| GeneInfo::from_id(&format!("ENSG{g:011}")))
            .collect(),
    )
    .expect("unique gene ids")
}

/// The ARCHS4 read workload: [`counts`] (seed 7) of [`ARCHS4_SHAPE`] in the ARCHS4 v2 layout
/// with rnameta-io's default chunking (2,048 genes x 64 samples, gzip level 4), written to
/// `path` unless it is there already. Returns the path.
pub fn archs4_file(dir: &Path) -> PathBuf {
    let path = dir.join(format!("archs4_{}x{}.h5", ARCHS4_SHAPE.0, ARCHS4_SHAPE.1));
    if !path.exists() {
        let (n, g) = ARCHS4_SHAPE;
        let samples = (0..n)
            .map(|i| SampleMeta::new(format!("GSM{i:07}"), DataSource::Archs4))
            .collect();
        let data =
            Dataset::new(counts(n, g, 7), gene_annotation(g), samples).expect("consistent shapes");
        std::fs::create_dir_all(dir).expect("bench data folder");
        rnameta_io::archs4::write(&path, &data, &Default::default()).expect("ARCHS4 file written");
    }
    path
}

/// The recount3 read workload: a gzipped gene sums file (`sra.gene_sums.SRP000001.G026.gz`) of
/// [`RECOUNT3_SHAPE`], coverage = 76 x [`counts`] (seed 9), written unless it is there already.
pub fn recount3_file(dir: &Path) -> PathBuf {
    let path = dir.join("sra.gene_sums.SRP000001.G026.gz");
    if !path.exists() {
        let (n, g) = RECOUNT3_SHAPE;
        let samples = (0..n)
            .map(|i| SampleMeta::new(format!("SRR{i:07}"), DataSource::Sra))
            .collect();
        let sums = counts(n, g, 9).mapv(|c| f64::from(c) * 76.0);
        let header = GeneSumsHeader {
            annotation: "G026".into(),
            date_generated: "2020-06-05".into(),
        };
        let gs = GeneSums::new(header, gene_annotation(g), samples, sums).expect("whole sums");
        std::fs::create_dir_all(dir).expect("bench data folder");
        rnameta_io::recount3::write_gene_sums(&path, &gs).expect("gene sums written");
    }
    path
}

/// Writes a row-major `<f4` matrix as a NumPy `.npy` file (format 1.0).
pub fn write_npy_f32(path: &Path, x: ArrayView2<'_, f32>) -> std::io::Result<()> {
    let (r, c) = x.dim();
    let mut w = BufWriter::new(File::create(path)?);
    write_npy_header(&mut w, "<f4", &format!("({r}, {c})"))?;
    let mut buf = Vec::with_capacity(c * 4);
    for row in x.rows() {
        buf.clear();
        for &v in row {
            buf.extend_from_slice(&v.to_le_bytes());
        }
        w.write_all(&buf)?;
    }
    w.flush()
}

/// Writes integer labels as a NumPy `<i8` vector.
pub fn write_npy_i64(path: &Path, y: &[usize]) -> std::io::Result<()> {
    let mut w = BufWriter::new(File::create(path)?);
    write_npy_header(&mut w, "<i8", &format!("({},)", y.len()))?;
    for &v in y {
        w.write_all(&(v as i64).to_le_bytes())?;
    }
    w.flush()
}

fn write_npy_header(w: &mut impl Write, descr: &str, shape: &str) -> std::io::Result<()> {
    let mut header = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}");
    // Magic (6) + version (2) + length (2) + header + '\n', padded to a multiple of 64.
    let unpadded = 10 + header.len() + 1;
    header.push_str(&" ".repeat((64 - unpadded % 64) % 64));
    header.push('\n');
    w.write_all(b"\x93NUMPY\x01\x00")?;
    w.write_all(&(header.len() as u16).to_le_bytes())?;
    w.write_all(header.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npy_header_is_aligned() {
        let mut v = Vec::new();
        write_npy_header(&mut v, "<f4", "(3, 4)").unwrap();
        assert_eq!(v.len() % 64, 0);
        assert!(v.ends_with(b"\n"));
    }

    #[test]
    fn log_counts_are_ln1p_of_counts() {
        let c = counts(3, 5, 7);
        let l = log_counts(3, 5, 7);
        assert_eq!(l[[2, 4]], (f64::from(c[[2, 4]])).ln_1p() as f32);
    }
}
