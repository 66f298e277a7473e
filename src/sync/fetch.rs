//! Carrying out a sync plan: multiget of the objects to fetch, in chunks, and ETag-only
//! multigets to confirm deletions, within a request budget.
//!
//! Each href is accounted for on its own: one object without calendar-data, too large, or
//! answering 404 under both spellings is set aside (reported once) and the others sync; an
//! href the server leaves out of its answer stays pending and is asked for again.

use std::collections::BTreeSet;

use super::result::{
    CalendarObject, Completeness, Fallback, Interruption, ProblemReport, Removed, SyncMethod,
    SyncOutcome,
};
use super::state::{CalendarState, ObjectMeta, ObjectProblem, Pending, Problem, ToFetch};
use crate::caldav::client::Client;
use crate::caldav::multistatus::Multistatus;
use crate::caldav::xml::CALDAV;
use crate::caldav::{bodies, href, CalDavError};
use crate::host::{Clock, Http};

/// Rounds an href may be left out of multiget answers before it is set aside.
const MAX_OMITTED: u8 = 3;
/// ETag-only answers are small: confirm this many hrefs per multiget chunk.
const CONFIRM_CHUNK_FACTOR: usize = 4;

/// The requests left to one sync call.
pub(super) struct Budget {
    start: u32,
    max: u32,
}

impl Budget {
    pub fn new<E: Http + Clock>(client: &Client<'_, E>, max: u32) -> Budget {
        Budget {
            start: client.stats().requests,
            max: max.max(1),
        }
    }

    fn spent<E: Http + Clock>(&self, client: &Client<'_, E>) -> bool {
        client.stats().requests.saturating_sub(self.start) >= self.max
    }
}

/// The state being built and what the sync found so far.
pub(super) struct Run {
    pub next: CalendarState,
    added: Vec<CalendarObject>,
    changed: Vec<CalendarObject>,
    removed: Vec<Removed>,
    problems: Vec<ProblemReport>,
    interruption: Option<Interruption>,
    error: Option<CalDavError>,
}

impl Run {
    pub fn new(state: &CalendarState) -> Run {
        Run {
            next: state.clone(),
            added: vec![],
            changed: vec![],
            removed: vec![],
            problems: vec![],
            interruption: None,
            error: None,
        }
    }

    pub fn finish(self, method: SyncMethod, fallback: Option<Fallback>) -> SyncOutcome {
        let completeness = match &self.next.pending {
            Some(p) => Completeness::Partial {
                remaining: p.remaining(),
                interruption: self.interruption.unwrap_or(Interruption::Omitted),
            },
            None => Completeness::Complete,
        };
        SyncOutcome {
            method,
            fallback,
            added: self.added,
            changed: self.changed,
            removed: self.removed,
            problems: self.problems,
            completeness,
            error: self.error,
            state: self.next,
        }
    }

    fn deliver(&mut self, key: String, url: String, etag: String, data: String) {
        let obj = CalendarObject {
            key: key.clone(),
            url: url.clone(),
            etag: etag.clone(),
            data,
        };
        let meta = self.next.objects.entry(key).or_default();
        let known = !meta.etag.is_empty();
        *meta = ObjectMeta {
            url,
            etag,
            problem: None,
        };
        if known {
            self.changed.push(obj);
        } else {
            self.added.push(obj);
        }
    }

    /// Sets an object aside; reported only when this version was not already set aside.
    fn set_aside(&mut self, key: &str, url: &str, etag: &str, problem: Problem) {
        let meta = self
            .next
            .objects
            .entry(key.to_string())
            .or_insert_with(|| ObjectMeta {
                url: url.to_string(),
                ..ObjectMeta::default()
            });
        let new = ObjectProblem {
            problem: problem.clone(),
            etag: etag.to_string(),
        };
        if meta.problem.as_ref() != Some(&new) {
            self.problems.push(ProblemReport {
                key: key.to_string(),
                url: url.to_string(),
                problem,
            });
        }
        meta.problem = Some(new);
    }
}

/// Works through `run.next.pending` until it is done, the budget is spent, a request fails,
/// or only hrefs the server left out this round remain. Adopts the target markers when done.
pub(super) fn run_pending<E: Http + Clock>(client: &Client<'_, E>, run: &mut Run, budget: &Budget) {
    let Some(mut pending) = run.next.pending.take() else {
        return;
    };
    let url = run.next.url.clone();
    let mut chunk = client.options().multiget_chunk.max(1);
    // Hrefs asked for in this call: an href left out is not asked for twice in one call.
    let mut asked: BTreeSet<String> = BTreeSet::new();
    loop {
        if pending.is_done() {
            break;
        }
        if budget.spent(client) {
            run.interruption = Some(Interruption::Budget);
            break;
        }
        let confirm: Vec<String> = pending
            .confirm
            .keys()
            .filter(|k| !asked.contains(*k))
            .take(chunk * CONFIRM_CHUNK_FACTOR)
            .cloned()
            .collect();
        if !confirm.is_empty() {
            let hrefs: Vec<&str> = confirm
                .iter()
                .filter_map(|k| pending.confirm.get(k))
                .map(|c| href::path_of(&c.url))
                .collect();
            match client.report_listing(&url, "1", &bodies::multiget(hrefs, false)) {
                Ok(ms) => {
                    asked.extend(confirm.iter().cloned());
                    confirmed(run, &mut pending, &confirm, &ms);
                }
                Err(e) => {
                    interrupted(run, e);
                    break;
                }
            }
            continue;
        }
        let fetch: Vec<String> = pending
            .fetch
            .keys()
            .filter(|k| !asked.contains(*k))
            .take(chunk)
            .cloned()
            .collect();
        if fetch.is_empty() {
            run.interruption = Some(Interruption::Omitted);
            break;
        }
        let hrefs: Vec<&str> = fetch
            .iter()
            .filter_map(|k| pending.fetch.get(k))
            .map(|f| href::path_of(&f.url))
            .collect();
        match client.report(&url, "1", &bodies::multiget(hrefs, true)) {
            Ok(ms) => {
                asked.extend(fetch.iter().cloned());
                fetched(run, &mut pending, &fetch, &ms, &mut asked);
            }
            Err(CalDavError::TooLarge { limit }) => {
                if fetch.len() > 1 {
                    // Halve and try again; one object alone that is too large is set aside.
                    chunk = fetch.len() / 2;
                } else if let Some(f) = pending.fetch.remove(&fetch[0]) {
                    run.set_aside(&fetch[0], &f.url, &f.etag, Problem::TooLarge { limit });
                }
            }
            Err(e) => {
                interrupted(run, e);
                break;
            }
        }
    }
    if pending.is_done() {
        run.next.synced = Some(pending.target);
        run.interruption = None;
    } else {
        run.next.pending = Some(pending);
    }
}

