//! Who the connected user is in a meeting: by the account's e-mail, the addresses the
//! server says the principal answers to, and Yandex's aliases of them.
//!
//! One Yandex account answers to `login@yandex.ru`, `@ya.ru`, `@yandex.com`, `@yandex.by`,
//! `@yandex.kz` (and the old `@yandex.ua`), and its login is the same with `.` or `-`
//! (`ivan.petrov` = `ivan-petrov`). Yandex even rewrites `@ya.ru` to `@yandex.ru` in
//! invitations, so comparing raw addresses misses the user in their own meetings.

use super::model::{Event, PartStat};
use super::props;

/// The domains of one Yandex (consumer) account.
const YANDEX_DOMAINS: &[&str] = &[
    "yandex.ru",
    "ya.ru",
    "yandex.com",
    "yandex.by",
    "yandex.kz",
    "yandex.ua",
];

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Me {
    /// Canonical forms (see [`canonical`]).
    emails: Vec<String>,
}

impl Me {
    /// The account's e-mail and aliases (`mailto:` and case are ignored).
    pub fn new<I, S>(emails: I) -> Me
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut emails: Vec<String> = emails
            .into_iter()
            .map(|e| canonical(e.as_ref()))
            .filter(|e| !e.is_empty())
            .collect();
        emails.sort();
        emails.dedup();
        Me { emails }
    }

    /// The user of a CalDAV account: the login it connects with and the addresses its
    /// principal lists (`calendar-user-address-set`, see `caldav::Principal::addresses`).
    pub fn from_account<S: AsRef<str>>(login: &str, addresses: &[S]) -> Me {
        Me::new(
            std::iter::once(login.to_string())
                .chain(addresses.iter().map(|a| a.as_ref().to_string()))
                .filter(|a| a.contains('@')),
        )
    }

    /// The canonical addresses, sorted: what identifies me (e.g. in a fingerprint).
    pub fn emails(&self) -> &[String] {
        &self.emails
    }

    pub fn is_me(&self, email: &str) -> bool {
        self.emails.contains(&canonical(email))
    }

    /// My answer in `event`, if I am an attendee.
    pub fn partstat(&self, event: &Event) -> Option<PartStat> {
        event
            .attendees
            .iter()
            .find(|a| self.is_me(&a.email))
            .map(|a| a.partstat)
    }

    pub fn organizes(&self, event: &Event) -> bool {
        event
            .organizer
            .as_ref()
            .is_some_and(|o| self.is_me(&o.email))
    }
}

/// A calendar address in the form all its Yandex aliases share: lower case, no `mailto:`,
/// and for Yandex domains `yandex.ru` with `-` in the login read as `.`.
fn canonical(address: &str) -> String {
    let email = props::email(address);
    match email.rsplit_once('@') {
        Some((login, domain)) if YANDEX_DOMAINS.contains(&domain) => {
            format!("{}@yandex.ru", login.replace('-', "."))
        }
        _ => email,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yandex_aliases_are_one_account() {
        let me = Me::new(["Ivan.Petrov@yandex.ru"]);
        for alias in [
            "mailto:ivan.petrov@yandex.ru",
            "ivan-petrov@yandex.ru",
            "ivan.petrov@ya.ru",
            "IVAN-PETROV@YA.RU",
            "ivan.petrov@yandex.com",
            "ivan.petrov@yandex.by",
            "ivan.petrov@yandex.kz",
        ] {
            assert!(me.is_me(alias), "{alias}");
        }
        assert!(!me.is_me("ivan.petrov@gmail.com"));
        assert!(!me.is_me("ivanpetrov@yandex.ru"));
        // Other domains keep their own rules: the dash is part of the address.
        let work = Me::new(["anna-maria@company.ru"]);
        assert!(!work.is_me("anna.maria@company.ru"));
    }

    #[test]
    fn the_principal_addresses_count() {
        let me = Me::from_account("ivan", &["mailto:ivan@company.ru", "i.petrov@company.ru"]);
        assert!(me.is_me("ivan@company.ru") && me.is_me("i.petrov@company.ru"));
        assert!(!me.is_me("ivan@yandex.ru"));
    }
}
