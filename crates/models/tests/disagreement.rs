//! Labels that disagree with the expression (issue 20 item 5), on real data: a sex model trained
//! on the correct labels of half of the 85 GEUVADIS cell lines checks the other half against a
//! label table in which three sexes were flipped, and lists exactly those three, with Y-gene
//! levels that contradict the given label.

use std::path::PathBuf;

use rnameta_core::{Dataset, Labels, Sex, Task};
use rnameta_io::tsv::{apply_labels, read_label_table, read_matrix, MatrixOptions};
use rnameta_models::disagreement::{
    disagreements, DisagreementReport, DEFAULT_MIN_PROBABILITY, SEX_GENES,
};
use rnameta_models::{GeneChoice, LogisticParams, ModelSpec, TrainedModel};
use rnameta_preprocess::Pipeline;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/real")
        .join(name)
}

/// The GEUVADIS counts with their sex labels, genes annotated from Ensembl 100.
fn geuvadis() -> Dataset {
    let mut data = read_matrix(
        &fixture("geuvadis_humanGender_counts.tsv.gz"),
        MatrixOptions::genes_in_rows(),
    )
    .unwrap();
    let table = read_label_table(&fixture("geuvadis_humanGender_samples.tsv.gz")).unwrap();
    assert!(apply_labels(data.samples_mut(), &table)
        .missing_samples
        .is_empty());
    let ensembl =
        rnameta_io::annotation::read_gene_table(&fixture("ensembl100_grch38_genes.tsv.gz"))
            .unwrap();
    data.genes_mut().fill_from(&ensembl);
    data
}

/// The Y genes of [`SEX_GENES`] (every one is in the GEUVADIS matrix; XIST is not).
fn y_gene_ids() -> Vec<String> {
    SEX_GENES
        .iter()
        .filter(|g| g.chromosome == "Y")
        .map(|g| g.id.to_owned())
        .collect()
}

/// Even rows train, odd rows are checked.
fn halves(data: &Dataset) -> (Dataset, Dataset) {
    let train: Vec<usize> = (0..data.n_samples()).step_by(2).collect();
    let check: Vec<usize> = (1..data.n_samples()).step_by(2).collect();
    (
        data.select_samples(&train).unwrap(),
        data.select_samples(&check).unwrap(),
    )
}

fn sex_model(train: &Dataset, genes: GeneChoice) -> TrainedModel {
    TrainedModel::fit(
        &ModelSpec::Logistic(LogisticParams::default()),
        Task::Sex,
        &Pipeline::cpm_log2(),
        &genes,
        train,
        &Labels::for_task(Task::Sex, train.samples()),
    )
    .unwrap()
}

/// The check half with the sexes of `flipped` (sample ids) swapped and of `unlabelled` removed.
fn given_labels(check: &Dataset, flipped: &[&str], unlabelled: &[&str]) -> Labels {
    let names: Vec<Option<String>> = check
        .samples()
        .iter()
        .map(|s| {
            let truth = s.sex.expect("every GEUVADIS sample has a sex");
            if unlabelled.contains(&s.sample_id.as_str()) {
                None
            } else if flipped.contains(&s.sample_id.as_str()) {
                Some(
                    if truth == Sex::Female {
                        "male"
                    } else {
                        "female"
                    }
                    .to_owned(),
                )
            } else {
                Some(truth.as_str().to_owned())
            }
        })
        .collect();
    Labels::from_names(&names)
}

fn level(d: &rnameta_models::disagreement::Disagreement, symbol: &str) -> f32 {
    d.sex_genes
        .iter()
        .find(|g| g.symbol == symbol)
        .unwrap_or_else(|| panic!("{symbol} missing from the evidence of {}", d.sample_id))
        .log2_cpm_plus_1
}

fn print(report: &DisagreementReport) {
    eprintln!(
        "{} samples: {} agree, {} disagree, {} unlabelled, {} not confident (< {})",
        report.samples,
        report.agreed,
        report.disagreements.len(),
        report.unlabelled,
        report.not_confident,
        report.min_probability
    );
    for d in &report.disagreements {
        let levels: Vec<String> = d
            .sex_genes
            .iter()
            .map(|g| format!("{} {:.2}", g.symbol, g.log2_cpm_plus_1))
            .collect();
        eprintln!(
            "  {} given {} predicted {} p={:.4} p(given)={:.4} [{}]",
            d.sample_id,
            d.given,
            d.predicted,
            d.predicted_probability,
            d.given_probability,
            levels.join(", ")
        );
    }
}

/// The sex genes the check reads are the Ensembl 100 ids of those symbols, on X / Y.
#[test]
fn sex_gene_ids_are_ensembl_100s() {
    let ensembl =
        rnameta_io::annotation::read_gene_table(&fixture("ensembl100_grch38_genes.tsv.gz"))
            .unwrap();
    for g in SEX_GENES {
        let info = ensembl
            .by_id(g.id)
            .unwrap_or_else(|| panic!("{} not in Ensembl 100", g.id));
        assert_eq!(info.symbol.as_deref(), Some(g.symbol), "{}", g.id);
        assert_eq!(info.chromosome.as_deref(), Some(g.chromosome), "{}", g.id);
    }
    assert!(SEX_GENES.iter().any(|g| g.symbol == "XIST"));
}

