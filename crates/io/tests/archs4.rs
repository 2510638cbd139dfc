//! The ARCHS4 HDF5 reader and writer on the real fixture (`geuvadis_archs4_layout.h5`, written by
//! the HDF5 C library through h5py) and on small files made here to break one rule each.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use flate2::read::GzDecoder;
use ndarray::{s, Array2};
use rnameta_core::{DataSource, Dataset, GeneAnnotation, GeneInfo, SampleMeta, SampleSource, Sex};
use rnameta_io::archs4::{self, Archs4Reader, WriteOptions};
use rnameta_io::{Error, ErrorKind, Location};
use rust_hdf5::H5File;

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/real/geuvadis_archs4_layout.h5"
);
const COUNTS_TSV: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/real/geuvadis_humanGender_counts.tsv.gz"
);
const SAMPLES_TSV: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/real/geuvadis_humanGender_samples.tsv.gz"
);
const ENSEMBL_TSV: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/real/ensembl100_grch38_genes.tsv.gz"
);

/// Rows of a gzip TSV, header included, split on tabs.
fn tsv_rows(path: &str) -> Vec<Vec<String>> {
    let file = std::fs::File::open(path).expect("fixture present");
    BufReader::new(GzDecoder::new(file))
        .lines()
        .map(|line| {
            line.expect("fixture is valid gzip text")
                .split('\t')
                .map(str::to_owned)
                .collect()
        })
        .collect()
}

/// The GEUVADIS counts TSV: sample names (header) and gene id -> counts per sample.
fn counts_tsv() -> (Vec<String>, HashMap<String, Vec<u64>>) {
    let mut rows = tsv_rows(COUNTS_TSV).into_iter();
    let header = rows.next().expect("header");
    assert_eq!(header[0], "gene_id");
    let genes = rows
        .map(|row| {
            let counts = row[1..]
                .iter()
                .map(|v| v.parse().expect("integer count"))
                .collect();
            (row[0].clone(), counts)
        })
        .collect();
    (header[1..].to_vec(), genes)
}

fn fixture() -> Archs4Reader {
    Archs4Reader::open(FIXTURE).expect("the real fixture opens")
}

/// The Display of an error names the file; the location names the object or sample.
fn assert_names(err: &Error, file: &Path, location: &Location) {
    let text = err.to_string();
    let name = file
        .file_name()
        .and_then(|n| n.to_str())
        .expect("file name");
    assert!(text.contains(name), "{text:?} does not name {name}");
    assert_eq!(&err.location, location, "{text}");
    match location {
        Location::Object(o) => assert!(text.contains(o.as_str()), "{text:?} does not name {o}"),
        Location::Sample(s) => assert!(text.contains(s.as_str()), "{text:?} does not name {s}"),
        _ => {}
    }
}

