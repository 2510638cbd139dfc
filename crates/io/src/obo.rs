//! OBO 1.4 ontologies (the flat-file format UBERON ships as `uberon-basic.obo`), read for their
//! terms and the `is_a` / `part_of` graph between them.
//!
//! rnameta reads an ontology to roll MetaSRA's most specific UBERON terms (cerebellum, heart left
//! ventricle) up to the tissue labels it predicts (see [`crate::metasra::rollup`]). What is read:
//!
//! - the header (`format-version`, `data-version`, ...), kept as tag/value pairs;
//! - each `[Term]` stanza's `id`, `name`, `synonym` (text, scope, type), `is_a`, `relationship`
//!   (`part_of` in its own list, every other relation kept by name), `is_obsolete`,
//!   `replaced_by` and `alt_id`. Other tags (`def`, `xref`, `subset`, `property_value`, ...) are
//!   skipped, and so are `[Typedef]` and `[Instance]` stanzas.
//!
//! Trailing `{...}` modifiers and `! comments` are cut, backslash escapes (`\"`) resolved, blank
//! lines and `!` comment lines skipped, CRLF line ends accepted, gzip read. A stanza without an
//! `id`, a second `id` or `name` in a stanza, a term defined twice, a malformed synonym or
//! relationship: each is an [`Error`](crate::Error) naming the file and the line.
//!
//! Ids that a term points to but the file does not define (other ontologies' terms, or the
//! terms left out of a slice) are kept as they are: they are ancestors like any other.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt;
use std::io::BufRead;
use std::path::Path;

use crate::error::Result;

mod lexer;
mod parser;

/// The name of the `part_of` relation in `relationship:` tags.
pub const PART_OF: &str = "part_of";

/// A relation between two terms that [`Ontology::ancestors`] can follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Relation<'a> {
    /// `is_a`: the term is a kind of its target.
    IsA,
    /// `relationship: part_of`: the term is a part of its target.
    PartOf,
    /// Another `relationship:` type, by name (`develops_from`).
    Other(&'a str),
}

/// The relations along which a term is "a part or a kind of" another: what the tissue roll-up
/// follows.
pub const IS_A_AND_PART_OF: [Relation<'static>; 2] = [Relation::IsA, Relation::PartOf];

/// The scope of a synonym: how closely it matches the term's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SynonymScope {
    /// Means exactly the term.
    Exact,
    /// Narrower than the term.
    Narrow,
    /// Broader than the term.
    Broad,
    /// Related in another way (the default when a file gives no scope).
    Related,
}

impl SynonymScope {
    /// The scope of its OBO keyword (`EXACT`, `NARROW`, `BROAD`, `RELATED`).
    pub fn parse(keyword: &str) -> Option<Self> {
        match keyword {
            "EXACT" => Some(Self::Exact),
            "NARROW" => Some(Self::Narrow),
            "BROAD" => Some(Self::Broad),
            "RELATED" => Some(Self::Related),
            _ => None,
        }
    }

    /// The OBO keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Exact => "EXACT",
            Self::Narrow => "NARROW",
            Self::Broad => "BROAD",
            Self::Related => "RELATED",
        }
    }
}

