//! `rnameta fetch` end to end against a small HTTP/1.1 server written here (std::net, one thread
//! per connection) that serves real fixture files under the recount3, GTEx, ARCHS4, MetaSRA and
//! UBERON layouts, with range requests and redirects (as UBERON's PURL redirects to GitHub), and
//! that can misbehave on demand: drop the connection after K bytes, ignore ranges, publish a wrong
//! MD5, not exist at all, answer 200 with an HTML page or random bytes, leave out Content-Length,
//! stall after K bytes or never answer. No test touches the network.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

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

/// A file under the workspace's `fixtures/` (outside `real/`), e.g. `metasra/metasra_small.json`.
fn workspace_fixture(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(path)
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
    /// Sent as `Content-Type` when set.
    content_type: Option<&'static str>,
    /// When set, every request is answered `302 Found` with `Location: http://<this
    /// server><redirect>` (an absolute URL, as the OBO Library PURL server answers) instead of
    /// the body.
    redirect: Option<String>,
}

/// How the server misbehaves.
#[derive(Clone, Default)]
struct Behaviour {
    /// Send only this many body bytes, then close, on the first GET of each path.
    drop_after: Option<usize>,
    /// Answer every GET with 200 and the whole file, whatever the Range header says.
    ignore_range: bool,
    /// Leave `Content-Length` out of 200 answers (the body ends when the connection closes).
    no_content_length: bool,
    /// Send only this many body bytes, then keep the connection open and silent, on the first
    /// GET of each path.
    stall_after: Option<usize>,
    /// Read every request and never answer (the connection stays open and silent).
    no_answer: bool,
}

/// How long a stalled or silent connection is held open: far longer than any `--timeout` the
/// tests give, far shorter than the default one.
const HOLD: Duration = Duration::from_secs(30);

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
    if behaviour.no_answer {
        std::thread::sleep(HOLD);
        return Ok(());
    }
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
    if let Some(target) = &route.redirect {
        let location = format!("http://{}{target}", out.local_addr()?);
        write!(
            out,
            "HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\n\
             Connection: close\r\n\r\n"
        )?;
        return Ok(());
    }
    let body = route.body.as_slice();
    let total = body.len();
    let mut extra = String::new();
    if let Some(md5) = &route.md5 {
        extra.push_str(&format!(
            "x-goog-hash: crc32c=AAAAAA==,md5={}\r\n",
            base64::engine::general_purpose::STANDARD.encode(md5)
        ));
    }
    if let Some(content_type) = route.content_type {
        extra.push_str(&format!("Content-Type: {content_type}\r\n"));
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
        None => {
            let length = if behaviour.no_content_length {
                String::new()
            } else {
                format!("Content-Length: {total}\r\n")
            };
            (
                format!("HTTP/1.1 200 OK\r\n{length}{extra}Connection: close\r\n\r\n"),
                body,
            )
        }
    };
    out.write_all(head.as_bytes())?;
    let first_time = {
        let mut once = served_once.lock().unwrap();
        let first = !once.contains(&path);
        once.push(path.clone());
        first
    };
    match (behaviour.drop_after, behaviour.stall_after) {
        (Some(k), _) if first_time && k < slice.len() => {
            out.write_all(&slice[..k])?;
            out.flush()?;
            out.shutdown(Shutdown::Both)?;
        }
        (_, Some(k)) if first_time && k < slice.len() => {
            out.write_all(&slice[..k])?;
            out.flush()?;
            std::thread::sleep(HOLD);
        }
        _ => out.write_all(slice)?,
    }
    Ok(())
}

/// A route serving `body`, with its correct MD5 published when `publish_md5`.
fn route(body: Vec<u8>, publish_md5: bool) -> Route {
    let md5 = publish_md5.then(|| Md5::digest(&body).to_vec());
    Route {
        body: Arc::new(body),
        md5,
        content_type: None,
        redirect: None,
    }
}

/// A route that redirects to `target` (a path on the same server).
fn redirect_to(target: &str) -> Route {
    Route {
        body: Arc::new(Vec::new()),
        md5: None,
        content_type: None,
        redirect: Some(target.to_string()),
    }
}

