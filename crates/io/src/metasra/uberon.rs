//! The UBERON term -> tissue table with which MetaSRA's mapped ontology terms become the tissue
//! labels rnameta predicts.
//!
//! [`TISSUES`] names one UBERON term per tissue label (31 labels, the GTEx tissue types `SMTS`
//! in lower case). MetaSRA maps a sample to the most specific term its metadata supports, so a
//! brain sample is often mapped to `UBERON:0002037` (cerebellum) rather than to `UBERON:0000955`
//! (brain). [`DESCENDANTS`] therefore rolls known sub-parts and sub-types up to their tissue,
//! but only where the roll-up is anatomically certain: the term is a part (`part_of`) or a kind
//! (`is_a`) of that tissue's term in UBERON and of no other tissue of the table. Terms that sit
//! between two labels (the spinal cord, which GTEx files under brain; the coronary artery, a blood
//! vessel that is also part of the heart; the gastro-oesophageal junction) are left out, so that
//! they give no tissue rather than a wrong one.
//!
//! With UBERON's OBO file at hand, [`super::rollup::RollUp`] computes this roll-up from the
//! ontology itself, by the same rule and for every term; [`DESCENDANTS`] is the table to use
//! without it. Against the UBERON basic release of 2024-09-03 the two agree on 61 of the 65
//! entries: in that release the mammary gland, the endocervix, the gastrocnemius medialis and
//! Peyer's patch are not below their tissue's term through `is_a` / `part_of`, so the ontology
//! roll-up gives them no tissue.
//!
//! Source of every term id: the UBERON ontology (Mungall et al. 2012, <http://uberon.org>, term
//! pages `http://purl.obolibrary.org/obo/UBERON_<number>`); the terms marked "GTEx" are also the
//! ontology ids the GTEx portal gives its tissue sites (`tissueSiteDetail`), which is where real
//! MetaSRA and GTEx-derived annotations meet them most.

use std::collections::BTreeMap;

/// One UBERON term per tissue label, as MetaSRA maps it: `(tissue label, term id)`. The
/// simulator writes these terms into its MetaSRA files, and [`tissue_terms`] reads them back.
pub const TISSUES: [(&str, &str); 31] = [
    ("adipose tissue", "UBERON:0001013"),
    ("adrenal gland", "UBERON:0002369"),
    ("bladder", "UBERON:0001255"),
    ("blood", "UBERON:0000178"),
    ("blood vessel", "UBERON:0001981"),
    ("bone marrow", "UBERON:0002371"),
    ("brain", "UBERON:0000955"),
    ("breast", "UBERON:0000310"),
    ("cervix uteri", "UBERON:0000002"),
    ("colon", "UBERON:0001155"),
    ("esophagus", "UBERON:0001043"),
    ("fallopian tube", "UBERON:0003889"),
    ("heart", "UBERON:0000948"),
    ("kidney", "UBERON:0002113"),
    ("liver", "UBERON:0002107"),
    ("lung", "UBERON:0002048"),
    ("muscle", "UBERON:0001134"),
    ("nerve", "UBERON:0001021"),
    ("ovary", "UBERON:0000992"),
    ("pancreas", "UBERON:0001264"),
    ("pituitary", "UBERON:0000007"),
    ("prostate", "UBERON:0002367"),
    ("salivary gland", "UBERON:0001044"),
    ("skin", "UBERON:0002097"),
    ("small intestine", "UBERON:0002108"),
    ("spleen", "UBERON:0002106"),
    ("stomach", "UBERON:0000945"),
    ("testis", "UBERON:0000473"),
    ("thyroid", "UBERON:0002046"),
    ("uterus", "UBERON:0000995"),
    ("vagina", "UBERON:0000996"),
];

/// A UBERON term below one of [`TISSUES`]' terms, rolled up to that tissue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Descendant {
    /// The term id (`UBERON:0002037`).
    pub term: &'static str,
    /// Its UBERON name (`cerebellum`), for the reader of the table.
    pub name: &'static str,
    /// The tissue label it rolls up to (a label of [`TISSUES`]).
    pub tissue: &'static str,
}

