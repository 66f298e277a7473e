//! The planner with a fake clock, and due jobs against the recording fake host.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

use super::model::{busy_intervals, Busy, Upcoming};
use super::plan::{self, due, Effect, Inputs};
use crate::bindings::types::CustomStatus;
use crate::host::fake::FakeHost;
use crate::host::Mattermost;
use crate::ical::{PartStat, Span};
use crate::store::{
    keys, record, Account, AccountStatus, CalendarEntry, DigestDays, NotifyPrefs, Plan, StatusState,
};

const USER: &str = "u1xyz0000000000000000000000";

fn at(tz: Tz, y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    tz.with_ymd_and_hms(y, mo, d, h, mi, 0)
        .single()
        .expect("a local time that exists")
        .with_timezone(&Utc)
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a date")
}

fn meeting(uid: &str, start: DateTime<Utc>, minutes: i64) -> Upcoming {
    Upcoming {
        uid: uid.into(),
        rid: None,
        span: Span::Timed {
            start,
            end: start + Duration::minutes(minutes),
        },
        summary: format!("Meeting {uid}"),
        location: Some("Room 5".into()),
        join: Some(format!("https://telemost.yandex.ru/j/{uid}")),
        web_link: None,
        calendar: "https://caldav.example/cal/".into(),
        attendees: 3,
        my_answer: Some(PartStat::Accepted),
        i_organize: false,
        transparent: false,
    }
}

fn prefs() -> NotifyPrefs {
    NotifyPrefs {
        digest_at: Some("09:00".into()),
        digest_days: DigestDays::Weekdays,
        digest_empty: true,
        reminder_minutes: Some(10),
        status: true,
        changes: true,
        answers: true,
        calendars: None,
        updated_at_ms: 0,
    }
}

fn inputs<'a>(
    now: DateTime<Utc>,
    tz: Tz,
    meetings: &'a [Upcoming],
    prefs: &'a NotifyPrefs,
    status: &'a StatusState,
) -> Inputs<'a> {
    Inputs {
        now,
        tz,
        meetings,
        prefs,
        status,
    }
}

fn digests(effects: &[Effect<'_>]) -> Vec<(NaiveDate, DateTime<Utc>)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Digest { date, at } => Some((*date, *at)),
            _ => None,
        })
        .collect()
}

fn reminders<'a>(effects: &[Effect<'a>]) -> Vec<(&'a str, DateTime<Utc>)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Reminder { meeting, at, .. } => Some((meeting.uid.as_str(), *at)),
            _ => None,
        })
        .collect()
}

#[test]
fn the_digest_stays_at_nine_across_dst_in_berlin_and_new_york() {
    let p = prefs();
    let none = StatusState::default();
    for (tz, before, after) in [
        // Europe: clocks go forward on Sun 29 Mar 2026 and back on Sun 25 Oct 2026.
        (Tz::Europe__Berlin, date(2026, 3, 27), date(2026, 3, 30)),
        (Tz::Europe__Berlin, date(2026, 10, 23), date(2026, 10, 26)),
        // US: forward on Sun 8 Mar 2026, back on Sun 1 Nov 2026.
        (Tz::America__New_York, date(2026, 3, 6), date(2026, 3, 9)),
        (Tz::America__New_York, date(2026, 10, 30), date(2026, 11, 2)),
    ] {
        let i = inputs(at(tz, 2026, 1, 1, 0, 0), tz, &[], &p, &none);
        let from = before
            .and_hms_opt(0, 0, 0)
            .and_then(|t| tz.from_local_datetime(&t).single());
        let from = from.expect("midnight").with_timezone(&Utc);
        let to = from + Duration::days(4);
        let found = digests(&plan::ahead(&i, from, to));
        // Friday and Monday only (weekdays): the weekend in between is skipped.
        assert_eq!(
            found.iter().map(|(d, _)| *d).collect::<Vec<_>>(),
            vec![before, after],
            "{tz}"
        );
        for (d, when) in &found {
            let local = when.with_timezone(&tz);
            assert_eq!(local.format("%H:%M").to_string(), "09:00", "{tz} {d}");
            assert_eq!(local.date_naive(), *d);
        }
        // Across the change the UTC instants are 3 days ± 1 hour apart, never "+24 h" × 3.
        let gap = found[1].1 - found[0].1;
        assert!(
            gap == Duration::hours(71) || gap == Duration::hours(73),
            "{tz}: {gap}"
        );
    }
}