/// recount3 files of one project, each served from a real fixture.
fn recount3_routes(project: &str) -> Vec<(String, Vec<u8>)> {
    let shard = &project[project.len() - 2..];
    let meta = format!("human/data_sources/sra/metadata/{shard}/{project}");
    [
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
    .into_iter()
    .map(|(path, name)| (path, fixture_bytes(name)))
    .collect()
}

/// The start of GTEx v8's SampleAttributesDS.txt as the portal serves it: tab-separated text.
const GTEX_SAMPLE_ATTRIBUTES: &str = "SAMPID\tSMATSSCR\tSMCENTER\tSMRIN\tSMTS\tSMTSD\n\
    GTEX-1117F-0226-SM-5GZZ7\t0\tB1\t6.8\tAdipose Tissue\tAdipose - Subcutaneous\n\
    GTEX-1117F-0526-SM-5EGHJ\t1\tB1\t7.1\tLung\tLung\n";

/// The start of GTEx v8's SubjectPhenotypesDS.txt: tab-separated text.
const GTEX_SUBJECT_PHENOTYPES: &str = "SUBJID\tSEX\tAGE\tDTHHRDY\n\
    GTEX-1117F\t2\t60-69\t4\n\
    GTEX-111CU\t1\t50-59\t0\n";

/// The three GTEx files: the gzip GCT served from a real fixture, the two annotation tables as
/// tab-separated text.
fn gtex_routes() -> Vec<(String, Vec<u8>)> {
    vec![
        (
            "bulk-gex/v8/rna-seq/GTEx_Analysis_2017-06-05_v8_RNASeQCv1.1.9_gene_reads.gct.gz"
                .to_string(),
            fixture_bytes("gtex_lung30_chr21_counts.tsv.gz"),
        ),
        (
            "annotations/v8/metadata-files/GTEx_Analysis_v8_Annotations_SampleAttributesDS.txt"
                .to_string(),
            GTEX_SAMPLE_ATTRIBUTES.as_bytes().to_vec(),
        ),
        (
            "annotations/v8/metadata-files/GTEx_Analysis_v8_Annotations_SubjectPhenotypesDS.txt"
                .to_string(),
            GTEX_SUBJECT_PHENOTYPES.as_bytes().to_vec(),
        ),
    ]
}

const ARCHS4_PATH: &str = "human_gene_v2.latest.h5";
const ARCHS4_FIXTURE: &str = "geuvadis_archs4_layout.h5";

fn routes(list: &[(String, Vec<u8>)], publish_md5: bool) -> HashMap<String, Route> {
    list.iter()
        .map(|(path, body)| (format!("{PREFIX}/{path}"), route(body.clone(), publish_md5)))
        .collect()
}

fn archs4_routes() -> HashMap<String, Route> {
    routes(
        &[(ARCHS4_PATH.to_string(), fixture_bytes(ARCHS4_FIXTURE))],
        false,
    )
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
    for ((remote, bytes), line) in list.iter().zip(&lines) {
        let local = out.join("recount3").join(remote);
        assert_eq!(&std::fs::read(&local).unwrap(), bytes, "{remote}");
        assert_eq!(line["url"], format!("{}/{remote}", server.base));
        assert_eq!(line["status"], "downloaded");
        assert_eq!(line["bytes"], bytes.len() as u64);
        assert_eq!(line["sha256"], sha256_hex(bytes));
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
    for (remote, bytes) in &list {
        let file = remote.rsplit('/').next().unwrap();
        assert_eq!(
            &std::fs::read(dir.path().join("gtex").join(file)).unwrap(),
            bytes
        );
        let entry = m["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["path"] == format!("gtex/{file}"))
            .unwrap();
        assert_eq!(entry["md5"], md5_hex(bytes), "md5 checked and recorded");
        assert_eq!(entry["sha256"], sha256_hex(bytes));
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
    // Bytes that start like an HDF5 file (so they are resumed) but are not the file's: appended
    // to, they would corrupt it.
    let mut kept = b"\x89HDF\r\n\x1a\n".to_vec();
    kept.resize(5_000, 0xAB);
    std::fs::write(&partial, kept).unwrap();
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
                .and(predicate::str::contains(md5_hex(&list[0].1)))
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
    assert_eq!(std::fs::read(&attributes).unwrap(), list[1].1);
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
        vec!["fetch", "gtex", "--timeout", "0", "--out", "x"],
        vec!["fetch", "gtex", "--timeout", "3601", "--out", "x"],
        vec!["fetch", "gtex", "--timeout", "1.5", "--out", "x"],
        vec!["fetch", "metasra", "--version", "1", "--out", "x"],
        vec!["fetch", "metasra", "--version", "../1.8", "--out", "x"],
        vec!["fetch", "metasra", "--format", "csv", "--out", "x"],
        vec!["fetch", "uberon", "--release", "2025-13-01", "--out", "x"],
        vec!["fetch", "uberon", "--release", "latest", "--out", "x"],
    ] {
        rnameta().args(&args).assert().code(2);
    }
}

/// 39 bytes: what an access wall in front of a bucket (a CDN, a proxy, a login page) answers with
/// `200 OK`.
const ACCESS_DENIED: &[u8] = b"<html><body>Access Denied</body></html>";

/// `n` bytes that are neither gzip, HDF5 nor text (xorshift with a fixed seed).
fn random_bytes(n: usize) -> Vec<u8> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let bytes: Vec<u8> = (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect();
    assert_ne!(bytes[..2], [0x1f, 0x8b]);
    bytes
}

/// The GTEx routes with the body (and content type) of route `i` replaced.
fn gtex_with(i: usize, body: &[u8], content_type: Option<&'static str>) -> HashMap<String, Route> {
    let list = gtex_routes();
    let mut served = routes(&list, false);
    let route = served.get_mut(&format!("{PREFIX}/{}", list[i].0)).unwrap();
    route.body = Arc::new(body.to_vec());
    route.content_type = content_type;
    served
}

/// The `error:` lines of a run's standard error.
fn error_lines(stderr: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(stderr)
        .lines()
        .filter(|l| l.starts_with("error:"))
        .map(str::to_string)
        .collect()
}

/// Asserts that `line` holds every needle.
fn assert_holds(line: &str, needles: &[&str]) {
    for needle in needles {
        assert!(line.contains(needle), "{needle:?} missing from: {line}");
    }
}

/// Issue 18, case 4: an "Access Denied" page answered with 200 was saved as the `.gct.gz` and
/// counted as downloaded.
#[test]
fn an_html_page_answered_with_200_is_refused_naming_the_url_and_nothing_is_kept() {
    let list = gtex_routes();
    let served = list
        .iter()
        .map(|(path, _)| {
            let route = Route {
                body: Arc::new(ACCESS_DENIED.to_vec()),
                md5: None,
                content_type: Some("text/html; charset=utf-8"),
                redirect: None,
            };
            (format!("{PREFIX}/{path}"), route)
        })
        .collect();
    let server = Server::start(served, Behaviour::default());
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("data");
    let assert = fetch(&["gtex"], &server, &out).assert().code(1);
    let errors = error_lines(&assert.get_output().stderr);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_holds(
        &errors[0],
        &[
            &format!("{}/{}", server.base, list[0].0),
            "an HTML page of 39 bytes, starting '<html><body>Access Denied</body></html>'",
            "GTEx v8 gene read counts (a gzip file)",
            "--base-url",
        ],
    );
    assert!(
        !out.exists(),
        "nothing saved, and the folders this run created are removed: {:?}",
        tree(dir.path())
    );
    assert_eq!(
        gets(&server).len(),
        1,
        "every file would be the same page: stop"
    );
}

/// Issue 18, case 4: an HTML page without a Content-Type where a text table is expected.
#[test]
fn an_html_page_instead_of_a_text_table_is_refused_and_the_good_files_stay() {
    let server = Server::start(gtex_with(1, ACCESS_DENIED, None), Behaviour::default());
    let dir = tempfile::tempdir().unwrap();
    let assert = fetch(&["gtex", "--quiet"], &server, dir.path())
        .assert()
        .code(1);
    let errors = error_lines(&assert.get_output().stderr);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_holds(
        &errors[0],
        &[
            "GTEx_Analysis_v8_Annotations_SampleAttributesDS.txt",
            "an HTML page of 39 bytes",
            "tab-separated text",
        ],
    );
    let gct = "gtex/GTEx_Analysis_2017-06-05_v8_RNASeQCv1.1.9_gene_reads.gct.gz";
    assert_eq!(
        tree(dir.path()),
        vec!["fetch-manifest.json".to_string(), gct.to_string()],
        "the good file fetched before stays, the page is not kept"
    );
}

/// Issue 18, case 4: random bytes where a gzip file is expected.
#[test]
fn random_bytes_instead_of_a_gzip_file_are_refused() {
    let server = Server::start(
        gtex_with(0, &random_bytes(7_000), Some("application/octet-stream")),
        Behaviour::default(),
    );
    let dir = tempfile::tempdir().unwrap();
    let assert = fetch(&["gtex", "--quiet"], &server, dir.path())
        .assert()
        .code(1);
    let errors = error_lines(&assert.get_output().stderr);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_holds(
        &errors[0],
        &[
            "gene_reads.gct.gz",
            "7000 bytes of binary data",
            "(a gzip file)",
        ],
    );
    assert_eq!(tree(dir.path()), Vec::<String>::new(), "nothing kept");
}

/// Issue 18, case 4: 7,000 bytes without Content-Length (the body ends when the connection
/// closes): nothing tells the size, the content still does.
#[test]
fn random_bytes_without_content_length_are_refused() {
    let server = Server::start(
        gtex_with(0, &random_bytes(7_000), None),
        Behaviour {
            no_content_length: true,
            ..Behaviour::default()
        },
    );
    let dir = tempfile::tempdir().unwrap();
    let assert = fetch(&["gtex"], &server, dir.path()).assert().code(1);
    let errors = error_lines(&assert.get_output().stderr);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_holds(
        &errors[0],
        &[
            &format!("{}/{}", server.base, gtex_routes()[0].0),
            "binary data",
            "(a gzip file)",
        ],
    );
    assert_eq!(tree(dir.path()), Vec::<String>::new(), "nothing kept");
}

/// Issue 18, case 4: gzip bytes where ARCHS4's HDF5 file is expected.
#[test]
fn a_gzip_file_instead_of_hdf5_is_refused() {
    let mut served = archs4_routes();
    served
        .get_mut(&format!("{PREFIX}/{ARCHS4_PATH}"))
        .unwrap()
        .body = Arc::new(fixture_bytes("marioni_samples.tsv.gz"));
    let server = Server::start(served, Behaviour::default());
    let dir = tempfile::tempdir().unwrap();
    let assert = fetch(&["archs4"], &server, dir.path()).assert().code(1);
    let errors = error_lines(&assert.get_output().stderr);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_holds(
        &errors[0],
        &[ARCHS4_PATH, "a gzip file of", "(an HDF5 file)"],
    );
    assert_eq!(tree(dir.path()), Vec::<String>::new(), "nothing kept");
}

/// Issue 18, case 4: without `x-goog-hash` the GTEx files cannot be checked by checksum, and the
/// command says so (and, without Content-Length, that not even the size was checked).
#[test]
fn a_missing_published_checksum_or_size_is_said() {
    let server = Server::start(routes(&gtex_routes(), false), Behaviour::default());
    let dir = tempfile::tempdir().unwrap();
    let assert = fetch(&["gtex"], &server, dir.path()).assert().success();
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    assert_eq!(
        stderr
            .matches("the server published no MD5 (no x-goog-hash header)")
            .count(),
        3,
        "{stderr}"
    );
    assert!(
        stdout.contains("size and content checked, no checksum published"),
        "{stdout}"
    );
    assert!(
        stdout.contains("0 of 3 checked against a published md5"),
        "{stdout}"
    );

    let server = Server::start(
        routes(&gtex_routes(), false),
        Behaviour {
            no_content_length: true,
            ..Behaviour::default()
        },
    );
    let dir = tempfile::tempdir().unwrap();
    let assert = fetch(&["gtex", "--json"], &server, dir.path())
        .assert()
        .success();
    for line in json_lines(&assert.get_output().stdout) {
        assert_eq!(line["checked"], "content", "{line}");
        let notes = line["notes"].to_string();
        assert!(notes.contains("no size (no Content-Length)"), "{notes}");
    }
}

/// Issue 18, case 11: a transfer that stalls after 1,000 bytes times out after `--timeout`
/// seconds with a message naming the URL, the bytes kept and the timeout; the next run resumes.
#[test]
fn a_stalled_transfer_times_out_and_the_next_run_resumes() {
    let k = 1_000;
    let server = Server::start(
        archs4_routes(),
        Behaviour {
            stall_after: Some(k),
            ..Behaviour::default()
        },
    );
    let dir = tempfile::tempdir().unwrap();
    let partial = dir
        .path()
        .join("archs4")
        .join(format!("{ARCHS4_PATH}.partial"));
    let started = Instant::now();
    let assert = fetch(
        &["archs4", "--timeout", "1", "--retries", "0"],
        &server,
        dir.path(),
    )
    .assert()
    .code(1);
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_secs(15), "took {elapsed:?}");
    let errors = error_lines(&assert.get_output().stderr);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_holds(
        &errors[0],
        &[
            &format!("{}/{ARCHS4_PATH}", server.base),
            "no data for 1 s (--timeout) after byte 1000",
            "1000 bytes are kept",
            "the next run resumes",
        ],
    );
    assert_eq!(
        std::fs::read(&partial).unwrap(),
        fixture_bytes(ARCHS4_FIXTURE)[..k]
    );

    server.clear();
    let assert = fetch(&["archs4", "--json", "--timeout", "1"], &server, dir.path())
        .assert()
        .success();
    assert_eq!(
        json_lines(&assert.get_output().stdout)[0]["resumed_from"],
        k
    );
    assert_eq!(
        std::fs::read(dir.path().join("archs4").join(ARCHS4_PATH)).unwrap(),
        fixture_bytes(ARCHS4_FIXTURE)
    );
}

/// Issue 18, case 11: a stall is retried within the run, resuming where it stopped.
#[test]
fn a_stalled_transfer_is_retried_from_where_it_stopped() {
    let k = 1_000;
    let server = Server::start(
        archs4_routes(),
        Behaviour {
            stall_after: Some(k),
            ..Behaviour::default()
        },
    );
    let dir = tempfile::tempdir().unwrap();
    let assert = fetch(&["archs4", "--json", "--timeout", "1"], &server, dir.path())
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "no data for 1 s (--timeout) after byte 1000; retrying from byte 1000",
        ));
    let line = &json_lines(&assert.get_output().stdout)[0];
    assert_eq!(line["attempts"], 2);
    assert_eq!(line["resumed_from"], k);
}

