//! GTEx SampleAttributesDS / SubjectPhenotypesDS: donors from sample ids, reading, writing, and
//! filling tissue and sex into samples, checked on the real GTEx lung sample ids of the fixtures.

mod common;

use common::{assert_names, write_text};
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use rnameta_core::{DataSource, SampleMeta, Sex};
use rnameta_io::gtex::{
    fill_sample_meta, read_sample_attributes, read_subject_phenotypes, sample_attributes_table,
    subject_id, subject_phenotypes_table, write_sample_attributes, write_subject_phenotypes,
    AGE_KEY, DTHHRDY_KEY, SUBJECT_KEY,
};
use rnameta_io::recount3::GTEX_SMTSD;
use rnameta_io::ErrorKind;

const LUNG_SAMPLES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/real/gtex_lung30_samples.tsv.gz"
);

/// (sample, donor, tissue) rows of the real fixture.
fn lung_samples() -> Vec<(String, String, String)> {
    let reader = rnameta_io::source::open(Path::new(LUNG_SAMPLES)).unwrap();
    let mut lines = reader.lines();
    assert_eq!(
        lines.next().unwrap().unwrap(),
        "sample\tdonor\ttissue\tsource"
    );
    lines
        .map(|l| {
            let l = l.unwrap();
            let f: Vec<&str> = l.split('\t').collect();
            (f[0].to_owned(), f[1].to_owned(), f[2].to_owned())
        })
        .collect()
}

#[test]
fn subject_of_every_real_lung_sample_is_its_donor() {
    let rows = lung_samples();
    assert_eq!(rows.len(), 30);
    for (sample, donor, _) in &rows {
        assert_eq!(subject_id(sample), Some(donor.as_str()), "{sample}");
    }
    assert_eq!(subject_id("GTEX-111CU-0326-SM-5GZXO"), Some("GTEX-111CU"));
}

/// Attribute and phenotype files for the 30 real sample ids. Tissue is the fixture's; the sex,
/// age and Hardy values are made up for the test (the fixture does not carry them): donors
/// alternate male / female.
fn write_annotation(
    dir: &Path,
    skip_sample: Option<usize>,
    skip_donor: Option<usize>,
) -> (PathBuf, PathBuf) {
    let rows = lung_samples();
    let mut attributes = String::from("SAMPID\tSMATSSCR\tSMCENTER\tSMTS\tSMTSD\tSMRIN\n");
    let mut phenotypes = String::from("SUBJID\tSEX\tAGE\tDTHHRDY\n");
    for (i, (sample, donor, tissue)) in rows.iter().enumerate() {
        if skip_sample != Some(i) {
            attributes.push_str(&format!("{sample}\t1\tB1\t{tissue}\t{tissue}\t7.{i}\n"));
        }
        if skip_donor != Some(i) {
            let sex = if i % 2 == 0 { 1 } else { 2 };
            let hardy = if i % 3 == 0 {
                String::new()
            } else {
                (i % 5).to_string()
            };
            phenotypes.push_str(&format!(
                "{donor}\t{sex}\t{}0-{}9\t{hardy}\n",
                2 + i % 5,
                2 + i % 5
            ));
        }
    }
    (
        write_text(dir, "SampleAttributesDS.txt", &attributes),
        write_text(dir, "SubjectPhenotypesDS.txt", &phenotypes),
    )
}

#[test]
fn fills_tissue_and_sex_of_the_real_lung_samples() {
    let dir = tempfile::tempdir().unwrap();
    let (attr_path, pheno_path) = write_annotation(dir.path(), None, None);
    let attributes = read_sample_attributes(&attr_path).unwrap();
    let phenotypes = read_subject_phenotypes(&pheno_path).unwrap();
    assert_eq!((attributes.n_rows(), phenotypes.n_rows()), (30, 30));
    let rows = lung_samples();
    let mut samples: Vec<SampleMeta> = rows
        .iter()
        .map(|(s, _, _)| SampleMeta::new(s, DataSource::Other))
        .collect();
    let report = fill_sample_meta(&mut samples, &attributes, &phenotypes).unwrap();
    assert!(report.is_complete(), "{report:?}");
    assert_eq!(report.filled, 30);
    report.require_complete(&attributes, &phenotypes).unwrap();
    for (i, (s, (_, donor, tissue))) in samples.iter().zip(&rows).enumerate() {
        assert_eq!(s.data_source, DataSource::Gtex);
        assert_eq!(s.tissue.as_deref(), Some(tissue.as_str()));
        assert_eq!(
            s.sex,
            Some(if i % 2 == 0 { Sex::Male } else { Sex::Female })
        );
        assert_eq!(s.attributes.get(SUBJECT_KEY), Some(donor));
        assert_eq!(
            s.attributes.get(GTEX_SMTSD).map(String::as_str),
            Some("Lung")
        );
        assert_eq!(
            s.attributes.contains_key(DTHHRDY_KEY),
            i % 3 != 0,
            "empty Hardy is not kept"
        );
    }
    assert_eq!(
        samples[0].attributes.get(AGE_KEY).map(String::as_str),
        Some("20-29")
    );
    let males = samples.iter().filter(|s| s.sex == Some(Sex::Male)).count();
    assert_eq!(males, 15);
}

