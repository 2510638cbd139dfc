//! Series colours: the Okabe-Ito palette, designed to stay distinguishable with the common forms of
//! colour blindness, then evenly spread hues for figures with more groups than it has colours.

use plotters::style::{HSLColor, RGBColor};

/// Okabe-Ito, ordered so that the first colours contrast most on white (yellow last).
const OKABE_ITO: [RGBColor; 8] = [
    RGBColor(0, 114, 178),   // blue
    RGBColor(213, 94, 0),    // vermillion
    RGBColor(0, 158, 115),   // bluish green
    RGBColor(204, 121, 167), // reddish purple
    RGBColor(230, 159, 0),   // orange
    RGBColor(86, 180, 233),  // sky blue
    RGBColor(0, 0, 0),       // black
    RGBColor(240, 228, 66),  // yellow
];

/// The colour of the `i`-th series; the same index always gives the same colour.
pub(crate) fn color(i: usize) -> RGBColor {
    if let Some(&c) = OKABE_ITO.get(i) {
        return c;
    }
    // Golden-angle hue steps never repeat a hue and keep neighbours apart.
    let k = (i - OKABE_ITO.len()) as f64;
    let hue = (0.13 + k * 0.381_966_011_250_105).fract();
    let lightness = if (i - OKABE_ITO.len()).is_multiple_of(2) {
        0.42
    } else {
        0.55
    };
    let (r, g, b) = hsl_to_rgb(HSLColor(hue, 0.7, lightness));
    RGBColor(r, g, b)
}

fn hsl_to_rgb(c: HSLColor) -> (u8, u8, u8) {
    use plotters::style::Color;
    c.rgb()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_are_stable_and_distinct() {
        assert_eq!(color(0), RGBColor(0, 114, 178));
        let many: Vec<RGBColor> = (0..30).map(color).collect();
        for i in 0..many.len() {
            for j in 0..i {
                assert_ne!(many[i], many[j], "colours {i} and {j}");
            }
        }
        assert_eq!(color(20), color(20));
    }
}