#[test]
fn reads_metadata_of_the_real_fixture() {
    let reader = fixture();
    assert_eq!(reader.n_samples(), 85);
    assert_eq!(reader.n_genes(), 10_012);
    assert!(reader.dropped_genes().is_empty());
    assert_eq!(reader.version(), Some("2.latest-fixture"));
    assert_eq!(reader.creation_date(), Some("2026-11-21"));

    // every field of the v2 layout is found under its v2 name
    let found: Vec<(&str, Option<&str>)> = reader
        .fields_found()
        .iter()
        .map(|p| (p.role, p.found.as_deref()))
        .collect();
    assert_eq!(
        found,
        vec![
            ("gene_symbol", Some("/meta/genes/symbol")),
            ("ensembl_gene", Some("/meta/genes/ensembl_gene")),
            ("gene_biotype", Some("/meta/genes/biotype")),
            ("geo_accession", Some("/meta/samples/geo_accession")),
            ("series_id", Some("/meta/samples/series_id")),
            ("title", Some("/meta/samples/title")),
            ("source_name_ch1", Some("/meta/samples/source_name_ch1")),
            (
                "characteristics_ch1",
                Some("/meta/samples/characteristics_ch1")
            ),
            ("library_strategy", Some("/meta/samples/library_strategy")),
            (
                "singlecellprobability",
                Some("/meta/samples/singlecellprobability")
            ),
            ("readsaligned", Some("/meta/samples/readsaligned")),
            ("version", Some("/meta/info/version")),
            ("creation_date", Some("/meta/info/creation-date")),
        ]
    );

    let first = reader.genes().get(0).expect("a gene");
    assert_eq!(first.id, "ENSG00000000419");
    assert_eq!(first.symbol.as_deref(), Some("DPM1"));
    assert_eq!(first.biotype.as_deref(), Some("protein_coding"));
    let biotypes = reader
        .genes()
        .genes()
        .iter()
        .filter(|g| g.biotype.as_deref() == Some("protein_coding"));
    assert_eq!(biotypes.count(), 9_972);

    let samples = reader.samples().expect("metadata");
    let sample = &samples[0];
    assert_eq!(sample.sample_id, "GSM9100000");
    assert_eq!(sample.study.as_deref(), Some("GSE30000"));
    assert_eq!(sample.data_source, DataSource::Archs4);
    assert_eq!(sample.sex, Some(Sex::Female));
    assert_eq!(sample.sample_source, Some(SampleSource::CellLine));
    assert_eq!(sample.tissue, None);
    assert_eq!(sample.attributes["title"], "NA20502");
    assert_eq!(sample.attributes["cell line"], "NA20502");
    assert_eq!(sample.attributes["Sex"], "female");
    assert_eq!(
        sample.attributes["source_name_ch1"],
        "lymphoblastoid cell line"
    );
    assert_eq!(sample.attributes["library_strategy"], "RNA-Seq");
    assert_eq!(sample.attributes["readsaligned"], "8770612");
    assert_eq!(sample.attributes["singlecellprobability"], "0");
    assert!(samples
        .iter()
        .all(|s| s.sample_source == Some(SampleSource::CellLine)));
}

/// The TSV has 10,101 genes and the HDF5 file 10,012: the 89 genes missing from the HDF5 file are
/// exactly the TSV genes that Ensembl 100 no longer has (retired ids, so no symbol or biotype for
/// the ARCHS4 gene fields), checked below against `ensembl100_grch38_genes.tsv.gz`. Over the
/// 10,012 genes both files hold, every count is equal, so every per-sample column sum is too
/// (GEUVADIS NA20502: 8,770,612 over the shared genes, 8,825,053 = its `lib_size` over all).
#[test]
fn counts_equal_the_tsv_on_the_shared_genes() {
    let reader = fixture();
    let data = reader.read_all().expect("full read");
    let (tsv_samples, tsv) = counts_tsv();
    assert_eq!(tsv.len(), 10_101);

    let titles: Vec<&str> = data
        .samples()
        .iter()
        .map(|s| s.attributes["title"].as_str())
        .collect();
    assert_eq!(
        titles, tsv_samples,
        "columns are in the TSV's order, linked by title"
    );

    let mut h5_sums = vec![0u64; 85];
    let mut tsv_sums = vec![0u64; 85];
    for (column, gene) in data.genes().genes().iter().enumerate() {
        let expected = tsv
            .get(&gene.id)
            .unwrap_or_else(|| panic!("{} not in the TSV", gene.id));
        for (sample, &want) in expected.iter().enumerate() {
            let got = data.counts()[[sample, column]];
            assert_eq!(got as u64, want, "gene {} sample {sample}", gene.id);
            h5_sums[sample] += got as u64;
            tsv_sums[sample] += want;
        }
    }
    assert_eq!(h5_sums, tsv_sums);
    assert_eq!(h5_sums[0], 8_770_612);
    let readsaligned: Vec<u64> = data
        .samples()
        .iter()
        .map(|s| s.attributes["readsaligned"].parse().expect("integer"))
        .collect();
    assert_eq!(h5_sums, readsaligned);

    let full_first: u64 = tsv.values().map(|counts| counts[0]).sum();
    assert_eq!(full_first, 8_825_053);

    let ensembl100: std::collections::HashSet<String> = tsv_rows(ENSEMBL_TSV)
        .into_iter()
        .skip(1)
        .map(|row| row[0].clone())
        .collect();
    let mut tsv_only: Vec<&String> = tsv
        .keys()
        .filter(|id| data.genes().position(id).is_none())
        .collect();
    tsv_only.sort();
    assert_eq!(tsv_only.len(), 89);
    assert!(
        tsv_only.iter().all(|id| !ensembl100.contains(*id)),
        "TSV-only genes are retired ids"
    );
    assert!(data.genes().ids().all(|id| ensembl100.contains(id)));
}

