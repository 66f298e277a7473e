//! TZID resolution: IANA names, Windows names, X-LIC-LOCATION, and as a last resort the
//! offsets a VTIMEZONE's own rules give, matched against the tz database.

use std::collections::HashMap;
use std::str::FromStr;

use chrono::{NaiveDate, Offset, TimeZone};
use chrono_tz::Tz;
use icalendar::parser::Component;

use super::props;
use super::windows_zones::windows_to_iana;

/// Zones tried first when matching VTIMEZONE rules, so that e.g. +03:00 without DST maps
/// to Moscow rather than to the first zone of the alphabet with that offset.
const PREFERRED: &[Tz] = &[
    Tz::Europe__Moscow,
    Tz::Europe__Berlin,
    Tz::Europe__London,
    Tz::Asia__Yekaterinburg,
    Tz::Asia__Novosibirsk,
    Tz::Asia__Vladivostok,
    Tz::Europe__Kiev,
    Tz::Europe__Minsk,
    Tz::Asia__Almaty,
    Tz::Asia__Tashkent,
    Tz::America__New_York,
    Tz::America__Chicago,
    Tz::America__Denver,
    Tz::America__Los_Angeles,
    Tz::Asia__Dubai,
    Tz::Asia__Shanghai,
    Tz::Asia__Tokyo,
];

/// Year used to compare a VTIMEZONE's rules with the tz database. Fixed (not "now") so
/// that the mapping is deterministic; rules rarely change within a decade.
const REFERENCE_YEAR: i32 = 2025;

/// Resolves an IANA, Windows, or path-prefixed IANA name.
pub(crate) fn known_zone(name: &str) -> Option<Tz> {
    let name = name.trim().trim_matches('"');
    if name.is_empty() {
        return None;
    }
    if let Ok(tz) = Tz::from_str(name) {
        return Some(tz);
    }
    if let Some(tz) = windows_to_iana(name).and_then(|n| Tz::from_str(n).ok()) {
        return Some(tz);
    }
    // e.g. "/mozilla.org/20050126_1/Europe/Berlin" or "/citadel.org/…/America/New_York".
    let parts: Vec<&str> = name.split('/').filter(|p| !p.is_empty()).collect();
    for take in (1..=3).rev() {
        if parts.len() > take {
            let candidate = parts[parts.len() - take..].join("/");
            if let Ok(tz) = Tz::from_str(&candidate) {
                return Some(tz);
            }
        }
    }
    None
}

/// TZIDs defined in one calendar, mapped to tz database zones.
#[derive(Debug, Clone, Default)]
pub(crate) struct ZoneMap {
    defined: HashMap<String, Tz>,
}

impl ZoneMap {
    pub fn add_vtimezone(&mut self, comp: &Component<'_>) -> Result<(), String> {
        let tzid = props::value(comp, "TZID").ok_or("VTIMEZONE without TZID")?;
        let tz = known_zone(&tzid)
            .or_else(|| props::value(comp, "X-LIC-LOCATION").and_then(|l| known_zone(&l)))
            .or_else(|| match_rules(comp))
            .ok_or_else(|| format!("VTIMEZONE {tzid:?} matches no known zone"))?;
        self.defined.insert(tzid, tz);
        Ok(())
    }

    /// Maps `tzid` to a zone known to be right for it.
    pub(crate) fn define(&mut self, tzid: String, tz: Tz) {
        self.defined.insert(tzid, tz);
    }

    /// The zone for a TZID parameter; `None` means read as floating.
    pub fn resolve(&self, tzid: &str) -> Option<Tz> {
        let key = tzid.trim().trim_matches('"');
        self.defined.get(key).copied().or_else(|| known_zone(key))
    }
}

struct Observance {
    offset_secs: i32,
    start: Option<chrono::NaiveDateTime>,
    month: Option<u32>,
}

fn parse_offset(value: &str) -> Option<i32> {
    let v = value.trim();
    let (sign, digits) = match v.as_bytes().first() {
        Some(b'-') => (-1, v.get(1..)?),
        Some(b'+') => (1, v.get(1..)?),
        _ => (1, v),
    };
    if !(digits.len() == 4 || digits.len() == 6) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let h: i32 = digits.get(0..2)?.parse().ok()?;
    let m: i32 = digits.get(2..4)?.parse().ok()?;
    let s: i32 = digits
        .get(4..)
        .filter(|s| !s.is_empty())
        .map_or(Some(0), |s| s.parse().ok())?;
    Some(sign * (h * 3600 + m * 60 + s))
}

