//! `ycal changes`: what changed since the snapshot saved in `--state`, then save the new
//! snapshot. The `.ics` files of `--dir` are the objects of one calendar. Without a saved
//! snapshot (or with an unusable one) this is a first sync: recorded, nothing reported.

use yandex_calendar::changes::diff;
use yandex_calendar::snapshot::{Baseline, CalendarSource, Snapshot};

use crate::common;

pub fn run(args: &[String]) -> Result<(), String> {
    let opts = common::parse(args, true)?;
    let state = opts.state.clone().ok_or("--state is required")?;
    let files = common::read_calendar_files(&opts.dir)?;
    let objects: Vec<(&str, &str)> = files
        .iter()
        .map(|(name, text)| (name.as_str(), text.as_str()))
        .collect();
    let calendar = opts.dir.display().to_string();
    let source = CalendarSource::complete(&calendar, &objects);
    let old = match std::fs::read_to_string(&state) {
        Ok(json) => match Snapshot::from_json(&json) {
            Ok(old) => Some(old),
            Err(e) => {
                eprintln!("previous state unusable ({e}); starting afresh");
                None
            }
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(format!("{}: {e}", state.display())),
    };
    let baseline = old.as_ref().map_or(Baseline::FirstSync, Baseline::Previous);
    let built = Snapshot::build(baseline, &[source], opts.window, opts.tz, &opts.me);
    common::report_skipped(&built.skipped);
    let changes = diff(baseline, &built.snapshot);
    let json = serde_json::to_string_pretty(&changes).map_err(|e| e.to_string())?;
    println!("{json}");
    let saved = built.snapshot.to_json().map_err(|e| e.to_string())?;
    std::fs::write(&state, saved).map_err(|e| format!("{}: {e}", state.display()))?;
    Ok(())
}
