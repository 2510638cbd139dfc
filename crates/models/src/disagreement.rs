//! Labels that disagree with the expression: the samples whose given label (a label table's, or
//! the metadata a file carries) differs from what a trained model predicts with confidence.
//!
//! Real studies carry wrong labels (MetaSRA mislabels; samples labelled male that express XIST
//! and no Y gene). [`disagreements`] applies a [`TrainedModel`] to a [`Dataset`] and lists every
//! labelled sample whose confident prediction (probability >= a threshold) is another class than
//! its label, with the evidence a curator needs: the given label, the predicted class and both
//! probabilities, and for a sex model the sample's sex-gene levels ([`SEX_GENES`]) as
//! log2(CPM + 1) of the input, a scale a biologist reads at a glance (here a male cell line
//! expresses every Y gene at 4 to 9, a female none above about 2). The list is sorted by
//! confidence, most confident first. Unlabelled samples and samples the model cannot place
//! confidently are counted, not listed.
//!
//! ```no_run
//! # fn demo(model: &rnameta_models::TrainedModel, data: &rnameta_core::Dataset)
//! # -> rnameta_models::Result<()> {
//! use rnameta_core::{Labels, Task};
//! use rnameta_models::disagreement::{disagreements, DEFAULT_MIN_PROBABILITY};
//!
//! let given = Labels::for_task(Task::Sex, data.samples());
//! let report = disagreements(model, data, &given, DEFAULT_MIN_PROBABILITY)?;
//! for d in &report.disagreements {
//!     println!("{}: labelled {}, looks {} ({:.3})", d.sample_id, d.given, d.predicted,
//!              d.predicted_probability);
//! }
//! # Ok(()) }
//! ```

use std::collections::BTreeMap;

use ndarray::ArrayView2;
use rnameta_core::{Dataset, Labels, Task, ValueKind};

use crate::trained::{Annotation, TrainedModel};
use crate::{Error, Result};

/// Default probability from which a prediction counts as confident enough to contradict a
/// label. A check should list few, convincing samples: a curator reads each one.
pub const DEFAULT_MIN_PROBABILITY: f32 = 0.9;

/// A gene whose level tells the sexes apart, by Ensembl 100 (GRCh38) id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SexGene {
    /// Ensembl gene id without version.
    pub id: &'static str,
    /// HGNC symbol.
    pub symbol: &'static str,
    /// Chromosome (`X` or `Y`).
    pub chromosome: &'static str,
}

/// The sex genes shown as evidence for a sex model: XIST (expressed from the inactive X, so in
/// females) and Y genes of the male-specific region expressed in most tissues and cell lines.
/// Ids checked against Ensembl 100 (`fixtures/real/ensembl100_grch38_genes.tsv.gz`,
/// `tests/disagreement.rs`).
pub const SEX_GENES: [SexGene; 8] = [
    SexGene {
        id: "ENSG00000229807",
        symbol: "XIST",
        chromosome: "X",
    },
    SexGene {
        id: "ENSG00000129824",
        symbol: "RPS4Y1",
        chromosome: "Y",
    },
    SexGene {
        id: "ENSG00000067048",
        symbol: "DDX3Y",
        chromosome: "Y",
    },
    SexGene {
        id: "ENSG00000012817",
        symbol: "KDM5D",
        chromosome: "Y",
    },
    SexGene {
        id: "ENSG00000183878",
        symbol: "UTY",
        chromosome: "Y",
    },
    SexGene {
        id: "ENSG00000198692",
        symbol: "EIF1AY",
        chromosome: "Y",
    },
    SexGene {
        id: "ENSG00000114374",
        symbol: "USP9Y",
        chromosome: "Y",
    },
    SexGene {
        id: "ENSG00000067646",
        symbol: "ZFY",
        chromosome: "Y",
    },
];

/// The level of one sex gene in one sample.
#[derive(Debug, Clone, PartialEq)]
pub struct GeneLevel {
    /// Ensembl gene id.
    pub id: &'static str,
    /// HGNC symbol.
    pub symbol: &'static str,
    /// log2(CPM + 1): the input value over the sample's total over all its genes, times one
    /// million, plus one, log2.
    pub log2_cpm_plus_1: f32,
}

