//! The phenomena the paper measures, on simulated cohorts with fixed seeds: sex genes separate
//! the sexes in GTEx and overlap in SRA (Figure S1); a classifier trained on GTEx loses accuracy
//! on SRA studies; adding SRA studies to training recovers part of it; QC flags are real.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::*;
use rnameta_core::{Dataset, SampleSource, Sex};
use rnameta_sim::figure::{auc, sex_scores};
use rnameta_sim::{SourceCohort, Truth};

/// AUC of the chrY-minus-chrX score for the labelled sexes of a source.
fn sex_auc(src: &SourceCohort) -> f64 {
    let sexes: Vec<Option<Sex>> = src.dataset.samples().iter().map(|s| s.sex).collect();
    let points: Vec<(f64, Sex)> = sex_scores(&src.dataset, &sexes)
        .iter()
        .filter_map(|p| p.sex.map(|s| (p.chr_y - p.chr_x, s)))
        .collect();
    auc(&points).unwrap()
}

#[test]
fn sex_genes_separate_gtex_cleanly_and_overlap_in_sra() {
    // Measured (seeds 42 / 7): GTEx AUC 1.000 / 1.000; SRA AUC on its labels 0.940 / 0.968.
    for seed in [42, 7] {
        let sim = simulator(tiny(seed));
        let (gtex, sra) = (sim.gtex().unwrap(), sim.sra().unwrap());
        let (g, s) = (sex_auc(&gtex), sex_auc(&sra));
        eprintln!("seed {seed}: sex AUC GTEx {g:.4}, SRA {s:.4}");
        assert!(g >= 0.999, "GTEx separates cleanly: {g}");
        assert!(s <= 0.98 && g - s >= 0.02, "SRA overlaps: {s}");
    }
}

fn log_cpm_rows(d: &Dataset, rows: &[usize], keep: &[usize]) -> Vec<Vec<f32>> {
    rows.iter()
        .map(|&i| {
            let v = log_cpm(d.counts().row(i));
            keep.iter().map(|&j| v[j]).collect()
        })
        .collect()
}

fn tissues(truth: &[Truth], rows: &[usize]) -> Vec<String> {
    rows.iter().map(|&i| truth[i].tissue.clone()).collect()
}

/// Genes with mean log2(1 + CPM) >= 4 in GTEx (the expressed genes a classifier would use).
fn expressed(gtex: &Dataset) -> Vec<usize> {
    let mut mean = vec![0f32; gtex.n_genes()];
    for row in gtex.counts().rows() {
        for (m, v) in mean.iter_mut().zip(log_cpm(row)) {
            *m += v / gtex.n_samples() as f32;
        }
    }
    (0..mean.len()).filter(|&j| mean[j] >= 4.0).collect()
}

/// Biopsy samples of bulk SRA studies (what the tissue task evaluates on).
fn bulk_biopsies(sra: &SourceCohort) -> Vec<usize> {
    (0..sra.truth.len())
        .filter(|&i| {
            let t = &sra.truth[i];
            t.sample_source == SampleSource::Biopsy && !t.is_single_cell && !t.is_small_rna
        })
        .collect()
}

#[test]
fn a_gtex_trained_classifier_loses_accuracy_on_sra_studies() {
    // Nearest centroid (cosine, log-CPM of expressed genes). Measured (seeds 42 / 7):
    // GTEx held-out 1.000 / 1.000, SRA biopsies 0.836 / 0.875 (see docs/simulation.md).
    for seed in [42, 7] {
        let sim = simulator(tiny(seed));
        let (gtex, sra) = (sim.gtex().unwrap(), sim.sra().unwrap());
        let keep = expressed(&gtex.dataset);
        let train: Vec<usize> = (0..gtex.truth.len()).filter(|i| i % 5 != 0).collect();
        let held: Vec<usize> = (0..gtex.truth.len()).filter(|i| i % 5 == 0).collect();
        let model = NearestCentroid::fit(
            &log_cpm_rows(&gtex.dataset, &train, &keep),
            &tissues(&gtex.truth, &train),
        );
        let held_acc = model.accuracy(
            &log_cpm_rows(&gtex.dataset, &held, &keep),
            &tissues(&gtex.truth, &held),
        );
        let bio = bulk_biopsies(&sra);
        let sra_acc = model.accuracy(
            &log_cpm_rows(&sra.dataset, &bio, &keep),
            &tissues(&sra.truth, &bio),
        );
        eprintln!(
            "seed {seed}: GTEx held-out {held_acc:.3}, SRA {sra_acc:.3} ({} samples)",
            bio.len()
        );
        assert!(held_acc >= 0.95, "{held_acc}");
        assert!(
            sra_acc <= held_acc - 0.08,
            "GTEx {held_acc} vs SRA {sra_acc}"
        );
    }
}

