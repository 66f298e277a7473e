//! The interactive dialogs (connect/update, calendars, notifications) and reading their
//! submissions. Mattermost limits titles and field names to 24 bytes and help texts to
//! 150; the tests check every dialog in both languages.

use serde_json::{Map, Value};

use crate::bindings::types::{Dialog, DialogElement, ElementKind, SelectOption, TextSubtype};
use crate::i18n::{Locale, Msg};
use crate::store::{Account, CalendarId, DigestDays, NotifyPrefs};

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
pub const DIGEST_DAYS: &str = "digest_days";
pub const DIGEST_EMPTY: &str = "digest_empty";
pub const REMINDER: &str = "reminder";
pub const STATUS: &str = "status";
pub const CHANGES: &str = "changes";
pub const ANSWERS: &str = "answers";
const OFF: &str = "off";
const WEEKDAYS: &str = "weekdays";
const EVERY_DAY: &str = "every_day";
const REMINDER_CHOICES: [u32; 6] = [5, 10, 15, 30, 60, 120];
/// The digest time a new user is offered.
const DEFAULT_DIGEST: &str = "09:00";

/// The checkbox name of a calendar to watch.
pub fn watch_field(id: &CalendarId) -> String {
    format!("watch_{}", id.as_str())
}

/// Every quarter of an hour, 00:00–23:45.
fn digest_times() -> Vec<String> {
    (0..96)
        .map(|q| format!("{:02}:{:02}", q / 4, (q % 4) * 15))
        .collect()
}

/// The notifications dialog: digest (time, days, empty days), reminder, status, changes,
/// answers, and — with several calendars shown — which of them to be notified about.
/// `update` opens it with the saved values; a new user gets the defaults (the digest at
/// 09:00 on weekdays, the admin's reminder lead, everything on, every calendar).
pub fn notifications(
    locale: Locale,
    account: &Account,
    prefs: Option<&NotifyPrefs>,
    default_lead: u32,
) -> Dialog {
    let off = || SelectOption {
        text: locale.t(Msg::Off),
        value: OFF.into(),
    };
    let mut times = digest_times();
    // A time saved with minute precision (through the API) stays selectable.
    if let Some(t) = prefs.and_then(|p| p.digest_at.clone()) {
        if !times.contains(&t) {
            times.push(t);
            times.sort();
        }
    }
    let mut digest_opts = vec![off()];
    digest_opts.extend(times.into_iter().map(|t| SelectOption {
        text: t.clone(),
        value: t,
    }));
    let mut minutes: Vec<u32> = REMINDER_CHOICES.to_vec();
    for m in [Some(default_lead), prefs.and_then(|p| p.reminder_minutes)]
        .into_iter()
        .flatten()
    {
        if !minutes.contains(&m) {
            minutes.push(m);
        }
    }
    minutes.sort_unstable();
    let mut reminder_opts = vec![off()];
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
        None => DEFAULT_DIGEST.into(),
    };
    let mut days = element(
        DIGEST_DAYS,
        locale.t(Msg::DigestDaysLabel),
        ElementKind::Radio(vec![
            SelectOption {
                text: locale.t(Msg::Weekdays),
                value: WEEKDAYS.into(),
            },
            SelectOption {
                text: locale.t(Msg::EveryDay),
                value: EVERY_DAY.into(),
            },
        ]),
    );
    days.default_value = match prefs.map_or(DigestDays::Weekdays, |p| p.digest_days) {
        DigestDays::Weekdays => WEEKDAYS.into(),
        DigestDays::EveryDay => EVERY_DAY.into(),
    };
    let mut reminder = element(
        REMINDER,
        locale.t(Msg::ReminderLabel),
        ElementKind::Select(reminder_opts),
    );
    reminder.help_text = fit(&locale.t(Msg::ReminderHelp), MAX_HELP);
    reminder.default_value = match prefs {
        Some(p) => p.reminder_minutes.map_or(OFF.into(), |m| m.to_string()),
        None => default_lead.to_string(),
    };
    let check = |name: &str, label: String, placeholder: Msg, on: bool| {
        let mut el = element(name, label, ElementKind::Checkbox);
        el.placeholder = fit(&locale.t(placeholder), MAX_PLACEHOLDER);
        el.default_value = on.to_string();
        el.optional = true;
        el.max_length = 0;
        el
    };
    let mut elements = vec![
        digest,
        days,
        check(
            DIGEST_EMPTY,
            locale.t(Msg::DigestEmptyLabel),
            Msg::DigestEmptyPlaceholder,
            prefs.is_none_or(|p| p.digest_empty),
        ),
        reminder,
        check(
            STATUS,
            locale.t(Msg::StatusLabel),
            Msg::StatusPlaceholder,
            prefs.is_none_or(|p| p.status),
        ),
        check(
            CHANGES,
            locale.t(Msg::ChangesLabel),
            Msg::ChangesPlaceholder,
            prefs.is_none_or(|p| p.changes),
        ),
        check(
            ANSWERS,
            locale.t(Msg::AnswersLabel),
            Msg::AnswersPlaceholder,
            prefs.is_none_or(|p| p.answers),
        ),
    ];
    let shown: Vec<&crate::store::CalendarEntry> = account.selected().collect();
    if shown.len() > 1 {
        for c in shown {
            let id = CalendarId::of_url(&c.url);
            let name = if c.name.trim().is_empty() {
                id.as_str().to_string()
            } else {
                c.name.clone()
            };
            let on = prefs.is_none_or(|p| p.watches(&id));
            elements.push(check(&watch_field(&id), name, Msg::WatchPlaceholder, on));
        }
    }
    Dialog {
        callback_id: "notifications".into(),
        title: fit(&locale.t(Msg::NotifyTitle), MAX_TITLE),
        introduction_text: locale.t(Msg::NotifyIntro),
        elements,
        submit_label: locale.t(Msg::NotifySubmit),
        notify_on_cancel: false,
        state: "notifications".into(),
    }
}

