//! The OBO reader: the UBERON slice (`fixtures/uberon/uberon-slice.obo`, a hand-cut subset of the
//! UBERON basic release 2024-09-03), the syntax UBERON uses, ancestors, and bad input named by file
//! and line.

mod common;

use std::collections::BTreeSet;
use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};

use common::{assert_names, write_text};
use rnameta_io::obo::{Ontology, Relation, SynonymScope, IS_A_AND_PART_OF};
use rnameta_io::{ErrorKind, Location};

const CEREBELLUM: &str = "UBERON:0002037";
const HEART_LEFT_VENTRICLE: &str = "UBERON:0002084";
const CORONARY_ARTERY: &str = "UBERON:0001621";

fn slice_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/uberon/uberon-slice.obo")
}

fn slice() -> Ontology {
    Ontology::read(&slice_path()).unwrap()
}

fn parse(text: &str) -> rnameta_io::Result<Ontology> {
    Ontology::parse(Cursor::new(text.as_bytes()), "test.obo")
}

#[test]
fn the_slice_has_its_81_terms_its_header_and_no_typedef() {
    let onto = slice();
    assert_eq!(onto.len(), 81);
    assert_eq!(onto.terms().filter(|t| t.obsolete).count(), 1);
    assert_eq!(
        onto.header_value("data-version"),
        Some("uberon/releases/2024-09-03/uberon-basic.owl")
    );
    assert_eq!(onto.header_value("format-version"), Some("1.2"));
    assert!(
        onto.get("part_of").is_none(),
        "[Typedef] stanzas are skipped"
    );
    let ids: Vec<&str> = onto.terms().map(|t| t.id.as_str()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "terms come by id");
    assert!(ids.iter().all(|id| id.starts_with("UBERON:")));
}

#[test]
fn names_synonyms_and_escaped_quotes_are_read() {
    let onto = slice();
    let cerebellum = onto.get(CEREBELLUM).unwrap();
    assert_eq!(cerebellum.name, "cerebellum");
    let texts: Vec<&str> = cerebellum
        .synonyms
        .iter()
        .map(|s| s.text.as_str())
        .collect();
    assert_eq!(
        texts,
        [
            "corpus cerebelli",
            "epencephalon-1",
            "infratentorial region",
            "parencephalon",
            "\"little brain\""
        ]
    );
    let latin = &cerebellum.synonyms[0];
    assert_eq!(latin.scope, SynonymScope::Related);
    assert_eq!(latin.synonym_type.as_deref(), Some("OMO:0003011"));
    assert_eq!(cerebellum.synonyms[1].scope, SynonymScope::Exact);
    assert_eq!(cerebellum.synonyms[2].scope, SynonymScope::Broad);
    assert_eq!(cerebellum.synonyms[1].synonym_type, None);
    let total: usize = onto.terms().map(|t| t.synonyms.len()).sum();
    assert_eq!(total, 281);
    let left = onto.get(HEART_LEFT_VENTRICLE).unwrap();
    assert_eq!(left.name, "heart left ventricle");
    assert!(left
        .synonyms
        .iter()
        .any(|s| s.text == "left ventricle" && s.scope == SynonymScope::Exact));
}

#[test]
fn is_a_part_of_and_other_relationships_are_read_without_comments_or_modifiers() {
    let onto = slice();
    let cerebellum = onto.get(CEREBELLUM).unwrap();
    assert_eq!(cerebellum.is_a, ["UBERON:0002616"]);
    // `relationship: part_of UBERON:0001895 {source="FMA", source="MA"} ! metencephalon`
    assert_eq!(cerebellum.part_of, ["UBERON:0001895"]);
    assert_eq!(cerebellum.relationships.len(), 1);
    assert_eq!(cerebellum.relationships[0].relation, "develops_from");
    assert_eq!(cerebellum.relationships[0].target, "UBERON:0006215");
    let coronary = onto.get(CORONARY_ARTERY).unwrap();
    assert_eq!(coronary.is_a, ["UBERON:0003498", "UBERON:0004573"]);
    assert!(coronary.part_of.is_empty());
    let is_a: usize = onto.terms().map(|t| t.is_a.len()).sum();
    let part_of: usize = onto.terms().map(|t| t.part_of.len()).sum();
    let other: usize = onto.terms().map(|t| t.relationships.len()).sum();
    assert_eq!((is_a, part_of, other), (74, 27, 17));
    let via = |r| cerebellum.targets(r).collect::<Vec<_>>();
    assert_eq!(via(Relation::Other("develops_from")), ["UBERON:0006215"]);
    assert_eq!(via(Relation::Other("part_of")), ["UBERON:0001895"]);
    assert!(via(Relation::Other("has_part")).is_empty());
}