fn latest(comp: &Component<'_>, kind: &str) -> Option<Observance> {
    comp.components
        .iter()
        .filter(|c| c.name.as_str().eq_ignore_ascii_case(kind))
        .filter_map(|c| {
            let offset_secs = parse_offset(&props::value(c, "TZOFFSETTO")?)?;
            let start = props::value(c, "DTSTART")
                .and_then(|v| super::time::parse_date_time(&v))
                .map(|(n, _)| n);
            let month = props::value(c, "RRULE").and_then(|r| {
                r.split(';').find_map(|part| {
                    let (k, v) = part.split_once('=')?;
                    k.eq_ignore_ascii_case("BYMONTH")
                        .then(|| v.parse::<u32>().ok())
                        .flatten()
                })
            });
            Some(Observance {
                offset_secs,
                start,
                month: month.or_else(|| start.map(|s| chrono::Datelike::month(&s))),
            })
        })
        .max_by_key(|o| o.start)
}

/// Finds a tz database zone whose offsets agree with the rules month by month.
fn match_rules(comp: &Component<'_>) -> Option<Tz> {
    let standard = latest(comp, "STANDARD");
    let daylight = latest(comp, "DAYLIGHT");
    let base = standard.as_ref().or(daylight.as_ref())?;
    let mut expected: Vec<(u32, i32)> = Vec::new();
    for month in 1..=12u32 {
        let offset = match (&standard, &daylight) {
            (Some(std), Some(dst)) => {
                let (Some(on), Some(off)) = (dst.month, std.month) else {
                    continue;
                };
                if month == on || month == off {
                    continue; // the transition month itself is ambiguous without the day
                }
                let in_dst = if on < off {
                    month > on && month < off
                } else {
                    month > on || month < off
                };
                if in_dst {
                    dst.offset_secs
                } else {
                    std.offset_secs
                }
            }
            _ => base.offset_secs,
        };
        expected.push((month, offset));
    }
    let fits = |tz: &Tz| {
        expected.iter().all(|(month, offset)| {
            NaiveDate::from_ymd_opt(REFERENCE_YEAR, *month, 15)
                .and_then(|d| d.and_hms_opt(12, 0, 0))
                .map(|n| tz.offset_from_utc_datetime(&n).fix().local_minus_utc() == *offset)
                .unwrap_or(false)
        })
    };
    PREFERRED
        .iter()
        .chain(chrono_tz::TZ_VARIANTS.iter())
        .find(|tz| fits(tz))
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vtimezone(text: &str) -> ZoneMap {
        let comps = icalendar::parser::read_components(text).unwrap_or_default();
        let mut map = ZoneMap::default();
        for c in &comps {
            let _ = map.add_vtimezone(c);
        }
        map
    }

    #[test]
    fn names() {
        assert_eq!(known_zone("Europe/Moscow"), Some(Tz::Europe__Moscow));
        assert_eq!(
            known_zone("Russian Standard Time"),
            Some(Tz::Europe__Moscow)
        );
        assert_eq!(
            known_zone("/mozilla.org/20050126_1/Europe/Berlin"),
            Some(Tz::Europe__Berlin)
        );
        assert_eq!(known_zone("Mars/Olympus"), None);
    }

    #[test]
    fn custom_vtimezone_by_x_lic_location_and_by_rules() {
        let map = vtimezone(
            "BEGIN:VTIMEZONE\nTZID:My Zone\nX-LIC-LOCATION:Asia/Yekaterinburg\nEND:VTIMEZONE\n",
        );
        assert_eq!(map.resolve("My Zone"), Some(Tz::Asia__Yekaterinburg));
        let map = vtimezone(
            "BEGIN:VTIMEZONE\nTZID:(UTC+01:00) Amsterdam, Berlin\n\
BEGIN:STANDARD\nDTSTART:16010101T030000\nTZOFFSETFROM:+0200\nTZOFFSETTO:+0100\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\nEND:STANDARD\n\
BEGIN:DAYLIGHT\nDTSTART:16010101T020000\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0200\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\nEND:DAYLIGHT\n\
END:VTIMEZONE\n",
        );
        assert_eq!(
            map.resolve("(UTC+01:00) Amsterdam, Berlin"),
            Some(Tz::Europe__Berlin)
        );
        let map = vtimezone(
            "BEGIN:VTIMEZONE\nTZID:(UTC+03:00) Moscow\nBEGIN:STANDARD\nDTSTART:16010101T000000\nTZOFFSETFROM:+0300\nTZOFFSETTO:+0300\nEND:STANDARD\nEND:VTIMEZONE\n",
        );
        assert_eq!(map.resolve("(UTC+03:00) Moscow"), Some(Tz::Europe__Moscow));
    }
}
