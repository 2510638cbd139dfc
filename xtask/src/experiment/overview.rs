//! Figures of the data itself rather than of a model: the samples of GTEx, TCGA and SRA on their
//! first two principal components, coloured by data source (the technical bias the paper sets out
//! to overcome, written by `source`), and each sample's chrX against chrY expression, coloured by
//! its sex label (what the sex models read, written by `sex-sra` and `sex-tcga`).
//!
//! Both draw at most [`SAMPLES_PER_SOURCE`] evenly spaced samples of each data source, so the
//! figures stay readable and cheap on the paper preset and are the same on every run.

use anyhow::{Context, Result};
use rnameta_core::{DataSource, Dataset, GeneInfo, Task};
use rnameta_eval::plot::{pca, Axes, BoxStats, ScatterGroup};
use rnameta_preprocess::pipeline::{Pipeline, Step};
use serde_json::json;

use super::cohort::Cohort;
use super::report::Figure;

/// Samples drawn from each data source for a figure.
pub const SAMPLES_PER_SOURCE: usize = 1500;

/// The figure's name of a data source.
fn source_name(source: DataSource) -> &'static str {
    match source {
        DataSource::Gtex => "GTEx",
        DataSource::Tcga => "TCGA",
        DataSource::Sra => "SRA",
        DataSource::Archs4 => "ARCHS4",
        DataSource::Other => "other",
    }
}

/// At most `limit` rows of `data`, evenly spaced over all of them (every row when it has fewer).
fn evenly_spaced(data: &Dataset, limit: usize) -> Result<Dataset> {
    let n = data.n_samples();
    let k = n.min(limit);
    let rows: Vec<usize> = (0..k).map(|i| i * n / k).collect();
    Ok(data.select_samples(&rows)?)
}

/// The samples drawn from each of `parts`, stacked.
fn drawn(parts: &[&Dataset]) -> Result<Dataset> {
    let drawn: Vec<Dataset> = parts
        .iter()
        .map(|d| evenly_spaced(d, SAMPLES_PER_SOURCE))
        .collect::<Result<_>>()?;
    Ok(Dataset::concat(&drawn.iter().collect::<Vec<_>>())?)
}

/// The figure `pca` (written as `pca.png` / `pca.svg`): GTEx, TCGA and SRA samples on the first
/// two principal components of log2(TPM + 1) over every gene, coloured by data source; and what
/// `run.json` records about it (samples drawn, variance explained).
pub fn source_pca(cohort: &Cohort, data_label: &str) -> Result<(Figure, serde_json::Value)> {
    let data = drawn(&[&cohort.gtex, &cohort.tcga, &cohort.sra])?;
    let (_, values) = Pipeline::tpm_log2()
        .fit_transform(&data)
        .context("normalising the samples drawn for the PCA")?;
    let components = pca(values.view()).context("PCA of the samples drawn")?;
    let labels: Vec<&str> = data
        .samples()
        .iter()
        .map(|s| source_name(s.data_source))
        .collect();
    let groups = ScatterGroup::from_labels(components.scores.view(), &labels)?;
    let [pc1, pc2] = components.explained_variance_ratio.map(|r| 100.0 * r);
    let record = json!({
        "pca": {
            "samples": groups.iter().map(|g| (g.label.clone(), g.points.len())).collect::<Vec<_>>(),
            "genes": data.n_genes(),
            "explained_variance_percent": [pc1, pc2],
            "converged": components.converged,
        }
    });
    let figure = Figure::Scatter {
        stem: "pca".into(),
        groups,
        axes: Axes::new(
            format!("Samples by data source, log2(TPM + 1) [{data_label}]"),
            format!("PC1 ({pc1:.1}% of variance)"),
            format!("PC2 ({pc2:.1}% of variance)"),
        ),
    };
    Ok((figure, record))
}

/// Whether `gene` lies on chromosome `name` (`X` or `Y`, with or without a `chr` prefix).
fn on_chromosome(gene: &GeneInfo, name: &str) -> bool {
    gene.chromosome
        .as_deref()
        .is_some_and(|c| GeneInfo::normalise_chromosome(c) == name)
}

