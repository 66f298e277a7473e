//! The connect → choose calendars → agenda → bad password → disconnect story, through the
//! component's hooks (commands and serve-http) with a real Radicale behind the host's HTTP.
//! The Mattermost side is the recording fake host; the e2e suite does it in Mattermost.

mod common;

use std::rc::Rc;

use chrono::{Datelike, Duration, TimeZone, Utc};
use chrono_tz::Tz;
use serde_json::{json, Value};
use yandex_calendar::bindings::types::{
    CommandArgs, Dialog, ElementKind, Header, PluginRequest, Post, RequestMethod,
};
use yandex_calendar::hooks;
use yandex_calendar::host::fake::{Effect, FakeHost};
use yandex_calendar::host::native::NativeHost;
use yandex_calendar::host::Http;

const PASSWORD: &str = "secret";

/// Three calendars; "Праздники" must never show once deselected.
fn seed(server: &str, day: chrono::NaiveDate) {
    let msk = Tz::Europe__Moscow;
    let at = |h: u32| {
        msk.with_ymd_and_hms(day.year(), day.month(), day.day(), h, 0, 0)
            .single()
            .expect("a Moscow time")
            .with_timezone(&Utc)
            .format("%Y%m%dT%H%M%SZ")
            .to_string()
    };
    for (cal, name, uid, summary, hour) in [
        ("work", "Работа", "w1", "Планёрка", 10),
        ("home", "Личное", "h1", "Стоматолог", 12),
        ("holidays", "Праздники", "x1", "Корпоратив", 14),
    ] {
        let url = format!("{server}user/{cal}/");
        common::dav(&["mkcal", &url, name]);
        common::put_event(&format!("{url}{uid}.ics"), uid, summary, &at(hour));
    }
}

struct World {
    host: FakeHost,
    native: Rc<NativeHost>,
    server: String,
}

fn world(server: &str) -> World {
    let host = FakeHost::new();
    let native = Rc::new(NativeHost::new());
    let n = native.clone();
    host.respond_with(move |r| n.send(r));
    host.config.borrow_mut().caldav_url = Some(server.to_string());
    host.config.borrow_mut().encryption_key = "an admin generated key".into();
    host.now_ms.set(Utc::now().timestamp_millis());
    World {
        host,
        native,
        server: server.to_string(),
    }
}

impl World {
    fn command(&self, user: &str, line: &str) -> String {
        hooks::execute_command(
            &self.host,
            &CommandArgs {
                user_id: user.into(),
                channel_id: "chan".into(),
                team_id: "team".into(),
                root_id: String::new(),
                trigger_id: format!("trigger-{line}"),
                command: line.into(),
                site_url: "http://mm.local".into(),
            },
        )
        .text
    }

    fn post(&self, user: &str, path: &str, body: Value) -> Value {
        let resp = hooks::serve_http(
            &self.host,
            &PluginRequest {
                method: RequestMethod::Post,
                path: path.into(),
                query: String::new(),
                headers: vec![Header {
                    name: "Content-Type".into(),
                    value: "application/json".into(),
                }],
                body: serde_json::to_vec(&body).unwrap_or_default(),
                user_id: Some(user.into()),
            },
        );
        assert_eq!(
            resp.status,
            200,
            "{path}: {}",
            String::from_utf8_lossy(&resp.body)
        );
        serde_json::from_slice(&resp.body).unwrap_or(Value::Null)
    }

    fn take_effects(&self) -> Vec<Effect> {
        std::mem::take(&mut *self.host.effects.borrow_mut())
    }

    fn last_dialog(&self) -> (String, Dialog) {
        self.take_effects()
            .into_iter()
            .rev()
            .find_map(|e| match e {
                Effect::OpenDialog { url, dialog, .. } => Some((url, dialog)),
                _ => None,
            })
            .expect("a dialog was opened")
    }