#[test]
fn obsolete_terms_and_alt_ids_resolve_to_current_terms() {
    let onto = slice();
    let obsolete = onto.get("UBERON:0002946").unwrap();
    assert!(obsolete.obsolete);
    assert_eq!(obsolete.replaced_by, [CEREBELLUM]);
    assert_eq!(onto.resolve("UBERON:0002946").unwrap().id, CEREBELLUM);
    assert_eq!(
        onto.get("UBERON:0001280").unwrap().alt_ids,
        ["UBERON:0003223"]
    );
    assert!(onto.get("UBERON:0003223").is_none(), "an alt_id is no term");
    assert_eq!(onto.primary_id("UBERON:0003223"), Some("UBERON:0001280"));
    assert_eq!(
        onto.resolve("UBERON:0003223").unwrap().name,
        "liver parenchyma"
    );
    assert_eq!(
        onto.alt_ids().collect::<Vec<_>>(),
        [
            ("UBERON:0003223", "UBERON:0001280"), // liver parenchyma
            ("UBERON:0004102", "UBERON:0007196"), // tracheobronchial tree
            ("UBERON:0007333", "UBERON:0000203"), // pallium
            ("UBERON:0010182", "UBERON:0012249"), // ectocervix
        ]
    );
    assert_eq!(onto.resolve(CEREBELLUM).unwrap().id, CEREBELLUM);
    assert!(onto.resolve("UBERON:9999999").is_none());
}

#[test]
fn an_obsolete_term_without_a_single_replacement_resolves_to_nothing() {
    let onto = parse(
        "[Term]\nid: X:1\nname: gone\nis_obsolete: true\n\n\
         [Term]\nid: X:2\nname: split\nis_obsolete: true\nreplaced_by: X:3\nreplaced_by: X:4\n\n\
         [Term]\nid: X:5\nname: loop a\nis_obsolete: true\nreplaced_by: X:6\n\n\
         [Term]\nid: X:6\nname: loop b\nis_obsolete: true\nreplaced_by: X:5\n",
    )
    .unwrap();
    assert!(onto.resolve("X:1").is_none());
    assert!(onto.resolve("X:2").is_none());
    assert!(onto.resolve("X:5").is_none(), "a replacement loop ends");
}

#[test]
fn ancestors_follow_is_a_and_part_of_transitively() {
    let onto = slice();
    let up = onto.ancestors(CEREBELLUM, &IS_A_AND_PART_OF);
    for id in [
        "UBERON:0002616", // regional part of brain (is_a)
        "UBERON:0001895", // metencephalon (part_of)
        "UBERON:0004733", // segmental subdivision of hindbrain (metencephalon is_a)
        "UBERON:0002028", // hindbrain (part_of)
        "UBERON:0000955", // brain
        "UBERON:0001017", // central nervous system
        "UBERON:0001062", // anatomical entity, the root
    ] {
        assert!(up.contains(id), "{id} missing from {up:?}");
    }
    assert_eq!(up.len(), 13);
    assert!(!up.contains(CEREBELLUM), "a term is not its own ancestor");
    let kinds = onto.ancestors(CEREBELLUM, &[Relation::IsA]);
    assert_eq!(
        kinds,
        BTreeSet::from(["UBERON:0002616"]),
        "regional part of brain is part_of brain, not a kind of it"
    );
    let coronary = onto.ancestors(CORONARY_ARTERY, &IS_A_AND_PART_OF);
    assert!(coronary.contains("UBERON:0000948") && coronary.contains("UBERON:0001981"));
    assert_eq!(
        onto.ancestors("UBERON:0003223", &IS_A_AND_PART_OF),
        onto.ancestors("UBERON:0001280", &IS_A_AND_PART_OF),
        "an alt_id has its term's ancestors"
    );
    assert!(onto
        .ancestors("UBERON:9999999", &IS_A_AND_PART_OF)
        .is_empty());
    assert_eq!(
        onto.ancestors(CEREBELLUM, &[Relation::Other("develops_from")]),
        BTreeSet::from(["UBERON:0006215"]),
        "an id the file does not define is reached but leads nowhere"
    );
}

#[test]
fn ancestors_end_on_cycles() {
    let onto = parse(
        "[Term]\nid: A:1\nis_a: A:2\n\n[Term]\nid: A:2\nrelationship: part_of A:3\n\n\
         [Term]\nid: A:3\nis_a: A:1\n",
    )
    .unwrap();
    assert_eq!(
        onto.ancestors("A:1", &IS_A_AND_PART_OF),
        BTreeSet::from(["A:2", "A:3"])
    );
}

#[test]
fn crlf_blank_lines_comment_lines_and_gzip_are_read() {
    let text = "format-version: 1.4\r\n! a comment line\r\n\r\n[Term]\r\nid: U:1\r\n\
                name: one ! trailing\r\n\r\n\r\n[Term]\r\nid: U:2\r\nname: two\r\nis_a: U:1\r\n";
    let onto = parse(text).unwrap();
    assert_eq!(onto.get("U:1").unwrap().name, "one");
    assert_eq!(onto.get("U:2").unwrap().is_a, ["U:1"]);
    assert_eq!(onto.header_value("format-version"), Some("1.4"));
    let dir = tempfile::tempdir().unwrap();
    let gz = dir.path().join("slice.obo.gz");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(&std::fs::read(slice_path()).unwrap())
        .unwrap();
    std::fs::write(&gz, enc.finish().unwrap()).unwrap();
    assert_eq!(Ontology::read(&gz).unwrap(), slice());
}