/// The figure `chrxy` (written as `chrxy.png` / `chrxy.svg`): each drawn sample of `parts` at
/// log2(1 + its total TPM on chrX genes), log2(1 + its total TPM on chrY genes), coloured by sex
/// label (unlabelled samples as such); and what `run.json` records about it.
///
/// Errors: no gene of the data is annotated on chrX or on chrY.
pub fn sex_chromosomes(
    parts: &[&Dataset],
    data_label: &str,
) -> Result<(Figure, serde_json::Value)> {
    let data = drawn(parts)?;
    let genes = data.genes().genes();
    let columns = |chromosome: &str| -> Result<Vec<usize>> {
        let found: Vec<usize> = (0..genes.len())
            .filter(|&j| on_chromosome(&genes[j], chromosome))
            .collect();
        anyhow::ensure!(
            !found.is_empty(),
            "no gene of the data is annotated on chromosome {chromosome}: the chrX / chrY figure \
             needs gene chromosomes (a GTF or the gene table's chromosome column)"
        );
        Ok(found)
    };
    let (x_genes, y_genes) = (columns("X")?, columns("Y")?);
    let (_, tpm) = Pipeline::new(vec![Step::Tpm])
        .fit_transform(&data)
        .context("TPM of the samples drawn for the chrX / chrY figure")?;
    let total = |row: ndarray::ArrayView1<'_, f32>, cols: &[usize]| {
        (1.0 + cols.iter().map(|&j| f64::from(row[j])).sum::<f64>()).log2()
    };
    let mut points = ndarray::Array2::<f32>::zeros((data.n_samples(), 2));
    for (mut point, row) in points.rows_mut().into_iter().zip(tpm.rows()) {
        point[0] = total(row, &x_genes) as f32;
        point[1] = total(row, &y_genes) as f32;
    }
    let labels: Vec<String> = data
        .samples()
        .iter()
        .map(|s| {
            Task::Sex
                .label_of(s)
                .unwrap_or_else(|| "unlabelled".to_owned())
        })
        .collect();
    let mut groups = ScatterGroup::from_labels(points.view(), &labels)?;
    // Fixed order (unlabelled first, drawn under the labelled samples), whatever the data's order.
    groups.sort_by_key(|g| (g.label != "unlabelled", g.label.clone()));
    let sources: Vec<&str> = parts
        .iter()
        .filter_map(|d| d.samples().first().map(|s| source_name(s.data_source)))
        .collect();
    let mut medians = serde_json::Map::new();
    for g in &groups {
        let (x, y): (Vec<f64>, Vec<f64>) = g.points.iter().copied().unzip();
        let median = |v: &[f64]| BoxStats::new(v).map(|b| b.median);
        medians.insert(
            g.label.clone(),
            json!({"chrx": median(&x)?, "chry": median(&y)?}),
        );
    }
    let record = json!({
        "chrxy": {
            "samples": groups.iter().map(|g| (g.label.clone(), g.points.len())).collect::<Vec<_>>(),
            "chrx_genes": x_genes.len(),
            "chry_genes": y_genes.len(),
            "median_log2_tpm_sums": medians,
        }
    });
    let figure = Figure::Scatter {
        stem: "chrxy".into(),
        groups,
        axes: Axes::new(
            format!(
                "chrX vs chrY expression by sex label, {} [{data_label}]",
                sources.join(" + ")
            ),
            format!("log2(1 + TPM summed over {} chrX genes)", x_genes.len()),
            format!("log2(1 + TPM summed over {} chrY genes)", y_genes.len()),
        ),
    };
    Ok((figure, record))
}

#[cfg(test)]
mod tests {
    use super::super::cohort::{self, DataSpec};
    use super::*;

    fn tiny_cohort() -> Cohort {
        cohort::load(&DataSpec::parse("sim:tiny").unwrap()).unwrap()
    }

    #[test]
    fn draws_evenly_spaced_samples_and_all_of_a_small_set() {
        let cohort = tiny_cohort();
        let gtex = &cohort.gtex;
        let few = evenly_spaced(gtex, 4).unwrap();
        let n = gtex.n_samples();
        let expected: Vec<&str> = [0, n / 4, n / 2, 3 * n / 4]
            .iter()
            .map(|&r| gtex.samples()[r].sample_id.as_str())
            .collect();
        let got: Vec<&str> = few.samples().iter().map(|s| s.sample_id.as_str()).collect();
        assert_eq!(got, expected);
        assert_eq!(evenly_spaced(gtex, n + 10).unwrap().n_samples(), n);
    }

    #[test]
    fn males_express_chry_and_the_figure_says_so() {
        let cohort = tiny_cohort();
        let dir = tempfile::tempdir().unwrap();
        let (figure, record) = sex_chromosomes(&[&cohort.gtex], "sim:tiny").unwrap();
        figure.write(dir.path()).unwrap();
        let medians = &record["chrxy"]["median_log2_tpm_sums"];
        let chry = |sex: &str| medians[sex]["chry"].as_f64().unwrap();
        // Simulated males express their chrY genes; females do not (labels are mostly right).
        assert!(chry("male") > chry("female") + 4.0, "{medians}");
        assert!(dir.path().join("chrxy.png").exists());
        assert!(dir.path().join("chrxy.svg").exists());
    }

    #[test]
    fn data_without_sex_chromosomes_is_refused_by_name() {
        let cohort = tiny_cohort();
        let (counts, genes, samples) = cohort.gtex.clone().into_parts();
        let without_y = genes
            .into_genes()
            .into_iter()
            .map(|mut gene| {
                if gene.chromosome.as_deref().is_some_and(|c| c.ends_with('Y')) {
                    gene.chromosome = Some("1".into());
                }
                gene
            })
            .collect();
        let genes = rnameta_core::GeneAnnotation::new(without_y).unwrap();
        let gtex = Dataset::new(counts, genes, samples).unwrap();
        let err = sex_chromosomes(&[&gtex], "sim:tiny").unwrap_err();
        assert!(err.to_string().contains("chromosome Y"), "{err}");
    }

    #[test]
    fn the_pca_draws_every_source_and_records_its_variance() {
        let cohort = tiny_cohort();
        let dir = tempfile::tempdir().unwrap();
        let (figure, record) = source_pca(&cohort, "sim:tiny").unwrap();
        figure.write(dir.path()).unwrap();
        let pca = &record["pca"];
        assert_eq!(
            pca["genes"].as_u64().unwrap() as usize,
            cohort.gtex.n_genes()
        );
        let drawn: Vec<(String, u64)> = serde_json::from_value(pca["samples"].clone()).unwrap();
        let names: Vec<&str> = drawn.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["GTEx", "TCGA", "SRA"]);
        assert!(drawn
            .iter()
            .all(|&(_, n)| n > 0 && n <= SAMPLES_PER_SOURCE as u64));
        let explained: Vec<f64> =
            serde_json::from_value(pca["explained_variance_percent"].clone()).unwrap();
        assert!(
            explained[0] >= explained[1] && explained[1] > 0.0,
            "{explained:?}"
        );
        assert!(dir.path().join("pca.png").exists());
    }
}
