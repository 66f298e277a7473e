//! My answer to an invitation, written into the calendar object: PARTSTAT on my ATTENDEE
//! line of the master (the whole series) or of one instance's override, which is added
//! when the instance has none (a copy of the master for that instance, as calendar clients
//! write it: RECURRENCE-ID, the instance's own DTSTART/DTEND, no RRULE/RDATE/EXDATE).
//!
//! The edit is made on the text ([`super::lines`]): every other line — the organizer's
//! fields, the other attendees, properties we do not know — goes back byte for byte.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;

use super::event::event_from_component;
use super::lines::{self, Line};
use super::me::Me;
use super::model::{Event, PartStat};
use super::props;
use super::time::{localize, parse_date, parse_date_time, Time};
use super::zones::ZoneMap;

/// What the answer is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target<'a> {
    /// The meeting, or every meeting of the series.
    Series,
    /// One meeting of a series, by its identity (`Occurrence::recurrence_id`).
    Instance(&'a str),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnswerError {
    #[error("the object holds no meeting with this UID")]
    NoSuchMeeting,
    #[error("the series has no meeting {0}")]
    NoSuchInstance(String),
    #[error("I am not among the attendees")]
    NotInvited,
    #[error("I organize this meeting")]
    Organizer,
    #[error("the meeting cannot be read: {0}")]
    Unreadable(String),
}

/// The token of an answer in PARTSTAT.
pub fn partstat_token(answer: PartStat) -> &'static str {
    match answer {
        PartStat::NeedsAction => "NEEDS-ACTION",
        PartStat::Accepted => "ACCEPTED",
        PartStat::Declined => "DECLINED",
        PartStat::Tentative => "TENTATIVE",
        PartStat::Delegated => "DELEGATED",
    }
}

/// One VEVENT of the text: its lines (`begin..=end`) and what it says.
struct Block {
    begin: usize,
    end: usize,
    event: Event,
}

/// Sets my answer in `ics` for meeting `uid`. `user_tz` reads floating and all-day values
/// as the expansion did when it named the instance.
pub fn set_my_answer(
    ics: &str,
    uid: &str,
    target: Target<'_>,
    me: &Me,
    answer: PartStat,
    user_tz: Tz,
) -> Result<String, AnswerError> {
    let all = lines::lines(ics);
    let eol = lines::line_end(ics);
    let blocks = meeting_blocks(&all, uid)?;
    let master = blocks.iter().find(|b| b.event.recurrence_id.is_none());
    let people = master.unwrap_or(&blocks[0]);
    if me.organizes(&people.event) {
        return Err(AnswerError::Organizer);
    }
    // Replacement text by line index, and a new block to insert after a line.
    let mut replace: Vec<(usize, String)> = Vec::new();
    let mut insert: Option<(usize, String)> = None;
    let recurring = master.is_none_or(|m| {
        !m.event.rrules.is_empty() || !m.event.rdates.is_empty() || blocks.len() > 1
    });
    let instance = match target {
        Target::Instance(key) if recurring => Some(key),
        _ => None,
    };
    match instance {
        None => {
            // The series: the master and every override that lists its own attendees.
            let mut found = false;
            for b in &blocks {
                found |= mark_me(&all, b, me, answer, eol, &mut replace)?;
            }
            if !found {
                return Err(AnswerError::NotInvited);
            }
        }
        Some(key) => {
            let existing = blocks.iter().find(|b| {
                b.event
                    .recurrence_id
                    .is_some_and(|rid| instance_key(master.map(|m| &m.event), &rid, user_tz) == key)
            });
            match (existing, master) {
                (Some(b), _) if !b.event.attendees.is_empty() || b.event.organizer.is_some() => {
                    if !mark_me(&all, b, me, answer, eol, &mut replace)? {
                        return Err(AnswerError::NotInvited);
                    }
                }
                (Some(b), Some(m)) => {
                    // An override that leaves the people to the master: give it the
                    // master's, with my answer.
                    let people = people_lines(&all, m, me, answer, eol)?;
                    let last = b.end - 1;
                    replace.push((last, format!("{}{people}", all[last].raw)));
                }
                (None, Some(m)) => {
                    let block = new_override(&all, m, key, me, answer, eol, user_tz)?;
                    let after = blocks.iter().map(|b| b.end).max().unwrap_or(m.end);
                    insert = Some((after, block));
                }
                (_, None) => return Err(AnswerError::NoSuchInstance(key.to_string())),
            }
        }
    }
    let mut out = String::with_capacity(ics.len() + 256);
    for (i, line) in all.iter().enumerate() {
        match replace.iter().find(|(at, _)| *at == i) {
            Some((_, text)) => out.push_str(text),
            None => out.push_str(line.raw),
        }
        if let Some((after, block)) = &insert {
            if *after == i {
                if !line.raw.ends_with('\n') {
                    out.push_str(eol);
                }
                out.push_str(block);
            }
        }
    }
    Ok(out)
}