/// Issue 18, case 11: a server that accepts the connection and never answers: the command stops
/// after `--timeout` per attempt, with one line, and tries no other file on it.
#[test]
fn a_server_that_never_answers_times_out_with_one_line() {
    let server = Server::start(
        routes(&gtex_routes(), false),
        Behaviour {
            no_answer: true,
            ..Behaviour::default()
        },
    );
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("data");
    let started = Instant::now();
    let assert = fetch(&["gtex", "--timeout", "1", "--retries", "1"], &server, &out)
        .assert()
        .code(1);
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_secs(15), "took {elapsed:?}");
    let errors = error_lines(&assert.get_output().stderr);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_holds(
        &errors[0],
        &[
            &format!("{}/{}", server.base, gtex_routes()[0].0),
            "no answer",
            "2 attempts",
            "within 1 s (--timeout)",
        ],
    );
    assert_eq!(gets(&server).len(), 2, "one file, tried twice, then stop");
    assert!(!out.exists(), "nothing left: {:?}", tree(dir.path()));
}

/// Issue 18, case 4: a partial file proven not to be the file (an HTML page saved by an older
/// version) is not resumed but fetched again from byte 0.
#[test]
fn a_partial_file_that_is_not_the_file_is_not_resumed() {
    let list = gtex_routes();
    let server = Server::start(routes(&list, true), Behaviour::default());
    let dir = tempfile::tempdir().unwrap();
    let gct = dir
        .path()
        .join("gtex")
        .join(list[0].0.rsplit('/').next().unwrap());
    let partial = PathBuf::from(format!("{}.partial", gct.display()));
    std::fs::create_dir_all(partial.parent().unwrap()).unwrap();
    std::fs::write(&partial, ACCESS_DENIED).unwrap();
    let assert = fetch(&["gtex", "--json"], &server, dir.path())
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "by an earlier run are an HTML page of 39 bytes, starting '<html><body>Access Denied\
             </body></html>' instead of a gzip file; starting again from byte 0",
        ));
    assert_eq!(
        json_lines(&assert.get_output().stdout)[0]["resumed_from"],
        0
    );
    assert_eq!(std::fs::read(&gct).unwrap(), list[0].1);
    assert_eq!(
        gets(&server)[0].range,
        None,
        "the page was not resumed from byte 39"
    );
}

