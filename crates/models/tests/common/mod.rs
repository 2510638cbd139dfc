//! A simulated cohort shared by the neural model tests: the simulator's small preset
//! (simulated data, not the paper's), QC-flagged SRA samples removed by their truth flags, SRA
//! split by study with the paper's tissue recipe.
#![allow(dead_code)]

use std::sync::OnceLock;

use rnameta_core::{Dataset, Labels, Task};
use rnameta_sim::{GeneUniverse, Preset, SimConfig, Simulator};

/// One small simulated cohort (GTEx, SRA train studies, SRA test studies).
pub struct Tiny {
    pub gtex: Dataset,
    pub sra_train: Dataset,
    pub sra_test: Dataset,
    pub tcga: Dataset,
}

/// The cohort of seed 42, simulated once per test binary.
pub fn tiny() -> &'static Tiny {
    static COHORT: OnceLock<Tiny> = OnceLock::new();
    COHORT.get_or_init(|| build(42))
}

fn build(seed: u64) -> Tiny {
    let mut config = SimConfig::preset(Preset::Small);
    config.seed = seed;
    let universe = GeneUniverse::from_ensembl(
        &rnameta_sim::universe::default_gene_table(),
        &config.universe,
    )
    .unwrap();
    let sim = Simulator::new(config, universe).unwrap();
    let cohort = sim.cohort().unwrap();
    // The paper removes single-cell studies, small-RNA libraries and technical replicates
    // before training; here the simulator's truth says which they are.
    let keep: Vec<usize> = cohort
        .sra
        .truth
        .iter()
        .enumerate()
        .filter(|(_, t)| !t.is_single_cell && !t.is_small_rna && t.replicate_of.is_empty())
        .map(|(i, _)| i)
        .collect();
    let sra = cohort.sra.dataset.select_samples(&keep).unwrap();
    let labels = Labels::for_task(Task::Tissue, sra.samples());
    // Half of the studies train, half test (the paper's two-largest-studies-per-class recipe
    // leaves almost nothing to test on 60 studies).
    let split = rnameta_preprocess::split::kfold_by_study(sra.samples(), &labels, 2, seed)
        .unwrap()
        .swap_remove(0);
    Tiny {
        gtex: cohort.gtex.dataset,
        sra_train: sra.select_samples(&split.train).unwrap(),
        sra_test: sra.select_samples(&split.test).unwrap(),
        tcga: cohort.tcga.dataset,
    }
}

/// Labels of `task` on `data` against `classes` (names matched loosely: SRA writes "adipose
/// tissue" where GTEx writes "Adipose Tissue"); samples of another class are unlabelled.
pub fn labels_within(task: Task, data: &Dataset, classes: &[String]) -> Labels {
    let names: Vec<Option<String>> = data.samples().iter().map(|s| task.label_of(s)).collect();
    Labels::within_classes(classes.to_vec(), &names).0
}

/// Mean class accuracy (mean over true classes present of the share predicted right).
pub fn mca(labels: &Labels, predicted: &[usize]) -> f64 {
    let k = labels.classes().len();
    let (mut right, mut total) = (vec![0usize; k], vec![0usize; k]);
    for (truth, &p) in labels.assigned().iter().zip(predicted) {
        if let Some(c) = *truth {
            total[c] += 1;
            if c == p {
                right[c] += 1;
            }
        }
    }
    let present: Vec<usize> = (0..k).filter(|&c| total[c] > 0).collect();
    present
        .iter()
        .map(|&c| right[c] as f64 / total[c] as f64)
        .sum::<f64>()
        / present.len() as f64
}

/// Mean sample accuracy over the labelled samples.
pub fn msa(labels: &Labels, predicted: &[usize]) -> f64 {
    let pairs: Vec<(usize, usize)> = labels
        .assigned()
        .iter()
        .zip(predicted)
        .filter_map(|(t, &p)| t.map(|t| (t, p)))
        .collect();
    pairs.iter().filter(|(t, p)| t == p).count() as f64 / pairs.len() as f64
}
