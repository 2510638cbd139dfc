//! LIN against phenopredict's own R code (leekgroup/phenopredict at ab34f6c, sourced as is, with
//! limma 3.54.1 and quadprog 1.5.8 under R 4.2.2) on the same model input: the moderated t of every
//! gene and class, limma's variance prior, the genes and training accuracy of every candidate of
//! `optimize_numRegions`, the chosen number, the coefficients and every sample's weights and label.
//!
//! The numbers are in `fixtures/phenopredict/`, made by `fixtures/phenopredict/make_reference.R`
//! (its header says how to rerun it) on two problems: the real GEUVADIS sex data (two classes, so
//! least squares) and a seeded simulated five-class problem with held-out samples (non-negative
//! least squares, which phenopredict solves with `quadprog::solve.QP`).

use std::collections::BTreeMap;
use std::path::PathBuf;

use ndarray::{Array2, Axis};
use rnameta_core::{DataSource, Labels, SampleMeta};
use rnameta_io::tsv::{read_matrix, MatrixOptions};
use rnameta_models::lin::moderated_t::moderated_t;
use rnameta_models::{Classifier, GeneStatistic, Lin, LinParams};

fn reference(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/phenopredict")
        .join(name)
}

/// The rows of a reference TSV, header first, split on tabs.
fn table(name: &str) -> Vec<Vec<String>> {
    std::fs::read_to_string(reference(name))
        .unwrap()
        .lines()
        .map(|l| l.split('\t').map(str::to_owned).collect())
        .collect()
}

fn number(s: &str) -> f64 {
    s.parse()
        .unwrap_or_else(|e| panic!("{s:?} is not a number: {e}"))
}

/// One reference problem: model input (samples x genes), gene ids, sample ids, labels, and which
/// samples trained the R predictor.
struct Problem {
    name: &'static str,
    x: Array2<f32>,
    genes: Vec<String>,
    samples: Vec<String>,
    labels: Vec<String>,
    train: Vec<usize>,
}

impl Problem {
    fn load(name: &'static str) -> Self {
        let data = read_matrix(
            &reference(&format!("{name}_input.tsv.gz")),
            MatrixOptions::genes_in_rows(),
        )
        .unwrap();
        let rows = table(&format!("{name}_samples.tsv"));
        let samples: Vec<String> = data.samples().iter().map(|s| s.sample_id.clone()).collect();
        assert_eq!(rows.len() - 1, samples.len());
        let mut labels = Vec::new();
        let mut train = Vec::new();
        for (i, (row, id)) in rows[1..].iter().zip(&samples).enumerate() {
            assert_eq!(&row[0], id, "samples in the input's column order");
            labels.push(row[1].clone());
            if row[2] == "train" {
                train.push(i);
            }
        }
        Problem {
            name,
            genes: data.genes().ids().map(str::to_owned).collect(),
            x: data.counts().clone(),
            samples,
            labels,
            train,
        }
    }

    /// LIN with `params` fitted on the training samples.
    fn fit(&self, params: LinParams) -> (Lin, Labels) {
        let names: Vec<Option<&str>> = self
            .train
            .iter()
            .map(|&i| Some(self.labels[i].as_str()))
            .collect();
        let labels = Labels::from_names(&names);
        let x = self.x.select(Axis(0), &self.train);
        let meta: Vec<_> = self
            .train
            .iter()
            .map(|&i| SampleMeta::new(&self.samples[i], DataSource::Gtex))
            .collect();
        let mut lin = Lin::new(params).unwrap();
        lin.fit(x.view(), &labels, &meta).unwrap();
        (lin, labels)
    }

    fn gene_ids(&self, columns: &[usize]) -> Vec<String> {
        columns.iter().map(|&g| self.genes[g].clone()).collect()
    }
}

fn close(got: f64, want: f64, tol: f64, what: &str) {
    assert!(
        (got - want).abs() <= tol * want.abs().max(1.0),
        "{what}: got {got}, want {want}"
    );
}

/// limma's moderated t (one indicator column, no intercept, `eBayes`) of every gene and class,
/// its prior degrees of freedom and variance, and the `n - 1` residual degrees of freedom.
fn moderated_t_equals_limma(p: &Problem) {
    let x = p.x.select(Axis(0), &p.train);
    let mut want: BTreeMap<(String, String), f64> = BTreeMap::new();
    for row in &table(&format!("{}_t.tsv", p.name))[1..] {
        want.insert((row[0].clone(), row[1].clone()), number(&row[2]));
    }
    for row in &table(&format!("{}_prior.tsv", p.name))[1..] {
        let class = &row[0];
        let in_class: Vec<bool> = p.train.iter().map(|&i| &p.labels[i] == class).collect();
        let m = moderated_t(x.view(), &in_class, GeneStatistic::ClassMean).unwrap();
        close(m.df_residual, number(&row[3]), 0.0, "residual df");
        close(m.prior.df, number(&row[1]), 1e-9, "prior df");
        close(m.prior.var, number(&row[2]), 1e-9, "prior variance");
        for (gene, t) in p.genes.iter().zip(&m.t) {
            let want = want[&(class.clone(), gene.clone())];
            close(
                *t,
                want,
                1e-9,
                &format!("{} t of {gene} in {class}", p.name),
            );
        }
    }
}

