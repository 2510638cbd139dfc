//! Class groupings the paper trains with besides the plain labels: one class against the rest
//! (biopsy vs everything else) and a catch-all set-up (the largest or listed tissues, every other
//! tissue as one class "other"). Shared by `rnameta train` and the experiments so that both group
//! labels the same way.

use std::collections::BTreeMap;

use crate::error::{Error, Result};
use crate::labels::loose_key;

/// The class name every grouped-away sample gets.
pub const OTHER_CLASS: &str = "other";

/// How label names are grouped before training.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Grouping {
    /// Labels as they are.
    Plain,
    /// The named class against [`OTHER_CLASS`].
    OneVsAll(String),
    /// The `n` classes with the most labelled samples kept, the rest [`OTHER_CLASS`].
    CatchAllLargest(usize),
    /// The listed classes kept, the rest [`OTHER_CLASS`].
    CatchAllListed(Vec<String>),
}

impl Grouping {
    /// Rewrites `names` in place (names are compared loosely, as in
    /// [`Labels::within_classes`](crate::Labels::within_classes); kept names take the spelling
    /// given, or the most frequent one's first spelling for [`Grouping::CatchAllLargest`]) and
    /// returns a one-line note of what was grouped. A kept class without any labelled sample is
    /// refused: a model could not learn it.
    pub fn apply(&self, names: &mut [Option<String>]) -> Result<Option<String>> {
        let kept: Vec<String> = match self {
            Self::Plain => return Ok(None),
            Self::OneVsAll(class) => vec![class.clone()],
            Self::CatchAllListed(list) => list.clone(),
            Self::CatchAllLargest(n) => {
                let mut counts: BTreeMap<String, (usize, String)> = BTreeMap::new();
                for name in names.iter().flatten() {
                    counts.entry(loose_key(name)).or_insert((0, name.clone())).0 += 1;
                }
                let mut by_size: Vec<(usize, String)> = counts.into_values().collect();
                by_size.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
                by_size.into_iter().take(*n).map(|(_, name)| name).collect()
            }
        };
        let keys: Vec<String> = kept.iter().map(|c| loose_key(c)).collect();
        let mut grouped = 0usize;
        let mut found = vec![false; kept.len()];
        for name in names.iter_mut().flatten() {
            match keys.iter().position(|k| *k == loose_key(name)) {
                Some(i) => {
                    found[i] = true;
                    *name = kept[i].clone();
                }
                None => {
                    grouped += 1;
                    *name = OTHER_CLASS.to_owned();
                }
            }
        }
        if let Some(i) = found.iter().position(|f| !f) {
            return Err(Error::EmptyClass {
                name: kept[i].clone(),
            });
        }
        Ok(Some(format!(
            "{} kept, {grouped} labelled samples of other classes labelled {OTHER_CLASS:?}",
            kept.join(", ")
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<Option<String>> {
        list.iter()
            .map(|n| (!n.is_empty()).then(|| n.to_string()))
            .collect()
    }

    #[test]
    fn one_vs_all_keeps_the_class_and_groups_the_rest() {
        let mut n = names(&["biopsy", "cell line", "", "Biopsy", "organoid"]);
        let note = Grouping::OneVsAll("Biopsy".into()).apply(&mut n).unwrap();
        assert_eq!(n, names(&["Biopsy", "other", "", "Biopsy", "other"]));
        assert!(note.unwrap().contains("2 labelled samples"));
    }

    #[test]
    fn catch_all_keeps_the_largest_classes() {
        let mut n = names(&["a", "b", "b", "c", "c", "c", ""]);
        Grouping::CatchAllLargest(2).apply(&mut n).unwrap();
        assert_eq!(n, names(&["other", "b", "b", "c", "c", "c", ""]));
        let mut n = names(&["a", "b"]);
        assert_eq!(Grouping::Plain.apply(&mut n).unwrap(), None);
        assert_eq!(n, names(&["a", "b"]));
    }

    #[test]
    fn a_kept_class_without_samples_is_refused() {
        let mut n = names(&["a", "b"]);
        let err = Grouping::CatchAllListed(vec!["a".into(), "liver".into()])
            .apply(&mut n)
            .unwrap_err();
        assert!(err.to_string().contains("liver"), "{err}");
    }
}
