//! Connecting, updating, pausing and disconnecting an account. Credentials are checked
//! live against the CalDAV server before anything is stored.

use crate::bindings::types::{LogLevel, Post};
use crate::caldav::{self, CalendarInfo, Client, Credentials, Principal};
use crate::crypto::{self, Secret};
use crate::host::Host;
use crate::i18n::Msg;
use crate::panel::events;
use crate::store::{
    self, index, keys, record, Account, AccountStatus, CalendarEntry, CalendarId, Change, Problem,
};

/// What the connect dialog gave.
#[derive(Debug, Clone)]
pub struct Form {
    pub login: String,
    pub password: Secret,
    /// An IANA zone name; empty = follow the Mattermost profile.
    pub timezone: String,
}

/// Why a connect was refused; each case is shown on the dialog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The server refused the login or password: shown on the password field.
    Credentials,
    UnknownTimezone(String),
    NoCalendars,
    /// Anything else, shown above the form.
    Other(Problem),
}

/// The server's answer to a login: where the account lives and its event calendars.
pub fn check<E: Host>(
    host: &E,
    server_url: &str,
    login: &str,
    password: &Secret,
) -> Result<(Principal, Vec<CalendarInfo>), Problem> {
    // Hooks never sleep: a failed request is reported now, not retried after a wait.
    let sleeper = caldav::NoSleep;
    let client = Client::new(
        host,
        &sleeper,
        Credentials::new(login, password.expose()),
        super::refresh::interactive_options(),
    );
    caldav::discover(&client, server_url).map_err(|e| {
        host.log(LogLevel::Info, &format!("credentials check failed: {e}"));
        super::problem::of_caldav(&e)
    })
}

/// Checks the form live and stores the account (a new one, or replacing the user's).
/// Returns the stored account and whether it replaced one.
pub fn connect(host: &impl Host, user_id: &str, form: &Form) -> Result<(Account, bool), Refusal> {
    let login = form.login.trim().to_string();
    let timezone = form.timezone.trim();
    let timezone = if timezone.is_empty() {
        None
    } else {
        let tz = super::parse_tz(timezone)
            .ok_or_else(|| Refusal::UnknownTimezone(timezone.to_string()))?;
        Some(tz.name().to_string())
    };
    let config = crate::settings::current(host);
    // Without a key nothing could be stored: say so before asking the server anything.
    if config.encryption_key.trim().is_empty() {
        return Err(Refusal::Other(Problem::NoKey));
    }
    let server_url = config.caldav_url.trim().to_string();
    let (principal, found) =
        check(host, &server_url, &login, &form.password).map_err(|p| match p {
            Problem::WrongPassword => Refusal::Credentials,
            p => Refusal::Other(p),
        })?;
    if found.is_empty() {
        return Err(Refusal::NoCalendars);
    }
    let sealed = crypto::seal(&config.encryption_key, user_id, &form.password)
        .map_err(|e| Refusal::Other(super::problem::of_crypto(e)))?;
    let now = host.now_ms();
    let key = keys::account(user_id);
    let (account, old) = record::update(host, &key, |cur: Result<Option<Account>, _>| {
        let old = cur.ok().flatten();
        let same_account = old
            .as_ref()
            .is_some_and(|o| o.login.eq_ignore_ascii_case(&login) && o.server_url == server_url);
        let calendars = merge_selection(old.as_ref().filter(|_| same_account), &found);
        let account = Account {
            login: login.clone(),
            password: sealed.clone(),
            server_url: server_url.clone(),
            principal_url: principal.principal_url.clone(),
            home_url: principal.home_url.clone(),
            addresses: principal.addresses.clone(),
            calendars,
            timezone: timezone.clone(),
            status: AccountStatus::Active,
            connected_at_ms: old
                .as_ref()
                .filter(|_| same_account)
                .map_or(now, |o| o.connected_at_ms),
            updated_at_ms: now,
        };
        (Change::Put(account.clone()), (account, old))
    })
    .map_err(|e| store_refusal(host, &e))?;
    // Data of calendars no longer used (deselected, or of the previous account) goes.
    if let Some(old) = &old {
        let same =
            old.login.eq_ignore_ascii_case(&account.login) && old.server_url == account.server_url;
        let kept = |url: &str| same && account.selected().any(|n| caldav::href::same(&n.url, url));
        let gone: Vec<CalendarId> = old
            .calendars
            .iter()
            .filter(|c| !kept(&c.url))
            .map(|c| CalendarId::of_url(&c.url))
            .collect();
        super::data::forget_calendars(host, user_id, &gone).map_err(|e| store_refusal(host, &e))?;
    }
    index::add(host, user_id).map_err(|e| store_refusal(host, &e))?;
    host.log(
        LogLevel::Info,
        &format!(
            "{user_id} connected a CalDAV account with {} calendars",
            account.calendars.len()
        ),
    );
    events::agenda_changed(host, user_id);
    Ok((account, old.is_some()))
}

