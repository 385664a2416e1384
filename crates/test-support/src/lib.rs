//! Fakes for the tests of every crate: one loopback [`Receiver`] that stands
//! in for PostHog and Sentry, and the import [`fixture`] files. The crate
//! depends on no timetracker crate, so the core's own tests can use it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod receiver;
pub mod tmpfs;

pub use receiver::{Fault, Receiver, Request};
pub use tmpfs::{skip, Tmpfs};

use std::path::PathBuf;

/// The path of a file in `crates/test-support/fixtures/` (see the README
/// there); panics when there is no such file, so a typo fails loudly.
pub fn fixture(name: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name);
    assert!(path.is_file(), "no fixture {}", path.display());
    path
}

/// A loopback port free a moment ago, for a server a test starts next.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fixture_is_found_by_name() {
        let text = std::fs::read_to_string(fixture("toggl-november.csv")).unwrap();
        assert!(text.contains("Heron Survey"), "{text}");
    }

    #[test]
    #[should_panic(expected = "no fixture")]
    fn a_missing_fixture_panics_with_its_path() {
        fixture("no-such-file.csv");
    }
}
