//! Golden agendas: each case renders an `.ics` of tests/golden/agenda/ for one request and
//! compares with `<case>.en.txt` and `<case>.ru.txt` beside it.
//! `YCAL_BLESS=1 cargo test --test agenda_golden` rewrites the expected files (review the diff).

use std::path::PathBuf;

use chrono::NaiveDate;
use chrono_tz::Tz;
use yandex_calendar::agenda::{meetings, render};
use yandex_calendar::i18n::{AgendaKind, Locale};
use yandex_calendar::ical::Me;

struct Case {
    name: &'static str,
    ics: &'static str,
    tz: Tz,
    kind: AgendaKind,
    from: (i32, u32, u32),
    to: (i32, u32, u32),
    budget: usize,
    /// Several calendars: the same file twice under two names (meetings show once).
    two_calendars: bool,
}

const CASES: &[Case] = &[
    Case {
        name: "yandex-today",
        ics: "yandex.ics",
        tz: Tz::Europe__Moscow,
        kind: AgendaKind::Today,
        from: (2026, 12, 1),
        to: (2026, 12, 1),
        budget: render::BUDGET_CHARS,
        two_calendars: false,
    },
    Case {
        name: "yandex-week",
        ics: "yandex.ics",
        tz: Tz::Europe__Moscow,
        kind: AgendaKind::Week,
        from: (2026, 11, 30),
        to: (2026, 12, 6),
        budget: render::BUDGET_CHARS,
        two_calendars: false,
    },
    Case {
        name: "yandex-day-yekaterinburg",
        ics: "yandex.ics",
        tz: Tz::Asia__Yekaterinburg,
        kind: AgendaKind::Day,
        from: (2026, 12, 1),
        to: (2026, 12, 1),
        budget: render::BUDGET_CHARS,
        two_calendars: true,
    },
    Case {
        name: "berlin-dst-from-moscow",
        ics: "berlin-dst.ics",
        tz: Tz::Europe__Moscow,
        kind: AgendaKind::Range,
        from: (2026, 3, 23),
        to: (2026, 4, 3),
        budget: render::BUDGET_CHARS,
        two_calendars: false,
    },
    Case {
        name: "busy-month-paged",
        ics: "busy.ics",
        tz: Tz::Europe__Moscow,
        kind: AgendaKind::Month,
        from: (2026, 12, 1),
        to: (2026, 12, 30),
        budget: 3_000,
        two_calendars: false,
    },
    Case {
        name: "empty-tomorrow",
        ics: "empty.ics",
        tz: Tz::Europe__Moscow,
        kind: AgendaKind::Tomorrow,
        from: (2026, 12, 2),
        to: (2026, 12, 2),
        budget: render::BUDGET_CHARS,
        two_calendars: false,
    },
];

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/agenda")
}

fn date((y, m, d): (i32, u32, u32)) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid case date")
}

fn agenda(case: &Case, locale: Locale) -> String {
    let ics = std::fs::read_to_string(dir().join(case.ics)).expect("the case's .ics");
    let mut calendars = vec![("Работа".to_string(), vec![ics.clone()])];
    if case.two_calendars {
        calendars.push(("Личное".to_string(), vec![ics]));
    }
    let request = render::Request {
        kind: case.kind,
        from: date(case.from),
        to: date(case.to),
    };
    let me = Me::new(["maria@yandex.ru"]);
    let (items, skipped) = meetings(&calendars, case.tz, &me, &request);
    assert!(skipped.is_empty(), "{}: {skipped:?}", case.name);
    render::render(locale, request, case.tz, &items, &[], case.budget)
}

#[test]
fn agendas_match_their_golden_files() {
    let bless = std::env::var_os("YCAL_BLESS").is_some();
    let mut failures = Vec::new();
    for case in CASES {
        for (locale, lang) in [(Locale::En, "en"), (Locale::Ru, "ru")] {
            let got = agenda(case, locale);
            assert!(
                got.chars().count() <= case.budget,
                "{}: over budget",
                case.name
            );
            let path = dir().join(format!("{}.{lang}.txt", case.name));
            if bless {
                std::fs::write(&path, &got).expect("write golden");
                continue;
            }
            let want = std::fs::read_to_string(&path).unwrap_or_default();
            if got != want {
                failures.push(format!("--- {}\n{got}", path.display()));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "agendas differ from the golden files (YCAL_BLESS=1 to rewrite):\n{}",
        failures.join("\n")
    );
}
