//! The gene universe: real Ensembl 100 genes (ids, symbols, chromosomes, biotypes, positions),
//! with transcript and exon lengths derived from the annotation's spans and coding lengths.
//!
//! Lengths. The Ensembl table gives the genomic span (`End - Start + 1`) and `gene_coding_length`
//! (the summed exon length). The simulator takes `union_exon_length = min(coding length, span)` and
//! a longest transcript of 60-100 % of it (a fraction fixed by the gene id), because one
//! transcript rarely covers every exon of a gene. The GTF writer turns these into exon models that
//! read back to exactly these two lengths ([`GeneUniverse::gene_models`]).
//!
//! GC. The annotation has no GC content, so a proxy is derived from the gene id: 41 % plus a
//! normal deviate of 5 points (the spread of human gene GC), clamped to 30-65 %. It only feeds the
//! GC axis of study bias; it is never written as if it were measured.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use rand::seq::SliceRandom;
use rnameta_core::{GeneAnnotation, GeneInfo};
use rnameta_io::annotation::{read_gene_table_with, ColumnNames};
use rnameta_io::gtf::{GeneModel, TranscriptModel};
use rnameta_io::source::LineReader;

use crate::config::UniverseConfig;
use crate::error::{Error, Result};
use crate::genesets;
use crate::seed;

/// Chromosomes the simulator takes genes from (no alternative haplotypes or scaffolds); defined
/// in `config`, which checks `universe.whole_chromosomes` against them.
pub use crate::config::PRIMARY_CHROMOSOMES;

/// The Ensembl 100 gene table shipped in the workspace (`fixtures/real/`), found from this
/// crate's source directory; the command line takes another with `--genes`.
pub fn default_gene_table() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/real/ensembl100_grch38_genes.tsv.gz")
}

/// The simulated genes with what the simulator needs to know about each.
#[derive(Debug, Clone, PartialEq)]
pub struct GeneUniverse {
    genes: GeneAnnotation,
    starts: Vec<u64>,
    strands: Vec<char>,
    spans: Vec<u64>,
    gc: Vec<f32>,
    by_symbol: HashMap<String, usize>,
}

/// Refuses a config the gene table cannot serve instead of silently simulating fewer genes: a
/// listed biotype without a gene in the table (a misspelt name), or more genes than the required
/// genes, `whole_chromosomes` and the listed biotypes hold together. (A biotype whose share asks
/// for more genes than it has gives all of them; that is why the paper preset has 19,924 genes
/// rather than 20,000, see docs/simulation.md.)
fn check_against_table(
    config: &UniverseConfig,
    table: &Path,
    table_biotypes: &BTreeSet<&str>,
    chosen: &BTreeSet<usize>,
    by_biotype: &BTreeMap<&str, Vec<usize>>,
) -> Result<()> {
    for (biotype, share) in &config.biotype_shares {
        if !table_biotypes.contains(biotype.as_str()) {
            return Err(Error::Config {
                file: None,
                field: format!("universe.biotype_shares.{biotype}"),
                value: format!("{share:?}"),
                allowed: format!(
                    "biotypes of the genes on chromosomes 1-22, X, Y, MT in {} (protein_coding, \
                     lncRNA, miRNA, ...; names as in the table's biotype column)",
                    table.display()
                ),
            });
        }
    }
    let available = chosen.len() + by_biotype.values().map(Vec::len).sum::<usize>();
    if config.n_genes > available {
        return Err(Error::Config {
            file: None,
            field: "universe.n_genes".into(),
            value: config.n_genes.to_string(),
            allowed: format!(
                "{} to {} (the required genes and the genes of the listed biotypes on \
                 chromosomes 1-22, X, Y, MT in {})",
                crate::config::limits::MIN_GENES,
                crate::config::thousands(available),
                table.display()
            ),
        });
    }
    Ok(())
}

/// One row of the Ensembl table with the columns the annotation reader does not map.
#[derive(Debug, Clone)]
struct Placement {
    start: u64,
    end: u64,
    strand: char,
    coding_length: u64,
}

