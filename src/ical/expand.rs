//! Occurrences of a series within a window: RRULE/RDATE/EXDATE, overrides matched by
//! RECURRENCE-ID only (RANGE=THISANDFUTURE included), exact wall-clock times across DST in
//! the event's and the user's zone.
//!
//! Floating EXDATE, RDATE and RECURRENCE-ID values of a zoned series are read in the
//! series' zone, and floating series are keyed by wall clock: a change of the viewer's
//! zone moves nothing that is zoned.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;

use super::me::Me;
use super::model::{Event, Occurrence, PeriodEnd, Series, Skipped, Span, Status};
use super::rule::{parse_rule, Rule};
use super::time::{localize, rid_key_date, rid_key_floating, rid_key_instant, Time};

/// Default cap on instances per series in one window.
pub const DEFAULT_MAX_INSTANCES: usize = 1000;
/// Guard on rule iterations (e.g. an hourly rule from 2001).
const MAX_ITERATIONS: usize = 200_000;
/// How far past the window the next occurrence of a series is looked for.
pub const NEXT_HORIZON_DAYS: i64 = 5 * 366;
/// Rule instances past the window looked at for the next occurrence, and before it for
/// the previous one (EXDATEs may hide a few).
const NEXT_CANDIDATES: usize = 8;

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

    /// Whether `[start, end)` overlaps the window; a zero-length span at `from` counts. An
    /// empty window overlaps nothing.
    pub fn overlaps(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> bool {
        self.from < self.to
            && start < self.to
            && (end > self.from || (start == end && start >= self.from))
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

/// Everything known about one series in a window: what the change detector needs to tell
/// "moved out of view" from "removed".
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SeriesExpansion {
    /// As [`expand`] returns them.
    pub occurrences: Vec<Occurrence>,
    /// The first occurrence starting at or after the window's end (looked for up to
    /// [`NEXT_HORIZON_DAYS`] ahead): how far-future meetings are tracked.
    pub next: Option<Occurrence>,
    /// The last occurrence over before the window: so that a meeting moved from the past
    /// into view reads as moved.
    pub previous: Option<Occurrence>,
    /// Instances whose original start lies in the window, removed by an EXDATE or a
    /// cancelled override (by recurrence id).
    pub excluded: Vec<String>,
    /// When the recurrence ends by itself (UNTIL, COUNT): the start of its last instance.
    pub ends: Option<DateTime<Utc>>,
    /// The span of the first instance (DTSTART): when it changes, the series moved.
    pub first: Option<Span>,
    /// The whole series (or single meeting) is STATUS:CANCELLED.
    pub cancelled: bool,
    /// False when a cap cut the expansion short: then the absence of an instance proves
    /// nothing.
    pub complete: bool,
    /// The series' times are floating (read in the viewer's zone).
    pub floating: bool,
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
    match expand_series(series, opts, me, notes) {
        Ok(e) => e.occurrences,
        Err(reason) => {
            notes.push(Skipped {
                uid: Some(series.uid.clone()),
                reason,
            });
            Vec::new()
        }
    }
}

/// Expands one series. `Err` when it cannot be expanded at all (e.g. an RRULE we cannot
/// read): the caller then knows nothing new about it, which is not the same as "no
/// meetings". Caps that cut the expansion short go to `notes` and clear `complete`.
pub fn expand_series(
    series: &Series,
    opts: &ExpandOptions,
    me: &Me,
    notes: &mut Vec<Skipped>,
) -> Result<SeriesExpansion, String> {
    let Some(master) = &series.master else {
        return Ok(overrides_only(series, opts, me));
    };
    if master.status == Status::Cancelled {
        return Ok(SeriesExpansion {
            cancelled: true,
            complete: true,
            floating: matches!(master.start, Time::Floating(_)),
            ..SeriesExpansion::default()
        });
    }
    Ok(Expander::new(series, master, opts)?.run(me, notes))
}

/// Invited to single instances only: each override stands alone.
fn overrides_only(series: &Series, opts: &ExpandOptions, me: &Me) -> SeriesExpansion {
    let mut out = SeriesExpansion {
        complete: true,
        floating: series
            .overrides
            .iter()
            .all(|o| matches!(o.start, Time::Floating(_))),
        ..SeriesExpansion::default()
    };
    for o in &series.overrides {
        let Some(rid) = o.recurrence_id else { continue };
        let key = match rid {
            Time::Date(d) => rid_key_date(d),
            Time::Floating(n) => rid_key_floating(n),
            other => rid_key_instant(other.to_utc(opts.user_tz)),
        };
        let original = match rid {
            // A floating RECURRENCE-ID is read in the zone of the override's own start.
            Time::Floating(n) => localize(o.start.zone(opts.user_tz), n).with_timezone(&Utc),
            other => other.to_utc(opts.user_tz),
        };
        if o.status == Status::Cancelled {
            if opts.window.contains(original) {
                out.excluded.push(key);
            }
            continue;
        }
        let occ = occurrence(o, None, own_span(o, opts.user_tz), Some(key), true, me);
        if keep_override(o, original, opts) {
            out.occurrences.push(occ);
        } else if occ.span.instants(opts.user_tz).0 >= opts.window.to
            && out
                .next
                .as_ref()
                .is_none_or(|n| starts_before(&occ, n, opts.user_tz))
        {
            out.next = Some(occ);
        }
    }
    out
}

fn starts_before(a: &Occurrence, b: &Occurrence, tz: Tz) -> bool {
    a.span.instants(tz).0 < b.span.instants(tz).0
}

fn keep_override(o: &Event, original: DateTime<Utc>, opts: &ExpandOptions) -> bool {
    if o.status == Status::Cancelled {
        return false;
    }
    let (start, end) = own_span(o, opts.user_tz).instants(opts.user_tz);
    opts.window.overlaps(start, end) || opts.window.contains(original)
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

/// One occurrence of `e` at `span`. An override (`master` given) inherits what it leaves
/// out: servers write overrides for a per-instance RSVP that carry only some properties,
/// and an instance must not read as "description removed" because of it.
fn occurrence(
    e: &Event,
    master: Option<&Event>,
    span: Span,
    key: Option<String>,
    recurring: bool,
    me: &Me,
) -> Occurrence {
    let people = match master {
        Some(m) if e.attendees.is_empty() && e.organizer.is_none() => m,
        _ => e,
    };
    let inherit = |own: &Option<String>, from_master: fn(&Event) -> &Option<String>| {
        own.clone()
            .or_else(|| master.and_then(|m| from_master(m).clone()))
    };
    Occurrence {
        uid: e.uid.clone(),
        recurrence_id: key,
        recurring,
        overridden: e.recurrence_id.is_some(),
        span,
        summary: inherit(&e.summary, |m| &m.summary).unwrap_or_default(),
        location: inherit(&e.location, |m| &m.location),
        description: inherit(&e.description, |m| &m.description),
        telemost: inherit(&e.telemost, |m| &m.telemost),
        web_link: inherit(&e.web_link, |m| &m.web_link),
        status: e.status,
        transparent: e.transparent,
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
    floating: bool,
    recurring: bool,
    dtstart: DateTime<Tz>,
    length: Duration,
    rules: Vec<Rule>,
    rdates: Vec<DateTime<Tz>>,
    /// Lengths of RDATE periods, by start.
    rdate_lengths: HashMap<DateTime<Utc>, Duration>,
    ex_instants: HashSet<DateTime<Utc>>,
    ex_dates: HashSet<NaiveDate>,
    by_instant: HashMap<DateTime<Utc>, &'a Event>,
    by_date: HashMap<NaiveDate, &'a Event>,
    /// RANGE=THISANDFUTURE overrides by the instant of their RECURRENCE-ID, sorted.
    future: Vec<(DateTime<Utc>, &'a Event)>,
}

impl<'a> Expander<'a> {
    fn new(series: &'a Series, master: &'a Event, opts: &'a ExpandOptions) -> Result<Self, String> {
        let user_tz = opts.user_tz;
        let all_day = master.start.is_date();
        let floating = matches!(master.start, Time::Floating(_));
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
            rules.push(parse_rule(raw, rr_start, zone, all_day)?);
        }
        // A value of this series, read in the series' zone.
        let at = |t: &Time| -> DateTime<Tz> {
            match t {
                Time::Date(d) if all_day => localize(Tz::UTC, d.and_time(chrono::NaiveTime::MIN)),
                Time::Zoned(n, _) | Time::Floating(n) if all_day => {
                    localize(Tz::UTC, n.date().and_time(chrono::NaiveTime::MIN))
                }
                // A DATE in a timed series means that day at the series' time of day.
                Time::Date(d) => localize(zone, d.and_time(dtstart.time())),
                Time::Floating(n) => localize(zone, *n),
                other => other.to_utc(user_tz).with_timezone(&zone),
            }
        };
        let mut rdates = Vec::new();
        let mut rdate_lengths = HashMap::new();
        for r in &master.rdates {
            let start = at(&r.start);
            let len = match r.end {
                Some(PeriodEnd::After(d)) => Some(d),
                Some(PeriodEnd::At(end)) => Some(at(&end) - start),
                None => None,
            };
            if let Some(len) = len.filter(|l| *l >= Duration::zero()) {
                rdate_lengths.insert(start.with_timezone(&Utc), len);
            }
            rdates.push(start);
        }
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
                    ex_instants.insert(at(t).with_timezone(&Utc));
                }
            }
        }
        let mut by_instant = HashMap::new();
        let mut by_date = HashMap::new();
        let mut future = Vec::new();
        for o in &series.overrides {
            match o.recurrence_id {
                Some(Time::Date(d)) => {
                    by_date.insert(d, o);
                }
                Some(t) if all_day => {
                    by_date.insert(t.date(), o);
                }
                Some(t) => {
                    by_instant.insert(at(&t).with_timezone(&Utc), o);
                }
                None => {}
            }
            if let (true, Some(rid)) = (o.this_and_future, o.recurrence_id) {
                future.push((at(&rid).with_timezone(&Utc), o));
            }
        }
        future.sort_by_key(|(at, _)| *at);
        Ok(Expander {
            master,
            opts,
            zone,
            all_day,
            floating,
            recurring: !master.rrules.is_empty()
                || !master.rdates.is_empty()
                || !series.overrides.is_empty(),
            dtstart,
            length,
            rules,
            rdates,
            rdate_lengths,
            ex_instants,
            ex_dates,
            by_instant,
            by_date,
            future,
        })
    }

    fn key(&self, start: DateTime<Tz>) -> Option<String> {
        if !self.recurring {
            None
        } else if self.all_day {
            Some(rid_key_date(start.date_naive()))
        } else if self.floating {
            Some(rid_key_floating(start.naive_local()))
        } else {
            Some(rid_key_instant(start.with_timezone(&Utc)))
        }
    }

    fn span_with(&self, start: DateTime<Tz>, length: Duration) -> Span {
        if self.all_day {
            let d = start.date_naive();
            Span::AllDay {
                start: d,
                end: d + Duration::days(length.num_days().max(1)),
            }
        } else {
            let s = start.with_timezone(&Utc);
            Span::Timed {
                start: s,
                end: s + length,
            }
        }
    }

    /// The span of the rule instance starting at `start` (an RDATE period keeps its length).
    fn span(&self, start: DateTime<Tz>) -> Span {
        let length = self
            .rdate_lengths
            .get(&start.with_timezone(&Utc))
            .copied()
            .unwrap_or(self.length);
        self.span_with(start, length)
    }

    fn instant(&self, d: &DateTime<Tz>) -> DateTime<Utc> {
        if self.all_day {
            super::time::midnight(self.opts.user_tz, d.date_naive())
        } else {
            d.with_timezone(&Utc)
        }
    }

    fn overridden(&self, d: &DateTime<Tz>) -> bool {
        self.by_instant.contains_key(&d.with_timezone(&Utc))
            || self.by_date.contains_key(&d.date_naive())
    }

    /// Instance starts in ascending order: those that may touch the window, then up to
    /// [`NEXT_CANDIDATES`] after it (within the horizon). Also the last start of a finite
    /// recurrence, and whether a cap cut the iteration short.
    fn starts(&self, notes: &mut Vec<Skipped>) -> Starts {
        let w = self.opts.window;
        let horizon = w.to + Duration::days(NEXT_HORIZON_DAYS);
        // Instances beginning up to this long before the window can still overlap it;
        // +1 day covers all-day dates read in any zone.
        let margin = self.length + Duration::days(1);
        let mut out = Starts {
            complete: true,
            ..Starts::default()
        };
        let mut all: Vec<DateTime<Tz>> = vec![self.dtstart];
        all.extend(self.rdates.iter().copied());
        let finite = self.rules.iter().all(|r| r.finite);
        let scan_to = horizon.with_timezone(&self.zone).date_naive();
        let usable: Vec<&Rule> = self
            .rules
            .iter()
            .filter(|r| r.can_match(self.dtstart.date_naive(), scan_to))
            .collect();
        // Whether the rules ran to their end (so the last start is known).
        let mut exhausted = true;
        if !usable.is_empty() {
            let rr_tz = rrule::Tz::Tz(self.zone);
            let mut set = rrule::RRuleSet::new(self.dtstart.with_timezone(&rr_tz));
            for rule in &usable {
                set = set.rrule(rule.rule.clone());
            }
            let mut after = 0usize;
            for (i, d) in (&set).into_iter().enumerate() {
                let d = d.with_timezone(&self.zone);
                let at = self.instant(&d);
                if i >= MAX_ITERATIONS {
                    exhausted = false;
                    if at < w.to {
                        notes.push(
                            self.note(format!("stopped after {MAX_ITERATIONS} rule iterations")),
                        );
                        out.complete = false;
                    }
                    break;
                }
                if at >= w.to {
                    after += 1;
                }
                if after > NEXT_CANDIDATES || at > horizon {
                    if !finite {
                        exhausted = false;
                        break;
                    }
                    // A finite rule runs on only to tell where it ends.
                    out.last = Some(at);
                    continue;
                }
                out.last = Some(at);
                all.push(d);
            }
        }
        if finite && !self.rules.is_empty() && exhausted {
            let last_rdate = self.rdates.iter().map(|d| self.instant(d)).max();
            out.ends = out
                .last
                .max(last_rdate)
                .max(Some(self.instant(&self.dtstart)));
        }
        all.sort();
        all.dedup();
        // The latest instances well before the window, newest first: the previous meeting
        // is the first of them not removed (an EXDATE may hide a few).
        out.before = all
            .iter()
            .rev()
            .filter(|d| self.instant(d) + margin <= w.from && !self.overridden(d))
            .take(NEXT_CANDIDATES)
            .copied()
            .collect();
        // Keep instances that may overlap, plus any that an override might move.
        all.retain(|d| self.instant(d) + margin > w.from || self.overridden(d));
        out.list = all;
        out
    }

    fn note(&self, reason: String) -> Skipped {
        Skipped {
            uid: Some(self.master.uid.clone()),
            reason,
        }
    }

    /// The THISANDFUTURE override governing an instance at `at`, if any.
    fn governing(&self, at: DateTime<Utc>) -> Option<&'a Event> {
        self.future
            .iter()
            .rev()
            .find(|(from, _)| *from <= at)
            .map(|(_, o)| *o)
    }

    /// The occurrence of the rule instance at `start`, or `None` when it is removed.
    fn instance(&self, start: DateTime<Tz>, me: &Me) -> Instance {
        let utc = start.with_timezone(&Utc);
        let key = self.key(start);
        let exact = self
            .by_instant
            .get(&utc)
            .or_else(|| self.by_date.get(&start.date_naive()));
        if let Some(o) = exact {
            if o.status == Status::Cancelled {
                return Instance::Removed;
            }
            let span = own_span(o, self.opts.user_tz);
            return Instance::Override(occurrence(o, Some(self.master), span, key, true, me));
        }
        if self.ex_instants.contains(&utc) || self.ex_dates.contains(&start.date_naive()) {
            return Instance::Removed;
        }
        if let Some(o) = self.governing(utc) {
            // RANGE=THISANDFUTURE: this instance takes the override's shift, length and
            // content (RFC 5545 §3.8.4.4).
            if o.status == Status::Cancelled {
                return Instance::Removed;
            }
            let (shift, length) = match (o.recurrence_id, self.all_day) {
                (Some(rid), false) => {
                    let own = own_span(o, self.opts.user_tz).instants(self.opts.user_tz);
                    let rid_at = self.at_of(&rid);
                    (own.0 - rid_at, own.1 - own.0)
                }
                _ => (Duration::zero(), self.length),
            };
            let span = self.span_with(start + shift, length);
            return Instance::Shifted(occurrence(o, Some(self.master), span, key, true, me));
        }
        let span = self.span(start);
        Instance::Master(occurrence(self.master, None, span, key, self.recurring, me))
    }

    fn at_of(&self, t: &Time) -> DateTime<Utc> {
        match t {
            Time::Floating(n) => localize(self.zone, *n).with_timezone(&Utc),
            other => other.to_utc(self.opts.user_tz),
        }
    }

    fn run(mut self, me: &Me, notes: &mut Vec<Skipped>) -> SeriesExpansion {
        let opts = self.opts;
        let w = opts.window;
        let tz = opts.user_tz;
        let starts = self.starts(notes);
        let mut out = SeriesExpansion {
            complete: starts.complete,
            floating: self.floating,
            ends: starts.ends,
            first: Some(self.span(self.dtstart)),
            ..SeriesExpansion::default()
        };
        for b in &starts.before {
            if let Instance::Master(occ) | Instance::Shifted(occ) = self.instance(*b, me) {
                if occ.span.instants(tz).1 <= w.from {
                    out.previous = Some(occ);
                    break;
                }
            }
        }
        let mut count = 0usize;
        for start in starts.list {
            let original = self.instant(&start);
            // Past the window only the next meeting is wanted; an override may still move a
            // later instance before it.
            if original >= w.to && out.next.is_some() && !self.overridden(&start) {
                continue;
            }
            let key = self.key(start);
            let instance = self.instance(start, me);
            // Each override is used once; those the iteration never reached are left over.
            self.by_instant.remove(&start.with_timezone(&Utc));
            self.by_date.remove(&start.date_naive());
            let occ = match instance {
                Instance::Removed => {
                    if w.contains(original) {
                        out.excluded.extend(key);
                    }
                    continue;
                }
                Instance::Override(occ) | Instance::Shifted(occ) | Instance::Master(occ) => occ,
            };
            let (s, e) = occ.span.instants(tz);
            let moved_here = occ.overridden && w.contains(original);
            if w.overlaps(s, e) || moved_here {
                count += 1;
                if count > opts.max_instances {
                    notes.push(self.note(format!(
                        "more than {} instances in the window; rest left out",
                        opts.max_instances
                    )));
                    out.complete = false;
                    break;
                }
                out.occurrences.push(occ);
            } else if s >= w.to {
                if out.next.as_ref().is_none_or(|n| starts_before(&occ, n, tz)) {
                    out.next = Some(occ);
                }
            } else if e <= w.from
                && out
                    .previous
                    .as_ref()
                    .is_none_or(|p| starts_before(p, &occ, tz))
            {
                out.previous = Some(occ);
            }
        }
        // Overrides whose original instance was not generated (beyond the iteration, or
        // an RDATE-less single event) may still be moved into the window.
        for start in self.leftover_overrides() {
            if let Instance::Override(occ) = self.instance(start, me) {
                let (s, e) = occ.span.instants(tz);
                if w.overlaps(s, e) {
                    out.occurrences.push(occ);
                } else if s >= w.to && out.next.as_ref().is_none_or(|n| starts_before(&occ, n, tz))
                {
                    out.next = Some(occ);
                }
            }
        }
        out
    }

    /// Starts of overrides the rule iteration did not reach.
    fn leftover_overrides(&self) -> Vec<DateTime<Tz>> {
        let mut out = Vec::new();
        let overrides = self
            .by_instant
            .values()
            .chain(self.by_date.values())
            .copied();
        for o in overrides {
            let Some(rid) = o.recurrence_id else { continue };
            let original = match rid {
                Time::Date(d) if self.all_day => {
                    localize(Tz::UTC, d.and_time(chrono::NaiveTime::MIN))
                }
                Time::Date(d) => localize(self.zone, d.and_time(self.dtstart.time())),
                t => self.at_of(&t).with_timezone(&self.zone),
            };
            if original < self.dtstart && self.rules.is_empty() {
                continue;
            }
            out.push(original);
        }
        out.sort();
        out
    }
}

enum Instance {
    Removed,
    Override(Occurrence),
    Shifted(Occurrence),
    Master(Occurrence),
}

#[derive(Default)]
struct Starts {
    list: Vec<DateTime<Tz>>,
    /// The last starts well before the window, newest first (for the previous meeting).
    before: Vec<DateTime<Tz>>,
    last: Option<DateTime<Utc>>,
    /// The last start of a finite recurrence that ran to its end.
    ends: Option<DateTime<Utc>>,
    complete: bool,
}
