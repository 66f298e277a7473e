//! The notification round and its one-off jobs through the component's hooks, with a real
//! Radicale behind the host's HTTP and the recording fake host as Mattermost (the jobs it
//! arms are fired by the test at their times, as Mattermost's scheduler would). The e2e
//! suite does the same in a real Mattermost.

mod common;

use std::cell::Cell;
use std::rc::Rc;

use chrono::{DateTime, Duration, Timelike, Utc};
use chrono_tz::Tz;
use serde_json::{json, Value};
use yandex_calendar::bindings::types::{
    CommandArgs, CustomStatus, Dialog, HttpError, Job, PluginRequest, RequestMethod,
};
use yandex_calendar::hooks;
use yandex_calendar::host::fake::{Effect, FakeHost};
use yandex_calendar::host::native::NativeHost;
use yandex_calendar::host::{Http, Mattermost};
use yandex_calendar::store::keys;

const ME: &str = "ivan";
const PASSWORD: &str = "secret";

struct World {
    host: FakeHost,
    cal: String,
    /// While set, the CalDAV server cannot be reached.
    down: Rc<Cell<bool>>,
    dir: std::path::PathBuf,
}

fn world(server: &str) -> World {
    let host = FakeHost::new();
    let native = Rc::new(NativeHost::new());
    let down = Rc::new(Cell::new(false));
    let (n, d) = (native.clone(), down.clone());
    host.respond_with(move |r| {
        if d.get() {
            return Err(HttpError::Unreachable("connection refused".into()));
        }
        n.send(r)
    });
    host.config.borrow_mut().caldav_url = Some(server.to_string());
    host.config.borrow_mut().encryption_key = "an admin generated key".into();
    host.now_ms.set(Utc::now().timestamp_millis());
    host.add_user(ME, "ru", "Europe/Moscow");
    let cal = format!("{server}user/work/");
    common::dav(&["mkcal", &cal, "Работа"]);
    // One folder per world: the tests of this file run at once.
    static WORLDS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = WORLDS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("ycal-notify-flow-{}-{n}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    World {
        host,
        cal,
        down,
        dir,
    }
}

fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

impl World {
    fn now(&self) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(self.host.now_ms.get()).unwrap_or_default()
    }

    fn at(&self, t: DateTime<Utc>) {
        self.host.now_ms.set(t.timestamp_millis());
    }

    fn put(&self, uid: &str, summary: &str, start: DateTime<Utc>, minutes: i64, extra: &[&str]) {
        let mut lines = vec![
            "BEGIN:VCALENDAR".to_string(),
            "VERSION:2.0".into(),
            "PRODID:-//Yandex LLC//Yandex Calendar//EN".into(),
            "BEGIN:VEVENT".into(),
            format!("UID:{uid}"),
            "DTSTAMP:20250101T000000Z".into(),
            format!("DTSTART:{}", utc(start)),
            format!("DTEND:{}", utc(start + Duration::minutes(minutes))),
            format!("SUMMARY:{summary}"),
        ];
        lines.extend(extra.iter().map(|s| s.to_string()));
        lines.extend([
            "END:VEVENT".to_string(),
            "END:VCALENDAR".into(),
            String::new(),
        ]);
        let file = self.dir.join(format!("{uid}.ics"));
        std::fs::write(&file, lines.join("\r\n")).expect("ics written");
        common::dav(&[
            "put",
            &format!("{}{uid}.ics", self.cal),
            &file.to_string_lossy(),
        ]);
    }

    fn delete(&self, uid: &str) {
        common::dav(&["delete", &format!("{}{uid}.ics", self.cal)]);
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

    fn connect(&self) {
        self.command("/yandex_calendar connect");
        let d = self.last_dialog();
        let answer = self.post(
            "/dialog/connect",
            json!({"callback_id": d.callback_id, "state": d.state, "channel_id": "chan",
                   "submission": {"login": "user", "password": PASSWORD, "timezone": ""}}),
        );
        assert_eq!(answer, json!({}));
    }

    /// Opens the notifications dialog and submits it with `changes` over its defaults.
    fn notifications(&self, changes: &[(&str, Value)]) -> Dialog {
        self.command("/yandex_calendar notifications create");
        let d = self.last_dialog();
        let mut submission = serde_json::Map::new();
        for e in &d.elements {
            let v = match e.default_value.as_str() {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                other => Value::String(other.into()),
            };
            submission.insert(e.name.clone(), v);
        }
        for (k, v) in changes {
            submission.insert(k.to_string(), v.clone());
        }
        let answer = self.post(
            "/dialog/notifications",
            json!({"callback_id": d.callback_id, "state": d.state, "channel_id": "chan",
                   "submission": submission}),
        );
        assert_eq!(answer, json!({}), "{answer}");
        d
    }

    fn round(&self) {
        let r = hooks::run_job(&self.host, &Job::User(ME.into())).expect("the round runs");
        assert_eq!(r.users_seen, 1);
    }

    /// The jobs armed for the user, by time.
    fn jobs(&self) -> Vec<DateTime<Utc>> {
        self.host
            .jobs
            .borrow()
            .values()
            .map(|ms| DateTime::from_timestamp_millis(*ms).unwrap_or_default())
            .collect()
    }

    /// Fires the job armed for `at` as the scheduler does: at its time, once.
    fn fire(&self, at: DateTime<Utc>) -> u32 {
        let key = keys::job(ME, at.timestamp_millis()).expect("a plain id");
        assert!(
            self.host.jobs.borrow_mut().remove(&key).is_some(),
            "no job armed for {at}: {:?}",
            self.jobs()
        );
        self.at(at);
        hooks::run_job(&self.host, &Job::Due(key))
            .expect("the job runs")
            .effects
    }

    /// The direct messages since the last call.
    fn dms(&self) -> Vec<String> {
        let mut effects = self.host.effects.borrow_mut();
        let out = effects
            .iter()
            .filter_map(|e| match e {
                Effect::DmPost { user_id, post } if user_id == ME => Some(post.message.clone()),
                _ => None,
            })
            .collect();
        effects.clear();
        out
    }

    fn status(&self) -> Option<CustomStatus> {
        self.host.get_user(ME).ok().and_then(|u| u.custom_status)
    }
}

