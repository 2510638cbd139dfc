//! `rnameta annotate`: applies a trained bundle to expression files and writes per-sample class
//! probabilities, the predicted class, and optionally a table of confident predictions to train on
//! (the paper's feedback loop).
//!
//! Inputs are handled one file at a time and ARCHS4 HDF5 files one chunk of samples at a time, so
//! memory is bounded by the largest plain file or one chunk. A TSV output is written row by row
//! into a temporary file in the target folder and renamed when complete; a failed run leaves no
//! output file.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::{bail, Context, Result};
use clap::Args as ClapArgs;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rnameta_core::{Dataset, InputUnits, Task, ValueKind};
use rnameta_data::{AnnotationCache, ExpressionFile, LoadOptions, LoadReport, SeenSamples};
use rnameta_io::archs4::Archs4Reader;
use rnameta_io::detect::Format;
use rnameta_io::parquet::{Prediction, PredictionWriter, UNASSIGNED};
use rnameta_io::write::{commit_all, stage, Staged, StagedWriter};
use rnameta_models::{GeneMatch, InputPlan, TrainedModel};
use rnameta_preprocess::pipeline::FittedStep;

use crate::outputs::check_output_file;

/// Samples per ARCHS4 chunk: bounded memory whatever the file's size.
pub const ARCHS4_CHUNK: usize = 1024;

/// `rnameta annotate` arguments.
#[derive(Debug, ClapArgs)]
pub struct Args {
    /// The model and how it reads the inputs.
    #[command(flatten)]
    pub applying: ModelArgs,
    /// Expression files or directories to annotate (matrices, GCT, recount3 gene sums, ARCHS4
    /// HDF5, Parquet).
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// Output table: `.parquet` writes Parquet, anything else TSV. Default: TSV on standard output.
    #[arg(short = 'o', long = "out", value_name = "OUT")]
    pub out: Option<PathBuf>,
    /// Samples whose highest class probability is below this are `unassigned` (0 to 1; default
    /// 0, and 0.9 for builtin:sex).
    #[arg(long = "min-prob", value_name = "P", allow_negative_numbers = true)]
    pub min_prob: Option<f32>,
    /// Also write the samples predicted with probability >= P (0 to 1) as a label table
    /// (sample_id, the task's column, probability, study) that `train --labels` reads: new
    /// training labels.
    #[arg(
        long = "emit-training-labels",
        value_name = "P",
        allow_negative_numbers = true
    )]
    pub emit_training_labels: Option<f32>,
    /// Where the training labels go (default: OUT with `.training-labels.tsv` in place of its
    /// extension).
    #[arg(long = "training-labels-out", value_name = "FILE")]
    pub training_labels_out: Option<PathBuf>,
    /// A sample label table applied to the inputs (kept in the output's study column).
    #[arg(long, value_name = "TABLE")]
    pub labels: Option<PathBuf>,
    /// No progress bar (it is also hidden when standard error is not a terminal).
    #[arg(long)]
    pub quiet: bool,
}

/// The flags `annotate`, `evaluate` and `check` share: which model, and how it reads the inputs.
#[derive(Debug, ClapArgs)]
pub struct ModelArgs {
    /// The model bundle written by `rnameta train`, or `builtin:sex` (the sex model shipped
    /// with rnameta: unit-free, trained on real GEUVADIS counts, reads 7 Y genes and 25
    /// housekeeping genes).
    #[arg(long, value_name = "MODEL_DIR")]
    pub model: PathBuf,
    /// Largest fraction of the model's genes that may be missing from an input (0 to 1; default:
    /// the bundle's, 0.1, and 0.5 for builtin:sex).
    #[arg(long = "max-missing", value_name = "F", allow_negative_numbers = true)]
    pub max_missing: Option<f64>,
    /// The units of the inputs' values, for a unit-free model: counts, cpm, tpm, fpkm,
    /// log2-counts (log2 CPM), log2-tpm, log2-array. Default: judged from the values, and said.
    #[arg(long, value_name = "UNITS", value_parser = parse_units)]
    pub units: Option<InputUnits>,
    /// A GTF or gene annotation table for the inputs' genes (symbols -> ids).
    #[arg(long = "gene-annotation", value_name = "FILE")]
    pub gene_annotation: Option<PathBuf>,
}

