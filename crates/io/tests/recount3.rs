//! recount3 gene sums, count conversions, metadata tables and `sample_attributes`.

mod common;

use common::{assert_names, write_text};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use ndarray::array;
use rnameta_core::{DataSource, GeneAnnotation, GeneInfo, SampleMeta, SampleSource, Sex};
use rnameta_io::recount3::{
    apply_sample_meta, format_sample_attributes, parse_sample_attributes, read_gene_sums,
    read_metadata_table, sample_meta, table_from_samples, write_gene_sums, write_metadata_table,
    FileName, GeneSums, GeneSumsHeader, MetadataTable, Recount3Table, DEFAULT_TARGET_SIZE, RAIL_ID,
};
use rnameta_io::{Error, ErrorKind};

// ---------------------------------------------------------------- helpers

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

/// A gzip file cut in half: the stream ends in the middle of a deflate block.
fn write_truncated_gz(dir: &Path, name: &str, text: &str) -> PathBuf {
    let bytes = gzip(text.as_bytes());
    let path = dir.join(name);
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    path
}

const HEAD: &str = "##annotation=G026\n##date.generated=2020-06-05\n";

fn gene_sums_text(body: &str) -> String {
    format!("{HEAD}gene_id\tSRR1\tSRR2\n{body}")
}

fn read_err(dir: &Path, name: &str, text: &str) -> Error {
    let path = write_text(dir, name, text);
    read_gene_sums(&path).expect_err("bad input must be refused")
}

fn example_sums() -> GeneSums {
    let genes = GeneAnnotation::new(vec![
        GeneInfo::from_id("ENSG00000278704.1"),
        GeneInfo::from_id("ENSG00000002586.18_PAR_Y"),
        GeneInfo::from_id("ENSG00000000003.14"),
    ])
    .unwrap();
    let samples = vec![
        SampleMeta::new("SRR5467448", DataSource::Sra),
        SampleMeta::new("SRR5467449", DataSource::Sra),
    ];
    // 4_294_967_297 = 2^32 + 1 and 16_777_217 = 2^24 + 1: not representable in f32, kept in f64.
    let sums = array![[0.0, 4_294_967_297.0, 12.0], [16_777_217.0, 3.0, 250.0]];
    let header = GeneSumsHeader {
        annotation: "G026".into(),
        date_generated: "2020-06-05".into(),
    };
    GeneSums::new(header, genes, samples, sums).unwrap()
}

// ---------------------------------------------------------------- gene sums

#[test]
fn gene_sums_round_trip_exactly_plain_and_gzip() {
    let dir = tempfile::tempdir().unwrap();
    let sums = example_sums();
    for name in ["sra.gene_sums.SRP107565.G026.gz", "plain_gene_sums.tsv"] {
        let path = dir.path().join(name);
        write_gene_sums(&path, &sums).unwrap();
        let back = read_gene_sums(&path).unwrap();
        assert_eq!(back.header, sums.header);
        assert_eq!(
            back.sums(),
            sums.sums(),
            "values must come back exactly, past 2^24 too"
        );
        assert_eq!(back.sums()[[0, 1]], 4_294_967_297.0);
        assert_eq!(back.genes(), sums.genes());
        let ids: Vec<&str> = back
            .samples()
            .iter()
            .map(|s| s.sample_id.as_str())
            .collect();
        assert_eq!(ids, ["SRR5467448", "SRR5467449"]);
        // Writing what was read gives the same bytes.
        let again = dir.path().join(format!("again_{name}"));
        write_gene_sums(&again, &back).unwrap();
        let text = |p: &Path| {
            let mut s = String::new();
            std::io::Read::read_to_string(&mut rnameta_io::source::open(p).unwrap(), &mut s)
                .unwrap();
            s
        };
        assert_eq!(text(&again), text(&path));
    }
    let text = std::fs::read_to_string(dir.path().join("plain_gene_sums.tsv")).unwrap();
    assert!(text.starts_with(
        "##annotation=G026\n##date.generated=2020-06-05\ngene_id\tSRR5467448\tSRR5467449\nENSG00000278704.1\t0\t16777217\n"
    ));
}