#[test]
fn a_user_in_vladivostok_gets_the_digest_of_their_own_date() {
    let tz = Tz::Asia__Vladivostok; // UTC+10
    let mut p = prefs();
    p.digest_at = Some("08:15".into());
    let none = StatusState::default();
    // 08:15 in Vladivostok on Mon 7 Dec is 22:15 UTC on Sun 6 Dec.
    let when = at(tz, 2026, 12, 7, 8, 15);
    assert_eq!(when, Utc.with_ymd_and_hms(2026, 12, 6, 22, 15, 0).unwrap());
    let meetings = [
        meeting("early", at(tz, 2026, 12, 7, 9, 0), 30),
        meeting("next-day", at(tz, 2026, 12, 8, 9, 0), 30),
    ];
    let i = inputs(when, tz, &meetings, &p, &none);
    assert_eq!(digests(&due(&i)), vec![(date(2026, 12, 7), when)]);
    // A minute early: nothing yet.
    let i = inputs(when - Duration::minutes(1), tz, &meetings, &p, &none);
    assert!(digests(&due(&i)).is_empty());
    // The digest text is Monday's meetings in local time.
    let text = super::text::digest(
        crate::i18n::Locale::Ru,
        &meetings,
        &|_| None,
        tz,
        date(2026, 12, 7),
        true,
    )
    .unwrap_or_default();
    assert!(text.contains("Ваш день, пн, 7 дек"), "{text}");
    assert!(text.contains("09:00–09:30 **Meeting early**"), "{text}");
    assert!(!text.contains("next-day"), "{text}");
}

#[test]
fn digest_days_weekdays_or_every_day_and_never_before_saving() {
    let tz = Tz::Europe__Moscow;
    let none = StatusState::default();
    let saturday = at(tz, 2026, 12, 5, 9, 0);
    let mut p = prefs();
    assert!(digests(&due(&inputs(saturday, tz, &[], &p, &none))).is_empty());
    p.digest_days = DigestDays::EveryDay;
    assert_eq!(
        digests(&due(&inputs(saturday, tz, &[], &p, &none))),
        vec![(date(2026, 12, 5), saturday)]
    );
    // Saved at 10:00: today's 09:00 digest is not sent late; tomorrow's comes.
    p.updated_at_ms = at(tz, 2026, 12, 5, 10, 0).timestamp_millis();
    let later = at(tz, 2026, 12, 5, 10, 1);
    assert!(digests(&due(&inputs(later, tz, &[], &p, &none))).is_empty());
    let next = digests(&plan::ahead(
        &inputs(later, tz, &[], &p, &none),
        later,
        later + Duration::days(2),
    ));
    assert_eq!(next.first().map(|d| d.0), Some(date(2026, 12, 6)));
    // Missed by every node: still sent within the grace, not after.
    p.updated_at_ms = 0;
    let late = saturday + plan::DIGEST_GRACE - Duration::minutes(1);
    assert_eq!(digests(&due(&inputs(late, tz, &[], &p, &none))).len(), 1);
    let too_late = saturday + plan::DIGEST_GRACE;
    assert!(digests(&due(&inputs(too_late, tz, &[], &p, &none))).is_empty());
}

#[test]
fn reminders_lead_and_what_is_not_reminded() {
    let tz = Tz::Europe__Moscow;
    let none = StatusState::default();
    let p = prefs();
    let ten = at(tz, 2026, 12, 1, 10, 0);
    let mut declined = meeting("declined", ten, 30);
    declined.my_answer = Some(PartStat::Declined);
    let mut free = meeting("free", ten, 30);
    free.transparent = true;
    let mut all_day = meeting("all-day", ten, 30);
    all_day.span = Span::AllDay {
        start: date(2026, 12, 1),
        end: date(2026, 12, 2),
    };
    let meetings = [meeting("ok", ten, 30), declined, free, all_day];
    let i = inputs(ten - Duration::minutes(10), tz, &meetings, &p, &none);
    assert_eq!(
        reminders(&due(&i)),
        vec![("ok", ten - Duration::minutes(10))]
    );
    // Not a minute early, and not once the meeting has started.
    let i = inputs(ten - Duration::minutes(11), tz, &meetings, &p, &none);
    assert!(reminders(&due(&i)).is_empty());
    let i = inputs(ten, tz, &meetings, &p, &none);
    assert!(reminders(&due(&i)).is_empty());
    // What the jobs are armed for: the reminder at 9:50, the status at 10:00 and 10:30.
    let i = inputs(ten - Duration::hours(1), tz, &meetings, &p, &none);
    let armed: Vec<i64> = plan::arm_times(&i, Duration::hours(1))
        .into_iter()
        .collect();
    assert_eq!(
        armed,
        vec![
            (ten - Duration::minutes(10)).timestamp_millis(),
            ten.timestamp_millis()
        ]
    );
    let armed = plan::arm_times(&i, Duration::hours(2));
    assert!(armed.contains(&(ten + Duration::minutes(30)).timestamp_millis()));
    // A lead of 0: at the start, and a little after.
    let mut p0 = prefs();
    p0.reminder_minutes = Some(0);
    let i = inputs(ten + Duration::minutes(2), tz, &meetings, &p0, &none);
    assert_eq!(reminders(&due(&i)), vec![("ok", ten)]);
}

