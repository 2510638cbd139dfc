//! LIN (phenopredict's linear predictor): NNLS and moderated t against scipy / numpy numbers, and
//! end-to-end behaviour on seeded synthetic problems.
//!
//! Reference numbers come from one script (scipy 1.17.1, numpy, in `/tmp/lin-venv`),
//! `/tmp/lin-venv/bin/python ref.py`, whose relevant lines are quoted next to each test.

use ndarray::{array, s, Array2, Axis};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rnameta_core::{DataSource, Labels, SampleMeta};
use rnameta_models::bundle::{load_classifier, read_manifest};
use rnameta_models::lin::moderated_t::{fit_f_dist, moderated_t};
use rnameta_models::lin::nnls::{least_squares, nnls};
use rnameta_models::lin::special::{digamma, tetragamma, trigamma, trigamma_inverse};
use rnameta_models::{
    is_unassigned, BundleHeader, Classifier, Error, GeneStatistic, Lin, LinParams, LoadBundle,
    Projection, SaveBundle,
};

fn close(got: f64, want: f64, tol: f64, what: &str) {
    assert!(
        (got - want).abs() <= tol * want.abs().max(1.0),
        "{what}: got {got}, want {want}"
    );
}

#[test]
fn nnls_matches_scipy_when_unconstrained_solution_is_positive() {
    // By hand: A^T A = [[2,1],[1,2]], A^T b = [4,5], solution (1/3)[[2,-1],[-1,2]] [4,5] = [1,2].
    // scipy: nnls([[1,0],[0,1],[1,1]], [1,2,3]) -> (array([1., 2.]), 8.9e-16)
    let a = array![[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]];
    let b = array![1.0, 2.0, 3.0];
    let w = nnls(a.view(), b.view()).unwrap();
    close(w[0], 1.0, 1e-12, "w0");
    close(w[1], 2.0, 1e-12, "w1");
}

#[test]
fn nnls_matches_scipy_when_unconstrained_solution_is_negative() {
    // A = [[1,2,0],[3,1,1],[0,2,4],[1,1,1]], b = [3,1,-2,1]
    // np.linalg.lstsq(A, b) -> [ 0.304347826087  1.391304347826 -1.173913043478]
    // scipy.optimize.nnls(A, b) -> (array([0.621621621622, 0.027027027027, 0.]), 3.246619863880054)
    let a = array![
        [1.0, 2.0, 0.0],
        [3.0, 1.0, 1.0],
        [0.0, 2.0, 4.0],
        [1.0, 1.0, 1.0]
    ];
    let b = array![3.0, 1.0, -2.0, 1.0];
    let ls = least_squares(a.view(), b.view()).unwrap();
    for (got, want) in ls
        .iter()
        .zip([0.304347826087, 1.391304347826, -1.173913043478])
    {
        close(*got, want, 1e-10, "least squares");
    }
    let w = nnls(a.view(), b.view()).unwrap();
    for (got, want) in w.iter().zip([0.621621621622, 0.027027027027, 0.0]) {
        close(*got, want, 1e-10, "nnls");
    }
    let resid = (&b - &a.dot(&w)).mapv(|v| v * v).sum().sqrt();
    close(resid, 3.246619863880054, 1e-10, "residual norm");
}

#[test]
fn nnls_is_zero_when_no_column_helps() {
    // b is anti-aligned with every column: A^T b < 0, so w = 0 (by hand).
    let a = array![[1.0, 0.5], [0.0, 1.0]];
    let b = array![-1.0, -2.0];
    let w = nnls(a.view(), b.view()).unwrap();
    assert_eq!(w.to_vec(), vec![0.0, 0.0]);
    assert!(matches!(
        nnls(a.view(), array![1.0].view()),
        Err(Error::ShapeMismatch { .. })
    ));
}

#[test]
fn polygamma_functions_match_scipy() {
    // digamma(0.3), polygamma(1, 0.3), polygamma(2, 0.3), digamma(17.5), polygamma(1, 17.5),
    // polygamma(2, 17.5), limma-style trigammaInverse(0.7) by Newton with scipy's polygamma ->
    // -3.502524222200133 12.245364546107734 -75.27253658872601 2.8333574322286843
    // 0.058806588095783506 -0.0034572203720343105 1.8741947852056653
    close(digamma(0.3), -3.502524222200133, 1e-13, "digamma(0.3)");
    close(trigamma(0.3), 12.245364546107734, 1e-13, "trigamma(0.3)");
    close(
        tetragamma(0.3),
        -75.27253658872601,
        1e-13,
        "tetragamma(0.3)",
    );
    close(digamma(17.5), 2.8333574322286843, 1e-13, "digamma(17.5)");
    close(
        trigamma(17.5),
        0.058806588095783506,
        1e-13,
        "trigamma(17.5)",
    );
    close(
        tetragamma(17.5),
        -0.0034572203720343105,
        1e-12,
        "tetragamma(17.5)",
    );
    close(
        trigamma_inverse(0.7),
        1.8741947852056653,
        1e-10,
        "trigammaInverse(0.7)",
    );
    close(trigamma(trigamma_inverse(0.7)), 0.7, 1e-8, "round trip");
}