const fn d(term: &'static str, name: &'static str, tissue: &'static str) -> Descendant {
    Descendant { term, name, tissue }
}

/// Sub-parts and sub-types of the tissues of [`TISSUES`] whose roll-up is anatomically certain
/// (see the module documentation). Sorted by tissue, then term.
pub const DESCENDANTS: &[Descendant] = &[
    // adipose tissue
    d("UBERON:0001347", "white adipose tissue", "adipose tissue"),
    d("UBERON:0001348", "brown adipose tissue", "adipose tissue"),
    d(
        "UBERON:0002190",
        "subcutaneous adipose tissue (GTEx)",
        "adipose tissue",
    ),
    d("UBERON:0010414", "omental fat pad (GTEx)", "adipose tissue"),
    // blood
    d("UBERON:0013755", "arterial blood", "blood"),
    d("UBERON:0013756", "venous blood (GTEx whole blood)", "blood"),
    // blood vessel
    d("UBERON:0000947", "aorta", "blood vessel"),
    d("UBERON:0001496", "ascending aorta (GTEx)", "blood vessel"),
    d("UBERON:0007610", "tibial artery (GTEx)", "blood vessel"),
    // brain
    d("UBERON:0000451", "prefrontal cortex", "brain"),
    d("UBERON:0000956", "cerebral cortex", "brain"),
    d("UBERON:0001870", "frontal cortex (GTEx)", "brain"),
    d("UBERON:0001873", "caudate nucleus (GTEx)", "brain"),
    d("UBERON:0001874", "putamen (GTEx)", "brain"),
    d("UBERON:0001876", "amygdala (GTEx)", "brain"),
    d("UBERON:0001882", "nucleus accumbens (GTEx)", "brain"),
    d("UBERON:0001898", "hypothalamus (GTEx)", "brain"),
    d("UBERON:0001954", "Ammon's horn (GTEx hippocampus)", "brain"),
    d("UBERON:0002037", "cerebellum (GTEx)", "brain"),
    d("UBERON:0002038", "substantia nigra (GTEx)", "brain"),
    d("UBERON:0002245", "cerebellar hemisphere (GTEx)", "brain"),
    d("UBERON:0002421", "hippocampal formation", "brain"),
    d(
        "UBERON:0009834",
        "dorsolateral prefrontal cortex (GTEx, BA9)",
        "brain",
    ),
    d(
        "UBERON:0009835",
        "anterior cingulate cortex (GTEx, BA24)",
        "brain",
    ),
    // breast
    d("UBERON:0001911", "mammary gland", "breast"),
    d("UBERON:0008367", "breast epithelium (GTEx)", "breast"),
    // cervix uteri
    d("UBERON:0000458", "endocervix (GTEx)", "cervix uteri"),
    d("UBERON:0012249", "ectocervix (GTEx)", "cervix uteri"),
    // colon
    d("UBERON:0001156", "ascending colon", "colon"),
    d("UBERON:0001157", "transverse colon (GTEx)", "colon"),
    d("UBERON:0001158", "descending colon", "colon"),
    d("UBERON:0001159", "sigmoid colon (GTEx)", "colon"),
    // esophagus
    d("UBERON:0002469", "esophagus mucosa", "esophagus"),
    d(
        "UBERON:0004648",
        "esophagus muscularis mucosa (GTEx)",
        "esophagus",
    ),
    d(
        "UBERON:0006920",
        "esophagus squamous epithelium (GTEx)",
        "esophagus",
    ),
    // heart
    d("UBERON:0002078", "right cardiac atrium", "heart"),
    d("UBERON:0002079", "left cardiac atrium", "heart"),
    d("UBERON:0002080", "heart right ventricle", "heart"),
    d("UBERON:0002082", "cardiac ventricle", "heart"),
    d("UBERON:0002084", "heart left ventricle", "heart"),
    d("UBERON:0002349", "myocardium", "heart"),
    d(
        "UBERON:0006566",
        "left ventricle myocardium (GTEx)",
        "heart",
    ),
    d(
        "UBERON:0006631",
        "right atrium auricular region (GTEx atrial appendage)",
        "heart",
    ),
    // kidney
    d("UBERON:0001225", "cortex of kidney (GTEx)", "kidney"),
    d("UBERON:0001293", "outer medulla of kidney (GTEx)", "kidney"),
    // liver
    d("UBERON:0001114", "right lobe of liver (GTEx)", "liver"),
    d("UBERON:0001115", "left lobe of liver", "liver"),
    // lung
    d("UBERON:0002167", "right lung", "lung"),
    d("UBERON:0002168", "left lung", "lung"),
    d("UBERON:0008952", "upper lobe of left lung (GTEx)", "lung"),
    // muscle
    d(
        "UBERON:0011907",
        "gastrocnemius medialis (GTEx skeletal muscle)",
        "muscle",
    ),
    // nerve
    d("UBERON:0001322", "sciatic nerve", "nerve"),
    d("UBERON:0001323", "tibial nerve (GTEx)", "nerve"),
    // pancreas
    d("UBERON:0000006", "islet of Langerhans", "pancreas"),
    d("UBERON:0001150", "body of pancreas (GTEx)", "pancreas"),
    // skin
    d("UBERON:0001003", "skin epidermis", "skin"),
    d("UBERON:0002067", "dermis", "skin"),
    d(
        "UBERON:0004264",
        "lower leg skin (GTEx, sun exposed)",
        "skin",
    ),
    d(
        "UBERON:0036149",
        "suprapubic skin (GTEx, not sun exposed)",
        "skin",
    ),
    // small intestine
    d(
        "UBERON:0001211",
        "Peyer's patch (GTEx terminal ileum)",
        "small intestine",
    ),
    d("UBERON:0002114", "duodenum", "small intestine"),
    d("UBERON:0002115", "jejunum", "small intestine"),
    d("UBERON:0002116", "ileum", "small intestine"),
    // uterus
    d("UBERON:0001295", "endometrium", "uterus"),
    d("UBERON:0001296", "myometrium", "uterus"),
];

