//! `ycal changes`: what changed since the state saved in `--state`, then save the new state.
//! Without a saved state everything is new, so nothing is reported (first sync).

use yandex_calendar::changes::diff;
use yandex_calendar::snapshot::Snapshot;

use crate::common;

pub fn run(args: &[String]) -> Result<(), String> {
    let opts = common::parse(args, true)?;
    let state = opts.state.clone().ok_or("--state is required")?;
    let calendars = common::read_calendars(&opts.dir)?;
    let (new, skipped) = Snapshot::from_calendars(
        calendars.iter().map(String::as_str),
        opts.window,
        opts.tz,
        &opts.me,
    );
    common::report_skipped(&skipped);
    let changes = match std::fs::read_to_string(&state) {
        Ok(json) => match Snapshot::from_json(&json) {
            Ok(old) => diff(&old, &new),
            Err(e) => {
                eprintln!("previous state unusable ({e}); starting afresh");
                Vec::new()
            }
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(format!("{}: {e}", state.display())),
    };
    let json = serde_json::to_string_pretty(&changes).map_err(|e| e.to_string())?;
    println!("{json}");
    let saved = new.to_json().map_err(|e| e.to_string())?;
    std::fs::write(&state, saved).map_err(|e| format!("{}: {e}", state.display()))?;
    Ok(())
}
