//! `connections profile`, `checks check_account` and `checks check_scheduler`.

use chrono::{DateTime, NaiveDateTime, Utc};
use chrono_tz::Tz;

use crate::account;
use crate::agenda;
use crate::dialogs;
use crate::host::Host;
use crate::i18n::Msg;
use crate::store::{keys, record, AccountStatus, NotifyPrefs};

fn local(tz: Tz, ms: i64) -> NaiveDateTime {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .unwrap_or_default()
        .with_timezone(&tz)
        .naive_local()
}

pub fn render(host: &impl Host, user_id: &str) -> String {
    let (account, person) = match account::connected(host, user_id) {
        Ok(found) => found,
        Err(message) => return message,
    };
    // Ask the server first (one request when nothing changed): idle polls store nothing,
    // so the stored time is only the last sync that found something to store.
    let fresh = matches!(
        agenda::sync_before_answer(host, user_id, &account, &person),
        agenda::Synced::Fresh
    );
    // The sync may have paused the account (a refused password): read it again.
    let (account, person) = match account::connected(host, user_id) {
        Ok(found) => found,
        Err(message) => return message,
    };
    let l = person.locale;
    let markers = account::data::markers(host, user_id).unwrap_or_default();
    let last_ok = if fresh {
        Some(host.now_ms())
    } else {
        markers.last_ok_ms
    };
    let prefs = record::get_or_rebuild::<NotifyPrefs>(host, &keys::notify(user_id))
        .ok()
        .flatten();
    let mut lines = vec![
        l.t(Msg::ProfileTitle),
        l.t(Msg::ProfileLogin {
            login: &account.login,
        }),
        l.t(Msg::ProfileCalendars {
            names: &crate::http::selected_names(&account),
            shown: account.selected().count(),
            total: account.calendars.len(),
        }),
        l.t(Msg::ProfileTimezone {
            tz: person.tz.name(),
            source: person.tz_source,
        }),
        match &prefs {
            Some(p) => l.t(Msg::ProfileNotifySaved {
                summary: &dialogs::notify_summary(l, p),
            }),
            None => l.t(Msg::ProfileNotifyOff),
        },
        l.t(Msg::ProfileLastSync {
            when: last_ok.map(|ms| local(person.tz, ms)),
        }),
        match markers.last_problem {
            Some(p) => l.t(Msg::ProfileLastProblem {
                problem: p.problem,
                when: local(person.tz, p.at_ms),
            }),
            None => l.t(Msg::ProfileNoProblem),
        },
    ];
    lines.push(match account.status {
        AccountStatus::Active => l.t(Msg::ProfileActive),
        AccountStatus::Paused { problem, .. } => l.t(Msg::ProfilePaused { problem }),
    });
    lines.join("\n")
}

/// Checks the stored login and password live; a paused account that passes is resumed.
pub fn check_account(host: &impl Host, user_id: &str) -> String {
    let (account, person) = match account::connected(host, user_id) {
        Ok(found) => found,
        Err(message) => return message,
    };
    let l = person.locale;
    let password = match account::password(host, user_id, &account) {
        Ok(p) => p,
        Err(problem) => return l.t(Msg::CheckFailed { problem }),
    };
    match account::connect::check(host, &account.server_url, &account.login, &password) {
        Ok((_, calendars)) => {
            let mut out = l.t(Msg::CheckOk {
                login: &account.login,
                calendars: calendars.len(),
            });
            if let Ok(true) = account::connect::resume(host, user_id) {
                out.push(' ');
                out.push_str(&l.t(Msg::CheckResumed));
            }
            // A working login deserves a fresh sync: it also clears the last error.
            if let Ok(Some(current)) = account::load(host, user_id) {
                if !current.is_paused() {
                    let _ = account::refresh::refresh(host, user_id, &current, &password);
                }
            }
            out
        }
        Err(problem) => {
            if problem == crate::store::Problem::WrongPassword {
                account::connect::password_rejected(host, user_id, &account, l);
            }
            l.t(Msg::CheckFailed { problem })
        }
    }
}

/// What is set and planned: [`crate::notify::scheduler_report`].
pub fn check_scheduler(host: &impl Host, user_id: &str) -> String {
    crate::notify::scheduler_report(host, user_id)
}
