//! Parquet matrices (wide and packed) and prediction tables: exact round-trips (row groups
//! included), and refusal of nulls, duplicate samples and columns, non-float columns, packed rows
//! of the wrong length, empty and non-Parquet files.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arrow_array::{ArrayRef, Float32Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use ndarray::Array2;
use parquet::arrow::ArrowWriter;
use parquet::file::reader::{FileReader, SerializedFileReader};
use rnameta_core::{DataSource, Dataset, GeneAnnotation, GeneInfo, SampleMeta, SampleSource, Sex};
use rnameta_io::parquet::{
    read_dataset, read_predictions, stage_dataset, write_dataset_with_row_groups,
    write_predictions, MatrixLayout, Prediction, PredictionTable, PredictionWriter, GENES_ZLIB_KEY,
    PREDICTION_ROWS_PER_GROUP, UNASSIGNED,
};
use rnameta_io::write::TEMPORARY_PREFIX;
use rnameta_io::{ErrorKind, Location};

fn dataset(n_samples: usize, n_genes: usize) -> Dataset {
    let counts = Array2::from_shape_fn((n_samples, n_genes), |(i, j)| {
        (i * 31 + j * 7) as f32 * 0.37 + if (i + j) % 5 == 0 { 0.0 } else { 1e-3 }
    });
    let genes = (0..n_genes)
        .map(|j| GeneInfo {
            symbol: Some(format!("SYM{j}")),
            chromosome: Some(if j % 2 == 0 { "X".into() } else { "21".into() }),
            biotype: Some("protein_coding".into()),
            union_exon_length: Some(1000 + j as u32),
            gc_percent: (j % 3 == 0).then_some(41.25),
            ..GeneInfo::from_id(&format!("ENSG{j:011}.{}", j % 4 + 1))
        })
        .collect();
    let samples = (0..n_samples)
        .map(|i| {
            let mut s = SampleMeta::new(format!("S{i}"), DataSource::Sra);
            s.study = Some(format!("SRP{}", i % 3));
            s.sex = (i % 2 == 0).then_some(Sex::Female);
            s.sample_source = Some(SampleSource::CellLine);
            s.sample_source_confidence = Some(0.75);
            s.tissue = Some("lung".into());
            s.attributes = BTreeMap::from([("k".to_owned(), format!("v{i}"))]);
            s
        })
        .collect();
    Dataset::new(counts, GeneAnnotation::new(genes).unwrap(), samples).unwrap()
}

#[test]
fn dataset_round_trips_exactly_in_row_groups() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("matrix.parquet");
    let original = dataset(25, 40);
    write_dataset_with_row_groups(&path, &original, 10).unwrap();
    let back = read_dataset(&path).unwrap();
    assert_eq!(back, original);
    // 25 samples in groups of 10: 3 row groups, snappy compressed.
    let reader = SerializedFileReader::new(File::open(&path).unwrap()).unwrap();
    assert_eq!(reader.metadata().num_row_groups(), 3);
    let column = reader.metadata().row_group(0).column(1);
    assert_eq!(column.compression(), parquet::basic::Compression::SNAPPY);
    assert_eq!(column.column_path().string(), "ENSG00000000000");
    let no_dir_litter = std::fs::read_dir(dir.path()).unwrap().count();
    assert_eq!(no_dir_litter, 1, "only the target file, no temporary left");
}

#[test]
fn empty_dataset_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("none.parquet");
    let original = dataset(0, 3);
    write_dataset_with_row_groups(&path, &original, 10).unwrap();
    assert_eq!(read_dataset(&path).unwrap(), original);
}

fn write_raw(path: &Path, fields: Vec<Field>, columns: Vec<ArrayRef>) {
    let schema = Arc::new(Schema::new(fields));
    let batch = RecordBatch::try_new(schema.clone(), columns).unwrap();
    let mut writer = ArrowWriter::try_new(File::create(path).unwrap(), schema, None).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
}

