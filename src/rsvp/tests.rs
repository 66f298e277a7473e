//! Offering and answering against the recording fake host, with a one-object CalDAV
//! server behind its HTTP (GET with an ETag, PUT with If-Match). The real servers are in
//! tests/rsvp_servers.rs and the e2e suite.

use std::cell::RefCell;
use std::rc::Rc;

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use serde_json::{json, Map, Value};

use super::card::Click;
use super::*;
use crate::bindings::types::{Header, HttpMethod, HttpResponse};
use crate::crypto::{self, Secret};
use crate::host::fake::{Effect, FakeHost};
use crate::host::Mattermost;
use crate::i18n::Locale;
use crate::store::{keys, record, Account, AccountStatus, CalendarEntry, CalendarId, SyncState};
use crate::sync::{CalendarState, ObjectMeta};

const USER: &str = "u1xyz0000000000000000000000";
const CAL: &str = "https://caldav.yandex.ru/calendars/ivan%40yandex.ru/events-1/";
const OBJECT: &str = "https://caldav.yandex.ru/calendars/ivan%40yandex.ru/events-1/m.ics";

fn ics(rrule: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nPRODID:-//Yandex LLC//Yandex Calendar//EN\r\nBEGIN:VEVENT\r\n\
UID:m@yandex.ru\r\nDTSTART:20261201T070000Z\r\nDTEND:20261201T073000Z\r\n{rrule}\
SUMMARY:Демо\r\nORGANIZER:mailto:olga@yandex.ru\r\n\
ATTENDEE;PARTSTAT=ACCEPTED:mailto:olga@yandex.ru\r\n\
ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:ivan@ya.ru\r\n\
END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
}

/// The object on the server and what was asked of it.
struct Dav {
    body: String,
    version: u32,
    /// GET answers 404 (Yandex, after a decline).
    hidden: bool,
    log: Vec<String>,
}

fn start(rrule: &str) -> (FakeHost, Rc<RefCell<Dav>>) {
    let host = FakeHost::new();
    host.now_ms.set(
        DateTime::parse_from_rfc3339("2026-11-30T12:00:00Z")
            .map(|t| t.timestamp_millis())
            .unwrap_or_default(),
    );
    host.add_user(USER, "ru", "Europe/Moscow");
    let key = host.get_config().encryption_key;
    let account = Account {
        login: "ivan@yandex.ru".into(),
        password: crypto::seal(&key, USER, &Secret::new("app-password")).expect("seal"),
        server_url: "https://caldav.yandex.ru".into(),
        principal_url: String::new(),
        home_url: String::new(),
        addresses: Vec::new(),
        calendars: vec![CalendarEntry {
            url: CAL.into(),
            name: "Работа".into(),
            color: String::new(),
            selected: true,
        }],
        timezone: None,
        status: AccountStatus::Active,
        connected_at_ms: 0,
        updated_at_ms: 0,
    };
    record::put(&host, &keys::account(USER), &account).expect("account");
    let mut state = CalendarState::new(CAL);
    let object_key = crate::caldav::href::normalize(OBJECT);
    state.objects.insert(
        object_key.clone(),
        ObjectMeta {
            url: OBJECT.into(),
            etag: "1".into(),
            problem: None,
        },
    );
    let id = CalendarId::of_url(CAL);
    record::put(
        &host,
        &keys::calendar_state(USER, &id),
        &SyncState { state },
    )
    .expect("state");
    crate::store::bodies::apply(
        &host,
        USER,
        &id,
        1,
        1,
        crate::store::bodies::Changes {
            upserts: vec![(object_key, ics(rrule))],
            removals: Vec::new(),
        },
    )
    .expect("bodies");
    let dav = Rc::new(RefCell::new(Dav {
        body: ics(rrule),
        version: 1,
        hidden: false,
        log: Vec::new(),
    }));
    let d = dav.clone();
    host.respond_with(move |r| {
        let mut d = d.borrow_mut();
        let reply = |status: u16, etag: Option<u32>, body: &str| {
            Ok(HttpResponse {
                status,
                headers: etag
                    .map(|v| Header {
                        name: "ETag".into(),
                        value: v.to_string(), // unquoted, as Yandex writes them
                    })
                    .into_iter()
                    .collect(),
                body: body.as_bytes().to_vec(),
            })
        };
        if r.url != OBJECT {
            return reply(404, None, "");
        }
        match r.method {
            HttpMethod::Get if d.hidden => reply(404, None, ""),
            HttpMethod::Get => {
                d.log.push("GET".into());
                let (v, b) = (d.version, d.body.clone());
                reply(200, Some(v), &b)
            }
            HttpMethod::Put => {
                let guard = r.headers.iter().find(|h| h.name == "If-Match");
                d.log
                    .push(format!("PUT {}", guard.map_or("-", |h| &h.value)));
                if guard.is_some_and(|h| h.value != format!("\"{}\"", d.version)) {
                    return reply(412, None, "");
                }
                d.version += 1;
                d.body = String::from_utf8_lossy(&r.body).into_owned();
                reply(204, None, "")
            }
            _ => reply(405, None, ""),
        }
    });
    (host, dav)
}

