//! Change detection across two states of a user's calendars.

use chrono::{DateTime, Duration};
use chrono_tz::Tz;
use proptest::prelude::*;
use yandex_calendar::changes::{diff, Change, ChangeDetail, Field};
use yandex_calendar::ical::{Me, PartStat, Span, Window};
use yandex_calendar::snapshot::{
    Baseline, CalendarSource, ObjectSource, Objects, SeriesState, Snapshot,
};

mod ics;
use ics::{fixture, utc};

const CAL: &str = "https://caldav.yandex.ru/calendars/me%40yandex.ru/events-1/";

const MARCH: Window = Window {
    from: DateTime::from_timestamp_nanos(1_772_323_200_000_000_000), // 2026-03-01
    to: DateTime::from_timestamp_nanos(1_775_001_600_000_000_000),   // 2026-04-01
};

/// Object keys "0.ics", "1.ics", … in one calendar whose first sync is done.
fn keys(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{i}.ics")).collect()
}

/// The snapshot of `objects` (one calendar) after `prev`.
fn snap_after(
    prev: Option<&Snapshot>,
    objects: &[&str],
    window: Window,
    tz: Tz,
    me: &str,
) -> Snapshot {
    let keys = keys(objects.len());
    let pairs: Vec<(&str, &str)> = keys
        .iter()
        .map(String::as_str)
        .zip(objects.iter().copied())
        .collect();
    let baseline = prev.map_or(Baseline::FirstSync, Baseline::Previous);
    let built = Snapshot::build(
        baseline,
        &[CalendarSource::complete(CAL, &pairs)],
        window,
        tz,
        &Me::new([me]),
    );
    assert!(built.skipped.is_empty(), "{:?}", built.skipped);
    built.snapshot
}

fn snap(objects: &[&str], window: Window, me: &str) -> Snapshot {
    snap_after(None, objects, window, Tz::Europe__Moscow, me)
}

fn changes(old: &str, new: &str, me: &str) -> Vec<Change> {
    let a = snap(&[old], MARCH, me);
    let b = snap_after(Some(&a), &[new], MARCH, Tz::Europe__Moscow, me);
    diff(Baseline::Previous(&a), &b)
}

fn details(c: &[Change]) -> Vec<&ChangeDetail> {
    c.iter().map(|c| &c.detail).collect()
}

fn weekly() -> String {
    fixture("yandex-weekly.ics")
}

#[test]
fn window_constant_is_march() {
    assert_eq!(MARCH.from, utc(2026, 3, 1));
    assert_eq!(MARCH.to, utc(2026, 4, 1));
}

#[test]
fn nothing_changes_for_the_same_state_or_noise() {
    let old = weekly();
    assert!(changes(&old, &old, "maria@yandex.ru").is_empty());
    let noisy = old
        .replace("DTSTAMP:20260301T120000Z", "DTSTAMP:20260302T080000Z")
        .replace(
            "LAST-MODIFIED:20260228T090000Z",
            "LAST-MODIFIED:20260302T080000Z",
        )
        .replace("SEQUENCE:3", "SEQUENCE:4")
        .replace('\n', "\r\n");
    assert!(changes(&old, &noisy, "maria@yandex.ru").is_empty());
}

#[test]
fn one_instance_moved() {
    let new = weekly().replace(
        "DTSTART;TZID=Europe/Moscow:20260309T150000\nDTEND;TZID=Europe/Moscow:20260309T153000",
        "DTSTART;TZID=Europe/Moscow:20260309T160000\nDTEND;TZID=Europe/Moscow:20260309T163000",
    );
    let c = changes(&weekly(), &new, "maria@yandex.ru");
    assert_eq!(c.len(), 1, "{c:#?}");
    assert_eq!(c[0].recurrence_id.as_deref(), Some("20260309T070000Z"));
    assert!(matches!(c[0].detail, ChangeDetail::Moved { .. }));
    assert!(!c[0].series);
}