impl GeneUniverse {
    /// Reads the Ensembl 100 table (`fixtures/real/ensembl100_grch38_genes.tsv.gz`) and picks the
    /// genes of `config`: every required gene (sex, marker, proliferation, mitochondrial rRNA),
    /// every gene of `whole_chromosomes` in the listed biotypes, then a seeded draw per biotype up
    /// to `n_genes`. Genes keep the table's order (sorted by id). Refuses a table that lacks a
    /// required gene.
    pub fn from_ensembl(path: &Path, config: &UniverseConfig) -> Result<Self> {
        let names = ColumnNames::default();
        let annotation = read_gene_table_with(path, &names)?;
        let placements = read_placements(path)?;
        let primary: BTreeSet<&str> = PRIMARY_CHROMOSOMES.into_iter().collect();
        let candidates: Vec<&GeneInfo> = annotation
            .genes()
            .iter()
            .filter(|g| {
                g.chromosome.as_deref().is_some_and(|c| primary.contains(c))
                    && placements.contains_key(&g.id)
            })
            .collect();
        let mut first_by_symbol: HashMap<&str, usize> = HashMap::new();
        for (i, g) in candidates.iter().enumerate() {
            if let Some(s) = g.symbol.as_deref() {
                first_by_symbol.entry(s).or_insert(i);
            }
        }
        let mut chosen: BTreeSet<usize> = BTreeSet::new();
        let mut missing = Vec::new();
        for symbol in genesets::required_symbols() {
            match first_by_symbol.get(symbol) {
                Some(&i) => {
                    chosen.insert(i);
                }
                None => missing.push(symbol),
            }
        }
        if !missing.is_empty() {
            return Err(Error::Universe(format!(
                "{} lacks required genes {missing:?}",
                path.display()
            )));
        }
        let shares = &config.biotype_shares;
        for (i, g) in candidates.iter().enumerate() {
            let on_whole = g
                .chromosome
                .as_deref()
                .is_some_and(|c| config.whole_chromosomes.iter().any(|w| w == c));
            let listed = g.biotype.as_deref().is_some_and(|b| shares.contains_key(b));
            if on_whole && listed {
                chosen.insert(i);
            }
        }
        let remaining = config.n_genes.saturating_sub(chosen.len());
        let total_share: f64 = shares.values().sum();
        let mut by_biotype: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (i, g) in candidates.iter().enumerate() {
            if let Some(b) = g.biotype.as_deref() {
                if shares.contains_key(b) && !chosen.contains(&i) {
                    by_biotype.entry(b).or_default().push(i);
                }
            }
        }
        let table_biotypes: BTreeSet<&str> = candidates
            .iter()
            .filter_map(|g| g.biotype.as_deref())
            .collect();
        check_against_table(config, path, &table_biotypes, &chosen, &by_biotype)?;
        let mut rng = seed::rng(config.seed, "universe", 0);
        for (biotype, mut pool) in by_biotype {
            let want = (remaining as f64 * shares[biotype] / total_share).round() as usize;
            pool.shuffle(&mut rng);
            chosen.extend(pool.into_iter().take(want));
        }
        let mut genes = Vec::with_capacity(chosen.len());
        let (mut starts, mut strands, mut spans, mut gc) = (vec![], vec![], vec![], vec![]);
        for &i in &chosen {
            let g = candidates[i];
            let p = &placements[&g.id];
            let span = p.end.saturating_sub(p.start) + 1;
            let union = p.coding_length.clamp(1, span);
            let fraction = 0.6 + 0.4 * seed::unit_from(&g.id, 11);
            let longest =
                ((union as f64 * fraction).round() as u64).clamp(union.div_ceil(2), union);
            genes.push(GeneInfo {
                id: g.id.clone(),
                source_id: None,
                symbol: g.symbol.clone(),
                chromosome: g.chromosome.clone(),
                biotype: g.biotype.clone(),
                longest_transcript_length: u32::try_from(longest).ok(),
                union_exon_length: u32::try_from(union).ok(),
                gc_percent: None,
            });
            starts.push(p.start);
            strands.push(p.strand);
            spans.push(span);
            gc.push(gc_proxy(&g.id));
        }
        let genes = GeneAnnotation::new(genes)?;
        let by_symbol = genes
            .genes()
            .iter()
            .enumerate()
            .filter_map(|(i, g)| g.symbol.clone().map(|s| (s, i)))
            .fold(HashMap::new(), |mut m, (s, i)| {
                m.entry(s).or_insert(i);
                m
            });
        Ok(Self {
            genes,
            starts,
            strands,
            spans,
            gc,
            by_symbol,
        })
    }

    /// The genes, in column order.
    pub fn annotation(&self) -> &GeneAnnotation {
        &self.genes
    }

