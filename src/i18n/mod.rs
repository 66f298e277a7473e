//! Every text a user reads, in English and Russian, chosen by the user's Mattermost locale.
//!
//! [`Msg`] names each message with its data; `en.rs` and `ru.rs` each turn every case into
//! text with an exhaustive `match` (no wildcard arm), so a message without a translation
//! does not compile. Errors reach users as codes ([`Problem`], parse errors) rendered here,
//! never through an English `Display`. Also here: the words the date parser accepts.

mod en;
mod ru;

use chrono::{NaiveDate, NaiveDateTime};

use crate::ical::PartStat;
use crate::store::{DigestDays, Problem};

/// Languages the plugin speaks. Anything that is not Russian gets English.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locale {
    En,
    Ru,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::En, Locale::Ru];

    /// Maps a Mattermost locale ("ru", "en", "en-AU", "" …) to ours.
    pub fn from_mattermost(locale: &str) -> Self {
        let lang = locale.split(['-', '_']).next().unwrap_or_default();
        if lang.eq_ignore_ascii_case("ru") {
            Locale::Ru
        } else {
            Locale::En
        }
    }

    pub fn t(self, msg: Msg<'_>) -> String {
        match self {
            Locale::En => en::text(msg),
            Locale::Ru => ru::text(msg),
        }
    }

    /// The words the date parser understands in this language.
    pub fn date_words(self) -> &'static DateWords {
        match self {
            Locale::En => &en::DATE_WORDS,
            Locale::Ru => &ru::DATE_WORDS,
        }
    }
}

/// A message in both languages, for the text Mattermost shows everybody alike
/// (autocomplete is registered once for all users).
pub fn both(msg: Msg<'_>) -> String {
    format!("{} · {}", Locale::En.t(msg), Locale::Ru.t(msg))
}

/// Input vocabulary of one language (lower case).
pub struct DateWords {
    pub today: &'static [&'static str],
    pub tomorrow: &'static [&'static str],
    pub yesterday: &'static [&'static str],
    /// Monday first; full names and abbreviations.
    pub weekdays: [&'static [&'static str]; 7],
}

/// Help lines of the command tree (help, info, autocomplete).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Help {
    Command,
    Calendars,
    Today,
    Tomorrow,
    Date,
    Range,
    Week,
    Month,
    Connections,
    Connect,
    Disconnect,
    Update,
    Profile,
    Notifications,
    NotifyCreate,
    NotifyUpdate,
    NotifyDelete,
    Checks,
    CheckAccount,
    CheckScheduler,
    Info,
    ArgDate,
    ArgFrom,
    ArgTo,
}

/// Which agenda was asked for: it titles the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgendaKind {
    Today,
    Tomorrow,
    Day,
    Range,
    Week,
    Month,
    /// The morning digest of one day.
    Digest,
}

/// Which part of a series a change concerns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// A single meeting.
    Meeting,
    /// One meeting of a recurring series.
    Instance,
    /// The whole recurring series.
    Series,
}

/// One thing about a meeting that changed (besides its time).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Changed<'a> {
    Title {
        old: &'a str,
        new: &'a str,
    },
    Location {
        old: Option<&'a str>,
        new: Option<&'a str>,
    },
    /// The Telemost link: added or changed (`removed: false`), or removed.
    Telemost {
        removed: bool,
    },
    Description,
}

/// Where the timezone of the answer comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TzSource {
    /// Chosen in the connect dialog.
    Override,
    /// The Mattermost profile (automatic or manual).
    Profile,
    /// Neither says: the plugin's default (Europe/Moscow, Yandex Calendar's own default).
    Default,
}

/// The fixed texts of the web app's "Today" panel (buttons, labels, tooltips). They are
/// shown before any request to the plugin, so `tests/webapp_catalog.rs` writes them into
/// `webapp/src/generated/catalog.json` for the web app to bundle; texts about meetings come
/// from the plugin's HTTP API instead ([`crate::panel`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ui {
    /// The panel's title.
    PanelTitle,
    /// The App Bar icon's and the channel-header button's tooltip.
    OpenPanel,
    Yesterday,
    Today,
    Tomorrow,
    /// The date field's label.
    PickDate,
    /// The day picker's group label.
    ChooseDay,
    /// The Telemost button.
    Join,
    /// The link of a meeting's title to the event in Yandex Calendar.
    OpenEvent,
    Loading,
    LoadFailed,
    Retry,
    /// The button that runs the connect command.
    Connect,
}