/// The check half with two females labelled male, one male labelled female and one sample of
/// each sex unlabelled; returns the flipped sample ids and the labels.
fn flipped_check(check: &Dataset) -> ([String; 3], Labels) {
    let ids_of = |sex: Sex| -> Vec<&str> {
        check
            .samples()
            .iter()
            .filter(|s| s.sex == Some(sex))
            .map(|s| s.sample_id.as_str())
            .collect()
    };
    let (females, males) = (ids_of(Sex::Female), ids_of(Sex::Male));
    let flipped = [females[3], females[11], males[7]];
    let labels = given_labels(check, &flipped, &[males[0], females[0]]);
    (flipped.map(str::to_owned), labels)
}

/// Two females labelled male and one male labelled female among the checked half, a model on the
/// seven Y genes of [`SEX_GENES`] trained on the other half: exactly those three are listed, most
/// confident first, and their Y genes contradict the given label (a true male expresses every Y
/// gene at log2(CPM + 1) >= 3.8 here, a true female none above 2.1).
#[test]
fn flipped_geuvadis_sexes_are_listed_with_y_gene_evidence() {
    let data = geuvadis();
    let (train, check) = halves(&data);
    let model = sex_model(&train, GeneChoice::Ids(y_gene_ids()));
    let (flipped, labels) = flipped_check(&check);

    let report = disagreements(&model, &check, &labels, DEFAULT_MIN_PROBABILITY).unwrap();
    print(&report);

    let mut listed: Vec<&str> = report
        .disagreements
        .iter()
        .map(|d| d.sample_id.as_str())
        .collect();
    listed.sort_unstable();
    let mut expected: Vec<&str> = flipped.iter().map(String::as_str).collect();
    expected.sort_unstable();
    assert_eq!(listed, expected);

    assert_eq!(report.samples, check.n_samples());
    assert_eq!(report.unlabelled, 2);
    assert_eq!(report.not_confident, 0);
    assert_eq!(report.agreed, check.n_samples() - 5);
    assert!(report.unknown_labels.is_empty());
    assert!(report.sex_evidence_skipped.is_none());
    assert!(report
        .disagreements
        .windows(2)
        .all(|w| w[0].predicted_probability >= w[1].predicted_probability));

    for d in &report.disagreements {
        assert_ne!(d.given, d.predicted);
        assert!(d.predicted_probability >= DEFAULT_MIN_PROBABILITY);
        assert!((d.predicted_probability + d.given_probability - 1.0).abs() < 1e-4);
        let y: Vec<f32> = SEX_GENES
            .iter()
            .filter(|g| g.chromosome == "Y")
            .map(|g| level(d, g.symbol))
            .collect();
        assert_eq!(y.len(), 7, "every Y gene of the list is in GEUVADIS");
        assert!(
            d.sex_genes.iter().all(|g| g.symbol != "XIST"),
            "XIST is not in this matrix"
        );
        if d.given == "male" {
            assert_eq!(d.predicted, "female");
            assert!(y.iter().all(|&v| v < 2.5), "{} {y:?}", d.sample_id);
        } else {
            assert_eq!(d.given, "female");
            assert_eq!(d.predicted, "male");
            assert!(y.iter().all(|&v| v > 3.5), "{} {y:?}", d.sample_id);
        }
    }
}

/// A model on every chrX and chrY gene is less sure of itself (L2 logistic regression on a few
/// hundred genes and 43 samples): a sample it cannot place at 0.9 is counted as not confident,
/// never listed, and no correctly labelled sample is listed.
#[test]
fn a_less_confident_model_lists_only_flipped_samples() {
    let data = geuvadis();
    let (train, check) = halves(&data);
    let model = sex_model(
        &train,
        GeneChoice::Chromosomes(vec!["X".into(), "Y".into()]),
    );
    let (flipped, labels) = flipped_check(&check);
    let report = disagreements(&model, &check, &labels, DEFAULT_MIN_PROBABILITY).unwrap();
    print(&report);
    assert!(report
        .disagreements
        .iter()
        .all(|d| flipped.contains(&d.sample_id)));
    assert!(report.not_confident > 0);
    assert_eq!(
        report.agreed + report.disagreements.len() + report.unlabelled + report.not_confident,
        report.samples
    );
}

/// The same check on the Y genes alone, and with the labels the data carries (none flipped):
/// nothing is listed.
#[test]
fn correct_labels_give_no_disagreement() {
    let data = geuvadis();
    let (train, check) = halves(&data);
    let model = sex_model(&train, GeneChoice::Ids(y_gene_ids()));
    let labels = Labels::for_task(Task::Sex, check.samples());
    let report = disagreements(&model, &check, &labels, DEFAULT_MIN_PROBABILITY).unwrap();
    print(&report);
    assert!(report.disagreements.is_empty());
    assert_eq!(report.unlabelled, 0);
    assert_eq!(report.agreed + report.not_confident, check.n_samples());
}

/// Labels for another number of samples, or a threshold outside [0, 1], are refused with what
/// to give instead.
#[test]
fn bad_arguments_are_refused() {
    let data = geuvadis();
    let (train, check) = halves(&data);
    let model = sex_model(&train, GeneChoice::Ids(y_gene_ids()));
    let short = Labels::for_task(Task::Sex, &check.samples()[..3]);
    let err = disagreements(&model, &check, &short, 0.9).unwrap_err();
    assert!(err.to_string().contains("labels"), "{err}");
    let labels = Labels::for_task(Task::Sex, check.samples());
    let err = disagreements(&model, &check, &labels, 1.5).unwrap_err();
    assert!(err.to_string().contains("[0, 1]"), "{err}");
}
