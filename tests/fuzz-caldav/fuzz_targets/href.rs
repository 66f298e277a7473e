//! Any href, resolved against a collection as sync does: the canonical spelling is stable
//! (spelling it again changes nothing), names the same resource as the original, and
//! nothing panics on broken escapes or non-UTF-8.
#![no_main]

use libfuzzer_sys::fuzz_target;
use yandex_calendar::caldav::href;

fuzz_target!(|data: &[u8]| {
    let lossy = String::from_utf8_lossy(data);
    // Servers' hrefs come trimmed out of the XML; sync resolves them before comparing.
    let raw = lossy.trim();
    let resolved = href::resolve("https://caldav.example/calendars/u%40x/", raw);
    let text = href::path_of(&resolved).trim();
    let canonical = href::canonical_path(text);
    assert_eq!(href::canonical_path(&canonical), canonical);
    let key = href::normalize(text);
    assert_eq!(href::normalize(&key), key);
    assert!(
        href::same(text, &canonical) || text.contains(['?', '#']) || text.contains("://"),
        "{text:?} vs {canonical:?}"
    );
    let _ = href::canonical_url(&resolved);
    let _ = href::percent_decode(raw);
    let _ = href::normalize(raw);
});