/// `--units` as [`InputUnits`], or the list of names it takes.
pub fn parse_units(name: &str) -> Result<InputUnits, String> {
    InputUnits::parse(name).ok_or_else(|| {
        let names: Vec<&str> = InputUnits::ALL.iter().map(|u| u.as_str()).collect();
        format!("{name:?} is none of {}", names.join(", "))
    })
}

/// A loaded model with what applying it needs.
pub struct Annotator {
    /// The model.
    pub model: TrainedModel,
    /// Whether the model's pipeline starts from raw counts (and reads its levels: a unit-free
    /// model reads any units).
    expects_counts: bool,
    /// The inputs' units as the user stated them (`--units`), for a unit-free model.
    units: Option<InputUnits>,
    /// Minimum probability for a class to be assigned.
    min_prob: f32,
    /// Files whose values were judged (counts for a model of levels, on their first chunk: the
    /// check scans every value; the units a unit-free model read them in, said once per file).
    judged_files: Mutex<Vec<PathBuf>>,
    /// How the last genes seen map onto the model: the chunks of a file share its genes, so
    /// the map is made once per file, not once per chunk.
    last_plan: Mutex<Option<Arc<InputPlan>>>,
}

impl Annotator {
    /// Loads the model of `args` (a bundle or a built-in model, `builtin:NAME`) with its
    /// missing-gene limit and inputs' units, and the probability threshold `min_prob` (default:
    /// 0, and the built-in sex model's own).
    pub fn load(args: &ModelArgs, min_prob: Option<f32>) -> Result<Self> {
        let (dir, max_missing, units) = (args.model.as_path(), args.max_missing, args.units);
        let builtin = dir.to_str().and_then(|name| name.strip_prefix("builtin:"));
        let min_prob = min_prob.unwrap_or(match builtin {
            Some(_) => rnameta_models::builtin::SEX_MODEL_MIN_PROBABILITY,
            None => 0.0,
        });
        if builtin.is_none() && !dir.is_dir() {
            bail!(
                "model {}: not a directory (a bundle is the folder `rnameta train -o` wrote)",
                dir.display()
            );
        }
        if !(0.0..=1.0).contains(&min_prob) {
            bail!(
                "--min-prob {min_prob} is not in [0, 1]: give a probability, e.g. --min-prob 0.5"
            );
        }
        if let Some(f) = max_missing.filter(|f| !(0.0..=1.0).contains(f)) {
            bail!("--max-missing {f} is not in [0, 1]: give a fraction, e.g. --max-missing 0.1");
        }
        let mut model = match builtin {
            Some(name) => rnameta_models::builtin::builtin(name)
                .with_context(|| format!("loading the built-in model {name}"))?,
            None => TrainedModel::load(dir)
                .with_context(|| format!("loading the model bundle {}", dir.display()))?,
        };
        if let Some(f) = max_missing {
            model.set_max_missing_fraction(f).context("--max-missing")?;
        }
        let expects_counts = !model.is_unit_free()
            && matches!(
                model.preprocessing().pipeline.steps.first(),
                Some(FittedStep::Tpm { .. } | FittedStep::Cpm | FittedStep::Ln1p)
            );
        if let Some(units) = units.filter(|u| !model.is_unit_free() && *u != InputUnits::Counts) {
            bail!(
                "--units {units}: the model {} reads the levels of its pipeline, computed from \
                 raw counts, and cannot read other units; give counts, or train a unit-free \
                 model (rnameta train --model-input unit-free)",
                dir.display()
            );
        }
        Ok(Self {
            model,
            expects_counts,
            units,
            min_prob,
            judged_files: Mutex::new(Vec::new()),
            last_plan: Mutex::new(None),
        })
    }

    /// The task, as stored in the bundle.
    pub fn task(&self) -> Option<Task> {
        self.model.task()
    }

