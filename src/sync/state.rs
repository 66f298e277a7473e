//! What we remember about one calendar between polls. Stored as JSON (serde), e.g. in KV.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectMeta {
    /// Absolute URL of the object, as the server last wrote it (used in requests).
    pub url: String,
    /// As the server sent it (Yandex: unquoted milliseconds).
    pub etag: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarState {
    /// Absolute URL of the calendar collection.
    pub url: String,
    #[serde(default)]
    pub ctag: Option<String>,
    #[serde(default)]
    pub sync_token: Option<String>,
    /// Whether a full sync has completed; before that, ctag/token mean nothing.
    #[serde(default)]
    pub synced: bool,
    /// Known objects by normalised href (see `caldav::href::normalize`).
    #[serde(default)]
    pub objects: BTreeMap<String, ObjectMeta>,
}

impl CalendarState {
    /// A calendar never synced.
    pub fn new(url: impl Into<String>) -> Self {
        CalendarState {
            url: url.into(),
            ..CalendarState::default()
        }
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
