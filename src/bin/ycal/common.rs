//! Options and file reading shared by the subcommands.

use std::path::PathBuf;
use std::str::FromStr;

use chrono::{NaiveDate, Utc};
use chrono_tz::Tz;
use yandex_calendar::ical::{Me, Skipped, Window};

pub struct Options {
    pub dir: PathBuf,
    pub window: Window,
    pub tz: Tz,
    pub me: Me,
    pub state: Option<PathBuf>,
}

fn date(value: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|e| format!("bad date {value:?}: {e}"))
}

/// Parses `--flag VALUE` pairs; `--to` is inclusive (the whole day).
pub fn parse(args: &[String], with_state: bool) -> Result<Options, String> {
    let mut dir = None;
    let mut from = None;
    let mut to = None;
    let mut tz = None;
    let mut state = None;
    let mut me = Vec::new();
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let mut value = || {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        match flag.as_str() {
            "--dir" => dir = Some(PathBuf::from(value()?)),
            "--from" => from = Some(date(&value()?)?),
            "--to" => to = Some(date(&value()?)?),
            "--tz" => tz = Some(Tz::from_str(&value()?).map_err(|e| format!("--tz: {e}"))?),
            "--me" => me.push(value()?),
            "--state" if with_state => state = Some(PathBuf::from(value()?)),
            other => return Err(format!("unknown option {other:?}")),
        }
    }
    let tz = tz.unwrap_or(Tz::UTC);
    let from = from.ok_or("--from is required")?;
    let to = to.unwrap_or(from);
    let start = yandex_calendar::ical::Time::Date(from).to_utc(tz);
    let end = yandex_calendar::ical::Time::Date(to + chrono::Duration::days(1)).to_utc(tz);
    if with_state && state.is_none() {
        return Err("--state is required".into());
    }
    Ok(Options {
        dir: dir.ok_or("--dir is required")?,
        window: Window {
            from: start.with_timezone(&Utc),
            to: end.with_timezone(&Utc),
        },
        tz,
        me: Me::new(me),
        state,
    })
}

/// The `.ics` files of a directory, sorted by name.
pub fn read_calendars(dir: &PathBuf) -> Result<Vec<String>, String> {
    Ok(read_calendar_files(dir)?
        .into_iter()
        .map(|(_, text)| text)
        .collect())
}

/// The `.ics` files of a directory as (file name, text), sorted by name.
pub fn read_calendar_files(dir: &PathBuf) -> Result<Vec<(String, String)>, String> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x.eq_ignore_ascii_case("ics")))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            std::fs::read_to_string(p)
                .map(|text| (name, text))
                .map_err(|e| format!("{}: {e}", p.display()))
        })
        .collect()
}

pub fn report_skipped(skipped: &[Skipped]) {
    for s in skipped {
        eprintln!("skipped {}: {}", s.uid.as_deref().unwrap_or("-"), s.reason);
    }
}
