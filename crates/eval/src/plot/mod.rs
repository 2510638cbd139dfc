//! Figures of the evaluation, each written as `<stem>.png` and `<stem>.svg` (atomically):
//!
//! - [`box_plots`]: a score over seeds, one box per model, grouped (e.g. by test set), one panel per
//!   score (the paper's Figure 3: msa and mca);
//! - [`line_plot`]: mean ± std against x for several series (Figure 4, Supplementary Figure 9);
//! - [`scatter_plot`]: 2-D points coloured by group with a legend (PCA by data source, chrX vs chrY
//!   expression sums by sex), with [`pca_2d`] for the first two principal components.
//!
//! Text is drawn with DejaVu Sans embedded in the crate (`assets/`), never a system font, so the
//! figures are the same on every machine and need no fontconfig. Colours are the Okabe-Ito
//! palette (readable with colour blindness), assigned in order of first appearance.

mod boxplot;
mod font;
mod legend;
mod lines;
mod palette;
mod pca;
mod render;
mod scatter;

pub use boxplot::{box_plots, BoxGroup, BoxPanel, BoxSeries, BoxStats};
pub use lines::{line_plot, LinePoint, LineSeries};
pub use pca::{pca, pca_2d, Pca};
pub use scatter::{scatter_plot, ScatterGroup};

use std::path::PathBuf;

use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;

/// The two files every plot function writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlotFiles {
    /// `<stem>.png`, a raster image for documents and quick looks.
    pub png: PathBuf,
    /// `<stem>.svg`, a vector image for papers.
    pub svg: PathBuf,
}

/// Title and axis labels of a single-panel figure.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Axes {
    /// Title above the plot (may be empty).
    pub title: String,
    /// Label of the x axis.
    pub x_label: String,
    /// Label of the y axis.
    pub y_label: String,
}

impl Axes {
    /// Axes with a title and both labels.
    pub fn new(
        title: impl Into<String>,
        x_label: impl Into<String>,
        y_label: impl Into<String>,
    ) -> Self {
        Self {
            title: title.into(),
            x_label: x_label.into(),
            y_label: y_label.into(),
        }
    }
}

/// The x-y chart of line and scatter plots over the data ranges `x` and `y` (padded by
/// [`padded_range`]): the caption and axis labels of `axes`, the embedded font, a faint grid.
fn xy_chart<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    axes: &Axes,
    x: (f64, f64),
    y: (f64, f64),
    y_label_area: u32,
) -> std::result::Result<ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>, String>
{
    let (x0, x1) = padded_range(x.0, x.1);
    let (y0, y1) = padded_range(y.0, y.1);
    let mut chart = ChartBuilder::on(area)
        .caption(
            &axes.title,
            (font::FAMILY, title_size(area, &axes.title, TITLE_SIZE)),
        )
        .margin(16)
        .x_label_area_size(55)
        .y_label_area_size(y_label_area)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(render::err)?;
    chart
        .configure_mesh()
        .x_desc(axes.x_label.as_str())
        .y_desc(axes.y_label.as_str())
        .label_style((font::FAMILY, 16))
        .axis_desc_style((font::FAMILY, 18))
        .light_line_style(BLACK.mix(0.05))
        .draw()
        .map_err(render::err)?;
    Ok(chart)
}

/// The font size of a figure's title, in pixels, when it fits.
const TITLE_SIZE: u32 = 26;

/// The largest font size up to `largest` (down to 10) at which `title` fits across `area`: a long
/// title (the data set's name, the experiment's) is drawn smaller rather than cut off at the edges.
fn title_size<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, title: &str, largest: u32) -> u32 {
    let (width, _) = area.dim_in_pixel();
    let fits = |size: u32| {
        area.estimate_text_size(title, &(font::FAMILY, size).into_text_style(area))
            .map_or(true, |(w, _)| w + 20 <= width)
    };
    (10..=largest).rev().find(|&size| fits(size)).unwrap_or(10)
}

/// A data range padded by 5 % on each side (or by 0.5 when all values are equal), so that points
/// at the extremes are not drawn on the frame.
fn padded_range(min: f64, max: f64) -> (f64, f64) {
    if max > min {
        let pad = 0.05 * (max - min);
        (min - pad, max + pad)
    } else {
        let pad = if min == 0.0 { 0.5 } else { 0.05 * min.abs() };
        (min - pad, max + pad)
    }
}

/// Minimum and maximum of finite values (callers have checked finiteness); `None` when empty.
fn min_max(values: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    values.into_iter().fold(None, |acc, v| match acc {
        None => Some((v, v)),
        Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_padded() {
        assert_eq!(padded_range(0.0, 1.0), (-0.05, 1.05));
        assert_eq!(padded_range(0.0, 0.0), (-0.5, 0.5));
        assert_eq!(padded_range(2.0, 2.0), (1.9, 2.1));
        assert_eq!(min_max([3.0, -1.0, 2.0]), Some((-1.0, 3.0)));
        assert_eq!(min_max([]), None);
    }

    #[test]
    fn a_long_title_is_drawn_smaller_to_fit_its_figure() {
        font::ensure_registered().unwrap();
        let (width, height) = (500, 100);
        let mut rgb = vec![0u8; (width * height * 3) as usize];
        let area = BitMapBackend::with_buffer(&mut rgb, (width, height)).into_drawing_area();
        assert_eq!(title_size(&area, "mca", TITLE_SIZE), TITLE_SIZE);
        let long = "Figure 3A: tissue, tested on SRA studies [sim:paper (simulated data)]";
        let size = title_size(&area, long, TITLE_SIZE);
        assert!(size < TITLE_SIZE, "{size}");
        let (drawn, _) = area
            .estimate_text_size(long, &(font::FAMILY, size).into_text_style(&area))
            .unwrap();
        assert!(drawn <= width, "{drawn} px of {width}");
    }
}
