//! One line of an OBO file: its tag, its value cleaned of the trailing `{...}` modifiers and
//! `! comment`, and the values some tags hold (a term id, a relationship, a synonym).
//!
//! OBO 1.4 escapes with a backslash (`\"`, `\!`, `\{`, `\\`, `\n`, `\t`); a `!` or `{` that is
//! escaped, or inside a quoted string, is text. Errors are plain messages: the parser adds the file
//! and the line.

use std::borrow::Cow;

use super::{Synonym, SynonymScope};

/// A `tag: value` line with the value cleaned of its trailing modifiers and comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct TagValue<'a> {
    /// The tag (`id`, `is_a`, `synonym`, ...).
    pub tag: &'a str,
    /// The value, trimmed, without `{...}` modifiers or `! comment`, still escaped.
    pub value: &'a str,
}

/// Splits a stanza or header line into its tag and cleaned value.
pub(super) fn split_tag_value(line: &str) -> Result<TagValue<'_>, String> {
    let Some((tag, rest)) = line.split_once(':') else {
        return Err(format!("expected `tag: value`, found {line:?}"));
    };
    let tag = tag.trim();
    if tag.is_empty() || tag.contains(char::is_whitespace) {
        return Err(format!("expected `tag: value`, found {line:?}"));
    }
    let value = strip_trailing_modifiers(strip_comment(rest.trim_start()))?;
    Ok(TagValue { tag, value })
}

/// The value up to its first `!` that is neither escaped nor quoted, trimmed.
fn strip_comment(value: &str) -> &str {
    let mut scanner = Scanner::default();
    for (i, c) in value.char_indices() {
        if scanner.step(c) == Some('!') {
            return value[..i].trim_end();
        }
    }
    value.trim_end()
}

/// The value without a trailing `{...}` block (OBO's trailing modifiers: `{source="FMA"}`).
fn strip_trailing_modifiers(value: &str) -> Result<&str, String> {
    if !value.ends_with('}') {
        return Ok(value);
    }
    let mut scanner = Scanner::default();
    let mut depth = 0usize;
    let mut opened_at = None;
    for (i, c) in value.char_indices() {
        match scanner.step(c) {
            Some('{') => {
                if depth == 0 {
                    opened_at = Some(i);
                }
                depth += 1;
            }
            Some('}') => {
                depth = depth.checked_sub(1).ok_or_else(|| {
                    format!(
                        "a `}}` closes no `{{` in {value:?} (escape it as `\\}}` if it is text)"
                    )
                })?;
            }
            _ => {}
        }
    }
    match (depth, opened_at) {
        (0, Some(start)) => Ok(value[..start].trim_end()),
        _ => Err(format!(
            "unbalanced `{{...}}` trailing modifiers in {value:?}"
        )),
    }
}

/// Walks a value character by character, telling apart the characters that are syntax (returned
/// by [`Scanner::step`]) from those that are escaped or inside a quoted string.
#[derive(Debug, Default)]
struct Scanner {
    escaped: bool,
    quoted: bool,
}

impl Scanner {
    /// The character if it is syntax outside quotes (`!`, `{`, `}`), else `None`.
    fn step(&mut self, c: char) -> Option<char> {
        if self.escaped {
            self.escaped = false;
            return None;
        }
        match c {
            '\\' => self.escaped = true,
            '"' => self.quoted = !self.quoted,
            '!' | '{' | '}' if !self.quoted => return Some(c),
            _ => {}
        }
        None
    }
}

/// Resolves OBO escapes: `\n` and `\t` become a newline and a tab, `\W` a space, and any other
/// escaped character itself (`\"` -> `"`, `\!` -> `!`).
pub(super) fn unescape(text: &str) -> Cow<'_, str> {
    if !text.contains('\\') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('W') => out.push(' '),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    Cow::Owned(out)
}

/// The one term id a tag such as `is_a`, `alt_id` or `replaced_by` holds.
pub(super) fn single_id(tag: &str, value: &str) -> Result<String, String> {
    let mut words = value.split_whitespace();
    match (words.next(), words.next()) {
        (Some(id), None) => Ok(unescape(id).into_owned()),
        _ => Err(format!(
            "`{tag}` takes one term id (`{tag}: UBERON:0000948`), found {value:?}"
        )),
    }
}

/// The relation name and target id of a `relationship: part_of UBERON:0000948` value.
pub(super) fn relationship(value: &str) -> Result<(String, String), String> {
    let mut words = value.split_whitespace();
    match (words.next(), words.next(), words.next()) {
        (Some(relation), Some(target), None) => Ok((
            unescape(relation).into_owned(),
            unescape(target).into_owned(),
        )),
        _ => Err(format!(
            "`relationship` takes a relation and a term id (`part_of UBERON:0000948`), found \
             {value:?}"
        )),
    }
}

/// `true` or `false` (of `is_obsolete`).
pub(super) fn boolean(tag: &str, value: &str) -> Result<bool, String> {
    match value {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(format!("`{tag}` must be true or false, found {value:?}")),
    }
}

