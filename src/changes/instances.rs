//! Comparing two versions of one series instance by instance.
//!
//! Instances are matched by identity (RECURRENCE-ID) first. What is left is explained
//! before anything is reported:
//! - an instance gone and excluded now (EXDATE, cancelled override): cancelled;
//! - the series' DTSTART moved: every instance moved with it, by the same shift — also
//!   those that left (or entered) the time both snapshots cover;
//! - gone after the series' new, earlier end (UNTIL, COUNT): one "series ended";
//! - otherwise (the rule itself changed) instances are paired in time order, within the
//!   time both snapshots cover; an instance gone without a pair is not reported.

use chrono::{Duration, NaiveDate, NaiveDateTime};

use super::collapse::collapse;
use super::diff::{change, Ctx};
use super::model::{Change, ChangeDetail};
use crate::ical::Span;
use crate::snapshot::{Meeting, SeriesView};

impl Ctx {
    pub(super) fn compare(&self, ov: &SeriesView, nv: &SeriesView) -> Vec<Change> {
        if nv.carried {
            // Not read this time: nothing new is known about it.
            return Vec::new();
        }
        match (ov.cancelled, nv.cancelled) {
            (false, true) => return self.cancelled(ov),
            (true, false) => return self.added(nv),
            (true, true) => return Vec::new(),
            (false, false) => {}
        }
        let olds = self.all(ov);
        let news = self.all(nv);
        let mut out = Found::default();

        // Identity first. Meetings past the covered time (the next one of each side) are
        // compared only for a series with nothing in view: a meeting far ahead.
        let far_only = !olds.iter().chain(&news).any(|m| self.visible(m));
        let mut used = vec![false; news.len()];
        let mut gone: Vec<&Meeting> = Vec::new();
        for o in &olds {
            let found = news
                .iter()
                .enumerate()
                .find(|(i, n)| !used[*i] && n.recurrence_id == o.recurrence_id);
            match found {
                Some((i, n)) => {
                    used[i] = true;
                    let far = far_only && self.beyond(o) && self.beyond(n);
                    if self.visible(o) || self.visible(n) || far {
                        out.pair(self, o, n, ov, nv);
                    }
                }
                None => gone.push(o),
            }
        }

        // Removed and restored instances.
        let mut lost: Vec<&Meeting> = Vec::new();
        for o in gone.into_iter().filter(|o| self.visible(o)) {
            if excluded(nv, o) {
                // A meeting I declined, gone: not news to me.
                if !o.declined_by_me() {
                    out.push(change(o, ChangeDetail::Cancelled), o.overridden);
                }
            } else {
                lost.push(o);
            }
        }
        let mut appeared: Vec<&Meeting> = Vec::new();
        for (n, _) in news
            .iter()
            .zip(&used)
            .filter(|(n, u)| !**u && self.visible(n))
        {
            if excluded(ov, n) {
                out.push(change(n, ChangeDetail::Added), n.overridden);
            } else if let Some(was) = self.unseen_original(n) {
                // Moved in from a time the old snapshot did not cover: its identity says
                // where it was.
                out.push(moved(n, was, n.span), n.overridden);
            } else {
                appeared.push(n);
            }
        }

        let complete = ov.complete && nv.complete;
        let ends_earlier = match (ov.ends, nv.ends) {
            (_, None) => false,
            (None, Some(_)) => true,
            (Some(o), Some(n)) => n < o,
        };
        let after_end = |at| ends_earlier && nv.ends.is_some_and(|e| at > e);
        let mut ended: Vec<&Meeting> = Vec::new();
        match (ov.first, nv.first) {
            (Some(a), Some(b)) if a != b => {
                // The series moved: each instance by the shift of its first one.
                let shift = span_shift(&a, &b);
                for o in lost {
                    let to = shifted(&o.span, shift);
                    // The same instance, its RECURRENCE-ID moved with the series (an
                    // override keeps its own time).
                    let same = o
                        .recurrence_id
                        .as_deref()
                        .and_then(|k| shift_key(k, shift.0));
                    let by_id = appeared
                        .iter()
                        .position(|n| same.is_some() && n.recurrence_id == same);
                    if let Some(i) = by_id {
                        let n = appeared.remove(i);
                        out.pair(self, o, n, ov, nv);
                    } else if after_end(to.instants(self.tz).0) {
                        ended.push(o);
                    } else if let Some(i) = appeared.iter().position(|n| n.span == to) {
                        let n = appeared.remove(i);
                        out.pair(self, o, n, ov, nv);
                    } else if complete {
                        out.push(moved(o, o.span, to), o.overridden);
                    }
                }
                if complete {
                    for n in appeared {
                        let back = (-shift.0, -shift.1);
                        out.push(moved(n, shifted(&n.span, back), n.span), n.overridden);
                    }
                }
            }
            _ => {
                let (end, rest): (Vec<&Meeting>, Vec<&Meeting>) =
                    lost.into_iter().partition(|o| after_end(self.start(o)));
                ended = end;
                // The rule changed: pair what is left in time order, within the covered time.
                let pairs = rest.len().min(appeared.len());
                for (o, n) in rest.iter().zip(&appeared) {
                    out.pair(self, o, n, ov, nv);
                }
                if complete {
                    for n in &appeared[pairs..] {
                        out.push(change(n, ChangeDetail::Added), n.overridden);
                    }
                }
            }
        }

        let mut changes = collapse(
            out.changes,
            out.universe,
            ov.recurring || nv.recurring,
            false,
        );
        if let Some(first) = ended.first() {
            changes.push(Change {
                recurrence_id: None,
                series: true,
                instances: ended.len(),
                ..change(first, ChangeDetail::SeriesEnded { last: nv.ends })
            });
        }
        changes
    }

