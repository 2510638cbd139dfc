//! One table cell: text, an integer, a float with its precision, a mean ± std over seeds, or a
//! missing value (e.g. the accuracy of a class absent from a test set).

use serde::{Deserialize, Serialize};

use crate::SeedSummary;

/// A value of a [`super::Table`], kept typed until it is rendered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Cell {
    /// Free text (model, class or dataset names).
    Text(String),
    /// An integer (counts, seeds).
    Int(i64),
    /// A float shown with `precision` decimals.
    Float {
        /// The value.
        value: f64,
        /// Decimals shown.
        precision: usize,
    },
    /// A float in scientific notation with `precision` decimals in the mantissa (`3.72e-6`):
    /// p-values, which span many orders of magnitude.
    Scientific {
        /// The value.
        value: f64,
        /// Decimals of the mantissa.
        precision: usize,
    },
    /// A mean and standard deviation over seeds, `mean ± std` (just `mean` when `std` is `None`).
    MeanStd {
        /// The mean.
        mean: f64,
        /// The sample standard deviation, if defined.
        std: Option<f64>,
        /// Decimals shown for both.
        precision: usize,
    },
    /// No value: `n/a` in Markdown, an empty field in CSV.
    Missing,
}

impl Cell {
    /// A text cell.
    pub fn text(s: impl Into<String>) -> Self {
        Self::Text(s.into())
    }

    /// An integer cell from a count (saturating at `i64::MAX`, far beyond any sample count).
    pub fn count(n: u64) -> Self {
        Self::Int(i64::try_from(n).unwrap_or(i64::MAX))
    }

    /// A float cell shown with `precision` decimals.
    pub fn float(value: f64, precision: usize) -> Self {
        Self::Float { value, precision }
    }

    /// A cell in scientific notation (for p-values).
    pub fn scientific(value: f64, precision: usize) -> Self {
        Self::Scientific { value, precision }
    }

    /// A `mean ± std` cell from a summary over seeds.
    pub fn mean_std(summary: &SeedSummary, precision: usize) -> Self {
        Self::MeanStd {
            mean: summary.mean,
            std: summary.std,
            precision,
        }
    }

    /// Whether the cell holds a number (numeric columns are right-aligned in Markdown).
    pub fn is_numeric(&self) -> bool {
        matches!(
            self,
            Self::Int(_) | Self::Float { .. } | Self::Scientific { .. } | Self::MeanStd { .. }
        )
    }

    /// The cell as text, the same in every format; a missing cell is the empty string.
    pub fn render(&self) -> String {
        match self {
            Self::Text(s) => s.clone(),
            Self::Int(n) => n.to_string(),
            Self::Float { value, precision } => fixed(*value, *precision),
            Self::Scientific { value, precision } => format!("{value:.precision$e}"),
            Self::MeanStd {
                mean,
                std: Some(std),
                precision,
            } => format!("{} ± {}", fixed(*mean, *precision), fixed(*std, *precision)),
            Self::MeanStd {
                mean,
                std: None,
                precision,
            } => fixed(*mean, *precision),
            Self::Missing => String::new(),
        }
    }
}

/// `value` with `precision` decimals; a value that rounds to zero is shown without a minus sign.
fn fixed(value: f64, precision: usize) -> String {
    let s = format!("{value:.precision$}");
    match s.strip_prefix('-') {
        Some(rest) if rest.chars().all(|c| c == '0' || c == '.') => rest.to_string(),
        _ => s,
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Self::text(s)
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Self::Text(s)
    }
}

impl From<i64> for Cell {
    fn from(n: i64) -> Self {
        Self::Int(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rendering() {
        assert_eq!(Cell::float(0.12345, 3).render(), "0.123");
        assert_eq!(Cell::float(2.0 / 3.0, 2).render(), "0.67");
        assert_eq!(Cell::float(-0.0001, 2).render(), "0.00");
        assert_eq!(Cell::float(-0.25, 2).render(), "-0.25");
        assert_eq!(Cell::count(42).render(), "42");
        assert_eq!(
            Cell::scientific(3.7229283892975546e-06, 2).render(),
            "3.72e-6"
        );
        assert_eq!(Cell::scientific(0.0348, 1).render(), "3.5e-2");
        assert_eq!(Cell::from(-7i64).render(), "-7");
        assert_eq!(Cell::from("LIN").render(), "LIN");
        let s = SeedSummary::new(vec![0.5]).unwrap();
        assert_eq!(Cell::mean_std(&s, 2).render(), "0.50");
        assert_eq!(Cell::Missing.render(), "");
        assert!(Cell::Int(1).is_numeric() && !Cell::Missing.is_numeric());
    }
}
