//! Benchmark (ignored by default; run by tests/bench/caldav.sh): what one poll of a
//! 500-event calendar costs with incremental sync, versus re-reading the next 30 days
//! with a time-range calendar-query every poll (what the original service did).

mod common;

use std::io::{Read, Write};

use yandex_calendar::caldav::{bodies, time, ClientOptions, Stats};
use yandex_calendar::host::native::NativeHost;
use yandex_calendar::host::Clock;
use yandex_calendar::sync::{sync_calendar, CalendarState, TimeRange};

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

#[test]
#[ignore = "benchmark: run tests/bench/caldav.sh"]
fn bench_poll_cost() {
    let small = measure(50);
    let large = measure(500);
    assert_eq!(
        small.0, large.0,
        "one changed event must cost the same number of requests at any calendar size"
    );
}

/// Returns the (requests, bytes) of a one-change poll.
fn measure(events: usize) -> (u32, u64) {
    let server = common::Server::start("yandex_replay.sh", "bench");
    control(&server, "strict_range?on=1", "");
    let host = NativeHost::new();
    let now = host.now_ms();
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
    let client = || common::client(&host, USER, common::PASSWORD);
    let window = TimeRange::around(now, 30, 365);

    let c = client();
    let first = sync_calendar(&c, &CalendarState::new(&cal), window).expect("initial");
    assert_eq!(first.added.len(), events);
    let initial = cost(c.stats());
    let state = first.state;

    let c = client();
    let r = sync_calendar(&c, &state, window).expect("unchanged");
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
    let c = client();
    let r = sync_calendar(&c, &state, window).expect("one change");
    assert_eq!(r.changed.len(), 1);
    let changed = cost(c.stats());

    // Baseline: the next 30 days with bodies, every poll, changed or not.
    let c = client();
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
    let c = client();
    let big = ClientOptions {
        max_response_bytes: 64 << 20,
        ..common::options()
    };
    let c2 = yandex_calendar::caldav::Client::new(
        &host,
        &yandex_calendar::caldav::NoSleep,
        yandex_calendar::caldav::Credentials::new(USER, common::PASSWORD),
        big,
    );
    drop(c);
    c2.report(&cal, "1", &q).expect("yandex-style baseline");
    let yandex_baseline = cost(c2.stats());

    let ratio = |b: (u32, u64), x: (u32, u64)| b.1 as f64 / x.1.max(1) as f64;
    println!("caldav poll cost, calendar of {events} events ({in_window} in the next 30 days)");
    println!("{:<46} {:>8} {:>10}", "poll", "requests", "bytes");
    for (name, c) in [
        ("initial sync (once)", initial),
        ("incremental, unchanged", unchanged),
        ("incremental, one event changed", changed),
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
        "BENCH {{\"events\":{events},\"unchanged\":[{},{}],\"one_change\":[{},{}],\"baseline\":[{},{}],\"yandex_baseline\":[{},{}],\"initial\":[{},{}]}}",
        unchanged.0, unchanged.1, changed.0, changed.1, baseline.0, baseline.1,
        yandex_baseline.0, yandex_baseline.1, initial.0, initial.1
    );
    changed
}
