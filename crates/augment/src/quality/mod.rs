//! How real generated samples look, against held-out real samples of their class:
//!
//! - [`mmd`]: unbiased MMD^2 with a Gaussian kernel, to the held-out class and to every other
//!   class (a good generator is closest to its own), and the real training samples' MMD^2 to the
//!   held-out ones as the level a perfect generator would reach;
//! - [`moments`]: correlation across genes of per-gene means and variances;
//! - [`c2st`]: a classifier two-sample test (cross-validated AUC; 0.5 is indistinguishable);
//! - [`nearest`]: each generated sample's distance to its nearest training sample, against the
//!   same distance of held-out real samples (a ratio far below 1 means memorisation).
//!
//! [`quality()`] computes all of them into one serialisable [`QualityReport`].

pub mod c2st;
pub mod mmd;
pub mod moments;
pub mod nearest;

use ndarray::{ArrayView2, CowArray, Ix2};
use rnameta_models::Error as ModelError;
use serde::{Deserialize, Serialize};

use crate::data::check_finite;
use crate::{Error, Result};

pub use c2st::{c2st_auc, rank_auc};
use mmd::{cross_mean, kernel_gamma, mmd2_from_parts, SelfDistances};
pub use mmd::{median_distance, mmd2_unbiased, pooled_bandwidth};
pub use moments::{moment_correlations, MomentCorrelations};
pub use nearest::{median, nearest_distances};
pub use rnameta_core::stats::pearson;

/// Folds of the classifier two-sample test in [`quality()`].
pub const C2ST_FOLDS: usize = 5;

/// Checks two samples compared by a measure: same genes, at least `min_rows` rows each, finite.
pub(crate) fn check_pair(
    a: ArrayView2<'_, f32>,
    b: ArrayView2<'_, f32>,
    a_name: &'static str,
    b_name: &'static str,
    min_rows: usize,
) -> Result<()> {
    check_rows(a, a_name, min_rows)?;
    check_rows(b, b_name, min_rows)?;
    check_side(a, a_name, min_rows, b.ncols())?;
    check_finite(b, b_name)
}

/// The checks [`check_pair`] makes of `a` against other samples of `n_genes` genes (already
/// checked themselves), with its errors: at least `min_rows` rows, the same genes, at least one
/// gene, finite values.
fn check_side(
    a: ArrayView2<'_, f32>,
    a_name: &'static str,
    min_rows: usize,
    n_genes: usize,
) -> Result<()> {
    check_rows(a, a_name, min_rows)?;
    if a.ncols() != n_genes {
        return Err(Error::GeneCountMismatch {
            expected: a.ncols(),
            got: n_genes,
        });
    }
    if a.ncols() == 0 {
        return Err(Error::Empty { what: a_name });
    }
    check_finite(a, a_name)
}

fn check_rows(a: ArrayView2<'_, f32>, name: &'static str, min_rows: usize) -> Result<()> {
    if a.nrows() < min_rows {
        return Err(ModelError::ShapeMismatch {
            what: name,
            expected: min_rows,
            got: a.nrows(),
        }
        .into());
    }
    Ok(())
}

/// Every quality measure of one set of generated samples of a class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QualityReport {
    /// Generated samples measured.
    pub n_generated: usize,
    /// Held-out real samples of the class.
    pub n_heldout: usize,
    /// Real training samples of the class.
    pub n_train: usize,
    /// Gaussian kernel bandwidth of every MMD below: the median pairwise distance of the
    /// generated and held-out samples pooled.
    pub bandwidth: f64,
    /// MMD^2 of the generated samples to the held-out real samples of their class.
    pub mmd2: f64,
    /// MMD^2 of the real training samples to the held-out ones: what a generator that samples
    /// the class's true distribution would score (`None` with a single training sample).
    pub mmd2_train_vs_heldout: Option<f64>,
    /// MMD^2 of the generated samples to the real samples of each other class, in the order given.
    pub mmd2_other_classes: Vec<f64>,
    /// Whether `mmd2` is below every entry of `mmd2_other_classes`.
    pub closest_to_own_class: bool,
    /// Correlation across genes of per-gene means, generated vs held-out.
    pub mean_correlation: f64,
    /// Correlation across genes of per-gene variances, generated vs held-out.
    pub variance_correlation: f64,
    /// The same two correlations for the real training samples vs held-out (the reference level;
    /// `None` with a single training sample).
    pub train_vs_heldout: Option<MomentCorrelations>,
    /// Cross-validated AUC of a classifier telling generated from held-out real samples (0.5:
    /// indistinguishable, 1: every generated sample recognisable).
    pub c2st_auc: f64,
    /// The same test between the real training and held-out samples: how distinguishable two
    /// real samples of the class already are (donors, studies); `None` with a single training
    /// sample.
    pub c2st_auc_train_vs_heldout: Option<f64>,
    /// Median distance of a generated sample to its nearest training sample.
    pub nn_distance_generated: f64,
    /// Median distance of a held-out real sample to its nearest training sample.
    pub nn_distance_heldout: f64,
    /// `nn_distance_generated / nn_distance_heldout`: about 1 for new samples, far below 1 when
    /// the generator copies its training samples.
    pub nn_ratio: f64,
}

