//! Bringing a user's stored calendars up to date: the one module that drives
//! [`crate::sync`] (and [`crate::caldav`] discovery for the account-wide probe).
//!
//! 1. One PROPFIND (Depth 1) of the calendar home returns every calendar's ctag and sync
//!    token; a calendar whose markers match is done. An idle account costs this one request
//!    and no KV write: the lease is taken, and the markers written, only when there is
//!    something to store (a changed calendar, a problem, a first sync).
//! 2. A changed calendar is synced by [`sync::sync_calendar`] from its stored state; new and
//!    changed bodies go into their buckets, removed ones out, then the state, then the
//!    markers (written last, so a sync cut short is redone from the old markers).
//! 3. About monthly the time-range listing is redone so objects that entered
//!    the window without changing are not missed.
//!
//! A per-user lease keeps two instances from syncing one user at once.

use crate::bindings::types::LogLevel;
use crate::caldav::{self, Client, ClientOptions, Credentials, RetryPolicy};
use crate::crypto::{self, Secret};
use crate::host::Host;
use crate::ical::Window;
use crate::store::{
    self, bodies, keys, lease, record, Account, CalendarId, CalendarMarker, Markers, Problem,
    ProblemAt, StoreError, SyncState,
};
use crate::sync::{self, CalendarState, SyncMethod, SyncRequest};

const DAY_MS: i64 = 86_400_000;
/// The listing covers this many days back …
pub const LIST_DAYS_BACK: i64 = 62;
/// … and this many ahead.
pub const LIST_DAYS_AHEAD: i64 = 400;
/// How far back and ahead the agenda may look: inside the listed window even right before
/// a relisting.
pub const AGENDA_DAYS_BACK: i64 = 30;
pub const AGENDA_DAYS_AHEAD: i64 = 365;
/// The listing is redone when its end comes closer than the agenda's reach plus this
/// margin: about every `LIST_DAYS_AHEAD - AGENDA_DAYS_AHEAD - RELIST_MARGIN_DAYS` days.
const RELIST_MARGIN_DAYS: i64 = 5;
/// A sync holds the user's lease at most this long (the host stops a hook call sooner).
const LEASE_MS: i64 = 120_000;

/// Options for requests made while a user waits (a command, a dialog): fail fast.
pub fn interactive_options() -> ClientOptions {
    ClientOptions {
        timeout_ms: 15_000,
        retry: RetryPolicy {
            max_attempts: 2,
            base_delay_ms: 500,
            max_delay_ms: 2_000,
            budget_ms: 10_000,
        },
        ..ClientOptions::default()
    }
}

/// How a refresh went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Every selected calendar is up to date.
    Fresh { requests: u32 },
    /// Another instance is syncing this user right now.
    Busy,
    /// The server could not be asked (or a calendar failed): stored data is older.
    Stale(Problem),
    /// The server refused the password: the caller pauses the account.
    Rejected,
}

/// Syncs the user's selected calendars. Errors of the store come back as `Err`.
///
/// The account probe runs without the lease: when it shows nothing to do (every selected
/// calendar's markers match, its listing reaches far enough, no problem to clear), the
/// poll ends there, having written nothing. `last_ok_ms` moves only with a write that
/// happens anyway, so it is the last sync that stored something, not the last poll.
pub fn refresh(
    host: &impl Host,
    user_id: &str,
    account: &Account,
    password: &Secret,
) -> Result<Outcome, Problem> {
    // Hooks never sleep: a failed request ends this round; the next poll retries.
    let sleeper = caldav::NoSleep;
    let client = Client::new(
        host,
        &sleeper,
        Credentials::new(account.login.clone(), password.expose()),
        interactive_options(),
    );
    let now = host.now_ms();
    let markers = record::get_or_rebuild::<Markers>(host, &keys::markers(user_id))
        .map_err(|e| log_store(host, &e))?
        .unwrap_or_default();
    let probed = sync::probe_account(&client, &account.home_url);
    if let Ok(listed) = &probed {
        if idle(account, &markers, listed, now) {
            return Ok(Outcome::Fresh {
                requests: client.stats().requests,
            });
        }
    }
    let holder = crypto::random::<8>()
        .map(|b| crypto::hex(&b))
        .unwrap_or_else(|_| format!("t{now}"));
    let held =
        lease::acquire(host, user_id, &holder, now, LEASE_MS).map_err(|e| log_store(host, &e))?;
    let Some(held) = held else {
        return Ok(Outcome::Busy);
    };
    let outcome = refresh_locked(host, user_id, account, &client, probed);
    if let Err(e) = lease::release(host, &held) {
        log_store(host, &e);
    }
    outcome
}

