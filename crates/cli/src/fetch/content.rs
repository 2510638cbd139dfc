//! What a downloaded file must look like, judged from its first bytes before it is renamed into
//! place: an "Access Denied" page, a login wall, an error document or random bytes answered with
//! `200 OK` must never take the name of the data. When the content is wrong, [`describe`] says
//! what came back instead, so that the message tells the user what the server sent.

/// How many leading bytes of a file are kept to judge it (enough for a text table's first line).
pub const PROBE: usize = 64 * 1024;

/// The two bytes that open every gzip member.
const GZIP_MAGIC: &[u8] = &[0x1f, 0x8b];

/// The signature that opens an HDF5 file written without a user block (as ARCHS4's are, and as
/// rnameta's HDF5 reader requires).
const HDF5_SIGNATURE: &[u8] = b"\x89HDF\r\n\x1a\n";

/// The 16 bytes that open every SQLite 3 database file (the "magic header string" of SQLite's
/// file format), as MetaSRA's `.sqlite` release file is.
const SQLITE_SIGNATURE: &[u8] = b"SQLite format 3\0";

/// The tag an OBO file's header opens with (`format-version: 1.2`), after blank and `!` comment
/// lines: the first header tag of every OBO 1.2 / 1.4 file UBERON publishes.
const OBO_FIRST_TAG: &[u8] = b"format-version:";

/// The kind of content a file of the catalogue holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Content {
    /// gzip-compressed (recount3's tables and GTF, GTEx's `.gct.gz`): starts with `1f 8b`.
    Gzip,
    /// HDF5 (ARCHS4's `.h5`): starts with the HDF5 signature `\x89HDF\r\n\x1a\n`.
    Hdf5,
    /// Tab-separated text (GTEx's annotation `.txt` tables): no NUL byte, no markup, and a tab in
    /// the first line.
    Tsv,
    /// JSON (MetaSRA's release `.json`): `{` or `[` after leading white space, or gzip (rnameta's
    /// MetaSRA reader reads both, so a mirror that stores the file compressed is fine).
    Json,
    /// An OBO ontology (UBERON's `basic.obo`): after blank and `!` comment lines, the header's
    /// `format-version:` tag; or gzip (rnameta's OBO reader reads both).
    Obo,
    /// An SQLite 3 database (MetaSRA's release `.sqlite`): starts with `SQLite format 3\0`.
    Sqlite,
    /// recount3's `homes_index`: plain text, one project home per line (`data_sources/sra`,
    /// `collections/ccle`), as the R package's `project_homes()` reads it with `readLines()`.
    /// Judged on its first line that is not blank: `<type>/<name>`, each part made of letters,
    /// digits, `_`, `-` and `.` (the homes rnameta's own reader accepts).
    HomesIndex,
}

/// What the first bytes of a file say about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// They are what the file should start with.
    Fits,
    /// Too few bytes yet to tell.
    Unsure,
    /// They are not: the file is something else.
    Wrong,
}

impl Content {
    /// The kind, for messages: `a gzip file`, `an HDF5 file`, `a tab-separated text file`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Gzip => "a gzip file",
            Self::Hdf5 => "an HDF5 file",
            Self::Tsv => "a tab-separated text file",
            Self::Json => "a JSON file",
            Self::Obo => "an OBO file",
            Self::Sqlite => "an SQLite database",
            Self::HomesIndex => "a list of project homes, one per line such as data_sources/sra",
        }
    }

    /// Judges the first bytes of a file that an HTTP answer with `content_type` brought: as
    /// [`Content::judge`], except that a text table served as a web page is one (its bytes alone
    /// could pass for text). A file whose bytes are right is otherwise taken whatever its label
    /// says: the label of a stored object is only what its uploader set, and a JSON or OBO file's
    /// opening (`{`, `format-version:`) is never a web page's.
    pub fn judge_answer(self, head: &[u8], complete: bool, content_type: Option<&str>) -> Verdict {
        if matches!(self, Self::Tsv | Self::HomesIndex) && content_type.is_some_and(is_web_page) {
            return Verdict::Wrong;
        }
        self.judge(head, complete)
    }

    /// Judges the first bytes of a file (`head`: up to [`PROBE`] of them; `complete` when they
    /// are the whole file, so that no more will come).
    pub fn judge(self, head: &[u8], complete: bool) -> Verdict {
        match self {
            Self::Gzip => starts_with(head, GZIP_MAGIC, complete),
            Self::Hdf5 => starts_with(head, HDF5_SIGNATURE, complete),
            Self::Tsv => judge_tsv(head, complete),
            Self::Json => judge_json(head, complete),
            Self::Obo => judge_obo(head, complete),
            Self::Sqlite => starts_with(head, SQLITE_SIGNATURE, complete),
            Self::HomesIndex => judge_homes_index(head, complete),
        }
    }
}

