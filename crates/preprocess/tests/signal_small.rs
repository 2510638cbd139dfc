//! The ARCHS4 signal ranking on real cohorts smaller than its 100-sample neighbourhood: GTEx lung
//! chr21 (30 samples x 818 genes) and Marioni kidney / liver (10 lanes x 5,088 genes), normalised
//! as `rnameta rank-genes` does without gene lengths (ln(1+x), quantile normalisation).

use std::path::Path;

use rnameta_core::Dataset;
use rnameta_io::tsv::{read_matrix, MatrixOptions};
use rnameta_preprocess::signal::{
    signal_ranking, signal_ranking_against_counts, SignalOptions, SignalRow,
};
use rnameta_preprocess::{Pipeline, Step};

const LUNG: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/real/gtex_lung30_chr21_counts.tsv.gz"
);
const MARIONI: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/real/marioni_kidney_liver_counts.tsv.gz"
);

/// The counts of a fixture and their ln(1+x), quantile-normalised values.
fn counts_and_normalised(path: &str) -> (Dataset, Dataset) {
    let counts = read_matrix(Path::new(path), MatrixOptions::genes_in_rows()).unwrap();
    let normalised = Pipeline::new(vec![Step::Ln1p, Step::Quantile])
        .fit(&counts)
        .unwrap()
        .transform(&counts)
        .unwrap();
    (counts, normalised)
}

/// With the default 100 neighbours and 30 (or 10) samples, every gene's neighbourhood was every
/// sample, so every gene got the same mean cosine (0.974621 on lung) and the ranking was file
/// order. The capped neighbourhood must tell genes apart: many distinct mean cosines (on Marioni's
/// 10 lanes a neighbourhood is one pair, so at most 45 values; 45 are seen).
#[test]
fn mean_cosine_differs_between_genes_on_small_cohorts() {
    for path in [LUNG, MARIONI] {
        let (_, normalised) = counts_and_normalised(path);
        let rows = signal_ranking(&normalised, SignalOptions::default()).unwrap();
        let mut distinct: Vec<f64> = rows.iter().map(|r| r.mean_cosine).collect();
        distinct.sort_by(f64::total_cmp);
        distinct.dedup_by(|a, b| (*a - *b).abs() < 1e-9);
        assert!(
            distinct.len() >= 10,
            "{path}: only {} distinct mean cosines over {} genes",
            distinct.len(),
            rows.len()
        );
    }
}

/// The measure recomputed the plain way, in f64 with loops: for each gene, the percentile of its
/// values (numpy's linear interpolation, reported as the `f32` the library reports and selects by),
/// the `k` samples closest to it (ties to the lower sample index), the mean cosine over every pair
/// of them from the raw rows, and whether the same percentile of the gene's counts lies above the
/// counts' minimum. Returned in ranking order: informative genes first, then by mean cosine
/// (highest first), then by column.
struct Independent {
    gene: usize,
    percentile_value: f32,
    mean_cosine: f64,
    informative: bool,
}

fn percentile(mut values: Vec<f64>, p: f64) -> f64 {
    values.sort_by(f64::total_cmp);
    let h = (values.len() - 1) as f64 * p / 100.0;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(values.len() - 1);
    values[lo] + (h - lo as f64) * (values[hi] - values[lo])
}

fn independent_ranking(values: &Dataset, counts: &Dataset, p: f64, k: usize) -> Vec<Independent> {
    let x = values.counts();
    let c = counts.counts();
    let (n, genes) = x.dim();
    let norm: Vec<f64> = (0..n)
        .map(|i| {
            let mut s = 0.0;
            for g in 0..genes {
                s += f64::from(x[[i, g]]) * f64::from(x[[i, g]]);
            }
            s.sqrt()
        })
        .collect();
    let cosine = |a: usize, b: usize| -> f64 {
        if norm[a] == 0.0 || norm[b] == 0.0 {
            return 0.0;
        }
        let mut dot = 0.0;
        for g in 0..genes {
            dot += f64::from(x[[a, g]]) * f64::from(x[[b, g]]);
        }
        dot / (norm[a] * norm[b])
    };
    let mut out = Vec::with_capacity(genes);
    for g in 0..genes {
        let column: Vec<f64> = (0..n).map(|i| f64::from(x[[i, g]])).collect();
        let value = percentile(column.clone(), p) as f32;
        let mut by_distance: Vec<usize> = (0..n).collect();
        by_distance.sort_by(|&a, &b| {
            (column[a] - f64::from(value))
                .abs()
                .total_cmp(&(column[b] - f64::from(value)).abs())
                .then(a.cmp(&b))
        });
        let chosen = &mut by_distance[..k];
        chosen.sort_unstable();
        let (mut sum, mut pairs) = (0.0, 0usize);
        for (ia, &a) in chosen.iter().enumerate() {
            for &b in &chosen[ia + 1..] {
                sum += cosine(a, b);
                pairs += 1;
            }
        }
        let gene_counts: Vec<f64> = (0..n).map(|i| f64::from(c[[i, g]])).collect();
        let floor = gene_counts.iter().copied().fold(f64::INFINITY, f64::min);
        out.push(Independent {
            gene: g,
            percentile_value: value,
            mean_cosine: sum / pairs as f64,
            informative: percentile(gene_counts, p) > floor,
        });
    }
    out.sort_by(|a, b| {
        b.informative
            .cmp(&a.informative)
            .then(b.mean_cosine.total_cmp(&a.mean_cosine))
            .then(a.gene.cmp(&b.gene))
    });
    out
}

