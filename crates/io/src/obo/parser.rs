//! Reading an OBO file line by line into an [`Ontology`]: the header, then `[Term]` stanzas
//! (kept) and `[Typedef]` / `[Instance]` stanzas (skipped), checking what the format requires
//! (one `id` per stanza, one `name`, ids unique, alt_ids not shared) and saying where it fails.

use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::Path;

use super::lexer::{self, TagValue};
use super::{Ontology, Relationship, Term};
use crate::error::{Error, ErrorKind, Result};
use crate::source::LineReader;

/// What the lines being read belong to.
enum Section {
    /// Before the first stanza.
    Header,
    /// A `[Term]` stanza being filled.
    Term(Box<TermDraft>),
    /// A `[Typedef]`, `[Instance]` or unknown stanza, whose lines are not read.
    Skipped,
}

/// A `[Term]` stanza as read so far, with the lines that later checks cite.
struct TermDraft {
    /// Line of the `[Term]` header.
    start: u64,
    /// Line of the `id` tag, once seen.
    id_line: Option<u64>,
    /// Lines of the `alt_id` tags, in the order of `term.alt_ids`.
    alt_id_lines: Vec<u64>,
    /// Whether a `name` tag was seen.
    named: bool,
    /// Whether an `is_obsolete` tag was seen.
    obsolete_seen: bool,
    term: Term,
}

impl TermDraft {
    fn new(start: u64) -> Self {
        Self {
            start,
            id_line: None,
            alt_id_lines: Vec::new(),
            named: false,
            obsolete_seen: false,
            term: Term::default(),
        }
    }

    /// Applies one tag of the stanza; unknown tags (`def`, `xref`, `subset`, ...) are ignored.
    fn apply(&mut self, tv: TagValue<'_>, line: u64) -> std::result::Result<(), String> {
        let term = &mut self.term;
        match tv.tag {
            "id" => {
                if let Some(first) = self.id_line {
                    return Err(format!(
                        "second `id` in one stanza (the first is on line {first})"
                    ));
                }
                term.id = lexer::single_id("id", tv.value)?;
                self.id_line = Some(line);
            }
            "name" => {
                if self.named {
                    return Err(format!(
                        "second `name` in the stanza of {}",
                        self.describe()
                    ));
                }
                term.name = lexer::unescape(tv.value).into_owned();
                self.named = true;
            }
            "synonym" => term.synonyms.push(lexer::synonym(tv.value)?),
            "is_a" => term.is_a.push(lexer::single_id("is_a", tv.value)?),
            "relationship" => {
                let (relation, target) = lexer::relationship(tv.value)?;
                if relation == super::PART_OF {
                    term.part_of.push(target);
                } else {
                    term.relationships.push(Relationship { relation, target });
                }
            }
            "is_obsolete" => {
                if self.obsolete_seen {
                    return Err(format!(
                        "second `is_obsolete` in the stanza of {}",
                        self.describe()
                    ));
                }
                term.obsolete = lexer::boolean("is_obsolete", tv.value)?;
                self.obsolete_seen = true;
            }
            "replaced_by" => term
                .replaced_by
                .push(lexer::single_id("replaced_by", tv.value)?),
            "alt_id" => {
                term.alt_ids.push(lexer::single_id("alt_id", tv.value)?);
                self.alt_id_lines.push(line);
            }
            _ => {}
        }
        Ok(())
    }

    /// The term's id for messages, or a placeholder before its `id` line.
    fn describe(&self) -> String {
        if self.id_line.is_some() {
            self.term.id.clone()
        } else {
            format!("the [Term] of line {}", self.start)
        }
    }
}

/// What has been read of the whole file.
struct Reading<'p> {
    path: &'p Path,
    header: Vec<(String, String)>,
    terms: BTreeMap<String, Term>,
    /// Line of each term's `id`, for the duplicate check.
    id_lines: BTreeMap<String, u64>,
    /// alt_id -> (primary id, line of the alt_id).
    alt_ids: BTreeMap<String, (String, u64)>,
}

