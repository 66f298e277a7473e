//! Русский. Every [`Msg`] case, matched exhaustively.

use chrono::{Datelike, NaiveDate, Timelike};

use super::{AgendaKind, Answer, Changed, DateWords, Help, Msg, Scope, TzSource, Ui};
use crate::ical::PartStat;
use crate::rsvp::Failure;
use crate::settings::{SettingsError, REMINDER_LEAD_RANGE, SYNC_INTERVAL_RANGE};
use crate::store::{DigestDays, Problem};

pub(super) const DATE_WORDS: DateWords = DateWords {
    today: &["сегодня"],
    tomorrow: &["завтра"],
    yesterday: &["вчера"],
    weekdays: [
        &["понедельник", "пн"],
        &["вторник", "вт"],
        &["среда", "среду", "ср"],
        &["четверг", "чт"],
        &["пятница", "пятницу", "пт"],
        &["суббота", "субботу", "сб"],
        &["воскресенье", "вс"],
    ],
};

const WEEKDAYS: [&str; 7] = ["пн", "вт", "ср", "чт", "пт", "сб", "вс"];
/// Abbreviations as they read after a day number ("4 мая", "1 дек").
const MONTHS: [&str; 12] = [
    "янв", "фев", "мар", "апр", "мая", "июн", "июл", "авг", "сен", "окт", "ноя", "дек",
];
/// Genitive: "1 декабря".
const MONTHS_GENITIVE: [&str; 12] = [
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
];

/// Russian plural forms: 1 встреча, 2 встречи, 5 встреч (11–14 take the last form).
fn plural(n: usize, one: &str, few: &str, many: &str) -> String {
    let form = match (n % 10, n % 100) {
        (_, 11..=14) => many,
        (1, _) => one,
        (2..=4, _) => few,
        _ => many,
    };
    format!("{n} {form}")
}

fn day(d: NaiveDate) -> String {
    format!(
        "{}, {}",
        WEEKDAYS[d.weekday().num_days_from_monday() as usize],
        day_no_weekday(d)
    )
}

fn day_no_weekday(d: NaiveDate) -> String {
    format!("{} {}", d.day(), MONTHS[d.month0() as usize])
}

fn capitalized(s: String) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => s,
    }
}

fn help(h: Help) -> &'static str {
    match h {
        Help::Command => "Яндекс Календарь в Mattermost",
        Help::Calendars => "Ваши встречи",
        Help::Today => "Встречи на сегодня",
        Help::Tomorrow => "Встречи на завтра",
        Help::Date => "Встречи в указанный день",
        Help::Range => "Встречи за период",
        Help::Week => "Встречи на 7 дней вперёд",
        Help::Month => "Встречи на 30 дней вперёд",
        Help::Connections => "Ваш аккаунт Яндекса",
        Help::Connect => "Подключить Яндекс Календарь паролем приложения",
        Help::Disconnect => "Отключить и забыть пароль",
        Help::Update => "Сменить логин, пароль или календари",
        Help::Profile => "Что подключено",
        Help::Notifications => "Сводка, напоминания и статус",
        Help::NotifyCreate => "Включить уведомления",
        Help::NotifyUpdate => "Изменить настройки уведомлений",
        Help::NotifyDelete => "Выключить уведомления",
        Help::Checks => "Всё ли работает",
        Help::CheckAccount => "Подключён ли аккаунт и действует ли пароль",
        Help::CheckScheduler => "Запланированы ли уведомления",
        Help::Info => "Что умеет плагин и как им пользоваться",
        Help::ArgDate => "Дата: 2026-12-01, 01.12.2026, 1.12, сегодня, завтра, пятница",
        Help::ArgFrom => "Первый день периода",
        Help::ArgTo => "Последний день периода",
    }
}

