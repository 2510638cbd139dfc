//! The catalogue of public files `rnameta fetch` downloads: where each one lives, and where it
//! lands under the output directory.
//!
//! Every URL is a base (scheme + host + path prefix, replaceable with `--base-url` for mirrors
//! and tests) followed by a path that is the same on every mirror. Sources:
//!
//! - recount3: the layout that the recount3 R package builds in `locate_url()` /
//!   `locate_url_ann()` (LieberInstitute/recount3, `R/locate_url.R`, `R/locate_url_ann.R` and its
//!   test `tests/testthat/test-locate_url_ann.R`), as listed by `recount3_cache_files()` in the
//!   package's quick-start vignette (section "Your own mirror"): for project `SRP009615`,
//!   `human/data_sources/sra/gene_sums/15/SRP009615/sra.gene_sums.SRP009615.G026.gz`,
//!   `human/data_sources/sra/metadata/15/SRP009615/sra.{sra,recount_project,recount_qc,
//!   recount_seq_qc,recount_pred}.SRP009615.MD.gz` and
//!   `human/annotations/gene_sums/human.gene_sums.G026.gtf.gz` (mouse: `M023`). `locate_url()`
//!   builds the same paths for every project home `data_sources/<src>`: `<src>` in place of `sra`
//!   (the first metadata table is the home's own, `basename(project_home)`), the shard the last
//!   two characters of the project, so GTEx's `BRAIN` lies in
//!   `human/data_sources/gtex/metadata/IN/BRAIN/gtex.gtex.BRAIN.MD.gz` and TCGA's `BRCA` in
//!   `human/data_sources/tcga/gene_sums/CA/BRCA/tcga.gene_sums.BRCA.G026.gz` (the package's
//!   `read_metadata()` example reads `file_locate_url("BLADDER", "data_sources/gtex")`). The
//!   project lists are those `project_homes()` and `available_projects()` read
//!   (`R/project_homes.R`, `R/available_projects.R`): `<org>/homes_index` (plain text, one home
//!   per line) and each home's `<org>/data_sources/<src>/metadata/<src>.recount_project.MD.gz`.
//!   The host
//!   `duffel.rail.bio/recount3` is the load balancer in front of the two official mirrors (the
//!   AWS Open Data bucket `recount-opendata.s3.amazonaws.com/recount3/release` and SciServer at
//!   IDIES), and the default `RECOUNT3_URL` of the Python recount3 package.
//! - GTEx v8: the files the GTEx portal's download page (gtexportal.org/home/downloads/adult-gtex,
//!   "Bulk tissue expression" and "Metadata") links to, hosted in the public Google Cloud
//!   Storage bucket `adult-gtex`.
//! - ARCHS4: `https://s3.dev.maayanlab.cloud/archs4/files/{human,mouse}_gene_{version}.h5`, the
//!   URLs of the ARCHS4 download page (maayanlab.cloud/archs4/download.html) and of the official
//!   archs4py package's `data/config.json` (MaayanLab/archs4py), where `v2.latest` names the
//!   newest release.
//! - MetaSRA: `https://metasra.biostat.wisc.edu/static/metasra_versions/v{M}.{m}/metasra.v{M}-{m}.
//!   {json,sqlite}`. The layout is the one of MetaSRA's own download page
//!   (deweylab/MetaSRA-website-frontend, `src/supportpages/download.html`: versions 1.0 to 1.4, a
//!   JSON file and an SQLite database each); version 1.8, the newest any stored source names, is
//!   fetched at exactly this URL by refine.bio (AlexsLemonade/refinebio,
//!   `config/externally_supplied_metadata/metasra/translate.sh`, since commit c64a204e,
//!   2021-08-12). Whether 1.8 is still the newest release could not be checked against the live
//!   download page.
//! - UBERON: the OBO Library PURL `http://purl.obolibrary.org/obo/uberon/basic.obo` (latest
//!   release) and `.../uberon/releases/{YYYY-MM-DD}/uberon-basic.obo` (a dated one). The PURL
//!   rules (OBOFoundry/purl.obolibrary.org, `config/uberon.yml`) redirect the first to
//!   `github.com/obophenotype/uberon/releases/latest/download/uberon-basic.obo` and the second to
//!   `github.com/obophenotype/uberon/releases/download/v{YYYY-MM-DD}/uberon-basic.obo`; the
//!   downloader follows the redirects.

use std::fmt;
use std::str::FromStr;

use clap::ValueEnum;

use super::content::Content;

/// recount3's home (see the module documentation for the layout under it).
pub const RECOUNT3_BASE: &str = "https://duffel.rail.bio/recount3";

/// The public Google Cloud Storage bucket of the GTEx portal's downloads.
pub const GTEX_BASE: &str = "https://storage.googleapis.com/adult-gtex";

/// The ARCHS4 download area.
pub const ARCHS4_BASE: &str = "https://s3.dev.maayanlab.cloud/archs4/files";

/// MetaSRA's download area: release `M.m` lies in its folder `vM.m/`.
pub const METASRA_BASE: &str = "https://metasra.biostat.wisc.edu/static/metasra_versions";

/// The newest MetaSRA release any stored source names (see the module documentation), the
/// default of `fetch metasra --version`.
pub const METASRA_LATEST: &str = "1.8";

/// UBERON's folder at the OBO Library PURL server (a PURL, redirected to where the files are).
pub const UBERON_BASE: &str = "http://purl.obolibrary.org/obo/uberon";

/// The PURL path of UBERON basic in OBO format, latest release.
pub const UBERON_BASIC_LATEST: &str = "basic.obo";

/// The name of UBERON basic in OBO format inside a dated release (`releases/{date}/...`): the
/// name of the GitHub release asset that the latest-release PURL leads to as well.
pub const UBERON_BASIC_RELEASE_FILE: &str = "uberon-basic.obo";

