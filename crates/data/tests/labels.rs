//! Labels from a label table option and from MetaSRA, with UBERON sub-parts rolled up.

mod common;

use rnameta_core::{Dataset, SampleSource, Task};
use rnameta_data::{label_table_coverage, load, Error, LabelSourceKind, LoadOptions};
use rnameta_io::tsv;

#[test]
fn label_table_option_is_applied_over_the_metadata_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let tree = common::recount3_tree(dir.path(), false);
    let table = dir.path().join("my-labels.tsv");
    // The first sample has no tissue in the sra table; two rows name samples of no input.
    std::fs::write(
        &table,
        "sample_id\ttissue\nSRS000000\tliver\nSRS999998\tlung\nSRS999999\tlung\n",
    )
    .unwrap();
    let options = LoadOptions {
        labels: Some(table.clone()),
        gene_annotation: None,
        ..LoadOptions::default()
    };
    let loaded = load(tree.human.as_path(), &options).unwrap();
    assert_eq!(loaded.dataset.samples()[0].tissue.as_deref(), Some("liver"));
    assert_eq!(loaded.report.labelled.tissue, 30);
    let source = loaded
        .report
        .label_sources
        .iter()
        .find(|s| s.kind == LabelSourceKind::LabelTable)
        .unwrap();
    assert_eq!(
        (source.path.as_path(), source.samples),
        (table.as_path(), 1)
    );
    assert!(
        loaded.report.notes.contains(&format!(
            "labels of 1 of 30 samples from {} (tissue=tissue)",
            table.display()
        )),
        "{:?}",
        loaded.report.notes
    );
}

fn tissue_of_first_sample_mapped_to(terms: &[&str]) -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    let tree = common::recount3_tree(dir.path(), false);
    common::metasra_file(&tree.human.join("metasra.json"), "SRS000000", terms);
    let loaded = load(tree.human.as_path(), &LoadOptions::default()).unwrap();
    let source = loaded
        .report
        .label_sources
        .iter()
        .find(|s| s.kind == LabelSourceKind::MetaSra)
        .unwrap();
    assert_eq!(source.samples, 1);
    loaded.dataset.samples()[0].tissue.clone()
}

#[test]
fn a_sample_mapped_to_the_cerebellum_gets_brain() {
    assert_eq!(
        tissue_of_first_sample_mapped_to(&["UBERON:0002037"]).as_deref(),
        Some("brain")
    );
}

#[test]
fn a_sample_mapped_to_the_left_ventricle_gets_heart() {
    assert_eq!(
        tissue_of_first_sample_mapped_to(&["UBERON:0002084"]).as_deref(),
        Some("heart")
    );
}

#[test]
fn a_sub_part_and_its_own_tissue_agree_but_two_tissues_give_none() {
    assert_eq!(
        tissue_of_first_sample_mapped_to(&["UBERON:0002037", "UBERON:0000955"]).as_deref(),
        Some("brain")
    );
    assert_eq!(
        tissue_of_first_sample_mapped_to(&["UBERON:0002037", "UBERON:0002048"]),
        None
    );
}

/// Loads the recount3 tree with a label table of `contents` as the `labels` option.
fn load_with_table(
    contents: &str,
) -> (rnameta_data::Loaded, std::path::PathBuf, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let tree = common::recount3_tree(dir.path(), false);
    let table = dir.path().join("labels.tsv");
    std::fs::write(&table, contents).unwrap();
    let options = LoadOptions {
        labels: Some(table.clone()),
        gene_annotation: None,
        ..LoadOptions::default()
    };
    let loaded = load(tree.human.as_path(), &options).unwrap();
    (loaded, table, dir)
}

#[test]
fn metasra_primary_cells_in_a_label_table_are_understood() {
    let (loaded, _, _dir) = load_with_table("sample_id\tsample_type\nSRS000000\tprimary cells\n");
    assert_eq!(
        loaded.dataset.samples()[0].sample_source,
        Some(SampleSource::PrimaryCells)
    );
    assert!(
        !loaded
            .report
            .notes
            .iter()
            .any(|n| n.contains("not understood")),
        "{:?}",
        loaded.report.notes
    );
}

#[test]
fn a_source_column_of_the_label_table_is_applied() {
    let (loaded, table, _dir) = load_with_table("sample_id\tsource\nSRS000000\tcell line\n");
    assert_eq!(
        loaded.dataset.samples()[0].sample_source,
        Some(SampleSource::CellLine)
    );
    assert!(
        loaded.report.notes.contains(&format!(
            "labels of 1 of 30 samples from {} (sample_source=source)",
            table.display()
        )),
        "{:?}",
        loaded.report.notes
    );
}

