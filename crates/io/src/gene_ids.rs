//! The gene id table: Entrez ids, RefSeq RNA accessions, symbols and their aliases -> Ensembl gene
//! ids, so that files keyed by any of these meet on rnameta's canonical key (the unversioned
//! Ensembl gene id).
//!
//! The table rnameta ships (`assets/gene_ids.tsv.gz`, embedded in the library so an installed
//! binary has it) is built from Bioconductor's org.Hs.eg.db 3.16.0 (Artistic-2.0) by
//! `fixtures/gene-ids/make_gene_id_table.py` (which leaves out the alternative-haplotype copies of a
//! gene, as expression matrices do); provenance in `fixtures/README.md`. Format: gzipped
//! (or plain) TSV, `#` comment lines, the header `entrez symbol ensembl refseq alias`, one row per
//! Entrez gene with at least one Ensembl id; `ensembl`, `refseq` and `alias` are comma-separated.
//!
//! A lookup never guesses: an id that leads to several Ensembl genes (an Entrez gene annotated
//! with two Ensembl ids, an alias shared by several genes) is [`EnsemblMapping::Ambiguous`].

use std::collections::HashMap;
use std::io::BufRead;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use flate2::read::MultiGzDecoder;
use rnameta_core::{strip_version, EnsemblMapping, GeneIdKind, IdVia};

use crate::error::{ErrorKind, Result};
use crate::source::LineReader;

/// The shipped table, gzipped (see the module documentation).
const EMBEDDED: &[u8] = include_bytes!("../assets/gene_ids.tsv.gz");

/// Where the shipped table came from, for reports ("through org.Hs.eg.db 3.16.0").
pub const EMBEDDED_SOURCE: &str = "org.Hs.eg.db 3.16.0";

/// The header line of a gene id table.
const HEADER: [&str; 5] = ["entrez", "symbol", "ensembl", "refseq", "alias"];

/// A parsed gene id table: for each kind of id, the Ensembl genes it names.
#[derive(Debug, Clone, Default)]
pub struct GeneIdMap {
    ensembl: Vec<Box<str>>,
    entrez: HashMap<Box<str>, Vec<u32>>,
    refseq: HashMap<Box<str>, Vec<u32>>,
    symbol: HashMap<Box<str>, Vec<u32>>,
    alias: HashMap<Box<str>, Vec<u32>>,
    symbol_upper: HashMap<Box<str>, Vec<u32>>,
    alias_upper: HashMap<Box<str>, Vec<u32>>,
    rows: usize,
}

impl GeneIdMap {
    /// The table shipped with rnameta, parsed on the first call and shared afterwards (parsing
    /// takes a fraction of a second; every file and chunk of a command reuses it).
    pub fn embedded() -> Result<Arc<GeneIdMap>> {
        static PARSED: OnceLock<Arc<GeneIdMap>> = OnceLock::new();
        if let Some(map) = PARSED.get() {
            return Ok(Arc::clone(map));
        }
        let reader = std::io::BufReader::new(MultiGzDecoder::new(EMBEDDED));
        let map = Arc::new(Self::parse(
            reader,
            Path::new("<rnameta's embedded gene id table, crates/io/assets/gene_ids.tsv.gz>"),
        )?);
        Ok(Arc::clone(PARSED.get_or_init(|| map)))
    }

    /// Reads a gene id table of the shipped format from `path` (plain or gzip).
    pub fn read(path: &Path) -> Result<Self> {
        Self::parse(crate::source::open(path)?, path)
    }

