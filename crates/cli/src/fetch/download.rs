//! The HTTP transfer of one file: resumable, retried, size-, content- and checksum-checked, and
//! renamed into place only when complete.
//!
//! A download goes to `<file>.partial` next to its final name. A later request (a retry in this
//! run, or the next run) asks for `Range: bytes=N-` where N is the partial file's length; a
//! `206 Partial Content` answer is appended, a `200 OK` (a server that ignores ranges) restarts the
//! file from byte 0 and says so. When the body ends, its length must match `Content-Length` /
//! the total of `Content-Range`; then the file is hashed (SHA-256 always, MD5 too when the server
//! publishes one in `x-goog-hash`, as Google Cloud Storage does), checked, synced and renamed.
//! A file whose checksum does not match is removed, never renamed into place.
//!
//! Content: every file of the catalogue knows what it holds (`content::Content`: gzip, HDF5,
//! tab-separated text). An answer whose first bytes are not what the file should start with (an
//! "Access Denied" page, a login wall, random bytes) is refused as soon as they arrive; nothing
//! of it is kept, not even for resuming. The whole file's first bytes are judged again before the
//! rename.
//!
//! Timeout: one limit ([`Settings::timeout`], `--timeout`) bounds every wait for the server: to
//! connect, to answer a request, and between two reads of a response. A transfer quiet for longer
//! is broken off and retried (resuming), so that the user hears about it within that time.
//!
//! Redirects: up to [`MAX_REDIRECTS`] are followed, for `GET` and `HEAD` alike, with the `Range`
//! header kept (ureq drops only `Authorization` across hosts, `Cookie` and `Content-Length`), so
//! that a PURL (UBERON's `purl.obolibrary.org` leads to GitHub's release storage) is fetched and
//! resumed like a direct URL. The answer judged is the last one.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use base64::Engine;
use indicatif::{ProgressBar, ProgressStyle};
use md5::Md5;
use sha2::{Digest, Sha256};
use ureq::http::HeaderMap;
use ureq::{Agent, Timeout};

use super::content::{self, Verdict, PROBE};
use super::error::FetchError;
use super::resources::Resource;

/// Size of the reads from the network and from disk while hashing.
const CHUNK: usize = 1 << 18;

/// The most redirects followed for one request: a PURL takes one or two (`purl.obolibrary.org`
/// -> `github.com` -> GitHub's storage host); more means a loop or a misconfigured mirror.
pub const MAX_REDIRECTS: u32 = 10;

/// How the downloader behaves.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Retries after a transient failure (a dropped connection, a timeout, HTTP 5xx / 408 / 429),
    /// each resuming where the last one stopped.
    pub retries: u32,
    /// Wait before the first retry of an attempt that received nothing; doubled for each further
    /// one. An attempt that received data is retried at once (the server was fine a moment ago).
    pub retry_delay: Duration,
    /// Longest wait for the server: to connect (TCP, TLS), to answer a request, and for the next
    /// bytes of a response.
    pub timeout: Duration,
    /// Show a progress bar per file on standard error.
    pub progress: bool,
    /// Print notes (resuming, retrying, restarting) on standard error.
    pub notes: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            retries: 4,
            retry_delay: Duration::from_secs(1),
            timeout: Duration::from_secs(60),
            progress: false,
            notes: true,
        }
    }
}

/// What is already known about a file from an earlier run's manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Known {
    /// The URL it came from.
    pub url: String,
    /// Its size.
    pub bytes: u64,
    /// Its SHA-256 (hex).
    pub sha256: String,
    /// Its MD5 (hex), when it was checked against a published one.
    pub md5: Option<String>,
}

/// Whether a file was transferred or found complete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Transferred (entirely, or the rest of a partial file).
    Downloaded,
    /// Already in place with the server's size; nothing transferred.
    AlreadyComplete,
}

impl Status {
    /// `downloaded` or `already complete`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Downloaded => "downloaded",
            Self::AlreadyComplete => "already complete",
        }
    }
}

/// What a file was checked by, besides its content's first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// Its MD5 matches the one the server publishes (which also proves it complete).
    Md5,
    /// Its size matches the server's (`Content-Length` / `Content-Range`); no checksum was
    /// published.
    Size,
    /// The server gave neither a size nor a checksum: only the start of the content was checked,
    /// and a transfer cut short cannot be told from a complete one.
    ContentOnly,
}

impl Check {
    /// `md5`, `size` or `content`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Md5 => "md5",
            Self::Size => "size",
            Self::ContentOnly => "content",
        }
    }
}

