//! Sentences for refusing an input that was read but cannot be used as given: values that are not
//! counts, gene ids of another kind than a model's (where the negative values are:
//! `Dataset::negative_values`).

use rnameta_core::{GeneAnnotation, GeneIdKind, ValueKind};

/// Why values of `kind` cannot go into a pipeline that starts from raw counts, or `None` when
/// they can (integer counts; fractional non-negative values are taken as estimated counts).
pub fn counts_refusal(kind: ValueKind) -> Option<&'static str> {
    match kind {
        ValueKind::IntegerCounts | ValueKind::NonNegativeFractional => None,
        ValueKind::TpmLike => Some("looks like TPM (samples sum to ~1e6, fractional)"),
        ValueKind::LogLike => Some("looks log-transformed (fractional values, maximum below 32)"),
        ValueKind::Standardised => Some("looks standardised (has negative values)"),
        ValueKind::AllZero => Some(
            "holds only zeros (no expression measured in any sample: is it the right file, or \
             did an export lose its values?)",
        ),
        ValueKind::Empty => Some("holds no finite value"),
    }
}

/// When the gene ids of an input are of another kind than the model's (symbols against Ensembl
/// ids, say), a sentence saying so and what to do; `None` when the kinds match.
pub fn gene_id_mismatch(genes: &GeneAnnotation, model_gene_ids: &[String]) -> Option<String> {
    let input_kind = GeneIdKind::detect(
        genes
            .genes()
            .iter()
            .map(|g| g.source_id.as_deref().unwrap_or(&g.id)),
    )?;
    let model_kind = GeneIdKind::detect(model_gene_ids.iter().map(String::as_str))?;
    (!input_kind.matches(model_kind)).then(|| {
        format!(
            "the input's genes are {}, the model's are {}; rename the input's genes to the \
             model's kind of id first (the Ensembl gene table of the rnameta sources, \
             fixtures/real/ensembl100_grch38_genes.tsv.gz, lists each Ensembl id with its \
             symbol)",
            input_kind.describe(),
            model_kind.describe()
        )
    })
}
