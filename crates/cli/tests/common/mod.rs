//! `tt` as a user runs it: the built binary against a temporary data
//! folder. Shared by the CLI test binaries.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

pub struct Tt {
    pub dir: tempfile::TempDir,
}

impl Tt {
    pub fn new() -> Self {
        Tt {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn data_dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_tt"));
        cmd.args(["--data-dir", self.data_dir().to_str().unwrap()])
            .args(args)
            // Local dates are UTC dates, whatever the machine's zone.
            .env("TZ", "UTC")
            .env_remove("ROUNDING_MINUTES")
            .env_remove("TIMETRACKER_DATA_DIR");
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    /// Runs and expects success; returns standard output.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "tt {args:?} failed ({:?}): {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    pub fn json(&self, args: &[&str]) -> Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        serde_json::from_str(&self.ok(&all)).unwrap()
    }
}