    fn submit_connect(&self, user: &str, login: &str, password: &str, tz: &str) -> Value {
        self.command(user, "/yandex_calendar connect");
        let (url, dialog) = self.last_dialog();
        assert_eq!(url, "/dialog/connect");
        self.post(
            user,
            &url,
            json!({"callback_id": dialog.callback_id, "state": dialog.state, "channel_id": "chan",
                   "submission": {"login": login, "password": password, "timezone": tz}}),
        )
    }

    fn user_keys(&self, user: &str) -> Vec<String> {
        self.host
            .kv
            .borrow()
            .keys()
            .filter(|k| k.contains(user))
            .cloned()
            .collect()
    }
}

fn ephemeral_posts(effects: &[Effect]) -> Vec<Post> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Ephemeral { post, .. } => Some(post.clone()),
            _ => None,
        })
        .collect()
}

/// Whether the user's open apps were told their agenda changed (the panel reloads then).
fn agenda_changed(effects: &[Effect], user: &str) -> bool {
    effects.iter().any(|e| {
        matches!(e, Effect::Publish { user_id, event, .. }
            if user_id == user && event == yandex_calendar::panel::events::AGENDA_CHANGED)
    })
}

#[test]
fn connect_choose_agenda_revoke_disconnect() {
    let server = common::Server::start("radicale.sh", "radicale-connect");
    let w = world(&server.url);
    let today = Utc::now().with_timezone(&Tz::Europe__Moscow).date_naive();
    seed(&w.server, today);
    w.host.add_user("ivan", "ru", "Europe/Moscow");
    w.host.add_user("john", "en", "Asia/Yekaterinburg");

    // Not connected yet: the agenda says how to connect.
    assert!(w
        .command("ivan", "/yandex_calendar today")
        .contains("/yandex_calendar connect"));

    // A wrong password is refused on the password field; nothing is stored.
    let answer = w.submit_connect("ivan", "user", "wrong", "");
    let err = answer["errors"]["password"].as_str().unwrap_or_default();
    assert!(err.contains("не принял логин или пароль"), "{answer}");
    assert!(w.user_keys("ivan").is_empty(), "{:?}", w.user_keys("ivan"));

    // An unknown timezone is refused on its field.
    let answer = w.submit_connect("ivan", "user", PASSWORD, "Mars/Olympus");
    assert!(answer["errors"]["timezone"]
        .as_str()
        .unwrap_or_default()
        .contains("Mars/Olympus"));

    // The right one connects: the dialog closes, a message offers the calendars.
    let answer = w.submit_connect("ivan", "user", PASSWORD, "");
    assert_eq!(answer, json!({}));
    let posts = ephemeral_posts(&w.take_effects());
    let confirm = posts.last().expect("a confirmation");
    assert!(
        confirm.message.contains("**Работа**") && confirm.message.contains("(3 из 3)"),
        "{}",
        confirm.message
    );
    let button = &confirm.attachments[0].actions[0];
    assert_eq!(button.label, "Выбрать календари");
    assert_eq!(button.url, "/actions/calendars");

    // The password is stored sealed: no KV value holds it.
    for (k, v) in w.host.kv.borrow().iter() {
        assert!(
            !String::from_utf8_lossy(v).contains(PASSWORD),
            "{k} holds the password"
        );
    }
    for (_, line) in w.host.logs.borrow().iter() {
        assert!(
            !line.contains(PASSWORD),
            "a log line holds the password: {line}"
        );
    }

    // The button opens the calendars dialog: three checkboxes, all ticked.
    w.post(
        "ivan",
        &button.url,
        json!({"trigger_id": "t2", "channel_id": "chan"}),
    );
    let (url, dialog) = w.last_dialog();
    assert_eq!(url, "/dialog/calendars");
    let boxes: Vec<(&str, &str, &str)> = dialog
        .elements
        .iter()
        .map(|e| {
            assert!(matches!(e.kind, ElementKind::Checkbox));
            (
                e.name.as_str(),
                e.display_name.as_str(),
                e.default_value.as_str(),
            )
        })
        .collect();
    assert_eq!(boxes.len(), 3, "{boxes:?}");
    assert!(boxes.iter().all(|(_, _, on)| *on == "true"));
    // Untick "Праздники".
    let mut submission = serde_json::Map::new();
    for (name, display, _) in &boxes {
        submission.insert(name.to_string(), Value::Bool(*display != "Праздники"));
    }
    let answer = w.post(
        "ivan",
        &url,
        json!({"channel_id": "chan", "submission": submission}),
    );
    assert_eq!(answer, json!({}));
    let saved = ephemeral_posts(&w.take_effects());
    assert!(saved
        .last()
        .is_some_and(|p| p.message.contains("Календари сохранены")));

    // The agenda shows both chosen calendars and not the third, in Moscow time.
    w.host.requests.borrow_mut().clear();
    let agenda = w.command("ivan", "/yandex_calendar today");
    assert!(agenda.contains("10:00–11:00 **Планёрка**"), "{agenda}");
    assert!(agenda.contains("12:00–13:00 **Стоматолог**"), "{agenda}");
    assert!(!agenda.contains("Корпоратив"), "{agenda}");
    assert!(agenda.contains("2 встречи"), "{agenda}");
    assert!(
        agenda.contains("_Работа_") && agenda.contains("_Личное_"),
        "{agenda}"
    );
    assert!(
        agenda_changed(&w.take_effects(), "ivan"),
        "the first sync stored meetings: ivan's apps are told"
    );

    // Nothing changed on the server: the next agenda costs one request.
    w.host.requests.borrow_mut().clear();
    let again = w.command("ivan", "/yandex_calendar calendars today");
    assert_eq!(again, agenda);
    assert_eq!(
        w.host.requests.borrow().len(),
        1,
        "an unchanged account costs one PROPFIND"
    );
    assert!(
        !agenda_changed(&w.take_effects(), "ivan"),
        "nothing changed, nothing told"
    );

    // A meeting added on the server shows up on the next question.
    let msk = Tz::Europe__Moscow;
    let tomorrow = today + Duration::days(1);
    let start = msk
        .with_ymd_and_hms(tomorrow.year(), tomorrow.month(), tomorrow.day(), 9, 30, 0)
        .single()
        .expect("a time")
        .with_timezone(&Utc)
        .format("%Y%m%dT%H%M%SZ")
        .to_string();
    common::put_event(
        &format!("{}user/work/w2.ics", w.server),
        "w2",
        "Ретро",
        &start,
    );
    let agenda = w.command("ivan", "/yandex_calendar tomorrow");
    assert!(agenda.contains("09:30–10:30 **Ретро**"), "{agenda}");
    assert!(agenda.starts_with("**Завтра, "), "{agenda}");
    assert!(
        agenda_changed(&w.take_effects(), "ivan"),
        "a new meeting is told"
    );

    // Another user in Yekaterinburg (UTC+5) connects to the same account: the same
    // meetings at their own local time, in English.
    assert_eq!(w.submit_connect("john", "user", PASSWORD, ""), json!({}));
    w.take_effects();
    let agenda = w.command(
        "john",
        &format!("/yandex_calendar date {}", today.format("%d.%m.%Y")),
    );
    assert!(agenda.contains("12:00–13:00 **Планёрка**"), "{agenda}");
    assert!(agenda.contains("14:00–15:00 **Стоматолог**"), "{agenda}");
    assert!(
        agenda.contains("16:00–17:00 **Корпоратив**"),
        "john has all three: {agenda}"
    );
    assert!(
        agenda.contains("3 meetings") && agenda.contains("times in Asia/Yekaterinburg"),
        "{agenda}"
    );

    // A timezone chosen in the dialog wins over the profile; without it the profile
    // counts, read afresh on every question (a profile change needs no reconnect).
    let day = today.format("%d.%m.%Y").to_string();
    assert_eq!(
        w.submit_connect("john", "user", PASSWORD, "europe/moscow"),
        json!({})
    );
    w.take_effects();
    let agenda = w.command("john", &format!("/yandex_calendar date {day}"));
    assert!(
        agenda.contains("10:00–11:00 **Планёрка**") && agenda.contains("times in Europe/Moscow"),
        "{agenda}"
    );
    assert_eq!(w.submit_connect("john", "user", PASSWORD, ""), json!({}));
    w.take_effects();
    if let Some(u) = w.host.users.borrow_mut().get_mut("john") {
        u.timezone = "Asia/Novosibirsk".into();
    }
    let agenda = w.command("john", &format!("/yandex_calendar date {day}"));
    assert!(
        agenda.contains("14:00–15:00 **Планёрка**") && agenda.contains("times in Asia/Novosibirsk"),
        "{agenda}"
    );
    let profile = w.command("john", "/yandex_calendar profile");
    assert!(
        profile.contains("Timezone: Asia/Novosibirsk (from your Mattermost profile)"),
        "{profile}"
    );

    // Notifications: the dialog saves the choice (three calendars shown: three to watch),
    // and the scheduler check says what is set and what comes next.
    assert_eq!(
        w.command("john", "/yandex_calendar notifications create"),
        ""
    );
    let (url, dialog) = w.last_dialog();
    assert_eq!(url, "/dialog/notifications");
    assert_eq!(dialog.elements.len(), 10);
    assert_eq!(
        dialog
            .elements
            .iter()
            .filter(|e| e.name.starts_with("watch_") && e.default_value == "true")
            .count(),
        3
    );
    let answer = w.post(
        "john",
        &url,
        json!({"channel_id": "chan", "submission": {"digest": "08:30", "reminder": "15", "status": true, "changes": true, "answers": false}}),
    );
    assert_eq!(answer, json!({}));
    let saved = ephemeral_posts(&w.take_effects());
    assert!(
        saved.last().is_some_and(|p| p.message.contains(
            "digest at 08:30 on weekdays (not on empty days), reminders 15 minutes before"
        )),
        "{saved:?}"
    );
    let check = w.command("john", "/yandex_calendar checks check_scheduler");
    assert!(
        check.starts_with("#### Yandex Calendar: your notifications")
            && check.contains("digest at 08:30 on weekdays")
            && check.contains("- Next digest: "),
        "{check}"
    );
    assert!(w
        .command("john", "/yandex_calendar notifications delete")
        .starts_with("Notifications are off"));
    let off = w.command("john", "/yandex_calendar checks check_scheduler");
    assert!(
        off.starts_with("Notifications are off") && !off.contains("08:30"),
        "{off}"
    );

    // A bad date is explained with an example.
    let bad = w.command("john", "/yandex_calendar date 31.02.2026");
    assert!(
        bad.contains("no such date") && bad.contains("28.02.2026"),
        "{bad}"
    );

    // The app password is revoked on the server: told once in a DM, account paused,
    // nothing deleted, the stored meetings still shown.
    let users_file = std::env::temp_dir()
        .join(format!("ycal-radicale-connect-{}", std::process::id()))
        .join("users");
    std::fs::write(&users_file, "user:revoked\n").expect("users file");
    let keys_before = w.user_keys("ivan");
    let agenda = w.command("ivan", "/yandex_calendar today");
    assert!(
        agenda.contains("приостановлена") && agenda.contains("Планёрка"),
        "{agenda}"
    );
    let dms: Vec<Effect> = w
        .take_effects()
        .into_iter()
        .filter(|e| matches!(e, Effect::DmPost { .. }))
        .collect();
    assert_eq!(dms.len(), 1, "{dms:?}");
    if let Effect::DmPost { user_id, post } = &dms[0] {
        assert_eq!(user_id, "ivan");
        assert!(
            post.message.contains("/yandex_calendar connections update"),
            "{}",
            post.message
        );
    }
    w.command("ivan", "/yandex_calendar today");
    assert!(
        !w.take_effects()
            .iter()
            .any(|e| matches!(e, Effect::DmPost { .. })),
        "told once"
    );
    assert_eq!(w.user_keys("ivan"), keys_before, "nothing deleted");
    let profile = w.command("ivan", "/yandex_calendar profile");
    assert!(profile.contains("приостановлена"), "{profile}");

    // The password works again: check_account resumes the account.
    std::fs::write(&users_file, format!("user:{PASSWORD}\n")).expect("users file");
    let check = w.command("ivan", "/yandex_calendar checks check_account");
    assert!(
        check.contains("подключение работает") && check.contains("возобновлена"),
        "{check}"
    );
    let profile = w.command("ivan", "/yandex_calendar profile");
    assert!(
        profile.contains("работает") && profile.contains("**user**"),
        "{profile}"
    );
    assert!(
        profile.contains("Последняя ошибка: нет"),
        "a passing check clears it: {profile}"
    );

    // Disconnect leaves nothing of the user.
    let bye = w.command("ivan", "/yandex_calendar disconnect");
    assert!(bye.contains("Отключено"), "{bye}");
    assert!(w.user_keys("ivan").is_empty(), "{:?}", w.user_keys("ivan"));
    assert!(w
        .command("ivan", "/yandex_calendar today")
        .contains("ещё не подключён"));
    drop(w.native.clone());
}

