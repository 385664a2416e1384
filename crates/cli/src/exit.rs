//! `tt`'s exit statuses: one per error kind, as docs/cli.md documents them.
//! Scripts rely on these numbers, so they never change.

use timetracker_core::ErrorKind;

pub const USAGE: u8 = 2;

/// The exit status for a failure of this kind.
pub fn status(kind: ErrorKind) -> u8 {
    match kind {
        ErrorKind::Refused => 1,
        ErrorKind::InvalidFile => 3,
        ErrorKind::TimerState => 4,
        ErrorKind::NotFound => 5,
        ErrorKind::Storage => 6,
        ErrorKind::Io => 7,
    }
}

#[cfg(test)]
mod tests {
    use timetracker_core::ErrorCode;

    use super::*;
    use crate::Failure;

    const DOCS: &str = include_str!("../../../docs/cli.md");

    /// The codes `tt` reports itself, beside the core's.
    fn cli_status(code: &str) -> Option<u8> {
        let failure = match code {
            "doctor.problems_found" => Failure::Unhealthy(1),
            "cli.io" => Failure::Io(String::new()),
            "cli.usage" => Failure::Usage(String::new()),
            _ => return None,
        };
        Some(failure.exit_code())
    }

    /// Every code a documented pattern (`storage.*`, `*.not_found`) names.
    fn matching(pattern: &str) -> Vec<&'static str> {
        let codes = ErrorCode::ALL.iter().map(|c| c.as_str());
        if let Some(prefix) = pattern.strip_suffix('*') {
            codes.filter(|c| c.starts_with(prefix)).collect()
        } else if let Some(suffix) = pattern.strip_prefix('*') {
            codes.filter(|c| c.ends_with(suffix)).collect()
        } else {
            codes.filter(|c| *c == pattern).collect()
        }
    }

    /// The rows of the "Exit codes" table: status and the codes it names.
    fn documented() -> Vec<(u8, Vec<String>)> {
        let section = DOCS
            .split("## Exit codes")
            .nth(1)
            .and_then(|s| s.split("\n## ").next())
            .expect("docs/cli.md has an Exit codes section");
        section
            .lines()
            .filter_map(|line| {
                let mut cells = line.trim().strip_prefix('|')?.split('|');
                let status = cells.next()?.trim().parse().ok()?;
                let meaning = cells.next()?;
                let codes = meaning
                    .split('`')
                    .skip(1)
                    .step_by(2)
                    .filter(|c| c.contains('.') && !c.contains(' '))
                    .map(str::to_owned)
                    .collect();
                Some((status, codes))
            })
            .collect()
    }

    #[test]
    fn every_documented_code_exits_with_its_documented_status() {
        let rows = documented();
        let statuses: Vec<u8> = rows.iter().map(|(s, _)| *s).collect();
        assert_eq!(
            statuses,
            [0, 1, 2, 3, 4, 5, 6, 7],
            "the table in docs/cli.md"
        );
        let mut checked = 0;
        for (status, codes) in &rows {
            for pattern in codes {
                if let Some(found) = cli_status(pattern) {
                    assert_eq!(found, *status, "{pattern}");
                    checked += 1;
                    continue;
                }
                let codes = matching(pattern);
                assert!(
                    !codes.is_empty(),
                    "docs/cli.md names {pattern}, which is no code"
                );
                for code in codes {
                    let code = ErrorCode::ALL.iter().find(|c| c.as_str() == code).unwrap();
                    assert_eq!(super::status(code.kind()), *status, "{code} ({pattern})");
                    checked += 1;
                }
            }
        }
        assert!(checked > 10, "only {checked} codes found in docs/cli.md");
    }

    #[test]
    fn every_kind_has_a_documented_status() {
        let documented: Vec<u8> = documented().iter().map(|(s, _)| *s).collect();
        for code in ErrorCode::ALL {
            assert!(documented.contains(&status(code.kind())), "{code}");
        }
        assert!(documented.contains(&USAGE));
    }
}