    /// Number of genes.
    pub fn len(&self) -> usize {
        self.genes.len()
    }

    /// True when there are no genes.
    pub fn is_empty(&self) -> bool {
        self.genes.is_empty()
    }

    /// Column of a gene symbol (the first gene with it).
    pub fn column_of(&self, symbol: &str) -> Option<usize> {
        self.by_symbol.get(symbol).copied()
    }

    /// Columns of the symbols that are in the universe, in the order given.
    pub fn columns_of(&self, symbols: &[&str]) -> Vec<usize> {
        symbols.iter().filter_map(|s| self.column_of(s)).collect()
    }

    /// The GC proxy of each gene, in percent.
    pub fn gc_proxy(&self) -> &[f32] {
        &self.gc
    }

    /// Genomic span of each gene in bases.
    pub fn spans(&self) -> &[u64] {
        &self.spans
    }

    /// Biotype of a column (empty when unknown).
    pub fn biotype(&self, column: usize) -> &str {
        self.genes
            .get(column)
            .and_then(|g| g.biotype.as_deref())
            .unwrap_or("")
    }

    /// Chromosome of a column (empty when unknown).
    pub fn chromosome(&self, column: usize) -> &str {
        self.genes
            .get(column)
            .and_then(|g| g.chromosome.as_deref())
            .unwrap_or("")
    }

    /// Exon models for the GTF writer: a main transcript of `longest_transcript_length` bases in
    /// up to 20 exons ending at the gene's end, and (when the union is longer) a second transcript
    /// of one exon covering the first `union - longest` bases, so that reading the GTF back gives
    /// exactly the two lengths of the annotation.
    pub fn gene_models(&self) -> Vec<GeneModel> {
        self.genes
            .genes()
            .iter()
            .enumerate()
            .map(|(i, g)| {
                let union = u64::from(g.union_exon_length.unwrap_or(1));
                let longest = u64::from(g.longest_transcript_length.unwrap_or(1));
                exon_model(
                    g.clone(),
                    self.starts[i],
                    self.spans[i],
                    union,
                    longest,
                    self.strands[i],
                )
            })
            .collect()
    }
}

fn exon_model(
    gene: GeneInfo,
    start: u64,
    span: u64,
    union: u64,
    longest: u64,
    strand: char,
) -> GeneModel {
    // A one-base transcript cannot reach both ends of a longer span: shrink the span to it.
    let span = if union == longest && longest < 2 {
        longest
    } else {
        span
    };
    let end = start + span - 1;
    let gap_total = span - union;
    let mut k = (longest / 400).clamp(1, 20);
    if gap_total > 0 && k == 1 {
        k = 2.min(longest);
    }
    let k = k.max(1);
    let mut exons = Vec::with_capacity(k as usize);
    let base = longest / k;
    let mut cursor = end + 1;
    // Place exons backwards from the gene's end; gaps are spread evenly between them.
    for j in (0..k).rev() {
        let size = if j == 0 {
            longest - base * (k - 1)
        } else {
            base
        };
        let exon_end = cursor - 1;
        let exon_start = exon_end + 1 - size;
        exons.push((exon_start, exon_end));
        if j > 0 {
            let gap = gap_total / (k - 1) + u64::from(j <= gap_total % (k - 1));
            cursor = exon_start - gap;
        } else {
            cursor = exon_start;
        }
    }
    exons.reverse();
    let id = |n: u32| format!("{}T{n}", gene.id);
    let mut transcripts = vec![TranscriptModel { id: id(1), exons }];
    if union > longest {
        transcripts.push(TranscriptModel {
            id: id(2),
            exons: vec![(start, start + (union - longest) - 1)],
        });
    }
    GeneModel {
        gene,
        strand,
        transcripts,
    }
}

/// The GC proxy of a gene id (see the module documentation).
pub fn gc_proxy(id: &str) -> f32 {
    let u1 = seed::unit_from(id, 1).max(1e-12);
    let u2 = seed::unit_from(id, 2);
    let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
    (41.0 + 5.0 * z).clamp(30.0, 65.0) as f32
}

