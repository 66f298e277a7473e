//! What we remember about one calendar between polls. Stored as JSON (serde) by the caller.
//!
//! The state carries its own unfinished work ([`Pending`]), so a sync interrupted by a 504
//! or by the request budget continues where it stopped at the next poll, instead of
//! starting over.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::ical::Window;

/// What the server says about a collection's version: getctag and sync-token.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Markers {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ctag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

impl Markers {
    /// Whether the server's `current` markers prove nothing changed since `self`: every
    /// marker the server gives equals ours. A server that gives neither proves nothing.
    pub fn unchanged(&self, current: &Markers) -> bool {
        if current.ctag.is_none() && current.token.is_none() {
            return false;
        }
        current
            .ctag
            .as_ref()
            .is_none_or(|c| self.ctag.as_ref() == Some(c))
            && current
                .token
                .as_ref()
                .is_none_or(|t| self.token.as_ref() == Some(t))
    }
}

/// Why an object the server lists cannot be used. It is not fetched again until its ETag
/// changes, and reported once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Problem {
    /// The server answered without calendar-data.
    NoCalendarData,
    /// The object alone is larger than the response limit.
    TooLarge { limit: u64 },
    /// Listed as present, but multiget answered 404 (both spellings of its href) or kept
    /// leaving it out.
    Unfetchable,
}

/// A problem with one version of an object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectProblem {
    pub problem: Problem,
    /// The version (ETag as listed) that has the problem; a new ETag gets a new try.
    pub etag: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectMeta {
    /// Absolute URL of the object, as the server last wrote it in a multiget answer (the
    /// spelling it answers to).
    pub url: String,
    /// ETag of the version last delivered to the caller; empty when none was.
    pub etag: String,
    /// Set while the server's current version cannot be used; the caller keeps the last
    /// delivered version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<ObjectProblem>,
}

impl ObjectMeta {
    /// Whether the version listed with `etag` needs fetching.
    pub fn needs(&self, etag: &str) -> bool {
        if etag.is_empty() {
            return true;
        }
        let have = !self.etag.is_empty() && same_etag(&self.etag, etag);
        let known_bad = self
            .problem
            .as_ref()
            .is_some_and(|p| same_etag(&p.etag, etag));
        !have && !known_bad
    }
}

/// How a deletion was established. Both are confirmed by a multiget 404 for the object's
/// stored URL before anything is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Evidence {
    /// sync-collection reported the href gone (404), and multiget agreed.
    DeletedInSyncCollection,
    /// A complete listing left the object out, and multiget answered 404 for it.
    AbsentFromListing,
}

/// An object listed as new or changed, still to fetch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToFetch {
    /// The spelling to ask for first.
    pub url: String,
    /// Another spelling of the same href to try once when the first answers 404.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alt: Option<String>,
    /// The ETag the listing gave (may be empty).
    #[serde(default)]
    pub etag: String,
    /// Rounds in which the server left it out of the answer.
    #[serde(default)]
    pub omitted: u8,
}

/// A known object the server may have deleted, still to confirm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToConfirm {
    pub url: String,
    pub evidence: Evidence,
    #[serde(default)]
    pub omitted: u8,
}

/// The unfinished part of a sync: applied in later polls until empty, then `target`
/// becomes the calendar's synced markers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pending {
    /// The markers to adopt once every object below is accounted for.
    pub target: Markers,
    /// By normalised href.
    #[serde(default)]
    pub fetch: BTreeMap<String, ToFetch>,
    #[serde(default)]
    pub confirm: BTreeMap<String, ToConfirm>,
}

impl Pending {
    pub fn is_done(&self) -> bool {
        self.fetch.is_empty() && self.confirm.is_empty()
    }

    pub fn remaining(&self) -> usize {
        self.fetch.len() + self.confirm.len()
    }
}

/// What a full listing covered: absence from it is evidence only when it was complete.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListingRecord {
    pub window: Window,
    /// False when the server truncated it (507 on the collection).
    pub complete: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarState {
    /// Absolute URL of the calendar collection.
    pub url: String,
    /// The markers at which `objects` accounted for every object of the collection; `None`
    /// until the first sync completes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub synced: Option<Markers>,
    /// Known objects by normalised href (see `caldav::href::normalize`).
    #[serde(default)]
    pub objects: BTreeMap<String, ObjectMeta>,
    /// Work left from an interrupted sync; the next sync continues it first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<Pending>,
    /// The last full listing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_listing: Option<ListingRecord>,
}

impl CalendarState {
    /// A calendar never synced.
    pub fn new(url: impl Into<String>) -> Self {
        CalendarState {
            url: url.into(),
            ..CalendarState::default()
        }
    }

    /// Whether a sync is needed given the server's current `markers` (e.g. from the
    /// account-level probe): unfinished work, never synced, or changed markers.
    pub fn needs_sync(&self, markers: &Markers) -> bool {
        self.pending.is_some() || self.synced.as_ref().is_none_or(|s| !s.unchanged(markers))
    }

    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string(self)
    }

    pub fn from_json(s: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(s)
    }
}

/// ETags compare without quotes and weakness markers: Yandex writes them bare in XML and
/// quoted in headers.
pub fn same_etag(a: &str, b: &str) -> bool {
    bare_etag(a) == bare_etag(b)
}

fn bare_etag(e: &str) -> &str {
    let e = e.trim();
    let e = e.strip_prefix("W/").unwrap_or(e);
    e.trim_matches('"')
}
