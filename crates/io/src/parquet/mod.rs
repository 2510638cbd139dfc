//! Parquet files (arrow-rs, snappy) for processed expression matrices and prediction tables.
//!
//! Matrices are stored one row per sample, in one of two layouts ([`MatrixLayout`]). Wide: a
//! `sample_id` (Utf8) column, then one Float32 column per gene named by its canonical id (what
//! pandas or polars read as a table). Packed: `sample_id` and one list column, `expression`, of
//! every gene's value (the file's cost no longer grows with the genes: the workflow's shards of
//! small projects). The gene annotation and the sample metadata go as JSON into the file's
//! key-value metadata (`rnameta.genes`, or zlib-compressed and base64-encoded in
//! `rnameta.genes.zlib` for a packed file; `rnameta.samples`), so that a [`Dataset`] reads back
//! exactly as it was written; a wide file from elsewhere without them still reads, with genes and
//! samples known by their ids only. Rows are written in row groups of a bounded number of samples,
//! so that readers can stream them.
//!
//! Prediction tables (the `predictions` module) have `sample_id`, `predicted` (a class name or
//! [`UNASSIGNED`]), `max_probability`, then one Float32 probability column per class; they can be
//! written as their rows come ([`PredictionWriter`]).
//!
//! Reading refuses what would silently corrupt a model's input: a repeated column name, a value
//! column that is not Float32, a null or non-finite value (named by column and sample), a repeated
//! sample id, an empty or non-Parquet file.

use std::collections::HashMap;
use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use ::parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};
use ::parquet::arrow::arrow_writer::ArrowWriterOptions;
use ::parquet::arrow::ArrowWriter;
use ::parquet::basic::Compression;
use ::parquet::file::metadata::KeyValue;
use ::parquet::file::properties::{EnabledStatistics, WriterProperties};
use arrow_array::{Array, ArrayRef, Float32Array, LargeStringArray, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use ndarray::{s, Array2};
use rnameta_core::{DataSource, Dataset, GeneAnnotation, GeneInfo, SampleMeta};

use crate::error::{Error, ErrorKind, Location, Result};
use crate::write::{stage_with_path, Staged};

mod predictions;

pub use predictions::{
    read_predictions, stage_predictions, write_predictions, Prediction, PredictionTable,
    PredictionWriter, PREDICTION_ROWS_PER_GROUP,
};

/// Key-value metadata key holding the format name and version.
pub const FORMAT_KEY: &str = "rnameta.format";
/// Key-value metadata key holding the gene annotation as JSON (a list of genes, column order).
pub const GENES_KEY: &str = "rnameta.genes";
/// Key-value metadata key holding the sample metadata as JSON (a list of samples, row order).
pub const SAMPLES_KEY: &str = "rnameta.samples";
/// Key-value metadata key of a packed matrix's layout ([`PACKED`]); absent in a wide one.
pub const LAYOUT_KEY: &str = "rnameta.layout";
/// The [`LAYOUT_KEY`] value of a packed matrix.
pub const PACKED: &str = "packed";
/// Key-value metadata key holding a packed matrix's gene annotation: the JSON of [`GENES_KEY`],
/// zlib-compressed and base64-encoded (about a seventh of the JSON).
pub const GENES_ZLIB_KEY: &str = "rnameta.genes.zlib";
/// Name of a packed matrix's list column of values.
pub const EXPRESSION: &str = "expression";
/// Format name of expression matrices.
pub const DATASET_FORMAT: &str = "rnameta.dataset.v1";
/// Format name of prediction tables.
pub const PREDICTIONS_FORMAT: &str = "rnameta.predictions.v1";
/// Name of the sample id column.
pub const SAMPLE_ID: &str = "sample_id";
/// Name of the predicted class column of a prediction table.
pub const PREDICTED: &str = "predicted";
/// Name of the highest class probability column of a prediction table.
pub const MAX_PROBABILITY: &str = "max_probability";
/// The `predicted` value of a sample no class was confident enough for.
pub const UNASSIGNED: &str = "unassigned";
/// Samples per row group unless told otherwise.
pub const DEFAULT_SAMPLES_PER_ROW_GROUP: usize = 1024;

fn parquet_error(path: &Path) -> impl Fn(::parquet::errors::ParquetError) -> Error + '_ {
    move |e| Error::file(path, ErrorKind::Parquet(e.to_string()))
}

