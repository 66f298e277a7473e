//! Notifications: the morning digest, reminders with the Join link, the "📆 In a meeting"
//! status, and messages about changes and answers — each exactly once, per user, in the
//! user's timezone and language, on a server with many users and more than one node.
//!
//! # How the work is cut (`wit/types.wit`, `job`)
//! - **Tick** (every ten seconds, on every node): [`tick`] renews the node's share of the
//!   users ([`crate::store::shares`]: the shards of the index of users with notifications,
//!   split between the live nodes by leases in KV) and returns the users of that share
//!   whose round fell due since the node's last tick — each user once per sync interval,
//!   at a moment fixed by a hash of the user id, so the rounds are spread evenly. The host
//!   runs their rounds concurrently on its background instances.
//! - **User round** ([`round`]): sync, messages, what is due, and the one-off jobs for the
//!   next [`round::horizon`] (`scheduler.schedule-once`, Mattermost's job-once scheduler:
//!   persisted, survives restarts). An idle round reads small records only: the
//!   preferences, the account, the sync markers, the [`Plan`] and the status state.
//! - **Due** ([`due`]): a job armed for a moment fired. The component looks again at what
//!   is due for that user now, against the current plan and settings (a meeting moved or
//!   declined since is not reminded), and does it. One job serves every effect of that
//!   user at that moment.
//!
//! # Exactly once
//! Every effect has a claim key ([`crate::store::keys`]): the digest by user and local
//! date, a reminder by user, occurrence, start and lead, the status by user and busy
//! interval, a message item by user and fingerprint. The claim is written with
//! compare-and-set (with an expiry) before the effect and gets the post id after it
//! ([`crate::store::claims`]). This is **at most once**: two nodes, a retry or a restart
//! never double a message; a crash between the claim and the post loses that one message
//! (a failure Mattermost answers gives the claim back, so it is retried). A doubled
//! reminder teaches people to ignore reminders; a lost one is rare and bounded by a crash.
//!
//! Change messages are sent only by the round that swapped the new snapshot in (compare-
//! and-set against the bytes it read), and only when every watched calendar synced
//! completely; the first snapshot of a user only records.
//!
//! # Lateness
//! A reminder fires from its own job at its time (`make bench` measures how late, 1,000 due
//! in one minute). The rounds are the safety net: a job lost to a crash is done by the
//! user's next round — a reminder only while the meeting has not started, the status while
//! it runs, a digest within [`plan::DIGEST_GRACE`].

pub mod fire;
pub mod messages;
pub mod model;
pub mod plan;
pub mod round;
pub mod status;
pub mod text;

#[cfg(test)]
mod tests;

use chrono::{DateTime, Duration, Utc};

pub use model::{Busy, Upcoming};

use crate::account;
use crate::bindings::types::{Job, JobReport, LogLevel, TickInfo};
use crate::caldav::retry::stable_hash;
use crate::host::Host;
use crate::i18n::Msg;
use crate::store::{
    self, index, keys, record, shares, snapshots, CalendarId, NotifyPrefs, Plan, StatusState,
    StoreError,
};

/// A one-off job fired this much before its time is treated as on time (clocks of nodes).
const EARLY_MS: i64 = 2_000;

/// `run-job`: a node's tick, one user's round, or a one-off job that came due.
pub fn run_job(host: &impl Host, job: &Job) -> Result<JobReport, String> {
    match job {
        Job::Tick(info) => tick(host, info),
        Job::User(user_id) => {
            let r = round::run(host, user_id, round::Trigger::Background)?;
            Ok(report(1, r.effects))
        }
        Job::Due(key) => Ok(report(1, due(host, key)?)),
    }
}

fn report(users: u32, effects: u32) -> JobReport {
    JobReport {
        users_seen: users,
        effects,
        due_users: Vec::new(),
    }
}

/// Whether `user_id`'s round fell in `[since_ms, now_ms)`: once every `interval` minutes,
/// at a moment fixed by the user id (to the millisecond, so rounds spread over the whole
/// interval). A gap of an interval or more makes every round due.
pub fn round_due(user_id: &str, since_ms: i64, now_ms: i64, interval: u32) -> bool {
    let period = i64::from(interval.max(1)) * 60_000;
    if now_ms - since_ms >= period {
        return true;
    }
    let offset = (stable_hash(user_id) % period as u64) as i64;
    // The user's last moment before now.
    let last = now_ms - 1 - (now_ms - 1 - offset).rem_euclid(period);
    last >= since_ms
}

