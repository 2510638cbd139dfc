//! Unit-free models on real data: a sex model trained on the real GEUVADIS counts gives the same
//! answers when the held-out samples come as TPM, FPKM, RSEM-style normalised counts, log2 CPM or
//! log2 TPM, for every model kind; a model of log2(TPM + 1) levels does not.

use std::collections::HashMap;
use std::io::BufRead;
use std::path::PathBuf;

use ndarray::{Array1, Array2, Axis};
use rnameta_core::{Dataset, GeneAnnotation, InputUnits, Labels, Task};
use rnameta_io::tsv::{apply_labels, read_label_table, read_matrix, MatrixOptions};
use rnameta_models::{
    argmax_rows, Annotation, ForestParams, GeneChoice, LinParams, LogisticParams, MlpParams,
    ModelSpec, TrainedModel,
};
use rnameta_preprocess::Pipeline;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/real")
        .join(name)
}

/// Coding length (bases) of each Ensembl 100 gene that has one, from the Ensembl table.
fn coding_lengths() -> HashMap<String, u32> {
    let mut reader = rnameta_io::source::open(&fixture("ensembl100_grch38_genes.tsv.gz")).unwrap();
    let mut header = String::new();
    reader.read_line(&mut header).unwrap();
    let column = header
        .trim_end()
        .split('\t')
        .position(|c| c == "gene_coding_length")
        .unwrap();
    reader
        .lines()
        .map(Result::unwrap)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            let length: u32 = fields.get(column)?.parse().ok()?;
            (length > 0).then(|| (fields[0].to_owned(), length))
        })
        .collect()
}

/// The GEUVADIS counts with sexes, annotated from Ensembl 100, keeping the genes with a coding
/// length, which stands in for the union exon length here: the conversions below use the same
/// lengths the model knows, as a user's TPM computed with the model's annotation would.
fn geuvadis() -> Dataset {
    let mut data = read_matrix(
        &fixture("geuvadis_humanGender_counts.tsv.gz"),
        MatrixOptions::genes_in_rows(),
    )
    .unwrap();
    let table = read_label_table(&fixture("geuvadis_humanGender_samples.tsv.gz")).unwrap();
    apply_labels(data.samples_mut(), &table);
    let ensembl =
        rnameta_io::annotation::read_gene_table(&fixture("ensembl100_grch38_genes.tsv.gz"))
            .unwrap();
    data.genes_mut().fill_from(&ensembl);
    let lengths = coding_lengths();
    let keep: Vec<usize> = (0..data.n_genes())
        .filter(|&j| {
            let g = &data.genes().genes()[j];
            g.chromosome.is_some() && lengths.contains_key(&g.id)
        })
        .collect();
    let genes = keep
        .iter()
        .map(|&j| {
            let mut g = data.genes().genes()[j].clone();
            g.union_exon_length = Some(lengths[&g.id]);
            g
        })
        .collect();
    let x = data.counts().select(Axis(1), &keep);
    Dataset::new(
        x,
        GeneAnnotation::new(genes).unwrap(),
        data.samples().to_vec(),
    )
    .unwrap()
}

/// `data` with its values replaced by `x`.
fn with_values(data: &Dataset, x: Array2<f32>) -> Dataset {
    Dataset::new(x, data.genes().clone(), data.samples().to_vec()).unwrap()
}