#[test]
fn gene_sums_keep_versioned_ids_and_read_source_from_file_name() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_text(
        dir.path(),
        "sra.gene_sums.SRP107565.G026.gz",
        &gene_sums_text("ENSG00000278704.1\t0\t12\nENSG00000002586.18_PAR_Y\t7\t1e3\n"),
    );
    let sums = read_gene_sums(&path).unwrap();
    let gene = sums.genes().get(0).unwrap();
    assert_eq!(gene.id, "ENSG00000278704");
    assert_eq!(gene.source_id.as_deref(), Some("ENSG00000278704.1"));
    assert_eq!(sums.genes().get(1).unwrap().id, "ENSG00000002586.18_PAR_Y");
    assert_eq!(sums.sums(), &array![[0.0, 7.0], [12.0, 1000.0]]);
    let s = &sums.samples()[1];
    assert_eq!(s.data_source, DataSource::Sra);
    assert_eq!(s.run.as_deref(), Some("SRR2"));
    assert_eq!(s.study.as_deref(), Some("SRP107565"));
    let ds = sums.to_dataset().unwrap();
    assert_eq!(ds.counts(), &array![[0.0f32, 7.0], [12.0, 1000.0]]);

    let name = FileName::parse("9f51506ef1f_sra.recount_project.DRP002835.MD.gz").unwrap();
    assert_eq!(
        (
            name.data_source,
            name.kind.as_str(),
            name.project.as_str(),
            name.suffix.as_str()
        ),
        (DataSource::Sra, "recount_project", "DRP002835", "MD")
    );
    assert_eq!(
        FileName::gene_sums(DataSource::Gtex, "LUNG", "G026"),
        "gtex.gene_sums.LUNG.G026.gz"
    );
    assert_eq!(
        Recount3Table::RecountQc.file_name(DataSource::Sra, "SRP1"),
        "sra.recount_qc.SRP1.MD.gz"
    );
    assert_eq!(FileName::parse("counts.tsv"), None);
}

fn qc_table(dir: &Path, rows: &str) -> MetadataTable {
    let path = write_text(
        dir,
        "sra.recount_qc.SRP1.MD.gz",
        &format!("rail_id\texternal_id\tstudy\tstar.average_mapped_length\tbc_auc.all_reads_all_bases\n{rows}"),
    );
    read_metadata_table(&path).unwrap()
}

fn two_sample_sums() -> GeneSums {
    let genes = GeneAnnotation::new(vec![
        GeneInfo::from_id("ENSG1.1"),
        GeneInfo::from_id("ENSG2.1"),
    ])
    .unwrap();
    let samples = vec![
        SampleMeta::new("SRR1", DataSource::Sra),
        SampleMeta::new("SRR2", DataSource::Sra),
    ];
    let header = GeneSumsHeader {
        annotation: "G026".into(),
        date_generated: "2020-06-05".into(),
    };
    GeneSums::new(
        header,
        genes,
        samples,
        array![[250.0, 75.0], [1000.0, 250.0]],
    )
    .unwrap()
}

#[test]
fn read_counts_divide_by_average_mapped_length() {
    let dir = tempfile::tempdir().unwrap();
    let qc = qc_table(
        dir.path(),
        "11\tSRR1\tSRP1\t50\t8e8\n12\tSRR2\tSRP1\t100\t2e9\n",
    );
    let sums = two_sample_sums();
    // SRR1 (length 50): 250 / 50 = 5;  75 / 50 = 1.5.
    // SRR2 (length 100): 1000 / 100 = 10;  250 / 100 = 2.5.
    let raw = sums.read_counts(&qc, false).unwrap();
    assert_eq!(raw.counts(), &array![[5.0f32, 1.5], [10.0, 2.5]]);
    // R's round() rounds half to even: 1.5 -> 2, 2.5 -> 2.
    let rounded = sums.read_counts(&qc, true).unwrap();
    assert_eq!(rounded.counts(), &array![[5.0f32, 2.0], [10.0, 2.0]]);
}

#[test]
fn transform_counts_scale_by_auc_to_target_size() {
    let dir = tempfile::tempdir().unwrap();
    let qc = qc_table(
        dir.path(),
        "11\tSRR1\tSRP1\t50\t8e8\n12\tSRR2\tSRP1\t100\t2e9\n",
    );
    let sums = two_sample_sums();
    // SRR1: factor = 4e7 / 8e8 = 0.05;  250 * 0.05 = 12.5;  75 * 0.05 = 3.75.
    // SRR2: factor = 4e7 / 2e9 = 0.02;  1000 * 0.02 = 20;   250 * 0.02 = 5.
    let raw = sums
        .transform_counts(&qc, DEFAULT_TARGET_SIZE, false)
        .unwrap();
    assert_eq!(raw.counts(), &array![[12.5f32, 3.75], [20.0, 5.0]]);
    // Rounded half to even: 12.5 -> 12, 3.75 -> 4.
    let rounded = sums
        .transform_counts(&qc, DEFAULT_TARGET_SIZE, true)
        .unwrap();
    assert_eq!(rounded.counts(), &array![[12.0f32, 4.0], [20.0, 5.0]]);
    // Another target, SRR2: factor = 1e6 / 2e9 = 0.0005;  1000 * 0.0005 = 0.5.
    let small = sums.transform_counts(&qc, 1e6, false).unwrap();
    assert_eq!(small.counts()[[1, 0]], 0.5);
    assert!(sums.transform_counts(&qc, 0.0, true).is_err());
}

