//! A legend drawn in its own column at the right of a figure, so that it never hides data: one
//! coloured swatch and label per entry, in as many sub-columns as the height requires.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::font::{text_width, FAMILY};
use super::render::{err, DrawResult};

/// Font size of legend labels, in pixels.
const FONT: u32 = 17;
/// Height of one legend line.
const LINE: i32 = 26;
/// Space for the swatch and the gap before the label.
const SWATCH: i32 = 28;
/// Padding around the legend.
const PAD: i32 = 12;

/// One legend entry: a label and its colour.
pub(crate) struct Entry {
    pub(crate) label: String,
    pub(crate) color: RGBColor,
}

/// Lines that fit in `height` pixels (at least one).
fn rows_fitting(height: u32) -> usize {
    ((height as i32 - 2 * PAD) / LINE).max(1) as usize
}

/// Width in pixels the legend needs for `entries` within `height` pixels (0 without entries). The
/// embedded font must be registered; should measuring fail, 0.6 em per character is assumed.
pub(crate) fn width(entries: &[Entry], height: u32) -> u32 {
    if entries.is_empty() {
        return 0;
    }
    let widest = entries
        .iter()
        .map(|e| text_width(&e.label, FONT))
        .max()
        .unwrap_or(0);
    let columns = entries.len().div_ceil(rows_fitting(height)) as u32;
    columns * (widest + SWATCH as u32 + PAD as u32) + PAD as u32
}

/// Draws `entries` on `area`, top-aligned, filling columns top to bottom.
pub(crate) fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[Entry],
) -> DrawResult {
    if entries.is_empty() {
        return Ok(());
    }
    let (w, h) = area.dim_in_pixel();
    let rows = rows_fitting(h);
    let columns = entries.len().div_ceil(rows);
    let col_width = (w as i32 - PAD) / columns as i32;
    let style = (FAMILY, FONT).into_font().color(&BLACK);
    for (i, e) in entries.iter().enumerate() {
        let x = PAD + (i / rows) as i32 * col_width;
        let y = PAD + (i % rows) as i32 * LINE;
        area.draw(&Rectangle::new(
            [(x, y + 4), (x + 16, y + 20)],
            e.color.filled(),
        ))
        .map_err(err)?;
        area.draw(&Text::new(
            e.label.clone(),
            (x + SWATCH, y + 3),
            style.clone(),
        ))
        .map_err(err)?;
    }
    Ok(())
}
