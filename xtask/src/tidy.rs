//! Tidy checks: the invariants `docs/ARCHITECTURE.md` states, checked on the source as text (as
//! rust-analyzer's `xtask/src/tidy.rs` does), so that the document stays true. `xtask/tests/tidy.rs`
//! runs them on the workspace and on small violating examples.
//!
//! Each check is a function of the text it judges and returns the [`Violation`]s it finds:
//!
//! - [`dependency_order`]: every crate depends (normal and build dependencies) only on crates in an
//!   earlier layer of the document's "Dependency direction" line, and every workspace member is in
//!   that line once;
//! - [`dfdx_confinement`]: only models and augment depend on or mention dfdx, and no public item of
//!   theirs names a dfdx type outside the declared dfdx surface ([`DFDX_SURFACE`]);
//! - [`file_writes`]: library crates and the command line write file contents only through
//!   `rnameta_io::write`, apart from the stated exceptions ([`WRITE_EXCEPTIONS`]);
//! - [`no_anyhow`]: library crates neither depend on nor mention anyhow;
//! - [`module_cycles`] and [`unexpected_cycles`]: no two modules of a crate import each other,
//!   apart from the known pairs ([`KNOWN_CYCLES`]);
//! - [`paths_inside_repository`]: the document points to no path outside the repository.
//!
//! Source is read with comments, string and character literals blanked and `#[cfg(test)]` items
//! removed, so that documentation and tests do not count.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;

/// One broken invariant: which check, where, and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// The check that found it (`dependency-order`, `dfdx`, `file-writes`, `anyhow`, `module-cycle`,
    /// `doc-paths`).
    pub check: &'static str,
    /// The file or crate concerned, relative to the repository root.
    pub path: String,
    /// What is wrong and, where it helps, what to do.
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}] {}: {}", self.check, self.path, self.message)
    }
}

fn violation(check: &'static str, path: &str, message: String) -> Violation {
    Violation {
        check,
        path: path.to_owned(),
        message,
    }
}

/// The crates that may use dfdx (the user's chosen neural-network library).
pub const DFDX_CRATES: &[&str] = &["crates/models", "crates/augment"];

/// Modules whose public items may name dfdx types: (crate directory, module path, why).
pub const DFDX_SURFACE: &[(&str, &str, &str)] = &[
    (
        "crates/models",
        "neural::kit",
        "the dfdx building blocks shared with augment's GAN (the same runtime-sized layer, Adam and device)",
    ),
    (
        "crates/models",
        "neural::dense",
        "private module, public only through `neural::kit`",
    ),
    (
        "crates/models",
        "neural::adam",
        "private module, public only through `neural::kit`",
    ),
];

/// dfdx names that mark a signature as exposing dfdx (besides the path `dfdx::` itself and the
/// types declared in [`DFDX_SURFACE`]).
pub const DFDX_TYPES: &[&str] = &[
    "Cpu",
    "Tensor",
    "Gradients",
    "Tape",
    "OwnedTape",
    "NoneTape",
    "Rank0",
    "Rank1",
    "Rank2",
    "Rank3",
    "Rank4",
];

/// Files that write file contents without `rnameta_io::write`: (path, why).
pub const WRITE_EXCEPTIONS: &[(&str, &str)] = &[
    (
        "crates/io/src/write.rs",
        "io's writer itself: temporary files beside the target, renamed when complete",
    ),
    (
        "crates/cli/src/fetch/download.rs",
        "a resumable download appends to a `.partial` file, renamed once its checksum matches",
    ),
];

/// Module pairs known to import each other, to be broken: (crate directory, module, module, why).
/// A pair listed here that no longer imports each other is reported too, so the list only shrinks.
pub const KNOWN_CYCLES: &[(&str, &str, &str, &str)] = &[];

/// The crates held to the library rules (typed errors, no anyhow): every crate under `crates/` but
/// the command line.
pub fn is_library(dir: &str) -> bool {
    dir.starts_with("crates/") && dir != "crates/cli"
}

/// A workspace member: its directory, manifest and Rust sources.
#[derive(Clone, Debug)]
pub struct Crate {
    /// Directory relative to the repository root, e.g. `crates/models`.
    pub dir: String,
    /// The text of its `Cargo.toml`.
    pub manifest: String,
    /// Every `.rs` file under `src/`: (path relative to the crate directory, text).
    pub sources: Vec<(String, String)>,
}

