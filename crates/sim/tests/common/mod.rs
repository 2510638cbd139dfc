//! Helpers shared by the simulator's integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

use rnameta_sim::{GeneUniverse, Preset, SimConfig, Simulator};

/// A fixture of the workspace.
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(name)
}

/// The simulator of `config`.
pub fn simulator(config: SimConfig) -> Simulator {
    let universe = GeneUniverse::from_ensembl(
        &rnameta_sim::universe::default_gene_table(),
        &config.universe,
    )
    .unwrap();
    Simulator::new(config, universe).unwrap()
}

/// The tiny preset with another seed.
pub fn tiny(seed: u64) -> SimConfig {
    let mut c = SimConfig::preset(Preset::Tiny);
    c.seed = seed;
    c
}

/// log2(1 + CPM) of a count row.
pub fn log_cpm(row: ndarray::ArrayView1<'_, f32>) -> Vec<f32> {
    let lib: f32 = row.sum().max(1.0);
    row.iter().map(|&v| (v / lib * 1e6 + 1.0).log2()).collect()
}

/// A nearest-centroid classifier on log-CPM rows.
pub struct NearestCentroid {
    pub classes: Vec<String>,
    pub centroids: Vec<Vec<f32>>,
    pub centre: Vec<f32>,
}

impl NearestCentroid {
    pub fn fit(rows: &[Vec<f32>], labels: &[String]) -> Self {
        let mut classes: Vec<String> = labels.to_vec();
        classes.sort();
        classes.dedup();
        let n = rows.first().map_or(0, Vec::len);
        let mut centroids = vec![vec![0f32; n]; classes.len()];
        let mut counts = vec![0f32; classes.len()];
        for (row, label) in rows.iter().zip(labels) {
            let k = classes.iter().position(|c| c == label).unwrap();
            counts[k] += 1.0;
            for (c, v) in centroids[k].iter_mut().zip(row) {
                *c += v;
            }
        }
        for (c, n) in centroids.iter_mut().zip(&counts) {
            c.iter_mut().for_each(|v| *v /= n);
        }
        // Centre on the mean of the class centroids, so that similarity measures direction.
        let mut centre = vec![0f32; n];
        for c in &centroids {
            for (m, v) in centre.iter_mut().zip(c) {
                *m += v / classes.len() as f32;
            }
        }
        for c in &mut centroids {
            for (v, m) in c.iter_mut().zip(&centre) {
                *v -= m;
            }
        }
        Self {
            classes,
            centroids,
            centre,
        }
    }

    /// The class whose centred centroid has the highest cosine similarity with the centred row.
    pub fn predict(&self, row: &[f32]) -> &str {
        self.predict_group(row).split('|').next().unwrap_or("")
    }

    /// The class (with its `|domain` suffix, if trained with one) of the most similar centroid.
    pub fn predict_group(&self, row: &[f32]) -> &str {
        let x: Vec<f32> = row.iter().zip(&self.centre).map(|(v, m)| v - m).collect();
        let cosine = |c: &Vec<f32>| {
            let dot: f32 = c.iter().zip(&x).map(|(a, b)| a * b).sum();
            let norm: f32 = c.iter().map(|a| a * a).sum::<f32>().sqrt()
                * x.iter().map(|a| a * a).sum::<f32>().sqrt();
            dot / norm.max(1e-12)
        };
        let best = (0..self.classes.len())
            .max_by(|&a, &b| cosine(&self.centroids[a]).total_cmp(&cosine(&self.centroids[b])))
            .unwrap();
        &self.classes[best]
    }

    pub fn accuracy(&self, rows: &[Vec<f32>], labels: &[String]) -> f64 {
        let hits = rows
            .iter()
            .zip(labels)
            .filter(|(r, l)| self.predict(r) == l.split('|').next().unwrap_or(""))
            .count();
        hits as f64 / rows.len().max(1) as f64
    }
}

