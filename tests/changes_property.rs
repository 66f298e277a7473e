//! Property: over random sequences of edits (move a meeting or one instance, cancel an
//! instance, add an EXDATE, end a series, cancel or delete a meeting, add one anywhere
//! ahead, slide or resize the window, change the user's zone, drop an object from one
//! listing, a calendar unreadable for a round, a body that does not parse), no meeting is
//! ever reported cancelled (or its series ended) without a positive cause in that edit, no
//! meeting is announced without being added, and every added meeting is announced once.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use proptest::prelude::*;
use yandex_calendar::changes::{diff, Change, ChangeDetail};
use yandex_calendar::ical::{Me, Window};
use yandex_calendar::snapshot::{
    Baseline, CalendarSource, ObjectSource, Objects, Snapshot, Versions,
};

/// A stable hash of a text (FNV-1a 64), standing in for an ETag.
fn md5_like(text: &str) -> u64 {
    text.bytes().fold(0xcbf29ce484222325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100000001b3)
    })
}

const CAL: &str = "https://caldav.yandex.ru/calendars/me%40yandex.ru/events-1/";
const ZONES: [Tz; 4] = [
    Tz::Europe__Moscow,
    Tz::Asia__Yekaterinburg,
    Tz::America__New_York,
    Tz::Asia__Kamchatka,
];

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Single,
    Daily,
    Weekly,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Clock {
    Moscow,
    Floating,
    AllDay,
}

#[derive(Debug, Clone)]
struct Override {
    shift_min: i64,
    cancelled: bool,
}

#[derive(Debug, Clone)]
struct Meeting {
    kind: Kind,
    clock: Clock,
    start: NaiveDateTime,
    minutes: i64,
    /// The start of the last instance (UNTIL, inclusive).
    until: Option<NaiveDateTime>,
    exdates: BTreeSet<NaiveDateTime>,
    overrides: BTreeMap<NaiveDateTime, Override>,
    cancelled: bool,
}

impl Meeting {
    fn step(&self) -> Option<Duration> {
        match self.kind {
            Kind::Single => None,
            Kind::Daily => Some(Duration::days(1)),
            Kind::Weekly => Some(Duration::days(7)),
        }
    }

    /// Start instants of every meeting of the series (up to a year of instances), as a
    /// user in `tz` sees them.
    fn starts(&self, tz: Tz) -> BTreeSet<chrono::DateTime<Utc>> {
        let at = |t: NaiveDateTime| match self.clock {
            Clock::Moscow => Tz::Europe__Moscow
                .from_local_datetime(&t)
                .earliest()
                .map(|d| d.with_timezone(&Utc)),
            Clock::Floating => tz
                .from_local_datetime(&t)
                .earliest()
                .map(|d| d.with_timezone(&Utc)),
            Clock::AllDay => tz
                .from_local_datetime(&t.date().and_hms_opt(0, 0, 0).unwrap_or_default())
                .earliest()
                .map(|d| d.with_timezone(&Utc)),
        };
        if self.cancelled {
            return BTreeSet::new();
        }
        let n = if self.kind == Kind::Single { 1 } else { 400 };
        (0..n)
            .filter_map(|k| {
                if k == 0 {
                    Some(self.start)
                } else {
                    self.instance(k)
                }
            })
            .filter(|t| !self.exdates.contains(t))
            .filter_map(|t| match self.overrides.get(&t) {
                Some(o) if o.cancelled => None,
                Some(o) => Some(
                    t + match self.clock {
                        Clock::AllDay => Duration::days(o.shift_min / (24 * 60)),
                        _ => Duration::minutes(o.shift_min),
                    },
                ),
                None => Some(t),
            })
            .filter_map(at)
            .collect()
    }

    /// Times of instances removed by EXDATE or a cancelled override.
    fn removed_times(&self) -> BTreeSet<NaiveDateTime> {
        self.exdates
            .iter()
            .copied()
            .chain(
                self.overrides
                    .iter()
                    .filter(|(_, o)| o.cancelled)
                    .map(|(rid, _)| *rid),
            )
            .collect()
    }

    /// The k-th instance's original start, if the series has one.
    fn instance(&self, k: usize) -> Option<NaiveDateTime> {
        let at = self.start + self.step()? * i32::try_from(k).ok()?;
        self.until.is_none_or(|u| at <= u).then_some(at)
    }

