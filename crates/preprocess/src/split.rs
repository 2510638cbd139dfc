//! Train / test (/ validation) splits that never put one study on both sides.
//!
//! The recipes of Wartmann et al.:
//! - tissue ([`tissue_split`]): for each class, the two studies with the most samples of it train;
//!   every other study tests;
//! - sex ([`sex_split`]): studies, in a seeded random order, go to whichever side has fewer samples,
//!   about 50:50;
//! - sample source ([`source_split`]): for each class, its studies sorted by size (largest first)
//!   are dealt in turn to train, test and validation, so each side gets a third of the studies
//!   across the size range;
//! - GTEx ([`gtex_split`]): 80:20 at random, by donor, so one donor's tissues stay on one side
//!   (GTEx is one study; the donor is the unit that would leak);
//! - [`kfold_by_study`]: k folds of whole studies with about equal sample counts.
//!
//! Only labelled samples are split. The study recipes (sex, sample source) never leave a class
//! without training samples: where their rule would (a random order, or studies already placed
//! by another class), the class's largest study moves to training, and the split names the class
//! in [`Split::moved_to_training`]. Every split lists the classes that still appear in test or
//! validation with no training sample, so a caller can drop or report them.

use std::collections::{BTreeMap, BTreeSet};

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rnameta_core::{Labels, SampleMeta};
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// Row indices of each side of a split.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Split {
    /// Training rows, ascending.
    pub train: Vec<usize>,
    /// Test rows, ascending.
    pub test: Vec<usize>,
    /// Validation rows, ascending (empty for recipes without validation).
    pub validation: Vec<usize>,
    /// Classes present in test or validation with no training sample, sorted.
    pub test_classes_without_training: Vec<String>,
    /// Unlabelled samples left out of every side.
    pub unlabelled: usize,
    /// Classes the recipe's rule left without training samples, whose largest study was moved to
    /// training (sorted).
    #[serde(default)]
    pub moved_to_training: Vec<String>,
}

/// The study of each labelled sample, grouped: study -> rows (ascending).
fn groups_by(
    samples: &[SampleMeta],
    labels: &Labels,
    key: impl Fn(&SampleMeta) -> Option<String>,
    field: &'static str,
) -> Result<(BTreeMap<String, Vec<usize>>, usize)> {
    if samples.len() != labels.assigned().len() {
        return Err(Error::LengthMismatch {
            what: "labels",
            expected: samples.len(),
            got: labels.assigned().len(),
        });
    }
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let mut unlabelled = 0;
    for (i, (s, l)) in samples.iter().zip(labels.assigned()).enumerate() {
        if l.is_none() {
            unlabelled += 1;
            continue;
        }
        let k = key(s).ok_or_else(|| Error::MissingMetadata {
            sample: s.sample_id.clone(),
            field,
            why: "splits keep each group on one side",
        })?;
        groups.entry(k).or_default().push(i);
    }
    Ok((groups, unlabelled))
}

fn study_groups(
    samples: &[SampleMeta],
    labels: &Labels,
) -> Result<(BTreeMap<String, Vec<usize>>, usize)> {
    groups_by(samples, labels, |s| s.study.clone(), "study")
}

/// Which side a group goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Train,
    Test,
    Validation,
}

fn finish(
    groups: &BTreeMap<String, Vec<usize>>,
    side_of: &BTreeMap<&str, Side>,
    labels: &Labels,
    unlabelled: usize,
) -> Split {
    let mut split = Split {
        unlabelled,
        ..Split::default()
    };
    for (g, rows) in groups {
        let side = side_of.get(g.as_str()).copied().unwrap_or(Side::Test);
        let dst = match side {
            Side::Train => &mut split.train,
            Side::Test => &mut split.test,
            Side::Validation => &mut split.validation,
        };
        dst.extend(rows);
    }
    split.train.sort_unstable();
    split.test.sort_unstable();
    split.validation.sort_unstable();
    let class_of = |r: &usize| labels.assigned()[*r];
    let trained: BTreeSet<usize> = split.train.iter().filter_map(class_of).collect();
    let untrained: BTreeSet<usize> = split
        .test
        .iter()
        .chain(&split.validation)
        .filter_map(class_of)
        .filter(|c| !trained.contains(c))
        .collect();
    split.test_classes_without_training = untrained
        .into_iter()
        .map(|c| labels.classes()[c].clone())
        .collect();
    split
}

