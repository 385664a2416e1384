//! How metrics hear about the database and the timer: as an observer of
//! the tracker's storage and of its product events, so neither storage nor
//! the timer has to know that metrics exist.

use std::sync::Arc;
use std::time::Instant;

use super::{BusyGuard, Metrics};
use crate::events::Event;
use crate::storage::{OperationScope, StorageObserver};
use crate::tracker::EventObserver;
use crate::Tracker;

impl StorageObserver for Metrics {
    fn connection_opened(&self) {
        self.db_connection_opened();
    }

    fn connection_closed(&self) {
        self.db_connection_closed();
    }

    fn begin(&self, op: &'static str) -> Option<Box<dyn OperationScope + '_>> {
        Some(Box::new(Timed {
            metrics: self,
            op,
            start: Instant::now(),
            _busy: self.db_busy(),
        }))
    }
}

/// One database operation in flight: busy while alive, timed when dropped.
struct Timed<'a> {
    metrics: &'a Metrics,
    op: &'static str,
    start: Instant,
    _busy: BusyGuard<'a>,
}

impl Drop for Timed<'_> {
    fn drop(&mut self) {
        self.metrics.observe_db_query(self.op, self.start.elapsed());
    }
}

impl EventObserver for Metrics {
    fn on_event(&self, _tracker: &Tracker, event: &Event) {
        match event {
            Event::TimerStarted { .. } => self.timer_started(),
            Event::TimerStopped {
                duration_seconds, ..
            } => self.timer_stopped(*duration_seconds),
            _ => {}
        }
    }
}

impl Metrics {
    /// Counts `tracker`'s database activity, timer starts and tracked time
    /// from now on.
    pub fn watch(self: &Arc<Self>, tracker: &mut Tracker) {
        tracker.observe_storage(self.clone());
        tracker.observe_events(self.clone());
    }
}
