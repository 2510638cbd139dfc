//! Peak resident memory of this process, per step of a run: what `reproduce` reports per
//! experiment beside its time, so that a user can see which experiment needs how much memory.
//!
//! On Linux the peak is the kernel's high-water mark of resident memory (`VmHWM` in
//! `/proc/self/status`), and writing `5` to `/proc/self/clear_refs` resets it to what is resident
//! now, so that the next reading is the peak of what ran since. Where either is unavailable (other
//! systems, a restricted `/proc`) the peak is unknown, and reports say so.

/// The peak resident memory since the process started or the last [`reset`], in bytes; `None`
/// where it cannot be read.
pub fn since_reset() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line
        .trim_start_matches("VmHWM:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kib * 1024)
}

/// Starts a new peak at the memory resident now; `false` where it cannot (then [`since_reset`]
/// keeps counting from the start).
pub fn reset() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// A peak for a report: `3.21 GB`, or `unknown`.
pub fn shown(peak: Option<u64>) -> String {
    peak.map_or_else(|| "unknown".to_owned(), |b| rnameta_core::human_bytes(b, 2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reset_peak_forgets_memory_freed_before_it() {
        if !reset() {
            return; // Not Linux, or /proc is read-only here: nothing to measure.
        }
        let before = since_reset().expect("VmHWM is readable where clear_refs is writable");
        // 256 MB touched, then freed.
        let big = vec![1u8; 256 << 20];
        std::hint::black_box(&big);
        drop(big);
        let with_big = since_reset().unwrap();
        assert!(with_big >= before + (200 << 20), "{with_big} vs {before}");
        assert!(reset());
        assert!(since_reset().unwrap() < with_big - (200 << 20));
    }

    #[test]
    fn an_unknown_peak_is_shown_as_unknown() {
        assert_eq!(shown(None), "unknown");
        assert_eq!(shown(Some(1_520_000_000)), "1.52 GB");
    }
}
