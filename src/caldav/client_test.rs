//! Retries, redirects and status mapping of [`Client`], against the fake host.

use std::cell::RefCell;

use super::client::Client;
use super::retry::{NoSleep, Sleeper};
use super::{CalDavError, ClientOptions, Credentials};
use crate::bindings::types::{Header, HttpError, HttpMethod, HttpResponse};
use crate::host::fake::FakeHost;

/// Sleeping moves the fake clock, so budgets are checked without waiting.
struct ClockSleep<'a>(&'a FakeHost, RefCell<Vec<u64>>);

impl Sleeper for ClockSleep<'_> {
    fn sleep_ms(&self, ms: u64) -> bool {
        self.1.borrow_mut().push(ms);
        self.0.now_ms.set(self.0.now_ms.get() + ms as i64);
        true
    }
}

fn resp(status: u16, headers: &[(&str, &str)]) -> HttpResponse {
    HttpResponse {
        status,
        headers: headers
            .iter()
            .map(|(n, v)| Header {
                name: (*n).into(),
                value: (*v).into(),
            })
            .collect(),
        body: b"<multistatus xmlns=\"DAV:\"/>".to_vec(),
    }
}

/// Answers from a script, one entry per request; the last one repeats.
fn scripted(host: &FakeHost, script: Vec<Result<HttpResponse, HttpError>>) {
    let script = RefCell::new(script);
    host.respond_with(move |_| {
        let mut s = script.borrow_mut();
        if s.len() > 1 {
            s.remove(0)
        } else {
            s[0].clone()
        }
    });
}

fn propfind(host: &FakeHost, sleep: &ClockSleep<'_>) -> (Result<HttpResponse, CalDavError>, u32) {
    let c = Client::new(
        host,
        sleep,
        Credentials::new("u@yandex.ru", "app-password"),
        ClientOptions::default(),
    );
    let r = c.send(HttpMethod::Propfind, "https://dav.example/", &[], b"");
    (r, c.stats().requests)
}

#[test]
fn gateway_timeouts_are_retried_with_growing_jittered_waits() {
    let host = FakeHost::new();
    let sleep = ClockSleep(&host, RefCell::default());
    scripted(
        &host,
        vec![Ok(resp(504, &[])), Ok(resp(504, &[])), Ok(resp(207, &[]))],
    );
    let (r, n) = propfind(&host, &sleep);
    assert_eq!(r.map(|r| r.status), Ok(207));
    assert_eq!(n, 3);
    let waits = sleep.1.borrow().clone();
    assert_eq!(waits.len(), 2);
    assert!((250..=500).contains(&waits[0]) && (500..=1000).contains(&waits[1]));
}

#[test]
fn retry_after_beyond_the_budget_gives_up_at_once_with_the_hint() {
    let host = FakeHost::new();
    let sleep = ClockSleep(&host, RefCell::default());
    scripted(&host, vec![Ok(resp(429, &[("Retry-After", "120")]))]);
    let (r, n) = propfind(&host, &sleep);
    assert_eq!(
        r,
        Err(CalDavError::ServerBusy {
            status: 429,
            retry_after_ms: Some(120_000)
        })
    );
    assert_eq!(n, 1);
    assert!(sleep.1.borrow().is_empty());
}

#[test]
fn retry_after_within_the_budget_is_honoured() {
    let host = FakeHost::new();
    let sleep = ClockSleep(&host, RefCell::default());
    scripted(
        &host,
        vec![Ok(resp(503, &[("retry-after", "2")])), Ok(resp(207, &[]))],
    );
    let (r, _) = propfind(&host, &sleep);
    assert!(r.is_ok());
    assert_eq!(*sleep.1.borrow(), vec![2_000]);
}

#[test]
fn timeouts_retry_then_surface_typed() {
    let host = FakeHost::new();
    let sleep = ClockSleep(&host, RefCell::default());
    scripted(&host, vec![Err(HttpError::Timeout)]);
    let (r, n) = propfind(&host, &sleep);
    assert_eq!(r, Err(CalDavError::Timeout));
    assert_eq!(n, 4);
}

#[test]
fn no_retry_on_507_or_transport_errors_and_401_is_unauthorized() {
    let host = FakeHost::new();
    let sleep = ClockSleep(&host, RefCell::default());
    scripted(&host, vec![Ok(resp(507, &[]))]);
    assert_eq!(propfind(&host, &sleep).1, 1);
    scripted(&host, vec![Err(HttpError::Tls("bad cert".into()))]);
    assert_eq!(
        propfind(&host, &sleep).0,
        Err(CalDavError::Tls("bad cert".into()))
    );
    scripted(&host, vec![Err(HttpError::TooLarge(10))]);
    assert_eq!(
        propfind(&host, &sleep).0,
        Err(CalDavError::TooLarge { limit: 10 })
    );
    scripted(&host, vec![Ok(resp(401, &[]))]);
    assert_eq!(propfind(&host, &sleep).0, Err(CalDavError::Unauthorized));
}

