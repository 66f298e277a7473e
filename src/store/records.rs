//! The records stored under the keys of [`super::keys`], each with its shape version.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::record::Record;
use crate::crypto::Sealed;

/// What went wrong with an account or a sync, as a code: the user reads it in their own
/// language (i18n renders it), logs get the English name. Stored, so only ever add cases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Problem {
    /// The server refused the login or app password (401).
    WrongPassword,
    /// DNS failed or the connection was refused.
    Unreachable,
    /// The TLS handshake or certificate check failed.
    Tls,
    Timeout,
    /// 429 or 5xx: the server asks to come back later.
    Throttled,
    /// The URL answers, but not as a CalDAV server.
    NotCalDav,
    /// The admin's CalDAV URL setting is not a usable URL.
    BadServerUrl,
    /// A selected calendar is gone from the server (404).
    CalendarGone,
    /// Access to a calendar was refused (403).
    Forbidden,
    /// An answer was malformed or too large to read.
    BadAnswer,
    /// The stored app password cannot be decrypted with the current key.
    KeyChanged,
    /// The plugin has no encryption key yet (the admin never saved the settings).
    NoKey,
    /// Mattermost's key-value store failed.
    Storage,
}

/// A problem and when it was seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProblemAt {
    pub problem: Problem,
    pub at_ms: i64,
}

/// A calendar of the account, as discovered at connect time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarEntry {
    /// Absolute URL of the collection.
    pub url: String,
    pub name: String,
    /// `#rrggbb[aa]` as the server gives it; empty when none.
    #[serde(default)]
    pub color: String,
    /// Shown in the agenda and used for notifications.
    pub selected: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum AccountStatus {
    Active,
    /// No sync until the user fixes the cause (`update`); nothing is deleted.
    Paused {
        problem: Problem,
        since_ms: i64,
    },
}

/// A connected Yandex account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub login: String,
    pub password: Sealed,
    /// The CalDAV URL the credentials were checked against (the admin's setting then).
    pub server_url: String,
    pub principal_url: String,
    pub home_url: String,
    /// The addresses the principal answers to (`calendar-user-address-set`): who "me" is
    /// among attendees, besides the login. Empty for accounts connected before it was read.
    #[serde(default)]
    pub addresses: Vec<String>,
    /// Every event calendar of the account; `selected` ones are used.
    pub calendars: Vec<CalendarEntry>,
    /// IANA zone chosen in the connect dialog; `None` follows the Mattermost profile.
    #[serde(default)]
    pub timezone: Option<String>,
    pub status: AccountStatus,
    pub connected_at_ms: i64,
    pub updated_at_ms: i64,
}

impl Record for Account {
    const VERSION: u32 = 1;
}

impl Account {
    pub fn selected(&self) -> impl Iterator<Item = &CalendarEntry> {
        self.calendars.iter().filter(|c| c.selected)
    }

    pub fn is_paused(&self) -> bool {
        matches!(self.status, AccountStatus::Paused { .. })
    }
}

/// What the last sync of one calendar left: compared with the server's ctag and token
/// by the idle poll, so it stays small.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarMarker {
    #[serde(default)]
    pub ctag: Option<String>,
    #[serde(default)]
    pub token: Option<String>,
    /// How many body buckets the calendar uses (a power of two).
    pub buckets: u32,
    /// Objects stored.
    pub objects: u32,
    /// The end of the time range the last full listing covered, Unix ms: objects that
    /// start later and never changed since may be missing, so a listing is redone in time.
    pub listed_until_ms: i64,
    pub listed_from_ms: i64,
    pub synced_at_ms: i64,
    /// Whether the last sync accounted for every object (no work left over). Markers
    /// written before this field existed tell it by their ctag or token, which a sync
    /// sets only when it completes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub complete: Option<bool>,
}

impl CalendarMarker {
    /// Whether the calendar's stored objects match the server as of its last sync.
    pub fn is_complete(&self) -> bool {
        self.complete
            .unwrap_or(self.ctag.is_some() || self.token.is_some())
    }
}

/// All sync markers of one user and the health of their sync.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Markers {
    /// By [`super::keys::CalendarId`].
    #[serde(default)]
    pub calendars: BTreeMap<String, CalendarMarker>,
    #[serde(default)]
    pub last_ok_ms: Option<i64>,
    #[serde(default)]
    pub last_problem: Option<ProblemAt>,
}

impl Record for Markers {
    const VERSION: u32 = 1;
}

/// One calendar's sync state (hrefs and ETags). Bump the version when
/// [`crate::sync::CalendarState`] changes shape: an unreadable state means a full listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncState {
    pub state: crate::sync::CalendarState,
}

impl Record for SyncState {
    const VERSION: u32 = 1;
}

/// Raw iCalendar bodies of some of a calendar's objects, by normalised href.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bucket {
    pub objects: BTreeMap<String, String>,
}

impl Record for Bucket {
    const VERSION: u32 = 1;
}

/// One shard of the connected-users index.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexShard {
    pub users: BTreeSet<String>,
}

impl Record for IndexShard {
    const VERSION: u32 = 1;
}

/// Who is syncing a user now, and until when the claim holds if they vanish.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lease {
    pub holder: String,
    pub until_ms: i64,
}

