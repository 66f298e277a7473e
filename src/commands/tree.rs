//! The `/yandex_calendar` command tree: one table drives parsing, the help text and the
//! autocomplete the host registers, so the three can never disagree.

use crate::i18n::Text;

pub const TRIGGER: &str = "yandex_calendar";

/// Everything the plugin can be asked to do from the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    AgendaToday,
    AgendaTomorrow,
    AgendaDate,
    AgendaRange,
    AgendaWeek,
    AgendaMonth,
    Connect,
    Disconnect,
    UpdateConnection,
    Profile,
    NotificationsCreate,
    NotificationsUpdate,
    NotificationsDelete,
    CheckAccount,
    CheckScheduler,
    Info,
}

/// A positional argument of a subcommand.
#[derive(Debug, Clone, Copy)]
pub struct Arg {
    pub hint: &'static str,
    pub help: Text,
    /// What Mattermost's autocomplete checks the text against.
    pub pattern: &'static str,
}

#[derive(Debug, Clone, Copy)]
pub struct Sub {
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    pub action: Action,
    pub args: &'static [Arg],
    pub help: Text,
}

#[derive(Debug, Clone, Copy)]
pub struct Group {
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    pub help: Text,
    pub subs: &'static [Sub],
}

const DATE_PATTERN: &str = r"^\S+$";

const DATE: Arg = Arg {
    hint: "<date>",
    help: Text::new(
        "A date: 2026-12-01, 01.12.2026, 1.12, today, tomorrow",
        "Дата: 2026-12-01, 01.12.2026, 1.12, сегодня, завтра",
    ),
    pattern: DATE_PATTERN,
};
const FROM: Arg = Arg {
    hint: "<from>",
    help: Text::new("First day of the range", "Первый день периода"),
    pattern: DATE_PATTERN,
};
const TO: Arg = Arg {
    hint: "<to>",
    help: Text::new("Last day of the range", "Последний день периода"),
    pattern: DATE_PATTERN,
};

pub const GROUPS: &[Group] = &[
    Group {
        name: "calendars",
        aliases: &["calendar", "cal"],
        help: Text::new("Your meetings", "Ваши встречи"),
        subs: &[
            Sub {
                name: "today",
                aliases: &[],
                action: Action::AgendaToday,
                args: &[],
                help: Text::new("Meetings today", "Встречи на сегодня"),
            },
            Sub {
                name: "tomorrow",
                aliases: &[],
                action: Action::AgendaTomorrow,
                args: &[],
                help: Text::new("Meetings tomorrow", "Встречи на завтра"),
            },
            Sub {
                name: "current",
                aliases: &["date", "day"],
                action: Action::AgendaDate,
                args: &[DATE],
                help: Text::new("Meetings on a date", "Встречи в указанный день"),
            },
            Sub {
                name: "from_to",
                aliases: &["range"],
                action: Action::AgendaRange,
                args: &[FROM, TO],
                help: Text::new("Meetings in a range of days", "Встречи за период"),
            },
            Sub {
                name: "get_a_week",
                aliases: &["week"],
                action: Action::AgendaWeek,
                args: &[],
                help: Text::new("Meetings for the next 7 days", "Встречи на 7 дней вперёд"),
            },
            Sub {
                name: "get_a_month",
                aliases: &["month"],
                action: Action::AgendaMonth,
                args: &[],
                help: Text::new("Meetings for the next 30 days", "Встречи на 30 дней вперёд"),
            },
        ],
    },
    Group {
        name: "connections",
        aliases: &["connection", "account"],
        help: Text::new("Your Yandex account", "Ваш аккаунт Яндекса"),
        subs: &[
            Sub {
                name: "connect",
                aliases: &[],
                action: Action::Connect,
                args: &[],
                help: Text::new(
                    "Connect Yandex Calendar with an app password",
                    "Подключить Яндекс Календарь паролем приложения",
                ),
            },
            Sub {
                name: "disconnect",
                aliases: &[],
                action: Action::Disconnect,
                args: &[],
                help: Text::new(
                    "Disconnect and forget the password",
                    "Отключить и забыть пароль",
                ),
            },
            Sub {
                name: "update",
                aliases: &[],
                action: Action::UpdateConnection,
                args: &[],
                help: Text::new(
                    "Change the login, password or calendars",
                    "Сменить логин, пароль или календари",
                ),
            },
            Sub {
                name: "profile",
                aliases: &[],
                action: Action::Profile,
                args: &[],
                help: Text::new("What is connected", "Что подключено"),
            },
        ],
    },
    Group {
        name: "notifications",
        aliases: &["notification", "notify"],
        help: Text::new(
            "Digest, reminders and status",
            "Сводка, напоминания и статус",
        ),
        subs: &[
            Sub {
                name: "create",
                aliases: &[],
                action: Action::NotificationsCreate,
                args: &[],
                help: Text::new("Turn notifications on", "Включить уведомления"),
            },
            Sub {
                name: "update",
                aliases: &[],
                action: Action::NotificationsUpdate,
                args: &[],
                help: Text::new(
                    "Change notification settings",
                    "Изменить настройки уведомлений",
                ),
            },
            Sub {
                name: "delete",
                aliases: &[],
                action: Action::NotificationsDelete,
                args: &[],
                help: Text::new("Turn notifications off", "Выключить уведомления"),
            },
        ],
    },
    Group {
        name: "checks",
        aliases: &["check"],
        help: Text::new("Is everything working", "Всё ли работает"),
        subs: &[
            Sub {
                name: "check_account",
                aliases: &["account"],
                action: Action::CheckAccount,
                args: &[],
                help: Text::new(
                    "Is my account connected and the password valid",
                    "Подключён ли аккаунт и действует ли пароль",
                ),
            },
            Sub {
                name: "check_scheduler",
                aliases: &["scheduler"],
                action: Action::CheckScheduler,
                args: &[],
                help: Text::new(
                    "Are my notifications scheduled",
                    "Запланированы ли уведомления",
                ),
            },
        ],
    },
];

/// `info` stands alone, outside the groups.
pub const INFO: Sub = Sub {
    name: "info",
    aliases: &["help"],
    action: Action::Info,
    args: &[],
    help: Text::new(
        "What this plugin does and how",
        "Что умеет плагин и как им пользоваться",
    ),
};

/// Short forms people type: `/yandex_calendar today` is `calendars today`.
pub const SHORTCUTS: &[(&str, &str, &str)] = &[
    ("today", "calendars", "today"),
    ("tomorrow", "calendars", "tomorrow"),
    ("date", "calendars", "current"),
    ("range", "calendars", "from_to"),
    ("week", "calendars", "get_a_week"),
    ("month", "calendars", "get_a_month"),
    ("connect", "connections", "connect"),
    ("disconnect", "connections", "disconnect"),
    ("profile", "connections", "profile"),
];

impl Group {
    pub fn matches(&self, word: &str) -> bool {
        self.name == word || self.aliases.contains(&word)
    }
}

impl Sub {
    pub fn matches(&self, word: &str) -> bool {
        self.name == word || self.aliases.contains(&word)
    }
}

pub fn group(word: &str) -> Option<&'static Group> {
    GROUPS.iter().find(|g| g.matches(word))
}
