//! A desktop command's name is written in six places: its
//! `#[tauri::command]` function, the request name it logs under
//! (`state.with("…")`), `generate_handler!`, the permission list in
//! src-tauri/build.rs, the capability that grants it, and the UI's api.ts.
//! A slip in any one fails only at run time (an unknown command, a denied
//! permission, a span under the wrong name), so this reads all six as text
//! and checks that they agree. Reading text keeps tauri out of core's tests.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Called by the end-to-end tests through `__TAURI_INTERNALS__`, never by
/// the UI (it panics on purpose, to test crash reports).
const NOT_IN_API_TS: &[&str] = &["crash_test_panic", "test_dialog_answer"];

/// Commands that run no request of their own, so log under no name.
const NOT_LOGGED: &[&str] = &[
    // Read what the shell already holds (paths, the log writer's status,
    // what start-up found); nothing happens that a log line would explain.
    "app_info",
    "logging_status",
    "stale_timer_check",
    // Hands the folder to the system's opener; a failure is returned as
    // logging.open_failed to the UI, which shows it.
    "logs_open_folder",
    // The tray's toggle, which logs the timer action it takes.
    "timer_toggle",
    // Only opens the system's dialog; the preview of the chosen file is
    // the request that logs.
    "import_choose",
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The quoted strings in `text`, with `quote` as the quote character.
fn quoted(text: &str, quote: char) -> Vec<&str> {
    text.split(quote).skip(1).step_by(2).collect()
}

/// `text` from just after `start` up to `end`.
fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text.find(start).unwrap_or_else(|| panic!("no {start}")) + start.len();
    let len = text[from..]
        .find(end)
        .unwrap_or_else(|| panic!("no {end} after {start}"));
    &text[from..from + len]
}

/// A command function: its name, the first request name its body passes to
/// `with("…")` or a span, and whether its own name is a string in the body.
struct Command {
    name: String,
    first_logged: Option<String>,
    names_itself: bool,
}

fn command_functions() -> Vec<Command> {
    let mut files = Vec::new();
    rust_files(&root().join("src-tauri/src"), &mut files);
    let mut found = Vec::new();
    for file in files {
        let text = read(&file);
        for chunk in text.split("#[tauri::command]").skip(1) {
            let after_fn = &chunk[chunk.find("fn ").unwrap() + 3..];
            let name: String = after_fn
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            // The body ends where the next item starts, near enough.
            let body = chunk.split("\n}\n").next().unwrap_or(chunk);
            let logged = body
                .find(".with(\"")
                .or_else(|| body.find("_span_with_id(\""))
                .map(|at| quoted(&body[at..], '"')[0].to_owned());
            let names_itself = body.contains(&format!("\"{name}\""));
            found.push(Command {
                name,
                first_logged: logged,
                names_itself,
            });
        }
    }
    found
}

fn set<'a>(names: impl IntoIterator<Item = &'a str>) -> BTreeSet<String> {
    names.into_iter().map(str::to_owned).collect()
}

#[test]
fn every_command_name_agrees_in_all_six_places() {
    let functions = command_functions();
    for c in &functions {
        let name = &c.name;
        if let Some(logged) = &c.first_logged {
            assert_eq!(logged, name, "{name} logs its requests under another name");
        }
        // Also catches a stale exemption: a listed command that now logs.
        let exempt = NOT_LOGGED.contains(&name.as_str());
        assert_eq!(
            c.names_itself, !exempt,
            "{name}: its request name (the function name) should be a string in its body, \
             unless it is one of NOT_LOGGED"
        );
    }
    let functions = set(functions.iter().map(|c| c.name.as_str()));
    assert!(functions.len() > 40, "found only {functions:?}");

    let main = read(&root().join("src-tauri/src/main.rs"));
    let handler = set(between(&main, "generate_handler![", "]")
        .split(',')
        .filter_map(|path| path.trim().rsplit("::").next())
        .filter(|n| !n.is_empty()));
    assert_eq!(
        handler, functions,
        "generate_handler! in src-tauri/src/main.rs"
    );

    let build = read(&root().join("src-tauri/build.rs"));
    let permissions = set(quoted(between(&build, "COMMANDS: &[&str] = &[", "];"), '"'));
    assert_eq!(permissions, functions, "COMMANDS in src-tauri/build.rs");

    let mut granted = BTreeSet::new();
    for entry in std::fs::read_dir(root().join("src-tauri/capabilities")).unwrap() {
        let text = read(&entry.unwrap().path());
        for permission in quoted(&text, '"') {
            // Plugin permissions (`dialog:allow-open`) name no command of ours.
            if let Some(command) = permission.strip_prefix("allow-") {
                granted.insert(command.replace('-', "_"));
            }
        }
    }
    assert_eq!(granted, functions, "src-tauri/capabilities/*.json");

    let api = read(&root().join("ui/src/lib/api.ts"));
    let mut called = BTreeSet::new();
    for chunk in api
        .split("call<")
        .skip(1)
        .chain(api.split("invoke(").skip(1))
    {
        if let Some(at) = chunk.find('\'') {
            // `call<T>('name'` or `invoke('name'`: the name is the first string.
            if chunk[..at].ends_with('(') || chunk[..at].is_empty() {
                called.insert(quoted(&chunk[at..], '\'')[0].to_owned());
            }
        }
    }
    let expected: BTreeSet<String> = functions
        .iter()
        .filter(|n| !NOT_IN_API_TS.contains(&n.as_str()))
        .cloned()
        .collect();
    assert_eq!(called, expected, "ui/src/lib/api.ts");
}
