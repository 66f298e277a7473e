//! One CalDAV account's HTTP: authentication, retries within a budget, size limits,
//! redirects, and counting what each sync costs.
//!
//! Credentials go only to the origin they were given for: a redirect to another origin, or
//! from https to http, is followed without the `Authorization` header.

use std::cell::Cell;

use super::auth::Credentials;
use super::error::CalDavError;
use super::href;
use super::multistatus::{self, Multistatus};
use super::retry::{parse_retry_after, retryable_status, stable_hash, RetryPolicy, Sleeper};
use super::xml;
use crate::bindings::types::{Header, HttpError, HttpMethod, HttpRequest, HttpResponse};
use crate::host::{Clock, Http};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientOptions {
    pub timeout_ms: u32,
    /// Bodies with calendar data past this size fail with [`CalDavError::TooLarge`]; sync
    /// then splits the request, down to skipping (and reporting) one oversized object.
    pub max_response_bytes: u64,
    /// The limit for ETag listings (sync-collection, calendar-query without data): they
    /// grow with the calendar, ~250 bytes per object, and cannot be split.
    pub max_listing_bytes: u64,
    pub retry: RetryPolicy,
    /// Hrefs per calendar-multiget request.
    pub multiget_chunk: usize,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            timeout_ms: 30_000,
            max_response_bytes: 4 << 20,
            // A 20,000-object Yandex calendar lists in about 5 MB.
            max_listing_bytes: 32 << 20,
            retry: RetryPolicy::default(),
            multiget_chunk: 50,
        }
    }
}

/// What the requests of one client cost so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Stats {
    /// Every request sent, retries and redirects included.
    pub requests: u32,
    pub retries: u32,
    /// Response body bytes received.
    pub bytes_received: u64,
}

pub struct Client<'a, E: Http + Clock> {
    env: &'a E,
    sleeper: &'a dyn Sleeper,
    credentials: Credentials,
    options: ClientOptions,
    stats: Cell<Stats>,
}

const MAX_REDIRECTS: u32 = 3;

impl<'a, E: Http + Clock> Client<'a, E> {
    pub fn new(
        env: &'a E,
        sleeper: &'a dyn Sleeper,
        credentials: Credentials,
        options: ClientOptions,
    ) -> Self {
        Client {
            env,
            sleeper,
            credentials,
            options,
            stats: Cell::new(Stats::default()),
        }
    }

    pub fn options(&self) -> &ClientOptions {
        &self.options
    }

    pub fn stats(&self) -> Stats {
        self.stats.get()
    }

    pub fn now_ms(&self) -> i64 {
        self.env.now_ms()
    }

    /// Sends one request, following redirects and retrying transient failures. Any HTTP
    /// status comes back as `Ok` except 401, which is always [`CalDavError::Unauthorized`].
    pub fn send(
        &self,
        method: HttpMethod,
        url: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Result<HttpResponse, CalDavError> {
        self.send_limited(method, url, headers, body, self.options.max_response_bytes)
    }

    /// [`Client::send`] with an explicit response size limit.
    pub fn send_limited(
        &self,
        method: HttpMethod,
        url: &str,
        headers: &[(&str, &str)],
        body: &[u8],
        max_bytes: u64,
    ) -> Result<HttpResponse, CalDavError> {
        let mut url = url.to_string();
        // Once a redirect leaves the origin the credentials were given for, they stay off.
        let mut with_auth = true;
        for _ in 0..=MAX_REDIRECTS {
            let request = self.request(method, &url, headers, body, max_bytes, with_auth);
            let resp = self.send_with_retries(&request)?;
            if matches!(resp.status, 301 | 302 | 303 | 307 | 308) {
                if let Some(location) = header(&resp, "location") {
                    let next = href::resolve(&url, location);
                    with_auth &= href::same_origin(&url, &next);
                    url = next;
                    continue;
                }
            }
            if resp.status == 401 {
                return Err(CalDavError::Unauthorized);
            }
            return Ok(resp);
        }
        Err(CalDavError::BadResponse(format!(
            "more than {MAX_REDIRECTS} redirects"
        )))
    }

    fn send_with_retries(&self, request: &HttpRequest) -> Result<HttpResponse, CalDavError> {
        let policy = self.options.retry;
        let started = self.env.now_ms();
        // Seeded with the login, so users who fail together do not retry together.
        let user_seed = stable_hash(self.credentials.login());
        let mut attempt = 0u32;
        loop {
            let result = self.env.send(request);
            self.count(&result, attempt > 0);
            let (wait_hint, failure) = match result {
                Ok(resp) if retryable_status(resp.status) => {
                    let hint = header(&resp, "retry-after")
                        .and_then(|v| parse_retry_after(v, self.env.now_ms()));
                    (
                        hint,
                        CalDavError::ServerBusy {
                            status: resp.status,
                            retry_after_ms: hint,
                        },
                    )
                }
                Ok(resp) => return Ok(resp),
                Err(HttpError::Timeout) => (None, CalDavError::Timeout),
                Err(e) => return Err(e.into()),
            };
            let seed = user_seed ^ (self.env.now_ms() as u64) ^ stable_hash(&request.url);
            let wait = wait_hint.unwrap_or_else(|| policy.delay_ms(attempt, seed));
            let elapsed = self.env.now_ms().saturating_sub(started).max(0) as u64;
            attempt += 1;
            if attempt >= policy.max_attempts
                || elapsed.saturating_add(wait) > policy.budget_ms
                || wait > policy.max_delay_ms.max(policy.budget_ms)
                || !self.sleeper.sleep_ms(wait)
            {
                return Err(failure);
            }
        }
    }

    fn request(
        &self,
        method: HttpMethod,
        url: &str,
        headers: &[(&str, &str)],
        body: &[u8],
        max_bytes: u64,
        with_auth: bool,
    ) -> HttpRequest {
        let mut all = Vec::new();
        if with_auth {
            all.push(Header {
                name: "Authorization".into(),
                value: self.credentials.basic_header(),
            });
        }
        if !body.is_empty()
            && !headers
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case("content-type"))
        {
            // Xandikos refuses PROPFIND/REPORT bodies without it.
            all.push(Header {
                name: "Content-Type".into(),
                value: "application/xml; charset=utf-8".into(),
            });
        }
        all.extend(headers.iter().map(|(n, v)| Header {
            name: (*n).into(),
            value: (*v).into(),
        }));
        HttpRequest {
            method,
            url: url.to_string(),
            headers: all,
            body: body.to_vec(),
            timeout_ms: self.options.timeout_ms,
            max_response_bytes: max_bytes,
        }
    }

