//! Small statistics shared by crates that otherwise have nothing in common (the unit judgement of
//! a model's input, the quality measures of synthetic samples).

/// Pearson correlation of `a` and `b` over their common length (NaN when either is constant or
/// there are fewer than two pairs).
pub fn pearson(a: &[f64], b: &[f64]) -> f64 {
    let len = a.len().min(b.len());
    if len < 2 {
        return f64::NAN;
    }
    let (a, b) = (&a[..len], &b[..len]);
    let n = len as f64;
    let ma = a.iter().sum::<f64>() / n;
    let mb = b.iter().sum::<f64>() / n;
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        sab += (x - ma) * (y - mb);
        saa += (x - ma) * (x - ma);
        sbb += (y - mb) * (y - mb);
    }
    if saa > 0.0 && sbb > 0.0 {
        sab / (saa * sbb).sqrt()
    } else {
        f64::NAN
    }
}

#[cfg(test)]
mod tests {
    use super::pearson;

    #[test]
    fn correlation_of_lines_and_constants() {
        assert!((pearson(&[1.0, 2.0, 3.0], &[2.0, 4.0, 6.5]) - 0.99795).abs() < 1e-4);
        assert!((pearson(&[1.0, 2.0], &[2.0, 1.0]) + 1.0).abs() < 1e-12);
        assert!(pearson(&[1.0, 1.0], &[2.0, 1.0]).is_nan());
        assert!(pearson(&[1.0], &[2.0]).is_nan());
    }
}
