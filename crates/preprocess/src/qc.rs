//! Sample quality control as in Wartmann et al.: small-RNA libraries, single-cell studies and
//! technical replicates. Each filter returns the rows to keep and a [`QcReport`] saying which
//! samples it removed and why; [`QcOutcome::apply`] gives the filtered dataset.
//!
//! Two of them also work before any count is read, from the metadata alone (as `rnameta plan`
//! uses them): single-cell studies from their titles and abstracts ([`StudyText::of_samples`],
//! [`single_cell_studies`], [`remove_single_cell`]), and small-RNA or single-cell libraries from
//! SRA's library record ([`library_records`]). The counts-based [`small_rna_libraries`] and
//! [`technical_replicates`] need the counts.

use std::collections::{BTreeMap, HashSet};

use rnameta_core::{Dataset, SampleMeta};
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// Which filter removed a sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QcFilter {
    /// The largest count fraction by gene type is not protein_coding or processed_pseudogene.
    SmallRna,
    /// The sample's study is a single-cell study (keywords in its title or abstract).
    SingleCell,
    /// Another run of the same experiment (SRX) was kept.
    TechnicalReplicate,
}

/// One removed sample.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QcRemoval {
    /// The sample id.
    pub sample_id: String,
    /// The filter that removed it.
    pub filter: QcFilter,
    /// Why, with the numbers or words that decided it.
    pub reason: String,
}

/// What a set of filters removed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct QcReport {
    /// Removed samples, in the order the filters found them.
    pub removed: Vec<QcRemoval>,
}

impl QcReport {
    /// Appends another report.
    pub fn extend(&mut self, other: QcReport) {
        self.removed.extend(other.removed);
    }

    /// Number of samples a filter removed.
    pub fn count(&self, filter: QcFilter) -> usize {
        self.removed.iter().filter(|r| r.filter == filter).count()
    }
}

/// Rows to keep, and the report of those removed.
#[derive(Debug, Clone, PartialEq)]
pub struct QcOutcome {
    /// Rows kept, ascending.
    pub keep: Vec<usize>,
    /// The removed samples.
    pub report: QcReport,
}

impl QcOutcome {
    /// The dataset restricted to the kept rows.
    pub fn apply(&self, data: &Dataset) -> Result<Dataset> {
        Ok(data.select_samples(&self.keep)?)
    }

    fn from_removed(samples: &[SampleMeta], removed: Vec<(usize, QcFilter, String)>) -> Self {
        let gone: HashSet<usize> = removed.iter().map(|r| r.0).collect();
        Self {
            keep: (0..samples.len()).filter(|i| !gone.contains(i)).collect(),
            report: QcReport {
                removed: removed
                    .into_iter()
                    .map(|(i, filter, reason)| QcRemoval {
                        sample_id: samples[i].sample_id.clone(),
                        filter,
                        reason,
                    })
                    .collect(),
            },
        }
    }
}

/// Gene types whose count fraction may be the largest in a polyA / total RNA-seq library.
pub const BULK_GENE_TYPES: [&str; 2] = ["protein_coding", "processed_pseudogene"];

