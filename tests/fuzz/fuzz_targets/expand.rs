//! Any calendar text, any window, any viewer zone: expansion returns in bounded time (the
//! runner's per-input timeout catches a rule that spins), never panics, and what it returns
//! is consistent: occurrences touch the window (or are overrides moved out of it), the next
//! meeting is after it, the previous one before it.
#![no_main]

use chrono::{Duration, TimeZone, Utc};
use libfuzzer_sys::fuzz_target;
use yandex_calendar::ical::{expand_series, parse_calendar, ExpandOptions, Me, Window};

const ZONES: [chrono_tz::Tz; 5] = [
    chrono_tz::Tz::Europe__Moscow,
    chrono_tz::Tz::UTC,
    chrono_tz::Tz::America__New_York,
    chrono_tz::Tz::Asia__Kathmandu,
    chrono_tz::Tz::Pacific__Chatham,
];

fuzz_target!(|data: &[u8]| {
    if data.len() < 4 {
        return;
    }
    let day = i64::from(u16::from_le_bytes([data[0], data[1]]));
    let days = i64::from(data[2]) + 1;
    let tz = ZONES[usize::from(data[3]) % ZONES.len()];
    let Some(base) = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).single() else {
        return;
    };
    let from = base + Duration::days(day % 2000);
    let window = Window {
        from,
        to: from + Duration::days(days),
    };
    let text = String::from_utf8_lossy(&data[4..]);
    let parsed = parse_calendar(&text);
    let opts = ExpandOptions::new(window, tz);
    let me = Me::new(["me@yandex.ru"]);
    for s in &parsed.series {
        let mut notes = Vec::new();
        let Ok(e) = expand_series(s, &opts, &me, &mut notes) else {
            continue;
        };
        for o in &e.occurrences {
            let (start, end) = o.span.instants(tz);
            assert!(
                window.overlaps(start, end) || o.overridden,
                "{o:?} outside {window:?}"
            );
        }
        if let Some(n) = &e.next {
            assert!(
                n.span.instants(tz).0 >= window.to,
                "next {n:?} inside {window:?}"
            );
        }
        if let Some(p) = &e.previous {
            assert!(
                p.span.instants(tz).1 <= window.from,
                "previous {p:?} inside {window:?}"
            );
        }
    }
});