impl Ui {
    pub const ALL: [Ui; 13] = [
        Ui::PanelTitle,
        Ui::OpenPanel,
        Ui::Yesterday,
        Ui::Today,
        Ui::Tomorrow,
        Ui::PickDate,
        Ui::ChooseDay,
        Ui::Join,
        Ui::OpenEvent,
        Ui::Loading,
        Ui::LoadFailed,
        Ui::Retry,
        Ui::Connect,
    ];

    /// The name the web app looks the text up by.
    pub fn key(self) -> &'static str {
        match self {
            Ui::PanelTitle => "panel_title",
            Ui::OpenPanel => "open_panel",
            Ui::Yesterday => "yesterday",
            Ui::Today => "today",
            Ui::Tomorrow => "tomorrow",
            Ui::PickDate => "pick_date",
            Ui::ChooseDay => "choose_day",
            Ui::Join => "join",
            Ui::OpenEvent => "open_event",
            Ui::Loading => "loading",
            Ui::LoadFailed => "load_failed",
            Ui::Retry => "retry",
            Ui::Connect => "connect",
        }
    }
}

/// My answer to a meeting, as the agenda marks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Declined,
    Tentative,
    NotAnswered,
}

/// Every message. Data is borrowed: build it where the text is needed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Msg<'a> {
    Help(Help),
    /// The bot's and the command's display name.
    ProductName,

    // --- info and command-line errors ---
    InfoTitle,
    InfoAbout,
    InfoStart,
    InfoShortcuts,
    UnknownCommand {
        word: &'a str,
    },
    UnknownSubcommand {
        group: &'a str,
        word: &'a str,
    },
    MissingSubcommand {
        group: &'a str,
    },
    Usage {
        usage: &'a str,
    },
    DidYouMean {
        word: &'a str,
    },
    SeeInfo,
    Internal,
    NotConnected,

    // --- admin settings (System Console shows them in both languages) ---
    SettingRefused(&'a crate::settings::SettingsError),

    // --- dates ---
    BadDate {
        input: &'a str,
    },
    NoSuchDate {
        input: &'a str,
    },
    RangeBackwards {
        from: NaiveDate,
        to: NaiveDate,
    },
    RangeTooLong {
        days: i64,
        max: i64,
    },
    OutsideWindow {
        from: NaiveDate,
        to: NaiveDate,
    },
    /// `Mon, Dec 1` / `пн, 1 дек`.
    Day(NaiveDate),
    /// `Dec 1` / `1 дек`.
    DayNoWeekday(NaiveDate),
    /// `Mon, Dec 1, 10:05` / `пн, 1 дек, 10:05`.
    DayTime(NaiveDateTime),
    /// `December 1, 2026` / `1 декабря 2026`.
    DateLong(NaiveDate),

    // --- problems (errors as codes) ---
    Problem(Problem),

    // --- connect / update dialog ---
    ConnectTitle,
    UpdateTitle,
    ConnectIntro {
        server: &'a str,
    },
    LoginLabel,
    LoginHelp,
    PasswordLabel,
    PasswordHelp,
    TimezoneLabel,
    TimezoneHelp {
        current: &'a str,
    },
    ConnectSubmit,
    UnknownTimezone {
        input: &'a str,
    },
    NoEventCalendars,
    /// After a successful connect: login and the calendars shown.
    Connected {
        login: &'a str,
        names: &'a str,
        shown: usize,
        total: usize,
    },
    Updated {
        login: &'a str,
        names: &'a str,
        shown: usize,
        total: usize,
    },
    ChooseCalendarsButton,
    TryToday,

    // --- calendars dialog ---
    CalendarsTitle,
    CalendarsIntro,
    CalendarsSubmit,
    CalendarCheckbox,
    ChooseAtLeastOne,
    CalendarsSaved {
        names: &'a str,
    },
    CalendarsExpired,

    // --- disconnect, profile ---
    Disconnected,
    ProfileTitle,
    ProfileLogin {
        login: &'a str,
    },
    ProfileCalendars {
        names: &'a str,
        shown: usize,
        total: usize,
    },
    ProfileTimezone {
        tz: &'a str,
        source: TzSource,
    },
    ProfileNotifyOff,
    ProfileNotifySaved {
        summary: &'a str,
    },
    ProfileLastSync {
        when: Option<NaiveDateTime>,
    },
    ProfileLastProblem {
        problem: Problem,
        when: NaiveDateTime,
    },
    ProfileNoProblem,
    ProfileActive,
    ProfilePaused {
        problem: Problem,
    },

    // --- agenda ---
    AgendaTitle {
        kind: AgendaKind,
        from: NaiveDate,
        to: NaiveDate,
    },
    MeetingCount(usize),
    TimesIn {
        tz: &'a str,
    },
    NothingPlanned,
    AllDay,
    MyAnswer(Answer),
    TelemostLink,
    MoreNotShown {
        count: usize,
        from: NaiveDate,
    },
    ContinueWith {
        command: &'a str,
    },
    StaleData {
        problem: Problem,
    },
    NeverSynced {
        problem: Problem,
    },
    FirstSyncRunning,
    PausedNote {
        problem: Problem,
    },

    // --- the web app's panel ---
    Ui(Ui),
    /// The next meeting: `in 12 min` / `через 12 мин` (whole minutes, rounded up).
    StartsIn {
        minutes: i64,
    },
    /// A meeting in progress: `now · 20 min left` / `идёт · ещё 20 мин`.
    EndsIn {
        minutes: i64,
    },
    /// The panel of a user with no account (the command is shown beside it).
    PanelNotConnected,

    // --- checks ---
    CheckOk {
        login: &'a str,
        calendars: usize,
    },
    CheckFailed {
        problem: Problem,
    },
    CheckResumed,

    // --- check_scheduler: what is set and planned ---
    SchedulerTitle,
    /// No notification settings.
    SchedulerOff,
    SchedulerSettings {
        summary: &'a str,
    },
    SchedulerNextDigest {
        when: Option<&'a str>,
    },
    SchedulerNextReminder {
        when: &'a str,
        title: &'a str,
    },
    /// No reminder within the days planned ahead.
    SchedulerNoReminder {
        days: i64,
    },
    /// The "In a meeting" status is on now, until `until`.
    SchedulerStatusOn {
        until: &'a str,
    },
    SchedulerCalendars {
        names: &'a str,
    },
    /// The last sync did not get every calendar: change messages wait for one that does.
    SchedulerStale {
        problem: Problem,
    },
    SchedulerPaused {
        problem: Problem,
    },

    // --- a password that stopped working ---
    PasswordRejectedDm {
        login: &'a str,
    },

    // --- notifications dialog ---
    NotifyTitle,
    NotifyIntro,
    DigestLabel,
    DigestHelp,
    Off,
    DigestDaysLabel,
    Weekdays,
    EveryDay,
    DigestEmptyLabel,
    DigestEmptyPlaceholder,
    ReminderLabel,
    ReminderHelp,
    MinutesBefore(u32),
    StatusLabel,
    StatusPlaceholder,
    ChangesLabel,
    ChangesPlaceholder,
    AnswersLabel,
    AnswersPlaceholder,
    /// The checkbox of a calendar to watch (its name is the field's name).
    WatchPlaceholder,
    ChooseAtLeastOneWatched,
    NotifySubmit,
    NotifySummary {
        digest: Option<&'a str>,
        days: DigestDays,
        empty: bool,
        reminder: Option<u32>,
        status: bool,
        changes: bool,
        answers: bool,
    },
    NotifySaved {
        summary: &'a str,
    },
    NotifyDeleted,
    NotifyNothingToDelete,
    BadNotifyValue {
        field: &'a str,
    },

    // --- what notifications send ---
    /// The reminder's head: `In 10 min` / `Через 10 мин`.
    ReminderIn {
        minutes: i64,
    },
    /// A reminder of a meeting that starts now (a lead of 0, or created at the last moment).
    ReminderNow,
    Attendees(usize),
    /// The text of the Join link.
    JoinLink,
    /// The custom status while a meeting runs (the emoji is 📆).
    StatusText,
    /// The first line of a message about changes.
    ChangesHeading,
    ChangeAdded {
        title: &'a str,
        when: &'a str,
        /// Someone else organizes it and I am invited.
        invitation: bool,
        series: bool,
    },
    ChangeCancelled {
        title: &'a str,
        when: &'a str,
        scope: Scope,
    },
    ChangeMoved {
        title: &'a str,
        old: &'a str,
        new: &'a str,
        scope: Scope,
    },
    ChangeUpdated {
        title: &'a str,
        when: &'a str,
        fields: &'a [Changed<'a>],
        scope: Scope,
    },
    ChangeSeriesEnded {
        title: &'a str,
        last: Option<&'a str>,
    },
    /// One answer: `Bob declined «Demo» (Fri, Jun 11, 11:00)`.
    AnswerLine {
        who: &'a str,
        answer: PartStat,
        title: &'a str,
        when: &'a str,
    },
    /// Several answers to one meeting: the heading, then [`Msg::AnswerItem`]s.
    AnswersHeading {
        title: &'a str,
        when: &'a str,
    },
    AnswerItem {
        who: &'a str,
        answer: PartStat,
    },

    // --- answering invitations: the buttons on invitations and reminders ---
    /// Not answered yet: `Will you attend?`, with the title when the message offers several.
    AnswerAsk {
        title: Option<&'a str>,
    },
    /// My answer, and what it covers (`when`: the start of the one meeting it is for).
    AnswerMine {
        title: Option<&'a str>,
        answer: PartStat,
        scope: Scope,
        when: &'a str,
    },
    /// A recurring meeting: this answer for the one meeting at `when`, or the whole series?
    AnswerWhich {
        title: Option<&'a str>,
        answer: PartStat,
        when: &'a str,
    },
    /// Accept / Maybe / Decline.
    AnswerButton(PartStat),
    AnswerOnlyThis,
    AnswerWholeSeries,
    AnswerBack,
    /// Why an answer was not saved (the message stays as it was).
    AnswerFailed(crate::rsvp::Failure),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn russian_only_for_ru_locales() {
        assert_eq!(Locale::from_mattermost("ru"), Locale::Ru);
        assert_eq!(Locale::from_mattermost("RU-ru"), Locale::Ru);
        assert_eq!(Locale::from_mattermost("en"), Locale::En);
        assert_eq!(Locale::from_mattermost(""), Locale::En);
        assert_eq!(Locale::from_mattermost("de"), Locale::En);
        assert_eq!(Locale::from_mattermost("rus"), Locale::En);
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    #[test]
    fn russian_plurals() {
        let ru = |n| Locale::Ru.t(Msg::MeetingCount(n));
        assert_eq!(ru(0), "нет встреч");
        assert_eq!(ru(1), "1 встреча");
        assert_eq!(ru(2), "2 встречи");
        assert_eq!(ru(4), "4 встречи");
        assert_eq!(ru(5), "5 встреч");
        assert_eq!(ru(11), "11 встреч");
        assert_eq!(ru(12), "12 встреч");
        assert_eq!(ru(14), "14 встреч");
        assert_eq!(ru(21), "21 встреча");
        assert_eq!(ru(22), "22 встречи");
        assert_eq!(ru(25), "25 встреч");
        assert_eq!(ru(111), "111 встреч");
        assert_eq!(ru(101), "101 встреча");
        let en = |n| Locale::En.t(Msg::MeetingCount(n));
        assert_eq!(en(1), "1 meeting");
        assert_eq!(en(2), "2 meetings");
        assert_eq!(en(0), "no meetings");
    }

    #[test]
    fn dates_read_naturally() {
        let dec1 = d(2026, 12, 1);
        assert_eq!(Locale::En.t(Msg::Day(dec1)), "Tue, Dec 1");
        assert_eq!(Locale::Ru.t(Msg::Day(dec1)), "вт, 1 дек");
        assert_eq!(Locale::Ru.t(Msg::DateLong(dec1)), "1 декабря 2026");
        assert_eq!(Locale::En.t(Msg::DateLong(dec1)), "December 1, 2026");
        assert_eq!(Locale::Ru.t(Msg::Day(d(2026, 5, 4))), "пн, 4 мая");
        assert_eq!(Locale::Ru.t(Msg::Day(d(2026, 3, 8))), "вс, 8 мар");
        let t = dec1.and_hms_opt(9, 5, 0).unwrap_or_default();
        assert_eq!(Locale::Ru.t(Msg::DayTime(t)), "вт, 1 дек, 09:05");
        assert_eq!(Locale::En.t(Msg::DayTime(t)), "Tue, Dec 1, 09:05");
    }

    #[test]
    fn problems_have_their_own_words() {
        use std::collections::BTreeSet;
        let all = [
            Problem::WrongPassword,
            Problem::Unreachable,
            Problem::Tls,
            Problem::Timeout,
            Problem::Throttled,
            Problem::NotCalDav,
            Problem::BadServerUrl,
            Problem::CalendarGone,
            Problem::Forbidden,
            Problem::BadAnswer,
            Problem::KeyChanged,
            Problem::NoKey,
            Problem::Storage,
        ];
        for locale in Locale::ALL {
            let texts: BTreeSet<String> = all.iter().map(|p| locale.t(Msg::Problem(*p))).collect();
            assert_eq!(
                texts.len(),
                all.len(),
                "{locale:?}: two problems read alike"
            );
        }
        assert!(Locale::Ru
            .t(Msg::Problem(Problem::WrongPassword))
            .contains("пароль"));
    }
}
