//! Bad-input cases of `rnameta`: simulate.
//!
//! Configs are the presets with one value changed, written into the case folder; every refusal
//! comes before any simulation (a second at most, for reading the gene table).

use std::path::PathBuf;
use std::time::Duration;

use rnameta_sim::{Preset, SimConfig};

use crate::{Case, Ctx, Expect, Run};

/// The cases of this area.
pub fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "07-simulate-zero-samples-in-every-source",
            run: |ctx| {
                let config = changed(ctx, Preset::Tiny, |c| {
                    c.gtex.samples = 0;
                    c.tcga.samples = 0;
                    c.sra.studies = 0;
                    c.archs4.samples = 0;
                });
                simulate(config)
            },
            expect: Expect::Refused {
                code: 1,
                needles: &["nothing to simulate", "config.json", "set at least one"],
            },
        },
        Case {
            name: "09-simulate-gtex-samples-1e9",
            run: |ctx| {
                simulate(changed(ctx, Preset::Tiny, |c| {
                    c.gtex.samples = 1_000_000_000
                }))
            },
            expect: Expect::Refused {
                code: 1,
                needles: &[
                    "config.json",
                    "gtex.samples = 1000000000",
                    "allowed: 0 to 100,000",
                ],
            },
        },
        Case {
            name: "09-simulate-archs4-samples-1e10",
            run: |ctx| {
                simulate(changed(ctx, Preset::Archs4, |c| {
                    c.archs4.samples = 10_000_000_000;
                }))
            },
            expect: Expect::Refused {
                code: 1,
                needles: &["archs4.samples = 10000000000", "allowed: 0 to 10,000,000"],
            },
        },
        Case {
            name: "09-simulate-reads-per-gene-1e30",
            run: |ctx| simulate(changed(ctx, Preset::Tiny, |c| c.gtex.reads_per_gene = 1e30)),
            expect: Expect::Refused {
                code: 1,
                needles: &["gtex.reads_per_gene = 1e30", "at most 100,000"],
            },
        },
        Case {
            name: "09-simulate-n-genes-1e12",
            run: |ctx| {
                simulate(changed(ctx, Preset::Tiny, |c| {
                    c.universe.n_genes = 1_000_000_000_000;
                }))
            },
            expect: Expect::Refused {
                code: 1,
                needles: &[
                    "config.json",
                    "universe.n_genes = 1000000000000",
                    "200 to 53,955",
                ],
            },
        },
        Case {
            name: "09-simulate-cohort-too-large-for-this-machine",
            // Within every field's limit, but 800,000 TCGA samples of 50,000 genes: about 200 GB
            // of memory and 90 TB of disk.
            run: |ctx| {
                simulate(changed(ctx, Preset::Tiny, |c| {
                    c.tcga.samples = 800_000;
                    c.universe.n_genes = 50_000;
                }))
            },
            expect: Expect::Refused {
                code: 1,
                needles: &["needs about", "is available", "lower archs4.samples"],
            },
        },
        Case {
            name: "14-simulate-interrupted-leaves-no-half-cohort",
            // The small preset runs for about 10 s; Ctrl-C after 2 s, while sources are written.
            run: |_| {
                Run::new([
                    "simulate", "--quiet", "--preset", "small", "--out", "cohort",
                ])
                .signal_after("INT", Duration::from_secs(2))
            },
            expect: Expect::Refused {
                code: 130,
                needles: &["SIGINT"],
            },
        },
        Case {
            name: "22-simulate-unknown-preset",
            run: |_| Run::new(["simulate", "--preset", "huge", "--out", "cohort"]),
            expect: Expect::Refused {
                code: 2,
                needles: &["huge"],
            },
        },
    ]
}

/// The preset with `change` applied, written to `config.json` in the case folder.
fn changed(ctx: &Ctx, preset: Preset, change: impl FnOnce(&mut SimConfig)) -> PathBuf {
    let mut config = SimConfig::preset(preset);
    change(&mut config);
    ctx.write("config.json", config.to_json())
}

/// `rnameta simulate --quiet --config CONFIG --out cohort`.
fn simulate(config: PathBuf) -> Run {
    Run::new(["simulate", "--quiet", "--out", "cohort", "--config"]).arg(config)
}
