//! Streams an ARCHS4 HDF5 file in chunks of samples and does nothing else: the read +
//! decompression floor that `rnameta annotate` on the same file is compared with.
//!
//! `cargo run --release -p rnameta-benches --example archs4_stream -- FILE [CHUNK]` (CHUNK
//! defaults to 1,024 samples, as `annotate` reads); prints samples, seconds and samples per second.
//! Run it under `/usr/bin/time -v` for the peak memory.

use std::time::Instant;

use rnameta_io::archs4::Archs4Reader;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: archs4_stream FILE [CHUNK]");
    let chunk: usize = args.next().and_then(|c| c.parse().ok()).unwrap_or(1024);
    let t = Instant::now();
    let reader = Archs4Reader::open(&path).expect("opens");
    let opened = t.elapsed().as_secs_f64();
    let rss_open = status_kib("VmRSS");
    let (mut samples, mut checksum) = (0usize, 0f64);
    for block in reader.chunks(chunk) {
        let block = block.expect("reads");
        samples += block.n_samples();
        // Touch the values so nothing is optimised away.
        checksum += f64::from(block.counts()[[0, 0]]);
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "{samples} samples x {} genes in {secs:.1} s (open + metadata {opened:.1} s): {:.0} samples/s (checksum {checksum})",
        reader.n_genes(),
        samples as f64 / secs
    );
    println!(
        "resident after open (metadata of every sample): {} MiB; peak: {} MiB",
        rss_open / 1024,
        status_kib("VmHWM") / 1024
    );
}

/// A `/proc/self/status` field in KiB (0 where there is none).
fn status_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}
