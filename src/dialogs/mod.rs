//! The interactive dialogs (connect/update, calendars, notifications) and reading their
//! submissions. Mattermost limits titles and field names to 24 bytes and help texts to
//! 150; the tests check every dialog in both languages.

use serde_json::{Map, Value};

use crate::bindings::types::{Dialog, DialogElement, ElementKind, SelectOption, TextSubtype};
use crate::i18n::{Locale, Msg};
use crate::store::{Account, CalendarId, NotifyPrefs};

/// Where each dialog is submitted and the button that opens the calendars dialog.
pub const CONNECT_URL: &str = "/dialog/connect";
pub const CALENDARS_URL: &str = "/dialog/calendars";
pub const NOTIFY_URL: &str = "/dialog/notifications";
pub const CHOOSE_CALENDARS_URL: &str = "/actions/calendars";
/// Letters and digits only: Mattermost's route for a button click.
pub const CHOOSE_CALENDARS_ACTION: &str = "calendars";

/// Mattermost's limits (model.DialogTitleMaxLength and friends), in bytes.
pub const MAX_TITLE: usize = 24;
pub const MAX_DISPLAY_NAME: usize = 24;
pub const MAX_HELP: usize = 150;
pub const MAX_PLACEHOLDER: usize = 150;

/// The connect dialog opened for a first connection or to update one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Connect,
    Update,
}

impl Mode {
    pub fn state(self) -> &'static str {
        match self {
            Mode::Connect => "connect",
            Mode::Update => "update",
        }
    }

    pub fn from_state(s: &str) -> Mode {
        if s == "update" {
            Mode::Update
        } else {
            Mode::Connect
        }
    }
}

/// Field names of the connect dialog.
pub const LOGIN: &str = "login";
pub const PASSWORD: &str = "password";
pub const TIMEZONE: &str = "timezone";

fn element(name: &str, display: String, kind: ElementKind) -> DialogElement {
    DialogElement {
        name: name.to_string(),
        display_name: fit(&display, MAX_DISPLAY_NAME),
        kind,
        default_value: String::new(),
        placeholder: String::new(),
        help_text: String::new(),
        optional: false,
        min_length: 0,
        max_length: 150,
    }
}

