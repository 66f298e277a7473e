//! Dates as people type them: `01.12.2026`, `1.12`, `2026-12-01`, `today`/`сегодня`,
//! `tomorrow`/`завтра`, weekday names in English and Russian (the next such day, today
//! included). Both languages' words work whatever the user's locale.

use chrono::{Datelike, Duration, NaiveDate};

use crate::i18n::Locale;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateError {
    /// Not a date in any form we know.
    Unrecognized(String),
    /// Shaped like a date, but there is no such day (31.02.2026).
    NoSuchDate(String),
}

pub fn parse(input: &str, today: NaiveDate) -> Result<NaiveDate, DateError> {
    let raw = input.trim();
    let word = raw.trim_end_matches(['.', ',']).to_lowercase();
    for locale in Locale::ALL {
        let words = locale.date_words();
        if words.today.contains(&word.as_str()) {
            return Ok(today);
        }
        if words.tomorrow.contains(&word.as_str()) {
            return Ok(today + Duration::days(1));
        }
        if words.yesterday.contains(&word.as_str()) {
            return Ok(today - Duration::days(1));
        }
        if let Some(wd) = words
            .weekdays
            .iter()
            .position(|names| names.contains(&word.as_str()))
        {
            let ahead = (wd as i64 - today.weekday().num_days_from_monday() as i64).rem_euclid(7);
            return Ok(today + Duration::days(ahead));
        }
    }
    numeric(raw, today)
}

fn numeric(raw: &str, today: NaiveDate) -> Result<NaiveDate, DateError> {
    let unrecognized = || DateError::Unrecognized(raw.to_string());
    let no_such = || DateError::NoSuchDate(raw.to_string());
    let number = |s: &str, max_len: usize| -> Option<u32> {
        (!s.is_empty() && s.len() <= max_len && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    // ISO: 2026-12-01
    let iso: Vec<&str> = raw.split('-').collect();
    if let [y, m, d] = iso.as_slice() {
        if y.len() != 4 {
            return Err(unrecognized());
        }
        let (Some(y), Some(m), Some(d)) = (number(y, 4), number(m, 2), number(d, 2)) else {
            return Err(unrecognized());
        };
        return NaiveDate::from_ymd_opt(y as i32, m, d).ok_or_else(no_such);
    }
    // Day first: 01.12.2026, 1.12.26, 1.12, 1/12/2026
    let parts: Vec<&str> = raw.trim_end_matches('.').split(['.', '/']).collect();
    let (d, m, y) = match parts.as_slice() {
        [d, m] => (number(d, 2), number(m, 2), Some(today.year() as u32)),
        [d, m, y] if y.len() == 4 => (number(d, 2), number(m, 2), number(y, 4)),
        [d, m, y] if y.len() == 2 => (number(d, 2), number(m, 2), number(y, 2).map(|y| 2000 + y)),
        _ => return Err(unrecognized()),
    };
    let (Some(d), Some(m), Some(y)) = (d, m, y) else {
        return Err(unrecognized());
    };
    NaiveDate::from_ymd_opt(y as i32, m, d).ok_or_else(no_such)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    #[test]
    fn every_form() {
        // 2026-11-30 is a Monday.
        let today = d(2026, 11, 30);
        for (input, want) in [
            ("01.12.2026", d(2026, 12, 1)),
            ("1.12.2026", d(2026, 12, 1)),
            ("1.12", d(2026, 12, 1)),
            ("1.12.", d(2026, 12, 1)),
            ("01.12.26", d(2026, 12, 1)),
            ("1/12/2026", d(2026, 12, 1)),
            ("2026-12-01", d(2026, 12, 1)),
            ("2027-01-05", d(2027, 1, 5)),
            ("today", today),
            ("Сегодня", today),
            ("tomorrow", d(2026, 12, 1)),
            ("завтра", d(2026, 12, 1)),
            ("вчера", d(2026, 11, 29)),
            ("monday", today),
            ("Пн", today),
            ("tue", d(2026, 12, 1)),
            ("среду", d(2026, 12, 2)),
            ("Friday", d(2026, 12, 4)),
            ("пятница", d(2026, 12, 4)),
            ("вс", d(2026, 12, 6)),
            ("sunday", d(2026, 12, 6)),
        ] {
            assert_eq!(parse(input, today), Ok(want), "{input}");
        }
    }

    #[test]
    fn bad_dates_are_told_apart() {
        let today = d(2026, 11, 30);
        for bad in [
            "32.13",
            "31.02.2026",
            "2026-02-30",
            "29.02.2027",
            "0.1.2026",
        ] {
            assert_eq!(
                parse(bad, today),
                Err(DateError::NoSuchDate(bad.into())),
                "{bad}"
            );
        }
        for bad in [
            "soon",
            "1.2.3.4",
            "12",
            "2026-1",
            "26-12-01",
            "a.b",
            "1.123",
            "понедельникк",
            "",
        ] {
            assert_eq!(
                parse(bad, today),
                Err(DateError::Unrecognized(bad.into())),
                "{bad}"
            );
        }
        assert_eq!(parse("29.02.2028", today), Ok(d(2028, 2, 29)));
    }
}
