//! Files keyed by gene symbols, Entrez ids or RefSeq transcripts, brought onto rnameta's
//! canonical key (the unversioned Ensembl gene id) through the gene id table io ships
//! ([`rnameta_io::gene_ids`]), as preprocess's [`rnameta_preprocess::harmonise::to_ensembl`]
//! does it: the columns of one gene added up, ambiguous and unknown ids dropped and reported.

use rnameta_core::{Dataset, GeneIdKind};
use rnameta_io::gene_ids::{GeneIdMap, EMBEDDED_SOURCE};
use rnameta_preprocess::harmonise::to_ensembl;

use crate::error::{Error, Result};
use crate::report::LoadReport;

/// Maps `data` (a whole file or one chunk of it) onto Ensembl genes when most of its gene ids
/// are of another kind, recording the mapping in `report` (a note sentence and
/// [`LoadReport::gene_id_mappings`]); files keyed by Ensembl ids, with or without versions, are
/// left as they are. Refuses a file none of whose ids maps, naming its first ids, rather than
/// going on with no gene.
pub fn map_to_ensembl(data: &mut Dataset, report: &mut LoadReport) -> Result<()> {
    let ids = data
        .genes()
        .genes()
        .iter()
        .map(|g| g.source_id.as_deref().unwrap_or(&g.id));
    let kind = match GeneIdKind::detect(ids) {
        None | Some(GeneIdKind::Ensembl | GeneIdKind::EnsemblVersioned) => return Ok(()),
        Some(kind) => kind,
    };
    let table = GeneIdMap::embedded()?;
    let (mapped, mapping) = to_ensembl(data, |id| table.to_ensembl(id))?;
    if mapped.n_genes() == 0 {
        return Err(Error::NoGeneMapped {
            kind: kind.describe(),
            examples: mapping.unknown_examples.join(", "),
            ambiguous: mapping.ambiguous,
        });
    }
    report.note(mapping.sentence(&format!("rnameta's gene id table ({EMBEDDED_SOURCE})")));
    report.mapped_gene_ids(mapping);
    *data = mapped;
    Ok(())
}
