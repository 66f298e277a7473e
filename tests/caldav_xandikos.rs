//! Sync against a real Xandikos started by tests/servers/xandikos.sh.

mod common;

#[path = "common/scenario.rs"]
mod scenario;

#[test]
fn xandikos_full_story() {
    let server = common::Server::start("xandikos.sh", "xandikos");
    let calendar = format!("{}user/calendars/work/", server.url);
    common::dav(&["mkcal", &calendar, "Work"]);
    scenario::run(&server.url, "user", &calendar);
}
