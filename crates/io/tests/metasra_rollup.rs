//! The roll-up of UBERON terms to rnameta's tissue labels, on the UBERON slice
//! (`fixtures/uberon/uberon-slice.obo`): the rule (one tissue, the most specific; two unrelated
//! tissues give none), obsolete terms and alt_ids, the TSV, and agreement with the hand table.

use std::path::Path;

use rnameta_core::{DataSource, SampleMeta};
use rnameta_io::metasra::rollup::{Reason, RollUp};
use rnameta_io::metasra::uberon::{self, DESCENDANTS, TISSUES};
use rnameta_io::metasra::{fill_sample_metas, MetaSra, MetaSraSample};
use rnameta_io::obo::Ontology;

fn slice() -> Ontology {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/uberon/uberon-slice.obo");
    Ontology::read(&path).unwrap()
}

fn rollup() -> RollUp {
    RollUp::for_tissues(&slice())
}

#[test]
fn cerebellum_rolls_up_to_brain() {
    let r = rollup();
    assert_eq!(r.tissue_of("UBERON:0002037"), Some("brain"));
    assert_eq!(
        r.get("UBERON:0002037").unwrap().reason,
        Reason::Below {
            target: "UBERON:0000955".into()
        }
    );
    assert_eq!(
        r.tissue_of("UBERON:0000956"),
        Some("brain"),
        "cerebral cortex"
    );
}

#[test]
fn heart_left_ventricle_rolls_up_to_heart() {
    assert_eq!(rollup().tissue_of("UBERON:0002084"), Some("heart"));
}

#[test]
fn transverse_and_sigmoid_colon_roll_up_to_colon() {
    let r = rollup();
    assert_eq!(r.tissue_of("UBERON:0001157"), Some("colon"));
    assert_eq!(r.tissue_of("UBERON:0001159"), Some("colon"));
}

#[test]
fn renal_cortex_rolls_up_to_kidney() {
    let r = rollup();
    assert_eq!(r.tissue_of("UBERON:0001225"), Some("kidney"));
    assert_eq!(r.get("UBERON:0001225").unwrap().name, "cortex of kidney");
}

#[test]
fn coronary_artery_is_ambiguous_between_heart_and_blood_vessel() {
    let r = rollup();
    let row = r.get("UBERON:0001621").unwrap();
    assert_eq!(row.tissue, None);
    assert_eq!(
        row.reason,
        Reason::Ambiguous {
            targets: vec![
                ("blood vessel".into(), "UBERON:0001981".into()),
                ("heart".into(), "UBERON:0000948".into()),
            ]
        }
    );
    let text = row.reason.to_string();
    assert!(
        text.contains("heart") && text.contains("blood vessel"),
        "{text}"
    );
    let ambiguous: Vec<&str> = r.ambiguous().map(|row| row.term.as_str()).collect();
    assert_eq!(
        ambiguous,
        ["UBERON:0001621", "UBERON:0003498"],
        "coronary artery and heart blood vessel"
    );
    assert!(!r.tissue_terms().contains_key("UBERON:0001621"));
}

#[test]
fn spinal_cord_and_unrelated_terms_map_to_no_tissue() {
    let r = rollup();
    for term in [
        "UBERON:0002240", // spinal cord: part of the CNS, not of the brain
        "UBERON:0000970", // eye
        "UBERON:0002185", // bronchus: part of the tracheobronchial tree, not of the lung
        "UBERON:0000059", // large intestine: above the colon, not below it
        "UBERON:0001062", // anatomical entity
    ] {
        let row = r.get(term).unwrap();
        assert_eq!(
            (row.tissue.as_deref(), &row.reason),
            (None, &Reason::NoTarget),
            "{term}"
        );
    }
}

#[test]
fn a_target_below_another_target_wins_pituitary_over_brain_and_cervix_over_uterus() {
    let r = rollup();
    let pituitary = r.get("UBERON:0000007").unwrap();
    assert_eq!(
        (pituitary.tissue.as_deref(), &pituitary.reason),
        (Some("pituitary"), &Reason::Target)
    );
    assert_eq!(
        r.tissue_of("UBERON:0002196"),
        Some("pituitary"),
        "adenohypophysis"
    );
    assert_eq!(
        r.tissue_of("UBERON:0003296"),
        Some("brain"),
        "gland of diencephalon"
    );
    assert_eq!(r.tissue_of("UBERON:0000002"), Some("cervix uteri"));
    assert_eq!(
        r.tissue_of("UBERON:0012249"),
        Some("cervix uteri"),
        "ectocervix"
    );
    assert_eq!(r.tissue_of("UBERON:0000995"), Some("uterus"));
}

#[test]
fn with_colon_and_large_intestine_as_targets_transverse_colon_goes_to_colon() {
    let targets = [
        ("colon", "UBERON:0001155"),
        ("large intestine", "UBERON:0000059"),
    ];
    let r = RollUp::new(&slice(), &targets);
    assert_eq!(r.tissue_of("UBERON:0001157"), Some("colon"));
    assert_eq!(r.tissue_of("UBERON:0001155"), Some("colon"));
    assert_eq!(r.tissue_of("UBERON:0000059"), Some("large intestine"));
    assert_eq!(
        r.tissue_of("UBERON:0000160"),
        None,
        "intestine is above both"
    );
}

