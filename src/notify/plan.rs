//! The planner: from a user's upcoming meetings, their notification settings and the
//! status the plugin set, which effects happen when. Pure (time comes in as `now`), so
//! every rule is tested with a fake clock.
//!
//! - **Digest**: at the chosen local time of each digest day, computed from the local date
//!   and time every day (never "+24 h"), so it stays at 09:00 across DST. Due from then
//!   for [`DIGEST_GRACE`]; never for a time before the settings were saved.
//! - **Reminder**: `lead` minutes before each meeting I attend (timed, not declined, not
//!   free); due from then until the meeting starts, so a meeting created or moved inside
//!   the lead time is reminded at once, and one that moves gets a new reminder.
//! - **Status**: on at the start of each busy interval (meetings I attend, back-to-back and
//!   overlapping ones merged), off when the interval the plugin's status covers has ended
//!   or is no longer one (the meeting was cancelled, declined or moved away).

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc, Weekday};
use chrono_tz::Tz;

use super::model::{busy_intervals, Busy, Upcoming};
use crate::ical::localize;
use crate::store::{keys, DigestDays, NotifyPrefs, StatusState};

/// A digest missed at its time (every node down, say) still comes this much later.
pub const DIGEST_GRACE: Duration = Duration::hours(3);
/// A reminder with no lead (at the start) may still come this late.
pub const START_GRACE: Duration = Duration::minutes(5);

/// What the planner looks at.
#[derive(Debug, Clone, Copy)]
pub struct Inputs<'a> {
    pub now: DateTime<Utc>,
    pub tz: Tz,
    pub meetings: &'a [Upcoming],
    pub prefs: &'a NotifyPrefs,
    pub status: &'a StatusState,
}

/// Something to do at a time.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect<'a> {
    Digest {
        date: NaiveDate,
        at: DateTime<Utc>,
    },
    Reminder {
        meeting: &'a Upcoming,
        lead: u32,
        at: DateTime<Utc>,
    },
    StatusOn(Busy),
    StatusOff(Busy),
}

impl Effect<'_> {
    pub fn at(&self) -> DateTime<Utc> {
        match self {
            Effect::Digest { at, .. } | Effect::Reminder { at, .. } => *at,
            Effect::StatusOn(b) => b.start,
            Effect::StatusOff(b) => b.end,
        }
    }

    /// The claim that makes it happen once ([`crate::store::claims`]).
    pub fn claim_key(&self, user_id: &str, tz: Tz) -> String {
        match self {
            Effect::Digest { date, .. } => keys::claim_digest(user_id, *date),
            Effect::Reminder { meeting, lead, .. } => keys::claim_reminder(
                user_id,
                &meeting.uid,
                meeting.rid.as_deref(),
                meeting.instants(tz).0.timestamp_millis(),
                *lead,
            ),
            Effect::StatusOn(b) => keys::claim_status(
                user_id,
                true,
                b.start.timestamp_millis(),
                b.end.timestamp_millis(),
            ),
            Effect::StatusOff(b) => keys::claim_status(
                user_id,
                false,
                b.start.timestamp_millis(),
                b.end.timestamp_millis(),
            ),
        }
    }
}

/// `HH:MM` (00:00–23:59).
pub fn parse_hhmm(s: &str) -> Option<NaiveTime> {
    let (h, m) = s.trim().split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    NaiveTime::from_hms_opt(h.parse().ok()?, m.parse().ok()?, 0)
}

/// When the digest of local `date` comes, if the settings send one that day.
pub fn digest_time(prefs: &NotifyPrefs, tz: Tz, date: NaiveDate) -> Option<DateTime<Utc>> {
    let time = parse_hhmm(prefs.digest_at.as_deref()?)?;
    let weekend = matches!(date.weekday(), Weekday::Sat | Weekday::Sun);
    if prefs.digest_days == DigestDays::Weekdays && weekend {
        return None;
    }
    Some(localize(tz, date.and_time(time)).with_timezone(&Utc))
}

fn local_date(at: DateTime<Utc>, tz: Tz) -> NaiveDate {
    at.with_timezone(&tz).date_naive()
}