#[test]
fn redirects_are_followed_and_auth_is_basic() {
    let host = FakeHost::new();
    let sleep = ClockSleep(&host, RefCell::default());
    host.respond_with(|req| {
        Ok(if req.url.ends_with("/dav/") {
            resp(207, &[])
        } else {
            resp(301, &[("Location", "/dav/")])
        })
    });
    let (r, n) = propfind(&host, &sleep);
    assert_eq!(r.map(|r| r.status), Ok(207));
    assert_eq!(n, 2);
    let reqs = host.requests.borrow();
    assert_eq!(reqs[1].url, "https://dav.example/dav/");
    let auth = reqs[0]
        .headers
        .iter()
        .find(|h| h.name == "Authorization")
        .map(|h| h.value.clone());
    assert_eq!(
        auth.as_deref(),
        Some("Basic dUB5YW5kZXgucnU6YXBwLXBhc3N3b3Jk")
    );
}

#[test]
fn garbage_bodies_are_typed_errors() {
    let host = FakeHost::new();
    let sleep = ClockSleep(&host, RefCell::default());
    host.respond_with(|_| {
        Ok(HttpResponse {
            status: 207,
            headers: vec![],
            body: b"<html><body>hello".to_vec(),
        })
    });
    let c = Client::new(
        &host,
        &sleep,
        Credentials::new("u", "p"),
        ClientOptions::default(),
    );
    assert!(matches!(
        c.propfind("https://dav.example/", "0", ""),
        Err(CalDavError::BadResponse(_))
    ));
}

#[test]
fn a_caller_that_cannot_wait_gets_one_request_and_the_hint() {
    // Before: NoSleep "slept" 0 ms and retried at once, 4 requests in a row on one 504.
    let host = FakeHost::new();
    scripted(&host, vec![Ok(resp(504, &[("Retry-After", "30")]))]);
    let c = Client::new(
        &host,
        &NoSleep,
        Credentials::new("u@yandex.ru", "p"),
        ClientOptions::default(),
    );
    let r = c.send(HttpMethod::Report, "https://dav.example/cal/", &[], b"");
    assert_eq!(
        r,
        Err(CalDavError::ServerBusy {
            status: 504,
            retry_after_ms: Some(30_000)
        })
    );
    assert_eq!(c.stats().requests, 1);
}

fn auth_of(req: &crate::bindings::types::HttpRequest) -> Option<String> {
    req.headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case("authorization"))
        .map(|h| h.value.clone())
}

#[test]
fn credentials_never_follow_a_redirect_off_their_origin() {
    for (target, kept) in [
        ("https://dav.example/other/", true),
        ("https://elsewhere.example/dav/", false),
        ("http://dav.example/dav/", false),
        ("https://dav.example:8443/dav/", false),
    ] {
        let host = FakeHost::new();
        let sleep = ClockSleep(&host, RefCell::default());
        let first = "https://dav.example/".to_string();
        let to = target.to_string();
        host.respond_with(move |req| {
            Ok(if req.url == first {
                resp(302, &[("Location", &to)])
            } else {
                resp(207, &[])
            })
        });
        let (r, n) = propfind(&host, &sleep);
        assert!(r.is_ok());
        assert_eq!(n, 2);
        let reqs = host.requests.borrow();
        assert!(auth_of(&reqs[0]).is_some());
        assert_eq!(auth_of(&reqs[1]).is_some(), kept, "redirect to {target}");
    }
}

#[test]
fn retry_jitter_differs_between_users_failing_together() {
    let waits = |login: &str| {
        let host = FakeHost::new();
        let sleep = ClockSleep(&host, RefCell::default());
        scripted(&host, vec![Ok(resp(503, &[])), Ok(resp(207, &[]))]);
        let c = Client::new(
            &host,
            &sleep,
            Credentials::new(login, "p"),
            ClientOptions::default(),
        );
        let _ = c.send(HttpMethod::Propfind, "https://dav.example/", &[], b"");
        let w = sleep.1.borrow().clone();
        w
    };
    let all: std::collections::BTreeSet<Vec<u64>> = (0..8)
        .map(|i| waits(&format!("user{i}@yandex.ru")))
        .collect();
    // Before: the seed was the clock and the URL only, so every user waited the same.
    assert!(all.len() > 4, "{all:?}");
}
