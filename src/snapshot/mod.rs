//! A compact, versioned record of a user's meetings in a window: what the change detector
//! compares and the scheduler reads. Stored in KV as JSON.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::ical::{Occurrence, PartStat, Span, Window};

/// Bump when the stored shape changes incompatibly; older snapshots are then discarded
/// (the next sync starts from an empty state and reports nothing for already-known UIDs).
pub const SNAPSHOT_VERSION: u32 = 1;

#[derive(Debug, Error)]
pub enum SnapshotError {
    #[error("snapshot is not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("snapshot format version {found} is not supported (expected {expected})")]
    Version { found: u32, expected: u32 },
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
}

impl Meeting {
    pub fn from_occurrence(o: &Occurrence) -> Meeting {
        let my = o.my_partstat;
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
            my_partstat: my,
            attendees: o
                .attendees
                .iter()
                .map(|a| AttendeeState {
                    email: a.email.clone(),
                    name: a.name.clone(),
                    partstat: a.partstat,
                    me: false,
                })
                .collect(),
        }
    }

    /// Declined by me: digests and reminders skip it.
    pub fn declined_by_me(&self) -> bool {
        self.my_partstat == Some(PartStat::Declined)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    pub version: u32,
    /// IANA zone the snapshot was taken for (all-day dates are read in it).
    pub tz: String,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Every UID the calendars held, even without an occurrence in the window: an instance
    /// of a known series entering the window is not "added".
    pub known_uids: BTreeSet<String>,
    /// Sorted by UID, then instance.
    pub meetings: Vec<Meeting>,
}

impl Snapshot {
    /// Builds the snapshot from expanded occurrences; `me_emails` marks which attendee
    /// is the user (use the same list as for [`crate::ical::Me`]).
    pub fn new(
        window: Window,
        tz: chrono_tz::Tz,
        known_uids: impl IntoIterator<Item = String>,
        occurrences: &[Occurrence],
        me: &crate::ical::Me,
    ) -> Snapshot {
        let mut meetings: Vec<Meeting> = occurrences
            .iter()
            .map(|o| {
                let mut m = Meeting::from_occurrence(o);
                for a in &mut m.attendees {
                    a.me = me.is_me(&a.email);
                }
                m
            })
            .collect();
        meetings.sort_by(|a, b| (&a.uid, &a.recurrence_id).cmp(&(&b.uid, &b.recurrence_id)));
        meetings.dedup_by(|a, b| a.uid == b.uid && a.recurrence_id == b.recurrence_id);
        Snapshot {
            version: SNAPSHOT_VERSION,
            tz: tz.name().to_string(),
            from: window.from,
            to: window.to,
            known_uids: known_uids.into_iter().collect(),
            meetings,
        }
    }

    /// Parses and expands calendar objects (one iCalendar text each, as sync stores them)
    /// and takes the snapshot; skipped objects come back for the caller to log.
    pub fn from_calendars<'a>(
        calendars: impl IntoIterator<Item = &'a str>,
        window: Window,
        tz: chrono_tz::Tz,
        me: &crate::ical::Me,
    ) -> (Snapshot, Vec<crate::ical::Skipped>) {
        let opts = crate::ical::ExpandOptions::new(window, tz);
        let mut uids = Vec::new();
        let mut occurrences = Vec::new();
        let mut skipped = Vec::new();
        for ics in calendars {
            let mut parsed = crate::ical::parse_calendar(ics);
            skipped.append(&mut parsed.skipped);
            let (mut occ, mut notes) = crate::ical::expand_all(&parsed.series, &opts, me);
            occurrences.append(&mut occ);
            skipped.append(&mut notes);
            uids.extend(parsed.series.into_iter().map(|s| s.uid));
        }
        (Snapshot::new(window, tz, uids, &occurrences, me), skipped)
    }

    pub fn window(&self) -> Window {
        Window {
            from: self.from,
            to: self.to,
        }
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
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}
