//! Box plots of a score over seeds, like the paper's Figure 3: one box per model, models grouped
//! (e.g. by test set), one panel per score (msa, mca). Every seed's value is drawn over its box.
//!
//! Each box is named under the x axis (rotated, as in the paper's figure) as well as in the legend,
//! and its median is drawn in a darker shade of its colour, so that a box with no spread (a
//! deterministic model such as LIN) still shows whose it is.
//!
//! Boxes follow Tukey (and matplotlib): quartiles by linear interpolation (numpy's default), whiskers
//! to the most extreme values within 1.5 IQR of the box, values beyond them are outliers.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use serde::{Deserialize, Serialize};

use super::font::{text_width, FAMILY};
use super::legend::{self, Entry};
use super::render::{err, render, DrawResult, Figure};
use super::{min_max, padded_range, palette, PlotFiles};
use crate::error::check_finite;
use crate::{Error, Result};

/// One box: a model's values of the score over seeds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BoxSeries {
    /// The model (legend entry; the same label has the same colour in every group and panel).
    pub label: String,
    /// One value per seed.
    pub values: Vec<f64>,
}

/// Boxes side by side under one x-axis label (e.g. a test set: TCGA, SRA).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BoxGroup {
    /// The x-axis label of the group.
    pub label: String,
    /// One box per model.
    pub series: Vec<BoxSeries>,
}

/// One panel: a score and its groups.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BoxPanel {
    /// Panel caption (e.g. "msa").
    pub title: String,
    /// y-axis label (e.g. "mean sample accuracy").
    pub y_label: String,
    /// The groups, left to right.
    pub groups: Vec<BoxGroup>,
}

/// The statistics a box shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BoxStats {
    /// First quartile (25th percentile, linear interpolation).
    pub q1: f64,
    /// Median.
    pub median: f64,
    /// Third quartile.
    pub q3: f64,
    /// Lowest value at or above `q1 - 1.5 IQR`.
    pub whisker_low: f64,
    /// Highest value at or below `q3 + 1.5 IQR`.
    pub whisker_high: f64,
    /// Values beyond the whiskers, ascending.
    pub outliers: Vec<f64>,
}

impl BoxStats {
    /// Box statistics of `values`.
    ///
    /// Errors: no value, or a value that is NaN or infinite.
    pub fn new(values: &[f64]) -> Result<Self> {
        if values.is_empty() {
            return Err(Error::empty("box plot values"));
        }
        check_finite("box plot values", values.iter().copied())?;
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        let q1 = percentile(&sorted, 0.25);
        let median = percentile(&sorted, 0.5);
        let q3 = percentile(&sorted, 0.75);
        let iqr = q3 - q1;
        let (lo, hi) = (q1 - 1.5 * iqr, q3 + 1.5 * iqr);
        let inside = || sorted.iter().copied().filter(|&v| v >= lo && v <= hi);
        // The quartiles lie within the data, so at least one value is inside the fences.
        let whisker_low = inside().next().unwrap_or(q1);
        let whisker_high = inside().next_back().unwrap_or(q3);
        let outliers = sorted
            .iter()
            .copied()
            .filter(|&v| v < lo || v > hi)
            .collect();
        Ok(Self {
            q1,
            median,
            q3,
            whisker_low,
            whisker_high,
            outliers,
        })
    }
}

/// The `p` quantile of sorted, non-empty values by linear interpolation between closest ranks
/// (rank `p * (n - 1)`, numpy's default method).
fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = p * (sorted.len() - 1) as f64;
    let lower = rank.floor() as usize;
    let upper = (lower + 1).min(sorted.len() - 1);
    let frac = rank - lower as f64;
    sorted[lower] + (sorted[upper] - sorted[lower]) * frac
}

