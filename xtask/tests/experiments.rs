//! Every experiment runs in quick mode (tiny simulated preset, 2 seeds), one test each: its arms
//! with the training and test sizes and classes the tiny preset determines, its table with the
//! expected rows and columns, its plots, statistics and run.json.

use std::sync::OnceLock;
use xtask::experiment::cohort::{self, DataSpec};
use xtask::experiment::memo::Reuse;

use xtask::experiment::settings::Settings;
use xtask::experiment::{run_on, Options, Outcome, EXPERIMENTS};

/// Quick mode on the tiny simulated preset with 2 seeds, writing under `results_dir`.
fn quick_tiny(results_dir: std::path::PathBuf, resume: bool) -> Options {
    Options {
        data: DataSpec::parse("sim:tiny").unwrap(),
        seeds: 2,
        quick: true,
        results_dir,
        resume,
        settings: Settings::default(),
    }
}

/// The quick run the per-experiment tests share: the tiny cohort, loaded once, and one results
/// folder in which `tune` ran first; as under `reproduce`, every other experiment is handed the
/// settings it chose, read back from the file it wrote. The folder lives under `target/tmp` for the life of the test process
/// (a static is never dropped); the next run removes it once it is an hour old.
struct QuickRun {
    cohort: cohort::Cohort,
    options: Options,
    _dir: tempfile::TempDir,
    tune: Outcome,
}