/// A `homes_index`: its first line that is not blank is a project home (see
/// [`Content::HomesIndex`]); unsure while that line may still become one.
fn judge_homes_index(head: &[u8], complete: bool) -> Verdict {
    if head.contains(&0) || head.starts_with(GZIP_MAGIC) {
        return Verdict::Wrong;
    }
    let start = head
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(head.len());
    let rest = &head[start..];
    let end = rest
        .iter()
        .position(|&b| b == b'\n' || b == b'\r')
        .unwrap_or(rest.len());
    let (line, ended) = (&rest[..end], end < rest.len() || complete);
    let is_name = |part: &[u8]| {
        part.iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
    };
    let parts: Vec<&[u8]> = line.split(|&b| b == b'/').collect();
    let could_be = parts.len() <= 2 && parts.iter().all(|p| is_name(p));
    if !could_be {
        Verdict::Wrong
    } else if ended {
        let home = parts.len() == 2 && parts.iter().all(|p| !p.is_empty());
        if home {
            Verdict::Fits
        } else {
            Verdict::Wrong
        }
    } else if head.len() >= PROBE {
        Verdict::Wrong
    } else {
        Verdict::Unsure
    }
}

/// Whether `head` opens with `magic` (unsure while it is a shorter prefix of it).
fn starts_with(head: &[u8], magic: &[u8], complete: bool) -> Verdict {
    if head.len() >= magic.len() {
        if head.starts_with(magic) {
            Verdict::Fits
        } else {
            Verdict::Wrong
        }
    } else if !complete && magic.starts_with(head) {
        Verdict::Unsure
    } else {
        Verdict::Wrong
    }
}

fn judge_tsv(head: &[u8], complete: bool) -> Verdict {
    let Some(first) = first_visible(head) else {
        return if complete || head.len() >= PROBE {
            Verdict::Wrong
        } else {
            Verdict::Unsure
        };
    };
    if first == b'<' || head.contains(&0) || head.starts_with(GZIP_MAGIC) {
        return Verdict::Wrong;
    }
    match head.iter().position(|&b| b == b'\n') {
        Some(end) if head[..end].contains(&b'\t') => Verdict::Fits,
        Some(_) => Verdict::Wrong,
        None if complete || head.len() >= PROBE => {
            if complete && head.contains(&b'\t') {
                Verdict::Fits
            } else {
                Verdict::Wrong
            }
        }
        None => Verdict::Unsure,
    }
}

/// Whether `head` opens a gzip member, [`Verdict::Unsure`] while it is too short to tell (the
/// text kinds accept gzip too, since rnameta's readers of them do).
fn gzip_start(head: &[u8], complete: bool) -> Option<Verdict> {
    match head {
        [0x1f, 0x8b, ..] => Some(Verdict::Fits),
        [0x1f] if !complete => Some(Verdict::Unsure),
        _ => None,
    }
}

/// JSON: `{` (MetaSRA's release is one object keyed by sample) or `[` after leading white space;
/// or gzip. An HTML or XML page (`<`), a plain-text message or binary bytes are not.
fn judge_json(head: &[u8], complete: bool) -> Verdict {
    if let Some(verdict) = gzip_start(head, complete) {
        return verdict;
    }
    match first_visible(head) {
        Some(b'{' | b'[') => Verdict::Fits,
        Some(_) => Verdict::Wrong,
        None if complete || head.len() >= PROBE => Verdict::Wrong,
        None => Verdict::Unsure,
    }
}

/// OBO: the first line that is neither blank nor a `!` comment starts with `format-version:`
/// (leading white space allowed); or gzip.
fn judge_obo(head: &[u8], complete: bool) -> Verdict {
    if let Some(verdict) = gzip_start(head, complete) {
        return verdict;
    }
    let mut rest = head;
    loop {
        let start = rest
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(rest.len());
        rest = &rest[start..];
        if rest.is_empty() {
            return if complete || head.len() >= PROBE {
                Verdict::Wrong
            } else {
                Verdict::Unsure
            };
        }
        if rest[0] != b'!' {
            break;
        }
        match rest.iter().position(|&b| b == b'\n') {
            Some(end) => rest = &rest[end + 1..],
            None if complete || head.len() >= PROBE => return Verdict::Wrong,
            None => return Verdict::Unsure,
        }
    }
    if rest.starts_with(OBO_FIRST_TAG) {
        Verdict::Fits
    } else if !complete && head.len() < PROBE && OBO_FIRST_TAG.starts_with(rest) {
        Verdict::Unsure
    } else {
        Verdict::Wrong
    }
}