/// One module file of a crate target, as the checks read it.
#[derive(Clone, Debug)]
pub struct ModuleFile {
    /// Path relative to the repository root.
    pub path: String,
    /// The target root it belongs to (`src/lib.rs` or `src/main.rs`).
    pub root: String,
    /// Module path inside the target, `a::b`; empty for the root.
    pub module: String,
    /// The source with comments and literals blanked and `#[cfg(test)]` items removed.
    pub code: String,
}

impl Crate {
    /// A crate from its directory, manifest text and sources (paths relative to the crate).
    pub fn new(dir: &str, manifest: &str, sources: &[(&str, &str)]) -> Self {
        Crate {
            dir: dir.to_owned(),
            manifest: manifest.to_owned(),
            sources: sources
                .iter()
                .map(|(p, t)| ((*p).to_owned(), (*t).to_owned()))
                .collect(),
        }
    }

    /// The short name the architecture document uses: the last part of the directory.
    pub fn short_name(&self) -> &str {
        self.dir.rsplit('/').next().unwrap_or(&self.dir)
    }

    /// The package name from `[package]`.
    pub fn package(&self) -> Option<String> {
        manifest_entries(&self.manifest)
            .into_iter()
            .find(|(section, key, _)| section == "package" && key == "name")
            .map(|(_, _, value)| value.trim().trim_matches('"').to_owned())
    }

    /// The names of its normal and build dependencies (not dev-dependencies, which only tests
    /// see), from every `[dependencies]`, `[build-dependencies]` and `[target.*.dependencies]`.
    pub fn dependencies(&self) -> BTreeSet<String> {
        let mut deps = BTreeSet::new();
        for (section, key, _) in manifest_entries(&self.manifest) {
            let section_name = section.rsplit('.').next().unwrap_or("");
            if section.ends_with("dependencies")
                && !section.ends_with("dev-dependencies")
                && (section_name == "dependencies" || section_name == "build-dependencies")
            {
                deps.insert(
                    key.split('.')
                        .next()
                        .unwrap_or("")
                        .trim_matches('"')
                        .to_owned(),
                );
            } else if let Some(name) = section
                .strip_prefix("dependencies.")
                .or_else(|| section.strip_prefix("build-dependencies."))
            {
                deps.insert(name.trim_matches('"').to_owned());
            }
        }
        deps
    }

    /// The module files of its library and binary targets, found from `src/lib.rs` and
    /// `src/main.rs` through `mod name;` declarations (those under `#[cfg(test)]` left out).
    pub fn module_files(&self) -> Vec<ModuleFile> {
        let texts: BTreeMap<&str, &str> = self
            .sources
            .iter()
            .map(|(p, t)| (p.as_str(), t.as_str()))
            .collect();
        let mut out = Vec::new();
        for root in ["src/lib.rs", "src/main.rs"] {
            let mut pending = vec![(root.to_owned(), String::new())];
            while let Some((path, module)) = pending.pop() {
                let Some(text) = texts.get(path.as_str()) else {
                    continue;
                };
                let code = strip_tests(&blank_comments_and_literals(text));
                let dir = match path.rsplit_once('/') {
                    Some((parent, file))
                        if file == "mod.rs" || file == "lib.rs" || file == "main.rs" =>
                    {
                        parent.to_owned()
                    }
                    _ => path.trim_end_matches(".rs").to_owned(),
                };
                for (inline, name) in file_module_declarations(&code) {
                    let inner = join(&join(&module, &inline), &name);
                    let base = if inline.is_empty() {
                        dir.clone()
                    } else {
                        format!("{dir}/{}", inline.replace("::", "/"))
                    };
                    let plain = format!("{base}/{name}.rs");
                    let nested = format!("{base}/{name}/mod.rs");
                    let file = if texts.contains_key(plain.as_str()) {
                        plain
                    } else {
                        nested
                    };
                    pending.push((file, inner));
                }
                out.push(ModuleFile {
                    path: format!("{}/{path}", self.dir),
                    root: root.to_owned(),
                    module,
                    code,
                });
            }
        }
        out.sort_by(|a, b| a.path.cmp(&b.path));
        out
    }
}

fn join(a: &str, b: &str) -> String {
    match (a.is_empty(), b.is_empty()) {
        (true, _) => b.to_owned(),
        (_, true) => a.to_owned(),
        _ => format!("{a}::{b}"),
    }
}

