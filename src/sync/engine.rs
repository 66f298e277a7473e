//! Incremental sync of one calendar, cheapest request first:
//! 1. PROPFIND Depth 0 for getctag + sync-token: unchanged → done (one request).
//! 2. sync-collection from the stored token → hrefs + ETags that changed or went away.
//! 3. If the server has no usable token or refuses it (403 valid-sync-token, 400, 409,
//!    412, 507): a time-range calendar-query listing of ETags, diffed against the state.
//!
//! Bodies of new and changed objects are fetched with calendar-multiget in chunks, so one
//! changed event costs the same few requests whatever the calendar's size.

use std::collections::BTreeMap;

use super::result::{CalendarObject, SyncMethod, SyncResult};
use super::state::{same_etag, CalendarState, ObjectMeta};
use crate::bindings::types::HttpMethod;
use crate::caldav::client::{expect_multistatus, Client};
use crate::caldav::multistatus::DavResponse;
use crate::caldav::xml::{CALDAV, CALSERVER, DAV};
use crate::caldav::{bodies, href, time, CalDavError};
use crate::host::{Clock, Http};

/// The window a full calendar-query lists. Servers may return more than asked (Yandex
/// does), and recurring events need a real iCalendar parser to place, so callers filter
/// the objects by time themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeRange {
    pub start_ms: i64,
    pub end_ms: i64,
}

impl TimeRange {
    pub fn around(now_ms: i64, days_back: i64, days_ahead: i64) -> Self {
        const DAY: i64 = 86_400_000;
        TimeRange {
            start_ms: now_ms - days_back * DAY,
            end_ms: now_ms + days_ahead * DAY,
        }
    }
}

/// A sync-collection that ran into a page limit is continued at most this many times.
const MAX_SYNC_ROUNDS: usize = 20;

/// Brings `state` up to date. The returned `state` replaces the stored one only when the
/// caller has handled the changes: a failed sync leaves the old state valid.
pub fn sync_calendar<E: Http + Clock>(
    client: &Client<'_, E>,
    state: &CalendarState,
    window: TimeRange,
) -> Result<SyncResult, CalDavError> {
    let probe = client.propfind(&state.url, "0", &bodies::ctag_and_token())?;
    let me = probe
        .responses
        .iter()
        .find(|r| href::same(&r.href, &state.url))
        .or_else(|| probe.responses.first());
    let ctag = me.and_then(|r| r.prop_text(CALSERVER, "getctag"));
    let token = me.and_then(|r| r.prop_text(DAV, "sync-token"));

    if state.synced && unchanged(state, ctag.as_deref(), token.as_deref()) {
        return Ok(SyncResult {
            method: SyncMethod::Unchanged,
            added: vec![],
            changed: vec![],
            removed: vec![],
            state: state.clone(),
        });
    }

    if let (true, Some(stored), Some(_)) = (state.synced, &state.sync_token, &token) {
        if let Some(mut result) = sync_collection(client, state, stored)? {
            result.state.ctag = ctag;
            return Ok(result);
        }
    }
    full_query(client, state, window, ctag, token)
}

/// Unchanged only when every marker the server gives equals the stored one; a server
/// that gives neither always gets a full look.
fn unchanged(state: &CalendarState, ctag: Option<&str>, token: Option<&str>) -> bool {
    if ctag.is_none() && token.is_none() {
        return false;
    }
    ctag.is_none_or(|c| state.ctag.as_deref() == Some(c))
        && token.is_none_or(|t| state.sync_token.as_deref() == Some(t))
}

/// `Ok(None)` when the server refuses the token and a full listing is needed.
fn sync_collection<E: Http + Clock>(
    client: &Client<'_, E>,
    state: &CalendarState,
    stored_token: &str,
) -> Result<Option<SyncResult>, CalDavError> {
    let mut token = stored_token.to_string();
    // Latest word per object over all rounds: Some(etag) = fetch, None = gone.
    let mut delta: BTreeMap<String, (String, Option<String>)> = BTreeMap::new();
    for _ in 0..MAX_SYNC_ROUNDS {
        let resp = client.send(
            HttpMethod::Report,
            &state.url,
            &[("Depth", "1")],
            bodies::sync_collection(&token).as_bytes(),
        )?;
        if matches!(resp.status, 400 | 403 | 409 | 412 | 507) {
            return Ok(None);
        }
        let ms = expect_multistatus(&state.url, &resp)?;
        let mut truncated = false;
        for r in &ms.responses {
            if href::same(&r.href, &state.url) {
                // RFC 6578 §3.6: a 507 on the collection itself means "more to come".
                truncated |= r.status == Some(507);
                continue;
            }
            let url = href::resolve(&state.url, &r.href);
            let word = if r.is_gone() {
                None
            } else {
                Some(r.etag().unwrap_or_default())
            };
            delta.insert(href::normalize(&r.href), (url, word));
        }
        match ms.sync_token {
            Some(t) => token = t,
            // A multistatus without a token cannot be continued from: start over.
            None => return Ok(None),
        }
        if !truncated {
            return apply(client, state, delta, SyncMethod::SyncCollection, token).map(Some);
        }
    }
    Ok(None)
}

