//! How much disk space and memory a simulation needs, estimated from its config before any work,
//! and how much this machine has, so that a cohort that cannot fit is refused up front instead of
//! failing (or being killed) after minutes of work.
//!
//! The estimate follows how [`crate::output::write_cohort`] holds data:
//!
//! - GTEx, TCGA and SRA are drawn one after another, each as one samples x genes `f32` matrix in
//!   memory with its metadata; while a source is written, each rayon thread holds one recount3
//!   project three times more (an `f32` copy and the `f64` coverage sums); SRA's ARCHS4 copy is
//!   written in blocks afterwards (a block's `f32` copy and its `u32` transpose).
//! - ARCHS4 is streamed: a block of `archs4.block_samples` samples (plus one study that may run
//!   over) as `f32` and `u32`, and every streamed sample's metadata until the file is closed.
//! - The truth table of every sample is kept until it is written last.
//!
//! Bytes per matrix cell on disk are the measured gzip / HDF5 sizes of the presets (recount3
//! 1.7-2.0, GCT 1.15-1.25, ARCHS4 1.03-1.2 bytes per count at the preset depths; see
//! docs/simulation.md) rounded up, and scaled with the number of digits of the median count for
//! deeper libraries. The SRA sample count is the expectation of the study-size distribution. The
//! estimate is meant to be somewhat above the measured peaks and sizes (docs/simulation.md
//! compares them), so a cohort close to the limit of a machine may be refused although it would
//! just fit.
//!
//! What the machine has: on Linux, available memory is `MemAvailable` of `/proc/meminfo`, lowered
//! to the room left under a cgroup v2 memory limit (`/sys/fs/cgroup/memory.max` minus
//! `memory.current`) when one is set; free disk space is `statvfs` of the output's file system
//! (space available to unprivileged users). Where either cannot be read, that side is not checked.

use std::path::{Path, PathBuf};

use crate::config::{SimConfig, SraConfig};
use crate::error::{Error, Result};
use crate::genesets::{TCGA_PROJECTS, TISSUES};

/// Memory of the program before any source: the binary, the Ensembl table read for the universe,
/// rayon's threads (measured: 45-50 MB for the tiny preset), rounded up.
const BASE_MEMORY: f64 = 80e6;
/// Per-gene values held for the whole run (the programs of 31 tissues and 23 tumour projects,
/// sex, proliferation, culture, gene metadata), as `f32` values per gene.
const VALUES_PER_GENE: f64 = 80.0;
/// Memory of one in-memory sample's metadata and truth (ids, labels, study title and abstract).
const SAMPLE_MEMORY: f64 = 2_000.0;
/// Memory per ARCHS4 sample streamed: the writer's records (title, characteristics, series) and
/// the truth row, kept until the end (measured: about 1 KB per sample between 20,000 and 200,000
/// samples).
const ARCHS4_SAMPLE_MEMORY: f64 = 1_300.0;
/// Memory of a truth row kept until the truth table is written.
const TRUTH_MEMORY: f64 = 300.0;

/// Bytes per count in gzipped recount3 gene sums, with the project's metadata tables.
const RECOUNT3_BYTES_PER_COUNT: f64 = 2.2;
/// Bytes per count in the gzipped GTEx GCT.
const GCT_BYTES_PER_COUNT: f64 = 1.4;
/// Bytes per count in the ARCHS4 HDF5 file (gzip chunks of `uint32`).
const ARCHS4_BYTES_PER_COUNT: f64 = 1.4;
/// Bytes per sample outside the matrices (truth row, MetaSRA entry, GTEx attribute rows, ARCHS4
/// metadata).
const SAMPLE_BYTES: f64 = 300.0;
/// Bytes of the files that do not grow with the samples, per gene (gene table, GTF) and fixed.
const GENE_BYTES: f64 = 200.0;
/// Fixed bytes (config, folders).
const FIXED_BYTES: f64 = 1e6;
/// The median depth (reads per gene) at which the bytes per count above were measured.
const MEASURED_DEPTH: f64 = 1_200.0;

/// What a simulation needs: the peak memory and the size of what it writes, estimated.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Footprint {
    /// Bytes of memory at the peak.
    pub memory_bytes: u64,
    /// Bytes written under the output folder.
    pub disk_bytes: u64,
}

