//! iCalendar date, date-time and duration values, and wall-clock helpers that are exact
//! across DST transitions.

use chrono::{DateTime, Duration, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

/// A DTSTART/DTEND/RECURRENCE-ID/EXDATE/RDATE value as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Time {
    /// All-day (VALUE=DATE).
    Date(NaiveDate),
    /// Wall-clock time in a known zone (UTC `…Z` times use `Tz::UTC`).
    Zoned(NaiveDateTime, Tz),
    /// No zone: read in the viewer's timezone.
    Floating(NaiveDateTime),
}

impl Time {
    pub fn is_date(&self) -> bool {
        matches!(self, Time::Date(_))
    }

    /// The zone the wall clock of this value is read in (`user_tz` for floating and dates).
    pub fn zone(&self, user_tz: Tz) -> Tz {
        match self {
            Time::Zoned(_, tz) => *tz,
            Time::Date(_) | Time::Floating(_) => user_tz,
        }
    }

    /// The instant; dates are read as local midnight in `user_tz`.
    pub fn to_utc(&self, user_tz: Tz) -> DateTime<Utc> {
        match *self {
            Time::Date(d) => midnight(user_tz, d),
            Time::Zoned(naive, tz) => localize(tz, naive).with_timezone(&Utc),
            Time::Floating(naive) => localize(user_tz, naive).with_timezone(&Utc),
        }
    }

    /// The calendar date of this value in its own zone.
    pub fn date(&self) -> NaiveDate {
        match self {
            Time::Date(d) => *d,
            Time::Zoned(naive, _) | Time::Floating(naive) => naive.date(),
        }
    }
}

/// Wall clock → instant. Ambiguous times (the repeated hour) take the first; times in a
/// spring-forward gap move forward by the gap, as RFC 5545 §3.3.5 prescribes.
pub fn localize(tz: Tz, naive: NaiveDateTime) -> DateTime<Tz> {
    match tz.from_local_datetime(&naive) {
        LocalResult::Single(dt) | LocalResult::Ambiguous(dt, _) => dt,
        LocalResult::None => {
            for hours in 1..=3 {
                let shifted = naive + Duration::hours(hours);
                if let LocalResult::Single(dt) | LocalResult::Ambiguous(dt, _) =
                    tz.from_local_datetime(&shifted)
                {
                    return dt;
                }
            }
            tz.from_utc_datetime(&naive)
        }
    }
}

/// Local midnight of `date` in `tz`, as an instant.
pub fn midnight(tz: Tz, date: NaiveDate) -> DateTime<Utc> {
    localize(tz, date.and_time(chrono::NaiveTime::MIN)).with_timezone(&Utc)
}

/// Parses `YYYYMMDD`.
pub fn parse_date(value: &str) -> Option<NaiveDate> {
    let v = value.trim();
    if v.len() != 8 || !v.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    NaiveDate::parse_from_str(v, "%Y%m%d").ok()
}

/// Parses `YYYYMMDDTHHMMSS` with an optional `Z`; returns the naive time and whether it is UTC.
pub fn parse_date_time(value: &str) -> Option<(NaiveDateTime, bool)> {
    let v = value.trim();
    let (body, utc) = match v.strip_suffix(['Z', 'z']) {
        Some(body) => (body, true),
        None => (v, false),
    };
    if body.len() != 15 || !body.is_ascii() {
        return None;
    }
    let naive = NaiveDateTime::parse_from_str(body, "%Y%m%dT%H%M%S").ok()?;
    Some((naive, utc))
}

/// Parses a value list entry given the property's VALUE type and the zone its TZID
/// resolved to (`None` = no TZID, or a TZID we could not resolve: floating).
pub fn parse_time(value: &str, is_date: bool, zone: Option<Tz>) -> Result<Time, String> {
    let v = value.trim();
    if is_date || (v.len() == 8 && !v.contains('T')) {
        return parse_date(v)
            .map(Time::Date)
            .ok_or_else(|| format!("invalid date {v:?}"));
    }
    let (naive, utc) = parse_date_time(v).ok_or_else(|| format!("invalid date-time {v:?}"))?;
    Ok(match (utc, zone) {
        (true, _) => Time::Zoned(naive, Tz::UTC),
        (false, Some(tz)) => Time::Zoned(naive, tz),
        (false, None) => Time::Floating(naive),
    })
}

