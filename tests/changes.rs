//! Change detection across two states of a user's calendars.

use chrono::DateTime;
use chrono_tz::Tz;
use proptest::prelude::*;
use yandex_calendar::changes::{diff, Change, ChangeDetail, Field};
use yandex_calendar::ical::{Me, PartStat, Window};
use yandex_calendar::snapshot::Snapshot;

mod ics;
use ics::{fixture, utc};

const MARCH: Window = Window {
    from: DateTime::from_timestamp_nanos(1_772_323_200_000_000_000), // 2026-03-01
    to: DateTime::from_timestamp_nanos(1_775_001_600_000_000_000),   // 2026-04-01
};

fn snap(objects: &[&str], window: Window, me: &str) -> Snapshot {
    let (s, skipped) = Snapshot::from_calendars(
        objects.iter().copied(),
        window,
        Tz::Europe__Moscow,
        &Me::new([me]),
    );
    assert!(skipped.is_empty(), "{skipped:?}");
    s
}

fn changes(old: &str, new: &str, me: &str) -> Vec<Change> {
    diff(&snap(&[old], MARCH, me), &snap(&[new], MARCH, me))
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
    let old = snap(&[&weekly(), &other], MARCH, "me@gmail.com");
    let new = snap(&[&other], MARCH, "me@gmail.com");
    let c = diff(&old, &new);
    assert_eq!(c.len(), 1, "{c:#?}");
    assert_eq!(c[0].detail, ChangeDetail::Cancelled);
    assert!(c[0].series);
    let back = diff(&new, &old);
    assert_eq!(back.len(), 1, "{back:#?}");
    assert_eq!(back[0].detail, ChangeDetail::Added);
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
    let c = diff(
        &snap(&[&w], early, "maria@yandex.ru"),
        &snap(&[&w], later, "maria@yandex.ru"),
    );
    assert!(c.is_empty(), "{c:#?}");
}

#[test]
fn snapshot_round_trips_and_checks_version() {
    let s = snap(&[&weekly()], MARCH, "maria@yandex.ru");
    let json = s.to_json().expect("serialises");
    assert_eq!(Snapshot::from_json(&json).expect("parses"), s);
    let old = json.replacen("\"version\":1", "\"version\":0", 1);
    assert!(Snapshot::from_json(&old).is_err());
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