    /// Parses a gene id table from `reader`; `path` names it in errors.
    pub fn parse(reader: impl BufRead, path: &Path) -> Result<Self> {
        let mut lines = LineReader::new(reader, path);
        let mut line = String::new();
        let mut map = Self::default();
        let mut header_seen = false;
        let mut index: HashMap<Box<str>, u32> = HashMap::new();
        while lines.read_line(&mut line)? {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let fields: Vec<&str> = line.split('\t').collect();
            if !header_seen {
                if fields != HEADER {
                    return Err(lines.error(ErrorKind::BadHeader(format!(
                        "expected the columns {} of a gene id table (tab-separated), found {:?}; \
                         build one with fixtures/gene-ids/make_gene_id_table.py",
                        HEADER.join(", "),
                        line
                    ))));
                }
                header_seen = true;
                continue;
            }
            if fields.len() != HEADER.len() {
                return Err(lines.error(ErrorKind::Ragged {
                    expected: HEADER.len(),
                    found: fields.len(),
                }));
            }
            let [entrez, symbol, ensembl, refseq, alias] =
                [fields[0], fields[1], fields[2], fields[3], fields[4]];
            let mut targets = Vec::new();
            for e in ensembl.split(',').filter(|e| !e.is_empty()) {
                if !e.starts_with("ENS") {
                    return Err(lines.error(ErrorKind::Malformed(format!(
                        "{e:?} in the ensembl column is not an Ensembl gene id (ENSG...); the \
                         table is damaged, rebuild it"
                    ))));
                }
                let e = strip_version(e);
                let next = map.ensembl.len() as u32;
                let i = *index.entry(e.into()).or_insert(next);
                if i == next {
                    map.ensembl.push(e.into());
                }
                targets.push(i);
            }
            if targets.is_empty() {
                return Err(lines.error(ErrorKind::Missing(format!(
                    "Ensembl id of Entrez gene {entrez:?} (every row needs one)"
                ))));
            }
            map.rows += 1;
            let add = |m: &mut HashMap<Box<str>, Vec<u32>>, key: &str| {
                if !key.is_empty() {
                    m.entry(key.into()).or_default().extend(&targets);
                }
            };
            add(&mut map.entrez, entrez);
            add(&mut map.symbol, symbol);
            add(&mut map.symbol_upper, &symbol.to_uppercase());
            for a in refseq.split(',') {
                add(&mut map.refseq, strip_refseq_version(a));
            }
            for a in alias.split(',') {
                add(&mut map.alias, a);
                add(&mut map.alias_upper, &a.to_uppercase());
            }
        }
        if !header_seen {
            return Err(lines.error(ErrorKind::MissingHeader {
                expected: HEADER.join("\t"),
            }));
        }
        for m in [
            &mut map.entrez,
            &mut map.refseq,
            &mut map.symbol,
            &mut map.alias,
            &mut map.symbol_upper,
            &mut map.alias_upper,
        ] {
            for v in m.values_mut() {
                v.sort_unstable();
                v.dedup();
            }
        }
        Ok(map)
    }

    /// Rows (Entrez genes) in the table.
    pub fn len(&self) -> usize {
        self.rows
    }

    /// True when the table has no row.
    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// Distinct Ensembl genes the table leads to.
    pub fn ensembl_genes(&self) -> usize {
        self.ensembl.len()
    }

    /// Where `id` leads, and through which kind of id. Ensembl ids lead to themselves (version
    /// stripped); RefSeq accessions are looked up without their version (`NM_000546.6`); digits
    /// are Entrez ids; anything else is a symbol: the official symbols first, then aliases, then
    /// the same case-insensitively. An id naming several Ensembl genes is ambiguous, never guessed.
    pub fn to_ensembl(&self, id: &str) -> (IdVia, EnsemblMapping) {
        let id = id.trim();
        match GeneIdKind::of(id) {
            GeneIdKind::Ensembl | GeneIdKind::EnsemblVersioned => (
                IdVia::Ensembl,
                EnsemblMapping::Unique(strip_version(id).to_owned()),
            ),
            GeneIdKind::RefSeq => (
                IdVia::RefSeq,
                self.answer(self.refseq.get(strip_refseq_version(id))),
            ),
            GeneIdKind::Entrez => (IdVia::Entrez, self.answer(self.entrez.get(id))),
            GeneIdKind::Symbol => {
                let upper = id.to_uppercase();
                let found = [
                    (IdVia::Symbol, self.symbol.get(id)),
                    (IdVia::Alias, self.alias.get(id)),
                    (IdVia::Symbol, self.symbol_upper.get(upper.as_str())),
                    (IdVia::Alias, self.alias_upper.get(upper.as_str())),
                ]
                .into_iter()
                .find(|(_, hit)| hit.is_some());
                match found {
                    Some((via, hit)) => (via, self.answer(hit)),
                    None => (IdVia::Symbol, EnsemblMapping::Unknown),
                }
            }
        }
    }

    fn answer(&self, hit: Option<&Vec<u32>>) -> EnsemblMapping {
        match hit.map(Vec::as_slice) {
            None | Some([]) => EnsemblMapping::Unknown,
            Some([one]) => EnsemblMapping::Unique(self.ensembl[*one as usize].to_string()),
            Some(many) => {
                let mut ids: Vec<String> = many
                    .iter()
                    .map(|&i| self.ensembl[i as usize].to_string())
                    .collect();
                ids.sort();
                EnsemblMapping::Ambiguous(ids)
            }
        }
    }
}

