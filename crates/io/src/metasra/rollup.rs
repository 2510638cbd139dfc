//! Rolling every term of an ontology up to the tissue labels rnameta predicts, computed from the
//! ontology itself (UBERON's `is_a` and `part_of` graph) rather than from the hand-written
//! [`DESCENDANTS`](super::uberon::DESCENDANTS) table, which stays the fallback when no ontology
//! file is given.
//!
//! The rule is the one that table documents: a term maps to a tissue only when the terms it is a
//! part or a kind of (transitively, through `is_a` and `part_of`, itself included) reach exactly
//! one tissue. A term that reaches two tissues neither of which is above the other (the coronary
//! artery: a blood vessel, and part of the heart) maps to none and is reported as ambiguous,
//! because either label could be wrong.
//!
//! When one target term is itself below another, the more specific one wins: with `colon` and
//! `large intestine` both as targets, the transverse colon reaches both, but since the colon is
//! part of the large intestine this is no conflict, and it maps to `colon`, the label that says
//! most about the sample. Two of rnameta's own [`TISSUES`] are nested
//! this way in UBERON: the pituitary gland is part of the brain (a gland of the diencephalon),
//! and the uterine cervix part of the uterus; so the adenohypophysis maps to `pituitary` and the
//! ectocervix to `cervix uteri`, as the hand table has it.
//!
//! Obsolete terms take the tissue of the term they are `replaced_by` (none without a single
//! replacement), and alt_ids the tissue of their term, so that annotations made with an older
//! release still map. Target terms that the ontology lacks map to their own label.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::path::Path;

use crate::error::Result;
use crate::obo::{Ontology, IS_A_AND_PART_OF};
use crate::write::write_atomically;

use super::uberon::TISSUES;

/// Why a term maps to the tissue it maps to, or to none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// The term is a target's own term.
    Target,
    /// The term is a part or a kind of this target term (the most specific one it reaches).
    Below {
        /// The target term reached.
        target: String,
    },
    /// The term reaches targets of two or more tissues, none above the other: no tissue.
    Ambiguous {
        /// The most specific targets reached, as `(tissue label, target term)`, by label.
        targets: Vec<(String, String)>,
    },
    /// The term reaches no target: no tissue.
    NoTarget,
    /// An alt_id: it takes the tissue of the term that holds it.
    AltIdOf {
        /// The term holding the alt_id.
        term: String,
    },
    /// An obsolete term: it takes the tissue of its replacement, or none without one.
    Obsolete {
        /// The current term it leads to through `replaced_by`, when there is exactly one.
        replaced_by: Option<String>,
    },
    /// A target term that the ontology does not define: it maps to its label all the same.
    TargetNotInOntology,
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Target => f.write_str("target term"),
            Self::Below { target } => write!(f, "part or kind of {target}"),
            Self::Ambiguous { targets } => {
                f.write_str("ambiguous: part or kind of ")?;
                for (i, (label, term)) in targets.iter().enumerate() {
                    let sep = if i == 0 { "" } else { " and " };
                    write!(f, "{sep}{label} ({term})")?;
                }
                Ok(())
            }
            Self::NoTarget => f.write_str("below no target term"),
            Self::AltIdOf { term } => write!(f, "alt_id of {term}"),
            Self::Obsolete {
                replaced_by: Some(term),
            } => write!(f, "obsolete, replaced by {term}"),
            Self::Obsolete { replaced_by: None } => {
                f.write_str("obsolete, without a single replacement")
            }
            Self::TargetNotInOntology => f.write_str("target term, not in the ontology"),
        }
    }
}

/// One row of a [`RollUp`]: a term id and the tissue it maps to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RollUpRow {
    /// The term id (or alt_id).
    pub term: String,
    /// The term's name (for an alt_id, the name of its term; empty when unknown).
    pub name: String,
    /// The tissue label, when the term maps to exactly one.
    pub tissue: Option<String>,
    /// Why.
    pub reason: Reason,
}

/// Every term of an ontology (with its alt_ids) mapped to a tissue label or to none, by term id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RollUp {
    rows: Vec<RollUpRow>,
    index: HashMap<String, usize>,
}

/// The target terms and their labels (a term listed under two labels has both).
type Targets<'a> = BTreeMap<&'a str, BTreeSet<&'a str>>;

impl RollUp {
    /// Rolls `ontology` up to `targets`, given as `(tissue label, term id)` pairs like
    /// [`TISSUES`]. A label may have several terms; a term given two labels maps to none.
    pub fn new(ontology: &Ontology, targets: &[(&str, &str)]) -> Self {
        let mut by_term: Targets<'_> = BTreeMap::new();
        for &(label, term) in targets {
            let term = ontology.primary_id(term).unwrap_or(term);
            by_term.entry(term).or_default().insert(label);
        }
        let target_ancestors: HashMap<&str, BTreeSet<&str>> = by_term
            .keys()
            .map(|&t| (t, ontology.ancestors(t, &IS_A_AND_PART_OF)))
            .collect();
        let mut rows = BTreeMap::new();
        let is_target = |id: &str| by_term.contains_key(id);
        for term in ontology.terms().filter(|t| !t.obsolete || is_target(&t.id)) {
            let (tissue, reason) = classify(ontology, &term.id, &by_term, &target_ancestors);
            rows.insert(term.id.clone(), row(&term.id, &term.name, tissue, reason));
        }
        for term in ontology.terms().filter(|t| t.obsolete && !is_target(&t.id)) {
            let current = ontology.resolve(&term.id).map(|t| t.id.clone());
            let tissue = current.as_ref().and_then(|c| tissue_in(&rows, c));
            let reason = Reason::Obsolete {
                replaced_by: current,
            };
            rows.insert(term.id.clone(), row(&term.id, &term.name, tissue, reason));
        }
        for (alt, primary) in ontology.alt_ids() {
            let name = ontology.get(primary).map_or("", |t| t.name.as_str());
            let tissue = tissue_in(&rows, primary);
            let reason = Reason::AltIdOf {
                term: primary.to_owned(),
            };
            rows.insert(alt.to_owned(), row(alt, name, tissue, reason));
        }
        for (&term, labels) in &by_term {
            if !rows.contains_key(term) {
                let tissue = single(labels).map(str::to_owned);
                rows.insert(
                    term.to_owned(),
                    row(term, "", tissue, Reason::TargetNotInOntology),
                );
            }
        }
        let rows: Vec<RollUpRow> = rows.into_values().collect();
        let index = rows
            .iter()
            .enumerate()
            .map(|(i, r)| (r.term.clone(), i))
            .collect();
        Self { rows, index }
    }

