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

use ndarray::ArrayView2;
use rnameta_models::Error as ModelError;
use serde::{Deserialize, Serialize};

use crate::data::check_finite;
use crate::{Error, Result};

pub use c2st::{c2st_auc, rank_auc};
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
    if a.ncols() != b.ncols() {
        return Err(Error::GeneCountMismatch {
            expected: a.ncols(),
            got: b.ncols(),
        });
    }
    if a.ncols() == 0 {
        return Err(Error::Empty { what: a_name });
    }
    check_finite(a, a_name)?;
    check_finite(b, b_name)
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
/// rows, train at least one, every other class at least two.
pub fn quality(
    generated: ArrayView2<'_, f32>,
    real_heldout: ArrayView2<'_, f32>,
    train: ArrayView2<'_, f32>,
    other_classes: &[ArrayView2<'_, f32>],
    seed: u64,
) -> Result<QualityReport> {
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
    let bandwidth = pooled_bandwidth(generated, real_heldout)?;
    let mmd2 = mmd2_unbiased(generated, real_heldout, bandwidth)?;
    let mmd2_other_classes = other_classes
        .iter()
        .map(|o| mmd2_unbiased(generated, *o, bandwidth))
        .collect::<Result<Vec<f64>>>()?;
    let enough_train = train.nrows() >= 2;
    let mmd2_train_vs_heldout = if enough_train {
        Some(mmd2_unbiased(train, real_heldout, bandwidth)?)
    } else {
        None
    };
    let moments = moment_correlations(generated, real_heldout)?;
    let train_vs_heldout = if enough_train {
        Some(moment_correlations(train, real_heldout)?)
    } else {
        None
    };
    let c2st_auc = c2st_auc(real_heldout, generated, C2ST_FOLDS, seed)?;
    let c2st_auc_train_vs_heldout = if enough_train {
        Some(c2st::c2st_auc(real_heldout, train, C2ST_FOLDS, seed)?)
    } else {
        None
    };
    let nn_generated = median(&nearest_distances(generated, train)?);
    let nn_heldout = median(&nearest_distances(real_heldout, train)?);
    Ok(QualityReport {
        n_generated: generated.nrows(),
        n_heldout: real_heldout.nrows(),
        n_train: train.nrows(),
        bandwidth,
        mmd2,
        mmd2_train_vs_heldout,
        closest_to_own_class: mmd2_other_classes.iter().all(|&o| mmd2 < o),
        mmd2_other_classes,
        mean_correlation: moments.mean,
        variance_correlation: moments.variance,
        train_vs_heldout,
        c2st_auc,
        c2st_auc_train_vs_heldout,
        nn_distance_generated: nn_generated,
        nn_distance_heldout: nn_heldout,
        nn_ratio: nn_generated / nn_heldout,
    })
}
