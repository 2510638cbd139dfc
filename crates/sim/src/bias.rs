//! Study bias: every study draws its technical bias from one low-rank protocol space shared by the
//! cohort, plus gene-wise noise.
//!
//! The named axes (all per-gene log effects):
//! - **polyA vs total RNA**: total-RNA libraries keep non-polyadenylated RNAs (snRNA, snoRNA,
//!   misc_RNA, Mt_rRNA, Mt_tRNA, miRNA precursors) and intronic reads of long genes;
//! - **3' bias**: a study coefficient in [0, `three_prime_max`] times minus the centred log length
//!   of the longest transcript (long transcripts lose coverage);
//! - **GC**: a linear and a quadratic effect of the gene's GC proxy;
//! - **degradation** (low RIN): like 3' bias, on the centred log genomic span;
//! - `rank` latent axes with N(0, 1) loadings, each study drawing N(0, `latent_sd`) coefficients.
//!
//! The gene-wise noise is N(0, `gene_noise_sd`) per gene and study. A source's scale
//! (`gtex_scale`, `tcga_scale`, `sra_scale`) multiplies every term.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

use crate::config::BiasConfig;
use crate::seed;
use crate::universe::GeneUniverse;

/// Biotypes that polyA selection removes (boosted in total-RNA libraries).
pub const NON_POLYA: [&str; 7] = [
    "snRNA", "snoRNA", "misc_RNA", "Mt_rRNA", "Mt_tRNA", "miRNA", "scaRNA",
];
/// Small-RNA biotypes (dominant in small-RNA libraries).
pub const SMALL_RNA: [&str; 5] = ["miRNA", "snRNA", "snoRNA", "misc_RNA", "scaRNA"];

/// The per-gene axes of the protocol space of a cohort.
#[derive(Debug, Clone, PartialEq)]
pub struct ProtocolSpace {
    non_polya: Vec<f32>,
    small_rna: Vec<f32>,
    length: Vec<f32>,
    span: Vec<f32>,
    gc: Vec<f32>,
    latent: Vec<Vec<f32>>,
}

/// The protocol a study used, as recorded in its truth.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// polyA-selected mRNA.
    PolyA,
    /// Ribosomal depletion (total RNA).
    TotalRna,
    /// Small-RNA library (to be removed by QC).
    SmallRna,
}

impl Protocol {
    /// Name in truth tables.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PolyA => "polyA",
            Self::TotalRna => "total_rna",
            Self::SmallRna => "small_rna",
        }
    }
}

/// The drawn bias of one study.
#[derive(Debug, Clone, PartialEq)]
pub struct StudyBias {
    /// Per-gene log effect.
    pub effect: Vec<f32>,
    /// The protocol.
    pub protocol: Protocol,
    /// Read length (bases), for recount3 coverage.
    pub read_length: u32,
}

fn centred(values: impl Iterator<Item = f64>) -> Vec<f32> {
    let v: Vec<f64> = values.collect();
    let mean = v.iter().sum::<f64>() / v.len().max(1) as f64;
    v.iter().map(|x| (x - mean) as f32).collect()
}

impl ProtocolSpace {
    /// The axes for `universe`; latent loadings from the cohort seed.
    pub fn new(universe: &GeneUniverse, config: &BiasConfig, cohort_seed: u64) -> Self {
        let n = universe.len();
        let genes = universe.annotation().genes();
        let indicator = |set: &[&str]| {
            (0..n)
                .map(|g| f32::from(u8::from(set.contains(&universe.biotype(g)))))
                .collect()
        };
        let length = centred(
            genes
                .iter()
                .map(|g| f64::from(g.longest_transcript_length.unwrap_or(1000)).ln()),
        );
        let span = centred(universe.spans().iter().map(|&s| (s as f64).ln()));
        let gc = universe
            .gc_proxy()
            .iter()
            .map(|&g| (g - 41.0) / 10.0)
            .collect();
        let mut rng = seed::rng(cohort_seed, "protocol-space", 0);
        let latent = (0..config.rank)
            .map(|_| {
                (0..n)
                    .map(|_| rng.sample::<f64, _>(StandardNormal) as f32)
                    .collect()
            })
            .collect();
        Self {
            non_polya: indicator(&NON_POLYA),
            small_rna: indicator(&SMALL_RNA),
            length,
            span,
            gc,
            latent,
        }
    }

    /// Draws a study's bias with `rng`; `scale` is the source's multiplier; `protocol` may be forced
    /// (small-RNA studies), else polyA or total RNA is drawn.
    pub fn draw(
        &self,
        config: &BiasConfig,
        scale: f64,
        forced: Option<Protocol>,
        rng: &mut ChaCha8Rng,
    ) -> StudyBias {
        let protocol = forced.unwrap_or_else(|| {
            if rng.random_bool(config.total_rna_share) {
                Protocol::TotalRna
            } else {
                Protocol::PolyA
            }
        });
        let normal = |rng: &mut ChaCha8Rng| rng.sample::<f64, _>(StandardNormal);
        let three_prime = config.three_prime_max * rng.random::<f64>() * scale;
        let degradation = config.degradation_max * rng.random::<f64>() * scale;
        let gc1 = config.gc_sd * normal(rng) * scale;
        let gc2 = 0.3 * config.gc_sd * normal(rng) * scale;
        let latent: Vec<f64> = (0..self.latent.len())
            .map(|_| config.latent_sd * normal(rng) * scale)
            .collect();
        let (polya_term, small_term, intronic) = match protocol {
            Protocol::PolyA => (0.0, 0.0, 0.0),
            Protocol::TotalRna => (config.total_rna_effect, 0.0, 0.3),
            Protocol::SmallRna => (config.total_rna_effect, 9.0, 0.0),
        };
        let read_length = [50, 75, 76, 100, 101, 125, 150][rng.random_range(0..7)];
        let n = self.length.len();
        let effect = (0..n)
            .map(|g| {
                let gc = f64::from(self.gc[g]);
                let mut e = -three_prime * f64::from(self.length[g])
                    - degradation * f64::from(self.span[g]).max(0.0) * 0.5
                    + gc1 * gc
                    + gc2 * gc * gc
                    + polya_term * f64::from(self.non_polya[g])
                    + small_term * f64::from(self.small_rna[g])
                    + intronic * f64::from(self.span[g]).max(0.0);
                if protocol == Protocol::SmallRna && self.small_rna[g] == 0.0 {
                    e -= 2.0;
                }
                for (coef, axis) in latent.iter().zip(&self.latent) {
                    e += coef * f64::from(axis[g]);
                }
                e += config.gene_noise_sd * scale * normal(rng);
                e as f32
            })
            .collect();
        StudyBias {
            effect,
            protocol,
            read_length,
        }
    }
}
