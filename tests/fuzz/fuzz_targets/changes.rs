//! Two versions of a calendar object (split at the first 0xFF byte): building snapshots and
//! comparing them never panics, and the same input read twice — or not readable at all the
//! second time — never reports a change.
#![no_main]

use chrono::{TimeZone, Utc};
use libfuzzer_sys::fuzz_target;
use yandex_calendar::changes::diff;
use yandex_calendar::ical::{Me, Window};
use yandex_calendar::snapshot::{Baseline, CalendarSource, Objects, Snapshot};

const CAL: &str = "https://caldav.example/cal/";

fuzz_target!(|data: &[u8]| {
    let split = data.iter().position(|b| *b == 0xFF).unwrap_or(data.len());
    let first = String::from_utf8_lossy(&data[..split]).into_owned();
    let second = String::from_utf8_lossy(data.get(split + 1..).unwrap_or_default()).into_owned();
    let (Some(from), Some(to)) = (
        Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).single(),
        Utc.with_ymd_and_hms(2026, 4, 1, 0, 0, 0).single(),
    ) else {
        return;
    };
    let window = Window { from, to };
    let tz = chrono_tz::Tz::Europe__Moscow;
    let me = Me::new(["me@yandex.ru"]);
    let build = |prev: Baseline<'_>, text: &str| {
        Snapshot::build(
            prev,
            &[CalendarSource::complete(CAL, &[("a.ics", text)])],
            window,
            tz,
            &me,
        )
        .snapshot
    };
    let a = build(Baseline::FirstSync, &first);
    assert!(diff(Baseline::FirstSync, &a).is_empty());
    let again = build(Baseline::Previous(&a), &first);
    let noise = diff(Baseline::Previous(&a), &again);
    assert!(noise.is_empty(), "the same input reported {noise:?}");
    let unreadable = Snapshot::build(
        Baseline::Previous(&a),
        &[CalendarSource {
            url: CAL,
            initial_sync_done: true,
            objects: Objects::Unavailable,
        }],
        window,
        tz,
        &me,
    )
    .snapshot;
    assert!(diff(Baseline::Previous(&a), &unreadable).is_empty());
    let b = build(Baseline::Previous(&a), &second);
    let _ = diff(Baseline::Previous(&a), &b);
    if let Ok(json) = b.to_json() {
        assert_eq!(Snapshot::from_json(&json).ok().as_ref(), Some(&b));
    }
});
