//! A CSV file as a header and line-numbered rows, on top of the `csv` crate
//! (RFC 4180 quoting, fields spanning lines, CRLF, blank lines skipped).

use std::collections::HashMap;

use csv::{ReaderBuilder, StringRecord};

use super::text::LineCounter;
use crate::error::import::{ImportError, Problems};

pub(crate) struct Table {
    columns: HashMap<String, usize>,
    headers: Vec<String>,
    pub rows: Vec<Row>,
}

pub(crate) struct Row {
    /// The line the record starts on.
    pub line: usize,
    record: StringRecord,
}

impl Row {
    /// The field in column `index`, trimmed ("" when the row is short).
    pub fn get(&self, index: usize) -> &str {
        self.record.get(index).unwrap_or("").trim()
    }
}

/// Column names compare case- and space-insensitively: Toggl writes
/// `Start date`, Clockify `Start Date`.
fn key(header: &str) -> String {
    header.trim().to_lowercase()
}

/// Excel in some locales saves CSV with `;` (or tabs); the header line says
/// which separator the file uses.
pub(crate) fn delimiter(text: &str) -> u8 {
    let first = text.lines().next().unwrap_or("");
    let count = |c: char| first.matches(c).count();
    [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|&d| (count(d as char), d == b','))
        .unwrap_or(b',')
}

/// Just the header row, for format detection.
pub(crate) fn headers(text: &str) -> Option<Vec<String>> {
    let mut reader = ReaderBuilder::new()
        .delimiter(delimiter(text))
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let first = reader.records().next()?.ok()?;
    Some(first.iter().map(key).collect())
}

impl Table {
    /// Reads the whole file. Rows that cannot be read, or whose field count
    /// differs from the header's, become problems; rows with nothing but
    /// separators are skipped like blank lines.
    pub fn read(text: &str, problems: &mut Problems) -> Result<Table, ImportError> {
        let mut reader = ReaderBuilder::new()
            .delimiter(delimiter(text))
            .has_headers(true)
            .flexible(true)
            .from_reader(text.as_bytes());
        let header = reader
            .headers()
            .map_err(|e| ImportError::at(1, format!("the header row cannot be read: {e}")))?
            .clone();
        if header.iter().all(|h| h.trim().is_empty()) {
            return Err(ImportError::at(
                1,
                "the file is empty; expected a header row",
            ));
        }
        let headers: Vec<String> = header.iter().map(|h| h.trim().to_owned()).collect();
        let mut columns = HashMap::new();
        for (i, h) in headers.iter().enumerate() {
            columns.entry(key(h)).or_insert(i);
        }
        // The csv crate's own line count skips blank lines and CRLF line
        // ends, so lines are counted here from the record's byte offset. That
        // offset points at the line end before the record when one was
        // skipped, hence the step over line ends.
        let mut lines = LineCounter::new(text);
        let mut line_at = |pos: Option<&csv::Position>| {
            let from = pos.map_or(0, |p| p.byte() as usize);
            let rest = text.get(from..).unwrap_or("");
            let skipped = rest.len() - rest.trim_start_matches(['\r', '\n']).len();
            lines.line_at(from + skipped)
        };
        let mut rows = Vec::new();
        for result in reader.records() {
            let record = match result {
                Ok(record) => record,
                Err(e) => {
                    problems.add(
                        line_at(e.position()),
                        format!("this row cannot be read: {e}"),
                    );
                    continue;
                }
            };
            let line = line_at(record.position());
            if record.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            if record.len() != headers.len() {
                problems.add(
                    line,
                    format!(
                        "this row has {} fields but the header has {}; is a quote missing?",
                        record.len(),
                        headers.len()
                    ),
                );
                continue;
            }
            rows.push(Row { line, record });
        }
        Ok(Table {
            columns,
            headers,
            rows,
        })
    }

    pub fn find(&self, name: &str) -> Option<usize> {
        self.columns.get(&key(name)).copied()
    }

    /// The first column whose name starts with `prefix` (any case), with
    /// that name: `Billable Rate (USD)` for `billable rate`.
    pub fn find_prefix(&self, prefix: &str) -> Option<(usize, &str)> {
        let prefix = key(prefix);
        self.headers
            .iter()
            .enumerate()
            .find(|(_, h)| key(h).starts_with(&prefix))
            .map(|(i, h)| (i, h.as_str()))
    }

    /// The index of each column in `names`, or one problem on line 1 naming
    /// every missing column.
    pub fn require<const N: usize>(
        &self,
        names: [&str; N],
        format: &str,
    ) -> Result<[usize; N], ImportError> {
        let found = names.map(|n| self.find(n));
        let missing: Vec<String> = names
            .iter()
            .zip(&found)
            .filter(|(_, f)| f.is_none())
            .map(|(n, _)| format!("\u{201c}{n}\u{201d}"))
            .collect();
        if !missing.is_empty() {
            let (noun, list) = match missing.len() {
                1 => ("column", missing.join("")),
                _ => ("columns", missing.join(", ")),
            };
            return Err(ImportError::at(
                1,
                format!("the header has no {list} {noun}; is this really a {format} file?"),
            ));
        }
        Ok(found.map(|f| f.unwrap_or(0)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_crlf_blank_lines_and_physical_lines() {
        let text = "A,b\r\n1,\"two, with comma\"\r\n\r\n3,\"multi\r\nline\"\r\n,\r\n5,six\r\n";
        let mut problems = Problems::default();
        let table = Table::read(text, &mut problems).unwrap();
        assert!(problems.is_empty());
        let got: Vec<(usize, &str, &str)> = table
            .rows
            .iter()
            .map(|r| (r.line, r.get(0), r.get(1)))
            .collect();
        assert_eq!(
            got,
            vec![
                (2, "1", "two, with comma"),
                (4, "3", "multi\r\nline"),
                (7, "5", "six")
            ]
        );
        assert_eq!(table.find(" a "), Some(0));
        assert_eq!(table.find("B"), Some(1));
    }

    #[test]
    fn short_rows_and_missing_columns_are_named() {
        let mut problems = Problems::default();
        let table = Table::read("a;b;c\n1;2;3\n4;5\n", &mut problems).unwrap();
        assert_eq!(table.rows.len(), 1);
        let err = problems.finish(()).unwrap_err();
        assert_eq!(err.errors[0].line, 3);
        assert_eq!(
            err.errors[0].message,
            "this row has 2 fields but the header has 3; is a quote missing?"
        );
        let err = table.require(["a", "Start", "End"], "Toggl").unwrap_err();
        assert_eq!(
            err.errors[0].message,
            "the header has no \u{201c}Start\u{201d}, \u{201c}End\u{201d} columns; is this really a Toggl file?"
        );
        assert_eq!(table.require(["c", "A"], "x").unwrap(), [2, 0]);
    }

    #[test]
    fn an_empty_file_has_no_header() {
        let mut problems = Problems::default();
        let err = Table::read("", &mut problems).err().unwrap();
        assert_eq!(
            err.errors[0].message,
            "the file is empty; expected a header row"
        );
    }
}
