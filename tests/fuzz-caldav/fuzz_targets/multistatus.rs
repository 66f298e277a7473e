//! Any bytes as a server's multistatus: parsing and everything sync reads from it must
//! return, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use yandex_calendar::caldav::xml::{CALDAV, CALSERVER, DAV};
use yandex_calendar::caldav::{discovery, href, multistatus};

fuzz_target!(|data: &[u8]| {
    if let Ok(ms) = multistatus::parse(data) {
        let _ = discovery::calendars_in("https://caldav.example/calendars/u%40x/", &ms);
        for r in &ms.responses {
            let _ = (r.etag(), r.is_gone(), r.is_ok());
            let _ = r.prop_text(CALSERVER, "getctag");
            let _ = r.prop(CALDAV, "calendar-data");
            let _ = r.prop_text(DAV, "sync-token");
            let _ = href::normalize(&r.href);
            let _ = href::resolve("https://caldav.example/a/b/", &r.href);
        }
    }
});
