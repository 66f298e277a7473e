//! A compact, versioned record of a user's meetings: what the change detector compares and
//! the scheduler reads. Stored in KV as JSON by the caller.
//!
//! One entry per series (UID), with where it came from (calendar and object), the
//! meetings in the window, and — so that a meeting is reported "for any date ahead" — the
//! first meeting after the window (looked for up to [`crate::ical::NEXT_HORIZON_DAYS`])
//! and the last one before it. That one meeting per side is what tracks the rest of time
//! cheaply: a meeting created six months ahead is announced when it appears, a meeting
//! moved past the window (or in from before it) reads as moved, and nothing new is
//! announced when it later slides into the window. Only the next meeting of a series is
//! tracked ahead: an edit of its 20th instance is reported when that instance is in the
//! window. A series whose meetings are all over for a week is forgotten (a snapshot stays
//! proportional to what is upcoming: about 0.8 KB of JSON per meeting in the window, with
//! three attendees).
//!
//! A snapshot is built from the previous one ([`Baseline`]) and what each calendar holds
//! now ([`CalendarSource`]). A series leaves the snapshot as deleted only on evidence:
//! its object is gone from a calendar whose sync established its object list (the sync
//! engine drops an object only on a confirmed deletion), or its object was read and no
//! longer holds it. A body that is not available, an object or VEVENT that does not parse
//! or expand, a calendar that cannot be read this time: the series keeps its last known
//! meetings (`carried`), and nothing is reported for it.

mod build;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::ical::{Occurrence, PartStat, Span, Window};

pub use build::{Built, CalendarSource, ObjectSource, Objects, Versions};

/// Bump when the stored shape changes incompatibly; an older snapshot is then unusable and
/// the caller starts again from [`Baseline::FirstSync`] (which reports nothing).
pub const SNAPSHOT_VERSION: u32 = 2;

#[derive(Debug, Error)]
pub enum SnapshotError {
    #[error("snapshot is not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("snapshot format version {found} is not supported (expected {expected})")]
    Version { found: u32, expected: u32 },
}

/// What a new snapshot is compared with. There is no "empty previous snapshot": a first
/// sync is said so, and reports nothing.
#[derive(Debug, Clone, Copy)]
pub enum Baseline<'a> {
    /// The user's first snapshot (just connected, or the stored one was unusable): record
    /// silently.
    FirstSync,
    Previous(&'a Snapshot),
}

impl<'a> Baseline<'a> {
    pub fn previous(&self) -> Option<&'a Snapshot> {
        match self {
            Baseline::FirstSync => None,
            Baseline::Previous(s) => Some(s),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttendeeState {
    pub email: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub partstat: PartStat,
    /// This attendee is the connected user.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub me: bool,
}

/// One occurrence, reduced to what a person notices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meeting {
    pub uid: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recurrence_id: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub recurring: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub overridden: bool,
    pub span: Span,
    pub summary: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub telemost: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web_link: Option<String>,
    /// A hash of the description: enough to notice a change without storing the text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description_hash: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organizer: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub i_organize: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub my_partstat: Option<PartStat>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attendees: Vec<AttendeeState>,
    /// Shows as free time (`TRANSP:TRANSPARENT`): no reminder, no "In a meeting" status.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub transparent: bool,
    /// Where to join: the Telemost link, else a video link found in the location.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub join: Option<String>,
}

impl Meeting {
    pub fn from_occurrence(o: &Occurrence, me: &crate::ical::Me) -> Meeting {
        Meeting {
            uid: o.uid.clone(),
            recurrence_id: o.recurrence_id.clone(),
            recurring: o.recurring,
            overridden: o.overridden,
            span: o.span,
            summary: o.summary.clone(),
            location: o.location.clone(),
            telemost: o.telemost.clone(),
            web_link: o.web_link.clone(),
            description_hash: o.description.as_deref().map(fnv1a_hex),
            organizer: o.organizer.as_ref().map(|p| p.email.clone()),
            i_organize: o.i_organize,
            my_partstat: o.my_partstat,
            attendees: o
                .attendees
                .iter()
                .map(|a| AttendeeState {
                    email: a.email.clone(),
                    name: a.name.clone(),
                    partstat: a.partstat,
                    me: me.is_me(&a.email),
                })
                .collect(),
            transparent: o.transparent,
            join: o
                .telemost
                .clone()
                .or_else(|| o.location.as_deref().and_then(crate::ical::video_link)),
        }
    }