#[test]
fn whole_series_moved_is_one_message() {
    // The server rewrites EXDATE and RECURRENCE-IDs along with the master's DTSTART.
    let new = weekly().replace("T100000", "T110000").replace(
        "DTEND;TZID=Europe/Moscow:20260302T103000",
        "DTEND;TZID=Europe/Moscow:20260302T113000",
    );
    let c = changes(&weekly(), &new, "maria@yandex.ru");
    assert_eq!(c.len(), 1, "{c:#?}");
    assert!(c[0].series);
    assert_eq!(c[0].instances, 2);
    assert_eq!(c[0].recurrence_id, None);
    assert!(matches!(c[0].detail, ChangeDetail::Moved { .. }));
}

#[test]
fn series_title_change_is_one_message() {
    let new = weekly().replacen("SUMMARY:Планёрка", "SUMMARY:Стендап", 1);
    let c = changes(&weekly(), &new, "maria@yandex.ru");
    assert_eq!(c.len(), 1, "{c:#?}");
    assert!(c[0].series);
    // The 2nd and the 30th; the 9th is an override with its own title.
    assert_eq!(c[0].instances, 2);
    let ChangeDetail::Updated { fields } = &c[0].detail else {
        panic!("{c:?}")
    };
    assert_eq!(fields[0].field, Field::Summary);
    assert_eq!(fields[0].new.as_deref(), Some("Стендап"));
}

#[test]
fn exdate_cancels_one_instance() {
    let new = weekly().replace(
        "EXDATE;TZID=Europe/Moscow:20260316T100000",
        "EXDATE;TZID=Europe/Moscow:20260316T100000,20260330T100000",
    );
    let c = changes(&weekly(), &new, "maria@yandex.ru");
    assert_eq!(c.len(), 1, "{c:#?}");
    assert_eq!(c[0].detail, ChangeDetail::Cancelled);
    assert_eq!(c[0].recurrence_id.as_deref(), Some("20260330T070000Z"));
}

#[test]
fn deleted_and_added_objects() {
    let other = fixture("google-export.ics");
    let both = snap(&[&other, &weekly()], MARCH, "me@gmail.com");
    // The weekly object is no longer in the calendar's object list: deleted (the sync
    // engine drops an object from its list only on a confirmed deletion).
    let without = snap_after(
        Some(&both),
        &[&other],
        MARCH,
        Tz::Europe__Moscow,
        "me@gmail.com",
    );
    let c = diff(Baseline::Previous(&both), &without);
    assert_eq!(c.len(), 1, "{c:#?}");
    assert_eq!(c[0].detail, ChangeDetail::Cancelled);
    assert!(c[0].series);
    assert_eq!(c[0].instances, 3);
    let back = snap_after(
        Some(&without),
        &[&other, &weekly()],
        MARCH,
        Tz::Europe__Moscow,
        "me@gmail.com",
    );
    let c = diff(Baseline::Previous(&without), &back);
    assert_eq!(c.len(), 1, "{c:#?}");
    assert_eq!(c[0].detail, ChangeDetail::Added);
    assert!(c[0].series);
}

#[test]
fn status_cancelled_single_meeting() {
    let old = fixture("google-export.ics");
    let new = old.replace("STATUS:TENTATIVE", "STATUS:CANCELLED");
    let c = changes(&old, &new, "me@gmail.com");
    assert_eq!(c.len(), 1, "{c:#?}");
    assert_eq!(c[0].uid, "1on1@google.com");
    assert_eq!(c[0].detail, ChangeDetail::Cancelled);
}

#[test]
fn attendee_answers_reach_the_organizer_once_per_series() {
    let new = weekly().replacen(
        "ATTENDEE;PARTSTAT=NEEDS-ACTION;CN=Мария Смирнова",
        "ATTENDEE;PARTSTAT=DECLINED;CN=Мария Смирнова",
        1,
    );
    let c = changes(&weekly(), &new, "ivan@yandex.ru");
    assert_eq!(c.len(), 1, "{c:#?}");
    assert!(c[0].series);
    assert_eq!(
        c[0].detail,
        ChangeDetail::AttendeeAnswered {
            email: "maria@yandex.ru".into(),
            name: Some("Мария Смирнова".into()),
            old: Some(PartStat::NeedsAction),
            new: PartStat::Declined,
        }
    );
    // Not the organizer: an attendee does not hear about the others' answers.
    assert!(changes(&weekly(), &new, "olga@ya.ru").is_empty());
    // Maria hears that her own answer changed (e.g. in the web UI).
    let mine = changes(&weekly(), &new, "maria@yandex.ru");
    assert!(
        matches!(
            mine[0].detail,
            ChangeDetail::MyAnswerChanged {
                new: Some(PartStat::Declined),
                ..
            }
        ),
        "{mine:#?}"
    );
}