fn problem(p: Problem) -> &'static str {
    match p {
        Problem::WrongPassword => {
            "Яндекс не принял логин или пароль приложения. Проверьте логин (полный адрес, \
             например ivan@yandex.ru) и используйте пароль приложения типа «Календарь», \
             а не пароль от Яндекса."
        }
        Problem::Unreachable => {
            "Сервер календаря недоступен (нет соединения). Попробуйте позже; если не \
             пройдёт, сообщите администратору Mattermost."
        }
        Problem::Tls => {
            "Не удалось установить защищённое соединение с сервером календаря (ошибка \
             TLS-сертификата). Сообщите администратору Mattermost."
        }
        Problem::Timeout => "Сервер календаря не ответил вовремя. Попробуйте через минуту.",
        Problem::Throttled => {
            "Сервер календаря перегружен или ограничивает запросы. Попробуйте через несколько минут."
        }
        Problem::NotCalDav => {
            "Указанный сервер не отвечает как сервер календарей CalDAV. Попросите \
             администратора Mattermost проверить адрес CalDAV-сервера в настройках плагина."
        }
        Problem::BadServerUrl => {
            "Адрес CalDAV-сервера в настройках плагина неверен. Сообщите администратору Mattermost."
        }
        Problem::CalendarGone => {
            "Один из ваших календарей пропал с сервера. Выберите календари заново: \
             `/yandex_calendar connections update`."
        }
        Problem::Forbidden => "Сервер запретил доступ к одному из ваших календарей.",
        Problem::BadAnswer => {
            "Сервер календаря прислал ответ, который не удалось прочитать. Попробуйте позже."
        }
        Problem::KeyChanged => {
            "Сохранённый пароль приложения больше не читается (администратор сменил ключ \
             шифрования плагина). Подключитесь заново: `/yandex_calendar connections update`."
        }
        Problem::NoKey => {
            "Плагин настроен не до конца: нет ключа шифрования. Попросите администратора \
             Mattermost открыть System Console → Plugins → Yandex Calendar и сохранить настройки."
        }
        Problem::Storage => {
            "Mattermost не смог сохранить или прочитать данные плагина. Попробуйте ещё раз; \
             если не пройдёт, сообщите администратору."
        }
    }
}

fn agenda_title(kind: AgendaKind, from: NaiveDate, to: NaiveDate) -> String {
    match kind {
        AgendaKind::Today => format!("Сегодня, {}", day(from)),
        AgendaKind::Tomorrow => format!("Завтра, {}", day(from)),
        AgendaKind::Day => capitalized(day(from)),
        AgendaKind::Range => capitalized(format!("{} – {}", day(from), day(to))),
        AgendaKind::Week => format!("Неделя: {} – {}", day(from), day(to)),
        AgendaKind::Month => format!("30 дней: {} – {}", day(from), day(to)),
        AgendaKind::Digest => format!("☀️ Ваш день, {}", day(from)),
    }
}

fn answer_verb(a: PartStat) -> &'static str {
    match a {
        PartStat::Accepted => "принял(а)",
        PartStat::Declined => "отклонил(а)",
        PartStat::Tentative => "ответил(а) «возможно» на",
        PartStat::NeedsAction => "ещё не ответил(а) на",
        PartStat::Delegated => "передал(а) приглашение на",
    }
}

fn changed(c: &Changed<'_>) -> String {
    match c {
        Changed::Title { old, new } => format!("название «{old}» → «{new}»"),
        Changed::Location {
            old: Some(old),
            new: Some(new),
        } => format!("место «{old}» → «{new}»"),
        Changed::Location {
            old: None,
            new: Some(new),
        } => format!("добавлено место «{new}»"),
        Changed::Location {
            old: Some(_),
            new: None,
        } => "место убрано".into(),
        Changed::Location {
            old: None,
            new: None,
        } => "место".into(),
        Changed::Telemost { removed: false } => "ссылка на Телемост".into(),
        Changed::Telemost { removed: true } => "ссылка на Телемост убрана".into(),
        Changed::Description => "описание".into(),
    }
}

