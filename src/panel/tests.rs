//! The panel's answers on a fake host with stored meetings (the golden Yandex day of
//! tests/golden/agenda/yandex.ics), checked against what `/yandex_calendar today` says.

use chrono::{NaiveDate, TimeZone};

use super::view::{AnswerCode, DayView, MeetingState, Panel};
use super::*;
use crate::bindings::types::{CommandArgs, PluginRequest, RequestMethod};
use crate::crypto::{self, Secret};
use crate::host::fake::{Effect, FakeHost};
use crate::host::Mattermost;
use crate::store::{bodies, keys, record, AccountStatus, CalendarEntry, CalendarMarker};

const ICS: &str = include_str!("../../tests/golden/agenda/yandex.ics");
const CAL_URL: &str = "https://caldav.yandex.ru/calendars/maria%40yandex.ru/events-1/";
const DAY_MS: i64 = 86_400_000;

/// Unix ms of a Moscow wall time on 2026-12-01.
fn msk(h: u32, m: u32) -> i64 {
    Tz::Europe__Moscow
        .with_ymd_and_hms(2026, 12, 1, h, m, 0)
        .single()
        .map(|t| t.timestamp_millis())
        .unwrap_or_default()
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
}

/// A host where `user` (locale, zone) is connected as maria@yandex.ru, her calendar synced
/// `synced_ago_ms` before `now_ms`.
fn connected(locale: &str, tz: &str, now_ms: i64, synced_ago_ms: i64) -> FakeHost {
    let host = FakeHost::new();
    host.now_ms.set(now_ms);
    host.add_user("u", locale, tz);
    let key = host.get_config().encryption_key;
    let account = Account {
        login: "maria@yandex.ru".into(),
        password: crypto::seal(&key, "u", &Secret::new("app-password")).expect("seal"),
        server_url: "https://caldav.yandex.ru".into(),
        principal_url: "https://caldav.yandex.ru/principals/users/maria%40yandex.ru/".into(),
        home_url: "https://caldav.yandex.ru/calendars/maria%40yandex.ru/".into(),
        addresses: Vec::new(),
        calendars: vec![CalendarEntry {
            url: CAL_URL.into(),
            name: "Мои события".into(),
            color: String::new(),
            selected: true,
        }],
        timezone: None,
        status: AccountStatus::Active,
        connected_at_ms: now_ms - DAY_MS,
        updated_at_ms: now_ms - DAY_MS,
    };
    record::put(&host, &keys::account("u"), &account).expect("account");
    let id = CalendarId::of_url(CAL_URL);
    let buckets = bodies::apply(
        &host,
        "u",
        &id,
        1,
        1,
        bodies::Changes {
            upserts: vec![(format!("{CAL_URL}yandex.ics"), ICS.to_string())],
            removals: Vec::new(),
        },
    )
    .expect("bodies");
    let synced = now_ms - synced_ago_ms;
    let mut markers = Markers::default();
    markers.calendars.insert(
        id.as_str().to_string(),
        CalendarMarker {
            ctag: Some("c1".into()),
            token: Some("t1".into()),
            buckets,
            objects: 1,
            listed_until_ms: now_ms + 400 * DAY_MS,
            listed_from_ms: now_ms - 60 * DAY_MS,
            synced_at_ms: synced,
            complete: Some(true),
        },
    );
    markers.last_ok_ms = Some(synced);
    record::put(&host, &keys::markers("u"), &markers).expect("markers");
    host
}

fn day_view(host: &FakeHost, day: &str) -> DayView {
    match agenda(host, "u", day) {
        (200, Panel::Day(v)) => *v,
        other => panic!("not a day: {other:?}"),
    }
}

fn titles(v: &DayView) -> Vec<&str> {
    v.meetings.iter().map(|m| m.title.as_str()).collect()
}

fn command(host: &FakeHost, line: &str) -> String {
    crate::hooks::execute_command(
        host,
        &CommandArgs {
            user_id: "u".into(),
            channel_id: "c".into(),
            team_id: "t".into(),
            root_id: String::new(),
            trigger_id: "tr".into(),
            command: line.into(),
            site_url: "http://localhost:8065".into(),
        },
    )
    .text
}

