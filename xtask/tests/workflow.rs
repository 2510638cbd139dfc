//! The Snakemake workflow (`workflow/Snakefile`) end to end, offline: a simulated cohort written
//! as a complete mirror (recount3 with its project tables, the MetaSRA release, a UBERON slice)
//! is served over loopback HTTP; the workflow fetches it project by project, plans, shards,
//! merges, trains, annotates and runs a paper experiment. It is killed midway, rerun, and its
//! experiment tables must equal those of `cargo xtask experiment --data DIR` read straight from
//! the simulated files. Then, with one project's counts gone from the server, a new run reports
//! that project and finishes the rest.
//!
//! Snakemake comes from `workflow/install-snakemake.sh` (pinned, in `target/snakemake-venv`);
//! the test installs it when `.ci/run` has not. Needs python3 and PyPI the first time.

use std::collections::BTreeMap;
use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Component, Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The experiments the workflow runs in the test, and how many seeds.
const EXPERIMENTS: [&str; 2] = ["sex-tcga", "tissue-sra"];
const SEEDS: usize = 2;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask sits in the workspace")
        .to_path_buf()
}

/// The pinned Snakemake, installed by the workflow's own script when missing.
fn snakemake() -> PathBuf {
    let venv = workspace().join("target/snakemake-venv");
    let out = Command::new("bash")
        .arg(workspace().join("workflow/install-snakemake.sh"))
        .arg(&venv)
        .output()
        .expect("running workflow/install-snakemake.sh");
    assert!(
        out.status.success(),
        "workflow/install-snakemake.sh failed (needs python3 with venv and PyPI): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    venv.join("bin/snakemake")
}

/// The rnameta binary of this build profile, built when missing (`cargo test -p xtask` alone
/// does not build other packages' binaries).
fn rnameta() -> PathBuf {
    let xtask = PathBuf::from(env!("CARGO_BIN_EXE_xtask"));
    let profile_dir = xtask.parent().expect("the binary's folder");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut build = Command::new(cargo);
    build.current_dir(workspace()).args([
        "build",
        "--quiet",
        "-p",
        "rnameta-cli",
        "--bin",
        "rnameta",
    ]);
    if profile_dir.file_name().is_some_and(|n| n == "release") {
        build.arg("--release");
    }
    let status = build.status().expect("running cargo build");
    assert!(status.success(), "cargo build -p rnameta-cli failed");
    profile_dir.join("rnameta")
}

fn run(command: &mut Command) -> Output {
    let out = command.output().expect("starting a command");
    assert!(
        out.status.success(),
        "{command:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// A static file server on loopback: GET and HEAD of the files under its root, 404 otherwise,
/// one connection per request. Every GET is logged by path.
struct Mirror {
    address: SocketAddr,
    gets: Arc<Mutex<Vec<String>>>,
}

impl Mirror {
    fn serve(root: PathBuf) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("binding a loopback port");
        let address = listener.local_addr().expect("the bound address");
        let gets = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&gets);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (root, log) = (root.clone(), Arc::clone(&log));
                std::thread::spawn(move || {
                    let _ = answer(stream, &root, &log);
                });
            }
        });
        Self { address, gets }
    }

    fn url(&self, prefix: &str) -> String {
        format!("http://{}/{prefix}", self.address)
    }

    /// How many times each path was fetched with GET.
    fn get_counts(&self) -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::new();
        for path in self.gets.lock().unwrap().iter() {
            *counts.entry(path.clone()).or_default() += 1;
        }
        counts
    }
}

fn answer(stream: TcpStream, root: &Path, log: &Mutex<Vec<String>>) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request = String::new();
    reader.read_line(&mut request)?;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header == "\r\n" {
            break;
        }
    }
    let mut parts = request.split_whitespace();
    let (method, path) = (parts.next().unwrap_or(""), parts.next().unwrap_or("/"));
    let relative = Path::new(path.trim_start_matches('/'));
    let safe = relative
        .components()
        .all(|c| matches!(c, Component::Normal(_)));
    let file = root.join(relative);
    let mut out = stream;
    if !safe || !file.is_file() {
        let body = b"not found\n";
        write!(
            out,
            "HTTP/1.1 404 Not Found\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        )?;
        return out.write_all(body);
    }
    let mut body = Vec::new();
    fs::File::open(&file)?.read_to_end(&mut body)?;
    write!(
        out,
        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nContent-Type: application/octet-stream\r\n\
         Connection: close\r\n\r\n",
        body.len()
    )?;
    if method == "GET" {
        log.lock().unwrap().push(path.to_owned());
        out.write_all(&body)?;
    }
    out.flush()
}