/// (section, key, value) of every `key = value` line of a TOML manifest (enough for Cargo.toml).
fn manifest_entries(manifest: &str) -> Vec<(String, String, String)> {
    let mut section = String::new();
    let mut out = Vec::new();
    for line in manifest.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        if let Some(header) = line.strip_prefix('[') {
            section = header.trim_end_matches(']').trim().to_owned();
        } else if let Some((key, value)) = line.split_once('=') {
            out.push((
                section.clone(),
                key.trim().to_owned(),
                value.trim().to_owned(),
            ));
        }
    }
    out
}

/// The workspace members listed in the root `Cargo.toml`.
pub fn workspace_members(root_manifest: &str) -> Vec<String> {
    let Some(start) = root_manifest.find("members") else {
        return Vec::new();
    };
    let rest = &root_manifest[start..];
    let list = rest
        .split_once('[')
        .and_then(|(_, r)| r.split_once(']'))
        .map_or("", |(l, _)| l);
    list.split(',')
        .map(|m| m.split('#').next().unwrap_or("").trim().trim_matches('"'))
        .filter(|m| !m.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Reads every workspace member under `root` (the repository root).
pub fn load_workspace(root: &Path) -> std::io::Result<Vec<Crate>> {
    let members = workspace_members(&std::fs::read_to_string(root.join("Cargo.toml"))?);
    let mut crates = Vec::new();
    for dir in members {
        let manifest = std::fs::read_to_string(root.join(&dir).join("Cargo.toml"))?;
        let mut sources = Vec::new();
        let src = root.join(&dir).join("src");
        let mut pending = vec![src.clone()];
        while let Some(folder) = pending.pop() {
            for entry in std::fs::read_dir(&folder)? {
                let path = entry?.path();
                if path.is_dir() {
                    pending.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let relative = path
                        .strip_prefix(root.join(&dir))
                        .expect("under the crate")
                        .to_string_lossy()
                        .replace('\\', "/");
                    sources.push((relative, std::fs::read_to_string(&path)?));
                }
            }
        }
        sources.sort();
        crates.push(Crate {
            dir,
            manifest,
            sources,
        });
    }
    Ok(crates)
}

// ---------------------------------------------------------------------------------------------
// Reading Rust as text.

/// `text` with every comment, string, byte-string and character literal replaced by spaces
/// (newlines kept, so positions and line numbers stay).
pub fn blank_comments_and_literals(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out: Vec<char> = chars.clone();
    let blank = |out: &mut Vec<char>, from: usize, to: usize| {
        for c in out.iter_mut().take(to.min(chars.len())).skip(from) {
            if *c != '\n' {
                *c = ' ';
            }
        }
    };
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            let end = chars[i..]
                .iter()
                .position(|&c| c == '\n')
                .map_or(chars.len(), |p| i + p);
            blank(&mut out, i, end);
            i = end;
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            let mut j = i;
            while j < chars.len() {
                if chars[j] == '/' && chars.get(j + 1) == Some(&'*') {
                    depth += 1;
                    j += 2;
                } else if chars[j] == '*' && chars.get(j + 1) == Some(&'/') {
                    depth -= 1;
                    j += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    j += 1;
                }
            }
            blank(&mut out, i, j);
            i = j;
        } else if (c == 'r' || (c == 'b' && next == Some('r')))
            && (i == 0 || !ident(chars[i - 1]))
            && {
                let k = if c == 'b' { i + 2 } else { i + 1 };
                let hashes = chars[k..].iter().take_while(|&&c| c == '#').count();
                chars.get(k + hashes) == Some(&'"')
            }
        {
            let k = if c == 'b' { i + 2 } else { i + 1 };
            let hashes = chars[k..].iter().take_while(|&&c| c == '#').count();
            let mut j = k + hashes + 1;
            while j < chars.len() {
                if chars[j] == '"'
                    && chars[j + 1..].iter().take_while(|&&c| c == '#').count() >= hashes
                {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            blank(&mut out, i, j);
            i = j;
        } else if c == '"' {
            let mut j = i + 1;
            while j < chars.len() && chars[j] != '"' {
                j += if chars[j] == '\\' { 2 } else { 1 };
            }
            blank(&mut out, i, j + 1);
            i = j + 1;
        } else if c == '\'' {
            if next == Some('\\') {
                let end = chars[i + 2..]
                    .iter()
                    .position(|&c| c == '\'')
                    .map_or(chars.len(), |p| i + 2 + p + 1);
                blank(&mut out, i, end);
                i = end;
            } else if chars.get(i + 2) == Some(&'\'') {
                blank(&mut out, i, i + 3);
                i += 3;
            } else {
                i += 1; // a lifetime
            }
        } else if ident(c) {
            while i < chars.len() && ident(chars[i]) {
                i += 1;
            }
        } else {
            i += 1;
        }
    }
    out.into_iter().collect()
}

/// `code` (already blanked) with every item under `#[cfg(test)]` replaced by spaces.
pub fn strip_tests(code: &str) -> String {
    let mut out: Vec<char> = code.chars().collect();
    let chars = out.clone();
    let mut from = 0;
    while let Some(found) = find_attribute(&chars, from, "cfg(test)") {
        let (start, after) = found;
        let end = item_end(&chars, after);
        for c in out.iter_mut().take(end).skip(start) {
            if *c != '\n' {
                *c = ' ';
            }
        }
        from = end.max(after);
    }
    out.into_iter().collect()
}

/// The next `#[attr]` at or after `from` whose content, without spaces, is `content`: its start
/// and the position after its `]`.
fn find_attribute(chars: &[char], from: usize, content: &str) -> Option<(usize, usize)> {
    let mut i = from;
    while i + 1 < chars.len() {
        if chars[i] == '#' && chars[i + 1] == '[' {
            let close = chars[i..].iter().position(|&c| c == ']')? + i;
            let inner: String = chars[i + 2..close]
                .iter()
                .filter(|c| !c.is_whitespace())
                .collect();
            if inner == content {
                return Some((i, close + 1));
            }
            i = close;
        }
        i += 1;
    }
    None
}

/// Where the item starting at `from` ends: after its `;` or its balanced `{...}`, whichever comes
/// first at nesting depth 0.
fn item_end(chars: &[char], from: usize) -> usize {
    let mut depth = 0i32;
    let mut i = from;
    while i < chars.len() {
        match chars[i] {
            '(' | '[' => depth += 1,
            ')' | ']' => depth -= 1,
            ';' if depth == 0 => return i + 1,
            '{' if depth == 0 => return matching_brace(chars, i) + 1,
            _ => {}
        }
        i += 1;
    }
    chars.len()
}

/// The position of the `}` that closes the `{` at `open`.
fn matching_brace(chars: &[char], open: usize) -> usize {
    let mut depth = 0;
    for (i, &c) in chars.iter().enumerate().skip(open) {
        if c == '{' {
            depth += 1;
        } else if c == '}' {
            depth -= 1;
            if depth == 0 {
                return i;
            }
        }
    }
    chars.len()
}

/// Identifier tokens of `code` with their positions.
fn identifiers(code: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in code.char_indices() {
        let part = c.is_alphanumeric() || c == '_';
        match (part, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, &code[s..i]));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, &code[s..]));
    }
    out
}

