//! Occurrences of a series within a window: RRULE/RDATE/EXDATE, overrides matched by
//! RECURRENCE-ID only, exact wall-clock times across DST in the event's and the user's zone.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

use super::me::Me;
use super::model::{Event, Occurrence, Series, Skipped, Span, Status};
use super::time::{localize, rid_key_date, rid_key_instant, Time};

/// Default cap on instances per series in one window.
pub const DEFAULT_MAX_INSTANCES: usize = 1000;
/// Guard on rule iterations before the window is even reached (e.g. a MINUTELY rule from 2001).
const MAX_ITERATIONS: usize = 200_000;

/// A half-open interval of time `[from, to)`: the one window type of `ical`, `sync` and
/// `snapshot`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Window {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

impl Window {
    /// `days_back` days before `now` to `days_ahead` days after it.
    pub fn around(now: DateTime<Utc>, days_back: i64, days_ahead: i64) -> Window {
        Window {
            from: now - Duration::days(days_back),
            to: now + Duration::days(days_ahead),
        }
    }

    pub fn contains(&self, at: DateTime<Utc>) -> bool {
        self.from <= at && at < self.to
    }

    /// Whether `[start, end)` overlaps the window; a zero-length span at `from` counts.
    pub fn overlaps(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> bool {
        start < self.to && (end > self.from || (start == end && start >= self.from))
    }

    /// The part of time both windows cover, if any.
    pub fn intersect(&self, other: &Window) -> Option<Window> {
        let w = Window {
            from: self.from.max(other.from),
            to: self.to.min(other.to),
        };
        (w.from < w.to).then_some(w)
    }
}

#[derive(Debug, Clone, Copy)]
pub struct ExpandOptions {
    pub window: Window,
    /// The viewer's zone: floating times and all-day dates are read in it.
    pub user_tz: Tz,
    pub max_instances: usize,
}

impl ExpandOptions {
    pub fn new(window: Window, user_tz: Tz) -> ExpandOptions {
        ExpandOptions {
            window,
            user_tz,
            max_instances: DEFAULT_MAX_INSTANCES,
        }
    }
}

/// Expands every series; the result is sorted by start, then UID.
pub fn expand_all(
    series: &[Series],
    opts: &ExpandOptions,
    me: &Me,
) -> (Vec<Occurrence>, Vec<Skipped>) {
    let mut notes = Vec::new();
    let mut out: Vec<Occurrence> = series
        .iter()
        .flat_map(|s| expand(s, opts, me, &mut notes))
        .collect();
    out.sort_by(|a, b| {
        let ka = a.span.instants(opts.user_tz).0;
        let kb = b.span.instants(opts.user_tz).0;
        ka.cmp(&kb)
            .then_with(|| a.uid.cmp(&b.uid))
            .then_with(|| a.recurrence_id.cmp(&b.recurrence_id))
    });
    (out, notes)
}

/// The occurrences of one series that overlap the window, plus overridden instances whose
/// original time is in the window but which were moved out of it (so that change detection
/// sees a move, not a cancellation; filter with [`Occurrence::overlaps`] for display).
/// Cancelled instances and cancelled meetings are left out. Problems go to `notes`.
pub fn expand(
    series: &Series,
    opts: &ExpandOptions,
    me: &Me,
    notes: &mut Vec<Skipped>,
) -> Vec<Occurrence> {
    let Some(master) = &series.master else {
        // Invited to single instances only: each override stands alone.
        return series
            .overrides
            .iter()
            .filter_map(|o| {
                let rid = o.recurrence_id?;
                let key = match rid {
                    Time::Date(d) => rid_key_date(d),
                    other => rid_key_instant(other.to_utc(opts.user_tz)),
                };
                let original = rid.to_utc(opts.user_tz);
                keep_override(o, original, opts)
                    .then(|| occurrence(o, None, Some(key), true, opts, me))
            })
            .collect();
    };
    if master.status == Status::Cancelled {
        return Vec::new();
    }
    match Expander::new(series, master, opts) {
        Ok(expander) => expander.run(me, notes),
        Err(reason) => {
            notes.push(Skipped {
                uid: Some(series.uid.clone()),
                reason,
            });
            Vec::new()
        }
    }
}

fn keep_override(o: &Event, original: DateTime<Utc>, opts: &ExpandOptions) -> bool {
    if o.status == Status::Cancelled {
        return false;
    }
    let (start, end) = own_span(o, opts.user_tz).instants(opts.user_tz);
    let w = opts.window;
    (start < w.to && (end > w.from || (start == end && start >= w.from))) || w.contains(original)
}

/// The span an event gives itself (DTSTART with DTEND or DURATION).
fn own_span(e: &Event, user_tz: Tz) -> Span {
    match e.start {
        Time::Date(d) => Span::AllDay {
            start: d,
            end: d + all_day_length(e),
        },
        start => {
            let s = start.to_utc(user_tz);
            Span::Timed {
                start: s,
                end: s + timed_length(e, s, user_tz),
            }
        }
    }
}

fn all_day_length(e: &Event) -> Duration {
    let days = match (e.end, e.duration) {
        (Some(end), _) => (end.date() - e.start.date()).num_days(),
        (None, Some(d)) => d.num_days(),
        (None, None) => 1,
    };
    Duration::days(days.max(1))
}

fn timed_length(e: &Event, start: DateTime<Utc>, user_tz: Tz) -> Duration {
    let len = match (e.end, e.duration) {
        (Some(end), _) => end.to_utc(user_tz) - start,
        (None, Some(d)) => d,
        (None, None) => Duration::zero(),
    };
    len.max(Duration::zero())
}

fn occurrence(
    e: &Event,
    master: Option<&Event>,
    key: Option<String>,
    recurring: bool,
    opts: &ExpandOptions,
    me: &Me,
) -> Occurrence {
    span_occurrence(e, master, own_span(e, opts.user_tz), key, recurring, me)
}

fn span_occurrence(
    e: &Event,
    master: Option<&Event>,
    span: Span,
    key: Option<String>,
    recurring: bool,
    me: &Me,
) -> Occurrence {
    // Overrides should be complete, but some servers drop people from them: inherit those.
    let people = match master {
        Some(m) if e.attendees.is_empty() && e.organizer.is_none() => m,
        _ => e,
    };
    let summary = e
        .summary
        .clone()
        .or_else(|| master.and_then(|m| m.summary.clone()))
        .unwrap_or_default();
    Occurrence {
        uid: e.uid.clone(),
        recurrence_id: key,
        recurring,
        overridden: e.recurrence_id.is_some(),
        span,
        summary,
        location: e.location.clone(),
        description: e.description.clone(),
        telemost: e.telemost.clone(),
        web_link: e.web_link.clone(),
        status: e.status,
        organizer: people.organizer.clone(),
        attendees: people.attendees.clone(),
        my_partstat: me.partstat(people),
        i_organize: me.organizes(people),
    }
}

/// Expansion state for one series with a master.
struct Expander<'a> {
    master: &'a Event,
    opts: &'a ExpandOptions,
    /// Zone the rule runs in; UTC for all-day series (dates only).
    zone: Tz,
    all_day: bool,
    recurring: bool,
    dtstart: DateTime<Tz>,
    length: Duration,
    rules: Vec<rrule::RRule>,
    rdates: Vec<DateTime<Tz>>,
    ex_instants: HashSet<DateTime<Utc>>,
    ex_dates: HashSet<NaiveDate>,
    by_instant: HashMap<DateTime<Utc>, &'a Event>,
    by_date: HashMap<NaiveDate, &'a Event>,
}

