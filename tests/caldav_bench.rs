//! Benchmark (ignored by default; run by tests/bench/caldav.sh): what one poll costs with
//! incremental sync, side by side in one run:
//! - a 500-event calendar: unchanged, one event changed, one deleted, versus re-reading
//!   the next 30 days with a time-range calendar-query every poll (the original service);
//! - a user with 3 calendars, idle: one probe per calendar versus the account-level probe;
//! - the initial sync of a 20,000-object Yandex calendar, over polls of 25 requests.

mod common;

use std::io::{Read, Write};

use yandex_calendar::caldav::{bodies, time, Client, ClientOptions, Credentials, NoSleep, Stats};
use yandex_calendar::host::native::NativeHost;
use yandex_calendar::host::Clock;
use yandex_calendar::ical::Window;
use yandex_calendar::sync::{
    probe, probe_account, sync_calendar, CalendarState, SyncMethod, SyncRequest,
};

const USER: &str = "user@yandex.ru";

fn control(server: &common::Server, what: &str, body: &str) {
    let addr = server
        .url
        .trim_start_matches("http://")
        .trim_end_matches('/');
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    write!(
        s,
        "POST /_control/{what} HTTP/1.0\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .expect("write");
    let mut a = String::new();
    s.read_to_string(&mut a).expect("read");
    assert!(a.contains(" 200 "), "{what}: {a}");
}

/// A realistic Yandex-sized event (inline VTIMEZONE, attendees, description).
fn event(i: usize, start_ms: i64, summary: &str) -> String {
    let start = time::ical_utc(start_ms);
    let end = time::ical_utc(start_ms + 3_600_000);
    let attendees: String = (0..4)
        .map(|a| format!("ATTENDEE;PARTSTAT=ACCEPTED;CN=Person {a}:mailto:p{a}@yandex.ru\r\n"))
        .collect();
    format!(
        "BEGIN:VCALENDAR\r\nPRODID:-//Yandex LLC//Yandex Calendar//EN\r\nVERSION:2.0\r\n\
         BEGIN:VTIMEZONE\r\nTZID:Europe/Moscow\r\nBEGIN:STANDARD\r\nTZOFFSETFROM:+0300\r\n\
         TZOFFSETTO:+0300\r\nTZNAME:MSK\r\nDTSTART:19700101T000000\r\nEND:STANDARD\r\n\
         END:VTIMEZONE\r\nBEGIN:VEVENT\r\nUID:ev{i}yandex.ru\r\nDTSTART:{start}\r\n\
         DTEND:{end}\r\nSUMMARY:{summary}\r\nDESCRIPTION:Agenda for meeting {i}: status\\, \
         plans\\, risks.\r\nURL:https://calendar.yandex.ru/event?event_id={i}\r\n\
         X-TELEMOST-CONFERENCE:https://telemost.yandex.ru/j/{i:010}\r\n{attendees}\
         ORGANIZER;CN=Boss:mailto:boss@yandex.ru\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
}

fn cost(s: Stats) -> (u32, u64) {
    (s.requests, s.bytes_received)
}

/// A hook-style client: never waits, 25 requests per sync.
fn hook_client(host: &NativeHost) -> Client<'_, NativeHost> {
    Client::new(
        host,
        &NoSleep,
        Credentials::new(USER, common::PASSWORD),
        common::options(),
    )
}

fn now_window(host: &NativeHost) -> (i64, Window) {
    let now = host.now_ms();
    let at = chrono::DateTime::from_timestamp_millis(now).unwrap_or_default();
    (now, Window::around(at, 30, 365))
}

#[test]
#[ignore = "benchmark: run tests/bench/caldav.sh"]
fn bench_poll_cost() {
    // A line of its own: the test harness prints its "test …" prefix on the first one.
    println!();
    let small = measure(50);
    let large = measure(500);
    assert_eq!(
        small.0, large.0,
        "one changed event must cost the same number of requests at any calendar size"
    );
    idle_account();
    big_initial_sync();
}

/// Returns the (requests, bytes) of a one-change poll.
fn measure(events: usize) -> (u32, u64) {
    let server = common::Server::start("yandex_replay.sh", "bench");
    control(&server, "strict_range?on=1", "");
    let host = NativeHost::new();
    let (now, window) = now_window(&host);
    // Spread over a year, so ~1/12 of the events fall in the next 30 days.
    let start_of = |i: usize| now + (i as i64 * 365 * 86_400_000) / events as i64 + 3_600_000;
    for i in 0..events {
        control(
            &server,
            &format!("put?cal=events-1001&name=ev{i}.ics"),
            &event(i, start_of(i), &format!("Meeting {i}")),
        );
    }
    let cal = format!("{}calendars/user%40yandex.ru/events-1001/", server.url);
    let req = SyncRequest {
        max_requests: 1000,
        ..SyncRequest::new(window)
    };

    let c = hook_client(&host);
    let first = sync_calendar(&c, &CalendarState::new(&cal), &req).expect("initial");
    assert_eq!(first.added.len(), events);
    let initial = cost(c.stats());
    let state = first.state;

    let c = hook_client(&host);
    let r = sync_calendar(&c, &state, &req).expect("unchanged");
    assert!(r.is_empty());
    let unchanged = cost(c.stats());
    assert_eq!(
        unchanged.0, 1,
        "an unchanged calendar costs exactly one request"
    );

    control(
        &server,
        "put?cal=events-1001&name=ev7.ics",
        &event(7, start_of(7) + 1_800_000, "Meeting 7 moved"),
    );
    let c = hook_client(&host);
    let r = sync_calendar(&c, &state, &req).expect("one change");
    assert_eq!(r.changed.len(), 1);
    assert_eq!(r.method, SyncMethod::SyncCollection);
    let changed = cost(c.stats());
    let state = r.state;

    control(&server, "delete?cal=events-1001&name=ev8.ics", "");
    let c = hook_client(&host);
    let r = sync_calendar(&c, &state, &req).expect("one deletion");
    assert_eq!(r.removed.len(), 1);
    let deleted = cost(c.stats());

    // Baseline: the next 30 days with bodies, every poll, changed or not.
    let c = hook_client(&host);
    let q = bodies::calendar_query(
        &time::ical_utc(now),
        &time::ical_utc(now + 30 * 86_400_000),
        true,
    );
    let ms = c.report(&cal, "1", &q).expect("baseline query");
    let baseline = cost(c.stats());
    let in_window = ms.responses.len();

    // The same baseline on a server that ignores the range, as Yandex does.
    control(&server, "strict_range?on=0", "");
    let big = ClientOptions {
        max_response_bytes: 64 << 20,
        ..common::options()
    };
    let c2 = Client::new(
        &host,
        &NoSleep,
        Credentials::new(USER, common::PASSWORD),
        big,
    );
    c2.report(&cal, "1", &q).expect("yandex-style baseline");
    let yandex_baseline = cost(c2.stats());

    let ratio = |b: (u32, u64), x: (u32, u64)| b.1 as f64 / x.1.max(1) as f64;
    println!("caldav poll cost, calendar of {events} events ({in_window} in the next 30 days)");
    println!("{:<46} {:>8} {:>10}", "poll", "requests", "bytes");
    for (name, c) in [
        ("initial sync (once)", initial),
        ("incremental, unchanged", unchanged),
        ("incremental, one event changed", changed),
        ("incremental, one event deleted (confirmed)", deleted),
        ("baseline: 30-day calendar-query", baseline),
        ("baseline on Yandex (range ignored)", yandex_baseline),
    ] {
        println!("{name:<46} {:>8} {:>10}", c.0, c.1);
    }
    println!(
        "bytes ratio baseline/unchanged = {:.1}x, baseline/one-change = {:.1}x; \
         Yandex-style baseline/unchanged = {:.1}x, /one-change = {:.1}x",
        ratio(baseline, unchanged),
        ratio(baseline, changed),
        ratio(yandex_baseline, unchanged),
        ratio(yandex_baseline, changed)
    );
    println!(
        "BENCH {{\"events\":{events},\"unchanged\":[{},{}],\"one_change\":[{},{}],\"one_delete\":[{},{}],\"baseline\":[{},{}],\"yandex_baseline\":[{},{}],\"initial\":[{},{}]}}",
        unchanged.0, unchanged.1, changed.0, changed.1, deleted.0, deleted.1, baseline.0,
        baseline.1, yandex_baseline.0, yandex_baseline.1, initial.0, initial.1
    );
    changed
}

/// An idle user with 3 calendars: a probe per calendar versus one account-level probe.
fn idle_account() {
    let server = common::Server::start("yandex_replay.sh", "bench-account");
    control(&server, "add_calendar?cal=events-1002&name=Home", "");
    control(&server, "add_calendar?cal=events-1003&name=Team", "");
    let host = NativeHost::new();
    let home = format!("{}calendars/user%40yandex.ru/", server.url);
    let cals: Vec<String> = ["events-1001", "events-1002", "events-1003"]
        .iter()
        .map(|c| format!("{home}{c}/"))
        .collect();
    let c = hook_client(&host);
    for cal in &cals {
        probe(&c, cal).expect("probe");
    }
    let per_calendar = cost(c.stats());
    let c = hook_client(&host);
    let p = probe_account(&c, &home).expect("account probe");
    assert!(cals.iter().all(|cal| p.markers_for(cal).is_some()));
    let account = cost(c.stats());
    println!("idle poll of a user with 3 calendars");
    println!(
        "{:<46} {:>8} {:>10}",
        "one probe per calendar", per_calendar.0, per_calendar.1
    );
    println!(
        "{:<46} {:>8} {:>10}",
        "account-level probe", account.0, account.1
    );
    println!(
        "requests ratio per-calendar/account = {:.1}x",
        f64::from(per_calendar.0) / f64::from(account.0.max(1))
    );
    println!(
        "BENCH {{\"idle_3_calendars\":{{\"per_calendar\":[{},{}],\"account\":[{},{}]}}}}",
        per_calendar.0, per_calendar.1, account.0, account.1
    );
}

/// The initial sync of a 20,000-object Yandex calendar (the range is ignored, as Yandex
/// does), in hook-sized polls of 25 requests and multigets of 100.
fn big_initial_sync() {
    let server = common::Server::start("yandex_replay.sh", "bench-big");
    control(
        &server,
        "generate?cal=events-1001&count=20000&day=20260110",
        "",
    );
    let host = NativeHost::new();
    let (_, window) = now_window(&host);
    let cal = format!("{}calendars/user%40yandex.ru/events-1001/", server.url);
    let options = ClientOptions {
        multiget_chunk: 100,
        ..common::options()
    };
    let mut state = CalendarState::new(&cal);
    let (mut polls, mut requests, mut bytes, mut objects) = (0u32, 0u32, 0u64, 0usize);
    loop {
        polls += 1;
        let c = Client::new(
            &host,
            &NoSleep,
            Credentials::new(USER, common::PASSWORD),
            options,
        );
        let r = sync_calendar(&c, &state, &SyncRequest::new(window)).expect("big sync");
        requests += c.stats().requests;
        bytes += c.stats().bytes_received;
        objects += r.added.len();
        let done = r.is_complete();
        state = r.state;
        if done {
            break;
        }
    }
    assert_eq!(objects, 20_000);
    println!("initial sync of 20,000 objects: {polls} polls, {requests} requests, {bytes} bytes");
    println!(
        "BENCH {{\"initial_20000\":{{\"polls\":{polls},\"requests\":{requests},\"bytes\":{bytes}}}}}"
    );
}
