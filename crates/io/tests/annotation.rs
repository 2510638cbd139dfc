//! Gene annotation tables: the real Ensembl 100 and Marioni tables, the writer round-trip, a
//! custom column mapping, and bad input.

mod common;

use common::write_text;
use std::io::Write;
use std::path::Path;

use rnameta_core::{GeneAnnotation, GeneInfo};
use rnameta_io::annotation::{
    read_gene_table, read_gene_table_with, write_gene_table, ColumnNames,
};
use rnameta_io::{ErrorKind, Location};

const ENSEMBL100: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/real/ensembl100_grch38_genes.tsv.gz"
);
const MARIONI: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/real/marioni_gene_annot.tsv.gz"
);

fn count(genes: &GeneAnnotation, pred: impl Fn(&GeneInfo) -> bool) -> usize {
    genes.genes().iter().filter(|g| pred(g)).count()
}

#[test]
fn real_ensembl100_table() {
    let genes = read_gene_table(Path::new(ENSEMBL100)).unwrap();
    // zcat ensembl100_grch38_genes.tsv.gz | awk -F'\t' 'NR>1{n++; if($3=="X")x++;
    //   if($3=="Y")y++; if($7=="protein_coding")pc++} END{print n,x,y,pc}'
    // -> 67149 2425 522 22802 (and no gene_id occurs twice: `cut -f1 | sort | uniq -d` is empty)
    assert_eq!(genes.len(), 67_149);
    assert_eq!(
        count(&genes, |g| g.chromosome.as_deref() == Some("X")),
        2425
    );
    assert_eq!(count(&genes, |g| g.chromosome.as_deref() == Some("Y")), 522);
    assert_eq!(
        count(&genes, |g| g.biotype.as_deref() == Some("protein_coding")),
        22_802
    );
    let xist = genes.by_id("ENSG00000229807").unwrap();
    assert_eq!(xist.symbol.as_deref(), Some("XIST"));
    assert_eq!(xist.chromosome.as_deref(), Some("X"));
    assert_eq!(xist.biotype.as_deref(), Some("lncRNA"));
    let rps4y1 = genes.by_id("ENSG00000129824").unwrap();
    assert_eq!(rps4y1.symbol.as_deref(), Some("RPS4Y1"));
    assert_eq!(rps4y1.chromosome.as_deref(), Some("Y"));
    // gene_length is the genomic span (RPS4Y1: 2932000 - 2841601 = 90399), not a union exon
    // length: no length field is filled from this table.
    assert!(genes
        .genes()
        .iter()
        .all(|g| g.union_exon_length.is_none() && g.longest_transcript_length.is_none()));
}

#[test]
fn real_marioni_table_with_gc() {
    let genes = read_gene_table(Path::new(MARIONI)).unwrap();
    // zcat marioni_gene_annot.tsv.gz | tail -n +2 | wc -l -> 5088
    assert_eq!(genes.len(), 5088);
    // First row: ENSG00000177757  1  742614  745077  lincRNA  2464.0  48.58
    let first = genes.get(0).unwrap();
    assert_eq!(first.id, "ENSG00000177757");
    assert_eq!(first.chromosome.as_deref(), Some("1"));
    assert_eq!(first.biotype.as_deref(), Some("lincRNA"));
    assert_eq!(first.gc_percent, Some(48.58));
    assert_eq!(
        first.union_exon_length, None,
        "`length` is not a union exon length"
    );
    assert!(genes.genes().iter().all(|g| g.gc_percent.is_some()));
    // awk -F'\t' 'NR>1 && $5=="protein_coding"' | wc -l -> 4347
    assert_eq!(
        count(&genes, |g| g.biotype.as_deref() == Some("protein_coding")),
        4347
    );
}

#[test]
fn written_table_round_trips_exactly() {
    let genes = GeneAnnotation::new(vec![
        GeneInfo {
            symbol: Some("XIST".into()),
            chromosome: Some("X".into()),
            biotype: Some("lncRNA".into()),
            longest_transcript_length: Some(19_296),
            union_exon_length: Some(32_000),
            gc_percent: Some(39.87),
            ..GeneInfo::from_id("ENSG00000229807.11")
        },
        GeneInfo::from_id("ENSG00000129824"),
        GeneInfo {
            chromosome: Some("MT".into()),
            gc_percent: Some(0.1),
            ..GeneInfo::from_id("ENSG00000198888")
        },
    ])
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    for name in ["genes.tsv", "genes.tsv.gz"] {
        let path = dir.path().join(name);
        write_gene_table(&path, &genes).unwrap();
        assert_eq!(read_gene_table(&path).unwrap(), genes);
    }
}

