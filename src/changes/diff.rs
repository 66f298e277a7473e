//! Pairs old and new meetings and reports what a person would notice.
//!
//! Rule: a meeting is reported cancelled only on positive evidence — its series deleted on
//! the server (a `Gone` entry), STATUS:CANCELLED, an EXDATE or cancelled override (the
//! instance is in `excluded`), or the series now ending before it — and only if I had not
//! declined it (a declined meeting going away is my own answer at work). A meeting that is merely
//! not seen (outside the time both snapshots cover, not re-read, capped) is never
//! cancelled; one that left the view because it moved is reported moved.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::model::{Change, ChangeDetail};
use crate::ical::Window;
use crate::snapshot::{Baseline, Meeting, SeriesState, SeriesView, Snapshot};

/// The changes from `baseline` to `new`, in a stable order (by UID, then time). Against
/// [`Baseline::FirstSync`] there are none: the first snapshot is only recorded.
///
/// Only the part of time both snapshots cover is compared instance by instance, so
/// occurrences that merely slide into or out of the window are silent; a new series is
/// reported wherever ahead it is (by its first meeting).
pub fn diff(baseline: Baseline<'_>, new: &Snapshot) -> Vec<Change> {
    let Some(old) = baseline.previous() else {
        return Vec::new();
    };
    let ctx = Ctx::new(old, new);
    let uids: BTreeSet<&String> = old.series.keys().chain(new.series.keys()).collect();
    let mut out = Vec::new();
    for uid in uids {
        let (o, n) = (old.series.get(uid), new.series.get(uid));
        let Some(n) = n else {
            // Left out without evidence (e.g. its calendar is no longer subscribed).
            continue;
        };
        let introduced = old.calendars.contains(&n.calendar);
        match (o.map(|o| &o.state), &n.state) {
            (None | Some(SeriesState::Gone { .. }), SeriesState::Active(nv)) if introduced => {
                out.extend(ctx.added(nv));
            }
            (Some(SeriesState::Active(ov)), SeriesState::Active(nv)) => {
                out.extend(ctx.covering(ov.window).compare(ov, nv));
            }
            (Some(SeriesState::Active(ov)), SeriesState::Gone { .. }) => {
                out.extend(ctx.cancelled(ov));
            }
            _ => {}
        }
    }
    out
}

#[derive(Clone)]
pub(super) struct Ctx {
    pub old_tz: Tz,
    pub tz: Tz,
    /// The time both snapshots cover; empty (at the new window's start) when none.
    pub overlap: Window,
    window: Window,
}

impl Ctx {
    fn new(old: &Snapshot, new: &Snapshot) -> Ctx {
        let overlap = old.window.intersect(&new.window).unwrap_or(Window {
            from: new.window.from,
            to: new.window.from,
        });
        Ctx {
            old_tz: old.zone(),
            tz: new.zone(),
            overlap,
            window: new.window,
        }
    }

    /// The same comparison, narrowed to `window` when the old series was carried from an
    /// earlier one: its meetings say nothing about time outside it.
    fn covering(&self, window: Option<Window>) -> Ctx {
        let mut ctx = self.clone();
        if let Some(w) = window {
            ctx.overlap = self.overlap.intersect(&w).unwrap_or(Window {
                from: self.overlap.from,
                to: self.overlap.from,
            });
        }
        ctx
    }

    pub(super) fn start(&self, m: &Meeting) -> DateTime<Utc> {
        m.span.instants(self.tz).0
    }

    /// In the part of time both snapshots cover.
    pub(super) fn visible(&self, m: &Meeting) -> bool {
        let (s, e) = m.span.instants(self.tz);
        self.overlap.overlaps(s, e)
    }

    /// After the part of time both cover: only the far-future `next` meetings live there.
    pub(super) fn beyond(&self, m: &Meeting) -> bool {
        self.start(m) >= self.overlap.to
    }

    /// Not over yet as of the new window.
    fn upcoming(&self, m: &Meeting) -> bool {
        let (s, e) = m.span.instants(self.tz);
        e > self.window.from || s >= self.window.from
    }

    /// How many of `meetings` start inside the new window (at least one is counted).
    fn in_window(&self, meetings: &[&Meeting]) -> usize {
        meetings
            .iter()
            .filter(|m| self.start(m) < self.window.to)
            .count()
            .max(1)
    }

    pub(super) fn all<'v>(&self, v: &'v SeriesView) -> Vec<&'v Meeting> {
        let mut all: Vec<&Meeting> = v
            .previous
            .iter()
            .chain(v.meetings.iter())
            .chain(v.next.iter())
            .collect();
        all.sort_by_key(|m| self.start(m));
        all
    }

    /// A series new to a calendar whose meetings were known: one message, by its first
    /// meeting ahead, however far.
    pub(super) fn added(&self, nv: &SeriesView) -> Vec<Change> {
        if nv.carried || nv.cancelled {
            return Vec::new();
        }
        let ahead: Vec<&Meeting> = self
            .all(nv)
            .into_iter()
            .filter(|m| self.upcoming(m))
            .collect();
        let Some(first) = ahead.first() else {
            return Vec::new();
        };
        vec![series_change(
            first,
            nv.recurring,
            self.in_window(&ahead),
            ChangeDetail::Added,
        )]
    }

    /// A series deleted or cancelled as a whole: one message, if anything of it was ahead
    /// that I had not declined (Yandex hides a meeting from an invitee's calendar once they
    /// decline it: that is my own answer, not a cancellation).
    pub(super) fn cancelled(&self, ov: &SeriesView) -> Vec<Change> {
        if ov.cancelled {
            return Vec::new();
        }
        let ahead: Vec<&Meeting> = self
            .all(ov)
            .into_iter()
            .filter(|m| self.upcoming(m) && !m.declined_by_me())
            .collect();
        let Some(first) = ahead.first() else {
            return Vec::new();
        };
        vec![series_change(
            first,
            ov.recurring,
            self.in_window(&ahead),
            ChangeDetail::Cancelled,
        )]
    }
}

pub(super) fn change(m: &Meeting, detail: ChangeDetail) -> Change {
    Change {
        uid: m.uid.clone(),
        recurrence_id: m.recurrence_id.clone(),
        series: false,
        instances: 1,
        summary: m.summary.clone(),
        span: m.span,
        detail,
    }
}

fn series_change(
    first: &Meeting,
    recurring: bool,
    instances: usize,
    detail: ChangeDetail,
) -> Change {
    Change {
        recurrence_id: if recurring {
            None
        } else {
            first.recurrence_id.clone()
        },
        series: recurring,
        instances: instances.max(1),
        ..change(first, detail)
    }
}