/// GTEx v8 gene read counts (RNA-SeQC 1.1.9, 17,382 samples x 56,200 genes): the input of the
/// GTEx side of the paper.
pub const GTEX_GENE_READS: &str =
    "bulk-gex/v8/rna-seq/GTEx_Analysis_2017-06-05_v8_RNASeQCv1.1.9_gene_reads.gct.gz";

/// GTEx v8 sample attributes (SMTS is the tissue label).
pub const GTEX_SAMPLE_ATTRIBUTES: &str =
    "annotations/v8/metadata-files/GTEx_Analysis_v8_Annotations_SampleAttributesDS.txt";

/// GTEx v8 subject phenotypes (SEX: 1 male, 2 female).
pub const GTEX_SUBJECT_PHENOTYPES: &str =
    "annotations/v8/metadata-files/GTEx_Analysis_v8_Annotations_SubjectPhenotypesDS.txt";

/// The recount3 metadata tables of an SRA project, in the order the R package reads them (for a
/// GTEx or TCGA project the first is `gtex` / `tcga`: see [`Recount3Source::metadata_tables`]).
pub const RECOUNT3_METADATA_TABLES: [&str; 5] = [
    "sra",
    "recount_project",
    "recount_qc",
    "recount_seq_qc",
    "recount_pred",
];

/// The file under an organism's folder that lists its project homes (`project_homes()`).
pub const RECOUNT3_HOMES_INDEX: &str = "homes_index";

/// Which public collection a file belongs to (also its folder under the output directory).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Collection {
    /// recount3 (uniformly processed SRA projects).
    Recount3,
    /// GTEx v8.
    Gtex,
    /// The ARCHS4 compendium.
    Archs4,
    /// The MetaSRA release (normalised SRA sample metadata: mapped ontology terms, sample type).
    MetaSra,
    /// The UBERON anatomy ontology.
    Uberon,
}

impl Collection {
    /// The collection's default base URL.
    pub fn default_base(self) -> &'static str {
        match self {
            Self::Recount3 => RECOUNT3_BASE,
            Self::Gtex => GTEX_BASE,
            Self::Archs4 => ARCHS4_BASE,
            Self::MetaSra => METASRA_BASE,
            Self::Uberon => UBERON_BASE,
        }
    }

    /// Whether the collection's host publishes a checksum of every file (Google Cloud Storage's
    /// `x-goog-hash` for GTEx), so that a file served without one deserves a note.
    pub fn publishes_checksums(self) -> bool {
        matches!(self, Self::Gtex)
    }

    /// The folder under the output directory (the layout `rnameta simulate` writes too).
    pub fn folder(self) -> &'static str {
        match self {
            Self::Recount3 => "recount3",
            Self::Gtex => "gtex",
            Self::Archs4 => "archs4",
            Self::MetaSra => "metasra",
            Self::Uberon => "uberon",
        }
    }
}

/// The organism of a recount3 project or an ARCHS4 file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Organism {
    /// Homo sapiens (recount3 annotation G026 = GENCODE v26, the one GTEx v8 used).
    Human,
    /// Mus musculus (recount3 annotation M023 = GENCODE M23).
    Mouse,
}

impl Organism {
    /// The name in URLs (`human`, `mouse`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Human => "human",
            Self::Mouse => "mouse",
        }
    }

    /// recount3's default gene annotation for the organism (`annotation_ext()` in the R package).
    pub fn recount3_annotation(self) -> &'static str {
        match self {
            Self::Human => "G026",
            Self::Mouse => "M023",
        }
    }
}

impl fmt::Display for Organism {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A recount3 data source: the project home `data_sources/<src>` that `--project` ids belong to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Recount3Source {
    /// SRA studies (`SRP012682`), human and mouse.
    Sra,
    /// GTEx v8, one project per tissue (`ADIPOSE_TISSUE`, `BRAIN`, `LUNG`), human only.
    Gtex,
    /// TCGA, one project per study (`BRCA`, `LUAD`), human only.
    Tcga,
}

impl Recount3Source {
    /// Every data source, in the order `rnameta fetch recount3 --project-tables` fetches their
    /// project tables.
    pub const ALL: [Self; 3] = [Self::Sra, Self::Gtex, Self::Tcga];

    /// The name in paths and file names: `sra`, `gtex`, `tcga`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sra => "sra",
            Self::Gtex => "gtex",
            Self::Tcga => "tcga",
        }
    }

    /// The name in messages: `SRA`, `GTEx`, `TCGA`.
    pub fn label(self) -> &'static str {
        match self {
            Self::Sra => "SRA",
            Self::Gtex => "GTEx",
            Self::Tcga => "TCGA",
        }
    }

    /// Whether recount3 has projects of this source for `organism` (GTEx and TCGA are human).
    pub fn has(self, organism: Organism) -> bool {
        self == Self::Sra || organism == Organism::Human
    }

    /// The five metadata tables of a project of this source, in `locate_url()`'s order: the
    /// home's own table (`sra`, `gtex`, `tcga`), then `recount_project`, `recount_qc`,
    /// `recount_seq_qc` and `recount_pred`.
    pub fn metadata_tables(self) -> [&'static str; 5] {
        let mut tables = RECOUNT3_METADATA_TABLES;
        tables[0] = self.as_str();
        tables
    }

    /// The home's project table under the organism's folder
    /// (`data_sources/gtex/metadata/gtex.recount_project.MD.gz`), as `available_projects()`
    /// reads it.
    pub fn project_table(self) -> String {
        let src = self.as_str();
        format!("data_sources/{src}/metadata/{src}.recount_project.MD.gz")
    }
}

