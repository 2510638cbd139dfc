//! What a tree learns: one class per sample (multi-class) or a set of labels per sample (multi-label),
//! behind one trait so the split search is written once and compiled for each.

/// The outputs of the training rows, indexed like the rows of the binned matrix.
///
/// A sample "has" the output columns returned by [`Targets::cols`]: its class for multi-class, its
/// positive labels for multi-label. Gini impurity is computed from, per node, the weight of samples
/// having each column (class counts, or positive counts per label).
pub(crate) trait Targets: Sync {
    /// Number of output columns (classes or labels).
    fn n_outputs(&self) -> usize;
    /// The output columns of row `i`.
    fn cols(&self, i: usize) -> &[u16];
}

/// One class per row.
pub(crate) struct ClassTargets {
    pub(crate) y: Vec<u16>,
    pub(crate) n_classes: usize,
}

impl Targets for ClassTargets {
    fn n_outputs(&self) -> usize {
        self.n_classes
    }
    #[inline]
    fn cols(&self, i: usize) -> &[u16] {
        std::slice::from_ref(&self.y[i])
    }
}

/// A set of positive labels per row, stored compressed (row `i` owns `labels[offsets[i]..offsets[i+1]]`).
pub(crate) struct LabelSetTargets {
    pub(crate) offsets: Vec<usize>,
    pub(crate) labels: Vec<u16>,
    pub(crate) n_labels: usize,
}

impl Targets for LabelSetTargets {
    fn n_outputs(&self) -> usize {
        self.n_labels
    }
    #[inline]
    fn cols(&self, i: usize) -> &[u16] {
        &self.labels[self.offsets[i]..self.offsets[i + 1]]
    }
}