/// The VEVENTs of `uid` in the text, with their meaning. Zones come from the text's
/// VTIMEZONEs.
fn meeting_blocks(all: &[Line<'_>], uid: &str) -> Result<Vec<Block>, AnswerError> {
    let mut zones = ZoneMap::default();
    let mut found = Vec::new();
    // Components directly inside VCALENDAR (or at top level): (kind, begin, end).
    let mut top: Vec<(String, usize, usize)> = Vec::new();
    let mut stack: Vec<(String, usize)> = Vec::new();
    for (i, line) in all.iter().enumerate() {
        match line.begin_end() {
            Some((true, name)) => stack.push((name, i)),
            Some((false, name)) => {
                let Some((open, begin)) = stack.pop() else {
                    return Err(AnswerError::Unreadable(format!("END:{name} without BEGIN")));
                };
                if open != name {
                    return Err(AnswerError::Unreadable(format!(
                        "BEGIN:{open} … END:{name}"
                    )));
                }
                let depth_ok = match stack.as_slice() {
                    [] => open != "VCALENDAR",
                    [(outer, _)] => outer == "VCALENDAR",
                    _ => false,
                };
                if depth_ok {
                    top.push((open, begin, i));
                }
            }
            None => {}
        }
    }
    if let Some((open, _)) = stack.last() {
        return Err(AnswerError::Unreadable(format!("{open} is not closed")));
    }
    let text_of = |begin: usize, end: usize| -> String {
        all[begin..=end]
            .iter()
            .map(|l| format!("{}\n", l.text))
            .collect()
    };
    for (_, begin, end) in top.iter().filter(|(k, _, _)| k == "VTIMEZONE") {
        let text = text_of(*begin, *end);
        if let Ok(comps) = icalendar::parser::read_components(&text) {
            if let Some(c) = comps.first() {
                // A zone we cannot map makes its times unreadable: parsing says so below.
                let _ = zones.add_vtimezone(c);
            }
        }
    }
    for (_, begin, end) in top.iter().filter(|(k, _, _)| k == "VEVENT") {
        let own_uid = all[*begin..=*end]
            .iter()
            .find(|l| l.name() == "UID")
            .and_then(|l| l.value())
            .map(|v| v.trim().to_string());
        if own_uid.as_deref() != Some(uid) {
            continue;
        }
        let text = text_of(*begin, *end);
        let comps = icalendar::parser::read_components(&text)
            .map_err(|e| AnswerError::Unreadable(e.lines().next().unwrap_or("").to_string()))?;
        let comp = comps
            .first()
            .ok_or_else(|| AnswerError::Unreadable("empty VEVENT".into()))?;
        let event = event_from_component(comp, &zones).map_err(AnswerError::Unreadable)?;
        found.push(Block {
            begin: *begin,
            end: *end,
            event,
        });
    }
    if found.is_empty() {
        return Err(AnswerError::NoSuchMeeting);
    }
    Ok(found)
}

/// The lines of a block that belong to it directly (not to a VALARM inside it), by index.
fn own_lines<'l, 'a>(
    all: &'l [Line<'a>],
    b: &Block,
) -> impl Iterator<Item = (usize, &'l Line<'a>)> + 'l {
    let mut depth = 0usize;
    let (begin, end) = (b.begin, b.end);
    all.iter()
        .enumerate()
        .take(end + 1)
        .skip(begin)
        .filter(move |(_, l)| {
            match l.begin_end() {
                Some((true, _)) => depth += 1,
                Some((false, _)) => {
                    depth = depth.saturating_sub(1);
                    return false;
                }
                None => {}
            }
            depth == 1 && l.begin_end().is_none()
        })
}