/// A file fetched (or found complete) and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    /// Transferred or already complete.
    pub status: Status,
    /// Its size.
    pub bytes: u64,
    /// Its SHA-256 (hex).
    pub sha256: String,
    /// Its MD5 (hex) when checked against one the server publishes.
    pub md5: Option<String>,
    /// What it was checked by.
    pub checked: Check,
    /// The byte offset of the request that completed the file: 0 for a transfer from the start,
    /// N when the last request resumed a partial file with `Range: bytes=N-`.
    pub resumed_from: u64,
    /// GET requests made (0 when already complete).
    pub attempts: u32,
    /// Notes worth keeping (server ignored the range, file not checked against the server, ...).
    pub notes: Vec<String>,
}

/// An MD5 the server publishes for the whole file.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Published {
    md5_hex: String,
    origin: &'static str,
}

/// Downloads files over HTTP(S) as described in the module documentation.
pub struct Downloader {
    agent: Agent,
    settings: Settings,
}

/// How one attempt failed.
enum Failure {
    /// Retrying will not help.
    Fatal(FetchError),
    /// Retrying may help; `immediate` when the attempt received data, `answered` when the server
    /// sent an HTTP answer at all.
    Retry {
        reason: String,
        immediate: bool,
        answered: bool,
    },
}

impl From<FetchError> for Failure {
    fn from(e: FetchError) -> Self {
        Self::Fatal(e)
    }
}

/// Where a completed transfer ended.
struct Done {
    published: Option<Published>,
    resumed_from: u64,
    /// Whether the server gave the file's size (so that the length was checked).
    size_known: bool,
    /// The answer's `Content-Type`, to describe a file that turns out wrong.
    content_type: Option<String>,
}

