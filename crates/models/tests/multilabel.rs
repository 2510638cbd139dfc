//! Multi-label forest: tissue and cell-line labels at once, per-label F1, a label absent from
//! training reported (not dropped), save / load.

use ndarray::{s, Array2};
use rnameta_core::{DataSource, SampleMeta};
use rnameta_models::metrics::multilabel_report;
use rnameta_models::synthetic::{normal, Synthetic};
use rnameta_models::{
    BundleHeader, Error, ForestParams, LabelSets, LoadBundle, MultiLabelForest, SaveBundle,
};

const TISSUES: [&str; 6] = ["blood", "brain", "colon", "liver", "lung", "skin"];

/// 3,000 samples x 60 genes. Sample `i` has tissue `i % 6` (tissue programs on genes 0..30, as
/// `Synthetic`), and is a cell line when `i % 5 == 0`: cell lines get +1.5 on genes 30..36 (a
/// proliferation-like program). Labels: its tissue, plus "cell_line" for cell lines.
fn problem() -> (Array2<f32>, Vec<Vec<String>>) {
    let (mut x, y) = Synthetic {
        n_samples: 3000,
        n_features: 60,
        n_classes: 6,
        n_informative: 30,
        separation: 0.6,
        seed: 5,
    }
    .generate();
    let mut sets = Vec::new();
    for (i, &t) in y.iter().enumerate() {
        let mut labels = vec![TISSUES[t].to_owned()];
        if i % 5 == 0 {
            labels.push("cell_line".to_owned());
            for j in 30..36 {
                x[[i, j]] += 1.5 + 0.1 * normal(5, 3, i as u64, j as u64) as f32;
            }
        }
        sets.push(labels);
    }
    (x, sets)
}

fn meta(n: usize) -> Vec<SampleMeta> {
    (0..n)
        .map(|i| SampleMeta::new(format!("s{i}"), DataSource::Archs4))
        .collect()
}

#[test]
fn tissue_and_cell_line_at_once_with_an_absent_label_reported() {
    let (x, sets) = problem();
    let all_labels: Vec<String> = {
        let mut l: Vec<String> = TISSUES.iter().map(|s| s.to_string()).collect();
        l.push("cell_line".into());
        l.sort();
        l
    };
    // Training: the first 2,000 samples without any liver sample (liver is absent from training).
    let train_rows: Vec<usize> = (0..2000).filter(|i| i % 6 != 3).collect();
    let train_x = x.select(ndarray::Axis(0), &train_rows);
    let train_sets: Vec<Vec<String>> = train_rows.iter().map(|&i| sets[i].clone()).collect();
    let train = LabelSets::with_labels(all_labels.clone(), &train_sets).unwrap();
    let mut forest = MultiLabelForest::new(ForestParams {
        n_trees: 60,
        seed: 3,
        ..ForestParams::default()
    })
    .unwrap();
    forest
        .fit(train_x.view(), &train, &meta(train_rows.len()))
        .unwrap();
    let report = forest.report().unwrap().clone();
    assert_eq!(report.labels_without_positives, ["liver"]);
    assert_eq!(forest.labels(), all_labels.as_slice());

    let test_x = x.slice(s![2000.., ..]);
    let test = LabelSets::with_labels(all_labels.clone(), &sets[2000..]).unwrap();
    let proba = forest.predict_proba(test_x).unwrap();
    // Never-seen labels are predicted with probability exactly 0.
    let liver = all_labels.iter().position(|l| l == "liver").unwrap();
    assert!(proba.column(liver).iter().all(|&v| v == 0.0));
    let r = multilabel_report(
        &test,
        proba.view(),
        forest.labels(),
        0.5,
        &report.labels_without_positives,
    )
    .unwrap();
    for l in &r.per_label {
        eprintln!(
            "{:10} support {:4} P {:.3} R {:.3} F1 {:.3} AUROC {:?}",
            l.label, l.support, l.precision, l.recall, l.f1, l.auroc
        );
    }
    eprintln!("micro F1 {:.3} macro F1 {:.3}", r.micro_f1, r.macro_f1);
    // Every label is reported, the absent one included (F1 0 with its 167 test positives).
    assert_eq!(r.per_label.len(), 7);
    let liver_scores = &r.per_label[liver];
    assert_eq!(liver_scores.support, 167);
    assert_eq!(liver_scores.f1, 0.0);
    assert_eq!(r.labels_without_training_positives, ["liver"]);
    // Measured (seed 3): cell_line P 0.989 R 0.430 F1 0.599 AUROC 0.978; tissues F1 0.75-0.90,
    // AUROC 0.984-0.991; micro F1 0.729. Forest probabilities of a 20 % label are shrunk toward the
    // base rate, so recall at 0.5 is lower than the ranking (AUROC) suggests; over forest seeds 3-10
    // the cell-line F1 at 0.5 is 0.60-0.67 (AUROC 0.973-0.979). With 256-bin histogram splits
    // (before exact splits) it was 0.61-0.75 at the same AUROC (0.973-0.980), tissue F1 lower.
    let cl = &r.per_label[all_labels.iter().position(|l| l == "cell_line").unwrap()];
    assert!(cl.f1 > 0.55 && cl.precision > 0.95, "cell_line {cl:?}");
    assert!(cl.auroc.unwrap() > 0.95, "cell_line {cl:?}");
    for l in r
        .per_label
        .iter()
        .filter(|l| l.label != "liver" && l.label != "cell_line")
    {
        assert!(l.f1 > 0.65, "{} F1 {}", l.label, l.f1);
        assert!(l.auroc.unwrap() > 0.97, "{} AUROC {:?}", l.label, l.auroc);
    }
    // OOB label accuracy is computed over the training samples.
    assert!(report.oob_score.unwrap() > 0.85);

    // Save -> load -> identical probabilities.
    let dir = tempfile::tempdir().unwrap();
    let header = BundleHeader {
        task: None,
        gene_ids: (0..60).map(|j| format!("ENSG{j:011}")).collect(),
        ..Default::default()
    };
    forest.save(dir.path(), &header).unwrap();
    let back = MultiLabelForest::load(dir.path()).unwrap();
    let again = back.predict_proba(test_x).unwrap();
    assert!(proba
        .iter()
        .zip(again.iter())
        .all(|(a, b)| a.to_bits() == b.to_bits()));
    assert_eq!(back.report().unwrap(), &report);
    // A multi-label bundle is not a single-label classifier.
    assert!(matches!(
        rnameta_models::bundle::load_classifier(dir.path()),
        Err(Error::WrongModelKind { .. })
    ));
}

#[test]
fn a_label_outside_the_list_is_a_typed_error() {
    let err =
        LabelSets::with_labels(vec!["lung".into()], &[vec!["lung"], vec!["kidney"]]).unwrap_err();
    assert!(matches!(err, Error::UnknownLabel { ref name, .. } if name == "kidney"));
}
