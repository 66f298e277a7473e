//! The one place that knows the KV layout: every key ([`keys`]), every record
//! ([`records`]), and how they change ([`record::update`], compare-and-set).
//!
//! # Layout (version 1)
//!
//! | key | record | size | read by |
//! |---|---|---|---|
//! | `v1/u/<user>/account` | [`Account`]: login, sealed app password, calendars, timezone override, status | ~1 KB | every command, every poll |
//! | `v1/u/<user>/markers` | [`Markers`]: per calendar ctag, sync token, bucket count; last sync, last problem | ~0.3 KB | every poll |
//! | `v1/u/<user>/cal/<cal>/state` | [`SyncState`]: hrefs and ETags of the calendar's objects | ~150 B per object | a poll that found a change |
//! | `v1/u/<user>/cal/<cal>/obj/<bb>` | [`Bucket`]: raw iCalendar bodies by href | ~64 objects | the agenda; a sync rewrites the buckets it touches |
//! | `v1/u/<user>/lease` | [`Lease`]: who syncs this user now | tiny | sync |
//! | `v1/u/<user>/notify` | [`NotifyPrefs`]: digest, reminders, status, change messages | tiny | notifications |
//! | `v1/u/<user>/round` | [`Lease`]: who runs the user's notification round now | tiny | each round |
//! | `v1/u/<user>/plan` | [`Plan`]: the next days' meetings in short, what they were built from, armed jobs | ~0.3 KB per meeting | every round, every job that fires |
//! | `v1/u/<user>/snapshot` | [`crate::snapshot::Snapshot`]: meetings as last compared for change messages | ~0.8 KB per meeting of 9 days | only when something changed (swapped by compare-and-set) |
//! | `v1/u/<user>/answer/<post>` | [`AnswerCard`]: a message with Accept / Maybe / Decline, to redraw it after a click | ~1 KB, expires after its meetings | a click on its buttons |
//! | `v1/u/<user>/status` | [`StatusState`]: the "In a meeting" status set and the one it replaced | tiny | status on/off |
//! | `v1/users/<shard>` | [`IndexShard`]: ids of connected users, 64 shards | ~4.5 KB at 10,000 users | the scheduler |
//! | `v1/notify/<shard>` | [`IndexShard`]: ids of users with notifications, 64 shards | as above | the minute tick |
//! | `v1/shares` | [`shares::Shares`]: live nodes and the holder of each notification shard | ~2 KB | every node's tick |
//! | `v1/fx/<user>/<kind>/<id>` | [`Claim`]: an effect done (digest `d/<date>`, reminder `r/`, status `s1/` `s0/`, message `m/`), with its post | tiny, expires by itself | before each effect |
//!
//! One-off jobs are named `v1/j/<user>/<Unix ms>` ([`keys::job`]); the host keeps them in
//! KV as `once_<key>` (and a `mutex_<key>` while one runs), as Mattermost's job scheduler
//! does.
//!
//! `<user>` is the Mattermost user id (hashed if it is not a plain id), `<cal>` 16 hex
//! digits of SHA-256 of the calendar URL, `<bb>` the bucket number in hex. Everything of a
//! user lives under `v1/u/<user>/`.
//!
//! An idle poll (nothing changed) reads `account` and `markers` and sends one PROPFIND of
//! the calendar home that returns every calendar's ctag and token; it writes nothing (the
//! leases are taken only when there is something to store). Bodies are raw
//! iCalendar, so the agenda of any range (a day, a week, a month, any dates within the
//! listed window) is parsed and expanded from them with the user's current timezone.

pub mod bodies;
pub mod claims;
pub mod index;
pub mod keys;
pub mod lease;
pub mod record;
pub mod records;
pub mod shares;
pub mod snapshots;

pub use keys::CalendarId;
pub use record::{Change, StoreError};
pub use records::{
    Account, AccountStatus, AnswerCard, Bucket, CalendarEntry, CalendarMarker, Claim, DigestDays,
    IndexShard, Lease, Markers, NotifyPrefs, OurStatus, Plan, PlanHead, Problem, ProblemAt,
    SavedStatus, StatusState, SyncState,
};
