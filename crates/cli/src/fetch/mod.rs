//! `rnameta fetch`: downloads the public data rnameta learns from (recount3 SRA, GTEx and TCGA
//! projects and recount3's project lists, GTEx v8, the ARCHS4 compendium) and the label sources
//! behind its SRA tissue, sex and sample-source labels (the MetaSRA release, the UBERON anatomy
//! ontology) into a directory, resumably, with every file's SHA-256 recorded in
//! `fetch-manifest.json`. The URL catalogue is [`resources`], the transfer [`download`], the check
//! that what arrived is the file and not an error page [`content`]; `docs/fetch.md` is the user's
//! guide.
//!
//! `rnameta fetch recount3` serves the stages of a workflow: `--project-tables` fetches the
//! project lists `rnameta plan` reads first, `--metadata-only` the projects' metadata tables it
//! reads next, and a plain `--project` run (of `--data-source sra`, `gtex` or `tcga`) a project's
//! counts with them. The project ids are checked against `--data-source` once clap has read the
//! options ([`Recount3Args`]), so that a bad id is a usage error like any other.

pub mod content;
pub mod download;
pub mod error;
pub mod manifest;
pub mod resources;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::{ArgMatches, Args as _, FromArgMatches, Subcommand};
use serde::Serialize;

use download::{Check, Downloader, Fetched, Settings};
use error::FetchError;
use manifest::{Entry, FolderLock, Manifest};
use resources::{
    Archs4Version, BaseUrl, MetaSraFormat, MetaSraVersion, Organism, Project, Recount3Request,
    Recount3Source, Resource, UberonRelease,
};

/// What every `rnameta fetch <source> --help` ends with.
const NOTES: &str = "\
Files land under DIR/recount3/ (recount3's own layout, so that DIR/recount3 is a recount3 mirror),
DIR/gtex/, DIR/archs4/, DIR/metasra/ and DIR/uberon/ (the PURL's layout: basic.obo for the latest
release, releases/DATE/uberon-basic.obo for a dated one). A file is downloaded to FILE.partial and
renamed to FILE only once it is complete and checked. An interrupted run leaves the .partial file
and the next run resumes it with an HTTP range request (a server that ignores ranges makes it start
again from byte 0, and the command says so); transient failures are retried within the run too,
resuming each time. Files already complete (the server's size) are skipped. Redirects (UBERON's
PURL leads to GitHub) are followed, range requests included.