#[test]
fn conversion_finds_qc_rows_by_rail_id_and_prefixed_columns() {
    let dir = tempfile::tempdir().unwrap();
    // Upstream's merged layout: keys, then `recount_qc.`-prefixed columns; gene sums named by rail_id.
    let path = write_text(
        dir.path(),
        "merged.tsv",
        "rail_id\texternal_id\tstudy\trecount_qc.star.average_mapped_length\trecount_qc.bc_auc.all_reads_all_bases\n\
         11\tSRR1\tSRP1\t50\t8e8\n12\tSRR2\tSRP1\t100\t2e9\n",
    );
    let qc = read_metadata_table(&path).unwrap();
    let mut sums = two_sample_sums();
    sums.samples_mut()[0].sample_id = "11".into();
    sums.samples_mut()[1].sample_id = "12".into();
    let counts = sums.read_counts(&qc, false).unwrap();
    assert_eq!(counts.counts(), &array![[5.0f32, 1.5], [10.0, 2.5]]);
}

#[test]
fn conversion_names_the_sample_whose_qc_value_is_unusable() {
    let dir = tempfile::tempdir().unwrap();
    let sums = two_sample_sums();
    let cases = [
        ("11\tSRR1\tSRP1\t50\t8e8\n", "missing row"),
        ("11\tSRR1\tSRP1\t50\t8e8\n12\tSRR2\tSRP1\t0\t0\n", "zero"),
        (
            "11\tSRR1\tSRP1\t50\t8e8\n12\tSRR2\tSRP1\tfifty\tx\n",
            "non-numeric",
        ),
        (
            "11\tSRR1\tSRP1\t50\t8e8\n12\tSRR2\tSRP1\tNA\t\n",
            "missing value",
        ),
        ("11\tSRR1\tSRP1\t50\t8e8\n12\tSRR2\tSRP1\tNaN\tNaN\n", "NaN"),
    ];
    for (rows, what) in cases {
        let qc = qc_table(dir.path(), rows);
        for err in [
            sums.read_counts(&qc, true).unwrap_err(),
            sums.transform_counts(&qc, DEFAULT_TARGET_SIZE, true)
                .unwrap_err(),
        ] {
            assert_names(&err, "sra.recount_qc.SRP1.MD.gz", "(sample SRR2)");
            let ok = match what {
                "missing row" | "missing value" => matches!(err.kind, ErrorKind::Missing(_)),
                "zero" => matches!(err.kind, ErrorKind::Malformed(_)),
                "non-numeric" => matches!(err.kind, ErrorKind::NotNumeric { .. }),
                _ => matches!(err.kind, ErrorKind::NotFinite { .. }),
            };
            assert!(ok, "{what}: {err}");
        }
    }
    let no_column = write_text(
        dir.path(),
        "qc2.tsv",
        "rail_id\texternal_id\tstudy\n11\tSRR1\tSRP1\n",
    );
    let qc = read_metadata_table(&no_column).unwrap();
    let err = sums.read_counts(&qc, true).unwrap_err();
    assert!(matches!(err.kind, ErrorKind::Missing(_)), "{err}");
    assert!(
        err.to_string().contains("star.average_mapped_length"),
        "{err}"
    );
}

#[test]
fn gene_sums_truncated_gzip() {
    let dir = tempfile::tempdir().unwrap();
    let mut body = String::new();
    for i in 0..5000 {
        body.push_str(&format!("ENSG{i:011}.1\t{}\t{}\n", i * 7, i * 13));
    }
    let path = write_truncated_gz(dir.path(), "cut.gene_sums.gz", &gene_sums_text(&body));
    let err = read_gene_sums(&path).unwrap_err();
    assert!(matches!(err.kind, ErrorKind::TruncatedGzip(_)), "{err}");
    assert_names(&err, "cut.gene_sums.gz", ":");
}

#[test]
fn gene_sums_ragged_row() {
    let dir = tempfile::tempdir().unwrap();
    let err = read_err(
        dir.path(),
        "ragged.tsv",
        &gene_sums_text("ENSG1.1\t1\t2\nENSG2.1\t3\n"),
    );
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
    assert_names(&err, "ragged.tsv", ":5");
}

#[test]
fn gene_sums_non_numeric() {
    let dir = tempfile::tempdir().unwrap();
    let err = read_err(
        dir.path(),
        "text.tsv",
        &gene_sums_text("ENSG1.1\t1\tmany\n"),
    );
    assert!(matches!(err.kind, ErrorKind::NotNumeric { .. }), "{err}");
    assert_names(&err, "text.tsv", ":4");
}

#[test]
fn gene_sums_fraction_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let err = read_err(dir.path(), "frac.tsv", &gene_sums_text("ENSG1.1\t1\t2.5\n"));
    assert!(matches!(err.kind, ErrorKind::Malformed(_)), "{err}");
    assert_names(&err, "frac.tsv", ":4");
}

