//! Inputs built for the tests: a recount3 tree with one SRA project, made from the real GTEx lung
//! counts (30 samples, 818 chr21 genes) and the GENCODE v26 chr21 GTF of `fixtures/real`.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use rnameta_core::{DataSource, Dataset, SampleMeta, Sex};
use rnameta_io::metasra::{self, MetaSraSample};
use rnameta_io::recount3::{
    self, GeneSums, GeneSumsHeader, MetadataTable, Recount3Table, AUC, AVERAGE_MAPPED_LENGTH,
};
use rnameta_io::tsv::{self, MatrixOptions};

pub const PROJECT: &str = "SRP000001";
/// Average mapped read length written in the recount_qc table (sums = counts x this).
pub const READ_LENGTH: f64 = 76.0;

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/real")
}

/// The real GTEx lung counts (genes in rows).
pub fn lung_counts() -> Dataset {
    tsv::read_matrix(
        &fixtures().join("gtex_lung30_chr21_counts.tsv.gz"),
        MatrixOptions::genes_in_rows(),
    )
    .unwrap()
}

/// Where the files of the tree lie.
pub struct Tree {
    pub human: PathBuf,
    pub gene_sums: PathBuf,
    pub qc: PathBuf,
    pub sra: PathBuf,
    pub gtf: PathBuf,
    pub counts: Dataset,
}

/// The SRA samples: ids SRS000000.., the project as study, sex alternating, tissue `lung` for
/// all but the first (whose tissue is for MetaSRA to give).
pub fn sra_samples(n: usize) -> Vec<SampleMeta> {
    (0..n)
        .map(|i| {
            let mut s = SampleMeta::new(format!("SRS{i:06}"), DataSource::Sra);
            s.study = Some(PROJECT.into());
            if i > 0 {
                s.tissue = Some("lung".into());
            }
            s.sex = Some(if i % 2 == 0 { Sex::Female } else { Sex::Male });
            s
        })
        .collect()
}

/// Writes the tree under `root/recount3/human`: gene sums in the layout, its recount_qc and sra
/// tables in `metadata/`, and (when `with_gtf`) the annotation GTF.
pub fn recount3_tree(root: &Path, with_gtf: bool) -> Tree {
    let counts = lung_counts();
    let human = root.join("recount3/human");
    let sums_dir = human.join("data_sources/sra/gene_sums/01").join(PROJECT);
    let meta_dir = human.join("data_sources/sra/metadata/01").join(PROJECT);
    let gtf_dir = human.join("annotations/gene_sums");
    for d in [&sums_dir, &meta_dir, &gtf_dir] {
        std::fs::create_dir_all(d).unwrap();
    }
    let samples = sra_samples(counts.n_samples());
    let header = GeneSumsHeader {
        annotation: "G026".into(),
        date_generated: "2020-06-05".into(),
    };
    let sums = GeneSums::new(
        header,
        counts.genes().clone(),
        samples.clone(),
        counts.counts().mapv(|v| f64::from(v) * READ_LENGTH),
    )
    .unwrap();
    let gene_sums = sums_dir.join(format!("sra.gene_sums.{PROJECT}.G026.gz"));
    recount3::write_gene_sums(&gene_sums, &sums).unwrap();
    let qc = recount_qc(&samples);
    let qc_path = meta_dir.join(format!("sra.recount_qc.{PROJECT}.MD.gz"));
    recount3::write_metadata_table(&qc_path, &qc).unwrap();
    let sra = recount3::table_from_samples(Recount3Table::Sra, &samples).unwrap();
    let sra_path = meta_dir.join(format!("sra.sra.{PROJECT}.MD.gz"));
    recount3::write_metadata_table(&sra_path, &sra).unwrap();
    let gtf = gtf_dir.join("human.gene_sums.G026.gtf.gz");
    if with_gtf {
        std::fs::copy(fixtures().join("gencode.v26.annotation.chr21.gtf.gz"), &gtf).unwrap();
    }
    Tree {
        human,
        gene_sums,
        qc: qc_path,
        sra: sra_path,
        gtf,
        counts,
    }
}

/// A recount_qc table with the read length and AUC of every sample.
pub fn recount_qc(samples: &[SampleMeta]) -> MetadataTable {
    let keys = recount3::table_from_samples(Recount3Table::RecountQc, samples).unwrap();
    let mut columns = keys.columns().to_vec();
    columns.extend([AVERAGE_MAPPED_LENGTH.to_owned(), AUC.to_owned()]);
    let rows = keys
        .rows()
        .iter()
        .map(|r| {
            let mut r = r.clone();
            r.extend([READ_LENGTH.to_string(), "1000000".into()]);
            r
        })
        .collect();
    MetadataTable::new(columns, "rail_id", rows).unwrap()
}

/// A MetaSRA file giving `accession` the terms `terms`.
pub fn metasra_file(path: &Path, accession: &str, terms: &[&str]) {
    metasra::write_metasra(
        path,
        &[MetaSraSample {
            accession: accession.into(),
            mapped_terms: terms.iter().map(|t| (*t).to_owned()).collect(),
            sample_type: Some("tissue".into()),
            sample_type_confidence: Some(0.97),
            real_value_properties: vec![],
        }],
    )
    .unwrap();
}