#[test]
fn a_meeting_moved_into_the_lead_time_is_reminded_at_once_and_a_move_makes_a_new_reminder() {
    let tz = Tz::Europe__Moscow;
    let none = StatusState::default();
    let p = prefs();
    let now = at(tz, 2026, 12, 1, 9, 55);
    // Was at 11:00; moved to 10:00, 5 minutes from now (inside the 10-minute lead).
    let before = [meeting("m", at(tz, 2026, 12, 1, 11, 0), 30)];
    let after = [meeting("m", at(tz, 2026, 12, 1, 10, 0), 30)];
    assert!(reminders(&due(&inputs(now, tz, &before, &p, &none))).is_empty());
    let due_now = due(&inputs(now, tz, &after, &p, &none));
    assert_eq!(reminders(&due_now).len(), 1);
    // Its claim is another than the old time's: the reminder sent for 11:00 does not
    // stop this one, and a later move makes yet another.
    let key = |m: &Upcoming| {
        Effect::Reminder {
            meeting: m,
            lead: 10,
            at: now,
        }
        .claim_key(USER, tz)
    };
    assert_ne!(key(&before[0]), key(&after[0]));
    let mut again = after[0].clone();
    again.summary = "renamed".into();
    assert_eq!(
        key(&after[0]),
        key(&again),
        "a new title is not a new reminder"
    );
}

#[test]
fn overlapping_and_back_to_back_meetings_make_one_busy_interval() {
    let tz = Tz::Europe__Moscow;
    let ten = at(tz, 2026, 12, 1, 10, 0);
    let mut declined = meeting("declined", ten + Duration::hours(2), 60);
    declined.my_answer = Some(PartStat::Declined);
    let meetings = [
        meeting("a", ten, 30),
        meeting("b", ten + Duration::minutes(30), 30), // back-to-back
        meeting("c", ten + Duration::minutes(45), 45), // overlaps b
        meeting("d", ten + Duration::hours(3), 30),    // after a gap
        declined,
    ];
    assert_eq!(
        busy_intervals(&meetings, tz),
        vec![
            Busy {
                start: ten,
                end: ten + Duration::minutes(90)
            },
            Busy {
                start: ten + Duration::hours(3),
                end: ten + Duration::minutes(210)
            },
        ]
    );
}

fn plan_with(meetings: Vec<Upcoming>) -> Plan {
    Plan {
        inputs: "x".into(),
        reported: "x".into(),
        built_at_ms: 0,
        tz: "Europe/Moscow".into(),
        meetings,
        armed: Default::default(),
        quiet_until_ms: 0,
        arming: String::new(),
    }
}

