//! From a server URL to the user's calendars: current-user-principal → calendar-home-set
//! → the calendar collections in it (RFC 4791 §6, RFC 5397).

use serde::{Deserialize, Serialize};

use super::bodies;
use super::client::Client;
use super::error::CalDavError;
use super::href;
use super::multistatus::{DavResponse, Multistatus};
use super::xml::{APPLE, CALDAV, CALSERVER, DAV};
use crate::host::{Clock, Http};

/// A calendar collection as discovery found it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarInfo {
    /// Absolute URL of the collection.
    pub url: String,
    pub display_name: String,
    /// As the server gives it, e.g. `#49c0a8ff`; empty when none.
    pub color: String,
    /// Supported components (`VEVENT`, `VTODO`, …); empty when the server does not say.
    pub components: Vec<String>,
    pub ctag: Option<String>,
    pub sync_token: Option<String>,
}

/// Where the account lives on the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Principal {
    pub principal_url: String,
    pub home_url: String,
    /// E-mail addresses the principal answers to (`calendar-user-address-set`, and Yandex's
    /// `email-address-set`), lower-cased without `mailto:`: who "me" is in a meeting.
    #[serde(default)]
    pub addresses: Vec<String>,
}

/// Checks login and password and finds the calendar home. Every failure is a distinct
/// [`CalDavError`]: `Unauthorized`, `Unreachable`, `Timeout`, `Tls`, `InvalidUrl`, `NotCalDav`.
pub fn check_credentials<E: Http + Clock>(
    client: &Client<'_, E>,
    server_url: &str,
) -> Result<Principal, CalDavError> {
    let server_url = server_url.trim();
    if !(server_url.starts_with("https://") || server_url.starts_with("http://"))
        || href::origin(server_url).is_none_or(|o| o.len() <= "https://".len())
    {
        return Err(CalDavError::InvalidUrl(server_url.to_string()));
    }
    let first = match find_principal(client, server_url) {
        Ok(found) => found,
        Err(CalDavError::NotCalDav(_) | CalDavError::NotFound { .. }) => None,
        Err(e) => return Err(e),
    };
    let principal_url = match first {
        Some(p) => p,
        None => {
            // No principal at the configured URL: try the well-known entry point (Nextcloud,
            // Radicale behind a proxy). Yandex has none, but answers at `/` already.
            let origin = href::origin(server_url).unwrap_or(server_url);
            let well_known = format!("{origin}/.well-known/caldav");
            match find_principal(client, &well_known) {
                Ok(Some(p)) => p,
                Ok(None) | Err(CalDavError::NotCalDav(_) | CalDavError::NotFound { .. }) => {
                    return Err(CalDavError::NotCalDav(format!(
                        "{server_url} does not report a current-user-principal"
                    )))
                }
                Err(e) => return Err(e),
            }
        }
    };
    let ms = client
        .propfind(&principal_url, "0", &bodies::principal_props())
        .map_err(not_caldav_if_unexpected)?;
    let home = ms
        .responses
        .iter()
        .find_map(|r| r.prop(CALDAV, "calendar-home-set"))
        .and_then(|p| p.child(DAV, "href"))
        .map(|h| href::resolve(&principal_url, h.trimmed()))
        // Some servers keep calendars right under the principal.
        .unwrap_or_else(|| principal_url.clone());
    Ok(Principal {
        principal_url,
        home_url: home,
        addresses: addresses_in(&ms),
    })
}

/// The `mailto:` hrefs of calendar-user-address-set and email-address-set.
fn addresses_in(ms: &Multistatus) -> Vec<String> {
    let mut out: Vec<String> = ms
        .responses
        .iter()
        .flat_map(|r| {
            [
                r.prop(CALDAV, "calendar-user-address-set"),
                r.prop(CALSERVER, "email-address-set"),
            ]
        })
        .flatten()
        .flat_map(|set| set.children_named(DAV, "href"))
        .filter_map(|h| {
            let v = h.trimmed();
            let rest = v
                .get(..7)
                .filter(|p| p.eq_ignore_ascii_case("mailto:"))
                .and(v.get(7..))?;
            let address = rest.trim().to_lowercase();
            address.contains('@').then_some(address)
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Lists the calendars of the account that can hold events.
pub fn discover<E: Http + Clock>(
    client: &Client<'_, E>,
    server_url: &str,
) -> Result<(Principal, Vec<CalendarInfo>), CalDavError> {
    let principal = check_credentials(client, server_url)?;
    let ms = client.propfind(&principal.home_url, "1", &bodies::calendar_list())?;
    Ok((principal.clone(), calendars_in(&principal.home_url, &ms)))
}

/// The event calendars in a Depth-1 PROPFIND of the calendar home.
pub fn calendars_in(home_url: &str, ms: &Multistatus) -> Vec<CalendarInfo> {
    ms.responses
        .iter()
        .filter(|r| !href::same(&r.href, home_url))
        .filter_map(|r| calendar_info(home_url, r))
        .filter(|c| c.components.is_empty() || c.components.iter().any(|k| k == "VEVENT"))
        .collect()
}

fn calendar_info(home_url: &str, r: &DavResponse) -> Option<CalendarInfo> {
    let is_calendar = r
        .prop(DAV, "resourcetype")
        .is_some_and(|t| t.child(CALDAV, "calendar").is_some());
    if !is_calendar {
        return None;
    }
    let components = r
        .prop(CALDAV, "supported-calendar-component-set")
        .map(|set| {
            set.children_named(CALDAV, "comp")
                .filter_map(|c| c.attr("name"))
                .map(|n| n.to_ascii_uppercase())
                .collect()
        })
        .unwrap_or_default();
    let url = href::resolve(home_url, &r.href);
    let display_name = r.prop_text(DAV, "displayname").unwrap_or_else(|| {
        href::normalize(&url)
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_string()
    });
    Some(CalendarInfo {
        url,
        display_name,
        color: r.prop_text(APPLE, "calendar-color").unwrap_or_default(),
        components,
        ctag: r.prop_text(CALSERVER, "getctag"),
        sync_token: r.prop_text(DAV, "sync-token"),
    })
}

fn find_principal<E: Http + Clock>(
    client: &Client<'_, E>,
    url: &str,
) -> Result<Option<String>, CalDavError> {
    let ms = client
        .propfind(url, "0", &bodies::current_user_principal())
        .map_err(not_caldav_if_unexpected)?;
    Ok(ms
        .responses
        .iter()
        .find_map(|r| r.prop(DAV, "current-user-principal"))
        .and_then(|p| p.child(DAV, "href"))
        .map(|h| href::resolve(url, h.trimmed())))
}

/// An answer that is HTTP but not WebDAV (HTML page, 405 on PROPFIND, garbage body)
/// means the URL points at something other than a CalDAV server.
fn not_caldav_if_unexpected(e: CalDavError) -> CalDavError {
    match e {
        CalDavError::UnexpectedStatus { status, url, .. } => {
            CalDavError::NotCalDav(format!("{url} answered HTTP {status} to PROPFIND"))
        }
        CalDavError::BadResponse(m) => CalDavError::NotCalDav(m),
        other => other,
    }
}
