//! The sync engine against the in-memory collection of `fake_dav`: every way a server can
//! leave something out must not read as a deletion.

use chrono::{TimeZone, Utc};

use super::fake_dav::{host, ics, Shared, CAL};
use super::*;
use crate::caldav::{CalDavError, Client, ClientOptions, Credentials, NoSleep};
use crate::host::fake::FakeHost;
use crate::ical::Window;

fn window() -> Window {
    Window {
        from: Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap(),
        to: Utc.with_ymd_and_hms(2026, 4, 1, 0, 0, 0).unwrap(),
    }
}

fn client(h: &FakeHost) -> Client<'_, FakeHost> {
    client_with(h, ClientOptions::default())
}

fn client_with(h: &FakeHost, options: ClientOptions) -> Client<'_, FakeHost> {
    Client::new(h, &NoSleep, Credentials::new("u@yandex.ru", "p"), options)
}

fn sync(h: &FakeHost, state: &CalendarState) -> SyncOutcome {
    sync_calendar(&client(h), state, &SyncRequest::new(window())).expect("sync")
}

fn put(dav: &Shared, names: &[&str]) {
    for n in names {
        dav.borrow_mut().put(n, &ics(n, "20260310T100000Z"));
    }
}

/// A calendar synced once with `names`.
fn synced(h: &FakeHost, dav: &Shared, names: &[&str]) -> CalendarState {
    put(dav, names);
    let r = sync(h, &CalendarState::new(CAL));
    assert!(r.is_complete(), "{:?}", r.completeness);
    assert_eq!(r.added.len(), names.len());
    r.state
}

fn keys(v: &[Removed]) -> Vec<&str> {
    v.iter()
        .map(|r| r.key.rsplit('/').next().unwrap_or_default())
        .collect()
}

#[test]
fn item1_listing_absence_outside_window_truncation_and_item_errors_delete_nothing() {
    let (h, dav) = host();
    let state = synced(&h, &dav, &["a.ics", "b.ics", "far.ics", "gone.ics"]);
    // The token is refused: a full listing. `far` is outside the window (not listed but
    // exists), `b` comes with a per-item 500, `gone` was really deleted.
    dav.borrow_mut().knobs.refuse_tokens = true;
    dav.borrow_mut().knobs.unlisted.insert("far.ics".into());
    dav.borrow_mut().knobs.item_error.insert("b.ics".into());
    dav.borrow_mut().delete("gone.ics");
    let r = sync(&h, &state);
    assert_eq!(r.method, SyncMethod::Listing);
    assert_eq!(r.fallback, Some(Fallback::TokenRefused { status: 403 }));
    // Before: far, b and gone were all "removed".
    assert_eq!(keys(&r.removed), ["gone.ics"]);
    assert_eq!(r.removed[0].evidence, Evidence::AbsentFromListing);
    assert!(r
        .state
        .objects
        .contains_key("/calendars/u%40yandex.ru/events-1/far.ics"));
    assert!(r.is_complete());
    assert!(r.state.last_listing.as_ref().is_some_and(|l| l.complete));

    // A truncated listing (507 on the collection) proves no absence at all.
    let (h, dav) = host();
    let state = synced(&h, &dav, &["a.ics", "b.ics"]);
    dav.borrow_mut().knobs.refuse_tokens = true;
    dav.borrow_mut().delete("b.ics");
    dav.borrow_mut().knobs.truncate_listing_to = Some(["a.ics".to_string()].into());
    let r = sync(&h, &state);
    assert!(r.removed.is_empty(), "{:?}", r.removed);
    assert!(r.state.last_listing.as_ref().is_some_and(|l| !l.complete));
    // …and the calendar is listed again next time, not marked in sync.
    assert!(r.state.needs_sync(&Markers {
        ctag: Some("4".into()),
        token: Some("data:,4".into())
    }));
}

#[test]
fn item2_omitted_hrefs_stay_pending_and_the_token_waits() {
    let (h, dav) = host();
    let state = synced(&h, &dav, &["a.ics"]);
    put(&dav, &["a.ics", "b.ics"]);
    dav.borrow_mut().knobs.omit.insert("b.ics".into());
    let r = sync(&h, &state);
    assert_eq!(r.changed.len(), 1);
    assert!(r.added.is_empty());
    // Before: `b` was dropped and the token advanced past it for good.
    assert!(matches!(
        r.completeness,
        Completeness::Partial {
            remaining: 1,
            interruption: Interruption::Omitted
        }
    ));
    let old_token = state.synced.as_ref().and_then(|m| m.token.clone());
    assert_eq!(
        r.state.synced.as_ref().and_then(|m| m.token.clone()),
        old_token
    );
    // The next poll asks again, and gets it.
    dav.borrow_mut().knobs.omit.clear();
    let r = sync(&h, &r.state);
    assert_eq!(r.method, SyncMethod::Resumed);
    assert_eq!(r.added.len(), 1);
    assert!(r.is_complete());
    assert_ne!(r.state.synced.and_then(|m| m.token), old_token);
}

