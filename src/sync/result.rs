//! What one sync of one calendar produced.

use serde::Serialize;

use super::state::{CalendarState, Evidence, Problem};
use crate::caldav::CalDavError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CalendarObject {
    /// The object's key: its normalised href (the key of `CalendarState::objects`).
    pub key: String,
    /// Absolute URL of the object.
    pub url: String,
    pub etag: String,
    /// The raw iCalendar text, unparsed.
    pub data: String,
}

/// An object the server deleted, with how we know.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Removed {
    pub key: String,
    pub url: String,
    pub evidence: Evidence,
}

/// An object that cannot be used, found this round (log it once).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProblemReport {
    pub key: String,
    pub url: String,
    pub problem: Problem,
}

/// How the sync found out what changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SyncMethod {
    /// ctag and sync-token unchanged: one PROPFIND (or none after an account probe).
    Unchanged,
    /// RFC 6578 sync-collection from the stored token.
    SyncCollection,
    /// Full ETag listing (calendar-query over the window): first sync, or a fallback.
    Listing,
    /// Continued the unfinished work of an earlier sync.
    Resumed,
}

/// Why a full listing took the place of sync-collection. Counted in logs and benchmarks:
/// a server that falls back every poll costs far more than one that does not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Fallback {
    /// Never synced: there is no token yet.
    FirstSync,
    /// The server gives no sync-token for this collection.
    NoToken,
    /// The server refused the token (403 valid-sync-token, 400, 409, 412, 507).
    TokenRefused { status: u16 },
    /// A sync-collection answer without a new token, or truncated too many times.
    Unusable,
}

/// Why a sync stopped before accounting for every object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Interruption {
    /// The request budget of this call ran out; the next poll continues.
    Budget,
    /// A request failed (e.g. 504); the next poll continues, after the backoff.
    Failed { error: String },
    /// The server left some hrefs out of its multiget answer; asked again next poll.
    Omitted,
}

/// Whether every object of the calendar is accounted for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Completeness {
    /// The state now matches the server as of its markers.
    Complete,
    /// `remaining` objects are still to fetch or confirm (kept in `state.pending`): the
    /// objects not yet fetched are unknown, not absent, and known ones keep their last
    /// state.
    Partial {
        remaining: usize,
        interruption: Interruption,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncOutcome {
    pub method: SyncMethod,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fallback: Option<Fallback>,
    pub added: Vec<CalendarObject>,
    pub changed: Vec<CalendarObject>,
    /// Deleted on the server, each with its evidence.
    pub removed: Vec<Removed>,
    /// Objects found unusable this round; the others synced normally.
    pub problems: Vec<ProblemReport>,
    pub completeness: Completeness,
    /// The error that interrupted the sync, for the per-user backoff.
    #[serde(skip)]
    pub error: Option<CalDavError>,
    /// Store this (after storing the objects above) and pass it to the next sync, also
    /// when the outcome is partial: it carries the unfinished work.
    #[serde(skip)]
    pub state: CalendarState,
}

impl SyncOutcome {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.changed.is_empty() && self.removed.is_empty()
    }

    pub fn is_complete(&self) -> bool {
        self.completeness == Completeness::Complete
    }
}
