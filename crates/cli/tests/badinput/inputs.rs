//! Bad-input cases of `rnameta`: the expression files themselves (values, layout, the same
//! samples twice, files that are not expression data).

use std::process::Command;

use crate::support::{
    fixture, geuvadis, sex_model, with_values, write_counts, GEUVADIS_COUNTS, GEUVADIS_LABELS,
};
use crate::{Case, Ctx, Expect, Run};

/// The cases of this area.
pub fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "05-same-samples-in-two-files-evaluate",
            run: |ctx| {
                let a = write_counts(ctx, "a.tsv", geuvadis());
                let b = write_counts(ctx, "b.tsv", geuvadis());
                Run::new(["evaluate", "--quiet", "--model"])
                    .arg(sex_model())
                    .arg(a)
                    .arg(b)
                    .arg("--labels")
                    .arg(fixture(GEUVADIS_LABELS))
            },
            expect: Expect::Refused {
                code: 1,
                needles: &["is in both", "a.tsv", "b.tsv"],
            },
        },
        Case {
            name: "05-same-samples-in-two-files-annotate",
            run: |ctx| {
                let a = write_counts(ctx, "a.tsv", geuvadis());
                let b = write_counts(ctx, "b.tsv", geuvadis());
                Run::new(["annotate", "--quiet", "--model"])
                    .arg(sex_model())
                    .arg(a)
                    .arg(b)
                    .arg("-o")
                    .arg(ctx.path("pred.tsv"))
            },
            expect: Expect::Refused {
                code: 1,
                needles: &["is in both", "a.tsv", "b.tsv"],
            },
        },
        Case {
            name: "06-trailing-tab-on-every-line",
            run: |ctx| {
                let m = ctx.write(
                    "m.tsv",
                    "gene_id\tS1\tS2\t\nENSG00000000419\t3\t4\t\nENSG00000000457\t5\t0\t\n",
                );
                Run::new(["inspect"]).arg(m)
            },
            expect: Expect::Refused {
                code: 1,
                needles: &["m.tsv:1", "ends with a tab"],
            },
        },
        Case {
            name: "17-one-negative-count-named",
            run: |ctx| {
                let data = with_values(
                    geuvadis(),
                    |i, j, v| if (i, j) == (3, 7) { -1.0 } else { v },
                );
                let path = write_counts(ctx, "neg.tsv", &data);
                annotate(ctx, path)
            },
            expect: Expect::Refused {
                code: 1,
                needles: &["neg.tsv", "1 negative of", "sample NA20506", "gene ENSG"],
            },
        },
        Case {
            name: "19-all-zero-counts",
            run: |ctx| {
                let path = write_counts(ctx, "zero.tsv", &with_values(geuvadis(), |_, _, _| 0.0));
                annotate(ctx, path)
            },
            expect: Expect::Refused {
                code: 1,
                needles: &["zero.tsv", "holds only zeros"],
            },
        },
        Case {
            name: "23-archs4-object-failing-its-checksum-is-damaged",
            run: |ctx| {
                let path = ctx.path("damaged.h5");
                rnameta_io::archs4::write(&path, geuvadis(), &Default::default())
                    .expect("an ARCHS4 file");
                let mut bytes = std::fs::read(&path).expect("the file");
                // One byte of every version-2 object header but the root group's: each fails
                // its checksum.
                let headers: Vec<usize> = bytes
                    .windows(4)
                    .enumerate()
                    .filter(|(_, w)| *w == b"OHDR")
                    .map(|(i, _)| i)
                    .skip(1)
                    .collect();
                for at in headers {
                    bytes[at + 7] ^= 0xff;
                }
                std::fs::write(&path, bytes).expect("the damaged copy");
                annotate(ctx, path)
            },
            expect: Expect::Refused {
                code: 1,
                needles: &[
                    "damaged.h5",
                    "the file is damaged",
                    "download or copy it again",
                ],
            },
        },
        Case {
            name: "24-prediction-table-given-as-input",
            run: |ctx| {
                let pred = ctx.path("pred.parquet");
                let made = Command::new(crate::binary())
                    .args(["annotate", "--quiet", "--model"])
                    .arg(sex_model())
                    .arg(fixture(GEUVADIS_COUNTS))
                    .arg("-o")
                    .arg(&pred)
                    .output()
                    .expect("rnameta runs");
                assert!(made.status.success(), "{made:?}");
                annotate(ctx, pred)
            },
            expect: Expect::Refused {
                code: 1,
                needles: &[
                    "pred.parquet",
                    "a prediction table",
                    "not an expression matrix",
                ],
            },
        },
        Case {
            name: "25-value-beyond-f32",
            run: |ctx| {
                let m = ctx.write(
                    "big.tsv",
                    "gene_id\tS1\tS2\nENSG00000000419\t3\t1e40\nENSG00000000457\t5\t0\n",
                );
                annotate(ctx, m)
            },
            expect: Expect::Refused {
                code: 1,
                needles: &["big.tsv", "1e40", "beyond the largest 32-bit float"],
            },
        },
        Case {
            name: "27-inspect-skips-a-readme-beside-the-data",
            run: |ctx| {
                let readme = ctx.write("README.md", "# data\nsee the paper\n");
                Run::new(["inspect"])
                    .arg(readme)
                    .arg(fixture(GEUVADIS_COUNTS))
            },
            expect: Expect::Answers {
                check: |_, run| {
                    let out = &run.stdout;
                    if !out.contains("README.md: skipped") {
                        return Err("README.md not said to be skipped".into());
                    }
                    if !out.contains("samples:       85") {
                        return Err("the counts file after README.md was not inspected".into());
                    }
                    Ok(())
                },
            },
        },
        Case {
            name: "28-os-error-said-once",
            run: |ctx| {
                Run::new(["annotate", "--quiet", "--model"])
                    .arg(sex_model())
                    .arg(fixture(GEUVADIS_COUNTS))
                    .arg("--labels")
                    .arg(ctx.path("no-such-labels.tsv"))
                    .arg("-o")
                    .arg(ctx.path("pred.tsv"))
            },
            expect: Expect::RefusedSaying {
                code: 1,
                check: |line| {
                    if !line.contains("no-such-labels.tsv") {
                        return Err("the missing file is not named".into());
                    }
                    match line.matches("os error 2").count() {
                        1 => Ok(()),
                        n => Err(format!("the OS error is said {n} times")),
                    }
                },
            },
        },
        Case {
            name: "28-output-is-an-existing-folder",
            run: |ctx| {
                std::fs::create_dir(ctx.path("results")).expect("a folder");
                Run::new(["annotate", "--quiet", "--model"])
                    .arg(sex_model())
                    .arg(fixture(GEUVADIS_COUNTS))
                    .arg("-o")
                    .arg(ctx.path("results"))
            },
            expect: Expect::Refused {
                code: 1,
                needles: &["-o", "results", "is a folder"],
            },
        },
    ]
}

/// `annotate` with the shared sex model on `input`, into `pred.tsv` of the case folder.
fn annotate(ctx: &Ctx, input: std::path::PathBuf) -> Run {
    Run::new(["annotate", "--quiet", "--model"])
        .arg(sex_model())
        .arg(input)
        .arg("-o")
        .arg(ctx.path("pred.tsv"))
}
