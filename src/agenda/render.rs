//! An agenda as one Mattermost message: a title line, notes, then the meetings grouped by
//! day (`Mon, Dec 1` / `пн, 1 дек`), all-day and multi-day ones first. A message that
//! would pass [`BUDGET_CHARS`] stops at a whole line and says how to see the rest.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::i18n::{AgendaKind, Answer, Locale, Msg};
use crate::ical::{Occurrence, PartStat, Span};

/// Mattermost posts hold 16,383 characters; keep well below.
pub const BUDGET_CHARS: usize = 12_000;

/// A meeting to show and the calendar it came from (named when several are shown).
#[derive(Debug, Clone)]
pub struct Item {
    pub occurrence: Occurrence,
    pub calendar: Option<String>,
}

/// What the answer is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Request {
    pub kind: AgendaKind,
    pub from: NaiveDate,
    /// Inclusive.
    pub to: NaiveDate,
}

impl Request {
    pub fn days(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.from.iter_days().take_while(|d| *d <= self.to)
    }

    fn single_day(&self) -> bool {
        self.from == self.to
    }
}

pub fn render(
    locale: Locale,
    request: Request,
    tz: Tz,
    items: &[Item],
    notes: &[String],
    budget: usize,
) -> String {
    let day_range = |d: NaiveDate| (day_start(tz, d), day_start(tz, d + Duration::days(1)));
    // Which items each day shows, in display order.
    let mut days: Vec<(NaiveDate, Vec<usize>)> = Vec::new();
    for day in request.days() {
        let on_day = on_day(items, tz, day);
        if !on_day.is_empty() {
            days.push((day, on_day));
        }
    }
    let total = {
        let mut seen: Vec<usize> = days.iter().flat_map(|(_, v)| v.iter().copied()).collect();
        seen.sort_unstable();
        seen.dedup();
        seen.len()
    };

    let mut out = format!(
        "**{}** · {} · {}\n",
        locale.t(Msg::AgendaTitle {
            kind: request.kind,
            from: request.from,
            to: request.to,
        }),
        locale.t(Msg::MeetingCount(total)),
        locale.t(Msg::TimesIn { tz: tz.name() })
    );
    for note in notes {
        out.push_str(note);
        out.push('\n');
    }
    if days.is_empty() {
        out.push_str(&format!("\n{}\n", locale.t(Msg::NothingPlanned)));
        return out;
    }
    // Every line in order; a day heading goes with the day's first meeting.
    let mut entries: Vec<(NaiveDate, Option<String>, String, usize)> = Vec::new();
    for (day, on_day) in &days {
        let (from, to) = day_range(*day);
        for (n, &i) in on_day.iter().enumerate() {
            let heading = (n == 0).then(|| {
                if request.single_day() {
                    String::new()
                } else {
                    format!("\n**{}**", locale.t(Msg::Day(*day)))
                }
            });
            entries.push((*day, heading, line(locale, &items[i], tz, from, to), i));
        }
    }
    // Room kept for the "did not fit" lines.
    let reserve = 400;
    let mut used = out.chars().count();
    let mut shown: Vec<usize> = Vec::new();
    // Where the current day began, to drop a day that does not fit whole.
    let mut day_began: Option<(NaiveDate, usize, usize, usize)> = None;
    let mut whole_days = 0;
    for (day, heading, text, i) in &entries {
        if heading.is_some() {
            if day_began.is_some() {
                whole_days += 1;
            }
            day_began = Some((*day, out.len(), used, shown.len()));
        }
        let heading_len = heading.as_ref().map_or(0, |h| h.chars().count() + 1);
        if used + heading_len + text.chars().count() + 1 + reserve > budget {
            let mut cut_from = *day;
            // Never cut a day in two when whole days were shown: the rest starts with it.
            if let Some((began, at, _, n)) = day_began.filter(|_| whole_days > 0) {
                out.truncate(at);
                shown.truncate(n);
                cut_from = began;
            }
            shown.sort_unstable();
            shown.dedup();
            let rest = total - shown.len();
            if rest == 0 {
                return out;
            }
            out.push_str(&format!(
                "\n{}\n{}\n",
                locale.t(Msg::MoreNotShown {
                    count: rest,
                    from: cut_from,
                }),
                locale.t(Msg::ContinueWith {
                    command: &format!(
                        "/yandex_calendar range {} {}",
                        cut_from.format("%d.%m.%Y"),
                        request.to.format("%d.%m.%Y")
                    ),
                })
            ));
            return out;
        }
        if let Some(h) = heading {
            out.push_str(h);
            out.push('\n');
        }
        out.push_str(text);
        out.push('\n');
        used += heading_len + text.chars().count() + 1;
        shown.push(*i);
    }
    out
}

