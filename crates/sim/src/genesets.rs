//! The biology the simulator knows by name: tissues (with GTEx, TCGA and SRA spellings and real
//! marker genes), sex genes, proliferation genes, cancer projects and cell lines.

use rnameta_core::Sex;

/// A tissue: its canonical name (the truth label), GTEx's `SMTS`, its groups (tissues of one
/// group share part of their program), real marker genes and the sex it is restricted to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TissueSpec {
    /// Canonical lower-case name (`adrenal gland`), used in truth tables and SRA labels.
    pub name: &'static str,
    /// GTEx `SMTS` spelling (`Adrenal Gland`).
    pub gtex: &'static str,
    /// Shared-program groups.
    pub groups: &'static [&'static str],
    /// Marker gene symbols (Ensembl 100 names).
    pub markers: &'static [&'static str],
    /// Only samples of this sex have the tissue.
    pub sex: Option<Sex>,
    /// One of the paper's 16 tissue classes (the others form its catch-all class).
    pub in_paper: bool,
}

const F: Option<Sex> = Some(Sex::Female);
const M: Option<Sex> = Some(Sex::Male);

macro_rules! tissue {
    ($name:expr, $gtex:expr, [$($g:expr),*], [$($m:expr),*], $sex:expr, $paper:expr) => {
        TissueSpec { name: $name, gtex: $gtex, groups: &[$($g),*], markers: &[$($m),*], sex: $sex, in_paper: $paper }
    };
}

/// The 31 GTEx tissues (`SMTS`), the paper's 16 among them.
pub const TISSUES: [TissueSpec; 31] = [
    tissue!(
        "adipose tissue",
        "Adipose Tissue",
        ["fat"],
        ["ADIPOQ", "LEP", "PLIN1"],
        None,
        false
    ),
    tissue!(
        "adrenal gland",
        "Adrenal Gland",
        [],
        ["STAR", "CYP11B1", "CYP17A1"],
        None,
        true
    ),
    tissue!(
        "bladder",
        "Bladder",
        ["smooth"],
        ["UPK1B", "UPK3A"],
        None,
        false
    ),
    tissue!(
        "blood",
        "Blood",
        ["blood"],
        ["HBB", "HBA1", "PTPRC"],
        None,
        false
    ),
    tissue!(
        "blood vessel",
        "Blood Vessel",
        ["smooth"],
        ["MYH11", "ELN"],
        None,
        false
    ),
    tissue!(
        "bone marrow",
        "Bone Marrow",
        ["blood"],
        ["MPO", "ELANE", "CD34"],
        None,
        true
    ),
    tissue!(
        "brain",
        "Brain",
        ["neural"],
        ["GFAP", "SNAP25", "OLIG2", "MBP"],
        None,
        true
    ),
    tissue!(
        "breast",
        "Breast",
        ["fat"],
        ["ANKRD30A", "SCGB2A2", "KRT18"],
        None,
        true
    ),
    tissue!(
        "cervix uteri",
        "Cervix Uteri",
        ["female", "squamous"],
        ["KRT5", "PAX8"],
        F,
        false
    ),
    tissue!(
        "colon",
        "Colon",
        ["gut"],
        ["CDX2", "CDH17", "LGALS4"],
        None,
        false
    ),
    tissue!(
        "esophagus",
        "Esophagus",
        ["upper_gut", "squamous"],
        ["KRT13", "KRT4", "TP63"],
        None,
        true
    ),
    tissue!(
        "fallopian tube",
        "Fallopian Tube",
        ["female"],
        ["OVGP1", "FOXJ1"],
        F,
        false
    ),
    tissue!(
        "heart",
        "Heart",
        ["muscle"],
        ["MYH6", "NPPA", "TNNT2"],
        None,
        false
    ),
    tissue!(
        "kidney",
        "Kidney",
        [],
        ["UMOD", "SLC34A1", "NPHS1"],
        None,
        true
    ),
    tissue!(
        "liver",
        "Liver",
        [],
        ["ALB", "APOA1", "CYP3A4", "TF"],
        None,
        true
    ),
    tissue!(
        "lung",
        "Lung",
        [],
        ["SFTPC", "SFTPB", "SFTPA1", "NAPSA"],
        None,
        true
    ),
    tissue!(
        "muscle",
        "Muscle",
        ["muscle"],
        ["ACTA1", "MYH2", "CKM"],
        None,
        false
    ),
    tissue!(
        "nerve",
        "Nerve",
        ["neural"],
        ["MPZ", "PMP22", "S100B"],
        None,
        false
    ),
    tissue!("ovary", "Ovary", ["female"], ["FOXL2", "AMHR2"], F, true),
    tissue!(
        "pancreas",
        "Pancreas",
        [],
        ["PRSS1", "CPA1", "CELA3A", "INS"],
        None,
        true
    ),
    tissue!(
        "pituitary",
        "Pituitary",
        ["neural"],
        ["POMC", "GH1", "PRL"],
        None,
        false
    ),
    tissue!(
        "prostate",
        "Prostate",
        [],
        ["KLK3", "KLK2", "ACP3", "NKX3-1"],
        M,
        true
    ),
    tissue!(
        "salivary gland",
        "Salivary Gland",
        [],
        ["HTN3", "STATH", "PRB1"],
        None,
        false
    ),
    tissue!(
        "skin",
        "Skin",
        ["squamous"],
        ["KRT1", "KRT10", "KRT14", "LORICRIN"],
        None,
        true
    ),
    tissue!(
        "small intestine",
        "Small Intestine",
        ["gut"],
        ["DEFA5", "FABP2", "APOA4"],
        None,
        false
    ),
    tissue!(
        "spleen",
        "Spleen",
        ["blood"],
        ["CD19", "MS4A1", "CR2"],
        None,
        false
    ),
    tissue!(
        "stomach",
        "Stomach",
        ["upper_gut", "gut"],
        ["PGC", "GKN1", "ATP4A", "TFF1"],
        None,
        true
    ),
    tissue!(
        "testis",
        "Testis",
        [],
        ["PRM1", "PRM2", "TNP1", "DAZL"],
        M,
        true
    ),
    tissue!("thyroid", "Thyroid", [], ["TG", "TPO", "TSHR"], None, true),
    tissue!(
        "uterus",
        "Uterus",
        ["female", "smooth"],
        ["PGR", "HOXA10", "ESR1"],
        F,
        true
    ),
    tissue!(
        "vagina",
        "Vagina",
        ["female", "squamous"],
        ["KRT4", "MUC16"],
        F,
        false
    ),
];