/// The served tree: the simulated recount3 mirror as is, MetaSRA under its release's name (as
/// `rnameta fetch metasra` asks for it) and the UBERON slice of the fixtures as `basic.obo`.
fn served_tree(sim: &Path, served: &Path) {
    fs::create_dir_all(served).unwrap();
    std::os::unix::fs::symlink(sim.join("recount3"), served.join("recount3")).unwrap();
    let metasra = served.join("metasra/v1.8");
    fs::create_dir_all(&metasra).unwrap();
    let mut json = Vec::new();
    flate2::read::GzDecoder::new(fs::File::open(sim.join("metasra/metasra.json.gz")).unwrap())
        .read_to_end(&mut json)
        .unwrap();
    fs::write(metasra.join("metasra.v1-8.json"), json).unwrap();
    fs::create_dir_all(served.join("uberon")).unwrap();
    fs::copy(
        workspace().join("fixtures/uberon/uberon-slice.obo"),
        served.join("uberon/basic.obo"),
    )
    .unwrap();
}

fn config_file(dir: &Path, rnameta: &Path, mirror: &Mirror) -> PathBuf {
    let experiments: Vec<String> = EXPERIMENTS.iter().map(|e| format!("\"{e}\"")).collect();
    let text = format!(
        "rnameta: \"{}\"\nxtask: \"{}\"\nrecount3_url: \"{}\"\nmetasra_url: \"{}\"\n\
         uberon_url: \"{}\"\nexperiments: [{}]\nseeds: {SEEDS}\n",
        rnameta.display(),
        env!("CARGO_BIN_EXE_xtask"),
        mirror.url("recount3"),
        mirror.url("metasra"),
        mirror.url("uberon"),
        experiments.join(", ")
    );
    let path = dir.join("test-config.yaml");
    fs::write(&path, text).unwrap();
    path
}

fn snakemake_command(snakemake: &Path, run_dir: &Path, config: &Path) -> Command {
    let mut command = Command::new(snakemake);
    command
        .arg("--snakefile")
        .arg(workspace().join("workflow/Snakefile"))
        .arg("--directory")
        .arg(run_dir)
        .arg("--configfile")
        .arg(config)
        .args(["--cores", "2", "--keep-going", "--rerun-incomplete"]);
    command
}

fn count_files(dir: &Path) -> usize {
    let Ok(entries) = fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| {
            let path = e.path();
            if path.is_dir() {
                count_files(&path)
            } else {
                1
            }
        })
        .sum()
}

/// A CSV table without the columns named `seconds...` (time differs from run to run).
fn without_times(path: &Path) -> Vec<Vec<String>> {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let keep: Vec<bool> = header.iter().map(|h| !h.starts_with("seconds")).collect();
    std::iter::once(text.lines().next().unwrap())
        .chain(lines)
        .map(|line| {
            line.split(',')
                .zip(keep.iter().chain(std::iter::repeat(&true)))
                .filter(|(_, &k)| k)
                .map(|(cell, _)| cell.to_owned())
                .collect()
        })
        .collect()
}

