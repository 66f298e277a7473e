//! `ycal sync --state FILE [--url URL --user LOGIN] [--calendar URL]…`: syncs each
//! calendar from the state in FILE, prints per calendar what was added, changed and
//! removed (with the evidence), the objects set aside, whether the sync is complete, and
//! the requests and bytes it cost, as JSON; then saves the new state. Once discovery has
//! found the calendar home, each run starts with the account-level probe (one request for
//! every calendar) and syncs only the calendars whose markers moved.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::json;
use yandex_calendar::caldav::{discover, Client, ClientOptions, Credentials, ThreadSleep};
use yandex_calendar::host::native::NativeHost;
use yandex_calendar::host::Clock;
use yandex_calendar::ical::Window;
use yandex_calendar::sync::{
    probe_account, sync_calendar, AccountProbe, CalendarObject, CalendarState, SyncRequest,
};

#[derive(Default, Serialize, Deserialize)]
struct StateFile {
    #[serde(default)]
    server_url: String,
    #[serde(default)]
    user: String,
    /// The calendar home, once discovery found it: the account-level probe asks it.
    #[serde(default)]
    home_url: Option<String>,
    #[serde(default)]
    calendars: BTreeMap<String, CalendarState>,
}

struct Options {
    state: String,
    url: Option<String>,
    user: Option<String>,
    calendars: Vec<String>,
    days_back: i64,
    days_ahead: i64,
    data: bool,
    max_requests: u32,
    client: ClientOptions,
}

fn parse(args: Vec<String>) -> Result<Option<Options>, String> {
    let mut o = Options {
        state: String::new(),
        url: None,
        user: None,
        calendars: vec![],
        days_back: 30,
        days_ahead: 365,
        data: false,
        // The tool may wait and may take its time: finish in one run.
        max_requests: 100_000,
        client: ClientOptions::default(),
    };
    let mut it = args.into_iter();
    let num = |v: Option<String>, name: &str| -> Result<i64, String> {
        v.and_then(|s| s.parse().ok())
            .ok_or(format!("sync: {name} needs a number"))
    };
    while let Some(a) = it.next() {
        match a.as_str() {
            "--state" => o.state = it.next().unwrap_or_default(),
            "--url" => o.url = it.next(),
            "--user" => o.user = it.next(),
            "--calendar" => o.calendars.extend(it.next()),
            "--days-back" => o.days_back = num(it.next(), "--days-back")?,
            "--days-ahead" => o.days_ahead = num(it.next(), "--days-ahead")?,
            "--max-bytes" => o.client.max_response_bytes = num(it.next(), "--max-bytes")? as u64,
            "--chunk" => o.client.multiget_chunk = num(it.next(), "--chunk")?.max(1) as usize,
            "--max-requests" => o.max_requests = num(it.next(), "--max-requests")?.max(1) as u32,
            "--data" => o.data = true,
            "--help" | "-h" => {
                println!(
                    "usage: YCAL_PASSWORD=… ycal sync --state FILE [--url URL --user LOGIN] \
                     [--calendar URL]… [--days-back N] [--days-ahead N] [--max-bytes N] \
                     [--chunk N] [--max-requests N] [--data]"
                );
                return Ok(None);
            }
            other => return Err(format!("sync: unknown argument {other:?}")),
        }
    }
    if o.state.is_empty() {
        return Err("sync: --state FILE is required".into());
    }
    Ok(Some(o))
}

pub fn run(args: Vec<String>) -> Result<(), String> {
    let Some(o) = parse(args)? else {
        return Ok(());
    };
    let mut file: StateFile = match std::fs::read_to_string(&o.state) {
        Ok(s) => serde_json::from_str(&s).map_err(|e| format!("{}: {e}", o.state))?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => StateFile::default(),
        Err(e) => return Err(format!("{}: {e}", o.state)),
    };
    if let Some(u) = &o.url {
        file.server_url = u.clone();
    }
    if let Some(u) = &o.user {
        file.user = u.clone();
    }
    if file.server_url.is_empty() || file.user.is_empty() {
        return Err("sync: --url and --user are required on the first run".into());
    }
    let host = NativeHost::new();
    let credentials = Credentials::new(file.user.clone(), super::discover::password()?);
    let mut discovery = json!(null);
    let mut urls = o.calendars.clone();
    if urls.is_empty() {
        urls = file.calendars.keys().cloned().collect();
    }
    if urls.is_empty() {
        let client = Client::new(&host, &ThreadSleep, credentials.clone(), o.client);
        let (principal, found) = discover(&client, &file.server_url).map_err(|e| e.to_string())?;
        file.home_url = Some(principal.home_url.clone());
        urls = found.into_iter().map(|c| c.url).collect();
        discovery = json!({
            "requests": client.stats().requests,
            "bytes_received": client.stats().bytes_received,
            "addresses": principal.addresses,
        });
    }
    // One request for the markers of every calendar, when the home is known.
    let mut probe = json!(null);
    let markers: Option<AccountProbe> = match &file.home_url {
        Some(home) => {
            let client = Client::new(&host, &ThreadSleep, credentials.clone(), o.client);
            let found = probe_account(&client, home);
            probe = json!({
                "requests": client.stats().requests,
                "bytes_received": client.stats().bytes_received,
                "error": found.as_ref().err().map(ToString::to_string),
            });
            found.ok()
        }
        None => None,
    };
    let now = chrono::DateTime::from_timestamp_millis(host.now_ms()).unwrap_or_default();
    let window = Window::around(now, o.days_back, o.days_ahead);
    let mut out = Vec::new();
    for url in urls {
        let state = file
            .calendars
            .get(&url)
            .cloned()
            .unwrap_or_else(|| CalendarState::new(url.clone()));
        let current = markers.as_ref().and_then(|p| p.markers_for(&url)).cloned();
        if let Some(m) = &current {
            if !state.needs_sync(m) {
                out.push(json!({"url": url, "method": "unchanged", "requests": 0}));
                continue;
            }
        }
        let client = Client::new(&host, &ThreadSleep, credentials.clone(), o.client);
        let req = SyncRequest {
            window,
            markers: current,
            max_requests: o.max_requests,
        };
        let report = match sync_calendar(&client, &state, &req) {
            Ok(r) => {
                let objs = |v: &[CalendarObject]| -> Vec<serde_json::Value> {
                    v.iter()
                        .map(|c| {
                            let mut j =
                                json!({"url": c.url, "etag": c.etag, "bytes": c.data.len()});
                            if o.data {
                                j["data"] = json!(c.data);
                            }
                            j
                        })
                        .collect()
                };
                let j = json!({
                    "url": url,
                    "method": r.method,
                    "fallback": r.fallback,
                    "completeness": r.completeness,
                    "added": objs(&r.added),
                    "changed": objs(&r.changed),
                    "removed": r.removed,
                    "problems": r.problems,
                    "objects": r.state.objects.len(),
                    "requests": client.stats().requests,
                    "retries": client.stats().retries,
                    "bytes_received": client.stats().bytes_received,
                });
                file.calendars.insert(url.clone(), r.state);
                j
            }
            Err(e) => json!({
                "url": url,
                "error": e.to_string(),
                "requests": client.stats().requests,
                "bytes_received": client.stats().bytes_received,
            }),
        };
        out.push(report);
    }
    let text = serde_json::to_string_pretty(&file).map_err(|e| e.to_string())?;
    std::fs::write(&o.state, text).map_err(|e| format!("{}: {e}", o.state))?;
    println!(
        "{:#}",
        json!({"discovery": discovery, "probe": probe, "calendars": out})
    );
    Ok(())
}
