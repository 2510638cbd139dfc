//! Plain TSV / CSV matrices and label tables, on the real GEUVADIS and GTEx slices and on broken files.

mod common;

use common::{fixture, write_text};
use std::io::Write;
use std::path::Path;

use rnameta_core::{DataSource, Sex};
use rnameta_io::numeric::ValuePolicy;
use rnameta_io::tsv::{self, MatrixOptions, Orientation};
use rnameta_io::{Error, ErrorKind, Location};

fn read_genes_in_rows(path: &Path) -> Result<rnameta_core::Dataset, Error> {
    tsv::read_matrix(path, MatrixOptions::genes_in_rows())
}

/// Asserts that the error names the file and the given line.
fn assert_at_line(err: &Error, path: &Path, line: u64) {
    assert_eq!(err.location, Location::Line(line), "{err}");
    let msg = err.to_string();
    assert!(
        msg.contains(&path.display().to_string()),
        "message must name the file: {msg}"
    );
    assert!(
        msg.contains(&format!(":{line}:")),
        "message must name the line: {msg}"
    );
}

#[test]
fn reads_real_geuvadis_counts_with_labels() {
    let data = read_genes_in_rows(&fixture("geuvadis_humanGender_counts.tsv.gz")).unwrap();
    assert_eq!((data.n_samples(), data.n_genes()), (85, 10_101));
    assert_eq!(data.samples()[0].sample_id, "NA20502");
    // First data line of the file: ENSG00000000419 339 398 449 ...
    assert_eq!(data.genes().get(0).unwrap().id, "ENSG00000000419");
    assert_eq!(data.counts()[[0, 0]], 339.0);
    assert_eq!(data.counts()[[2, 0]], 449.0);
    assert_eq!(data.value_kind(), rnameta_core::ValueKind::IntegerCounts);

    let table = tsv::read_label_table(&fixture("geuvadis_humanGender_samples.tsv.gz")).unwrap();
    assert_eq!(table.len(), 85);
    let mut samples = data.samples().to_vec();
    let report = tsv::apply_labels(&mut samples, &table);
    assert!(
        report.missing_samples.is_empty() && report.unparsable.is_empty(),
        "{report:?}"
    );
    let females = samples
        .iter()
        .filter(|s| s.sex == Some(Sex::Female))
        .count();
    let males = samples.iter().filter(|s| s.sex == Some(Sex::Male)).count();
    // The fixture README: sex 41 F / 44 M.
    assert_eq!((females, males), (41, 44));
}

#[test]
fn gtex_versioned_ids_are_kept_as_source_ids() {
    let data = read_genes_in_rows(&fixture("gtex_lung30_chr21_counts.tsv.gz")).unwrap();
    assert_eq!((data.n_samples(), data.n_genes()), (30, 818));
    let first = data.genes().get(0).unwrap();
    assert_eq!(first.id, "ENSG00000141956");
    assert_eq!(first.source_id.as_deref(), Some("ENSG00000141956.13"));
    let table = tsv::read_label_table(&fixture("gtex_lung30_samples.tsv.gz")).unwrap();
    let mut samples = data.samples().to_vec();
    let report = tsv::apply_labels(&mut samples, &table);
    assert!(
        samples.iter().all(|s| s.tissue.as_deref() == Some("Lung")),
        "{report:?}"
    );
}

#[test]
fn both_orientations_round_trip() {
    let data = read_genes_in_rows(&fixture("marioni_kidney_liver_counts.tsv.gz")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    for (name, orientation) in [
        ("genes.tsv.gz", Orientation::GenesInRows),
        ("samples.tsv", Orientation::SamplesInRows),
    ] {
        let path = dir.path().join(name);
        tsv::write_matrix(&path, &data, orientation).unwrap();
        let options = MatrixOptions {
            orientation,
            ..MatrixOptions::genes_in_rows()
        };
        let back = tsv::read_matrix(&path, options).unwrap();
        assert_eq!(back.counts(), data.counts(), "{name}");
        assert_eq!(back.genes(), data.genes(), "{name}");
        assert_eq!(back.samples(), data.samples(), "{name}");
    }
}

#[test]
fn fractional_and_negative_values_round_trip_when_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_text(
        dir.path(),
        "z.csv",
        "\"sample\",\"ENSG1\",\"ENSG2\"\n\"s1\",-0.125,3.3333333\ns2,1e-7,2\n",
    );
    let options = MatrixOptions {
        orientation: Orientation::SamplesInRows,
        policy: ValuePolicy::AnyFinite,
        data_source: DataSource::Sra,
    };
    let data = tsv::read_matrix(&path, options).unwrap();
    assert_eq!(data.counts()[[0, 0]], -0.125);
    assert_eq!(data.samples()[1].data_source, DataSource::Sra);
    let out = dir.path().join("z.tsv");
    tsv::write_matrix(&out, &data, Orientation::SamplesInRows).unwrap();
    assert_eq!(
        tsv::read_matrix(&out, options).unwrap().counts(),
        data.counts()
    );
}

