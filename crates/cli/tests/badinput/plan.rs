//! Bad-input cases of `rnameta plan`: a damaged or missing recount3 project table, a MetaSRA
//! argument that is not MetaSRA, no mirror at all, options out of range. Each mirror is a few
//! lines written into the case folder (plain text under the server's `.gz` names: the readers
//! tell gzip by its bytes).

use std::path::PathBuf;

use crate::{Case, Ctx, Expect, Run};

/// The header of recount3's project table.
const HEADER: &str =
    "rail_id\texternal_id\tstudy\tproject\torganism\tfile_source\tmetadata_source\tdate_processed";
/// Where the SRA project table lies below the mirror's root.
const SRA_TABLE: &str = "recount3/human/data_sources/sra/metadata/sra.recount_project.MD.gz";

/// The cases of this area.
pub fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "22-plan-project-table-without-organism-column",
            run: |ctx| {
                ctx.write(
                    SRA_TABLE,
                    "rail_id\texternal_id\tstudy\tproject\tfile_source\tmetadata_source\n\
                     1\tSRR1\tSRP1\tSRP1\tdata_sources/sra\tdata_sources/sra\n",
                );
                plan(ctx, &[])
            },
            expect: Expect::Refused {
                code: 1,
                needles: &[
                    "sra.recount_project.MD.gz:1",
                    "missing column \"organism\"",
                    "date_processed",
                ],
            },
        },
        Case {
            name: "22-plan-project-table-row-without-project",
            run: |ctx| {
                ctx.write(
                    SRA_TABLE,
                    format!(
                        "{HEADER}\n1\tSRR1\tSRP1\tSRP1\tHomo sapiens\tdata_sources/sra\tdata_sources/sra\t2019-10-01\n\
                         2\tSRR2\tSRP1\t\tHomo sapiens\tdata_sources/sra\tdata_sources/sra\t2019-10-01\n"
                    ),
                );
                plan(ctx, &[])
            },
            expect: Expect::Refused {
                code: 1,
                needles: &["sra.recount_project.MD.gz:3", "project value"],
            },
        },
        Case {
            name: "22-plan-metasra-is-a-tab-separated-table",
            run: |ctx| {
                mirror(ctx);
                let labels = ctx.write("labels.tsv", "sample\ttissue\nSRS1\tlung\n");
                plan(ctx, &[&"--metasra".into(), &labels])
            },
            expect: Expect::Refused {
                code: 1,
                needles: &[
                    "labels.tsv",
                    "not a MetaSRA JSON release",
                    "rnameta fetch metasra",
                ],
            },
        },
        Case {
            name: "22-plan-metasra-json-keyed-by-other-ids",
            run: |ctx| {
                mirror(ctx);
                let json = ctx.write("metasra.json", r#"{"lung": {"sample type": "tissue"}}"#);
                plan(ctx, &[&"--metasra".into(), &json])
            },
            expect: Expect::Refused {
                code: 1,
                needles: &["metasra.json", "not SRA sample accessions", "first keys: lung"],
            },
        },
        Case {
            name: "22-plan-no-recount3-mirror",
            run: |ctx| {
                ctx.write("notes.txt", "nothing here");
                plan(ctx, &[])
            },
            expect: Expect::Refused {
                code: 1,
                needles: &["no recount3 mirror", "recount3/human/"],
            },
        },
        Case {
            name: "22-plan-mirror-without-project-table",
            run: |ctx| {
                ctx.write(
                    "recount3/human/data_sources/sra/metadata/01/SRP1/sra.sra.SRP1.MD.gz",
                    "rail_id\texternal_id\tstudy\n1\tSRR1\tSRP1\n",
                );
                plan(ctx, &[])
            },
            expect: Expect::Refused {
                code: 1,
                needles: &[
                    "sra.recount_project.MD.gz",
                    "https://duffel.rail.bio/recount3/human/data_sources/sra/metadata/sra.recount_project.MD.gz",
                ],
            },
        },
        Case {
            name: "22-plan-sample-type-confidence-above-1",
            run: |ctx| {
                mirror(ctx);
                let json = ctx.write(
                    "metasra.json",
                    r#"{"SRS1": {"sample type": "tissue", "sample-type confidence": 0.9}}"#,
                );
                plan(
                    ctx,
                    &[
                        &"--metasra".into(),
                        &json,
                        &"--min-sample-type-confidence".into(),
                        &"1.5".into(),
                    ],
                )
            },
            expect: Expect::Refused {
                code: 1,
                needles: &["--min-sample-type-confidence 1.5", "from 0 to 1"],
            },
        },
        Case {
            name: "22-plan-uberon-without-metasra",
            run: |ctx| {
                mirror(ctx);
                let obo = ctx.write("basic.obo", "format-version: 1.2\n");
                plan(ctx, &[&"--uberon".into(), &obo])
            },
            expect: Expect::Refused {
                code: 2,
                // clap names `--metasra <FILE>` on the next line.
                needles: &["required arguments were not provided"],
            },
        },
        Case {
            name: "22-plan-out-is-a-file",
            run: |ctx| {
                mirror(ctx);
                let out = ctx.write("plan", "a file");
                Run::new(["plan", "--recount3"])
                    .arg(ctx.path("recount3"))
                    .arg("--out")
                    .arg(out)
            },
            expect: Expect::Refused {
                code: 1,
                needles: &["--out", "is a file"],
            },
        },
    ]
}

/// A mirror whose SRA project table lists one project with one run.
fn mirror(ctx: &Ctx) {
    ctx.write(
        SRA_TABLE,
        format!(
            "{HEADER}\n1\tSRR1\tSRP1\tSRP1\tHomo sapiens\tdata_sources/sra\tdata_sources/sra\t2019-10-01\n"
        ),
    );
}

/// `rnameta plan --recount3 DIR/recount3 --out DIR/plan EXTRA...` (a mirror path that does not
/// exist is given as the case folder itself).
fn plan(ctx: &Ctx, extra: &[&PathBuf]) -> Run {
    let recount3 = ctx.path("recount3");
    let root = if recount3.exists() {
        recount3
    } else {
        ctx.dir.clone()
    };
    let mut run = Run::new(["plan", "--recount3"])
        .arg(root)
        .arg("--out")
        .arg(ctx.path("plan"));
    for arg in extra {
        run = run.arg(arg.as_path());
    }
    run
}
