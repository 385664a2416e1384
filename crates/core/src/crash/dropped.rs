//! Reports that will never be sent, for whatever reason, are counted and
//! logged (`crash.report_dropped`): a report that vanishes silently is a
//! bug nobody hears about.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Why a report will never be sent; the `reason` of `crash.report_dropped`
/// and the label of `timetracker_crash_reports_dropped_total`.
/// In the order of [`crate::metrics::CRASH_DROP_REASONS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DropReason {
    /// The scrubbed report no longer fit Sentry's types.
    ScrubFailed,
    /// A trace could not be scrubbed for want of the user's words (traces
    /// are not kept for later, unlike error reports).
    WordsUnavailable,
    /// Larger than the whole disk cache.
    TooLarge,
    /// Pushed out of the disk cache by newer reports.
    Evicted,
    /// Sentry refused it for good (a 4xx other than 429, e.g. 413).
    Rejected,
    /// The anonymous id was reset: cached reports carried the old one.
    IdentityReset,
    /// Consent was withdrawn: the cache is deleted.
    ConsentWithdrawn,
    /// A cached file that cannot be read back as a report.
    Unreadable,
    /// A report that had to wait (its words could not load) and could not
    /// be written to disk to wait there (full or read-only).
    CacheFailed,
}

impl DropReason {
    pub const ALL: [DropReason; 9] = [
        DropReason::ScrubFailed,
        DropReason::WordsUnavailable,
        DropReason::TooLarge,
        DropReason::Evicted,
        DropReason::Rejected,
        DropReason::IdentityReset,
        DropReason::ConsentWithdrawn,
        DropReason::Unreadable,
        DropReason::CacheFailed,
    ];

    pub fn as_str(self) -> &'static str {
        crate::metrics::CRASH_DROP_REASONS[self as usize]
    }
}

/// The tally, shared by the reporter, its cache and its transport.
#[derive(Default)]
pub struct Drops {
    total: AtomicU64,
    metrics: Mutex<Option<Arc<crate::metrics::Metrics>>>,
}

impl Drops {
    pub fn record(&self, reason: DropReason, count: u64) {
        if count == 0 {
            return;
        }
        self.total.fetch_add(count, Ordering::Relaxed);
        crate::log_event!(
            warn,
            "crash.report_dropped",
            reason = reason.as_str(),
            count = count
        );
        if let Ok(slot) = self.metrics.lock() {
            if let Some(m) = slot.as_ref() {
                m.observe_crash_dropped(reason.as_str(), count);
            }
        }
    }

    /// Reports dropped since launch.
    pub fn total(&self) -> u64 {
        self.total.load(Ordering::Relaxed)
    }

    pub fn attach_metrics(&self, metrics: Arc<crate::metrics::Metrics>) {
        if let Ok(mut slot) = self.metrics.lock() {
            *slot = Some(metrics);
        }
    }
}
