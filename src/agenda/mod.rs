//! The agenda: which days were asked for, syncing first, and the meetings of the user's
//! selected calendars in their timezone.

pub mod dates;
pub mod render;

use chrono::{Duration, NaiveDate, Utc};

use crate::account::{self, refresh, Person};
use crate::bindings::types::LogLevel;
use crate::commands::tree::Action;
use crate::host::Host;
use crate::i18n::{AgendaKind, Msg};
use crate::ical::{self, ExpandOptions, Me, Window};
use crate::store::{Account, AccountStatus, Problem};

use dates::DateError;
use render::{Item, Request};

/// The longest range one answer covers.
pub const MAX_RANGE_DAYS: i64 = 92;

/// Why the days asked for cannot be shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestError {
    Date(DateError),
    Backwards { from: NaiveDate, to: NaiveDate },
    TooLong { days: i64 },
    Outside { from: NaiveDate, to: NaiveDate },
}

/// The days an agenda command asks for, relative to `today` in the user's zone.
pub fn request(action: Action, args: &[String], today: NaiveDate) -> Result<Request, RequestError> {
    let date = |i: usize| -> Result<NaiveDate, RequestError> {
        dates::parse(args.get(i).map_or("", String::as_str), today).map_err(RequestError::Date)
    };
    let (kind, from, to) = match action {
        Action::AgendaTomorrow => {
            let d = today + Duration::days(1);
            (AgendaKind::Tomorrow, d, d)
        }
        Action::AgendaDate => {
            let d = date(0)?;
            let kind = if d == today {
                AgendaKind::Today
            } else if d == today + Duration::days(1) {
                AgendaKind::Tomorrow
            } else {
                AgendaKind::Day
            };
            (kind, d, d)
        }
        Action::AgendaRange => {
            let (from, to) = (date(0)?, date(1)?);
            if to < from {
                return Err(RequestError::Backwards { from, to });
            }
            let days = (to - from).num_days() + 1;
            if days > MAX_RANGE_DAYS {
                return Err(RequestError::TooLong { days });
            }
            let kind = if from == to {
                AgendaKind::Day
            } else {
                AgendaKind::Range
            };
            (kind, from, to)
        }
        Action::AgendaWeek => (AgendaKind::Week, today, today + Duration::days(6)),
        Action::AgendaMonth => (AgendaKind::Month, today, today + Duration::days(29)),
        _ => (AgendaKind::Today, today, today),
    };
    let earliest = today - Duration::days(refresh::AGENDA_DAYS_BACK);
    let latest = today + Duration::days(refresh::AGENDA_DAYS_AHEAD);
    if from < earliest || to > latest {
        return Err(RequestError::Outside {
            from: earliest,
            to: latest,
        });
    }
    Ok(Request { kind, from, to })
}

pub fn explain(person: &Person, e: &RequestError) -> String {
    let l = person.locale;
    match e {
        RequestError::Date(DateError::Unrecognized(input)) => l.t(Msg::BadDate { input }),
        RequestError::Date(DateError::NoSuchDate(input)) => l.t(Msg::NoSuchDate { input }),
        RequestError::Backwards { from, to } => l.t(Msg::RangeBackwards {
            from: *from,
            to: *to,
        }),
        RequestError::TooLong { days } => l.t(Msg::RangeTooLong {
            days: *days,
            max: MAX_RANGE_DAYS,
        }),
        RequestError::Outside { from, to } => l.t(Msg::OutsideWindow {
            from: *from,
            to: *to,
        }),
    }
}

/// Answers an agenda command: checks the dates, syncs, renders.
pub fn answer(host: &impl Host, user_id: &str, action: Action, args: &[String]) -> String {
    let (account, person) = match account::connected(host, user_id) {
        Ok(found) => found,
        Err(message) => return message,
    };
    let now = chrono::DateTime::<Utc>::from_timestamp_millis(host.now_ms()).unwrap_or_default();
    let today = now.with_timezone(&person.tz).date_naive();
    let request = match request(action, args, today) {
        Ok(r) => r,
        Err(e) => return explain(&person, &e),
    };
    let mut notes = Vec::new();
    let l = person.locale;
    match sync_before_answer(host, user_id, &account, &person) {
        Synced::Fresh => {}
        Synced::Busy => {}
        Synced::Stale(p) => notes.push(l.t(Msg::StaleData { problem: p })),
        Synced::Paused(p) => notes.push(l.t(Msg::PausedNote { problem: p })),
    }
    let stored = match account::data::read(host, user_id, &account) {
        Ok(s) => s,
        Err(p) => return l.t(Msg::Problem(p)),
    };
    if stored.calendars.is_empty() {
        // Nothing synced yet: say why rather than "nothing planned".
        return match stored.markers.last_problem {
            Some(p) => l.t(Msg::NeverSynced { problem: p.problem }),
            None => l.t(Msg::FirstSyncRunning),
        };
    }
    let calendars: Vec<(String, Vec<String>)> = stored
        .calendars
        .into_iter()
        .map(|c| (c.name, c.bodies))
        .collect();
    let me = account::me(&account, &person);
    let (items, skipped) = meetings(&calendars, person.tz, &me, &request);
    for s in skipped {
        host.log(
            LogLevel::Debug,
            &format!("agenda skipped {:?}: {}", s.uid, s.reason),
        );
    }
    render::render(l, request, person.tz, &items, &notes, render::BUDGET_CHARS)
}

