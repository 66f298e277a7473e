//! Who the connected user is in a meeting: by the account's e-mail and its aliases.

use super::model::{Event, PartStat};
use super::props;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Me {
    emails: Vec<String>,
}

impl Me {
    /// The account's e-mail and aliases (`mailto:` and case are ignored). Yandex accepts
    /// both `login@yandex.ru` and `login@ya.ru` for one account: pass every alias known.
    pub fn new<I, S>(emails: I) -> Me
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut emails: Vec<String> = emails
            .into_iter()
            .map(|e| props::email(e.as_ref()))
            .filter(|e| !e.is_empty())
            .collect();
        emails.sort();
        emails.dedup();
        Me { emails }
    }

    pub fn is_me(&self, email: &str) -> bool {
        let email = props::email(email);
        self.emails.contains(&email)
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
