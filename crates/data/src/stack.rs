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

/// Stacks datasets on the genes they all hold, in the first one's order (each gene's annotation
/// the first dataset's, completed by the others'); notes in `report` how many genes of the first
/// were left out.
pub fn stack(parts: Vec<Dataset>, report: &mut LoadReport) -> Result<Dataset> {
    if parts.len() == 1 {
        return Ok(parts.into_iter().next().expect("one part"));
    }
    let Some(first) = parts.first() else {
        return Err(Error::NoInput);
    };
    let mut common: Vec<String> = first.genes().ids().map(str::to_owned).collect();
    for part in &parts[1..] {
        let have: HashSet<&str> = part.genes().ids().collect();
        common.retain(|g| have.contains(g.as_str()));
    }
    if common.is_empty() {
        return Err(Error::NoSharedGene);
    }
    let dropped = first.n_genes() - common.len();
    if dropped > 0 {
        report.notes.push(format!(
            "{dropped} genes of the first file are not in every file and were left out ({} kept)",
            common.len()
        ));
    }
    let mut aligned = Vec::with_capacity(parts.len());
    for part in &parts {
        let (mut a, _) = reorder_to(
            part,
            &common,
            ReorderOptions {
                max_missing_fraction: 0.0,
                fill_value: 0.0,
            },
        )?;
        // Keep the best annotation: the first file's, completed by this one's.
        a.genes_mut().fill_from(first.genes());
        aligned.push(a);
    }
    let refs: Vec<&Dataset> = aligned.iter().collect();
    Ok(Dataset::concat(&refs)?)
}
