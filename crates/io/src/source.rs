//! Opening input files (plain or gzip, told apart by their first bytes) and reading them line by
//! line with the line number kept, so that every error can say where it happened.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use flate2::read::MultiGzDecoder;

use crate::error::{Error, ErrorKind, FileContext, Location, Result};

/// The two magic bytes that open every gzip member.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// True when the file starts with the gzip magic bytes (whatever its extension says).
pub fn is_gzip(path: &Path) -> Result<bool> {
    let mut file = File::open(path).map_err(|e| Error::io(path, Location::File, e))?;
    let mut magic = [0u8; 2];
    let mut read = 0;
    while read < 2 {
        match file.read(&mut magic[read..]) {
            Ok(0) => break,
            Ok(n) => read += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Error::io(path, Location::File, e)),
        }
    }
    Ok(read == 2 && magic == GZIP_MAGIC)
}

/// Opens a file for buffered reading, decompressing gzip (including multi-member bgzip) if the
/// content is gzip.
pub fn open(path: &Path) -> Result<Box<dyn BufRead + Send>> {
    let gz = is_gzip(path)?;
    let file = File::open(path).map_err(|e| Error::io(path, Location::File, e))?;
    const BUFFER: usize = 1 << 17;
    Ok(if gz {
        Box::new(BufReader::with_capacity(
            BUFFER,
            MultiGzDecoder::new(BufReader::with_capacity(BUFFER, file)),
        ))
    } else {
        Box::new(BufReader::with_capacity(BUFFER, file))
    })
}

/// Reads a text file line by line, counting lines (1-based) and turning I/O, gzip and UTF-8
/// failures into [`Error`]s that name the file and the line.
pub struct LineReader<R> {
    inner: R,
    context: FileContext,
    line: u64,
}

impl LineReader<Box<dyn BufRead + Send>> {
    /// Opens a path (plain or gzip).
    pub fn open(path: &Path) -> Result<Self> {
        Ok(Self::new(open(path)?, path))
    }
}

impl<R: BufRead> LineReader<R> {
    /// Wraps a reader; `path` is only used in error messages.
    pub fn new(inner: R, path: &Path) -> Self {
        Self {
            inner,
            context: FileContext::new(path),
            line: 0,
        }
    }

    /// Reads the next line into `buf` (cleared first, line ending removed). Returns `false` at the end.
    pub fn read_line(&mut self, buf: &mut String) -> Result<bool> {
        buf.clear();
        let mut bytes = std::mem::take(buf).into_bytes();
        let n = self
            .inner
            .read_until(b'\n', &mut bytes)
            .map_err(|e| Error::io(self.context.path(), Location::Line(self.line + 1), e))?;
        if n == 0 {
            *buf = String::from_utf8(bytes).unwrap_or_default();
            return Ok(false);
        }
        self.line += 1;
        while matches!(bytes.last(), Some(b'\n' | b'\r')) {
            bytes.pop();
        }
        *buf = String::from_utf8(bytes).map_err(|e| {
            self.context.at_line(
                self.line,
                ErrorKind::Malformed(format!(
                    "not valid UTF-8 text (byte {})",
                    e.utf8_error().valid_up_to()
                )),
            )
        })?;
        Ok(true)
    }
}

impl<R> LineReader<R> {
    /// Number of the line last returned (1-based; 0 before the first).
    pub fn line_number(&self) -> u64 {
        self.line
    }

    /// The file being read, for errors.
    pub fn context(&self) -> &FileContext {
        &self.context
    }

    /// An error at the line last returned.
    pub fn error(&self, kind: ErrorKind) -> Error {
        self.context.at_line(self.line, kind)
    }
}

/// Detects the field separator of a delimited text line: tab if present, else comma.
pub fn detect_delimiter(header: &str) -> char {
    if header.contains('\t') {
        '\t'
    } else if header.contains(',') {
        ','
    } else {
        '\t'
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn reads_plain_and_gzip_with_line_numbers() {
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("a.tsv");
        std::fs::write(&plain, "x\ty\r\nz\n").unwrap();
        let gz = dir.path().join("a.tsv.gz");
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(b"x\ty\nz\n").unwrap();
        std::fs::write(&gz, enc.finish().unwrap()).unwrap();
        for path in [&plain, &gz] {
            let mut r = LineReader::open(path).unwrap();
            let mut buf = String::new();
            assert!(r.read_line(&mut buf).unwrap());
            assert_eq!(buf, "x\ty");
            assert!(r.read_line(&mut buf).unwrap());
            assert_eq!((buf.as_str(), r.line_number()), ("z", 2));
            assert!(!r.read_line(&mut buf).unwrap());
        }
    }

    #[test]
    fn truncated_gzip_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let gz = dir.path().join("cut.tsv.gz");
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        for i in 0..5000 {
            writeln!(enc, "gene{i}\t{i}\t{}", i * 7).unwrap();
        }
        let bytes = enc.finish().unwrap();
        std::fs::write(&gz, &bytes[..bytes.len() / 2]).unwrap();
        let mut r = LineReader::open(&gz).unwrap();
        let mut buf = String::new();
        let err = loop {
            match r.read_line(&mut buf) {
                Ok(true) => continue,
                Ok(false) => panic!("a truncated stream must not end cleanly"),
                Err(e) => break e,
            }
        };
        assert!(matches!(err.kind, ErrorKind::TruncatedGzip(_)), "{err}");
        assert!(err.to_string().contains("cut.tsv.gz"), "{err}");
    }
}
