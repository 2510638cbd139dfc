//! The preprocessing a bundle carries (the fitted pipeline, how the classifier's genes were
//! chosen, what fills a missing gene) and the checks of manifest values shared by the bundle and
//! the trained model: a damaged or edited value is refused naming its field ([`Invalid`]).

use std::collections::HashSet;
use std::path::PathBuf;

use rnameta_preprocess::pipeline::FittedStep;
use rnameta_preprocess::FittedPipeline;
use serde::{Deserialize, Serialize};

use crate::Error;

/// Everything between raw input values and the classifier's columns, as saved in the manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Preprocessing {
    /// The pipeline fitted on the training data (its gene list is the training data's).
    pub pipeline: FittedPipeline,
    /// How the classifier's genes were chosen (human readable).
    pub gene_selection: String,
    /// Value used for each classifier gene missing from new data: its mean over the training
    /// samples after preprocessing, so that a missing gene reads as "typical", not "silent".
    pub fill_values: Vec<f32>,
    /// Largest fraction of classifier genes (and of pipeline genes) that may be missing.
    pub max_missing_fraction: f64,
    /// Classifier genes that carry the answer (a sex model's Y genes): data without any of them
    /// gets no class. Empty (absent in older manifests): no such rule.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub signal_genes: Vec<String>,
}

impl Preprocessing {
    /// Checks every value against its valid range and against the classifier's genes
    /// `model_genes`, as loading a bundle does: a damaged or edited manifest is refused naming
    /// the field, not blamed on the data it is later applied to.
    pub(crate) fn check(&self, model_genes: &[String]) -> Result<(), Invalid> {
        let max = self.max_missing_fraction;
        if !(0.0..=1.0).contains(&max) {
            return Err(Invalid::new(
                "preprocessing.max_missing_fraction",
                format!(
                    "is {max}, not in [0, 1] (the largest fraction of the model's genes that \
                     may be missing from the data)"
                ),
            ));
        }
        let genes = &self.pipeline.genes;
        if genes.is_empty() {
            return Err(Invalid::new(
                "preprocessing.pipeline.genes",
                "is empty; the preprocessing reads at least one gene".to_owned(),
            ));
        }
        check_names("preprocessing.pipeline.genes", genes)?;
        let known: HashSet<&str> = genes.iter().map(String::as_str).collect();
        if let Some(g) = model_genes.iter().find(|g| !known.contains(g.as_str())) {
            return Err(Invalid::new(
                "gene_ids",
                format!(
                    "holds {g:?}, which is not among the preprocessing's genes \
                     (preprocessing.pipeline.genes)"
                ),
            ));
        }
        one_per_gene(
            "preprocessing.fill_values",
            self.fill_values.len(),
            model_genes.len(),
            "gene_ids",
        )?;
        // JSON holds no NaN or infinity (and serde refuses numbers past f32's range), so every
        // value read is finite; what remains to check is lengths, signs and order.
        let n = genes.len();
        let pipeline_genes = "preprocessing.pipeline.genes";
        for (i, step) in self.pipeline.steps.iter().enumerate() {
            let field = |name: &str| format!("preprocessing.pipeline.steps[{i}].{name}");
            match step {
                FittedStep::Tpm { lengths } | FittedStep::DivideByLongestTranscript { lengths } => {
                    one_per_gene(&field("lengths"), lengths.len(), n, pipeline_genes)?;
                    all_positive(&field("lengths"), lengths, "gene length in bases")?;
                }
                FittedStep::Quantile { reference } => {
                    let values = reference.values();
                    one_per_gene(&field("reference"), values.len(), n, pipeline_genes)?;
                    ascending(&field("reference"), values)?;
                }
                FittedStep::ZScore { stats } => {
                    one_per_gene(&field("stats.mean"), stats.mean.len(), n, pipeline_genes)?;
                    one_per_gene(&field("stats.sd"), stats.sd.len(), n, pipeline_genes)?;
                    all_positive(&field("stats.sd"), &stats.sd, "standard deviation")?;
                    if let Some(c) = stats.constant_genes.iter().find(|&&c| c >= n) {
                        return Err(Invalid::new(
                            field("stats.constant_genes"),
                            format!("holds column {c}, past the pipeline's {n} genes"),
                        ));
                    }
                }
                FittedStep::Cpm | FittedStep::Log2p1 | FittedStep::Ln1p => {}
            }
        }
        if let Some(g) = self.signal_genes.iter().find(|g| !model_genes.contains(g)) {
            return Err(Invalid::new(
                "preprocessing.signal_genes",
                format!("holds {g:?}, which is not among the model's genes (gene_ids)"),
            ));
        }
        if let Some(rank_input) = &self.pipeline.rank_input {
            let field = "preprocessing.pipeline.rank_input";
            let values = rank_input.reference().values();
            one_per_gene(
                &format!("{field}.reference"),
                values.len(),
                model_genes.len(),
                "gene_ids",
            )?;
            ascending(&format!("{field}.reference"), values)?;
            if let Some(lengths) = rank_input.lengths() {
                let lengths_field = format!("{field}.lengths");
                one_per_gene(&lengths_field, lengths.len(), model_genes.len(), "gene_ids")?;
                all_positive(&lengths_field, lengths, "gene length in bases")?;
            }
        }
        Ok(())
    }
}

