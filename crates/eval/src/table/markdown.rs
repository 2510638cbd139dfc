//! GitHub-flavoured Markdown rendering of a [`Table`]: a bold caption, a header row, an alignment
//! row (numeric columns right-aligned) and one line per row.

use super::{Cell, Table};

/// Renders a table already checked for ragged rows.
pub(super) fn render(table: &Table) -> String {
    let mut out = String::new();
    if !table.title.is_empty() {
        out.push_str(&format!("**{}**\n\n", escape(&table.title)));
    }
    line(&mut out, table.columns.iter().map(|c| escape(c)));
    line(
        &mut out,
        (0..table.columns.len()).map(|j| {
            if is_numeric_column(table, j) {
                "---:".to_string()
            } else {
                "---".to_string()
            }
        }),
    );
    for row in &table.rows {
        line(
            &mut out,
            row.iter().map(|cell| match cell {
                Cell::Missing => "n/a".to_string(),
                other => escape(&other.render()),
            }),
        );
    }
    out
}

/// A column is numeric when it has at least one number and nothing but numbers or missing cells.
fn is_numeric_column(table: &Table, j: usize) -> bool {
    let mut any = false;
    for row in &table.rows {
        match &row[j] {
            Cell::Missing => {}
            c if c.is_numeric() => any = true,
            _ => return false,
        }
    }
    any
}

fn line(out: &mut String, cells: impl Iterator<Item = String>) {
    out.push('|');
    for c in cells {
        out.push(' ');
        out.push_str(&c);
        out.push_str(" |");
    }
    out.push('\n');
}

/// Escapes what would break a table row: `|` becomes `\|`, line breaks become `<br>`.
fn escape(s: &str) -> String {
    s.replace('|', "\\|")
        .replace("\r\n", "<br>")
        .replace(['\n', '\r'], "<br>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pipes_and_line_breaks_are_escaped() {
        assert_eq!(escape("a|b"), "a\\|b");
        assert_eq!(escape("two\nlines\r\nhere"), "two<br>lines<br>here");
    }

    #[test]
    fn text_in_a_column_makes_it_left_aligned() {
        let t = Table {
            title: String::new(),
            columns: vec!["x".into(), "y".into(), "z".into()],
            rows: vec![
                vec![Cell::Int(1), Cell::Missing, Cell::Missing],
                vec![Cell::text("a"), Cell::float(1.0, 1), Cell::Missing],
            ],
        };
        let md = render(&t);
        assert_eq!(
            md,
            "| x | y | z |\n| --- | ---: | --- |\n| 1 | n/a | n/a |\n| a | 1.0 | n/a |\n"
        );
    }
}