    fn count(&self, result: &Result<HttpResponse, HttpError>, retry: bool) {
        let mut s = self.stats.get();
        s.requests += 1;
        if retry {
            s.retries += 1;
        }
        if let Ok(resp) = result {
            s.bytes_received += resp.body.len() as u64;
        }
        self.stats.set(s);
    }

    /// PROPFIND expecting a 207 multistatus.
    pub fn propfind(&self, url: &str, depth: &str, body: &str) -> Result<Multistatus, CalDavError> {
        self.multistatus(HttpMethod::Propfind, url, depth, body, Size::Data)
    }

    /// REPORT expecting a 207 multistatus (with calendar data: the smaller size limit).
    pub fn report(&self, url: &str, depth: &str, body: &str) -> Result<Multistatus, CalDavError> {
        self.multistatus(HttpMethod::Report, url, depth, body, Size::Data)
    }

    /// REPORT of ETags only, under the larger listing limit.
    pub fn report_listing(
        &self,
        url: &str,
        depth: &str,
        body: &str,
    ) -> Result<Multistatus, CalDavError> {
        self.multistatus(HttpMethod::Report, url, depth, body, Size::Listing)
    }

    /// PROPFIND of properties only (e.g. a calendar home), under the listing limit.
    pub fn propfind_listing(
        &self,
        url: &str,
        depth: &str,
        body: &str,
    ) -> Result<Multistatus, CalDavError> {
        self.multistatus(HttpMethod::Propfind, url, depth, body, Size::Listing)
    }

    fn multistatus(
        &self,
        method: HttpMethod,
        url: &str,
        depth: &str,
        body: &str,
        size: Size,
    ) -> Result<Multistatus, CalDavError> {
        let resp = self.send_limited(
            method,
            url,
            &[("Depth", depth)],
            body.as_bytes(),
            self.limit(size),
        )?;
        expect_multistatus(url, &resp)
    }

    /// The response size limit for a kind of answer.
    pub fn limit(&self, size: Size) -> u64 {
        match size {
            Size::Data => self.options.max_response_bytes,
            Size::Listing => self
                .options
                .max_listing_bytes
                .max(self.options.max_response_bytes),
        }
    }
}

/// Which size limit an answer falls under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    /// Carries calendar data: bounded by [`ClientOptions::max_response_bytes`].
    Data,
    /// ETags and properties only: bounded by [`ClientOptions::max_listing_bytes`].
    Listing,
}

/// A header's value by case-insensitive name.
pub fn header<'r>(resp: &'r HttpResponse, name: &str) -> Option<&'r str> {
    resp.headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case(name))
        .map(|h| h.value.as_str())
}

/// Turns a non-207 status into the matching error; parses a 207 body.
pub fn expect_multistatus(url: &str, resp: &HttpResponse) -> Result<Multistatus, CalDavError> {
    match resp.status {
        207 => Ok(multistatus::parse(&resp.body)?),
        status => Err(status_error(url, resp, status)),
    }
}

pub fn status_error(url: &str, resp: &HttpResponse, status: u16) -> CalDavError {
    match status {
        401 => CalDavError::Unauthorized,
        404 | 410 => CalDavError::NotFound { url: url.into() },
        403 if precondition(&resp.body).is_none() => CalDavError::Forbidden { url: url.into() },
        412 => CalDavError::Conflict { url: url.into() },
        s if retryable_status(s) => CalDavError::ServerBusy {
            status: s,
            retry_after_ms: None,
        },
        s => CalDavError::UnexpectedStatus {
            status: s,
            url: url.into(),
            condition: precondition(&resp.body),
        },
    }
}

/// The first precondition element of a `DAV:error` body, e.g. `valid-sync-token`.
pub fn precondition(body: &[u8]) -> Option<String> {
    let root = xml::parse(body).ok()?;
    if !root.is(xml::DAV, "error") {
        return None;
    }
    root.children.first().map(|c| c.name.clone())
}