#[test]
fn moderated_t_matches_limma_formulas_in_numpy() {
    // X (8 samples x 6 genes, as float32) below, indicator [1,1,1,0,0,0,0,0], d = 6:
    // mi, mo = X[ind].mean(0), X[~ind].mean(0); s2 = (pooled RSS) / 6
    // m = median(s2); e = log(max(s2, 1e-5 m)) - digamma(3) + log(3)
    // evar = var(e, ddof=1) - polygamma(1, 3) -> 0.24845881393650554 (> 0, so d0 finite)
    // d0 = 2 trigammaInverse(evar); s0sq = exp(mean(e) + digamma(d0/2) - log(d0/2))
    // post = (d0 s0sq + 6 s2) / (d0 + 6); t = (mi - mo) / sqrt(post (1/3 + 1/5))
    // -> s2 [0.065777761459 0.229777797805 0.241111064487
    //        0.02911111678 0.079999990463 0.087999996314]
    //    d0 9.008661042612154, s0sq 0.10121619230461189
    //    t [5.816816366754 -0.794502081273 0.460568541515
    //       -0.237501163019 4.046897458103 -0.530515972856]
    let x: Array2<f32> = array![
        [5.1, 2.0, 7.3, 1.0, 3.3, 0.2],
        [4.8, 2.4, 7.9, 1.1, 3.0, 0.9],
        [5.5, 1.7, 6.8, 0.7, 3.6, 0.1],
        [3.9, 2.2, 7.1, 1.0, 2.1, 0.5],
        [4.1, 2.9, 7.7, 0.9, 2.5, 0.3],
        [3.6, 2.1, 6.5, 1.2, 2.2, 0.8],
        [4.0, 1.5, 7.2, 1.0, 2.8, 0.4],
        [3.8, 2.6, 7.5, 0.8, 2.4, 0.6]
    ];
    let ind = [true, true, true, false, false, false, false, false];
    let m = moderated_t(x.view(), &ind, GeneStatistic::InVsRest).unwrap();
    assert_eq!(m.df_residual, 6.0);
    let s2 = [
        0.065777761459,
        0.229777797805,
        0.241111064487,
        0.02911111678,
        0.079999990463,
        0.087999996314,
    ];
    for (got, want) in m.s2.iter().zip(s2) {
        close(*got, want, 1e-10, "s2");
    }
    close(m.prior.df, 9.008661042612154, 1e-8, "d0");
    close(m.prior.var, 0.10121619230461189, 1e-9, "s0^2");
    let t = [
        5.816816366754,
        -0.794502081273,
        0.460568541515,
        -0.237501163019,
        4.046897458103,
        -0.530515972856,
    ];
    for (got, want) in m.t.iter().zip(t) {
        close(*got, want, 1e-9, "t");
    }
}

#[test]
fn equal_variances_give_an_infinite_prior() {
    // All s2 equal: var(e) = 0 < trigamma(d/2), so d0 = inf and s0^2 = exp(mean(e)) =
    // 2 * exp(-digamma(2) + log 2) = 4 exp(-digamma(2)) -> numpy/scipy: 2.620879703264414
    let p = fit_f_dist(&[2.0; 5], 4.0);
    assert!(p.df.is_infinite());
    close(p.var, 2.620879703264414, 1e-13, "s0^2");
}