/// The tissue with this canonical name.
pub fn tissue_index(name: &str) -> Option<usize> {
    TISSUES.iter().position(|t| t.name == name)
}

/// The female-specific chrX gene.
pub const XIST: &str = "XIST";
/// chrY genes expressed in males (the male-specific region).
pub const Y_GENES: [&str; 10] = [
    "RPS4Y1", "DDX3Y", "KDM5D", "UTY", "EIF1AY", "ZFY", "USP9Y", "NLGN4Y", "TXLNGY", "TMSB4Y",
];
/// chrX genes that escape X inactivation (slightly higher in females).
pub const X_ESCAPE: [&str; 8] = [
    "KDM5C", "KDM6A", "DDX3X", "EIF1AX", "ZFX", "USP9X", "SMC1A", "JPX",
];
/// Proliferation genes (up in cell lines and tumours).
pub const PROLIFERATION: [&str; 10] = [
    "MKI67", "TOP2A", "CCNB1", "CDK1", "PCNA", "MCM2", "MCM3", "BIRC5", "CENPF", "TYMS",
];
/// Mitochondrial rRNA genes (high in total-RNA libraries).
pub const MT_RRNA: [&str; 2] = ["MT-RNR1", "MT-RNR2"];

/// Every symbol the universe must contain.
pub fn required_symbols() -> Vec<&'static str> {
    let mut out: Vec<&'static str> = TISSUES
        .iter()
        .flat_map(|t| t.markers.iter().copied())
        .collect();
    out.push(XIST);
    out.extend(Y_GENES);
    out.extend(X_ESCAPE);
    out.extend(PROLIFERATION);
    out.extend(MT_RRNA);
    out.sort_unstable();
    out.dedup();
    out
}

/// A TCGA project: its code, the canonical tissue it comes from, `primary_site` as the GDC spells
/// it, and its relative size (real TCGA sample counts, rounded).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TcgaProject {
    /// Project code without `TCGA-` (`BRCA`).
    pub code: &'static str,
    /// Canonical tissue.
    pub tissue: &'static str,
    /// GDC `primary_site`.
    pub primary_site: &'static str,
    /// Relative size.
    pub weight: u32,
}

macro_rules! project {
    ($c:expr, $t:expr, $s:expr, $w:expr) => {
        TcgaProject {
            code: $c,
            tissue: $t,
            primary_site: $s,
            weight: $w,
        }
    };
}

