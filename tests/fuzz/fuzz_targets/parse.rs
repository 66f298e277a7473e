//! Parsing and expanding arbitrary input must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use yandex_calendar::ical::{parse_and_expand, Me, Window};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let window = Window {
        from: chrono::DateTime::from_timestamp(1_772_323_200, 0).unwrap_or_default(),
        to: chrono::DateTime::from_timestamp(1_775_001_600, 0).unwrap_or_default(),
    };
    let _ = parse_and_expand(
        &text,
        window,
        chrono_tz::Tz::Europe__Moscow,
        &Me::new(["me@yandex.ru"]),
    );
});
