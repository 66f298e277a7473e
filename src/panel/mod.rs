//! The web app's "Today" panel: one day of the user's meetings as [`view::Panel`] JSON,
//! served at `GET /api/v1/agenda?day=…` ([`crate::http`]). The account, the timezone, the
//! meetings, their order and every text come from the same code as `/yandex_calendar
//! today` ([`crate::account`], [`crate::agenda`], [`crate::i18n`]), so the two agree.
//!
//! The panel asks every minute, so an answer reads what is stored and syncs only when the
//! last sync (or failed attempt) is older than the admin's sync interval; a sync that
//! changes something tells the user's open apps ([`events`]).
//!
//! "in 12 min" is rendered here, not in the browser: Russian plurals and every text stay in
//! one catalog, and it is counted on the same clock as the rest of the answer (the host's);
//! the panel asks again each minute, and the raw instants let it time that.

pub mod events;
pub mod view;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::account::{self, refresh};
use crate::agenda::{self, render, Synced};
use crate::commands::tree::Action;
use crate::host::Host;
use crate::i18n::{Answer, Locale, Msg};
use crate::store::{Account, CalendarId, Markers};
use view::{AnswerCode, DayView, Meeting, MeetingState, Panel};

/// The panel's route below the plugin's HTTP root.
pub const AGENDA_PATH: &str = "/api/v1/agenda";
/// The command the panel offers to a user with no account.
pub const CONNECT_COMMAND: &str = "/yandex_calendar connect";

const MINUTE_MS: i64 = 60_000;

/// The panel for `day` (anything the agenda's date parser reads: `today`, `yesterday`,
/// `2026-12-01`, …; empty is today). The status is 400 for a day that cannot be shown.
pub fn agenda(host: &impl Host, user_id: &str, day: &str) -> (u16, Panel) {
    let account = match account::load(host, user_id) {
        Ok(Some(a)) => a,
        Ok(None) => {
            let locale = account::person(host, user_id, None).locale;
            return (
                200,
                Panel::NotConnected {
                    locale: code(locale),
                    message: locale.t(Msg::PanelNotConnected),
                    command: CONNECT_COMMAND.into(),
                },
            );
        }
        Err(p) => {
            let locale = account::person(host, user_id, None).locale;
            return (200, problem(locale, &locale.t(Msg::Problem(p))));
        }
    };
    let person = account::person(host, user_id, Some(&account));
    let l = person.locale;
    let now_ms = host.now_ms();
    let now = DateTime::<Utc>::from_timestamp_millis(now_ms).unwrap_or_default();
    let today = now.with_timezone(&person.tz).date_naive();
    let day = if day.trim().is_empty() { "today" } else { day };
    let request = match agenda::request(Action::AgendaDate, &[day.to_string()], today) {
        Ok(r) => r,
        Err(e) => return (400, problem(l, &agenda::explain(&person, &e))),
    };

    let mut notes = Vec::new();
    let markers = match account::data::markers(host, user_id) {
        Ok(m) => m,
        Err(p) => return (200, problem(l, &l.t(Msg::Problem(p)))),
    };
    let interval = crate::settings::current(host).sync_interval_minutes;
    if account.is_paused() || sync_due(&account, &markers, now_ms, interval) {
        match agenda::sync_before_answer(host, user_id, &account, &person) {
            Synced::Fresh | Synced::Busy => {}
            Synced::Stale(p) => notes.push(l.t(Msg::StaleData { problem: p })),
            Synced::Paused(p) => notes.push(l.t(Msg::PausedNote { problem: p })),
        }
    } else if let Some(p) = markers
        .last_problem
        .filter(|p| markers.last_ok_ms.is_none_or(|ok| p.at_ms > ok))
    {
        // Not asked again yet: the last attempt's failure still stands.
        notes.push(l.t(Msg::StaleData { problem: p.problem }));
    }
    let stored = match account::data::read(host, user_id, &account) {
        Ok(s) => s,
        Err(p) => return (200, problem(l, &l.t(Msg::Problem(p)))),
    };
    if stored.calendars.is_empty() {
        let message = match stored.markers.last_problem {
            Some(p) => l.t(Msg::NeverSynced { problem: p.problem }),
            None => l.t(Msg::FirstSyncRunning),
        };
        return (200, problem(l, &message));
    }
    let calendars: Vec<(String, Vec<String>)> = stored
        .calendars
        .into_iter()
        .map(|c| (c.name, c.bodies))
        .collect();
    let me = account::me(&account, &person);
    // Unreadable objects are logged by the command; asked every minute, the panel stays quiet.
    let (items, _skipped) = agenda::meetings(&calendars, person.tz, &me, &request);
    let meetings = day_meetings(l, &items, person.tz, request.from, now);
    let (first_day, last_day) = (
        today - Duration::days(refresh::AGENDA_DAYS_BACK),
        today + Duration::days(refresh::AGENDA_DAYS_AHEAD),
    );
    let view = DayView {
        locale: code(l),
        timezone: person.tz.name().to_string(),
        now_ms,
        today,
        day: request.from,
        first_day,
        last_day,
        title: l.t(Msg::AgendaTitle {
            kind: request.kind,
            from: request.from,
            to: request.to,
        }),
        summary: format!(
            "{} · {}",
            l.t(Msg::MeetingCount(meetings.len())),
            l.t(Msg::TimesIn {
                tz: person.tz.name()
            })
        ),
        notes: notes.iter().map(|n| plain(n)).collect(),
        empty: meetings.is_empty().then(|| l.t(Msg::NothingPlanned)),
        meetings,
    };
    (200, Panel::Day(Box::new(view)))
}