fn person(host: &FakeHost) -> Person {
    let account = account::load(host, USER).ok().flatten();
    account::person(host, USER, account.as_ref())
}

fn offer(recurring: bool) -> Offer {
    let start = DateTime::parse_from_rfc3339("2026-12-01T07:00:00Z")
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default();
    Offer {
        uid: "m@yandex.ru".into(),
        rid: recurring.then(|| "20261201T070000Z".into()),
        recurring,
        span: Span::Timed {
            start,
            end: start + Duration::minutes(30),
        },
        title: "Демо".into(),
        answer: Some(PartStat::NeedsAction),
        covered: None,
        asking: None,
    }
}

/// Posts a reminder-like message offering the meeting; returns its id.
fn offered(host: &FakeHost, offers: Vec<Offer>) -> String {
    let post = crate::notify::fire::post("🔔 Через 10 мин: **Демо**".into(), "reminder", None);
    post_with_offers(host, &person(host), post, offers, host.now_ms.get()).expect("posted")
}

fn last_post(host: &FakeHost) -> Post {
    host.effects
        .borrow()
        .iter()
        .rev()
        .find_map(|e| match e {
            Effect::DmPost { post, .. } | Effect::UpdatePost { post, .. } => Some(post.clone()),
            _ => None,
        })
        .expect("a post")
}

fn buttons(post: &Post) -> Vec<(String, String)> {
    post.attachments
        .iter()
        .flat_map(|a| a.actions.iter())
        .map(|a| (a.id.clone(), a.label.clone()))
        .collect()
}

fn click(host: &FakeHost, user: &str, post_id: &str, id: &str) -> Option<String> {
    let post = last_post(host);
    let action = post
        .attachments
        .iter()
        .flat_map(|a| a.actions.iter())
        .find(|a| a.id == id)
        .unwrap_or_else(|| panic!("no button {id}: {:?}", buttons(&post)));
    assert_eq!(action.url, ACTION_URL);
    let context: Map<String, Value> = action
        .context
        .iter()
        .map(|p| (p.key.clone(), json!(p.value)))
        .collect();
    let request = ActionRequest {
        post_id: post_id.into(),
        context,
        ..ActionRequest::default()
    };
    clicked(host, user, &request).ephemeral_text
}

#[test]
fn a_single_meeting_is_answered_and_the_message_shows_it() {
    let (host, dav) = start("");
    let id = offered(&host, vec![offer(false)]);
    let post = last_post(&host);
    assert_eq!(post.message, "🔔 Через 10 мин: **Демо**");
    assert_eq!(post.attachments.len(), 1);
    assert_eq!(post.attachments[0].text, "Пойдёте?");
    assert_eq!(
        buttons(&post),
        [
            ("accept0".into(), "Принять".into()),
            ("maybe0".into(), "Возможно".into()),
            ("decline0".into(), "Отказаться".into())
        ]
    );
    assert!(buttons(&post)
        .iter()
        .all(|(id, _)| id.bytes().all(|b| b.is_ascii_alphanumeric())));

    assert_eq!(click(&host, USER, &id, "accept0"), None);
    assert_eq!(dav.borrow().log, ["GET", "PUT \"1\""]);
    assert!(dav
        .borrow()
        .body
        .contains("ATTENDEE;PARTSTAT=ACCEPTED;RSVP=TRUE:mailto:ivan@ya.ru\r\n"));
    assert!(dav
        .borrow()
        .body
        .contains("ATTENDEE;PARTSTAT=ACCEPTED:mailto:olga@yandex.ru\r\n"));
    let redrawn = last_post(&host);
    assert!(matches!(
        host.effects.borrow().last(),
        Some(Effect::UpdatePost { post_id, .. }) if *post_id == id
    ));
    assert_eq!(redrawn.message, post.message);
    assert_eq!(redrawn.props, post.props);
    assert_eq!(redrawn.attachments[0].text, "✅ Вы приняли приглашение");
    assert_eq!(
        buttons(&redrawn),
        [
            ("maybe0".into(), "Возможно".into()),
            ("decline0".into(), "Отказаться".into())
        ]
    );

    // Changed afterwards from the same message.
    assert_eq!(click(&host, USER, &id, "decline0"), None);
    assert!(dav
        .borrow()
        .body
        .contains("PARTSTAT=DECLINED;RSVP=TRUE:mailto:ivan@ya.ru"));
    assert_eq!(last_post(&host).attachments[0].text, "❌ Вы отказались");
}