/// A node's tick: renews its share of the users, or gives it back when the node leaves,
/// and names the users of the share whose round fell due since its last tick — all of a
/// shard taken over from a dead node.
pub fn tick(host: &impl Host, info: &TickInfo) -> Result<JobReport, String> {
    if info.leaving {
        shares::leave(host, &info.node).map_err(|e| e.to_string())?;
        return Ok(report(0, 0));
    }
    let interval = crate::settings::current(host).sync_interval_minutes;
    let now = host.now_ms();
    let share = shares::renew(host, &info.node, now).map_err(|e| e.to_string())?;
    let mut seen = 0;
    let mut due = Vec::new();
    for shard in &share.shards {
        let users =
            index::shard_users(host, index::Index::Notified, *shard).map_err(|e| e.to_string())?;
        seen += users.len();
        let all = share.taken_over.contains(shard);
        due.extend(
            users
                .into_iter()
                .filter(|u| all || round_due(u, info.since_ms, now, interval)),
        );
    }
    Ok(JobReport {
        users_seen: seen as u32,
        effects: 0,
        due_users: due,
    })
}

/// A one-off job came due: does what is due for its user now.
pub fn due(host: &impl Host, key: &str) -> Result<u32, String> {
    let Some((user_id, at_ms)) = keys::parse_job(key) else {
        host.log(
            LogLevel::Warn,
            &format!("a job with an unknown key fired: {key}"),
        );
        return Ok(0);
    };
    let mut now_ms = host.now_ms();
    if at_ms > now_ms && at_ms - now_ms <= EARLY_MS {
        now_ms = at_ms;
    }
    let Some(prefs) = record::get_or_rebuild::<NotifyPrefs>(host, &keys::notify(&user_id))
        .map_err(|e| e.to_string())?
    else {
        return Ok(0);
    };
    let Some(plan) =
        record::get_or_rebuild::<Plan>(host, &keys::plan(&user_id)).map_err(|e| e.to_string())?
    else {
        return Ok(0);
    };
    let Some(account) = account::load(host, &user_id).map_err(|p| format!("{p:?}"))? else {
        return Ok(0);
    };
    let person = account::person(host, &user_id, Some(&account));
    let now = DateTime::<Utc>::from_timestamp_millis(now_ms).unwrap_or_default();
    Ok(fire::perform(host, &person, &account, &plan, &prefs, now))
}

/// Saves new preferences and runs the user's round at once, so they apply now (a digest
/// set for the next minute comes in the next minute).
pub fn save(host: &impl Host, user_id: &str, prefs: &NotifyPrefs) -> Result<(), StoreError> {
    record::put(host, &keys::notify(user_id), prefs)?;
    index::add_to(host, index::Index::Notified, user_id)?;
    if let Err(e) = round::run(host, user_id, round::Trigger::Interactive) {
        host.log(
            LogLevel::Warn,
            &format!("round of {user_id} after saving: {e}"),
        );
    }
    Ok(())
}

/// Stops everything for a user: cancels the armed jobs, puts the user's own status back
/// if ours is on, forgets the plan, the snapshot, the status state and the preferences.
/// Returns whether notifications were on.
pub fn stop(host: &impl Host, user_id: &str) -> Result<bool, StoreError> {
    let had = host.get(&keys::notify(user_id))?.is_some();
    if let Ok(Some(plan)) = record::get_or_rebuild::<Plan>(host, &keys::plan(user_id)) {
        for t in &plan.armed {
            if let Some(key) = keys::job(user_id, *t) {
                host.cancel(&key);
            }
        }
    }
    if let Ok(Some(StatusState { ours: Some(_), .. })) =
        record::get_or_rebuild::<StatusState>(host, &keys::status(user_id))
    {
        let current = host.get_user(user_id).ok().and_then(|u| u.custom_status);
        if let Err(e) = status::off(host, user_id, host.now_ms(), current.as_ref()) {
            host.log(
                LogLevel::Warn,
                &format!("status of {user_id} not restored: {e}"),
            );
        }
    }
    snapshots::delete(host, user_id)?;
    for key in [
        keys::plan(user_id),
        keys::status(user_id),
        keys::round_lease(user_id),
        keys::notify(user_id),
    ] {
        record::delete(host, &key)?;
    }
    index::remove_from(host, index::Index::Notified, user_id)?;
    Ok(had)
}

