//! One user's round: sync, change and answer messages, what is due now, and the one-off
//! jobs for what comes next.
//!
//! 1. Sync the user's calendars ([`refresh`]: one request when nothing changed), unless the
//!    account is paused or the per-user backoff says wait.
//! 2. A fingerprint of what the meetings come from (each watched calendar's sync markers,
//!    the timezone, the user's addresses) is compared with the plan's. Equal (the idle
//!    round): the snapshot is neither read nor written. Different, or the plan is older
//!    than [`ROLL`]: the snapshot is built from the stored bodies.
//! 3. Only when every watched calendar synced completely is the new snapshot compared
//!    with the stored one and swapped in by compare-and-set; the round that wins the swap,
//!    and only it, sends the messages. An incomplete round still refreshes the plan (so
//!    reminders follow what is known) and leaves the changes for a complete one.
//! 4. What is due now is done ([`super::fire`]); the effects of the next
//!    [`horizon`] are armed as one-off jobs, and jobs no longer wanted are cancelled.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};

use super::fire;
use super::messages::{self, AnswerGroup, Item};
use super::model::Upcoming;
use super::plan::{self, Inputs};
use crate::account::{self, refresh, Person};
use crate::bindings::types::{LogLevel, Post};
use crate::caldav::CalDavError;
use crate::changes;
use crate::crypto;
use crate::host::Host;
use crate::ical::{Me, Window};
use crate::rsvp::{self, Offer};
use crate::snapshot::{Baseline, CalendarSource, ObjectSource, Objects, Snapshot, Versions};
use crate::store::claims::{self, Claimed};
use crate::store::{
    self, bodies, keys, lease, record, snapshots, Account, CalendarEntry, CalendarId, Markers,
    NotifyPrefs, Plan, PlanHead, Problem, StatusState, SyncState,
};
use crate::sync::backoff;

/// The plan is built again at least this often, so its meetings reach far enough ahead.
pub const ROLL: Duration = Duration::hours(12);
/// The meetings the plan keeps: from a day back (the digest's whole day, a meeting in
/// progress) to this far ahead (more than [`ROLL`] + a day's reminder lead + the digest's day).
pub const PLAN_DAYS_AHEAD: i64 = 3;
/// The snapshot compared for changes covers a day back and this many days ahead;
/// further ahead each series is tracked by its next meeting (`crate::snapshot`).
pub const SNAPSHOT_DAYS_AHEAD: i64 = 8;
/// A snapshot above this size is built again with a shorter window.
const SNAPSHOT_MAX_BYTES: usize = 512 * 1024;
/// The most meetings a plan keeps.
const PLAN_MAX_MEETINGS: usize = 1000;
/// A round holds the user's round lease at most this long.
const LEASE_MS: i64 = 120_000;

/// How far ahead one-off jobs are armed: more than the time to the next round, so nothing
/// falls between two, and little enough that armed jobs stay few.
pub fn horizon(sync_interval_minutes: u32) -> Duration {
    Duration::minutes(i64::from(sync_interval_minutes) * 2)
        .max(Duration::hours(1))
        .min(Duration::hours(48))
}

/// Who runs the round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// The minute tick's fan-out: honours the per-user backoff.
    Background,
    /// A person waits (a dialog saved, `check_scheduler`): syncs whatever the backoff says.
    Interactive,
}

/// What a round did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub effects: u32,
    /// Why the last sync was not complete, if it was not.
    pub problem: Option<Problem>,
    pub paused: Option<Problem>,
    /// Another round of this user runs now.
    pub busy: bool,
}

