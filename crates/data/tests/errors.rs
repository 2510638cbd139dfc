//! Each error kind, with the message the `rnameta` command prints for it.

mod common;

use rnameta_data::{load, Error, LoadOptions};
use rnameta_io::tsv;

fn message(err: &Error) -> String {
    err.to_string()
}

#[test]
fn a_missing_path_is_no_such_path() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.tsv");
    let err = load(missing.as_path(), &LoadOptions::default()).unwrap_err();
    assert!(matches!(&err, Error::NoSuchPath { path } if *path == missing));
    assert_eq!(
        message(&err),
        format!("{}: no such file or directory", missing.display())
    );
}

#[test]
fn a_directory_without_expression_files_says_so() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("labels.tsv"),
        "sample_id\ttissue\nS1\tlung\n",
    )
    .unwrap();
    let err = load(dir.path(), &LoadOptions::default()).unwrap_err();
    assert!(matches!(&err, Error::NoExpressionFile { dir: d } if d == dir.path()));
    assert_eq!(
        message(&err),
        format!(
            "{}: no expression file found in the directory (matrices, GCT, recount3 gene sums, \
             ARCHS4 HDF5, Parquet)",
            dir.path().display()
        )
    );
}

#[test]
fn a_label_table_given_as_the_input_is_not_a_matrix() {
    let dir = tempfile::tempdir().unwrap();
    let table = dir.path().join("labels.tsv");
    std::fs::write(&table, "sample_id\ttissue\nS1\tlung\n").unwrap();
    let err = load(table.as_path(), &LoadOptions::default()).unwrap_err();
    assert!(matches!(&err, Error::NotExpression { .. }), "{err:?}");
    assert_eq!(
        message(&err),
        format!(
            "{}: a sample label table, not an expression matrix (label tables go to --labels, \
             gene annotations to --gene-annotation)",
            table.display()
        )
    );
}

#[test]
fn a_matrix_given_as_gene_annotation_is_refused_within_reading_the_input() {
    let dir = tempfile::tempdir().unwrap();
    let matrix = dir.path().join("counts.tsv");
    tsv::write_matrix(
        &matrix,
        &common::lung_counts(),
        tsv::Orientation::GenesInRows,
    )
    .unwrap();
    let options = LoadOptions {
        labels: None,
        gene_annotation: Some(matrix.clone()),
        ..LoadOptions::default()
    };
    let err = load(matrix.as_path(), &options).unwrap_err();
    let Error::Reading { path, source } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(path, &matrix);
    assert!(
        matches!(**source, Error::NotGeneAnnotation { .. }),
        "{source:?}"
    );
    assert_eq!(message(&err), format!("reading {}", matrix.display()));
    assert!(message(source).starts_with(&format!(
        "{}: --gene-annotation needs a GTF or a gene annotation table, this is a ",
        matrix.display()
    )));
}

#[test]
fn gene_sums_without_recount_qc_say_where_it_was_looked_for() {
    let dir = tempfile::tempdir().unwrap();
    let tree = common::recount3_tree(dir.path(), false);
    std::fs::remove_file(&tree.qc).unwrap();
    let err = load(tree.gene_sums.as_path(), &LoadOptions::default()).unwrap_err();
    let Error::Reading { source, .. } = &err else {
        panic!("{err:?}")
    };
    assert!(
        matches!(**source, Error::MissingRecountQc { .. }),
        "{source:?}"
    );
    assert_eq!(
        message(source),
        format!(
            "{}: the project's sra.recount_qc.SRP000001.MD.gz table is needed to turn coverage \
             sums into read counts; it was looked for next to the file and in the recount3 \
             metadata folder",
            tree.gene_sums.display()
        )
    );
}

#[test]
fn gene_sums_under_another_name_cannot_find_their_tables() {
    let dir = tempfile::tempdir().unwrap();
    let tree = common::recount3_tree(dir.path(), false);
    let renamed = dir.path().join("sums.gz");
    std::fs::copy(&tree.gene_sums, &renamed).unwrap();
    let err = load(renamed.as_path(), &LoadOptions::default()).unwrap_err();
    let Error::Reading { source, .. } = &err else {
        panic!("{err:?}")
    };
    assert!(
        matches!(**source, Error::NotRecount3Name { .. }),
        "{source:?}"
    );
}

#[test]
fn one_sample_in_two_files_is_refused_naming_both() {
    let dir = tempfile::tempdir().unwrap();
    let counts = common::lung_counts();
    let a = dir.path().join("a.tsv");
    let b = dir.path().join("b.tsv");
    tsv::write_matrix(&a, &counts, tsv::Orientation::GenesInRows).unwrap();
    tsv::write_matrix(&b, &counts, tsv::Orientation::GenesInRows).unwrap();
    let err = load([&a, &b], &LoadOptions::default()).unwrap_err();
    let first = &counts.samples()[0].sample_id;
    assert_eq!(
        message(&err),
        format!(
            "sample {first} is in both {} and {}; give each sample once (drop one of the files, \
             or the sample from one of them)",
            a.display(),
            b.display()
        )
    );
    // A `Loader` refuses it across loads too.
    let mut loader = rnameta_data::Loader::new(LoadOptions::default());
    loader.load(&a).unwrap();
    assert!(matches!(
        loader.load(&b).unwrap_err(),
        Error::DuplicateSample { .. }
    ));
}

#[test]
fn files_without_a_common_gene_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.tsv");
    let b = dir.path().join("b.tsv");
    std::fs::write(&a, "gene_id\tS1\tS2\nENSG00000000001\t1\t2\n").unwrap();
    std::fs::write(&b, "gene_id\tS3\tS4\nENSG00000000002\t1\t2\n").unwrap();
    let err = load(vec![&a, &b], &LoadOptions::default()).unwrap_err();
    assert!(matches!(err, Error::NoSharedGene { .. }), "{err:?}");
    assert_eq!(
        message(&err),
        format!(
            "the input files share no gene id ({} 1 gene, {} 1); are they from the same \
             organism and annotation?",
            a.display(),
            b.display()
        )
    );
}

#[test]
fn a_damaged_file_keeps_the_io_error_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.tsv");
    // Numbers first (so that the content is detected as a matrix), a missing value at the end.
    let mut text = String::from("gene_id\tS1\tS2\n");
    for g in 1..=200 {
        text.push_str(&format!("ENSG{g:011}\t{g}\t3\n"));
    }
    text.push_str("ENSG00000000999\t1\tNA\n");
    std::fs::write(&a, text).unwrap();
    let err = load(a.as_path(), &LoadOptions::default()).unwrap_err();
    let Error::Reading { source, .. } = &err else {
        panic!("{err:?}")
    };
    let Error::Io(io) = &**source else {
        panic!("{source:?}")
    };
    assert_eq!(io.location, rnameta_io::Location::Line(202));
    assert_eq!(
        message(source),
        format!("{}:202: non-finite value \"NA\"", a.display())
    );
}