#[test]
fn custom_column_names_and_csv() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_text(
        dir.path(),
        "custom.csv",
        "\"Ensembl\",\"Name\",\"Seq\",\"ExonBases\"\n\"ENSG1.3\",\"A\",\"chr2\",\"120\"\n",
    );
    let names = ColumnNames {
        id: vec!["ensembl".into()],
        symbol: vec!["NAME".into()],
        chromosome: vec!["seq".into()],
        union_exon_length: vec!["exonbases".into()],
        ..ColumnNames::default()
    };
    let genes = read_gene_table_with(&path, &names).unwrap();
    let gene = genes.by_id("ENSG1").unwrap();
    assert_eq!(gene.source_id.as_deref(), Some("ENSG1.3"));
    assert_eq!(gene.symbol.as_deref(), Some("A"));
    assert_eq!(gene.chromosome.as_deref(), Some("2"));
    assert_eq!(gene.union_exon_length, Some(120));
}

fn error_of(content: &str) -> rnameta_io::Error {
    let dir = tempfile::tempdir().unwrap();
    let path = write_text(dir.path(), "annot.tsv", content);
    read_gene_table(&path).unwrap_err()
}

fn assert_at_line(err: &rnameta_io::Error, line: u64) {
    assert_eq!(err.location, Location::Line(line), "{err}");
    assert!(
        err.to_string().contains(&format!("annot.tsv:{line}")),
        "{err}"
    );
}

const HEADER: &str = "gene_id\tChr\tbiotype\tunion_exon_length\tgc\n";

#[test]
fn duplicate_gene_id_is_refused_with_both_lines() {
    let err = error_of(&format!(
        "{HEADER}ENSG1.1\t1\tx\t10\t50\nENSG2\t1\tx\t10\t50\nENSG1.2\t1\tx\t10\t50\n"
    ));
    assert!(
        matches!(err.kind, ErrorKind::DuplicateGene { ref id, ref first } if id == "ENSG1" && first == "line 2"),
        "{err}"
    );
    assert_at_line(&err, 4);
}

#[test]
fn ragged_row_is_refused_with_line() {
    let err = error_of(&format!("{HEADER}ENSG1\t1\tx\t10\n"));
    assert!(
        matches!(
            err.kind,
            ErrorKind::Ragged {
                expected: 5,
                found: 4
            }
        ),
        "{err}"
    );
    assert_at_line(&err, 2);
}

#[test]
fn non_numeric_length_is_refused_with_line() {
    let err = error_of(&format!("{HEADER}ENSG1\t1\tx\tlong\t50\n"));
    assert!(
        matches!(err.kind, ErrorKind::NotNumeric { ref value } if value == "long"),
        "{err}"
    );
    assert_at_line(&err, 2);
}

#[test]
fn negative_length_is_refused_with_line() {
    let err = error_of(&format!("{HEADER}ENSG1\t1\tx\t-5\t50\n"));
    assert!(matches!(err.kind, ErrorKind::Malformed(_)), "{err}");
    assert_at_line(&err, 2);
}

#[test]
fn nan_gc_is_refused_with_line() {
    let err = error_of(&format!("{HEADER}ENSG1\t1\tx\t10\tNaN\n"));
    assert!(matches!(err.kind, ErrorKind::NotFinite { .. }), "{err}");
    assert_at_line(&err, 2);
}

#[test]
fn missing_id_header_is_refused() {
    let err = error_of("name\tChr\nA\t1\n");
    assert!(matches!(err.kind, ErrorKind::MissingHeader { .. }), "{err}");
    assert_at_line(&err, 1);
}

#[test]
fn empty_file_is_refused() {
    let err = error_of("");
    assert!(matches!(err.kind, ErrorKind::Empty), "{err}");
    assert!(err.to_string().contains("annot.tsv"), "{err}");
    let err = error_of(HEADER);
    assert!(matches!(err.kind, ErrorKind::Missing(_)), "{err}");
}

#[test]
fn truncated_gzip_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cut.tsv.gz");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    write!(enc, "{HEADER}").unwrap();
    for i in 0..20_000 {
        writeln!(
            enc,
            "ENSG{i:011}\t{}\tprotein_coding\t{}\t{}",
            i % 22 + 1,
            i * 3 + 7,
            i % 100
        )
        .unwrap();
    }
    let bytes = enc.finish().unwrap();
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    let err = read_gene_table(&path).unwrap_err();
    assert!(matches!(err.kind, ErrorKind::TruncatedGzip(_)), "{err}");
    assert!(err.to_string().contains("cut.tsv.gz"), "{err}");
}