fn instant(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

pub fn run(host: &impl Host, user_id: &str, trigger: Trigger) -> Result<Report, String> {
    let now_ms = host.now_ms();
    let prefs = match record::get_or_rebuild::<NotifyPrefs>(host, &keys::notify(user_id)) {
        Ok(Some(p)) => p,
        Ok(None) => {
            // Turned off (or never on): nothing is left running.
            super::stop(host, user_id).map_err(|e| e.to_string())?;
            return Ok(Report::default());
        }
        Err(e) => return Err(e.to_string()),
    };
    let account = match account::load(host, user_id) {
        Ok(Some(a)) => a,
        Ok(None) => {
            super::stop(host, user_id).map_err(|e| e.to_string())?;
            return Ok(Report::default());
        }
        Err(p) => return Err(format!("account of {user_id}: {p:?}")),
    };
    let person = account::person(host, user_id, Some(&account));
    let synced = sync(host, user_id, &account, &person, trigger);
    // A refused password paused the account: read it again. (A fresh sync changes no
    // account, so an idle round reads it once.)
    let account = if synced.fresh {
        account
    } else {
        account::load(host, user_id)
            .map_err(|p| format!("{p:?}"))?
            .unwrap_or(account)
    };
    // Most rounds find nothing to store: they end here, without the lease, having written
    // nothing (what fell due is claimed and done all the same).
    if let Some(report) = idle(host, user_id, &account, &person, &prefs, &synced)? {
        return Ok(report);
    }
    let holder = crypto::random::<8>()
        .map(|b| crypto::hex(&b))
        .unwrap_or_else(|_| format!("r{now_ms}"));
    let held = lease::acquire_round(host, user_id, &holder, now_ms, LEASE_MS)
        .map_err(|e| e.to_string())?;
    let Some(held) = held else {
        return Ok(Report {
            busy: true,
            ..Report::default()
        });
    };
    let report = locked(host, user_id, &account, &person, &prefs, &synced);
    if let Err(e) = lease::release(host, &held) {
        host.log(LogLevel::Warn, &format!("round lease of {user_id}: {e}"));
    }
    report
}

/// How the sync of this round went.
struct Synced {
    /// Every selected calendar answered (their markers say whether each is complete).
    fresh: bool,
    problem: Option<Problem>,
    paused: Option<Problem>,
}

fn sync(
    host: &impl Host,
    user_id: &str,
    account: &Account,
    person: &Person,
    trigger: Trigger,
) -> Synced {
    let stale = |p: Option<Problem>| Synced {
        fresh: false,
        problem: p,
        paused: None,
    };
    if let store::AccountStatus::Paused { problem, .. } = account.status {
        return Synced {
            fresh: false,
            problem: None,
            paused: Some(problem),
        };
    }
    let now = host.now_ms();
    // Read once: whether to wait, and whether a success has a failure to clear.
    let failed = backoff::load(host, user_id).ok().flatten();
    if trigger == Trigger::Background && failed.as_ref().is_some_and(|b| now < b.next_attempt_ms) {
        let last = account::data::markers(host, user_id)
            .ok()
            .and_then(|m| m.last_problem)
            .map(|p| p.problem);
        return stale(last);
    }
    let password = match account::password(host, user_id, account) {
        Ok(p) => p,
        Err(p) => return stale(Some(p)),
    };
    match refresh::refresh(host, user_id, account, &password) {
        Ok(refresh::Outcome::Fresh { .. }) => {
            if failed.is_some() {
                if let Err(e) = backoff::record_success(host, user_id) {
                    host.log(LogLevel::Warn, &format!("backoff of {user_id}: {e}"));
                }
            }
            Synced {
                fresh: true,
                problem: None,
                paused: None,
            }
        }
        Ok(refresh::Outcome::Busy) => stale(None),
        Ok(refresh::Outcome::Stale(p)) | Err(p) => {
            if let Err(e) = backoff::record_failure(host, user_id, now, &caldav_error(p)) {
                host.log(LogLevel::Warn, &format!("backoff of {user_id}: {e}"));
            }
            stale(Some(p))
        }
        Ok(refresh::Outcome::Rejected) => {
            account::connect::password_rejected(host, user_id, account, person.locale);
            Synced {
                fresh: false,
                problem: None,
                paused: Some(Problem::WrongPassword),
            }
        }
    }
}

/// The backoff keeps CalDAV errors; a round knows the problem it folded into.
fn caldav_error(p: Problem) -> CalDavError {
    match p {
        Problem::Throttled => CalDavError::ServerBusy {
            status: 503,
            retry_after_ms: None,
        },
        Problem::Timeout => CalDavError::Timeout,
        Problem::WrongPassword => CalDavError::Unauthorized,
        Problem::Unreachable => CalDavError::Unreachable(String::new()),
        other => CalDavError::Transport(format!("{other:?}")),
    }
}

/// The calendars whose meetings notifications use: selected for the agenda and watched.
pub fn watched<'a>(account: &'a Account, prefs: &'a NotifyPrefs) -> Vec<&'a CalendarEntry> {
    account
        .selected()
        .filter(|c| prefs.watches(&CalendarId::of_url(&c.url)))
        .collect()
}

/// What the plan's meetings are built from, as one short hash.
fn fingerprint(
    person: &Person,
    me: &[String],
    watched: &[&CalendarEntry],
    markers: &Markers,
) -> String {
    let mut text = format!(
        "{}|{}|{}",
        crate::snapshot::SNAPSHOT_VERSION,
        person.tz.name(),
        me.join(",")
    );
    for c in watched {
        let id = CalendarId::of_url(&c.url);
        let m = markers.calendars.get(id.as_str());
        text.push_str(&format!(
            "|{}:{:?}:{:?}:{}:{}",
            id.as_str(),
            m.and_then(|m| m.ctag.as_deref()),
            m.and_then(|m| m.token.as_deref()),
            m.map_or(0, |m| m.objects),
            m.is_some_and(|m| m.is_complete())
        ));
    }
    keys::short_hash(&text)
}

/// What a round's decisions rest on: the sync markers, whether every watched calendar
/// synced completely, the fingerprint of the plan's inputs, and the stored plan's head.
struct Look<'a> {
    markers: Markers,
    watched: Vec<&'a CalendarEntry>,
    complete: bool,
    me: Me,
    fp: String,
    head: PlanHead,
    now_ms: i64,
}