fn full_query<E: Http + Clock>(
    client: &Client<'_, E>,
    state: &CalendarState,
    window: TimeRange,
    ctag: Option<String>,
    token: Option<String>,
) -> Result<SyncResult, CalDavError> {
    let body = bodies::calendar_query(
        &time::ical_utc(window.start_ms),
        &time::ical_utc(window.end_ms),
        false,
    );
    let ms = client.report(&state.url, "1", &body)?;
    let mut delta: BTreeMap<String, (String, Option<String>)> = BTreeMap::new();
    for r in ms.responses.iter().filter(|r| is_object(state, r)) {
        delta.insert(
            href::normalize(&r.href),
            (
                href::resolve(&state.url, &r.href),
                Some(r.etag().unwrap_or_default()),
            ),
        );
    }
    for (key, meta) in &state.objects {
        delta
            .entry(key.clone())
            .or_insert_with(|| (meta.url.clone(), None));
    }
    let mut result = apply(
        client,
        state,
        delta,
        SyncMethod::FullQuery,
        token.unwrap_or_default(),
    )?;
    result.state.ctag = ctag;
    Ok(result)
}

fn is_object(state: &CalendarState, r: &DavResponse) -> bool {
    !href::same(&r.href, &state.url) && r.is_ok()
}

/// Turns the per-object delta into added/changed/removed, fetching bodies as needed.
fn apply<E: Http + Clock>(
    client: &Client<'_, E>,
    state: &CalendarState,
    delta: BTreeMap<String, (String, Option<String>)>,
    method: SyncMethod,
    new_token: String,
) -> Result<SyncResult, CalDavError> {
    let mut next = state.clone();
    next.synced = true;
    next.sync_token = Some(new_token).filter(|t| !t.is_empty());
    let mut removed = Vec::new();
    let mut to_fetch: Vec<String> = Vec::new();
    for (key, (url, word)) in delta {
        match word {
            None => {
                if let Some(old) = next.objects.remove(&key) {
                    removed.push(old.url);
                }
            }
            Some(etag) => {
                let known = state.objects.get(&key);
                let same = known.is_some_and(|k| !etag.is_empty() && same_etag(&k.etag, &etag));
                if !same {
                    to_fetch.push(url);
                }
            }
        }
    }
    let (mut added, mut changed) = (Vec::new(), Vec::new());
    for chunk in to_fetch.chunks(client.options().multiget_chunk.max(1)) {
        let paths: Vec<&str> = chunk.iter().map(|u| href::path_of(u)).collect();
        let ms = client.report(&state.url, "1", &bodies::multiget(paths))?;
        for r in &ms.responses {
            let key = href::normalize(&r.href);
            let url = href::resolve(&state.url, &r.href);
            let data = r.prop(CALDAV, "calendar-data").map(|d| d.text.clone());
            match (r.is_gone(), data) {
                (false, Some(data)) => {
                    let etag = r.etag().unwrap_or_default();
                    let obj = CalendarObject {
                        url: url.clone(),
                        etag: etag.clone(),
                        data,
                    };
                    match next.objects.insert(key, ObjectMeta { url, etag }) {
                        Some(_) => changed.push(obj),
                        None => added.push(obj),
                    }
                }
                // Deleted between the listing and the fetch.
                (true, _) => {
                    if let Some(old) = next.objects.remove(&key) {
                        removed.push(old.url);
                    }
                }
                (false, None) => {
                    return Err(CalDavError::BadResponse(format!(
                        "calendar-multiget returned no calendar-data for {url}"
                    )))
                }
            }
        }
    }
    Ok(SyncResult {
        method,
        added,
        changed,
        removed,
        state: next,
    })
}