#[test]
fn gene_sums_negative() {
    let dir = tempfile::tempdir().unwrap();
    let err = read_err(
        dir.path(),
        "neg.tsv",
        &gene_sums_text("ENSG1.1\t1\t2\nENSG2.1\t-3\t4\n"),
    );
    assert!(matches!(err.kind, ErrorKind::NegativeCount { .. }), "{err}");
    assert_names(&err, "neg.tsv", ":5");
}

#[test]
fn gene_sums_nan() {
    let dir = tempfile::tempdir().unwrap();
    let err = read_err(dir.path(), "nan.tsv", &gene_sums_text("ENSG1.1\tNaN\t2\n"));
    assert!(matches!(err.kind, ErrorKind::NotFinite { .. }), "{err}");
    assert_names(&err, "nan.tsv", ":4");
}

#[test]
fn gene_sums_duplicate_gene() {
    let dir = tempfile::tempdir().unwrap();
    let err = read_err(
        dir.path(),
        "dup.tsv",
        &gene_sums_text("ENSG1.1\t1\t2\nENSG2.1\t1\t2\nENSG1.1\t1\t2\n"),
    );
    assert!(
        matches!(&err.kind, ErrorKind::DuplicateGene { first, .. } if first == "line 4"),
        "{err}"
    );
    assert_names(&err, "dup.tsv", ":6");
    // Two versions of one gene are one gene to rnameta.
    let err = read_err(
        dir.path(),
        "dupv.tsv",
        &gene_sums_text("ENSG1.1\t1\t2\nENSG1.2\t1\t2\n"),
    );
    assert!(matches!(err.kind, ErrorKind::DuplicateGene { .. }), "{err}");
    assert_names(&err, "dupv.tsv", ":5");
}

#[test]
fn gene_sums_duplicate_sample() {
    let dir = tempfile::tempdir().unwrap();
    let err = read_err(
        dir.path(),
        "dups.tsv",
        &format!("{HEAD}gene_id\tSRR1\tSRR1\nENSG1.1\t1\t2\n"),
    );
    assert!(
        matches!(&err.kind, ErrorKind::DuplicateSample { id } if id == "SRR1"),
        "{err}"
    );
    assert_names(&err, "dups.tsv", ":3");
}

#[test]
fn gene_sums_missing_header() {
    let dir = tempfile::tempdir().unwrap();
    let err = read_err(dir.path(), "nohead.tsv", &format!("{HEAD}ENSG1.1\t1\t2\n"));
    assert!(matches!(err.kind, ErrorKind::MissingHeader { .. }), "{err}");
    assert_names(&err, "nohead.tsv", ":3");
    let err = read_err(dir.path(), "onlyhash.tsv", HEAD);
    assert!(matches!(err.kind, ErrorKind::MissingHeader { .. }), "{err}");
    assert_names(&err, "onlyhash.tsv", ":2");
}

#[test]
fn gene_sums_missing_hash_lines() {
    let dir = tempfile::tempdir().unwrap();
    let err = read_err(
        dir.path(),
        "nohash.tsv",
        "gene_id\tSRR1\tSRR2\nENSG1.1\t1\t2\n",
    );
    assert!(matches!(err.kind, ErrorKind::MissingHeader { .. }), "{err}");
    assert_names(&err, "nohash.tsv", ":1");
    let err = read_err(
        dir.path(),
        "onehash.tsv",
        "##annotation=G026\ngene_id\tSRR1\nENSG1.1\t1\n",
    );
    assert!(matches!(err.kind, ErrorKind::MissingHeader { .. }), "{err}");
    assert_names(&err, "onehash.tsv", ":2");
    assert!(err.to_string().contains("##date.generated="), "{err}");
}

#[test]
fn gene_sums_empty_file() {
    let dir = tempfile::tempdir().unwrap();
    let err = read_err(dir.path(), "empty.tsv", "");
    assert!(matches!(err.kind, ErrorKind::Empty), "{err}");
    assert_names(&err, "empty.tsv", "empty");
    let gz = dir.path().join("empty.tsv.gz");
    std::fs::write(&gz, gzip(b"")).unwrap();
    let err = read_gene_sums(&gz).unwrap_err();
    assert!(matches!(err.kind, ErrorKind::Empty), "{err}");
}

#[test]
fn gene_sums_constructor_refuses_what_the_format_cannot_hold() {
    let genes = GeneAnnotation::new(vec![GeneInfo::from_id("ENSG1.1")]).unwrap();
    let header = GeneSumsHeader {
        annotation: "G026".into(),
        date_generated: "x".into(),
    };
    let one = vec![SampleMeta::new("a", DataSource::Sra)];
    assert!(GeneSums::new(header.clone(), genes.clone(), one.clone(), array![[1.5]]).is_err());
    assert!(GeneSums::new(header.clone(), genes.clone(), one.clone(), array![[-1.0]]).is_err());
    assert!(GeneSums::new(header.clone(), genes.clone(), one, array![[1.0], [2.0]]).is_err());
    let twice = vec![
        SampleMeta::new("a", DataSource::Sra),
        SampleMeta::new("a", DataSource::Sra),
    ];
    assert!(matches!(
        GeneSums::new(header, genes, twice, array![[1.0], [2.0]]),
        Err(ErrorKind::DuplicateSample { .. })
    ));
}

