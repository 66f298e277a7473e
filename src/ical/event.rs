//! VEVENT → [`Event`], and a whole calendar → [`Series`] grouped by UID.

use std::collections::BTreeMap;

use icalendar::parser::{Component, Property};

use super::blocks::{split_blocks, Block};
use super::links::find_telemost;
use super::model::{
    Attendee, Event, Organizer, PartStat, PeriodEnd, RDate, Role, Series, Skipped, Status,
};
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
        // A TZID the tz database knows is what `add_vtimezone` takes first: no need to
        // parse the rules (Yandex sends the same VTIMEZONE with every object, and parsing
        // it was a fifth of a first sync).
        if let Some((tzid, tz)) = known_tzid(block) {
            zones.define(tzid, tz);
            continue;
        }
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

/// The VTIMEZONE's own TZID, when the tz database knows it.
fn known_tzid(block: &Block) -> Option<(String, chrono_tz::Tz)> {
    if block.unterminated {
        return None;
    }
    // The first property line of the block itself (its STANDARD and DAYLIGHT parts come
    // after BEGIN lines of their own and have no TZID).
    let value = block.text.lines().skip(1).find_map(|l| {
        if l.len() >= 6 && l.as_bytes()[..6].eq_ignore_ascii_case(b"BEGIN:") {
            return Some(None);
        }
        let (name, value) = l.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case("TZID")
            .then(|| Some(value.trim().to_string()))
    })??;
    let tz = super::zones::known_zone(&value)?;
    Some((value, tz))
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

/// The zone of a property's TZID: `Ok(None)` without one (floating); an error when the
/// TZID names no zone we know and no VTIMEZONE of the calendar defines it. Reading such a
/// time as floating would silently put the meeting at the wrong hour.
fn prop_zone(prop: &Property<'_>, zones: &ZoneMap) -> Result<Option<chrono_tz::Tz>, String> {
    match props::param(prop, "TZID") {
        None => Ok(None),
        Some(tzid) => zones.resolve(&tzid).map(Some).ok_or_else(|| {
            format!(
                "{}: unknown time zone {tzid:?}",
                prop.name.as_str().to_ascii_uppercase()
            )
        }),
    }
}

fn time_prop(prop: &Property<'_>, zones: &ZoneMap) -> Result<Time, String> {
    let is_date = props::param(prop, "VALUE").is_some_and(|v| v.eq_ignore_ascii_case("DATE"));
    let zone = prop_zone(prop, zones)?;
    parse_time(prop.val.as_str(), is_date, zone)
        .map_err(|e| format!("{}: {e}", prop.name.as_str().to_ascii_uppercase()))
}

/// The values of every `name` property (EXDATE, RDATE), comma lists included.
fn time_values<'c>(
    comp: &'c Component<'_>,
    name: &'c str,
    zones: &'c ZoneMap,
) -> impl Iterator<Item = Result<(String, bool, Option<chrono_tz::Tz>), String>> + 'c {
    props::all(comp, name).flat_map(move |prop| {
        let value = props::param(prop, "VALUE").map(|v| v.to_ascii_uppercase());
        let zone = prop_zone(prop, zones);
        let items: Vec<String> = prop
            .val
            .as_str()
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        items.into_iter().map(move |item| {
            let zone = zone.clone()?;
            Ok((item, value.as_deref() == Some("DATE"), zone))
        })
    })
}

fn exdates(comp: &Component<'_>, zones: &ZoneMap) -> Result<Vec<Time>, String> {
    time_values(comp, "EXDATE", zones)
        .map(|v| {
            let (item, is_date, zone) = v?;
            parse_time(&item, is_date, zone).map_err(|e| format!("EXDATE: {e}"))
        })
        .collect()
}

