//! Prediction tasks and the class labels of a dataset for one task.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::{Error, SampleMeta};

/// What a model predicts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Task {
    /// Tissue of origin.
    Tissue,
    /// Biological sex.
    Sex,
    /// Biopsy or cell line.
    SampleSource,
}

impl Task {
    /// The task's metadata value for one sample, as a class name (`None` when unlabelled).
    pub fn label_of(self, meta: &SampleMeta) -> Option<String> {
        match self {
            Self::Tissue => meta.tissue.clone(),
            Self::Sex => meta.sex.map(|s| s.as_str().to_owned()),
            Self::SampleSource => meta.sample_source.map(|s| s.as_str().to_owned()),
        }
    }

    /// Name used on the command line and in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Tissue => "tissue",
            Self::Sex => "sex",
            Self::SampleSource => "source",
        }
    }
}

impl fmt::Display for Task {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Task {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        match s.trim().to_ascii_lowercase().as_str() {
            "tissue" => Ok(Self::Tissue),
            "sex" => Ok(Self::Sex),
            "source" | "sample_source" | "sample-source" => Ok(Self::SampleSource),
            _ => Err(Error::Unparsable {
                value: s.to_owned(),
                what: "a task (tissue, sex, source)",
            }),
        }
    }
}

/// Class names and, per sample, the index of its class (`None` for an unlabelled sample).
///
/// Classes are sorted by name so that the same data always gives the same indices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Labels {
    classes: Vec<String>,
    assigned: Vec<Option<usize>>,
}

/// A class name reduced for loose comparison: lower case, letters and digits only.
pub(crate) fn loose_key(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

impl Labels {
    /// Labels from one optional class name per sample; the classes are those that occur.
    pub fn from_names<S: AsRef<str>>(names: &[Option<S>]) -> Self {
        let classes: Vec<String> = names
            .iter()
            .flatten()
            .map(|s| s.as_ref().to_owned())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let assigned = names
            .iter()
            .map(|n| {
                n.as_ref().map(|n| {
                    classes
                        .binary_search_by(|c| c.as_str().cmp(n.as_ref()))
                        .unwrap_or_default()
                })
            })
            .collect();
        Self { classes, assigned }
    }

    /// Labels against a fixed class list (a trained model's); a name outside it is an error.
    pub fn with_classes<S: AsRef<str>>(
        classes: Vec<String>,
        names: &[Option<S>],
    ) -> Result<Self, Error> {
        let assigned = names
            .iter()
            .map(|n| match n {
                None => Ok(None),
                Some(n) => classes
                    .iter()
                    .position(|c| c == n.as_ref())
                    .map(Some)
                    .ok_or_else(|| Error::UnknownClass {
                        name: n.as_ref().to_owned(),
                        known: classes.join(", "),
                    }),
            })
            .collect::<Result<_, _>>()?;
        Ok(Self { classes, assigned })
    }

    /// Labels against a fixed class list where names are compared loosely (case, spaces,
    /// underscores and dashes ignored: SRA's "adipose tissue" is GTEx's "Adipose Tissue"). Names
    /// matching no class become unlabelled; they are returned, with how often each occurred, so
    /// that callers can report them rather than drop them silently.
    pub fn within_classes<S: AsRef<str>>(
        classes: Vec<String>,
        names: &[Option<S>],
    ) -> (Self, BTreeMap<String, usize>) {
        let keys: Vec<String> = classes.iter().map(|c| loose_key(c)).collect();
        let mut unmatched = BTreeMap::new();
        let assigned = names
            .iter()
            .map(|n| {
                let n = n.as_ref()?.as_ref();
                let key = loose_key(n);
                let found = keys.iter().position(|k| *k == key);
                if found.is_none() {
                    *unmatched.entry(n.to_owned()).or_insert(0) += 1;
                }
                found
            })
            .collect();
        (Self { classes, assigned }, unmatched)
    }

    /// The labels of a task over a dataset's samples.
    pub fn for_task(task: Task, samples: &[SampleMeta]) -> Self {
        let names: Vec<Option<String>> = samples.iter().map(|m| task.label_of(m)).collect();
        Self::from_names(&names)
    }

    /// Class names; a class index points into this.
    pub fn classes(&self) -> &[String] {
        &self.classes
    }

    /// Class index of each sample.
    pub fn assigned(&self) -> &[Option<usize>] {
        &self.assigned
    }

    /// Index of a class name.
    pub fn class_index(&self, name: &str) -> Option<usize> {
        self.classes.iter().position(|c| c == name)
    }

    /// Number of samples of each class.
    pub fn class_counts(&self) -> Vec<usize> {
        let mut counts = vec![0; self.classes.len()];
        for &c in self.assigned.iter().flatten() {
            counts[c] += 1;
        }
        counts
    }

    /// Number of labelled samples.
    pub fn n_labelled(&self) -> usize {
        self.assigned.iter().filter(|a| a.is_some()).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DataSource, Sex};

    #[test]
    fn within_classes_matches_loosely_and_reports_the_rest() {
        let classes = vec!["Adipose Tissue".to_owned(), "Small Intestine".to_owned()];
        let names = [
            Some("adipose tissue"),
            None,
            Some("small_intestine"),
            Some("brain"),
            Some("Brain"),
        ];
        let (l, unmatched) = Labels::within_classes(classes, &names);
        assert_eq!(l.assigned(), &[Some(0), None, Some(1), None, None]);
        assert_eq!(
            unmatched.into_iter().collect::<Vec<_>>(),
            vec![("Brain".to_owned(), 1), ("brain".to_owned(), 1)]
        );
    }

    #[test]
    fn classes_are_sorted_and_unlabelled_kept() {
        let labels = Labels::from_names(&[Some("lung"), None, Some("brain"), Some("lung")]);
        assert_eq!(labels.classes(), ["brain", "lung"]);
        assert_eq!(labels.assigned(), [Some(1), None, Some(0), Some(1)]);
        assert_eq!(labels.class_counts(), [1, 2]);
        assert_eq!(labels.n_labelled(), 3);
    }

    #[test]
    fn fixed_classes_refuse_unknown_names() {
        let classes = vec!["female".to_owned(), "male".to_owned()];
        let err = Labels::with_classes(classes, &[Some("other")]).unwrap_err();
        assert!(err.to_string().contains("other"));
    }

    #[test]
    fn task_reads_metadata() {
        let mut m = SampleMeta::new("s1", DataSource::Gtex);
        m.sex = Some(Sex::Male);
        let labels = Labels::for_task(Task::Sex, &[m, SampleMeta::new("s2", DataSource::Sra)]);
        assert_eq!(labels.classes(), ["male"]);
        assert_eq!(labels.assigned(), [Some(0), None]);
        assert_eq!("source".parse::<Task>().unwrap(), Task::SampleSource);
    }
}