/// Measures `generated` samples of a class against `real_heldout` samples of the class (not
/// used in training), the class's `train` samples (for the memorisation check and reference
/// levels) and real samples of each other class (`other_classes`, for MMD). `seed` shuffles the
/// two-sample test's folds. All matrices need the same genes; generated and held-out at least two
/// rows, train at least one, every other class at least two. To measure several generated sets
/// against the same real samples, make one [`QualityReference`] and [`QualityReference::measure`]
/// each: the same numbers, the real samples' own measures made once.
pub fn quality<'a>(
    generated: ArrayView2<'_, f32>,
    real_heldout: ArrayView2<'a, f32>,
    train: ArrayView2<'a, f32>,
    other_classes: &[ArrayView2<'a, f32>],
    seed: u64,
) -> Result<QualityReport> {
    check_generated(generated, real_heldout, train, other_classes)?;
    QualityReference::new(real_heldout, train, other_classes.to_vec(), seed)?.measure(generated)
}

/// Checks `generated` against the real samples it is measured with (the errors name the
/// generated samples first: their gene count is the expected one).
fn check_generated(
    generated: ArrayView2<'_, f32>,
    real_heldout: ArrayView2<'_, f32>,
    train: ArrayView2<'_, f32>,
    other_classes: &[ArrayView2<'_, f32>],
) -> Result<()> {
    check_pair(
        generated,
        real_heldout,
        "the generated samples",
        "the held-out samples",
        2,
    )?;
    check_pair(
        generated,
        train,
        "the generated samples",
        "the training samples",
        1,
    )?;
    for o in other_classes {
        check_pair(
            generated,
            *o,
            "the generated samples",
            "another class's samples",
            2,
        )?;
    }
    Ok(())
}

/// The real samples generated sets of a class are measured against ([`quality`]'s
/// `real_heldout`, `train`, `other_classes` and `seed`), with every measure that does not depend
/// on the generated samples made once: the reference levels (training vs held-out moments and
/// two-sample test), the held-out samples' distance to the training ones, and each real sample's
/// squared distances between its rows, from which its MMD^2 term follows at any bandwidth.
///
/// `augment` measures three generated sets (noise, interpolation, GAN) of each seed against the
/// same real samples. At the paper preset's shape (`cargo run --release -p rnameta-augment
/// --example quality_speed`: 531 generated, 1,829 held-out, 10 training samples, 30 other
/// classes of 200, 5,425 genes, random values) [`quality`] took 7.8 s before the reference was
/// split out; the reference takes 2.7 s and each set measured against it 4.4 s, the same report.
/// In `augment` on the paper preset a seed's second and third sets took 4.5 s instead of 9-10 s.
pub struct QualityReference<'a> {
    heldout: CowArray<'a, f32, Ix2>,
    train: CowArray<'a, f32, Ix2>,
    others: Vec<CowArray<'a, f32, Ix2>>,
    seed: u64,
    heldout_distances: SelfDistances,
    /// With at least two training samples.
    train_distances: Option<SelfDistances>,
    other_distances: Vec<SelfDistances>,
    train_vs_heldout: Option<MomentCorrelations>,
    c2st_auc_train_vs_heldout: Option<f64>,
    nn_distance_heldout: f64,
}