#[test]
fn unreachable_and_not_caldav_servers_are_named() {
    let w = world("http://127.0.0.1:9/");
    w.host.add_user("ivan", "en", "Europe/Moscow");
    let answer = w.submit_connect("ivan", "user", PASSWORD, "");
    let err = answer["error"].as_str().unwrap_or_default();
    assert!(err.contains("cannot be reached"), "{answer}");
    assert!(w.user_keys("ivan").is_empty());

    // Something that answers HTTP but is not CalDAV.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        use std::io::{Read, Write};
        for stream in listener.incoming().flatten().take(4) {
            let mut s = stream;
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 13\r\nConnection: close\r\n\r\n<html></html>");
        }
    });
    w.host.config.borrow_mut().caldav_url = Some(format!("http://127.0.0.1:{port}/"));
    let answer = w.submit_connect("ivan", "user", PASSWORD, "");
    let err = answer["error"].as_str().unwrap_or_default();
    assert!(err.contains("does not answer as a CalDAV"), "{answer}");
}

#[test]
fn tls_timeout_and_throttling_are_named() {
    use yandex_calendar::bindings::types::{HttpError, HttpResponse};
    let w = world("https://caldav.example");
    w.host.add_user("ivan", "ru", "Europe/Moscow");
    type Respond = Box<dyn Fn() -> Result<HttpResponse, HttpError>>;
    let cases: Vec<(Respond, &str)> = vec![
        (
            Box::new(|| {
                Err(HttpError::Tls(
                    "x509: certificate signed by unknown authority".into(),
                ))
            }),
            "TLS",
        ),
        (Box::new(|| Err(HttpError::Timeout)), "не ответил вовремя"),
        (
            Box::new(|| {
                Ok(HttpResponse {
                    status: 429,
                    headers: vec![Header {
                        name: "Retry-After".into(),
                        value: "600".into(),
                    }],
                    body: vec![],
                })
            }),
            "ограничивает запросы",
        ),
    ];
    for (respond, want) in cases {
        w.host.respond_with(move |_| respond());
        let answer = w.submit_connect("ivan", "ivan@yandex.ru", PASSWORD, "");
        let err = answer["error"].as_str().unwrap_or_default();
        assert!(err.contains(want), "want {want:?}: {answer}");
        assert!(w.user_keys("ivan").is_empty());
    }
}

