//! The embedded font: DejaVu Sans (Bitstream Vera licence, see `assets/README.md`), registered with
//! plotters' `ab_glyph` text backend under the family every figure uses. No system font is read.

use std::sync::OnceLock;

use plotters::style::{register_font, FontDesc, FontFamily, FontStyle};

use crate::{Error, Result};

/// The font family name every figure asks for; it resolves to the embedded DejaVu Sans.
pub(crate) const FAMILY: &str = "sans-serif";

const DEJAVU_SANS: &[u8] = include_bytes!("../../assets/DejaVuSans.ttf");

/// Registers the embedded font once per process; later calls only report the first outcome.
pub(crate) fn ensure_registered() -> Result<()> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok =
        *REGISTERED.get_or_init(|| register_font(FAMILY, FontStyle::Normal, DEJAVU_SANS).is_ok());
    if ok {
        Ok(())
    } else {
        Err(Error::Plot {
            path: "crates/eval/assets/DejaVuSans.ttf".into(),
            message: "the embedded font could not be parsed".into(),
        })
    }
}

/// Width in pixels of `text` in the embedded font at `size` pixels, to lay out labels before
/// drawing them; should measuring fail (the font not registered), 0.6 em per character.
pub(crate) fn text_width(text: &str, size: u32) -> u32 {
    FontDesc::new(FontFamily::Name(FAMILY), f64::from(size), FontStyle::Normal)
        .box_size(text)
        .map(|(w, _)| w)
        .unwrap_or(text.chars().count() as u32 * size * 3 / 5)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_font_registers() {
        ensure_registered().unwrap();
        ensure_registered().unwrap();
    }
}