fn quick_run() -> &'static QuickRun {
    static RUN: OnceLock<QuickRun> = OnceLock::new();
    RUN.get_or_init(|| {
        // Earlier processes' folders (never removed, see above), once they are an hour old.
        let parent = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
        for entry in std::fs::read_dir(parent).into_iter().flatten().flatten() {
            let stale = entry.metadata().and_then(|m| m.modified()).is_ok_and(|t| {
                t.elapsed()
                    .is_ok_and(|age| age > std::time::Duration::from_secs(3600))
            });
            if stale
                && entry
                    .file_name()
                    .to_string_lossy()
                    .starts_with("experiments-quick-")
            {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
        let dir = tempfile::Builder::new()
            .prefix("experiments-quick-")
            .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
            .unwrap();
        let mut options = quick_tiny(dir.path().to_owned(), false);
        let cohort = cohort::load(&options.data).unwrap();
        let tune = run_on("tune", &cohort, &options).unwrap();
        options.settings = Settings::from_file(tune.chosen_settings.as_ref().unwrap()).unwrap();
        QuickRun {
            cohort,
            options,
            _dir: dir,
            tune,
        }
    })
}

/// An experiment's design as the tiny preset determines it: per arm, in order, (name, labelled
/// training samples, classes learnt, test samples scored). The tiny cohort: GTEx 465 samples,
/// TCGA 200, SRA 503 of which 381 pass QC; the paper's tissue rule keeps 11 tissues, of which
/// the study split leaves 127 training samples and 1 test sample.
type Design = [(&'static str, usize, usize, usize)];

/// Runs `id` in the shared quick run (after `tune`) and checks what every experiment writes.
fn run_quick(id: &str) -> Outcome {
    let quick = quick_run();
    let outcome = run_on(id, &quick.cohort, &quick.options).unwrap();
    check_outputs(&outcome, &[]);
    outcome
}

/// The arms, their sizes and their scores.
fn check_design(outcome: &Outcome, design: &Design) {
    let id = &outcome.id;
    let got: Vec<(String, usize, usize, usize)> = outcome
        .arms
        .iter()
        .map(|a| {
            // `tune`'s arms are named by the settings drawn: keep the part before them.
            let name = if id == "tune" {
                a.name.split(':').next().unwrap().to_owned()
            } else {
                a.name.clone()
            };
            (name, a.n_train, a.n_classes, a.n_test)
        })
        .collect();
    let expected: Vec<(String, usize, usize, usize)> = design
        .iter()
        .map(|&(n, a, b, c)| (n.to_owned(), a, b, c))
        .collect();
    assert_eq!(got, expected, "{id}: (arm, n_train, n_classes, n_test)");
    // One score per seed; bias-diversity scores every seed on each of 2 quick subsamplings.
    let scores = if id == "bias-diversity" { 4 } else { 2 };
    for arm in &outcome.arms {
        assert_eq!(arm.mca.len(), scores, "{id} {}", arm.name);
        assert_eq!(arm.msa.len(), scores, "{id} {}", arm.name);
        assert!(
            arm.mca
                .iter()
                .chain(&arm.msa)
                .all(|v| (0.0..=1.0).contains(v)),
            "{id} {}: msa {:?} mca {:?}",
            arm.name,
            arm.msa,
            arm.mca
        );
        assert!(arm.n_genes > 0, "{id} {}", arm.name);
    }
}

/// The table, plots, statistics and run.json every experiment writes, and `own_files`.
fn check_outputs(outcome: &Outcome, own_files: &[&str]) {
    let id = &outcome.id;
    let rows = outcome.arms.len();
    let table = std::fs::read_to_string(outcome.dir.join("table.md")).unwrap();
    // Header, separator and one line per arm, each with the 8 columns.
    let lines: Vec<&str> = table.lines().filter(|l| l.starts_with('|')).collect();
    assert_eq!(lines.len(), rows + 2, "{id}:\n{table}");
    assert!(
        lines[0].contains("| msa |") && lines[0].contains("| mca |"),
        "{table}"
    );
    assert!(lines.iter().all(|l| l.matches('|').count() == 9), "{table}");
    for arm in &outcome.arms {
        assert!(
            table.contains(&arm.name),
            "{id}: {} not in\n{table}",
            arm.name
        );
    }
    assert!(table.contains("simulated"), "{table}");
    for file in [
        "table.csv",
        "results.csv",
        "stats.md",
        "box.png",
        "box.svg",
        "run.json",
    ]
    .iter()
    .chain(own_files)
    {
        let meta = std::fs::metadata(outcome.dir.join(file))
            .unwrap_or_else(|e| panic!("{id}/{file}: {e}"));
        assert!(meta.len() > 50, "{id}/{file} is {} bytes", meta.len());
    }
    let run: serde_json::Value =
        serde_json::from_slice(&std::fs::read(outcome.dir.join("run.json")).unwrap()).unwrap();
    assert_eq!(run["seeds"], serde_json::json!([0, 1]));
    // Its time and memory, as `reproduce`'s index gives them.
    for (key, value) in [
        ("seconds", serde_json::json!(outcome.cost.seconds)),
        ("cpu_seconds", serde_json::json!(outcome.cost.cpu_seconds)),
        ("peak_bytes", serde_json::json!(outcome.cost.peak_bytes)),
        (
            "resident_at_start_bytes",
            serde_json::json!(outcome.cost.resident_at_start_bytes),
        ),
    ] {
        assert_eq!(run[key], value, "{id}: run.json's {key}");
    }
    assert_eq!(run["arms"].as_array().unwrap().len(), rows);
    // Every experiment after `tune` trains with the settings it chose, and records them whole.
    let settings = run["settings"].as_str().unwrap();
    if id == "tune" {
        assert_eq!(settings, "the paper's defaults");
        assert_eq!(run["settings_used"]["chosen"], serde_json::json!({}));
    } else {
        assert!(settings.contains("tune/chosen.json"), "{id}: {settings}");
        let tuned: serde_json::Value = serde_json::from_slice(
            &std::fs::read(outcome.dir.parent().unwrap().join("tune/chosen.json")).unwrap(),
        )
        .unwrap();
        assert_eq!(run["settings_used"]["chosen"], tuned["chosen"], "{id}");
    }
    // The design it ran is the one `--list` shows for quick runs.
    let listed = xtask::experiment::list();
    let entry = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == id.as_str())
        .unwrap();
    assert_eq!(run["design"], entry["design"]["quick"], "{id}");
    // Every file it wrote is listed, and every file listed exists.
    for file in &outcome.files {
        assert!(file.starts_with(&outcome.dir), "{id}: {}", file.display());
        assert!(file.exists(), "{id}: {}", file.display());
    }
    for file in ["table.md", "results.csv", "run.json", "box.svg"]
        .iter()
        .chain(own_files)
    {
        assert!(
            outcome.files.contains(&outcome.dir.join(file)),
            "{id}: {file} not among {:?}",
            outcome.files
        );
    }
}

/// The training set of a paper arm's name ("MLP G+S-S" -> "G+S").
fn train_set(name: &str) -> &str {
    name.split_whitespace()
        .nth(1)
        .and_then(|arm| arm.split('-').next())
        .unwrap_or("")
}

/// GTEx samples of the tiny preset's paper tissue classes: the 11 tissues labelled in GTEx, TCGA
/// and SRA alike, 15 samples each (the TCGA tissue arms score the 128 TCGA samples of them).
const TINY_TISSUE_GTEX: usize = 165;

/// G+S trains on exactly the samples of G and of S together; G is every GTEx sample of the
/// experiment's classes (`gtex`).
fn check_union_of_training_sets(outcome: &Outcome, gtex: usize) {
    let size = |set: &str| {
        outcome
            .arms
            .iter()
            .find(|a| train_set(&a.name) == set)
            .map(|a| a.n_train)
            .unwrap_or_else(|| panic!("{}: no arm trained on {set}", outcome.id))
    };
    assert_eq!(size("G+S"), size("G") + size("S"), "{}", outcome.id);
    assert_eq!(size("G"), gtex, "{}: G is GTEx", outcome.id);
}

#[test]
fn tune() {
    let tune = &quick_run().tune;
    check_outputs(tune, &["chosen.md", "chosen.csv"]);
    // 4 (task, model) pairs x 2 trials in quick mode, each on a study-grouped validation split.
    check_design(
        tune,
        &[
            ("MLP tissue #0", 633, 31, 36),
            ("MLP tissue #1", 633, 31, 36),
            ("DA tissue #0", 633, 31, 36),
            ("DA tissue #1", 633, 31, 36),
            ("MLP sex #0", 503, 2, 39),
            ("MLP sex #1", 503, 2, 39),
            ("MLP source #0", 114, 2, 83),
            ("MLP source #1", 114, 2, 83),
        ],
    );
    // What `tune` chose is what the later experiments read.
    let chosen: serde_json::Value = serde_json::from_slice(
        &std::fs::read(tune.dir.parent().unwrap().join("tune/chosen.json")).unwrap(),
    )
    .unwrap();
    for (task, model) in [
        ("tissue", "mlp"),
        ("tissue", "da"),
        ("sex", "mlp"),
        ("source", "mlp"),
    ] {
        assert_eq!(chosen["chosen"][task][model]["model"], model, "{chosen}");
    }
}

#[test]
fn tissue_sra() {
    let outcome = run_quick("tissue-sra");
    check_design(
        &outcome,
        &[
            ("LIN G-S", 165, 11, 1),
            ("MLP G-S", 165, 11, 1),
            ("MLP S-S", 127, 11, 1),
            ("LIN S-S", 127, 11, 1),
            ("LIN G+S-S", 292, 11, 1),
            ("MLP G+S-S", 292, 11, 1),
            ("DA G+S-S", 292, 11, 1),
            ("DA-ref G+S-S", 292, 11, 1),
            ("LOGISTIC G-S", 165, 11, 1),
            ("LOGISTIC S-S", 127, 11, 1),
            ("LOGISTIC G+S-S", 292, 11, 1),
        ],
    );
    check_union_of_training_sets(&outcome, TINY_TISSUE_GTEX);
}

#[test]
fn tissue_tcga() {
    let outcome = run_quick("tissue-tcga");
    check_design(
        &outcome,
        &[
            ("LIN G-T", 165, 11, 128),
            ("MLP G-T", 165, 11, 128),
            ("LIN G+S-T", 293, 11, 128),
            ("LIN S-T", 128, 11, 128),
            ("MLP S-T", 128, 11, 128),
            ("MLP G+S-T", 293, 11, 128),
            ("DA G+S-T", 293, 11, 128),
            ("DA-ref G+S-T", 293, 11, 128),
            ("LOGISTIC G-T", 165, 11, 128),
            ("LOGISTIC S-T", 128, 11, 128),
            ("LOGISTIC G+S-T", 293, 11, 128),
        ],
    );
    check_union_of_training_sets(&outcome, TINY_TISSUE_GTEX);
    // Every TCGA sample is scored or set aside as a tissue the model never saw.
    for arm in &outcome.arms {
        let unscored: usize = arm.unscored_test_classes.iter().map(|(_, n)| n).sum();
        assert_eq!(arm.n_test + unscored, 200, "{}", arm.name);
    }
}

#[test]
fn sex_sra() {
    let outcome = run_quick("sex-sra");
    check_outputs(&outcome, &["chrxy.png", "chrxy.svg"]);
    check_design(
        &outcome,
        &[
            ("LIN G-S", 465, 2, 80),
            ("LIN S-S", 77, 2, 80),
            ("LIN G+S-S", 542, 2, 80),
            ("MLP G-S", 465, 2, 80),
            ("MLP S-S", 77, 2, 80),
            ("MLP G+S-S", 542, 2, 80),
            ("DA G-S", 465, 2, 80),
            ("DA G+S-S", 542, 2, 80),
            ("DA-ref G+S-S", 542, 2, 80),
            ("LOGISTIC G-S", 465, 2, 80),
            ("LOGISTIC S-S", 77, 2, 80),
            ("LOGISTIC G+S-S", 542, 2, 80),
        ],
    );
    check_union_of_training_sets(&outcome, 465);
}

#[test]
fn sex_tcga() {
    let outcome = run_quick("sex-tcga");
    check_outputs(&outcome, &["chrxy.png", "chrxy.svg"]);
    check_design(
        &outcome,
        &[
            ("LIN G-T", 465, 2, 200),
            ("LIN S-T", 157, 2, 200),
            ("LIN G+S-T", 622, 2, 200),
            ("MLP G-T", 465, 2, 200),
            ("MLP S-T", 157, 2, 200),
            ("MLP G+S-T", 622, 2, 200),
            ("DA G-T", 465, 2, 200),
            ("DA G+S-T", 622, 2, 200),
            ("DA-ref G+S-T", 622, 2, 200),
            ("LOGISTIC G-T", 465, 2, 200),
            ("LOGISTIC S-T", 157, 2, 200),
            ("LOGISTIC G+S-T", 622, 2, 200),
        ],
    );
    check_union_of_training_sets(&outcome, 465);
}

#[test]
fn source() {
    let outcome = run_quick("source");
    check_outputs(&outcome, &["pca.png", "pca.svg"]);
    // Trained on the SRA studies (cell lines come only from there): the training and test
    // studies ("S large") when tested on G and T, the training studies when tested on S.
    check_design(
        &outcome,
        &[
            ("LIN S large-G", 206, 2, 465),
            ("MLP S large-G", 206, 2, 465),
            ("LIN S large-T", 206, 2, 200),
            ("MLP S large-T", 206, 2, 200),
            ("LIN S-S", 114, 2, 92),
            ("MLP S-S", 114, 2, 92),
            ("LOGISTIC S large-G", 206, 2, 465),
            ("LOGISTIC S large-T", 206, 2, 200),
            ("LOGISTIC S-S", 114, 2, 92),
        ],
    );
}

#[test]
fn bias_diversity() {
    let outcome = run_quick("bias-diversity");
    check_outputs(&outcome, &["diversity.md", "lines.png", "lines.svg"]);
    // Quick: up to 3 studies per class, both kinds; the tiny preset's studies allow 2. k x 5
    // samples per class, 2 classes.
    check_design(
        &outcome,
        &[
            ("MLP S-S, 1 x 5 (k studies)", 10, 2, 92),
            ("MLP S-S, 1 x 5 (largest study)", 10, 2, 92),
            ("MLP S-S, 2 x 5 (k studies)", 20, 2, 92),
            ("MLP S-S, 2 x 5 (largest study)", 20, 2, 92),
        ],
    );
}

#[test]
fn train_size() {
    let outcome = run_quick("train-size");
    check_outputs(&outcome, &["lines.png", "lines.svg"]);
    // Quick: 2 GTEx fractions; every class keeps samples at 25 %.
    check_design(
        &outcome,
        &[
            ("MLP G-S, 25% of GTEx", 44, 11, 1),
            ("MLP G-S, 100% of GTEx", 165, 11, 1),
        ],
    );
}

#[test]
fn class_count() {
    let outcome = run_quick("class-count");
    check_outputs(&outcome, &["lines.png", "lines.svg"]);
    // Quick: 2 class counts x (MLP, DA), each pair on the same samples.
    check_design(
        &outcome,
        &[
            ("MLP G+S-S, 4 classes", 117, 4, 1),
            ("MLP G+S-S, 8 classes", 205, 8, 1),
            ("DA G+S-S, 4 classes", 117, 4, 1),
            ("DA G+S-S, 8 classes", 205, 8, 1),
        ],
    );
}

#[test]
fn annotate() {
    let outcome = run_quick("annotate");
    check_outputs(
        &outcome,
        &[
            "feedback.md",
            "tpr_tissue_catch_all.md",
            "tpr_sex.csv",
            "tpr_biopsy_vs_rest.png",
            "predictions_sex.csv",
            "predictions_biopsy_vs_rest.csv",
        ],
    );
    // 4 set-ups, each with and without the feedback loop.
    check_design(
        &outcome,
        &[
            ("DA G+S-S, tissue, catch-all", 669, 7, 2),
            ("DA G+S-S, tissue, catch-all + feedback", 745, 7, 2),
            ("MLP S-S, biopsy vs rest", 114, 2, 92),
            ("MLP S-S, biopsy vs rest + feedback", 150, 2, 92),
            ("MLP G+S-S, sex", 542, 2, 80),
            ("MLP G+S-S, sex + feedback", 753, 2, 80),
            // TCGA's 200 samples less its 15 brain samples (LGG, GBM).
            ("MLP G+S-T, sex, brain removed", 542, 2, 185),
            ("MLP G+S-T, sex, brain removed + feedback", 753, 2, 185),
        ],
    );
    // The loop adds the samples it labelled to the training set.
    for pair in outcome.arms.chunks(2) {
        assert_eq!(pair[1].name, format!("{} + feedback", pair[0].name));
        assert!(pair[1].n_train > pair[0].n_train, "{}", pair[1].name);
    }
}

#[test]
fn rank_genes() {
    let outcome = run_quick("rank-genes");
    check_outputs(
        &outcome,
        &["ranking.csv", "markers.md", "top_genes.md", "lines.svg"],
    );
    // Gini windows, then top-K signal genes (95th and 99th percentile) and K random genes at
    // K = 50, 200.
    check_design(
        &outcome,
        &[
            ("RF, paper's Gini windows", 669, 31, 2),
            ("RF, top 50 signal genes", 669, 31, 2),
            ("RF, top 50 signal genes, 99th percentile", 669, 31, 2),
            ("RF, 50 random genes", 669, 31, 2),
            ("RF, top 200 signal genes", 669, 31, 2),
            ("RF, top 200 signal genes, 99th percentile", 669, 31, 2),
            ("RF, 200 random genes", 669, 31, 2),
        ],
    );
    // A forest on K genes reads K genes.
    for arm in &outcome.arms[1..] {
        let k: usize = arm
            .name
            .split_whitespace()
            .find_map(|w| w.parse().ok())
            .unwrap();
        assert_eq!(arm.n_genes, k, "{}", arm.name);
    }
}

#[test]
fn rf_multilabel() {
    let outcome = run_quick("rf-multilabel");
    check_outputs(&outcome, &["multilabel.md", "multilabel.csv"]);
    // Multi-label forest and one forest per task, for tissue and sample source.
    check_design(
        &outcome,
        &[
            ("multi-label RF: tissue", 669, 31, 2),
            ("RF per task: tissue", 669, 31, 2),
            ("multi-label RF: sample source", 669, 2, 169),
            ("RF per task: sample source", 585, 2, 169),
        ],
    );
}

#[test]
fn augment() {
    let outcome = run_quick("augment");
    check_outputs(
        &outcome,
        &[
            "scarce_recall.md",
            "scarce_recall_per_seed.csv",
            "quality.md",
            "quality.csv",
        ],
    );
    // Quick: brain cut to 10; none, noise, interpolation, GAN; forest and MLP, all on the same
    // training samples (the generated ones are not counted).
    check_design(
        &outcome,
        &[
            ("RF, Brain 10, none", 659, 31, 185),
            ("MLP, Brain 10, none", 659, 31, 185),
            ("RF, Brain 10, noise", 659, 31, 185),
            ("MLP, Brain 10, noise", 659, 31, 185),
            ("RF, Brain 10, interpolation", 659, 31, 185),
            ("MLP, Brain 10, interpolation", 659, 31, 185),
            ("RF, Brain 10, gan", 659, 31, 185),
            ("MLP, Brain 10, gan", 659, 31, 185),
        ],
    );
    // The quality of every method's generated samples, none for "none".
    let quality = std::fs::read_to_string(outcome.dir.join("quality.csv")).unwrap();
    let methods: Vec<&str> = quality
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap())
        .collect();
    let mut sorted = methods.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, ["gan", "interpolation", "noise"], "{quality}");
}