    fn value(&self, at: NaiveDateTime) -> String {
        match self.clock {
            Clock::Moscow => format!(";TZID=Europe/Moscow:{}", at.format("%Y%m%dT%H%M%S")),
            Clock::Floating => format!(":{}", at.format("%Y%m%dT%H%M%S")),
            Clock::AllDay => format!(";VALUE=DATE:{}", at.format("%Y%m%d")),
        }
    }

    fn ics(&self, uid: &str) -> String {
        let mut out =
            String::from("BEGIN:VCALENDAR\r\nPRODID:-//Yandex LLC//Yandex Calendar//EN\r\n");
        out += &self.vevent(uid, None, self.start, self.cancelled);
        for (rid, o) in &self.overrides {
            let shift = match self.clock {
                Clock::AllDay => Duration::days(o.shift_min / (24 * 60)),
                _ => Duration::minutes(o.shift_min),
            };
            out += &self.vevent(uid, Some(*rid), *rid + shift, o.cancelled);
        }
        out + "END:VCALENDAR\r\n"
    }

    fn vevent(
        &self,
        uid: &str,
        rid: Option<NaiveDateTime>,
        start: NaiveDateTime,
        cancelled: bool,
    ) -> String {
        let mut v = format!("BEGIN:VEVENT\r\nUID:{uid}\r\nSUMMARY:Meeting {uid}\r\n");
        v += &format!("DTSTART{}\r\n", self.value(start));
        match self.clock {
            Clock::AllDay => v += &format!("DTEND{}\r\n", self.value(start + Duration::days(1))),
            _ => v += &format!("DURATION:PT{}M\r\n", self.minutes),
        }
        match rid {
            Some(rid) => v += &format!("RECURRENCE-ID{}\r\n", self.value(rid)),
            None => {
                if let Some(step) = self.step() {
                    let freq = if step == Duration::days(1) {
                        "DAILY"
                    } else {
                        "WEEKLY"
                    };
                    let until = match (self.until, self.clock) {
                        (None, _) => String::new(),
                        (Some(u), Clock::AllDay) => format!(";UNTIL={}", u.format("%Y%m%d")),
                        (Some(u), Clock::Floating) => {
                            format!(";UNTIL={}", u.format("%Y%m%dT%H%M%S"))
                        }
                        (Some(u), Clock::Moscow) => {
                            let utc = Tz::Europe__Moscow
                                .from_local_datetime(&u)
                                .earliest()
                                .map(|d| d.with_timezone(&Utc).naive_utc())
                                .unwrap_or(u);
                            format!(";UNTIL={}Z", utc.format("%Y%m%dT%H%M%S"))
                        }
                    };
                    v += &format!("RRULE:FREQ={freq}{until}\r\n");
                }
                for ex in &self.exdates {
                    v += &format!("EXDATE{}\r\n", self.value(*ex));
                }
            }
        }
        if cancelled {
            v += "STATUS:CANCELLED\r\n";
        }
        v + "END:VEVENT\r\n"
    }
}

#[derive(Debug, Clone)]
enum Op {
    Add {
        kind: u8,
        clock: u8,
        day: i64,
        hour: u32,
        minutes: i64,
    },
    Move {
        idx: usize,
        minutes: i64,
    },
    MoveInstance {
        idx: usize,
        k: usize,
        minutes: i64,
    },
    CancelInstance {
        idx: usize,
        k: usize,
    },
    AddExdate {
        idx: usize,
        k: usize,
    },
    EndSeries {
        idx: usize,
        k: usize,
    },
    Cancel {
        idx: usize,
    },
    Delete {
        idx: usize,
    },
    Slide {
        days: i64,
    },
    Resize {
        days: i64,
    },
    Zone {
        idx: usize,
    },
    DropObject {
        idx: usize,
    },
    Unreadable,
    Corrupt {
        idx: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0u8..3, 0u8..3, 0i64..400, 7u32..20, prop::sample::select(vec![30i64, 60, 90]))
            .prop_map(|(kind, clock, day, hour, minutes)| Op::Add { kind, clock, day, hour, minutes }),
        3 => (0usize..16, -4320i64..86_400).prop_map(|(idx, m)| Op::Move { idx, minutes: m / 30 * 30 }),
        2 => (0usize..16, 0usize..12, -2880i64..43_200)
            .prop_map(|(idx, k, m)| Op::MoveInstance { idx, k, minutes: m / 30 * 30 }),
        2 => (0usize..16, 0usize..12).prop_map(|(idx, k)| Op::CancelInstance { idx, k }),
        2 => (0usize..16, 0usize..12).prop_map(|(idx, k)| Op::AddExdate { idx, k }),
        2 => (0usize..16, 0usize..12).prop_map(|(idx, k)| Op::EndSeries { idx, k }),
        1 => (0usize..16).prop_map(|idx| Op::Cancel { idx }),
        1 => (0usize..16).prop_map(|idx| Op::Delete { idx }),
        2 => (0i64..40).prop_map(|days| Op::Slide { days }),
        1 => (7i64..120).prop_map(|days| Op::Resize { days }),
        1 => (0usize..ZONES.len()).prop_map(|idx| Op::Zone { idx }),
        2 => (0usize..16).prop_map(|idx| Op::DropObject { idx }),
        1 => Just(Op::Unreadable),
        1 => (0usize..16).prop_map(|idx| Op::Corrupt { idx }),
    ]
}