/// Removes small-RNA libraries: samples whose largest count fraction, by gene type, falls on a
/// type other than protein_coding or processed_pseudogene (e.g. miRNA, snoRNA, misc_RNA). Genes
/// of unknown biotype are left out of the fractions; an annotation with no biotype at all is
/// refused. A sample with no counts on typed genes is removed too (nothing to judge it by).
pub fn small_rna_libraries(data: &Dataset) -> Result<QcOutcome> {
    let types: Vec<Option<&str>> = data
        .genes()
        .genes()
        .iter()
        .map(|g| g.biotype.as_deref())
        .collect();
    if types.iter().all(Option::is_none) {
        return Err(Error::InvalidParameter {
            name: "gene annotation",
            reason: "no gene has a biotype; fill biotypes (e.g. from an Ensembl table) before the small-RNA filter".into(),
        });
    }
    let mut names: Vec<&str> = types.iter().flatten().copied().collect();
    names.sort_unstable();
    names.dedup();
    let type_index: Vec<Option<usize>> = types
        .iter()
        .map(|t| t.map(|t| names.binary_search(&t).expect("listed")))
        .collect();
    let mut removed = Vec::new();
    for (row, counts) in data.counts().rows().into_iter().enumerate() {
        let mut sums = vec![0.0f64; names.len()];
        for (&c, t) in counts.iter().zip(&type_index) {
            if let Some(t) = t {
                sums[*t] += f64::from(c.max(0.0));
            }
        }
        let total: f64 = sums.iter().sum();
        let best = sums
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(&a.0)))
            .map(|(i, _)| i)
            .unwrap_or(0);
        if total <= 0.0 {
            removed.push((
                row,
                QcFilter::SmallRna,
                "no counts on genes of known type".to_owned(),
            ));
        } else if !BULK_GENE_TYPES.contains(&names[best]) {
            removed.push((
                row,
                QcFilter::SmallRna,
                format!(
                    "largest count fraction is {} ({:.3}), not protein_coding or processed_pseudogene",
                    names[best],
                    sums[best] / total
                ),
            ));
        }
    }
    Ok(QcOutcome::from_removed(data.samples(), removed))
}

/// A study's title and abstract, as plain text (field names differ between SRA, GEO and ARCHS4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StudyText {
    /// Study accession, as in `SampleMeta::study`.
    pub study: String,
    /// Study title.
    pub title: String,
    /// Study abstract or summary.
    pub abstract_text: String,
}

/// Attribute under which a sample's study title is kept (recount3's `sra` column `study_title`).
pub const STUDY_TITLE: &str = "study_title";
/// Attribute under which a sample's study abstract is kept (recount3's `sra` column
/// `study_abstract`).
pub const STUDY_ABSTRACT: &str = "study_abstract";

impl StudyText {
    /// The title and abstract of each study of `samples`, from the first sample of the study that
    /// carries them ([`STUDY_TITLE`], [`STUDY_ABSTRACT`] attributes), in order of first
    /// appearance. Samples without a study are passed over; a study none of whose samples carries
    /// either gets empty texts.
    pub fn of_samples(samples: &[SampleMeta]) -> Vec<StudyText> {
        let mut studies: Vec<StudyText> = Vec::new();
        let mut index: BTreeMap<&str, usize> = BTreeMap::new();
        for s in samples {
            let Some(study) = s.study.as_deref() else {
                continue;
            };
            let at = *index.entry(study).or_insert_with(|| {
                studies.push(StudyText {
                    study: study.to_owned(),
                    title: String::new(),
                    abstract_text: String::new(),
                });
                studies.len() - 1
            });
            let text = &mut studies[at];
            if text.title.is_empty() && text.abstract_text.is_empty() {
                let attr = |k: &str| s.attributes.get(k).cloned().unwrap_or_default();
                text.title = attr(STUDY_TITLE);
                text.abstract_text = attr(STUDY_ABSTRACT);
            }
        }
        studies
    }
}

/// A study flagged as single-cell, with what matched where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SingleCellHit {
    /// Study accession.
    pub study: String,
    /// `field: keyword` for each match, e.g. `title: single-cell`.
    pub matched: Vec<String>,
}

/// Keywords of single-cell studies, written in the normalised form the text is matched in
/// (lower case, `-` and `_` read as spaces); a match must start and end on a word boundary
/// (a trailing plural `s` allowed). Bare "10x" is deliberately absent: it also means coverage,
/// dilution or magnification; "10x genomics" and "10x chromium" are matched instead.
pub const SINGLE_CELL_KEYWORDS: [&str; 19] = [
    "single cell",
    "singlecell",
    "single nucleus",
    "single nuclei",
    "scrna",
    "scrna seq",
    "scrnaseq",
    "snrna seq",
    "snrnaseq",
    "sc rna seq",
    "10x genomics",
    "10x chromium",
    "chromium single",
    "drop seq",
    "dropseq",
    "indrop",
    "seq well",
    "cel seq",
    "mars seq",
];

