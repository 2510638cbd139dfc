//! Training files with different gene sets (issue 20 item 3), on the real GEUVADIS counts
//! (85 samples x 10,101 Ensembl genes) cut into three files that measure different genes: a
//! unit-free sex model trained on two of them says that only their shared genes are kept, and
//! annotates the third, which lacks about 30% of the training genes, correctly; a levels model
//! is refused there (its preprocessing needs every training gene) with a hint to train a
//! unit-free one; a unit-free model trained on a file of gene ids annotates a file holding those
//! genes and few others.

use std::collections::{HashMap, HashSet};
use std::io::BufRead;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

fn rnameta() -> Command {
    Command::cargo_bin("rnameta").expect("the rnameta binary is built")
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/real")
        .join(name)
}

/// The GEUVADIS counts as read from the fixture: sample ids, gene ids and rows (one per gene,
/// the count cells as written).
struct Counts {
    samples: Vec<String>,
    genes: Vec<String>,
    cells: Vec<Vec<String>>,
}

impl Counts {
    fn read() -> Self {
        let file =
            rnameta_io::source::open(&fixture("geuvadis_humanGender_counts.tsv.gz")).unwrap();
        let mut lines = file.lines().map(Result::unwrap);
        let header = lines.next().unwrap();
        let samples = header.split('\t').skip(1).map(str::to_owned).collect();
        let (mut genes, mut cells) = (Vec::new(), Vec::new());
        for line in lines {
            let mut fields = line.split('\t');
            genes.push(fields.next().unwrap().to_owned());
            cells.push(fields.map(str::to_owned).collect());
        }
        Self {
            samples,
            genes,
            cells,
        }
    }

    /// Writes the samples `samples` (column positions) and genes `genes` (row positions) as a
    /// genes x samples TSV.
    fn write(&self, path: &Path, samples: &[usize], genes: impl Iterator<Item = usize>) {
        let mut text = String::from("gene_id");
        for &s in samples {
            text.push('\t');
            text.push_str(&self.samples[s]);
        }
        text.push('\n');
        for g in genes {
            text.push_str(&self.genes[g]);
            for &s in samples {
                text.push('\t');
                text.push_str(&self.cells[g][s]);
            }
            text.push('\n');
        }
        std::fs::write(path, text).unwrap();
    }
}

/// The fixture's samples are sorted by sex (41 female, then 44 male); this order mixes them, so
/// that every file holds both sexes: sample `i` of the cut is column `(37 i) mod 85`.
fn mixed_order(n: usize) -> Vec<usize> {
    (0..n).map(|i| (37 * i) % n).collect()
}

/// Every chrX / chrY gene of the Ensembl annotation fixture.
fn xy_genes() -> HashSet<String> {
    let file = rnameta_io::source::open(&fixture("ensembl100_grch38_genes.tsv.gz")).unwrap();
    file.lines()
        .map(Result::unwrap)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            matches!(fields.get(2), Some(&"X" | &"Y")).then(|| fields[0].to_owned())
        })
        .collect()
}

/// The sex of each sample in the label table.
fn sexes() -> HashMap<String, String> {
    let file = rnameta_io::source::open(&fixture("geuvadis_humanGender_samples.tsv.gz")).unwrap();
    file.lines()
        .map(Result::unwrap)
        .skip(1)
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            (fields[0].to_owned(), fields[1].to_lowercase())
        })
        .collect()
}

/// Files A (samples 0..40 of the mixed order, genes 0..8000), B (samples 40..70, genes
/// 2000..10101) and C (samples 70..85, every gene but 30% of the non-chrX/Y genes A and B
/// share), in `dir`.
struct Cut {
    a: PathBuf,
    b: PathBuf,
    c: PathBuf,
    held_out: Vec<String>,
    counts: Counts,
    order: Vec<usize>,
}

fn cut(dir: &Path) -> Cut {
    let counts = Counts::read();
    assert_eq!((counts.samples.len(), counts.genes.len()), (85, 10_101));
    let order = mixed_order(85);
    let xy = xy_genes();
    let (a, b, c) = (dir.join("A.tsv"), dir.join("B.tsv"), dir.join("C.tsv"));
    counts.write(&a, &order[..40], 0..8000);
    counts.write(&b, &order[40..70], 2000..10_101);
    let kept_in_c =
        |g: &usize| !(2000..8000).contains(g) || xy.contains(&counts.genes[*g]) || g % 10 >= 3;
    counts.write(&c, &order[70..], (0..10_101).filter(kept_in_c));
    let shared_lacked = (2000..8000).filter(|g| !kept_in_c(g)).count();
    assert!(
        (1600..2000).contains(&shared_lacked),
        "C lacks about 30% of the 6000 shared genes: {shared_lacked}"
    );
    let held_out = order[70..]
        .iter()
        .map(|&s| counts.samples[s].clone())
        .collect();
    Cut {
        a,
        b,
        c,
        held_out,
        counts,
        order,
    }
}

