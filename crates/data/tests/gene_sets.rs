//! Files of one load with different gene sets: stacked on the genes all share, with a note that
//! says how many genes each file has, how many all share and which file cuts the shared set; a
//! shared set too small to train on is refused, naming the files and their gene counts.

use std::path::{Path, PathBuf};

use rnameta_data::{load, Error, LoadOptions};

/// A counts file (genes in rows) with the genes `ENSG…{g}` for every `g` of `genes` and two
/// samples `{prefix}1`, `{prefix}2`.
fn counts_file(dir: &Path, name: &str, prefix: &str, genes: impl Iterator<Item = u32>) -> PathBuf {
    let mut text = format!("gene_id\t{prefix}1\t{prefix}2\n");
    for g in genes {
        text.push_str(&format!("ENSG{g:011}\t{}\t{}\n", g % 97 + 3, g % 89 + 5));
    }
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn files_with_different_gene_sets_say_so_and_keep_the_shared_genes() {
    let dir = tempfile::tempdir().unwrap();
    let a = counts_file(dir.path(), "a.tsv", "A", 1..=450);
    let b = counts_file(dir.path(), "b.tsv", "B", 101..=500);
    let c = counts_file(dir.path(), "c.tsv", "C", (101..=300).chain(451..=470));
    let loaded = load(vec![&a, &b, &c], &LoadOptions::default()).unwrap();
    assert_eq!(loaded.dataset.n_samples(), 6);
    let ids: Vec<String> = loaded.dataset.genes().ids().map(str::to_owned).collect();
    let shared: Vec<String> = (101..=300).map(|g| format!("ENSG{g:011}")).collect();
    assert_eq!(ids, shared, "the shared genes, in the first file's order");
    let note = format!(
        "the 3 inputs have different gene sets: {} 450 genes, {} 400, {} 220; 200 genes are \
         in all of them and only those are kept (a gene absent from a file has no value there), \
         so a model trained on them chooses its genes among these 200; {} loses the most (250 of \
         its 450 genes left out); {} alone lacks 150 genes that every other input has",
        a.display(),
        b.display(),
        c.display(),
        a.display(),
        c.display()
    );
    assert!(
        loaded.report.notes.contains(&note),
        "{:#?}",
        loaded.report.notes
    );
}

#[test]
fn files_with_the_same_genes_in_another_order_give_no_note() {
    let dir = tempfile::tempdir().unwrap();
    let a = counts_file(dir.path(), "a.tsv", "A", 1..=300);
    let b = counts_file(dir.path(), "b.tsv", "B", (1..=300).rev());
    let loaded = load(vec![&a, &b], &LoadOptions::default()).unwrap();
    assert_eq!(loaded.dataset.n_genes(), 300);
    assert!(
        !loaded
            .report
            .notes
            .iter()
            .any(|n| n.contains("different gene sets")),
        "{:#?}",
        loaded.report.notes
    );
}

#[test]
fn a_tiny_shared_gene_set_is_refused_naming_the_files_and_their_gene_counts() {
    let dir = tempfile::tempdir().unwrap();
    let a = counts_file(dir.path(), "a.tsv", "A", 1..=400);
    let b = counts_file(dir.path(), "b.tsv", "B", 391..=800);
    let err = load(vec![&a, &b], &LoadOptions::default()).unwrap_err();
    assert!(
        matches!(err, Error::FewSharedGenes { shared: 10, .. }),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "the input files share only 10 gene ids ({} 400 genes, {} 410), fewer than a tenth of \
             the smallest file's 400 genes, too few to train or predict on; are they from the \
             same organism and annotation? Load them separately, or give files that measure the \
             same genes",
            a.display(),
            b.display()
        )
    );
}

#[test]
fn the_stacked_annotation_is_the_first_inputs_completed_by_the_others() {
    use rnameta_core::{DataSource, Dataset, GeneAnnotation, GeneInfo, SampleMeta};
    let part = |sample: &str, genes: Vec<GeneInfo>| {
        let n = genes.len();
        Dataset::new(
            ndarray::Array2::from_elem((1, n), 1.0),
            GeneAnnotation::new(genes).unwrap(),
            vec![SampleMeta::new(sample.to_owned(), DataSource::Sra)],
        )
        .unwrap()
    };
    let bare = |id: &str| GeneInfo::from_id(id);
    let first = part(
        "A",
        vec![
            GeneInfo {
                symbol: Some("ONE".into()),
                ..bare("ENSG00000000001")
            },
            bare("ENSG00000000002"),
        ],
    );
    let second = part(
        "B",
        vec![
            GeneInfo {
                symbol: Some("TWO".into()),
                ..bare("ENSG00000000002")
            },
            GeneInfo {
                symbol: Some("NOT-ONE".into()),
                ..bare("ENSG00000000001")
            },
        ],
    );
    let mut report = rnameta_data::LoadReport::default();
    let stacked = rnameta_data::stack(
        vec![("a".to_owned(), first), ("b".to_owned(), second)],
        &mut report,
    )
    .unwrap();
    let symbols: Vec<Option<&str>> = stacked
        .genes()
        .genes()
        .iter()
        .map(|g| g.symbol.as_deref())
        .collect();
    assert_eq!(
        symbols,
        [Some("ONE"), Some("TWO")],
        "the first input's symbol kept, the second's filling the gap"
    );
    assert_eq!(stacked.n_samples(), 2);
}