/// `optimize_numRegions`: every candidate's selected genes and training accuracy, and the choice.
fn search_equals_phenopredict(p: &Problem, lin: &Lin) {
    let report = lin.report().unwrap();
    let rows = table(&format!("{}_search.tsv", p.name));
    assert_eq!(report.candidate_accuracy.len(), rows.len() - 1);
    for (row, &(n, accuracy)) in rows[1..].iter().zip(&report.candidate_accuracy) {
        assert_eq!(n.to_string(), row[0]);
        close(
            accuracy,
            number(&row[1]),
            1e-12,
            &format!("accuracy at N = {n}"),
        );
        if row[2] == "TRUE" {
            assert_eq!(report.genes_per_class, n, "the chosen N");
        }
        let (fixed, _) = p.fit(LinParams::fixed(n));
        let mut got = p.gene_ids(fixed.selected_genes().unwrap());
        got.sort();
        let mut want: Vec<String> = row[3].split(',').map(str::to_owned).collect();
        want.sort();
        assert_eq!(got, want, "{}: genes selected at N = {n}", p.name);
    }
}

/// `build_predictor`'s coefficients at the chosen N, and `projectCellType`'s weights and
/// `test_predictor`'s label of every sample (training and held out).
fn predictor_equals_phenopredict(p: &Problem, lin: &Lin, labels: &Labels) {
    let classes = labels.classes();
    let coef = lin.coefficients().unwrap();
    let selected = p.gene_ids(lin.selected_genes().unwrap());
    let rows = table(&format!("{}_coef.tsv", p.name));
    assert_eq!(rows.len() - 1, selected.len());
    let columns: Vec<usize> = rows[0][1..]
        .iter()
        .map(|c| labels.class_index(c).unwrap())
        .collect();
    for row in &rows[1..] {
        let g = selected.iter().position(|s| s == &row[0]).unwrap();
        for (value, &c) in row[1..].iter().zip(&columns) {
            close(coef[[g, c]], number(value), 1e-12, "coefficient");
        }
    }

    let weights = lin.weights(p.x.view()).unwrap();
    let assigned = lin.predict_assigned(p.x.view()).unwrap();
    let proba = lin.predict_proba(p.x.view()).unwrap();
    let predicted = rnameta_models::argmax_rows(&proba);
    let rows = table(&format!("{}_weights.tsv", p.name));
    let columns: Vec<usize> = rows[0][1..=classes.len()]
        .iter()
        .map(|c| labels.class_index(c).unwrap())
        .collect();
    for (i, row) in rows[1..].iter().enumerate() {
        assert_eq!(row[0], p.samples[i]);
        for (value, &c) in row[1..=classes.len()].iter().zip(&columns) {
            close(
                weights[[i, c]],
                number(value),
                1e-8,
                &format!("weight of {}", row[0]),
            );
        }
        let want = &row[classes.len() + 1];
        assert_eq!(
            assigned[i]
                .map(|c| classes[c].as_str())
                .unwrap_or("Unassigned"),
            want,
            "label of {}",
            row[0]
        );
        if want != "Unassigned" {
            assert_eq!(&classes[predicted[i]], want, "argmax of predict_proba");
        }
    }
}

#[test]
fn geuvadis_sex_equals_phenopredict() {
    let p = Problem::load("geuvadis_sex");
    let (lin, labels) = p.fit(LinParams::default());
    moderated_t_equals_limma(&p);
    search_equals_phenopredict(&p, &lin);
    predictor_equals_phenopredict(&p, &lin, &labels);
}

#[test]
fn simulated_tissue_equals_phenopredict() {
    let p = Problem::load("sim_tissue");
    let (lin, labels) = p.fit(LinParams::default());
    moderated_t_equals_limma(&p);
    search_equals_phenopredict(&p, &lin);
    predictor_equals_phenopredict(&p, &lin, &labels);
}

/// The statistic used before (in-class mean against out-of-class mean, `n - 2` degrees of freedom)
/// is not phenopredict's: on GEUVADIS sex its two classes rank the same genes (t of one class is
/// minus t of the other), so N = 10 selects 10 genes where phenopredict selects more.
#[test]
fn the_in_vs_rest_statistic_selects_other_genes() {
    let p = Problem::load("geuvadis_sex");
    assert_eq!(
        p.train.len(),
        p.samples.len(),
        "every GEUVADIS sample trains"
    );
    let fit = |statistic| {
        let (lin, _) = p.fit(LinParams {
            statistic,
            ..LinParams::fixed(10)
        });
        lin.selected_genes().unwrap().len()
    };
    let published = table("geuvadis_sex_search.tsv")[1][3].split(',').count();
    assert_eq!(fit(GeneStatistic::ClassMean), published);
    assert_eq!(fit(GeneStatistic::InVsRest), 10);
    assert!(published > 10, "phenopredict selected {published}");
}