impl Downloader {
    /// A downloader with its own connection pool. Proxies come from the usual environment
    /// variables (`HTTPS_PROXY`, `ALL_PROXY`, `NO_PROXY`, ...).
    pub fn new(settings: Settings) -> Self {
        let agent: Agent = Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(settings.timeout))
            .timeout_per_read(Some(settings.timeout))
            .user_agent(concat!("rnameta/", env!("CARGO_PKG_VERSION")))
            .max_redirects(MAX_REDIRECTS)
            // The bytes must arrive as stored: no transparent decompression.
            .accept_encoding("identity")
            .build()
            .into();
        Self { agent, settings }
    }

    /// Fetches `url`, the file `resource` describes, into `dest` (whose folder must exist):
    /// skips it when it is already complete, resumes a `.partial` file, retries transient
    /// failures, checks content, size and checksum, renames into place. `known` is the
    /// manifest's record of `dest` (it spares hashing a complete file again).
    pub fn fetch(
        &self,
        url: &str,
        dest: &Path,
        resource: &Resource,
        known: Option<&Known>,
    ) -> Result<Fetched, FetchError> {
        let mut notes = Vec::new();
        if dest.is_file() {
            if let Some(done) = self.check_existing(url, dest, resource, known, &mut notes)? {
                return Ok(done);
            }
        }
        let partial = partial_path(dest);
        let bar = self.bar(dest);
        let mut transfer = Transfer::open(&partial)?;
        if transfer.len > 0 {
            if resource.content.judge(&transfer.head, false) == Verdict::Wrong {
                // Bytes proven not to be the file are never resumed.
                self.note(
                    &bar,
                    &mut notes,
                    format!(
                        "the {} bytes left in {} by an earlier run are {} instead of {}; \
                         starting again from byte 0",
                        transfer.len,
                        partial.display(),
                        content::describe(&transfer.head, Some(transfer.len), None),
                        resource.content.as_str()
                    ),
                );
                transfer.reset()?;
            } else {
                self.note(
                    &bar,
                    &mut notes,
                    format!(
                        "resuming {} from byte {} left by an earlier run",
                        file_name(dest),
                        transfer.len
                    ),
                );
            }
        }
        let mut attempts = 0u32;
        let mut reached = false;
        let mut answered_once = false;
        let mut delay = self.settings.retry_delay;
        let done = loop {
            attempts += 1;
            match self.attempt(url, resource, &mut transfer, &bar, reached, &mut notes) {
                Ok(done) => break done,
                Err(Failure::Fatal(e)) => {
                    bar.abandon();
                    transfer.discard_if_empty();
                    return Err(e);
                }
                Err(Failure::Retry {
                    reason,
                    immediate,
                    answered,
                }) => {
                    reached = true;
                    answered_once |= answered;
                    if attempts > self.settings.retries {
                        bar.abandon();
                        let kept = if transfer.len > 0 {
                            format!(
                                "; {} bytes are kept in {} and the next run resumes from there",
                                transfer.len,
                                partial.display()
                            )
                        } else {
                            String::new()
                        };
                        transfer.discard_if_empty();
                        if !answered_once {
                            return Err(FetchError::NoAnswer {
                                url: url.to_string(),
                                host: host(url).to_string(),
                                attempts,
                                reason,
                                kept,
                            });
                        }
                        return Err(FetchError::GaveUp {
                            url: url.to_string(),
                            attempts,
                            reason,
                            kept,
                        });
                    }
                    let wait = if immediate { Duration::ZERO } else { delay };
                    self.note(
                        &bar,
                        &mut notes,
                        format!(
                            "{}: {reason}; retrying from byte {} ({} of {} retries){}",
                            file_name(dest),
                            transfer.len,
                            attempts,
                            self.settings.retries,
                            if wait.is_zero() {
                                String::new()
                            } else {
                                format!(" in {} s", wait.as_secs_f64())
                            }
                        ),
                    );
                    if !immediate {
                        std::thread::sleep(wait);
                        delay = delay.saturating_mul(2);
                    }
                }
            }
        };
        let (bytes, head) = transfer.finish()?;
        let judged = resource
            .content
            .judge_answer(&head, true, done.content_type.as_deref());
        if judged != Verdict::Fits {
            // What is not the file must not be resumed or renamed into place.
            let _ = std::fs::remove_file(&partial);
            bar.abandon();
            return Err(FetchError::WrongContent {
                url: url.to_string(),
                what: resource.what.clone(),
                expected: resource.content.as_str(),
                got: content::describe(&head, Some(bytes), done.content_type.as_deref()),
            });
        }
        bar.set_message("verifying");
        let hashes = hash_file(&partial, done.published.is_some(), &bar)?;
        bar.finish_and_clear();
        let md5 = match (&done.published, hashes.md5) {
            (Some(published), Some(actual)) => {
                if actual != published.md5_hex {
                    // A corrupt download must not be resumed or renamed into place.
                    let _ = std::fs::remove_file(&partial);
                    return Err(FetchError::ChecksumMismatch {
                        url: url.to_string(),
                        expected: published.md5_hex.clone(),
                        actual,
                        origin: published.origin.to_string(),
                        bytes,
                    });
                }
                Some(actual)
            }
            _ => None,
        };
        std::fs::rename(&partial, dest).map_err(|e| FetchError::io(dest, e))?;
        let checked = if md5.is_some() {
            Check::Md5
        } else if done.size_known {
            Check::Size
        } else {
            self.note_plain(
                &mut notes,
                format!(
                    "{}: the server gave no size (no Content-Length) and no checksum, so a \
                     transfer cut short cannot be told from a complete one; only the start of \
                     the content ({}) was checked",
                    file_name(dest),
                    resource.content.as_str()
                ),
            );
            Check::ContentOnly
        };
        Ok(Fetched {
            status: Status::Downloaded,
            bytes,
            sha256: hashes.sha256,
            md5,
            checked,
            resumed_from: done.resumed_from,
            attempts,
            notes,
        })
    }

    /// One GET: asks for the rest of the partial file and appends what arrives, refusing a
    /// web page or bytes that are not what `resource` holds.
    fn attempt(
        &self,
        url: &str,
        resource: &Resource,
        t: &mut Transfer,
        bar: &ProgressBar,
        reached: bool,
        notes: &mut Vec<String>,
    ) -> Result<Done, Failure> {
        let offset = t.len;
        let mut request = self.agent.get(url);
        if offset > 0 {
            request = request.header("Range", format!("bytes={offset}-"));
        }
        let response = match request.call() {
            Ok(r) => r,
            Err(e) => return Err(classify(url, e, reached, self.settings.timeout)),
        };
        let status = response.status().as_u16();
        let headers = response.headers();
        let published = published_md5(headers);
        let content_type = header(headers, "content-type").map(str::to_string);
        let wrong_content = |head: &[u8], size: Option<u64>| {
            Failure::Fatal(FetchError::WrongContent {
                url: url.to_string(),
                what: resource.what.clone(),
                expected: resource.content.as_str(),
                got: content::describe(head, size, content_type.as_deref()),
            })
        };
        let (start, end) = match status {
            200 => {
                if offset > 0 {
                    self.note(
                        bar,
                        notes,
                        format!(
                            "the server ignored the range request for {url} (HTTP 200 instead \
                             of 206); restarting from byte 0 instead of {offset}"
                        ),
                    );
                    t.reset()?;
                }
                (0, content_length(headers))
            }
            206 => {
                let range = header(headers, "content-range")
                    .and_then(parse_content_range)
                    .ok_or_else(|| FetchError::Protocol {
                        url: url.to_string(),
                        reason: format!(
                            "HTTP 206 with a missing or unreadable Content-Range ({:?})",
                            header(headers, "content-range").unwrap_or("")
                        ),
                    })?;
                if range.start != offset {
                    t.reset()?;
                    return Err(Failure::Retry {
                        reason: format!(
                            "the server sent bytes from {} when asked for {offset}; restarting \
                             from byte 0",
                            range.start
                        ),
                        immediate: true,
                        answered: true,
                    });
                }
                let end = range
                    .total
                    .or_else(|| content_length(headers).map(|n| offset + n));
                (offset, end)
            }
            416 => {
                // Range Not Satisfiable: the partial file is at least as long as the file.
                let total = header(headers, "content-range").and_then(unsatisfied_total);
                if total == Some(offset) {
                    return Ok(Done {
                        published,
                        resumed_from: offset,
                        size_known: true,
                        content_type: None,
                    });
                }
                t.reset()?;
                return Err(Failure::Retry {
                    reason: format!(
                        "the {offset} bytes kept from an earlier run do not fit the server's \
                         file (HTTP 416); restarting from byte 0"
                    ),
                    immediate: true,
                    answered: true,
                });
            }
            404 | 410 => {
                return Err(Failure::Fatal(FetchError::NotFound {
                    url: url.to_string(),
                    status,
                    hint: with_separator(&resource.hint()),
                }))
            }
            408 | 425 | 429 | 500..=599 => {
                return Err(Failure::Retry {
                    reason: format!("HTTP {status}"),
                    immediate: false,
                    answered: true,
                })
            }
            _ => {
                return Err(Failure::Fatal(FetchError::Status {
                    url: url.to_string(),
                    status,
                    hint: with_separator(&resource.hint()),
                }))
            }
        };
        let mut reader = response.into_body().into_reader();
        match end {
            Some(end) => bar.set_length(end),
            None => bar.set_length(t.len),
        }
        bar.set_position(t.len);
        let mut buf = vec![0u8; CHUNK];
        let mut received = 0u64;
        let judge = |head: &[u8], complete: bool| {
            resource
                .content
                .judge_answer(head, complete, content_type.as_deref())
        };
        let mut content_fits = judge(&t.head, false) == Verdict::Fits;
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    let reason = if is_timeout(&e) {
                        format!(
                            "no data for {} s (--timeout) after byte {}",
                            self.settings.timeout.as_secs_f64(),
                            t.len
                        )
                    } else {
                        format!("the transfer broke off at byte {} ({e})", t.len)
                    };
                    return Err(Failure::Retry {
                        reason,
                        immediate: received > 0,
                        answered: true,
                    });
                }
            };
            t.write(&buf[..n])?;
            received += n as u64;
            if !content_fits {
                match judge(&t.head, false) {
                    Verdict::Fits => content_fits = true,
                    Verdict::Unsure => {}
                    Verdict::Wrong => {
                        let failure = wrong_content(&t.head, end);
                        // Proven not to be the file: nothing of it is kept for resuming.
                        t.reset()?;
                        return Err(failure);
                    }
                }
            }
            if end.is_none() {
                bar.set_length(t.len);
            }
            bar.set_position(t.len);
            if let Some(end) = end {
                if t.len > end {
                    return Err(Failure::Fatal(FetchError::Protocol {
                        url: url.to_string(),
                        reason: format!(
                            "the server sent more than the {end} bytes it announced; {} kept \
                             in {}",
                            t.len,
                            t.path.display()
                        ),
                    }));
                }
            }
        }
        if let Some(end) = end {
            if t.len < end {
                return Err(Failure::Retry {
                    reason: format!("the connection closed after {} of {end} bytes", t.len),
                    immediate: received > 0,
                    answered: true,
                });
            }
        }
        Ok(Done {
            published,
            resumed_from: start,
            size_known: end.is_some(),
            content_type,
        })
    }

    /// `dest` exists: is it complete? Compares its size with the server's (`HEAD`), falling back
    /// on the manifest when the server cannot tell, and its first bytes with what `resource`
    /// holds. `Ok(None)` means download it again.
    fn check_existing(
        &self,
        url: &str,
        dest: &Path,
        resource: &Resource,
        known: Option<&Known>,
        notes: &mut Vec<String>,
    ) -> Result<Option<Fetched>, FetchError> {
        let local = std::fs::metadata(dest)
            .map_err(|e| FetchError::io(dest, e))?
            .len();
        let known = known.filter(|k| k.url == url && k.bytes == local);
        let (remote, published) = match self.agent.head(url).call() {
            Ok(r) if r.status().is_success() => {
                (content_length(r.headers()), published_md5(r.headers()))
            }
            Ok(r) => {
                let status = r.status().as_u16();
                self.note_plain(notes, format!("{url}: HEAD answered HTTP {status}"));
                (None, None)
            }
            Err(e) => match classify(url, e, false, self.settings.timeout) {
                Failure::Fatal(err @ FetchError::Unreachable { .. }) => {
                    if known.is_none() {
                        return Err(err);
                    }
                    self.note_plain(
                        notes,
                        format!("{} not checked against the server: {err}", dest.display()),
                    );
                    (None, None)
                }
                Failure::Fatal(err) => {
                    self.note_plain(notes, format!("{url}: {err}"));
                    (None, None)
                }
                Failure::Retry { reason, .. } => {
                    self.note_plain(notes, format!("{url}: HEAD failed: {reason}"));
                    (None, None)
                }
            },
        };
        match remote {
            Some(size) if size == local => {}
            Some(size) => {
                self.note_plain(
                    notes,
                    format!(
                        "{} has {local} bytes but the server's file has {size}; downloading it \
                         again",
                        dest.display()
                    ),
                );
                return Ok(None);
            }
            None if known.is_some() => {
                self.note_plain(
                    notes,
                    format!(
                        "{}: the server did not give its size; taken as complete because \
                         fetch-manifest.json records it with this size",
                        dest.display()
                    ),
                );
            }
            None => {
                self.note_plain(
                    notes,
                    format!(
                        "{}: its size cannot be checked against the server; downloading it again",
                        dest.display()
                    ),
                );
                return Ok(None);
            }
        }
        let head = read_head(dest)?;
        if resource.content.judge(&head, true) != Verdict::Fits {
            return Err(FetchError::ExistingWrongContent {
                path: dest.to_path_buf(),
                url: url.to_string(),
                what: resource.what.clone(),
                expected: resource.content.as_str(),
                got: content::describe(&head, Some(local), None),
            });
        }
        let reusable = known.filter(|k| match &published {
            Some(p) => k.md5.as_deref() == Some(p.md5_hex.as_str()),
            None => true,
        });
        let (sha256, md5) = match reusable {
            Some(k) => (k.sha256.clone(), published.as_ref().and(k.md5.clone())),
            None => {
                let bar = self.bar(dest);
                bar.set_message("verifying");
                let hashes = hash_file(dest, published.is_some(), &bar)?;
                bar.finish_and_clear();
                if let (Some(p), Some(actual)) = (&published, &hashes.md5) {
                    if *actual != p.md5_hex {
                        return Err(FetchError::ExistingCorrupt {
                            path: dest.to_path_buf(),
                            url: url.to_string(),
                            expected: p.md5_hex.clone(),
                            actual: actual.clone(),
                        });
                    }
                }
                (hashes.sha256, hashes.md5)
            }
        };
        Ok(Some(Fetched {
            status: Status::AlreadyComplete,
            bytes: local,
            sha256,
            checked: if md5.is_some() {
                Check::Md5
            } else {
                Check::Size
            },
            md5,
            resumed_from: 0,
            attempts: 0,
            notes: std::mem::take(notes),
        }))
    }

    fn bar(&self, dest: &Path) -> ProgressBar {
        if !self.settings.progress {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::new(0);
        if let Ok(style) = ProgressStyle::with_template(
            "{prefix} [{elapsed_precise}] {bar:30} {decimal_bytes}/{decimal_total_bytes} \
             {decimal_bytes_per_sec} {msg}",
        ) {
            bar.set_style(style);
        }
        // Long names (GTEx's are 70 characters) would push the bar past the terminal's width;
        // their end (version, extension) tells them apart.
        let name = file_name(dest);
        let chars: Vec<char> = name.chars().collect();
        let shown = if chars.len() > 32 {
            let tail: String = chars[chars.len() - 31..].iter().collect();
            format!("…{tail}")
        } else {
            name
        };
        bar.set_prefix(shown);
        bar
    }

    /// Records a note and prints it (above the progress bar) unless notes are off.
    fn note(&self, bar: &ProgressBar, notes: &mut Vec<String>, note: String) {
        if self.settings.notes {
            bar.suspend(|| eprintln!("note: {note}"));
        }
        notes.push(note);
    }

    fn note_plain(&self, notes: &mut Vec<String>, note: String) {
        if self.settings.notes {
            eprintln!("note: {note}");
        }
        notes.push(note);
    }
}