#[test]
fn sex_from_characteristics_agrees_with_the_samples_table() {
    let reader = fixture();
    let table: HashMap<String, Sex> = tsv_rows(SAMPLES_TSV)
        .into_iter()
        .skip(1)
        .map(|row| {
            (
                row[0].clone(),
                Sex::parse_loose(&row[1]).expect("sex in table"),
            )
        })
        .collect();
    assert_eq!(table.len(), 85);
    let samples = reader.samples().expect("metadata");
    let mut agree = 0;
    for sample in &samples {
        let want = table[&sample.attributes["title"]];
        assert_eq!(sample.sex, Some(want), "{}", sample.sample_id);
        agree += 1;
    }
    assert_eq!(agree, 85);
    let female = samples
        .iter()
        .filter(|s| s.sex == Some(Sex::Female))
        .count();
    assert_eq!((female, 85 - female), (41, 44));
}

#[test]
fn a_subset_equals_the_same_columns_of_the_full_read() {
    let reader = fixture();
    let full = reader.read_all().expect("full read");
    // out of order, across several 16-sample HDF5 chunk columns, two in one chunk column
    let picks = [84, 3, 17, 16, 40, 0, 63];
    let subset = reader.read_samples(&picks).expect("subset read");
    assert_eq!(subset.n_samples(), 7);
    assert_eq!(subset.genes(), full.genes());
    for (row, &pick) in picks.iter().enumerate() {
        assert_eq!(
            subset.counts().row(row),
            full.counts().row(pick),
            "sample {pick}"
        );
        assert_eq!(subset.samples()[row], full.samples()[pick]);
    }
    assert_eq!(subset.samples()[0].sample_id, "GSM9100084");

    let err = reader.read_samples(&[5, 5]).expect_err("one sample twice");
    assert!(matches!(err.kind, ErrorKind::Dataset(_)), "{err}");
    let err = reader.read_samples(&[85]).expect_err("index past the end");
    assert!(matches!(err.kind, ErrorKind::Malformed(_)));
    assert_names(
        &err,
        Path::new(FIXTURE),
        &Location::Object("/data/expression".into()),
    );
}

#[test]
fn a_chunked_stream_equals_the_full_read() {
    let reader = fixture();
    let full = reader.read_all().expect("full read");
    let chunks: Vec<Dataset> = reader.chunks(10).collect::<Result<_, _>>().expect("stream");
    let sizes: Vec<usize> = chunks.iter().map(Dataset::n_samples).collect();
    assert_eq!(sizes, vec![10, 10, 10, 10, 10, 10, 10, 10, 5]);
    let mut row = 0;
    for chunk in &chunks {
        assert_eq!(chunk.genes(), full.genes());
        let rows = full.counts().slice(s![row..row + chunk.n_samples(), ..]);
        assert_eq!(chunk.counts().view(), rows);
        assert_eq!(
            chunk.samples(),
            &full.samples()[row..row + chunk.n_samples()]
        );
        row += chunk.n_samples();
    }
    assert_eq!(row, 85);
    assert_eq!(
        reader.chunks(0).count(),
        85,
        "a chunk size of 0 is taken as 1"
    );
}

