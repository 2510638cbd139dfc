//! Sample metadata tables: a TSV header, then one row per sample, found by a unique key.
//!
//! recount3's `<source>.<table>.<project>.MD.gz` files (`sra`, `gtex`, `tcga`, `recount_project`,
//! `recount_qc`, `recount_pred`) and GTEx's `SampleAttributesDS.txt` / `SubjectPhenotypesDS.txt`
//! all have this shape. Upstream `recount3::read_metadata()` reads them with
//! `read.delim(sep = "\t", quote = "", comment.char = "")`: no quoting and no comments, which this
//! reader follows. When several recount3 tables are merged upstream, every non-key column gets its
//! table as a prefix (`sra.sample_attributes`, `recount_qc.star.average_mapped_length`); column
//! look-ups here accept a name with or without such a prefix, and ignore case (upstream lower-cases
//! every column name).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::error::{Error, ErrorKind, Location, Result};
use crate::source::LineReader;
use crate::write::write_atomically;

/// The table prefixes upstream `read_metadata()` puts on merged column names.
pub const TABLE_PREFIXES: [&str; 7] = [
    "sra",
    "gtex",
    "tcga",
    "recount_project",
    "recount_qc",
    "recount_pred",
    "recount_seq_qc",
];

/// A metadata table held in memory: column names, rows of text cells, and the index of the key
/// column whose values are unique (one row per sample or subject).
#[derive(Debug, Clone, PartialEq)]
pub struct MetadataTable {
    path: PathBuf,
    columns: Vec<String>,
    key_column: usize,
    rows: Vec<Vec<String>>,
    lines: Vec<u64>,
    index: HashMap<String, usize>,
}

impl MetadataTable {
    /// Builds a table in memory (for writers and simulators); `key` names the column whose values
    /// must be unique. Refuses rows of the wrong width, a missing key column and repeated keys.
    pub fn new(columns: Vec<String>, key: &str, rows: Vec<Vec<String>>) -> Result<Self, ErrorKind> {
        let key_column = find_column(&columns, key)
            .ok_or_else(|| ErrorKind::Missing(format!("key column {key:?}")))?;
        let mut table = Self {
            path: PathBuf::new(),
            columns,
            key_column,
            rows: Vec::with_capacity(rows.len()),
            lines: Vec::with_capacity(rows.len()),
            index: HashMap::with_capacity(rows.len()),
        };
        for (i, row) in rows.into_iter().enumerate() {
            table.push_row(row, i as u64 + 2)?;
        }
        Ok(table)
    }

    /// Reads a table from a file (plain or gzip). The key is the first of `keys` present in the
    /// header (e.g. `rail_id`, then `external_id`); a header with none of them is taken to be
    /// missing, since a data line would not contain a key column name.
    pub fn read(path: &Path, keys: &[&str]) -> Result<Self> {
        let mut reader = LineReader::open(path)?;
        let mut line = String::new();
        if !reader.read_line(&mut line)? {
            return Err(Error::file(path, ErrorKind::Empty));
        }
        let columns: Vec<String> = line.split('\t').map(str::to_owned).collect();
        let key_column = keys
            .iter()
            .find_map(|k| find_column(&columns, k))
            .ok_or_else(|| {
                reader.error(ErrorKind::MissingHeader {
                    expected: format!(
                        "a tab-separated header naming one of the key columns {}",
                        keys.join(", ")
                    ),
                })
            })?;
        let mut table = Self {
            path: path.to_path_buf(),
            columns,
            key_column,
            rows: Vec::new(),
            lines: Vec::new(),
            index: HashMap::new(),
        };
        while reader.read_line(&mut line)? {
            if line.is_empty() {
                continue;
            }
            let row = line.split('\t').map(str::to_owned).collect();
            table
                .push_row(row, reader.line_number())
                .map_err(|kind| reader.error(kind))?;
        }
        Ok(table)
    }

    fn push_row(&mut self, row: Vec<String>, line: u64) -> Result<(), ErrorKind> {
        if row.len() != self.columns.len() {
            return Err(ErrorKind::Ragged {
                expected: self.columns.len(),
                found: row.len(),
            });
        }
        let key = row.get(self.key_column).cloned().unwrap_or_default();
        if key.is_empty() {
            return Err(ErrorKind::Missing(format!(
                "value of key column {}",
                self.key_name()
            )));
        }
        if self.index.contains_key(&key) {
            return Err(ErrorKind::DuplicateSample { id: key });
        }
        self.index.insert(key, self.rows.len());
        self.rows.push(row);
        self.lines.push(line);
        Ok(())
    }

    /// Writes the table as TSV (gzip when the path ends in `.gz`), header first, atomically.
    /// Refuses cells holding a tab or a line break: with no quoting they would shift columns.
    pub fn write(&self, path: &Path) -> Result<()> {
        for (name, cell) in self.all_cells() {
            if cell.contains(['\t', '\n', '\r']) {
                return Err(Error::new(
                    path,
                    Location::Sample(name.to_owned()),
                    ErrorKind::Malformed(format!("cell {cell:?} holds a tab or line break")),
                ));
            }
        }
        write_atomically(path, |w| {
            writeln!(w, "{}", self.columns.join("\t"))?;
            for row in &self.rows {
                writeln!(w, "{}", row.join("\t"))?;
            }
            Ok(())
        })
    }

    fn all_cells(&self) -> impl Iterator<Item = (&str, &str)> {
        let header = self.columns.iter().map(|c| ("header", c.as_str()));
        let cells = self.rows.iter().flat_map(move |row| {
            let key = row.get(self.key_column).map_or("", String::as_str);
            row.iter().map(move |c| (key, c.as_str()))
        });
        header.chain(cells)
    }

