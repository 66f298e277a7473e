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
/// The longest one-off job key: the host stores `once_<key>` and `mutex_<key>` in KV.
pub const MAX_JOB_KEY_CHARS: usize = 100;

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

/// The lease of a notification round ([`crate::notify`]): one round per user at a time.
pub fn round_lease(user_id: &str) -> String {
    format!("{}round", user_prefix(user_id))
}

/// The user's meetings as last compared for change messages (`crate::snapshot`).
pub fn snapshot(user_id: &str) -> String {
    format!("{}snapshot", user_prefix(user_id))
}

/// What is planned for the user: upcoming meetings in short, armed jobs.
pub fn plan(user_id: &str) -> String {
    format!("{}plan", user_prefix(user_id))
}

/// The "In a meeting" status the plugin set and the status it replaced.
pub fn status(user_id: &str) -> String {
    format!("{}status", user_prefix(user_id))
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

/// A shard of the index of users with notifications on (what the minute tick reads).
pub fn notify_shard(shard: u32) -> String {
    format!("{LAYOUT}/notify/{:02x}", shard % INDEX_SHARDS)
}

/// Which node holds which shard of the notification index ([`super::shares`]).
pub fn shares() -> String {
    format!("{LAYOUT}/shares")
}

const JOB_PREFIX: &str = "v1/j/";

/// The one-off job that fires for `user_id` at `at_ms` (one job per user and instant, for
/// every effect due then). `None` for a user id that is not a plain Mattermost id: the key
/// must give the id back, and such users are served by their rounds alone.
pub fn job(user_id: &str, at_ms: i64) -> Option<String> {
    let part = user_part(user_id);
    (part == user_id).then(|| format!("{JOB_PREFIX}{part}/{at_ms}"))
}

/// The user and time of a job key made by [`job`].
pub fn parse_job(key: &str) -> Option<(String, i64)> {
    let (user, at) = key.strip_prefix(JOB_PREFIX)?.split_once('/')?;
    let at: i64 = at.parse().ok()?;
    (user_part(user) == user).then(|| (user.to_string(), at))
}

fn claim_prefix(user_id: &str) -> String {
    format!("{LAYOUT}/fx/{}/", user_part(user_id))
}

/// The claim of the digest of one local date. Claims live outside the user's folder: they
/// expire by themselves, and a user who disconnects and connects again the same day must
/// not get the same digest twice.
pub fn claim_digest(user_id: &str, date: chrono::NaiveDate) -> String {
    format!("{}d/{}", claim_prefix(user_id), date.format("%Y%m%d"))
}

/// The claim of a reminder of one occurrence, at its start, with its lead: a meeting moved
/// after its reminder gets a new one; a new lead time too.
pub fn claim_reminder(
    user_id: &str,
    uid: &str,
    recurrence_id: Option<&str>,
    start_ms: i64,
    lead_minutes: u32,
) -> String {
    let id = short_hash(&format!(
        "{uid}\u{1f}{}\u{1f}{start_ms}\u{1f}{lead_minutes}",
        recurrence_id.unwrap_or("")
    ));
    format!("{}r/{id}", claim_prefix(user_id))
}

/// The claim of turning the status on (or off) for one busy interval.
pub fn claim_status(user_id: &str, on: bool, start_ms: i64, end_ms: i64) -> String {
    format!(
        "{}{}/{}",
        claim_prefix(user_id),
        if on { "s1" } else { "s0" },
        short_hash(&format!("{start_ms}-{end_ms}"))
    )
}

/// The claim of one change or answer message item, by its fingerprint.
pub fn claim_message(user_id: &str, fingerprint: &str) -> String {
    format!("{}m/{}", claim_prefix(user_id), short_hash(fingerprint))
}

/// A message with answer buttons (an invitation, a reminder): what it says and the meetings
/// it offers to answer, by the post's id. Under the user's folder: disconnecting forgets it.
pub fn answer_card(user_id: &str, post_id: &str) -> String {
    format!("{}answer/{}", user_prefix(user_id), user_part(post_id))
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
            notify_shard(INDEX_SHARDS - 1),
            user_key_prefix(&user),
            round_lease(&user),
            snapshot(&user),
            plan(&user),
            status(&user),
            claim_digest(&user, chrono::NaiveDate::MAX),
            claim_reminder(&user, &user, Some(&user), i64::MIN, u32::MAX),
            claim_status(&user, false, i64::MIN, i64::MAX),
            claim_message(&user, &user),
            answer_card(&user, &user),
        ];
        let longest = keys.iter().map(|k| k.chars().count()).max().unwrap_or(0);
        assert!(longest <= MAX_KEY_CHARS, "{keys:?}");
        // The same with the longest id kept as it is.
        let user = "a".repeat(32);
        assert_eq!(user_part(&user), user);
        assert!(calendar_bucket(&user, &cal, 255).len() <= MAX_KEY_CHARS);
        // Job keys, stored by the host as `mutex_<key>` (the longer of its two prefixes).
        let job_key = job(&user, i64::MIN).unwrap_or_default();
        assert!(job_key.chars().count() <= MAX_JOB_KEY_CHARS, "{job_key}");
        assert!(format!("mutex_{job_key}").len() <= MAX_KEY_CHARS);
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
            round_lease(u),
            snapshot(u),
            plan(u),
            status(u),
            answer_card(u, "p0st1d"),
        ] {
            assert!(k.starts_with(&user_key_prefix(u)), "{k}");
        }
        let shards: std::collections::BTreeSet<u32> = (0..2000)
            .map(|i| index_shard_of(&format!("user{i}")))
            .collect();
        assert_eq!(shards.len(), INDEX_SHARDS as usize);
    }
}

#[cfg(test)]
mod job_tests {
    use super::*;

    #[test]
    fn job_keys_give_the_user_and_time_back() {
        let u = "8xq3zj1n3fgo5e4rwhbjmgwp3c";
        let k = job(u, 1_764_000_000_000).unwrap_or_default();
        assert_eq!(k, "v1/j/8xq3zj1n3fgo5e4rwhbjmgwp3c/1764000000000");
        assert_eq!(parse_job(&k), Some((u.to_string(), 1_764_000_000_000)));
        assert_eq!(job("Odd/User", 1), None);
        assert_eq!(parse_job("v1/j/x"), None);
        assert_eq!(parse_job("v1/j/ABC/12"), None);
        assert_eq!(parse_job("other"), None);
    }

    #[test]
    fn claims_differ_by_what_they_claim() {
        let u = "u1";
        let a = claim_reminder(u, "m", None, 1000, 10);
        assert_ne!(
            a,
            claim_reminder(u, "m", None, 2000, 10),
            "moved: a new reminder"
        );
        assert_ne!(
            a,
            claim_reminder(u, "m", None, 1000, 5),
            "another lead: a new one"
        );
        assert_ne!(a, claim_reminder(u, "m", Some("x"), 1000, 10));
        assert_ne!(a, claim_reminder("u2", "m", None, 1000, 10));
        assert_ne!(claim_status(u, true, 1, 2), claim_status(u, false, 1, 2));
        assert!(!a.starts_with(&user_key_prefix(u)));
    }
}