/// A `synonym` value: `"text" SCOPE [TYPE] [dbxrefs]`. The scope defaults to RELATED when
/// absent, as OBO 1.4 says; the dbxref list may be left out.
pub(super) fn synonym(value: &str) -> Result<Synonym, String> {
    let (text, rest) = quoted_string(value).map_err(|why| format!("synonym: {why}"))?;
    let rest = rest.trim_start();
    let (scope, rest) = match first_word(rest) {
        None => (SynonymScope::Related, rest),
        Some(word) => match SynonymScope::parse(word) {
            Some(scope) => (scope, rest[word.len()..].trim_start()),
            None => {
                return Err(format!(
                    "synonym scope must be EXACT, NARROW, BROAD or RELATED, found {word:?} in \
                     {value:?}"
                ))
            }
        },
    };
    let (synonym_type, rest) = match first_word(rest) {
        Some(word) => (Some(word.to_owned()), rest[word.len()..].trim_start()),
        None => (None, rest),
    };
    if !(rest.is_empty() || (rest.starts_with('[') && rest.ends_with(']'))) {
        return Err(format!(
            "synonym: expected a [dbxref list] after the scope and type, found {rest:?} in \
             {value:?}"
        ));
    }
    Ok(Synonym {
        text,
        scope,
        synonym_type,
    })
}

/// The leading word of `rest`, unless `rest` is empty or opens the dbxref list.
fn first_word(rest: &str) -> Option<&str> {
    if rest.is_empty() || rest.starts_with('[') {
        return None;
    }
    rest.split_whitespace().next()
}

/// The unescaped content of the quoted string that opens `value`, and what follows it.
pub(super) fn quoted_string(value: &str) -> Result<(String, &str), String> {
    let Some(inner) = value.strip_prefix('"') else {
        return Err(format!("expected a quoted string, found {value:?}"));
    };
    let mut escaped = false;
    for (i, c) in inner.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => return Ok((unescape(&inner[..i]).into_owned(), &inner[i + 1..])),
            _ => {}
        }
    }
    Err(format!(
        "the quoted string in {value:?} has no closing `\"` (a quote inside it is written \\\")"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tv(line: &str) -> (String, String) {
        let t = split_tag_value(line).unwrap();
        (t.tag.to_owned(), t.value.to_owned())
    }

    #[test]
    fn comments_and_trailing_modifiers_are_cut_but_quoted_ones_kept() {
        assert_eq!(
            tv("relationship: part_of UBERON:0001895 {source=\"FMA\", source=\"MA\"} ! metencephalon"),
            ("relationship".into(), "part_of UBERON:0001895".into())
        );
        assert_eq!(
            tv("is_a: UBERON:0002616 ! regional part of brain"),
            ("is_a".into(), "UBERON:0002616".into())
        );
        assert_eq!(
            tv("def: \"Wow! {not a modifier}\" [X:1] {source=\"Y\"} ! comment"),
            ("def".into(), "\"Wow! {not a modifier}\" [X:1]".into())
        );
        assert_eq!(tv("name: a \\! b ! c"), ("name".into(), "a \\! b".into()));
        assert_eq!(tv("name:tight"), ("name".into(), "tight".into()));
    }

    #[test]
    fn a_line_without_a_tag_or_with_a_broken_modifier_is_refused() {
        assert!(split_tag_value("just words").is_err());
        assert!(split_tag_value(": no tag").is_err());
        assert!(split_tag_value("is_a: X } ").is_err());
        assert!(split_tag_value("is_a: X {source=\"a\"}}").is_err());
    }

    #[test]
    fn escapes_resolve() {
        assert_eq!(unescape(r#"\"little brain\""#), "\"little brain\"");
        assert_eq!(unescape(r"a\nb\tc\Wd\\e\!"), "a\nb\tc d\\e!");
        assert!(matches!(unescape("plain"), Cow::Borrowed("plain")));
    }

    #[test]
    fn synonyms_read_scope_type_and_escaped_quotes() {
        let s = synonym(r#""corpus cerebelli" RELATED OMO:0003011 [NeuroNames:643]"#).unwrap();
        assert_eq!(s.text, "corpus cerebelli");
        assert_eq!(s.scope, SynonymScope::Related);
        assert_eq!(s.synonym_type.as_deref(), Some("OMO:0003011"));
        let s = synonym(r#""\"little brain\"" EXACT []"#).unwrap();
        assert_eq!(
            (s.text.as_str(), s.scope),
            ("\"little brain\"", SynonymScope::Exact)
        );
        assert_eq!(s.synonym_type, None);
        let s = synonym(r#""no scope" []"#).unwrap();
        assert_eq!(s.scope, SynonymScope::Related);
        let s = synonym(r#""bare""#).unwrap();
        assert_eq!(s.text, "bare");
    }

    #[test]
    fn malformed_synonyms_say_what_is_wrong() {
        let e = synonym(r#""heart EXACT []"#).unwrap_err();
        assert!(e.contains("closing"), "{e}");
        let e = synonym(r#""heart" EXACTLY []"#).unwrap_err();
        assert!(e.contains("EXACT, NARROW, BROAD or RELATED"), "{e}");
        let e = synonym("heart EXACT []").unwrap_err();
        assert!(e.contains("quoted string"), "{e}");
        let e = synonym(r#""heart" EXACT TYPE extra []"#).unwrap_err();
        assert!(e.contains("dbxref list"), "{e}");
    }

    #[test]
    fn ids_relationships_and_booleans() {
        assert_eq!(single_id("is_a", "UBERON:1").unwrap(), "UBERON:1");
        assert!(single_id("is_a", "").is_err());
        assert!(single_id("is_a", "A B").is_err());
        assert_eq!(
            relationship("part_of UBERON:2").unwrap(),
            ("part_of".into(), "UBERON:2".into())
        );
        assert!(relationship("part_of").is_err());
        assert!(relationship("part_of A B").is_err());
        assert!(boolean("is_obsolete", "true").unwrap());
        assert!(!boolean("is_obsolete", "false").unwrap());
        assert!(boolean("is_obsolete", "yes").is_err());
    }
}