/// Each unit a held-out file may come in, made from the counts as the tools that write them do.
fn conversions(counts: &Dataset) -> Vec<(&'static str, Dataset, InputUnits)> {
    let c = counts.counts().mapv(f64::from);
    let lengths = Array1::from_iter(
        counts
            .genes()
            .genes()
            .iter()
            .map(|g| f64::from(g.union_exon_length.unwrap())),
    );
    let library = c.sum_axis(Axis(1)).insert_axis(Axis(1));
    let per_base = &c / &lengths;
    let per_base_total = per_base.sum_axis(Axis(1)).insert_axis(Axis(1));
    let tpm = &per_base / &per_base_total * 1e6;
    let fpkm = &per_base / &library * 1e9;
    let cpm = &c / &library * 1e6;
    // RSEM's normalised_results (TCGA): counts scaled to an upper quartile of 1,000.
    let upper_quartiles: Vec<f64> = c
        .rows()
        .into_iter()
        .map(|row| {
            let mut expressed: Vec<f64> = row.iter().copied().filter(|v| *v > 0.0).collect();
            expressed.sort_by(f64::total_cmp);
            expressed[expressed.len() * 3 / 4]
        })
        .collect();
    let rsem = Array2::from_shape_fn(c.dim(), |(i, j)| c[[i, j]] / upper_quartiles[i] * 1000.0);
    let log2 = |x: &Array2<f64>| x.mapv(|v| (v + 1.0).log2() as f32);
    let f32s = |x: &Array2<f64>| x.mapv(|v| v as f32);
    vec![
        ("counts", counts.clone(), InputUnits::Counts),
        ("TPM", with_values(counts, f32s(&tpm)), InputUnits::Tpm),
        ("FPKM", with_values(counts, f32s(&fpkm)), InputUnits::Fpkm),
        (
            "RSEM normalised",
            with_values(counts, f32s(&rsem)),
            InputUnits::Counts,
        ),
        (
            "log2(CPM + 1)",
            with_values(counts, log2(&cpm)),
            InputUnits::Log2Counts,
        ),
        (
            "log2(TPM + 1)",
            with_values(counts, log2(&tpm)),
            InputUnits::Log2Tpm,
        ),
    ]
}

fn annotate(model: &TrainedModel, data: &Dataset, units: Option<InputUnits>) -> Annotation {
    let mut plan = model.input_plan(data.genes()).unwrap();
    if let Some(units) = units {
        plan = plan.with_units(units);
    }
    model.annotate_with(&plan, data).unwrap()
}

fn accuracy(model: &TrainedModel, proba: &Array2<f32>, test: &Dataset) -> f64 {
    let names: Vec<Option<String>> = test
        .samples()
        .iter()
        .map(|s| Task::Sex.label_of(s))
        .collect();
    let (labels, _) = Labels::within_classes(model.classes().to_vec(), &names);
    let predicted = argmax_rows(proba);
    let right = labels
        .assigned()
        .iter()
        .zip(&predicted)
        .filter(|(t, p)| **t == Some(**p))
        .count();
    right as f64 / predicted.len() as f64
}

fn specs() -> Vec<ModelSpec> {
    vec![
        ModelSpec::Lin(LinParams::default()),
        ModelSpec::Logistic(LogisticParams::default()),
        ModelSpec::RandomForest(ForestParams {
            seed: 3,
            ..ForestParams::default()
        }),
        ModelSpec::Mlp(MlpParams {
            seed: 3,
            ..MlpParams::for_task(Task::Sex)
        }),
    ]
}

/// Every third sample held out; the rest train.
fn split(data: &Dataset) -> (Dataset, Dataset) {
    let test: Vec<usize> = (0..data.n_samples()).filter(|i| i % 3 == 0).collect();
    let train: Vec<usize> = (0..data.n_samples()).filter(|i| i % 3 != 0).collect();
    (
        data.select_samples(&train).unwrap(),
        data.select_samples(&test).unwrap(),
    )
}

