//! The "📆 In a meeting" custom status: set at the start of a busy interval, with
//! Mattermost's own expiry at its end as a safety net, and the user's own status put back
//! afterwards.
//!
//! - On: the user's current status is kept (unless it is ours), ours is set until the end.
//!   An interval that grows (a meeting added back-to-back) moves our expiry.
//! - Off: only if the status is still the one we set — a user who changed or cleared it
//!   during the meeting keeps theirs (a cleared status is never brought back). What comes
//!   back is the kept status if it would still be in force (no expiry, or an expiry later
//!   than now); otherwise the status is cleared.
//! - What was set and kept lives in [`StatusState`] (compare-and-set), so another instance
//!   or node, or a restart, continues where this one stopped.

use crate::bindings::types::{CustomStatus, LogLevel};
use crate::host::Host;
use crate::i18n::{Locale, Msg};
use crate::store::{self, keys, record, OurStatus, SavedStatus, StatusState};

use super::model::Busy;

/// Mattermost's emoji name for 📆.
pub const EMOJI: &str = "calendar";
/// The duration keyword of a status with an expiry time.
const DURATION: &str = "date_and_time";

fn saved(s: &CustomStatus) -> SavedStatus {
    SavedStatus {
        emoji: s.emoji.clone(),
        text: s.text.clone(),
        duration: s.duration.clone(),
        expires_at_ms: s.expires_at_ms,
    }
}

fn custom(s: &SavedStatus) -> CustomStatus {
    CustomStatus {
        emoji: s.emoji.clone(),
        text: s.text.clone(),
        duration: s.duration.clone(),
        expires_at_ms: s.expires_at_ms,
    }
}

/// The same status as the user sees it (emoji and text; the expiry may have moved).
fn same(a: &SavedStatus, b: &CustomStatus) -> bool {
    a.emoji == b.emoji && a.text == b.text
}

/// What a status change did, for the log and the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Set,
    Extended,
    /// The user had put their own status during the meeting: left alone.
    LeftTheirs,
    Restored,
    Cleared,
    /// Nothing to do (not ours any more, or already done).
    Nothing,
}

/// Turns the status on for `busy` (or extends ours to its end).
pub fn on(
    host: &impl Host,
    user_id: &str,
    locale: Locale,
    busy: Busy,
    current: Option<&CustomStatus>,
) -> Result<Outcome, String> {
    let key = keys::status(user_id);
    let state = record::get_or_rebuild::<StatusState>(host, &key)
        .map_err(|e| e.to_string())?
        .unwrap_or_default();
    let end_ms = busy.end.timestamp_millis();
    let start_ms = busy.start.timestamp_millis();
    if let Some(until) = state.theirs_until_ms.filter(|t| *t >= start_ms) {
        // The user took over during this stretch of meetings: theirs stays to its end.
        if end_ms > until {
            let next = StatusState {
                ours: None,
                theirs_until_ms: Some(end_ms),
            };
            write(host, &key, &state, &next)?;
        }
        return Ok(Outcome::LeftTheirs);
    }
    let mine = SavedStatus {
        emoji: EMOJI.into(),
        text: locale.t(Msg::StatusText),
        duration: DURATION.into(),
        expires_at_ms: Some(end_ms),
    };
    let (next, outcome) = match &state.ours {
        // Ours is on for an interval this one continues.
        Some(o) if o.end_ms >= start_ms => {
            if !current.is_some_and(|c| same(&o.set, c)) {
                // The user changed it during the meeting: theirs stays, and we stop here.
                let next = StatusState {
                    ours: None,
                    theirs_until_ms: Some(end_ms.max(o.end_ms)),
                };
                write(host, &key, &state, &next)?;
                return Ok(Outcome::LeftTheirs);
            }
            if o.end_ms == end_ms {
                return Ok(Outcome::Nothing);
            }
            let set = SavedStatus {
                expires_at_ms: Some(end_ms),
                ..o.set.clone()
            };
            host.update_custom_status(user_id, &custom(&set))
                .map_err(|e| e.message)?;
            let next = OurStatus {
                start_ms: o.start_ms,
                end_ms,
                set,
                saved: o.saved.clone(),
            };
            (next, Outcome::Extended)
        }
        earlier => {
            // A new interval. A status that is ours (left from an interval whose end went
            // unseen) is not kept as the user's own.
            let kept = match (current, earlier) {
                (Some(c), Some(o)) if same(&o.set, c) => o.saved.clone(),
                (Some(c), _) if c.emoji == EMOJI && c.text == mine.text => None,
                (Some(c), _) => Some(saved(c)),
                (None, _) => None,
            };
            host.update_custom_status(user_id, &custom(&mine))
                .map_err(|e| e.message)?;
            let next = OurStatus {
                start_ms,
                end_ms,
                set: mine,
                saved: kept,
            };
            (next, Outcome::Set)
        }
    };
    let next = StatusState {
        ours: Some(next),
        theirs_until_ms: None,
    };
    write(host, &key, &state, &next)?;
    Ok(outcome)
}

/// Turns ours off: puts the user's own status back if it is still in force.
pub fn off(
    host: &impl Host,
    user_id: &str,
    now_ms: i64,
    current: Option<&CustomStatus>,
) -> Result<Outcome, String> {
    let key = keys::status(user_id);
    let state = record::get_or_rebuild::<StatusState>(host, &key)
        .map_err(|e| e.to_string())?
        .unwrap_or_default();
    let Some(ours) = &state.ours else {
        return Ok(Outcome::Nothing);
    };
    let outcome = if !current.is_some_and(|c| same(&ours.set, c)) {
        Outcome::LeftTheirs
    } else {
        match &ours.saved {
            Some(s) if s.expires_at_ms.is_none_or(|at| at > now_ms) => {
                host.update_custom_status(user_id, &custom(s))
                    .map_err(|e| e.message)?;
                Outcome::Restored
            }
            _ => {
                host.remove_custom_status(user_id).map_err(|e| e.message)?;
                Outcome::Cleared
            }
        }
    };
    let next = StatusState {
        ours: None,
        theirs_until_ms: None,
    };
    write(host, &key, &state, &next)?;
    Ok(outcome)
}

/// Writes the state if it is still what we read (another instance may have moved on).
fn write(host: &impl Host, key: &str, old: &StatusState, new: &StatusState) -> Result<(), String> {
    let result = record::update(host, key, |cur: Result<Option<StatusState>, _>| {
        let cur = cur.ok().flatten().unwrap_or_default();
        if cur == *old {
            if *new == StatusState::default() {
                (store::Change::Delete, ())
            } else {
                (store::Change::Put(new.clone()), ())
            }
        } else {
            (store::Change::Keep, ())
        }
    });
    result.map_err(|e| {
        host.log(LogLevel::Error, &format!("status state not saved: {e}"));
        e.to_string()
    })
}