#[test]
fn samples_without_rows_are_reported_not_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let (attr_path, pheno_path) = write_annotation(dir.path(), Some(3), Some(7));
    let attributes = read_sample_attributes(&attr_path).unwrap();
    let phenotypes = read_subject_phenotypes(&pheno_path).unwrap();
    let rows = lung_samples();
    let mut samples: Vec<SampleMeta> = rows
        .iter()
        .map(|(s, _, _)| SampleMeta::new(s, DataSource::Other))
        .collect();
    samples.push(SampleMeta::new("NODASH", DataSource::Other));
    let report = fill_sample_meta(&mut samples, &attributes, &phenotypes).unwrap();
    assert!(!report.is_complete());
    assert_eq!(report.filled, 28);
    assert_eq!(report.missing_attributes, [rows[3].0.clone()]);
    assert_eq!(
        report.missing_phenotypes,
        [(rows[7].0.clone(), rows[7].1.clone())]
    );
    assert_eq!(report.no_subject, ["NODASH"]);
    assert_eq!(
        samples[3].tissue, None,
        "an unmatched sample keeps what it had"
    );
    let err = report
        .require_complete(&attributes, &phenotypes)
        .unwrap_err();
    assert!(matches!(err.kind, ErrorKind::Missing(_)), "{err}");
    assert_names(
        &err,
        "SampleAttributesDS.txt",
        &format!("(sample {})", rows[3].0),
    );
}

#[test]
fn tables_round_trip_through_files() {
    let dir = tempfile::tempdir().unwrap();
    let (attr_path, pheno_path) = write_annotation(dir.path(), None, None);
    let attributes = read_sample_attributes(&attr_path).unwrap();
    let phenotypes = read_subject_phenotypes(&pheno_path).unwrap();
    let (a2, p2) = (dir.path().join("attr.txt.gz"), dir.path().join("pheno.txt"));
    write_sample_attributes(&a2, &attributes).unwrap();
    write_subject_phenotypes(&p2, &phenotypes).unwrap();
    let (a3, p3) = (
        read_sample_attributes(&a2).unwrap(),
        read_subject_phenotypes(&p2).unwrap(),
    );
    assert_eq!(
        (a3.columns(), a3.rows()),
        (attributes.columns(), attributes.rows())
    );
    assert_eq!(
        (p3.columns(), p3.rows()),
        (phenotypes.columns(), phenotypes.rows())
    );
    assert_eq!(
        std::fs::read_to_string(&p2).unwrap(),
        std::fs::read_to_string(&pheno_path).unwrap()
    );
    // Keyed by the wrong column: refused.
    let err = write_sample_attributes(&dir.path().join("x.txt"), &phenotypes).unwrap_err();
    assert!(matches!(err.kind, ErrorKind::Malformed(_)), "{err}");
}

#[test]
fn tables_built_from_samples_fill_back_the_same_samples() {
    let dir = tempfile::tempdir().unwrap();
    let (attr_path, pheno_path) = write_annotation(dir.path(), None, None);
    let mut filled: Vec<SampleMeta> = lung_samples()
        .iter()
        .map(|(s, _, _)| SampleMeta::new(s, DataSource::Other))
        .collect();
    fill_sample_meta(
        &mut filled,
        &read_sample_attributes(&attr_path).unwrap(),
        &read_subject_phenotypes(&pheno_path).unwrap(),
    )
    .unwrap();
    let (a, p) = (dir.path().join("a.txt"), dir.path().join("p.txt"));
    write_sample_attributes(&a, &sample_attributes_table(&filled).unwrap()).unwrap();
    write_subject_phenotypes(&p, &subject_phenotypes_table(&filled).unwrap()).unwrap();
    let mut again: Vec<SampleMeta> = filled
        .iter()
        .map(|s| SampleMeta::new(&s.sample_id, DataSource::Other))
        .collect();
    let report = fill_sample_meta(
        &mut again,
        &read_sample_attributes(&a).unwrap(),
        &read_subject_phenotypes(&p).unwrap(),
    )
    .unwrap();
    assert!(report.is_complete());
    assert_eq!(again, filled);
    // Two samples of one donor that disagree on sex cannot make one phenotype row.
    let mut clash = filled[..1].to_vec();
    let mut other = clash[0].clone();
    other.sample_id = format!("{}-X", clash[0].sample_id);
    other.sex = Some(Sex::Female);
    clash.push(other);
    assert!(subject_phenotypes_table(&clash).is_err());
}