// ---------------------------------------------------------------- sample_attributes

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[test]
fn sample_attributes_parse_the_recount3_example() {
    let parsed =
        parse_sample_attributes("source_name;;HEK293|cell type;;kidney|sex;;female").unwrap();
    assert_eq!(
        parsed,
        map(&[
            ("source_name", "HEK293"),
            ("cell type", "kidney"),
            ("sex", "female")
        ])
    );
}

#[test]
fn sample_attributes_odd_cases() {
    assert!(parse_sample_attributes("").unwrap().is_empty());
    // A value may hold ';' and even ';;': the key ends at the first ';;'.
    assert_eq!(
        parse_sample_attributes("treatment;;DMSO; 24h|note;;a;;b").unwrap(),
        map(&[("treatment", "DMSO; 24h"), ("note", "a;;b")])
    );
    // A piece without ';;' continues the previous value (the value held an unescaped '|').
    assert_eq!(
        parse_sample_attributes("description;;lung|left lobe|sex;;male").unwrap(),
        map(&[("description", "lung|left lobe"), ("sex", "male")])
    );
    // ... but cannot come first.
    assert!(matches!(
        parse_sample_attributes("HEK293|sex;;female"),
        Err(ErrorKind::Malformed(_))
    ));
    assert!(matches!(
        parse_sample_attributes("no pairs at all"),
        Err(ErrorKind::Malformed(_))
    ));
    // Empty key, and one key with two different values.
    assert!(matches!(
        parse_sample_attributes(";;x"),
        Err(ErrorKind::Malformed(_))
    ));
    assert!(matches!(
        parse_sample_attributes("sex;;male|sex;;female"),
        Err(ErrorKind::Malformed(_))
    ));
    assert_eq!(
        parse_sample_attributes("sex;;male|sex;;male").unwrap(),
        map(&[("sex", "male")])
    );
    // An empty value is kept.
    assert_eq!(
        parse_sample_attributes("age;;").unwrap(),
        map(&[("age", "")])
    );
}

#[test]
fn sample_attributes_format_round_trips_and_refuses_ambiguity() {
    let original = map(&[
        ("cell type", "kidney"),
        ("description", "lung|left lobe|"),
        ("note", "a;;b; c"),
        ("age", ""),
    ]);
    let text = format_sample_attributes(&original).unwrap();
    assert_eq!(parse_sample_attributes(&text).unwrap(), original);
    assert_eq!(format_sample_attributes(&BTreeMap::new()).unwrap(), "");
    for bad in [
        map(&[("", "x")]),
        map(&[("a;b", "x")]),
        map(&[("a|b", "x")]),
        map(&[("k", "v|x;;y")]),
        map(&[("k", "tab\there")]),
    ] {
        assert!(format_sample_attributes(&bad).is_err(), "{bad:?}");
    }
}

// ---------------------------------------------------------------- metadata tables

const SRA_HEADER: &str =
    "rail_id\texternal_id\tstudy\tsample_acc\texperiment_acc\tsample_attributes";

#[test]
fn sra_table_fills_sample_meta() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_text(
        dir.path(),
        "sra.sra.SRP1.MD.gz",
        &format!(
            "{SRA_HEADER}\n\
             101\tSRR1\tSRP1\tSRS1\tSRX1\tsource_name;;HEK293|cell line;;HEK293|cell type;;kidney|sex;;female\n\
             102\tSRR2\tSRP1\tSRS2\tSRX2\tsource_name;;lung biopsy|tissue;;Lung|Sex;;M\n\
             103\tSRR3\tSRP1\tSRS3\tSRX2\t\n"
        ),
    );
    let table = read_metadata_table(&path).unwrap();
    assert_eq!(table.key_name(), "rail_id");
    let metas = sample_meta(&table, DataSource::Sra).unwrap();
    assert_eq!(metas.len(), 3);
    let hek = &metas[0];
    assert_eq!(hek.sample_id, "SRR1");
    assert_eq!(hek.run.as_deref(), Some("SRR1"));
    assert_eq!(hek.experiment.as_deref(), Some("SRX1"));
    assert_eq!(hek.study.as_deref(), Some("SRP1"));
    assert_eq!(hek.data_source, DataSource::Sra);
    assert_eq!(hek.sex, Some(Sex::Female));
    assert_eq!(hek.sample_source, Some(SampleSource::CellLine));
    assert_eq!(hek.tissue, None, "cell type is not a tissue");
    assert_eq!(
        hek.attributes.get("cell type").map(String::as_str),
        Some("kidney")
    );
    assert_eq!(hek.attributes.get(RAIL_ID).map(String::as_str), Some("101"));
    assert_eq!(
        hek.attributes.get("sample_acc").map(String::as_str),
        Some("SRS1"),
        "the SRA sample accession, by which MetaSRA labels samples"
    );
    let lung = &metas[1];
    assert_eq!(
        (lung.tissue.as_deref(), lung.sex),
        (Some("Lung"), Some(Sex::Male))
    );
    assert_eq!(lung.sample_source, None);
    let bare = &metas[2];
    assert_eq!(
        (bare.tissue.as_ref(), bare.sex, bare.experiment.as_deref()),
        (None, None, Some("SRX2"))
    );
}

