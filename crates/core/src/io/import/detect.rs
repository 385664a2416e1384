//! Guessing the format from the content: the CSV header row, or the shape of
//! the JSON's first item. Only the beginning of the file is looked at, so a
//! truncated file is still recognised (and [`super::parse`] then says where
//! it breaks off).

use super::{table, Format};

/// How much of a JSON file is looked at: enough for the first item of any
/// format, small enough that a large file costs nothing.
const JSON_PREFIX: usize = 4096;

/// Enough of a CSV file for its header row.
const CSV_PREFIX: usize = 64 * 1024;

/// The format of `bytes`, or `None` when it is none we read (or an empty
/// JSON array, which could be any of them).
pub fn detect(bytes: &[u8]) -> Option<Format> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace())?;
    match bytes[start] {
        b'[' | b'{' => {
            let end = bytes.len().min(start + JSON_PREFIX);
            detect_json(&String::from_utf8_lossy(&bytes[start..end]))
        }
        // Lossy, so a file that is not UTF-8 is still recognised and
        // `parse` can say on which line the bad bytes are.
        _ => {
            let end = bytes.len().min(CSV_PREFIX);
            detect_csv(&String::from_utf8_lossy(&bytes[..end]))
        }
    }
}

fn detect_csv(text: &str) -> Option<Format> {
    let headers = table::headers(text)?;
    let has = |name: &str| headers.iter().any(|h| h == name);
    let all = |names: &[&str]| names.iter().all(|n| has(n));
    if all(&["start", "end", "duration_seconds"]) {
        return Some(Format::Csv);
    }
    if !all(&["start date", "start time", "end date", "end time"]) {
        return None;
    }
    // Both exporters split start and end the same way; Clockify alone
    // writes the duration twice, as `Duration (h)` and `Duration (decimal)`.
    if has("duration (h)") || has("duration (decimal)") {
        Some(Format::Clockify)
    } else {
        Some(Format::Toggl)
    }
}

fn detect_json(prefix: &str) -> Option<Format> {
    let rest = prefix.trim_start();
    if rest.starts_with('{') {
        return value_after_key(rest, "format")
            .is_some_and(|v| v.starts_with("\"timetracker\""))
            .then_some(Format::Json);
    }
    let first = rest.strip_prefix('[')?.trim_start();
    match first.chars().next()? {
        // Watson's frames file: an array of arrays.
        '[' => Some(Format::Watson),
        '{' => {
            let object = first.split('}').next().unwrap_or(first);
            if value_after_key(object, "stop").is_some()
                && value_after_key(object, "project").is_some()
            {
                return Some(Format::Watson);
            }
            // Timewarrior writes its instants compactly: "20261123T090000Z".
            let start = value_after_key(object, "start")?;
            let compact = start.strip_prefix('"')?.get(..16)?;
            let shape_ok = compact.char_indices().all(|(i, c)| match i {
                8 => c == 'T',
                15 => c == 'Z',
                _ => c.is_ascii_digit(),
            });
            shape_ok.then_some(Format::Timewarrior)
        }
        _ => None,
    }
}

/// The text right after `"key":` in `json` (whitespace skipped), if that key
/// appears. A key inside a string value is escaped (`\"key\"`) and so is
/// not mistaken for one.
fn value_after_key<'a>(json: &'a str, key: &str) -> Option<&'a str> {
    let needle = format!("\"{key}\"");
    let mut from = 0;
    while let Some(i) = json[from..].find(&needle) {
        let at = from + i;
        from = at + needle.len();
        if json[..at].ends_with('\\') {
            continue;
        }
        if let Some(value) = json[from..].trim_start().strip_prefix(':') {
            return Some(value.trim_start());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_headers() {
        let toggl = "User,Email,Client,Project,Task,Description,Billable,Start date,Start time,End date,End time,Duration,Tags,Amount (USD)\n";
        assert_eq!(detect(toggl.as_bytes()), Some(Format::Toggl));
        let bom = format!("\u{feff}{toggl}");
        assert_eq!(detect(bom.as_bytes()), Some(Format::Toggl));
        let clockify = "Project,Client,Description,Task,User,Group,Email,Tags,Billable,Start Date,Start Time,End Date,End Time,Duration (h),Duration (decimal),Billable Rate (USD),Billable Amount (USD)\r\n";
        assert_eq!(detect(clockify.as_bytes()), Some(Format::Clockify));
        let ours = "id,project,client,description,start,end,duration_seconds,tags,billable,hourly_rate,currency\n";
        assert_eq!(detect(ours.as_bytes()), Some(Format::Csv));
        assert_eq!(detect(b"Date;Client;Project;Hours\n"), None);
        assert_eq!(detect(b"just some text"), None);
        assert_eq!(detect(b" \n\t"), None);
        let latin1 =
            b"id,project,client,description,start,end,duration_seconds\n1,Caf\xe9,,,x,y,0\n";
        assert_eq!(detect(latin1), Some(Format::Csv));
        assert_eq!(detect(b""), None);
    }

    #[test]
    fn json_shapes() {
        assert_eq!(
            detect(br#"{"format": "timetracker", "version": 1, "entries": []}"#),
            Some(Format::Json)
        );
        assert_eq!(detect(br#"{"format": "other"}"#), None);
        assert_eq!(
            detect(b"[\n [1795424400, 1795429800, \"a\""),
            Some(Format::Watson)
        );
        assert_eq!(
            detect(br#"[{"id": "ab12", "project": "a", "start": "2026-11-23T10:00:00+01:00", "stop": "2026-11-23T11:00:00+01:00", "tags": []}]"#),
            Some(Format::Watson)
        );
        assert_eq!(
            detect(br#"[
{"id":2,"start":"20261123T090000Z","end":"20261123T103000Z","tags":["a"],"annotation":"x \"project\": y"}"#),
            Some(Format::Timewarrior)
        );
        assert_eq!(detect(br#"[{"start":"2026-11-23T09:00:00Z"}]"#), None);
        assert_eq!(detect(b"[]"), None);
        assert_eq!(detect(b"[1, 2]"), None);
    }
}
