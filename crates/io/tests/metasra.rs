//! MetaSRA JSON: the hand-made fixture in the release layout, filling sample metadata, the
//! writer round-trip, and bad input.

mod common;

use common::write_text;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use rnameta_core::{DataSource, SampleMeta, SampleSource, Sex};
use rnameta_io::metasra::{
    fill_sample_metas, read_metasra, write_metasra, MetaSraSample, RealValueProperty, SexEvidence,
};
use rnameta_io::{ErrorKind, Location};

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/metasra/metasra_small.json"
);

#[test]
fn reads_release_layout() {
    let metasra = read_metasra(Path::new(FIXTURE)).unwrap();
    assert_eq!(metasra.len(), 6);
    let ids: Vec<&str> = metasra
        .samples()
        .iter()
        .map(|s| s.accession.as_str())
        .collect();
    assert_eq!(ids[0], "SRS1127403", "file order is kept");
    let lung = metasra.get("SRS1127403").unwrap();
    assert_eq!(lung.sample_source(), Some(SampleSource::Biopsy));
    assert_eq!(lung.sample_type_confidence, Some(0.9812));
    assert_eq!(lung.sex(), Some(Sex::Female));
    assert_eq!(lung.mapped_terms.len(), 5);
    assert_eq!(
        lung.real_value_properties,
        vec![RealValueProperty {
            property_id: "EFO:0000246".into(),
            unit_id: Some("UO:0000036".into()),
            value: 54.0
        }]
    );
    let hela = metasra.get("SRS2204211").unwrap();
    assert_eq!(hela.sample_source(), Some(SampleSource::CellLine));
    assert_eq!(hela.sex(), Some(Sex::Female));
    let pooled = metasra.get("SRS3055871").unwrap();
    assert_eq!(pooled.sex_evidence(), SexEvidence::Conflict);
    assert_eq!(pooled.sex(), None);
    assert_eq!(
        pooled.sample_source(),
        Some(SampleSource::PrimaryCells),
        "primary cells are a sample source of their own, neither biopsy nor cell line"
    );
    let brain = metasra.get("SRS0912346").unwrap();
    assert_eq!(brain.sex_evidence(), SexEvidence::Unstated);
    let ipsc = metasra.get("SRS1594512").unwrap();
    assert_eq!(ipsc.sample_source(), Some(SampleSource::InducedPluripotent));
    assert_eq!(ipsc.real_value_properties[0].unit_id, None);
}

#[test]
fn fills_sample_metadata_by_accession() {
    let metasra = read_metasra(Path::new(FIXTURE)).unwrap();
    let mut by_attribute = SampleMeta::new("SRR2925700", DataSource::Sra);
    by_attribute
        .attributes
        .insert("sample_acc".into(), "SRS1127404".into());
    let mut already_male = SampleMeta::new("SRS2204211", DataSource::Sra);
    already_male.sex = Some(Sex::Male);
    let mut samples = vec![
        SampleMeta::new("SRS1127403", DataSource::Sra),
        by_attribute,
        already_male,
        SampleMeta::new("SRS3055871", DataSource::Sra),
        SampleMeta::new("SRS0912346", DataSource::Sra),
        SampleMeta::new("SRS1594512", DataSource::Sra),
        SampleMeta::new("SRS9999999", DataSource::Sra),
    ];
    let tissues = BTreeMap::from([
        ("UBERON:0002048".to_owned(), "lung".to_owned()),
        ("UBERON:0002107".to_owned(), "liver".to_owned()),
        ("UBERON:0000955".to_owned(), "brain".to_owned()),
        ("UBERON:0000178".to_owned(), "blood".to_owned()),
        ("CL:0000236".to_owned(), "b cell".to_owned()),
    ]);
    let report = fill_sample_metas(&mut samples, &metasra, &tissues);
    assert_eq!(report.matched, 6);
    assert_eq!(report.unmatched, vec!["SRS9999999".to_owned()]);
    assert_eq!(report.sex_conflicts, vec!["SRS3055871".to_owned()]);
    assert_eq!(report.tissue_conflicts, vec!["SRS3055871".to_owned()]);

    let lung = &samples[0];
    assert_eq!(
        (
            lung.sex,
            lung.sample_source,
            lung.sample_source_confidence,
            lung.tissue.as_deref()
        ),
        (
            Some(Sex::Female),
            Some(SampleSource::Biopsy),
            Some(0.9812),
            Some("lung")
        )
    );
    assert_eq!(
        lung.attributes["metasra_real_value:EFO:0000246"],
        "54 UO:0000036"
    );
    assert_eq!(samples[1].tissue.as_deref(), Some("liver"));
    assert_eq!(samples[1].sex, Some(Sex::Male));
    assert_eq!(
        samples[2].sex,
        Some(Sex::Male),
        "an existing annotation is kept"
    );
    assert_eq!(samples[2].sample_source, Some(SampleSource::CellLine));
    assert_eq!(samples[3].sex, None);
    assert_eq!(samples[3].tissue, None);
    assert_eq!(samples[3].attributes["metasra_sex"], "conflict");
    assert_eq!(samples[4].sex, None);
    assert_eq!(samples[4].tissue.as_deref(), Some("brain"));
    assert_eq!(
        samples[5].sample_source,
        Some(SampleSource::InducedPluripotent)
    );
    assert_eq!(
        samples[5].attributes["metasra_sample_type"],
        "induced pluripotent stem cell line"
    );
    assert_eq!(samples[6], SampleMeta::new("SRS9999999", DataSource::Sra));
}