/// Number of samples of each class in each group.
fn class_counts<'a>(
    groups: &'a BTreeMap<String, Vec<usize>>,
    labels: &Labels,
) -> Vec<BTreeMap<&'a str, usize>> {
    let mut per_class = vec![BTreeMap::new(); labels.classes().len()];
    for (g, rows) in groups {
        for r in rows {
            if let Some(c) = labels.assigned()[*r] {
                *per_class[c].entry(g.as_str()).or_insert(0) += 1;
            }
        }
    }
    per_class
}

/// Studies of a class, largest first (ties by study id).
fn largest_first<'a>(counts: &BTreeMap<&'a str, usize>) -> Vec<&'a str> {
    let mut v: Vec<(&str, usize)> = counts.iter().map(|(s, n)| (*s, *n)).collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    v.into_iter().map(|(s, _)| s).collect()
}

/// Moves the largest study of every class that has no training study to training, and returns
/// those classes' names (in class order).
fn give_every_class_training<'a>(
    groups: &'a BTreeMap<String, Vec<usize>>,
    side_of: &mut BTreeMap<&'a str, Side>,
    labels: &Labels,
) -> Vec<String> {
    let mut moved = Vec::new();
    for (class, counts) in class_counts(groups, labels).iter().enumerate() {
        let trains = |s: &&str| side_of.get(s) == Some(&Side::Train);
        if counts.keys().any(trains) {
            continue;
        }
        if let Some(largest) = largest_first(counts).first() {
            side_of.insert(largest, Side::Train);
            moved.push(labels.classes()[class].clone());
        }
    }
    moved
}

/// Tissue recipe: the two largest studies of each class train, the rest test.
pub fn tissue_split(samples: &[SampleMeta], labels: &Labels) -> Result<Split> {
    let (groups, unlabelled) = study_groups(samples, labels)?;
    let mut side_of = BTreeMap::new();
    for counts in class_counts(&groups, labels) {
        for s in largest_first(&counts).into_iter().take(2) {
            side_of.insert(s, Side::Train);
        }
    }
    Ok(finish(&groups, &side_of, labels, unlabelled))
}

/// Sex recipe: studies in a seeded random order, each to the side with fewer samples so far; a
/// class left without training gets its largest study there.
pub fn sex_split(samples: &[SampleMeta], labels: &Labels, seed: u64) -> Result<Split> {
    let (groups, unlabelled) = study_groups(samples, labels)?;
    let mut order: Vec<&str> = groups.keys().map(String::as_str).collect();
    order.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
    let (mut n_train, mut n_test) = (0usize, 0usize);
    let mut side_of = BTreeMap::new();
    for s in order {
        let n = groups[s].len();
        if n_train <= n_test {
            n_train += n;
            side_of.insert(s, Side::Train);
        } else {
            n_test += n;
            side_of.insert(s, Side::Test);
        }
    }
    let moved = give_every_class_training(&groups, &mut side_of, labels);
    Ok(Split {
        moved_to_training: moved,
        ..finish(&groups, &side_of, labels, unlabelled)
    })
}

