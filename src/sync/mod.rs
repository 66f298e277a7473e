//! Incremental sync of CalDAV calendars, and the per-user backoff around it.
//!
//! A poll of one user: [`probe_account`] (one request for all calendars), then
//! [`sync_calendar`] for each calendar whose markers changed or that has unfinished work
//! ([`CalendarState::needs_sync`]). The engine knows no storage: the caller persists each
//! returned [`CalendarState`] (also a partial one: it carries the progress) after the
//! objects it delivered.

pub mod backoff;
pub mod engine;
mod fetch;
pub mod probe;
pub mod result;
pub mod state;

pub use engine::{probe, sync_calendar, SyncRequest, DEFAULT_MAX_REQUESTS};
pub use probe::{probe_account, AccountProbe, CollectionMarkers};
pub use result::{
    CalendarObject, Completeness, Fallback, Interruption, ProblemReport, Removed, SyncMethod,
    SyncOutcome,
};
pub use state::{
    CalendarState, Evidence, ListingRecord, Markers, ObjectMeta, ObjectProblem, Pending, Problem,
};

#[cfg(test)]
mod fake_dav;
#[cfg(test)]
mod tests;
