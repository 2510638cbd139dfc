//! Bad-input cases of `rnameta`: fetch, against a loopback HTTP server written here that answers
//! every GET the same bad way (an HTML page, random bytes, no `Content-Length`, a stall, no
//! answer at all). The server lives as long as the case's [`Run::guard`].

use std::ffi::OsString;
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::{Case, Ctx, Expect, Run};

/// The cases of this area.
pub fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "04-fetch-gtex-html-access-denied-page",
            run: gtex_html_page,
            expect: Expect::Refused {
                code: 1,
                needles: &[
                    "http://127.0.0.1:",
                    GTEX_GCT,
                    "an HTML page of 39 bytes, starting '<html><body>Access Denied",
                    "(a gzip file)",
                    "--base-url",
                ],
            },
        },
        Case {
            name: "04-fetch-gtex-random-bytes",
            run: gtex_random_bytes,
            expect: Expect::Refused {
                code: 1,
                needles: &[GTEX_GCT, "7000 bytes of binary data", "(a gzip file)"],
            },
        },
        Case {
            name: "04-fetch-gtex-random-bytes-without-content-length",
            run: gtex_random_bytes_without_length,
            expect: Expect::Refused {
                code: 1,
                needles: &[GTEX_GCT, "binary data", "(a gzip file)"],
            },
        },
        Case {
            name: "11-fetch-archs4-stalled-after-1000-bytes",
            run: archs4_stalled,
            expect: Expect::Refused {
                code: 1,
                needles: &[
                    ARCHS4_FILE,
                    "no data for 1 s (--timeout) after byte 1000",
                    "1000 bytes are kept",
                    "the next run resumes",
                ],
            },
        },
        Case {
            name: "11-fetch-gtex-server-never-answers",
            run: gtex_never_answers,
            expect: Expect::Refused {
                code: 1,
                needles: &[GTEX_GCT, "no answer", "within 1 s (--timeout)"],
            },
        },
    ]
}

/// The first file `fetch gtex` asks for.
const GTEX_GCT: &str = "GTEx_Analysis_2017-06-05_v8_RNASeQCv1.1.9_gene_reads.gct.gz";

/// The file `fetch archs4` asks for.
const ARCHS4_FILE: &str = "human_gene_v2.latest.h5";

/// 39 bytes: what an access wall in front of a bucket answers with `200 OK`.
const ACCESS_DENIED: &[u8] = b"<html><body>Access Denied</body></html>";

/// The longest a stalled or silent connection is held open (the server's end also closes it).
const HOLD: Duration = Duration::from_secs(30);

/// Every case ends well within this: one attempt, and `--timeout 1` where the server is silent.
const CASE_LIMIT: Duration = Duration::from_secs(20);

fn gtex_html_page(ctx: &Ctx) -> Run {
    let answer = Answer::body(ACCESS_DENIED.to_vec(), "text/html; charset=utf-8");
    fetch("gtex", Server::start(answer), ctx.path("data").into())
}

fn gtex_random_bytes(ctx: &Ctx) -> Run {
    let answer = Answer::body(random_bytes(7_000), "application/octet-stream");
    fetch("gtex", Server::start(answer), ctx.path("data").into())
}

fn gtex_random_bytes_without_length(ctx: &Ctx) -> Run {
    let answer = Answer {
        content_length: false,
        ..Answer::body(random_bytes(7_000), "application/octet-stream")
    };
    fetch("gtex", Server::start(answer), ctx.path("data").into())
}

/// A stall after 1,000 bytes that do start like the HDF5 file: they are kept in `.partial` for
/// the next run to resume, by design (`tests/fetch.rs` checks those bytes and the resumption). The
/// output folder therefore lives outside the case folder, held by the guard, so that the sweep
/// judges the refusal and its message.
fn archs4_stalled(_ctx: &Ctx) -> Run {
    let mut body = b"\x89HDF\r\n\x1a\n".to_vec();
    body.resize(50_000, 0);
    let answer = Answer {
        stall_after: Some(1_000),
        ..Answer::body(body, "application/x-hdf5")
    };
    let out = tempfile::tempdir().expect("a temporary folder");
    let out_path = out.path().as_os_str().to_owned();
    let run = fetch("archs4", Server::start(answer), out_path)
        .arg("--timeout")
        .arg("1");
    let server = run.guard;
    Run {
        guard: Some(Box::new((server, out))),
        ..run
    }
}

