//! 2-D scatter plots coloured by group with a legend: samples on their first two principal
//! components coloured by data source (GTEx, TCGA, SRA), or chrX against chrY expression sums
//! coloured by sex.

use std::path::Path;

use ndarray::ArrayView2;
use plotters::coord::Shift;
use plotters::prelude::*;
use serde::{Deserialize, Serialize};

use super::legend::{self, Entry};
use super::render::{err, render, DrawResult, Figure};
use super::{min_max, palette, xy_chart, Axes, PlotFiles};
use crate::error::check_finite;
use crate::{Error, Result};

/// The points of one group (legend entry).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScatterGroup {
    /// Legend entry (e.g. "GTEx", "female").
    pub label: String,
    /// `(x, y)` of each point.
    pub points: Vec<(f64, f64)>,
}

impl ScatterGroup {
    /// Groups the rows of `xy` (samples x 2, e.g. the output of [`super::pca_2d`]) by `labels`
    /// (one per row), in order of each label's first appearance.
    ///
    /// Errors: `xy` does not have two columns, or not one label per row.
    pub fn from_labels<S: AsRef<str>>(xy: ArrayView2<'_, f32>, labels: &[S]) -> Result<Vec<Self>> {
        if xy.ncols() != 2 {
            return Err(Error::length(
                "scatter coordinates (columns)",
                2,
                xy.ncols(),
            ));
        }
        if labels.len() != xy.nrows() {
            return Err(Error::length(
                "scatter labels vs points",
                xy.nrows(),
                labels.len(),
            ));
        }
        let mut groups: Vec<Self> = Vec::new();
        for (row, label) in xy.rows().into_iter().zip(labels) {
            let label = label.as_ref();
            let point = (f64::from(row[0]), f64::from(row[1]));
            match groups.iter_mut().find(|g| g.label == label) {
                Some(g) => g.points.push(point),
                None => groups.push(Self {
                    label: label.to_string(),
                    points: vec![point],
                }),
            }
        }
        Ok(groups)
    }
}

/// Draws `groups` as coloured points (in the order given, later groups on top) with a legend into
/// `<stem>.png` and `<stem>.svg`.
///
/// Errors: no point at all, a coordinate that is not finite; writing the files.
pub fn scatter_plot(groups: &[ScatterGroup], axes: &Axes, stem: &Path) -> Result<PlotFiles> {
    if groups.iter().all(|g| g.points.is_empty()) {
        return Err(Error::empty("scatter plot points"));
    }
    for g in groups {
        check_finite(
            &format!("scatter group {:?}", g.label),
            g.points.iter().flat_map(|&(x, y)| [x, y]),
        )?;
    }
    super::font::ensure_registered()?;
    let entries: Vec<Entry> = groups
        .iter()
        .enumerate()
        .map(|(i, g)| Entry {
            label: format!("{} (n = {})", g.label, g.points.len()),
            color: palette::color(i),
        })
        .collect();
    let height = 760;
    let legend_width = legend::width(&entries, height);
    let figure = ScatterFigure {
        groups,
        axes,
        entries,
        size: (900 + legend_width, height),
        legend_width,
    };
    render(&figure, stem)
}

struct ScatterFigure<'a> {
    groups: &'a [ScatterGroup],
    axes: &'a Axes,
    entries: Vec<Entry>,
    size: (u32, u32),
    legend_width: u32,
}

impl Figure for ScatterFigure<'_> {
    fn size(&self) -> (u32, u32) {
        self.size
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let (w, _) = root.dim_in_pixel();
        let (plot, legend_area) = root.split_horizontally(w - self.legend_width);
        legend::draw(&legend_area.margin(50, 0, 0, 0), &self.entries)?;
        let points = || self.groups.iter().flat_map(|g| g.points.iter());
        let (x_lo, x_hi) = min_max(points().map(|p| p.0)).unwrap_or((0.0, 1.0));
        let (y_lo, y_hi) = min_max(points().map(|p| p.1)).unwrap_or((0.0, 1.0));
        let mut chart = xy_chart(&plot, self.axes, (x_lo, x_hi), (y_lo, y_hi), 80)?;
        for (group, entry) in self.groups.iter().zip(&self.entries) {
            let style = entry.color.mix(0.75).filled();
            chart
                .draw_series(group.points.iter().map(|&p| Circle::new(p, 3, style)))
                .map_err(err)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn groups_follow_first_appearance() {
        let xy = array![[0.0f32, 1.0], [2.0, 3.0], [4.0, 5.0], [6.0, 7.0]];
        let groups =
            ScatterGroup::from_labels(xy.view(), &["TCGA", "GTEx", "TCGA", "SRA"]).unwrap();
        let labels: Vec<&str> = groups.iter().map(|g| g.label.as_str()).collect();
        assert_eq!(labels, ["TCGA", "GTEx", "SRA"]);
        assert_eq!(groups[0].points, vec![(0.0, 1.0), (4.0, 5.0)]);
        assert!(matches!(
            ScatterGroup::from_labels(xy.view(), &["a"]),
            Err(Error::LengthMismatch {
                expected: 4,
                found: 1,
                ..
            })
        ));
        let three = array![[0.0f32, 1.0, 2.0]];
        assert!(matches!(
            ScatterGroup::from_labels(three.view(), &["a"]),
            Err(Error::LengthMismatch {
                expected: 2,
                found: 3,
                ..
            })
        ));
    }

    #[test]
    fn bad_points_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let stem = dir.path().join("scatter");
        let axes = Axes::default();
        assert!(matches!(
            scatter_plot(&[], &axes, &stem),
            Err(Error::Empty { .. })
        ));
        let g = ScatterGroup {
            label: "male".into(),
            points: vec![(1.0, f64::INFINITY)],
        };
        assert!(matches!(
            scatter_plot(&[g], &axes, &stem),
            Err(Error::NonFinite { .. })
        ));
    }
}
