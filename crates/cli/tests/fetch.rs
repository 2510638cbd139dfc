//! `rnameta fetch` end to end against a small HTTP/1.1 server written here (std::net, one thread
//! per connection) that serves real fixture files under the recount3, GTEx and ARCHS4 layouts,
//! with range requests, and that can misbehave on demand: drop the connection after K bytes,
//! ignore ranges, publish a wrong MD5, or not exist at all. No test touches the network.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use assert_cmd::Command;
use base64::Engine;
use md5::Md5;
use predicates::prelude::*;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// The prefix the test server serves under, to check that `--base-url` replaces scheme, host and
/// path prefix.
const PREFIX: &str = "/mirror";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/real")
        .join(name)
}

fn fixture_bytes(name: &str) -> Vec<u8> {
    std::fs::read(fixture(name)).unwrap()
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn md5_hex(bytes: &[u8]) -> String {
    hex(&Md5::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// One file the server knows.
#[derive(Clone)]
struct Route {
    body: Arc<Vec<u8>>,
    /// Published as `x-goog-hash: crc32c=...,md5=<base64>` when set (16 raw bytes).
    md5: Option<Vec<u8>>,
}

/// How the server misbehaves.
#[derive(Clone, Default)]
struct Behaviour {
    /// Send only this many body bytes, then close, on the first GET of each path.
    drop_after: Option<usize>,
    /// Answer every GET with 200 and the whole file, whatever the Range header says.
    ignore_range: bool,
}

/// A request as the server saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Seen {
    method: String,
    path: String,
    range: Option<String>,
}

struct Server {
    base: String,
    log: Arc<Mutex<Vec<Seen>>>,
}

impl Server {
    fn start(routes: HashMap<String, Route>, behaviour: Behaviour) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let log = Arc::new(Mutex::new(Vec::new()));
        let routes = Arc::new(routes);
        let served_once = Arc::new(Mutex::new(Vec::<String>::new()));
        let thread_log = Arc::clone(&log);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let routes = Arc::clone(&routes);
                let log = Arc::clone(&thread_log);
                let behaviour = behaviour.clone();
                let served_once = Arc::clone(&served_once);
                std::thread::spawn(move || {
                    let _ = serve(stream, &routes, &behaviour, &log, &served_once);
                });
            }
        });
        Self {
            base: format!("http://{addr}{PREFIX}"),
            log,
        }
    }

    fn requests(&self) -> Vec<Seen> {
        self.log.lock().unwrap().clone()
    }

    fn clear(&self) {
        self.log.lock().unwrap().clear();
    }
}

/// Answers one request on `stream` (always `Connection: close`).
fn serve(
    stream: TcpStream,
    routes: &HashMap<String, Route>,
    behaviour: &Behaviour,
    log: &Mutex<Vec<Seen>>,
    served_once: &Mutex<Vec<String>>,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("").to_string();
    let path = parts.next().unwrap_or("").to_string();
    let mut range = None;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header == "\r\n" {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            if name.trim().eq_ignore_ascii_case("range") {
                range = Some(value.trim().to_string());
            }
        }
    }
    log.lock().unwrap().push(Seen {
        method: method.clone(),
        path: path.clone(),
        range: range.clone(),
    });
    let mut out = stream;
    let Some(route) = routes.get(&path) else {
        let body = b"no such file\n";
        write!(
            out,
            "HTTP/1.1 404 Not Found\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        )?;
        out.write_all(body)?;
        return Ok(());
    };
    let body = route.body.as_slice();
    let total = body.len();
    let mut extra = String::new();
    if let Some(md5) = &route.md5 {
        extra.push_str(&format!(
            "x-goog-hash: crc32c=AAAAAA==,md5={}\r\n",
            base64::engine::general_purpose::STANDARD.encode(md5)
        ));
    }
    if method == "HEAD" {
        write!(
            out,
            "HTTP/1.1 200 OK\r\nContent-Length: {total}\r\n{extra}Connection: close\r\n\r\n"
        )?;
        return Ok(());
    }
    let start = range
        .as_deref()
        .filter(|_| !behaviour.ignore_range)
        .and_then(|r| r.strip_prefix("bytes="))
        .and_then(|r| r.strip_suffix('-'))
        .and_then(|n| n.parse::<usize>().ok());
    let (head, slice) = match start {
        Some(s) if s >= total => {
            write!(
                out,
                "HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */{total}\r\n\
                 Content-Length: 0\r\nConnection: close\r\n\r\n"
            )?;
            return Ok(());
        }
        Some(s) => (
            format!(
                "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes {s}-{}/{total}\r\n\
                 Content-Length: {}\r\n{extra}Connection: close\r\n\r\n",
                total - 1,
                total - s
            ),
            &body[s..],
        ),
        None => (
            format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {total}\r\n{extra}Connection: close\r\n\r\n"
            ),
            body,
        ),
    };
    out.write_all(head.as_bytes())?;
    let first_time = {
        let mut once = served_once.lock().unwrap();
        let first = !once.contains(&path);
        once.push(path.clone());
        first
    };
    match behaviour.drop_after {
        Some(k) if first_time && k < slice.len() => {
            out.write_all(&slice[..k])?;
            out.flush()?;
            out.shutdown(Shutdown::Both)?;
        }
        _ => out.write_all(slice)?,
    }
    Ok(())
}