impl Look<'_> {
    /// The plan was built from other inputs, is due to roll, or changes are not reported.
    fn rebuild(&self) -> bool {
        self.head.inputs != self.fp || self.rolled() || self.behind()
    }

    fn rolled(&self) -> bool {
        self.now_ms - self.head.built_at_ms >= ROLL.num_milliseconds()
    }

    fn behind(&self) -> bool {
        self.complete && (self.head.reported != self.fp || self.rolled())
    }
}

fn look<'a>(
    host: &impl Host,
    user_id: &str,
    account: &'a Account,
    person: &Person,
    prefs: &'a NotifyPrefs,
    synced: &Synced,
) -> Result<Look<'a>, String> {
    let markers = account::data::markers(host, user_id).map_err(|p| format!("{p:?}"))?;
    let watched = watched(account, prefs);
    let complete = synced.fresh
        && watched.iter().all(|c| {
            markers
                .calendars
                .get(CalendarId::of_url(&c.url).as_str())
                .is_some_and(|m| m.is_complete())
        });
    let me = account::me(account, person);
    let fp = fingerprint(person, me.emails(), &watched, &markers);
    let head = record::get_or_rebuild::<PlanHead>(host, &keys::plan(user_id))
        .map_err(|e| e.to_string())?
        .unwrap_or_default();
    Ok(Look {
        markers,
        watched,
        complete,
        me,
        fp,
        head,
        now_ms: host.now_ms(),
    })
}

/// The round without the lease: `Some` when there is nothing to store. A quiet plan (same
/// inputs, same arming, before its `quiet_until_ms`) ends the round after reading its
/// head; otherwise what is due is done (claimed) and the round goes on under the lease
/// only if the plan would change (jobs to arm or cancel, a new quiet time).
fn idle(
    host: &impl Host,
    user_id: &str,
    account: &Account,
    person: &Person,
    prefs: &NotifyPrefs,
    synced: &Synced,
) -> Result<Option<Report>, String> {
    let look = look(host, user_id, account, person, prefs, synced)?;
    if look.rebuild() {
        return Ok(None);
    }
    let idle = |effects| {
        Ok(Some(Report {
            effects,
            problem: if look.complete { None } else { synced.problem },
            paused: synced.paused,
            busy: false,
        }))
    };
    let arming = arming(host, prefs);
    if look.head.arming == arming && look.now_ms < look.head.quiet_until_ms {
        return idle(0);
    }
    let plan = record::get_or_rebuild::<Plan>(host, &keys::plan(user_id))
        .map_err(|e| e.to_string())?
        .unwrap_or_default();
    let now = instant(look.now_ms);
    let effects = fire::perform(host, person, account, &plan, prefs, now);
    let armed: BTreeSet<i64> = plan
        .armed
        .iter()
        .copied()
        .filter(|t| *t > look.now_ms)
        .collect();
    if plan.arming != arming
        || armed != wanted(host, person, prefs, &plan, now)
        || plan.quiet_until_ms != quiet_until(host, person, prefs, &plan, now)
    {
        return Ok(None);
    }
    idle(effects)
}