#[test]
fn foreign_wide_file_reads_with_bare_ids() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pandas.parquet");
    write_raw(
        &path,
        vec![
            Field::new("sample_id", DataType::Utf8, true),
            Field::new("ENSG00000229807.11", DataType::Float32, true),
        ],
        vec![
            Arc::new(StringArray::from(vec!["a", "b"])),
            Arc::new(Float32Array::from(vec![1.5, 2.0])),
        ],
    );
    let data = read_dataset(&path).unwrap();
    assert_eq!(data.counts(), &ndarray::array![[1.5], [2.0]]);
    assert_eq!(data.genes().get(0).unwrap().id, "ENSG00000229807");
    assert_eq!(data.samples()[1], SampleMeta::new("b", DataSource::Other));
}

#[test]
fn null_value_is_refused_naming_column_and_sample() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("null.parquet");
    write_raw(
        &path,
        vec![
            Field::new("sample_id", DataType::Utf8, false),
            Field::new("ENSG1", DataType::Float32, true),
            Field::new("ENSG2", DataType::Float32, true),
        ],
        vec![
            Arc::new(StringArray::from(vec!["s1", "s2", "s3"])),
            Arc::new(Float32Array::from(vec![Some(1.0), Some(2.0), Some(3.0)])),
            Arc::new(Float32Array::from(vec![Some(1.0), None, Some(3.0)])),
        ],
    );
    let err = read_dataset(&path).unwrap_err();
    assert!(
        matches!(err.kind, ErrorKind::Missing(ref m) if m.contains("ENSG2")),
        "{err}"
    );
    assert_eq!(err.location, Location::Sample("s2".into()));
    let text = err.to_string();
    assert!(
        text.contains("null.parquet") && text.contains("sample s2") && text.contains("ENSG2"),
        "{text}"
    );
}

#[test]
fn duplicate_sample_id_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dup.parquet");
    write_raw(
        &path,
        vec![
            Field::new("sample_id", DataType::Utf8, false),
            Field::new("ENSG1", DataType::Float32, false),
        ],
        vec![
            Arc::new(StringArray::from(vec!["s1", "s2", "s1"])),
            Arc::new(Float32Array::from(vec![1.0, 2.0, 3.0])),
        ],
    );
    let err = read_dataset(&path).unwrap_err();
    assert!(
        matches!(err.kind, ErrorKind::DuplicateSample { ref id } if id == "s1"),
        "{err}"
    );
    assert!(err.to_string().contains("dup.parquet (sample s1)"), "{err}");
}

#[test]
fn duplicate_gene_column_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dupcol.parquet");
    write_raw(
        &path,
        vec![
            Field::new("sample_id", DataType::Utf8, false),
            Field::new("ENSG1", DataType::Float32, false),
            Field::new("ENSG1", DataType::Float32, false),
        ],
        vec![
            Arc::new(StringArray::from(vec!["s1"])),
            Arc::new(Float32Array::from(vec![1.0])),
            Arc::new(Float32Array::from(vec![2.0])),
        ],
    );
    let err = read_dataset(&path).unwrap_err();
    assert!(
        matches!(err.kind, ErrorKind::DuplicateGene { ref id, .. } if id == "ENSG1"),
        "{err}"
    );
    assert_eq!(err.location, Location::Object("column ENSG1".into()));
}

#[test]
fn non_float_column_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ints.parquet");
    write_raw(
        &path,
        vec![
            Field::new("sample_id", DataType::Utf8, false),
            Field::new("ENSG1", DataType::Int64, false),
        ],
        vec![
            Arc::new(StringArray::from(vec!["s1"])),
            Arc::new(Int64Array::from(vec![1])),
        ],
    );
    let err = read_dataset(&path).unwrap_err();
    assert!(
        matches!(err.kind, ErrorKind::Malformed(ref m) if m.contains("Float32")),
        "{err}"
    );
    assert!(err.to_string().contains("column ENSG1"), "{err}");
}

