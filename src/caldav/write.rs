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

/// Yandex sends ETags unquoted in XML; `If-Match` needs the quoted form.
pub fn quote_etag(etag: &str) -> String {
    let e = etag.trim();
    if e.starts_with('"') || e.starts_with("W/\"") {
        e.to_string()
    } else {
        format!("\"{e}\"")
    }
}
