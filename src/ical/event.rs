//! VEVENT → [`Event`], and a whole calendar → [`Series`] grouped by UID.

use std::collections::BTreeMap;

use icalendar::parser::{Component, Property};

use super::blocks::{split_blocks, Block};
use super::links::find_telemost;
use super::model::{Attendee, Event, Organizer, PartStat, Role, Series, Skipped, Status};
use super::props;
use super::time::{parse_duration, parse_time, Time};
use super::zones::ZoneMap;

/// What a calendar text held: meetings grouped by UID, and the objects left out.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ParsedCalendar {
    /// Sorted by UID.
    pub series: Vec<Series>,
    pub skipped: Vec<Skipped>,
}

/// Parses one or several VCALENDAR objects. Never fails as a whole: each malformed
/// component is reported in `skipped` and the rest is kept.
pub fn parse_calendar(ics: &str) -> ParsedCalendar {
    let blocks = split_blocks(ics);
    let mut skipped = Vec::new();
    let mut zones = ZoneMap::default();

    for block in blocks.iter().filter(|b| b.kind == "VTIMEZONE") {
        let result = parse_block(block).and_then(|c| zones.add_vtimezone(&c));
        if let Err(reason) = result {
            skipped.push(Skipped {
                uid: None,
                reason: format!("VTIMEZONE at line {}: {reason}", block.line),
            });
        }
    }

    let mut by_uid: BTreeMap<String, Series> = BTreeMap::new();
    for block in blocks.iter().filter(|b| b.kind == "VEVENT") {
        let event = parse_block(block).and_then(|c| event_from_component(&c, &zones));
        match event {
            Ok(event) => add_to_series(&mut by_uid, event, &mut skipped),
            Err(reason) => skipped.push(Skipped {
                uid: raw_uid(&block.text),
                reason: format!("VEVENT at line {}: {reason}", block.line),
            }),
        }
    }
    ParsedCalendar {
        series: by_uid.into_values().collect(),
        skipped,
    }
}

fn parse_block(block: &Block) -> Result<Component<'_>, String> {
    if block.unterminated {
        return Err(format!("{} is not properly closed", block.kind));
    }
    let mut comps = icalendar::parser::read_components(&block.text)
        .map_err(|e| e.lines().take(3).collect::<Vec<_>>().join(" "))?;
    if comps.is_empty() {
        return Err("empty component".into());
    }
    Ok(comps.swap_remove(0))
}

/// The UID of a block that failed to parse, for the log line.
fn raw_uid(text: &str) -> Option<String> {
    text.lines().find_map(|l| {
        let (name, value) = l.split_once(':')?;
        name.eq_ignore_ascii_case("UID")
            .then(|| value.trim().to_string())
    })
}

fn add_to_series(by_uid: &mut BTreeMap<String, Series>, event: Event, skipped: &mut Vec<Skipped>) {
    let series = by_uid.entry(event.uid.clone()).or_insert_with(|| Series {
        uid: event.uid.clone(),
        ..Series::default()
    });
    match event.recurrence_id {
        None if series.master.is_some() => skipped.push(Skipped {
            uid: Some(event.uid),
            reason: "duplicate VEVENT without RECURRENCE-ID".into(),
        }),
        None => series.master = Some(event),
        Some(rid) => {
            // Overrides are matched by RECURRENCE-ID only; a later copy replaces an earlier one.
            series.overrides.retain(|o| o.recurrence_id != Some(rid));
            series.overrides.push(event);
        }
    }
}

fn time_prop(prop: &Property<'_>, zones: &ZoneMap) -> Result<Time, String> {
    let is_date = props::param(prop, "VALUE").is_some_and(|v| v.eq_ignore_ascii_case("DATE"));
    let zone = props::param(prop, "TZID").and_then(|tzid| zones.resolve(&tzid));
    parse_time(prop.val.as_str(), is_date, zone)
        .map_err(|e| format!("{}: {e}", prop.name.as_str().to_ascii_uppercase()))
}

