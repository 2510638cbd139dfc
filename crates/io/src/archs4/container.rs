//! The HDF5 container under an ARCHS4 file: recognising it before the HDF5 library sees it (empty,
//! not HDF5, truncated), turning library errors into [`Error`]s that name the object, probing
//! which datasets exist, and reading whole datasets as text. Slices of variable-length strings are
//! [`heap`](super::heap)'s job.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use rust_hdf5::format::FormatContext;
use rust_hdf5::{H5Dataset, H5File, Hdf5Error};

use crate::error::{Error, ErrorKind, Location, Result};

/// The eight bytes that open an HDF5 superblock.
const SIGNATURE: [u8; 8] = [0x89, b'H', b'D', b'F', b'\r', b'\n', 0x1a, b'\n'];

/// Bytes read from the start of a file to find the superblock; a superblock after a user block
/// sits at 512, 1024, 2048, ... and the first of them is what matters in practice.
const PROBE_BYTES: usize = 4096;

/// How a file's HDF5 addresses are read, from its superblock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Addressing {
    /// Where the superblock starts (0, or after a user block): every HDF5 address counts from it.
    pub base: u64,
    /// Bytes of a file address ("size of offsets").
    pub sizeof_addr: u8,
    /// Bytes of an object length ("size of lengths").
    pub sizeof_size: u8,
}

impl Addressing {
    /// The sizes as rust-hdf5's decoders take them.
    pub(crate) fn context(self) -> FormatContext {
        FormatContext {
            sizeof_addr: self.sizeof_addr,
            sizeof_size: self.sizeof_size,
        }
    }

    /// Bytes of one variable-length reference in a dataset: length, collection address, index.
    pub fn reference_size(self) -> usize {
        4 + usize::from(self.sizeof_addr) + 4
    }
}

/// Checks that `path` is a complete HDF5 file, then opens it for reading; returns it with how its
/// addresses are read.
///
/// The checks run before the library so that the three commonest failures of a download (an
/// empty file, an HTML error page saved under the `.h5` name, a cut-off transfer) get their own
/// messages instead of a decoding error from deep inside the library.
pub(crate) fn open_checked(path: &Path) -> Result<(H5File, Addressing)> {
    let addressing = check_container(path)?;
    let file = H5File::open(path).map_err(|e| hdf5_error(path, Location::File, e))?;
    Ok((file, addressing))
}

/// Empty, not HDF5, or shorter than its superblock says: each is a typed error.
fn check_container(path: &Path) -> Result<Addressing> {
    let io_err = |e| Error::io(path, Location::File, e);
    let mut file = File::open(path).map_err(io_err)?;
    let file_len = file.metadata().map_err(io_err)?.len();
    if file_len == 0 {
        return Err(Error::file(path, ErrorKind::Empty));
    }
    let mut head = Vec::with_capacity(PROBE_BYTES);
    file.by_ref()
        .take(PROBE_BYTES as u64)
        .read_to_end(&mut head)
        .map_err(io_err)?;
    let Some(offset) = find_signature(&head) else {
        return Err(Error::file(
            path,
            ErrorKind::UnknownFormat(
                "no HDF5 signature at the start of the file: this is not an HDF5 file".into(),
            ),
        ));
    };
    let superblock = head.get(offset..).unwrap_or_default();
    let recorded = superblock_end_of_file(superblock).map(|eof| eof.saturating_add(offset as u64));
    match (recorded, superblock_sizes(superblock)) {
        (Some(eof), _) if eof > file_len => Err(Error::file(
            path,
            ErrorKind::Malformed(format!(
                "truncated HDF5 file: the superblock records {eof} bytes but the file has \
                 {file_len}; was the download interrupted?"
            )),
        )),
        (Some(_), Some((sizeof_addr, sizeof_size))) => Ok(Addressing {
            base: offset as u64,
            sizeof_addr,
            sizeof_size,
        }),
        _ => Err(Error::file(
            path,
            ErrorKind::Malformed(format!(
                "truncated or unreadable HDF5 superblock ({file_len} bytes in the file)"
            )),
        )),
    }
}