#[test]
fn write_then_read_round_trips_the_fixture() {
    let dir = tempfile::tempdir().expect("temp dir");
    let reader = fixture();
    let original = reader.read_all().expect("full read");
    let path = dir.path().join("copy.h5");
    let options = WriteOptions {
        chunk_genes: 1000,
        chunk_samples: 16,
        creation_date: Some("2025-01-01".into()),
        ..WriteOptions::default()
    };
    archs4::write(&path, &original, &options).expect("write");

    let back = Archs4Reader::open(&path).expect("reopen");
    assert_eq!(back.version(), Some("2.rnameta"));
    assert_eq!(back.creation_date(), Some("2025-01-01"));
    let copy = back.read_all().expect("read back");
    assert_eq!(copy.counts(), original.counts());
    assert_eq!(copy.genes(), original.genes());
    for (a, b) in copy.samples().iter().zip(original.samples()) {
        assert_eq!(a.sample_id, b.sample_id);
        assert_eq!(a.study, b.study);
        assert_eq!(
            (a.sex, a.tissue.as_ref(), a.sample_source),
            (b.sex, b.tissue.as_ref(), b.sample_source)
        );
        assert_eq!(a.attributes, b.attributes, "{}", a.sample_id);
    }

    // streaming conversion: blocks of 7 from the fixture straight into a new file
    let streamed = dir.path().join("streamed.h5");
    let n = archs4::write_blocks(
        &streamed,
        reader.genes(),
        reader.chunks(7),
        &WriteOptions::default(),
    )
    .expect("write blocks");
    assert_eq!(n, 85);
    let again = Archs4Reader::open(&streamed)
        .expect("reopen")
        .read_all()
        .expect("read");
    assert_eq!(again.counts(), original.counts());
    assert_eq!(again.samples().len(), 85);
}

/// Three genes (one known only by a symbol) and four samples with every kind of label.
fn labelled_dataset() -> Dataset {
    let genes = GeneAnnotation::new(vec![
        GeneInfo {
            symbol: Some("XIST".into()),
            biotype: Some("lncRNA".into()),
            ..GeneInfo::from_id("ENSG00000229807")
        },
        GeneInfo::from_id("ENSG00000129824"),
        GeneInfo::from_id("MYSTERY1"),
    ])
    .expect("genes");
    let mut samples = Vec::new();
    let mut lung = SampleMeta::new("GSM1", DataSource::Archs4);
    lung.tissue = Some("lung".into());
    lung.sex = Some(Sex::Male);
    lung.sample_source = Some(SampleSource::Biopsy);
    lung.study = Some("GSE1".into());
    lung.attributes.insert("age".into(), "54, years".into());
    samples.push(lung);
    let mut hela = SampleMeta::new("GSM2", DataSource::Archs4);
    hela.sex = Some(Sex::Female);
    hela.sample_source = Some(SampleSource::CellLine);
    hela.attributes.insert("cell line".into(), "HeLa".into());
    samples.push(hela);
    let mut unnamed_line = SampleMeta::new("GSM3", DataSource::Archs4);
    unnamed_line.sample_source = Some(SampleSource::CellLine);
    unnamed_line.tissue = Some("liver".into());
    samples.push(unnamed_line);
    samples.push(SampleMeta::new("GSM4", DataSource::Archs4));
    let counts = Array2::from_shape_fn((4, 3), |(s, g)| (s * 1000 + g * 7) as f32);
    Dataset::new(counts, genes, samples).expect("dataset")
}

