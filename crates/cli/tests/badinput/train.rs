//! Bad-input cases of `rnameta train`: flags out of range, labels that label nothing, missing
//! annotation, samples given twice, classes too small to learn.

use std::path::PathBuf;

use crate::support::{
    fixture, geuvadis, write_counts, ENSEMBL_GENES, GEUVADIS_COUNTS, GEUVADIS_LABELS,
};
use crate::{Case, Ctx, Expect, Run};

/// The cases of this area.
pub fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "10-epochs-beyond-the-documented-limit",
            run: |ctx| {
                train(ctx, "mlp")
                    .arg("--labels")
                    .arg(fixture(GEUVADIS_LABELS))
                    .arg("--epochs")
                    .arg("1000000000")
            },
            expect: Expect::Refused {
                code: 2,
                needles: &["--epochs", "1000000000", "1..=1000"],
            },
        },
        Case {
            name: "15-label-table-matching-no-sample",
            run: |ctx| {
                let labels = ctx.write("labels.tsv", "sample_id\tsex\nSRR1\tmale\nSRR2\tfemale\n");
                train(ctx, "lin").arg("--labels").arg(labels)
            },
            expect: Expect::Refused {
                code: 1,
                needles: &[
                    "0 of 85 samples of the inputs are in",
                    "labels.tsv",
                    "its first ids: SRR1, SRR2",
                    "first ids: NA20502",
                ],
            },
        },
        Case {
            name: "15-label-table-without-a-column-for-the-task",
            run: |ctx| {
                let labels = tissue_table(ctx, "tissue-only.tsv", |_| "blood");
                train_task(ctx, "source", "lin").arg("--labels").arg(labels)
            },
            expect: Expect::Refused {
                code: 1,
                needles: &[
                    "85 of 85 samples of the inputs are in",
                    "tissue-only.tsv",
                    "no source column",
                    "sample_source, source_type, sample_type, biosample_type, source",
                ],
            },
        },
        Case {
            name: "21-gene-choice-without-annotation-names-the-flag",
            run: |ctx| {
                Run::new([
                    "train",
                    "--task",
                    "sex",
                    "--model",
                    "lin",
                    "--source-domain",
                ])
                .arg(fixture(GEUVADIS_COUNTS))
                .arg("--labels")
                .arg(fixture(GEUVADIS_LABELS))
                .arg("-o")
                .arg(ctx.path("model"))
            },
            expect: Expect::Refused {
                code: 1,
                needles: &["--gene-annotation", "ensembl100_grch38_genes.tsv.gz"],
            },
        },
        Case {
            name: "26-same-samples-in-source-and-bias-domain",
            run: |ctx| {
                let a = write_counts(ctx, "a.tsv", geuvadis());
                let b = write_counts(ctx, "b.tsv", geuvadis());
                Run::new(["train", "--task", "sex", "--model", "lin", "--genes", "xy"])
                    .arg("--source-domain")
                    .arg(a)
                    .arg("--bias-domain")
                    .arg(b)
                    .arg("--labels")
                    .arg(fixture(GEUVADIS_LABELS))
                    .arg("--gene-annotation")
                    .arg(fixture(ENSEMBL_GENES))
                    .arg("-o")
                    .arg(ctx.path("model"))
            },
            expect: Expect::Refused {
                code: 1,
                needles: &["is in both", "a.tsv", "b.tsv"],
            },
        },
        Case {
            name: "26-same-samples-in-two-training-files",
            run: |ctx| {
                let a = write_counts(ctx, "a.tsv", geuvadis());
                let b = write_counts(ctx, "b.tsv", geuvadis());
                Run::new(["train", "--task", "sex", "--model", "lin", "--genes", "xy"])
                    .arg("--source-domain")
                    .arg(a)
                    .arg(b)
                    .arg("--labels")
                    .arg(fixture(GEUVADIS_LABELS))
                    .arg("-o")
                    .arg(ctx.path("model"))
            },
            expect: Expect::Refused {
                code: 1,
                needles: &["is in both", "a.tsv", "b.tsv"],
            },
        },
        Case {
            name: "28-class-with-one-training-sample-warns",
            run: |ctx| {
                let labels =
                    tissue_table(
                        ctx,
                        "tissue.tsv",
                        |i| if i == 0 { "liver" } else { "blood" },
                    );
                train_task(ctx, "tissue", "lin").arg("--labels").arg(labels)
            },
            expect: Expect::Answers {
                check: |ctx, run| {
                    if !ctx.path("model").join("manifest.json").is_file() {
                        return Err("no bundle written".into());
                    }
                    let warned = run
                        .stderr
                        .lines()
                        .any(|l| l.contains("warning") && l.contains("liver (1)"));
                    if !warned {
                        return Err("no warning about the class with one sample".into());
                    }
                    Ok(())
                },
            },
        },
    ]
}

/// `train --task sex --model MODEL` on the GEUVADIS counts into `model/` of the case folder.
fn train(ctx: &Ctx, model: &str) -> Run {
    train_task(ctx, "sex", model)
}

/// `train --task TASK --model MODEL` on the GEUVADIS counts (chrX / chrY genes) into `model/` of
/// the case folder.
fn train_task(ctx: &Ctx, task: &str, model: &str) -> Run {
    Run::new(["train", "--task", task, "--model", model, "--genes", "xy"])
        .arg("--source-domain")
        .arg(fixture(GEUVADIS_COUNTS))
        .arg("--gene-annotation")
        .arg(fixture(ENSEMBL_GENES))
        .arg("-o")
        .arg(ctx.path("model"))
}

/// A label table `name` in the case folder giving each GEUVADIS sample (by its index) a tissue.
fn tissue_table(ctx: &Ctx, name: &str, tissue_of: impl Fn(usize) -> &'static str) -> PathBuf {
    let mut table = String::from("sample_id\ttissue\n");
    for (i, s) in geuvadis().samples().iter().enumerate() {
        table.push_str(&format!("{}\t{}\n", s.sample_id, tissue_of(i)));
    }
    ctx.write(name, table)
}
