//! Incremental sync of one calendar, cheapest request first:
//! 1. The markers (getctag + sync-token): from the account-level probe, or one PROPFIND
//!    Depth 0. Unchanged → done.
//! 2. sync-collection (Depth 0, RFC 6578 §3.2) from the stored token → hrefs and ETags
//!    that changed or went away.
//! 3. If there is no usable token, or the server refuses it: a time-range calendar-query
//!    listing of ETags ([`Fallback`] says why; it is counted, as it costs far more).
//!
//! Either way the result is a plan ([`Pending`]): objects to fetch and deletions to
//! confirm, carried out by `fetch.rs` within the request budget. The plan is part of
//! the returned state, so an interrupted sync resumes at the next poll.
//!
//! Nothing is reported deleted on absence alone: a sync-collection 404 or an object missing
//! from a complete listing is confirmed by a multiget 404 for the object's stored URL first.

use std::collections::{BTreeMap, BTreeSet};

use super::fetch::{run_pending, Budget, Run};
use super::result::{Fallback, SyncMethod, SyncOutcome};
use super::state::{CalendarState, Evidence, ListingRecord, Markers, Pending, ToConfirm, ToFetch};
use crate::bindings::types::HttpMethod;
use crate::caldav::client::{expect_multistatus, Client, Size};
use crate::caldav::multistatus::{DavResponse, Multistatus};
use crate::caldav::xml::{CALSERVER, DAV};
use crate::caldav::{bodies, href, time, CalDavError};
use crate::host::{Clock, Http};
use crate::ical::Window;

/// A sync-collection that ran into a page limit is continued at most this many times.
const MAX_SYNC_ROUNDS: usize = 20;

/// Requests one sync of one calendar may send by default; enough for an incremental poll
/// many times over, and a bounded slice of a big initial sync.
pub const DEFAULT_MAX_REQUESTS: u32 = 25;

/// What one sync may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncRequest {
    /// The time a full listing asks for. Servers may return more (Yandex does), and
    /// recurring events need a real iCalendar parser to place, so callers filter the
    /// objects by time themselves.
    pub window: Window,
    /// The calendar's current markers when the caller has them already (from
    /// [`super::probe_account`]); `None` makes the sync ask with one PROPFIND.
    pub markers: Option<Markers>,
    /// The most requests this call may send; work left over stays in `state.pending`.
    pub max_requests: u32,
}

impl SyncRequest {
    pub fn new(window: Window) -> SyncRequest {
        SyncRequest {
            window,
            markers: None,
            max_requests: DEFAULT_MAX_REQUESTS,
        }
    }
}

/// Brings `state` up to date as far as the budget allows.
///
/// `Err` means nothing was achieved (the stored state stays valid). `Ok` may still be
/// [`super::Completeness::Partial`], with `error` set when a request failed midway: store
/// the returned state either way (it carries the progress), and feed `error` to the
/// backoff.
pub fn sync_calendar<E: Http + Clock>(
    client: &Client<'_, E>,
    state: &CalendarState,
    req: &SyncRequest,
) -> Result<SyncOutcome, CalDavError> {
    let budget = Budget::new(client, req.max_requests);
    let mut run = Run::new(state);
    if state.pending.is_some() {
        run_pending(client, &mut run, &budget);
        return Ok(run.finish(SyncMethod::Resumed, None));
    }
    let markers = match &req.markers {
        Some(m) => m.clone(),
        None => probe(client, &state.url)?,
    };
    if state.synced.as_ref().is_some_and(|s| s.unchanged(&markers)) {
        return Ok(run.finish(SyncMethod::Unchanged, None));
    }
    let stored_token = state.synced.as_ref().and_then(|s| s.token.as_deref());
    let fallback = match (stored_token, &markers.token) {
        (Some(token), Some(_)) => match sync_collection(client, state, token, &markers)? {
            Delta::Plan(plan) => {
                run.next.pending = Some(plan);
                run_pending(client, &mut run, &budget);
                return Ok(run.finish(SyncMethod::SyncCollection, None));
            }
            Delta::Refused(fallback) => fallback,
        },
        _ if state.synced.is_none() => Fallback::FirstSync,
        _ => Fallback::NoToken,
    };
    let (plan, record) = listing(client, state, req.window, &markers)?;
    run.next.pending = Some(plan);
    run.next.last_listing = Some(record);
    run_pending(client, &mut run, &budget);
    Ok(run.finish(SyncMethod::Listing, Some(fallback)))
}

/// getctag and sync-token of one collection (PROPFIND Depth 0).
pub fn probe<E: Http + Clock>(client: &Client<'_, E>, url: &str) -> Result<Markers, CalDavError> {
    let ms = client.propfind_listing(url, "0", &bodies::ctag_and_token())?;
    let me = ms
        .responses
        .iter()
        .find(|r| href::same(&r.href, url))
        .or_else(|| ms.responses.first());
    Ok(markers_of(me))
}

pub(super) fn markers_of(r: Option<&DavResponse>) -> Markers {
    Markers {
        ctag: r.and_then(|r| r.prop_text(CALSERVER, "getctag")),
        token: r.and_then(|r| r.prop_text(DAV, "sync-token")),
    }
}

enum Delta {
    Plan(Pending),
    Refused(Fallback),
}

/// What a listing or delta said about one href.
enum Word {
    Present { url: String, etag: String },
    Gone,
}

