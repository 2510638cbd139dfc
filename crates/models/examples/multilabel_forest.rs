//! Multi-label forest at scale, and the joint-vs-per-label measurement of the crate docs.
//!
//! `cargo run --release -p rnameta-models --example multilabel_forest -- joint N P N_TISSUES [N_TREES]`
//! fits one [`MultiLabelForest`] on the first half of a synthetic tissue + cell-line problem and
//! prints fit time and test micro / macro F1; `per-label` fits one binary [`RandomForest`] per label
//! instead. Run under `/usr/bin/time -v` for peak memory.

use std::time::Instant;

use ndarray::{s, Array2};
use rnameta_core::{DataSource, Labels, SampleMeta};
use rnameta_models::metrics::multilabel_report;
use rnameta_models::synthetic::Synthetic;
use rnameta_models::{Classifier, ForestParams, LabelSets, MultiLabelForest, RandomForest};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let a: Vec<String> = std::env::args().skip(1).collect();
    if a.len() < 4 {
        return Err("usage: joint|per-label N P N_TISSUES [N_TREES]".into());
    }
    let (n, p, k): (usize, usize, usize) = (a[1].parse()?, a[2].parse()?, a[3].parse()?);
    let n_trees = a.get(4).map(|t| t.parse()).transpose()?.unwrap_or(100);
    let t = Instant::now();
    // Tissue i % k on the first p/10 genes; every 5th sample a cell line, +1.5 on the next 6 genes.
    let (mut x, y) = Synthetic {
        n_samples: n,
        n_features: p,
        n_classes: k,
        n_informative: p / 10,
        separation: 0.6,
        seed: 5,
    }
    .generate();
    let mut sets = Vec::with_capacity(n);
    for (i, &c) in y.iter().enumerate() {
        let mut l = vec![format!("tissue{c:02}")];
        if i % 5 == 0 {
            l.push("cell_line".to_owned());
            for j in p / 10..p / 10 + 6 {
                x[[i, j]] += 1.5;
            }
        }
        sets.push(l);
    }
    eprintln!("generated {n} x {p} in {:.1} s", t.elapsed().as_secs_f64());
    let h = n / 2;
    let meta: Vec<SampleMeta> = (0..h)
        .map(|i| SampleMeta::new(format!("s{i}"), DataSource::Archs4))
        .collect();
    let train = LabelSets::from_names(&sets[..h]);
    let test = LabelSets::with_labels(train.labels().to_vec(), &sets[h..])?;
    let params = ForestParams {
        n_trees,
        oob: false,
        ..ForestParams::default()
    };
    let t = Instant::now();
    let proba: Array2<f32> = if a[0] == "joint" {
        let mut f = MultiLabelForest::new(params).unwrap();
        f.fit(x.slice(s![..h, ..]), &train, &meta)?;
        eprintln!("fit {:.2} s", t.elapsed().as_secs_f64());
        f.predict_proba(x.slice(s![h.., ..]))?
    } else {
        let mut out = Array2::zeros((n - h, train.labels().len()));
        for (l, name) in train.labels().iter().enumerate() {
            let names: Vec<Option<&str>> = (0..h)
                .map(|i| {
                    Some(if train.sample_labels(i).contains(&l) {
                        "yes"
                    } else {
                        "no"
                    })
                })
                .collect();
            let labels = Labels::from_names(&names);
            let mut f = RandomForest::new(params.clone()).unwrap();
            f.fit(x.slice(s![..h, ..]), &labels, &meta)?;
            let yes = labels
                .class_index("yes")
                .ok_or(format!("{name} has no positive"))?;
            out.column_mut(l)
                .assign(&f.predict_proba(x.slice(s![h.., ..]))?.column(yes));
        }
        eprintln!("fit {:.2} s", t.elapsed().as_secs_f64());
        out
    };
    let total = t.elapsed().as_secs_f64();
    let r = multilabel_report(&test, proba.view(), train.labels(), 0.5, &[])?;
    let cl = r
        .per_label
        .iter()
        .find(|l| l.label == "cell_line")
        .expect("cell_line");
    println!(
        "{} n={n} p={p} labels={} fit+predict_s {total:.2} micro_f1 {:.4} macro_f1 {:.4} macro_auroc {:.4} cell_line_f1 {:.4}",
        a[0],
        train.labels().len(),
        r.micro_f1,
        r.macro_f1,
        r.macro_auroc.unwrap_or(f64::NAN),
        cl.f1
    );
    Ok(())
}
