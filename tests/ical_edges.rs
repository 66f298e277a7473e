//! Recurrence and zone edges that put meetings at wrong times, or lose them.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use yandex_calendar::ical::{parse_and_expand, parse_calendar, Me, Occurrence, PartStat, Window};

mod ics;
use ics::utc;

fn march() -> Window {
    Window {
        from: utc(2026, 3, 1),
        to: utc(2026, 4, 1),
    }
}

fn expand(ics: &str, tz: Tz, me: &[&str]) -> Vec<Occurrence> {
    let (occ, skipped) = parse_and_expand(ics, march(), tz, &Me::new(me));
    assert!(skipped.is_empty(), "{skipped:?}");
    occ.into_iter()
        .filter(|o| o.overlaps(march().from, march().to, tz))
        .collect()
}

fn starts(occ: &[Occurrence], tz: Tz) -> Vec<String> {
    occ.iter()
        .map(|o| o.span.instants(tz).0.with_timezone(&tz).to_rfc3339())
        .collect()
}

fn ends(occ: &[Occurrence], tz: Tz) -> Vec<String> {
    occ.iter()
        .map(|o| o.span.instants(tz).1.with_timezone(&tz).to_rfc3339())
        .collect()
}

fn event(body: &str) -> String {
    format!("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:e@yandex.ru\r\nSUMMARY:Meeting\r\n{body}END:VEVENT\r\nEND:VCALENDAR\r\n")
}

#[test]
fn item15_unsatisfiable_rules_expand_in_bounded_time() {
    let started = std::time::Instant::now();
    for rule in [
        "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",
        "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=31,30",
        "FREQ=WEEKLY;BYMONTH=4;BYMONTHDAY=31",
        "FREQ=MONTHLY;BYMONTHDAY=31;BYMONTH=4,6,9,11",
        "FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=30",
        "FREQ=YEARLY;BYYEARDAY=60;BYMONTH=1",
        "FREQ=MINUTELY;BYMONTH=2;BYMONTHDAY=30",
        "FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30",
    ] {
        let ics = event(&format!("DTSTART:20260101T100000Z\r\nRRULE:{rule}\r\n"));
        let (occ, _) = parse_and_expand(&ics, march(), Tz::UTC, &Me::default());
        assert!(occ.is_empty(), "{rule}");
    }
    // Before: about 3 s each in a debug build (the `rrule` crate gives up only after
    // 100,000 empty rounds). A wide margin: this guards against the spin, not speed.
    assert!(started.elapsed().as_secs() < 3, "{:?}", started.elapsed());
}

#[test]
fn item16_rfc7529_rule_parts_are_tolerated() {
    let ics = event(
        "DTSTART;TZID=Europe/Moscow:20260302T100000\r\nDURATION:PT1H\r\n\
         RRULE:RSCALE=GREGORIAN;FREQ=WEEKLY;SKIP=FORWARD\r\n",
    );
    // Before: "RSCALE is not a valid property parameter", and the series vanished.
    assert_eq!(expand(&ics, Tz::Europe__Moscow, &[]).len(), 5);
    let chinese = event("DTSTART:20260302T100000Z\r\nRRULE:RSCALE=CHINESE;FREQ=YEARLY\r\n");
    let (occ, skipped) = parse_and_expand(&chinese, march(), Tz::UTC, &Me::default());
    assert!(occ.is_empty());
    assert!(skipped[0].reason.contains("CHINESE"), "{skipped:?}");
}

#[test]
fn item17_floating_values_of_a_zoned_series_are_in_the_series_zone() {
    let ics = event(
        "DTSTART;TZID=Europe/Moscow:20260302T100000\r\nDURATION:PT1H\r\n\
         RRULE:FREQ=WEEKLY;COUNT=5\r\nEXDATE:20260309T100000\r\nRDATE:20260311T150000\r\n",
    );
    for tz in [
        Tz::Europe__Moscow,
        Tz::Asia__Yekaterinburg,
        Tz::America__New_York,
    ] {
        let occ = expand(&ics, tz, &[]);
        // Before: read in the viewer's zone, the EXDATE missed the 9th everywhere but
        // Moscow, and the RDATE landed at 15:00 of the viewer's clock.
        assert_eq!(
            starts(&occ, Tz::Europe__Moscow),
            [
                "2026-03-02T10:00:00+03:00",
                "2026-03-11T15:00:00+03:00",
                "2026-03-16T10:00:00+03:00",
                "2026-03-23T10:00:00+03:00",
                "2026-03-30T10:00:00+03:00",
            ],
            "viewer in {tz}"
        );
    }
    let moved = format!(
        "{}BEGIN:VEVENT\r\nUID:e@yandex.ru\r\nRECURRENCE-ID:20260316T100000\r\n\
         DTSTART;TZID=Europe/Moscow:20260316T170000\r\nDURATION:PT1H\r\nSUMMARY:Late\r\n\
         END:VEVENT\r\nEND:VCALENDAR\r\n",
        ics.trim_end_matches("END:VCALENDAR\r\n")
    );
    let occ = expand(&moved, Tz::Asia__Yekaterinburg, &[]);
    let late: Vec<&Occurrence> = occ.iter().filter(|o| o.summary == "Late").collect();
    assert_eq!(late.len(), 1);
    assert_eq!(
        occ.len(),
        5,
        "the moved instance replaces the 16th, not adds to it"
    );
}