/// Draws `panels` side by side with a shared legend of models, titled `title`, into `<stem>.png`
/// and `<stem>.svg`.
///
/// Errors: no panel, a panel without groups, a group without boxes, a box without values, a value
/// that is not finite; writing the files.
pub fn box_plots(panels: &[BoxPanel], title: &str, stem: &Path) -> Result<PlotFiles> {
    if panels.is_empty() {
        return Err(Error::empty("box plot panels"));
    }
    let mut labels: Vec<String> = Vec::new();
    let mut widest_panel = 0;
    for panel in panels {
        if panel.groups.is_empty() {
            return Err(Error::empty(format!(
                "box plot panel {:?}: groups",
                panel.title
            )));
        }
        for group in &panel.groups {
            if group.series.is_empty() {
                return Err(Error::empty(format!(
                    "box plot panel {:?}, group {:?}: boxes",
                    panel.title, group.label
                )));
            }
            for s in &group.series {
                if s.values.is_empty() {
                    return Err(Error::empty(format!(
                        "box plot panel {:?}, group {:?}, box {:?}: values",
                        panel.title, group.label, s.label
                    )));
                }
                check_finite(
                    &format!("box plot panel {:?}, box {:?}", panel.title, s.label),
                    s.values.iter().copied(),
                )?;
                if !labels.contains(&s.label) {
                    labels.push(s.label.clone());
                }
            }
        }
        widest_panel = widest_panel.max(slots(panel).1.ceil() as u32);
    }
    super::font::ensure_registered()?;
    let entries: Vec<Entry> = labels
        .iter()
        .enumerate()
        .map(|(i, l)| Entry {
            label: l.clone(),
            color: palette::color(i),
        })
        .collect();
    let label_area = label_area_height(panels);
    let height = 580 + label_area;
    let panel_width = (110 + 48 * widest_panel).clamp(340, 1100);
    let legend_width = legend::width(&entries, height);
    let figure = BoxFigure {
        panels,
        title,
        entries,
        size: (panel_width * panels.len() as u32 + legend_width, height),
        legend_width,
        label_area,
    };
    render(&figure, stem)
}

/// x positions of each group's boxes (one slot per box, one empty slot between groups) and the
/// total number of slots of the panel.
fn slots(panel: &BoxPanel) -> (Vec<Vec<f64>>, f64) {
    let mut x = 0.5;
    let mut positions = Vec::with_capacity(panel.groups.len());
    for group in &panel.groups {
        positions.push(
            (0..group.series.len())
                .map(|j| x + j as f64 + 0.5)
                .collect(),
        );
        x += group.series.len() as f64 + 1.0;
    }
    (positions, x - 0.5)
}

/// Font size of the box names under the x axis.
const BOX_LABEL_FONT: u32 = 15;
/// Font size of the group names under the box names.
const GROUP_LABEL_FONT: u32 = 17;

/// Height of the area under the x axis: the longest box name (drawn rotated), then a line for the
/// group names if any group has one.
fn label_area_height(panels: &[BoxPanel]) -> u32 {
    let groups = panels.iter().flat_map(|p| &p.groups);
    let longest = groups
        .clone()
        .flat_map(|g| &g.series)
        .map(|s| text_width(&s.label, BOX_LABEL_FONT))
        .max()
        .unwrap_or(0);
    let group_line = if groups.clone().any(|g| !g.label.is_empty()) {
        GROUP_LABEL_FONT + 12
    } else {
        0
    };
    longest + 16 + group_line
}

/// A darker shade of `color` (a third darker), for the median line over the box's light fill.
fn darker(color: RGBColor) -> RGBColor {
    let shade = |c: u8| (f64::from(c) * 0.65).round() as u8;
    RGBColor(shade(color.0), shade(color.1), shade(color.2))
}

struct BoxFigure<'a> {
    panels: &'a [BoxPanel],
    title: &'a str,
    entries: Vec<Entry>,
    size: (u32, u32),
    legend_width: u32,
    /// Height of the area under each panel's x axis (box names, group names).
    label_area: u32,
}

impl Figure for BoxFigure<'_> {
    fn size(&self) -> (u32, u32) {
        self.size
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
        let body = if self.title.is_empty() {
            root.clone()
        } else {
            let size = super::title_size(root, self.title, super::TITLE_SIZE);
            root.margin(10, 0, 0, 0)
                .titled(self.title, (FAMILY, size))
                .map_err(err)?
        };
        let (w, _) = body.dim_in_pixel();
        let (plots, legend_area) = body.split_horizontally(w - self.legend_width);
        let legend_area = legend_area.margin(40, 0, 0, 0);
        legend::draw(&legend_area, &self.entries)?;
        for (panel, area) in self
            .panels
            .iter()
            .zip(plots.split_evenly((1, self.panels.len())))
        {
            self.draw_panel(panel, &area)?;
        }
        Ok(())
    }
}