impl fmt::Display for SynonymScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Another name of a term (`synonym: "left ventricle" EXACT [FMA:7101]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Synonym {
    /// The name, escapes resolved.
    pub text: String,
    /// How closely it matches.
    pub scope: SynonymScope,
    /// The synonym type, when given (`OMO:0003011`, a Latin term).
    pub synonym_type: Option<String>,
}

/// A `relationship:` of a term other than `part_of` (`develops_from UBERON:0004141`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relationship {
    /// The relation's name as written.
    pub relation: String,
    /// The target term id.
    pub target: String,
}

/// One `[Term]` stanza.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Term {
    /// The term id (`UBERON:0002037`).
    pub id: String,
    /// The name (`cerebellum`); empty when the stanza has none.
    pub name: String,
    /// Synonyms, in file order.
    pub synonyms: Vec<Synonym>,
    /// Targets of `is_a`, in file order.
    pub is_a: Vec<String>,
    /// Targets of `relationship: part_of`, in file order.
    pub part_of: Vec<String>,
    /// The other `relationship:` tags, in file order.
    pub relationships: Vec<Relationship>,
    /// `is_obsolete: true`.
    pub obsolete: bool,
    /// `replaced_by` targets (an obsolete term's successor).
    pub replaced_by: Vec<String>,
    /// Former ids merged into this term (`alt_id`).
    pub alt_ids: Vec<String>,
}

impl Term {
    /// The targets of one relation of this term, in file order (`Other("part_of")` is
    /// [`Relation::PartOf`]).
    pub fn targets<'t, 'r>(
        &'t self,
        relation: Relation<'r>,
    ) -> impl Iterator<Item = &'t str> + use<'t, 'r> {
        let (listed, other): (&'t [String], Option<&'r str>) = match relation {
            Relation::IsA => (&self.is_a, None),
            Relation::PartOf | Relation::Other(PART_OF) => (&self.part_of, None),
            Relation::Other(name) => (&[], Some(name)),
        };
        let relationships: &'t [Relationship] = match other {
            Some(_) => &self.relationships,
            None => &[],
        };
        listed.iter().map(String::as_str).chain(
            relationships
                .iter()
                .filter(move |r| Some(r.relation.as_str()) == other)
                .map(|r| r.target.as_str()),
        )
    }
}

/// An ontology read from an OBO file: its header and its terms by id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ontology {
    header: Vec<(String, String)>,
    terms: BTreeMap<String, Term>,
    /// alt_id -> the id of the term that holds it.
    alt_ids: BTreeMap<String, String>,
}

impl Ontology {
    /// Reads an OBO file (plain or gzip).
    pub fn read(path: &Path) -> Result<Self> {
        Self::parse(crate::source::open(path)?, path)
    }

    /// Reads OBO text from `reader`; `name_for_errors` is the file name errors give.
    pub fn parse<R: BufRead>(reader: R, name_for_errors: impl AsRef<Path>) -> Result<Self> {
        parser::parse(reader, name_for_errors.as_ref())
    }

    /// The header's tag/value pairs, in file order.
    pub fn header(&self) -> &[(String, String)] {
        &self.header
    }

    /// The first header value of a tag (`data-version` gives the release read).
    pub fn header_value(&self, tag: &str) -> Option<&str> {
        self.header
            .iter()
            .find(|(t, _)| t == tag)
            .map(|(_, v)| v.as_str())
    }

    /// Number of terms (obsolete ones included).
    pub fn len(&self) -> usize {
        self.terms.len()
    }

    /// True when the ontology has no term (never for one read from a file).
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// The term with this id (not an alt_id; obsolete terms included).
    pub fn get(&self, id: &str) -> Option<&Term> {
        self.terms.get(id)
    }

    /// All terms, by id.
    pub fn terms(&self) -> impl Iterator<Item = &Term> {
        self.terms.values()
    }

    /// The alt_ids and the term id each stands for, by alt_id.
    pub fn alt_ids(&self) -> impl Iterator<Item = (&str, &str)> {
        self.alt_ids.iter().map(|(a, p)| (a.as_str(), p.as_str()))
    }

    /// The id under which the ontology defines `id`: itself for a term, the holder of an alt_id;
    /// `None` when the ontology does not know it.
    pub fn primary_id<'a>(&'a self, id: &'a str) -> Option<&'a str> {
        if let Some((key, _)) = self.terms.get_key_value(id) {
            return Some(key);
        }
        self.alt_ids.get(id).map(String::as_str)
    }

    /// The current term for an id: an alt_id leads to its term, an obsolete term to the term it
    /// is `replaced_by` (followed as far as it goes). `None` for an unknown id, for an obsolete
    /// term without exactly one replacement, and for a replacement chain that loops.
    pub fn resolve(&self, id: &str) -> Option<&Term> {
        let mut term = self.get(self.primary_id(id)?)?;
        let mut seen = BTreeSet::new();
        while term.obsolete {
            if !seen.insert(term.id.as_str()) {
                return None;
            }
            let [next] = term.replaced_by.as_slice() else {
                return None;
            };
            term = self.get(self.primary_id(next)?)?;
        }
        Some(term)
    }

    /// Every term reached from `id` by following `relations` any number of times (the term
    /// itself left out): with [`IS_A_AND_PART_OF`], all that the term is a part or a kind of.
    /// Cycles are harmless; an alt_id is followed to its term; ids the file does not define are
    /// included but lead nowhere. Empty for an unknown id.
    pub fn ancestors(&self, id: &str, relations: &[Relation<'_>]) -> BTreeSet<&str> {
        let mut found = BTreeSet::new();
        let Some(start) = self.primary_id(id) else {
            return found;
        };
        let mut queue = VecDeque::from([start]);
        while let Some(current) = queue.pop_front() {
            let Some(term) = self.get(current) else {
                continue;
            };
            for &relation in relations {
                for target in term.targets(relation) {
                    let target = self.primary_id(target).unwrap_or(target);
                    if target != start && found.insert(target) {
                        queue.push_back(target);
                    }
                }
            }
        }
        found
    }
}