fn minute(t: DateTime<Utc>) -> DateTime<Utc> {
    t.with_second(0)
        .and_then(|t| t.with_nanosecond(0))
        .unwrap_or(t)
}

#[test]
fn digest_reminders_status_changes_and_answers_each_once() {
    let server = common::Server::start("radicale.sh", "radicale-notify");
    let w = world(&server.url);
    let t0 = minute(w.now());
    w.at(t0);
    let msk = Tz::Europe__Moscow;
    let when = |t: DateTime<Utc>| t.with_timezone(&msk).format("%H:%M").to_string();
    // "10:00–10:30" within a day; across midnight each end carries its date
    // ("вс, 29 ноя, 23:37 – пн, 30 ноя, 00:07"), so only both times are looked for.
    let spans = |msg: &str, start: DateTime<Utc>| {
        let end = start + Duration::minutes(30);
        if start.with_timezone(&msk).date_naive() == end.with_timezone(&msk).date_naive() {
            msg.contains(&format!("{}–{}", when(start), when(end)))
        } else {
            msg.contains(&format!("{} – ", when(start))) && msg.contains(&when(end))
        }
    };
    let invited = [
        "ORGANIZER;CN=Ольга:mailto:olga@example.com",
        "ATTENDEE;CN=Иван;PARTSTAT=NEEDS-ACTION:mailto:ivan@example.com",
        "ATTENDEE;CN=Ольга;PARTSTAT=ACCEPTED:mailto:olga@example.com",
    ];
    // A meeting from before notifications are on: the first round only records it.
    w.put("standup", "Планёрка", t0 + Duration::days(1), 15, &invited);
    w.connect();
    w.dms();
    w.notifications(&[("digest", json!("off")), ("reminder", json!("10"))]);
    let dms = w.dms();
    assert!(!dms.iter().any(|m| m.contains("Изменения")), "{dms:?}");
    assert!(w.host.kv.borrow().contains_key(&keys::snapshot(ME)));

    // An idle round: one request to the server, the snapshot neither read nor written,
    // nothing written at all (no lease, no "last sync" stamp).
    let snapshot = w.host.kv.borrow().get(&keys::snapshot(ME)).cloned();
    w.host.reads.borrow_mut().clear();
    w.host.writes.borrow_mut().clear();
    w.host.requests.borrow_mut().clear();
    w.at(t0 + Duration::minutes(1));
    w.round();
    assert!(!w.host.reads.borrow().contains(&keys::snapshot(ME)));
    assert_eq!(
        *w.host.writes.borrow(),
        Vec::<String>::new(),
        "an idle round writes nothing"
    );
    assert!(
        !w.host.reads.borrow().contains(&keys::status(ME)),
        "a quiet plan is not even read in full: {:?}",
        w.host.reads.borrow()
    );
    assert_eq!(
        w.host.kv.borrow().get(&keys::snapshot(ME)).cloned(),
        snapshot
    );
    assert_eq!(
        w.host.requests.borrow().len(),
        1,
        "an idle poll is one request"
    );
    assert!(w.dms().is_empty());

    // An invitation: one message saying so; the jobs for its reminder and status armed.
    let demo = t0 + Duration::minutes(30);
    let demo_extra: Vec<&str> = invited
        .iter()
        .copied()
        .chain(["X-TELEMOST-CONFERENCE:https://telemost.yandex.ru/j/12345"])
        .collect();
    w.put("demo", "Демо", demo, 30, &demo_extra);
    w.at(t0 + Duration::minutes(2));
    w.round();
    let dms = w.dms();
    assert_eq!(dms.len(), 1, "{dms:?}");
    assert!(
        dms[0].starts_with("📅 Изменения в календаре:"),
        "{}",
        dms[0]
    );
    assert!(dms[0].contains("➕ Приглашение: **Демо** — "), "{}", dms[0]);
    assert!(spans(&dms[0], demo), "{}", dms[0]);
    assert!(!dms[0].contains("Планёрка"), "{}", dms[0]);
    let jobs = w.jobs();
    for t in [
        demo - Duration::minutes(10),
        demo,
        demo + Duration::minutes(30),
    ] {
        assert!(jobs.contains(&t), "no job at {t}: {jobs:?}");
    }

    // The reminder at its minute, once, with the Join link.
    assert_eq!(w.fire(demo - Duration::minutes(10)), 1);
    let dms = w.dms();
    assert_eq!(dms.len(), 1, "{dms:?}");
    assert!(
        dms[0].starts_with("🔔 Через 10 мин: **Демо**"),
        "{}",
        dms[0]
    );
    assert!(
        dms[0].contains("[Подключиться](https://telemost.yandex.ru/j/12345)"),
        "{}",
        dms[0]
    );
    assert!(dms[0].contains("👥 2 участника"), "{}", dms[0]);
    w.round();
    assert!(w.dms().is_empty(), "the round does not remind again");

    // Moved after its reminder: one "moved" message with both times, the old jobs
    // cancelled, a new reminder.
    let moved = t0 + Duration::minutes(45);
    w.at(t0 + Duration::minutes(21));
    w.put("demo", "Демо", moved, 30, &demo_extra);
    w.round();
    let dms = w.dms();
    assert_eq!(dms.len(), 1, "{dms:?}");
    assert!(dms[0].contains("🕑 Перенесена: **Демо** — "), "{}", dms[0]);
    assert!(
        spans(dms[0].split(" → ").next().unwrap_or_default(), demo),
        "{}",
        dms[0]
    );
    assert!(spans(&dms[0], moved), "{}", dms[0]);
    let jobs = w.jobs();
    assert!(
        !jobs.contains(&demo),
        "the old start's job is cancelled: {jobs:?}"
    );
    assert!(
        jobs.contains(&moved) && jobs.contains(&(moved - Duration::minutes(10))),
        "{jobs:?}"
    );

    // A place added: one "changed" message that says what changed.
    w.at(t0 + Duration::minutes(22));
    let with_place: Vec<&str> = demo_extra
        .iter()
        .copied()
        .chain(["LOCATION:Переговорная 5"])
        .collect();
    w.put("demo", "Демо", moved, 30, &with_place);
    w.round();
    let dms = w.dms();
    assert_eq!(dms.len(), 1, "{dms:?}");
    assert!(dms[0].contains("✏️ Изменена: **Демо**"), "{}", dms[0]);
    assert!(
        dms[0].contains("добавлено место «Переговорная 5»"),
        "{}",
        dms[0]
    );

    // The new reminder; then the status for the meeting, and the user's own afterwards.
    assert_eq!(w.fire(moved - Duration::minutes(10)), 1);
    let dms = w.dms();
    assert!(
        dms.len() == 1 && dms[0].contains("📍 Переговорная 5"),
        "{dms:?}"
    );
    w.host
        .update_custom_status(
            ME,
            &CustomStatus {
                emoji: "palm_tree".into(),
                text: "Скоро отпуск".into(),
                duration: String::new(),
                expires_at_ms: None,
            },
        )
        .expect("status");
    w.fire(moved);
    let on = w.status().expect("a status");
    assert_eq!(
        (on.emoji.as_str(), on.text.as_str()),
        ("calendar", "На встрече")
    );
    assert_eq!(
        on.expires_at_ms,
        Some((moved + Duration::minutes(30)).timestamp_millis())
    );
    w.fire(moved + Duration::minutes(30));
    assert_eq!(w.status().map(|s| s.emoji), Some("palm_tree".into()));
    assert!(w.dms().is_empty());

    // A meeting I organize: no message when I add it; the answers of its attendees come
    // in one message, grouped.
    let review = t0 + Duration::hours(3);
    let mine = |bob: &str, alice: &str| -> Vec<String> {
        vec![
            "ORGANIZER;CN=Иван:mailto:ivan@example.com".into(),
            "ATTENDEE;CN=Иван;PARTSTAT=ACCEPTED:mailto:ivan@example.com".into(),
            format!("ATTENDEE;CN=Bob;PARTSTAT={bob}:mailto:bob@example.com"),
            format!("ATTENDEE;CN=Alice;PARTSTAT={alice}:mailto:alice@example.com"),
        ]
    };
    let lines = mine("NEEDS-ACTION", "NEEDS-ACTION");
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    w.at(t0 + Duration::minutes(80));
    w.put("review", "Ревью", review, 60, &refs);
    w.round();
    assert!(w.dms().is_empty(), "my own new meeting is not news to me");
    let lines = mine("DECLINED", "ACCEPTED");
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    w.put("review", "Ревью", review, 60, &refs);
    w.round();
    let dms = w.dms();
    assert_eq!(dms.len(), 1, "{dms:?}");
    assert!(dms[0].starts_with("Ответы на «Ревью» ("), "{}", dms[0]);
    assert!(dms[0].contains("- Bob отклонил(а)"), "{}", dms[0]);
    assert!(dms[0].contains("- Alice принял(а)"), "{}", dms[0]);
    let lines = mine("DECLINED", "DECLINED");
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    w.put("review", "Ревью", review, 60, &refs);
    w.round();
    let dms = w.dms();
    assert_eq!(dms.len(), 1, "{dms:?}");
    assert!(
        dms[0].starts_with("Alice отклонил(а) «Ревью» ("),
        "{}",
        dms[0]
    );

    // A sync that does not get through: nothing is said (nothing is known to be gone),
    // and the change is told once it does.
    w.delete("standup");
    w.down.set(true);
    w.at(t0 + Duration::minutes(82));
    w.round();
    assert!(w.dms().is_empty());
    w.down.set(false);
    // The backoff lets the next background round sync once its wait is over.
    w.at(t0 + Duration::minutes(95));
    w.round();
    let dms = w.dms();
    assert_eq!(dms.len(), 1, "{dms:?}");
    assert!(dms[0].contains("❌ Отменена: **Планёрка**"), "{}", dms[0]);

    // Another round swapped its snapshot in first: it told the user, this one says nothing.
    w.put("retro", "Ретро", t0 + Duration::hours(5), 60, &invited);
    let stored = w
        .host
        .kv
        .borrow()
        .get(&keys::snapshot(ME))
        .cloned()
        .unwrap_or_default();
    let mut theirs: Value = serde_json::from_slice(&stored).expect("snapshot JSON");
    theirs["window"]["to"] = json!("2099-01-01T00:00:00Z");
    w.host.race.borrow_mut().insert(
        keys::snapshot(ME),
        serde_json::to_vec(&theirs).unwrap_or_default(),
    );
    w.at(t0 + Duration::minutes(96));
    w.round();
    let dms = w.dms();
    assert!(dms.is_empty(), "only the writer that won the swap tells");

    // The digest at a chosen minute: once, the day's meetings in it.
    let digest_at = t0 + Duration::minutes(100);
    w.at(t0 + Duration::minutes(97));
    w.notifications(&[
        (
            "digest",
            json!(digest_at.with_timezone(&msk).format("%H:%M").to_string()),
        ),
        ("digest_days", json!("every_day")),
    ]);
    w.dms();
    assert!(w.jobs().contains(&digest_at), "{:?}", w.jobs());
    let status = w.command("/yandex_calendar checks check_scheduler");
    assert!(
        status.contains(&format!("Следующая сводка: {}", {
            let l = digest_at.with_timezone(&msk).naive_local();
            yandex_calendar::i18n::Locale::Ru.t(yandex_calendar::i18n::Msg::DayTime(l))
        })),
        "{status}"
    );
    assert_eq!(w.fire(digest_at), 1);
    let dms = w.dms();
    assert_eq!(dms.len(), 1, "{dms:?}");
    assert!(dms[0].contains("☀️ Ваш день"), "{}", dms[0]);
    w.at(digest_at + Duration::minutes(1));
    w.round();
    assert!(w.dms().is_empty(), "one digest a day");

    // Turning notifications off cancels every armed job and says so.
    let off = w.command("/yandex_calendar notifications delete");
    assert!(off.contains("Уведомления выключены"), "{off}");
    assert!(w.jobs().is_empty(), "{:?}", w.jobs());
    assert!(!w.host.kv.borrow().contains_key(&keys::plan(ME)));
    assert!(!w.host.kv.borrow().contains_key(&keys::snapshot(ME)));
    let _ = std::fs::remove_dir_all(&w.dir);
}