    /// For an instance whose original start (its RECURRENCE-ID) lies outside the time both
    /// snapshots cover: the span it had there, keeping its length.
    fn unseen_original(&self, n: &Meeting) -> Option<Span> {
        let key = n.recurrence_id.as_deref()?;
        let (start, end) = n.span.instants(self.tz);
        let was = match n.span {
            Span::AllDay { start: s, end: e } => {
                let date = NaiveDate::parse_from_str(key, "%Y%m%d").ok()?;
                Span::AllDay {
                    start: date,
                    end: date + (e - s),
                }
            }
            Span::Timed { .. } => {
                let at = match key.strip_suffix('Z') {
                    Some(utc) => NaiveDateTime::parse_from_str(utc, "%Y%m%dT%H%M%S")
                        .ok()?
                        .and_utc(),
                    None => {
                        let wall = NaiveDateTime::parse_from_str(key, "%Y%m%dT%H%M%S").ok()?;
                        crate::ical::Time::Floating(wall).to_utc(self.old_tz)
                    }
                };
                Span::Timed {
                    start: at,
                    end: at + (end - start),
                }
            }
        };
        let (was_start, was_end) = was.instants(self.tz);
        (was_start != start && !self.overlap.overlaps(was_start, was_end)).then_some(was)
    }
}

/// The changes found for one series, with how many instances in view follow the master
/// (for [`collapse`]).
#[derive(Default)]
struct Found {
    changes: Vec<(Change, bool)>,
    universe: usize,
}

impl Found {
    fn push(&mut self, c: Change, overridden: bool) {
        self.universe += usize::from(!overridden);
        self.changes.push((c, overridden));
    }

    fn pair(&mut self, ctx: &Ctx, o: &Meeting, n: &Meeting, ov: &SeriesView, nv: &SeriesView) {
        self.universe += usize::from(!n.overridden);
        let found = ctx.compare_meetings(o, n, ov, nv);
        self.changes
            .extend(found.into_iter().map(|c| (c, n.overridden)));
    }
}

fn excluded(v: &SeriesView, m: &Meeting) -> bool {
    m.recurrence_id
        .as_deref()
        .is_some_and(|k| v.excluded.contains(k))
}

fn moved(m: &Meeting, old: Span, new: Span) -> Change {
    let at = Meeting {
        span: new,
        ..m.clone()
    };
    change(&at, ChangeDetail::Moved { old, new })
}

/// How far a span moved, in seconds (all-day spans by whole days); timed ↔ all-day is
/// never one shift.
fn span_shift(old: &Span, new: &Span) -> (i64, i64) {
    match (old, new) {
        (Span::Timed { start: os, end: oe }, Span::Timed { start: ns, end: ne }) => {
            ((*ns - *os).num_seconds(), (*ne - *oe).num_seconds())
        }
        (Span::AllDay { start: os, end: oe }, Span::AllDay { start: ns, end: ne }) => (
            (*ns - *os).num_days() * 86_400,
            (*ne - *oe).num_days() * 86_400,
        ),
        _ => (0, 0),
    }
}

/// A RECURRENCE-ID key (`20260302T070000Z`, floating `20260302T100000`, or `20260302`)
/// moved by `seconds`, in the same form.
fn shift_key(key: &str, seconds: i64) -> Option<String> {
    let d = Duration::seconds(seconds);
    if let Some(utc) = key.strip_suffix('Z') {
        let at = NaiveDateTime::parse_from_str(utc, "%Y%m%dT%H%M%S").ok()? + d;
        return Some(format!("{}Z", at.format("%Y%m%dT%H%M%S")));
    }
    if key.len() == 8 {
        let at = NaiveDate::parse_from_str(key, "%Y%m%d").ok()?
            + Duration::days(seconds.div_euclid(86_400));
        return Some(at.format("%Y%m%d").to_string());
    }
    let at = NaiveDateTime::parse_from_str(key, "%Y%m%dT%H%M%S").ok()? + d;
    Some(at.format("%Y%m%dT%H%M%S").to_string())
}

fn shifted(span: &Span, (ds, de): (i64, i64)) -> Span {
    match *span {
        Span::Timed { start, end } => Span::Timed {
            start: start + Duration::seconds(ds),
            end: end + Duration::seconds(de),
        },
        Span::AllDay { start, end } => Span::AllDay {
            start: start + Duration::days(ds.div_euclid(86_400)),
            end: end + Duration::days(de.div_euclid(86_400)),
        },
    }
}
