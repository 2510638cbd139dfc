//! The GAN with its default hyperparameters on a larger simulated problem (simulated data): the
//! simulator's tiny preset with SAMPLES GTEx samples (31 tissues), log2(CPM + 1), the GENES most
//! variable genes, 70% of each tissue for training except Brain (12 training samples). Prints
//! the loss curve, the time per epoch and the quality of Brain and two common tissues: the
//! default-hyperparameter numbers in `docs/augment.md`.
//!
//! `cargo run -p rnameta-augment --example gan_scale -- [SAMPLES] [GENES] [EPOCHS] [LR] [BALANCED]`

use std::time::Instant;

use ndarray::{Array2, Axis};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rnameta_augment::{quality, Augmenter, Gan, GanParams};
use rnameta_core::{Labels, Task};
use rnameta_sim::{GeneUniverse, Preset, SimConfig, Simulator};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let arg = |i: usize, d: &str| args.get(i).cloned().unwrap_or_else(|| d.to_owned());
    let samples: usize = arg(1, "2000").parse()?;
    let n_genes: usize = arg(2, "1000").parse()?;
    let epochs: usize = arg(3, "100").parse()?;
    let lr: f32 = arg(4, "1e-4").parse()?;
    let balanced: bool = arg(5, "true").parse()?;

    let mut config = SimConfig::preset(Preset::Tiny);
    config.gtex.samples = samples;
    let universe = GeneUniverse::from_ensembl(
        &rnameta_sim::universe::default_gene_table(),
        &config.universe,
    )?;
    let gtex = Simulator::new(config, universe)?.gtex()?.dataset;
    let labels = Labels::for_task(Task::Tissue, gtex.samples());
    let mut x = gtex.counts().to_owned();
    for mut row in x.outer_iter_mut() {
        let lib: f32 = row.sum().max(1.0);
        row.mapv_inplace(|v| (v / lib * 1e6 + 1.0).log2());
    }
    let brain = labels.class_index("Brain").expect("Brain is simulated");
    let k = labels.classes().len();
    let mut rng = ChaCha8Rng::seed_from_u64(42);
    let (mut train, mut train_y, mut held, mut held_y) = (vec![], vec![], vec![], vec![]);
    for c in 0..k {
        let mut rows: Vec<usize> = (0..x.nrows())
            .filter(|&i| labels.assigned()[i] == Some(c))
            .collect();
        rows.shuffle(&mut rng);
        let n_train = rows.len() * 7 / 10;
        for (j, &r) in rows.iter().enumerate() {
            if j < n_train {
                if c != brain || j < 12 {
                    train.push(r);
                    train_y.push(c);
                }
            } else {
                held.push(r);
                held_y.push(c);
            }
        }
    }
    let xt = x.select(Axis(0), &train);
    let var = xt.var_axis(Axis(0), 1.0);
    let mut genes: Vec<usize> = (0..var.len()).collect();
    genes.sort_by(|&a, &b| var[b].total_cmp(&var[a]));
    genes.truncate(n_genes);
    genes.sort_unstable();
    let xt = xt.select(Axis(1), &genes);
    let xh = x.select(Axis(0), &held).select(Axis(1), &genes);
    println!("train {:?}, held out {:?}, {k} classes", xt.dim(), xh.dim());

    let params = GanParams {
        epochs,
        learning_rate: lr,
        class_balanced: balanced,
        seed: 1,
        ..GanParams::default()
    };
    let start = Instant::now();
    let mut gan = Gan::new(params);
    let report = gan.fit(xt.view(), &train_y, k)?;
    let g = report.gan.as_ref().expect("GAN report");
    println!(
        "fit {:.1} s ({:.2} s/epoch, {} iterations/epoch), threads {}",
        start.elapsed().as_secs_f64(),
        report.seconds / epochs as f64,
        g.iterations_per_epoch,
        rayon::current_num_threads()
    );
    for e in g
        .epochs
        .iter()
        .filter(|e| e.epoch % (epochs / 10).max(1) == 0 || e.epoch == 1)
    {
        println!(
            "epoch {:4} critic {:8.3} gen {:8.3} gp {:6.3} W {:7.3} |g| {:5.2} {:7.1}s",
            e.epoch,
            e.critic_loss,
            e.generator_loss,
            e.gradient_penalty,
            e.wasserstein,
            e.gradient_norm,
            e.seconds
        );
    }
    let of = |m: &Array2<f32>, y: &[usize], c: usize| {
        let rows: Vec<usize> = (0..y.len()).filter(|&i| y[i] == c).collect();
        m.select(Axis(0), &rows)
    };
    for name in ["Brain", "Lung", "Liver"] {
        let c = labels.class_index(name).expect("simulated tissue");
        let generated = gan.generate(c, 60, 7)?;
        let others: Vec<Array2<f32>> = (0..k)
            .filter(|&o| o != c)
            .map(|o| of(&xh, &held_y, o))
            .collect();
        let views: Vec<_> = others.iter().map(|o| o.view()).collect();
        let t = Instant::now();
        let q = quality(
            generated.view(),
            of(&xh, &held_y, c).view(),
            of(&xt, &train_y, c).view(),
            &views,
            3,
        )?;
        let min_other = q
            .mmd2_other_classes
            .iter()
            .copied()
            .fold(f64::INFINITY, f64::min);
        println!(
            "{name:6} train {:3} held {:3}: MMD2 {:.4} (train {:.4}), nearest other {:.4}, own closest {} | mean r {:.3} var r {:.3} | C2ST AUC {:.3} (train {:.3}) | NN ratio {:.2} | quality {:.1} s",
            q.n_train, q.n_heldout, q.mmd2, q.mmd2_train_vs_heldout.unwrap_or(f64::NAN), min_other,
            q.closest_to_own_class, q.mean_correlation, q.variance_correlation, q.c2st_auc,
            q.c2st_auc_train_vs_heldout.unwrap_or(f64::NAN), q.nn_ratio, t.elapsed().as_secs_f64()
        );
    }
    Ok(())
}
