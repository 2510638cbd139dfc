//! Synthetic expression samples of scarce classes (the ARCHS4 pipeline's brain biosamples), and
//! measures of how real they look.
//!
//! Three [`Augmenter`]s share one interface: fit on a samples x genes matrix of already
//! preprocessed expression (log, normalised, gene-selected: whatever the classifier will see) with
//! one class index per row, then [`Augmenter::generate`] `n` samples of a class from a seed:
//!
//! - [`Gan`] ([`gan`]): a conditional Wasserstein GAN with gradient penalty (WGAN-GP) on dfdx,
//!   optionally conditioned on the study as well; saved and loaded as a JSON manifest plus
//!   safetensors.
//! - [`NoiseAugmenter`] and [`InterpolationAugmenter`] ([`baseline`]): Gaussian noise around class
//!   samples, and SMOTE-like interpolation between same-class neighbours.
//!
//! [`augment_class`] fits a [`Method`] and tops a training set up to a target count of one class;
//! [`quality()`] compares generated samples with held-out real ones (MMD, moment correlations, a
//! classifier two-sample test, nearest-neighbour distances). `docs/augment.md` explains the
//! choices and the measured numbers.
//!
//! Same seed, same samples: every random draw comes from a ChaCha stream seeded by the caller.
//! dfdx stays inside this crate: no public item names a dfdx type.

#![warn(missing_docs)]

pub mod baseline;
mod data;
mod distance;
mod error;
pub mod gan;
pub mod quality;

use ndarray::{concatenate, Array2, ArrayView2, Axis, CowArray};
use rnameta_core::Labels;
use rnameta_models::Error as ModelError;
use serde::{Deserialize, Serialize};

pub use baseline::{InterpolationAugmenter, InterpolationParams, NoiseAugmenter, NoiseParams};
pub use error::{Error, Result};
pub use gan::{EpochLog, Gan, GanParams, GanReport};
pub use quality::{quality, QualityReference, QualityReport};

/// Something that learns the samples of each class and makes new ones.
///
/// Object safe, so that an experiment can hold a `Box<dyn Augmenter>` whatever the method
/// ([`Method::build`]).
pub trait Augmenter: Send + Sync {
    /// Short name of the method (`"gan"`, `"noise"`, `"interpolation"`).
    fn name(&self) -> &'static str;

    /// Fits on `x` (samples x genes, finite) where row `i` belongs to class `classes[i]`, every
    /// class below `n_classes`. Classes without samples are allowed (they cannot be generated).
    fn fit(
        &mut self,
        x: ArrayView2<'_, f32>,
        classes: &[usize],
        n_classes: usize,
    ) -> Result<FitReport>;

    /// `n` new samples of `class` (n x genes, on the scale of the training matrix); the same
    /// seed gives the same samples.
    fn generate(&self, class: usize, n: usize, seed: u64) -> Result<Array2<f32>>;

    /// Genes the augmenter was fitted on; `None` before fitting.
    fn n_genes(&self) -> Option<usize>;
}

/// What fitting an augmenter reported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FitReport {
    /// The method's name ([`Augmenter::name`]).
    pub method: String,
    /// Training samples.
    pub n_samples: usize,
    /// Genes.
    pub n_genes: usize,
    /// Training samples per class.
    pub class_counts: Vec<usize>,
    /// Wall time of fitting, in seconds.
    pub seconds: f64,
    /// The GAN's loss curve (per epoch) when the method is the GAN.
    pub gan: Option<GanReport>,
}

/// An augmentation method with its hyperparameters: what an experiment names and serialises.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Method {
    /// Gaussian noise around class samples ([`NoiseAugmenter`]).
    Noise(NoiseParams),
    /// SMOTE-like interpolation between same-class samples ([`InterpolationAugmenter`]).
    Interpolation(InterpolationParams),
    /// The conditional WGAN-GP ([`Gan`]).
    Gan(GanParams),
}

impl Method {
    /// The method's short name (as [`Augmenter::name`]).
    pub fn name(&self) -> &'static str {
        match self {
            Self::Noise(_) => "noise",
            Self::Interpolation(_) => "interpolation",
            Self::Gan(_) => "gan",
        }
    }

    /// An unfitted augmenter of this method; the GAN trains with `seed` (replacing
    /// [`GanParams::seed`]), the baselines draw nothing while fitting.
    pub fn build(&self, seed: u64) -> Box<dyn Augmenter> {
        match self {
            Self::Noise(p) => Box::new(NoiseAugmenter::new(p.clone())),
            Self::Interpolation(p) => Box::new(InterpolationAugmenter::new(p.clone())),
            Self::Gan(p) => Box::new(Gan::new(GanParams { seed, ..p.clone() })),
        }
    }
}