#[test]
fn truncated_gzip_is_refused() {
    let bytes = std::fs::read(fixture("geuvadis_humanGender_counts.tsv.gz")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cut.tsv.gz");
    std::fs::write(&path, &bytes[..bytes.len() / 3]).unwrap();
    let err = read_genes_in_rows(&path).unwrap_err();
    assert!(matches!(err.kind, ErrorKind::TruncatedGzip(_)), "{err}");
    assert!(
        matches!(err.location, Location::Line(n) if n > 100),
        "{err}"
    );
    assert!(err.to_string().contains("cut.tsv.gz"));
}

#[test]
fn ragged_row_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_text(
        dir.path(),
        "r.tsv",
        "gene_id\ta\tb\nENSG1\t1\t2\nENSG2\t3\n",
    );
    let err = read_genes_in_rows(&path).unwrap_err();
    assert!(
        matches!(
            err.kind,
            ErrorKind::Ragged {
                expected: 3,
                found: 2
            }
        ),
        "{err}"
    );
    assert_at_line(&err, &path, 3);
    let path = write_text(dir.path(), "r2.tsv", "sample\tENSG1\nA\t1\t2\n");
    let err = tsv::read_matrix(&path, MatrixOptions::samples_in_rows()).unwrap_err();
    assert!(
        matches!(
            err.kind,
            ErrorKind::Ragged {
                expected: 2,
                found: 3
            }
        ),
        "{err}"
    );
    assert_at_line(&err, &path, 2);
}

#[test]
fn non_numeric_count_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_text(
        dir.path(),
        "n.tsv",
        "gene_id\ta\tb\nENSG1\t1\t2\nENSG2\tthree\t4\n",
    );
    let err = read_genes_in_rows(&path).unwrap_err();
    assert!(
        matches!(&err.kind, ErrorKind::NotNumeric { value } if value == "three"),
        "{err}"
    );
    assert_at_line(&err, &path, 3);
}

#[test]
fn negative_count_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_text(dir.path(), "neg.tsv", "gene_id\ta\tb\nENSG1\t1\t-2\n");
    let err = read_genes_in_rows(&path).unwrap_err();
    assert!(matches!(err.kind, ErrorKind::NegativeCount { .. }), "{err}");
    assert_at_line(&err, &path, 2);
}

#[test]
fn nan_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_text(
        dir.path(),
        "nan.tsv",
        "sample\tENSG1\tENSG2\nA\t1\t2\nB\tNaN\t2\n",
    );
    let err = tsv::read_matrix(&path, MatrixOptions::samples_in_rows()).unwrap_err();
    assert!(matches!(err.kind, ErrorKind::NotFinite { .. }), "{err}");
    assert_at_line(&err, &path, 3);
}

#[test]
fn duplicate_gene_id_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_text(
        dir.path(),
        "dg.tsv",
        "gene_id\ta\nENSG1\t1\nENSG2\t1\nENSG1\t5\n",
    );
    let err = read_genes_in_rows(&path).unwrap_err();
    assert!(
        matches!(&err.kind, ErrorKind::DuplicateGene { id, first } if id == "ENSG1" && first == "line 2"),
        "{err}"
    );
    assert_at_line(&err, &path, 4);
    // Two versions of one gene are one gene once versions are stripped.
    let path = write_text(
        dir.path(),
        "dv.tsv",
        "gene_id\ta\nENSG0001.1\t1\nENSG0001.2\t1\n",
    );
    let err = read_genes_in_rows(&path).unwrap_err();
    assert!(matches!(err.kind, ErrorKind::DuplicateGene { .. }), "{err}");
    assert_at_line(&err, &path, 3);
    // Samples in rows: the duplicate is in the header.
    let path = write_text(dir.path(), "dh.tsv", "sample\tENSG1\tENSG1\nA\t1\t2\n");
    let err = tsv::read_matrix(&path, MatrixOptions::samples_in_rows()).unwrap_err();
    assert!(err.to_string().contains("column 3"), "{err}");
}

