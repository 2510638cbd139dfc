//! The sample metadata of an ARCHS4 file read by slices (what `Archs4Reader` does for every chunk)
//! equals the metadata built from each field read whole (what it did at open before): on the real
//! fixture, on a file of our writer (one global heap collection per field), and on a file mixing
//! layouts (chunked and gzip-compressed strings, strings appended in many collections, fixed-length
//! strings, `float32` numbers). A damaged heap or reference is an error naming the file and the
//! dataset, never a panic.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ndarray::Array2;
use rnameta_core::{DataSource, Dataset, GeneAnnotation, GeneInfo, SampleMeta, SampleSource, Sex};
use rnameta_io::archs4::{self, characteristics, interpret, Archs4Reader, WriteOptions};
use rnameta_io::{Error, ErrorKind, Location};
use rust_hdf5::{DatatypeMessage, FilterPipeline, H5File};

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/real/geuvadis_archs4_layout.h5"
);

const CHARACTERISTICS: &str = "meta/samples/characteristics_ch1";

/// Integral values without a decimal point, others as Rust prints them (the reader's rule for
/// numeric fields read as text).
fn number_text(v: f64) -> String {
    if v.is_finite() && v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// A 1-D dataset read whole with rust-hdf5, as text.
fn whole_field(file: &H5File, name: &str) -> Vec<String> {
    let dataset = file.dataset(name.trim_start_matches('/')).expect(name);
    match dataset.datatype().expect("datatype") {
        DatatypeMessage::VarLenString { .. } | DatatypeMessage::FixedString { .. } => {
            dataset.read_strings_lossy().expect("strings")
        }
        _ => dataset
            .read_numeric_as::<f64>()
            .expect("numbers")
            .into_iter()
            .map(number_text)
            .collect(),
    }
}

/// Every sample's metadata built from each field read whole, by the rules the reader documents:
/// trimmed values, empty ones absent, GSM as id, series as study, the text fields in `attributes`,
/// then the characteristics and the source name applied.
fn reference_metas(path: &Path) -> Vec<SampleMeta> {
    let reader = Archs4Reader::open(path).expect("opens");
    let file = H5File::open(path).expect("rust-hdf5 opens");
    let fields: BTreeMap<&str, Vec<String>> = reader
        .fields_found()
        .iter()
        .filter_map(|p| Some((p.role, p.found.as_deref()?)))
        .filter(|(role, _)| {
            ![
                "gene_symbol",
                "ensembl_gene",
                "gene_biotype",
                "version",
                "creation_date",
            ]
            .contains(role)
        })
        .map(|(role, name)| (role, whole_field(&file, name)))
        .collect();
    let value = |role: &str, i: usize| {
        fields
            .get(role)
            .map(|v| v[i].trim())
            .filter(|v| !v.is_empty())
    };
    (0..reader.n_samples())
        .map(|i| {
            let mut meta =
                SampleMeta::new(value("geo_accession", i).expect("id"), DataSource::Archs4);
            meta.study = value("series_id", i).map(str::to_owned);
            for role in [
                "title",
                "source_name_ch1",
                "library_strategy",
                "singlecellprobability",
                "readsaligned",
            ] {
                if let Some(v) = value(role, i) {
                    meta.attributes.insert(role.to_owned(), v.to_owned());
                }
            }
            let pairs = value("characteristics_ch1", i)
                .map(characteristics::parse_pairs)
                .unwrap_or_default();
            characteristics::apply(&mut meta, &pairs, value("source_name_ch1", i));
            meta
        })
        .collect()
}

/// The metadata from chunked reading (chunks of 1, 7 and 1,024 samples), from `samples()`,
/// `sample_meta` and a scattered subset all equal the reference built from whole fields.
fn assert_slices_equal_whole_fields(path: &Path) {
    let expected = reference_metas(path);
    let n = expected.len();
    assert!(n > 0);
    for chunk_size in [1, 7, 1024] {
        let reader = Archs4Reader::open(path).expect("opens");
        let mut streamed = Vec::with_capacity(n);
        for chunk in reader.chunks(chunk_size) {
            streamed.extend(chunk.expect("chunk").samples().iter().cloned());
        }
        assert_eq!(streamed.len(), n);
        for (got, want) in streamed.iter().zip(&expected) {
            assert_eq!(got, want, "chunks of {chunk_size}, {}", want.sample_id);
        }
    }
    let reader = Archs4Reader::open(path).expect("opens");
    assert_eq!(reader.samples().expect("samples"), expected, "samples()");
    for i in [0, n / 3, n - 1] {
        assert_eq!(reader.sample_meta(i).expect("in range"), expected[i]);
        assert_eq!(reader.sample_id(i), Some(expected[i].sample_id.as_str()));
    }
    let err = reader.sample_meta(n).expect_err("past the last sample");
    assert!(err.to_string().contains("out of range"), "{err}");
    // Records of repeated, unordered samples, interpreted, equal the reference too.
    let repeated = [n - 1, 0, n - 1, n / 2];
    let records = reader.records(&repeated).expect("records");
    for (record, &i) in records.iter().zip(&repeated) {
        assert_eq!(interpret::sample_meta(record), expected[i], "sample {i}");
    }
    // Out of order, with gaps wider than one slice and samples next to each other.
    let mut picks = vec![n - 1, 0, n / 2, 3, n / 2 + 1, n / 4 + 100, 2];
    picks.retain(|&p| p < n);
    picks.sort_unstable();
    picks.dedup();
    picks.reverse();
    let subset = reader.read_samples(&picks).expect("subset");
    for (row, &pick) in picks.iter().enumerate() {
        assert_eq!(subset.samples()[row], expected[pick], "sample {pick}");
    }
}

#[test]
fn slices_of_the_real_fixture_equal_its_whole_fields() {
    assert_slices_equal_whole_fields(Path::new(FIXTURE));
    let reader = Archs4Reader::open(FIXTURE).expect("fixture");
    let first = &reader.samples().expect("samples")[0];
    assert_eq!(first.attributes["Sex"], "female");
    assert_eq!(first.attributes["readsaligned"], "8770612");
}

/// Three genes and `n` samples with every kind of metadata the writer stores: labels, studies
/// (some absent), titles with surrounding white space, non-ASCII text and empty values, cell
/// lines, free attributes, single-cell probabilities (some absent: NaN in the file).
fn varied_dataset(n: usize) -> Dataset {
    let genes = GeneAnnotation::new(vec![
        GeneInfo::from_id("ENSG00000229807"),
        GeneInfo::from_id("ENSG00000129824"),
        GeneInfo::from_id("ENSG00000000003"),
    ])
    .expect("genes");
    let tissues = ["lung", "liver", "brain", "whole blood"];
    let samples = (0..n)
        .map(|i| {
            let mut s = SampleMeta::new(format!("GSM{}", 100_000 + i), DataSource::Archs4);
            s.study = (i % 11 != 0).then(|| format!("GSE{}", 500 + i / 37));
            match i % 5 {
                0 => {
                    s.sample_source = Some(SampleSource::CellLine);
                    s.attributes
                        .insert("cell line".into(), format!("HeLa-{}", i % 3));
                }
                1 => {
                    s.tissue = Some(tissues[i % tissues.len()].into());
                    s.sample_source = Some(SampleSource::Biopsy);
                }
                2 => s.tissue = Some(tissues[(i / 5) % tissues.len()].into()),
                _ => {}
            }
            s.sex = match i % 3 {
                0 => Some(Sex::Female),
                1 => Some(Sex::Male),
                _ => None,
            };
            let title = match i % 4 {
                0 => format!("  sample {i}\t"),
                1 => format!("échantillon µ-{i}"),
                2 => String::new(),
                _ => format!("S{i}"),
            };
            s.attributes.insert("title".into(), title);
            if i % 6 == 0 {
                s.attributes
                    .insert("treatment".into(), format!("IL-6, {} h", i % 48));
            }
            if i % 2 == 0 {
                s.attributes.insert(
                    "singlecellprobability".into(),
                    format!("{}", (i % 100) as f64 / 100.0),
                );
            }
            if i % 7 == 0 {
                s.attributes.insert(
                    "source_name_ch1".into(),
                    " lymphoblastoid cell line ".into(),
                );
            }
            s
        })
        .collect();
    let counts = Array2::from_shape_fn((n, 3), |(s, g)| ((s * 7 + g * 13) % 1000) as f32);
    Dataset::new(counts, genes, samples).expect("dataset")
}

fn write_varied(dir: &Path, n: usize) -> PathBuf {
    let path = dir.join(format!("varied_{n}.h5"));
    let options = WriteOptions {
        chunk_samples: 64,
        ..WriteOptions::default()
    };
    archs4::write(&path, &varied_dataset(n), &options).expect("write");
    path
}

#[test]
fn slices_of_a_written_file_equal_its_whole_fields() {
    let dir = tempfile::tempdir().expect("temp dir");
    // More samples than one block of the check at open (4,096).
    let path = write_varied(dir.path(), 5_000);
    assert_slices_equal_whole_fields(&path);
    let reader = Archs4Reader::open(&path).expect("opens");
    let samples = reader.samples().expect("samples");
    assert_eq!(samples[0].attributes["title"], "sample 0");
    assert_eq!(samples[1].attributes["title"], "échantillon µ-1");
    assert!(!samples[2].attributes.contains_key("title"));
    assert_eq!(samples[0].attributes["singlecellprobability"], "0");
    assert_eq!(samples[1].attributes["singlecellprobability"], "NaN");
    assert_eq!(samples[6].attributes["treatment"], "IL-6, 6 h");
    assert_eq!(samples[0].study, None);
    assert_eq!(samples[1].study.as_deref(), Some("GSE500"));
}

/// Sample fields in the layouts other writers use: chunked gzip strings (h5py with
/// `compression="gzip"`), strings appended over many calls (many heap collections, a chunked
/// extendible dataset), fixed-length strings (numpy `S` arrays; read whole), `float32` numbers.
#[test]
fn slices_of_other_layouts_equal_their_whole_fields() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("layouts.h5");
    let n = 300;
    let gsm: Vec<String> = (0..n).map(|i| format!("GSM{}", 7_000 + i)).collect();
    let series: Vec<String> = (0..n).map(|i| format!(" GSE{} ", 10 + i / 9)).collect();
    let characteristics: Vec<String> = (0..n)
        .map(|i| match i % 3 {
            0 => format!(
                "tissue: lung,Sex: {},age: {} years",
                if i % 2 == 0 { "female" } else { "male" },
                i % 80
            ),
            1 => format!("cell line: K562Xx-xXtreatment: dose {i}, 2 h"),
            _ => String::new(),
        })
        .collect();
    let width = 12;
    let titles: Vec<u8> = (0..n)
        .flat_map(|i| {
            let mut t = format!("title {i}").into_bytes();
            t.resize(width, 0);
            t
        })
        .collect();
    let probabilities: Vec<f32> = (0..n).map(|i| (i % 10) as f32 / 4.0).collect();
    {
        let file = H5File::create(&path).expect("create");
        let data = file.create_group("data").expect("data");
        let counts: Vec<u32> = (0..2 * n as u32).collect();
        data.new_dataset::<u32>()
            .shape([2, n])
            .create("expression")
            .expect("expression")
            .write_raw(&counts)
            .expect("counts");
        let meta = file.create_group("meta").expect("meta");
        meta.create_group("genes")
            .expect("genes")
            .write_vlen_strings("symbol", &["A", "B"])
            .expect("symbols");
        let samples = meta.create_group("samples").expect("samples");
        samples
            .write_vlen_strings("geo_accession", &refs(&gsm))
            .expect("gsm");
        samples
            .write_vlen_strings_compressed(
                "series_id",
                &refs(&series),
                50,
                FilterPipeline::deflate(6),
            )
            .expect("series");
        samples
            .create_appendable_vlen_dataset("characteristics_ch1", 32, None)
            .expect("characteristics");
        for block in characteristics.chunks(37) {
            samples
                .append_vlen_strings("characteristics_ch1", &refs(block))
                .expect("append");
        }
        samples
            .new_dataset::<u8>()
            .shape([n])
            .datatype(DatatypeMessage::fixed_string(width as u32))
            .create("title")
            .expect("title")
            .write_raw_bytes(&titles)
            .expect("titles");
        samples
            .new_dataset::<f32>()
            .shape([n])
            .create("singlecellprobability")
            .expect("probabilities")
            .write_raw(&probabilities)
            .expect("probabilities");
        file.close().expect("close");
    }
    {
        let file = H5File::open(&path).expect("reopen");
        let series = file.dataset("meta/samples/series_id").expect("series");
        assert!(series.is_chunked(), "the series are chunked");
        assert!(
            !series.filters().expect("filters").is_empty(),
            "and compressed"
        );
        let characteristics = file.dataset(CHARACTERISTICS).expect("characteristics");
        let spread = collections(&characteristics.read_raw_bytes().expect("raw")).len();
        assert!(
            spread > 1,
            "the characteristics lie in {spread} heap collections"
        );
    }
    assert_slices_equal_whole_fields(&path);
    let reader = Archs4Reader::open(&path).expect("opens");
    let samples = reader.samples().expect("samples");
    assert_eq!(samples[0].study.as_deref(), Some("GSE10"));
    assert_eq!(samples[0].tissue.as_deref(), Some("lung"));
    assert_eq!(samples[1].attributes["cell line"], "K562");
    assert_eq!(samples[1].attributes["treatment"], "dose 1, 2 h");
    assert_eq!(samples[5].attributes["title"], "title 5");
    assert_eq!(samples[3].attributes["singlecellprobability"], "0.75");
}