impl<'a> Expander<'a> {
    fn new(series: &'a Series, master: &'a Event, opts: &'a ExpandOptions) -> Result<Self, String> {
        let user_tz = opts.user_tz;
        let all_day = master.start.is_date();
        let zone = if all_day {
            Tz::UTC
        } else {
            master.start.zone(user_tz)
        };
        let dtstart = match master.start {
            Time::Date(d) => localize(Tz::UTC, d.and_time(chrono::NaiveTime::MIN)),
            t => t.to_utc(user_tz).with_timezone(&zone),
        };
        let length = if all_day {
            all_day_length(master)
        } else {
            timed_length(master, dtstart.with_timezone(&Utc), user_tz)
        };
        let rr_start = dtstart.with_timezone(&rrule::Tz::Tz(zone));
        let mut rules = Vec::new();
        for raw in &master.rrules {
            rules.push(parse_rule(raw, rr_start, zone, all_day, user_tz)?);
        }
        let in_zone = |t: &Time| -> DateTime<Tz> {
            match t {
                Time::Date(d) if all_day => localize(Tz::UTC, d.and_time(chrono::NaiveTime::MIN)),
                // A DATE in a timed series means that day at the series' time of day.
                Time::Date(d) => localize(zone, d.and_time(dtstart.time())),
                other => other.to_utc(user_tz).with_timezone(&zone),
            }
        };
        let rdates = master.rdates.iter().map(in_zone).collect();
        let mut ex_instants = HashSet::new();
        let mut ex_dates = HashSet::new();
        for ex in &master.exdates {
            match ex {
                Time::Date(d) => {
                    ex_dates.insert(*d);
                }
                t if all_day => {
                    ex_dates.insert(t.date());
                }
                t => {
                    ex_instants.insert(t.to_utc(user_tz));
                }
            }
        }
        let mut by_instant = HashMap::new();
        let mut by_date = HashMap::new();
        for o in &series.overrides {
            match o.recurrence_id {
                Some(Time::Date(d)) => {
                    by_date.insert(d, o);
                }
                Some(t) if all_day => {
                    by_date.insert(t.date(), o);
                }
                Some(t) => {
                    by_instant.insert(t.to_utc(user_tz), o);
                }
                None => {}
            }
        }
        Ok(Expander {
            master,
            opts,
            zone,
            all_day,
            recurring: !master.rrules.is_empty()
                || !master.rdates.is_empty()
                || !series.overrides.is_empty(),
            dtstart,
            length,
            rules,
            rdates,
            ex_instants,
            ex_dates,
            by_instant,
            by_date,
        })
    }