/// What this machine has for a simulation; `None` where it cannot be read (then not checked).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Room {
    /// Bytes of memory available.
    pub memory_bytes: Option<u64>,
    /// Bytes of disk space free to this user on the output's file system.
    pub disk_bytes: Option<u64>,
}

impl Footprint {
    /// Estimates the footprint of `config` over `n_genes` genes (the universe's real count) with
    /// `threads` rayon threads writing recount3 projects at once.
    pub fn estimate(config: &SimConfig, n_genes: usize, threads: usize) -> Self {
        let genes = n_genes as f64;
        let threads = threads.max(1) as f64;
        let cells = |rows: f64| rows * genes;
        let replicate_runs = 1.0 + 1.5 * config.sra.replicate_share;
        let gtex = config.gtex.samples as f64;
        let tcga = config.tcga.samples as f64;
        let sra = expected_sra_samples(&config.sra);
        let archs4 = config.archs4.samples as f64;
        let sra_in_archs4 = config.archs4.samples == 0;

        // Memory: the largest source at its peak, on top of what every source keeps.
        let largest_tissue = (gtex / TISSUES.len() as f64).ceil();
        let total_weight: f64 = TCGA_PROJECTS.iter().map(|p| f64::from(p.weight)).sum();
        let largest_weight = TCGA_PROJECTS
            .iter()
            .map(|p| f64::from(p.weight))
            .fold(0.0, f64::max);
        let largest_tcga = (tcga * largest_weight / total_weight).ceil();
        let study_runs = if config.sra.replicate_share > 0.0 {
            3.0
        } else {
            1.0
        };
        let largest_study = config.sra.max_study_size as f64 * study_runs;
        let mean_study = expected_study_size(&config.sra) * replicate_runs;
        // One project per thread, the largest among them: f32 copy + f64 sums = 12 bytes a count.
        let projects =
            |largest: f64, typical: f64| cells(largest + (threads - 1.0) * typical) * 12.0;
        let in_memory = |rows: f64, writing: f64| {
            if rows == 0.0 {
                0.0
            } else {
                cells(rows) * 4.0 + rows * SAMPLE_MEMORY + writing
            }
        };
        let block = config.archs4.block_samples as f64;
        let gtex_peak = in_memory(gtex, projects(largest_tissue, largest_tissue));
        let tcga_peak = in_memory(tcga, projects(largest_tcga, largest_tcga));
        let sra_archs4_copy = if sra_in_archs4 {
            cells(block.min(sra)) * 8.0
        } else {
            0.0
        };
        let sra_peak = in_memory(
            sra,
            projects(largest_study.min(sra), mean_study).max(sra_archs4_copy),
        );
        let archs4_peak = if archs4 > 0.0 {
            cells(block + largest_study) * 8.0 + archs4 * ARCHS4_SAMPLE_MEMORY
        } else {
            0.0
        };
        let memory = BASE_MEMORY
            + genes * VALUES_PER_GENE * 4.0
            + config.bias.rank as f64 * genes * 4.0
            + (gtex + tcga + sra + archs4) * TRUTH_MEMORY
            + [gtex_peak, tcga_peak, sra_peak, archs4_peak]
                .into_iter()
                .fold(0.0, f64::max);

        // Disk: every matrix at its bytes per count, deeper libraries writing longer numbers.
        let digits = |reads_per_gene: f64| {
            (reads_per_gene.max(1.0) * 10.0).log10() / (MEASURED_DEPTH * 10.0).log10()
        };
        let scale = |reads_per_gene: f64| digits(reads_per_gene).max(1.0);
        let gtex_scale = scale(config.gtex.reads_per_gene);
        let sra_scale = scale(config.sra.reads_per_gene);
        let disk = FIXED_BYTES
            + genes * GENE_BYTES
            + cells(gtex) * (RECOUNT3_BYTES_PER_COUNT + GCT_BYTES_PER_COUNT) * gtex_scale
            + cells(tcga) * RECOUNT3_BYTES_PER_COUNT * scale(config.tcga.reads_per_gene)
            + cells(sra)
                * (RECOUNT3_BYTES_PER_COUNT
                    + if sra_in_archs4 {
                        ARCHS4_BYTES_PER_COUNT
                    } else {
                        0.0
                    })
                * sra_scale
            + cells(archs4) * ARCHS4_BYTES_PER_COUNT * sra_scale
            + (gtex + tcga + sra + archs4) * SAMPLE_BYTES;
        Self {
            memory_bytes: saturating_bytes(memory),
            disk_bytes: saturating_bytes(disk),
        }
    }

