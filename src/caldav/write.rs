//! Writing one object back (an answer to an invitation): read it by its href, change it,
//! PUT it guarded by the ETag just read.
//!
//! - A 412 means someone changed the object meanwhile: read it again, apply the change to
//!   what is there now, try once more.
//! - Yandex gives ETags unquoted (and some servers weak). `If-Match` compares strongly
//!   (RFC 9110 §13.1.1), so such a tag may never match: when a second guarded PUT of a
//!   freshly read object still gets 412, the fresh object is PUT without `If-Match` (what
//!   it overwrites was read a moment ago). With a proper strong ETag two 412s in a row are
//!   a real conflict, and nothing is forced.
//! - An object served without an ETag cannot be guarded: it is written back right after
//!   it was read, without `If-Match`.

use super::client::{header, status_error, Client};
use super::error::CalDavError;
use crate::bindings::types::HttpMethod;
use crate::host::{Clock, Http};

/// An entity tag as the server gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ETag {
    /// A quoted strong tag (`"abc"`): `If-Match` sends it as given.
    Strong(String),
    /// Weak (`W/"abc"`) or unquoted (`abc`, Yandex): `If-Match` sends the opaque part
    /// quoted, which the server may never match.
    Unsure(String),
}

impl ETag {
    /// `None` for an empty value.
    pub fn parse(raw: &str) -> Option<ETag> {
        let e = raw.trim();
        if e.is_empty() {
            return None;
        }
        let strong = e.len() >= 2 && e.starts_with('"') && e.ends_with('"');
        Some(if strong {
            ETag::Strong(e.to_string())
        } else {
            ETag::Unsure(e.to_string())
        })
    }

    /// The `If-Match` value.
    pub fn if_match(&self) -> String {
        match self {
            ETag::Strong(e) => e.clone(),
            ETag::Unsure(e) => quote_etag(e),
        }
    }

    pub fn is_strong(&self) -> bool {
        matches!(self, ETag::Strong(_))
    }
}

/// An object as read: its text and its ETag (if the server gave one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Object {
    pub body: String,
    pub etag: Option<ETag>,
}

/// GETs one calendar object. 404/410 is [`CalDavError::NotFound`].
pub fn get_object<E: Http + Clock>(
    client: &Client<'_, E>,
    url: &str,
) -> Result<Object, CalDavError> {
    let resp = client.send(HttpMethod::Get, url, &[], b"")?;
    match resp.status {
        200 => {
            let etag = header(&resp, "etag").and_then(ETag::parse);
            let body = String::from_utf8(resp.body)
                .map_err(|_| CalDavError::BadResponse(format!("{url}: not UTF-8")))?;
            Ok(Object { body, etag })
        }
        status => Err(status_error(url, &resp, status)),
    }
}

/// PUTs `ical` at `url`, with `If-Match` when `guard` is given; returns the new ETag when
/// the server tells it. A 412 is [`CalDavError::Conflict`].
pub fn put_object<E: Http + Clock>(
    client: &Client<'_, E>,
    url: &str,
    ical: &[u8],
    guard: Option<&ETag>,
) -> Result<Option<String>, CalDavError> {
    let if_match = guard.map(ETag::if_match);
    let mut headers = vec![("Content-Type", "text/calendar; charset=utf-8")];
    if let Some(v) = &if_match {
        headers.push(("If-Match", v));
    }
    let resp = client.send(HttpMethod::Put, url, &headers, ical)?;
    match resp.status {
        200..=299 => Ok(header(&resp, "etag").map(str::to_string)),
        status => Err(status_error(url, &resp, status)),
    }
}

/// Replaces the object at `url` if its ETag (as a listing gave it) still matches.
pub fn put_if_match<E: Http + Clock>(
    client: &Client<'_, E>,
    url: &str,
    etag: &str,
    ical: &[u8],
) -> Result<Option<String>, CalDavError> {
    put_object(client, url, ical, ETag::parse(etag).as_ref())
}

/// The `If-Match` value for an ETag as a listing gave it: the opaque tag quoted and strong
/// (a `W/` tag could never match; Yandex writes tags bare).
pub fn quote_etag(etag: &str) -> String {
    let e = etag.trim();
    let e = e.strip_prefix("W/").unwrap_or(e);
    format!("\"{}\"", e.trim_matches('"'))
}

/// How a guarded update went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// What was PUT.
    pub body: String,
    /// The new ETag, when the server gave one.
    pub etag: Option<String>,
    /// PUT requests sent (1 normally, 2 after a conflict, 3 with the unguarded fallback).
    pub puts: u32,
    /// The last PUT went without `If-Match` (the ETag could not be matched).
    pub unguarded: bool,
}