#[test]
fn instance_stanzas_and_unknown_tags_are_skipped() {
    let onto = parse(
        "[Term]\nid: T:1\nname: kept\ndef: \"a def with ! and {braces}\" [X:1]\nxref: Y:2\n\
         [Instance]\nid: I:1\nname: an instance\ninstance_of: T:1\n\
         [Typedef]\nid: part_of\nname: part of\nname: part_of\n",
    )
    .unwrap();
    assert_eq!(onto.len(), 1);
    assert_eq!(onto.get("T:1").unwrap().name, "kept");
}

fn error_of(text: &str) -> rnameta_io::Error {
    parse(text).expect_err("must be refused")
}

#[test]
fn a_stanza_without_an_id_is_named_by_file_and_line() {
    let err = error_of("format-version: 1.2\n\n[Term]\nid: U:1\n\n[Term]\nname: nameless\n");
    assert_eq!(err.location, Location::Line(6), "{err}");
    assert_names(&err, "test.obo", ":6");
    assert!(err.to_string().contains("without an `id`"), "{err}");
}

#[test]
fn a_malformed_synonym_is_named_by_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_text(
        dir.path(),
        "bad.obo",
        "[Term]\nid: U:1\nname: heart\nsynonym: \"cardium RELATED []\n",
    );
    let err = Ontology::read(&path).unwrap_err();
    assert_eq!(err.location, Location::Line(4), "{err}");
    assert_names(&err, "bad.obo", ":4");
    assert!(err.to_string().contains("closing"), "{err}");
    let err = error_of("[Term]\nid: U:1\nsynonym: \"cardium\" SORT_OF []\n");
    assert_eq!(err.location, Location::Line(3), "{err}");
    assert!(
        err.to_string().contains("EXACT, NARROW, BROAD or RELATED"),
        "{err}"
    );
}

#[test]
fn malformed_tags_are_named_by_line() {
    let cases = [
        ("[Term]\nid: U:1\nis_a: U:2 U:3\n", 3, "one term id"),
        (
            "[Term]\nid: U:1\nrelationship: part_of\n",
            3,
            "a relation and a term id",
        ),
        ("[Term]\nid: U:1\nis_obsolete: maybe\n", 3, "true or false"),
        ("[Term]\nid: U:1\nname: a\nname: b\n", 4, "second `name`"),
        ("[Term]\nid: U:1\nid: U:2\n", 3, "second `id`"),
        ("[Term]\nid: U:1\nthis line has no tag\n", 3, "tag: value"),
        ("[Term\nid: U:1\n", 1, "stanza header"),
        (
            "[Term]\nid: U:1\nis_a: U:2 {{source=\"x\"}\n",
            3,
            "trailing modifiers",
        ),
        ("[Term]\nid: U:1\nis_a: U:2 source=\"x\"}\n", 3, "closes no"),
        (
            "[Term]\nid: U:1\n\n[Term]\nid: U:1\n",
            5,
            "defined twice (first on line 2)",
        ),
        (
            "[Term]\nid: U:1\nalt_id: U:9\n[Term]\nid: U:2\nalt_id: U:9\n",
            6,
            "already an alt_id of U:1",
        ),
        (
            "[Term]\nid: U:1\nalt_id: U:2\n[Term]\nid: U:2\n",
            3,
            "also the id of a term",
        ),
    ];
    for (text, line, words) in cases {
        let err = error_of(text);
        assert_eq!(err.location, Location::Line(line), "{text:?}: {err}");
        assert!(err.to_string().contains(words), "{text:?}: {err}");
        assert!(err.to_string().contains("test.obo"), "{err}");
    }
}

#[test]
fn empty_files_and_other_formats_are_refused_with_a_reason() {
    let err = error_of("");
    assert!(matches!(err.kind, ErrorKind::Empty), "{err}");
    let err = error_of("\n\n! only a comment\n");
    assert!(matches!(err.kind, ErrorKind::Empty), "{err}");
    let err = error_of("format-version: 1.2\n[Typedef]\nid: part_of\n");
    assert!(matches!(err.kind, ErrorKind::Missing(_)), "{err}");
    assert!(err.to_string().contains("[Term]"), "{err}");
    let err = error_of("<?xml version=\"1.0\"?>\n<rdf:RDF>\n");
    assert_eq!(err.location, Location::Line(1));
    assert!(
        err.to_string().contains("not the OBO flat-file format"),
        "{err}"
    );
    let err = error_of("{\"graphs\": []}\n");
    assert!(err.to_string().contains("JSON"), "{err}");
    let err = Ontology::parse(
        Cursor::new(b"[Term]\nid: U:1\nname: \xff\n".to_vec()),
        "x.obo",
    )
    .unwrap_err();
    assert_eq!(err.location, Location::Line(3), "{err}");
}

#[test]
fn a_missing_file_is_named() {
    let err = Ontology::read(Path::new("/nonexistent/uberon.obo")).unwrap_err();
    assert!(err.to_string().contains("/nonexistent/uberon.obo"), "{err}");
}