fn refs(values: &[String]) -> Vec<&str> {
    values.iter().map(String::as_str).collect()
}

/// The distinct global heap collections the 16-byte references of `raw` point at, in order.
fn collections(raw: &[u8]) -> Vec<u64> {
    let mut addresses: Vec<u64> = raw.chunks_exact(16).map(reference_address).collect();
    addresses.dedup();
    addresses.sort_unstable();
    addresses.dedup();
    addresses
}

fn reference_address(reference: &[u8]) -> u64 {
    u64::from_le_bytes(reference[4..12].try_into().expect("8 bytes"))
}

/// The display of an error names the file and the dataset.
fn assert_names_dataset(err: &Error, path: &Path, dataset: &str) {
    let text = err.to_string();
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .expect("file name");
    assert!(text.contains(name), "{text:?} does not name {name}");
    assert_eq!(err.location, Location::Object(dataset.to_owned()), "{text}");
    assert!(text.contains(dataset), "{text:?} does not name {dataset}");
}

/// A file of our writer whose last characteristics lie in a global heap collection no other
/// dataset uses; returns its bytes, where that collection starts, and the 16 bytes of the last
/// sample's reference.
fn file_with_own_collection(dir: &Path) -> (PathBuf, Vec<u8>, usize, [u8; 16]) {
    let path = write_varied(dir, 400);
    let file = H5File::open(&path).expect("open");
    let raw = file
        .dataset(CHARACTERISTICS)
        .expect("characteristics")
        .read_raw_bytes()
        .expect("raw");
    let last: [u8; 16] = raw[raw.len() - 16..].try_into().expect("16 bytes");
    let address = reference_address(&last);
    for name in file.dataset_names() {
        let dataset = file.dataset(&name).expect("dataset");
        if name.trim_start_matches('/') == CHARACTERISTICS
            || !matches!(dataset.datatype(), Ok(DatatypeMessage::VarLenString { .. }))
        {
            continue;
        }
        let others = collections(&dataset.read_raw_bytes().expect("raw"));
        assert!(!others.contains(&address), "{name} shares the collection");
    }
    drop(file);
    let bytes = std::fs::read(&path).expect("read");
    assert_eq!(&bytes[address as usize..address as usize + 4], b"GCOL");
    (path, bytes, address as usize, last)
}

