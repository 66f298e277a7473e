//! Answering invitations through the component's hooks against real CalDAV servers
//! (Radicale, Xandikos: a real PUT with If-Match, the stored ATTENDEE line checked) and the
//! Yandex replay server (its quirks: bare ETags that never match, an organizer's edit
//! landing first, an invitee's PUT that keeps the organizer's fields, a declined meeting
//! that vanishes). The recording fake host plays Mattermost; the e2e suite clicks the same
//! buttons in a real one (tests/e2e/users_answer_test.go).

mod common;

use std::cell::RefCell;

use chrono::{DateTime, Duration, Timelike, Utc};
use serde_json::{json, Map, Value};
use yandex_calendar::bindings::types::{
    Attachment, CommandArgs, Dialog, Job, PluginRequest, Post, RequestMethod,
};
use yandex_calendar::caldav::{get_object, put_object, ETag};
use yandex_calendar::hooks;
use yandex_calendar::host::fake::{Effect, FakeHost};
use yandex_calendar::host::native::NativeHost;
use yandex_calendar::host::Http;
use yandex_calendar::store::keys;

const ME: &str = "ivan";

/// Where the meetings live and how the test puts them there.
enum Store {
    /// A real server: PUT through tests/servers/dav.py.
    Dav { cal: String },
    /// The replay server: its control API.
    Replay { url: String },
}

struct World {
    host: FakeHost,
    login: String,
    store: Store,
    /// How I am written among attendees (an alias on Yandex).
    me_in_ics: String,
    dir: std::path::PathBuf,
    /// The direct messages seen so far (cleared by [`World::dms`]).
    seen: RefCell<usize>,
}

fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

fn minute(t: DateTime<Utc>) -> DateTime<Utc> {
    t.with_second(0)
        .and_then(|t| t.with_nanosecond(0))
        .unwrap_or(t)
}

