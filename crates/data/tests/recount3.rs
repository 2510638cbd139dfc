//! A recount3 tree read in one call: coverage -> counts through recount_qc, labels from the
//! project's metadata table, genes from the tree's GTF.

mod common;

use rnameta_data::{load, LabelSourceKind, LoadOptions};
use rnameta_io::detect::Format;

#[test]
fn recount3_tree_is_read_with_its_recount_qc_metadata_and_gtf() {
    let dir = tempfile::tempdir().unwrap();
    let tree = common::recount3_tree(dir.path(), true);
    // The tree's root, as `cargo xtask experiment --data` and `rnameta train` get it.
    let loaded = load(dir.path(), &LoadOptions::default()).unwrap();
    let data = &loaded.dataset;
    // Coverage sums / read length = the original counts, exactly.
    assert_eq!(data.counts(), tree.counts.counts());
    let report = &loaded.report;
    assert_eq!(report.files.len(), 1);
    let file = &report.files[0];
    assert_eq!(file.path, tree.gene_sums);
    assert_eq!(file.format, Format::Recount3GeneSums);
    assert_eq!((file.samples, file.genes), (30, 818));
    assert_eq!(
        file.recount3_companions,
        vec![tree.qc.clone(), tree.sra.clone(), tree.gtf.clone()]
    );
    // The sra table labelled every sample: study, sex, and tissue for all but the first.
    let sra = report
        .label_sources
        .iter()
        .find(|s| s.kind == LabelSourceKind::Recount3Metadata)
        .unwrap();
    assert_eq!((sra.path.as_path(), sra.samples), (tree.sra.as_path(), 30));
    assert_eq!(report.labelled.samples, 30);
    assert_eq!(report.labelled.study, 30);
    assert_eq!(report.labelled.sex, 30);
    assert_eq!(report.labelled.tissue, 29);
    assert_eq!(data.samples()[0].study.as_deref(), Some(common::PROJECT));
    // The GTF annotated the genes (it is also a companion of the walked tree).
    let gtf = &report.annotations[0];
    assert_eq!(gtf.path, tree.gtf);
    assert!(gtf.genes_matched > 800, "{gtf:?}");
    let with_chromosome = data
        .genes()
        .genes()
        .iter()
        .filter(|g| g.chromosome.as_deref() == Some("21"))
        .count();
    assert_eq!(with_chromosome, gtf.genes_matched);
    assert!(report
        .notes
        .contains(&format!("gene annotation from {}", tree.gtf.display())));
}

#[test]
fn without_a_gtf_the_tree_is_read_unannotated() {
    let dir = tempfile::tempdir().unwrap();
    let tree = common::recount3_tree(dir.path(), false);
    let loaded = load(tree.human.as_path(), &LoadOptions::default()).unwrap();
    assert_eq!(
        loaded.report.files[0].recount3_companions,
        vec![tree.qc, tree.sra]
    );
    assert!(loaded.report.annotations.is_empty());
    assert!(loaded
        .dataset
        .genes()
        .genes()
        .iter()
        .all(|g| g.chromosome.is_none()));
}

#[test]
fn gene_sums_find_their_tables_beside_them_outside_the_layout() {
    let dir = tempfile::tempdir().unwrap();
    let tree = common::recount3_tree(dir.path(), false);
    let flat = dir.path().join("flat");
    std::fs::create_dir(&flat).unwrap();
    for file in [&tree.gene_sums, &tree.qc, &tree.sra] {
        std::fs::copy(file, flat.join(file.file_name().unwrap())).unwrap();
    }
    let named = flat.join(tree.gene_sums.file_name().unwrap());
    let loaded = load(named.as_path(), &LoadOptions::default()).unwrap();
    assert_eq!(loaded.dataset.counts(), tree.counts.counts());
    assert_eq!(
        loaded.report.files[0].recount3_companions,
        vec![
            flat.join(tree.qc.file_name().unwrap()),
            flat.join(tree.sra.file_name().unwrap())
        ]
    );
}
