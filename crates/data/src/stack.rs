//! Putting the datasets of several files together: each sample once, on the genes all share.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use rnameta_core::Dataset;
use rnameta_preprocess::harmonise::{reorder_to, ReorderOptions};

use crate::error::{Error, Result};
use crate::report::LoadReport;

/// The sample ids read so far by one command, with the file each came from: the same sample in
/// two inputs would be trained on, predicted or scored twice, so it is refused naming both files.
#[derive(Debug, Default, Clone)]
pub struct SeenSamples {
    first_file: HashMap<String, PathBuf>,
}

impl SeenSamples {
    /// Records the samples of `data` (read from `file`, whole or one chunk of it); refuses one
    /// already read from another file.
    pub fn add(&mut self, data: &Dataset, file: &Path) -> Result<()> {
        for s in data.samples() {
            match self.first_file.get(&s.sample_id) {
                Some(first) if first != file => {
                    return Err(Error::DuplicateSample {
                        sample: s.sample_id.clone(),
                        first: first.clone(),
                        second: file.to_path_buf(),
                    })
                }
                Some(_) => {}
                None => {
                    self.first_file
                        .insert(s.sample_id.clone(), file.to_path_buf());
                }
            }
        }
        Ok(())
    }
}

/// Most inputs a note or refusal names one by one; the rest are counted.
const NAMED_INPUTS: usize = 10;

/// Stacks datasets on the genes they all hold, in the first one's order (each gene's annotation
/// the first dataset's, completed by the others'). Each part is `(name, dataset)`, the name being
/// how notes and refusals call it (a file's path).
///
/// Only the shared genes are kept: a gene absent from one input has no value for that input's
/// samples, and filling it (with zeros or anything else) would make up expression that was never
/// measured, which a model would then learn from. When the inputs' gene sets differ, a note in
/// `report` says how many genes each input has, how many all share, which input loses the most
/// and which one alone lacks the most genes all the others have (the one that cut the shared
/// set), so that a user sees why a model's genes came from fewer genes than a file holds.
///
/// Refuses ([`Error::NoSharedGene`], [`Error::FewSharedGenes`]) when the inputs share no gene or
/// fewer than a tenth of the smallest input's genes, naming every input with its gene count.
pub fn stack(parts: Vec<(String, Dataset)>, report: &mut LoadReport) -> Result<Dataset> {
    if parts.len() == 1 {
        return Ok(parts.into_iter().next().expect("one part").1);
    }
    let Some((_, first)) = parts.first() else {
        return Err(Error::NoInput);
    };
    let n = parts.len();
    // In how many inputs each gene is (an id counted once per input).
    let mut inputs_with: HashMap<&str, usize> = HashMap::new();
    for (_, part) in &parts {
        let ids: HashSet<&str> = part.genes().ids().collect();
        for id in ids {
            *inputs_with.entry(id).or_default() += 1;
        }
    }
    let common: Vec<String> = first
        .genes()
        .ids()
        .filter(|g| inputs_with.get(g) == Some(&n))
        .map(str::to_owned)
        .collect();
    let sizes: Vec<usize> = parts.iter().map(|(_, p)| p.n_genes()).collect();
    let smallest = sizes.iter().copied().min().unwrap_or(0);
    if common.is_empty() {
        return Err(Error::NoSharedGene {
            files: inputs_and_sizes(&parts),
        });
    }
    if common.len() * 10 < smallest {
        return Err(Error::FewSharedGenes {
            shared: common.len(),
            smallest,
            files: inputs_and_sizes(&parts),
        });
    }
    if sizes.iter().any(|&s| s > common.len()) {
        report.note(different_gene_sets(&parts, &inputs_with, common.len()));
    }
    // Each part is put on the shared genes (no copy when it already is) and taken apart as it
    // goes: its annotation completes the first one's and is dropped, so that stacking many
    // files (a workflow's shards) holds one annotation, not one per file.
    let mut genes = None;
    let mut matrices = Vec::with_capacity(parts.len());
    let mut samples = Vec::new();
    for (_, part) in parts {
        let aligned = if part.genes().ids().eq(common.iter().map(String::as_str)) {
            part
        } else {
            reorder_to(
                &part,
                &common,
                ReorderOptions {
                    max_missing_fraction: 0.0,
                    fill_value: 0.0,
                },
            )?
            .0
        };
        let (counts, part_genes, part_samples) = aligned.into_parts();
        match genes.as_mut() {
            None => genes = Some(part_genes),
            Some(kept) => {
                kept.fill_from(&part_genes);
            }
        }
        matrices.push(counts);
        samples.extend(part_samples);
    }
    let views: Vec<_> = matrices.iter().map(|m| m.view()).collect();
    let counts =
        ndarray::concatenate(ndarray::Axis(0), &views).expect("every part is on the shared genes");
    drop(views);
    drop(matrices);
    let genes = genes.expect("at least two parts");
    Ok(Dataset::new(counts, genes, samples)?)
}

