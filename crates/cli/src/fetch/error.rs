//! What can go wrong while fetching a file, each case with the URL or path it concerns, so that
//! the one line the command prints says what failed and what to do about it.

use std::path::PathBuf;

use thiserror::Error;

/// A failed fetch of one file.
#[derive(Debug, Error)]
pub enum FetchError {
    /// The server could not be reached at all: name resolution failed, the connection was
    /// refused or timed out. Usually no network (or a proxy is needed); never retried, because
    /// every other file on the same host would fail the same way.
    #[error("cannot reach {host}: {reason} (no network?)")]
    Unreachable {
        /// `host[:port]` of the URL.
        host: String,
        /// What the connection attempt reported.
        reason: String,
    },
    /// The server answered 404 or 410: the file does not exist there (a project id that is not
    /// in recount3, an ARCHS4 version that was never released, a mirror missing a file).
    #[error("not found (HTTP {status}): {url}{hint}")]
    NotFound {
        /// The URL asked for.
        url: String,
        /// 404 or 410.
        status: u16,
        /// What the file is and what to check (empty or starting with "; ").
        hint: String,
    },
    /// Another HTTP status that retrying will not fix (401, 403, 400, ...).
    #[error("HTTP {status} for {url}{hint}")]
    Status {
        /// The URL asked for.
        url: String,
        /// The status code.
        status: u16,
        /// What the file is and what to check (empty or starting with "; ").
        hint: String,
    },
    /// Transient failures (dropped connections, timeouts, 5xx) went on past the retries.
    #[error(
        "{url}: gave up after {attempts} {noun}: {reason}{kept}",
        noun = if *.attempts == 1 { "attempt" } else { "attempts" }
    )]
    GaveUp {
        /// The URL asked for.
        url: String,
        /// Requests made.
        attempts: u32,
        /// The last failure.
        reason: String,
        /// What stays for the next run ("; N bytes are kept in F.partial ..."), or empty.
        kept: String,
    },
    /// The server accepted the connection but answered none of the requests within the timeout
    /// (or broke them off before any answer). Every other file on the same server would wait the
    /// same way, so the command stops.
    #[error(
        "{url}: no answer from {host} in {attempts} {noun}: {reason}; check that the server is \
         up (or try again later), or wait longer with --timeout{kept}",
        noun = if *.attempts == 1 { "attempt" } else { "attempts" }
    )]
    NoAnswer {
        /// The URL asked for.
        url: String,
        /// `host[:port]` of the URL.
        host: String,
        /// Requests made.
        attempts: u32,
        /// The last failure ("nothing within 60 s (--timeout)").
        reason: String,
        /// What stays for the next run ("; N bytes are kept in F.partial ..."), or empty.
        kept: String,
    },
    /// The server answered with something other than the file: an HTML page ("Access Denied", a
    /// login wall), an error document, random bytes. Nothing of it is kept. The command stops:
    /// whatever sits between rnameta and the data (a proxy, a wrong `--base-url`, an access rule)
    /// would answer every other file the same way.
    #[error(
        "{url}: the server sent {got} instead of the {what} ({expected}); nothing was kept. \
         Check that the URL gives the file (no access rule, login page or proxy in the way), try \
         again later, or fetch from another mirror with --base-url"
    )]
    WrongContent {
        /// The URL asked for.
        url: String,
        /// What the file is ("GTEx v8 gene read counts").
        what: String,
        /// What it should hold ("a gzip file").
        expected: &'static str,
        /// What came back (`"an HTML page of 39 bytes, starting '<html>Access Denied'"`).
        got: String,
    },
    /// A file already in place is not what its name says (an HTML page saved by an older
    /// version, say). Left as it is: it is the user's file; they decide.
    #[error(
        "{path}: holds {got}, not {expected}: it is not the {what} from {url}; delete it and run \
         again to download it"
    )]
    ExistingWrongContent {
        /// The file in place.
        path: PathBuf,
        /// Its URL.
        url: String,
        /// What the file is ("GTEx v8 gene read counts").
        what: String,
        /// What it should hold ("a gzip file").
        expected: &'static str,
        /// What it holds.
        got: String,
    },
    /// The server broke the protocol in a way that makes the transfer unsafe to continue (a
    /// response larger than it announced, an unparsable `Content-Range`).
    #[error("{url}: {reason}")]
    Protocol {
        /// The URL asked for.
        url: String,
        /// What was wrong.
        reason: String,
    },
    /// The file's MD5 differs from the one the server publishes: the download is corrupt. The
    /// bad file is removed, never renamed into place.
    #[error(
        "{url}: checksum mismatch: the server publishes md5 {expected} ({origin}) but the \
         {bytes} bytes received have md5 {actual}; the bad download was removed, run again to \
         fetch it anew"
    )]
    ChecksumMismatch {
        /// The URL asked for.
        url: String,
        /// The published MD5 (hex).
        expected: String,
        /// The MD5 of what arrived (hex).
        actual: String,
        /// Where the published MD5 came from (`x-goog-hash`).
        origin: String,
        /// Size of what arrived.
        bytes: u64,
    },
    /// A file that is already in place has a different MD5 from the published one. Left as it
    /// is: it is the user's file; they decide.
    #[error(
        "{path}: md5 {actual} differs from the md5 {expected} the server publishes for {url}; \
         delete the file and run again to download it anew"
    )]
    ExistingCorrupt {
        /// The file in place.
        path: PathBuf,
        /// Its URL.
        url: String,
        /// The published MD5 (hex).
        expected: String,
        /// The file's MD5 (hex).
        actual: String,
    },
    /// A local file could not be created, written, read or renamed.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}

impl FetchError {
    /// An [`FetchError::Io`] for `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source,
        }
    }

    /// Whether every other file would fail the same way (no network, a server that does not
    /// answer or answers with something other than the data, a full or read-only disk), so the
    /// command stops instead of trying the rest.
    pub fn is_fatal_for_all(&self) -> bool {
        matches!(
            self,
            Self::Unreachable { .. }
                | Self::NoAnswer { .. }
                | Self::WrongContent { .. }
                | Self::Io { .. }
        )
    }
}