Content: every file must start as what it is: gzip, HDF5, an SQLite database, tab-separated text
for GTEx's annotation tables, JSON ('{' or '[') for MetaSRA, an OBO header ('format-version:') for
UBERON; the JSON and OBO files may also come gzip-compressed. A web page (an \"Access Denied\"
page, a login wall) or other bytes answered in its place are refused, nothing of them is kept, and
the command stops.

Timeout: a server that sends nothing for --timeout seconds (default 60) while connecting, before
answering or in the middle of a file is given up on for that attempt, with a note; the attempt is
retried (--retries), resuming. A server that never answers stops the command.

Checksums: GTEx files are checked against the MD5 that Google Cloud Storage publishes (x-goog-hash);
when it is absent, the command says so. recount3, ARCHS4, MetaSRA and UBERON publish no checksum
for their files: those are checked by size (Content-Length / Content-Range) and content. In every
case the SHA-256 of each file is computed and recorded, with its URL and size, in
DIR/fetch-manifest.json.

Exit codes: 0 every file fetched or already complete; 1 a file failed (not found, no network, no
answer, not the file, checksum mismatch, retries exhausted); 2 bad usage. More in docs/fetch.md.";

/// The shortest `--timeout`, in seconds.
pub const MIN_TIMEOUT_S: u64 = 1;
/// The longest `--timeout`, in seconds.
pub const MAX_TIMEOUT_S: u64 = 3600;

/// `rnameta fetch` and its one argument: the source.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Which public data set to download.
    #[command(subcommand)]
    pub source: Source,
}

/// The public data sets `rnameta fetch` knows.
#[derive(Debug, Subcommand)]
pub enum Source {
    /// recount3 projects of SRA, GTEx or TCGA (--data-source): per project the gene sums (G026
    /// for human, M023 for mouse) and the five metadata tables (`<src>`, recount_project,
    /// recount_qc, recount_seq_qc, recount_pred), plus the organism's gene annotation GTF; and
    /// recount3's project lists (--project-tables), from duffel.rail.bio/recount3.
    #[command(after_long_help = NOTES)]
    Recount3(Recount3Args),
    /// GTEx v8: gene read counts (GCT), sample attributes (SampleAttributesDS:
    /// SMTS tissue) and subject phenotypes (SubjectPhenotypesDS: SEX), from the GTEx portal's
    /// storage.googleapis.com/adult-gtex bucket.
    #[command(after_long_help = NOTES)]
    Gtex {
        #[command(flatten)]
        common: Common,
    },
    /// The ARCHS4 gene-level HDF5 compendium (tens of GB) from s3.dev.maayanlab.cloud/archs4.
    #[command(after_long_help = NOTES)]
    Archs4 {
        /// Release, as ARCHS4 names its files: v2.latest (the newest), v2.5, v2.4, ...
        #[arg(long, default_value = "v2.latest")]
        version: Archs4Version,
        /// Human or mouse gene counts.
        #[arg(long, value_enum, default_value_t = Organism::Human)]
        organism: Organism,
        #[command(flatten)]
        common: Common,
    },
    /// The MetaSRA release, the SRA sample labels rnameta trains on (per SRA sample: mapped
    /// ontology terms, sample type and its confidence), a JSON file (or SQLite database) from
    /// metasra.biostat.wisc.edu/static/metasra_versions.
    #[command(after_long_help = NOTES)]
    Metasra {
        /// Release, as MetaSRA's download page numbers them: 1.8 (the newest release rnameta
        /// knows of), 1.4, ... (v1.8 is taken too).
        #[arg(long, default_value = resources::METASRA_LATEST, value_name = "VERSION")]
        version: MetaSraVersion,
        /// Which file of the release: json (the one rnameta reads) or sqlite (the same
        /// annotations as an SQLite database).
        #[arg(long, value_enum, default_value_t = MetaSraFormat::Json)]
        format: MetaSraFormat,
        #[command(flatten)]
        common: Common,
    },
    /// UBERON basic, the anatomy ontology (OBO format) through which MetaSRA's most specific
    /// terms roll up to tissue labels, from its OBO Library PURL purl.obolibrary.org/obo/uberon
    /// (which redirects to the GitHub releases of obophenotype/uberon).
    #[command(after_long_help = NOTES)]
    Uberon {
        /// A dated release (YYYY-MM-DD, the date of UBERON's GitHub release tag vYYYY-MM-DD)
        /// instead of the latest one.
        #[arg(long, value_name = "DATE")]
        release: Option<UberonRelease>,
        #[command(flatten)]
        common: Common,
    },
}

/// The options of `rnameta fetch recount3` as clap reads them, before the project ids are
/// checked against `--data-source` (by [`Recount3Args`]).
#[derive(Debug, Clone, clap::Args)]
pub struct Recount3Options {
    /// The recount3 data source (project home `data_sources/<src>`) the --project ids belong to:
    /// sra (SRA studies), gtex (GTEx tissues) or tcga (TCGA studies; GTEx and TCGA are human
    /// only).
    #[arg(long, value_enum, default_value_t = Recount3Source::Sra, value_name = "SOURCE")]
    pub data_source: Recount3Source,
    /// Project id: an SRA study accession (SRP, ERP or DRP + digits), a GTEx tissue as recount3
    /// names it (ADIPOSE_TISSUE, BRAIN, LUNG) or a TCGA study code (BRCA, LUAD), as
    /// --data-source says; repeat the option or separate ids by commas. Required unless
    /// --project-tables or --annotation is given.
    #[arg(
        long = "project",
        value_name = "ID",
        required_unless_present_any = ["project_tables", "annotation"],
        value_delimiter = ','
    )]
    pub projects: Vec<String>,
    /// Also fetch recount3's project lists: `<org>/homes_index` (one project home per line) and
    /// each data source's project table `<src>.recount_project.MD.gz` (in
    /// `<org>/data_sources/<src>/metadata/`; SRA, GTEx and TCGA for human, SRA for mouse), what
    /// `rnameta plan --recount3 DIR/recount3` reads first. With or without --project.
    #[arg(long)]
    pub project_tables: bool,
    /// Fetch only the projects' five metadata tables: no gene sums and no annotation GTF (what
    /// `rnameta plan` reads before deciding whose counts to fetch).
    #[arg(long, conflicts_with = "counts_only")]
    pub metadata_only: bool,
    /// Fetch only the projects' gene sums: no metadata tables and no annotation GTF (a workflow
    /// fetches those in steps of their own, so that no two jobs fetch the same file).
    #[arg(long)]
    pub counts_only: bool,
    /// Also fetch the organism's gene annotation GTF (fetched anyway with projects' counts,
    /// unless --counts-only); alone, only the GTF.
    #[arg(long)]
    pub annotation: bool,
    /// The organism of the projects.
    #[arg(long, value_enum, default_value_t = Organism::Human)]
    pub organism: Organism,
    #[command(flatten)]
    pub common: Common,
}

