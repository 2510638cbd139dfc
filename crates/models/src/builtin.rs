//! Models shipped inside rnameta, ready without training: `builtin:sex`.
//!
//! The sex model is a logistic regression on the unit-free input
//! ([`rnameta_preprocess::ModelInput::WithinSampleRanks`]) of a small panel: the Y genes of
//! [`SEX_GENES`](crate::disagreement::SEX_GENES) and 25 housekeeping genes that give their ranks a
//! scale (a Y gene ranked among the housekeeping genes is expressed; ranked below all of them, it
//! is silent). It is trained on the real GEUVADIS counts (85 lymphoblastoid cell lines, 41 female /
//! 44 male; `cargo xtask builtin-models` rebuilds it from `fixtures/real`, and a test checks that
//! the shipped bundle is what that recipe gives). XIST is not in the GEUVADIS matrix, so the
//! model reads the Y genes only: a female sample is one whose Y genes are silent.
//!
//! The bundle's files are compiled into the library and written to a temporary folder when
//! loaded, so a user of the crate or of the installed binary has it without the repository; the
//! bundle's checksums are verified on load as for any bundle.

use crate::{Error, Result, TrainedModel};

/// Version of the built-in sex model; part of the temporary folder's name and of the help.
pub const SEX_MODEL_VERSION: &str = "1";

/// The broadly expressed genes that anchor the Y genes' ranks (Eisenberg and Levanon 2013's
/// housekeeping genes and classic qPCR references), as Ensembl 100 ids with their symbols.
pub const HOUSEKEEPING_GENES: [(&str, &str); 25] = [
    ("ENSG00000075624", "ACTB"),
    ("ENSG00000111640", "GAPDH"),
    ("ENSG00000166710", "B2M"),
    ("ENSG00000112592", "TBP"),
    ("ENSG00000169919", "GUSB"),
    ("ENSG00000196262", "PPIA"),
    ("ENSG00000089157", "RPLP0"),
    ("ENSG00000142541", "RPL13A"),
    ("ENSG00000156508", "EEF1A1"),
    ("ENSG00000072274", "TFRC"),
    ("ENSG00000164924", "YWHAZ"),
    ("ENSG00000150991", "UBC"),
    ("ENSG00000256269", "HMBS"),
    ("ENSG00000073578", "SDHA"),
    ("ENSG00000134644", "PUM1"),
    ("ENSG00000181222", "POLR2A"),
    ("ENSG00000126067", "PSMB2"),
    ("ENSG00000165280", "VCP"),
    ("ENSG00000075785", "RAB7A"),
    ("ENSG00000130724", "CHMP2A"),
    ("ENSG00000134153", "EMC7"),
    ("ENSG00000105220", "GPI"),
    ("ENSG00000129625", "REEP5"),
    ("ENSG00000100028", "SNRPD3"),
    ("ENSG00000143612", "C1orf43"),
];

/// Largest fraction of the panel an input may lack: half, so that a file with the Y genes and a
/// dozen of the housekeeping genes is read (the panel is small, and each gene is one of many
/// anchors or one of seven Y genes).
pub const SEX_MODEL_MAX_MISSING: f64 = 0.5;

/// Probability below which the built-in sex model leaves a sample unassigned: the Y genes
/// neither clearly expressed nor clearly silent (too little signal, e.g. too shallow a library).
pub const SEX_MODEL_MIN_PROBABILITY: f32 = 0.9;

/// The gene ids the built-in sex model reads, in its order: the Y genes of
/// [`SEX_GENES`](crate::disagreement::SEX_GENES), then [`HOUSEKEEPING_GENES`].
pub fn sex_model_genes() -> Vec<String> {
    let mut genes = y_genes();
    genes.extend(HOUSEKEEPING_GENES.iter().map(|(id, _)| (*id).to_owned()));
    genes
}

/// The Y genes of [`SEX_GENES`](crate::disagreement::SEX_GENES): the sex model's signal genes
/// ([`TrainedModel::set_signal_genes`]); data without any of them gets no answer.
pub fn y_genes() -> Vec<String> {
    crate::disagreement::SEX_GENES
        .iter()
        .filter(|g| g.chromosome == "Y")
        .map(|g| g.id.to_owned())
        .collect()
}

/// The bundle's files, compiled in (written by `cargo xtask builtin-models`).
const SEX_BUNDLE: [(&str, &[u8]); 2] = [
    (
        crate::bundle::MANIFEST_FILE,
        include_bytes!("../assets/builtin/sex/manifest.json"),
    ),
    (
        crate::bundle::TENSORS_FILE,
        include_bytes!("../assets/builtin/sex/model.safetensors"),
    ),
];

/// The names `builtin:NAME` takes.
pub const BUILTIN_MODELS: [&str; 1] = ["sex"];

/// The built-in model `name` (`sex`), loaded and checked like any bundle, with its own
/// missing-gene limit.
pub fn builtin(name: &str) -> Result<TrainedModel> {
    if name != "sex" {
        return Err(Error::UnknownBuiltin {
            name: name.to_owned(),
            known: BUILTIN_MODELS.join(", "),
        });
    }
    // One folder per load (process id and a counter): loads in parallel threads never share one.
    static LOADS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let load = LOADS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!(
        "rnameta-builtin-sex-v{SEX_MODEL_VERSION}-{}-{load}",
        std::process::id()
    ));
    // Written through the bundle writer (rnameta-io's atomic files), read back as any bundle.
    let loaded = crate::bundle::install(&dir, &SEX_BUNDLE).and_then(|()| TrainedModel::load(&dir));
    // The copy is only read once; a failure to remove it leaves a small folder in /tmp.
    let _ = std::fs::remove_dir_all(&dir);
    let mut model = loaded?;
    model.set_max_missing_fraction(SEX_MODEL_MAX_MISSING)?;
    Ok(model)
}
