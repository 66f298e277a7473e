//! The account-level probe: one Depth-1 PROPFIND of the calendar home returns getctag and
//! sync-token of every calendar collection, so an idle poll of a user with several
//! calendars costs one request; only calendars whose markers changed go on to sync.

use serde::{Deserialize, Serialize};

use super::engine::markers_of;
use super::state::Markers;
use crate::caldav::client::Client;
use crate::caldav::xml::{CALDAV, DAV};
use crate::caldav::{bodies, href, CalDavError};
use crate::host::{Clock, Http};

/// One collection of the calendar home.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CollectionMarkers {
    /// Absolute URL of the collection.
    pub url: String,
    pub markers: Markers,
    /// Whether it can hold events (VEVENT listed, or no component set given).
    pub events: bool,
}

/// The calendar collections of a home, as one PROPFIND saw them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountProbe {
    pub calendars: Vec<CollectionMarkers>,
}

impl AccountProbe {
    /// The markers of `calendar_url`; `None` when the home did not list it.
    pub fn markers_for(&self, calendar_url: &str) -> Option<&Markers> {
        self.calendars
            .iter()
            .find(|c| href::same(&c.url, calendar_url))
            .map(|c| &c.markers)
    }
}

/// PROPFIND Depth 1 of `home_url` for the markers of every calendar in it.
pub fn probe_account<E: Http + Clock>(
    client: &Client<'_, E>,
    home_url: &str,
) -> Result<AccountProbe, CalDavError> {
    let ms = client.propfind_listing(home_url, "1", &bodies::home_markers())?;
    let calendars = ms
        .responses
        .iter()
        .filter(|r| !href::same(&r.href, home_url))
        .filter(|r| {
            r.prop(DAV, "resourcetype")
                .is_some_and(|t| t.child(CALDAV, "calendar").is_some())
        })
        .map(|r| {
            let comps: Vec<String> = r
                .prop(CALDAV, "supported-calendar-component-set")
                .map(|set| {
                    set.children_named(CALDAV, "comp")
                        .filter_map(|c| c.attr("name"))
                        .map(str::to_ascii_uppercase)
                        .collect()
                })
                .unwrap_or_default();
            CollectionMarkers {
                url: href::resolve(home_url, &r.href),
                markers: markers_of(Some(r)),
                events: comps.is_empty() || comps.iter().any(|c| c == "VEVENT"),
            }
        })
        .collect();
    Ok(AccountProbe { calendars })
}
