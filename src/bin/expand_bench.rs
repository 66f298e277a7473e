//! Time to parse and expand a generated 1,000-event calendar. Built natively and for
//! wasm32-wasip1 from the same source, so `tests/bench/expand.sh` can run both side by side
//! (`make bench`). Prints `ms_per_run=<f>` and the occurrence count.

use std::fmt::Write;
use std::process::ExitCode;
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

fn main() -> ExitCode {
    let runs: u32 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(5)
        .max(1);
    let ics = generated_calendar();
    let (Some(from), Some(to)) = (
        Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).single(),
        Utc.with_ymd_and_hms(2026, 4, 1, 0, 0, 0).single(),
    ) else {
        return ExitCode::FAILURE;
    };
    let window = Window { from, to };
    let me = Me::new(["me@yandex.ru"]);
    // One run to warm up, then the timed ones.
    let (occ, skipped) = parse_and_expand(&ics, window, chrono_tz::Tz::Asia__Yekaterinburg, &me);
    if !skipped.is_empty() || occ.is_empty() {
        eprintln!(
            "unexpected: {} occurrences, {} skipped",
            occ.len(),
            skipped.len()
        );
        return ExitCode::FAILURE;
    }
    let started = Instant::now();
    for _ in 0..runs {
        let _ = parse_and_expand(&ics, window, chrono_tz::Tz::Asia__Yekaterinburg, &me);
    }
    let ms = started.elapsed().as_secs_f64() * 1000.0 / f64::from(runs);
    println!("events=1000 bytes={} occurrences={}", ics.len(), occ.len());
    println!("ms_per_run={ms:.2}");
    ExitCode::SUCCESS
}