#[test]
fn today_in_russian_as_the_command_shows_it() {
    // 10:20 in Moscow: the release meeting (10:00–11:00) is on.
    let host = connected("ru", "Europe/Moscow", msk(10, 20), 60_000);
    let v = day_view(&host, "");
    assert_eq!((v.locale, v.timezone.as_str()), ("ru", "Europe/Moscow"));
    assert_eq!((v.today, v.day), (d(2026, 12, 1), d(2026, 12, 1)));
    assert_eq!(v.title, "Сегодня, вт, 1 дек");
    assert_eq!(v.summary, "8 встреч · время — Europe/Moscow");
    assert_eq!(v.empty, None);
    assert!(v.notes.is_empty(), "{:?}", v.notes);
    assert_eq!(
        titles(&v),
        [
            "Конференция",
            "День рождения Анны",
            "Стендап",
            "Обсуждение релиза",
            "Обед с командой",
            "1:1 с руководителем",
            "Q&A *важно* [черновик]",
            "Ночной релиз",
        ]
    );
    let states: Vec<MeetingState> = v.meetings.iter().map(|m| m.state).collect();
    use MeetingState::*;
    assert_eq!(
        states,
        [AllDay, AllDay, Past, Now, Later, Next, Later, Later],
        "the declined lunch at 13:00 is not the next meeting"
    );
    let release = &v.meetings[3];
    assert_eq!(release.when, "10:00–11:00");
    assert_eq!(release.relative.as_deref(), Some("идёт · ещё 40 мин"));
    assert_eq!(
        release.join_url.as_deref(),
        Some("https://telemost.yandex.ru/j/12345678901234")
    );
    assert_eq!(
        release.web_url.as_deref(),
        Some("https://calendar.yandex.ru/event?event_id=2001")
    );
    assert_eq!(release.location.as_deref(), Some("Переговорная «Нева»"));
    assert_eq!(release.answer, Some(AnswerCode::NotAnswered));
    assert_eq!(release.answer_text.as_deref(), Some("нет ответа"));
    assert_eq!(release.start_ms, msk(10, 0));
    assert_eq!(release.end_ms, msk(11, 0));
    let lunch = &v.meetings[4];
    assert_eq!(lunch.answer, Some(AnswerCode::Declined));
    assert_eq!(lunch.relative, None);
    let next = &v.meetings[5];
    assert_eq!(next.relative.as_deref(), Some("через 4 ч 40 мин"));
    assert_eq!(next.answer_text.as_deref(), Some("под вопросом"));
    // A Telemost link in LOCATION is the Join button, not a location.
    let qa = &v.meetings[6];
    assert_eq!(qa.location, None);
    assert!(qa.join_url.is_some());
    assert_eq!(v.meetings[0].when, "Весь день (30 ноя – 2 дек)");
    assert_eq!(v.meetings[7].when, "1 дек 23:00 – 2 дек 01:00");

    // The command shows the same times and titles.
    let text = command(&host, "/yandex_calendar today");
    for m in &v.meetings {
        assert!(text.contains(&m.when), "{} not in\n{text}", m.when);
        let first_word = m.title.split(' ').next().unwrap_or_default();
        assert!(text.contains(first_word), "{} not in\n{text}", m.title);
    }
}