fn is_my_attendee(line: &Line<'_>, me: &Me) -> bool {
    line.name() == "ATTENDEE" && line.value().is_some_and(|v| me.is_me(&props::email(v)))
}

fn answered(line: &Line<'_>, answer: PartStat, eol: &str) -> Result<String, AnswerError> {
    lines::with_param(&line.text, "PARTSTAT", partstat_token(answer))
        .map(|t| lines::fold(&t, eol))
        .ok_or_else(|| AnswerError::Unreadable(format!("malformed line {:?}", line.name())))
}

/// Sets PARTSTAT on my ATTENDEE lines of block `b`; whether I am among them.
fn mark_me(
    all: &[Line<'_>],
    b: &Block,
    me: &Me,
    answer: PartStat,
    eol: &str,
    replace: &mut Vec<(usize, String)>,
) -> Result<bool, AnswerError> {
    let mut found = false;
    for (i, line) in own_lines(all, b).filter(|(_, l)| is_my_attendee(l, me)) {
        found = true;
        if lines::param(&line.text, "PARTSTAT") != Some(partstat_token(answer)) {
            replace.push((i, answered(line, answer, eol)?));
        }
    }
    Ok(found)
}

/// The master's ORGANIZER and ATTENDEE lines, mine with the answer.
fn people_lines(
    all: &[Line<'_>],
    master: &Block,
    me: &Me,
    answer: PartStat,
    eol: &str,
) -> Result<String, AnswerError> {
    let mut out = String::new();
    let mut mine = false;
    for (_, line) in own_lines(all, master) {
        match line.name().as_str() {
            "ATTENDEE" if is_my_attendee(line, me) => {
                mine = true;
                out.push_str(&answered(line, answer, eol)?);
            }
            "ATTENDEE" | "ORGANIZER" => out.push_str(&with_eol(line.raw, eol)),
            _ => {}
        }
    }
    if mine {
        Ok(out)
    } else {
        Err(AnswerError::NotInvited)
    }
}

fn with_eol(raw: &str, eol: &str) -> String {
    if raw.ends_with('\n') {
        raw.to_string()
    } else {
        format!("{raw}{eol}")
    }
}

/// The instance a RECURRENCE-ID names, in the form the expansion names instances
/// (`crate::ical::expand`): the date for all-day series, the wall clock for floating ones,
/// else the instant. A DATE in a timed series is that day at the series' time of day.
fn instance_key(master: Option<&Event>, rid: &Time, user_tz: Tz) -> String {
    use super::time::{rid_key_date, rid_key_floating, rid_key_instant};
    let Some(m) = master else {
        return match rid {
            Time::Date(d) => rid_key_date(*d),
            Time::Floating(n) => rid_key_floating(*n),
            other => rid_key_instant(other.to_utc(user_tz)),
        };
    };
    match (m.start, rid) {
        (Time::Date(_), r) => rid_key_date(r.date()),
        (Time::Floating(_), Time::Floating(n)) => rid_key_floating(*n),
        (Time::Floating(_), r) => {
            rid_key_floating(r.to_utc(user_tz).with_timezone(&user_tz).naive_local())
        }
        (start, Time::Date(d)) => {
            let zone = start.zone(user_tz);
            let time = start.to_utc(user_tz).with_timezone(&zone).time();
            rid_key_instant(localize(zone, d.and_time(time)).with_timezone(&Utc))
        }
        (start, Time::Floating(n)) => {
            rid_key_instant(localize(start.zone(user_tz), *n).with_timezone(&Utc))
        }
        (_, r) => rid_key_instant(r.to_utc(user_tz)),
    }
}

/// An instance's original start, read back from its identity.
#[derive(Debug, Clone, Copy)]
enum Original {
    Date(NaiveDate),
    Instant(DateTime<Utc>),
    Floating(NaiveDateTime),
}

fn original(key: &str) -> Option<Original> {
    if let Some(d) = parse_date(key) {
        return Some(Original::Date(d));
    }
    match parse_date_time(key)? {
        (n, true) => Some(Original::Instant(n.and_utc())),
        (n, false) => Some(Original::Floating(n)),
    }
}

const DATE: &str = "%Y%m%d";
const DATE_TIME: &str = "%Y%m%dT%H%M%S";

/// A value written the way `like` is (same kind, same zone); `None` past what the format
/// holds (years 1–9999).
fn written_like(like: &Time, at: Original) -> Option<String> {
    use chrono::Datelike;
    let year = match at {
        Original::Date(d) => d.year(),
        Original::Instant(i) => i.year(),
        Original::Floating(n) => n.year(),
    };
    if !(1..=9999).contains(&year) {
        return None;
    }
    Some(match (like, at) {
        (Time::Date(_), Original::Date(d)) => d.format(DATE).to_string(),
        (Time::Zoned(_, tz), Original::Instant(i)) if *tz == Tz::UTC => {
            format!("{}Z", i.format(DATE_TIME))
        }
        (Time::Zoned(_, tz), Original::Instant(i)) => i
            .with_timezone(tz)
            .naive_local()
            .format(DATE_TIME)
            .to_string(),
        (Time::Floating(_), Original::Floating(n)) => n.format(DATE_TIME).to_string(),
        _ => return None,
    })
}

/// The instance's end: its start plus the master's length, written like the master's
/// DTEND. The length is the expansion's: a day at least for all-day meetings, never
/// negative (a DTEND before DTSTART).
fn end_like(master: &Event, end: &Time, start: Original, user_tz: Tz) -> Option<String> {
    let at = match (master.start, end, start) {
        (Time::Date(s), Time::Date(e), Original::Date(d)) => {
            Original::Date(d + (*e - s).max(Duration::days(1)))
        }
        (Time::Floating(s), Time::Floating(e), Original::Floating(n)) => {
            Original::Floating(n + (*e - s).max(Duration::zero()))
        }
        (s, e, Original::Instant(i)) => {
            let length: Duration = e.to_utc(user_tz) - s.to_utc(user_tz);
            Original::Instant(i + length.max(Duration::zero()))
        }
        _ => return None,
    };
    written_like(end, at)
}

/// A new override of the master for the instance `key`: the master's own lines (alarms
/// included) without its recurrence, with the instance's times and my answer.
fn new_override(
    all: &[Line<'_>],
    m: &Block,
    key: &str,
    me: &Me,
    answer: PartStat,
    eol: &str,
    user_tz: Tz,
) -> Result<String, AnswerError> {
    let no_instance = || AnswerError::NoSuchInstance(key.to_string());
    let start = original(key).ok_or_else(no_instance)?;
    let start_value = written_like(&m.event.start, start).ok_or_else(no_instance)?;
    let mut out = String::new();
    let mut mine = false;
    let own: Vec<usize> = own_lines(all, m).map(|(i, _)| i).collect();
    for (i, line) in all.iter().enumerate().take(m.end + 1).skip(m.begin) {
        if !own.contains(&i) {
            out.push_str(&with_eol(line.raw, eol));
            continue;
        }
        let parts = lines::split(&line.text);
        // The property with its parameters, without the value.
        let head = parts.as_ref().map(|p| &line.text[..p.colon]);
        match line.name().as_str() {
            "RRULE" | "RDATE" | "EXDATE" | "EXRULE" | "RECURRENCE-ID" => {}
            "DTSTART" => {
                let head = head.ok_or_else(|| AnswerError::Unreadable("DTSTART".into()))?;
                out.push_str(&lines::fold(&format!("{head}:{start_value}"), eol));
                let rid_head = format!("RECURRENCE-ID{}", &head["DTSTART".len()..]);
                out.push_str(&lines::fold(&format!("{rid_head}:{start_value}"), eol));
            }
            "DTEND" => {
                let head = head.ok_or_else(|| AnswerError::Unreadable("DTEND".into()))?;
                let end = m
                    .event
                    .end
                    .as_ref()
                    .and_then(|e| end_like(&m.event, e, start, user_tz))
                    .ok_or_else(|| AnswerError::Unreadable("DTEND cannot be written".into()))?;
                out.push_str(&lines::fold(&format!("{head}:{end}"), eol));
            }
            "ATTENDEE" if is_my_attendee(line, me) => {
                mine = true;
                out.push_str(&answered(line, answer, eol)?);
            }
            _ => out.push_str(&with_eol(line.raw, eol)),
        }
    }
    if mine {
        Ok(out)
    } else {
        Err(AnswerError::NotInvited)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ical::{expand_all, parse_calendar, ExpandOptions, Window};

    const MSK: Tz = Tz::Europe__Moscow;

    fn me() -> Me {
        Me::new(["ivan.petrov@yandex.ru"])
    }

    /// A Yandex-shaped weekly series: inline VTIMEZONE, my alias spelled `@ya.ru`, the
    /// organizer's fields, an alarm, a property we do not know and a long folded line.
    const WEEKLY: &str = "BEGIN:VCALENDAR\r\n\
PRODID:-//Yandex LLC//Yandex Calendar//EN\r\n\
VERSION:2.0\r\n\
BEGIN:VTIMEZONE\r\n\
TZID:Europe/Moscow\r\n\
BEGIN:STANDARD\r\n\
TZOFFSETFROM:+0300\r\n\
TZOFFSETTO:+0300\r\n\
TZNAME:MSK\r\n\
DTSTART:19700101T000000\r\n\
END:STANDARD\r\n\
END:VTIMEZONE\r\n\
BEGIN:VEVENT\r\n\
DTSTART;TZID=Europe/Moscow:20260302T100000\r\n\
DTEND;TZID=Europe/Moscow:20260302T103000\r\n\
SUMMARY:Планёрка\r\n\
UID:weekly@yandex.ru\r\n\
SEQUENCE:3\r\n\
DTSTAMP:20260301T090000Z\r\n\
RRULE:FREQ=WEEKLY;BYDAY=MO\r\n\
EXDATE;TZID=Europe/Moscow:20260309T100000\r\n\
ORGANIZER;CN=\"Ольга, руководитель\":mailto:olga@yandex.ru\r\n\
ATTENDEE;PARTSTAT=ACCEPTED;CN=\"Ольга, руководитель\";ROLE=REQ-PARTICIPANT:mailto:olga@yandex.ru\r\n\
ATTENDEE;PARTSTAT=NEEDS-ACTION;CN=Иван Петров;ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:ivan-petrov@ya\r\n\
\x20.ru\r\n\
ATTENDEE;PARTSTAT=TENTATIVE;CN=Bob:mailto:bob@example.com\r\n\
X-TELEMOST-CONFERENCE:https://telemost.yandex.ru/j/12345\r\n\
X-YANDEX-UNKNOWN;X-P=1:keep me\r\n\
BEGIN:VALARM\r\n\
ACTION:EMAIL\r\n\
TRIGGER:-PT15M\r\n\
ATTENDEE:mailto:ivan.petrov@yandex.ru\r\n\
END:VALARM\r\n\
END:VEVENT\r\n\
END:VCALENDAR\r\n";

    fn mine(ics: &str) -> Vec<String> {
        lines::lines(ics)
            .iter()
            .filter(|l| l.name() == "ATTENDEE" && l.text.contains("ivan-petrov"))
            .map(|l| l.text.clone())
            .collect()
    }

    /// Lines of `after` that are not in `before`, as raw text.
    fn added<'a>(before: &str, after: &'a str) -> Vec<&'a str> {
        let old: Vec<&str> = lines::lines(before).iter().map(|l| l.raw).collect();
        lines::lines(after)
            .into_iter()
            .map(|l| l.raw)
            .filter(|r| !old.contains(r))
            .collect()
    }

    #[test]
    fn the_series_answer_changes_only_my_partstat() {
        let out = set_my_answer(
            WEEKLY,
            "weekly@yandex.ru",
            Target::Series,
            &me(),
            PartStat::Accepted,
            MSK,
        )
        .unwrap();
        let expected = WEEKLY.replace(
            "ATTENDEE;PARTSTAT=NEEDS-ACTION;CN=Иван Петров;ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:ivan-petrov@ya\r\n .ru\r\n",
            &lines::fold(
                "ATTENDEE;PARTSTAT=ACCEPTED;CN=Иван Петров;ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:ivan-petrov@ya.ru",
                "\r\n",
            ),
        );
        assert_eq!(out, expected);
        // The e-mail alarm's ATTENDEE is not an attendee of the meeting.
        assert!(out.contains("ATTENDEE:mailto:ivan.petrov@yandex.ru\r\nEND:VALARM"));
        // Answering again with the same answer changes nothing.
        let again = set_my_answer(
            &out,
            "weekly@yandex.ru",
            Target::Series,
            &me(),
            PartStat::Accepted,
            MSK,
        )
        .unwrap();
        assert_eq!(again, out);
    }

    #[test]
    fn one_instance_gets_an_override_that_expands_like_the_master() {
        let key = "20260316T070000Z"; // Mon 16 Mar, 10:00 Moscow
        let out = set_my_answer(
            WEEKLY,
            "weekly@yandex.ru",
            Target::Instance(key),
            &me(),
            PartStat::Declined,
            MSK,
        )
        .unwrap();
        assert!(out.starts_with(&WEEKLY[..WEEKLY.find("END:VEVENT").unwrap()]));
        let new = added(WEEKLY, &out);
        assert_eq!(
            new,
            [
                "DTSTART;TZID=Europe/Moscow:20260316T100000\r\n",
                "RECURRENCE-ID;TZID=Europe/Moscow:20260316T100000\r\n",
                "DTEND;TZID=Europe/Moscow:20260316T103000\r\n",
                lines::fold(
                    "ATTENDEE;PARTSTAT=DECLINED;CN=Иван Петров;ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:ivan-petrov@ya.ru",
                    "\r\n"
                )
                .as_str(),
            ]
        );
        assert!(out.ends_with("END:VEVENT\r\nEND:VCALENDAR\r\n"));
        assert_eq!(out.matches("BEGIN:VALARM").count(), 2);
        assert_eq!(out.matches("RRULE").count(), 1);
        // The expansion now gives that instance my answer and leaves the others alone.
        let window = Window::around(
            DateTime::parse_from_rfc3339("2026-03-10T00:00:00Z")
                .unwrap()
                .with_timezone(&Utc),
            10,
            20,
        );
        let parsed = parse_calendar(&out);
        assert!(parsed.skipped.is_empty(), "{:?}", parsed.skipped);
        let (occ, _) = expand_all(&parsed.series, &ExpandOptions::new(window, MSK), &me());
        let answers: Vec<(Option<&str>, Option<PartStat>, bool)> = occ
            .iter()
            .map(|o| (o.recurrence_id.as_deref(), o.my_partstat, o.overridden))
            .collect();
        assert_eq!(
            answers,
            [
                (Some("20260302T070000Z"), Some(PartStat::NeedsAction), false),
                (Some("20260316T070000Z"), Some(PartStat::Declined), true),
                (Some("20260323T070000Z"), Some(PartStat::NeedsAction), false),
            ]
        );
        let o = occ.iter().find(|o| o.overridden).unwrap();
        assert_eq!(o.summary, "Планёрка");
        assert_eq!(
            o.telemost.as_deref(),
            Some("https://telemost.yandex.ru/j/12345")
        );
        // A second answer for the same instance edits that override; no second one.
        let changed = set_my_answer(
            &out,
            "weekly@yandex.ru",
            Target::Instance(key),
            &me(),
            PartStat::Tentative,
            MSK,
        )
        .unwrap();
        assert_eq!(changed.matches("RECURRENCE-ID").count(), 1);
        assert_eq!(
            mine(&changed),
            [
                "ATTENDEE;PARTSTAT=NEEDS-ACTION;CN=Иван Петров;ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:ivan-petrov@ya.ru",
                "ATTENDEE;PARTSTAT=TENTATIVE;CN=Иван Петров;ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:ivan-petrov@ya.ru",
            ]
        );
        // The whole series afterwards: the master and the override both.
        let all = set_my_answer(
            &changed,
            "weekly@yandex.ru",
            Target::Series,
            &me(),
            PartStat::Accepted,
            MSK,
        )
        .unwrap();
        assert!(mine(&all).iter().all(|l| l.contains("PARTSTAT=ACCEPTED")));
    }

    #[test]
    fn overrides_are_found_by_instance_whatever_their_spelling() {
        // Yandex: a timed series with an all-day override, and an override in UTC.
        let ics = "BEGIN:VCALENDAR\n\
BEGIN:VEVENT\nUID:s\nDTSTART;TZID=Europe/Moscow:20260302T100000\nDURATION:PT1H\n\
RRULE:FREQ=DAILY;COUNT=5\nATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:ivan.petrov@yandex.ru\nEND:VEVENT\n\
BEGIN:VEVENT\nUID:s\nRECURRENCE-ID;VALUE=DATE:20260303\nDTSTART;VALUE=DATE:20260303\n\
ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:ivan.petrov@yandex.ru\nEND:VEVENT\n\
BEGIN:VEVENT\nUID:s\nRECURRENCE-ID:20260304T070000Z\nDTSTART:20260304T080000Z\n\
ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:ivan.petrov@yandex.ru\nEND:VEVENT\n\
END:VCALENDAR\n";
        for (key, edited) in [("20260303T070000Z", 1), ("20260304T070000Z", 2)] {
            let out = set_my_answer(
                ics,
                "s",
                Target::Instance(key),
                &me(),
                PartStat::Accepted,
                MSK,
            )
            .unwrap();
            assert_eq!(out.matches("BEGIN:VEVENT").count(), 3, "{key}");
            let answers: Vec<bool> = mine_any(&out);
            let mut want = vec![false, false, false];
            want[edited] = true;
            assert_eq!(answers, want, "{key}");
            assert!(!out.contains('\r'), "line ends stay as they were");
        }
        // With a duration instead of DTEND, the new override keeps the DURATION.
        let out = set_my_answer(
            ics,
            "s",
            Target::Instance("20260305T070000Z"),
            &me(),
            PartStat::Accepted,
            MSK,
        )
        .unwrap();
        assert!(out.contains(
            "DTSTART;TZID=Europe/Moscow:20260305T100000\nRECURRENCE-ID;TZID=Europe/Moscow:20260305T100000\nDURATION:PT1H\n"
        ));
    }

    fn mine_any(ics: &str) -> Vec<bool> {
        lines::lines(ics)
            .iter()
            .filter(|l| l.name() == "ATTENDEE")
            .map(|l| l.text.contains("ACCEPTED"))
            .collect()
    }

    #[test]
    fn all_day_and_floating_series_keep_their_kind() {
        let all_day = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:d\r\nDTSTART;VALUE=DATE:20260302\r\n\
DTEND;VALUE=DATE:20260303\r\nRRULE:FREQ=WEEKLY\r\nATTENDEE:mailto:ivan.petrov@yandex.ru\r\n\
END:VEVENT\r\nEND:VCALENDAR\r\n";
        let out = set_my_answer(
            all_day,
            "d",
            Target::Instance("20260309"),
            &me(),
            PartStat::Tentative,
            MSK,
        )
        .unwrap();
        assert_eq!(
            added(all_day, &out),
            [
                "DTSTART;VALUE=DATE:20260309\r\n",
                "RECURRENCE-ID;VALUE=DATE:20260309\r\n",
                "DTEND;VALUE=DATE:20260310\r\n",
                "ATTENDEE;PARTSTAT=TENTATIVE:mailto:ivan.petrov@yandex.ru\r\n",
            ]
        );
        let floating = all_day
            .replace("DTSTART;VALUE=DATE:20260302", "DTSTART:20260302T090000")
            .replace("DTEND;VALUE=DATE:20260303", "DTEND:20260302T100000");
        let out = set_my_answer(
            &floating,
            "d",
            Target::Instance("20260309T090000"),
            &me(),
            PartStat::Accepted,
            MSK,
        )
        .unwrap();
        assert!(out.contains(
            "DTSTART:20260309T090000\r\nRECURRENCE-ID:20260309T090000\r\nDTEND:20260309T100000\r\n"
        ));
        // An identity of the wrong kind names no instance of this series.
        assert_eq!(
            set_my_answer(
                all_day,
                "d",
                Target::Instance("20260309T070000Z"),
                &me(),
                PartStat::Accepted,
                MSK
            ),
            Err(AnswerError::NoSuchInstance("20260309T070000Z".into()))
        );
    }

    #[test]
    fn refusals_say_why_and_change_nothing() {
        let answer = |ics: &str, uid: &str, me: &Me| {
            set_my_answer(ics, uid, Target::Series, me, PartStat::Accepted, MSK)
        };
        assert_eq!(
            answer(WEEKLY, "other", &me()),
            Err(AnswerError::NoSuchMeeting)
        );
        assert_eq!(
            answer(WEEKLY, "weekly@yandex.ru", &Me::new(["nobody@example.com"])),
            Err(AnswerError::NotInvited)
        );
        assert_eq!(
            answer(WEEKLY, "weekly@yandex.ru", &Me::new(["olga@ya.ru"])),
            Err(AnswerError::Organizer)
        );
        let broken = WEEKLY.replace("END:VALARM\r\n", "");
        assert!(matches!(
            answer(&broken, "weekly@yandex.ru", &me()),
            Err(AnswerError::Unreadable(_))
        ));
        let bad_zone = WEEKLY.replace(
            "DTSTART;TZID=Europe/Moscow:20260302T100000",
            "DTSTART;TZID=Mars/Olympus:20260302T100000",
        );
        assert!(matches!(
            answer(&bad_zone, "weekly@yandex.ru", &me()),
            Err(AnswerError::Unreadable(_))
        ));
    }

    #[test]
    fn an_end_before_the_start_makes_a_meeting_of_no_length() {
        // Found by the fuzzer: the new override got a DTEND in year -1, which no one reads.
        let ics = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:x\nDTSTART:20260302T070000Z\n\
DTEND:20200303T070000Z\nRRULE:FREQ=DAILY\nATTENDEE:mailto:ivan.petrov@yandex.ru\nEND:VEVENT\n\
END:VCALENDAR\n";
        let out = set_my_answer(
            ics,
            "x",
            Target::Instance("20260304T070000Z"),
            &me(),
            PartStat::Accepted,
            MSK,
        )
        .unwrap();
        assert!(out.contains("RECURRENCE-ID:20260304T070000Z\nDTEND:20260304T070000Z\n"));
        let far = ics.replace("DTEND:20200303T070000Z", "DTEND:99991231T070000Z");
        assert_eq!(
            set_my_answer(
                &far,
                "x",
                Target::Instance("20260310T070000Z"),
                &me(),
                PartStat::Accepted,
                MSK
            ),
            Err(AnswerError::Unreadable("DTEND cannot be written".into()))
        );
    }

    #[test]
    fn an_override_without_its_own_people_gets_the_masters() {
        let ics = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:p\r\nDTSTART:20260302T070000Z\r\n\
DTEND:20260302T080000Z\r\nRRULE:FREQ=DAILY\r\nORGANIZER:mailto:olga@yandex.ru\r\n\
ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:ivan.petrov@yandex.ru\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:p\r\nRECURRENCE-ID:20260303T070000Z\r\nDTSTART:20260303T090000Z\r\n\
DTEND:20260303T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let out = set_my_answer(
            ics,
            "p",
            Target::Instance("20260303T070000Z"),
            &me(),
            PartStat::Declined,
            MSK,
        )
        .unwrap();
        assert!(out.contains(
            "DTEND:20260303T100000Z\r\nORGANIZER:mailto:olga@yandex.ru\r\n\
ATTENDEE;PARTSTAT=DECLINED:mailto:ivan.petrov@yandex.ru\r\nEND:VEVENT\r\nEND:VCALENDAR"
        ));
        assert!(out.contains("ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:ivan.petrov@yandex.ru\r\nEND:VEVENT\r\nBEGIN:VEVENT"));
    }
}