/// The partial file of a download: `<dest>.partial`.
pub fn partial_path(dest: &Path) -> PathBuf {
    let mut name = dest.as_os_str().to_os_string();
    name.push(".partial");
    PathBuf::from(name)
}

/// A `.partial` file being appended to.
struct Transfer {
    path: PathBuf,
    file: File,
    len: u64,
    /// The file's first bytes (up to [`PROBE`]), to judge its content.
    head: Vec<u8>,
}

impl Transfer {
    fn open(path: &Path) -> Result<Self, FetchError> {
        let mut file = OpenOptions::new()
            .create(true)
            .read(true)
            .write(true)
            .truncate(false)
            .open(path)
            .map_err(|e| FetchError::io(path, e))?;
        let mut head = Vec::new();
        (&mut file)
            .take(PROBE as u64)
            .read_to_end(&mut head)
            .map_err(|e| FetchError::io(path, e))?;
        let len = file
            .seek(SeekFrom::End(0))
            .map_err(|e| FetchError::io(path, e))?;
        Ok(Self {
            path: path.to_path_buf(),
            file,
            len,
            head,
        })
    }

    fn write(&mut self, bytes: &[u8]) -> Result<(), FetchError> {
        self.file
            .write_all(bytes)
            .map_err(|e| FetchError::io(&self.path, e))?;
        self.len += bytes.len() as u64;
        let room = PROBE.saturating_sub(self.head.len());
        self.head.extend_from_slice(&bytes[..bytes.len().min(room)]);
        Ok(())
    }