/// Inline modules (`mod name { ... }`) of `code`: byte range of the body and the module path
/// relative to the file.
fn inline_modules(code: &str) -> Vec<(usize, usize, String)> {
    let chars: Vec<(usize, char)> = code.char_indices().collect();
    let ids = identifiers(code);
    let mut out: Vec<(usize, usize, String)> = Vec::new();
    for w in ids.windows(2) {
        if w[0].1 != "mod" {
            continue;
        }
        let after = w[1].0 + w[1].1.len();
        let rest = code[after..].trim_start();
        if !rest.starts_with('{') {
            continue;
        }
        let open = code.len() - rest.len();
        let open_index = chars.iter().position(|&(b, _)| b == open).unwrap_or(0);
        let only: Vec<char> = chars.iter().map(|&(_, c)| c).collect();
        let close_index = matching_brace(&only, open_index);
        let close = chars.get(close_index).map_or(code.len(), |&(b, _)| b);
        let parent = out
            .iter()
            .filter(|(s, e, _)| *s < open && close <= *e)
            .max_by_key(|(s, _, _)| *s)
            .map(|(_, _, p)| p.clone())
            .unwrap_or_default();
        out.push((open, close, join(&parent, w[1].1)));
    }
    out
}

/// The inline module path (relative to the file) at byte `at`.
fn inline_module_at(modules: &[(usize, usize, String)], at: usize) -> String {
    modules
        .iter()
        .filter(|(s, e, _)| *s < at && at < *e)
        .max_by_key(|(s, _, _)| *s)
        .map(|(_, _, p)| p.clone())
        .unwrap_or_default()
}