/// Sample source recipe: per class, studies largest first dealt to train, test, validation in turn
/// (a study already placed by an earlier class keeps its side); a class left without training
/// (its studies all placed by other classes) gets its largest study there.
pub fn source_split(samples: &[SampleMeta], labels: &Labels) -> Result<Split> {
    let (groups, unlabelled) = study_groups(samples, labels)?;
    let mut side_of = BTreeMap::new();
    for counts in class_counts(&groups, labels) {
        let mut turn = 0usize;
        for s in largest_first(&counts) {
            if side_of.contains_key(s) {
                continue;
            }
            let side = [Side::Train, Side::Test, Side::Validation][turn % 3];
            side_of.insert(s, side);
            turn += 1;
        }
    }
    let moved = give_every_class_training(&groups, &mut side_of, labels);
    Ok(Split {
        moved_to_training: moved,
        ..finish(&groups, &side_of, labels, unlabelled)
    })
}

/// The GTEx donor (subject) of a sample id: its first two dash fields (`GTEX-1117F-0226-...` ->
/// `GTEX-1117F`); ids without a dash are their own donor.
pub fn gtex_donor(sample_id: &str) -> String {
    let mut parts = sample_id.splitn(3, '-');
    match (parts.next(), parts.next()) {
        (Some(a), Some(b)) => format!("{a}-{b}"),
        _ => sample_id.to_owned(),
    }
}

/// GTEx recipe: donors in a seeded random order go to test until `test_fraction` of the labelled
/// samples is reached; the rest train.
pub fn gtex_split(
    samples: &[SampleMeta],
    labels: &Labels,
    test_fraction: f64,
    seed: u64,
) -> Result<Split> {
    if !(0.0..=1.0).contains(&test_fraction) {
        return Err(Error::InvalidParameter {
            name: "test_fraction",
            reason: format!("{test_fraction} is not in [0, 1]"),
        });
    }
    let (groups, unlabelled) =
        groups_by(samples, labels, |s| Some(gtex_donor(&s.sample_id)), "donor")?;
    let total: usize = groups.values().map(Vec::len).sum();
    let target = (test_fraction * total as f64).round() as usize;
    let mut order: Vec<&str> = groups.keys().map(String::as_str).collect();
    order.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
    let mut n_test = 0;
    let mut side_of = BTreeMap::new();
    for d in order {
        if n_test < target {
            n_test += groups[d].len();
            side_of.insert(d, Side::Test);
        } else {
            side_of.insert(d, Side::Train);
        }
    }
    Ok(finish(&groups, &side_of, labels, unlabelled))
}

