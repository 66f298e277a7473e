//! The meetings a plan keeps, reduced to what the digest, reminders and status need, and
//! the busy intervals of the "In a meeting" status.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::ical::{Occurrence, Organizer, PartStat, Span, Status};
use crate::snapshot::Meeting;

/// One upcoming meeting (an occurrence), as the plan keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Upcoming {
    pub uid: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rid: Option<String>,
    pub span: Span,
    pub summary: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// The Telemost link, else another video link found in the location.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub join: Option<String>,
    /// The event's page in Yandex Calendar.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web_link: Option<String>,
    /// The calendar's collection URL.
    pub calendar: String,
    /// Attendees, the organizer and me included when listed.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub attendees: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub my_answer: Option<PartStat>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub i_organize: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub transparent: bool,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// Longer than this, a timed event is treated like an all-day one (a conference, a trip):
/// no reminder, no "In a meeting".
const LONG_EVENT: Duration = Duration::hours(24);

impl Upcoming {
    pub fn from_meeting(m: &Meeting, calendar: &str) -> Upcoming {
        let mut people: Vec<&str> = m.attendees.iter().map(|a| a.email.as_str()).collect();
        if let Some(o) = &m.organizer {
            people.push(o.as_str());
        }
        people.sort_unstable();
        people.dedup();
        Upcoming {
            uid: m.uid.clone(),
            rid: m.recurrence_id.clone(),
            span: m.span,
            summary: m.summary.clone(),
            location: m.location.clone(),
            join: m.join.clone().or_else(|| m.telemost.clone()),
            web_link: m.web_link.clone(),
            calendar: calendar.to_string(),
            attendees: if m.attendees.is_empty() {
                0
            } else {
                people.len() as u32
            },
            my_answer: m.my_partstat,
            i_organize: m.i_organize,
            transparent: m.transparent,
        }
    }

    pub fn instants(&self, tz: Tz) -> (DateTime<Utc>, DateTime<Utc>) {
        self.span.instants(tz)
    }

    pub fn declined(&self) -> bool {
        self.my_answer == Some(PartStat::Declined)
    }

    /// A meeting of the clock: timed, shorter than a day.
    fn timed(&self) -> bool {
        match self.span {
            Span::Timed { start, end } => end - start < LONG_EVENT,
            Span::AllDay { .. } => false,
        }
    }

    /// Reminded, and makes me busy: timed, not declined, not shown as free.
    pub fn attended(&self) -> bool {
        self.timed() && !self.declined() && !self.transparent
    }

    /// As an occurrence, for the agenda's renderer (the digest).
    pub fn to_occurrence(&self) -> Occurrence {
        Occurrence {
            uid: self.uid.clone(),
            recurrence_id: self.rid.clone(),
            recurring: self.rid.is_some(),
            overridden: false,
            span: self.span,
            summary: self.summary.clone(),
            location: self.location.clone(),
            description: None,
            telemost: self.join.clone(),
            web_link: self.web_link.clone(),
            status: Status::Confirmed,
            transparent: self.transparent,
            organizer: None::<Organizer>,
            attendees: Vec::new(),
            my_partstat: self.my_answer,
            i_organize: self.i_organize,
        }
    }
}

/// A stretch of time in meetings: back-to-back and overlapping meetings make one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Busy {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl Busy {
    pub fn contains(&self, at: DateTime<Utc>) -> bool {
        self.start <= at && at < self.end
    }
}

/// The busy intervals of the meetings I attend, sorted and merged.
pub fn busy_intervals(meetings: &[Upcoming], tz: Tz) -> Vec<Busy> {
    let mut spans: Vec<Busy> = meetings
        .iter()
        .filter(|m| m.attended())
        .map(|m| {
            let (start, end) = m.instants(tz);
            Busy { start, end }
        })
        .filter(|b| b.end > b.start)
        .collect();
    spans.sort();
    let mut out: Vec<Busy> = Vec::new();
    for b in spans {
        match out.last_mut() {
            Some(last) if b.start <= last.end => last.end = last.end.max(b.end),
            _ => out.push(b),
        }
    }
    out
}
