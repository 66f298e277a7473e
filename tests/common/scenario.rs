//! The same sync story against any real CalDAV server.

use yandex_calendar::caldav::{check_credentials, discover, CalDavError};
use yandex_calendar::host::native::NativeHost;
use yandex_calendar::host::Clock;
use yandex_calendar::sync::{sync_calendar, CalendarState, SyncMethod, TimeRange};

use crate::common::{client, dav, put_event, PASSWORD};

/// `server` is the base URL; `calendar` the collection to use (already existing).
pub fn run(server: &str, user: &str, calendar: &str) {
    let host = NativeHost::new();
    let window = TimeRange::around(host.now_ms(), 400, 400);
    let c = client(&host, user, PASSWORD);

    // Discovery finds the calendar.
    let (_, cals) = discover(&c, server).expect("discover");
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

    // Initial sync: everything is added.
    let c = client(&host, user, PASSWORD);
    let r = sync_calendar(&c, &CalendarState::new(calendar), window).expect("initial sync");
    assert_eq!(r.method, SyncMethod::FullQuery);
    assert_eq!((r.added.len(), r.changed.len(), r.removed.len()), (2, 0, 0));
    assert!(r.added.iter().all(|o| o.data.contains("BEGIN:VEVENT")));
    let state = r.state;

    // Unchanged: exactly one request.
    let c = client(&host, user, PASSWORD);
    let r = sync_calendar(&c, &state, window).expect("unchanged sync");
    assert_eq!(r.method, SyncMethod::Unchanged);
    assert!(r.is_empty());
    assert_eq!(c.stats().requests, 1);

    // Change one: probe + sync-collection + one multiget.
    put_event(
        &format!("{calendar}e1.ics"),
        "e1",
        "One moved",
        "20260105T120000Z",
    );
    let c = client(&host, user, PASSWORD);
    let r = sync_calendar(&c, &state, window).expect("change sync");
    assert_eq!(r.method, SyncMethod::SyncCollection);
    assert_eq!((r.added.len(), r.changed.len(), r.removed.len()), (0, 1, 0));
    assert!(r.changed[0].data.contains("One moved"));
    assert_eq!(c.stats().requests, 3);
    let state = r.state;

    // Add one.
    put_event(
        &format!("{calendar}e3.ics"),
        "e3",
        "Three",
        "20260107T100000Z",
    );
    let c = client(&host, user, PASSWORD);
    let r = sync_calendar(&c, &state, window).expect("add sync");
    assert_eq!((r.added.len(), r.changed.len(), r.removed.len()), (1, 0, 0));
    let state = r.state;

    // Delete one (the one with an encoded href): no body to fetch.
    dav(&["delete", &format!("{calendar}e%40two.ics")]);
    let c = client(&host, user, PASSWORD);
    let r = sync_calendar(&c, &state, window).expect("delete sync");
    assert_eq!((r.added.len(), r.changed.len(), r.removed.len()), (0, 0, 1));
    assert!(r.removed[0].contains("two.ics"), "{:?}", r.removed);
    assert_eq!(c.stats().requests, 2);
    let state = r.state;
    assert_eq!(state.objects.len(), 2);

    // The server no longer knows our token: a full listing repairs the state.
    let mut bad = state.clone();
    bad.sync_token = Some("http://example.invalid/sync/bogus-token".into());
    bad.ctag = Some("stale".into());
    put_event(
        &format!("{calendar}e4.ics"),
        "e4",
        "Four",
        "20260108T100000Z",
    );
    let c = client(&host, user, PASSWORD);
    let r = sync_calendar(&c, &bad, window).expect("sync with a refused token");
    assert_eq!(r.method, SyncMethod::FullQuery);
    assert_eq!((r.added.len(), r.changed.len(), r.removed.len()), (1, 0, 0));
    assert_eq!(r.state.objects.len(), 3);
    let state = r.state;

    // Wrong password: a distinct error, from the check and from a sync.
    let c = client(&host, user, "wrong");
    assert_eq!(
        check_credentials(&c, server),
        Err(CalDavError::Unauthorized)
    );
    assert_eq!(
        sync_calendar(&c, &state, window).map(|r| r.method),
        Err(CalDavError::Unauthorized)
    );

    // Calendar deleted: NotFound, and the stored state stays as it was.
    dav(&["delete", calendar]);
    let c = client(&host, user, PASSWORD);
    match sync_calendar(&c, &state, window) {
        Err(CalDavError::NotFound { .. }) => {}
        other => panic!("expected NotFound, got {:?}", other.map(|r| r.method)),
    }
}