impl BoxFigure<'_> {
    fn color_of(&self, label: &str) -> RGBColor {
        self.entries
            .iter()
            .find(|e| e.label == label)
            .map_or(BLACK, |e| e.color)
    }

    fn draw_panel<DB: DrawingBackend>(
        &self,
        panel: &BoxPanel,
        area: &DrawingArea<DB, Shift>,
    ) -> DrawResult {
        let (positions, total) = slots(panel);
        let all = panel
            .groups
            .iter()
            .flat_map(|g| g.series.iter().flat_map(|s| s.values.iter().copied()));
        let (lo, hi) = min_max(all).unwrap_or((0.0, 1.0));
        let (y0, y1) = padded_range(lo, hi);
        let centres: Vec<f64> = positions
            .iter()
            .map(|p| (p[0] + p[p.len() - 1]) / 2.0)
            .collect();
        let mut chart = ChartBuilder::on(area)
            .caption(&panel.title, (FAMILY, 22))
            .margin(12)
            .x_label_area_size(self.label_area)
            .y_label_area_size(70)
            .build_cartesian_2d(0.0..total, y0..y1)
            .map_err(err)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(0)
            .y_desc(panel.y_label.as_str())
            .y_labels(8)
            .light_line_style(BLACK.mix(0.05))
            .label_style((FAMILY, 16))
            .axis_desc_style((FAMILY, 18))
            .draw()
            .map_err(err)?;
        // Box names (rotated, reading upwards, ending just under the axis) and group names centred
        // under their boxes, in the label area below the plot: plotters' tick labels cannot be
        // placed at arbitrary positions on an f64 axis.
        let base = area.get_base_pixel();
        let box_label_style = (FAMILY, BOX_LABEL_FONT)
            .into_font()
            .transform(FontTransform::Rotate270)
            .color(&BLACK);
        let group_label_style = (FAMILY, GROUP_LABEL_FONT)
            .into_font()
            .color(&BLACK)
            .pos(Pos::new(HPos::Center, VPos::Bottom));
        let label_bottom = area.dim_in_pixel().1 as i32 - 6;
        for ((group, centre), xs) in panel.groups.iter().zip(&centres).zip(&positions) {
            for (series, &x) in group.series.iter().zip(xs) {
                let (px, py) = chart.backend_coord(&(x, y0));
                let width = text_width(&series.label, BOX_LABEL_FONT) as i32;
                area.draw(&Text::new(
                    series.label.clone(),
                    (
                        px - base.0 - BOX_LABEL_FONT as i32 / 2,
                        py - base.1 + 8 + width,
                    ),
                    box_label_style.clone(),
                ))
                .map_err(err)?;
            }
            if !group.label.is_empty() {
                let (px, _) = chart.backend_coord(&(*centre, y0));
                area.draw(&Text::new(
                    group.label.clone(),
                    (px - base.0, label_bottom),
                    group_label_style.clone(),
                ))
                .map_err(err)?;
            }
        }

        const HALF: f64 = 0.35;
        const CAP: f64 = 0.15;
        for (group, xs) in panel.groups.iter().zip(&positions) {
            for (series, &x) in group.series.iter().zip(xs) {
                let color = self.color_of(&series.label);
                // Validated by `box_plots`: non-empty and finite.
                let stats = BoxStats::new(&series.values).map_err(err)?;
                let stroke = color.stroke_width(2);
                let line =
                    |points: Vec<(f64, f64)>, style: ShapeStyle| PathElement::new(points, style);
                chart
                    .draw_series([
                        Rectangle::new(
                            [(x - HALF, stats.q3), (x + HALF, stats.q1)],
                            color.mix(0.3).filled(),
                        ),
                        Rectangle::new([(x - HALF, stats.q3), (x + HALF, stats.q1)], stroke),
                    ])
                    .map_err(err)?;
                chart
                    .draw_series([
                        line(vec![(x, stats.q3), (x, stats.whisker_high)], stroke),
                        line(vec![(x, stats.q1), (x, stats.whisker_low)], stroke),
                        line(
                            vec![(x - CAP, stats.whisker_high), (x + CAP, stats.whisker_high)],
                            stroke,
                        ),
                        line(
                            vec![(x - CAP, stats.whisker_low), (x + CAP, stats.whisker_low)],
                            stroke,
                        ),
                        line(
                            vec![(x - HALF, stats.median), (x + HALF, stats.median)],
                            darker(color).stroke_width(3),
                        ),
                    ])
                    .map_err(err)?;
                // Each seed's value, spread a little sideways (deterministically) so ties stay visible.
                chart
                    .draw_series(series.values.iter().enumerate().map(|(i, &v)| {
                        let dx = ((i % 5) as f64 - 2.0) * 0.07;
                        Circle::new((x + dx, v), 3, BLACK.mix(0.65).filled())
                    }))
                    .map_err(err)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_computed_box_statistics() {
        // 1..9 and 100 (n = 10): ranks p * 9.
        // q1: rank 2.25 -> 3 + 0.25 * (4 - 3) = 3.25; median: rank 4.5 -> 5.5;
        // q3: rank 6.75 -> 7 + 0.75 * (8 - 7) = 7.75 (numpy.percentile gives the same).
        // IQR 4.5; fences 3.25 - 6.75 = -3.5 and 7.75 + 6.75 = 14.5:
        // whiskers at 1 and 9, 100 is an outlier.
        let values = [5.0, 1.0, 100.0, 2.0, 3.0, 4.0, 6.0, 7.0, 8.0, 9.0];
        let s = BoxStats::new(&values).unwrap();
        assert_eq!((s.q1, s.median, s.q3), (3.25, 5.5, 7.75));
        assert_eq!((s.whisker_low, s.whisker_high), (1.0, 9.0));
        assert_eq!(s.outliers, vec![100.0]);
        // One value: everything collapses onto it.
        let s = BoxStats::new(&[0.8]).unwrap();
        assert_eq!(
            (s.q1, s.median, s.q3, s.whisker_low, s.whisker_high),
            (0.8, 0.8, 0.8, 0.8, 0.8)
        );
        assert!(matches!(BoxStats::new(&[]), Err(Error::Empty { .. })));
        assert!(matches!(
            BoxStats::new(&[1.0, f64::NAN]),
            Err(Error::NonFinite { .. })
        ));
    }

    #[test]
    fn slots_leave_a_gap_between_groups() {
        let s = |label: &str| BoxSeries {
            label: label.into(),
            values: vec![0.5],
        };
        let panel = BoxPanel {
            title: "msa".into(),
            y_label: "accuracy".into(),
            groups: vec![
                BoxGroup {
                    label: "TCGA".into(),
                    series: vec![s("LIN"), s("MLP"), s("DA")],
                },
                BoxGroup {
                    label: "SRA".into(),
                    series: vec![s("LIN"), s("DA")],
                },
            ],
        };
        let (positions, total) = slots(&panel);
        // Group 1 at 1, 2, 3; one empty slot (4); group 2 at 5, 6; the axis runs 0 .. 7, so the
        // outer boxes are one slot from either end.
        assert_eq!(positions, vec![vec![1.0, 2.0, 3.0], vec![5.0, 6.0]]);
        assert_eq!(total, 7.0);
    }

    #[test]
    fn the_label_area_fits_the_longest_box_name_and_the_group_line() {
        super::super::font::ensure_registered().unwrap();
        let panel = |box_label: &str, group_label: &str| BoxPanel {
            title: "mca".into(),
            y_label: "mca".into(),
            groups: vec![BoxGroup {
                label: group_label.into(),
                series: vec![
                    BoxSeries {
                        label: "LIN".into(),
                        values: vec![0.5],
                    },
                    BoxSeries {
                        label: box_label.into(),
                        values: vec![0.5],
                    },
                ],
            }],
        };
        let short = label_area_height(&[panel("DA", "")]);
        let long_name = "DA G+S-S, tissue, catch-all + feedback";
        let long = label_area_height(&[panel(long_name, "")]);
        // The rotated names run downwards from the axis: the area grows with the longest one.
        assert!(long >= text_width(long_name, BOX_LABEL_FONT) + 16, "{long}");
        assert!(long > short + 100, "{short} {long}");
        // A group name adds one line under them.
        let grouped = label_area_height(&[panel(long_name, "SRA")]);
        assert_eq!(grouped, long + GROUP_LABEL_FONT + 12);
    }

    #[test]
    fn medians_are_a_darker_shade_of_the_box_colour() {
        assert_eq!(
            darker(RGBColor(0, 114, 178)),
            RGBColor(0, 74, 116),
            "blue stays blue"
        );
        assert_eq!(darker(RGBColor(0, 0, 0)), RGBColor(0, 0, 0));
    }

    #[test]
    fn empty_panels_groups_and_boxes_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let stem = dir.path().join("box");
        assert!(matches!(
            box_plots(&[], "t", &stem),
            Err(Error::Empty { .. })
        ));
        let panel = BoxPanel {
            title: "msa".into(),
            y_label: "accuracy".into(),
            groups: vec![BoxGroup {
                label: "TCGA".into(),
                series: vec![BoxSeries {
                    label: "LIN".into(),
                    values: vec![],
                }],
            }],
        };
        let err = box_plots(&[panel], "t", &stem).unwrap_err();
        assert!(err.to_string().contains("\"LIN\""), "{err}");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