    /// Predictions for every sample of `data` (read from `file`), after checking the value kind.
    ///
    /// The value kind is judged on the first data of each file (the whole file, or the first
    /// chunk of an ARCHS4 file, whose `uint32` counts are counts in every chunk).
    pub fn predict(&self, data: &Dataset, file: &Path) -> Result<(Vec<Prediction>, GeneMatch)> {
        if self.expects_counts {
            // A poisoned lock only means a panic elsewhere; the list itself stays valid.
            let mut judged = self.judged_files.lock().unwrap_or_else(|e| e.into_inner());
            if !judged.iter().any(|p| p == file) {
                let kind = data.value_kind();
                if let Some(reason) = rnameta_data::counts_refusal(kind) {
                    bail!(
                        "{}: {reason}{}; the model expects raw counts (its preprocessing starts \
                         from counts), and these values cannot be turned back into counts; a \
                         unit-free model (rnameta train --model-input unit-free) reads them",
                        file.display(),
                        data.negative_values().unwrap_or_default()
                    );
                }
                if kind == ValueKind::NonNegativeFractional {
                    // Estimated counts (RSEM) are what the model reads; FPKM looks the same and
                    // gives wrong answers (measured on GEUVADIS: logistic regression 0.52).
                    eprintln!(
                        "note: {}: fractional values, taken as estimated counts (RSEM expected or \
                         normalised counts); if they are FPKM / RPKM, these answers are wrong: \
                         use a unit-free model (rnameta train --model-input unit-free)",
                        file.display()
                    );
                }
                judged.push(file.to_path_buf());
            }
        }
        let annotation = self
            .plan_for(data)
            .and_then(|plan| Ok(self.model.annotate_with(&plan, data)?))
            .map_err(|err| {
                match rnameta_data::gene_id_mismatch(data.genes(), self.model.gene_ids()) {
                    Some(hint) => err.context(hint),
                    None => with_unit_free_hint(err, self.model.gene_ids().len()),
                }
            })
            .with_context(|| format!("annotating {}", file.display()))?;
        if let Some(judged) = &annotation.units {
            // Said once per file: the chunks of an ARCHS4 file are its one kind of counts.
            let mut judged_files = self.judged_files.lock().unwrap_or_else(|e| e.into_inner());
            if !judged_files.iter().any(|p| p == file) {
                eprintln!(
                    "note: {}: values read as {} ({})",
                    file.display(),
                    judged.units,
                    judged.reason
                );
                judged_files.push(file.to_path_buf());
            }
        }
        // Unassigned: a tie, NaN, LIN's row of zeros, below --min-prob, or none of the model's
        // genes in the data (the library's rule, so that every caller applies the same).
        let assigned = annotation.assigned(self.min_prob);
        let rows = data
            .samples()
            .iter()
            .zip(annotation.proba.rows())
            .zip(assigned)
            .map(|((s, p), class)| Prediction {
                sample_id: s.sample_id.clone(),
                predicted: class
                    .map_or_else(|| UNASSIGNED.to_owned(), |c| annotation.classes[c].clone()),
                max_probability: p
                    .iter()
                    .copied()
                    .filter(|v| v.is_finite())
                    .fold(0.0, f32::max),
                probabilities: p.to_vec(),
            })
            .collect();
        Ok((rows, annotation.genes))
    }

    /// The input plan for `data`'s genes: the last one when it fits them, else a new one.
    fn plan_for(&self, data: &Dataset) -> Result<Arc<InputPlan>> {
        // A poisoned lock only means a panic elsewhere; the plan itself stays valid.
        let mut last = self.last_plan.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(plan) = last.as_ref().filter(|p| p.fits(data.genes())) {
            return Ok(Arc::clone(plan));
        }
        let mut plan = self.model.input_plan(data.genes())?;
        if let Some(units) = self.units {
            plan = plan.with_units(units);
        }
        let plan = Arc::new(plan);
        *last = Some(Arc::clone(&plan));
        Ok(plan)
    }
}

/// `err` with a hint to train a unit-free model when it says that the genes of a levels model's
/// preprocessing (every training gene) are missing: that model cannot read a file that lacks
/// training genes, even when the file has all of the model's own `model_genes` genes, whereas a
/// unit-free model reads only those. Other errors are returned as they are.
fn with_unit_free_hint(err: anyhow::Error, model_genes: usize) -> anyhow::Error {
    let concerns_preprocessing = matches!(
        err.downcast_ref::<rnameta_models::Error>(),
        Some(rnameta_models::Error::TooManyMissingGenes { what, .. })
            if what.starts_with("genes of the preprocessing")
    );
    if !concerns_preprocessing {
        return err;
    }
    anyhow::anyhow!(
        "{err:#}; this model reads levels, whose preprocessing (TPM / CPM over all genes) needs \
         every training gene, not only the model's {model_genes}; a unit-free model reads only \
         its own genes: train one with rnameta train --model-input unit-free (the same files \
         and --genes), or give a file with the training genes"
    )
}