/// The bytes decide for a binary file: the real HDF5 file labelled `text/html` (a stored object's
/// label is whatever its uploader set) is the file; a text table labelled so is a web page.
#[test]
fn a_binary_file_is_judged_by_its_bytes_not_its_label() {
    let mut served = archs4_routes();
    served
        .get_mut(&format!("{PREFIX}/{ARCHS4_PATH}"))
        .unwrap()
        .content_type = Some("text/html");
    let server = Server::start(served, Behaviour::default());
    let dir = tempfile::tempdir().unwrap();
    fetch(&["archs4", "--quiet"], &server, dir.path())
        .assert()
        .success();
    assert_eq!(
        std::fs::read(dir.path().join("archs4").join(ARCHS4_PATH)).unwrap(),
        fixture_bytes(ARCHS4_FIXTURE)
    );

    let list = gtex_routes();
    let mut served = routes(&list, false);
    served
        .get_mut(&format!("{PREFIX}/{}", list[2].0))
        .unwrap()
        .content_type = Some("text/html");
    let server = Server::start(served, Behaviour::default());
    let dir = tempfile::tempdir().unwrap();
    let assert = fetch(&["gtex", "--quiet"], &server, dir.path())
        .assert()
        .code(1);
    assert_holds(
        &error_lines(&assert.get_output().stderr)[0],
        &[
            "SubjectPhenotypesDS.txt",
            "an HTML page of",
            "(a tab-separated text file)",
        ],
    );
}

/// Issue 18, case 4: a file already in place that is an error page (saved by an older version)
/// is reported, not taken as complete.
#[test]
fn a_file_in_place_that_is_a_web_page_is_reported() {
    let mut served = archs4_routes();
    served
        .get_mut(&format!("{PREFIX}/{ARCHS4_PATH}"))
        .unwrap()
        .body = Arc::new(ACCESS_DENIED.to_vec());
    let server = Server::start(served, Behaviour::default());
    let dir = tempfile::tempdir().unwrap();
    let h5 = dir.path().join("archs4").join(ARCHS4_PATH);
    std::fs::create_dir_all(h5.parent().unwrap()).unwrap();
    std::fs::write(&h5, ACCESS_DENIED).unwrap();
    let assert = fetch(&["archs4"], &server, dir.path()).assert().code(1);
    let errors = error_lines(&assert.get_output().stderr);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_holds(
        &errors[0],
        &[
            &h5.display().to_string(),
            "holds an HTML page of 39 bytes",
            "not an HDF5 file",
            "delete it and run again",
        ],
    );
    assert_eq!(std::fs::read(&h5).unwrap(), ACCESS_DENIED, "left alone");
}

// MetaSRA and UBERON: the label sources.

/// Where MetaSRA 1.8's JSON file lies under the base URL (as on metasra.biostat.wisc.edu).
const METASRA_PATH: &str = "v1.8/metasra.v1-8.json";
/// The MetaSRA fixture: a hand-made file in the release layout (`fixtures/metasra/README.md`).
const METASRA_FIXTURE: &str = "metasra/metasra_small.json";
/// The PURL path of UBERON basic, latest release.
const UBERON_PURL: &str = "basic.obo";
/// Where the PURL leads on the test server, standing for GitHub's release storage.
const UBERON_TARGET: &str = "/github/obophenotype/uberon/releases/latest/download/uberon-basic.obo";
/// The PURL path of the dated release 2025-05-28.
const UBERON_DATED_PURL: &str = "releases/2025-05-28/uberon-basic.obo";
/// Where the dated PURL leads on the test server.
const UBERON_DATED_TARGET: &str =
    "/github/obophenotype/uberon/releases/download/v2025-05-28/uberon-basic.obo";
/// The UBERON fixture: a slice of the 2024-09-03 basic release (`fixtures/README.md`).
const UBERON_FIXTURE: &str = "uberon/uberon-slice.obo";

fn metasra_bytes() -> Vec<u8> {
    std::fs::read(workspace_fixture(METASRA_FIXTURE)).unwrap()
}

fn uberon_bytes() -> Vec<u8> {
    std::fs::read(workspace_fixture(UBERON_FIXTURE)).unwrap()
}

