//! Putting the datasets of several files together: each sample once, on the genes all share.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ndarray::Axis;
use rnameta_core::{select_columns, Dataset, ExprMatrix, GeneAnnotation, SampleMeta};

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
/// how notes and refusals call it (a file's path). [`Stacker`] does the same one input at a time.
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
    let mut stacker = Stacker::default();
    for (name, part) in parts {
        stacker.push(name, part);
    }
    stacker.finish(report)
}

/// One input on its way into a stack: its name, its genes' ids (the same `Arc` as the previous
/// input's when the lists are equal), its matrix and its samples. Its annotation has gone into
/// the stack's.
#[derive(Debug)]
struct Part {
    name: String,
    ids: Arc<Vec<String>>,
    counts: ExprMatrix,
    samples: Vec<SampleMeta>,
}

/// [`stack`] one input at a time, as a command reads them: each input's gene annotation is
/// folded into one as it arrives and dropped, so that stacking thousands of files (a workflow's
/// shards) holds one annotation, not one per file.
#[derive(Debug, Default)]
pub struct Stacker {
    parts: Vec<Part>,
    genes: Option<GeneAnnotation>,
}

impl Stacker {
    /// Adds an input, `name` being how notes and refusals call it.
    pub fn push(&mut self, name: String, data: Dataset) {
        let (counts, genes, samples) = data.into_parts();
        let ids: Vec<String> = genes.ids().map(str::to_owned).collect();
        let ids = match self.parts.last() {
            Some(last) if *last.ids == ids => Arc::clone(&last.ids),
            _ => Arc::new(ids),
        };
        match self.genes.as_mut() {
            None => self.genes = Some(genes),
            Some(kept) => {
                kept.fill_from(&genes);
            }
        }
        self.parts.push(Part {
            name,
            ids,
            counts,
            samples,
        });
    }

    /// The inputs stacked on the genes all of them hold (see [`stack`]).
    pub fn finish(self, report: &mut LoadReport) -> Result<Dataset> {
        let Self { parts, genes } = self;
        let kept = genes.ok_or(Error::NoInput)?;
        let n = parts.len();
        // In how many inputs each gene is (an id counted once per input; equal lists once).
        let mut inputs_with: HashMap<&str, usize> = HashMap::new();
        let mut i = 0;
        while i < n {
            let run = parts[i..]
                .iter()
                .take_while(|p| Arc::ptr_eq(&p.ids, &parts[i].ids))
                .count();
            let ids: HashSet<&str> = parts[i].ids.iter().map(String::as_str).collect();
            for id in ids {
                *inputs_with.entry(id).or_default() += run;
            }
            i += run;
        }
        let common: Vec<String> = parts[0]
            .ids
            .iter()
            .filter(|g| inputs_with.get(g.as_str()) == Some(&n))
            .cloned()
            .collect();
        let smallest = parts.iter().map(|p| p.ids.len()).min().unwrap_or(0);
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
        if parts.iter().any(|p| p.ids.len() > common.len()) {
            report.note(different_gene_sets(&parts, &inputs_with, common.len()));
        }
        let genes = GeneAnnotation::new(
            common
                .iter()
                .map(|id| kept.by_id(id).cloned().expect("the first input's gene"))
                .collect(),
        )?;
        let mut matrices = Vec::with_capacity(n);
        let mut samples = Vec::new();
        for part in parts {
            let on_common = *part.ids == common;
            let counts = if on_common {
                part.counts
            } else {
                let column: HashMap<&str, usize> = part
                    .ids
                    .iter()
                    .enumerate()
                    .map(|(j, id)| (id.as_str(), j))
                    .collect();
                let columns: Vec<usize> = common.iter().map(|id| column[id.as_str()]).collect();
                select_columns(part.counts.view(), &columns)
            };
            matrices.push(counts);
            samples.extend(part.samples);
        }
        if matrices.len() == 1 {
            let counts = matrices.pop().expect("one part");
            return Ok(Dataset::new(counts, genes, samples)?);
        }
        let views: Vec<_> = matrices.iter().map(|m| m.view()).collect();
        let counts =
            ndarray::concatenate(Axis(0), &views).expect("every part is on the shared genes");
        drop(views);
        drop(matrices);
        Ok(Dataset::new(counts, genes, samples)?)
    }
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
fn inputs_and_sizes(parts: &[Part]) -> String {
    let mut listed: Vec<String> = parts
        .iter()
        .take(NAMED_INPUTS)
        .enumerate()
        .map(|(i, p)| match i {
            0 => format!("{} {}", p.name, genes(p.ids.len())),
            _ => format!("{} {}", p.name, p.ids.len()),
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
    parts: &[Part],
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
    let lost: Vec<usize> = parts.iter().map(|p| p.ids.len() - shared).collect();
    let (loser, lost_most) = most(&lost);
    note.push_str(&format!(
        "; {} loses the most ({lost_most} of its {} left out)",
        parts[loser].name,
        genes(parts[loser].ids.len())
    ));
    // A gene in all inputs but one is lacked by that one alone: of the genes in n - 1 inputs,
    // an input lacks those it does not hold itself.
    let in_all_but_one = inputs_with.values().filter(|&&c| c == n - 1).count();
    let lacks_alone: Vec<usize> = parts
        .iter()
        .map(|p| {
            let held = p
                .ids
                .iter()
                .filter(|g| inputs_with.get(g.as_str()) == Some(&(n - 1)))
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
            parts[cutter].name,
            genes(cut)
        ));
    }
    note
}