/// Compares the library's ranking with the independent one gene by gene and rank by rank; gives
/// how many genes are informative.
fn compare(
    path: &str,
    rows: &[SignalRow],
    normalised: &Dataset,
    expected: &[Independent],
) -> usize {
    assert_eq!(rows.len(), expected.len(), "{path}");
    for (rank, (row, want)) in rows.iter().zip(expected).enumerate() {
        let id = &normalised.genes().genes()[want.gene].id;
        assert_eq!(&row.gene_id, id, "{path}: rank {} differs", rank + 1);
        assert_eq!(row.rank, rank + 1);
        assert_eq!(row.percentile_value, want.percentile_value, "{path}: {id}");
        assert!(
            (row.mean_cosine - want.mean_cosine).abs() < 1e-6,
            "{path}: {id}: {} vs {}",
            row.mean_cosine,
            want.mean_cosine
        );
        assert_eq!(row.informative, want.informative, "{path}: {id}");
    }
    rows.iter().filter(|r| r.informative).count()
}

/// The default options on 30 and 10 samples: the neighbourhood is capped at a quarter of the
/// samples (7 and 2) and the ranking, its values and its order equal the independent computation.
/// The floor is judged on the counts: on lung, 287 of the 818 genes have no reads in at least 29
/// of the 30 samples (counted by hand with python over the raw table) and rank last; Marioni's
/// table has no such gene.
#[test]
fn ranking_equals_an_independent_computation_on_real_cohorts() {
    for (path, samples, k, informative) in [(LUNG, 30, 7, 818 - 287), (MARIONI, 10, 2, 5088)] {
        let (counts, normalised) = counts_and_normalised(path);
        let options = SignalOptions::default();
        let neighbourhood = options.neighbourhood(normalised.n_samples()).unwrap();
        assert_eq!(neighbourhood.samples, samples);
        assert_eq!((neighbourhood.requested, neighbourhood.used), (100, k));
        assert!(neighbourhood.is_capped());
        let rows = signal_ranking_against_counts(&normalised, &counts, options).unwrap();
        let expected = independent_ranking(&normalised, &counts, 95.0, k);
        assert_eq!(
            compare(path, &rows, &normalised, &expected),
            informative,
            "{path}"
        );
    }
}

/// `--neighbours 1000000` is capped like the default, to the same ranking.
#[test]
fn a_huge_neighbourhood_is_capped_to_the_same_ranking() {
    let (counts, normalised) = counts_and_normalised(LUNG);
    let huge = SignalOptions {
        neighbours: 1_000_000,
        ..SignalOptions::default()
    };
    assert_eq!(huge.neighbourhood(30).unwrap().used, 7);
    assert_eq!(
        signal_ranking_against_counts(&normalised, &counts, huge).unwrap(),
        signal_ranking_against_counts(&normalised, &counts, SignalOptions::default()).unwrap()
    );
}

/// Quantile normalisation gives each sample's zeros their own value, so judged on the normalised
/// values every lung gene, the 222 without a single read included, looked expressed; judged on
/// the counts, those 222 are at their floor.
#[test]
fn genes_without_reads_are_not_informative_after_quantile_normalisation() {
    let (counts, normalised) = counts_and_normalised(LUNG);
    let silent: Vec<&str> = (0..counts.n_genes())
        .filter(|&g| counts.counts().column(g).iter().all(|&v| v == 0.0))
        .map(|g| counts.genes().genes()[g].id.as_str())
        .collect();
    assert_eq!(silent.len(), 222);
    let on_values = signal_ranking(&normalised, SignalOptions::default()).unwrap();
    assert!(on_values.iter().all(|r| r.informative));
    let on_counts =
        signal_ranking_against_counts(&normalised, &counts, SignalOptions::default()).unwrap();
    for row in &on_counts {
        if silent.contains(&row.gene_id.as_str()) {
            assert!(!row.informative, "{} has no reads", row.gene_id);
        }
    }
}

/// Fewer than 8 samples cannot hold a neighbourhood of 2 that is at most a quarter of them: the
/// ranking is refused with the number needed, not computed over every sample.
#[test]
fn too_few_samples_are_refused() {
    let (counts, normalised) = counts_and_normalised(MARIONI);
    let seven: Vec<usize> = (0..7).collect();
    let small = normalised.select_samples(&seven).unwrap();
    let small_counts = counts.select_samples(&seven).unwrap();
    let err = signal_ranking_against_counts(&small, &small_counts, SignalOptions::default())
        .unwrap_err()
        .to_string();
    assert!(err.contains("needs at least 8 samples, got 7"), "{err}");
}
