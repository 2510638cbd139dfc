//! The small simulated problem the augment tests share (simulated data, not real samples): the
//! simulator's tiny preset with 2,000 GTEx samples (31 tissues, about 65 each), six tissues
//! kept, log2(CPM + 1), the 200 genes most variable across the training samples. Each tissue's
//! samples are split by a seeded shuffle into 44 training and the rest held out; Brain, the
//! mission's scarce class, keeps only 12 training samples.
#![allow(dead_code)]

use std::sync::OnceLock;

use ndarray::{Array2, ArrayView2, Axis};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rnameta_core::{Labels, Task};
use rnameta_sim::{GeneUniverse, Preset, SimConfig, Simulator};

/// The tissues kept, in class-index order.
pub const TISSUES: [&str; 6] = ["Brain", "Colon", "Liver", "Lung", "Muscle", "Stomach"];

/// Class index of the scarce class (Brain).
pub const SCARCE: usize = 0;

/// Training samples per class (the scarce class: [`SCARCE_TRAIN`]).
pub const TRAIN_PER_CLASS: usize = 44;

/// Training samples of the scarce class.
pub const SCARCE_TRAIN: usize = 12;

/// Genes kept.
pub const GENES: usize = 200;

/// Training and held-out samples of the six tissues.
pub struct Problem {
    pub train: Array2<f32>,
    pub train_classes: Vec<usize>,
    pub heldout: Array2<f32>,
    pub heldout_classes: Vec<usize>,
}

impl Problem {
    pub fn n_classes(&self) -> usize {
        TISSUES.len()
    }

    /// Held-out samples of `class`.
    pub fn heldout_of(&self, class: usize) -> Array2<f32> {
        rows_of(self.heldout.view(), &self.heldout_classes, class)
    }

    /// Training samples of `class`.
    pub fn train_of(&self, class: usize) -> Array2<f32> {
        rows_of(self.train.view(), &self.train_classes, class)
    }
}

/// The rows of `x` whose class is `class`.
pub fn rows_of(x: ArrayView2<'_, f32>, classes: &[usize], class: usize) -> Array2<f32> {
    let rows: Vec<usize> = (0..classes.len())
        .filter(|&i| classes[i] == class)
        .collect();
    x.select(Axis(0), &rows)
}

/// The problem of seed 42, simulated once per test binary.
pub fn problem() -> &'static Problem {
    static PROBLEM: OnceLock<Problem> = OnceLock::new();
    PROBLEM.get_or_init(|| build(42))
}

fn build(seed: u64) -> Problem {
    let mut config = SimConfig::preset(Preset::Tiny);
    config.seed = seed;
    config.gtex.samples = 2000;
    let universe = GeneUniverse::from_ensembl(
        &rnameta_sim::universe::default_gene_table(),
        &config.universe,
    )
    .unwrap();
    let gtex = Simulator::new(config, universe)
        .unwrap()
        .gtex()
        .unwrap()
        .dataset;
    let labels = Labels::for_task(Task::Tissue, gtex.samples());
    let class_of: Vec<Option<usize>> = labels
        .assigned()
        .iter()
        .map(|a| a.and_then(|c| TISSUES.iter().position(|t| *t == labels.classes()[c])))
        .collect();
    // log2(CPM + 1) of every sample.
    let counts = gtex.counts();
    let mut logcpm = counts.to_owned();
    for mut row in logcpm.outer_iter_mut() {
        let lib: f32 = row.sum().max(1.0);
        row.mapv_inplace(|v| (v / lib * 1e6 + 1.0).log2());
    }
    // Seeded split per class.
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (mut train_rows, mut train_classes) = (Vec::new(), Vec::new());
    let (mut held_rows, mut held_classes) = (Vec::new(), Vec::new());
    for c in 0..TISSUES.len() {
        let mut rows: Vec<usize> = (0..class_of.len())
            .filter(|&i| class_of[i] == Some(c))
            .collect();
        rows.shuffle(&mut rng);
        let n_train = if c == SCARCE {
            SCARCE_TRAIN
        } else {
            TRAIN_PER_CLASS
        };
        for (k, &r) in rows.iter().enumerate() {
            if k < n_train {
                train_rows.push(r);
                train_classes.push(c);
            } else if k >= TRAIN_PER_CLASS {
                // The scarce class's unused training slots are dropped, so every class holds out
                // the same samples it would with a full training set.
                held_rows.push(r);
                held_classes.push(c);
            }
        }
    }
    // The most variable genes across the training samples.
    let train_all = logcpm.select(Axis(0), &train_rows);
    let var = train_all.var_axis(Axis(0), 1.0);
    let mut genes: Vec<usize> = (0..var.len()).collect();
    genes.sort_by(|&a, &b| var[b].total_cmp(&var[a]).then(a.cmp(&b)));
    genes.truncate(GENES);
    genes.sort_unstable();
    Problem {
        train: train_all.select(Axis(1), &genes),
        train_classes,
        heldout: logcpm.select(Axis(0), &held_rows).select(Axis(1), &genes),
        heldout_classes: held_classes,
    }
}