#[test]
fn item18_unknown_zones_are_skipped_and_windows_names_resolve() {
    let ics = event("DTSTART;TZID=Mars/Olympus_Mons:20260302T100000\r\n");
    let parsed = parse_calendar(&ics);
    // Before: silently read as floating, i.e. at 10:00 of whatever zone the viewer has.
    assert!(parsed.series.is_empty());
    assert!(
        parsed.skipped[0].reason.contains("unknown time zone"),
        "{:?}",
        parsed.skipped
    );
    for (name, expected) in [
        ("Nepal Standard Time", "2026-03-02T10:00:00+05:45"),
        ("Iran Standard Time", "2026-03-02T10:00:00+03:30"),
        ("Ulaanbaatar Standard Time", "2026-03-02T10:00:00+08:00"),
        ("Sri Lanka Standard Time", "2026-03-02T10:00:00+05:30"),
        ("Russian Standard Time", "2026-03-02T10:00:00+03:00"),
    ] {
        let ics = event(&format!("DTSTART;TZID={name}:20260302T100000\r\n"));
        let occ = expand(&ics, Tz::UTC, &[]);
        let local = occ[0]
            .span
            .instants(Tz::UTC)
            .0
            .with_timezone(&offset_of(expected));
        assert_eq!(local.to_rfc3339(), expected, "{name}");
    }
}

fn offset_of(rfc3339: &str) -> chrono::FixedOffset {
    DateTime::parse_from_rfc3339(rfc3339)
        .map(|d| *d.offset())
        .unwrap_or_else(|_| chrono::FixedOffset::east_opt(0).expect("zero"))
}

#[test]
fn item20_yandex_aliases_are_me() {
    let ics = event(
        "DTSTART:20260302T100000Z\r\nORGANIZER:mailto:boss@yandex.ru\r\n\
         ATTENDEE;PARTSTAT=ACCEPTED:mailto:ivan-petrov@ya.ru\r\n",
    );
    let occ = expand(&ics, Tz::UTC, &["ivan.petrov@yandex.ru"]);
    // Before: None — the user was not found in their own meeting.
    assert_eq!(occ[0].my_partstat, Some(PartStat::Accepted));
    let me = Me::from_account("user@company.ru", &["mailto:boss@yandex.ru"]);
    let (occ, _) = parse_and_expand(&ics, march(), Tz::UTC, &me);
    assert!(occ[0].i_organize);
}

#[test]
fn item21_an_override_inherits_what_it_leaves_out() {
    // Yandex's recorded overrides are full copies (SUMMARY, URL, TRANSP, CATEGORIES
    // repeated), but a per-instance RSVP written by another client may carry only the
    // times and the attendees.
    let ics = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:s\r\nDTSTART;TZID=Europe/Moscow:20260302T100000\r\n\
DURATION:PT1H\r\nRRULE:FREQ=WEEKLY\r\nSUMMARY:Standup\r\nDESCRIPTION:Agenda\r\nLOCATION:Room 5\r\n\
X-TELEMOST-CONFERENCE:https://telemost.yandex.ru/j/123\r\nURL:https://calendar.yandex.ru/event?event_id=1\r\n\
ORGANIZER:mailto:boss@yandex.ru\r\nATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:me@yandex.ru\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:s\r\nRECURRENCE-ID;TZID=Europe/Moscow:20260309T100000\r\n\
DTSTART;TZID=Europe/Moscow:20260309T100000\r\nDURATION:PT1H\r\nORGANIZER:mailto:boss@yandex.ru\r\n\
ATTENDEE;PARTSTAT=ACCEPTED:mailto:me@yandex.ru\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let occ = expand(ics, Tz::Europe__Moscow, &["me@yandex.ru"]);
    let ninth = &occ[1];
    assert!(ninth.overridden);
    assert_eq!(ninth.my_partstat, Some(PartStat::Accepted));
    assert_eq!(ninth.summary, "Standup");
    assert_eq!(ninth.description.as_deref(), Some("Agenda"));
    assert_eq!(ninth.location.as_deref(), Some("Room 5"));
    assert_eq!(
        ninth.telemost.as_deref(),
        Some("https://telemost.yandex.ru/j/123")
    );
    assert_eq!(ninth.web_link, occ[0].web_link);
}

