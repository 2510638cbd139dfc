//! The error type of `rnameta-data`: what went wrong while finding, reading, labelling or
//! stacking inputs. The messages are the ones the `rnameta` command prints.

use std::path::PathBuf;

use rnameta_io::detect::Format;

/// Why inputs could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read or parsed (the file and where in it are in the io error).
    #[error(transparent)]
    Io(#[from] rnameta_io::Error),
    /// The files read do not fit together as one dataset (shapes, duplicate ids).
    #[error(transparent)]
    Dataset(#[from] rnameta_core::Error),
    /// The genes of one file could not be put in the order of the others.
    #[error(transparent)]
    Harmonise(#[from] rnameta_preprocess::Error),
    /// An input path that does not exist.
    #[error("{}: no such file or directory", path.display())]
    NoSuchPath {
        /// The path given.
        path: PathBuf,
    },
    /// A directory (or one below it) could not be listed.
    #[error("reading directory {}", path.display())]
    ReadDirectory {
        /// The directory.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// A directory input holds no expression file, only companions or unknown files.
    #[error(
        "{}: no expression file found in the directory (matrices, GCT, recount3 gene sums, \
         ARCHS4 HDF5, Parquet)",
        dir.display()
    )]
    NoExpressionFile {
        /// The directory given.
        dir: PathBuf,
    },
    /// A file input of a known format that holds no expression matrix (a label table, a GTF).
    #[error(
        "{}: a {format}, not an expression matrix (label tables go to --labels, gene \
         annotations to --gene-annotation)",
        path.display()
    )]
    NotExpression {
        /// The file.
        path: PathBuf,
        /// Its detected format.
        format: Format,
    },
    /// The gene annotation option names a file that is neither a GTF nor an annotation table.
    #[error(
        "{}: --gene-annotation needs a GTF or a gene annotation table, this is a {format}",
        path.display()
    )]
    NotGeneAnnotation {
        /// The file.
        path: PathBuf,
        /// Its detected format.
        format: Format,
    },
    /// A recount3 gene sums file whose name does not follow recount3's pattern, so that its
    /// project's tables cannot be found.
    #[error(
        "{}: not a recount3 file name (<source>.gene_sums.<project>.<annotation>.gz), so its \
         recount_qc table cannot be found",
        path.display()
    )]
    NotRecount3Name {
        /// The gene sums file.
        path: PathBuf,
    },
    /// The `recount_qc` table that turns a gene sums file's coverage into read counts was found
    /// neither next to the file nor in the recount3 metadata folder.
    #[error(
        "{}: the project's {table} table is needed to turn coverage sums into read counts; it \
         was looked for next to the file and in the recount3 metadata folder",
        path.display()
    )]
    MissingRecountQc {
        /// The gene sums file.
        path: PathBuf,
        /// The file name of the table looked for.
        table: String,
    },
    /// An error while reading one expression file of several, naming the file.
    #[error("reading {}", path.display())]
    Reading {
        /// The expression file.
        path: PathBuf,
        /// What went wrong.
        #[source]
        source: Box<Error>,
    },
    /// One sample in two input files: it would be trained on, predicted or scored twice.
    #[error(
        "sample {sample} is in both {} and {}; give each sample once (drop one of the files, \
         or the sample from one of them)",
        first.display(),
        second.display()
    )]
    DuplicateSample {
        /// The sample id.
        sample: String,
        /// The file it was first read from.
        first: PathBuf,
        /// The file it was read from again.
        second: PathBuf,
    },
    /// Nothing to stack.
    #[error("no expression file given")]
    NoInput,
    /// Only labelled samples were asked for, and no sample of the inputs is labelled.
    #[error(
        "none of the {left_out} samples read is labelled for any task (tissue, sex or sample \
         source), and only labelled samples were asked for; give the labels (--labels) or keep \
         every sample"
    )]
    NoLabelledSample {
        /// Samples read and left out.
        left_out: usize,
    },
    /// A file keyed by symbols, Entrez ids or RefSeq accessions none of which the gene id table
    /// maps to one Ensembl gene.
    #[error(
        "none of the file's genes ({kind}) maps to an Ensembl gene through rnameta's gene id \
         table ({ambiguous} ambiguous; unknown, e.g.: {examples}); is it human, and are its gene \
         ids in the first column (or row)?"
    )]
    NoGeneMapped {
        /// What the file's ids look like.
        kind: &'static str,
        /// Its first unknown ids.
        examples: String,
        /// How many of its ids named several genes.
        ambiguous: usize,
    },
    /// The input files have no gene id in common.
    #[error("the input files share no gene id ({files}); are they from the same organism and annotation?")]
    NoSharedGene {
        /// Each input and its gene count, e.g. `a.tsv 450 genes, b.tsv 400`.
        files: String,
    },
    /// The input files share so few genes (fewer than a tenth of the smallest file's) that
    /// stacking them on the shared genes would leave next to nothing: most likely files of
    /// different organisms, annotations or gene panels.
    #[error(
        "the input files share only {shared} gene ids ({files}), fewer than a tenth of the \
         smallest file's {smallest} genes, too few to train or predict on; are they from the \
         same organism and annotation? Load them separately, or give files that measure the \
         same genes"
    )]
    FewSharedGenes {
        /// Genes in every input.
        shared: usize,
        /// Genes of the input with the fewest.
        smallest: usize,
        /// Each input and its gene count, e.g. `a.tsv 450 genes, b.tsv 400`.
        files: String,
    },
    /// `rnameta plan`: no recount3 mirror at or below the path given.
    #[error(
        "{}: no recount3 mirror here: expected a folder holding human/ (with human/homes_index \
         or human/data_sources/), that human/ folder itself, or a folder holding recount3/human/ \
         (as rnameta fetch --out DIR and rnameta simulate --out DIR write)",
        path.display()
    )]
    NoRecount3Mirror {
        /// The path given.
        path: PathBuf,
    },
    /// `rnameta plan`: a data-source home without its project table.
    #[error(
        "{}: recount3's project table is missing; download it from {url} to that path (it \
         lists every project of the data source and its samples)",
        path.display()
    )]
    NoProjectTable {
        /// Where the table belongs in the mirror.
        path: PathBuf,
        /// Where to download it.
        url: String,
    },
    /// `rnameta plan`: the MetaSRA input is a file of another format.
    #[error(
        "{}: a {format}, not a MetaSRA JSON release (rnameta fetch metasra downloads one)",
        path.display()
    )]
    NotMetaSra {
        /// The file.
        path: PathBuf,
        /// Its detected format.
        format: Format,
    },
    /// `rnameta plan`: a JSON file that parses as MetaSRA's layout but holds no MetaSRA release.
    #[error(
        "{}: not a MetaSRA release: {why} (rnameta fetch metasra downloads one)",
        path.display()
    )]
    NotMetaSraRelease {
        /// The file.
        path: PathBuf,
        /// What gives it away.
        why: String,
    },
    /// `rnameta plan`, stage 2: projects whose own metadata table is not in the mirror.
    #[error(
        "{missing} of {total} projects have no metadata table in the mirror (first: {first}); \
         fetch them first (stage 1's projects.tsv names each under metadata_table; rnameta fetch \
         recount3 --data-source SOURCE --project ID --metadata-only fetches them), or plan \
         without them with --skip-missing"
    )]
    MissingMetadata {
        /// Projects lacking their table.
        missing: usize,
        /// Projects planned.
        total: usize,
        /// The first missing tables, relative to the mirror's root.
        first: String,
    },
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