    fn key(&self, start: DateTime<Tz>) -> Option<String> {
        if !self.recurring {
            None
        } else if self.all_day {
            Some(rid_key_date(start.date_naive()))
        } else {
            Some(rid_key_instant(start.with_timezone(&Utc)))
        }
    }

    fn span(&self, start: DateTime<Tz>) -> Span {
        if self.all_day {
            let d = start.date_naive();
            Span::AllDay {
                start: d,
                end: d + self.length,
            }
        } else {
            let s = start.with_timezone(&Utc);
            Span::Timed {
                start: s,
                end: s + self.length,
            }
        }
    }

    /// Instance starts in ascending order, not past the window end.
    fn starts(&self, notes: &mut Vec<Skipped>) -> Vec<DateTime<Tz>> {
        let w = self.opts.window;
        let to_instant = |d: &DateTime<Tz>| {
            if self.all_day {
                super::time::midnight(self.opts.user_tz, d.date_naive())
            } else {
                d.with_timezone(&Utc)
            }
        };
        // Instances beginning up to this long before the window can still overlap it;
        // +1 day covers all-day dates read in any zone.
        let margin = self.length + Duration::days(1);
        let mut out: Vec<DateTime<Tz>> = Vec::new();
        if self.rules.is_empty() {
            out.push(self.dtstart);
            out.extend(self.rdates.iter().copied());
        } else {
            let rr_tz = rrule::Tz::Tz(self.zone);
            let mut set = rrule::RRuleSet::new(self.dtstart.with_timezone(&rr_tz));
            for rule in &self.rules {
                set = set.rrule(rule.clone());
            }
            for r in &self.rdates {
                set = set.rdate(r.with_timezone(&rr_tz));
            }
            for (i, d) in (&set).into_iter().enumerate() {
                if i >= MAX_ITERATIONS {
                    notes
                        .push(self.note(format!("stopped after {MAX_ITERATIONS} rule iterations")));
                    break;
                }
                let d = d.with_timezone(&self.zone);
                if to_instant(&d) >= w.to {
                    break;
                }
                out.push(d);
            }
        }
        out.sort();
        out.dedup();
        out.retain(|d| to_instant(d) < w.to);
        // Keep instances that may overlap, plus any that an override might move.
        let overridden = |d: &DateTime<Tz>| {
            self.by_instant.contains_key(&d.with_timezone(&Utc))
                || self.by_date.contains_key(&d.date_naive())
        };
        out.retain(|d| to_instant(d) + margin > w.from || overridden(d));
        out
    }

