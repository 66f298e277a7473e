//! Telemost conference link and Yandex web link.

/// Hosts that serve Telemost meetings.
const TELEMOST_HOSTS: &[&str] = &["telemost.yandex.ru", "telemost.360.yandex.ru"];

/// The first Telemost URL inside free text (LOCATION or DESCRIPTION often embed it).
pub(crate) fn find_telemost(text: &str) -> Option<String> {
    for (start, _) in text.match_indices("https://") {
        let rest = text.get(start..)?;
        let end = rest
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | ',' | ')'))
            .unwrap_or(rest.len());
        let url = rest.get(..end)?.trim_end_matches(['.', ';']);
        let host = url.get("https://".len()..).unwrap_or("");
        if TELEMOST_HOSTS
            .iter()
            .any(|h| host.starts_with(h) && host.get(h.len()..h.len() + 1) == Some("/"))
        {
            return Some(url.to_string());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_links_in_text() {
        assert_eq!(
            find_telemost("Join: https://telemost.yandex.ru/j/123456789, or call").as_deref(),
            Some("https://telemost.yandex.ru/j/123456789")
        );
        assert_eq!(
            find_telemost("https://telemost.yandex.ru.evil.com/j/1"),
            None
        );
        assert_eq!(find_telemost("no link"), None);
    }
}