impl Reading<'_> {
    fn error(&self, line: u64, message: String) -> Error {
        Error::line(self.path, line, ErrorKind::Malformed(message))
    }

    /// Files a finished stanza: it needs an id, and its id and alt_ids must be new.
    fn finish(&mut self, draft: TermDraft) -> Result<()> {
        let Some(id_line) = draft.id_line else {
            return Err(self.error(
                draft.start,
                "[Term] stanza without an `id` tag (every stanza needs one)".into(),
            ));
        };
        let id = draft.term.id.clone();
        if let Some(first) = self.id_lines.get(&id) {
            return Err(self.error(
                id_line,
                format!("term {id} is defined twice (first on line {first})"),
            ));
        }
        for (alt, &line) in draft.term.alt_ids.iter().zip(&draft.alt_id_lines) {
            if let Some((other, first)) = self.alt_ids.get(alt) {
                return Err(self.error(
                    line,
                    format!("alt_id {alt} of {id} is already an alt_id of {other} (line {first})"),
                ));
            }
            self.alt_ids.insert(alt.clone(), (id.clone(), line));
        }
        self.id_lines.insert(id.clone(), id_line);
        self.terms.insert(id, draft.term);
        Ok(())
    }

    /// An alt_id may not also be the id of a term: the two meanings would clash.
    fn check_alt_ids(&self) -> Result<()> {
        for (alt, (primary, line)) in &self.alt_ids {
            if let Some(term_line) = self.id_lines.get(alt) {
                return Err(self.error(
                    *line,
                    format!(
                        "alt_id {alt} of {primary} is also the id of a term (line {term_line})"
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// Reads an OBO file from `reader`; `path` only names it in errors.
pub(super) fn parse<R: BufRead>(reader: R, path: &Path) -> Result<Ontology> {
    let mut lines = LineReader::new(reader, path);
    let mut reading = Reading {
        path,
        header: Vec::new(),
        terms: BTreeMap::new(),
        id_lines: BTreeMap::new(),
        alt_ids: BTreeMap::new(),
    };
    let mut section = Section::Header;
    let mut any_content = false;
    let mut buf = String::new();
    while lines.read_line(&mut buf)? {
        let line = lines.line_number();
        let text = buf.trim();
        if text.is_empty() || text.starts_with('!') {
            continue;
        }
        if !any_content {
            any_content = true;
            refuse_other_formats(text).map_err(|why| reading.error(line, why))?;
        }
        if text.starts_with('[') {
            let next = open_stanza(text, line).map_err(|why| reading.error(line, why))?;
            if let Section::Term(draft) = std::mem::replace(&mut section, next) {
                reading.finish(*draft)?;
            }
            continue;
        }
        let tv = lexer::split_tag_value(text).map_err(|why| reading.error(line, why))?;
        match &mut section {
            Section::Header => reading
                .header
                .push((tv.tag.to_owned(), lexer::unescape(tv.value).into_owned())),
            Section::Term(draft) => draft
                .apply(tv, line)
                .map_err(|why| reading.error(line, why))?,
            Section::Skipped => {}
        }
    }
    if let Section::Term(draft) = section {
        reading.finish(*draft)?;
    }
    if !any_content {
        return Err(Error::file(path, ErrorKind::Empty));
    }
    if reading.terms.is_empty() {
        return Err(Error::file(
            path,
            ErrorKind::Missing("any [Term] stanza (is this an OBO ontology?)".into()),
        ));
    }
    reading.check_alt_ids()?;
    let alt_ids = reading
        .alt_ids
        .into_iter()
        .map(|(alt, (primary, _))| (alt, primary))
        .collect();
    Ok(Ontology {
        header: reading.header,
        terms: reading.terms,
        alt_ids,
    })
}

/// The section a `[...]` line opens.
fn open_stanza(text: &str, line: u64) -> std::result::Result<Section, String> {
    let Some(kind) = text.strip_prefix('[').and_then(|t| t.strip_suffix(']')) else {
        return Err(format!(
            "a stanza header is `[Term]`, `[Typedef]` or `[Instance]`, found {text:?}"
        ));
    };
    Ok(match kind.trim() {
        "Term" => Section::Term(Box::new(TermDraft::new(line))),
        _ => Section::Skipped,
    })
}

/// A clear message for the files most often given by mistake instead of an OBO file.
fn refuse_other_formats(first: &str) -> std::result::Result<(), String> {
    if first.starts_with('<') {
        return Err("this is XML (OWL/RDF?), not the OBO flat-file format: give the .obo \
                    release (uberon-basic.obo, from http://purl.obolibrary.org/obo/uberon/basic.obo)"
            .into());
    }
    if first.starts_with('{') {
        return Err(
            "this is JSON (OBO Graphs?), not the OBO flat-file format: give the .obo \
                    release (uberon-basic.obo)"
                .into(),
        );
    }
    Ok(())
}