#[test]
fn range_thisandfuture_moves_every_later_instance() {
    let ics = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:t\r\nDTSTART:20260302T100000Z\r\nDURATION:PT1H\r\n\
RRULE:FREQ=WEEKLY;COUNT=5\r\nSUMMARY:A\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:t\r\n\
RECURRENCE-ID;RANGE=THISANDFUTURE:20260316T100000Z\r\nDTSTART:20260316T120000Z\r\nDURATION:PT30M\r\n\
SUMMARY:B\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let occ = expand(ics, Tz::UTC, &[]);
    // Before: only the 16th moved; the 23rd and 30th stayed at 10:00 with the old title.
    assert_eq!(
        starts(&occ, Tz::UTC),
        [
            "2026-03-02T10:00:00+00:00",
            "2026-03-09T10:00:00+00:00",
            "2026-03-16T12:00:00+00:00",
            "2026-03-23T12:00:00+00:00",
            "2026-03-30T12:00:00+00:00",
        ]
    );
    assert_eq!(
        occ.iter().map(|o| o.summary.as_str()).collect::<Vec<_>>(),
        ["A", "A", "B", "B", "B"]
    );
    assert_eq!(ends(&occ, Tz::UTC)[4], "2026-03-30T12:30:00+00:00");
    // Instances keep their identity (the original start), so changes pair correctly.
    assert_eq!(occ[3].recurrence_id.as_deref(), Some("20260323T100000Z"));
}

#[test]
fn rdate_periods_keep_their_own_end() {
    let ics = event(
        "DTSTART:20260302T100000Z\r\nDURATION:PT1H\r\n\
         RDATE;VALUE=PERIOD:20260305T100000Z/20260305T130000Z,20260306T090000Z/PT15M\r\n",
    );
    let occ = expand(&ics, Tz::UTC, &[]);
    // Before: every RDATE took the master's hour.
    assert_eq!(
        ends(&occ, Tz::UTC),
        [
            "2026-03-02T11:00:00+00:00",
            "2026-03-05T13:00:00+00:00",
            "2026-03-06T09:15:00+00:00",
        ]
    );
}

#[test]
fn expansion_knows_the_next_meeting_and_where_a_series_ends() {
    let opts = yandex_calendar::ical::ExpandOptions::new(march(), Tz::UTC);
    let far = parse_calendar(&event("DTSTART:20261120T100000Z\r\nDURATION:PT1H\r\n"));
    let mut notes = vec![];
    let e = yandex_calendar::ical::expand_series(&far.series[0], &opts, &Me::default(), &mut notes)
        .expect("expands");
    assert!(e.occurrences.is_empty());
    let next = e.next.expect("next known");
    assert_eq!(
        next.span.instants(Tz::UTC).0,
        ics::utc(2026, 11, 20) + chrono::Duration::hours(10)
    );
    let ending = parse_calendar(&event(
        "DTSTART:20260302T100000Z\r\nDURATION:PT1H\r\nRRULE:FREQ=WEEKLY;UNTIL=20260316T235959Z\r\n\
         EXDATE:20260309T100000Z\r\n",
    ));
    let e =
        yandex_calendar::ical::expand_series(&ending.series[0], &opts, &Me::default(), &mut notes)
            .expect("expands");
    assert_eq!(
        e.ends,
        Some(ics::utc(2026, 3, 16) + chrono::Duration::hours(10))
    );
    assert_eq!(e.excluded, ["20260309T100000Z"]);
    assert!(e.complete && e.next.is_none());
    let endless = parse_calendar(&event("DTSTART:20260302T100000Z\r\nRRULE:FREQ=DAILY\r\n"));
    let e =
        yandex_calendar::ical::expand_series(&endless.series[0], &opts, &Me::default(), &mut notes)
            .expect("expands");
    assert_eq!(e.ends, None);
    assert_eq!(
        e.next.map(|n| n.span.instants(Tz::UTC).0),
        Some(march().to + chrono::Duration::hours(10))
    );
    let _: DateTime<Utc> = march().to;
}
