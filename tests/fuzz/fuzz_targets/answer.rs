//! Writing my answer into any calendar text (as a server may send it) never panics; for
//! the whole series it changes only ATTENDEE lines, and answering twice is answering once.
#![no_main]

use libfuzzer_sys::fuzz_target;
use yandex_calendar::ical::{parse_calendar, set_my_answer, Me, PartStat, Target};

/// Unfolded content lines.
fn lines(text: &str) -> Vec<String> {
    text.replace("\r\n", "\n")
        .replace("\n ", "")
        .replace("\n\t", "")
        .split('\n')
        .map(str::to_string)
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    let me = Me::new(["me@yandex.ru"]);
    let tz = chrono_tz::Tz::Europe__Moscow;
    let uids: Vec<String> = parse_calendar(&text)
        .series
        .iter()
        .map(|s| s.uid.clone())
        .take(2)
        .collect();
    for uid in &uids {
        for target in [
            Target::Series,
            Target::Instance("20260302T070000Z"),
            Target::Instance("20260302"),
            Target::Instance("20260302T100000"),
        ] {
            let Ok(once) = set_my_answer(&text, uid, target, &me, PartStat::Declined, tz) else {
                continue;
            };
            let twice = set_my_answer(&once, uid, target, &me, PartStat::Declined, tz);
            assert_eq!(twice.as_ref(), Ok(&once), "answering again changed it");
            if target == Target::Series {
                let (a, b) = (lines(&text), lines(&once));
                assert_eq!(a.len(), b.len());
                for (x, y) in a.iter().zip(&b) {
                    assert!(
                        x == y || x.to_ascii_uppercase().starts_with("ATTENDEE"),
                        "{x:?} → {y:?}"
                    );
                }
            }
        }
    }
});