/// `mod name;` declarations of a file: (inline module they sit in, name).
fn file_module_declarations(code: &str) -> Vec<(String, String)> {
    let inline = inline_modules(code);
    let ids = identifiers(code);
    ids.windows(2)
        .filter(|w| w[0].1 == "mod" && code[w[1].0 + w[1].1.len()..].trim_start().starts_with(';'))
        .map(|w| (inline_module_at(&inline, w[0].0), w[1].1.to_owned()))
        .collect()
}

fn line_of(code: &str, at: usize) -> usize {
    code[..at].matches('\n').count() + 1
}

// ---------------------------------------------------------------------------------------------
// The checks.

/// The layers of the document's line `Dependency direction: a <- b, c <- d.`, earliest first.
pub fn dependency_layers(architecture: &str) -> Option<Vec<Vec<String>>> {
    let line = architecture
        .lines()
        .find(|l| l.trim_start().starts_with("Dependency direction:"))?;
    let order = line.split_once(':')?.1.trim().trim_end_matches('.');
    Some(
        order
            .split("<-")
            .map(|layer| {
                layer
                    .split(',')
                    .map(|n| n.trim().trim_matches('`').to_owned())
                    .filter(|n| !n.is_empty())
                    .collect()
            })
            .collect(),
    )
}

/// Every crate depends only on crates of earlier layers of the document's dependency direction,
/// and every member appears there exactly once.
pub fn dependency_order(architecture: &str, crates: &[Crate]) -> Vec<Violation> {
    let check = "dependency-order";
    let Some(layers) = dependency_layers(architecture) else {
        return vec![violation(
            check,
            "docs/ARCHITECTURE.md",
            "no line `Dependency direction: a <- b, c <- ...`".into(),
        )];
    };
    let mut out = Vec::new();
    let mut layer_of: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, layer) in layers.iter().enumerate() {
        for name in layer {
            if layer_of.insert(name, i).is_some() {
                out.push(violation(
                    check,
                    "docs/ARCHITECTURE.md",
                    format!("`{name}` appears twice in the dependency direction"),
                ));
            }
        }
    }
    let short_of: BTreeMap<String, &str> = crates
        .iter()
        .filter_map(|c| c.package().map(|p| (p, c.short_name())))
        .collect();
    for name in layer_of.keys() {
        if !crates.iter().any(|c| c.short_name() == *name) {
            out.push(violation(
                check,
                "docs/ARCHITECTURE.md",
                format!("`{name}` in the dependency direction is no workspace member"),
            ));
        }
    }
    for c in crates {
        let manifest = format!("{}/Cargo.toml", c.dir);
        let Some(&own) = layer_of.get(c.short_name()) else {
            out.push(violation(
                check,
                &manifest,
                format!(
                    "`{}` is missing from the dependency direction in docs/ARCHITECTURE.md",
                    c.short_name()
                ),
            ));
            continue;
        };
        for dep in c.dependencies() {
            let Some(short) = short_of.get(&dep) else {
                continue; // not a workspace crate
            };
            let theirs = layer_of.get(short).copied().unwrap_or(usize::MAX);
            if theirs >= own {
                out.push(violation(
                    check,
                    &manifest,
                    format!(
                        "`{}` depends on `{short}`, which the dependency direction puts {}",
                        c.short_name(),
                        if theirs == own {
                            "in the same layer"
                        } else {
                            "after it"
                        }
                    ),
                ));
            }
        }
    }
    out
}

/// The declaration text of the `pub` item or field at byte `at` (up to its body or terminator;
/// a whole enum, whose variants are public with it).
fn declaration(code: &str, at: usize) -> &str {
    let rest = &code[at..];
    let ids = identifiers(rest);
    let keyword = ids.get(1).map_or("", |(_, w)| *w);
    let to_semicolon = ["use", "type", "const", "static"].contains(&keyword);
    let item = [
        "fn", "struct", "enum", "trait", "type", "use", "const", "static", "unsafe", "async",
        "extern",
    ]
    .contains(&keyword);
    let mut depth = 0i32;
    let mut previous = ' ';
    for (i, c) in rest.char_indices() {
        let arrow = c == '>' && previous == '-';
        previous = c;
        if to_semicolon {
            if c == ';' {
                return &rest[..i];
            }
            continue;
        }
        match c {
            _ if arrow => {}
            '(' | '[' | '<' => depth += 1,
            ')' | ']' | '>' if depth > 0 => depth -= 1,
            ')' | ']' | '}' => return &rest[..i],
            '{' if depth == 0 => {
                if keyword == "enum" {
                    let chars: Vec<char> = rest.chars().collect();
                    let start = rest[..i].chars().count();
                    let end = matching_brace(&chars, start);
                    let bytes = rest.char_indices().nth(end).map_or(rest.len(), |(b, _)| b);
                    return &rest[..bytes];
                }
                return &rest[..i];
            }
            ';' if depth == 0 => return &rest[..i],
            ',' if depth == 0 && !item => return &rest[..i],
            _ => {}
        }
    }
    rest
}

