//! The core's modules sit in layers that point one way: a module may use its
//! own layer and the ones below it, never one above. docs/architecture.md
//! explains the layers; this test holds the code to them by reading every
//! `crate::` path (and every exported macro) in production code.
//!
//! `cargo test -p timetracker-core --test layers -- --nocapture` prints the
//! module graph.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod source_files;

use source_files::rust_files;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Lowest first. A module may depend on modules in its own layer or below.
const LAYERS: &[(&str, &[&str])] = &[
    (
        "leaves",
        &[
            "error", "limits", "clock", "config", "events", "consent", "private",
        ],
    ),
    ("storage", &["storage"]),
    (
        "domain",
        &[
            "tracker", "changes", "settings", "clients", "projects", "timer", "breaks", "calendar",
            "entries", "reports", "targets", "io", "sync", "desktop",
        ],
    ),
    ("logging", &["logging"]),
    ("metrics", &["metrics"]),
    ("crash", &["crash"]),
    ("telemetry", &["telemetry"]),
    ("api", &["api", "webhooks"]),
    ("doctor", &["doctor"]),
    ("app", &["app"]),
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|(_, mods)| mods.contains(&module))
}

/// Files that only tests compile (`mod tests;` and friends).
fn is_test_file(path: &Path) -> bool {
    let name = path.file_stem().unwrap().to_string_lossy();
    let in_tests_dir = path
        .strip_prefix(src())
        .unwrap()
        .components()
        .any(|c| c.as_os_str() == "tests");
    name == "tests" || name.ends_with("_tests") || in_tests_dir
}

/// The top-level module a file belongs to (`lib` for lib.rs).
fn module_of(path: &Path) -> String {
    let rel = path.strip_prefix(src()).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_owned()
}

/// Production code only: comments dropped, and a trailing
/// `#[cfg(test)] mod … { … }` block cut off.
fn production_code(source: &str) -> String {
    let test_block = source.match_indices("#[cfg(test)]\n").find(|&(at, m)| {
        let next = source[at + m.len()..].lines().next().unwrap_or("");
        next.contains("mod ") && next.ends_with('{')
    });
    let source = match test_block {
        Some((at, _)) => &source[..at],
        None => source,
    };
    source
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .map(|l| match l.find(" // ") {
            Some(at) if !l[..at].contains('"') => &l[..at],
            _ => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn ident_at(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

/// The first path segment after each `crate::` in `code`, with
/// `crate::{a, b::c}` groups expanded.
fn crate_paths(code: &str) -> Vec<String> {
    let mut found = vec![];
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let before = rest[..at].chars().last();
        rest = &rest[at + "crate::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 1;
            let end = group
                .char_indices()
                .find(|&(_, c)| {
                    match c {
                        '{' => depth += 1,
                        '}' => depth -= 1,
                        _ => {}
                    }
                    depth == 0
                })
                .map(|(i, _)| i)
                .unwrap();
            let mut depth = 0;
            let mut item_start = true;
            for (i, c) in group[..end].char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => item_start = true,
                    c if item_start && (c.is_alphanumeric() || c == '_') => {
                        found.push(ident_at(&group[i..]).to_owned());
                        item_start = false;
                    }
                    _ => {}
                }
            }
        } else {
            found.push(ident_at(rest).to_owned());
        }
    }
    found
}

/// What lib.rs re-exports at the root, so `crate::Tracker` can be traced to
/// the module that defines it.
fn root_reexports(lib: &str) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    for stmt in lib.split(';') {
        let stmt = stmt.trim();
        let Some(path) = stmt.strip_prefix("pub use ") else {
            continue;
        };
        let module = ident_at(path).to_owned();
        let names = match path.find('{') {
            Some(at) => path[at + 1..path.rfind('}').unwrap()]
                .split(',')
                .map(|n| n.trim().rsplit("::").next().unwrap().to_owned())
                .collect(),
            None => vec![path.rsplit("::").next().unwrap().to_owned()],
        };
        for name in names.into_iter().filter(|n| !n.is_empty()) {
            map.insert(name, module.clone());
        }
    }
    map
}