impl Record for Lease {
    const VERSION: u32 = 1;
}

/// On which days the morning digest comes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DigestDays {
    /// Monday to Friday.
    #[default]
    Weekdays,
    EveryDay,
}

fn yes() -> bool {
    true
}

/// What the user asked to be notified about (the `notifications` dialog). [`crate::notify`]
/// sends them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotifyPrefs {
    /// Local time of the morning digest, `HH:MM`; `None` = no digest.
    #[serde(default)]
    pub digest_at: Option<String>,
    #[serde(default)]
    pub digest_days: DigestDays,
    /// Whether a day without meetings gets a digest saying so.
    #[serde(default = "yes")]
    pub digest_empty: bool,
    /// Minutes before a meeting; `None` = no reminders.
    #[serde(default)]
    pub reminder_minutes: Option<u32>,
    /// The "In a meeting" custom status while a meeting runs.
    pub status: bool,
    /// Messages when meetings are added, moved or cancelled.
    pub changes: bool,
    /// Messages when attendees answer meetings I organise.
    pub answers: bool,
    /// The calendars watched, as [`super::CalendarId`]s; `None` = every calendar the
    /// connection shows (also those chosen later).
    #[serde(default)]
    pub calendars: Option<Vec<String>>,
    pub updated_at_ms: i64,
}

impl Record for NotifyPrefs {
    const VERSION: u32 = 1;
}

impl NotifyPrefs {
    /// Whether `calendar` (a [`super::CalendarId`]) is watched.
    pub fn watches(&self, calendar: &super::CalendarId) -> bool {
        self.calendars
            .as_ref()
            .is_none_or(|c| c.iter().any(|id| id == calendar.as_str()))
    }
}

/// What [`crate::notify`] planned for a user: the meetings of the next days reduced to what
/// the digest, reminders and status need, what they were built from, and the one-off jobs
/// armed. Read by every round and every job that fires (small: the full snapshot is read
/// only when something changed).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// Fingerprint of the inputs `meetings` were built from (calendars' sync markers,
    /// timezone, addresses); another fingerprint means "build again".
    pub inputs: String,
    /// The fingerprint the stored snapshot reflects: changes up to it were reported.
    #[serde(default)]
    pub reported: String,
    pub built_at_ms: i64,
    /// The zone the meetings were built for.
    pub tz: String,
    #[serde(default)]
    pub meetings: Vec<crate::notify::Upcoming>,
    /// When the one-off jobs armed for the user fire (Unix ms); see
    /// [`super::keys::job`].
    #[serde(default)]
    pub armed: BTreeSet<i64>,
    /// Until when a round has nothing to do while the inputs and `arming` stay the same:
    /// the next armed job, the moment the next effect not yet armed enters the arming
    /// horizon, the roll. 0 (a plan written before this existed): look.
    #[serde(default)]
    pub quiet_until_ms: i64,
    /// What the arming depends on besides the meetings (preferences, the admin's lead
    /// and sync interval), as a short hash.
    #[serde(default)]
    pub arming: String,
}

impl Record for Plan {
    const VERSION: u32 = 1;
}

/// A [`Plan`] read without its meetings: what an idle round needs (the meetings are most
/// of a plan's bytes, and reading them was most of an idle round's work).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanHead {
    pub inputs: String,
    #[serde(default)]
    pub reported: String,
    pub built_at_ms: i64,
    #[serde(default)]
    pub quiet_until_ms: i64,
    #[serde(default)]
    pub arming: String,
}

impl Record for PlanHead {
    const VERSION: u32 = Plan::VERSION;
}

/// A custom status as Mattermost has it (the WIT `custom-status`), to keep.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedStatus {
    pub emoji: String,
    pub text: String,
    #[serde(default)]
    pub duration: String,
    #[serde(default)]
    pub expires_at_ms: Option<i64>,
}

/// The "In a meeting" status the plugin set and what it replaced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OurStatus {
    /// The busy interval it covers.
    pub start_ms: i64,
    pub end_ms: i64,
    /// What the plugin set (compared with the user's current status before restoring).
    pub set: SavedStatus,
    /// The user's status before; `None` if they had none.
    pub saved: Option<SavedStatus>,
}

/// Whether the plugin's status is on for a user.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusState {
    pub ours: Option<OurStatus>,
    /// The user put their own status during a meeting: ours is not set again in a busy
    /// interval that continues until this time (Unix ms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theirs_until_ms: Option<i64>,
}

impl Record for StatusState {
    const VERSION: u32 = 1;
}

/// An effect claimed (a digest, a reminder, a status change, a message): written with
/// compare-and-set before it is carried out, so no second instance or node does it again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claim {
    pub at_ms: i64,
    /// The post that carried it, once posted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post: Option<String>,
}

impl Record for Claim {
    const VERSION: u32 = 1;
}

/// A message with answer buttons, as sent: its text and props, and the meetings it offers
/// to answer with their state, so that a click can redraw it (the host has no "get post";
/// `update-post` replaces the whole post). Written with an expiry: an old message stops
/// answering and says so.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerCard {
    pub message: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub props: Vec<(String, String)>,
    pub offers: Vec<crate::rsvp::Offer>,
}

impl Record for AnswerCard {
    const VERSION: u32 = 1;
}