/// A route serving a fixture file, with its correct MD5 published when `publish_md5`.
fn route(name: &str, publish_md5: bool) -> Route {
    let body = fixture_bytes(name);
    let md5 = publish_md5.then(|| Md5::digest(&body).to_vec());
    Route {
        body: Arc::new(body),
        md5,
    }
}

/// recount3 files of one project, each served from a real fixture.
fn recount3_routes(project: &str) -> Vec<(String, &'static str)> {
    let shard = &project[project.len() - 2..];
    let meta = format!("human/data_sources/sra/metadata/{shard}/{project}");
    vec![
        (
            "human/annotations/gene_sums/human.gene_sums.G026.gtf.gz".to_string(),
            "gencode.v26.annotation.chr21.gtf.gz",
        ),
        (
            format!("{meta}/sra.sra.{project}.MD.gz"),
            "geuvadis_humanGender_samples.tsv.gz",
        ),
        (
            format!("{meta}/sra.recount_project.{project}.MD.gz"),
            "marioni_samples.tsv.gz",
        ),
        (
            format!("{meta}/sra.recount_qc.{project}.MD.gz"),
            "gtex_lung30_samples.tsv.gz",
        ),
        (
            format!("{meta}/sra.recount_seq_qc.{project}.MD.gz"),
            "marioni_gene_annot.tsv.gz",
        ),
        (
            format!("{meta}/sra.recount_pred.{project}.MD.gz"),
            "marioni_kidney_liver_counts.tsv.gz",
        ),
        (
            format!("human/data_sources/sra/gene_sums/{shard}/{project}/sra.gene_sums.{project}.G026.gz"),
            "geuvadis_humanGender_counts.tsv.gz",
        ),
    ]
}

fn gtex_routes() -> Vec<(String, &'static str)> {
    vec![
        (
            "bulk-gex/v8/rna-seq/GTEx_Analysis_2017-06-05_v8_RNASeQCv1.1.9_gene_reads.gct.gz"
                .to_string(),
            "gtex_lung30_chr21_counts.tsv.gz",
        ),
        (
            "annotations/v8/metadata-files/GTEx_Analysis_v8_Annotations_SampleAttributesDS.txt"
                .to_string(),
            "gtex_lung30_samples.tsv.gz",
        ),
        (
            "annotations/v8/metadata-files/GTEx_Analysis_v8_Annotations_SubjectPhenotypesDS.txt"
                .to_string(),
            "marioni_samples.tsv.gz",
        ),
    ]
}

const ARCHS4_PATH: &str = "human_gene_v2.latest.h5";
const ARCHS4_FIXTURE: &str = "geuvadis_archs4_layout.h5";