#[test]
fn detailed_term_objects_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_text(
        dir.path(),
        "detailed.json",
        r#"{"SRS1": {"mapped ontology terms": [{"term_id": "UBERON:0003101", "term_name": "male organism", "consequent": false}],
            "real-value properties": [], "sample type": "tissue", "sample-type confidence": 0.5}}"#,
    );
    let metasra = read_metasra(&path).unwrap();
    assert_eq!(metasra.get("SRS1").unwrap().sex(), Some(Sex::Male));
}

#[test]
fn written_file_round_trips_exactly() {
    let original = read_metasra(Path::new(FIXTURE)).unwrap();
    let mut samples = original.samples().to_vec();
    samples.push(MetaSraSample {
        accession: "SRS7".into(),
        mapped_terms: vec![],
        sample_type: None,
        sample_type_confidence: None,
        real_value_properties: vec![RealValueProperty {
            property_id: "EFO:0000246".into(),
            unit_id: None,
            value: 0.1 + 0.2,
        }],
    });
    let dir = tempfile::tempdir().unwrap();
    for name in ["out.json", "out.json.gz"] {
        let path = dir.path().join(name);
        write_metasra(&path, &samples).unwrap();
        assert_eq!(read_metasra(&path).unwrap().samples(), samples.as_slice());
    }
}

fn error_of(content: &str) -> rnameta_io::Error {
    let dir = tempfile::tempdir().unwrap();
    let path = write_text(dir.path(), "metasra.json", content);
    read_metasra(&path).unwrap_err()
}

#[test]
fn bad_json_gives_line_and_column() {
    let err = error_of("{\n  \"SRS1\": {\"sample type\": \"tissue\",}\n}\n");
    assert!(
        matches!(err.kind, ErrorKind::Json(ref m) if m.contains("column")),
        "{err}"
    );
    assert_eq!(err.location, Location::Line(2), "{err}");
    assert!(err.to_string().contains("metasra.json:2"), "{err}");
}

#[test]
fn wrong_shape_gives_line() {
    let err = error_of("{\n \"SRS1\": {\"sample-type confidence\": \"high\"}\n}");
    assert!(matches!(err.kind, ErrorKind::Json(_)), "{err}");
    assert_eq!(err.location, Location::Line(2), "{err}");
}

#[test]
fn duplicate_accession_is_refused_with_line() {
    let err = error_of("{\n\"SRS1\": {},\n\"SRS2\": {},\n\"SRS1\": {}\n}");
    assert!(
        matches!(err.kind, ErrorKind::Json(ref m) if m.contains("SRS1")),
        "{err}"
    );
    assert_eq!(err.location, Location::Line(4), "{err}");
}

#[test]
fn confidence_outside_unit_interval_names_sample() {
    let err = error_of(r#"{"SRS1": {"sample type": "tissue", "sample-type confidence": 1.5}}"#);
    assert!(matches!(err.kind, ErrorKind::Malformed(_)), "{err}");
    assert_eq!(err.location, Location::Sample("SRS1".into()));
    assert!(err.to_string().contains("sample SRS1"), "{err}");
}

#[test]
fn empty_file_is_refused() {
    let err = error_of("");
    assert!(matches!(err.kind, ErrorKind::Empty), "{err}");
    assert!(err.to_string().contains("metasra.json"), "{err}");
}

#[test]
fn truncated_gzip_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cut.json.gz");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    write!(enc, "{{").unwrap();
    for i in 0..5000 {
        let sep = if i == 0 { "" } else { "," };
        writeln!(
            enc,
            "{sep}\"SRS{i}\": {{\"mapped ontology terms\": [\"UBERON:{i:07}\"], \"sample type\": \"tissue\", \"sample-type confidence\": 0.{i}}}"
        )
        .unwrap();
    }
    write!(enc, "}}").unwrap();
    let bytes = enc.finish().unwrap();
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    let err = read_metasra(&path).unwrap_err();
    assert!(matches!(err.kind, ErrorKind::TruncatedGzip(_)), "{err}");
    assert!(err.to_string().contains("cut.json.gz"), "{err}");
}

#[test]
fn every_metasra_sample_type_is_read_as_the_label_tables_read_it() {
    // One reading of MetaSRA's sample types: the JSON reader and a label table agree.
    for (sample_type, want) in [
        ("tissue", SampleSource::Biopsy),
        ("cell line", SampleSource::CellLine),
        ("primary cells", SampleSource::PrimaryCells),
        ("stem cells", SampleSource::StemCells),
        (
            "in vitro differentiated cells",
            SampleSource::InVitroDifferentiated,
        ),
        (
            "induced pluripotent stem cell line",
            SampleSource::InducedPluripotent,
        ),
    ] {
        let sample = MetaSraSample {
            accession: "SRS1".into(),
            mapped_terms: Vec::new(),
            sample_type: Some(sample_type.to_owned()),
            sample_type_confidence: None,
            real_value_properties: Vec::new(),
        };
        assert_eq!(sample.sample_source(), Some(want), "{sample_type:?}");
        assert_eq!(SampleSource::parse_loose(sample_type), Some(want));
    }
}
