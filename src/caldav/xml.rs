//! A small namespace-resolved XML tree, built with quick-xml.
//!
//! Servers differ only in how they spell namespaces (`D:`, `d:`, a default `xmlns="DAV:"`
//! on single elements as Yandex does, …); resolving every name to (namespace, local name)
//! makes all of them look the same to the code that reads the tree.

use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;

pub const DAV: &str = "DAV:";
pub const CALDAV: &str = "urn:ietf:params:xml:ns:caldav";
pub const CALSERVER: &str = "http://calendarserver.org/ns/";
pub const APPLE: &str = "http://apple.com/ns/ical/";

/// Deeper documents are refused: no server nests this deep, and a bound keeps a hostile
/// body from exhausting the stack.
const MAX_DEPTH: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed XML: {0}")]
pub struct XmlError(pub String);

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Element {
    /// Resolved namespace URI; empty when the name is unbound.
    pub ns: String,
    pub name: String,
    pub attrs: Vec<(String, String)>,
    /// Concatenated character data directly inside this element.
    pub text: String,
    pub children: Vec<Element>,
}

impl Element {
    /// Whether this is `{ns}name`; an unbound name matches any namespace, because some
    /// servers forget to declare `DAV:` on an element or two.
    pub fn is(&self, ns: &str, name: &str) -> bool {
        self.name == name && (self.ns == ns || self.ns.is_empty())
    }

    pub fn child(&self, ns: &str, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.is(ns, name))
    }

    pub fn children_named<'a>(
        &'a self,
        ns: &'a str,
        name: &'a str,
    ) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.is(ns, name))
    }

    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Trimmed text of this element.
    pub fn trimmed(&self) -> &str {
        self.text.trim()
    }
}

/// Parses a whole document and returns its root element.
pub fn parse(body: &[u8]) -> Result<Element, XmlError> {
    // Lossy: one bad byte inside an event's DESCRIPTION must not lose the whole sync.
    let text = String::from_utf8_lossy(body);
    let mut reader = NsReader::from_str(&text);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let (resolved, event) = reader
            .read_resolved_event()
            .map_err(|e| XmlError(e.to_string()))?;
        let ns = match resolved {
            ResolveResult::Bound(ns) => ns.0.to_string(),
            _ => String::new(),
        };
        match event {
            Event::Start(start) | Event::Empty(start) if root.is_some() => {
                let _ = start;
                return Err(XmlError("content after the root element".into()));
            }
            Event::Start(start) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(XmlError("nesting too deep".into()));
                }
                stack.push(element(ns, &start)?);
            }
            Event::Empty(start) => {
                let el = element(ns, &start)?;
                attach(&mut stack, &mut root, el);
            }
            Event::End(_) => {
                let el = stack
                    .pop()
                    .ok_or_else(|| XmlError("unbalanced end tag".into()))?;
                attach(&mut stack, &mut root, el);
            }
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.xml10_content());
                }
            }
            Event::CData(c) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&c.into_inner());
                }
            }
            Event::GeneralRef(r) => {
                if let Some(top) = stack.last_mut() {
                    push_entity(&mut top.text, &r.into_inner());
                }
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    if !stack.is_empty() {
        return Err(XmlError("document ends inside an element".into()));
    }
    root.ok_or_else(|| XmlError("no root element".into()))
}

fn element(ns: String, start: &quick_xml::events::BytesStart<'_>) -> Result<Element, XmlError> {
    let qname = start.name();
    let local = qname.local_name();
    let name = <str as AsRef<str>>::as_ref(local.as_ref()).to_string();
    let mut attrs = Vec::new();
    for attr in start.attributes().flatten() {
        let key = attr.key.local_name().as_ref().to_string();
        let value = attr
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map(|v| v.into_owned())
            .unwrap_or_default();
        attrs.push((key, value));
    }
    Ok(Element {
        ns,
        name,
        attrs,
        ..Element::default()
    })
}

fn attach(stack: &mut [Element], root: &mut Option<Element>, el: Element) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(el),
        None => *root = Some(el),
    }
}

fn push_entity(out: &mut String, name: &str) {
    let resolved = match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => name.strip_prefix('#').and_then(|num| {
            let code = match num.strip_prefix('x') {
                Some(hex) => u32::from_str_radix(hex, 16).ok(),
                None => num.parse().ok(),
            };
            code.and_then(char::from_u32)
        }),
    };
    match resolved {
        Some(c) => out.push(c),
        None => {
            // Unknown entity: keep it verbatim rather than failing the whole response.
            out.push('&');
            out.push_str(name);
            out.push(';');
        }
    }
}

/// Escapes text for an element body or attribute value we generate.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_every_prefix_style_to_the_same_names() {
        let docs = [
            r#"<D:multistatus xmlns:D="DAV:"><D:response><href xmlns="DAV:">/a</href></D:response></D:multistatus>"#,
            r#"<d:multistatus xmlns:d="DAV:"><d:response><d:href>/a</d:href></d:response></d:multistatus>"#,
            r#"<multistatus xmlns="DAV:"><response><href>/a</href></response></multistatus>"#,
            r#"<ns0:multistatus xmlns:ns0="DAV:"><ns0:response><ns0:href>/a</ns0:href></ns0:response></ns0:multistatus>"#,
        ];
        for doc in docs {
            let root = parse(doc.as_bytes()).unwrap();
            assert!(root.is(DAV, "multistatus"), "{doc}");
            let href = root
                .child(DAV, "response")
                .and_then(|r| r.child(DAV, "href"));
            assert_eq!(href.map(Element::trimmed), Some("/a"), "{doc}");
        }
    }

    #[test]
    fn entities_and_cdata_become_text() {
        let root = parse(b"<a>x &amp; y &#64; &#x41;<![CDATA[<b>]]>&nope;</a>").unwrap();
        assert_eq!(root.text, "x & y @ A<b>&nope;");
    }

    #[test]
    fn malformed_input_is_an_error_not_a_panic() {
        for doc in [
            "",
            "<a>",
            "</a>",
            "<a></b>",
            "<a/><b/>",
            "<x:a xmlns:y='z'/>",
            "\u{0}\u{ff}<",
        ] {
            let _ = parse(doc.as_bytes());
        }
        let deep = "<a>".repeat(1000);
        assert!(parse(deep.as_bytes()).is_err());
    }
}