#[test]
fn a_recurring_meeting_asks_which_then_answers_one_instance() {
    let (host, dav) = start("RRULE:FREQ=DAILY;COUNT=5\r\n");
    let id = offered(&host, vec![offer(true)]);
    assert_eq!(click(&host, USER, &id, "decline0"), None);
    // Only the question: nothing was sent to the server.
    assert!(dav.borrow().log.is_empty());
    let asked = last_post(&host);
    assert_eq!(
        asked.attachments[0].text,
        "Отказаться только от встречи вт, 1 дек, 10:00 или от всей серии?"
    );
    assert_eq!(
        buttons(&asked),
        [
            ("declineone0".into(), "Только эту".into()),
            ("declineall0".into(), "Всю серию".into()),
            ("back0".into(), "Отмена".into())
        ]
    );
    // Cancel puts the buttons back.
    assert_eq!(click(&host, USER, &id, "back0"), None);
    assert_eq!(last_post(&host).attachments[0].text, "Пойдёте?");
    click(&host, USER, &id, "decline0");
    assert_eq!(click(&host, USER, &id, "declineone0"), None);
    let body = dav.borrow().body.clone();
    assert!(
        body.contains("RECURRENCE-ID:20261201T070000Z\r\n"),
        "{body}"
    );
    assert_eq!(body.matches("PARTSTAT=DECLINED").count(), 1, "{body}");
    assert_eq!(body.matches("PARTSTAT=NEEDS-ACTION").count(), 1, "{body}");
    assert_eq!(
        last_post(&host).attachments[0].text,
        "❌ Вы отказались от встречи вт, 1 дек, 10:00"
    );
    // Then the whole series.
    click(&host, USER, &id, "accept0");
    assert_eq!(click(&host, USER, &id, "acceptall0"), None);
    let body = dav.borrow().body.clone();
    assert_eq!(
        body.matches("PARTSTAT=ACCEPTED;RSVP=TRUE").count(),
        2,
        "{body}"
    );
    assert_eq!(
        last_post(&host).attachments[0].text,
        "✅ Вы приняли всю серию"
    );
}

#[test]
fn failures_leave_the_message_as_it_was_and_say_why() {
    let (host, dav) = start("");
    let id = offered(&host, vec![offer(false)]);
    let posts = |h: &FakeHost| {
        h.effects
            .borrow()
            .iter()
            .filter(|e| matches!(e, Effect::UpdatePost { .. }))
            .count()
    };
    // Gone from the calendar (Yandex hides a declined meeting from the invitee).
    dav.borrow_mut().hidden = true;
    assert_eq!(
        click(&host, USER, &id, "accept0").as_deref(),
        Some("Ответ не сохранён: этой встречи больше нет в вашем календаре.")
    );
    dav.borrow_mut().hidden = false;
    // Not reachable.
    host.respond_with(|_| {
        Err(crate::bindings::types::HttpError::Unreachable(
            "refused".into(),
        ))
    });
    let said = click(&host, USER, &id, "accept0").unwrap_or_default();
    assert!(
        said.starts_with("Ответ не сохранён: Сервер календаря недоступен"),
        "{said}"
    );
    assert_eq!(posts(&host), 0);
    // Someone else's click on this message, and a message whose card is gone.
    host.add_user("other", "en", "");
    assert_eq!(
        click(&host, "other", &id, "accept0").as_deref(),
        Some(Locale::En.t(Msg::NotConnected).as_str())
    );
    host.kv.borrow_mut().remove(&keys::answer_card(USER, &id));
    let said = click(&host, USER, &id, "accept0").unwrap_or_default();
    assert!(
        said.starts_with("Это сообщение больше не меняет ответ"),
        "{said}"
    );
    assert_eq!(posts(&host), 0);
    assert!(dav.borrow().body.contains("NEEDS-ACTION"));
}

