//! The request bodies we send. Each asks only for what the next step uses.

use super::xml::escape;

const HEAD: &str = r#"<?xml version="1.0" encoding="utf-8"?>"#;

pub fn current_user_principal() -> String {
    format!(
        r#"{HEAD}<d:propfind xmlns:d="DAV:"><d:prop><d:current-user-principal/><d:resourcetype/></d:prop></d:propfind>"#
    )
}

pub fn calendar_home_set() -> String {
    format!(
        r#"{HEAD}<d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><c:calendar-home-set/></d:prop></d:propfind>"#
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

pub fn sync_collection(token: &str) -> String {
    format!(
        r#"{HEAD}<d:sync-collection xmlns:d="DAV:"><d:sync-token>{}</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>"#,
        escape(token)
    )
}

pub fn multiget<'h>(hrefs: impl IntoIterator<Item = &'h str>) -> String {
    let hrefs: String = hrefs
        .into_iter()
        .map(|h| format!("<d:href>{}</d:href>", escape(h)))
        .collect();
    format!(
        r#"{HEAD}<c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/><c:calendar-data/></d:prop>{hrefs}</c:calendar-multiget>"#
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