/// One sample whose given label disagrees with a confident prediction.
#[derive(Debug, Clone, PartialEq)]
pub struct Disagreement {
    /// The sample's id.
    pub sample_id: String,
    /// The label it was given (the model's spelling of that class).
    pub given: String,
    /// The class the model predicts.
    pub predicted: String,
    /// The predicted class's probability (>= the threshold).
    pub predicted_probability: f32,
    /// The given class's probability.
    pub given_probability: f32,
    /// For a sex model on count-like input: the level of each gene of [`SEX_GENES`] the input
    /// has, in that list's order; empty otherwise.
    pub sex_genes: Vec<GeneLevel>,
}

/// Every disagreement of a set of samples, most confident first, and how the other samples fell.
///
/// `agreed + disagreements.len() + unlabelled + not_confident + (label not a class)` is
/// `samples`, each sample counted once: unlabelled first, then labelled with a name that is no
/// class of the model ([`DisagreementReport::unknown_labels`]), then not confident.
#[derive(Debug, Clone, PartialEq)]
pub struct DisagreementReport {
    /// The model's classes.
    pub classes: Vec<String>,
    /// The threshold: predictions below it are not confident.
    pub min_probability: f32,
    /// Samples checked.
    pub samples: usize,
    /// Labelled samples confidently predicted as their label.
    pub agreed: usize,
    /// Labelled samples confidently predicted as another class, most confident first (highest
    /// predicted probability, then lowest probability of the given label, then sample id).
    pub disagreements: Vec<Disagreement>,
    /// Samples without a label.
    pub unlabelled: usize,
    /// Labelled samples the model leaves unassigned (below the threshold, a tie, or none of its
    /// genes in the data).
    pub not_confident: usize,
    /// Given labels that are no class of the model (compared ignoring case, spaces, `_` and
    /// `-`), with how many samples carry each; such samples are not checked.
    pub unknown_labels: BTreeMap<String, usize>,
    /// For a sex model: why the sex-gene levels are not shown (input values that are not counts,
    /// TPM or another per-sample scale, so CPM would mean nothing); `None` when shown.
    pub sex_evidence_skipped: Option<String>,
}

impl DisagreementReport {
    /// An empty report over the classes of a model, to [`merge`](Self::merge) the reports of
    /// several files or chunks into.
    pub fn new(classes: Vec<String>, min_probability: f32) -> Self {
        Self {
            classes,
            min_probability,
            samples: 0,
            agreed: 0,
            disagreements: Vec::new(),
            unlabelled: 0,
            not_confident: 0,
            unknown_labels: BTreeMap::new(),
            sex_evidence_skipped: None,
        }
    }

    /// Samples labelled with a name that is no class of the model.
    pub fn unknown_label_samples(&self) -> usize {
        self.unknown_labels.values().sum()
    }

    /// Adds the counts and disagreements of `other` (another file or chunk checked with the same
    /// model and threshold), keeping the list sorted by confidence.
    pub fn merge(&mut self, other: DisagreementReport) -> Result<()> {
        if other.classes != self.classes || other.min_probability != self.min_probability {
            return Err(Error::InvalidParameter {
                name: "other",
                reason: format!(
                    "a report over classes [{}] at {} cannot be merged into one over [{}] at {}; \
                     check every part with the same model and threshold",
                    other.classes.join(", "),
                    other.min_probability,
                    self.classes.join(", "),
                    self.min_probability
                ),
            });
        }
        self.samples += other.samples;
        self.agreed += other.agreed;
        self.unlabelled += other.unlabelled;
        self.not_confident += other.not_confident;
        for (name, n) in other.unknown_labels {
            *self.unknown_labels.entry(name).or_insert(0) += n;
        }
        if self.sex_evidence_skipped.is_none() {
            self.sex_evidence_skipped = other.sex_evidence_skipped;
        }
        self.disagreements.extend(other.disagreements);
        sort_by_confidence(&mut self.disagreements);
        Ok(())
    }