#[test]
fn the_card_expires_after_its_meetings_and_clicks_must_fit_it() {
    let (host, _dav) = start("");
    let id = offered(&host, vec![offer(false)]);
    let key = keys::answer_card(USER, &id);
    let expires = host.expires.borrow().get(&key).copied().unwrap_or_default();
    let meeting_end = DateTime::parse_from_rfc3339("2026-12-01T07:30:00Z")
        .map(|t| t.timestamp_millis())
        .unwrap_or_default();
    assert_eq!(expires, meeting_end + Duration::days(7).num_milliseconds());
    // A click that names no offer of the card.
    let request = ActionRequest {
        post_id: id.clone(),
        context: json!({"offer": "5", "answer": "accept"})
            .as_object()
            .cloned()
            .unwrap_or_default(),
        ..ActionRequest::default()
    };
    assert!(clicked(&host, USER, &request)
        .ephemeral_text
        .is_some_and(|t| t.starts_with("Это сообщение")));
    for bad in [
        json!({}),
        json!({"offer": "x", "answer": "accept"}),
        json!({"offer": "0", "answer": "delegate"}),
        json!({"offer": "0", "answer": "accept", "which": "some"}),
    ] {
        let c = bad.as_object().cloned().unwrap_or_default();
        assert_eq!(Click::from_context(&c), None, "{bad}");
    }
}

#[test]
fn several_invitations_in_one_message_are_told_apart() {
    let (host, _dav) = start("");
    let mut second = offer(false);
    second.uid = "other".into();
    second.title = "Ретро".into();
    second.answer = Some(PartStat::Tentative);
    offered(&host, vec![offer(false), second]);
    let post = last_post(&host);
    let texts: Vec<&str> = post.attachments.iter().map(|a| a.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            "**Демо** — пойдёте?",
            "**Ретро**: ❔ Вы ответили «возможно»"
        ]
    );
    let ids: Vec<String> = buttons(&post).into_iter().map(|(i, _)| i).collect();
    assert_eq!(
        ids,
        ["accept0", "maybe0", "decline0", "accept1", "decline1"]
    );
    let en = card::attachments(
        Locale::En,
        Tz::Europe__Moscow,
        &AnswerCard {
            message: String::new(),
            props: Vec::new(),
            offers: vec![offer(false)],
        },
    );
    assert_eq!(en[0].text, "Will you attend?");
}

#[test]
fn the_answer_is_written_into_the_snapshot_and_the_plan() {
    let (host, _dav) = start("RRULE:FREQ=DAILY;COUNT=5\r\n");
    let me = crate::ical::Me::new(["ivan@yandex.ru"]);
    let window = crate::ical::Window::around(
        DateTime::parse_from_rfc3339("2026-11-30T12:00:00Z")
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default(),
        1,
        8,
    );
    let key = crate::caldav::href::normalize(OBJECT);
    let text = ics("RRULE:FREQ=DAILY;COUNT=5\r\n");
    let built = crate::snapshot::Snapshot::build(
        crate::snapshot::Baseline::FirstSync,
        &[crate::snapshot::CalendarSource::complete(
            CAL,
            &[(key.as_str(), text.as_str())],
        )],
        window,
        Tz::Europe__Moscow,
        &me,
    )
    .snapshot;
    crate::store::snapshots::swap(&host, USER, None, &built).expect("snapshot");
    let plan = crate::store::Plan {
        meetings: crate::notify::round::upcoming(&built, window.from + Duration::days(1)),
        ..crate::store::Plan::default()
    };
    record::put(&host, &keys::plan(USER), &plan).expect("plan");

    let id = offered(&host, vec![offer(true)]);
    click(&host, USER, &id, "decline0");
    assert_eq!(click(&host, USER, &id, "declineone0"), None);
    let snapshot = crate::store::snapshots::read(&host, USER)
        .ok()
        .and_then(|s| s.snapshot)
        .expect("a snapshot");
    let answers: Vec<(Option<String>, Option<PartStat>)> = snapshot
        .meetings()
        .iter()
        .map(|m| (m.recurrence_id.clone(), m.my_partstat))
        .collect();
    assert_eq!(
        answers[0],
        (Some("20261201T070000Z".into()), Some(PartStat::Declined))
    );
    assert!(answers[1..]
        .iter()
        .all(|(_, a)| *a == Some(PartStat::NeedsAction)));
    let plan: crate::store::Plan = record::get(&host, &keys::plan(USER))
        .ok()
        .flatten()
        .expect("plan");
    let declined: Vec<bool> = plan.meetings.iter().map(|m| m.declined()).collect();
    assert_eq!(declined.first(), Some(&true));
    assert!(declined[1..].iter().all(|d| !d));
}
