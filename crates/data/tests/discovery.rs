//! Finding expression files and their companions in directories and beside named files.

mod common;

use rnameta_data::{expression_files, Companion};
use rnameta_io::detect::Format;
use rnameta_io::tsv;

#[test]
fn directory_walk_finds_the_expression_file_and_every_companion_below_it() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let counts = common::lung_counts();
    let matrix = root.join("deep/er/counts.tsv");
    std::fs::create_dir_all(matrix.parent().unwrap()).unwrap();
    tsv::write_matrix(&matrix, &counts, tsv::Orientation::GenesInRows).unwrap();
    let labels = root.join("labels.tsv");
    std::fs::write(
        &labels,
        "sample_id\ttissue\nGTEX-111CU-0326-SM-5GZXO\tlung\n",
    )
    .unwrap();
    let gtf = root.join("deep/genes.gtf.gz");
    std::fs::copy(
        common::fixtures().join("gencode.v26.annotation.chr21.gtf.gz"),
        &gtf,
    )
    .unwrap();
    // Not inputs: a hidden temporary, a file of no known format, a recount3 metadata table.
    std::fs::write(root.join(".rnameta-tmp-1-x"), "gene_id\tS1\nG1\t1\n").unwrap();
    std::fs::write(root.join("README.txt"), "hello\n").unwrap();
    let samples = common::sra_samples(2);
    rnameta_io::recount3::write_metadata_table(
        &root.join("sra.recount_qc.SRP000001.MD.gz"),
        &common::recount_qc(&samples),
    )
    .unwrap();

    let files = expression_files(&[root]).unwrap();
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(files[0].path, matrix);
    assert!(matches!(files[0].format, Format::Matrix(_)));
    // Sorted by path: deep/genes.gtf.gz before labels.tsv.
    assert_eq!(
        files[0].companions,
        vec![
            Companion {
                path: gtf,
                format: Format::Gtf
            },
            Companion {
                path: labels,
                format: Format::LabelTable
            },
        ]
    );
}

#[test]
fn a_named_file_takes_the_gtex_tables_beside_it_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let mut counts = common::lung_counts();
    for s in counts.samples_mut() {
        s.tissue = Some("Lung".into());
        s.sex = Some(rnameta_core::Sex::Female);
    }
    let gct = root.join("lung.gct.gz");
    rnameta_io::gct::write(&gct, &counts).unwrap();
    let attributes = root.join("SampleAttributesDS.txt");
    let phenotypes = root.join("SubjectPhenotypesDS.txt");
    rnameta_io::gtex::write_sample_attributes(
        &attributes,
        &rnameta_io::gtex::sample_attributes_table(counts.samples()).unwrap(),
    )
    .unwrap();
    rnameta_io::gtex::write_subject_phenotypes(
        &phenotypes,
        &rnameta_io::gtex::subject_phenotypes_table(counts.samples()).unwrap(),
    )
    .unwrap();
    std::fs::write(root.join("labels.tsv"), "sample_id\ttissue\nX\tlung\n").unwrap();

    let files = expression_files(&[&gct]).unwrap();
    assert_eq!(files.len(), 1);
    let formats: Vec<Format> = files[0].companions.iter().map(|c| c.format).collect();
    assert_eq!(
        formats,
        [Format::GtexSampleAttributes, Format::GtexSubjectPhenotypes]
    );

    // Loaded, the GTEx tables label every sample.
    let loaded = rnameta_data::load(gct.as_path(), &Default::default()).unwrap();
    assert_eq!(loaded.report.labelled.tissue, 30);
    assert_eq!(loaded.report.labelled.sex, 30);
    assert_eq!(
        loaded.report.label_sources[0].kind,
        rnameta_data::LabelSourceKind::Gtex
    );
}