/// How the sync before an answer went.
pub enum Synced {
    Fresh,
    Busy,
    Stale(Problem),
    Paused(Problem),
}

/// Syncs the user's calendars before answering, unless the account is paused; a refused
/// password pauses it (and tells the user once).
pub fn sync_before_answer(
    host: &impl Host,
    user_id: &str,
    account: &Account,
    person: &Person,
) -> Synced {
    if let AccountStatus::Paused { problem, .. } = account.status {
        return Synced::Paused(problem);
    }
    let password = match account::password(host, user_id, account) {
        Ok(p) => p,
        Err(p) => return Synced::Stale(p),
    };
    match refresh::refresh(host, user_id, account, &password) {
        Ok(refresh::Outcome::Fresh { .. }) => Synced::Fresh,
        Ok(refresh::Outcome::Busy) => Synced::Busy,
        Ok(refresh::Outcome::Stale(p)) | Err(p) => Synced::Stale(p),
        Ok(refresh::Outcome::Rejected) => {
            account::connect::password_rejected(host, user_id, account, person.locale);
            Synced::Paused(Problem::WrongPassword)
        }
    }
}

/// The meetings of calendars (name, raw bodies) that overlap the request, in display
/// order; each calendar is named on its lines when there are several. Objects that could
/// not be read come back for the caller to log.
pub fn meetings(
    calendars: &[(String, Vec<String>)],
    tz: chrono_tz::Tz,
    me: &Me,
    request: &Request,
) -> (Vec<Item>, Vec<ical::Skipped>) {
    let window = Window {
        from: render::day_start(tz, request.from),
        to: render::day_start(tz, request.to + Duration::days(1)),
    };
    let opts = ExpandOptions::new(window, tz);
    let named = calendars.len() > 1;
    let mut items: Vec<Item> = Vec::new();
    let mut notes = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for (name, bodies) in calendars {
        for body in bodies {
            let parsed = ical::parse_calendar(body);
            let (occurrences, skipped) = ical::expand_all(&parsed.series, &opts, me);
            notes.extend(parsed.skipped);
            notes.extend(skipped);
            for o in occurrences {
                if !o.overlaps(window.from, window.to, tz) {
                    continue;
                }
                // The same meeting in two calendars (an invitation copy) shows once.
                if !seen.insert((o.uid.clone(), o.recurrence_id.clone())) {
                    continue;
                }
                items.push(Item {
                    occurrence: o,
                    calendar: named.then(|| name.clone()),
                });
            }
        }
    }
    items.sort_by_key(|i| {
        (
            i.occurrence.span.instants(tz).0,
            i.occurrence.summary.clone(),
        )
    });
    (items, notes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_days_each_command_asks_for() {
        let today = d(2026, 11, 30);
        let r = |action, a: &[&str]| request(action, &args(a), today);
        assert_eq!(
            r(Action::AgendaToday, &[]).map(|q| (q.kind, q.from, q.to)),
            Ok((AgendaKind::Today, today, today))
        );
        assert_eq!(
            r(Action::AgendaTomorrow, &[]).map(|q| q.from),
            Ok(d(2026, 12, 1))
        );
        assert_eq!(r(Action::AgendaWeek, &[]).map(|q| q.to), Ok(d(2026, 12, 6)));
        assert_eq!(
            r(Action::AgendaMonth, &[]).map(|q| q.to),
            Ok(d(2026, 12, 29))
        );
        assert_eq!(
            r(Action::AgendaDate, &["завтра"]).map(|q| q.kind),
            Ok(AgendaKind::Tomorrow)
        );
        assert_eq!(
            r(Action::AgendaRange, &["1.12", "7.12"]).map(|q| (q.kind, q.from, q.to)),
            Ok((AgendaKind::Range, d(2026, 12, 1), d(2026, 12, 7)))
        );
        assert_eq!(
            r(Action::AgendaRange, &["7.12", "1.12"]),
            Err(RequestError::Backwards {
                from: d(2026, 12, 7),
                to: d(2026, 12, 1)
            })
        );
        assert_eq!(
            r(Action::AgendaRange, &["01.12.2026", "01.06.2027"]),
            Err(RequestError::TooLong { days: 183 })
        );
        assert!(matches!(
            r(Action::AgendaDate, &["01.01.2030"]),
            Err(RequestError::Outside { .. })
        ));
        assert_eq!(
            r(Action::AgendaDate, &["someday"]),
            Err(RequestError::Date(DateError::Unrecognized(
                "someday".into()
            )))
        );
    }
}
