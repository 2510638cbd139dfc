//! GEO sample characteristics as ARCHS4 stores them: every `key: value` pair of a sample joined
//! into one string (`cell line: NA20502,Sex: female`), and the labels rnameta reads from them.
//!
//! ARCHS4 joins the pairs with a comma (the fixture written by the ARCHS4 layout), and some of its
//! releases with the marker `Xx-xX`. Values may hold commas themselves (`treatment: IL-6, 24 h`),
//! so a comma only separates two pairs when the text after it is a new `key: value`; otherwise it
//! stays inside the value.

use std::collections::BTreeMap;

use rnameta_core::{SampleMeta, SampleSource, Sex};

/// The marker some ARCHS4 releases join characteristics with.
const MARKER: &str = "Xx-xX";

/// Keys whose value is the tissue of origin.
const TISSUE_KEYS: &[&str] = &["tissue", "tissue type", "tissue_type", "organ"];
/// Keys whose value is the donor's sex.
const SEX_KEYS: &[&str] = &["sex", "gender"];
/// Keys whose presence says the sample is a cultured cell line (the value names the line).
const CELL_LINE_KEYS: &[&str] = &["cell line", "cell_line", "cellline"];
/// Keys whose value is a sample source (`biopsy`, `cell line`), as the writer states it when no
/// cell line name is known.
const SOURCE_KEYS: &[&str] = &["sample source", "sample_source", "sample type"];

/// The key under which [`write`](super::write) states a sample source it has no cell line name
/// for.
pub(crate) const SOURCE_KEY: &str = "sample source";

/// Splits a characteristics string into `(key, value)` pairs, in order. A piece without a colon is
/// kept under the key `characteristic` (GEO allows bare values).
pub fn parse_pairs(raw: &str) -> Vec<(String, String)> {
    let pieces: Vec<&str> = if raw.contains(MARKER) {
        raw.split(MARKER).collect()
    } else {
        merge_comma_pieces(raw)
    };
    pieces
        .into_iter()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|piece| match piece.split_once(':') {
            Some((key, value)) => (key.trim().to_owned(), value.trim().to_owned()),
            None => ("characteristic".to_owned(), piece.to_owned()),
        })
        .collect()
}

/// Splits on commas, gluing back a piece that does not start a new `key: value` pair onto the
/// value before it.
fn merge_comma_pieces(raw: &str) -> Vec<&str> {
    let mut pieces: Vec<&str> = Vec::new();
    let mut piece_start = 0usize;
    for (at, _) in raw.match_indices(',') {
        if starts_pair(&raw[at + 1..]) {
            pieces.push(&raw[piece_start..at]);
            piece_start = at + 1;
        }
    }
    pieces.push(&raw[piece_start..]);
    pieces
}

/// True when `text` opens with `key:` where the key is short and holds no further comma.
fn starts_pair(text: &str) -> bool {
    let next_comma = text.find(',').unwrap_or(text.len());
    match text[..next_comma].find(':') {
        Some(colon) => {
            let key = text[..colon].trim();
            !key.is_empty() && key.len() <= 64
        }
        None => false,
    }
}

