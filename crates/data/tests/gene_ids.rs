//! Files keyed by symbols, Entrez ids or RefSeq transcripts load onto Ensembl genes, on real data:
//! the GEUVADIS counts (Ensembl ids) renamed to symbols and to Entrez ids give back the same
//! Ensembl matrix; an Illumina Body Map 2.0 slice keyed by RefSeq NM_/NR_ transcripts loads with
//! each gene's transcripts summed, checked against an expectation worked out from org.Hs.eg.db
//! itself (fixtures/gene-ids/make_bodymap_slice.py).

use std::collections::{BTreeMap, HashMap};
use std::io::BufRead;
use std::path::{Path, PathBuf};

use rnameta_core::{Dataset, EnsemblMapping, IdVia};
use rnameta_data::{load, LoadOptions};
use rnameta_io::gene_ids::GeneIdMap;
use rnameta_io::tsv::{self, MatrixOptions};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn lines(path: &Path) -> Vec<String> {
    rnameta_io::source::open(path)
        .unwrap()
        .lines()
        .map(Result::unwrap)
        .collect()
}

/// The shipped table's rows as (entrez, symbol, ensembl ids).
fn table_rows() -> Vec<(String, String, Vec<String>)> {
    lines(&repo().join("crates/io/assets/gene_ids.tsv.gz"))
        .into_iter()
        .filter(|l| !l.starts_with('#') && !l.starts_with("entrez\t"))
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            let ensembl = f[2].split(',').map(str::to_owned).collect();
            (f[0].to_owned(), f[1].to_owned(), ensembl)
        })
        .collect()
}

/// Writes the GEUVADIS counts with each gene renamed by `rename` (genes it returns `None` for
/// get a name no table knows), returning the file and the Ensembl genes renamed.
fn geuvadis_renamed(
    dir: &Path,
    name: &str,
    rename: &HashMap<String, String>,
) -> (PathBuf, Vec<String>) {
    let src = lines(&repo().join("fixtures/real/geuvadis_humanGender_counts.tsv.gz"));
    let mut text = format!("{}\n", src[0]);
    let mut renamed = Vec::new();
    for (i, line) in src[1..].iter().enumerate() {
        let (id, rest) = line.split_once('\t').unwrap();
        match rename.get(id) {
            Some(new) => {
                renamed.push(id.to_owned());
                text.push_str(&format!("{new}\t{rest}\n"));
            }
            None => text.push_str(&format!("NOT_A_GENE_{i}\t{rest}\n")),
        }
    }
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    (path, renamed)
}

fn geuvadis() -> Dataset {
    tsv::read_matrix(
        &repo().join("fixtures/real/geuvadis_humanGender_counts.tsv.gz"),
        MatrixOptions::genes_in_rows(),
    )
    .unwrap()
}

/// For each GEUVADIS gene, an id of the given column of the table that maps back to it alone.
fn round_trip_names(column: fn(&(String, String, Vec<String>)) -> &str) -> HashMap<String, String> {
    let map = GeneIdMap::embedded().unwrap();
    let original = geuvadis();
    let wanted: std::collections::HashSet<&str> = original.genes().ids().collect();
    let mut names = HashMap::new();
    for row in table_rows() {
        let id = column(&row);
        for e in &row.2 {
            if wanted.contains(e.as_str())
                && map.to_ensembl(id).1 == EnsemblMapping::Unique(e.clone())
            {
                names.insert(e.clone(), id.to_owned());
            }
        }
    }
    names
}

fn check_same_matrix(loaded: &Dataset, renamed: &[String]) {
    let original = geuvadis();
    let ids: Vec<&str> = loaded.genes().ids().collect();
    assert_eq!(ids, renamed, "genes in file order");
    for (c, id) in ids.iter().enumerate() {
        let o = original.genes().position(id).unwrap();
        assert_eq!(
            loaded.counts().column(c),
            original.counts().column(o),
            "{id}"
        );
    }
    let samples: Vec<&str> = loaded
        .samples()
        .iter()
        .map(|s| s.sample_id.as_str())
        .collect();
    let want: Vec<&str> = original
        .samples()
        .iter()
        .map(|s| s.sample_id.as_str())
        .collect();
    assert_eq!(samples, want);
}

#[test]
fn geuvadis_keyed_by_symbols_loads_to_the_same_ensembl_matrix() {
    let names = round_trip_names(|r| &r.1);
    let dir = tempfile::tempdir().unwrap();
    let (path, renamed) = geuvadis_renamed(dir.path(), "symbols.tsv", &names);
    assert!(renamed.len() > 9_000, "{} of 10,101 genes", renamed.len());
    let loaded = load(&path, &LoadOptions::default()).unwrap();
    check_same_matrix(&loaded.dataset, &renamed);
    let mapping = &loaded.report.gene_id_mappings;
    assert_eq!(mapping.len(), 1);
    let m = &mapping[0];
    assert_eq!(m.columns, 10_101);
    assert_eq!(m.mapped, BTreeMap::from([(IdVia::Symbol, renamed.len())]));
    assert_eq!(m.unknown, 10_101 - renamed.len());
    assert_eq!((m.ambiguous, m.summed_genes), (0, 0));
    let note = loaded
        .report
        .notes
        .iter()
        .find(|n| n.starts_with("gene ids mapped to Ensembl"))
        .expect("a note on the mapping");
    assert!(
        note.contains(&format!("{} symbols", renamed.len())) && note.contains("NOT_A_GENE_"),
        "{note}"
    );
}

