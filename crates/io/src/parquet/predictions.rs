//! Prediction tables in Parquet: `sample_id`, `predicted` (a class name or [`UNASSIGNED`]),
//! `max_probability`, then one Float32 probability column per class. Written whole
//! ([`write_predictions`]) or as the rows come ([`PredictionWriter`], in bounded memory), read
//! whole ([`read_predictions`]).

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ::parquet::arrow::ArrowWriter;
use arrow_array::{ArrayRef, Float32Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema, SchemaRef};

use super::{
    arrow_error, check_unique_columns, column_location, open_parquet, parquet_error, read_floats,
    read_strings, require_column, require_float_column, require_string_column, writer_options,
    FORMAT_KEY, MAX_PROBABILITY, PREDICTED, PREDICTIONS_FORMAT, SAMPLE_ID, UNASSIGNED,
};
use crate::error::{Error, ErrorKind, Location, Result};
use crate::write::{Staged, StagedWriter};

/// One sample's prediction.
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    /// The sample.
    pub sample_id: String,
    /// The predicted class, or [`UNASSIGNED`].
    pub predicted: String,
    /// The highest class probability.
    pub max_probability: f32,
    /// One probability per class, in the order of [`PredictionTable::classes`].
    pub probabilities: Vec<f32>,
}

/// Predictions of one task for a set of samples.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PredictionTable {
    /// Class names, in probability-column order.
    pub classes: Vec<String>,
    /// One row per sample.
    pub rows: Vec<Prediction>,
}

impl PredictionTable {
    /// Checks what the file format needs: unique class names that are not the fixed column
    /// names, one probability per class, finite numbers, a known predicted class, unique samples.
    pub fn validate(&self) -> std::result::Result<(), (Location, ErrorKind)> {
        let classes = RowCheck::new(&self.classes)?;
        let mut samples = HashSet::new();
        for row in &self.rows {
            classes.check(row, &mut samples)?;
        }
        Ok(())
    }
}

/// The checks of [`PredictionTable::validate`] for one row at a time (a streamed table).
struct RowCheck<'a> {
    classes: HashSet<&'a str>,
    n_classes: usize,
}

impl<'a> RowCheck<'a> {
    /// Refuses a class named like a fixed column or named twice.
    fn new(classes: &'a [String]) -> std::result::Result<Self, (Location, ErrorKind)> {
        let mut seen = HashSet::new();
        for class in classes {
            if [SAMPLE_ID, PREDICTED, MAX_PROBABILITY].contains(&class.as_str())
                || !seen.insert(class.as_str())
            {
                return Err((
                    column_location(class),
                    ErrorKind::Malformed(format!("class name {class:?} is repeated or reserved")),
                ));
            }
        }
        Ok(Self {
            classes: seen,
            n_classes: classes.len(),
        })
    }

    /// Checks `row`; `samples` holds the ids of the rows before it (this one is added).
    fn check(
        &self,
        row: &Prediction,
        samples: &mut HashSet<Box<str>>,
    ) -> std::result::Result<(), (Location, ErrorKind)> {
        let at = || Location::Sample(row.sample_id.clone());
        if samples.contains(row.sample_id.as_str()) {
            return Err((
                at(),
                ErrorKind::DuplicateSample {
                    id: row.sample_id.clone(),
                },
            ));
        }
        samples.insert(row.sample_id.as_str().into());
        if row.probabilities.len() != self.n_classes {
            return Err((
                at(),
                ErrorKind::Ragged {
                    expected: self.n_classes,
                    found: row.probabilities.len(),
                },
            ));
        }
        if let Some(bad) = std::iter::once(&row.max_probability)
            .chain(&row.probabilities)
            .find(|v| !v.is_finite())
        {
            return Err((
                at(),
                ErrorKind::NotFinite {
                    value: bad.to_string(),
                },
            ));
        }
        if row.predicted != UNASSIGNED && !self.classes.contains(row.predicted.as_str()) {
            return Err((
                at(),
                ErrorKind::Malformed(format!(
                    "predicted class {:?} is not a class",
                    row.predicted
                )),
            ));
        }
        Ok(())
    }
}

/// Writes a prediction table atomically (snappy Parquet); refuses a table that
/// [`PredictionTable::validate`] refuses.
pub fn write_predictions(path: &Path, table: &PredictionTable) -> Result<()> {
    stage_predictions(path, table)?.commit()
}

/// Writes a prediction table beside `path` and returns it staged: it appears under `path` only
/// when committed (with the other outputs of the same command, `write::commit_all`).
pub fn stage_predictions(path: &Path, table: &PredictionTable) -> Result<Staged> {
    let mut writer = PredictionWriter::begin(path, table.classes.clone())?;
    writer.write(&table.rows)?;
    writer.finish()
}

/// Rows of a prediction table encoded at most before they go to the file as one row group: the
/// writer's memory stays under about this many rows (65,536 x 31 classes: about 10 MB).
pub const PREDICTION_ROWS_PER_GROUP: usize = 65_536;

/// A prediction table written as its rows come (`rnameta annotate` writes each chunk's rows as it
/// is predicted), so that its memory does not grow with the samples: rows are encoded into the
/// current row group, which goes to the file every [`PREDICTION_ROWS_PER_GROUP`] rows. The file
/// is staged beside its target and appears under its name only when the [`Staged`] that
/// [`PredictionWriter::finish`] returns is committed; dropping the writer leaves nothing.
///
/// Each row is checked as [`PredictionTable::validate`] checks a whole table; to refuse a repeated
/// sample the writer keeps the ids written (the only state that grows, a few dozen bytes a
/// sample).
pub struct PredictionWriter {
    path: PathBuf,
    classes: Vec<String>,
    schema: SchemaRef,
    samples: HashSet<Box<str>>,
    writer: ArrowWriter<StagedWriter>,
}

