//! Bytes to text, and byte offsets to line numbers.

use crate::error::import::ImportError;

const BOM: &str = "\u{feff}";

/// The file as UTF-8 text without a leading byte-order mark (spreadsheet
/// programs on Windows add one).
pub(crate) fn decode(bytes: &[u8]) -> Result<&str, ImportError> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.strip_prefix(BOM).unwrap_or(text)),
        Err(e) => {
            let good = &bytes[..e.valid_up_to()];
            let line = 1 + good.iter().filter(|&&b| b == b'\n').count();
            Err(ImportError::at(
                line,
                "the file is not UTF-8 text here; export it again as UTF-8",
            ))
        }
    }
}

/// Turns offsets into `text` into 1-based line numbers. Offsets usually come
/// in increasing order, so it counts on from the last one instead of from
/// the start each time (a 100,000-entry file would otherwise be quadratic).
pub(crate) struct LineCounter<'a> {
    text: &'a str,
    offset: usize,
    line: usize,
}

impl<'a> LineCounter<'a> {
    pub fn new(text: &'a str) -> Self {
        Self {
            text,
            offset: 0,
            line: 1,
        }
    }

    pub fn line_at(&mut self, offset: usize) -> usize {
        let offset = offset.min(self.text.len());
        if offset < self.offset {
            self.offset = 0;
            self.line = 1;
        }
        let skipped = &self.text.as_bytes()[self.offset..offset];
        self.line += skipped.iter().filter(|&&b| b == b'\n').count();
        self.offset = offset;
        self.line
    }

    /// The line of `part`, which must be a slice of the counter's text;
    /// anything else reads as line 1.
    pub fn line_of(&mut self, part: &str) -> usize {
        let base = self.text.as_ptr() as usize;
        match (part.as_ptr() as usize).checked_sub(base) {
            Some(offset) if offset <= self.text.len() => self.line_at(offset),
            _ => 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_is_skipped_and_bad_bytes_name_their_line() {
        assert_eq!(decode(b"\xef\xbb\xbfa,b\n").unwrap(), "a,b\n");
        let err = decode(b"a\nb\r\nc\xff\n").unwrap_err();
        assert_eq!(err.errors[0].line, 3);
    }

    #[test]
    fn lines_count_forwards_and_backwards() {
        let text = "one\ntwo\r\nthree\n\nfive";
        let mut lines = LineCounter::new(text);
        assert_eq!(lines.line_at(0), 1);
        assert_eq!(lines.line_at(text.find("three").unwrap()), 3);
        assert_eq!(lines.line_of(&text[text.find("five").unwrap()..]), 5);
        assert_eq!(lines.line_at(4), 2);
        assert_eq!(lines.line_of("elsewhere"), 1);
    }
}