struct World {
    meetings: BTreeMap<String, Meeting>,
    next_uid: usize,
    from: NaiveDate,
    days: i64,
    tz: Tz,
}

/// What one edit may legitimately cause.
#[derive(Default, Debug)]
struct Causes {
    cancelled: BTreeSet<String>,
    added: BTreeSet<String>,
    /// Objects whose body is unavailable, or that do not parse, this round only.
    dropped: BTreeSet<String>,
    corrupt: BTreeSet<String>,
    unreadable: bool,
}

impl World {
    fn new() -> World {
        let mut w = World {
            meetings: BTreeMap::new(),
            next_uid: 0,
            from: NaiveDate::from_ymd_opt(2026, 3, 1).expect("date"),
            days: 30,
            tz: Tz::Europe__Moscow,
        };
        for (kind, clock, day, hour) in [
            (2, 0, 1, 10),
            (1, 0, 3, 9),
            (0, 0, 5, 15),
            (2, 1, 2, 18),
            (0, 2, 8, 0),
            (2, 2, 4, 0),
        ] {
            w.add(kind, clock, day, hour, 60);
        }
        w
    }

    fn add(&mut self, kind: u8, clock: u8, day: i64, hour: u32, minutes: i64) -> String {
        let uid = format!("m{}", self.next_uid);
        self.next_uid += 1;
        let clock = [Clock::Moscow, Clock::Floating, Clock::AllDay][usize::from(clock)];
        let start = (self.from + Duration::days(day))
            .and_hms_opt(if clock == Clock::AllDay { 0 } else { hour }, 0, 0)
            .expect("time");
        self.meetings.insert(
            uid.clone(),
            Meeting {
                kind: [Kind::Single, Kind::Daily, Kind::Weekly][usize::from(kind)],
                clock,
                start,
                minutes,
                until: None,
                exdates: BTreeSet::new(),
                overrides: BTreeMap::new(),
                cancelled: false,
            },
        );
        uid
    }

    fn pick(&self, idx: usize) -> Option<String> {
        let live: Vec<&String> = self.meetings.keys().collect();
        (!live.is_empty()).then(|| live[idx % live.len()].clone())
    }

    fn window(&self) -> Window {
        let from = Utc.from_utc_datetime(&self.from.and_hms_opt(0, 0, 0).expect("midnight"));
        Window {
            from,
            to: from + Duration::days(self.days),
        }
    }

