//! recount3's project table (`<home>/metadata/<name>.recount_project.MD.gz`) and `homes_index`,
//! on the hand-written fixture in the real layout (`fixtures/recount3/`).

mod common;

use std::path::{Path, PathBuf};

use common::{assert_names, write_text};
use rnameta_io::recount3::{
    read_homes_index, write_homes_index, write_project_table, ProjectRun, ProjectTable,
    PROJECT_TABLE_COLUMNS,
};
use rnameta_io::write::write_atomically;
use rnameta_io::ErrorKind;

fn recount3_fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/recount3")
        .join(name)
}

#[test]
fn the_fixture_reads_as_available_projects_lists_it() {
    let table = ProjectTable::read(&recount3_fixture("sra.recount_project.MD")).unwrap();
    let projects = table.projects();
    let ids: Vec<&str> = projects.iter().map(|p| p.project.as_str()).collect();
    assert_eq!(ids, ["SRP224299", "ERP900001", "DRP900001"]);
    let first = &projects[0];
    assert_eq!(first.organism, "human", "Homo sapiens is read as human");
    assert_eq!(first.file_source, "sra", "the file source's last part");
    assert_eq!(first.project_home, "data_sources/sra");
    assert_eq!(first.project_type, "data_sources");
    assert_eq!(first.n_samples(), 7);
    assert_eq!(first.runs[0], "SRR10230231");
    assert_eq!(first.first_line, 2);
    assert_eq!(projects[1].runs, ["ERR900021", "ERR900022"]);
    assert_eq!(projects[2].first_line, 11);
    assert_eq!(table.n_runs(), 10);
}

#[test]
fn a_gzipped_table_with_prefixed_columns_reads_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(recount3_fixture("sra.recount_project.MD")).unwrap();
    let (header, body) = text.split_once('\n').unwrap();
    let prefixed: Vec<String> = header
        .split('\t')
        .map(|c| format!("recount_project.{}", c.to_ascii_uppercase()))
        .collect();
    let path = dir.path().join("sra.recount_project.MD.gz");
    let content = format!("{}\n{body}", prefixed.join("\t"));
    write_atomically(&path, |w| w.write_all(content.as_bytes())).unwrap();
    let plain = ProjectTable::read(&recount3_fixture("sra.recount_project.MD")).unwrap();
    let gzipped = ProjectTable::read(&path).unwrap();
    assert_eq!(gzipped.projects(), plain.projects());
}

#[test]
fn the_writer_round_trips_in_the_real_column_order() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gtex.recount_project.MD.gz");
    let run = |rail: &str, id: &str, project: &str| ProjectRun {
        rail_id: rail.into(),
        external_id: id.into(),
        project: project.into(),
        organism: "Homo sapiens".into(),
        file_source: "data_sources/gtex".into(),
        project_home: "data_sources/gtex".into(),
        date_processed: Some("2019-11-01".into()),
    };
    let runs = vec![
        run("1", "GTEX-111CU-0326-SM-5GZXO.1", "LUNG"),
        run("2", "GTEX-111FC-1126-SM-5GZWU.1", "LUNG"),
        run("3", "GTEX-1117F-0226-SM-5GZZ7.1", "BLADDER"),
    ];
    write_project_table(&path, &runs).unwrap();
    let text = rnameta_io::source::open(&path).unwrap();
    let header = std::io::BufRead::lines(text).next().unwrap().unwrap();
    assert_eq!(header, PROJECT_TABLE_COLUMNS.join("\t"));
    let table = ProjectTable::read(&path).unwrap();
    let lung = &table.projects()[0];
    assert_eq!(
        (
            lung.project.as_str(),
            lung.file_source.as_str(),
            lung.n_samples()
        ),
        ("LUNG", "gtex", 2)
    );
    assert_eq!(table.projects()[1].runs, ["GTEX-1117F-0226-SM-5GZZ7.1"]);
    // A repeated rail_id is refused before anything is written.
    let clash = vec![run("1", "A", "LUNG"), run("1", "B", "LUNG")];
    let other = dir.path().join("clash.MD.gz");
    assert!(write_project_table(&other, &clash).is_err());
    assert!(!other.exists());
}