fn gtex_never_answers(ctx: &Ctx) -> Run {
    let answer = Answer {
        silent: true,
        ..Answer::body(Vec::new(), "text/plain")
    };
    fetch("gtex", Server::start(answer), ctx.path("data").into())
        .arg("--timeout")
        .arg("1")
}

/// `rnameta fetch SOURCE --retries 0 --base-url SERVER --out OUT`, the server kept alive through
/// the run, proxies out of the way of 127.0.0.1.
fn fetch(source: &str, server: Server, out: OsString) -> Run {
    Run::new(["fetch", source, "--retries", "0", "--base-url"])
        .arg(server.base())
        .arg("--out")
        .arg(out)
        .env("NO_PROXY", "127.0.0.1")
        .env("no_proxy", "127.0.0.1")
        .timeout(CASE_LIMIT)
        .guard(server)
}

/// `n` bytes that are neither gzip, HDF5 nor text (xorshift with a fixed seed).
fn random_bytes(n: usize) -> Vec<u8> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// How the server answers every GET.
#[derive(Clone)]
struct Answer {
    /// The body of a `200 OK`.
    body: Arc<Vec<u8>>,
    /// Its `Content-Type`.
    content_type: &'static str,
    /// Whether `Content-Length` is sent (otherwise the body ends when the connection closes).
    content_length: bool,
    /// Send only this many body bytes, then stay silent.
    stall_after: Option<usize>,
    /// Read the request and never answer.
    silent: bool,
}

impl Answer {
    /// A plain `200 OK` with `body`.
    fn body(body: Vec<u8>, content_type: &'static str) -> Self {
        Self {
            body: Arc::new(body),
            content_type,
            content_length: true,
            stall_after: None,
            silent: false,
        }
    }
}

/// A loopback HTTP/1.1 server (one thread per connection) that stops when dropped.
struct Server {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
}

impl Server {
    fn start(answer: Answer) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
        let addr = listener.local_addr().expect("its address");
        let stop = Arc::new(AtomicBool::new(false));
        let accept_stop = Arc::clone(&stop);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if accept_stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let answer = answer.clone();
                let stop = Arc::clone(&accept_stop);
                std::thread::spawn(move || {
                    let _ = serve(stream, &answer, &stop);
                });
            }
        });
        Self { addr, stop }
    }

    /// The base URL to give `--base-url`.
    fn base(&self) -> String {
        format!("http://{}/mirror", self.addr)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop so that it sees the flag.
        let _ = TcpStream::connect(self.addr);
    }
}

/// Answers one request (always `Connection: close`).
fn serve(stream: TcpStream, answer: &Answer, stop: &AtomicBool) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" {
            break;
        }
    }
    let mut out = stream;
    if answer.silent {
        hold(stop);
        return Ok(());
    }
    let length = if answer.content_length {
        format!("Content-Length: {}\r\n", answer.body.len())
    } else {
        String::new()
    };
    write!(
        out,
        "HTTP/1.1 200 OK\r\nContent-Type: {}\r\n{length}Connection: close\r\n\r\n",
        answer.content_type
    )?;
    match answer.stall_after {
        Some(k) if k < answer.body.len() => {
            out.write_all(&answer.body[..k])?;
            out.flush()?;
            hold(stop);
        }
        _ => out.write_all(&answer.body)?,
    }
    Ok(())
}

/// Keeps a connection open and silent until the server stops (or [`HOLD`] has passed).
fn hold(stop: &AtomicBool) {
    let started = Instant::now();
    while !stop.load(Ordering::SeqCst) && started.elapsed() < HOLD {
        std::thread::sleep(Duration::from_millis(50));
    }
}
