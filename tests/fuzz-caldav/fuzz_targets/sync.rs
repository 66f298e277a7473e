//! Any sequence of server answers to a sync (split at 0xFF bytes, one per request; the
//! first byte of each picks the status): the sync never panics, never reports an object it
//! did not know as removed, never reports a known object removed unless a multiget answer
//! named it with 404, and its state stays serialisable.
#![no_main]

use std::cell::RefCell;
use std::rc::Rc;

use libfuzzer_sys::fuzz_target;
use yandex_calendar::bindings::types::HttpResponse;
use yandex_calendar::caldav::{href, Client, ClientOptions, Credentials, NoSleep};
use yandex_calendar::host::fake::FakeHost;
use yandex_calendar::ical::Window;
use yandex_calendar::sync::{sync_calendar, CalendarState, Markers, ObjectMeta, SyncRequest};

const CAL: &str = "https://caldav.example/cal/";
const STATUSES: [u16; 8] = [207, 207, 207, 207, 404, 403, 504, 507];

fuzz_target!(|data: &[u8]| {
    let answers: Vec<Vec<u8>> = data.split(|b| *b == 0xFF).map(<[u8]>::to_vec).collect();
    let answers = Rc::new(RefCell::new(answers.into_iter()));
    // Every 404 a multiget answer gave, by normalised href.
    let said_gone: Rc<RefCell<Vec<String>>> = Rc::default();
    let host = FakeHost::new();
    let (a, g) = (answers.clone(), said_gone.clone());
    host.respond_with(move |req| {
        let next = a.borrow_mut().next().unwrap_or_default();
        let (status, body) = match next.split_first() {
            Some((s, rest)) => (STATUSES[usize::from(*s) % STATUSES.len()], rest.to_vec()),
            None => (207, Vec::new()),
        };
        if String::from_utf8_lossy(&req.body).contains("calendar-multiget") {
            if let Ok(ms) = yandex_calendar::caldav::multistatus::parse(&body) {
                g.borrow_mut().extend(
                    ms.responses
                        .iter()
                        .filter(|r| r.is_gone())
                        .map(|r| href::key_in(CAL, &r.href)),
                );
            }
        }
        Ok(HttpResponse {
            status,
            headers: vec![],
            body,
        })
    });
    let mut state = CalendarState::new(CAL);
    state.synced = Some(Markers {
        ctag: Some("1".into()),
        token: Some("t1".into()),
    });
    for name in ["a.ics", "b@x.ics", "c%20d.ics"] {
        let key = href::normalize(&format!("/cal/{name}"));
        state.objects.insert(
            key,
            ObjectMeta {
                url: format!("{CAL}{name}"),
                etag: "1".into(),
                problem: None,
            },
        );
    }
    let client = Client::new(
        &host,
        &NoSleep,
        Credentials::new("u", "p"),
        ClientOptions::default(),
    );
    let window = Window {
        from: chrono::DateTime::UNIX_EPOCH,
        to: chrono::DateTime::UNIX_EPOCH + chrono::Duration::days(30),
    };
    if let Ok(r) = sync_calendar(&client, &state, &SyncRequest::new(window)) {
        for removed in &r.removed {
            assert!(
                state.objects.contains_key(&removed.key),
                "{removed:?} was never known"
            );
            assert!(
                said_gone.borrow().contains(&removed.key),
                "{removed:?} removed without a 404"
            );
        }
        assert!(r.state.to_json().is_ok());
    }
});