#[test]
fn duplicate_sample_id_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_text(dir.path(), "ds.tsv", "gene_id\tA\tB\tA\nENSG1\t1\t2\t3\n");
    let err = read_genes_in_rows(&path).unwrap_err();
    assert!(
        matches!(&err.kind, ErrorKind::DuplicateSample { id } if id == "A"),
        "{err}"
    );
    assert_at_line(&err, &path, 1);
    let path = write_text(dir.path(), "ds2.tsv", "sample\tENSG1\nA\t1\nA\t2\n");
    let err = tsv::read_matrix(&path, MatrixOptions::samples_in_rows()).unwrap_err();
    assert!(
        matches!(err.kind, ErrorKind::DuplicateSample { .. }),
        "{err}"
    );
    assert_at_line(&err, &path, 3);
}

#[test]
fn missing_header_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_text(dir.path(), "nh.tsv", "ENSG1\t1\t2\nENSG2\t3\t4\n");
    let err = read_genes_in_rows(&path).unwrap_err();
    assert!(matches!(err.kind, ErrorKind::MissingHeader { .. }), "{err}");
    assert_at_line(&err, &path, 1);
}

#[test]
fn empty_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_text(dir.path(), "empty.tsv", "");
    let err = read_genes_in_rows(&path).unwrap_err();
    assert!(matches!(err.kind, ErrorKind::Empty), "{err}");
    assert!(err.to_string().contains("empty.tsv"));
    let gz = dir.path().join("empty.tsv.gz");
    let enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::fs::write(&gz, enc.finish().unwrap()).unwrap();
    assert!(matches!(
        read_genes_in_rows(&gz).unwrap_err().kind,
        ErrorKind::Empty
    ));
    let header_only = write_text(dir.path(), "h.tsv", "gene_id\tA\n");
    assert!(matches!(
        read_genes_in_rows(&header_only).unwrap_err().kind,
        ErrorKind::Malformed(_)
    ));
}

#[test]
fn label_table_errors_name_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let ragged = write_text(dir.path(), "l.tsv", "sample\tsex\nA\tfemale\nB\n");
    let err = tsv::read_label_table(&ragged).unwrap_err();
    assert_at_line(&err, &ragged, 3);
    let dup = write_text(dir.path(), "d.tsv", "sample\tsex\nA\tfemale\nA\tmale\n");
    let err = tsv::read_label_table(&dup).unwrap_err();
    assert!(matches!(err.kind, ErrorKind::DuplicateSample { .. }));
    assert_at_line(&err, &dup, 3);
    let no_columns = write_text(dir.path(), "n.tsv", "sample\nA\n");
    assert!(matches!(
        tsv::read_label_table(&no_columns).unwrap_err().kind,
        ErrorKind::MissingHeader { .. }
    ));
    let empty = write_text(dir.path(), "e.tsv", "");
    assert!(matches!(
        tsv::read_label_table(&empty).unwrap_err().kind,
        ErrorKind::Empty
    ));
}

#[test]
fn unreadable_labels_are_reported_not_guessed() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_text(
        dir.path(),
        "l.tsv",
        "sample\tgender\tsample_type\nA\tF\tcell line\nB\tunknown\tblob\n",
    );
    let table = tsv::read_label_table(&path).unwrap();
    let mut samples = vec![
        rnameta_core::SampleMeta::new("A", DataSource::Sra),
        rnameta_core::SampleMeta::new("B", DataSource::Sra),
        rnameta_core::SampleMeta::new("C", DataSource::Sra),
    ];
    let report = tsv::apply_labels(&mut samples, &table);
    assert_eq!(samples[0].sex, Some(Sex::Female));
    assert_eq!(
        samples[0].sample_source,
        Some(rnameta_core::SampleSource::CellLine)
    );
    assert_eq!(samples[1].sex, None);
    assert_eq!(report.missing_samples, ["C"]);
    assert_eq!(report.unparsable.len(), 2);
}

#[test]
fn invalid_utf8_is_refused_with_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bin.tsv");
    let mut f = std::fs::File::create(&path).unwrap();
    f.write_all(b"gene_id\ta\nENSG1\t\xff\xfe\n").unwrap();
    let err = read_genes_in_rows(&path).unwrap_err();
    assert_at_line(&err, &path, 2);
}