#[test]
fn the_next_meeting_counts_down_in_the_users_language_and_zone() {
    // 14:48 in Moscow is 16:48 in Yekaterinburg: the 1:1 (15:00 MSK) starts in 12 minutes.
    let host = connected("en", "Asia/Yekaterinburg", msk(14, 48), 60_000);
    let v = day_view(&host, "today");
    assert_eq!(v.title, "Today, Tue, Dec 1");
    assert_eq!(v.timezone, "Asia/Yekaterinburg");
    let next: Vec<_> = v
        .meetings
        .iter()
        .filter(|m| m.state == MeetingState::Next)
        .collect();
    assert_eq!(next.len(), 1);
    assert_eq!(next[0].title, "1:1 с руководителем");
    assert_eq!(next[0].when, "17:00–17:30");
    assert_eq!(next[0].relative.as_deref(), Some("in 12 min"));
    assert_eq!(next[0].answer_text.as_deref(), Some("maybe"));
    assert!(v.meetings.iter().all(|m| m.state != MeetingState::Now));
    // Half a minute before: still "in 1 min", never "in 0 min".
    host.now_ms.set(msk(14, 59) + 30_000);
    let v = day_view(&host, "today");
    let next = v.meetings.iter().find(|m| m.state == MeetingState::Next);
    assert_eq!(next.and_then(|m| m.relative.as_deref()), Some("in 1 min"));
}

