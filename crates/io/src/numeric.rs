//! Parsing the numbers of a text matrix, and assembling genes x samples rows into the
//! samples x genes matrix that the rest of rnameta uses.

use std::collections::HashMap;

use ndarray::Array2;

use crate::error::{ErrorKind, Result};
use crate::source::LineReader;

/// Which values a matrix may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValuePolicy {
    /// Counts and other non-negative values (TPM, coverage): negatives are refused.
    NonNegative,
    /// Any finite value (z-scores, log fold changes).
    AnyFinite,
}

/// Parses one matrix cell. NaN, infinities and `NA` are refused: an expression value is never
/// missing in the formats rnameta reads, so a missing one means a broken file.
pub fn parse_value(field: &str, policy: ValuePolicy) -> Result<f32, ErrorKind> {
    let text = field.trim();
    let value: f64 = match text.parse() {
        Ok(v) => v,
        Err(_) => {
            let lower = text.to_ascii_lowercase();
            return Err(
                if ["na", "nan", "inf", "-inf", "infinity", "-infinity", "+inf"]
                    .contains(&lower.as_str())
                {
                    ErrorKind::NotFinite {
                        value: text.to_owned(),
                    }
                } else {
                    ErrorKind::NotNumeric {
                        value: text.to_owned(),
                    }
                },
            );
        }
    };
    // `1e400` parses as infinity: a number written out, too large, not a missing value.
    let written_number = !text.to_ascii_lowercase().contains(['i', 'n']);
    if !value.is_finite() && !written_number {
        return Err(ErrorKind::NotFinite {
            value: text.to_owned(),
        });
    }
    if policy == ValuePolicy::NonNegative && value < 0.0 {
        return Err(ErrorKind::NegativeCount { value });
    }
    if !value.is_finite() || value.abs() > f64::from(f32::MAX) {
        return Err(ErrorKind::BeyondF32 {
            value: text.to_owned(),
        });
    }
    Ok(value as f32)
}

/// Collects a genes x samples text matrix row by row, checking each row's width and refusing a
/// gene seen before (versions ignored: `ENSG1.1` and `ENSG1.2` are one gene), then transposes to
/// samples x genes.
#[derive(Debug)]
pub struct GeneRowsBuilder {
    n_samples: usize,
    policy: ValuePolicy,
    gene_ids: Vec<String>,
    first_line: HashMap<String, u64>,
    values: Vec<f32>,
}

impl GeneRowsBuilder {
    /// A builder for rows of `n_samples` values.
    pub fn new(n_samples: usize, policy: ValuePolicy) -> Self {
        Self {
            n_samples,
            policy,
            gene_ids: Vec::new(),
            first_line: HashMap::new(),
            values: Vec::new(),
        }
    }

    /// Adds one gene's row: `values` are the sample fields after the leading id column(s);
    /// `expected_fields` is the header width, for the ragged-row message.
    pub fn push<'a, R>(
        &mut self,
        reader: &LineReader<R>,
        gene_id: &str,
        values: impl Iterator<Item = &'a str>,
        leading_fields: usize,
    ) -> Result<()> {
        let line = reader.line_number();
        if gene_id.is_empty() {
            return Err(reader.error(ErrorKind::Malformed("empty gene id".into())));
        }
        // Two versions of one Ensembl gene are the same gene to every later step.
        let canonical = rnameta_core::strip_version(gene_id);
        if let Some(first) = self.first_line.get(canonical) {
            return Err(reader.error(ErrorKind::DuplicateGene {
                id: gene_id.to_owned(),
                first: format!("line {first}"),
            }));
        }
        let start = self.values.len();
        let mut found = 0;
        for field in values {
            found += 1;
            if found > self.n_samples {
                continue;
            }
            let v = parse_value(field, self.policy).map_err(|kind| reader.error(kind))?;
            self.values.push(v);
        }
        if found != self.n_samples {
            self.values.truncate(start);
            return Err(reader.error(ErrorKind::Ragged {
                expected: self.n_samples + leading_fields,
                found: found + leading_fields,
            }));
        }
        self.first_line.insert(canonical.to_owned(), line);
        self.gene_ids.push(gene_id.to_owned());
        Ok(())
    }

    /// Number of genes so far.
    pub fn n_genes(&self) -> usize {
        self.gene_ids.len()
    }

    /// The samples x genes matrix and the gene ids in column order.
    pub fn finish(self) -> (Array2<f32>, Vec<String>) {
        let n_genes = self.gene_ids.len();
        let genes_by_samples = Array2::from_shape_vec((n_genes, self.n_samples), self.values)
            .expect("every pushed row has n_samples values");
        (
            genes_by_samples
                .reversed_axes()
                .as_standard_layout()
                .into_owned(),
            self.gene_ids,
        )
    }
}

/// Refuses a repeated sample id in a header; returns the error kind and the repeated id.
pub fn check_unique<'a>(ids: impl IntoIterator<Item = &'a str>) -> Result<(), ErrorKind> {
    let mut seen = std::collections::HashSet::new();
    for id in ids {
        if !seen.insert(id) {
            return Err(ErrorKind::DuplicateSample { id: id.to_owned() });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_refuses_values() {
        assert_eq!(parse_value("12", ValuePolicy::NonNegative).unwrap(), 12.0);
        assert_eq!(
            parse_value("1.5e3", ValuePolicy::NonNegative).unwrap(),
            1500.0
        );
        assert!(matches!(
            parse_value("-1", ValuePolicy::NonNegative),
            Err(ErrorKind::NegativeCount { .. })
        ));
        assert_eq!(parse_value("-1", ValuePolicy::AnyFinite).unwrap(), -1.0);
        assert!(matches!(
            parse_value("NaN", ValuePolicy::AnyFinite),
            Err(ErrorKind::NotFinite { .. })
        ));
        assert!(matches!(
            parse_value("NA", ValuePolicy::AnyFinite),
            Err(ErrorKind::NotFinite { .. })
        ));
        // Too large for the f32 every matrix is held in: said so, not called non-finite.
        for big in ["1e40", "-1e40", "1e400", "3.5e38"] {
            assert!(
                matches!(
                    parse_value(big, ValuePolicy::AnyFinite),
                    Err(ErrorKind::BeyondF32 { .. })
                ),
                "{big}"
            );
        }
        assert!(matches!(
            parse_value("inf", ValuePolicy::AnyFinite),
            Err(ErrorKind::NotFinite { .. })
        ));
        assert!(matches!(
            parse_value("12x", ValuePolicy::AnyFinite),
            Err(ErrorKind::NotNumeric { .. })
        ));
        assert!(
            matches!(check_unique(["a", "b", "a"]), Err(ErrorKind::DuplicateSample { id }) if id == "a")
        );
    }
}