fn arrow_error(path: &Path) -> impl Fn(arrow_schema::ArrowError) -> Error + '_ {
    move |e| Error::file(path, ErrorKind::Parquet(e.to_string()))
}

fn column_location(name: &str) -> Location {
    Location::Object(format!("column {name}"))
}

/// How a matrix is laid out in a Parquet file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatrixLayout {
    /// One Float32 column per gene, named by its id: a table for pandas or polars, and for
    /// readers that want a few genes' columns. Each column costs a few hundred bytes of file
    /// metadata, so a file of few samples is mostly metadata.
    Wide,
    /// One list column of every gene's value per sample, the gene annotation compressed: a file's
    /// cost is its values (measured on a 6-sample x 2,001-gene recount3 project: 549 KB wide,
    /// 59 KB packed).
    Packed,
}

/// Writes a dataset with [`DEFAULT_SAMPLES_PER_ROW_GROUP`] samples per row group.
pub fn write_dataset(path: &Path, dataset: &Dataset) -> Result<()> {
    write_dataset_with_row_groups(path, dataset, DEFAULT_SAMPLES_PER_ROW_GROUP)
}

/// Writes a dataset atomically, `samples_per_row_group` samples (at least 1) per row group.
pub fn write_dataset_with_row_groups(
    path: &Path,
    dataset: &Dataset,
    samples_per_row_group: usize,
) -> Result<()> {
    stage_dataset_with_row_groups(path, dataset, samples_per_row_group)?.commit()
}

/// Writes a dataset in `layout` beside `path` ([`DEFAULT_SAMPLES_PER_ROW_GROUP`] samples per row
/// group) and returns it staged: it appears under `path` only when committed, with the other
/// outputs of the same command (`write::commit_all`).
pub fn stage_dataset(path: &Path, dataset: &Dataset, layout: MatrixLayout) -> Result<Staged> {
    match layout {
        MatrixLayout::Wide => {
            stage_dataset_with_row_groups(path, dataset, DEFAULT_SAMPLES_PER_ROW_GROUP)
        }
        MatrixLayout::Packed => stage_packed(path, dataset, DEFAULT_SAMPLES_PER_ROW_GROUP),
    }
}

/// The sample metadata's JSON, for [`SAMPLES_KEY`].
fn samples_json(path: &Path, dataset: &Dataset) -> Result<String> {
    serde_json::to_string(dataset.samples())
        .map_err(|e| Error::file(path, ErrorKind::Json(e.to_string())))
}

/// The type of a packed matrix's [`EXPRESSION`] column.
fn expression_type() -> DataType {
    DataType::List(Arc::new(Field::new("item", DataType::Float32, false)))
}

fn stage_packed(path: &Path, dataset: &Dataset, samples_per_row_group: usize) -> Result<Staged> {
    use std::io::Write as _;
    let group = samples_per_row_group.max(1);
    let genes = serde_json::to_vec(dataset.genes())
        .map_err(|e| Error::file(path, ErrorKind::Json(e.to_string())))?;
    let mut zlib = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    let compressed = zlib
        .write_all(&genes)
        .and_then(|()| zlib.finish())
        .map_err(|e| Error::io(path, Location::File, e))?;
    let genes = BASE64.encode(compressed);
    let schema: SchemaRef = Arc::new(Schema::new(vec![
        Field::new(SAMPLE_ID, DataType::Utf8, false),
        Field::new(EXPRESSION, expression_type(), false),
    ]));
    let metadata = vec![
        (FORMAT_KEY, DATASET_FORMAT.to_owned()),
        (LAYOUT_KEY, PACKED.to_owned()),
        (GENES_ZLIB_KEY, genes),
        (SAMPLES_KEY, samples_json(path, dataset)?),
    ];
    let (counts, n_genes) = (dataset.counts(), dataset.n_genes());
    let item = Arc::new(Field::new("item", DataType::Float32, false));
    let batches = (0..dataset.n_samples()).step_by(group).map(|start| {
        let end = (start + group).min(dataset.n_samples());
        let ids: Vec<&str> = dataset.samples()[start..end]
            .iter()
            .map(|s| s.sample_id.as_str())
            .collect();
        let values: Vec<f32> = counts.slice(s![start..end, ..]).iter().copied().collect();
        let offsets =
            arrow_buffer::OffsetBuffer::from_lengths(std::iter::repeat_n(n_genes, end - start));
        let list = arrow_array::ListArray::try_new(
            item.clone(),
            offsets,
            Arc::new(Float32Array::from(values)),
            None,
        )?;
        RecordBatch::try_new(
            schema.clone(),
            vec![Arc::new(StringArray::from(ids)), Arc::new(list)],
        )
    });
    stage_batches(path, &schema, metadata, group, batches)
}