/// Calendars of a reconnected account keep their selection; new ones are selected (all
/// are, by default); if that leaves none, all are.
fn merge_selection(old: Option<&Account>, found: &[CalendarInfo]) -> Vec<CalendarEntry> {
    let mut out: Vec<CalendarEntry> = found
        .iter()
        .map(|c| CalendarEntry {
            url: c.url.clone(),
            name: c.display_name.clone(),
            color: c.color.clone(),
            selected: old
                .and_then(|o| {
                    o.calendars
                        .iter()
                        .find(|k| caldav::href::same(&k.url, &c.url))
                })
                .is_none_or(|k| k.selected),
        })
        .collect();
    if !out.iter().any(|c| c.selected) {
        for c in &mut out {
            c.selected = true;
        }
    }
    out
}

/// Sets which calendars are used; data of the ones dropped is deleted. Unknown ids mean
/// the dialog was built from an older list: `Ok(None)`.
pub fn choose_calendars(
    host: &impl Host,
    user_id: &str,
    chosen: &[CalendarId],
) -> Result<Option<Account>, Problem> {
    let key = keys::account(user_id);
    let result = record::update(host, &key, |cur: Result<Option<Account>, _>| {
        let Ok(Some(mut account)) = cur else {
            return (Change::Keep, None);
        };
        let known = |id: &CalendarId| {
            account
                .calendars
                .iter()
                .any(|c| CalendarId::of_url(&c.url) == *id)
        };
        if chosen.is_empty() || !chosen.iter().all(known) {
            return (Change::Keep, None);
        }
        let mut dropped = Vec::new();
        for c in &mut account.calendars {
            let id = CalendarId::of_url(&c.url);
            let selected = chosen.contains(&id);
            if c.selected && !selected {
                dropped.push(id);
            }
            c.selected = selected;
        }
        (Change::Put(account.clone()), Some((account, dropped)))
    })
    .map_err(|e| store_problem(host, &e))?;
    let Some((account, dropped)) = result else {
        return Ok(None);
    };
    super::data::forget_calendars(host, user_id, &dropped).map_err(|e| store_problem(host, &e))?;
    events::agenda_changed(host, user_id);
    Ok(Some(account))
}

/// Pauses the account because of `problem`; `true` if this call paused it (so exactly one
/// caller tells the user, however many instances noticed at once).
pub fn pause(host: &impl Host, user_id: &str, problem: Problem) -> Result<bool, Problem> {
    let now = host.now_ms();
    let paused = record::update(
        host,
        &keys::account(user_id),
        |cur: Result<Option<Account>, _>| match cur {
            Ok(Some(mut a)) if !a.is_paused() => {
                a.status = AccountStatus::Paused {
                    problem,
                    since_ms: now,
                };
                (Change::Put(a), true)
            }
            _ => (Change::Keep, false),
        },
    )
    .map_err(|e| store_problem(host, &e))?;
    if paused {
        events::agenda_changed(host, user_id);
    }
    Ok(paused)
}

/// Puts a paused account back to work (a live check passed); `true` if it was paused.
pub fn resume(host: &impl Host, user_id: &str) -> Result<bool, Problem> {
    let resumed = record::update(
        host,
        &keys::account(user_id),
        |cur: Result<Option<Account>, _>| match cur {
            Ok(Some(mut a)) if a.is_paused() => {
                a.status = AccountStatus::Active;
                (Change::Put(a), true)
            }
            _ => (Change::Keep, false),
        },
    )
    .map_err(|e| store_problem(host, &e))?;
    if resumed {
        events::agenda_changed(host, user_id);
    }
    Ok(resumed)
}

/// Pauses the account after the server refused its password, and tells the user once,
/// in a direct message, how to fix it. Nothing is deleted.
pub fn password_rejected(
    host: &impl Host,
    user_id: &str,
    account: &Account,
    locale: crate::i18n::Locale,
) {
    match pause(host, user_id, Problem::WrongPassword) {
        Ok(true) => {
            let post = Post {
                message: locale.t(Msg::PasswordRejectedDm {
                    login: &account.login,
                }),
                attachments: Vec::new(),
                props: Vec::new(),
            };
            if let Err(e) = host.dm_post(user_id, &post) {
                host.log(
                    LogLevel::Error,
                    &format!(
                        "telling {user_id} about the rejected password failed: {}",
                        e.message
                    ),
                );
            }
            host.log(
                LogLevel::Info,
                &format!("{user_id}: password rejected, account paused"),
            );
        }
        Ok(false) => {}
        Err(p) => host.log(LogLevel::Error, &format!("pausing {user_id} failed: {p:?}")),
    }
}

/// Deletes everything of the user; `false` if nothing was connected.
pub fn disconnect(host: &impl Host, user_id: &str) -> Result<bool, Problem> {
    let account = super::load(host, user_id)?;
    let markers_exist = host
        .get(&keys::markers(user_id))
        .map_err(|e| store_problem(host, &store::StoreError::from(e)))?
        .is_some();
    super::data::forget_user(host, user_id, account.as_ref())
        .map_err(|e| store_problem(host, &e))?;
    host.log(LogLevel::Info, &format!("{user_id} disconnected"));
    let was = account.is_some() || markers_exist;
    if was {
        events::agenda_changed(host, user_id);
    }
    Ok(was)
}

fn store_problem(host: &impl Host, e: &store::StoreError) -> Problem {
    host.log(LogLevel::Error, &format!("storing the account failed: {e}"));
    Problem::Storage
}

fn store_refusal(host: &impl Host, e: &store::StoreError) -> Refusal {
    Refusal::Other(store_problem(host, e))
}
