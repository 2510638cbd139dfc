//! Scores of single-label predictions against the truth.
//!
//! Inputs are class indices (`truth: &[usize]`, predictions as `usize` or `Option<usize>`, see
//! [`Prediction`]) with the number of classes, or a probability matrix (samples x classes, `f32`).
//! A prediction of `None` is *unassigned* (e.g. its top probability is under a cutoff) and counts as
//! wrong everywhere. Every function checks its input and returns a typed error instead of a NaN:
//! empty input, lengths that differ, class indices out of range, probabilities outside `[0, 1]`.
//!
//! - [`accuracy`]: [`msa`], [`mca`], [`per_class_accuracy`];
//! - [`confusion`]: [`ConfusionMatrix`] (rows truth, columns predicted, plus unassigned);
//! - [`cutoffs`]: [`tpr_at_cutoffs`], the paper's Supplementary Figure 10;
//! - [`mod@calibration`]: [`expected_calibration_error`] and its reliability bins;
//! - [`assign`]: class predictions from probabilities ([`argmax`], [`assign_with_cutoff`]).

pub mod accuracy;
pub mod assign;
pub mod calibration;
pub mod confusion;
pub mod cutoffs;
mod input;

pub use accuracy::{mca, msa, per_class_accuracy};
pub use assign::{argmax, assign_with_cutoff};
pub use calibration::{calibration, expected_calibration_error, Calibration, CalibrationBin};
pub use confusion::ConfusionMatrix;
pub use cutoffs::{tpr_at_cutoffs, CutoffReport};
pub use input::{Prediction, PROBABILITY_TOLERANCE};
