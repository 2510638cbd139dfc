//! GTF reading on the real GENCODE v26 chr21 slice, the longest-transcript logic on a hand-written
//! GENCODE-style snippet, the recount3 gene GTF layout, the writer round-trip, and bad input.

mod common;

use common::write_text;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use rnameta_core::{GeneAnnotation, GeneInfo};
use rnameta_io::gtf::{
    read_gene_annotation, write_gene_models, GeneModel, Reader, Record, TranscriptModel, Writer,
};
use rnameta_io::{annotation, ErrorKind, Location};

const GENCODE_CHR21: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/real/gencode.v26.annotation.chr21.gtf.gz"
);
const ENSEMBL100: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/real/ensembl100_grch38_genes.tsv.gz"
);

fn biotype_counts(genes: &GeneAnnotation) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for gene in genes.genes() {
        let key = gene.biotype.clone().unwrap_or_else(|| "<unknown>".into());
        *counts.entry(key).or_insert(0) += 1;
    }
    counts
}

#[test]
fn real_gencode_chr21_genes_and_union_exon_lengths() {
    let genes = read_gene_annotation(Path::new(GENCODE_CHR21)).unwrap();
    // `zcat gencode.v26.annotation.chr21.gtf.gz | awk -F'\t' '$3=="gene"' | wc -l` -> 837
    assert_eq!(genes.len(), 837);
    // The slice keeps only gene_id / gene_name: every biotype is unknown, none is invented.
    assert_eq!(
        biotype_counts(&genes),
        BTreeMap::from([("<unknown>".to_owned(), 837)])
    );
    // No transcript_id in the slice: longest transcript lengths cannot be known.
    assert!(genes
        .genes()
        .iter()
        .all(|g| g.longest_transcript_length.is_none()));
    assert!(genes
        .genes()
        .iter()
        .all(|g| g.chromosome.as_deref() == Some("21")));

    // Independent union exon lengths, from python3 on the raw file:
    //   for each exon line: ex[gene_id].append((start, end)); sort, merge overlapping
    //   intervals, sum (end - start + 1) of the merged ones.
    // -> ENSG00000279493.1 (CH507-9B2.2, 4 exons) 513; ENSG00000142192.20 (APP, 174 exon
    //    lines) 6316; ENSG00000142168.14 (SOD1, 20 exon lines) 2019.
    for (id, symbol, length) in [
        ("ENSG00000279493", "CH507-9B2.2", 513),
        ("ENSG00000142192", "APP", 6316),
        ("ENSG00000142168", "SOD1", 2019),
    ] {
        let gene = genes.by_id(id).unwrap();
        assert_eq!(gene.symbol.as_deref(), Some(symbol), "{id}");
        assert_eq!(gene.union_exon_length, Some(length), "{id}");
    }
    let app = genes.by_id("ENSG00000142192").unwrap();
    assert_eq!(app.source_id.as_deref(), Some("ENSG00000142192.20"));
}

#[test]
fn real_gencode_chr21_biotypes_filled_from_ensembl100() {
    let mut genes = read_gene_annotation(Path::new(GENCODE_CHR21)).unwrap();
    let ensembl = annotation::read_gene_table(Path::new(ENSEMBL100)).unwrap();
    // Computed independently with python3: GTF gene ids (version stripped) looked up in column
    // gene_biotype of the Ensembl 100 table; 826 of 837 are found, 11 are not (retired ids).
    assert_eq!(genes.fill_from(&ensembl), 826);
    let counts = biotype_counts(&genes);
    assert_eq!(counts["lncRNA"], 299);
    assert_eq!(counts["protein_coding"], 230);
    assert_eq!(counts["processed_pseudogene"], 135);
    assert_eq!(counts["unprocessed_pseudogene"], 35);
    assert_eq!(counts["miRNA"], 29);
    assert_eq!(counts["<unknown>"], 11);
    assert_eq!(counts.values().sum::<usize>(), 837);
}

