//! Building a snapshot from the previous one and what the calendars hold now.

use std::collections::{BTreeMap, BTreeSet};

use chrono_tz::Tz;

use super::{Baseline, Meeting, SeriesEntry, SeriesState, SeriesView, Snapshot, SNAPSHOT_VERSION};
use crate::ical::{self, ExpandOptions, Me, Series, SeriesExpansion, Skipped, Window};

/// How long a series whose meetings are all over stays in the snapshot.
const PAST_KEPT_DAYS: i64 = 7;

/// One calendar as the caller has it now.
#[derive(Debug, Clone)]
pub struct CalendarSource<'a> {
    /// The collection URL (the key the snapshot files series under).
    pub url: &'a str,
    /// Whether the calendar's first sync has completed (`sync::CalendarState::synced` is
    /// set). Before that its object list is partial: nothing of it is news, nothing of it is
    /// gone.
    pub initial_sync_done: bool,
    pub objects: Objects<'a>,
}

/// The objects of a calendar.
#[derive(Debug, Clone)]
pub enum Objects<'a> {
    /// Every object the calendar's sync state lists (`CalendarState::objects`), with its
    /// stored body when there is one. An object that was in the previous snapshot and is
    /// not listed here was deleted (the sync engine drops objects only on evidence).
    Listed(Vec<ObjectSource<'a>>),
    /// Not readable this time: keep what the previous snapshot had for this calendar.
    Unavailable,
}

#[derive(Debug, Clone, Copy)]
pub struct ObjectSource<'a> {
    /// The object's key in the sync state (its normalised href).
    pub key: &'a str,
    /// The iCalendar text; `None` when no usable body is stored (e.g. the sync set it
    /// aside): its series keep their last known state.
    pub ics: Option<&'a str>,
}

