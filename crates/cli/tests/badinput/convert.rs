//! Bad-input cases of `rnameta convert`: an output that is not a Parquet file name or whose folder
//! does not exist and a `--labels` file that is neither a label table nor MetaSRA (nothing
//! written), and the paper's SRA QC asked of inputs with no SRA sample (said, not passed over).

use crate::support::{fixture, GEUVADIS_COUNTS};
use crate::{Case, Expect, Run};

/// The cases of this area.
pub fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "22-convert-out-not-parquet",
            run: |ctx| {
                Run::new(["convert"])
                    .arg(fixture(GEUVADIS_COUNTS))
                    .arg("--out")
                    .arg(ctx.path("counts.tsv"))
            },
            expect: Expect::Refused {
                code: 1,
                needles: &["--out", "counts.tsv", "ending in .parquet"],
            },
        },
        Case {
            name: "22-convert-out-folder-missing",
            run: |ctx| {
                Run::new(["convert"])
                    .arg(fixture(GEUVADIS_COUNTS))
                    .arg("--out")
                    .arg(ctx.path("missing/shard.parquet"))
            },
            expect: Expect::Refused {
                code: 1,
                needles: &["--out", "missing", "does not exist", "create it first"],
            },
        },
        Case {
            name: "22-convert-labels-neither-table-nor-metasra",
            run: |ctx| {
                let labels = ctx.write("labels.json", r#"{"not": "a label table"}"#);
                Run::new(["convert"])
                    .arg(fixture(GEUVADIS_COUNTS))
                    .arg("--labels")
                    .arg(labels)
                    .arg("--out")
                    .arg(ctx.path("shard.parquet"))
            },
            expect: Expect::Refused {
                code: 1,
                needles: &["labels.json"],
            },
        },
        Case {
            name: "22-convert-sra-qc-on-no-sra-sample",
            run: |ctx| {
                // A plain matrix: no sample is known to come from the SRA, so the paper's SRA QC
                // has nothing to judge, which the command must say rather than pass in silence.
                Run::new(["convert"])
                    .arg(fixture(GEUVADIS_COUNTS))
                    .arg("--sra-qc")
                    .arg("--out")
                    .arg(ctx.path("shard.parquet"))
            },
            expect: Expect::Answers {
                check: |ctx, finished| {
                    if !finished.stderr.contains("no SRA sample") {
                        return Err(format!(
                            "no note that nothing was QCed: {}",
                            finished.stderr
                        ));
                    }
                    if !ctx.path("shard.parquet").is_file() {
                        return Err("no shard written".to_owned());
                    }
                    Ok(())
                },
            },
        },
    ]
}
