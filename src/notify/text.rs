//! The texts notifications send, in the user's language and timezone. Words come from
//! [`crate::i18n`]; this module only puts them together.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;

use super::model::Upcoming;
use crate::agenda::render::{self, markdown_text, Item, Request};
use crate::i18n::{AgendaKind, Locale, Msg};
use crate::ical::Span;

/// `Mon, Dec 1, 10:00–10:30` / `пн, 1 дек, 10:00–10:30`; the end with its date when it is
/// another day; all-day spans as `Mon, Dec 1 (All day)`.
pub fn when(locale: Locale, span: &Span, tz: Tz) -> String {
    match *span {
        Span::AllDay { start, end } => {
            let last = end - Duration::days(1);
            if last > start {
                format!(
                    "{} – {} ({})",
                    locale.t(Msg::Day(start)),
                    locale.t(Msg::Day(last)),
                    locale.t(Msg::AllDay).to_lowercase()
                )
            } else {
                format!(
                    "{} ({})",
                    locale.t(Msg::Day(start)),
                    locale.t(Msg::AllDay).to_lowercase()
                )
            }
        }
        Span::Timed { start, end } => {
            let (s, e) = (start.with_timezone(&tz), end.with_timezone(&tz));
            if s.date_naive() == e.date_naive() {
                format!(
                    "{}–{}",
                    locale.t(Msg::DayTime(s.naive_local())),
                    e.format("%H:%M")
                )
            } else {
                format!(
                    "{} – {}",
                    locale.t(Msg::DayTime(s.naive_local())),
                    locale.t(Msg::DayTime(e.naive_local()))
                )
            }
        }
    }
}

/// The start only: `Fri, Jun 11, 11:00` (a date for all-day spans).
pub fn starts(locale: Locale, span: &Span, tz: Tz) -> String {
    match *span {
        Span::AllDay { start, .. } => locale.t(Msg::Day(start)),
        Span::Timed { start, .. } => locale.t(Msg::DayTime(start.with_timezone(&tz).naive_local())),
    }
}

/// A Markdown link whose target cannot end early.
pub fn link(label: &str, url: &str) -> String {
    let target = url
        .replace(' ', "%20")
        .replace('(', "%28")
        .replace(')', "%29");
    format!("[{label}]({target})")
}

/// The reminder of one meeting: when, title (a link to the event when there is one),
/// place, attendees and the Join link.
pub fn reminder(locale: Locale, m: &Upcoming, tz: Tz, now: DateTime<Utc>) -> String {
    let start = m.instants(tz).0;
    // Whole minutes, rounded up: a reminder sent at 9:50:00.4 for 10:00 says "in 10 min".
    let minutes = ((start - now).num_milliseconds().max(0) + 59_999) / 60_000;
    let head = if minutes <= 0 {
        locale.t(Msg::ReminderNow)
    } else {
        locale.t(Msg::ReminderIn { minutes })
    };
    let title = markdown_text(&m.summary);
    let title = match &m.web_link {
        Some(url) => link(&format!("**{title}**"), url),
        None => format!("**{title}**"),
    };
    let mut out = format!("{head}: {title} · {}", when(locale, &m.span, tz));
    let mut details = Vec::new();
    if let Some(place) = m
        .location
        .as_deref()
        .map(str::trim)
        .filter(|l| !l.is_empty() && Some(*l) != m.join.as_deref())
    {
        details.push(format!("📍 {}", markdown_text(place)));
    }
    if m.attendees > 0 {
        details.push(format!(
            "👥 {}",
            locale.t(Msg::Attendees(m.attendees as usize))
        ));
    }
    if !details.is_empty() {
        out.push('\n');
        out.push_str(&details.join(" · "));
    }
    if let Some(url) = &m.join {
        out.push_str(&format!("\n🎥 {}", link(&locale.t(Msg::JoinLink), url)));
    }
    out
}

/// The digest of local `date`: the day's meetings as the agenda shows them, without the
/// declined ones, all-day events on top; `None` when the day is empty and the user asked
/// not to be told.
pub fn digest(
    locale: Locale,
    meetings: &[Upcoming],
    calendar_names: &dyn Fn(&str) -> Option<String>,
    tz: Tz,
    date: NaiveDate,
    say_empty: bool,
) -> Option<String> {
    let items: Vec<Item> = meetings
        .iter()
        .filter(|m| !m.declined())
        .map(|m| Item {
            occurrence: m.to_occurrence(),
            calendar: calendar_names(&m.calendar),
        })
        .collect();
    if render::on_day(&items, tz, date).is_empty() && !say_empty {
        return None;
    }
    let request = Request {
        kind: AgendaKind::Digest,
        from: date,
        to: date,
    };
    Some(render::render(
        locale,
        request,
        tz,
        &items,
        &[],
        render::BUDGET_CHARS,
    ))
}