/// The items shown on `day`, in display order: whole-day ones first, then by start.
pub fn on_day(items: &[Item], tz: Tz, day: NaiveDate) -> Vec<usize> {
    let (from, to) = (day_start(tz, day), day_start(tz, day + Duration::days(1)));
    let mut on_day: Vec<usize> = (0..items.len())
        .filter(|&i| items[i].occurrence.overlaps(from, to, tz))
        .collect();
    on_day.sort_by_key(|&i| {
        let o = &items[i].occurrence;
        (
            !whole_day(o, tz, day),
            o.span.instants(tz).0,
            o.summary.clone(),
        )
    });
    on_day
}

/// An all-day event, or one that covers `day` or lasts a day or more: listed first and
/// never "in progress" like a meeting.
pub fn whole_day(o: &Occurrence, tz: Tz, day: NaiveDate) -> bool {
    let (from, to) = (day_start(tz, day), day_start(tz, day + Duration::days(1)));
    let (start, end) = o.span.instants(tz);
    o.span.is_all_day() || (start <= from && end >= to) || end - start >= Duration::days(1)
}

/// The first instant of a day in `tz` (the rule all-day events use, DST gaps included).
pub fn day_start(tz: Tz, d: NaiveDate) -> DateTime<Utc> {
    Span::AllDay { start: d, end: d }.instants(tz).0
}

/// One meeting's line on one day.
fn line(
    locale: Locale,
    item: &Item,
    tz: Tz,
    day_from: DateTime<Utc>,
    day_to: DateTime<Utc>,
) -> String {
    let o = &item.occurrence;
    let when = when(locale, o, tz, day_from, day_to);
    let title = markdown_text(&o.summary);
    let answer = my_answer(o);
    let mut out = if answer == Some(Answer::Declined) {
        format!("- ~~{when} {title}~~")
    } else {
        format!("- {when} **{title}**")
    };
    if let Some(loc) = o
        .location
        .as_deref()
        .map(str::trim)
        .filter(|l| !l.is_empty())
    {
        if o.telemost.as_deref() != Some(loc) {
            out.push_str(" · ");
            out.push_str(&markdown_text(loc));
        }
    }
    if let Some(link) = &o.telemost {
        out.push_str(&format!(
            " · [{}]({})",
            locale.t(Msg::TelemostLink),
            link_target(link)
        ));
    }
    if let Some(cal) = &item.calendar {
        out.push_str(&format!(" · _{}_", markdown_text(cal)));
    }
    if let Some(a) = answer {
        out.push_str(&format!(" · {}", locale.t(Msg::MyAnswer(a))));
    }
    out
}