impl PredictionWriter {
    /// Starts the table of `classes` (probability columns in this order) beside `path`; refuses
    /// a class named like a fixed column or named twice.
    pub fn begin(path: &Path, classes: Vec<String>) -> Result<Self> {
        RowCheck::new(&classes).map_err(|(location, kind)| Error::new(path, location, kind))?;
        let mut fields = vec![
            Field::new(SAMPLE_ID, DataType::Utf8, false),
            Field::new(PREDICTED, DataType::Utf8, false),
            Field::new(MAX_PROBABILITY, DataType::Float32, false),
        ];
        fields.extend(
            classes
                .iter()
                .map(|c| Field::new(c, DataType::Float32, false)),
        );
        let schema: SchemaRef = Arc::new(Schema::new(fields));
        let metadata = vec![(FORMAT_KEY, PREDICTIONS_FORMAT.to_owned())];
        let options = writer_options(metadata, PREDICTION_ROWS_PER_GROUP);
        let writer =
            ArrowWriter::try_new_with_options(StagedWriter::begin(path)?, schema.clone(), options)
                .map_err(parquet_error(path))?;
        Ok(Self {
            path: path.to_path_buf(),
            classes,
            schema,
            samples: HashSet::new(),
            writer,
        })
    }

    /// Appends `rows`, after checking each (see [`PredictionTable::validate`]); nothing of a
    /// refused call is written.
    pub fn write(&mut self, rows: &[Prediction]) -> Result<()> {
        let path = &self.path;
        let check = RowCheck::new(&self.classes).map_err(|(l, k)| Error::new(path, l, k))?;
        let before = self.samples.len();
        for row in rows {
            if let Err((location, kind)) = check.check(row, &mut self.samples) {
                // Forget this call's ids, so that the table stays as it was.
                for r in rows {
                    if self.samples.len() == before {
                        break;
                    }
                    self.samples.remove(r.sample_id.as_str());
                }
                return Err(Error::new(path, location, kind));
            }
        }
        let mut columns: Vec<ArrayRef> = vec![
            Arc::new(StringArray::from_iter_values(
                rows.iter().map(|r| r.sample_id.as_str()),
            )),
            Arc::new(StringArray::from_iter_values(
                rows.iter().map(|r| r.predicted.as_str()),
            )),
            Arc::new(Float32Array::from_iter_values(
                rows.iter().map(|r| r.max_probability),
            )),
        ];
        for k in 0..self.classes.len() {
            columns.push(Arc::new(Float32Array::from_iter_values(
                rows.iter().map(|r| r.probabilities[k]),
            )));
        }
        let batch =
            RecordBatch::try_new(self.schema.clone(), columns).map_err(arrow_error(path))?;
        self.writer.write(&batch).map_err(parquet_error(path))
    }

    /// Rows written so far.
    pub fn rows(&self) -> usize {
        self.samples.len()
    }

    /// Writes the last row group and the footer and returns the file staged.
    pub fn finish(self) -> Result<Staged> {
        let path = self.path;
        let file = self.writer.into_inner().map_err(parquet_error(&path))?;
        file.finish()
    }
}

impl std::fmt::Debug for PredictionWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PredictionWriter")
            .field("path", &self.path)
            .field("classes", &self.classes.len())
            .field("rows", &self.samples.len())
            .finish_non_exhaustive()
    }
}

/// Reads a prediction table written by [`write_predictions`]: the three fixed columns by name,
/// every other column a class.
pub fn read_predictions(path: &Path) -> Result<PredictionTable> {
    let opened = open_parquet(path)?;
    let schema = opened.schema.clone();
    check_unique_columns(path, &schema)?;
    let id_column = require_string_column(path, &schema, SAMPLE_ID)?;
    let predicted_column = require_string_column(path, &schema, PREDICTED)?;
    let (max_column, max_field) = require_column(
        path,
        &schema,
        MAX_PROBABILITY,
        format!("a {MAX_PROBABILITY} column (Float32)"),
    )?;
    require_float_column(path, max_field)?;
    let class_columns: Vec<usize> = (0..schema.fields().len())
        .filter(|i| ![id_column, predicted_column, max_column].contains(i))
        .collect();
    for &i in &class_columns {
        require_float_column(path, schema.field(i))?;
    }
    let classes: Vec<String> = class_columns
        .iter()
        .map(|&i| schema.field(i).name().clone())
        .collect();
    let mut rows = Vec::new();
    for batch in opened.batches {
        let batch = batch.map_err(arrow_error(path))?;
        let ids = read_strings(path, batch.column(id_column), SAMPLE_ID, rows.len())?;
        let predicted = read_strings(path, batch.column(predicted_column), PREDICTED, rows.len())?;
        let max = read_floats(path, batch.column(max_column), MAX_PROBABILITY, &ids)?;
        let mut probabilities: Vec<Vec<f32>> = vec![Vec::with_capacity(classes.len()); ids.len()];
        for (k, &c) in class_columns.iter().enumerate() {
            let values = read_floats(path, batch.column(c), &classes[k], &ids)?;
            for (row, &v) in probabilities.iter_mut().zip(values) {
                row.push(v);
            }
        }
        for (((sample_id, predicted), &max_probability), probabilities) in
            ids.into_iter().zip(predicted).zip(max).zip(probabilities)
        {
            rows.push(Prediction {
                sample_id,
                predicted,
                max_probability,
                probabilities,
            });
        }
    }
    let table = PredictionTable { classes, rows };
    table
        .validate()
        .map_err(|(location, kind)| Error::new(path, location, kind))?;
    Ok(table)
}
