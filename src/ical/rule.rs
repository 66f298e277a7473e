//! RRULE values: tolerant parsing for the `rrule` crate, and a cheap check that a rule can
//! match any day at all, so that no rule spins the CPU.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

use super::time::{localize, parse_time, Time};

/// The rule parts of RFC 5545 §3.3.10 the `rrule` crate understands. Others (RFC 7529's
/// RSCALE and SKIP, x-names) are dropped rather than losing the whole series.
const KNOWN_PARTS: &[&str] = &[
    "FREQ",
    "COUNT",
    "INTERVAL",
    "BYSECOND",
    "BYMINUTE",
    "BYHOUR",
    "BYDAY",
    "BYMONTHDAY",
    "BYYEARDAY",
    "BYWEEKNO",
    "BYMONTH",
    "BYSETPOS",
    "WKST",
];

/// Longest stretch of days the satisfiability check scans (a Gregorian cycle).
const MAX_SCAN_DAYS: i64 = 400 * 366;

/// A parsed rule, with what the expander needs to know about it.
pub(crate) struct Rule {
    pub rule: rrule::RRule,
    /// Whether the rule ends by itself (UNTIL or COUNT).
    pub finite: bool,
    /// The parts as given (upper-cased names), for the satisfiability check.
    parts: Vec<(String, String)>,
}

/// Parses one RRULE. UNTIL is taken out and applied here because the `rrule` crate only
/// accepts a UTC UNTIL with a zoned DTSTART, while calendars write DATE or floating UNTILs
/// (a floating UNTIL is read in the series' zone).
pub(crate) fn parse_rule(
    raw: &str,
    dtstart: DateTime<rrule::Tz>,
    zone: Tz,
    all_day: bool,
) -> Result<Rule, String> {
    let mut until = None;
    let mut kept = Vec::new();
    let mut parts = Vec::new();
    for part in raw.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let (k, v) = part.split_once('=').unwrap_or((part, ""));
        let k = k.trim().to_ascii_uppercase();
        let v = v.trim();
        match k.as_str() {
            "UNTIL" => until = Some(v.to_string()),
            "RSCALE" if !v.eq_ignore_ascii_case("GREGORIAN") => {
                return Err(format!(
                    "RRULE {raw:?}: calendar scale {v} is not supported"
                ))
            }
            // Meetings do not repeat by the second or minute; such rules only burn time.
            "FREQ" if v.eq_ignore_ascii_case("SECONDLY") || v.eq_ignore_ascii_case("MINUTELY") => {
                return Err(format!("RRULE {raw:?}: FREQ={v} is not supported"))
            }
            k if KNOWN_PARTS.contains(&k) => {
                kept.push(format!("{k}={v}"));
                parts.push((k.to_string(), v.to_ascii_uppercase()));
            }
            _ => {}
        }
    }
    let finite = until.is_some() || parts.iter().any(|(k, _)| k == "COUNT");
    let rule: rrule::RRule<rrule::Unvalidated> = kept
        .join(";")
        .parse()
        .map_err(|e| format!("RRULE {raw:?}: {e}"))?;
    let rule = match until {
        Some(v) => {
            let t = parse_time(&v, false, Some(zone)).map_err(|e| format!("RRULE UNTIL: {e}"))?;
            let until_utc = match t {
                // A DATE UNTIL includes that whole day.
                Time::Date(d) if all_day => {
                    Utc.from_utc_datetime(&d.and_time(chrono::NaiveTime::MIN))
                }
                Time::Date(d) => {
                    localize(zone, d.and_time(chrono::NaiveTime::MIN)).with_timezone(&Utc)
                        + Duration::days(1)
                        - Duration::seconds(1)
                }
                Time::Floating(n) => localize(zone, n).with_timezone(&Utc),
                Time::Zoned(..) => t.to_utc(zone),
            };
            let until_utc = until_utc.max(dtstart.with_timezone(&Utc));
            rule.until(until_utc.with_timezone(&rrule::Tz::UTC))
        }
        None => rule,
    };
    let rule = rule
        .validate(dtstart)
        .map_err(|e| format!("RRULE {raw:?}: {e}"))?;
    Ok(Rule {
        rule,
        finite,
        parts,
    })
}

impl Rule {
    fn values(&self, name: &str) -> Vec<i32> {
        self.parts
            .iter()
            .filter(|(k, _)| k == name)
            .flat_map(|(_, v)| v.split(','))
            .filter_map(|v| v.trim().parse().ok())
            .collect()
    }

