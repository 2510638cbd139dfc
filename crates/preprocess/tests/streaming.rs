//! Out-of-core quantile normalisation and Gini equal their in-memory results.

mod common;

use ndarray::Array2;
use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rnameta_preprocess::check::Names;
use rnameta_preprocess::gini::{gini_per_gene, gini_stream};
use rnameta_preprocess::quantile::QuantileReference;
use rnameta_preprocess::Error;

#[test]
fn streamed_quantile_reference_equals_in_memory() {
    let d = common::counts(300, 500, 11);
    let whole = QuantileReference::fit(d.counts().view()).unwrap();
    let (streamed, genes) = QuantileReference::fit_stream(common::chunks(&d, 37)).unwrap();
    assert_eq!(genes.len(), 500);
    for (a, b) in whole.values().iter().zip(streamed.values()) {
        assert!((a - b).abs() <= 1e-6 * a.abs().max(1.0), "{a} vs {b}");
    }
    // Tie averaging keeps each sample's total equal to the reference's total.
    let y = whole.transform(d.counts().view()).unwrap();
    let total_r: f64 = whole.values().iter().map(|&v| f64::from(v)).sum();
    for row in y.rows() {
        let total: f64 = row.iter().map(|&v| f64::from(v)).sum();
        assert!(
            (total - total_r).abs() / total_r < 1e-5,
            "{total} vs {total_r}"
        );
    }
}

#[test]
fn without_ties_every_sample_sorted_equals_the_reference() {
    let mut rng = ChaCha8Rng::seed_from_u64(8);
    // Distinct values by construction: i + jitter in [0, 0.5), shuffled per sample.
    let mut x = Array2::<f32>::zeros((64, 1000));
    for mut row in x.rows_mut() {
        let mut v: Vec<f32> = (0..1000)
            .map(|i| i as f32 + rng.random_range(0.0f32..0.5))
            .collect();
        v.shuffle(&mut rng);
        row.assign(&ndarray::Array1::from(v));
    }
    let q = QuantileReference::fit(x.view()).unwrap();
    let y = q.transform(x.view()).unwrap();
    for row in y.rows() {
        let mut s = row.to_vec();
        s.sort_by(f32::total_cmp);
        assert_eq!(s, q.values());
    }
}

#[test]
fn streamed_gini_equals_in_memory_with_several_passes() {
    let d = common::counts(257, 300, 5);
    let whole = gini_per_gene(d.counts().view(), Names::Positions).unwrap();
    // 20,000 values buffered = 77 genes of 257 samples per pass: 4 passes.
    let mut opened = 0;
    let streamed = gini_stream(
        || {
            opened += 1;
            common::chunks(&d, 50)
        },
        20_000,
    )
    .unwrap();
    assert_eq!(streamed.passes, 4);
    assert_eq!(opened, 4);
    assert_eq!(streamed.n_samples, 257);
    for (a, b) in whole.iter().zip(&streamed.gini) {
        assert!((a - b).abs() < 1e-6, "{a} vs {b}");
    }
    assert_eq!(whole, streamed.gini);
}

#[test]
fn a_failing_chunk_is_reported_with_its_number() {
    let d = common::counts(20, 5, 1);
    let mut stream = common::chunks(&d, 5);
    stream[2] = Err("disk read failed".to_owned());
    let err = QuantileReference::fit_stream(stream).unwrap_err();
    assert!(matches!(err, Error::Stream { chunk: 2, .. }), "{err}");
    assert!(err.to_string().contains("disk read failed"));
    let other = common::counts(5, 6, 1);
    let mut stream = common::chunks(&d, 5);
    stream[1] = Ok(other);
    let err = QuantileReference::fit_stream(stream).unwrap_err();
    assert!(err.to_string().contains("ENSG00000000005"), "{err}");
}

/// The real ARCHS4-layout file (GEUVADIS counts written by the HDF5 C library), streamed in
/// chunks of 16 samples by `Archs4Reader::chunks`: the streamed quantile reference and Gini
/// equal the in-memory ones computed on `read_all`.
#[test]
fn streaming_the_real_archs4_file_equals_in_memory() {
    use rnameta_io::archs4::Archs4Reader;
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/real/geuvadis_archs4_layout.h5"
    );
    let reader = Archs4Reader::open(path).unwrap();
    let whole = reader.read_all().unwrap();
    let mut logged = whole.clone();
    logged.counts_mut().mapv_inplace(f32::ln_1p);

    let in_memory = QuantileReference::fit(logged.counts().view()).unwrap();
    let log_chunks = reader.chunks(16).map(|chunk| {
        chunk.map(|mut c| {
            c.counts_mut().mapv_inplace(f32::ln_1p);
            c
        })
    });
    let (streamed, genes) = QuantileReference::fit_stream(log_chunks).unwrap();
    assert_eq!(genes.len(), 10_012);
    assert_eq!(streamed.n_samples(), 85);
    for (a, b) in in_memory.values().iter().zip(streamed.values()) {
        assert!((a - b).abs() <= 1e-6 * a.abs().max(1.0), "{a} vs {b}");
    }

    let gini_whole = gini_per_gene(whole.counts().view(), Names::Dataset(&whole)).unwrap();
    // 300,000 buffered values hold about 3,500 of the 10,012 genes x 85 samples: 3 passes.
    let streamed_gini = gini_stream(|| reader.chunks(16), 300_000).unwrap();
    assert_eq!(streamed_gini.n_samples, 85);
    assert_eq!(streamed_gini.passes, 3);
    for (a, b) in gini_whole.iter().zip(&streamed_gini.gini) {
        assert!((a - b).abs() <= 1e-6, "{a} vs {b}");
    }
}