#[test]
fn sra_record_columns_become_attributes_and_win_over_attribute_pairs() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_text(
        dir.path(),
        "sra.sra.SRP2.MD.gz",
        "rail_id\texternal_id\tstudy\tsample_acc\tstudy_title\tstudy_abstract\tlibrary_strategy\tlibrary_source\tsample_attributes\n\
         1\tSRR1\tSRP2\tSRS7\tSmall RNA atlas\tmiRNA profiles\tmiRNA-Seq\tTRANSCRIPTOMIC\tlibrary_strategy;;RNA-Seq|tissue;;lung\n\
         2\tSRR2\tSRP2\tNA\tSmall RNA atlas\tmiRNA profiles\tNA\tNA\tsample_acc;;SRS8\n",
    );
    let metas = sample_meta(&read_metadata_table(&path).unwrap(), DataSource::Sra).unwrap();
    let attr = |i: usize, key: &str| metas[i].attributes.get(key).map(String::as_str);
    for column in rnameta_io::recount3::SRA_RECORD_COLUMNS {
        assert!(attr(0, column).is_some(), "{column} kept");
    }
    assert_eq!(
        attr(0, "library_strategy"),
        Some("miRNA-Seq"),
        "the column wins"
    );
    assert_eq!(attr(0, "study_title"), Some("Small RNA atlas"));
    assert_eq!(metas[0].tissue.as_deref(), Some("lung"));
    // NA columns add nothing; a pair in sample_attributes stands.
    assert_eq!(attr(1, "sample_acc"), Some("SRS8"));
    assert_eq!(attr(1, "library_strategy"), None);
}

#[test]
fn merged_columns_with_table_prefixes_are_found() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_text(
        dir.path(),
        "merged.tsv",
        "rail_id\texternal_id\tstudy\tsra.experiment_acc\tsra.sample_attributes\trecount_qc.star.average_mapped_length\n\
         101\tSRR1\tSRP1\tSRX1\ttissue;;liver|gender;;female\t100\n",
    );
    let metas = sample_meta(&read_metadata_table(&path).unwrap(), DataSource::Sra).unwrap();
    assert_eq!(metas[0].experiment.as_deref(), Some("SRX1"));
    assert_eq!(
        (metas[0].tissue.as_deref(), metas[0].sex),
        (Some("liver"), Some(Sex::Female))
    );
}

#[test]
fn tcga_and_gtex_tables_fill_tissue_and_sex() {
    let dir = tempfile::tempdir().unwrap();
    let tcga = write_text(
        dir.path(),
        "tcga.tcga.LUAD.MD.gz",
        "rail_id\texternal_id\tstudy\ttcga.gdc_cases.project.primary_site\ttcga.gdc_cases.demographic.gender\n\
         1\t0f3a-uuid\tLUAD\tLung\tfemale\n2\t1b2c-uuid\tLUAD\tLung\tnot reported\n",
    );
    let metas = sample_meta(&read_metadata_table(&tcga).unwrap(), DataSource::Tcga).unwrap();
    assert_eq!(
        (metas[0].tissue.as_deref(), metas[0].sex),
        (Some("Lung"), Some(Sex::Female))
    );
    assert_eq!(metas[1].sex, None);
    assert_eq!(metas[0].study.as_deref(), Some("LUAD"));

    let gtex = write_text(
        dir.path(),
        "gtex.gtex.LUNG.MD.gz",
        "rail_id\texternal_id\tstudy\tSAMPID\tSMTS\tSMTSD\tSUBJID\tSEX\tAGE\n\
         1\tGTEX-111CU-0326-SM-5GZXO.1\tLUNG\tGTEX-111CU-0326-SM-5GZXO\tLung\tLung\tGTEX-111CU\t1\t50-59\n\
         2\tGTEX-111FC-1126-SM-5GZWU.1\tLUNG\tGTEX-111FC-1126-SM-5GZWU\tLung\tLung\tGTEX-111FC\t2\t60-69\n",
    );
    let metas = sample_meta(&read_metadata_table(&gtex).unwrap(), DataSource::Gtex).unwrap();
    assert_eq!(
        (metas[0].tissue.as_deref(), metas[0].sex),
        (Some("Lung"), Some(Sex::Male))
    );
    assert_eq!(metas[1].sex, Some(Sex::Female));

    let bad = write_text(
        dir.path(),
        "gtex.gtex.BAD.MD.gz",
        "rail_id\texternal_id\tstudy\tsmts\tsex\n1\tS1\tBAD\tLung\t3\n",
    );
    let err = sample_meta(&read_metadata_table(&bad).unwrap(), DataSource::Gtex).unwrap_err();
    assert!(matches!(err.kind, ErrorKind::Malformed(_)), "{err}");
    assert_names(&err, "gtex.gtex.BAD.MD.gz", "(sample S1, rail_id 1)");
}