/// A tissue-like problem: `n` samples of `k` classes (round robin), `p` genes with a base level
/// in [2, 8), Gaussian noise of sd 1, and `markers` genes per class raised by `shift` in that class
/// (class c's markers are genes c * markers .. (c + 1) * markers).
fn tissue_like(
    n: usize,
    p: usize,
    k: usize,
    markers: usize,
    shift: f32,
    seed: u64,
) -> (Array2<f32>, Vec<usize>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let base: Vec<f32> = (0..p).map(|_| rng.random_range(2.0..8.0)).collect();
    let y: Vec<usize> = (0..n).map(|i| i % k).collect();
    let mut x = Array2::<f32>::zeros((n, p));
    for (i, &c) in y.iter().enumerate() {
        for g in 0..p {
            // Box-Muller.
            let (u1, u2): (f64, f64) = (rng.random::<f64>().max(1e-300), rng.random::<f64>());
            let z = ((-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()) as f32;
            let marker = g / markers == c;
            x[[i, g]] = base[g] + z + if marker { shift } else { 0.0 };
        }
    }
    (x, y)
}

fn labels_of(y: &[usize]) -> Labels {
    let names: Vec<Option<String>> = y.iter().map(|c| Some(format!("class{c}"))).collect();
    Labels::from_names(&names)
}

fn meta(n: usize) -> Vec<SampleMeta> {
    (0..n)
        .map(|i| SampleMeta::new(format!("s{i}"), DataSource::Gtex))
        .collect()
}

fn accuracy(pred: &[usize], y: &[usize]) -> f64 {
    pred.iter().zip(y).filter(|(a, b)| a == b).count() as f64 / y.len() as f64
}

#[test]
fn four_classes_reach_high_accuracy_and_round_trip() {
    // Markers raised by 1 sd only, so that the N search matters: at the time of writing the
    // training accuracies of N = 10..200 ran from 0.975 to 1.0 (N = 200 chosen, 375 genes) and the
    // test accuracy was 0.985.
    let (x, y) = tissue_like(800, 500, 4, 15, 1.0, 7);
    let (train, test) = (x.slice(s![..400, ..]), x.slice(s![400.., ..]));
    let mut m = Lin::new(LinParams::default()).unwrap();
    m.fit(train, &labels_of(&y[..400]), &meta(400)).unwrap();
    let r = m.report().unwrap().clone();
    assert_eq!(r.projection, Projection::NonNegative);
    // optimize_numRegions: the smallest candidate with the best training accuracy.
    assert_eq!(r.candidate_accuracy.len(), 8);
    let best = r.candidate_accuracy.iter().map(|c| c.1).fold(0.0, f64::max);
    let first_best = r.candidate_accuracy.iter().find(|c| c.1 == best).unwrap().0;
    assert_eq!(r.genes_per_class, first_best, "{r:?}");
    assert!(best >= 0.95, "{r:?}");
    let pred = m.predict(test).unwrap();
    let acc = accuracy(&pred, &y[400..]);
    assert!(acc >= 0.95, "test accuracy {acc}, {r:?}");
    let p = m.predict_proba(test).unwrap();
    for row in p.rows() {
        let s: f32 = row.sum();
        assert!(row.iter().all(|&v| v >= 0.0));
        assert!(is_unassigned(row) || (s - 1.0).abs() < 1e-5, "row sum {s}");
    }

    let dir = tempfile::tempdir().unwrap();
    let header = BundleHeader {
        task: None,
        gene_ids: (0..500).map(|g| format!("ENSG{g:011}")).collect(),
        ..Default::default()
    };
    m.save(dir.path(), &header).unwrap();
    let manifest = read_manifest(dir.path()).unwrap();
    assert_eq!(
        manifest.fit_report["genes_per_class"].as_u64(),
        Some(r.genes_per_class as u64)
    );
    let back = load_classifier(dir.path()).unwrap();
    assert_eq!(back.classes(), m.classes());
    assert_eq!(back.predict_proba(test).unwrap(), p);
    let direct = Lin::load(dir.path()).unwrap();
    assert_eq!(direct, m);
}

#[test]
fn fixed_n_selects_each_class_markers() {
    let (x, y) = tissue_like(400, 500, 4, 15, 3.0, 11);
    let mut m = Lin::new(LinParams::fixed(10)).unwrap();
    m.fit(x.view(), &labels_of(&y), &meta(400)).unwrap();
    let sel = m.selected_genes().unwrap();
    // Each class's 10 genes with the largest |t| are 10 of its own 15 markers (t about 26 vs
    // about 9 for another class's markers and about 1 for the rest), so 40 distinct marker genes.
    assert_eq!(sel.len(), 40, "{sel:?}");
    for c in 0..4 {
        let own = sel.iter().filter(|&&g| g / 15 == c).count();
        assert_eq!(own, 10, "class {c}: {sel:?}");
    }
    // Coefficients are class means: marker gene of class 0, class 0 column vs class 1 column.
    let coef = m.coefficients().unwrap();
    let g0 = sel[0];
    let mean_of = |c: usize| {
        let rows: Vec<usize> = (0..400).filter(|&i| y[i] == c).collect();
        x.select(Axis(0), &rows)
            .column(g0)
            .iter()
            .map(|&v| v as f64)
            .sum::<f64>()
            / 100.0
    };
    close(coef[[0, 0]], mean_of(0), 1e-9, "class 0 mean");
    close(coef[[0, 1]], mean_of(1), 1e-9, "class 1 mean");
}

#[test]
fn two_classes_use_plain_least_squares() {
    let (x, y) = tissue_like(400, 300, 2, 10, 2.0, 3);
    let (train, test) = (x.slice(s![..200, ..]), x.slice(s![200.., ..]));
    let mut m = Lin::new(LinParams::default()).unwrap();
    m.fit(train, &labels_of(&y[..200]), &meta(200)).unwrap();
    assert_eq!(m.report().unwrap().projection, Projection::LeastSquares);
    let acc = accuracy(&m.predict(test).unwrap(), &y[200..]);
    assert!(acc >= 0.95, "sex-like accuracy {acc}");
    // The weights are the unconstrained least-squares solution on the coefficient columns.
    let sel = m.selected_genes().unwrap().to_vec();
    let coef = m.coefficients().unwrap().clone();
    let w = m.weights(test).unwrap();
    for i in [0, 1, 57] {
        let b = ndarray::Array1::from_iter(sel.iter().map(|&g| test[[i, g]] as f64));
        let want = least_squares(coef.view(), b.view()).unwrap();
        close(w[[i, 0]], want[0], 1e-9, "w0");
        close(w[[i, 1]], want[1], 1e-9, "w1");
    }
}

#[test]
fn a_sample_with_no_positive_weight_is_unassigned() {
    let (x, y) = tissue_like(200, 100, 3, 10, 3.0, 5);
    let mut m = Lin::new(LinParams::fixed(10)).unwrap();
    m.fit(x.view(), &labels_of(&y), &meta(200)).unwrap();
    // A sample of all zeros has A^T b = 0: no class improves the fit, every weight stays 0.
    let mut q = x.slice(s![..2, ..]).to_owned();
    q.row_mut(1).fill(0.0);
    let p = m.predict_proba(q.view()).unwrap();
    assert!(!is_unassigned(p.row(0)));
    assert!(is_unassigned(p.row(1)));
    let assigned = m.predict_assigned(q.view()).unwrap();
    assert_eq!(assigned, vec![Some(y[0]), None]);
}

/// With two classes the weights are unconstrained: a sample whose weights are both negative gets
/// the class of the larger one (phenopredict's `which.highest`), with probability 1.
#[test]
fn two_negative_weights_take_the_larger_as_phenopredict_does() {
    let (x, y) = tissue_like(200, 60, 2, 10, 2.0, 7);
    let mut m = Lin::new(LinParams::fixed(10)).unwrap();
    m.fit(x.view(), &labels_of(&y), &meta(200)).unwrap();
    let sel = m.selected_genes().unwrap().to_vec();
    let coef = m.coefficients().unwrap().clone();
    // A sample equal to -(class 0 mean) - 0.5 (class 1 mean) on the selected genes has weights
    // (-1, -0.5) exactly.
    let mut q = Array2::<f32>::zeros((1, x.ncols()));
    for (i, &g) in sel.iter().enumerate() {
        q[[0, g]] = (-coef[[i, 0]] - 0.5 * coef[[i, 1]]) as f32;
    }
    let w = m.weights(q.view()).unwrap();
    close(w[[0, 0]], -1.0, 1e-5, "w0");
    close(w[[0, 1]], -0.5, 1e-5, "w1");
    assert_eq!(m.predict_assigned(q.view()).unwrap(), vec![Some(1)]);
    let p = m.predict_proba(q.view()).unwrap();
    assert_eq!(p.row(0).to_vec(), vec![0.0, 1.0]);
    assert!(!is_unassigned(p.row(0)));
}

#[test]
fn refuses_bad_input() {
    let (x, y) = tissue_like(60, 50, 3, 5, 3.0, 1);
    // A class with no training sample.
    let names: Vec<Option<String>> = y.iter().map(|c| Some(format!("class{c}"))).collect();
    let classes = vec![
        "class0".into(),
        "class1".into(),
        "class2".into(),
        "class9".into(),
    ];
    let labels = Labels::with_classes(classes, &names).unwrap();
    let err = Lin::new(LinParams::default())
        .unwrap()
        .fit(x.view(), &labels, &meta(60))
        .unwrap_err();
    assert!(matches!(err, Error::NotEnoughData { .. }), "{err}");
    // No candidate N, or N = 0.
    for bad in [vec![], vec![0, 10]] {
        // Refused when the model is built, before any data is seen.
        let err = Lin::new(LinParams {
            genes_per_class: bad,
            ..LinParams::default()
        })
        .unwrap_err();
        assert!(matches!(err, Error::InvalidParameter { .. }), "{err}");
    }
    // Predicting before fitting, and with the wrong number of genes.
    assert!(matches!(
        Lin::new(LinParams::default())
            .unwrap()
            .predict_proba(x.view()),
        Err(Error::NotFitted)
    ));
    let mut m = Lin::new(LinParams::fixed(5)).unwrap();
    m.fit(x.view(), &labels_of(&y), &meta(60)).unwrap();
    assert!(matches!(
        m.predict_proba(x.slice(s![.., ..49])),
        Err(Error::ShapeMismatch { .. })
    ));
}
