//! How long a name, a description or a tag may be. The domain enforces
//! these and the error messages quote them, so they live below both.

pub const NAME_MAX_CHARS: usize = 200;
pub const DESCRIPTION_MAX_CHARS: usize = 2000;
pub const TAG_MAX_CHARS: usize = 100;

/// The largest file an import reads: ten years of busy tracking in any
/// supported format is a few tens of MiB, so a larger one is a mistake (or
/// `/dev/zero`), and reading it whole would exhaust memory.
pub const IMPORT_MAX_BYTES: u64 = 256 * 1024 * 1024;
/// A holiday calendar is a few kilobytes; this is far past any real one.
pub const ICS_MAX_BYTES: usize = 5 * 1024 * 1024;

/// Longest `Retry-After` our senders obey: a server asking for a day is
/// asked again within the hour (what waits stays on disk meanwhile).
pub const MAX_RETRY_AFTER: std::time::Duration = std::time::Duration::from_secs(3600);

/// A `Retry-After` header in seconds, capped at [`MAX_RETRY_AFTER`]. The
/// HTTP-date form (rare from PostHog and Sentry) and nonsense count as a
/// minute.
pub fn retry_after(value: Option<&str>) -> std::time::Duration {
    value
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map_or(
            std::time::Duration::from_secs(60),
            std::time::Duration::from_secs,
        )
        .min(MAX_RETRY_AFTER)
}

/// The first control character (C0, DEL or C1: `ESC`, `BEL`, `CSI`...) in
/// `text` other than those in `allowed`. A terminal acts on them when `tt`
/// prints the text (`ESC ] 52` writes the clipboard), and no name needs one.
pub fn first_control(text: &str, allowed: &[char]) -> Option<char> {
    text.chars()
        .find(|c| c.is_control() && !allowed.contains(c))
}

/// What a description may hold besides printable text: it may run over
/// several lines.
pub const DESCRIPTION_CONTROLS: &[char] = &['\n', '\t'];

/// `U+001B`, for messages that name a character no one can see.
pub fn code_point(c: char) -> String {
    format!("U+{:04X}", u32::from(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c0_del_and_c1_controls_are_found_and_the_allowed_ones_are_not() {
        for c in [
            '\u{0}', '\u{7}', '\u{1b}', '\r', '\u{7f}', '\u{80}', '\u{9b}', '\u{9f}',
        ] {
            let text = format!("a{c}b");
            assert_eq!(first_control(&text, DESCRIPTION_CONTROLS), Some(c), "{c:?}");
        }
        assert_eq!(
            first_control("two\nlines\tand a tab", DESCRIPTION_CONTROLS),
            None
        );
        assert_eq!(first_control("two\nlines", &[]), Some('\n'));
        assert_eq!(first_control("café – ünïcode ✓ \u{a0}", &[]), None);
        assert_eq!(code_point('\u{1b}'), "U+001B");
    }
}
