//! Seeded datasets shared by the integration tests (each test binary uses a subset).
#![allow(dead_code)]

use ndarray::Array2;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rnameta_core::{DataSource, Dataset, GeneAnnotation, GeneInfo, SampleMeta};

/// Counts with many zeros and ties (negative-binomial-like spread), with both gene lengths set.
pub fn counts(samples: usize, genes: usize, seed: u64) -> Dataset {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let levels: Vec<f64> = (0..genes).map(|_| rng.random_range(0.0..12.0)).collect();
    let x = Array2::from_shape_fn((samples, genes), |(_, g)| {
        let l = levels[g] + rng.random_range(-2.0..2.0);
        if rng.random_bool(0.2) {
            0.0
        } else {
            (2f64.powf(l) - 1.0).max(0.0).floor() as f32
        }
    });
    let infos = (0..genes)
        .map(|g| GeneInfo {
            union_exon_length: Some(200 + 37 * g as u32),
            longest_transcript_length: Some(500 + 11 * g as u32),
            biotype: Some("protein_coding".into()),
            ..GeneInfo::from_id(&format!("ENSG{g:011}"))
        })
        .collect();
    let meta = (0..samples)
        .map(|i| SampleMeta::new(format!("S{i}"), DataSource::Other))
        .collect();
    Dataset::new(x, GeneAnnotation::new(infos).unwrap(), meta).unwrap()
}

/// The dataset as a stream of chunks of `size` samples.
pub fn chunks(d: &Dataset, size: usize) -> Vec<Result<Dataset, String>> {
    (0..d.n_samples())
        .step_by(size)
        .map(|start| {
            let rows: Vec<usize> = (start..(start + size).min(d.n_samples())).collect();
            Ok(d.select_samples(&rows).unwrap())
        })
        .collect()
}