#[test]
fn a_source_column_gives_the_sample_source() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_text(
        dir.path(),
        "l.tsv",
        "sample\tsource\nA\tcell line\nB\tbiopsy\n",
    );
    let table = tsv::read_label_table(&path).unwrap();
    let mut samples = vec![
        rnameta_core::SampleMeta::new("A", DataSource::Sra),
        rnameta_core::SampleMeta::new("B", DataSource::Sra),
    ];
    let report = tsv::apply_labels(&mut samples, &table);
    assert_eq!(
        samples[0].sample_source,
        Some(rnameta_core::SampleSource::CellLine)
    );
    assert_eq!(
        samples[1].sample_source,
        Some(rnameta_core::SampleSource::Biopsy)
    );
    assert!(
        report
            .columns_used
            .contains(&("sample_source".to_owned(), "source".to_owned())),
        "{:?}",
        report.columns_used
    );
}

#[test]
fn a_sample_type_column_keeps_precedence_over_source() {
    // A table with both: `sample_type` was read before `source` was known, and still is.
    let dir = tempfile::tempdir().unwrap();
    let path = write_text(
        dir.path(),
        "l.csv",
        "sample,source,sample_type\nA,GEO,primary cells\n",
    );
    let table = tsv::read_label_table(&path).unwrap();
    let mut samples = vec![rnameta_core::SampleMeta::new("A", DataSource::Sra)];
    let report = tsv::apply_labels(&mut samples, &table);
    assert_eq!(
        samples[0].sample_source,
        Some(rnameta_core::SampleSource::PrimaryCells)
    );
    assert!(report.unparsable.is_empty(), "{:?}", report.unparsable);
}

#[test]
fn metasra_sample_types_in_a_table_are_understood() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_text(
        dir.path(),
        "l.tsv",
        "sample\tsample_type\nA\tprimary cells\nB\tstem cells\nC\tin vitro differentiated cells\n\
         D\tinduced pluripotent stem cell line\nE\ttissue\n",
    );
    let table = tsv::read_label_table(&path).unwrap();
    let mut samples: Vec<_> = ["A", "B", "C", "D", "E"]
        .iter()
        .map(|id| rnameta_core::SampleMeta::new(*id, DataSource::Sra))
        .collect();
    let report = tsv::apply_labels(&mut samples, &table);
    assert!(report.unparsable.is_empty(), "{:?}", report.unparsable);
    let got: Vec<&str> = samples
        .iter()
        .map(|s| s.sample_source.map_or("none", |s| s.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            "primary_cells",
            "stem_cells",
            "in_vitro_differentiated_cells",
            "induced_pluripotent_stem_cells",
            "biopsy"
        ]
    );
}

#[test]
fn a_named_sample_id_column_is_used_wherever_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_text(
        dir.path(),
        "l.tsv",
        "tissue\tgender\tRun\nlung\tF\tSRR1\nliver\tM\tSRR2\n",
    );
    let table = tsv::read_label_table(&path).unwrap();
    assert_eq!(table.sample_ids().collect::<Vec<_>>(), ["SRR1", "SRR2"]);
    assert_eq!(table.columns(), ["tissue", "gender"]);
    assert_eq!(table.get("SRR2", "tissue"), Some("liver"));
    let mut samples = vec![rnameta_core::SampleMeta::new("SRR1", DataSource::Sra)];
    let report = tsv::apply_labels(&mut samples, &table);
    assert!(report.missing_samples.is_empty());
    assert_eq!(samples[0].tissue.as_deref(), Some("lung"));
    assert_eq!(samples[0].sex, Some(Sex::Female));
}

#[test]
fn the_first_column_stays_the_sample_id_without_a_named_one() {
    let dir = tempfile::tempdir().unwrap();
    // `id` is not in the list; the first column is the id as before. A first column that is
    // itself a recognised name wins over a later one (`sample_id` before `run`).
    let plain = write_text(dir.path(), "p.tsv", "id\ttissue\nA\tlung\n");
    let table = tsv::read_label_table(&plain).unwrap();
    assert_eq!(table.sample_ids().collect::<Vec<_>>(), ["A"]);
    assert_eq!(table.columns(), ["tissue"]);
    let both = write_text(
        dir.path(),
        "b.tsv",
        "sample_id\trun\ttissue\nS1\tSRR1\tlung\n",
    );
    let table = tsv::read_label_table(&both).unwrap();
    assert_eq!(table.sample_ids().collect::<Vec<_>>(), ["S1"]);
    assert_eq!(table.columns(), ["run", "tissue"]);
}
