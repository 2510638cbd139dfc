//! The recipe of the models rnameta ships (`builtin:sex`, see `rnameta_models::builtin`): trained
//! from the real fixtures by `cargo xtask builtin-models`, and retrained by a test that checks the
//! shipped bundle is what this recipe gives.

use std::collections::HashMap;
use std::io::BufRead;
use std::path::Path;

use anyhow::{Context, Result};
use ndarray::{Array1, Array2, Axis};
use rnameta_core::{select_columns, Dataset, GeneAnnotation, InputUnits, Labels, Task};
use rnameta_io::tsv::{apply_labels, read_label_table, read_matrix, MatrixOptions};
use rnameta_models::builtin::{sex_model_genes, y_genes};
use rnameta_models::{GeneChoice, LogisticParams, ModelSpec, TrainedModel};
use rnameta_preprocess::Pipeline;

/// Where the sex bundle lives in the repository (compiled into rnameta-models).
pub const SEX_BUNDLE_DIR: &str = "crates/models/assets/builtin/sex";

/// The real GEUVADIS counts (85 samples, sexes from the DEGreport table) with the genes that have
/// an Ensembl 100 coding length, which stands in for the union exon length the unit-free input
/// divides counts by (the Ensembl table has no union exon length; the same lengths are stored in
/// the bundle, so training and annotation divide alike).
pub fn geuvadis_with_lengths(root: &Path) -> Result<Dataset> {
    let real = root.join("fixtures/real");
    let counts = real.join("geuvadis_humanGender_counts.tsv.gz");
    let mut data = read_matrix(&counts, MatrixOptions::genes_in_rows())
        .with_context(|| format!("reading {}", counts.display()))?;
    let table = read_label_table(&real.join("geuvadis_humanGender_samples.tsv.gz"))?;
    apply_labels(data.samples_mut(), &table);
    let ensembl = real.join("ensembl100_grch38_genes.tsv.gz");
    data.genes_mut()
        .fill_from(&rnameta_io::annotation::read_gene_table(&ensembl)?);
    let lengths = coding_lengths(&ensembl)?;
    let keep: Vec<usize> = (0..data.n_genes())
        .filter(|&j| lengths.contains_key(&data.genes().genes()[j].id))
        .collect();
    let genes = keep
        .iter()
        .map(|&j| {
            let mut gene = data.genes().genes()[j].clone();
            gene.union_exon_length = Some(lengths[&gene.id]);
            gene
        })
        .collect();
    Ok(Dataset::new(
        select_columns(data.counts().view(), &keep),
        GeneAnnotation::new(genes)?,
        data.samples().to_vec(),
    )?)
}

/// The coding length (bases) of each gene of the Ensembl table that has one.
fn coding_lengths(table: &Path) -> Result<HashMap<String, u32>> {
    let mut reader = rnameta_io::source::open(table)?;
    let mut header = String::new();
    reader.read_line(&mut header)?;
    let column = header
        .trim_end()
        .split('\t')
        .position(|c| c == "gene_coding_length")
        .with_context(|| format!("{} has no gene_coding_length column", table.display()))?;
    let mut lengths = HashMap::new();
    for line in reader.lines() {
        let line = line?;
        let fields: Vec<&str> = line.split('\t').collect();
        if let Some(length) = fields.get(column).and_then(|f| f.parse::<u32>().ok()) {
            if length > 0 {
                lengths.insert(fields[0].to_owned(), length);
            }
        }
    }
    Ok(lengths)
}

/// Trains the sex model of the recipe on `data`: logistic regression (deterministic) on the
/// unit-free input of the panel's genes, the Y genes its signal genes (without any of them, no
/// answer).
pub fn train_sex_model(data: &Dataset) -> Result<TrainedModel> {
    let labels = Labels::for_task(Task::Sex, data.samples());
    let mut model = TrainedModel::fit(
        &ModelSpec::Logistic(LogisticParams::default()),
        Task::Sex,
        &Pipeline::unit_free(),
        &GeneChoice::Ids(sex_model_genes()),
        data,
        &labels,
    )?;
    model.set_signal_genes(y_genes())?;
    Ok(model)
}

/// Trains the shipped sex model on every GEUVADIS sample and writes its bundle into `out`.
pub fn write_sex_bundle(root: &Path, out: &Path) -> Result<()> {
    let model = train_sex_model(&geuvadis_with_lengths(root)?)?;
    model
        .save(out)
        .with_context(|| format!("writing the sex bundle to {}", out.display()))
}

/// `data` with its values replaced by `x`.
fn with_values(data: &Dataset, x: Array2<f32>) -> Result<Dataset> {
    Ok(Dataset::new(
        x,
        data.genes().clone(),
        data.samples().to_vec(),
    )?)
}

/// Each unit a file of the counts `counts` may come in, made as the tools that write them do
/// (TPM and FPKM with the genes' union exon lengths, which every gene must have; RSEM's
/// upper-quartile normalised counts as TCGA ships them; log2(x + 1) of CPM and TPM), named, with
/// the units a user would state for it. What the unit-free tests and the built-in model's tests
/// feed the models.
pub fn unit_conversions(counts: &Dataset) -> Result<Vec<(&'static str, Dataset, InputUnits)>> {
    let c = counts.counts().mapv(f64::from);
    let lengths = counts
        .genes()
        .genes()
        .iter()
        .map(|g| {
            g.union_exon_length
                .map(f64::from)
                .with_context(|| format!("gene {} has no union exon length", g.id))
        })
        .collect::<Result<Array1<f64>>>()?;
    let library = c.sum_axis(Axis(1)).insert_axis(Axis(1));
    let per_base = &c / &lengths;
    let per_base_total = per_base.sum_axis(Axis(1)).insert_axis(Axis(1));
    let tpm = &per_base / &per_base_total * 1e6;
    let fpkm = &per_base / &library * 1e9;
    let cpm = &c / &library * 1e6;
    let upper_quartiles = c
        .rows()
        .into_iter()
        .map(|row| {
            let mut expressed: Vec<f64> = row.iter().copied().filter(|v| *v > 0.0).collect();
            expressed.sort_by(f64::total_cmp);
            expressed
                .get(expressed.len() * 3 / 4)
                .copied()
                .context("a sample without any expressed gene")
        })
        .collect::<Result<Vec<f64>>>()?;
    let rsem = Array2::from_shape_fn(c.dim(), |(i, j)| c[[i, j]] / upper_quartiles[i] * 1000.0);
    let log2 = |x: &Array2<f64>| x.mapv(|v| (v + 1.0).log2() as f32);
    let f32s = |x: &Array2<f64>| x.mapv(|v| v as f32);
    Ok(vec![
        ("counts", counts.clone(), InputUnits::Counts),
        ("TPM", with_values(counts, f32s(&tpm))?, InputUnits::Tpm),
        ("FPKM", with_values(counts, f32s(&fpkm))?, InputUnits::Fpkm),
        (
            "RSEM normalised",
            with_values(counts, f32s(&rsem))?,
            InputUnits::Counts,
        ),
        (
            "log2(CPM + 1)",
            with_values(counts, log2(&cpm))?,
            InputUnits::Log2Counts,
        ),
        (
            "log2(TPM + 1)",
            with_values(counts, log2(&tpm))?,
            InputUnits::Log2Tpm,
        ),
    ])
}
