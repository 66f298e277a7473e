//! My own answers through the change engine: an answer written by the plugin (for the
//! series, or for one instance as a new or an existing override) is mine, not news; and a
//! meeting I declined that then disappears from my calendar (Yandex hides it from the
//! invitee) or loses that instance is not reported cancelled.

use chrono::DateTime;
use chrono_tz::Tz;
use yandex_calendar::changes::{diff, Change, ChangeDetail};
use yandex_calendar::i18n::Locale;
use yandex_calendar::ical::{set_my_answer, Me, PartStat, Target, Window};
use yandex_calendar::notify::messages;
use yandex_calendar::rsvp::save::mark_snapshot;
use yandex_calendar::snapshot::{Baseline, CalendarSource, Snapshot};
use yandex_calendar::store::{DigestDays, NotifyPrefs};

mod ics;
use ics::fixture;

const CAL: &str = "https://caldav.yandex.ru/calendars/maria%40yandex.ru/events-1/";
const UID: &str = "weekly-standup@yandex.ru";
const MSK: Tz = Tz::Europe__Moscow;
/// Maria is invited to Ivan's weekly meeting (tests/fixtures/ics/yandex-weekly.ics).
const MARIA: &str = "maria@yandex.ru";

const MARCH: Window = Window {
    from: DateTime::from_timestamp_nanos(1_772_323_200_000_000_000), // 2026-03-01
    to: DateTime::from_timestamp_nanos(1_775_001_600_000_000_000),   // 2026-04-01
};

fn me() -> Me {
    Me::new([MARIA])
}

/// The snapshot of one calendar holding `objects`, after `prev`.
fn snap(prev: Option<&Snapshot>, objects: &[&str]) -> Snapshot {
    let keys: Vec<String> = (0..objects.len()).map(|i| format!("{i}.ics")).collect();
    let pairs: Vec<(&str, &str)> = keys
        .iter()
        .map(String::as_str)
        .zip(objects.iter().copied())
        .collect();
    let built = Snapshot::build(
        prev.map_or(Baseline::FirstSync, Baseline::Previous),
        &[CalendarSource::complete(CAL, &pairs)],
        MARCH,
        MSK,
        &me(),
    );
    assert!(built.skipped.is_empty(), "{:?}", built.skipped);
    built.snapshot
}

fn changes(old: &Snapshot, new_objects: &[&str]) -> Vec<Change> {
    let new = snap(Some(old), new_objects);
    diff(Baseline::Previous(old), &new)
}

/// What the user is told about `found`, with every message kind on.
fn told(found: &[Change], objects: &[&str], old: &Snapshot) -> Vec<String> {
    let new = snap(Some(old), objects);
    let prefs = NotifyPrefs {
        digest_at: None,
        digest_days: DigestDays::EveryDay,
        digest_empty: true,
        reminder_minutes: Some(10),
        status: true,
        changes: true,
        answers: true,
        calendars: None,
        updated_at_ms: 0,
    };
    let t = messages::tell(found, &new, "x", &prefs, Locale::Ru, MSK, MARCH.from);
    t.changes
        .iter()
        .map(|i| i.line.clone())
        .chain(t.answers.iter().map(|g| g.title.clone()))
        .collect()
}

fn answer(ics: &str, target: Target<'_>, a: PartStat) -> String {
    set_my_answer(ics, UID, target, &me(), a, MSK).expect("answered")
}

#[test]
fn my_answers_written_by_the_plugin_are_not_news() {
    let weekly = fixture("yandex-weekly.ics");
    let before = snap(None, &[&weekly]);
    let all = [PartStat::Accepted, PartStat::Declined, PartStat::Tentative];
    for (target, answers) in [
        (Target::Series, &all[..]),
        // A plain instance: a new override.
        (Target::Instance("20260302T070000Z"), &all[..]),
        // The instance Ivan moved to 15:00, which Maria accepted: its existing override.
        (Target::Instance("20260309T070000Z"), &all[1..]),
        (Target::Instance("20260330T070000Z"), &all[..]),
    ] {
        for &a in answers {
            let after = answer(&weekly, target, a);
            let found = changes(&before, &[&after]);
            assert!(
                found
                    .iter()
                    .any(|c| matches!(c.detail, ChangeDetail::MyAnswerChanged { .. })),
                "{target:?} {a:?}: the answer took effect: {found:?}"
            );
            assert!(
                found
                    .iter()
                    .all(|c| matches!(c.detail, ChangeDetail::MyAnswerChanged { .. })),
                "{target:?} {a:?}: {found:?}"
            );
            assert_eq!(told(&found, &[&after], &before), Vec::<String>::new());
        }
    }
}

#[test]
fn a_declined_meeting_that_vanishes_is_not_cancelled_for_me() {
    let weekly = fixture("yandex-weekly.ics");
    // Control: a meeting I had not declined, deleted, is cancelled.
    let before = snap(None, &[&weekly]);
    let found = changes(&before, &[]);
    assert!(
        matches!(found.as_slice(), [c] if c.detail == ChangeDetail::Cancelled),
        "{found:?}"
    );
    assert_eq!(told(&found, &[], &before).len(), 1);

    // Declined (as the server has it), then gone from my calendar: nothing.
    let declined = answer(&weekly, Target::Series, PartStat::Declined);
    let before = snap(None, &[&declined]);
    assert_eq!(changes(&before, &[]), Vec::new());

    // Declined from Mattermost and gone before any sync saw the declined version: the
    // plugin wrote the answer into the stored snapshot, and that is enough.
    let mut before = snap(None, &[&weekly]);
    assert!(mark_snapshot(&mut before, UID, None, PartStat::Declined));
    assert_eq!(changes(&before, &[]), Vec::new());
}

#[test]
fn a_declined_instance_that_goes_away_is_not_cancelled_for_me() {
    let weekly = fixture("yandex-weekly.ics");
    let exdate = "EXDATE;TZID=Europe/Moscow:20260316T100000";
    let both = format!("{exdate}\nEXDATE;TZID=Europe/Moscow:20260330T100000");
    let without_30 = weekly.replace(exdate, &both);
    // Control: the instance of 30 March removed while I had not declined it.
    let before = snap(None, &[&weekly]);
    let found = changes(&before, &[&without_30]);
    assert!(
        matches!(found.as_slice(), [c] if c.detail == ChangeDetail::Cancelled
            && c.recurrence_id.as_deref() == Some("20260330T070000Z")),
        "{found:?}"
    );
    // Declined that one meeting: its removal is not news.
    let mut before = snap(None, &[&weekly]);
    assert!(mark_snapshot(
        &mut before,
        UID,
        Some("20260330T070000Z"),
        PartStat::Declined
    ));
    assert_eq!(changes(&before, &[&without_30]), Vec::new());
}