/// Opens a damaged copy and checks the error names it and the characteristics.
fn assert_refused(dir: &Path, label: &str, bytes: &[u8], what: &str) {
    let path = dir.join(format!("{label}.h5"));
    std::fs::write(&path, bytes).expect("write copy");
    let err = Archs4Reader::open(&path).expect_err(label);
    assert_names_dataset(&err, &path, "/meta/samples/characteristics_ch1");
    assert!(
        matches!(&err.kind, ErrorKind::Malformed(m) if m.contains(what)),
        "{label}: {err}"
    );
}

#[test]
fn a_damaged_heap_or_reference_is_refused_naming_file_and_dataset() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (_, bytes, collection, last) = file_with_own_collection(dir.path());

    let mut signature = bytes.clone();
    signature[collection..collection + 4].copy_from_slice(b"XXXX");
    assert_refused(
        dir.path(),
        "signature",
        &signature,
        "global heap collection at address",
    );

    let mut oversized = bytes.clone();
    oversized[collection + 8..collection + 16].copy_from_slice(&(1u64 << 40).to_le_bytes());
    assert_refused(
        dir.path(),
        "oversized",
        &oversized,
        "past the end of the file",
    );

    let mut undersized = bytes.clone();
    undersized[collection + 8..collection + 16].copy_from_slice(&64u64.to_le_bytes());
    assert_refused(
        dir.path(),
        "undersized",
        &undersized,
        "below the 4096-byte minimum",
    );

    // The first object's length reaching past the collection.
    let mut long_object = bytes.clone();
    let first_size = collection + 16 + 8;
    long_object[first_size..first_size + 8].copy_from_slice(&(1u64 << 32).to_le_bytes());
    assert_refused(
        dir.path(),
        "long_object",
        &long_object,
        "extends past the collection",
    );

    // The last sample's reference: an object the collection does not hold, an index past 16
    // bits, a collection past the end of the file.
    let at = bytes
        .windows(16)
        .position(|w| w == last)
        .expect("the reference is in the file");
    assert_eq!(bytes.windows(16).filter(|w| *w == last).count(), 1);
    for (label, index, address, what) in [
        (
            "missing_object",
            65_000u32,
            None,
            "not found in the collection",
        ),
        ("wide_index", 70_000, None, "past the 16-bit index"),
        (
            "far_address",
            1,
            Some(1u64 << 40),
            "past the end of the file",
        ),
    ] {
        let mut damaged = bytes.clone();
        damaged[at + 12..at + 16].copy_from_slice(&index.to_le_bytes());
        if let Some(address) = address {
            damaged[at + 4..at + 12].copy_from_slice(&address.to_le_bytes());
        }
        assert_refused(dir.path(), label, &damaged, what);
    }
}