/// MetaSRA 1.8's JSON file served under the prefix.
fn metasra_routes(body: Vec<u8>) -> HashMap<String, Route> {
    routes(&[(METASRA_PATH.to_string(), body)], false)
}

/// UBERON basic behind its PURLs: the latest and the 2025-05-28 release each redirect (302, an
/// absolute Location) to a path outside the prefix that serves `body`.
fn uberon_routes(body: Vec<u8>) -> HashMap<String, Route> {
    let mut served = HashMap::new();
    for (purl, target) in [
        (UBERON_PURL, UBERON_TARGET),
        (UBERON_DATED_PURL, UBERON_DATED_TARGET),
    ] {
        served.insert(format!("{PREFIX}/{purl}"), redirect_to(target));
        served.insert(target.to_string(), route(body.clone(), false));
    }
    served
}

/// The manifest entry of `path`.
fn manifest_entry(out: &Path, path: &str) -> Value {
    manifest(out)["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["path"] == path)
        .unwrap_or_else(|| panic!("{path} not in the manifest: {}", manifest(out)))
        .clone()
}

/// The paths the server was asked for with GET, with their Range headers.
fn get_paths(server: &Server) -> Vec<(String, Option<String>)> {
    gets(server)
        .into_iter()
        .map(|s| (s.path, s.range))
        .collect()
}

#[test]
fn metasra_and_uberon_dry_runs_print_the_real_urls() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("never");
    for (args, expected) in [
        (
            vec!["metasra"],
            "https://metasra.biostat.wisc.edu/static/metasra_versions/v1.8/metasra.v1-8.json\n",
        ),
        (
            vec!["metasra", "--version", "v1.4", "--format", "sqlite"],
            "https://metasra.biostat.wisc.edu/static/metasra_versions/v1.4/metasra.v1-4.sqlite\n",
        ),
        (
            vec!["uberon"],
            "http://purl.obolibrary.org/obo/uberon/basic.obo\n",
        ),
        (
            vec!["uberon", "--release", "2025-05-28"],
            "http://purl.obolibrary.org/obo/uberon/releases/2025-05-28/uberon-basic.obo\n",
        ),
    ] {
        rnameta()
            .arg("fetch")
            .args(&args)
            .args(["--dry-run", "--out"])
            .arg(&out)
            .assert()
            .success()
            .stdout(expected);
    }
    let assert = rnameta()
        .args(["fetch", "uberon", "--dry-run", "--json", "--out"])
        .arg(&out)
        .assert()
        .success();
    let line = &json_lines(&assert.get_output().stdout)[0];
    assert_eq!(
        line["path"],
        out.join("uberon").join("basic.obo").display().to_string()
    );
    assert!(!out.exists());
}

#[test]
fn metasra_json_lands_in_the_metasra_folder_with_its_sha256_and_reads_as_metasra() {
    let body = metasra_bytes();
    let server = Server::start(metasra_routes(body.clone()), Behaviour::default());
    let dir = tempfile::tempdir().unwrap();
    let assert = fetch(&["metasra", "--json", "--quiet"], &server, dir.path())
        .assert()
        .success();
    let line = &json_lines(&assert.get_output().stdout)[0];
    assert_eq!(line["url"], format!("{}/{METASRA_PATH}", server.base));
    assert_eq!(line["status"], "downloaded");
    assert_eq!(line["checked"], "size");
    let local = dir.path().join("metasra").join("metasra.v1-8.json");
    assert_eq!(std::fs::read(&local).unwrap(), body);
    assert_eq!(
        tree(dir.path()),
        ["fetch-manifest.json", "metasra/metasra.v1-8.json"]
    );
    let entry = manifest_entry(dir.path(), "metasra/metasra.v1-8.json");
    assert_eq!(entry["sha256"], sha256_hex(&body));
    assert_eq!(entry["bytes"], body.len() as u64);
    assert_eq!(entry["url"], format!("{}/{METASRA_PATH}", server.base));
    assert!(entry.get("md5").is_none(), "MetaSRA publishes no md5");
    let metasra = rnameta_io::metasra::read_metasra(&local).unwrap();
    assert_eq!(metasra.len(), 6, "the file rnameta's MetaSRA reader reads");
}

#[test]
fn uberon_basic_is_fetched_through_its_purl_redirect_latest_and_dated_apart() {
    let body = uberon_bytes();
    let server = Server::start(uberon_routes(body.clone()), Behaviour::default());
    let dir = tempfile::tempdir().unwrap();
    fetch(&["uberon", "--quiet"], &server, dir.path())
        .assert()
        .success();
    assert_eq!(
        get_paths(&server),
        [
            (format!("{PREFIX}/{UBERON_PURL}"), None),
            (UBERON_TARGET.to_string(), None)
        ],
        "the PURL, then where it redirects"
    );
    server.clear();
    fetch(
        &["uberon", "--release", "2025-05-28", "--quiet"],
        &server,
        dir.path(),
    )
    .assert()
    .success();
    assert_eq!(
        get_paths(&server),
        [
            (format!("{PREFIX}/{UBERON_DATED_PURL}"), None),
            (UBERON_DATED_TARGET.to_string(), None)
        ]
    );
    assert_eq!(
        tree(dir.path()),
        [
            "fetch-manifest.json",
            "uberon/basic.obo",
            "uberon/releases/2025-05-28/uberon-basic.obo"
        ]
    );
    for path in [
        "uberon/basic.obo",
        "uberon/releases/2025-05-28/uberon-basic.obo",
    ] {
        let local = dir.path().join(path);
        assert_eq!(std::fs::read(&local).unwrap(), body, "{path}");
        let entry = manifest_entry(dir.path(), path);
        assert_eq!(entry["sha256"], sha256_hex(&body), "{path}");
        assert_eq!(entry["bytes"], body.len() as u64, "{path}");
        let ontology = rnameta_io::obo::Ontology::read(&local).unwrap();
        assert_eq!(ontology.len(), 81, "the file rnameta's OBO reader reads");
    }
    assert_eq!(
        manifest_entry(dir.path(), "uberon/basic.obo")["url"],
        format!("{}/{UBERON_PURL}", server.base),
        "the manifest records the PURL asked for, which names the release channel"
    );
}