fn train(cut: &Cut, model_input: &str, genes: &str, out: &Path) -> assert_cmd::assert::Assert {
    rnameta()
        .args([
            "train", "--task", "sex", "--model", "logistic", "--genes", genes,
        ])
        .args(["--model-input", model_input, "--source-domain"])
        .arg(&cut.a)
        .arg(&cut.b)
        .arg("--labels")
        .arg(fixture("geuvadis_humanGender_samples.tsv.gz"))
        .arg("--gene-annotation")
        .arg(fixture("ensembl100_grch38_genes.tsv.gz"))
        .arg("-o")
        .arg(out)
        .assert()
}

/// Annotates `input` with `model` and checks that every sample of `expected` gets the sex of the
/// label table.
fn annotates_every_sex_right(model: &Path, input: &Path, expected: &[String]) {
    let pred = input.with_extension("pred.tsv");
    rnameta()
        .args(["annotate", "--quiet", "--model"])
        .arg(model)
        .arg(input)
        .arg("-o")
        .arg(&pred)
        .assert()
        .success();
    let sexes = sexes();
    let text = std::fs::read_to_string(&pred).unwrap();
    let predicted: HashMap<&str, &str> = text
        .lines()
        .skip(1)
        .map(|line| {
            let mut fields = line.split('\t');
            (fields.next().unwrap(), fields.next().unwrap())
        })
        .collect();
    assert_eq!(predicted.len(), expected.len(), "{text}");
    let labelled: HashSet<&str> = expected.iter().map(|s| sexes[s].as_str()).collect();
    assert_eq!(labelled.len(), 2, "the held-out samples hold both sexes");
    for sample in expected {
        assert_eq!(
            predicted[sample.as_str()].to_lowercase(),
            sexes[sample],
            "{sample}: {text}"
        );
    }
}

#[test]
fn a_unit_free_model_trained_on_files_with_different_gene_sets_annotates_a_third() {
    let dir = tempfile::tempdir().unwrap();
    let cut = cut(dir.path());
    let model = dir.path().join("unit-free");
    let trained = train(&cut, "unit-free", "xy", &model).success();
    let stderr = String::from_utf8_lossy(&trained.get_output().stderr).into_owned();
    let note = format!(
        "note: the 2 inputs have different gene sets: {} 8000 genes, {} 8101; 6000 genes are in \
         all of them and only those are kept (a gene absent from a file has no value there), so \
         a model trained on them chooses its genes among these 6000; {} loses the most (2101 of \
         its 8101 genes left out); {} alone lacks 2101 genes that the other input has",
        cut.a.display(),
        cut.b.display(),
        cut.b.display(),
        cut.a.display()
    );
    assert!(stderr.contains(&note), "{stderr}");
    annotates_every_sex_right(&model, &cut.c, &cut.held_out);
}

#[test]
fn a_levels_model_is_refused_on_the_third_file_with_a_hint_to_train_unit_free() {
    let dir = tempfile::tempdir().unwrap();
    let cut = cut(dir.path());
    let model = dir.path().join("levels");
    train(&cut, "levels", "xy", &model).success();
    rnameta()
        .args(["annotate", "--quiet", "--model"])
        .arg(&model)
        .arg(&cut.c)
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "of the 6000 genes of the preprocessing (all training genes) are missing from the data",
        ))
        .stderr(predicate::str::contains("first missing: ENSG"))
        .stderr(predicate::str::contains(
            "rnameta train --model-input unit-free",
        ));
}

#[test]
fn a_unit_free_model_of_listed_genes_annotates_a_file_of_those_genes_and_few_others() {
    let dir = tempfile::tempdir().unwrap();
    let cut = cut(dir.path());
    // Three Y genes A and B share (USP9Y, RPS4Y1, NLGN4Y) and 27 other shared genes.
    let y = ["ENSG00000114374", "ENSG00000129824", "ENSG00000165246"];
    let mut listed: Vec<usize> = y
        .iter()
        .map(|id| cut.counts.genes.iter().position(|g| g == id).unwrap())
        .collect();
    listed.extend((0..27).map(|i| 2100 + 200 * i));
    let list = dir.path().join("genes.txt");
    let ids: Vec<&str> = listed
        .iter()
        .map(|&g| cut.counts.genes[g].as_str())
        .collect();
    std::fs::write(&list, format!("# the model's genes\n{}\n", ids.join("\n"))).unwrap();
    let model = dir.path().join("listed");
    train(&cut, "unit-free", list.to_str().unwrap(), &model)
        .success()
        .stdout(predicate::str::contains("genes: 30 (30 genes given by id)"));
    // The held-out samples with the 30 genes and 20 others (genes of B only, not shared).
    let few = dir.path().join("D.tsv");
    let mut genes = listed.clone();
    genes.extend(10_000..10_020);
    genes.sort_unstable();
    cut.counts.write(&few, &cut.order[70..], genes.into_iter());
    annotates_every_sex_right(&model, &few, &cut.held_out);
}