fn interrupted(run: &mut Run, e: CalDavError) {
    run.interruption = Some(Interruption::Failed {
        error: e.to_string(),
    });
    run.error = Some(e);
}

/// Applies an ETag-only multiget answer to the deletions being confirmed.
fn confirmed(run: &mut Run, pending: &mut Pending, keys: &[String], ms: &Multistatus) {
    let mut answered: BTreeSet<String> = BTreeSet::new();
    for r in &ms.responses {
        let key = href::key_in(&run.next.url, &r.href);
        if !keys.contains(&key) {
            continue;
        }
        if r.is_gone() {
            answered.insert(key.clone());
            let Some(c) = pending.confirm.remove(&key) else {
                continue;
            };
            if let Some(meta) = run.next.objects.remove(&key) {
                run.removed.push(Removed {
                    key,
                    url: meta.url,
                    evidence: c.evidence,
                });
            }
        } else if r.is_ok() {
            // Still there (e.g. outside the listed window): not deleted. Fetch it if the
            // version moved on.
            answered.insert(key.clone());
            let Some(c) = pending.confirm.remove(&key) else {
                continue;
            };
            let etag = r.etag().unwrap_or_default();
            if run.next.objects.get(&key).is_some_and(|m| m.needs(&etag)) {
                let alt = href::canonical_url(&c.url);
                pending.fetch.insert(
                    key,
                    ToFetch {
                        alt: (alt != c.url).then_some(alt),
                        url: c.url,
                        etag,
                        omitted: 0,
                    },
                );
            }
        }
    }
    for key in keys.iter().filter(|k| !answered.contains(*k)) {
        if let Some(c) = pending.confirm.get_mut(key) {
            c.omitted += 1;
            // No answer is no evidence: after a few rounds, keep the object and move on.
            if c.omitted >= MAX_OMITTED {
                pending.confirm.remove(key);
            }
        }
    }
}

/// Applies a multiget answer with calendar data to the objects being fetched.
fn fetched(
    run: &mut Run,
    pending: &mut Pending,
    keys: &[String],
    ms: &Multistatus,
    asked: &mut BTreeSet<String>,
) {
    let base = run.next.url.clone();
    let mut answered: BTreeSet<String> = BTreeSet::new();
    for r in &ms.responses {
        let key = href::key_in(&run.next.url, &r.href);
        if !keys.contains(&key) || !pending.fetch.contains_key(&key) {
            continue;
        }
        let data = r.prop(CALDAV, "calendar-data").map(|d| d.text.clone());
        if r.is_gone() {
            answered.insert(key.clone());
            let Some(f) = pending.fetch.get_mut(&key) else {
                continue;
            };
            // Listed as present, answered 404: not a deletion. Try the other spelling of
            // the href once (Yandex answers 404 to the `@` one), then set it aside.
            match f.alt.take() {
                Some(alt) => {
                    f.url = alt;
                    asked.remove(&key);
                }
                None => {
                    if let Some(f) = pending.fetch.remove(&key) {
                        run.set_aside(&key, &f.url, &f.etag, Problem::Unfetchable);
                    }
                }
            }
        } else if let (true, Some(data)) = (r.is_ok(), data) {
            answered.insert(key.clone());
            if let Some(f) = pending.fetch.remove(&key) {
                let etag = r.etag().unwrap_or(f.etag);
                run.deliver(key, href::resolve(&base, &r.href), etag, data);
            }
        } else if r.is_ok() {
            answered.insert(key.clone());
            if let Some(f) = pending.fetch.remove(&key) {
                let etag = if f.etag.is_empty() {
                    r.etag().unwrap_or_default()
                } else {
                    f.etag
                };
                run.set_aside(&key, &f.url, &etag, Problem::NoCalendarData);
            }
        }
        // Any other status for the item: as if left out.
    }
    for key in keys.iter().filter(|k| !answered.contains(*k)) {
        let Some(f) = pending.fetch.get_mut(key) else {
            continue;
        };
        f.omitted += 1;
        if f.omitted >= MAX_OMITTED {
            if let Some(f) = pending.fetch.remove(key) {
                run.set_aside(key, &f.url, &f.etag, Problem::Unfetchable);
            }
        }
    }
}
