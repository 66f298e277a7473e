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

/// Hosts of other video meetings people put in a meeting's location.
const VIDEO_HOSTS: &[&str] = &[
    "telemost.yandex.ru",
    "telemost.360.yandex.ru",
    "zoom.us",
    "meet.google.com",
    "teams.microsoft.com",
    "teams.live.com",
    "meet.jit.si",
    "ktalk.ru",
    "vk.com",
    "meet.sber.ru",
];

/// The first video-meeting link in free text: a Telemost link, or one of another known
/// service (Zoom, Google Meet, Teams, Jitsi, Kontur.Talk …), for the reminder's Join link.
pub fn video_link(text: &str) -> Option<String> {
    for (start, _) in text.match_indices("https://") {
        let rest = text.get(start..)?;
        let end = rest
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | ',' | ')'))
            .unwrap_or(rest.len());
        let url = rest.get(..end)?.trim_end_matches(['.', ';']);
        let host = url
            .get("https://".len()..)
            .unwrap_or("")
            .split(['/', '?', '#', ':'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        if VIDEO_HOSTS
            .iter()
            .any(|h| host == *h || host.ends_with(&format!(".{h}")))
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

    #[test]
    fn finds_other_video_links() {
        assert_eq!(
            video_link("Zoom: https://us02web.zoom.us/j/8412?pwd=x, room 5").as_deref(),
            Some("https://us02web.zoom.us/j/8412?pwd=x")
        );
        assert_eq!(
            video_link("https://meet.google.com/abc-defg-hij").as_deref(),
            Some("https://meet.google.com/abc-defg-hij")
        );
        assert_eq!(video_link("https://zoom.us.evil.com/j/1"), None);
        assert_eq!(video_link("Переговорная 5"), None);
    }
}
