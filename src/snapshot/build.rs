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
        let prev = baseline.previous();
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
                let Some(text) = obj.ics else {
                    carry.extend(in_object());
                    continue;
                };
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
            },
            skipped,
        }
    }
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
