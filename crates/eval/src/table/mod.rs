//! Result tables: a title, column names and rows of typed [`Cell`]s, rendered as GitHub Markdown
//! (for reports and docs) and as CSV (for other tools), and written atomically.
//!
//! Cells keep their numbers until rendering, so both formats round the same way: floats to a given
//! number of decimals, scores over seeds as `mean ± std`.

mod cell;
mod csv;
mod markdown;

pub use cell::Cell;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::output::{with_suffix, write_bytes};
use crate::{Error, Result};

/// A table of results: `columns` names the columns, each row has one cell per column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Table {
    /// Caption shown above the Markdown table (not part of the CSV).
    pub title: String,
    /// Column names.
    pub columns: Vec<String>,
    /// Rows, each with exactly `columns.len()` cells.
    pub rows: Vec<Vec<Cell>>,
}

/// The two files [`Table::write`] produces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableFiles {
    /// `<stem>.md`.
    pub markdown: PathBuf,
    /// `<stem>.csv`.
    pub csv: PathBuf,
}

impl Table {
    /// An empty table with a title and column names.
    pub fn new(
        title: impl Into<String>,
        columns: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        Self {
            title: title.into(),
            columns: columns.into_iter().map(Into::into).collect(),
            rows: Vec::new(),
        }
    }

    /// Appends a row, refusing one whose length differs from the number of columns.
    pub fn push_row(&mut self, row: Vec<Cell>) -> Result<()> {
        self.check_row(self.rows.len(), &row)?;
        self.rows.push(row);
        Ok(())
    }

    /// Checks that every row has one cell per column (the fields are public, so a table may have
    /// been built by hand).
    pub fn validate(&self) -> Result<()> {
        self.rows
            .iter()
            .enumerate()
            .try_for_each(|(i, row)| self.check_row(i, row))
    }

    /// The table as GitHub-flavoured Markdown: the title in bold, then the table; numeric columns are
    /// right-aligned, `|` in text is escaped, missing cells read `n/a`.
    pub fn to_markdown(&self) -> Result<String> {
        self.validate()?;
        Ok(markdown::render(self))
    }

    /// The table as CSV: a header row of column names, then the rows; fields quoted as RFC 4180
    /// requires (those holding a comma, a double quote or a line break; quotes doubled), lines ending
    /// in `\n`, missing cells empty. The title is not written.
    pub fn to_csv(&self) -> Result<String> {
        self.validate()?;
        Ok(csv::render(self))
    }

    /// Writes the Markdown rendering to `path` atomically.
    pub fn write_markdown(&self, path: &Path) -> Result<()> {
        write_bytes(path, self.to_markdown()?.as_bytes())
    }

    /// Writes the CSV rendering to `path` atomically.
    pub fn write_csv(&self, path: &Path) -> Result<()> {
        write_bytes(path, self.to_csv()?.as_bytes())
    }

    /// Writes `<stem>.md` and `<stem>.csv`, each atomically.
    pub fn write(&self, stem: &Path) -> Result<TableFiles> {
        let files = TableFiles {
            markdown: with_suffix(stem, "md"),
            csv: with_suffix(stem, "csv"),
        };
        self.write_markdown(&files.markdown)?;
        self.write_csv(&files.csv)?;
        Ok(files)
    }

    fn check_row(&self, row: usize, cells: &[Cell]) -> Result<()> {
        if cells.len() != self.columns.len() {
            return Err(Error::RaggedTable {
                title: self.title.clone(),
                row,
                expected: self.columns.len(),
                found: cells.len(),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SeedSummary;

    fn example() -> Table {
        let mut t = Table::new("Tissue, TCGA", ["model", "msa", "n"]);
        let lin = SeedSummary::new(vec![0.90, 0.92, 0.94]).unwrap();
        t.push_row(vec![
            Cell::text("LIN"),
            Cell::mean_std(&lin, 3),
            Cell::Int(10),
        ])
        .unwrap();
        t.push_row(vec![
            Cell::text("DA \"v2\", siamese"),
            Cell::float(0.5, 2),
            Cell::Missing,
        ])
        .unwrap();
        t
    }

    #[test]
    fn markdown_rendering() {
        // LIN: mean 0.92, sample std of 0.90, 0.92, 0.94 = sqrt((0.0004 + 0 + 0.0004) / 2) = 0.02.
        let md = example().to_markdown().unwrap();
        let expected = "**Tissue, TCGA**\n\n\
                        | model | msa | n |\n\
                        | --- | ---: | ---: |\n\
                        | LIN | 0.920 ± 0.020 | 10 |\n\
                        | DA \"v2\", siamese | 0.50 | n/a |\n";
        assert_eq!(md, expected);
    }

    #[test]
    fn csv_rendering_quotes_as_rfc_4180() {
        let csv = example().to_csv().unwrap();
        let expected = "model,msa,n\n\
                        LIN,0.920 ± 0.020,10\n\
                        \"DA \"\"v2\"\", siamese\",0.50,\n";
        assert_eq!(csv, expected);
    }

    #[test]
    fn ragged_rows_are_refused() {
        let mut t = Table::new("t", ["a", "b"]);
        let err = t.push_row(vec![Cell::Int(1)]).unwrap_err();
        assert!(matches!(
            err,
            Error::RaggedTable {
                row: 0,
                expected: 2,
                found: 1,
                ..
            }
        ));
        t.rows.push(vec![Cell::Int(1), Cell::Int(2), Cell::Int(3)]);
        assert!(matches!(
            t.to_markdown(),
            Err(Error::RaggedTable {
                row: 0,
                found: 3,
                ..
            })
        ));
        assert!(t.to_csv().is_err());
    }

    #[test]
    fn writes_both_files_atomically() {
        let dir = tempfile::tempdir().unwrap();
        let files = example().write(&dir.path().join("table.tcga")).unwrap();
        assert_eq!(files.markdown, dir.path().join("table.tcga.md"));
        let md = std::fs::read_to_string(&files.markdown).unwrap();
        assert!(md.starts_with("**Tissue, TCGA**"));
        let csv = std::fs::read_to_string(&files.csv).unwrap();
        assert!(csv.starts_with("model,msa,n\n"));
        // Only the two files: no temporary file left behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    }
}