fn rdates(comp: &Component<'_>, zones: &ZoneMap) -> Result<Vec<RDate>, String> {
    time_values(comp, "RDATE", zones)
        .map(|v| {
            let (item, is_date, zone) = v?;
            let err = |e: String| format!("RDATE: {e}");
            // A PERIOD is start/end or start/duration, and keeps its own length.
            let (start, end) = match item.split_once('/') {
                Some((s, e)) => (s, Some(e)),
                None => (item.as_str(), None),
            };
            let start = parse_time(start, is_date, zone).map_err(err)?;
            let end = match end {
                None => None,
                Some(e) if e.trim_start_matches(['+', '-']).starts_with(['P', 'p']) => Some(
                    PeriodEnd::After(parse_duration(e).ok_or_else(|| err(format!("{e:?}")))?),
                ),
                Some(e) => Some(PeriodEnd::At(parse_time(e, false, zone).map_err(err)?)),
            };
            Ok(RDate { start, end })
        })
        .collect()
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
    let rid_prop = props::first(comp, "RECURRENCE-ID");
    let recurrence_id = rid_prop.map(|p| time_prop(p, zones)).transpose()?;
    let this_and_future = rid_prop
        .and_then(|p| props::param(p, "RANGE"))
        .is_some_and(|r| r.eq_ignore_ascii_case("THISANDFUTURE"));

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
        this_and_future,
        summary: props::text(comp, "SUMMARY"),
        start,
        end,
        duration,
        location,
        description,
        url,
        status: props::value(comp, "STATUS").map_or(Status::Confirmed, |v| Status::parse(&v)),
        transparent: props::value(comp, "TRANSP")
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("TRANSPARENT")),
        sequence: props::value(comp, "SEQUENCE")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0),
        organizer,
        attendees,
        telemost,
        web_link,
        rrules,
        rdates: rdates(comp, zones)?,
        exdates: exdates(comp, zones)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone_block(text: &str) -> Block {
        split_blocks(text)
            .into_iter()
            .find(|b| b.kind == "VTIMEZONE")
            .expect("a VTIMEZONE")
    }

    #[test]
    fn a_known_tzid_needs_no_parsing_and_anything_else_is_parsed() {
        let known = "BEGIN:VTIMEZONE\r\nTZID:Europe/Moscow\r\nBEGIN:STANDARD\r\nTZOFFSETFROM:+0300\r\n\
                     TZOFFSETTO:+0300\r\nDTSTART:20110327T020000\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n";
        assert_eq!(
            known_tzid(&zone_block(known)),
            Some(("Europe/Moscow".to_string(), chrono_tz::Tz::Europe__Moscow))
        );
        // A made-up name, or a TZID after the rules: left to the parser.
        assert_eq!(
            known_tzid(&zone_block(&known.replace("Europe/Moscow", "Custom Zone"))),
            None
        );
        let late = "BEGIN:VTIMEZONE\r\nBEGIN:STANDARD\r\nTZOFFSETFROM:+0300\r\nTZOFFSETTO:+0300\r\n\
                    DTSTART:20110327T020000\r\nEND:STANDARD\r\nTZID:Europe/Moscow\r\nEND:VTIMEZONE\r\n";
        assert_eq!(known_tzid(&zone_block(late)), None);
        // Either way the events read the same.
        let event = "BEGIN:VEVENT\r\nUID:a\r\nDTSTART;TZID=Europe/Moscow:20261201T100000\r\n\
                     DTEND;TZID=Europe/Moscow:20261201T110000\r\nEND:VEVENT\r\n";
        let starts: Vec<_> = [known, late]
            .iter()
            .map(|z| {
                let parsed =
                    parse_calendar(&format!("BEGIN:VCALENDAR\r\n{z}{event}END:VCALENDAR\r\n"));
                assert!(parsed.skipped.is_empty(), "{:?}", parsed.skipped);
                parsed.series[0].master.as_ref().map(|m| m.start)
            })
            .collect();
        assert_eq!(starts[0], starts[1]);
    }
}