/// Refuses reference levels `values` (one per rank) that are not ascending.
fn ascending(field: &str, values: &[f32]) -> Result<(), Invalid> {
    match values.windows(2).position(|w| w[1] < w[0]) {
        Some(r) => Err(Invalid::new(
            field,
            format!(
                "is not ascending (rank {} holds {}, rank {} holds {})",
                r + 1,
                values[r],
                r + 2,
                values[r + 1]
            ),
        )),
        None => Ok(()),
    }
}

/// Refuses a per-gene array `field` of `len` values that does not hold one value for each of the
/// `n` genes of the manifest field `genes`.
fn one_per_gene(field: &str, len: usize, n: usize, genes: &str) -> Result<(), Invalid> {
    if len != n {
        return Err(Invalid::new(
            field,
            format!("holds {len} values for the {n} genes of {genes} (one per gene)"),
        ));
    }
    Ok(())
}

/// Refuses a value of `field` that is not positive (each is a `what`). JSON holds no NaN, so
/// every value read is comparable.
fn all_positive(field: &str, values: &[f32], what: &str) -> Result<(), Invalid> {
    if let Some((j, v)) = values.iter().enumerate().find(|(_, &v)| v <= 0.0) {
        return Err(Invalid::new(
            field,
            format!("holds {v} at position {}; a {what} must be positive", j + 1),
        ));
    }
    Ok(())
}

/// A manifest value that is out of range or inconsistent: the field (a path into the manifest's
/// JSON) and what is wrong with it. Becomes [`Error::InvalidManifest`] once the file is known.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Invalid {
    field: String,
    reason: String,
}

impl Invalid {
    /// The problem `reason` with the manifest field `field`.
    pub(crate) fn new(field: impl Into<String>, reason: String) -> Self {
        Self {
            field: field.into(),
            reason,
        }
    }

    /// The error for the manifest at `path`.
    pub(crate) fn at(self, path: PathBuf) -> Error {
        Error::InvalidManifest {
            path,
            field: self.field,
            reason: self.reason,
        }
    }
}

/// Refuses an empty name or one listed twice in the manifest field `field`.
pub(crate) fn check_names(field: &str, names: &[String]) -> Result<(), Invalid> {
    let mut seen = HashSet::with_capacity(names.len());
    for (i, name) in names.iter().enumerate() {
        if name.trim().is_empty() {
            return Err(Invalid::new(
                field,
                format!("holds an empty name at position {}", i + 1),
            ));
        }
        if !seen.insert(name.as_str()) {
            return Err(Invalid::new(field, format!("holds {name:?} twice")));
        }
    }
    Ok(())
}