fn world(server: &str, login: &str, store: Store, me_in_ics: &str, name: &str) -> World {
    let host = FakeHost::new();
    let native = NativeHost::new();
    host.respond_with(move |r| native.send(r));
    host.config.borrow_mut().caldav_url = Some(server.to_string());
    host.config.borrow_mut().encryption_key = "an admin generated key".into();
    host.now_ms.set(minute(Utc::now()).timestamp_millis());
    host.add_user(ME, "ru", "Europe/Moscow");
    let dir = std::env::temp_dir().join(format!("ycal-answer-{name}-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    World {
        host,
        login: login.into(),
        store,
        me_in_ics: me_in_ics.into(),
        dir,
        seen: RefCell::new(0),
    }
}

/// A meeting Olga organizes and I am invited to (not answered yet), with her fields, another
/// attendee and a property of her client's.
fn invitation(uid: &str, summary: &str, start: DateTime<Utc>, me: &str, extra: &[&str]) -> String {
    let mut lines = vec![
        "BEGIN:VCALENDAR".to_string(),
        "VERSION:2.0".into(),
        "PRODID:-//Yandex LLC//Yandex Calendar//EN".into(),
        "BEGIN:VEVENT".into(),
        format!("UID:{uid}"),
        "DTSTAMP:20250101T000000Z".into(),
        format!("DTSTART:{}", utc(start)),
        format!("DTEND:{}", utc(start + Duration::minutes(30))),
        format!("SUMMARY:{summary}"),
        "SEQUENCE:2".into(),
        "ORGANIZER;CN=\"Ольга, руководитель\":mailto:olga@example.com".into(),
        "ATTENDEE;CN=\"Ольга, руководитель\";PARTSTAT=ACCEPTED:mailto:olga@example.com".into(),
        format!("ATTENDEE;CN=Иван;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:{me}"),
        "ATTENDEE;CN=Bob;PARTSTAT=TENTATIVE:mailto:bob@example.com".into(),
        "X-TELEMOST-CONFERENCE:https://telemost.yandex.ru/j/12345".into(),
    ];
    lines.extend(extra.iter().map(|s| s.to_string()));
    lines.extend([
        "END:VEVENT".to_string(),
        "END:VCALENDAR".into(),
        String::new(),
    ]);
    lines.join("\r\n")
}

/// Unfolded content lines.
fn unfolded(ics: &str) -> Vec<String> {
    ics.replace("\r\n ", "")
        .replace("\n ", "")
        .replace("\r\n", "\n")
        .lines()
        .map(str::to_string)
        .filter(|l| !l.is_empty())
        .collect()
}

impl World {
    fn now(&self) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(self.host.now_ms.get()).unwrap_or_default()
    }

    fn at(&self, t: DateTime<Utc>) {
        self.host.now_ms.set(t.timestamp_millis());
    }

    fn put(&self, uid: &str, ics: &str) {
        match &self.store {
            Store::Dav { cal } => {
                let file = self.dir.join(format!("{uid}.ics"));
                std::fs::write(&file, ics).expect("ics written");
                common::dav(&["put", &format!("{cal}{uid}.ics"), &file.to_string_lossy()]);
            }
            Store::Replay { url } => {
                control(url, &format!("put?cal=events-1001&name={uid}.ics"), ics);
            }
        }
    }

    /// The object as the server stores it now (for the replay server, also one that
    /// vanished from my calendar: the organizer's copy).
    fn stored(&self, uid: &str) -> String {
        match &self.store {
            Store::Dav { cal } => {
                let host = NativeHost::new();
                let c = common::client(&host, &self.login, common::PASSWORD);
                get_object(&c, &format!("{cal}{uid}.ics"))
                    .expect("the object")
                    .body
            }
            Store::Replay { url } => {
                control(url, &format!("get?cal=events-1001&name={uid}.ics"), "")
            }
        }
    }

    fn command(&self, line: &str) -> String {
        hooks::execute_command(
            &self.host,
            &CommandArgs {
                user_id: ME.into(),
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

    fn post(&self, path: &str, body: Value) -> Value {
        let resp = hooks::serve_http(
            &self.host,
            &PluginRequest {
                method: RequestMethod::Post,
                path: path.into(),
                query: String::new(),
                headers: Vec::new(),
                body: serde_json::to_vec(&body).unwrap_or_default(),
                user_id: Some(ME.into()),
            },
        );
        assert_eq!(resp.status, 200, "{path}");
        serde_json::from_slice(&resp.body).unwrap_or(Value::Null)
    }

    fn last_dialog(&self) -> Dialog {
        self.host
            .effects
            .borrow()
            .iter()
            .rev()
            .find_map(|e| match e {
                Effect::OpenDialog { dialog, .. } => Some(dialog.clone()),
                _ => None,
            })
            .expect("a dialog was opened")
    }

    /// Connects, and turns notifications on (no digest, reminders 10 minutes before).
    fn start(&self) {
        self.command("/yandex_calendar connect");
        let d = self.last_dialog();
        let answer = self.post(
            "/dialog/connect",
            json!({"callback_id": d.callback_id, "state": d.state, "channel_id": "chan",
                   "submission": {"login": self.login, "password": common::PASSWORD, "timezone": ""}}),
        );
        assert_eq!(answer, json!({}));
        self.command("/yandex_calendar notifications create");
        let d = self.last_dialog();
        let mut submission = Map::new();
        for e in &d.elements {
            let v = match e.default_value.as_str() {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                other => Value::String(other.into()),
            };
            submission.insert(e.name.clone(), v);
        }
        submission.insert("digest".into(), json!("off"));
        submission.insert("reminder".into(), json!("10"));
        let answer = self.post(
            "/dialog/notifications",
            json!({"callback_id": d.callback_id, "state": d.state, "channel_id": "chan",
                   "submission": submission}),
        );
        assert_eq!(answer, json!({}), "{answer}");
        self.dms();
    }

    fn round(&self) {
        hooks::run_job(&self.host, &Job::User(ME.into())).expect("the round runs");
    }

    /// The bot's direct messages since the last call, with their post ids.
    fn dms(&self) -> Vec<(String, Post)> {
        let mut out = Vec::new();
        for e in self.host.effects.borrow().iter() {
            if let Effect::DmPost { user_id, post } = e {
                *self.seen.borrow_mut() += 1;
                if user_id == ME {
                    // The fake host numbers posts in order.
                    out.push((format!("post{}", self.seen.borrow()), post.clone()));
                }
            }
        }
        self.host
            .effects
            .borrow_mut()
            .retain(|e| !matches!(e, Effect::DmPost { .. }));
        out
    }

    /// The last redraw of post `id`.
    fn redrawn(&self, id: &str) -> Option<Post> {
        self.host
            .effects
            .borrow()
            .iter()
            .rev()
            .find_map(|e| match e {
                Effect::UpdatePost { post_id, post } if post_id == id => Some(post.clone()),
                _ => None,
            })
    }

    /// Clicks button `action` of `post` (id `id`) as Mattermost posts it; the ephemeral
    /// answer, if any.
    fn click(&self, id: &str, post: &Post, action: &str) -> Option<String> {
        let a = post
            .attachments
            .iter()
            .flat_map(|a| a.actions.iter())
            .find(|a| a.id == action)
            .unwrap_or_else(|| panic!("no button {action}: {:?}", texts(post)));
        let context: Map<String, Value> = a
            .context
            .iter()
            .map(|p| (p.key.clone(), json!(p.value)))
            .collect();
        let answer = self.post(
            &a.url,
            json!({"user_id": ME, "post_id": id, "channel_id": "dm", "context": context}),
        );
        answer["ephemeral_text"].as_str().map(str::to_string)
    }
}

/// Each attachment's text and button ids.
fn texts(post: &Post) -> Vec<(String, Vec<String>)> {
    post.attachments
        .iter()
        .map(|a: &Attachment| {
            (
                a.text.clone(),
                a.actions.iter().map(|b| b.id.clone()).collect(),
            )
        })
        .collect()
}

/// POSTs to the replay server's control API.
fn control(url: &str, what: &str, body: &str) -> String {
    use std::io::{Read, Write};
    let addr = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string();
    let mut s = std::net::TcpStream::connect(&addr).expect("connect to replay server");
    write!(
        s,
        "POST /_control/{what} HTTP/1.0\r\nHost: {addr}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .expect("write");
    let mut answer = String::new();
    s.read_to_string(&mut answer).expect("read");
    assert!(
        answer.starts_with("HTTP/1.0 200") || answer.starts_with("HTTP/1.1 200"),
        "{what}: {answer}"
    );
    answer
        .split("\r\n\r\n")
        .nth(1)
        .unwrap_or_default()
        .to_string()
}

/// The story on a real server: an invitation answered, a series answered for one meeting,
/// the reminder showing the answer; each time the server's object holds my answer and
/// nothing else changed, and the next round tells me nothing.
fn story(w: &World) {
    let me = w.me_in_ics.clone();
    let t0 = w.now();
    w.start();

    // An invitation: the message carries the buttons.
    let demo_at = t0 + Duration::minutes(40);
    let demo = invitation("demo", "Демо", demo_at, &me, &[]);
    w.put("demo", &demo);
    w.at(t0 + Duration::minutes(1));
    w.round();
    let dms = w.dms();
    assert_eq!(dms.len(), 1, "{dms:?}");
    let (id, post) = &dms[0];
    assert!(
        post.message.contains("Приглашение: **Демо**"),
        "{}",
        post.message
    );
    assert_eq!(
        texts(post),
        [(
            "Пойдёте?".to_string(),
            vec!["accept0".to_string(), "maybe0".into(), "decline0".into()]
        )]
    );

    // Accept: a real PUT; the stored object differs by my PARTSTAT only.
    let before = w.stored("demo");
    assert_eq!(w.click(id, post, "accept0"), None);
    let stored = w.stored("demo");
    let mine = format!("ATTENDEE;CN=Иван;PARTSTAT=ACCEPTED;RSVP=TRUE:mailto:{me}");
    assert!(unfolded(&stored).contains(&mine), "{stored}");
    let expected: Vec<String> = unfolded(&before)
        .into_iter()
        .map(|l| if l.contains(&me) { mine.clone() } else { l })
        .collect();
    let mut got = unfolded(&stored);
    let mut want = expected;
    got.sort();
    want.sort();
    assert_eq!(got, want, "only my answer changed");
    let redrawn = w.redrawn(id).expect("the message redrawn");
    assert_eq!(redrawn.message, post.message);
    assert_eq!(
        texts(&redrawn),
        [(
            "✅ Вы приняли приглашение".to_string(),
            vec!["maybe0".to_string(), "decline0".into()]
        )]
    );
    // My own answer is not news.
    w.at(t0 + Duration::minutes(2));
    w.round();
    assert!(w.dms().is_empty());

    // A weekly series: the question, then one meeting declined in its own override.
    let weekly_at = t0 + Duration::days(1);
    let weekly = invitation(
        "weekly",
        "Планёрка",
        weekly_at,
        &me,
        &["RRULE:FREQ=WEEKLY;COUNT=4"],
    );
    w.put("weekly", &weekly);
    w.at(t0 + Duration::minutes(3));
    w.round();
    let dms = w.dms();
    assert_eq!(dms.len(), 1, "{dms:?}");
    let (id, post) = &dms[0];
    let before = w.stored("weekly");
    assert_eq!(w.click(id, post, "decline0"), None);
    let asked = w.redrawn(id).expect("the question");
    assert!(
        asked.attachments[0]
            .text
            .starts_with("Отказаться только от встречи "),
        "{:?}",
        texts(&asked)
    );
    assert_eq!(w.stored("weekly"), before, "a question changes nothing");
    assert_eq!(w.click(id, &asked, "declineone0"), None);
    let stored = unfolded(&w.stored("weekly"));
    assert_eq!(
        stored.iter().filter(|l| *l == "BEGIN:VEVENT").count(),
        2,
        "{stored:?}"
    );
    assert!(stored.contains(&format!("RECURRENCE-ID:{}", utc(weekly_at))));
    assert!(stored.contains(&format!(
        "ATTENDEE;CN=Иван;PARTSTAT=DECLINED;RSVP=TRUE:mailto:{me}"
    )));
    assert!(stored.contains(&format!(
        "ATTENDEE;CN=Иван;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:{me}"
    )));
    let done = w.redrawn(id).expect("redrawn");
    assert!(
        done.attachments[0]
            .text
            .starts_with("❌ Вы отказались от встречи "),
        "{:?}",
        texts(&done)
    );
    w.at(t0 + Duration::minutes(4));
    w.round();
    assert!(w.dms().is_empty(), "nothing to tell about my own answer");
    // The agenda of that day shows it declined, and the week after not.
    let day = weekly_at.with_timezone(&chrono_tz::Tz::Europe__Moscow);
    let agenda = w.command(&format!("/yandex_calendar date {}", day.format("%Y-%m-%d")));
    assert!(agenda.contains("~~"), "{agenda}");
    let next = day + Duration::days(7);
    let agenda = w.command(&format!(
        "/yandex_calendar date {}",
        next.format("%Y-%m-%d")
    ));
    assert!(
        agenda.contains("Планёрка") && !agenda.contains("~~"),
        "{agenda}"
    );

    // The reminder of the accepted meeting shows my answer and the buttons to change it.
    let reminder_at = demo_at - Duration::minutes(10);
    let key = keys::job(ME, reminder_at.timestamp_millis()).expect("a plain id");
    assert!(
        w.host.jobs.borrow_mut().remove(&key).is_some(),
        "reminder armed"
    );
    w.at(reminder_at);
    hooks::run_job(&w.host, &Job::Due(key)).expect("the job runs");
    let dms = w.dms();
    assert_eq!(dms.len(), 1, "{dms:?}");
    let (id, post) = &dms[0];
    assert!(
        post.message.starts_with("🔔 Через 10 мин: **Демо**"),
        "{}",
        post.message
    );
    assert_eq!(
        texts(post),
        [(
            "✅ Вы приняли приглашение".to_string(),
            vec!["maybe0".to_string(), "decline0".into()]
        )]
    );
    assert_eq!(w.click(id, post, "maybe0"), None);
    assert!(unfolded(&w.stored("demo")).contains(&format!(
        "ATTENDEE;CN=Иван;PARTSTAT=TENTATIVE;RSVP=TRUE:mailto:{me}"
    )));
}

#[test]
fn answers_on_radicale() {
    let server = common::Server::start("radicale.sh", "radicale-answer");
    let cal = format!("{}user/work/", server.url);
    common::dav(&["mkcal", &cal, "Работа"]);
    let w = world(
        &server.url,
        "user",
        Store::Dav { cal },
        "ivan@example.com",
        "radicale",
    );
    story(&w);
}

#[test]
fn answers_on_xandikos() {
    let server = common::Server::start("xandikos.sh", "xandikos-answer");
    let cal = format!("{}user/calendars/work/", server.url);
    common::dav(&["mkcal", &cal, "Работа"]);
    let w = world(
        &server.url,
        "user",
        Store::Dav { cal },
        "ivan@example.com",
        "xandikos",
    );
    story(&w);
}

fn stats(url: &str) -> Value {
    serde_json::from_str(&control(url, "stats", "")).expect("stats JSON")
}

fn count(url: &str, kind: &str) -> u64 {
    stats(url)["by_kind"][kind].as_u64().unwrap_or(0)
}

#[test]
fn answers_on_the_yandex_replay_server() {
    let server = common::Server::start("yandex_replay.sh", "yandex-answer");
    let url = server.url.clone();
    // Yandex rewrites @ya.ru to @yandex.ru and back: I am invited as an alias.
    let w = world(
        &url,
        "user@yandex.ru",
        Store::Replay { url: url.clone() },
        "user@ya.ru",
        "replay",
    );
    let t0 = w.now();
    w.start();
    let invite = |uid: &str, summary: &str, minute: i64| {
        let ics = invitation(uid, summary, t0 + Duration::hours(2), "user@ya.ru", &[]);
        w.put(uid, &ics);
        w.at(t0 + Duration::minutes(minute));
        w.round();
        let mut dms = w.dms();
        assert_eq!(dms.len(), 1, "{dms:?}");
        (ics, dms.remove(0))
    };

    // ETags bare in headers, and a server that matches no If-Match: after the re-read and
    // a second 412 the fresh object goes without If-Match; the answer is saved.
    control(&url, "header_etags?style=bare", "");
    control(&url, "if_match?never=1", "");
    let (_, (id, post)) = invite("a", "Бар", 1);
    let (gets, puts) = (count(&url, "GET"), count(&url, "PUT"));
    assert_eq!(w.click(&id, &post, "accept0"), None);
    assert_eq!(
        (count(&url, "GET") - gets, count(&url, "PUT") - puts),
        (2, 3)
    );
    let stored = unfolded(&w.stored("a"));
    assert!(stored
        .contains(&"ATTENDEE;CN=Иван;PARTSTAT=ACCEPTED;RSVP=TRUE:mailto:user@ya.ru".to_string()));
    assert!(stored.contains(&"SUMMARY:Бар".to_string()));
    control(&url, "if_match?never=0", "");
    control(&url, "header_etags?style=quoted", "");

    // The organizer edits the meeting just before my PUT: 412, read again, my answer on
    // top of her edit.
    let (_, (id, post)) = invite("b", "Ретро", 2);
    control(&url, "race?count=1", "");
    assert_eq!(w.click(&id, &post, "accept0"), None);
    let stored = unfolded(&w.stored("b"));
    assert!(
        stored.contains(&"SUMMARY:(changed) Ретро".to_string()),
        "{stored:?}"
    );
    assert!(stored
        .contains(&"ATTENDEE;CN=Иван;PARTSTAT=ACCEPTED;RSVP=TRUE:mailto:user@ya.ru".to_string()));
    // Twice in a row: not saved, said so, the message left as it was.
    control(&url, "race?count=2", "");
    let said = w.click(&id, &post, "decline0").unwrap_or_default();
    assert!(said.contains("встреча менялась на сервере"), "{said}");
    let last = w.redrawn(&id).expect("the earlier redraw");
    assert!(
        last.attachments[0].text.starts_with("✅"),
        "{:?}",
        texts(&last)
    );
    assert!(!w.stored("b").contains("DECLINED"));

    // An invitee's PUT keeps the organizer's fields: only my PARTSTAT is taken, and no
    // ETag comes back (what is stored is not what was sent).
    let host = NativeHost::new();
    let c = common::client(&host, "user@yandex.ru", common::PASSWORD);
    let obj = format!("{url}calendars/user%40yandex.ru/events-1001/b.ics");
    let read = get_object(&c, &obj).expect("read");
    let summary = unfolded(&read.body)
        .into_iter()
        .find(|l| l.starts_with("SUMMARY:"))
        .expect("a title");
    let edited = read
        .body
        .replace(&summary, "SUMMARY:Мой заголовок")
        .replace(
            "PARTSTAT=ACCEPTED;RSVP=TRUE",
            "PARTSTAT=TENTATIVE;RSVP=TRUE",
        );
    let etag = put_object(&c, &obj, edited.as_bytes(), read.etag.as_ref()).expect("put");
    assert_eq!(etag, None);
    let stored = get_object(&c, &obj).expect("read again");
    assert!(unfolded(&stored.body).contains(&summary), "{}", stored.body);
    assert!(stored
        .body
        .contains("PARTSTAT=TENTATIVE;RSVP=TRUE:mailto:user@ya.ru"));
    assert!(matches!(stored.etag, Some(ETag::Strong(_))));

    // Declined, the meeting vanishes from my calendar: no "cancelled" message for me; the
    // organizer's copy keeps it with my answer; the message then says it is gone.
    control(&url, "vanish_declined?on=1", "");
    let (_, (id, post)) = invite("c", "Сбор", 3);
    assert_eq!(w.click(&id, &post, "decline0"), None);
    assert!(matches!(
        get_object(
            &c,
            &format!("{url}calendars/user%40yandex.ru/events-1001/c.ics")
        ),
        Err(yandex_calendar::caldav::CalDavError::NotFound { .. })
    ));
    assert!(w
        .stored("c")
        .contains("ATTENDEE;CN=Иван;PARTSTAT=DECLINED;RSVP=TRUE:mailto:user@ya.ru"));
    w.at(t0 + Duration::minutes(4));
    w.round();
    assert!(
        w.dms().is_empty(),
        "a declined meeting gone is not cancelled"
    );
    let day = (t0 + Duration::hours(2)).with_timezone(&chrono_tz::Tz::Europe__Moscow);
    let agenda = w.command(&format!("/yandex_calendar date {}", day.format("%Y-%m-%d")));
    assert!(
        agenda.contains("Бар") && !agenda.contains("Сбор"),
        "{agenda}"
    );
    let said = w.click(&id, &post, "accept0").unwrap_or_default();
    assert_eq!(
        said,
        "Ответ не сохранён: этой встречи больше нет в вашем календаре."
    );
}