impl fmt::Display for Recount3Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A recount3 project id, checked for its data source so that a typo is a usage error and so
/// that nothing but an id ever becomes part of a URL or a local path. An SRA project is a study
/// accession (`SRP`, `ERP` or `DRP` followed by digits; what `str::parse` reads); a GTEx
/// project a tissue as recount3 names it (`ADIPOSE_TISSUE`, `BRAIN`) and a TCGA project a study
/// code (`BRCA`, `LUAD`): upper-case ASCII letters, digits and `_`, at least two characters (the
/// shard folder is the last two).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Project(String);

impl Project {
    /// The project id `s` of `source`, or why it is not one (the message of a usage error).
    pub fn parse(source: Recount3Source, s: &str) -> Result<Self, String> {
        if source == Recount3Source::Sra {
            return s.parse();
        }
        let s = s.trim();
        let ok = s.len() >= 2
            && s.bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
        if ok {
            return Ok(Self(s.to_string()));
        }
        let examples = match source {
            Recount3Source::Gtex => {
                "a GTEx tissue as recount3 names it, such as ADIPOSE_TISSUE, BRAIN or LUNG"
            }
            _ => "a TCGA study code, such as BRCA or LUAD",
        };
        Err(format!(
            "{s:?} is not a recount3 {} project ({examples}: upper-case letters, digits and _, \
             at least 2 characters)",
            source.label()
        ))
    }

    /// The id.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// recount3's shard folder: the last two characters of the id (`SRP012682` -> `82`,
    /// `BRAIN` -> `IN`).
    pub fn shard(&self) -> &str {
        &self.0[self.0.len() - 2..]
    }
}

impl FromStr for Project {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let prefix_ok = ["SRP", "ERP", "DRP"].iter().any(|p| s.starts_with(p));
        let digits = s.get(3..).unwrap_or("");
        if prefix_ok && digits.len() >= 2 && digits.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(s.to_string()))
        } else {
            Err(format!(
                "{s:?} is not an SRA study accession (SRP, ERP or DRP followed by digits, \
                 such as SRP012682)"
            ))
        }
    }
}

impl fmt::Display for Project {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An ARCHS4 release as its file names spell it: `v2.latest`, `v2.5`, `v2.2`, ...
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Archs4Version(String);

impl FromStr for Archs4Version {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let parts: Vec<&str> = s.strip_prefix('v').unwrap_or("").split('.').collect();
        let number = |p: &&str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
        let ok = match parts.as_slice() {
            [major, "latest"] => number(major),
            all => all.iter().all(number),
        };
        if ok {
            Ok(Self(s.to_string()))
        } else {
            Err(format!(
                "{s:?} is not an ARCHS4 release name (such as v2.latest, v2.5 or v2.2)"
            ))
        }
    }
}

impl fmt::Display for Archs4Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A MetaSRA release as its download page names it: `1.8` (or `v1.8`), major and minor number.
/// Checked on the command line, so that nothing but two numbers becomes part of a URL or a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetaSraVersion {
    major: String,
    minor: String,
}

impl MetaSraVersion {
    /// The release's folder in MetaSRA's download area: `v1.8`.
    pub fn folder(&self) -> String {
        format!("v{}.{}", self.major, self.minor)
    }

    /// The release's file name without extension: `metasra.v1-8` (MetaSRA writes the version
    /// with a dash in file names).
    pub fn file_stem(&self) -> String {
        format!("metasra.v{}-{}", self.major, self.minor)
    }
}

impl FromStr for MetaSraVersion {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let number = |p: &str| (1..=4).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit());
        match s.strip_prefix('v').unwrap_or(s).split_once('.') {
            Some((major, minor)) if number(major) && number(minor) => Ok(Self {
                major: major.to_string(),
                minor: minor.to_string(),
            }),
            _ => Err(format!(
                "{s:?} is not a MetaSRA release (a version such as {METASRA_LATEST} or \
                 v{METASRA_LATEST})"
            )),
        }
    }
}

impl fmt::Display for MetaSraVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

/// Which of the two files of a MetaSRA release to fetch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MetaSraFormat {
    /// The JSON file: the one rnameta reads (as a label source next to expression files).
    Json,
    /// The SQLite database with the same annotations (for SQL queries; rnameta does not read it).
    Sqlite,
}

impl MetaSraFormat {
    /// The file extension: `json` or `sqlite`.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Json => "json",
            Self::Sqlite => "sqlite",
        }
    }

    /// What the file holds.
    pub fn content(self) -> Content {
        match self {
            Self::Json => Content::Json,
            Self::Sqlite => Content::Sqlite,
        }
    }

    /// The name in messages: `JSON` or `SQLite`.
    pub fn label(self) -> &'static str {
        match self {
            Self::Json => "JSON",
            Self::Sqlite => "SQLite",
        }
    }
}

/// A dated release of UBERON, `YYYY-MM-DD`, as the OBO Library PURLs and UBERON's GitHub release
/// tags (`vYYYY-MM-DD`) name it. Checked on the command line (four-digit year, month 01-12, day
/// 01-31), so that nothing but a date becomes part of a URL or a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UberonRelease(String);

impl FromStr for UberonRelease {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let parts: Vec<&str> = s.split('-').collect();
        let number = |p: &str, len: usize, range: std::ops::RangeInclusive<u32>| {
            p.len() == len
                && p.bytes().all(|b| b.is_ascii_digit())
                && p.parse::<u32>().is_ok_and(|n| range.contains(&n))
        };
        match parts.as_slice() {
            [year, month, day]
                if number(year, 4, 1000..=9999)
                    && number(month, 2, 1..=12)
                    && number(day, 2, 1..=31) =>
            {
                Ok(Self(s.to_string()))
            }
            _ => Err(format!(
                "{s:?} is not the date of a release of UBERON (YYYY-MM-DD, such as 2025-05-28)"
            )),
        }
    }
}

