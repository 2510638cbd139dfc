//! Every plot function writes a valid, non-trivial PNG and SVG pair, atomically (nothing else is
//! left in the directory), and the same input gives the same bytes.

use std::path::Path;

use ndarray::Array2;
use rnameta_eval::plot::{
    box_plots, line_plot, pca_2d, scatter_plot, Axes, BoxGroup, BoxPanel, BoxSeries, LinePoint,
    LineSeries, PlotFiles, ScatterGroup,
};

const PNG_MAGIC: &[u8] = b"\x89PNG\r\n\x1a\n";

/// Checks both files: PNG magic and the IHDR size, SVG root element, sizes well above an empty
/// canvas (a blank 1000 x 700 white PNG compresses to about 3 KB).
fn check_files(files: &PlotFiles) -> (u32, u32) {
    let png = std::fs::read(&files.png).unwrap();
    assert_eq!(&png[..8], PNG_MAGIC, "{}", files.png.display());
    assert_eq!(&png[12..16], b"IHDR");
    let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(png[20..24].try_into().unwrap());
    assert!(png.len() > 10_000, "PNG only {} bytes", png.len());
    let svg = std::fs::read_to_string(&files.svg).unwrap();
    assert!(svg.contains("<svg"), "no <svg> in {}", files.svg.display());
    assert!(svg.trim_end().ends_with("</svg>"));
    assert!(svg.len() > 5_000, "SVG only {} bytes", svg.len());
    (width, height)
}

fn only_files(dir: &Path, expected: usize) {
    assert_eq!(
        std::fs::read_dir(dir).unwrap().count(),
        expected,
        "temporary files left behind"
    );
}

/// Scores over 10 seeds shaped like the paper's Figure 3 (three models, two test sets).
fn figure3_panels() -> Vec<BoxPanel> {
    let seeds = |centre: f64, spread: f64| -> Vec<f64> {
        (0..10)
            .map(|i| centre + spread * (((i * 7) % 10) as f64 - 4.5) / 4.5)
            .collect()
    };
    let group = |label: &str, lin: f64, mlp: f64, da: f64| BoxGroup {
        label: label.into(),
        series: vec![
            BoxSeries {
                label: "LIN".into(),
                values: seeds(lin, 0.004),
            },
            BoxSeries {
                label: "MLP".into(),
                values: seeds(mlp, 0.02),
            },
            BoxSeries {
                label: "DA".into(),
                values: seeds(da, 0.012),
            },
        ],
    };
    vec![
        BoxPanel {
            title: "msa".into(),
            y_label: "mean sample accuracy".into(),
            groups: vec![
                group("TCGA", 0.71, 0.80, 0.86),
                group("SRA", 0.52, 0.58, 0.69),
            ],
        },
        BoxPanel {
            title: "mca".into(),
            y_label: "mean class accuracy".into(),
            groups: vec![
                group("TCGA", 0.62, 0.70, 0.79),
                group("SRA", 0.41, 0.47, 0.60),
            ],
        },
    ]
}

#[test]
fn box_plots_write_png_and_svg() {
    let dir = tempfile::tempdir().unwrap();
    let files = box_plots(&figure3_panels(), "Tissue", &dir.path().join("figure3")).unwrap();
    assert_eq!(files.png, dir.path().join("figure3.png"));
    let (w, h) = check_files(&files);
    assert!(w > h, "two panels side by side: {w} x {h}");
    let svg = std::fs::read_to_string(&files.svg).unwrap();
    for text in ["msa", "mca", "TCGA", "SRA", "LIN", "MLP", "DA", "Tissue"] {
        assert!(svg.contains(text), "SVG lacks {text:?}");
    }
    only_files(dir.path(), 2);
    let again = box_plots(&figure3_panels(), "Tissue", &dir.path().join("again")).unwrap();
    assert_eq!(
        std::fs::read(&again.png).unwrap(),
        std::fs::read(&files.png).unwrap()
    );
    assert_eq!(
        std::fs::read(&again.svg).unwrap(),
        std::fs::read(&files.svg).unwrap()
    );
}

#[test]
fn line_plot_writes_png_and_svg() {
    let dir = tempfile::tempdir().unwrap();
    let series: Vec<LineSeries> = [("LIN", 0.6), ("MLP", 0.65), ("DA", 0.72)]
        .iter()
        .map(|&(label, base)| LineSeries {
            label: label.into(),
            points: [1.0, 2.0, 4.0, 8.0, 16.0]
                .iter()
                .map(|&x: &f64| LinePoint {
                    x,
                    mean: base + 0.05 * x.log2(),
                    std: 0.02,
                })
                .collect(),
        })
        .collect();
    let axes = Axes::new("Tissue, SRA", "training studies per class", "msa");
    let files = line_plot(&series, &axes, &dir.path().join("figure4")).unwrap();
    check_files(&files);
    let svg = std::fs::read_to_string(&files.svg).unwrap();
    assert!(svg.contains("training studies per class") && svg.contains("DA"));
    only_files(dir.path(), 2);
}

#[test]
fn pca_scatter_by_source_writes_png_and_svg() {
    // 90 samples x 200 genes from three "sources" with different offsets on different genes.
    let (n, g) = (90, 200);
    let x = Array2::from_shape_fn((n, g), |(i, j)| {
        let source = i % 3;
        let offset = if j % 3 == source { 4.0 } else { 0.0 };
        (offset + ((i * 31 + j * 17) % 13) as f64 * 0.1) as f32
    });
    let labels: Vec<&str> = (0..n).map(|i| ["GTEx", "TCGA", "SRA"][i % 3]).collect();
    let scores = pca_2d(x.view()).unwrap();
    assert_eq!(scores.dim(), (n, 2));
    let groups = ScatterGroup::from_labels(scores.view(), &labels).unwrap();
    assert_eq!(groups.len(), 3);
    let axes = Axes::new("PCA by data source", "PC1", "PC2");
    let dir = tempfile::tempdir().unwrap();
    let files = scatter_plot(&groups, &axes, &dir.path().join("pca")).unwrap();
    check_files(&files);
    let svg = std::fs::read_to_string(&files.svg).unwrap();
    assert!(svg.contains("GTEx (n = 30)"));
    // One circle per sample in the SVG.
    assert!(svg.matches("<circle").count() >= n);
}

#[test]
fn sex_scatter_writes_png_and_svg() {
    let dir = tempfile::tempdir().unwrap();
    let female = ScatterGroup {
        label: "female".into(),
        points: (0..40)
            .map(|i| (12.0 + (i % 7) as f64 * 0.2, 0.5 + (i % 5) as f64 * 0.1))
            .collect(),
    };
    let male = ScatterGroup {
        label: "male".into(),
        points: (0..40)
            .map(|i| (10.0 + (i % 7) as f64 * 0.2, 6.0 + (i % 5) as f64 * 0.2))
            .collect(),
    };
    let axes = Axes::new(
        "Sex genes",
        "chrX expression (log sum)",
        "chrY expression (log sum)",
    );
    let files = scatter_plot(&[female, male], &axes, &dir.path().join("sex")).unwrap();
    check_files(&files);
    only_files(dir.path(), 2);
}
