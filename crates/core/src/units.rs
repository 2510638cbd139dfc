//! Sizes written for people: the one formatter of byte counts that the simulator's size check and
//! `rnameta fetch` print.

/// `bytes` in decimal units (kB = 1,000 bytes, as `df -H`, servers and browsers show sizes) with
/// `decimals` digits after the point: `human_bytes(1_520_000_000, 2)` is `1.52 GB`; below 1 kB the
/// exact count, `999 bytes`.
pub fn human_bytes(bytes: u64, decimals: usize) -> String {
    const UNITS: [&str; 6] = ["bytes", "kB", "MB", "GB", "TB", "PB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit + 1 < UNITS.len() {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} bytes")
    } else {
        format!("{value:.decimals$} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::human_bytes;

    #[test]
    fn sizes_read_like_df() {
        assert_eq!(human_bytes(0, 2), "0 bytes");
        assert_eq!(human_bytes(999, 1), "999 bytes");
        assert_eq!(human_bytes(1_520_000_000, 2), "1.52 GB");
        assert_eq!(human_bytes(1_234_567_890, 1), "1.2 GB");
        assert_eq!(human_bytes(u64::MAX, 1), "18446.7 PB");
    }
}