/// `rnameta fetch recount3`, checked: every project id is one of `--data-source`'s, and the data
/// source exists for `--organism`. A failed check is a clap error, so exit 2 (bad usage), with
/// the same wording as a value clap refuses itself.
#[derive(Debug, Clone)]
pub struct Recount3Args {
    /// What to fetch.
    pub request: Recount3Request,
    /// The options shared by every source.
    pub common: Common,
}

impl Recount3Args {
    /// Checks the options as read.
    fn check(options: Recount3Options) -> Result<Self, clap::Error> {
        let source = options.data_source;
        if !source.has(options.organism) {
            return Err(usage_error(format!(
                "--data-source {source} has no {} projects: recount3's {} projects are human \
                 (use --organism human)",
                options.organism,
                source.label()
            )));
        }
        let projects = options
            .projects
            .iter()
            .map(|id| {
                Project::parse(source, id).map_err(|why| {
                    usage_error(format!("invalid value '{id}' for '--project <ID>': {why}"))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            request: Recount3Request {
                source,
                projects,
                organism: options.organism,
                project_tables: options.project_tables,
                metadata_only: options.metadata_only,
                counts_only: options.counts_only,
                annotation: options.annotation,
            },
            common: options.common,
        })
    }
}

/// A usage error (exit 2) with `message`, followed by the usage line of `rnameta fetch recount3`
/// as clap's own errors are.
fn usage_error(message: String) -> clap::Error {
    let mut cmd = Recount3Options::augment_args(clap::Command::new("rnameta fetch recount3"));
    clap::Error::raw(clap::error::ErrorKind::ValueValidation, message).format(&mut cmd)
}

impl FromArgMatches for Recount3Args {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        Self::check(Recount3Options::from_arg_matches(matches)?)
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
}

impl clap::Args for Recount3Args {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        Recount3Options::augment_args(cmd)
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        Recount3Options::augment_args_for_update(cmd)
    }
}

/// Options shared by every source.
#[derive(Debug, Clone, clap::Args)]
pub struct Common {
    /// Output directory (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Replace the scheme, host and path prefix of every URL, e.g. a mirror such as
    /// <https://recount-opendata.s3.amazonaws.com/recount3/release> for recount3.
    #[arg(long, value_name = "URL")]
    pub base_url: Option<BaseUrl>,
    /// No progress bars or notes; only the summary line and errors.
    #[arg(long)]
    pub quiet: bool,
    /// One JSON object per file on standard output (url, path, status, bytes, sha256, md5 when
    /// checked, resumed_from, attempts) instead of text.
    #[arg(long)]
    pub json: bool,
    /// Print the URLs that would be fetched and stop (no network, nothing written).
    #[arg(long)]
    pub dry_run: bool,
    /// Retries of a file after a transient failure (dropped connection, timeout, HTTP 5xx),
    /// each resuming where the last stopped; waits 1 s, 2 s, 4 s, ... unless data was arriving.
    #[arg(long, default_value_t = 4, value_name = "N")]
    pub retries: u32,
    /// Longest wait, in whole seconds (1 to 3600), for the server: to connect, to answer a
    /// request, and for the next bytes of a file. A transfer quiet for longer is broken off and
    /// retried, resuming; a server that never answers stops the command.
    #[arg(
        long,
        default_value_t = 60,
        value_name = "SECONDS",
        value_parser = clap::value_parser!(u64).range(MIN_TIMEOUT_S..=MAX_TIMEOUT_S)
    )]
    pub timeout: u64,
}

/// One line of `--json` output.
#[derive(Debug, Serialize)]
struct Report<'a> {
    url: &'a str,
    path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    bytes: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sha256: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    md5: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    checked: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    resumed_from: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    attempts: Option<u32>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    notes: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

