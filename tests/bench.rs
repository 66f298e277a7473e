//! Time to parse and expand a generated 1,000-event calendar natively.
//! Run: `cargo test --release --test bench -- --ignored --nocapture`.

use std::fmt::Write;
use std::time::Instant;

use chrono::{TimeZone, Utc};
use yandex_calendar::ical::{parse_and_expand, Me, Window};

/// 1,000 VEVENTs: every fifth a weekly series in Europe/Moscow, the rest single meetings.
fn generated_calendar() -> String {
    let mut ics = String::from(
        "BEGIN:VCALENDAR\r\nPRODID:-//Yandex LLC//Yandex Calendar//EN\r\nVERSION:2.0\r\n",
    );
    for i in 0..1000u32 {
        let day = 1 + i % 28;
        let hour = 8 + i % 10;
        let _ = write!(
            ics,
            "BEGIN:VEVENT\r\nUID:gen-{i}@yandex.ru\r\nDTSTAMP:20260101T000000Z\r\n\
DTSTART;TZID=Europe/Moscow:202603{day:02}T{hour:02}0000\r\nDTEND;TZID=Europe/Moscow:202603{day:02}T{hour:02}3000\r\n\
SUMMARY:Meeting {i}\r\nLOCATION:Room {i}\r\nX-TELEMOST-CONFERENCE:https://telemost.yandex.ru/j/{i:014}\r\n\
ORGANIZER;CN=Boss:mailto:boss@yandex.ru\r\nATTENDEE;PARTSTAT=ACCEPTED;CN=Me:mailto:me@yandex.ru\r\n\
ATTENDEE;PARTSTAT=NEEDS-ACTION;CN=Other:mailto:other{i}@yandex.ru\r\n"
        );
        if i % 5 == 0 {
            ics.push_str("RRULE:FREQ=WEEKLY;UNTIL=20261231T000000Z\r\n");
        }
        ics.push_str("END:VEVENT\r\n");
    }
    ics.push_str("END:VCALENDAR\r\n");
    ics
}

#[test]
#[ignore]
fn parse_and_expand_1000_events() {
    let ics = generated_calendar();
    let window = Window {
        from: Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap(),
        to: Utc.with_ymd_and_hms(2026, 4, 1, 0, 0, 0).unwrap(),
    };
    let me = Me::new(["me@yandex.ru"]);
    let runs = 5;
    let started = Instant::now();
    let mut count = 0;
    for _ in 0..runs {
        let (occ, skipped) =
            parse_and_expand(&ics, window, chrono_tz::Tz::Asia__Yekaterinburg, &me);
        assert!(skipped.is_empty());
        count = occ.len();
    }
    let per_run = started.elapsed() / runs;
    eprintln!(
        "1000 events ({} bytes) -> {count} occurrences in March: {per_run:?} per parse+expand",
        ics.len()
    );
}
