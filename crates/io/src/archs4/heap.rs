//! Variable-length strings of a 1-D dataset read by slice: the slice's stored references
//! ([`read_references`]), then the strings they point at in the file's global heap
//! ([`GlobalHeap`]), reading only the collections and bytes a slice needs.

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use rust_hdf5::format::global_heap::{decode_vlen_reference, GlobalHeapCollection};
use rust_hdf5::{DatatypeMessage, H5Dataset, H5Type};

use super::container::{hdf5_error, object, Addressing};
use crate::error::{Error, ErrorKind, Location, Result};

/// Bytes of the global-heap span read at once when resolving a slice: the strings of a chunk of
/// samples usually lie next to each other, so one read fetches many.
const MAX_RUN_BYTES: u64 = 1 << 20;

/// Largest gap between two wanted strings that one read still spans (rather than two).
const RUN_GAP_BYTES: u64 = 4096;

/// Buffer of the walk over a collection's object headers.
const WALK_BUFFER: usize = 64 << 10;

/// The smallest global heap collection libhdf5 accepts (`H5HG_MINSIZE`); rust-hdf5 refuses a
/// smaller one, and so does [`GlobalHeap`].
const MIN_COLLECTION_BYTES: u64 = 4096;

/// One element of a dataset as its stored bytes: a slice read of `RawElement<16>` returns the
/// variable-length references of a string dataset without resolving them. rust-hdf5 reads a
/// slice only as an [`H5Type`] of the dataset's element size, and resolves references only for
/// a whole dataset.
#[derive(Debug, Clone, Copy)]
#[repr(transparent)]
struct RawElement<const N: usize>([u8; N]);

impl<const N: usize> H5Type for RawElement<N> {
    fn hdf5_type() -> DatatypeMessage {
        // Only reads use this type; a write would store opaque bytes.
        DatatypeMessage::Opaque {
            size: N as u32,
            tag: "rnameta raw element".to_owned(),
        }
    }

    fn element_size() -> usize {
        N
    }
}

/// True when [`read_references`] can slice the variable-length references of a file with this
/// addressing: addresses of 8 bytes (every current writer) or 4.
pub(crate) fn slices_references(addressing: Addressing) -> bool {
    matches!(addressing.reference_size(), 12 | 16)
}

/// The stored variable-length references of elements `start..start + count` of the 1-D dataset
/// `name`, [`Addressing::reference_size`] bytes each, read as a slice (only the HDF5 chunks or the
/// contiguous bytes that hold them).
pub(crate) fn read_references(
    dataset: &H5Dataset,
    path: &Path,
    name: &str,
    addressing: Addressing,
    start: usize,
    count: usize,
) -> Result<Vec<u8>> {
    fn read<const N: usize>(
        dataset: &H5Dataset,
        start: usize,
        count: usize,
    ) -> rust_hdf5::Result<Vec<u8>> {
        let elements = dataset.read_slice::<RawElement<N>>(&[start], &[count])?;
        Ok(elements.iter().flat_map(|e| e.0).collect())
    }
    let read = match addressing.reference_size() {
        16 => read::<16>(dataset, start, count),
        12 => read::<12>(dataset, start, count),
        other => {
            return Err(Error::new(
                path,
                object(name),
                ErrorKind::Malformed(format!(
                    "variable-length references of {other} bytes cannot be read by slice"
                )),
            ))
        }
    };
    read.map_err(|e| hdf5_error(path, object(name), e))
}

/// Where each object of one global heap collection lies, found by walking its object headers.
#[derive(Debug)]
struct Collection {
    /// File offset of the collection (its `GCOL` signature).
    start: u64,
    /// Per object index: (offset of the object's bytes from `start`, their length); offset 0
    /// (inside the header) marks an index the collection does not hold.
    objects: Vec<(u32, u32)>,
    /// The read that last used it (see [`GlobalHeap::begin_read`]).
    used: u64,
}

impl Collection {
    fn object(&self, index: u16) -> Option<(u64, u32)> {
        self.objects
            .get(usize::from(index))
            .filter(|(offset, _)| *offset != 0)
            .map(|&(offset, len)| (self.start + u64::from(offset), len))
    }
}

