//! English. Every [`Msg`] case, matched exhaustively.

use chrono::{Datelike, NaiveDate, Timelike};

use super::{AgendaKind, Answer, Changed, DateWords, Help, Msg, Scope, TzSource, Ui};
use crate::ical::PartStat;
use crate::rsvp::Failure;
use crate::settings::{SettingsError, REMINDER_LEAD_RANGE, SYNC_INTERVAL_RANGE};
use crate::store::{DigestDays, Problem};

pub(super) const DATE_WORDS: DateWords = DateWords {
    today: &["today"],
    tomorrow: &["tomorrow", "tmrw"],
    yesterday: &["yesterday"],
    weekdays: [
        &["monday", "mon"],
        &["tuesday", "tue", "tues"],
        &["wednesday", "wed"],
        &["thursday", "thu", "thur", "thurs"],
        &["friday", "fri"],
        &["saturday", "sat"],
        &["sunday", "sun"],
    ],
};

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const MONTHS_LONG: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

fn day(d: NaiveDate) -> String {
    format!(
        "{}, {}",
        WEEKDAYS[d.weekday().num_days_from_monday() as usize],
        day_no_weekday(d)
    )
}

fn day_no_weekday(d: NaiveDate) -> String {
    format!("{} {}", MONTHS[d.month0() as usize], d.day())
}

fn help(h: Help) -> &'static str {
    match h {
        Help::Command => "Yandex Calendar in Mattermost",
        Help::Calendars => "Your meetings",
        Help::Today => "Meetings today",
        Help::Tomorrow => "Meetings tomorrow",
        Help::Date => "Meetings on a date",
        Help::Range => "Meetings in a range of days",
        Help::Week => "Meetings for the next 7 days",
        Help::Month => "Meetings for the next 30 days",
        Help::Connections => "Your Yandex account",
        Help::Connect => "Connect Yandex Calendar with an app password",
        Help::Disconnect => "Disconnect and forget the password",
        Help::Update => "Change the login, password or calendars",
        Help::Profile => "What is connected",
        Help::Notifications => "Digest, reminders and status",
        Help::NotifyCreate => "Turn notifications on",
        Help::NotifyUpdate => "Change notification settings",
        Help::NotifyDelete => "Turn notifications off",
        Help::Checks => "Is everything working",
        Help::CheckAccount => "Is my account connected and the password valid",
        Help::CheckScheduler => "Are my notifications scheduled",
        Help::Info => "What this plugin does and how",
        Help::ArgDate => "A date: 2026-12-01, 01.12.2026, 1.12, today, tomorrow, friday",
        Help::ArgFrom => "First day of the range",
        Help::ArgTo => "Last day of the range",
    }
}

fn problem(p: Problem) -> &'static str {
    match p {
        Problem::WrongPassword => {
            "Yandex did not accept the login or app password. Check the login (the full \
             address, e.g. ivan@yandex.ru) and use an app password of type Calendar, not \
             your Yandex password."
        }
        Problem::Unreachable => {
            "The calendar server cannot be reached (no connection). Try again later; if it \
             persists, tell your Mattermost administrator."
        }
        Problem::Tls => {
            "A secure connection to the calendar server failed (TLS certificate problem). \
             Tell your Mattermost administrator."
        }
        Problem::Timeout => "The calendar server did not answer in time. Try again in a minute.",
        Problem::Throttled => {
            "The calendar server is busy or limiting requests. Try again in a few minutes."
        }
        Problem::NotCalDav => {
            "The configured server does not answer as a CalDAV calendar server. Ask your \
             Mattermost administrator to check the plugin's CalDAV server URL."
        }
        Problem::BadServerUrl => {
            "The plugin's CalDAV server URL setting is not a valid address. Tell your \
             Mattermost administrator."
        }
        Problem::CalendarGone => {
            "One of your calendars is gone from the server. Choose your calendars again with \
             `/yandex_calendar connections update`."
        }
        Problem::Forbidden => "The server refused access to one of your calendars.",
        Problem::BadAnswer => {
            "The calendar server sent an answer that could not be read. Try again later."
        }
        Problem::KeyChanged => {
            "Your saved app password can no longer be read (the administrator changed the \
             plugin's encryption key). Connect again: `/yandex_calendar connections update`."
        }
        Problem::NoKey => {
            "The plugin is not fully set up: it has no encryption key. Ask your Mattermost \
             administrator to open System Console → Plugins → Yandex Calendar and save."
        }
        Problem::Storage => {
            "Mattermost could not save or read the plugin's data. Try again; if it persists, \
             tell your administrator."
        }
    }
}