#[test]
fn every_experiment_has_its_test() {
    // The tests above, one per id: a new experiment needs one too.
    let tested = [
        "tune",
        "tissue-sra",
        "tissue-tcga",
        "sex-sra",
        "sex-tcga",
        "source",
        "bias-diversity",
        "train-size",
        "class-count",
        "annotate",
        "rank-genes",
        "rf-multilabel",
        "augment",
    ];
    let ids: Vec<&str> = EXPERIMENTS.iter().map(|e| e.id()).collect();
    assert_eq!(ids, tested);
}

/// `experiment --list`: every experiment once, in order, with a description and a design at
/// both scales; the quick and full designs differ where the paper's values are cut down.
#[test]
fn the_list_shows_every_experiment_with_its_design() {
    let listed = xtask::experiment::list();
    let entries = listed.as_array().unwrap();
    let ids: Vec<&str> = entries.iter().map(|e| e["id"].as_str().unwrap()).collect();
    let registry: Vec<&str> = EXPERIMENTS.iter().map(|e| e.id()).collect();
    assert_eq!(ids, registry);
    for e in entries {
        assert!(!e["description"].as_str().unwrap().is_empty(), "{e}");
        assert!(e["design"]["quick"].is_object(), "{e}");
        assert!(e["design"]["full"].is_object(), "{e}");
    }
    let design = |id: &str, scale: &str| {
        entries.iter().find(|e| e["id"] == id).unwrap()["design"][scale].clone()
    };
    assert_eq!(design("tune", "quick")["trials"], 2);
    assert_eq!(design("tune", "full")["trials"], 12);
    assert_eq!(
        design("train-size", "full")["fractions"],
        serde_json::json!([0.1, 0.2, 0.25, 1.0 / 3.0, 0.5, 0.75, 1.0])
    );
    assert_eq!(
        design("augment", "full")["cuts"],
        serde_json::json!([10, 20, 50])
    );
    assert_eq!(design("tissue-sra", "quick"), design("tissue-sra", "full"));
    // LIN, MLP, logistic on G / S / G+S, DA on G and G+S, and the published DA (DA-ref) on G+S.
    assert_eq!(
        design("sex-tcga", "full")["arms"].as_array().unwrap().len(),
        12
    );
    assert_eq!(
        design("tissue-sra", "full")["classes"],
        serde_json::json!({ "common_to_all_sources": { "min_gtex_share": 0.002 } })
    );
    assert_eq!(design("source", "full")["classes"], "all");
}

