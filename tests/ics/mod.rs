//! Helpers shared by the iCalendar tests: the fixture corpus and dates.
#![allow(dead_code)]

use chrono::{DateTime, TimeZone, Utc};

/// A file of tests/fixtures/ics/.
pub fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/ics/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Midnight UTC of a date.
pub fn utc(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 0, 0, 0)
        .single()
        .expect("valid date")
}
