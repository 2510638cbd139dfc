//! CPU time of this process, per step of a run: what `reproduce` reports per experiment beside
//! its wall time. Their ratio is how many cores the step kept busy on average; where it is below
//! the machine's cores, running more at once gains time without faster code (the paper preset's
//! reproduction used 175 % of 2 cores in all).
//!
//! On 64-bit Linux the time is the process's CPU clock (`CLOCK_PROCESS_CPUTIME_ID`: user and
//! system time of all its threads, those that have ended included). Elsewhere it is unknown, and
//! reports say so.

/// Linux's id of the process's CPU clock.
const PROCESS_CLOCK: i32 = 2;

/// CPU time this process has used since it started, all threads, in seconds; `None` where it
/// cannot be read.
pub fn used() -> Option<f64> {
    clock_seconds(PROCESS_CLOCK)
}

/// The CPU time used since `start` (a reading of [`used`]), in seconds; `None` where either
/// reading is unknown.
pub fn since(start: Option<f64>) -> Option<f64> {
    Some(used()? - start?)
}

/// How busy the cores were, for a report: `1.75` (cores' worth of CPU time per second of wall
/// time), or `unknown`.
pub fn shown_busy(cpu_seconds: Option<f64>, wall_seconds: f64) -> String {
    match cpu_seconds {
        Some(cpu) if wall_seconds > 0.0 => format!("{:.2}", cpu / wall_seconds),
        _ => "unknown".to_owned(),
    }
}

/// The time of the POSIX clock `clock` in seconds, where it can be read.
fn clock_seconds(clock: i32) -> Option<f64> {
    #[cfg(all(target_os = "linux", target_pointer_width = "64"))]
    {
        /// `struct timespec` on 64-bit Linux.
        #[repr(C)]
        struct Timespec {
            seconds: i64,
            nanoseconds: i64,
        }
        extern "C" {
            /// POSIX: the time of `clock` (`man 2 clock_gettime`); 0 on success.
            fn clock_gettime(clock: std::ffi::c_int, time: *mut Timespec) -> std::ffi::c_int;
        }
        let mut time = Timespec {
            seconds: 0,
            nanoseconds: 0,
        };
        // SAFETY: `time` is a valid, writable `struct timespec` for the duration of the call,
        // which writes only it; an unknown clock id is an error return, not undefined behaviour.
        let status = unsafe { clock_gettime(clock, &mut time) };
        (status == 0).then_some(time.seconds as f64 + time.nanoseconds as f64 * 1e-9)
    }
    #[cfg(not(all(target_os = "linux", target_pointer_width = "64")))]
    {
        let _ = clock;
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Linux's id of the calling thread's CPU clock.
    const THREAD_CLOCK: i32 = 3;

    #[test]
    fn cpu_time_counts_the_work_of_every_thread_also_after_it_ended() {
        let Some(start) = used() else {
            return; // Not 64-bit Linux: nothing to measure.
        };
        // Two threads, each working until its own CPU clock shows 150 ms (CPU time, not wall
        // time: a busy machine makes the test slower, never wrong). Once both have ended, the
        // process has used at least their 300 ms; the main thread, waiting, adds next to nothing,
        // so counting only it, or only one of them, stays below.
        std::thread::scope(|scope| {
            for _ in 0..2 {
                scope.spawn(|| {
                    let mut x = 0u64;
                    while clock_seconds(THREAD_CLOCK).expect("the thread clock reads") < 0.15 {
                        x = std::hint::black_box(x.wrapping_add(1));
                    }
                });
            }
        });
        let spent = since(Some(start)).expect("read above");
        assert!(spent >= 0.3, "{spent} s");
        assert!(since(None).is_none());
    }

    #[test]
    fn busy_cores_are_cpu_time_per_wall_time() {
        assert_eq!(shown_busy(Some(350.0), 200.0), "1.75");
        assert_eq!(shown_busy(None, 200.0), "unknown");
        assert_eq!(shown_busy(Some(1.0), 0.0), "unknown");
    }
}
