//! CSV rendering of a [`Table`] with RFC 4180 quoting: a field holding a comma, a double quote or a
//! line break is wrapped in double quotes, and double quotes inside it are doubled.

use super::Table;

/// Renders a table already checked for ragged rows; lines end in `\n`.
pub(super) fn render(table: &Table) -> String {
    let mut out = String::new();
    line(&mut out, table.columns.iter().map(String::as_str));
    for row in &table.rows {
        let fields: Vec<String> = row.iter().map(|c| c.render()).collect();
        line(&mut out, fields.iter().map(String::as_str));
    }
    out
}

fn line<'a>(out: &mut String, fields: impl Iterator<Item = &'a str>) {
    for (i, f) in fields.enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&quote(f));
    }
    out.push('\n');
}

/// A field as RFC 4180 writes it.
fn quote(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(quote("plain"), "plain");
        assert_eq!(quote("a,b"), "\"a,b\"");
        assert_eq!(quote("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(quote("two\nlines"), "\"two\nlines\"");
        assert_eq!(quote("cr\r"), "\"cr\r\"");
        assert_eq!(quote(""), "");
    }
}