/// Positions of `pub` visibilities that are not restricted (`pub(crate)`, `pub(super)`, ...).
fn unrestricted_pubs(code: &str) -> Vec<usize> {
    identifiers(code)
        .into_iter()
        .filter(|(at, w)| *w == "pub" && !code[at + 3..].trim_start().starts_with('('))
        .map(|(at, _)| at)
        .collect()
}

/// Only the dfdx crates depend on or mention dfdx (or models' `neural::kit`), and no public item
/// of theirs names a dfdx type outside their declared surface ([`DFDX_SURFACE`]).
pub fn dfdx_confinement(
    crates: &[Crate],
    dfdx_crates: &[&str],
    surface: &[(&str, &str, &str)],
) -> Vec<Violation> {
    let check = "dfdx";
    let mut out = Vec::new();
    let in_surface = |dir: &str, module: &str| {
        surface
            .iter()
            .any(|(d, m, _)| *d == dir && (module == *m || module.starts_with(&format!("{m}::"))))
    };
    // Types declared in the surface carry dfdx tensors: naming them elsewhere exposes dfdx too.
    let mut vocabulary: BTreeSet<String> = DFDX_TYPES.iter().map(|s| (*s).to_owned()).collect();
    for c in crates
        .iter()
        .filter(|c| dfdx_crates.contains(&c.dir.as_str()))
    {
        for file in c.module_files() {
            let inline = inline_modules(&file.code);
            let ids = identifiers(&file.code);
            for w in ids.windows(2) {
                let module = join(&file.module, &inline_module_at(&inline, w[0].0));
                if ["struct", "enum", "type", "trait"].contains(&w[0].1)
                    && in_surface(&c.dir, &module)
                {
                    vocabulary.insert(w[1].1.to_owned());
                }
            }
        }
    }
    for c in crates {
        let allowed = dfdx_crates.contains(&c.dir.as_str());
        if !allowed && c.dependencies().contains("dfdx") {
            out.push(violation(
                check,
                &format!("{}/Cargo.toml", c.dir),
                "depends on dfdx, which stays inside models and augment".into(),
            ));
        }
        for file in c.module_files() {
            if !allowed {
                for (at, w) in identifiers(&file.code) {
                    let kit = w == "neural" && file.code[at..].starts_with("neural::kit");
                    if w == "dfdx" || kit {
                        out.push(violation(
                            check,
                            &file.path,
                            format!(
                                "line {}: names `{}`, which stays inside models and augment",
                                line_of(&file.code, at),
                                if kit { "neural::kit" } else { "dfdx" }
                            ),
                        ));
                    }
                }
                continue;
            }
            let inline = inline_modules(&file.code);
            for at in unrestricted_pubs(&file.code) {
                let module = join(&file.module, &inline_module_at(&inline, at));
                if in_surface(&c.dir, &module) {
                    continue;
                }
                let decl = declaration(&file.code, at);
                let named = identifiers(decl)
                    .into_iter()
                    .map(|(_, w)| w)
                    .find(|w| *w == "dfdx" || vocabulary.contains(*w));
                if let Some(name) = named {
                    out.push(violation(
                        check,
                        &file.path,
                        format!(
                            "line {}: public `{}` names the dfdx type `{name}`; keep dfdx in \
                             `pub(crate)` items or in the declared surface (neural::kit)",
                            line_of(&file.code, at),
                            decl.split_whitespace().collect::<Vec<_>>().join(" "),
                        ),
                    ));
                }
            }
        }
    }
    out
}

/// Calls that write file contents.
const FILE_WRITES: &[&str] = &[
    "fs::write(",
    "File::create(",
    "OpenOptions",
    "fs::copy(",
    "NamedTempFile",
    "H5File::create(",
    "BitMapBackend::new(",
    "SVGBackend::new(",
    "serialize_to_file(",
];

