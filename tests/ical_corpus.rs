//! The fixture corpus: what a person sees, per real-world-shaped calendar.

use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Tz;
use yandex_calendar::ical::{parse_and_expand, parse_calendar, Me, Occurrence, PartStat, Window};

mod ics;
use ics::{fixture, utc};

fn agenda(
    name: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    tz: Tz,
    me: &[&str],
) -> Vec<Occurrence> {
    let (occ, skipped) = parse_and_expand(&fixture(name), Window { from, to }, tz, &Me::new(me));
    assert!(skipped.is_empty(), "{name}: {skipped:?}");
    occ.into_iter()
        .filter(|o| o.overlaps(from, to, tz))
        .collect()
}

fn starts(occ: &[Occurrence], tz: Tz) -> Vec<String> {
    occ.iter()
        .map(|o| o.span.instants(tz).0.with_timezone(&tz).to_rfc3339())
        .collect()
}

#[test]
fn yandex_weekly_with_moved_cancelled_and_exdate() {
    let tz = Tz::Europe__Moscow;
    let occ = agenda(
        "yandex-weekly.ics",
        utc(2026, 3, 1),
        utc(2026, 4, 1),
        tz,
        &["maria@yandex.ru"],
    );
    assert_eq!(
        starts(&occ, tz),
        [
            "2026-03-02T10:00:00+03:00",
            "2026-03-09T15:00:00+03:00", // moved override
            // 16th: EXDATE; 23rd: cancelled override
            "2026-03-30T10:00:00+03:00",
        ]
    );
    let moved = &occ[1];
    assert_eq!(moved.recurrence_id.as_deref(), Some("20260309T070000Z"));
    assert_eq!(moved.my_partstat, Some(PartStat::Accepted));
    assert_eq!(occ[0].my_partstat, Some(PartStat::NeedsAction));
    assert_eq!(
        occ[0].telemost.as_deref(),
        Some("https://telemost.yandex.ru/j/12345678901234")
    );
    assert_eq!(
        occ[0].web_link.as_deref(),
        Some("https://calendar.yandex.ru/event?event_id=1001")
    );
    assert_eq!(occ[0].summary, "Планёрка");
    assert_eq!(
        occ[0].description.as_deref(),
        Some("Еженедельная встреча команды\nПовестка в документе")
    );
    assert!(occ.iter().all(|o| o.recurring && !o.i_organize));
    let organizer = agenda(
        "yandex-weekly.ics",
        utc(2026, 3, 1),
        utc(2026, 3, 3),
        tz,
        &["IVAN@yandex.ru"],
    );
    assert!(organizer[0].i_organize);
}

#[test]
fn override_moved_out_of_window_is_kept_for_change_detection_only() {
    let tz = Tz::Europe__Moscow;
    let window = Window {
        from: utc(2026, 3, 9),
        to: Utc.with_ymd_and_hms(2026, 3, 9, 9, 0, 0).unwrap(),
    };
    let (occ, _) = parse_and_expand(&fixture("yandex-weekly.ics"), window, tz, &Me::default());
    assert_eq!(occ.len(), 1, "{occ:?}");
    assert!(!occ[0].overlaps(window.from, window.to, tz));
}

#[test]
fn override_moved_into_window_from_outside() {
    // The 9 March instance moved to 15:00; a window of only that afternoon holds it.
    let tz = Tz::Europe__Moscow;
    let from = Utc.with_ymd_and_hms(2026, 3, 9, 11, 0, 0).unwrap();
    let occ = agenda(
        "yandex-weekly.ics",
        from,
        from + chrono::Duration::hours(2),
        tz,
        &[],
    );
    assert_eq!(starts(&occ, tz), ["2026-03-09T15:00:00+03:00"]);
}

#[test]
fn all_day_override_of_timed_series_and_date_until() {
    let tz = Tz::Europe__Moscow;
    let occ = agenda(
        "yandex-allday-override.ics",
        utc(2026, 3, 1),
        utc(2026, 3, 31),
        tz,
        &["me@yandex.ru"],
    );
    // UNTIL=20260306 (a DATE) includes the 6th.
    assert_eq!(occ.len(), 4, "{occ:?}");
    let all_day: Vec<&Occurrence> = occ.iter().filter(|o| o.span.is_all_day()).collect();
    assert_eq!(all_day.len(), 1);
    assert_eq!(
        all_day[0].recurrence_id.as_deref(),
        Some("20260305T090000Z")
    );
    assert_eq!(all_day[0].my_partstat, Some(PartStat::Accepted));
    assert!(occ
        .iter()
        .filter(|o| !o.span.is_all_day())
        .all(|o| o.declined_by_me()));
    assert_eq!(
        occ[0].telemost.as_deref(),
        Some("https://telemost.yandex.ru/j/99990000111122")
    );
}

#[test]
fn berlin_series_across_dst_seen_from_yekaterinburg() {
    let tz = Tz::Asia__Yekaterinburg;
    let occ = agenda(
        "nextcloud-berlin-dst.ics",
        utc(2026, 3, 1),
        utc(2026, 5, 1),
        tz,
        &[],
    );
    // 09:00 Berlin stays 09:00 Berlin: +4h before 29 March (CET), +3h after (CEST).
    assert_eq!(
        starts(&occ, tz),
        [
            "2026-03-19T13:00:00+05:00",
            "2026-03-26T13:00:00+05:00",
            "2026-04-02T12:00:00+05:00",
            "2026-04-09T12:00:00+05:00",
        ]
    );
    assert_eq!(
        occ[0].telemost.as_deref(),
        Some("https://telemost.yandex.ru/j/55556666777788")
    );
}