/// Rounds of a quiet plan read only its head and write nothing, yet the round after the
/// next effect enters the arming horizon arms its job (and the one after is quiet again).
#[test]
fn quiet_rounds_still_arm_what_comes_into_the_horizon() {
    let server = common::Server::start("radicale.sh", "radicale-quiet");
    let w = world(&server.url);
    let t0 = minute(w.now());
    w.at(t0);
    let start = t0 + Duration::hours(3);
    w.put(
        "later",
        "Позже",
        start,
        30,
        &["ORGANIZER;CN=Ольга:mailto:olga@example.com"],
    );
    w.connect();
    w.notifications(&[("digest", json!("off")), ("reminder", json!("10"))]);
    w.dms();
    let reminder = start - Duration::minutes(10);
    // The horizon is an hour: the reminder comes into it 70 minutes before the meeting.
    for (at, armed) in [
        (t0 + Duration::minutes(1), false),
        (reminder - Duration::minutes(61), false),
        (reminder - Duration::minutes(59), true),
    ] {
        w.host.writes.borrow_mut().clear();
        w.at(at);
        w.round();
        assert_eq!(
            w.jobs().contains(&reminder),
            armed,
            "at {at}: {:?}",
            w.jobs()
        );
        let writes = w.host.writes.borrow().clone();
        if armed {
            assert!(writes.contains(&keys::plan(ME)), "{writes:?}");
        } else {
            assert!(writes.is_empty(), "at {at}: {writes:?}");
        }
    }
    w.host.writes.borrow_mut().clear();
    w.host.reads.borrow_mut().clear();
    w.at(reminder - Duration::minutes(58));
    w.round();
    assert!(w.host.writes.borrow().is_empty());
    assert!(!w.host.reads.borrow().contains(&keys::status(ME)));
    assert_eq!(w.fire(reminder), 1);
    assert!(w.dms()[0].contains("Позже"));
}