impl fmt::Display for UberonRelease {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A base URL replacing every resource's default base (`--base-url`): `http://` or `https://`,
/// a host, and an optional path prefix; no query or fragment. Stored without a trailing slash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl(String);

impl BaseUrl {
    /// The base, without a trailing slash.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for BaseUrl {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim().trim_end_matches('/');
        let rest = s
            .strip_prefix("https://")
            .or_else(|| s.strip_prefix("http://"))
            .ok_or_else(|| format!("{s:?} is not an http:// or https:// URL"))?;
        let host = rest.split('/').next().unwrap_or("");
        if host.is_empty() {
            return Err(format!("{s:?} has no host"));
        }
        if s.contains(['?', '#', ' ']) {
            return Err(format!(
                "{s:?}: a base URL is a scheme, host and path prefix, without query, fragment \
                 or spaces"
            ));
        }
        Ok(Self(s.to_string()))
    }
}

/// One file to fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource {
    /// The collection it belongs to.
    pub collection: Collection,
    /// The path under the base URL (the same on every mirror), without a leading slash.
    pub remote_path: String,
    /// What the file is, for messages ("gene sums of recount3 project SRP012682 (human)").
    pub what: String,
    /// What to check when the server says the file does not exist.
    pub if_missing: String,
    /// What the file holds, checked on its first bytes before it is renamed into place.
    pub content: Content,
}

impl Resource {
    /// The URL: `base` (or the collection's default) followed by the remote path.
    pub fn url(&self, base: Option<&BaseUrl>) -> String {
        let base = base.map_or(self.collection.default_base(), BaseUrl::as_str);
        format!("{base}/{}", self.remote_path)
    }

    /// Where the file lands, relative to the output directory, with `/` separators: the
    /// collection's folder, then the remote path for recount3 (the output directory is then a
    /// recount3 mirror that the R package's `recount3_url` can point to) and UBERON (the PURL's
    /// layout: `basic.obo` for the latest release, `releases/{date}/uberon-basic.obo` for a
    /// dated one, so that releases never overwrite each other), or the file name for GTEx,
    /// ARCHS4 and MetaSRA (whose names hold their release).
    pub fn local_path(&self) -> String {
        let tail = match self.collection {
            Collection::Recount3 | Collection::Uberon => self.remote_path.as_str(),
            Collection::Gtex | Collection::Archs4 | Collection::MetaSra => self
                .remote_path
                .rsplit('/')
                .next()
                .unwrap_or(&self.remote_path),
        };
        format!("{}/{tail}", self.collection.folder())
    }

    /// What the file is, then what to check when the server says it does not exist: the hint
    /// of a "not found" message.
    pub fn hint(&self) -> String {
        if self.if_missing.is_empty() {
            self.what.clone()
        } else {
            format!("{}; {}", self.what, self.if_missing)
        }
    }
}

/// What `rnameta fetch recount3` fetches (see [`recount3_files`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recount3Request {
    /// The data source of `projects`.
    pub source: Recount3Source,
    /// The projects, each of `source` (may be empty with `project_tables`).
    pub projects: Vec<Project>,
    /// The organism.
    pub organism: Organism,
    /// Also the organism's project lists: `homes_index` and each data source's project table.
    pub project_tables: bool,
    /// Only the projects' five metadata tables: no gene sums, no annotation GTF.
    pub metadata_only: bool,
    /// Only the projects' gene sums: no metadata tables, no annotation GTF.
    pub counts_only: bool,
    /// The organism's gene annotation GTF, whatever the projects.
    pub annotation: bool,
}

/// The recount3 files of SRA projects: the organism's gene annotation GTF once, then for each
/// project (duplicates dropped, order kept) its five metadata tables and its gene sums (the
/// plain `--project` request, the shorthand the URL tests below are written in).
#[cfg(test)]
pub fn recount3(projects: &[Project], organism: Organism) -> Vec<Resource> {
    recount3_files(&Recount3Request {
        source: Recount3Source::Sra,
        projects: projects.to_vec(),
        organism,
        project_tables: false,
        metadata_only: false,
        counts_only: false,
        annotation: false,
    })
}

/// The recount3 files of a request, in this order: with `project_tables` the organism's
/// `homes_index` and the project table of each data source recount3 has for it (SRA, GTEx and
/// TCGA for human, SRA for mouse); with `annotation`, or when there are projects and neither
/// `metadata_only` nor `counts_only`, the organism's gene annotation GTF; then for each project
/// (duplicates dropped, order kept) its five metadata tables (unless `counts_only`) and its gene
/// sums (unless `metadata_only`).
pub fn recount3_files(request: &Recount3Request) -> Vec<Resource> {
    let organism = request.organism;
    let org = organism.as_str();
    let ann = organism.recount3_annotation();
    let mut out = Vec::new();
    if request.project_tables {
        out.extend(recount3_project_lists(organism));
    }
    let with_projects =
        !request.projects.is_empty() && !request.metadata_only && !request.counts_only;
    if request.annotation || with_projects {
        out.push(Resource {
            collection: Collection::Recount3,
            remote_path: format!("{org}/annotations/gene_sums/{org}.gene_sums.{ann}.gtf.gz"),
            what: format!("recount3 {org} gene annotation {ann}"),
            if_missing: String::new(),
            content: Content::Gzip,
        });
    }
    let source = request.source;
    let src = source.as_str();
    let mut seen: Vec<&Project> = Vec::new();
    for project in &request.projects {
        if seen.contains(&project) {
            continue;
        }
        seen.push(project);
        let p = project.as_str();
        let shard = project.shard();
        let if_missing = match source {
            Recount3Source::Sra => format!(
                "is {p} a recount3 {org} SRA project? (check the id and --organism; recount3's \
                 project list is {org}/data_sources/sra/metadata/sra.recount_project.MD.gz)"
            ),
            Recount3Source::Gtex | Recount3Source::Tcga => format!(
                "is {p} a recount3 {org} {label} project? (check the id and --data-source; \
                 recount3's {label} project list is {org}/{table})",
                label = source.label(),
                table = source.project_table()
            ),
        };
        for table in source
            .metadata_tables()
            .iter()
            .filter(|_| !request.counts_only)
        {
            out.push(Resource {
                collection: Collection::Recount3,
                remote_path: format!(
                    "{org}/data_sources/{src}/metadata/{shard}/{p}/{src}.{table}.{p}.MD.gz"
                ),
                what: format!("recount3 {table} table of {p} ({org})"),
                if_missing: if_missing.clone(),
                content: Content::Gzip,
            });
        }
        if request.metadata_only {
            continue;
        }
        out.push(Resource {
            collection: Collection::Recount3,
            remote_path: format!(
                "{org}/data_sources/{src}/gene_sums/{shard}/{p}/{src}.gene_sums.{p}.{ann}.gz"
            ),
            what: format!("recount3 gene sums of {p} ({org}, {ann})"),
            if_missing,
            content: Content::Gzip,
        });
    }
    out
}