/// An experiment trains with the settings it is given and nothing else: a `tune/chosen.json`
/// left in its results folder by an earlier run is not read.
#[test]
fn an_experiment_ignores_settings_left_in_its_results_folder() {
    let cohort = cohort::load(&DataSpec::parse("sim:tiny").unwrap()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let left = xtask::experiment::settings::chosen_path(dir.path());
    std::fs::create_dir_all(left.parent().unwrap()).unwrap();
    // Not even valid settings: reading it would fail the run.
    std::fs::write(&left, b"{ left by an earlier run").unwrap();
    let outcome = run_on("source", &cohort, &quick_tiny(dir.path().to_owned(), false)).unwrap();
    let run: serde_json::Value =
        serde_json::from_slice(&std::fs::read(outcome.dir.join("run.json")).unwrap()).unwrap();
    assert_eq!(run["settings"], "the paper's defaults");
    assert_eq!(run["settings_used"]["from"], serde_json::Value::Null);
}

/// `--data DIR` reads what `rnameta simulate --out DIR` writes (recount3 layout, coverage sums
/// turned back into read counts) and finds the same cohort as the in-memory simulation: same
/// samples after QC, same LIN scores (LIN draws nothing at random).
#[test]
fn a_cohort_read_from_a_recount3_directory_matches_the_simulated_one() {
    use rnameta_sim::{GeneUniverse, Preset, SimConfig, Simulator};
    let dir = tempfile::tempdir().unwrap();
    let config = SimConfig::preset(Preset::Tiny);
    let universe = GeneUniverse::from_ensembl(
        &rnameta_sim::universe::default_gene_table(),
        &config.universe,
    )
    .unwrap();
    let sim = Simulator::new(config, universe).unwrap();
    rnameta_sim::output::write_cohort(
        &sim,
        dir.path(),
        &rnameta_sim::output::progress_bar(0, false),
    )
    .unwrap();
    let from_files = cohort::load(&DataSpec::parse(dir.path().to_str().unwrap()).unwrap()).unwrap();
    let simulated = cohort::load(&DataSpec::parse("sim:tiny").unwrap()).unwrap();
    for (a, b) in [
        (&from_files.gtex, &simulated.gtex),
        (&from_files.tcga, &simulated.tcga),
        (&from_files.sra, &simulated.sra),
    ] {
        assert_eq!(a.n_samples(), b.n_samples());
        assert_eq!(a.n_genes(), b.n_genes());
    }
    assert_eq!(from_files.qc, simulated.qc);
    let out = tempfile::tempdir().unwrap();
    let options = |data: &str| Options {
        data: DataSpec::parse(data).unwrap(),
        seeds: 2,
        quick: true,
        results_dir: out.path().join(if data.starts_with("sim:") {
            "sim"
        } else {
            "dir"
        }),
        resume: false,
        settings: Settings::default(),
    };
    let lin = |cohort: &cohort::Cohort, data: &str| {
        let outcome = run_on("tissue-tcga", cohort, &options(data)).unwrap();
        outcome.arms[0].mca.clone()
    };
    let (on_files, on_sim) = (
        lin(&from_files, dir.path().to_str().unwrap()),
        lin(&simulated, "sim:tiny"),
    );
    assert!(
        (on_files[0] - on_sim[0]).abs() < 0.02,
        "{on_files:?} vs {on_sim:?}"
    );
}

#[test]
fn unknown_experiments_and_data_are_refused() {
    assert!(DataSpec::parse("sim:huge").is_err());
    let err = DataSpec::parse("/some/dir").unwrap_err().to_string();
    assert!(err.contains("not a directory"), "{err}");
    let empty = tempfile::tempdir().unwrap();
    let err = DataSpec::parse(empty.path().to_str().unwrap())
        .unwrap_err()
        .to_string();
    assert!(err.contains("no cohort found"), "{err}");
    assert!(err.contains("merged gtex.parquet"), "{err}");
    let options = quick_tiny(std::env::temp_dir(), false);
    let err = xtask::experiment::run("tissue-mars", &options)
        .unwrap_err()
        .to_string();
    assert!(err.contains("unknown experiment"), "{err}");
}

#[test]
fn resume_reuses_the_fits_an_earlier_run_recorded() {
    let cohort = cohort::load(&DataSpec::parse("sim:tiny").unwrap()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let options = |resume: bool, out: &str| quick_tiny(dir.path().join(out), resume);
    let first = run_on("source", &cohort, &options(true, "resumed")).unwrap();
    // 3 LIN and 3 logistic arms fitted once (they draw nothing at random), 3 MLP arms once per
    // seed.
    let fits = dir.path().join("resumed/.fits");
    let records: Vec<_> = std::fs::read_dir(&fits)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(records.len(), 3 + 3 + 3 * 2, "{records:?}");
    let reuse = |read, computed| Some(Reuse { read, computed });
    assert_eq!(first.reuse, reuse(0, 12));
    // Mark every record: a resumed run must report the marks, not fit again.
    for path in &records {
        let mut record: serde_json::Value =
            serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        assert!(record["what"].as_str().unwrap().contains(" seed "));
        record["scores"]["mca"] = serde_json::json!(0.123);
        std::fs::write(path, serde_json::to_vec(&record).unwrap()).unwrap();
    }
    let resumed = run_on("source", &cohort, &options(true, "resumed")).unwrap();
    for arm in &resumed.arms {
        assert_eq!(arm.mca, vec![0.123, 0.123], "{}", arm.name);
    }
    assert_eq!(resumed.reuse, reuse(12, 0));
    // Without --resume nothing is read back: the scores are the first run's, recomputed.
    let fresh = run_on("source", &cohort, &options(false, "fresh")).unwrap();
    for (a, b) in fresh.arms.iter().zip(&first.arms) {
        assert_eq!(a.mca, b.mca, "{}", a.name);
    }
    assert!(!dir.path().join("fresh/.fits").exists());
    assert_eq!(fresh.reuse, None);
    // A damaged record is fitted again and rewritten.
    std::fs::write(&records[0], b"{ truncated").unwrap();
    let mended = run_on("source", &cohort, &options(true, "resumed")).unwrap();
    assert_eq!(mended.reuse, reuse(11, 1));
    let rewritten: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&records[0]).unwrap()).unwrap();
    assert_ne!(rewritten["scores"]["mca"], serde_json::json!(0.123));
}

