//! The paper's Figure S1: per sample, the log-CPM sum of chrX sex genes (XIST and X-escape genes)
//! against that of chrY genes, which separates the sexes cleanly in GTEx and overlaps in SRA.
//! Written as a hand-made SVG (no plotting crate is in the workspace yet).

use std::fmt::Write as _;

use rnameta_core::{Dataset, Sex};

use crate::genesets;

/// One point of the figure.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SexPoint {
    /// log2(1 + CPM summed over XIST and the X-escape genes).
    pub chr_x: f64,
    /// log2(1 + CPM summed over the chrY genes).
    pub chr_y: f64,
    /// The sex the sample is labelled with (or its true sex, as the caller chooses).
    pub sex: Option<Sex>,
}

/// The chrX and chrY scores of every sample of `dataset`, with the sexes given by `sexes` (one
/// per row). Genes are found by symbol; missing ones are skipped.
pub fn sex_scores(dataset: &Dataset, sexes: &[Option<Sex>]) -> Vec<SexPoint> {
    let genes = dataset.genes().genes();
    let column = |symbol: &str| {
        genes
            .iter()
            .position(|g| g.symbol.as_deref() == Some(symbol))
    };
    let x: Vec<usize> = std::iter::once(genesets::XIST)
        .chain(genesets::X_ESCAPE)
        .filter_map(column)
        .collect();
    let y: Vec<usize> = genes
        .iter()
        .enumerate()
        .filter(|(_, g)| g.chromosome.as_deref() == Some("Y"))
        .map(|(i, _)| i)
        .collect();
    dataset
        .counts()
        .rows()
        .into_iter()
        .zip(sexes)
        .map(|(row, sex)| {
            let lib: f64 = row.iter().map(|&v| f64::from(v)).sum::<f64>().max(1.0);
            let cpm = |cols: &[usize]| {
                (cols.iter().map(|&c| f64::from(row[c])).sum::<f64>() / lib * 1e6 + 1.0).log2()
            };
            SexPoint {
                chr_x: cpm(&x),
                chr_y: cpm(&y),
                sex: *sex,
            }
        })
        .collect()
}

/// Area under the ROC curve of `score` for telling males (positives) from females; ties count
/// one half. `None` without both sexes.
pub fn auc(points: &[(f64, Sex)]) -> Option<f64> {
    let males: Vec<f64> = points
        .iter()
        .filter(|p| p.1 == Sex::Male)
        .map(|p| p.0)
        .collect();
    let females: Vec<f64> = points
        .iter()
        .filter(|p| p.1 == Sex::Female)
        .map(|p| p.0)
        .collect();
    if males.is_empty() || females.is_empty() {
        return None;
    }
    let mut wins = 0.0;
    for m in &males {
        for f in &females {
            wins += if m > f {
                1.0
            } else if m == f {
                0.5
            } else {
                0.0
            };
        }
    }
    Some(wins / (males.len() * females.len()) as f64)
}