    /// Empties the file (the server restarts from byte 0).
    fn reset(&mut self) -> Result<(), FetchError> {
        self.file
            .set_len(0)
            .and_then(|()| self.file.seek(SeekFrom::Start(0)).map(|_| ()))
            .map_err(|e| FetchError::io(&self.path, e))?;
        self.len = 0;
        self.head.clear();
        Ok(())
    }

    /// Removes the file if nothing was written to it (a failure before any data arrived leaves
    /// no empty `.partial` behind).
    fn discard_if_empty(&self) {
        if self.len == 0 {
            let _ = std::fs::remove_file(&self.path);
        }
    }

    /// Flushes the file to disk; returns its length and first bytes.
    fn finish(self) -> Result<(u64, Vec<u8>), FetchError> {
        self.file
            .sync_all()
            .map_err(|e| FetchError::io(&self.path, e))?;
        Ok((self.len, self.head))
    }
}

/// The first bytes (up to [`PROBE`]) of a file.
fn read_head(path: &Path) -> Result<Vec<u8>, FetchError> {
    let file = File::open(path).map_err(|e| FetchError::io(path, e))?;
    let mut head = Vec::new();
    file.take(PROBE as u64)
        .read_to_end(&mut head)
        .map_err(|e| FetchError::io(path, e))?;
    Ok(head)
}