fn routes(list: &[(String, &'static str)], publish_md5: bool) -> HashMap<String, Route> {
    list.iter()
        .map(|(path, name)| (format!("{PREFIX}/{path}"), route(name, publish_md5)))
        .collect()
}

fn archs4_routes() -> HashMap<String, Route> {
    routes(&[(ARCHS4_PATH.to_string(), ARCHS4_FIXTURE)], false)
}

/// The binary, with proxies out of the way of 127.0.0.1.
fn rnameta() -> Command {
    let mut cmd = Command::cargo_bin("rnameta").expect("the rnameta binary is built");
    for var in [
        "http_proxy",
        "HTTP_PROXY",
        "https_proxy",
        "HTTPS_PROXY",
        "all_proxy",
        "ALL_PROXY",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

fn fetch(args: &[&str], server: &Server, out: &Path) -> Command {
    let mut cmd = rnameta();
    cmd.arg("fetch")
        .args(args)
        .args(["--base-url", &server.base, "--out"])
        .arg(out);
    cmd
}

/// The `--json` lines of a run.
fn json_lines(stdout: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect()
}

fn manifest(out: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(out.join("fetch-manifest.json")).unwrap())
        .unwrap()
}

/// Every file under `dir`, relative, sorted.
fn tree(dir: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path.strip_prefix(root).unwrap();
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

fn gets(server: &Server) -> Vec<Seen> {
    server
        .requests()
        .into_iter()
        .filter(|s| s.method == "GET")
        .collect()
}

#[test]
fn recount3_project_lands_in_the_recount3_layout_byte_identical() {
    let project = "SRP012682";
    let list = recount3_routes(project);
    let server = Server::start(routes(&list, false), Behaviour::default());
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("data");
    let assert = fetch(
        &["recount3", "--project", project, "--json", "--quiet"],
        &server,
        &out,
    )
    .assert()
    .success();
    let lines = json_lines(&assert.get_output().stdout);
    assert_eq!(lines.len(), 7);
    let mut expected_tree = vec!["fetch-manifest.json".to_string()];
    for ((remote, name), line) in list.iter().zip(&lines) {
        let bytes = fixture_bytes(name);
        let local = out.join("recount3").join(remote);
        assert_eq!(std::fs::read(&local).unwrap(), bytes, "{remote}");
        assert_eq!(line["url"], format!("{}/{remote}", server.base));
        assert_eq!(line["status"], "downloaded");
        assert_eq!(line["bytes"], bytes.len() as u64);
        assert_eq!(line["sha256"], sha256_hex(&bytes));
        assert_eq!(line["resumed_from"], 0);
        assert!(line.get("md5").is_none(), "recount3 publishes no md5");
        expected_tree.push(format!("recount3/{remote}"));
    }
    expected_tree.sort();
    assert_eq!(tree(&out), expected_tree, "no .partial left behind");
    let m = manifest(&out);
    assert_eq!(m["format"], "rnameta-fetch-manifest/1");
    let files = m["files"].as_array().unwrap();
    assert_eq!(files.len(), 7);
    for f in files {
        let path = f["path"].as_str().unwrap();
        let bytes = std::fs::read(out.join(path)).unwrap();
        assert_eq!(f["sha256"], sha256_hex(&bytes), "{path}");
        assert_eq!(f["bytes"], bytes.len() as u64);
    }
}

#[test]
fn gtex_files_are_checked_against_the_published_md5() {
    let list = gtex_routes();
    let server = Server::start(routes(&list, true), Behaviour::default());
    let dir = tempfile::tempdir().unwrap();
    let assert = fetch(&["gtex", "--quiet"], &server, dir.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("3 files in"));
    assert!(assert.get_output().stderr.is_empty());
    let m = manifest(dir.path());
    for (remote, name) in &list {
        let bytes = fixture_bytes(name);
        let file = remote.rsplit('/').next().unwrap();
        assert_eq!(
            std::fs::read(dir.path().join("gtex").join(file)).unwrap(),
            bytes
        );
        let entry = m["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["path"] == format!("gtex/{file}"))
            .unwrap();
        assert_eq!(entry["md5"], md5_hex(&bytes), "md5 checked and recorded");
        assert_eq!(entry["sha256"], sha256_hex(&bytes));
    }
}

#[test]
fn archs4_release_is_fetched() {
    let server = Server::start(archs4_routes(), Behaviour::default());
    let dir = tempfile::tempdir().unwrap();
    fetch(&["archs4", "--quiet"], &server, dir.path())
        .assert()
        .success();
    assert_eq!(
        std::fs::read(dir.path().join("archs4").join(ARCHS4_PATH)).unwrap(),
        fixture_bytes(ARCHS4_FIXTURE)
    );
    assert_eq!(
        gets(&server),
        vec![Seen {
            method: "GET".into(),
            path: format!("{PREFIX}/{ARCHS4_PATH}"),
            range: None
        }]
    );
}

#[test]
fn interrupted_transfer_resumes_with_a_range_request_in_the_same_run() {
    let k = 100_000;
    let server = Server::start(
        archs4_routes(),
        Behaviour {
            drop_after: Some(k),
            ..Behaviour::default()
        },
    );
    let dir = tempfile::tempdir().unwrap();
    let assert = fetch(&["archs4", "--json"], &server, dir.path())
        .assert()
        .success()
        .stderr(predicate::str::contains(format!("retrying from byte {k}")));
    let line = &json_lines(&assert.get_output().stdout)[0];
    assert_eq!(line["resumed_from"], k as u64);
    assert_eq!(line["attempts"], 2);
    let requests = gets(&server);
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].range, None);
    assert_eq!(
        requests[1].range.as_deref(),
        Some(format!("bytes={k}-").as_str())
    );
    assert_eq!(
        std::fs::read(dir.path().join("archs4").join(ARCHS4_PATH)).unwrap(),
        fixture_bytes(ARCHS4_FIXTURE)
    );
}

#[test]
fn interrupted_run_keeps_only_the_partial_file_and_the_next_run_resumes_it() {
    let k = 250_000;
    let server = Server::start(
        archs4_routes(),
        Behaviour {
            drop_after: Some(k),
            ..Behaviour::default()
        },
    );
    let dir = tempfile::tempdir().unwrap();
    let final_path = dir.path().join("archs4").join(ARCHS4_PATH);
    let partial = dir
        .path()
        .join("archs4")
        .join(format!("{ARCHS4_PATH}.partial"));
    fetch(&["archs4", "--retries", "0"], &server, dir.path())
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("gave up after 1 attempt:")
                .and(predicate::str::contains(".partial"))
                .and(predicate::str::contains("panicked").not()),
        );
    assert!(
        !final_path.exists(),
        "an incomplete file never takes the final name"
    );
    let kept = std::fs::read(&partial).unwrap();
    assert_eq!(kept.len(), k);
    assert_eq!(kept, fixture_bytes(ARCHS4_FIXTURE)[..k]);

    server.clear();
    let assert = fetch(&["archs4", "--json"], &server, dir.path())
        .assert()
        .success()
        .stderr(predicate::str::contains(format!(
            "resuming {ARCHS4_PATH} from byte {k}"
        )));
    assert_eq!(
        gets(&server)
            .iter()
            .map(|s| s.range.clone())
            .collect::<Vec<_>>(),
        vec![Some(format!("bytes={k}-"))]
    );
    let line = &json_lines(&assert.get_output().stdout)[0];
    assert_eq!(line["resumed_from"], k as u64);
    let fixture = fixture_bytes(ARCHS4_FIXTURE);
    assert_eq!(std::fs::read(&final_path).unwrap(), fixture);
    assert!(!partial.exists());
    assert_eq!(
        manifest(dir.path())["files"][0]["sha256"],
        sha256_hex(&fixture)
    );
}

#[test]
fn a_server_that_ignores_ranges_makes_the_download_restart_from_zero() {
    let server = Server::start(
        archs4_routes(),
        Behaviour {
            ignore_range: true,
            ..Behaviour::default()
        },
    );
    let dir = tempfile::tempdir().unwrap();
    let partial = dir
        .path()
        .join("archs4")
        .join(format!("{ARCHS4_PATH}.partial"));
    std::fs::create_dir_all(partial.parent().unwrap()).unwrap();
    // Bytes that are not the file's: appended to, they would corrupt it.
    std::fs::write(&partial, vec![0xAB; 5_000]).unwrap();
    let assert = fetch(&["archs4", "--json"], &server, dir.path())
        .assert()
        .success()
        .stderr(predicate::str::contains("ignored the range request"));
    assert_eq!(
        gets(&server)[0].range.as_deref(),
        Some("bytes=5000-"),
        "a range was asked for"
    );
    let line = &json_lines(&assert.get_output().stdout)[0];
    assert_eq!(line["resumed_from"], 0);
    assert_eq!(
        std::fs::read(dir.path().join("archs4").join(ARCHS4_PATH)).unwrap(),
        fixture_bytes(ARCHS4_FIXTURE)
    );
    assert!(!partial.exists());
}

#[test]
fn a_project_that_does_not_exist_is_exit_1_naming_the_url() {
    let server = Server::start(
        routes(&recount3_routes("SRP012682"), false),
        Behaviour::default(),
    );
    let dir = tempfile::tempdir().unwrap();
    let missing = format!(
        "{}/human/data_sources/sra/metadata/99/SRP999999/sra.sra.SRP999999.MD.gz",
        server.base
    );
    fetch(
        &["recount3", "--project", "SRP999999", "--quiet"],
        &server,
        dir.path(),
    )
    .assert()
    .code(1)
    .stderr(
        predicate::str::contains(format!("not found (HTTP 404): {missing}"))
            .and(predicate::str::contains(
                "is SRP999999 a recount3 human SRA project?",
            ))
            .and(predicate::str::contains(
                "6 of 7 files could not be fetched",
            )),
    );
    // The annotation, which exists, was fetched; nothing of the missing project was.
    assert_eq!(
        tree(dir.path()),
        vec![
            "fetch-manifest.json".to_string(),
            "recount3/human/annotations/gene_sums/human.gene_sums.G026.gtf.gz".to_string()
        ]
    );

    // A single-file source fails with exactly one line naming the URL.
    let assert = fetch(&["archs4", "--version", "v9.9"], &server, dir.path())
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains(&format!("{}/human_gene_v9.9.h5", server.base)),
        "{stderr}"
    );
}

#[test]
fn connection_refused_is_one_clear_line_and_exit_1() {
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let dir = tempfile::tempdir().unwrap();
    let assert = rnameta()
        .args(["fetch", "gtex", "--base-url"])
        .arg(format!("http://127.0.0.1:{port}"))
        .arg("--out")
        .arg(dir.path())
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with(&format!("error: cannot reach 127.0.0.1:{port}: "))
            && stderr.trim_end().ends_with("(no network?)"),
        "{stderr}"
    );
    assert_eq!(
        tree(dir.path()),
        Vec::<String>::new(),
        "no empty .partial left"
    );
}