#[test]
fn bad_sample_attributes_name_the_sample() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_text(
        dir.path(),
        "sra.sra.SRP9.MD.gz",
        &format!("{SRA_HEADER}\n101\tSRR1\tSRP9\tSRS1\tSRX1\tsex;;male|sex;;female\n"),
    );
    let err = sample_meta(&read_metadata_table(&path).unwrap(), DataSource::Sra).unwrap_err();
    assert!(matches!(err.kind, ErrorKind::Malformed(_)), "{err}");
    assert_names(&err, "sra.sra.SRP9.MD.gz", "(sample SRR1, rail_id 101)");
}

fn example_metas(source: DataSource) -> Vec<SampleMeta> {
    let mut a = SampleMeta::new("SRR10", source);
    a.study = Some("SRP7".into());
    a.tissue = Some("liver".into());
    a.sex = Some(Sex::Female);
    a.attributes.insert(RAIL_ID.into(), "501".into());
    let mut b = SampleMeta::new("SRR11", source);
    b.study = Some("SRP7".into());
    b.sex = Some(Sex::Male);
    b.attributes.insert(RAIL_ID.into(), "502".into());
    if source == DataSource::Sra {
        for m in [&mut a, &mut b] {
            m.run = Some(m.sample_id.clone());
            m.experiment = Some(format!("SRX{}", m.sample_id));
        }
        a.attributes.insert("tissue".into(), "liver".into());
        a.attributes.insert("sex".into(), "female".into());
        a.attributes
            .insert("description".into(), "left lobe|frozen; thawed".into());
        b.attributes.insert("sex".into(), "male".into());
        b.attributes.insert("cell line".into(), "HepG2".into());
        b.sample_source = Some(SampleSource::CellLine);
    }
    if source == DataSource::Gtex {
        a.attributes.insert("gtex.smtsd".into(), "Liver".into());
    }
    vec![a, b]
}

#[test]
fn tables_from_samples_round_trip_through_files() {
    let dir = tempfile::tempdir().unwrap();
    for (kind, source) in [
        (Recount3Table::Sra, DataSource::Sra),
        (Recount3Table::Gtex, DataSource::Gtex),
        (Recount3Table::Tcga, DataSource::Tcga),
    ] {
        let metas = example_metas(source);
        let table = table_from_samples(kind, &metas).unwrap();
        let path = dir.path().join(kind.file_name(source, "SRP7"));
        write_metadata_table(&path, &table).unwrap();
        let back = read_metadata_table(&path).unwrap();
        assert_eq!(back.columns(), table.columns());
        assert_eq!(back.rows(), table.rows());
        assert_eq!(sample_meta(&back, source).unwrap(), metas, "{kind}");
    }
}

#[test]
fn every_table_writer_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let metas = example_metas(DataSource::Sra);
    for kind in Recount3Table::ALL {
        let table = table_from_samples(kind, &metas).unwrap();
        let path = dir.path().join(kind.file_name(DataSource::Sra, "SRP7"));
        write_metadata_table(&path, &table).unwrap();
        let back = read_metadata_table(&path).unwrap();
        assert_eq!(
            (back.columns(), back.rows()),
            (table.columns(), table.rows()),
            "{kind}"
        );
    }
    // A QC table built by hand (as a simulator does) round-trips too, gzip included.
    let qc = MetadataTable::new(
        [
            "rail_id",
            "external_id",
            "study",
            "star.average_mapped_length",
            "bc_auc.all_reads_all_bases",
        ]
        .map(String::from)
        .to_vec(),
        "rail_id",
        vec![["1", "SRR1", "SRP1", "76", "3.5e9"]
            .map(String::from)
            .to_vec()],
    )
    .unwrap();
    let path = dir.path().join("sra.recount_qc.SRP1.MD.gz");
    write_metadata_table(&path, &qc).unwrap();
    let back = read_metadata_table(&path).unwrap();
    assert_eq!((back.columns(), back.rows()), (qc.columns(), qc.rows()));
    assert_eq!(back.get_f64(0, 4).unwrap(), Some(3.5e9));
    // A cell with a tab cannot be written without shifting columns.
    let tab = MetadataTable::new(
        ["rail_id", "x"].map(String::from).to_vec(),
        "rail_id",
        vec![["1", "a\tb"].map(String::from).to_vec()],
    )
    .unwrap();
    let err = write_metadata_table(&dir.path().join("tab.tsv"), &tab).unwrap_err();
    assert!(matches!(err.kind, ErrorKind::Malformed(_)), "{err}");
    assert!(!dir.path().join("tab.tsv").exists());
}