/// A progress bar over samples, hidden when `quiet` or standard error is not a terminal.
pub fn progress(quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::hidden());
    }
    let bar = ProgressBar::new(0);
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} {pos}/{len} samples {wide_bar} {elapsed}")
    {
        bar.set_style(style);
    }
    bar
}

/// Calls `each` on every input in turn: plain files whole, ARCHS4 files chunk by chunk, each
/// labelled by its companions and `extras`. `each` gets the data and the file it came from.
/// What labelled and annotated the data is added to `notes` at the end, and printed to standard
/// error when a file fails.
pub fn for_each_chunk(
    files: &[ExpressionFile],
    extras: &LoadOptions,
    notes: &mut Vec<String>,
    bar: &ProgressBar,
    mut each: impl FnMut(&Dataset, &Path, &mut Vec<String>) -> Result<()>,
) -> Result<()> {
    let mut seen = SeenSamples::default();
    let mut annotations = AnnotationCache::new();
    let mut report = LoadReport::default();
    let mut read_all = || -> Result<()> {
        for file in files {
            if file.format == Format::Archs4Hdf5 {
                // The companions and extras are read once per file (on its first chunk, as before),
                // and applied to every chunk.
                let mut labelling: Option<rnameta_data::Labelling> = None;
                let mut on_chunk = |mut chunk: Dataset| -> Result<()> {
                    let labelling = match labelling {
                        Some(ref l) => l,
                        None => labelling.insert(rnameta_data::Labelling::load(
                            &file.companions,
                            extras,
                            &mut annotations,
                        )?),
                    };
                    labelling.apply(&mut chunk, &mut report)?;
                    seen.add(&chunk, &file.path)?;
                    each(&chunk, &file.path, notes)?;
                    bar.inc(chunk.n_samples() as u64);
                    Ok(())
                };
                read_ahead(&file.path, bar, &mut on_chunk)?;
            } else {
                let data = rnameta_data::read_file(file, extras, &mut annotations, &mut report)
                    .with_context(|| format!("reading {}", file.path.display()))?;
                if data.n_samples() == 0 {
                    // A shard whose samples the SRA QC all removed: nothing to judge or score.
                    report.note(format!("{}: no samples, skipped", file.path.display()));
                    continue;
                }
                seen.add(&data, &file.path)?;
                bar.inc_length(data.n_samples() as u64);
                each(&data, &file.path, notes)?;
                bar.inc(data.n_samples() as u64);
            }
        }
        Ok(())
    };
    let result = read_all();
    if result.is_err() {
        // What was mapped or labelled before the failure explains it as often as not (a file
        // whose symbols matched few of the model's genes): said before the error.
        for note in report.notes.iter().filter(|n| !notes.contains(n)) {
            eprintln!("note: {note}");
        }
    }
    for note in report.notes {
        if !notes.contains(&note) {
            notes.push(note);
        }
    }
    result
}

/// Opens the ARCHS4 file `path` and calls `on_chunk` on every chunk in file order while a second
/// thread reads and inflates the next one, so that decompression and the model's work overlap.
/// At most two chunks wait beside the one being worked on, so memory stays bounded whatever the
/// file's size. The first error, from either side, ends the stream. (The HDF5 file handle cannot
/// move between threads: the reading thread opens it and keeps it.)
fn read_ahead(
    path: &Path,
    bar: &ProgressBar,
    on_chunk: &mut dyn FnMut(Dataset) -> Result<()>,
) -> Result<()> {
    /// What the reading thread sends: the file's size once opened, then its chunks.
    enum Read {
        Opened { samples: usize },
        Chunk(Dataset),
    }
    std::thread::scope(|scope| {
        let (ready, received) = std::sync::mpsc::sync_channel::<Result<Read>>(1);
        scope.spawn(move || {
            let reader = match Archs4Reader::open(path) {
                Ok(reader) => reader,
                Err(e) => {
                    // The consumer is waiting for this message; nothing else can fail here.
                    let _ = ready.send(Err(e.into()));
                    return;
                }
            };
            let opened = Read::Opened {
                samples: reader.n_samples(),
            };
            if ready.send(Ok(opened)).is_err() {
                return;
            }
            for chunk in reader.chunks(ARCHS4_CHUNK) {
                let failed = chunk.is_err();
                // A closed channel means the consumer stopped (on an error of its own).
                if ready
                    .send(chunk.map(Read::Chunk).map_err(Into::into))
                    .is_err()
                    || failed
                {
                    break;
                }
            }
        });
        for message in received {
            match message? {
                Read::Opened { samples } => bar.inc_length(samples as u64),
                Read::Chunk(chunk) => on_chunk(chunk)?,
            }
        }
        Ok(())
    })
}