/// GENCODE-style snippet: gene G1 with two overlapping transcripts, on a `chr` chromosome, with
/// comments, unquoted values and a `;` inside a quoted value.
const SNIPPET: &str = "\
##description: hand-written GENCODE-style test snippet
#!genome-build GRCh38
chrX\tHAVANA\tgene\t100\t400\t.\t+\t.\tgene_id \"ENSG00000000001.5\"; gene_type \"protein_coding\"; gene_name \"GENE1\"; level 2;
chrX\tHAVANA\ttranscript\t100\t400\t.\t+\t.\tgene_id \"ENSG00000000001.5\"; transcript_id \"ENST00000000001.1\"; gene_type \"protein_coding\";
chrX\tHAVANA\texon\t100\t199\t.\t+\t.\tgene_id \"ENSG00000000001.5\"; transcript_id \"ENST00000000001.1\"; exon_number 1; tag \"basic; CCDS\";
chrX\tHAVANA\texon\t300\t349\t.\t+\t.\tgene_id \"ENSG00000000001.5\"; transcript_id \"ENST00000000001.1\"; exon_number 2;
chrX\tHAVANA\texon\t150\t249\t.\t+\t.\tgene_id \"ENSG00000000001.5\"; transcript_id \"ENST00000000002.1\"; exon_number 1;
chrX\tHAVANA\texon\t340\t400\t.\t+\t.\tgene_id \"ENSG00000000001.5\"; transcript_id \"ENST00000000002.1\"; exon_number 2;
chrX\tHAVANA\tCDS\t160\t199\t.\t+\t0\tgene_id \"ENSG00000000001.5\"; transcript_id \"ENST00000000001.1\";
7\tensembl\tgene\t10\t20\t.\t-\t.\tgene_id \"ENSG00000000002\"; gene_biotype \"lncRNA\"; gene_name \"GENE2\";
7\tensembl\texon\t10\t20\t.\t-\t.\tgene_id \"ENSG00000000002\"; transcript_id \"ENST00000000003\"; gene_biotype \"lncRNA\";
";

#[test]
fn longest_transcript_and_union_on_overlapping_transcripts() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_text(dir.path(), "snippet.gtf", SNIPPET);
    let genes = read_gene_annotation(&path).unwrap();
    assert_eq!(genes.len(), 2);
    let g1 = genes.by_id("ENSG00000000001").unwrap();
    // Transcript 1: 100-199 (100) + 300-349 (50) = 150; transcript 2: 150-249 (100) + 340-400
    // (61) = 161. Union: 100-249 (150) + 300-400 (101) = 251.
    assert_eq!(g1.longest_transcript_length, Some(161));
    assert_eq!(g1.union_exon_length, Some(251));
    assert_eq!(g1.chromosome.as_deref(), Some("X"));
    assert_eq!(g1.biotype.as_deref(), Some("protein_coding"));
    assert_eq!(g1.symbol.as_deref(), Some("GENE1"));
    assert_eq!(g1.source_id.as_deref(), Some("ENSG00000000001.5"));
    let g2 = genes.by_id("ENSG00000000002").unwrap();
    assert_eq!(
        g2.biotype.as_deref(),
        Some("lncRNA"),
        "Ensembl gene_biotype"
    );
    assert_eq!(g2.chromosome.as_deref(), Some("7"));
    assert_eq!(
        (g2.longest_transcript_length, g2.union_exon_length),
        (Some(11), Some(11))
    );
    assert_eq!(g2.source_id, None);

    let mut reader = Reader::open(&path).unwrap();
    let records: Vec<Record> = reader.records().collect::<Result<_, _>>().unwrap();
    assert_eq!(records.len(), 9);
    assert_eq!(records[2].attribute("tag"), Some("basic; CCDS"));
    assert_eq!(records[2].attribute("exon_number"), Some("1"));
}