/// What arming depends on besides the meetings, as a short hash: the preferences and the
/// admin's reminder lead and sync interval.
fn arming(host: &impl Host, prefs: &NotifyPrefs) -> String {
    let s = crate::settings::current(host);
    keys::short_hash(&format!(
        "{}|{}|{}",
        serde_json::to_string(prefs).unwrap_or_default(),
        s.reminder_lead_minutes,
        s.sync_interval_minutes
    ))
}

/// Until when rounds have nothing to do for `plan` (armed as it is): the next job to
/// fire, the moment the next effect not yet armed enters the horizon, the roll.
fn quiet_until(
    host: &impl Host,
    person: &Person,
    prefs: &NotifyPrefs,
    plan: &Plan,
    now: DateTime<Utc>,
) -> i64 {
    let now_ms = now.timestamp_millis();
    let state = record::get_or_rebuild::<StatusState>(host, &keys::status(&person.user_id))
        .ok()
        .flatten()
        .unwrap_or_default();
    let inputs = Inputs {
        now,
        tz: person.tz,
        meetings: &plan.meetings,
        prefs,
        status: &state,
    };
    let horizon = horizon(crate::settings::current(host).sync_interval_minutes);
    let reach = instant(plan.built_at_ms) + Duration::days(PLAN_DAYS_AHEAD);
    let next_job = plan.armed.iter().copied().find(|t| *t > now_ms);
    let next_new = plan::arm_times(&inputs, (reach - now).max(horizon))
        .into_iter()
        .find(|t| !plan.armed.contains(t))
        .map(|t| t - horizon.num_milliseconds());
    [
        next_job,
        next_new,
        Some(plan.built_at_ms + ROLL.num_milliseconds()),
    ]
    .into_iter()
    .flatten()
    .min()
    .unwrap_or(now_ms)
}

fn locked(
    host: &impl Host,
    user_id: &str,
    account: &Account,
    person: &Person,
    prefs: &NotifyPrefs,
    synced: &Synced,
) -> Result<Report, String> {
    // Read again under the lease: another round may have stored a plan meanwhile.
    let look = look(host, user_id, account, person, prefs, synced)?;
    let rebuild = look.rebuild();
    let Look {
        markers,
        watched,
        complete,
        me,
        fp,
        now_ms,
        ..
    } = look;
    let now = instant(now_ms);
    let plan_key = keys::plan(user_id);
    let before = record::get_or_rebuild::<Plan>(host, &plan_key)
        .map_err(|e| e.to_string())?
        .unwrap_or_default();
    let mut plan = before.clone();
    let mut effects = 0;
    if rebuild {
        let stored = snapshots::read(host, user_id).map_err(|e| e.to_string())?;
        let baseline = match &stored.snapshot {
            Some(s) => Baseline::Previous(s),
            None => Baseline::FirstSync,
        };
        let states = read_states(host, user_id, &watched)?;
        let built = build(host, user_id, baseline, &states, &markers, now, person, &me)?;
        if complete {
            let new_json = built.to_json().map_err(|e| e.to_string())?;
            let unchanged = stored.raw.as_deref() == Some(new_json.as_bytes());
            let won = unchanged
                || snapshots::swap(host, user_id, stored.raw.as_deref(), &built)
                    .map_err(|e| e.to_string())?;
            if won {
                plan.reported = fp.clone();
                if !unchanged {
                    let found = changes::diff(baseline, &built);
                    let against = stored
                        .raw
                        .as_deref()
                        .map(|b| keys::short_hash(&String::from_utf8_lossy(b)))
                        .unwrap_or_default();
                    effects += tell(host, person, prefs, &found, &built, &against, now);
                }
            } else {
                host.log(
                    LogLevel::Info,
                    &format!("{user_id}: another round swapped the snapshot first"),
                );
            }
        }
        plan.meetings = upcoming(&built, now);
        plan.inputs = fp;
        plan.built_at_ms = now_ms;
        plan.tz = person.tz.name().to_string();
    }

    effects += fire::perform(host, person, account, &plan, prefs, now);
    arm(host, user_id, person, prefs, &mut plan, now);
    plan.arming = arming(host, prefs);
    plan.quiet_until_ms = quiet_until(host, person, prefs, &plan, now);
    if plan != before {
        record::update(host, &plan_key, |_: Result<Option<Plan>, _>| {
            (store::Change::Put(plan.clone()), ())
        })
        .map_err(|e| e.to_string())?;
    }
    Ok(Report {
        effects,
        problem: if complete { None } else { synced.problem },
        paused: synced.paused,
        busy: false,
    })
}