#[test]
fn bad_sex_code_names_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_text(
        dir.path(),
        "SubjectPhenotypesDS.txt",
        "SUBJID\tSEX\tAGE\tDTHHRDY\nGTEX-1\t1\t60-69\t2\nGTEX-2\tmale\t60-69\t2\n",
    );
    let err = read_subject_phenotypes(&path).unwrap_err();
    assert!(matches!(err.kind, ErrorKind::Malformed(_)), "{err}");
    assert_names(&err, "SubjectPhenotypesDS.txt", ":3");
}

#[test]
fn missing_required_columns() {
    let dir = tempfile::tempdir().unwrap();
    let attr = write_text(
        dir.path(),
        "SampleAttributesDS.txt",
        "SAMPID\tSMTSD\nGTEX-1-1\tLung\n",
    );
    let err = read_sample_attributes(&attr).unwrap_err();
    assert!(matches!(err.kind, ErrorKind::Missing(_)), "{err}");
    assert_names(&err, "SampleAttributesDS.txt", "SMTS");
    let pheno = write_text(
        dir.path(),
        "SubjectPhenotypesDS.txt",
        "SUBJID\tAGE\nGTEX-1\t60-69\n",
    );
    let err = read_subject_phenotypes(&pheno).unwrap_err();
    assert_names(&err, "SubjectPhenotypesDS.txt", "SEX");
}

#[test]
fn truncated_gzip() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("SAMPID\tSMTS\tSMTSD\n");
    for i in 0..5000 {
        text.push_str(&format!("GTEX-{i:05}-0001-SM-{:05}\tLung\tLung\n", i * 17));
    }
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(text.as_bytes()).unwrap();
    let bytes = enc.finish().unwrap();
    let path = dir.path().join("SampleAttributesDS.txt.gz");
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    let err = read_sample_attributes(&path).unwrap_err();
    assert!(matches!(err.kind, ErrorKind::TruncatedGzip(_)), "{err}");
    assert_names(&err, "SampleAttributesDS.txt.gz", ":");
}

#[test]
fn ragged_row() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_text(
        dir.path(),
        "SampleAttributesDS.txt",
        "SAMPID\tSMTS\tSMTSD\nGTEX-1-1\tLung\n",
    );
    let err = read_sample_attributes(&path).unwrap_err();
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
    assert_names(&err, "SampleAttributesDS.txt", ":2");
}

#[test]
fn duplicate_sample() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_text(
        dir.path(),
        "SampleAttributesDS.txt",
        "SAMPID\tSMTS\tSMTSD\nGTEX-1-1\tLung\tLung\nGTEX-1-1\tLiver\tLiver\n",
    );
    let err = read_sample_attributes(&path).unwrap_err();
    assert!(
        matches!(&err.kind, ErrorKind::DuplicateSample { id } if id == "GTEX-1-1"),
        "{err}"
    );
    assert_names(&err, "SampleAttributesDS.txt", ":3");
    let pheno = write_text(
        dir.path(),
        "SubjectPhenotypesDS.txt",
        "SUBJID\tSEX\nGTEX-1\t1\nGTEX-1\t2\n",
    );
    let err = read_subject_phenotypes(&pheno).unwrap_err();
    assert!(
        matches!(err.kind, ErrorKind::DuplicateSample { .. }),
        "{err}"
    );
    assert_names(&err, "SubjectPhenotypesDS.txt", ":3");
}

#[test]
fn missing_header() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_text(
        dir.path(),
        "SampleAttributesDS.txt",
        "GTEX-1-1\tLung\tLung\n",
    );
    let err = read_sample_attributes(&path).unwrap_err();
    assert!(matches!(err.kind, ErrorKind::MissingHeader { .. }), "{err}");
    assert_names(&err, "SampleAttributesDS.txt", ":1");
}

#[test]
fn empty_file() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["SampleAttributesDS.txt", "SubjectPhenotypesDS.txt"] {
        let path = write_text(dir.path(), name, "");
        let err = if name.starts_with("Sample") {
            read_sample_attributes(&path).unwrap_err()
        } else {
            read_subject_phenotypes(&path).unwrap_err()
        };
        assert!(matches!(err.kind, ErrorKind::Empty), "{err}");
        assert_names(&err, name, "empty");
    }
}
