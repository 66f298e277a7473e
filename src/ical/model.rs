//! The meeting model: what one VEVENT says, and what one occurrence of it is.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::time::Time;

/// STATUS of an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    #[default]
    Confirmed,
    Tentative,
    Cancelled,
}

impl Status {
    pub(crate) fn parse(value: &str) -> Status {
        match value.trim().to_ascii_uppercase().as_str() {
            "TENTATIVE" => Status::Tentative,
            "CANCELLED" | "CANCELED" => Status::Cancelled,
            _ => Status::Confirmed,
        }
    }
}

/// An attendee's answer (PARTSTAT).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING-KEBAB-CASE")]
pub enum PartStat {
    NeedsAction,
    Accepted,
    Declined,
    Tentative,
    Delegated,
}

impl PartStat {
    pub(crate) fn parse(value: &str) -> PartStat {
        match value.trim().to_ascii_uppercase().as_str() {
            "ACCEPTED" => PartStat::Accepted,
            "DECLINED" => PartStat::Declined,
            "TENTATIVE" => PartStat::Tentative,
            "DELEGATED" => PartStat::Delegated,
            // RFC 5545: unknown values are treated as NEEDS-ACTION.
            _ => PartStat::NeedsAction,
        }
    }
}

/// An attendee's ROLE.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING-KEBAB-CASE")]
pub enum Role {
    Chair,
    ReqParticipant,
    OptParticipant,
    NonParticipant,
}

impl Role {
    pub(crate) fn parse(value: &str) -> Role {
        match value.trim().to_ascii_uppercase().as_str() {
            "CHAIR" => Role::Chair,
            "OPT-PARTICIPANT" => Role::OptParticipant,
            "NON-PARTICIPANT" => Role::NonParticipant,
            _ => Role::ReqParticipant,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Attendee {
    /// Lower-cased address without `mailto:`.
    pub email: String,
    pub name: Option<String>,
    pub partstat: PartStat,
    pub role: Role,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Organizer {
    pub email: String,
    pub name: Option<String>,
}

/// One VEVENT: a single meeting, the master of a series, or an override of one instance.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub uid: String,
    pub recurrence_id: Option<Time>,
    /// `RECURRENCE-ID;RANGE=THISANDFUTURE`: the override applies to its instance and every
    /// later one (shifting them as it shifts its own, RFC 5545 §3.8.4.4).
    pub this_and_future: bool,
    pub summary: Option<String>,
    pub start: Time,
    pub end: Option<Time>,
    pub duration: Option<chrono::Duration>,
    pub location: Option<String>,
    pub description: Option<String>,
    pub url: Option<String>,
    pub status: Status,
    /// `TRANSP:TRANSPARENT`: the time shows as free (no reminder, no "In a meeting").
    pub transparent: bool,
    pub sequence: i64,
    pub organizer: Option<Organizer>,
    /// Sorted by e-mail, so attendee order in the source never matters.
    pub attendees: Vec<Attendee>,
    pub telemost: Option<String>,
    /// The event's page in Yandex Calendar (the URL property when it is not a Telemost link).
    pub web_link: Option<String>,
    /// Raw RRULE values (one per RRULE line).
    pub rrules: Vec<String>,
    pub rdates: Vec<RDate>,
    pub exdates: Vec<Time>,
}

/// One RDATE value: a start, or a PERIOD with its own end (RFC 5545 §3.8.5.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RDate {
    pub start: Time,
    pub end: Option<PeriodEnd>,
}

/// How a PERIOD ends: at a time, or after a duration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodEnd {
    At(Time),
    After(chrono::Duration),
}

/// A master with its overrides, all sharing one UID.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Series {
    pub uid: String,
    pub master: Option<Event>,
    pub overrides: Vec<Event>,
}

/// When an occurrence happens. All-day spans keep their dates so that they stay on the
/// same days whatever the viewer's timezone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Span {
    Timed {
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    },
    /// `end` is exclusive.
    AllDay { start: NaiveDate, end: NaiveDate },
}

impl Span {
    /// The span as instants, reading all-day dates in `tz`.
    pub fn instants(&self, tz: Tz) -> (DateTime<Utc>, DateTime<Utc>) {
        match *self {
            Span::Timed { start, end } => (start, end),
            Span::AllDay { start, end } => (
                super::time::midnight(tz, start),
                super::time::midnight(tz, end),
            ),
        }
    }

    pub fn is_all_day(&self) -> bool {
        matches!(self, Span::AllDay { .. })
    }
}

/// One meeting as a person sees it: a single event, or one instance of a series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Occurrence {
    pub uid: String,
    /// Identity of the instance within its series: the original start in iCalendar basic
    /// form (`20260302T070000Z`, or `20260302` for all-day series); `None` for a single event.
    pub recurrence_id: Option<String>,
    /// Whether the UID is a recurring series (instances share change messages).
    pub recurring: bool,
    /// Comes from an override (an instance edited on its own).
    pub overridden: bool,
    pub span: Span,
    pub summary: String,
    pub location: Option<String>,
    pub description: Option<String>,
    pub telemost: Option<String>,
    pub web_link: Option<String>,
    pub status: Status,
    /// Shows as free time (`TRANSP:TRANSPARENT`).
    #[serde(default)]
    pub transparent: bool,
    pub organizer: Option<Organizer>,
    pub attendees: Vec<Attendee>,
    /// The connected user's own answer, when they are an attendee.
    pub my_partstat: Option<PartStat>,
    /// The connected user organizes this meeting.
    pub i_organize: bool,
}

impl Occurrence {
    /// Declined by me: digests and reminders skip these.
    pub fn declined_by_me(&self) -> bool {
        self.my_partstat == Some(PartStat::Declined)
    }

    /// Whether the occurrence overlaps `[from, to)` (all-day spans read in `tz`).
    pub fn overlaps(&self, from: DateTime<Utc>, to: DateTime<Utc>, tz: Tz) -> bool {
        let (start, end) = self.span.instants(tz);
        // A zero-length meeting at `from` still counts.
        start < to && (end > from || (start == end && start >= from))
    }
}

/// An object left out, with the reason, for the caller to log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skipped {
    pub uid: Option<String>,
    pub reason: String,
}