/// Where the HDF5 signature starts: offset 0, or after a user block of 512 * 2^k bytes.
fn find_signature(head: &[u8]) -> Option<usize> {
    let mut offset = 0usize;
    loop {
        let candidate = head.get(offset..offset.checked_add(SIGNATURE.len())?)?;
        if candidate == SIGNATURE {
            return Some(offset);
        }
        offset = if offset == 0 {
            512
        } else {
            offset.checked_mul(2)?
        };
    }
}

/// The end-of-file address a superblock records (relative to its base), for every superblock
/// version (0 and 1: the HDF5 1.6/1.8 C library default; 2 and 3: newer files and rust-hdf5).
/// `None` when the bytes stop before the field.
fn superblock_end_of_file(sb: &[u8]) -> Option<u64> {
    let version = *sb.get(8)?;
    let (offset_size, eof_at) = match version {
        0 | 1 => {
            let offset_size = usize::from(*sb.get(13)?);
            // signature 8, versions and sizes 8, leaf K 2, internal K 2, flags 4 = 24;
            // version 1 adds indexed storage K 2 and 2 reserved bytes; then base address and
            // free-space address precede the end-of-file address.
            let fixed = if version == 0 { 24 } else { 28 };
            (offset_size, fixed + 2 * offset_size)
        }
        2 | 3 => {
            let offset_size = usize::from(*sb.get(9)?);
            // signature 8, version 1, sizes 2, flags 1 = 12; base address and superblock
            // extension address precede the end-of-file address.
            (offset_size, 12 + 2 * offset_size)
        }
        _ => return None,
    };
    if !(1..=8).contains(&offset_size) {
        return None;
    }
    let field = sb.get(eof_at..eof_at + offset_size)?;
    let mut value = 0u64;
    for (i, byte) in field.iter().enumerate() {
        value |= u64::from(*byte) << (8 * i);
    }
    Some(value)
}

/// The sizes of addresses and of lengths a superblock declares (every version), `None` when the
/// bytes stop before them or a size is not 1 to 8 bytes.
fn superblock_sizes(sb: &[u8]) -> Option<(u8, u8)> {
    let at = match *sb.get(8)? {
        0 | 1 => 13,
        2 | 3 => 9,
        _ => return None,
    };
    let (offsets, lengths) = (*sb.get(at)?, *sb.get(at + 1)?);
    let valid = |size: u8| (1..=8).contains(&size);
    (valid(offsets) && valid(lengths)).then_some((offsets, lengths))
}

/// An HDF5 library error on an object of a file, as an [`Error`]: operating-system failures stay
/// [`ErrorKind::Io`], everything else becomes [`ErrorKind::Hdf5`] with the library's message.
pub(crate) fn hdf5_error(path: &Path, location: Location, err: Hdf5Error) -> Error {
    match err {
        Hdf5Error::Io(io) => Error::new(path, location, ErrorKind::Io(io)),
        // A failed checksum means the bytes changed after they were written (a damaged copy
        // or download), not a feature the reader lacks, whatever layer reports it.
        other if other.to_string().to_ascii_lowercase().contains("checksum") => {
            Error::new(path, location, ErrorKind::Damaged(other.to_string()))
        }
        other => Error::new(path, location, ErrorKind::Hdf5(other.to_string())),
    }
}

/// The location of an HDF5 object, written as an absolute path (`/data/expression`).
pub(crate) fn object(name: &str) -> Location {
    Location::Object(absolute(name))
}

/// `data/expression` -> `/data/expression`.
pub(crate) fn absolute(name: &str) -> String {
    if name.starts_with('/') {
        name.to_owned()
    } else {
        format!("/{name}")
    }
}