/// A change round parses and reads only what changed: one body bucket of a calendar that
/// has several, yet the message is right; and it writes the snapshot once.
#[test]
fn a_change_round_reads_only_the_bucket_of_what_changed() {
    let server = common::Server::start("radicale.sh", "radicale-incremental");
    let w = world(&server.url);
    let t0 = minute(w.now());
    w.at(t0);
    let invited = [
        "ORGANIZER;CN=Ольга:mailto:olga@example.com",
        "ATTENDEE;CN=Иван;PARTSTAT=ACCEPTED:mailto:ivan@example.com",
    ];
    // 65 meetings: two buckets of bodies.
    for i in 0..65 {
        w.put(
            &format!("m{i}"),
            &format!("Встреча {i}"),
            t0 + Duration::hours(2 + i),
            30,
            &invited,
        );
    }
    w.connect();
    w.notifications(&[("digest", json!("off")), ("reminder", json!("10"))]);
    w.dms();
    // The buckets read (the sync reads the one it writes, the build the ones it parses).
    let buckets = |reads: &[String]| -> std::collections::BTreeSet<String> {
        reads
            .iter()
            .filter(|k| k.contains("/obj/"))
            .cloned()
            .collect()
    };
    w.put(
        "m7",
        "Встреча 7 (перенос)",
        t0 + Duration::hours(9),
        30,
        &invited,
    );
    w.host.reads.borrow_mut().clear();
    w.host.writes.borrow_mut().clear();
    w.at(t0 + Duration::minutes(1));
    w.round();
    let dms = w.dms();
    assert_eq!(dms.len(), 1, "{dms:?}");
    assert!(dms[0].contains("Встреча 7 (перенос)"), "{}", dms[0]);
    let read = buckets(&w.host.reads.borrow());
    assert_eq!(read.len(), 1, "one bucket read: {read:?}");
    let snapshot_writes = w
        .host
        .writes
        .borrow()
        .iter()
        .filter(|k| **k == keys::snapshot(ME))
        .count();
    assert_eq!(snapshot_writes, 1);
    // A deletion cannot be concluded from part of the bodies: that round reads them all.
    w.delete("m8");
    w.host.reads.borrow_mut().clear();
    w.at(t0 + Duration::minutes(2));
    w.round();
    let dms = w.dms();
    assert!(dms.len() == 1 && dms[0].contains("Встреча 8"), "{dms:?}");
    assert!(buckets(&w.host.reads.borrow()).len() >= 2);
}