/// Resolves variable-length string references through the file's global heap, reading only the
/// collections they point at and, of those, the object headers (once) and the wanted strings.
///
/// rust-hdf5 resolves references only for a whole dataset ([`H5Dataset::read_strings_lossy`]),
/// holding every collection it touches while it does. Here a collection is walked once into an
/// index of its objects (8 bytes an object), kept while consecutive reads use it: a file written
/// by rust-hdf5 puts up to 65,535 strings of a dataset in one collection, which a chunk-by-chunk
/// reader would otherwise walk again for every chunk. The indexes kept are those of the last
/// read, so what this holds is bounded by the collections one read touches, not by the file.
///
/// Strings decode as [`H5Dataset::read_strings_lossy`] decodes them: the object's bytes, lossy
/// UTF-8, and an empty string for a null reference.
#[derive(Debug)]
pub(crate) struct GlobalHeap {
    file: HeapFile,
    collections: HashMap<u64, Collection>,
    read: u64,
}

impl GlobalHeap {
    /// Opens `path` for the heap reads (a second, plain handle beside the HDF5 library's).
    pub(crate) fn open(path: &Path, addressing: Addressing) -> Result<Self> {
        let io_err = |e| Error::new(path, Location::File, ErrorKind::Io(e));
        let file = File::open(path).map_err(io_err)?;
        let len = file.metadata().map_err(io_err)?.len();
        Ok(Self {
            file: HeapFile {
                path: path.to_path_buf(),
                file,
                len,
                addressing,
            },
            collections: HashMap::new(),
            read: 0,
        })
    }

    /// Starts a read: the indexes the previous read used are kept for this one, the others are
    /// dropped.
    pub(crate) fn begin_read(&mut self) {
        let previous = self.read;
        self.collections.retain(|_, c| c.used == previous);
        self.read += 1;
    }

    /// Drops every collection index kept.
    pub(crate) fn clear(&mut self) {
        self.collections = HashMap::new();
    }

    /// The strings `references` (of dataset `name`, as [`read_references`] returns them) point
    /// at, in order.
    pub(crate) fn strings(&mut self, name: &str, references: &[u8]) -> Result<Vec<String>> {
        let spans = self.locate(name, references)?;
        let mut order: Vec<(u64, u32, usize)> = spans
            .iter()
            .enumerate()
            .filter_map(|(i, span)| span.map(|(at, len)| (at, len, i)))
            .collect();
        order.sort_unstable();
        let mut strings = vec![String::new(); spans.len()];
        let mut buffer = Vec::new();
        let mut first = 0;
        while let Some(&(run_start, len, _)) = order.get(first) {
            let mut run_end = run_start + u64::from(len);
            let mut last = first + 1;
            while let Some(&(at, len, _)) = order.get(last) {
                let end = run_end.max(at + u64::from(len));
                if at > run_end + RUN_GAP_BYTES || end - run_start > MAX_RUN_BYTES {
                    break;
                }
                run_end = end;
                last += 1;
            }
            buffer.resize((run_end - run_start) as usize, 0);
            self.file.read_at(name, run_start, &mut buffer)?;
            for &(at, len, i) in &order[first..last] {
                let from = (at - run_start) as usize;
                strings[i] =
                    String::from_utf8_lossy(&buffer[from..from + len as usize]).into_owned();
            }
            first = last;
        }
        Ok(strings)
    }

    /// Checks that every reference points at an object of a readable collection, reading no
    /// string.
    pub(crate) fn check(&mut self, name: &str, references: &[u8]) -> Result<()> {
        self.locate(name, references).map(drop)
    }

    /// Where each reference's string lies in the file (offset, length), `None` for a null one.
    fn locate(&mut self, name: &str, references: &[u8]) -> Result<Vec<Option<(u64, u32)>>> {
        let addressing = self.file.addressing;
        let context = addressing.context();
        let size = addressing.reference_size();
        let mut spans = Vec::with_capacity(references.len() / size);
        for (element, reference) in references.chunks_exact(size).enumerate() {
            let (_, address, index) = decode_vlen_reference(reference, &context).map_err(|e| {
                self.file
                    .malformed(name, format!("reference {element}: {e}"))
            })?;
            // What rust-hdf5 reads as an empty string: the undefined address, or none.
            if address == u64::MAX || address == 0 {
                spans.push(None);
                continue;
            }
            let index = u16::try_from(index).map_err(|_| {
                self.file.malformed(
                    name,
                    format!(
                        "reference {element} names global heap object {index}, past the \
                         16-bit index of a collection"
                    ),
                )
            })?;
            let collection = match self.collections.entry(address) {
                Entry::Occupied(e) => e.into_mut(),
                Entry::Vacant(e) => e.insert(self.file.walk(name, address)?),
            };
            collection.used = self.read;
            let span = collection.object(index).ok_or_else(|| {
                self.file.malformed(
                    name,
                    format!(
                        "reference {element}: global heap object {index} not found in the \
                         collection at address {address:#x}"
                    ),
                )
            })?;
            spans.push(Some(span));
        }
        Ok(spans)
    }
}