/// A calendar's objects as read from the store, owned (the snapshot borrows them).
struct Source {
    url: String,
    initial_sync_done: bool,
    objects: Option<Vec<(String, Option<String>)>>,
}

impl Source {
    fn borrow(&self) -> CalendarSource<'_> {
        CalendarSource {
            url: &self.url,
            initial_sync_done: self.initial_sync_done,
            objects: match &self.objects {
                None => Objects::Unavailable,
                Some(list) => Objects::Listed(
                    list.iter()
                        .map(|(key, ics)| ObjectSource {
                            key,
                            ics: ics.as_deref(),
                        })
                        .collect(),
                ),
            },
        }
    }
}

/// A watched calendar's sync state (its objects and their ETags); `None` if never synced.
struct CalendarStored {
    url: String,
    id: CalendarId,
    state: Option<SyncState>,
}

fn read_states(
    host: &impl Host,
    user_id: &str,
    watched: &[&CalendarEntry],
) -> Result<Vec<CalendarStored>, String> {
    watched
        .iter()
        .map(|c| {
            let id = CalendarId::of_url(&c.url);
            let state =
                record::get_or_rebuild::<SyncState>(host, &keys::calendar_state(user_id, &id))
                    .map_err(|e| e.to_string())?;
            Ok(CalendarStored {
                url: c.url.clone(),
                id,
                state,
            })
        })
        .collect()
}

/// The ETag of every stored object, for the snapshot to record and reuse by.
fn versions(states: &[CalendarStored]) -> Versions<'_> {
    states
        .iter()
        .filter_map(|c| c.state.as_ref().map(|s| (c.url.as_str(), s)))
        .flat_map(|(url, s)| {
            s.state
                .objects
                .iter()
                .filter(|(_, meta)| !meta.etag.is_empty())
                .map(move |(key, meta)| ((url, key.as_str()), meta.etag.as_str()))
        })
        .collect()
}

/// The sources of a build, with the bodies of the objects `wanted` says (by calendar URL,
/// key and ETag): only the buckets holding them are read.
fn read_sources(
    host: &impl Host,
    user_id: &str,
    states: &[CalendarStored],
    markers: &Markers,
    wanted: impl Fn(&str, &str, &str) -> bool,
) -> Result<Vec<Source>, String> {
    let mut out = Vec::new();
    for c in states {
        let Some(state) = &c.state else {
            // Never synced: nothing of it is known yet (nothing of it is news either).
            out.push(Source {
                url: c.url.clone(),
                initial_sync_done: false,
                objects: Some(Vec::new()),
            });
            continue;
        };
        let buckets = markers
            .calendars
            .get(c.id.as_str())
            .map_or(1, |m| m.buckets.max(1))
            .max(bodies::buckets_for(state.state.objects.len()));
        let needed: BTreeSet<u32> = state
            .state
            .objects
            .iter()
            .filter(|(key, meta)| wanted(&c.url, key, &meta.etag))
            .map(|(key, _)| bodies::bucket_of(key, buckets))
            .collect();
        let mut texts = bodies::read_buckets(host, user_id, &c.id, buckets, &needed)
            .map_err(|e| e.to_string())?;
        let objects = state
            .state
            .objects
            .keys()
            .map(|k| (k.clone(), texts.remove(k)))
            .collect();
        out.push(Source {
            url: c.url.clone(),
            initial_sync_done: state.state.synced.is_some(),
            objects: Some(objects),
        });
    }
    Ok(out)
}

/// The window of the previous snapshot when a build may keep it (and so reuse what did
/// not change): taken less than [`ROLL`] ago, so it still reaches about as far ahead as
/// the plan needs (a snapshot shrunk to [`PLAN_DAYS_AHEAD`] days falls short by less
/// than the roll, and the plan is built again in full at its roll).
fn kept_window(prev: &Snapshot, now: DateTime<Utc>) -> Option<Window> {
    let w = prev.window;
    let taken = w.from + Duration::days(1);
    (now >= taken && now - taken < ROLL).then_some(w)
}

