//! The admin settings (plugin.json's `settings_schema`): their defaults, ranges and
//! validation, in one place. The host passes what the admin saved ([`PluginConfig`], none
//! for a setting without a value); everything else reads [`Settings`] from [`resolve`].
//! plugin.json must declare the same defaults (a test below reads it).

use std::ops::RangeInclusive;

use crate::bindings::types::{PluginConfig, Settings as WitSettings};
use crate::i18n::{Locale, Msg};

pub const DEFAULT_CALDAV_URL: &str = "https://caldav.yandex.ru";
pub const DEFAULT_REMINDER_LEAD_MINUTES: u32 = 10;
pub const DEFAULT_SYNC_INTERVAL_MINUTES: u32 = 5;
/// 0 = at the start of the meeting; at most a day before.
pub const REMINDER_LEAD_RANGE: RangeInclusive<u32> = 0..=24 * 60;
pub const SYNC_INTERVAL_RANGE: RangeInclusive<u32> = 1..=24 * 60;

/// The settings the plugin runs with: defaults applied, every value checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// An absolute http(s) URL without credentials.
    pub caldav_url: String,
    pub reminder_lead_minutes: u32,
    pub sync_interval_minutes: u32,
    /// Hosts outbound HTTP may reach besides the CalDAV origin: "host" or "host:port".
    pub allowed_hosts: Vec<String>,
    /// Never empty (the host generates one); never logged.
    pub encryption_key: String,
}

impl Settings {
    /// What the host needs to know (its outbound HTTP policy); the key stays here.
    pub fn to_wit(&self) -> WitSettings {
        WitSettings {
            caldav_url: self.caldav_url.clone(),
            reminder_lead_minutes: self.reminder_lead_minutes,
            sync_interval_minutes: self.sync_interval_minutes,
            allowed_hosts: self.allowed_hosts.clone(),
        }
    }
}

/// A setting the plugin cannot work with; shown to the admin in System Console.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SettingsError {
    CaldavUrl(String),
    ReminderLead(i64),
    SyncInterval(i64),
    AllowedHost(String),
    NoEncryptionKey,
}

impl SettingsError {
    /// The message in one language (the catalog's [`Msg::SettingRefused`]).
    pub fn text(&self, locale: Locale) -> String {
        locale.t(Msg::SettingRefused(self))
    }
}

/// System Console has no user locale for the admin who saves, so the message is given in
/// both languages.
impl std::fmt::Display for SettingsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", crate::i18n::both(Msg::SettingRefused(self)))
    }
}

impl std::error::Error for SettingsError {}

/// The settings to run with, or the first one that is wrong.
pub fn resolve(config: &PluginConfig) -> Result<Settings, SettingsError> {
    let caldav_url = match config.caldav_url.as_deref().map(str::trim) {
        None => DEFAULT_CALDAV_URL.to_string(),
        Some(url) => check_url(url)?,
    };
    let reminder_lead_minutes = in_range(
        config.reminder_lead_minutes,
        DEFAULT_REMINDER_LEAD_MINUTES,
        &REMINDER_LEAD_RANGE,
    )
    .map_err(SettingsError::ReminderLead)?;
    let sync_interval_minutes = in_range(
        config.sync_interval_minutes,
        DEFAULT_SYNC_INTERVAL_MINUTES,
        &SYNC_INTERVAL_RANGE,
    )
    .map_err(SettingsError::SyncInterval)?;
    let allowed_hosts = parse_hosts(config.allowed_hosts.as_deref().unwrap_or(""))?;
    if config.encryption_key.trim().is_empty() {
        return Err(SettingsError::NoEncryptionKey);
    }
    Ok(Settings {
        caldav_url,
        reminder_lead_minutes,
        sync_interval_minutes,
        allowed_hosts,
        encryption_key: config.encryption_key.clone(),
    })
}