/// k-nearest neighbours by cosine similarity of rows centred on `centre`, majority vote (ties to
/// the nearest).
pub fn knn_accuracy(
    train: &[Vec<f32>],
    labels: &[String],
    test: &[Vec<f32>],
    truth: &[String],
    k: usize,
    centre: &[f32],
) -> f64 {
    let unit = |r: &Vec<f32>| {
        let v: Vec<f32> = r.iter().zip(centre).map(|(a, m)| a - m).collect();
        let n = v.iter().map(|a| a * a).sum::<f32>().sqrt().max(1e-12);
        v.into_iter().map(|a| a / n).collect::<Vec<f32>>()
    };
    let train_u: Vec<Vec<f32>> = train.iter().map(unit).collect();
    let mut hits = 0;
    for (row, want) in test.iter().zip(truth) {
        let x = unit(row);
        let mut sims: Vec<(f32, usize)> = train_u
            .iter()
            .enumerate()
            .map(|(i, t)| (t.iter().zip(&x).map(|(a, b)| a * b).sum::<f32>(), i))
            .collect();
        sims.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut votes: Vec<(&str, usize)> = Vec::new();
        for &(_, i) in sims.iter().take(k) {
            let l = labels[i].as_str();
            match votes.iter_mut().find(|v| v.0 == l) {
                Some(v) => v.1 += 1,
                None => votes.push((l, 1)),
            }
        }
        let best = votes.iter().max_by_key(|v| v.1).map(|v| v.1).unwrap_or(0);
        let label = votes
            .iter()
            .find(|v| v.1 == best)
            .map(|v| v.0)
            .unwrap_or("");
        if label == want.as_str() {
            hits += 1;
        }
    }
    hits as f64 / test.len().max(1) as f64
}

/// Multinomial logistic regression by full-batch gradient descent (L2 penalty), on features
/// standardised with the training mean and sd; returns the accuracy on `test`.
pub fn logistic_accuracy(
    train: &[Vec<f32>],
    labels: &[String],
    test: &[Vec<f32>],
    truth: &[String],
    epochs: usize,
) -> f64 {
    use ndarray::{Array1, Array2, Axis};
    let mut classes: Vec<String> = labels.to_vec();
    classes.sort();
    classes.dedup();
    let (n, p, k) = (train.len(), train[0].len(), classes.len());
    let to_matrix = |rows: &[Vec<f32>]| Array2::from_shape_fn((rows.len(), p), |(i, j)| rows[i][j]);
    let mut x = to_matrix(train);
    let mean = x.mean_axis(Axis(0)).unwrap();
    let sd = x
        .std_axis(Axis(0), 0.0)
        .mapv(|s| if s > 1e-6 { s } else { 1.0 });
    x = (&x - &mean) / &sd;
    let mut y = Array2::<f32>::zeros((n, k));
    for (i, l) in labels.iter().enumerate() {
        y[[i, classes.iter().position(|c| c == l).unwrap()]] = 1.0;
    }
    let mut w = Array2::<f32>::zeros((p, k));
    let mut b = Array1::<f32>::zeros(k);
    let (lr, lambda) = (0.5f32, 1e-3f32);
    for _ in 0..epochs {
        let mut z = x.dot(&w) + &b;
        for mut row in z.rows_mut() {
            let m = row.fold(f32::NEG_INFINITY, |a, &v| a.max(v));
            row.mapv_inplace(|v| (v - m).exp());
            let s = row.sum();
            row /= s;
        }
        let diff = (z - &y) / n as f32;
        let grad = x.t().dot(&diff) + &(&w * lambda);
        w = w - grad * lr;
        b = b - diff.sum_axis(Axis(0)) * lr;
    }
    let xt = (to_matrix(test) - &mean) / &sd;
    let z = xt.dot(&w) + &b;
    let hits = z
        .rows()
        .into_iter()
        .zip(truth)
        .filter(|(row, t)| {
            let best = row
                .iter()
                .enumerate()
                .max_by(|a, b| a.1.total_cmp(b.1))
                .map(|(i, _)| i)
                .unwrap();
            classes[best] == **t
        })
        .count();
    hits as f64 / test.len().max(1) as f64
}
