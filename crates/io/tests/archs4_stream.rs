//! Streaming an ARCHS4 file keeps memory bounded by the chunk, not the file: a counting global
//! allocator records the peak of live heap bytes while streaming, and compares it with the peak
//! of reading the whole matrix, on the real fixture and on a file eight times its size; and the
//! writer's peak while writing that file block by block.
//!
//! This binary holds a single test so that no other test allocates while one is measured.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use rnameta_core::{Dataset, SampleMeta};
use rnameta_io::archs4::{self, Archs4Reader, WriteOptions};

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/real/geuvadis_archs4_layout.h5"
);

/// The system allocator, counting live bytes and their high-water mark.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            record_growth(layout.size());
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            record_growth(layout.size());
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::SeqCst);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            if new_size >= layout.size() {
                record_growth(new_size - layout.size());
            } else {
                LIVE.fetch_sub(layout.size() - new_size, Ordering::SeqCst);
            }
        }
        new
    }
}

fn record_growth(bytes: usize) {
    let live = LIVE.fetch_add(bytes, Ordering::SeqCst) + bytes;
    PEAK.fetch_max(live, Ordering::SeqCst);
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Peak live bytes above what was live when `f` started.
fn peak_during<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = LIVE.load(Ordering::SeqCst);
    PEAK.store(base, Ordering::SeqCst);
    let out = f();
    (out, PEAK.load(Ordering::SeqCst).saturating_sub(base))
}

/// Peak and retained live bytes (above what was live when `f` started) of `f` and what it returns.
fn peak_and_retained<T>(f: impl FnOnce() -> T) -> (T, usize, usize) {
    let base = LIVE.load(Ordering::SeqCst);
    PEAK.store(base, Ordering::SeqCst);
    let out = f();
    let retained = LIVE.load(Ordering::SeqCst).saturating_sub(base);
    (
        out,
        PEAK.load(Ordering::SeqCst).saturating_sub(base),
        retained,
    )
}

/// Streams `reader` in chunks of `chunk_size`, keeping only column sums; returns them.
fn stream_sums(reader: &Archs4Reader, chunk_size: usize) -> Vec<f64> {
    let mut sums = Vec::with_capacity(reader.n_samples());
    for chunk in reader.chunks(chunk_size) {
        let chunk = chunk.expect("chunk");
        sums.extend(
            chunk
                .counts()
                .rows()
                .into_iter()
                .map(|r| r.iter().map(|&v| f64::from(v)).sum::<f64>()),
        );
    }
    sums
}

fn full_sums(reader: &Archs4Reader) -> Vec<f64> {
    let data = reader.read_all().expect("full read");
    data.counts()
        .rows()
        .into_iter()
        .map(|r| r.iter().map(|&v| f64::from(v)).sum())
        .collect()
}

/// The fixture's samples repeated `times` times under new GSM ids, written block by block.
fn write_replicated(path: &std::path::Path, reader: &Archs4Reader, times: usize) {
    let blocks = (0..times).flat_map(|copy| {
        reader.chunks(17).map(move |chunk| {
            let chunk = chunk?;
            let (counts, genes, samples) = chunk.into_parts();
            let samples: Vec<SampleMeta> = samples
                .into_iter()
                .map(|mut s| {
                    s.sample_id = format!("{}_{copy}", s.sample_id);
                    s
                })
                .collect();
            Dataset::new(counts, genes, samples).map_err(|e| {
                rnameta_io::Error::new(
                    path,
                    rnameta_io::Location::File,
                    rnameta_io::ErrorKind::Dataset(e),
                )
            })
        })
    });
    let options = WriteOptions {
        chunk_genes: 1000,
        chunk_samples: 16,
        deflate_level: 1,
        ..WriteOptions::default()
    };
    let n = archs4::write_blocks(path, reader.genes(), blocks, &options)
        .expect("write replicated file");
    assert_eq!(n, reader.n_samples() * times);
}

/// The bound, stated. Streaming chunks of `c` samples over `g` genes holds: the chunk's f32 counts
/// (`4 c g` bytes) and its own copy of the gene annotation (`annotation` bytes, measured: a
/// [`Dataset`] owns its genes, so every chunk carries one; it depends on the genes, not on the
/// samples); one HDF5 column block being scattered (`4 w g` bytes as `u32`, chunk width `w` = 16);
/// rust-hdf5's decoded-chunk cache (at most 1 MiB per dataset) and the chunk being decoded; the
/// chunk's sample metadata and the caller's sums (small). We allow
/// `2 * 4 c g + 4 * 16 g + annotation + 2 MiB`. Nothing in it grows with the number of samples
/// in the file, which the eightfold file below checks.
fn stream_bound(chunk: usize, genes: usize, annotation: usize) -> usize {
    2 * 4 * chunk * genes + 4 * 16 * genes + annotation + (2 << 20)
}