/// Whether a poll found nothing to store: every selected calendar is listed with the
/// markers we hold and a listing that reaches far enough, and no problem is on record.
fn idle(account: &Account, markers: &Markers, listed: &sync::AccountProbe, now: i64) -> bool {
    markers.last_problem.is_none()
        && markers.last_ok_ms.is_some()
        && account.selected().all(|cal| {
            let (Some(current), Some(m)) = (
                listed.markers_for(&cal.url),
                markers.calendars.get(CalendarId::of_url(&cal.url).as_str()),
            ) else {
                return false;
            };
            let stored = sync::Markers {
                ctag: m.ctag.clone(),
                token: m.token.clone(),
            };
            stored.unchanged(current) && listing_covers(m, now)
        })
}

fn refresh_locked<E: Host>(
    host: &E,
    user_id: &str,
    account: &Account,
    client: &Client<'_, E>,
    probed: Result<sync::AccountProbe, caldav::CalDavError>,
) -> Result<Outcome, Problem> {
    let now = host.now_ms();
    // Read again under the lease: another instance may have synced since the probe.
    let mut markers = record::get_or_rebuild::<Markers>(host, &keys::markers(user_id))
        .map_err(|e| log_store(host, &e))?
        .unwrap_or_default();
    let before = markers.clone();

    let listed = match probed {
        Ok(probe) => probe,
        Err(e) => return finish_failed(host, user_id, &mut markers, &before, now, &e),
    };

    let mut problem = None;
    // Whether stored meetings changed: then the user's open apps are told.
    let mut changed = false;
    for cal in account.selected() {
        let id = CalendarId::of_url(&cal.url);
        let Some(current) = listed.markers_for(&cal.url) else {
            // Gone from the home: keep what we have, say so.
            problem = Some(Problem::CalendarGone);
            continue;
        };
        let marker = markers.calendars.get(id.as_str()).cloned();
        if let Some(m) = &marker {
            let stored = sync::Markers {
                ctag: m.ctag.clone(),
                token: m.token.clone(),
            };
            if stored.unchanged(current) && listing_covers(m, now) {
                continue;
            }
        }
        match sync_one(host, client, user_id, &id, &cal.url, marker, current, now) {
            Ok(done) => {
                changed |= done.touched;
                markers
                    .calendars
                    .insert(id.as_str().to_string(), done.marker);
                if let Some(e) = done.interrupted {
                    if e == caldav::CalDavError::Unauthorized {
                        return finish_failed(host, user_id, &mut markers, &before, now, &e);
                    }
                    host.log(
                        LogLevel::Warn,
                        &format!("sync of a calendar of {user_id} stopped midway: {e}"),
                    );
                    problem = Some(super::problem::of_caldav(&e));
                }
            }
            Err(SyncFailure::Store(e)) => return Err(log_store(host, &e)),
            Err(SyncFailure::Dav(caldav::CalDavError::Unauthorized)) => {
                return finish_failed(
                    host,
                    user_id,
                    &mut markers,
                    &before,
                    now,
                    &caldav::CalDavError::Unauthorized,
                )
            }
            Err(SyncFailure::Dav(e)) => {
                host.log(
                    LogLevel::Warn,
                    &format!("sync of a calendar of {user_id} failed: {e}"),
                );
                problem = Some(super::problem::of_caldav(&e));
            }
        }
    }

    match problem {
        None => {
            markers.last_problem = None;
            markers.last_ok_ms = Some(now);
        }
        Some(p) => {
            markers.last_problem = Some(ProblemAt {
                problem: p,
                at_ms: now,
            })
        }
    }
    if markers != before {
        record::put(host, &keys::markers(user_id), &markers).map_err(|e| log_store(host, &e))?;
    }
    discard_if_disconnected(host, user_id, account)?;
    if changed {
        crate::panel::events::agenda_changed(host, user_id);
    }
    Ok(match problem {
        None => Outcome::Fresh {
            requests: client.stats().requests,
        },
        Some(p) => Outcome::Stale(p),
    })
}

/// Whether the last listing reaches far enough ahead for the agenda.
fn listing_covers(m: &CalendarMarker, now: i64) -> bool {
    m.listed_until_ms - now >= (AGENDA_DAYS_AHEAD + RELIST_MARGIN_DAYS) * DAY_MS
}

enum SyncFailure {
    Dav(caldav::CalDavError),
    Store(StoreError),
}

/// What one calendar's sync left.
struct CalendarSynced {
    marker: CalendarMarker,
    /// Stored meetings changed (bodies added, changed or removed).
    touched: bool,
    /// The error that stopped the sync midway; the progress is kept.
    interrupted: Option<caldav::CalDavError>,
}