/// An HTML page where MetaSRA's JSON should be: refused naming the URL, nothing kept.
#[test]
fn an_html_page_instead_of_the_metasra_json_is_refused_and_nothing_is_kept() {
    let mut served = metasra_routes(ACCESS_DENIED.to_vec());
    served
        .get_mut(&format!("{PREFIX}/{METASRA_PATH}"))
        .unwrap()
        .content_type = Some("text/html; charset=utf-8");
    let server = Server::start(served, Behaviour::default());
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("data");
    let assert = fetch(&["metasra"], &server, &out).assert().code(1);
    let errors = error_lines(&assert.get_output().stderr);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_holds(
        &errors[0],
        &[
            &format!("{}/{METASRA_PATH}", server.base),
            "an HTML page of 39 bytes, starting '<html><body>Access Denied</body></html>'",
            "instead of the MetaSRA 1.8 release (JSON) (a JSON file)",
            "nothing was kept",
            "--base-url",
        ],
    );
    assert!(!out.exists(), "nothing kept: {:?}", tree(dir.path()));
}

/// An HTML page (without Content-Type: the bytes decide) where the PURL's redirect should lead to
/// UBERON's OBO file: refused naming the PURL, nothing kept.
#[test]
fn an_html_page_behind_the_uberon_purl_is_refused_and_nothing_is_kept() {
    let page = b"\n<!DOCTYPE html>\n<html><head><title>Sign in</title></head></html>\n";
    let server = Server::start(uberon_routes(page.to_vec()), Behaviour::default());
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("data");
    let assert = fetch(&["uberon"], &server, &out).assert().code(1);
    let errors = error_lines(&assert.get_output().stderr);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_holds(
        &errors[0],
        &[
            &format!("{}/{UBERON_PURL}", server.base),
            "an HTML page of",
            "starting '<!DOCTYPE html>",
            "UBERON basic ontology (latest release) (an OBO file)",
        ],
    );
    assert!(!out.exists(), "nothing kept: {:?}", tree(dir.path()));
}

/// A transfer dropped after K bytes is resumed within the run with `Range: bytes=K-`, asked of
/// the PURL and carried through its redirect to where the file lies.
#[test]
fn an_interrupted_uberon_transfer_resumes_through_the_purl_redirect() {
    let k = 10_000;
    let body = uberon_bytes();
    assert!(body.len() > k);
    let server = Server::start(
        uberon_routes(body.clone()),
        Behaviour {
            drop_after: Some(k),
            ..Behaviour::default()
        },
    );
    let dir = tempfile::tempdir().unwrap();
    let assert = fetch(&["uberon", "--json"], &server, dir.path())
        .assert()
        .success()
        .stderr(predicate::str::contains(format!("retrying from byte {k}")));
    let line = &json_lines(&assert.get_output().stdout)[0];
    assert_eq!(line["resumed_from"], k as u64);
    assert_eq!(line["attempts"], 2);
    let range = Some(format!("bytes={k}-"));
    assert_eq!(
        get_paths(&server),
        [
            (format!("{PREFIX}/{UBERON_PURL}"), None),
            (UBERON_TARGET.to_string(), None),
            (format!("{PREFIX}/{UBERON_PURL}"), range.clone()),
            (UBERON_TARGET.to_string(), range),
        ]
    );
    assert_eq!(
        std::fs::read(dir.path().join("uberon").join("basic.obo")).unwrap(),
        body
    );
    assert_eq!(
        manifest_entry(dir.path(), "uberon/basic.obo")["sha256"],
        sha256_hex(&body)
    );
}

/// A run that gives up on MetaSRA's JSON keeps only the `.partial` file; the next run resumes it
/// with a range request and the manifest gets the whole file's SHA-256.
#[test]
fn an_interrupted_metasra_run_keeps_the_partial_file_and_the_next_run_resumes_it() {
    let k = 700;
    let body = metasra_bytes();
    assert!(body.len() > k);
    let server = Server::start(
        metasra_routes(body.clone()),
        Behaviour {
            drop_after: Some(k),
            ..Behaviour::default()
        },
    );
    let dir = tempfile::tempdir().unwrap();
    let final_path = dir.path().join("metasra").join("metasra.v1-8.json");
    let partial = dir.path().join("metasra").join("metasra.v1-8.json.partial");
    fetch(&["metasra", "--retries", "0"], &server, dir.path())
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!(
            "{k} bytes are kept in {}",
            partial.display()
        )));
    assert!(!final_path.exists());
    assert_eq!(std::fs::read(&partial).unwrap(), body[..k]);

    server.clear();
    let assert = fetch(&["metasra", "--json"], &server, dir.path())
        .assert()
        .success()
        .stderr(predicate::str::contains(format!(
            "resuming metasra.v1-8.json from byte {k}"
        )));
    assert_eq!(
        get_paths(&server),
        [(
            format!("{PREFIX}/{METASRA_PATH}"),
            Some(format!("bytes={k}-"))
        )]
    );
    assert_eq!(
        json_lines(&assert.get_output().stdout)[0]["resumed_from"],
        k
    );
    assert_eq!(std::fs::read(&final_path).unwrap(), body);
    assert!(!partial.exists());
    assert_eq!(
        manifest_entry(dir.path(), "metasra/metasra.v1-8.json")["sha256"],
        sha256_hex(&body)
    );
}

/// A PURL that redirects to itself: one line naming the URL and the loop, after at most 10
/// redirects, nothing kept.
#[test]
fn a_redirect_loop_is_one_clear_line() {
    let purl = format!("{PREFIX}/{UBERON_PURL}");
    let server = Server::start(
        HashMap::from([(purl.clone(), redirect_to(&purl))]),
        Behaviour::default(),
    );
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("data");
    let assert = fetch(&["uberon", "--retries", "0"], &server, &out)
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert_holds(
        &stderr,
        &[
            &format!("error: {}/{UBERON_PURL}: ", server.base),
            "more than 10 redirects (a redirect loop?)",
        ],
    );
    assert_eq!(gets(&server).len(), 11, "the request and 10 redirects");
    assert!(!out.exists(), "nothing kept: {:?}", tree(dir.path()));
}

// recount3 beyond SRA projects: GTEx and TCGA projects (--data-source), recount3's project lists
// (--project-tables) and the metadata tables alone (--metadata-only).