/// The settings in force, for the features. The host activates the plugin only with
/// settings that resolve, so a failure here means they changed under us; the defaults (with
/// the saved key) keep the plugin working until the admin fixes them.
pub fn current(host: &impl crate::host::Mattermost) -> Settings {
    let config = host.get_config();
    resolve(&config).unwrap_or_else(|_| Settings {
        caldav_url: DEFAULT_CALDAV_URL.to_string(),
        reminder_lead_minutes: DEFAULT_REMINDER_LEAD_MINUTES,
        sync_interval_minutes: DEFAULT_SYNC_INTERVAL_MINUTES,
        allowed_hosts: Vec::new(),
        encryption_key: config.encryption_key,
    })
}

fn in_range(saved: Option<i64>, default: u32, range: &RangeInclusive<u32>) -> Result<u32, i64> {
    match saved {
        None => Ok(default),
        Some(n) => u32::try_from(n).ok().filter(|v| range.contains(v)).ok_or(n),
    }
}

fn check_url(url: &str) -> Result<String, SettingsError> {
    let bad = || SettingsError::CaldavUrl(url.to_string());
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(bad)?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.is_empty()
        || authority.contains('@')
        || url.chars().any(|c| c.is_whitespace() || c.is_control())
        || host_port(authority).is_none()
    {
        return Err(bad());
    }
    Ok(url.to_string())
}

/// The admin's list: names separated by commas or white space, each "host" or "host:port".
fn parse_hosts(text: &str) -> Result<Vec<String>, SettingsError> {
    text.split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(|entry| {
            let lower = entry.to_ascii_lowercase();
            host_port(&lower)
                .map(|_| lower.clone())
                .ok_or_else(|| SettingsError::AllowedHost(entry.to_string()))
        })
        .collect()
}