#[test]
fn write_then_read_round_trips_labels() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("labels.h5");
    let original = labelled_dataset();
    let options = WriteOptions {
        chunk_samples: 3,
        ..WriteOptions::default()
    };
    archs4::write(&path, &original, &options).expect("write");
    let reader = Archs4Reader::open(&path).expect("reopen");
    let back = reader.read_all().expect("read");
    assert_eq!(back.counts(), original.counts());
    let ids: Vec<&str> = back.genes().ids().collect();
    assert_eq!(ids, ["ENSG00000229807", "ENSG00000129824", "MYSTERY1"]);
    assert_eq!(
        back.genes().get(0).and_then(|g| g.symbol.as_deref()),
        Some("XIST")
    );
    assert_eq!(
        back.genes().get(0).and_then(|g| g.biotype.as_deref()),
        Some("lncRNA")
    );
    for (a, b) in back.samples().iter().zip(original.samples()) {
        assert_eq!(a.sample_id, b.sample_id);
        assert_eq!(a.study, b.study);
        assert_eq!(a.sex, b.sex, "{}", a.sample_id);
        assert_eq!(a.tissue, b.tissue, "{}", a.sample_id);
        assert_eq!(a.sample_source, b.sample_source, "{}", a.sample_id);
        for (key, value) in &b.attributes {
            assert_eq!(a.attributes.get(key), Some(value), "{} {key}", a.sample_id);
        }
    }
    assert_eq!(
        back.samples()[0].attributes["readsaligned"],
        "21",
        "0 + 7 + 14"
    );
    assert_eq!(back.samples()[1].attributes["cell line"], "HeLa");
}

#[test]
fn the_writer_refuses_counts_that_are_not_uint32_naming_the_sample() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (value, label) in [(-1.0f32, "negative"), (f32::NAN, "nan"), (2.5, "fraction")] {
        let mut data = labelled_dataset();
        data.counts_mut()[[2, 1]] = value;
        let path = dir.path().join(format!("{label}.h5"));
        let err = archs4::write(&path, &data, &WriteOptions::default()).expect_err(label);
        match label {
            "negative" => assert!(matches!(err.kind, ErrorKind::NegativeCount { .. }), "{err}"),
            "nan" => assert!(matches!(err.kind, ErrorKind::NotFinite { .. }), "{err}"),
            _ => assert!(matches!(err.kind, ErrorKind::Malformed(_)), "{err}"),
        }
        assert_names(&err, &path, &Location::Sample("GSM3".into()));
        assert!(!path.exists(), "a failed write leaves no file");
    }
    assert_eq!(
        std::fs::read_dir(dir.path()).expect("list").count(),
        0,
        "no temp file left"
    );
}

#[test]
fn the_writer_refuses_a_repeated_sample_and_foreign_genes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = labelled_dataset();
    let path = dir.path().join("twice.h5");
    let err = archs4::write_blocks(
        &path,
        data.genes(),
        [Ok(data.clone()), Ok(data.clone())],
        &WriteOptions::default(),
    )
    .expect_err("same samples twice");
    assert!(
        matches!(&err.kind, ErrorKind::DuplicateSample { id } if id == "GSM1"),
        "{err}"
    );
    assert_names(&err, &path, &Location::Sample("GSM1".into()));
    assert!(!path.exists());

    let other = GeneAnnotation::new(vec![GeneInfo::from_id("ENSG00000000003")]).expect("genes");
    let err = archs4::write_blocks(&path, &other, [Ok(data)], &WriteOptions::default())
        .expect_err("gene mismatch");
    assert!(matches!(err.kind, ErrorKind::Malformed(_)), "{err}");
    assert!(!path.exists());
}

/// Writes a small file with rust-hdf5 directly, to break one rule of the layout at a time.
struct RawFile {
    expression: Option<(Vec<usize>, Vec<u32>)>,
    float_expression: bool,
    symbols: Vec<&'static str>,
    gsm: Vec<&'static str>,
    flat_v1: bool,
}

impl RawFile {
    fn valid() -> Self {
        Self {
            expression: Some((vec![3, 2], vec![1, 2, 3, 4, 5, 6])),
            float_expression: false,
            symbols: vec!["A", "B", "C"],
            gsm: vec!["GSM1", "GSM2"],
            flat_v1: false,
        }
    }