#[test]
fn the_workflow_fetches_a_served_mirror_survives_a_kill_equals_the_experiments_and_reports_failures(
) {
    let snakemake = snakemake();
    let rnameta = rnameta();
    let dir = tempfile::tempdir().unwrap();
    let sim = dir.path().join("sim");
    run(Command::new(&rnameta)
        .args(["simulate", "--preset", "tiny", "--quiet", "--out"])
        .arg(&sim));
    let served = dir.path().join("served");
    served_tree(&sim, &served);
    let mirror = Mirror::serve(served);
    let config = config_file(dir.path(), &rnameta, &mirror);
    let run_dir = dir.path().join("run");

    // Killed midway: once some projects are sharded, the whole process group gets SIGKILL.
    let mut first = snakemake_command(&snakemake, &run_dir, &config);
    let mut child = first
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .expect("starting snakemake");
    let started = Instant::now();
    let shards = run_dir.join("status/shards");
    while count_files(&shards) < 20 {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the workflow ended before it could be killed"
        );
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "no 20 projects sharded in 10 minutes"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let (killed_after, killed_at) = (count_files(&shards), started.elapsed());
    let group = format!("-{}", child.id());
    run(Command::new("kill").args(["-KILL", "--", &group]));
    child.wait().unwrap();
    assert!(
        !run_dir.join("report/projects.tsv").exists(),
        "killed, yet it finished"
    );

    // Rerun: the lock of the killed run is released first, then it finishes.
    run(snakemake_command(&snakemake, &run_dir, &config).arg("--unlock"));
    run(&mut snakemake_command(&snakemake, &run_dir, &config));
    let again = run(&mut snakemake_command(&snakemake, &run_dir, &config));
    let said = String::from_utf8_lossy(&again.stderr).into_owned()
        + &String::from_utf8_lossy(&again.stdout);
    assert!(
        said.contains("Nothing to be done"),
        "a third run found work left: {said}"
    );

    // Only what was missing was fetched again: at most the files in flight when killed (two
    // jobs at a time, each fetching one file at a time) were downloaded twice.
    let twice: Vec<(String, usize)> = mirror
        .get_counts()
        .into_iter()
        .filter(|(_, n)| *n > 1)
        .collect();
    eprintln!(
        "killed after {killed_after} project shards and {:.1} s; files downloaded twice: \
         {twice:?}",
        killed_at.as_secs_f64()
    );
    assert!(twice.len() <= 2, "downloaded more than once: {twice:?}");
    assert!(twice.iter().all(|(_, n)| *n == 2), "{twice:?}");

    // Every project planned was fetched and read.
    let report = fs::read_to_string(run_dir.join("report/projects.tsv")).unwrap();
    let rows: Vec<&str> = report.lines().skip(1).collect();
    assert!(rows.len() > 100, "{} project steps reported", rows.len());
    assert!(
        rows.iter().all(|r| r.split('\t').nth(3) == Some("ok")),
        "a project failed:\n{report}"
    );
    // The SRA's merge holds its labelled samples; annotate labels every sample of its shards.
    let mut shards: Vec<PathBuf> = fs::read_dir(run_dir.join("shards/sra"))
        .unwrap()
        .map(|entry| {
            let folder = entry.unwrap().path();
            let project = folder.file_name().unwrap().to_str().unwrap().to_owned();
            folder.join(format!("{project}.parquet"))
        })
        .collect();
    shards.sort();
    let mut sra_samples = Vec::new();
    for shard in &shards {
        sra_samples.extend(
            rnameta_io::parquet::read_dataset(shard)
                .unwrap()
                .samples()
                .to_vec(),
        );
    }
    let labelled: Vec<&str> = sra_samples
        .iter()
        .filter(|s| s.is_labelled())
        .map(|s| s.sample_id.as_str())
        .collect();
    assert!(
        labelled.len() < sra_samples.len(),
        "the simulated SRA has no unlabelled sample to leave out"
    );
    let merged = rnameta_io::parquet::read_dataset(&run_dir.join("merged/sra.parquet")).unwrap();
    let mut merged_ids: Vec<&str> = merged
        .samples()
        .iter()
        .map(|s| s.sample_id.as_str())
        .collect();
    let mut labelled_ids = labelled.clone();
    merged_ids.sort_unstable();
    labelled_ids.sort_unstable();
    assert_eq!(merged_ids, labelled_ids);
    let mut all_ids: Vec<&str> = sra_samples.iter().map(|s| s.sample_id.as_str()).collect();
    all_ids.sort_unstable();
    for name in ["tissue-mlp", "sex-logistic", "source-mlp"] {
        let table = rnameta_io::parquet::read_predictions(
            &run_dir.join(format!("annotations/{name}.parquet")),
        )
        .unwrap();
        let mut annotated: Vec<&str> = table.rows.iter().map(|r| r.sample_id.as_str()).collect();
        annotated.sort_unstable();
        assert_eq!(
            annotated, all_ids,
            "{name}: not every SRA sample was annotated"
        );
    }

    // A project whose counts the server no longer has: reported, left out, the rest goes on.
    let project = "SRP100010";
    let gene_sums = sim.join(format!(
        "recount3/human/data_sources/sra/gene_sums/10/{project}/sra.gene_sums.{project}.G026.gz"
    ));
    let kept_aside = dir.path().join("kept-aside.gz");
    fs::rename(&gene_sums, &kept_aside).unwrap();
    let failing = dir.path().join("run-failing");
    run(snakemake_command(&snakemake, &failing, &config).args(["--config", "experiments=[]"]));
    fs::rename(&kept_aside, &gene_sums).unwrap();
    let report = fs::read_to_string(failing.join("report/projects.tsv")).unwrap();
    let failed: Vec<&str> = report
        .lines()
        .skip(1)
        .filter(|r| r.split('\t').nth(3) != Some("ok"))
        .collect();
    assert_eq!(failed.len(), 1, "{report}");
    assert!(
        failed[0].starts_with(&format!("shards\tsra\t{project}\tfailed\tnot fetched: ")),
        "{}",
        failed[0]
    );
    assert!(failed[0].contains("HTTP 404"), "{}", failed[0]);
    for name in ["tissue-mlp", "sex-logistic", "source-mlp"] {
        assert!(failing
            .join(format!("annotations/{name}.parquet"))
            .is_file());
    }

    // The experiments on the merged shards equal those read straight from the simulated files,
    // labelled by MetaSRA as the shards are, their labelled samples only (as the SRA's merge).
    let direct = dir.path().join("direct");
    for experiment in EXPERIMENTS {
        run(Command::new(env!("CARGO_BIN_EXE_xtask"))
            .args(["experiment", experiment, "--seeds", &SEEDS.to_string()])
            .arg("--data")
            .arg(&sim)
            .arg("--labels")
            .arg(sim.join("metasra/metasra.json.gz"))
            .arg("--labelled-only")
            .arg("--out")
            .arg(&direct));
        for table in ["results.csv", "table.csv", "stats.csv"] {
            let ours = run_dir.join("results").join(experiment).join(table);
            let theirs = direct.join(experiment).join(table);
            assert_eq!(
                without_times(&ours),
                without_times(&theirs),
                "{experiment}/{table}: the workflow's table differs from the experiment's on \
                 the same files"
            );
        }
    }
}