/// The simulated TCGA projects.
pub const TCGA_PROJECTS: [TcgaProject; 23] = [
    project!("ACC", "adrenal gland", "Adrenal Gland", 79),
    project!("LAML", "bone marrow", "Bone Marrow", 151),
    project!("LGG", "brain", "Brain", 530),
    project!("GBM", "brain", "Brain", 175),
    project!("BRCA", "breast", "Breast", 1220),
    project!("ESCA", "esophagus", "Esophagus", 198),
    project!("KIRC", "kidney", "Kidney", 610),
    project!("KIRP", "kidney", "Kidney", 320),
    project!("KICH", "kidney", "Kidney", 90),
    project!("LIHC", "liver", "Liver", 420),
    project!("LUAD", "lung", "Lung", 590),
    project!("LUSC", "lung", "Lung", 550),
    project!("OV", "ovary", "Ovary", 430),
    project!("PAAD", "pancreas", "Pancreas", 180),
    project!("PRAD", "prostate", "Prostate", 550),
    project!("SKCM", "skin", "Skin", 470),
    project!("STAD", "stomach", "Stomach", 450),
    project!("TGCT", "testis", "Testis", 156),
    project!("THCA", "thyroid", "Thyroid", 570),
    project!("UCEC", "uterus", "Uterus", 580),
    // The GDC (and recount2's TCGA) spells these two sites unlike GTEx: "Colorectal" and "Cervix"
    // match no GTEx tissue, which is why the paper's tissues common to all sources lack them.
    project!("COAD", "colon", "Colorectal", 520),
    project!("BLCA", "bladder", "Bladder", 430),
    project!("CESC", "cervix uteri", "Cervix", 310),
];

/// GTEx v6 samples per tissue (`SMTS`), as the paper's recount2 data had them: approximate
/// counts (they sum to 9,409 against recount2's 9,662, and the paper's 16 tissue classes to 5,396
/// against its 5,480), used as weights: the simulator spreads its GTEx samples in proportion
/// ([`crate::config::GtexTissueSizes::GtexV6`]).
pub const GTEX_V6_SAMPLES: [(&str, u32); 31] = [
    ("adipose tissue", 621),
    ("adrenal gland", 159),
    ("bladder", 11),
    ("blood", 595),
    ("blood vessel", 689),
    ("bone marrow", 102),
    ("brain", 1409),
    ("breast", 218),
    ("cervix uteri", 11),
    ("colon", 345),
    ("esophagus", 736),
    ("fallopian tube", 7),
    ("heart", 412),
    ("kidney", 36),
    ("liver", 136),
    ("lung", 378),
    ("muscle", 475),
    ("nerve", 335),
    ("ovary", 108),
    ("pancreas", 187),
    ("pituitary", 124),
    ("prostate", 119),
    ("salivary gland", 70),
    ("skin", 956),
    ("small intestine", 104),
    ("spleen", 118),
    ("stomach", 204),
    ("testis", 203),
    ("thyroid", 355),
    ("uterus", 90),
    ("vagina", 96),
];

/// GTEx v6 samples of `tissue` ([`GTEX_V6_SAMPLES`]); 0 for a name it does not list.
pub fn gtex_v6_samples(tissue: &str) -> u32 {
    GTEX_V6_SAMPLES
        .iter()
        .find(|(name, _)| *name == tissue)
        .map_or(0, |(_, n)| *n)
}

/// Real-like cell lines that start the pool: name, tissue of origin, sex of the donor.
pub const NAMED_CELL_LINES: [(&str, &str, Sex); 10] = [
    ("HEK293-like", "kidney", Sex::Female),
    ("HeLa-like", "cervix uteri", Sex::Female),
    ("HepG2-like", "liver", Sex::Male),
    ("MCF7-like", "breast", Sex::Female),
    ("K562-like", "bone marrow", Sex::Female),
    ("A549-like", "lung", Sex::Male),
    ("LNCaP-like", "prostate", Sex::Male),
    ("SH-SY5Y-like", "brain", Sex::Female),
    ("Caco-2-like", "colon", Sex::Male),
    ("HaCaT-like", "skin", Sex::Male),
];

/// UBERON terms of the tissues, as MetaSRA maps them: io's table, the one the real loader reads
/// MetaSRA files with (`rnameta_io::metasra::uberon`), so that simulated and real files agree.
pub use rnameta_io::metasra::uberon::TISSUES as UBERON;

/// The UBERON term -> tissue name map that `rnameta_io::metasra::fill_sample_metas` needs to read
/// the simulated MetaSRA file's tissues back: io's (which also rolls sub-parts up to their tissue;
/// the simulator writes only the terms of [`UBERON`]).
pub fn tissue_terms() -> std::collections::BTreeMap<String, String> {
    rnameta_io::metasra::uberon::tissue_terms()
}

/// The UBERON term of a tissue.
pub fn uberon_of(tissue: &str) -> Option<&'static str> {
    rnameta_io::metasra::uberon::term_of(tissue)
}

/// The cell line that SRA studies often annotate with the wrong sex (a female line called male).
pub const HEK_LIKE: &str = "HEK293-like";