/// Whether a read failed because the server sent nothing for the timeout (ureq reports it as an
/// I/O error wrapping its own timeout error).
fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
    ) || e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<ureq::Error>())
        .is_some_and(|inner| matches!(inner, ureq::Error::Timeout(_)))
}

/// The hashes of a file.
struct Hashes {
    sha256: String,
    md5: Option<String>,
}

/// SHA-256 (and MD5 when asked) of the file as it is on disk: what gets renamed into place is
/// exactly what was checked.
fn hash_file(path: &Path, with_md5: bool, bar: &ProgressBar) -> Result<Hashes, FetchError> {
    let mut file = File::open(path).map_err(|e| FetchError::io(path, e))?;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    bar.reset();
    bar.set_length(len);
    let mut sha = Sha256::new();
    let mut md5 = with_md5.then(Md5::new);
    let mut buf = vec![0u8; CHUNK];
    let mut done = 0u64;
    loop {
        let n = match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(FetchError::io(path, e)),
        };
        sha.update(&buf[..n]);
        if let Some(m) = md5.as_mut() {
            m.update(&buf[..n]);
        }
        done += n as u64;
        bar.set_position(done);
    }
    Ok(Hashes {
        sha256: hex(&sha.finalize()),
        md5: md5.map(|m| hex(&m.finalize())),
    })
}