#[test]
fn recount3_gene_gtf_bp_length_in_score_column() {
    // The layout of recount3's human.gene_sums.G026.gtf.gz: gene lines only, the union exon
    // length (bp_length) in the score column (recount-unify sets column 6 to it).
    let text = "\
##description: evidence-based annotation of the human genome (GRCh38), version 26 (Ensembl 88)
chr1\tHAVANA\tgene\t11869\t14409\t1735\t+\t.\tgene_id \"ENSG00000223972.5\"; gene_type \"transcribed_unprocessed_pseudogene\"; gene_name \"DDX11L1\"; level 2;
chr1\tHAVANA\tgene\t14404\t29570\t1351\t-\t.\tgene_id \"ENSG00000227232.5\"; gene_type \"unprocessed_pseudogene\"; gene_name \"WASH7P\"; level 2;
chrY\tENSEMBL\tgene\t100\t200\t.\t+\t.\tgene_id \"ENSG00000000009.1\"; gene_type \"lncRNA\"; bp_length 42;
";
    let dir = tempfile::tempdir().unwrap();
    let path = write_text(dir.path(), "human.gene_sums.G026.gtf", text);
    let genes = read_gene_annotation(&path).unwrap();
    assert_eq!(
        genes.by_id("ENSG00000223972").unwrap().union_exon_length,
        Some(1735)
    );
    assert_eq!(
        genes.by_id("ENSG00000227232").unwrap().union_exon_length,
        Some(1351)
    );
    assert_eq!(
        genes.by_id("ENSG00000000009").unwrap().union_exon_length,
        Some(42)
    );
    assert_eq!(
        genes
            .by_id("ENSG00000000009")
            .unwrap()
            .chromosome
            .as_deref(),
        Some("Y")
    );
    assert!(genes
        .genes()
        .iter()
        .all(|g| g.longest_transcript_length.is_none()));
}

fn models() -> Vec<GeneModel> {
    let gene = |raw: &str, symbol: &str, chromosome: &str, biotype: &str| GeneInfo {
        symbol: Some(symbol.into()),
        chromosome: Some(chromosome.into()),
        biotype: Some(biotype.into()),
        ..GeneInfo::from_id(raw)
    };
    vec![
        GeneModel {
            gene: gene("ENSG00000229807.11", "XIST", "X", "lncRNA"),
            strand: '-',
            transcripts: vec![
                TranscriptModel {
                    id: "ENST1".into(),
                    exons: vec![(1000, 1999), (3000, 3099)],
                },
                TranscriptModel {
                    id: "ENST2".into(),
                    exons: vec![(1500, 2499)],
                },
            ],
        },
        GeneModel {
            gene: gene("ENSG00000129824", "RPS4Y1", "Y", "protein_coding"),
            strand: '+',
            transcripts: vec![TranscriptModel {
                id: "ENST3".into(),
                exons: vec![(10, 19), (30, 39)],
            }],
        },
    ]
}

#[test]
fn gene_models_round_trip_through_reader() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["genes.gtf", "genes.gtf.gz"] {
        let path = dir.path().join(name);
        let models = models();
        write_gene_models(&path, &models).unwrap();
        let genes = read_gene_annotation(&path).unwrap();
        let expected: Vec<GeneInfo> = models.iter().map(GeneModel::expected_info).collect();
        assert_eq!(genes.genes(), expected.as_slice());
        // XIST: union 1000-2499 (1500) + 3000-3099 (100) = 1600; longest: 1100 vs 1000.
        assert_eq!(expected[0].union_exon_length, Some(1600));
        assert_eq!(expected[0].longest_transcript_length, Some(1100));
    }
}

#[test]
fn records_round_trip_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let source = write_text(dir.path(), "snippet.gtf", SNIPPET);
    let records: Vec<Record> = Reader::open(&source)
        .unwrap()
        .records()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut writer = Writer::new(Vec::new());
    for record in &records {
        writer.write_record(record).unwrap();
    }
    let copy = dir.path().join("copy.gtf");
    std::fs::write(&copy, writer.into_inner()).unwrap();
    let back: Vec<Record> = Reader::open(&copy)
        .unwrap()
        .records()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(back, records);
    let mut bad = records[0].clone();
    bad.attributes.push(("note".into(), "say \"hi\"".into()));
    assert!(Writer::new(Vec::new()).write_record(&bad).is_err());
}