fn normalise_text(s: &str) -> String {
    let lowered: String = s
        .chars()
        .map(|c| match c {
            '-' | '_' | '\u{2010}' | '\u{2011}' | '\u{2013}' => ' ',
            c => c.to_ascii_lowercase(),
        })
        .collect();
    lowered.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn matches_word(text: &str, keyword: &str) -> bool {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(pos) = text[from..].find(keyword) {
        let start = from + pos;
        let end = start + keyword.len();
        let before_ok = start == 0 || !bytes[start - 1].is_ascii_alphanumeric();
        let after_ok = |e: usize| e >= bytes.len() || !bytes[e].is_ascii_alphanumeric();
        if before_ok && (after_ok(end) || (bytes[end] == b's' && after_ok(end + 1))) {
            return true;
        }
        from = start + 1;
    }
    false
}

/// Scans titles and abstracts for single-cell keywords; returns the flagged studies with matches.
pub fn single_cell_studies(studies: &[StudyText]) -> Vec<SingleCellHit> {
    studies
        .iter()
        .filter_map(|s| {
            let mut matched = Vec::new();
            for (field, text) in [("title", &s.title), ("abstract", &s.abstract_text)] {
                let norm = normalise_text(text);
                for kw in SINGLE_CELL_KEYWORDS {
                    if matches_word(&norm, kw) {
                        matched.push(format!("{field}: {kw}"));
                    }
                }
            }
            (!matched.is_empty()).then(|| SingleCellHit {
                study: s.study.clone(),
                matched,
            })
        })
        .collect()
}

/// Removes the samples of flagged single-cell studies.
pub fn remove_single_cell(samples: &[SampleMeta], hits: &[SingleCellHit]) -> QcOutcome {
    let flagged: BTreeMap<&str, &SingleCellHit> =
        hits.iter().map(|h| (h.study.as_str(), h)).collect();
    let removed = samples
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            let hit = flagged.get(s.study.as_deref()?)?;
            Some((
                i,
                QcFilter::SingleCell,
                format!(
                    "study {} is single-cell ({})",
                    hit.study,
                    hit.matched.join("; ")
                ),
            ))
        })
        .collect();
    QcOutcome::from_removed(samples, removed)
}

/// Attribute under which a sample's SRA library strategy is kept (`library_strategy`).
pub const LIBRARY_STRATEGY: &str = "library_strategy";
/// Attribute under which a sample's SRA library source is kept (`library_source`).
pub const LIBRARY_SOURCE: &str = "library_source";
/// SRA library strategies of small-RNA libraries (SRA's vocabulary: micro RNA, and other
/// non-coding RNA such as snoRNA, siRNA, piRNA).
pub const SMALL_RNA_LIBRARY_STRATEGIES: [&str; 2] = ["miRNA-Seq", "ncRNA-Seq"];
/// SRA's library source of single-cell transcriptome libraries.
pub const SINGLE_CELL_LIBRARY_SOURCE: &str = "TRANSCRIPTOMIC SINGLE CELL";