#[test]
fn checksum_mismatch_is_an_error_and_the_bad_file_is_not_renamed_into_place() {
    let list = gtex_routes();
    let mut served = routes(&list, true);
    let gct = format!("{PREFIX}/{}", list[0].0);
    served.get_mut(&gct).unwrap().md5 = Some(vec![7; 16]);
    let server = Server::start(served, Behaviour::default());
    let dir = tempfile::tempdir().unwrap();
    fetch(&["gtex", "--quiet"], &server, dir.path())
        .assert()
        .code(1)
        .stderr(
            predicate::str::contains("checksum mismatch")
                .and(predicate::str::contains(hex(&[7; 16])))
                .and(predicate::str::contains(md5_hex(&fixture_bytes(list[0].1))))
                .and(predicate::str::contains(
                    "1 of 3 files could not be fetched",
                )),
        );
    let files = tree(dir.path());
    assert!(
        !files.iter().any(|f| f.contains("gene_reads")),
        "neither the bad file nor its .partial stays: {files:?}"
    );
    assert_eq!(
        files.len(),
        3,
        "the two good files and the manifest: {files:?}"
    );
    assert!(manifest(dir.path())["files"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| !e["path"].as_str().unwrap().contains("gene_reads")));
}

#[test]
fn complete_files_are_skipped_and_a_wrong_size_is_fetched_again() {
    let list = gtex_routes();
    let server = Server::start(routes(&list, true), Behaviour::default());
    let dir = tempfile::tempdir().unwrap();
    fetch(&["gtex", "--quiet"], &server, dir.path())
        .assert()
        .success();
    let first_manifest = manifest(dir.path());

    server.clear();
    let assert = fetch(&["gtex", "--json"], &server, dir.path())
        .assert()
        .success();
    for line in json_lines(&assert.get_output().stdout) {
        assert_eq!(line["status"], "already complete");
    }
    assert!(
        gets(&server).is_empty(),
        "only HEAD requests: {:?}",
        server.requests()
    );
    assert_eq!(
        manifest(dir.path()),
        first_manifest,
        "same files, same manifest"
    );

    // A file cut short by something else is not taken as complete.
    let attributes = dir
        .path()
        .join("gtex/GTEx_Analysis_v8_Annotations_SampleAttributesDS.txt");
    std::fs::write(&attributes, b"cut").unwrap();
    server.clear();
    let assert = fetch(&["gtex", "--json"], &server, dir.path())
        .assert()
        .success();
    let statuses: Vec<String> = json_lines(&assert.get_output().stdout)
        .iter()
        .map(|l| l["status"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        statuses,
        ["already complete", "downloaded", "already complete"]
    );
    assert_eq!(
        std::fs::read(&attributes).unwrap(),
        fixture_bytes(list[1].1)
    );
}

#[test]
fn dry_run_prints_the_documented_urls_and_touches_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("never");
    rnameta()
        .args(["fetch", "recount3", "--project", "SRP012682", "--dry-run", "--out"])
        .arg(&out)
        .assert()
        .success()
        .stdout(
            "https://duffel.rail.bio/recount3/human/annotations/gene_sums/human.gene_sums.G026.gtf.gz\n\
             https://duffel.rail.bio/recount3/human/data_sources/sra/metadata/82/SRP012682/sra.sra.SRP012682.MD.gz\n\
             https://duffel.rail.bio/recount3/human/data_sources/sra/metadata/82/SRP012682/sra.recount_project.SRP012682.MD.gz\n\
             https://duffel.rail.bio/recount3/human/data_sources/sra/metadata/82/SRP012682/sra.recount_qc.SRP012682.MD.gz\n\
             https://duffel.rail.bio/recount3/human/data_sources/sra/metadata/82/SRP012682/sra.recount_seq_qc.SRP012682.MD.gz\n\
             https://duffel.rail.bio/recount3/human/data_sources/sra/metadata/82/SRP012682/sra.recount_pred.SRP012682.MD.gz\n\
             https://duffel.rail.bio/recount3/human/data_sources/sra/gene_sums/82/SRP012682/sra.gene_sums.SRP012682.G026.gz\n",
        );
    rnameta()
        .args(["fetch", "gtex", "--dry-run", "--json", "--out"])
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "\"url\":\"https://storage.googleapis.com/adult-gtex/annotations/v8/metadata-files/GTEx_Analysis_v8_Annotations_SubjectPhenotypesDS.txt\"",
        ));
    assert!(!out.exists());
}

#[test]
fn bad_values_are_usage_errors() {
    for args in [
        vec!["fetch", "recount3", "--project", "GSE12345", "--out", "x"],
        vec!["fetch", "recount3", "--out", "x"],
        vec!["fetch", "archs4", "--version", "latest", "--out", "x"],
        vec![
            "fetch",
            "gtex",
            "--base-url",
            "ftp://example.org",
            "--out",
            "x",
        ],
        vec!["fetch", "gtex"],
    ] {
        rnameta().args(&args).assert().code(2);
    }
}