/// `s` cut to at most `max` bytes at a character boundary, with "…" when cut.
pub fn fit(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let ell = "…";
    let mut end = max.saturating_sub(ell.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{ell}", &s[..end])
}

pub fn connect(
    locale: Locale,
    mode: Mode,
    server: &str,
    login: &str,
    timezone: &str,
    current_tz: &str,
) -> Dialog {
    let mut login_el = element(
        LOGIN,
        locale.t(Msg::LoginLabel),
        ElementKind::Text(TextSubtype::Email),
    );
    login_el.default_value = login.to_string();
    login_el.placeholder = "ivan@yandex.ru".into();
    login_el.help_text = fit(&locale.t(Msg::LoginHelp), MAX_HELP);
    login_el.min_length = 1;
    let mut password_el = element(
        PASSWORD,
        locale.t(Msg::PasswordLabel),
        ElementKind::Text(TextSubtype::Password),
    );
    password_el.help_text = fit(&locale.t(Msg::PasswordHelp), MAX_HELP);
    password_el.min_length = 1;
    let mut tz_el = element(
        TIMEZONE,
        locale.t(Msg::TimezoneLabel),
        ElementKind::Text(TextSubtype::Text),
    );
    tz_el.default_value = timezone.to_string();
    tz_el.placeholder = "Europe/Moscow".into();
    tz_el.help_text = fit(
        &locale.t(Msg::TimezoneHelp {
            current: current_tz,
        }),
        MAX_HELP,
    );
    tz_el.optional = true;
    tz_el.max_length = 64;
    Dialog {
        callback_id: mode.state().into(),
        title: fit(
            &locale.t(match mode {
                Mode::Connect => Msg::ConnectTitle,
                Mode::Update => Msg::UpdateTitle,
            }),
            MAX_TITLE,
        ),
        introduction_text: locale.t(Msg::ConnectIntro { server }),
        elements: vec![login_el, password_el, tz_el],
        submit_label: locale.t(Msg::ConnectSubmit),
        notify_on_cancel: false,
        state: mode.state().into(),
    }
}

/// The checkbox name of a calendar.
pub fn calendar_field(id: &CalendarId) -> String {
    format!("cal_{}", id.as_str())
}

pub fn calendars(locale: Locale, account: &Account) -> Dialog {
    let elements = account
        .calendars
        .iter()
        .map(|c| {
            let id = CalendarId::of_url(&c.url);
            let name = if c.name.trim().is_empty() {
                id.as_str().to_string()
            } else {
                c.name.clone()
            };
            let mut el = element(&calendar_field(&id), name.clone(), ElementKind::Checkbox);
            el.default_value = if c.selected { "true" } else { "false" }.into();
            // The checkbox's own label: the full name when the field name had to be cut.
            el.placeholder = if name.len() > MAX_DISPLAY_NAME {
                fit(&name, MAX_PLACEHOLDER)
            } else {
                locale.t(Msg::CalendarCheckbox)
            };
            el.optional = true;
            el.max_length = 0;
            el
        })
        .collect();
    Dialog {
        callback_id: "calendars".into(),
        title: fit(&locale.t(Msg::CalendarsTitle), MAX_TITLE),
        introduction_text: locale.t(Msg::CalendarsIntro),
        elements,
        submit_label: locale.t(Msg::CalendarsSubmit),
        notify_on_cancel: false,
        state: "calendars".into(),
    }
}

/// The calendars ticked in a submission of [`calendars`]; `None` if a field names a
/// calendar the account does not have.
pub fn chosen_calendars(
    account: &Account,
    submission: &Map<String, Value>,
) -> Option<Vec<CalendarId>> {
    let mut out = Vec::new();
    for (name, value) in submission {
        let Some(id) = name.strip_prefix("cal_").and_then(CalendarId::from_stored) else {
            continue;
        };
        if !account
            .calendars
            .iter()
            .any(|c| CalendarId::of_url(&c.url) == id)
        {
            return None;
        }
        if truthy(value) {
            out.push(id);
        }
    }
    Some(out)
}

/// A checkbox value: Mattermost sends a JSON boolean; other clients may send "true".
pub fn truthy(v: &Value) -> bool {
    match v {
        Value::Bool(b) => *b,
        Value::String(s) => s == "true",
        _ => false,
    }
}

pub fn text<'a>(submission: &'a Map<String, Value>, name: &str) -> &'a str {
    submission.get(name).and_then(Value::as_str).unwrap_or("")
}

/// Field names of the notifications dialog.
pub const DIGEST: &str = "digest";
pub const REMINDER: &str = "reminder";
pub const STATUS: &str = "status";
pub const CHANGES: &str = "changes";
pub const ANSWERS: &str = "answers";
const OFF: &str = "off";
const REMINDER_CHOICES: [u32; 6] = [5, 10, 15, 30, 60, 120];

fn digest_times() -> Vec<String> {
    (12..=24)
        .map(|half_hours| format!("{:02}:{:02}", half_hours / 2, (half_hours % 2) * 30))
        .collect()
}

