//! The measurement behind the one z-scoring rule (issue 19 item 5). Four z-scorers treated a
//! small standard deviation four ways: preprocess's `ZScore` and logistic regression kept any
//! sd > 0, the neural models' standardiser sd > 1e-12, augment's sd > 1e-6 (smaller ones were
//! taken as 1, the gene only centred). They agree on every input in which no gene has
//! 0 < sd <= 1e-6; this test checks that the simulated presets' model inputs are such inputs, so
//! that one rule (sd > 1e-6, `rnameta_preprocess::zscore::MIN_SD`) changes no result.

use rnameta_core::Dataset;
use rnameta_preprocess::pipeline::Step;
use rnameta_preprocess::Pipeline;
use rnameta_sim::{GeneUniverse, Preset, SimConfig, Simulator};

/// Population standard deviation of each column, in f64 (as every z-scorer computes it).
fn sds(x: &ndarray::Array2<f32>) -> Vec<f64> {
    let n = x.nrows() as f64;
    x.columns()
        .into_iter()
        .map(|c| {
            let m = c.iter().map(|&v| f64::from(v)).sum::<f64>() / n;
            (c.iter().map(|&v| (f64::from(v) - m).powi(2)).sum::<f64>() / n).sqrt()
        })
        .collect()
}

#[test]
fn no_gene_of_the_simulated_presets_model_inputs_has_a_standard_deviation_in_0_to_1e6() {
    let mut in_between = Vec::new();
    for preset in [Preset::Tiny, Preset::Small] {
        let config = SimConfig::preset(preset);
        let universe = GeneUniverse::from_ensembl(
            &rnameta_sim::universe::default_gene_table(),
            &config.universe,
        )
        .unwrap();
        let cohort = Simulator::new(config, universe).unwrap().cohort().unwrap();
        let g_s = Dataset::concat(&[&cohort.gtex.dataset, &cohort.sra.dataset]).unwrap();
        let sets = [
            ("GTEx", &cohort.gtex.dataset),
            ("SRA", &cohort.sra.dataset),
            ("TCGA", &cohort.tcga.dataset),
            ("GTEx+SRA", &g_s),
        ];
        for pipeline in [
            Pipeline::tpm_log2(),
            Pipeline::new(vec![Step::Tpm, Step::Log2p1, Step::Quantile]),
        ] {
            for (name, data) in sets {
                let (_, x) = pipeline.fit_transform(data).unwrap();
                let sd = sds(&x);
                let zero = sd.iter().filter(|&&s| s == 0.0).count();
                let smallest = sd
                    .iter()
                    .copied()
                    .filter(|&s| s > 0.0)
                    .fold(f64::INFINITY, f64::min);
                let between = sd.iter().filter(|&&s| s > 0.0 && s <= 1e-6).count();
                eprintln!(
                    "{preset:?} {name} {pipeline:?}: {} genes, {zero} with sd 0, smallest \
                     positive sd {smallest:.3e}, {between} in (0, 1e-6]",
                    sd.len()
                );
                if between > 0 {
                    in_between.push(format!("{preset:?} {name} {pipeline:?}: {between}"));
                }
            }
        }
    }
    assert!(in_between.is_empty(), "{in_between:?}");
}