/// Parses an RFC 5545 DURATION such as `PT1H30M`, `P1D`, `-P1W`.
pub fn parse_duration(value: &str) -> Option<Duration> {
    let v = value.trim();
    let (sign, rest) = match v.as_bytes().first() {
        Some(b'-') => (-1i64, v.get(1..)?),
        Some(b'+') => (1, v.get(1..)?),
        _ => (1, v),
    };
    let rest = rest.strip_prefix(['P', 'p'])?;
    let mut seconds: i64 = 0;
    let mut number: Option<i64> = None;
    let mut in_time = false;
    let mut any = false;
    for c in rest.chars() {
        if let Some(d) = c.to_digit(10) {
            number = Some(
                number
                    .unwrap_or(0)
                    .checked_mul(10)?
                    .checked_add(i64::from(d))?,
            );
            continue;
        }
        let unit = match c.to_ascii_uppercase() {
            'T' if !in_time && number.is_none() => {
                in_time = true;
                continue;
            }
            'W' if !in_time => 7 * 86_400,
            'D' if !in_time => 86_400,
            'H' if in_time => 3_600,
            'M' if in_time => 60,
            'S' if in_time => 1,
            _ => return None,
        };
        seconds = seconds.checked_add(number.take()?.checked_mul(unit)?)?;
        any = true;
    }
    if number.is_some() || !any {
        return None;
    }
    // Cap at ~100 years so later date arithmetic cannot overflow.
    if seconds > 100 * 366 * 86_400 {
        return None;
    }
    Duration::try_seconds(sign * seconds)
}

/// Formats an instance identity: `YYYYMMDD` for dates, `YYYYMMDDTHHMMSSZ` for instants.
pub fn rid_key_date(date: NaiveDate) -> String {
    date.format("%Y%m%d").to_string()
}

/// The identity of an instance of a floating series: its wall clock, so that it does not
/// change with the viewer's zone.
pub fn rid_key_floating(at: NaiveDateTime) -> String {
    at.format("%Y%m%dT%H%M%S").to_string()
}

pub fn rid_key_instant(at: DateTime<Utc>) -> String {
    at.format("%Y%m%dT%H%M%SZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("PT1H30M"), Some(Duration::minutes(90)));
        assert_eq!(parse_duration("P1D"), Some(Duration::days(1)));
        assert_eq!(parse_duration("-P1W"), Some(Duration::days(-7)));
        assert_eq!(parse_duration("P1DT2H"), Some(Duration::hours(26)));
        assert_eq!(parse_duration("P"), None);
        assert_eq!(parse_duration("PT"), None);
        assert_eq!(parse_duration("P1H"), None);
        assert_eq!(parse_duration("P99999999999999999999D"), None);
    }

    #[test]
    fn dst_gap_moves_forward_and_overlap_takes_first() {
        let tz = chrono_tz::Europe::Berlin;
        let gap = NaiveDate::from_ymd_opt(2026, 3, 29)
            .and_then(|d| d.and_hms_opt(2, 30, 0))
            .unwrap_or_default();
        assert_eq!(localize(tz, gap).to_rfc3339(), "2026-03-29T03:30:00+02:00");
        let overlap = NaiveDate::from_ymd_opt(2026, 10, 25)
            .and_then(|d| d.and_hms_opt(2, 30, 0))
            .unwrap_or_default();
        assert_eq!(
            localize(tz, overlap).to_rfc3339(),
            "2026-10-25T02:30:00+02:00"
        );
    }

    #[test]
    fn values() {
        assert!(matches!(
            parse_time("20260302", false, None),
            Ok(Time::Date(_))
        ));
        assert!(matches!(
            parse_time("20260302T090000Z", false, None),
            Ok(Time::Zoned(_, Tz::UTC))
        ));
        assert!(matches!(
            parse_time("20260302T090000", false, None),
            Ok(Time::Floating(_))
        ));
        assert!(parse_time("2026030", false, None).is_err());
        assert!(parse_time("20261302T090000", false, None).is_err());
    }
}