#[test]
fn a_missing_column_is_named_with_the_columns_expected() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_text(
        dir.path(),
        "sra.recount_project.MD.gz",
        "rail_id\texternal_id\tstudy\tproject\tfile_source\tmetadata_source\n\
         1\tSRR1\tSRP1\tSRP1\tdata_sources/sra\tdata_sources/sra\n",
    );
    let err = ProjectTable::read(&path).unwrap_err();
    assert!(matches!(err.kind, ErrorKind::Missing(_)), "{err}");
    assert_names(&err, "sra.recount_project.MD.gz", ":1");
    let msg = err.to_string();
    assert!(msg.contains("\"organism\""), "{msg}");
    assert!(
        msg.contains("date_processed"),
        "lists the real columns: {msg}"
    );
}

#[test]
fn a_file_that_is_no_project_table_says_what_was_expected() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_text(dir.path(), "projects.tsv", "project\tn\nSRP1\t3\n");
    let err = ProjectTable::read(&path).unwrap_err();
    assert!(matches!(err.kind, ErrorKind::MissingHeader { .. }), "{err}");
    assert!(err.to_string().contains("recount_project.MD.gz"), "{err}");
}

#[test]
fn empty_cells_and_repeated_samples_name_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let header = PROJECT_TABLE_COLUMNS.join("\t");
    let empty = write_text(
        dir.path(),
        "empty.MD",
        &format!(
            "{header}\n1\tSRR1\tSRP1\tSRP1\tHomo sapiens\tdata_sources/sra\tdata_sources/sra\t\n\
             2\tSRR2\tSRP1\tSRP1\tNA\tdata_sources/sra\tdata_sources/sra\t\n"
        ),
    );
    let err = ProjectTable::read(&empty).unwrap_err();
    assert_names(&err, "empty.MD", ":3");
    assert!(err.to_string().contains("organism"), "{err}");
    let repeated = write_text(
        dir.path(),
        "repeated.MD",
        &format!(
            "{header}\n1\tSRR1\tSRP1\tSRP1\tHomo sapiens\tdata_sources/sra\tdata_sources/sra\t\n\
             1\tSRR2\tSRP1\tSRP1\tHomo sapiens\tdata_sources/sra\tdata_sources/sra\t\n"
        ),
    );
    let err = ProjectTable::read(&repeated).unwrap_err();
    assert!(
        matches!(err.kind, ErrorKind::DuplicateSample { .. }),
        "{err}"
    );
    assert_names(&err, "repeated.MD", ":3");
}

#[test]
fn mouse_rows_keep_their_organism() {
    let dir = tempfile::tempdir().unwrap();
    let header = PROJECT_TABLE_COLUMNS.join("\t");
    let path = write_text(
        dir.path(),
        "sra.recount_project.MD",
        &format!(
            "{header}\n1\tSRR1\tSRP1\tSRP1\tMus musculus\tdata_sources/sra\tdata_sources/sra\t2020-01-01\n"
        ),
    );
    let table = ProjectTable::read(&path).unwrap();
    assert_eq!(table.projects()[0].organism, "mouse");
}

#[test]
fn homes_index_round_trips_and_refuses_lines_that_are_no_home() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("homes_index");
    let homes: Vec<String> = ["data_sources/sra", "data_sources/gtex", "collections/ccle"]
        .map(String::from)
        .to_vec();
    write_homes_index(&path, &homes).unwrap();
    assert_eq!(read_homes_index(&path).unwrap(), homes);
    let bad = write_text(
        dir.path(),
        "bad_index",
        "data_sources/sra\n<html>oops</html>\n",
    );
    let err = read_homes_index(&bad).unwrap_err();
    assert_names(&err, "bad_index", ":2");
}
