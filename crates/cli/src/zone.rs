//! The system's time zone, read from its one file.
//!
//! `TimeZone::system` first lists every file under `/usr/share/zoneinfo`
//! (jiff's database keeps all names, for lookups by any spelling), about
//! 0.2 ms of a command that takes 3. `tt` needs only the zone it runs in.

use std::path::Path;

use jiff::tz::TimeZone;
use timetracker_core::config::Env;

const ZONEINFO: &str = "/usr/share/zoneinfo";
const LOCALTIME: &str = "/etc/localtime";

/// The zone, looked up the first time a command needs it: most print no
/// local time at all.
pub(crate) type LazyZone<'a> = std::cell::LazyCell<TimeZone, Box<dyn FnOnce() -> TimeZone + 'a>>;

pub(crate) fn lazy(env: &Env) -> LazyZone<'_> {
    std::cell::LazyCell::new(Box::new(move || system(env)))
}

pub(crate) fn system(env: &Env) -> TimeZone {
    if env.raw("TZDIR").is_some() {
        return TimeZone::system();
    }
    direct(env.raw("TZ"), Path::new(LOCALTIME), Path::new(ZONEINFO))
        .unwrap_or_else(TimeZone::system)
}

/// The zone `TZ` names (an IANA name, with or without the leading `:`),
/// or, without `TZ`, the one `/etc/localtime` links to. `None` for
/// anything else (a POSIX rule such as `EST5EDT,M3.2.0,M11.1.0`, a path,
/// an empty `TZ`, a copied `/etc/localtime`): jiff then decides, as before.
fn direct(tz: Option<&str>, localtime: &Path, zoneinfo: &Path) -> Option<TimeZone> {
    let (name, file) = match tz {
        Some(tz) => {
            let name = tz.strip_prefix(':').unwrap_or(tz);
            (name.to_owned(), zoneinfo.join(name))
        }
        None => {
            let link = std::fs::read_link(localtime).ok()?;
            let link = link.to_str()?;
            let (_, name) = link.split_once("zoneinfo/")?;
            (name.to_owned(), localtime.to_owned())
        }
    };
    let plain = !name.is_empty()
        && !name.starts_with('/')
        && !name.split('/').any(|part| part.is_empty() || part == "..")
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '-' | '+'));
    if !plain {
        return None;
    }
    let bytes = std::fs::read(file).ok()?;
    TimeZone::tzif(&name, &bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offset_at(tz: &TimeZone, month: i8) -> i32 {
        let noon: jiff::Timestamp = format!("2026-{month:02}-01T12:00:00Z").parse().unwrap();
        tz.to_offset(noon).seconds()
    }

    /// A zoneinfo folder with Europe/Berlin in it, and a localtime link.
    fn fixture() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let zoneinfo = dir.path().join("zoneinfo");
        std::fs::create_dir_all(zoneinfo.join("Europe")).unwrap();
        let berlin = std::fs::read(Path::new(ZONEINFO).join("Europe/Berlin")).unwrap();
        std::fs::write(zoneinfo.join("Europe/Berlin"), berlin).unwrap();
        std::os::unix::fs::symlink(zoneinfo.join("Europe/Berlin"), dir.path().join("localtime"))
            .unwrap();
        dir
    }

    #[test]
    fn a_named_zone_is_read_from_its_file_with_its_rules() {
        let dir = fixture();
        let zoneinfo = dir.path().join("zoneinfo");
        let nowhere = dir.path().join("no-localtime");
        for tz in ["Europe/Berlin", ":Europe/Berlin"] {
            let zone = direct(Some(tz), &nowhere, &zoneinfo).unwrap();
            assert_eq!(zone.iana_name(), Some("Europe/Berlin"));
            assert_eq!((offset_at(&zone, 1), offset_at(&zone, 7)), (3600, 7200));
        }
        let linked = direct(None, &dir.path().join("localtime"), &zoneinfo).unwrap();
        assert_eq!(linked.iana_name(), Some("Europe/Berlin"));
        assert_eq!(offset_at(&linked, 7), 7200);
    }

    #[test]
    fn anything_else_is_left_to_jiff() {
        let dir = fixture();
        let zoneinfo = dir.path().join("zoneinfo");
        let localtime = dir.path().join("localtime");
        for tz in [
            "",
            "EST5EDT,M3.2.0,M11.1.0",
            "<+03>-3",
            "/etc/localtime",
            "../zoneinfo/Europe/Berlin",
            "Europe//Berlin",
            "Mars/Olympus_Mons",
        ] {
            assert!(direct(Some(tz), &localtime, &zoneinfo).is_none(), "{tz}");
        }
        // A copied (not linked) /etc/localtime has no name to give.
        let copy = dir.path().join("copied");
        std::fs::copy(&localtime, &copy).unwrap();
        assert!(direct(None, &copy, &zoneinfo).is_none());
    }
}