#[test]
fn apply_sample_meta_reports_samples_without_a_record() {
    let records = example_metas(DataSource::Sra);
    let mut samples = vec![
        SampleMeta::new("SRR11", DataSource::Other),
        SampleMeta::new("501", DataSource::Other),
        SampleMeta::new("SRR99", DataSource::Other),
    ];
    let missing = apply_sample_meta(&mut samples, &records);
    assert_eq!(missing, ["SRR99"]);
    assert_eq!(samples[0].sample_source, Some(SampleSource::CellLine));
    assert_eq!(
        (samples[1].sample_id.as_str(), samples[1].tissue.as_deref()),
        ("501", Some("liver"))
    );
    assert_eq!(samples[2].data_source, DataSource::Other);
}

fn table_err(dir: &Path, name: &str, text: &str) -> Error {
    read_metadata_table(&write_text(dir, name, text)).expect_err("bad table must be refused")
}

#[test]
fn table_truncated_gzip() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = format!("{SRA_HEADER}\n");
    for i in 0..5000 {
        text.push_str(&format!(
            "{i}\tSRR{i}\tSRP1\tSRS{i}\tSRX{i}\tsex;;female|tissue;;lung {}\n",
            i * 31
        ));
    }
    let path = write_truncated_gz(dir.path(), "sra.sra.CUT.MD.gz", &text);
    let err = read_metadata_table(&path).unwrap_err();
    assert!(matches!(err.kind, ErrorKind::TruncatedGzip(_)), "{err}");
    assert_names(&err, "sra.sra.CUT.MD.gz", ":");
}

#[test]
fn table_ragged_row() {
    let dir = tempfile::tempdir().unwrap();
    let err = table_err(
        dir.path(),
        "ragged.MD",
        &format!("{SRA_HEADER}\n1\tSRR1\tSRP1\tSRS1\n"),
    );
    assert!(
        matches!(
            err.kind,
            ErrorKind::Ragged {
                expected: 6,
                found: 4
            }
        ),
        "{err}"
    );
    assert_names(&err, "ragged.MD", ":2");
}

#[test]
fn table_duplicate_sample() {
    let dir = tempfile::tempdir().unwrap();
    let err = table_err(
        dir.path(),
        "dup.MD",
        "rail_id\texternal_id\tstudy\n1\tSRR1\tSRP1\n2\tSRR2\tSRP1\n1\tSRR3\tSRP1\n",
    );
    assert!(
        matches!(&err.kind, ErrorKind::DuplicateSample { id } if id == "1"),
        "{err}"
    );
    assert_names(&err, "dup.MD", ":4");
}

#[test]
fn table_missing_header() {
    let dir = tempfile::tempdir().unwrap();
    let err = table_err(dir.path(), "nohead.MD", "1\tSRR1\tSRP1\n2\tSRR2\tSRP1\n");
    assert!(matches!(err.kind, ErrorKind::MissingHeader { .. }), "{err}");
    assert_names(&err, "nohead.MD", ":1");
}

#[test]
fn table_empty_file() {
    let dir = tempfile::tempdir().unwrap();
    let err = table_err(dir.path(), "empty.MD", "");
    assert!(matches!(err.kind, ErrorKind::Empty), "{err}");
    assert_names(&err, "empty.MD", "empty");
}

#[test]
fn table_typed_access_refuses_non_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_text(
        dir.path(),
        "qc.MD",
        "rail_id\texternal_id\tstudy\tstar.average_mapped_length\n1\tSRR1\tSRP1\tabc\n2\tSRR2\tSRP1\tinf\n3\tSRR3\tSRP1\t-5\n",
    );
    let t = read_metadata_table(&path).unwrap();
    let err = t.get_f64(0, 3).unwrap_err();
    assert!(matches!(err.kind, ErrorKind::NotNumeric { .. }), "{err}");
    assert_names(&err, "qc.MD", "(sample SRR1, rail_id 1)");
    assert!(matches!(
        t.get_f64(1, 3).unwrap_err().kind,
        ErrorKind::NotFinite { .. }
    ));
    assert_eq!(t.get_f64(2, 3).unwrap(), Some(-5.0));
    assert_eq!(t.row_of("2"), Some(1));
    assert_eq!(t.line_of(1), Some(3));
}
