//! Parsing real-shaped responses of each server (tests/fixtures/caldav/): Radicale and
//! Xandikos were captured from the test servers; the Yandex ones are written after the
//! shapes caldav.yandex.ru is known to answer with.

use super::discovery::calendars_in;
use super::href;
use super::multistatus::parse;
use super::xml::CALDAV;

macro_rules! fixture {
    ($name:literal) => {
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/caldav/",
            $name
        ))
    };
}

#[test]
fn yandex_home_lists_event_calendars_only() {
    let ms = parse(fixture!("yandex_home.xml")).unwrap();
    let home = "https://caldav.yandex.ru/calendars/ivan.petrov%40yandex.ru/";
    let cals = calendars_in(home, &ms);
    assert_eq!(cals.len(), 1, "{cals:#?}");
    let c = &cals[0];
    assert_eq!(
        c.url,
        "https://caldav.yandex.ru/calendars/ivan.petrov%40yandex.ru/events-7770001/"
    );
    assert_eq!(c.display_name, "Мои события");
    assert_eq!(c.color, "#4ca0e4ff");
    assert_eq!(c.ctag.as_deref(), Some("1764000000123"));
    assert_eq!(c.sync_token.as_deref(), Some("data:,1764000000123"));
}

#[test]
fn yandex_sync_delta_deletion_is_404_propstat_with_etag() {
    let ms = parse(fixture!("yandex_sync.xml")).unwrap();
    assert_eq!(ms.sync_token.as_deref(), Some("data:,1764000000200"));
    assert_eq!(ms.responses.len(), 2);
    let (changed, gone) = (&ms.responses[0], &ms.responses[1]);
    assert!(!changed.is_gone() && changed.is_ok());
    assert_eq!(changed.etag().as_deref(), Some("1764000000200"));
    assert!(gone.is_gone());
    assert_eq!(gone.etag().as_deref(), Some("1764000000150"));
    // Plain `@` here, `%40` in the multiget: the same object.
    let mg = parse(fixture!("yandex_multiget.xml")).unwrap();
    assert!(href::same(&changed.href, &mg.responses[0].href));
}

#[test]
fn yandex_multiget_body_is_unescaped() {
    let ms = parse(fixture!("yandex_multiget.xml")).unwrap();
    let data = ms.responses[0].prop(CALDAV, "calendar-data").unwrap();
    assert!(data.text.contains("SUMMARY:Планёрка & обзор"));
    assert!(data.text.starts_with("BEGIN:VCALENDAR\n"));
}

#[test]
fn radicale_responses() {
    let ms = parse(fixture!("radicale_home.xml")).unwrap();
    let cals = calendars_in("http://127.0.0.1:1/user/", &ms);
    assert_eq!(cals.len(), 1);
    assert_eq!(cals[0].display_name, "Work");
    assert!(cals[0]
        .sync_token
        .as_deref()
        .unwrap()
        .starts_with("http://radicale.org/ns/sync/"));

    let ms = parse(fixture!("radicale_sync.xml")).unwrap();
    assert!(ms.sync_token.is_some());
    let gone: Vec<_> = ms.responses.iter().filter(|r| r.is_gone()).collect();
    let kept: Vec<_> = ms.responses.iter().filter(|r| r.is_ok()).collect();
    assert_eq!((gone.len(), kept.len()), (1, 1));
    assert!(kept[0].etag().unwrap().starts_with('"'));

    let ms = parse(fixture!("radicale_multiget.xml")).unwrap();
    let found: Vec<_> = ms.responses.iter().filter(|r| r.is_ok()).collect();
    assert_eq!(found.len(), 1);
    assert!(found[0].prop(CALDAV, "calendar-data").is_some());
    assert!(ms.responses.iter().any(|r| r.is_gone()));
}

#[test]
fn xandikos_responses() {
    let ms = parse(fixture!("xandikos_home.xml")).unwrap();
    let cals = calendars_in("http://127.0.0.1:1/user/calendars/", &ms);
    assert!(cals
        .iter()
        .any(|c| c.url.ends_with("/user/calendars/calendar/")));
    assert!(cals
        .iter()
        .all(|c| c.ctag.is_some() && c.sync_token.is_some()));

    // ns0: prefixes, status before prop inside propstat, token after the responses.
    let ms = parse(fixture!("xandikos_sync.xml")).unwrap();
    assert!(ms.sync_token.is_some());
    assert_eq!(ms.responses.iter().filter(|r| r.is_gone()).count(), 1);
    assert_eq!(ms.responses.iter().filter(|r| r.is_ok()).count(), 1);
}