#[test]
fn other_days_and_days_that_cannot_be_shown() {
    let host = connected("ru", "Europe/Moscow", msk(10, 20), 60_000);
    let v = day_view(&host, "tomorrow");
    assert_eq!(v.title, "Завтра, ср, 2 дек");
    assert_eq!(v.today, d(2026, 12, 1));
    // The night release began yesterday: it comes first among the timed ones.
    assert_eq!(titles(&v), ["Конференция", "Ночной релиз", "Стендап"]);
    assert_eq!(v.meetings[1].when, "1 дек 23:00 – 2 дек 01:00");
    let v = day_view(&host, "yesterday");
    assert_eq!(v.day, d(2026, 11, 30));
    assert!(v.meetings.iter().all(|m| m.state != MeetingState::Next));
    let v = day_view(&host, "2026-12-04");
    assert_eq!(v.title, "Пт, 4 дек");
    assert_eq!(titles(&v), ["Стендап", "Демо спринта"]);
    assert_eq!(
        v.meetings.iter().map(|m| m.state).collect::<Vec<_>>(),
        [MeetingState::Later, MeetingState::Later],
        "three days away: no countdown"
    );
    let v = day_view(&host, "2026-12-05");
    assert_eq!(v.empty.as_deref(), Some("Ничего не запланировано."));
    assert_eq!(v.summary, "нет встреч · время — Europe/Moscow");
    assert_eq!((v.first_day, v.last_day), (d(2026, 11, 1), d(2027, 12, 1)));

    match agenda(&host, "u", "someday") {
        (400, Panel::Problem { message, .. }) => {
            assert!(
                message.contains("«someday»") || message.contains("someday"),
                "{message}"
            )
        }
        other => panic!("{other:?}"),
    }
    match agenda(&host, "u", "2030-01-01") {
        (400, Panel::Problem { message, .. }) => assert!(message.contains("2027"), "{message}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn not_connected_is_offered_the_command() {
    let host = FakeHost::new();
    host.add_user("ru", "ru", "Europe/Moscow");
    host.add_user("en", "en", "");
    match agenda(&host, "ru", "") {
        (
            200,
            Panel::NotConnected {
                locale,
                message,
                command,
            },
        ) => {
            assert_eq!(locale, "ru");
            assert!(
                message.starts_with("Подключите Яндекс Календарь"),
                "{message}"
            );
            assert_eq!(command, "/yandex_calendar connect");
        }
        other => panic!("{other:?}"),
    }
    match agenda(&host, "en", "") {
        (200, Panel::NotConnected { message, .. }) => {
            assert!(message.starts_with("Connect Yandex Calendar"), "{message}")
        }
        other => panic!("{other:?}"),
    }
    assert!(host.kv.borrow().is_empty(), "asking stores nothing");
}

#[test]
fn syncs_only_once_an_interval_and_keeps_showing_meetings_when_it_fails() {
    // Synced a minute ago: read from the store, no request.
    let host = connected("ru", "Europe/Moscow", msk(10, 20), 60_000);
    day_view(&host, "");
    assert!(host.requests.borrow().is_empty());

    // Synced 10 minutes ago (the interval is 5): the server is asked; it is unreachable,
    // so the meetings come from the store with a note.
    let host = connected("ru", "Europe/Moscow", msk(10, 20), 10 * 60_000);
    let v = day_view(&host, "");
    assert!(!host.requests.borrow().is_empty(), "a sync was due");
    assert_eq!(v.meetings.len(), 8);
    assert_eq!(v.notes.len(), 1, "{:?}", v.notes);
    assert!(v.notes[0].contains("недоступен"), "{}", v.notes[0]);
    assert!(!v.notes[0].contains('`') && !v.notes[0].contains("**"));
    // A minute later the failed attempt is recent: not asked again, the note stays.
    host.requests.borrow_mut().clear();
    host.now_ms.set(msk(10, 21));
    let v = day_view(&host, "");
    assert!(
        host.requests.borrow().is_empty(),
        "asked again within the interval"
    );
    assert_eq!(v.notes.len(), 1);
    assert!(
        !host
            .effects
            .borrow()
            .iter()
            .any(|e| matches!(e, Effect::Publish { .. })),
        "nothing changed, nothing published"
    );
}

#[test]
fn the_route_serves_json_to_the_signed_in_user_only() {
    let host = connected("en", "Europe/Moscow", msk(10, 20), 60_000);
    let get = |path: &str, query: &str, user: Option<&str>, method: RequestMethod| {
        crate::http::serve(
            &host,
            &PluginRequest {
                method,
                path: path.into(),
                query: query.into(),
                headers: Vec::new(),
                body: Vec::new(),
                user_id: user.map(str::to_string),
            },
        )
    };
    let r = get(AGENDA_PATH, "day=2026-12-04", Some("u"), RequestMethod::Get);
    assert_eq!(r.status, 200);
    assert!(r
        .headers
        .iter()
        .any(|h| h.name == "Cache-Control" && h.value == "no-store"));
    let body: serde_json::Value = serde_json::from_slice(&r.body).expect("json");
    assert_eq!(body["status"], "day");
    assert_eq!(body["day"], "2026-12-04");
    assert_eq!(body["title"], "Fri, Dec 4");
    assert_eq!(body["meetings"][1]["title"], "Демо спринта");
    assert_eq!(
        body["meetings"][1]["join_url"],
        "https://telemost.yandex.ru/j/55555555555555"
    );
    assert_eq!(body["meetings"][1]["state"], "later");
    // A percent-encoded value is decoded.
    let r = get(
        AGENDA_PATH,
        "day=%D0%B7%D0%B0%D0%B2%D1%82%D1%80%D0%B0",
        Some("u"),
        RequestMethod::Get,
    );
    let body: serde_json::Value = serde_json::from_slice(&r.body).expect("json");
    assert_eq!(body["day"], "2026-12-02");
    assert_eq!(get(AGENDA_PATH, "", None, RequestMethod::Get).status, 401);
    assert_eq!(
        get(AGENDA_PATH, "", Some("u"), RequestMethod::Post).status,
        405
    );
    assert_eq!(
        get("/api/v1/nothing", "", Some("u"), RequestMethod::Get).status,
        404
    );
    let r = get(AGENDA_PATH, "day=soon", Some("u"), RequestMethod::Get);
    assert_eq!(r.status, 400);
    let body: serde_json::Value = serde_json::from_slice(&r.body).expect("json");
    assert_eq!(body["status"], "problem");
}

#[test]
fn account_changes_reach_the_users_apps() {
    let host = connected("ru", "Europe/Moscow", msk(10, 20), 60_000);
    assert_eq!(crate::account::connect::disconnect(&host, "u"), Ok(true));
    let published: Vec<Effect> = host
        .effects
        .borrow()
        .iter()
        .filter(|e| matches!(e, Effect::Publish { .. }))
        .cloned()
        .collect();
    assert_eq!(
        published,
        [Effect::Publish {
            user_id: "u".into(),
            event: events::AGENDA_CHANGED.into(),
            payload: Vec::new(),
        }]
    );
    // The panel now offers to connect.
    assert!(matches!(
        agenda(&host, "u", ""),
        (200, Panel::NotConnected { .. })
    ));
}
