//! Peak resident memory of this process, per step of a run: what `reproduce` reports per
//! experiment beside its time, so that a user can see which experiment needs how much memory.
//!
//! On Linux the peak is the kernel's high-water mark of resident memory (`VmHWM` in
//! `/proc/self/status`), and writing `5` to `/proc/self/clear_refs` resets it to what is resident
//! now, so that the next reading is the peak of what ran since. Where either is unavailable (other
//! systems, a restricted `/proc`) the peak is unknown, and reports say so.
//!
//! The reset has a cost for outside tools: the maximum resident set the kernel reports for the
//! process when it exits (`getrusage`, which `/usr/bin/time -v` prints) is the same high-water
//! mark, so after a reset it is the peak since the last reset, the last step's, not the run's. The
//! run's peak is the largest of the steps' peaks, which `reproduce`'s index names.
//!
//! Memory an earlier step freed can stay resident: glibc's allocator keeps freed blocks in its
//! per-thread arenas for reuse, and a later step's peak then counts them on top of its own needs.
//! [`release_freed`] hands them back to the system before a step begins, all but the free top of
//! each arena other than the main one, which glibc does not trim; [`limit_arenas`] keeps those
//! arenas few.

/// The peak resident memory since the process started or the last [`reset`], in bytes; `None`
/// where it cannot be read.
pub fn since_reset() -> Option<u64> {
    status_bytes("VmHWM")
}

/// The memory resident now, in bytes (`VmRSS`); `None` where it cannot be read.
pub fn resident() -> Option<u64> {
    status_bytes("VmRSS")
}

/// The size `field` of `/proc/self/status` (given there in kB), in bytes.
fn status_bytes(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))?
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

/// Returns the memory the allocator holds freed to the system (glibc's `malloc_trim`, where the
/// process runs on glibc; elsewhere nothing), so that it is not resident in the steps that
/// follow; all but the free top of arenas other than the main one (see [`limit_arenas`]). What
/// the program computes is unaffected: only pages no allocation uses are released.
pub fn release_freed() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        extern "C" {
            /// glibc: releases free memory at the top of the heap and, since glibc 2.8, the
            /// whole free pages inside every arena (`man 3 malloc_trim`).
            fn malloc_trim(pad: usize) -> std::ffi::c_int;
        }
        // SAFETY: `malloc_trim` takes no pointers and only returns pages of free blocks, under
        // the allocator's own locks; it is safe to call from any thread at any time.
        unsafe {
            malloc_trim(0);
        }
    }
}

/// Caps glibc's malloc arenas at `arenas` (where the process runs on glibc; elsewhere nothing), so
/// that freed memory does not stay resident in arenas no thread uses any more. glibc gives new
/// threads arenas of their own (up to 8 per core), and [`release_freed`] cannot hand back the
/// free memory at the top of an arena other than the main one (`malloc_trim` trims only the main
/// arena's top), up to 64 MB each; the experiments' side-by-side threads and pools of their own
/// are new threads every seed. Call it first thing, before any thread starts.
///
/// `xtask reproduce --data sim:small --seeds 2`, one run after the other on the idle 2-core
/// machine (simulated): with glibc's default the memory resident at each step's start grew from
/// 84 MB (the cohort) to 276 MB after `tune` and 378-404 MB in the later steps (12 arenas in
/// `augment`, 482 MB held for 113 MB in use, `malloc_stats` after `malloc_trim`), the steps' peaks
/// up to 539 MB; with 2 arenas it stayed at 84-138 MB, the peaks up to 286 MB, the same 56 CSVs, the
/// whole run in 219-230 s against 220-225 s.
pub fn limit_arenas(arenas: usize) {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        extern "C" {
            /// glibc: sets a malloc parameter (`man 3 mallopt`); returns 1 on success.
            fn mallopt(param: std::ffi::c_int, value: std::ffi::c_int) -> std::ffi::c_int;
        }
        /// glibc's `M_ARENA_MAX` (malloc.h).
        const M_ARENA_MAX: std::ffi::c_int = -8;
        let arenas = std::ffi::c_int::try_from(arenas.max(1)).unwrap_or(std::ffi::c_int::MAX);
        // SAFETY: `mallopt` takes no pointers; it sets a parameter under the allocator's lock.
        unsafe {
            mallopt(M_ARENA_MAX, arenas);
        }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    let _ = arenas;
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
