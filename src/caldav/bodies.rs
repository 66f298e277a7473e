//! The request bodies we send. Each asks only for what the next step uses.

use super::xml::escape;

const HEAD: &str = r#"<?xml version="1.0" encoding="utf-8"?>"#;

pub fn current_user_principal() -> String {
    format!(
        r#"{HEAD}<d:propfind xmlns:d="DAV:"><d:prop><d:current-user-principal/><d:resourcetype/></d:prop></d:propfind>"#
    )
}

/// The principal's calendar home and the addresses it answers to (RFC 6638
/// calendar-user-address-set; Yandex also gives calendarserver's email-address-set).
pub fn principal_props() -> String {
    format!(
        r#"{HEAD}<d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:cs="http://calendarserver.org/ns/"><d:prop><c:calendar-home-set/><c:calendar-user-address-set/><cs:email-address-set/></d:prop></d:propfind>"#
    )
}

pub fn calendar_list() -> String {
    format!(
        r#"{HEAD}<d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:cs="http://calendarserver.org/ns/" xmlns:a="http://apple.com/ns/ical/"><d:prop><d:resourcetype/><d:displayname/><a:calendar-color/><c:supported-calendar-component-set/><cs:getctag/><d:sync-token/></d:prop></d:propfind>"#
    )
}

/// The cheap "did anything change" probe.
pub fn ctag_and_token() -> String {
    format!(
        r#"{HEAD}<d:propfind xmlns:d="DAV:" xmlns:cs="http://calendarserver.org/ns/"><d:prop><cs:getctag/><d:sync-token/></d:prop></d:propfind>"#
    )
}

/// The account-level probe: one Depth-1 PROPFIND of the calendar home gives every
/// collection's markers, and what is needed to tell event calendars from the rest.
pub fn home_markers() -> String {
    format!(
        r#"{HEAD}<d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:cs="http://calendarserver.org/ns/"><d:prop><d:resourcetype/><c:supported-calendar-component-set/><cs:getctag/><d:sync-token/></d:prop></d:propfind>"#
    )
}

pub fn sync_collection(token: &str) -> String {
    format!(
        r#"{HEAD}<d:sync-collection xmlns:d="DAV:"><d:sync-token>{}</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>"#,
        escape(token)
    )
}

/// calendar-multiget of `hrefs`; with `data`, their bodies, else ETags only (to confirm
/// that objects exist, or are gone).
pub fn multiget<'h>(hrefs: impl IntoIterator<Item = &'h str>, data: bool) -> String {
    let hrefs: String = hrefs
        .into_iter()
        .map(|h| format!("<d:href>{}</d:href>", escape(h)))
        .collect();
    let data = if data { "<c:calendar-data/>" } else { "" };
    format!(
        r#"{HEAD}<c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/>{data}</d:prop>{hrefs}</c:calendar-multiget>"#
    )
}

/// VEVENTs overlapping `[start, end)` (UTC `YYYYMMDDTHHMMSSZ`); with `data`, their bodies too.
pub fn calendar_query(start: &str, end: &str, data: bool) -> String {
    let data = if data { "<c:calendar-data/>" } else { "" };
    format!(
        r#"{HEAD}<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/>{data}</d:prop><c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"><c:time-range start="{}" end="{}"/></c:comp-filter></c:comp-filter></c:filter></c:calendar-query>"#,
        escape(start),
        escape(end)
    )
}
