//! One message for a change to a whole series, not one per instance.

use std::collections::BTreeMap;

use chrono::Duration;

use super::model::{Change, ChangeDetail};
use crate::ical::Span;

/// What makes two instance changes "the same change": the kind and its payload, with
/// times replaced by the shift they apply.
fn signature(c: &Change) -> String {
    match &c.detail {
        ChangeDetail::Moved { old, new } => {
            let (ds, de) = shift(old, new);
            format!("moved {} {}", ds.num_seconds(), de.num_seconds())
        }
        other => serde_json::to_string(other).unwrap_or_default(),
    }
}

fn shift(old: &Span, new: &Span) -> (Duration, Duration) {
    match (old, new) {
        (Span::Timed { start: os, end: oe }, Span::Timed { start: ns, end: ne }) => {
            (*ns - *os, *ne - *oe)
        }
        (Span::AllDay { start: os, end: oe }, Span::AllDay { start: ns, end: ne }) => {
            (*ns - *os, *ne - *oe)
        }
        // Timed ↔ all-day is never a uniform series change.
        _ => (Duration::MAX, Duration::MIN),
    }
}

/// Merges instance changes of a recurring series that every instance in view shares.
/// Each change comes with whether its instance is an override; `universe` counts the
/// instances in view that follow the master (overrides may or may not share a series edit).
/// `whole` says the UID appeared or vanished as a whole (new or deleted series).
pub(super) fn collapse(
    changes: Vec<(Change, bool)>,
    universe: usize,
    recurring: bool,
    whole: bool,
) -> Vec<Change> {
    if !recurring || changes.is_empty() {
        return changes.into_iter().map(|(c, _)| c).collect();
    }
    let mut groups: BTreeMap<String, Vec<(Change, bool)>> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    for (c, overridden) in changes {
        let sig = signature(&c);
        if !groups.contains_key(&sig) {
            order.push(sig.clone());
        }
        groups.entry(sig).or_default().push((c, overridden));
    }
    let mut out = Vec::new();
    for sig in order {
        let Some(mut group) = groups.remove(&sig) else {
            continue;
        };
        // With one instance in view we cannot tell a series edit from an instance edit,
        // unless the whole UID came or went.
        let from_master = group.iter().filter(|(_, o)| !o).count();
        let series_wide = universe > 0 && from_master == universe && (universe >= 2 || whole);
        if series_wide {
            let n = group.len();
            let (mut first, _) = group.swap_remove(0);
            first.recurrence_id = None;
            first.series = true;
            first.instances = n;
            out.push(first);
        } else {
            out.extend(group.into_iter().map(|(c, _)| c));
        }
    }
    out
}