fn sync_collection<E: Http + Clock>(
    client: &Client<'_, E>,
    state: &CalendarState,
    stored_token: &str,
    markers: &Markers,
) -> Result<Delta, CalDavError> {
    let mut token = stored_token.to_string();
    // Latest word per object over all rounds.
    let mut words: BTreeMap<String, Word> = BTreeMap::new();
    let mut finished = false;
    for _ in 0..MAX_SYNC_ROUNDS {
        // RFC 6578 §3.2: sync-collection is sent with Depth 0 (the sync-level says how deep).
        let resp = client.send_limited(
            HttpMethod::Report,
            &state.url,
            &[("Depth", "0")],
            bodies::sync_collection(&token).as_bytes(),
            client.limit(Size::Listing),
        )?;
        if matches!(resp.status, 400 | 403 | 409 | 412 | 507) {
            return Ok(Delta::Refused(Fallback::TokenRefused {
                status: resp.status,
            }));
        }
        let ms = expect_multistatus(&state.url, &resp)?;
        for r in ms.responses.iter().filter(|r| !is_self(state, r)) {
            let word = if r.is_gone() {
                Word::Gone
            } else {
                // A per-item error (not 2xx, not 404) is fetched like a change: multiget
                // will tell, and nothing is lost when the token moves on.
                Word::Present {
                    url: href::resolve(&state.url, &r.href),
                    etag: if r.is_ok() {
                        r.etag().unwrap_or_default()
                    } else {
                        String::new()
                    },
                }
            };
            words.insert(href::key_in(&state.url, &r.href), word);
        }
        let more = truncated(state, &ms);
        match ms.sync_token {
            Some(t) => token = t,
            // A multistatus without a token cannot be continued from: list instead.
            None => return Ok(Delta::Refused(Fallback::Unusable)),
        }
        // RFC 6578 §3.6: a 507 on the collection itself means "more to come".
        if !more {
            finished = true;
            break;
        }
    }
    if !finished {
        return Ok(Delta::Refused(Fallback::Unusable));
    }
    let mut plan = Pending {
        target: Markers {
            ctag: markers.ctag.clone(),
            token: Some(token),
        },
        ..Pending::default()
    };
    for (key, word) in words {
        match word {
            Word::Gone => {
                if let Some(meta) = state.objects.get(&key) {
                    plan.confirm.insert(
                        key,
                        ToConfirm {
                            url: meta.url.clone(),
                            evidence: Evidence::DeletedInSyncCollection,
                            omitted: 0,
                        },
                    );
                }
            }
            Word::Present { url, etag } => plan_fetch(state, &mut plan, key, &url, etag),
        }
    }
    Ok(Delta::Plan(plan))
}

/// Adds a listed object to the plan if its version is not the one we hold. Known objects
/// are asked for by their stored URL (the spelling the server answers to), new ones by
/// the canonical spelling; the other spelling is kept for one more try on a 404.
fn plan_fetch(state: &CalendarState, plan: &mut Pending, key: String, listed: &str, etag: String) {
    let canonical = href::canonical_url(listed);
    let (url, other) = match state.objects.get(&key) {
        Some(meta) if !meta.needs(&etag) => return,
        Some(meta) => (meta.url.clone(), canonical),
        None => (canonical, listed.to_string()),
    };
    let alt = (other != url).then_some(other);
    plan.fetch.insert(
        key,
        ToFetch {
            url,
            alt,
            etag,
            omitted: 0,
        },
    );
}

/// A full ETag listing of the window. Known objects it leaves out are confirmed one by one
/// (they may lie outside the window) — and only when the listing was complete.
fn listing<E: Http + Clock>(
    client: &Client<'_, E>,
    state: &CalendarState,
    window: Window,
    markers: &Markers,
) -> Result<(Pending, ListingRecord), CalDavError> {
    let body = bodies::calendar_query(
        &time::ical_utc(window.from.timestamp_millis()),
        &time::ical_utc(window.to.timestamp_millis()),
        false,
    );
    let ms = client.report_listing(&state.url, "1", &body)?;
    let complete = !truncated(state, &ms);
    let mut plan = Pending {
        // A truncated listing is not a version of the calendar: list again next time.
        target: if complete {
            markers.clone()
        } else {
            Markers::default()
        },
        ..Pending::default()
    };
    // Everything the listing named, present or not: an item with an error status is not
    // absent, so it is not confirmed either.
    let mut named: BTreeSet<String> = BTreeSet::new();
    for r in ms.responses.iter().filter(|r| !is_self(state, r)) {
        let key = href::key_in(&state.url, &r.href);
        named.insert(key.clone());
        if r.is_ok() {
            let url = href::resolve(&state.url, &r.href);
            plan_fetch(state, &mut plan, key, &url, r.etag().unwrap_or_default());
        }
    }
    if complete {
        for (key, meta) in state.objects.iter().filter(|(k, _)| !named.contains(*k)) {
            plan.confirm.insert(
                key.clone(),
                ToConfirm {
                    url: meta.url.clone(),
                    evidence: Evidence::AbsentFromListing,
                    omitted: 0,
                },
            );
        }
    }
    Ok((plan, ListingRecord { window, complete }))
}

fn is_self(state: &CalendarState, r: &DavResponse) -> bool {
    href::same(&r.href, &state.url)
}

/// Whether the server cut the answer short: a 507 on the collection's own response
/// (RFC 6578 §3.6, RFC 4918 §11.4), as a status or in a propstat.
fn truncated(state: &CalendarState, ms: &Multistatus) -> bool {
    ms.responses
        .iter()
        .filter(|r| is_self(state, r))
        .any(|r| r.status == Some(507) || r.propstats.iter().any(|p| p.status == 507))
}
