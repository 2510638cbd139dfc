//! Unit-free models on real data: a sex model trained on the real GEUVADIS counts gives the same
//! answers when the held-out samples come as TPM, FPKM, RSEM-style normalised counts, log2 CPM or
//! log2 TPM, for every model kind; a model of log2(TPM + 1) levels does not.

use ndarray::{Array2, Axis};
use rnameta_core::{Dataset, InputUnits, Labels, Task};
use rnameta_models::{
    argmax_rows, Annotation, ForestParams, GeneChoice, LinParams, LogisticParams, MlpParams,
    ModelSpec, TrainedModel,
};
use rnameta_preprocess::Pipeline;
use xtask::builtin::{geuvadis_with_lengths, unit_conversions};

fn geuvadis() -> Dataset {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    geuvadis_with_lengths(&root).unwrap()
}

fn conversions(counts: &Dataset) -> Vec<(&'static str, Dataset, InputUnits)> {
    unit_conversions(counts).unwrap()
}

fn with_values(data: &Dataset, x: Array2<f32>) -> Dataset {
    Dataset::new(x, data.genes().clone(), data.samples().to_vec()).unwrap()
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
