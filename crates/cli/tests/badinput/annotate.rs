//! Bad-input cases of `rnameta annotate` (and `check`, which applies a model the same way): flags
//! out of range, genes of another kind, units with no within-sample order, outputs that cannot
//! all be written, interruptions.

use std::ffi::OsString;
use std::time::Duration;

use crate::support::{fixture, geuvadis, sex_model, with_values, write_counts, GEUVADIS_COUNTS};
use crate::{Case, Ctx, Expect, Run};

/// The cases of this area.
pub fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "12-training-labels-into-a-folder-leaves-no-predictions",
            run: |ctx| {
                std::fs::create_dir(ctx.path("labels")).expect("a folder");
                annotate(ctx)
                    .arg("--emit-training-labels")
                    .arg("0.5")
                    .arg("--training-labels-out")
                    .arg(ctx.path("labels"))
            },
            expect: Expect::Refused {
                code: 1,
                needles: &["--training-labels-out", "is a folder"],
            },
        },
        Case {
            name: "13-sigint-during-annotate-leaves-nothing",
            run: |ctx| {
                // 3,000 samples x 10,101 genes (60 MB): reading takes seconds, the signal comes
                // after 0.3 s, while the output is being written.
                let n = 3000;
                let mut text = String::from("gene_id");
                for i in 0..n {
                    text.push_str(&format!("\tS{i}"));
                }
                text.push('\n');
                let row = "\t5".repeat(n);
                for g in geuvadis().genes().genes() {
                    text.push_str(&g.id);
                    text.push_str(&row);
                    text.push('\n');
                }
                let input = ctx.write("big.tsv", text);
                annotate_with(ctx, sex_model(), input)
                    .signal_after("INT", Duration::from_millis(300))
            },
            expect: Expect::Refused {
                code: 130,
                needles: &["interrupted by SIGINT", "no output was written"],
            },
        },
        Case {
            name: "13-stale-temporary-of-a-killed-run-is-swept",
            run: |ctx| {
                // A process id no process has (above the kernel's largest, 4,194,304).
                ctx.write(".rnameta-tmp-4194305-abc123", "half a table");
                annotate(ctx)
            },
            expect: Expect::Answers {
                check: |ctx, run| {
                    if ctx.path(".rnameta-tmp-4194305-abc123").exists() {
                        return Err("the stale temporary is still there".into());
                    }
                    if !ctx.path("pred.tsv").is_file() {
                        return Err("no predictions written".into());
                    }
                    if !run.stderr.contains("removed 1 unfinished temporary") {
                        return Err("the sweep was not reported".into());
                    }
                    Ok(())
                },
            },
        },
        Case {
            name: "16-gene-symbols-against-an-ensembl-model",
            run: |ctx| {
                let mut text = String::from("gene\tS1\tS2\n");
                for symbol in ["XIST", "RPS4Y1", "DDX3Y", "KDM5D", "UTY", "EIF1AY", "ZFY"] {
                    text.push_str(&format!("{symbol}\t10\t20\n"));
                }
                annotate_with(ctx, sex_model(), ctx.write("symbols.tsv", text))
            },
            // The symbols are mapped onto Ensembl genes (rnameta_data::gene_ids), so what is
            // refused is how few of the model's genes seven symbols give.
            expect: Expect::Refused {
                code: 1,
                needles: &[
                    "symbols.tsv",
                    "genes of the model are missing from the data",
                ],
            },
        },
        Case {
            name: "18-negative-max-missing-says-the-range",
            run: |ctx| annotate(ctx).arg("--max-missing").arg("-1"),
            expect: Expect::Refused {
                code: 1,
                needles: &["--max-missing -1 is not in [0, 1]"],
            },
        },
        Case {
            name: "18-negative-min-prob-says-the-range",
            run: |ctx| annotate(ctx).arg("--min-prob").arg("-0.5"),
            expect: Expect::Refused {
                code: 1,
                needles: &["--min-prob -0.5 is not in [0, 1]"],
            },
        },
        Case {
            name: "20-units-that-are-none-list-the-names",
            run: |ctx| annotate(ctx).arg("--units").arg("z-score"),
            expect: Expect::Refused {
                code: 2,
                needles: &["z-score", "counts", "log2-tpm"],
            },
        },
        Case {
            name: "20-an-unknown-builtin-model-lists-the-built-in-ones",
            run: |ctx| annotate_with(ctx, "builtin:tissue", fixture(GEUVADIS_COUNTS)),
            expect: Expect::Refused {
                code: 1,
                needles: &["no built-in model \"tissue\"", "sex"],
            },
        },
        Case {
            name: "20-z-scores-to-a-unit-free-model-say-why-not",
            run: |ctx| {
                // Each gene centred over the samples: half the values negative.
                let data = geuvadis();
                let means = data.counts().mean_axis(ndarray::Axis(0)).expect("samples");
                let centred = with_values(data, |_, j, v| v - means[j]);
                annotate_with(
                    ctx,
                    "builtin:sex",
                    write_counts(ctx, "centred.tsv", &centred),
                )
            },
            expect: Expect::Refused {
                code: 1,
                needles: &["centred.tsv", "negative", "before centring"],
            },
        },
        Case {
            name: "20-check-with-a-table-of-other-samples",
            run: |ctx| {
                let table = ctx.write("strangers.tsv", "sample\tsex\nX1\tmale\nX2\tfemale\n");
                Run::new(["check", "--quiet", "--model", "builtin:sex"])
                    .arg(fixture(GEUVADIS_COUNTS))
                    .arg("--labels")
                    .arg(table)
                    .arg("-o")
                    .arg(ctx.path("report.tsv"))
            },
            expect: Expect::Refused {
                code: 1,
                needles: &["0 of 85 samples", "strangers.tsv"],
            },
        },
    ]
}

/// `annotate` with the shared sex model on the GEUVADIS counts into `pred.tsv` of the case folder.
fn annotate(ctx: &Ctx) -> Run {
    annotate_with(ctx, sex_model(), fixture(GEUVADIS_COUNTS))
}

/// `annotate --model model input` into `pred.tsv` of the case folder.
fn annotate_with(ctx: &Ctx, model: impl Into<OsString>, input: impl Into<OsString>) -> Run {
    Run::new(["annotate", "--quiet", "--model"])
        .arg(model)
        .arg(input)
        .arg("-o")
        .arg(ctx.path("pred.tsv"))
}