/// Runs the command: lists the source's files, then fetches them one after the other.
pub fn run(args: &Args) -> Result<()> {
    let (resources, common) = match &args.source {
        Source::Recount3(args) => (resources::recount3_files(&args.request), &args.common),
        Source::Gtex { common } => (resources::gtex(), common),
        Source::Archs4 {
            version,
            organism,
            common,
        } => (resources::archs4(version, *organism), common),
        Source::Metasra {
            version,
            format,
            common,
        } => (resources::metasra(version, *format), common),
        Source::Uberon { release, common } => (resources::uberon(release.as_ref()), common),
    };
    if common.dry_run {
        return dry_run(&resources, common);
    }
    fetch_all(&resources, common)
}

fn dry_run(resources: &[Resource], common: &Common) -> Result<()> {
    let mut out = std::io::stdout().lock();
    for r in resources {
        let url = r.url(common.base_url.as_ref());
        if common.json {
            let report = Report {
                url: &url,
                path: display(&target(&common.out, r)),
                status: None,
                bytes: None,
                sha256: None,
                md5: None,
                checked: None,
                resumed_from: None,
                attempts: None,
                notes: &[],
                error: None,
            };
            writeln!(out, "{}", serde_json::to_string(&report)?)?;
        } else {
            writeln!(out, "{url}")?;
        }
    }
    Ok(())
}

/// Fetches every resource; the folders it creates are removed again when they end up empty
/// (a run that fetched nothing leaves nothing behind).
fn fetch_all(resources: &[Resource], common: &Common) -> Result<()> {
    let mut folders = CreatedFolders::default();
    let result = fetch_each(resources, common, &mut folders);
    folders.remove_empty();
    result
}

fn fetch_each(resources: &[Resource], common: &Common, folders: &mut CreatedFolders) -> Result<()> {
    folders
        .create(&common.out)
        .with_context(|| format!("creating {}", common.out.display()))?;
    let manifest = Manifest::load(&common.out)?;
    let downloader = Downloader::new(Settings {
        retries: common.retries,
        timeout: std::time::Duration::from_secs(common.timeout),
        progress: !common.quiet && !common.json && std::io::stderr().is_terminal(),
        notes: !common.quiet,
        ..Settings::default()
    });
    let mut downloaded = 0usize;
    let mut complete = 0usize;
    let mut md5_checked = 0usize;
    let mut total_bytes = 0u64;
    let mut failed = 0usize;
    for r in resources {
        let url = r.url(common.base_url.as_ref());
        let rel = r.local_path();
        let dest = target(&common.out, r);
        let known = manifest.get(&rel).map(Entry::known);
        if let Some(dir) = dest.parent() {
            folders.create(dir)?;
        }
        // Another rnameta fetch into the same directory (a workflow's parallel jobs) may be
        // fetching this file: the file's folder (a project's, or the annotation's) is locked
        // while it is fetched, so the other waits and then finds the file complete. The output
        // directory itself is the manifest's lock, never taken here.
        let _busy = match dest.parent() {
            Some(folder) if folder != common.out => Some(FolderLock::exclusive(folder)?),
            _ => None,
        };
        match downloader.fetch(&url, &dest, r, known.as_ref()) {
            Ok(mut fetched) => {
                if r.collection.publishes_checksums() && fetched.md5.is_none() {
                    let note = format!(
                        "{}: the server published no MD5 (no x-goog-hash header): not checked \
                         by checksum, only by {}",
                        dest.display(),
                        if fetched.checked == Check::Size {
                            "size and content"
                        } else {
                            "content"
                        }
                    );
                    if !common.quiet {
                        eprintln!("note: {note}");
                    }
                    fetched.notes.push(note);
                }
                Manifest::record_in(
                    &common.out,
                    Entry {
                        path: rel,
                        url: url.clone(),
                        bytes: fetched.bytes,
                        sha256: fetched.sha256.clone(),
                        md5: fetched.md5.clone(),
                    },
                )?;
                match fetched.status {
                    download::Status::Downloaded => downloaded += 1,
                    download::Status::AlreadyComplete => complete += 1,
                }
                total_bytes += fetched.bytes;
                if fetched.checked == Check::Md5 {
                    md5_checked += 1;
                }
                report_success(common, &url, &dest, &fetched)?;
            }
            Err(err) if err.is_fatal_for_all() || resources.len() == 1 => return Err(err.into()),
            Err(err) => {
                failed += 1;
                report_failure(common, &url, &dest, &err)?;
            }
        }
    }
    if failed > 0 {
        anyhow::bail!(
            "{failed} of {} could not be fetched (see above); {} in {}, and a new run \
             fetches only what is missing",
            plural(resources.len(), "file"),
            plural(resources.len() - failed, "other file"),
            common.out.display()
        );
    }
    if !common.json {
        println!(
            "{} in {} ({downloaded} downloaded, {complete} already complete; {}; {md5_checked} \
             of {} checked against a published md5); checksums in {}",
            plural(resources.len(), "file"),
            common.out.display(),
            size(total_bytes),
            resources.len(),
            Manifest::path_in(&common.out).display()
        );
    }
    Ok(())
}

