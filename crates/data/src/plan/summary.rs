//! The plan's `summary.md`: what was read, what was selected and left out, and the labelled
//! samples per task and class, for a reader.

use std::collections::BTreeMap;
use std::fmt::Write;

use rnameta_io::plan::ClassCount;

use super::projects::ProjectsPlan;
use super::samples::SamplesPlan;
use super::TASKS;

/// The summary of stage 1 (`samples` is `None`) or of stage 2.
pub fn summary_markdown(projects: &ProjectsPlan, samples: Option<&SamplesPlan>) -> String {
    let mut out = String::new();
    let stage = if samples.is_some() { 2 } else { 1 };
    let _ = writeln!(out, "# rnameta plan (stage {stage})\n");
    let _ = writeln!(
        out,
        "recount3 mirror: `{}` (human). Project tables read: {}.",
        projects.mirror.root().display(),
        projects
            .project_tables
            .iter()
            .map(|p| format!("`{}`", projects.mirror.relative(p)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if !projects.collections.is_empty() {
        let _ = writeln!(
            out,
            "Collections not read (regroupings of data-source projects): {}.",
            projects.collections.join(", ")
        );
    }
    project_section(&mut out, projects);
    match samples {
        None => {
            let missing = projects.missing_metadata().count();
            let _ = writeln!(
                out,
                "\nNext: fetch the metadata table of each project (`projects.tsv`, column \
                 `metadata_table`; {missing} not in the mirror yet), then plan the samples \
                 (stage 2: `rnameta plan` with `--metasra`)."
            );
        }
        Some(samples) => sample_sections(&mut out, samples),
    }
    out
}

fn project_section(out: &mut String, plan: &ProjectsPlan) {
    let _ = writeln!(out, "\n## Projects\n");
    let mut by_source: BTreeMap<&str, [usize; 3]> = BTreeMap::new();
    for p in &plan.projects {
        let row = by_source.entry(p.data_source.as_str()).or_default();
        row[0] += 1;
        row[1] += p.runs;
        row[2] += usize::from(p.metadata_found);
    }
    let rows = by_source
        .iter()
        .map(|(source, n)| {
            vec![
                source.to_string(),
                n[0].to_string(),
                n[1].to_string(),
                n[2].to_string(),
            ]
        })
        .collect();
    table(
        out,
        &["data source", "projects", "runs", "metadata tables found"],
        rows,
    );
    if plan.left_out.is_empty() {
        let _ = writeln!(out, "\nNo project left out.");
    } else {
        let reasons: Vec<String> = plan
            .left_out
            .iter()
            .map(|(why, n)| format!("{why}: {n}"))
            .collect();
        let _ = writeln!(out, "\nProjects left out: {}.", reasons.join(", "));
    }
}

fn sample_sections(out: &mut String, plan: &SamplesPlan) {
    let labels = &plan.labels;
    let _ = writeln!(out, "\n## Samples\n");
    let _ = writeln!(
        out,
        "SRA labels from MetaSRA `{}` ({} samples annotated), tissues through {}; sample types \
         count from a confidence of {}.",
        labels.metasra.display(),
        labels.metasra_samples,
        labels.tissue_terms_from,
        plan.options.min_sample_type_confidence
    );
    let _ = writeln!(
        out,
        "SRA samples kept: {}, of which {} have a MetaSRA entry ({} with both sexes' terms and \
         {} with two tissues' terms, left unlabelled for that task; {} sample types below the \
         confidence).",
        labels.sra_samples,
        labels.matched,
        labels.sex_conflicts,
        labels.tissue_conflicts,
        labels.below_confidence
    );
    if !plan.skipped.is_empty() {
        let _ = writeln!(
            out,
            "Projects skipped for a missing metadata table: {} ({}).",
            plan.skipped.len(),
            plan.skipped.join(", ")
        );
    }
    let _ = writeln!(out);
    let mut by_source: BTreeMap<&str, [usize; 7]> = BTreeMap::new();
    for p in &plan.projects.projects {
        let Some(s) = &p.samples else { continue };
        let row = by_source.entry(p.data_source.as_str()).or_default();
        for (total, n) in row.iter_mut().zip(s.counts()) {
            *total += n;
        }
    }
    let rows = by_source
        .iter()
        .map(|(source, n)| {
            std::iter::once(source.to_string())
                .chain(n.iter().map(usize::to_string))
                .collect()
        })
        .collect();
    table(
        out,
        &[
            "data source",
            "runs read",
            "single-cell runs",
            "small-RNA runs",
            "samples kept",
            "tissue",
            "sex",
            "sample source",
        ],
        rows,
    );
    let _ = writeln!(
        out,
        "\nStill to come when the counts are read: small-RNA libraries told by their counts, and \
         one run per experiment (technical replicates)."
    );
    for task in TASKS {
        let _ = writeln!(out, "\n## Labelled samples: {task}\n");
        let rows: Vec<Vec<String>> = plan
            .counts
            .iter()
            .filter(|c: &&ClassCount| c.task == task)
            .map(|c| {
                vec![
                    c.data_source.as_str().to_owned(),
                    c.class.clone(),
                    c.samples.to_string(),
                    c.projects.to_string(),
                ]
            })
            .collect();
        if rows.is_empty() {
            let _ = writeln!(out, "No sample has a {task} label.");
        } else {
            table(out, &["data source", "class", "samples", "projects"], rows);
        }
    }
}

/// A GitHub Markdown table (cells' `|` escaped).
fn table(out: &mut String, header: &[&str], rows: Vec<Vec<String>>) {
    let line = |cells: &[String]| {
        let cells: Vec<String> = cells.iter().map(|c| c.replace('|', "\\|")).collect();
        format!("| {} |", cells.join(" | "))
    };
    let header: Vec<String> = header.iter().map(|h| (*h).to_owned()).collect();
    let _ = writeln!(out, "{}", line(&header));
    let _ = writeln!(out, "|{}", "---|".repeat(header.len()));
    for row in rows {
        let _ = writeln!(out, "{}", line(&row));
    }
}
