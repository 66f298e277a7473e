//! Sync against a real Radicale 3.9 started by tests/servers/radicale.sh.

mod common;

#[path = "common/scenario.rs"]
mod scenario;

#[test]
fn radicale_full_story() {
    let server = common::Server::start("radicale.sh", "radicale");
    let calendar = format!("{}user/work/", server.url);
    common::dav(&["mkcal", &calendar, "Work"]);
    scenario::run(&server.url, "user", &calendar);
}