/// Splits "host", "host:port" or "[v6]:port"; None if it is not one of those.
fn host_port(s: &str) -> Option<(&str, Option<u16>)> {
    let (host, port) = if let Some(rest) = s.strip_prefix('[') {
        let (v6, after) = rest.split_once(']')?;
        if v6.is_empty()
            || !v6
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
        {
            return None;
        }
        match after {
            "" => (v6, None),
            p => (v6, Some(p.strip_prefix(':')?)),
        }
    } else {
        match s.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (s, None),
        }
    };
    let port = match port {
        None => None,
        Some(p) => Some(p.parse::<u16>().ok().filter(|&n| n > 0)?),
    };
    if !s.starts_with('[') {
        let label_ok = |l: &str| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        };
        if host.is_empty() || host.len() > 253 || !host.split('.').all(label_ok) {
            return None;
        }
    }
    Some((host, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn saved() -> PluginConfig {
        PluginConfig {
            caldav_url: Some("https://caldav.yandex.ru".into()),
            reminder_lead_minutes: Some(10),
            sync_interval_minutes: Some(5),
            encryption_key: "k".into(),
            allowed_hosts: Some(String::new()),
        }
    }

    #[test]
    fn unset_settings_take_the_defaults() {
        let s = resolve(&PluginConfig {
            caldav_url: None,
            reminder_lead_minutes: None,
            sync_interval_minutes: None,
            encryption_key: "k".into(),
            allowed_hosts: None,
        })
        .unwrap();
        assert_eq!(s.caldav_url, DEFAULT_CALDAV_URL);
        assert_eq!(s.reminder_lead_minutes, DEFAULT_REMINDER_LEAD_MINUTES);
        assert_eq!(s.sync_interval_minutes, DEFAULT_SYNC_INTERVAL_MINUTES);
        assert!(s.allowed_hosts.is_empty());
    }

    #[test]
    fn a_saved_zero_is_kept_where_the_range_allows_it() {
        let mut c = saved();
        c.reminder_lead_minutes = Some(0);
        assert_eq!(resolve(&c).unwrap().reminder_lead_minutes, 0);
        c.reminder_lead_minutes = Some(1440);
        assert_eq!(resolve(&c).unwrap().reminder_lead_minutes, 1440);
        for bad in [-1, 1441, i64::MIN, i64::MAX, 1 << 32] {
            c.reminder_lead_minutes = Some(bad);
            assert_eq!(resolve(&c), Err(SettingsError::ReminderLead(bad)));
        }
        let mut c = saved();
        for bad in [0, -5, 1441] {
            c.sync_interval_minutes = Some(bad);
            assert_eq!(resolve(&c), Err(SettingsError::SyncInterval(bad)));
        }
        c.sync_interval_minutes = Some(1);
        assert_eq!(resolve(&c).unwrap().sync_interval_minutes, 1);
    }

    #[test]
    fn urls_are_checked() {
        let mut c = saved();
        for good in [
            "https://caldav.yandex.ru",
            "https://caldav.yandex.ru/calendars/",
            "http://127.0.0.1:5232/",
            "https://[::1]:8443/dav",
            "https://cal.example.org:8443",
        ] {
            c.caldav_url = Some(good.into());
            assert_eq!(resolve(&c).unwrap().caldav_url, good);
        }
        for bad in [
            "",
            "caldav.yandex.ru",
            "ftp://caldav.yandex.ru",
            "https://",
            "https://user:pw@caldav.yandex.ru/",
            "https://caldav yandex.ru/",
            "https://caldav.yandex.ru:99999/",
            "https://-bad-.ru/",
        ] {
            c.caldav_url = Some(bad.into());
            assert_eq!(
                resolve(&c),
                Err(SettingsError::CaldavUrl(bad.into())),
                "{bad}"
            );
        }
    }

    #[test]
    fn allowed_hosts_are_a_list_of_names() {
        let mut c = saved();
        c.allowed_hosts =
            Some(" CalDAV2.example.com, 10.0.0.5:8443\n[fd00::1]:443;intranet ".into());
        assert_eq!(
            resolve(&c).unwrap().allowed_hosts,
            [
                "caldav2.example.com",
                "10.0.0.5:8443",
                "[fd00::1]:443",
                "intranet"
            ]
        );
        for bad in ["https://x.example.com", "x.example.com/path", "a:b", "a..b"] {
            c.allowed_hosts = Some(bad.into());
            assert_eq!(
                resolve(&c),
                Err(SettingsError::AllowedHost(bad.into())),
                "{bad}"
            );
        }
    }

    #[test]
    fn an_empty_key_is_refused() {
        let mut c = saved();
        c.encryption_key = "  ".into();
        assert_eq!(resolve(&c), Err(SettingsError::NoEncryptionKey));
    }

    #[test]
    fn errors_speak_both_languages() {
        let e = SettingsError::SyncInterval(0);
        let text = e.to_string();
        assert!(text.contains("1 to 1440 minutes, got 0"), "{text}");
        assert!(text.contains("от 1 до 1440 минут, а указано 0"), "{text}");
    }

    /// plugin.json's settings_schema declares the same keys, types and defaults as this
    /// module, so System Console shows the admin what the plugin will use.
    #[test]
    fn plugin_json_agrees_with_the_defaults() {
        let manifest: serde_json::Value =
            serde_json::from_str(include_str!("../plugin.json")).expect("plugin.json is JSON");
        let settings = manifest["settings_schema"]["settings"]
            .as_array()
            .expect("settings_schema.settings");
        let find = |key: &str| {
            settings
                .iter()
                .find(|s| s["key"] == key)
                .unwrap_or_else(|| panic!("plugin.json has no setting {key}"))
        };
        assert_eq!(find("CalDAVURL")["default"], DEFAULT_CALDAV_URL);
        assert_eq!(
            find("ReminderLeadMinutes")["default"],
            DEFAULT_REMINDER_LEAD_MINUTES
        );
        assert_eq!(
            find("SyncIntervalMinutes")["default"],
            DEFAULT_SYNC_INTERVAL_MINUTES
        );
        assert_eq!(find("AllowedHosts")["default"], "");
        for (key, range) in [
            ("ReminderLeadMinutes", &REMINDER_LEAD_RANGE),
            ("SyncIntervalMinutes", &SYNC_INTERVAL_RANGE),
        ] {
            assert_eq!(find(key)["type"], "number");
            let help = find(key)["help_text"].as_str().unwrap_or_default();
            let said = format!("{} to {}", range.start(), range.end());
            assert!(
                help.contains(&said),
                "{key}: help text {help:?} lacks {said:?}"
            );
        }
        let key = find("EncryptionKey");
        assert_eq!(key["type"], "generated");
        assert_eq!(key["secret"], true, "the key must be masked by the server");
        assert_eq!(settings.len(), 5, "a setting without a default here");
    }
}