    /// Refuses a footprint larger than `room` ([`Error::TooLarge`], memory first); `folder` is
    /// where the disk space was measured, named in the error.
    pub fn check(&self, room: &Room, folder: &Path) -> Result<()> {
        if let Some(available) = room.memory_bytes {
            if self.memory_bytes > available {
                return Err(Error::TooLarge {
                    resource: "memory",
                    needed: self.memory_bytes,
                    available,
                    place: None,
                });
            }
        }
        if let Some(available) = room.disk_bytes {
            if self.disk_bytes > available {
                return Err(Error::TooLarge {
                    resource: "disk space",
                    needed: self.disk_bytes,
                    available,
                    place: Some(folder.to_path_buf()),
                });
            }
        }
        Ok(())
    }
}

impl Room {
    /// Reads what this machine has for a cohort written under `folder` (an existing folder on
    /// the output's file system).
    pub fn probe(folder: &Path) -> Self {
        Self {
            memory_bytes: available_memory(),
            disk_bytes: free_disk(folder),
        }
    }
}

/// An estimate in bytes as a whole number (saturating at `u64::MAX`).
fn saturating_bytes(bytes: f64) -> u64 {
    if bytes >= u64::MAX as f64 {
        u64::MAX
    } else {
        bytes.max(0.0).ceil() as u64
    }
}

/// The expected number of SRA samples (runs) of the config: studies x the expected study size x
/// the expected runs per experiment.
pub fn expected_sra_samples(config: &SraConfig) -> f64 {
    config.studies as f64 * expected_study_size(config) * (1.0 + 1.5 * config.replicate_share)
}

/// The expected number of experiments of an SRA study: the mean of
/// `clamp(round(exp(N(size_log_mean + shift, size_log_sd))), 1, max_study_size)`, where `shift`
/// is `cell_line_size_log_shift` for the `cell_line_share` of studies on cell lines and 0 for the
/// rest, by summing over a grid of the standard normal (steps of 0.01 from -8 to 8).
pub fn expected_study_size(config: &SraConfig) -> f64 {
    let mean_size = |log_mean: f64| {
        let step = 0.01;
        let mut total = 0.0;
        let mut weight = 0.0;
        for i in 0..=1_600 {
            let z = -8.0 + f64::from(i) * step;
            let density = (-0.5 * z * z).exp();
            let size = (log_mean + config.size_log_sd * z)
                .exp()
                .round()
                .clamp(1.0, config.max_study_size as f64);
            total += density * size;
            weight += density;
        }
        total / weight
    };
    let cell = config.cell_line_share;
    (1.0 - cell) * mean_size(config.size_log_mean)
        + cell * mean_size(config.size_log_mean + config.cell_line_size_log_shift)
}

/// Available memory: `MemAvailable` of `/proc/meminfo`, lowered to the room under a cgroup v2
/// limit. `None` where `/proc/meminfo` cannot be read (not Linux).
fn available_memory() -> Option<u64> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
    let available = meminfo_kib(&meminfo, "MemAvailable:")? * 1024;
    Some(match cgroup_room(Path::new("/sys/fs/cgroup")) {
        Some(room) => available.min(room),
        None => available,
    })
}

/// The value in kB of the `key` line of `/proc/meminfo` text.
fn meminfo_kib(meminfo: &str, key: &str) -> Option<u64> {
    meminfo
        .lines()
        .find_map(|line| line.strip_prefix(key))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|kib| kib.parse().ok())
}

/// Bytes left under the cgroup v2 memory limit of `dir` (`memory.max - memory.current`); `None`
/// without a limit (`max`) or without the files.
fn cgroup_room(dir: &Path) -> Option<u64> {
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).ok();
    let max: u64 = read("memory.max")?.trim().parse().ok()?;
    let current: u64 = read("memory.current")?.trim().parse().ok()?;
    Some(max.saturating_sub(current))
}

/// Bytes free to this user on the file system of `folder` (`statvfs`: available blocks x
/// fragment size). `None` where it cannot be read.
#[cfg(unix)]
fn free_disk(folder: &Path) -> Option<u64> {
    let stat = rustix::fs::statvfs(folder).ok()?;
    Some(stat.f_bavail.saturating_mul(stat.f_frsize))
}

