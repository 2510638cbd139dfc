//! Calibration and realism against the real fixtures.
//!
//! Reference numbers come from an independent numpy computation (numpy 2.x in a virtual
//! environment; the script is `docs/simulation.md`'s "Calibration" section):
//!
//! ```text
//! gtex_lung30_chr21_counts (818, 30) lib min/med/max 394140.0 491421.5 826255.0 cv 0.16392988480744564
//!  zero fraction of entries 0.5577832110839446 genes all-zero 0.2713936430317848
//!  log meanCPM mean sd 2.507565199476009 3.6770018475026687
//!  dispersion a,b (mean>5, n=276) [0.42934189 5.46175875]
//! geuvadis_humanGender_counts (10101, 85) lib min/med/max 3458561.0 10342407.0 20537487.0 cv 0.2808548347296587
//!  zero fraction of entries 0.00030049441814147696 genes all-zero 0.0
//!  log meanCPM mean sd 3.9379003927629133 1.087522771856701
//!  dispersion a,b (mean>5, n=10101) [ 0.0384784  21.60597145]
//! ```

mod common;

use std::collections::HashSet;

use common::*;
use rnameta_io::tsv::{read_matrix, MatrixOptions};
use rnameta_sim::calibration::{fit, Calibration};
use rnameta_sim::{Preset, SimConfig};

fn real(name: &str) -> rnameta_core::Dataset {
    read_matrix(
        &fixture(&format!("real/{name}")),
        MatrixOptions::genes_in_rows(),
    )
    .unwrap()
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * b.abs().max(1e-12)
}

#[test]
fn calibration_reproduces_the_numpy_fits_of_the_real_fixtures() {
    let lung = fit(real("gtex_lung30_chr21_counts.tsv.gz").counts().view()).unwrap();
    let expect = [
        (lung.library[0], 394_140.0),
        (lung.library[1], 491_421.5),
        (lung.library[2], 826_255.0),
        (lung.library_cv, 0.16392988480744564),
        (lung.zero_share, 0.5577832110839446),
        (lung.off_share, 0.2713936430317848),
        (lung.log_cpm_mean, 2.507565199476009),
        (lung.log_cpm_sd, 3.6770018475026687),
        (lung.dispersion_a, 0.42934189),
        (lung.dispersion_b, 5.46175875),
    ];
    for (i, (got, want)) in expect.iter().enumerate() {
        assert!(
            close(*got, *want, 1e-6),
            "GTEx lung value {i}: {got} vs {want}"
        );
    }
    assert_eq!(lung.dispersion_genes, 276);
    let geuvadis = fit(real("geuvadis_humanGender_counts.tsv.gz").counts().view()).unwrap();
    for (got, want) in [
        (geuvadis.library_cv, 0.2808548347296587),
        (geuvadis.zero_share, 0.00030049441814147696),
        (geuvadis.log_cpm_mean, 3.9379003927629133),
        (geuvadis.log_cpm_sd, 1.087522771856701),
        (geuvadis.dispersion_a, 0.0384784),
        (geuvadis.dispersion_b, 21.60597145),
    ] {
        assert!(close(got, want, 1e-6), "GEUVADIS {got} vs {want}");
    }
    // The presets carry the GTEx lung dispersion trend.
    let preset = SimConfig::preset(Preset::Tiny).expression;
    assert!(close(preset.dispersion_a, lung.dispersion_a, 0.01));
    assert!(close(preset.dispersion_b, lung.dispersion_b, 0.01));
}

/// Simulated GTEx lung samples on the chr21 genes they share with the real slice.
fn simulated_lung() -> (Calibration, Calibration, usize) {
    let real_lung = real("gtex_lung30_chr21_counts.tsv.gz");
    let mut config = tiny(42);
    config.universe.whole_chromosomes = vec!["21".into()];
    config.gtex.samples = 31 * 30;
    config.gtex.donors = 300;
    config.tcga.samples = 0;
    config.sra.studies = 0;
    let sim = simulator(config);
    let gtex = sim.gtex().unwrap();
    let lung_rows: Vec<usize> = (0..gtex.truth.len())
        .filter(|&i| gtex.truth[i].tissue == "lung")
        .collect();
    let real_ids: HashSet<&str> = real_lung.genes().ids().collect();
    let shared: Vec<usize> = (0..gtex.dataset.n_genes())
        .filter(|&j| real_ids.contains(gtex.dataset.genes().get(j).unwrap().id.as_str()))
        .collect();
    let sim_slice = gtex
        .dataset
        .counts()
        .select(ndarray::Axis(0), &lung_rows)
        .select(ndarray::Axis(1), &shared);
    let shared_ids: HashSet<&str> = shared
        .iter()
        .map(|&j| gtex.dataset.genes().get(j).unwrap().id.as_str())
        .collect();
    let real_cols: Vec<usize> = (0..real_lung.n_genes())
        .filter(|&j| shared_ids.contains(real_lung.genes().get(j).unwrap().id.as_str()))
        .collect();
    let real_slice = real_lung.counts().select(ndarray::Axis(1), &real_cols);
    (
        fit(sim_slice.view()).unwrap(),
        fit(real_slice.view()).unwrap(),
        shared.len(),
    )
}

#[test]
fn simulated_gtex_lung_looks_like_the_real_slice() {
    // Tolerances (docs/simulation.md, "Realism"): zero share within 0.12; library-size CV within
    // a factor 2; library median within a factor 2; the dispersion asymptote within a factor 2.
    let (sim, real, genes) = simulated_lung();
    eprintln!("shared chr21 genes {genes}\nsimulated {sim:?}\nreal      {real:?}");
    assert!(genes > 500, "{genes}");
    assert_eq!(sim.samples, 30);
    assert!(
        (sim.zero_share - real.zero_share).abs() <= 0.12,
        "zero share {} vs {}",
        sim.zero_share,
        real.zero_share
    );
    let ratio = |a: f64, b: f64| (a / b).max(b / a);
    assert!(
        ratio(sim.library_cv, real.library_cv) <= 2.0,
        "library CV {} vs {}",
        sim.library_cv,
        real.library_cv
    );
    assert!(
        ratio(sim.library[1], real.library[1]) <= 2.0,
        "library median {} vs {}",
        sim.library[1],
        real.library[1]
    );
    assert!(
        ratio(sim.dispersion_a, real.dispersion_a) <= 2.0,
        "dispersion a {} vs {}",
        sim.dispersion_a,
        real.dispersion_a
    );
}