/// The first byte that is not ASCII white space.
fn first_visible(head: &[u8]) -> Option<u8> {
    head.iter().copied().find(|b| !b.is_ascii_whitespace())
}

/// The media type of a `Content-Type` value, lower case, without parameters
/// (`text/html; charset=utf-8` -> `text/html`).
fn media_type(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// Whether a `Content-Type` announces a web page, which no file of the catalogue ever is.
pub fn is_web_page(content_type: &str) -> bool {
    matches!(
        media_type(content_type).as_str(),
        "text/html" | "application/xhtml+xml"
    )
}

/// What a file is, from its first bytes and the response's `Content-Type`, for the message that
/// refuses it: `an HTML page of 39 bytes, starting '<html>Access Denied'`,
/// `7000 bytes of binary data, starting with bytes 8f 3a ...`. `size` is the whole file's
/// size when known.
pub fn describe(head: &[u8], size: Option<u64>, content_type: Option<&str>) -> String {
    let of_size = size.map_or(String::new(), |n| format!(" of {n} bytes"));
    let media = content_type.map(media_type).unwrap_or_default();
    let lower: Vec<u8> = head
        .iter()
        .skip_while(|b| b.is_ascii_whitespace())
        .take(16)
        .map(u8::to_ascii_lowercase)
        .collect();
    if head.starts_with(GZIP_MAGIC) {
        return format!("a gzip file{of_size}");
    }
    if head.starts_with(HDF5_SIGNATURE) {
        return format!("an HDF5 file{of_size}");
    }
    if head.starts_with(SQLITE_SIGNATURE) {
        return format!("an SQLite database{of_size}");
    }
    let kind = if content_type.is_some_and(is_web_page) {
        "an HTML page"
    } else if lower.starts_with(b"<?xml") || media.ends_with("/xml") || media.ends_with("+xml") {
        "an XML document"
    } else if lower.starts_with(b"<") {
        "an HTML page"
    } else if is_text(head) {
        "text"
    } else {
        return match size {
            Some(n) => format!(
                "{n} bytes of binary data, starting with bytes {}",
                hex_start(head)
            ),
            None => format!("binary data, starting with bytes {}", hex_start(head)),
        };
    };
    if head.is_empty() {
        return format!("{kind}{of_size}, empty");
    }
    format!("{kind}{of_size}, starting '{}'", text_start(head))
}

/// Whether `head` reads as text: UTF-8 (possibly cut inside its last character) without control
/// characters other than tab, line feed and carriage return.
fn is_text(head: &[u8]) -> bool {
    let valid = match std::str::from_utf8(head) {
        Ok(s) => s,
        // A character cut by the end of the probe is still text.
        Err(e) if e.error_len().is_none() => {
            std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or("")
        }
        Err(_) => return false,
    };
    valid
        .chars()
        .all(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r'))
}

/// The first 60 characters of a text, white space runs shown as one space.
fn text_start(head: &[u8]) -> String {
    let text = String::from_utf8_lossy(&head[..head.len().min(1024)]);
    let words: Vec<&str> = text.split_whitespace().collect();
    words.join(" ").chars().take(60).collect()
}

/// The first 8 bytes in hex.
fn hex_start(head: &[u8]) -> String {
    let bytes: Vec<String> = head.iter().take(8).map(|b| format!("{b:02x}")).collect();
    bytes.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_bytes_decide_gzip_and_hdf5() {
        assert_eq!(
            Content::Gzip.judge(&[0x1f, 0x8b, 8, 0], false),
            Verdict::Fits
        );
        assert_eq!(Content::Gzip.judge(&[0x1f], false), Verdict::Unsure);
        assert_eq!(Content::Gzip.judge(&[0x1f], true), Verdict::Wrong);
        assert_eq!(Content::Gzip.judge(b"<html>", false), Verdict::Wrong);
        assert_eq!(Content::Gzip.judge(b"", true), Verdict::Wrong);
        assert_eq!(
            Content::Hdf5.judge(b"\x89HDF\r\n\x1a\n\0\0", false),
            Verdict::Fits
        );
        assert_eq!(Content::Hdf5.judge(b"\x89HD", false), Verdict::Unsure);
        assert_eq!(
            Content::Hdf5.judge(&[0x1f, 0x8b, 8, 0], false),
            Verdict::Wrong
        );
    }

    #[test]
    fn a_tsv_is_text_with_a_tab_in_its_first_line() {
        assert_eq!(
            Content::Tsv.judge(b"SAMPID\tSMTS\nA\tLung\n", false),
            Verdict::Fits
        );
        assert_eq!(Content::Tsv.judge(b"SAMPID\tSM", false), Verdict::Unsure);
        assert_eq!(Content::Tsv.judge(b"SAMPID\tSMTS", true), Verdict::Fits);
        assert_eq!(
            Content::Tsv.judge(b"Access Denied\n", false),
            Verdict::Wrong
        );
        assert_eq!(Content::Tsv.judge(b"  <html>", false), Verdict::Wrong);
        assert_eq!(Content::Tsv.judge(b"a\t\0b\n", false), Verdict::Wrong);
        assert_eq!(
            Content::Tsv.judge(&[0x1f, 0x8b, b'\t'], false),
            Verdict::Wrong
        );
        assert_eq!(Content::Tsv.judge(b"   ", false), Verdict::Unsure);
        assert_eq!(Content::Tsv.judge(b"", true), Verdict::Wrong);
        assert_eq!(
            Content::Tsv.judge(&vec![b'a'; PROBE], false),
            Verdict::Wrong
        );
    }

    #[test]
    fn json_opens_with_a_brace_or_a_bracket_or_is_gzip() {
        assert_eq!(
            Content::Json.judge(b"{\n  \"SRS1127403\": {", false),
            Verdict::Fits
        );
        assert_eq!(Content::Json.judge(b" \r\n\t[1, 2]", true), Verdict::Fits);
        assert_eq!(
            Content::Json.judge(&[0x1f, 0x8b, 8, 0], false),
            Verdict::Fits
        );
        assert_eq!(Content::Json.judge(&[0x1f], false), Verdict::Unsure);
        assert_eq!(Content::Json.judge(&[0x1f], true), Verdict::Wrong);
        assert_eq!(Content::Json.judge(b"   ", false), Verdict::Unsure);
        assert_eq!(Content::Json.judge(b"   ", true), Verdict::Wrong);
        assert_eq!(
            Content::Json.judge(b"\n<!DOCTYPE html><html>", false),
            Verdict::Wrong
        );
        assert_eq!(
            Content::Json.judge(b"Internal Server Error", false),
            Verdict::Wrong
        );
        assert_eq!(
            Content::Json.judge(b"\xef\xbb\xbf{}", true),
            Verdict::Wrong,
            "a byte-order mark is not JSON (rnameta's reader refuses it too)"
        );
    }

    #[test]
    fn obo_opens_with_its_format_version_tag_or_is_gzip() {
        assert_eq!(
            Content::Obo.judge(b"format-version: 1.2\ndata-version: uberon", false),
            Verdict::Fits
        );
        assert_eq!(
            Content::Obo.judge(b"! UBERON basic\r\n\n  format-version: 1.4\r\n", true),
            Verdict::Fits
        );
        assert_eq!(Content::Obo.judge(b"format-ver", false), Verdict::Unsure);
        assert_eq!(Content::Obo.judge(b"format-ver", true), Verdict::Wrong);
        assert_eq!(
            Content::Obo.judge(b"! a comment not yet ended", false),
            Verdict::Unsure
        );
        assert_eq!(
            Content::Obo.judge(b"! a comment not yet ended", true),
            Verdict::Wrong
        );
        assert_eq!(
            Content::Obo.judge(&[0x1f, 0x8b, 8, 0], false),
            Verdict::Fits
        );
        assert_eq!(
            Content::Obo.judge(b"<html><body>Access Denied</body></html>", true),
            Verdict::Wrong
        );
        assert_eq!(
            Content::Obo.judge(b"[Term]\nid: UBERON:0000002\n", false),
            Verdict::Wrong,
            "a stanza before the header is not an OBO file's start"
        );
        assert_eq!(Content::Obo.judge(b"", true), Verdict::Wrong);
        let comments = b"! x\n".repeat(PROBE / 4);
        assert_eq!(Content::Obo.judge(&comments, false), Verdict::Wrong);
    }

    #[test]
    fn sqlite_opens_with_its_magic_header_string() {
        assert_eq!(
            Content::Sqlite.judge(b"SQLite format 3\0\x10\0", false),
            Verdict::Fits
        );
        assert_eq!(Content::Sqlite.judge(b"SQLite for", false), Verdict::Unsure);
        assert_eq!(
            Content::Sqlite.judge(b"<html>Not Found</html>", false),
            Verdict::Wrong
        );
        assert_eq!(
            describe(b"SQLite format 3\0\x10\0", Some(4096), None),
            "an SQLite database of 4096 bytes"
        );
    }

    #[test]
    fn a_homes_index_opens_with_a_project_home() {
        let index = b"data_sources/sra\ndata_sources/gtex\ncollections/ccle\n";
        assert_eq!(Content::HomesIndex.judge(index, true), Verdict::Fits);
        assert_eq!(Content::HomesIndex.judge(index, false), Verdict::Fits);
        assert_eq!(
            Content::HomesIndex.judge(b"\r\n data_sources/sra\r\n", true),
            Verdict::Fits
        );
        assert_eq!(
            Content::HomesIndex.judge(b"data_sources/sra", true),
            Verdict::Fits,
            "a last line without a line feed"
        );
        assert_eq!(
            Content::HomesIndex.judge(b"data_sou", false),
            Verdict::Unsure
        );
        assert_eq!(Content::HomesIndex.judge(b"data_sou", true), Verdict::Wrong);
        assert_eq!(Content::HomesIndex.judge(b"", false), Verdict::Unsure);
        assert_eq!(Content::HomesIndex.judge(b"", true), Verdict::Wrong);
        for wrong in [
            &b"Access Denied\n"[..],
            b"<html><body>Access Denied</body></html>",
            b"data_sources/sra/extra\n",
            b"data_sources\n",
            b"/sra\n",
            b"\x1f\x8b\x08\x00",
            b"data_sources/sra\0\n",
        ] {
            assert_eq!(
                Content::HomesIndex.judge(wrong, true),
                Verdict::Wrong,
                "{:?}",
                String::from_utf8_lossy(wrong)
            );
        }
        assert_eq!(
            Content::HomesIndex.judge(&vec![b'a'; PROBE], false),
            Verdict::Wrong
        );
        assert_eq!(
            Content::HomesIndex.judge_answer(index, true, Some("text/html")),
            Verdict::Wrong,
            "a page labelled as HTML is no homes index"
        );
        assert_eq!(
            Content::HomesIndex.judge_answer(index, true, Some("text/plain")),
            Verdict::Fits
        );
    }

    #[test]
    fn a_web_page_label_condemns_a_text_table_only() {
        let table = b"SAMPID\tSMTS\n";
        assert_eq!(
            Content::Tsv.judge_answer(table, true, Some("text/plain")),
            Verdict::Fits
        );
        assert_eq!(
            Content::Tsv.judge_answer(table, true, Some("text/html; charset=UTF-8")),
            Verdict::Wrong
        );
        let gzip = [0x1f, 0x8b, 8, 0];
        assert_eq!(
            Content::Gzip.judge_answer(&gzip, false, Some("text/html")),
            Verdict::Fits,
            "a mislabelled gzip file is still the file"
        );
        assert_eq!(
            Content::Obo.judge_answer(b"format-version: 1.2\n", true, Some("text/html")),
            Verdict::Fits,
            "an OBO header is no web page, whatever the label"
        );
        assert_eq!(
            Content::Json.judge_answer(b"<html>", true, Some("application/json")),
            Verdict::Wrong,
            "nor is a web page JSON, whatever the label"
        );
    }

    #[test]
    fn descriptions_say_what_came_back() {
        let page = b"<html><body>Access Denied</body></html>";
        assert_eq!(
            describe(page, Some(39), Some("text/html; charset=utf-8")),
            "an HTML page of 39 bytes, starting '<html><body>Access Denied</body></html>'"
        );
        assert_eq!(
            describe(b"<?xml version='1.0'?><Error>", None, None),
            "an XML document, starting '<?xml version='1.0'?><Error>'"
        );
        assert_eq!(
            describe(b"Access\n\n  Denied", Some(16), Some("text/plain")),
            "text of 16 bytes, starting 'Access Denied'"
        );
        assert_eq!(
            describe(&[0x8f, 0x3a, 0, 200, 1, 2, 3, 4, 5], Some(7000), None),
            "7000 bytes of binary data, starting with bytes 8f 3a 00 c8 01 02 03 04"
        );
        assert_eq!(
            describe(&[0x8f, 0x3a], None, None),
            "binary data, starting with bytes 8f 3a"
        );
        assert_eq!(
            describe(&[0x1f, 0x8b, 8], Some(5), None),
            "a gzip file of 5 bytes"
        );
        assert_eq!(
            describe(b"", Some(0), Some("text/html")),
            "an HTML page of 0 bytes, empty"
        );
        let long = "x".repeat(100);
        assert_eq!(
            describe(long.as_bytes(), None, None),
            format!("text, starting '{}'", &long[..60])
        );
    }
}