/// A heap damaged after the file was opened: the chunk that needs it is an error naming the file
/// and the dataset, the stream ends there, and every other read of the sample's metadata
/// (`records`, `record`, `sample_meta`, `samples`) is that error too, never a record holding the
/// id alone.
#[test]
fn a_heap_damaged_after_open_is_an_error_of_every_metadata_read() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (path, bytes, collection, _) = file_with_own_collection(dir.path());
    let reader = Archs4Reader::open(&path).expect("opens intact");
    let mut damaged = bytes.clone();
    damaged[collection..collection + 4].copy_from_slice(b"XXXX");
    std::fs::write(&path, &damaged).expect("damage in place");

    let results: Vec<_> = reader.chunks(100).collect();
    let err = results
        .iter()
        .find_map(|r| r.as_ref().err())
        .expect("a chunk fails");
    assert_names_dataset(err, &path, "/meta/samples/characteristics_ch1");
    assert!(
        results.last().is_some_and(Result::is_err),
        "the stream ends at the error"
    );

    let last = reader.n_samples() - 1;
    let characteristics = "/meta/samples/characteristics_ch1";
    let err = reader.sample_meta(last).expect_err("sample_meta");
    assert_names_dataset(&err, &path, characteristics);
    let err = reader.samples().expect_err("samples");
    assert_names_dataset(&err, &path, characteristics);
    let err = reader.record(last).expect_err("record");
    assert_names_dataset(&err, &path, characteristics);
    let err = reader.records(&[0, last]).expect_err("records");
    assert_names_dataset(&err, &path, characteristics);
    // The counts do not need the heap.
    assert_eq!(reader.read_counts(&[last]).expect("counts").nrows(), 1);
}