/// The plain file handle [`GlobalHeap`] reads through, and how its addresses are read.
#[derive(Debug)]
struct HeapFile {
    path: PathBuf,
    file: File,
    len: u64,
    addressing: Addressing,
}

impl HeapFile {
    /// Reads the object headers of the collection at `address` (validated as rust-hdf5 and
    /// libhdf5 validate it: signature, version, at least 4,096 bytes, inside the file, every
    /// object inside the collection).
    fn walk(&self, name: &str, address: u64) -> Result<Collection> {
        let at = |what: String| {
            self.malformed(
                name,
                format!("global heap collection at address {address:#x}: {what}"),
            )
        };
        let ss = usize::from(self.addressing.sizeof_size);
        let header_len = pad8(8 + ss);
        let object_header_len = pad8(8 + ss);
        let start = address
            .checked_add(self.addressing.base)
            .filter(|s| s.saturating_add(header_len as u64) <= self.len)
            .ok_or_else(|| {
                at(format!(
                    "past the end of the file ({} bytes); is it truncated?",
                    self.len
                ))
            })?;
        let mut reader = BufReader::with_capacity(WALK_BUFFER, &self.file);
        reader
            .seek(SeekFrom::Start(start))
            .map_err(|e| self.io(name, e))?;
        let mut header = [0u8; 16];
        let header = &mut header[..header_len];
        reader.read_exact(header).map_err(|e| self.io(name, e))?;
        let declared = GlobalHeapCollection::decode_size(header, &self.addressing.context())
            .map_err(|e| at(e.to_string()))? as u64;
        if declared < MIN_COLLECTION_BYTES {
            return Err(at(format!(
                "declares {declared} bytes, below the {MIN_COLLECTION_BYTES}-byte minimum"
            )));
        }
        if start.checked_add(declared).is_none_or(|end| end > self.len) {
            return Err(at(format!(
                "declares {declared} bytes, past the end of the file ({} bytes); is it truncated?",
                self.len
            )));
        }
        if declared > u64::from(u32::MAX) {
            return Err(at(format!(
                "declares {declared} bytes; collections over 4 GiB are not supported"
            )));
        }
        let mut objects: Vec<(u32, u32)> = Vec::new();
        let mut object_header = [0u8; 16];
        let object_header = &mut object_header[..object_header_len];
        let object_header_len = object_header_len as u64;
        let mut pos = header_len as u64;
        while pos + object_header_len <= declared {
            reader
                .read_exact(object_header)
                .map_err(|e| self.io(name, e))?;
            let index = u16::from_le_bytes([object_header[0], object_header[1]]);
            if index == 0 {
                // The free-space marker ends the objects.
                break;
            }
            let len = object_header[8..8 + ss]
                .iter()
                .rev()
                .fold(0u64, |v, &b| (v << 8) | u64::from(b));
            let data = pos + object_header_len;
            if data.checked_add(len).is_none_or(|end| end > declared) {
                return Err(at(format!("object {index} extends past the collection")));
            }
            let slot = usize::from(index);
            if objects.len() <= slot {
                objects.resize(slot + 1, (0, 0));
            }
            // Both fit: the object lies inside a collection of at most u32::MAX bytes. A
            // repeated index keeps its last object, as rust-hdf5's lookup does.
            objects[slot] = (data as u32, len as u32);
            let padded = len.next_multiple_of(8);
            pos = data + padded;
            if pos + object_header_len <= declared {
                reader
                    .seek_relative(padded as i64)
                    .map_err(|e| self.io(name, e))?;
            }
        }
        Ok(Collection {
            start,
            objects,
            used: 0,
        })
    }

    fn read_at(&self, name: &str, offset: u64, buffer: &mut [u8]) -> Result<()> {
        let mut file = &self.file;
        file.seek(SeekFrom::Start(offset))
            .and_then(|_| file.read_exact(buffer))
            .map_err(|e| self.io(name, e))
    }

    fn malformed(&self, name: &str, what: String) -> Error {
        Error::new(&self.path, object(name), ErrorKind::Malformed(what))
    }

    fn io(&self, name: &str, err: std::io::Error) -> Error {
        Error::new(&self.path, object(name), ErrorKind::Io(err))
    }
}

/// `n` rounded up to a multiple of 8 (HDF5 aligns global heap headers and objects to 8 bytes).
fn pad8(n: usize) -> usize {
    n.next_multiple_of(8)
}