/// Why a notifications submission cannot be saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotifyRefusal {
    /// A field with a value the dialog never offered.
    Field(&'static str),
    /// Calendars were offered and none is ticked.
    NoCalendar,
}

/// Reads a notifications submission. The digest time may be any `HH:MM` (the dialog offers
/// quarters of an hour; an API client may be exact to the minute).
pub fn notify_prefs(
    submission: &Map<String, Value>,
    account: &Account,
    now_ms: i64,
) -> Result<NotifyPrefs, NotifyRefusal> {
    let digest = match text(submission, DIGEST) {
        "" | OFF => None,
        t => match crate::notify::plan::parse_hhmm(t) {
            Some(time) => Some(time.format("%H:%M").to_string()),
            None => return Err(NotifyRefusal::Field(DIGEST)),
        },
    };
    let digest_days = match text(submission, DIGEST_DAYS) {
        "" | WEEKDAYS => DigestDays::Weekdays,
        EVERY_DAY => DigestDays::EveryDay,
        _ => return Err(NotifyRefusal::Field(DIGEST_DAYS)),
    };
    let reminder = match text(submission, REMINDER) {
        "" | OFF => None,
        m => match m.parse::<u32>() {
            Ok(n) if n <= 1440 => Some(n),
            _ => return Err(NotifyRefusal::Field(REMINDER)),
        },
    };
    let flag = |name: &str| submission.get(name).is_some_and(truthy);
    let shown: Vec<CalendarId> = account
        .selected()
        .map(|c| CalendarId::of_url(&c.url))
        .collect();
    let offered = shown
        .iter()
        .any(|id| submission.contains_key(&watch_field(id)));
    let calendars = if shown.len() > 1 && offered {
        let ticked: Vec<String> = shown
            .iter()
            .filter(|id| flag(&watch_field(id)))
            .map(|id| id.as_str().to_string())
            .collect();
        if ticked.is_empty() {
            return Err(NotifyRefusal::NoCalendar);
        }
        // All ticked: every calendar shown, also those chosen later.
        (ticked.len() < shown.len()).then_some(ticked)
    } else {
        // One calendar, or a client that sent no calendar fields: all of them.
        None
    };
    Ok(NotifyPrefs {
        digest_at: digest,
        digest_days,
        digest_empty: flag(DIGEST_EMPTY),
        reminder_minutes: reminder,
        status: flag(STATUS),
        changes: flag(CHANGES),
        answers: flag(ANSWERS),
        calendars,
        updated_at_ms: now_ms,
    })
}