/// A training set topped up with generated samples of one class.
#[derive(Debug, Clone)]
pub struct Augmented {
    /// The original rows, then the generated ones.
    pub x: Array2<f32>,
    /// The original labels (same classes), then the generated rows labelled with their class.
    pub labels: Labels,
    /// Generated rows (the last `n_generated` rows of `x`).
    pub n_generated: usize,
    /// What fitting the augmenter reported.
    pub report: FitReport,
}

/// The seed generation draws from in [`augment_class`]: a fixed offset of the fitting seed, so
/// that the generator's noise never replays its training noise.
pub fn generation_seed(seed: u64) -> u64 {
    seed ^ 0x9E37_79B9_7F4A_7C15
}

/// Fits `method` on the labelled rows of `x` (unlabelled rows are kept but not learnt from) and
/// appends generated samples of `class` until it has `target_count` samples (none when it
/// already has that many). The fit uses `seed`, generation [`generation_seed`]`(seed)`.
pub fn augment_class(
    method: &Method,
    x: ArrayView2<'_, f32>,
    labels: &Labels,
    class: usize,
    target_count: usize,
    seed: u64,
) -> Result<Augmented> {
    data::check_class(class, labels.classes().len())?;
    let (augmenter, report) = fit_augmenter(method, x, labels, seed)?;
    let (x, labels, n_generated) = top_up(
        augmenter.as_ref(),
        x,
        labels,
        class,
        target_count,
        generation_seed(seed),
    )?;
    Ok(Augmented {
        x,
        labels,
        n_generated,
        report,
    })
}

/// The first half of [`augment_class`]: `method` built with `seed` and fitted on the labelled
/// rows of `x`, ready for [`top_up`] with [`generation_seed`]`(seed)`. Apart so that a caller can
/// fit a slow augmenter (a GAN: minutes) while it does other work, and make the augmented matrix
/// (a copy of `x` and more) only when it needs it.
pub fn fit_augmenter(
    method: &Method,
    x: ArrayView2<'_, f32>,
    labels: &Labels,
    seed: u64,
) -> Result<(Box<dyn Augmenter>, FitReport)> {
    let (rows, classes) = labelled(x, labels)?;
    let mut augmenter = method.build(seed);
    // The labelled rows: `x` itself when every row is labelled (no copy of a training matrix
    // that can be 0.4 GB).
    let train = if rows.len() == x.nrows() {
        CowArray::from(x)
    } else {
        CowArray::from(data::select_rows(x, &rows))
    };
    let report = augmenter.fit(train.view(), &classes, labels.classes().len())?;
    Ok((augmenter, report))
}

/// Appends samples of `class` generated by an already fitted (or loaded) `augmenter` to `x`
/// until the class has `target_count` labelled samples; returns the new matrix, the new labels
/// and the number of generated rows. Refuses data with another gene count than the augmenter's.
pub fn top_up(
    augmenter: &dyn Augmenter,
    x: ArrayView2<'_, f32>,
    labels: &Labels,
    class: usize,
    target_count: usize,
    seed: u64,
) -> Result<(Array2<f32>, Labels, usize)> {
    let genes = augmenter.n_genes().ok_or(ModelError::NotFitted)?;
    if x.ncols() != genes {
        return Err(Error::GeneCountMismatch {
            expected: genes,
            got: x.ncols(),
        });
    }
    if labels.assigned().len() != x.nrows() {
        return Err(ModelError::ShapeMismatch {
            what: "labels vs samples",
            expected: x.nrows(),
            got: labels.assigned().len(),
        }
        .into());
    }
    data::check_class(class, labels.classes().len())?;
    let have = labels.class_counts()[class];
    let need = target_count.saturating_sub(have);
    if need == 0 {
        return Ok((x.to_owned(), labels.clone(), 0));
    }
    let generated = augmenter.generate(class, need, seed)?;
    let x = concatenate(Axis(0), &[x.view(), generated.view()]).map_err(|_| {
        ModelError::ShapeMismatch {
            what: "generated genes vs data genes",
            expected: x.ncols(),
            got: generated.ncols(),
        }
    })?;
    let classes = labels.classes();
    let names: Vec<Option<&str>> = labels
        .assigned()
        .iter()
        .map(|a| a.map(|c| classes[c].as_str()))
        .chain(std::iter::repeat_n(Some(classes[class].as_str()), need))
        .collect();
    let labels = Labels::with_classes(classes.to_vec(), &names)
        .expect("every name is one of the labels' own classes");
    Ok((x, labels, need))
}

/// The labelled rows of `x` and their classes; refuses labels of another length.
fn labelled(x: ArrayView2<'_, f32>, labels: &Labels) -> Result<(Vec<usize>, Vec<usize>)> {
    if labels.assigned().len() != x.nrows() {
        return Err(ModelError::ShapeMismatch {
            what: "labels vs samples",
            expected: x.nrows(),
            got: labels.assigned().len(),
        }
        .into());
    }
    Ok(labels
        .assigned()
        .iter()
        .enumerate()
        .filter_map(|(r, c)| c.map(|c| (r, c)))
        .unzip())
}
