//! What every fitted model keeps besides its parameters: its class names, what fitting reported
//! and a summary of the training data. One struct that each model embeds, so that the class
//! names, the report as JSON and the bundle's manifest come from one implementation.

use serde::Serialize;

use crate::classifier::TrainingSummary;

/// The class names, the fit report and the training summary of a fitted model.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FitInfo<R> {
    /// Class (or label) names, in the model's output column order.
    pub(crate) classes: Vec<String>,
    /// What fitting reported.
    pub(crate) report: R,
    /// The training data the model was fitted on.
    pub(crate) summary: TrainingSummary,
}

impl<R: Serialize> FitInfo<R> {
    /// The report as JSON, the value a bundle's manifest stores.
    pub(crate) fn report_json(&self) -> serde_json::Value {
        crate::classifier::to_json(&self.report)
    }
}

/// The class names of a model that may not be fitted yet (none before fitting).
pub(crate) fn classes_of<R>(info: Option<&FitInfo<R>>) -> &[String] {
    info.map_or(&[], |i| i.classes.as_slice())
}
