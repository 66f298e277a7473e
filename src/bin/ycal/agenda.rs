//! `ycal agenda`: the occurrences in a window as a JSON array.

use chrono_tz::Tz;
use serde::Serialize;
use yandex_calendar::ical::{
    expand_all, parse_calendar, ExpandOptions, Occurrence, PartStat, Status,
};

use crate::common;

#[derive(Serialize)]
struct Person<'a> {
    email: &'a str,
    name: Option<&'a str>,
    partstat: PartStat,
}

#[derive(Serialize)]
struct Item<'a> {
    uid: &'a str,
    recurrence_id: Option<&'a str>,
    start: String,
    end: String,
    all_day: bool,
    summary: &'a str,
    location: Option<&'a str>,
    telemost: Option<&'a str>,
    web_link: Option<&'a str>,
    status: Status,
    organizer: Option<&'a str>,
    attendees: Vec<Person<'a>>,
    my_partstat: Option<PartStat>,
    i_organize: bool,
    declined_by_me: bool,
}

fn item(o: &Occurrence, tz: Tz) -> Item<'_> {
    let (start, end) = o.span.instants(tz);
    Item {
        uid: &o.uid,
        recurrence_id: o.recurrence_id.as_deref(),
        start: start.with_timezone(&tz).to_rfc3339(),
        end: end.with_timezone(&tz).to_rfc3339(),
        all_day: o.span.is_all_day(),
        summary: &o.summary,
        location: o.location.as_deref(),
        telemost: o.telemost.as_deref(),
        web_link: o.web_link.as_deref(),
        status: o.status,
        organizer: o.organizer.as_ref().map(|p| p.email.as_str()),
        attendees: o
            .attendees
            .iter()
            .map(|a| Person {
                email: &a.email,
                name: a.name.as_deref(),
                partstat: a.partstat,
            })
            .collect(),
        my_partstat: o.my_partstat,
        i_organize: o.i_organize,
        declined_by_me: o.declined_by_me(),
    }
}

pub fn run(args: &[String]) -> Result<(), String> {
    let opts = common::parse(args, false)?;
    let expand = ExpandOptions::new(opts.window, opts.tz);
    let mut all = Vec::new();
    for ics in common::read_calendars(&opts.dir)? {
        let parsed = parse_calendar(&ics);
        common::report_skipped(&parsed.skipped);
        let (occ, notes) = expand_all(&parsed.series, &expand, &opts.me);
        common::report_skipped(&notes);
        all.extend(
            occ.into_iter()
                .filter(|o| o.overlaps(opts.window.from, opts.window.to, opts.tz)),
        );
    }
    all.sort_by_key(|o| (o.span.instants(opts.tz).0, o.uid.clone()));
    let items: Vec<Item<'_>> = all.iter().map(|o| item(o, opts.tz)).collect();
    let json = serde_json::to_string_pretty(&items).map_err(|e| e.to_string())?;
    println!("{json}");
    Ok(())
}