#[test]
fn google_all_day_multi_day_utc_and_floating() {
    let tz = Tz::Asia__Yekaterinburg;
    let occ = agenda(
        "google-export.ics",
        utc(2026, 3, 1),
        utc(2026, 3, 31),
        tz,
        &["me@gmail.com"],
    );
    assert_eq!(occ.len(), 3);
    let trip = occ
        .iter()
        .find(|o| o.uid == "conference-trip@google.com")
        .expect("trip");
    let (s, e) = trip.span.instants(tz);
    assert_eq!(
        s.with_timezone(&tz).to_rfc3339(),
        "2026-03-10T00:00:00+05:00"
    );
    assert_eq!(
        e.with_timezone(&tz).to_rfc3339(),
        "2026-03-13T00:00:00+05:00"
    );
    let one = occ
        .iter()
        .find(|o| o.uid == "1on1@google.com")
        .expect("1:1");
    assert_eq!(one.my_partstat, Some(PartStat::NeedsAction));
    assert_eq!(
        one.telemost.as_deref(),
        Some("https://telemost.yandex.ru/j/11112222333344")
    );
    let yoga = occ
        .iter()
        .find(|o| o.uid == "floating-yoga@google.com")
        .expect("yoga");
    // Floating: 18:00 wherever the user is.
    assert_eq!(
        starts(std::slice::from_ref(yoga), tz),
        ["2026-03-12T18:00:00+05:00"]
    );
    // A trip day is seen from a window that only covers its middle.
    let mid = agenda(
        "google-export.ics",
        utc(2026, 3, 11),
        utc(2026, 3, 12),
        tz,
        &[],
    );
    assert!(mid.iter().any(|o| o.uid == "conference-trip@google.com"));
}

#[test]
fn outlook_windows_zone_and_rule_matched_zone() {
    let tz = Tz::Europe__Moscow;
    let occ = agenda(
        "outlook-windows-zone.ics",
        utc(2026, 3, 1),
        utc(2026, 3, 31),
        tz,
        &["me@yandex.ru"],
    );
    assert_eq!(
        starts(&occ, tz),
        ["2026-03-04T11:00:00+03:00", "2026-03-04T13:00:00+03:00"]
    );
    assert_eq!(
        occ[0].organizer.as_ref().and_then(|o| o.name.as_deref()),
        Some("Doe, John")
    );
    assert_eq!(occ[0].my_partstat, Some(PartStat::Tentative));
}

#[test]
fn malformed_objects_are_skipped_with_reasons() {
    let parsed = parse_calendar(&fixture("malformed-among-good.ics"));
    let uids: Vec<&str> = parsed.series.iter().map(|s| s.uid.as_str()).collect();
    assert_eq!(
        uids,
        [
            "bad-rrule@yandex.ru",
            "good-1@yandex.ru",
            "good-2@yandex.ru"
        ]
    );
    let skipped: Vec<Option<&str>> = parsed.skipped.iter().map(|s| s.uid.as_deref()).collect();
    assert_eq!(
        skipped,
        [Some("bad-date@yandex.ru"), Some("no-start@yandex.ru")]
    );
    let (occ, notes) = parse_and_expand(
        &fixture("malformed-among-good.ics"),
        Window {
            from: utc(2026, 3, 1),
            to: utc(2026, 4, 1),
        },
        Tz::UTC,
        &Me::default(),
    );
    assert_eq!(occ.len(), 2);
    assert_eq!(notes.len(), 3, "{notes:?}");
    assert!(notes
        .iter()
        .any(|n| n.uid.as_deref() == Some("bad-rrule@yandex.ru")));
}

#[test]
fn instance_cap_limits_a_series() {
    let ics = "BEGIN:VEVENT\nUID:x\nDTSTART:20260101T000000Z\nRRULE:FREQ=HOURLY\nEND:VEVENT\n";
    let mut parsed = parse_calendar(ics);
    let series = parsed.series.remove(0);
    let mut opts = yandex_calendar::ical::ExpandOptions::new(
        Window {
            from: utc(2026, 1, 1),
            to: utc(2026, 12, 31),
        },
        Tz::UTC,
    );
    opts.max_instances = 50;
    let mut notes = Vec::new();
    let occ = yandex_calendar::ical::expand(&series, &opts, &Me::default(), &mut notes);
    assert_eq!(occ.len(), 50);
    assert_eq!(notes.len(), 1);
}

#[test]
fn floating_until_and_rdate() {
    let ics = "BEGIN:VEVENT\nUID:f\nDTSTART;TZID=Europe/Berlin:20260320T090000\nDURATION:PT30M\n\
RRULE:FREQ=DAILY;UNTIL=20260322T090000\nRDATE;TZID=Europe/Berlin:20260401T120000\nEND:VEVENT\n";
    let tz = Tz::Europe__Berlin;
    let (occ, notes) = parse_and_expand(
        ics,
        Window {
            from: utc(2026, 3, 1),
            to: utc(2026, 5, 1),
        },
        tz,
        &Me::default(),
    );
    assert!(notes.is_empty(), "{notes:?}");
    assert_eq!(
        starts(&occ, tz),
        [
            "2026-03-20T09:00:00+01:00",
            "2026-03-21T09:00:00+01:00",
            "2026-03-22T09:00:00+01:00",
            "2026-04-01T12:00:00+02:00",
        ]
    );
}
