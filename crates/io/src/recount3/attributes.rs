//! SRA `sample_attributes`: the submitter's free key/value pairs, written by recount3 as
//! `key;;value|key;;value` (e.g. `source_name;;HEK293|cell type;;kidney|sex;;female`).
//!
//! Upstream `recount3::expand_sra_attributes()` splits on `|`, then each piece on `;;`. The `|`
//! is not escaped, so a value that itself contains `|` comes out as a piece without `;;`; this
//! parser joins such a piece back onto the previous value, which restores the submitter's text
//! exactly (upstream would instead make a column named after the fragment with a missing value).

use std::collections::BTreeMap;

use crate::error::ErrorKind;

/// Separator between key and value.
const KEY_VALUE: &str = ";;";
/// Separator between pairs.
const PAIRS: char = '|';

/// Parses `k;;v|k;;v` into a map. An empty string is an empty map. A key is split from its value
/// at the first `;;`, so a value may contain `;` (and `;;`). A piece without `;;` continues the
/// previous value (see the module documentation); it is an error as the first piece. A key given
/// twice with different values is an error, as is an empty key.
///
/// ```
/// use rnameta_io::recount3::parse_sample_attributes;
/// let map = parse_sample_attributes("source_name;;HEK293|cell type;;kidney|sex;;female").unwrap();
/// assert_eq!(map["cell type"], "kidney");
/// assert_eq!(map.len(), 3);
/// ```
pub fn parse_sample_attributes(text: &str) -> Result<BTreeMap<String, String>, ErrorKind> {
    let mut map = BTreeMap::new();
    if text.is_empty() {
        return Ok(map);
    }
    let mut current: Option<(String, String)> = None;
    for piece in text.split(PAIRS) {
        match piece.split_once(KEY_VALUE) {
            Some((key, value)) => {
                if let Some((k, v)) = current.take() {
                    insert_attribute(&mut map, k, v)?;
                }
                current = Some((key.trim().to_owned(), value.to_owned()));
            }
            None => match current.as_mut() {
                Some((_, value)) => {
                    value.push(PAIRS);
                    value.push_str(piece);
                }
                None => {
                    return Err(ErrorKind::Malformed(format!(
                    "sample_attributes piece {piece:?} has no {KEY_VALUE:?} between key and value"
                )))
                }
            },
        }
    }
    if let Some((k, v)) = current {
        insert_attribute(&mut map, k, v)?;
    }
    Ok(map)
}

fn insert_attribute(
    map: &mut BTreeMap<String, String>,
    key: String,
    value: String,
) -> Result<(), ErrorKind> {
    if key.is_empty() {
        return Err(ErrorKind::Malformed(format!(
            "sample_attributes pair with empty key (value {value:?})"
        )));
    }
    match map.get(&key) {
        Some(old) if *old != value => Err(ErrorKind::Malformed(format!(
            "sample_attributes key {key:?} given twice ({old:?} and {value:?})"
        ))),
        _ => {
            map.insert(key, value);
            Ok(())
        }
    }
}

/// Writes a map as `k;;v|k;;v` (keys in sorted order), the inverse of
/// [`parse_sample_attributes`]. Refuses what would not read back the same: an empty key, a key
/// holding `;` or `|`, a value holding `;;`, and tabs or line breaks anywhere.
pub fn format_sample_attributes(map: &BTreeMap<String, String>) -> Result<String, ErrorKind> {
    let mut out = String::new();
    for (key, value) in map {
        if key.is_empty() || key.trim() != key || key.contains([';', PAIRS]) {
            return Err(ErrorKind::Malformed(format!(
                "sample_attributes key {key:?} is empty, padded, or holds ';' or '|'"
            )));
        }
        if value
            .split(PAIRS)
            .skip(1)
            .any(|part| part.contains(KEY_VALUE))
        {
            return Err(ErrorKind::Malformed(format!(
                "sample_attributes value {value:?} (key {key:?}) holds ';;' after a '|'"
            )));
        }
        if key.contains(['\t', '\n', '\r']) || value.contains(['\t', '\n', '\r']) {
            return Err(ErrorKind::Malformed(format!(
                "sample_attributes pair {key:?} holds a tab or line break"
            )));
        }
        if !out.is_empty() {
            out.push(PAIRS);
        }
        out.push_str(key);
        out.push_str(KEY_VALUE);
        out.push_str(value);
    }
    Ok(out)
}

/// Looks up the first of several attribute keys, comparing case-insensitively and treating `_`
/// as a space (`cell_type` = `Cell Type`); empty values and common "no value" words are skipped.
pub fn find_attribute<'a>(map: &'a BTreeMap<String, String>, keys: &[&str]) -> Option<&'a str> {
    keys.iter().find_map(|wanted| {
        let wanted = normalise_key(wanted);
        map.iter()
            .find(|(k, _)| normalise_key(k) == wanted)
            .map(|(_, v)| v.trim())
            .filter(|v| !is_no_value(v))
    })
}

fn normalise_key(key: &str) -> String {
    key.trim().to_ascii_lowercase().replace('_', " ")
}

fn is_no_value(value: &str) -> bool {
    matches!(
        value.to_ascii_lowercase().as_str(),
        "" | "na"
            | "n/a"
            | "none"
            | "not applicable"
            | "not available"
            | "unknown"
            | "missing"
            | "-"
    )
}