/// POSTs to the Yandex replay server's control API.
fn control(server: &str, what: &str, body: &str) {
    use std::io::{Read, Write};
    let addr = server.trim_start_matches("http://").trim_end_matches('/');
    let mut s = std::net::TcpStream::connect(addr).expect("connect to the replay server");
    write!(
        s,
        "POST /_control/{what} HTTP/1.0\r\nHost: {addr}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .expect("write");
    let mut answer = String::new();
    s.read_to_string(&mut answer).expect("read");
    assert!(answer.contains(" 200 "), "{what}: {answer}");
}

#[test]
fn yandex_shaped_server_connect_agenda_and_failures() {
    let server = common::Server::start("yandex_replay.sh", "yandex-connect");
    let w = world(&server.url);
    w.host.add_user("maria", "ru", "Europe/Moscow");
    let today = Utc::now().with_timezone(&Tz::Europe__Moscow).date_naive();
    let at = |h: u32| {
        Tz::Europe__Moscow
            .with_ymd_and_hms(today.year(), today.month(), today.day(), h, 0, 0)
            .single()
            .expect("a time")
            .format("%Y%m%dT%H%M%S")
            .to_string()
    };
    let event = |uid: &str, h: u32, summary: &str, partstat: &str| {
        format!(
            "BEGIN:VCALENDAR\r\nPRODID:-//Yandex LLC//Yandex Calendar//EN\r\nVERSION:2.0\r\n\
             BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTART;TZID=Europe/Moscow:{}\r\nDTEND;TZID=Europe/Moscow:{}\r\n\
             SUMMARY:{summary}\r\nX-TELEMOST-CONFERENCE:https://telemost.yandex.ru/j/11112222333344\r\n\
             ORGANIZER:mailto:boss@yandex.ru\r\nATTENDEE;PARTSTAT={partstat}:mailto:user@ya.ru\r\n\
             END:VEVENT\r\nEND:VCALENDAR\r\n",
            at(h),
            at(h + 1)
        )
    };
    control(
        &w.server,
        "put?cal=events-1001&name=a.ics",
        &event("a@yandex.ru", 11, "Синк", "ACCEPTED"),
    );
    control(
        &w.server,
        "put?cal=events-1001&name=b.ics",
        &event("b@yandex.ru", 15, "Ревью", "DECLINED"),
    );

    assert_eq!(
        w.submit_connect("maria", "user@yandex.ru", "secret", ""),
        json!({})
    );
    let confirm = ephemeral_posts(&w.take_effects());
    // Only the event calendar: the VTODO one is not offered.
    assert!(
        confirm
            .last()
            .is_some_and(|p| p.message.contains("**Work** (1 из 1)")),
        "{confirm:?}"
    );

    let agenda = w.command("maria", "/yandex_calendar today");
    assert!(
        agenda.contains(
            "11:00–12:00 **Синк** · [Телемост](https://telemost.yandex.ru/j/11112222333344)"
        ),
        "{agenda}"
    );
    // user@ya.ru is the same person as user@yandex.ru: the declined one is struck through.
    assert!(
        agenda.contains("~~15:00–16:00 Ревью~~") && agenda.contains("вы отказались"),
        "{agenda}"
    );

    // Yandex forgets the sync token: the next question still gets the change.
    control(&w.server, "expire_tokens", "");
    control(
        &w.server,
        "put?cal=events-1001&name=c.ics",
        &event("c@yandex.ru", 17, "Демо", "NEEDS-ACTION"),
    );
    let agenda = w.command("maria", "/yandex_calendar today");
    assert!(
        agenda.contains("17:00–18:00 **Демо**") && agenda.contains("нет ответа"),
        "{agenda}"
    );

    // The server fails for a while: the stored meetings are shown with a note.
    control(&w.server, "fail?status=504&count=20", "");
    let agenda = w.command("maria", "/yandex_calendar today");
    assert!(
        agenda.contains("Сейчас синхронизироваться не удалось") && agenda.contains("**Синк**"),
        "{agenda}"
    );
    // The profile asks the server too: while it still fails, the error is named.
    let profile = w.command("maria", "/yandex_calendar profile");
    assert!(
        profile.contains("перегружен"),
        "the last error is named: {profile}"
    );
    control(&w.server, "fail?status=504&count=0", "");
    let profile = w.command("maria", "/yandex_calendar profile");
    assert!(
        !profile.contains("перегружен") && profile.contains("Последняя успешная синхронизация"),
        "recovered: {profile}"
    );
}
