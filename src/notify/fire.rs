//! Doing what is due: each effect the planner says is due now is claimed, then done, then
//! its post recorded. Called by the one-off job armed for the moment (exact time) and by
//! every round (the safety net: what a lost job missed is done late rather than never —
//! a reminder only while its meeting has not started, the status while it runs, a digest
//! within its grace).

use chrono::{DateTime, Duration, Utc};

use super::model::Upcoming;
use super::plan::{self, Effect, Inputs};
use super::{status, text};
use crate::account::Person;
use crate::bindings::types::{LogLevel, Post, Prop};
use crate::host::Host;
use crate::rsvp;
use crate::store::claims::{self, Claimed};
use crate::store::{keys, record, Account, CalendarId, NotifyPrefs, Plan, StatusState};

/// Post props naming what the bot sent (for the web app, tools and tests).
pub const KIND_PROP: &str = "ycal_kind";
pub const MEETING_PROP: &str = "ycal_meeting";

/// How long a claim outlives the moment its effect could be due again.
const CLAIM_MARGIN: Duration = Duration::days(1);

fn ttl(until: DateTime<Utc>, now: DateTime<Utc>) -> u32 {
    ((until - now + CLAIM_MARGIN).num_seconds()).clamp(60, i64::from(u32::MAX)) as u32
}

/// A direct message with the props that say what it is.
pub fn post(message: String, kind: &str, meeting: Option<&Upcoming>) -> Post {
    let mut props = vec![Prop {
        key: KIND_PROP.into(),
        value: kind.into(),
    }];
    if let Some(m) = meeting {
        props.push(Prop {
            key: MEETING_PROP.into(),
            value: match &m.rid {
                Some(rid) => format!("{}|{rid}", m.uid),
                None => m.uid.clone(),
            },
        });
    }
    Post {
        message,
        attachments: Vec::new(),
        props,
    }
}

/// The names of the watched calendars, when there are several (the digest names each
/// meeting's calendar then, as the agenda does).
pub fn calendar_names(account: &Account, prefs: &NotifyPrefs) -> impl Fn(&str) -> Option<String> {
    let watched: Vec<(String, String)> = account
        .selected()
        .filter(|c| prefs.watches(&CalendarId::of_url(&c.url)))
        .map(|c| (c.url.clone(), c.name.clone()))
        .collect();
    let named = watched.len() > 1;
    move |url: &str| {
        named
            .then(|| {
                watched
                    .iter()
                    .find(|(u, _)| u == url)
                    .map(|(_, n)| n.clone())
            })
            .flatten()
    }
}

/// Does every effect due at `now`; returns how many were done.
pub fn perform(
    host: &impl Host,
    person: &Person,
    account: &Account,
    plan: &Plan,
    prefs: &NotifyPrefs,
    now: DateTime<Utc>,
) -> u32 {
    let user_id = person.user_id.as_str();
    let state = record::get_or_rebuild::<StatusState>(host, &keys::status(user_id))
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
    let due = plan::due(&inputs);
    if due.is_empty() {
        return 0;
    }
    let names = calendar_names(account, prefs);
    // The user's current custom status, read once and only for a status change.
    let mut current: Option<Option<crate::bindings::types::CustomStatus>> = None;
    let mut done = 0;
    let now_ms = now.timestamp_millis();
    for effect in &due {
        let key = effect.claim_key(user_id, person.tz);
        let claim_ttl = match effect {
            Effect::Digest { at, .. } => ttl(*at + plan::DIGEST_GRACE, now),
            Effect::Reminder { meeting, .. } => ttl(meeting.instants(person.tz).0, now),
            Effect::StatusOn(b) => ttl(b.end, now),
            Effect::StatusOff(_) => ttl(now, now),
        };
        let claimed = match claims::claim(host, &key, now_ms, claim_ttl) {
            Ok(Claimed::Won(v)) => v,
            Ok(Claimed::Taken) => continue,
            Err(e) => {
                host.log(LogLevel::Error, &format!("claiming {key} failed: {e}"));
                continue;
            }
        };
        // Ok(None): done without a post (a status change), or nothing to say (an empty day).
        let result: Result<Option<String>, String> = match effect {
            Effect::Digest { date, .. } => {
                match text::digest(
                    person.locale,
                    &plan.meetings,
                    &names,
                    person.tz,
                    *date,
                    prefs.digest_empty,
                ) {
                    Some(message) => host
                        .dm_post(user_id, &post(message, "digest", None))
                        .map(Some)
                        .map_err(|e| e.message),
                    None => {
                        // An empty day the user did not want to hear about: claimed, quiet.
                        continue;
                    }
                }
            }
            Effect::Reminder { meeting, .. } => {
                let message = text::reminder(person.locale, meeting, person.tz, now);
                let post = post(message, "reminder", Some(meeting));
                let offers = rsvp::Offer::from_upcoming(meeting).into_iter().collect();
                rsvp::post_with_offers(host, person, post, offers, now_ms)
                    .map(Some)
                    .map_err(|e| e.message)
            }
            Effect::StatusOn(_) | Effect::StatusOff(_) => {
                let cur = current.get_or_insert_with(|| {
                    host.get_user(user_id).ok().and_then(|u| u.custom_status)
                });
                let outcome = match effect {
                    Effect::StatusOn(b) => {
                        status::on(host, user_id, person.locale, *b, cur.as_ref())
                    }
                    _ => status::off(host, user_id, now_ms, cur.as_ref()),
                };
                // The status changed: read it again should another change follow.
                current = None;
                outcome.map(|o| {
                    host.log(LogLevel::Debug, &format!("status of {user_id}: {o:?}"));
                    None
                })
            }
        };
        match result {
            Ok(posted) => {
                done += 1;
                if let Some(id) = posted {
                    if let Err(e) = claims::record(host, &key, &claimed, now_ms, &id, claim_ttl) {
                        host.log(LogLevel::Warn, &format!("recording {key}: {e}"));
                    }
                }
            }
            Err(reason) => {
                // Nothing was done: the claim goes back, so the next look tries again.
                host.log(
                    LogLevel::Warn,
                    &format!("{key} for {user_id} failed: {reason}"),
                );
                if let Err(e) = claims::release(host, &key, &claimed) {
                    host.log(LogLevel::Error, &format!("releasing {key}: {e}"));
                }
            }
        }
    }
    done
}