fn time_list(comp: &Component<'_>, name: &str, zones: &ZoneMap) -> Result<Vec<Time>, String> {
    let mut out = Vec::new();
    for prop in props::all(comp, name) {
        let is_date = props::param(prop, "VALUE").is_some_and(|v| v.eq_ignore_ascii_case("DATE"));
        let zone = props::param(prop, "TZID").and_then(|tzid| zones.resolve(&tzid));
        for item in prop
            .val
            .as_str()
            .split(',')
            .filter(|s| !s.trim().is_empty())
        {
            // A PERIOD (start/end or start/duration) contributes its start.
            let start = item.split('/').next().unwrap_or(item);
            out.push(parse_time(start, is_date, zone).map_err(|e| format!("{name}: {e}"))?);
        }
    }
    Ok(out)
}

fn attendee(prop: &Property<'_>) -> Option<Attendee> {
    let email = props::email(prop.val.as_str());
    if email.is_empty() {
        return None;
    }
    Some(Attendee {
        email,
        name: props::param(prop, "CN"),
        partstat: props::param(prop, "PARTSTAT")
            .map_or(PartStat::NeedsAction, |v| PartStat::parse(&v)),
        role: props::param(prop, "ROLE").map_or(Role::ReqParticipant, |v| Role::parse(&v)),
    })
}

pub(crate) fn event_from_component(comp: &Component<'_>, zones: &ZoneMap) -> Result<Event, String> {
    let uid = props::text(comp, "UID").ok_or("missing UID")?;
    let start = time_prop(
        props::first(comp, "DTSTART").ok_or("missing DTSTART")?,
        zones,
    )?;
    let end = props::first(comp, "DTEND")
        .map(|p| time_prop(p, zones))
        .transpose()?;
    let duration = match props::value(comp, "DURATION") {
        Some(v) => Some(parse_duration(&v).ok_or_else(|| format!("invalid DURATION {v:?}"))?),
        None => None,
    };
    let recurrence_id = props::first(comp, "RECURRENCE-ID")
        .map(|p| time_prop(p, zones))
        .transpose()?;

    let rrules: Vec<String> = props::all(comp, "RRULE")
        .map(|p| p.val.as_str().trim().to_string())
        .collect();
    if rrules.iter().any(|r| !r.is_ascii()) {
        return Err("RRULE is not ASCII".into());
    }

    let organizer = props::first(comp, "ORGANIZER").and_then(|p| {
        let email = props::email(p.val.as_str());
        (!email.is_empty()).then(|| Organizer {
            email,
            name: props::param(p, "CN"),
        })
    });
    let mut attendees: Vec<Attendee> = props::all(comp, "ATTENDEE").filter_map(attendee).collect();
    attendees.sort();
    attendees.dedup_by(|a, b| a.email == b.email);

    let location = props::text(comp, "LOCATION");
    let description = props::text(comp, "DESCRIPTION");
    let url = props::value(comp, "URL").filter(|u| !u.is_empty());
    let telemost = props::text(comp, "X-TELEMOST-CONFERENCE")
        .and_then(|v| {
            find_telemost(&v)
                .or(Some(v))
                .filter(|v| v.starts_with("http"))
        })
        .or_else(|| url.as_deref().and_then(find_telemost))
        .or_else(|| location.as_deref().and_then(find_telemost))
        .or_else(|| description.as_deref().and_then(find_telemost));
    let web_link = url.clone().filter(|u| find_telemost(u).is_none());

    Ok(Event {
        uid,
        recurrence_id,
        summary: props::text(comp, "SUMMARY"),
        start,
        end,
        duration,
        location,
        description,
        url,
        status: props::value(comp, "STATUS").map_or(Status::Confirmed, |v| Status::parse(&v)),
        sequence: props::value(comp, "SEQUENCE")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0),
        organizer,
        attendees,
        telemost,
        web_link,
        rrules,
        rdates: time_list(comp, "RDATE", zones)?,
        exdates: time_list(comp, "EXDATE", zones)?,
    })
}
