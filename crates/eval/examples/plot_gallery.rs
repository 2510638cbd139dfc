//! Writes one example of every figure and table of `rnameta-eval` into a directory, to look at
//! them: `cargo run -p rnameta-eval --example plot_gallery -- <out-dir>`.
//!
//! The numbers are made up (deterministic), shaped like the paper's: three models over 10 seeds on
//! two test sets, accuracy against training size, samples of three data sources, sexes by chrX and
//! chrY expression.

use std::path::PathBuf;

use ndarray::Array2;
use rnameta_eval::plot::{
    box_plots, line_plot, pca, scatter_plot, Axes, BoxGroup, BoxPanel, BoxSeries, LinePoint,
    LineSeries, ScatterGroup,
};
use rnameta_eval::stats::{one_way_anova, welch_t_test};
use rnameta_eval::{Cell, SeedSummary, Table};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "plot-gallery".into()),
    );
    std::fs::create_dir_all(&out)?;

    // Scores over 10 seeds, a deterministic spread around a centre.
    let seeds = |centre: f64, spread: f64| -> Vec<f64> {
        (0..10)
            .map(|i| centre + spread * (((i * 7) % 10) as f64 - 4.5) / 4.5)
            .collect()
    };
    let models = [
        ("LIN", 0.71, 0.004),
        ("MLP", 0.80, 0.02),
        ("DA", 0.86, 0.012),
    ];
    let group = |label: &str, shift: f64| BoxGroup {
        label: label.into(),
        series: models
            .iter()
            .map(|&(m, c, s)| BoxSeries {
                label: m.into(),
                values: seeds(c - shift, s),
            })
            .collect(),
    };
    let panels = vec![
        BoxPanel {
            title: "msa".into(),
            y_label: "mean sample accuracy".into(),
            groups: vec![group("TCGA", 0.0), group("SRA", 0.18)],
        },
        BoxPanel {
            title: "mca".into(),
            y_label: "mean class accuracy".into(),
            groups: vec![group("TCGA", 0.08), group("SRA", 0.27)],
        },
    ];
    let files = box_plots(
        &panels,
        "Tissue prediction over 10 seeds",
        &out.join("boxes"),
    )?;
    println!("{}", files.png.display());

    // Table with mean ± std and the tests against LIN.
    let mut table = Table::new(
        "Tissue, TCGA: msa over 10 seeds",
        ["model", "msa", "Welch p vs LIN"],
    );
    let lin = &panels[0].groups[0].series[0].values;
    for s in &panels[0].groups[0].series {
        let p = if s.label == "LIN" {
            Cell::Missing
        } else {
            Cell::scientific(welch_t_test(&s.values, lin)?.p_value, 2)
        };
        table.push_row(vec![
            Cell::text(&s.label),
            Cell::mean_std(&SeedSummary::new(s.values.clone())?, 3),
            p,
        ])?;
    }
    let groups: Vec<&[f64]> = panels[0].groups[0]
        .series
        .iter()
        .map(|s| s.values.as_slice())
        .collect();
    let anova = one_way_anova(&groups)?;
    println!(
        "ANOVA F = {:.2}, p = {:.2e}",
        anova.statistic, anova.p_value
    );
    let files = table.write(&out.join("table"))?;
    println!("{}", files.markdown.display());

    let lines: Vec<LineSeries> = models
        .iter()
        .map(|&(m, c, s)| LineSeries {
            label: m.into(),
            points: [1.0f64, 2.0, 4.0, 8.0, 16.0]
                .iter()
                .map(|&x| LinePoint {
                    x,
                    mean: c - 0.25 + 0.06 * x.log2(),
                    std: s * 2.0,
                })
                .collect(),
        })
        .collect();
    let axes = Axes::new(
        "Tissue, SRA: accuracy by training size",
        "training studies per class",
        "mean sample accuracy",
    );
    println!(
        "{}",
        line_plot(&lines, &axes, &out.join("lines"))?.png.display()
    );

    // 300 samples x 2000 genes from three sources, each with its own offset on a third of the genes.
    let (n, g) = (300, 2000);
    let x = Array2::from_shape_fn((n, g), |(i, j)| {
        let source = i % 3;
        let offset = if j % 3 == source { 1.5 } else { 0.0 };
        let wobble = (((i * 2654435761usize) ^ (j * 40503)) % 1000) as f64 / 1000.0;
        (offset * (1.0 + 0.3 * (i as f64 * 0.1).sin()) + wobble) as f32
    });
    let labels: Vec<&str> = (0..n).map(|i| ["GTEx", "TCGA", "SRA"][i % 3]).collect();
    let p = pca(x.view())?;
    let groups = ScatterGroup::from_labels(p.scores.view(), &labels)?;
    let axes = Axes::new(
        "Samples by data source",
        format!("PC1 ({:.0} %)", 100.0 * p.explained_variance_ratio[0]),
        format!("PC2 ({:.0} %)", 100.0 * p.explained_variance_ratio[1]),
    );
    println!(
        "{}",
        scatter_plot(&groups, &axes, &out.join("pca"))?
            .png
            .display()
    );

    let sex = |label: &str, x0: f64, y0: f64| ScatterGroup {
        label: label.into(),
        points: (0..60)
            .map(|i| {
                let t = i as f64;
                (x0 + (t * 0.7).sin() * 0.6, y0 + (t * 1.3).cos() * 0.5)
            })
            .collect(),
    };
    let axes = Axes::new(
        "Sex genes",
        "chrX expression (log2 sum)",
        "chrY expression (log2 sum)",
    );
    let files = scatter_plot(
        &[sex("female", 12.0, 1.0), sex("male", 10.5, 7.0)],
        &axes,
        &out.join("sex"),
    )?;
    println!("{}", files.png.display());
    Ok(())
}
