//! Sync against tests/servers/yandex_replay.py, which answers like caldav.yandex.ru.

mod common;

use yandex_calendar::caldav::{
    check_credentials, discover, put_if_match, CalDavError, ClientOptions,
};
use yandex_calendar::host::native::NativeHost;
use yandex_calendar::host::Clock;
use yandex_calendar::sync::{sync_calendar, CalendarState, SyncMethod, TimeRange};

const USER: &str = "user@yandex.ru";

/// POSTs to the replay server's control API over a raw socket (no client needed).
fn control(server: &common::Server, what: &str, body: &str) {
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

#[test]
fn yandex_quirks() {
    let server = common::Server::start("yandex_replay.sh", "yandex");
    let host = NativeHost::new();
    let window = TimeRange::around(host.now_ms(), 30, 30);
    let c = || common::client(&host, USER, common::PASSWORD);

    // Discovery from `/`: event calendars only, hrefs with %40 resolved.
    let client = c();
    let (principal, cals) = discover(&client, &server.url).expect("discover");
    assert!(principal.home_url.ends_with("/calendars/user%40yandex.ru/"));
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
    let r = sync_calendar(&client, &CalendarState::new(&cal.url), window).expect("initial");
    assert_eq!(r.method, SyncMethod::FullQuery);
    assert_eq!(r.added.len(), 2);
    let state = r.state;
    assert!(state.objects.values().all(|o| !o.etag.starts_with('"')));

    let client = c();
    let r = sync_calendar(&client, &state, window).expect("unchanged");
    assert_eq!(
        (r.method, client.stats().requests),
        (SyncMethod::Unchanged, 1)
    );

    // A change reported with a plain `@` href is a change, not an add plus a removal;
    // a deletion arrives as a 404 propstat that still carries getetag.
    put(
        &server,
        "a1%40yandex.ru.ics",
        "a1",
        "20260105T120000Z",
        "A1 moved",
    );
    control(&server, "delete?cal=events-1001&name=old.ics", "");
    let client = c();
    let r = sync_calendar(&client, &state, window).expect("delta");
    assert_eq!(r.method, SyncMethod::SyncCollection);
    assert_eq!((r.added.len(), r.changed.len(), r.removed.len()), (0, 1, 1));
    assert!(r.changed[0].data.contains("A1 moved"));
    assert!(r.removed[0].ends_with("/old.ics"));
    assert_eq!(client.stats().requests, 3);
    let state = r.state;

    // A burst of 504s is retried within the budget.
    put(&server, "b.ics", "b", "20260106T100000Z", "B");
    control(&server, "fail?status=504&count=2", "");
    let client = c();
    let r = sync_calendar(&client, &state, window).expect("after 504 burst");
    assert_eq!(r.added.len(), 1);
    assert_eq!(client.stats().retries, 2);
    let state = r.state;

    // A longer outage ends in a typed error carrying Retry-After, not a hang or a panic.
    control(&server, "fail?status=503&count=10&retry_after=1", "");
    let client = c();
    match sync_calendar(&client, &state, window) {
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
    let r = sync_calendar(&client, &state, window).expect("stale token");
    assert_eq!(r.method, SyncMethod::FullQuery);
    assert_eq!((r.added.len(), r.changed.len(), r.removed.len()), (1, 0, 0));
    let state = r.state;

    // sync-collection without a token is 507 on Yandex: also a fallback, never an error.
    let mut tokenless = state.clone();
    tokenless.sync_token = Some(String::new());
    tokenless.ctag = None;
    let client = c();
    let r = sync_calendar(&client, &tokenless, window).expect("507 fallback");
    assert_eq!(r.method, SyncMethod::FullQuery);
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

    // Response size limit.
    let small = yandex_calendar::caldav::Client::new(
        &host,
        &yandex_calendar::caldav::NoSleep,
        yandex_calendar::caldav::Credentials::new(USER, common::PASSWORD),
        ClientOptions {
            max_response_bytes: 200,
            ..common::options()
        },
    );
    assert_eq!(
        sync_calendar(&small, &CalendarState::new(&cal.url), window).map(|r| r.method),
        Err(CalDavError::TooLarge { limit: 200 })
    );

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
        sync_calendar(&c(), &state, window),
        Err(CalDavError::NotFound { .. })
    ));
}

#[test]
fn timeouts_are_typed() {
    // A listener that accepts and never answers.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}/", listener.local_addr().expect("addr"));
    let host = NativeHost::new();
    let client = yandex_calendar::caldav::Client::new(
        &host,
        &yandex_calendar::caldav::NoSleep,
        yandex_calendar::caldav::Credentials::new(USER, "x"),
        ClientOptions {
            timeout_ms: 300,
            ..common::options()
        },
    );
    assert_eq!(check_credentials(&client, &url), Err(CalDavError::Timeout));
    drop(listener);
}
