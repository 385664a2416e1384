//! Spreadsheet formula neutralisation for our CSV (OWASP's CSV injection
//! rule). A description like `=HYPERLINK("http://…")` that arrived in an
//! imported Toggl file would otherwise become a live formula when the
//! export is opened in Excel or LibreOffice. A text cell that begins with
//! `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, which
//! spreadsheets show as text. Importing our own CSV takes it off again.
//!
//! So that the round trip is exact, a cell that already begins with one or
//! more `'` before such a character gets one more: `'=x` exports as `''=x`
//! and imports back as `'=x`. Every other cell is written as it is.

use std::borrow::Cow;

fn triggers(cell: &str) -> bool {
    cell.trim_start_matches('\'')
        .starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// The cell as our CSV writes it.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    if triggers(cell) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// The cell as it was before [`neutralise`]; a cell our export did not
/// change comes back as it is.
pub fn restore(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if triggers(rest) => rest,
        _ => cell,
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn formula_starters_get_a_quote_and_nothing_else_changes() {
        for (cell, written) in [
            (
                "=HYPERLINK(\"http://x\",\"y\")",
                "'=HYPERLINK(\"http://x\",\"y\")",
            ),
            ("+1", "'+1"),
            ("-2", "'-2"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tcmd", "'\tcmd"),
            ("\rcmd", "'\rcmd"),
            ("'=x", "''=x"),
            ("plain text", "plain text"),
            ("'quoted", "'quoted"),
            ("a=b", "a=b"),
            ("", ""),
        ] {
            assert_eq!(neutralise(cell), written, "{cell:?}");
            assert_eq!(restore(written), cell, "{written:?}");
        }
    }

    proptest! {
        #[test]
        fn the_round_trip_is_exact(cell in "['=+@\\-\t\ra-z ]{0,8}") {
            let written = neutralise(&cell);
            prop_assert_eq!(restore(&written), cell.as_str());
            prop_assert!(!written.starts_with(['=', '+', '-', '@', '\t', '\r']));
        }
    }
}
