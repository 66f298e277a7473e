//! WebDAV `multistatus` bodies (RFC 4918 §13, RFC 6578 sync-collection) as plain data.

use super::xml::{self, Element, XmlError, DAV};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropStat {
    pub status: u16,
    pub props: Vec<Element>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DavResponse {
    /// The href exactly as the server wrote it (percent-encoded or not).
    pub href: String,
    /// A response-level `<status>` (deletions in RFC 6578, errors), if any.
    pub status: Option<u16>,
    pub propstats: Vec<PropStat>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Multistatus {
    pub responses: Vec<DavResponse>,
    /// The new token of a sync-collection report.
    pub sync_token: Option<String>,
}

impl DavResponse {
    /// A property from a successful propstat.
    pub fn prop(&self, ns: &str, name: &str) -> Option<&Element> {
        self.propstats
            .iter()
            .filter(|p| (200..300).contains(&p.status))
            .flat_map(|p| p.props.iter())
            .find(|e| e.is(ns, name))
    }

    pub fn prop_text(&self, ns: &str, name: &str) -> Option<String> {
        self.prop(ns, name)
            .map(|e| e.trimmed().to_string())
            .filter(|s| !s.is_empty())
    }

    /// The ETag, from any propstat: Yandex reports deletions as a 404 propstat that still
    /// carries `getetag`, so the status is not looked at here.
    pub fn etag(&self) -> Option<String> {
        self.propstats
            .iter()
            .flat_map(|p| p.props.iter())
            .find(|e| e.is(DAV, "getetag"))
            .map(|e| e.trimmed().to_string())
            .filter(|s| !s.is_empty())
    }

    /// Whether the resource is gone: a 404/410 response status (RFC 6578), or only
    /// 404/410 propstats (Yandex).
    pub fn is_gone(&self) -> bool {
        let gone = |s: u16| s == 404 || s == 410;
        match self.status {
            Some(s) => gone(s),
            None => !self.propstats.is_empty() && self.propstats.iter().all(|p| gone(p.status)),
        }
    }

    /// Whether some propstat succeeded.
    pub fn is_ok(&self) -> bool {
        match self.status {
            Some(s) => (200..300).contains(&s),
            None => self
                .propstats
                .iter()
                .any(|p| (200..300).contains(&p.status)),
        }
    }
}

/// `HTTP/1.1 404 Not Found` → 404; anything unreadable → None.
pub fn parse_status_line(line: &str) -> Option<u16> {
    line.split_whitespace().nth(1)?.parse().ok()
}

pub fn parse(body: &[u8]) -> Result<Multistatus, XmlError> {
    let root = xml::parse(body)?;
    from_element(&root)
}

pub fn from_element(root: &Element) -> Result<Multistatus, XmlError> {
    if !root.is(DAV, "multistatus") {
        return Err(XmlError(format!(
            "expected a DAV multistatus, got <{}>",
            root.name
        )));
    }
    let mut out = Multistatus {
        sync_token: root
            .child(DAV, "sync-token")
            .map(|t| t.trimmed().to_string())
            .filter(|t| !t.is_empty()),
        ..Multistatus::default()
    };
    for resp in root.children_named(DAV, "response") {
        let status = resp
            .child(DAV, "status")
            .and_then(|s| parse_status_line(s.trimmed()));
        let propstats: Vec<PropStat> = resp
            .children_named(DAV, "propstat")
            .map(|ps| PropStat {
                // A propstat without a readable status is taken as successful: the
                // properties are there, which is what matters.
                status: ps
                    .child(DAV, "status")
                    .and_then(|s| parse_status_line(s.trimmed()))
                    .unwrap_or(200),
                props: ps
                    .child(DAV, "prop")
                    .map(|p| p.children.clone())
                    .unwrap_or_default(),
            })
            .collect();
        // RFC 4918 allows several hrefs in one status-only response.
        for href in resp.children_named(DAV, "href") {
            let href = href.trimmed();
            if href.is_empty() {
                continue;
            }
            out.responses.push(DavResponse {
                href: href.to_string(),
                status,
                propstats: propstats.clone(),
            });
        }
    }
    Ok(out)
}