impl<'a> QualityReference<'a> {
    /// The reference of held-out real samples of the class (at least two rows), its training
    /// samples (at least one) and each other class's real samples (at least two rows each), all
    /// on the same genes, borrowed or owned; `seed` shuffles the two-sample tests' folds.
    pub fn new(
        heldout: impl Into<CowArray<'a, f32, Ix2>>,
        train: impl Into<CowArray<'a, f32, Ix2>>,
        others: Vec<impl Into<CowArray<'a, f32, Ix2>>>,
        seed: u64,
    ) -> Result<Self> {
        let heldout = heldout.into();
        let train = train.into();
        let others: Vec<CowArray<'a, f32, Ix2>> = others.into_iter().map(Into::into).collect();
        check_pair(
            heldout.view(),
            train.view(),
            "the held-out samples",
            "the training samples",
            1,
        )?;
        check_rows(heldout.view(), "the held-out samples", 2)?;
        for o in &others {
            check_pair(
                heldout.view(),
                o.view(),
                "the held-out samples",
                "another class's samples",
                2,
            )?;
        }
        let enough_train = train.nrows() >= 2;
        let (train_distances, train_vs_heldout, c2st_auc_train_vs_heldout) = if enough_train {
            (
                Some(SelfDistances::of(train.view())),
                Some(moment_correlations(train.view(), heldout.view())?),
                Some(c2st_auc(heldout.view(), train.view(), C2ST_FOLDS, seed)?),
            )
        } else {
            (None, None, None)
        };
        Ok(Self {
            heldout_distances: SelfDistances::of(heldout.view()),
            other_distances: others.iter().map(|o| SelfDistances::of(o.view())).collect(),
            nn_distance_heldout: median(&nearest_distances(heldout.view(), train.view())?),
            train_distances,
            train_vs_heldout,
            c2st_auc_train_vs_heldout,
            heldout,
            train,
            others,
            seed,
        })
    }

    /// Measures `generated` samples of the class (at least two rows, the reference's genes), as
    /// [`quality`] does.
    pub fn measure(&self, generated: ArrayView2<'_, f32>) -> Result<QualityReport> {
        let (heldout, train) = (self.heldout.view(), self.train.view());
        let others: Vec<ArrayView2<'_, f32>> = self.others.iter().map(|o| o.view()).collect();
        // The reference's own samples were checked when it was made; only the generated ones are
        // checked here, with the errors `check_generated` gives.
        check_side(generated, "the generated samples", 2, heldout.ncols())?;
        let bandwidth = pooled_bandwidth(generated, heldout)?;
        let gamma = kernel_gamma(bandwidth)?;
        let within_generated = SelfDistances::of(generated).within(gamma);
        let within_heldout = self.heldout_distances.within(gamma);
        let mmd2 = mmd2_from_parts(
            within_generated,
            within_heldout,
            cross_mean(generated, heldout, gamma),
        );
        let mmd2_other_classes: Vec<f64> = others
            .iter()
            .zip(&self.other_distances)
            .map(|(o, distances)| {
                mmd2_from_parts(
                    within_generated,
                    distances.within(gamma),
                    cross_mean(generated, *o, gamma),
                )
            })
            .collect();
        let mmd2_train_vs_heldout = self.train_distances.as_ref().map(|distances| {
            mmd2_from_parts(
                distances.within(gamma),
                within_heldout,
                cross_mean(train, heldout, gamma),
            )
        });
        let moments = moment_correlations(generated, heldout)?;
        let c2st_auc = c2st_auc(heldout, generated, C2ST_FOLDS, self.seed)?;
        let nn_generated = median(&nearest_distances(generated, train)?);
        let nn_heldout = self.nn_distance_heldout;
        Ok(QualityReport {
            n_generated: generated.nrows(),
            n_heldout: heldout.nrows(),
            n_train: train.nrows(),
            bandwidth,
            mmd2,
            mmd2_train_vs_heldout,
            closest_to_own_class: mmd2_other_classes.iter().all(|&o| mmd2 < o),
            mmd2_other_classes,
            mean_correlation: moments.mean,
            variance_correlation: moments.variance,
            train_vs_heldout: self.train_vs_heldout,
            c2st_auc,
            c2st_auc_train_vs_heldout: self.c2st_auc_train_vs_heldout,
            nn_distance_generated: nn_generated,
            nn_distance_heldout: nn_heldout,
            nn_ratio: nn_generated / nn_heldout,
        })
    }
}
