//! Typed changes, ready to be rendered as messages.

use serde::{Deserialize, Serialize};

use chrono::{DateTime, Utc};

use crate::ical::{PartStat, Span};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Summary,
    Location,
    Telemost,
    Description,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: Field,
    /// Old and new values; for the description only "it changed" is known (a hash is stored).
    pub old: Option<String>,
    pub new: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ChangeDetail {
    /// A new meeting or invitation (once, wherever ahead it is), or an instance back.
    Added,
    /// Deleted on the server, STATUS:CANCELLED, or the instance removed by EXDATE or a
    /// cancelled override — never merely not seen.
    Cancelled,
    /// The series now ends earlier (UNTIL or COUNT): `instances` meetings from `span` on
    /// no longer happen. One message, not one per instance.
    SeriesEnded {
        /// Start of the new last meeting.
        last: Option<DateTime<Utc>>,
    },
    Moved {
        old: Span,
        new: Span,
    },
    Updated {
        fields: Vec<FieldChange>,
    },
    /// An attendee answered a meeting I organize.
    AttendeeAnswered {
        email: String,
        name: Option<String>,
        old: Option<PartStat>,
        new: PartStat,
    },
    /// My own answer changed elsewhere (e.g. in the Yandex web UI).
    MyAnswerChanged {
        old: Option<PartStat>,
        new: Option<PartStat>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub uid: String,
    /// The instance changed; `None` for a single meeting or a change to the whole series.
    pub recurrence_id: Option<String>,
    /// The change applies to every instance of a recurring series in the window.
    pub series: bool,
    /// How many occurrences the change covers.
    pub instances: usize,
    /// Title to show (the new one, or the last known for a cancellation).
    pub summary: String,
    /// When the (first) occurrence is, after the change (before it, for a cancellation).
    pub span: Span,
    #[serde(flatten)]
    pub detail: ChangeDetail,
}