#[test]
fn streaming_memory_is_bounded_by_the_chunk_not_the_file() {
    let small = Archs4Reader::open(FIXTURE).expect("fixture");
    let genes = small.n_genes();
    assert_eq!((small.n_samples(), genes), (85, 10_012));

    let (annotation_copy, annotation) = peak_during(|| small.genes().clone());
    drop(annotation_copy);
    let (stream, stream_peak) = peak_during(|| stream_sums(&small, 10));
    let (full, full_peak) = peak_during(|| full_sums(&small));
    assert_eq!(stream, full, "the stream and the full read agree");
    let bound = stream_bound(10, genes, annotation);
    eprintln!(
        "fixture (85 samples): stream peak {stream_peak} B, full-read peak {full_peak} B, \
         bound {bound} B (gene annotation {annotation} B)"
    );
    assert!(
        stream_peak <= bound,
        "stream peak {stream_peak} above the bound {bound}"
    );
    assert!(
        full_peak >= 85 * genes * 4,
        "a full read holds the whole f32 matrix"
    );
    assert!(
        stream_peak < full_peak,
        "streaming {stream_peak} B vs full {full_peak} B"
    );

    // Eight times the samples: the full read grows eightfold, the stream does not.
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("replicated.h5");
    let ((), write_peak_8) = peak_during(|| write_replicated(&path, &small, 8));
    let path2 = dir.path().join("replicated2.h5");
    let ((), write_peak_2) = peak_during(|| write_replicated(&path2, &small, 2));
    eprintln!("write peaks: 170 samples {write_peak_2} B, 680 samples {write_peak_8} B");
    // The writer too holds one block at a time (plus a few bytes of metadata per sample): four
    // times the samples leave its peak nearly unchanged, far below the 27 MB f32 matrix.
    assert!(
        (write_peak_8 as f64) < 1.25 * write_peak_2 as f64,
        "writer peak grew with the file"
    );
    assert!(
        write_peak_8 * 4 < 680 * genes * 4,
        "writer peak {write_peak_8} B"
    );
    let large = Archs4Reader::open(&path).expect("replicated file");
    assert_eq!(large.n_samples(), 680);
    let (large_stream, large_stream_peak) = peak_during(|| stream_sums(&large, 10));
    let (large_full, large_full_peak) = peak_during(|| full_sums(&large));
    assert_eq!(large_stream, large_full);
    assert_eq!(&large_stream[..85], &stream[..]);
    eprintln!(
        "replicated (680 samples): stream peak {large_stream_peak} B, full-read peak {large_full_peak} B"
    );
    assert!(
        large_stream_peak <= bound,
        "stream peak {large_stream_peak} above the bound {bound}"
    );
    assert!(large_full_peak >= 680 * genes * 4);
    assert!(
        large_stream_peak * 5 < large_full_peak,
        "{large_stream_peak} B vs {large_full_peak} B"
    );
    let growth = large_stream_peak as f64 / stream_peak as f64;
    assert!(
        growth < 1.25,
        "8x the samples grew the stream peak {growth:.2}x"
    );

    drop(large);

    // Opening keeps, of the sample metadata, only the GSM ids (one string and one offset per
    // sample: 12 + 8 bytes for `GSM9100000_3`); every other field is read by slices for each
    // chunk, and read once at open a block at a time (checked, not kept). So what `open` keeps
    // grows by the id and its offset per sample (18 B measured), and its peak by no more: the
    // ids too are read a block at a time.
    let (reader_85, open_peak_85, open_kept_85) =
        peak_and_retained(|| Archs4Reader::open(FIXTURE).expect("fixture"));
    let (reader_680, open_peak_680, open_kept_680) =
        peak_and_retained(|| Archs4Reader::open(&path).expect("replicated file"));
    let kept_per_sample = open_kept_680.saturating_sub(open_kept_85) as f64 / 595.0;
    let peak_per_sample = open_peak_680.saturating_sub(open_peak_85) as f64 / 595.0;
    eprintln!(
        "open: 85 samples keeps {open_kept_85} B (peak {open_peak_85} B), 680 samples keeps \
         {open_kept_680} B (peak {open_peak_680} B): {kept_per_sample:.0} B kept and \
         {peak_per_sample:.0} B peak per added sample"
    );
    assert!(
        kept_per_sample < 32.0,
        "open keeps {kept_per_sample:.0} B per sample"
    );
    assert!(
        peak_per_sample < 64.0,
        "open peaks {peak_per_sample:.0} B higher per sample"
    );
    drop((reader_85, reader_680));
}
