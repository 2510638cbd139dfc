//! Biological programs as per-gene log effects: baseline expression, tissues (with shared group
//! programs and real markers), sex, proliferation, the culture program of cell lines, tumours.
//!
//! All programs are drawn once per cohort from the stream `biology` of the cohort seed, so every
//! study of a cohort shares them.

use std::collections::BTreeMap;

use rand::seq::index::sample as sample_indices;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp, Normal, StandardNormal};
use rnameta_core::Sex;

use crate::config::{BiologyConfig, ExpressionConfig};
use crate::genesets::{self, TISSUES};
use crate::seed;
use crate::universe::GeneUniverse;

/// Per-gene log effects shared by a cohort.
#[derive(Debug, Clone, PartialEq)]
pub struct Programs {
    /// Baseline natural-log mean expression (log CPM scale, before normalisation).
    pub base: Vec<f32>,
    /// One program per tissue of [`TISSUES`], group programs and markers included.
    pub tissue: Vec<Vec<f32>>,
    /// Effect of being female (X escape up, chrY genes down).
    pub female: Vec<f32>,
    /// Effect of being male (XIST down).
    pub male: Vec<f32>,
    /// Column of XIST.
    pub xist: usize,
    /// Columns of the chrY genes of the universe.
    pub chr_y: Vec<usize>,
    /// Proliferation (cell lines, tumours).
    pub proliferation: Vec<f32>,
    /// The common culture program of cell lines.
    pub culture: Vec<f32>,
    /// One program per TCGA project of [`genesets::TCGA_PROJECTS`].
    pub tumour: Vec<Vec<f32>>,
}

/// Adds `effect()` to `share * n` random genes of `v`.
fn sprinkle(
    v: &mut [f32],
    share: f64,
    rng: &mut ChaCha8Rng,
    mut effect: impl FnMut(&mut ChaCha8Rng) -> f32,
) {
    let n = v.len();
    let k = ((n as f64 * share).round() as usize).min(n);
    for i in sample_indices(rng, n, k).into_iter() {
        v[i] += effect(rng);
    }
}

impl Programs {
    /// Draws the programs of a cohort over `universe`.
    pub fn draw(
        universe: &GeneUniverse,
        expr: &ExpressionConfig,
        bio: &BiologyConfig,
        cohort_seed: u64,
    ) -> Self {
        let n = universe.len();
        let mut rng = seed::rng(cohort_seed, "biology", 0);
        let normal = Normal::new(0.0, expr.log_cpm_sd)
            .unwrap_or_else(|_| Normal::new(0.0, 1.0).expect("unit normal"));
        let base: Vec<f32> = (0..n)
            .map(|g| {
                let biotype = universe.biotype(g);
                let coding = biotype == "protein_coding";
                let off = if coding {
                    expr.off_share
                } else {
                    expr.noncoding_off_share
                };
                let shift = if coding {
                    0.0
                } else {
                    *expr.biotype_shift.get(biotype).unwrap_or(&expr.other_shift)
                };
                let level = expr.log_cpm_mean + shift + normal.sample(&mut rng);
                let silenced = rng.random_bool(off);
                (if silenced { level - 8.0 } else { level }) as f32
            })
            .collect();
        let mut base = base;
        let up =
            Exp::new(1.0 / bio.program_effect).unwrap_or_else(|_| Exp::new(1.0).expect("rate 1"));
        let mut groups: BTreeMap<&str, Vec<f32>> = BTreeMap::new();
        for t in &TISSUES {
            for g in t.groups {
                groups.entry(g).or_insert_with(|| {
                    let mut v = vec![0f32; n];
                    sprinkle(&mut v, bio.group_share, &mut rng, |r| {
                        (0.5 + up.sample(r)) as f32
                    });
                    v
                });
            }
        }
        let tissue = TISSUES
            .iter()
            .map(|t| {
                let mut v = vec![0f32; n];
                sprinkle(&mut v, bio.program_up_share, &mut rng, |r| {
                    (0.5 + up.sample(r)) as f32
                });
                sprinkle(&mut v, bio.program_down_share, &mut rng, |r| {
                    -(0.5 + up.sample(r)) as f32
                });
                for g in t.groups {
                    for (x, y) in v.iter_mut().zip(&groups[g]) {
                        *x += y;
                    }
                }
                for m in universe.columns_of(t.markers) {
                    v[m] += bio.marker_effect as f32;
                }
                v
            })
            .collect();
        let xist = universe.column_of(genesets::XIST).unwrap_or(0);
        let chr_y: Vec<usize> = (0..n).filter(|&g| universe.chromosome(g) == "Y").collect();
        // Sex genes are well expressed in the sex that has them.
        base[xist] = (expr.log_cpm_mean + 3.5) as f32;
        for g in universe.columns_of(&genesets::X_ESCAPE) {
            base[g] = (expr.log_cpm_mean - 1.0 + 0.5 * rng.random::<f64>()) as f32;
        }
        for g in universe.columns_of(&genesets::Y_GENES) {
            base[g] = (expr.log_cpm_mean + 0.5 + 0.5 * rng.random::<f64>()) as f32;
        }
        let mut female = vec![0f32; n];
        let mut male = vec![0f32; n];
        male[xist] = -bio.xist_effect as f32;
        // Females have no chrY: every chrY gene falls to near zero, however high its baseline.
        let floor = (expr.log_cpm_mean - 2.0) as f32;
        for &g in &chr_y {
            female[g] = -(bio.y_effect as f32) - (base[g] - floor).max(0.0);
        }
        for g in universe.columns_of(&genesets::X_ESCAPE) {
            female[g] += bio.x_escape_effect as f32;
        }
        let mut proliferation = vec![0f32; n];
        for g in universe.columns_of(&genesets::PROLIFERATION) {
            proliferation[g] = bio.proliferation_effect as f32;
        }
        sprinkle(&mut proliferation, 0.01, &mut rng, |r| {
            (0.5 * bio.proliferation_effect + 0.3 * r.sample::<f64, _>(StandardNormal)) as f32
        });
        let mut culture = vec![0f32; n];
        sprinkle(&mut culture, bio.culture_share, &mut rng, |r| {
            (1.5 * r.sample::<f64, _>(StandardNormal)) as f32
        });
        let tumour = genesets::TCGA_PROJECTS
            .iter()
            .map(|_| {
                let mut v = vec![0f32; n];
                sprinkle(&mut v, bio.tumour_share, &mut rng, |r| {
                    (1.2 * r.sample::<f64, _>(StandardNormal)) as f32
                });
                v
            })
            .collect();
        Self {
            base,
            tissue,
            female,
            male,
            xist,
            chr_y,
            proliferation,
            culture,
            tumour,
        }
    }

    /// The sex program.
    pub fn sex(&self, sex: Sex) -> &[f32] {
        match sex {
            Sex::Female => &self.female,
            Sex::Male => &self.male,
        }
    }
}