    /// Rolls `ontology` up to rnameta's 31 tissue labels ([`TISSUES`]).
    pub fn for_tissues(ontology: &Ontology) -> Self {
        Self::new(ontology, &TISSUES)
    }

    /// All rows, by term id.
    pub fn rows(&self) -> &[RollUpRow] {
        &self.rows
    }

    /// Number of rows (terms, alt_ids and target terms outside the ontology).
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// True when there is no row.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The row of a term id (or alt_id).
    pub fn get(&self, term: &str) -> Option<&RollUpRow> {
        self.index.get(term).map(|&i| &self.rows[i])
    }

    /// The tissue a term id maps to; `None` for no tissue or an unknown id.
    pub fn tissue_of(&self, term: &str) -> Option<&str> {
        self.get(term)?.tissue.as_deref()
    }

    /// The rows of terms that reach two tissues (no tissue given), by term id.
    pub fn ambiguous(&self) -> impl Iterator<Item = &RollUpRow> {
        self.rows
            .iter()
            .filter(|r| matches!(r.reason, Reason::Ambiguous { .. }))
    }

    /// The term id -> tissue label map that [`super::fill_sample_metas`] takes: every row with a
    /// tissue.
    pub fn tissue_terms(&self) -> BTreeMap<String, String> {
        self.rows
            .iter()
            .filter_map(|r| Some((r.term.clone(), r.tissue.clone()?)))
            .collect()
    }

    /// Writes the table as TSV for inspection (gzip when the path ends in `.gz`), atomically:
    /// a header `term_id  term_name  tissue  reason`, then one row per term id, the tissue empty
    /// when there is none. Tabs and line breaks inside names become spaces.
    pub fn write_tsv(&self, path: &Path) -> Result<()> {
        write_atomically(path, |w| {
            writeln!(w, "term_id\tterm_name\ttissue\treason")?;
            for r in &self.rows {
                writeln!(
                    w,
                    "{}\t{}\t{}\t{}",
                    cell(&r.term),
                    cell(&r.name),
                    cell(r.tissue.as_deref().unwrap_or("")),
                    cell(&r.reason.to_string())
                )?;
            }
            Ok(())
        })
    }
}

fn row(term: &str, name: &str, tissue: Option<String>, reason: Reason) -> RollUpRow {
    RollUpRow {
        term: term.to_owned(),
        name: name.to_owned(),
        tissue,
        reason,
    }
}

fn tissue_in(rows: &BTreeMap<String, RollUpRow>, term: &str) -> Option<String> {
    rows.get(term)?.tissue.clone()
}

fn single<'a>(labels: &BTreeSet<&'a str>) -> Option<&'a str> {
    match labels.len() {
        1 => labels.first().copied(),
        _ => None,
    }
}

/// The tissue of one current term and why (see the module documentation for the rule).
fn classify(
    ontology: &Ontology,
    id: &str,
    targets: &Targets<'_>,
    target_ancestors: &HashMap<&str, BTreeSet<&str>>,
) -> (Option<String>, Reason) {
    let mut reached = ontology.ancestors(id, &IS_A_AND_PART_OF);
    reached.insert(id);
    reached.retain(|t| targets.contains_key(t));
    // Drop each reached target that another reached target lies below.
    let most_specific: Vec<&str> = reached
        .iter()
        .copied()
        .filter(|&r| {
            !reached
                .iter()
                .any(|&o| o != r && target_ancestors.get(o).is_some_and(|a| a.contains(r)))
        })
        .collect();
    let labels: BTreeSet<&str> = most_specific
        .iter()
        .flat_map(|t| targets.get(t).into_iter().flatten().copied())
        .collect();
    match (single(&labels), most_specific.first()) {
        (None, None) => (None, Reason::NoTarget),
        (Some(label), Some(&first)) => {
            let reason = if most_specific.contains(&id) {
                Reason::Target
            } else {
                Reason::Below {
                    target: first.to_owned(),
                }
            };
            (Some(label.to_owned()), reason)
        }
        _ => {
            let mut pairs: Vec<(String, String)> = most_specific
                .iter()
                .flat_map(|&t| {
                    targets
                        .get(t)
                        .into_iter()
                        .flatten()
                        .map(move |&l| (l.to_owned(), t.to_owned()))
                })
                .collect();
            pairs.sort();
            (None, Reason::Ambiguous { targets: pairs })
        }
    }
}

/// A TSV cell: tabs and line breaks become spaces.
fn cell(text: &str) -> String {
    text.replace(['\t', '\n', '\r'], " ")
}
