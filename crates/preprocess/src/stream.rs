//! Plumbing for out-of-core computations over sample chunks (`Iterator<Item = Result<Dataset, E>>`,
//! as `rnameta_io::archs4::Archs4Reader::chunks` gives): source errors become [`Error::Stream`]
//! with the chunk number, and every chunk must carry the genes of the first.

use std::fmt::Display;

use rnameta_core::Dataset;

use crate::{check, Error, Result};

/// Calls `f` on each chunk in order, after checking that its genes equal the first chunk's.
/// Returns the gene ids of the stream and the number of samples seen.
pub(crate) fn for_each_chunk<I, E, F>(chunks: I, mut f: F) -> Result<(Vec<String>, usize)>
where
    I: IntoIterator<Item = std::result::Result<Dataset, E>>,
    E: Display,
    F: FnMut(&Dataset) -> Result<()>,
{
    let mut genes: Option<Vec<String>> = None;
    let mut samples = 0usize;
    for (index, chunk) in chunks.into_iter().enumerate() {
        let chunk = chunk.map_err(|e| Error::Stream {
            chunk: index,
            reason: e.to_string(),
        })?;
        match &genes {
            None => genes = Some(chunk.genes().ids().map(str::to_owned).collect()),
            Some(expected) => {
                check::same_genes(expected, chunk.genes().ids()).map_err(|e| Error::Stream {
                    chunk: index,
                    reason: e.to_string(),
                })?
            }
        }
        samples += chunk.n_samples();
        f(&chunk)?;
    }
    Ok((genes.unwrap_or_default(), samples))
}
