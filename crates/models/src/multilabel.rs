//! Label sets: several labels per sample (a tissue and "cell line" at once), the targets of
//! [`crate::MultiLabelForest`] and of the multi-label metrics.

use std::collections::BTreeSet;

use ndarray::Array2;

use crate::{Error, Result};

/// Label names and, per sample, the indices of the labels that apply (sorted, no repeats).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelSets {
    labels: Vec<String>,
    rows: Vec<Vec<usize>>,
}

impl LabelSets {
    /// Label sets from names; the labels are those that occur, sorted.
    pub fn from_names<S: AsRef<str>>(per_sample: &[Vec<S>]) -> Self {
        let labels: Vec<String> = per_sample
            .iter()
            .flatten()
            .map(|s| s.as_ref().to_owned())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        Self::with_labels(labels, per_sample).expect("every name is among the labels")
    }

    /// Label sets against a fixed label list (which may hold labels no sample has); a name outside
    /// the list is [`Error::UnknownLabel`].
    pub fn with_labels<S: AsRef<str>>(labels: Vec<String>, per_sample: &[Vec<S>]) -> Result<Self> {
        let rows = per_sample
            .iter()
            .map(|names| {
                let set: BTreeSet<usize> = names
                    .iter()
                    .map(|n| {
                        labels.iter().position(|l| l == n.as_ref()).ok_or_else(|| {
                            Error::UnknownLabel {
                                name: n.as_ref().to_owned(),
                                known: labels.join(", "),
                            }
                        })
                    })
                    .collect::<Result<_>>()?;
                Ok(set.into_iter().collect())
            })
            .collect::<Result<_>>()?;
        Ok(Self { labels, rows })
    }

    /// Label names; a label index points into this.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// True when there are no samples.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The labels of sample `i`, sorted.
    pub fn sample_labels(&self, i: usize) -> &[usize] {
        &self.rows[i]
    }

    /// Samples having each label.
    pub fn label_counts(&self) -> Vec<usize> {
        let mut c = vec![0; self.labels.len()];
        self.rows.iter().flatten().for_each(|&l| c[l] += 1);
        c
    }

    /// Multi-hot matrix, samples x labels, 1 where the label applies.
    pub fn to_multi_hot(&self) -> Array2<u8> {
        let mut m = Array2::zeros((self.rows.len(), self.labels.len()));
        for (i, r) in self.rows.iter().enumerate() {
            r.iter().for_each(|&l| m[[i, l]] = 1);
        }
        m
    }
}