    fn note(&self, reason: String) -> Skipped {
        Skipped {
            uid: Some(self.master.uid.clone()),
            reason,
        }
    }

    fn run(mut self, me: &Me, notes: &mut Vec<Skipped>) -> Vec<Occurrence> {
        let opts = self.opts;
        let w = opts.window;
        let mut out = Vec::new();
        let mut count = 0usize;
        for start in self.starts(notes) {
            let instant = start.with_timezone(&Utc);
            let local_date = start.date_naive();
            let key = self.key(start);
            let ov = self
                .by_instant
                .remove(&instant)
                .or_else(|| self.by_date.remove(&local_date));
            if let Some(o) = ov {
                let original = self.span(start).instants(opts.user_tz).0;
                if keep_override(o, original, opts) {
                    out.push(occurrence(o, Some(self.master), key, true, opts, me));
                }
                continue;
            }
            if self.ex_instants.contains(&instant) || self.ex_dates.contains(&local_date) {
                continue;
            }
            let span = self.span(start);
            let (s, e) = span.instants(opts.user_tz);
            if !(s < w.to && (e > w.from || (s == e && s >= w.from))) {
                continue;
            }
            count += 1;
            if count > opts.max_instances {
                notes.push(self.note(format!(
                    "more than {} instances in the window; rest left out",
                    opts.max_instances
                )));
                break;
            }
            out.push(span_occurrence(
                self.master,
                None,
                span,
                key,
                self.recurring,
                me,
            ));
        }
        // Overrides whose original instance lies beyond the window may be moved into it.
        let leftovers: Vec<&Event> = self
            .by_instant
            .values()
            .chain(self.by_date.values())
            .copied()
            .collect();
        for o in leftovers {
            let Some(rid) = o.recurrence_id else { continue };
            let original = match rid {
                Time::Date(d) if self.all_day => {
                    localize(Tz::UTC, d.and_time(chrono::NaiveTime::MIN))
                }
                Time::Date(d) => localize(self.zone, d.and_time(self.dtstart.time())),
                t => t.to_utc(opts.user_tz).with_timezone(&self.zone),
            };
            let original_instant = self.span(original).instants(opts.user_tz).0;
            if original < self.dtstart && self.rules.is_empty() {
                continue;
            }
            if keep_override(o, original_instant, opts) {
                out.push(occurrence(
                    o,
                    Some(self.master),
                    self.key(original),
                    true,
                    opts,
                    me,
                ));
            }
        }
        out
    }
}

/// Parses one RRULE. UNTIL is taken out and applied here because the `rrule` crate only
/// accepts a UTC UNTIL with a zoned DTSTART, while calendars write DATE or floating UNTILs.
fn parse_rule(
    raw: &str,
    dtstart: DateTime<rrule::Tz>,
    zone: Tz,
    all_day: bool,
    user_tz: Tz,
) -> Result<rrule::RRule, String> {
    let mut until = None;
    let mut parts = Vec::new();
    for part in raw.split(';').filter(|p| !p.trim().is_empty()) {
        match part.split_once('=') {
            Some((k, v)) if k.trim().eq_ignore_ascii_case("UNTIL") => {
                until = Some(v.trim().to_string())
            }
            _ => parts.push(part.trim()),
        }
    }
    let rule: rrule::RRule<rrule::Unvalidated> = parts
        .join(";")
        .parse()
        .map_err(|e| format!("RRULE {raw:?}: {e}"))?;
    let rule = match until {
        Some(v) => {
            let t = super::time::parse_time(&v, false, Some(zone))
                .map_err(|e| format!("RRULE UNTIL: {e}"))?;
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
                t => t.to_utc(user_tz),
            };
            let until_utc = until_utc.max(dtstart.with_timezone(&Utc));
            rule.until(until_utc.with_timezone(&rrule::Tz::UTC))
        }
        None => rule,
    };
    rule.validate(dtstart)
        .map_err(|e| format!("RRULE {raw:?}: {e}"))
}