pub fn notifications(locale: Locale, prefs: Option<&NotifyPrefs>, default_lead: u32) -> Dialog {
    let mut digest_opts = vec![SelectOption {
        text: locale.t(Msg::Off),
        value: OFF.into(),
    }];
    digest_opts.extend(digest_times().into_iter().map(|t| SelectOption {
        text: t.clone(),
        value: t,
    }));
    let mut minutes: Vec<u32> = REMINDER_CHOICES.to_vec();
    if default_lead > 0 && !minutes.contains(&default_lead) {
        minutes.push(default_lead);
        minutes.sort_unstable();
    }
    let mut reminder_opts = vec![SelectOption {
        text: locale.t(Msg::Off),
        value: OFF.into(),
    }];
    reminder_opts.extend(minutes.iter().map(|m| SelectOption {
        text: locale.t(Msg::MinutesBefore(*m)),
        value: m.to_string(),
    }));
    let mut digest = element(
        DIGEST,
        locale.t(Msg::DigestLabel),
        ElementKind::Select(digest_opts),
    );
    digest.help_text = fit(&locale.t(Msg::DigestHelp), MAX_HELP);
    digest.default_value = match prefs {
        Some(p) => p.digest_at.clone().unwrap_or_else(|| OFF.into()),
        None => "09:00".into(),
    };
    let mut reminder = element(
        REMINDER,
        locale.t(Msg::ReminderLabel),
        ElementKind::Select(reminder_opts),
    );
    reminder.help_text = fit(&locale.t(Msg::ReminderHelp), MAX_HELP);
    reminder.default_value = match prefs {
        Some(p) => p.reminder_minutes.map_or(OFF.into(), |m| m.to_string()),
        None if default_lead > 0 => default_lead.to_string(),
        None => OFF.into(),
    };
    let check = |name: &str, label: Msg, placeholder: Msg, on: bool| {
        let mut el = element(name, locale.t(label), ElementKind::Checkbox);
        el.placeholder = fit(&locale.t(placeholder), MAX_PLACEHOLDER);
        el.default_value = on.to_string();
        el.optional = true;
        el.max_length = 0;
        el
    };
    Dialog {
        callback_id: "notifications".into(),
        title: fit(&locale.t(Msg::NotifyTitle), MAX_TITLE),
        introduction_text: locale.t(Msg::NotifyIntro),
        elements: vec![
            digest,
            reminder,
            check(
                STATUS,
                Msg::StatusLabel,
                Msg::StatusPlaceholder,
                prefs.is_none_or(|p| p.status),
            ),
            check(
                CHANGES,
                Msg::ChangesLabel,
                Msg::ChangesPlaceholder,
                prefs.is_none_or(|p| p.changes),
            ),
            check(
                ANSWERS,
                Msg::AnswersLabel,
                Msg::AnswersPlaceholder,
                prefs.is_none_or(|p| p.answers),
            ),
        ],
        submit_label: locale.t(Msg::NotifySubmit),
        notify_on_cancel: false,
        state: "notifications".into(),
    }
}

/// Reads a notifications submission; `Err(field)` names a field with a value the dialog
/// never offered.
pub fn notify_prefs(
    submission: &Map<String, Value>,
    now_ms: i64,
) -> Result<NotifyPrefs, &'static str> {
    let digest = match text(submission, DIGEST) {
        "" | OFF => None,
        t if digest_times().iter().any(|d| d == t) => Some(t.to_string()),
        _ => return Err(DIGEST),
    };
    let reminder = match text(submission, REMINDER) {
        "" | OFF => None,
        m => match m.parse::<u32>() {
            Ok(n) if (1..=1440).contains(&n) => Some(n),
            _ => return Err(REMINDER),
        },
    };
    let flag = |name| submission.get(name).is_some_and(truthy);
    Ok(NotifyPrefs {
        digest_at: digest,
        reminder_minutes: reminder,
        status: flag(STATUS),
        changes: flag(CHANGES),
        answers: flag(ANSWERS),
        updated_at_ms: now_ms,
    })
}