/// The UBERON term -> tissue label map that [`super::fill_sample_metas`] takes: every term of
/// [`TISSUES`] and of [`DESCENDANTS`].
pub fn tissue_terms() -> BTreeMap<String, String> {
    TISSUES
        .iter()
        .map(|(tissue, term)| (*term, *tissue))
        .chain(DESCENDANTS.iter().map(|d| (d.term, d.tissue)))
        .map(|(term, tissue)| (term.to_owned(), tissue.to_owned()))
        .collect()
}

/// The UBERON term of a tissue label of [`TISSUES`] (the one MetaSRA-style files write).
pub fn term_of(tissue: &str) -> Option<&'static str> {
    TISSUES
        .iter()
        .find(|(t, _)| *t == tissue)
        .map(|(_, term)| *term)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_descendant_rolls_up_to_a_tissue_of_the_table_and_no_term_is_listed_twice() {
        let mut seen = std::collections::BTreeSet::new();
        for (tissue, term) in TISSUES {
            assert!(seen.insert(term), "{term} twice");
            assert_eq!(term_of(tissue), Some(term));
        }
        for d in DESCENDANTS {
            assert!(seen.insert(d.term), "{} twice", d.term);
            assert!(term_of(d.tissue).is_some(), "{} -> {}", d.term, d.tissue);
            assert!(
                d.term.starts_with("UBERON:") && d.term.len() == 14,
                "{}",
                d.term
            );
        }
        assert_eq!(tissue_terms().len(), TISSUES.len() + DESCENDANTS.len());
    }

    #[test]
    fn the_sex_terms_are_no_tissue() {
        let terms = tissue_terms();
        assert!(!terms.contains_key("UBERON:0003100"));
        assert!(!terms.contains_key("UBERON:0003101"));
    }

    #[test]
    fn cerebellum_and_left_ventricle_roll_up() {
        let terms = tissue_terms();
        assert_eq!(terms["UBERON:0002037"], "brain");
        assert_eq!(terms["UBERON:0002084"], "heart");
    }
}