    /// The file the table was read from (empty for a table built in memory).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Column names, as in the file.
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// Name of the key column.
    pub fn key_name(&self) -> &str {
        self.columns.get(self.key_column).map_or("", String::as_str)
    }

    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.rows.len()
    }

    /// True when the table has no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// All rows, in file order.
    pub fn rows(&self) -> &[Vec<String>] {
        &self.rows
    }

    /// The key of a row.
    pub fn key(&self, row: usize) -> Option<&str> {
        self.rows.get(row)?.get(self.key_column).map(String::as_str)
    }

    /// The row with this key.
    pub fn row_of(&self, key: &str) -> Option<usize> {
        self.index.get(key).copied()
    }

    /// The 1-based file line of a row (for a table built in memory: row + 2).
    pub fn line_of(&self, row: usize) -> Option<u64> {
        self.lines.get(row).copied()
    }

    /// Column index of a name: exact, else case-insensitive, else ignoring a table prefix
    /// (`sra.`, `recount_qc.`, ...) on either side.
    pub fn column(&self, name: &str) -> Option<usize> {
        find_column(&self.columns, name)
    }

    /// The first of several column names present (e.g. `sex` or `gender`).
    pub fn first_column(&self, names: &[&str]) -> Option<usize> {
        names.iter().find_map(|n| self.column(n))
    }

    /// A cell's text; `None` when the row or column does not exist, the cell is empty, or it is
    /// R's missing value `NA`.
    pub fn get(&self, row: usize, column: usize) -> Option<&str> {
        let cell = self.rows.get(row)?.get(column)?.as_str();
        (!cell.is_empty() && cell != "NA").then_some(cell)
    }

    /// A cell by column name (see [`MetadataTable::get`] and [`MetadataTable::column`]).
    pub fn get_by_name(&self, row: usize, name: &str) -> Option<&str> {
        self.get(row, self.column(name)?)
    }

    /// A cell as a finite number; `Ok(None)` when missing, an error naming the file and the row's
    /// key when it is not a finite number.
    pub fn get_f64(&self, row: usize, column: usize) -> Result<Option<f64>> {
        let Some(text) = self.get(row, column) else {
            return Ok(None);
        };
        parse_f64_cell(text)
            .map(Some)
            .map_err(|kind| self.error_at_row(row, kind))
    }

    /// An error about a row of this table, naming the file and the row's key (and the sample's
    /// `external_id` when the key is another column, such as recount3's `rail_id`).
    pub fn error_at_row(&self, row: usize, kind: ErrorKind) -> Error {
        let key = self.key(row).unwrap_or("?");
        let external = self
            .column("external_id")
            .filter(|&c| c != self.key_column)
            .and_then(|c| self.get(row, c));
        let name = match external {
            Some(id) => format!("{id}, {} {key}", self.key_name()),
            None => key.to_owned(),
        };
        Error::new(&self.path, Location::Sample(name), kind)
    }

    /// An error about this table as a whole.
    pub fn error(&self, kind: ErrorKind) -> Error {
        Error::file(&self.path, kind)
    }

    /// The column `name` or an error naming the file.
    pub fn require_column(&self, name: &str) -> Result<usize> {
        self.column(name)
            .ok_or_else(|| self.error(ErrorKind::Missing(format!("column {name:?}"))))
    }
}

/// Parses a table cell as a finite `f64`.
pub fn parse_f64_cell(text: &str) -> Result<f64, ErrorKind> {
    let trimmed = text.trim();
    match trimmed.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) => Err(ErrorKind::NotFinite {
            value: trimmed.to_owned(),
        }),
        Err(_) => {
            let lower = trimmed.to_ascii_lowercase();
            if ["nan", "inf", "-inf", "infinity", "-infinity"].contains(&lower.as_str()) {
                Err(ErrorKind::NotFinite {
                    value: trimmed.to_owned(),
                })
            } else {
                Err(ErrorKind::NotNumeric {
                    value: trimmed.to_owned(),
                })
            }
        }
    }
}

/// A column name without a known table prefix, lower-cased.
fn bare_name(name: &str) -> String {
    let lower = name.trim().to_ascii_lowercase();
    for prefix in TABLE_PREFIXES {
        if let Some(rest) = lower.strip_prefix(prefix).and_then(|r| r.strip_prefix('.')) {
            if !rest.is_empty() {
                return rest.to_owned();
            }
        }
    }
    lower
}

fn find_column(columns: &[String], name: &str) -> Option<usize> {
    if let Some(i) = columns.iter().position(|c| c == name) {
        return Some(i);
    }
    if let Some(i) = columns.iter().position(|c| c.eq_ignore_ascii_case(name)) {
        return Some(i);
    }
    let wanted = bare_name(name);
    columns.iter().position(|c| bare_name(c) == wanted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_columns_with_or_without_table_prefix() {
        let cols: Vec<String> = [
            "rail_id",
            "external_id",
            "sra.sample_attributes",
            "star.average_mapped_length",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(find_column(&cols, "sample_attributes"), Some(2));
        assert_eq!(find_column(&cols, "SRA.SAMPLE_ATTRIBUTES"), Some(2));
        assert_eq!(
            find_column(&cols, "recount_qc.star.average_mapped_length"),
            Some(3)
        );
        assert_eq!(find_column(&cols, "average_mapped_length"), None);
        assert_eq!(parse_f64_cell(" 2.5 ").unwrap(), 2.5);
        assert!(matches!(
            parse_f64_cell("NaN"),
            Err(ErrorKind::NotFinite { .. })
        ));
        assert!(matches!(
            parse_f64_cell("x1"),
            Err(ErrorKind::NotNumeric { .. })
        ));
    }
}