pub fn notify_summary(locale: Locale, p: &NotifyPrefs) -> String {
    locale.t(Msg::NotifySummary {
        digest: p.digest_at.as_deref(),
        reminder: p.reminder_minutes,
        status: p.status,
        changes: p.changes,
        answers: p.answers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::Sealed;
    use crate::store::{AccountStatus, CalendarEntry};

    fn account() -> Account {
        Account {
            login: "ivan@yandex.ru".into(),
            password: Sealed {
                kid: "k".into(),
                nonce: String::new(),
                ct: String::new(),
            },
            server_url: "https://caldav.yandex.ru".into(),
            principal_url: String::new(),
            home_url: String::new(),
            addresses: Vec::new(),
            calendars: vec![
                CalendarEntry {
                    url: "https://caldav.yandex.ru/calendars/ivan/events-1/".into(),
                    name: "Мой календарь с очень длинным названием".into(),
                    color: String::new(),
                    selected: true,
                },
                CalendarEntry {
                    url: "https://caldav.yandex.ru/calendars/ivan/events-2/".into(),
                    name: "Work".into(),
                    color: String::new(),
                    selected: false,
                },
            ],
            timezone: None,
            status: AccountStatus::Active,
            connected_at_ms: 0,
            updated_at_ms: 0,
        }
    }

    fn check_limits(d: &Dialog) {
        assert!(
            !d.title.is_empty() && d.title.len() <= MAX_TITLE,
            "title {:?}",
            d.title
        );
        for e in &d.elements {
            assert!(
                !e.display_name.is_empty() && e.display_name.len() <= MAX_DISPLAY_NAME,
                "display name {:?} is {} bytes",
                e.display_name,
                e.display_name.len()
            );
            assert!(e.help_text.len() <= MAX_HELP, "help {:?}", e.help_text);
            assert!(
                e.placeholder.len() <= MAX_PLACEHOLDER,
                "placeholder {:?}",
                e.placeholder
            );
            assert!(e.min_length <= e.max_length || e.max_length == 0);
            if let ElementKind::Select(opts) = &e.kind {
                assert!(
                    opts.iter().any(|o| o.value == e.default_value),
                    "{}",
                    e.name
                );
            }
        }
    }

    #[test]
    fn every_dialog_fits_mattermost_limits_in_both_languages() {
        let longest_tz = chrono_tz::TZ_VARIANTS
            .iter()
            .map(|t| t.name())
            .max_by_key(|n| n.len())
            .unwrap_or("");
        for locale in Locale::ALL {
            for mode in [Mode::Connect, Mode::Update] {
                check_limits(&connect(
                    locale,
                    mode,
                    "https://caldav.yandex.ru",
                    "",
                    "",
                    longest_tz,
                ));
            }
            check_limits(&calendars(locale, &account()));
            check_limits(&notifications(locale, None, 10));
            check_limits(&notifications(locale, None, 7));
        }
    }

    #[test]
    fn calendar_choice_round_trip() {
        let a = account();
        let d = calendars(Locale::Ru, &a);
        assert_eq!(d.elements.len(), 2);
        assert_eq!(d.elements[0].default_value, "true");
        assert_eq!(d.elements[1].default_value, "false");
        assert!(d.elements[0].display_name.ends_with('…'));
        assert_eq!(
            d.elements[0].placeholder,
            "Мой календарь с очень длинным названием"
        );
        let mut sub = Map::new();
        sub.insert(d.elements[0].name.clone(), Value::Bool(false));
        sub.insert(d.elements[1].name.clone(), Value::Bool(true));
        let chosen = chosen_calendars(&a, &sub).unwrap();
        assert_eq!(chosen, vec![CalendarId::of_url(&a.calendars[1].url)]);
        sub.insert("cal_0123456789abcdef".into(), Value::Bool(true));
        assert_eq!(chosen_calendars(&a, &sub), None);
    }

    #[test]
    fn notification_choices() {
        let mut sub = Map::new();
        sub.insert(DIGEST.into(), Value::String("08:30".into()));
        sub.insert(REMINDER.into(), Value::String("15".into()));
        sub.insert(STATUS.into(), Value::Bool(true));
        sub.insert(CHANGES.into(), Value::String("true".into()));
        let p = notify_prefs(&sub, 5).unwrap();
        assert_eq!(p.digest_at.as_deref(), Some("08:30"));
        assert_eq!(p.reminder_minutes, Some(15));
        assert!(p.status && p.changes && !p.answers);
        sub.insert(DIGEST.into(), Value::String("25:00".into()));
        assert_eq!(notify_prefs(&sub, 5), Err(DIGEST));
        let d = notifications(Locale::En, Some(&p), 10);
        assert_eq!(d.elements[0].default_value, "08:30");
        assert_eq!(d.elements[1].default_value, "15");
        assert_eq!(d.elements[4].default_value, "false");
    }

    #[test]
    fn fit_cuts_at_characters() {
        assert_eq!(fit("Календарь", 24), "Календарь");
        let cut = fit("Очень длинное имя календаря", 24);
        assert!(cut.len() <= 24 && cut.ends_with('…'), "{cut}");
    }
}