/// `#[macro_export]` macros, by name, with the module that defines them.
fn exported_macros(files: &[(String, String)]) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    for (module, code) in files {
        let mut rest = code.as_str();
        while let Some(at) = rest.find("#[macro_export]") {
            rest = &rest[at..];
            let def = rest.find("macro_rules!").unwrap() + "macro_rules!".len();
            map.insert(
                ident_at(rest[def..].trim_start()).to_owned(),
                module.clone(),
            );
            rest = &rest[def..];
        }
    }
    map
}

type Graph = BTreeMap<String, BTreeSet<String>>;

fn graph() -> Graph {
    let mut paths = vec![];
    rust_files(&src(), &mut paths);
    let files: Vec<(String, String)> = paths
        .iter()
        .filter(|p| !is_test_file(p))
        .map(|p| {
            (
                module_of(p),
                production_code(&std::fs::read_to_string(p).unwrap()),
            )
        })
        .collect();
    let lib = files.iter().find(|(m, _)| m == "lib").unwrap().1.clone();
    let reexports = root_reexports(&lib);
    let macros = exported_macros(&files);
    let modules: BTreeSet<String> = files.iter().map(|(m, _)| m.clone()).collect();

    let mut graph = Graph::new();
    for (module, code) in &files {
        if module == "lib" {
            continue;
        }
        let deps = graph.entry(module.clone()).or_default();
        for name in crate_paths(code) {
            let target = if modules.contains(&name) {
                name
            } else if let Some(m) = reexports.get(&name) {
                m.clone()
            } else if let Some(m) = macros.get(&name) {
                m.clone()
            } else {
                panic!("{module}: crate::{name} is neither a module nor a root re-export");
            };
            deps.insert(target);
        }
        for (name, home) in &macros {
            let call = format!("{name}!");
            let called = code.match_indices(&call).any(|(at, _)| {
                !code[..at]
                    .chars()
                    .last()
                    .is_some_and(|c| c.is_alphanumeric() || c == '_')
            });
            if called {
                deps.insert(home.clone());
            }
        }
        deps.remove(module);
    }
    graph
}

fn upward_edges(graph: &Graph) -> Vec<String> {
    let mut bad = vec![];
    for (from, deps) in graph {
        let Some(low) = layer_of(from) else { continue };
        for to in deps {
            if let Some(high) = layer_of(to).filter(|&l| l > low) {
                bad.push(format!(
                    "{from} ({}) uses {to} ({})",
                    LAYERS[low].0, LAYERS[high].0
                ));
            }
        }
    }
    bad
}

#[test]
fn every_module_sits_in_a_layer() {
    let graph = graph();
    let homeless: Vec<_> = graph.keys().filter(|m| layer_of(m).is_none()).collect();
    assert!(
        homeless.is_empty(),
        "modules missing from LAYERS (and docs/architecture.md): {homeless:?}"
    );
}

#[test]
fn no_module_uses_a_layer_above_its_own() {
    let graph = graph();
    for (layer, mods) in LAYERS {
        for m in *mods {
            let deps: Vec<_> = graph.get(*m).into_iter().flatten().collect();
            println!("{layer:>9} {m:<9} -> {deps:?}");
        }
    }
    let bad = upward_edges(&graph);
    println!("{} upward edges", bad.len());
    assert!(
        bad.is_empty(),
        "imports against the layers:\n{}",
        bad.join("\n")
    );
}

#[test]
fn architecture_doc_names_every_module_in_its_layer() {
    let doc = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/architecture.md"),
    )
    .unwrap();
    for (layer, mods) in LAYERS {
        let row = doc
            .lines()
            .find(|l| l.starts_with(&format!("| {layer} |")))
            .unwrap_or_else(|| panic!("docs/architecture.md has no `| {layer} |` row"));
        for m in *mods {
            assert!(
                row.contains(&format!("`{m}`")),
                "docs/architecture.md: the {layer} row does not name `{m}`"
            );
        }
    }
}

#[test]
fn the_parser_sees_groups_reexports_and_test_blocks() {
    let code = production_code(
        "use crate::{a::X, b, c::{d, e}};\nfn f() { crate::g::h(); $crate::m::n }\n// crate::comment\n#[cfg(test)]\nmod tests {\n    use crate::t;\n}\n",
    );
    assert_eq!(crate_paths(&code), ["a", "b", "c", "g", "m"]);
    let re = root_reexports("pub use clock::{Clock, FakeClock};\npub use error::Result;");
    assert_eq!(re["FakeClock"], "clock");
    assert_eq!(re["Result"], "error");
}