/// The snapshot of now. While the previous one's window can be kept, only the objects
/// that changed since are read and parsed; otherwise every body is, for a window of a day
/// back and [`SNAPSHOT_DAYS_AHEAD`] ahead, shorter if that would not fit a KV value
/// comfortably.
#[allow(clippy::too_many_arguments)]
fn build(
    host: &impl Host,
    user_id: &str,
    baseline: Baseline<'_>,
    states: &[CalendarStored],
    markers: &Markers,
    now: DateTime<Utc>,
    person: &Person,
    me: &Me,
) -> Result<Snapshot, String> {
    let versions = versions(states);
    let why = match baseline.previous() {
        None => "first",
        Some(prev) => match kept_window(prev, now) {
            None => "window moved",
            Some(window) => {
                let sources = read_sources(host, user_id, states, markers, |url, key, etag| {
                    !prev.parsed(url, key, etag)
                })?;
                let borrowed: Vec<CalendarSource<'_>> =
                    sources.iter().map(Source::borrow).collect();
                match Snapshot::build_reusing(baseline, &borrowed, &versions, window, person.tz, me)
                {
                    Some(built) => return Ok(built.snapshot),
                    None => "nothing to reuse, or a series gone",
                }
            }
        },
    };
    host.log(
        LogLevel::Debug,
        &format!("snapshot of {user_id} built from every object: {why}"),
    );
    let sources = read_sources(host, user_id, states, markers, |_, _, _| true)?;
    let borrowed: Vec<CalendarSource<'_>> = sources.iter().map(Source::borrow).collect();
    let mut days = SNAPSHOT_DAYS_AHEAD;
    loop {
        let window = Window::around(now, 1, days);
        let built =
            Snapshot::build_versioned(baseline, &borrowed, &versions, window, person.tz, me);
        let size = built.snapshot.to_json().map_or(0, |j| j.len());
        if size <= SNAPSHOT_MAX_BYTES || days <= PLAN_DAYS_AHEAD {
            return Ok(built.snapshot);
        }
        days = PLAN_DAYS_AHEAD.max(days / 2);
    }
}

/// The plan's meetings from a snapshot: a day back to [`PLAN_DAYS_AHEAD`] ahead, sorted.
pub fn upcoming(snapshot: &Snapshot, now: DateTime<Utc>) -> Vec<Upcoming> {
    let tz = snapshot.zone();
    let window = Window::around(now, 1, PLAN_DAYS_AHEAD);
    let mut out: Vec<Upcoming> = snapshot
        .series
        .values()
        .filter_map(|e| e.active().filter(|v| !v.cancelled).map(|v| (e, v)))
        .flat_map(|(e, v)| {
            v.meetings
                .iter()
                .filter(|m| {
                    let (s, end) = m.span.instants(tz);
                    window.overlaps(s, end)
                })
                .map(move |m| Upcoming::from_meeting(m, &e.calendar))
        })
        .collect();
    out.sort_by_key(|m| (m.instants(tz).0, m.uid.clone()));
    out.truncate(PLAN_MAX_MEETINGS);
    out
}