#[test]
fn a_term_given_two_labels_maps_to_none_and_a_label_may_have_two_terms() {
    let onto = slice();
    let r = RollUp::new(
        &onto,
        &[("heart", "UBERON:0000948"), ("cardiac", "UBERON:0000948")],
    );
    assert_eq!(r.tissue_of("UBERON:0002084"), None);
    assert!(matches!(
        r.get("UBERON:0002084").unwrap().reason,
        Reason::Ambiguous { .. }
    ));
    let r = RollUp::new(
        &onto,
        &[("heart", "UBERON:0000948"), ("heart", "UBERON:0001981")],
    );
    assert_eq!(
        r.tissue_of("UBERON:0001621"),
        Some("heart"),
        "two terms of one label are no conflict"
    );
}

#[test]
fn obsolete_terms_and_alt_ids_take_their_current_terms_tissue() {
    let r = rollup();
    let obsolete = r.get("UBERON:0002946").unwrap();
    assert_eq!(obsolete.tissue.as_deref(), Some("brain"));
    assert_eq!(
        obsolete.reason,
        Reason::Obsolete {
            replaced_by: Some("UBERON:0002037".into())
        }
    );
    let alt = r.get("UBERON:0003223").unwrap();
    assert_eq!(
        (alt.tissue.as_deref(), alt.name.as_str()),
        (Some("liver"), "liver parenchyma")
    );
    assert_eq!(
        alt.reason,
        Reason::AltIdOf {
            term: "UBERON:0001280".into()
        }
    );
}

#[test]
fn target_terms_missing_from_the_ontology_still_map_to_their_label() {
    let r = rollup();
    let adrenal = r.get("UBERON:0002369").unwrap();
    assert_eq!(adrenal.tissue.as_deref(), Some("adrenal gland"));
    assert_eq!(adrenal.reason, Reason::TargetNotInOntology);
    let map = r.tissue_terms();
    for (tissue, term) in TISSUES {
        assert_eq!(map.get(term).map(String::as_str), Some(tissue), "{term}");
    }
    // 81 terms, 4 alt_ids, and the 31 - 13 tissue terms the slice lacks.
    assert_eq!(r.len(), 81 + 4 + 18);
    assert_eq!(
        r.tissue_of("UBERON:0010182"),
        Some("cervix uteri"),
        "alt_id of ectocervix"
    );
}

#[test]
fn the_roll_up_agrees_with_the_hand_table_wherever_both_give_a_tissue() {
    let r = rollup();
    let hand = uberon::tissue_terms();
    let mut compared = 0;
    for (term, tissue) in &hand {
        if let Some(rolled) = r.tissue_of(term) {
            assert_eq!(rolled, tissue, "{term}");
            compared += 1;
        }
    }
    let in_slice = DESCENDANTS
        .iter()
        .filter(|d| {
            r.get(d.term)
                .is_some_and(|row| row.reason != Reason::TargetNotInOntology)
        })
        .count();
    assert_eq!(in_slice, 12, "DESCENDANTS terms in the slice");
    assert_eq!(compared, TISSUES.len() + in_slice);
}

#[test]
fn the_tsv_has_one_row_per_term_with_id_name_tissue_and_reason() {
    let r = rollup();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rollup.tsv");
    r.write_tsv(&path).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("term_id\tterm_name\ttissue\treason"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split('\t').collect()).collect();
    assert_eq!(rows.len(), r.len());
    assert!(rows.iter().all(|row| row.len() == 4));
    let find = |id: &str| rows.iter().find(|row| row[0] == id).unwrap().clone();
    assert_eq!(
        find("UBERON:0002037"),
        [
            "UBERON:0002037",
            "cerebellum",
            "brain",
            "part or kind of UBERON:0000955"
        ]
    );
    let coronary = find("UBERON:0001621");
    assert_eq!(&coronary[..3], ["UBERON:0001621", "coronary artery", ""]);
    assert!(coronary[3].starts_with("ambiguous"), "{coronary:?}");
    assert!(coronary[3].contains("blood vessel (UBERON:0001981)"));
    assert!(coronary[3].contains("heart (UBERON:0000948)"));
    assert_eq!(find("UBERON:0000955")[2..], ["brain", "target term"]);
    let gz = dir.path().join("rollup.tsv.gz");
    r.write_tsv(&gz).unwrap();
    assert!(rnameta_io::source::is_gzip(&gz).unwrap());
}

#[test]
fn the_tissue_terms_fill_metasra_samples() {
    let term_sample = |accession: &str, terms: &[&str]| MetaSraSample {
        accession: accession.into(),
        mapped_terms: terms.iter().map(|t| (*t).to_owned()).collect(),
        sample_type: Some("tissue".into()),
        sample_type_confidence: Some(0.9),
        real_value_properties: Vec::new(),
    };
    let metasra = MetaSra::new(vec![
        term_sample("SRS1", &["UBERON:0002037"]),
        term_sample("SRS2", &["UBERON:0001621"]),
        term_sample("SRS3", &["UBERON:0002084", "UBERON:0001225"]),
    ])
    .unwrap();
    let mut samples: Vec<SampleMeta> = ["SRS1", "SRS2", "SRS3"]
        .iter()
        .map(|id| SampleMeta::new(*id, DataSource::Sra))
        .collect();
    let report = fill_sample_metas(&mut samples, &metasra, &rollup().tissue_terms());
    assert_eq!(samples[0].tissue.as_deref(), Some("brain"));
    assert_eq!(
        samples[1].tissue, None,
        "the coronary artery gives no tissue"
    );
    assert_eq!(samples[2].tissue, None, "heart and kidney conflict");
    assert_eq!(report.tissue_conflicts, ["SRS3".to_owned()]);
}