#[test]
fn resume_reuses_each_augment_seed_whole() {
    let cohort = cohort::load(&DataSpec::parse("sim:tiny").unwrap()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let options = |resume: bool, out: &str| quick_tiny(dir.path().join(out), resume);
    let first = run_on("augment", &cohort, &options(true, "resumed")).unwrap();
    // One record per (method, seed): 4 methods x 2 seeds at the one quick cut, each holding
    // both models and, with a method, the generated samples' quality.
    let fits = dir.path().join("resumed/.fits");
    let records: Vec<_> = std::fs::read_dir(&fits)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(records.len(), 4 * 2, "{records:?}");
    assert_eq!(
        first.reuse,
        Some(Reuse {
            read: 0,
            computed: 8
        })
    );
    let quality_before = std::fs::read_to_string(first.dir.join("quality.csv")).unwrap();
    for path in &records {
        let mut record: serde_json::Value =
            serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        let what = record["what"].as_str().unwrap().to_owned();
        assert!(what.starts_with("augment rf + mlp, "), "{what}");
        assert_eq!(
            record["scores"]["quality"].is_null(),
            what.contains(" none seed "),
            "{what}"
        );
        for model in record["scores"]["models"].as_array_mut().unwrap() {
            model["scores"]["mca"] = serde_json::json!(0.123);
        }
        std::fs::write(path, serde_json::to_vec(&record).unwrap()).unwrap();
    }
    let resumed = run_on("augment", &cohort, &options(true, "resumed")).unwrap();
    for arm in &resumed.arms {
        assert_eq!(arm.mca, vec![0.123, 0.123], "{}", arm.name);
    }
    assert_eq!(
        resumed.reuse,
        Some(Reuse {
            read: 8,
            computed: 0
        })
    );
    // What was read back besides the marks is what was recorded: the same quality table.
    let quality_after = std::fs::read_to_string(resumed.dir.join("quality.csv")).unwrap();
    assert_eq!(quality_after, quality_before);
    // Without --resume the seeds (two at a time) give the first run's scores again.
    let fresh = run_on("augment", &cohort, &options(false, "fresh")).unwrap();
    for (a, b) in fresh.arms.iter().zip(&first.arms) {
        assert_eq!(a.mca, b.mca, "{}", a.name);
    }
}

#[test]
fn resume_reuses_each_annotate_seed_whole() {
    let cohort = cohort::load(&DataSpec::parse("sim:tiny").unwrap()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let options = quick_tiny(dir.path().to_owned(), true);
    let first = run_on("annotate", &cohort, &options).unwrap();
    let outputs = |name: &str| std::fs::read_to_string(first.dir.join(name)).unwrap();
    let (tpr, predictions) = (
        outputs("tpr_sex.csv"),
        outputs("predictions_tissue_catch_all.csv"),
    );
    // One record per (set-up, seed): 4 set-ups x 2 seeds, each holding both fits of the loop.
    let records: Vec<_> = std::fs::read_dir(dir.path().join(".fits"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(records.len(), 4 * 2, "{records:?}");
    assert_eq!(
        first.reuse,
        Some(Reuse {
            read: 0,
            computed: 8
        })
    );
    for path in &records {
        let mut record: serde_json::Value =
            serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        assert!(record["what"].as_str().unwrap().starts_with("annotate "));
        record["scores"]["scores"]["mca"] = serde_json::json!(0.123);
        std::fs::write(path, serde_json::to_vec(&record).unwrap()).unwrap();
    }
    let resumed = run_on("annotate", &cohort, &options).unwrap();
    assert_eq!(
        resumed.reuse,
        Some(Reuse {
            read: 8,
            computed: 0
        })
    );
    for (arm, before) in resumed.arms.iter().zip(&first.arms) {
        if arm.name.ends_with(" + feedback") {
            assert_eq!(arm.mca, before.mca, "{}", arm.name);
        } else {
            assert_eq!(arm.mca, vec![0.123, 0.123], "{}", arm.name);
        }
    }
    // The rest of each record is read back as written: the same TPR table and predictions.
    assert_eq!(outputs("tpr_sex.csv"), tpr);
    assert_eq!(outputs("predictions_tissue_catch_all.csv"), predictions);
}

#[test]
fn fits_side_by_side_give_what_each_gives_alone() {
    use rnameta_core::{Labels, Task};
    use rnameta_models::{GeneChoice, ModelKind, ModelSpec, TrainedModel};
    use rnameta_preprocess::Pipeline;
    use xtask::experiment::runner::{per_seed, training_labels};

    let cohort = cohort::load(&DataSpec::parse("sim:tiny").unwrap()).unwrap();
    // G+S: DA learns its bias from the SRA studies.
    let train = rnameta_core::Dataset::concat(&[&cohort.gtex, &cohort.sra]).unwrap();
    let universe = Labels::for_task(Task::Tissue, cohort.gtex.samples())
        .classes()
        .to_vec();
    let labels = training_labels(Task::Tissue, train.samples(), &universe);
    let probabilities = |model: ModelKind, seed: u64| -> anyhow::Result<Vec<u32>> {
        let spec = ModelSpec::defaults(model, Task::Tissue, seed).unwrap();
        let fitted = TrainedModel::fit(
            &spec,
            Task::Tissue,
            &Pipeline::tpm_log2(),
            &GeneChoice::Paper,
            &train,
            &labels,
        )?;
        let proba = fitted.annotate(&cohort.tcga)?.proba;
        Ok(proba.iter().map(|p| p.to_bits()).collect())
    };
    let seeds = [3, 1, 4];
    for model in [ModelKind::Mlp, ModelKind::DomainAdaptation] {
        let together = per_seed(&seeds, |seed| probabilities(model, seed)).unwrap();
        for (seed, side_by_side) in seeds.iter().zip(&together) {
            let alone = probabilities(model, *seed).unwrap();
            assert_eq!(&alone, side_by_side, "{model} seed {seed}");
        }
        assert_ne!(together[0], together[1], "{model}: seeds differ");
    }
    // An error stops the run and is the one reported.
    let err = per_seed(&[0, 1, 2, 3], |seed| {
        if seed == 1 {
            anyhow::bail!("seed one fails")
        }
        Ok(seed)
    })
    .unwrap_err();
    assert!(err.to_string().contains("seed one fails"), "{err}");
}

#[test]
fn side_by_side_work_runs_on_a_pool_of_its_own_or_on_the_shared_one() {
    use xtask::experiment::runner::{side_by_side, Pools};

    // With pools of their own, every item runs on a pool thread (where a training loop runs its
    // products), in a pool as large as the global one.
    let own = side_by_side(&[0, 1, 2, 3], 2, Pools::OwnEach, |_| {
        Ok((
            rayon::current_thread_index().is_some(),
            rayon::current_num_threads(),
        ))
    })
    .unwrap();
    assert_eq!(own, vec![(true, rayon::current_num_threads()); 4]);
    // On the shared pool, items run on the side-by-side threads themselves.
    let shared = side_by_side(&[0, 1], 2, Pools::Shared, |_| {
        Ok(rayon::current_thread_index())
    })
    .unwrap();
    assert_eq!(shared, vec![None, None]);
}

#[test]
fn an_arm_the_data_cannot_pose_is_reported_and_the_others_run() {
    // An SRA whose sample-source labels are all biopsies: every arm trained on S has one class.
    let quick = quick_run();
    let mut cohort = quick.cohort.clone();
    let biopsy_or_unlabelled: Vec<usize> = cohort
        .sra
        .samples()
        .iter()
        .enumerate()
        .filter(|(_, s)| {
            s.sample_source
                .is_none_or(|src| src == rnameta_core::SampleSource::Biopsy)
        })
        .map(|(i, _)| i)
        .collect();
    cohort.sra = cohort.sra.select_samples(&biopsy_or_unlabelled).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let options = Options {
        results_dir: dir.path().to_owned(),
        ..quick.options.clone()
    };
    let outcome = run_on("source", &cohort, &options).unwrap();
    assert!(outcome.arms.iter().all(|a| a.skipped.is_some()));
    assert!(outcome.arms.iter().all(|a| a.mca.is_empty()));
    let table = std::fs::read_to_string(outcome.dir.join("table.md")).unwrap();
    assert!(
        table.contains("not run: the training set has") && table.contains("1 class(es)"),
        "{table}"
    );
    // Tissue arms on the same cohort are untouched by it.
    let tissue = run_on("tissue-tcga", &cohort, &options).unwrap();
    assert!(tissue
        .arms
        .iter()
        .all(|a| a.skipped.is_none() && a.mca.len() == 2));
    // `tune` keeps the paper's setting for the sample-source MLP, says why, and tunes the rest.
    let tune = run_on("tune", &cohort, &options).unwrap();
    let skipped: Vec<&str> = tune
        .arms
        .iter()
        .filter(|a| a.skipped.is_some())
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(skipped, ["MLP source: not tuned"]);
    let chosen = std::fs::read_to_string(tune.dir.join("chosen.md")).unwrap();
    assert!(
        chosen.contains("the paper's (the fit studies have"),
        "{chosen}"
    );
}

#[test]
fn the_papers_tissue_rule_keeps_classes_common_to_every_source_and_large_in_gtex() {
    use rnameta_core::{DataSource, Dataset, ExprMatrix, GeneAnnotation, GeneInfo, SampleMeta};
    use xtask::experiment::{class_universe, ClassRule};
    let source = |data_source, tissues: &[(&str, usize)]| {
        let samples: Vec<SampleMeta> = tissues
            .iter()
            .flat_map(|&(t, n)| std::iter::repeat_n(t, n))
            .enumerate()
            .map(|(i, t)| {
                let mut s = SampleMeta::new(format!("{data_source:?}{i}"), data_source);
                s.tissue = Some(t.to_owned());
                s
            })
            .collect();
        let genes = GeneAnnotation::new(vec![GeneInfo::from_id("ENSG00000000003")]).unwrap();
        Dataset::new(ExprMatrix::zeros((samples.len(), 1)), genes, samples).unwrap()
    };
    // GTEx: 100 samples; 0.2 % of them is 1 sample, 10 % is 10.
    let cohort = cohort::Cohort {
        gtex: source(
            DataSource::Gtex,
            &[("Lung", 60), ("Bladder", 9), ("Colon", 21), ("Brain", 10)],
        ),
        // TCGA spells colon as the GDC does: it matches no GTEx tissue.
        tcga: source(
            DataSource::Tcga,
            &[("lung", 5), ("Bladder", 5), ("Colorectal", 5), ("Brain", 5)],
        ),
        sra: source(
            DataSource::Sra,
            &[("lung", 3), ("bladder", 3), ("colon", 3), ("brain", 3)],
        ),
        qc: cohort::QcCounts::default(),
    };
    let chosen = class_universe(
        ClassRule::CommonToAllSources {
            min_gtex_share: 0.1,
        },
        rnameta_core::Task::Tissue,
        &cohort,
    );
    assert_eq!(chosen.classes, ["Brain", "Lung"]);
    assert_eq!(
        chosen.left_out,
        [
            (
                "Bladder".to_owned(),
                "9 GTEx samples, fewer than 10".to_owned()
            ),
            ("Colon".to_owned(), "not labelled in TCGA".to_owned()),
        ]
    );
    let all = class_universe(ClassRule::All, rnameta_core::Task::Tissue, &cohort);
    assert_eq!(all.classes, ["Bladder", "Brain", "Colon", "Lung"]);
    assert!(all.left_out.is_empty());
}

#[test]
fn calibrate_scores_every_lin_target_and_reports_the_distance_to_the_paper() {
    use xtask::calibrate::{evaluate, steps_table, CohortScale, Step, TARGETS};
    let quick = quick_run();
    let evaluation = evaluate(&quick.cohort).unwrap();
    assert_eq!(evaluation.scores.len(), TARGETS.len());
    for (score, target) in evaluation.scores.iter().zip(&TARGETS) {
        let score = score.unwrap_or_else(|| panic!("{} not posed", target.arm.name()));
        assert!((0.0..=1.0).contains(&score), "{score}");
    }
    // The objective is the sum of squared differences, the distance the largest one.
    let differences = evaluation.differences();
    let sum: f64 = differences.iter().map(|d| d * d).sum();
    assert!((evaluation.objective() - sum).abs() < 1e-12);
    let largest = differences.iter().fold(0.0f64, |m, d| m.max(d.abs()));
    assert_eq!(evaluation.max_distance(), largest);
    let table = evaluation.table("tiny").unwrap().to_markdown().unwrap();
    assert!(
        table.contains("| tissue-sra | LIN G-S | mca | 0.765 |")
            && table.contains("| source | LIN S large-T | mca | 0.882 |")
            && table.contains("| sex-sra | LIN G-S | msa | 0.863 |"),
        "{table}"
    );
    let steps = [Step {
        knob: "start".into(),
        value: f64::NAN,
        evaluation,
        kept: true,
        seconds: 1.0,
    }];
    assert_eq!(steps_table(&steps).unwrap().rows.len(), 1);
    // A scaled cohort keeps every source and at least two donors.
    let paper = rnameta_sim::SimConfig::preset(rnameta_sim::Preset::Paper);
    let scale = CohortScale {
        fraction: 0.25,
        genes: Some(6_000),
    };
    assert_eq!(scale.describe(), "0.25 of the samples, 6000 genes");
    let quarter = scale.apply(&paper);
    assert_eq!(
        (
            quarter.gtex.samples,
            quarter.tcga.samples,
            quarter.sra.studies
        ),
        (2_400, 2_750, 450)
    );
    assert_eq!(quarter.universe.n_genes, 6_000);
    assert_eq!(CohortScale::FULL.apply(&paper), paper);
}
