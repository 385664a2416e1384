//! Every event name logged in code is listed in docs/events.md with exactly
//! the fields the code sends, and the document lists nothing the code does
//! not log. Support, pipelines and the privacy review rely on that table.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod source_files;

use source_files::rust_files;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Catalogue = BTreeMap<String, BTreeSet<String>>;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Splits `s` at commas that are not inside brackets or strings.
fn top_level_args(s: &str) -> Vec<String> {
    let (mut depth, mut in_str, mut prev) = (0i32, false, ' ');
    let mut parts = vec![String::new()];
    for c in s.chars() {
        match c {
            '"' if prev != '\\' => in_str = !in_str,
            '(' | '[' | '{' if !in_str => depth += 1,
            ')' | ']' | '}' if !in_str => depth -= 1,
            ',' if !in_str && depth == 0 => {
                parts.push(String::new());
                prev = c;
                continue;
            }
            _ => {}
        }
        parts.last_mut().unwrap().push(c);
        prev = c;
    }
    parts
        .into_iter()
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty())
        .collect()
}

/// The argument text of each `log_event!( … )` call in `source`.
fn calls(source: &str) -> Vec<String> {
    let mut found = vec![];
    let mut rest = source;
    while let Some(at) = rest.find("log_event!(") {
        let body = &rest[at + "log_event!(".len()..];
        let (mut depth, mut in_str, mut prev, mut end) = (1i32, false, ' ', 0);
        for (i, c) in body.char_indices() {
            match c {
                '"' if prev != '\\' => in_str = !in_str,
                '(' if !in_str => depth += 1,
                ')' if !in_str => {
                    depth -= 1;
                    if depth == 0 {
                        end = i;
                        break;
                    }
                }
                _ => {}
            }
            prev = c;
        }
        found.push(body[..end].to_owned());
        rest = &body[end..];
    }
    found
}

fn catalogue_in_code() -> Catalogue {
    let mut files = vec![];
    rust_files(&root().join("crates"), &mut files);
    rust_files(&root().join("src-tauri/src"), &mut files);
    let mut catalogue = Catalogue::new();
    for file in files {
        let source = std::fs::read_to_string(&file).unwrap();
        for call in calls(&source) {
            let mut args = top_level_args(&call).into_iter();
            let mut first = args.next().unwrap_or_default();
            if ["critical", "error", "warn"].contains(&first.as_str()) {
                first = args.next().unwrap_or_default();
            }
            // The macro's own definition and doc examples use placeholders.
            let Some(name) = first.strip_prefix('"').and_then(|n| n.strip_suffix('"')) else {
                continue;
            };
            let fields = catalogue.entry(name.to_owned()).or_default();
            for arg in args {
                let key = arg.split('=').next().unwrap().trim().to_owned();
                // Doc comments write `...` for "and so on".
                if key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    fields.insert(key);
                }
            }
        }
    }
    catalogue
}

/// The table under the `## {heading}` section of docs/events.md.
fn catalogue_in_docs(heading: &str) -> Catalogue {
    let doc = std::fs::read_to_string(root().join("docs/events.md")).unwrap();
    let section = doc
        .split("\n## ")
        .find(|s| s.starts_with(heading))
        .unwrap_or_else(|| panic!("no '## {heading}' section in docs/events.md"));
    let mut catalogue = Catalogue::new();
    for line in section.lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if cells.len() < 4 {
            continue;
        }
        let Some(name) = cells[1].strip_prefix('`').and_then(|c| c.strip_suffix('`')) else {
            continue;
        };
        if !name.contains('.') {
            continue;
        }
        let fields = cells[2]
            .split(',')
            .map(|f| f.trim().trim_matches('`').to_owned())
            .filter(|f| !f.is_empty() && f != "—")
            .collect();
        assert!(
            catalogue.insert(name.to_owned(), fields).is_none(),
            "{name} is listed twice in docs/events.md"
        );
    }
    catalogue
}

#[test]
fn docs_events_md_matches_the_events_in_code() {
    let code = catalogue_in_code();
    let docs = catalogue_in_docs("Log events");
    assert!(code.len() >= 8, "found too few events in code: {code:?}");
    for (name, fields) in &code {
        let documented = docs
            .get(name)
            .unwrap_or_else(|| panic!("{name} is logged in code but missing from docs/events.md"));
        assert_eq!(documented, fields, "fields of {name}: docs vs code");
    }
    for name in docs.keys() {
        assert!(
            code.contains_key(name),
            "{name} is in docs/events.md but never logged"
        );
    }
}

#[test]
fn event_names_are_resource_dot_action() {
    for name in catalogue_in_code().keys() {
        let parts: Vec<&str> = name.split('.').collect();
        assert_eq!(parts.len(), 2, "{name}");
        assert!(
            parts
                .iter()
                .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase() || c == '_')),
            "{name}"
        );
    }
}

#[test]
fn docs_events_md_matches_the_analytics_catalogue() {
    let mut code = Catalogue::new();
    for event in timetracker_core::telemetry::Event::samples() {
        let (name, props) = event.parts();
        code.insert(name, props.keys().cloned().collect());
    }
    let docs = catalogue_in_docs("Product analytics events");
    assert_eq!(docs, code, "docs/events.md (analytics) vs the Event enum");
}