/// When a meeting happens, as shown on a day `[day_from, day_to)`: `10:00–10:30`, `All day`
/// (with its dates when longer than a day), or both ends with dates when it crosses the day.
pub fn when(
    locale: Locale,
    o: &Occurrence,
    tz: Tz,
    day_from: DateTime<Utc>,
    day_to: DateTime<Utc>,
) -> String {
    let (start, end) = o.span.instants(tz);
    match o.span {
        Span::AllDay { start: s, end: e } => {
            let last = e - Duration::days(1);
            if last > s {
                format!(
                    "{} ({} – {})",
                    locale.t(Msg::AllDay),
                    locale.t(Msg::DayNoWeekday(s)),
                    locale.t(Msg::DayNoWeekday(last))
                )
            } else {
                locale.t(Msg::AllDay)
            }
        }
        Span::Timed { .. } if start < day_from || end > day_to => {
            let (ls, le) = (start.with_timezone(&tz), end.with_timezone(&tz));
            format!(
                "{} {} – {} {}",
                locale.t(Msg::DayNoWeekday(ls.date_naive())),
                ls.format("%H:%M"),
                locale.t(Msg::DayNoWeekday(le.date_naive())),
                le.format("%H:%M")
            )
        }
        Span::Timed { .. } => format!(
            "{}–{}",
            start.with_timezone(&tz).format("%H:%M"),
            end.with_timezone(&tz).format("%H:%M")
        ),
    }
}

/// My answer, when it is worth showing: none for meetings I organize or accepted.
pub fn my_answer(o: &Occurrence) -> Option<Answer> {
    if o.i_organize {
        return None;
    }
    match o.my_partstat {
        Some(PartStat::Declined) => Some(Answer::Declined),
        Some(PartStat::Tentative) => Some(Answer::Tentative),
        Some(PartStat::NeedsAction) => Some(Answer::NotAnswered),
        _ => None,
    }
}

/// Text from a calendar, safe inside Markdown: one line, formatting characters escaped.
pub fn markdown_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.split_whitespace().collect::<Vec<_>>().join(" ").chars() {
        if matches!(
            c,
            '\\' | '*' | '_' | '~' | '`' | '[' | ']' | '<' | '>' | '|' | '#'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A URL inside `(…)` of a Markdown link: no spaces or parentheses to end it early.
fn link_target(url: &str) -> String {
    url.replace(' ', "%20")
        .replace('(', "%28")
        .replace(')', "%29")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ical::{Occurrence, Span, Status};

    fn meeting(i: usize, day: NaiveDate) -> Item {
        let start = day_start(Tz::UTC, day) + Duration::minutes(10 * i as i64);
        Item {
            occurrence: Occurrence {
                uid: format!("u{i}"),
                recurrence_id: None,
                recurring: false,
                overridden: false,
                span: Span::Timed {
                    start,
                    end: start + Duration::minutes(10),
                },
                summary: format!("Meeting number {i} with a rather long title"),
                location: None,
                description: None,
                telemost: None,
                web_link: None,
                status: Status::Confirmed,
                transparent: false,
                organizer: None,
                attendees: vec![],
                my_partstat: None,
                i_organize: false,
            },
            calendar: None,
        }
    }

    #[test]
    fn a_day_too_long_for_one_message_is_cut_between_lines() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or_default();
        let items: Vec<Item> = (0..100).map(|i| meeting(i, day)).collect();
        let request = Request {
            kind: AgendaKind::Today,
            from: day,
            to: day,
        };
        let text = render(Locale::En, request, Tz::UTC, &items, &[], 2_000);
        assert!(text.chars().count() <= 2_000, "{}", text.len());
        let lines: Vec<&str> = text.lines().collect();
        let shown = lines.iter().filter(|l| l.starts_with("- ")).count();
        assert!(shown > 10 && shown < 100, "{shown}");
        for l in lines.iter().filter(|l| l.starts_with("- ")) {
            assert!(l.ends_with("rather long title**"), "a cut line: {l}");
        }
        assert!(
            text.contains(&format!(
                "Did not fit in this message: {} meetings",
                100 - shown
            )),
            "{text}"
        );
        assert!(text.contains("`/yandex_calendar range 01.12.2026 01.12.2026`"));
    }
}
