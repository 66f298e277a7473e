//! Any href: the canonical spelling is stable (spelling it again changes nothing), names
//! the same resource as the original, and never panics on broken escapes or non-UTF-8.
#![no_main]

use libfuzzer_sys::fuzz_target;
use yandex_calendar::caldav::href;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let canonical = href::canonical_path(&text);
    assert_eq!(href::canonical_path(&canonical), canonical);
    let key = href::normalize(&text);
    assert_eq!(href::normalize(&key), key);
    assert!(href::same(&text, &canonical) || text.contains(['?', '#']) || text.contains("://"));
    let url = href::resolve("https://caldav.example/calendars/u%40x/", &text);
    let _ = href::canonical_url(&url);
    let _ = href::percent_decode(&text);
});