    fn write(&self, path: &Path) {
        let file = H5File::create(path).expect("create");
        if let Some((shape, values)) = &self.expression {
            let data = file.create_group("data").expect("group");
            if self.float_expression {
                let floats: Vec<f32> = values.iter().map(|&v| v as f32).collect();
                data.new_dataset::<f32>()
                    .shape(shape)
                    .create("expression")
                    .expect("ds")
                    .write_raw(&floats)
                    .expect("w");
            } else {
                data.new_dataset::<u32>()
                    .shape(shape)
                    .create("expression")
                    .expect("ds")
                    .write_raw(values)
                    .expect("w");
            }
        }
        let meta = file.create_group("meta").expect("meta");
        if self.flat_v1 {
            meta.write_vlen_strings("genes", &self.symbols)
                .expect("genes");
            meta.write_vlen_strings("Sample_geo_accession", &self.gsm)
                .expect("gsm");
            meta.write_vlen_strings(
                "Sample_characteristics_ch1",
                &vec!["gender: F"; self.gsm.len()],
            )
            .expect("ch");
        } else {
            meta.create_group("genes")
                .expect("g")
                .write_vlen_strings("symbol", &self.symbols)
                .expect("symbols");
            meta.create_group("samples")
                .expect("s")
                .write_vlen_strings("geo_accession", &self.gsm)
                .expect("gsm");
        }
        file.close().expect("close");
    }

    fn open(&self, dir: &Path, name: &str) -> (PathBuf, Result<Archs4Reader, Error>) {
        let path = dir.join(name);
        self.write(&path);
        let result = Archs4Reader::open(&path);
        (path, result)
    }
}

#[test]
fn reads_the_flat_v1_layout_and_drops_repeated_symbols() {
    let dir = tempfile::tempdir().expect("temp dir");
    let raw = RawFile {
        symbols: vec!["A", "B", "A"],
        flat_v1: true,
        ..RawFile::valid()
    };
    let (_, result) = raw.open(dir.path(), "v1.h5");
    let reader = result.expect("v1 opens");
    let found: Vec<(&str, Option<&str>)> = reader
        .fields_found()
        .iter()
        .filter(|p| p.found.is_some())
        .map(|p| (p.role, p.found.as_deref()))
        .collect();
    assert_eq!(
        found,
        vec![
            ("gene_symbol", Some("/meta/genes")),
            ("geo_accession", Some("/meta/Sample_geo_accession")),
            (
                "characteristics_ch1",
                Some("/meta/Sample_characteristics_ch1")
            ),
        ]
    );
    assert_eq!(reader.n_genes(), 2);
    let dropped = reader.dropped_genes();
    assert_eq!(
        (
            dropped.len(),
            dropped[0].row,
            dropped[0].kept_row,
            dropped[0].id.as_str()
        ),
        (1, 2, 0, "A")
    );
    let data = reader.read_all().expect("read");
    // rows A and B of [[1, 2], [3, 4], [5, 6]] as samples x genes
    assert_eq!(data.counts(), &ndarray::array![[1.0, 3.0], [2.0, 4.0]]);
    assert!(data.samples().iter().all(|s| s.sex == Some(Sex::Female)));
}

#[test]
fn a_truncated_copy_is_refused_as_truncated() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bytes = std::fs::read(FIXTURE).expect("fixture");
    for keep in [bytes.len() / 2, bytes.len() - 1, 40] {
        let path = dir.path().join(format!("cut_{keep}.h5"));
        std::fs::write(&path, &bytes[..keep]).expect("write");
        let err = Archs4Reader::open(&path).expect_err("truncated");
        assert!(
            matches!(&err.kind, ErrorKind::Malformed(m) if m.contains("truncated")),
            "{err}"
        );
        assert_names(&err, &path, &Location::File);
    }
}

#[test]
fn a_non_hdf5_file_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("counts.h5");
    std::fs::write(&path, "gene_id\tS1\nENSG1\t3\n").expect("write");
    let err = Archs4Reader::open(&path).expect_err("not HDF5");
    assert!(matches!(err.kind, ErrorKind::UnknownFormat(_)), "{err}");
    assert_names(&err, &path, &Location::File);
}

