//! Writing one object back (RSVP): PUT guarded by the ETag we last saw.

use super::client::{header, status_error, Client};
use super::error::CalDavError;
use crate::bindings::types::HttpMethod;
use crate::host::{Clock, Http};

/// Replaces the object at `url` if its ETag is still `etag`; returns the new ETag when the
/// server tells it. A 412 is [`CalDavError::Conflict`]: re-read, re-apply, try again.
pub fn put_if_match<E: Http + Clock>(
    client: &Client<'_, E>,
    url: &str,
    etag: &str,
    ical: &[u8],
) -> Result<Option<String>, CalDavError> {
    let if_match = quote_etag(etag);
    let resp = client.send(
        HttpMethod::Put,
        url,
        &[
            ("If-Match", &if_match),
            ("Content-Type", "text/calendar; charset=utf-8"),
        ],
        ical,
    )?;
    match resp.status {
        200..=299 => Ok(header(&resp, "etag").map(str::to_string)),
        status => Err(status_error(url, &resp, status)),
    }
}

/// The `If-Match` value for an ETag as a listing gave it. Yandex sends ETags unquoted in
/// XML, and some servers mark them weak; `If-Match` compares strongly (RFC 9110 §13.1.1),
/// so a `W/` tag could never match: send the opaque tag quoted and strong.
pub fn quote_etag(etag: &str) -> String {
    let e = etag.trim();
    let e = e.strip_prefix("W/").unwrap_or(e);
    format!("\"{}\"", e.trim_matches('"'))
}

#[cfg(test)]
mod tests {
    use super::quote_etag;

    #[test]
    fn if_match_is_always_a_quoted_strong_tag() {
        assert_eq!(quote_etag("1764000000123"), "\"1764000000123\"");
        assert_eq!(quote_etag("\"abc\""), "\"abc\"");
        // Before: `W/"5"` went out as is, and no server can match a weak tag in If-Match.
        assert_eq!(quote_etag("W/\"5\""), "\"5\"");
        assert_eq!(quote_etag(" W/5 "), "\"5\"");
    }
}
