//! The same sync story against any real CalDAV server.

use yandex_calendar::caldav::{check_credentials, discover, CalDavError};
use yandex_calendar::host::native::NativeHost;
use yandex_calendar::ical::Window;
use yandex_calendar::sync::{
    probe_account, sync_calendar, CalendarState, Evidence, Fallback, Markers, SyncMethod,
    SyncOutcome, SyncRequest,
};

use crate::common::{client, dav, put_event, PASSWORD};

/// `server` is the base URL; `calendar` the collection to use (already existing).
pub fn run(server: &str, user: &str, calendar: &str) {
    let host = NativeHost::new();
    // The events below are in January 2026; the window is fixed so the test stays true.
    let now = chrono::DateTime::from_timestamp(1_767_225_600, 0).unwrap_or_default();
    let window = Window::around(now, 30, 60);
    let sync = |c: &yandex_calendar::caldav::Client<'_, NativeHost>, state: &CalendarState| {
        sync_calendar(c, state, &SyncRequest::new(window))
    };
    let c = client(&host, user, PASSWORD);

    // Discovery finds the calendar.
    let (principal, cals) = discover(&c, server).expect("discover");
    let cal = cals
        .iter()
        .find(|k| yandex_calendar::caldav::href::same(&k.url, calendar))
        .unwrap_or_else(|| panic!("{calendar} not in {cals:#?}"));
    assert!(cal.sync_token.is_some() && cal.ctag.is_some(), "{cal:?}");

    put_event(
        &format!("{calendar}e1.ics"),
        "e1",
        "One",
        "20260105T100000Z",
    );
    put_event(
        &format!("{calendar}e%40two.ics"),
        "e2",
        "Two",
        "20260106T100000Z",
    );

    // An event far outside the window: a listing leaves it out, but it exists.
    put_event(
        &format!("{calendar}far.ics"),
        "far",
        "Far ahead",
        "20300105T100000Z",
    );

    // Initial sync: everything in the window is added.
    let c = client(&host, user, PASSWORD);
    let r = sync(&c, &CalendarState::new(calendar)).expect("initial sync");
    assert_eq!(r.method, SyncMethod::Listing);
    assert_eq!(r.fallback, Some(Fallback::FirstSync));
    assert_eq!(counts(&r), (2, 0, 0));
    assert!(r.is_complete());
    assert!(r.added.iter().all(|o| o.data.contains("BEGIN:VEVENT")));
    let state = r.state;

    // Unchanged: exactly one request.
    let c = client(&host, user, PASSWORD);
    let r = sync(&c, &state).expect("unchanged sync");
    assert_eq!(r.method, SyncMethod::Unchanged);
    assert!(r.is_empty());
    assert_eq!(c.stats().requests, 1);

    // The account-level probe: one request gives the markers of every calendar.
    let c = client(&host, user, PASSWORD);
    let probe = probe_account(&c, &principal.home_url).expect("account probe");
    assert_eq!(c.stats().requests, 1);
    let markers = probe
        .markers_for(calendar)
        .expect("calendar in the home")
        .clone();
    assert!(
        !state.needs_sync(&markers),
        "{markers:?} vs {:?}",
        state.synced
    );

    // Change one: probe + sync-collection + one multiget.
    put_event(
        &format!("{calendar}e1.ics"),
        "e1",
        "One moved",
        "20260105T120000Z",
    );
    // Depth 0 (RFC 6578): a server that insists still answers the delta, no fallback.
    let c = client(&host, user, PASSWORD);
    let probe = probe_account(&c, &principal.home_url).expect("account probe");
    let moved = probe.markers_for(calendar).cloned();
    assert!(moved.as_ref().is_some_and(|m| state.needs_sync(m)));
    let c = client(&host, user, PASSWORD);
    let req = SyncRequest {
        markers: moved,
        ..SyncRequest::new(window)
    };
    let r = sync_calendar(&c, &state, &req).expect("change sync");
    assert_eq!(r.method, SyncMethod::SyncCollection);
    assert_eq!(r.fallback, None);
    assert_eq!(counts(&r), (0, 1, 0));
    assert!(r.changed[0].data.contains("One moved"));
    // The account probe already gave the markers: sync-collection + one multiget.
    assert_eq!(c.stats().requests, 2);
    let state = r.state;

    // Add one.
    put_event(
        &format!("{calendar}e3.ics"),
        "e3",
        "Three",
        "20260107T100000Z",
    );
    let c = client(&host, user, PASSWORD);
    let r = sync(&c, &state).expect("add sync");
    assert_eq!(counts(&r), (1, 0, 0));
    let state = r.state;

    // Delete one (the one with an encoded href): no body to fetch, and the deletion is
    // confirmed with an ETag-only multiget of the stored URL before it is reported.
    dav(&["delete", &format!("{calendar}e%40two.ics")]);
    let c = client(&host, user, PASSWORD);
    let r = sync(&c, &state).expect("delete sync");
    assert_eq!(counts(&r), (0, 0, 1));
    assert!(r.removed[0].url.contains("two.ics"), "{:?}", r.removed);
    assert_eq!(r.removed[0].evidence, Evidence::DeletedInSyncCollection);
    assert_eq!(c.stats().requests, 3);
    let state = r.state;
    assert_eq!(state.objects.len(), 2);

    // The server no longer knows our token: a full listing of the window repairs the
    // state. The far event is not in the listing, but it exists: it is not removed.
    put_event(
        &format!("{calendar}far.ics"),
        "far",
        "Far ahead again",
        "20300106T100000Z",
    );
    let c = client(&host, user, PASSWORD);
    let r = sync(&c, &state).expect("far event arrives");
    assert_eq!(counts(&r), (1, 0, 0));
    let state = r.state;
    let mut bad = state.clone();
    bad.synced = Some(Markers {
        ctag: Some("stale".into()),
        token: Some("http://example.invalid/sync/bogus-token".into()),
    });
    put_event(
        &format!("{calendar}e4.ics"),
        "e4",
        "Four",
        "20260108T100000Z",
    );
    let c = client(&host, user, PASSWORD);
    let r = sync(&c, &bad).expect("sync with a refused token");
    assert_eq!(r.method, SyncMethod::Listing);
    assert!(
        matches!(r.fallback, Some(Fallback::TokenRefused { .. })),
        "{:?}",
        r.fallback
    );
    assert_eq!(counts(&r), (1, 0, 0), "{:?}", r.removed);
    assert_eq!(r.state.objects.len(), 4);
    let state = r.state;

    // Wrong password: a distinct error, from the check and from a sync.
    let c = client(&host, user, "wrong");
    assert_eq!(
        check_credentials(&c, server),
        Err(CalDavError::Unauthorized)
    );
    assert_eq!(
        sync(&c, &state).map(|r| r.method),
        Err(CalDavError::Unauthorized)
    );

    // Calendar deleted: NotFound, and the stored state stays as it was.
    dav(&["delete", calendar]);
    let c = client(&host, user, PASSWORD);
    match sync(&c, &state) {
        Err(CalDavError::NotFound { .. }) => {}
        other => panic!("expected NotFound, got {:?}", other.map(|r| r.method)),
    }
}

fn counts(r: &SyncOutcome) -> (usize, usize, usize) {
    (r.added.len(), r.changed.len(), r.removed.len())
}
