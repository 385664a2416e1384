//! Moving entries in and out of TimeTracker: import from other trackers and
//! our own export files.

pub mod apply;
pub mod export;
pub mod files;
pub mod formula;
pub mod import;