fn stage_dataset_with_row_groups(
    path: &Path,
    dataset: &Dataset,
    samples_per_row_group: usize,
) -> Result<Staged> {
    let group = samples_per_row_group.max(1);
    let genes = serde_json::to_string(dataset.genes())
        .map_err(|e| Error::file(path, ErrorKind::Json(e.to_string())))?;
    let samples = samples_json(path, dataset)?;
    let mut fields = vec![Field::new(SAMPLE_ID, DataType::Utf8, false)];
    fields.extend(
        dataset
            .genes()
            .ids()
            .map(|id| Field::new(id, DataType::Float32, false)),
    );
    let schema: SchemaRef = Arc::new(Schema::new(fields));
    let metadata = vec![
        (FORMAT_KEY, DATASET_FORMAT.to_owned()),
        (GENES_KEY, genes),
        (SAMPLES_KEY, samples),
    ];
    let counts = dataset.counts();
    let batches = (0..dataset.n_samples()).step_by(group).map(|start| {
        let end = (start + group).min(dataset.n_samples());
        let ids: Vec<&str> = dataset.samples()[start..end]
            .iter()
            .map(|s| s.sample_id.as_str())
            .collect();
        let mut columns: Vec<ArrayRef> = vec![Arc::new(StringArray::from(ids))];
        for j in 0..dataset.n_genes() {
            let values = counts.slice(s![start..end, j]).to_vec();
            columns.push(Arc::new(Float32Array::from(values)));
        }
        RecordBatch::try_new(schema.clone(), columns)
    });
    stage_batches(path, &schema, metadata, group, batches)
}

/// Writes record batches to a snappy-compressed Parquet file beside `path`, staged for renaming.
/// The writer settings of every Parquet file rnameta writes: snappy, at most `rows_per_group` rows
/// a row group, the key-value `metadata`.
fn writer_options(metadata: Vec<(&str, String)>, rows_per_group: usize) -> ArrowWriterOptions {
    let key_values = metadata
        .into_iter()
        .map(|(k, v)| KeyValue::new(k.to_owned(), v))
        .collect();
    // A matrix has one column per gene, so what is written per column chunk counts more than the
    // values of a small file: no dictionary page (expression values rarely repeat), no column
    // statistics, and no copy of the Arrow schema (every column is Float32 or a string, which the
    // Parquet schema says alone). Measured on a 6-sample x 2,001-gene shard: 864 KB -> 549 KB (of which
    // 288 KB are the genes' JSON).
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(rows_per_group))
        .set_key_value_metadata(Some(key_values))
        .set_dictionary_enabled(false)
        .set_statistics_enabled(EnabledStatistics::None)
        .build();
    ArrowWriterOptions::new()
        .with_properties(props)
        .with_skip_arrow_metadata(true)
}