#[test]
fn nan_value_is_refused_naming_sample() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nan.parquet");
    write_raw(
        &path,
        vec![
            Field::new("sample_id", DataType::Utf8, false),
            Field::new("ENSG1", DataType::Float32, false),
        ],
        vec![
            Arc::new(StringArray::from(vec!["s1", "s2"])),
            Arc::new(Float32Array::from(vec![1.0, f32::NAN])),
        ],
    );
    let err = read_dataset(&path).unwrap_err();
    assert!(matches!(err.kind, ErrorKind::NotFinite { .. }), "{err}");
    assert_eq!(err.location, Location::Sample("s2".into()));
}

#[test]
fn missing_sample_id_column_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("noid.parquet");
    write_raw(
        &path,
        vec![Field::new("ENSG1", DataType::Float32, false)],
        vec![Arc::new(Float32Array::from(vec![1.0]))],
    );
    let err = read_dataset(&path).unwrap_err();
    assert!(matches!(err.kind, ErrorKind::MissingHeader { .. }), "{err}");
}

#[test]
fn empty_and_non_parquet_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.parquet");
    std::fs::write(&empty, b"").unwrap();
    let err = read_dataset(&empty).unwrap_err();
    assert!(matches!(err.kind, ErrorKind::Empty), "{err}");
    assert!(err.to_string().contains("empty.parquet"), "{err}");

    let text = dir.path().join("matrix.tsv.parquet");
    std::fs::write(&text, "gene_id\tS1\nENSG1\t3\n").unwrap();
    for err in [
        read_dataset(&text).unwrap_err(),
        read_predictions(&text).unwrap_err(),
    ] {
        assert!(matches!(err.kind, ErrorKind::Parquet(_)), "{err}");
        assert!(err.to_string().contains("matrix.tsv.parquet"), "{err}");
    }
}

fn predictions() -> PredictionTable {
    PredictionTable {
        classes: vec!["lung".into(), "liver".into(), "brain".into()],
        rows: vec![
            Prediction {
                sample_id: "s1".into(),
                predicted: "liver".into(),
                max_probability: 0.8,
                probabilities: vec![0.15, 0.8, 0.05],
            },
            Prediction {
                sample_id: "s2".into(),
                predicted: UNASSIGNED.into(),
                max_probability: 0.4,
                probabilities: vec![0.4, 0.35, 0.25],
            },
        ],
    }
}

#[test]
fn predictions_round_trip_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pred.parquet");
    let table = predictions();
    write_predictions(&path, &table).unwrap();
    assert_eq!(read_predictions(&path).unwrap(), table);
}

#[test]
fn invalid_predictions_are_not_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pred.parquet");
    let mut table = predictions();
    table.rows[1].sample_id = "s1".into();
    let err = write_predictions(&path, &table).unwrap_err();
    assert!(
        matches!(err.kind, ErrorKind::DuplicateSample { .. }),
        "{err}"
    );
    let mut table = predictions();
    table.rows[0].predicted = "kidney".into();
    let err = write_predictions(&path, &table).unwrap_err();
    assert_eq!(err.location, Location::Sample("s1".into()));
    assert!(!path.exists());
}

/// `n` rows of three classes, ids `s{first}` on.
fn prediction_rows(first: usize, n: usize) -> Vec<Prediction> {
    (first..first + n)
        .map(|i| {
            let p = (i % 7) as f32 / 10.0;
            Prediction {
                sample_id: format!("s{i}"),
                predicted: "lung".into(),
                max_probability: 1.0 - p,
                probabilities: vec![1.0 - p, p / 2.0, p / 2.0],
            }
        })
        .collect()
}

/// The temporary files rnameta is writing in `dir` (everything but `keep`), with their sizes.
fn temporaries(dir: &Path) -> Vec<u64> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(TEMPORARY_PREFIX)
        })
        .map(|e| e.metadata().unwrap().len())
        .collect()
}