#[test]
fn item2_a_multiget_404_for_a_listed_href_is_not_a_deletion() {
    let (h, dav) = host();
    // Yandex answers multiget with 404 for the `@` spelling sync-collection used.
    dav.borrow_mut().knobs.strict_at = true;
    let state = synced(&h, &dav, &["a@yandex.ru.ics"]);
    dav.borrow_mut()
        .put("a@yandex.ru.ics", &ics("a", "20260311T100000Z"));
    let r = sync(&h, &state);
    // Before: the 404 removed the object.
    assert!(r.removed.is_empty());
    assert_eq!(r.changed.len(), 1);
    assert!(r.changed[0].url.contains("a%40yandex.ru.ics"));
    // An object listed present whose every spelling answers 404 is set aside, not removed.
    dav.borrow_mut().put("b.ics", &ics("b", "20260311T100000Z"));
    dav.borrow_mut().knobs.omit.insert("b.ics".into());
    let mut st = r.state;
    for _ in 0..3 {
        let r = sync(&h, &st);
        assert!(r.removed.is_empty());
        st = r.state;
    }
    assert!(st.pending.is_none(), "{:?}", st.pending);
    let meta = &st.objects["/calendars/u%40yandex.ru/events-1/b.ics"];
    assert_eq!(
        meta.problem.as_ref().map(|p| &p.problem),
        Some(&Problem::Unfetchable)
    );
}

#[test]
fn item2_deletions_are_confirmed_by_the_stored_url() {
    let (h, dav) = host();
    dav.borrow_mut().knobs.strict_at = true;
    let state = synced(&h, &dav, &["x@yandex.ru.ics", "y.ics"]);
    dav.borrow_mut().delete("x@yandex.ru.ics");
    let r = sync(&h, &state);
    assert_eq!(keys(&r.removed), ["x%40yandex.ru.ics"]);
    assert_eq!(r.removed[0].evidence, Evidence::DeletedInSyncCollection);
    // The confirmation used the stored (`%40`) spelling, so the strict server agreed.
    let last = dav.borrow().requests.last().cloned().expect("requests");
    let body = String::from_utf8_lossy(&last.body).to_string();
    assert!(body.contains("x%40yandex.ru.ics") && !body.contains("calendar-data"));
}

#[test]
fn item3_an_object_without_calendar_data_is_set_aside_once() {
    let (h, dav) = host();
    let state = synced(&h, &dav, &["a.ics"]);
    put(&dav, &["bad.ics", "good.ics"]);
    dav.borrow_mut().knobs.no_data.insert("bad.ics".into());
    let r = sync(&h, &state);
    // Before: the whole calendar failed with BadResponse, on every poll.
    assert_eq!(r.added.len(), 1);
    assert_eq!(r.problems.len(), 1);
    assert_eq!(r.problems[0].problem, Problem::NoCalendarData);
    assert!(r.is_complete());
    // The same version is not asked for again, nor reported again.
    put(&dav, &["good.ics"]);
    let r = sync(&h, &r.state);
    assert_eq!(r.changed.len(), 1);
    assert!(r.problems.is_empty());
    // A new version of it is tried, and when it is fine it comes through.
    dav.borrow_mut().knobs.no_data.clear();
    put(&dav, &["bad.ics"]);
    let r = sync(&h, &r.state);
    assert_eq!(r.added.len(), 1);
}

#[test]
fn item4_too_large_chunks_split_and_one_huge_object_is_skipped() {
    let (h, dav) = host();
    let state = synced(&h, &dav, &[]);
    for i in 0..20 {
        let name = format!("e{i}.ics");
        dav.borrow_mut().put(&name, &ics(&name, "20260310T100000Z"));
    }
    let huge = format!(
        "{}DESCRIPTION:{}\r\n",
        ics("huge", "20260310T100000Z").replace("END:VEVENT\r\nEND:VCALENDAR\r\n", ""),
        "x".repeat(6000)
    ) + "END:VEVENT\r\nEND:VCALENDAR\r\n";
    dav.borrow_mut().put("huge.ics", &huge);
    let options = ClientOptions {
        max_response_bytes: 4000,
        multiget_chunk: 10,
        ..ClientOptions::default()
    };
    let c = client_with(&h, options);
    let r = sync_calendar(&c, &state, &SyncRequest::new(window())).expect("sync");
    // Before: TooLarge failed the calendar on every poll.
    assert_eq!(r.added.len(), 20, "{:?} {:?}", r.completeness, r.problems);
    assert_eq!(r.problems.len(), 1);
    assert_eq!(r.problems[0].problem, Problem::TooLarge { limit: 4000 });
    assert!(r.is_complete());
}