/// True when `name` (relative to the root, `a/b/c`) is a dataset of the file. Decided by listing
/// the parent group, so that an absent field is `false` while a damaged file is still an error.
pub(crate) fn has_dataset(file: &H5File, path: &Path, name: &str) -> Result<bool> {
    let name = name.trim_start_matches('/');
    let (parent, leaf) = match name.rsplit_once('/') {
        Some((parent, leaf)) => (Some(parent), leaf),
        None => (None, name),
    };
    let mut group = file.root_group();
    if let Some(parent) = parent {
        for part in parent.split('/') {
            let children = group
                .group_names()
                .map_err(|e| hdf5_error(path, object(group.name()), e))?;
            if !children.iter().any(|c| c == part) {
                return Ok(false);
            }
            group = group
                .group(part)
                .map_err(|e| hdf5_error(path, object(part), e))?;
        }
    }
    let datasets = group
        .dataset_names()
        .map_err(|e| hdf5_error(path, object(group.name()), e))?;
    Ok(datasets.iter().any(|d| d == leaf))
}

/// Opens a dataset, naming it in the error.
pub(crate) fn open_dataset(file: &H5File, path: &Path, name: &str) -> Result<H5Dataset> {
    file.dataset(name.trim_start_matches('/'))
        .map_err(|e| hdf5_error(path, object(name), e))
}

/// A string dataset of any shape (scalar, 1-D), fixed or variable length.
pub(crate) fn read_strings(file: &H5File, path: &Path, name: &str) -> Result<Vec<String>> {
    open_dataset(file, path, name)?
        .read_strings_lossy()
        .map_err(|e| hdf5_error(path, object(name), e))
}

/// A 1-D dataset as text, whatever it stores: strings as they are, numbers formatted (ARCHS4
/// versions disagree on whether `singlecellprobability` is a number or a string).
pub(crate) fn read_as_text(file: &H5File, path: &Path, name: &str) -> Result<Vec<String>> {
    let dataset = open_dataset(file, path, name)?;
    let datatype = dataset
        .datatype()
        .map_err(|e| hdf5_error(path, object(name), e))?;
    let is_string = matches!(
        datatype,
        rust_hdf5::DatatypeMessage::VarLenString { .. }
            | rust_hdf5::DatatypeMessage::FixedString { .. }
    );
    if is_string {
        return dataset
            .read_strings_lossy()
            .map_err(|e| hdf5_error(path, object(name), e));
    }
    let values = dataset
        .read_numeric_as::<f64>()
        .map_err(|e| hdf5_error(path, object(name), e))?;
    Ok(values.iter().map(|v| format_number(*v)).collect())
}

/// Integral values without a decimal point (`8770612`), others as Rust prints them.
pub(crate) fn format_number(v: f64) -> String {
    if v.is_finite() && v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_signature_and_end_of_file() {
        let mut v0 = SIGNATURE.to_vec();
        // version 0; free-space, root, reserved, shared versions; offsets 8, lengths 8; reserved
        v0.extend_from_slice(&[0, 0, 0, 0, 0, 8, 8, 0]);
        v0.extend_from_slice(&[4, 0, 16, 0, 0, 0, 0, 0]); // leaf K, internal K, flags
        v0.extend_from_slice(&0u64.to_le_bytes()); // base
        v0.extend_from_slice(&u64::MAX.to_le_bytes()); // free space
        v0.extend_from_slice(&3_217_398u64.to_le_bytes()); // end of file
        assert_eq!(find_signature(&v0), Some(0));
        assert_eq!(superblock_end_of_file(&v0), Some(3_217_398));
        assert_eq!(superblock_end_of_file(&v0[..40]), None);

        let mut v2 = SIGNATURE.to_vec();
        v2.extend_from_slice(&[2, 8, 8, 0]);
        v2.extend_from_slice(&0u64.to_le_bytes());
        v2.extend_from_slice(&u64::MAX.to_le_bytes());
        v2.extend_from_slice(&1234u64.to_le_bytes());
        assert_eq!(superblock_end_of_file(&v2), Some(1234));
        assert_eq!(superblock_sizes(&v0), Some((8, 8)));
        assert_eq!(superblock_sizes(&v2), Some((8, 8)));
        assert_eq!(superblock_sizes(&v2[..10]), None);

        let mut user_block = vec![0u8; 512];
        user_block.extend_from_slice(&v2);
        assert_eq!(find_signature(&user_block), Some(512));
        assert_eq!(find_signature(b"gene_id\tS1\n"), None);
        assert_eq!(format_number(8_770_612.0), "8770612");
        assert_eq!(format_number(0.25), "0.25");
    }
}
