//! TPM on real data: GTEx v8 lung (30 samples, 818 chr21 genes) with GENCODE v26 union exon lengths.

use std::path::Path;

use rnameta_io::gtf::read_gene_annotation;
use rnameta_io::tsv::{read_matrix, MatrixOptions};
use rnameta_preprocess::{Pipeline, Step};

const COUNTS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/real/gtex_lung30_chr21_counts.tsv.gz"
);
const GTF: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/real/gencode.v26.annotation.chr21.gtf.gz"
);

#[test]
fn tpm_of_real_gtex_lung_with_gencode_lengths() {
    let mut data = read_matrix(Path::new(COUNTS), MatrixOptions::genes_in_rows()).unwrap();
    let gtf = read_gene_annotation(Path::new(GTF)).unwrap();
    assert_eq!(data.genes_mut().fill_from(&gtf), 818);
    let fitted = Pipeline::new(vec![Step::Tpm]).fit(&data).unwrap();
    let tpm = fitted.transform(&data).unwrap();
    for row in tpm.counts().rows() {
        let sum: f64 = row.iter().map(|&v| f64::from(v)).sum();
        assert!((sum - 1e6).abs() < 1.0, "sample sums to {sum}");
    }
    // Independent python3 (gzip + csv parsing of both files, exons merged per gene, rate =
    // count / union exon length, TPM = rate / sum(rate) * 1e6):
    //   GTEX-111CU-0326-SM-5GZXO APP 69944.14207677502 SOD1 27508.851780448334
    //   GTEX-11WQK-1226-SM-5GU5Z APP 66322.05161590809 SOD1 20512.72088810236
    let app = data.genes().position("ENSG00000142192").unwrap();
    let sod1 = data.genes().position("ENSG00000142168").unwrap();
    let first = data.sample_position("GTEX-111CU-0326-SM-5GZXO").unwrap();
    let last = data.sample_position("GTEX-11WQK-1226-SM-5GU5Z").unwrap();
    for (row, col, expect) in [
        (first, app, 69_944.142_076_775),
        (first, sod1, 27_508.851_780_448),
        (last, app, 66_322.051_615_908),
        (last, sod1, 20_512.720_888_102),
    ] {
        let got = f64::from(tpm.counts()[[row, col]]);
        assert!((got - expect).abs() / expect < 1e-6, "{got} vs {expect}");
    }
}

#[test]
fn tpm_refuses_a_gene_without_length_by_name() {
    let data = read_matrix(Path::new(COUNTS), MatrixOptions::genes_in_rows()).unwrap();
    // No GTF filled in: the first gene has no union exon length.
    let err = Pipeline::new(vec![Step::Tpm]).fit(&data).unwrap_err();
    assert!(err.to_string().contains("ENSG00000141956"), "{err}");
}