    /// Declined by me: digests and reminders skip it.
    pub fn declined_by_me(&self) -> bool {
        self.my_partstat == Some(PartStat::Declined)
    }
}

/// What is known about one series (or single meeting).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeriesView {
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub recurring: bool,
    /// STATUS:CANCELLED on the whole series or meeting.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub cancelled: bool,
    /// Floating times (read in the viewer's zone).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub floating: bool,
    /// False when a cap cut the expansion short: absence then proves nothing.
    pub complete: bool,
    /// Not read this time (body unavailable, does not parse or expand, calendar not
    /// readable): these are the meetings an earlier snapshot knew, for an earlier window.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub carried: bool,
    /// For a carried series: the window its meetings were computed for (they say nothing
    /// about time outside it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<Window>,
    /// Occurrences overlapping the window (and overridden ones moved out of it), sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub meetings: Vec<Meeting>,
    /// The first meeting after the window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<Meeting>,
    /// The last meeting over before the window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<Meeting>,
    /// Instances in the window removed by EXDATE or a cancelled override.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub excluded: BTreeSet<String>,
    /// The start of the last instance, when the recurrence ends by itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends: Option<DateTime<Utc>>,
    /// The span of the first instance (DTSTART): when it changes, the whole series moved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first: Option<Span>,
}

/// Whether a series is there, or was deleted (reported once, then dropped).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SeriesState {
    Active(SeriesView),
    /// Deleted on the server, with evidence: the next diff reports it, the next build
    /// forgets it.
    Gone {
        last: SeriesView,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeriesEntry {
    /// The calendar (collection URL) and object (its key in the sync state) it came from.
    pub calendar: String,
    pub object: String,
    #[serde(flatten)]
    pub state: SeriesState,
}

impl SeriesEntry {
    pub fn active(&self) -> Option<&SeriesView> {
        match &self.state {
            SeriesState::Active(v) => Some(v),
            SeriesState::Gone { .. } => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    pub version: u32,
    /// IANA zone the snapshot was taken for (all-day dates are read in it).
    pub tz: String,
    pub window: Window,
    /// Calendars whose first sync had completed: a series new in them is news. A calendar
    /// still in its first sync (or just subscribed) is recorded silently.
    pub calendars: BTreeSet<String>,
    /// By UID.
    pub series: BTreeMap<String, SeriesEntry>,
    /// What the snapshot was built from, for the next build to reuse what did not change
    /// ([`Snapshot::build_reusing`]): a digest of each parsed object's calendar, key and
    /// version. Empty when the builder was not given versions.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub parsed: BTreeSet<String>,
    /// A digest of who "me" was (my partstat and "I organize" depend on it).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub me: String,
}

impl Snapshot {
    /// Every meeting in the window, sorted by start (all-day read in the snapshot's zone):
    /// what the digest, reminders and status read. Carried series included; gone ones not.
    pub fn meetings(&self) -> Vec<&Meeting> {
        let tz = self.zone();
        let mut out: Vec<&Meeting> = self
            .series
            .values()
            .filter_map(SeriesEntry::active)
            .filter(|v| !v.cancelled)
            .flat_map(|v| v.meetings.iter())
            .filter(|m| {
                let (s, e) = m.span.instants(tz);
                self.window.overlaps(s, e)
            })
            .collect();
        out.sort_by_key(|m| (m.span.instants(tz).0, m.uid.clone()));
        out
    }

    pub fn zone(&self) -> chrono_tz::Tz {
        self.tz.parse().unwrap_or(chrono_tz::Tz::UTC)
    }

    pub fn to_json(&self) -> Result<String, SnapshotError> {
        Ok(serde_json::to_string(self)?)
    }

    pub fn from_json(json: &str) -> Result<Snapshot, SnapshotError> {
        #[derive(Deserialize)]
        struct VersionOnly {
            version: u32,
        }
        let v: VersionOnly = serde_json::from_str(json)?;
        if v.version != SNAPSHOT_VERSION {
            return Err(SnapshotError::Version {
                found: v.version,
                expected: SNAPSHOT_VERSION,
            });
        }
        Ok(serde_json::from_str(json)?)
    }
}

/// FNV-1a 64: stable across builds and platforms (unlike `DefaultHasher`).
fn fnv1a_hex(text: &str) -> String {
    format!("{:016x}", crate::caldav::retry::stable_hash(text))
}