fn stage_batches(
    path: &Path,
    schema: &SchemaRef,
    metadata: Vec<(&str, String)>,
    rows_per_group: usize,
    batches: impl Iterator<Item = std::result::Result<RecordBatch, arrow_schema::ArrowError>>,
) -> Result<Staged> {
    let options = writer_options(metadata, rows_per_group);
    stage_with_path(path, |tmp| {
        let file = File::create(tmp).map_err(|e| Error::io(path, Location::File, e))?;
        let mut writer = ArrowWriter::try_new_with_options(file, schema.clone(), options)
            .map_err(parquet_error(path))?;
        for batch in batches {
            let batch = batch.map_err(arrow_error(path))?;
            writer.write(&batch).map_err(parquet_error(path))?;
            writer.flush().map_err(parquet_error(path))?;
        }
        writer.close().map_err(parquet_error(path))?;
        Ok(())
    })
}

/// An opened Parquet file: its schema, its key-value metadata and its batches.
struct Opened {
    schema: SchemaRef,
    key_values: HashMap<String, String>,
    batches: ParquetRecordBatchReader,
}

fn open_parquet(path: &Path) -> Result<Opened> {
    let file = File::open(path).map_err(|e| Error::io(path, Location::File, e))?;
    let len = file
        .metadata()
        .map_err(|e| Error::io(path, Location::File, e))?
        .len();
    if len == 0 {
        return Err(Error::file(path, ErrorKind::Empty));
    }
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| {
        Error::file(
            path,
            ErrorKind::Parquet(format!("not a readable Parquet file: {e}")),
        )
    })?;
    let key_values = builder
        .metadata()
        .file_metadata()
        .key_value_metadata()
        .map(|kvs| {
            kvs.iter()
                .filter_map(|kv| Some((kv.key.clone(), kv.value.clone()?)))
                .collect()
        })
        .unwrap_or_default();
    let schema = builder.schema().clone();
    let batches = builder.build().map_err(parquet_error(path))?;
    Ok(Opened {
        schema,
        key_values,
        batches,
    })
}

/// Refuses a repeated column name.
fn check_unique_columns(path: &Path, schema: &Schema) -> Result<()> {
    let mut first: HashMap<&str, usize> = HashMap::new();
    for (i, field) in schema.fields().iter().enumerate() {
        if let Some(j) = first.insert(field.name(), i) {
            return Err(Error::new(
                path,
                column_location(field.name()),
                ErrorKind::DuplicateGene {
                    id: field.name().clone(),
                    first: format!("column {j}"),
                },
            ));
        }
    }
    Ok(())
}

/// Position and field of a required column; `expected` says what it should be when it is
/// missing ("a sample_id column (Utf8)").
fn require_column<'a>(
    path: &Path,
    schema: &'a Schema,
    name: &str,
    expected: String,
) -> Result<(usize, &'a Field)> {
    schema
        .column_with_name(name)
        .ok_or_else(|| Error::file(path, ErrorKind::MissingHeader { expected }))
}

/// Position of a required column, which must be a string column.
fn require_string_column(path: &Path, schema: &Schema, name: &str) -> Result<usize> {
    let (index, field) = require_column(path, schema, name, format!("a {name} column (Utf8)"))?;
    match field.data_type() {
        DataType::Utf8 | DataType::LargeUtf8 => Ok(index),
        other => Err(Error::new(
            path,
            column_location(name),
            ErrorKind::Malformed(format!("column {name} is {other}, expected Utf8")),
        )),
    }
}

/// Refuses a value column that is not Float32.
fn require_float_column(path: &Path, field: &Field) -> Result<()> {
    if field.data_type() == &DataType::Float32 {
        Ok(())
    } else {
        Err(Error::new(
            path,
            column_location(field.name()),
            ErrorKind::Malformed(format!(
                "column {} is {}, expected Float32",
                field.name(),
                field.data_type()
            )),
        ))
    }
}