fn days(d: DigestDays) -> &'static str {
    match d {
        DigestDays::Weekdays => "по будням",
        DigestDays::EveryDay => "каждый день",
    }
}

fn ui(u: Ui) -> &'static str {
    match u {
        Ui::PanelTitle => "Яндекс Календарь",
        Ui::OpenPanel => "Встречи на сегодня",
        Ui::Yesterday => "Вчера",
        Ui::Today => "Сегодня",
        Ui::Tomorrow => "Завтра",
        Ui::PickDate => "Дата",
        Ui::ChooseDay => "День",
        Ui::Join => "Подключиться",
        Ui::OpenEvent => "Открыть в Яндекс Календаре",
        Ui::Loading => "Загрузка…",
        Ui::LoadFailed => "Не удалось загрузить встречи.",
        Ui::Retry => "Повторить",
        Ui::Connect => "Подключить календарь",
    }
}

/// `12 мин`, `1 ч`, `1 ч 5 мин` (abbreviations take no plural endings).
fn duration(minutes: i64) -> String {
    let (h, m) = (minutes / 60, minutes % 60);
    match (h, m) {
        (0, m) => format!("{m} мин"),
        (h, 0) => format!("{h} ч"),
        (h, m) => format!("{h} ч {m} мин"),
    }
}

fn minutes(n: u32) -> String {
    plural(n as usize, "минуту", "минуты", "минут")
}

fn on_off(b: bool) -> &'static str {
    if b {
        "вкл."
    } else {
        "выкл."
    }
}

