//! What one sync of one calendar produced.

use serde::Serialize;

use super::state::CalendarState;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CalendarObject {
    /// Absolute URL of the object.
    pub url: String,
    pub etag: String,
    /// The raw iCalendar text, unparsed.
    pub data: String,
}

/// How the sync found out what changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SyncMethod {
    /// ctag and sync-token unchanged: one PROPFIND, nothing else.
    Unchanged,
    /// RFC 6578 sync-collection from the stored token.
    SyncCollection,
    /// Full listing with a time-range calendar-query (first sync, or the token was refused).
    FullQuery,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncResult {
    pub method: SyncMethod,
    pub added: Vec<CalendarObject>,
    pub changed: Vec<CalendarObject>,
    /// URLs of objects that are gone.
    pub removed: Vec<String>,
    /// Store this and pass it to the next sync.
    #[serde(skip)]
    pub state: CalendarState,
}

impl SyncResult {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.changed.is_empty() && self.removed.is_empty()
    }
}