/// The strings of a column; a null is refused with the column and the row (counted from 0 over
/// the whole file, `row_offset` being the first row of this batch).
fn read_strings(
    path: &Path,
    array: &ArrayRef,
    name: &str,
    row_offset: usize,
) -> Result<Vec<String>> {
    let null_at = |row: usize| {
        Error::new(
            path,
            Location::Object(format!("column {name}, row {}", row_offset + row)),
            ErrorKind::Missing(format!("value in column {name} (null)")),
        )
    };
    let mut out = Vec::with_capacity(array.len());
    if let Some(a) = array.as_any().downcast_ref::<StringArray>() {
        for (row, v) in a.iter().enumerate() {
            out.push(v.ok_or_else(|| null_at(row))?.to_owned());
        }
    } else if let Some(a) = array.as_any().downcast_ref::<LargeStringArray>() {
        for (row, v) in a.iter().enumerate() {
            out.push(v.ok_or_else(|| null_at(row))?.to_owned());
        }
    } else {
        return Err(Error::new(
            path,
            column_location(name),
            ErrorKind::Malformed(format!("column {name} is not a string column")),
        ));
    }
    Ok(out)
}

/// The values of a Float32 column; a null or non-finite value is refused with the column and
/// the sample of its row.
fn read_floats<'a>(
    path: &Path,
    array: &'a ArrayRef,
    name: &str,
    sample_ids: &[String],
) -> Result<&'a [f32]> {
    let a = array
        .as_any()
        .downcast_ref::<Float32Array>()
        .ok_or_else(|| {
            Error::new(
                path,
                column_location(name),
                ErrorKind::Malformed(format!("column {name} is not Float32")),
            )
        })?;
    let sample = |row: usize| {
        Location::Sample(
            sample_ids
                .get(row)
                .cloned()
                .unwrap_or_else(|| format!("row {row}")),
        )
    };
    if a.null_count() > 0 {
        let row = (0..a.len()).find(|&r| a.is_null(r)).unwrap_or(0);
        return Err(Error::new(
            path,
            sample(row),
            ErrorKind::Missing(format!("value in column {name} (null)")),
        ));
    }
    let values: &[f32] = a.values();
    if let Some(row) = values.iter().position(|v| !v.is_finite()) {
        return Err(Error::new(
            path,
            sample(row),
            ErrorKind::NotFinite {
                value: format!("{} in column {name}", values[row]),
            },
        ));
    }
    Ok(values)
}

/// Refuses a repeated sample id.
fn check_unique_samples(path: &Path, ids: &[String]) -> Result<()> {
    let mut seen = std::collections::HashSet::with_capacity(ids.len());
    for id in ids {
        if !seen.insert(id.as_str()) {
            return Err(Error::new(
                path,
                Location::Sample(id.clone()),
                ErrorKind::DuplicateSample { id: id.clone() },
            ));
        }
    }
    Ok(())
}

/// Reads a wide expression matrix written by [`write_dataset`] (or any wide Parquet file with a
/// `sample_id` column and Float32 gene columns).
pub fn read_dataset(path: &Path) -> Result<Dataset> {
    let opened = open_parquet(path)?;
    let is_predictions = opened
        .key_values
        .get(FORMAT_KEY)
        .is_some_and(|f| f == PREDICTIONS_FORMAT)
        || opened.schema.column_with_name(PREDICTED).is_some();
    if is_predictions {
        return Err(Error::file(
            path,
            ErrorKind::Malformed(
                "a prediction table (written by `rnameta annotate`), not an expression matrix; \
                 give the expression file the predictions were made from"
                    .to_owned(),
            ),
        ));
    }
    if opened.key_values.get(LAYOUT_KEY).map(String::as_str) == Some(PACKED) {
        return read_packed(path, opened);
    }
    let schema = opened.schema.clone();
    check_unique_columns(path, &schema)?;
    let id_column = require_string_column(path, &schema, SAMPLE_ID)?;
    let gene_columns: Vec<usize> = (0..schema.fields().len())
        .filter(|&i| i != id_column)
        .collect();
    let gene_names: Vec<&str> = gene_columns
        .iter()
        .map(|&i| schema.field(i).name().as_str())
        .collect();
    for &i in &gene_columns {
        require_float_column(path, schema.field(i))?;
    }
    let n_genes = gene_columns.len();
    let mut sample_ids: Vec<String> = Vec::new();
    let mut values: Vec<f32> = Vec::new();
    for batch in opened.batches {
        let batch = batch.map_err(arrow_error(path))?;
        let ids = read_strings(path, batch.column(id_column), SAMPLE_ID, sample_ids.len())?;
        let start = values.len();
        values.resize(start + ids.len() * n_genes, 0.0);
        for (j, &c) in gene_columns.iter().enumerate() {
            let column = read_floats(path, batch.column(c), gene_names[j], &ids)?;
            for (r, &v) in column.iter().enumerate() {
                values[start + r * n_genes + j] = v;
            }
        }
        sample_ids.extend(ids);
    }
    check_unique_samples(path, &sample_ids)?;
    let genes = dataset_genes(path, &opened.key_values, &gene_names)?;
    let samples = dataset_samples(path, &opened.key_values, &sample_ids)?;
    let counts = Array2::from_shape_vec((sample_ids.len(), n_genes), values)
        .map_err(|e| Error::file(path, ErrorKind::Malformed(e.to_string())))?;
    Dataset::new(counts, genes, samples).map_err(|e| Error::file(path, e.into()))
}