/// A file cut short after it was opened: reading the sample metadata is an error naming the file
/// and a sample field, not metadata holding the ids alone.
#[test]
fn a_file_truncated_after_open_is_an_error_naming_file_and_field() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = write_varied(dir.path(), 400);
    let reader = Archs4Reader::open(&path).expect("opens intact");
    let length = std::fs::metadata(&path).expect("metadata").len();
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .expect("open for writing");
    file.set_len(length / 4).expect("truncate in place");
    drop(file);

    for (what, result) in [
        ("samples", reader.samples().map(drop)),
        ("sample_meta", reader.sample_meta(399).map(drop)),
        ("records", reader.records(&[0, 399]).map(drop)),
    ] {
        let err = result.expect_err(what);
        let text = err.to_string();
        assert!(text.contains("varied_400.h5"), "{what}: {text}");
        assert!(
            matches!(&err.location, Location::Object(o) if o.starts_with("/meta/samples/")),
            "{what}: {text}"
        );
    }
}

/// FNV-1a (64 bits) of `bytes`: a digest stable across Rust releases, for the recorded outputs.
fn fnv(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// Digests of what the reader returned before records and their interpretation were separated
/// (recorded from that code on the real fixture and on `varied_dataset(5_000)` written in
/// chunks of 64): the counts, every sample's `SampleMeta` as JSON, and sample 3's alone. Reading
/// the stored records and interpreting them, and the `read_all` / `samples` / `sample_meta`
/// conveniences built on that, give the same bytes.
#[test]
fn records_interpreted_equal_the_metadata_read_before_the_split() {
    let dir = tempfile::tempdir().expect("temp dir");
    let written = write_varied(dir.path(), 5_000);
    let recorded = [
        (
            Path::new(FIXTURE),
            85,
            0xe7c9_15c8_a91a_5c9a_u64,
            0xf51f_6050_6e36_4a2e_u64,
            0x4778_4a07_507b_b345_u64,
        ),
        (
            written.as_path(),
            5_000,
            0x4a69_791f_ac54_3279,
            0xfa83_7a5f_461d_5d58,
            0x90fd_ddcc_bc25_4e57,
        ),
    ];
    for (path, n, samples_digest, counts_digest, third_digest) in recorded {
        let reader = Archs4Reader::open(path).expect("opens");
        let all: Vec<usize> = (0..n).collect();
        let records = reader.records(&all).expect("records");
        let interpreted = interpret::sample_metas(&records);
        let json = serde_json::to_string(&interpreted).expect("json");
        assert_eq!(fnv(json.as_bytes()), samples_digest, "{}", path.display());

        let samples = reader.samples().expect("samples");
        assert_eq!(samples, interpreted);
        let data = reader.read_all().expect("read_all");
        assert_eq!(data.samples(), &interpreted[..]);
        let counts: Vec<u8> = data.counts().iter().flat_map(|v| v.to_le_bytes()).collect();
        assert_eq!(fnv(&counts), counts_digest, "{}", path.display());
        assert_eq!(reader.read_counts(&all).expect("counts"), data.counts());

        let third = serde_json::to_string(&reader.sample_meta(3).expect("sample 3")).expect("json");
        assert_eq!(fnv(third.as_bytes()), third_digest, "{}", path.display());
    }
}

/// The records of a written file hold its fields as stored: white space and empty values kept,
/// numbers as text, an absent field `None`; the interpretation trims and drops the empty ones.
#[test]
fn records_hold_the_fields_as_stored() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = write_varied(dir.path(), 30);
    let reader = Archs4Reader::open(&path).expect("opens");
    let records = reader.records(&[0, 1, 2, 7]).expect("records");
    assert_eq!(records[0].geo_accession, "GSM100000");
    assert_eq!(records[0].title.as_deref(), Some("  sample 0\t"));
    assert_eq!(records[0].series_id.as_deref(), Some(""));
    assert_eq!(records[1].series_id.as_deref(), Some("GSE500"));
    assert_eq!(records[2].title.as_deref(), Some(""));
    assert_eq!(records[0].single_cell_probability.as_deref(), Some("0"));
    assert_eq!(records[1].single_cell_probability.as_deref(), Some("NaN"));
    assert_eq!(
        records[3].source_name.as_deref(),
        Some(" lymphoblastoid cell line ")
    );
    assert!(records[0]
        .characteristics
        .as_deref()
        .is_some_and(|c| c.contains("cell line: HeLa-0")));
    let meta = interpret::sample_meta(&records[0]);
    assert_eq!(meta.attributes["title"], "sample 0");
    assert_eq!(meta.study, None);
    assert_eq!(meta.sample_source, Some(SampleSource::CellLine));
    assert_eq!(reader.record(7).expect("record 7"), records[3]);
}
