//! What is stored of a user's calendars, read for the agenda and removed on disconnect.
//! The sync that writes it is in [`super::refresh`].

use crate::bindings::types::LogLevel;
use crate::host::Host;
use crate::store::{self, bodies, keys, record, Account, CalendarId, Markers, Problem, SyncState};

/// One selected calendar's stored bodies.
pub struct StoredCalendar {
    pub name: String,
    pub bodies: Vec<String>,
}

/// What the agenda reads: the markers (sync health, listed window) and the bodies of the
/// selected calendars that have been synced at least once.
pub struct Stored {
    pub markers: Markers,
    pub calendars: Vec<StoredCalendar>,
}

pub fn markers(host: &impl Host, user_id: &str) -> Result<Markers, Problem> {
    record::get_or_rebuild::<Markers>(host, &keys::markers(user_id))
        .map(Option::unwrap_or_default)
        .map_err(|e| store_problem(host, &e))
}

pub fn read(host: &impl Host, user_id: &str, account: &Account) -> Result<Stored, Problem> {
    let markers = markers(host, user_id)?;
    let mut calendars = Vec::new();
    for cal in account.selected() {
        let id = CalendarId::of_url(&cal.url);
        let Some(marker) = markers.calendars.get(id.as_str()) else {
            continue;
        };
        let bodies = bodies::read_all(host, user_id, &id, marker.buckets)
            .map_err(|e| store_problem(host, &e))?;
        calendars.push(StoredCalendar {
            name: cal.name.clone(),
            bodies,
        });
    }
    Ok(Stored { markers, calendars })
}

/// Removes a calendar's synced data (state, bodies, marker), e.g. when it is deselected.
pub fn forget_calendars(
    host: &impl Host,
    user_id: &str,
    calendars: &[CalendarId],
) -> Result<(), store::StoreError> {
    if calendars.is_empty() {
        return Ok(());
    }
    let buckets = record::update(
        host,
        &keys::markers(user_id),
        |cur: Result<Option<Markers>, _>| {
            let mut m = cur.ok().flatten().unwrap_or_default();
            let counts: Vec<u32> = calendars
                .iter()
                .map(|c| m.calendars.remove(c.as_str()).map_or(0, |mk| mk.buckets))
                .collect();
            (store::Change::Put(m), counts)
        },
    )?;
    for (id, marker_buckets) in calendars.iter().zip(buckets) {
        forget_calendar_data(host, user_id, id, marker_buckets)?;
    }
    Ok(())
}

fn forget_calendar_data(
    host: &impl Host,
    user_id: &str,
    id: &CalendarId,
    marker_buckets: u32,
) -> Result<(), store::StoreError> {
    // The state tells how many objects there were, should the marker be gone.
    let state_key = keys::calendar_state(user_id, id);
    let from_state = record::get_or_rebuild::<SyncState>(host, &state_key)?
        .map_or(1, |s| bodies::buckets_for(s.state.objects.len()));
    bodies::delete_all(host, user_id, id, marker_buckets.max(from_state))?;
    record::delete(host, &state_key)
}

/// Deletes everything stored for the user: notifications (armed jobs cancelled, the plan,
/// snapshot and status state, the settings), account, markers, every calendar's state and
/// bodies, the lease, the index entry and the sync backoff. Claims of effects already done
/// expire by themselves.
pub fn forget_user(
    host: &impl Host,
    user_id: &str,
    account: Option<&Account>,
) -> Result<(), store::StoreError> {
    // Notifications first: armed jobs cancelled, the user's own status back.
    crate::notify::stop(host, user_id)?;
    let markers =
        record::get_or_rebuild::<Markers>(host, &keys::markers(user_id))?.unwrap_or_default();
    let mut ids: Vec<(CalendarId, u32)> = markers
        .calendars
        .iter()
        .filter_map(|(id, m)| CalendarId::from_stored(id).map(|id| (id, m.buckets)))
        .collect();
    for cal in account.map(|a| a.calendars.as_slice()).unwrap_or_default() {
        let id = CalendarId::of_url(&cal.url);
        if !ids.iter().any(|(known, _)| *known == id) {
            ids.push((id, 1));
        }
    }
    for (id, buckets) in &ids {
        forget_calendar_data(host, user_id, id, *buckets)?;
    }
    for key in [
        keys::markers(user_id),
        keys::lease(user_id),
        keys::notify(user_id),
        keys::account(user_id),
    ] {
        record::delete(host, &key)?;
    }
    super::refresh::forget_backoff(host, user_id)?;
    store::index::remove(host, user_id)
}

fn store_problem(host: &impl Host, e: &store::StoreError) -> Problem {
    host.log(LogLevel::Error, &format!("reading synced data failed: {e}"));
    super::problem::of_store(e)
}
