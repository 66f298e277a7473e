//! Pairs old and new occurrences and reports what a person would notice.

use std::collections::BTreeMap;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::collapse::collapse;
use super::model::{Change, ChangeDetail, Field, FieldChange};
use crate::ical::Span;
use crate::snapshot::{Meeting, Snapshot};

/// The changes from `old` to `new`, in a stable order (by UID, then time).
///
/// Only the part of time both snapshots cover is compared, so occurrences that merely
/// slide into or out of the window are silent; a new UID is reported wherever it is.
pub fn diff(old: &Snapshot, new: &Snapshot) -> Vec<Change> {
    let tz = Tz::from_str(&new.tz).unwrap_or(Tz::UTC);
    let overlap = (old.from.max(new.from), old.to.min(new.to));
    let visible = |m: &Meeting| overlaps(m.span, overlap, tz);

    let mut uids: BTreeMap<&str, (Vec<&Meeting>, Vec<&Meeting>)> = BTreeMap::new();
    for m in &old.meetings {
        uids.entry(&m.uid).or_default().0.push(m);
    }
    for m in &new.meetings {
        uids.entry(&m.uid).or_default().1.push(m);
    }

    let mut out = Vec::new();
    for (uid, (olds, news)) in uids {
        let known = old.known_uids.contains(uid) || !olds.is_empty();
        let mut changes: Vec<(Change, bool)> = Vec::new();
        let mut universe = 0usize;
        let (pairs, gone, added) = pair(&olds, &news, tz);
        for (o, n) in pairs {
            if !visible(o) && !visible(n) {
                continue;
            }
            universe += usize::from(!n.overridden);
            let mut found = Vec::new();
            compare(o, n, &mut found);
            changes.extend(found.into_iter().map(|c| (c, n.overridden)));
        }
        for o in gone.into_iter().filter(|o| visible(o)) {
            universe += usize::from(!o.overridden);
            changes.push((change(o, ChangeDetail::Cancelled), o.overridden));
        }
        for n in added.into_iter().filter(|n| !known || visible(n)) {
            universe += usize::from(!n.overridden);
            changes.push((change(n, ChangeDetail::Added), n.overridden));
        }
        let recurring = olds.iter().chain(news.iter()).any(|m| m.recurring);
        out.extend(collapse(
            changes,
            universe,
            recurring,
            !known || news.is_empty(),
        ));
    }
    out
}

fn overlaps(span: Span, (from, to): (DateTime<Utc>, DateTime<Utc>), tz: Tz) -> bool {
    let (s, e) = span.instants(tz);
    s < to && (e > from || (s == e && s >= from))
}

type Paired<'a> = (
    Vec<(&'a Meeting, &'a Meeting)>,
    Vec<&'a Meeting>,
    Vec<&'a Meeting>,
);

/// Matches instances by identity; instances left over on both sides (a whole series moved
/// to another time changes every identity) are paired in time order.
fn pair<'a>(olds: &[&'a Meeting], news: &[&'a Meeting], tz: Tz) -> Paired<'a> {
    let mut pairs = Vec::new();
    let mut gone = Vec::new();
    let mut rest: Vec<&Meeting> = news.to_vec();
    for o in olds {
        match rest.iter().position(|n| n.recurrence_id == o.recurrence_id) {
            Some(i) => pairs.push((*o, rest.remove(i))),
            None => gone.push(*o),
        }
    }
    let start = |m: &&Meeting| m.span.instants(tz).0;
    gone.sort_by_key(start);
    rest.sort_by_key(start);
    let n = gone.len().min(rest.len());
    let leftover_old = gone.split_off(n);
    let leftover_new = rest.split_off(n);
    pairs.extend(gone.into_iter().zip(rest));
    (pairs, leftover_old, leftover_new)
}

fn change(m: &Meeting, detail: ChangeDetail) -> Change {
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

fn compare(o: &Meeting, n: &Meeting, out: &mut Vec<Change>) {
    if o.span != n.span {
        out.push(change(
            n,
            ChangeDetail::Moved {
                old: o.span,
                new: n.span,
            },
        ));
    }
    let mut fields = Vec::new();
    let mut field = |field, old: Option<&String>, new: Option<&String>| {
        if old != new {
            fields.push(FieldChange {
                field,
                old: old.cloned(),
                new: new.cloned(),
            });
        }
    };
    field(Field::Summary, Some(&o.summary), Some(&n.summary));
    field(Field::Location, o.location.as_ref(), n.location.as_ref());
    field(Field::Telemost, o.telemost.as_ref(), n.telemost.as_ref());
    if o.description_hash != n.description_hash {
        fields.push(FieldChange {
            field: Field::Description,
            old: None,
            new: None,
        });
    }
    if !fields.is_empty() {
        out.push(change(n, ChangeDetail::Updated { fields }));
    }
    if o.my_partstat != n.my_partstat {
        out.push(change(
            n,
            ChangeDetail::MyAnswerChanged {
                old: o.my_partstat,
                new: n.my_partstat,
            },
        ));
    }
    if n.i_organize {
        for a in n.attendees.iter().filter(|a| !a.me) {
            let before = o
                .attendees
                .iter()
                .find(|b| b.email == a.email)
                .map(|b| b.partstat);
            // A newly invited attendee who has not answered is not an answer.
            let unanswered_newcomer =
                before.is_none() && a.partstat == crate::ical::PartStat::NeedsAction;
            if before != Some(a.partstat) && !unanswered_newcomer {
                out.push(change(
                    n,
                    ChangeDetail::AttendeeAnswered {
                        email: a.email.clone(),
                        name: a.name.clone(),
                        old: before,
                        new: a.partstat,
                    },
                ));
            }
        }
    }
}