    /// The report for `data` from its `annotation` (made by [`TrainedModel::annotate`] or
    /// [`TrainedModel::annotate_with`] on `data`, rows parallel to its samples), `labels`
    /// parallel to `data`'s samples and a threshold. `task` is the model's: a sex model's
    /// disagreements carry the sex-gene levels of `data`'s raw values. For callers that already
    /// annotated the data; [`disagreements`] does both.
    pub fn from_annotation(
        annotation: &Annotation,
        task: Option<Task>,
        data: &Dataset,
        labels: &Labels,
        min_probability: f32,
    ) -> Result<Self> {
        check_threshold(min_probability)?;
        Self::from_predictions(
            Predictions {
                classes: &annotation.classes,
                proba: annotation.proba.view(),
                assigned: &annotation.assigned(min_probability),
            },
            task,
            data,
            labels,
            min_probability,
        )
    }

    /// [`DisagreementReport::from_annotation`] from predictions held another way (a command's
    /// prediction rows): the class probabilities and the class assigned to each sample of
    /// `data` (`None` when not confident at `min_probability`, by
    /// [`crate::trained::assigned_class`]'s rule).
    pub fn from_predictions(
        predictions: Predictions<'_>,
        task: Option<Task>,
        data: &Dataset,
        labels: &Labels,
        min_probability: f32,
    ) -> Result<Self> {
        check_threshold(min_probability)?;
        let Predictions {
            classes,
            proba,
            assigned,
        } = predictions;
        let n = data.n_samples();
        if labels.assigned().len() != n {
            return Err(Error::ShapeMismatch {
                what: "labels given to check (one per sample of the data)",
                expected: n,
                got: labels.assigned().len(),
            });
        }
        if proba.nrows() != n || assigned.len() != n {
            return Err(Error::ShapeMismatch {
                what: "predictions (one per sample of the data; annotate this data)",
                expected: n,
                got: proba.nrows().min(assigned.len()),
            });
        }
        if proba.ncols() != classes.len() || assigned.iter().flatten().any(|&c| c >= classes.len())
        {
            return Err(Error::ShapeMismatch {
                what: "class probability columns (one per class of the model)",
                expected: classes.len(),
                got: proba.ncols(),
            });
        }
        let names: Vec<Option<&str>> = labels
            .assigned()
            .iter()
            .map(|c| c.map(|c| labels.classes()[c].as_str()))
            .collect();
        let (given, unknown_labels) = Labels::within_classes(classes.to_vec(), &names);
        let sex = task == Some(Task::Sex);
        let counts_like = !sex || counts_like(data.value_kind());
        let mut report = Self::new(classes.to_vec(), min_probability);
        report.samples = n;
        report.unknown_labels = unknown_labels;
        if sex && !counts_like {
            report.sex_evidence_skipped = Some(format!(
                "the input values look {}, not counts or TPM, so their CPM would mean nothing",
                data.value_kind()
            ));
        }
        for (i, (&label, &predicted)) in given.assigned().iter().zip(assigned).enumerate() {
            let Some(label) = label else {
                if names[i].is_none() {
                    report.unlabelled += 1;
                }
                continue;
            };
            let Some(predicted) = predicted else {
                report.not_confident += 1;
                continue;
            };
            if predicted == label {
                report.agreed += 1;
                continue;
            }
            let row = proba.row(i);
            report.disagreements.push(Disagreement {
                sample_id: data.samples()[i].sample_id.clone(),
                given: classes[label].clone(),
                predicted: classes[predicted].clone(),
                predicted_probability: row[predicted],
                given_probability: row[label],
                sex_genes: if sex && counts_like {
                    sex_gene_levels(data, i)
                } else {
                    Vec::new()
                },
            });
        }
        sort_by_confidence(&mut report.disagreements);
        Ok(report)
    }
}

/// A model's predictions for the samples of a dataset, as
/// [`DisagreementReport::from_predictions`] reads them.
#[derive(Debug, Clone, Copy)]
pub struct Predictions<'a> {
    /// Class names, in probability column order.
    pub classes: &'a [String],
    /// Samples x classes probabilities.
    pub proba: ArrayView2<'a, f32>,
    /// Each sample's assigned class, `None` when not confident.
    pub assigned: &'a [Option<usize>],
}

