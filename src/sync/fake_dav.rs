//! A small in-memory CalDAV collection answering the way Yandex does, behind the fake
//! host, with knobs for every misbehaviour the engine must survive. Test-only.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use crate::bindings::types::{HttpError, HttpMethod, HttpRequest, HttpResponse};
use crate::host::fake::FakeHost;

pub const CAL: &str = "https://dav.example/calendars/u%40yandex.ru/events-1/";
const PATH: &str = "/calendars/u%40yandex.ru/events-1/";
const PLAIN_PATH: &str = "/calendars/u@yandex.ru/events-1/";

#[derive(Default)]
pub struct Knobs {
    /// Left out of multiget answers.
    pub omit: BTreeSet<String>,
    /// Answered without calendar-data.
    pub no_data: BTreeSet<String>,
    /// Answered with a per-item 500 in listings.
    pub item_error: BTreeSet<String>,
    /// The listing answers only these names and marks itself truncated (507).
    pub truncate_listing_to: Option<BTreeSet<String>>,
    /// The listing leaves these out although they exist (e.g. outside the window).
    pub unlisted: BTreeSet<String>,
    /// Multiget answers 404 for hrefs spelled with a raw `@` (Yandex).
    pub strict_at: bool,
    /// sync-collection pages: at most this many items per answer (507 + token for more).
    pub page: Option<usize>,
    /// The n-th request from now on (0-based) fails with this status, once.
    pub fail_request: Option<(usize, u16)>,
    /// Refuse sync-collection with Depth other than 0 (RFC 6578 §3.2).
    pub strict_depth: bool,
    /// Refuse every token (403 valid-sync-token).
    pub refuse_tokens: bool,
}

#[derive(Default)]
pub struct Dav {
    /// name → (version, ics)
    pub objects: BTreeMap<String, (u64, String)>,
    /// (version, name, deleted)
    log: Vec<(u64, String, bool)>,
    clock: u64,
    pub knobs: Knobs,
    pub requests: Vec<HttpRequest>,
}

pub type Shared = Rc<RefCell<Dav>>;

pub fn ics(uid: &str, start: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:{uid}\r\nDTSTART:{start}\r\nSUMMARY:{uid}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
}

impl Dav {
    pub fn put(&mut self, name: &str, ics: &str) {
        self.clock += 1;
        self.objects.insert(name.into(), (self.clock, ics.into()));
        self.log.push((self.clock, name.into(), false));
    }

    pub fn delete(&mut self, name: &str) {
        self.clock += 1;
        self.objects.remove(name);
        self.log.push((self.clock, name.into(), true));
    }

    fn ctag(&self) -> u64 {
        self.log.last().map_or(0, |e| e.0)
    }