/// K folds of whole studies: studies in a seeded random order, then largest first (the shuffle
/// breaks size ties), each to the fold with the fewest samples. Fold i tests, the others train.
pub fn kfold_by_study(
    samples: &[SampleMeta],
    labels: &Labels,
    k: usize,
    seed: u64,
) -> Result<Vec<Split>> {
    let (groups, unlabelled) = study_groups(samples, labels)?;
    if k < 2 || groups.len() < k {
        return Err(Error::TooFew {
            what: "k-fold splitting (k >= 2, and at least k studies)",
            needed: k.max(2),
            unit: "studies",
            got: groups.len(),
        });
    }
    let mut order: Vec<&str> = groups.keys().map(String::as_str).collect();
    order.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
    order.sort_by_key(|s| std::cmp::Reverse(groups[*s].len()));
    let mut fold_of = BTreeMap::new();
    let mut sizes = vec![0usize; k];
    for s in order {
        let f = (0..k).min_by_key(|&f| (sizes[f], f)).expect("k >= 2");
        sizes[f] += groups[s].len();
        fold_of.insert(s, f);
    }
    Ok((0..k)
        .map(|f| {
            let side_of = fold_of
                .iter()
                .map(|(s, &g)| (*s, if g == f { Side::Test } else { Side::Train }))
                .collect();
            finish(&groups, &side_of, labels, unlabelled)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rnameta_core::DataSource;

    fn sample(id: &str, study: &str, tissue: &str) -> SampleMeta {
        let mut s = SampleMeta::new(id, DataSource::Sra);
        s.study = Some(study.into());
        s.tissue = Some(tissue.into());
        s
    }

    #[test]
    fn tissue_recipe_by_hand() {
        // lung: S1 (3), S2 (2), S3 (1); brain: S3 (1), S4 (1, a single-class study).
        let mut samples = vec![];
        for (i, (st, t)) in [
            ("S1", "lung"),
            ("S1", "lung"),
            ("S1", "lung"),
            ("S2", "lung"),
            ("S2", "lung"),
            ("S3", "lung"),
            ("S3", "brain"),
            ("S4", "brain"),
            ("S5", "liver"),
        ]
        .iter()
        .enumerate()
        {
            samples.push(sample(&format!("r{i}"), st, t));
        }
        let mut labels = Labels::for_task(rnameta_core::Task::Tissue, &samples);
        let split = tissue_split(&samples, &labels).unwrap();
        // Top two: lung S1, S2; brain S3, S4 (tie at 1, by id); liver S5. Everything trains.
        assert_eq!(split.train, (0..9).collect::<Vec<_>>());
        assert!(split.test.is_empty());
        samples.push(sample("r9", "S6", "brain"));
        labels = Labels::for_task(rnameta_core::Task::Tissue, &samples);
        let split = tissue_split(&samples, &labels).unwrap();
        assert_eq!(split.test, vec![9]);
        assert!(split.test_classes_without_training.is_empty());
        let mut no_study = samples.clone();
        no_study[0].study = None;
        assert!(matches!(
            tissue_split(&no_study, &labels),
            Err(Error::MissingMetadata { field: "study", .. })
        ));
    }

    #[test]
    fn a_class_left_without_training_gets_its_largest_study() {
        // Source recipe, biopsy first: S1 (biopsy 3 + cell line 1) trains, S2 (biopsy 2 + cell
        // line 2) tests, S3 (biopsy 1 + cell line 1) validates. The cell lines' own turn finds
        // every study placed, but S1 trains them: nothing moves.
        use rnameta_core::SampleSource::{Biopsy, CellLine};
        let meta = |id: &str, study: &str, source| {
            let mut s = SampleMeta::new(id, DataSource::Sra);
            s.study = Some(study.into());
            s.sample_source = Some(source);
            s
        };
        let rows = [
            ("S1", Biopsy),
            ("S1", Biopsy),
            ("S1", Biopsy),
            ("S1", CellLine),
            ("S2", Biopsy),
            ("S2", Biopsy),
            ("S2", CellLine),
            ("S2", CellLine),
            ("S3", Biopsy),
            ("S3", CellLine),
        ];
        let samples: Vec<SampleMeta> = rows
            .iter()
            .enumerate()
            .map(|(i, (st, src))| meta(&format!("r{i}"), st, *src))
            .collect();
        let labels = Labels::for_task(rnameta_core::Task::SampleSource, &samples);
        let split = source_split(&samples, &labels).unwrap();
        assert!(split.moved_to_training.is_empty());
        assert_eq!(split.train, vec![0, 1, 2, 3]);
        // Without S1's cell line, the cell lines are only in S2 (test) and S3 (validation): the
        // rule leaves them untrained, so S2 moves to training.
        let mut samples = samples;
        samples[3].sample_source = Some(Biopsy);
        let labels = Labels::for_task(rnameta_core::Task::SampleSource, &samples);
        let split = source_split(&samples, &labels).unwrap();
        assert_eq!(split.moved_to_training, vec!["cell_line".to_owned()]);
        assert_eq!(split.train, vec![0, 1, 2, 3, 4, 5, 6, 7]);
        assert_eq!(split.validation, vec![8, 9]);
        assert!(split.test_classes_without_training.is_empty());
    }

    #[test]
    fn gtex_donors() {
        assert_eq!(gtex_donor("GTEX-1117F-0226-SM-5GZZ7"), "GTEX-1117F");
        assert_eq!(gtex_donor("plain"), "plain");
    }
}