    /// Whether some day in `[from, to]` passes the rule's day filters (BYMONTH,
    /// BYMONTHDAY, BYYEARDAY, BYDAY weekdays). Every date a rule produces passes them, so
    /// `false` means the rule produces nothing there — which the `rrule` crate only finds
    /// out after 100,000 empty rounds (a quarter of a second each, natively).
    pub fn can_match(&self, from: NaiveDate, to: NaiveDate) -> bool {
        let months = self.values("BYMONTH");
        let monthdays = self.values("BYMONTHDAY");
        let yeardays = self.values("BYYEARDAY");
        if monthdays.is_empty() && yeardays.is_empty() {
            // Month and weekday filters alone always meet within a year.
            return true;
        }
        let weekdays: Vec<u32> = self
            .parts
            .iter()
            .filter(|(k, _)| k == "BYDAY")
            .flat_map(|(_, v)| v.split(','))
            .filter_map(|d| {
                let d = d.trim();
                let name = d.get(d.len().saturating_sub(2)..)?;
                ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
                    .iter()
                    .position(|w| *w == name)
                    .map(|i| i as u32)
            })
            .collect();
        let to = to.min(from + Duration::days(MAX_SCAN_DAYS));
        let mut day = from;
        while day <= to {
            if day_matches(day, &months, &monthdays, &yeardays, &weekdays) {
                return true;
            }
            match day.succ_opt() {
                Some(next) => day = next,
                None => break,
            }
        }
        false
    }
}

fn day_matches(
    day: NaiveDate,
    months: &[i32],
    monthdays: &[i32],
    yeardays: &[i32],
    weekdays: &[u32],
) -> bool {
    let month_len = days_in_month(day.year(), day.month()) as i32;
    let year_len = if NaiveDate::from_ymd_opt(day.year(), 2, 29).is_some() {
        366
    } else {
        365
    };
    let md = day.day() as i32;
    let yd = day.ordinal() as i32;
    (months.is_empty() || months.contains(&(day.month() as i32)))
        && (monthdays.is_empty()
            || monthdays
                .iter()
                .any(|m| *m == md || *m == md - month_len - 1))
        && (yeardays.is_empty() || yeardays.iter().any(|y| *y == yd || *y == yd - year_len - 1))
        && (weekdays.is_empty() || weekdays.contains(&day.weekday().num_days_from_monday()))
}

fn days_in_month(year: i32, month: u32) -> u32 {
    let (y, m) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1)
        .and_then(|d| d.pred_opt())
        .map_or(31, |d| d.day())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(raw: &str) -> Result<Rule, String> {
        let start = Utc.with_ymd_and_hms(2026, 1, 1, 10, 0, 0).unwrap();
        parse_rule(raw, start.with_timezone(&rrule::Tz::UTC), Tz::UTC, false)
    }

    fn days(y: i32) -> (NaiveDate, NaiveDate) {
        (
            NaiveDate::from_ymd_opt(y, 1, 1).unwrap(),
            NaiveDate::from_ymd_opt(y + 10, 1, 1).unwrap(),
        )
    }

    #[test]
    fn impossible_days_are_found_without_the_crate() {
        let (from, to) = days(2026);
        for raw in [
            "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",
            "FREQ=MONTHLY;BYMONTHDAY=31;BYMONTH=4,6,9,11",
            "FREQ=YEARLY;BYYEARDAY=60;BYMONTH=1",
            "FREQ=DAILY;BYMONTHDAY=-30;BYMONTH=2",
        ] {
            assert!(!rule(raw).unwrap().can_match(from, to), "{raw}");
        }
        for raw in [
            "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",
            "FREQ=MONTHLY;BYMONTHDAY=-1",
            "FREQ=WEEKLY;BYDAY=MO",
            "FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13",
            "FREQ=YEARLY;BYYEARDAY=366",
        ] {
            assert!(rule(raw).unwrap().can_match(from, to), "{raw}");
        }
    }

    #[test]
    fn rfc7529_parts_and_x_names_are_tolerated() {
        let r = rule("RSCALE=GREGORIAN;FREQ=MONTHLY;SKIP=FORWARD;X-FOO=1").unwrap();
        assert!(!r.finite);
        assert!(rule("RSCALE=CHINESE;FREQ=YEARLY").is_err());
        assert!(rule("FREQ=MINUTELY").is_err());
        assert!(rule("FREQ=DAILY;COUNT=3").unwrap().finite);
    }
}