/// `NM_000546.6` -> `NM_000546`: RefSeq versions change with every revision of a transcript, the
/// accession names it across them.
pub fn strip_refseq_version(id: &str) -> &str {
    match id.split_once('.') {
        Some((stem, v)) if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) => stem,
        _ => id,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = "# comment\n\
        entrez\tsymbol\tensembl\trefseq\talias\n\
        7157\tTP53\tENSG00000141510\tNM_000546,NR_176326\tP53,LFS1\n\
        1\tA1BG\tENSG00000121410\tNM_130786\tA1B,SHARED\n\
        2\tA2M\tENSG00000175899\tNM_000014\tSHARED\n\
        3\tTWO\tENSG00000000001,ENSG00000000002\tNM_999999\t\n";

    fn small() -> GeneIdMap {
        GeneIdMap::parse(SMALL.as_bytes(), Path::new("small.tsv")).unwrap()
    }

    fn unique(s: &str) -> EnsemblMapping {
        EnsemblMapping::Unique(s.to_owned())
    }

    #[test]
    fn maps_each_kind_of_id() {
        let m = small();
        assert_eq!(m.len(), 4);
        assert_eq!(
            m.to_ensembl("7157"),
            (IdVia::Entrez, unique("ENSG00000141510"))
        );
        assert_eq!(
            m.to_ensembl("TP53"),
            (IdVia::Symbol, unique("ENSG00000141510"))
        );
        assert_eq!(
            m.to_ensembl("tp53"),
            (IdVia::Symbol, unique("ENSG00000141510"))
        );
        assert_eq!(
            m.to_ensembl("P53"),
            (IdVia::Alias, unique("ENSG00000141510"))
        );
        assert_eq!(
            m.to_ensembl("NM_000546.6"),
            (IdVia::RefSeq, unique("ENSG00000141510"))
        );
        assert_eq!(
            m.to_ensembl("ENSG00000141510.17"),
            (IdVia::Ensembl, unique("ENSG00000141510"))
        );
    }

    #[test]
    fn ambiguous_and_unknown_ids_are_not_guessed() {
        let m = small();
        let both =
            EnsemblMapping::Ambiguous(vec!["ENSG00000121410".into(), "ENSG00000175899".into()]);
        assert_eq!(m.to_ensembl("SHARED"), (IdVia::Alias, both));
        assert!(matches!(
            m.to_ensembl("3"),
            (IdVia::Entrez, EnsemblMapping::Ambiguous(v)) if v.len() == 2
        ));
        assert_eq!(
            m.to_ensembl("NOTAGENE"),
            (IdVia::Symbol, EnsemblMapping::Unknown)
        );
        assert_eq!(
            m.to_ensembl("NM_123"),
            (IdVia::RefSeq, EnsemblMapping::Unknown)
        );
    }

    #[test]
    fn refuses_a_table_of_another_format_naming_the_line() {
        let err = GeneIdMap::parse("gene\tensembl\n".as_bytes(), Path::new("t.tsv")).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("t.tsv:1:"), "{text}");
        let bad = "entrez\tsymbol\tensembl\trefseq\talias\n1\tA\tXYZ\t\t\n";
        let text = GeneIdMap::parse(bad.as_bytes(), Path::new("t.tsv"))
            .unwrap_err()
            .to_string();
        assert!(text.contains("t.tsv:2:") && text.contains("XYZ"), "{text}");
        let ragged = "entrez\tsymbol\tensembl\trefseq\talias\n1\tA\n";
        assert!(GeneIdMap::parse(ragged.as_bytes(), Path::new("t.tsv")).is_err());
    }

    #[test]
    fn the_embedded_table_knows_tp53_by_every_kind_of_id() {
        let m = GeneIdMap::embedded().unwrap();
        assert!(m.len() > 30_000, "{}", m.len());
        for id in [
            "TP53",
            "7157",
            "NM_000546.6",
            "NM_000546",
            "ENSG00000141510.18",
        ] {
            assert_eq!(m.to_ensembl(id).1, unique("ENSG00000141510"), "{id}");
        }
        assert_eq!(m.to_ensembl("XIST").1, unique("ENSG00000229807"));
    }
}
