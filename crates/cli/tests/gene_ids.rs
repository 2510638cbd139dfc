//! `rnameta inspect` on files keyed by gene symbols and by RefSeq transcripts (real GEUVADIS
//! counts renamed through the shipped gene id table; the real Body Map 2.0 slice) prints how their
//! genes map onto Ensembl genes, and `rnameta annotate` predicts a symbol-keyed file with a model
//! trained on Ensembl ids, saying how the ids were mapped.

use std::io::BufRead;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use rnameta_core::EnsemblMapping;
use rnameta_io::gene_ids::GeneIdMap;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn rnameta() -> Command {
    Command::cargo_bin("rnameta").expect("the rnameta binary is built")
}

/// The first `limit` GEUVADIS genes whose official symbol maps back to them alone, keyed by
/// symbol.
fn symbol_keyed(dir: &Path, limit: usize) -> PathBuf {
    let map = GeneIdMap::embedded().unwrap();
    let mut symbol_of = std::collections::HashMap::new();
    let table = rnameta_io::source::open(&repo().join("crates/io/assets/gene_ids.tsv.gz")).unwrap();
    for line in table.lines().map(Result::unwrap) {
        let f: Vec<&str> = line.split('\t').collect();
        if line.starts_with('#') || f[0] == "entrez" {
            continue;
        }
        if let EnsemblMapping::Unique(e) = map.to_ensembl(f[1]).1 {
            symbol_of.insert(e, f[1].to_owned());
        }
    }
    let counts =
        rnameta_io::source::open(&repo().join("fixtures/real/geuvadis_humanGender_counts.tsv.gz"))
            .unwrap();
    let mut lines = counts.lines().map(Result::unwrap);
    let mut text = format!(
        "gene\t{}\n",
        lines.next().unwrap().split_once('\t').unwrap().1
    );
    let mut kept = 0;
    for line in lines {
        let (id, rest) = line.split_once('\t').unwrap();
        if let Some(symbol) = symbol_of.get(id) {
            text.push_str(&format!("{symbol}\t{rest}\n"));
            kept += 1;
        }
        if kept == limit {
            break;
        }
    }
    let path = dir.join("symbols.tsv");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn inspect_says_how_a_symbol_keyed_file_maps_to_ensembl() {
    let dir = tempfile::tempdir().unwrap();
    let path = symbol_keyed(dir.path(), 200);
    rnameta()
        .arg("inspect")
        .arg(&path)
        .assert()
        .success()
        .stdout(predicate::str::contains("gene ids:      Symbol"))
        .stdout(predicate::str::contains(
            "note:          gene ids mapped to Ensembl through rnameta's gene id table \
             (org.Hs.eg.db 3.16.0): 200 of 200 ids (200 symbols) onto 200 Ensembl genes",
        ));
}

#[test]
fn inspect_says_how_refseq_transcripts_map_and_which_were_dropped() {
    rnameta()
        .arg("inspect")
        .arg(repo().join("fixtures/real/bodymap2_refseq_slice.tsv.gz"))
        .assert()
        .success()
        .stdout(predicate::str::contains("gene ids:      RefSeq"))
        .stdout(predicate::str::contains(
            "127 of 137 ids (127 RefSeq accessions) onto 60 Ensembl genes, 30 of them summed \
             from several ids; 5 ambiguous ids dropped",
        ))
        .stdout(predicate::str::contains("5 unknown ids dropped (e.g. "));
}

#[test]
fn annotate_predicts_a_symbol_keyed_file_with_an_ensembl_model_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = |name: &str| repo().join("fixtures/real").join(name);
    let model = dir.path().join("model");
    rnameta()
        .args(["train", "--task", "sex", "--model", "lin", "--genes", "xy"])
        .arg("--source-domain")
        .arg(fixture("geuvadis_humanGender_counts.tsv.gz"))
        .arg("--labels")
        .arg(fixture("geuvadis_humanGender_samples.tsv.gz"))
        .arg("--gene-annotation")
        .arg(fixture("ensembl100_grch38_genes.tsv.gz"))
        .arg("-o")
        .arg(&model)
        .assert()
        .success();
    let input = symbol_keyed(dir.path(), usize::MAX);
    let pred = dir.path().join("pred.tsv");
    rnameta()
        .args(["annotate", "--quiet", "--model"])
        .arg(&model)
        .arg(&input)
        .arg("-o")
        .arg(&pred)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "note: gene ids mapped to Ensembl through rnameta's gene id table",
        ))
        .stderr(predicate::str::contains("symbols) onto"));
    let rows = std::fs::read_to_string(&pred).unwrap();
    assert_eq!(rows.lines().count(), 86, "a header and 85 samples");
}