/// `checks check_scheduler`: runs the user's round (so what it shows is current), then
/// says what is set and what comes next, from the plan.
pub fn scheduler_report(host: &impl Host, user_id: &str) -> String {
    let account = match account::load(host, user_id) {
        Ok(Some(a)) => a,
        Ok(None) => {
            return account::person(host, user_id, None)
                .locale
                .t(Msg::NotConnected)
        }
        Err(p) => {
            return account::person(host, user_id, None)
                .locale
                .t(Msg::Problem(p))
        }
    };
    let person = account::person(host, user_id, Some(&account));
    let l = person.locale;
    let prefs = match record::get_or_rebuild::<NotifyPrefs>(host, &keys::notify(user_id)) {
        Ok(Some(p)) => p,
        Ok(None) => return l.t(Msg::SchedulerOff),
        Err(_) => return l.t(Msg::Problem(store::Problem::Storage)),
    };
    let round = round::run(host, user_id, round::Trigger::Interactive);
    let plan = record::get_or_rebuild::<Plan>(host, &keys::plan(user_id))
        .ok()
        .flatten()
        .unwrap_or_default();
    let state = record::get_or_rebuild::<StatusState>(host, &keys::status(user_id))
        .ok()
        .flatten()
        .unwrap_or_default();
    let now = DateTime::<Utc>::from_timestamp_millis(host.now_ms()).unwrap_or_default();
    let inputs = plan::Inputs {
        now,
        tz: person.tz,
        meetings: &plan.meetings,
        prefs: &prefs,
        status: &state,
    };
    let when = |at: DateTime<Utc>| l.t(Msg::DayTime(at.with_timezone(&person.tz).naive_local()));
    let mut lines = vec![
        l.t(Msg::SchedulerTitle),
        l.t(Msg::SchedulerSettings {
            summary: &crate::dialogs::notify_summary(l, &prefs),
        }),
    ];
    let names: Vec<String> = round::watched(&account, &prefs)
        .iter()
        .map(|c| format!("**{}**", crate::agenda::render::markdown_text(&c.name)))
        .collect();
    lines.push(l.t(Msg::SchedulerCalendars {
        names: &names.join(", "),
    }));
    // Digests do not depend on meetings: look a week ahead.
    let digest = plan::ahead(&inputs, now, now + Duration::days(8))
        .into_iter()
        .find_map(|e| match e {
            plan::Effect::Digest { at, .. } => Some(when(at)),
            _ => None,
        });
    lines.push(l.t(Msg::SchedulerNextDigest {
        when: digest.as_deref(),
    }));
    // Reminders as far as the plan's meetings reach.
    let reach = DateTime::<Utc>::from_timestamp_millis(plan.built_at_ms).unwrap_or(now)
        + Duration::days(round::PLAN_DAYS_AHEAD);
    let reminder = plan::ahead(&inputs, now, reach)
        .into_iter()
        .find_map(|e| match e {
            plan::Effect::Reminder { meeting, at, .. } => Some((at, meeting)),
            _ => None,
        });
    lines.push(match reminder {
        Some((at, m)) => l.t(Msg::SchedulerNextReminder {
            when: &when(at),
            title: &crate::agenda::render::markdown_text(&m.summary),
        }),
        None => l.t(Msg::SchedulerNoReminder {
            days: (reach - now).num_days().max(1),
        }),
    });
    if let Some(o) = &state.ours {
        lines.push(l.t(Msg::SchedulerStatusOn {
            until: &when(DateTime::<Utc>::from_timestamp_millis(o.end_ms).unwrap_or(now)),
        }));
    }
    match round {
        Ok(r) => {
            if let Some(p) = r.paused {
                lines.push(l.t(Msg::SchedulerPaused { problem: p }));
            } else if let Some(p) = r.problem {
                lines.push(l.t(Msg::SchedulerStale { problem: p }));
            }
        }
        Err(e) => host.log(LogLevel::Warn, &format!("round of {user_id}: {e}")),
    }
    lines.join("\n")
}

/// Which calendars of `account` a user's preferences watch, for the dialog.
pub fn watched_ids(account: &store::Account, prefs: Option<&NotifyPrefs>) -> Vec<CalendarId> {
    account
        .selected()
        .map(|c| CalendarId::of_url(&c.url))
        .filter(|id| prefs.is_none_or(|p| p.watches(id)))
        .collect()
}