/// Joins pairs the way the ARCHS4 layout does (`key: value` joined by commas).
pub fn format_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    pairs
        .into_iter()
        .map(|(k, v)| format!("{k}: {v}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// Fills tissue, sex and sample source of `meta` from its characteristics pairs and its
/// `source_name_ch1`, and keeps every pair in `attributes` (a key seen twice keeps both values,
/// joined by `; `).
pub fn apply(meta: &mut SampleMeta, pairs: &[(String, String)], source_name: Option<&str>) {
    for (key, value) in pairs {
        let lower = key.to_ascii_lowercase();
        let lower = lower.as_str();
        if TISSUE_KEYS.contains(&lower) && meta.tissue.is_none() && !value.is_empty() {
            meta.tissue = Some(value.clone());
        } else if SEX_KEYS.contains(&lower) && meta.sex.is_none() {
            meta.sex = Sex::parse_loose(value);
        } else if CELL_LINE_KEYS.contains(&lower) && !value.is_empty() {
            meta.sample_source = Some(SampleSource::CellLine);
        } else if SOURCE_KEYS.contains(&lower) && meta.sample_source.is_none() {
            meta.sample_source = SampleSource::parse_loose(value);
        }
        insert_joined(&mut meta.attributes, key, value);
    }
    if meta.sample_source.is_none() && source_name.is_some_and(names_cell_line) {
        meta.sample_source = Some(SampleSource::CellLine);
    }
}

/// `lymphoblastoid cell line`, `HeLa cell line`: a source name that says cell line.
fn names_cell_line(source_name: &str) -> bool {
    let lower = source_name.to_ascii_lowercase();
    lower.contains("cell line") || lower.contains("cellline") || lower.contains("cell_line")
}

/// Inserts `key = value`, appending to an existing value rather than losing it.
pub(crate) fn insert_joined(attributes: &mut BTreeMap<String, String>, key: &str, value: &str) {
    match attributes.get_mut(key) {
        Some(existing) if existing != value => {
            existing.push_str("; ");
            existing.push_str(value);
        }
        Some(_) => {}
        None => {
            attributes.insert(key.to_owned(), value.to_owned());
        }
    }
}

/// The characteristics string the writer stores for a sample: tissue, sex and sample source as
/// `tissue:`, `Sex:` and `cell line:` (or `sample source:`) pairs, then every other attribute
/// that is not one of the sample fields the writer stores on their own.
pub fn build(meta: &SampleMeta, field_names: &[&str]) -> String {
    let mut pairs: Vec<(&str, String)> = Vec::new();
    if let Some(tissue) = &meta.tissue {
        pairs.push(("tissue", tissue.clone()));
    }
    if let Some(sex) = meta.sex {
        pairs.push(("Sex", sex.as_str().to_owned()));
    }
    let cell_line_name = meta
        .attributes
        .iter()
        .find(|(k, _)| CELL_LINE_KEYS.contains(&k.to_ascii_lowercase().as_str()))
        .map(|(_, v)| v.clone());
    match (meta.sample_source, cell_line_name) {
        (Some(SampleSource::CellLine), Some(name)) if !name.is_empty() => {
            pairs.push(("cell line", name));
        }
        (Some(source), _) => pairs.push((SOURCE_KEY, source.as_str().to_owned())),
        (None, _) => {}
    }
    for (key, value) in &meta.attributes {
        let lower = key.to_ascii_lowercase();
        let labelled = TISSUE_KEYS
            .iter()
            .chain(SEX_KEYS)
            .chain(CELL_LINE_KEYS)
            .chain(SOURCE_KEYS)
            .any(|k| *k == lower);
        if labelled || field_names.contains(&key.as_str()) || key == "characteristic" {
            continue;
        }
        pairs.push((key.as_str(), value.clone()));
    }
    format_pairs(pairs.iter().map(|(k, v)| (*k, v.as_str())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rnameta_core::DataSource;

    #[test]
    fn splits_pairs_keeping_commas_inside_values() {
        let pairs = parse_pairs("cell line: NA20502,Sex: female");
        assert_eq!(
            pairs,
            vec![
                ("cell line".to_owned(), "NA20502".to_owned()),
                ("Sex".to_owned(), "female".to_owned())
            ]
        );
        let pairs = parse_pairs("treatment: IL-6, 24 h,tissue: liver");
        assert_eq!(pairs[0].1, "IL-6, 24 h");
        assert_eq!(pairs[1], ("tissue".to_owned(), "liver".to_owned()));
        let pairs = parse_pairs("tissue: brainXx-xXage: 3, 4 weeks");
        assert_eq!(pairs[1], ("age".to_owned(), "3, 4 weeks".to_owned()));
        assert_eq!(parse_pairs(""), vec![]);
        assert_eq!(parse_pairs("bare")[0].0, "characteristic");
    }

    #[test]
    fn reads_labels_and_writes_them_back() {
        let mut meta = SampleMeta::new("GSM1", DataSource::Archs4);
        let pairs = parse_pairs("tissue: lung,gender: M,cell line: A549");
        apply(&mut meta, &pairs, Some("lung tissue"));
        assert_eq!(meta.tissue.as_deref(), Some("lung"));
        assert_eq!(meta.sex, Some(Sex::Male));
        assert_eq!(meta.sample_source, Some(SampleSource::CellLine));
        assert_eq!(meta.attributes["cell line"], "A549");

        let built = build(&meta, &[]);
        assert_eq!(built, "tissue: lung,Sex: male,cell line: A549");
        let mut back = SampleMeta::new("GSM1", DataSource::Archs4);
        apply(&mut back, &parse_pairs(&built), None);
        assert_eq!(
            (back.tissue, back.sex, back.sample_source),
            (meta.tissue, meta.sex, meta.sample_source)
        );

        let mut biopsy = SampleMeta::new("GSM2", DataSource::Archs4);
        biopsy.sample_source = Some(SampleSource::Biopsy);
        assert_eq!(build(&biopsy, &[]), "sample source: biopsy");
        let mut from_source_name = SampleMeta::new("GSM3", DataSource::Archs4);
        apply(&mut from_source_name, &[], Some("lymphoblastoid cell line"));
        assert_eq!(from_source_name.sample_source, Some(SampleSource::CellLine));
    }
}
