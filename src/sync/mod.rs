//! Incremental sync of CalDAV calendars, and the per-user backoff around it.

pub mod backoff;
pub mod engine;
pub mod result;
pub mod state;

pub use engine::{sync_calendar, TimeRange};
pub use result::{CalendarObject, SyncMethod, SyncResult};
pub use state::{CalendarState, ObjectMeta};