/// A connected user with notifications, a plan with `meetings`, and the fake host.
fn world(meetings: Vec<Upcoming>, p: NotifyPrefs) -> FakeHost {
    let host = FakeHost::new();
    host.add_user(USER, "ru", "Europe/Moscow");
    let account = Account {
        login: "ivan@yandex.ru".into(),
        password: crate::crypto::Sealed {
            kid: "k".into(),
            nonce: String::new(),
            ct: String::new(),
        },
        server_url: "https://caldav.example".into(),
        principal_url: String::new(),
        home_url: String::new(),
        addresses: Vec::new(),
        calendars: vec![CalendarEntry {
            url: "https://caldav.example/cal/".into(),
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
    record::put(&host, &keys::notify(USER), &p).expect("prefs");
    record::put(&host, &keys::plan(USER), &plan_with(meetings)).expect("plan");
    host
}

fn fire_at(host: &FakeHost, when: DateTime<Utc>) -> u32 {
    host.now_ms.set(when.timestamp_millis());
    let key = keys::job(USER, when.timestamp_millis()).expect("a plain id");
    super::due(host, &key).expect("the job runs")
}

fn status_of(host: &FakeHost) -> Option<CustomStatus> {
    host.get_user(USER).ok().and_then(|u| u.custom_status)
}

fn set_status(host: &FakeHost, emoji: &str, text: &str, expires: Option<i64>) {
    let s = CustomStatus {
        emoji: emoji.into(),
        text: text.into(),
        duration: if expires.is_some() {
            "date_and_time".into()
        } else {
            String::new()
        },
        expires_at_ms: expires,
    };
    host.update_custom_status(USER, &s).expect("status");
}

#[test]
fn a_reminder_job_posts_once_with_the_join_link() {
    let tz = Tz::Europe__Moscow;
    let ten = at(tz, 2026, 12, 1, 10, 0);
    let mut p = prefs();
    p.digest_at = None;
    let host = world(vec![meeting("m", ten, 30)], p);
    assert_eq!(fire_at(&host, ten - Duration::minutes(10)), 1);
    // The same moment again (another node, a retry): nothing more.
    assert_eq!(fire_at(&host, ten - Duration::minutes(10)), 0);
    assert_eq!(fire_at(&host, ten - Duration::minutes(5)), 0);
    let dms = host.dms();
    assert_eq!(dms.len(), 1, "{dms:?}");
    let text = &dms[0].1;
    assert!(
        text.starts_with("🔔 Через 10 мин: **Meeting m** · вт, 1 дек, 10:00–10:30"),
        "{text}"
    );
    assert!(text.contains("📍 Room 5 · 👥 3 участника"), "{text}");
    assert!(
        text.contains("[Подключиться](https://telemost.yandex.ru/j/m)"),
        "{text}"
    );
    // The claim holds the post id.
    let claim = crate::store::claims::read(
        &host,
        &keys::claim_reminder(USER, "m", None, ten.timestamp_millis(), 10),
    )
    .expect("claim");
    assert_eq!(claim.and_then(|c| c.post).as_deref(), Some("post1"));
}

#[test]
fn a_job_for_a_meeting_declined_since_does_nothing() {
    let tz = Tz::Europe__Moscow;
    let ten = at(tz, 2026, 12, 1, 10, 0);
    let mut m = meeting("m", ten, 30);
    m.my_answer = Some(PartStat::Declined);
    let mut p = prefs();
    p.digest_at = None;
    let host = world(vec![m], p);
    assert_eq!(fire_at(&host, ten - Duration::minutes(10)), 0);
    assert_eq!(fire_at(&host, ten), 0, "no status for a declined meeting");
    assert!(host.dms().is_empty());
    assert!(status_of(&host).is_none());
}

#[test]
fn status_over_back_to_back_meetings_then_the_users_own_comes_back() {
    let tz = Tz::Europe__Moscow;
    let ten = at(tz, 2026, 12, 1, 10, 0);
    let mut p = prefs();
    p.reminder_minutes = None;
    let host = world(
        vec![
            meeting("a", ten, 30),
            meeting("b", ten + Duration::minutes(30), 30),
        ],
        p,
    );
    // The user's own status, without an expiry.
    set_status(&host, "palm_tree", "Отпуск скоро", None);
    fire_at(&host, ten);
    let on = status_of(&host).expect("a status");
    assert_eq!(
        (on.emoji.as_str(), on.text.as_str()),
        ("calendar", "На встрече")
    );
    // Mattermost clears it by itself at the end of both meetings, as a safety net.
    assert_eq!(
        on.expires_at_ms,
        Some((ten + Duration::hours(1)).timestamp_millis())
    );
    // The second meeting starts: still one status, no change.
    let changes = host.effects.borrow().len();
    fire_at(&host, ten + Duration::minutes(30));
    assert_eq!(host.effects.borrow().len(), changes);
    fire_at(&host, ten + Duration::hours(1));
    let back = status_of(&host).expect("the user's status is back");
    assert_eq!(
        (back.emoji.as_str(), back.text.as_str()),
        ("palm_tree", "Отпуск скоро")
    );
    assert!(record::get::<StatusState>(&host, &keys::status(USER))
        .expect("read")
        .is_none());
}

#[test]
fn a_status_the_user_changed_during_the_meeting_stays() {
    let tz = Tz::Europe__Moscow;
    let ten = at(tz, 2026, 12, 1, 10, 0);
    let host = world(vec![meeting("a", ten, 60)], prefs());
    set_status(&host, "palm_tree", "Отпуск", None);
    fire_at(&host, ten);
    set_status(&host, "coffee", "Обед", None);
    fire_at(&host, ten + Duration::hours(1));
    assert_eq!(status_of(&host).map(|s| s.emoji), Some("coffee".into()));
    // A status cleared during the meeting is not brought back either.
    let host = world(vec![meeting("a", ten, 60)], prefs());
    set_status(&host, "palm_tree", "Отпуск", None);
    fire_at(&host, ten);
    host.remove_custom_status(USER).expect("cleared");
    fire_at(&host, ten + Duration::hours(1));
    assert_eq!(status_of(&host), None);
}

#[test]
fn an_expired_previous_status_is_not_restored() {
    let tz = Tz::Europe__Moscow;
    let ten = at(tz, 2026, 12, 1, 10, 0);
    let host = world(vec![meeting("a", ten, 60)], prefs());
    // "Back at 10:30": over before the meeting ends.
    set_status(
        &host,
        "car",
        "В пути",
        Some((ten + Duration::minutes(30)).timestamp_millis()),
    );
    fire_at(&host, ten);
    fire_at(&host, ten + Duration::hours(1));
    assert_eq!(status_of(&host), None);
    // One that outlasts the meeting comes back.
    let host = world(vec![meeting("a", ten, 60)], prefs());
    let later = (ten + Duration::hours(5)).timestamp_millis();
    set_status(&host, "car", "В пути", Some(later));
    fire_at(&host, ten);
    fire_at(&host, ten + Duration::hours(1));
    assert_eq!(status_of(&host).and_then(|s| s.expires_at_ms), Some(later));
}

#[test]
fn a_cancelled_meeting_turns_the_status_off_at_the_next_look() {
    let tz = Tz::Europe__Moscow;
    let ten = at(tz, 2026, 12, 1, 10, 0);
    let host = world(vec![meeting("a", ten, 60)], prefs());
    fire_at(&host, ten);
    assert!(status_of(&host).is_some());
    // The meeting is gone from the plan (cancelled); the next look turns ours off.
    record::put(&host, &keys::plan(USER), &plan_with(vec![])).expect("plan");
    fire_at(&host, ten + Duration::minutes(20));
    assert_eq!(status_of(&host), None);
}

#[test]
fn the_digest_job_leaves_out_declined_meetings_and_puts_all_day_first() {
    let tz = Tz::Europe__Moscow;
    let nine = at(tz, 2026, 12, 1, 9, 0);
    let mut declined = meeting("declined", at(tz, 2026, 12, 1, 12, 0), 30);
    declined.my_answer = Some(PartStat::Declined);
    let mut holiday = meeting("holiday", nine, 30);
    holiday.span = Span::AllDay {
        start: date(2026, 12, 1),
        end: date(2026, 12, 2),
    };
    holiday.summary = "Day off in the office".into();
    let host = world(
        vec![
            meeting("standup", at(tz, 2026, 12, 1, 10, 0), 15),
            declined,
            holiday,
        ],
        prefs(),
    );
    assert_eq!(fire_at(&host, nine), 1);
    assert_eq!(fire_at(&host, nine + Duration::minutes(1)), 0, "once a day");
    let dms = host.dms();
    assert_eq!(dms.len(), 1);
    let text = &dms[0].1;
    let holiday_at = text.find("Day off").expect("the all-day event");
    let standup_at = text.find("Meeting standup").expect("the meeting");
    assert!(holiday_at < standup_at, "{text}");
    assert!(!text.contains("declined"), "{text}");
    assert!(
        text.contains("[Телемост](https://telemost.yandex.ru/j/standup)"),
        "{text}"
    );
    // An empty day: said, or skipped by the user's choice.
    let mut quiet = prefs();
    quiet.digest_empty = false;
    let host = world(vec![], quiet);
    assert_eq!(fire_at(&host, nine), 0);
    assert!(host.dms().is_empty());
    let host = world(vec![], prefs());
    fire_at(&host, nine);
    assert!(
        host.dms()[0].1.contains("Ничего не запланировано"),
        "{:?}",
        host.dms()
    );
}

#[test]
fn a_failed_post_gives_the_claim_back_and_the_next_look_sends_it() {
    let tz = Tz::Europe__Moscow;
    let ten = at(tz, 2026, 12, 1, 10, 0);
    let mut p = prefs();
    p.status = false;
    p.digest_at = None;
    let host = world(vec![meeting("m", ten, 30)], p);
    let key = keys::claim_reminder(USER, "m", None, ten.timestamp_millis(), 10);
    host.refuse_dms.set(true);
    assert_eq!(fire_at(&host, ten - Duration::minutes(10)), 0);
    assert!(!host.kv.borrow().contains_key(&key), "the claim went back");
    host.refuse_dms.set(false);
    assert_eq!(fire_at(&host, ten - Duration::minutes(9)), 1);
    assert_eq!(fire_at(&host, ten - Duration::minutes(8)), 0);
    assert_eq!(host.dms().len(), 1);
    assert!(host.dms()[0].1.contains("Через 9 мин"), "{:?}", host.dms());
}

// From the calendar itself: what the plan keeps of real iCalendar objects, and what the
// change messages say about a real diff.

const CAL: &str = "https://caldav.example/cal/";
const IVAN: &str = "ivan@example.com";

fn ics_time(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// One VCALENDAR holding one VEVENT made of `lines` (UID and DTSTAMP added).
fn vevent(uid: &str, lines: &[String]) -> String {
    let mut all = vec![
        "BEGIN:VCALENDAR".to_string(),
        "VERSION:2.0".into(),
        "PRODID:-//Yandex LLC//Yandex Calendar//EN".into(),
        "BEGIN:VEVENT".into(),
        format!("UID:{uid}"),
        "DTSTAMP:20260101T000000Z".into(),
    ];
    all.extend(lines.iter().cloned());
    all.extend(["END:VEVENT".into(), "END:VCALENDAR".into(), String::new()]);
    all.join("\r\n")
}

/// A timed meeting Olga organizes, with me answering `partstat`.
fn invited(
    uid: &str,
    summary: &str,
    start: DateTime<Utc>,
    minutes: i64,
    partstat: &str,
) -> Vec<String> {
    vec![
        format!("DTSTART:{}", ics_time(start)),
        format!("DTEND:{}", ics_time(start + Duration::minutes(minutes))),
        format!("SUMMARY:{summary}"),
        "ORGANIZER;CN=Olga:mailto:olga@example.com".into(),
        "ATTENDEE;CN=Olga;PARTSTAT=ACCEPTED:mailto:olga@example.com".into(),
        format!("ATTENDEE;CN=Ivan;PARTSTAT={partstat}:mailto:{IVAN}"),
        format!("X-TELEMOST-CONFERENCE:https://telemost.yandex.ru/j/{uid}"),
    ]
}

/// The snapshot of `objects` (one calendar, keys by position) after `prev`.
fn snapshot_of(
    prev: Option<&crate::snapshot::Snapshot>,
    objects: &[String],
    now: DateTime<Utc>,
    tz: Tz,
) -> crate::snapshot::Snapshot {
    use crate::snapshot::{Baseline, CalendarSource, Snapshot};
    let keys: Vec<String> = (0..objects.len()).map(|i| format!("{i}.ics")).collect();
    let pairs: Vec<(&str, &str)> = keys
        .iter()
        .map(String::as_str)
        .zip(objects.iter().map(String::as_str))
        .collect();
    let built = Snapshot::build(
        prev.map_or(Baseline::FirstSync, Baseline::Previous),
        &[CalendarSource::complete(CAL, &pairs)],
        crate::ical::Window::around(now, 1, 8),
        tz,
        &crate::ical::Me::new([IVAN]),
    );
    assert!(built.skipped.is_empty(), "{:?}", built.skipped);
    built.snapshot
}

#[test]
fn cancelled_declined_free_all_day_and_long_events_are_not_reminded_nor_make_me_busy() {
    let tz = Tz::Europe__Moscow;
    let now = at(tz, 2026, 12, 1, 9, 0);
    let h = |hour: u32| at(tz, 2026, 12, 1, hour, 0);
    let mut cancelled = invited("cancelled", "Отменённая", h(11), 30, "ACCEPTED");
    cancelled.push("STATUS:CANCELLED".into());
    let mut free = invited("free", "Свободное время", h(13), 30, "ACCEPTED");
    free.push("TRANSP:TRANSPARENT".into());
    let all_day = vec![
        "DTSTART;VALUE=DATE:20261201".to_string(),
        "DTEND;VALUE=DATE:20261202".into(),
        "SUMMARY:Конференция".into(),
    ];
    let mut daily = invited("daily", "Планёрка", h(14), 15, "ACCEPTED");
    daily.push("RRULE:FREQ=DAILY;COUNT=3".into());
    // The instance of 2 Dec is removed.
    daily.push(format!("EXDATE:{}", ics_time(h(14) + Duration::days(1))));
    let trip = vec![
        format!("DTSTART:{}", ics_time(h(18))),
        format!("DTEND:{}", ics_time(h(18) + Duration::hours(30))),
        "SUMMARY:Командировка".into(),
    ];
    let objects = [
        vevent("ok", &invited("ok", "Демо", h(10), 30, "ACCEPTED")),
        vevent("cancelled", &cancelled),
        vevent(
            "declined",
            &invited("declined", "Отклонённая", h(12), 30, "DECLINED"),
        ),
        vevent("free", &free),
        vevent("all-day", &all_day),
        vevent("daily", &daily),
        vevent("trip", &trip),
        vevent(
            "tentative",
            &invited("tentative", "Может быть", h(16), 30, "TENTATIVE"),
        ),
    ];
    let snap = snapshot_of(None, &objects, now, tz);
    let meetings = super::round::upcoming(&snap, now);
    assert!(
        !meetings.iter().any(|m| m.uid == "cancelled"),
        "a cancelled meeting is not in the plan: {meetings:?}"
    );
    let p = prefs();
    let none = StatusState::default();
    let i = inputs(now, tz, &meetings, &p, &none);
    let ahead = plan::ahead(&i, now, now + Duration::days(3));
    let reminded: Vec<(&str, DateTime<Utc>)> = reminders(&ahead);
    let ten = Duration::minutes(10);
    assert_eq!(
        reminded,
        vec![
            ("ok", h(10) - ten),
            ("daily", h(14) - ten),
            ("tentative", h(16) - ten),
            ("daily", h(14) + Duration::days(2) - ten),
        ]
    );
    // Busy only in the meetings I attend: the free, declined and all-day ones leave the
    // status alone.
    let busy: Vec<(DateTime<Utc>, DateTime<Utc>)> = busy_intervals(&meetings, tz)
        .into_iter()
        .map(|b| (b.start, b.end))
        .collect();
    assert_eq!(
        busy.first().copied(),
        Some((h(10), h(10) + Duration::minutes(30)))
    );
    assert!(!busy
        .iter()
        .any(|b| b.0 == h(12) || b.0 == h(13) || b.0 == h(18)));
    // The digest of the day: the declined and cancelled ones left out, the all-day event
    // on top.
    let text = super::text::digest(
        crate::i18n::Locale::Ru,
        &meetings,
        &|_| None,
        tz,
        date(2026, 12, 1),
        true,
    )
    .unwrap_or_default();
    assert!(
        !text.contains("Отклонённая") && !text.contains("Отменённая"),
        "{text}"
    );
    let conference = text.find("Конференция").expect("the all-day event");
    assert!(
        conference < text.find("Демо").expect("the meeting"),
        "{text}"
    );
}

#[test]
fn the_digest_at_a_local_time_that_dst_skips_or_repeats_comes_once() {
    let tz = Tz::America__New_York;
    let none = StatusState::default();
    let mut p = prefs();
    p.digest_days = DigestDays::EveryDay;
    let whole_day = |d: NaiveDate| {
        let midnight = |d: NaiveDate| {
            crate::ical::localize(tz, d.and_time(chrono::NaiveTime::MIN)).with_timezone(&Utc)
        };
        (midnight(d), midnight(d + Duration::days(1)))
    };
    // 02:30 does not exist on Sun 8 Mar 2026: the digest comes at 03:30 EDT, once.
    p.digest_at = Some("02:30".into());
    let (from, to) = whole_day(date(2026, 3, 8));
    let i = inputs(from, tz, &[], &p, &none);
    let found = digests(&plan::ahead(&i, from, to));
    assert_eq!(
        found,
        vec![(
            date(2026, 3, 8),
            Utc.with_ymd_and_hms(2026, 3, 8, 7, 30, 0).unwrap()
        )]
    );
    // 01:30 happens twice on Sun 1 Nov 2026: the first one, once.
    p.digest_at = Some("01:30".into());
    let (from, to) = whole_day(date(2026, 11, 1));
    let i = inputs(from, tz, &[], &p, &none);
    let found = digests(&plan::ahead(&i, from, to));
    assert_eq!(
        found,
        vec![(
            date(2026, 11, 1),
            Utc.with_ymd_and_hms(2026, 11, 1, 5, 30, 0).unwrap()
        )]
    );
    // An hour later (01:30 again, now EST) it is not due a second time: its claim is the
    // date's, and the planner names the same instant.
    let again = Utc.with_ymd_and_hms(2026, 11, 1, 6, 30, 0).unwrap();
    let due_again = digests(&due(&inputs(again, tz, &[], &p, &none)));
    assert_eq!(
        due_again.iter().map(|(_, at)| *at).collect::<Vec<_>>(),
        vec![Utc.with_ymd_and_hms(2026, 11, 1, 5, 30, 0).unwrap()]
    );
}

#[test]
fn a_meeting_added_back_to_back_while_the_status_is_on_extends_it() {
    let tz = Tz::Europe__Moscow;
    let ten = at(tz, 2026, 12, 1, 10, 0);
    let mut p = prefs();
    p.reminder_minutes = None;
    let host = world(vec![meeting("a", ten, 30)], p);
    set_status(&host, "palm_tree", "Отпуск скоро", None);
    fire_at(&host, ten);
    assert_eq!(
        status_of(&host).and_then(|s| s.expires_at_ms),
        Some((ten + Duration::minutes(30)).timestamp_millis())
    );
    // During the meeting another one is added right after it.
    let both = vec![
        meeting("a", ten, 30),
        meeting("b", ten + Duration::minutes(30), 30),
    ];
    record::put(&host, &keys::plan(USER), &plan_with(both)).expect("plan");
    fire_at(&host, ten + Duration::minutes(10));
    let on = status_of(&host).expect("still in a meeting");
    assert_eq!(on.text, "На встрече");
    assert_eq!(
        on.expires_at_ms,
        Some((ten + Duration::hours(1)).timestamp_millis()),
        "Mattermost's expiry moves to the end of the second meeting"
    );
    // The first meeting's end is not the end of the status.
    fire_at(&host, ten + Duration::minutes(30));
    assert_eq!(status_of(&host).map(|s| s.text), Some("На встрече".into()));
    fire_at(&host, ten + Duration::hours(1));
    assert_eq!(status_of(&host).map(|s| s.emoji), Some("palm_tree".into()));
}

#[test]
fn change_messages_leave_out_what_is_over_my_own_answers_and_my_own_meetings() {
    use super::messages;
    use crate::i18n::Locale;
    let tz = Tz::Europe__Moscow;
    let now = at(tz, 2026, 12, 1, 12, 0);
    let h = |hour: u32| at(tz, 2026, 12, 1, hour, 0);
    let mine = |summary: &str, bob: &str| -> Vec<String> {
        vec![
            format!("DTSTART:{}", ics_time(h(16))),
            format!("DTEND:{}", ics_time(h(17))),
            format!("SUMMARY:{summary}"),
            format!("ORGANIZER;CN=Ivan:mailto:{IVAN}"),
            format!("ATTENDEE;CN=Ivan;PARTSTAT=ACCEPTED:mailto:{IVAN}"),
            format!("ATTENDEE;CN=Bob;PARTSTAT={bob}:mailto:bob@example.com"),
        ]
    };
    let before = [
        vevent("past", &invited("past", "Утро", h(9), 60, "ACCEPTED")),
        vevent(
            "answer",
            &invited("answer", "Обед", h(14), 30, "NEEDS-ACTION"),
        ),
        vevent("mine", &mine("Ревью", "NEEDS-ACTION")),
        vevent("moved", &invited("moved", "Ретро", h(18), 30, "ACCEPTED")),
    ];
    let after = [
        // Renamed after it was over: not news.
        vevent(
            "past",
            &invited("past", "Утро (итоги)", h(9), 60, "ACCEPTED"),
        ),
        // My own answer: I know it.
        vevent("answer", &invited("answer", "Обед", h(14), 30, "ACCEPTED")),
        // My own meeting renamed (by me) and Bob's answer: only the answer.
        vevent("mine", &mine("Ревью кода", "DECLINED")),
        // Moved: told.
        vevent("moved", &invited("moved", "Ретро", h(19), 30, "ACCEPTED")),
    ];
    let old = snapshot_of(None, &before, now, tz);
    let new = snapshot_of(Some(&old), &after, now, tz);
    let found = crate::changes::diff(crate::snapshot::Baseline::Previous(&old), &new);
    let p = prefs();
    let told = messages::tell(&found, &new, "x", &p, Locale::En, tz, now);
    let lines: Vec<&str> = told.changes.iter().map(|i| i.line.as_str()).collect();
    assert_eq!(lines.len(), 1, "{lines:?} from {found:?}");
    assert!(lines[0].contains("Moved: **Ретро**"), "{lines:?}");
    assert_eq!(told.answers.len(), 1, "{:?}", told.answers);
    assert_eq!(told.answers[0].title, "Ревью кода");
    assert_eq!(
        told.answers[0]
            .answers
            .iter()
            .map(|(who, a, _)| (who.as_str(), *a))
            .collect::<Vec<_>>(),
        vec![("Bob", PartStat::Declined)]
    );
    // Each kind only when the user asked for it.
    let mut quiet = prefs();
    quiet.changes = false;
    let told = messages::tell(&found, &new, "x", &quiet, Locale::En, tz, now);
    assert!(told.changes.is_empty() && told.answers.len() == 1);
    quiet.changes = true;
    quiet.answers = false;
    let told = messages::tell(&found, &new, "x", &quiet, Locale::En, tz, now);
    assert!(told.answers.is_empty() && told.changes.len() == 1);
}

// --- ticks: who is due when, and how nodes share the users ---

fn tick_info(node: &str, since_ms: i64) -> crate::bindings::types::TickInfo {
    crate::bindings::types::TickInfo {
        node: node.into(),
        since_ms,
        leaving: false,
    }
}

#[test]
fn ten_second_ticks_make_each_round_due_once_per_interval_spread_over_it() {
    let users: Vec<String> = (0..600).map(|i| format!("user{i:022}")).collect();
    let start = 1_764_000_000_000_i64;
    for interval in [1u32, 5] {
        let period = i64::from(interval) * 60_000;
        let mut count = std::collections::BTreeMap::<&str, u32>::new();
        let mut per_tick = Vec::new();
        let mut since = start;
        // Three intervals of ticks, one a little late (what it skipped comes with it).
        for k in 1..=(3 * period / 10_000) {
            let now = start + k * 10_000 + if k == 7 { 2_500 } else { 0 };
            let due: Vec<&String> = users
                .iter()
                .filter(|u| super::round_due(u, since, now, interval))
                .collect();
            per_tick.push(due.len());
            for u in due {
                *count.entry(u).or_default() += 1;
            }
            since = now;
        }
        assert!(
            count.values().all(|n| *n == 3) && count.len() == users.len(),
            "every user exactly once per interval"
        );
        // Spread: no tick carries more than twice its fair share.
        let fair = users.len() as f64 * 10_000.0 / period as f64;
        assert!(
            per_tick.iter().all(|n| (*n as f64) < 2.0 * fair + 5.0),
            "{per_tick:?}"
        );
    }
    // A gap of a whole interval or more: everyone is due.
    assert!(users
        .iter()
        .all(|u| super::round_due(u, start, start + 60_000, 1)));
}

#[test]
fn nodes_split_the_users_and_take_over_a_dead_nodes_share() {
    let host = FakeHost::new();
    host.config.borrow_mut().sync_interval_minutes = Some(1);
    let users: Vec<String> = (0..200).map(|i| format!("user{i:022}")).collect();
    for u in &users {
        crate::store::index::add_to(&host, crate::store::index::Index::Notified, u).unwrap();
    }
    let t0 = 1_764_000_000_000_i64;
    let tick = |node: &str, now: i64, since: i64| {
        host.now_ms.set(now);
        super::tick(&host, &tick_info(node, since)).unwrap()
    };
    // One node: all users seen; over a minute of ticks every round comes once.
    let mut a_due = std::collections::BTreeSet::new();
    for k in 1..=6 {
        let r = tick("a", t0 + k * 10_000, t0 + (k - 1) * 10_000);
        assert_eq!(r.users_seen, 200);
        a_due.extend(r.due_users);
    }
    assert_eq!(a_due.len(), 200);
    // b joins; after a tick of each they hold disjoint halves that cover everyone.
    let t1 = t0 + 60_000;
    tick("b", t1, t1 - 10_000);
    let a = tick("a", t1 + 10_000, t1);
    let b = tick("b", t1 + 11_000, t1 + 1_000);
    assert_eq!(a.users_seen + b.users_seen, 200);
    assert!(
        a.users_seen > 50 && b.users_seen > 50,
        "{} {}",
        a.users_seen,
        b.users_seen
    );
    let a_all = tick("a", t1 + 20_000, t1 + 20_000 - 60_000).due_users;
    let b_all = tick("b", t1 + 21_000, t1 + 21_000 - 60_000).due_users;
    assert!(a_all.iter().all(|u| !b_all.contains(u)));
    assert_eq!(a_all.len() + b_all.len(), 200);
    // a dies; once its lease runs out b's next tick takes its users, all due at once.
    let mut t = t1 + 31_000;
    let mut taken = Vec::new();
    while t < t1 + 80_000 {
        let r = tick("b", t, t - 10_000);
        if r.users_seen == 200 {
            taken = r.due_users;
            break;
        }
        t += 10_000;
    }
    assert!(
        t - (t1 + 20_000) <= 40_000,
        "taken over {} ms after a's last tick",
        t - t1 - 20_000
    );
    assert!(
        a_all.iter().all(|u| taken.contains(u)),
        "a's users all due at once"
    );
    // A node that leaves gives its share back at once.
    tick("c", t + 1_000, t - 9_000);
    tick("b", t + 10_000, t);
    let c = tick("c", t + 11_000, t + 1_000);
    assert!(c.users_seen > 0);
    host.now_ms.set(t + 12_000);
    super::tick(
        &host,
        &crate::bindings::types::TickInfo {
            node: "c".into(),
            since_ms: t + 11_000,
            leaving: true,
        },
    )
    .unwrap();
    assert_eq!(tick("b", t + 13_000, t + 10_000).users_seen, 200);
}
