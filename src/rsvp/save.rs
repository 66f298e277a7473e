//! Saving an answer: find the meeting's object, write my PARTSTAT into a fresh copy of it
//! with `If-Match`, then let the stored snapshot and plan know.

use super::Failure;
use crate::account::{self, problem, Person};
use crate::bindings::types::LogLevel;
use crate::caldav::{
    self, CalDavError, Client, ClientOptions, Credentials, RetryPolicy, UpdateError,
};
use crate::host::Host;
use crate::ical::{self, AnswerError, PartStat, Target};
use crate::snapshot::{SeriesState, Snapshot};
use crate::store::{
    self, bodies, keys, record, snapshots, Account, AccountStatus, CalendarId, Plan, Problem,
    SyncState,
};

/// A person waits on the click (and Mattermost's action timeout): short requests, no
/// retries. At most five requests: GET, PUT, and after a 412 GET, PUT and an unguarded PUT.
fn click_options() -> ClientOptions {
    ClientOptions {
        timeout_ms: 5_000,
        retry: RetryPolicy {
            max_attempts: 1,
            base_delay_ms: 0,
            max_delay_ms: 0,
            budget_ms: 5_000,
        },
        ..ClientOptions::default()
    }
}

/// Saves my `answer` to meeting `uid` (all of it, or one instance) on the server.
pub fn answer(
    host: &impl Host,
    account: &Account,
    person: &Person,
    uid: &str,
    target: Target<'_>,
    answer: PartStat,
) -> Result<(), Failure> {
    let user_id = person.user_id.as_str();
    if let AccountStatus::Paused { problem, .. } = account.status {
        return Err(Failure::Problem(problem));
    }
    let password = account::password(host, user_id, account).map_err(Failure::Problem)?;
    let url = locate(host, user_id, account, uid)
        .map_err(|e| {
            host.log(LogLevel::Error, &format!("finding {uid}: {e}"));
            Failure::Problem(Problem::Storage)
        })?
        .ok_or(Failure::Gone)?;
    let me = account::me(account, person);
    let sleeper = caldav::NoSleep;
    let client = Client::new(
        host,
        &sleeper,
        Credentials::new(account.login.clone(), password.expose()),
        click_options(),
    );
    let written = caldav::update_object(&client, &url, |body| {
        ical::set_my_answer(body, uid, target, &me, answer, person.tz)
    })
    .map_err(|e| {
        host.log(
            LogLevel::Warn,
            &format!("answer of {user_id} to {uid} not saved: {e}"),
        );
        failure(e)
    })?;
    if written.unguarded {
        host.log(
            LogLevel::Info,
            &format!(
                "answer of {user_id} to {uid} written without If-Match after {} PUTs \
                 (the server's ETag did not match)",
                written.puts
            ),
        );
    }
    let rid = match target {
        Target::Instance(k) => Some(k),
        Target::Series => None,
    };
    remember(host, user_id, uid, rid, answer);
    Ok(())
}

fn failure(e: UpdateError<AnswerError>) -> Failure {
    match e {
        UpdateError::Dav(CalDavError::NotFound { .. }) => Failure::Gone,
        UpdateError::Dav(CalDavError::Conflict { .. }) => Failure::Conflict,
        UpdateError::Dav(e) => Failure::Problem(problem::of_caldav(&e)),
        UpdateError::Edit(AnswerError::NoSuchMeeting | AnswerError::NoSuchInstance(_)) => {
            Failure::Gone
        }
        UpdateError::Edit(AnswerError::NotInvited) => Failure::NotInvited,
        UpdateError::Edit(AnswerError::Organizer) => Failure::Organizer,
        UpdateError::Edit(AnswerError::Unreadable(_)) => Failure::Unreadable,
    }
}