#[test]
fn instance_moved_out_of_the_window_is_a_move() {
    let new = weekly().replace(
        "DTSTART;TZID=Europe/Moscow:20260309T150000\nDTEND;TZID=Europe/Moscow:20260309T153000",
        "DTSTART;TZID=Europe/Moscow:20260409T150000\nDTEND;TZID=Europe/Moscow:20260409T153000",
    );
    let c = changes(&weekly(), &new, "maria@yandex.ru");
    assert_eq!(c.len(), 1, "{c:#?}");
    assert!(matches!(c[0].detail, ChangeDetail::Moved { .. }));
}

#[test]
fn a_sliding_window_reports_nothing() {
    let early = Window {
        from: utc(2026, 3, 1),
        to: utc(2026, 3, 15),
    };
    let later = Window {
        from: utc(2026, 3, 8),
        to: utc(2026, 3, 29),
    };
    let w = weekly();
    let a = snap(&[&w], early, "maria@yandex.ru");
    let b = snap_after(
        Some(&a),
        &[&w],
        later,
        Tz::Europe__Moscow,
        "maria@yandex.ru",
    );
    let c = diff(Baseline::Previous(&a), &b);
    assert!(c.is_empty(), "{c:#?}");
}

#[test]
fn snapshot_round_trips_and_checks_version() {
    let s = snap(&[&weekly()], MARCH, "maria@yandex.ru");
    let json = s.to_json().expect("serialises");
    assert_eq!(Snapshot::from_json(&json).expect("parses"), s);
    let old = json.replacen("\"version\":2", "\"version\":1", 1);
    assert!(Snapshot::from_json(&old).is_err());
    assert_eq!(s.meetings().len(), 3);
}

/// Content lines of the weekly master, for reshuffling.
fn master_lines() -> Vec<String> {
    let w = weekly();
    let start = w.find("BEGIN:VEVENT").unwrap_or(0);
    let end = w.find("END:VEVENT").unwrap_or(w.len());
    w[start..end].lines().skip(1).map(str::to_string).collect()
}

/// Folds a content line at byte offsets on char boundaries (RFC 5545 §3.1).
fn fold(line: &str, every: usize) -> String {
    let mut out = String::new();
    let mut n = 0;
    for ch in line.chars() {
        if n >= every {
            out.push_str("\r\n ");
            n = 0;
        }
        out.push(ch);
        n += ch.len_utf8();
    }
    out
}

