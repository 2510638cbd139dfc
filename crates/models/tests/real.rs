//! LIN and the MLP on real data shipped in fixtures/real: GEUVADIS sex (85 lymphoblastoid cell
//! lines, 5-fold) and Marioni et al. 2008 kidney vs liver (one held-out sequencing run of each).

use std::path::PathBuf;

use rnameta_core::{Dataset, Labels, Task};
use rnameta_io::tsv::{apply_labels, read_label_table, read_matrix, MatrixOptions};
use rnameta_models::{argmax_rows, GeneChoice, LinParams, MlpParams, ModelSpec, TrainedModel};
use rnameta_preprocess::Pipeline;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/real")
        .join(name)
}

/// A counts matrix with its label table applied and genes annotated from Ensembl 100 (chromosome,
/// biotype). Neither table comes with union exon lengths, so the pipeline is log2(CPM + 1).
fn read(counts: &str, samples: &str) -> Dataset {
    let mut data = read_matrix(&fixture(counts), MatrixOptions::genes_in_rows()).unwrap();
    let table = read_label_table(&fixture(samples)).unwrap();
    let report = apply_labels(data.samples_mut(), &table);
    assert!(report.missing_samples.is_empty(), "{report:?}");
    let ensembl =
        rnameta_io::annotation::read_gene_table(&fixture("ensembl100_grch38_genes.tsv.gz"))
            .unwrap();
    data.genes_mut().fill_from(&ensembl);
    data
}

/// Genes annotated in Ensembl 100 only (retired ids have no chromosome).
fn annotated_only(data: &Dataset) -> Dataset {
    let keep: Vec<usize> = (0..data.n_genes())
        .filter(|&j| data.genes().genes()[j].chromosome.is_some())
        .collect();
    let genes = rnameta_core::GeneAnnotation::new(
        keep.iter()
            .map(|&j| data.genes().genes()[j].clone())
            .collect(),
    )
    .unwrap();
    let x = data.counts().select(ndarray::Axis(1), &keep);
    Dataset::new(x, genes, data.samples().to_vec()).unwrap()
}

fn accuracy(model: &TrainedModel, task: Task, test: &Dataset) -> f64 {
    let names: Vec<Option<String>> = test.samples().iter().map(|s| task.label_of(s)).collect();
    let (labels, unmatched) = Labels::within_classes(model.classes().to_vec(), &names);
    assert!(unmatched.is_empty(), "{unmatched:?}");
    let predicted = argmax_rows(&model.annotate(test).unwrap().proba);
    let pairs: Vec<(usize, usize)> = labels
        .assigned()
        .iter()
        .zip(&predicted)
        .filter_map(|(t, &p)| t.map(|t| (t, p)))
        .collect();
    pairs.iter().filter(|(t, p)| t == p).count() as f64 / pairs.len() as f64
}

#[test]
fn lin_predicts_geuvadis_sex_in_five_folds() {
    let data = annotated_only(&read(
        "geuvadis_humanGender_counts.tsv.gz",
        "geuvadis_humanGender_samples.tsv.gz",
    ));
    let labels = Labels::for_task(Task::Sex, data.samples());
    // Stratified folds: the i-th sample of each sex goes to fold i mod 5.
    let mut seen = vec![0usize; labels.classes().len()];
    let fold: Vec<usize> = labels
        .assigned()
        .iter()
        .map(|c| {
            let c = c.expect("every GEUVADIS sample has a sex");
            seen[c] += 1;
            (seen[c] - 1) % 5
        })
        .collect();
    let (mut right, mut total) = (0.0, 0usize);
    for k in 0..5 {
        let train: Vec<usize> = (0..fold.len()).filter(|&i| fold[i] != k).collect();
        let test: Vec<usize> = (0..fold.len()).filter(|&i| fold[i] == k).collect();
        let train_data = data.select_samples(&train).unwrap();
        let test_data = data.select_samples(&test).unwrap();
        let model = TrainedModel::fit(
            &ModelSpec::Lin(LinParams::default()),
            Task::Sex,
            &Pipeline::cpm_log2(),
            &GeneChoice::Chromosomes(vec!["X".into(), "Y".into()]),
            &train_data,
            &Labels::for_task(Task::Sex, train_data.samples()),
        )
        .unwrap();
        let acc = accuracy(&model, Task::Sex, &test_data);
        eprintln!(
            "fold {k}: accuracy {acc:.3} on {} samples, {} genes ({})",
            test.len(),
            model.gene_ids().len(),
            model.preprocessing().gene_selection
        );
        right += acc * test.len() as f64;
        total += test.len();
    }
    // Measured: 85 of 85 right (every fold 1.0) with all 333 chrX/chrY genes. The paper's sex
    // window (protein coding on X/Y, 0.4 < Gini < 0.7) keeps only 8-9 genes on these 85 cell
    // lines and reaches 0.88, so the test uses every X/Y gene and lets LIN's t pick.
    let accuracy = right / total as f64;
    eprintln!("GEUVADIS sex, LIN, 5-fold: accuracy {accuracy:.4}");
    assert!(accuracy >= 0.97, "accuracy {accuracy}");
}

#[test]
fn lin_and_mlp_separate_kidney_from_liver_in_a_held_out_run() {
    // Marioni et al. 2008 sequenced one kidney and one liver sample in several lanes of two runs.
    // Training on run 1 and testing on run 2 shows that the models see through lane and run
    // effects; it says nothing about new donors or studies (there is one sample per tissue).
    let data = annotated_only(&read(
        "marioni_kidney_liver_counts.tsv.gz",
        "marioni_samples.tsv.gz",
    ));
    let run2: Vec<usize> = (0..data.n_samples())
        .filter(|&i| data.samples()[i].sample_id.starts_with("R2"))
        .collect();
    let run1: Vec<usize> = (0..data.n_samples())
        .filter(|&i| !run2.contains(&i))
        .collect();
    let train = data.select_samples(&run1).unwrap();
    let test = data.select_samples(&run2).unwrap();
    let labels = Labels::for_task(Task::Tissue, train.samples());
    assert_eq!(labels.classes(), ["Kidney", "Liver"]);
    let mlp = MlpParams {
        // 7 training samples: the paper's 10 epochs of batch 64 are 10 steps; give it 200.
        epochs: 200,
        learning_rate: 1e-3,
        ..MlpParams::default()
    };
    for spec in [ModelSpec::Lin(LinParams::default()), ModelSpec::Mlp(mlp)] {
        let model = TrainedModel::fit(
            &spec,
            Task::Tissue,
            &Pipeline::cpm_log2(),
            &GeneChoice::Paper,
            &train,
            &labels,
        )
        .unwrap();
        let acc = accuracy(&model, Task::Tissue, &test);
        eprintln!(
            "Marioni run 2, {}: accuracy {acc} ({} genes)",
            spec.name(),
            model.gene_ids().len()
        );
        assert_eq!(acc, 1.0, "{}", spec.name());
    }
}
