//! What one step of a run cost: its wall time, CPU time, peak memory and the memory it started
//! with, measured the same way for every step `reproduce` reports (loading the cohort, each
//! experiment), so that the steps can be set side by side in its index.

use std::time::Instant;

use serde::Serialize;

use super::{cpu, peak};

/// The time and memory one step of a run took.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct StepCost {
    /// Wall time, seconds.
    pub seconds: f64,
    /// CPU time of all threads while it ran, seconds (`None` where unknown: [`cpu`]).
    pub cpu_seconds: Option<f64>,
    /// Peak resident memory while it ran, bytes (`None` where unknown: [`peak`]).
    pub peak_bytes: Option<u64>,
    /// Memory resident when it began, after what earlier steps freed was handed back, bytes
    /// (`None` where unknown): the part of its peak that it inherited (the cohort, and whatever
    /// earlier steps of the same process left).
    pub resident_at_start_bytes: Option<u64>,
}

/// A step being measured: [`Meter::start`] when it begins, [`Meter::finish`] when it ends.
#[derive(Debug)]
pub struct Meter {
    start: Instant,
    cpu_start: Option<f64>,
    resident_at_start_bytes: Option<u64>,
}

impl Meter {
    /// Begins measuring a step. What earlier steps freed is not this step's: it is handed back to
    /// the system ([`peak::release_freed`]) and the high-water mark is reset ([`peak::reset`])
    /// before the memory resident now is read.
    pub fn start() -> Meter {
        peak::release_freed();
        peak::reset();
        Meter {
            start: Instant::now(),
            cpu_start: cpu::used(),
            resident_at_start_bytes: peak::resident(),
        }
    }

    /// What the step cost from [`Meter::start`] until now.
    pub fn finish(&self) -> StepCost {
        StepCost {
            seconds: self.start.elapsed().as_secs_f64(),
            cpu_seconds: cpu::since(self.cpu_start),
            peak_bytes: peak::since_reset(),
            resident_at_start_bytes: self.resident_at_start_bytes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_costs_at_least_its_wall_time_and_the_memory_it_held() {
        let meter = Meter::start();
        // A step that holds 64 MB (written, so resident) for 20 ms.
        let held: Vec<u8> = vec![1; 64 << 20];
        std::thread::sleep(std::time::Duration::from_millis(20));
        let cost = meter.finish();
        assert_eq!(held.iter().map(|&b| b as usize).sum::<usize>(), 64 << 20);
        assert!(cost.seconds >= 0.02, "{cost:?}");
        if cfg!(target_os = "linux") {
            // Other tests of this process may reset the high-water mark meanwhile, but never
            // below what is resident, which includes what this step still holds.
            let peak = cost.peak_bytes.expect("Linux reports the peak");
            assert!(peak >= 64 << 20, "{cost:?}");
            assert!(cost.cpu_seconds.is_some(), "{cost:?}");
        }
    }
}