pub(super) fn text(msg: Msg<'_>) -> String {
    match msg {
        Msg::Help(h) => help(h).into(),
        Msg::ProductName => "Яндекс Календарь".into(),
        Msg::InfoTitle => "#### Яндекс Календарь для Mattermost".into(),
        Msg::InfoAbout => "Ваш Яндекс Календарь в Mattermost: расписание по запросу, утренняя \
             сводка, напоминания перед встречами со ссылкой на Телемост, сообщения о новых, \
             перенесённых и отменённых встречах и об ответах участников, и статус \
             \u{1F4C6} На встрече, пока идёт встреча."
            .into(),
        Msg::InfoStart => "Для начала создайте пароль приложения типа **Календарь** на \
             id.yandex.ru → Безопасность → Пароли приложений и выполните \
             `/yandex_calendar connect`."
            .into(),
        Msg::InfoShortcuts => "Короткие формы:".into(),
        Msg::UnknownCommand { word } => format!("Неизвестная команда `{word}`."),
        Msg::UnknownSubcommand { group, word } => format!("У `{group}` нет подкоманды `{word}`."),
        Msg::MissingSubcommand { group } => format!("После `{group}` нужна подкоманда."),
        Msg::Usage { usage } => format!("Формат: `{usage}`."),
        Msg::DidYouMean { word } => format!("Может быть, `{word}`?"),
        Msg::SeeInfo => "Все команды — в `/yandex_calendar info`.".into(),
        Msg::Internal => "Что-то пошло не так на нашей стороне; попробуйте ещё раз. Если \
             повторяется, сообщите администратору Mattermost."
            .into(),
        Msg::SettingRefused(e) => match e {
            SettingsError::CaldavUrl(url) => format!(
                "Адрес CalDAV-сервера должен начинаться с https:// и не содержать логин или \
                 пароль (http:// — только для сервера в вашей сети), а указано {url:?}."
            ),
            SettingsError::ReminderLead(n) => format!(
                "Напоминание перед встречей — от {} до {} минут, а указано {n}.",
                REMINDER_LEAD_RANGE.start(),
                REMINDER_LEAD_RANGE.end()
            ),
            SettingsError::SyncInterval(n) => format!(
                "Интервал синхронизации календарей — от {} до {} минут, а указано {n}.",
                SYNC_INTERVAL_RANGE.start(),
                SYNC_INTERVAL_RANGE.end()
            ),
            SettingsError::AllowedHost(h) => format!(
                "Другие разрешённые адреса: {h:?} — не имя сервера (перечислите через запятую \
                 имена вроде caldav.example.com или 10.0.0.5:8443)."
            ),
            SettingsError::NoEncryptionKey => {
                "Ключ шифрования пуст: создайте его заново в System Console.".into()
            }
        },
        Msg::NotConnected => "Яндекс Календарь ещё не подключён. Выполните \
             `/yandex_calendar connect`."
            .into(),

        Msg::BadDate { input } => format!(
            "Не понимаю дату «{input}». Пишите так: 01.12.2026, 1.12, 2026-12-01, сегодня, \
             завтра или пятница."
        ),
        Msg::NoSuchDate { input } => {
            format!("Такой даты нет: «{input}». Пример: 28.02.2026.")
        }
        Msg::RangeBackwards { from, to } => format!(
            "Период заканчивается раньше, чем начинается ({} – {}). Пример: \
             `/yandex_calendar range 01.12.2026 07.12.2026`.",
            day(from),
            day(to)
        ),
        Msg::RangeTooLong { days, max } => format!(
            "В периоде {}, а помещается не больше {}. Пример: \
             `/yandex_calendar range 01.12.2026 31.12.2026`.",
            plural(days as usize, "день", "дня", "дней"),
            plural(max as usize, "дня", "дней", "дней")
        ),
        Msg::OutsideWindow { from, to } => format!(
            "Могу показать встречи только с {} по {}.",
            text(Msg::DateLong(from)),
            text(Msg::DateLong(to))
        ),
        Msg::Day(d) => day(d),
        Msg::DayNoWeekday(d) => day_no_weekday(d),
        Msg::DayTime(t) => format!("{}, {:02}:{:02}", day(t.date()), t.hour(), t.minute()),
        Msg::DateLong(d) => format!(
            "{} {} {}",
            d.day(),
            MONTHS_GENITIVE[d.month0() as usize],
            d.year()
        ),

        Msg::Problem(p) => problem(p).into(),

        // Dialog titles and field names: at most 24 bytes (Mattermost), i.e. 12 Cyrillic letters.
        Msg::ConnectTitle => "Подключение".into(),
        Msg::UpdateTitle => "Обновление".into(),
        Msg::ConnectIntro { server } => format!(
            "Создайте пароль приложения типа **Календарь** на \
             [Яндекс ID → Пароли приложений](https://id.yandex.ru/security/app-passwords) и \
             введите его вместе с логином Яндекса. Пароль сразу проверяется на {server}, \
             хранится зашифрованным и нужен только для синхронизации календаря."
        ),
        Msg::LoginLabel => "Логин".into(),
        Msg::LoginHelp => "Логин или адрес Яндекса, например ivan@yandex.ru".into(),
        Msg::PasswordLabel => "Пароль".into(),
        Msg::PasswordHelp => "Пароль приложения типа «Календарь», не пароль от Яндекса".into(),
        Msg::TimezoneLabel => "Часовой пояс".into(),
        Msg::TimezoneHelp { current } => format!(
            "Необязательно, например Europe/Moscow. Пусто: пояс из Mattermost (сейчас {current})"
        ),
        Msg::ConnectSubmit => "Подключить".into(),
        Msg::UnknownTimezone { input } => format!(
            "Неизвестный часовой пояс «{input}». Укажите название вроде Europe/Moscow или \
             Asia/Yekaterinburg либо оставьте поле пустым."
        ),
        Msg::NoEventCalendars => "В этом аккаунте нет календарей со встречами.".into(),
        Msg::Connected {
            login,
            names,
            shown,
            total,
        } => format!(
            "✅ Яндекс Календарь подключён: **{login}**. Показываются календари: {names} ({shown} из {total})."
        ),
        Msg::Updated {
            login,
            names,
            shown,
            total,
        } => format!(
            "✅ Подключение обновлено: **{login}**. Показываются календари: {names} ({shown} из {total})."
        ),
        Msg::ChooseCalendarsButton => "Выбрать календари".into(),
        Msg::TryToday => "Попробуйте `/yandex_calendar today`.".into(),

        Msg::CalendarsTitle => "Календари".into(),
        Msg::CalendarsIntro => "Какие календари показывать в расписании и использовать для \
             уведомлений?"
            .into(),
        Msg::CalendarsSubmit => "Сохранить".into(),
        Msg::CalendarCheckbox => "Использовать этот календарь".into(),
        Msg::ChooseAtLeastOne => "Выберите хотя бы один календарь.".into(),
        Msg::CalendarsSaved { names } => format!("✅ Календари сохранены: {names}."),
        Msg::CalendarsExpired => "Этот список календарей устарел. Выполните \
             `/yandex_calendar connections update`, чтобы увидеть календари заново."
            .into(),

        Msg::Disconnected => "Отключено. Ваш логин, пароль приложения и загруженные встречи \
             удалены из Mattermost. Подключиться снова: `/yandex_calendar connect`."
            .into(),
        Msg::ProfileTitle => "#### Яндекс Календарь: ваше подключение".into(),
        Msg::ProfileLogin { login } => format!("- Логин: **{login}**"),
        Msg::ProfileCalendars {
            names,
            shown,
            total,
        } => format!("- Календари: {names} ({shown} из {total})"),
        Msg::ProfileTimezone { tz, source } => format!(
            "- Часовой пояс: {tz} ({})",
            match source {
                TzSource::Override => "выбран при подключении",
                TzSource::Profile => "из профиля Mattermost",
                TzSource::Default => "по умолчанию: в профиле Mattermost пояс не указан",
            }
        ),
        Msg::ProfileNotifyOff => {
            "- Уведомления: не настроены (`/yandex_calendar notifications create`)".into()
        }
        Msg::ProfileNotifySaved { summary } => format!("- Уведомления: {summary}"),
        Msg::ProfileLastSync { when } => format!(
            "- Последняя успешная синхронизация: {}",
            when.map_or("ещё не было".to_string(), |t| text(Msg::DayTime(t)))
        ),
        Msg::ProfileLastProblem { problem: p, when } => format!(
            "- Последняя ошибка ({}): {}",
            text(Msg::DayTime(when)),
            problem(p)
        ),
        Msg::ProfileNoProblem => "- Последняя ошибка: нет".into(),
        Msg::ProfileActive => "- Состояние: работает".into(),
        Msg::ProfilePaused { problem: p } => {
            format!("- Состояние: ⏸ синхронизация приостановлена. {}", problem(p))
        }

        Msg::AgendaTitle { kind, from, to } => agenda_title(kind, from, to),
        Msg::MeetingCount(0) => "нет встреч".into(),
        Msg::MeetingCount(n) => plural(n, "встреча", "встречи", "встреч"),
        Msg::TimesIn { tz } => format!("время — {tz}"),
        Msg::NothingPlanned => "Ничего не запланировано.".into(),
        Msg::AllDay => "Весь день".into(),
        Msg::MyAnswer(a) => match a {
            Answer::Declined => "вы отказались",
            Answer::Tentative => "под вопросом",
            Answer::NotAnswered => "нет ответа",
        }
        .into(),
        Msg::TelemostLink => "Телемост".into(),
        Msg::MoreNotShown { count, from } => format!(
            "Не поместились в сообщение: {} начиная с {}. Показать их:",
            plural(count, "встреча", "встречи", "встреч"),
            day(from)
        ),
        Msg::ContinueWith { command } => format!("`{command}`"),
        Msg::StaleData { problem: p } => format!(
            "⚠️ Сейчас синхронизироваться не удалось. {} Показываю встречи на момент \
             последней синхронизации.",
            problem(p)
        ),
        Msg::NeverSynced { problem: p } => {
            format!("⚠️ Календарь ещё не удалось синхронизировать. {}", problem(p))
        }
        Msg::FirstSyncRunning => {
            "Календарь прямо сейчас синхронизируется; попробуйте через несколько секунд.".into()
        }
        Msg::PausedNote { problem: p } => format!(
            "⏸ Синхронизация приостановлена. {} Это встречи на момент последней синхронизации.",
            problem(p)
        ),

        Msg::Ui(u) => ui(u).into(),
        Msg::StartsIn { minutes } => format!("через {}", duration(minutes)),
        Msg::EndsIn { minutes } => format!("идёт · ещё {}", duration(minutes)),
        Msg::PanelNotConnected => {
            "Подключите Яндекс Календарь, чтобы видеть здесь свои встречи. Выполните:".into()
        }

        Msg::CheckOk { login, calendars } => format!(
            "✅ Яндекс Календарь принимает **{login}**: подключение работает, найдено {}.",
            plural(calendars, "календарь", "календаря", "календарей")
        ),
        Msg::CheckFailed { problem: p } => format!("❌ Проверка не прошла. {}", problem(p)),
        Msg::CheckResumed => "Синхронизация возобновлена.".into(),
        Msg::SchedulerTitle => "#### Яндекс Календарь: ваши уведомления".into(),
        Msg::SchedulerOff => "Уведомления выключены. Включить: \
             `/yandex_calendar notifications create`."
            .into(),
        Msg::SchedulerSettings { summary } => format!("- Настройки: {summary}"),
        Msg::SchedulerNextDigest { when } => match when {
            Some(w) => format!("- Следующая сводка: {w}"),
            None => "- Следующая сводка: нет (сводка выключена)".into(),
        },
        Msg::SchedulerNextReminder { when, title } => {
            format!("- Следующее напоминание: {when}, о встрече **{title}**")
        }
        Msg::SchedulerNoReminder { days: n } => format!(
            "- Следующее напоминание: в ближайшие {} нет",
            plural(n as usize, "день", "дня", "дней")
        ),
        Msg::SchedulerStatusOn { until } => {
            format!("- Статус: сейчас \u{1F4C6} На встрече, до {until}")
        }
        Msg::SchedulerCalendars { names } => format!("- Календари: {names}"),
        Msg::SchedulerStale { problem: p } => format!(
            "⚠️ Последняя синхронизация получила не все календари: {} Напоминания идут по \
             встречам на момент последней синхронизации; сообщения об изменениях ждут полной.",
            problem(p)
        ),
        Msg::SchedulerPaused { problem: p } => format!(
            "⏸ Синхронизация приостановлена: {} Уведомления идут по встречам на момент \
             последней синхронизации.",
            problem(p)
        ),

        Msg::PasswordRejectedDm { login } => format!(
            "Яндекс Календарь перестал принимать пароль приложения для **{login}** (возможно, \
             его отозвали). Настройки и встречи сохранены, синхронизация приостановлена.\n\
             Как исправить: создайте новый пароль приложения типа **Календарь** на \
             [Яндекс ID → Пароли приложений](https://id.yandex.ru/security/app-passwords) и \
             выполните `/yandex_calendar connections update`."
        ),

        Msg::NotifyTitle => "Уведомления".into(),
        Msg::NotifyIntro => "Выберите, что присылать: утреннюю сводку дня, напоминание перед \
             каждой встречей со ссылкой для подключения, статус \u{1F4C6} На встрече, пока она \
             идёт, и сообщения об изменениях встреч и ответах участников."
            .into(),
        Msg::DigestLabel => "Сводка".into(),
        Msg::DigestHelp => "Утренняя сводка встреч дня в это время, по вашему поясу".into(),
        Msg::Off => "Выключено".into(),
        Msg::DigestDaysLabel => "Дни сводки".into(),
        Msg::Weekdays => "По будням (пн–пт)".into(),
        Msg::EveryDay => "Каждый день".into(),
        Msg::DigestEmptyLabel => "Пустые дни".into(),
        Msg::DigestEmptyPlaceholder => "Присылать сводку и в дни без встреч".into(),
        Msg::ReminderLabel => "Напоминание".into(),
        Msg::ReminderHelp => "За сколько до встречи напоминать".into(),
        Msg::MinutesBefore(n) => format!("за {}", minutes(n)),
        Msg::StatusLabel => "Статус".into(),
        Msg::StatusPlaceholder => "Ставить \u{1F4C6} На встрече, пока идёт встреча".into(),
        Msg::ChangesLabel => "Изменения".into(),
        Msg::ChangesPlaceholder => {
            "Сообщать о новых, перенесённых и отменённых встречах".into()
        }
        Msg::AnswersLabel => "Ответы".into(),
        Msg::AnswersPlaceholder => "Сообщать об ответах участников моих встреч".into(),
        Msg::WatchPlaceholder => "Уведомлять о встречах этого календаря".into(),
        Msg::ChooseAtLeastOneWatched => {
            "Выберите хотя бы один календарь для уведомлений.".into()
        }
        Msg::NotifySubmit => "Сохранить".into(),
        Msg::NotifySummary {
            digest,
            days: d,
            empty,
            reminder,
            status,
            changes,
            answers,
        } => format!(
            "сводка {}, напоминания {}, статус {}, изменения {}, ответы {}",
            digest.map_or("выкл.".to_string(), |t| format!(
                "в {t} {}{}",
                days(d),
                if empty { "" } else { " (кроме дней без встреч)" }
            )),
            reminder.map_or("выкл.".to_string(), |m| format!("за {}", minutes(m))),
            on_off(status),
            on_off(changes),
            on_off(answers)
        ),
        Msg::NotifySaved { summary } => format!(
            "✅ Уведомления сохранены: {summary}. Следующую сводку и напоминание покажет \
             `/yandex_calendar checks check_scheduler`."
        ),
        Msg::NotifyDeleted => "Уведомления выключены: больше не будет ни сводки, ни \
             напоминаний, ни статуса, ни сообщений; всё запланированное отменено. Включить снова: \
             `/yandex_calendar notifications create`."
            .into(),
        Msg::NotifyNothingToDelete => "Уведомления и так выключены.".into(),
        Msg::BadNotifyValue { field } => format!("Неожиданное значение в поле «{field}»."),

        Msg::ReminderIn { minutes } => format!("🔔 Через {}", duration(minutes)),
        Msg::ReminderNow => "🔔 Начинается сейчас".into(),
        Msg::Attendees(n) => plural(n, "участник", "участника", "участников"),
        Msg::JoinLink => "Подключиться".into(),
        Msg::StatusText => "На встрече".into(),
        Msg::ChangesHeading => "📅 Изменения в календаре:".into(),
        Msg::ChangeAdded {
            title,
            when,
            invitation,
            series,
        } => match (invitation, series) {
            (true, false) => format!("➕ Приглашение: **{title}** — {when}"),
            (true, true) => format!("➕ Приглашение на регулярную встречу: **{title}** — с {when}"),
            (false, false) => format!("➕ Новая встреча: **{title}** — {when}"),
            (false, true) => format!("➕ Новая регулярная встреча: **{title}** — с {when}"),
        },
        Msg::ChangeCancelled { title, when, scope } => match scope {
            Scope::Meeting => format!("❌ Отменена: **{title}** — {when}"),
            Scope::Instance => format!("❌ Отменена одна встреча серии **{title}**: {when}"),
            Scope::Series => {
                format!("❌ Отменена вся серия: **{title}** (следующая была {when})")
            }
        },
        Msg::ChangeMoved {
            title,
            old,
            new,
            scope,
        } => match scope {
            Scope::Meeting => format!("🕑 Перенесена: **{title}** — {old} → {new}"),
            Scope::Instance => {
                format!("🕑 Перенесена одна встреча серии **{title}**: {old} → {new}")
            }
            Scope::Series => {
                format!("🕑 Перенесена вся серия: **{title}** — {old} → {new}, и далее так же")
            }
        },
        Msg::ChangeUpdated {
            title,
            when,
            fields,
            scope,
        } => format!(
            "✏️ Изменена{}: **{title}** ({when}) — {}",
            match scope {
                Scope::Meeting => "",
                Scope::Instance => " одна встреча серии",
                Scope::Series => " вся серия",
            },
            fields.iter().map(changed).collect::<Vec<_>>().join(", ")
        ),
        Msg::ChangeSeriesEnded { title, last } => match last {
            Some(l) => format!("⏹ Серия **{title}** завершается: последняя встреча — {l}"),
            None => format!("⏹ Серия **{title}** завершается раньше"),
        },
        Msg::AnswerLine {
            who,
            answer,
            title,
            when,
        } => format!("{who} {} «{title}» ({when})", answer_verb(answer)),
        Msg::AnswersHeading { title, when } => format!("Ответы на «{title}» ({when}):"),
        Msg::AnswerItem { who, answer } => {
            format!("- {who} {}", answer_verb(answer).trim_end_matches(" на"))
        }

        Msg::AnswerAsk { title } => match title {
            Some(t) => format!("**{t}** — пойдёте?"),
            None => "Пойдёте?".into(),
        },
        Msg::AnswerMine {
            title,
            answer,
            scope,
            when,
        } => {
            let said = match answer {
                PartStat::Accepted => "✅ Вы приняли",
                PartStat::Tentative => "❔ Вы ответили «возможно»",
                PartStat::Declined => "❌ Вы отказались",
                PartStat::Delegated => "Вы передали приглашение",
                PartStat::NeedsAction => "Вы ещё не ответили",
            };
            let what = match (scope, answer) {
                (Scope::Meeting, PartStat::Accepted) => " приглашение".to_string(),
                (Scope::Meeting, _) => String::new(),
                (Scope::Instance, PartStat::Declined) => format!(" от встречи {when}"),
                (Scope::Instance, PartStat::Tentative) => format!(" на встречу {when}"),
                (Scope::Instance, _) => format!(" встречу {when}"),
                (Scope::Series, PartStat::Declined) => " от всей серии".to_string(),
                (Scope::Series, PartStat::Tentative) => " на всю серию".to_string(),
                (Scope::Series, _) => " всю серию".to_string(),
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
                    format!("{head}Отказаться только от встречи {when} или от всей серии?")
                }
                PartStat::Tentative => {
                    format!("{head}Ответить «возможно» только на встречу {when} или на всю серию?")
                }
                _ => format!("{head}Принять только встречу {when} или всю серию?"),
            }
        }
        Msg::AnswerButton(a) => match a {
            PartStat::Declined => "Отказаться",
            PartStat::Tentative => "Возможно",
            _ => "Принять",
        }
        .into(),
        Msg::AnswerOnlyThis => "Только эту".into(),
        Msg::AnswerWholeSeries => "Всю серию".into(),
        Msg::AnswerBack => "Отмена".into(),
        Msg::AnswerFailed(f) => match f {
            Failure::Expired => "Это сообщение больше не меняет ответ: ответьте в Яндекс \
                 Календаре или из следующего напоминания о встрече."
                .into(),
            Failure::Gone => "Ответ не сохранён: этой встречи больше нет в вашем календаре.".into(),
            Failure::NotInvited => {
                "Ответ не сохранён: вас (уже) нет среди участников этой встречи.".into()
            }
            Failure::Organizer => "Вы организатор этой встречи: отвечать не на что.".into(),
            Failure::Conflict => "Ответ не сохранён: встреча менялась на сервере, пока ответ \
                 сохранялся. Попробуйте через минуту."
                .into(),
            Failure::Unreadable => "Ответ не сохранён: не удалось прочитать данные встречи. \
                 Ответьте в Яндекс Календаре."
                .into(),
            Failure::Problem(p) => format!("Ответ не сохранён: {}", problem(p)),
        },
    }
}