/// Removes the samples whose SRA library record already says what the counts would show: a
/// small-RNA library ([`SMALL_RNA_LIBRARY_STRATEGIES`] as [`LIBRARY_STRATEGY`]) or a single-cell
/// one ([`SINGLE_CELL_LIBRARY_SOURCE`] as [`LIBRARY_SOURCE`]); values are compared ignoring case.
/// Samples without a record are kept: a record is often missing or wrong, so the counts-based
/// [`small_rna_libraries`] and the study keywords of [`single_cell_studies`] still apply.
pub fn library_records(samples: &[SampleMeta]) -> QcOutcome {
    let removed = samples
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            let value = |key: &str| s.attributes.get(key).map(|v| v.trim());
            if let Some(strategy) = value(LIBRARY_STRATEGY).filter(|v| {
                SMALL_RNA_LIBRARY_STRATEGIES
                    .iter()
                    .any(|small| small.eq_ignore_ascii_case(v))
            }) {
                return Some((
                    i,
                    QcFilter::SmallRna,
                    format!("{LIBRARY_STRATEGY} is {strategy}"),
                ));
            }
            let source = value(LIBRARY_SOURCE)
                .filter(|v| v.eq_ignore_ascii_case(SINGLE_CELL_LIBRARY_SOURCE))?;
            Some((
                i,
                QcFilter::SingleCell,
                format!("{LIBRARY_SOURCE} is {source}"),
            ))
        })
        .collect();
    QcOutcome::from_removed(samples, removed)
}

/// The paper's SRA sample QC in its order: small-RNA libraries (by their counts), then the samples
/// of single-cell studies (by the study titles and abstracts the samples carry), then technical
/// replicates (one run per experiment). Returns the samples kept and what each filter removed.
///
/// Every filter judges a sample by itself, its study or its experiment, so the QC of a cohort
/// equals the QC of its projects one by one: a workflow may run it per project (`rnameta convert
/// --sra-qc`) and the experiments on the whole cohort, and keep the same samples.
pub fn papers_sra_qc(sra: &Dataset) -> Result<(Dataset, QcReport)> {
    let (keep, report) = papers_sra_qc_rows(sra)?;
    Ok((sra.select_samples(&keep)?, report))
}

/// [`papers_sra_qc`] on a dataset the caller gives up: the kept samples are moved up within its
/// matrix ([`Dataset::retain_samples`]), so that no second copy of the SRA matrix exists (on the
/// simulated paper cohort, 48,018 x 20,000: 3.8 GB).
pub fn papers_sra_qc_in_place(sra: Dataset) -> Result<(Dataset, QcReport)> {
    let (keep, report) = papers_sra_qc_rows(&sra)?;
    Ok((sra.retain_samples(&keep)?, report))
}

/// What [`papers_sra_qc`] decides, without copying any expression: the rows of `sra` it keeps
/// (ascending) and what each filter removed. Each filter judges the samples the one before kept,
/// as when the matrix is cut after each.
pub fn papers_sra_qc_rows(sra: &Dataset) -> Result<(Vec<usize>, QcReport)> {
    let mut report = QcReport::default();
    let small = small_rna_libraries(sra)?;
    report.extend(small.report);
    let mut keep = small.keep;
    let samples_of = |rows: &[usize]| -> Vec<SampleMeta> {
        rows.iter().map(|&r| sra.samples()[r].clone()).collect()
    };
    let samples = samples_of(&keep);
    let studies = StudyText::of_samples(&samples);
    let single = remove_single_cell(&samples, &single_cell_studies(&studies));
    report.extend(single.report);
    keep = single.keep.iter().map(|&i| keep[i]).collect();
    let depth: Vec<f64> = keep.iter().map(|&r| depth_of(sra, r)).collect();
    let replicates = replicates_among(&samples_of(&keep), &depth);
    report.extend(replicates.report);
    keep = replicates.keep.iter().map(|&i| keep[i]).collect();
    Ok((keep, report))
}

/// The sequencing depth of row `row` of `data` (its total count).
fn depth_of(data: &Dataset, row: usize) -> f64 {
    data.counts().row(row).iter().map(|&v| f64::from(v)).sum()
}

/// Keeps one run per experiment (`SampleMeta::experiment`, the SRX): the deepest (largest total
/// count), ties broken by the smaller sample id. Samples without an experiment are kept.
pub fn technical_replicates(data: &Dataset) -> QcOutcome {
    let depth: Vec<f64> = (0..data.n_samples()).map(|r| depth_of(data, r)).collect();
    replicates_among(data.samples(), &depth)
}