    fn apply(&mut self, op: &Op) -> Causes {
        let mut c = Causes::default();
        match *op {
            Op::Add {
                kind,
                clock,
                day,
                hour,
                minutes,
            } => {
                c.added.insert(self.add(kind, clock, day, hour, minutes));
            }
            Op::Move { idx, minutes } => {
                if let Some(uid) = self.pick(idx) {
                    let m = self.meetings.get_mut(&uid).expect("picked");
                    let before = m.removed_times();
                    let d = match m.clock {
                        Clock::AllDay => Duration::days(minutes / (24 * 60)),
                        _ => Duration::minutes(minutes),
                    };
                    // The server rewrites EXDATEs and RECURRENCE-IDs with the series.
                    m.start += d;
                    m.until = m.until.map(|u| u + d);
                    m.exdates = m.exdates.iter().map(|e| *e + d).collect();
                    m.overrides = std::mem::take(&mut m.overrides)
                        .into_iter()
                        .map(|(rid, o)| (rid + d, o))
                        .collect();
                    // An EXDATE or cancelled instance carried onto a time that had a
                    // meeting does cancel that meeting.
                    if !m.removed_times().is_subset(&before) {
                        c.cancelled.insert(uid);
                    }
                }
            }
            Op::MoveInstance { idx, k, minutes } => {
                if let Some((uid, at)) = self.free_instance(idx, k) {
                    let m = self.meetings.get_mut(&uid).expect("picked");
                    m.overrides.insert(
                        at,
                        Override {
                            shift_min: minutes,
                            cancelled: false,
                        },
                    );
                }
            }
            Op::CancelInstance { idx, k } => {
                if let Some((uid, at)) = self.free_instance(idx, k) {
                    let m = self.meetings.get_mut(&uid).expect("picked");
                    m.overrides.insert(
                        at,
                        Override {
                            shift_min: 0,
                            cancelled: true,
                        },
                    );
                    c.cancelled.insert(uid);
                }
            }
            Op::AddExdate { idx, k } => {
                if let Some((uid, at)) = self.free_instance(idx, k) {
                    self.meetings
                        .get_mut(&uid)
                        .expect("picked")
                        .exdates
                        .insert(at);
                    c.cancelled.insert(uid);
                }
            }
            Op::EndSeries { idx, k } => {
                if let Some(uid) = self.pick(idx) {
                    let m = self.meetings.get_mut(&uid).expect("picked");
                    if let Some(at) = m.instance(k) {
                        m.until = Some(at);
                        c.cancelled.insert(uid);
                    }
                }
            }
            Op::Cancel { idx } => {
                if let Some(uid) = self.pick(idx) {
                    self.meetings.get_mut(&uid).expect("picked").cancelled = true;
                    c.cancelled.insert(uid);
                }
            }
            Op::Delete { idx } => {
                if let Some(uid) = self.pick(idx) {
                    self.meetings.remove(&uid);
                    c.cancelled.insert(uid);
                }
            }
            Op::Slide { days } => self.from += Duration::days(days),
            Op::Resize { days } => self.days = days,
            Op::Zone { idx } => self.tz = ZONES[idx],
            Op::DropObject { idx } => c.dropped.extend(self.pick(idx)),
            Op::Unreadable => c.unreadable = true,
            Op::Corrupt { idx } => c.corrupt.extend(self.pick(idx)),
        }
        c
    }

    /// A series instance with neither an override nor an EXDATE yet.
    fn free_instance(&self, idx: usize, k: usize) -> Option<(String, NaiveDateTime)> {
        let uid = self.pick(idx)?;
        let m = &self.meetings[&uid];
        let at = m.instance(k)?;
        (!m.exdates.contains(&at) && !m.overrides.contains_key(&at)).then_some((uid, at))
    }

    fn snapshot(&self, prev: Option<&Snapshot>, causes: &Causes) -> Snapshot {
        let texts: Vec<(String, String)> = self
            .meetings
            .iter()
            .map(|(uid, m)| {
                let text = if causes.corrupt.contains(uid) {
                    m.ics(uid)
                        .replacen("DTSTART", "DTSTART;VALUE=DATE:2026XX01\r\nX-BROKEN", 1)
                } else {
                    m.ics(uid)
                };
                (format!("{uid}.ics"), text)
            })
            .collect();
        let objects = if causes.unreadable {
            Objects::Unavailable
        } else {
            Objects::Listed(
                texts
                    .iter()
                    .map(|(key, text)| ObjectSource {
                        key,
                        ics: (!causes.dropped.contains(key.trim_end_matches(".ics")))
                            .then_some(text.as_str()),
                    })
                    .collect(),
            )
        };
        let source = CalendarSource {
            url: CAL,
            initial_sync_done: true,
            objects,
        };
        // Object versions as a server's ETags would be: the text's hash. A body the sync
        // set aside has no version here (nothing to reuse it by).
        let hashes: Vec<(String, String)> = texts
            .iter()
            .filter(|(key, _)| !causes.dropped.contains(key.trim_end_matches(".ics")))
            .map(|(key, text)| (key.clone(), format!("{:x}", md5_like(text))))
            .collect();
        let versions: Versions = hashes
            .iter()
            .map(|(key, v)| ((CAL, key.as_str()), v.as_str()))
            .collect();
        let me = Me::new(["me@yandex.ru"]);
        let baseline = prev.map_or(Baseline::FirstSync, Baseline::Previous);
        // The chain reuses what did not change; every step must equal a build that reads
        // everything.
        let reusing = Snapshot::build_reusing(
            baseline,
            std::slice::from_ref(&source),
            &versions,
            self.window(),
            self.tz,
            &me,
        )
        .unwrap_or_else(|| {
            Snapshot::build_versioned(
                baseline,
                std::slice::from_ref(&source),
                &versions,
                self.window(),
                self.tz,
                &me,
            )
        })
        .snapshot;
        let mut fresh = prev.cloned();
        if let Some(p) = &mut fresh {
            p.parsed.clear();
        }
        let full = Snapshot::build_versioned(
            fresh
                .as_ref()
                .map_or(Baseline::FirstSync, Baseline::Previous),
            &[source],
            &versions,
            self.window(),
            self.tz,
            &me,
        )
        .snapshot;
        assert_eq!(reusing, full, "a build reusing unchanged objects differs");
        reusing
    }
}

