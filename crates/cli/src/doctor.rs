//! `tt doctor`: the checks of docs/troubleshooting.md, run. Exit 0 when
//! every check is ok or a warning, 1 when any is a problem. Runs even when
//! the database cannot be opened (that is one of the things it reports),
//! and creates nothing: a missing data folder stays missing.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Serialize;
use timetracker_core::config::Env;
use timetracker_core::doctor::{self, BundlePreview, CheckStatus, Database, Doctor, DoctorReport};

use crate::commands::{Out, Outcome};
use crate::Failure;

#[derive(Debug, Clone, clap::Args)]
pub struct DoctorArgs {
    /// Also send one test request to Sentry and one to PostHog, each only
    /// if you agreed to that service
    #[arg(long)]
    online: bool,
    /// Write a support bundle (.tar.gz) to FILE: this report, versions,
    /// the configuration with secrets masked, the end of the log and what
    /// waits to be sent, with your project names and descriptions removed
    #[arg(long, value_name = "FILE")]
    bundle: Option<PathBuf>,
    /// With --bundle: show every file that would go in, write nothing
    #[arg(long, requires = "bundle")]
    preview: bool,
}

impl DoctorArgs {
    /// Only writing a bundle leaves a line in the log.
    pub fn logs(&self) -> bool {
        self.bundle.is_some() && !self.preview
    }
}

#[derive(Serialize)]
struct JsonOut<'a> {
    #[serde(flatten)]
    report: &'a DoctorReport,
    #[serde(skip_serializing_if = "Option::is_none")]
    bundle: Option<JsonBundle>,
}

#[derive(Serialize)]
struct JsonBundle {
    path: String,
    written: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    bytes: Option<u64>,
    #[serde(flatten)]
    preview: BundlePreview,
}

pub fn run(data_dir: &Path, env: &Env, args: DoctorArgs, out: &mut Out) -> Outcome {
    let opened = doctor::open_database(data_dir);
    let database = match &opened {
        Ok(tracker) => Database::Open(tracker),
        Err(why) => why.clone(),
    };
    let lookup = env.lookup();
    let doctor = Doctor::new(data_dir, &lookup, database);
    let report = if args.online {
        doctor.run_online()
    } else {
        doctor.run()
    };
    // A bundle that cannot be written fails the command, after the report.
    let mut write_error = None;
    let bundle = args.bundle.as_ref().map(|path| {
        let bundle = doctor.bundle(&report);
        let bytes = if args.preview {
            None
        } else {
            bundle.write(path).map_err(|e| write_error = Some(e)).ok()
        };
        JsonBundle {
            path: path.display().to_string(),
            written: bytes.is_some(),
            bytes,
            preview: bundle.preview(),
        }
    });
    if out.json {
        out.json(&JsonOut {
            report: &report,
            bundle,
        })?;
    } else {
        out.text(text(&report));
        if let Some(bundle) = &bundle {
            out.text(bundle_text(bundle, args.preview));
        }
    }
    if let Some(e) = write_error {
        return Err(e.into());
    }
    if report.healthy() {
        Ok(())
    } else {
        let problems = report
            .checks
            .iter()
            .filter(|c| c.status == CheckStatus::Problem)
            .count();
        Err(Failure::Unhealthy(problems))
    }
}

fn label(status: CheckStatus) -> &'static str {
    match status {
        CheckStatus::Ok => "ok",
        CheckStatus::Warning => "WARNING",
        CheckStatus::Problem => "PROBLEM",
        CheckStatus::Skipped => "skipped",
    }
}

fn text(report: &DoctorReport) -> String {
    let mut s = format!("TimeTracker {} doctor\n\n", report.version);
    let width = report.checks.iter().map(|c| c.id.len()).max().unwrap_or(0);
    let mut counts = [0usize; 4];
    for check in &report.checks {
        counts[check.status as usize] += 1;
        let _ = writeln!(
            s,
            "{:<8} {:<width$}  {}",
            label(check.status),
            check.id,
            check.finding
        );
        let indent = " ".repeat(width + 11);
        if let Some(fix) = check
            .fix
            .as_deref()
            .filter(|_| matches!(check.status, CheckStatus::Warning | CheckStatus::Problem))
        {
            let _ = writeln!(s, "{indent}fix: {fix}");
        }
        if let Some(detail) = &check.detail {
            for line in detail.lines() {
                let _ = writeln!(s, "{indent}  {line}");
            }
        }
    }
    let _ = writeln!(
        s,
        "\n{} ok, {} warning{}, {} problem{}, {} skipped",
        counts[0],
        counts[1],
        crate::text::plural(counts[1] as u64),
        counts[2],
        crate::text::plural(counts[2] as u64),
        counts[3]
    );
    s
}

fn bundle_text(bundle: &JsonBundle, preview: bool) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "\nSupport bundle {}: {}",
        if bundle.written { "written to" } else { "for" },
        bundle.path
    );
    for file in &bundle.preview.files {
        let _ = writeln!(s, "  {:<32} {:>9} bytes", file.name, file.bytes);
    }
    if preview {
        for file in &bundle.preview.files {
            let _ = writeln!(s, "\n--- {} ---\n{}", file.name, file.preview.trim_end());
        }
        let _ = writeln!(s, "\nNothing was written (--preview).");
    } else {
        let _ = writeln!(
            s,
            "Project, client and tag names, descriptions, your home folder, user and host name were removed; secrets are masked."
        );
    }
    s
}