fn error_of(content: &str) -> rnameta_io::Error {
    let dir = tempfile::tempdir().unwrap();
    let path = write_text(dir.path(), "bad.gtf", content);
    read_gene_annotation(&path).unwrap_err()
}

fn assert_line(err: &rnameta_io::Error, line: u64) {
    assert_eq!(err.location, Location::Line(line), "{err}");
    let text = err.to_string();
    assert!(text.contains(&format!("bad.gtf:{line}")), "{text}");
}

const GOOD_LINE: &str = "chr1\tH\tgene\t10\t20\t.\t+\t.\tgene_id \"G1\";\n";

#[test]
fn wrong_column_count_is_refused_with_line() {
    let err = error_of(&format!(
        "{GOOD_LINE}chr1\tH\texon\t10\t20\t.\t+\tgene_id \"G1\";\n"
    ));
    assert!(
        matches!(
            err.kind,
            ErrorKind::Ragged {
                expected: 9,
                found: 8
            }
        ),
        "{err}"
    );
    assert_line(&err, 2);
}

#[test]
fn start_after_end_is_refused_with_line() {
    let err = error_of(&format!(
        "#c\n{GOOD_LINE}chr1\tH\texon\t30\t20\t.\t+\t.\tgene_id \"G1\";\n"
    ));
    assert!(
        matches!(err.kind, ErrorKind::Malformed(ref m) if m.contains("after")),
        "{err}"
    );
    assert_line(&err, 3);
}

#[test]
fn non_numeric_coordinate_is_refused_with_line() {
    let err = error_of(&format!(
        "{GOOD_LINE}chr1\tH\texon\t1x\t20\t.\t+\t.\tgene_id \"G1\";\n"
    ));
    assert!(
        matches!(err.kind, ErrorKind::NotNumeric { ref value } if value == "1x"),
        "{err}"
    );
    assert_line(&err, 2);
}

#[test]
fn missing_gene_id_is_refused_with_line() {
    let err = error_of(&format!(
        "{GOOD_LINE}chr1\tH\texon\t10\t20\t.\t+\t.\tgene_name \"A\";\n"
    ));
    assert!(
        matches!(err.kind, ErrorKind::Missing(ref m) if m.contains("gene_id")),
        "{err}"
    );
    assert_line(&err, 2);
}

#[test]
fn duplicate_gene_line_is_refused_with_line() {
    let err = error_of(&format!("{GOOD_LINE}{GOOD_LINE}"));
    assert!(
        matches!(err.kind, ErrorKind::DuplicateGene { ref id, ref first } if id == "G1" && first == "line 1"),
        "{err}"
    );
    assert_line(&err, 2);
}

#[test]
fn unterminated_quote_is_refused_with_line() {
    let err = error_of("chr1\tH\tgene\t10\t20\t.\t+\t.\tgene_id \"G1;\n");
    assert!(matches!(err.kind, ErrorKind::Malformed(_)), "{err}");
    assert_line(&err, 1);
}

#[test]
fn empty_file_is_refused() {
    for content in ["", "#!genome-build GRCh38\n##only comments\n"] {
        let err = error_of(content);
        assert!(matches!(err.kind, ErrorKind::Empty), "{err}");
        assert!(err.to_string().contains("bad.gtf"), "{err}");
    }
}

#[test]
fn truncated_gzip_is_refused_with_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cut.gtf.gz");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    for i in 1..5000u64 {
        writeln!(
            enc,
            "chr1\tH\texon\t{}\t{}\t.\t+\t.\tgene_id \"G{}\"; transcript_id \"T{i}\";",
            i * 10,
            i * 10 + 5,
            i % 97
        )
        .unwrap();
    }
    let bytes = enc.finish().unwrap();
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    let err = read_gene_annotation(&path).unwrap_err();
    assert!(matches!(err.kind, ErrorKind::TruncatedGzip(_)), "{err}");
    assert!(matches!(err.location, Location::Line(n) if n > 1), "{err}");
    assert!(err.to_string().contains("cut.gtf.gz"), "{err}");
}