#[test]
fn values_not_understood_say_what_would_be() {
    let (loaded, _, _dir) = load_with_table("sample_id\tsample_type\nSRS000000\torganoid\n");
    let note = loaded
        .report
        .notes
        .iter()
        .find(|n| n.contains("not understood"))
        .expect("a note on the value not understood");
    assert!(note.contains("\"organoid\""), "{note}");
    assert!(note.contains("primary cells"), "{note}");
}

#[test]
fn coverage_names_the_column_the_task_lacks() {
    let dir = tempfile::tempdir().unwrap();
    let table = dir.path().join("sex.tsv");
    std::fs::write(&table, "sample_id\tsex\nA\tmale\nB\tfemale\n").unwrap();
    let said = label_table_coverage(&table, Task::SampleSource, &["A", "B", "C"]);
    assert!(
        said.contains("2 of 3 samples of the inputs are in"),
        "{said}"
    );
    assert!(said.contains("no source column"), "{said}");
    assert!(said.contains("sample_source"), "{said}");
    assert!(said.contains("its columns: sex"), "{said}");
    let said = label_table_coverage(&table, Task::Sex, &["X1", "X2"]);
    assert!(
        said.contains("0 of 2 samples of the inputs are in")
            && said.contains("its first ids: A, B")
            && said.contains("the inputs' first ids: X1, X2"),
        "{said}"
    );
}

/// `labelled_only` keeps the samples some task labels, file by file: the values are those of a
/// full load's same samples, a file with no labelled sample does not narrow the shared genes,
/// and a load with none labelled at all is refused by name.
#[test]
fn labelled_only_keeps_the_labelled_samples_of_every_file() {
    let dir = tempfile::tempdir().unwrap();
    let counts = common::lung_counts();
    let rows = |r: std::ops::Range<usize>| counts.select_samples(&r.collect::<Vec<_>>()).unwrap();
    let (a, b) = (dir.path().join("a.tsv"), dir.path().join("b.tsv"));
    tsv::write_matrix(&a, &rows(0..10), tsv::Orientation::GenesInRows).unwrap();
    tsv::write_matrix(&b, &rows(10..20), tsv::Orientation::GenesInRows).unwrap();
    // A file of unlabelled samples with only the first 50 genes.
    let c = dir.path().join("c.tsv");
    let narrow = rows(20..30);
    let first_genes: Vec<usize> = (0..50).collect();
    let narrow = Dataset::new(
        narrow.counts().select(ndarray::Axis(1), &first_genes),
        rnameta_core::GeneAnnotation::new(
            first_genes
                .iter()
                .map(|&g| narrow.genes().genes()[g].clone())
                .collect(),
        )
        .unwrap(),
        narrow.samples().to_vec(),
    )
    .unwrap();
    tsv::write_matrix(&c, &narrow, tsv::Orientation::GenesInRows).unwrap();
    let id = |i: usize| counts.samples()[i].sample_id.clone();
    let table = dir.path().join("labels.tsv");
    std::fs::write(
        &table,
        format!(
            "sample_id\ttissue\tsex\n{}\tlung\t\n{}\t\tfemale\n{}\tlung\tmale\n",
            id(1),
            id(12),
            id(13)
        ),
    )
    .unwrap();
    let options = |labelled_only| LoadOptions {
        labels: Some(table.clone()),
        labelled_only,
        ..LoadOptions::default()
    };
    let inputs = [&a, &b, &c];
    let kept = load(inputs, &options(true)).unwrap();
    let ids: Vec<String> = kept
        .dataset
        .samples()
        .iter()
        .map(|s| s.sample_id.clone())
        .collect();
    assert_eq!(ids, [id(1), id(12), id(13)]);
    assert_eq!(kept.report.unlabelled_left_out, 27);
    assert!(kept.report.notes.contains(
        &"27 samples labelled for no task (tissue, sex or sample source) were left out".to_owned()
    ));
    assert_eq!(kept.dataset.n_genes(), counts.n_genes());
    assert_eq!(kept.report.labelled.samples, 3);
    assert_eq!(
        kept.dataset.counts(),
        counts.select_samples(&[1, 12, 13]).unwrap().counts()
    );
    // Every sample kept: the unlabelled file narrows the genes to the 50 all three share.
    let all = load(inputs, &options(false)).unwrap();
    assert_eq!((all.dataset.n_samples(), all.dataset.n_genes()), (30, 50));
    assert_eq!(all.report.unlabelled_left_out, 0);

    let err = load([&c], &options(true)).unwrap_err();
    assert!(
        matches!(err, Error::NoLabelledSample { left_out: 10 }),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "none of the 10 samples read is labelled for any task (tissue, sex or sample source), \
         and only labelled samples were asked for; give the labels (--labels) or keep every \
         sample"
    );
}
