//! Drawing one figure twice, into an RGB buffer encoded as PNG and into an SVG string, and writing
//! both atomically. A figure is a [`Figure`]: its size and a drawing function generic over the
//! plotters backend, so the two files always show the same picture.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{font, PlotFiles};
use crate::output::{with_suffix, write_bytes};
use crate::{Error, Result};

/// What a drawing function returns: the plotting library's error as text.
pub(crate) type DrawResult = std::result::Result<(), String>;

/// Converts a plotters error into the text of [`Error::Plot`].
pub(crate) fn err<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

/// The largest width or height accepted, in pixels: far beyond any figure, small enough that the
/// RGB buffer stays reasonable.
const MAX_SIDE: u32 = 16_384;

/// A figure that can be drawn on any plotters backend.
pub(crate) trait Figure {
    /// Width and height in pixels.
    fn size(&self) -> (u32, u32);
    /// Draws the figure on `root` (already filled white).
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult;
}

/// Draws `figure` into `<stem>.png` and `<stem>.svg`.
pub(crate) fn render(figure: &impl Figure, stem: &Path) -> Result<PlotFiles> {
    font::ensure_registered()?;
    let (w, h) = figure.size();
    let files = PlotFiles {
        png: with_suffix(stem, "png"),
        svg: with_suffix(stem, "svg"),
    };
    if w == 0 || h == 0 || w > MAX_SIDE || h > MAX_SIDE {
        return Err(Error::parameter(
            "figure size",
            format!("{w} x {h} pixels; each side must be in 1..={MAX_SIDE}"),
        ));
    }
    let plot_err = |path: &Path| {
        let path = path.to_path_buf();
        move |message: String| Error::Plot { path, message }
    };

    let mut rgb = vec![255u8; w as usize * h as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (w, h)).into_drawing_area();
        draw_on(figure, &root).map_err(plot_err(&files.png))?;
    }
    let png = encode_png(&rgb, w, h).map_err(plot_err(&files.png))?;
    write_bytes(&files.png, &png)?;

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        draw_on(figure, &root).map_err(plot_err(&files.svg))?;
    }
    write_bytes(&files.svg, svg.as_bytes())?;
    Ok(files)
}

fn draw_on<DB: DrawingBackend>(figure: &impl Figure, root: &DrawingArea<DB, Shift>) -> DrawResult {
    root.fill(&WHITE).map_err(err)?;
    figure.draw(root)?;
    root.present().map_err(err)
}

/// Encodes an 8-bit RGB buffer as PNG (deterministic: same pixels, same bytes).
fn encode_png(rgb: &[u8], w: u32, h: u32) -> std::result::Result<Vec<u8>, String> {
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, w, h);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(err)?;
        writer.write_image_data(rgb).map_err(err)?;
        writer.finish().map_err(err)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Square(u32, u32);

    impl Figure for Square {
        fn size(&self) -> (u32, u32) {
            (self.0, self.1)
        }
        fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult {
            root.draw(&Rectangle::new([(2, 2), (8, 8)], BLACK.filled()))
                .map_err(err)?;
            root.draw_text(
                "Ag",
                &(font::FAMILY, 12).into_font().color(&BLACK),
                (10, 10),
            )
            .map_err(err)
        }
    }

    #[test]
    fn writes_png_and_svg_and_refuses_bad_sizes() {
        let dir = tempfile::tempdir().unwrap();
        let files = render(&Square(40, 30), &dir.path().join("sq")).unwrap();
        let png = std::fs::read(&files.png).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        // IHDR: width and height, big-endian, at bytes 16..24.
        assert_eq!(&png[16..24], &[0, 0, 0, 40, 0, 0, 0, 30]);
        let svg = std::fs::read_to_string(&files.svg).unwrap();
        assert!(svg.contains("<svg") && svg.contains("Ag"));
        // Same figure, same bytes.
        let again = render(&Square(40, 30), &dir.path().join("sq2")).unwrap();
        assert_eq!(std::fs::read(again.png).unwrap(), png);
        assert!(matches!(
            render(&Square(0, 30), &dir.path().join("bad")),
            Err(Error::InvalidParameter { .. })
        ));
        assert!(!dir.path().join("bad.png").exists());
    }

    #[test]
    fn png_encoding_round_trips() {
        // 2 x 1 pixels: red, blue.
        let rgb = [255, 0, 0, 0, 0, 255];
        let png = encode_png(&rgb, 2, 1).unwrap();
        let decoder = png::Decoder::new(std::io::Cursor::new(png));
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        reader.next_frame(&mut buf).unwrap();
        assert_eq!(&buf[..6], &rgb);
    }
}