#[allow(clippy::too_many_arguments)]
fn check(
    step: usize,
    op: &Op,
    causes: &Causes,
    changes: &[Change],
    announced: &mut BTreeSet<String>,
    prev: &Snapshot,
    next: &Snapshot,
    before: &BTreeMap<String, BTreeSet<chrono::DateTime<Utc>>>,
) -> Result<(), TestCaseError> {
    let show = |uid: &str| {
        format!(
            "\nOLD {:#?}\nNEW {:#?}\nwindows {:?} {:?} {} {}",
            prev.series.get(uid),
            next.series.get(uid),
            prev.window,
            next.window,
            prev.tz,
            next.tz
        )
    };
    for c in changes {
        match &c.detail {
            ChangeDetail::Cancelled | ChangeDetail::SeriesEnded { .. } => prop_assert!(
                causes.cancelled.contains(&c.uid),
                "step {step}: {op:?} reported {c:#?} without a cause"
            ),
            // One instance more (a series now starting earlier): there was no meeting then.
            ChangeDetail::Added if !c.series && c.recurrence_id.is_some() => {
                let start = c.span.instants(next.zone()).0;
                prop_assert!(
                    before.get(&c.uid).is_some_and(|b| !b.contains(&start)),
                    "step {step}: {op:?} announced an instance that was there: {c:#?}{}",
                    show(&c.uid)
                );
            }
            ChangeDetail::Added => {
                // A series that was all over (the snapshot forgets those after a week) and
                // now has a meeting ahead again is news too.
                let past = prev.window.from - Duration::days(7);
                let resurrected = before
                    .get(&c.uid)
                    .is_some_and(|b| !b.is_empty() && b.iter().all(|t| *t < past));
                prop_assert!(
                    causes.added.contains(&c.uid) || resurrected,
                    "step {step}: {op:?} announced {c:#?} that was not added{}",
                    show(&c.uid)
                );
                prop_assert!(
                    announced.insert(c.uid.clone()) || resurrected,
                    "step {step}: {} announced twice",
                    c.uid
                );
            }
            _ => {}
        }
    }
    for uid in &causes.added {
        prop_assert!(
            announced.contains(uid),
            "step {step}: added {uid} was not announced: {changes:#?}"
        );
    }
    Ok(())
}

/// Cases per run: 256 in `cargo test`; `YCAL_PROPTEST_CASES` asks for more (`make fuzz`).
fn cases() -> u32 {
    std::env::var("YCAL_PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}

/// Edits per case.
const STEPS: usize = 12;

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn no_cancellation_without_a_cause(ops in prop::collection::vec(op(), STEPS)) {
        let mut world = World::new();
        let mut prev = world.snapshot(None, &Causes::default());
        let mut announced = BTreeSet::new();
        for (step, op) in ops.iter().enumerate() {
            let before: BTreeMap<String, BTreeSet<chrono::DateTime<Utc>>> = world
                .meetings
                .iter()
                .map(|(uid, m)| (uid.clone(), m.starts(world.tz)))
                .collect();
            let causes = world.apply(op);
            let next = world.snapshot(Some(&prev), &causes);
            let changes = diff(Baseline::Previous(&prev), &next);
            check(step, op, &causes, &changes, &mut announced, &prev, &next, &before)?;
            prev = next;
        }
    }
}