#[test]
fn streamed_predictions_go_to_disk_as_they_come_and_read_back_as_one_table() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pred.parquet");
    let classes: Vec<String> = vec!["lung".into(), "liver".into(), "brain".into()];
    let mut writer = PredictionWriter::begin(&path, classes.clone()).unwrap();
    let mut all = Vec::new();
    // Chunks of 1,024 (annotate's) until more than one row group's rows are written: the first
    // group is then in the file, not in memory.
    let chunks = PREDICTION_ROWS_PER_GROUP / 1024 + 2;
    for c in 0..chunks {
        let rows = prediction_rows(c * 1024, 1024);
        writer.write(&rows).unwrap();
        all.extend(rows);
    }
    assert_eq!(writer.rows(), chunks * 1024);
    let on_disk = temporaries(dir.path());
    assert_eq!(on_disk.len(), 1, "one temporary file");
    let before_finish = on_disk[0];
    assert!(
        !path.exists(),
        "nothing under the target's name before commit"
    );
    writer.finish().unwrap().commit().unwrap();
    // The first row group holds 65,536 of the 67,584 rows: most of the file.
    let whole = std::fs::metadata(&path).unwrap().len();
    assert!(
        before_finish > whole / 2,
        "the first row group should be on disk before finish: {before_finish} of {whole} bytes"
    );
    let table = PredictionTable { classes, rows: all };
    assert_eq!(read_predictions(&path).unwrap(), table);
    assert!(temporaries(dir.path()).is_empty());
}

#[test]
fn a_refused_chunk_of_a_streamed_table_is_not_written_and_a_dropped_writer_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pred.parquet");
    let classes: Vec<String> = vec!["lung".into(), "liver".into(), "brain".into()];
    let reserved = PredictionWriter::begin(&path, vec!["sample_id".into()]).unwrap_err();
    assert!(reserved.to_string().contains("reserved"), "{reserved}");

    let mut writer = PredictionWriter::begin(&path, classes.clone()).unwrap();
    let first = prediction_rows(0, 3);
    writer.write(&first).unwrap();
    // s3, s4 new, then s1 again: the whole chunk is refused and its new ids forgotten.
    let mut repeated = prediction_rows(3, 2);
    repeated.extend(prediction_rows(1, 1));
    let err = writer.write(&repeated).unwrap_err();
    assert!(
        matches!(err.kind, ErrorKind::DuplicateSample { .. }),
        "{err}"
    );
    assert_eq!(writer.rows(), 3);
    let mut ragged = prediction_rows(3, 1);
    ragged[0].probabilities.pop();
    let err = writer.write(&ragged).unwrap_err();
    assert_eq!(err.location, Location::Sample("s3".into()));
    // s3 and s4 can still come.
    let more = prediction_rows(3, 2);
    writer.write(&more).unwrap();
    writer.finish().unwrap().commit().unwrap();
    let rows: Vec<Prediction> = first.into_iter().chain(more).collect();
    assert_eq!(
        read_predictions(&path).unwrap(),
        PredictionTable {
            classes: classes.clone(),
            rows
        }
    );

    let dropped = dir.path().join("dropped.parquet");
    let mut writer = PredictionWriter::begin(&dropped, classes).unwrap();
    writer.write(&prediction_rows(0, 10)).unwrap();
    drop(writer);
    assert!(!dropped.exists());
    assert!(temporaries(dir.path()).is_empty());
}

#[test]
fn predictions_with_null_or_duplicate_sample_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let fields = || {
        vec![
            Field::new("sample_id", DataType::Utf8, false),
            Field::new("predicted", DataType::Utf8, false),
            Field::new("max_probability", DataType::Float32, true),
            Field::new("lung", DataType::Float32, true),
        ]
    };
    let null = dir.path().join("null.parquet");
    write_raw(
        &null,
        fields(),
        vec![
            Arc::new(StringArray::from(vec!["a", "b"])),
            Arc::new(StringArray::from(vec!["lung", "lung"])),
            Arc::new(Float32Array::from(vec![Some(1.0), Some(1.0)])),
            Arc::new(Float32Array::from(vec![Some(1.0), None])),
        ],
    );
    let err = read_predictions(&null).unwrap_err();
    assert_eq!(err.location, Location::Sample("b".into()), "{err}");
    assert!(err.to_string().contains("lung"), "{err}");

    let dup = dir.path().join("dup.parquet");
    write_raw(
        &dup,
        fields(),
        vec![
            Arc::new(StringArray::from(vec!["a", "a"])),
            Arc::new(StringArray::from(vec!["lung", "lung"])),
            Arc::new(Float32Array::from(vec![1.0, 1.0])),
            Arc::new(Float32Array::from(vec![1.0, 1.0])),
        ],
    );
    let err = read_predictions(&dup).unwrap_err();
    assert!(
        matches!(err.kind, ErrorKind::DuplicateSample { ref id } if id == "a"),
        "{err}"
    );
}

