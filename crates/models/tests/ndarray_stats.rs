//! The measurement behind keeping the signal ranking's own percentile (docs/dependencies.md):
//! ndarray-stats' quantile (quickselect, `Linear` interpolation in the element type) against
//! `rnameta_preprocess::signal::percentile_sorted` (radix-sorted column, interpolation in `f64`) on
//! the simulated tiny preset's model input (log2(TPM + 1), every GTEx gene), at the ARCHS4 95th
//! percentile. The ranking needs the whole sorted column anyway (the samples around the
//! percentile, the floor test), so ndarray-stats would only replace the interpolation; the test
//! reports how many percentile values it would change and fails if ndarray-stats ever agrees on
//! every gene (then it could serve).

use ndarray::Axis;
use ndarray_stats::interpolate::Linear;
use ndarray_stats::QuantileExt;
use noisy_float::types::n64;
use rnameta_preprocess::signal::percentile_sorted;
use rnameta_preprocess::sort::{key_f32, sort_f32_into};
use rnameta_preprocess::Pipeline;
use rnameta_sim::{GeneUniverse, Preset, SimConfig, Simulator};

#[test]
fn ndarray_stats_quantile_changes_some_of_the_signal_rankings_percentile_values() {
    let config = SimConfig::preset(Preset::Tiny);
    let universe = GeneUniverse::from_ensembl(
        &rnameta_sim::universe::default_gene_table(),
        &config.universe,
    )
    .unwrap();
    let cohort = Simulator::new(config, universe).unwrap().cohort().unwrap();
    let (_, x) = Pipeline::tpm_log2()
        .fit_transform(&cohort.gtex.dataset)
        .unwrap();

    let start = std::time::Instant::now();
    let (mut keys, mut scratch) = (Vec::new(), Vec::new());
    let ours: Vec<f32> = x
        .axis_iter(Axis(1))
        .map(|col| {
            let col = col.to_vec();
            sort_f32_into(&col, &mut keys, &mut scratch);
            let sorted: Vec<f32> = keys.iter().map(|&k| key_f32(k)).collect();
            percentile_sorted(&sorted, 95.0)
        })
        .collect();
    let ours_time = start.elapsed();

    let start = std::time::Instant::now();
    let mut copy = x.clone();
    let theirs = copy
        .quantile_axis_skipnan_mut(Axis(0), n64(0.95), &Linear)
        .unwrap();
    let theirs_time = start.elapsed();

    let differ = ours
        .iter()
        .zip(&theirs)
        .filter(|(a, b)| a.to_bits() != b.to_bits())
        .count();
    let largest = ours
        .iter()
        .zip(&theirs)
        .map(|(a, b)| ((a - b).abs() / a.abs().max(1e-30)) as f64)
        .fold(0.0, f64::max);
    eprintln!(
        "{} samples x {} genes: {differ} of {} 95th-percentile values differ in their bits \
         (largest relative difference {largest:.2e}); radix sort + percentile {ours_time:?}, \
         ndarray-stats quantile {theirs_time:?}",
        x.nrows(),
        x.ncols(),
        ours.len()
    );
    assert!(
        differ > 0,
        "ndarray-stats agrees on every gene: it could serve"
    );
}