/// Whether the stored meetings are old enough to ask the server: the last sync or failed
/// attempt is an interval ago, or a selected calendar was never synced.
fn sync_due(account: &Account, markers: &Markers, now_ms: i64, interval_minutes: u32) -> bool {
    let never = account.selected().any(|c| {
        !markers
            .calendars
            .contains_key(CalendarId::of_url(&c.url).as_str())
    });
    let last = markers
        .last_ok_ms
        .into_iter()
        .chain(markers.last_problem.map(|p| p.at_ms))
        .max();
    never || last.is_none_or(|t| now_ms - t >= i64::from(interval_minutes.max(1)) * MINUTE_MS)
}

/// The meetings of `day` in display order, each placed relative to `now`.
fn day_meetings(
    l: Locale,
    items: &[render::Item],
    tz: Tz,
    day: NaiveDate,
    now: DateTime<Utc>,
) -> Vec<Meeting> {
    let (day_from, day_to) = (
        render::day_start(tz, day),
        render::day_start(tz, day + Duration::days(1)),
    );
    let mut next_taken = false;
    render::on_day(items, tz, day)
        .into_iter()
        .map(|i| {
            let item = &items[i];
            let o = &item.occurrence;
            let (start, end) = o.span.instants(tz);
            let answer = render::my_answer(o);
            let declined = answer == Some(Answer::Declined);
            // Declined meetings are never highlighted nor counted down to.
            let state = if render::whole_day(o, tz, day) {
                MeetingState::AllDay
            } else if end <= now {
                MeetingState::Past
            } else if start <= now && !declined {
                MeetingState::Now
            } else if start > now && !declined && !next_taken && start - now < Duration::days(1) {
                next_taken = true;
                MeetingState::Next
            } else {
                MeetingState::Later
            };
            let relative = match state {
                MeetingState::Now => Some(l.t(Msg::EndsIn {
                    minutes: minutes_until(now, end),
                })),
                MeetingState::Next => Some(l.t(Msg::StartsIn {
                    minutes: minutes_until(now, start),
                })),
                _ => None,
            };
            let join_url = o.telemost.as_deref().and_then(web_link);
            let location = o
                .location
                .as_deref()
                .map(one_line)
                .filter(|loc| !loc.is_empty() && o.telemost.as_deref() != Some(loc.as_str()));
            Meeting {
                id: format!(
                    "{}|{}",
                    o.uid,
                    o.recurrence_id.as_deref().unwrap_or_default()
                ),
                when: render::when(l, o, tz, day_from, day_to),
                start_ms: start.timestamp_millis(),
                end_ms: end.timestamp_millis(),
                title: one_line(&o.summary),
                location,
                join_url,
                web_url: o.web_link.as_deref().and_then(web_link),
                calendar: item.calendar.clone(),
                answer: answer.map(|a| match a {
                    Answer::Declined => AnswerCode::Declined,
                    Answer::Tentative => AnswerCode::Tentative,
                    Answer::NotAnswered => AnswerCode::NotAnswered,
                }),
                answer_text: answer.map(|a| l.t(Msg::MyAnswer(a))),
                state,
                relative,
            }
        })
        .collect()
}

/// Whole minutes from `now` to `t`, rounded up: a meeting 30 s away starts "in 1 min".
fn minutes_until(now: DateTime<Utc>, t: DateTime<Utc>) -> i64 {
    ((t - now).num_milliseconds() + MINUTE_MS - 1).div_euclid(MINUTE_MS)
}

/// Only web links become links: a calendar may carry any URI scheme.
fn web_link(url: &str) -> Option<String> {
    let url = url.trim();
    let lower = url.to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://")).then(|| url.to_string())
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The catalog's sentences are Markdown for posts; the panel shows them as plain text.
fn plain(markdown: &str) -> String {
    markdown.replace("**", "").replace('`', "")
}

fn problem(locale: Locale, message: &str) -> Panel {
    Panel::Problem {
        locale: code(locale),
        message: plain(message),
    }
}

fn code(locale: Locale) -> &'static str {
    match locale {
        Locale::En => "en",
        Locale::Ru => "ru",
    }
}

#[cfg(test)]
mod tests;