/// Library crates and the command line write file contents only through `rnameta_io::write`:
/// outside the `exceptions`, the only file creation allowed is io's format writers creating the
/// temporary path that `write::*_with_path` hands them (`create(tmp)`).
pub fn file_writes(crates: &[Crate], exceptions: &[(&str, &str)]) -> Vec<Violation> {
    let check = "file-writes";
    let mut out = Vec::new();
    for c in crates
        .iter()
        .filter(|c| is_library(&c.dir) || c.dir == "crates/cli")
    {
        for file in c.module_files() {
            if exceptions.iter().any(|(p, _)| *p == file.path) {
                continue;
            }
            let hands_temporaries = c.dir == "crates/io" && file.code.contains("_with_path(");
            for pattern in FILE_WRITES {
                for (at, _) in file.code.match_indices(pattern) {
                    let before = file.code[..at].chars().next_back();
                    if before.is_some_and(|b| b.is_alphanumeric() || b == '_') {
                        continue;
                    }
                    let temporary = file.code[at..]
                        .split_once('(')
                        .is_some_and(|(_, args)| args.trim_start().starts_with("tmp)"));
                    if hands_temporaries && pattern.ends_with("create(") && temporary {
                        continue;
                    }
                    out.push(violation(
                        check,
                        &file.path,
                        format!(
                            "line {}: `{}` writes a file outside rnameta_io::write; use \
                             write_atomically / stage (or state the exception in the tidy test)",
                            line_of(&file.code, at),
                            pattern.trim_end_matches('('),
                        ),
                    ));
                }
            }
        }
    }
    out
}

/// Library crates neither depend on anyhow (dev-dependencies aside) nor name it outside tests.
pub fn no_anyhow(crates: &[Crate]) -> Vec<Violation> {
    let check = "anyhow";
    let mut out = Vec::new();
    for c in crates.iter().filter(|c| is_library(&c.dir)) {
        if c.dependencies().contains("anyhow") {
            out.push(violation(
                check,
                &format!("{}/Cargo.toml", c.dir),
                "a library crate depends on anyhow; return a typed (thiserror) error".into(),
            ));
        }
        for file in c.module_files() {
            for (at, w) in identifiers(&file.code) {
                if w == "anyhow" {
                    out.push(violation(
                        check,
                        &file.path,
                        format!(
                            "line {}: a library crate names anyhow; return a typed (thiserror) error",
                            line_of(&file.code, at)
                        ),
                    ));
                }
            }
        }
    }
    out
}

/// The paths of a `use` tree (`a::{b, c::{d, self}}` -> `a::b`, `a::c::d`, `a::c`), renames and
/// globs dropped.
fn use_paths(tree: &str) -> Vec<String> {
    let tree: String = tree
        .chars()
        .filter(|c| !c.is_whitespace() || *c == ' ')
        .collect();
    let mut out = Vec::new();
    expand(tree.trim(), "", &mut out);
    out
}

fn expand(tree: &str, prefix: &str, out: &mut Vec<String>) {
    let tree = tree.trim();
    if let Some(open) = tree.find('{') {
        let head = tree[..open].trim().trim_end_matches("::");
        let base = join_path(prefix, head);
        let close = tree.rfind('}').unwrap_or(tree.len());
        let inner = &tree[open + 1..close];
        let mut depth = 0;
        let mut start = 0;
        for (i, c) in inner.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    expand(&inner[start..i], &base, out);
                    start = i + 1;
                }
                _ => {}
            }
        }
        expand(&inner[start..], &base, out);
    } else {
        let path = tree.split(" as ").next().unwrap_or("").trim();
        let path = path.trim_end_matches("::*").trim_end_matches('*');
        if path.is_empty() {
            return;
        }
        let full = if path == "self" {
            prefix.to_owned()
        } else {
            join_path(prefix, path)
        };
        out.push(full);
    }
}

fn join_path(a: &str, b: &str) -> String {
    match (a.is_empty(), b.is_empty()) {
        (true, _) => b.to_owned(),
        (_, true) => a.to_owned(),
        _ => format!("{a}::{b}"),
    }
}