#[test]
fn item5_an_interrupted_initial_sync_resumes_where_it_stopped() {
    let (h, dav) = host();
    for i in 0..100 {
        let name = format!("e{i:03}.ics");
        dav.borrow_mut().put(&name, &ics(&name, "20260310T100000Z"));
    }
    let options = ClientOptions {
        multiget_chunk: 5,
        ..ClientOptions::default()
    };
    // probe, listing, then chunk 19 of 20 answers 504.
    dav.borrow_mut().knobs.fail_request = Some((2 + 18, 504));
    let c = client_with(&h, options);
    let req = SyncRequest {
        max_requests: 100,
        ..SyncRequest::new(window())
    };
    let r = sync_calendar(&c, &CalendarState::new(CAL), &req).expect("partial");
    assert_eq!(r.added.len(), 90);
    assert!(matches!(
        r.error,
        Some(CalDavError::ServerBusy { status: 504, .. })
    ));
    assert!(matches!(
        r.completeness,
        Completeness::Partial { remaining: 10, .. }
    ));
    assert!(r.state.synced.is_none());
    // Before: the next poll started over with a new listing and all 100 objects.
    let before = dav.borrow().requests.len();
    let c = client_with(&h, options);
    let r = sync_calendar(&c, &r.state, &req).expect("resumed");
    assert_eq!(r.method, SyncMethod::Resumed);
    assert_eq!(r.added.len(), 10);
    assert!(r.is_complete());
    assert!(r.state.synced.is_some());
    assert_eq!(dav.borrow().requests.len() - before, 2);
}

#[test]
fn item5_the_budget_splits_a_big_sync_over_polls() {
    let (h, dav) = host();
    for i in 0..60 {
        let name = format!("e{i:03}.ics");
        dav.borrow_mut().put(&name, &ics(&name, "20260310T100000Z"));
    }
    let options = ClientOptions {
        multiget_chunk: 5,
        ..ClientOptions::default()
    };
    let req = SyncRequest {
        max_requests: 6,
        ..SyncRequest::new(window())
    };
    let mut state = CalendarState::new(CAL);
    let mut total = 0;
    let mut polls = 0;
    loop {
        polls += 1;
        let c = client_with(&h, options);
        let r = sync_calendar(&c, &state, &req).expect("sync");
        assert!(c.stats().requests <= 6);
        total += r.added.len();
        state = r.state;
        if r.completeness == Completeness::Complete {
            break;
        }
        assert!(polls < 20);
    }
    assert_eq!(total, 60);
    assert_eq!(polls, 3);
}

#[test]
fn item6_sync_collection_is_depth_0_and_fallbacks_are_reported() {
    let (h, dav) = host();
    dav.borrow_mut().knobs.strict_depth = true;
    let state = synced(&h, &dav, &["a.ics"]);
    put(&dav, &["a.ics"]);
    let r = sync(&h, &state);
    // Before: Depth 1, refused by an RFC 6578 server, so every poll fell back to a listing.
    assert_eq!(r.method, SyncMethod::SyncCollection);
    assert_eq!(r.fallback, None);
    let (h, _) = host();
    let first = sync(&h, &CalendarState::new(CAL));
    assert_eq!(first.fallback, Some(Fallback::FirstSync));
}

#[test]
fn item7_a_throttled_sync_gives_up_at_once_and_keeps_its_progress() {
    let (h, dav) = host();
    let state = synced(&h, &dav, &["a.ics"]);
    put(&dav, &["a.ics", "b.ics"]);
    // probe, sync-collection, then the multiget answers 504.
    let before = dav.borrow().requests.len();
    dav.borrow_mut().knobs.fail_request = Some((before + 2, 504));
    let r = sync(&h, &state);
    // Before: NoSleep retried in a tight loop, 4 requests on the one 504.
    assert_eq!(dav.borrow().requests.len() - before, 3);
    assert!(matches!(
        r.error,
        Some(CalDavError::ServerBusy { status: 504, .. })
    ));
    assert_eq!(r.state.pending.as_ref().map(Pending::remaining), Some(2));
    // The probe failing is a plain error, after one request.
    let before = dav.borrow().requests.len();
    dav.borrow_mut().knobs.fail_request = Some((before, 503));
    let c = client(&h);
    assert!(matches!(
        sync_calendar(&c, &state, &SyncRequest::new(window())),
        Err(CalDavError::ServerBusy { status: 503, .. })
    ));
    assert_eq!(c.stats().requests, 1);
}

#[test]
fn account_probe_skips_calendars_whose_markers_did_not_move() {
    let (h, dav) = host();
    let state = synced(&h, &dav, &["a.ics"]);
    let markers = super::engine::probe(&client(&h), CAL).expect("probe");
    assert!(!state.needs_sync(&markers));
    put(&dav, &["a.ics"]);
    let moved = super::engine::probe(&client(&h), CAL).expect("probe");
    assert!(state.needs_sync(&moved));
    // With the markers given, the sync sends no probe of its own.
    let c = client(&h);
    let req = SyncRequest {
        markers: Some(moved),
        ..SyncRequest::new(window())
    };
    let r = sync_calendar(&c, &state, &req).expect("sync");
    assert_eq!(r.changed.len(), 1);
    assert_eq!(c.stats().requests, 2);
}