pub fn notify_summary(locale: Locale, p: &NotifyPrefs) -> String {
    locale.t(Msg::NotifySummary {
        digest: p.digest_at.as_deref(),
        days: p.digest_days,
        empty: p.digest_empty,
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
            check_limits(&notifications(locale, &account(), None, 10));
            check_limits(&notifications(locale, &account(), None, 7));
            let mut two = account();
            two.calendars[1].selected = true;
            check_limits(&notifications(locale, &two, None, 1));
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
        let a = account();
        let mut sub = Map::new();
        sub.insert(DIGEST.into(), Value::String("08:30".into()));
        sub.insert(DIGEST_DAYS.into(), Value::String("every_day".into()));
        sub.insert(REMINDER.into(), Value::String("15".into()));
        sub.insert(STATUS.into(), Value::Bool(true));
        sub.insert(CHANGES.into(), Value::String("true".into()));
        let p = notify_prefs(&sub, &a, 5).unwrap();
        assert_eq!(p.digest_at.as_deref(), Some("08:30"));
        assert_eq!(p.digest_days, DigestDays::EveryDay);
        assert!(!p.digest_empty);
        assert_eq!(p.reminder_minutes, Some(15));
        assert!(p.status && p.changes && !p.answers);
        assert_eq!(p.calendars, None, "one calendar shown: nothing to choose");
        sub.insert(DIGEST.into(), Value::String("25:00".into()));
        assert_eq!(notify_prefs(&sub, &a, 5), Err(NotifyRefusal::Field(DIGEST)));
        // Minute precision from an API client.
        sub.insert(DIGEST.into(), Value::String("07:07".into()));
        assert_eq!(
            notify_prefs(&sub, &a, 5).unwrap().digest_at.as_deref(),
            Some("07:07")
        );
        let d = notifications(Locale::En, &a, Some(&p), 10);
        let value = |name: &str| {
            d.elements
                .iter()
                .find(|e| e.name == name)
                .map(|e| e.default_value.clone())
                .unwrap_or_default()
        };
        assert_eq!(value(DIGEST), "08:30");
        assert_eq!(value(DIGEST_DAYS), "every_day");
        assert_eq!(value(DIGEST_EMPTY), "false");
        assert_eq!(value(REMINDER), "15");
        assert_eq!(value(ANSWERS), "false");
        // Quarters of an hour, 00:00 to 23:45.
        let Some(ElementKind::Select(times)) = d.elements.first().map(|e| e.kind.clone()) else {
            panic!("the digest is a select");
        };
        assert_eq!(times.len(), 97);
        assert_eq!(times[1].value, "00:00");
        assert_eq!(times[96].value, "23:45");
    }

    #[test]
    fn calendars_to_watch() {
        let mut a = account();
        a.calendars[1].selected = true;
        let d = notifications(Locale::Ru, &a, None, 10);
        let watch: Vec<&DialogElement> = d
            .elements
            .iter()
            .filter(|e| e.name.starts_with("watch_"))
            .collect();
        assert_eq!(watch.len(), 2);
        assert!(
            watch.iter().all(|e| e.default_value == "true"),
            "default: all"
        );
        let mut sub = Map::new();
        sub.insert(REMINDER.into(), Value::String("10".into()));
        assert_eq!(
            notify_prefs(&sub, &a, 1).unwrap().calendars,
            None,
            "no fields: all"
        );
        sub.insert(watch[0].name.clone(), Value::Bool(false));
        sub.insert(watch[1].name.clone(), Value::Bool(false));
        assert_eq!(notify_prefs(&sub, &a, 1), Err(NotifyRefusal::NoCalendar));
        sub.insert(watch[1].name.clone(), Value::Bool(true));
        let p = notify_prefs(&sub, &a, 1).unwrap();
        let work = CalendarId::of_url(&a.calendars[1].url);
        assert_eq!(p.calendars, Some(vec![work.as_str().to_string()]));
        assert!(p.watches(&work));
        assert!(!p.watches(&CalendarId::of_url(&a.calendars[0].url)));
        sub.insert(watch[0].name.clone(), Value::Bool(true));
        assert_eq!(notify_prefs(&sub, &a, 1).unwrap().calendars, None);
    }

    #[test]
    fn fit_cuts_at_characters() {
        assert_eq!(fit("Календарь", 24), "Календарь");
        let cut = fit("Очень длинное имя календаря", 24);
        assert!(cut.len() <= 24 && cut.ends_with('…'), "{cut}");
    }
}
