//! Bad-input cases of `rnameta`: rank_genes (the ARCHS4 signal ranking on cohorts smaller than its
//! 100-sample neighbourhood).

use crate::support::fixture;
use crate::{Case, Ctx, Expect, Finished, Run};

/// The cases of this area.
pub fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "01-rank-genes-30-samples-ranks-genes-apart",
            run: |ctx| {
                Run::new(["rank-genes"])
                    .arg(fixture("gtex_lung30_chr21_counts.tsv.gz"))
                    .arg("-o")
                    .arg(ctx.path("out.tsv"))
            },
            expect: Expect::Answers {
                check: |ctx, finished| {
                    ranking_carries_signal(ctx)?;
                    capped_note(finished, "capped from 100 to 7 samples")
                },
            },
        },
        Case {
            name: "01-rank-genes-huge-neighbourhood-capped",
            run: |ctx| {
                Run::new(["rank-genes", "--neighbours", "1000000"])
                    .arg(fixture("marioni_kidney_liver_counts.tsv.gz"))
                    .arg("-o")
                    .arg(ctx.path("out.tsv"))
            },
            expect: Expect::Answers {
                check: |ctx, finished| {
                    // Every Marioni gene has reads in more than 5% of the lanes: all informative
                    // is right here, so only the mean cosines are checked.
                    all_equal(&mean_cosines(ctx)?)?;
                    capped_note(finished, "capped from 1000000 to 2 samples")
                },
            },
        },
        // Two samples cannot hold a neighbourhood that is a strict part of them: a capped answer
        // would compare the one pair for every gene (the same number for all), so the command
        // refuses and says how many samples it needs.
        Case {
            name: "01-rank-genes-two-samples-refused",
            run: |ctx| {
                let two = ctx.write(
                    "two.tsv",
                    "gene_id\tS1\tS2\nENSG00000000003\t10\t20\nENSG00000000005\t0\t3\n\
                     ENSG00000000419\t50\t40\n",
                );
                Run::new(["rank-genes"])
                    .arg(two)
                    .arg("-o")
                    .arg(ctx.path("out.tsv"))
            },
            expect: Expect::Refused {
                code: 1,
                needles: &["two.tsv", "needs at least 8 samples, got 2"],
            },
        },
    ]
}

/// The note that the neighbourhood was capped, with `what` in it.
fn capped_note(finished: &Finished, what: &str) -> Result<(), String> {
    if finished
        .stderr
        .lines()
        .any(|l| l.starts_with("note: neighbourhood") && l.contains(what))
    {
        Ok(())
    } else {
        Err(format!("no note saying the neighbourhood was {what}"))
    }
}

/// The rows of `out.tsv` after its header, split at tabs.
fn rows(ctx: &Ctx) -> Result<Vec<Vec<String>>, String> {
    let text = std::fs::read_to_string(ctx.path("out.tsv")).map_err(|e| format!("out.tsv: {e}"))?;
    let mut lines = text.lines();
    let header = lines.next().ok_or("out.tsv is empty")?;
    if header != "rank\tgene_id\tsymbol\tpercentile_value\tmean_cosine\tinformative" {
        return Err(format!("out.tsv header {header:?}"));
    }
    let rows: Vec<Vec<String>> = lines
        .map(|l| l.split('\t').map(str::to_owned).collect())
        .collect();
    if rows.is_empty() || rows.iter().any(|r| r.len() != 6) {
        return Err("out.tsv has no rows, or rows without 6 fields".into());
    }
    Ok(rows)
}

/// The mean_cosine column of `out.tsv`.
fn mean_cosines(ctx: &Ctx) -> Result<Vec<String>, String> {
    Ok(rows(ctx)?.into_iter().map(|r| r[4].clone()).collect())
}

/// Fails when every mean cosine is the same (the ranking is then file order).
fn all_equal(cosines: &[String]) -> Result<(), String> {
    if cosines.iter().all(|c| c == &cosines[0]) {
        return Err(format!(
            "every one of the {} genes has mean cosine {}: the ranking is file order",
            cosines.len(),
            cosines[0]
        ));
    }
    Ok(())
}

/// Fails when the mean cosines are all equal or every gene is marked informative (GTEx lung chr21
/// has 287 genes with no reads in at least 29 of its 30 samples).
fn ranking_carries_signal(ctx: &Ctx) -> Result<(), String> {
    let rows = rows(ctx)?;
    let cosines: Vec<String> = rows.iter().map(|r| r[4].clone()).collect();
    all_equal(&cosines)?;
    if rows.iter().all(|r| r[5] == "yes") {
        return Err(format!(
            "all {} genes are marked informative, the unexpressed ones too",
            rows.len()
        ));
    }
    Ok(())
}