/// Module pairs of one crate that import each other (`use` or a path through `crate::`, `super::`
/// or `self::`), each pair ordered and listed once. A module and its own ancestors or
/// descendants do not count (a parent re-exporting a child that uses the parent's helpers is
/// ordinary); references from inline modules count for the file they are in.
pub fn module_cycles(files: &[ModuleFile]) -> BTreeSet<(String, String)> {
    let mut edges: BTreeSet<(String, String, String)> = BTreeSet::new();
    let known: BTreeSet<(&str, &str)> = files
        .iter()
        .map(|f| (f.root.as_str(), f.module.as_str()))
        .collect();
    let is_within = |inner: &str, outer: &str| {
        outer.is_empty() || inner == outer || inner.starts_with(&format!("{outer}::"))
    };
    for file in files {
        let inline = inline_modules(&file.code);
        let mut paths: Vec<(usize, String)> = Vec::new();
        let ids = identifiers(&file.code);
        for (k, &(at, w)) in ids.iter().enumerate() {
            if w == "use" {
                let end = file.code[at..]
                    .find(';')
                    .map_or(file.code.len(), |e| at + e);
                for p in use_paths(&file.code[at + 3..end]) {
                    paths.push((at, p));
                }
            } else if ["crate", "super", "self"].contains(&w)
                && file.code[at + w.len()..].starts_with("::")
                && !file.code[..at].ends_with('$')
                && (k == 0 || ids[k - 1].1 != "use")
            {
                let path: String = file.code[at..]
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                    .collect();
                paths.push((at, path.trim_end_matches(':').to_owned()));
            }
        }
        for (at, path) in paths {
            let mut current: Vec<&str> = Vec::new();
            let here = join(&file.module, &inline_module_at(&inline, at));
            let mut segments = path.split("::").filter(|s| !s.is_empty()).peekable();
            match segments.peek().copied() {
                Some("crate") => {
                    segments.next();
                }
                Some("super") | Some("self") => {
                    current = here.split("::").filter(|s| !s.is_empty()).collect();
                    while let Some(s) = segments.peek().copied() {
                        match s {
                            "super" => {
                                current.pop();
                            }
                            "self" => {}
                            _ => break,
                        }
                        segments.next();
                    }
                }
                _ => continue, // external crate, std, or a child module (a descendant)
            }
            let mut target = current.join("::");
            let mut best = target.clone();
            for s in segments {
                target = join(&target, s);
                if known.contains(&(file.root.as_str(), target.as_str())) {
                    best = target.clone();
                }
            }
            if !known.contains(&(file.root.as_str(), best.as_str())) {
                continue;
            }
            if is_within(&best, &file.module) || is_within(&file.module, &best) {
                continue;
            }
            edges.insert((file.root.clone(), file.module.clone(), best));
        }
    }
    edges
        .iter()
        .filter(|(root, a, b)| a < b && edges.contains(&(root.clone(), b.clone(), a.clone())))
        .map(|(_, a, b)| (a.clone(), b.clone()))
        .collect()
}

/// Module pairs that import each other and are not in `known`, and `known` pairs that no longer
/// do (so that the list is shortened when a cycle is broken).
pub fn unexpected_cycles(crates: &[Crate], known: &[(&str, &str, &str, &str)]) -> Vec<Violation> {
    let check = "module-cycle";
    let mut out = Vec::new();
    for c in crates {
        let found = module_cycles(&c.module_files());
        for (a, b) in &found {
            if !known
                .iter()
                .any(|(d, x, y, _)| *d == c.dir && *x == a && *y == b)
            {
                out.push(violation(
                    check,
                    &c.dir,
                    format!("modules `{a}` and `{b}` import each other; move what both need into one of them or a third module"),
                ));
            }
        }
        for (d, x, y, why) in known.iter().filter(|(d, ..)| *d == c.dir) {
            if !found.contains(&((*x).to_owned(), (*y).to_owned())) {
                out.push(violation(
                    check,
                    d,
                    format!("`{x}` and `{y}` no longer import each other ({why}): remove the pair from KNOWN_CYCLES"),
                ));
            }
        }
    }
    out
}

/// The architecture document names paths relative to the repository root; one starting with
/// `../` points outside it.
pub fn paths_inside_repository(path: &str, doc: &str) -> Vec<Violation> {
    doc.lines()
        .enumerate()
        .filter(|(_, line)| line.contains("../"))
        .map(|(i, line)| {
            violation(
                "doc-paths",
                path,
                format!(
                    "line {}: `{}` points outside the repository",
                    i + 1,
                    line.trim()
                ),
            )
        })
        .collect()
}