#[test]
fn a_prediction_table_read_as_a_matrix_is_named_as_what_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pred.parquet");
    write_predictions(&path, &predictions()).unwrap();
    let err = read_dataset(&path).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("a prediction table") && text.contains("not an expression matrix"),
        "{text}"
    );
}

fn write_in(path: &Path, data: &Dataset, layout: MatrixLayout) {
    stage_dataset(path, data, layout).unwrap().commit().unwrap();
}

#[test]
fn packed_dataset_round_trips_exactly_and_costs_its_values() {
    let dir = tempfile::tempdir().unwrap();
    for (samples, genes) in [(6, 2000), (0, 5), (1030, 3)] {
        let original = dataset(samples, genes);
        let packed = dir.path().join(format!("packed-{samples}.parquet"));
        write_in(&packed, &original, MatrixLayout::Packed);
        assert_eq!(
            read_dataset(&packed).unwrap(),
            original,
            "{samples} x {genes}"
        );
    }
    // Few samples, many genes: the wide layout's cost is per column, the packed one's per value.
    let few = dataset(6, 2000);
    let (wide, packed) = (
        dir.path().join("wide.parquet"),
        dir.path().join("packed.parquet"),
    );
    write_in(&wide, &few, MatrixLayout::Wide);
    write_in(&packed, &few, MatrixLayout::Packed);
    let size = |p: &Path| std::fs::metadata(p).unwrap().len();
    assert!(
        size(&packed) * 4 < size(&wide),
        "packed {} bytes, wide {} bytes",
        size(&packed),
        size(&wide)
    );
}

#[test]
fn a_packed_row_of_the_wrong_length_is_refused_naming_the_sample() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.parquet");
    write_in(&good, &dataset(2, 3), MatrixLayout::Packed);
    let reader = SerializedFileReader::new(File::open(&good).unwrap()).unwrap();
    let key_values = reader
        .metadata()
        .file_metadata()
        .key_value_metadata()
        .unwrap()
        .clone();
    assert!(key_values.iter().any(|kv| kv.key == GENES_ZLIB_KEY));
    // The same metadata over rows of 3 and 2 values.
    let item = Arc::new(Field::new("item", DataType::Float32, false));
    let list = arrow_array::ListArray::new(
        item.clone(),
        arrow_buffer::OffsetBuffer::from_lengths([3, 2]),
        Arc::new(Float32Array::from(vec![1.0, 2.0, 3.0, 4.0, 5.0])),
        None,
    );
    let schema = Arc::new(Schema::new(vec![
        Field::new("sample_id", DataType::Utf8, false),
        Field::new("expression", DataType::List(item), false),
    ]));
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(StringArray::from(vec!["S0", "S1"])),
            Arc::new(list),
        ],
    )
    .unwrap();
    let bad = dir.path().join("bad.parquet");
    let props = parquet::file::properties::WriterProperties::builder()
        .set_key_value_metadata(Some(key_values))
        .build();
    let mut writer =
        ArrowWriter::try_new(File::create(&bad).unwrap(), schema, Some(props)).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
    let err = read_dataset(&bad).unwrap_err();
    assert_eq!(err.location, Location::Sample("S1".into()), "{err}");
    assert!(
        err.to_string()
            .contains("2 values in expression, for 3 genes"),
        "{err}"
    );
}
