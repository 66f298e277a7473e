//! Every KV key the plugin uses, built here and nowhere else.
//!
//! Keys start with the layout version (`v1/`), so a future layout can live beside this one
//! while users migrate. Mattermost allows 150 characters: parts that come from outside
//! (user ids, calendar URLs) are used as they are only when short and plain, and hashed
//! otherwise, so no key can grow past the limit (see the test of the longest key).

use sha2::{Digest, Sha256};

/// The layout version, the first segment of every key.
pub const LAYOUT: &str = "v1";
/// Mattermost's limit on a key, in characters.
pub const MAX_KEY_CHARS: usize = 150;
/// The connected-users index is split into this many records, so that users connecting at
/// the same time rarely race for the same record (10,000 users: ~160 ids, ~4.5 KB each).
pub const INDEX_SHARDS: u32 = 64;
/// Upper bound of body buckets per calendar (see [`super::bodies`]).
pub const MAX_BUCKETS: u32 = 256;

/// A user id as it appears in keys: Mattermost ids (26 lower-case letters and digits) as
/// they are; anything else (longer, or with other characters) as a hash.
pub fn user_part(user_id: &str) -> String {
    let plain = !user_id.is_empty()
        && user_id.len() <= 32
        && user_id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    if plain {
        user_id.to_string()
    } else {
        format!("h{}", short_hash(user_id))
    }
}

/// 16 hex digits of SHA-256: calendar URLs and odd user ids in keys.
pub fn short_hash(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// The key part naming one calendar of a user: a hash of its collection URL.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CalendarId(String);

impl CalendarId {
    pub fn of_url(url: &str) -> CalendarId {
        let href = crate::caldav::href::normalize(url);
        let origin = crate::caldav::href::origin(url).unwrap_or_default();
        CalendarId(short_hash(&format!("{origin}{href}")))
    }

    /// A calendar id read back from a record (16 hex digits), or `None`.
    pub fn from_stored(s: &str) -> Option<CalendarId> {
        (s.len() == 16 && s.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| CalendarId(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn user_prefix(user_id: &str) -> String {
    format!("{LAYOUT}/u/{}/", user_part(user_id))
}

/// The account: login, sealed app password, calendars, timezone override, status.
pub fn account(user_id: &str) -> String {
    format!("{}account", user_prefix(user_id))
}

/// Sync markers of all the user's calendars (ctag, token) and sync health: what an idle
/// poll reads besides the account.
pub fn markers(user_id: &str) -> String {
    format!("{}markers", user_prefix(user_id))
}

/// The per-user lease that keeps two instances from syncing one user at once.
pub fn lease(user_id: &str) -> String {
    format!("{}lease", user_prefix(user_id))
}

/// Notification preferences (the dialog of `notifications create|update`).
pub fn notify(user_id: &str) -> String {
    format!("{}notify", user_prefix(user_id))
}

/// One calendar's sync state: the objects' hrefs and ETags.
pub fn calendar_state(user_id: &str, calendar: &CalendarId) -> String {
    format!("{}cal/{}/state", user_prefix(user_id), calendar.0)
}

/// One bucket of a calendar's raw iCalendar bodies.
pub fn calendar_bucket(user_id: &str, calendar: &CalendarId, bucket: u32) -> String {
    format!(
        "{}cal/{}/obj/{:02x}",
        user_prefix(user_id),
        calendar.0,
        bucket.min(MAX_BUCKETS - 1)
    )
}

/// The shard of the connected-users index that holds `user_id`.
pub fn index_shard_of(user_id: &str) -> u32 {
    let digest = Sha256::digest(user_id.as_bytes());
    u32::from(digest[0]) % INDEX_SHARDS
}

pub fn index_shard(shard: u32) -> String {
    format!("{LAYOUT}/users/{:02x}", shard % INDEX_SHARDS)
}

/// Every key prefix that may hold data of `user_id` (for tests and tools that list keys).
pub fn user_key_prefix(user_id: &str) -> String {
    user_prefix(user_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_longest_key_fits() {
        // The longest parts each builder can get: an odd user id (hashed), a calendar id,
        // the last bucket and the last shard.
        let user = "x".repeat(10_000);
        let cal = CalendarId::of_url(&format!("https://caldav.example/{}", "c".repeat(5_000)));
        let keys = [
            account(&user),
            markers(&user),
            lease(&user),
            notify(&user),
            calendar_state(&user, &cal),
            calendar_bucket(&user, &cal, MAX_BUCKETS - 1),
            calendar_bucket(&user, &cal, u32::MAX),
            index_shard(INDEX_SHARDS - 1),
            user_key_prefix(&user),
        ];
        let longest = keys.iter().map(|k| k.chars().count()).max().unwrap_or(0);
        assert!(longest <= MAX_KEY_CHARS, "{keys:?}");
        // The same with the longest id kept as it is.
        let user = "a".repeat(32);
        assert_eq!(user_part(&user), user);
        assert!(calendar_bucket(&user, &cal, 255).len() <= MAX_KEY_CHARS);
        assert_eq!(
            calendar_bucket(&user, &cal, 255),
            format!("v1/u/{user}/cal/{}/obj/ff", cal.as_str())
        );
    }

    #[test]
    fn ids_are_plain_or_hashed() {
        assert_eq!(
            account("8xq3zj1n3fgo5e4rwhbjmgwp3c"),
            "v1/u/8xq3zj1n3fgo5e4rwhbjmgwp3c/account"
        );
        let odd = user_part("../Admin");
        assert!(odd.starts_with('h') && odd.len() == 17, "{odd}");
        assert_ne!(user_part("a/b"), user_part("a/c"));
        assert_eq!(user_part(""), format!("h{}", short_hash("")));
    }

    #[test]
    fn calendar_ids_ignore_href_spelling() {
        let a = CalendarId::of_url("https://caldav.yandex.ru/calendars/me%40yandex.ru/events-1/");
        let b = CalendarId::of_url("https://caldav.yandex.ru/calendars/me@yandex.ru/events-1");
        assert_eq!(a, b);
        assert_ne!(
            a,
            CalendarId::of_url("https://caldav.yandex.ru/calendars/me@yandex.ru/events-2")
        );
    }

    #[test]
    fn every_user_key_is_under_the_user_prefix() {
        let u = "8xq3zj1n3fgo5e4rwhbjmgwp3c";
        let cal = CalendarId::of_url("https://x/c/");
        for k in [
            account(u),
            markers(u),
            lease(u),
            notify(u),
            calendar_state(u, &cal),
            calendar_bucket(u, &cal, 3),
        ] {
            assert!(k.starts_with(&user_key_prefix(u)), "{k}");
        }
        let shards: std::collections::BTreeSet<u32> = (0..2000)
            .map(|i| index_shard_of(&format!("user{i}")))
            .collect();
        assert_eq!(shards.len(), INDEX_SHARDS as usize);
    }
}
