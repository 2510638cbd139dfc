//! Every experiment runs in quick mode (tiny simulated preset, 2 seeds) and writes its table with
//! the expected rows and columns, its plots, statistics and run.json.

use xtask::experiment::cohort::{self, DataSpec};
use xtask::experiment::{run_on, Options, EXPERIMENTS};

/// Quick mode on the tiny simulated preset with 2 seeds, writing under `results_dir`.
fn quick_tiny(results_dir: std::path::PathBuf, resume: bool) -> Options {
    Options {
        data: DataSpec::parse("sim:tiny").unwrap(),
        seeds: 2,
        quick: true,
        results_dir,
        resume,
    }
}

#[test]
fn every_experiment_runs_in_quick_mode_and_writes_its_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let options = quick_tiny(dir.path().to_owned(), false);
    let cohort = cohort::load(&options.data).unwrap();
    // In the order of EXPERIMENTS: `tune` first, as `reproduce` runs it, so that the others read
    // its choice from the same results folder.
    let expected_rows = [
        // 4 (task, model) pairs x 2 trials in quick mode.
        ("tune", 8),
        ("tissue-sra", 7),
        ("tissue-tcga", 7),
        ("sex-sra", 8),
        ("sex-tcga", 8),
        ("source", 6),
        // Quick: up to 3 studies per class, both kinds; the tiny preset's studies allow 2.
        ("bias-diversity", 4),
        // Quick sweeps: 2 GTEx fractions; 2 class counts x (MLP, DA).
        ("train-size", 2),
        ("class-count", 4),
        // 3 set-ups, each with and without the feedback loop.
        ("annotate", 6),
        // Gini windows, then top-K signal genes (95th and 99th percentile) and K random genes
        // at K = 50, 200.
        ("rank-genes", 7),
        // Multi-label forest and one forest per task, for tissue and sample source.
        ("rf-multilabel", 4),
        // Quick: brain cut to 10; none, noise, interpolation, GAN; forest and MLP.
        ("augment", 8),
    ];
    assert_eq!(expected_rows.len(), EXPERIMENTS.len());
    for (i, (id, rows)) in expected_rows.into_iter().enumerate() {
        assert_eq!(EXPERIMENTS[i].0, id);
        let outcome = run_on(id, &cohort, &options).unwrap();
        assert_eq!(outcome.arms.len(), rows, "{id}");
        // One score per seed; bias-diversity scores every seed on each of 2 quick subsamplings.
        let scores = if id == "bias-diversity" { 4 } else { 2 };
        for arm in &outcome.arms {
            assert_eq!(arm.mca.len(), scores, "{id} {}", arm.name);
            assert!(
                arm.mca.iter().all(|v| (0.0..=1.0).contains(v)),
                "{id} {}",
                arm.name
            );
        }
        let table = std::fs::read_to_string(outcome.dir.join("table.md")).unwrap();
        // Header, separator and one line per arm, each with the 8 columns.
        let lines: Vec<&str> = table.lines().filter(|l| l.starts_with('|')).collect();
        assert_eq!(lines.len(), rows + 2, "{id}:\n{table}");
        assert!(
            lines[0].contains("| msa |") && lines[0].contains("| mca |"),
            "{table}"
        );
        assert!(lines.iter().all(|l| l.matches('|').count() == 9), "{table}");
        assert!(table.contains("simulated"), "{table}");
        for file in [
            "table.csv",
            "results.csv",
            "stats.md",
            "box.png",
            "box.svg",
            "run.json",
        ] {
            let meta = std::fs::metadata(outcome.dir.join(file))
                .unwrap_or_else(|e| panic!("{id}/{file}: {e}"));
            assert!(meta.len() > 100, "{id}/{file} is {} bytes", meta.len());
        }
        let run: serde_json::Value =
            serde_json::from_slice(&std::fs::read(outcome.dir.join("run.json")).unwrap()).unwrap();
        assert_eq!(run["seeds"], serde_json::json!([0, 1]));
        assert_eq!(run["arms"].as_array().unwrap().len(), rows);
        // Every experiment after `tune` trains with the settings it chose.
        let settings = run["settings"].as_str().unwrap();
        if id == "tune" {
            assert_eq!(settings, "the paper's defaults");
        } else {
            assert!(settings.contains("tune/chosen.json"), "{id}: {settings}");
        }
        let own_files: &[&str] = match id {
            "tune" => &["chosen.md", "chosen.csv"],
            "bias-diversity" => &["diversity.md", "lines.png", "lines.svg"],
            "train-size" | "class-count" => &["lines.png", "lines.svg"],
            "source" => &["pca.png", "pca.svg"],
            "sex-sra" | "sex-tcga" => &["chrxy.png", "chrxy.svg"],
            "annotate" => &[
                "feedback.md",
                "tpr_tissue_catch_all.md",
                "tpr_sex.csv",
                "tpr_biopsy_vs_rest.png",
                "predictions_sex.csv",
                "predictions_biopsy_vs_rest.csv",
            ],
            "rank-genes" => &["ranking.csv", "markers.md", "top_genes.md", "lines.svg"],
            "rf-multilabel" => &["multilabel.md", "multilabel.csv"],
            "augment" => &[
                "scarce_recall.md",
                "scarce_recall_per_seed.csv",
                "quality.md",
                "quality.csv",
            ],
            _ => &[],
        };
        for file in own_files {
            let meta = std::fs::metadata(outcome.dir.join(file))
                .unwrap_or_else(|e| panic!("{id}/{file}: {e}"));
            assert!(meta.len() > 50, "{id}/{file} is {} bytes", meta.len());
        }
    }
    // What `tune` chose is what the later experiments read.
    let chosen: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("tune/chosen.json")).unwrap())
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
    assert!(err.contains("no recount3 layout"), "{err}");
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
    // 3 LIN arms fitted once (LIN draws nothing at random), 3 MLP arms once per seed.
    let fits = dir.path().join("resumed/.fits");
    let records: Vec<_> = std::fs::read_dir(&fits)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(records.len(), 3 + 3 * 2, "{records:?}");
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
    // Without --resume nothing is read back: the scores are the first run's, recomputed.
    let fresh = run_on("source", &cohort, &options(false, "fresh")).unwrap();
    for (a, b) in fresh.arms.iter().zip(&first.arms) {
        assert_eq!(a.mca, b.mca, "{}", a.name);
    }
    assert!(!dir.path().join("fresh/.fits").exists());
    // A damaged record is fitted again and rewritten.
    std::fs::write(&records[0], b"{ truncated").unwrap();
    run_on("source", &cohort, &options(true, "resumed")).unwrap();
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
    // One record per (set-up, seed): 3 set-ups x 2 seeds, each holding both fits of the loop.
    let records: Vec<_> = std::fs::read_dir(dir.path().join(".fits"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(records.len(), 3 * 2, "{records:?}");
    for path in &records {
        let mut record: serde_json::Value =
            serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        assert!(record["what"].as_str().unwrap().starts_with("annotate "));
        record["scores"]["scores"]["mca"] = serde_json::json!(0.123);
        std::fs::write(path, serde_json::to_vec(&record).unwrap()).unwrap();
    }
    let resumed = run_on("annotate", &cohort, &options).unwrap();
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
    use rnameta_models::{GeneChoice, ModelSpec, TrainedModel};
    use rnameta_preprocess::Pipeline;
    use xtask::experiment::runner::{per_seed, training_labels};

    let cohort = cohort::load(&DataSpec::parse("sim:tiny").unwrap()).unwrap();
    // G+S: DA learns its bias from the SRA studies.
    let train = rnameta_core::Dataset::concat(&[&cohort.gtex, &cohort.sra]).unwrap();
    let universe = Labels::for_task(Task::Tissue, cohort.gtex.samples())
        .classes()
        .to_vec();
    let labels = training_labels(Task::Tissue, &train, &universe);
    let probabilities = |model: &str, seed: u64| -> anyhow::Result<Vec<u32>> {
        let spec = ModelSpec::default_for(model, Task::Tissue, seed).unwrap();
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
    for model in ["mlp", "da"] {
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
