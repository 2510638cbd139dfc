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
        }
    }

    /// Judges the first bytes of a file that an HTTP answer with `content_type` brought: as
    /// [`Content::judge`], except that a text table served as a web page is one (its bytes alone
    /// could pass for text). A binary file whose bytes are right is taken whatever its label
    /// says: the label of a stored object is only what its uploader set.
    pub fn judge_answer(self, head: &[u8], complete: bool, content_type: Option<&str>) -> Verdict {
        if self == Self::Tsv && content_type.is_some_and(is_web_page) {
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
        }
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