/// Start, end, strand and coding length of every gene of the Ensembl table (columns `Start`,
/// `End`, `Strand`, `gene_coding_length`, which the annotation reader does not map).
fn read_placements(path: &Path) -> Result<HashMap<String, Placement>> {
    let mut reader = LineReader::open(path)?;
    let mut line = String::new();
    if !reader.read_line(&mut line)? {
        return Err(Error::Universe(format!("{} is empty", path.display())));
    }
    let header: Vec<String> = line.split('\t').map(|h| h.to_ascii_lowercase()).collect();
    let find = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| Error::Universe(format!("{} has no column {name:?}", path.display())))
    };
    let (id, start, end, strand, coding) = (
        find("gene_id")?,
        find("start")?,
        find("end")?,
        find("strand")?,
        find("gene_coding_length")?,
    );
    let mut out = HashMap::new();
    while reader.read_line(&mut line)? {
        let cells: Vec<&str> = line.split('\t').collect();
        let cell = |i: usize| cells.get(i).copied().unwrap_or("");
        let number = |i: usize| -> Result<u64> {
            cell(i).trim().parse::<u64>().map_err(|_| {
                Error::Io(reader.error(rnameta_io::ErrorKind::NotNumeric {
                    value: cell(i).to_owned(),
                }))
            })
        };
        let (s, e, c) = (number(start)?, number(end)?, number(coding)?);
        let strand = if cell(strand).trim() == "-" { '-' } else { '+' };
        if e < s || s == 0 {
            return Err(Error::Io(reader.error(rnameta_io::ErrorKind::Malformed(
                format!("end {e} before start {s}"),
            ))));
        }
        out.insert(
            rnameta_core::strip_version(cell(id)).to_owned(),
            Placement {
                start: s,
                end: e,
                strand,
                coding_length: c,
            },
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exon_models_read_back_to_the_annotated_lengths() {
        for (span, union, longest) in [
            (12_885, 4_536, 3_000),
            (100, 100, 100),
            (5_000, 900, 900),
            (50_000, 8_000, 4_800),
            (3, 2, 1),
            (7, 3, 2),
        ] {
            let gene = GeneInfo {
                id: "ENSG1".into(),
                chromosome: Some("1".into()),
                union_exon_length: Some(union as u32),
                longest_transcript_length: Some(longest as u32),
                ..GeneInfo::default()
            };
            let model = exon_model(gene.clone(), 1_000, span, union, longest, '+');
            let info = model.expected_info();
            assert_eq!(info.union_exon_length, Some(union as u32), "span {span}");
            assert_eq!(
                info.longest_transcript_length,
                Some(longest as u32),
                "span {span}"
            );
            let lo = model
                .transcripts
                .iter()
                .flat_map(|t| t.exons.iter())
                .map(|e| e.0)
                .min();
            let hi = model
                .transcripts
                .iter()
                .flat_map(|t| t.exons.iter())
                .map(|e| e.1)
                .max();
            assert_eq!(
                (lo, hi),
                (Some(1_000), Some(1_000 + span - 1)),
                "span {span}"
            );
        }
    }

    #[test]
    fn gc_proxy_is_fixed_by_the_id_and_in_range() {
        assert_eq!(gc_proxy("ENSG00000229807"), gc_proxy("ENSG00000229807"));
        let values: Vec<f32> = (0..2000)
            .map(|i| gc_proxy(&format!("ENSG{i:011}")))
            .collect();
        let mean = values.iter().sum::<f32>() / values.len() as f32;
        assert!((39.5..42.5).contains(&mean), "{mean}");
        assert!(values.iter().all(|v| (30.0..=65.0).contains(v)));
    }

    #[test]
    fn more_genes_than_the_table_holds_are_refused_not_capped() {
        let mut config = crate::SimConfig::preset(crate::Preset::Tiny).universe;
        config.n_genes = 1_000_000_000_000;
        let msg = GeneUniverse::from_ensembl(&default_gene_table(), &config)
            .unwrap_err()
            .to_string();
        assert!(
            msg.contains("universe.n_genes") && msg.contains("1000000000000"),
            "{msg}"
        );
    }

    #[test]
    fn a_biotype_the_table_lacks_is_refused() {
        let mut config = crate::SimConfig::preset(crate::Preset::Tiny).universe;
        let share = config.biotype_shares.remove("protein_coding").unwrap();
        config.biotype_shares.insert("protien_coding".into(), share);
        let msg = GeneUniverse::from_ensembl(&default_gene_table(), &config)
            .unwrap_err()
            .to_string();
        assert!(
            msg.contains("universe.biotype_shares.protien_coding"),
            "{msg}"
        );
    }
}
