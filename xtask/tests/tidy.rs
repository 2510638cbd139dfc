//! Tidy: the invariants docs/ARCHITECTURE.md states hold on the workspace, and each check fails on
//! a small deliberate violation (so a check that silently stopped looking would be noticed).

use std::path::{Path, PathBuf};

use xtask::tidy::{
    blank_comments_and_literals, dependency_layers, dependency_order, dfdx_confinement,
    file_writes, load_workspace, module_cycles, no_anyhow, paths_inside_repository, strip_tests,
    unexpected_cycles, Crate, Violation, DFDX_CRATES, DFDX_SURFACE, KNOWN_CYCLES, WRITE_EXCEPTIONS,
};

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask sits in the repository")
        .to_owned()
}

fn architecture() -> String {
    std::fs::read_to_string(repository().join("docs/ARCHITECTURE.md"))
        .expect("docs/ARCHITECTURE.md")
}

fn workspace() -> Vec<Crate> {
    load_workspace(&repository()).expect("the workspace reads")
}

fn assert_none(violations: Vec<Violation>) {
    let listed: Vec<String> = violations.iter().map(ToString::to_string).collect();
    assert!(listed.is_empty(), "\n{}\n", listed.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// The workspace.

#[test]
fn crate_dependencies_follow_the_documented_direction() {
    assert_none(dependency_order(&architecture(), &workspace()));
}

#[test]
fn dfdx_stays_in_models_and_augment_and_out_of_public_signatures() {
    assert_none(dfdx_confinement(&workspace(), DFDX_CRATES, DFDX_SURFACE));
}

#[test]
fn files_are_written_only_through_io() {
    assert_none(file_writes(&workspace(), WRITE_EXCEPTIONS));
}

#[test]
fn library_crates_do_not_use_anyhow() {
    assert_none(no_anyhow(&workspace()));
}

#[test]
fn no_new_module_pair_imports_each_other() {
    assert_none(unexpected_cycles(&workspace(), KNOWN_CYCLES));
}

#[test]
fn the_architecture_points_only_inside_the_repository() {
    assert_none(paths_inside_repository(
        "docs/ARCHITECTURE.md",
        &architecture(),
    ));
}

#[test]
fn the_checks_see_every_crate_and_module() {
    let crates = workspace();
    let dirs: Vec<&str> = crates.iter().map(|c| c.dir.as_str()).collect();
    for dir in [
        "crates/core",
        "crates/models",
        "crates/cli",
        "xtask",
        "benches",
    ] {
        assert!(dirs.contains(&dir), "{dir} missing from {dirs:?}");
    }
    let models = crates.iter().find(|c| c.dir == "crates/models").unwrap();
    let modules: Vec<String> = models
        .module_files()
        .into_iter()
        .map(|f| f.module)
        .collect();
    for module in [
        "",
        "bundle",
        "neural",
        "neural::dense",
        "forest::tree",
        "lin",
    ] {
        assert!(
            modules.iter().any(|m| m == module),
            "{module:?} not in {modules:?}"
        );
    }
    // Every source file is reached from a target root (no file the checks would skip).
    for c in &crates {
        let reached: Vec<String> = c.module_files().into_iter().map(|f| f.path).collect();
        for (path, _) in &c.sources {
            let full = format!("{}/{path}", c.dir);
            if !path.starts_with("src/bin/") {
                assert!(
                    reached.contains(&full),
                    "{full} is not reached from src/lib.rs or src/main.rs"
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Each check on deliberate violations.

const LAYERS: &str = "intro\n\nDependency direction: core <- io, preprocess <- cli.\n";

fn manifest(name: &str, deps: &[&str], dev: &[&str]) -> String {
    let mut m = format!("[package]\nname = \"{name}\"\n\n[dependencies]\n");
    for d in deps {
        m.push_str(&format!("{d}.workspace = true\n"));
    }
    m.push_str("\n[dev-dependencies]\n");
    for d in dev {
        m.push_str(&format!("{d} = {{ path = \"../x\" }}\n"));
    }
    m
}

fn lib(dir: &str, name: &str, deps: &[&str], files: &[(&str, &str)]) -> Crate {
    Crate::new(dir, &manifest(name, deps, &[]), files)
}

#[test]
fn the_dependency_direction_is_read_from_the_document() {
    let layers = dependency_layers(LAYERS).unwrap();
    assert_eq!(
        layers,
        vec![vec!["core"], vec!["io", "preprocess"], vec!["cli"]]
    );
    let real = dependency_layers(&architecture()).expect("the document states the direction");
    assert!(real.len() >= 4, "{real:?}");
}

#[test]
fn dependency_order_refuses_a_dependency_on_a_later_or_same_layer_crate() {
    let crates = |io_deps: &[&str]| {
        vec![
            lib("crates/core", "rnameta-core", &[], &[]),
            lib("crates/io", "rnameta-io", io_deps, &[]),
            lib(
                "crates/preprocess",
                "rnameta-preprocess",
                &["rnameta-core"],
                &[],
            ),
            lib("crates/cli", "rnameta-cli", &["rnameta-io", "anyhow"], &[]),
        ]
    };
    assert_none(dependency_order(
        LAYERS,
        &crates(&["rnameta-core", "serde"]),
    ));
    let later = dependency_order(LAYERS, &crates(&["rnameta-cli"]));
    assert_eq!(later.len(), 1, "{later:?}");
    assert!(later[0].message.contains("after it"), "{later:?}");
    let same = dependency_order(LAYERS, &crates(&["rnameta-preprocess"]));
    assert!(same[0].message.contains("same layer"), "{same:?}");
    // A target-specific dependency counts; a dev-dependency does not.
    let mut target = crates(&[]);
    target[1]
        .manifest
        .push_str("[target.'cfg(unix)'.dependencies]\nrnameta-cli.workspace = true\n");
    assert_eq!(dependency_order(LAYERS, &target).len(), 1);
    let mut dev = crates(&[]);
    dev[1].manifest = manifest("rnameta-io", &[], &["rnameta-cli"]);
    assert_none(dependency_order(LAYERS, &dev));
}

#[test]
fn dependency_order_refuses_a_member_missing_from_the_document() {
    let mut crates = vec![
        lib("crates/core", "rnameta-core", &[], &[]),
        lib("crates/io", "rnameta-io", &[], &[]),
        lib("crates/preprocess", "rnameta-preprocess", &[], &[]),
        lib("crates/cli", "rnameta-cli", &[], &[]),
    ];
    crates.push(lib("crates/eval", "rnameta-eval", &[], &[]));
    let found = dependency_order(LAYERS, &crates);
    assert!(
        found
            .iter()
            .any(|v| v.message.contains("`eval` is missing")),
        "{found:?}"
    );
    crates.truncate(3);
    let found = dependency_order(LAYERS, &crates);
    assert!(
        found
            .iter()
            .any(|v| v.message.contains("`cli` in the dependency")),
        "{found:?}"
    );
}

const SURFACE: &[(&str, &str, &str)] = &[("crates/models", "neural::kit", "test")];

fn models(neural: &str) -> Crate {
    lib(
        "crates/models",
        "rnameta-models",
        &["dfdx"],
        &[
            ("src/lib.rs", "pub mod neural;\n"),
            ("src/neural/mod.rs", neural),
        ],
    )
}

#[test]
fn dfdx_confinement_refuses_a_public_signature_naming_dfdx() {
    let clean = "use dfdx::prelude::*;\n\
        pub mod kit {\n    use dfdx::prelude::Cpu;\n    pub struct Dense { pub weight: Tensor<(usize,), f32, Cpu> }\n    pub fn device(seed: u64) -> Cpu { Cpu::seed_from_u64(seed) }\n}\n\
        /// Returns a `Cpu` (a comment does not count).\n\
        pub fn fit(x: &[f32]) -> Vec<f32> { let d: Cpu = kit::device(0); x.to_vec() }\n\
        pub(crate) fn inside(dev: &Cpu) -> usize { 0 }\n\
        pub struct Model { weights: Tensor<(usize,), f32, Cpu>, pub classes: usize }\n\
        #[cfg(test)]\nmod tests { pub fn helper(d: Cpu) {} }\n";
    let crates = |neural: &str| vec![models(neural)];
    assert_none(dfdx_confinement(
        &crates(clean),
        &["crates/models"],
        SURFACE,
    ));
    for (bad, name) in [
        ("pub fn device(seed: u64) -> Cpu { todo!() }\n", "Cpu"),
        ("pub fn step(g: &Gradients<f32, Cpu>) {}\n", "Gradients"),
        (
            "pub struct Model {\n    pub weights: Tensor<(usize,), f32, Cpu>,\n}\n",
            "Tensor",
        ),
        ("pub fn layers(&self) -> &[Dense] { &[] }\n", "Dense"),
        ("pub use dfdx::prelude::Cpu;\n", "dfdx"),
        ("pub use kit::{Dense};\n", "Dense"),
        (
            "pub enum Out { Raw(Tensor<(usize,), f32, Cpu>) }\n",
            "Tensor",
        ),
        (
            "pub fn run<D: dfdx::prelude::Device<f32>>(d: D) {}\n",
            "dfdx",
        ),
    ] {
        let found = dfdx_confinement(
            &crates(&format!("{clean}{bad}")),
            &["crates/models"],
            SURFACE,
        );
        assert_eq!(found.len(), 1, "{bad}: {found:?}");
        assert!(
            found[0].message.contains(&format!("`{name}`")),
            "{bad}: {found:?}"
        );
        let first = clean.lines().count() + 1;
        let line = |n: usize| found[0].message.contains(&format!("line {n}:"));
        assert!(line(first) || line(first + 1), "{bad}: {found:?}");
    }
}

#[test]
fn dfdx_confinement_refuses_dfdx_outside_models_and_augment() {
    let eval = |deps: &[&str], code: &str| {
        vec![lib(
            "crates/eval",
            "rnameta-eval",
            deps,
            &[("src/lib.rs", code)],
        )]
    };
    let allowed = ["crates/models"];
    assert_none(dfdx_confinement(
        &eval(&[], "// dfdx\npub fn f() {}\n"),
        &allowed,
        SURFACE,
    ));
    assert_eq!(
        dfdx_confinement(&eval(&["dfdx"], ""), &allowed, SURFACE).len(),
        1
    );
    assert_eq!(
        dfdx_confinement(
            &eval(&[], "fn f() { let d = dfdx::prelude::Cpu::default(); }"),
            &allowed,
            SURFACE
        )
        .len(),
        1
    );
    assert_eq!(
        dfdx_confinement(
            &eval(&[], "use rnameta_models::neural::kit::Dense;"),
            &allowed,
            SURFACE
        )
        .len(),
        1
    );
}

fn sim(code: &str) -> Vec<Crate> {
    vec![lib(
        "crates/sim",
        "rnameta-sim",
        &["rnameta-io"],
        &[("src/lib.rs", "mod output;\n"), ("src/output.rs", code)],
    )]
}

#[test]
fn file_writes_refuses_writes_around_io() {
    let clean = "use rnameta_io::write::write_atomically;\n\
        pub fn save(p: &Path) -> Result<()> {\n    std::fs::create_dir_all(p)?; // std::fs::write(p, x)\n    write_atomically(p, |w| w.write_all(b\"fs::write(\"))\n}\n\
        #[cfg(test)]\nmod tests {\n    #[test]\n    fn t() { std::fs::write(\"a\", \"b\").unwrap(); }\n}\n";
    assert_none(file_writes(&sim(clean), WRITE_EXCEPTIONS));
    for bad in [
        "fn a(p: &Path) { std::fs::write(p, \"x\").unwrap(); }",
        "fn a(p: &Path) { let f = File::create(p); }",
        "fn a(p: &Path) { let f = std::fs::OpenOptions::new().append(true).open(p); }",
        "fn a(p: &Path) { std::fs::copy(p, p).unwrap(); }",
        "fn a(p: &Path) { let t = tempfile::NamedTempFile::new_in(p); }",
    ] {
        let found = file_writes(&sim(&format!("{clean}{bad}\n")), WRITE_EXCEPTIONS);
        assert_eq!(found.len(), 1, "{bad}: {found:?}");
        assert!(found[0].message.starts_with("line 11"), "{bad}: {found:?}");
        assert_eq!(found[0].path, "crates/sim/src/output.rs");
    }
    // io's format writers may create the temporary path io's writer hands them, nothing else.
    let io = |code: &str| {
        vec![lib(
            "crates/io",
            "rnameta-io",
            &[],
            &[("src/lib.rs", "mod parquet;"), ("src/parquet.rs", code)],
        )]
    };
    let handed =
        "fn w(path: &Path) { stage_with_path(path, |tmp| { let f = File::create(tmp)?; Ok(()) }) }";
    assert_none(file_writes(&io(handed), WRITE_EXCEPTIONS));
    let own = "fn w(path: &Path) { stage_with_path(path, |tmp| { let f = File::create(path)?; Ok(()) }) }";
    assert_eq!(file_writes(&io(own), WRITE_EXCEPTIONS).len(), 1);
    // xtask and the benches are tools, not held to it.
    let xtask = vec![lib(
        "xtask",
        "xtask",
        &[],
        &[("src/lib.rs", "fn a() { std::fs::write(\"a\", \"b\"); }")],
    )];
    assert_none(file_writes(&xtask, WRITE_EXCEPTIONS));
}

#[test]
fn no_anyhow_refuses_anyhow_in_a_library_crate() {
    let clean = "pub fn f() -> Result<(), Error> { Ok(()) }\n#[cfg(test)]\nmod tests { fn t() -> anyhow::Result<()> { Ok(()) } }\n";
    let core = |deps: &[&str], code: &str| {
        vec![lib(
            "crates/core",
            "rnameta-core",
            deps,
            &[("src/lib.rs", code)],
        )]
    };
    assert_none(no_anyhow(&core(&[], clean)));
    // A dev-dependency on anyhow is for tests.
    let dev = vec![Crate::new(
        "crates/core",
        &manifest("rnameta-core", &[], &["anyhow"]),
        &[("src/lib.rs", clean)],
    )];
    assert_none(no_anyhow(&dev));
    assert_eq!(no_anyhow(&core(&["anyhow"], clean)).len(), 1);
    let used = no_anyhow(&core(
        &[],
        &format!("{clean}pub fn g() -> anyhow::Result<()> {{ Ok(()) }}\n"),
    ));
    assert_eq!(used.len(), 1, "{used:?}");
    assert!(used[0].message.starts_with("line 4"), "{used:?}");
    // The command line may.
    let cli = vec![lib(
        "crates/cli",
        "rnameta-cli",
        &["anyhow"],
        &[("src/main.rs", "fn main() -> anyhow::Result<()> { Ok(()) }")],
    )];
    assert_none(no_anyhow(&cli));
}

fn crate_with(files: &[(&str, &str)]) -> Crate {
    lib("crates/models", "rnameta-models", &[], files)
}

#[test]
fn module_cycles_finds_a_pair_that_imports_each_other() {
    let tree = |bundle: &str| {
        crate_with(&[
            ("src/lib.rs", "mod bundle;\nmod classifier;\npub mod neural;\npub use classifier::Classifier;\n"),
            ("src/classifier.rs", "use crate::bundle::Manifest;\npub trait Classifier {}\n"),
            ("src/bundle.rs", bundle),
            ("src/neural/mod.rs", "mod dense;\nuse self::dense::Dense;\nfn check() {}\npub mod kit { pub use super::dense::Dense; }\n"),
            ("src/neural/dense.rs", "use super::check;\nuse crate::classifier::Classifier;\npub struct Dense;\n"),
        ])
    };
    // Parent and child (neural <-> neural::dense), and a one-way import, are not cycles.
    assert!(module_cycles(&tree("pub struct Manifest;\n").module_files()).is_empty());
    let pair = |a: &str, b: &str| std::iter::once((a.to_owned(), b.to_owned())).collect();
    for bundle in [
        "use crate::classifier::Classifier;\npub struct Manifest;\n",
        "use crate::{classifier::{self, Classifier}, neural};\npub struct Manifest;\n",
        "use super::classifier;\npub struct Manifest;\n",
        "pub struct Manifest;\nfn f(c: &dyn crate::classifier::Classifier) {}\n",
        "pub struct Manifest;\nfn f(c: &dyn super::classifier::Classifier) {}\n",
    ] {
        let found = module_cycles(&tree(bundle).module_files());
        assert_eq!(found, pair("bundle", "classifier"), "{bundle}");
    }
    // A comment, a string or a test module does not count.
    for bundle in [
        "// use crate::classifier::Classifier;\npub struct Manifest;\n",
        "pub struct Manifest;\nconst S: &str = \"crate::classifier::X\";\n",
        "pub struct Manifest;\n#[cfg(test)]\nmod tests {\n    use crate::classifier::Classifier;\n}\n",
    ] {
        assert!(module_cycles(&tree(bundle).module_files()).is_empty(), "{bundle}");
    }
    // Nested modules: siblings deeper down.
    let nested = crate_with(&[
        ("src/lib.rs", "pub mod experiment;\n"),
        ("src/experiment/mod.rs", "pub mod memo;\npub mod runner;\n"),
        (
            "src/experiment/memo.rs",
            "use super::runner::Arm;\npub struct Memo;\n",
        ),
        (
            "src/experiment/runner.rs",
            "use crate::experiment::memo::Memo;\npub struct Arm;\n",
        ),
    ]);
    assert_eq!(
        module_cycles(&nested.module_files()),
        pair("experiment::memo", "experiment::runner")
    );
}

#[test]
fn unexpected_cycles_refuses_a_new_pair_and_a_stale_known_one() {
    let cyclic = crate_with(&[
        ("src/lib.rs", "mod a;\nmod b;\n"),
        ("src/a.rs", "use crate::b::B;\npub struct A;\n"),
        ("src/b.rs", "use crate::a::A;\npub struct B;\n"),
    ]);
    let found = unexpected_cycles(std::slice::from_ref(&cyclic), &[]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].message.contains("`a` and `b` import each other"));
    let known = [("crates/models", "a", "b", "to be broken")];
    assert_none(unexpected_cycles(std::slice::from_ref(&cyclic), &known));
    let broken = crate_with(&[
        ("src/lib.rs", "mod a;\nmod b;\n"),
        ("src/a.rs", "use crate::b::B;\npub struct A;\n"),
        ("src/b.rs", "pub struct B;\n"),
    ]);
    let stale = unexpected_cycles(&[broken], &known);
    assert!(
        stale[0].message.contains("no longer import each other"),
        "{stale:?}"
    );
}

#[test]
fn paths_inside_repository_refuses_a_path_above_the_root() {
    assert_none(paths_inside_repository(
        "doc.md",
        "See `crates/core` and docs/errors.md.\n",
    ));
    let found =
        paths_inside_repository("doc.md", "intro\nThe design is `../../shared/DESIGN.md`.\n");
    assert_eq!(found.len(), 1);
    assert!(found[0].message.starts_with("line 2"));
}

#[test]
fn source_is_read_without_comments_literals_or_tests() {
    let code = blank_comments_and_literals(
        "let a = \"fs::write(\"; // fs::write(\n/* dfdx /* nested */ Cpu */ let b = 'x'; let c: &'static str = r#\"anyhow\"#;\nlet d = b\"x\";",
    );
    for gone in ["fs::write", "dfdx", "Cpu", "anyhow", "nested"] {
        assert!(!code.contains(gone), "{gone} in {code}");
    }
    assert!(code.contains("&'static str"), "{code}");
    assert_eq!(code.lines().count(), 3);
    let stripped = strip_tests("fn a() {}\n#[cfg(test)]\nmod tests {\n    fn b() { {} }\n}\nfn c() {}\n#[cfg(test)]\nuse x::y;\nfn d() {}\n");
    assert!(
        stripped.contains("fn a()") && stripped.contains("fn c()") && stripped.contains("fn d()")
    );
    assert!(
        !stripped.contains("fn b()") && !stripped.contains("x::y"),
        "{stripped}"
    );
}

/// The workspace as read, with `addition` appended to the file `path`.
fn with_appended(path: &str, addition: &str) -> Vec<Crate> {
    let mut crates = workspace();
    let (dir, file) = crates
        .iter()
        .find_map(|c| {
            path.strip_prefix(&format!("{}/", c.dir))
                .map(|f| (c.dir.clone(), f.to_owned()))
        })
        .expect("a member's file");
    let c = crates.iter_mut().find(|c| c.dir == dir).unwrap();
    let text = &mut c
        .sources
        .iter_mut()
        .find(|(p, _)| *p == file)
        .expect("the file")
        .1;
    text.push_str(addition);
    crates
}

#[test]
fn the_real_tree_fails_each_check_on_what_was_fixed() {
    // `neural::device` as it was before it moved into `neural::kit`.
    let device = with_appended(
        "crates/models/src/neural/mod.rs",
        "\npub fn device(seed: u64) -> Cpu {\n    Cpu::seed_from_u64(seed)\n}\n",
    );
    assert_eq!(
        dfdx_confinement(&device, DFDX_CRATES, DFDX_SURFACE).len(),
        1
    );
    // sim's config.json as it was written before it went through io's writer.
    let config = with_appended(
        "crates/sim/src/output.rs",
        "\nfn config(layout: &Layout, json: String) -> Result<()> {\n    std::fs::write(layout.config(), json).map_err(io)?;\n    Ok(())\n}\n",
    );
    assert_eq!(file_writes(&config, WRITE_EXCEPTIONS).len(), 1);
    let anyhow = with_appended(
        "crates/eval/src/lib.rs",
        "\npub fn f() -> anyhow::Result<()> { Ok(()) }\n",
    );
    assert_eq!(no_anyhow(&anyhow).len(), 1);
    // sim's config / universe pair, as it was before the chromosome list moved to config.
    let cycle = with_appended(
        "crates/sim/src/config.rs",
        "\nconst N: usize = crate::universe::PRIMARY_CHROMOSOMES.len();\n",
    );
    let found = unexpected_cycles(&cycle, KNOWN_CYCLES);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].message.contains("`config` and `universe`"),
        "{found:?}"
    );
    // The dependency direction as the document stated it before (xtask beside cli, no benches):
    // benches is missing. (xtask beside cli is no longer a violation: xtask reads its data through
    // rnameta-data since the loader left the command line.)
    let before = architecture().replace("eval <- cli <- xtask, benches.", "eval <- cli, xtask.");
    let found = dependency_order(&before, &workspace());
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].message.contains("`benches`"), "{found:?}");
}