/// Applies `model` to `data` and lists the samples whose label in `labels` (one per sample of
/// `data`, e.g. `Labels::for_task(task, data.samples())` for the labels the data carries)
/// disagrees with a prediction of probability >= `min_probability` (see the module docs).
/// Fails as [`TrainedModel::annotate`] does (too many of the model's genes missing), or when the
/// labels are not one per sample or the threshold is not in [0, 1].
pub fn disagreements(
    model: &TrainedModel,
    data: &Dataset,
    labels: &Labels,
    min_probability: f32,
) -> Result<DisagreementReport> {
    check_threshold(min_probability)?;
    if labels.assigned().len() != data.n_samples() {
        return Err(Error::ShapeMismatch {
            what: "labels given to check (one per sample of the data)",
            expected: data.n_samples(),
            got: labels.assigned().len(),
        });
    }
    let annotation = model.annotate(data)?;
    DisagreementReport::from_annotation(&annotation, model.task(), data, labels, min_probability)
}

/// The levels of the genes of [`SEX_GENES`] that `data` has, for the sample in row `row`, as
/// log2(CPM + 1) of its values (CPM over the sample's total over all genes of `data`); empty
/// when the row is out of range or the sample's total is not positive.
pub fn sex_gene_levels(data: &Dataset, row: usize) -> Vec<GeneLevel> {
    if row >= data.n_samples() {
        return Vec::new();
    }
    let values = data.counts().row(row);
    let total: f64 = values
        .iter()
        .filter(|v| v.is_finite())
        .map(|&v| f64::from(v))
        .sum();
    if total.is_nan() || total <= 0.0 {
        return Vec::new();
    }
    SEX_GENES
        .iter()
        .filter_map(|g| {
            let column = data.genes().position(g.id)?;
            let cpm = f64::from(values[column]) / total * 1e6;
            Some(GeneLevel {
                id: g.id,
                symbol: g.symbol,
                log2_cpm_plus_1: (cpm + 1.0).log2() as f32,
            })
        })
        .collect()
}

/// Whether CPM of these values is meaningful: counts or another per-sample scale.
fn counts_like(kind: ValueKind) -> bool {
    matches!(
        kind,
        ValueKind::IntegerCounts | ValueKind::TpmLike | ValueKind::NonNegativeFractional
    )
}

fn check_threshold(min_probability: f32) -> Result<()> {
    if !(0.0..=1.0).contains(&min_probability) {
        return Err(Error::InvalidParameter {
            name: "min_probability",
            reason: format!(
                "{min_probability} is not in [0, 1]; give a probability, e.g. {DEFAULT_MIN_PROBABILITY}"
            ),
        });
    }
    Ok(())
}

/// Highest predicted probability first, then lowest probability of the given label, then id.
fn sort_by_confidence(list: &mut [Disagreement]) {
    list.sort_by(|a, b| {
        b.predicted_probability
            .total_cmp(&a.predicted_probability)
            .then(a.given_probability.total_cmp(&b.given_probability))
            .then_with(|| a.sample_id.cmp(&b.sample_id))
    });
}

#[cfg(test)]
mod tests {
    use ndarray::{array, Array2};
    use rnameta_core::{DataSource, GeneAnnotation, GeneInfo, SampleMeta};

    use super::*;

    fn data(counts: Array2<f32>, genes: &[&str]) -> Dataset {
        let samples = (0..counts.nrows())
            .map(|i| SampleMeta::new(format!("s{i}"), DataSource::Sra))
            .collect();
        let genes = GeneAnnotation::new(genes.iter().map(|g| GeneInfo::from_id(g)).collect());
        Dataset::new(counts, genes.unwrap(), samples).unwrap()
    }

    /// The report of `proba` over female / male, assigned as [`crate::trained::assigned_class`]
    /// assigns at 0.9.
    fn report(proba: Array2<f32>, task: Task, d: &Dataset, labels: &Labels) -> DisagreementReport {
        let classes = vec!["female".to_owned(), "male".to_owned()];
        let assigned: Vec<Option<usize>> = proba
            .rows()
            .into_iter()
            .map(|row| crate::trained::assigned_class(row, 0.9))
            .collect();
        let predictions = Predictions {
            classes: &classes,
            proba: proba.view(),
            assigned: &assigned,
        };
        DisagreementReport::from_predictions(predictions, Some(task), d, labels, 0.9).unwrap()
    }