/// recount3's project lists for an organism: its `homes_index` and the project table of each
/// data source it has (what `rnameta plan` reads in stage 1).
fn recount3_project_lists(organism: Organism) -> Vec<Resource> {
    let org = organism.as_str();
    let mut out = vec![Resource {
        collection: Collection::Recount3,
        remote_path: format!("{org}/{RECOUNT3_HOMES_INDEX}"),
        what: format!("recount3 {org} project homes index"),
        if_missing: "recount3's list of project homes, read by the R package's project_homes(); \
                     check --base-url (a mirror without it is read by listing its \
                     data_sources/ and collections/ folders)"
            .to_string(),
        content: Content::HomesIndex,
    }];
    for source in Recount3Source::ALL {
        if !source.has(organism) {
            continue;
        }
        out.push(Resource {
            collection: Collection::Recount3,
            remote_path: format!("{org}/{}", source.project_table()),
            what: format!("recount3 {org} {} project table", source.label()),
            if_missing: format!(
                "the list of every sample of recount3's {} projects, read by the R package's \
                 available_projects(); check --organism and --base-url",
                source.label()
            ),
            content: Content::Gzip,
        });
    }
    out
}

/// The three GTEx v8 files: gene read counts (GCT, gzip), sample attributes and subject
/// phenotypes (tab-separated text).
pub fn gtex() -> Vec<Resource> {
    [
        (GTEX_GENE_READS, "GTEx v8 gene read counts", Content::Gzip),
        (
            GTEX_SAMPLE_ATTRIBUTES,
            "GTEx v8 sample attributes",
            Content::Tsv,
        ),
        (
            GTEX_SUBJECT_PHENOTYPES,
            "GTEx v8 subject phenotypes",
            Content::Tsv,
        ),
    ]
    .into_iter()
    .map(|(path, what, content)| Resource {
        collection: Collection::Gtex,
        remote_path: path.to_string(),
        what: what.to_string(),
        if_missing: String::new(),
        content,
    })
    .collect()
}

/// The ARCHS4 gene-level HDF5 file of one release and organism.
pub fn archs4(version: &Archs4Version, organism: Organism) -> Vec<Resource> {
    let org = organism.as_str();
    vec![Resource {
        collection: Collection::Archs4,
        remote_path: format!("{org}_gene_{version}.h5"),
        what: format!("ARCHS4 {org} gene counts {version}"),
        if_missing: format!(
            "is {version} an ARCHS4 release? (see maayanlab.cloud/archs4/download.html)"
        ),
        content: Content::Hdf5,
    }]
}

/// The MetaSRA file of one release: the JSON file (the one rnameta reads) or the SQLite database.
pub fn metasra(version: &MetaSraVersion, format: MetaSraFormat) -> Vec<Resource> {
    vec![Resource {
        collection: Collection::MetaSra,
        remote_path: format!(
            "{}/{}.{}",
            version.folder(),
            version.file_stem(),
            format.extension()
        ),
        what: format!("MetaSRA {version} release ({})", format.label()),
        if_missing: format!(
            "is {version} a MetaSRA release? (the releases are listed at \
             metasra.biostat.wisc.edu/supportpages/download.html)"
        ),
        content: format.content(),
    }]
}

