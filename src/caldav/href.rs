//! Hrefs: resolving them against the request URL and normalising them for comparison.
//!
//! Yandex writes `%40` in one response and `@` in the next for the same object, so hrefs
//! are compared by one canonical spelling, never as raw strings. The canonical spelling is
//! also what we send first: Yandex answers a multiget for the `@` spelling with 404.

use percent_encoding::{percent_decode_str, percent_encode, AsciiSet, CONTROLS};

/// Bytes escaped in the canonical spelling of a path segment: all but RFC 3986 unreserved
/// characters and the sub-delimiters servers write unescaped. `@` is escaped because that
/// is how Yandex spells it in its own listings (`user%40yandex.ru`); `/` because inside a
/// segment it was escaped to begin with.
const SEGMENT_ESCAPES: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'@')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// `https://host:port` of an absolute URL, or None (also for a path that merely contains
/// `://` somewhere, like `/cal/http://x.ics`).
pub fn origin(url: &str) -> Option<&str> {
    let scheme = &url[..url.find("://")?];
    let valid = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !valid {
        return None;
    }
    let scheme_end = scheme.len() + 3;
    let rest = &url[scheme_end..];
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    Some(&url[..scheme_end + end])
}

/// Whether `to` is on the same origin as `from` (scheme, host and port, case-insensitive).
pub fn same_origin(from: &str, to: &str) -> bool {
    match (origin(from), origin(to)) {
        (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
        _ => false,
    }
}

/// The path of an absolute URL (`/` when empty), or the input if it is already a path.
pub fn path_of(url: &str) -> &str {
    match origin(url) {
        Some(o) => {
            let p = &url[o.len()..];
            let p = p.split(['?', '#']).next().unwrap_or("");
            if p.is_empty() {
                "/"
            } else {
                p
            }
        }
        None => url,
    }
}

/// Resolves `href` (absolute URL, absolute path or relative path) against `base`.
pub fn resolve(base: &str, href: &str) -> String {
    let href = href.trim();
    if href.starts_with("http://") || href.starts_with("https://") {
        return href.to_string();
    }
    let Some(origin) = origin(base) else {
        return href.to_string();
    };
    if href.starts_with('/') {
        return format!("{origin}{href}");
    }
    let base_path = path_of(base);
    let dir = match base_path.rfind('/') {
        Some(i) => &base_path[..=i],
        None => "/",
    };
    format!("{origin}{dir}{href}")
}

/// A path in its one canonical spelling: each segment decoded (any bytes, UTF-8 or not),
/// then escaped in upper-case hex (all but unreserved characters and sub-delimiters).
/// `/a@b` and `/a%40b`, or `/a%4F` and `/a%4f`, come out the same.
pub fn canonical_path(path: &str) -> String {
    path.split('/')
        .map(|segment| {
            let bytes: Vec<u8> = percent_decode_str(segment).collect();
            percent_encode(&bytes, SEGMENT_ESCAPES).to_string()
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// `url` with its path in the canonical spelling (query and fragment dropped).
pub fn canonical_url(url: &str) -> String {
    let path = canonical_path(path_of(url));
    match origin(url) {
        Some(o) => format!("{o}{path}"),
        None => path,
    }
}

/// The comparison key of an href: its canonical path without a trailing slash.
pub fn normalize(href: &str) -> String {
    let canonical = canonical_path(path_of(href.trim()));
    let trimmed = canonical.trim_end_matches('/');
    if trimmed.is_empty() {
        "/".to_string()
    } else {
        trimmed.to_string()
    }
}

/// The comparison key of an href found in an answer about `base`: resolved first, so a
/// relative href and its absolute spelling share one key.
pub fn key_in(base: &str, href: &str) -> String {
    normalize(&resolve(base, href))
}

/// Decodes `%XX` escapes for display; bytes that are not UTF-8 become U+FFFD.
pub fn percent_decode(s: &str) -> String {
    percent_decode_str(s).decode_utf8_lossy().into_owned()
}

/// Whether two hrefs name the same resource.
pub fn same(a: &str, b: &str) -> bool {
    normalize(a) == normalize(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yandex_encoded_and_plain_hrefs_are_the_same() {
        assert!(same(
            "/calendars/ttqul%40yandex.ru/events-5632612/x.ics",
            "/calendars/ttqul@yandex.ru/events-5632612/x.ics"
        ));
        assert!(same(
            "https://caldav.yandex.ru/calendars/a%40b.ru/events-1/",
            "/calendars/a@b.ru/events-1"
        ));
        assert!(!same("/a/b.ics", "/a/c.ics"));
    }

    #[test]
    fn non_utf8_escapes_and_hex_case_still_compare() {
        // Before: a `%E9` (Latin-1 é) made the decoder give up on the whole path, so the
        // `%40` next to it stayed encoded and the plain-`@` spelling no longer matched.
        assert!(same("/a%E9b%40c.ics", "/a%e9b@c.ics"));
        assert!(!same("/a%E9.ics", "/a%C3%A9.ics"));
        assert!(same("/a%C3%A9.ics", "/aé.ics"));
        assert_eq!(normalize("/cal/a%e9@x.ics/"), "/cal/a%E9%40x.ics");
    }

    #[test]
    fn canonical_spelling_escapes_at_and_keeps_the_rest() {
        assert_eq!(
            canonical_url("https://h/calendars/u@yandex.ru/events-1/a b.ics?x=1"),
            "https://h/calendars/u%40yandex.ru/events-1/a%20b.ics"
        );
        assert_eq!(canonical_path("/a%2fb/c:d;e=f"), "/a%2Fb/c:d;e=f");
    }

    #[test]
    fn a_path_containing_a_scheme_is_still_a_path() {
        assert_eq!(origin("/cal/http://x.ics"), None);
        assert_eq!(normalize("/cal/http://x.ics"), "/cal/http://x.ics");
        assert_eq!(
            normalize(&normalize("/caht{p://c7/u")),
            normalize("/caht{p://c7/u")
        );
        assert_eq!(origin("webcal+x://h/p"), Some("webcal+x://h"));
    }

    #[test]
    fn origins() {
        assert!(same_origin("https://H.example/a", "https://h.example/b"));
        assert!(!same_origin("https://h.example/a", "http://h.example/a"));
        assert!(!same_origin(
            "https://h.example/a",
            "https://h.example:8443/a"
        ));
        assert!(!same_origin("https://h.example/a", "/relative"));
    }

    #[test]
    fn resolves_like_a_browser() {
        let base = "https://h.example:8443/remote.php/dav/calendars/u/";
        assert_eq!(resolve(base, "/x/y"), "https://h.example:8443/x/y");
        assert_eq!(
            resolve(base, "cal/"),
            "https://h.example:8443/remote.php/dav/calendars/u/cal/"
        );
        assert_eq!(resolve(base, "http://o/p"), "http://o/p");
        assert_eq!(resolve("http://h", "/p"), "http://h/p");
        assert_eq!(path_of("http://h"), "/");
    }

    #[test]
    fn decoding_never_panics() {
        for s in ["%", "%4", "%zz", "%e2%82", "a%40b", "%%%"] {
            let _ = percent_decode(s);
            let _ = normalize(s);
        }
        assert_eq!(percent_decode("a%40b%2"), "a@b%2");
    }
}