impl<'a> CalendarSource<'a> {
    /// A calendar whose first sync is done, from `(key, text)` pairs.
    pub fn complete(url: &'a str, objects: &[(&'a str, &'a str)]) -> CalendarSource<'a> {
        CalendarSource {
            url,
            initial_sync_done: true,
            objects: Objects::Listed(
                objects
                    .iter()
                    .map(|(key, ics)| ObjectSource {
                        key,
                        ics: Some(ics),
                    })
                    .collect(),
            ),
        }
    }
}

/// A new snapshot and what could not be read (for the log).
#[derive(Debug, Clone)]
pub struct Built {
    pub snapshot: Snapshot,
    pub skipped: Vec<Skipped>,
}

/// The version (ETag) of each object by calendar URL and object key, for
/// [`Snapshot::build_reusing`].
pub type Versions<'a> = BTreeMap<(&'a str, &'a str), &'a str>;

fn object_digest(calendar: &str, key: &str, version: &str) -> String {
    super::fnv1a_hex(&format!("{calendar}\u{1f}{key}\u{1f}{version}"))
}

fn me_digest(me: &Me) -> String {
    super::fnv1a_hex(&me.emails().join("\u{1f}"))
}

impl Snapshot {
    /// Builds the snapshot of `window` for a user in `tz` from `sources`, carrying forward
    /// from `baseline` whatever cannot be read now. Calendars not among `sources` (no
    /// longer subscribed) are left out silently.
    pub fn build(
        baseline: Baseline<'_>,
        sources: &[CalendarSource<'_>],
        window: Window,
        tz: Tz,
        me: &Me,
    ) -> Built {
        build_with(baseline, sources, None, false, window, tz, me)
    }

    /// Like [`Snapshot::build`], also recording the objects' `versions`, so that the next
    /// build may reuse what did not change ([`Snapshot::build_reusing`]).
    pub fn build_versioned(
        baseline: Baseline<'_>,
        sources: &[CalendarSource<'_>],
        versions: &Versions<'_>,
        window: Window,
        tz: Tz,
        me: &Me,
    ) -> Built {
        build_with(baseline, sources, Some(versions), false, window, tz, me)
    }

    /// [`Snapshot::build_versioned`] that takes from the previous snapshot what it made of
    /// each object whose version it recorded — the same text gives the same series — so
    /// only what changed is parsed, and an unchanged object's `ics` is not looked at (the
    /// caller need not read it). `None` when that cannot be done: the previous snapshot is
    /// of another window, zone or "me", or has no versions; or a series would be gone (it
    /// may live on in an object not parsed this time, and nothing is concluded deleted
    /// without reading everything). The caller then builds in full.
    pub fn build_reusing(
        baseline: Baseline<'_>,
        sources: &[CalendarSource<'_>],
        versions: &Versions<'_>,
        window: Window,
        tz: Tz,
        me: &Me,
    ) -> Option<Built> {
        let reusable = baseline.previous().is_some_and(|p| {
            p.window == window && p.tz == tz.name() && p.me == me_digest(me) && !p.parsed.is_empty()
        });
        if !reusable {
            return None;
        }
        let built = build_with(baseline, sources, Some(versions), true, window, tz, me);
        let gone = built
            .snapshot
            .series
            .values()
            .any(|e| matches!(e.state, SeriesState::Gone { .. }));
        (!gone).then_some(built)
    }

    /// Whether an object at `version` was parsed for this snapshot (so a build reusing it
    /// does not need its text).
    pub fn parsed(&self, calendar: &str, key: &str, version: &str) -> bool {
        self.parsed.contains(&object_digest(calendar, key, version))
    }
}

#[allow(clippy::too_many_arguments)]
fn build_with(
    baseline: Baseline<'_>,
    sources: &[CalendarSource<'_>],
    versions: Option<&Versions<'_>>,
    reuse: bool,
    window: Window,
    tz: Tz,
    me: &Me,
) -> Built {
    let prev = baseline.previous();
    let mut parsed: BTreeSet<String> = BTreeSet::new();
    let opts = ExpandOptions::new(window, tz);
    let mut skipped = Vec::new();
    let mut series: BTreeMap<String, SeriesEntry> = BTreeMap::new();
    // Series that must be carried if nothing newer is found: (uid, why).
    let mut carry: BTreeSet<String> = BTreeSet::new();
    // Series whose source proves them deleted, if not found elsewhere.
    let mut gone: BTreeSet<String> = BTreeSet::new();
    // The previous snapshot's live series, by calendar and object.
    let mut by_object: BTreeMap<(&str, &str), Vec<&String>> = BTreeMap::new();
    for (uid, e) in prev.iter().flat_map(|p| p.series.iter()) {
        if e.active().is_some() {
            by_object
                .entry((e.calendar.as_str(), e.object.as_str()))
                .or_default()
                .push(uid);
        }
    }
    let in_calendar = |calendar: &str| -> Vec<(&str, &String)> {
        by_object
            .range((calendar, "")..)
            .take_while(|((c, _), _)| *c == calendar)
            .flat_map(|((_, o), uids)| uids.iter().map(move |u| (*o, *u)))
            .collect()
    };
    for src in sources {
        let listed = match &src.objects {
            Objects::Unavailable => {
                carry.extend(in_calendar(src.url).into_iter().map(|(_, u)| u.clone()));
                continue;
            }
            Objects::Listed(list) => list,
        };
        let keys: BTreeSet<&str> = listed.iter().map(|o| o.key).collect();
        for (object, uid) in in_calendar(src.url) {
            if !keys.contains(object) {
                if src.initial_sync_done {
                    gone.insert(uid.clone());
                } else {
                    carry.insert(uid.clone());
                }
            }
        }
        for obj in listed {
            let in_object = || -> Vec<String> {
                by_object
                    .get(&(src.url, obj.key))
                    .map(|uids| uids.iter().map(|u| (*u).clone()).collect())
                    .unwrap_or_default()
            };
            let digest = versions
                .and_then(|v| v.get(&(src.url, obj.key)))
                .map(|version| object_digest(src.url, obj.key, version));
            if let (true, Some(p), Some(d)) = (reuse, prev, &digest) {
                if p.parsed.contains(d) {
                    // Unchanged since the previous build, for the same window: what
                    // it made of this object stands.
                    for uid in in_object() {
                        if let Some(e) = p.series.get(&uid) {
                            series.entry(uid).or_insert_with(|| e.clone());
                        }
                    }
                    parsed.insert(d.clone());
                    continue;
                }
            }
            let Some(text) = obj.ics else {
                carry.extend(in_object());
                continue;
            };
            if let Some(d) = digest {
                parsed.insert(d);
            }
            // A single meeting that ended well before the window gives the snapshot nothing
            // (a series all in the past is dropped below): not parsed — unless the previous
            // snapshot had something of this object (it may have moved back there).
            if in_object().is_empty()
                && long_past(
                    text,
                    window.from - chrono::Duration::days(PAST_KEPT_DAYS + 2),
                )
            {
                continue;
            }
            let parsed = ical::parse_calendar(text);
            // A VEVENT that did not parse: its series keeps what it had.
            let unreadable: BTreeSet<String> = parsed
                .skipped
                .iter()
                .filter_map(|s| s.uid.clone())
                .collect();
            // When a VEVENT without a readable UID failed, any series may be the one that
            // failed: nothing of this object is concluded gone this time.
            let doubtful = parsed.skipped.iter().any(|s| s.uid.is_none());
            skipped.extend(parsed.skipped.iter().cloned());
            let mut here: BTreeSet<String> = BTreeSet::new();
            for s in &parsed.series {
                here.insert(s.uid.clone());
                // Part of it did not parse (maybe its master): what is left is not
                // the series. Keep the last known state, or nothing until it parses.
                if unreadable.contains(&s.uid) {
                    carry.insert(s.uid.clone());
                    continue;
                }
                let mut notes = Vec::new();
                match ical::expand_series(s, &opts, me, &mut notes) {
                    Ok(exp) => {
                        series.entry(s.uid.clone()).or_insert_with(|| SeriesEntry {
                            calendar: src.url.to_string(),
                            object: obj.key.to_string(),
                            state: SeriesState::Active(view(s, exp, me)),
                        });
                    }
                    Err(reason) => {
                        carry.insert(s.uid.clone());
                        notes.push(Skipped {
                            uid: Some(s.uid.clone()),
                            reason,
                        });
                    }
                }
                skipped.append(&mut notes);
            }
            for uid in in_object() {
                if here.contains(&uid) {
                    continue;
                }
                if unreadable.contains(&uid) {
                    carry.insert(uid);
                    continue;
                }
                if doubtful || !src.initial_sync_done {
                    carry.insert(uid);
                } else {
                    // The object was read and no longer holds this series.
                    gone.insert(uid);
                }
            }
        }
    }
    if let Some(p) = prev {
        for uid in &carry {
            if series.contains_key(uid) {
                continue;
            }
            if let Some(e) = p.series.get(uid) {
                if let SeriesState::Active(v) = &e.state {
                    let mut v = v.clone();
                    v.carried = true;
                    v.window = v.window.or(Some(p.window));
                    series.insert(
                        uid.clone(),
                        SeriesEntry {
                            state: SeriesState::Active(v),
                            ..e.clone()
                        },
                    );
                }
            }
        }
        for uid in &gone {
            if series.contains_key(uid) || carry.contains(uid) {
                continue;
            }
            if let Some(e) = p.series.get(uid) {
                if let SeriesState::Active(v) = &e.state {
                    series.insert(
                        uid.clone(),
                        SeriesEntry {
                            state: SeriesState::Gone { last: v.clone() },
                            ..e.clone()
                        },
                    );
                }
            }
        }
    }
    // Series entirely in the past are not kept (their meetings can no longer change
    // for anyone); the recent past is, so a meeting moved from it reads as moved.
    let keep_after = window.from - chrono::Duration::days(PAST_KEPT_DAYS);
    let was_live = |uid: &str| {
        prev.and_then(|p| p.series.get(uid))
            .and_then(SeriesEntry::active)
            .is_some_and(|v| !v.cancelled)
    };
    series.retain(|uid, e| match &e.state {
        SeriesState::Gone { .. } => true,
        // Just cancelled: kept once, for the diff to tell.
        SeriesState::Active(v) if v.cancelled => was_live(uid),
        SeriesState::Active(v) => {
            !v.meetings.is_empty()
                || v.next.is_some()
                || v.previous
                    .as_ref()
                    .is_some_and(|p| p.span.instants(tz).1 > keep_after)
        }
    });
    let calendars = sources
        .iter()
        .filter(|s| s.initial_sync_done)
        .map(|s| s.url.to_string())
        .collect();
    Built {
        snapshot: Snapshot {
            version: SNAPSHOT_VERSION,
            tz: tz.name().to_string(),
            window,
            calendars,
            series,
            parsed,
            me: if versions.is_some() {
                me_digest(me)
            } else {
                String::new()
            },
        },
        skipped,
    }
}

/// Whether `ics` is one non-recurring VEVENT that ended before `cutoff` (by dates, read
/// without parsing; anything unclear reads as "not sure": false).
fn long_past(ics: &str, cutoff: chrono::DateTime<chrono::Utc>) -> bool {
    let cutoff = cutoff.date_naive();
    let mut events = 0;
    let (mut start, mut end) = (None, None);
    for line in ics.lines() {
        let upper = |n: usize| line.get(..n).map(str::to_ascii_uppercase);
        let name = line
            .split([':', ';'])
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_uppercase();
        match name.as_str() {
            "BEGIN" if upper(12).as_deref() == Some("BEGIN:VEVENT") => events += 1,
            "RRULE" | "RDATE" | "EXRULE" | "RECURRENCE-ID" | "DURATION" => return false,
            "DTSTART" => start = date_of(line),
            "DTEND" => end = date_of(line),
            _ => {}
        }
    }
    let last = end.or(start);
    events == 1 && start.is_some() && last.is_some_and(|d| d < cutoff)
}

/// The date a DTSTART or DTEND line gives (`YYYYMMDD` at the start of its value).
fn date_of(line: &str) -> Option<chrono::NaiveDate> {
    let value = line.rsplit(':').next()?.trim();
    chrono::NaiveDate::parse_from_str(value.get(..8)?, "%Y%m%d").ok()
}

fn view(s: &Series, exp: SeriesExpansion, me: &Me) -> SeriesView {
    let recurring = s
        .master
        .as_ref()
        .is_some_and(|m| !m.rrules.is_empty() || !m.rdates.is_empty())
        || !s.overrides.is_empty();
    let mut meetings: Vec<Meeting> = exp
        .occurrences
        .iter()
        .map(|o| Meeting::from_occurrence(o, me))
        .collect();
    meetings.sort_by(|a, b| a.recurrence_id.cmp(&b.recurrence_id));
    meetings.dedup_by(|a, b| a.recurrence_id == b.recurrence_id);
    SeriesView {
        recurring,
        cancelled: exp.cancelled,
        floating: exp.floating,
        complete: exp.complete,
        carried: false,
        window: None,
        meetings,
        next: exp.next.as_ref().map(|o| Meeting::from_occurrence(o, me)),
        previous: exp
            .previous
            .as_ref()
            .map(|o| Meeting::from_occurrence(o, me)),
        excluded: exp.excluded.into_iter().collect(),
        ends: exp.ends,
        first: exp.first,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn event(lines: &[&str]) -> String {
        let mut all = vec!["BEGIN:VCALENDAR", "BEGIN:VEVENT", "UID:x"];
        all.extend(lines);
        all.extend(["END:VEVENT", "END:VCALENDAR", ""]);
        all.join("\r\n")
    }

    #[test]
    fn only_a_plain_meeting_long_over_is_left_unparsed() {
        let cutoff = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
        let old = [
            "DTSTART;TZID=Europe/Moscow:20261020T100000",
            "DTEND;TZID=Europe/Moscow:20261020T110000",
        ];
        assert!(long_past(&event(&old), cutoff));
        assert!(long_past(&event(&["DTSTART;VALUE=DATE:20261020"]), cutoff));
        for not_sure in [
            event(&["DTSTART:20261020T100000Z", "DTEND:20261102T110000Z"]),
            event(&["DTSTART:20261020T100000Z", "RRULE:FREQ=WEEKLY"]),
            event(&["DTSTART:20261020T100000Z", "DURATION:P30D"]),
            event(&["RECURRENCE-ID:20261020T100000Z", "DTSTART:20261020T100000Z"]),
            event(&["DTSTART;TZID=Europe/Mosc", " ow:20261020T100000"]),
            event(&["DTEND:20261020T110000Z"]),
            event(&old).replace(
                "END:VEVENT",
                "END:VEVENT\r\nBEGIN:VEVENT\r\nUID:y\r\nDTSTART:20261201T100000Z\r\nEND:VEVENT",
            ),
        ] {
            assert!(!long_past(&not_sure, cutoff), "{not_sure}");
        }
    }
}