/// `n genes` with the right number.
fn genes(n: usize) -> String {
    match n {
        1 => "1 gene".to_owned(),
        n => format!("{n} genes"),
    }
}

/// Each input with its gene count (`a.tsv 450 genes, b.tsv 400`), the first [`NAMED_INPUTS`]
/// by name and the rest counted.
fn inputs_and_sizes(parts: &[(String, Dataset)]) -> String {
    let mut listed: Vec<String> = parts
        .iter()
        .take(NAMED_INPUTS)
        .enumerate()
        .map(|(i, (name, d))| match i {
            0 => format!("{name} {}", genes(d.n_genes())),
            _ => format!("{name} {}", d.n_genes()),
        })
        .collect();
    if parts.len() > NAMED_INPUTS {
        listed.push(format!("and {} more", parts.len() - NAMED_INPUTS));
    }
    listed.join(", ")
}

/// The note for inputs whose gene sets differ: each input's gene count, the shared count, the
/// input that loses the most and the one that alone lacks the most genes all others have.
fn different_gene_sets(
    parts: &[(String, Dataset)],
    inputs_with: &HashMap<&str, usize>,
    shared: usize,
) -> String {
    let n = parts.len();
    let mut note = format!(
        "the {n} inputs have different gene sets: {}; {shared} genes are in all of them and only \
         those are kept (a gene absent from a file has no value there), so a model trained on \
         them chooses its genes among these {shared}",
        inputs_and_sizes(parts)
    );
    // First of the largest, so that ties name the earlier input.
    let most = |values: &[usize]| {
        values.iter().enumerate().fold(
            (0, 0),
            |best, (i, &v)| if v > best.1 { (i, v) } else { best },
        )
    };
    let lost: Vec<usize> = parts.iter().map(|(_, p)| p.n_genes() - shared).collect();
    let (loser, lost_most) = most(&lost);
    note.push_str(&format!(
        "; {} loses the most ({lost_most} of its {} left out)",
        parts[loser].0,
        genes(parts[loser].1.n_genes())
    ));
    // A gene in all inputs but one is lacked by that one alone: of the genes in n - 1 inputs,
    // an input lacks those it does not hold itself.
    let in_all_but_one = inputs_with.values().filter(|&&c| c == n - 1).count();
    let lacks_alone: Vec<usize> = parts
        .iter()
        .map(|(_, p)| {
            let held = p
                .genes()
                .ids()
                .filter(|g| inputs_with.get(g) == Some(&(n - 1)))
                .count();
            in_all_but_one - held
        })
        .collect();
    let (cutter, cut) = most(&lacks_alone);
    if cut > 0 {
        let others = if n == 2 {
            "the other input has"
        } else {
            "every other input has"
        };
        note.push_str(&format!(
            "; {} alone lacks {} that {others}",
            parts[cutter].0,
            genes(cut)
        ));
    }
    note
}