/// Reads a packed matrix ([`MatrixLayout::Packed`]): every row's list must hold one finite value
/// per gene of the annotation.
fn read_packed(path: &Path, opened: Opened) -> Result<Dataset> {
    use std::io::Read as _;
    let Some(encoded) = opened.key_values.get(GENES_ZLIB_KEY) else {
        return Err(Error::new(
            path,
            metadata_location(GENES_ZLIB_KEY),
            ErrorKind::Missing("the gene annotation of a packed matrix".to_owned()),
        ));
    };
    let bad_genes = |why: String| {
        Error::new(
            path,
            metadata_location(GENES_ZLIB_KEY),
            ErrorKind::Malformed(why),
        )
    };
    let compressed = BASE64
        .decode(encoded)
        .map_err(|e| bad_genes(format!("not base64: {e}")))?;
    let mut json = Vec::new();
    flate2::read::ZlibDecoder::new(compressed.as_slice())
        .read_to_end(&mut json)
        .map_err(|e| bad_genes(format!("not zlib data: {e}")))?;
    let genes: Vec<GeneInfo> = serde_json::from_slice(&json).map_err(|e| {
        Error::new(
            path,
            metadata_location(GENES_ZLIB_KEY),
            ErrorKind::Json(e.to_string()),
        )
    })?;
    let genes = GeneAnnotation::new(genes).map_err(|e| Error::file(path, e.into()))?;
    let n_genes = genes.len();
    let schema = opened.schema.clone();
    let id_column = require_string_column(path, &schema, SAMPLE_ID)?;
    let (list_column, field) = require_column(
        path,
        &schema,
        EXPRESSION,
        format!("an {EXPRESSION} column (a list of Float32)"),
    )?;
    if !matches!(field.data_type(), DataType::List(item) if item.data_type() == &DataType::Float32)
    {
        return Err(Error::new(
            path,
            column_location(EXPRESSION),
            ErrorKind::Malformed(format!(
                "column {EXPRESSION} is {}, expected a list of Float32",
                field.data_type()
            )),
        ));
    }
    let mut sample_ids: Vec<String> = Vec::new();
    let mut values: Vec<f32> = Vec::new();
    for batch in opened.batches {
        let batch = batch.map_err(arrow_error(path))?;
        let ids = read_strings(path, batch.column(id_column), SAMPLE_ID, sample_ids.len())?;
        let list = batch
            .column(list_column)
            .as_any()
            .downcast_ref::<arrow_array::ListArray>()
            .ok_or_else(|| {
                Error::new(
                    path,
                    column_location(EXPRESSION),
                    ErrorKind::Malformed(format!("column {EXPRESSION} is not a list column")),
                )
            })?;
        for (row, id) in ids.iter().enumerate() {
            let at = Location::Sample(id.clone());
            if list.is_null(row) {
                return Err(Error::new(
                    path,
                    at,
                    ErrorKind::Missing(format!("{EXPRESSION} (null)")),
                ));
            }
            let row_values = list.value(row);
            if row_values.len() != n_genes {
                return Err(Error::new(
                    path,
                    at,
                    ErrorKind::Malformed(format!(
                        "{} values in {EXPRESSION}, for {n_genes} genes annotated",
                        row_values.len()
                    )),
                ));
            }
            let floats = row_values
                .as_any()
                .downcast_ref::<Float32Array>()
                .ok_or_else(|| {
                    Error::new(
                        path,
                        at.clone(),
                        ErrorKind::Malformed(format!("{EXPRESSION} is not Float32")),
                    )
                })?;
            if floats.null_count() > 0 {
                let gene = (0..n_genes).find(|&g| floats.is_null(g)).unwrap_or(0);
                return Err(Error::new(
                    path,
                    at,
                    ErrorKind::Missing(format!("value of gene {} (null)", genes.genes()[gene].id)),
                ));
            }
            if let Some(gene) = floats.values().iter().position(|v| !v.is_finite()) {
                return Err(Error::new(
                    path,
                    at,
                    ErrorKind::NotFinite {
                        value: format!(
                            "{} for gene {}",
                            floats.value(gene),
                            genes.genes()[gene].id
                        ),
                    },
                ));
            }
            values.extend_from_slice(floats.values());
        }
        sample_ids.extend(ids);
    }
    check_unique_samples(path, &sample_ids)?;
    let samples = dataset_samples(path, &opened.key_values, &sample_ids)?;
    let counts = Array2::from_shape_vec((sample_ids.len(), n_genes), values)
        .map_err(|e| Error::file(path, ErrorKind::Malformed(e.to_string())))?;
    Dataset::new(counts, genes, samples).map_err(|e| Error::file(path, e.into()))
}

