//! A user's connected Yandex account: who they are to the plugin (locale, timezone), their
//! stored account and its password, connecting and disconnecting, and syncing.

pub mod connect;
pub mod data;
pub mod problem;
pub mod refresh;

use chrono_tz::Tz;

use crate::bindings::types::{LogLevel, User};
use crate::crypto::{self, Secret};
use crate::host::Host;
use crate::i18n::{Locale, Msg, TzSource};
use crate::ical::Me;
use crate::store::{self, keys, Account, Problem};

/// When neither the connect dialog nor the Mattermost profile names a zone: Yandex
/// Calendar's own default, and the zone most of its users live in.
pub const DEFAULT_TZ: Tz = Tz::Europe__Moscow;

/// Who is asking: the Mattermost user, in their language and timezone.
#[derive(Debug, Clone)]
pub struct Person {
    pub user_id: String,
    pub locale: Locale,
    pub tz: Tz,
    pub tz_source: TzSource,
    /// The Mattermost e-mail, also used to recognise the user among attendees.
    pub email: String,
}

/// Reads the Mattermost user. A user Mattermost cannot return (it should not happen for
/// the caller of a command) gets English and the default zone, and a log line.
pub fn person(host: &impl Host, user_id: &str, account: Option<&Account>) -> Person {
    let user = match host.get_user(user_id) {
        Ok(u) => Some(u),
        Err(e) => {
            host.log(
                LogLevel::Warn,
                &format!("get-user failed ({}): {}", e.status, e.message),
            );
            None
        }
    };
    let (tz, tz_source) = timezone(account, user.as_ref());
    Person {
        user_id: user_id.to_string(),
        locale: user
            .as_ref()
            .map_or(Locale::En, |u| Locale::from_mattermost(&u.locale)),
        tz,
        tz_source,
        email: user.map(|u| u.email).unwrap_or_default(),
    }
}

/// The zone times are shown in: the connect dialog's choice, else the Mattermost profile
/// (read on every call, so a profile change applies at once), else [`DEFAULT_TZ`].
pub fn timezone(account: Option<&Account>, user: Option<&User>) -> (Tz, TzSource) {
    if let Some(tz) = account
        .and_then(|a| a.timezone.as_deref())
        .and_then(parse_tz)
    {
        return (tz, TzSource::Override);
    }
    if let Some(tz) = user.and_then(|u| parse_tz(&u.timezone)) {
        return (tz, TzSource::Profile);
    }
    (DEFAULT_TZ, TzSource::Default)
}

/// An IANA zone name, case-insensitively ("europe/moscow" is Europe/Moscow).
pub fn parse_tz(name: &str) -> Option<Tz> {
    let name = name.trim();
    if name.is_empty() {
        return None;
    }
    name.parse::<Tz>().ok().or_else(|| {
        chrono_tz::TZ_VARIANTS
            .iter()
            .copied()
            .find(|tz| tz.name().eq_ignore_ascii_case(name))
    })
}

/// The stored account. An account record that cannot be read (another layout version,
/// damage) counts as not connected: the user connects again, nothing crashes.
pub fn load(host: &impl Host, user_id: &str) -> Result<Option<Account>, Problem> {
    match store::record::get::<Account>(host, &keys::account(user_id)) {
        Ok(a) => Ok(a),
        Err(e @ (store::StoreError::Version { .. } | store::StoreError::Corrupt { .. })) => {
            host.log(
                LogLevel::Warn,
                &format!("account unreadable, treated as absent: {e}"),
            );
            Ok(None)
        }
        Err(e) => {
            host.log(LogLevel::Error, &format!("account read failed: {e}"));
            Err(problem::of_store(&e))
        }
    }
}

/// The account's app password in the clear, or why it cannot be had.
pub fn password(host: &impl Host, user_id: &str, account: &Account) -> Result<Secret, Problem> {
    let key = crate::settings::current(host).encryption_key;
    crypto::open(&key, user_id, &account.password).map_err(|e| {
        host.log(
            LogLevel::Warn,
            &format!("app password of {user_id} cannot be opened: {e}"),
        );
        problem::of_crypto(e)
    })
}

/// Who "me" is among a meeting's attendees: the login, the addresses the server says the
/// account answers to, and the Mattermost e-mail (Yandex's aliases of each included, see
/// [`Me`]).
pub fn me(account: &Account, person: &Person) -> Me {
    let mut addresses = account.addresses.clone();
    if !person.email.is_empty() {
        addresses.push(person.email.clone());
    }
    Me::from_account(&account.login, &addresses)
}

/// The caller's account and who they are, or the message to answer with: not connected,
/// or the store failed (in the caller's language).
pub fn connected(host: &impl Host, user_id: &str) -> Result<(Account, Person), String> {
    match load(host, user_id) {
        Ok(Some(account)) => {
            let person = person(host, user_id, Some(&account));
            Ok((account, person))
        }
        Ok(None) => Err(person(host, user_id, None).locale.t(Msg::NotConnected)),
        Err(p) => Err(person(host, user_id, None).locale.t(Msg::Problem(p))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::fake::FakeHost;
    use crate::host::Mattermost;

    #[test]
    fn me_is_the_login_the_servers_addresses_and_the_mattermost_email() {
        let host = FakeHost::new();
        host.add_user("u", "ru", "");
        let account = Account {
            login: "ivan.petrov@yandex.ru".into(),
            password: crate::crypto::Sealed {
                kid: "k".into(),
                nonce: String::new(),
                ct: String::new(),
            },
            server_url: "https://caldav.yandex.ru".into(),
            principal_url: String::new(),
            home_url: String::new(),
            addresses: vec!["i.petrov@company.ru".into()],
            calendars: Vec::new(),
            timezone: None,
            status: crate::store::AccountStatus::Active,
            connected_at_ms: 0,
            updated_at_ms: 0,
        };
        let mut person = person(&host, "u", Some(&account));
        person.email = "ivan@mattermost.example".into();
        let me = me(&account, &person);
        for address in [
            "ivan-petrov@ya.ru",
            "mailto:Ivan.Petrov@yandex.com",
            "i.petrov@company.ru",
            "ivan@mattermost.example",
        ] {
            assert!(me.is_me(address), "{address}");
        }
        assert!(!me.is_me("petrov@company.ru"));
    }

    #[test]
    fn timezone_precedence() {
        let host = FakeHost::new();
        host.add_user("a", "ru", "Asia/Yekaterinburg");
        host.add_user("b", "ru", "");
        let a = host.get_user("a").ok();
        let b = host.get_user("b").ok();
        assert_eq!(
            timezone(None, a.as_ref()),
            (Tz::Asia__Yekaterinburg, TzSource::Profile)
        );
        assert_eq!(timezone(None, b.as_ref()), (DEFAULT_TZ, TzSource::Default));
        assert_eq!(timezone(None, None), (DEFAULT_TZ, TzSource::Default));
        assert_eq!(parse_tz("america/new_york"), Some(Tz::America__New_York));
        assert_eq!(parse_tz("Mars/Olympus"), None);
    }
}