#[test]
fn an_empty_file_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("empty.h5");
    std::fs::write(&path, b"").expect("write");
    let err = Archs4Reader::open(&path).expect_err("empty");
    assert!(matches!(err.kind, ErrorKind::Empty), "{err}");
    assert_names(&err, &path, &Location::File);
}

#[test]
fn a_file_without_data_expression_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let raw = RawFile {
        expression: None,
        ..RawFile::valid()
    };
    let (path, result) = raw.open(dir.path(), "nodata.h5");
    let err = result.expect_err("no matrix");
    assert!(matches!(err.kind, ErrorKind::Missing(_)), "{err}");
    assert_names(&err, &path, &Location::Object("/data/expression".into()));
}

#[test]
fn a_matrix_that_is_not_uint32_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let raw = RawFile {
        float_expression: true,
        ..RawFile::valid()
    };
    let (path, result) = raw.open(dir.path(), "float.h5");
    let err = result.expect_err("float matrix");
    assert!(
        matches!(&err.kind, ErrorKind::Malformed(m) if m.contains("float32")),
        "{err}"
    );
    assert_names(&err, &path, &Location::Object("/data/expression".into()));
}

#[test]
fn meta_lengths_that_disagree_with_the_matrix_are_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let too_many_samples = RawFile {
        gsm: vec!["GSM1", "GSM2", "GSM3"],
        ..RawFile::valid()
    };
    let (path, result) = too_many_samples.open(dir.path(), "samples.h5");
    let err = result.expect_err("3 GSM for 2 columns");
    assert!(
        matches!(&err.kind, ErrorKind::Malformed(m) if m.contains("/data/expression")),
        "{err}"
    );
    assert_names(
        &err,
        &path,
        &Location::Object("/meta/samples/geo_accession".into()),
    );

    let too_few_genes = RawFile {
        symbols: vec!["A", "B"],
        ..RawFile::valid()
    };
    let (path, result) = too_few_genes.open(dir.path(), "genes.h5");
    let err = result.expect_err("2 symbols for 3 rows");
    assert!(matches!(err.kind, ErrorKind::Malformed(_)), "{err}");
    assert_names(&err, &path, &Location::Object("/meta/genes/symbol".into()));
}

#[test]
fn a_repeated_gsm_is_refused_naming_the_sample() {
    let dir = tempfile::tempdir().expect("temp dir");
    let raw = RawFile {
        gsm: vec!["GSM7", "GSM7"],
        ..RawFile::valid()
    };
    let (path, result) = raw.open(dir.path(), "dup.h5");
    let err = result.expect_err("duplicate GSM");
    assert!(
        matches!(&err.kind, ErrorKind::DuplicateSample { id } if id == "GSM7"),
        "{err}"
    );
    assert_names(&err, &path, &Location::Sample("GSM7".into()));
}

#[test]
fn an_object_failing_its_checksum_is_called_damaged_not_unsupported() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("labels.h5");
    archs4::write(&path, &labelled_dataset(), &WriteOptions::default()).expect("write");
    let bytes = std::fs::read(&path).expect("written file");
    // Version-2 object headers ("OHDR") end in a checksum of their bytes: change one byte of
    // each header but the first (the root group's, which every open needs) and read everything.
    let headers: Vec<usize> = bytes
        .windows(4)
        .enumerate()
        .filter(|(_, w)| *w == b"OHDR")
        .map(|(i, _)| i)
        .collect();
    assert!(
        headers.len() > 2,
        "the writer writes version-2 object headers"
    );
    let mut damaged = bytes.clone();
    for &at in &headers[1..] {
        damaged[at + 7] ^= 0xff;
    }
    std::fs::write(&path, &damaged).expect("damaged copy");
    let err = Archs4Reader::open(&path)
        .and_then(|r| r.read_all())
        .expect_err("a damaged file is refused");
    assert!(matches!(err.kind, ErrorKind::Damaged(_)), "{err}");
    assert!(err.to_string().contains("damaged"), "{err}");
}