/// Gives the model's work one thread fewer than the machine has cores, leaving one to the thread
/// that reads and inflates ARCHS4 chunks ([`read_ahead`]): when both share every core they take
/// turns, and the reader, which sets the pace, waits. Measured on 2 cores, a simulated ARCHS4 file
/// of 30,000 x 19,924 and a LIN tissue model: 8.8 s with one worker against 9.5-9.8 s with two,
/// where reading alone takes 8.5 s; the predictions are the same bytes (no number depends on the
/// thread count). Runs before anything uses rayon's pool; if something already did, nothing
/// changes.
fn leave_a_core_to_the_reader() {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let workers = std::env::var("RAYON_NUM_THREADS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or(cores.saturating_sub(1).max(1));
    // An error means the pool was already built: keep it.
    let _ = rayon::ThreadPoolBuilder::new()
        .num_threads(workers)
        .build_global();
}

/// Tells how the genes of one file matched the model's (once per file).
pub fn report_genes(genes: &GeneMatch, file: &Path, reported: &mut Vec<PathBuf>) {
    if reported.iter().any(|p| p == file) {
        return;
    }
    reported.push(file.to_path_buf());
    let missing = genes.missing_model_genes.len();
    eprintln!(
        "note: {}: {} of {} model genes found ({missing} missing, filled with their training mean)",
        file.display(),
        genes.model_genes - missing,
        genes.model_genes
    );
}

/// Runs `rnameta annotate`.
pub fn run(args: &Args) -> Result<()> {
    let annotator = Annotator::load(&args.applying, args.min_prob)?;
    let task = annotator.task();
    if let Some(out) = &args.out {
        check_output_file(out, "-o")?;
    }
    let labels_out = match args.emit_training_labels {
        None => None,
        Some(p) if !(0.0..=1.0).contains(&p) => {
            bail!("--emit-training-labels {p} is not a probability in [0, 1]")
        }
        Some(p) => {
            let path = match (&args.training_labels_out, &args.out) {
                (Some(path), _) => path.clone(),
                (None, Some(out)) => out.with_extension("training-labels.tsv"),
                (None, None) => bail!(
                    "--emit-training-labels needs -o OUT or --training-labels-out FILE to know \
                     where the labels go"
                ),
            };
            check_output_file(&path, "--training-labels-out")?;
            if args.out.as_ref() == Some(&path) {
                bail!(
                    "--training-labels-out {} is also the -o output; give two different files",
                    path.display()
                );
            }
            Some((p, path))
        }
    };
    let extras = LoadOptions {
        labels: args.labels.clone(),
        gene_annotation: args.applying.gene_annotation.clone(),
        ..LoadOptions::default()
    };
    let files = rnameta_data::expression_files(&args.inputs)?;
    if files.iter().any(|f| f.format == Format::Archs4Hdf5) {
        leave_a_core_to_the_reader();
    }
    let classes = annotator.model.classes().to_vec();
    let bar = progress(args.quiet);
    let mut notes = Vec::new();
    let mut reported = Vec::new();
    let mut n_samples = 0usize;
    let mut unassigned = 0usize;

    // Every output is staged (written beside its target as the chunks come) and all are renamed
    // into place at the end: a failure anywhere leaves none of them.
    let mut labels = match &labels_out {
        None => None,
        Some((_, path)) => {
            let column = task.map_or("label", |t| match t {
                Task::Tissue => "tissue",
                Task::Sex => "sex",
                Task::SampleSource => "sample_source",
            });
            let mut writer = StagedWriter::begin(path)?;
            writeln!(writer, "sample_id\t{column}\tprobability\tstudy")
                .with_context(|| format!("writing {}", path.display()))?;
            Some(TrainingLabels { writer, written: 0 })
        }
    };
    let mut handle = |rows: &[Prediction], data: &Dataset| -> Result<()> {
        n_samples += rows.len();
        unassigned += rows.iter().filter(|r| r.predicted == UNASSIGNED).count();
        if let (Some((p, path)), Some(labels)) = (&labels_out, labels.as_mut()) {
            labels
                .write(rows, data, *p)
                .with_context(|| format!("writing {}", path.display()))?;
        }
        Ok(())
    };

    let mut staged: Vec<Staged> = Vec::new();
    let parquet_out = args
        .out
        .as_ref()
        .filter(|o| o.extension().is_some_and(|e| e == "parquet"));
    if let Some(out) = parquet_out {
        let mut table = PredictionWriter::begin(out, classes.clone())
            .with_context(|| format!("writing {}", out.display()))?;
        for_each_chunk(&files, &extras, &mut notes, &bar, |data, file, _| {
            let (rows, genes) = annotator.predict(data, file)?;
            report_genes(&genes, file, &mut reported);
            handle(&rows, data)?;
            table.write(&rows)?;
            Ok(())
        })?;
        staged.push(
            table
                .finish()
                .with_context(|| format!("writing {}", out.display()))?,
        );
    } else {
        let mut failure: Option<anyhow::Error> = None;
        let mut stream = |w: &mut dyn Write| -> std::io::Result<()> {
            write_header(w, &classes)?;
            let result = for_each_chunk(&files, &extras, &mut notes, &bar, |data, file, _| {
                let (rows, genes) = annotator.predict(data, file)?;
                report_genes(&genes, file, &mut reported);
                handle(&rows, data)?;
                for row in &rows {
                    write_row(w, row)?;
                }
                Ok(())
            });
            match result {
                Ok(()) => Ok(()),
                Err(err) => {
                    let text = format!("{err:#}");
                    failure = Some(err);
                    Err(std::io::Error::other(text))
                }
            }
        };
        match &args.out {
            Some(out) => {
                let written = stage(out, &mut stream);
                if let Some(err) = failure {
                    return Err(err);
                }
                staged.push(written.with_context(|| format!("writing {}", out.display()))?);
            }
            None => {
                let stdout = std::io::stdout();
                let mut lock = stdout.lock();
                let written = stream(&mut lock);
                if let Some(err) = failure {
                    return Err(err);
                }
                written?;
                lock.flush()?;
            }
        }
    }
    bar.finish_and_clear();
    let mut confident = 0;
    if let (Some((_, path)), Some(labels)) = (&labels_out, labels) {
        confident = labels.written;
        staged.push(
            labels
                .writer
                .finish()
                .with_context(|| format!("writing {}", path.display()))?,
        );
    }
    commit_all(staged)?;
    for n in &notes {
        eprintln!("note: {n}");
    }
    if let Some((p, path)) = &labels_out {
        eprintln!(
            "{confident} of {n_samples} samples predicted with probability >= {p}: training labels in {}",
            path.display()
        );
    }
    let target = args
        .out
        .as_ref()
        .map_or_else(|| "standard output".to_owned(), |o| o.display().to_string());
    eprintln!(
        "annotated {n_samples} samples ({unassigned} unassigned) with {} classes; predictions in {target}",
        classes.len()
    );
    Ok(())
}

/// The training-labels table (`--emit-training-labels`), written as the chunks come.
struct TrainingLabels {
    writer: StagedWriter,
    /// Rows written.
    written: usize,
}

impl TrainingLabels {
    /// Writes the predictions of `rows` (of `data`'s samples, in order) that are assigned with a
    /// probability of at least `min_probability`.
    fn write(
        &mut self,
        rows: &[Prediction],
        data: &Dataset,
        min_probability: f32,
    ) -> std::io::Result<()> {
        for (row, meta) in rows.iter().zip(data.samples()) {
            if row.predicted != UNASSIGNED && row.max_probability >= min_probability {
                writeln!(
                    self.writer,
                    "{}\t{}\t{}\t{}",
                    row.sample_id,
                    row.predicted,
                    row.max_probability,
                    meta.study.as_deref().unwrap_or("")
                )?;
                self.written += 1;
            }
        }
        Ok(())
    }
}

fn write_header(w: &mut dyn Write, classes: &[String]) -> std::io::Result<()> {
    write!(w, "sample_id\tpredicted\tmax_probability")?;
    for c in classes {
        write!(w, "\t{c}")?;
    }
    writeln!(w)
}

fn write_row(w: &mut dyn Write, row: &Prediction) -> std::io::Result<()> {
    write!(
        w,
        "{}\t{}\t{:.6}",
        row.sample_id, row.predicted, row.max_probability
    )?;
    for p in &row.probabilities {
        write!(w, "\t{p:.6}")?;
    }
    writeln!(w)
}