fn agenda_title(kind: AgendaKind, from: NaiveDate, to: NaiveDate) -> String {
    match kind {
        AgendaKind::Today => format!("Today, {}", day(from)),
        AgendaKind::Tomorrow => format!("Tomorrow, {}", day(from)),
        AgendaKind::Day => day(from),
        AgendaKind::Range => format!("{} – {}", day(from), day(to)),
        AgendaKind::Week => format!("Week: {} – {}", day(from), day(to)),
        AgendaKind::Month => format!("30 days: {} – {}", day(from), day(to)),
        AgendaKind::Digest => format!("☀️ Your day, {}", day(from)),
    }
}

fn answer_verb(a: PartStat) -> &'static str {
    match a {
        PartStat::Accepted => "accepted",
        PartStat::Declined => "declined",
        PartStat::Tentative => "answered maybe to",
        PartStat::NeedsAction => "has not answered yet",
        PartStat::Delegated => "delegated the invitation to",
    }
}

/// `Bob declined «Demo»`; "has not answered yet" reads better with "to".
fn answer_phrase(who: &str, a: PartStat, title: &str) -> String {
    match a {
        PartStat::NeedsAction => format!("{who} has not answered «{title}» yet"),
        _ => format!("{who} {} «{title}»", answer_verb(a)),
    }
}

fn changed(c: &Changed<'_>) -> String {
    match c {
        Changed::Title { old, new } => format!("title «{old}» → «{new}»"),
        Changed::Location {
            old: Some(old),
            new: Some(new),
        } => format!("place «{old}» → «{new}»"),
        Changed::Location {
            old: None,
            new: Some(new),
        } => format!("place «{new}» added"),
        Changed::Location {
            old: Some(_),
            new: None,
        } => "place removed".into(),
        Changed::Location {
            old: None,
            new: None,
        } => "place".into(),
        Changed::Telemost { removed: false } => "Telemost link".into(),
        Changed::Telemost { removed: true } => "Telemost link removed".into(),
        Changed::Description => "description".into(),
    }
}

fn days(d: DigestDays) -> &'static str {
    match d {
        DigestDays::Weekdays => "on weekdays",
        DigestDays::EveryDay => "every day",
    }
}

fn ui(u: Ui) -> &'static str {
    match u {
        Ui::PanelTitle => "Yandex Calendar",
        Ui::OpenPanel => "Meetings today",
        Ui::Yesterday => "Yesterday",
        Ui::Today => "Today",
        Ui::Tomorrow => "Tomorrow",
        Ui::PickDate => "Date",
        Ui::ChooseDay => "Day",
        Ui::Join => "Join",
        Ui::OpenEvent => "Open in Yandex Calendar",
        Ui::Loading => "Loading…",
        Ui::LoadFailed => "Could not load your meetings.",
        Ui::Retry => "Try again",
        Ui::Connect => "Connect",
    }
}

/// `12 min`, `1 h`, `1 h 5 min`.
fn duration(minutes: i64) -> String {
    let (h, m) = (minutes / 60, minutes % 60);
    match (h, m) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

fn minutes(n: u32) -> String {
    plural(n as usize, "minute", "minutes")
}

fn on_off(b: bool) -> &'static str {
    if b {
        "on"
    } else {
        "off"
    }
}