#[test]
fn geuvadis_keyed_by_entrez_ids_loads_to_the_same_ensembl_matrix() {
    let names = round_trip_names(|r| &r.0);
    let dir = tempfile::tempdir().unwrap();
    let (path, renamed) = geuvadis_renamed(dir.path(), "entrez.tsv", &names);
    assert!(renamed.len() > 9_000, "{} of 10,101 genes", renamed.len());
    let loaded = load(&path, &LoadOptions::default()).unwrap();
    check_same_matrix(&loaded.dataset, &renamed);
    let m = &loaded.report.gene_id_mappings[0];
    assert_eq!(m.mapped, BTreeMap::from([(IdVia::Entrez, renamed.len())]));
}

#[test]
fn geuvadis_with_versioned_ensembl_ids_is_not_mapped() {
    let src = lines(&repo().join("fixtures/real/geuvadis_humanGender_counts.tsv.gz"));
    let text: String = std::iter::once(format!("{}\n", src[0]))
        .chain(src[1..].iter().map(|l| {
            let (id, rest) = l.split_once('\t').unwrap();
            format!("{id}.7\t{rest}\n")
        }))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("versioned.tsv");
    std::fs::write(&path, text).unwrap();
    let loaded = load(&path, &LoadOptions::default()).unwrap();
    assert!(loaded.report.gene_id_mappings.is_empty());
    assert_eq!(loaded.dataset.n_genes(), 10_101);
    assert_eq!(
        loaded.dataset.genes().get(0).unwrap().source_id.as_deref(),
        Some("ENSG00000000419.7")
    );
}

#[test]
fn bodymap_refseq_transcripts_load_as_ensembl_genes_summed() {
    let slice = repo().join("fixtures/real/bodymap2_refseq_slice.tsv.gz");
    let raw = tsv::read_matrix(&slice, MatrixOptions::genes_in_rows()).unwrap();
    let expected: Vec<(String, String)> =
        lines(&repo().join("fixtures/gene-ids/bodymap2_refseq_slice_expected.tsv"))[1..]
            .iter()
            .map(|l| {
                let (a, e) = l.split_once('\t').unwrap();
                (a.to_owned(), e.to_owned())
            })
            .collect();
    // What the loaded matrix must be, from the independent expectation.
    let mut genes: Vec<String> = Vec::new();
    let mut sums: HashMap<String, Vec<f32>> = HashMap::new();
    for (accession, gene) in &expected {
        if gene == "ambiguous" || gene == "unknown" {
            continue;
        }
        let c = raw.genes().position(accession).unwrap();
        let column = raw.counts().column(c).to_vec();
        match sums.get_mut(gene) {
            Some(s) => s.iter_mut().zip(column).for_each(|(a, b)| *a += b),
            None => {
                genes.push(gene.clone());
                sums.insert(gene.clone(), column);
            }
        }
    }
    let loaded = load(&slice, &LoadOptions::default()).unwrap();
    let ids: Vec<&str> = loaded.dataset.genes().ids().collect();
    assert_eq!(ids, genes);
    for (c, g) in genes.iter().enumerate() {
        assert_eq!(loaded.dataset.counts().column(c).to_vec(), sums[g], "{g}");
    }
    let m = &loaded.report.gene_id_mappings[0];
    let count = |what: &str| expected.iter().filter(|(_, e)| e == what).count();
    assert_eq!(m.columns, expected.len());
    assert_eq!(
        (m.ambiguous, m.unknown),
        (count("ambiguous"), count("unknown"))
    );
    assert_eq!(m.genes, genes.len());
    assert_eq!(m.summed_genes, 30);
    assert_eq!(
        m.mapped,
        BTreeMap::from([(IdVia::RefSeq, expected.len() - 10)])
    );
    assert_eq!(m.ambiguous_examples.len(), 5);
    assert!(m.ambiguous_examples.iter().all(|(_, c)| c.len() > 1));
}

#[test]
fn a_file_whose_ids_map_to_no_gene_is_refused_with_its_first_ids() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nothing.tsv");
    std::fs::write(
        &path,
        "gene\tS1\tS2\nNOT_A_GENE_1\t1\t2\nNOT_A_GENE_2\t3\t4\n",
    )
    .unwrap();
    let err = load(&path, &LoadOptions::default()).unwrap_err();
    let text = format!(
        "{err}: {}",
        std::error::Error::source(&err).map_or(String::new(), |s| s.to_string())
    );
    assert!(
        text.contains("nothing.tsv")
            && text.contains("NOT_A_GENE_1, NOT_A_GENE_2")
            && text.contains("gene symbols"),
        "{text}"
    );
}

#[test]
fn log_values_with_several_transcripts_of_one_gene_are_refused_naming_them() {
    // The real Body Map slice as log2(x + 1): transcripts of one gene cannot be added as given.
    let slice = repo().join("fixtures/real/bodymap2_refseq_slice.tsv.gz");
    let src = lines(&slice);
    let mut text = format!("{}\n", src[0]);
    for line in &src[1..] {
        let mut fields = line.split('\t');
        let id = fields.next().unwrap();
        let logs: Vec<String> = fields
            .map(|v| format!("{:.4}", (v.parse::<f64>().unwrap() + 1.0).log2()))
            .collect();
        text.push_str(&format!("{id}\t{}\n", logs.join("\t")));
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log2.tsv");
    std::fs::write(&path, text).unwrap();
    let err = load(&path, &LoadOptions::default()).unwrap_err();
    let text = format!(
        "{err}: {}",
        std::error::Error::source(&err).map_or(String::new(), |s| s.to_string())
    );
    assert!(
        text.contains("log2.tsv")
            && text.contains("all map to Ensembl gene")
            && text.contains("log-transformed"),
        "{text}"
    );
}