#[test]
fn adding_sra_studies_to_training_recovers_part_of_the_loss() {
    // Many small single-tissue studies, split by study (alternating within each tissue) into A
    // (added to training) and B (evaluated). A nearest centroid cannot learn which genes vary
    // between studies (pooled centroids attract every SRA sample, see docs/simulation.md), so
    // this uses multinomial logistic regression. Measured (seed 42): GTEx-only on B 0.846,
    // GTEx + A on B 0.940.
    let mut config = tiny(42);
    config.sra.studies = 600;
    config.sra.max_study_size = 6;
    let sim = simulator(config);
    let (gtex, sra) = (sim.gtex().unwrap(), sim.sra().unwrap());
    let keep = expressed(&gtex.dataset);
    let mut by_study: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for i in bulk_biopsies(&sra) {
        by_study
            .entry(sra.truth[i].study.as_str())
            .or_default()
            .push(i);
    }
    let mut by_tissue: BTreeMap<&str, Vec<Vec<usize>>> = BTreeMap::new();
    for rows in by_study.into_values() {
        let names: BTreeSet<&str> = rows.iter().map(|&i| sra.truth[i].tissue.as_str()).collect();
        if let [only] = names.into_iter().collect::<Vec<_>>()[..] {
            by_tissue.entry(only).or_default().push(rows);
        }
    }
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for studies in by_tissue.into_values().filter(|s| s.len() >= 2) {
        for (k, rows) in studies.into_iter().enumerate() {
            if k % 2 == 0 {
                a.extend(rows)
            } else {
                b.extend(rows)
            }
        }
    }
    let all: Vec<usize> = (0..gtex.truth.len()).collect();
    let gx = log_cpm_rows(&gtex.dataset, &all, &keep);
    let gl = tissues(&gtex.truth, &all);
    let (bx, bl) = (
        log_cpm_rows(&sra.dataset, &b, &keep),
        tissues(&sra.truth, &b),
    );
    let gtex_only = logistic_accuracy(&gx, &gl, &bx, &bl, 200);
    let (mut ax, mut al) = (gx.clone(), gl.clone());
    ax.extend(log_cpm_rows(&sra.dataset, &a, &keep));
    al.extend(tissues(&sra.truth, &a));
    let with_sra = logistic_accuracy(&ax, &al, &bx, &bl, 200);
    eprintln!(
        "B: {} samples; GTEx only {gtex_only:.3}, GTEx + A ({} samples) {with_sra:.3}",
        b.len(),
        a.len()
    );
    assert!(with_sra >= gtex_only + 0.04, "{gtex_only} -> {with_sra}");
}

#[test]
fn qc_flags_match_what_the_data_show() {
    let sim = simulator(tiny(42));
    let sra = sim.sra().unwrap();
    let genes = sra.dataset.genes().genes();
    let mut seen = (0, 0, 0, 0);
    for (i, t) in sra.truth.iter().enumerate() {
        let row = sra.dataset.counts().row(i);
        let total: f32 = row.sum();
        // The paper's small-RNA rule: the largest count fraction is not in protein_coding /
        // processed_pseudogene.
        let mut by_biotype: BTreeMap<&str, f32> = BTreeMap::new();
        for (g, v) in genes.iter().zip(row) {
            *by_biotype
                .entry(g.biotype.as_deref().unwrap_or(""))
                .or_default() += v;
        }
        let top = by_biotype
            .iter()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .map(|(k, _)| *k)
            .unwrap();
        let small_by_rule = !matches!(top, "protein_coding" | "processed_pseudogene");
        assert_eq!(
            small_by_rule, t.is_small_rna,
            "{} top biotype {top}",
            t.sample_id
        );
        let meta = &sra.dataset.samples()[i];
        let title = meta.attributes["study_title"].to_ascii_lowercase();
        assert_eq!(title.contains("single-cell"), t.is_single_cell);
        if t.is_single_cell {
            seen.0 += 1;
            assert!(
                total < 200_000.0,
                "single-cell libraries are small: {total}"
            );
        }
        if t.is_small_rna {
            seen.1 += 1;
        }
        if !t.replicate_of.is_empty() {
            seen.2 += 1;
            let first = sra
                .truth
                .iter()
                .find(|x| x.sample_id == t.replicate_of)
                .unwrap();
            assert_eq!(first.experiment, t.experiment);
        }
        if t.label_is_wrong {
            seen.3 += 1;
            let labelled_wrong = meta.sex.is_some_and(|s| s != t.sex)
                || meta.sample_source.is_some_and(|s| s != t.sample_source);
            assert!(
                labelled_wrong,
                "{} is flagged but its labels agree",
                t.sample_id
            );
        } else {
            assert!(meta.sex.is_none_or(|s| s == t.sex));
            assert!(meta.sample_source.is_none_or(|s| s == t.sample_source));
        }
    }
    eprintln!(
        "single-cell {}, small RNA {}, replicates {}, wrong labels {}",
        seen.0, seen.1, seen.2, seen.3
    );
    assert!(
        seen.0 > 0 && seen.1 > 0 && seen.2 > 0 && seen.3 > 0,
        "{seen:?}"
    );
}