    fn answer(&mut self, req: &HttpRequest) -> Result<HttpResponse, HttpError> {
        let n = self.requests.len();
        self.requests.push(req.clone());
        if let Some((at, status)) = self.knobs.fail_request {
            if at == n {
                self.knobs.fail_request = None;
                return Ok(status_only(status));
            }
        }
        let body = String::from_utf8_lossy(&req.body).to_string();
        let depth = req
            .headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case("depth"))
            .map(|h| h.value.clone())
            .unwrap_or_default();
        let resp = match req.method {
            HttpMethod::Propfind => self.probe(),
            HttpMethod::Report if body.contains("sync-collection") => {
                if self.knobs.strict_depth && depth != "0" {
                    status_only(400)
                } else {
                    self.sync_collection(&body)
                }
            }
            HttpMethod::Report if body.contains("calendar-multiget") => self.multiget(&body),
            HttpMethod::Report => self.listing(),
            _ => status_only(405),
        };
        if resp.body.len() as u64 > req.max_response_bytes {
            return Err(HttpError::TooLarge(req.max_response_bytes));
        }
        Ok(resp)
    }

    fn probe(&self) -> HttpResponse {
        let c = self.ctag();
        multistatus(&format!(
            "<d:response><d:href>{PATH}</d:href><d:propstat><d:prop><cs:getctag>{c}</cs:getctag><d:sync-token>data:,{c}</d:sync-token></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>"
        ))
    }

    fn sync_collection(&self, body: &str) -> HttpResponse {
        let since = body
            .split("<d:sync-token>")
            .nth(1)
            .and_then(|t| t.split('<').next())
            .and_then(|t| t.strip_prefix("data:,"))
            .and_then(|t| t.parse::<u64>().ok());
        let Some(since) = since.filter(|_| !self.knobs.refuse_tokens) else {
            return HttpResponse {
                status: 403,
                headers: vec![],
                body: b"<d:error xmlns:d=\"DAV:\"><d:valid-sync-token/></d:error>".to_vec(),
            };
        };
        let mut latest: BTreeMap<&str, (u64, bool)> = BTreeMap::new();
        for (t, name, deleted) in &self.log {
            if *t > since {
                latest.insert(name, (*t, *deleted));
            }
        }
        let mut items: Vec<(&str, (u64, bool))> = latest.into_iter().collect();
        items.sort_by_key(|(_, (t, _))| *t);
        let mut out = String::new();
        let mut token = self.ctag();
        if let Some(page) = self.knobs.page.filter(|p| items.len() > *p) {
            items.truncate(page);
            token = items.last().map_or(since, |(_, (t, _))| *t);
            out.push_str(&format!(
                "<d:response><d:href>{PATH}</d:href><d:status>HTTP/1.1 507 Insufficient Storage</d:status></d:response>"
            ));
        }
        for (name, (t, deleted)) in items {
            // Yandex: not percent-encoded in sync-collection.
            let href = format!("{PLAIN_PATH}{name}");
            if deleted {
                out.push_str(&format!("<d:response><d:href>{href}</d:href><d:propstat><d:prop><d:getetag>{t}</d:getetag></d:prop><d:status>HTTP/1.1 404 Not Found</d:status></d:propstat></d:response>"));
            } else {
                let etag = self.objects.get(name).map_or(t, |o| o.0);
                out.push_str(&item(&href, etag, None));
            }
        }
        out.push_str(&format!("<d:sync-token>data:,{token}</d:sync-token>"));
        multistatus(&out)
    }

    fn listing(&self) -> HttpResponse {
        let mut out = String::new();
        let names: Vec<&String> = match &self.knobs.truncate_listing_to {
            Some(only) => {
                out.push_str(&format!("<d:response><d:href>{PATH}</d:href><d:status>HTTP/1.1 507 Insufficient Storage</d:status></d:response>"));
                self.objects.keys().filter(|n| only.contains(*n)).collect()
            }
            None => self.objects.keys().collect(),
        };
        for name in names {
            if self.knobs.unlisted.contains(name) {
                continue;
            }
            let href = format!("{PATH}{}", encode(name));
            if self.knobs.item_error.contains(name) {
                out.push_str(&format!("<d:response><d:href>{href}</d:href><d:status>HTTP/1.1 500 Internal Server Error</d:status></d:response>"));
                continue;
            }
            out.push_str(&item(&href, self.objects[name].0, None));
        }
        multistatus(&out)
    }

    fn multiget(&self, body: &str) -> HttpResponse {
        let want_data = body.contains("calendar-data");
        let mut out = String::new();
        for raw in body.split("<d:href>").skip(1) {
            let raw = raw.split('<').next().unwrap_or_default();
            let name = raw
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .replace("%40", "@");
            let href = format!("{PATH}{}", encode(&name));
            if self.knobs.omit.contains(&name) {
                continue;
            }
            let obj = self.objects.get(&name);
            let spelled_at = raw.contains('@');
            match obj {
                Some((etag, ics)) if !(self.knobs.strict_at && spelled_at) => {
                    let data = (want_data && !self.knobs.no_data.contains(&name))
                        .then_some(ics.as_str());
                    out.push_str(&item(&href, *etag, data));
                }
                _ => out.push_str(&format!("<d:response><d:href>{raw}</d:href><d:status>HTTP/1.1 404 Not Found</d:status></d:response>")),
            }
        }
        multistatus(&out)
    }
}

fn encode(name: &str) -> String {
    name.replace('@', "%40")
}

fn item(href: &str, etag: u64, data: Option<&str>) -> String {
    let data = data
        .map(|d| {
            format!(
                "<c:calendar-data>{}</c:calendar-data>",
                d.replace('&', "&amp;").replace('<', "&lt;")
            )
        })
        .unwrap_or_default();
    format!("<d:response><d:href>{href}</d:href><d:propstat><d:prop><d:getetag>{etag}</d:getetag>{data}</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>")
}

fn multistatus(body: &str) -> HttpResponse {
    HttpResponse {
        status: 207,
        headers: vec![],
        body: format!("<d:multistatus xmlns:d=\"DAV:\" xmlns:c=\"urn:ietf:params:xml:ns:caldav\" xmlns:cs=\"http://calendarserver.org/ns/\">{body}</d:multistatus>").into_bytes(),
    }
}

fn status_only(status: u16) -> HttpResponse {
    HttpResponse {
        status,
        headers: vec![],
        body: vec![],
    }
}

/// A fake host whose HTTP is answered by a fresh collection.
pub fn host() -> (FakeHost, Shared) {
    let host = FakeHost::new();
    let dav: Shared = Rc::new(RefCell::new(Dav::default()));
    let d = dav.clone();
    host.respond_with(move |req| d.borrow_mut().answer(req));
    (host, dav)
}