/// A two-panel SVG scatter (GTEx-like left, SRA-like right) of chrX against chrY scores,
/// females red, males blue, unlabelled grey. `title` is drawn on top.
pub fn s1_svg(title: &str, panels: &[(&str, &[SexPoint])]) -> String {
    let (w, h, pad) = (360.0, 340.0, 50.0);
    let width = w * panels.len().max(1) as f64;
    let all = panels.iter().flat_map(|(_, p)| p.iter());
    let max_x = all.clone().map(|p| p.chr_x).fold(1.0, f64::max).ceil();
    let max_y = all.map(|p| p.chr_y).fold(1.0, f64::max).ceil();
    let mut svg = String::new();
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{}" font-family="sans-serif" font-size="12">"#,
        h + 40.0
    );
    let _ = writeln!(svg, r#"<rect width="100%" height="100%" fill="white"/>"#);
    let _ = writeln!(
        svg,
        r#"<text x="{}" y="20" text-anchor="middle" font-size="14">{}</text>"#,
        width / 2.0,
        escape(title)
    );
    for (k, (name, points)) in panels.iter().enumerate() {
        let ox = k as f64 * w;
        let (x0, y0, x1, y1) = (ox + pad, 40.0 + h - pad, ox + w - 15.0, 55.0);
        let sx = |v: f64| x0 + (x1 - x0) * v / max_x;
        let sy = |v: f64| y0 - (y0 - y1) * v / max_y;
        let _ = writeln!(
            svg,
            r#"<text x="{}" y="48" text-anchor="middle">{}</text>"#,
            (x0 + x1) / 2.0,
            escape(name)
        );
        let _ = writeln!(
            svg,
            r#"<line x1="{x0}" y1="{y0}" x2="{x1}" y2="{y0}" stroke="black"/><line x1="{x0}" y1="{y0}" x2="{x0}" y2="{y1}" stroke="black"/>"#
        );
        for t in 0..=(max_x as u32) {
            if t % 2 == 0 {
                let _ = writeln!(
                    svg,
                    r#"<text x="{:.1}" y="{}" text-anchor="middle" font-size="10">{t}</text>"#,
                    sx(f64::from(t)),
                    y0 + 14.0
                );
            }
        }
        for t in 0..=(max_y as u32) {
            if t % 2 == 0 {
                let _ = writeln!(
                    svg,
                    r#"<text x="{}" y="{:.1}" text-anchor="end" font-size="10">{t}</text>"#,
                    x0 - 4.0,
                    sy(f64::from(t)) + 3.0
                );
            }
        }
        let _ = writeln!(
            svg,
            r#"<text x="{}" y="{}" text-anchor="middle">log2(1 + CPM) XIST + X-escape genes</text>"#,
            (x0 + x1) / 2.0,
            y0 + 32.0
        );
        let _ = writeln!(
            svg,
            r#"<text x="{}" y="{}" text-anchor="middle" transform="rotate(-90 {} {})">log2(1 + CPM) chrY genes</text>"#,
            ox + 14.0,
            (y0 + y1) / 2.0,
            ox + 14.0,
            (y0 + y1) / 2.0
        );
        for p in points.iter() {
            let colour = match p.sex {
                Some(Sex::Female) => "#d62728",
                Some(Sex::Male) => "#1f77b4",
                None => "#999999",
            };
            let _ = writeln!(
                svg,
                r#"<circle cx="{:.1}" cy="{:.1}" r="2.5" fill="{colour}" fill-opacity="0.6"/>"#,
                sx(p.chr_x),
                sy(p.chr_y)
            );
        }
    }
    let _ = writeln!(
        svg,
        r##"<text x="10" y="{}" font-size="11"><tspan fill="#d62728">● female</tspan>  <tspan fill="#1f77b4">● male</tspan>  (labels as annotated)</text>"##,
        h + 32.0
    );
    svg.push_str("</svg>\n");
    svg
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_counts_pairs_and_ties() {
        // males 3, 1; females 2, 1: pairs (3>2) 1, (3>1) 1, (1<2) 0, (1=1) 0.5 -> 2.5 / 4.
        let p = [
            (3.0, Sex::Male),
            (1.0, Sex::Male),
            (2.0, Sex::Female),
            (1.0, Sex::Female),
        ];
        assert_eq!(auc(&p), Some(0.625));
        assert_eq!(auc(&p[..2]), None);
    }

    #[test]
    fn svg_has_one_circle_per_point() {
        let pts = [SexPoint {
            chr_x: 1.0,
            chr_y: 2.0,
            sex: Some(Sex::Male),
        }; 3];
        let svg = s1_svg("simulated <test>", &[("a", &pts), ("b", &pts[..1])]);
        assert_eq!(svg.matches("<circle").count(), 4);
        assert!(svg.contains("simulated &lt;test&gt;"));
    }
}
