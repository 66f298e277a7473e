//! The `/yandex_calendar` command tree: one table drives parsing, the help text and the
//! autocomplete the host registers, so the three can never disagree.

use crate::i18n::Help;

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
    pub help: Help,
    /// What Mattermost's autocomplete checks the text against.
    pub pattern: &'static str,
}

#[derive(Debug, Clone, Copy)]
pub struct Sub {
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    pub action: Action,
    pub args: &'static [Arg],
    pub help: Help,
}

#[derive(Debug, Clone, Copy)]
pub struct Group {
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    pub help: Help,
    pub subs: &'static [Sub],
}

const DATE_PATTERN: &str = r"^\S+$";

const DATE: Arg = Arg {
    hint: "<date>",
    help: Help::ArgDate,
    pattern: DATE_PATTERN,
};
const FROM: Arg = Arg {
    hint: "<from>",
    help: Help::ArgFrom,
    pattern: DATE_PATTERN,
};
const TO: Arg = Arg {
    hint: "<to>",
    help: Help::ArgTo,
    pattern: DATE_PATTERN,
};

pub const GROUPS: &[Group] = &[
    Group {
        name: "calendars",
        aliases: &["calendar", "cal"],
        help: Help::Calendars,
        subs: &[
            Sub {
                name: "today",
                aliases: &[],
                action: Action::AgendaToday,
                args: &[],
                help: Help::Today,
            },
            Sub {
                name: "tomorrow",
                aliases: &[],
                action: Action::AgendaTomorrow,
                args: &[],
                help: Help::Tomorrow,
            },
            Sub {
                name: "current",
                aliases: &["date", "day"],
                action: Action::AgendaDate,
                args: &[DATE],
                help: Help::Date,
            },
            Sub {
                name: "from_to",
                aliases: &["range"],
                action: Action::AgendaRange,
                args: &[FROM, TO],
                help: Help::Range,
            },
            Sub {
                name: "get_a_week",
                aliases: &["week"],
                action: Action::AgendaWeek,
                args: &[],
                help: Help::Week,
            },
            Sub {
                name: "get_a_month",
                aliases: &["month"],
                action: Action::AgendaMonth,
                args: &[],
                help: Help::Month,
            },
        ],
    },
    Group {
        name: "connections",
        aliases: &["connection", "account"],
        help: Help::Connections,
        subs: &[
            Sub {
                name: "connect",
                aliases: &[],
                action: Action::Connect,
                args: &[],
                help: Help::Connect,
            },
            Sub {
                name: "disconnect",
                aliases: &[],
                action: Action::Disconnect,
                args: &[],
                help: Help::Disconnect,
            },
            Sub {
                name: "update",
                aliases: &[],
                action: Action::UpdateConnection,
                args: &[],
                help: Help::Update,
            },
            Sub {
                name: "profile",
                aliases: &[],
                action: Action::Profile,
                args: &[],
                help: Help::Profile,
            },
        ],
    },
    Group {
        name: "notifications",
        aliases: &["notification", "notify"],
        help: Help::Notifications,
        subs: &[
            Sub {
                name: "create",
                aliases: &[],
                action: Action::NotificationsCreate,
                args: &[],
                help: Help::NotifyCreate,
            },
            Sub {
                name: "update",
                aliases: &[],
                action: Action::NotificationsUpdate,
                args: &[],
                help: Help::NotifyUpdate,
            },
            Sub {
                name: "delete",
                aliases: &[],
                action: Action::NotificationsDelete,
                args: &[],
                help: Help::NotifyDelete,
            },
        ],
    },
    Group {
        name: "checks",
        aliases: &["check"],
        help: Help::Checks,
        subs: &[
            Sub {
                name: "check_account",
                aliases: &["account"],
                action: Action::CheckAccount,
                args: &[],
                help: Help::CheckAccount,
            },
            Sub {
                name: "check_scheduler",
                aliases: &["scheduler"],
                action: Action::CheckScheduler,
                args: &[],
                help: Help::CheckScheduler,
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
    help: Help::Info,
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
