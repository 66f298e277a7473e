//! HTTP and clock done natively (ureq), for the `ycal` tool and the integration tests.
//! Transport failures map onto the same `HttpError` cases the Go host reports.

use std::io::Read;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::{Clock, Http};
use crate::bindings::types::{Header, HttpError, HttpMethod, HttpRequest, HttpResponse};

pub struct NativeHost {
    agent: ureq::Agent,
}

impl Default for NativeHost {
    fn default() -> Self {
        NativeHost {
            // Redirects are followed by the CalDAV client itself, so every host behaves alike.
            agent: ureq::AgentBuilder::new().redirects(0).build(),
        }
    }
}

impl NativeHost {
    pub fn new() -> Self {
        Self::default()
    }
}

fn method_name(m: HttpMethod) -> &'static str {
    match m {
        HttpMethod::Get => "GET",
        HttpMethod::Head => "HEAD",
        HttpMethod::Post => "POST",
        HttpMethod::Put => "PUT",
        HttpMethod::Delete => "DELETE",
        HttpMethod::Options => "OPTIONS",
        HttpMethod::Propfind => "PROPFIND",
        HttpMethod::Proppatch => "PROPPATCH",
        HttpMethod::Report => "REPORT",
        HttpMethod::Mkcalendar => "MKCALENDAR",
    }
}

impl Http for NativeHost {
    fn send(&self, request: &HttpRequest) -> Result<HttpResponse, HttpError> {
        let url = request.url.as_str();
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(HttpError::InvalidUrl(url.to_string()));
        }
        let mut req = self
            .agent
            .request(method_name(request.method), url)
            .timeout(Duration::from_millis(u64::from(request.timeout_ms.max(1))));
        for h in &request.headers {
            req = req.set(&h.name, &h.value);
        }
        let resp = match req.send_bytes(&request.body) {
            Ok(r) => r,
            Err(ureq::Error::Status(_, r)) => r,
            Err(ureq::Error::Transport(t)) => return Err(map_transport(&t)),
        };
        let status = resp.status();
        let headers = resp
            .headers_names()
            .into_iter()
            .flat_map(|name| {
                resp.all(&name)
                    .into_iter()
                    .map(|v| Header {
                        name: name.clone(),
                        value: v.to_string(),
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        let limit = request.max_response_bytes;
        let mut body = Vec::new();
        resp.into_reader()
            .take(limit.saturating_add(1))
            .read_to_end(&mut body)
            .map_err(|e| io_error(&e))?;
        if body.len() as u64 > limit {
            return Err(HttpError::TooLarge(limit));
        }
        Ok(HttpResponse {
            status,
            headers,
            body,
        })
    }
}

fn io_error(e: &std::io::Error) -> HttpError {
    match e.kind() {
        std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => HttpError::Timeout,
        _ => HttpError::Other(e.to_string()),
    }
}

fn map_transport(t: &ureq::Transport) -> HttpError {
    use ureq::ErrorKind as K;
    let text = t.to_string();
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(t);
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            if matches!(
                io.kind(),
                std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
            ) {
                return HttpError::Timeout;
            }
        }
        source = s.source();
    }
    let lower = text.to_ascii_lowercase();
    if lower.contains("tls") || lower.contains("certificate") || lower.contains("handshake") {
        return HttpError::Tls(text);
    }
    if lower.contains("timed out") {
        return HttpError::Timeout;
    }
    match t.kind() {
        K::InvalidUrl | K::UnknownScheme => HttpError::InvalidUrl(text),
        K::Dns | K::ConnectionFailed => HttpError::Unreachable(text),
        _ => HttpError::Other(text),
    }
}

impl Clock for NativeHost {
    fn now_ms(&self) -> i64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0)
    }
}