/// Why an update failed: the server, or the change itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UpdateError<E: std::error::Error> {
    #[error(transparent)]
    Dav(#[from] CalDavError),
    #[error("the change cannot be made: {0}")]
    Edit(E),
}

/// Reads the object at `url`, changes it with `edit`, and writes it back guarded by its
/// ETag (see the module's rules for 412 and ETags that cannot match). `edit` may run again
/// on a newer version of the object.
pub fn update_object<H, E, F>(
    client: &Client<'_, H>,
    url: &str,
    mut edit: F,
) -> Result<Written, UpdateError<E>>
where
    H: Http + Clock,
    E: std::error::Error,
    F: FnMut(&str) -> Result<String, E>,
{
    let mut puts = 0;
    let mut read = get_object(client, url)?;
    let mut body = edit(&read.body).map_err(UpdateError::Edit)?;
    for attempt in 0..2 {
        puts += 1;
        match put_object(client, url, body.as_bytes(), read.etag.as_ref()) {
            Ok(etag) => {
                return Ok(Written {
                    body,
                    etag,
                    puts,
                    unguarded: read.etag.is_none(),
                })
            }
            Err(CalDavError::Conflict { .. }) if attempt == 0 => {
                read = get_object(client, url)?;
                body = edit(&read.body).map_err(UpdateError::Edit)?;
            }
            Err(e) => {
                let unsure = read.etag.as_ref().is_some_and(|t| !t.is_strong());
                if !(unsure && matches!(e, CalDavError::Conflict { .. })) {
                    return Err(e.into());
                }
            }
        }
    }
    // Two 412s for an object read a moment ago, with a tag the server may never match.
    puts += 1;
    let etag = put_object(client, url, body.as_bytes(), None)?;
    Ok(Written {
        body,
        etag,
        puts,
        unguarded: true,
    })
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::rc::Rc;

    use super::*;
    use crate::bindings::types::{Header, HttpRequest, HttpResponse};
    use crate::caldav::{ClientOptions, Credentials, NoSleep};
    use crate::host::fake::FakeHost;

    #[test]
    fn if_match_is_a_quoted_strong_tag() {
        assert_eq!(quote_etag("1764000000123"), "\"1764000000123\"");
        assert_eq!(quote_etag("\"abc\""), "\"abc\"");
        // Before: `W/"5"` went out as is, and no server can match a weak tag in If-Match.
        assert_eq!(quote_etag("W/\"5\""), "\"5\"");
        assert_eq!(quote_etag(" W/5 "), "\"5\"");
        assert_eq!(ETag::parse("\"x\""), Some(ETag::Strong("\"x\"".into())));
        assert_eq!(
            ETag::parse("W/\"x\"").map(|e| e.if_match()),
            Some("\"x\"".into())
        );
        assert_eq!(ETag::parse("17").map(|e| e.is_strong()), Some(false));
        assert_eq!(ETag::parse(" "), None);
    }

    /// A server that stores one object and answers PUTs by `rule(if_match, current etag)`.
    struct Server {
        body: String,
        version: u32,
        /// How ETags are written in headers.
        style: fn(u32) -> String,
        /// 412 for these PUT numbers (counted from 1), whatever If-Match says.
        busy: Vec<u32>,
        /// Every If-Match matches nothing (a server that cannot match its own tags).
        never: bool,
        log: Vec<String>,
        puts: u32,
    }

    fn serve(host: &FakeHost, server: Rc<RefCell<Server>>) {
        host.respond_with(move |r: &HttpRequest| {
            let mut s = server.borrow_mut();
            let if_match = r
                .headers
                .iter()
                .find(|h| h.name == "If-Match")
                .map(|h| h.value.clone());
            let etag = |s: &Server| Header {
                name: "ETag".into(),
                value: (s.style)(s.version),
            };
            let answer = |status, headers, body: &str| {
                Ok(HttpResponse {
                    status,
                    headers,
                    body: body.as_bytes().to_vec(),
                })
            };
            match r.method {
                HttpMethod::Get => {
                    s.log.push("GET".into());
                    let h = vec![etag(&s)];
                    let b = s.body.clone();
                    answer(200, h, &b)
                }
                HttpMethod::Put => {
                    s.puts += 1;
                    s.log
                        .push(format!("PUT {}", if_match.as_deref().unwrap_or("-")));
                    let matches = if_match
                        .as_deref()
                        .is_none_or(|m| !s.never && m == format!("\"{}\"", s.version));
                    if s.busy.contains(&s.puts) || !matches {
                        return answer(412, vec![], "");
                    }
                    s.version += 1;
                    s.body = String::from_utf8_lossy(&r.body).into_owned();
                    let h = vec![etag(&s)];
                    answer(204, h, "")
                }
                _ => answer(405, vec![], ""),
            }
        });
    }

    fn server(style: fn(u32) -> String) -> Rc<RefCell<Server>> {
        Rc::new(RefCell::new(Server {
            body: "v1".into(),
            version: 1,
            style,
            busy: Vec::new(),
            never: false,
            log: Vec::new(),
            puts: 0,
        }))
    }

    fn strong(v: u32) -> String {
        format!("\"{v}\"")
    }
    fn bare(v: u32) -> String {
        v.to_string()
    }
    fn weak(v: u32) -> String {
        format!("W/\"{v}\"")
    }

    #[derive(Debug, thiserror::Error)]
    #[error("no")]
    struct No;

    fn update(host: &FakeHost) -> Result<Written, UpdateError<No>> {
        let c = Client::new(
            host,
            &NoSleep,
            Credentials::new("u", "p"),
            ClientOptions::default(),
        );
        update_object(&c, "https://dav.example/c/1.ics", |b| {
            Ok::<_, No>(format!("{b}+me"))
        })
    }

    #[test]
    fn a_guarded_put_of_what_was_read() {
        let host = FakeHost::new();
        for style in [strong as fn(u32) -> String, bare, weak] {
            let s = server(style);
            serve(&host, s.clone());
            let w = update(&host).expect("written");
            assert_eq!((w.puts, w.unguarded, w.body.as_str()), (1, false, "v1+me"));
            assert_eq!(s.borrow().log, ["GET", "PUT \"1\""]);
            assert_eq!(w.etag, Some(style(2)));
        }
    }

    #[test]
    fn a_conflict_reads_again_and_applies_the_change_to_what_is_there() {
        let host = FakeHost::new();
        let s = server(strong);
        s.borrow_mut().busy = vec![1];
        serve(&host, s.clone());
        // Someone else's change lands between our read and our PUT.
        let w = update(&host).expect("written");
        assert_eq!(s.borrow().log, ["GET", "PUT \"1\"", "GET", "PUT \"1\""]);
        assert_eq!((w.puts, w.unguarded), (2, false));
        // Twice in a row with a strong tag: a real conflict, nothing forced.
        let s = server(strong);
        s.borrow_mut().busy = vec![1, 2];
        serve(&host, s.clone());
        assert!(matches!(
            update(&host),
            Err(UpdateError::Dav(CalDavError::Conflict { .. }))
        ));
        assert_eq!(s.borrow().body, "v1");
        assert_eq!(s.borrow().puts, 2);
    }

    #[test]
    fn a_tag_that_can_never_match_does_not_block_the_answer() {
        for style in [bare as fn(u32) -> String, weak] {
            let host = FakeHost::new();
            let s = server(style);
            s.borrow_mut().never = true;
            serve(&host, s.clone());
            let w = update(&host).expect("written");
            assert_eq!(
                s.borrow().log,
                ["GET", "PUT \"1\"", "GET", "PUT \"1\"", "PUT -"],
                "{:?}",
                style(1)
            );
            assert_eq!((w.puts, w.unguarded), (3, true));
            assert_eq!(s.borrow().body, "v1+me");
        }
        // The same server with strong tags: two 412s stay a conflict.
        let host = FakeHost::new();
        let s = server(strong);
        s.borrow_mut().never = true;
        serve(&host, s.clone());
        assert!(update(&host).is_err());
        assert_eq!(s.borrow().body, "v1");
    }

    #[test]
    fn failures_are_typed_and_write_nothing() {
        let host = FakeHost::new();
        host.respond_with(|_| {
            Ok(HttpResponse {
                status: 404,
                headers: vec![],
                body: vec![],
            })
        });
        assert!(matches!(
            update(&host),
            Err(UpdateError::Dav(CalDavError::NotFound { .. }))
        ));
        let s = server(strong);
        serve(&host, s.clone());
        let c = Client::new(
            &host,
            &NoSleep,
            Credentials::new("u", "p"),
            ClientOptions::default(),
        );
        let r = update_object(&c, "https://dav.example/c/1.ics", |_| Err::<String, _>(No));
        assert!(matches!(r, Err(UpdateError::Edit(No))));
        assert_eq!(s.borrow().log, ["GET"]);
    }
}