/// Lower-case hex of a digest.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Maps a ureq error of a request (before any answer) to a failure: the server cannot be
/// reached (fatal on the first contact, retried once the server has answered in this run), or a
/// transient error. `timeout` is the limit in force, for the message.
fn classify(url: &str, err: ureq::Error, reached: bool, timeout: Duration) -> Failure {
    let unreachable = |reason: String| {
        let e = FetchError::Unreachable {
            host: host(url).to_string(),
            reason,
        };
        if reached {
            Failure::Retry {
                reason: e.to_string(),
                immediate: false,
                answered: false,
            }
        } else {
            Failure::Fatal(e)
        }
    };
    let seconds = timeout.as_secs_f64();
    match err {
        ureq::Error::HostNotFound => unreachable("host not found".to_string()),
        ureq::Error::ConnectionFailed => unreachable("the connection failed".to_string()),
        ureq::Error::Timeout(Timeout::Connect | Timeout::Resolve) => {
            unreachable(format!("no connection within {seconds} s (--timeout)"))
        }
        ureq::Error::Timeout(_) => Failure::Retry {
            reason: format!("nothing within {seconds} s (--timeout)"),
            immediate: false,
            answered: false,
        },
        ureq::Error::Io(e) if is_timeout(&e) => Failure::Retry {
            reason: format!("nothing within {seconds} s (--timeout)"),
            immediate: false,
            answered: false,
        },
        e @ ureq::Error::Protocol(_) => Failure::Retry {
            reason: e.to_string(),
            immediate: false,
            answered: true,
        },
        ureq::Error::Io(e) if !reached && lookup_fails(url) => unreachable(plain_io_message(&e)),
        ureq::Error::Io(e)
            if matches!(
                e.kind(),
                io::ErrorKind::ConnectionRefused
                    | io::ErrorKind::NetworkUnreachable
                    | io::ErrorKind::HostUnreachable
                    | io::ErrorKind::NetworkDown
                    | io::ErrorKind::AddrNotAvailable
                    | io::ErrorKind::PermissionDenied
            ) =>
        {
            unreachable(plain_io_message(&e))
        }
        e @ (ureq::Error::Io(_) | ureq::Error::BodyStalled) => Failure::Retry {
            reason: e.to_string(),
            immediate: false,
            answered: false,
        },
        ureq::Error::TooManyRedirects => Failure::Fatal(FetchError::Protocol {
            url: url.to_string(),
            reason: format!(
                "more than {MAX_REDIRECTS} redirects (a redirect loop?); check the URL, or give \
                 the file's final location with --base-url"
            ),
        }),
        ureq::Error::Tls(e) => Failure::Fatal(FetchError::Protocol {
            url: url.to_string(),
            reason: format!("TLS failed: {e}"),
        }),
        ureq::Error::Rustls(e) => Failure::Fatal(FetchError::Protocol {
            url: url.to_string(),
            reason: format!("TLS failed: {e}"),
        }),
        e => Failure::Fatal(FetchError::Protocol {
            url: url.to_string(),
            reason: e.to_string(),
        }),
    }
}

/// Whether the URL's host name cannot be resolved. ureq reports a failed lookup as a plain I/O
/// error, indistinguishable by kind from a broken transfer; asking the resolver again tells them
/// apart (only after a failure, so it costs nothing when all is well).
fn lookup_fails(url: &str) -> bool {
    let authority = host(url);
    let with_port = if authority
        .rsplit_once(':')
        .is_some_and(|(_, p)| p.parse::<u16>().is_ok())
        && !authority.ends_with(']')
    {
        authority.to_string()
    } else if url.starts_with("https://") {
        format!("{authority}:443")
    } else {
        format!("{authority}:80")
    };
    std::net::ToSocketAddrs::to_socket_addrs(&with_port).is_err()
}

/// An I/O error's message without the `(os error N)` suffix.
fn plain_io_message(e: &io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_lowercase(),
        None => s,
    }
}