fn report_success(common: &Common, url: &str, dest: &Path, f: &Fetched) -> Result<()> {
    let mut out = std::io::stdout().lock();
    if common.json {
        let report = Report {
            url,
            path: display(dest),
            status: Some(f.status.as_str()),
            bytes: Some(f.bytes),
            sha256: Some(&f.sha256),
            md5: f.md5.as_deref(),
            checked: Some(f.checked.as_str()),
            resumed_from: Some(f.resumed_from),
            attempts: Some(f.attempts),
            notes: &f.notes,
            error: None,
        };
        writeln!(out, "{}", serde_json::to_string(&report)?)?;
    } else if !common.quiet {
        let mut details = vec![size(f.bytes)];
        if f.resumed_from > 0 && f.status == download::Status::Downloaded {
            details.push(format!("resumed from byte {}", f.resumed_from));
        }
        details.push(
            match f.checked {
                Check::Md5 => "md5 checked",
                Check::Size => "size and content checked, no checksum published",
                Check::ContentOnly => "only the content's start checked: no size or checksum given",
            }
            .to_string(),
        );
        writeln!(
            out,
            "{}: {} ({})",
            f.status.as_str(),
            dest.display(),
            details.join(", ")
        )?;
    }
    Ok(())
}

fn report_failure(common: &Common, url: &str, dest: &Path, err: &FetchError) -> Result<()> {
    eprintln!("error: {err}");
    if common.json {
        let report = Report {
            url,
            path: display(dest),
            status: None,
            bytes: None,
            sha256: None,
            md5: None,
            checked: None,
            resumed_from: None,
            attempts: None,
            notes: &[],
            error: Some(err.to_string()),
        };
        writeln!(
            std::io::stdout().lock(),
            "{}",
            serde_json::to_string(&report)?
        )?;
    }
    Ok(())
}

/// The folders a run created, so that those left empty (by a failure) can be removed again.
#[derive(Debug, Default)]
struct CreatedFolders(Vec<PathBuf>);

impl CreatedFolders {
    /// Creates `dir` and its missing parents, remembering the ones it created.
    fn create(&mut self, dir: &Path) -> Result<(), FetchError> {
        let mut missing = Vec::new();
        let mut next = Some(dir);
        while let Some(d) = next {
            if d.as_os_str().is_empty() || d.exists() {
                break;
            }
            missing.push(d.to_path_buf());
            next = d.parent();
        }
        std::fs::create_dir_all(dir).map_err(|e| FetchError::io(dir, e))?;
        // Parents before children, so that removing in reverse empties children first.
        self.0.extend(missing.into_iter().rev());
        Ok(())
    }

    /// Removes the created folders that are empty, children first (a folder holding anything is
    /// left alone: `remove_dir` refuses it).
    fn remove_empty(&self) {
        for dir in self.0.iter().rev() {
            let _ = std::fs::remove_dir(dir);
        }
    }
}

/// Where a resource lands under the output directory.
fn target(out: &Path, r: &Resource) -> PathBuf {
    r.local_path()
        .split('/')
        .fold(out.to_path_buf(), |p, part| p.join(part))
}

fn display(path: &Path) -> String {
    path.display().to_string()
}

/// `1 file`, `3 files`.
fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("{n} {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// `1.52 GB`-style sizes (decimal units, two decimals, as servers and browsers show them).
fn size(bytes: u64) -> String {
    rnameta_core::human_bytes(bytes, 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_well() {
        assert_eq!(size(0), "0 bytes");
        assert_eq!(size(999), "999 bytes");
        assert_eq!(size(1_520_000_000), "1.52 GB");
        assert_eq!(plural(1, "file"), "1 file");
        assert_eq!(plural(0, "other file"), "0 other files");
    }
}
