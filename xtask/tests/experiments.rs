//! Every experiment runs in quick mode (tiny simulated preset, 2 seeds) and writes its table with
//! the expected rows and columns, its plots, statistics and run.json.

use xtask::experiment::cohort::{self, DataSpec};
use xtask::experiment::{run_on, Options, EXPERIMENTS};

#[test]
fn every_experiment_runs_in_quick_mode_and_writes_its_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let options = Options {
        data: DataSpec::parse("sim:tiny").unwrap(),
        seeds: 2,
        quick: true,
        results_dir: dir.path().to_owned(),
    };
    let cohort = cohort::load(&options.data).unwrap();
    let expected_rows = [
        ("tissue-sra", 7),
        ("tissue-tcga", 7),
        ("sex-sra", 8),
        ("sex-tcga", 8),
        ("source", 6),
        // Quick sweeps: 2 GTEx fractions; 2 class counts x (MLP, DA).
        ("train-size", 2),
        ("class-count", 4),
    ];
    assert_eq!(expected_rows.len(), EXPERIMENTS.len());
    for (id, rows) in expected_rows {
        let outcome = run_on(id, &cohort, &options).unwrap();
        assert_eq!(outcome.arms.len(), rows, "{id}");
        for arm in &outcome.arms {
            assert_eq!(arm.mca.len(), 2, "{id} {}", arm.name);
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
    }
}

#[test]
fn unknown_experiments_and_data_are_refused() {
    assert!(DataSpec::parse("sim:huge").is_err());
    let err = DataSpec::parse("/some/dir").unwrap_err().to_string();
    assert!(err.contains("not implemented"), "{err}");
    let options = Options {
        data: DataSpec::parse("sim:tiny").unwrap(),
        seeds: 2,
        quick: true,
        results_dir: std::env::temp_dir(),
    };
    let err = xtask::experiment::run("tissue-mars", &options)
        .unwrap_err()
        .to_string();
    assert!(err.contains("unknown experiment"), "{err}");
}
