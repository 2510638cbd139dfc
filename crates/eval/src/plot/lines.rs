//! Lines with error bars: the mean of a score against x (training-set size, number of studies,
//! a cutoff) with ± one standard deviation over seeds, for several series. The paper's Figure 4 and
//! Supplementary Figure 9.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use serde::{Deserialize, Serialize};

use super::legend::{self, Entry};
use super::render::{err, render, DrawResult, Figure};
use super::{min_max, palette, xy_chart, Axes, PlotFiles};
use crate::error::check_finite;
use crate::{Error, Result, SeedSummary};

/// One point of a line: x, and the mean and standard deviation of the score there.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LinePoint {
    /// Position on the x axis.
    pub x: f64,
    /// Mean of the score.
    pub mean: f64,
    /// Standard deviation drawn as the error bar (`mean ± std`); 0 draws no bar.
    pub std: f64,
}

impl LinePoint {
    /// The point at `x` of a summary over seeds; a single seed (no standard deviation) has no bar.
    pub fn from_summary(x: f64, summary: &SeedSummary) -> Self {
        Self {
            x,
            mean: summary.mean,
            std: summary.std.unwrap_or(0.0),
        }
    }
}

/// A named line (e.g. a model).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LineSeries {
    /// Legend entry.
    pub label: String,
    /// The points, in any order (drawn sorted by x).
    pub points: Vec<LinePoint>,
}

/// Draws `series` as lines with markers and ± std error bars into `<stem>.png` and `<stem>.svg`.
///
/// Errors: no series, a series without points, a value that is not finite, a negative std;
/// writing the files.
pub fn line_plot(series: &[LineSeries], axes: &Axes, stem: &Path) -> Result<PlotFiles> {
    if series.is_empty() {
        return Err(Error::empty("line plot series"));
    }
    let mut sorted = Vec::with_capacity(series.len());
    for s in series {
        if s.points.is_empty() {
            return Err(Error::empty(format!(
                "line plot series {:?}: points",
                s.label
            )));
        }
        let what = format!("line plot series {:?}", s.label);
        check_finite(&what, s.points.iter().flat_map(|p| [p.x, p.mean, p.std]))?;
        if let Some(p) = s.points.iter().find(|p| p.std < 0.0) {
            return Err(Error::parameter(
                "std",
                format!(
                    "{what}: negative standard deviation {} at x = {}",
                    p.std, p.x
                ),
            ));
        }
        let mut points = s.points.clone();
        points.sort_by(|a, b| a.x.total_cmp(&b.x));
        sorted.push(points);
    }
    super::font::ensure_registered()?;
    let entries: Vec<Entry> = series
        .iter()
        .enumerate()
        .map(|(i, s)| Entry {
            label: s.label.clone(),
            color: palette::color(i),
        })
        .collect();
    let height = 680;
    let legend_width = legend::width(&entries, height);
    let figure = LineFigure {
        series: sorted,
        axes,
        entries,
        size: (960 + legend_width, height),
        legend_width,
    };
    render(&figure, stem)
}

struct LineFigure<'a> {
    series: Vec<Vec<LinePoint>>,
    axes: &'a Axes,
    entries: Vec<Entry>,
    size: (u32, u32),
    legend_width: u32,
}

impl Figure for LineFigure<'_> {
    fn size(&self) -> (u32, u32) {
        self.size
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let (w, _) = root.dim_in_pixel();
        let (plot, legend_area) = root.split_horizontally(w - self.legend_width);
        legend::draw(&legend_area.margin(50, 0, 0, 0), &self.entries)?;
        let points = || self.series.iter().flatten();
        let (x_lo, x_hi) = min_max(points().map(|p| p.x)).unwrap_or((0.0, 1.0));
        let (y_lo, y_hi) =
            min_max(points().flat_map(|p| [p.mean - p.std, p.mean + p.std])).unwrap_or((0.0, 1.0));
        let mut chart = xy_chart(&plot, self.axes, (x_lo, x_hi), (y_lo, y_hi), 75)?;
        for (points, entry) in self.series.iter().zip(&self.entries) {
            let color = entry.color;
            chart
                .draw_series(plotters::series::LineSeries::new(
                    points.iter().map(|p| (p.x, p.mean)),
                    color.stroke_width(2),
                ))
                .map_err(err)?;
            chart
                .draw_series(points.iter().filter(|p| p.std > 0.0).map(|p| {
                    ErrorBar::new_vertical(
                        p.x,
                        p.mean - p.std,
                        p.mean,
                        p.mean + p.std,
                        color.stroke_width(2),
                        12,
                    )
                }))
                .map_err(err)?;
            chart
                .draw_series(
                    points
                        .iter()
                        .map(|p| Circle::new((p.x, p.mean), 5, color.filled())),
                )
                .map_err(err)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_from_summaries() {
        let s = SeedSummary::new(vec![0.8, 0.9]).unwrap();
        let p = LinePoint::from_summary(3.0, &s);
        assert_eq!(p.x, 3.0);
        assert!((p.mean - 0.85).abs() < 1e-15);
        // sample std of 0.8, 0.9: sqrt(2 * 0.05^2 / 1) = 0.0707
        assert!((p.std - 0.005f64.sqrt()).abs() < 1e-12);
        let single = SeedSummary::new(vec![0.7]).unwrap();
        assert_eq!(LinePoint::from_summary(1.0, &single).std, 0.0);
    }

    #[test]
    fn bad_series_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let stem = dir.path().join("lines");
        let axes = Axes::new("t", "x", "y");
        assert!(matches!(
            line_plot(&[], &axes, &stem),
            Err(Error::Empty { .. })
        ));
        let negative = LineSeries {
            label: "LIN".into(),
            points: vec![LinePoint {
                x: 1.0,
                mean: 0.5,
                std: -0.1,
            }],
        };
        assert!(matches!(
            line_plot(&[negative], &axes, &stem),
            Err(Error::InvalidParameter { name: "std", .. })
        ));
        let nan = LineSeries {
            label: "DA".into(),
            points: vec![LinePoint {
                x: f64::NAN,
                mean: 0.5,
                std: 0.1,
            }],
        };
        assert!(matches!(
            line_plot(&[nan], &axes, &stem),
            Err(Error::NonFinite { .. })
        ));
    }
}