fn metadata_location(key: &str) -> Location {
    Location::Object(format!("key-value metadata {key}"))
}

/// The genes from the metadata (checked against the column names), or bare ids.
fn dataset_genes(
    path: &Path,
    key_values: &HashMap<String, String>,
    names: &[&str],
) -> Result<GeneAnnotation> {
    let genes: Vec<GeneInfo> = match key_values.get(GENES_KEY) {
        Some(json) => {
            let genes: Vec<GeneInfo> = serde_json::from_str(json).map_err(|e| {
                Error::new(
                    path,
                    metadata_location(GENES_KEY),
                    ErrorKind::Json(e.to_string()),
                )
            })?;
            let ids: Vec<&str> = genes.iter().map(|g| g.id.as_str()).collect();
            if ids != names {
                return Err(Error::new(
                    path,
                    metadata_location(GENES_KEY),
                    ErrorKind::Malformed(format!(
                        "{} genes annotated do not match the {} gene columns in order",
                        ids.len(),
                        names.len()
                    )),
                ));
            }
            genes
        }
        None => names.iter().map(|n| GeneInfo::from_id(n)).collect(),
    };
    GeneAnnotation::new(genes).map_err(|e| Error::file(path, e.into()))
}

/// The samples from the metadata (checked against the sample ids), or bare ids.
fn dataset_samples(
    path: &Path,
    key_values: &HashMap<String, String>,
    ids: &[String],
) -> Result<Vec<SampleMeta>> {
    let Some(json) = key_values.get(SAMPLES_KEY) else {
        return Ok(ids
            .iter()
            .map(|id| SampleMeta::new(id.clone(), DataSource::Other))
            .collect());
    };
    let samples: Vec<SampleMeta> = serde_json::from_str(json).map_err(|e| {
        Error::new(
            path,
            metadata_location(SAMPLES_KEY),
            ErrorKind::Json(e.to_string()),
        )
    })?;
    let same =
        samples.len() == ids.len() && samples.iter().zip(ids).all(|(s, id)| s.sample_id == *id);
    if !same {
        return Err(Error::new(
            path,
            metadata_location(SAMPLES_KEY),
            ErrorKind::Malformed(format!(
                "{} samples annotated do not match the {} rows in order",
                samples.len(),
                ids.len()
            )),
        ));
    }
    Ok(samples)
}