/// Syncs one calendar as far as this round allows. Stores bodies, then the engine's state
/// (which carries unfinished work), and returns the calendar's new marker with the error
/// that stopped it midway, if one did.
#[allow(clippy::too_many_arguments)]
fn sync_one<E: Host>(
    host: &E,
    client: &Client<'_, E>,
    user_id: &str,
    id: &CalendarId,
    url: &str,
    marker: Option<CalendarMarker>,
    current: &sync::Markers,
    now: i64,
) -> Result<CalendarSynced, SyncFailure> {
    let state_key = keys::calendar_state(user_id, id);
    let stored =
        record::get_or_rebuild::<SyncState>(host, &state_key).map_err(SyncFailure::Store)?;
    let mut state = match stored {
        Some(s) => s.state,
        None => CalendarState::new(url),
    };
    let old = marker.unwrap_or_default();
    // A listing that no longer reaches far enough ahead (or none): list again. Objects
    // missing from it are deleted only once the server confirms it (the engine's rule).
    if !listing_covers(&old, now) && state.pending.is_none() {
        state.synced = None;
    }
    let window = Window {
        from: instant(now - LIST_DAYS_BACK * DAY_MS),
        to: instant(now + LIST_DAYS_AHEAD * DAY_MS),
    };
    let request = SyncRequest {
        markers: Some(current.clone()),
        ..SyncRequest::new(window)
    };
    let outcome = sync::sync_calendar(client, &state, &request).map_err(SyncFailure::Dav)?;
    for p in &outcome.problems {
        host.log(
            LogLevel::Warn,
            &format!(
                "a calendar object of {user_id} cannot be used and is skipped: {:?} ({})",
                p.problem, p.url
            ),
        );
    }

    let upserts: Vec<(String, String)> = outcome
        .added
        .iter()
        .chain(outcome.changed.iter())
        .map(|o| (o.key.clone(), o.data.clone()))
        .collect();
    let removals: Vec<String> = outcome.removed.iter().map(|r| r.key.clone()).collect();
    let touched = !upserts.is_empty() || !removals.is_empty();
    let total = outcome.state.objects.len();
    let buckets = bodies::apply(
        host,
        user_id,
        id,
        old.buckets.max(1),
        total,
        bodies::Changes { upserts, removals },
    )
    .map_err(SyncFailure::Store)?;
    record::put(
        host,
        &state_key,
        &SyncState {
            state: outcome.state.clone(),
        },
    )
    .map_err(SyncFailure::Store)?;
    // The idle poll skips a calendar whose marker matches the server's; while work is
    // left, the marker stays empty so the next poll continues it.
    let synced = match (&outcome.state.pending, &outcome.state.synced) {
        (None, Some(m)) => m.clone(),
        _ => sync::Markers::default(),
    };
    let listing = outcome
        .state
        .last_listing
        .as_ref()
        .filter(|_| outcome.method == SyncMethod::Listing);
    Ok(CalendarSynced {
        marker: CalendarMarker {
            ctag: synced.ctag,
            token: synced.token,
            buckets,
            objects: total as u32,
            listed_until_ms: listing
                .map_or(old.listed_until_ms, |l| l.window.to.timestamp_millis()),
            listed_from_ms: listing
                .map_or(old.listed_from_ms, |l| l.window.from.timestamp_millis()),
            synced_at_ms: now,
            complete: Some(outcome.state.pending.is_none() && outcome.state.synced.is_some()),
        },
        touched,
        interrupted: outcome.error,
    })
}

fn instant(ms: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

fn finish_failed(
    host: &impl Host,
    user_id: &str,
    markers: &mut Markers,
    before: &Markers,
    now: i64,
    e: &caldav::CalDavError,
) -> Result<Outcome, Problem> {
    let p = super::problem::of_caldav(e);
    host.log(LogLevel::Warn, &format!("sync of {user_id} failed: {e}"));
    markers.last_problem = Some(ProblemAt {
        problem: p,
        at_ms: now,
    });
    if markers != before {
        record::put(host, &keys::markers(user_id), markers).map_err(|e| log_store(host, &e))?;
    }
    Ok(if p == Problem::WrongPassword {
        Outcome::Rejected
    } else {
        Outcome::Stale(p)
    })
}

/// A disconnect that ran while we synced has deleted the account: remove what we wrote.
fn discard_if_disconnected(
    host: &impl Host,
    user_id: &str,
    account: &Account,
) -> Result<(), Problem> {
    if let Ok(None) = record::get::<Account>(host, &keys::account(user_id)) {
        host.log(
            LogLevel::Info,
            &format!("{user_id} disconnected during a sync; discarding it"),
        );
        super::data::forget_user(host, user_id, Some(account)).map_err(|e| log_store(host, &e))?;
    }
    Ok(())
}

/// The sync engine keeps its own backoff record; a disconnect removes it too.
pub fn forget_backoff(host: &impl Host, user_id: &str) -> Result<(), StoreError> {
    sync::backoff::record_success(host, user_id).map_err(|e| StoreError::Kv(e.to_string()))
}

fn log_store(host: &impl Host, e: &StoreError) -> Problem {
    host.log(LogLevel::Error, &format!("sync storage failed: {e}"));
    store::Problem::Storage
}