#[test]
fn sra_tumour_studies_hold_tumours_with_tumour_biology() {
    // Measured (seed 42): 111 tumour samples in 16 of 35 bulk biopsy studies; proliferation
    // AUC 0.986 (seeds 1 / 2 / 3: 0.970 / 0.991 / 0.934).
    assert!(
        simulator(tiny(42))
            .sra()
            .unwrap()
            .truth
            .iter()
            .all(|t| t.purity == 0.0),
        "the tiny preset has no tumour studies"
    );
    let mut config = tiny(42);
    config.sra.tumour_study_share = 0.5;
    let sim = simulator(config);
    let after = sim.sra().unwrap();
    let tumours: Vec<usize> = (0..after.truth.len())
        .filter(|&i| after.truth[i].purity > 0.0)
        .collect();
    let tumour_studies: BTreeSet<&str> = tumours
        .iter()
        .map(|&i| after.truth[i].study.as_str())
        .collect();
    let biopsy_studies: BTreeSet<&str> = bulk_biopsies(&after)
        .iter()
        .map(|&i| after.truth[i].study.as_str())
        .collect();
    eprintln!(
        "{} tumour samples in {} of {} bulk biopsy studies",
        tumours.len(),
        tumour_studies.len(),
        biopsy_studies.len()
    );
    // Half of the biopsy studies (binomial sd 0.085 on the tiny preset's 35).
    let share = tumour_studies.len() as f64 / biopsy_studies.len() as f64;
    assert!((0.3..=0.7).contains(&share), "{share}");
    for &i in &tumours {
        let t = &after.truth[i];
        assert_eq!(t.sample_source, SampleSource::Biopsy);
        // Purity drawn as TCGA's: uniform in [tcga.purity_min, 1].
        assert!(t.purity >= 0.3 && t.purity <= 1.0, "{}", t.purity);
    }
    // The tumours carry tumour biology: the genes of the proliferation program (shared by
    // every tumour and cell line) are higher in SRA's tumours than in its normal biopsies.
    let up: Vec<usize> = (0..sim.programs().proliferation.len())
        .filter(|&g| sim.programs().proliferation[g] > 0.5)
        .collect();
    let score = |i: usize| {
        let row = log_cpm(after.dataset.counts().row(i));
        up.iter().map(|&g| row[g]).sum::<f32>() / up.len() as f32
            - row.iter().sum::<f32>() / row.len() as f32
    };
    let (t, n): (Vec<usize>, Vec<usize>) = bulk_biopsies(&after)
        .into_iter()
        .partition(|&i| after.truth[i].purity > 0.0);
    let (t, n): (Vec<f32>, Vec<f32>) = (
        t.into_iter().map(score).collect(),
        n.into_iter().map(score).collect(),
    );
    let wins: f64 = t
        .iter()
        .flat_map(|a| {
            n.iter().map(move |b| {
                if a > b {
                    1.0
                } else if a == b {
                    0.5
                } else {
                    0.0
                }
            })
        })
        .sum();
    let auc = wins / (t.len() * n.len()) as f64;
    eprintln!(
        "proliferation score, SRA tumours over normal biopsies: AUC {auc:.3} ({} genes)",
        up.len()
    );
    assert!(auc >= 0.8, "{auc}");
}