#[test]
fn a_unit_free_sex_model_answers_the_same_in_every_unit() {
    let data = geuvadis();
    let (train, test) = split(&data);
    let labels = Labels::for_task(Task::Sex, train.samples());
    let xy = GeneChoice::Chromosomes(vec!["X".into(), "Y".into()]);
    for spec in specs() {
        let model = TrainedModel::fit(
            &spec,
            Task::Sex,
            &Pipeline::unit_free(),
            &xy,
            &train,
            &labels,
        )
        .unwrap();
        assert!(model.is_unit_free());
        let reference = annotate(&model, &test, None).proba;
        let acc = accuracy(&model, &reference, &test);
        eprintln!(
            "{}: {} genes, accuracy {acc:.3} on {} held-out samples (counts)",
            spec.name(),
            model.gene_ids().len(),
            test.n_samples()
        );
        // Measured: 29 of 29 for LIN, logistic regression and the forest; the MLP misses one
        // (28 of 29) on counts already. The claim tested is that no unit changes an answer.
        assert!(acc >= 0.96, "{} on counts: {acc}", spec.name());
        for (name, input, units) in conversions(&test) {
            // Stated units: the same input to the model, up to f32 rounding of the conversion.
            let stated = annotate(&model, &input, Some(units));
            let worst = (&stated.proba - &reference)
                .iter()
                .fold(0.0f32, |m, d| m.max(d.abs()));
            assert_eq!(
                argmax_rows(&stated.proba),
                argmax_rows(&reference),
                "{} given {name}",
                spec.name()
            );
            assert!(
                worst < 1e-3,
                "{} given {name}: probabilities differ by {worst}",
                spec.name()
            );
            // Judged from the values: log2 CPM is read as log2 TPM (the values cannot tell), and
            // every answer must still be right.
            let judged = annotate(&model, &input, None);
            let acc = accuracy(&model, &judged.proba, &input);
            let seen = judged.units.as_ref().unwrap();
            eprintln!(
                "  {name}: judged {} ({}), accuracy {acc:.3}; stated {units}: max |dp| {worst:.1e}",
                seen.units, seen.reason
            );
            assert_eq!(
                argmax_rows(&judged.proba),
                argmax_rows(&reference),
                "{} given {name} judged as {}: accuracy {acc}",
                spec.name(),
                seen.units
            );
        }
    }
}

#[test]
fn a_model_of_levels_reads_other_units_on_the_wrong_scale() {
    // The failure the unit-free input removes, measured: the same models on log2(TPM + 1)
    // levels read every other unit as if it were counts.
    let data = geuvadis();
    let (train, test) = split(&data);
    let labels = Labels::for_task(Task::Sex, train.samples());
    let xy = GeneChoice::Chromosomes(vec!["X".into(), "Y".into()]);
    let mut changed = 0;
    for spec in specs() {
        let levels = TrainedModel::fit(
            &spec,
            Task::Sex,
            &Pipeline::tpm_log2(),
            &xy,
            &train,
            &labels,
        )
        .unwrap();
        assert!(!levels.is_unit_free());
        let on_counts = annotate(&levels, &test, None);
        assert!(on_counts.units.is_none());
        let mut line = format!(
            "{} on levels: counts {:.3}",
            spec.name(),
            accuracy(&levels, &on_counts.proba, &test)
        );
        for (name, input, _) in conversions(&test).into_iter().skip(1) {
            let other = annotate(&levels, &input, None);
            let acc = accuracy(&levels, &other.proba, &input);
            line += &format!(", {name} {acc:.3}");
            changed += usize::from(argmax_rows(&other.proba) != argmax_rows(&on_counts.proba));
        }
        eprintln!("{line}");
    }
    assert!(
        changed > 0,
        "no model of levels changed its answers with the units"
    );
}

#[test]
fn centred_values_are_refused_with_the_reason() {
    let data = geuvadis();
    let (train, test) = split(&data);
    let labels = Labels::for_task(Task::Sex, train.samples());
    let xy = GeneChoice::Chromosomes(vec!["X".into(), "Y".into()]);
    let model = TrainedModel::fit(
        &ModelSpec::Lin(LinParams::default()),
        Task::Sex,
        &Pipeline::unit_free(),
        &xy,
        &train,
        &labels,
    )
    .unwrap();
    let log = test.counts().mapv(|v| (v + 1.0).log2());
    let centred = &log - &log.mean_axis(Axis(0)).unwrap();
    let err = model
        .annotate(&with_values(&test, centred))
        .unwrap_err()
        .to_string();
    assert!(err.contains("before centring"), "{err}");
}
