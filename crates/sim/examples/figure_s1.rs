//! Writes `docs/figures/s1_simulated.svg`, the paper's Figure S1 on a simulated cohort (tiny
//! preset, seed 42): chrX against chrY log-CPM sums for GTEx-like and SRA-like samples.
//! `cargo run -p rnameta-sim --example figure_s1`

use std::path::Path;

use rnameta_core::Sex;
use rnameta_sim::figure::{auc, s1_svg, sex_scores};
use rnameta_sim::{GeneUniverse, Preset, SimConfig, Simulator};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let config = SimConfig::preset(Preset::Tiny);
    let universe = GeneUniverse::from_ensembl(
        &rnameta_sim::universe::default_gene_table(),
        &config.universe,
    )?;
    let sim = Simulator::new(config, universe)?;
    let (gtex, sra) = (sim.gtex()?, sim.sra()?);
    let points = |c: &rnameta_sim::SourceCohort| {
        let sexes: Vec<Option<Sex>> = c.dataset.samples().iter().map(|s| s.sex).collect();
        sex_scores(&c.dataset, &sexes)
    };
    let (g, s) = (points(&gtex), points(&sra));
    let score = |p: &[rnameta_sim::figure::SexPoint]| {
        let v: Vec<(f64, Sex)> = p
            .iter()
            .filter_map(|x| x.sex.map(|sex| (x.chr_y - x.chr_x, sex)))
            .collect();
        auc(&v).unwrap_or(f64::NAN)
    };
    let svg = s1_svg(
        "Simulated data (rnameta sim, tiny preset, seed 42): sex genes, cf. Figure S1",
        &[
            (
                &format!("GTEx-like, {} samples (AUC {:.3})", g.len(), score(&g)),
                &g,
            ),
            (
                &format!("SRA-like, {} samples (AUC {:.3})", s.len(), score(&s)),
                &s,
            ),
        ],
    );
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/figures/s1_simulated.svg");
    std::fs::write(&path, svg)?;
    println!(
        "wrote {} (GTEx AUC {:.4}, SRA AUC {:.4})",
        path.display(),
        score(&g),
        score(&s)
    );
    Ok(())
}