/// Sends the change and answer messages of one round, each item claimed first.
fn tell(
    host: &impl Host,
    person: &Person,
    prefs: &NotifyPrefs,
    found: &[changes::Change],
    snapshot: &Snapshot,
    against: &str,
    now: DateTime<Utc>,
) -> u32 {
    let told = messages::tell(
        found,
        snapshot,
        against,
        prefs,
        person.locale,
        person.tz,
        now,
    );
    let user_id = person.user_id.as_str();
    let now_ms = now.timestamp_millis();
    let ttl = Duration::days(2).num_seconds() as u32;
    let claim = |fingerprint: &str| -> Option<(String, Vec<u8>)> {
        let key = keys::claim_message(user_id, fingerprint);
        match claims::claim(host, &key, now_ms, ttl) {
            Ok(Claimed::Won(v)) => Some((key, v)),
            Ok(Claimed::Taken) => None,
            Err(e) => {
                host.log(LogLevel::Error, &format!("claiming {key}: {e}"));
                None
            }
        }
    };
    let mut sent = 0;
    // Changes: one message for all of this round.
    let mut won: Vec<(&Item, (String, Vec<u8>))> = Vec::new();
    for item in &told.changes {
        if let Some(c) = claim(&item.fingerprint) {
            won.push((item, c));
        }
    }
    if !won.is_empty() {
        let items: Vec<&Item> = won.iter().map(|(i, _)| *i).collect();
        let text = messages::changes_message(person.locale, &items);
        let offers = items.iter().filter_map(|i| i.offer.clone()).collect();
        let claimed: Vec<(String, Vec<u8>)> = won.into_iter().map(|(_, c)| c).collect();
        let post = fire::post(text, "changes", None);
        sent += send(host, person, post, offers, &claimed, now_ms, ttl);
    }
    // Answers: one message, grouped per meeting.
    let mut groups: Vec<(&AnswerGroup, Vec<usize>)> = Vec::new();
    let mut claimed = Vec::new();
    for g in &told.answers {
        let mut which = Vec::new();
        for (i, (_, _, fingerprint)) in g.answers.iter().enumerate() {
            if let Some(c) = claim(fingerprint) {
                which.push(i);
                claimed.push(c);
            }
        }
        if !which.is_empty() {
            groups.push((g, which));
        }
    }
    if !groups.is_empty() {
        let text = messages::answers_message(person.locale, &groups);
        let post = fire::post(text, "answers", None);
        sent += send(host, person, post, Vec::new(), &claimed, now_ms, ttl);
    }
    sent
}

/// Posts a message (with answer buttons for `offers`) and records it on its claims.
fn send(
    host: &impl Host,
    person: &Person,
    post: Post,
    offers: Vec<Offer>,
    claimed: &[(String, Vec<u8>)],
    now_ms: i64,
    ttl: u32,
) -> u32 {
    let user_id = person.user_id.as_str();
    let kind = post
        .props
        .iter()
        .find(|p| p.key == fire::KIND_PROP)
        .map(|p| p.value.clone())
        .unwrap_or_default();
    match rsvp::post_with_offers(host, person, post, offers, now_ms) {
        Ok(post_id) => {
            for (key, value) in claimed {
                let _ = claims::record(host, key, value, now_ms, &post_id, ttl);
            }
            1
        }
        Err(e) => {
            host.log(
                LogLevel::Warn,
                &format!("{kind} message to {user_id} not posted: {}", e.message),
            );
            for (key, value) in claimed {
                let _ = claims::release(host, key, value);
            }
            0
        }
    }
}

/// The moments within the horizon at which something is due: one one-off job each.
fn wanted(
    host: &impl Host,
    person: &Person,
    prefs: &NotifyPrefs,
    plan: &Plan,
    now: DateTime<Utc>,
) -> BTreeSet<i64> {
    let state = record::get_or_rebuild::<StatusState>(host, &keys::status(&person.user_id))
        .ok()
        .flatten()
        .unwrap_or_default();
    let inputs = Inputs {
        now,
        tz: person.tz,
        meetings: &plan.meetings,
        prefs,
        status: &state,
    };
    let interval = crate::settings::current(host).sync_interval_minutes;
    plan::arm_times(&inputs, horizon(interval))
}

/// Arms a one-off job for each moment something is due within the horizon, and cancels
/// the jobs armed for moments that no longer hold anything.
fn arm(
    host: &impl Host,
    user_id: &str,
    person: &Person,
    prefs: &NotifyPrefs,
    plan: &mut Plan,
    now: DateTime<Utc>,
) {
    let wanted = wanted(host, person, prefs, plan, now);
    let now_ms = now.timestamp_millis();
    // Jobs whose moment passed have fired (or will, late): forget them.
    plan.armed.retain(|t| *t > now_ms);
    for t in plan.armed.clone() {
        if !wanted.contains(&t) {
            if let Some(key) = keys::job(user_id, t) {
                host.cancel(&key);
            }
            plan.armed.remove(&t);
        }
    }
    for t in wanted {
        if plan.armed.contains(&t) {
            continue;
        }
        let Some(key) = keys::job(user_id, t) else {
            continue;
        };
        match host.schedule_once(&key, t) {
            Ok(_) => {
                plan.armed.insert(t);
            }
            Err(e) => host.log(LogLevel::Warn, &format!("arming {key}: {e}")),
        }
    }
}