pub(super) fn text(msg: Msg<'_>) -> String {
    match msg {
        Msg::Help(h) => help(h).into(),
        Msg::ProductName => "Yandex Calendar".into(),
        Msg::InfoTitle => "#### Yandex Calendar for Mattermost".into(),
        Msg::InfoAbout => "Your Yandex Calendar in Mattermost: the agenda on demand, a morning \
             digest, reminders before meetings with the Telemost link, news when meetings are \
             added, moved or cancelled and when attendees answer, and the status \
             \u{1F4C6} In a meeting while a meeting runs."
            .into(),
        Msg::InfoStart => "To start, create an app password of type **Calendar** at \
             id.yandex.ru → Security → App passwords, then run `/yandex_calendar connect`."
            .into(),
        Msg::InfoShortcuts => "Shortcuts:".into(),
        Msg::UnknownCommand { word } => format!("Unknown command `{word}`."),
        Msg::UnknownSubcommand { group, word } => {
            format!("`{group}` has no subcommand `{word}`.")
        }
        Msg::MissingSubcommand { group } => format!("`{group}` needs a subcommand."),
        Msg::Usage { usage } => format!("Usage: `{usage}`."),
        Msg::DidYouMean { word } => format!("Did you mean `{word}`?"),
        Msg::SeeInfo => "See `/yandex_calendar info` for all commands.".into(),
        Msg::Internal => "Something went wrong on our side; please try again. If it keeps \
             happening, tell your Mattermost administrator."
            .into(),
        Msg::SettingRefused(e) => match e {
            SettingsError::CaldavUrl(url) => format!(
                "CalDAV server URL must be an https:// address without a login or password \
                 (http:// only for a server on your own network), got {url:?}."
            ),
            SettingsError::ReminderLead(n) => format!(
                "Reminder before a meeting must be {} to {} minutes, got {n}.",
                REMINDER_LEAD_RANGE.start(),
                REMINDER_LEAD_RANGE.end()
            ),
            SettingsError::SyncInterval(n) => format!(
                "Calendar sync interval must be {} to {} minutes, got {n}.",
                SYNC_INTERVAL_RANGE.start(),
                SYNC_INTERVAL_RANGE.end()
            ),
            SettingsError::AllowedHost(h) => format!(
                "Other allowed hosts: {h:?} is not a host name (list names like \
                 caldav.example.com or 10.0.0.5:8443, separated by commas)."
            ),
            SettingsError::NoEncryptionKey => {
                "The encryption key is empty: regenerate it in System Console.".into()
            }
        },
        Msg::NotConnected => "You have not connected Yandex Calendar yet. Run \
             `/yandex_calendar connect`."
            .into(),

        Msg::BadDate { input } => format!(
            "I don't understand the date “{input}”. Write it like 01.12.2026, 1.12, \
             2026-12-01, today, tomorrow or friday."
        ),
        Msg::NoSuchDate { input } => {
            format!("There is no such date: “{input}”. Example: 28.02.2026.")
        }
        Msg::RangeBackwards { from, to } => format!(
            "The range ends before it starts ({} – {}). Example: \
             `/yandex_calendar range 01.12.2026 07.12.2026`.",
            day(from),
            day(to)
        ),
        Msg::RangeTooLong { days, max } => format!(
            "That range is {} long; at most {} fit. Example: \
             `/yandex_calendar range 01.12.2026 31.12.2026`.",
            plural(days as usize, "day", "days"),
            plural(max as usize, "day", "days")
        ),
        Msg::OutsideWindow { from, to } => format!(
            "I can show meetings from {} to {} only.",
            text(Msg::DateLong(from)),
            text(Msg::DateLong(to))
        ),
        Msg::Day(d) => day(d),
        Msg::DayNoWeekday(d) => day_no_weekday(d),
        Msg::DayTime(t) => format!("{}, {:02}:{:02}", day(t.date()), t.hour(), t.minute()),
        Msg::DateLong(d) => format!("{} {}, {}", MONTHS_LONG[d.month0() as usize], d.day(), d.year()),

        Msg::Problem(p) => problem(p).into(),

        Msg::ConnectTitle => "Connect Yandex Calendar".into(),
        Msg::UpdateTitle => "Update the connection".into(),
        Msg::ConnectIntro { server } => format!(
            "Create an app password of type **Calendar** at \
             [Yandex ID → App passwords](https://id.yandex.ru/security/app-passwords) and \
             enter it with your Yandex login. It is checked with {server} right away, stored \
             encrypted, and used only to sync your calendar."
        ),
        Msg::LoginLabel => "Login".into(),
        Msg::LoginHelp => "Your Yandex login or e-mail, e.g. ivan@yandex.ru".into(),
        Msg::PasswordLabel => "App password".into(),
        Msg::PasswordHelp => "An app password of type Calendar, not your Yandex password".into(),
        Msg::TimezoneLabel => "Timezone".into(),
        Msg::TimezoneHelp { current } => format!(
            "Optional, e.g. Europe/Moscow. Empty: your Mattermost timezone (now {current})"
        ),
        Msg::ConnectSubmit => "Connect".into(),
        Msg::UnknownTimezone { input } => format!(
            "Unknown timezone “{input}”. Use a name like Europe/Moscow or Asia/Yekaterinburg, \
             or leave it empty."
        ),
        Msg::NoEventCalendars => "This account has no calendars with events.".into(),
        Msg::Connected {
            login,
            names,
            shown,
            total,
        } => format!(
            "✅ Connected to Yandex Calendar as **{login}**. Calendars shown: {names} ({shown} of {total})."
        ),
        Msg::Updated {
            login,
            names,
            shown,
            total,
        } => format!(
            "✅ Connection updated: **{login}**. Calendars shown: {names} ({shown} of {total})."
        ),
        Msg::ChooseCalendarsButton => "Choose calendars".into(),
        Msg::TryToday => "Try `/yandex_calendar today`.".into(),

        Msg::CalendarsTitle => "Calendars".into(),
        Msg::CalendarsIntro => "Which calendars should the agenda and notifications use?".into(),
        Msg::CalendarsSubmit => "Save".into(),
        Msg::CalendarCheckbox => "Use this calendar".into(),
        Msg::ChooseAtLeastOne => "Choose at least one calendar.".into(),
        Msg::CalendarsSaved { names } => format!("✅ Calendars saved: {names}."),
        Msg::CalendarsExpired => "This list of calendars is out of date. Run \
             `/yandex_calendar connections update` to see your calendars again."
            .into(),

        Msg::Disconnected => "Disconnected. Your login, app password and synced meetings are \
             deleted from Mattermost. To connect again: `/yandex_calendar connect`."
            .into(),
        Msg::ProfileTitle => "#### Yandex Calendar: your connection".into(),
        Msg::ProfileLogin { login } => format!("- Login: **{login}**"),
        Msg::ProfileCalendars {
            names,
            shown,
            total,
        } => format!("- Calendars: {names} ({shown} of {total})"),
        Msg::ProfileTimezone { tz, source } => format!(
            "- Timezone: {tz} ({})",
            match source {
                TzSource::Override => "chosen when connecting",
                TzSource::Profile => "from your Mattermost profile",
                TzSource::Default => "the default: your Mattermost profile has none",
            }
        ),
        Msg::ProfileNotifyOff => {
            "- Notifications: not set up (`/yandex_calendar notifications create`)".into()
        }
        Msg::ProfileNotifySaved { summary } => format!("- Notifications: {summary}"),
        Msg::ProfileLastSync { when } => format!(
            "- Last successful sync: {}",
            when.map_or("never".to_string(), |t| text(Msg::DayTime(t)))
        ),
        Msg::ProfileLastProblem { problem: p, when } => format!(
            "- Last error ({}): {}",
            text(Msg::DayTime(when)),
            problem(p)
        ),
        Msg::ProfileNoProblem => "- Last error: none".into(),
        Msg::ProfileActive => "- Status: active".into(),
        Msg::ProfilePaused { problem: p } => format!("- Status: ⏸ paused. {}", problem(p)),

        Msg::AgendaTitle { kind, from, to } => agenda_title(kind, from, to),
        Msg::MeetingCount(0) => "no meetings".into(),
        Msg::MeetingCount(n) => plural(n, "meeting", "meetings"),
        Msg::TimesIn { tz } => format!("times in {tz}"),
        Msg::NothingPlanned => "Nothing planned.".into(),
        Msg::AllDay => "All day".into(),
        Msg::MyAnswer(a) => match a {
            Answer::Declined => "declined",
            Answer::Tentative => "maybe",
            Answer::NotAnswered => "not answered",
        }
        .into(),
        Msg::TelemostLink => "Telemost".into(),
        Msg::MoreNotShown { count, from } => format!(
            "Did not fit in this message: {} from {} on. See them with:",
            plural(count, "meeting", "meetings"),
            day(from)
        ),
        Msg::ContinueWith { command } => format!("`{command}`"),
        Msg::StaleData { problem: p } => format!(
            "⚠️ Could not sync just now. {} Showing the meetings as of the last sync.",
            problem(p)
        ),
        Msg::NeverSynced { problem: p } => {
            format!("⚠️ Your calendar could not be synced yet. {}", problem(p))
        }
        Msg::FirstSyncRunning => {
            "Your calendar is being synced right now; try again in a few seconds.".into()
        }
        Msg::PausedNote { problem: p } => format!(
            "⏸ Syncing is paused. {} These are the meetings as of the last sync.",
            problem(p)
        ),

        Msg::Ui(u) => ui(u).into(),
        Msg::StartsIn { minutes } => format!("in {}", duration(minutes)),
        Msg::EndsIn { minutes } => format!("now · {} left", duration(minutes)),
        Msg::PanelNotConnected => {
            "Connect Yandex Calendar to see your meetings here. Run:".into()
        }

        Msg::CheckOk { login, calendars } => format!(
            "✅ Yandex Calendar accepts **{login}**: the connection works, {} found.",
            plural(calendars, "calendar", "calendars")
        ),
        Msg::CheckFailed { problem: p } => format!("❌ The check failed. {}", problem(p)),
        Msg::CheckResumed => "Syncing is resumed.".into(),
        Msg::SchedulerTitle => "#### Yandex Calendar: your notifications".into(),
        Msg::SchedulerOff => "Notifications are off. Turn them on with \
             `/yandex_calendar notifications create`."
            .into(),
        Msg::SchedulerSettings { summary } => format!("- Settings: {summary}"),
        Msg::SchedulerNextDigest { when } => match when {
            Some(w) => format!("- Next digest: {w}"),
            None => "- Next digest: none (the digest is off)".into(),
        },
        Msg::SchedulerNextReminder { when, title } => {
            format!("- Next reminder: {when}, for **{title}**")
        }
        Msg::SchedulerNoReminder { days } => format!(
            "- Next reminder: none in the next {}",
            plural(days as usize, "day", "days")
        ),
        Msg::SchedulerStatusOn { until } => {
            format!("- Status: \u{1F4C6} In a meeting now, until {until}")
        }
        Msg::SchedulerCalendars { names } => format!("- Calendars: {names}"),
        Msg::SchedulerStale { problem: p } => format!(
            "⚠️ The last sync did not get all your calendars: {} Reminders use the meetings \
             as of the last sync; change messages wait for a complete one.",
            problem(p)
        ),
        Msg::SchedulerPaused { problem: p } => format!(
            "⏸ Syncing is paused: {} Notifications use the meetings as of the last sync.",
            problem(p)
        ),

        Msg::PasswordRejectedDm { login } => format!(
            "Yandex Calendar stopped accepting the app password of **{login}** (it may have \
             been revoked). Your settings and meetings are kept; syncing is paused.\n\
             To fix it: create a new app password of type **Calendar** at \
             [Yandex ID → App passwords](https://id.yandex.ru/security/app-passwords), then run \
             `/yandex_calendar connections update`."
        ),

        Msg::NotifyTitle => "Notifications".into(),
        Msg::NotifyIntro => "Choose what Yandex Calendar sends you: a morning digest of the \
             day, a reminder before each meeting with its Join link, the \u{1F4C6} In a meeting \
             status while one runs, and messages when meetings change or attendees answer."
            .into(),
        Msg::DigestLabel => "Morning digest".into(),
        Msg::DigestHelp => "The day's meetings at this time, in your timezone".into(),
        Msg::Off => "Off".into(),
        Msg::DigestDaysLabel => "Digest days".into(),
        Msg::Weekdays => "Weekdays (Mon–Fri)".into(),
        Msg::EveryDay => "Every day".into(),
        Msg::DigestEmptyLabel => "Empty days".into(),
        Msg::DigestEmptyPlaceholder => "Send the digest also when there are no meetings".into(),
        Msg::ReminderLabel => "Reminder".into(),
        Msg::ReminderHelp => "How long before each meeting".into(),
        Msg::MinutesBefore(n) => format!("{} before", minutes(n)),
        Msg::StatusLabel => "In a meeting status".into(),
        Msg::StatusPlaceholder => "Set \u{1F4C6} In a meeting while a meeting runs".into(),
        Msg::ChangesLabel => "Meeting changes".into(),
        Msg::ChangesPlaceholder => "Tell me when meetings are added, moved or cancelled".into(),
        Msg::AnswersLabel => "Attendee answers".into(),
        Msg::AnswersPlaceholder => "Tell me when attendees answer meetings I organize".into(),
        Msg::WatchPlaceholder => "Notify me about this calendar".into(),
        Msg::ChooseAtLeastOneWatched => "Choose at least one calendar to be notified about.".into(),
        Msg::NotifySubmit => "Save".into(),
        Msg::NotifySummary {
            digest,
            days: d,
            empty,
            reminder,
            status,
            changes,
            answers,
        } => format!(
            "digest {}, reminders {}, status {}, changes {}, answers {}",
            digest.map_or("off".to_string(), |t| format!(
                "at {t} {}{}",
                days(d),
                if empty { "" } else { " (not on empty days)" }
            )),
            reminder.map_or("off".to_string(), |m| format!("{} before", minutes(m))),
            on_off(status),
            on_off(changes),
            on_off(answers)
        ),
        Msg::NotifySaved { summary } => format!(
            "✅ Notifications saved: {summary}. `/yandex_calendar checks check_scheduler` shows \
             the next digest and reminder."
        ),
        Msg::NotifyDeleted => "Notifications are off: no digest, reminders, status or messages \
             any more; what was scheduled is cancelled. Turn them on again with \
             `/yandex_calendar notifications create`."
            .into(),
        Msg::NotifyNothingToDelete => "You have no notifications to turn off.".into(),
        Msg::BadNotifyValue { field } => format!("Unexpected value in “{field}”."),

        Msg::ReminderIn { minutes } => format!("🔔 In {}", duration(minutes)),
        Msg::ReminderNow => "🔔 Starting now".into(),
        Msg::Attendees(n) => plural(n, "attendee", "attendees"),
        Msg::JoinLink => "Join".into(),
        Msg::StatusText => "In a meeting".into(),
        Msg::ChangesHeading => "📅 Changes in your calendar:".into(),
        Msg::ChangeAdded {
            title,
            when,
            invitation,
            series,
        } => match (invitation, series) {
            (true, false) => format!("➕ Invitation: **{title}** — {when}"),
            (true, true) => format!("➕ Invitation to a recurring meeting: **{title}** — from {when}"),
            (false, false) => format!("➕ New meeting: **{title}** — {when}"),
            (false, true) => format!("➕ New recurring meeting: **{title}** — from {when}"),
        },
        Msg::ChangeCancelled { title, when, scope } => match scope {
            Scope::Meeting => format!("❌ Cancelled: **{title}** — {when}"),
            Scope::Instance => format!("❌ Cancelled one meeting of the series **{title}**: {when}"),
            Scope::Series => format!("❌ The whole series is cancelled: **{title}** (next was {when})"),
        },
        Msg::ChangeMoved {
            title,
            old,
            new,
            scope,
        } => match scope {
            Scope::Meeting => format!("🕑 Moved: **{title}** — {old} → {new}"),
            Scope::Instance => format!("🕑 One meeting of the series moved: **{title}** — {old} → {new}"),
            Scope::Series => format!("🕑 The whole series moved: **{title}** — {old} → {new}, and so on"),
        },
        Msg::ChangeUpdated {
            title,
            when,
            fields,
            scope,
        } => format!(
            "✏️ Changed{}: **{title}** ({when}) — {}",
            match scope {
                Scope::Meeting => "",
                Scope::Instance => " (one meeting of the series)",
                Scope::Series => " (the whole series)",
            },
            fields.iter().map(changed).collect::<Vec<_>>().join(", ")
        ),
        Msg::ChangeSeriesEnded { title, last } => match last {
            Some(l) => format!("⏹ The series **{title}** ends: the last meeting is {l}"),
            None => format!("⏹ The series **{title}** ends earlier"),
        },
        Msg::AnswerLine {
            who,
            answer,
            title,
            when,
        } => format!("{} ({when})", answer_phrase(who, answer, title)),
        Msg::AnswersHeading { title, when } => format!("Answers to «{title}» ({when}):"),
        Msg::AnswerItem { who, answer } => format!("- {who} {}", answer_verb(answer).trim_end_matches(" to")),

        Msg::AnswerAsk { title } => match title {
            Some(t) => format!("**{t}** — will you attend?"),
            None => "Will you attend?".into(),
        },
        Msg::AnswerMine {
            title,
            answer,
            scope,
            when,
        } => {
            let (said, to) = match answer {
                PartStat::Accepted => ("✅ You accepted", ""),
                PartStat::Tentative => ("❔ You answered maybe", " to"),
                PartStat::Declined => ("❌ You declined", ""),
                PartStat::Delegated => ("You delegated", ""),
                PartStat::NeedsAction => ("You have not answered", ""),
            };
            let what = match scope {
                Scope::Meeting => String::new(),
                Scope::Instance => format!("{to} the meeting on {when}"),
                Scope::Series => format!("{to} the whole series"),
            };
            let head = title.map(|t| format!("**{t}**: ")).unwrap_or_default();
            format!("{head}{said}{what}")
        }
        Msg::AnswerWhich {
            title,
            answer,
            when,
        } => {
            let head = title.map(|t| format!("**{t}** — ")).unwrap_or_default();
            match answer {
                PartStat::Declined => {
                    format!("{head}Decline only the meeting on {when}, or the whole series?")
                }
                PartStat::Tentative => format!(
                    "{head}Answer maybe only to the meeting on {when}, or to the whole series?"
                ),
                _ => format!("{head}Accept only the meeting on {when}, or the whole series?"),
            }
        }
        Msg::AnswerButton(a) => match a {
            PartStat::Declined => "Decline",
            PartStat::Tentative => "Maybe",
            _ => "Accept",
        }
        .into(),
        Msg::AnswerOnlyThis => "Only this one".into(),
        Msg::AnswerWholeSeries => "The whole series".into(),
        Msg::AnswerBack => "Cancel".into(),
        Msg::AnswerFailed(f) => match f {
            Failure::Expired => "This message can no longer change your answer: answer in \
                 Yandex Calendar, or from the meeting's next reminder."
                .into(),
            Failure::Gone => {
                "Your answer was not saved: the meeting is no longer in your calendar.".into()
            }
            Failure::NotInvited => "Your answer was not saved: you are not among the attendees \
                 of this meeting (any more)."
                .into(),
            Failure::Organizer => "You organize this meeting: there is nothing to answer.".into(),
            Failure::Conflict => "Your answer was not saved: the meeting kept changing on the \
                 server while it was being saved. Try again in a minute."
                .into(),
            Failure::Unreadable => "Your answer was not saved: the meeting's data could not be \
                 read. Answer in Yandex Calendar."
                .into(),
            Failure::Problem(p) => format!("Your answer was not saved: {}", problem(p)),
        },
    }
}