/// [`technical_replicates`] of `samples` with their depths.
fn replicates_among(samples: &[SampleMeta], depth: &[f64]) -> QcOutcome {
    let mut groups: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, s) in samples.iter().enumerate() {
        if let Some(e) = s.experiment.as_deref() {
            groups.entry(e).or_default().push(i);
        }
    }
    let mut removed = Vec::new();
    for (experiment, rows) in groups {
        let best = *rows
            .iter()
            .max_by(|&&a, &&b| {
                depth[a]
                    .total_cmp(&depth[b])
                    .then_with(|| samples[b].sample_id.cmp(&samples[a].sample_id))
            })
            .expect("group is not empty");
        for &r in rows.iter().filter(|&&r| r != best) {
            removed.push((
                r,
                QcFilter::TechnicalReplicate,
                format!(
                    "technical replicate of {experiment}: kept {} (depth {:.0}), this run has depth {:.0}",
                    samples[best].sample_id, depth[best], depth[r]
                ),
            ));
        }
    }
    removed.sort_by_key(|r| r.0);
    QcOutcome::from_removed(samples, removed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;
    use rnameta_core::{DataSource, GeneAnnotation, GeneInfo};

    fn typed(id: &str, t: &str) -> GeneInfo {
        GeneInfo {
            biotype: Some(t.into()),
            ..GeneInfo::from_id(id)
        }
    }

    fn sample(id: &str, study: &str, srx: Option<&str>) -> SampleMeta {
        let mut s = SampleMeta::new(id, DataSource::Sra);
        s.study = Some(study.into());
        s.experiment = srx.map(str::to_owned);
        s
    }

    #[test]
    fn small_rna_libraries_are_caught_and_bulk_kept() {
        let genes = GeneAnnotation::new(vec![
            typed("PC1", "protein_coding"),
            typed("PC2", "protein_coding"),
            typed("PP", "processed_pseudogene"),
            typed("MIR", "miRNA"),
            typed("SNO", "snoRNA"),
            GeneInfo::from_id("UNKNOWN"),
        ])
        .unwrap();
        let counts = array![
            // bulk: protein coding 90 of 100
            [50.0f32, 40.0, 5.0, 3.0, 2.0, 1000.0],
            // small RNA: miRNA 70 of 100 (the unknown gene is ignored)
            [10.0, 10.0, 0.0, 70.0, 10.0, 0.0],
            // processed pseudogene largest: kept
            [10.0, 0.0, 60.0, 20.0, 10.0, 0.0],
            // snoRNA 40 > miRNA 30 > protein coding 30 (split in two genes but summed by type)
            [15.0, 15.0, 0.0, 30.0, 40.0, 0.0],
        ];
        let samples = ["bulk", "mirna", "pseudo", "snorna"]
            .iter()
            .map(|s| sample(s, "SRP1", None))
            .collect();
        let d = Dataset::new(counts, genes, samples).unwrap();
        let out = small_rna_libraries(&d).unwrap();
        assert_eq!(out.keep, vec![0, 2]);
        let ids: Vec<&str> = out
            .report
            .removed
            .iter()
            .map(|r| r.sample_id.as_str())
            .collect();
        assert_eq!(ids, ["mirna", "snorna"]);
        assert!(out.report.removed[0].reason.contains("miRNA (0.700)"));
        assert!(out.report.removed[1].reason.contains("snoRNA"));
        assert_eq!(out.apply(&d).unwrap().n_samples(), 2);
    }

    #[test]
    fn single_cell_studies_by_keywords() {
        let st = |id: &str, title: &str, abs: &str| StudyText {
            study: id.into(),
            title: title.into(),
            abstract_text: abs.into(),
        };
        let studies = vec![
            st("S1", "Single-cell RNA-seq of the mouse retina", ""),
            st(
                "S2",
                "Bulk RNA-seq of lung",
                "We profiled cells with scRNA-seq.",
            ),
            st(
                "S3",
                "Liver transcriptome",
                "Libraries were made with 10X Genomics Chromium.",
            ),
            st("S4", "Kidney", "Drop-seq of 5000 cells"),
            st("S5", "Single cells sorted by FACS", ""),
            // Not single-cell: bulk tissue, 10x coverage, "singlet", "cell line".
            st(
                "B1",
                "Bulk RNA-seq of a single cellular compartment",
                "sequenced at 10x coverage",
            ),
            st(
                "B2",
                "HeLa cell line",
                "A single dose of cells; microscopy at 10X magnification",
            ),
        ];
        let hits = single_cell_studies(&studies);
        let flagged: Vec<&str> = hits.iter().map(|h| h.study.as_str()).collect();
        assert_eq!(flagged, ["S1", "S2", "S3", "S4", "S5"]);
        assert_eq!(hits[0].matched, ["title: single cell"]);
        assert!(hits[1].matched.contains(&"abstract: scrna seq".to_owned()));
        assert!(hits[2]
            .matched
            .contains(&"abstract: 10x genomics".to_owned()));
        let samples = vec![
            sample("a", "S1", None),
            sample("b", "B1", None),
            sample("c", "S4", None),
        ];
        let out = remove_single_cell(&samples, &hits);
        assert_eq!(out.keep, vec![1]);
        assert!(out.report.removed[0].reason.contains("title: single cell"));
        assert_eq!(out.report.count(QcFilter::SingleCell), 2);
    }

    #[test]
    fn study_texts_come_from_the_first_sample_that_carries_them() {
        let a = sample("a", "S1", None);
        let mut b = sample("b", "S1", None);
        b.attributes
            .insert(STUDY_TITLE.into(), "Single-cell atlas".into());
        let mut c = sample("c", "S2", None);
        c.attributes
            .insert(STUDY_ABSTRACT.into(), "Bulk RNA-seq".into());
        let mut orphan = sample("d", "S3", None);
        orphan.study = None;
        let texts = StudyText::of_samples(&[a, b, c, orphan]);
        let studies: Vec<(&str, &str, &str)> = texts
            .iter()
            .map(|t| (t.study.as_str(), t.title.as_str(), t.abstract_text.as_str()))
            .collect();
        assert_eq!(
            studies,
            [("S1", "Single-cell atlas", ""), ("S2", "", "Bulk RNA-seq")]
        );
    }

    #[test]
    fn library_records_catch_small_rna_and_single_cell_libraries() {
        let with = |id: &str, key: &str, value: &str| {
            let mut s = sample(id, "S1", None);
            s.attributes.insert(key.into(), value.into());
            s
        };
        let samples = vec![
            with("mirna", LIBRARY_STRATEGY, "miRNA-Seq"),
            with("bulk", LIBRARY_STRATEGY, "RNA-Seq"),
            with("ncrna", LIBRARY_STRATEGY, "ncrna-seq"),
            with("cells", LIBRARY_SOURCE, "TRANSCRIPTOMIC SINGLE CELL"),
            with("tissue", LIBRARY_SOURCE, "TRANSCRIPTOMIC"),
            sample("unknown", "S1", None),
        ];
        let out = library_records(&samples);
        assert_eq!(out.keep, vec![1, 4, 5]);
        assert_eq!(out.report.count(QcFilter::SmallRna), 2);
        assert_eq!(out.report.count(QcFilter::SingleCell), 1);
        assert_eq!(
            out.report.removed[0].reason,
            "library_strategy is miRNA-Seq"
        );
        assert_eq!(
            out.report.removed[2].reason,
            "library_source is TRANSCRIPTOMIC SINGLE CELL"
        );
    }

    #[test]
    fn technical_replicates_keep_the_deepest_run() {
        let genes =
            GeneAnnotation::new(vec![GeneInfo::from_id("G1"), GeneInfo::from_id("G2")]).unwrap();
        let counts = array![
            [10.0f32, 0.0],
            [30.0, 5.0],
            [20.0, 0.0],
            [7.0, 7.0],
            [7.0, 7.0],
            [1.0, 1.0]
        ];
        let samples = vec![
            sample("SRR1", "P", Some("SRX1")),
            sample("SRR2", "P", Some("SRX1")),
            sample("SRR3", "P", Some("SRX1")),
            sample("SRR5", "P", Some("SRX2")),
            sample("SRR4", "P", Some("SRX2")),
            sample("SRR6", "P", None),
        ];
        let d = Dataset::new(counts, genes, samples).unwrap();
        let out = technical_replicates(&d);
        // SRX1: SRR2 deepest (35); SRX2: tie at 14, the smaller id SRR4 kept; SRR6 has no SRX.
        assert_eq!(out.keep, vec![1, 4, 5]);
        let removed: Vec<&str> = out
            .report
            .removed
            .iter()
            .map(|r| r.sample_id.as_str())
            .collect();
        assert_eq!(removed, ["SRR1", "SRR3", "SRR5"]);
        assert!(out.report.removed[0].reason.contains("kept SRR2"));
    }

    #[test]
    fn the_papers_qc_decided_on_rows_equals_cutting_the_matrix_after_each_filter() {
        let genes = GeneAnnotation::new(vec![typed("PC", "protein_coding"), typed("MIR", "miRNA")])
            .unwrap();
        // r0 small RNA; r1-r2 a single-cell study; r3-r5 replicates of SRX1 (r4 deepest), r6
        // its own experiment, r7 the small-RNA sample's replicate (its partner is gone first).
        let counts = array![
            [10.0f32, 90.0],
            [50.0, 1.0],
            [50.0, 1.0],
            [30.0, 1.0],
            [80.0, 1.0],
            [40.0, 1.0],
            [60.0, 1.0],
            [5.0, 1.0]
        ];
        let mut samples = vec![
            sample("r0", "P1", Some("SRX0")),
            sample("r1", "SC", None),
            sample("r2", "SC", None),
            sample("r3", "P1", Some("SRX1")),
            sample("r4", "P1", Some("SRX1")),
            sample("r5", "P1", Some("SRX1")),
            sample("r6", "P1", Some("SRX2")),
            sample("r7", "P1", Some("SRX0")),
        ];
        samples[1].attributes.insert(
            STUDY_TITLE.into(),
            "Single-cell RNA-seq of the retina".into(),
        );
        let sra = Dataset::new(counts, genes, samples).unwrap();

        // The filters applied one after the other, the matrix cut after each.
        let small = small_rna_libraries(&sra).unwrap();
        let after_small = small.apply(&sra).unwrap();
        let studies = StudyText::of_samples(after_small.samples());
        let single = remove_single_cell(after_small.samples(), &single_cell_studies(&studies));
        let after_single = single.apply(&after_small).unwrap();
        let replicates = technical_replicates(&after_single);
        let expected = replicates.apply(&after_single).unwrap();
        let mut expected_report = small.report;
        expected_report.extend(single.report);
        expected_report.extend(replicates.report);

        let ids = |d: &Dataset| -> Vec<String> {
            d.samples().iter().map(|s| s.sample_id.clone()).collect()
        };
        assert_eq!(ids(&expected), ["r4", "r6", "r7"]);
        let (copied, report) = papers_sra_qc(&sra).unwrap();
        assert_eq!(copied, expected);
        assert_eq!(report, expected_report);
        let (in_place, report) = papers_sra_qc_in_place(sra.clone()).unwrap();
        assert_eq!(in_place, expected);
        assert_eq!(report, expected_report);
        let (rows, _) = papers_sra_qc_rows(&sra).unwrap();
        assert_eq!(rows, [4, 6, 7]);
    }
}