/// When a reminder of `m` with `lead` comes, and until when it may.
fn reminder_window(m: &Upcoming, lead: u32, tz: Tz) -> (DateTime<Utc>, DateTime<Utc>) {
    let start = m.instants(tz).0;
    let at = start - Duration::minutes(i64::from(lead));
    let until = if lead == 0 {
        start + START_GRACE
    } else {
        start
    };
    (at, until)
}

/// The effects that should happen now (the claims keep each to once: the same effect is
/// due again on the next look until someone claims it).
pub fn due<'a>(i: &Inputs<'a>) -> Vec<Effect<'a>> {
    let mut out = Vec::new();
    let saved_at = i.prefs.updated_at_ms;
    // Today's digest, and yesterday's when its grace runs past midnight.
    let today = local_date(i.now, i.tz);
    for date in [today - Duration::days(1), today] {
        if let Some(at) = digest_time(i.prefs, i.tz, date) {
            if at <= i.now && i.now < at + DIGEST_GRACE && at.timestamp_millis() >= saved_at {
                out.push(Effect::Digest { date, at });
            }
        }
    }
    if let Some(lead) = i.prefs.reminder_minutes {
        for m in i.meetings.iter().filter(|m| m.attended()) {
            let (at, until) = reminder_window(m, lead, i.tz);
            if at <= i.now && i.now < until {
                out.push(Effect::Reminder {
                    meeting: m,
                    lead,
                    at,
                });
            }
        }
    }
    let busy = busy_intervals(i.meetings, i.tz);
    let current = busy.iter().copied().find(|b| b.contains(i.now));
    if i.prefs.status {
        if let Some(b) = current {
            out.push(Effect::StatusOn(b));
        }
    }
    if let Some(ours) = &i.status.ours {
        let set = Busy {
            start: at_ms(ours.start_ms),
            end: at_ms(ours.end_ms),
        };
        // Still on while a busy interval that overlaps it runs (the status-on of that
        // interval extends it); off once none does: ended, cancelled, declined, moved.
        let goes_on =
            i.prefs.status && current.is_some_and(|b| b.start < set.end && set.start < b.end);
        if !goes_on {
            out.push(Effect::StatusOff(set));
        }
    }
    out.sort_by_key(Effect::at);
    out
}

/// Every effect planned for after `from` until `to` (both instants), in time order: what
/// the round arms one-off jobs for, and what `check_scheduler` shows.
pub fn ahead<'a>(i: &Inputs<'a>, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Effect<'a>> {
    let mut out = Vec::new();
    let within = |at: DateTime<Utc>| from < at && at <= to;
    let mut date = local_date(from, i.tz) - Duration::days(1);
    while date <= local_date(to, i.tz) {
        if let Some(at) = digest_time(i.prefs, i.tz, date) {
            if within(at) && at.timestamp_millis() >= i.prefs.updated_at_ms {
                out.push(Effect::Digest { date, at });
            }
        }
        date += Duration::days(1);
    }
    if let Some(lead) = i.prefs.reminder_minutes {
        for m in i.meetings.iter().filter(|m| m.attended()) {
            let (at, _) = reminder_window(m, lead, i.tz);
            if within(at) {
                out.push(Effect::Reminder {
                    meeting: m,
                    lead,
                    at,
                });
            }
        }
    }
    if i.prefs.status {
        for b in busy_intervals(i.meetings, i.tz) {
            if within(b.start) {
                out.push(Effect::StatusOn(b));
            }
            if within(b.end) {
                out.push(Effect::StatusOff(b));
            }
        }
    }
    if let Some(ours) = &i.status.ours {
        let set = Busy {
            start: at_ms(ours.start_ms),
            end: at_ms(ours.end_ms),
        };
        if within(set.end) && !out.contains(&Effect::StatusOff(set)) {
            out.push(Effect::StatusOff(set));
        }
    }
    out.sort_by_key(Effect::at);
    out
}

/// The instants to arm one-off jobs for: every effect within `horizon` from now.
pub fn arm_times(i: &Inputs<'_>, horizon: Duration) -> BTreeSet<i64> {
    ahead(i, i.now, i.now + horizon)
        .iter()
        .map(|e| e.at().timestamp_millis())
        .collect()
}

fn at_ms(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}