    /// Six samples: one agrees, two disagree (listed most confident first), one is unlabelled,
    /// one not confident, one labelled with a name no class has.
    #[test]
    fn every_sample_is_counted_once_and_disagreements_sorted() {
        let d = data(
            array![
                [10.0, 990.0],
                [500.0, 500.0],
                [0.0, 1000.0],
                [10.0, 990.0],
                [1000.0, 0.0],
                [1000.0, 0.0]
            ],
            &["ENSG00000129824", "ENSG00000000003"],
        );
        let proba = array![
            [0.95, 0.05],
            [0.99, 0.01],
            [0.02, 0.98],
            [0.6, 0.4],
            [0.1, 0.9],
            [0.5, 0.5]
        ];
        let labels = Labels::from_names(&[
            Some("Female"),
            Some("male"),
            Some("female"),
            Some("male"),
            Some("other"),
            None,
        ]);
        let r = report(proba, Task::Sex, &d, &labels);
        assert_eq!(r.samples, 6);
        assert_eq!(r.agreed, 1);
        assert_eq!(r.not_confident, 1);
        assert_eq!(r.unlabelled, 1);
        assert_eq!(r.unknown_label_samples(), 1);
        let ids: Vec<&str> = r
            .disagreements
            .iter()
            .map(|d| d.sample_id.as_str())
            .collect();
        assert_eq!(ids, ["s1", "s2"]);
        let first = &r.disagreements[0];
        assert_eq!(
            (first.given.as_str(), first.predicted.as_str()),
            ("male", "female")
        );
        assert_eq!(first.given_probability, 0.01);
        // RPS4Y1 at 500 of 1000 counts: log2(500,000 + 1).
        assert_eq!(first.sex_genes.len(), 1);
        assert_eq!(first.sex_genes[0].symbol, "RPS4Y1");
        assert!((first.sex_genes[0].log2_cpm_plus_1 - 500_001f32.log2()).abs() < 1e-3);
        assert_eq!(r.disagreements[1].sex_genes[0].log2_cpm_plus_1, 0.0);

        let mut merged = DisagreementReport::new(r.classes.clone(), 0.9);
        merged.merge(r.clone()).unwrap();
        merged.merge(r.clone()).unwrap();
        assert_eq!(merged.samples, 12);
        assert_eq!(merged.disagreements.len(), 4);
        assert_eq!(merged.disagreements[1].sample_id, "s1");
        assert!(DisagreementReport::new(r.classes.clone(), 0.5)
            .merge(r)
            .is_err());
    }

    /// XIST comes first, then the Y genes in [`SEX_GENES`] order, whatever the data's column
    /// order; genes the data lacks are left out.
    #[test]
    fn sex_gene_levels_follow_the_list_order() {
        let d = data(
            array![[3.0, 1.0, 0.0, 4.0]],
            &[
                "ENSG00000067048.5",
                "ENSG00000229807",
                "ENSG00000129824",
                "ENSG00000000003",
            ],
        );
        let levels = sex_gene_levels(&d, 0);
        let symbols: Vec<&str> = levels.iter().map(|g| g.symbol).collect();
        assert_eq!(symbols, ["XIST", "RPS4Y1", "DDX3Y"]);
        // XIST: 1 of 8 counts = 125,000 CPM.
        assert!((levels[0].log2_cpm_plus_1 - 125_001f32.log2()).abs() < 1e-3);
        assert_eq!(levels[1].log2_cpm_plus_1, 0.0);
        assert!(sex_gene_levels(&d, 1).is_empty());
    }

    /// Not a sex model, or values that are not counts: no sex-gene levels, and the latter says why.
    #[test]
    fn sex_evidence_only_for_sex_models_on_counts() {
        let labels = Labels::from_names(&[Some("male")]);
        let counts = data(
            array![[0.0, 1000.0]],
            &["ENSG00000129824", "ENSG00000000003"],
        );
        let r = report(array![[0.99, 0.01]], Task::Tissue, &counts, &labels);
        assert!(r.disagreements[0].sex_genes.is_empty());
        assert!(r.sex_evidence_skipped.is_none());
        let logged = data(array![[0.5, 3.25]], &["ENSG00000129824", "ENSG00000000003"]);
        let r = report(array![[0.99, 0.01]], Task::Sex, &logged, &labels);
        assert!(r.disagreements[0].sex_genes.is_empty());
        assert!(r.sex_evidence_skipped.unwrap().contains("log-like"));
    }
}