/// The files of one recount3 project of data source `src` (`sra`, `gtex`, `tcga`) at the paths
/// `locate_url()` builds, without the annotation GTF: the five metadata tables, then the gene
/// sums, each served from a real fixture (the same bytes as [`recount3_routes`]).
fn recount3_project_routes(src: &str, project: &str) -> Vec<(String, Vec<u8>)> {
    let shard = &project[project.len() - 2..];
    let meta = format!("human/data_sources/{src}/metadata/{shard}/{project}");
    [
        (
            format!("{meta}/{src}.{src}.{project}.MD.gz"),
            "geuvadis_humanGender_samples.tsv.gz",
        ),
        (
            format!("{meta}/{src}.recount_project.{project}.MD.gz"),
            "marioni_samples.tsv.gz",
        ),
        (
            format!("{meta}/{src}.recount_qc.{project}.MD.gz"),
            "gtex_lung30_samples.tsv.gz",
        ),
        (
            format!("{meta}/{src}.recount_seq_qc.{project}.MD.gz"),
            "marioni_gene_annot.tsv.gz",
        ),
        (
            format!("{meta}/{src}.recount_pred.{project}.MD.gz"),
            "marioni_kidney_liver_counts.tsv.gz",
        ),
        (
            format!(
                "human/data_sources/{src}/gene_sums/{shard}/{project}/{src}.gene_sums.{project}.G026.gz"
            ),
            "geuvadis_humanGender_counts.tsv.gz",
        ),
    ]
    .into_iter()
    .map(|(path, name)| (path, fixture_bytes(name)))
    .collect()
}

/// The human annotation GTF's route.
fn recount3_gtf_route() -> (String, Vec<u8>) {
    (
        "human/annotations/gene_sums/human.gene_sums.G026.gtf.gz".to_string(),
        fixture_bytes("gencode.v26.annotation.chr21.gtf.gz"),
    )
}

/// recount3's human `homes_index`, as the R package's `project_homes()` reads it.
const HOMES_INDEX: &str = "data_sources/sra\ndata_sources/gtex\ndata_sources/tcga\n";

/// recount3's human project lists: `homes_index` (plain text) and the project table of each
/// data source (gzip, served from real fixtures).
fn recount3_project_list_routes() -> Vec<(String, Vec<u8>)> {
    vec![
        (
            "human/homes_index".to_string(),
            HOMES_INDEX.as_bytes().to_vec(),
        ),
        (
            "human/data_sources/sra/metadata/sra.recount_project.MD.gz".to_string(),
            fixture_bytes("marioni_samples.tsv.gz"),
        ),
        (
            "human/data_sources/gtex/metadata/gtex.recount_project.MD.gz".to_string(),
            fixture_bytes("gtex_lung30_samples.tsv.gz"),
        ),
        (
            "human/data_sources/tcga/metadata/tcga.recount_project.MD.gz".to_string(),
            fixture_bytes("geuvadis_humanGender_samples.tsv.gz"),
        ),
    ]
}

/// Runs `fetch recount3 ARGS --json --quiet` against `server` into `out` and checks that the
/// files of `expected` (remote path and bytes, in the order fetched) landed byte-identical under
/// `out/recount3/` at their remote paths, alone with the manifest.
fn assert_recount3_fetch(
    server: &Server,
    args: &[&str],
    out: &Path,
    expected: &[(String, Vec<u8>)],
) {
    let mut all = vec!["recount3"];
    all.extend_from_slice(args);
    all.extend(["--json", "--quiet"]);
    let assert = fetch(&all, server, out).assert().success();
    let lines = json_lines(&assert.get_output().stdout);
    let urls: Vec<&str> = lines.iter().map(|l| l["url"].as_str().unwrap()).collect();
    let expected_urls: Vec<String> = expected
        .iter()
        .map(|(remote, _)| format!("{}/{remote}", server.base))
        .collect();
    assert_eq!(urls, expected_urls, "{args:?}");
    let mut expected_tree = vec!["fetch-manifest.json".to_string()];
    for ((remote, bytes), line) in expected.iter().zip(&lines) {
        assert_eq!(
            &std::fs::read(out.join("recount3").join(remote)).unwrap(),
            bytes,
            "{remote}"
        );
        assert_eq!(line["status"], "downloaded");
        assert_eq!(line["sha256"], sha256_hex(bytes));
        expected_tree.push(format!("recount3/{remote}"));
    }
    expected_tree.sort();
    assert_eq!(tree(out), expected_tree, "{args:?}");
    assert_eq!(
        manifest(out)["files"].as_array().unwrap().len(),
        expected.len()
    );
}

#[test]
fn gtex_and_tcga_projects_land_in_the_recount3_layout_byte_identical() {
    let mut served = vec![recount3_gtf_route()];
    served.extend(recount3_project_routes("gtex", "ADIPOSE_TISSUE"));
    served.extend(recount3_project_routes("tcga", "BRCA"));
    let server = Server::start(routes(&served, false), Behaviour::default());
    let dir = tempfile::tempdir().unwrap();

    for (source, project, a_file) in [
        (
            "gtex",
            "ADIPOSE_TISSUE",
            "recount3/human/data_sources/gtex/gene_sums/UE/ADIPOSE_TISSUE/gtex.gene_sums.ADIPOSE_TISSUE.G026.gz",
        ),
        (
            "tcga",
            "BRCA",
            "recount3/human/data_sources/tcga/metadata/CA/BRCA/tcga.tcga.BRCA.MD.gz",
        ),
    ] {
        let out = dir.path().join(source);
        let mut expected = vec![recount3_gtf_route()];
        expected.extend(recount3_project_routes(source, project));
        assert_recount3_fetch(
            &server,
            &["--data-source", source, "--project", project],
            &out,
            &expected,
        );
        assert!(out.join(a_file).is_file(), "{a_file}");
    }

    // A GTEx tissue recount3 does not have: 404 naming the URL, with the GTEx project list as
    // the place to look.
    let missing = dir.path().join("missing");
    fetch(
        &["recount3", "--data-source", "gtex", "--project", "KNEE", "--quiet"],
        &server,
        &missing,
    )
    .assert()
    .code(1)
    .stderr(
        predicate::str::contains(format!(
            "not found (HTTP 404): {}/human/data_sources/gtex/metadata/EE/KNEE/gtex.gtex.KNEE.MD.gz",
            server.base
        ))
        .and(predicate::str::contains(
            "is KNEE a recount3 human GTEx project? (check the id and --data-source; recount3's \
             GTEx project list is human/data_sources/gtex/metadata/gtex.recount_project.MD.gz)",
        ))
        .and(predicate::str::contains("6 of 7 files could not be fetched")),
    );
}