/// Free disk space is not measured on this platform.
#[cfg(not(unix))]
fn free_disk(_folder: &Path) -> Option<u64> {
    None
}

/// The nearest existing folder at or above `path` (where free space can be measured before the
/// output folder exists).
pub fn existing_ancestor(path: &Path) -> PathBuf {
    let mut current = Some(path);
    while let Some(p) = current {
        let candidate = if p.as_os_str().is_empty() {
            Path::new(".")
        } else {
            p
        };
        if candidate.is_dir() {
            return candidate.to_path_buf();
        }
        current = p.parent();
    }
    PathBuf::from(".")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Preset, SimConfig};

    #[test]
    fn estimates_cover_the_measured_presets_without_doubling_them() {
        // Measured with /usr/bin/time -v and du -sb (docs/simulation.md, "Sizes and speed"):
        // (preset, genes, peak RSS, output bytes).
        let measured = [
            (Preset::Tiny, 2_001, 51e6, 10.0e6),
            (Preset::Small, 4_001, 101e6, 58.9e6),
            (Preset::Paper, 19_924, 4.66e9, 3.27e9),
        ];
        for (preset, genes, rss, output) in measured {
            let f = Footprint::estimate(&SimConfig::preset(preset), genes, 2);
            let (memory, disk) = (f.memory_bytes as f64, f.disk_bytes as f64);
            assert!(
                memory >= rss && memory <= 2.0 * rss,
                "{preset:?}: memory {memory:e} for {rss:e}"
            );
            assert!(
                disk >= output && disk <= 2.0 * output,
                "{preset:?}: disk {disk:e} for {output:e}"
            );
        }
        // The archs4 preset: 421 MB peak, 4.28 GB file (200,000 samples streamed).
        let f = Footprint::estimate(&SimConfig::preset(Preset::Archs4), 19_924, 2);
        assert!((421e6..842e6).contains(&(f.memory_bytes as f64)), "{f:?}");
        assert!((4.28e9..8.56e9).contains(&(f.disk_bytes as f64)), "{f:?}");
    }

    #[test]
    fn the_expected_sra_size_matches_what_the_paper_preset_drew() {
        // The paper preset drew 48,018 SRA runs from 1,800 studies (its study sizes' log-sd is
        // 1.6, with studies of up to 1,000 samples, cell-line studies 1.8 times larger).
        let n = expected_sra_samples(&SimConfig::preset(Preset::Paper).sra);
        assert!((n / 48_018.0 - 1.0).abs() < 0.1, "{n}");
    }

    #[test]
    fn a_footprint_larger_than_the_room_is_refused_naming_the_resource() {
        let f = Footprint {
            memory_bytes: 2_000_000_000,
            disk_bytes: 5_000_000_000,
        };
        let folder = Path::new("/data");
        let room = |memory, disk| Room {
            memory_bytes: memory,
            disk_bytes: disk,
        };
        f.check(&room(Some(3_000_000_000), Some(6_000_000_000)), folder)
            .unwrap();
        f.check(&room(None, None), folder).unwrap();
        let msg = f
            .check(&room(Some(1_000_000_000), None), folder)
            .unwrap_err()
            .to_string();
        assert!(
            msg.contains("needs about 2.0 GB of memory") && msg.contains("1.0 GB is available"),
            "{msg}"
        );
        let msg = f
            .check(&room(None, Some(4_000_000_000)), folder)
            .unwrap_err()
            .to_string();
        assert!(
            msg.contains("5.0 GB of disk space") && msg.contains("available in /data"),
            "{msg}"
        );
    }

    #[test]
    fn meminfo_and_cgroup_limits_are_read() {
        let text = "MemTotal:       16314512 kB\nMemAvailable:    8000000 kB\n";
        assert_eq!(meminfo_kib(text, "MemAvailable:"), Some(8_000_000));
        assert_eq!(meminfo_kib(text, "SwapFree:"), None);
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("memory.max"), "max\n").unwrap();
        std::fs::write(dir.path().join("memory.current"), "100\n").unwrap();
        assert_eq!(cgroup_room(dir.path()), None);
        std::fs::write(dir.path().join("memory.max"), "1000\n").unwrap();
        assert_eq!(cgroup_room(dir.path()), Some(900));
    }
}