fn calendar(lines: &[String], every: usize) -> String {
    let body: Vec<String> = lines.iter().map(|l| fold(l, every)).collect();
    format!(
        "BEGIN:VCALENDAR\r\nPRODID:-//Yandex LLC//Yandex Calendar//EN\r\nBEGIN:VEVENT\r\n{}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
        body.join("\r\n")
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Reordering properties and attendees, refolding lines, and a new DTSTAMP/SEQUENCE
    /// (what a Yandex re-serialisation does) never reports a change.
    #[test]
    fn reserialising_yields_no_change(
        order in Just(master_lines()).prop_shuffle(),
        every in 8usize..75,
        stamp in 0u32..86_400,
        seq in 0u32..100,
    ) {
        let original = calendar(&master_lines(), 75);
        let mut lines: Vec<String> = order
            .into_iter()
            .map(|l| if l.starts_with("DTSTAMP") {
                format!("DTSTAMP:20260302T{:02}{:02}{:02}Z", stamp / 3600, stamp / 60 % 60, stamp % 60)
            } else if l.starts_with("SEQUENCE") {
                format!("SEQUENCE:{seq}")
            } else { l })
            .collect();
        lines.retain(|l| !l.is_empty());
        let reserialised = calendar(&lines, every);
        for me in ["maria@yandex.ru", "ivan@yandex.ru"] {
            let c = changes(&original, &reserialised, me);
            prop_assert!(c.is_empty(), "{:#?}", c);
        }
    }
}

fn single(uid: &str, start: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:{uid}\r\nDTSTART;TZID=Europe/Moscow:{start}\r\n\
         DURATION:PT1H\r\nSUMMARY:Meeting {uid}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
}

fn weekly_from(start: &str, extra: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:s@yandex.ru\r\nDTSTART;TZID=Europe/Moscow:{start}\r\n\
         DURATION:PT1H\r\nSUMMARY:Standup\r\nRRULE:FREQ=WEEKLY{extra}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
}

fn w(from: (u32, u32), to: (u32, u32)) -> Window {
    Window {
        from: utc(2026, from.0, from.1),
        to: utc(2026, to.0, to.1),
    }
}

#[test]
fn item10_a_meeting_moved_past_the_window_end_is_moved() {
    let c = changes(
        &single("x", "20260310T100000"),
        &single("x", "20260410T100000"),
        "me@yandex.ru",
    );
    // Before: Cancelled.
    assert_eq!(c.len(), 1, "{c:#?}");
    let ChangeDetail::Moved { old, new } = &c[0].detail else {
        panic!("{c:#?}")
    };
    assert_eq!(
        old.instants(Tz::UTC).0,
        utc(2026, 3, 10) + Duration::hours(7)
    );
    assert_eq!(
        new.instants(Tz::UTC).0,
        utc(2026, 4, 10) + Duration::hours(7)
    );
}

#[test]
fn item10_a_whole_series_moved_out_of_the_window_is_one_move() {
    let c = changes(
        &weekly_from("20260302T100000", ""),
        &weekly_from("20260504T100000", ""),
        "me@yandex.ru",
    );
    // Before: five Cancelled, collapsed into one series "Cancelled".
    assert_eq!(c.len(), 1, "{c:#?}");
    assert!(c[0].series);
    assert_eq!(c[0].instances, 5);
    let ChangeDetail::Moved { new, .. } = &c[0].detail else {
        panic!("{c:#?}")
    };
    assert_eq!(
        new.instants(Tz::UTC).0,
        utc(2026, 5, 4) + Duration::hours(7)
    );
    // A shift that pushes only the last instance past the window is one move too.
    let c = changes(
        &weekly_from("20260302T100000", ""),
        &weekly_from("20260305T100000", ""),
        "me@yandex.ru",
    );
    assert_eq!(c.len(), 1, "{c:#?}");
    assert!(c[0].series && matches!(c[0].detail, ChangeDetail::Moved { .. }));
}

#[test]
fn item11_a_cancellation_and_an_instance_entering_the_window_are_not_a_move() {
    let a = snap(
        &[&weekly_from("20260302T100000", "")],
        w((3, 3), (3, 20)),
        "me@yandex.ru",
    );
    let exdate = weekly_from(
        "20260302T100000",
        "\r\nEXDATE;TZID=Europe/Moscow:20260316T100000",
    )
    .replace("RRULE:FREQ=WEEKLY\r\nEXDATE", "EXDATE")
    .replace(
        "SUMMARY:Standup\r\n",
        "SUMMARY:Standup\r\nRRULE:FREQ=WEEKLY\r\n",
    );
    let b = snap_after(
        Some(&a),
        &[&exdate],
        w((3, 8), (3, 25)),
        Tz::Europe__Moscow,
        "me@yandex.ru",
    );
    let c = diff(Baseline::Previous(&a), &b);
    // Before: the 16th "moved" to the 23rd, which only slid into view.
    assert_eq!(details(&c), [&ChangeDetail::Cancelled], "{c:#?}");
    assert_eq!(c[0].recurrence_id.as_deref(), Some("20260316T070000Z"));
}

#[test]
fn item12_a_meeting_created_far_ahead_is_announced_once() {
    let other = single("old", "20260305T100000");
    let a = snap(&[&other], MARCH, "me@yandex.ru");
    let far = single("far", "20261120T100000");
    let b = snap_after(
        Some(&a),
        &[&other, &far],
        MARCH,
        Tz::Europe__Moscow,
        "me@yandex.ru",
    );
    let c = diff(Baseline::Previous(&a), &b);
    // Before: nothing, ever.
    assert_eq!(details(&c), [&ChangeDetail::Added], "{c:#?}");
    assert_eq!(c[0].uid, "far");
    assert_eq!(
        c[0].span.instants(Tz::UTC).0,
        utc(2026, 11, 20) + Duration::hours(7)
    );
    // Sliding into the window later says nothing more.
    let november = w((11, 1), (12, 1));
    let later = snap_after(
        Some(&b),
        &[&other, &far],
        november,
        Tz::Europe__Moscow,
        "me@yandex.ru",
    );
    assert!(diff(Baseline::Previous(&b), &later).is_empty());
    // Moving it, far ahead, is reported.
    let moved = single("far", "20261121T100000");
    let c2 = snap_after(
        Some(&b),
        &[&other, &moved],
        MARCH,
        Tz::Europe__Moscow,
        "me@yandex.ru",
    );
    let c = diff(Baseline::Previous(&b), &c2);
    assert!(
        matches!(details(&c)[..], [ChangeDetail::Moved { .. }]),
        "{c:#?}"
    );
}

#[test]
fn item13_ending_a_series_early_is_one_message() {
    let c = changes(
        &weekly_from("20260302T100000", ""),
        &weekly_from("20260302T100000", ";UNTIL=20260310T000000Z"),
        "me@yandex.ru",
    );
    // Before: one Cancelled per instance (3 here).
    assert_eq!(c.len(), 1, "{c:#?}");
    assert!(c[0].series);
    assert_eq!(c[0].instances, 3);
    assert_eq!(
        c[0].detail,
        ChangeDetail::SeriesEnded {
            last: Some(utc(2026, 3, 9) + Duration::hours(7))
        }
    );
}

#[test]
fn item14_a_vevent_that_does_not_parse_keeps_its_meetings() {
    let good = weekly_from("20260302T100000", "");
    let a = snap(&[&good], MARCH, "me@yandex.ru");
    for bad in [
        good.replace("DURATION:PT1H", "DURATION:PT1Hx"),
        good.replace("RRULE:FREQ=WEEKLY", "RRULE:FREQ=FORTNIGHTLY"),
        good.replace("END:VEVENT\r\n", ""),
    ] {
        let built = Snapshot::build(
            Baseline::Previous(&a),
            &[CalendarSource::complete(CAL, &[("0.ics", &bad)])],
            MARCH,
            Tz::Europe__Moscow,
            &Me::new(["me@yandex.ru"]),
        );
        assert!(!built.skipped.is_empty());
        let c = diff(Baseline::Previous(&a), &built.snapshot);
        // Before: a series-wide Cancelled.
        assert!(c.is_empty(), "{bad}\n{c:#?}");
        let entry = &built.snapshot.series["s@yandex.ru"];
        assert!(
            matches!(&entry.state, SeriesState::Active(v) if v.carried && v.meetings.len() == 5)
        );
        // Fixed again: still nothing to say.
        let fixed = snap_after(
            Some(&built.snapshot),
            &[&good],
            MARCH,
            Tz::Europe__Moscow,
            "me@yandex.ru",
        );
        assert!(diff(Baseline::Previous(&built.snapshot), &fixed).is_empty());
    }
}

#[test]
fn absent_without_evidence_is_never_cancelled() {
    let a = snap(
        &[&weekly(), &single("x", "20260310T100000")],
        MARCH,
        "maria@yandex.ru",
    );
    let me = Me::new(["maria@yandex.ru"]);
    let sources = [
        // The calendar could not be read this time.
        vec![CalendarSource {
            url: CAL,
            initial_sync_done: true,
            objects: Objects::Unavailable,
        }],
        // The objects are listed but their bodies are not available.
        vec![CalendarSource {
            url: CAL,
            initial_sync_done: true,
            objects: Objects::Listed(vec![
                ObjectSource {
                    key: "0.ics",
                    ics: None,
                },
                ObjectSource {
                    key: "1.ics",
                    ics: None,
                },
            ]),
        }],
    ];
    for src in &sources {
        let b =
            Snapshot::build(Baseline::Previous(&a), src, MARCH, Tz::Europe__Moscow, &me).snapshot;
        assert!(diff(Baseline::Previous(&a), &b).is_empty());
        assert_eq!(b.meetings().len(), 4);
    }
    // A calendar no longer subscribed: its meetings leave silently.
    let b = Snapshot::build(Baseline::Previous(&a), &[], MARCH, Tz::Europe__Moscow, &me).snapshot;
    assert!(diff(Baseline::Previous(&a), &b).is_empty());
    assert!(b.series.is_empty());
}

#[test]
fn item19_a_change_of_the_users_zone_moves_nothing() {
    // A zoned series with a floating EXDATE, and a floating meeting.
    let zoned = weekly_from("20260302T100000", "").replace(
        "RRULE:FREQ=WEEKLY",
        "RRULE:FREQ=WEEKLY\r\nEXDATE:20260309T100000",
    );
    let floating = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:yoga\r\nDTSTART:20260312T180000\r\n\
DURATION:PT1H\r\nSUMMARY:Yoga\r\nRRULE:FREQ=WEEKLY;COUNT=3\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let all_day = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:trip\r\nDTSTART;VALUE=DATE:20260315\r\n\
DTEND;VALUE=DATE:20260317\r\nSUMMARY:Trip\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    let a = snap_after(
        None,
        &[&zoned, floating, all_day],
        MARCH,
        Tz::Europe__Moscow,
        "me@yandex.ru",
    );
    for tz in [
        Tz::Asia__Yekaterinburg,
        Tz::America__New_York,
        Tz::Asia__Vladivostok,
    ] {
        let b = snap_after(
            Some(&a),
            &[&zoned, floating, all_day],
            MARCH,
            tz,
            "me@yandex.ru",
        );
        let c = diff(Baseline::Previous(&a), &b);
        // Before: the floating EXDATE of the zoned series came back as an "Added" instance
        // (read in the new zone), and the floating meeting "moved".
        assert!(c.is_empty(), "{tz}: {c:#?}");
    }
}

#[test]
fn item22_the_first_sync_reports_nothing_and_new_calendars_are_quiet() {
    let s = snap(&[&weekly()], MARCH, "maria@yandex.ru");
    assert!(diff(Baseline::FirstSync, &s).is_empty());
    assert_eq!(s.meetings().len(), 3);
    // A second calendar subscribed later: its meetings are recorded, not announced, until
    // its first sync has completed once.
    let me = Me::new(["maria@yandex.ru"]);
    let other = fixture("google-export.ics");
    let second = "https://caldav.yandex.ru/calendars/me%40yandex.ru/events-2/";
    let w = weekly();
    let first = CalendarSource::complete(CAL, &[("0.ics", &w)]);
    let mut partial = CalendarSource::complete(second, &[("a.ics", &other)]);
    partial.initial_sync_done = false;
    let b = Snapshot::build(
        Baseline::Previous(&s),
        &[first.clone(), partial],
        MARCH,
        Tz::Europe__Moscow,
        &me,
    )
    .snapshot;
    assert!(diff(Baseline::Previous(&s), &b).is_empty());
    let done = CalendarSource::complete(second, &[("a.ics", &other)]);
    let c = Snapshot::build(
        Baseline::Previous(&b),
        &[first.clone(), done],
        MARCH,
        Tz::Europe__Moscow,
        &me,
    )
    .snapshot;
    assert!(diff(Baseline::Previous(&b), &c).is_empty());
    // From then on, a new meeting there is news.
    let more = format!("{other}\r\n{}", single("new", "20260320T100000"));
    let done = CalendarSource::complete(second, &[("a.ics", &other), ("b.ics", &more)]);
    let d = Snapshot::build(
        Baseline::Previous(&c),
        &[first, done],
        MARCH,
        Tz::Europe__Moscow,
        &me,
    )
    .snapshot;
    let changes = diff(Baseline::Previous(&c), &d);
    assert_eq!(details(&changes), [&ChangeDetail::Added], "{changes:#?}");
    let _ = Span::AllDay {
        start: utc(2026, 3, 1).date_naive(),
        end: utc(2026, 3, 2).date_naive(),
    };
}