#[test]
fn project_tables_fetch_the_homes_index_and_the_three_project_tables() {
    let mut served = recount3_project_list_routes();
    served.push(recount3_gtf_route());
    served.extend(recount3_project_routes("sra", "SRP012682"));
    let server = Server::start(routes(&served, false), Behaviour::default());
    let dir = tempfile::tempdir().unwrap();

    // Alone: the four project-list files, nothing else.
    let lists = dir.path().join("lists");
    assert_recount3_fetch(
        &server,
        &["--project-tables"],
        &lists,
        &recount3_project_list_routes(),
    );
    assert_eq!(
        std::fs::read_to_string(lists.join("recount3/human/homes_index")).unwrap(),
        HOMES_INDEX
    );

    // With a project: the lists first, then the project as without them.
    let both = dir.path().join("both");
    let mut expected = recount3_project_list_routes();
    expected.push(recount3_gtf_route());
    expected.extend(recount3_project_routes("sra", "SRP012682"));
    assert_recount3_fetch(
        &server,
        &["--project-tables", "--project", "SRP012682"],
        &both,
        &expected,
    );

    // The dry run lists the real URLs.
    rnameta()
        .args(["fetch", "recount3", "--project-tables", "--dry-run", "--out"])
        .arg(dir.path().join("never"))
        .assert()
        .success()
        .stdout(
            "https://duffel.rail.bio/recount3/human/homes_index\n\
             https://duffel.rail.bio/recount3/human/data_sources/sra/metadata/sra.recount_project.MD.gz\n\
             https://duffel.rail.bio/recount3/human/data_sources/gtex/metadata/gtex.recount_project.MD.gz\n\
             https://duffel.rail.bio/recount3/human/data_sources/tcga/metadata/tcga.recount_project.MD.gz\n",
        );
    assert!(!dir.path().join("never").exists());
}

#[test]
fn an_access_denied_page_in_place_of_the_homes_index_is_refused() {
    let mut served = routes(&recount3_project_list_routes(), false);
    served.insert(
        format!("{PREFIX}/human/homes_index"),
        route(b"Access Denied\n".to_vec(), false),
    );
    let server = Server::start(served, Behaviour::default());
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("data");
    let assert = fetch(&["recount3", "--project-tables"], &server, &out)
        .assert()
        .code(1);
    let errors = error_lines(&assert.get_output().stderr);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_holds(
        &errors[0],
        &[
            &format!("{}/human/homes_index", server.base),
            "text of 14 bytes, starting 'Access Denied'",
            "recount3 human project homes index (a list of project homes",
        ],
    );
    assert!(!out.exists(), "nothing kept: {:?}", tree(dir.path()));
}

#[test]
fn metadata_only_fetches_the_five_tables_and_no_gene_sums() {
    let mut served = vec![recount3_gtf_route()];
    served.extend(recount3_project_routes("sra", "SRP012682"));
    served.extend(recount3_project_routes("tcga", "LUAD"));
    let server = Server::start(routes(&served, false), Behaviour::default());
    let dir = tempfile::tempdir().unwrap();
    let tables = |src: &str, project: &str| -> Vec<(String, Vec<u8>)> {
        recount3_project_routes(src, project)
            .into_iter()
            .filter(|(path, _)| path.ends_with(".MD.gz"))
            .collect()
    };

    let sra = dir.path().join("sra");
    assert_recount3_fetch(
        &server,
        &["--metadata-only", "--project", "SRP012682"],
        &sra,
        &tables("sra", "SRP012682"),
    );
    assert_eq!(tables("sra", "SRP012682").len(), 5);

    let tcga = dir.path().join("tcga");
    assert_recount3_fetch(
        &server,
        &[
            "--data-source",
            "tcga",
            "--metadata-only",
            "--project",
            "LUAD",
        ],
        &tcga,
        &tables("tcga", "LUAD"),
    );
    assert!(
        gets(&server).iter().all(|s| !s.path.contains("gene_sums")),
        "no gene sums or GTF asked for"
    );
}

#[test]
fn bad_gtex_and_tcga_ids_are_usage_errors() {
    for (source, id) in [
        ("gtex", "brain"),
        ("gtex", "Adipose_Tissue"),
        ("gtex", "../BRAIN"),
        ("gtex", "BRAIN/X"),
        ("gtex", "ADIPOSE TISSUE"),
        ("gtex", "B"),
        ("gtex", ""),
        ("tcga", "brca"),
        ("tcga", "TCGA-BRCA"),
        ("sra", "BRAIN"),
    ] {
        let assert = rnameta()
            .args([
                "fetch",
                "recount3",
                "--data-source",
                source,
                "--project",
                id,
            ])
            .args(["--dry-run", "--out", "x"])
            .assert()
            .code(2);
        let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
        assert!(
            stderr.contains(&format!("invalid value '{id}' for '--project <ID>'")),
            "{source} {id}: {stderr}"
        );
    }
    for args in [
        vec!["--data-source", "gtex", "--out", "x"],
        vec!["--data-source", "geo", "--project", "GSE1", "--out", "x"],
        vec![
            "--data-source",
            "tcga",
            "--organism",
            "mouse",
            "--project",
            "BRCA",
            "--out",
            "x",
        ],
        vec!["--metadata-only", "--out", "x"],
        vec!["--counts-only", "--out", "x"],
        vec![
            "--project",
            "SRP012682",
            "--metadata-only",
            "--counts-only",
            "--out",
            "x",
        ],
    ] {
        rnameta()
            .args(["fetch", "recount3"])
            .args(&args)
            .assert()
            .code(2);
    }
    // The annotation alone is a request of its own.
    let assert = rnameta()
        .args([
            "fetch",
            "recount3",
            "--annotation",
            "--dry-run",
            "--out",
            "x",
        ])
        .assert()
        .success();
    assert_eq!(
        String::from_utf8_lossy(&assert.get_output().stdout).trim(),
        "https://duffel.rail.bio/recount3/human/annotations/gene_sums/human.gene_sums.G026.gtf.gz"
    );
    // Valid ids of each source.
    for (source, id) in [
        ("gtex", "ADIPOSE_TISSUE"),
        ("tcga", "BRCA"),
        ("sra", "ERP001942"),
    ] {
        rnameta()
            .args([
                "fetch",
                "recount3",
                "--data-source",
                source,
                "--project",
                id,
            ])
            .args(["--dry-run", "--out", "x"])
            .assert()
            .success();
    }
}
