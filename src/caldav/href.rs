//! Hrefs: resolving them against the request URL and normalising them for comparison.
//!
//! Yandex writes `%40` in one response and `@` in the next for the same object, so hrefs
//! are compared by their decoded path, never as raw strings.

/// `https://host:port` of an absolute URL, or None.
pub fn origin(url: &str) -> Option<&str> {
    let scheme_end = url.find("://")? + 3;
    let rest = &url[scheme_end..];
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    Some(&url[..scheme_end + end])
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

/// The comparison key of an href: its path, percent-decoded, without a trailing slash.
pub fn normalize(href: &str) -> String {
    let path = path_of(href.trim());
    let decoded = percent_decode(path);
    let trimmed = decoded.trim_end_matches('/');
    if trimmed.is_empty() {
        "/".to_string()
    } else {
        trimmed.to_string()
    }
}

/// Decodes `%XX` escapes; invalid escapes and non-UTF-8 results are kept as they were.
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = |b: u8| (b as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
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
        }
        assert_eq!(percent_decode("a%40b%2"), "a@b%2");
    }
}