/// `host[:port]` of a URL.
pub fn host(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    authority.rsplit('@').next().unwrap_or(authority)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn with_separator(hint: &str) -> String {
    if hint.is_empty() {
        String::new()
    } else {
        format!("; {hint}")
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn content_length(headers: &HeaderMap) -> Option<u64> {
    header(headers, "content-length").and_then(|v| v.trim().parse().ok())
}

/// A `Content-Range: bytes START-END/TOTAL` of a 206 answer (`TOTAL` may be `*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ContentRange {
    start: u64,
    total: Option<u64>,
}

fn parse_content_range(value: &str) -> Option<ContentRange> {
    let rest = value.trim().strip_prefix("bytes")?.trim_start();
    let (range, total) = rest.split_once('/')?;
    let (start, end) = range.trim().split_once('-')?;
    let start: u64 = start.trim().parse().ok()?;
    let end: u64 = end.trim().parse().ok()?;
    if end < start {
        return None;
    }
    let total = match total.trim() {
        "*" => None,
        t => {
            let t: u64 = t.parse().ok()?;
            if t <= end {
                return None;
            }
            Some(t)
        }
    };
    Some(ContentRange { start, total })
}

/// The total of a 416 answer's `Content-Range: bytes */TOTAL`.
fn unsatisfied_total(value: &str) -> Option<u64> {
    value
        .trim()
        .strip_prefix("bytes")?
        .trim_start()
        .strip_prefix("*/")?
        .trim()
        .parse()
        .ok()
}

/// The whole-object MD5 that Google Cloud Storage publishes in `x-goog-hash: crc32c=...,md5=...`
/// (base64). Ignored when the object is stored gzip-encoded and served decoded (GCS
/// "transcoding"): the hash is then that of the stored bytes, not of the bytes received.
fn published_md5(headers: &HeaderMap) -> Option<Published> {
    let transcoded = header(headers, "x-goog-stored-content-encoding")
        .is_some_and(|v| !v.trim().eq_ignore_ascii_case("identity"))
        && header(headers, "content-encoding").is_none();
    if transcoded {
        return None;
    }
    headers
        .get_all("x-goog-hash")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|part| part.trim().strip_prefix("md5="))
        .find_map(|b64| {
            base64::engine::general_purpose::STANDARD
                .decode(b64.trim())
                .ok()
        })
        .filter(|digest| digest.len() == 16)
        .map(|digest| Published {
            md5_hex: hex(&digest),
            origin: "x-goog-hash",
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ureq::http::HeaderValue;

    #[test]
    fn content_range_is_parsed_and_checked() {
        assert_eq!(
            parse_content_range("bytes 100-199/1000"),
            Some(ContentRange {
                start: 100,
                total: Some(1000)
            })
        );
        assert_eq!(
            parse_content_range("bytes 5-9/*"),
            Some(ContentRange {
                start: 5,
                total: None
            })
        );
        for bad in [
            "bytes 9-5/10",
            "bytes 0-9/9",
            "items 0-9/10",
            "bytes */10",
            "bytes x-9/10",
        ] {
            assert_eq!(parse_content_range(bad), None, "{bad}");
        }
        assert_eq!(unsatisfied_total("bytes */1234"), Some(1234));
        assert_eq!(unsatisfied_total("bytes 0-1/2"), None);
    }

    #[test]
    fn goog_hash_md5_is_decoded() {
        let mut h = HeaderMap::new();
        // md5("") = d41d8cd98f00b204e9800998ecf8427e, base64 1B2M2Y8AsgTpgAmY7PhCfg==
        h.append("x-goog-hash", HeaderValue::from_static("crc32c=AAAAAA=="));
        h.append(
            "x-goog-hash",
            HeaderValue::from_static("md5=1B2M2Y8AsgTpgAmY7PhCfg=="),
        );
        assert_eq!(
            published_md5(&h).map(|p| p.md5_hex),
            Some("d41d8cd98f00b204e9800998ecf8427e".to_string())
        );
        h.insert(
            "x-goog-stored-content-encoding",
            HeaderValue::from_static("gzip"),
        );
        assert_eq!(
            published_md5(&h),
            None,
            "transcoded objects are not checked"
        );
        let mut one = HeaderMap::new();
        one.insert(
            "x-goog-hash",
            HeaderValue::from_static("crc32c=AAAAAA==, md5=1B2M2Y8AsgTpgAmY7PhCfg=="),
        );
        assert!(published_md5(&one).is_some());
    }

    #[test]
    fn hosts_and_partial_names() {
        assert_eq!(
            host("https://duffel.rail.bio/recount3/human/x"),
            "duffel.rail.bio"
        );
        assert_eq!(host("http://127.0.0.1:8080"), "127.0.0.1:8080");
        assert_eq!(
            partial_path(Path::new("out/gtex/a.gct.gz")),
            PathBuf::from("out/gtex/a.gct.gz.partial")
        );
        assert_eq!(hex(&[0, 15, 255]), "000fff");
    }

    #[test]
    fn hashing_reads_the_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, b"abc").unwrap();
        let h = hash_file(&path, true, &ProgressBar::hidden()).unwrap();
        assert_eq!(
            h.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(h.md5.as_deref(), Some("900150983cd24fb0d6963f7d28e17f72"));
    }
}