/// The URL of the object holding meeting `uid`: by the snapshot's record of where the
/// series came from, else by looking through the stored bodies of the selected calendars.
pub fn locate(
    host: &impl Host,
    user_id: &str,
    account: &Account,
    uid: &str,
) -> Result<Option<String>, store::StoreError> {
    let state_of = |calendar: &str| -> Result<Option<SyncState>, store::StoreError> {
        let id = CalendarId::of_url(calendar);
        record::get_or_rebuild::<SyncState>(host, &keys::calendar_state(user_id, &id))
    };
    if let Some(snapshot) = snapshots::read(host, user_id)?.snapshot {
        if let Some(entry) = snapshot.series.get(uid) {
            if let Some(state) = state_of(&entry.calendar)? {
                if let Some(meta) = state.state.objects.get(&entry.object) {
                    return Ok(Some(meta.url.clone()));
                }
            }
        }
    }
    let markers = record::get_or_rebuild::<store::Markers>(host, &keys::markers(user_id))?
        .unwrap_or_default();
    for cal in account.selected() {
        let Some(state) = state_of(&cal.url)? else {
            continue;
        };
        let id = CalendarId::of_url(&cal.url);
        let buckets = markers
            .calendars
            .get(id.as_str())
            .map_or(1, |m| m.buckets.max(1))
            .max(bodies::buckets_for(state.state.objects.len()));
        for (key, text) in bodies::read_objects(host, user_id, &id, buckets)? {
            let holds = text.contains(uid)
                && ical::parse_calendar(&text)
                    .series
                    .iter()
                    .any(|s| s.uid == uid);
            if let (true, Some(meta)) = (holds, state.state.objects.get(&key)) {
                return Ok(Some(meta.url.clone()));
            }
        }
    }
    Ok(None)
}

/// Writes the answer into the stored snapshot and plan: the next comparison then finds it
/// known (nothing to tell; a declined meeting that disappears was declined), and the plan
/// neither reminds of a declined meeting nor sets the status for it. Best effort: a round
/// that swaps its own snapshot in first learns the answer from the server.
fn remember(host: &impl Host, user_id: &str, uid: &str, rid: Option<&str>, answer: PartStat) {
    for _ in 0..4 {
        let stored = match snapshots::read(host, user_id) {
            Ok(s) => s,
            Err(e) => {
                host.log(LogLevel::Warn, &format!("snapshot of {user_id}: {e}"));
                break;
            }
        };
        let Some(mut snapshot) = stored.snapshot else {
            break;
        };
        if !mark_snapshot(&mut snapshot, uid, rid, answer) {
            break;
        }
        match snapshots::swap(host, user_id, stored.raw.as_deref(), &snapshot) {
            Ok(true) => break,
            Ok(false) => continue,
            Err(e) => {
                host.log(LogLevel::Warn, &format!("snapshot of {user_id}: {e}"));
                break;
            }
        }
    }
    let updated = record::update(host, &keys::plan(user_id), |current| match current {
        Ok(Some(mut plan)) => {
            if mark_plan(&mut plan, uid, rid, answer) {
                (store::Change::Put(plan), ())
            } else {
                (store::Change::Keep, ())
            }
        }
        _ => (store::Change::Keep, ()),
    });
    if let Err(e) = updated {
        host.log(LogLevel::Warn, &format!("plan of {user_id}: {e}"));
    }
}

/// Sets my answer on the meetings of `uid` (those of instance `rid` only, when given) that
/// list me; whether anything changed.
pub fn mark_snapshot(
    snapshot: &mut Snapshot,
    uid: &str,
    rid: Option<&str>,
    answer: PartStat,
) -> bool {
    let Some(entry) = snapshot.series.get_mut(uid) else {
        return false;
    };
    let SeriesState::Active(view) = &mut entry.state else {
        return false;
    };
    let mut changed = false;
    let meetings = view
        .previous
        .iter_mut()
        .chain(view.meetings.iter_mut())
        .chain(view.next.iter_mut());
    for m in meetings {
        let ours = rid.is_none_or(|r| m.recurrence_id.as_deref() == Some(r));
        if ours && m.my_partstat.is_some() && m.my_partstat != Some(answer) {
            m.my_partstat = Some(answer);
            for a in m.attendees.iter_mut().filter(|a| a.me) {
                a.partstat = answer;
            }
            changed = true;
        }
    }
    changed
}

fn mark_plan(plan: &mut Plan, uid: &str, rid: Option<&str>, answer: PartStat) -> bool {
    let mut changed = false;
    for m in plan.meetings.iter_mut().filter(|m| m.uid == uid) {
        let ours = rid.is_none_or(|r| m.rid.as_deref() == Some(r));
        if ours && m.my_answer.is_some() && m.my_answer != Some(answer) {
            m.my_answer = Some(answer);
            changed = true;
        }
    }
    changed
}