/// UBERON basic in OBO format: the latest release through its PURL, or the dated `release`.
pub fn uberon(release: Option<&UberonRelease>) -> Vec<Resource> {
    let resource = match release {
        None => Resource {
            collection: Collection::Uberon,
            remote_path: UBERON_BASIC_LATEST.to_string(),
            what: "UBERON basic ontology (latest release)".to_string(),
            if_missing: String::new(),
            content: Content::Obo,
        },
        Some(date) => Resource {
            collection: Collection::Uberon,
            remote_path: format!("releases/{date}/{UBERON_BASIC_RELEASE_FILE}"),
            what: format!("UBERON basic ontology, release {date}"),
            if_missing: format!(
                "was UBERON released on {date}? (the releases are the tags vYYYY-MM-DD listed at \
                 github.com/obophenotype/uberon/releases; a release's date can differ from \
                 the data-version inside its files)"
            ),
            content: Content::Obo,
        },
    };
    vec![resource]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(id: &str) -> Project {
        id.parse().unwrap()
    }

    /// The URLs the recount3 R package lists for SRP009615 in its vignette
    /// (`recount3_cache_files()` output, with duffel over https).
    #[test]
    fn recount3_urls_follow_the_documented_layout() {
        let urls: Vec<String> = recount3(&[project("SRP009615")], Organism::Human)
            .iter()
            .map(|r| r.url(None))
            .collect();
        let base = "https://duffel.rail.bio/recount3/human";
        let expected = [
            format!("{base}/annotations/gene_sums/human.gene_sums.G026.gtf.gz"),
            format!("{base}/data_sources/sra/metadata/15/SRP009615/sra.sra.SRP009615.MD.gz"),
            format!(
                "{base}/data_sources/sra/metadata/15/SRP009615/sra.recount_project.SRP009615.MD.gz"
            ),
            format!("{base}/data_sources/sra/metadata/15/SRP009615/sra.recount_qc.SRP009615.MD.gz"),
            format!(
                "{base}/data_sources/sra/metadata/15/SRP009615/sra.recount_seq_qc.SRP009615.MD.gz"
            ),
            format!(
                "{base}/data_sources/sra/metadata/15/SRP009615/sra.recount_pred.SRP009615.MD.gz"
            ),
            format!(
                "{base}/data_sources/sra/gene_sums/15/SRP009615/sra.gene_sums.SRP009615.G026.gz"
            ),
        ];
        assert_eq!(urls, expected);
    }

    /// The mouse URLs of the vignette (DRP002367, annotation M023).
    #[test]
    fn mouse_projects_use_the_mouse_annotation() {
        let r = recount3(&[project("DRP002367")], Organism::Mouse);
        assert_eq!(
            r[0].url(None),
            "https://duffel.rail.bio/recount3/mouse/annotations/gene_sums/mouse.gene_sums.M023.gtf.gz"
        );
        assert_eq!(
            r[6].url(None),
            "https://duffel.rail.bio/recount3/mouse/data_sources/sra/gene_sums/67/DRP002367/sra.gene_sums.DRP002367.M023.gz"
        );
    }

    #[test]
    fn duplicate_projects_are_fetched_once_and_the_gtf_once() {
        let r = recount3(
            &[
                project("SRP012682"),
                project("ERP001942"),
                project("SRP012682"),
            ],
            Organism::Human,
        );
        assert_eq!(r.len(), 1 + 2 * 6);
        assert_eq!(
            r[6].local_path(),
            "recount3/human/data_sources/sra/gene_sums/82/SRP012682/sra.gene_sums.SRP012682.G026.gz"
        );
    }

    #[test]
    fn base_url_replaces_scheme_host_and_prefix() {
        let mirror: BaseUrl = "https://recount-opendata.s3.amazonaws.com/recount3/release/"
            .parse()
            .unwrap();
        let r = recount3(&[project("SRP012682")], Organism::Human);
        assert_eq!(
            r[1].url(Some(&mirror)),
            "https://recount-opendata.s3.amazonaws.com/recount3/release/human/data_sources/sra/metadata/82/SRP012682/sra.sra.SRP012682.MD.gz"
        );
        let g = gtex();
        assert_eq!(
            g[0].url(None),
            "https://storage.googleapis.com/adult-gtex/bulk-gex/v8/rna-seq/GTEx_Analysis_2017-06-05_v8_RNASeQCv1.1.9_gene_reads.gct.gz"
        );
        assert_eq!(
            g[0].local_path(),
            "gtex/GTEx_Analysis_2017-06-05_v8_RNASeQCv1.1.9_gene_reads.gct.gz"
        );
        let a = archs4(&"v2.latest".parse().unwrap(), Organism::Human);
        assert_eq!(
            a[0].url(None),
            "https://s3.dev.maayanlab.cloud/archs4/files/human_gene_v2.latest.h5"
        );
        assert_eq!(a[0].local_path(), "archs4/human_gene_v2.latest.h5");
    }

    /// What each file must hold follows from its name: `.gz` gzip, `.h5` HDF5, `.txt` text.
    #[test]
    fn every_file_knows_its_content_from_its_name() {
        let mut all = recount3(&[project("SRP012682")], Organism::Mouse);
        all.extend(gtex());
        all.extend(archs4(&"v2.5".parse().unwrap(), Organism::Human));
        for format in [MetaSraFormat::Json, MetaSraFormat::Sqlite] {
            all.extend(metasra(&"1.8".parse().unwrap(), format));
        }
        all.extend(uberon(None));
        all.extend(uberon(Some(&"2025-05-28".parse().unwrap())));
        for r in &all {
            let expected = match r.remote_path.rsplit('.').next() {
                Some("gz") => Content::Gzip,
                Some("h5") => Content::Hdf5,
                Some("txt") => Content::Tsv,
                Some("json") => Content::Json,
                Some("sqlite") => Content::Sqlite,
                Some("obo") => Content::Obo,
                other => panic!("{}: unexpected extension {other:?}", r.remote_path),
            };
            assert_eq!(r.content, expected, "{}", r.remote_path);
        }
    }

    /// The MetaSRA URLs follow the layout of MetaSRA's download page; 1.8's JSON is the URL
    /// refine.bio's `translate.sh` fetches.
    #[test]
    fn metasra_urls_follow_the_download_page_layout() {
        let v18: MetaSraVersion = "1.8".parse().unwrap();
        let json = &metasra(&v18, MetaSraFormat::Json)[0];
        assert_eq!(
            json.url(None),
            "https://metasra.biostat.wisc.edu/static/metasra_versions/v1.8/metasra.v1-8.json"
        );
        assert_eq!(json.local_path(), "metasra/metasra.v1-8.json");
        assert_eq!(json.content, Content::Json);
        let v14: MetaSraVersion = "v1.4".parse().unwrap();
        assert_eq!(
            metasra(&v14, MetaSraFormat::Sqlite)[0].url(None),
            "https://metasra.biostat.wisc.edu/static/metasra_versions/v1.4/metasra.v1-4.sqlite"
        );
        assert_eq!(v14.to_string(), "1.4");
        assert_eq!(METASRA_LATEST.parse::<MetaSraVersion>().unwrap(), v18);
    }

    /// The UBERON PURLs of OBOFoundry/purl.obolibrary.org's `config/uberon.yml`; dated releases
    /// land apart from the latest one.
    #[test]
    fn uberon_urls_are_the_obo_library_purls() {
        let latest = &uberon(None)[0];
        assert_eq!(
            latest.url(None),
            "http://purl.obolibrary.org/obo/uberon/basic.obo"
        );
        assert_eq!(latest.local_path(), "uberon/basic.obo");
        let dated = &uberon(Some(&"2025-05-28".parse().unwrap()))[0];
        assert_eq!(
            dated.url(None),
            "http://purl.obolibrary.org/obo/uberon/releases/2025-05-28/uberon-basic.obo"
        );
        assert_eq!(
            dated.local_path(),
            "uberon/releases/2025-05-28/uberon-basic.obo"
        );
        let mirror: BaseUrl = "http://127.0.0.1:8080/mirror".parse().unwrap();
        assert_eq!(
            dated.url(Some(&mirror)),
            "http://127.0.0.1:8080/mirror/releases/2025-05-28/uberon-basic.obo"
        );
    }

    fn request(source: Recount3Source, ids: &[&str]) -> Recount3Request {
        Recount3Request {
            source,
            projects: ids
                .iter()
                .map(|id| Project::parse(source, id).unwrap())
                .collect(),
            organism: Organism::Human,
            project_tables: false,
            metadata_only: false,
            counts_only: false,
            annotation: false,
        }
    }

    fn urls(request: &Recount3Request) -> Vec<String> {
        recount3_files(request)
            .iter()
            .map(|r| r.url(None))
            .collect()
    }

    /// GTEx and TCGA projects follow `locate_url()` with `project_home = "data_sources/gtex"` /
    /// `"data_sources/tcga"`: the home's own table first, the shard the id's last two characters.
    #[test]
    fn gtex_and_tcga_urls_follow_locate_url() {
        let base = "https://duffel.rail.bio/recount3/human";
        let gtex = urls(&request(Recount3Source::Gtex, &["BLADDER"]));
        let meta = format!("{base}/data_sources/gtex/metadata/ER/BLADDER");
        assert_eq!(
            gtex,
            [
                format!("{base}/annotations/gene_sums/human.gene_sums.G026.gtf.gz"),
                format!("{meta}/gtex.gtex.BLADDER.MD.gz"),
                format!("{meta}/gtex.recount_project.BLADDER.MD.gz"),
                format!("{meta}/gtex.recount_qc.BLADDER.MD.gz"),
                format!("{meta}/gtex.recount_seq_qc.BLADDER.MD.gz"),
                format!("{meta}/gtex.recount_pred.BLADDER.MD.gz"),
                format!(
                    "{base}/data_sources/gtex/gene_sums/ER/BLADDER/gtex.gene_sums.BLADDER.G026.gz"
                ),
            ]
        );
        let tcga = recount3_files(&request(Recount3Source::Tcga, &["BRCA", "LUAD", "BRCA"]));
        assert_eq!(tcga.len(), 1 + 2 * 6, "duplicates dropped");
        assert_eq!(
            tcga[1].local_path(),
            "recount3/human/data_sources/tcga/metadata/CA/BRCA/tcga.tcga.BRCA.MD.gz"
        );
        assert_eq!(
            tcga[12].url(None),
            format!("{base}/data_sources/tcga/gene_sums/AD/LUAD/tcga.gene_sums.LUAD.G026.gz")
        );
        assert!(tcga[1].hint().contains(
            "is BRCA a recount3 human TCGA project? (check the id and --data-source; \
             recount3's TCGA project list is \
             human/data_sources/tcga/metadata/tcga.recount_project.MD.gz)"
        ));
        // An SRA request through the general function is the plain one.
        let sra = request(Recount3Source::Sra, &["SRP009615"]);
        assert_eq!(
            recount3_files(&sra),
            recount3(&[project("SRP009615")], Organism::Human)
        );
    }

    /// The project lists `project_homes()` and `available_projects()` read: `homes_index` and
    /// each home's project table; mouse has SRA only.
    #[test]
    fn project_tables_are_the_homes_index_and_each_sources_project_table() {
        let mut lists = request(Recount3Source::Sra, &[]);
        lists.project_tables = true;
        let base = "https://duffel.rail.bio/recount3/human";
        assert_eq!(
            urls(&lists),
            [
                format!("{base}/homes_index"),
                format!("{base}/data_sources/sra/metadata/sra.recount_project.MD.gz"),
                format!("{base}/data_sources/gtex/metadata/gtex.recount_project.MD.gz"),
                format!("{base}/data_sources/tcga/metadata/tcga.recount_project.MD.gz"),
            ]
        );
        let files = recount3_files(&lists);
        assert_eq!(files[0].content, Content::HomesIndex);
        assert_eq!(files[0].local_path(), "recount3/human/homes_index");
        assert!(files[1..].iter().all(|r| r.content == Content::Gzip));
        assert_eq!(
            files[2].local_path(),
            "recount3/human/data_sources/gtex/metadata/gtex.recount_project.MD.gz"
        );
        lists.organism = Organism::Mouse;
        assert_eq!(
            urls(&lists),
            [
                "https://duffel.rail.bio/recount3/mouse/homes_index",
                "https://duffel.rail.bio/recount3/mouse/data_sources/sra/metadata/sra.recount_project.MD.gz",
            ]
        );
        // With a project, the lists come first and the project's files follow unchanged.
        let mut both = request(Recount3Source::Sra, &["SRP009615"]);
        both.project_tables = true;
        let files = urls(&both);
        assert_eq!(files.len(), 4 + 7);
        assert_eq!(
            files[4..],
            urls(&request(Recount3Source::Sra, &["SRP009615"]))[..]
        );
    }

    #[test]
    fn counts_only_is_the_gene_sums_and_annotation_the_gtf() {
        let mut counts = request(Recount3Source::Tcga, &["BRCA", "LUAD"]);
        counts.counts_only = true;
        assert_eq!(
            urls(&counts),
            [
                "https://duffel.rail.bio/recount3/human/data_sources/tcga/gene_sums/CA/BRCA/tcga.gene_sums.BRCA.G026.gz",
                "https://duffel.rail.bio/recount3/human/data_sources/tcga/gene_sums/AD/LUAD/tcga.gene_sums.LUAD.G026.gz",
            ]
        );
        let mut gtf = request(Recount3Source::Sra, &[]);
        gtf.annotation = true;
        assert_eq!(
            urls(&gtf),
            ["https://duffel.rail.bio/recount3/human/annotations/gene_sums/human.gene_sums.G026.gtf.gz"]
        );
        counts.annotation = true;
        assert_eq!(
            urls(&counts).len(),
            1 + 2,
            "the GTF, then the two gene sums"
        );
    }

    #[test]
    fn metadata_only_leaves_out_the_gene_sums_and_the_gtf() {
        let mut only = request(Recount3Source::Gtex, &["LUNG", "BRAIN"]);
        only.metadata_only = true;
        let files = urls(&only);
        assert_eq!(files.len(), 2 * 5);
        assert!(files.iter().all(|u| u.ends_with(".MD.gz")), "{files:?}");
        assert_eq!(
            files[0],
            "https://duffel.rail.bio/recount3/human/data_sources/gtex/metadata/NG/LUNG/gtex.gtex.LUNG.MD.gz"
        );
        only.project_tables = true;
        assert_eq!(urls(&only).len(), 4 + 2 * 5);
    }

    #[test]
    fn project_ids_are_checked_for_their_data_source() {
        for (source, good) in [
            (Recount3Source::Gtex, "ADIPOSE_TISSUE"),
            (Recount3Source::Gtex, "BRAIN"),
            (Recount3Source::Gtex, " LUNG "),
            (Recount3Source::Tcga, "BRCA"),
            (Recount3Source::Tcga, "LUAD"),
            (Recount3Source::Sra, "SRP012682"),
        ] {
            assert!(
                Project::parse(source, good).is_ok(),
                "{source} {good} refused"
            );
        }
        assert_eq!(
            Project::parse(Recount3Source::Gtex, "BRAIN")
                .unwrap()
                .shard(),
            "IN"
        );
        for (source, bad) in [
            (Recount3Source::Gtex, "brain"),
            (Recount3Source::Gtex, "B"),
            (Recount3Source::Gtex, ""),
            (Recount3Source::Gtex, "../BRAIN"),
            (Recount3Source::Gtex, "BRAIN/.."),
            (Recount3Source::Gtex, "ADIPOSE TISSUE"),
            (Recount3Source::Gtex, "ADIPOSE-TISSUE"),
            (Recount3Source::Gtex, "LUNG%2F"),
            (Recount3Source::Tcga, "TCGA-BRCA"),
            (Recount3Source::Tcga, "brca"),
            (Recount3Source::Sra, "BRCA"),
        ] {
            let err = Project::parse(source, bad).unwrap_err();
            assert!(err.contains(source.label()), "{err}");
        }
        assert_eq!(
            Project::parse(Recount3Source::Gtex, "brain").unwrap_err(),
            "\"brain\" is not a recount3 GTEx project (a GTEx tissue as recount3 names it, such \
             as ADIPOSE_TISSUE, BRAIN or LUNG: upper-case letters, digits and _, at least 2 \
             characters)"
        );
        assert!(Recount3Source::Gtex.has(Organism::Human));
        assert!(!Recount3Source::Tcga.has(Organism::Mouse));
        assert!(Recount3Source::Sra.has(Organism::Mouse));
    }

    #[test]
    fn command_line_values_are_checked() {
        for bad in [
            "SRP",
            "SRP1",
            "GSE12345",
            "SRP0126x2",
            "../SRP012682",
            "srp012682",
        ] {
            assert!(bad.parse::<Project>().is_err(), "{bad} accepted");
        }
        assert_eq!(project("ERP001942").shard(), "42");
        for good in ["v2.latest", "v2.5", "v2.2", "v11"] {
            assert!(good.parse::<Archs4Version>().is_ok(), "{good} refused");
        }
        for bad in ["2.5", "v2.", "vlatest", "v2.latest.h5", "v2/../x"] {
            assert!(bad.parse::<Archs4Version>().is_err(), "{bad} accepted");
        }
        for good in ["1.8", "v1.8", " 1.10 ", "2.0"] {
            assert!(good.parse::<MetaSraVersion>().is_ok(), "{good} refused");
        }
        for bad in [
            "1", "1-8", "v1.8.1", "latest", "1.x", "../1.8", "1./8", "12345.1", "",
        ] {
            assert!(bad.parse::<MetaSraVersion>().is_err(), "{bad} accepted");
        }
        for good in ["2025-05-28", "2024-09-03", " 2022-03-31 "] {
            assert!(good.parse::<UberonRelease>().is_ok(), "{good} refused");
        }
        for bad in [
            "2025-5-28",
            "2025-13-01",
            "2025-00-10",
            "2025-01-32",
            "25-01-01",
            "v2025-05-28",
            "2025-05-28/../x",
            "latest",
            "2014-03-26b",
        ] {
            assert!(bad.parse::<UberonRelease>().is_err(), "{bad} accepted");
        }
        assert!("ftp://example.org".parse::<BaseUrl>().is_err());
        assert!("http://".parse::<BaseUrl>().is_err());
        assert!("http://127.0.0.1:8080/x?y=1".parse::<BaseUrl>().is_err());
        assert_eq!(
            "http://127.0.0.1:8080/mirror/"
                .parse::<BaseUrl>()
                .unwrap()
                .as_str(),
            "http://127.0.0.1:8080/mirror"
        );
    }
}
