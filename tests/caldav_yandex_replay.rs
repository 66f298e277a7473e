//! Sync against tests/servers/yandex_replay.py, which answers like caldav.yandex.ru, and
//! misbehaves on demand (504s, truncated answers, omitted hrefs, missing calendar-data).

mod common;

use yandex_calendar::caldav::{
    check_credentials, discover, put_if_match, CalDavError, Client, ClientOptions, Credentials,
    NoSleep,
};
use yandex_calendar::host::native::NativeHost;
use yandex_calendar::ical::Window;
use yandex_calendar::sync::{
    probe_account, sync_calendar, CalendarState, Completeness, Evidence, Fallback, Markers,
    Problem, SyncMethod, SyncOutcome, SyncRequest,
};

const USER: &str = "user@yandex.ru";

/// POSTs to the replay server's control API over a raw socket (no client needed).
fn control(server: &common::Server, what: &str, body: &str) -> String {
    use std::io::{Read, Write};
    let addr = server
        .url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    let mut s = std::net::TcpStream::connect(&addr).expect("connect to replay server");
    write!(
        s,
        "POST /_control/{what} HTTP/1.0\r\nHost: {addr}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .expect("write");
    let mut answer = String::new();
    s.read_to_string(&mut answer).expect("read");
    assert!(
        answer.starts_with("HTTP/1.0 200") || answer.starts_with("HTTP/1.1 200"),
        "{what}: {answer}"
    );
    answer
        .split("\r\n\r\n")
        .nth(1)
        .unwrap_or_default()
        .to_string()
}

fn stats(server: &common::Server) -> serde_json::Value {
    serde_json::from_str(&control(server, "stats", "")).expect("stats JSON")
}

fn ical(uid: &str, start: &str, summary: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nPRODID:-//Yandex LLC//Yandex Calendar//EN\r\nVERSION:2.0\r\n\
         BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTART:{start}\r\nSUMMARY:{summary}\r\n\
         END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
}

fn put(server: &common::Server, name: &str, uid: &str, start: &str, summary: &str) {
    control(
        server,
        &format!("put?cal=events-1001&name={name}"),
        &ical(uid, start, summary),
    );
}

/// The replay's events are in January 2026; a fixed window keeps the tests true.
fn window() -> Window {
    let now = chrono::DateTime::from_timestamp(1_767_225_600, 0).unwrap_or_default();
    Window::around(now, 30, 30)
}

fn sync(c: &Client<'_, NativeHost>, state: &CalendarState) -> Result<SyncOutcome, CalDavError> {
    sync_calendar(c, state, &SyncRequest::new(window()))
}

fn counts(r: &SyncOutcome) -> (usize, usize, usize) {
    (r.added.len(), r.changed.len(), r.removed.len())
}

fn cal_url(server: &common::Server) -> String {
    format!("{}calendars/user%40yandex.ru/events-1001/", server.url)
}

#[test]
fn yandex_quirks() {
    let server = common::Server::start("yandex_replay.sh", "yandex");
    let host = NativeHost::new();
    let c = || common::client(&host, USER, common::PASSWORD);

    // Discovery from `/`: event calendars only, hrefs with %40 resolved, and the address
    // the principal answers to.
    let client = c();
    let (principal, cals) = discover(&client, &server.url).expect("discover");
    assert!(principal.home_url.ends_with("/calendars/user%40yandex.ru/"));
    assert_eq!(principal.addresses, vec![USER.to_string()]);
    assert_eq!(cals.len(), 1, "{cals:#?}");
    let cal = &cals[0];
    assert_eq!(cal.display_name, "Work");
    assert_eq!(cal.color, "#49c0a8ff");
    assert_eq!(cal.components, vec!["VEVENT".to_string()]);
    assert_eq!(client.stats().requests, 3);

    // Objects in and far outside the window: Yandex returns all of them; the caller filters.
    put(
        &server,
        "a1%40yandex.ru.ics",
        "a1",
        "20260105T100000Z",
        "A1",
    );
    put(
        &server,
        "old.ics",
        "old",
        "20100105T100000Z",
        "Out of range",
    );
    let client = c();
    let r = sync(&client, &CalendarState::new(&cal.url)).expect("initial");
    assert_eq!(r.method, SyncMethod::Listing);
    assert_eq!(counts(&r), (2, 0, 0));
    let state = r.state;
    assert!(state.objects.values().all(|o| !o.etag.starts_with('"')));

    let client = c();
    let r = sync(&client, &state).expect("unchanged");
    assert_eq!(
        (r.method, client.stats().requests),
        (SyncMethod::Unchanged, 1)
    );

    // A change reported with a plain `@` href is a change, not an add plus a removal; it
    // is fetched by the `%40` spelling Yandex answers to (the `@` one gets a 404). A
    // deletion arrives as a 404 propstat that still carries getetag, and is confirmed.
    put(
        &server,
        "a1%40yandex.ru.ics",
        "a1",
        "20260105T120000Z",
        "A1 moved",
    );
    control(&server, "delete?cal=events-1001&name=old.ics", "");
    let client = c();
    let r = sync(&client, &state).expect("delta");
    assert_eq!(r.method, SyncMethod::SyncCollection);
    // Before: sync-collection went out with Depth 1, which the replay (like RFC 6578
    // servers) refuses with 400, so every poll fell back to a full listing.
    assert_eq!(r.fallback, None);
    assert_eq!(counts(&r), (0, 1, 1));
    assert!(r.changed[0].data.contains("A1 moved"));
    assert!(r.removed[0].url.ends_with("/old.ics"));
    assert_eq!(r.removed[0].evidence, Evidence::DeletedInSyncCollection);
    // probe, sync-collection, confirm the deletion, fetch the change
    assert_eq!(client.stats().requests, 4);
    let state = r.state;

    // A burst of 504s is retried within the budget by a caller that may wait.
    put(&server, "b.ics", "b", "20260106T100000Z", "B");
    control(&server, "fail?status=504&count=2", "");
    let client = c();
    let r = sync(&client, &state).expect("after 504 burst");
    assert_eq!(r.added.len(), 1);
    assert_eq!(client.stats().retries, 2);
    let state = r.state;

    // A longer outage ends in a typed error carrying Retry-After, not a hang or a panic.
    control(&server, "fail?status=503&count=10&retry_after=1", "");
    let client = c();
    match sync(&client, &state) {
        Err(CalDavError::ServerBusy {
            status: 503,
            retry_after_ms: Some(1000),
        }) => {}
        other => panic!("expected ServerBusy, got {:?}", other.map(|r| r.method)),
    }
    assert!(client.stats().requests <= 4);
    control(&server, "fail?status=503&count=0", "");

    // A stale token is answered 403 valid-sync-token: fall back to a full listing.
    control(&server, "expire_tokens", "");
    put(&server, "c.ics", "c", "20260107T100000Z", "C");
    let client = c();
    let r = sync(&client, &state).expect("stale token");
    assert_eq!(r.method, SyncMethod::Listing);
    assert_eq!(r.fallback, Some(Fallback::TokenRefused { status: 403 }));
    assert_eq!(counts(&r), (1, 0, 0));
    let state = r.state;

    // sync-collection without a token is 507 on Yandex: also a fallback, never an error.
    let mut tokenless = state.clone();
    tokenless.synced = Some(Markers {
        ctag: None,
        token: Some(String::new()),
    });
    let client = c();
    let r = sync(&client, &tokenless).expect("507 fallback");
    assert_eq!(r.method, SyncMethod::Listing);
    assert_eq!(r.fallback, Some(Fallback::TokenRefused { status: 507 }));
    assert!(r.is_empty());

    // RSVP-style write: If-Match on the (unquoted) ETag; a stale ETag is a clean conflict.
    let (key, meta) = state
        .objects
        .iter()
        .find(|(k, _)| k.ends_with("c.ics"))
        .expect("c.ics known");
    let client = c();
    let body = ical("c", "20260107T100000Z", "C accepted");
    let new_etag = put_if_match(&client, &meta.url, &meta.etag, body.as_bytes()).expect("put");
    assert!(new_etag.is_some(), "{key}");
    assert!(matches!(
        put_if_match(&client, &meta.url, &meta.etag, body.as_bytes()),
        Err(CalDavError::Conflict { .. })
    ));

    // Response size limit: objects that do not fit are set aside, the listing still fits.
    let small = Client::new(
        &host,
        &NoSleep,
        Credentials::new(USER, common::PASSWORD),
        ClientOptions {
            max_response_bytes: 200,
            ..common::options()
        },
    );
    let r = sync(&small, &CalendarState::new(&cal.url)).expect("small limit");
    assert!(r
        .problems
        .iter()
        .all(|p| p.problem == Problem::TooLarge { limit: 200 }));
    assert_eq!(r.problems.len(), state.objects.len());

    // Wrong password, unreachable server, not a CalDAV server, bad URL: distinct errors.
    let bad = common::client(&host, USER, "wrong");
    assert_eq!(
        check_credentials(&bad, &server.url),
        Err(CalDavError::Unauthorized)
    );
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    assert!(matches!(
        check_credentials(&c(), &format!("http://127.0.0.1:{port}/")),
        Err(CalDavError::Unreachable(_))
    ));
    assert!(matches!(
        check_credentials(&c(), &format!("{}_control/nothing", server.url)),
        Err(CalDavError::NotCalDav(_))
    ));
    assert!(matches!(
        check_credentials(&c(), "caldav.yandex.ru"),
        Err(CalDavError::InvalidUrl(_))
    ));

    // The calendar disappears.
    control(&server, "drop_calendar?cal=events-1001", "");
    assert!(matches!(
        sync(&c(), &state),
        Err(CalDavError::NotFound { .. })
    ));
}

#[test]
fn truncated_answers_omissions_and_missing_data_lose_nothing() {
    let server = common::Server::start("yandex_replay.sh", "yandex-trunc");
    let host = NativeHost::new();
    let c = || common::client(&host, USER, common::PASSWORD);
    let cal = cal_url(&server);
    for i in 0..6 {
        put(
            &server,
            &format!("e{i}.ics"),
            &format!("e{i}"),
            "20260105T100000Z",
            "E",
        );
    }
    let r = sync(&c(), &CalendarState::new(&cal)).expect("initial");
    assert_eq!(r.added.len(), 6);
    let state = r.state;

    // Item 1: a listing cut short (507 on the collection) is no evidence of absence.
    control(&server, "page?size=2", "");
    control(&server, "expire_tokens", "");
    put(&server, "e5.ics", "e5", "20260105T110000Z", "E5 moved");
    let r = sync(&c(), &state).expect("truncated listing");
    assert_eq!(r.method, SyncMethod::Listing);
    assert!(r.removed.is_empty(), "{:?}", r.removed);
    assert!(r.state.last_listing.as_ref().is_some_and(|l| !l.complete));
    control(&server, "page?size=0", "");
    let r = sync(&c(), &r.state).expect("full listing again");
    assert_eq!(r.method, SyncMethod::Listing);
    assert_eq!(counts(&r), (0, 1, 0));
    assert!(r.is_complete());
    let state = r.state;

    // sync-collection in pages of 2 (507 + token): all 5 changes arrive in one poll.
    for i in 0..5 {
        put(
            &server,
            &format!("e{i}.ics"),
            &format!("e{i}"),
            "20260105T110000Z",
            "E moved",
        );
    }
    control(&server, "page?size=2", "");
    let r = sync(&c(), &state).expect("paged delta");
    control(&server, "page?size=0", "");
    assert_eq!(r.method, SyncMethod::SyncCollection);
    assert_eq!(counts(&r), (0, 5, 0));
    let state = r.state;

    // Item 2: an href left out of the multiget answer stays pending; the token waits.
    put(&server, "e0.ics", "e0", "20260105T120000Z", "E0 again");
    put(&server, "e1.ics", "e1", "20260105T120000Z", "E1 again");
    control(&server, "omit?name=e1.ics", "");
    let r = sync(&c(), &state).expect("omitted");
    assert_eq!(counts(&r), (0, 1, 0));
    assert!(matches!(
        r.completeness,
        Completeness::Partial { remaining: 1, .. }
    ));
    control(&server, "omit?name=e1.ics&on=0", "");
    let r = sync(&c(), &r.state).expect("resumed");
    assert_eq!(r.method, SyncMethod::Resumed);
    assert_eq!(counts(&r), (0, 1, 0));
    assert!(r.is_complete());
    let state = r.state;

    // Item 3: one object without calendar-data is set aside; the others sync.
    put(&server, "e2.ics", "e2", "20260105T130000Z", "E2");
    put(&server, "e3.ics", "e3", "20260105T130000Z", "E3");
    control(&server, "no_data?name=e2.ics", "");
    let r = sync(&c(), &state).expect("no data");
    assert_eq!(counts(&r), (0, 1, 0));
    assert_eq!(r.problems.len(), 1);
    assert_eq!(r.problems[0].problem, Problem::NoCalendarData);
    assert!(r.is_complete());
    let r = sync(&c(), &r.state).expect("next poll");
    assert_eq!(r.method, SyncMethod::Unchanged);
}

#[test]
fn a_504_on_chunk_19_of_20_resumes_at_the_next_poll() {
    let server = common::Server::start("yandex_replay.sh", "yandex-resume");
    let host = NativeHost::new();
    control(
        &server,
        "generate?cal=events-1001&count=1000&day=20260110",
        "",
    );
    let cal = cal_url(&server);
    let c = || common::client(&host, USER, common::PASSWORD);
    let req = SyncRequest {
        max_requests: 100,
        ..SyncRequest::new(window())
    };
    // probe + listing, then 18 multigets of 50 succeed and the 19th answers 504.
    control(&server, "fail?status=504&count=10&after=20", "");
    let hook = Client::new(
        &host,
        &NoSleep,
        Credentials::new(USER, common::PASSWORD),
        common::options(),
    );
    let r = sync_calendar(&hook, &CalendarState::new(&cal), &req).expect("partial");
    assert_eq!(r.added.len(), 900);
    assert!(matches!(
        r.error,
        Some(CalDavError::ServerBusy { status: 504, .. })
    ));
    // Item 7: in a hook, no retry at all: the 504 ended the round.
    assert_eq!(hook.stats().requests, 21);
    control(&server, "fail?status=504&count=0", "");
    let r = sync_calendar(&c(), &r.state, &req).expect("resumed");
    assert_eq!(r.method, SyncMethod::Resumed);
    assert_eq!(r.added.len(), 100);
    assert!(r.is_complete());
    let s = stats(&server);
    assert_eq!(s["by_kind"]["calendar-query"], 1, "{s}");
}

#[test]
fn a_20000_object_calendar_syncs() {
    let server = common::Server::start("yandex_replay.sh", "yandex-big");
    let host = NativeHost::new();
    control(
        &server,
        "generate?cal=events-1001&count=20000&day=20260110",
        "",
    );
    let cal = cal_url(&server);
    let mut state = CalendarState::new(&cal);
    let mut total = 0;
    let mut polls = 0;
    let options = ClientOptions {
        multiget_chunk: 100,
        ..common::options()
    };
    // Before: the ETag listing alone (~4.6 MB) hit the 4 MiB limit: TooLarge on every poll.
    loop {
        polls += 1;
        let c = Client::new(
            &host,
            &NoSleep,
            Credentials::new(USER, common::PASSWORD),
            options,
        );
        let r = sync_calendar(&c, &state, &SyncRequest::new(window())).expect("big sync");
        total += r.added.len();
        let done = r.is_complete();
        state = r.state;
        if done {
            break;
        }
        assert!(polls < 20, "{:?}", r.completeness);
    }
    assert_eq!(total, 20_000);
    assert_eq!(state.objects.len(), 20_000);
}

#[test]
fn the_account_probe_costs_one_request_for_every_calendar() {
    let server = common::Server::start("yandex_replay.sh", "yandex-account");
    let host = NativeHost::new();
    control(&server, "add_calendar?cal=events-1002&name=Home", "");
    control(&server, "add_calendar?cal=events-1003&name=Team", "");
    let c = || common::client(&host, USER, common::PASSWORD);
    let (principal, cals) = discover(&c(), &server.url).expect("discover");
    assert_eq!(cals.len(), 3);
    let mut states: Vec<CalendarState> = Vec::new();
    for cal in &cals {
        let r = sync(&c(), &CalendarState::new(&cal.url)).expect("initial");
        states.push(r.state);
    }
    // Idle poll: one request for all three calendars.
    let client = c();
    let probe = probe_account(&client, &principal.home_url).expect("probe");
    assert_eq!(client.stats().requests, 1);
    assert_eq!(probe.calendars.iter().filter(|c| c.events).count(), 3);
    for s in &states {
        let m = probe.markers_for(&s.url).expect("listed");
        assert!(!s.needs_sync(m));
    }
    // One calendar changes: only it syncs, without a probe of its own.
    control(
        &server,
        "put?cal=events-1002&name=x.ics",
        &ical("x", "20260105T100000Z", "X"),
    );
    let probe = probe_account(&c(), &principal.home_url).expect("probe");
    let moving: Vec<&CalendarState> = states
        .iter()
        .filter(|s| probe.markers_for(&s.url).is_some_and(|m| s.needs_sync(m)))
        .collect();
    assert_eq!(moving.len(), 1);
    assert!(moving[0].url.contains("events-1002"));
    let client = c();
    let req = SyncRequest {
        markers: probe.markers_for(&moving[0].url).cloned(),
        ..SyncRequest::new(window())
    };
    let r = sync_calendar(&client, moving[0], &req).expect("sync");
    assert_eq!(counts(&r), (1, 0, 0));
    assert_eq!(client.stats().requests, 2);
}

#[test]
fn redirects_to_another_origin_lose_the_credentials() {
    let a = common::Server::start("yandex_replay.sh", "yandex-a");
    let b = common::Server::start("yandex_replay.sh", "yandex-b");
    let host = NativeHost::new();
    let c = common::client(&host, USER, common::PASSWORD);
    control(&a, &format!("redirect?to={}&count=1", b.url), "");
    // B answers 401 without credentials; A's redirect must not hand them over.
    assert_eq!(
        check_credentials(&c, &a.url),
        Err(CalDavError::Unauthorized)
    );
    let s = stats(&b);
    assert_eq!(s["requests"], 1, "{s}");
    // Before: the Authorization header went along to the other origin.
    assert_eq!(s["last_auth"], false, "{s}");
    // A same-origin redirect keeps them.
    control(&a, &format!("redirect?to={}&count=1", a.url), "");
    assert!(check_credentials(&c, &a.url).is_ok());
    assert_eq!(stats(&a)["last_auth"], true);
}

#[test]
fn weak_etags_still_guard_writes() {
    let server = common::Server::start("yandex_replay.sh", "yandex-weak");
    let host = NativeHost::new();
    let c = || common::client(&host, USER, common::PASSWORD);
    control(&server, "weak_etags?on=1", "");
    put(&server, "w.ics", "w", "20260105T100000Z", "W");
    let r = sync(&c(), &CalendarState::new(cal_url(&server))).expect("sync");
    let meta = r.state.objects.values().next().expect("one object").clone();
    assert!(meta.etag.starts_with("W/"), "{meta:?}");
    // Before: `If-Match: W/"…"` — which never matches — so every RSVP was a conflict.
    let body = ical("w", "20260105T100000Z", "W accepted");
    assert!(put_if_match(&c(), &meta.url, &meta.etag, body.as_bytes()).is_ok());
    assert!(matches!(
        put_if_match(&c(), &meta.url, &meta.etag, body.as_bytes()),
        Err(CalDavError::Conflict { .. })
    ));
}

#[test]
fn timeouts_are_typed() {
    // A listener that accepts and never answers.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}/", listener.local_addr().expect("addr"));
    let host = NativeHost::new();
    let client = Client::new(
        &host,
        &NoSleep,
        Credentials::new(USER, "x"),
        ClientOptions {
            timeout_ms: 300,
            ..common::options()
        },
    );
    assert_eq!(check_credentials(&client, &url), Err(CalDavError::Timeout));
    drop(listener);
}
